/* make-hostile.c - hostile inputs for the tests and seeds for the fuzzers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   make-hostile --photos DIR       hostile photos (below), for test-hostile
 *   make-hostile --fuzz-seeds DIR   small seeds: DIR/fuzz-photo/, DIR/fuzz-icc/,
 *                                   DIR/fuzz-roster-xlsx/ (tests/fuzz/corpus/
 *                                   holds the committed output; the openpyxl
 *                                   files there come from tests/data/)
 *
 * Photos written by --photos (all 480 x 640 where they decode at all):
 *   ok.jpg              a valid photo (the control)
 *   truncated.jpg       ok.jpg cut in half
 *   truncated.png       a valid PNG cut in half
 *   truncated.tif       a valid TIFF cut in half
 *   empty.jpg           0 bytes
 *   text.jpg            a text file named .jpg
 *   bomb.png            IHDR declares 60000 x 60000
 *   bomb.jpg            SOF0 declares 65000 x 65000
 *   bomb-pixels.jpg     SOF0 declares 20000 x 20000 (sides fine, 400 Mpx)
 *   bomb.tif            IFD declares 100000 x 100000, one empty strip
 *   badicc.jpg          valid pixels, an embedded ICC profile of garbage
 *   badicc-header.jpg   valid pixels, an ICC header that claims 1 MB and stops
 *   badicc.tif          valid pixels, an ICC tag of garbage
 * No file holds anything but synthetic pixels.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <lcms2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps-image-writer.h"
#include "ps-xlsx-writer.h"

static void die (const char *fmt, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
die (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("make-hostile: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  exit (1);
}

static void
write_bytes (const char *path, const void *data, gsize len)
{
  GError *error = NULL;
  if (!g_file_set_contents (path, data, (gssize) len, &error))
    die ("%s", error->message);
}

/* Dies with *@error's message unless @ok. */
static void
check (bool ok, GError **error)
{
  if (!ok)
    die ("%s", (*error)->message);
}

/* A picture that compresses to something, deterministic. */
static guint8
pixel (int x, int y, int c)
{
  return (guint8) ((x * 3 + y * 5 + c * 70 + ((x / 8 + y / 8) % 2) * 40) & 0xff);
}

static guint
jpeg_sample (int x, int y, int c, gpointer user_data)
{
  return pixel (x, y, c);
}

static void
write_jpeg (const char *path, const PsImageJpegSpec *s)
{
  GError *error = NULL;
  check (ps_image_write_jpeg_samples (path, s, jpeg_sample, NULL, &error), &error);
}

/* Rows of pixel() for PNG, byte by byte as the file stores them (a 16-bit
 * sample takes two values, packed depths several pixels' worth): what a
 * fuzzer needs is every colour type and depth, not a picture. */
static void
png_row (int y, guint8 *row, size_t row_bytes, gpointer user_data)
{
  const PsImagePngSpec *s = user_data;
  int channels = s->color_type == PNG_COLOR_TYPE_RGB_ALPHA ? 4
                 : s->color_type == PNG_COLOR_TYPE_RGB ? 3
                 : s->color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
  for (size_t i = 0; i < row_bytes; i++)
    {
      guint8 v = pixel ((int) i / channels, y, (int) i % channels);
      row[i] = s->color_type == PNG_COLOR_TYPE_PALETTE ? (guint8) (v & (s->depth == 8 ? 3 : 0x55)) : v;
    }
}

static const png_color palette4[4] = { { 0, 0, 0 }, { 255, 0, 0 }, { 100, 197, 255 }, { 255, 255, 255 } };

static void
write_png (const char *path, const PsImagePngSpec *s)
{
  GError *error = NULL;
  check (ps_image_write_png (path, s, png_row, (gpointer) s, &error), &error);
}

/* pixel(), 16-bit samples scaled to the full range; @user_data is the spec. */
static guint
tiff_sample (int x, int y, int c, gpointer user_data)
{
  const PsImageTiffSpec *s = user_data;
  return pixel (x, y, c) * (s->bps == 16 ? 257u : 1u);
}

static void
write_tiff (const char *path, const PsImageTiffSpec *s)
{
  GError *error = NULL;
  check (ps_image_write_tiff_samples (path, s, tiff_sample, (gpointer) s, &error), &error);
}

/* IDAT of the PNG bombs: a zlib stream that inflates to junk. */
static const guint8 zlib_junk[16] = { 0x78, 0x9c, 0xed, 0xc1, 0x01, 0x0d, 0, 0, 0, 0xc2,
                                      0xa0, 0xf7, 0x4f, 0x6d, 0x0e, 0x37 };

