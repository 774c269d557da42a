/* ps-ledger.c - what was rendered and printed: an SQLite ledger.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One SQLite file records every batch (what it was rendered with, its
 * classes, students and pages), every print job and its pages and history,
 * and every reprint.  Enough is kept to render any page again and to know
 * which pages still have to be printed after a crash.
 *
 * Durability: WAL journal, synchronous=FULL, every write in one
 * BEGIN IMMEDIATE ... COMMIT transaction (ROLLBACK on any error), so a
 * process killed during a write leaves the ledger as it was before or after
 * that write, never in between.  FULL rather than NORMAL because a job is
 * recorded before it is submitted to CUPS: losing that record to a power
 * cut would let a resume print the pages a second time.  Ledger writes are
 * few, so the extra fsync per commit costs nothing noticeable.
 *
 * Privacy: only masked values are stored.  PsRecord values are masked by the
 * roster module already; name and ID number go through ps_mask_name() and
 * ps_mask_id() once more here (both are idempotent on masked values), so a
 * record built by hand with a full name or ID never reaches the file.
 *
 * Threads: a PsLedger is used from one thread at a time; open one per
 * thread (SQLite and WAL handle several connections and processes, writers
 * wait up to busy_timeout for each other).
 */
#include "config.h"
#include "ps-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _PsLedger {
  char    *path;
  sqlite3 *db;
};

/* ------------------------------------------------------------------ */
/* Job states                                                         */
/* ------------------------------------------------------------------ */

static const char *const job_state_names[] = {
  [PS_JOB_CREATED] = "created",
  [PS_JOB_PENDING] = "pending",
  [PS_JOB_HELD] = "held",
  [PS_JOB_PROCESSING] = "processing",
  [PS_JOB_STOPPED] = "stopped",
  [PS_JOB_CANCELED] = "canceled",
  [PS_JOB_ABORTED] = "aborted",
  [PS_JOB_COMPLETED] = "completed",
};

const char *
_ps_job_state_to_string (PsJobState state)
{
  if ((unsigned) state >= G_N_ELEMENTS (job_state_names))
    return "unknown";
  return job_state_names[state];
}

bool
_ps_job_state_is_final (PsJobState state)
{
  return state == PS_JOB_CANCELED || state == PS_JOB_ABORTED || state == PS_JOB_COMPLETED;
}

static bool
job_state_from_string (const char *s, PsJobState *state)
{
  for (size_t i = 0; s != NULL && i < G_N_ELEMENTS (job_state_names); i++)
    if (strcmp (s, job_state_names[i]) == 0)
      {
        *state = (PsJobState) i;
        return true;
      }
  return false;
}

/* ------------------------------------------------------------------ */
/* Schema                                                             */
/* ------------------------------------------------------------------ */

/* migrations[i] takes the schema from version i to i + 1.  Append only:
 * a released step is never edited. */
static const char *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE batches ("
  "  id INTEGER PRIMARY KEY,"
  "  key TEXT NOT NULL UNIQUE,"
  "  out_dir TEXT NOT NULL,"
  "  roster_path TEXT,"
  "  roster_sha256 TEXT,"
  "  layout_name TEXT,"
  "  layout_text TEXT,"
  "  profile_path TEXT,"
  "  profile_sha256 TEXT,"
  "  intent INTEGER NOT NULL,"
  "  bpc INTEGER NOT NULL,"
  "  dpi INTEGER NOT NULL,"
  "  ord INTEGER NOT NULL,"
  "  formats INTEGER NOT NULL,"
  "  engine_version TEXT,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL);"
  "CREATE INDEX batches_out_dir ON batches (out_dir);"
  "CREATE TABLE classes ("
  "  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  yxdm TEXT,"
  "  PRIMARY KEY (batch_id, idx));"
  "CREATE TABLE students ("
  "  id INTEGER PRIMARY KEY,"
  "  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,"
  "  ord INTEGER NOT NULL,"
  "  class_idx INTEGER NOT NULL,"
  "  row INTEGER NOT NULL,"
  "  sjc TEXT, cjm TEXT, yxdm TEXT, id_last4 TEXT, xh TEXT, cc TEXT, xllb TEXT,"
  "  name_masked TEXT, bh TEXT, fy TEXT, copies TEXT, priority TEXT,"
  "  photo_path TEXT,"
  "  photo_sha256 TEXT,"
  "  UNIQUE (batch_id, ord),"
  "  FOREIGN KEY (batch_id, class_idx) REFERENCES classes (batch_id, idx));"
  "CREATE INDEX students_xh ON students (xh);"
  "CREATE INDEX students_cjm ON students (cjm);"
  "CREATE INDEX students_yxdm_id ON students (yxdm, id_last4);"
  "CREATE TABLE pages ("
  "  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,"
  "  number INTEGER NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('separator', 'sheet')),"
  "  class_idx INTEGER NOT NULL,"
  "  student_id INTEGER REFERENCES students (id),"
  "  seq INTEGER NOT NULL,"
  "  copies INTEGER NOT NULL,"
  "  sheet INTEGER NOT NULL,"
  "  n_sheets INTEGER NOT NULL,"
  "  sha256 TEXT,"
  "  PRIMARY KEY (batch_id, number));" /* also serves as the pages(batch_id) index */
  "CREATE TABLE jobs ("
  "  id INTEGER PRIMARY KEY,"
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
  "  printer TEXT NOT NULL,"
  "  name TEXT NOT NULL UNIQUE,"
  "  cups_id INTEGER NOT NULL DEFAULT 0,"
  "  state TEXT NOT NULL,"
  "  reason TEXT,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL);"
  "CREATE INDEX jobs_batch ON jobs (batch_id);"
  "CREATE TABLE job_pages ("
  "  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
  "  page_number INTEGER NOT NULL,"
  "  PRIMARY KEY (job_id, page_number));" /* also the job_pages(job_id) index */
  "CREATE INDEX job_pages_page ON job_pages (page_number);"
  "CREATE TABLE job_events ("
  "  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
  "  at TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  reason TEXT);"
  "CREATE INDEX job_events_job ON job_events (job_id);"
  "CREATE TABLE reprints ("
  "  id INTEGER PRIMARY KEY,"
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
  "  student_id INTEGER NOT NULL REFERENCES students (id),"
  "  at TEXT NOT NULL,"
  "  reason TEXT,"
  "  out_path TEXT,"
  "  job_id INTEGER REFERENCES jobs (id));"
  "CREATE INDEX reprints_batch ON reprints (batch_id);",
};

#define SCHEMA_VERSION ((int) G_N_ELEMENTS (migrations))

