/* ps-output-pwg.c - a print job as PWG raster (image/pwg-raster): the pages
 * exactly as composed in the printer's space.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What an IPP Everywhere printer takes without interpreting anything: each
 * page is the device raster the TIFF carries, in the device's colour space
 * (cmyk_8 with a CMYK profile, rgb_8 - device RGB - with an RGB profile,
 * srgb_8 without a profile), at the batch's dpi, on the layout's PWG media.
 * libcups writes it (cupsRasterOpen / cupsRasterWriteHeader2 /
 * cupsRasterWritePixels, PWG mode: its run-length compression).
 *
 * Rasters arrive from the workers in any order (write_raster); each page
 * goes to a file of its own, and finish() joins them in page order (the
 * order of write_page, the calling thread's).
 */
#include "config.h"
#include "ps-output-private.h"

#include <cups/raster.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* The 4-byte sync word of a PWG raster stream ("RaS2"), written once. */
#define PWG_SYNC_BYTES 4

typedef struct {
  PsWriter parent;
  char *path;
  char *part;
  char *type;                     /* "cmyk_8", "rgb_8", "srgb_8" */
  cups_page_header2_t header;     /* the media, resolution and colour space */
  GArray *order;                  /* page numbers, in page order */
} PwgWriter;

static char *
page_file (const PwgWriter *w, size_t number)
{
  return g_strdup_printf ("%s.%zu", w->part, number);
}

static void
pwg_free (PsWriter *writer)
{
  PwgWriter *w = (PwgWriter *) writer;
  for (guint i = 0; w->order != NULL && i < w->order->len; i++)
    {
      g_autofree char *file = page_file (w, g_array_index (w->order, size_t, i));
      g_unlink (file);
    }
  if (w->part != NULL)
    g_unlink (w->part);
  g_clear_pointer (&w->order, g_array_unref);
  g_free (w->part);
  g_free (w->path);
  g_free (w->type);
  g_free (w);
}

const char *
_ps_output_pwg_type (const PsBatch *batch, PsColor *color)
{
  if (_ps_color_get_output_channels (color) == 4)
    return "cmyk_8";
  return _ps_batch_get_profile (batch) == NULL ? "srgb_8" : "rgb_8";
}

/* One page: the raster centred on the media (the sheet matches the media
 * within 1.5 mm), paper outside it. */
static bool
pwg_write_raster (PsWriter *writer, const PsPage *page, const PsPageRasters *rasters,
                  GError **error)
{
  PwgWriter *w = (PwgWriter *) writer;
  const PsRaster *r = rasters->device;
  cups_page_header2_t header = w->header;
  g_autofree char *file = page_file (w, page->number);

  int fd = g_open (file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", file,
                   g_strerror (saved));
      return false;
    }
  cups_raster_t *ras = cupsRasterOpen (fd, CUPS_RASTER_WRITE_PWG);
  bool ok = ras != NULL && cupsRasterWriteHeader2 (ras, &header);
  g_autofree guint8 *line = g_malloc (header.cupsBytesPerLine);
  int c = r->channels;
  int ox = ((int) header.cupsWidth - r->width) / 2;
  int oy = ((int) header.cupsHeight - r->height) / 2;
  int x_lo = MAX (0, ox), x_hi = MIN ((int) header.cupsWidth, ox + r->width);
  for (unsigned y = 0; ok && y < header.cupsHeight; y++)
    {
      int sy = (int) y - oy;
      memset (line, c == 4 ? 0 : 255, header.cupsBytesPerLine);
      if (sy >= 0 && sy < r->height && x_lo < x_hi)
        memcpy (line + (size_t) x_lo * c, r->data + (size_t) sy * r->stride + (size_t) (x_lo - ox) * c,
                (size_t) (x_hi - x_lo) * c);
      ok = cupsRasterWritePixels (ras, line, header.cupsBytesPerLine) == header.cupsBytesPerLine;
    }
  if (ras != NULL)
    cupsRasterClose (ras);
  if (close (fd) != 0)
    ok = false;
  if (!ok)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", file,
                   cupsRasterErrorString () ? cupsRasterErrorString () : "libcups raster failed");
      g_unlink (file);
      return false;
    }
  return true;
}

static bool
pwg_write_page (PsWriter *writer, const PsWriterPage *wp, GError **error)
{
  PwgWriter *w = (PwgWriter *) writer;
  g_array_append_val (w->order, wp->page->number);
  return true;
}

/* Appends @file to @out, skipping its first @skip bytes. */
static bool
append_file (int out, const char *file, size_t skip, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (file, &data, &len, &local) || len < skip)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot read '%s': %s", file,
                   local != NULL ? local->message : "truncated");
      return false;
    }
  for (gsize done = skip; done < len;)
    {
      ssize_t n = write (out, data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write: %s",
                       g_strerror (saved));
          return false;
        }
      done += (gsize) n;
    }
  return true;
}

static bool
pwg_finish (PsWriter *writer, GError **error)
{
  PwgWriter *w = (PwgWriter *) writer;
  int fd = g_open (w->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", w->path,
                   g_strerror (saved));
      return false;
    }
  bool ok = true;
  for (guint i = 0; ok && i < w->order->len; i++)
    {
      g_autofree char *file = page_file (w, g_array_index (w->order, size_t, i));
      /* Each page file is a stream of its own: one sync word in all. */
      ok = append_file (fd, file, i == 0 ? 0 : PWG_SYNC_BYTES, error);
      g_unlink (file);
    }
  g_array_set_size (w->order, 0);
  if (close (fd) != 0 && ok)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", w->path,
                   g_strerror (saved));
      ok = false;
    }
  if (!ok)
    return false;
  ok = _ps_output_commit_part (w->part, w->path, error);
  g_clear_pointer (&w->part, g_free);
  return ok;
}

static const PsWriterClass pwg_class = {
  .name = "pwg",
  .write_raster = pwg_write_raster,
  .write_page = pwg_write_page,
  .finish = pwg_finish,
  .free = pwg_free,
};

PsWriter *
_ps_output_pwg_new (const PsBatch *batch, PsColor *color, const char *path, GError **error)
{
  const PsLayout *layout = batch->layout;
  pwg_media_t *media = layout->media != NULL ? pwgMediaForPWG (layout->media) : NULL;
  if (media == NULL)
    media = pwgMediaForSize ((int) lround (layout->sheet_width * 2540.0 / 72.0),
                             (int) lround (layout->sheet_height * 2540.0 / 72.0));
  g_autoptr (PsWriter) writer = (PsWriter *) g_new0 (PwgWriter, 1);
  PwgWriter *w = (PwgWriter *) writer;
  writer->klass = &pwg_class;
  w->path = g_strdup (path);
  w->part = _ps_output_part_path (path);
  w->type = g_strdup (_ps_output_pwg_type (batch, color));
  w->order = g_array_new (FALSE, FALSE, sizeof (size_t));
  int dpi = batch->settings.dpi;
  if (media == NULL
      || !cupsRasterInitPWGHeader (&w->header, media, w->type, dpi, dpi, "one-sided", NULL))
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_FAILED,
                   "cannot make a PWG raster header for media '%s' at %d dpi (%s): %s",
                   layout->media != NULL ? layout->media : "custom", dpi, w->type,
                   cupsRasterErrorString () ? cupsRasterErrorString () : "unknown media");
      return NULL;
    }
  return g_steal_pointer (&writer);
}
