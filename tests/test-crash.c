/* test-crash.c - kill -9 `photosheet render` at several points: no truncated
 * file under a final name, and a rerun gives the clean run's batch.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A clean run is timed first; the kill points are fractions of its duration
 * (so they land in the same phases under ASan, which is slower).  After each
 * kill every final-named file present must be complete (PDF ends with
 * %%EOF, each TIFF decodes fully, CSVs end with CRLF), the ledger must open
 * and describe the batch after the rerun, and the rerun's files must have
 * the clean run's bytes (ledger.sqlite and its -wal/-shm excluded).
 */
#include "ps-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

/* The argv of a render of the samples into @out. */
static GPtrArray *
render_argv (const char *samples, const char *out)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *args[] = { ps_test_getenv ("PHOTOSHEET_BIN"), "render", "--roster", "roster.csv",
                         "--photos", "photos", "--format", "pdf,tiff", "--dpi", "150",
                         "-j", "2", NULL };
  for (size_t i = 0; args[i] != NULL; i++)
    {
      if (strcmp (args[i], "roster.csv") == 0 || strcmp (args[i], "photos") == 0)
        g_ptr_array_add (argv, g_build_filename (samples, args[i], NULL));
      else
        g_ptr_array_add (argv, g_strdup (args[i]));
    }
  g_ptr_array_add (argv, g_strdup ("--out"));
  g_ptr_array_add (argv, g_strdup (out));
  g_ptr_array_add (argv, NULL);
  return argv;
}

static GPid
spawn_render (const char *samples, const char *out)
{
  g_autoptr (GPtrArray) argv = render_argv (samples, out);
  g_autoptr (GError) error = NULL;
  GPid pid = 0;
  /* stdout/stderr to /dev/null: nothing may block on a pipe. */
  g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                  | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  return pid;
}

static int
wait_child (GPid pid)
{
  int status = 0;
  pid_t got;
  do
    got = waitpid (pid, &status, 0);
  while (got < 0 && errno == EINTR);
  g_assert_cmpint (got, ==, pid);
  g_spawn_close_pid (pid);
  return status;
}

static void
run_render (const char *samples, const char *out)
{
  int status = wait_child (spawn_render (samples, out));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* Final names: what a batch consists of.  Anything else is a temporary
 * (".sheets.pdf.part", "manifest.csv.XXXXXX") or the ledger. */
static bool
is_ledger (const char *name)
{
  return g_str_has_prefix (name, "ledger.sqlite");
}

static bool
is_final (const char *rel)
{
  g_autofree char *base = g_path_get_basename (rel);
  if (strcmp (rel, "sheets.pdf") == 0 || strcmp (rel, "manifest.csv") == 0
      || strcmp (rel, "exceptions.csv") == 0)
    return true;
  if (g_str_has_prefix (rel, "tiff/") || g_str_has_prefix (rel, "png/"))
    {
      const char *suffix = g_str_has_prefix (rel, "tiff/") ? ".tif" : ".png";
      return strlen (base) == 4 + strlen (suffix) && g_str_has_suffix (base, suffix)
             && g_ascii_isdigit (base[0]) && g_ascii_isdigit (base[3]);
    }
  return false;
}

/* Relative paths of every file under @dir, sorted. */
static void
list_files (const char *dir, const char *rel, GPtrArray *out)
{
  g_autofree char *path = rel ? g_build_filename (dir, rel, NULL) : g_strdup (dir);
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child_rel = rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (dir, child_rel, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        list_files (dir, child_rel, out);
      else
        g_ptr_array_add (out, g_steal_pointer (&child_rel));
    }
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
files_of (const char *dir)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  list_files (dir, NULL, files);
  g_ptr_array_sort (files, compare_strings);
  return files;
}

static int
tiff_error_handler (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  GString *errors = user_data;
  g_string_append_vprintf (errors, fmt, ap);
  g_string_append (errors, "; ");
  return 1;
}

static int
tiff_quiet (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  return 1;
}

/* Opens and decodes every strip of every directory. */
static bool
tiff_is_complete (const char *path, GString *why)
{
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_error_handler, why);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_quiet, NULL);
  TIFF *tif = TIFFOpenExt (path, "r", opts);
  TIFFOpenOptionsFree (opts);
  if (tif == NULL)
    return false;
  bool ok = true;
  do
    {
      tmsize_t size = TIFFStripSize (tif);
      g_autofree guint8 *buf = g_malloc (size > 0 ? (gsize) size : 1);
      for (uint32_t s = 0; ok && s < TIFFNumberOfStrips (tif); s++)
        ok = TIFFReadEncodedStrip (tif, s, buf, size) > 0;
    }
  while (ok && TIFFReadDirectory (tif));
  TIFFClose (tif);
  return ok && why->len == 0;
}

