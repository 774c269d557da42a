/* ps-print.c - batches to printers: jobs, several printers, tracking, resume.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The ledger is the single truth about what is on paper.  A job is recorded
 * (with its name and pages) before it is sent, its CUPS identity (id,
 * job-uuid, time-at-creation) as soon as CUPS created it - before its
 * document is sent - and every state change after that.  So at any moment a
 * page is printed (a completed job carried it), in flight, or missing.  A
 * rerun after a crash looks a job that never got its CUPS id up by name,
 * and adopts it only when the job's own attributes say it is this
 * ledger's: the name carries the batch's globally unique id, the job was
 * created by this user, after the ledger recorded it (on the server's
 * clock) and no other row of the ledger has its job-uuid.
 *
 * Several printers: --printer names a queue, a CUPS class or a comma list
 * of queues.  A class is spread over its members here rather than by
 * cupsd, which would pick the next idle member per job: each class of
 * students goes whole to one printer (an envelope's stack comes out of one
 * machine, in order), classes are given to printers balanced by pages, and
 * the ledger knows each job's printer from the start.
 *
 * Colour: each printer gets the batch as it was colour-managed, PWG raster
 * in the device's space where its queue hands that to the device as it is,
 * else the device-space PDF (_ps_queue_choose_format()), chosen per queue
 * and per class member before anything is recorded; a job's document is
 * rendered in its printer's format just before the job is recorded.
 */
#include "config.h"
#include "ps-print-private.h"
#include "ps-render-batch-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define DEFAULT_TIMEOUT 600      /* seconds a job may stay unfinished */
#define POLL_INTERVAL   250000   /* microseconds between Get-Job-Attributes */
/* The time window of a job found by name, server seconds around the moment
 * the ledger recorded it: CUPS created it after that (the slack covers the
 * whole seconds of time-at-creation and of the clock offset), and within
 * the time a Create-Job can take (connect and I/O timeouts, a busy
 * server). */
#define ADOPT_BEFORE_S  3
#define ADOPT_AFTER_S   300

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
  g_free (options->media_type);
  g_ptr_array_unref (options->options);
  g_free (options);
}

void
ps_print_options_set_printer (PsPrintOptions *options, const char *printer)
{
  g_return_if_fail (options != NULL);
  g_free (options->printer);
  options->printer = printer != NULL && *printer != '\0' ? g_strdup (printer) : NULL;
}

void
ps_print_options_set_server (PsPrintOptions *options, const char *server)
{
  g_return_if_fail (options != NULL);
  g_free (options->server);
  options->server = server != NULL && *server != '\0' ? g_strdup (server) : NULL;
}

