/* test-ledger.c - the SQLite ledger: open/migrate, batches, students, jobs, privacy.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

/* ------------------------------------------------------------------ */
/* Fixture and helpers                                                */
/* ------------------------------------------------------------------ */

/* Old-mode roster: full names and 18-character IDs, masked on load. */
static const char roster_csv[] =
  "采集码,学号,姓名,班级,证件号码,院校代码\n"
  "Hx4KcUcseltovhGV,201818004215114,欧阳娜娜,计算机科学与技术软工三班,11010519491231002X,10294\n"
  "VDDcGDN38UAWTggP,202131104215101,诸葛孔明,机械设计制造及其自动化2班,32058319880706471x,10294\n"
  "nY9sA2faakD4Z2fU,201818004215115,司马相如,计算机科学与技术软工三班,44030419950101123X,10294\n"
  "Cg9Qgmm37QaqAhXP,202131104215102,上官婉儿,机械设计制造及其自动化2班,51010219991212888X,10294\n"
  "wsGUvWu4W4eUVuxW,201818004215116,慕容复兴,计算机科学与技术软工三班,65010219870505567X,10294\n";

/* Everything that must never reach the ledger file. */
static const char *const full_names[] = {
  "欧阳娜娜", "诸葛孔明", "司马相如", "上官婉儿", "慕容复兴", NULL,
};
static const char *const full_ids[] = {
  "11010519491231002X", "32058319880706471x", "32058319880706471X",
  "44030419950101123X", "51010219991212888X", "65010219870505567X", NULL,
};

typedef struct {
  char *dir;
  char *path;        /* the ledger file */
  char *roster_path;
  char *out_dir;
  PsRoster *roster;
  PsLayout *layout;
  PsBatch *plan;     /* the batch every record_ok() saves, but for its key */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = ps_test_tmpdir ();
  f->path = g_build_filename (f->dir, "ledger.sqlite", NULL);
  f->roster_path = g_build_filename (f->dir, "roster.csv", NULL);
  f->out_dir = g_build_filename (f->dir, "out", NULL);
  ps_test_write_file (f->roster_path, roster_csv, -1);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ps_batch_free (f->plan);
  ps_layout_unref (f->layout);
  ps_roster_free (f->roster);
  ps_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->roster_path);
  g_free (f->out_dir);
}

#define TEST(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

static PsLedger *
open_ok (const char *path)
{
  g_autoptr (GError) error = NULL;
  PsLedger *ledger = ps_ledger_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ledger);
  return ledger;
}

/* A second, raw connection for looking behind the API. */
static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static gint64
raw_int (const char *path, const char *sql)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  gint64 v = sqlite3_column_int64 (stmt, 0);
  g_assert_cmpint (sqlite3_finalize (stmt), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return v;
}

static char *
raw_text (const char *path, const char *sql)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  char *v = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (sqlite3_finalize (stmt), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return v;
}

static void
raw_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                    NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static unsigned
file_mode (const char *path)
{
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* The bytes a profile has in these tests: the ledger stores them as given. */
static const char fake_profile[] = "not really an ICC profile";

/* A batch of the roster's records (@include NULL = all) as a check would
 * make it, on settings whose identity is @key; photos /photos/CJM.jpg with
 * the digest of their 采集码.  Not sealed when @seal is false. */
static PsBatch *
make_batch_on (const Fixture *f, const char *key, const bool *include, const PsLayout *layout,
               int copies, PsImpose impose)
{
  g_autoptr (GError) error = NULL;
  PsBatchSettings s = {
    .roster_path = g_strdup (f->roster_path),
    .roster_sha256 = g_strdup_printf ("%s-%s", ps_roster_get_sha256 (f->roster), key),
    .photos_dir = g_strdup ("/photos"),
    .layout_name = g_strdup (layout->name),
    .layout_text = g_strdup (layout->text),
    .profile_path = g_strdup ("/profiles/lab.icc"),
    .profile = g_bytes_new_static (fake_profile, sizeof fake_profile),
    .profile_sha256 = g_strdup ("00ff"),
    .intent = PS_INTENT_RELATIVE,
    .bpc = true,
    .dpi = 300,
    .order = PS_ORDER_XH,
    .formats = PS_FORMAT_PDF | PS_FORMAT_TIFF,
    .tiff_compression = PS_TIFF_COMPRESSION_LZW,
    .mask_style = PS_MASK_PER_CHARACTER,
    .engine_version = g_strdup (ps_version ()),
    .copies = copies,
    .impose = impose,
  };
  PsBatch *batch = _ps_batch_new_recorded (&s, 0, NULL, &error);
  _ps_batch_settings_clear (&s);
  g_assert_no_error (error);
  _ps_plan_arrange (batch, (const PsRecord *const *) f->roster->records->pdata,
                    f->roster->records->len, include, PS_ORDER_XH, NULL);
  for (size_t i = 0; i < batch->students->len; i++)
    {
      PsStudent *st = &g_array_index (batch->students, PsStudent, i);
      const char *cjm = st->record.values[PS_FIELD_CJM];
      st->photo_path = g_strdup_printf ("/photos/%s.jpg", cjm);
      st->photo_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, cjm, -1);
    }
  g_ptr_array_add (batch->problems, ps_problem_new (f->roster_path, 9, "2018", NULL, "photo",
                                                    "no photo"));
  batch->n_rows = f->roster->n_rows + 1;
  batch->n_skipped = 1;
  g_assert_true (_ps_batch_seal (batch, &error));
  g_assert_no_error (error);
  return batch;
}

static PsBatch *
make_batch (const Fixture *f, const char *key, const bool *include)
{
  return make_batch_on (f, key, include, f->layout, 0, PS_IMPOSE_SEQUENCE);
}

/* Loads the roster and the default layout and plans every record. */
static void
make_plan (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  f->roster = ps_roster_load (f->roster_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_roster_get_n_records (f->roster), ==, 5);
  g_assert_cmpuint (ps_roster_get_n_problems (f->roster), ==, 0);
  f->layout = ps_layout_load ("default", &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->layout);
  f->plan = make_batch (f, "plan", NULL);
  g_assert_cmpuint (f->plan->classes->len, ==, 2);
  g_assert_cmpuint (f->plan->students->len, ==, 5);
}

/* Per-page digests "TAG-page-N", page 2's left NULL on purpose ("entries
 * may be NULL"). */
