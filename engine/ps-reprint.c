/* ps-reprint.c - one student's sheets again, from the ledger, identical to
 * the original but for a small 补 mark.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A reprint is a run over some pages of a recorded batch: the batch as the
 * ledger has it (its layout text, profile bytes and settings), the photo
 * checked against the digest recorded when it was first printed.
 */
#include "config.h"
#include "ps-print-private.h"
#include "ps-ledger-private.h"
#include "ps-render-batch-private.h"

#include <stdlib.h>
#include <string.h>

void
ps_reprint_result_clear (PsReprintResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->pdf_path, g_free);
  g_clear_pointer (&result->student_xh, g_free);
}

/* "YYYY-MM-DD" of a day that exists, else NULL: the mark is printed on the
 * sheet, so it must be a date and nothing else. */
static char *
checked_date (const char *date, GError **error)
{
  if (date == NULL)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      return g_date_time_format (now, "%Y-%m-%d");
    }
  bool shape = strlen (date) == 10 && date[4] == '-' && date[7] == '-';
  for (int i = 0; shape && i < 10; i++)
    shape = i == 4 || i == 7 || g_ascii_isdigit (date[i]);
  if (shape)
    {
      int y = atoi (date), m = atoi (date + 5), d = atoi (date + 8);
      if (y >= 1900 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
        return g_strdup (date);
    }
  g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_INVALID,
               "reprint: the date must be a real day written YYYY-MM-DD");
  return NULL;
}

/* A reprint writes reprint.pdf and tiff/NNNN.tif: into a batch's folder it
 * would overwrite the batch's own pages. */
static bool
refuse_batch_dir (PsLedger *ledger, const char *out_dir, GError **error)
{
  bool batch_dir = _ps_render_batch_is_batch_dir (out_dir);
  if (!batch_dir)
    {
      g_autoptr (GError) local = NULL;
      batch_dir = _ps_ledger_find_batch_by_dir (ledger, out_dir, &local) > 0;
      if (local != NULL && !g_error_matches (local, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return true;
        }
    }
  if (batch_dir)
    g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_REFUSED,
                 "reprint: '%s' is the folder of a batch (its pages would be overwritten); "
                 "give the reprint a folder of its own", out_dir);
  return batch_dir;
}

