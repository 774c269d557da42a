/* floor.c - the hardware floor of one bench sheet on this machine: what no
 * renderer of the default layout can avoid.  Not part of the build
 * (bench/bench.sh compiles it).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   floor [-c deflate|lzw] [-P] ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc
 *
 * Per student: decode the photo (libjpeg, full size); if it embeds an ICC
 * profile, one lcms2 pass over the photo into sRGB; copy the centre 390 x 567
 * of the upright photo (EXIF orientation honoured, no resampling) 4 times
 * onto a white 1200 x 1800 sheet; one lcms2 pass over the whole sheet (sRGB
 * -> PRINTER.icc, relative colorimetric + BPC, the cached 8-bit transform
 * photosheet uses; RGB or CMYK) and the TIFF written with the profile
 * (Deflate level 1 without predictor as photosheet's default, or LZW +
 * horizontal predictor).  Unless -P: the converted photo (the sRGB one for
 * a CMYK printer) JPEG-encoded once (quality 90) into OUT_DIR/sheets.pdf,
 * drawn 4 times - the least a PDF of the sheets can cost.  No text, no cut
 * marks, no digests, no ledger.  One thread; prints the CPU seconds per sheet
 * and the bytes.
 */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <jpeglib.h>
#include <lcms2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tiffio.h>
#include <unistd.h>

#define SHEET_W 1200
#define SHEET_H 1800
#define PHOTO_W 390
#define PHOTO_H 567
static const int slot_x[4] = { 187, 624, 187, 624 };
static const int slot_y[4] = { 156, 156, 817, 817 };

/* IFD0 Orientation (0x0112) from an "Exif\0\0" APP1; 1 if none. */
static int
exif_orientation (const guint8 *d, size_t len)
{
  if (len < 14 || memcmp (d, "Exif\0\0", 6) != 0)
    return 1;
  d += 6, len -= 6;
  bool be = d[0] == 'M';
#define U16(p) (be ? ((p)[0] << 8 | (p)[1]) : ((p)[1] << 8 | (p)[0]))
#define U32(p) (be ? ((guint32) (p)[0] << 24 | (p)[1] << 16 | (p)[2] << 8 | (p)[3]) \
                   : ((guint32) (p)[3] << 24 | (p)[2] << 16 | (p)[1] << 8 | (p)[0]))
  guint32 ifd = U32 (d + 4);
  if (ifd + 2 > len)
    return 1;
  int n = U16 (d + ifd);
  for (int i = 0; i < n && ifd + 2 + 12 * (i + 1) <= len; i++)
    {
      const guint8 *e = d + ifd + 2 + 12 * i;
      if (U16 (e) == 0x0112)
        {
          int o = U16 (e + 8);
          return o >= 1 && o <= 8 ? o : 1;
        }
    }
  return 1;
}

typedef struct {
  guint8 *px;          /* RGB, stored orientation */
  int w, h, orientation;
} Photo;

static bool
decode (const char *path, cmsHPROFILE srgb, Photo *p)
{
  FILE *fp = fopen (path, "rb");
  if (fp == NULL)
    return false;
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_decompress (&cinfo);
  jpeg_stdio_src (&cinfo, fp);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 2, 0xffff);
  jpeg_read_header (&cinfo, TRUE);
  p->orientation = 1;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != NULL; m = m->next)
    if (m->marker == JPEG_APP0 + 1)
      {
        p->orientation = exif_orientation (m->data, m->data_length);
        break;
      }
  JOCTET *icc = NULL;
  unsigned int icc_len = 0;
  jpeg_read_icc_profile (&cinfo, &icc, &icc_len);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress (&cinfo);
  p->w = cinfo.output_width;
  p->h = cinfo.output_height;
  p->px = g_malloc ((size_t) p->w * p->h * 3);
  while (cinfo.output_scanline < cinfo.output_height)
    {
      JSAMPROW row = p->px + (size_t) cinfo.output_scanline * p->w * 3;
      jpeg_read_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_decompress (&cinfo);
  jpeg_destroy_decompress (&cinfo);
  fclose (fp);
  if (icc != NULL)
    {
      cmsHPROFILE in = cmsOpenProfileFromMem (icc, icc_len);
      cmsHTRANSFORM xf = in ? cmsCreateTransform (in, TYPE_RGB_8, srgb, TYPE_RGB_8,
                                                  INTENT_RELATIVE_COLORIMETRIC, 0) : NULL;
      if (xf != NULL)
        cmsDoTransform (xf, p->px, p->px, (cmsUInt32Number) ((size_t) p->w * p->h));
      if (xf != NULL)
        cmsDeleteTransform (xf);
      if (in != NULL)
        cmsCloseProfile (in);
      free (icc);
    }
  return true;
}

/* The stored pixel behind upright (x, y). */
static const guint8 *
upright_at (const Photo *p, int x, int y)
{
  int W = p->orientation >= 5 ? p->h : p->w, H = p->orientation >= 5 ? p->w : p->h;
  int sx = x, sy = y;
  switch (p->orientation)
    {
    case 2: sx = W - 1 - x; break;
    case 3: sx = W - 1 - x; sy = H - 1 - y; break;
    case 4: sy = H - 1 - y; break;
    case 5: sx = y; sy = x; break;
    case 6: sx = y; sy = W - 1 - x; break;
    case 7: sx = H - 1 - y; sy = W - 1 - x; break;
    case 8: sx = H - 1 - y; sy = x; break;
    }
  return p->px + ((size_t) sy * p->w + sx) * 3;
}

