/* ps-file.c - bounded reading of regular input files.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One open file descriptor from start to end: the checks (fstat) and the read
 * concern the same file, whatever happens to the path meanwhile.
 */
#include "config.h"
#include "ps-file-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* The buffer behind a GBytes, with its size, so that the free function can
 * wipe it. */
typedef struct {
  size_t size;      /* bytes allocated in data */
  guint8 data[];
} WipedBlock;

static void
wiped_block_free (gpointer user_data)
{
  WipedBlock *block = user_data;
  /* memset followed by a call the compiler cannot see through (g_free) */
  memset (block->data, 0, block->size);
  g_free (block);
}

static const char *
describe_type (mode_t mode)
{
  if (S_ISDIR (mode))
    return "is a directory";
  if (S_ISFIFO (mode))
    return "is a named pipe (FIFO)";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "is a device";
  if (S_ISSOCK (mode))
    return "is a socket";
  return "is not a file";
}

bool
_ps_file_read_regular_full (const char *path, size_t max_bytes, const char *what,
                            GQuark domain, int code, int too_large_code,
                            GBytes **out, GError **error)
{
  g_return_val_if_fail (path != NULL, false);
  g_return_val_if_fail (what != NULL, false);
  g_return_val_if_fail (out != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
   * writer.  O_NOCTTY: a terminal device never becomes ours. */
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, domain, code, "%s '%s': cannot read: %s", what, path,
                   g_strerror (saved));
      return false;
    }

  struct stat st;
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, domain, code, "%s '%s': cannot read: %s", what, path,
                   g_strerror (saved));
      close (fd);
      return false;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, domain, code, "%s '%s': %s, not a regular file", what, path,
                   describe_type (st.st_mode));
      close (fd);
      return false;
    }
  if (st.st_size < 0 || (guint64) st.st_size > (guint64) max_bytes)
    {
      g_set_error (error, domain, too_large_code,
                   "%s '%s': file is %" G_GINT64_FORMAT " bytes, above the limit of %zu",
                   what, path, (gint64) st.st_size, max_bytes);
      close (fd);
      return false;
    }
  /* Blocking reads from here on (a regular file never blocks long, but a
   * network file system may return EAGAIN in non-blocking mode). */
  int flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fcntl (fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
    {
      int saved = errno;
      g_set_error (error, domain, code, "%s '%s': cannot read: %s", what, path,
                   g_strerror (saved));
      close (fd);
      return false;
    }

  /* One byte more than the size fstat gave: reading it means the file grew. */
  size_t expected = (size_t) st.st_size;
  size_t capacity = expected + 1;
  size_t alloc = 0;
  if (!g_size_checked_add (&alloc, sizeof (WipedBlock), capacity))
    {
      g_set_error (error, domain, too_large_code, "%s '%s': file is too large", what, path);
      close (fd);
      return false;
    }
  WipedBlock *block = g_try_malloc (alloc);
  if (block == NULL)
    {
      g_set_error (error, domain, code, "%s '%s': out of memory for %zu bytes", what, path,
                   expected);
      close (fd);
      return false;
    }
  block->size = capacity;

  size_t got = 0;
  while (got < capacity)
    {
      ssize_t n = read (fd, block->data + got, capacity - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, domain, code, "%s '%s': cannot read: %s", what, path,
                       g_strerror (saved));
          close (fd);
          wiped_block_free (block);
          return false;
        }
      if (n == 0)
        break;
      got += (size_t) n;
    }
  close (fd);

  if (got != expected)
    {
      bool grew = got > expected;
      g_set_error (error, domain, grew && expected >= max_bytes ? too_large_code : code,
                   "%s '%s': the file %s while it was read (it is still being written?); "
                   "try again when it is complete", what, path, grew ? "grew" : "shrank");
      wiped_block_free (block);
      return false;
    }

  *out = g_bytes_new_with_free_func (block->data, got, wiped_block_free, block);
  return true;
}

bool
_ps_file_read_regular (const char *path, size_t max_bytes, const char *what, GQuark domain,
                       int code, GBytes **out, GError **error)
{
  return _ps_file_read_regular_full (path, max_bytes, what, domain, code, code, out, error);
}