static void
write_png_bomb (const char *path, guint32 w, guint32 h)
{
  GError *error = NULL;
  check (ps_image_write_png_bomb (path, w, h, PNG_COLOR_TYPE_RGB, zlib_junk, sizeof zlib_junk,
                                  &error), &error);
}

/* ICC-ish garbage: an 'acsp' header (so that it looks like a profile) with
 * @claimed as its size and junk after it. */
static guint8 *
garbage_icc (gsize len, guint32 claimed)
{
  guint8 *p = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) (i * 131 + 7);
  if (len >= 40)
    {
      guint32 size = GUINT32_TO_BE (claimed);
      memcpy (p, &size, 4);
      memcpy (p + 12, "mntr", 4);
      memcpy (p + 16, "RGB ", 4);
      memcpy (p + 20, "XYZ ", 4);
      memcpy (p + 36, "acsp", 4);
    }
  return p;
}

static void
lcms_log (cmsContext ctx, cmsUInt32Number code, const char *text)
{
  fprintf (stderr, "make-hostile: lcms2: %s\n", text);
}

static GBytes *
save_profile (cmsHPROFILE h)
{
  cmsUInt32Number n = 0;
  cmsSetLogErrorHandler (lcms_log);
  if (h == NULL || !cmsSaveProfileToMem (h, NULL, &n))
    die ("cannot build a profile");
  guint8 *data = g_malloc (n);
  cmsSaveProfileToMem (h, data, &n);
  cmsCloseProfile (h);
  return g_bytes_new_take (data, n);
}

static GBytes *
profile_srgb (void)
{
  return save_profile (cmsCreate_sRGBProfile ());
}

static GBytes *
profile_gray (void)
{
  cmsToneCurve *g = cmsBuildGamma (NULL, 2.2);
  cmsHPROFILE h = cmsCreateGrayProfile (cmsD50_xyY (), g);
  cmsFreeToneCurve (g);
  return save_profile (h);
}

static GBytes *
profile_wide_rgb (void)
{
  cmsCIExyYTRIPLE primaries = { { 0.64, 0.33, 1 }, { 0.21, 0.71, 1 }, { 0.15, 0.06, 1 } };
  cmsCIExyY white;
  cmsWhitePointFromTemp (&white, 6504);
  cmsToneCurve *g = cmsBuildGamma (NULL, 2.2);
  cmsToneCurve *curves[3] = { g, g, g };
  cmsHPROFILE h = cmsCreateRGBProfile (&white, &primaries, curves);
  cmsFreeToneCurve (g);
  return save_profile (h);
}

static GBytes *
profile_lab (void)
{
  return save_profile (cmsCreateLab4Profile (NULL));
}

/* An abstract profile: opens, but no photo or printer may use it. */
static GBytes *
profile_abstract (void)
{
  return save_profile (cmsCreateBCHSWabstractProfile (3, 0, 1, 0, 0, 5000, 5000));
}

/* A CMYK output-capable profile with the smallest tables lcms2 builds. */
static GBytes *
profile_tiny_cmyk (void)
{
  cmsHPROFILE h = cmsCreateProfilePlaceholder (NULL);
  cmsSetProfileVersion (h, 2.1);
  cmsSetDeviceClass (h, cmsSigOutputClass);
  cmsSetColorSpace (h, cmsSigCmykData);
  cmsSetPCS (h, cmsSigLabData);
  cmsPipeline *a2b = cmsPipelineAlloc (NULL, 4, 3);
  cmsStage *clut = cmsStageAllocCLut16bit (NULL, 2, 4, 3, NULL);
  cmsPipelineInsertStage (a2b, cmsAT_END, clut);
  cmsPipeline *b2a = cmsPipelineAlloc (NULL, 3, 4);
  cmsStage *clut2 = cmsStageAllocCLut16bit (NULL, 2, 3, 4, NULL);
  cmsPipelineInsertStage (b2a, cmsAT_END, clut2);
  cmsWriteTag (h, cmsSigAToB0Tag, a2b);
  cmsWriteTag (h, cmsSigBToA0Tag, b2a);
  cmsWriteTag (h, cmsSigMediaWhitePointTag, cmsD50_XYZ ());
  cmsPipelineFree (a2b);
  cmsPipelineFree (b2a);
  return save_profile (h);
}

