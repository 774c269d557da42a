/* test-photo.c - finding, probing and decoding photos.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every input is written here at run time (libjpeg, libpng, libtiff, or by
 * hand for the hostile headers) into a fresh temp dir.
 */
#include "ps-test-util.h"
#include "ps-photo-private.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>

/* ------------------------------------------------------------------ */
/* Fixture: a temp dir per test                                       */
/* ------------------------------------------------------------------ */

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = ps_test_tmpdir ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  _ps_photo_cache_clear ();
  ps_test_rm_rf (f->dir);
  g_free (f->dir);
}

static char *
fpath (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* ------------------------------------------------------------------ */
/* Writers                                                            */
/* ------------------------------------------------------------------ */

/* Test picture: top-left quarter red, the rest blue (gray: 40 / 200,
 * CMYK: 0,255,255,0 / 255,128,0,0), with optional noise so the entropy data
 * is large enough to cut in half meaningfully. */
static void
pattern_pixel (int x, int y, int w, int h, int comps, bool noise, guint8 *out)
{
  bool tl = x < w / 2 && y < h / 2;
  static const guint8 rgb[2][3] = { { 255, 0, 0 }, { 0, 0, 255 } };
  static const guint8 cmyk[2][4] = { { 0, 255, 255, 0 }, { 255, 128, 0, 0 } };
  int k = tl ? 0 : 1;
  for (int c = 0; c < comps; c++)
    {
      int v = comps == 1 ? (tl ? 40 : 200) : comps == 3 ? rgb[k][c] : cmyk[k][c];
      if (noise && !tl)
        v = (v + (int) ((x * 7919u + y * 104729u + c * 31u) % 61u)) % 256;
      out[c] = (guint8) v;
    }
}

typedef struct {
  int width, height;
  J_COLOR_SPACE space;      /* JCS_RGB, JCS_GRAYSCALE, JCS_CMYK */
  bool noise;
  bool no_adobe;            /* CMYK without the APP14 marker */
  const guint8 *icc;
  unsigned icc_len;
  int exif_orientation;     /* 0: no EXIF */
} JpegSpec;

static void
write_jpeg (const char *path, const JpegSpec *spec)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  int comps = spec->space == JCS_GRAYSCALE ? 1 : spec->space == JCS_CMYK ? 4 : 3;

  FILE *fp = fopen (path, "wb");
  g_assert_nonnull (fp);
  cinfo.err = jpeg_std_error (&jerr);
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
  jpeg_set_quality (&cinfo, 95, TRUE);
  jpeg_start_compress (&cinfo, TRUE);

  if (spec->exif_orientation > 0)
    {
      /* "Exif\0\0" + big-endian TIFF header + IFD0 with one entry. */
      guint8 exif[6 + 8 + 2 + 12 + 4] = { 'E', 'x', 'i', 'f', 0, 0,
                                           'M', 'M', 0, 42, 0, 0, 0, 8,
                                           0, 1,
                                           0x01, 0x12, 0, 3, 0, 0, 0, 1,
                                           0, (guint8) spec->exif_orientation, 0, 0,
                                           0, 0, 0, 0 };
      jpeg_write_marker (&cinfo, JPEG_APP0 + 1, exif, sizeof exif);
    }
  if (spec->icc != NULL)
    jpeg_write_icc_profile (&cinfo, spec->icc, spec->icc_len);

  g_autofree guint8 *row = g_malloc ((gsize) spec->width * comps);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      for (int x = 0; x < spec->width; x++)
        pattern_pixel (x, (int) cinfo.next_scanline, spec->width, spec->height, comps,
                       spec->noise, row + x * comps);
      JSAMPROW rowp = row;
      jpeg_write_scanlines (&cinfo, &rowp, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  fclose (fp);
}

static void
write_simple_jpeg (const char *path, int w, int h)
{
  JpegSpec spec = { .width = w, .height = h, .space = JCS_RGB };
  write_jpeg (path, &spec);
}

typedef void (*PngFill) (int x, int y, guint8 *px);   /* one pixel, file layout */

static void
write_png_interlaced (const char *path, int w, int h, PngFill fill)
{
  FILE *fp = fopen (path, "wb");
  g_assert_nonnull (fp);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  png_init_io (png, fp);
  png_set_IHDR (png, info, (png_uint_32) w, (png_uint_32) h, 8, PNG_COLOR_TYPE_RGB_ALPHA,
                PNG_INTERLACE_ADAM7, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  g_autofree guint8 *pixels = g_malloc ((gsize) w * h * 4);
  g_autofree guint8 **rows = g_new (guint8 *, h);
  for (int y = 0; y < h; y++)
    {
      rows[y] = pixels + (gsize) y * w * 4;
      for (int x = 0; x < w; x++)
        fill (x, y, rows[y] + x * 4);
    }
  png_write_image (png, rows);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (fp);
}

static void
write_png (const char *path, int w, int h, int color_type, int depth, PngFill fill)
{
  FILE *fp = fopen (path, "wb");
  g_assert_nonnull (fp);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  g_assert_nonnull (png);
  g_assert_nonnull (info);
  png_init_io (png, fp);
  png_set_IHDR (png, info, (png_uint_32) w, (png_uint_32) h, depth, color_type,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  int channels = png_get_channels (png, info);
  gsize px = (gsize) channels * (depth / 8);
  g_autofree guint8 *row = g_malloc ((gsize) w * px);
  for (int y = 0; y < h; y++)
    {
      for (int x = 0; x < w; x++)
        fill (x, y, row + x * px);
      png_write_row (png, row);
    }
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (fp);
}

/* RGBA: left third fully transparent black, middle third half-transparent
 * red, right third opaque blue. */
static int png_width = 480;

static void
fill_rgba (int x, int y, guint8 *px)
{
  if (x < png_width / 3)
    memcpy (px, (guint8[]) { 0, 0, 0, 0 }, 4);
  else if (x < 2 * png_width / 3)
    memcpy (px, (guint8[]) { 255, 0, 0, 128 }, 4);
  else
    memcpy (px, (guint8[]) { 0, 0, 255, 255 }, 4);
}

/* 16-bit RGB, big-endian as PNG stores it: R = 0x1234, G = x, B = 0xfedc. */
static void
fill_rgb16 (int x, int y, guint8 *px)
{
  guint16 v[3] = { 0x1234, (guint16) x, 0xfedc };
  for (int c = 0; c < 3; c++)
    {
      px[2 * c] = (guint8) (v[c] >> 8);
      px[2 * c + 1] = (guint8) (v[c] & 0xff);
    }
}

static void
fill_rgb8 (int x, int y, guint8 *px)
{
  pattern_pixel (x, y, png_width, 640, 3, false, px);
}

typedef struct {
  int width, height;
  int spp, bps;
  int photometric;
  bool alpha;               /* last sample is unassociated alpha */
  const guint8 *icc;
  unsigned icc_len;
} TiffSpec;

/* Sample value at (x, y, c): a gradient the reader can check exactly. */
static guint
tiff_sample (const TiffSpec *s, int x, int y, int c)
{
  if (s->alpha && c == s->spp - 1)
    return x < s->width / 2 ? 0 : (s->bps == 16 ? 65535 : 255);
  guint v = (guint) (x * 3 + y * 5 + c * 50);
  return s->bps == 16 ? (v * 41u) & 0xffff : v & 0xff;
}

static void
write_tiff (const char *path, const TiffSpec *s)
{
  TIFF *tif = TIFFOpen (path, "w");
  g_assert_nonnull (tif);
  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, (uint32_t) s->width);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, (uint32_t) s->height);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t) s->spp);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, (uint16_t) s->bps);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, (uint16_t) s->photometric);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, (uint32_t) 16);
  if (s->alpha)
    {
      uint16_t extra = EXTRASAMPLE_UNASSALPHA;
      TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
  if (s->photometric == PHOTOMETRIC_SEPARATED)
    TIFFSetField (tif, TIFFTAG_INKSET, INKSET_CMYK);
  if (s->icc != NULL)
    TIFFSetField (tif, TIFFTAG_ICCPROFILE, (uint32_t) s->icc_len, s->icc);

  tmsize_t size = TIFFScanlineSize (tif);
  g_autofree guint8 *line = g_malloc ((gsize) size);
  for (int y = 0; y < s->height; y++)
    {
      for (int x = 0; x < s->width; x++)
        for (int c = 0; c < s->spp; c++)
          {
            guint v = tiff_sample (s, x, y, c);
            if (s->bps == 16)
              ((guint16 *) line)[x * s->spp + c] = (guint16) v;
            else
              line[x * s->spp + c] = (guint8) v;
          }
      g_assert_cmpint (TIFFWriteScanline (tif, line, (uint32_t) y, 0), ==, 1);
    }
  TIFFClose (tif);
}