/* ------------------------------------------------------------------ */
/* SQLite helpers: every rc checked, errors carry sqlite3_errmsg      */
/* ------------------------------------------------------------------ */

static bool
fail (PsLedger *ledger, GError **error, int code, const char *what)
{
  g_set_error (error, PS_LEDGER_ERROR, code, "ledger '%s': %s: %s", ledger->path, what,
               sqlite3_errmsg (ledger->db));
  return false;
}

static bool
exec_sql (PsLedger *ledger, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (ledger->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
  return true;
}

static sqlite3_stmt *
prepare (PsLedger *ledger, const char *sql, const char *what, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (ledger->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
      return NULL;
    }
  return stmt;
}

/* Resets @stmt and binds parameters 1.. in order: @types has one character
 * per argument: 't' text (const char *, NULL binds NULL), 'i' int,
 * 'I' gint64, 'J' gint64 that binds NULL when 0. */
static bool
bind (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error,
      const char *types, ...)
{
  va_list ap;
  int rc = sqlite3_reset (stmt);
  if (rc == SQLITE_OK)
    rc = sqlite3_clear_bindings (stmt);

  va_start (ap, types);
  for (int i = 0; rc == SQLITE_OK && types[i] != '\0'; i++)
    {
      switch (types[i])
        {
        case 't':
          {
            const char *s = va_arg (ap, const char *);
            rc = s ? sqlite3_bind_text (stmt, i + 1, s, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null (stmt, i + 1);
            break;
          }
        case 'i':
          rc = sqlite3_bind_int (stmt, i + 1, va_arg (ap, int));
          break;
        case 'I':
          rc = sqlite3_bind_int64 (stmt, i + 1, va_arg (ap, gint64));
          break;
        case 'J':
          {
            gint64 v = va_arg (ap, gint64);
            rc = v != 0 ? sqlite3_bind_int64 (stmt, i + 1, v) : sqlite3_bind_null (stmt, i + 1);
            break;
          }
        default:
          g_assert_not_reached ();
        }
    }
  va_end (ap);
  if (rc != SQLITE_OK)
    return fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
  return true;
}

/* Runs a statement that returns no rows. */
static bool
step_done (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      /* the errmsg is that of the failed step; reset afterwards */
      fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
      sqlite3_reset (stmt);
      return false;
    }
  sqlite3_reset (stmt);
  return true;
}

/* Steps a query: 1 = a row, 0 = done, -1 = error (set). */
static int
step_row (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
  return -1;
}

static char *
column_dup (sqlite3_stmt *stmt, int column)
{
  const unsigned char *s = sqlite3_column_text (stmt, column);
  return s != NULL ? g_strdup ((const char *) s) : NULL;
}

static bool
begin (PsLedger *ledger, GError **error)
{
  return exec_sql (ledger, "BEGIN IMMEDIATE", "cannot start a transaction", error);
}

static bool
commit (PsLedger *ledger, GError **error)
{
  return exec_sql (ledger, "COMMIT", "cannot commit", error);
}

/* Undoes the open transaction, if any, keeping the first error. */
static void
rollback (PsLedger *ledger)
{
  if (!sqlite3_get_autocommit (ledger->db))
    sqlite3_exec (ledger->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ISO-8601 UTC with microseconds, so that "latest" orders within a second. */
static char *
now_utc (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* ------------------------------------------------------------------ */
/* Open, migrate, free                                                */
/* ------------------------------------------------------------------ */

/* Creates @path with mode 0600 if it does not exist.  A file that exists is
 * left as it is: its permissions are never widened. */
static bool
create_private_file (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int saved = errno;
      if (saved == EEXIST)
        return true;
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN,
                   "ledger '%s': cannot create: %s", path, g_strerror (saved));
      return false;
    }
  /* The umask can only have narrowed 0600; set it exactly all the same. */
  if (fchmod (fd, 0600) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN,
                   "ledger '%s': cannot set mode 0600: %s", path, g_strerror (saved));
      return false;
    }
  close (fd);
  return true;
}

static bool
get_user_version (PsLedger *ledger, int code, int *version, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  if (sqlite3_prepare_v2 (ledger->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    return fail (ledger, error, code, "cannot read the schema version");
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return fail (ledger, error, code, "cannot read the schema version");
  *version = sqlite3_column_int (stmt, 0);
  return true;
}

static bool
check_version (PsLedger *ledger, int version, GError **error)
{
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_SCHEMA,
                   "ledger '%s' was written by a newer photosheet (schema %d, this one "
                   "knows %d)", ledger->path, version, SCHEMA_VERSION);
      return false;
    }
  return true;
}

/* Each step in its own transaction; the version is read again inside it so
 * that two processes opening a new ledger at once migrate it only once. */
static bool
migrate (PsLedger *ledger, GError **error)
{
  for (;;)
    {
      int version = 0;
      if (!begin (ledger, error))
        return false;
      if (!get_user_version (ledger, PS_LEDGER_ERROR_FAILED, &version, error)
          || !check_version (ledger, version, error))
        {
          rollback (ledger);
          return false;
        }
      if (version == SCHEMA_VERSION)
        return commit (ledger, error);

      g_autofree char *what = g_strdup_printf ("cannot migrate to schema %d", version + 1);
      g_autofree char *set = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec_sql (ledger, migrations[version], what, error)
          || !exec_sql (ledger, set, what, error)
          || !commit (ledger, error))
        {
          rollback (ledger);
          return false;
        }
    }
}

PsLedger *
ps_ledger_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!create_private_file (path, error))
    return NULL;

  g_autoptr (PsLedger) ledger = g_new0 (PsLedger, 1);
  ledger->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &ledger->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      if (ledger->db == NULL)
        {
          g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN,
                       "ledger '%s': cannot open: out of memory", path);
          return NULL;
        }
      fail (ledger, error, PS_LEDGER_ERROR_OPEN, "cannot open");
      return NULL;
    }
  sqlite3_extended_result_codes (ledger->db, 1);

  /* Wait for other writers rather than fail at once. */
  if (sqlite3_busy_timeout (ledger->db, 5000) != SQLITE_OK)
    {
      fail (ledger, error, PS_LEDGER_ERROR_OPEN, "cannot set busy_timeout");
      return NULL;
    }

  /* The first read of the file: a file that is not a database fails here.
   * A newer schema is refused before anything is changed in the file. */
  int version = 0;
  if (!get_user_version (ledger, PS_LEDGER_ERROR_OPEN, &version, error)
      || !check_version (ledger, version, error))
    return NULL;

  {
    g_autoptr (sqlite3_stmt) stmt = NULL;
    if (sqlite3_prepare_v2 (ledger->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL)
          != SQLITE_OK
        || sqlite3_step (stmt) != SQLITE_ROW)
      {
        fail (ledger, error, PS_LEDGER_ERROR_OPEN, "cannot set journal_mode=WAL");
        return NULL;
      }
  }
  static const char *const pragmas[] = {
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
  };
  for (size_t i = 0; i < G_N_ELEMENTS (pragmas); i++)
    if (sqlite3_exec (ledger->db, pragmas[i], NULL, NULL, NULL) != SQLITE_OK)
      {
        g_autofree char *what = g_strdup_printf ("cannot set %s", pragmas[i] + 7);
        fail (ledger, error, PS_LEDGER_ERROR_OPEN, what);
        return NULL;
      }

  if (!migrate (ledger, error))
    return NULL;
  return g_steal_pointer (&ledger);
}

