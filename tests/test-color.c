/* test-color.c - colour module: dE against direct lcms2 transforms, photos,
 * orientation, broken profiles, soft proof, the generated profiles.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Needs $PS_PROFILES_DIR (the built profiles/); tests skip without it.
 */
#include "ps-test-util.h"

#include <lcms2.h>
#include <string.h>

/* Named thresholds (CIEDE2000). */
#define DELTA_E_SAME      1.0   /* pipeline vs direct lcms2 transform */
#define DELTA_E_ROUNDTRIP 1.5   /* profile accuracy: Lab -> device -> Lab, in gamut */
#define DELTA_E_VISIBLE   3.0   /* "converts differently" */
#define CHROMA_NEUTRAL    2.0   /* C*ab of a grey that stays neutral */

static cmsContext tctx;         /* for the direct transforms */
static cmsHPROFILE t_lab;       /* Lab D50 */

typedef struct {
  const char *name;
  guint8 rgb[3];
} Patch;

static const Patch patches[] = {
  { "white", { 255, 255, 255 } },
  { "black", { 0, 0, 0 } },
  { "grey-20", { 20, 20, 20 } },
  { "grey-50", { 50, 50, 50 } },
  { "grey-128", { 128, 128, 128 } },
  { "grey-200", { 200, 200, 200 } },
  { "red", { 255, 0, 0 } },
  { "green", { 0, 255, 0 } },
  { "blue", { 0, 0, 255 } },
  { "cyan", { 0, 255, 255 } },
  { "magenta", { 255, 0, 255 } },
  { "yellow", { 255, 255, 0 } },
  { "skin-light", { 232, 190, 172 } },
  { "skin-medium", { 198, 134, 103 } },
  { "skin-dark", { 141, 85, 36 } },
  { "blue-background", { 100, 197, 255 } },
  { "graduation-red", { 160, 20, 40 } },
};

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Path of a built profile, or NULL after g_test_skip(). */
static char *
profile_path (const char *name)
{
  const char *dir = g_getenv ("PS_PROFILES_DIR");
  char *path;

  if (dir == NULL)
    {
      g_test_skip ("PS_PROFILES_DIR is not set");
      return NULL;
    }
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("%s not built", path);
      g_test_skip (msg);
      g_free (path);
      return NULL;
    }
  return path;
}

static cmsHPROFILE
open_profile (const char *path)
{
  cmsHPROFILE h = cmsOpenProfileFromFileTHR (tctx, path, "r");
  g_assert_nonnull (h);
  return h;
}

static cmsHPROFILE
open_profile_bytes (GBytes *bytes)
{
  cmsHPROFILE h = cmsOpenProfileFromMemTHR (tctx, g_bytes_get_data (bytes, NULL),
                                            (cmsUInt32Number) g_bytes_get_size (bytes));
  g_assert_nonnull (h);
  return h;
}

static GBytes *
save_profile (cmsHPROFILE h)
{
  cmsUInt32Number size = 0;
  guint8 *data;

  g_assert_true (cmsSaveProfileToMem (h, NULL, &size));
  data = g_malloc (size);
  g_assert_true (cmsSaveProfileToMem (h, data, &size));
  return g_bytes_new_take (data, size);
}

/* An Adobe-RGB-(1998)-like matrix profile: D65, gamma 2.2. */
static GBytes *
build_adobe_like (double gamma)
{
  cmsCIExyY d65 = { 0.3127, 0.3290, 1.0 };
  cmsCIExyYTRIPLE primaries = { { 0.64, 0.33, 1.0 }, { 0.21, 0.71, 1.0 }, { 0.15, 0.06, 1.0 } };
  cmsToneCurve *curve = cmsBuildGamma (tctx, gamma);
  cmsToneCurve *curves[3] = { curve, curve, curve };
  cmsHPROFILE h = cmsCreateRGBProfileTHR (tctx, &d65, &primaries, curves);
  GBytes *bytes;

  g_assert_nonnull (h);
  bytes = save_profile (h);
  cmsCloseProfile (h);
  cmsFreeToneCurve (curve);
  return bytes;
}

static GBytes *
build_gray (double gamma)
{
  cmsToneCurve *curve = cmsBuildGamma (tctx, gamma);
  cmsHPROFILE h = cmsCreateGrayProfileTHR (tctx, cmsD50_xyY (), curve);
  GBytes *bytes;

  g_assert_nonnull (h);
  bytes = save_profile (h);
  cmsCloseProfile (h);
  cmsFreeToneCurve (curve);
  return bytes;
}

static char *
write_temp_profile (const char *dir, const char *name, GBytes *bytes)
{
  char *path = g_build_filename (dir, name, NULL);
  ps_test_write_file (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
  return path;
}

/* Device values -> Lab with @profile (relative colorimetric). */
static void
device_to_lab (cmsHPROFILE profile, cmsUInt32Number format, const void *in, cmsCIELab *lab,
               int n)
{
  cmsHTRANSFORM xform = cmsCreateTransformTHR (tctx, profile, format, t_lab, TYPE_Lab_DBL,
                                               INTENT_RELATIVE_COLORIMETRIC, 0);
  g_assert_nonnull (xform);
  cmsDoTransform (xform, in, lab, (cmsUInt32Number) n);
  cmsDeleteTransform (xform);
}

static double
delta_e (const cmsCIELab *a, const cmsCIELab *b)
{
  return cmsCIE2000DeltaE (a, b, 1.0, 1.0, 1.0);
}

static double
chroma (const cmsCIELab *lab)
{
  cmsCIELCh lch;
  cmsLab2LCh (&lch, lab);
  return lch.C;
}

static void
get_rgb (cairo_surface_t *surface, int x, int y, guint8 rgb[3])
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint32 p;

  cairo_surface_flush (surface);
  memcpy (&p, data + (size_t) y * (size_t) stride + (size_t) x * 4, 4);
  rgb[0] = (guint8) (p >> 16);
  rgb[1] = (guint8) (p >> 8);
  rgb[2] = (guint8) p;
}

#define PATCH_SIZE 4

/* One PATCH_SIZE square per patch, in a row, drawn with cairo. */
static cairo_surface_t *
draw_patches (cairo_format_t format)
{
  size_t n = G_N_ELEMENTS (patches);
  cairo_surface_t *surface = cairo_image_surface_create (format, (int) n * PATCH_SIZE, PATCH_SIZE);
  cairo_t *cr = cairo_create (surface);

  for (size_t i = 0; i < n; i++)
    {
      cairo_set_source_rgb (cr, patches[i].rgb[0] / 255.0, patches[i].rgb[1] / 255.0,
                            patches[i].rgb[2] / 255.0);
      cairo_rectangle (cr, (double) i * PATCH_SIZE, 0, PATCH_SIZE, PATCH_SIZE);
      cairo_fill (cr);
    }
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* cairo must have stored the exact 8-bit values. */
  for (size_t i = 0; i < n; i++)
    {
      guint8 rgb[3];
      get_rgb (surface, (int) i * PATCH_SIZE + 1, 1, rgb);
      g_assert_cmpmem (rgb, 3, patches[i].rgb, 3);
    }
  return surface;
}

static PsRawImage *
raw_new (int width, int height, int channels, int bits)
{
  PsRawImage *raw = g_new0 (PsRawImage, 1);

  raw->width = width;
  raw->height = height;
  raw->channels = channels;
  raw->bits = bits;
  raw->stride = (size_t) width * (size_t) channels * (size_t) (bits / 8) + 3; /* padded */
  raw->pixels = g_malloc0 (raw->stride * (size_t) height);
  raw->orientation = 1;
  return raw;
}

