/* ps-core.c - version, shutdown, data files, digests.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-core-private.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#if HAVE_NETTLE
#include <nettle/sha2.h>
#endif

const char *
ps_version (void)
{
  return PS_VERSION;
}

void
ps_shutdown (void)
{
  /* Drop what this thread and the process hold, so that a leak checker
   * sees only real leaks. */
  _ps_fonts_shutdown ();
  _ps_photo_cache_clear ();
  g_thread_pool_stop_unused_threads ();
}

/* The installed data dir, from where this code was loaded: the shared
 * library sits in PREFIX/LIBDIR, a program it is linked into statically in
 * PREFIX/BINDIR, and the data in PREFIX/DATADIR/photosheet.  Nothing of the
 * build machine is compiled in, so an install can be moved. */
static char *
find_installed_data_dir (void)
{
  Dl_info info;
  g_autofree char *self = NULL;
  g_autofree char *exe = realpath ("/proc/self/exe", NULL);

  if (dladdr ((void *) ps_version, &info) != 0 && info.dli_fname != NULL)
    self = realpath (info.dli_fname, NULL);

  const char *rel = PS_LIBDIR_TO_DATADIR;
  if (self == NULL || (exe != NULL && strcmp (self, exe) == 0))
    {
      g_clear_pointer (&self, g_free);
      self = g_steal_pointer (&exe);
      rel = PS_BINDIR_TO_DATADIR;
    }
  if (g_path_is_absolute (rel) || self == NULL)
    return g_strdup (rel);
  g_autofree char *dir = g_path_get_dirname (self);
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  return g_canonicalize_filename (path, NULL);
}

/* The build dir sets PHOTOSHEET_DATA_DIR (meson devenv, the tests) to the
 * source tree; an installed program uses the install's own data. */
const char *
_ps_core_get_data_dir (void)
{
  static gsize once;
  static char *dir;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("PHOTOSHEET_DATA_DIR");
      dir = env != NULL && *env != '\0' ? g_strdup (env) : find_installed_data_dir ();
      g_once_init_leave (&once, 1);
    }
  return dir;
}

char *
_ps_core_sha256 (const void *data, size_t len)
{
#if HAVE_NETTLE
  struct sha256_ctx ctx;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex = g_malloc (2 * SHA256_DIGEST_SIZE + 1);
  sha256_init (&ctx);
  sha256_update (&ctx, len, data);
  sha256_digest (&ctx, SHA256_DIGEST_SIZE, digest);
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
#else
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, data, (gssize) len);
  return g_strdup (g_checksum_get_string (sum));
#endif
}

char *
_ps_core_sha256_file (const char *path, const char *what, GQuark domain, int code,
                      GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *name = g_path_get_basename (path);
  FILE *fp = g_fopen (path, "rbe");
  if (fp == NULL)
    {
      int saved = errno;
      g_set_error (error, domain, code, "%s '%s' cannot be opened: %s", what, name,
                   g_strerror (saved));
      return NULL;
    }

  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (64 * 1024);
  size_t got;
  while ((got = fread (buf, 1, 64 * 1024, fp)) > 0)
    g_checksum_update (sum, buf, got);
  if (ferror (fp))
    {
      int saved = errno;
      fclose (fp);
      g_set_error (error, domain, code, "%s '%s' cannot be read: %s", what, name,
                   g_strerror (saved));
      return NULL;
    }
  fclose (fp);
  return g_strdup (g_checksum_get_string (sum));
}

static bool
fsync_open (const char *path, int flags, const char *what, GError **error)
{
  int fd = open (path, flags | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot open %s '%s': %s",
                   what, path, g_strerror (saved));
      return false;
    }
  int rc;
  do
    rc = fsync (fd);
  while (rc != 0 && errno == EINTR);
  int saved = errno;
  close (fd);
  /* A directory on a file system that cannot sync one says EINVAL: the
   * rename is then as durable as that file system makes it. */
  if (rc != 0 && !(saved == EINVAL && (flags & O_DIRECTORY)))
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot sync %s '%s': %s",
                   what, path, g_strerror (saved));
      return false;
    }
  return true;
}

bool
_ps_core_fsync_path (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, false);
  return fsync_open (path, O_RDONLY, "file", error);
}

bool
_ps_core_fsync_parent (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, false);
  g_autofree char *dir = g_path_get_dirname (path);
  return fsync_open (dir, O_RDONLY | O_DIRECTORY, "directory", error);
}

int
_ps_core_lock (const char *path, bool *busy, GError **error)
{
  g_return_val_if_fail (path != NULL && busy != NULL, -1);
  *busy = false;
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot open the lock file '%s': %s", path, g_strerror (saved));
      return -1;
    }
  int rc;
  do
    rc = flock (fd, LOCK_EX | LOCK_NB);
  while (rc != 0 && errno == EINTR);
  if (rc != 0)
    {
      int saved = errno;
      close (fd);
      *busy = saved == EWOULDBLOCK;
      if (*busy)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_AGAIN,
                     "'%s' is locked by another process", path);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                     "cannot lock '%s': %s", path, g_strerror (saved));
      return -1;
    }
  return fd;
}

void
_ps_core_unlock (int fd)
{
  if (fd >= 0)
    close (fd);
}

#if defined(PS_FAULT_INJECTION) && PS_FAULT_INJECTION
void
_ps_core_fault_point (const char *name)
{
  const char *fault = g_getenv ("PHOTOSHEET_FAULT");
  if (fault != NULL && strcmp (fault, name) == 0)
    raise (SIGKILL);
}
#endif