static guint8 *
read_file (const char *path, gsize *len)
{
  char *data = NULL;
  g_assert_true (g_file_get_contents (path, &data, len, NULL));
  return (guint8 *) data;
}

/* A fake profile: only carried, never parsed, by JPEG and TIFF. */
static guint8 fake_icc[700];

static void
init_fake_icc (void)
{
  for (size_t i = 0; i < sizeof fake_icc; i++)
    fake_icc[i] = (guint8) (i * 13 + 7);
}

static const guint8 *
raw_px (const PsRawImage *img, int x, int y)
{
  return img->pixels + (gsize) y * img->stride
         + (gsize) x * img->channels * (img->bits / 8);
}

#define assert_near(a, b, tol) g_assert_cmpint (ABS ((int) (a) - (int) (b)), <=, (tol))

/* ------------------------------------------------------------------ */
/* Limits                                                             */
/* ------------------------------------------------------------------ */

static void
test_limits_defaults (void)
{
  PsPhotoLimits out;
  _ps_photo_limits_resolve (NULL, &out);
  g_assert_cmpint (out.max_pixels, ==, 40000000);
  g_assert_cmpint (out.min_width, ==, 480);
  g_assert_cmpint (out.min_height, ==, 640);
  g_assert_cmpfloat_with_epsilon (out.aspect, 0.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (out.aspect_tolerance, 0.05, 1e-9);

  PsPhotoLimits in = { .min_width = 100, .aspect = 1.0 };
  _ps_photo_limits_resolve (&in, &out);
  g_assert_cmpint (out.min_width, ==, 100);
  g_assert_cmpint (out.min_height, ==, 640);
  g_assert_cmpfloat_with_epsilon (out.aspect, 1.0, 1e-9);
}

/* ------------------------------------------------------------------ */
/* Probe: good files                                                  */
/* ------------------------------------------------------------------ */

static void
test_probe_jpeg_rgb (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "a.jpg");
  write_simple_jpeg (p, 480, 640);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.format, ==, PS_PHOTO_FORMAT_JPEG);
  g_assert_cmpint (info.width, ==, 480);
  g_assert_cmpint (info.height, ==, 640);
  g_assert_cmpint (info.channels, ==, 3);
  g_assert_cmpint (info.bits, ==, 8);
  g_assert_cmpint (info.orientation, ==, 1);
  g_assert_false (info.has_icc);
}

static void
test_probe_jpeg_icc (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "icc.jpg");
  JpegSpec spec = { .width = 480, .height = 640, .space = JCS_RGB,
                    .icc = fake_icc, .icc_len = sizeof fake_icc };
  write_jpeg (p, &spec);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_true (info.has_icc);
}

static void
test_probe_jpeg_exif (Fixture *f, gconstpointer data)
{
  /* Stored landscape 640×480, EXIF 6 (rotate 90° CW): shown as 480×640. */
  g_autofree char *p = fpath (f, "exif.jpg");
  JpegSpec spec = { .width = 640, .height = 480, .space = JCS_RGB,
                    .exif_orientation = 6 };
  write_jpeg (p, &spec);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.orientation, ==, 6);
  g_assert_cmpint (info.width, ==, 640);
  g_assert_cmpint (info.height, ==, 480);

  /* The same pixels without EXIF are landscape: only 480 px high. */
  g_autofree char *q = fpath (f, "noexif.jpg");
  spec.exif_orientation = 0;
  write_jpeg (q, &spec);
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_SMALL);
  g_assert_cmpstr (error->message, ==,
                   "photo is 640×480 px, layout needs at least 480×640");
  g_clear_error (&error);

  /* Orientation 8 on a big landscape: shown 960×1280, fits. */
  spec.width = 1280;
  spec.height = 960;
  spec.exif_orientation = 8;
  write_jpeg (q, &spec);
  g_assert_true (ps_photo_probe (q, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.orientation, ==, 8);
}

