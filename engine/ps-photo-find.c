/* ps-photo-find.c - which file is a student's photo: the photos directory
 * index behind ps_photo_find(), confined to the directory.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-photo-codec-private.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* How long after a directory change a scan is not trusted to be complete
 * (mtime granularity, git's "racy" problem). */
#define INDEX_RACY_USEC (2 * G_USEC_PER_SEC)


struct _PsPhotoIndex {
  gatomicrefcount ref;       /* the cache holds one; each lookup one more */
  char *dir;                 /* as given */
  char *real_prefix;         /* realpath(dir) + "/" */
  GMutex lock;               /* guards everything below */
  GHashTable *stems;         /* stem -> file name (best extension) */
  GHashTable *folded;        /* ASCII-lowercased stem -> file name */
  struct timespec mtime;     /* of the directory at the last scan */
  gint64 scanned_at;         /* g_get_real_time() of the last scan */
};

static const char *const photo_extensions[] = { "jpg", "jpeg", "png", "tif", "tiff" };

/* Rank of a file name's extension (0 best), -1 if not a photo.  *stem_len
 * gets the length before the dot. */
static int
photo_extension_rank (const char *file, size_t *stem_len)
{
  const char *dot = strrchr (file, '.');
  if (dot == NULL || dot == file)
    return -1;
  for (size_t i = 0; i < G_N_ELEMENTS (photo_extensions); i++)
    if (g_ascii_strcasecmp (dot + 1, photo_extensions[i]) == 0)
      {
        *stem_len = (size_t) (dot - file);
        return (int) i;
      }
  return -1;
}

/* Keeps the better of two files with the same stem: extension order, then
 * byte order of the name (so "A.JPG" vs "A.jpg" does not depend on readdir). */
static void
stem_table_offer (GHashTable *table, char *key, const char *file)
{
  const char *have = g_hash_table_lookup (table, key);
  if (have != NULL)
    {
      size_t unused;
      int a = photo_extension_rank (file, &unused);
      int b = photo_extension_rank (have, &unused);
      if (a > b || (a == b && strcmp (file, have) >= 0))
        {
          g_free (key);
          return;
        }
    }
  g_hash_table_replace (table, key, g_strdup (file));
}

static bool
index_scan_unlocked (PsPhotoIndex *index, GError **error)
{
  struct stat st;
  GError *local = NULL;

  /* stat before reading: a change during the scan makes the next lookup see
   * a newer mtime and rescan. */
  if (g_stat (index->dir, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                   "photos directory '%s' cannot be read: %s", index->dir,
                   g_strerror (saved));
      return false;
    }
  gint64 now = g_get_real_time ();
  GDir *dir = g_dir_open (index->dir, 0, &local);
  if (dir == NULL)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                   "photos directory '%s' cannot be read: %s", index->dir,
                   local->message);
      g_error_free (local);
      return false;
    }

  g_hash_table_remove_all (index->stems);
  g_hash_table_remove_all (index->folded);
  const char *file;
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      size_t stem_len = 0;
      if (photo_extension_rank (file, &stem_len) < 0 || stem_len == 0)
        continue;
      stem_table_offer (index->stems, g_strndup (file, stem_len), file);
      char *folded = g_strndup (file, stem_len);
      for (char *p = folded; *p; p++)
        *p = g_ascii_tolower (*p);
      stem_table_offer (index->folded, folded, file);
    }
  g_dir_close (dir);

  index->mtime = st.st_mtim;
  index->scanned_at = now;
  return true;
}

PsPhotoIndex *
_ps_photo_index_new (const char *photos_dir, GError **error)
{
  g_return_val_if_fail (photos_dir != NULL, NULL);

  char *real = realpath (photos_dir, NULL);
  if (real == NULL)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                   "photos directory '%s' cannot be read: %s", photos_dir,
                   g_strerror (saved));
      return NULL;
    }

  PsPhotoIndex *index = g_new0 (PsPhotoIndex, 1);
  g_atomic_ref_count_init (&index->ref);
  index->dir = g_strdup (photos_dir);
  index->real_prefix = g_str_has_suffix (real, "/") ? g_strdup (real)
                                                     : g_strconcat (real, "/", NULL);
  free (real);
  g_mutex_init (&index->lock);
  index->stems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  index->folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!index_scan_unlocked (index, error))
    {
      _ps_photo_index_free (index);
      return NULL;
    }
  return index;
}

