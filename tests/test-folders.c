/* test-folders.c - batch folders and ledgers: what render, print, status,
 * reprint and export refuse, and what they never create.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Through the CLI (the exit codes are part of what is tested), no CUPS:
 * every refusal here happens before a printer is asked.
 */
#include "ps-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

typedef struct {
  char *dir;          /* a copy of the samples */
  char *roster;
  char *photos;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = ps_test_copy_samples ();
  f->roster = g_build_filename (f->dir, "roster.csv", NULL);
  f->photos = g_build_filename (f->dir, "photos", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ps_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->roster);
  g_free (f->photos);
}

/* render ROSTER into OUT with @extra flags; the exit status. */
static int
render (Fixture *f, const char *roster, const char *out, const char *const *extra, char **se)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *base[] = { "render", "--roster", roster, "--photos", f->photos, "--out", out,
                         "--dpi", "72", NULL };
  for (size_t i = 0; base[i] != NULL; i++)
    g_ptr_array_add (args, (char *) base[i]);
  for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);
  g_autofree char *so = NULL, *e = NULL;
  int status = ps_test_run_cli ((const char *const *) args->pdata, &so, &e);
  g_test_message ("render %s -> %d\n%s%s", out, status, so, e);
  if (se != NULL)
    *se = g_steal_pointer (&e);
  return status;
}

static int
cli (const char *const *args, char **so, char **se)
{
  g_autofree char *o = NULL, *e = NULL;
  int status = ps_test_run_cli (args, &o, &e);
  g_test_message ("%s %s -> %d\n%s%s", args[0], args[1] ? args[1] : "", status, o, e);
  if (so != NULL)
    *so = g_steal_pointer (&o);
  if (se != NULL)
    *se = g_steal_pointer (&e);
  return status;
}