static void
raw_free (PsRawImage *raw)
{
  if (raw == NULL)
    return;
  g_clear_pointer (&raw->icc, g_bytes_unref);
  g_free (raw->pixels);
  g_free (raw);
}

/* Our own raws (pixels owned here), not ps-photo.c's. */
typedef PsRawImage TestRaw;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRaw, raw_free)

static void
raw_set16 (PsRawImage *raw, int x, int y, int channel, guint16 v)
{
  memcpy (raw->pixels + (size_t) y * raw->stride + ((size_t) x * (size_t) raw->channels
                                                    + (size_t) channel) * 2, &v, 2);
}

/* An RGB8 raw with one pixel per patch. */
static PsRawImage *
raw_from_patches (void)
{
  size_t n = G_N_ELEMENTS (patches);
  PsRawImage *raw = raw_new ((int) n, 1, 3, 8);

  for (size_t i = 0; i < n; i++)
    memcpy (raw->pixels + i * 3, patches[i].rgb, 3);
  return raw;
}

static cairo_surface_t *
photo_ok (PsColor *color, const PsRawImage *raw)
{
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = _ps_color_photo_to_surface (color, raw, &error);

  g_assert_no_error (error);
  g_assert_nonnull (surface);
  g_assert_cmpint (cairo_image_surface_get_format (surface), ==, CAIRO_FORMAT_RGB24);
  return surface;
}

/* Max dE between row 0 of @surface and the 8-bit sRGB values @expected. */
static double
max_delta_e_srgb (cmsHPROFILE srgb, cairo_surface_t *surface, const guint8 *expected, int n)
{
  g_autofree guint8 *got = g_malloc ((size_t) n * 3);
  g_autofree cmsCIELab *lab_got = g_new (cmsCIELab, n);
  g_autofree cmsCIELab *lab_exp = g_new (cmsCIELab, n);
  double max = 0;

  for (int i = 0; i < n; i++)
    get_rgb (surface, i, 0, got + i * 3);
  device_to_lab (srgb, TYPE_RGB_8, got, lab_got, n);
  device_to_lab (srgb, TYPE_RGB_8, expected, lab_exp, n);
  for (int i = 0; i < n; i++)
    max = MAX (max, delta_e (&lab_got[i], &lab_exp[i]));
  return max;
}

static bool
surfaces_equal (cairo_surface_t *a, cairo_surface_t *b)
{
  int w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a);

  if (w != cairo_image_surface_get_width (b) || h != cairo_image_surface_get_height (b))
    return false;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint8 p[3], q[3];
        get_rgb (a, x, y, p);
        get_rgb (b, x, y, q);
        if (memcmp (p, q, 3) != 0)
          return false;
      }
  return true;
}

/* ------------------------------------------------------------------ */
/* Pages                                                              */
/* ------------------------------------------------------------------ */

static const char *const intent_names[] = { "perceptual", "relative", "saturation", "absolute" };

/* The pipeline's page conversion vs a direct lcms2 transform, in dE2000
 * measured through the output profile, for every intent with and without
 * BPC. */
static void
check_page_against_direct (const char *profile_name, int channels)
{
  g_autofree char *path = profile_path (profile_name);
  g_autofree char *srgb_path = NULL;
  size_t n = G_N_ELEMENTS (patches);
  cmsUInt32Number fmt = channels == 4 ? TYPE_CMYK_8 : TYPE_RGB_8;
  cmsHPROFILE srgb, out;
  cairo_surface_t *page;
  double worst = 0;

  if (path == NULL)
    return;
  srgb_path = profile_path ("sRGB.icc");
  if (srgb_path == NULL)
    return;
  srgb = open_profile (srgb_path);
  out = open_profile (path);
  page = draw_patches (CAIRO_FORMAT_RGB24);

  for (int intent = PS_INTENT_PERCEPTUAL; intent <= PS_INTENT_ABSOLUTE; intent++)
    for (int bpc = 0; bpc <= 1; bpc++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(PsColor) color = _ps_color_new (path, (PsIntent) intent, bpc, &error);
        size_t out_stride = n * PATCH_SIZE * (size_t) channels + 5;
        g_autofree guint8 *out_buf = g_malloc0 (out_stride * PATCH_SIZE);
        g_autofree guint8 *got = g_malloc (n * (size_t) channels);
        g_autofree guint8 *want = g_malloc (n * (size_t) channels);
        g_autofree guint8 *rgb_in = g_malloc (n * 3);
        g_autofree cmsCIELab *lab_got = g_new (cmsCIELab, n);
        g_autofree cmsCIELab *lab_want = g_new (cmsCIELab, n);
        cmsHTRANSFORM direct;
        double max = 0;

        g_assert_no_error (error);
        g_assert_nonnull (color);
        g_assert_cmpint (_ps_color_get_output_channels (color), ==, channels);
        g_assert_true (_ps_color_page_to_output (color, page, out_buf, out_stride, &error));
        g_assert_no_error (error);

        direct = cmsCreateTransformTHR (tctx, srgb, TYPE_RGB_8, out, fmt, (cmsUInt32Number) intent,
                                        bpc ? cmsFLAGS_BLACKPOINTCOMPENSATION : 0);
        g_assert_nonnull (direct);
        for (size_t i = 0; i < n; i++)
          {
            /* centre of the patch, second row: strides must be honoured */
            memcpy (got + i * (size_t) channels,
                    out_buf + out_stride * 2 + (i * PATCH_SIZE + 2) * (size_t) channels,
                    (size_t) channels);
            memcpy (rgb_in + i * 3, patches[i].rgb, 3);
          }
        cmsDoTransform (direct, rgb_in, want, (cmsUInt32Number) n);
        cmsDeleteTransform (direct);

        device_to_lab (out, fmt, got, lab_got, (int) n);
        device_to_lab (out, fmt, want, lab_want, (int) n);
        for (size_t i = 0; i < n; i++)
          {
            double de = delta_e (&lab_got[i], &lab_want[i]);
            if (de > DELTA_E_SAME)
              g_test_message ("%s %s bpc=%d %s: dE %.3f", profile_name, intent_names[intent],
                              bpc, patches[i].name, de);
            max = MAX (max, de);
          }
        g_test_message ("%s %s bpc=%d: max dE2000 %.4f over %zu patches", profile_name,
                        intent_names[intent], bpc, max, n);
        g_assert_cmpfloat (max, <=, DELTA_E_SAME);
        worst = MAX (worst, max);

        /* The row API gives the same bytes as the page API. */
        {
          g_autofree guint8 *row = g_malloc (n * PATCH_SIZE * (size_t) channels);
          _ps_color_row_to_output (color, cairo_image_surface_get_data (page), row,
                                   (int) n * PATCH_SIZE);
          g_assert_cmpmem (row, n * PATCH_SIZE * (size_t) channels, out_buf,
                           n * PATCH_SIZE * (size_t) channels);
        }
      }
  g_test_message ("%s: worst dE2000 vs direct lcms2: %.4f", profile_name, worst);

  cairo_surface_destroy (page);
  cmsCloseProfile (out);
  cmsCloseProfile (srgb);
}

static void
test_page_lab_cmyk (void)
{
  check_page_against_direct ("lab-cmyk.icc", 4);
}

static void
test_page_lab_rgb (void)
{
  check_page_against_direct ("lab-rgb.icc", 3);
}

