/* ps-output-pdf.c - sheets.pdf: every page as vector text and embedded photos.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A cairo PDF surface is single-threaded, so the pages are drawn here on the
 * calling thread in page order; what costs - the photo block in the
 * printer's space and its JPEG - is made per student in the workers
 * (prepare_photo).
 *
 * The colour of the PDF is the batch's:
 *  - with a printer profile the PDF is in the device space: every photo is
 *    the student's device block (the pixels the TIFF carries, converted
 *    once from the photo's own profile) as a JPEG - cairo 1.16 can embed a
 *    4-component JPEG, so a CMYK device gets CMYK photos - and the text,
 *    marks and tabs are device black, K only on CMYK;
 *  - without one it is sRGB: an untagged, upright sRGB JPEG goes in as its
 *    original bytes, any other photo as its sRGB block.
 * cairo writes images as /DeviceRGB or /DeviceCMYK and text in DeviceRGB;
 * ps-output-pdf-tag.c then tags every image with the ICC profile it is in
 * (ICCBased), adds an OutputIntent naming the printer profile when the PDF
 * is in device space, and turns the content's RGB black into K on CMYK.
 */
#include "config.h"
#include "ps-output-private.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <string.h>

/* JPEG quality of the device photos: visually lossless, a fraction of the
 * size of Flate (bench/README.md). */
#define PDF_JPEG_QUALITY 95

typedef struct {
  PsWriter parent;
  PsColor *color;                 /* borrowed */
  int dpi;
  bool device;                    /* in the printer's space (a profile) */
  bool cmyk;
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

/* An RGB24 surface of @rgb (packed RGB rows); @rgb NULL leaves it white. */
static cairo_surface_t *
rgb_surface (int width, int height, const guint8 *rgb, size_t stride)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS)
    return s;
  guint8 *dst = cairo_image_surface_get_data (s);
  int dst_stride = cairo_image_surface_get_stride (s);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (void *) (dst + (size_t) y * dst_stride);
      const guint8 *in = rgb != NULL ? rgb + (size_t) y * stride : NULL;
      for (int x = 0; x < width; x++)
        row[x] = in == NULL ? 0xffffffffu
                            : 0xff000000u | (guint32) in[3 * x] << 16
                                | (guint32) in[3 * x + 1] << 8 | in[3 * x + 2];
    }
  cairo_surface_mark_dirty (s);
  return s;
}

static bool
attach_jpeg (cairo_surface_t *surface, GBytes *jpeg)
{
  gsize len = 0;
  const unsigned char *data = g_bytes_get_data (jpeg, &len);
  return cairo_surface_set_mime_data (surface, CAIRO_MIME_TYPE_JPEG, data, len,
                                      (cairo_destroy_func_t) g_bytes_unref, jpeg)
         == CAIRO_STATUS_SUCCESS;
}

/* The photo the PDF draws for a student: a surface the renderer places in
 * each slot (its crop policy applied to the block is the identity), with
 * the JPEG cairo embeds in its place. */
static gpointer
pdf_prepare_photo (PsWriter *writer, const PsStudent *student, const PsRawImage *raw,
                   const char *path, const PsPhotoBlocks *blocks, GError **error)
{
  PdfWriter *w = (PdfWriter *) writer;
  const PsRaster *block = blocks->device;

  if (!w->device)
    {
      GBytes *original = _ps_photo_get_passthrough_jpeg (raw, path);
      if (original != NULL)
        {
          /* 8-bit upright RGB: the decoded pixels are the surface. */
          cairo_surface_t *s = rgb_surface (raw->width, raw->height, raw->pixels, raw->stride);
          attach_jpeg (s, original);
          return s;
        }
    }

  /* The block itself, or for CMYK its proof, so that the surface shows the
   * photo even to a reader of the surface rather than the JPEG. */
  g_autoptr (PsRaster) shown = NULL;
  const guint8 *rgb = block->data;
  size_t rgb_stride = block->stride;
  if (block->channels == 4)
    {
      shown = _ps_raster_new (block->width, block->height, 3, error);
      if (shown == NULL
          || !_ps_color_proof_device (w->color, false, block->data, block->stride, block->width,
                                      block->height, shown->data, shown->stride, error))
        return NULL;
      rgb = shown->data;
      rgb_stride = shown->stride;
    }
  GBytes *jpeg = _ps_photo_encode_jpeg (block->data, block->stride, block->width, block->height,
                                        block->channels, PDF_JPEG_QUALITY, error);
  if (jpeg == NULL)
    {
      g_prefix_error (error, "row %d: ", student->record.row);
      return NULL;
    }
  cairo_surface_t *s = rgb_surface (block->width, block->height, rgb, rgb_stride);
  attach_jpeg (s, jpeg);
  return s;
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
  /* Tagged into a second part file, which then becomes the PDF. */
  g_autofree char *tagged = g_strconcat (w->part, ".tagged", NULL);
  GBytes *icc = w->device ? _ps_color_get_output_icc (w->color) : _ps_color_get_srgb_icc (w->color);
  PsPdfTag tag = {
    .icc = icc,
    .channels = w->device ? _ps_color_get_output_channels (w->color) : 3,
    .description = w->device ? _ps_color_get_output_name (w->color) : NULL,
    .output_intent = w->device,
    .color = w->cmyk ? w->color : NULL,
  };
  if (!_ps_output_pdf_tag (w->part, tagged, &tag, error))
    {
      g_unlink (tagged);
      g_prefix_error (error, "cannot write '%s': ", w->path);
      return false;
    }
  g_unlink (w->part);
  bool ok = _ps_output_commit_part (tagged, w->path, error);
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
  w->dpi = batch->settings.dpi;
  w->device = !_ps_color_output_is_srgb (color);
  w->cmyk = _ps_color_get_output_channels (color) == 4;
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