/* A JPEG of RGB rows in memory. */
static unsigned char *
encode_jpeg (const guint8 *rgb, int w, int h, unsigned long *len)
{
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr jerr;
  unsigned char *buf = NULL;
  c.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&c);
  jpeg_mem_dest (&c, &buf, len);
  c.image_width = w;
  c.image_height = h;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults (&c);
  jpeg_set_quality (&c, 90, TRUE);
  jpeg_start_compress (&c, TRUE);
  while (c.next_scanline < c.image_height)
    {
      JSAMPROW row = (JSAMPROW) rgb + (size_t) c.next_scanline * w * 3;
      jpeg_write_scanlines (&c, &row, 1);
    }
  jpeg_finish_compress (&c);
  jpeg_destroy_compress (&c);
  return buf;
}

typedef struct {
  FILE *fp;
  GArray *offsets;
  int n;
} Pdf;

static void
obj (Pdf *pdf, int number)
{
  if ((int) pdf->offsets->len < number)
    g_array_set_size (pdf->offsets, number);
  g_array_index (pdf->offsets, long, number - 1) = ftell (pdf->fp);
  fprintf (pdf->fp, "%d 0 obj\n", number);
}

static void
pdf_page (Pdf *pdf, const unsigned char *jpeg, unsigned long len)
{
  int b = 3 + 3 * pdf->n;
  GString *s = g_string_new (NULL);
  for (int i = 0; i < 4; i++)   /* 72 / 300 pt a pixel, y from the bottom */
    g_string_append_printf (s, "q %.3f 0 0 %.3f %.3f %.3f cm /P Do Q\n", PHOTO_W * 0.24,
                            PHOTO_H * 0.24, slot_x[i] * 0.24, (SHEET_H - slot_y[i] - PHOTO_H) * 0.24);
  obj (pdf, b);
  fprintf (pdf->fp, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] "
           "/Resources << /XObject << /P %d 0 R >> >> /Contents %d 0 R >>\nendobj\n", b + 2, b + 1);
  obj (pdf, b + 1);
  fprintf (pdf->fp, "<< /Length %zu >>\nstream\n%sendstream\nendobj\n", s->len, s->str);
  obj (pdf, b + 2);
  fprintf (pdf->fp, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
           "/BitsPerComponent 8 /Filter /DCTDecode /Length %lu >>\nstream\n", PHOTO_W, PHOTO_H, len);
  fwrite (jpeg, 1, len, pdf->fp);
  fprintf (pdf->fp, "\nendstream\nendobj\n");
  g_string_free (s, TRUE);
  pdf->n++;
}

