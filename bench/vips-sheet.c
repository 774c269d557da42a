/* vips-sheet.c - the benchmark's libvips peer: the same sheets as
 * `photosheet render --layout bench-6x4-5up`, written the way a lab would
 * with the libvips C API.  Not part of the build (bench/bench.sh compiles it).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   vips-sheet ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc [MAX_SHEETS]
 *
 * For each student of the roster (make-samples --count output: the photo
 * file is the last column; name, 学号, class in columns 8, 5, 9):
 *   - the photo cropped to 33 x 48 mm at 300 dpi (390 x 567, centre crop),
 *     decoded and resized once, inserted 5 times on a white 6 x 4 in sheet
 *     (1800 x 1200) at the layout's slots;
 *   - one caption line (Noto Sans CJK SC 6.5 pt) at the layout's strip;
 *   - sRGB -> PRINTER.icc, relative colorimetric + black-point compensation,
 *     written as OUT_DIR/NNNN.tif (LZW, the profile embedded);
 *   - the sRGB sheet as a JPEG page of OUT_DIR/sheets.pdf (libvips has no
 *     PDF writer: a minimal PDF around jpegsave_buffer output).
 * The sheet is rendered to memory once and both files are written from it.
 */
#include <vips/vips.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHEET_W 1800
#define SHEET_H 1200
#define PHOTO_W 390
#define PHOTO_H 567

/* bench-6x4-5up slots, in pixels at 300 dpi (photosheet layouts --show). */
static const int slot_x[5] = { 268, 705, 1142, 268, 705 };
static const int slot_y[5] = { 11, 11, 11, 583, 583 };
#define STRIP_X 35
#define STRIP_Y 1157

typedef struct {
  FILE *fp;
  long offset;
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
  const char *content = "q 432 0 0 288 0 0 cm /Im0 Do Q\n";
  pdf_obj_start (pdf, base);
  fprintf (pdf->fp, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 432 288] "
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

/* One sheet; returns 0 on success. */
static int
render_sheet (const char *photo_path, const char *caption, const char *icc,
              const char *tif_path, Pdf *pdf)
{
  VipsObject *ctx = VIPS_OBJECT (vips_image_new ());   /* owns every temporary */
  VipsImage **t = (VipsImage **) vips_object_local_array (ctx, 16);
  int rc = -1;

  /* Decode and resize once; the five copies are the same pixels. */
  if (vips_thumbnail (photo_path, &t[0], PHOTO_W, "height", PHOTO_H,
                      "crop", VIPS_INTERESTING_CENTRE, NULL)
      || vips_black (&t[1], SHEET_W, SHEET_H, "bands", 3, NULL)
      || vips_invert (t[1], &t[2], NULL)
      || vips_cast_uchar (t[2], &t[3], NULL))
    goto out;
  VipsImage *sheet = t[3];
  for (int i = 0; i < 5; i++)
    {
      VipsImage *next;
      if (vips_insert (sheet, t[0], &next, slot_x[i], slot_y[i], NULL))
        goto out;
      vips_object_local (ctx, next);
      sheet = next;
    }

  /* The caption: a text mask, black through it. */
  if (vips_text (&t[4], caption, "font", "Noto Sans CJK SC 6.5", "dpi", 300, NULL)
      || vips_embed (t[4], &t[5], STRIP_X, STRIP_Y, SHEET_W, SHEET_H, NULL)
      || vips_black (&t[6], SHEET_W, SHEET_H, "bands", 3, NULL)
      || vips_ifthenelse (t[5], t[6], sheet, &t[7], "blend", TRUE, NULL)
      || vips_cast_uchar (t[7], &t[8], NULL))
    goto out;

  /* Render once into memory: two writers read it. */
  t[9] = vips_image_copy_memory (t[8]);
  if (t[9] == NULL)
    goto out;
  vips_image_set_int (t[9], "interpretation", VIPS_INTERPRETATION_sRGB);

  if (vips_icc_transform (t[9], &t[10], icc, "input_profile", "srgb",
                          "intent", VIPS_INTENT_RELATIVE, "black_point_compensation", TRUE,
                          "embedded", FALSE, "depth", 8, NULL)
      || vips_tiffsave (t[10], tif_path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_LZW,
                        "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL,
                        "xres", 300 / 25.4, "yres", 300 / 25.4, NULL))
    goto out;

  void *jpeg = NULL;
  size_t len = 0;
  if (vips_jpegsave_buffer (t[9], &jpeg, &len, "Q", 90, NULL))
    goto out;
  pdf_add_jpeg_page (pdf, jpeg, len);
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
  if (argc < 5)
    {
      fprintf (stderr, "usage: vips-sheet ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc [MAX_SHEETS]\n");
      return 2;
    }
  long max = argc > 5 ? atol (argv[5]) : 0;
  gchar *text = NULL;
  if (!g_file_get_contents (argv[1], &text, NULL, NULL))
    {
      fprintf (stderr, "vips-sheet: cannot read %s\n", argv[1]);
      return 1;
    }
  g_mkdir_with_parents (argv[3], 0755);
  gchar *pdf_path = g_build_filename (argv[3], "sheets.pdf", NULL);
  Pdf pdf = { fopen (pdf_path, "wb"), 0, g_array_new (FALSE, TRUE, sizeof (long)), 0 };
  fprintf (pdf.fp, "%%PDF-1.4\n");

  gchar **lines = g_strsplit (text, "\n", -1);
  long n = 0;
  for (size_t i = 1; lines[i] != NULL && (max == 0 || n < max); i++)
    {
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      gchar **cells = g_strsplit (lines[i], ",", -1);
      guint nc = g_strv_length (cells);
      if (nc < 11)
        {
          g_strfreev (cells);
          continue;
        }
      gchar *photo = g_build_filename (argv[2], cells[nc - 1], NULL);
      gchar *caption = g_markup_printf_escaped ("%s   %s   %s", cells[7], cells[4], cells[8]);
      gchar *tif = g_strdup_printf ("%s/%04ld.tif", argv[3], n + 1);
      if (render_sheet (photo, caption, argv[4], tif, &pdf) != 0)
        vips_error_exit ("sheet %ld", n + 1);
      g_free (photo);
      g_free (caption);
      g_free (tif);
      g_strfreev (cells);
      n++;
    }
  pdf_close (&pdf);
  g_array_free (pdf.offsets, TRUE);
  g_strfreev (lines);
  g_free (text);
  g_free (pdf_path);
  printf ("vips-sheet: %ld sheets in %s\n", n, argv[3]);
  vips_shutdown ();
  return 0;
}