/* Every final-named file in @out is complete. */
static void
assert_no_truncated_file (const char *out, const char *when)
{
  g_autoptr (GPtrArray) files = files_of (out);
  size_t n_final = 0;
  for (size_t i = 0; i < files->len; i++)
    {
      const char *rel = files->pdata[i];
      if (!is_final (rel))
        continue;
      n_final++;
      g_autofree char *path = g_build_filename (out, rel, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      if (g_str_has_suffix (rel, ".csv"))
        {
          if (len < 2 || data[len - 2] != '\r' || data[len - 1] != '\n')
            g_error ("%s: %s is truncated (no CRLF at the end)", when, rel);
        }
      else if (g_str_has_suffix (rel, ".pdf"))
        {
          gsize end = len;
          while (end > 0 && g_ascii_isspace (data[end - 1]))
            end--;
          if (end < 5 || memcmp (data + end - 5, "%%EOF", 5) != 0)
            g_error ("%s: %s is truncated (no %%%%EOF at the end)", when, rel);
        }
      else if (g_str_has_suffix (rel, ".tif"))
        {
          g_autoptr (GString) why = g_string_new (NULL);
          if (!tiff_is_complete (path, why))
            g_error ("%s: %s does not decode: %s", when, rel, why->str);
        }
    }
  g_test_message ("%s: %u files, %zu under final names", when, files->len, n_final);
}

/* rel -> sha256 of the final-named files. */
static GHashTable *
digests (const char *out)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) files = files_of (out);
  for (size_t i = 0; i < files->len; i++)
    {
      const char *rel = files->pdata[i];
      if (is_ledger (rel))
        continue;
      g_autofree char *path = g_build_filename (out, rel, NULL);
      g_autoptr (GError) error = NULL;
      char *sha = _ps_core_sha256_file (path, "file", PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN, &error);
      g_assert_no_error (error);
      g_hash_table_insert (table, g_strdup (rel), sha);
    }
  return table;
}

static void
test_crash_render_kill9 (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  const char *samples = ps_test_samples_dir ();

  /* The clean run; then a second one, timed (the first warms the font and
   * page caches) and compared (the batch is deterministic). */
  g_autofree char *clean = g_build_filename (dir, "clean", NULL);
  run_render (samples, clean);
  g_autoptr (GHashTable) expected = digests (clean);
  g_autofree char *clean2 = g_build_filename (dir, "clean2", NULL);
  gint64 start = g_get_monotonic_time ();
  run_render (samples, clean2);
  double clean_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_autoptr (GHashTable) again = digests (clean2);
  g_assert_cmpuint (g_hash_table_size (again), ==, g_hash_table_size (expected));
  g_test_message ("clean run: %.0f ms, %u files", clean_ms, g_hash_table_size (expected));
  g_assert_true (g_hash_table_contains (expected, "sheets.pdf"));
  g_assert_true (g_hash_table_contains (expected, "manifest.csv"));
  g_assert_true (g_hash_table_contains (expected, "tiff/0040.tif"));

  static const double fractions[] = { 0.0, 0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.85, 0.95 };
  size_t n_killed = 0;
  for (size_t k = 0; k < G_N_ELEMENTS (fractions); k++)
    {
      g_autofree char *name = g_strdup_printf ("kill-%zu", k);
      g_autofree char *out = g_build_filename (dir, name, NULL);
      gulong delay_us = (gulong) MAX (3000.0, fractions[k] * clean_ms * 1000.0);

      GPid pid = spawn_render (samples, out);
      g_usleep (delay_us);
      kill (pid, SIGKILL);
      int status = wait_child (pid);
      bool killed = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
      n_killed += killed ? 1 : 0;
      g_autofree char *when = g_strdup_printf ("after a kill at %.0f ms (%s)", delay_us / 1000.0,
                                               killed ? "killed" : "had finished");
      assert_no_truncated_file (out, when);

      /* A second kill on top of the first, a little later in the rerun. */
      if (k % 3 == 2)
        {
          pid = spawn_render (samples, out);
          g_usleep (delay_us / 2 + 3000);
          kill (pid, SIGKILL);
          wait_child (pid);
          g_autofree char *when2 = g_strdup_printf ("%s, then again", when);
          assert_no_truncated_file (out, when2);
        }

      /* The rerun completes the batch, byte for byte the clean one. */
      run_render (samples, out);
      g_autofree char *after = g_strdup_printf ("rerun %s", when);
      assert_no_truncated_file (out, after);
      g_autoptr (GHashTable) got = digests (out);
      GHashTableIter iter;
      gpointer key, value;
      g_hash_table_iter_init (&iter, expected);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const char *sha = g_hash_table_lookup (got, key);
          if (sha == NULL)
            g_error ("%s: %s is missing", after, (char *) key);
          if (strcmp (sha, value) != 0)
            g_error ("%s: %s differs from the clean run", after, (char *) key);
        }
      g_hash_table_iter_init (&iter, got);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (expected, key))
          {
            /* A temporary left behind by the killed run: not part of the
             * batch (never under a final name), but say so. */
            if (is_final (key))
              g_error ("%s: unexpected file %s", after, (char *) key);
            g_test_message ("%s: leftover temporary %s", after, (char *) key);
          }

      /* The ledger survived: it opens and knows the batch. */
      g_autofree char *ledger_path = g_build_filename (out, "ledger.sqlite", NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (PsLedger) ledger = ps_ledger_open (ledger_path, &error);
      g_assert_no_error (error);
      g_autoptr (PsLedgerStatus) recorded = ps_ledger_get_status (ledger, out, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ps_ledger_status_get_n_batches (recorded), ==, 1);
      const PsBatchStatus *b = ps_ledger_status_get_batch (recorded, 0);
      g_assert_cmpuint (b->pages, >, 0);
      g_assert_cmpuint (b->printed, ==, 0);
      g_autofree char *integrity = ps_test_sqlite_integrity (ledger_path);
      g_assert_cmpstr (integrity, ==, "ok");
    }
  g_test_message ("%zu of %zu runs were killed before they finished", n_killed,
                  G_N_ELEMENTS (fractions));
  g_assert_cmpuint (n_killed, >=, 4);
  ps_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crash/render/kill9", test_crash_render_kill9);
  return g_test_run ();
}