static bool
exists (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* ------------------------------------------------------------------ */

/* A folder that holds another batch is refused and left as it was; the
 * same batch is rendered again in place; --force replaces the other batch
 * and removes its stale files (the old png/). */
static void
test_render_another_batch (Fixture *f, gconstpointer data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_assert_cmpint (render (f, f->roster, out, (const char *[]) { "--format", "pdf,tiff,png", NULL },
                           NULL), ==, 0);
  g_autoptr (GHashTable) before = ps_test_dir_digests (out);

  g_autofree char *se = NULL;
  g_assert_cmpint (render (f, f->roster, out, (const char *[]) { "--format", "pdf", NULL }, &se),
                   ==, 2);
  g_assert_nonnull (strstr (se, "holds another batch"));
  g_assert_nonnull (strstr (se, "--force"));
  g_autoptr (GHashTable) refused = ps_test_dir_digests (out);
  ps_test_assert_same_digests (before, refused, "after a refusal");
  /* other copies or another imposition are other pages: another batch */
  const char *const other_settings[][5] = {
    { "--format", "pdf,tiff,png", "--copies", "2", NULL },
    { "--format", "pdf,tiff,png", "--impose", "stack", NULL },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (other_settings); i++)
    {
      g_clear_pointer (&se, g_free);
      g_assert_cmpint (render (f, f->roster, out, other_settings[i], &se), ==, 2);
      g_assert_nonnull (strstr (se, "holds another batch"));
      g_autoptr (GHashTable) still = ps_test_dir_digests (out);
      ps_test_assert_same_digests (before, still, "after a refusal of other imposition");
    }

  g_assert_cmpint (render (f, f->roster, out, (const char *[]) { "--format", "pdf,tiff,png", NULL },
                           NULL), ==, 0);
  g_autoptr (GHashTable) again = ps_test_dir_digests (out);
  ps_test_assert_same_digests (before, again, "the same batch again");

  g_assert_cmpint (render (f, f->roster, out, (const char *[]) { "--format", "pdf", "--force", NULL },
                           NULL), ==, 0);
  g_assert_false (exists (out, "png"));
  g_assert_false (exists (out, "tiff"));
  g_assert_true (exists (out, "sheets.pdf"));
  g_assert_true (exists (out, "manifest.csv"));
  /* the ledger stays: both batches are in it, the folder's is the new one */
  g_assert_true (exists (out, "ledger.sqlite"));
  const char *status[] = { "status", "--batch", out, NULL };
  g_autofree char *so = NULL;
  g_assert_cmpint (cli (status, &so, NULL), ==, 0);
  g_assert_nonnull (strstr (so, "batch 2 "));
}

/* A folder with files photosheet never writes: refused, with --force too,
 * and the file is still there. */
static void
test_render_foreign_files (Fixture *f, gconstpointer data)
{
  g_autofree char *out = g_build_filename (f->dir, "mine", NULL);
  g_autofree char *notes = g_build_filename (out, "notes.txt", NULL);
  ps_test_write_file (notes, "the lab's own notes\n", -1);
  g_autofree char *se = NULL;
  g_assert_cmpint (render (f, f->roster, out, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "is not empty and holds no photosheet batch"));
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (render (f, f->roster, out, (const char *[]) { "--force", NULL }, &se), ==, 2);
  g_assert_nonnull (strstr (se, "photosheet did not write ('notes.txt')"));
  g_assert_true (g_file_test (notes, G_FILE_TEST_EXISTS));
  g_assert_false (exists (out, "sheets.pdf"));

  /* a folder with only a ledger is an empty one */
  g_autofree char *lab = g_build_filename (f->dir, "lab", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other", NULL);
  g_assert_cmpint (render (f, f->roster, other, NULL, NULL), ==, 0);
  g_autofree char *ledger = g_build_filename (other, "ledger.sqlite", NULL);
  g_autofree char *moved = g_build_filename (lab, "ledger.sqlite", NULL);
  g_mkdir (lab, 0755);
  g_assert_cmpint (g_rename (ledger, moved), ==, 0);
  g_assert_cmpint (render (f, f->roster, lab, NULL, NULL), ==, 0);
}

/* A batch refused for its problems leaves only its exceptions: the next
 * (fixed) roster may take the folder without --force. */
static void
test_render_refused_then_fixed (Fixture *f, gconstpointer data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  /* a photo goes missing: its row is a problem, the batch is refused */
  g_autoptr (GDir) d = g_dir_open (f->photos, 0, NULL);
  const char *first = g_dir_read_name (d);
  g_autofree char *photo = g_build_filename (f->photos, first, NULL);
  g_autofree char *aside = g_strconcat (photo, ".aside", NULL);
  g_assert_cmpint (g_rename (photo, aside), ==, 0);
  g_autofree char *se = NULL;
  g_assert_cmpint (render (f, f->roster, out, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "nothing rendered"));
  g_assert_true (exists (out, "exceptions.csv"));
  g_assert_false (exists (out, "sheets.pdf"));
  g_assert_cmpint (g_rename (aside, photo), ==, 0);

  g_autofree char *fixed = ps_test_write_old_mode_roster (f->dir);
  g_assert_cmpint (render (f, fixed, out, NULL, NULL), ==, 0);
  g_assert_true (exists (out, "sheets.pdf"));
}

/* The lock file: a render (or a print) while another works in the folder
 * is refused at once; two renders started together never interleave. */
static void
test_render_lock (Fixture *f, gconstpointer data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_assert_cmpint (render (f, f->roster, out, NULL, NULL), ==, 0);
  g_autofree char *lock_path = g_build_filename (out, ".photosheet.lock", NULL);
  bool busy = false;
  g_autoptr (GError) error = NULL;
  int fd = _ps_core_lock (lock_path, &busy, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_autofree char *se = NULL;
  int rendered = render (f, f->roster, out, NULL, &se);
  const char *print[] = { "print", "--batch", out, "--printer", "nowhere", "--server",
                          "127.0.0.1:1", NULL };
  g_autofree char *pse = NULL;
  int printed = cli (print, NULL, &pse);
  _ps_core_unlock (fd);
  g_assert_cmpint (rendered, ==, 2);
  g_assert_nonnull (strstr (se, "another photosheet is rendering or printing in"));
  g_assert_cmpint (printed, ==, 2);
  g_assert_nonnull (strstr (pse, "is being rendered or printed by another photosheet"));

  /* In process: the error codes of the library. */
  g_autoptr (PsBatch) batch = ps_test_batch_new (f->dir, "default", NULL);
  fd = _ps_core_lock (lock_path, &busy, &error);
  g_assert_false (ps_render_batch (batch, out, NULL, &error));
  g_assert_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_LOCKED);
  g_clear_error (&error);
  _ps_core_unlock (fd);
  g_assert_false (ps_render_batch (batch, out, NULL, &error));   /* dpi 72 there */
  g_assert_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_NOT_EMPTY);
  g_clear_error (&error);

  /* Two at once into a new folder: one renders, the other is refused
   * (or comes after it); never a half-renamed file or an empty ledger. */
  g_autofree char *race = g_build_filename (f->dir, "race", NULL);
  const char *bin = g_getenv ("PHOTOSHEET_BIN");
  const char *argv[] = { bin, "render", "--roster", f->roster, "--photos", f->photos, "--out",
                         race, "--dpi", "72", NULL };
  GPid pids[2];
  for (int i = 0; i < 2; i++)
    {
      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                      | G_SPAWN_STDERR_TO_DEV_NULL,
                                    NULL, NULL, &pids[i], &error));
      g_assert_no_error (error);
    }
  int ok = 0;
  for (int i = 0; i < 2; i++)
    {
      int status = 0;
      while (waitpid (pids[i], &status, 0) < 0 && errno == EINTR)
        ;
      g_spawn_close_pid (pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_true (WEXITSTATUS (status) == 0 || WEXITSTATUS (status) == 2);
      ok += WEXITSTATUS (status) == 0;
    }
  g_assert_cmpint (ok, >=, 1);
  g_autofree char *race_ledger = g_build_filename (race, "ledger.sqlite", NULL);
  g_autofree char *integrity = ps_test_sqlite_integrity (race_ledger);
  g_assert_cmpstr (integrity, ==, "ok");
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (race);
  g_assert_cmpuint (rows->len, ==, 40);
}