void
ps_ledger_free (PsLedger *ledger)
{
  if (ledger == NULL)
    return;
  /* sqlite3_close_v2 defers the close until stray statements are gone;
   * every statement here is finalized, so this closes (and checkpoints). */
  sqlite3_close_v2 (ledger->db);
  g_free (ledger->path);
  g_free (ledger);
}

const char *
ps_ledger_get_path (const PsLedger *ledger)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  return ledger->path;
}

/* ------------------------------------------------------------------ */
/* Batches                                                            */
/* ------------------------------------------------------------------ */

void
_ps_ledger_batch_clear (PsLedgerBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->key);
  g_free (batch->out_dir);
  g_free (batch->roster_path);
  g_free (batch->roster_sha256);
  g_free (batch->layout_name);
  g_free (batch->layout_text);
  g_free (batch->profile_path);
  g_free (batch->profile_sha256);
  g_free (batch->engine_version);
  memset (batch, 0, sizeof *batch);
}

/* The student columns, in the order of the INSERT below. */
static const PsField student_fields[] = {
  PS_FIELD_SJC, PS_FIELD_CJM, PS_FIELD_YXDM, PS_FIELD_ZJHM, PS_FIELD_XH, PS_FIELD_CC,
  PS_FIELD_XLLB, PS_FIELD_XM, PS_FIELD_BH, PS_FIELD_FY, PS_FIELD_COPIES, PS_FIELD_PRIORITY,
};
#define STUDENT_COLUMNS \
  "sjc, cjm, yxdm, id_last4, xh, cc, xllb, name_masked, bh, fy, copies, priority"

static bool
batch_exists (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger, "SELECT 1 FROM batches WHERE id = ?",
                                           "cannot look up a batch", error);
  if (stmt == NULL || !bind (ledger, stmt, "cannot look up a batch", error, "I", batch_id))
    return false;
  int r = step_row (ledger, stmt, "cannot look up a batch", error);
  if (r < 0)
    return false;
  if (r == 0)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                   "ledger '%s': no batch %" G_GINT64_FORMAT, ledger->path, batch_id);
      return false;
    }
  return true;
}

static gint64
count_rows (PsLedger *ledger, const char *sql, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger, sql, "cannot count", error);
  if (stmt == NULL || !bind (ledger, stmt, "cannot count", error, "I", id))
    return -1;
  if (step_row (ledger, stmt, "cannot count", error) != 1)
    {
      if (error != NULL && *error == NULL)
        fail (ledger, error, PS_LEDGER_ERROR_FAILED, "cannot count");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/* The plan must only point at records and classes that exist. */
static bool
check_plan (PsLedger *ledger, const PsRoster *roster, const PsPlan *plan, GError **error)
{
  for (size_t c = 0; c < plan->classes->len; c++)
    {
      const PsClass *klass = plan->classes->pdata[c];
      for (size_t k = 0; k < klass->records->len; k++)
        if (g_array_index (klass->records, size_t, k) >= roster->records->len)
          goto bad;
    }
  for (size_t i = 0; i < plan->pages->len; i++)
    {
      const PsPage *page = &g_array_index (plan->pages, PsPage, i);
      if (page->class_index >= plan->classes->len || page->number != i + 1
          || (page->kind == PS_PAGE_SHEET && page->record >= roster->records->len))
        goto bad;
    }
  return true;

bad:
  g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
               "ledger '%s': the plan does not match its roster", ledger->path);
  return false;
}

/* A batch recorded before under the same key: new page checksums and photo
 * checksums, the rest is as it was (rendering is deterministic). */
static bool
update_batch (PsLedger *ledger, gint64 id, const PsRoster *roster, const PsPlan *plan,
              char *const *photo_paths, char *const *photo_sha256,
              char *const *page_sha256, const char *now, GError **error)
{
  gint64 n_pages = count_rows (ledger, "SELECT count(*) FROM pages WHERE batch_id = ?",
                               id, error);
  if (n_pages < 0)
    return false;
  gint64 n_students = count_rows (ledger,
                                  "SELECT count(*) FROM students WHERE batch_id = ?",
                                  id, error);
  if (n_students < 0)
    return false;
  if ((guint64) n_pages != plan->pages->len || (guint64) n_students != plan->n_students)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_MISMATCH,
                   "ledger '%s': batch %" G_GINT64_FORMAT " was recorded with %"
                   G_GINT64_FORMAT " pages and %" G_GINT64_FORMAT " students, now %u and %zu",
                   ledger->path, id, n_pages, n_students, plan->pages->len,
                   plan->n_students);
      return false;
    }

  const char *what = "cannot update the batch";
  g_autoptr (sqlite3_stmt) upd = prepare (ledger,
                                          "UPDATE batches SET updated_at = ? WHERE id = ?",
                                          what, error);
  if (upd == NULL || !bind (ledger, upd, what, error, "tI", now, id)
      || !step_done (ledger, upd, what, error))
    return false;

  what = "cannot update a page";
  g_autoptr (sqlite3_stmt) pg = prepare (ledger,
                                         "UPDATE pages SET sha256 = ? "
                                         "WHERE batch_id = ? AND number = ?",
                                         what, error);
  if (pg == NULL)
    return false;
  for (size_t i = 0; i < plan->pages->len; i++)
    if (!bind (ledger, pg, what, error, "tII", page_sha256 ? page_sha256[i] : NULL, id,
               (gint64) (i + 1))
        || !step_done (ledger, pg, what, error))
      return false;

  what = "cannot update a student";
  g_autoptr (sqlite3_stmt) st = prepare (ledger,
                                         "UPDATE students SET photo_path = ?, photo_sha256 = ? "
                                         "WHERE batch_id = ? AND ord = ?",
                                         what, error);
  if (st == NULL)
    return false;
  gint64 ord = 0;
  for (size_t c = 0; c < plan->classes->len; c++)
    {
      const PsClass *klass = plan->classes->pdata[c];
      for (size_t k = 0; k < klass->records->len; k++, ord++)
        {
          size_t r = g_array_index (klass->records, size_t, k);
          if (!bind (ledger, st, what, error, "ttII", photo_paths ? photo_paths[r] : NULL,
                     photo_sha256 ? photo_sha256[r] : NULL, id, ord)
              || !step_done (ledger, st, what, error))
            return false;
        }
    }
  return true;
}

