/* ps-ledger.c - what was rendered and printed: an SQLite ledger (open,
 * migrate, the statement helpers the ledger files share).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One SQLite file records every batch (what it was rendered with, its
 * classes, students and pages: ps-ledger-batch.c), every print job and its
 * pages and history, every reprint (ps-ledger-job.c), and answers what is
 * printed (ps-ledger-status.c).  Enough is kept to load any batch back and
 * to know which pages still have to be printed after a crash.
 *
 * Durability: WAL journal, synchronous=FULL, every write in one
 * BEGIN IMMEDIATE ... COMMIT transaction (ROLLBACK on any error), so a
 * process killed during a write leaves the ledger as it was before or after
 * that write, never in between.  FULL rather than NORMAL because a job is
 * recorded before it is submitted to CUPS: losing that record to a power
 * cut would let a resume print the pages a second time.  Ledger writes are
 * few, so the extra fsync per commit costs nothing noticeable.
 *
 * Privacy: only masked values are stored.  Batch records are masked by the
 * roster module already; name and ID number go through ps_mask_name() and
 * ps_mask_id() once more on the way in (both are idempotent on masked
 * values), so a record built by hand with a full name or ID never reaches
 * the file.
 *
 * Threads: a PsLedger is used from one thread at a time; open one per
 * thread (SQLite and WAL handle several connections and processes, writers
 * wait up to busy_timeout for each other).
 */
#include "config.h"
#include "ps-ledger-sql-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (ps-ledger-error-quark, ps_ledger_error)

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
  /* 1 -> 2: what a batch needs to be loaded back whole (the batch model):
   * its photos directory, TIFF compression, masking style, roster counts,
   * the profile's bytes (shared by the batches that use it) and the rows
   * that were skipped with their reasons. */
  "ALTER TABLE batches ADD COLUMN photos_dir TEXT;"
  "ALTER TABLE batches ADD COLUMN tiff_compression INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE batches ADD COLUMN mask_style INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE batches ADD COLUMN n_rows INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE batches ADD COLUMN n_skipped INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE profiles ("
  "  sha256 TEXT PRIMARY KEY,"
  "  bytes BLOB NOT NULL);"
  "CREATE TABLE problems ("
  "  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  row INTEGER NOT NULL,"
  "  xh TEXT, cjm TEXT, field TEXT, reason TEXT,"
  "  PRIMARY KEY (batch_id, idx));",
  /* 2 -> 3: imposition.  A sheet may carry several students' groups, each
   * at its slot: page_groups holds them (pages keeps its first group's
   * student and the sheet's copies for older readers).  The batch's
   * --copies and --impose.  Every sheet recorded so far was one group
   * from slot 1. */
  "ALTER TABLE batches ADD COLUMN copies INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE batches ADD COLUMN impose INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE page_groups ("
  "  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,"
  "  page_number INTEGER NOT NULL,"
  "  idx INTEGER NOT NULL,"
  "  student_id INTEGER NOT NULL REFERENCES students (id),"
  "  first_slot INTEGER NOT NULL,"
  "  copies INTEGER NOT NULL,"
  "  part INTEGER NOT NULL,"
  "  n_parts INTEGER NOT NULL,"
  "  PRIMARY KEY (batch_id, page_number, idx));"
  "CREATE INDEX page_groups_student ON page_groups (student_id);"
  "INSERT INTO page_groups (batch_id, page_number, idx, student_id, first_slot, copies, part,"
  "  n_parts) SELECT batch_id, number, 0, student_id, 0, copies, sheet, n_sheets FROM pages"
  "  WHERE kind = 'sheet' AND student_id IS NOT NULL;",
  /* 3 -> 4: identities that hold across ledgers and printers.  Each batch
   * gets a random 128-bit uid, which its job names carry: two ledgers (two
   * folders, two labs) never name a job alike.  Each job records the queue
   * it was sent to (a class member, or the printer itself), the server,
   * and CUPS's own identity of the job (job-uuid, time-at-creation), so
   * that a job found after a crash is adopted only if it is this ledger's. */
  "ALTER TABLE batches ADD COLUMN uid TEXT;"
  "UPDATE batches SET uid = lower(hex(randomblob(16)));"
  "CREATE UNIQUE INDEX batches_uid ON batches (uid);"
  "ALTER TABLE jobs ADD COLUMN queue TEXT;"
  "UPDATE jobs SET queue = printer;"
  "ALTER TABLE jobs ADD COLUMN server TEXT;"
  "ALTER TABLE jobs ADD COLUMN job_uuid TEXT;"
  "ALTER TABLE jobs ADD COLUMN cups_created INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX jobs_uuid ON jobs (job_uuid);",
};