/* ARGB32 pages (opaque) convert like RGB24 ones. */
static void
test_page_argb32 (void)
{
  g_autofree char *path = profile_path ("lab-cmyk.icc");
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = NULL;
  cairo_surface_t *rgb24, *argb32;
  size_t n = G_N_ELEMENTS (patches), stride = n * PATCH_SIZE * 4;
  g_autofree guint8 *a = g_malloc (stride * PATCH_SIZE);
  g_autofree guint8 *b = g_malloc (stride * PATCH_SIZE);

  if (path == NULL)
    return;
  color = _ps_color_new (path, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  rgb24 = draw_patches (CAIRO_FORMAT_RGB24);
  argb32 = draw_patches (CAIRO_FORMAT_ARGB32);
  g_assert_true (_ps_color_page_to_output (color, rgb24, a, stride, &error));
  g_assert_true (_ps_color_page_to_output (color, argb32, b, stride, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, stride * PATCH_SIZE, b, stride * PATCH_SIZE);

  /* The soft proof keeps ARGB32 opaque and agrees with RGB24. */
  g_assert_true (_ps_color_proof_surface (color, rgb24, &error));
  g_assert_true (_ps_color_proof_surface (color, argb32, &error));
  g_assert_no_error (error);
  g_assert_true (surfaces_equal (rgb24, argb32));
  for (int x = 0; x < cairo_image_surface_get_width (argb32); x++)
    {
      guint32 p;
      memcpy (&p, cairo_image_surface_get_data (argb32) + (size_t) x * 4, 4);
      g_assert_cmpuint (p >> 24, ==, 0xff);
    }
  cairo_surface_destroy (rgb24);
  cairo_surface_destroy (argb32);
}

/* Wrong surface format or a too small stride: PS_COLOR_ERROR, no crash. */
static void
test_page_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  cairo_surface_t *a8 = cairo_image_surface_create (CAIRO_FORMAT_A8, 4, 4);
  cairo_surface_t *rgb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 4, 4);
  guint8 out[64];

  g_assert_no_error (error);
  g_assert_false (_ps_color_page_to_output (color, a8, out, 12, &error));
  g_assert_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (_ps_color_page_to_output (color, rgb, out, 11, &error));
  g_assert_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (_ps_color_proof_surface (color, a8, &error));
  g_assert_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED);
  cairo_surface_destroy (a8);
  cairo_surface_destroy (rgb);
}

/* sRGB output (NULL, or our sRGB.icc): the exact input bytes. */
static void
test_output_srgb_identity (void)
{
  g_autofree char *srgb_path = profile_path ("sRGB.icc");
  const char *paths[2] = { NULL, srgb_path };
  cairo_surface_t *page;
  int w = 64, h = 8;

  if (srgb_path == NULL)
    return;
  page = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  {
    guint8 *data = cairo_image_surface_get_data (page);
    int stride = cairo_image_surface_get_stride (page);
    GRand *rand = g_rand_new_with_seed (42);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        {
          guint32 p = g_rand_int (rand) & 0x00ffffffu;
          memcpy (data + y * stride + x * 4, &p, 4);
        }
    g_rand_free (rand);
    cairo_surface_mark_dirty (page);
  }

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsColor) color = _ps_color_new (paths[i], PS_INTENT_PERCEPTUAL, true, &error);
      g_autofree guint8 *out = g_malloc ((size_t) w * 3 * (size_t) h);
      g_autoptr(GBytes) file = ps_test_read_bytes (srgb_path);

      g_assert_no_error (error);
      g_assert_cmpint (_ps_color_get_output_channels (color), ==, 3);
      g_assert_cmpstr (_ps_color_get_output_name (color), ==, "sRGB (photosheet build)");
      /* The in-memory sRGB is byte-identical to the generated file. */
      g_assert_true (g_bytes_equal (_ps_color_get_output_icc (color), file));
      g_assert_true (_ps_color_page_to_output (color, page, out, (size_t) w * 3, &error));
      g_assert_no_error (error);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            guint8 rgb[3];
            get_rgb (page, x, y, rgb);
            g_assert_cmpmem (rgb, 3, out + ((size_t) y * (size_t) w + (size_t) x) * 3, 3);
          }
      /* The soft proof of sRGB changes nothing either. */
      {
        cairo_surface_t *copy = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
        cairo_t *cr = cairo_create (copy);
        cairo_set_source_surface (cr, page, 0, 0);
        cairo_paint (cr);
        cairo_destroy (cr);
        g_assert_true (_ps_color_proof_surface (color, copy, &error));
        g_assert_no_error (error);
        g_assert_true (surfaces_equal (copy, page));
        cairo_surface_destroy (copy);
      }
    }
  cairo_surface_destroy (page);
}

static void
test_output_info (void)
{
  g_autofree char *cmyk = profile_path ("lab-cmyk.icc");
  g_autofree char *rgb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) c1 = NULL;
  g_autoptr(PsColor) c2 = NULL;
  g_autoptr(GBytes) cmyk_bytes = NULL;

  if (cmyk == NULL || (rgb = profile_path ("lab-rgb.icc")) == NULL)
    return;
  c1 = _ps_color_new (cmyk, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  c2 = _ps_color_new (rgb, PS_INTENT_PERCEPTUAL, false, &error);
  g_assert_no_error (error);
  g_assert_cmpint (_ps_color_get_output_channels (c1), ==, 4);
  g_assert_cmpint (_ps_color_get_output_channels (c2), ==, 3);
  g_assert_cmpstr (_ps_color_get_output_name (c1), ==, "photosheet lab CMYK (synthetic)");
  g_assert_cmpstr (_ps_color_get_output_name (c2), ==, "photosheet lab RGB (synthetic)");
  cmyk_bytes = ps_test_read_bytes (cmyk);
  g_assert_true (g_bytes_equal (_ps_color_get_output_icc (c1), cmyk_bytes));
}

/* Intents and BPC have a visible effect with the synthetic profiles. */
static void
test_output_intent_bpc (void)
{
  g_autofree char *path = profile_path ("lab-rgb.icc");
  const guint32 black = 0xff000000u, blue = 0xff0000ffu;
  guint32 row[2] = { black, blue };
  guint8 rel[6], rel_bpc[6], perc[6];
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  {
    g_autoptr(PsColor) c = _ps_color_new (path, PS_INTENT_RELATIVE, false, &error);
    g_assert_no_error (error);
    _ps_color_row_to_output (c, (const guint8 *) row, rel, 2);
  }
  {
    g_autoptr(PsColor) c = _ps_color_new (path, PS_INTENT_RELATIVE, true, &error);
    g_assert_no_error (error);
    _ps_color_row_to_output (c, (const guint8 *) row, rel_bpc, 2);
  }
  {
    g_autoptr(PsColor) c = _ps_color_new (path, PS_INTENT_PERCEPTUAL, false, &error);
    g_assert_no_error (error);
    _ps_color_row_to_output (c, (const guint8 *) row, perc, 2);
  }
  g_test_message ("black: rel %u,%u,%u  rel+bpc %u,%u,%u", rel[0], rel[1], rel[2], rel_bpc[0],
                  rel_bpc[1], rel_bpc[2]);
  g_test_message ("blue: rel %u,%u,%u  perceptual %u,%u,%u", rel[3], rel[4], rel[5], perc[3],
                  perc[4], perc[5]);
  /* sRGB black is the device black either way (clipped, or mapped by BPC);
   * the intents differ on saturated colours, BPC on the dark greys below. */
  g_assert_cmpint (rel_bpc[0], <=, 3);
  g_assert_true (memcmp (rel + 3, perc + 3, 3) != 0);
  {
    const guint32 dark = 0xff141414u;  /* sRGB 20,20,20: L* ~6, below the device black */
    guint8 a[3], b[3];
    g_autoptr(PsColor) c1 = _ps_color_new (path, PS_INTENT_RELATIVE, false, &error);
    g_autoptr(PsColor) c2 = _ps_color_new (path, PS_INTENT_RELATIVE, true, &error);
    g_assert_no_error (error);
    _ps_color_row_to_output (c1, (const guint8 *) &dark, a, 1);
    _ps_color_row_to_output (c2, (const guint8 *) &dark, b, 1);
    g_test_message ("sRGB grey 20: rel %u  rel+bpc %u", a[0], b[0]);
    g_assert_cmpint (b[0], >, a[0]);
  }
}