bool
ps_reprint (PsLedger *ledger, const PsStudentQuery *query, const char *out_dir,
            const char *reason, const char *date, const PsPrintOptions *print,
            PsReprintResult *result, GError **error)
{
  g_return_val_if_fail (ledger != NULL && query != NULL && out_dir != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  if (query->xh == NULL && query->cjm == NULL && query->yxdm == NULL && query->id_last4 == NULL)
    {
      g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_INVALID,
                   "reprint: name the student by 学号, 采集码, or 院校代码 and the ID's last 4");
      return false;
    }
  g_autofree char *day = checked_date (date, error);
  if (day == NULL)
    return false;
  if (refuse_batch_dir (ledger, out_dir, error))
    return false;
  g_autoptr (GArray) matches = _ps_ledger_find_students (ledger, query->xh, query->cjm,
                                                         query->yxdm, query->id_last4, error);
  if (matches == NULL)
    return false;
  if (matches->len == 0)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                   "reprint: no student in ledger '%s' matches", ps_ledger_get_path (ledger));
      return false;
    }

  /* The newest batch that printed the student is the sheet to match. */
  PsLedgerMatch match = g_array_index (matches, PsLedgerMatch, 0);
  g_autoptr (PsBatch) batch = _ps_ledger_load_batch (ledger, match.batch_id, error);
  if (batch == NULL)
    return false;
  size_t student = G_MAXSIZE;
  for (size_t i = 0; i < batch->students->len; i++)
    if (_ps_batch_student (batch, i)->ledger_id == match.student_id)
      student = i;
  g_autoptr (GArray) pages = student != G_MAXSIZE ? _ps_batch_get_student_pages (batch, student)
                                                  : g_array_new (FALSE, FALSE, sizeof (size_t));
  if (pages->len == 0)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                   "reprint: the ledger has no sheet for this student");
      return false;
    }

  /* Printers, media and document formats are checked before anything is
   * rendered or recorded (the printer decides whether the job is the PDF
   * or PWG raster); the student's class goes back to the printer that
   * printed it when that one is among them. */
  g_autoptr (GPtrArray) targets = NULL;
  PsPrintTarget *target = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  if (print != NULL)
    {
      targets = _ps_print_open_targets (print, batch, error);
      if (targets == NULL)
        return false;
      jobs = _ps_ledger_list_jobs (ledger, batch->ledger_id, error);
      if (jobs == NULL)
        return false;
      target = targets->pdata[0];
      size_t first_page = g_array_index (pages, size_t, 0);
      for (size_t j = 0; j < jobs->len; j++)
        {
          const PsLedgerJob *job = jobs->pdata[j];
          g_autoptr (GArray) job_pages = _ps_ledger_job_pages (ledger, job->id, error);
          if (job_pages == NULL)
            return false;
          bool has = false;
          for (size_t p = 0; p < job_pages->len && !has; p++)
            has = g_array_index (job_pages, size_t, p) == first_page;
          for (size_t t = 0; has && job->state == PS_JOB_COMPLETED && t < targets->len; t++)
            if (g_strcmp0 (_ps_queue_get_name (((PsPrintTarget *) targets->pdata[t])->queue),
                           job->queue) == 0)
              target = targets->pdata[t];
        }
    }

  g_autofree char *mark = g_strdup_printf ("补 %s", day);
  g_autofree char *pdf = g_build_filename (out_dir, "reprint.pdf", NULL);
  g_autofree char *pwg = g_build_filename (out_dir, "reprint.pwg", NULL);
  bool send_pwg = target != NULL && target->format == PS_DOCUMENT_PWG_RASTER;
  /* Only this student's groups, in their places: a shared sheet is not
   * printed again for the others on it. */
  if (!_ps_render_batch_student_pages (batch, student, (const size_t *) pages->data, pages->len,
                                       out_dir, pdf, send_pwg ? pwg : NULL, PS_FORMAT_TIFF, mark,
                                       error))
    return false;

  const PsRecord *r = &_ps_batch_student (batch, student)->record;
  gint64 job_id = 0;
  int cups_id = 0;
  g_autoptr (GError) not_queued = NULL;
  if (target != NULL)
    {
      /* Job names are unique in a ledger (the sequence tells reprints
       * apart) and across ledgers (the batch's uid). */
      g_autofree char *tag = _ps_print_batch_tag (batch);
      g_autofree char *name = g_strdup_printf ("photosheet reprint %s b%s-%u %s",
                                               r->values[PS_FIELD_XH] ? r->values[PS_FIELD_XH] : "-",
                                               tag, jobs->len + 1, day);
      g_autoptr (PsLedgerJob) job = _ps_print_submit_job (ledger, target, batch, print, name,
                                                          (const size_t *) pages->data,
                                                          pages->len, send_pwg ? pwg : pdf,
                                                          &job_id, &not_queued);
      if (job != NULL)
        cups_id = job->cups_id;
      else if (job_id == 0)
        {
          /* Not even recorded: the ledger failed; nothing to add to it. */
          g_propagate_error (error, g_steal_pointer (&not_queued));
          return false;
        }
    }

  /* Recorded whether or not the queue took it: the sheet exists. */
  if (_ps_ledger_reprint_add (ledger, batch->ledger_id, match.student_id, reason, pdf, job_id,
                              error) <= 0)
    return false;
  if (result != NULL)
    {
      result->pages = pages->len;
      result->pdf_path = g_strdup (pdf);
      result->student_xh = g_strdup (r->values[PS_FIELD_XH]);
      result->cups_job_id = cups_id;
    }
  if (not_queued != NULL)
    {
      g_set_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_PARTIAL,
                   "reprint rendered into '%s' and recorded, but not queued: %s", pdf,
                   not_queued->message);
      return false;
    }
  return true;
}
