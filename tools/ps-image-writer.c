/* ps-image-writer.c - JPEG, PNG and TIFF writers, bombs and file patches for samples and tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every codec error becomes a GError once, here: libjpeg and libpng through
 * an error callback that jumps back, libtiff through a per-handle handler.
 */
#include "config.h"
#include "ps-image-writer.h"

#include <errno.h>
#include <setjmp.h>
#include <string.h>

G_DEFINE_QUARK (ps-image-writer-error-quark, ps_image_writer_error)

static FILE *
open_for_writing (const char *path, GError **error)
{
  FILE *fp = fopen (path, "wb");
  if (fp == NULL)
    {
      int saved = errno;
      g_set_error (error, PS_IMAGE_WRITER_ERROR, PS_IMAGE_WRITER_ERROR_IO, "cannot write %s: %s",
                   path, g_strerror (saved));
    }
  return fp;
}

/* Closes @fp; a failed flush is an error on @path unless one is set already. */
static bool
close_file (FILE *fp, const char *path, bool ok, GError **error)
{
  if (fclose (fp) != 0 && ok)
    {
      int saved = errno;
      g_set_error (error, PS_IMAGE_WRITER_ERROR, PS_IMAGE_WRITER_ERROR_IO, "cannot write %s: %s",
                   path, g_strerror (saved));
      return false;
    }
  return ok;
}

/* Rows from a PsImageSampleFunc: every sample of a row in turn, one or two
 * (host-order) bytes each. */
typedef struct {
  PsImageSampleFunc sample;
  gpointer user_data;
  int width;   /* pixels */
  int bits;    /* 8 or 16 */
} SampleRows;

static void
sample_rows (int y, guint8 *row, size_t row_bytes, gpointer user_data)
{
  const SampleRows *s = user_data;
  size_t n = row_bytes / ((size_t) s->width * (s->bits == 16 ? 2 : 1));
  for (int x = 0; x < s->width; x++)
    for (size_t c = 0; c < n; c++)
      {
        guint v = s->sample (x, y, (int) c, s->user_data);
        if (s->bits == 16)
          ((guint16 *) row)[x * n + c] = (guint16) v;
        else
          row[x * n + c] = (guint8) v;
      }
}

