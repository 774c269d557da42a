/* replay-main.c - runs a fuzz target over files, without libFuzzer.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: fuzz-TARGET [--tap] PATH...
 * Each PATH is a file or a directory (its regular files, sorted, not
 * recursive).  Every file is one input to LLVMFuzzerTestOneInput(); the run
 * prints TAP ("ok N - name") so that meson shows each seed and crasher.  A
 * crash, a sanitizer report or an abort fails the whole test, as it should.
 */
#include "fuzz-util.h"

#include <stdio.h>
#include <string.h>

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
collect (const char *path, GPtrArray *files)
{
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (name[0] != '.' && g_file_test (child, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (found, g_steal_pointer (&child));
    }
  g_ptr_array_sort (found, compare_paths);
  for (size_t i = 0; i < found->len; i++)
    g_ptr_array_add (files, g_strdup (found->pdata[i]));
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--tap") != 0)
      collect (argv[i], files);

  printf ("1..%u\n", files->len);
  if (files->len == 0)
    {
      printf ("Bail out! no inputs (give files or a corpus directory)\n");
      return 1;
    }
  fflush (stdout);
  for (size_t i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr (GError) error = NULL;
      g_autofree char *base = g_path_get_basename (path);
      if (!g_file_get_contents (path, &data, &len, &error))
        {
          printf ("not ok %zu - %s: %s\n", i + 1, base, error->message);
          continue;
        }
      /* A copy of exactly @len bytes, so that ASan sees any over-read. */
      g_autofree guint8 *copy = g_memdup2 (data, len > 0 ? len : 1);
      LLVMFuzzerTestOneInput (copy, len);
      printf ("ok %zu - %s (%zu bytes)\n", i + 1, base, (size_t) len);
      fflush (stdout);
    }
  return 0;
}
