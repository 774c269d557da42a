/* ps-output.c - the file plumbing every writer shares: atomic writes,
 * directories, stale pages; and the names of the output formats.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every file appears under its final name only when complete (written under
 * a temporary name, then renamed), and the same inputs give the same bytes:
 * no clocks, no random names inside files.
 */
#include "config.h"
#include "ps-output-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK (ps-output-error-quark, ps_output_error)

char *
_ps_output_part_path (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.part", base);
  return g_build_filename (dir, name, NULL);
}

/* Power loss, not only a killed process: the bytes reach the disk before
 * the name does (else a crash can leave the final name on an empty file),
 * and the rename itself is made durable by syncing the directory. */
bool
_ps_output_commit_part (const char *part, const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!_ps_core_fsync_path (part, &local))
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "%s", local->message);
      g_unlink (part);
      return false;
    }
  if (g_rename (part, path) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot rename '%s' to '%s': %s",
                   part, path, g_strerror (saved));
      g_unlink (part);
      return false;
    }
  if (!_ps_core_fsync_parent (path, &local))
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "%s", local->message);
      return false;
    }
  return true;
}

bool
_ps_output_write_atomically (const char *path, const char *data, size_t len, GError **error)
{
  g_autoptr (GError) local = NULL;
  /* A temporary file, fsync (DURABLE: always, not only when the file
   * existed before), rename; then the directory. */
  if (!g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local)
      || !_ps_core_fsync_parent (path, &local))
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "%s", local->message);
      return false;
    }
  return true;
}

bool
_ps_output_make_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot create directory '%s': %s",
                   path, g_strerror (saved));
      return false;
    }
  return true;
}

void
_ps_output_remove_stale_pages (const char *dir, const char *suffix, size_t n_pages)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      guint64 number = 0;
      const char *end = NULL;
      if (!g_str_has_suffix (name, suffix) || strlen (name) != 4 + strlen (suffix))
        continue;
      number = g_ascii_strtoull (name, (char **) &end, 10);
      if (end != name + 4 || number <= n_pages)
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
}

bool
ps_output_formats_from_string (const char *s, PsFormats *formats)
{
  g_return_val_if_fail (s != NULL && formats != NULL, false);
  g_auto (GStrv) parts = g_strsplit (s, ",", -1);
  PsFormats found = 0;
  for (size_t i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (strcmp (parts[i], "pdf") == 0)
        found |= PS_FORMAT_PDF;
      else if (strcmp (parts[i], "tiff") == 0 || strcmp (parts[i], "tif") == 0)
        found |= PS_FORMAT_TIFF;
      else if (strcmp (parts[i], "png") == 0)
        found |= PS_FORMAT_PNG;
      else if (strcmp (parts[i], "proof") == 0)
        found |= PS_FORMAT_PROOF | PS_FORMAT_PNG;
      else if (strcmp (parts[i], "proof-paper") == 0)
        found |= PS_FORMAT_PROOF_PAPER | PS_FORMAT_PROOF | PS_FORMAT_PNG;
      else
        return false;
    }
  if (found == 0)
    return false;
  *formats = found;
  return true;
}

bool
ps_output_tiff_compression_from_string (const char *s, PsTiffCompression *compression)
{
  static const struct { const char *name; PsTiffCompression value; } names[] = {
    { "default", PS_TIFF_COMPRESSION_DEFAULT },
    { "none", PS_TIFF_COMPRESSION_NONE },
    { "lzw", PS_TIFF_COMPRESSION_LZW },
    { "deflate", PS_TIFF_COMPRESSION_DEFLATE },
    { "zip", PS_TIFF_COMPRESSION_DEFLATE },
  };
  g_return_val_if_fail (s != NULL && compression != NULL, false);
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (s, names[i].name) == 0)
      {
        *compression = names[i].value;
        return true;
      }
  return false;
}