/* ------------------------------------------------------------------ */
/* JPEG                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
} JpegErrors;

static void
jpeg_error_exit (j_common_ptr cinfo)
{
  JpegErrors *errors = (JpegErrors *) cinfo->err;
  errors->pub.format_message (cinfo, errors->message);
  longjmp (errors->jump, 1);
}

bool
ps_image_write_jpeg (const char *path, const PsImageJpegSpec *spec, PsImageRowFunc rows,
                     gpointer user_data, GError **error)
{
  g_return_val_if_fail (spec != NULL && spec->width > 0 && spec->height > 0, false);
  g_return_val_if_fail (rows != NULL, false);

  int comps = spec->space == JCS_GRAYSCALE ? 1 : spec->space == JCS_CMYK ? 4 : 3;
  FILE *fp = open_for_writing (path, error);
  if (fp == NULL)
    return false;
  guint8 *row = g_malloc ((gsize) spec->width * comps);

  struct jpeg_compress_struct cinfo;
  JpegErrors errors;
  cinfo.err = jpeg_std_error (&errors.pub);
  errors.pub.error_exit = jpeg_error_exit;
  if (setjmp (errors.jump))
    {
      g_set_error (error, PS_IMAGE_WRITER_ERROR, PS_IMAGE_WRITER_ERROR_CODEC, "%s: libjpeg: %s",
                   path, errors.message);
      jpeg_destroy_compress (&cinfo);
      g_free (row);
      fclose (fp);
      return false;
    }
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, fp);
  cinfo.image_width = (JDIMENSION) spec->width;
  cinfo.image_height = (JDIMENSION) spec->height;
  cinfo.input_components = comps;
  cinfo.in_color_space = spec->space;
  jpeg_set_defaults (&cinfo);
  if (spec->space == JCS_CMYK)
    {
      jpeg_set_colorspace (&cinfo, JCS_CMYK);
      if (spec->no_adobe)
        cinfo.write_Adobe_marker = FALSE;
    }
  jpeg_set_quality (&cinfo, spec->quality > 0 ? spec->quality : 85, TRUE);
  if (spec->density_dpi > 0)
    {
      cinfo.density_unit = 1;   /* dots per inch */
      cinfo.X_density = (UINT16) spec->density_dpi;
      cinfo.Y_density = (UINT16) spec->density_dpi;
    }
  if (spec->progressive)
    jpeg_simple_progression (&cinfo);
  jpeg_start_compress (&cinfo, TRUE);

  if (spec->orientation > 0)
    {
      /* "Exif\0\0", a big-endian TIFF header, IFD0 with the one entry
       * Orientation (SHORT, 1 value), no next IFD. */
      guint8 exif[6 + 8 + 2 + 12 + 4] = { 'E', 'x', 'i', 'f', 0, 0,
                                           'M', 'M', 0, 42, 0, 0, 0, 8,
                                           0, 1,
                                           0x01, 0x12, 0, 3, 0, 0, 0, 1,
                                           0, (guint8) spec->orientation, 0, 0,
                                           0, 0, 0, 0 };
      jpeg_write_marker (&cinfo, JPEG_APP0 + 1, exif, sizeof exif);
    }
  if (spec->icc != NULL)
    jpeg_write_icc_profile (&cinfo, spec->icc, (unsigned int) spec->icc_len);

  while (cinfo.next_scanline < cinfo.image_height)
    {
      rows ((int) cinfo.next_scanline, row, (size_t) spec->width * comps, user_data);
      JSAMPROW rowp = row;
      jpeg_write_scanlines (&cinfo, &rowp, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  g_free (row);
  return close_file (fp, path, true, error);
}

bool
ps_image_write_jpeg_samples (const char *path, const PsImageJpegSpec *spec,
                             PsImageSampleFunc sample, gpointer user_data, GError **error)
{
  g_return_val_if_fail (spec != NULL && sample != NULL, false);

  SampleRows rows = { sample, user_data, spec->width, 8 };
  return ps_image_write_jpeg (path, spec, sample_rows, &rows, error);
}

/* ------------------------------------------------------------------ */
/* PNG                                                                */
/* ------------------------------------------------------------------ */

typedef struct {
  char message[256];
} PngErrors;

static void
png_error_cb (png_structp png, png_const_charp message)
{
  PngErrors *errors = png_get_error_ptr (png);
  g_strlcpy (errors->message, message, sizeof errors->message);
  png_longjmp (png, 1);
}

bool
ps_image_write_png (const char *path, const PsImagePngSpec *spec, PsImageRowFunc rows,
                    gpointer user_data, GError **error)
{
  g_return_val_if_fail (spec != NULL && spec->width > 0 && spec->height > 0, false);
  g_return_val_if_fail (rows != NULL, false);

  FILE *fp = open_for_writing (path, error);
  if (fp == NULL)
    return false;
  PngErrors errors = { "" };
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &errors, png_error_cb, NULL);
  png_infop info = png != NULL ? png_create_info_struct (png) : NULL;
  /* volatile: it is set after setjmp and read after the jump back. */
  guint8 *volatile row = NULL;
  if (info == NULL)
    {
      g_strlcpy (errors.message, "out of memory", sizeof errors.message);
      goto failed;
    }
  if (setjmp (png_jmpbuf (png)))
    goto failed;

  png_init_io (png, fp);
  png_set_IHDR (png, info, (png_uint_32) spec->width, (png_uint_32) spec->height, spec->depth,
                spec->color_type, spec->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (spec->palette != NULL)
    png_set_PLTE (png, info, spec->palette, spec->n_palette);
  if (spec->icc != NULL)
    png_set_iCCP (png, info, "icc", PNG_COMPRESSION_TYPE_BASE, spec->icc,
                  (png_uint_32) spec->icc_len);
  png_write_info (png, info);
  int passes = spec->interlace ? png_set_interlace_handling (png) : 1;
  size_t row_bytes = png_get_rowbytes (png, info);
  row = g_malloc0 (row_bytes);
  for (int pass = 0; pass < passes; pass++)
    for (int y = 0; y < spec->height; y++)
      {
        rows (y, row, row_bytes, user_data);
        png_write_row (png, row);
      }
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  g_free (row);
  return close_file (fp, path, true, error);

failed:
  g_set_error (error, PS_IMAGE_WRITER_ERROR, PS_IMAGE_WRITER_ERROR_CODEC, "%s: libpng: %s", path,
               errors.message);
  png_destroy_write_struct (&png, &info);
  g_free (row);
  fclose (fp);
  return false;
}

/* ------------------------------------------------------------------ */
/* TIFF                                                               */
/* ------------------------------------------------------------------ */

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
#endif

static void
tiff_set_error (GError **error, const char *path, TiffErrors *errors)
{
  g_set_error (error, PS_IMAGE_WRITER_ERROR, PS_IMAGE_WRITER_ERROR_CODEC, "%s: libtiff: %s", path,
               errors->messages->len > 0 ? errors->messages->str : "cannot write");
}

/* Opens @path for writing with its errors collected in @errors; NULL with
 * @error set if libtiff cannot. */
static TIFF *
tiff_open (const char *path, TiffErrors *errors, GError **error)
{
#if HAVE_TIFFOPENEXT
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_error_handler, errors);
  TIFF *tif = TIFFOpenExt (path, "w", opts);
  TIFFOpenOptionsFree (opts);
#else
  TIFF *tif = TIFFOpen (path, "w");
#endif
  if (tif == NULL)
    tiff_set_error (error, path, errors);
  return tif;
}