/* ------------------------------------------------------------------ */
/* Broken and unusable output profiles                                */
/* ------------------------------------------------------------------ */

static void
expect_profile_error (const char *path, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = _ps_color_new (path, PS_INTENT_RELATIVE, true, &error);
  g_autofree char *base = g_path_get_basename (path);

  g_assert_null (color);
  g_assert_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE);
  g_test_message ("%s: %s", base, error->message);
  g_assert_nonnull (strstr (error->message, base));
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_output_broken (void)
{
  static const char *const names[] = { "broken-truncated.icc", "broken-header.icc",
                                       "broken-tags.icc" };
  g_autofree char *tmp = ps_test_tmpdir ();
  g_autofree char *missing = g_build_filename (tmp, "missing.icc", NULL);
  g_autofree char *empty = g_build_filename (tmp, "empty.icc", NULL);
  g_autofree char *garbage = g_build_filename (tmp, "garbage.icc", NULL);
  guint8 noise[4096];
  GRand *rand = g_rand_new_with_seed (7);

  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = profile_path (names[i]);
      if (path == NULL)
        goto out;
      expect_profile_error (path, NULL);
    }

  for (size_t i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_rand_int (rand);
  memcpy (noise + 36, "acsp", 4);              /* gets past the magic check */
  noise[0] = 0, noise[1] = 0, noise[2] = 0x10, noise[3] = 0;
  ps_test_write_file (garbage, (const char *) noise, sizeof noise);
  ps_test_write_file (empty, "", 0);
  expect_profile_error (missing, NULL);
  expect_profile_error (empty, NULL);
  expect_profile_error (garbage, NULL);

out:
  g_rand_free (rand);
  ps_test_rm_rf (tmp);
}

static void
test_output_not_output (void)
{
  g_autofree char *tmp = ps_test_tmpdir ();
  g_autoptr(GBytes) gray = build_gray (2.2);
  g_autoptr(GBytes) lab = NULL;
  g_autofree char *gray_path = write_temp_profile (tmp, "gray.icc", gray);
  g_autofree char *lab_path = NULL;
  cmsHPROFILE h = cmsCreateLab4ProfileTHR (tctx, NULL);

  lab = save_profile (h);
  cmsCloseProfile (h);
  lab_path = write_temp_profile (tmp, "lab.icc", lab);
  expect_profile_error (gray_path, "not an RGB or CMYK output profile");
  expect_profile_error (lab_path, "not an RGB or CMYK output profile");
  ps_test_rm_rf (tmp);
}

/* ------------------------------------------------------------------ */
/* Soft proof                                                         */
/* ------------------------------------------------------------------ */