#define SCHEMA_VERSION ((int) G_N_ELEMENTS (migrations))

bool
_ps_ledger_fail (PsLedger *ledger, GError **error, int code, const char *what)
{
  g_set_error (error, PS_LEDGER_ERROR, code, "ledger '%s': %s: %s", ledger->path, what,
               sqlite3_errmsg (ledger->db));
  return false;
}

bool
_ps_ledger_exec (PsLedger *ledger, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (ledger->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
  return true;
}

sqlite3_stmt *
_ps_ledger_prepare (PsLedger *ledger, const char *sql, const char *what, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (ledger->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
      return NULL;
    }
  return stmt;
}

/* Resets @stmt and binds parameters 1.. in order: @types has one character
 * per argument: 't' text (const char *, NULL binds NULL), 'i' int,
 * 'I' gint64, 'J' gint64 that binds NULL when 0. */
bool
_ps_ledger_bind (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error,
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
    return _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
  return true;
}

/* Runs a statement that returns no rows. */
bool
_ps_ledger_step_done (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      /* the errmsg is that of the failed step; reset afterwards */
      _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
      sqlite3_reset (stmt);
      return false;
    }
  sqlite3_reset (stmt);
  return true;
}

/* Steps a query: 1 = a row, 0 = done, -1 = error (set). */
int
_ps_ledger_step_row (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
  return -1;
}

char *
_ps_ledger_column_dup (sqlite3_stmt *stmt, int column)
{
  const unsigned char *s = sqlite3_column_text (stmt, column);
  return s != NULL ? g_strdup ((const char *) s) : NULL;
}

bool
_ps_ledger_begin (PsLedger *ledger, GError **error)
{
  return _ps_ledger_exec (ledger, "BEGIN IMMEDIATE", "cannot start a transaction", error);
}

bool
_ps_ledger_commit (PsLedger *ledger, GError **error)
{
  return _ps_ledger_exec (ledger, "COMMIT", "cannot commit", error);
}

/* Undoes the open transaction, if any, keeping the first error. */
void
_ps_ledger_rollback (PsLedger *ledger)
{
  if (!sqlite3_get_autocommit (ledger->db))
    sqlite3_exec (ledger->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ISO-8601 UTC with microseconds, so that "latest" orders within a second. */
char *
_ps_ledger_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

gint64
_ps_ledger_time_from_text (const char *text)
{
  if (text == NULL)
    return 0;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    return 0;
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

bool
_ps_ledger_no_batch (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
               "ledger '%s': no batch %" G_GINT64_FORMAT, ledger->path, batch_id);
  return false;
}

bool
_ps_ledger_corrupt (PsLedger *ledger, gint64 batch_id, const char *what, GError **error)
{
  g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
               "ledger '%s': batch %" G_GINT64_FORMAT " is inconsistent: %s", ledger->path,
               batch_id, what);
  return false;
}

bool
_ps_ledger_batch_exists (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger, "SELECT 1 FROM batches WHERE id = ?",
                                           "cannot look up a batch", error);
  if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, "cannot look up a batch", error, "I", batch_id))
    return false;
  int r = _ps_ledger_step_row (ledger, stmt, "cannot look up a batch", error);
  if (r < 0)
    return false;
  if (r == 0)
    {
      return _ps_ledger_no_batch (ledger, batch_id, error);
    }
  return true;
}

gint64
_ps_ledger_count_rows (PsLedger *ledger, const char *sql, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger, sql, "cannot count", error);
  if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, "cannot count", error, "I", id))
    return -1;
  if (_ps_ledger_step_row (ledger, stmt, "cannot count", error) != 1)
    {
      if (error != NULL && *error == NULL)
        _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, "cannot count");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

bool
_ps_ledger_not_found_job (PsLedger *ledger, gint64 job_id, GError **error)
{
  g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
               "ledger '%s': no job %" G_GINT64_FORMAT, ledger->path, job_id);
  return false;
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
  /* The new file's name must survive a power cut as SQLite's own writes
   * will (it fsyncs the file and the journal, not the directory entry of
   * a file it did not create). */
  g_autoptr (GError) local = NULL;
  if (!_ps_core_fsync_path (path, &local) || !_ps_core_fsync_parent (path, &local))
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN, "ledger '%s': %s", path,
                   local->message);
      return false;
    }
  return true;
}