static void
write_icc_seed (const char *dir, const char *name, guint8 control, GBytes *icc, gsize keep)
{
  gsize n = 0;
  const guint8 *data = g_bytes_get_data (icc, &n);
  n = keep > 0 ? MIN (n, keep) : n;
  g_autofree guint8 *seed = g_malloc (n + 1);
  seed[0] = control;
  memcpy (seed + 1, data, n);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  write_bytes (path, seed, n + 1);
}

static void
make_photo_seeds (const char *dir, GBytes *srgb, GBytes *gray)
{
  GError *error = NULL;
  gsize icc_len = 0, gray_len = 0;
  const guint8 *icc = g_bytes_get_data (srgb, &icc_len);
  const guint8 *gicc = g_bytes_get_data (gray, &gray_len);
  g_mkdir_with_parents (dir, 0755);
  struct { const char *name; PsImageJpegSpec spec; } jpegs[] = {
    { "rgb.jpg", { 12, 16, JCS_RGB } },
    { "gray.jpg", { 9, 12, JCS_GRAYSCALE } },
    { "cmyk.jpg", { 6, 8, JCS_CMYK } },
    { "progressive.jpg", { 12, 16, JCS_RGB, .progressive = true } },
    { "exif6-icc.jpg", { 16, 12, JCS_RGB, .icc = icc, .icc_len = icc_len,
                         .orientation = 6 } },
    { "gray-icc.jpg", { 6, 8, JCS_GRAYSCALE, .icc = gicc, .icc_len = gray_len } },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (jpegs); i++)
    {
      g_autofree char *path = g_build_filename (dir, jpegs[i].name, NULL);
      write_jpeg (path, &jpegs[i].spec);
    }
  struct { const char *name; PsImagePngSpec spec; } pngs[] = {
    { "rgb.png", { 6, 8, PNG_COLOR_TYPE_RGB, 8 } },
    { "rgba16.png", { 6, 8, PNG_COLOR_TYPE_RGB_ALPHA, 16 } },
    { "gray-alpha.png", { 6, 8, PNG_COLOR_TYPE_GRAY_ALPHA, 8 } },
    { "gray2.png", { 6, 8, PNG_COLOR_TYPE_GRAY, 2 } },
    { "palette.png", { 6, 8, PNG_COLOR_TYPE_PALETTE, 8, .palette = palette4, .n_palette = 4 } },
    { "interlaced.png", { 9, 12, PNG_COLOR_TYPE_RGB_ALPHA, 8, .interlace = true } },
    { "icc.png", { 6, 8, PNG_COLOR_TYPE_RGB, 8, .icc = icc, .icc_len = icc_len } },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (pngs); i++)
    {
      g_autofree char *path = g_build_filename (dir, pngs[i].name, NULL);
      write_png (path, &pngs[i].spec);
    }
  struct { const char *name; PsImageTiffSpec spec; } tiffs[] = {
    { "rgb-lzw.tif", { 6, 8, 3, 8, PHOTOMETRIC_RGB } },
    { "rgb16.tif", { 6, 8, 3, 16, PHOTOMETRIC_RGB, COMPRESSION_NONE } },
    { "rgba.tif", { 6, 8, 4, 8, PHOTOMETRIC_RGB, COMPRESSION_PACKBITS, .alpha = true } },
    { "gray.tif", { 6, 8, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_ADOBE_DEFLATE } },
    { "cmyk.tif", { 6, 8, 4, 8, PHOTOMETRIC_SEPARATED } },
    { "icc-orient.tif", { 8, 6, 3, 8, PHOTOMETRIC_RGB, .icc = icc, .icc_len = icc_len,
                          .orientation = 8 } },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (tiffs); i++)
    {
      g_autofree char *path = g_build_filename (dir, tiffs[i].name, NULL);
      write_tiff (path, &tiffs[i].spec);
    }
  g_autofree char *bomb_png = g_build_filename (dir, "bomb.png", NULL);
  write_png_bomb (bomb_png, 60000, 60000);
  g_autofree char *bomb_tif = g_build_filename (dir, "bomb.tif", NULL);
  check (ps_image_write_tiff_bomb (bomb_tif, 100000, 100000, &error), &error);
  g_autofree char *from = g_build_filename (dir, "rgb.jpg", NULL);
  g_autofree char *bomb_jpg = g_build_filename (dir, "bomb.jpg", NULL);
  check (ps_image_copy_jpeg_resized (from, bomb_jpg, 65000, 65000, &error), &error);
  g_autofree char *trunc = g_build_filename (dir, "truncated.jpg", NULL);
  check (ps_image_copy_truncated (from, trunc, 0.6, &error), &error);
}

