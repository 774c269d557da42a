/* ps-print.c - batches to printers: jobs, tracking, resume.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The ledger is the single truth about what is on paper.  A job is recorded
 * (with its name and pages) before it is sent, its CUPS id as soon as CUPS
 * accepts it, and every state change after that.  So at any moment a page is
 * printed (a completed job carried it), in flight, or missing - and a rerun
 * after a crash finds a job that reached CUPS by its name instead of sending
 * it again.
 */
#include "config.h"
#include "ps-print-private.h"
#include "ps-ledger-private.h"
#include "ps-render-batch-private.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#define DEFAULT_TIMEOUT 600      /* seconds a job may stay unfinished */
#define POLL_INTERVAL   250000   /* microseconds between Get-Job-Attributes */

G_DEFINE_QUARK (ps-print-error-quark, ps_print_error)

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

PsPrintOptions *
ps_print_options_new (void)
{
  PsPrintOptions *o = g_new0 (PsPrintOptions, 1);
  o->options = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (o->options, NULL);
  return o;
}

void
ps_print_options_free (PsPrintOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->printer);
  g_free (options->server);
  g_ptr_array_unref (options->options);
  g_free (options);
}

void
ps_print_options_set_printer (PsPrintOptions *options, const char *printer)
{
  g_return_if_fail (options != NULL);
  g_free (options->printer);
  options->printer = g_strdup (printer);
}

void
ps_print_options_set_server (PsPrintOptions *options, const char *server)
{
  g_return_if_fail (options != NULL);
  g_free (options->server);
  options->server = g_strdup (server);
}

bool
ps_print_options_add_option (PsPrintOptions *options, const char *option, GError **error)
{
  g_return_val_if_fail (options != NULL && option != NULL, false);
  const char *eq = strchr (option, '=');
  if (eq == NULL || eq == option)
    {
      g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_INVALID,
                   "CUPS option '%s' is not name=value", option);
      return false;
    }
  /* Kept NULL-terminated: the queue takes the array as it is. */
  options->options->pdata[options->options->len - 1] = g_strdup (option);
  g_ptr_array_add (options->options, NULL);
  return true;
}

void
ps_print_options_set_job_size (PsPrintOptions *options, int job_size)
{
  g_return_if_fail (options != NULL && job_size >= 0);
  options->job_size = job_size;
}

void
ps_print_options_set_resume (PsPrintOptions *options, bool resume)
{
  g_return_if_fail (options != NULL);
  options->resume = resume;
}

void
ps_print_options_set_timeout (PsPrintOptions *options, int seconds)
{
  g_return_if_fail (options != NULL && seconds >= 0);
  options->timeout = seconds;
}

void
ps_print_options_set_progress (PsPrintOptions *options, PsProgressFunc func, void *user_data)
{
  g_return_if_fail (options != NULL);
  options->progress = func;
  options->progress_data = user_data;
}

static char *const *
cups_options (const PsPrintOptions *options)
{
  return (char *const *) options->options->pdata;
}

/* ------------------------------------------------------------------ */
/* Jobs                                                               */
/* ------------------------------------------------------------------ */

PsQueue *
_ps_print_open_queue (const PsPrintOptions *options, const PsBatch *batch, GError **error)
{
  const PsLayout *layout = batch->layout;
  g_autoptr (PsQueue) queue = _ps_queue_open (options->printer, options->server, error);
  if (queue == NULL)
    return NULL;
  if (!_ps_queue_check_media (queue, layout->media, layout->sheet_width, layout->sheet_height,
                              error))
    return NULL;
  return g_steal_pointer (&queue);
}

PsDeviceSpace
_ps_print_device_space (const PsBatch *batch)
{
  /* The profile header's data colour space (bytes 16..19); the batch's
   * profile was validated when the batch was made. */
  gsize len = 0;
  const guint8 *icc = batch->settings.profile != NULL
                        ? g_bytes_get_data (batch->settings.profile, &len) : NULL;
  if (icc == NULL || len < 20)
    return PS_DEVICE_SRGB;
  return memcmp (icc + 16, "CMYK", 4) == 0 ? PS_DEVICE_CMYK : PS_DEVICE_RGB;
}