static void
check_proof (const char *profile_name)
{
  g_autofree char *path = profile_path (profile_name);
  g_autofree char *srgb_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = NULL;
  size_t n = G_N_ELEMENTS (patches);
  g_autofree guint8 *before = g_malloc (n * 3);
  g_autofree guint8 *after = g_malloc (n * 3);
  g_autofree cmsCIELab *lab_before = g_new (cmsCIELab, n);
  g_autofree cmsCIELab *lab_after = g_new (cmsCIELab, n);
  cmsHPROFILE srgb;
  cairo_surface_t *page;

  if (path == NULL || (srgb_path = profile_path ("sRGB.icc")) == NULL)
    return;
  color = _ps_color_new (path, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  page = draw_patches (CAIRO_FORMAT_RGB24);
  g_assert_true (_ps_color_proof_surface (color, page, &error));
  g_assert_no_error (error);
  for (size_t i = 0; i < n; i++)
    {
      memcpy (before + i * 3, patches[i].rgb, 3);
      get_rgb (page, (int) i * PATCH_SIZE + 1, 1, after + i * 3);
    }
  srgb = open_profile (srgb_path);
  device_to_lab (srgb, TYPE_RGB_8, before, lab_before, (int) n);
  device_to_lab (srgb, TYPE_RGB_8, after, lab_after, (int) n);
  for (size_t i = 0; i < n; i++)
    {
      double de = delta_e (&lab_before[i], &lab_after[i]);
      g_test_message ("%s proof %s: %u,%u,%u -> %u,%u,%u  dE %.2f  C* %.2f", profile_name,
                      patches[i].name, before[i * 3], before[i * 3 + 1], before[i * 3 + 2],
                      after[i * 3], after[i * 3 + 1], after[i * 3 + 2], de, chroma (&lab_after[i]));
      if (g_str_has_prefix (patches[i].name, "grey") || strcmp (patches[i].name, "white") == 0
          || strcmp (patches[i].name, "black") == 0)
        g_assert_cmpfloat (chroma (&lab_after[i]), <=, CHROMA_NEUTRAL);
      if (strcmp (patches[i].name, "blue") == 0 || strcmp (patches[i].name, "green") == 0)
        g_assert_cmpfloat (de, >, DELTA_E_VISIBLE);
      if (strcmp (patches[i].name, "grey-128") == 0)
        g_assert_cmpfloat (de, <=, DELTA_E_VISIBLE);
    }
  /* The print's black is not the screen's black. */
  g_assert_cmpfloat (lab_after[1].L, >, 5.0);
  cmsCloseProfile (srgb);
  cairo_surface_destroy (page);
}

static void
test_proof_lab_rgb (void)
{
  check_proof ("lab-rgb.icc");
}

static void
test_proof_lab_cmyk (void)
{
  check_proof ("lab-cmyk.icc");
}

/* ------------------------------------------------------------------ */
/* Photos                                                             */
/* ------------------------------------------------------------------ */

/* RGB8: untagged = sRGB (exact copy); an embedded Adobe-RGB-like profile
 * converts differently, within dE of a direct lcms2 transform. */
static void
test_photo_rgb8_embedded (void)
{
  g_autofree char *srgb_path = profile_path ("sRGB.icc");
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = NULL;
  g_autoptr(TestRaw) raw = NULL;
  size_t n = G_N_ELEMENTS (patches);
  g_autofree guint8 *want = g_malloc (n * 3);
  cairo_surface_t *plain, *tagged;
  cmsHPROFILE srgb, adobe;
  cmsHTRANSFORM direct;
  double de_plain, de_direct;

  if (srgb_path == NULL)
    return;
  color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  raw = raw_from_patches ();

  plain = photo_ok (color, raw);
  for (size_t i = 0; i < n; i++)
    {
      guint8 rgb[3];
      get_rgb (plain, (int) i, 0, rgb);
      g_assert_cmpmem (rgb, 3, patches[i].rgb, 3);
    }

  /* Our own sRGB embedded: still the exact copy. */
  raw->icc = ps_test_read_bytes (srgb_path);
  {
    cairo_surface_t *s = photo_ok (color, raw);
    g_assert_true (surfaces_equal (s, plain));
    cairo_surface_destroy (s);
  }
  g_clear_pointer (&raw->icc, g_bytes_unref);

  raw->icc = build_adobe_like (2.2);
  tagged = photo_ok (color, raw);
  srgb = open_profile (srgb_path);
  adobe = open_profile_bytes (raw->icc);
  direct = cmsCreateTransformTHR (tctx, adobe, TYPE_RGB_8, srgb, TYPE_RGB_8,
                                  INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_BLACKPOINTCOMPENSATION);
  g_assert_nonnull (direct);
  cmsDoTransform (direct, raw->pixels, want, (cmsUInt32Number) n);
  cmsDeleteTransform (direct);

  de_direct = max_delta_e_srgb (srgb, tagged, want, (int) n);
  de_plain = max_delta_e_srgb (srgb, tagged, raw->pixels, (int) n);
  g_test_message ("RGB8 + Adobe-like: max dE vs direct %.4f, vs untagged %.2f", de_direct, de_plain);
  g_assert_cmpfloat (de_direct, <=, DELTA_E_SAME);
  g_assert_cmpfloat (de_plain, >, DELTA_E_VISIBLE);

  /* Again (cached transform): the same pixels. */
  {
    cairo_surface_t *again = photo_ok (color, raw);
    g_assert_true (surfaces_equal (again, tagged));
    cairo_surface_destroy (again);
  }

  /* A printer-like RGB output profile embedded in a photo works as a source too. */
  {
    g_autofree char *lab_rgb = profile_path ("lab-rgb.icc");
    if (lab_rgb != NULL)
      {
        cairo_surface_t *s;
        g_clear_pointer (&raw->icc, g_bytes_unref);
        raw->icc = ps_test_read_bytes (lab_rgb);
        s = photo_ok (color, raw);
        g_assert_false (surfaces_equal (s, plain));
        cairo_surface_destroy (s);
      }
  }

  cmsCloseProfile (adobe);
  cmsCloseProfile (srgb);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (tagged);
}

/* Gray 8: untagged = sRGB grey (R=G=B=v); tagged with gamma 1.0 = direct. */
static void
test_photo_gray8 (void)
{
  g_autofree char *srgb_path = profile_path ("sRGB.icc");
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = NULL;
  g_autoptr(TestRaw) raw = raw_new (256, 1, 1, 8);
  g_autofree guint8 *want = g_malloc (256 * 3);
  cairo_surface_t *plain, *tagged;
  cmsHPROFILE srgb, gray;
  cmsHTRANSFORM direct;
  double de;

  if (srgb_path == NULL)
    return;
  color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 256; i++)
    raw->pixels[i] = (guint8) i;
  plain = photo_ok (color, raw);
  for (int i = 0; i < 256; i++)
    {
      guint8 rgb[3], exp[3] = { (guint8) i, (guint8) i, (guint8) i };
      get_rgb (plain, i, 0, rgb);
      g_assert_cmpmem (rgb, 3, exp, 3);
    }

  /* The plain copy equals what lcms2 does with an sRGB-curve gray profile. */
  srgb = open_profile (srgb_path);
  {
    static const double trc[5] = { 2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045 };
    cmsToneCurve *curve = cmsBuildParametricToneCurve (tctx, 4, trc);
    cmsHPROFILE sgray = cmsCreateGrayProfileTHR (tctx, cmsD50_xyY (), curve);
    direct = cmsCreateTransformTHR (tctx, sgray, TYPE_GRAY_8, srgb, TYPE_RGB_8,
                                    INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_BLACKPOINTCOMPENSATION);
    g_assert_nonnull (direct);
    cmsDoTransform (direct, raw->pixels, want, 256);
    cmsDeleteTransform (direct);
    cmsCloseProfile (sgray);
    cmsFreeToneCurve (curve);
    de = max_delta_e_srgb (srgb, plain, want, 256);
    g_test_message ("gray8 untagged vs sRGB-gray profile: max dE %.4f", de);
    g_assert_cmpfloat (de, <=, DELTA_E_SAME);
  }

  raw->icc = build_gray (1.0);
  tagged = photo_ok (color, raw);
  gray = open_profile_bytes (raw->icc);
  direct = cmsCreateTransformTHR (tctx, gray, TYPE_GRAY_8, srgb, TYPE_RGB_8,
                                  INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_BLACKPOINTCOMPENSATION);
  g_assert_nonnull (direct);
  cmsDoTransform (direct, raw->pixels, want, 256);
  cmsDeleteTransform (direct);
  de = max_delta_e_srgb (srgb, tagged, want, 256);
  g_test_message ("gray8 + gamma 1.0: max dE vs direct %.4f", de);
  g_assert_cmpfloat (de, <=, DELTA_E_SAME);
  g_assert_false (surfaces_equal (tagged, plain));
  /* still neutral */
  {
    guint8 rgb[3];
    get_rgb (tagged, 100, 0, rgb);
    g_assert_cmpint (ABS (rgb[0] - rgb[1]), <=, 1);
    g_assert_cmpint (ABS (rgb[2] - rgb[1]), <=, 1);
  }

  cmsCloseProfile (gray);
  cmsCloseProfile (srgb);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (tagged);
}

/* RGB16 (native endian): untagged gives the 8-bit values; tagged = direct. */
static void
test_photo_rgb16 (void)
{
  g_autofree char *srgb_path = profile_path ("sRGB.icc");
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = NULL;
  size_t n = G_N_ELEMENTS (patches);
  g_autoptr(TestRaw) raw = raw_new ((int) n, 1, 3, 16);
  g_autofree guint8 *want = g_malloc (n * 3);
  cairo_surface_t *plain, *tagged;
  cmsHPROFILE srgb, adobe;
  cmsHTRANSFORM direct;
  double de;

  if (srgb_path == NULL)
    return;
  color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      raw_set16 (raw, (int) i, 0, c, (guint16) (patches[i].rgb[c] * 257));
  plain = photo_ok (color, raw);
  for (size_t i = 0; i < n; i++)
    {
      guint8 rgb[3];
      get_rgb (plain, (int) i, 0, rgb);
      g_assert_cmpmem (rgb, 3, patches[i].rgb, 3);
    }

  raw->icc = build_adobe_like (2.2);
  tagged = photo_ok (color, raw);
  srgb = open_profile (srgb_path);
  adobe = open_profile_bytes (raw->icc);
  direct = cmsCreateTransformTHR (tctx, adobe, TYPE_RGB_16, srgb, TYPE_RGB_8,
                                  INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_BLACKPOINTCOMPENSATION);
  g_assert_nonnull (direct);
  cmsDoTransform (direct, raw->pixels, want, (cmsUInt32Number) n);
  cmsDeleteTransform (direct);
  de = max_delta_e_srgb (srgb, tagged, want, (int) n);
  g_test_message ("RGB16 + Adobe-like: max dE vs direct %.4f", de);
  g_assert_cmpfloat (de, <=, DELTA_E_SAME);

  cmsCloseProfile (adobe);
  cmsCloseProfile (srgb);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (tagged);
}