static void
test_probe_jpeg_gray_cmyk (Fixture *f, gconstpointer data)
{
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;

  g_autofree char *g = fpath (f, "gray.jpg");
  JpegSpec gray = { .width = 480, .height = 640, .space = JCS_GRAYSCALE };
  write_jpeg (g, &gray);
  g_assert_true (ps_photo_probe (g, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.channels, ==, 1);

  g_autofree char *c = fpath (f, "cmyk.jpg");
  JpegSpec cmyk = { .width = 480, .height = 640, .space = JCS_CMYK };
  write_jpeg (c, &cmyk);
  g_assert_true (ps_photo_probe (c, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.channels, ==, 4);
}

static void
test_probe_png (Fixture *f, gconstpointer data)
{
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;

  g_autofree char *a = fpath (f, "rgba.png");
  write_png (a, 480, 640, PNG_COLOR_TYPE_RGB_ALPHA, 8, fill_rgba);
  g_assert_true (ps_photo_probe (a, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.format, ==, PS_PHOTO_FORMAT_PNG);
  g_assert_cmpint (info.width, ==, 480);
  g_assert_cmpint (info.height, ==, 640);
  g_assert_cmpint (info.channels, ==, 4);
  g_assert_cmpint (info.bits, ==, 8);

  g_autofree char *b = fpath (f, "rgb16.png");
  write_png (b, 480, 640, PNG_COLOR_TYPE_RGB, 16, fill_rgb16);
  g_assert_true (ps_photo_probe (b, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.channels, ==, 3);
  g_assert_cmpint (info.bits, ==, 16);
}

static void
test_probe_tiff (Fixture *f, gconstpointer data)
{
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;

  g_autofree char *a = fpath (f, "rgb8.tif");
  TiffSpec s8 = { 480, 640, 3, 8, PHOTOMETRIC_RGB };
  write_tiff (a, &s8);
  g_assert_true (ps_photo_probe (a, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.format, ==, PS_PHOTO_FORMAT_TIFF);
  g_assert_cmpint (info.width, ==, 480);
  g_assert_cmpint (info.height, ==, 640);
  g_assert_cmpint (info.channels, ==, 3);
  g_assert_cmpint (info.bits, ==, 8);
  g_assert_false (info.has_icc);

  g_autofree char *b = fpath (f, "rgb16-icc.tiff");
  TiffSpec s16 = { 480, 640, 3, 16, PHOTOMETRIC_RGB, .icc = fake_icc,
                   .icc_len = sizeof fake_icc };
  write_tiff (b, &s16);
  g_assert_true (ps_photo_probe (b, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.bits, ==, 16);
  g_assert_true (info.has_icc);
}

/* ------------------------------------------------------------------ */
/* Probe: hostile and unfit files                                     */
/* ------------------------------------------------------------------ */

static void
test_probe_empty (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "empty.jpg");
  ps_test_write_file (p, "", 0);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_EMPTY);
}

static void
test_probe_missing (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "nope.jpg");
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN);
}

static void
test_probe_text (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "text.jpg");
  ps_test_write_file (p, "this is not a photo\n", -1);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "text.jpg"));
}

static void
test_probe_magic_not_extension (Fixture *f, gconstpointer data)
{
  /* A PNG named .jpg is a PNG. */
  g_autofree char *p = fpath (f, "really-png.jpg");
  write_png (p, 480, 640, PNG_COLOR_TYPE_RGB, 8, fill_rgb8);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.format, ==, PS_PHOTO_FORMAT_PNG);
}

static void
test_probe_truncated_jpeg (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "whole.jpg");
  JpegSpec spec = { .width = 480, .height = 640, .space = JCS_RGB, .noise = true };
  write_jpeg (p, &spec);
  gsize len = 0;
  g_autofree guint8 *bytes = read_file (p, &len);
  g_assert_cmpuint (len, >, 10000);
  g_autofree char *q = fpath (f, "half.jpg");
  ps_test_write_file (q, (const char *) bytes, (gssize) (len / 2));

  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "half.jpg"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Decoding refuses it too. */
  g_autoptr (PsRawImage) img = _ps_photo_decode (q, NULL, &error);
  g_assert_null (img);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
}

static void
test_probe_jpeg_huge_sof (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "small.jpg");
  write_simple_jpeg (p, 64, 64);
  gsize len = 0;
  g_autofree guint8 *bytes = read_file (p, &len);

  /* Patch SOF0: FF C0, length(2), precision(1), height(2), width(2). */
  gsize at = 2;
  bool patched = false;
  while (at + 9 < len)
    {
      g_assert_cmpint (bytes[at], ==, 0xff);
      guint marker = bytes[at + 1];
      guint seglen = (guint) bytes[at + 2] << 8 | bytes[at + 3];
      if (marker == 0xc0)
        {
          guint16 big = 65000;
          bytes[at + 5] = bytes[at + 7] = (guint8) (big >> 8);
          bytes[at + 6] = bytes[at + 8] = (guint8) (big & 0xff);
          patched = true;
          break;
        }
      at += 2 + seglen;
    }
  g_assert_true (patched);
  g_autofree char *q = fpath (f, "huge.jpg");
  ps_test_write_file (q, (const char *) bytes, (gssize) len);

  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_autoptr (PsRawImage) img = _ps_photo_decode (q, NULL, &error);
  g_assert_null (img);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
}