bool
_ps_print_choose_format (PsQueue *queue, const PsBatch *batch, PsDocumentFormat *format,
                         GError **error)
{
  g_autofree char *why = NULL;
  if (!_ps_queue_choose_format (queue, _ps_print_device_space (batch), batch->settings.dpi,
                                format, &why, error))
    return false;
  g_debug ("print: %s", why);
  return true;
}

/* Asks CUPS for the state of @job and records it when it changed. */
static bool
refresh_job (PsLedger *ledger, PsQueue *queue, PsLedgerJob *job, GError **error)
{
  if (job->cups_id == 0)
    {
      /* Recorded but its CUPS id never was: either photosheet stopped before
       * sending it, or right after CUPS accepted it.  CUPS knows which. */
      int id = _ps_queue_find_job (queue, job->name, error);
      if (id < 0)
        return false;
      if (id == 0)
        {
          job->state = PS_JOB_CANCELED;
          return _ps_ledger_job_set_state (ledger, job->id, PS_JOB_CANCELED,
                                           "never reached CUPS", error);
        }
      if (!_ps_ledger_job_set_cups_id (ledger, job->id, id, error))
        return false;
      job->cups_id = id;
    }

  PsJobState state = PS_JOB_PENDING;
  g_autofree char *reason = NULL;
  if (!_ps_queue_get_job_state (queue, job->cups_id, &state, &reason, error))
    return false;
  /* A completed job needs no explanation; CUPS's last message then is
   * filter chatter (e.g. qpdf warnings) that would only alarm an operator. */
  if (state == PS_JOB_COMPLETED)
    g_clear_pointer (&reason, g_free);
  if (state != job->state || g_strcmp0 (reason, job->reason) != 0)
    {
      if (!_ps_ledger_job_set_state (ledger, job->id, state, reason, error))
        return false;
      job->state = state;
      g_free (job->reason);
      job->reason = g_steal_pointer (&reason);
    }
  return true;
}

/* Polls every job in @jobs until it ends or @timeout seconds pass. */
static bool
track_jobs (PsLedger *ledger, PsQueue *queue, GPtrArray *jobs, const PsPrintOptions *options,
            GError **error)
{
  int timeout = options->timeout > 0 ? options->timeout : DEFAULT_TIMEOUT;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout * G_USEC_PER_SEC;

  for (;;)
    {
      size_t done = 0;
      for (size_t i = 0; i < jobs->len; i++)
        {
          PsLedgerJob *job = jobs->pdata[i];
          if (!ps_job_state_is_final (job->state) && !refresh_job (ledger, queue, job, error))
            return false;
          done += ps_job_state_is_final (job->state) ? 1 : 0;
        }
      if (options->progress != NULL)
        options->progress (done, jobs->len, options->progress_data);
      if (done == jobs->len || g_get_monotonic_time () >= deadline)
        return true;
      g_usleep (POLL_INTERVAL);
    }
}

static gint64
find_batch (PsLedger *ledger, const char *batch_dir, GError **error)
{
  gint64 id = _ps_ledger_find_batch_by_dir (ledger, batch_dir, error);
  if (id <= 0)
    g_prefix_error (error, "no batch rendered into '%s' in the ledger: ", batch_dir);
  return id;
}

/* Splits the pages to send into jobs: a new job at each class, and at most
 * @job_size pages in one. */
static GPtrArray *
group_pages (const PsBatch *batch, GArray *pages, int job_size)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  GArray *current = NULL;
  size_t current_class = G_MAXSIZE;

  for (size_t i = 0; i < pages->len; i++)
    {
      size_t number = g_array_index (pages, size_t, i);
      const PsPage *page = _ps_batch_page (batch, number);
      bool new_class = page->class_index != current_class;
      bool full = job_size > 0 && current != NULL && current->len >= (guint) job_size;
      if (current == NULL || full || (job_size <= 0 && new_class))
        {
          current = g_array_new (FALSE, FALSE, sizeof (size_t));
          g_ptr_array_add (groups, current);
        }
      g_array_append_val (current, number);
      current_class = page->class_index;
    }
  return groups;
}

