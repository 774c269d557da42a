/* ps-ledger-job.c - print jobs in the ledger: created before CUPS sees them,
 * their CUPS id, every state change, their pages; and reprints.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-ledger-sql-private.h"

#include <string.h>

void
_ps_ledger_job_free (PsLedgerJob *job)
{
  if (job == NULL)
    return;
  g_free (job->printer);
  g_free (job->queue);
  g_free (job->server);
  g_free (job->name);
  g_free (job->reason);
  g_free (job->uuid);
  g_free (job);
}

static bool
add_event (PsLedger *ledger, gint64 job_id, const char *at, PsJobState state,
           const char *reason, GError **error)
{
  const char *what = "cannot record a job event";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "INSERT INTO job_events (job_id, at, state, reason) VALUES (?, ?, ?, ?)", what, error);
  return stmt != NULL
         && _ps_ledger_bind (ledger, stmt, what, error, "Ittt", job_id, at,
                  ps_job_state_to_string (state), reason)
         && _ps_ledger_step_done (ledger, stmt, what, error);
}

gint64
_ps_ledger_job_create (PsLedger *ledger, gint64 batch_id, const char *printer,
                       const char *name, const size_t *pages, size_t n_pages,
                       GError **error)
{
  return _ps_ledger_job_create_on (ledger, batch_id, printer, printer, NULL, name, pages, n_pages,
                                   error);
}

gint64
_ps_ledger_job_create_on (PsLedger *ledger, gint64 batch_id, const char *printer,
                          const char *queue, const char *server, const char *name,
                          const size_t *pages, size_t n_pages, GError **error)
{
  g_return_val_if_fail (ledger != NULL && printer != NULL && queue != NULL && name != NULL, 0);
  g_return_val_if_fail (pages != NULL || n_pages == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_autofree char *now = _ps_ledger_now ();
  gint64 id = 0;
  if (!_ps_ledger_begin (ledger, error))
    return 0;
  if (!_ps_ledger_batch_exists (ledger, batch_id, error))
    goto failed;

  {
    const char *what = "cannot record the job";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "INSERT INTO jobs (batch_id, printer, name, cups_id, state, reason, created_at, "
      "updated_at, queue, server) VALUES (?, ?, ?, 0, ?, NULL, ?, ?, ?, ?)", what, error);
    if (stmt == NULL
        || !_ps_ledger_bind (ledger, stmt, what, error, "Ittttttt", batch_id, printer, name,
                  ps_job_state_to_string (PS_JOB_CREATED), now, now, queue, server))
      goto failed;
    if (!_ps_ledger_step_done (ledger, stmt, what, error))
      goto failed;
    id = sqlite3_last_insert_rowid (ledger->db);
  }
  {
    const char *what = "cannot look up a page";
    g_autoptr (sqlite3_stmt) check = _ps_ledger_prepare (ledger,
      "SELECT 1 FROM pages WHERE batch_id = ? AND number = ?", what, error);
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "INSERT OR IGNORE INTO job_pages (job_id, page_number) VALUES (?, ?)",
      "cannot record a job page", error);
    if (check == NULL || stmt == NULL)
      goto failed;
    for (size_t i = 0; i < n_pages; i++)
      {
        if (!_ps_ledger_bind (ledger, check, what, error, "II", batch_id, (gint64) pages[i]))
          goto failed;
        int r = _ps_ledger_step_row (ledger, check, what, error);
        if (r < 0)
          goto failed;
        if (r == 0)
          {
            g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                         "ledger '%s': batch %" G_GINT64_FORMAT " has no page %zu",
                         ledger->path, batch_id, pages[i]);
            goto failed;
          }
        if (!_ps_ledger_bind (ledger, stmt, "cannot record a job page", error, "II", id,
                   (gint64) pages[i])
            || !_ps_ledger_step_done (ledger, stmt, "cannot record a job page", error))
          goto failed;
      }
  }
  if (!add_event (ledger, id, now, PS_JOB_CREATED, NULL, error) || !_ps_ledger_commit (ledger, error))
    goto failed;
  return id;

failed:
  _ps_ledger_rollback (ledger);
  return 0;
}

bool
_ps_ledger_job_set_cups_id (PsLedger *ledger, gint64 job_id, int cups_id, GError **error)
{
  return _ps_ledger_job_set_cups_job (ledger, job_id, cups_id, NULL, 0, error);
}

bool
_ps_ledger_job_set_cups_job (PsLedger *ledger, gint64 job_id, int cups_id, const char *uuid,
                             gint64 cups_created, GError **error)
{
  g_return_val_if_fail (ledger != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autofree char *now = _ps_ledger_now ();
  const char *what = "cannot record the CUPS job id";
  if (!_ps_ledger_begin (ledger, error))
    return false;
  {
    /* What is not known (NULL, 0) leaves what was recorded. */
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "UPDATE jobs SET cups_id = ?, updated_at = ?, job_uuid = coalesce (?, job_uuid), "
      "cups_created = CASE WHEN ? > 0 THEN ? ELSE cups_created END WHERE id = ?", what, error);
    if (stmt == NULL
        || !_ps_ledger_bind (ledger, stmt, what, error, "ittIII", cups_id, now, uuid,
                             cups_created, cups_created, job_id)
        || !_ps_ledger_step_done (ledger, stmt, what, error))
      goto failed;
    if (sqlite3_changes (ledger->db) == 0)
      {
        _ps_ledger_not_found_job (ledger, job_id, error);
        goto failed;
      }
  }
  if (!_ps_ledger_commit (ledger, error))
    goto failed;
  return true;