/* CMYK 8, Adobe-inverted, untagged: the generic CMYK (lab-cmyk.icc's twin). */
static void
test_photo_cmyk8_inverted (void)
{
  static const guint8 inks[][4] = {
    { 0, 0, 0, 0 }, { 255, 255, 255, 255 }, { 0, 0, 0, 255 }, { 255, 0, 0, 0 },
    { 0, 255, 0, 0 }, { 0, 0, 255, 0 }, { 30, 60, 70, 10 }, { 128, 128, 128, 0 },
    { 200, 100, 0, 50 }, { 10, 40, 60, 0 },
  };
  const int n = (int) G_N_ELEMENTS (inks);
  g_autofree char *cmyk_path = profile_path ("lab-cmyk.icc");
  g_autofree char *srgb_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = NULL;
  g_autoptr(TestRaw) raw = raw_new (n, 1, 4, 8);
  g_autoptr(TestRaw) plain_raw = raw_new (n, 1, 4, 8);
  g_autofree guint8 *want = g_malloc ((size_t) n * 3);
  cairo_surface_t *inv, *plain, *tagged;
  cmsHPROFILE srgb, cmyk;
  cmsHTRANSFORM direct;
  double de;
  guint8 rgb[3];

  if (cmyk_path == NULL || (srgb_path = profile_path ("sRGB.icc")) == NULL)
    return;
  color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  raw->adobe_inverted = true;
  for (int i = 0; i < n; i++)
    for (int c = 0; c < 4; c++)
      {
        raw->pixels[i * 4 + c] = (guint8) (255 - inks[i][c]);
        plain_raw->pixels[i * 4 + c] = inks[i][c];
      }
  inv = photo_ok (color, raw);
  plain = photo_ok (color, plain_raw);
  g_assert_true (surfaces_equal (inv, plain));

  srgb = open_profile (srgb_path);
  cmyk = open_profile (cmyk_path);
  direct = cmsCreateTransformTHR (tctx, cmyk, TYPE_CMYK_8, srgb, TYPE_RGB_8,
                                  INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_BLACKPOINTCOMPENSATION);
  g_assert_nonnull (direct);
  cmsDoTransform (direct, inks, want, (cmsUInt32Number) n);
  cmsDeleteTransform (direct);
  de = max_delta_e_srgb (srgb, inv, want, n);
  g_test_message ("CMYK8 inverted, untagged: max dE vs direct lab-cmyk %.4f", de);
  g_assert_cmpfloat (de, <=, DELTA_E_SAME);

  get_rgb (inv, 0, 0, rgb);           /* no ink: paper white */
  g_assert_cmpint (MIN (rgb[0], MIN (rgb[1], rgb[2])), >=, 250);
  get_rgb (inv, 1, 0, rgb);           /* all inks: black */
  g_assert_cmpint (MAX (rgb[0], MAX (rgb[1], rgb[2])), <=, 20);
  get_rgb (inv, 3, 0, rgb);           /* cyan */
  g_assert_cmpint (rgb[0], <, rgb[2]);

  /* Tagged with the same profile: the same result. */
  raw->icc = ps_test_read_bytes (cmyk_path);
  tagged = photo_ok (color, raw);
  de = max_delta_e_srgb (srgb, tagged, want, n);
  g_test_message ("CMYK8 inverted + lab-cmyk.icc: max dE vs direct %.4f", de);
  g_assert_cmpfloat (de, <=, DELTA_E_SAME);

  /* 16-bit CMYK, inverted too. */
  {
    g_autoptr(TestRaw) raw16 = raw_new (n, 1, 4, 16);
    cairo_surface_t *s16;
    raw16->adobe_inverted = true;
    for (int i = 0; i < n; i++)
      for (int c = 0; c < 4; c++)
        raw_set16 (raw16, i, 0, c, (guint16) ((255 - inks[i][c]) * 257));
    s16 = photo_ok (color, raw16);
    de = max_delta_e_srgb (srgb, s16, want, n);
    g_test_message ("CMYK16 inverted: max dE vs direct %.4f", de);
    g_assert_cmpfloat (de, <=, DELTA_E_SAME);
    cairo_surface_destroy (s16);
  }

  cmsCloseProfile (cmyk);
  cmsCloseProfile (srgb);
  cairo_surface_destroy (inv);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (tagged);
}

/* EXIF orientation: a 3x2 image with markers A at (0,0) and B at (1,0). */
static void
test_photo_orientation (void)
{
  static const struct {
    int w, h, ax, ay, bx, by;
  } expect[9] = {
    { 0 },
    { 3, 2, 0, 0, 1, 0 },    /* 1: as stored */
    { 3, 2, 2, 0, 1, 0 },    /* 2: mirrored horizontally */
    { 3, 2, 2, 1, 1, 1 },    /* 3: rotated 180 */
    { 3, 2, 0, 1, 1, 1 },    /* 4: mirrored vertically */
    { 2, 3, 0, 0, 0, 1 },    /* 5: transposed */
    { 2, 3, 1, 0, 1, 1 },    /* 6: rotated 90 clockwise */
    { 2, 3, 1, 2, 1, 1 },    /* 7: transverse */
    { 2, 3, 0, 2, 0, 1 },    /* 8: rotated 90 counter-clockwise */
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_autoptr(TestRaw) raw = raw_new (3, 2, 3, 8);
  const guint8 red[3] = { 255, 0, 0 }, green[3] = { 0, 255, 0 }, grey[3] = { 90, 90, 90 };

  g_assert_no_error (error);
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 3; x++)
      memcpy (raw->pixels + (size_t) y * raw->stride + (size_t) x * 3, grey, 3);
  memcpy (raw->pixels, red, 3);
  memcpy (raw->pixels + 3, green, 3);

  for (int o = 1; o <= 8; o++)
    {
      cairo_surface_t *s;
      int reds = 0, greens = 0;

      raw->orientation = o;
      s = photo_ok (color, raw);
      g_assert_cmpint (cairo_image_surface_get_width (s), ==, expect[o].w);
      g_assert_cmpint (cairo_image_surface_get_height (s), ==, expect[o].h);
      for (int y = 0; y < expect[o].h; y++)
        for (int x = 0; x < expect[o].w; x++)
          {
            guint8 rgb[3];
            get_rgb (s, x, y, rgb);
            if (memcmp (rgb, red, 3) == 0)
              {
                reds++;
                g_assert_cmpint (x, ==, expect[o].ax);
                g_assert_cmpint (y, ==, expect[o].ay);
              }
            else if (memcmp (rgb, green, 3) == 0)
              {
                greens++;
                g_assert_cmpint (x, ==, expect[o].bx);
                g_assert_cmpint (y, ==, expect[o].by);
              }
            else
              {
                g_assert_cmpmem (rgb, 3, grey, 3);
              }
          }
      g_assert_cmpint (reds, ==, 1);
      g_assert_cmpint (greens, ==, 1);
      cairo_surface_destroy (s);
    }

  /* Out of range: as stored. */
  raw->orientation = 0;
  {
    cairo_surface_t *s = photo_ok (color, raw);
    guint8 rgb[3];
    get_rgb (s, 0, 0, rgb);
    g_assert_cmpmem (rgb, 3, red, 3);
    cairo_surface_destroy (s);
  }
}