static void
test_probe_jpeg_extraneous (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "pad.jpg");
  write_simple_jpeg (p, 480, 640);
  gsize len = 0;
  g_autofree guint8 *bytes = read_file (p, &len);
  g_assert_cmpint (bytes[len - 2], ==, 0xff);
  g_assert_cmpint (bytes[len - 1], ==, 0xd9);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;

  /* Junk before EOI: every pixel is there, accepted. */
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, bytes, (guint) len - 2);
  g_byte_array_append (b, (const guint8 *) "\x12\x34\xff\xd9", 4);
  ps_test_write_file (p, (const char *) b->data, b->len);
  g_byte_array_unref (b);
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);

  /* Junk between header markers (after APP0): corrupt. */
  g_assert_cmpint (bytes[3], ==, 0xe0);
  guint app0_end = 4 + ((guint) bytes[4] << 8 | bytes[5]);
  b = g_byte_array_new ();
  g_byte_array_append (b, bytes, app0_end);
  g_byte_array_append (b, (const guint8 *) "\x12\x34", 2);
  g_byte_array_append (b, bytes + app0_end, (guint) len - app0_end);
  ps_test_write_file (p, (const char *) b->data, b->len);
  g_byte_array_unref (b);
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
}

static guint32
crc32_of (const guint8 *p, size_t n)
{
  guint32 c = 0xffffffffu;
  for (size_t i = 0; i < n; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
  return c ^ 0xffffffffu;
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static void
test_probe_png_bomb (Fixture *f, gconstpointer data)
{
  /* Signature + IHDR 60000×60000 RGBA 8-bit with a valid CRC + an empty
   * IDAT + IEND: a decoder that trusted it would allocate 14 GB. */
  guint8 png[8 + 25 + 12 + 12] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 *ihdr = png + 8;
  put_be32 (ihdr, 13);
  memcpy (ihdr + 4, "IHDR", 4);
  put_be32 (ihdr + 8, 60000);
  put_be32 (ihdr + 12, 60000);
  ihdr[16] = 8;   /* depth */
  ihdr[17] = 6;   /* RGBA */
  ihdr[18] = ihdr[19] = ihdr[20] = 0;
  put_be32 (ihdr + 21, crc32_of (ihdr + 4, 17));
  guint8 *idat = ihdr + 25;
  put_be32 (idat, 0);
  memcpy (idat + 4, "IDAT", 4);
  put_be32 (idat + 8, crc32_of (idat + 4, 4));
  guint8 *iend = idat + 12;
  put_be32 (iend, 0);
  memcpy (iend + 4, "IEND", 4);
  put_be32 (iend + 8, crc32_of (iend + 4, 4));

  g_autofree char *p = fpath (f, "bomb.png");
  ps_test_write_file (p, (const char *) png, sizeof png);

  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "60000×60000"));
  g_clear_error (&error);

  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_null (img);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Under the side limit but over a lowered pixel limit. */
  put_be32 (ihdr + 8, 6000);
  put_be32 (ihdr + 12, 8000);
  put_be32 (ihdr + 21, crc32_of (ihdr + 4, 17));
  ps_test_write_file (p, (const char *) png, sizeof png);
  PsPhotoLimits limits = { .max_pixels = 10 * 1000 * 1000 };
  g_assert_false (ps_photo_probe (p, &limits, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
}

/* Minimal little-endian TIFF: one IFD, one strip of @strip_bytes zeros. */
static void
write_tiff_by_hand (const char *path, guint32 width, guint32 height, guint32 strip_bytes)
{
  GByteArray *b = g_byte_array_new ();
  guint8 head[8] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  g_byte_array_append (b, head, 8);
  struct { guint16 tag, type; guint32 count, value; } entries[] = {
    { 256, 4, 1, width },            /* ImageWidth */
    { 257, 4, 1, height },           /* ImageLength */
    { 258, 3, 1, 8 },                /* BitsPerSample */
    { 259, 3, 1, 1 },                /* Compression none */
    { 262, 3, 1, 1 },                /* Photometric MinIsBlack */
    { 273, 4, 1, 0 },                /* StripOffsets, patched below */
    { 277, 3, 1, 1 },                /* SamplesPerPixel */
    { 278, 4, 1, height },           /* RowsPerStrip */
    { 279, 4, 1, strip_bytes },      /* StripByteCounts */
  };
  guint16 n = G_N_ELEMENTS (entries);
  guint32 data_at = 8 + 2 + n * 12 + 4;
  entries[5].value = data_at;
  g_byte_array_append (b, (guint8 *) &(guint16) { GUINT16_TO_LE (n) }, 2);
  for (guint i = 0; i < n; i++)
    {
      guint8 e[12];
      e[0] = (guint8) entries[i].tag;
      e[1] = (guint8) (entries[i].tag >> 8);
      e[2] = (guint8) entries[i].type;
      e[3] = 0;
      for (int k = 0; k < 4; k++)
        e[4 + k] = (guint8) (entries[i].count >> (8 * k));
      if (entries[i].type == 3)
        {
          e[8] = (guint8) entries[i].value;
          e[9] = (guint8) (entries[i].value >> 8);
          e[10] = e[11] = 0;
        }
      else
        for (int k = 0; k < 4; k++)
          e[8 + k] = (guint8) (entries[i].value >> (8 * k));
      g_byte_array_append (b, e, 12);
    }
  guint8 zero4[4] = { 0 };
  g_byte_array_append (b, zero4, 4);   /* no next IFD */
  g_assert_cmpuint (b->len, ==, data_at);
  g_autofree guint8 *data = g_malloc0 (MIN (strip_bytes, 1u << 20));
  g_byte_array_append (b, data, MIN (strip_bytes, 1u << 20));
  ps_test_write_file (path, (const char *) b->data, b->len);
  g_byte_array_unref (b);
}

static void
test_probe_tiff_huge (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "huge.tif");
  write_tiff_by_hand (p, 100000, 100000, 1024);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Within the side limit, above 40 Mpx. */
  write_tiff_by_hand (p, 20000, 20000, 1024);
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
}

static void
test_probe_tiff_truncated (Fixture *f, gconstpointer data)
{
  /* Declares a 480×640 strip but holds only a third of it. */
  g_autofree char *p = fpath (f, "short.tif");
  write_tiff_by_hand (p, 480, 640, 480 * 640);
  gsize len = 0;
  g_autofree guint8 *bytes = read_file (p, &len);
  ps_test_write_file (p, (const char *) bytes, (gssize) (len / 3));

  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_null (img);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);

  /* The whole file is fine (gray 8-bit by hand). */
  write_tiff_by_hand (p, 480, 640, 480 * 640);
  g_clear_error (&error);
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.channels, ==, 1);
}

