/* vips-sheet.c - the benchmark's libvips peer: the same sheets as
 * `photosheet render` with the default layout (6寸 4 x 6 in portrait, 4 copies
 * of 33 x 48 mm), written the way a careful lab programmer would with the
 * libvips C API.  Not part of the build (bench/bench.sh compiles it).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   vips-sheet [-c deflate|lzw] [-s FIRST] [-n COUNT] ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc
 *
 * Students FIRST .. FIRST+COUNT-1 of the roster (0-based data rows; the
 * make-samples --count layout: 学号 col 5, 姓名 8, 班级 9, photo file last),
 * so that bench.sh can run two processes on the two halves.  Once per
 * process: a white 1200 x 1800 template with the 32 cut marks.  Per student:
 *   - the photo: vips_thumbnail to 390 x 567 with a centre crop (cover),
 *     which honours EXIF orientation; an embedded ICC profile is converted
 *     to sRGB (relative) - vips_thumbnail alone would keep it unconverted;
 *   - 4 x vips_insert at the layout's slots;
 *   - the text as one mask: the per-copy caption (masked name and 学号, Noto
 *     Sans CJK SC 7 pt, centred under each copy) rendered once and placed 4
 *     times, and the strip (the nine fields with their labels, three a line,
 *     8 pt) - one vips_ifthenelse paints it black;
 *   - sRGB -> PRINTER.icc, relative colorimetric + black-point compensation,
 *     8 bit, rendered to memory once;
 *   - OUT_DIR/tiff/NNNN.tif (NNNN = roster position + 1) with the profile
 *     embedded, 300 dpi: deflate (libvips 8.14 has no deflate level: libtiff's
 *     default, 6; no predictor) or LZW + horizontal predictor;
 *   - a page of OUT_DIR/sheets-FIRST.pdf: the sheet as a JPEG (Q 90) in
 *     DeviceRGB - the printer-RGB pixels, as photosheet's PDF carries them
 *     with an RGB printer profile; with a CMYK profile the sRGB sheet, as
 *     photosheet's PDF then stays sRGB.  libvips has no PDF writer: a minimal
 *     PDF around jpegsave_buffer output.
 */
#include <vips/vips.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHEET_W 1200
#define SHEET_H 1800
#define PHOTO_W 390
#define PHOTO_H 567

/* `photosheet layouts --show default` at 300 dpi (mm * 300 / 25.4). */
static const int slot_x[4] = { 187, 624, 187, 624 };
static const int slot_y[4] = { 156, 156, 817, 817 };
#define COPY_CAPTION_H 47   /* 4 mm under each photo */
#define STRIP_X 35          /* 3 mm */
#define STRIP_Y 1576        /* 133.4 mm */
#define MARK_LEN 24         /* 2 mm */
#define MARK_OFF 12         /* 1 mm */

typedef struct {
  FILE *fp;
  GArray *offsets;     /* long, per object number - 1 */
  int n_pages;
} Pdf;

static void
pdf_obj_start (Pdf *pdf, int number)
{
  long at = ftell (pdf->fp);
  if ((int) pdf->offsets->len < number)
    g_array_set_size (pdf->offsets, number);
  g_array_index (pdf->offsets, long, number - 1) = at;
  fprintf (pdf->fp, "%d 0 obj\n", number);
}

static void
pdf_add_jpeg_page (Pdf *pdf, const void *jpeg, size_t len)
{
  int base = 3 + 3 * pdf->n_pages;
  const char *content = "q 288 0 0 432 0 0 cm /Im0 Do Q\n";   /* 4 x 6 in */
  pdf_obj_start (pdf, base);
  fprintf (pdf->fp, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] "
           "/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>\nendobj\n",
           base + 2, base + 1);
  pdf_obj_start (pdf, base + 1);
  fprintf (pdf->fp, "<< /Length %zu >>\nstream\n%sendstream\nendobj\n", strlen (content), content);
  pdf_obj_start (pdf, base + 2);
  fprintf (pdf->fp, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
           "/BitsPerComponent 8 /Filter /DCTDecode /Length %zu >>\nstream\n", SHEET_W, SHEET_H, len);
  fwrite (jpeg, 1, len, pdf->fp);
  fprintf (pdf->fp, "\nendstream\nendobj\n");
  pdf->n_pages++;
}

