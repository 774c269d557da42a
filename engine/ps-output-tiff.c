/* ps-output-tiff.c - tiff/NNNN.tif: each page in the printer's space (RGB or
 * CMYK), its profile embedded, lossless.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Written from the workers (write_raster): each page is its own file and its
 * own libtiff handle, with per-handle error handlers.
 */
#include "config.h"
#include "ps-output-private.h"

#include <glib/gstdio.h>
#include <string.h>
#include <tiffio.h>

typedef struct {
  GString *messages;
} TiffErrors;

#if HAVE_TIFFOPENEXT
static int
tiff_error_handler (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  TiffErrors *errors = user_data;
  if (errors->messages->len > 0)
    g_string_append (errors->messages, "; ");
  g_string_append_vprintf (errors->messages, fmt, ap);
  return 1;
}

static int
tiff_warning_handler (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  return 1;   /* warnings do not make a page wrong */
}
#endif

static TIFF *
tiff_open (const char *path, TiffErrors *errors)
{
#if HAVE_TIFFOPENEXT
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_error_handler, errors);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_warning_handler, errors);
  TIFF *tif = TIFFOpenExt (path, "w", opts);
  TIFFOpenOptionsFree (opts);
  return tif;
#else
  return TIFFOpen (path, "w");
#endif
}

/* Deflate at this level: libtiff hands it to libdeflate, where level 6
 * costs 30 % more time for 6 % less size on our pages (bench/README.md). */
#define PS_TIFF_DEFLATE_LEVEL 1

static PsTiffCompression
tiff_compression_resolve (PsTiffCompression compression)
{
  return compression == PS_TIFF_COMPRESSION_DEFAULT ? PS_TIFF_COMPRESSION_DEFLATE : compression;
}

static bool
write_tiff (PsColor *color, const PsRaster *page, int dpi, PsTiffCompression compression,
            const char *path, GError **error)
{
  int width = page->width;
  int height = page->height;
  int channels = page->channels;
  GBytes *icc = _ps_color_get_output_icc (color);
  g_autofree char *part = _ps_output_part_path (path);
  g_autoptr (GString) messages = g_string_new (NULL);
  TiffErrors errors = { messages };

  TIFF *tif = tiff_open (part, &errors);
  if (tif == NULL)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   messages->len ? messages->str : "libtiff failed");
      return false;
    }

  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, (uint32_t) width);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, (uint32_t) height);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, channels);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  if (channels == 4)
    {
      TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
      TIFFSetField (tif, TIFFTAG_INKSET, INKSET_CMYK);
    }
  else
    TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  /* Lossless and read by every RIP and hot folder (bench/README.md has the
   * figures behind the default). */
  switch (tiff_compression_resolve (compression))
    {
    case PS_TIFF_COMPRESSION_NONE:
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
      break;
    case PS_TIFF_COMPRESSION_LZW:
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
      TIFFSetField (tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      break;
    default:
      /* No predictor: pages are mostly flat paper, where it only costs. */
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
      TIFFSetField (tif, TIFFTAG_ZIPQUALITY, PS_TIFF_DEFLATE_LEVEL);
      break;
    }
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize (tif, 0));
  TIFFSetField (tif, TIFFTAG_XRESOLUTION, (float) dpi);
  TIFFSetField (tif, TIFFTAG_YRESOLUTION, (float) dpi);
  TIFFSetField (tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField (tif, TIFFTAG_SOFTWARE, "photosheet " PS_VERSION);
  gsize icc_len = 0;
  const void *icc_data = g_bytes_get_data (icc, &icc_len);
  TIFFSetField (tif, TIFFTAG_ICCPROFILE, (uint32_t) icc_len, icc_data);

  /* The page is already in the printer's space; a copy per row, as the
   * predictor may change what it is given. */
  g_autofree guint8 *row = g_malloc (page->stride);
  bool ok = true;
  for (int y = 0; y < height && ok; y++)
    {
      memcpy (row, page->data + (size_t) y * page->stride, page->stride);
      ok = TIFFWriteScanline (tif, row, (uint32_t) y, 0) == 1;
    }
  TIFFClose (tif);

  if (!ok || messages->len > 0)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   messages->len ? messages->str : "write failed");
      g_unlink (part);
      return false;
    }
  return _ps_output_commit_part (part, path, error);
}

typedef struct {
  PsWriter parent;
  PsColor *color;                 /* borrowed */
  int dpi;
  PsTiffCompression compression;
  char *dir;
} TiffWriter;

static void
tiff_free (PsWriter *writer)
{
  TiffWriter *w = (TiffWriter *) writer;
  g_free (w->dir);
  g_free (w);
}

static bool
tiff_write_raster (PsWriter *writer, const PsPage *page, const PsPageRasters *rasters,
                   GError **error)
{
  TiffWriter *w = (TiffWriter *) writer;
  g_autofree char *file = g_strdup_printf ("%04zu.tif", page->number);
  g_autofree char *path = g_build_filename (w->dir, file, NULL);
  return write_tiff (w->color, rasters->device, w->dpi, w->compression, path, error);
}

static const PsWriterClass tiff_class = {
  .name = "tiff",
  .write_raster = tiff_write_raster,
  .free = tiff_free,
};

PsWriter *
_ps_output_tiff_new (const PsBatch *batch, PsColor *color, const char *dir, GError **error)
{
  if (!_ps_output_make_dir (dir, error))
    return NULL;
  TiffWriter *w = g_new0 (TiffWriter, 1);
  w->parent.klass = &tiff_class;
  w->color = color;
  w->dpi = batch->settings.dpi;
  w->compression = batch->settings.tiff_compression;
  w->dir = g_strdup (dir);
  return &w->parent;
}