static void
test_probe_too_small (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "small.jpg");
  write_simple_jpeg (p, 300, 400);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_SMALL);
  g_assert_cmpstr (error->message, ==,
                   "photo is 300×400 px, layout needs at least 480×640");
  /* info is still filled for the caller's report */
  g_assert_cmpint (info.width, ==, 300);
  g_clear_error (&error);

  /* Custom limits accept it. */
  PsPhotoLimits limits = { .min_width = 300, .min_height = 400 };
  g_assert_true (ps_photo_probe (p, &limits, &info, &error));
  g_assert_no_error (error);
}

static void
test_probe_aspect (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "square.jpg");
  write_simple_jpeg (p, 640, 640);
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_ASPECT);
  g_clear_error (&error);

  /* 496×640 is 0.775: 3.3 % off 3:4, inside the 5 % tolerance. */
  write_simple_jpeg (p, 496, 640);
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);

  /* A square layout takes the square photo. */
  write_simple_jpeg (p, 640, 640);
  PsPhotoLimits limits = { .aspect = 1.0 };
  g_assert_true (ps_photo_probe (p, &limits, &info, &error));
  g_assert_no_error (error);
}

static void
test_probe_png_corrupt (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "good.png");
  write_png (p, 480, 640, PNG_COLOR_TYPE_RGB, 8, fill_rgb8);
  gsize len = 0;
  g_autofree guint8 *bytes = read_file (p, &len);
  guint8 *idat = memmem (bytes, len, "IDAT", 4);
  g_assert_nonnull (idat);
  guint32 idat_len = (guint32) idat[-4] << 24 | (guint32) idat[-3] << 16
                     | (guint32) idat[-2] << 8 | idat[-1];
  g_assert_cmpuint (idat_len, >, 40);

  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;

  /* One flipped bit inside IDAT: the chunk CRC no longer matches. */
  g_autofree char *q = fpath (f, "crc.png");
  g_autofree guint8 *copy = g_memdup2 (bytes, len);
  copy[(idat - bytes) + 4 + idat_len / 2] ^= 0x10;
  ps_test_write_file (q, (const char *) copy, (gssize) len);
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Data intact, the IDAT CRC field itself wrong. */
  g_free (copy);
  copy = g_memdup2 (bytes, len);
  copy[(idat - bytes) + 4 + idat_len] ^= 0x01;
  ps_test_write_file (q, (const char *) copy, (gssize) len);
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "CRC"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* A wrong CRC on IHDR. */
  g_free (copy);
  copy = g_memdup2 (bytes, len);
  copy[8 + 8 + 13] ^= 0xff;
  ps_test_write_file (q, (const char *) copy, (gssize) len);
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Cut inside IDAT. */
  gsize cut = (gsize) (idat - bytes) + 4 + idat_len / 2;
  ps_test_write_file (q, (const char *) bytes, (gssize) cut);
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
  g_clear_error (&error);
  g_autoptr (PsRawImage) img = _ps_photo_decode (q, NULL, &error);
  g_assert_null (img);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT);
}

/* ------------------------------------------------------------------ */
/* Decode                                                             */
/* ------------------------------------------------------------------ */

static void
test_decode_jpeg_rgb (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "rgb.jpg");
  write_simple_jpeg (p, 480, 640);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (img);
  g_assert_cmpint (img->width, ==, 480);
  g_assert_cmpint (img->height, ==, 640);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->bits, ==, 8);
  g_assert_cmpuint (img->stride, ==, 480 * 3);
  g_assert_cmpint (img->orientation, ==, 1);
  g_assert_null (img->icc);
  g_assert_false (img->adobe_inverted);
  const guint8 *red = raw_px (img, 20, 20);
  assert_near (red[0], 255, 8);
  assert_near (red[1], 0, 8);
  assert_near (red[2], 0, 8);
  const guint8 *blue = raw_px (img, 400, 600);
  assert_near (blue[0], 0, 8);
  assert_near (blue[1], 0, 8);
  assert_near (blue[2], 255, 8);
}

static void
test_decode_jpeg_gray (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "gray.jpg");
  JpegSpec spec = { .width = 480, .height = 640, .space = JCS_GRAYSCALE };
  write_jpeg (p, &spec);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 1);
  g_assert_cmpuint (img->stride, ==, 480);
  assert_near (raw_px (img, 10, 10)[0], 40, 4);
  assert_near (raw_px (img, 470, 630)[0], 200, 4);
}

static void
test_decode_jpeg_cmyk (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_autofree char *p = fpath (f, "cmyk.jpg");
  JpegSpec spec = { .width = 480, .height = 640, .space = JCS_CMYK };
  write_jpeg (p, &spec);
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 4);
  g_assert_cmpuint (img->stride, ==, 480 * 4);
  g_assert_true (img->adobe_inverted);
  /* Samples come back as written (libjpeg does not invert). */
  const guint8 *tl = raw_px (img, 20, 20);
  assert_near (tl[0], 0, 8);
  assert_near (tl[1], 255, 8);
  assert_near (tl[2], 255, 8);
  assert_near (tl[3], 0, 8);

  g_autofree char *q = fpath (f, "cmyk-noadobe.jpg");
  spec.no_adobe = true;
  write_jpeg (q, &spec);
  g_autoptr (PsRawImage) plain = _ps_photo_decode (q, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (plain->channels, ==, 4);
  g_assert_false (plain->adobe_inverted);
}

static void
test_decode_jpeg_icc_exif (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "both.jpg");
  JpegSpec spec = { .width = 640, .height = 480, .space = JCS_RGB,
                    .icc = fake_icc, .icc_len = sizeof fake_icc,
                    .exif_orientation = 6 };
  write_jpeg (p, &spec);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  /* As stored: not rotated. */
  g_assert_cmpint (img->width, ==, 640);
  g_assert_cmpint (img->height, ==, 480);
  g_assert_cmpint (img->orientation, ==, 6);
  g_assert_nonnull (img->icc);
  gsize n = 0;
  const guint8 *icc = g_bytes_get_data (img->icc, &n);
  g_assert_cmpmem (icc, n, fake_icc, sizeof fake_icc);
}

