/* ps-photo-private.h - decoded photos and the photo directory index, for the
 * modules after check (colour, pipeline, writers).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  ps_photo_find() keeps one index per photos directory in a
 * process-wide cache; callers that look up many records in one directory
 * (ps-check) may also hold an index of their own.
 */
#ifndef PS_PHOTO_PRIVATE_H
#define PS_PHOTO_PRIVATE_H

#include "ps-core-private.h"
#include "ps-record-private.h"

G_BEGIN_DECLS

/* Longest side a photo may declare, whatever the pixel limit. */
#define PS_PHOTO_MAX_DIMENSION 30000
/* Largest photo file: an approved ID photo is tens of kB; a 40 Mpx 16-bit
 * TIFF is about 240 MB. */
#define PS_PHOTO_MAX_FILE_BYTES ((gint64) 256 << 20)

/* A decoded photo, as stored (not yet oriented or colour-converted). */
typedef struct {
  int     width;          /* pixels as stored */
  int     height;
  int     channels;       /* 1 gray, 3 RGB, 4 CMYK (alpha is flattened over white) */
  int     bits;           /* 8 or 16; 16-bit samples in native byte order */
  bool    adobe_inverted; /* CMYK JPEG written inverted (Adobe APP14) */
  size_t  stride;         /* bytes per row */
  guint8 *pixels;
  GBytes *icc;            /* embedded ICC profile, or NULL */
  int     orientation;    /* EXIF 1..8 */
} PsRawImage;

/* Decodes the whole photo after the same header checks as ps_photo_probe().
 * Thread-safe. */
PsRawImage *_ps_photo_decode (const char *path, const PsPhotoLimits *limits,
                              GError **error);
void _ps_raw_image_free (PsRawImage *image);
void _ps_photo_limits_resolve (const PsPhotoLimits *in, PsPhotoLimits *out);

/* The file's own bytes when they can go into a PDF as they are: an untagged,
 * upright, 3-channel JPEG is already what would be drawn (sRGB).  NULL
 * otherwise (transfer full). */
GBytes *_ps_photo_get_passthrough_jpeg (const PsRawImage *image, const char *path);

/* Encodes @height rows of packed 8-bit RGB or CMYK (0 = no ink; no Adobe
 * marker) as a baseline JPEG, 4:4:4, at @quality (1..100).  Thread-safe. */
GBytes *_ps_photo_encode_jpeg (const guint8 *data, size_t stride, int width, int height,
                               int channels, int quality, GError **error);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRawImage, _ps_raw_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPhotoIndex, _ps_photo_index_free)

G_END_DECLS

#endif /* PS_PHOTO_PRIVATE_H */