static bool
insert_students (PsLedger *ledger, gint64 id, const PsRoster *roster, const PsPlan *plan,
                 char *const *photo_paths, char *const *photo_sha256, gint64 *student_ids,
                 GError **error)
{
  const char *what = "cannot record a student";
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
    "INSERT INTO students (batch_id, ord, class_idx, row, " STUDENT_COLUMNS ", "
    "photo_path, photo_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    what, error);
  if (stmt == NULL)
    return false;

  gint64 ord = 0;
  for (size_t c = 0; c < plan->classes->len; c++)
    {
      const PsClass *klass = plan->classes->pdata[c];
      for (size_t k = 0; k < klass->records->len; k++, ord++)
        {
          size_t r = g_array_index (klass->records, size_t, k);
          const PsRecord *record = roster->records->pdata[r];
          if (!bind (ledger, stmt, what, error, "IIIi", id, ord, (gint64) c, record->row))
            return false;

          for (size_t f = 0; f < G_N_ELEMENTS (student_fields); f++)
            {
              const char *value = record->values[student_fields[f]];
              g_autofree char *masked = NULL;
              /* Masked again: a no-op on masked values, and the guarantee
               * that a full name or ID never reaches the file. */
              if (value != NULL && student_fields[f] == PS_FIELD_XM)
                value = masked = ps_mask_name (value, roster->options.mask_style);
              else if (value != NULL && student_fields[f] == PS_FIELD_ZJHM)
                value = masked = ps_mask_id (value);
              int rc = value ? sqlite3_bind_text (stmt, (int) f + 5, value, -1, SQLITE_TRANSIENT)
                             : sqlite3_bind_null (stmt, (int) f + 5);
              if (rc != SQLITE_OK)
                return fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
            }
          int p = (int) G_N_ELEMENTS (student_fields) + 5;
          const char *path = photo_paths ? photo_paths[r] : NULL;
          const char *sum = photo_sha256 ? photo_sha256[r] : NULL;
          int rc = path ? sqlite3_bind_text (stmt, p, path, -1, SQLITE_TRANSIENT)
                        : sqlite3_bind_null (stmt, p);
          if (rc == SQLITE_OK)
            rc = sum ? sqlite3_bind_text (stmt, p + 1, sum, -1, SQLITE_TRANSIENT)
                     : sqlite3_bind_null (stmt, p + 1);
          if (rc != SQLITE_OK)
            return fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
          if (!step_done (ledger, stmt, what, error))
            return false;
          student_ids[r] = sqlite3_last_insert_rowid (ledger->db);
        }
    }
  return true;
}

static gint64
insert_batch (PsLedger *ledger, const PsLedgerBatch *batch, const char *out_dir,
              const PsRoster *roster, const PsPlan *plan, char *const *photo_paths,
              char *const *photo_sha256, char *const *page_sha256, const char *now,
              GError **error)
{
  const char *what = "cannot record the batch";
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
    "INSERT INTO batches (key, out_dir, roster_path, roster_sha256, layout_name, "
    "layout_text, profile_path, profile_sha256, intent, bpc, dpi, ord, formats, "
    "engine_version, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", what, error);
  if (stmt == NULL
      || !bind (ledger, stmt, what, error, "ttttttttiiiiIttt", batch->key, out_dir,
                batch->roster_path, batch->roster_sha256, batch->layout_name,
                batch->layout_text, batch->profile_path,
                batch->profile_path ? batch->profile_sha256 : NULL, batch->intent,
                batch->bpc ? 1 : 0, batch->dpi, batch->order, (gint64) batch->formats,
                batch->engine_version, now, now)
      || !step_done (ledger, stmt, what, error))
    return 0;
  gint64 id = sqlite3_last_insert_rowid (ledger->db);

  what = "cannot record a class";
  g_autoptr (sqlite3_stmt) cls = prepare (ledger,
    "INSERT INTO classes (batch_id, idx, name, yxdm) VALUES (?, ?, ?, ?)", what, error);
  if (cls == NULL)
    return 0;
  for (size_t c = 0; c < plan->classes->len; c++)
    {
      const PsClass *klass = plan->classes->pdata[c];
      if (!bind (ledger, cls, what, error, "IItt", id, (gint64) c, klass->name, klass->yxdm)
          || !step_done (ledger, cls, what, error))
        return 0;
    }

  g_autofree gint64 *student_ids = g_new0 (gint64, roster->records->len + 1);
  if (!insert_students (ledger, id, roster, plan, photo_paths, photo_sha256, student_ids,
                        error))
    return 0;

  what = "cannot record a page";
  g_autoptr (sqlite3_stmt) pg = prepare (ledger,
    "INSERT INTO pages (batch_id, number, kind, class_idx, student_id, seq, copies, sheet, "
    "n_sheets, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", what, error);
  if (pg == NULL)
    return 0;
  for (size_t i = 0; i < plan->pages->len; i++)
    {
      const PsPage *page = &g_array_index (plan->pages, PsPage, i);
      bool sheet = page->kind == PS_PAGE_SHEET;
      gint64 student = sheet ? student_ids[page->record] : 0;
      if (sheet && student == 0)
        {
          g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
                       "ledger '%s': page %zu prints a record that is in no class",
                       ledger->path, page->number);
          return 0;
        }
      if (!bind (ledger, pg, what, error, "IItIJiiiit", id, (gint64) page->number,
                 sheet ? "sheet" : "separator", (gint64) page->class_index, student,
                 page->seq, page->copies, page->sheet, page->n_sheets,
                 page_sha256 ? page_sha256[i] : NULL)
          || !step_done (ledger, pg, what, error))
        return 0;
    }
  return id;
}