static char **
page_digests (const Fixture *f, const char *tag)
{
  size_t np = f->plan->pages->len;
  char **sha = g_new0 (char *, np + 1);
  for (size_t i = 0; i < np; i++)
    sha[i] = i == 1 ? NULL : g_strdup_printf ("%s-page-%zu", tag, i + 1);
  return sha;
}

static void
digests_free (char **sha, size_t np)
{
  for (size_t i = 0; i < np; i++)
    g_free (sha[i]);
  g_free (sha);
}

static gint64
record_ok (PsLedger *ledger, const Fixture *f, const char *key, const char *out_dir,
           const char *tag)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PsBatch) batch = make_batch (f, key, NULL);
  char **sha = page_digests (f, tag);
  gint64 id = _ps_ledger_save_batch (ledger, batch, out_dir, sha, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  digests_free (sha, f->plan->pages->len);
  return id;
}

static PsBatch *
load_ok (PsLedger *ledger, gint64 id)
{
  g_autoptr (GError) error = NULL;
  PsBatch *batch = _ps_ledger_load_batch (ledger, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (batch);
  return batch;
}

/* The ledger's id of student @index of a loaded batch. */
static gint64
student_id (const PsBatch *batch, size_t index)
{
  return _ps_batch_student (batch, index)->ledger_id;
}

/* Page numbers of class @c in @batch. */
static GArray *
class_pages (const PsBatch *batch, size_t c)
{
  GArray *pages = g_array_new (FALSE, FALSE, sizeof (size_t));
  for (size_t i = 0; i < batch->pages->len; i++)
    {
      const PsPage *p = &g_array_index (batch->pages, PsPage, i);
      if (p->class_index == c)
        g_array_append_val (pages, p->number);
    }
  return pages;
}

static gint64
job_ok (PsLedger *ledger, gint64 batch, const char *name, const GArray *pages)
{
  g_autoptr (GError) error = NULL;
  gint64 id = _ps_ledger_job_create (ledger, batch, "lab-printer", name,
                                     (const size_t *) (const void *) pages->data, pages->len,
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
set_state_ok (PsLedger *ledger, gint64 job, PsJobState state, const char *reason)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (_ps_ledger_job_set_state (ledger, job, state, reason, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------ */
/* Job states                                                         */
/* ------------------------------------------------------------------ */

static void
test_job_states (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_CREATED), ==, "created");
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_PENDING), ==, "pending");
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_HELD), ==, "held");
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_PROCESSING), ==, "processing");
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_STOPPED), ==, "stopped");
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_CANCELED), ==, "canceled");
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_ABORTED), ==, "aborted");
  g_assert_cmpstr (ps_job_state_to_string (PS_JOB_COMPLETED), ==, "completed");
  g_assert_false (ps_job_state_is_final (PS_JOB_CREATED));
  g_assert_false (ps_job_state_is_final (PS_JOB_PENDING));
  g_assert_false (ps_job_state_is_final (PS_JOB_HELD));
  g_assert_false (ps_job_state_is_final (PS_JOB_PROCESSING));
  g_assert_false (ps_job_state_is_final (PS_JOB_STOPPED));
  g_assert_true (ps_job_state_is_final (PS_JOB_CANCELED));
  g_assert_true (ps_job_state_is_final (PS_JOB_ABORTED));
  g_assert_true (ps_job_state_is_final (PS_JOB_COMPLETED));
}

/* ------------------------------------------------------------------ */
/* Open and migrate                                                   */
/* ------------------------------------------------------------------ */

static void
test_open_create (Fixture *f, gconstpointer data)
{
  /* a permissive umask must not widen the file */
  mode_t old = umask (0);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  umask (old);

  g_assert_cmpstr (ps_ledger_get_path (ledger), ==, f->path);
  g_assert_cmphex (file_mode (f->path), ==, 0600);
  g_autofree char *mode = raw_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, 4);

  /* the WAL file, while there is one, is no more readable than the ledger */
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  if (g_file_test (wal, G_FILE_TEST_EXISTS))
    g_assert_cmphex (file_mode (wal), ==, 0600);
}

static void
test_open_reopen (Fixture *f, gconstpointer data)
{
  PsLedger *ledger = open_ok (f->path);
  ps_ledger_free (ledger);
  ledger = open_ok (f->path);
  ps_ledger_free (ledger);
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"),
                   ==, 11);
  g_assert_cmphex (file_mode (f->path), ==, 0600);
}

static void
test_open_existing_mode (Fixture *f, gconstpointer data)
{
  /* a file the user made is used as it is: neither widened nor changed */
  ps_test_write_file (f->path, "", 0);
  g_assert_cmpint (g_chmod (f->path, 0640), ==, 0);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  g_assert_cmphex (file_mode (f->path), ==, 0640);
}

static void
test_open_newer (Fixture *f, gconstpointer data)
{
  raw_exec (f->path, "CREATE TABLE t (x); PRAGMA user_version = 99;");
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedger) ledger = ps_ledger_open (f->path, &error);
  g_assert_null (ledger);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer photosheet"));
  g_assert_nonnull (strstr (error->message, "schema 99, this one knows 4"));
  g_assert_nonnull (strstr (error->message, f->path));
  /* refused before anything was changed */
  g_autofree char *mode = raw_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "delete");
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, 99);
}

static void
test_open_not_database (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) junk = g_string_new (NULL);
  while (junk->len < 8192)
    g_string_append (junk, "this is a roster, not a database\n");
  ps_test_write_file (f->path, junk->str, (gssize) junk->len);

  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedger) ledger = ps_ledger_open (f->path, &error);
  g_assert_null (ledger);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, f->path));

  /* nor can one be made in a directory that does not exist */
  g_autofree char *missing = g_build_filename (f->dir, "no", "such", "ledger.sqlite", NULL);
  g_clear_error (&error);
  g_assert_null (ps_ledger_open (missing, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_OPEN);
}

/* ------------------------------------------------------------------ */
/* Batches                                                            */
/* ------------------------------------------------------------------ */

static const PsField compared_fields[] = {
  PS_FIELD_SJC, PS_FIELD_CJM, PS_FIELD_YXDM, PS_FIELD_ZJHM, PS_FIELD_XH, PS_FIELD_CC,
  PS_FIELD_XLLB, PS_FIELD_XM, PS_FIELD_BH, PS_FIELD_FY, PS_FIELD_COPIES, PS_FIELD_PRIORITY,
};

