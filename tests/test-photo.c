/* test-photo.c - finding, probing and decoding photos.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every input is written here at run time (tools/ps-image-writer: libjpeg,
 * libpng, libtiff, or by hand for the hostile headers) into a fresh temp dir.
 */
#include "ps-test-util.h"
#include "ps-photo-private.h"
#include "ps-image-writer.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* ------------------------------------------------------------------ */
/* Fixture: a temp dir per test                                       */
/* ------------------------------------------------------------------ */

typedef PsTestDirFixture Fixture;

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  _ps_photo_cache_clear ();
  ps_test_dir_teardown (f, data);
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
typedef struct {
  int width, height, comps;
  bool noise;
} Pattern;

static guint
pattern_sample (int x, int y, int c, gpointer user_data)
{
  const Pattern *p = user_data;
  bool tl = x < p->width / 2 && y < p->height / 2;
  static const guint8 rgb[2][3] = { { 255, 0, 0 }, { 0, 0, 255 } };
  static const guint8 cmyk[2][4] = { { 0, 255, 255, 0 }, { 255, 128, 0, 0 } };
  int k = tl ? 0 : 1;
  int v = p->comps == 1 ? (tl ? 40 : 200) : p->comps == 3 ? rgb[k][c] : cmyk[k][c];
  if (p->noise && !tl)
    v = (v + (int) ((x * 7919u + y * 104729u + c * 31u) % 61u)) % 256;
  return (guint) v;
}