bool
ps_print_options_set_media_type (PsPrintOptions *options, const char *media_type,
                                 GError **error)
{
  g_return_val_if_fail (options != NULL, false);
  /* An IPP keyword: a value CUPS would split or quote is no media type. */
  for (const char *c = media_type; c != NULL && *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      {
        g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_INVALID,
                     "media type '%s' is not a keyword (letters, digits, '-', '_', '.')",
                     media_type);
        return false;
      }
  g_free (options->media_type);
  options->media_type = media_type != NULL && *media_type != '\0' ? g_strdup (media_type) : NULL;
  return true;
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
/* Printers                                                           */
/* ------------------------------------------------------------------ */

void
_ps_print_target_free (PsPrintTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->printer);
  _ps_queue_free (target->queue);
  g_free (target);
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

static bool
check_sheet (PsQueue *queue, const PsPrintOptions *options, const PsBatch *batch, GError **error)
{
  const PsLayout *layout = batch->layout;
  return _ps_queue_check_media (queue, layout->media, layout->sheet_width, layout->sheet_height,
                                error)
         && (options->media_type == NULL
             || _ps_queue_check_media_type (queue, options->media_type, error));
}

static bool
has_queue (GPtrArray *targets, const char *name)
{
  for (size_t i = 0; i < targets->len; i++)
    if (strcmp (_ps_queue_get_name (((PsPrintTarget *) targets->pdata[i])->queue), name) == 0)
      return true;
  return false;
}

/* One name of the list: a queue, or a class spread over its members. */
static bool
add_destination (GPtrArray *targets, const char *name, const PsPrintOptions *options,
                 const PsBatch *batch, GError **error)
{
  g_autoptr (PsQueue) queue = _ps_queue_open (name, options->server, error);
  if (queue == NULL)
    return false;
  const char *printer = _ps_queue_get_name (queue);

  PsDocumentFormat format = PS_DOCUMENT_PDF;
  if (!_ps_queue_is_class (queue))
    {
      if (!check_sheet (queue, options, batch, error)
          || !_ps_print_choose_format (queue, batch, &format, error))
        return false;
      if (has_queue (targets, printer))
        return true;
      PsPrintTarget *target = g_new0 (PsPrintTarget, 1);
      target->printer = g_strdup (printer);
      target->queue = g_steal_pointer (&queue);
      target->format = format;
      g_ptr_array_add (targets, target);
      return true;
    }

  /* A class has no media of its own: every member is checked through its
   * own destination info; members that take no jobs now are left out.  Nor
   * has it one document format: the members may be different machines, so
   * each gets its own, and a member that takes none of the colour-managed
   * ones is left out as well (never sent sRGB). */
  g_auto (GStrv) members = _ps_queue_dup_members (queue);
  g_autoptr (GString) idle = g_string_new (NULL);
  g_autoptr (GString) unfit = g_string_new (NULL);
  size_t added = 0;
  for (size_t i = 0; members[i] != NULL; i++)
    {
      g_autoptr (PsQueue) member = _ps_queue_open (members[i], options->server, error);
      if (member == NULL || !check_sheet (member, options, batch, error))
        {
          g_prefix_error (error, "class '%s': ", printer);
          return false;
        }
      if (!_ps_queue_is_ready (member))
        {
          g_string_append_printf (idle, "%s%s", idle->len > 0 ? ", " : "", members[i]);
          continue;
        }
      g_autoptr (GError) refused = NULL;
      if (!_ps_print_choose_format (member, batch, &format, &refused))
        {
          g_string_append_printf (unfit, "%s%s", unfit->len > 0 ? "; " : "", refused->message);
          continue;
        }
      added++;
      if (has_queue (targets, _ps_queue_get_name (member)))
        continue;
      PsPrintTarget *target = g_new0 (PsPrintTarget, 1);
      target->printer = g_strdup (printer);
      target->queue = g_steal_pointer (&member);
      target->format = format;
      g_ptr_array_add (targets, target);
    }
  if (added == 0 && unfit->len > 0)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_FORMAT,
                   "no member of class '%s' on server '%s' takes the colour-managed pages: "
                   "%s%s%s", printer, _ps_queue_get_server (queue), unfit->str,
                   idle->len > 0 ? "; and not accepting jobs: " : "", idle->str);
      return false;
    }
  if (added == 0)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_NO_PRINTER,
                   members[0] == NULL ? "class '%s' on server '%s' has no member printers%s"
                                      : "no member of class '%s' on server '%s' accepts jobs "
                                        "(stopped or rejecting: %s)",
                   printer, _ps_queue_get_server (queue), idle->str);
      return false;
    }
  return true;
}

GPtrArray *
_ps_print_open_targets (const PsPrintOptions *options, const PsBatch *batch, GError **error)
{
  g_return_val_if_fail (options != NULL && batch != NULL, NULL);

  g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _ps_print_target_free);
  if (options->printer == NULL)
    {
      /* The server's default destination. */
      if (!add_destination (targets, NULL, options, batch, error))
        return NULL;
      return g_steal_pointer (&targets);
    }
  g_auto (GStrv) names = g_strsplit (options->printer, ",", -1);
  for (size_t i = 0; names[i] != NULL; i++)
    {
      g_strstrip (names[i]);
      if (names[i][0] == '\0')
        {
          g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_INVALID,
                       "printer list '%s' has an empty name", options->printer);
          return NULL;
        }
      if (!add_destination (targets, names[i], options, batch, error))
        return NULL;
    }
  return g_steal_pointer (&targets);
}

/* ------------------------------------------------------------------ */
/* One job                                                            */
/* ------------------------------------------------------------------ */

char *
_ps_print_batch_tag (const PsBatch *batch)
{
  if (batch->uid != NULL)
    return g_strdup (batch->uid);
  return g_strdup_printf ("%" G_GINT64_FORMAT, batch->ledger_id);
}