static void
test_batch_roundtrip (Fixture *f, gconstpointer data)
{
  make_plan (f);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  gint64 id = record_ok (ledger, f, "key-1", f->out_dir, "r1");
  g_autoptr (PsBatch) d = load_ok (ledger, id);
  const PsBatchSettings *s = &d->settings;

  g_assert_cmpint (d->ledger_id, ==, id);
  g_assert_cmpstr (d->out_dir, ==, f->out_dir);
  g_assert_cmpstr (s->roster_path, ==, f->roster_path);
  g_autofree char *sha = g_strdup_printf ("%s-key-1", ps_roster_get_sha256 (f->roster));
  g_assert_cmpstr (s->roster_sha256, ==, sha);
  g_assert_cmpstr (s->photos_dir, ==, "/photos");
  g_assert_cmpstr (s->layout_name, ==, "default");
  g_assert_cmpstr (s->layout_text, ==, f->layout->text);
  g_assert_cmpstr (s->profile_path, ==, "/profiles/lab.icc");
  g_assert_cmpstr (s->profile_sha256, ==, "00ff");
  g_assert_nonnull (s->profile);
  g_assert_cmpmem (g_bytes_get_data (s->profile, NULL), g_bytes_get_size (s->profile),
                   fake_profile, sizeof fake_profile);
  g_assert_cmpint (s->intent, ==, PS_INTENT_RELATIVE);
  g_assert_true (s->bpc);
  g_assert_cmpint (s->dpi, ==, 300);
  g_assert_cmpint (s->order, ==, PS_ORDER_XH);
  g_assert_cmpuint (s->formats, ==, PS_FORMAT_PDF | PS_FORMAT_TIFF);
  g_assert_cmpint (s->tiff_compression, ==, PS_TIFF_COMPRESSION_LZW);
  g_assert_cmpint (s->mask_style, ==, PS_MASK_PER_CHARACTER);
  g_assert_cmpstr (s->engine_version, ==, ps_version ());
  g_assert_cmpuint (ps_batch_get_n_rows (d), ==, 6);
  g_assert_cmpuint (ps_batch_get_n_skipped (d), ==, 1);
  g_assert_cmpuint (ps_batch_get_n_problems (d), ==, 1);
  g_assert_cmpint (ps_batch_get_problem (d, 0)->row, ==, 9);
  g_assert_cmpstr (ps_batch_get_problem (d, 0)->reason, ==, "no photo");

  /* classes: same names, same students in the same order */
  const PsBatch *a = f->plan;
  g_assert_cmpuint (d->classes->len, ==, a->classes->len);
  g_assert_cmpuint (d->students->len, ==, a->students->len);
  for (size_t c = 0; c < a->classes->len; c++)
    {
      const PsClass *ca = _ps_batch_class (a, c), *cb = _ps_batch_class (d, c);
      g_assert_cmpstr (cb->name, ==, ca->name);
      g_assert_cmpstr (cb->yxdm, ==, ca->yxdm);
      g_assert_cmpuint (cb->first, ==, ca->first);
      g_assert_cmpuint (cb->n_students, ==, ca->n_students);
    }
  for (size_t i = 0; i < a->students->len; i++)
    {
      const PsStudent *sa = _ps_batch_student (a, i), *sb = _ps_batch_student (d, i);
      g_assert_cmpint (sb->record.row, ==, sa->record.row);
      for (size_t k = 0; k < G_N_ELEMENTS (compared_fields); k++)
        g_assert_cmpstr (sb->record.values[compared_fields[k]], ==,
                         sa->record.values[compared_fields[k]]);
      g_assert_cmpuint (sb->class_index, ==, sa->class_index);
      g_assert_cmpint (sb->seq, ==, sa->seq);
      g_assert_cmpint (sb->copies, ==, sa->copies);
      g_assert_cmpstr (sb->photo_path, ==, sa->photo_path);
      g_assert_cmpstr (sb->photo_sha256, ==, sa->photo_sha256);
      g_assert_cmpuint (strlen (sb->photo_sha256), ==, 64);
      g_assert_cmpint (sb->ledger_id, >, 0);
    }
  /* masked on the way in, and stored masked */
  g_assert_cmpstr (_ps_batch_student (d, 0)->record.values[PS_FIELD_XM], ==, "欧**娜");
  g_assert_cmpstr (_ps_batch_student (d, 0)->record.values[PS_FIELD_ZJHM], ==, "002X");

  /* pages: identical, sheets pointing at the same student */
  g_assert_cmpuint (d->pages->len, ==, a->pages->len);
  g_assert_cmpuint (d->page_sha256->len, ==, a->pages->len);
  for (size_t i = 0; i < a->pages->len; i++)
    {
      const PsPage *pa = &g_array_index (a->pages, PsPage, i);
      const PsPage *pb = &g_array_index (d->pages, PsPage, i);
      g_assert_cmpint (pb->kind, ==, pa->kind);
      g_assert_cmpuint (pb->number, ==, pa->number);
      g_assert_cmpuint (pb->class_index, ==, pa->class_index);
      g_assert_cmpuint (pb->n_groups, ==, pa->n_groups);
      for (size_t g = 0; g < pa->n_groups; g++)
        {
          const PsGroup *ga = _ps_batch_page_group (a, pa, g);
          const PsGroup *gb = _ps_batch_page_group (d, pb, g);
          g_assert_cmpuint (gb->student, ==, ga->student);
          g_assert_cmpint (gb->first_slot, ==, ga->first_slot);
          g_assert_cmpint (gb->copies, ==, ga->copies);
          g_assert_cmpint (gb->part, ==, ga->part);
          g_assert_cmpint (gb->n_parts, ==, ga->n_parts);
        }
      if (i == 1)
        g_assert_null (d->page_sha256->pdata[i]);
      else
        {
          g_autofree char *sum = g_strdup_printf ("r1-page-%zu", i + 1);
          g_assert_cmpstr (d->page_sha256->pdata[i], ==, sum);
        }
    }

  /* the profile's bytes are kept once, whatever the batches that use them */
  record_ok (ledger, f, "key-2", f->out_dir, "r2");
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM profiles"), ==, 1);

  /* no such batch */
  g_autoptr (GError) error = NULL;
  g_assert_null (_ps_ledger_load_batch (ledger, id + 100, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
}

/* Shared sheets: every group comes back with its student, slot, copies and
 * part; the imposition settings too; a group the layout has no room for
 * is refused when the batch is loaded. */
static void
test_batch_groups_roundtrip (Fixture *f, gconstpointer data)
{
  make_plan (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) a4 = ps_layout_load ("a4-33x48", &error);
  g_assert_no_error (error);
  /* 8 copies: 2 rows a group, 2 positions a sheet; class 1 (3 students)
   * stacked: sheet 1 = students 1 and 3, sheet 2 = student 2 */
  g_autoptr (PsBatch) a = make_batch_on (f, "a4", NULL, a4, 8, PS_IMPOSE_STACK);
  g_assert_cmpuint (a->pages->len, ==, 5);
  const PsPage *p2 = _ps_batch_page (a, 2);
  g_assert_cmpuint (p2->n_groups, ==, 2);
  g_assert_cmpint (_ps_batch_page_group (a, p2, 1)->first_slot, ==, 10);
  g_assert_cmpuint (_ps_batch_page_group (a, p2, 1)->student, ==, 2);
  g_assert_cmpuint (ps_batch_get_n_slots_used (a), ==, 5 * 8);

  g_autoptr (PsLedger) ledger = open_ok (f->path);
  gint64 id = _ps_ledger_save_batch (ledger, a, f->out_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM page_groups"), ==, 5);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM page_groups WHERE page_number = 2"), ==, 2);
  /* the page row keeps its first group for schema-2 readers, and the copies of the sheet */
  g_assert_cmpint (raw_int (f->path, "SELECT copies FROM pages WHERE number = 2"), ==, 16);
  g_autoptr (PsBatch) d = load_ok (ledger, id);
  g_assert_cmpint (d->settings.copies, ==, 8);
  g_assert_cmpint (d->settings.impose, ==, PS_IMPOSE_STACK);
  g_assert_cmpuint (d->groups->len, ==, a->groups->len);
  for (size_t i = 0; i < a->pages->len; i++)
    {
      const PsPage *pa = _ps_batch_page (a, i + 1), *pb = _ps_batch_page (d, i + 1);
      g_assert_cmpuint (pb->n_groups, ==, pa->n_groups);
      for (size_t g = 0; g < pa->n_groups; g++)
        {
          const PsGroup *ga = _ps_batch_page_group (a, pa, g);
          const PsGroup *gb = _ps_batch_page_group (d, pb, g);
          g_assert_cmpuint (gb->student, ==, ga->student);
          g_assert_cmpint (gb->first_slot, ==, ga->first_slot);
          g_assert_cmpint (gb->copies, ==, ga->copies);
          g_assert_cmpint (gb->part, ==, ga->part);
          g_assert_cmpint (gb->n_parts, ==, ga->n_parts);
        }
    }
  g_autoptr (GArray) pages = _ps_batch_get_student_pages (d, 2);
  g_assert_cmpuint (pages->len, ==, 1);
  g_assert_cmpuint (g_array_index (pages, size_t, 0), ==, 2);
  g_assert_nonnull (_ps_batch_page_find_student (d, _ps_batch_page (d, 2), 2));
  g_assert_null (_ps_batch_page_find_student (d, _ps_batch_page (d, 2), 1));

  /* the same batch but for its copies is another batch (its key differs) */
  g_autoptr (PsBatch) other = make_batch_on (f, "a4", NULL, a4, 5, PS_IMPOSE_STACK);
  gint64 id2 = _ps_ledger_save_batch (ledger, other, f->out_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id2, !=, id);

  /* a group where the layout has no room, a sheet with none */
  g_autofree char *bad_slot = g_strdup_printf ("UPDATE page_groups SET first_slot = 3 WHERE "
                                               "batch_id = %" G_GINT64_FORMAT " AND page_number = 2 "
                                               "AND idx = 1", id);
  raw_exec (f->path, bad_slot);
  g_assert_null (_ps_ledger_load_batch (ledger, id, &error));
  g_assert_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "does not fit its sheet"));
  g_clear_error (&error);
  g_autofree char *none = g_strdup_printf ("DELETE FROM page_groups WHERE batch_id = %"
                                           G_GINT64_FORMAT " AND page_number = 2", id);
  raw_exec (f->path, none);
  g_assert_null (_ps_ledger_load_batch (ledger, id, &error));
  g_assert_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "a sheet with no student"));
}

