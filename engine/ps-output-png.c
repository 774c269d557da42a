/* ps-output-png.c - png/NNNN.png previews in sRGB and NNNN-proof.png soft
 * proofs (the print simulated on screen).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-output-private.h"

#include <glib/gstdio.h>

static bool
write_png (cairo_surface_t *surface, const char *path, GError **error)
{
  g_autofree char *part = _ps_output_part_path (path);
  cairo_status_t status = cairo_surface_write_to_png (surface, part);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   cairo_status_to_string (status));
      g_unlink (part);
      return false;
    }
  return _ps_output_commit_part (part, path, error);
}

typedef struct {
  PsWriter parent;
  PsColor *color;                 /* borrowed */
  bool previews, proofs;
  char *dir;
} PngWriter;

static void
png_free (PsWriter *writer)
{
  PngWriter *w = (PngWriter *) writer;
  g_free (w->dir);
  g_free (w);
}

static bool
png_write_raster (PsWriter *writer, const PsPage *page, cairo_surface_t *raster, GError **error)
{
  PngWriter *w = (PngWriter *) writer;
  if (w->previews)
    {
      g_autofree char *file = g_strdup_printf ("%04zu.png", page->number);
      g_autofree char *path = g_build_filename (w->dir, file, NULL);
      if (!write_png (raster, path, error))
        return false;
    }
  if (w->proofs)
    {
      /* The proof is drawn on a copy: the page itself goes to print. */
      int width = cairo_image_surface_get_width (raster);
      int height = cairo_image_surface_get_height (raster);
      cairo_surface_t *proof = cairo_surface_create_similar_image (raster, CAIRO_FORMAT_RGB24,
                                                                   width, height);
      cairo_t *pcr = cairo_create (proof);
      cairo_set_source_surface (pcr, raster, 0, 0);
      cairo_set_operator (pcr, CAIRO_OPERATOR_SOURCE);
      cairo_paint (pcr);
      cairo_destroy (pcr);
      g_autofree char *file = g_strdup_printf ("%04zu-proof.png", page->number);
      g_autofree char *path = g_build_filename (w->dir, file, NULL);
      bool ok = _ps_color_proof_surface (w->color, proof, error) && write_png (proof, path, error);
      cairo_surface_destroy (proof);
      if (!ok)
        return false;
    }
  return true;
}

static const PsWriterClass png_class = {
  .name = "png",
  .write_raster = png_write_raster,
  .free = png_free,
};

PsWriter *
_ps_output_png_new (const PsBatch *batch, PsColor *color, const char *dir, bool previews,
                    bool proofs, GError **error)
{
  if (!_ps_output_make_dir (dir, error))
    return NULL;
  PngWriter *w = g_new0 (PngWriter, 1);
  w->parent.klass = &png_class;
  w->color = color;
  w->previews = previews;
  w->proofs = proofs;
  w->dir = g_strdup (dir);
  return &w->parent;
}