failed:
  _ps_ledger_rollback (ledger);
  return false;
}

bool
_ps_ledger_job_set_state (PsLedger *ledger, gint64 job_id, PsJobState state,
                          const char *reason, GError **error)
{
  g_return_val_if_fail (ledger != NULL, false);
  g_return_val_if_fail ((unsigned) state <= PS_JOB_COMPLETED, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autofree char *now = _ps_ledger_now ();
  if (!_ps_ledger_begin (ledger, error))
    return false;
  {
    const char *what = "cannot read the job";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "SELECT state, reason FROM jobs WHERE id = ?", what, error);
    if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", job_id))
      goto failed;
    int r = _ps_ledger_step_row (ledger, stmt, what, error);
    if (r < 0)
      goto failed;
    if (r == 0)
      {
        _ps_ledger_not_found_job (ledger, job_id, error);
        goto failed;
      }
    bool same = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0),
                           ps_job_state_to_string (state)) == 0
                && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), reason) == 0;
    if (same)
      {
        sqlite3_reset (stmt);
        if (!_ps_ledger_commit (ledger, error))
          goto failed;
        return true;
      }
  }
  {
    const char *what = "cannot record the job state";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "UPDATE jobs SET state = ?, reason = ?, updated_at = ? WHERE id = ?", what, error);
    if (stmt == NULL
        || !_ps_ledger_bind (ledger, stmt, what, error, "tttI", ps_job_state_to_string (state), reason,
                  now, job_id)
        || !_ps_ledger_step_done (ledger, stmt, what, error))
      goto failed;
  }
  if (!add_event (ledger, job_id, now, state, reason, error) || !_ps_ledger_commit (ledger, error))
    goto failed;
  return true;

failed:
  _ps_ledger_rollback (ledger);
  return false;
}