static void
test_batch_rerecord (Fixture *f, gconstpointer data)
{
  make_plan (f);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  gint64 id = record_ok (ledger, f, "key-1", f->out_dir, "r1");
  g_autoptr (GArray) pages = class_pages (f->plan, 0);
  gint64 job = job_ok (ledger, id, "photosheet b1-1", pages);
  set_state_ok (ledger, job, PS_JOB_COMPLETED, NULL);
  g_autoptr (PsBatch) before = load_ok (ledger, id);
  gint64 student = student_id (before, 0);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (_ps_ledger_reprint_add (ledger, id, student, "lost", NULL, 0, &error), >, 0);
  g_assert_no_error (error);

  /* the same key again: same batch, new page checksums, jobs kept */
  g_assert_cmpint (record_ok (ledger, f, "key-1", f->out_dir, "r2"), ==, id);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM batches"), ==, 1);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM reprints"), ==, 1);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM students"), ==, 5);
  g_autoptr (PsBatch) after = load_ok (ledger, id);
  g_autofree char *last = g_strdup_printf ("r2-page-%u", f->plan->pages->len);
  g_assert_cmpstr (after->page_sha256->pdata[f->plan->pages->len - 1], ==, last);
  g_assert_cmpint (student_id (after, 0), ==, student);
  g_autoptr (GPtrArray) jobs = _ps_ledger_list_jobs (ledger, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpint (((PsLedgerJob *) jobs->pdata[0])->state, ==, PS_JOB_COMPLETED);
  g_autoptr (GArray) pending = _ps_ledger_pages_pending (ledger, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, f->plan->pages->len - pages->len);

  /* the same key with other pages is refused, and changes nothing */
  bool include[5] = { true, true, true, true, false };
  g_autoptr (PsBatch) other = make_batch (f, "key-1", include);
  g_assert_cmpint (_ps_ledger_save_batch (ledger, other, f->out_dir, NULL, &error), ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_MISMATCH);
  g_clear_error (&error);
  g_autoptr (PsBatch) still = load_ok (ledger, id);
  g_assert_cmpstr (still->page_sha256->pdata[f->plan->pages->len - 1], ==, last);

  /* a batch whose pages point outside its students cannot be sealed, so
   * never reaches a ledger */
  PsBatchSettings s = { .layout_name = g_strdup ("default"), .layout_text = g_strdup (f->layout->text) };
  g_autoptr (PsBatch) bad = _ps_batch_new_recorded (&s, 7, NULL, &error);
  _ps_batch_settings_clear (&s);
  g_assert_no_error (error);
  _ps_batch_add_class (bad, "一班", NULL);
  _ps_batch_add_page (bad, PS_PAGE_SHEET, 0, NULL);
  _ps_batch_add_group (bad, 99, 0, 4, 1, 1);
  g_assert_false (_ps_batch_seal (bad, &error));
  g_assert_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_FAILED);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM batches"), ==, 1);
}