static bool
get_user_version (PsLedger *ledger, int code, int *version, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  if (sqlite3_prepare_v2 (ledger->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    return _ps_ledger_fail (ledger, error, code, "cannot read the schema version");
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return _ps_ledger_fail (ledger, error, code, "cannot read the schema version");
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

/* 1 when the ledger has a table named @table (with @column, when given),
 * 0 when not, -1 with the error set. */
static int
has_table (PsLedger *ledger, const char *table, const char *column, GError **error)
{
  const char *what = "cannot read the schema";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    column != NULL ? "SELECT count(*) FROM pragma_table_info (?) WHERE name = ?"
                   : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
    what, error);
  if (stmt == NULL
      || !(column != NULL ? _ps_ledger_bind (ledger, stmt, what, error, "tt", table, column)
                          : _ps_ledger_bind (ledger, stmt, what, error, "t", table)))
    return -1;
  int r = _ps_ledger_step_row (ledger, stmt, what, error);
  if (r < 0)
    return -1;
  return r == 1 && sqlite3_column_int (stmt, 0) > 0 ? 1 : 0;
}

/* The print room was developed on a branch where its step (batch uid, job
 * identity) was 2 -> 3; merged after imposition it became 3 -> 4.  A
 * ledger written by that branch is at 3 with batches.uid and without
 * imposition's page_groups: it lacks imposition's step only. */
static int
is_print_room_branch_ledger (PsLedger *ledger, int version, GError **error)
{
  if (version != 3)
    return 0;
  int uid = has_table (ledger, "batches", "uid", error);
  if (uid <= 0)
    return uid;
  int groups = has_table (ledger, "page_groups", NULL, error);
  return groups < 0 ? -1 : !groups;
}

/* Each step in its own transaction; the version is read again inside it so
 * that two processes opening a new ledger at once migrate it only once. */
static bool
migrate (PsLedger *ledger, GError **error)
{
  for (;;)
    {
      int version = 0;
      if (!_ps_ledger_begin (ledger, error))
        return false;
      if (!get_user_version (ledger, PS_LEDGER_ERROR_FAILED, &version, error)
          || !check_version (ledger, version, error))
        {
          _ps_ledger_rollback (ledger);
          return false;
        }
      if (version == SCHEMA_VERSION)
        return _ps_ledger_commit (ledger, error);

      int branch = is_print_room_branch_ledger (ledger, version, error);
      if (branch < 0)
        {
          _ps_ledger_rollback (ledger);
          return false;
        }
      /* That ledger gets imposition's step (2 -> 3) and is then at 4. */
      const char *step = branch ? migrations[2] : migrations[version];
      int next = branch ? 4 : version + 1;
      g_autofree char *what = g_strdup_printf ("cannot migrate to schema %d", next);
      g_autofree char *set = g_strdup_printf ("PRAGMA user_version = %d", next);
      if (!_ps_ledger_exec (ledger, step, what, error)
          || !_ps_ledger_exec (ledger, set, what, error)
          || !_ps_ledger_commit (ledger, error))
        {
          _ps_ledger_rollback (ledger);
          return false;
        }
    }
}

static PsLedger *
ledger_open (const char *path, bool create, GError **error)
{
  if (create && !create_private_file (path, error))
    return NULL;
  if (!create)
    {
      /* A mistyped path must not become a new, empty ledger that says
       * "no batches". */
      struct stat st;
      if (g_stat (path, &st) != 0)
        {
          int saved = errno;
          g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                       "no ledger '%s': %s", path, g_strerror (saved));
          return NULL;
        }
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN,
                       "ledger '%s' is not a file", path);
          return NULL;
        }
    }

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
      _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_OPEN, "cannot open");
      return NULL;
    }
  sqlite3_extended_result_codes (ledger->db, 1);

  /* Wait for other writers rather than fail at once. */
  if (sqlite3_busy_timeout (ledger->db, 5000) != SQLITE_OK)
    {
      _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_OPEN, "cannot set busy_timeout");
      return NULL;
    }

  /* The first read of the file: a file that is not a database fails here.
   * A newer schema is refused before anything is changed in the file. */
  int version = 0;
  if (!get_user_version (ledger, PS_LEDGER_ERROR_OPEN, &version, error)
      || !check_version (ledger, version, error))
    return NULL;
  if (!create && version == 0)
    {
      /* Every ledger has a schema from its first open; an empty file (or
       * another program's database) is none. */
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN,
                   "'%s' is not a photosheet ledger (no schema: an empty file or another "
                   "program's database)", path);
      return NULL;
    }

  {
    g_autoptr (sqlite3_stmt) stmt = NULL;
    if (sqlite3_prepare_v2 (ledger->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL)
          != SQLITE_OK
        || sqlite3_step (stmt) != SQLITE_ROW)
      {
        _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_OPEN, "cannot set journal_mode=WAL");
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
        _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_OPEN, what);
        return NULL;
      }

  if (!migrate (ledger, error))
    return NULL;
  return g_steal_pointer (&ledger);
}

PsLedger *
ps_ledger_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return ledger_open (path, true, error);
}

PsLedger *
ps_ledger_open_existing (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return ledger_open (path, false, error);
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