/* What CUPS says of a job whose submission failed half way, recorded as
 * the job's state; the lookup failing leaves the row as it is (state
 * created with its CUPS id: a resume asks again). */
static void
record_after_failure (PsLedger *ledger, PsQueue *queue, gint64 job_id, int cups_id,
                      const char *why)
{
  g_auto (PsQueueJob) info = { 0 };
  g_autofree char *reason = NULL;
  if (_ps_queue_get_job (queue, cups_id, &info, NULL))
    {
      /* Still waiting for its document: cancel it (the queue tried; CUPS
       * may have answered too late). */
      if (info.incoming && _ps_queue_cancel_job (queue, cups_id, NULL))
        {
          info.state = PS_JOB_CANCELED;
          info.incoming = false;
        }
      if (info.incoming)
        reason = g_strdup_printf ("%s; CUPS still waits for its document", why);
      else
        reason = g_strdup (why);
      _ps_ledger_job_set_state (ledger, job_id, info.incoming ? PS_JOB_CREATED : info.state,
                                reason, NULL);
      return;
    }
  reason = g_strdup_printf ("%s; its state at CUPS is not known", why);
  _ps_ledger_job_set_state (ledger, job_id, PS_JOB_CREATED, reason, NULL);
}

PsLedgerJob *
_ps_print_submit_job (PsLedger *ledger, PsPrintTarget *target, const PsBatch *batch,
                      const PsPrintOptions *options, const char *name, const size_t *pages,
                      size_t n_pages, const char *document, gint64 *recorded, GError **error)
{
  PsQueue *queue = target->queue;
  if (recorded != NULL)
    *recorded = 0;
  gint64 job_id = _ps_ledger_job_create_on (ledger, batch->ledger_id, target->printer,
                                            _ps_queue_get_name (queue),
                                            _ps_queue_get_server (queue), name, pages, n_pages,
                                            error);
  if (job_id <= 0)
    return NULL;
  if (recorded != NULL)
    *recorded = job_id;
  _ps_core_fault_point ("before-submit");

  g_autoptr (GError) local = NULL;
  g_auto (PsQueueJob) created = { 0 };
  if (!_ps_queue_create_job (queue, name, batch->layout->media, options->media_type,
                             cups_options (options), &created, &local))
    {
      g_autofree char *reason = g_strdup_printf ("not sent: %s", local->message);
      _ps_ledger_job_set_state (ledger, job_id, PS_JOB_CANCELED, reason, NULL);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  _ps_core_fault_point ("after-create");
  if (!_ps_ledger_job_set_cups_job (ledger, job_id, created.id, created.uuid, created.created,
                                    &local))
    {
      /* CUPS must not print what the ledger does not know of.  A resume
       * finds the canceled job by name and records it so. */
      _ps_queue_cancel_job (queue, created.id, NULL);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (!_ps_queue_send_document (queue, created.id, name, document, target->format, &local))
    {
      g_autofree char *why = g_strdup_printf ("document not sent: %s", local->message);
      record_after_failure (ledger, queue, job_id, created.id, why);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  _ps_core_fault_point ("after-submit");
  if (!_ps_ledger_job_set_state (ledger, job_id, PS_JOB_PENDING, NULL, error))
    return NULL;

  PsLedgerJob *job = g_new0 (PsLedgerJob, 1);
  job->id = job_id;
  job->batch_id = batch->ledger_id;
  job->cups_id = created.id;
  job->printer = g_strdup (target->printer);
  job->queue = g_strdup (_ps_queue_get_name (queue));
  job->server = g_strdup (_ps_queue_get_server (queue));
  job->name = g_strdup (name);
  job->uuid = g_steal_pointer (&created.uuid);
  job->cups_created = created.created;
  job->state = PS_JOB_PENDING;
  return job;
}

/* ------------------------------------------------------------------ */
/* Tracking                                                           */
/* ------------------------------------------------------------------ */

/* The queues jobs are followed on, by "server\nqueue"; the targets' own
 * and those of earlier jobs sent elsewhere. */
typedef struct {
  GHashTable *queues;            /* char* -> PsQueue* (owned or borrowed) */
  GPtrArray  *owned;             /* PsQueue* opened for earlier jobs */
  const char *server;            /* the server of this run, for rows without one */
  char      **known_uuids;       /* every job-uuid of the ledger */
} Queues;

static void
queues_clear (Queues *q)
{
  g_clear_pointer (&q->queues, g_hash_table_unref);
  g_clear_pointer (&q->owned, g_ptr_array_unref);
  g_clear_pointer (&q->known_uuids, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Queues, queues_clear)

static char *
queue_key (const char *server, const char *queue)
{
  return g_strdup_printf ("%s\n%s", server != NULL ? server : "", queue);
}

static void
queues_init (Queues *q, GPtrArray *targets, const char *server)
{
  q->queues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  q->owned = g_ptr_array_new_with_free_func ((GDestroyNotify) _ps_queue_free);
  q->server = server;
  for (size_t i = 0; i < targets->len; i++)
    {
      PsQueue *queue = ((PsPrintTarget *) targets->pdata[i])->queue;
      g_hash_table_insert (q->queues, queue_key (_ps_queue_get_server (queue),
                                                 _ps_queue_get_name (queue)), queue);
    }
}

/* The queue @job was sent to: 1 and *@queue, 0 when the server no longer
 * has that queue (deleting a queue cancels its jobs), -1 with the error set
 * when the server cannot be asked. */
static int
queues_get (Queues *q, const PsLedgerJob *job, PsQueue **queue, GError **error)
{
  const char *server = job->server != NULL ? job->server : q->server;
  const char *name = job->queue != NULL ? job->queue : job->printer;
  g_autofree char *key = queue_key (server, name);
  *queue = g_hash_table_lookup (q->queues, key);
  if (*queue != NULL)
    return 1;
  /* A row without a server was sent to this run's server, whatever its
   * name: try the targets by queue name. */
  if (job->server == NULL)
    {
      GHashTableIter iter;
      gpointer value;
      g_hash_table_iter_init (&iter, q->queues);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (strcmp (_ps_queue_get_name (value), name) == 0)
          {
            *queue = value;
            return 1;
          }
    }
  g_autoptr (GError) local = NULL;
  PsQueue *opened = _ps_queue_open (name, server, &local);
  if (opened == NULL)
    {
      if (g_error_matches (local, PS_QUEUE_ERROR, PS_QUEUE_ERROR_NO_PRINTER))
        return 0;
      g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                  "cannot follow job '%s': ", job->name);
      return -1;
    }
  g_ptr_array_add (q->owned, opened);
  g_hash_table_insert (q->queues, g_steal_pointer (&key), opened);
  *queue = opened;
  return 1;
}

static bool
set_state (PsLedger *ledger, PsLedgerJob *job, PsJobState state, const char *reason,
           GError **error)
{
  if (state == job->state && g_strcmp0 (reason, job->reason) == 0)
    return true;
  if (!_ps_ledger_job_set_state (ledger, job->id, state, reason, error))
    return false;
  job->state = state;
  g_free (job->reason);
  job->reason = g_strdup (reason);
  return true;
}

/* A job recorded without its CUPS id: photosheet stopped before CUPS had
 * it, or right after CUPS created it.  CUPS knows which; its answer counts
 * only for a job that is provably this ledger's. */
static bool
adopt_job (PsLedger *ledger, PsQueue *queue, PsLedgerJob *job, Queues *q, PsQueueJob *found,
           int *outcome, GError **error)
{
  PsQueueJobQuery query = {
    .title = job->name,
    .known_uuids = (const char *const *) q->known_uuids,
  };
  if (job->created_at > 0)
    {
      gint64 recorded = _ps_queue_to_server_time (queue, job->created_at);
      query.not_before = recorded - ADOPT_BEFORE_S;
      query.not_after = recorded + ADOPT_AFTER_S;
    }
  size_t n_foreign = 0;
  *outcome = _ps_queue_find_own_job (queue, &query, found, &n_foreign, error);
  if (*outcome < 0)
    return false;     /* not "not found": nothing is recorded */
  if (*outcome == 0)
    {
      g_autofree char *reason = n_foreign > 0
        ? g_strdup_printf ("never reached CUPS (%zu job%s of that name on '%s' not ours: "
                           "another user, time or job-uuid)", n_foreign,
                           n_foreign == 1 ? "" : "s", _ps_queue_get_name (queue))
        : g_strdup ("never reached CUPS");
      return set_state (ledger, job, PS_JOB_CANCELED, reason, error);
    }
  if (!_ps_ledger_job_set_cups_job (ledger, job->id, found->id, found->uuid, found->created,
                                    error))
    return false;
  job->cups_id = found->id;
  g_free (job->uuid);
  job->uuid = g_strdup (found->uuid);
  job->cups_created = found->created;
  return true;
}

/* Asks CUPS for the state of @job and records it when it changed. */
static bool
refresh_job (PsLedger *ledger, Queues *q, PsLedgerJob *job, GError **error)
{
  PsQueue *queue = NULL;
  int have = queues_get (q, job, &queue, error);
  if (have < 0)
    return false;
  if (have == 0)
    {
      g_autofree char *reason = g_strdup_printf ("queue '%s' no longer exists",
                                                 job->queue != NULL ? job->queue : job->printer);
      return set_state (ledger, job, PS_JOB_CANCELED, reason, error);
    }

  g_auto (PsQueueJob) info = { 0 };
  if (job->cups_id == 0)
    {
      int outcome = 0;
      if (!adopt_job (ledger, queue, job, q, &info, &outcome, error))
        return false;
      if (outcome == 0)
        return true;
    }
  else
    {
      g_autoptr (GError) local = NULL;
      if (!_ps_queue_get_job (queue, job->cups_id, &info, &local))
        {
          if (!g_error_matches (local, PS_QUEUE_ERROR, PS_QUEUE_ERROR_JOB))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return false;
            }
          /* Purged from CUPS's history (or a new server): whether it
           * printed is not known; its pages count as failed so that the
           * operator sees them, and a resume sends them again. */
          g_autofree char *reason = g_strdup_printf ("CUPS no longer knows job %d",
                                                     job->cups_id);
          return set_state (ledger, job, PS_JOB_ABORTED, reason, error);
        }
      if (job->uuid != NULL && info.uuid != NULL && strcmp (job->uuid, info.uuid) != 0)
        {
          g_autofree char *reason = g_strdup_printf ("CUPS job %d is now another job (its "
                                                     "job-uuid differs): the server's jobs "
                                                     "were renumbered", job->cups_id);
          return set_state (ledger, job, PS_JOB_ABORTED, reason, error);
        }
    }

  /* Created, but its document never (completely) arrived: photosheet
   * stopped while sending it.  It would wait until CUPS gives up; it is
   * canceled and its pages sent again. */
  if (info.incoming && job->state == PS_JOB_CREATED)
    {
      if (!_ps_queue_cancel_job (queue, job->cups_id, error))
        return false;
      return set_state (ledger, job, PS_JOB_CANCELED,
                        "interrupted before its document was sent; canceled", error);
    }

  /* A completed job needs no explanation; CUPS's last message then is
   * filter chatter (e.g. qpdf warnings) that would only alarm an operator. */
  if (info.state == PS_JOB_COMPLETED)
    g_clear_pointer (&info.reason, g_free);
  return set_state (ledger, job, info.state, info.reason, error);
}

/* Polls every job in @jobs until it ends or @timeout seconds pass. */
static bool
track_jobs (PsLedger *ledger, Queues *q, GPtrArray *jobs, const PsPrintOptions *options,
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
          if (!ps_job_state_is_final (job->state) && !refresh_job (ledger, q, job, error))
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

/* ------------------------------------------------------------------ */
/* A batch                                                            */
/* ------------------------------------------------------------------ */

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
      if (current == NULL || full || new_class)
        {
          current = g_array_new (FALSE, FALSE, sizeof (size_t));
          g_ptr_array_add (groups, current);
        }
      g_array_append_val (current, number);
      current_class = page->class_index;
    }
  return groups;
}

/* The printer of each class: the one that already has the class's earlier
 * jobs, when it is among this run's printers (the envelope's stack stays on
 * one machine); else the printer with the fewest pages so far. */
static PsPrintTarget *
target_for_class (GPtrArray *targets, GHashTable *class_queue, size_t class_index)
{
  const char *earlier = g_hash_table_lookup (class_queue, GSIZE_TO_POINTER (class_index));
  PsPrintTarget *best = NULL;
  for (size_t i = 0; i < targets->len; i++)
    {
      PsPrintTarget *t = targets->pdata[i];
      if (earlier != NULL && strcmp (_ps_queue_get_name (t->queue), earlier) == 0)
        return t;
      if (best == NULL || t->pages < best->pages)
        best = t;
    }
  return best;
}

static char *
job_name (const PsBatch *batch, const PsPage *first, size_t sequence)
{
  const PsClass *klass = _ps_batch_class (batch, first->class_index);
  g_autofree char *tag = _ps_print_batch_tag (batch);
  return g_strdup_printf ("photosheet %s %s b%s-%zu", klass->yxdm != NULL ? klass->yxdm : "-",
                          klass->name, tag, sequence);
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
      g_string_append_printf (s, "%sjob %d '%s' on %s %s%s%s%s", s->len ? "; " : "",
                              job->cups_id, job->name, job->queue,
                              ps_job_state_to_string (job->state), job->reason ? " (" : "",
                              job->reason ? job->reason : "", job->reason ? ")" : "");
    }
  return g_string_free (s, FALSE);
}

