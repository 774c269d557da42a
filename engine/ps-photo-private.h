/* ps-photo-private.h - the photo directory index behind ps_photo_find().
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  ps_photo_find() keeps one index per photos directory in a
 * process-wide cache; callers that look up many records in one directory
 * (ps-check) may also hold an index of their own.
 */
#ifndef PS_PHOTO_PRIVATE_H
#define PS_PHOTO_PRIVATE_H

#include "ps-private.h"

G_BEGIN_DECLS

/* Longest side a photo may declare, whatever the pixel limit. */
#define PS_PHOTO_MAX_DIMENSION 30000

typedef struct _PsPhotoIndex PsPhotoIndex;

/* Scans @photos_dir once: file stems (by 采集码 / 学号) of every .jpg .jpeg
 * .png .tif .tiff (any case).  The index is thread-safe and rescans itself
 * when the directory changes (mtime) or a lookup misses on a scan too recent
 * to trust.  Returns NULL with PS_PHOTO_ERROR_NOT_FOUND if the directory
 * cannot be read. */
PsPhotoIndex *_ps_photo_index_new (const char *photos_dir, GError **error);
/* Drops the reference from _ps_photo_index_new(). */
void _ps_photo_index_free (PsPhotoIndex *index);
/* Same contract as ps_photo_find(). */
char *_ps_photo_index_find (PsPhotoIndex *index, const PsRecord *record,
                            GError **error);

/* Drops the indexes cached by ps_photo_find() (tests, leak checkers);
 * lookups in progress keep theirs until they finish. */
void _ps_photo_cache_clear (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPhotoIndex, _ps_photo_index_free)

G_END_DECLS

#endif /* PS_PHOTO_PRIVATE_H */