static PsPhotoIndex *
index_ref (PsPhotoIndex *index)
{
  g_atomic_ref_count_inc (&index->ref);
  return index;
}

/* Drops the caller's reference (the last one frees). */
void
_ps_photo_index_free (PsPhotoIndex *index)
{
  if (index == NULL || !g_atomic_ref_count_dec (&index->ref))
    return;
  g_free (index->dir);
  g_free (index->real_prefix);
  g_clear_pointer (&index->stems, g_hash_table_unref);
  g_clear_pointer (&index->folded, g_hash_table_unref);
  g_mutex_clear (&index->lock);
  g_free (index);
}

/* Rescans if the directory changed since the last scan, or (@missed) if
 * the last scan was too close to the last change to be trusted. */
static void
index_refresh_unlocked (PsPhotoIndex *index, bool missed)
{
  struct stat st;
  if (g_stat (index->dir, &st) != 0)
    return;
  bool changed = st.st_mtim.tv_sec != index->mtime.tv_sec
                 || st.st_mtim.tv_nsec != index->mtime.tv_nsec;
  gint64 mtime_us = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC
                    + st.st_mtim.tv_nsec / 1000;
  bool racy = index->scanned_at < mtime_us + INDEX_RACY_USEC;
  if (changed || (missed && racy))
    index_scan_unlocked (index, NULL);
}

static void
index_refresh (PsPhotoIndex *index, bool missed)
{
  g_mutex_lock (&index->lock);
  index_refresh_unlocked (index, missed);
  g_mutex_unlock (&index->lock);
}

/* Exact stem first, then ASCII case-insensitively ("a1b2..." for "A1B2..."). */
static char *
index_lookup (PsPhotoIndex *index, const char *stem)
{
  g_mutex_lock (&index->lock);
  index_refresh_unlocked (index, false);
  const char *file = g_hash_table_lookup (index->stems, stem);
  if (file == NULL)
    {
      char *folded = g_ascii_strdown (stem, -1);
      file = g_hash_table_lookup (index->folded, folded);
      g_free (folded);
    }
  char *found = g_strdup (file);
  g_mutex_unlock (&index->lock);
  return found;
}

/* A photo column must be a plain relative path: no leading '/', '\' or
 * drive, no ".." component (either separator). */
static bool
relative_path_is_safe (const char *rel)
{
  if (rel[0] == '/' || rel[0] == '\\' || g_path_is_absolute (rel)
      || (g_ascii_isalpha (rel[0]) && rel[1] == ':'))
    return false;
  for (const char *p = rel; *p != '\0';)
    {
      size_t len = strcspn (p, "/\\");
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return false;
      p += len;
      if (*p != '\0')
        p++;
    }
  return true;
}

typedef enum {
  RESOLVE_OK,
  RESOLVE_MISSING,
  RESOLVE_UNSAFE,
} ResolveResult;

/* Resolves @path (inside the index's directory by construction) and checks
 * that what it names, symlinks followed, is a regular file under it. */
static ResolveResult
index_resolve (PsPhotoIndex *index, const char *path)
{
  char *real = realpath (path, NULL);
  if (real == NULL)
    return RESOLVE_MISSING;
  bool inside = g_str_has_prefix (real, index->real_prefix);
  struct stat st;
  bool regular = g_stat (real, &st) == 0 && S_ISREG (st.st_mode);
  free (real);
  if (!inside)
    return RESOLVE_UNSAFE;
  return regular ? RESOLVE_OK : RESOLVE_MISSING;
}

static void
set_unsafe (GError **error, const char *what)
{
  g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSAFE_PATH,
               "photo '%s' is outside the photos directory", what);
}

