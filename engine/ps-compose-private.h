/* ps-compose-private.h - pages composed in the printer's space: photo blocks
 * converted once, paper, and a coverage mask of the ink.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Needs no cairo: the mask is plain A8 bytes.
 *
 * A raster page is never drawn in sRGB and converted afterwards.  It is
 * composed directly in the device space from
 *  - paper white (device white: RGB 255, CMYK 0 - no transform);
 *  - photo blocks: each student's photo resampled once to the slot size in
 *    its *own* colour space (16 bits a sample) and converted once by lcms2
 *    from its own profile to the printer profile; the block is copied into
 *    every slot of that student;
 *  - the ink: text, cut marks, rules and tabs, drawn by cairo as a coverage
 *    mask (A8) and composited as device black - K only on a CMYK device
 *    (C = M = Y = 0 under full coverage, K = coverage), RGB 0 0 0 on an RGB
 *    one - so black text carries at most 100 % ink.
 * The same compositor makes the sRGB previews from sRGB blocks.
 */
#ifndef PS_COMPOSE_PRIVATE_H
#define PS_COMPOSE_PRIVATE_H

#include "ps-batch-private.h"
#include "ps-color-private.h"

G_BEGIN_DECLS

/* A raster of 8-bit samples, interleaved: a page or a photo block. */
typedef struct {
  int     width, height;   /* pixels */
  int     channels;        /* 3 RGB, 4 CMYK (0 = no ink) */
  size_t  stride;          /* bytes per row: width * channels */
  guint8 *data;
} PsRaster;

/* A width x height raster, uninitialised; NULL with PS_RENDER_ERROR_TOO_LARGE
 * when it cannot be allocated. */
PsRaster *_ps_raster_new (int width, int height, int channels, GError **error);
void _ps_raster_free (PsRaster *raster);
/* SHA-256 (hex) of the samples: the page's identity, whatever file holds it. */
char *_ps_raster_sha256 (const PsRaster *raster);

/* The pixel rectangle of a slot at @dpi: origin rounded, size from the slot's
 * size alone, so that every slot of one size takes the same block. */
typedef struct {
  int x, y, width, height;
} PsPixelRect;

PsPixelRect _ps_compose_slot_pixels (const PsRect *slot, int dpi);

/* A photo block: @raw resampled to fill @slot_width x @slot_height pixels
 * (PS_CROP_COVER: centred crop) or to fit inside it (PS_CROP_FIT), honouring
 * its EXIF orientation, then converted to @target.  *@offset_x/y: where the
 * block sits inside the slot (0 for cover).  NULL with PS_COLOR_ERROR or
 * PS_RENDER_ERROR. */
PsRaster *_ps_compose_photo_block (PsColor *color, const PsRawImage *raw, int slot_width,
                                   int slot_height, PsCrop crop, PsColorTarget target,
                                   int *offset_x, int *offset_y, GError **error);

/* One block in one place of a page. */
typedef struct {
  const PsRaster *block;
  int x, y;                /* pixels, top-left of the block on the page */
} PsPlacement;

/* Composes @page: paper, the blocks (clipped to the page), then the ink of
 * @mask (A8 coverage, @mask_stride bytes a row, the page's size) as device
 * black - K only when the page has 4 channels. */
void _ps_compose_page (PsRaster *page, const PsPlacement *placements, size_t n_placements,
                       const guint8 *mask, size_t mask_stride);

/* The photo slots of @page, as draw_group() in ps-render.c fills them:
 * slot rectangles (points) appended to @slots, the student of each to
 * @students (size_t); @only_student: G_MAXSIZE, or the one student whose
 * groups are drawn (a reprint).  A separator has none. */
void _ps_compose_page_slots (const PsBatch *batch, const PsPage *page, size_t only_student,
                             GArray *slots, GArray *students);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRaster, _ps_raster_free)

G_END_DECLS

#endif /* PS_COMPOSE_PRIVATE_H */
