/* test-device.c - what is printed is what was colour-managed (issue 11):
 * photos converted once from their own profile, K-only black, tagged PDF
 * and PNG, captions inside the photo width.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test renders through the CLI and inspects the files: TIFF samples,
 * PDF objects (qpdf), PNG chunks, and compares colours in CIELAB with
 * cmsCIE2000DeltaE against a direct lcms2 transform.
 */
#include "config.h"
#include "ps-test-util.h"

#include <glib/gstdio.h>
#include <lcms2.h>
#include <math.h>
#include <png.h>
#include <qpdf/qpdf-c.h>
#include <string.h>
#include <tiffio.h>

#define DE_MAX 1.0       /* ΔE2000 the issue allows against a direct transform */

static GBytes *
read_bytes (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static char *
profile_path (const char *name)
{
  return g_build_filename (g_getenv ("PS_PROFILES_DIR"), name, NULL);
}

static bool
have_tool (const char *tool)
{
  g_autofree char *p = g_find_program_in_path (tool);
  if (p == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s not installed", tool);
      g_test_skip (msg);
      return false;
    }
  return true;
}

/* A TIFF page as stored: 8-bit interleaved samples. */
typedef struct {
  int width, height, channels;
  guint8 *data;
} Image;

static void
image_clear (Image *im)
{
  g_clear_pointer (&im->data, g_free);
}

static void
read_tiff (const char *path, Image *im)
{
  TIFF *tif = TIFFOpen (path, "r");
  g_assert_nonnull (tif);
  uint32_t w = 0, h = 0;
  uint16_t spp = 0, bps = 0;
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetField (tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetField (tif, TIFFTAG_BITSPERSAMPLE, &bps);
  g_assert_cmpint (bps, ==, 8);
  im->width = (int) w;
  im->height = (int) h;
  im->channels = spp;
  im->data = g_malloc ((size_t) w * h * spp);
  for (uint32_t y = 0; y < h; y++)
    g_assert_cmpint (TIFFReadScanline (tif, im->data + (size_t) y * w * spp, y, 0), ==, 1);
  TIFFClose (tif);
}

/* Mean of the samples in a (2r+1)^2 box around (x, y). */
static void
mean_box (const Image *im, int x, int y, int r, double *out)
{
  double sum[4] = { 0 };
  int n = 0;
  for (int j = y - r; j <= y + r; j++)
    for (int i = x - r; i <= x + r; i++, n++)
      for (int c = 0; c < im->channels; c++)
        sum[c] += im->data[((size_t) j * im->width + i) * im->channels + c];
  for (int c = 0; c < im->channels; c++)
    out[c] = sum[c] / n;
}

/* Device values (0..255, doubles) -> Lab through @printer's AToB. */
static void
device_to_lab (cmsHPROFILE printer, int channels, const double *v, cmsCIELab *lab)
{
  cmsHPROFILE lab_profile = cmsCreateLab4Profile (NULL);
  cmsHTRANSFORM x = cmsCreateTransform (printer, channels == 4 ? TYPE_CMYK_DBL : TYPE_RGB_DBL,
                                        lab_profile, TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
  double in[4];
  for (int c = 0; c < channels; c++)
    in[c] = channels == 4 ? v[c] / 255.0 * 100.0 : v[c] / 255.0;
  cmsDoTransform (x, in, lab, 1);
  cmsDeleteTransform (x);
  cmsCloseProfile (lab_profile);
}

/* Adobe RGB (1998): D65, its primaries, gamma 563/256. */
static GBytes *
adobe_rgb_icc (void)
{
  cmsCIExyY d65 = { 0.3127, 0.3290, 1.0 };
  cmsCIExyYTRIPLE primaries = { { 0.6400, 0.3300, 1.0 }, { 0.2100, 0.7100, 1.0 },
                                { 0.1500, 0.0600, 1.0 } };
  cmsToneCurve *g = cmsBuildGamma (NULL, 563.0 / 256.0);
  cmsToneCurve *curves[3] = { g, g, g };
  cmsHPROFILE p = cmsCreateRGBProfile (&d65, &primaries, curves);
  cmsMLU *desc = cmsMLUalloc (NULL, 1);
  cmsMLUsetASCII (desc, "en", "US", "Adobe RGB (1998) (test)");
  cmsWriteTag (p, cmsSigProfileDescriptionTag, desc);
  cmsMLUfree (desc);
  cmsUInt32Number len = 0;
  cmsSaveProfileToMem (p, NULL, &len);
  guint8 *buf = g_malloc (len);
  cmsSaveProfileToMem (p, buf, &len);
  cmsCloseProfile (p);
  cmsFreeToneCurve (g);
  return g_bytes_new_take (buf, len);
}

/* A 480 x 640 RGB PNG of 4 x 4 flat patches (120 x 160 each), @icc embedded
 * (iCCP) when not NULL. */
static void
write_patch_png (const char *path, const guint8 patches[16][3], GBytes *icc)
{
  FILE *fp = g_fopen (path, "wb");
  g_assert_nonnull (fp);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  png_init_io (png, fp);
  png_set_IHDR (png, info, 480, 640, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (icc != NULL)
    png_set_iCCP (png, info, "icc", 0, g_bytes_get_data (icc, NULL),
                  (png_uint_32) g_bytes_get_size (icc));
  png_write_info (png, info);
  guint8 row[480 * 3];
  for (int y = 0; y < 640; y++)
    {
      for (int x = 0; x < 480; x++)
        memcpy (row + x * 3, patches[(y / 160) * 4 + x / 120], 3);
      png_write_row (png, row);
    }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  fclose (fp);
}

/* DIR/roster.csv with one student per line of @names (photo = PHOTO), and
 * DIR/photos/. */
static char *
write_roster (const char *dir, const char *const *names, size_t n, const char *photo)
{
  g_autoptr (GString) csv = g_string_new ("xh,xm,bh,yxdm,photo\n");
  for (size_t i = 0; i < n; i++)
    g_string_append_printf (csv, "2018%011zu,%s,测试1班,10294,%s\n", i + 1, names[i], photo);
  g_autofree char *path = g_build_filename (dir, "roster.csv", NULL);
  ps_test_write_file (path, csv->str, -1);
  return g_steal_pointer (&path);
}

static int
render (const char *roster, const char *photos, const char *out, const char *const *extra)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *base[] = { "render", "--roster", roster, "--photos", photos, "--out", out, NULL };
  for (size_t i = 0; base[i] != NULL; i++)
    g_ptr_array_add (args, (char *) base[i]);
  for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli ((const char *const *) args->pdata, &so, &se);
  g_test_message ("render: %s%s", so, se);
  return status;
}

/* Where source pixel (sx, sy) of a 480 x 640 photo lands on the page: the
 * cover crop of ps-compose into slot @slot at @dpi. */
static void
source_to_page (const PsRect *slot, int dpi, double sx, double sy, int *px, int *py)
{
  PsPixelRect r = _ps_compose_slot_pixels (slot, dpi);
  double s = MAX (r.width / 480.0, r.height / 640.0);
  double x0 = (480 - r.width / s) / 2, y0 = (640 - r.height / s) / 2;
  *px = r.x + (int) lround ((sx + 0.5 - x0) * s - 0.5);
  *py = r.y + (int) lround ((sy + 0.5 - y0) * s - 0.5);
}

/* ------------------------------------------------------------------ */
/* Acceptance 2: an Adobe RGB photo straight to the printer            */
/* ------------------------------------------------------------------ */

static void
check_adobe_rgb (const char *profile_name)
{
  /* Greens and cyans, most of them outside sRGB. */
  static const guint8 patches[16][3] = {
    { 0, 160, 80 }, { 40, 180, 60 }, { 0, 200, 120 }, { 60, 150, 40 },
    { 0, 170, 170 }, { 0, 150, 200 }, { 30, 190, 190 }, { 0, 130, 150 },
    { 90, 200, 90 }, { 0, 120, 60 }, { 50, 160, 130 }, { 0, 180, 220 },
    { 100, 170, 60 }, { 20, 140, 110 }, { 70, 200, 170 }, { 0, 100, 90 },
  };
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_mkdir (photos, 0755);
  g_autoptr (GBytes) adobe = adobe_rgb_icc ();
  g_autofree char *png = g_build_filename (photos, "adobe.png", NULL);
  write_patch_png (png, patches, adobe);
  const char *names[] = { "张三丰" };
  g_autofree char *roster = write_roster (dir, names, 1, "adobe.png");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *profile = profile_path (profile_name);
  const char *extra[] = { "--format", "tiff", "--profile", profile, NULL };
  g_assert_cmpint (render (roster, photos, out, extra), ==, 0);

  Image im = { 0 };
  g_autofree char *tif = g_build_filename (out, "tiff", "0002.tif", NULL);
  read_tiff (tif, &im);

  cmsHPROFILE printer = cmsOpenProfileFromFile (profile, "r");
  cmsHPROFILE source = cmsOpenProfileFromMem (g_bytes_get_data (adobe, NULL),
                                              (cmsUInt32Number) g_bytes_get_size (adobe));
  cmsHPROFILE srgb = cmsCreate_sRGBProfile ();
  cmsUInt32Number out_format = im.channels == 4 ? TYPE_CMYK_8 : TYPE_RGB_8;
  cmsHTRANSFORM direct = cmsCreateTransform (source, TYPE_RGB_8, printer, out_format,
                                             INTENT_RELATIVE_COLORIMETRIC,
                                             cmsFLAGS_BLACKPOINTCOMPENSATION);
  /* The old path, for the record: Adobe RGB -> 8-bit sRGB -> printer. */
  cmsHTRANSFORM to_srgb = cmsCreateTransform (source, TYPE_RGB_8, srgb, TYPE_RGB_8,
                                              INTENT_RELATIVE_COLORIMETRIC,
                                              cmsFLAGS_BLACKPOINTCOMPENSATION);
  cmsHTRANSFORM from_srgb = cmsCreateTransform (srgb, TYPE_RGB_8, printer, out_format,
                                                INTENT_RELATIVE_COLORIMETRIC,
                                                cmsFLAGS_BLACKPOINTCOMPENSATION);
  g_autoptr (PsLayout) layout = ps_layout_load ("default", NULL);
  PsRect slot = ps_layout_get_slot (layout, 0);
  double worst = 0, worst_old = 0;
  for (int p = 0; p < 16; p++)
    {
      int x, y;
      source_to_page (&slot, 300, (p % 4) * 120 + 60, (p / 4) * 160 + 80, &x, &y);
      double got[4], want[4], old[4];
      mean_box (&im, x, y, 6, got);
      guint8 d[4], s8[3], o[4];
      cmsDoTransform (direct, patches[p], d, 1);
      cmsDoTransform (to_srgb, patches[p], s8, 1);
      cmsDoTransform (from_srgb, s8, o, 1);
      for (int c = 0; c < im.channels; c++)
        {
          want[c] = d[c];
          old[c] = o[c];
        }
      cmsCIELab a, b, c;
      device_to_lab (printer, im.channels, got, &a);
      device_to_lab (printer, im.channels, want, &b);
      device_to_lab (printer, im.channels, old, &c);
      double de = cmsCIE2000DeltaE (&a, &b, 1, 1, 1);
      double de_old = cmsCIE2000DeltaE (&c, &b, 1, 1, 1);
      worst = MAX (worst, de);
      worst_old = MAX (worst_old, de_old);
      if (de > DE_MAX)
        g_error ("%s: patch %d (%d,%d,%d): ΔE2000 %.2f from a direct transform", profile_name, p,
                 patches[p][0], patches[p][1], patches[p][2], de);
    }
  g_test_message ("%s: Adobe RGB greens/cyans, max ΔE2000 %.3f vs direct (via 8-bit sRGB: %.2f)",
                  profile_name, worst, worst_old);
  cmsDeleteTransform (direct);
  cmsDeleteTransform (to_srgb);
  cmsDeleteTransform (from_srgb);
  cmsCloseProfile (printer);
  cmsCloseProfile (source);
  cmsCloseProfile (srgb);
  image_clear (&im);
  ps_test_rm_rf (dir);
}

static void
test_device_adobe_rgb_cmyk (void)
{
  check_adobe_rgb ("lab-cmyk.icc");
}

static void
test_device_adobe_rgb_rgb (void)
{
  check_adobe_rgb ("lab-rgb.icc");
}

/* ------------------------------------------------------------------ */
/* Acceptance 3: K-only black in the TIFF                              */
/* ------------------------------------------------------------------ */

/* Outside the photos every pixel of a CMYK page is paper or black ink
 * alone: C = M = Y = 0.  Text and marks are there (K > 0). */
static void
test_device_k_only_tiff (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *profile = profile_path ("lab-cmyk.icc");
  const char *extra[] = { "--format", "tiff", "--profile", profile, "--dpi", "150", NULL };
  g_assert_cmpint (render (roster, photos, out, extra), ==, 0);

  g_autoptr (PsLayout) layout = ps_layout_load ("default", NULL);
  for (int page = 1; page <= 2; page++)
    {
      Image im = { 0 };
      g_autofree char *name = g_strdup_printf ("%04d.tif", page);
      g_autofree char *tif = g_build_filename (out, "tiff", name, NULL);
      read_tiff (tif, &im);
      g_assert_cmpint (im.channels, ==, 4);
      size_t ink = 0, full = 0;
      for (int y = 0; y < im.height; y++)
        for (int x = 0; x < im.width; x++)
          {
            bool in_photo = false;
            for (size_t s = 0; page == 2 && s < ps_layout_get_n_slots (layout); s++)
              {
                PsRect slot = ps_layout_get_slot (layout, s);
                PsPixelRect r = _ps_compose_slot_pixels (&slot, 150);
                in_photo |= x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
              }
            if (in_photo)
              continue;
            const guint8 *px = im.data + ((size_t) y * im.width + x) * 4;
            if (px[0] != 0 || px[1] != 0 || px[2] != 0)
              g_error ("page %d pixel (%d,%d) outside the photos has C/M/Y %d/%d/%d (K %d)", page,
                       x, y, px[0], px[1], px[2], px[3]);
            ink += px[3] > 0;
            full += px[3] == 255;
          }
      g_test_message ("page %d: %zu pixels of black ink (%zu at 100 %% K), all K only", page, ink, full);
      g_assert_cmpuint (full, >, 500);
      image_clear (&im);
    }
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Acceptance 4: tagged PDF and PNG                                    */
/* ------------------------------------------------------------------ */

static char *
render_samples (const char *dir, const char *profile_name, const char *formats)
{
  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *profile = profile_name != NULL ? profile_path (profile_name) : NULL;
  char *out = g_build_filename (dir, profile_name != NULL ? profile_name : "srgb", NULL);
  const char *extra[] = { "--format", formats, "--dpi", "100", profile ? "--profile" : NULL,
                          profile, NULL };
  g_assert_cmpint (render (roster, photos, out, extra), ==, 0);
  return out;
}

/* pdfimages -list: every image row says icc; returns how many. */
static int
count_icc_images (const char *pdf)
{
  g_autofree char *cmd = g_strdup_printf ("pdfimages -list '%s'", pdf);
  g_autofree char *text = NULL;
  g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int n = 0;
  for (size_t i = 2; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr (GPtrArray) cols = g_ptr_array_new ();
      for (size_t k = 0; f[k] != NULL; k++)
        if (f[k][0] != '\0')
          g_ptr_array_add (cols, f[k]);
      if (cols->len < 6)
        continue;
      if (g_strcmp0 (cols->pdata[2], "image") != 0 || g_strcmp0 (cols->pdata[5], "icc") != 0)
        g_error ("%s: image not ICC-tagged: %s", pdf, lines[i]);
      n++;
    }
  return n;
}

/* The OutputIntent's profile bytes (NULL when there is none) and the page
 * contents' colour operators. */
static GBytes *
pdf_output_intent (const char *pdf, bool *rgb_operators, bool *k_black)
{
  qpdf_data q = qpdf_init ();
  qpdf_silence_errors (q);
  g_assert_cmpint (qpdf_read (q, pdf, NULL) & QPDF_ERRORS, ==, 0);
  GBytes *icc = NULL;
  qpdf_oh root = qpdf_get_root (q);
  if (qpdf_oh_has_key (q, root, "/OutputIntents"))
    {
      qpdf_oh intents = qpdf_oh_get_key (q, root, "/OutputIntents");
      qpdf_oh intent = qpdf_oh_get_array_item (q, intents, 0);
      g_assert_true (qpdf_oh_is_or_has_name (q, qpdf_oh_get_key (q, intent, "/S"), "/GTS_PDFX"));
      qpdf_oh stream = qpdf_oh_get_key (q, intent, "/DestOutputProfile");
      unsigned char *buf = NULL;
      size_t len = 0;
      g_assert_cmpint (qpdf_oh_get_stream_data (q, stream, qpdf_dl_generalized, NULL, &buf, &len)
                       & QPDF_ERRORS, ==, 0);
      icc = g_bytes_new (buf, len);
      free (buf);
    }
  *rgb_operators = *k_black = false;
  for (int i = 0, n = qpdf_get_num_pages (q); i < n; i++)
    {
      unsigned char *buf = NULL;
      size_t len = 0;
      g_assert_cmpint (qpdf_oh_get_page_content_data (q, qpdf_get_page_n (q, (size_t) i), &buf, &len)
                       & QPDF_ERRORS, ==, 0);
      g_autofree char *text = g_strndup ((const char *) buf, len);
      free (buf);
      *rgb_operators |= strstr (text, " rg") != NULL || strstr (text, " RG") != NULL;
      *k_black |= strstr (text, "0 0 0 1 k") != NULL;
    }
  qpdf_cleanup (&q);
  return icc;
}

static void
test_device_pdf_tags (void)
{
  if (!have_tool ("pdfimages"))
    return;
  g_autofree char *dir = ps_test_copy_samples ();
  struct { const char *profile; bool intent; } cases[] = {
    { "lab-cmyk.icc", true }, { "lab-rgb.icc", true }, { NULL, false },
  };
  for (size_t c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *out = render_samples (dir, cases[c].profile, "pdf");
      g_autofree char *pdf = g_build_filename (out, "sheets.pdf", NULL);
      int n = count_icc_images (pdf);
      g_assert_cmpint (n, >, 10);
      bool rgb_ops = false, k_black = false;
      g_autoptr (GBytes) icc = pdf_output_intent (pdf, &rgb_ops, &k_black);
      g_test_message ("%s: %d images, all icc; OutputIntent %s", cases[c].profile ? cases[c].profile : "sRGB",
                      n, icc ? "yes" : "no");
      if (cases[c].intent)
        {
          g_autofree char *profile = profile_path (cases[c].profile);
          g_autoptr (GBytes) want = read_bytes (profile);
          g_assert_nonnull (icc);
          g_assert_true (g_bytes_equal (icc, want));
        }
      else
        g_assert_null (icc);
      bool cmyk = cases[c].profile != NULL && strstr (cases[c].profile, "cmyk") != NULL;
      /* CMYK: black is K alone and no DeviceRGB colour is left. */
      g_assert_true (cmyk ? (k_black && !rgb_ops) : (!k_black && rgb_ops));
    }
  ps_test_rm_rf (dir);
}

/* sRGB (or iCCP) and pHYs of a PNG file. */
static void
png_chunks (const char *path, bool *srgb, guint32 *ppm_x, guint32 *ppm_y, guint8 *unit)
{
  g_autoptr (GBytes) bytes = read_bytes (path);
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  *srgb = false;
  *ppm_x = *ppm_y = 0;
  *unit = 0;
  for (gsize i = 8; i + 12 <= len;)
    {
      guint32 n = (guint32) d[i] << 24 | (guint32) d[i + 1] << 16 | (guint32) d[i + 2] << 8 | d[i + 3];
      const guint8 *t = d + i + 4, *body = d + i + 8;
      if (memcmp (t, "sRGB", 4) == 0 || memcmp (t, "iCCP", 4) == 0)
        *srgb = true;
      if (memcmp (t, "pHYs", 4) == 0 && n == 9)
        {
          *ppm_x = (guint32) body[0] << 24 | (guint32) body[1] << 16 | (guint32) body[2] << 8 | body[3];
          *ppm_y = (guint32) body[4] << 24 | (guint32) body[5] << 16 | (guint32) body[6] << 8 | body[7];
          *unit = body[8];
        }
      i += 12 + n;
    }
}

static guint8
png_first_pixel_red (const char *path)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  guint32 px;
  memcpy (&px, cairo_image_surface_get_data (s), 4);
  cairo_surface_destroy (s);
  return (guint8) (px >> 16);
}

static void
test_device_png_tags (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *profile = profile_path ("lab-rgb.icc");
  const char *modes[] = { "--proof", "--proof-paper" };
  for (size_t m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *out = g_build_filename (dir, modes[m] + 2, NULL);
      const char *extra[] = { "--format", "png", "--dpi", "254", "--profile", profile, modes[m], NULL };
      g_assert_cmpint (render (roster, photos, out, extra), ==, 0);
      const char *files[] = { "0002.png", "0002-proof.png" };
      for (size_t f = 0; f < G_N_ELEMENTS (files); f++)
        {
          g_autofree char *path = g_build_filename (out, "png", files[f], NULL);
          bool srgb;
          guint32 x, y;
          guint8 unit;
          png_chunks (path, &srgb, &x, &y, &unit);
          g_assert_true (srgb);
          g_assert_cmpint (unit, ==, 1);   /* per metre */
          g_assert_cmpint (x, ==, y);
          g_assert_cmpfloat (fabs (x * 0.0254 - 254), <, 0.01);
        }
      /* Paper at the top-left corner: white in a relative proof, the
       * profile's off-white paper in a paper-white proof. */
      g_autofree char *proof = g_build_filename (out, "png", "0002-proof.png", NULL);
      guint8 red = png_first_pixel_red (proof);
      if (m == 0)
        g_assert_cmpint (red, ==, 255);
      else
        g_assert_cmpint (red, <, 255);
    }
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Acceptance 5: captions inside the photo width, or a check problem   */
/* ------------------------------------------------------------------ */

static char *
repeat_name (const char *first, const char *middle, const char *last, int n)
{
  GString *s = g_string_new (first);
  for (int i = 0; i < n - 2; i++)
    g_string_append (s, middle);
  g_string_append (s, last);
  return g_string_free (s, FALSE);
}

/* Rows check reports a problem of field @field for. */
static GHashTable *
check_problem_rows (const char *roster, const char *photos, const char *layout, const char *field)
{
  const char *args[] = { "check", "--roster", roster, "--photos", photos, "--layout", layout, NULL };
  g_autofree char *so = NULL;
  ps_test_run_cli (args, &so, NULL);
  GHashTable *rows = g_hash_table_new (NULL, NULL);
  g_auto (GStrv) lines = g_strsplit (so, "\n", -1);
  g_autofree char *needle = g_strdup_printf (": %s", field);
  for (size_t i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "roster.csv:") && strstr (lines[i], needle) != NULL)
      g_hash_table_add (rows, GINT_TO_POINTER (atoi (lines[i] + strlen ("roster.csv:"))));
  return rows;
}

static void
test_device_captions (void)
{
  /* Latin with spaces and CJK, 15, 20 and 30 characters; 𪚥 outside the
   * main font.  Masked on import (first and last character kept). */
  g_autofree char *l15 = g_strdup ("Maria José Garc");
  g_autofree char *l20 = g_strdup ("Maria José Garcia Lo");
  g_autofree char *l30 = g_strdup ("Maria José Garcia Lopez de Sou");
  g_autofree char *c15 = repeat_name ("欧", "阳", "娜", 15);
  g_autofree char *c20 = repeat_name ("欧", "阳", "娜", 20);
  g_autofree char *c30 = repeat_name ("欧", "阳", "娜", 30);
  const char *names[] = { l15, l20, l30, c15, c20, c30, "𪚥家" };
  g_assert_cmpint (g_utf8_strlen (l30, -1), ==, 30);
  g_assert_cmpint (g_utf8_strlen (c20, -1), ==, 20);

  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_mkdir (photos, 0755);
  g_autofree char *src = g_build_filename (ps_test_samples_dir (), "photos", "52jy2rQ7KMqJHEP3.jpg", NULL);
  g_autofree char *dst = g_build_filename (photos, "p.jpg", NULL);
  g_autoptr (GBytes) jpeg = read_bytes (src);
  ps_test_write_file (dst, g_bytes_get_data (jpeg, NULL), (gssize) g_bytes_get_size (jpeg));
  g_autofree char *roster = write_roster (dir, names, G_N_ELEMENTS (names), "p.jpg");

  const int dpi = 200;
  g_auto (GStrv) layouts = ps_layout_list ();
  for (size_t l = 0; layouts[l] != NULL; l++)
    {
      g_autoptr (PsLayout) layout = ps_layout_load (layouts[l], NULL);
      g_autoptr (GHashTable) refused = check_problem_rows (roster, photos, layouts[l], "xm");
      g_autofree char *out = g_build_filename (dir, layouts[l], NULL);
      g_autofree char *dpi_text = g_strdup_printf ("%d", dpi);
      const char *extra[] = { "--layout", layouts[l], "--format", "png", "--dpi", dpi_text,
                              "--skip-invalid", NULL };
      int status = render (roster, photos, out, extra);
      g_assert_cmpint (status, ==, g_hash_table_size (refused) > 0 ? 1 : 0);
      g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
      size_t checked = 0;
      for (size_t r = 0; r < rows->len; r++)
        {
          char **row = rows->pdata[r];
          if (strcmp (row[1], "sheet") != 0)
            continue;
          g_autofree char *path = g_strdup_printf ("%s/png/%04d.png", out, atoi (row[0]));
          cairo_surface_t *s = cairo_image_surface_create_from_png (path);
          g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
          const guint8 *d = cairo_image_surface_get_data (s);
          int stride = cairo_image_surface_get_stride (s);
          int w = cairo_image_surface_get_width (s);
          double k = dpi / 72.0;
          size_t n_slots = ps_layout_get_n_slots (layout);
          int copies = ps_layout_get_copies (layout);
          for (size_t i = 0; i < n_slots && (int) i < copies; i++)
            {
              PsRect slot = ps_layout_get_slot (layout, i);
              /* The band under the photo where its caption goes, without
               * the marks' rows and columns at the photo's edges. */
              int y0 = (int) ceil ((slot.y + slot.height) * k) + 3;
              int y1 = (int) floor ((slot.y + slot.height + layout->copy_caption_height) * k);
              int left = (int) floor (slot.x * k) - 2, right = (int) ceil ((slot.x + slot.width) * k) + 2;
              int reach = (int) (layout->gap_x * k / 2);
              for (int y = y0; y < y1; y++)
                for (int x = MAX (0, left - reach); x < MIN (w, right + reach); x++)
                  {
                    if (x >= left && x <= right)
                      continue;
                    guint32 px;
                    memcpy (&px, d + (size_t) y * stride + (size_t) x * 4, 4);
                    if (((px >> 8) & 0xff) < 160)
                      g_error ("layout %s, xh %s, copy %zu: caption ink at (%d,%d) outside the "
                               "photo's %d..%d px", layouts[l], row[4], i + 1, x, y, left + 2, right - 2);
                  }
            }
          cairo_surface_destroy (s);
          checked++;
        }
      g_test_message ("layout %s: %zu sheets inside the photo width, %u rows refused by check",
                      layouts[l], checked, g_hash_table_size (refused));
      /* Every student is either printed or refused, never both. */
      g_assert_cmpuint (checked > 0 ? 1 : 0, ==, g_hash_table_size (refused) < G_N_ELEMENTS (names) ? 1 : 0);
    }
  ps_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device/adobe-rgb/cmyk", test_device_adobe_rgb_cmyk);
  g_test_add_func ("/device/adobe-rgb/rgb", test_device_adobe_rgb_rgb);
  g_test_add_func ("/device/k-only/tiff", test_device_k_only_tiff);
  g_test_add_func ("/device/pdf/tags", test_device_pdf_tags);
  g_test_add_func ("/device/png/tags", test_device_png_tags);
  g_test_add_func ("/device/captions/inside-photo", test_device_captions);
  return g_test_run ();
}
