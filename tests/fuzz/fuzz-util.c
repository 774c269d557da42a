/* fuzz-util.c - the temp dir and GLib set-up shared by the fuzz targets.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "fuzz-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp_dir;
static GHashTable *paths;   /* name -> full path */

static void
remove_tmp_dir (void)
{
  if (tmp_dir == NULL)
    return;
  g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (tmp_dir, name, NULL);
      g_unlink (child);
    }
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  g_clear_pointer (&paths, g_hash_table_unref);
}

void
ps_fuzz_init (void)
{
  static bool done;
  if (done)
    return;
  done = true;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
  g_log_set_fatal_mask ("photosheet", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
  g_unsetenv ("G_MESSAGES_DEBUG");
  /* The layouts and fonts of the source tree, wherever we run from. */
  if (g_getenv ("PHOTOSHEET_DATA_DIR") == NULL)
    g_setenv ("PHOTOSHEET_DATA_DIR", PS_FUZZ_DATA_DIR, FALSE);
}

const char *
ps_fuzz_write_file (const char *name, const uint8_t *data, size_t size)
{
  if (tmp_dir == NULL)
    {
      GError *error = NULL;
      tmp_dir = g_dir_make_tmp ("psfuzz-XXXXXX", &error);
      if (tmp_dir == NULL)
        {
          fprintf (stderr, "fuzz: cannot create a temp dir: %s\n", error->message);
          abort ();
        }
      paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      atexit (remove_tmp_dir);
    }
  char *path = g_hash_table_lookup (paths, name);
  if (path == NULL)
    {
      path = g_build_filename (tmp_dir, name, NULL);
      g_hash_table_insert (paths, g_strdup (name), path);
    }

  /* Plain write(2): no GLib temp-and-rename on every input. */
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      fprintf (stderr, "fuzz: cannot write %s: %s\n", path, g_strerror (errno));
      abort ();
    }
  size_t done = 0;
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          fprintf (stderr, "fuzz: cannot write %s: %s\n", path, g_strerror (errno));
          abort ();
        }
      done += (size_t) n;
    }
  close (fd);
  return path;
}

void
ps_fuzz_load_roster (const char *path)
{
  static char *photos;
  if (photos == NULL)
    {
      /* An empty photos dir beside the inputs: every lookup misses, safely. */
      static const uint8_t nothing[1] = { 0 };
      g_autofree char *dir = g_path_get_dirname (ps_fuzz_write_file ("marker", nothing, 0));
      photos = g_build_filename (dir, "photos", NULL);
      g_mkdir (photos, 0700);
    }

  PsRosterOptions options = { .max_bytes = 4 << 20, .max_field_bytes = 4096 };
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRoster) roster = ps_roster_load (path, &options, &error);
  if (roster == NULL)
    {
      g_assert (error != NULL && error->domain == PS_ROSTER_ERROR);
      return;
    }
  g_assert (error == NULL);

  /* Everything a record offers, and the masking promise on the way. */
  for (size_t i = 0; i < ps_roster_get_n_records (roster); i++)
    {
      const PsRecord *record = ps_roster_get_record (roster, i);
      for (int f = 0; f < PS_N_FIELDS; f++)
        {
          const char *value = ps_record_get (record, (PsField) f);
          if (value != NULL)
            g_assert (g_utf8_validate (value, -1, NULL) && value[0] != '\0');
        }
      const char *id = ps_record_get (record, PS_FIELD_ZJHM);
      if (id != NULL)
        g_assert (g_utf8_strlen (id, -1) <= 4);
    }
  for (size_t i = 0; i < ps_roster_get_n_problems (roster); i++)
    {
      const PsProblem *problem = ps_roster_get_problem (roster, i);
      g_assert (problem->reason != NULL && problem->row >= 0);
    }

  /* The preflight over the same records, on the default layout. */
  static PsLayout *layout;
  if (layout == NULL)
    layout = ps_layout_load ("default", NULL);
  g_assert (layout != NULL);
  g_autoptr (PsCheck) check = ps_check_run (roster, layout, photos, NULL, &error);
  g_assert (check != NULL);
  g_assert (ps_check_get_n_printable (check) <= ps_roster_get_n_records (roster));
}