gint64
_ps_ledger_record_batch (PsLedger *ledger, const PsLedgerBatch *batch,
                         const PsRoster *roster, const PsPlan *plan,
                         char *const *photo_paths, char *const *photo_sha256,
                         char *const *page_sha256, GError **error)
{
  g_return_val_if_fail (ledger != NULL && batch != NULL && roster != NULL && plan != NULL, 0);
  g_return_val_if_fail (batch->key != NULL && batch->out_dir != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!check_plan (ledger, roster, plan, error))
    return 0;

  g_autofree char *out_dir = g_canonicalize_filename (batch->out_dir, NULL);
  g_autofree char *now = now_utc ();
  gint64 id = 0;

  if (!begin (ledger, error))
    return 0;
  {
    const char *what = "cannot look up the batch key";
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger, "SELECT id FROM batches WHERE key = ?",
                                             what, error);
    int r = -1;
    if (stmt != NULL && bind (ledger, stmt, what, error, "t", batch->key))
      r = step_row (ledger, stmt, what, error);
    if (r < 0)
      goto failed;
    if (r == 1)
      {
        id = sqlite3_column_int64 (stmt, 0);
        if (!update_batch (ledger, id, roster, plan, photo_paths, photo_sha256, page_sha256,
                           now, error))
          goto failed;
      }
    else
      {
        id = insert_batch (ledger, batch, out_dir, roster, plan, photo_paths, photo_sha256,
                           page_sha256, now, error);
        if (id == 0)
          goto failed;
      }
  }
  if (!commit (ledger, error))
    goto failed;
  return id;

failed:
  rollback (ledger);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Loading a batch back                                               */
/* ------------------------------------------------------------------ */

void
_ps_ledger_batch_data_free (PsLedgerBatchData *data)
{
  if (data == NULL)
    return;
  _ps_ledger_batch_clear (&data->batch);
  ps_roster_free (data->roster);
  _ps_plan_free (data->plan);
  g_clear_pointer (&data->photo_paths, g_ptr_array_unref);
  g_clear_pointer (&data->photo_sha256, g_ptr_array_unref);
  g_clear_pointer (&data->student_ids, g_array_unref);
  g_clear_pointer (&data->page_sha256, g_ptr_array_unref);
  g_free (data);
}

static bool
corrupt (PsLedger *ledger, gint64 batch_id, const char *what, GError **error)
{
  g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
               "ledger '%s': batch %" G_GINT64_FORMAT " is inconsistent: %s", ledger->path,
               batch_id, what);
  return false;
}

static bool
load_batch_row (PsLedger *ledger, gint64 batch_id, PsLedgerBatch *b, GError **error)
{
  const char *what = "cannot read the batch";
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
    "SELECT key, out_dir, roster_path, roster_sha256, layout_name, layout_text, "
    "profile_path, profile_sha256, intent, bpc, dpi, ord, formats, engine_version "
    "FROM batches WHERE id = ?", what, error);
  if (stmt == NULL || !bind (ledger, stmt, what, error, "I", batch_id))
    return false;
  int r = step_row (ledger, stmt, what, error);
  if (r < 0)
    return false;
  if (r == 0)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                   "ledger '%s': no batch %" G_GINT64_FORMAT, ledger->path, batch_id);
      return false;
    }
  b->key = column_dup (stmt, 0);
  b->out_dir = column_dup (stmt, 1);
  b->roster_path = column_dup (stmt, 2);
  b->roster_sha256 = column_dup (stmt, 3);
  b->layout_name = column_dup (stmt, 4);
  b->layout_text = column_dup (stmt, 5);
  b->profile_path = column_dup (stmt, 6);
  b->profile_sha256 = column_dup (stmt, 7);
  b->intent = sqlite3_column_int (stmt, 8);
  b->bpc = sqlite3_column_int (stmt, 9) != 0;
  b->dpi = sqlite3_column_int (stmt, 10);
  b->order = sqlite3_column_int (stmt, 11);
  b->formats = (unsigned) sqlite3_column_int64 (stmt, 12);
  b->engine_version = column_dup (stmt, 13);
  return true;
}

PsLedgerBatchData *
_ps_ledger_load_batch (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (PsLedgerBatchData) data = g_new0 (PsLedgerBatchData, 1);
  data->id = batch_id;
  data->photo_paths = g_ptr_array_new_with_free_func (g_free);
  data->photo_sha256 = g_ptr_array_new_with_free_func (g_free);
  data->student_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  data->page_sha256 = g_ptr_array_new_with_free_func (g_free);
  data->plan = _ps_plan_new_empty ();

  /* One read transaction: a consistent snapshot even while others write. */
  if (!exec_sql (ledger, "BEGIN", "cannot start a transaction", error))
    return NULL;
  bool ok = load_batch_row (ledger, batch_id, &data->batch, error);

  PsRoster *roster = g_new0 (PsRoster, 1);
  data->roster = roster;
  roster->path = g_strdup (data->batch.roster_path);
  roster->format = g_strdup ("ledger");
  roster->encoding = "UTF-8";
  roster->sha256 = g_strdup (data->batch.roster_sha256);
  roster->records = g_ptr_array_new_with_free_func ((GDestroyNotify) _ps_record_free);
  roster->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_problem_free);

  if (ok)
    {
      const char *what = "cannot read the classes";
      g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
        "SELECT idx, name, yxdm FROM classes WHERE batch_id = ? ORDER BY idx", what, error);
      ok = stmt != NULL && bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = step_row (ledger, stmt, what, error)) == 1)
        {
          if (sqlite3_column_int64 (stmt, 0) != (gint64) data->plan->classes->len)
            ok = corrupt (ledger, batch_id, "class numbers have a gap", error);
          else
            _ps_plan_add_class (data->plan, (const char *) sqlite3_column_text (stmt, 1),
                                (const char *) sqlite3_column_text (stmt, 2));
        }
      ok = ok && r == 0;
    }

  g_autoptr (GHashTable) index_of = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                           g_free, NULL);
  if (ok)
    {
      const char *what = "cannot read the students";
      g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
        "SELECT id, class_idx, row, " STUDENT_COLUMNS ", photo_path, photo_sha256 "
        "FROM students WHERE batch_id = ? ORDER BY ord", what, error);
      ok = stmt != NULL && bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = step_row (ledger, stmt, what, error)) == 1)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          gint64 c = sqlite3_column_int64 (stmt, 1);
          if (c < 0 || c >= (gint64) data->plan->classes->len)
            {
              ok = corrupt (ledger, batch_id, "a student of no class", error);
              break;
            }
          size_t index = roster->records->len;
          PsRecord *record = g_new0 (PsRecord, 1);
          record->row = sqlite3_column_int (stmt, 2);
          for (size_t f = 0; f < G_N_ELEMENTS (student_fields); f++)
            record->values[student_fields[f]] = column_dup (stmt, (int) f + 3);
          g_ptr_array_add (roster->records, record);

          int p = (int) G_N_ELEMENTS (student_fields) + 3;
          g_ptr_array_add (data->photo_paths, column_dup (stmt, p));
          g_ptr_array_add (data->photo_sha256, column_dup (stmt, p + 1));
          g_array_append_val (data->student_ids, id);
          g_hash_table_insert (index_of, g_memdup2 (&id, sizeof id), GSIZE_TO_POINTER (index));

          PsClass *klass = data->plan->classes->pdata[c];
          g_array_append_val (klass->records, index);
        }
      ok = ok && r == 0;
      roster->n_rows = roster->records->len;
      data->plan->n_students = roster->records->len;
    }

  if (ok)
    {
      const char *what = "cannot read the pages";
      g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
        "SELECT number, kind, class_idx, student_id, seq, copies, sheet, n_sheets, sha256 "
        "FROM pages WHERE batch_id = ? ORDER BY number", what, error);
      ok = stmt != NULL && bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = step_row (ledger, stmt, what, error)) == 1)
        {
          PsPage page = { 0 };
          page.number = (size_t) sqlite3_column_int64 (stmt, 0);
          const char *kind = (const char *) sqlite3_column_text (stmt, 1);
          page.kind = g_strcmp0 (kind, "sheet") == 0 ? PS_PAGE_SHEET : PS_PAGE_SEPARATOR;
          gint64 c = sqlite3_column_int64 (stmt, 2);
          page.seq = sqlite3_column_int (stmt, 4);
          page.copies = sqlite3_column_int (stmt, 5);
          page.sheet = sqlite3_column_int (stmt, 6);
          page.n_sheets = sqlite3_column_int (stmt, 7);
          if (page.number != data->plan->pages->len + 1)
            {
              ok = corrupt (ledger, batch_id, "page numbers have a gap", error);
              break;
            }
          if (c < 0 || c >= (gint64) data->plan->classes->len)
            {
              ok = corrupt (ledger, batch_id, "a page of no class", error);
              break;
            }
          page.class_index = (size_t) c;
          if (page.kind == PS_PAGE_SHEET)
            {
              gint64 student = sqlite3_column_int64 (stmt, 3);
              gpointer value;
              if (!g_hash_table_lookup_extended (index_of, &student, NULL, &value))
                {
                  ok = corrupt (ledger, batch_id, "a sheet of no student", error);
                  break;
                }
              page.record = GPOINTER_TO_SIZE (value);
            }
          g_array_append_val (data->plan->pages, page);
          g_ptr_array_add (data->page_sha256, column_dup (stmt, 8));
        }
      ok = ok && r == 0;
    }

  if (!ok)
    {
      rollback (ledger);
      return NULL;
    }
  if (!commit (ledger, error))
    {
      rollback (ledger);
      return NULL;
    }
  return g_steal_pointer (&data);
}

