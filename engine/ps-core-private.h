/* ps-core-private.h - what every module may use: data files, digests, the
 * fault hook of the test builds.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Cross-file symbols are `_ps_*` with hidden visibility (the
 * library is built with gnu_symbol_visibility 'hidden'; only PS_API symbols
 * are exported).  Includes no cairo, pango, lcms2 or sqlite header.
 */
#ifndef PS_CORE_PRIVATE_H
#define PS_CORE_PRIVATE_H

#include "photosheet.h"

G_BEGIN_DECLS

/* $PHOTOSHEET_DATA_DIR (build dirs: the source tree), else the installed
 * data dir found relative to the loaded library ($datadir/photosheet).
 * Holds layouts/ and fonts/.  Transfer none. */
const char *_ps_core_get_data_dir (void);

/* SHA-256 as 64 lowercase hex digits (transfer full).  Large buffers (page
 * rasters, 8 MB at 300 dpi) go through nettle and the CPU's SHA
 * instructions where the build has it; same digest either way. */
char *_ps_core_sha256 (const void *data, size_t len);
/* The digest of a file's bytes; on failure an error in @domain / @code
 * naming @what and the file's base name (the caller's module decides the
 * domain: a profile's digest fails as a colour error, a photo's as a photo
 * error). */
char *_ps_core_sha256_file (const char *path, const char *what, GQuark domain, int code,
                            GError **error);

/* Durability against a power cut, not only a killed process: fsync of a
 * file's bytes (opened read-only: it may have been written by another
 * library's handle) and of the directory that holds its name.  Errors in
 * G_FILE_ERROR, naming the path. */
bool _ps_core_fsync_path (const char *path, GError **error);
bool _ps_core_fsync_parent (const char *path, GError **error);

/* An advisory lock on @path (created mode 0644 if needed, never written),
 * held until _ps_core_unlock: flock(LOCK_EX | LOCK_NB), released by the
 * kernel when the process dies.  Returns: the descriptor, or -1 with
 * G_FILE_ERROR (*@busy set when another process holds the lock). */
int _ps_core_lock (const char *path, bool *busy, GError **error);
void _ps_core_unlock (int fd);

/* Fault injection for the crash tests, compiled only with
 * -Dfault_injection=true: PHOTOSHEET_FAULT=@name raises SIGKILL here.  A
 * no-op in every other build. */
#if defined(PS_FAULT_INJECTION) && PS_FAULT_INJECTION
void _ps_core_fault_point (const char *name);
#else
#define _ps_core_fault_point(name) ((void) 0)
#endif

/* Shutdown hooks of the modules that hold process-wide state. */
void _ps_fonts_shutdown (void);
void _ps_photo_cache_clear (void);

G_END_DECLS

#endif /* PS_CORE_PRIVATE_H */
