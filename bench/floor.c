/* floor.c - the hardware floor of one bench sheet on this machine: what no
 * renderer can avoid.  Not part of the build (bench/bench.sh compiles it).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   floor ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc [lzw|deflate]
 *
 * Per student: decode the photo (libjpeg, full size), copy it 5 times onto a
 * white 1800 x 1200 sheet (memcpy, no resampling), one lcms2 pass over the
 * whole sheet (sRGB -> PRINTER.icc, relative colorimetric + BPC, the cached
 * 8-bit transform photosheet uses) and write it as a TIFF with the profile
 * (LZW + horizontal predictor, or Deflate level 1).  One thread; prints the
 * seconds per sheet.
 */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <jpeglib.h>
#include <lcms2.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#define SHEET_W 1800
#define SHEET_H 1200
static const int slot_x[5] = { 268, 705, 1142, 268, 705 };
static const int slot_y[5] = { 11, 11, 11, 583, 583 };

static guint8 *
decode (const char *path, int *w, int *h)
{
  FILE *fp = fopen (path, "rb");
  if (fp == NULL)
    return NULL;
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_decompress (&cinfo);
  jpeg_stdio_src (&cinfo, fp);
  jpeg_read_header (&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress (&cinfo);
  *w = cinfo.output_width;
  *h = cinfo.output_height;
  guint8 *px = g_malloc ((size_t) *w * *h * 3);
  while (cinfo.output_scanline < cinfo.output_height)
    {
      JSAMPROW row = px + (size_t) cinfo.output_scanline * *w * 3;
      jpeg_read_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_decompress (&cinfo);
  jpeg_destroy_decompress (&cinfo);
  fclose (fp);
  return px;
}

int
main (int argc, char **argv)
{
  if (argc < 5)
    {
      fprintf (stderr, "usage: floor ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc [lzw|deflate]\n");
      return 2;
    }
  bool deflate = argc > 5 && strcmp (argv[5], "deflate") == 0;
  gchar *text = NULL, *icc = NULL;
  gsize icc_len = 0;
  if (!g_file_get_contents (argv[1], &text, NULL, NULL)
      || !g_file_get_contents (argv[4], &icc, &icc_len, NULL))
    return 1;
  g_mkdir_with_parents (argv[3], 0755);
  cmsHPROFILE srgb = cmsCreate_sRGBProfile ();
  cmsHPROFILE out = cmsOpenProfileFromMem (icc, (cmsUInt32Number) icc_len);
  cmsHTRANSFORM xf = cmsCreateTransform (srgb, TYPE_BGRA_8, out, TYPE_RGB_8,
                                         INTENT_RELATIVE_COLORIMETRIC,
                                         cmsFLAGS_BLACKPOINTCOMPENSATION);
  guint32 *sheet = g_malloc ((size_t) SHEET_W * SHEET_H * 4);
  guint8 *row = g_malloc (SHEET_W * 3);

  gchar **lines = g_strsplit (text, "\n", -1);
  long n = 0;
  gint64 t0 = g_get_monotonic_time ();
  for (size_t i = 1; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      gchar **cells = g_strsplit (lines[i], ",", -1);
      guint nc = g_strv_length (cells);
      if (nc < 11)
        {
          g_strfreev (cells);
          continue;
        }
      gchar *path = g_build_filename (argv[2], cells[nc - 1], NULL);
      int w = 0, h = 0;
      guint8 *photo = decode (path, &w, &h);
      if (photo == NULL)
        return 1;
      for (size_t p = 0; p < (size_t) SHEET_W * SHEET_H; p++)
        sheet[p] = 0xffffffffu;
      /* The photo's top-left 390 x 567, five times (no resampling). */
      for (int s = 0; s < 5; s++)
        for (int y = 0; y < 567 && y < h; y++)
          for (int x = 0; x < 390 && x < w; x++)
            {
              const guint8 *q = photo + ((size_t) y * w + x) * 3;
              sheet[(size_t) (slot_y[s] + y) * SHEET_W + slot_x[s] + x]
                = 0xff000000u | (guint32) q[0] << 16 | (guint32) q[1] << 8 | q[2];
            }
      g_free (photo);

      gchar *tif_path = g_strdup_printf ("%s/%04ld.tif", argv[3], n + 1);
      TIFF *tif = TIFFOpen (tif_path, "w");
      TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, SHEET_W);
      TIFFSetField (tif, TIFFTAG_IMAGELENGTH, SHEET_H);
      TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 3);
      TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
      TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
      if (deflate)
        {
          TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
          TIFFSetField (tif, TIFFTAG_ZIPQUALITY, 1);
        }
      else
        {
          TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
          TIFFSetField (tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
        }
      TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize (tif, 0));
      TIFFSetField (tif, TIFFTAG_ICCPROFILE, (uint32_t) icc_len, icc);
      for (int y = 0; y < SHEET_H; y++)
        {
          cmsDoTransform (xf, sheet + (size_t) y * SHEET_W, row, SHEET_W);
          TIFFWriteScanline (tif, row, (uint32_t) y, 0);
        }
      TIFFClose (tif);
      g_free (tif_path);
      g_free (path);
      g_strfreev (cells);
      n++;
    }
  double s = (g_get_monotonic_time () - t0) / 1e6;
  printf ("floor: %ld sheets, %.4f s/sheet (%s)\n", n, n ? s / n : 0, deflate ? "deflate" : "lzw");
  return 0;
}