/* reprint into the batch's own folder would overwrite its pages. */
static void
test_reprint_batch_folder (Fixture *f, gconstpointer data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_assert_cmpint (render (f, f->roster, out, (const char *[]) { "--format", "pdf,tiff", NULL },
                           NULL), ==, 0);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  char **row = rows->pdata[2];
  g_autoptr (GHashTable) before = ps_test_dir_digests (out);
  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  const char *into_batch[] = { "reprint", "--ledger", ledger, "--xh", row[4], "--out", out, NULL };
  g_autofree char *se = NULL;
  g_assert_cmpint (cli (into_batch, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "is the folder of a batch"));
  g_autoptr (GHashTable) after = ps_test_dir_digests (out);
  ps_test_assert_same_digests (before, after, "after a refused reprint");

  /* nobody of that 学号: exit 1, nothing written */
  g_autofree char *nobody_dir = g_build_filename (f->dir, "nobody", NULL);
  const char *nobody[] = { "reprint", "--ledger", ledger, "--xh", "000000000000000", "--out",
                           nobody_dir, NULL };
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (cli (nobody, NULL, &se), ==, 1);
  g_assert_nonnull (strstr (se, "no student"));
  g_assert_false (g_file_test (nobody_dir, G_FILE_TEST_EXISTS));

  /* its own folder: fine, and status lists the reprint */
  g_autofree char *re = g_build_filename (f->dir, "reprint", NULL);
  const char *own[] = { "reprint", "--ledger", ledger, "--xh", row[4], "--out", re,
                        "--reason", "lost in the post", "--date", "2026-11-22", NULL };
  g_assert_cmpint (cli (own, NULL, NULL), ==, 0);
  const char *status[] = { "status", "--batch", out, NULL };
  g_autofree char *so = NULL;
  g_assert_cmpint (cli (status, &so, NULL), ==, 0);
  g_assert_nonnull (strstr (so, "reprints:"));
  g_autofree char *listed = g_strdup_printf ("xh=%s", row[4]);
  g_assert_nonnull (strstr (so, listed));
  g_assert_nonnull (strstr (so, "\"lost in the post\""));
  g_assert_nonnull (strstr (so, "not queued"));

  const char *json[] = { "status", "--batch", out, "--json", NULL };
  g_autofree char *js = NULL;
  g_assert_cmpint (cli (json, &js, NULL), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, js, -1, NULL));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "schema"), ==, 1);
  JsonObject *b = json_array_get_object_element (json_object_get_array_member (root, "batches"), 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (b, "uid")), ==, 32);
  g_assert_cmpint (json_object_get_int_member (b, "pages"), ==, 40);
  JsonArray *reprints = json_object_get_array_member (b, "reprints");
  g_assert_cmpuint (json_array_get_length (reprints), ==, 1);
  JsonObject *r = json_array_get_object_element (reprints, 0);
  g_assert_cmpstr (json_object_get_string_member (r, "xh"), ==, row[4]);
  g_assert_true (json_object_get_null_member (r, "job_id"));
}

/* --ledger on print, status, reprint and export never creates a file: a
 * typo is an error (exit 2), not an empty ledger with "no batches". */