/* A broken or mismatched embedded profile: silently the default. */
static void
test_photo_broken_embedded (void)
{
  static const char *const names[] = { "broken-truncated.icc", "broken-header.icc",
                                       "broken-tags.icc", "lab-cmyk.icc" };
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_autoptr(TestRaw) raw = raw_from_patches ();
  g_autoptr(TestRaw) gray = raw_new (16, 1, 1, 8);
  cairo_surface_t *plain, *gray_plain;
  GPtrArray *blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 noise[600];
  GRand *rand = g_rand_new_with_seed (3);

  g_assert_no_error (error);
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = profile_path (names[i]);
      if (path == NULL)
        goto out;
      g_ptr_array_add (blobs, ps_test_read_bytes (path));
    }
  for (size_t i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_rand_int (rand);
  g_ptr_array_add (blobs, g_bytes_new (noise, sizeof noise));
  memcpy (noise + 36, "acsp", 4);
  g_ptr_array_add (blobs, g_bytes_new (noise, sizeof noise));
  g_ptr_array_add (blobs, g_bytes_new ("x", 1));
  g_ptr_array_add (blobs, build_gray (2.2));   /* gray profile on RGB data */

  for (int i = 0; i < 16; i++)
    gray->pixels[i] = (guint8) (i * 16);
  plain = photo_ok (color, raw);
  gray_plain = photo_ok (color, gray);
  for (guint i = 0; i < blobs->len; i++)
    {
      cairo_surface_t *s;

      g_clear_pointer (&raw->icc, g_bytes_unref);
      raw->icc = g_bytes_ref (blobs->pdata[i]);
      s = photo_ok (color, raw);
      g_assert_true (surfaces_equal (s, plain));
      cairo_surface_destroy (s);

      /* the RGB ones on gray data */
      g_clear_pointer (&gray->icc, g_bytes_unref);
      gray->icc = i + 1 < blobs->len ? g_bytes_ref (blobs->pdata[i]) : build_adobe_like (1.8);
      s = photo_ok (color, gray);
      g_assert_true (surfaces_equal (s, gray_plain));
      cairo_surface_destroy (s);
    }
  cairo_surface_destroy (plain);
  cairo_surface_destroy (gray_plain);
out:
  g_rand_free (rand);
  g_ptr_array_unref (blobs);
}

/* More distinct embedded profiles than the cache holds: still converted. */
static void
test_photo_many_profiles (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_autoptr(TestRaw) raw = raw_from_patches ();
  cairo_surface_t *first = NULL;

  g_assert_no_error (error);
  for (int round = 0; round < 2; round++)
    for (int i = 0; i < 40; i++)
      {
        cairo_surface_t *s;
        g_clear_pointer (&raw->icc, g_bytes_unref);
        raw->icc = build_adobe_like (1.8 + i * 0.01);
        s = photo_ok (color, raw);
        if (i == 0 && round == 0)
          first = s;
        else
          {
            if (i == 0)
              g_assert_true (surfaces_equal (s, first));
            cairo_surface_destroy (s);
          }
      }
  cairo_surface_destroy (first);
}

static void
test_photo_bad_raw (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_autoptr(TestRaw) raw = raw_new (4, 4, 3, 8);
  cairo_surface_t *s;

  g_assert_no_error (error);
  raw->channels = 2;
  s = _ps_color_photo_to_surface (color, raw, &error);
  g_assert_null (s);
  g_assert_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED);
  g_clear_error (&error);
  raw->channels = 3;
  raw->stride = 5;                      /* < 4 * 3 */
  s = _ps_color_photo_to_surface (color, raw, &error);
  g_assert_null (s);
  g_assert_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED);
}

/* ------------------------------------------------------------------ */
/* Threads                                                            */
/* ------------------------------------------------------------------ */

typedef struct {
  PsColor *color;
  const PsRawImage *raws[3];
  cairo_surface_t *expected[3];
  cairo_surface_t *page;
  const guint8 *expected_page;
  size_t page_stride;
  gint failures;
} ThreadData;

