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

/* An sRGB surface in the printer's own RGB (an RGB output profile), as a new
 * RGB24 surface: what a PDF for that printer must carry so that nothing
 * downstream converts it again.  Any thread. */
cairo_surface_t *_ps_color_surface_to_device_rgb (PsColor *color, cairo_surface_t *srgb);

/* sRGB page (RGB24 or ARGB32, opaque) -> output space, 8 bits per sample,
 * _ps_color_get_output_channels() samples per pixel, rows of @out_stride. */
bool _ps_color_page_to_output (PsColor *color, cairo_surface_t *page,
                               guint8 *out, size_t out_stride, GError **error);
/* Same, one row at a time (for streaming writers). */
void _ps_color_row_to_output (PsColor *color, const guint8 *argb_row, guint8 *out_row,
                              int width);

/* Soft proof: simulate the print on screen, in place on an sRGB surface. */
bool _ps_color_proof_surface (PsColor *color, cairo_surface_t *page, GError **error);

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