static void
pdf_close (Pdf *pdf)
{
  pdf_obj_start (pdf, 1);
  fprintf (pdf->fp, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
  pdf_obj_start (pdf, 2);
  fprintf (pdf->fp, "<< /Type /Pages /Count %d /Kids [", pdf->n_pages);
  for (int i = 0; i < pdf->n_pages; i++)
    fprintf (pdf->fp, " %d 0 R", 3 + 3 * i);
  fprintf (pdf->fp, " ] >>\nendobj\n");
  long xref = ftell (pdf->fp);
  fprintf (pdf->fp, "xref\n0 %u\n0000000000 65535 f \n", pdf->offsets->len + 1);
  for (guint i = 0; i < pdf->offsets->len; i++)
    fprintf (pdf->fp, "%010ld 00000 n \n", g_array_index (pdf->offsets, long, i));
  fprintf (pdf->fp, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
           pdf->offsets->len + 1, xref);
  fclose (pdf->fp);
}

/* The white sheet with the cut marks: 8 ticks a photo, 1 px (0.25 pt). */
static VipsImage *
make_template (void)
{
  VipsImage *black = NULL, *white = NULL, *u8 = NULL;
  if (vips_black (&black, SHEET_W, SHEET_H, "bands", 3, NULL)
      || vips_invert (black, &white, NULL) || vips_cast_uchar (white, &u8, NULL))
    vips_error_exit ("template");
  VipsImage *t = vips_image_copy_memory (u8);
  g_object_unref (black);
  g_object_unref (white);
  g_object_unref (u8);
  double ink[3] = { 0, 0, 0 };
  for (int s = 0; s < 4; s++)
    {
      int l = slot_x[s], r = slot_x[s] + PHOTO_W - 1, tp = slot_y[s], b = slot_y[s] + PHOTO_H - 1;
      int xs[2] = { l, r }, ys[2] = { tp, b };
      for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
          {
            int x = xs[i], y = ys[j];
            int hx = i == 0 ? x - MARK_OFF - MARK_LEN : x + MARK_OFF + 1;
            int vy = j == 0 ? y - MARK_OFF - MARK_LEN : y + MARK_OFF + 1;
            vips_draw_rect (t, ink, 3, hx, y, MARK_LEN, 1, "fill", TRUE, NULL);
            vips_draw_rect (t, ink, 3, x, vy, 1, MARK_LEN, "fill", TRUE, NULL);
          }
    }
  return t;
}

typedef struct {
  VipsImage *tmpl;
  const char *icc;
  gboolean deflate;
  gboolean cmyk;
  Pdf *pdf;
} Ctx;

/* One sheet; returns 0 on success. */
static int
render_sheet (Ctx *c, const char *photo_path, const char *copy_caption, const char *strip,
              const char *tif_path)
{
  VipsObject *ctx = VIPS_OBJECT (vips_image_new ());   /* owns every temporary */
  VipsImage **t = (VipsImage **) vips_object_local_array (ctx, 16);
  int rc = -1;

  /* Decode and resize once; the four copies are the same pixels. */
  if (vips_thumbnail (photo_path, &t[0], PHOTO_W, "height", PHOTO_H,
                      "crop", VIPS_INTERESTING_CENTRE, NULL))
    goto out;
  VipsImage *photo = t[0];
  if (vips_image_get_typeof (photo, VIPS_META_ICC_NAME))
    {
      if (vips_icc_transform (photo, &t[1], "srgb", "embedded", TRUE,
                              "intent", VIPS_INTENT_RELATIVE, "depth", 8, NULL))
        goto out;
      photo = t[1];
    }
  if (photo->Bands != 3)
    {
      if (vips_colourspace (photo, &t[2], VIPS_INTERPRETATION_sRGB, NULL))
        goto out;
      photo = t[2];
    }
  VipsImage *sheet = c->tmpl;
  for (int i = 0; i < 4; i++)
    {
      VipsImage *next;
      if (vips_insert (sheet, photo, &next, slot_x[i], slot_y[i], NULL))
        goto out;
      vips_object_local (ctx, next);
      sheet = next;
    }

  /* The text: one mask for the sheet, black through it. */
  if (vips_text (&t[3], copy_caption, "font", "Noto Sans CJK SC 7", "dpi", 300, NULL)
      || vips_text (&t[4], strip, "font", "Noto Sans CJK SC 8", "dpi", 300, NULL)
      || vips_black (&t[5], SHEET_W, SHEET_H, NULL))
    goto out;
  VipsImage *mask = t[5];
  for (int i = 0; i < 4; i++)
    {
      VipsImage *next;
      int x = slot_x[i] + (PHOTO_W - t[3]->Xsize) / 2;
      int y = slot_y[i] + PHOTO_H + (COPY_CAPTION_H - t[3]->Ysize) / 2;
      if (vips_insert (mask, t[3], &next, x, y, NULL))
        goto out;
      vips_object_local (ctx, next);
      mask = next;
    }
  if (vips_insert (mask, t[4], &t[6], STRIP_X, STRIP_Y, NULL)
      || vips_black (&t[7], SHEET_W, SHEET_H, "bands", 3, NULL)
      || vips_ifthenelse (t[6], t[7], sheet, &t[8], "blend", TRUE, NULL)
      || vips_cast_uchar (t[8], &t[9], NULL))
    goto out;
  vips_image_set_int (t[9], "interpretation", VIPS_INTERPRETATION_sRGB);

  /* A CMYK printer's PDF stays sRGB (as photosheet's): keep that sheet. */
  VipsImage *srgb = NULL, *in = t[9];
  if (c->cmyk)
    {
      if ((t[11] = vips_image_copy_memory (t[9])) == NULL)
        goto out;
      in = srgb = t[11];
    }
  if (vips_icc_transform (in, &t[10], c->icc, "input_profile", "srgb",
                          "intent", VIPS_INTENT_RELATIVE, "black_point_compensation", TRUE,
                          "embedded", FALSE, "depth", 8, NULL))
    goto out;
  /* Render once into memory: two writers read it. */
  if ((t[12] = vips_image_copy_memory (t[10])) == NULL)
    goto out;
  if (c->deflate
        ? vips_tiffsave (t[12], tif_path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE,
                         "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_NONE,
                         "resunit", VIPS_FOREIGN_TIFF_RESUNIT_INCH,
                         "xres", 300 / 25.4, "yres", 300 / 25.4, NULL)
        : vips_tiffsave (t[12], tif_path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_LZW,
                         "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL,
                         "resunit", VIPS_FOREIGN_TIFF_RESUNIT_INCH,
                         "xres", 300 / 25.4, "yres", 300 / 25.4, NULL))
    goto out;

  void *jpeg = NULL;
  size_t len = 0;
  if (vips_jpegsave_buffer (srgb != NULL ? srgb : t[12], &jpeg, &len, "Q", 90, "strip", TRUE,
                            NULL))
    goto out;
  pdf_add_jpeg_page (c->pdf, jpeg, len);
  g_free (jpeg);
  rc = 0;
out:
  g_object_unref (ctx);
  return rc;
}

int
main (int argc, char **argv)
{
  if (VIPS_INIT (argv[0]))
    vips_error_exit (NULL);
  long first = 0, count = -1;
  gboolean deflate = TRUE;
  int opt;
  while ((opt = getopt (argc, argv, "c:s:n:")) != -1)
    switch (opt)
      {
      case 'c': deflate = strcmp (optarg, "lzw") != 0; break;
      case 's': first = atol (optarg); break;
      case 'n': count = atol (optarg); break;
      default: goto usage;
      }
  if (argc - optind != 4)
    {
    usage:
      fprintf (stderr, "usage: vips-sheet [-c deflate|lzw] [-s FIRST] [-n COUNT] "
               "ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc\n");
      return 2;
    }
  const char *roster = argv[optind], *photos = argv[optind + 1], *out = argv[optind + 2];
  gchar *text = NULL;
  if (!g_file_get_contents (roster, &text, NULL, NULL))
    {
      fprintf (stderr, "vips-sheet: cannot read %s\n", roster);
      return 1;
    }
  gchar *tiff_dir = g_build_filename (out, "tiff", NULL);
  g_mkdir_with_parents (tiff_dir, 0755);
  gchar *pdf_name = g_strdup_printf ("sheets-%04ld.pdf", first);
  gchar *pdf_path = g_build_filename (out, pdf_name, NULL);
  Pdf pdf = { fopen (pdf_path, "wb"), g_array_new (FALSE, TRUE, sizeof (long)), 0 };
  if (pdf.fp == NULL)
    {
      fprintf (stderr, "vips-sheet: cannot write %s\n", pdf_path);
      return 1;
    }
  fprintf (pdf.fp, "%%PDF-1.4\n");
  /* The profile's colour space, header bytes 16..19. */
  gchar *icc_data = NULL;
  gsize icc_len = 0;
  if (!g_file_get_contents (argv[optind + 3], &icc_data, &icc_len, NULL) || icc_len < 128)
    {
      fprintf (stderr, "vips-sheet: cannot read %s\n", argv[optind + 3]);
      return 1;
    }
  gboolean cmyk = memcmp (icc_data + 16, "CMYK", 4) == 0;
  g_free (icc_data);
  Ctx c = { make_template (), argv[optind + 3], deflate, cmyk, &pdf };

  gchar **lines = g_strsplit (text, "\n", -1);
  long row = 0, n = 0;
  for (size_t i = 1; lines[i] != NULL && (count < 0 || n < count); i++)
    {
      g_strchomp (lines[i]);
      gchar **f = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (f) < 11 || row++ < first)
        {
          g_strfreev (f);
          continue;
        }
      gchar *photo = g_build_filename (photos, f[g_strv_length (f) - 1], NULL);
      gchar *copy_caption = g_markup_printf_escaped ("%s %s", f[7], f[4]);
      gchar *strip = g_markup_printf_escaped (
        "时间戳 %s   采集码 %s   院校代码 %s\n证件号码 %s   学号 %s   学历层次 %s\n"
        "学历类别 %s   姓名 %s   班级 %s", f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
      gchar *tif = g_strdup_printf ("%s/%04ld.tif", tiff_dir, row);
      if (render_sheet (&c, photo, copy_caption, strip, tif) != 0)
        vips_error_exit ("sheet %ld (%s)", row, photo);
      g_free (photo);
      g_free (copy_caption);
      g_free (strip);
      g_free (tif);
      g_strfreev (f);
      n++;
    }
  pdf_close (&pdf);
  g_object_unref (c.tmpl);
  g_array_free (pdf.offsets, TRUE);
  g_strfreev (lines);
  g_free (text);
  g_free (pdf_name);
  g_free (pdf_path);
  g_free (tiff_dir);
  printf ("vips-sheet: %ld sheets in %s\n", n, out);
  vips_shutdown ();
  return 0;
}