static void
test_decode_png_flatten (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "rgba.png");
  write_png (p, 480, 640, PNG_COLOR_TYPE_RGB_ALPHA, 8, fill_rgba);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->bits, ==, 8);
  g_assert_cmpuint (img->stride, ==, 480 * 3);
  /* transparent black -> white */
  const guint8 *a = raw_px (img, 10, 300);
  g_assert_cmpint (a[0], ==, 255);
  g_assert_cmpint (a[1], ==, 255);
  g_assert_cmpint (a[2], ==, 255);
  /* red at alpha 128 over white -> (255, 127, 127) */
  const guint8 *b = raw_px (img, 240, 639);
  g_assert_cmpint (b[0], ==, 255);
  assert_near (b[1], 127, 1);
  assert_near (b[2], 127, 1);
  /* opaque blue unchanged, also on the last row */
  const guint8 *c = raw_px (img, 479, 639);
  g_assert_cmpint (c[0], ==, 0);
  g_assert_cmpint (c[1], ==, 0);
  g_assert_cmpint (c[2], ==, 255);
}

static void
test_decode_png_interlaced (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "adam7.png");
  write_png_interlaced (p, 480, 640, fill_rgba);
  g_autoptr (GError) error = NULL;
  PsPhotoInfo info;
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (raw_px (img, 3, 5)[0], ==, 255);
  g_assert_cmpint (raw_px (img, 3, 5)[2], ==, 255);
  g_assert_cmpint (raw_px (img, 477, 633)[0], ==, 0);
  g_assert_cmpint (raw_px (img, 477, 633)[2], ==, 255);
}

static void
fill_ga (int x, int y, guint8 *px)
{
  px[0] = 0;                       /* black */
  px[1] = x < 240 ? 0 : 255;       /* transparent | opaque */
}

static void
test_decode_png_gray_alpha (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "ga.png");
  write_png (p, 480, 640, PNG_COLOR_TYPE_GRAY_ALPHA, 8, fill_ga);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 1);
  g_assert_cmpint (raw_px (img, 0, 0)[0], ==, 255);
  g_assert_cmpint (raw_px (img, 479, 639)[0], ==, 0);
}

static void
test_decode_png_16bit (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "rgb16.png");
  write_png (p, 480, 640, PNG_COLOR_TYPE_RGB, 16, fill_rgb16);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->bits, ==, 16);
  g_assert_cmpuint (img->stride, ==, 480 * 6);
  const guint16 *px = (const guint16 *) raw_px (img, 300, 100);
  g_assert_cmpuint (px[0], ==, 0x1234);   /* native byte order */
  g_assert_cmpuint (px[1], ==, 300);
  g_assert_cmpuint (px[2], ==, 0xfedc);
}

static void
test_decode_tiff_rgb8 (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "rgb8.tif");
  TiffSpec s = { 480, 640, 3, 8, PHOTOMETRIC_RGB };
  write_tiff (p, &s);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->bits, ==, 8);
  g_assert_null (img->icc);
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpuint (raw_px (img, 7, 11)[c], ==, tiff_sample (&s, 7, 11, c));
      g_assert_cmpuint (raw_px (img, 479, 639)[c], ==, tiff_sample (&s, 479, 639, c));
    }
}

static void
test_decode_tiff_rgb16_icc (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "rgb16.tif");
  TiffSpec s = { 480, 640, 3, 16, PHOTOMETRIC_RGB, .icc = fake_icc,
                 .icc_len = sizeof fake_icc };
  write_tiff (p, &s);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->bits, ==, 16);
  g_assert_cmpuint (img->stride, ==, 480 * 6);
  const guint16 *px = (const guint16 *) raw_px (img, 123, 456);
  for (int c = 0; c < 3; c++)
    g_assert_cmpuint (px[c], ==, tiff_sample (&s, 123, 456, c));
  g_assert_nonnull (img->icc);
  gsize n = 0;
  const guint8 *icc = g_bytes_get_data (img->icc, &n);
  g_assert_cmpmem (icc, n, fake_icc, sizeof fake_icc);
}

static void
test_decode_tiff_cmyk (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "cmyk.tif");
  TiffSpec s = { 480, 640, 4, 8, PHOTOMETRIC_SEPARATED, .icc = fake_icc,
                 .icc_len = sizeof fake_icc };
  write_tiff (p, &s);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 4);
  g_assert_false (img->adobe_inverted);
  g_assert_nonnull (img->icc);
  for (int c = 0; c < 4; c++)
    g_assert_cmpuint (raw_px (img, 50, 60)[c], ==, tiff_sample (&s, 50, 60, c));
}

static void
test_decode_tiff_rgba (Fixture *f, gconstpointer data)
{
  /* RGB + unassociated alpha goes through libtiff's RGBA reader: left half
   * transparent (white after flattening), right half as stored. */
  g_autofree char *p = fpath (f, "rgba.tif");
  TiffSpec s = { 480, 640, 4, 8, PHOTOMETRIC_RGB, .alpha = true };
  write_tiff (p, &s);
  g_autoptr (GError) error = NULL;
  PsPhotoInfo info;
  g_assert_true (ps_photo_probe (p, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.channels, ==, 4);

  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->bits, ==, 8);
  const guint8 *w = raw_px (img, 10, 5);
  g_assert_cmpint (w[0], ==, 255);
  g_assert_cmpint (w[1], ==, 255);
  g_assert_cmpint (w[2], ==, 255);
  /* rows stay in stored order: top row is row 0 */
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpuint (raw_px (img, 400, 0)[c], ==, tiff_sample (&s, 400, 0, c));
      g_assert_cmpuint (raw_px (img, 400, 600)[c], ==, tiff_sample (&s, 400, 600, c));
    }
}

/* ------------------------------------------------------------------ */
/* Find                                                               */
/* ------------------------------------------------------------------ */