static gpointer
thread_main (gpointer user_data)
{
  ThreadData *td = user_data;
  int w = cairo_image_surface_get_width (td->page);
  int h = cairo_image_surface_get_height (td->page);
  g_autofree guint8 *out = g_malloc (td->page_stride * (size_t) h);

  for (int round = 0; round < 20; round++)
    {
      for (int i = 0; i < 3; i++)
        {
          cairo_surface_t *s = _ps_color_photo_to_surface (td->color, td->raws[i], NULL);
          if (s == NULL || !surfaces_equal (s, td->expected[i]))
            g_atomic_int_inc (&td->failures);
          if (s != NULL)
            cairo_surface_destroy (s);
        }
      for (int y = 0; y < h; y++)
        _ps_color_row_to_output (td->color,
                                 cairo_image_surface_get_data (td->page)
                                   + (size_t) y * (size_t) cairo_image_surface_get_stride (td->page),
                                 out + (size_t) y * td->page_stride, w);
      if (memcmp (out, td->expected_page, td->page_stride * (size_t) h) != 0)
        g_atomic_int_inc (&td->failures);
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autofree char *path = profile_path ("lab-cmyk.icc");
  g_autoptr(GError) error = NULL;
  g_autoptr(PsColor) color = NULL;
  g_autoptr(PsColor) fresh = NULL;
  g_autoptr(TestRaw) rgb = raw_from_patches ();
  g_autoptr(TestRaw) cmyk = raw_new (64, 16, 4, 8);
  g_autoptr(TestRaw) tagged = raw_from_patches ();
  ThreadData td = { 0 };
  GThread *threads[4];
  g_autofree guint8 *page_out = NULL;

  if (path == NULL)
    return;
  for (size_t i = 0; i < cmyk->stride * 16; i++)
    cmyk->pixels[i] = (guint8) (i * 37);
  tagged->icc = build_adobe_like (2.2);

  /* Expected results from a separate PsColor, single-threaded. */
  fresh = _ps_color_new (path, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  td.raws[0] = rgb;
  td.raws[1] = cmyk;
  td.raws[2] = tagged;
  for (int i = 0; i < 3; i++)
    td.expected[i] = photo_ok (fresh, td.raws[i]);
  td.page = draw_patches (CAIRO_FORMAT_RGB24);
  td.page_stride = (size_t) cairo_image_surface_get_width (td.page) * 4;
  page_out = g_malloc (td.page_stride * (size_t) cairo_image_surface_get_height (td.page));
  g_assert_true (_ps_color_page_to_output (fresh, td.page, page_out, td.page_stride, &error));
  td.expected_page = page_out;

  /* The shared one starts cold: the threads race to build the transforms. */
  color = _ps_color_new (path, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  td.color = color;
  for (int i = 0; i < 4; i++)
    threads[i] = g_thread_new ("color", thread_main, &td);
  for (int i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (td.failures, ==, 0);

  for (int i = 0; i < 3; i++)
    cairo_surface_destroy (td.expected[i]);
  cairo_surface_destroy (td.page);
}

/* ------------------------------------------------------------------ */
/* The generated profiles                                             */
/* ------------------------------------------------------------------ */

/* Accuracy of the synthetic profiles: in-gamut colours (made by the profile
 * from device values) survive Lab -> device -> Lab. */
static void
check_roundtrip (const char *profile_name, int channels)
{
  static const guint16 levels[] = { 10000, 25000, 40000, 55000 };
  g_autofree char *path = profile_path (profile_name);
  cmsUInt32Number fmt = channels == 4 ? TYPE_CMYK_16 : TYPE_RGB_16;
  enum { MAX_N = 4 * 4 * 4 * 2 };
  cmsCIELab in[MAX_N], back[MAX_N];
  guint16 dev[MAX_N * 4], dev2[MAX_N * 4];
  cmsHTRANSFORM to_dev;
  cmsHPROFILE out;
  double max = 0, sum = 0;
  int n = 0;

  if (path == NULL)
    return;
  for (int k = 0; k < (channels == 4 ? 2 : 1); k++)
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 4; j++)
        for (int l = 0; l < 4; l++)
          {
            guint16 *d = dev + n * channels;
            d[0] = levels[i];
            d[1] = levels[j];
            d[2] = levels[l];
            if (channels == 4)
              d[3] = (guint16) (k * 20000);
            n++;
          }
  out = open_profile (path);
  device_to_lab (out, fmt, dev, in, n);
  to_dev = cmsCreateTransformTHR (tctx, t_lab, TYPE_Lab_DBL, out, fmt,
                                  INTENT_RELATIVE_COLORIMETRIC, 0);
  g_assert_nonnull (to_dev);
  cmsDoTransform (to_dev, in, dev2, (cmsUInt32Number) n);
  cmsDeleteTransform (to_dev);
  device_to_lab (out, fmt, dev2, back, n);
  for (int i = 0; i < n; i++)
    {
      double de = delta_e (&in[i], &back[i]);
      if (de > DELTA_E_ROUNDTRIP)
        g_test_message ("%s: Lab %.2f,%.2f,%.2f -> %.2f,%.2f,%.2f dE %.2f", profile_name,
                        in[i].L, in[i].a, in[i].b, back[i].L, back[i].a, back[i].b, de);
      max = MAX (max, de);
      sum += de;
    }
  g_test_message ("%s round trip: mean dE2000 %.3f, max %.3f over %d colours", profile_name,
                  sum / n, max, n);
  g_assert_cmpfloat (max, <=, DELTA_E_ROUNDTRIP);

  /* Device white is paper white (L* 100 relative); the black is lifted. */
  {
    guint16 white[4] = { 0 }, black[4];
    cmsCIELab lab[2];
    guint16 both[8];
    for (int c = 0; c < channels; c++)
      {
        white[c] = channels == 4 ? 0 : 65535;
        black[c] = channels == 4 ? 65535 : 0;
      }
    memcpy (both, white, (size_t) channels * 2);
    memcpy (both + channels, black, (size_t) channels * 2);
    device_to_lab (out, fmt, both, lab, 2);
    g_test_message ("%s: white L* %.2f, black L* %.2f", profile_name, lab[0].L, lab[1].L);
    g_assert_cmpfloat (lab[0].L, >=, 99.5);
    g_assert_cmpfloat (lab[1].L, >=, 7.0);
    g_assert_cmpfloat (lab[1].L, <=, 11.0);
  }
  cmsCloseProfile (out);
}

static void
test_profiles_roundtrip_rgb (void)
{
  check_roundtrip ("lab-rgb.icc", 3);
}

static void
test_profiles_roundtrip_cmyk (void)
{
  check_roundtrip ("lab-cmyk.icc", 4);
}

/* Header facts of the generated profiles. */
static void
test_profiles_headers (void)
{
  static const struct {
    const char *name;
    cmsProfileClassSignature cls;
    cmsColorSpaceSignature space;
    const char *desc;
  } expect[] = {
    { "sRGB.icc", cmsSigDisplayClass, cmsSigRgbData, "sRGB (photosheet build)" },
    { "lab-rgb.icc", cmsSigOutputClass, cmsSigRgbData, "photosheet lab RGB (synthetic)" },
    { "lab-cmyk.icc", cmsSigOutputClass, cmsSigCmykData, "photosheet lab CMYK (synthetic)" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *path = profile_path (expect[i].name);
      char desc[128];
      cmsHPROFILE h;
      struct tm date;

      if (path == NULL)
        return;
      h = open_profile (path);
      g_assert_cmpuint (cmsGetDeviceClass (h), ==, expect[i].cls);
      g_assert_cmpuint (cmsGetColorSpace (h), ==, expect[i].space);
      cmsGetProfileInfoASCII (h, cmsInfoDescription, "en", "US", desc, sizeof desc);
      g_assert_cmpstr (desc, ==, expect[i].desc);
      g_assert_true (cmsGetHeaderCreationDateTime (h, &date));
      g_assert_cmpint (date.tm_year + 1900, ==, 2025);
      for (cmsUInt32Number intent = 0; intent <= INTENT_ABSOLUTE_COLORIMETRIC; intent++)
        g_assert_true (cmsIsIntentSupported (h, intent, LCMS_USED_AS_OUTPUT));
      cmsCloseProfile (h);
    }
}

/* make-profiles is reproducible: a second run gives the same bytes. */
static void
test_profiles_deterministic (void)
{
  static const char *const names[] = { "sRGB.icc", "lab-rgb.icc", "lab-cmyk.icc",
                                       "broken-truncated.icc", "broken-header.icc",
                                       "broken-tags.icc" };
  const char *dir = g_getenv ("PS_PROFILES_DIR");
  g_autofree char *exe = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *quoted_exe = NULL;
  g_autofree char *quoted_tmp = NULL;

  if (dir == NULL)
    {
      g_test_skip ("PS_PROFILES_DIR is not set");
      return;
    }
  exe = g_build_filename (dir, "make-profiles", NULL);
  if (!g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("make-profiles is not next to the profiles");
      return;
    }
  tmp = ps_test_tmpdir ();
  quoted_exe = g_shell_quote (exe);
  quoted_tmp = g_shell_quote (tmp);
  cmd = g_strdup_printf ("%s %s", quoted_exe, quoted_tmp);
  g_assert_cmpint (ps_test_run_shell (cmd, NULL), ==, 0);
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *built = g_build_filename (dir, names[i], NULL);
      g_autofree char *again = g_build_filename (tmp, names[i], NULL);
      g_autoptr(GBytes) a = ps_test_read_bytes (built);
      g_autoptr(GBytes) b = ps_test_read_bytes (again);
      g_assert_true (g_bytes_equal (a, b));
    }
  ps_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tctx = cmsCreateContext (NULL, NULL);
  t_lab = cmsCreateLab4ProfileTHR (tctx, NULL);

  g_test_add_func ("/color/page/lab-cmyk", test_page_lab_cmyk);
  g_test_add_func ("/color/page/lab-rgb", test_page_lab_rgb);
  g_test_add_func ("/color/page/argb32", test_page_argb32);
  g_test_add_func ("/color/page/bad-input", test_page_bad_input);
  g_test_add_func ("/color/output/srgb-identity", test_output_srgb_identity);
  g_test_add_func ("/color/output/info", test_output_info);
  g_test_add_func ("/color/output/intent-bpc", test_output_intent_bpc);
  g_test_add_func ("/color/output/broken", test_output_broken);
  g_test_add_func ("/color/output/not-output", test_output_not_output);
  g_test_add_func ("/color/proof/lab-rgb", test_proof_lab_rgb);
  g_test_add_func ("/color/proof/lab-cmyk", test_proof_lab_cmyk);
  g_test_add_func ("/color/photo/rgb8-embedded", test_photo_rgb8_embedded);
  g_test_add_func ("/color/photo/gray8", test_photo_gray8);
  g_test_add_func ("/color/photo/rgb16", test_photo_rgb16);
  g_test_add_func ("/color/photo/cmyk8-inverted", test_photo_cmyk8_inverted);
  g_test_add_func ("/color/photo/orientation", test_photo_orientation);
  g_test_add_func ("/color/photo/broken-embedded", test_photo_broken_embedded);
  g_test_add_func ("/color/photo/many-profiles", test_photo_many_profiles);
  g_test_add_func ("/color/photo/bad-raw", test_photo_bad_raw);
  g_test_add_func ("/color/threads", test_threads);
  g_test_add_func ("/color/profiles/roundtrip-rgb", test_profiles_roundtrip_rgb);
  g_test_add_func ("/color/profiles/roundtrip-cmyk", test_profiles_roundtrip_cmyk);
  g_test_add_func ("/color/profiles/headers", test_profiles_headers);
  g_test_add_func ("/color/profiles/deterministic", test_profiles_deterministic);

  status = g_test_run ();
  cmsCloseProfile (t_lab);
  cmsDeleteContext (tctx);
  return status;
}