bool
ps_image_write_tiff (const char *path, const PsImageTiffSpec *spec, PsImageRowFunc rows,
                     gpointer user_data, GError **error)
{
  g_return_val_if_fail (spec != NULL && spec->width > 0 && spec->height > 0, false);
  g_return_val_if_fail (rows != NULL, false);

  g_autoptr (GString) messages = g_string_new (NULL);
  TiffErrors errors = { messages };
  TIFF *tif = tiff_open (path, &errors, error);
  if (tif == NULL)
    return false;
  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, (uint32_t) spec->width);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, (uint32_t) spec->height);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t) spec->spp);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, (uint16_t) spec->bps);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, (uint16_t) spec->photometric);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (tif, TIFFTAG_COMPRESSION,
                (uint16_t) (spec->compression ? spec->compression : COMPRESSION_LZW));
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, (uint32_t) 16);
  if (spec->alpha)
    {
      uint16_t extra = EXTRASAMPLE_UNASSALPHA;
      TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
  if (spec->photometric == PHOTOMETRIC_SEPARATED)
    TIFFSetField (tif, TIFFTAG_INKSET, INKSET_CMYK);
  if (spec->orientation > 0)
    TIFFSetField (tif, TIFFTAG_ORIENTATION, (uint16_t) spec->orientation);
  if (spec->icc != NULL)
    TIFFSetField (tif, TIFFTAG_ICCPROFILE, (uint32_t) spec->icc_len, spec->icc);

  tmsize_t size = TIFFScanlineSize (tif);
  g_autofree guint8 *line = g_malloc0 ((gsize) MAX (size, 1));
  bool ok = size > 0;
  for (int y = 0; ok && y < spec->height; y++)
    {
      rows (y, line, (size_t) size, user_data);
      ok = TIFFWriteScanline (tif, line, (uint32_t) y, 0) == 1;
    }
  TIFFClose (tif);
  if (!ok)
    tiff_set_error (error, path, &errors);
  return ok;
}

bool
ps_image_write_tiff_samples (const char *path, const PsImageTiffSpec *spec,
                             PsImageSampleFunc sample, gpointer user_data, GError **error)
{
  g_return_val_if_fail (spec != NULL && sample != NULL, false);

  SampleRows rows = { sample, user_data, spec->width, spec->bps };
  return ps_image_write_tiff (path, spec, sample_rows, &rows, error);
}

/* ------------------------------------------------------------------ */
/* Bombs                                                              */
/* ------------------------------------------------------------------ */

static guint32
crc32_of (const guint8 *p, size_t n)
{
  guint32 crc = 0xffffffffu;
  for (size_t i = 0; i < n; i++)
    {
      crc ^= p[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
  return crc ^ 0xffffffffu;
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* Appends a PNG chunk: length, @type, @len bytes of @data, the CRC. */
static void
png_chunk (GByteArray *b, const char *type, const guint8 *data, size_t len)
{
  guint start = b->len;
  g_byte_array_set_size (b, start + 12 + (guint) len);
  guint8 *p = b->data + start;
  put_be32 (p, (guint32) len);
  memcpy (p + 4, type, 4);
  if (len > 0)
    memcpy (p + 8, data, len);
  put_be32 (p + 8 + len, crc32_of (p + 4, 4 + len));
}

bool
ps_image_write_png_bomb (const char *path, guint32 width, guint32 height, int color_type,
                         const guint8 *idat, size_t idat_len, GError **error)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13] = { 0 };   /* compression, filter and interlace 0 */
  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = 8;
  ihdr[9] = (guint8) color_type;

  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_byte_array_append (b, signature, sizeof signature);
  png_chunk (b, "IHDR", ihdr, sizeof ihdr);
  png_chunk (b, "IDAT", idat, idat != NULL ? idat_len : 0);
  png_chunk (b, "IEND", NULL, 0);
  return g_file_set_contents (path, (const char *) b->data, b->len, error);
}

bool
ps_image_write_tiff_bomb (const char *path, guint32 width, guint32 height, GError **error)
{
  g_autoptr (GString) messages = g_string_new (NULL);
  TiffErrors errors = { messages };
  TIFF *tif = tiff_open (path, &errors, error);
  if (tif == NULL)
    return false;
  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, width);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, height);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t) 3);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, (uint16_t) 8);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, height);
  /* One tiny strip: the start of a zlib stream, then zeros. */
  guint8 strip[64] = { 0x78, 0x9c, 0x63, 0x60, 0x18, 0x05, 0 };
  bool ok = TIFFWriteRawStrip (tif, 0, strip, sizeof strip) == (tmsize_t) sizeof strip;
  TIFFClose (tif);
  if (!ok)
    tiff_set_error (error, path, &errors);
  return ok;
}