char *
_ps_photo_index_find (PsPhotoIndex *index, const PsRecord *record, GError **error)
{
  g_return_val_if_fail (index != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const char *photo = ps_record_get (record, PS_FIELD_PHOTO);
  const char *cjm = ps_record_get (record, PS_FIELD_CJM);
  const char *xh = ps_record_get (record, PS_FIELD_XH);

  /* 1. The photo column, relative to the directory. */
  if (photo != NULL && *photo != '\0')
    {
      if (!relative_path_is_safe (photo))
        {
          set_unsafe (error, photo);
          return NULL;
        }
      char *path = g_build_filename (index->dir, photo, NULL);
      switch (index_resolve (index, path))
        {
        case RESOLVE_OK:
          return path;
        case RESOLVE_UNSAFE:
          g_free (path);
          set_unsafe (error, photo);
          return NULL;
        case RESOLVE_MISSING:
        default:
          g_free (path);
          break;
        }
    }

  /* 2. By stem: 采集码, then 学号.  A miss (or a hit that has vanished) is
   * retried once on a fresh scan when the index may be stale. */
  const char *stems[] = { cjm, xh };
  for (int attempt = 0; attempt < 2; attempt++)
    {
      if (attempt > 0)
        index_refresh (index, true);
      for (size_t i = 0; i < G_N_ELEMENTS (stems); i++)
        {
          if (stems[i] == NULL || *stems[i] == '\0')
            continue;
          g_autofree char *file = index_lookup (index, stems[i]);
          if (file == NULL)
            continue;
          char *path = g_build_filename (index->dir, file, NULL);
          switch (index_resolve (index, path))
            {
            case RESOLVE_OK:
              return path;
            case RESOLVE_UNSAFE:
              g_free (path);
              set_unsafe (error, file);
              return NULL;
            case RESOLVE_MISSING:
            default:
              g_free (path);
              break;
            }
        }
    }

  GString *looked = g_string_new (NULL);
  if (photo != NULL && *photo != '\0')
    g_string_append_printf (looked, "%s", photo);
  if (cjm != NULL && *cjm != '\0')
    g_string_append_printf (looked, "%s%s.*", looked->len ? ", " : "", cjm);
  if (xh != NULL && *xh != '\0')
    g_string_append_printf (looked, "%s%s.*", looked->len ? ", " : "", xh);
  if (looked->len == 0)
    g_set_error_literal (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                         "photo not found (record has no photo, cjm or xh)");
  else
    g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                 "photo not found (looked for %s)", looked->str);
  g_string_free (looked, TRUE);
  return NULL;
}

/* ps_photo_find(): one index per directory, kept for the process.  The cache
 * lock only covers the table; lookups run on a reference, so threads do not
 * queue behind each other's realpath() calls and clearing the cache never
 * frees an index in use. */
static GMutex cache_lock;
static GHashTable *cache;   /* dir as given -> PsPhotoIndex* (one reference) */

void
_ps_photo_cache_clear (void)
{
  g_mutex_lock (&cache_lock);
  GHashTable *old = g_steal_pointer (&cache);
  g_mutex_unlock (&cache_lock);
  g_clear_pointer (&old, g_hash_table_unref);
}

char *
ps_photo_find (const char *photos_dir, const PsRecord *record, GError **error)
{
  g_return_val_if_fail (photos_dir != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) _ps_photo_index_free);
  PsPhotoIndex *index = g_hash_table_lookup (cache, photos_dir);
  if (index == NULL)
    {
      /* Scanned under the lock: a batch's first lookups all want it. */
      index = _ps_photo_index_new (photos_dir, error);
      if (index == NULL)
        {
          g_mutex_unlock (&cache_lock);
          return NULL;
        }
      g_hash_table_insert (cache, g_strdup (photos_dir), index);
    }
  index_ref (index);
  g_mutex_unlock (&cache_lock);

  char *path = _ps_photo_index_find (index, record, error);
  _ps_photo_index_free (index);
  return path;
}