static void
test_ledger_never_created (Fixture *f, gconstpointer data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_assert_cmpint (render (f, f->roster, out, NULL, NULL), ==, 0);
  g_autofree char *typo = g_build_filename (f->dir, "ledgr.sqlite", NULL);
  g_autofree char *hot = g_build_filename (f->dir, "hot", NULL);
  const char *status[] = { "status", "--ledger", typo, NULL };
  const char *print[] = { "print", "--batch", out, "--ledger", typo, "--printer", "x", NULL };
  const char *reprint[] = { "reprint", "--ledger", typo, "--xh", "1", "--out", hot, NULL };
  const char *export[] = { "export", "--batch", out, "--ledger", typo, "--hot-folder", hot, NULL };
  const char *const *commands[] = { status, print, reprint, export };
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *se = NULL;
      g_assert_cmpint (cli (commands[i], NULL, &se), ==, 2);
      g_assert_nonnull (strstr (se, "no ledger"));
      g_assert_false (g_file_test (typo, G_FILE_TEST_EXISTS));
    }
  g_assert_false (g_file_test (hot, G_FILE_TEST_EXISTS));

  /* usage */
  const char *no_batch[] = { "print", "--printer", "x", NULL };
  g_assert_cmpint (cli (no_batch, NULL, NULL), ==, 2);
  const char *no_hot[] = { "export", "--batch", out, NULL };
  g_assert_cmpint (cli (no_hot, NULL, NULL), ==, 2);
  const char *no_key[] = { "status", NULL };
  g_assert_cmpint (cli (no_key, NULL, NULL), ==, 2);

  /* a folder without a ledger, and an empty file */
  g_autofree char *empty_dir = g_build_filename (f->dir, "empty", NULL);
  g_mkdir (empty_dir, 0755);
  const char *no_ledger[] = { "status", "--batch", empty_dir, NULL };
  g_autofree char *se = NULL;
  g_assert_cmpint (cli (no_ledger, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "no ledger in"));
  g_autofree char *zero = g_build_filename (f->dir, "zero.sqlite", NULL);
  ps_test_write_file (zero, "", 0);
  const char *zero_status[] = { "status", "--ledger", zero, NULL };
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (cli (zero_status, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "is not a photosheet ledger"));
  struct stat st;
  g_assert_cmpint (g_stat (zero, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  /* a batch the ledger does not have */
  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  const char *other_batch[] = { "status", "--batch", empty_dir, "--ledger", ledger, NULL };
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (cli (other_batch, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "no batch rendered into"));
}

/* render --ledger FILE: one lab-wide ledger for many batch folders. */
static void
test_ledger_lab_wide (Fixture *f, gconstpointer data)
{
  g_autofree char *lab = g_build_filename (f->dir, "lab.sqlite", NULL);
  g_autofree char *a = g_build_filename (f->dir, "A", NULL);
  g_autofree char *b = g_build_filename (f->dir, "B", NULL);
  g_assert_cmpint (render (f, f->roster, a, (const char *[]) { "--ledger", lab, NULL }, NULL), ==, 0);
  g_assert_cmpint (render (f, f->roster, b, (const char *[]) { "--ledger", lab, NULL }, NULL), ==, 0);
  g_assert_false (exists (a, "ledger.sqlite"));
  g_assert_false (exists (b, "ledger.sqlite"));

  const char *all[] = { "status", "--ledger", lab, "--json", NULL };
  g_autofree char *js = NULL;
  g_assert_cmpint (cli (all, &js, NULL), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, js, -1, NULL));
  JsonArray *batches = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                     "batches");
  g_assert_cmpuint (json_array_get_length (batches), ==, 2);
  const char *uid_a = json_object_get_string_member (json_array_get_object_element (batches, 0), "uid");
  const char *uid_b = json_object_get_string_member (json_array_get_object_element (batches, 1), "uid");
  g_assert_cmpstr (uid_a, !=, uid_b);

  const char *one[] = { "status", "--batch", b, "--ledger", lab, NULL };
  g_autofree char *so = NULL;
  g_assert_cmpint (cli (one, &so, NULL), ==, 0);
  g_assert_nonnull (strstr (so, "batch 2 "));
  g_assert_null (strstr (so, "batch 1 "));
  /* print finds the batch in the lab's ledger (and fails later, at the printer) */
  const char *print[] = { "print", "--batch", a, "--ledger", lab, "--printer", "nowhere",
                          "--server", "127.0.0.1:1", NULL };
  g_autofree char *se = NULL;
  g_assert_cmpint (cli (print, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "cannot reach CUPS server '127.0.0.1:1'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define TEST(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  TEST ("/folder/render/another-batch", test_render_another_batch);
  TEST ("/folder/render/foreign-files", test_render_foreign_files);
  TEST ("/folder/render/refused-then-fixed", test_render_refused_then_fixed);
  TEST ("/folder/render/lock", test_render_lock);
  TEST ("/folder/reprint/batch-folder", test_reprint_batch_folder);
  TEST ("/folder/ledger/never-created", test_ledger_never_created);
  TEST ("/folder/ledger/lab-wide", test_ledger_lab_wide);
  return g_test_run ();
}
