/* ps-test-util.c - helpers shared by the tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
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
  const char *dir = g_getenv ("PS_SAMPLES_DIR");
  g_assert_nonnull (dir);
  return dir;
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
          g_autofree char *data = NULL;
          gsize len = 0;
          g_assert_true (g_file_get_contents (src, &data, &len, NULL));
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
  const char *bin = g_getenv ("PHOTOSHEET_BIN");
  g_assert_nonnull (bin);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) bin);
  for (size_t i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  int status = 0;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                              out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
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

int
ps_test_run_shell (const char *cmdline, char **out)
{
  const char *argv[] = { "/bin/sh", "-c", cmdline, NULL };
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, NULL, &status,
                &error);
  g_assert_no_error (error);
  return exit_status (status);
}
