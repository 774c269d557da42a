/* ps-ledger-status.c - what is on paper: pages printed, pending and failed
 * per class and batch, and the jobs, as data (the CLI formats it).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-ledger-sql-private.h"

#include <string.h>

/* Everything the records point at lives in the status: strings in one
 * chunk, classes and jobs in arrays kept per batch. */
struct _PsLedgerStatus {
  GArray *batches;             /* PsBatchStatus */
  GPtrArray *arrays;           /* the classes and jobs arrays, owned */
  GStringChunk *strings;
};

static const char *
keep (PsLedgerStatus *status, const unsigned char *s)
{
  return s != NULL ? g_string_chunk_insert (status->strings, (const char *) s) : NULL;
}

void
ps_ledger_status_free (PsLedgerStatus *status)
{
  if (status == NULL)
    return;
  g_array_unref (status->batches);
  g_ptr_array_unref (status->arrays);
  g_string_chunk_free (status->strings);
  g_free (status);
}

size_t
ps_ledger_status_get_n_batches (const PsLedgerStatus *status)
{
  g_return_val_if_fail (status != NULL, 0);
  return status->batches->len;
}

const PsBatchStatus *
ps_ledger_status_get_batch (const PsLedgerStatus *status, size_t index)
{
  g_return_val_if_fail (status != NULL && index < status->batches->len, NULL);
  return &g_array_index (status->batches, PsBatchStatus, index);
}