gint64
_ps_ledger_find_batch_by_dir (PsLedger *ledger, const char *out_dir, GError **error)
{
  g_return_val_if_fail (ledger != NULL && out_dir != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  /* Batches are recorded under g_canonicalize_filename() of their dir; a
   * symlinked path is also tried resolved. */
  g_autofree char *canonical = g_canonicalize_filename (out_dir, NULL);
  g_autofree char *real = realpath (out_dir, NULL);

  const char *what = "cannot look up the batch";
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
    "SELECT id FROM batches WHERE out_dir = ? OR out_dir = ? "
    "ORDER BY updated_at DESC, id DESC LIMIT 1", what, error);
  if (stmt == NULL || !bind (ledger, stmt, what, error, "tt", canonical,
                             real != NULL ? real : canonical))
    return 0;
  int r = step_row (ledger, stmt, what, error);
  if (r < 0)
    return 0;
  if (r == 0)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                   "ledger '%s': no batch was rendered into '%s'", ledger->path, canonical);
      return 0;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GArray *
_ps_ledger_find_students (PsLedger *ledger, const char *xh, const char *cjm,
                          const char *yxdm, const char *id_last4, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (xh == NULL && cjm == NULL && yxdm == NULL && id_last4 == NULL)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
                   "ledger '%s': a student search needs at least one key", ledger->path);
      return NULL;
    }

  /* A full ID number given by mistake is cut to the stored last 4. */
  g_autofree char *last4 = id_last4 != NULL ? ps_mask_id (id_last4) : NULL;
  if (id_last4 != NULL && last4 == NULL)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
                   "ledger '%s': the ID number is not valid UTF-8", ledger->path);
      return NULL;
    }

  /* Only the given keys in the WHERE clause, so that their indexes serve. */
  const char *const keys[] = { xh, cjm, yxdm, last4 };
  const char *const columns[] = { "s.xh", "s.cjm", "s.yxdm", "s.id_last4" };
  g_autoptr (GString) sql = g_string_new (
    "SELECT s.batch_id, s.id FROM students s JOIN batches b ON b.id = s.batch_id WHERE ");
  bool first = true;
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i] != NULL)
      {
        g_string_append_printf (sql, "%s%s = ?", first ? "" : " AND ", columns[i]);
        first = false;
      }
  g_string_append (sql, " ORDER BY b.updated_at DESC, b.id DESC, s.ord");

  const char *what = "cannot look up students";
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger, sql->str, what, error);
  if (stmt == NULL)
    return NULL;
  int n = 0;
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i] != NULL
        && sqlite3_bind_text (stmt, ++n, keys[i], -1, SQLITE_TRANSIENT) != SQLITE_OK)
      {
        fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
        return NULL;
      }

  g_autoptr (GArray) matches = g_array_new (FALSE, FALSE, sizeof (PsLedgerMatch));
  int r;
  while ((r = step_row (ledger, stmt, what, error)) == 1)
    {
      PsLedgerMatch m = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      g_array_append_val (matches, m);
    }
  if (r < 0)
    return NULL;
  return g_steal_pointer (&matches);
}

/* ------------------------------------------------------------------ */
/* Jobs                                                               */
/* ------------------------------------------------------------------ */

void
_ps_ledger_job_free (PsLedgerJob *job)
{
  if (job == NULL)
    return;
  g_free (job->printer);
  g_free (job->name);
  g_free (job->reason);
  g_free (job);
}

static bool
not_found_job (PsLedger *ledger, gint64 job_id, GError **error)
{
  g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
               "ledger '%s': no job %" G_GINT64_FORMAT, ledger->path, job_id);
  return false;
}

static bool
add_event (PsLedger *ledger, gint64 job_id, const char *at, PsJobState state,
           const char *reason, GError **error)
{
  const char *what = "cannot record a job event";
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
    "INSERT INTO job_events (job_id, at, state, reason) VALUES (?, ?, ?, ?)", what, error);
  return stmt != NULL
         && bind (ledger, stmt, what, error, "Ittt", job_id, at,
                  _ps_job_state_to_string (state), reason)
         && step_done (ledger, stmt, what, error);
}

