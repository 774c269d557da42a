/* ps-output-png.c - png/NNNN.png previews in sRGB and NNNN-proof.png soft
 * proofs (the print simulated on screen).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both are sRGB and say so (an sRGB chunk, with the gAMA/cHRM a reader
 * without colour management falls back on), and carry the batch's dpi in
 * pHYs, so that a viewer shows them at print size rather than as 72 dpi.
 * The preview is the page composed from sRGB photo blocks; the proof is the
 * printed page itself, the device raster, converted back to the screen -
 * relative colorimetric (paper shows white), or with the paper-white option
 * absolute colorimetric, so the paper's tint and the print's black show.
 */
#include "config.h"
#include "ps-output-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>

typedef struct {
  char message[256];
} PngErrors;

static void
png_error_cb (png_structp png, png_const_charp message)
{
  PngErrors *errors = png_get_error_ptr (png);
  g_strlcpy (errors->message, message != NULL ? message : "libpng error", sizeof errors->message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp png, png_const_charp message)
{
}

/* Writes packed 8-bit RGB rows, sRGB-tagged, pHYs = @dpi, atomically. */
static bool
write_png (const guint8 *rgb, size_t stride, int width, int height, int dpi, const char *path,
           GError **error)
{
  g_autofree char *part = _ps_output_part_path (path);
  FILE *fp = g_fopen (part, "wb");
  if (fp == NULL)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   g_strerror (saved));
      return false;
    }
  PngErrors errors = { "" };
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &errors, png_error_cb,
                                             png_warning_cb);
  png_infop info = png != NULL ? png_create_info_struct (png) : NULL;
  /* volatile: read after a longjmp back here. */
  volatile bool ok = png != NULL && info != NULL;
  if (ok && setjmp (png_jmpbuf (png)) == 0)
    {
      png_init_io (png, fp);
      /* Pages are mostly paper: the fast levels lose little. */
      png_set_compression_level (png, 3);
      png_set_IHDR (png, info, (png_uint_32) width, (png_uint_32) height, 8, PNG_COLOR_TYPE_RGB,
                    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
      png_set_sRGB_gAMA_and_cHRM (png, info, PNG_sRGB_INTENT_RELATIVE);
      png_uint_32 ppm = (png_uint_32) lround (dpi / 0.0254);
      png_set_pHYs (png, info, ppm, ppm, PNG_RESOLUTION_METER);
      png_write_info (png, info);
      for (int y = 0; y < height; y++)
        png_write_row (png, rgb + (size_t) y * stride);
      png_write_end (png, info);
    }
  else
    ok = false;
  png_destroy_write_struct (png != NULL ? &png : NULL, info != NULL ? &info : NULL);
  if (fclose (fp) != 0 && ok)
    {
      g_strlcpy (errors.message, g_strerror (errno), sizeof errors.message);
      ok = false;
    }
  if (!ok)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   errors.message[0] ? errors.message : "libpng failed");
      g_unlink (part);
      return false;
    }
  return _ps_output_commit_part (part, path, error);
}

typedef struct {
  PsWriter parent;
  PsColor *color;                 /* borrowed */
  bool previews, proofs, paper_white;
  int dpi;
  char *dir;
} PngWriter;

static void
png_writer_free (PsWriter *writer)
{
  PngWriter *w = (PngWriter *) writer;
  g_free (w->dir);
  g_free (w);
}

static bool
png_write_raster (PsWriter *writer, const PsPage *page, const PsPageRasters *rasters,
                  GError **error)
{
  PngWriter *w = (PngWriter *) writer;
  if (w->previews)
    {
      const PsRaster *srgb = rasters->srgb;
      g_autofree char *file = g_strdup_printf ("%04zu.png", page->number);
      g_autofree char *path = g_build_filename (w->dir, file, NULL);
      if (!write_png (srgb->data, srgb->stride, srgb->width, srgb->height, w->dpi, path, error))
        return false;
    }
  if (w->proofs)
    {
      /* The proof is of what is printed: the device raster. */
      const PsRaster *device = rasters->device;
      g_autoptr (PsRaster) proof = _ps_raster_new (device->width, device->height, 3, error);
      if (proof == NULL
          || !_ps_color_proof_device (w->color, w->paper_white, device->data, device->stride,
                                      device->width, device->height, proof->data, proof->stride,
                                      error))
        return false;
      g_autofree char *file = g_strdup_printf ("%04zu-proof.png", page->number);
      g_autofree char *path = g_build_filename (w->dir, file, NULL);
      if (!write_png (proof->data, proof->stride, proof->width, proof->height, w->dpi, path, error))
        return false;
    }
  return true;
}

static const PsWriterClass png_class = {
  .name = "png",
  .write_raster = png_write_raster,
  .free = png_writer_free,
};

PsWriter *
_ps_output_png_new (const PsBatch *batch, PsColor *color, const char *dir, bool previews,
                    bool proofs, bool paper_white, GError **error)
{
  if (!_ps_output_make_dir (dir, error))
    return NULL;
  PngWriter *w = g_new0 (PngWriter, 1);
  w->parent.klass = &png_class;
  w->parent.wants_srgb = previews;
  w->color = color;
  w->previews = previews;
  w->proofs = proofs;
  w->paper_white = paper_white;
  w->dpi = batch->settings.dpi;
  w->dir = g_strdup (dir);
  return &w->parent;
}