static void
make_icc_seeds (const char *dir, GBytes *srgb, GBytes *gray)
{
  g_mkdir_with_parents (dir, 0755);
  g_autoptr (GBytes) wide = profile_wide_rgb ();
  g_autoptr (GBytes) lab = profile_lab ();
  g_autoptr (GBytes) abstract = profile_abstract ();
  g_autoptr (GBytes) cmyk = profile_tiny_cmyk ();
  /* control byte: bit 0 embedded, bits 1-2 channels, 3 16-bit, 4-5 intent,
   * 6 no BPC (see fuzz-icc.c) */
  write_icc_seed (dir, "output-srgb.bin", 0x00, srgb, 0);
  write_icc_seed (dir, "output-wide-perceptual.bin", 0x00, wide, 0);
  write_icc_seed (dir, "output-wide-absolute-nobpc.bin", 0x70, wide, 0);
  write_icc_seed (dir, "output-cmyk.bin", 0x10, cmyk, 0);
  write_icc_seed (dir, "output-lab.bin", 0x10, lab, 0);
  write_icc_seed (dir, "output-abstract.bin", 0x10, abstract, 0);
  write_icc_seed (dir, "embedded-abstract.bin", 0x03, abstract, 0);
  write_icc_seed (dir, "output-truncated.bin", 0x10, wide, 200);
  write_icc_seed (dir, "embedded-rgb-wide.bin", 0x03, wide, 0);
  write_icc_seed (dir, "embedded-rgb16-srgb.bin", 0x0b, srgb, 0);
  write_icc_seed (dir, "embedded-gray.bin", 0x01, gray, 0);
  write_icc_seed (dir, "embedded-gray16-orient.bin", 0x69, gray, 0);
  write_icc_seed (dir, "embedded-cmyk.bin", 0x05, cmyk, 0);
  write_icc_seed (dir, "embedded-cmyk-inverted.bin", 0x37, cmyk, 0);
  write_icc_seed (dir, "embedded-mismatch.bin", 0x03, gray, 0);
  write_icc_seed (dir, "embedded-truncated.bin", 0x03, wide, 300);
  g_autofree guint8 *junk = garbage_icc (600, 600);
  g_autoptr (GBytes) junk_bytes = g_bytes_new (junk, 600);
  write_icc_seed (dir, "embedded-garbage.bin", 0x03, junk_bytes, 0);
  write_icc_seed (dir, "output-garbage.bin", 0x00, junk_bytes, 0);
}