static void
record_init (PsRecord *r, const char *cjm, const char *xh, const char *photo)
{
  memset (r, 0, sizeof *r);
  r->row = 2;
  r->values[PS_FIELD_CJM] = (char *) cjm;
  r->values[PS_FIELD_XH] = (char *) xh;
  r->values[PS_FIELD_PHOTO] = (char *) photo;
}

static void
touch (Fixture *f, const char *name)
{
  g_autofree char *p = fpath (f, name);
  ps_test_write_file (p, "x", 1);
}

static void
assert_found (Fixture *f, const PsRecord *r, const char *expect)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = ps_photo_find (f->dir, r, &error);
  g_assert_no_error (error);
  g_autofree char *want = fpath (f, expect);
  g_assert_cmpstr (path, ==, want);
}

static void
assert_find_fails (Fixture *f, const PsRecord *r, int code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = ps_photo_find (f->dir, r, &error);
  g_assert_null (path);
  g_assert_error (error, PS_PHOTO_ERROR, code);
}

static void
test_find_by_cjm (Fixture *f, gconstpointer data)
{
  touch (f, "A1B2C3D4E5F6G7H8.jpg");
  touch (f, "2018001.jpg");
  touch (f, "notes.txt");
  PsRecord r;
  record_init (&r, "A1B2C3D4E5F6G7H8", "2018001", NULL);
  assert_found (f, &r, "A1B2C3D4E5F6G7H8.jpg");
}

static void
test_find_by_xh (Fixture *f, gconstpointer data)
{
  touch (f, "2018001.jpeg");
  touch (f, "2018001.txt");
  PsRecord r;
  record_init (&r, "A1B2C3D4E5F6G7H8", "2018001", NULL);
  assert_found (f, &r, "2018001.jpeg");
  /* no cjm at all */
  record_init (&r, NULL, "2018001", NULL);
  assert_found (f, &r, "2018001.jpeg");
}

static void
test_find_extension_case (Fixture *f, gconstpointer data)
{
  touch (f, "2018002.JPG");
  touch (f, "2018003.Tiff");
  touch (f, "2018004.PNG");
  PsRecord r;
  record_init (&r, NULL, "2018002", NULL);
  assert_found (f, &r, "2018002.JPG");
  record_init (&r, NULL, "2018003", NULL);
  assert_found (f, &r, "2018003.Tiff");
  record_init (&r, NULL, "2018004", NULL);
  assert_found (f, &r, "2018004.PNG");
}

static void
test_find_preference (Fixture *f, gconstpointer data)
{
  /* Several files for one stem: .jpg before .png before .tif. */
  touch (f, "2018005.tif");
  touch (f, "2018005.png");
  touch (f, "2018005.jpg");
  PsRecord r;
  record_init (&r, NULL, "2018005", NULL);
  assert_found (f, &r, "2018005.jpg");
}

static void
test_find_by_column (Fixture *f, gconstpointer data)
{
  g_autofree char *sub = fpath (f, "class1");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  touch (f, "class1/zhang.png");
  touch (f, "A1B2C3D4E5F6G7H8.jpg");
  PsRecord r;
  record_init (&r, "A1B2C3D4E5F6G7H8", "2018001", "class1/zhang.png");
  assert_found (f, &r, "class1/zhang.png");
  /* a column naming a missing file falls back to the 采集码 */
  record_init (&r, "A1B2C3D4E5F6G7H8", "2018001", "class1/gone.png");
  assert_found (f, &r, "A1B2C3D4E5F6G7H8.jpg");
}

static void
test_find_unsafe (Fixture *f, gconstpointer data)
{
  PsRecord r;
  touch (f, "2018001.jpg");
  record_init (&r, NULL, "2018001", "../../etc/passwd");
  assert_find_fails (f, &r, PS_PHOTO_ERROR_UNSAFE_PATH);
  record_init (&r, NULL, "2018001", "/etc/passwd");
  assert_find_fails (f, &r, PS_PHOTO_ERROR_UNSAFE_PATH);
  record_init (&r, NULL, "2018001", "sub/../../x.jpg");
  assert_find_fails (f, &r, PS_PHOTO_ERROR_UNSAFE_PATH);
  record_init (&r, NULL, "2018001", "..\\x.jpg");
  assert_find_fails (f, &r, PS_PHOTO_ERROR_UNSAFE_PATH);
}

static void
test_find_symlink_outside (Fixture *f, gconstpointer data)
{
  g_autofree char *outside_dir = ps_test_tmpdir ();
  g_autofree char *outside = g_build_filename (outside_dir, "secret.jpg", NULL);
  ps_test_write_file (outside, "x", 1);

  g_autofree char *link = fpath (f, "2018009.jpg");
  g_assert_cmpint (symlink (outside, link), ==, 0);
  g_autofree char *link2 = fpath (f, "via-column.jpg");
  g_assert_cmpint (symlink (outside, link2), ==, 0);

  PsRecord r;
  record_init (&r, NULL, "2018009", NULL);
  assert_find_fails (f, &r, PS_PHOTO_ERROR_UNSAFE_PATH);
  record_init (&r, NULL, NULL, "via-column.jpg");
  assert_find_fails (f, &r, PS_PHOTO_ERROR_UNSAFE_PATH);

  /* A symlink that stays inside is fine. */
  touch (f, "real.jpg");
  g_autofree char *inside = fpath (f, "2018010.jpg");
  g_assert_cmpint (symlink ("real.jpg", inside), ==, 0);
  record_init (&r, NULL, "2018010", NULL);
  assert_found (f, &r, "2018010.jpg");

  ps_test_rm_rf (outside_dir);
}