GPtrArray *
_ps_ledger_list_jobs (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const char *what = "cannot list jobs";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "SELECT id, batch_id, cups_id, printer, name, state, reason, coalesce (queue, printer), "
    "server, job_uuid, cups_created, created_at FROM jobs "
    "WHERE ?1 = 0 OR batch_id = ?1 ORDER BY id", what, error);
  if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", batch_id))
    return NULL;

  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _ps_ledger_job_free);
  int r;
  while ((r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
    {
      PsLedgerJob *job = g_new0 (PsLedgerJob, 1);
      job->id = sqlite3_column_int64 (stmt, 0);
      job->batch_id = sqlite3_column_int64 (stmt, 1);
      job->cups_id = sqlite3_column_int (stmt, 2);
      job->printer = _ps_ledger_column_dup (stmt, 3);
      job->name = _ps_ledger_column_dup (stmt, 4);
      if (!_ps_job_state_from_string ((const char *) sqlite3_column_text (stmt, 5), &job->state))
        job->state = PS_JOB_CREATED;
      job->reason = _ps_ledger_column_dup (stmt, 6);
      job->queue = _ps_ledger_column_dup (stmt, 7);
      job->server = _ps_ledger_column_dup (stmt, 8);
      job->uuid = _ps_ledger_column_dup (stmt, 9);
      job->cups_created = sqlite3_column_int64 (stmt, 10);
      job->created_at = _ps_ledger_time_from_text ((const char *) sqlite3_column_text (stmt, 11));
      g_ptr_array_add (jobs, job);
    }
  if (r < 0)
    return NULL;
  return g_steal_pointer (&jobs);
}

char **
_ps_ledger_dup_job_uuids (PsLedger *ledger, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const char *what = "cannot list the job uuids";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "SELECT job_uuid FROM jobs WHERE job_uuid IS NOT NULL ORDER BY id", what, error);
  if (stmt == NULL)
    return NULL;
  g_autoptr (GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  int r;
  while ((r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
    g_ptr_array_add (uuids, _ps_ledger_column_dup (stmt, 0));
  if (r < 0)
    return NULL;
  g_ptr_array_add (uuids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&uuids), FALSE);
}

/* Runs a query whose rows are one page number each. */
static GArray *
page_numbers (PsLedger *ledger, const char *sql, gint64 id, const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger, sql, what, error);
  if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", id))
    return NULL;
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (size_t));
  int r;
  while ((r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
    {
      size_t n = (size_t) sqlite3_column_int64 (stmt, 0);
      g_array_append_val (numbers, n);
    }
  if (r < 0)
    return NULL;
  return g_steal_pointer (&numbers);
}

GArray *
_ps_ledger_job_pages (PsLedger *ledger, gint64 job_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gint64 n = _ps_ledger_count_rows (ledger, "SELECT count(*) FROM jobs WHERE id = ?", job_id, error);
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      _ps_ledger_not_found_job (ledger, job_id, error);
      return NULL;
    }
  return page_numbers (ledger,
                       "SELECT page_number FROM job_pages WHERE job_id = ? "
                       "ORDER BY page_number", job_id, "cannot list the job's pages", error);
}

GArray *
_ps_ledger_pages_pending (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_ps_ledger_batch_exists (ledger, batch_id, error))
    return NULL;
  return page_numbers (ledger,
                       "SELECT p.number FROM pages p WHERE p.batch_id = ?1 AND NOT EXISTS ("
                       "  SELECT 1 FROM job_pages jp JOIN jobs j ON j.id = jp.job_id"
                       "  WHERE jp.page_number = p.number AND j.batch_id = ?1"
                       "    AND j.state = 'completed') "
                       "ORDER BY p.number", batch_id, "cannot list pending pages", error);
}

/* ------------------------------------------------------------------ */
/* Reprints                                                           */
/* ------------------------------------------------------------------ */

gint64
_ps_ledger_reprint_add (PsLedger *ledger, gint64 batch_id, gint64 student_id,
                        const char *reason, const char *out_path, gint64 job_id,
                        GError **error)
{
  g_return_val_if_fail (ledger != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_autofree char *now = _ps_ledger_now ();
  gint64 id = 0;
  if (!_ps_ledger_begin (ledger, error))
    return 0;
  {
    const char *what = "cannot look up the student";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "SELECT 1 FROM students WHERE id = ? AND batch_id = ?", what, error);
    if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "II", student_id, batch_id))
      goto failed;
    int r = _ps_ledger_step_row (ledger, stmt, what, error);
    if (r < 0)
      goto failed;
    if (r == 0)
      {
        g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                     "ledger '%s': batch %" G_GINT64_FORMAT " has no student %"
                     G_GINT64_FORMAT, ledger->path, batch_id, student_id);
        goto failed;
      }
  }
  if (job_id != 0)
    {
      gint64 n = _ps_ledger_count_rows (ledger, "SELECT count(*) FROM jobs WHERE id = ?", job_id, error);
      if (n < 0)
        goto failed;
      if (n == 0)
        {
          _ps_ledger_not_found_job (ledger, job_id, error);
          goto failed;
        }
    }
  {
    const char *what = "cannot record the reprint";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "INSERT INTO reprints (batch_id, student_id, at, reason, out_path, job_id) "
      "VALUES (?, ?, ?, ?, ?, ?)", what, error);
    if (stmt == NULL
        || !_ps_ledger_bind (ledger, stmt, what, error, "IItttJ", batch_id, student_id, now, reason,
                  out_path, job_id)
        || !_ps_ledger_step_done (ledger, stmt, what, error))
      goto failed;
    id = sqlite3_last_insert_rowid (ledger->db);
  }
  if (!_ps_ledger_commit (ledger, error))
    goto failed;
  return id;

failed:
  _ps_ledger_rollback (ledger);
  return 0;
}