static void
test_find_dir (Fixture *f, gconstpointer data)
{
  make_plan (f);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  g_autofree char *messy = g_strconcat (f->dir, "/./sub/../out/", NULL);
  gint64 a = record_ok (ledger, f, "key-a", messy, "a");
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (_ps_ledger_find_batch_by_dir (ledger, f->out_dir, &error), ==, a);
  g_assert_no_error (error);
  g_autofree char *slash = g_strconcat (f->out_dir, "/", NULL);
  g_assert_cmpint (_ps_ledger_find_batch_by_dir (ledger, slash, &error), ==, a);
  g_assert_no_error (error);

  /* relative to the working directory */
  g_autofree char *cwd = g_get_current_dir ();
  g_assert_cmpint (g_chdir (f->dir), ==, 0);
  gint64 found = _ps_ledger_find_batch_by_dir (ledger, "out", &error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (found, ==, a);

  /* the latest batch rendered into the dir wins */
  gint64 b = record_ok (ledger, f, "key-b", f->out_dir, "b");
  g_assert_cmpint (b, !=, a);
  g_assert_cmpint (_ps_ledger_find_batch_by_dir (ledger, f->out_dir, &error), ==, b);
  g_assert_cmpint (record_ok (ledger, f, "key-a", f->out_dir, "a2"), ==, a);
  g_assert_cmpint (_ps_ledger_find_batch_by_dir (ledger, f->out_dir, &error), ==, a);
  g_assert_no_error (error);

  g_assert_cmpint (_ps_ledger_find_batch_by_dir (ledger, f->dir, &error), ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
}

static void
test_find_students (Fixture *f, gconstpointer data)
{
  make_plan (f);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  gint64 b1 = record_ok (ledger, f, "key-1", f->out_dir, "r1");
  g_autoptr (PsBatch) d1 = load_ok (ledger, b1);
  g_autoptr (GError) error = NULL;

  /* the student whose 学号 is 202131104215101 */
  size_t idx = 0;
  for (; idx < d1->students->len; idx++)
    if (g_strcmp0 (_ps_batch_student (d1, idx)->record.values[PS_FIELD_XH],
                   "202131104215101") == 0)
      break;
  g_assert_cmpuint (idx, <, d1->students->len);
  gint64 sid = student_id (d1, idx);

  g_autoptr (GArray) m = _ps_ledger_find_students (ledger, "202131104215101", NULL, NULL,
                                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 1);
  g_assert_cmpint (g_array_index (m, PsLedgerMatch, 0).batch_id, ==, b1);
  g_assert_cmpint (g_array_index (m, PsLedgerMatch, 0).student_id, ==, sid);
  g_clear_pointer (&m, g_array_unref);

  m = _ps_ledger_find_students (ledger, NULL, "VDDcGDN38UAWTggP", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 1);
  g_assert_cmpint (g_array_index (m, PsLedgerMatch, 0).student_id, ==, sid);
  g_clear_pointer (&m, g_array_unref);

  /* the ID's last 4, in either case, or the full number cut to them */
  const char *const ids[] = { "471X", "471x", "32058319880706471x" };
  for (size_t i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      m = _ps_ledger_find_students (ledger, NULL, NULL, "10294", ids[i], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (m->len, ==, 1);
      g_assert_cmpint (g_array_index (m, PsLedgerMatch, 0).student_id, ==, sid);
      g_clear_pointer (&m, g_array_unref);
    }

  /* every key must match */
  m = _ps_ledger_find_students (ledger, "202131104215101", NULL, "10294", "002X", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 0);
  g_clear_pointer (&m, g_array_unref);
  m = _ps_ledger_find_students (ledger, NULL, NULL, "99999", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 0);
  g_clear_pointer (&m, g_array_unref);

  /* a newer batch comes first */
  gint64 b2 = record_ok (ledger, f, "key-2", f->out_dir, "r2");
  m = _ps_ledger_find_students (ledger, NULL, NULL, "10294", "471X", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 2);
  g_assert_cmpint (g_array_index (m, PsLedgerMatch, 0).batch_id, ==, b2);
  g_assert_cmpint (g_array_index (m, PsLedgerMatch, 1).batch_id, ==, b1);
  g_clear_pointer (&m, g_array_unref);
  m = _ps_ledger_find_students (ledger, NULL, NULL, "10294", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 10);
  g_clear_pointer (&m, g_array_unref);

  /* at least one key */
  g_assert_null (_ps_ledger_find_students (ledger, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED);
}

/* ------------------------------------------------------------------ */
/* Jobs and reprints                                                  */
/* ------------------------------------------------------------------ */

static void
test_jobs (Fixture *f, gconstpointer data)
{
  make_plan (f);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  gint64 batch = record_ok (ledger, f, "key-1", f->out_dir, "r1");
  g_autoptr (GError) error = NULL;
  size_t n_pages = f->plan->pages->len;
  g_autoptr (GArray) pages0 = class_pages (f->plan, 0);
  g_autoptr (GArray) pages1 = class_pages (f->plan, 1);
  g_assert_cmpuint (pages1->len, >=, 3);

  /* nothing printed yet */
  g_autoptr (GArray) pending = _ps_ledger_pages_pending (ledger, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, n_pages);
  g_clear_pointer (&pending, g_array_unref);

  /* job 1: class 1, to completion */
  g_autofree char *name1 = g_strdup_printf ("photosheet 10294 %s b1-1",
                                            _ps_batch_class (f->plan, 0)->name);
  gint64 j1 = job_ok (ledger, batch, name1, pages0);
  g_autoptr (GPtrArray) jobs = _ps_ledger_list_jobs (ledger, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  const PsLedgerJob *job = jobs->pdata[0];
  g_assert_cmpint (job->id, ==, j1);
  g_assert_cmpint (job->batch_id, ==, batch);
  g_assert_cmpint (job->cups_id, ==, 0);
  g_assert_cmpstr (job->printer, ==, "lab-printer");
  g_assert_cmpstr (job->name, ==, name1);
  g_assert_cmpint (job->state, ==, PS_JOB_CREATED);
  g_assert_null (job->reason);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  g_assert_true (_ps_ledger_job_set_cups_id (ledger, j1, 17, &error));
  g_assert_no_error (error);
  set_state_ok (ledger, j1, PS_JOB_PENDING, NULL);
  set_state_ok (ledger, j1, PS_JOB_PROCESSING, "job-printing");
  set_state_ok (ledger, j1, PS_JOB_PROCESSING, "job-printing");   /* no change */
  set_state_ok (ledger, j1, PS_JOB_COMPLETED, NULL);
  set_state_ok (ledger, j1, PS_JOB_COMPLETED, NULL);              /* no change */
  g_autofree char *count_sql = g_strdup_printf (
    "SELECT count(*) FROM job_events WHERE job_id = %" G_GINT64_FORMAT, j1);
  g_assert_cmpint (raw_int (f->path, count_sql), ==, 4);

  g_autoptr (GArray) jp = _ps_ledger_job_pages (ledger, j1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jp->len, ==, pages0->len);
  for (size_t i = 0; i < jp->len; i++)
    g_assert_cmpuint (g_array_index (jp, size_t, i), ==, g_array_index (pages0, size_t, i));

  pending = _ps_ledger_pages_pending (ledger, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, pages1->len);
  for (size_t i = 0; i < pending->len; i++)
    g_assert_cmpuint (g_array_index (pending, size_t, i), ==,
                      g_array_index (pages1, size_t, i));
  g_clear_pointer (&pending, g_array_unref);

  /* job 2: two pages of class 2, aborted */
  g_autoptr (GArray) two = g_array_new (FALSE, FALSE, sizeof (size_t));
  g_array_append_vals (two, pages1->data, 2);
  gint64 j2 = job_ok (ledger, batch, "photosheet b1-2", two);
  g_assert_true (_ps_ledger_job_set_cups_id (ledger, j2, 18, &error));
  set_state_ok (ledger, j2, PS_JOB_PROCESSING, NULL);
  set_state_ok (ledger, j2, PS_JOB_ABORTED, "printer-stopped");

  /* a job name is unique; a failed create leaves nothing behind */
  g_assert_cmpint (job_ok (ledger, batch, "photosheet b1-3", two), >, j2);
  g_assert_cmpint (_ps_ledger_job_create (ledger, batch, "lab-printer", "photosheet b1-2",
                                          (size_t *) (void *) two->data, two->len, &error),
                   ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  size_t no_page = n_pages + 1;
  g_assert_cmpint (_ps_ledger_job_create (ledger, batch, "lab-printer", "photosheet b1-4",
                                          &no_page, 1, &error), ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (_ps_ledger_job_create (ledger, batch + 9, "lab-printer", "photosheet x",
                                          &no_page, 1, &error), ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM jobs"), ==, 3);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM job_pages WHERE job_id NOT IN "
                                     "(SELECT id FROM jobs)"), ==, 0);
  /* job 3 was canceled before CUPS had it */
  set_state_ok (ledger, j2 + 1, PS_JOB_CANCELED, NULL);

  /* unknown jobs */
  g_assert_false (_ps_ledger_job_set_state (ledger, 999, PS_JOB_PENDING, NULL, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (_ps_ledger_job_set_cups_id (ledger, 999, 1, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (_ps_ledger_job_pages (ledger, 999, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (_ps_ledger_pages_pending (ledger, 999, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* aborted pages are still to print */
  pending = _ps_ledger_pages_pending (ledger, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, pages1->len);
  g_clear_pointer (&pending, g_array_unref);

  jobs = _ps_ledger_list_jobs (ledger, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 3);
  job = jobs->pdata[1];
  g_assert_cmpint (job->id, ==, j2);
  g_assert_cmpint (job->cups_id, ==, 18);
  g_assert_cmpint (job->state, ==, PS_JOB_ABORTED);
  g_assert_cmpstr (job->reason, ==, "printer-stopped");
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* status: class 1 printed, class 2 two failed and the rest pending */
  g_autoptr (PsLedgerStatus) status = _ps_ledger_get_status (ledger, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_ledger_status_get_n_batches (status), ==, 1);
  const PsBatchStatus *b = ps_ledger_status_get_batch (status, 0);
  g_assert_cmpint (b->id, ==, batch);
  g_assert_cmpstr (b->out_dir, ==, f->out_dir);
  g_assert_cmpstr (b->roster_path, ==, f->roster_path);
  g_assert_cmpstr (b->layout_name, ==, "default");
  g_assert_cmpuint (b->pages, ==, n_pages);
  g_assert_cmpuint (b->printed, ==, pages0->len);
  g_assert_cmpuint (b->failed, ==, 2);
  g_assert_cmpuint (b->pending, ==, pages1->len - 2);
  g_assert_cmpuint (b->n_classes, ==, 2);
  g_assert_cmpstr (b->classes[0].name, ==, _ps_batch_class (f->plan, 0)->name);
  g_assert_cmpuint (b->classes[0].pages, ==, pages0->len);
  g_assert_cmpuint (b->classes[0].printed, ==, pages0->len);
  g_assert_cmpuint (b->classes[0].pending, ==, 0);
  g_assert_cmpuint (b->classes[0].failed, ==, 0);
  g_assert_cmpstr (b->classes[1].name, ==, _ps_batch_class (f->plan, 1)->name);
  g_assert_cmpuint (b->classes[1].pages, ==, pages1->len);
  g_assert_cmpuint (b->classes[1].printed, ==, 0);
  g_assert_cmpuint (b->classes[1].pending, ==, pages1->len - 2);
  g_assert_cmpuint (b->classes[1].failed, ==, 2);
  g_assert_cmpuint (b->n_jobs, ==, 3);
  g_assert_cmpint (b->jobs[0].id, ==, j1);
  g_assert_cmpint (b->jobs[0].cups_id, ==, 17);
  g_assert_cmpstr (b->jobs[0].printer, ==, "lab-printer");
  g_assert_cmpstr (b->jobs[0].name, ==, name1);
  g_assert_cmpint (b->jobs[0].state, ==, PS_JOB_COMPLETED);
  g_assert_null (b->jobs[0].reason);
  g_assert_cmpint (b->jobs[1].cups_id, ==, 18);
  g_assert_cmpstr (b->jobs[1].name, ==, "photosheet b1-2");
  g_assert_cmpint (b->jobs[1].state, ==, PS_JOB_ABORTED);
  g_assert_cmpstr (b->jobs[1].reason, ==, "printer-stopped");
  g_assert_cmpint (b->jobs[2].cups_id, ==, 0);
  g_assert_cmpstr (b->jobs[2].name, ==, "photosheet b1-3");
  g_assert_cmpint (b->jobs[2].state, ==, PS_JOB_CANCELED);

  /* every batch: the same, as the only one */
  g_autoptr (PsLedgerStatus) all = _ps_ledger_get_status (ledger, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_ledger_status_get_n_batches (all), ==, 1);
  const PsBatchStatus *b0 = ps_ledger_status_get_batch (all, 0);
  g_assert_cmpuint (b0->printed, ==, b->printed);
  g_assert_cmpuint (b0->pending, ==, b->pending);
  g_assert_cmpuint (b0->failed, ==, b->failed);
  g_assert_cmpuint (b0->n_jobs, ==, b->n_jobs);
  g_assert_null (_ps_ledger_get_status (ledger, 999, &error));
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
}

static void
test_status_empty (Fixture *f, gconstpointer data)
{
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedgerStatus) status = _ps_ledger_get_status (ledger, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_ledger_status_get_n_batches (status), ==, 0);
  g_autoptr (GPtrArray) jobs = _ps_ledger_list_jobs (ledger, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 0);
}

static void
test_reprint (Fixture *f, gconstpointer data)
{
  make_plan (f);
  g_autoptr (PsLedger) ledger = open_ok (f->path);
  gint64 batch = record_ok (ledger, f, "key-1", f->out_dir, "r1");
  gint64 other = record_ok (ledger, f, "key-2", f->out_dir, "r2");
  g_autoptr (PsBatch) d = load_ok (ledger, batch);
  g_autoptr (PsBatch) d2 = load_ok (ledger, other);
  gint64 student = student_id (d, 2);
  g_autoptr (GError) error = NULL;

  gint64 r1 = _ps_ledger_reprint_add (ledger, batch, student, "lost in the post",
                                      "/out/reprint-1.pdf", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r1, >, 0);

  g_autoptr (GArray) pages = class_pages (f->plan, 0);
  gint64 job = job_ok (ledger, batch, "photosheet reprint 1", pages);
  gint64 r2 = _ps_ledger_reprint_add (ledger, batch, student, NULL, NULL, job, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r2, >, r1);

  /* the student of another batch, a missing student, a missing job */
  g_assert_cmpint (_ps_ledger_reprint_add (ledger, batch,
                                           student_id (d2, 0),
                                           NULL, NULL, 0, &error), ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (_ps_ledger_reprint_add (ledger, batch, 9999, NULL, NULL, 0, &error), ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (_ps_ledger_reprint_add (ledger, batch, student, NULL, NULL, 999, &error),
                   ==, 0);
  g_assert_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM reprints"), ==, 2);
  g_autofree char *reason = raw_text (f->path, "SELECT reason FROM reprints ORDER BY id LIMIT 1");
  g_assert_cmpstr (reason, ==, "lost in the post");
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM reprints WHERE job_id IS NULL"),
                   ==, 1);
}

/* ------------------------------------------------------------------ */
/* Privacy: the file never holds a full name or ID                    */
/* ------------------------------------------------------------------ */

static void
assert_absent (const GByteArray *bytes, const char *file, const char *secret)
{
  /* UTF-8 */
  g_assert_null (memmem (bytes->data, bytes->len, secret, strlen (secret)));
  /* UTF-16LE */
  glong n = 0;
  g_autofree gunichar2 *u16 = g_utf8_to_utf16 (secret, -1, NULL, &n, NULL);
  g_assert_nonnull (u16);
  g_autofree guint8 *le = g_new (guint8, (gsize) n * 2);
  for (glong i = 0; i < n; i++)
    {
      le[2 * i] = u16[i] & 0xff;
      le[2 * i + 1] = u16[i] >> 8;
    }
  g_assert_null (memmem (bytes->data, bytes->len, le, (size_t) n * 2));
}

/* The bytes of the ledger and of its -wal and -shm files, if present. */
static GByteArray *
ledger_bytes (const char *path)
{
  GByteArray *all = g_byte_array_new ();
  const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
  for (size_t i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      if (g_file_get_contents (name, &data, &len, NULL))
        g_byte_array_append (all, (const guint8 *) data, (guint) len);
    }
  return all;
}

static void
assert_private (const char *path)
{
  g_autoptr (GByteArray) bytes = ledger_bytes (path);
  g_assert_cmpuint (bytes->len, >, 0);

  /* the scan does see the data: the masked forms are there */
  g_assert_nonnull (memmem (bytes->data, bytes->len, "欧**娜", strlen ("欧**娜")));
  g_assert_nonnull (memmem (bytes->data, bytes->len, "471X", 4));

  for (size_t i = 0; full_names[i] != NULL; i++)
    assert_absent (bytes, path, full_names[i]);
  assert_absent (bytes, path, "张三丰");
  for (size_t i = 0; full_ids[i] != NULL; i++)
    {
      assert_absent (bytes, path, full_ids[i]);
      g_autofree char *first14 = g_strndup (full_ids[i], 14);
      assert_absent (bytes, path, first14);
    }
}

static void
test_privacy (Fixture *f, gconstpointer data)
{
  make_plan (f);
  PsLedger *ledger = open_ok (f->path);
  g_autoptr (GError) error = NULL;

  /* a batch, jobs, reprints, status: everything the other tests do */
  gint64 batch = record_ok (ledger, f, "key-1", f->out_dir, "r1");
  g_assert_cmpint (record_ok (ledger, f, "key-1", f->out_dir, "r2"), ==, batch);
  g_autoptr (GArray) pages = class_pages (f->plan, 0);
  gint64 job = job_ok (ledger, batch, "photosheet b1-1", pages);
  g_assert_true (_ps_ledger_job_set_cups_id (ledger, job, 5, &error));
  set_state_ok (ledger, job, PS_JOB_COMPLETED, NULL);
  g_autoptr (PsBatch) d = load_ok (ledger, batch);
  g_assert_cmpint (_ps_ledger_reprint_add (ledger, batch, student_id (d, 0), "damaged", NULL, job,
                                           &error), >, 0);
  g_autoptr (PsLedgerStatus) status = _ps_ledger_get_status (ledger, 0, &error);
  g_assert_no_error (error);

  /* a record that escaped masking upstream is masked here all the same */
  PsRecord *r = f->roster->records->pdata[1];
  g_free (r->values[PS_FIELD_XM]);
  r->values[PS_FIELD_XM] = g_strdup ("张三丰");
  g_free (r->values[PS_FIELD_ZJHM]);
  r->values[PS_FIELD_ZJHM] = g_strdup ("32058319880706471x");
  gint64 tampered = record_ok (ledger, f, "key-2", f->out_dir, "t");
  g_autoptr (PsBatch) t = load_ok (ledger, tampered);
  g_autoptr (GArray) m = _ps_ledger_find_students (ledger, NULL, r->values[PS_FIELD_CJM],
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 2);
  g_assert_cmpint (g_array_index (m, PsLedgerMatch, 0).batch_id, ==, tampered);
  size_t found = 0;
  for (size_t i = 0; i < t->students->len; i++)
    if (student_id (t, i) == g_array_index (m, PsLedgerMatch, 0).student_id)
      {
        const PsRecord *back = &_ps_batch_student (t, i)->record;
        g_assert_cmpstr (ps_record_get (back, PS_FIELD_XM), ==, "张*丰");
        g_assert_cmpstr (ps_record_get (back, PS_FIELD_ZJHM), ==, "471X");
        found++;
      }
  g_assert_cmpuint (found, ==, 1);

  /* while open (data may sit in the WAL) and after close (checkpointed) */
  assert_private (f->path);
  ps_ledger_free (ledger);
  assert_private (f->path);
}

/* ------------------------------------------------------------------ */
/* Crash safety: SIGKILL in the middle of writes                      */
/* ------------------------------------------------------------------ */

/* The child: records batches and jobs as fast as it can until killed. */
static int
run_writer (const char *path, const char *roster_path, const char *round)
{
  Fixture f = { 0 };
  f.roster_path = g_strdup (roster_path);
  f.out_dir = g_strdup ("/tmp/out");
  make_plan (&f);
  PsLedger *ledger = open_ok (path);
  g_autoptr (GArray) pages = class_pages (f.plan, 0);
  for (int i = 0;; i++)
    {
      g_autofree char *key = g_strdup_printf ("round-%s-%d", round, i);
      gint64 batch = record_ok (ledger, &f, key, f.out_dir, key);
      gint64 job = job_ok (ledger, batch, key, pages);
      set_state_ok (ledger, job, PS_JOB_PROCESSING, NULL);
      set_state_ok (ledger, job, PS_JOB_COMPLETED, NULL);
      g_assert_cmpint (record_ok (ledger, &f, key, f.out_dir, "again"), ==, batch);
    }
  return 0;
}

static void
test_crash (Fixture *f, gconstpointer data)
{
  make_plan (f);
  gint64 n_pages = f->plan->pages->len;
  g_autoptr (GArray) pages = class_pages (f->plan, 0);

  for (int round = 0; round < 4; round++)
    {
      g_autofree char *round_s = g_strdup_printf ("%d", round);
      const char *argv[] = { "/proc/self/exe", "--ledger-writer", f->path, f->roster_path,
                             round_s, NULL };
      g_autoptr (GError) error = NULL;
      GPid pid = 0;
      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, &error));
      g_assert_no_error (error);

      /* let it write a few batches, then kill it at some point of a write */
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      gint64 want = 2 * (round + 1);
      while (g_get_monotonic_time () < deadline)
        {
          g_usleep (5000);
          if (!g_file_test (f->path, G_FILE_TEST_EXISTS))
            continue;
          sqlite3 *db = NULL;
          sqlite3_stmt *stmt = NULL;
          gint64 n = 0;
          if (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
              && sqlite3_busy_timeout (db, 5000) == SQLITE_OK
              && sqlite3_prepare_v2 (db, "SELECT count(*) FROM batches", -1, &stmt, NULL)
                   == SQLITE_OK
              && sqlite3_step (stmt) == SQLITE_ROW)
            n = sqlite3_column_int64 (stmt, 0);
          sqlite3_finalize (stmt);
          sqlite3_close (db);
          if (n >= want)
            break;
        }
      g_usleep ((gulong) g_test_rand_int_range (0, 20000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      int status = 0;
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      g_spawn_close_pid (pid);

      /* whatever was committed is whole; nothing half-written shows */
      g_autoptr (PsLedger) ledger = open_ok (f->path);
      g_autofree char *check = raw_text (f->path, "PRAGMA integrity_check");
      g_assert_cmpstr (check, ==, "ok");
      g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM pragma_foreign_key_check"),
                       ==, 0);
      gint64 n_batches = raw_int (f->path, "SELECT count(*) FROM batches");
      g_assert_cmpint (n_batches, >=, want);
      g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM pages"), ==,
                       n_batches * n_pages);
      g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM students"), ==, n_batches * 5);
      g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM classes"), ==, n_batches * 2);
      gint64 n_jobs = raw_int (f->path, "SELECT count(*) FROM jobs");
      g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM job_pages"), ==,
                       n_jobs * (gint64) pages->len);
      g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM jobs j WHERE NOT EXISTS "
                                         "(SELECT 1 FROM job_events e WHERE e.job_id = j.id "
                                         "AND e.state = j.state)"), ==, 0);
      /* and the ledger still takes writes */
      g_autofree char *key = g_strdup_printf ("after-%d", round);
      gint64 id = record_ok (ledger, f, key, f->out_dir, "x");
      g_autoptr (GArray) pending = _ps_ledger_pages_pending (ledger, id, &error);
      g_assert_no_error (error);
      g_assert_cmpint (pending->len, ==, n_pages);
    }
}

int
main (int argc, char **argv)
{
  if (argc == 5 && strcmp (argv[1], "--ledger-writer") == 0)
    return run_writer (argv[2], argv[3], argv[4]);

  g_test_init (&argc, &argv, NULL);

  TEST ("/ledger/job/states", test_job_states);
  TEST ("/ledger/open/create", test_open_create);
  TEST ("/ledger/open/reopen", test_open_reopen);
  TEST ("/ledger/open/existing-mode", test_open_existing_mode);
  TEST ("/ledger/open/newer-schema", test_open_newer);
  TEST ("/ledger/batch/groups-roundtrip", test_batch_groups_roundtrip);
  TEST ("/ledger/open/not-a-database", test_open_not_database);
  TEST ("/ledger/batch/roundtrip", test_batch_roundtrip);
  TEST ("/ledger/batch/rerecord", test_batch_rerecord);
  TEST ("/ledger/find/dir", test_find_dir);
  TEST ("/ledger/find/students", test_find_students);
  TEST ("/ledger/jobs/lifecycle", test_jobs);
  TEST ("/ledger/status/empty", test_status_empty);
  TEST ("/ledger/reprint", test_reprint);
  TEST ("/ledger/privacy", test_privacy);
  TEST ("/ledger/crash/sigkill", test_crash);

  return g_test_run ();
}
