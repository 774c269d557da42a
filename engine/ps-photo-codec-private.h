/* ps-photo-codec-private.h - what the photo codecs (ps-photo-jpeg.c, -png.c,
 * -tiff.c) share with ps-photo.c, which opens the file and picks the codec.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed; only the ps-photo*.c files include it.
 */
#ifndef PS_PHOTO_CODEC_PRIVATE_H
#define PS_PHOTO_CODEC_PRIVATE_H

#include "ps-photo-private.h"

#include <stdio.h>

G_BEGIN_DECLS

/* Refuses what a header declares before anything is allocated for it:
 * PS_PHOTO_ERROR_CORRUPT for sides <= 0, _TOO_LARGE above the limits. */
bool _ps_photo_check_declared_size (const char *name, gint64 width, gint64 height,
                                    const PsPhotoLimits *limits, GError **error);
/* An image buffer of the given shape, or NULL with PS_PHOTO_ERROR (overflow,
 * out of memory). */
PsRawImage *_ps_photo_raw_image_new (const char *name, int width, int height, int channels,
                                     int bits, GError **error);
/* EXIF orientation (1..8; 1 when absent or bad) from a TIFF-structured EXIF
 * block, without the "Exif\0\0" prefix of a JPEG APP1. */
int _ps_photo_exif_orientation (const guint8 *data, size_t len);
/* fdopen() for reading; closes @fd and sets an error on failure. */
FILE *_ps_photo_fdopen (int fd, const char *name, GError **error);
void _ps_photo_set_corrupt (GError **error, const char *name, const char *reason);

/* The codecs.  Each takes ownership of @fd (positioned at 0).  With @decode
 * false they only check the file (headers, a reduced-size decode where the
 * format allows it) and fill @info; with it they also return *@out. */
bool _ps_photo_jpeg_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
                          PsPhotoInfo *info, PsRawImage **out, GError **error);
bool _ps_photo_png_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
                         PsPhotoInfo *info, PsRawImage **out, GError **error);
bool _ps_photo_tiff_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
                          PsPhotoInfo *info, PsRawImage **out, GError **error);

G_END_DECLS

#endif /* PS_PHOTO_CODEC_PRIVATE_H */