static void
test_find_not_found (Fixture *f, gconstpointer data)
{
  touch (f, "2018001.jpg");
  PsRecord r;
  record_init (&r, "A1B2C3D4E5F6G7H8", "2018999", NULL);
  r.values[PS_FIELD_XM] = (char *) "张*";
  g_autoptr (GError) error = NULL;
  g_autofree char *path = ps_photo_find (f->dir, &r, &error);
  g_assert_null (path);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==,
                   "photo not found (looked for A1B2C3D4E5F6G7H8.*, 2018999.*)");
  g_assert_null (strstr (error->message, "张"));
  g_clear_error (&error);

  /* a directory named like the student is not a photo */
  g_autofree char *d = fpath (f, "2018998.jpg");
  g_assert_cmpint (g_mkdir (d, 0755), ==, 0);
  record_init (&r, NULL, "2018998", NULL);
  assert_find_fails (f, &r, PS_PHOTO_ERROR_NOT_FOUND);

  /* missing photos dir */
  g_autofree char *none = fpath (f, "no-such-dir");
  path = ps_photo_find (none, &r, &error);
  g_assert_null (path);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND);
}

static void
test_find_new_file (Fixture *f, gconstpointer data)
{
  /* The cached index notices files added after the first lookup. */
  PsRecord r;
  record_init (&r, NULL, "2018020", NULL);
  assert_find_fails (f, &r, PS_PHOTO_ERROR_NOT_FOUND);
  touch (f, "2018020.png");
  assert_found (f, &r, "2018020.png");
  /* and files removed */
  g_autofree char *p = fpath (f, "2018020.png");
  g_assert_cmpint (g_unlink (p), ==, 0);
  assert_find_fails (f, &r, PS_PHOTO_ERROR_NOT_FOUND);
}

static void
test_find_many (Fixture *f, gconstpointer data)
{
  /* 3000 photos, 3000 lookups through one index, every one found (its speed
   * is bench/, not a test).  */
  enum { N = 3000 };
  for (int i = 0; i < N; i++)
    {
      g_autofree char *name = g_strdup_printf ("2019%05d.jpg", i);
      touch (f, name);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (PsPhotoIndex) index = _ps_photo_index_new (f->dir, &error);
  g_assert_no_error (error);
  for (int i = 0; i < N; i++)
    {
      g_autofree char *xh = g_strdup_printf ("2019%05d", i);
      PsRecord r;
      record_init (&r, NULL, xh, NULL);
      g_autofree char *path = _ps_photo_index_find (index, &r, &error);
      g_assert_no_error (error);
      g_assert_nonnull (path);
    }
}

/* ------------------------------------------------------------------ */
/* SHA-256                                                            */
/* ------------------------------------------------------------------ */

static void
test_sha256 (Fixture *f, gconstpointer data)
{
  g_autofree char *p = fpath (f, "abc");
  ps_test_write_file (p, "abc", 3);
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = _ps_core_sha256_file (p, "file", PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hex, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  g_autofree char *none = fpath (f, "none");
  g_autofree char *nohex = _ps_core_sha256_file (none, "file", PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN, &error);
  g_assert_null (nohex);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  init_fake_icc ();

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  g_test_add_func ("/photo/limits/defaults", test_limits_defaults);

  ADD ("/photo/probe/jpeg-rgb", test_probe_jpeg_rgb);
  ADD ("/photo/probe/jpeg-icc", test_probe_jpeg_icc);
  ADD ("/photo/probe/jpeg-exif-orientation", test_probe_jpeg_exif);
  ADD ("/photo/probe/jpeg-gray-cmyk", test_probe_jpeg_gray_cmyk);
  ADD ("/photo/probe/png", test_probe_png);
  ADD ("/photo/probe/tiff", test_probe_tiff);
  ADD ("/photo/probe/empty", test_probe_empty);
  ADD ("/photo/probe/missing", test_probe_missing);
  ADD ("/photo/probe/text-named-jpg", test_probe_text);
  ADD ("/photo/probe/magic-not-extension", test_probe_magic_not_extension);
  ADD ("/photo/probe/truncated-jpeg", test_probe_truncated_jpeg);
  ADD ("/photo/probe/jpeg-huge-sof", test_probe_jpeg_huge_sof);
  ADD ("/photo/probe/jpeg-extraneous", test_probe_jpeg_extraneous);
  ADD ("/photo/probe/png-bomb", test_probe_png_bomb);
  ADD ("/photo/probe/tiff-huge", test_probe_tiff_huge);
  ADD ("/photo/probe/tiff-truncated", test_probe_tiff_truncated);
  ADD ("/photo/probe/too-small", test_probe_too_small);
  ADD ("/photo/probe/aspect", test_probe_aspect);
  ADD ("/photo/probe/png-corrupt", test_probe_png_corrupt);

  ADD ("/photo/decode/jpeg-rgb", test_decode_jpeg_rgb);
  ADD ("/photo/decode/jpeg-gray", test_decode_jpeg_gray);
  ADD ("/photo/decode/jpeg-cmyk", test_decode_jpeg_cmyk);
  ADD ("/photo/decode/jpeg-icc-exif", test_decode_jpeg_icc_exif);
  ADD ("/photo/decode/png-flatten", test_decode_png_flatten);
  ADD ("/photo/decode/png-gray-alpha", test_decode_png_gray_alpha);
  ADD ("/photo/decode/png-interlaced", test_decode_png_interlaced);
  ADD ("/photo/decode/png-16bit", test_decode_png_16bit);
  ADD ("/photo/decode/tiff-rgb8", test_decode_tiff_rgb8);
  ADD ("/photo/decode/tiff-rgb16-icc", test_decode_tiff_rgb16_icc);
  ADD ("/photo/decode/tiff-cmyk", test_decode_tiff_cmyk);
  ADD ("/photo/decode/tiff-rgba", test_decode_tiff_rgba);

  ADD ("/photo/find/by-cjm", test_find_by_cjm);
  ADD ("/photo/find/by-xh", test_find_by_xh);
  ADD ("/photo/find/extension-case", test_find_extension_case);
  ADD ("/photo/find/preference", test_find_preference);
  ADD ("/photo/find/by-column", test_find_by_column);
  ADD ("/photo/find/unsafe-path", test_find_unsafe);
  ADD ("/photo/find/symlink-outside", test_find_symlink_outside);
  ADD ("/photo/find/not-found", test_find_not_found);
  ADD ("/photo/find/new-file", test_find_new_file);
  ADD ("/photo/find/many", test_find_many);

  ADD ("/photo/sha256", test_sha256);
#undef ADD

  return g_test_run ();
}