static long
pdf_close (Pdf *pdf)
{
  obj (pdf, 1);
  fprintf (pdf->fp, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
  obj (pdf, 2);
  fprintf (pdf->fp, "<< /Type /Pages /Count %d /Kids [", pdf->n);
  for (int i = 0; i < pdf->n; i++)
    fprintf (pdf->fp, " %d 0 R", 3 + 3 * i);
  fprintf (pdf->fp, " ] >>\nendobj\n");
  long xref = ftell (pdf->fp);
  fprintf (pdf->fp, "xref\n0 %u\n0000000000 65535 f \n", pdf->offsets->len + 1);
  for (guint i = 0; i < pdf->offsets->len; i++)
    fprintf (pdf->fp, "%010ld 00000 n \n", g_array_index (pdf->offsets, long, i));
  fprintf (pdf->fp, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
           pdf->offsets->len + 1, xref);
  long size = ftell (pdf->fp);
  fclose (pdf->fp);
  return size;
}

static double
cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
  bool deflate = true, pdf_out = true;
  int opt;
  while ((opt = getopt (argc, argv, "c:P")) != -1)
    switch (opt)
      {
      case 'c': deflate = strcmp (optarg, "lzw") != 0; break;
      case 'P': pdf_out = false; break;
      default: goto usage;
      }
  if (argc - optind != 4)
    {
    usage:
      fprintf (stderr, "usage: floor [-c deflate|lzw] [-P] ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc\n");
      return 2;
    }
  const char *roster = argv[optind], *photos = argv[optind + 1], *out = argv[optind + 2];
  gchar *text = NULL, *icc = NULL;
  gsize icc_len = 0;
  if (!g_file_get_contents (roster, &text, NULL, NULL)
      || !g_file_get_contents (argv[optind + 3], &icc, &icc_len, NULL))
    return 1;
  g_mkdir_with_parents (out, 0755);
  cmsHPROFILE srgb = cmsCreate_sRGBProfile ();
  cmsHPROFILE prof = cmsOpenProfileFromMem (icc, (cmsUInt32Number) icc_len);
  if (prof == NULL)
    return 1;
  bool cmyk = cmsGetColorSpace (prof) == cmsSigCmykData;
  int spp = cmyk ? 4 : 3;
  cmsHTRANSFORM xf = cmsCreateTransform (srgb, TYPE_BGRA_8, prof, cmyk ? TYPE_CMYK_8 : TYPE_RGB_8,
                                         INTENT_RELATIVE_COLORIMETRIC,
                                         cmsFLAGS_BLACKPOINTCOMPENSATION);
  guint32 *sheet = g_malloc ((size_t) SHEET_W * SHEET_H * 4);
  guint8 *row = g_malloc (SHEET_W * 4);
  guint8 *pdf_rgb = g_malloc ((size_t) PHOTO_W * PHOTO_H * 3);
  Pdf pdf = { NULL, g_array_new (FALSE, TRUE, sizeof (long)), 0 };
  if (pdf_out)
    {
      gchar *pdf_path = g_build_filename (out, "sheets.pdf", NULL);
      pdf.fp = fopen (pdf_path, "wb");
      g_free (pdf_path);
      if (pdf.fp == NULL)
        return 1;
      fprintf (pdf.fp, "%%PDF-1.4\n");
    }

  gchar **lines = g_strsplit (text, "\n", -1);
  long n = 0, tiff_bytes = 0;
  double t0 = cpu_seconds ();
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
      gchar *path = g_build_filename (photos, cells[nc - 1], NULL);
      Photo p;
      if (!decode (path, srgb, &p))
        return 1;
      int W = p.orientation >= 5 ? p.h : p.w, H = p.orientation >= 5 ? p.w : p.h;
      int x0 = MAX (0, (W - PHOTO_W) / 2), y0 = MAX (0, (H - PHOTO_H) / 2);
      for (size_t q = 0; q < (size_t) SHEET_W * SHEET_H; q++)
        sheet[q] = 0xffffffffu;
      /* The upright centre window, 4 times (no resampling). */
      for (int y = 0; y < PHOTO_H && y0 + y < H; y++)
        for (int x = 0; x < PHOTO_W && x0 + x < W; x++)
          {
            const guint8 *c = upright_at (&p, x0 + x, y0 + y);
            guint32 v = 0xff000000u | (guint32) c[0] << 16 | (guint32) c[1] << 8 | c[2];
            for (int s = 0; s < 4; s++)
              sheet[(size_t) (slot_y[s] + y) * SHEET_W + slot_x[s] + x] = v;
          }
      g_free (p.px);

      gchar *tif_path = g_strdup_printf ("%s/%04ld.tif", out, n + 1);
      TIFF *tif = TIFFOpen (tif_path, "w");
      TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, SHEET_W);
      TIFFSetField (tif, TIFFTAG_IMAGELENGTH, SHEET_H);
      TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, spp);
      TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
      TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, cmyk ? PHOTOMETRIC_SEPARATED : PHOTOMETRIC_RGB);
      TIFFSetField (tif, TIFFTAG_XRESOLUTION, 300.0);
      TIFFSetField (tif, TIFFTAG_YRESOLUTION, 300.0);
      TIFFSetField (tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
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
          const guint32 *src = sheet + (size_t) y * SHEET_W;
          cmsDoTransform (xf, src, row, SHEET_W);
          /* The PDF's photo: this row's slot-1 pixels, converted (RGB) or not. */
          if (pdf_out && y >= slot_y[0] && y < slot_y[0] + PHOTO_H)
            {
              guint8 *d = pdf_rgb + (size_t) (y - slot_y[0]) * PHOTO_W * 3;
              for (int x = 0; x < PHOTO_W; x++)
                {
                  if (cmyk)
                    {
                      guint32 v = src[slot_x[0] + x];
                      d[3 * x] = v >> 16, d[3 * x + 1] = v >> 8, d[3 * x + 2] = v;
                    }
                  else
                    memcpy (d + 3 * x, row + 3 * (slot_x[0] + x), 3);
                }
            }
          /* After the copy: libtiff's predictor rewrites the row in place. */
          TIFFWriteScanline (tif, row, (uint32_t) y, 0);
        }
      TIFFClose (tif);
      if (pdf_out)
        {
          unsigned long len = 0;
          unsigned char *jpeg = encode_jpeg (pdf_rgb, PHOTO_W, PHOTO_H, &len);
          pdf_page (&pdf, jpeg, len);
          free (jpeg);
        }
      FILE *f = fopen (tif_path, "rb");
      if (f != NULL)
        {
          fseek (f, 0, SEEK_END);
          tiff_bytes += ftell (f);
          fclose (f);
        }
      g_free (tif_path);
      g_free (path);
      g_strfreev (cells);
      n++;
    }
  long pdf_bytes = pdf_out ? pdf_close (&pdf) : 0;
  double s = cpu_seconds () - t0;
  printf ("floor: %ld sheets, %.4f CPU s/sheet (%s%s), %ld TIFF + %ld PDF bytes/sheet\n", n,
          n ? s / n : 0, deflate ? "deflate 1" : "lzw", pdf_out ? " + pdf" : "",
          n ? tiff_bytes / n : 0, n ? pdf_bytes / n : 0);
  return 0;
}
