/* ps-file-private.h - bounded reading of input files (rosters, profiles, photos).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Every file photosheet reads whole comes from outside: a
 * path may name a FIFO that never ends, /dev/zero, a directory, or a file
 * still being written.  _ps_file_read_regular() reads only regular files, no
 * larger than a limit known before the first byte is read, and the same size
 * from start to end.
 */
#ifndef PS_FILE_PRIVATE_H
#define PS_FILE_PRIVATE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

G_BEGIN_DECLS

/**
 * _ps_file_read_regular:
 * @path: the file; a symbolic link to a regular file is followed
 * @max_bytes: the largest size accepted, in bytes (0 = no file but an empty one)
 * @what: what the file is for the user: "roster", "profile", "photo"
 * @domain, @code: the error set on any failure
 * @out: (out) (transfer full): the bytes
 *
 * Opens @path without blocking (a FIFO without a writer does not hang), and
 * refuses anything but a regular file (FIFO, device such as /dev/zero,
 * directory, socket), a file above @max_bytes before reading it, and a file
 * whose size changes while it is read (one still being copied or written).
 * Messages name @what and @path: "roster 'a.csv': is a directory, not a
 * regular file".
 *
 * The buffer of *@out is wiped (zeroed) when the last reference is dropped:
 * rosters hold full names and ID numbers.
 *
 * Returns: true with *@out set, or false with @error set (*@out untouched).
 */
bool _ps_file_read_regular (const char *path, size_t max_bytes, const char *what,
                            GQuark domain, int code, GBytes **out, GError **error);

/* Same, with a separate error code for a file above @max_bytes (or growing
 * past it while read), e.g. PS_ROSTER_ERROR_TOO_LARGE. */
bool _ps_file_read_regular_full (const char *path, size_t max_bytes, const char *what,
                                 GQuark domain, int code, int too_large_code,
                                 GBytes **out, GError **error);

G_END_DECLS

#endif /* PS_FILE_PRIVATE_H */