/* Holds @batch_dir's lock while the batch is printed: two prints of one
 * batch at once would each send what the other has not recorded yet, and
 * a render into the folder would change the batch under the print. */
typedef int BatchLock;     /* a descriptor; G_MAXINT: no folder to lock */

static BatchLock
lock_batch (const char *batch_dir, GError **error)
{
  if (!g_file_test (batch_dir, G_FILE_TEST_IS_DIR))
    return G_MAXINT;     /* the folder is gone; the ledger has the batch */
  g_autofree char *path = g_build_filename (batch_dir, PS_BATCH_LOCK_NAME, NULL);
  bool busy = false;
  g_autoptr (GError) local = NULL;
  int fd = _ps_core_lock (path, &busy, &local);
  if (fd < 0)
    g_set_error (error, PS_PRINT_ERROR, busy ? PS_PRINT_ERROR_BUSY : PS_PRINT_ERROR_FAILED,
                 busy ? "batch '%s' is being rendered or printed by another photosheet (%s)"
                      : "batch '%s': %s",
                 batch_dir, local->message);
  return fd;
}

static void
unlock_batch (BatchLock *fd)
{
  if (*fd >= 0 && *fd != G_MAXINT)
    _ps_core_unlock (*fd);
  *fd = -1;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BatchLock, unlock_batch)

