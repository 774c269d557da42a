/* ps-output-pdf.c - sheets.pdf: every page as vector text and embedded photos.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A cairo PDF surface is single-threaded, so the pages are drawn here on the
 * calling thread in page order; what costs - converting a photo for the
 * printer - is done per student in the workers (prepare_photo).
 *
 * With an RGB printer profile the PDF carries what the TIFF carries: photos
 * converted once, by lcms2, with the batch's intent and BPC, so the jobs
 * sent to CUPS are colour-managed and CUPS is told not to convert them again
 * (cm-calibration).  Without a profile an untagged, upright RGB JPEG is
 * already what would be drawn: the PDF carries the original bytes instead
 * of a re-encoded copy.  A CMYK profile cannot be expressed in a cairo PDF:
 * that PDF stays sRGB, and the TIFFs are the colour-managed output.
 */
#include "config.h"
#include "ps-output-private.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>

typedef struct {
  PsWriter parent;
  PsColor *color;                 /* borrowed */
  bool device_rgb;                /* photos in the printer's RGB */
  char *path;
  char *part;
  cairo_surface_t *surface;
  cairo_t *cr;
} PdfWriter;

static void
pdf_free (PsWriter *writer)
{
  PdfWriter *w = (PdfWriter *) writer;
  g_clear_pointer (&w->cr, cairo_destroy);
  g_clear_pointer (&w->surface, cairo_surface_destroy);
  if (w->part != NULL)
    g_unlink (w->part);
  g_free (w->part);
  g_free (w->path);
  g_free (w);
}

static gpointer
pdf_prepare_photo (PsWriter *writer, const PsStudent *student, const PsRawImage *raw,
                   const char *path, cairo_surface_t *srgb, GError **error)
{
  PdfWriter *w = (PdfWriter *) writer;
  if (w->device_rgb)
    return _ps_color_surface_to_device_rgb (w->color, srgb);

  GBytes *jpeg = _ps_photo_get_passthrough_jpeg (raw, path);
  if (jpeg != NULL)
    {
      gsize len = 0;
      const unsigned char *data = g_bytes_get_data (jpeg, &len);
      cairo_surface_set_mime_data (srgb, CAIRO_MIME_TYPE_JPEG, data, len,
                                   (cairo_destroy_func_t) g_bytes_unref, jpeg);
    }
  return cairo_surface_reference (srgb);
}

static bool
pdf_write_page (PsWriter *writer, const PsWriterPage *wp, GError **error)
{
  PdfWriter *w = (PdfWriter *) writer;
  bool ok = _ps_renderer_draw_page (wp->renderer, w->cr, wp->batch, wp->page,
                                    (cairo_surface_t *const *) wp->photos, wp->only_student,
                                    error);
  if (ok && wp->mark != NULL)
    _ps_renderer_draw_mark (wp->renderer, w->cr, wp->mark);
  cairo_show_page (w->cr);
  return ok;
}

static bool
pdf_finish (PsWriter *writer, GError **error)
{
  PdfWriter *w = (PdfWriter *) writer;
  g_clear_pointer (&w->cr, cairo_destroy);
  cairo_surface_finish (w->surface);
  cairo_status_t status = cairo_surface_status (w->surface);
  g_clear_pointer (&w->surface, cairo_surface_destroy);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", w->path,
                   cairo_status_to_string (status));
      return false;
    }
  bool ok = _ps_output_commit_part (w->part, w->path, error);
  g_clear_pointer (&w->part, g_free);
  return ok;
}

static const PsWriterClass pdf_class = {
  .name = "pdf",
  .prepare_photo = pdf_prepare_photo,
  .free_photo = (GDestroyNotify) cairo_surface_destroy,
  .write_page = pdf_write_page,
  .finish = pdf_finish,
  .free = pdf_free,
};

PsWriter *
_ps_output_pdf_new (const PsBatch *batch, PsColor *color, const char *path, GError **error)
{
  g_autoptr (PsWriter) writer = (PsWriter *) g_new0 (PdfWriter, 1);
  PdfWriter *w = (PdfWriter *) writer;
  writer->klass = &pdf_class;
  w->color = color;
  w->device_rgb = _ps_batch_get_profile (batch) != NULL && _ps_color_get_output_channels (color) == 3;
  w->path = g_strdup (path);
  w->part = _ps_output_part_path (path);
  w->surface = cairo_pdf_surface_create (w->part, batch->layout->sheet_width,
                                         batch->layout->sheet_height);
  /* Fixed metadata: the same batch gives the same bytes. */
  cairo_pdf_surface_set_metadata (w->surface, CAIRO_PDF_METADATA_TITLE, "photosheet sheets");
  cairo_pdf_surface_set_metadata (w->surface, CAIRO_PDF_METADATA_CREATOR, "photosheet " PS_VERSION);
  cairo_pdf_surface_set_metadata (w->surface, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
  cairo_pdf_surface_set_metadata (w->surface, CAIRO_PDF_METADATA_MOD_DATE, "2000-01-01T00:00:00Z");
  w->cr = cairo_create (w->surface);
  if (cairo_surface_status (w->surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   cairo_status_to_string (cairo_surface_status (w->surface)));
      return NULL;
    }
  return g_steal_pointer (&writer);
}