gint64
_ps_ledger_job_create (PsLedger *ledger, gint64 batch_id, const char *printer,
                       const char *name, const size_t *pages, size_t n_pages,
                       GError **error)
{
  g_return_val_if_fail (ledger != NULL && printer != NULL && name != NULL, 0);
  g_return_val_if_fail (pages != NULL || n_pages == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_autofree char *now = now_utc ();
  gint64 id = 0;
  if (!begin (ledger, error))
    return 0;
  if (!batch_exists (ledger, batch_id, error))
    goto failed;

  {
    const char *what = "cannot record the job";
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "INSERT INTO jobs (batch_id, printer, name, cups_id, state, reason, created_at, "
      "updated_at) VALUES (?, ?, ?, 0, ?, NULL, ?, ?)", what, error);
    if (stmt == NULL
        || !bind (ledger, stmt, what, error, "Ittttt", batch_id, printer, name,
                  _ps_job_state_to_string (PS_JOB_CREATED), now, now))
      goto failed;
    if (!step_done (ledger, stmt, what, error))
      goto failed;
    id = sqlite3_last_insert_rowid (ledger->db);
  }
  {
    const char *what = "cannot look up a page";
    g_autoptr (sqlite3_stmt) check = prepare (ledger,
      "SELECT 1 FROM pages WHERE batch_id = ? AND number = ?", what, error);
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "INSERT OR IGNORE INTO job_pages (job_id, page_number) VALUES (?, ?)",
      "cannot record a job page", error);
    if (check == NULL || stmt == NULL)
      goto failed;
    for (size_t i = 0; i < n_pages; i++)
      {
        if (!bind (ledger, check, what, error, "II", batch_id, (gint64) pages[i]))
          goto failed;
        int r = step_row (ledger, check, what, error);
        if (r < 0)
          goto failed;
        if (r == 0)
          {
            g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                         "ledger '%s': batch %" G_GINT64_FORMAT " has no page %zu",
                         ledger->path, batch_id, pages[i]);
            goto failed;
          }
        if (!bind (ledger, stmt, "cannot record a job page", error, "II", id,
                   (gint64) pages[i])
            || !step_done (ledger, stmt, "cannot record a job page", error))
          goto failed;
      }
  }
  if (!add_event (ledger, id, now, PS_JOB_CREATED, NULL, error) || !commit (ledger, error))
    goto failed;
  return id;

failed:
  rollback (ledger);
  return 0;
}

bool
_ps_ledger_job_set_cups_id (PsLedger *ledger, gint64 job_id, int cups_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autofree char *now = now_utc ();
  const char *what = "cannot record the CUPS job id";
  if (!begin (ledger, error))
    return false;
  {
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "UPDATE jobs SET cups_id = ?, updated_at = ? WHERE id = ?", what, error);
    if (stmt == NULL || !bind (ledger, stmt, what, error, "itI", cups_id, now, job_id)
        || !step_done (ledger, stmt, what, error))
      goto failed;
    if (sqlite3_changes (ledger->db) == 0)
      {
        not_found_job (ledger, job_id, error);
        goto failed;
      }
  }
  if (!commit (ledger, error))
    goto failed;
  return true;

failed:
  rollback (ledger);
  return false;
}

bool
_ps_ledger_job_set_state (PsLedger *ledger, gint64 job_id, PsJobState state,
                          const char *reason, GError **error)
{
  g_return_val_if_fail (ledger != NULL, false);
  g_return_val_if_fail ((unsigned) state < G_N_ELEMENTS (job_state_names), false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autofree char *now = now_utc ();
  if (!begin (ledger, error))
    return false;
  {
    const char *what = "cannot read the job";
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "SELECT state, reason FROM jobs WHERE id = ?", what, error);
    if (stmt == NULL || !bind (ledger, stmt, what, error, "I", job_id))
      goto failed;
    int r = step_row (ledger, stmt, what, error);
    if (r < 0)
      goto failed;
    if (r == 0)
      {
        not_found_job (ledger, job_id, error);
        goto failed;
      }
    bool same = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0),
                           _ps_job_state_to_string (state)) == 0
                && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), reason) == 0;
    if (same)
      {
        sqlite3_reset (stmt);
        if (!commit (ledger, error))
          goto failed;
        return true;
      }
  }
  {
    const char *what = "cannot record the job state";
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "UPDATE jobs SET state = ?, reason = ?, updated_at = ? WHERE id = ?", what, error);
    if (stmt == NULL
        || !bind (ledger, stmt, what, error, "tttI", _ps_job_state_to_string (state), reason,
                  now, job_id)
        || !step_done (ledger, stmt, what, error))
      goto failed;
  }
  if (!add_event (ledger, job_id, now, state, reason, error) || !commit (ledger, error))
    goto failed;
  return true;

failed:
  rollback (ledger);
  return false;
}

GPtrArray *
_ps_ledger_list_jobs (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const char *what = "cannot list jobs";
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
    "SELECT id, batch_id, cups_id, printer, name, state, reason FROM jobs "
    "WHERE ?1 = 0 OR batch_id = ?1 ORDER BY id", what, error);
  if (stmt == NULL || !bind (ledger, stmt, what, error, "I", batch_id))
    return NULL;

  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _ps_ledger_job_free);
  int r;
  while ((r = step_row (ledger, stmt, what, error)) == 1)
    {
      PsLedgerJob *job = g_new0 (PsLedgerJob, 1);
      job->id = sqlite3_column_int64 (stmt, 0);
      job->batch_id = sqlite3_column_int64 (stmt, 1);
      job->cups_id = sqlite3_column_int (stmt, 2);
      job->printer = column_dup (stmt, 3);
      job->name = column_dup (stmt, 4);
      if (!job_state_from_string ((const char *) sqlite3_column_text (stmt, 5), &job->state))
        job->state = PS_JOB_CREATED;
      job->reason = column_dup (stmt, 6);
      g_ptr_array_add (jobs, job);
    }
  if (r < 0)
    return NULL;
  return g_steal_pointer (&jobs);
}