static void
make_xlsx_seeds (const char *dir)
{
  g_mkdir_with_parents (dir, 0755);
  const char *header[] = { "学号", "姓名", "班级", "采集码", "证件号码", "院校代码" };
  const char *r1[] = { "201818004215114", "张三丰", "计算机1班", "Hx4KcUcseltovhGV", "11010519491231002X", "10294" };
  const char *r2[] = { "0201", "李*", "护理学（专升本）1班", "VDDcGDN38UAWTggP", "471X", "10294" };
  const char *r3[] = { "=1+1", NULL, "", "@cmd", "-5", "+1" };
  const char *const *rows[] = { header, r1, r2, r3 };
  bool numeric[6] = { true, false, false, false, false, true };
  PsXlsxOptions plain = { 0 };
  PsXlsxOptions numbers = { .numeric_columns = numeric, .exponent_numbers = true };
  PsXlsxOptions inline_strings = { .inline_strings = true, .n_empty_trailing_rows = 2,
                                   .empty_trailing_cells = true, .sheet_name = "名单" };
  struct { const char *name; const PsXlsxOptions *opts; } files[] = {
    { "shared.xlsx", &plain }, { "numbers.xlsx", &numbers }, { "inline.xlsx", &inline_strings },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].name, NULL);
      GError *error = NULL;
      if (!ps_xlsx_write (path, rows, G_N_ELEMENTS (rows), 6, files[i].opts, &error))
        die ("%s", error->message);
    }

  /* The parts form of fuzz-roster-xlsx.c: sheet 0xFF strings 0xFF workbook
   * 0xFF rels, each as ps-xlsx-writer writes them. */
  static const char sheet[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"inlineStr\"><is><t>采集码</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\"><v>2.01818004215114E+14</v></c><c r=\"B2\" t=\"s\"><v>3</v></c>"
    "<c r=\"C2\" t=\"s\"><v>4</v></c><c r=\"D2\" t=\"str\"><v>Hx4KcUcseltovhGV</v></c></row>"
    "<row r=\"4\"><c r=\"C4\" t=\"s\"><v>4</v></c><c r=\"A4\" t=\"n\"><v>0201</v></c>"
    "<c r=\"B4\" t=\"b\"><v>1</v></c></row>"
    "</sheetData></worksheet>";
  static const char strings[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"5\" uniqueCount=\"5\">"
    "<si><t>学号</t></si><si><t>姓名</t></si><si><r><t>班</t></r><r><t>级</t></r></si>"
    "<si><t xml:space=\"preserve\"> 张三丰 </t></si><si><t>计算机1班</t><rPh><t>x</t></rPh></si></sst>";
  static const char workbook[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  static const char rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
  g_autoptr (GString) parts = g_string_new (sheet);
  g_string_append_c (parts, (char) 0xFF);
  g_string_append (parts, strings);
  g_string_append_c (parts, (char) 0xFF);
  g_string_append (parts, workbook);
  g_string_append_c (parts, (char) 0xFF);
  g_string_append (parts, rels);
  g_autofree char *path = g_build_filename (dir, "parts-all.bin", NULL);
  write_bytes (path, parts->str, parts->len);
  g_autofree char *path2 = g_build_filename (dir, "parts-sheet-only.bin", NULL);
  write_bytes (path2, sheet, strlen (sheet));

  /* Input hygiene: identifiers stored as numbers of more than 15 digits,
   * in Excel's exponent form and in full ... */
  const char *h[] = { "学号", "姓名", "班级", "证件号码", "时间戳" };
  const char *n1[] = { "12345678901234567890", "张三丰", "1班", "110105194912310000", "1653446320558" };
  const char *n2[] = { "201818004215114", "王\xE3\x80\x80李", "1班", "440301199001011234", "1653446320559" };
  const char *const *long_rows[] = { h, n1, n2 };
  bool long_numeric[5] = { true, false, false, true, true };
  PsXlsxOptions long_exp = { .numeric_columns = long_numeric, .exponent_numbers = true };
  PsXlsxOptions long_plain = { .numeric_columns = long_numeric, .inline_strings = true };
  g_autofree char *path3 = g_build_filename (dir, "long-numbers-exponent.xlsx", NULL);
  g_autofree char *path4 = g_build_filename (dir, "long-numbers-plain.xlsx", NULL);
  GError *error = NULL;
  if (!ps_xlsx_write (path3, long_rows, 3, 5, &long_exp, &error)
      || !ps_xlsx_write (path4, long_rows, 3, 5, &long_plain, &error))
    die ("%s", error->message);

  /* ... and in the parts form: error and boolean cells, invisible and
   * decomposed characters, a workbook whose first sheet is hidden. */
  static const char hygiene_sheet[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\xE2\x80\x8B学号</t></is></c>"
    "<c r=\"B1\" t=\"inlineStr\"><is><t>姓名</t></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>班级</t></is></c>"
    "<c r=\"D1\" t=\"inlineStr\"><is><t>优先</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"e\"><v>#N/A</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>李\xCC\x81四</t></is></c>"
    "<c r=\"C2\" t=\"e\"><v>#REF!</v></c><c r=\"D2\" t=\"b\"><v>1</v></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"b\"><v>0</v></c><c r=\"B3\" t=\"inlineStr\"><is><t>Jose\xCC\x81</t></is></c>"
    "<c r=\"C3\" t=\"inlineStr\"><is><t>\xE2\x80\xAD软工\xC2\xAD三班</t></is></c></row>"
    "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>\xEF\xBC\x92\xEF\xBC\x90</t></is></c>"
    "<c r=\"B4\"><v>1.1010519491231E+17</v></c><c r=\"C4\" t=\"inlineStr\"><is><t>1班</t></is></c></row>"
    "</sheetData></worksheet>";
  static const char hidden_workbook[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
    "<sheet name=\"旧表\" sheetId=\"2\" state=\"hidden\" r:id=\"rId2\"/>"
    "<sheet name=\"名单\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  g_autoptr (GString) hygiene = g_string_new (hygiene_sheet);
  g_string_append_c (hygiene, (char) 0xFF);
  g_string_append_c (hygiene, (char) 0xFF);
  g_string_append (hygiene, hidden_workbook);
  g_string_append_c (hygiene, (char) 0xFF);
  g_string_append (hygiene, rels);
  g_autofree char *path5 = g_build_filename (dir, "parts-hygiene-hidden.bin", NULL);
  write_bytes (path5, hygiene->str, hygiene->len);
}

static void
make_hostile_photos (const char *dir)
{
  GError *error = NULL;
  g_mkdir_with_parents (dir, 0755);
  g_autofree char *ok = g_build_filename (dir, "ok.jpg", NULL);
  PsImageJpegSpec spec = { 480, 640, JCS_RGB, .quality = 80 };
  write_jpeg (ok, &spec);

  g_autofree char *trunc = g_build_filename (dir, "truncated.jpg", NULL);
  check (ps_image_copy_truncated (ok, trunc, 0.5, &error), &error);
  g_autofree char *png = g_build_filename (dir, "full.png.tmp", NULL);
  PsImagePngSpec pspec = { 480, 640, PNG_COLOR_TYPE_RGB, 8 };
  write_png (png, &pspec);
  g_autofree char *png_trunc = g_build_filename (dir, "truncated.png", NULL);
  check (ps_image_copy_truncated (png, png_trunc, 0.5, &error), &error);
  g_unlink (png);
  g_autofree char *tif = g_build_filename (dir, "full.tif.tmp", NULL);
  PsImageTiffSpec tspec = { 480, 640, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE };
  write_tiff (tif, &tspec);
  g_autofree char *tif_trunc = g_build_filename (dir, "truncated.tif", NULL);
  check (ps_image_copy_truncated (tif, tif_trunc, 0.5, &error), &error);
  g_unlink (tif);

  g_autofree char *empty = g_build_filename (dir, "empty.jpg", NULL);
  write_bytes (empty, "", 0);
  g_autofree char *text = g_build_filename (dir, "text.jpg", NULL);
  static const char note[] = "This is not a photo. It is a note that someone saved as .jpg.\n";
  write_bytes (text, note, strlen (note));

  g_autofree char *bomb_png = g_build_filename (dir, "bomb.png", NULL);
  write_png_bomb (bomb_png, 60000, 60000);
  g_autofree char *bomb_jpg = g_build_filename (dir, "bomb.jpg", NULL);
  check (ps_image_copy_jpeg_resized (ok, bomb_jpg, 65000, 65000, &error), &error);
  g_autofree char *bomb_px = g_build_filename (dir, "bomb-pixels.jpg", NULL);
  check (ps_image_copy_jpeg_resized (ok, bomb_px, 20000, 20000, &error), &error);
  g_autofree char *bomb_tif = g_build_filename (dir, "bomb.tif", NULL);
  check (ps_image_write_tiff_bomb (bomb_tif, 100000, 100000, &error), &error);

  g_autofree guint8 *junk = garbage_icc (900, 900);
  g_autofree char *badicc = g_build_filename (dir, "badicc.jpg", NULL);
  PsImageJpegSpec bad = { 480, 640, JCS_RGB, .icc = junk, .icc_len = 900, .quality = 80 };
  write_jpeg (badicc, &bad);
  g_autofree guint8 *header_only = garbage_icc (128, 1u << 20);
  g_autofree char *badicc_header = g_build_filename (dir, "badicc-header.jpg", NULL);
  PsImageJpegSpec bad2 = { 480, 640, JCS_RGB, .icc = header_only, .icc_len = 128, .quality = 80 };
  write_jpeg (badicc_header, &bad2);
  g_autofree char *badicc_tif = g_build_filename (dir, "badicc.tif", NULL);
  PsImageTiffSpec bad3 = { 480, 640, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, .icc = junk, .icc_len = 900 };
  write_tiff (badicc_tif, &bad3);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--photos") == 0)
    {
      make_hostile_photos (argv[2]);
      return 0;
    }
  if (argc == 3 && strcmp (argv[1], "--fuzz-seeds") == 0)
    {
      g_autoptr (GBytes) srgb = profile_srgb ();
      g_autoptr (GBytes) gray = profile_gray ();
      g_autofree char *photo = g_build_filename (argv[2], "fuzz-photo", NULL);
      g_autofree char *icc = g_build_filename (argv[2], "fuzz-icc", NULL);
      g_autofree char *xlsx = g_build_filename (argv[2], "fuzz-roster-xlsx", NULL);
      make_photo_seeds (photo, srgb, gray);
      make_icc_seeds (icc, srgb, gray);
      make_xlsx_seeds (xlsx);
      return 0;
    }
  fprintf (stderr, "usage: make-hostile --photos DIR | --fuzz-seeds DIR\n");
  return 2;
}