/* Appends a little-endian IFD entry; SHORT values sit in the low half. */
static void
tiff_entry (GByteArray *b, guint16 tag, guint16 type, guint32 count, guint32 value)
{
  guint8 e[12];
  e[0] = (guint8) tag;
  e[1] = (guint8) (tag >> 8);
  e[2] = (guint8) type;
  e[3] = 0;
  for (int k = 0; k < 4; k++)
    e[4 + k] = (guint8) (count >> (8 * k));
  if (type == 3)
    {
      e[8] = (guint8) value;
      e[9] = (guint8) (value >> 8);
      e[10] = e[11] = 0;
    }
  else
    for (int k = 0; k < 4; k++)
      e[8 + k] = (guint8) (value >> (8 * k));
  g_byte_array_append (b, e, 12);
}

bool
ps_image_write_tiff_minimal (const char *path, guint32 width, guint32 height, guint32 strip_bytes,
                             GError **error)
{
  enum { N_ENTRIES = 9 };
  const guint32 data_at = 8 + 2 + N_ENTRIES * 12 + 4;
  static const guint8 head[8] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  const guint8 n_entries[2] = { N_ENTRIES, 0 };
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_byte_array_append (b, head, sizeof head);
  g_byte_array_append (b, n_entries, 2);
  tiff_entry (b, 256, 4, 1, width);          /* ImageWidth */
  tiff_entry (b, 257, 4, 1, height);         /* ImageLength */
  tiff_entry (b, 258, 3, 1, 8);              /* BitsPerSample */
  tiff_entry (b, 259, 3, 1, 1);              /* Compression: none */
  tiff_entry (b, 262, 3, 1, 1);              /* Photometric: MinIsBlack */
  tiff_entry (b, 273, 4, 1, data_at);        /* StripOffsets */
  tiff_entry (b, 277, 3, 1, 1);              /* SamplesPerPixel */
  tiff_entry (b, 278, 4, 1, height);         /* RowsPerStrip */
  tiff_entry (b, 279, 4, 1, strip_bytes);    /* StripByteCounts */
  static const guint8 no_next_ifd[4] = { 0 };
  g_byte_array_append (b, no_next_ifd, 4);
  g_assert (b->len == data_at);
  guint stored = MIN (strip_bytes, 1u << 20);
  g_byte_array_set_size (b, data_at + stored);
  memset (b->data + data_at, 0, stored);
  return g_file_set_contents (path, (const char *) b->data, b->len, error);
}

/* ------------------------------------------------------------------ */
/* Helpers on written files                                           */
/* ------------------------------------------------------------------ */

bool
ps_image_jpeg_set_size (guint8 *data, size_t len, guint16 width, guint16 height)
{
  /* Marker segments after SOI: FF, marker, a big-endian length that counts
   * itself.  SOFn: length(2), precision(1), height(2), width(2). */
  size_t at = 2;
  while (at + 9 < len && data[at] == 0xff)
    {
      guint marker = data[at + 1];
      if (marker == 0xda || marker == 0xd9)
        break;   /* SOS, EOI: no frame header before the scan */
      bool sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8
                 && marker != 0xcc;
      if (sof)
        {
          data[at + 5] = (guint8) (height >> 8);
          data[at + 6] = (guint8) height;
          data[at + 7] = (guint8) (width >> 8);
          data[at + 8] = (guint8) width;
          return true;
        }
      at += 2 + ((size_t) data[at + 2] << 8 | data[at + 3]);
    }
  return false;
}

bool
ps_image_copy_jpeg_resized (const char *from, const char *to, guint16 width, guint16 height,
                            GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (from, &data, &len, error))
    return false;
  if (!ps_image_jpeg_set_size ((guint8 *) data, len, width, height))
    {
      g_set_error (error, PS_IMAGE_WRITER_ERROR, PS_IMAGE_WRITER_ERROR_FORMAT,
                   "%s: no SOF marker before the scan", from);
      return false;
    }
  return g_file_set_contents (to, data, (gssize) len, error);
}

bool
ps_image_copy_truncated (const char *from, const char *to, double keep, GError **error)
{
  g_return_val_if_fail (keep >= 0 && keep <= 1, false);

  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (from, &data, &len, error))
    return false;
  return g_file_set_contents (to, data, (gssize) (len * keep), error);
}