/* Records, renders and sends one job; the job row exists before CUPS sees
 * the job, so a crash at any point leaves a trace the rerun can follow. */
static PsLedgerJob *
submit_job (PsLedger *ledger, PsQueue *queue, const PsBatch *batch,
            const PsPrintOptions *options, PsDocumentFormat format, const char *name,
            GArray *pages, const char *jobs_dir, GError **error)
{
  gint64 job_id = _ps_ledger_job_create (ledger, batch->ledger_id, options->printer, name,
                                         (const size_t *) pages->data, pages->len, error);
  if (job_id <= 0)
    return NULL;

  /* The job document: what the queue takes in the batch's device space. */
  bool pwg = format == PS_DOCUMENT_PWG_RASTER;
  g_autofree char *file = g_strdup_printf ("job-%" G_GINT64_FORMAT ".%s", job_id, pwg ? "pwg" : "pdf");
  g_autofree char *pdf = g_build_filename (jobs_dir, file, NULL);
  g_autoptr (GError) local = NULL;
  if (!_ps_render_batch_pages (batch, (const size_t *) pages->data, pages->len, jobs_dir,
                               pwg ? NULL : pdf, pwg ? pdf : NULL, 0, NULL, &local))
    {
      _ps_ledger_job_set_state (ledger, job_id, PS_JOB_CANCELED, "not sent: rendering failed", NULL);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  int cups_id = _ps_queue_submit (queue, name, pdf, format, batch->layout->media,
                                  cups_options (options), &local);
  if (cups_id <= 0)
    {
      _ps_ledger_job_set_state (ledger, job_id, PS_JOB_ABORTED, local->message, NULL);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  _ps_core_fault_point ("after-submit");
  /* The job file served its purpose: CUPS has its own copy. */
  g_unlink (pdf);
  if (!_ps_ledger_job_set_cups_id (ledger, job_id, cups_id, error)
      || !_ps_ledger_job_set_state (ledger, job_id, PS_JOB_PENDING, NULL, error))
    return NULL;

  PsLedgerJob *job = g_new0 (PsLedgerJob, 1);
  job->id = job_id;
  job->batch_id = batch->ledger_id;
  job->cups_id = cups_id;
  job->printer = g_strdup (options->printer);
  job->name = g_strdup (name);
  job->state = PS_JOB_PENDING;
  return job;
}

static char *
job_name (const PsBatch *batch, const PsPage *first, size_t sequence)
{
  const PsClass *klass = _ps_batch_class (batch, first->class_index);
  return g_strdup_printf ("photosheet %s %s b%" G_GINT64_FORMAT "-%zu",
                          klass->yxdm != NULL ? klass->yxdm : "-", klass->name, batch->ledger_id,
                          sequence);
}

static char *
describe_failures (GPtrArray *jobs)
{
  GString *s = g_string_new (NULL);
  for (size_t i = 0; i < jobs->len; i++)
    {
      PsLedgerJob *job = jobs->pdata[i];
      if (job->state == PS_JOB_COMPLETED)
        continue;
      g_string_append_printf (s, "%sjob %d '%s' %s%s%s%s", s->len ? "; " : "", job->cups_id,
                              job->name, ps_job_state_to_string (job->state),
                              job->reason ? " (" : "", job->reason ? job->reason : "",
                              job->reason ? ")" : "");
    }
  return g_string_free (s, FALSE);
}

bool
ps_print_batch (PsLedger *ledger, const char *batch_dir, const PsPrintOptions *options,
                PsPrintSummary *summary, GError **error)
{
  g_return_val_if_fail (ledger != NULL && batch_dir != NULL && options != NULL, false);
  g_return_val_if_fail (options->printer != NULL, false);

  PsPrintSummary local_summary = { 0 };
  if (summary == NULL)
    summary = &local_summary;
  memset (summary, 0, sizeof *summary);

  gint64 batch_id = find_batch (ledger, batch_dir, error);
  if (batch_id <= 0)
    return false;
  g_autoptr (PsBatch) batch = _ps_ledger_load_batch (ledger, batch_id, error);
  if (batch == NULL)
    return false;

  /* Printer, server, media and document format are checked before anything
   * is recorded. */
  g_autoptr (PsQueue) queue = _ps_print_open_queue (options, batch, error);
  PsDocumentFormat format = PS_DOCUMENT_PDF;
  if (queue == NULL || !_ps_print_choose_format (queue, batch, &format, error))
    return false;

  g_autoptr (GPtrArray) earlier = _ps_ledger_list_jobs (ledger, batch_id, error);
  if (earlier == NULL)
    return false;
  if (earlier->len > 0 && !options->resume)
    {
      g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_ALREADY_PRINTED,
                   "batch '%s' already has %u print job%s: use --resume to print only the "
                   "pages that are missing", batch_dir, earlier->len, earlier->len == 1 ? "" : "s");
      return false;
    }

  /* Jobs of this printer that have not ended: learn what became of them,
   * and keep tracking those still under way rather than sending their
   * pages again. */
  g_autoptr (GPtrArray) tracked = g_ptr_array_new_with_free_func ((GDestroyNotify) _ps_ledger_job_free);
  g_autoptr (GHashTable) in_flight = g_hash_table_new (NULL, NULL);
  for (size_t i = 0; i < earlier->len; i++)
    {
      PsLedgerJob *job = earlier->pdata[i];
      if (ps_job_state_is_final (job->state) || g_strcmp0 (job->printer, options->printer) != 0)
        continue;
      if (!refresh_job (ledger, queue, job, error))
        return false;
      if (ps_job_state_is_final (job->state))
        continue;
      g_autoptr (GArray) pages = _ps_ledger_job_pages (ledger, job->id, error);
      if (pages == NULL)
        return false;
      for (size_t p = 0; p < pages->len; p++)
        g_hash_table_add (in_flight, GSIZE_TO_POINTER (g_array_index (pages, size_t, p)));
      g_ptr_array_add (tracked, g_steal_pointer (&earlier->pdata[i]));
    }

  g_autoptr (GArray) pending = _ps_ledger_pages_pending (ledger, batch_id, error);
  if (pending == NULL)
    return false;
  g_autoptr (GArray) to_send = g_array_new (FALSE, FALSE, sizeof (size_t));
  for (size_t i = 0; i < pending->len; i++)
    {
      size_t number = g_array_index (pending, size_t, i);
      if (!g_hash_table_contains (in_flight, GSIZE_TO_POINTER (number)))
        g_array_append_val (to_send, number);
    }

  g_autofree char *jobs_dir = g_build_filename (batch_dir, "jobs", NULL);
  g_autoptr (GPtrArray) groups = group_pages (batch, to_send, options->job_size);
  size_t sequence = earlier->len;
  for (size_t g = 0; g < groups->len; g++)
    {
      GArray *pages = groups->pdata[g];
      const PsPage *first = _ps_batch_page (batch, g_array_index (pages, size_t, 0));
      g_autofree char *name = job_name (batch, first, ++sequence);
      PsLedgerJob *job = submit_job (ledger, queue, batch, options, format, name, pages, jobs_dir,
                                     error);
      if (job == NULL)
        return false;
      g_ptr_array_add (tracked, job);
      summary->jobs_submitted++;
      summary->pages_submitted += pages->len;
    }
  g_rmdir (jobs_dir);

  if (!track_jobs (ledger, queue, tracked, options, error))
    return false;

  for (size_t i = 0; i < tracked->len; i++)
    {
      PsLedgerJob *job = tracked->pdata[i];
      if (job->state == PS_JOB_COMPLETED)
        summary->jobs_completed++;
      else
        summary->jobs_failed++;
    }
  g_autoptr (GArray) left = _ps_ledger_pages_pending (ledger, batch_id, error);
  if (left == NULL)
    return false;
  summary->pages_pending = left->len;

  if (summary->jobs_failed > 0)
    {
      g_autofree char *what = describe_failures (tracked);
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_JOB,
                   "%zu of %u job%s did not complete: %s; %zu page%s still to print "
                   "(print --resume when the printer is back)",
                   summary->jobs_failed, tracked->len, tracked->len == 1 ? "" : "s", what,
                   summary->pages_pending, summary->pages_pending == 1 ? "" : "s");
      return false;
    }
  return true;
}