/* The pattern as a JPEG, at quality 95 unless @spec says otherwise. */
static void
write_jpeg_pattern (const char *path, const PsImageJpegSpec *spec, bool noise)
{
  PsImageJpegSpec s = *spec;
  s.quality = s.quality > 0 ? s.quality : 95;
  Pattern pattern = { s.width, s.height, s.space == JCS_GRAYSCALE ? 1 : s.space == JCS_CMYK ? 4 : 3,
                      noise };
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_write_jpeg_samples (path, &s, pattern_sample, &pattern, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
write_jpeg (const char *path, const PsImageJpegSpec *spec)
{
  write_jpeg_pattern (path, spec, false);
}

static void
write_simple_jpeg (const char *path, int w, int h)
{
  PsImageJpegSpec spec = { .width = w, .height = h, .space = JCS_RGB };
  write_jpeg (path, &spec);
}

typedef void (*PngFill) (int x, int y, guint8 *px);   /* one pixel, file layout */

typedef struct {
  int width;
  PngFill fill;
} PngFillRows;

static void
png_fill_row (int y, guint8 *row, size_t row_bytes, gpointer user_data)
{
  const PngFillRows *r = user_data;
  size_t px = row_bytes / (size_t) r->width;
  for (int x = 0; x < r->width; x++)
    r->fill (x, y, row + x * px);
}

static void
write_png_spec (const char *path, const PsImagePngSpec *spec, PngFill fill)
{
  PngFillRows rows = { spec->width, fill };
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_write_png (path, spec, png_fill_row, &rows, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
write_png (const char *path, int w, int h, int color_type, int depth, PngFill fill)
{
  PsImagePngSpec spec = { w, h, color_type, depth };
  write_png_spec (path, &spec, fill);
}

/* RGBA 8-bit, Adam7. */
static void
write_png_interlaced (const char *path, int w, int h, PngFill fill)
{
  PsImagePngSpec spec = { w, h, PNG_COLOR_TYPE_RGB_ALPHA, 8, .interlace = true };
  write_png_spec (path, &spec, fill);
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
  Pattern pattern = { png_width, 640, 3, false };
  for (int c = 0; c < 3; c++)
    px[c] = (guint8) pattern_sample (x, y, c, &pattern);
}

/* Sample value at (x, y, c): a gradient the reader can check exactly. */
static guint
tiff_sample (const PsImageTiffSpec *s, int x, int y, int c)
{
  if (s->alpha && c == s->spp - 1)
    return x < s->width / 2 ? 0 : (s->bps == 16 ? 65535 : 255);
  guint v = (guint) (x * 3 + y * 5 + c * 50);
  return s->bps == 16 ? (v * 41u) & 0xffff : v & 0xff;
}

static guint
tiff_sample_func (int x, int y, int c, gpointer user_data)
{
  return tiff_sample (user_data, x, y, c);
}

/* The gradient as a TIFF (LZW unless @s says otherwise). */
static void
write_tiff (const char *path, const PsImageTiffSpec *s)
{
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_write_tiff_samples (path, s, tiff_sample_func, (gpointer) s, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* A TIFF by hand whose IFD precedes its one strip (ps_image_write_tiff_minimal). */
static void
write_tiff_by_hand (const char *path, guint32 width, guint32 height, guint32 strip_bytes)
{
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_write_tiff_minimal (path, width, height, strip_bytes, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
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
  PsImageJpegSpec spec = { .width = 480, .height = 640, .space = JCS_RGB,
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
  PsImageJpegSpec spec = { .width = 640, .height = 480, .space = JCS_RGB,
                    .orientation = 6 };
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
  spec.orientation = 0;
  write_jpeg (q, &spec);
  g_assert_false (ps_photo_probe (q, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_SMALL);
  g_assert_cmpstr (error->message, ==,
                   "photo is 640×480 px, layout needs at least 480×640");
  g_clear_error (&error);

  /* Orientation 8 on a big landscape: shown 960×1280, fits. */
  spec.width = 1280;
  spec.height = 960;
  spec.orientation = 8;
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
  PsImageJpegSpec gray = { .width = 480, .height = 640, .space = JCS_GRAYSCALE };
  write_jpeg (g, &gray);
  g_assert_true (ps_photo_probe (g, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.channels, ==, 1);

  g_autofree char *c = fpath (f, "cmyk.jpg");
  PsImageJpegSpec cmyk = { .width = 480, .height = 640, .space = JCS_CMYK };
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
  PsImageTiffSpec s8 = { 480, 640, 3, 8, PHOTOMETRIC_RGB };
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
  PsImageTiffSpec s16 = { 480, 640, 3, 16, PHOTOMETRIC_RGB, .icc = fake_icc,
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
  PsImageJpegSpec spec = { .width = 480, .height = 640, .space = JCS_RGB };
  write_jpeg_pattern (p, &spec, true);
  GStatBuf st;
  g_assert_cmpint (g_stat (p, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 10000);
  g_autofree char *q = fpath (f, "half.jpg");
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_copy_truncated (p, q, 0.5, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  PsPhotoInfo info;
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
  /* The SOF0 header patched to 65000 x 65000, the scan as it was. */
  g_autofree char *q = fpath (f, "huge.jpg");
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_copy_jpeg_resized (p, q, 65000, 65000, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  PsPhotoInfo info;
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
  g_autofree guint8 *bytes = (guint8 *) ps_test_read_file (p, &len);
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

static void
test_probe_png_bomb (Fixture *f, gconstpointer data)
{
  /* Signature + IHDR 60000×60000 RGBA 8-bit with a valid CRC + an empty
   * IDAT + IEND: a decoder that trusted it would allocate 14 GB. */
  g_autofree char *p = fpath (f, "bomb.png");
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_write_png_bomb (p, 60000, 60000, PNG_COLOR_TYPE_RGB_ALPHA, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  PsPhotoInfo info;
  g_assert_false (ps_photo_probe (p, NULL, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "60000×60000"));
  g_clear_error (&error);

  g_autoptr (PsRawImage) img = _ps_photo_decode (p, NULL, &error);
  g_assert_null (img);
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Under the side limit but over a lowered pixel limit. */
  ok = ps_image_write_png_bomb (p, 6000, 8000, PNG_COLOR_TYPE_RGB_ALPHA, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  PsPhotoLimits limits = { .max_pixels = 10 * 1000 * 1000 };
  g_assert_false (ps_photo_probe (p, &limits, &info, &error));
  g_assert_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE);
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
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_copy_truncated (p, p, 1.0 / 3, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  PsPhotoInfo info;
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
  g_autofree guint8 *bytes = (guint8 *) ps_test_read_file (p, &len);
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
  PsImageJpegSpec spec = { .width = 480, .height = 640, .space = JCS_GRAYSCALE };
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
  PsImageJpegSpec spec = { .width = 480, .height = 640, .space = JCS_CMYK };
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
  PsImageJpegSpec spec = { .width = 640, .height = 480, .space = JCS_RGB,
                    .icc = fake_icc, .icc_len = sizeof fake_icc,
                    .orientation = 6 };
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
  PsImageTiffSpec s = { 480, 640, 3, 8, PHOTOMETRIC_RGB };
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
  PsImageTiffSpec s = { 480, 640, 3, 16, PHOTOMETRIC_RGB, .icc = fake_icc,
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
  PsImageTiffSpec s = { 480, 640, 4, 8, PHOTOMETRIC_SEPARATED, .icc = fake_icc,
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
  PsImageTiffSpec s = { 480, 640, 4, 8, PHOTOMETRIC_RGB, .alpha = true };
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

#define ADD(path, fn) g_test_add (path, Fixture, NULL, ps_test_dir_setup, fn, fixture_teardown)
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