/* Runs a query whose rows are one page number each. */
static GArray *
page_numbers (PsLedger *ledger, const char *sql, gint64 id, const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (ledger, sql, what, error);
  if (stmt == NULL || !bind (ledger, stmt, what, error, "I", id))
    return NULL;
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (size_t));
  int r;
  while ((r = step_row (ledger, stmt, what, error)) == 1)
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

  gint64 n = count_rows (ledger, "SELECT count(*) FROM jobs WHERE id = ?", job_id, error);
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      not_found_job (ledger, job_id, error);
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

  if (!batch_exists (ledger, batch_id, error))
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

  g_autofree char *now = now_utc ();
  gint64 id = 0;
  if (!begin (ledger, error))
    return 0;
  {
    const char *what = "cannot look up the student";
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "SELECT 1 FROM students WHERE id = ? AND batch_id = ?", what, error);
    if (stmt == NULL || !bind (ledger, stmt, what, error, "II", student_id, batch_id))
      goto failed;
    int r = step_row (ledger, stmt, what, error);
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
      gint64 n = count_rows (ledger, "SELECT count(*) FROM jobs WHERE id = ?", job_id, error);
      if (n < 0)
        goto failed;
      if (n == 0)
        {
          not_found_job (ledger, job_id, error);
          goto failed;
        }
    }
  {
    const char *what = "cannot record the reprint";
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "INSERT INTO reprints (batch_id, student_id, at, reason, out_path, job_id) "
      "VALUES (?, ?, ?, ?, ?, ?)", what, error);
    if (stmt == NULL
        || !bind (ledger, stmt, what, error, "IItttJ", batch_id, student_id, now, reason,
                  out_path, job_id)
        || !step_done (ledger, stmt, what, error))
      goto failed;
    id = sqlite3_last_insert_rowid (ledger->db);
  }
  if (!commit (ledger, error))
    goto failed;
  return id;

failed:
  rollback (ledger);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Status                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
  size_t pages, printed, pending, failed;
} Tally;

static bool
format_batch (PsLedger *ledger, gint64 batch_id, GString *out, GError **error)
{
  PsLedgerBatch b = { 0 };
  if (!load_batch_row (ledger, batch_id, &b, error))
    return false;

  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) tallies = g_array_new (FALSE, TRUE, sizeof (Tally));
  Tally total = { 0 };
  bool ok;
  {
    const char *what = "cannot read the classes";
    g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
      "SELECT name FROM classes WHERE batch_id = ? ORDER BY idx", what, error);
    ok = stmt != NULL && bind (ledger, stmt, what, error, "I", batch_id);
    int r = -1;
    while (ok && (r = step_row (ledger, stmt, what, error)) == 1)
      g_ptr_array_add (names, column_dup (stmt, 0));
    ok = ok && r == 0;
    g_array_set_size (tallies, names->len);
  }
  if (ok)
    {
      /* Per page: printed if any completed job has it; failed if the
       * latest job that has it ended aborted or canceled; else pending. */
      const char *what = "cannot read the pages";
      g_autoptr (sqlite3_stmt) stmt = prepare (ledger,
        "SELECT p.class_idx,"
        " EXISTS (SELECT 1 FROM job_pages jp JOIN jobs j ON j.id = jp.job_id"
        "         WHERE jp.page_number = p.number AND j.batch_id = p.batch_id"
        "           AND j.state = 'completed'),"
        " (SELECT j.state FROM job_pages jp JOIN jobs j ON j.id = jp.job_id"
        "  WHERE jp.page_number = p.number AND j.batch_id = p.batch_id"
        "  ORDER BY j.id DESC LIMIT 1) "
        "FROM pages p WHERE p.batch_id = ? ORDER BY p.number", what, error);
      ok = stmt != NULL && bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = step_row (ledger, stmt, what, error)) == 1)
        {
          gint64 c = sqlite3_column_int64 (stmt, 0);
          if (c < 0 || (guint64) c >= tallies->len)
            {
              ok = corrupt (ledger, batch_id, "a page of no class", error);
              break;
            }
          Tally *t = &g_array_index (tallies, Tally, c);
          const char *last = (const char *) sqlite3_column_text (stmt, 2);
          t->pages++;
          total.pages++;
          if (sqlite3_column_int (stmt, 1))
            t->printed++, total.printed++;
          else if (g_strcmp0 (last, "aborted") == 0 || g_strcmp0 (last, "canceled") == 0)
            t->failed++, total.failed++;
          else
            t->pending++, total.pending++;
        }
      ok = ok && r == 0;
    }

  if (ok)
    {
      g_autofree char *roster = b.roster_path ? g_path_get_basename (b.roster_path)
                                              : g_strdup ("-");
      g_string_append_printf (out, "batch %" G_GINT64_FORMAT "  %s  (%s, layout %s, %zu pages)\n",
                              batch_id, b.out_dir, roster,
                              b.layout_name ? b.layout_name : "-", total.pages);
      g_string_append_printf (out, "  pages: %zu printed, %zu pending, %zu failed\n",
                              total.printed, total.pending, total.failed);
      for (size_t c = 0; c < names->len; c++)
        {
          const Tally *t = &g_array_index (tallies, Tally, c);
          g_string_append_printf (out, "  class %zu/%u %s    %zu pages: %zu printed, "
                                  "%zu pending, %zu failed\n", c + 1, names->len,
                                  (const char *) names->pdata[c], t->pages, t->printed,
                                  t->pending, t->failed);
        }
    }
  _ps_ledger_batch_clear (&b);
  if (!ok)
    return false;

  g_autoptr (GPtrArray) jobs = _ps_ledger_list_jobs (ledger, batch_id, error);
  if (jobs == NULL)
    return false;
  if (jobs->len > 0)
    g_string_append (out, "  jobs:\n");
  for (size_t i = 0; i < jobs->len; i++)
    {
      const PsLedgerJob *job = jobs->pdata[i];
      g_autofree char *cups = job->cups_id > 0 ? g_strdup_printf ("%d", job->cups_id)
                                               : g_strdup ("-");
      g_string_append_printf (out, "    #%" G_GINT64_FORMAT " cups %s  %s  %s  %s", job->id,
                              cups, job->printer, job->name,
                              _ps_job_state_to_string (job->state));
      if (job->reason != NULL && *job->reason != '\0')
        g_string_append_printf (out, " (%s)", job->reason);
      g_string_append_c (out, '\n');
    }
  return true;
}

char *
_ps_ledger_format_status (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* One read transaction: every number comes from the same snapshot. */
  if (!exec_sql (ledger, "BEGIN", "cannot start a transaction", error))
    return NULL;

  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  bool ok = true;
  if (batch_id != 0)
    g_array_append_val (ids, batch_id);
  else
    {
      const char *what = "cannot list batches";
      g_autoptr (sqlite3_stmt) stmt = prepare (ledger, "SELECT id FROM batches ORDER BY id",
                                               what, error);
      ok = stmt != NULL;
      int r = -1;
      while (ok && (r = step_row (ledger, stmt, what, error)) == 1)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      ok = ok && r == 0;
      if (ok && ids->len == 0)
        g_string_append (out, "no batches\n");
    }
  for (size_t i = 0; ok && i < ids->len; i++)
    ok = format_batch (ledger, g_array_index (ids, gint64, i), out, error);

  if (!ok || !commit (ledger, error))
    {
      rollback (ledger);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
