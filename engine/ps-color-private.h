/* ps-color-private.h - colour management (lcms2) for the pipeline and the
 * writers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Needs cairo (pages and photos are cairo image surfaces).
 */
#ifndef PS_COLOR_PRIVATE_H
#define PS_COLOR_PRIVATE_H

#include "ps-photo-private.h"

#include <cairo.h>

G_BEGIN_DECLS

/* Largest ICC profile read from a file: vendor profiles with big LUTs are a
 * few MB; nothing larger is a profile. */
#define PS_COLOR_MAX_PROFILE_BYTES ((size_t) 64 << 20)

typedef struct _PsColor PsColor;

/* Reads the printer profile at @path (a regular file of at most
 * PS_COLOR_MAX_PROFILE_BYTES), as bytes to validate, hash and keep.
 * Errors are PS_COLOR_ERROR_PROFILE naming the file. */
GBytes *_ps_color_read_profile (const char *path, GError **error);

/* @output_icc: the printer profile's bytes, NULL = sRGB; @name names it in
 * messages (its path).  Transforms are built lazily, once per (source
 * profile, format) and cached; a PsColor may be used from several threads. */
PsColor *_ps_color_new_from_icc (GBytes *output_icc, const char *name, PsIntent intent,
                                 bool bpc, GError **error);
/* The same with the profile read from @output_profile (NULL = sRGB). */
PsColor *_ps_color_new (const char *output_profile, PsIntent intent, bool bpc,
                        GError **error);
void _ps_color_free (PsColor *color);

/* Photo -> sRGB, oriented per EXIF, as a CAIRO_FORMAT_RGB24 surface.
 * Uses the embedded profile when there is a usable one, else sRGB (gray:
 * sRGB gray, CMYK: a generic CMYK).  Returns NULL with PS_COLOR_ERROR. */
cairo_surface_t *_ps_color_photo_to_surface (PsColor *color, const PsRawImage *image,
                                             GError **error);


/* sRGB page (RGB24 or ARGB32, opaque) -> output space, 8 bits per sample,
 * _ps_color_get_output_channels() samples per pixel, rows of @out_stride. */
bool _ps_color_page_to_output (PsColor *color, cairo_surface_t *page,
                               guint8 *out, size_t out_stride, GError **error);
/* Same, one row at a time (for streaming writers). */
void _ps_color_row_to_output (PsColor *color, const guint8 *argb_row, guint8 *out_row,
                              int width);

/* Soft proof: simulate the print on screen, in place on an sRGB surface. */
bool _ps_color_proof_surface (PsColor *color, cairo_surface_t *page, GError **error);

/* ---- device space: photos converted once, straight from their own profile ---- */

/* What a photo is converted to: the printer's space (the printed page, the
 * PDF) or sRGB (the PNG previews). */
typedef enum {
  PS_COLOR_TARGET_DEVICE,
  PS_COLOR_TARGET_SRGB,
} PsColorTarget;

/* Samples per pixel of @image's own space as _ps_color_convert_photo()
 * reads them: its channels (1 gray, 3 RGB, 4 CMYK, inverted like the file
 * when adobe_inverted). */
int _ps_color_photo_samples (const PsRawImage *image);
/* Converts @height rows of @width pixels of 16-bit samples in @image's own
 * space - its embedded profile when usable, else sRGB (RGB, gray as sRGB
 * gray) or the generic CMYK - straight to @target: the printer profile with
 * the batch's intent and black-point compensation, or sRGB (relative
 * colorimetric + BPC).  One transform, no 8-bit intermediate; 8-bit output
 * of _ps_color_get_target_channels() samples.  Any thread; transforms are
 * built once and cached.  Fails with PS_COLOR_ERROR_TRANSFORM. */
bool _ps_color_convert_photo (PsColor *color, const PsRawImage *image, PsColorTarget target,
                              const guint16 *src, size_t src_stride, int width, int height,
                              guint8 *dst, size_t dst_stride, GError **error);
/* 3 or 4: samples per pixel of @target. */
int _ps_color_get_target_channels (const PsColor *color, PsColorTarget target);
/* Soft proof of a device-space raster (rows of @width x output channels)
 * into packed sRGB: relative colorimetric without BPC (paper white shows as
 * white), or with @paper_white absolute colorimetric, so paper white and the
 * print's black show as they are on paper.  Any thread. */
bool _ps_color_proof_device (PsColor *color, bool paper_white, const guint8 *device,
                             size_t device_stride, int width, int height, guint8 *rgb,
                             size_t rgb_stride, GError **error);
/* One sRGB colour (0..1) in the printer's space, 8 bits (e.g. for a PDF
 * whose content must be in device space). */
void _ps_color_srgb_to_device (PsColor *color, const double rgb[3], guint8 *device);
/* Returns: (transfer none): our sRGB profile's bytes. */
GBytes *_ps_color_get_srgb_icc (const PsColor *color);

int _ps_color_get_output_channels (const PsColor *color);   /* 3 or 4 */
/* True when the output is our sRGB (pages are copied, not converted). */
bool _ps_color_output_is_srgb (const PsColor *color);
/* Returns: (transfer none): the output profile bytes, to embed. */
GBytes *_ps_color_get_output_icc (const PsColor *color);
/* Returns: (transfer none): description of the output profile. */
const char *_ps_color_get_output_name (const PsColor *color);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsColor, _ps_color_free)

G_END_DECLS

#endif /* PS_COLOR_PRIVATE_H */
