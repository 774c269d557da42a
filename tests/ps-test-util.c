/* ps-test-util.c - helpers shared by the tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <sqlite3.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/wait.h>

char *
ps_test_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("pstest-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

void
ps_test_rm_rf (const char *path)
{
  if (path == NULL)
    return;
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  if (dir != NULL && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          ps_test_rm_rf (child);
        }
      g_rmdir (path);
      return;
    }
  g_unlink (path);
}

char *
ps_test_data_path (const char *name)
{
  const char *src = g_getenv ("G_TEST_SRCDIR");
  return g_build_filename (src ? src : ".", "data", name, NULL);
}

const char *
ps_test_samples_dir (void)
{
  return ps_test_getenv ("PS_SAMPLES_DIR");
}

static void
copy_tree (const char *from, const char *to)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  g_assert_nonnull (dir);
  g_mkdir_with_parents (to, 0755);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree (src, dst);
      else
        {
          gsize len = 0;
          g_autofree char *data = ps_test_read_file (src, &len);
          ps_test_write_file (dst, data, (gssize) len);
        }
    }
}

char *
ps_test_copy_samples (void)
{
  char *dir = ps_test_tmpdir ();
  copy_tree (ps_test_samples_dir (), dir);
  return dir;
}

static int
exit_status (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  return -1;
}

int
ps_test_run_cli (const char *const *args, char **out, char **err)
{
  return ps_test_run_cli_env (args, NULL, out, err);
}

int
ps_test_run_cli_env (const char *const *args, const char *const *env, char **out, char **err)
{
  const char *bin = ps_test_getenv ("PHOTOSHEET_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) bin);
  for (size_t i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* Output is always captured: a child writing to the test's own stdout
   * would corrupt the TAP stream. */
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;
  g_auto (GStrv) envp = g_get_environ ();
  for (size_t i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');
      g_assert_nonnull (eq);
      g_autofree char *name = g_strndup (env[i], (gsize) (eq - env[i]));
      envp = g_environ_setenv (envp, name, eq + 1, TRUE);
    }
  gboolean ok = g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                              &o, &e, &status, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return exit_status (status);
}

void
ps_test_write_file (const char *path, const char *data, gssize len)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (path);
  g_mkdir_with_parents (parent, 0755);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

char *
ps_test_read_file (const char *path, gsize *len)
{
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  g_file_get_contents (path, &data, len, &error);
  g_assert_no_error (error);
  return data;
}

GBytes *
ps_test_read_bytes (const char *path)
{
  gsize len = 0;
  char *data = ps_test_read_file (path, &len);
  return g_bytes_new_take (data, len);
}

const char *
ps_test_getenv (const char *name)
{
  const char *value = g_getenv (name);
  if (value == NULL)
    g_test_message ("%s is not set: run the test through meson test", name);
  g_assert_nonnull (value);
  return value;
}

void
ps_test_dir_setup (PsTestDirFixture *f, gconstpointer data)
{
  f->dir = ps_test_tmpdir ();
}

void
ps_test_dir_teardown (PsTestDirFixture *f, gconstpointer data)
{
  ps_test_rm_rf (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

int
ps_test_run_shell (const char *cmdline, char **out)
{
  const char *argv[] = { "/bin/sh", "-c", cmdline, NULL };
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &status,
                &error);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  g_assert_no_error (error);
  return exit_status (status);
}

const char *const ps_test_full_names[PS_TEST_N_FULL] = {
  "张三丰", "欧阳娜娜", "买买提·艾力", "王小𠮷", "李四",
};
const char *const ps_test_full_ids[PS_TEST_N_FULL] = {
  "11010519491231002X", "440301199001011234", "650102198807070315",
  "110105491231002", "320106200001019876",
};

char *
ps_test_write_old_mode_roster (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);
  for (size_t i = 0; i < PS_TEST_N_FULL; i++)
    {
      g_auto (GStrv) cells = g_strsplit (lines[i + 1], ",", -1);
      g_free (cells[7]);
      cells[7] = g_strdup (ps_test_full_names[i]);
      g_free (cells[3]);
      cells[3] = g_strdup (ps_test_full_ids[i]);
      g_free (lines[i + 1]);
      lines[i + 1] = g_strjoinv (",", cells);
    }
  g_autofree char *joined = g_strjoinv ("\r\n", lines);
  char *old = g_build_filename (dir, "old.csv", NULL);
  ps_test_write_file (old, joined, -1);
  return old;
}

GPtrArray *
ps_test_read_manifest (const char *out_dir)
{
  g_autofree char *path = g_build_filename (out_dir, "manifest.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "page,kind,class,seq,xh,cjm,name_masked,id_last4,photo_sha256,"
                   "position,first_slot,copies,slots_empty,x_mm,y_mm,width_mm,height_mm");
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (size_t i = 1; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (rows, g_strsplit (lines[i], ",", -1));
  return rows;
}

bool
ps_test_find_full_value (const char *data, size_t len, const char **which)
{
  for (size_t i = 0; i < PS_TEST_N_FULL; i++)
    {
      const char *name = ps_test_full_names[i];
      glong n16 = 0;
      g_autofree gunichar2 *le = g_utf8_to_utf16 (name, -1, NULL, &n16, NULL);
      g_autofree gunichar2 *be = g_memdup2 (le, (gsize) n16 * 2);
      for (glong k = 0; k < n16; k++)
        be[k] = GUINT16_SWAP_LE_BE (be[k]);
      g_autofree char *id_head = g_strndup (ps_test_full_ids[i], 12);
      const char *hit = NULL;
      if (memmem (data, len, name, strlen (name)) != NULL
          || memmem (data, len, le, (size_t) n16 * 2) != NULL
          || memmem (data, len, be, (size_t) n16 * 2) != NULL)
        hit = name;
      else if (memmem (data, len, id_head, strlen (id_head)) != NULL)
        hit = ps_test_full_ids[i];
      if (hit != NULL)
        {
          if (which != NULL)
            *which = hit;
          return true;
        }
    }
  return false;
}

char *
ps_test_sqlite_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  char *result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

PsBatch *
ps_test_batch_new (const char *dir, const char *layout_name, const PsBatchOptions *options)
{
  g_autofree char *roster_path = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRoster) roster = ps_roster_load (roster_path, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (PsLayout) layout = ps_layout_load (layout_name, &error);
  g_assert_no_error (error);
  g_autoptr (PsCheck) check = ps_check_run (roster, layout, photos, NULL, &error);
  g_assert_no_error (error);
  PsBatch *batch = ps_batch_new (check, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (batch);
  return batch;
}

static void
digest_tree (const char *root, const char *rel, GHashTable *out)
{
  g_autofree char *path = rel[0] ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = rel[0] ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      if (g_str_has_prefix (name, "ledger.sqlite"))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        digest_tree (root, child_rel, out);
      else
        {
          g_autoptr (GError) error = NULL;
          char *sha = _ps_core_sha256_file (child, "file", PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO,
                                            &error);
          g_assert_no_error (error);
          g_hash_table_insert (out, g_steal_pointer (&child_rel), sha);
        }
    }
}

GHashTable *
ps_test_dir_digests (const char *dir)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  digest_tree (dir, "", out);
  return out;
}

void
ps_test_assert_same_digests (GHashTable *a, GHashTable *b, const char *label)
{
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *other = g_hash_table_lookup (b, key);
      if (g_strcmp0 (other, value) != 0)
        g_error ("%s: %s differs (%s vs %s)", label, (char *) key, (char *) value,
                 other ? other : "missing");
    }
  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
}