static bool
add_batch (PsLedger *ledger, PsLedgerStatus *status, gint64 batch_id, GError **error)
{
  PsBatchStatus b = { .id = batch_id };
  {
    const char *what = "cannot read the batch";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "SELECT out_dir, roster_path, layout_name, uid, created_at FROM batches WHERE id = ?",
      what, error);
    if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", batch_id))
      return false;
    int r = _ps_ledger_step_row (ledger, stmt, what, error);
    if (r < 0)
      return false;
    if (r == 0)
      {
        return _ps_ledger_no_batch (ledger, batch_id, error);
      }
    b.out_dir = keep (status, sqlite3_column_text (stmt, 0));
    b.roster_path = keep (status, sqlite3_column_text (stmt, 1));
    b.layout_name = keep (status, sqlite3_column_text (stmt, 2));
    b.uid = keep (status, sqlite3_column_text (stmt, 3));
    b.created_at = keep (status, sqlite3_column_text (stmt, 4));
  }

  GArray *classes = g_array_new (FALSE, TRUE, sizeof (PsClassStatus));
  g_ptr_array_add (status->arrays, classes);
  {
    const char *what = "cannot read the classes";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "SELECT name FROM classes WHERE batch_id = ? ORDER BY idx", what, error);
    if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", batch_id))
      return false;
    int r;
    while ((r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
      {
        PsClassStatus c = { .name = keep (status, sqlite3_column_text (stmt, 0)) };
        g_array_append_val (classes, c);
      }
    if (r < 0)
      return false;
  }
  {
    /* Per page: printed if any completed job has it; failed if the latest
     * job that has it ended aborted or canceled; else pending. */
    const char *what = "cannot read the pages";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "SELECT p.class_idx,"
      " EXISTS (SELECT 1 FROM job_pages jp JOIN jobs j ON j.id = jp.job_id"
      "         WHERE jp.page_number = p.number AND j.batch_id = p.batch_id"
      "           AND j.state = 'completed'),"
      " (SELECT j.state FROM job_pages jp JOIN jobs j ON j.id = jp.job_id"
      "  WHERE jp.page_number = p.number AND j.batch_id = p.batch_id"
      "  ORDER BY j.id DESC LIMIT 1) "
      "FROM pages p WHERE p.batch_id = ? ORDER BY p.number", what, error);
    if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", batch_id))
      return false;
    int r;
    while ((r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
      {
        gint64 c = sqlite3_column_int64 (stmt, 0);
        if (c < 0 || (guint64) c >= classes->len)
          return _ps_ledger_corrupt (ledger, batch_id, "a page of no class", error);
        PsClassStatus *t = &g_array_index (classes, PsClassStatus, c);
        const char *last = (const char *) sqlite3_column_text (stmt, 2);
        t->pages++;
        b.pages++;
        if (sqlite3_column_int (stmt, 1))
          t->printed++, b.printed++;
        else if (g_strcmp0 (last, "aborted") == 0 || g_strcmp0 (last, "canceled") == 0)
          t->failed++, b.failed++;
        else
          t->pending++, b.pending++;
      }
    if (r < 0)
      return false;
  }
  b.classes = (const PsClassStatus *) (void *) classes->data;
  b.n_classes = classes->len;

  g_autoptr (GPtrArray) jobs = _ps_ledger_list_jobs (ledger, batch_id, error);
  if (jobs == NULL)
    return false;
  GArray *records = g_array_new (FALSE, TRUE, sizeof (PsJobStatus));
  g_ptr_array_add (status->arrays, records);
  const char *count_what = "cannot count a job's pages";
  g_autoptr (sqlite3_stmt) count = _ps_ledger_prepare (ledger,
    "SELECT count(*), (SELECT created_at FROM jobs WHERE id = ?1) FROM job_pages "
    "WHERE job_id = ?1", count_what, error);
  if (count == NULL)
    return false;
  for (size_t i = 0; i < jobs->len; i++)
    {
      const PsLedgerJob *job = jobs->pdata[i];
      if (!_ps_ledger_bind (ledger, count, count_what, error, "I", job->id)
          || _ps_ledger_step_row (ledger, count, count_what, error) != 1)
        {
          if (error != NULL && *error == NULL)
            _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, count_what);
          return false;
        }
      PsJobStatus j = {
        .id = job->id,
        .cups_id = job->cups_id,
        .printer = keep (status, (const unsigned char *) job->printer),
        .name = keep (status, (const unsigned char *) job->name),
        .state = job->state,
        .reason = keep (status, (const unsigned char *) job->reason),
        .queue = keep (status, (const unsigned char *) job->queue),
        .server = keep (status, (const unsigned char *) job->server),
        .uuid = keep (status, (const unsigned char *) job->uuid),
        .created_at = keep (status, sqlite3_column_text (count, 1)),
        .pages = (size_t) sqlite3_column_int64 (count, 0),
      };
      sqlite3_reset (count);
      g_array_append_val (records, j);
    }
  b.jobs = (const PsJobStatus *) (void *) records->data;
  b.n_jobs = records->len;

  GArray *reprints = g_array_new (FALSE, TRUE, sizeof (PsReprintStatus));
  g_ptr_array_add (status->arrays, reprints);
  {
    const char *what = "cannot read the reprints";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
      "SELECT r.id, r.at, s.xh, c.name, r.reason, r.out_path, coalesce (r.job_id, 0) "
      "FROM reprints r LEFT JOIN students s ON s.id = r.student_id "
      "LEFT JOIN classes c ON c.batch_id = s.batch_id AND c.idx = s.class_idx "
      "WHERE r.batch_id = ? ORDER BY r.id", what, error);
    if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", batch_id))
      return false;
    int r;
    while ((r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
      {
        PsReprintStatus rp = {
          .id = sqlite3_column_int64 (stmt, 0),
          .at = keep (status, sqlite3_column_text (stmt, 1)),
          .xh = keep (status, sqlite3_column_text (stmt, 2)),
          .class_name = keep (status, sqlite3_column_text (stmt, 3)),
          .reason = keep (status, sqlite3_column_text (stmt, 4)),
          .out_path = keep (status, sqlite3_column_text (stmt, 5)),
          .job_id = sqlite3_column_int64 (stmt, 6),
        };
        g_array_append_val (reprints, rp);
      }
    if (r < 0)
      return false;
  }
  b.reprints = (const PsReprintStatus *) (void *) reprints->data;
  b.n_reprints = reprints->len;
  g_array_append_val (status->batches, b);
  return true;
}

PsLedgerStatus *
_ps_ledger_get_status (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (PsLedgerStatus) status = g_new0 (PsLedgerStatus, 1);
  status->batches = g_array_new (FALSE, TRUE, sizeof (PsBatchStatus));
  status->arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  status->strings = g_string_chunk_new (1024);

  /* One read transaction: every number comes from the same snapshot. */
  if (!_ps_ledger_exec (ledger, "BEGIN", "cannot start a transaction", error))
    return NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  bool ok = true;
  if (batch_id != 0)
    g_array_append_val (ids, batch_id);
  else
    {
      const char *what = "cannot list batches";
      g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
                                                          "SELECT id FROM batches ORDER BY id",
                                                          what, error);
      ok = stmt != NULL;
      int r = -1;
      while (ok && (r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      ok = ok && r == 0;
    }
  for (size_t i = 0; ok && i < ids->len; i++)
    ok = add_batch (ledger, status, g_array_index (ids, gint64, i), error);

  if (!ok || !_ps_ledger_commit (ledger, error))
    {
      _ps_ledger_rollback (ledger);
      return NULL;
    }
  return g_steal_pointer (&status);
}

PsLedgerStatus *
ps_ledger_get_status (PsLedger *ledger, const char *batch_dir, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gint64 batch_id = 0;
  if (batch_dir != NULL)
    {
      batch_id = _ps_ledger_find_batch_by_dir (ledger, batch_dir, error);
      if (batch_id <= 0)
        {
          g_prefix_error (error, "no batch rendered into '%s' in the ledger: ", batch_dir);
          return NULL;
        }
    }
  return _ps_ledger_get_status (ledger, batch_id, error);
}
