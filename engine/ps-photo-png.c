/* ps-photo-png.c - PNG photos through libpng: IHDR checks, eXIf orientation,
 * iCCP, alpha flattened over white.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-photo-codec-private.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <png.h>

#define PNG_MAX_CHUNK_ALLOC ((png_alloc_size_t) 16 << 20)


typedef struct {
  png_structp png;
  png_infop info;
  FILE *fp;
  guint8 *row;
  guint8 **rows;
  PsRawImage *image;
  char message[256];
} PngJob;

static void
png_error_cb (png_structp png, png_const_charp message)
{
  PngJob *job = png_get_error_ptr (png);
  g_strlcpy (job->message, message, sizeof job->message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp png, png_const_charp message)
{
  /* Ancillary oddities ("iCCP: known incorrect sRGB profile", extra
   * compressed data) are not lost pixels; CRC errors are made errors by
   * png_set_crc_action below. */
}

static void
png_job_free (PngJob *job)
{
  if (job->png != NULL)
    png_destroy_read_struct (&job->png, job->info != NULL ? &job->info : NULL, NULL);
  if (job->fp != NULL)
    fclose (job->fp);
  g_free (job->row);
  g_free (job->rows);
  _ps_raw_image_free (job->image);
  g_free (job);
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Reads IHDR ourselves, before libpng: the signature is 8 bytes and IHDR must
 * come first, so the declared size costs 24 bytes of reading. */
static bool
png_check_ihdr (int fd, const char *name, const PsPhotoLimits *limits, GError **error)
{
  guint8 head[24];
  ssize_t got;
  do
    got = pread (fd, head, sizeof head, 0);
  while (got < 0 && errno == EINTR);
  if (got != (ssize_t) sizeof head || be32 (head + 8) != 13
      || memcmp (head + 12, "IHDR", 4) != 0)
    {
      _ps_photo_set_corrupt (error, name, "no PNG image header");
      return false;
    }
  return _ps_photo_check_declared_size (name, be32 (head + 16), be32 (head + 20), limits, error);
}

/* Flattens @n pixels of @in (colour + alpha, @bits deep) over white into
 * @out (colour only).  @out may be @in: it is never ahead of it. */
static void
flatten_over_white (guint8 *out, const guint8 *in, size_t n, int colour, int bits)
{
  if (bits == 16)
    {
      const guint16 *s = (const guint16 *) in;
      guint16 *d = (guint16 *) out;
      for (size_t i = 0; i < n; i++, s += colour + 1, d += colour)
        {
          guint64 a = s[colour];
          for (int c = 0; c < colour; c++)
            d[c] = (guint16) ((s[c] * a + 65535u * (65535u - a) + 32767u) / 65535u);
        }
    }
  else
    {
      const guint8 *s = in;
      guint8 *d = out;
      for (size_t i = 0; i < n; i++, s += colour + 1, d += colour)
        {
          guint a = s[colour];
          for (int c = 0; c < colour; c++)
            d[c] = (guint8) ((s[c] * a + 255u * (255u - a) + 127u) / 255u);
        }
    }
}

bool
_ps_photo_png_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
          PsPhotoInfo *info, PsRawImage **out, GError **error)
{
  if (!png_check_ihdr (fd, name, limits, error))
    {
      close (fd);
      return false;
    }

  PngJob *job = g_new0 (PngJob, 1);
  job->fp = _ps_photo_fdopen (fd, name, error);
  if (job->fp == NULL)
    {
      g_free (job);
      return false;
    }

  job->png = png_create_read_struct (PNG_LIBPNG_VER_STRING, job, png_error_cb,
                                     png_warning_cb);
  if (job->png != NULL)
    job->info = png_create_info_struct (job->png);
  if (job->png == NULL || job->info == NULL)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_FAILED,
                   "photo '%s': cannot start libpng", name);
      png_job_free (job);
      return false;
    }

  if (setjmp (png_jmpbuf (job->png)))
    {
      _ps_photo_set_corrupt (error, name, job->message);
      png_job_free (job);
      return false;
    }

  png_structp png = job->png;
  png_infop pinfo = job->info;
  png_init_io (png, job->fp);
  png_set_user_limits (png, PS_PHOTO_MAX_DIMENSION, PS_PHOTO_MAX_DIMENSION);
  png_set_chunk_malloc_max (png, PNG_MAX_CHUNK_ALLOC);
  png_set_crc_action (png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
  png_read_info (png, pinfo);

  png_uint_32 width = png_get_image_width (png, pinfo);
  png_uint_32 height = png_get_image_height (png, pinfo);
  int depth = png_get_bit_depth (png, pinfo);
  int type = png_get_color_type (png, pinfo);
  bool trns = png_get_valid (png, pinfo, PNG_INFO_tRNS) != 0;

  info->format = PS_PHOTO_FORMAT_PNG;
  info->width = (int) width;
  info->height = (int) height;
  info->bits = depth == 16 ? 16 : 8;
  info->has_icc = png_get_valid (png, pinfo, PNG_INFO_iCCP) != 0;
  info->orientation = 1;
  if (type == PNG_COLOR_TYPE_PALETTE)
    info->channels = trns ? 4 : 3;
  else
    info->channels = png_get_channels (png, pinfo) + (trns ? 1 : 0);
#ifdef PNG_eXIf_SUPPORTED
  {
    png_uint_32 exif_len = 0;
    png_bytep exif = NULL;
    if (png_get_eXIf_1 (png, pinfo, &exif_len, &exif) && exif != NULL)
      info->orientation = _ps_photo_exif_orientation (exif, exif_len);
  }
#endif

  if (!decode)
    {
      /* Decode every row (all passes if interlaced) into one reused row,
       * then read past IDAT to IEND so trailing CRCs are checked too. */
      int passes = png_set_interlace_handling (png);
      png_read_update_info (png, pinfo);
      job->row = g_malloc (png_get_rowbytes (png, pinfo));
      for (int pass = 0; pass < passes; pass++)
        for (png_uint_32 y = 0; y < height; y++)
          png_read_row (png, job->row, NULL);
      png_read_end (png, NULL);
      png_job_free (job);
      return true;
    }

  /* Decode: palette and low bit depths to 8, tRNS to alpha, 16-bit kept in
   * native byte order, then alpha flattened over white by hand (libpng's
   * png_set_background would composite in its gamma space). */
  if (type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (trns)
    png_set_tRNS_to_alpha (png);
  if (depth == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, pinfo);

  int in_channels = png_get_channels (png, pinfo);
  int out_channels = in_channels;
  int out_type = png_get_color_type (png, pinfo);
  bool alpha = (out_type & PNG_COLOR_MASK_ALPHA) != 0;
  if (alpha)
    out_channels--;
  int bits = png_get_bit_depth (png, pinfo);
  if ((bits != 8 && bits != 16) || (out_channels != 1 && out_channels != 3))
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSUPPORTED,
                   "photo '%s' is a PNG layout we cannot read", name);
      png_job_free (job);
      return false;
    }

  /* Rows are read at their decoded width (with alpha) into one buffer, then
   * compacted in place, row by row, to the flattened stride. */
  gsize in_stride = png_get_rowbytes (png, pinfo);
  gsize total = 0;
  if (!g_size_checked_mul (&total, in_stride, height))
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE,
                   "photo '%s' is too large to decode", name);
      png_job_free (job);
      return false;
    }
  job->image = _ps_photo_raw_image_new (name, (int) width, (int) height, out_channels, bits, error);
  if (job->image == NULL)
    {
      png_job_free (job);
      return false;
    }
  if (alpha)
    {
      guint8 *bigger = g_try_realloc (job->image->pixels, total);
      if (bigger == NULL)
        {
          g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_FAILED,
                       "photo '%s': out of memory for %u×%u px", name, width, height);
          png_job_free (job);
          return false;
        }
      job->image->pixels = bigger;
    }
  job->rows = g_new (guint8 *, height);
  for (png_uint_32 y = 0; y < height; y++)
    job->rows[y] = job->image->pixels + (gsize) y * in_stride;
  png_read_image (png, job->rows);
  png_read_end (png, NULL);

  PsRawImage *image = g_steal_pointer (&job->image);
  if (alpha)
    {
      for (png_uint_32 y = 0; y < height; y++)
        flatten_over_white (image->pixels + (gsize) y * image->stride,
                            image->pixels + (gsize) y * in_stride, width,
                            out_channels, bits);
      guint8 *smaller = g_try_realloc (image->pixels, image->stride * height);
      if (smaller != NULL)
        image->pixels = smaller;
    }

  png_charp icc_name = NULL;
  int compression = 0;
  png_bytep icc = NULL;
  png_uint_32 icc_len = 0;
  if (png_get_iCCP (png, pinfo, &icc_name, &compression, &icc, &icc_len) && icc_len > 0)
    image->icc = g_bytes_new (icc, icc_len);
  image->orientation = info->orientation;
  *out = image;
  png_job_free (job);
  return true;
}