bool
ps_print_batch (PsLedger *ledger, const char *batch_dir, const PsPrintOptions *options,
                PsPrintSummary *summary, GError **error)
{
  g_return_val_if_fail (ledger != NULL && batch_dir != NULL && options != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

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
  g_auto (BatchLock) lock = lock_batch (batch_dir, error);
  if (lock < 0)
    return false;

  /* Printers, server, media and each printer's document format are checked
   * before anything is recorded. */
  g_autoptr (GPtrArray) targets = _ps_print_open_targets (options, batch, error);
  if (targets == NULL)
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

  g_auto (Queues) q = { 0 };
  queues_init (&q, targets, _ps_queue_get_server (((PsPrintTarget *) targets->pdata[0])->queue));
  q.known_uuids = _ps_ledger_dup_job_uuids (ledger, error);
  if (q.known_uuids == NULL)
    return false;

  /* Jobs that have not ended, on whichever printer they went to: learn
   * what became of them, and keep tracking those still under way rather
   * than sending their pages again.  Each class remembers its printer. */
  g_autoptr (GPtrArray) tracked = g_ptr_array_new_with_free_func ((GDestroyNotify) _ps_ledger_job_free);
  g_autoptr (GHashTable) in_flight = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) class_queue = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (size_t i = 0; i < earlier->len; i++)
    {
      PsLedgerJob *job = earlier->pdata[i];
      if (!ps_job_state_is_final (job->state) && !refresh_job (ledger, &q, job, error))
        return false;
      g_autoptr (GArray) pages = _ps_ledger_job_pages (ledger, job->id, error);
      if (pages == NULL)
        return false;
      if (pages->len > 0 && job->state != PS_JOB_CANCELED)
        {
          size_t c = _ps_batch_page (batch, g_array_index (pages, size_t, 0))->class_index;
          g_hash_table_insert (class_queue, GSIZE_TO_POINTER (c), g_strdup (job->queue));
        }
      if (ps_job_state_is_final (job->state))
        continue;
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

  /* Each job: its printer, its PDF (rendered before the job is recorded,
   * so that the record and Create-Job are moments apart: the time window
   * of a job found by name), then the submission. */
  g_autofree char *jobs_dir = g_build_filename (batch_dir, "jobs", NULL);
  g_autoptr (GPtrArray) groups = group_pages (batch, to_send, options->job_size);
  g_autoptr (GError) failure = NULL;
  size_t sequence = earlier->len;
  size_t pages_not_sent = 0;
  for (size_t g = 0; g < groups->len; g++)
    {
      GArray *pages = groups->pdata[g];
      if (failure != NULL)
        {
          pages_not_sent += pages->len;
          continue;
        }
      const PsPage *first = _ps_batch_page (batch, g_array_index (pages, size_t, 0));
      PsPrintTarget *target = target_for_class (targets, class_queue, first->class_index);
      target->pages += pages->len;
      g_hash_table_insert (class_queue, GSIZE_TO_POINTER (first->class_index),
                           g_strdup (_ps_queue_get_name (target->queue)));

      g_autofree char *name = job_name (batch, first, ++sequence);
      /* The job document: what this printer takes, in the batch's device
       * space. */
      bool pwg = target->format == PS_DOCUMENT_PWG_RASTER;
      g_autofree char *file = g_strdup_printf ("job-%zu.%s", sequence, pwg ? "pwg" : "pdf");
      g_autofree char *document = g_build_filename (jobs_dir, file, NULL);
      PsLedgerJob *job = NULL;
      if (_ps_render_batch_pages (batch, (const size_t *) pages->data, pages->len, jobs_dir,
                                  pwg ? NULL : document, pwg ? document : NULL, 0, NULL,
                                  &failure))
        job = _ps_print_submit_job (ledger, target, batch, options, name,
                                    (const size_t *) pages->data, pages->len, document, NULL,
                                    &failure);
      /* The job file served its purpose: CUPS has its own copy. */
      g_unlink (document);
      if (job == NULL)
        {
          pages_not_sent += pages->len;
          continue;
        }
      g_ptr_array_add (tracked, job);
      summary->jobs_submitted++;
      summary->pages_submitted += pages->len;
    }
  g_rmdir (jobs_dir);

  /* Nothing new reached CUPS: the error as it is (printer, server, ...). */
  if (failure != NULL && summary->jobs_submitted == 0 && tracked->len == 0)
    {
      g_propagate_error (error, g_steal_pointer (&failure));
      return false;
    }

  g_autoptr (GError) lost = NULL;
  bool tracked_all = track_jobs (ledger, &q, tracked, options, &lost);

  for (size_t i = 0; i < tracked->len; i++)
    {
      PsLedgerJob *job = tracked->pdata[i];
      if (job->state == PS_JOB_COMPLETED)
        summary->jobs_completed++;
      else if (ps_job_state_is_final (job->state) || tracked_all)
        summary->jobs_failed++;
    }
  g_autoptr (GError) ledger_error = NULL;
  g_autoptr (GArray) left = _ps_ledger_pages_pending (ledger, batch_id, &ledger_error);
  summary->pages_pending = left != NULL ? left->len : pages_not_sent;

  /* Some jobs queued, then a failure: exit 1 with the counts, never "nothing
   * queued". */
  if (failure != NULL || !tracked_all)
    {
      GError *first = failure != NULL ? failure : lost;
      g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_PARTIAL,
                   "%zu job%s (%zu pages) sent, then: %s%s%s; %zu page%s still to print "
                   "(see status; print --resume)",
                   summary->jobs_submitted, summary->jobs_submitted == 1 ? "" : "s",
                   summary->pages_submitted, first->message,
                   failure != NULL && lost != NULL ? "; and then: " : "",
                   failure != NULL && lost != NULL ? lost->message : "",
                   summary->pages_pending, summary->pages_pending == 1 ? "" : "s");
      return false;
    }
  if (left == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&ledger_error));
      return false;
    }

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
