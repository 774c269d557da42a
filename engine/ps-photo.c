/* ps-photo.c - finding, probing and decoding the graduates' ID photos.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Photos come from outside (phones, studios, the 学信网 export) and are read
 * before anyone looks at them, so every decoder is fenced the same way:
 *
 *   1. the format is told by magic bytes, never by the extension;
 *   2. the declared dimensions are read from the header and refused above
 *      the pixel limit before any image-sized buffer exists;
 *   3. each library's error channel (libjpeg error_exit/emit_message, libpng
 *      error_fn, libtiff per-handle handlers) becomes one GError here;
 *   4. warnings that mean lost data (truncation, bad CRC, corrupt entropy
 *      data) are errors: a photo that prints half grey is worse than none.
 *
 * Error messages may name the file (photos are named by 采集码 / 学号), never
 * a person.
 */
#include "config.h"
#include "ps-photo-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <tiffio.h>

#define DEFAULT_MAX_PIXELS       (INT64_C (40) * 1000 * 1000)
#define DEFAULT_MIN_WIDTH        480
#define DEFAULT_MIN_HEIGHT       640
#define DEFAULT_ASPECT           (3.0 / 4.0)
#define DEFAULT_ASPECT_TOLERANCE 0.05

/* Caps that are not about pixels. */
#define JPEG_MAX_SCANS      1000                    /* progressive scan bombs */
#define TIFF_MAX_ALLOC      ((tmsize_t) 512 << 20)  /* one libtiff allocation */
#define PNG_MAX_CHUNK_ALLOC ((png_alloc_size_t) 16 << 20)

/* How long after a directory change a scan is not trusted to be complete
 * (mtime granularity, git's "racy" problem). */
#define INDEX_RACY_USEC (2 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* Limits                                                             */
/* ------------------------------------------------------------------ */

void
_ps_photo_limits_resolve (const PsPhotoLimits *in, PsPhotoLimits *out)
{
  g_return_if_fail (out != NULL);

  PsPhotoLimits limits = { 0 };
  if (in != NULL)
    limits = *in;
  if (limits.max_pixels <= 0)
    limits.max_pixels = DEFAULT_MAX_PIXELS;
  if (limits.min_width <= 0)
    limits.min_width = DEFAULT_MIN_WIDTH;
  if (limits.min_height <= 0)
    limits.min_height = DEFAULT_MIN_HEIGHT;
  if (!(limits.aspect > 0))
    limits.aspect = DEFAULT_ASPECT;
  if (!(limits.aspect_tolerance > 0))
    limits.aspect_tolerance = DEFAULT_ASPECT_TOLERANCE;
  *out = limits;
}

/* Step 2 above: refuse what the header declares before allocating for it.
 * Sides are checked first so that the product cannot overflow. */
static bool
check_declared_size (const char *name, gint64 width, gint64 height,
                     const PsPhotoLimits *limits, GError **error)
{
  if (width <= 0 || height <= 0)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT,
                   "photo '%s' is corrupt: it declares %" G_GINT64_FORMAT "×%"
                   G_GINT64_FORMAT " px", name, width, height);
      return false;
    }
  if (width > PS_PHOTO_MAX_DIMENSION || height > PS_PHOTO_MAX_DIMENSION
      || width * height > limits->max_pixels)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE,
                   "photo '%s' claims %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT
                   " px, above the limit (%d px a side, %.1f Mpx)",
                   name, width, height, PS_PHOTO_MAX_DIMENSION,
                   (double) limits->max_pixels / 1e6);
      return false;
    }
  return true;
}

/* The layout's needs, on the photo as it will be seen (EXIF 5..8 turn it). */
static bool
check_fit (const PsPhotoInfo *info, const PsPhotoLimits *limits, GError **error)
{
  int w = info->width, h = info->height;
  if (info->orientation >= 5 && info->orientation <= 8)
    {
      w = info->height;
      h = info->width;
    }

  if (w < limits->min_width || h < limits->min_height)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_SMALL,
                   "photo is %d×%d px, layout needs at least %d×%d",
                   w, h, limits->min_width, limits->min_height);
      return false;
    }

  double aspect = (double) w / (double) h;
  if (fabs (aspect / limits->aspect - 1.0) > limits->aspect_tolerance)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_ASPECT,
                   "photo is %d×%d px (aspect %.3f), layout needs %.3f ± %.0f%%",
                   w, h, aspect, limits->aspect, limits->aspect_tolerance * 100.0);
      return false;
    }
  return true;
}

/* ------------------------------------------------------------------ */
/* Raw images                                                         */
/* ------------------------------------------------------------------ */

static PsRawImage *
raw_image_new (const char *name, int width, int height, int channels, int bits,
               GError **error)
{
  gsize row = 0, total = 0;
  gsize bytes = (gsize) (bits / 8);

  if (!g_size_checked_mul (&row, (gsize) width, (gsize) channels)
      || !g_size_checked_mul (&row, row, bytes)
      || !g_size_checked_mul (&total, row, (gsize) height))
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE,
                   "photo '%s' is too large to decode", name);
      return NULL;
    }

  guint8 *pixels = g_try_malloc (total);
  if (pixels == NULL)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_FAILED,
                   "photo '%s': out of memory for %d×%d px", name, width, height);
      return NULL;
    }

  PsRawImage *image = g_new0 (PsRawImage, 1);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->bits = bits;
  image->stride = row;
  image->pixels = pixels;
  image->orientation = 1;
  return image;
}

void
_ps_raw_image_free (PsRawImage *image)
{
  if (image == NULL)
    return;
  g_free (image->pixels);
  g_clear_pointer (&image->icc, g_bytes_unref);
  g_free (image);
}

/* ------------------------------------------------------------------ */
/* EXIF: only IFD0's Orientation tag (0x0112)                         */
/* ------------------------------------------------------------------ */

/* @data is a TIFF-structured EXIF block ("II*\0" / "MM\0*"), without the
 * "Exif\0\0" prefix of a JPEG APP1.  Returns 1..8, 1 when absent or bad. */
static int
exif_orientation (const guint8 *data, size_t len)
{
  bool le;

  if (data == NULL || len < 8)
    return 1;
  if (data[0] == 'I' && data[1] == 'I')
    le = true;
  else if (data[0] == 'M' && data[1] == 'M')
    le = false;
  else
    return 1;

#define RD16(p) (le ? (guint) ((p)[0] | (p)[1] << 8) : (guint) ((p)[0] << 8 | (p)[1]))
#define RD32(p) (le ? ((guint32) (p)[0] | (guint32) (p)[1] << 8 | (guint32) (p)[2] << 16 \
                       | (guint32) (p)[3] << 24)                                          \
                    : ((guint32) (p)[0] << 24 | (guint32) (p)[1] << 16                    \
                       | (guint32) (p)[2] << 8 | (guint32) (p)[3]))
  if (RD16 (data + 2) != 42)
    return 1;
  guint32 ifd = RD32 (data + 4);
  if (ifd < 8 || ifd > len - 2)
    return 1;
  guint n = RD16 (data + ifd);
  for (guint i = 0; i < n; i++)
    {
      size_t at = (size_t) ifd + 2 + (size_t) i * 12;
      if (at + 12 > len)
        break;
      const guint8 *e = data + at;
      if (RD16 (e) != 0x0112)
        continue;
      guint type = RD16 (e + 2);
      guint32 count = RD32 (e + 4);
      guint value;
      if (type == 3 && count >= 1)        /* SHORT, inline */
        value = RD16 (e + 8);
      else if (type == 4 && count >= 1)   /* LONG, written by some tools */
        value = RD32 (e + 8);
      else
        return 1;
      return value >= 1 && value <= 8 ? (int) value : 1;
    }
#undef RD16
#undef RD32
  return 1;
}

/* ------------------------------------------------------------------ */
/* Opening and sniffing                                               */
/* ------------------------------------------------------------------ */

/* Opens @path and tells the format by its first bytes.  Returns the fd
 * (positioned at 0) or -1 with an error. */
static int
photo_open (const char *path, const char *name, PsPhotoFormat *format,
            GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN,
                   "photo '%s' cannot be opened: %s", name, g_strerror (saved));
      return -1;
    }

  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN,
                   "photo '%s' is not a regular file", name);
      close (fd);
      return -1;
    }
  if (st.st_size == 0)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_EMPTY,
                   "photo '%s' is empty (0 bytes)", name);
      close (fd);
      return -1;
    }

  guint8 magic[8] = { 0 };
  ssize_t got;
  do
    got = pread (fd, magic, sizeof magic, 0);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN,
                   "photo '%s' cannot be read: %s", name, g_strerror (saved));
      close (fd);
      return -1;
    }

  static const guint8 png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  if (got >= 3 && magic[0] == 0xff && magic[1] == 0xd8 && magic[2] == 0xff)
    *format = PS_PHOTO_FORMAT_JPEG;
  else if (got >= 8 && memcmp (magic, png_sig, 8) == 0)
    *format = PS_PHOTO_FORMAT_PNG;
  else if (got >= 4
           && ((magic[0] == 'I' && magic[1] == 'I' && (magic[2] == 42 || magic[2] == 43)
                && magic[3] == 0)
               || (magic[0] == 'M' && magic[1] == 'M' && magic[2] == 0
                   && (magic[3] == 42 || magic[3] == 43))))
    *format = PS_PHOTO_FORMAT_TIFF;
  else
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSUPPORTED,
                   "photo '%s' is not a JPEG, PNG or TIFF file", name);
      close (fd);
      return -1;
    }
  return fd;
}

static FILE *
photo_fdopen (int fd, const char *name, GError **error)
{
  FILE *fp = fdopen (fd, "rb");
  if (fp == NULL)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN,
                   "photo '%s' cannot be read: %s", name, g_strerror (saved));
      close (fd);
    }
  return fp;
}

static void
set_corrupt (GError **error, const char *name, const char *reason)
{
  g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT,
               "photo '%s' is corrupt: %s", name,
               reason != NULL && *reason != '\0' ? reason : "cannot be decoded");
}

/* ------------------------------------------------------------------ */
/* JPEG (libjpeg-turbo)                                               */
/* ------------------------------------------------------------------ */

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  int code;                        /* libjpeg message code of the failure */
  char message[JMSG_LENGTH_MAX];
} JpegErrorMgr;

typedef struct {
  struct jpeg_progress_mgr pub;
  int max_scans;
} JpegProgress;

/* Everything a longjmp must be able to clean up lives on the heap in one
 * struct, so no local is clobbered by setjmp. */
typedef struct {
  struct jpeg_decompress_struct cinfo;
  JpegErrorMgr err;
  JpegProgress progress;
  FILE *fp;
  guint8 *row;
  PsRawImage *image;
  JOCTET *icc;
  unsigned int icc_len;
} JpegJob;

static void
jpeg_error_exit_cb (j_common_ptr cinfo)
{
  JpegErrorMgr *err = (JpegErrorMgr *) cinfo->err;
  err->code = err->pub.msg_code;
  err->pub.format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

/* Warnings that only say something harmless; every other libjpeg warning
 * (premature end, corrupt data, bad Huffman code, resync...) means the
 * picture is missing pixels. */
static bool
jpeg_warning_is_benign (const struct jpeg_error_mgr *err)
{
  switch (err->msg_code)
    {
    case JWRN_JFIF_MAJOR:      /* newer JFIF version */
    case JWRN_ADOBE_XFORM:     /* unknown Adobe transform code */
    case JWRN_BOGUS_ICC:       /* broken ICC markers: treated as no profile */
      return true;
    case JWRN_EXTRANEOUS_DATA:
      /* Padding before EOI, after every MCU was read, is common in camera
       * and phone files and costs no pixel; anywhere else it is not. */
      return err->msg_parm.i[1] == JPEG_EOI;
    default:
      return false;
    }
}

static void
jpeg_emit_message_cb (j_common_ptr cinfo, int msg_level)
{
  if (msg_level >= 0)
    return;   /* trace messages */
  JpegErrorMgr *err = (JpegErrorMgr *) cinfo->err;
  err->pub.num_warnings++;
  if (jpeg_warning_is_benign (&err->pub))
    return;
  err->code = err->pub.msg_code;
  err->pub.format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

static void
jpeg_progress_cb (j_common_ptr cinfo)
{
  JpegProgress *progress = (JpegProgress *) cinfo->progress;
  j_decompress_ptr dinfo = (j_decompress_ptr) cinfo;
  if (dinfo->input_scan_number > progress->max_scans)
    {
      JpegErrorMgr *err = (JpegErrorMgr *) cinfo->err;
      err->code = -1;
      g_snprintf (err->message, sizeof err->message,
                  "more than %d progressive scans", progress->max_scans);
      longjmp (err->jump, 1);
    }
}

static void
jpeg_job_free (JpegJob *job)
{
  jpeg_destroy_decompress (&job->cinfo);
  if (job->fp != NULL)
    fclose (job->fp);
  free (job->icc);   /* malloc()ed by jpeg_read_icc_profile */
  g_free (job->row);
  _ps_raw_image_free (job->image);
  g_free (job);
}

static void
jpeg_job_fail (JpegJob *job, const char *name, GError **error)
{
  switch (job->err.code)
    {
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE,
                   "photo '%s' is too large: %s", name, job->err.message);
      break;
    case JERR_BAD_PRECISION:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSUPPORTED,
                   "photo '%s' is an unsupported JPEG: %s", name, job->err.message);
      break;
    default:
      set_corrupt (error, name, job->err.message);
      break;
    }
}

/* IFD0 Orientation from the first "Exif\0\0" APP1. */
static int
jpeg_orientation (j_decompress_ptr cinfo)
{
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length > 6
        && memcmp (m->data, "Exif\0\0", 6) == 0)
      return exif_orientation (m->data + 6, m->data_length - 6);
  return 1;
}

static bool
jpeg_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
           PsPhotoInfo *info, PsRawImage **out, GError **error)
{
  JpegJob *job = g_new0 (JpegJob, 1);

  job->fp = photo_fdopen (fd, name, error);
  if (job->fp == NULL)
    {
      g_free (job);
      return false;
    }

  job->cinfo.err = jpeg_std_error (&job->err.pub);
  job->err.pub.error_exit = jpeg_error_exit_cb;
  job->err.pub.emit_message = jpeg_emit_message_cb;
  if (setjmp (job->err.jump))
    {
      jpeg_job_fail (job, name, error);
      jpeg_job_free (job);
      return false;
    }

  jpeg_create_decompress (&job->cinfo);
  job->progress.pub.progress_monitor = jpeg_progress_cb;
  job->progress.max_scans = JPEG_MAX_SCANS;
  job->cinfo.progress = &job->progress.pub;
  jpeg_stdio_src (&job->cinfo, job->fp);
  jpeg_save_markers (&job->cinfo, JPEG_APP0 + 1, 0xffff);   /* EXIF */
  jpeg_save_markers (&job->cinfo, JPEG_APP0 + 2, 0xffff);   /* ICC_PROFILE */

  /* jpeg_read_header stops at the first SOS: markers and frame header only,
   * no image-sized allocation yet. */
  jpeg_read_header (&job->cinfo, TRUE);
  j_decompress_ptr cinfo = &job->cinfo;
  if (!check_declared_size (name, cinfo->image_width, cinfo->image_height, limits,
                            error))
    {
      jpeg_job_free (job);
      return false;
    }

  int channels;
  switch (cinfo->jpeg_color_space)
    {
    case JCS_GRAYSCALE:
      cinfo->out_color_space = JCS_GRAYSCALE;
      channels = 1;
      break;
    case JCS_RGB:
    case JCS_YCbCr:
      cinfo->out_color_space = JCS_RGB;
      channels = 3;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      cinfo->out_color_space = JCS_CMYK;
      channels = 4;
      break;
    default:
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSUPPORTED,
                   "photo '%s' is a JPEG in an unknown colour space (%d components)",
                   name, cinfo->num_components);
      jpeg_job_free (job);
      return false;
    }

  info->format = PS_PHOTO_FORMAT_JPEG;
  info->width = (int) cinfo->image_width;
  info->height = (int) cinfo->image_height;
  info->channels = channels;
  info->bits = 8;
  info->orientation = jpeg_orientation (cinfo);
  info->has_icc = jpeg_read_icc_profile (cinfo, &job->icc, &job->icc_len)
                  && job->icc_len > 0;

  if (!decode)
    {
      /* DCT scaling: the whole entropy-coded stream is still decoded (so
       * truncation and corrupt data are seen) but only 1/64 of the IDCT
       * work and memory is spent. */
      cinfo->scale_num = 1;
      cinfo->scale_denom = 8;
      cinfo->dct_method = JDCT_IFAST;
      cinfo->do_fancy_upsampling = FALSE;
      cinfo->do_block_smoothing = FALSE;
    }

  jpeg_start_decompress (cinfo);
  gsize row_bytes = (gsize) cinfo->output_width * (gsize) cinfo->output_components;

  if (decode)
    {
      job->image = raw_image_new (name, (int) cinfo->output_width,
                                  (int) cinfo->output_height,
                                  cinfo->output_components, 8, error);
      if (job->image == NULL)
        {
          jpeg_job_free (job);
          return false;
        }
      while (cinfo->output_scanline < cinfo->output_height)
        {
          JSAMPROW rowp = job->image->pixels
                          + (gsize) cinfo->output_scanline * job->image->stride;
          jpeg_read_scanlines (cinfo, &rowp, 1);
        }
    }
  else
    {
      job->row = g_malloc (row_bytes);
      while (cinfo->output_scanline < cinfo->output_height)
        {
          JSAMPROW rowp = job->row;
          jpeg_read_scanlines (cinfo, &rowp, 1);
        }
    }
  jpeg_finish_decompress (cinfo);

  if (decode)
    {
      PsRawImage *image = g_steal_pointer (&job->image);
      image->orientation = info->orientation;
      /* libjpeg hands CMYK back as stored; Photoshop (whose files carry an
       * Adobe APP14) stores it inverted. */
      image->adobe_inverted = channels == 4 && cinfo->saw_Adobe_marker;
      if (info->has_icc)
        image->icc = g_bytes_new (job->icc, job->icc_len);
      *out = image;
    }
  jpeg_job_free (job);
  return true;
}

/* ------------------------------------------------------------------ */
/* PNG (libpng)                                                       */
/* ------------------------------------------------------------------ */

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
      set_corrupt (error, name, "no PNG image header");
      return false;
    }
  return check_declared_size (name, be32 (head + 16), be32 (head + 20), limits, error);
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

static bool
png_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
          PsPhotoInfo *info, PsRawImage **out, GError **error)
{
  if (!png_check_ihdr (fd, name, limits, error))
    {
      close (fd);
      return false;
    }

  PngJob *job = g_new0 (PngJob, 1);
  job->fp = photo_fdopen (fd, name, error);
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
      set_corrupt (error, name, job->message);
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
      info->orientation = exif_orientation (exif, exif_len);
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
  job->image = raw_image_new (name, (int) width, (int) height, out_channels, bits, error);
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

/* ------------------------------------------------------------------ */
/* TIFF (libtiff, per-handle handlers)                                */
/* ------------------------------------------------------------------ */

typedef struct {
  char *error;   /* first error libtiff reported on this handle */
} TiffSink;

static int
tiff_error_cb (TIFF *tif, void *user_data, const char *module, const char *fmt,
               va_list ap)
{
  TiffSink *sink = user_data;
  if (sink != NULL && sink->error == NULL)
    sink->error = g_strdup_vprintf (fmt, ap);
  return 1;   /* handled: do not reach the global handler (stderr) */
}

static int
tiff_warning_cb (TIFF *tif, void *user_data, const char *module, const char *fmt,
                 va_list ap)
{
  return 1;   /* unknown tags and the like */
}

typedef struct {
  uint32_t width, height;
  uint16_t spp, bps, photometric, planar, sample_format, orientation, inkset;
  uint16_t compression;
  bool tiled;
} TiffLayout;

static void
tiff_get_layout (TIFF *tif, TiffLayout *l)
{
  memset (l, 0, sizeof *l);
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &l->width);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &l->height);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLESPERPIXEL, &l->spp);
  TIFFGetFieldDefaulted (tif, TIFFTAG_BITSPERSAMPLE, &l->bps);
  if (!TIFFGetField (tif, TIFFTAG_PHOTOMETRIC, &l->photometric))
    l->photometric = l->spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  TIFFGetFieldDefaulted (tif, TIFFTAG_PLANARCONFIG, &l->planar);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLEFORMAT, &l->sample_format);
  TIFFGetFieldDefaulted (tif, TIFFTAG_ORIENTATION, &l->orientation);
  TIFFGetFieldDefaulted (tif, TIFFTAG_INKSET, &l->inkset);
  TIFFGetFieldDefaulted (tif, TIFFTAG_COMPRESSION, &l->compression);
  l->tiled = TIFFIsTiled (tif) != 0;
}

/* The layouts read as stored with TIFFReadScanline: contiguous 8/16-bit
 * gray and RGB, 8-bit CMYK.  Everything else goes through libtiff's RGBA
 * reader (8-bit, alpha flattened). */
static int
tiff_scanline_channels (const TiffLayout *l)
{
  if (l->tiled || l->planar != PLANARCONFIG_CONTIG
      || l->sample_format != SAMPLEFORMAT_UINT)
    return 0;
  if (l->photometric == PHOTOMETRIC_MINISBLACK && l->spp == 1
      && (l->bps == 8 || l->bps == 16))
    return 1;
  if (l->photometric == PHOTOMETRIC_RGB && l->spp == 3 && (l->bps == 8 || l->bps == 16))
    return 3;
  if (l->photometric == PHOTOMETRIC_SEPARATED && l->inkset == INKSET_CMYK
      && l->spp == 4 && l->bps == 8)
    return 4;
  return 0;
}

static TIFF *
tiff_open (int fd, const char *name, TiffSink *sink)
{
#if HAVE_TIFFOPENEXT
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_error_cb, sink);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_warning_cb, sink);
  TIFFOpenOptionsSetMaxSingleMemAlloc (opts, TIFF_MAX_ALLOC);
  /* "m": no memory mapping, a file truncated under us must not SIGBUS. */
  TIFF *tif = TIFFFdOpenExt (fd, name, "rm", opts);
  TIFFOpenOptionsFree (opts);
#else
  /* libtiff < 4.5: no per-handle handlers; errors reach libtiff's default
   * handler and we report a generic reason. */
  TIFF *tif = TIFFFdOpen (fd, name, "rm");
#endif
  return tif;
}

/* Reads every strip (or tile) once, through one reused buffer. */
static bool
tiff_verify (TIFF *tif, const TiffLayout *l, const char *name, TiffSink *sink,
             GError **error)
{
  if (!l->tiled && l->planar == PLANARCONFIG_CONTIG
      && !(l->photometric == PHOTOMETRIC_YCBCR && l->compression == COMPRESSION_JPEG))
    {
      tmsize_t size = TIFFScanlineSize (tif);
      if (size <= 0)
        goto fail;
      g_autofree guint8 *line = g_try_malloc ((gsize) size);
      if (line == NULL)
        goto fail;
      for (uint32_t y = 0; y < l->height; y++)
        if (TIFFReadScanline (tif, line, y, 0) < 0)
          goto fail;
    }
  else
    {
      bool tiled = l->tiled;
      tmsize_t size = tiled ? TIFFTileSize (tif) : TIFFStripSize (tif);
      uint32_t n = tiled ? TIFFNumberOfTiles (tif) : TIFFNumberOfStrips (tif);
      if (size <= 0 || size > TIFF_MAX_ALLOC)
        {
          set_corrupt (error, name, tiled ? "bad tile size" : "bad strip size");
          return false;
        }
      if (l->photometric == PHOTOMETRIC_YCBCR && l->compression == COMPRESSION_JPEG)
        TIFFSetField (tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
      size = tiled ? TIFFTileSize (tif) : TIFFStripSize (tif);
      g_autofree guint8 *buf = g_try_malloc ((gsize) size);
      if (buf == NULL)
        goto fail;
      for (uint32_t i = 0; i < n; i++)
        {
          tmsize_t r = tiled ? TIFFReadEncodedTile (tif, i, buf, size)
                             : TIFFReadEncodedStrip (tif, i, buf, size);
          if (r < 0)
            goto fail;
        }
    }
  if (sink->error == NULL)
    return true;

fail:
  set_corrupt (error, name, sink->error);
  return false;
}

static bool
tiff_decode_scanlines (TIFF *tif, const TiffLayout *l, int channels, const char *name,
                       TiffSink *sink, PsRawImage **out, GError **error)
{
  g_autoptr (PsRawImage) image = raw_image_new (name, (int) l->width, (int) l->height,
                                                channels, l->bps, error);
  if (image == NULL)
    return false;
  if ((gsize) TIFFScanlineSize (tif) != image->stride)
    {
      set_corrupt (error, name, "scanline size does not match the image");
      return false;
    }
  for (uint32_t y = 0; y < l->height; y++)
    if (TIFFReadScanline (tif, image->pixels + (gsize) y * image->stride, y, 0) < 0)
      {
        set_corrupt (error, name, sink->error);
        return false;
      }
  if (sink->error != NULL)
    {
      set_corrupt (error, name, sink->error);
      return false;
    }
  *out = g_steal_pointer (&image);
  return true;
}

/* libtiff's RGBA reader, asked for the file's own orientation so that no
 * flip is applied and rows stay as stored (orientation is ours to apply).
 * Its output is premultiplied, so over white: c + (255 - a). */
static bool
tiff_decode_rgba (TIFF *tif, const TiffLayout *l, const char *name, TiffSink *sink,
                  PsRawImage **out, GError **error)
{
  char emsg[1024] = "";
  TIFFRGBAImage img;
  gsize n = 0, bytes = 0;
  bool gray = l->photometric == PHOTOMETRIC_MINISBLACK
              || l->photometric == PHOTOMETRIC_MINISWHITE;

  if (!g_size_checked_mul (&n, l->width, l->height)
      || !g_size_checked_mul (&bytes, n, sizeof (uint32_t)))
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE,
                   "photo '%s' is too large to decode", name);
      return false;
    }
  g_autoptr (PsRawImage) image = raw_image_new (name, (int) l->width, (int) l->height,
                                                gray ? 1 : 3, 8, error);
  if (image == NULL)
    return false;
  g_autofree uint32_t *raster = g_try_malloc (bytes);
  if (raster == NULL)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_FAILED,
                   "photo '%s': out of memory for %u×%u px", name, l->width, l->height);
      return false;
    }
  if (!TIFFRGBAImageBegin (&img, tif, 0, emsg))
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSUPPORTED,
                   "photo '%s' is an unsupported TIFF: %s", name, emsg);
      return false;
    }
  img.req_orientation = img.orientation;
  int ok = TIFFRGBAImageGet (&img, raster, l->width, l->height);
  TIFFRGBAImageEnd (&img);
  if (!ok || sink->error != NULL)
    {
      set_corrupt (error, name, sink->error);
      return false;
    }

  for (uint32_t y = 0; y < l->height; y++)
    {
      const uint32_t *s = raster + (gsize) y * l->width;
      guint8 *d = image->pixels + (gsize) y * image->stride;
      for (uint32_t x = 0; x < l->width; x++)
        {
          guint a = 255u - TIFFGetA (s[x]);
          guint r = MIN (255u, TIFFGetR (s[x]) + a);
          if (gray)
            *d++ = (guint8) r;
          else
            {
              *d++ = (guint8) r;
              *d++ = (guint8) MIN (255u, TIFFGetG (s[x]) + a);
              *d++ = (guint8) MIN (255u, TIFFGetB (s[x]) + a);
            }
        }
    }
  *out = g_steal_pointer (&image);
  return true;
}

static bool
tiff_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
           PsPhotoInfo *info, PsRawImage **out, GError **error)
{
  TiffSink sink = { NULL };
  TIFF *tif = tiff_open (fd, name, &sink);
  bool ok = false;

  if (tif == NULL)
    {
      close (fd);   /* libtiff leaves the fd open when it fails */
      set_corrupt (error, name, sink.error != NULL ? sink.error : "not a readable TIFF");
      g_free (sink.error);
      return false;
    }

  TiffLayout l;
  tiff_get_layout (tif, &l);
  if (!check_declared_size (name, l.width, l.height, limits, error))
    goto out;

  int channels = tiff_scanline_channels (&l);
  if (channels == 0)
    {
      char emsg[1024] = "";
      if (!TIFFRGBAImageOK (tif, emsg))
        {
          g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSUPPORTED,
                       "photo '%s' is an unsupported TIFF: %s", name, emsg);
          goto out;
        }
    }

  uint32_t icc_len = 0;
  void *icc = NULL;
  bool has_icc = TIFFGetField (tif, TIFFTAG_ICCPROFILE, &icc_len, &icc) && icc_len > 0
                 && icc != NULL;

  info->format = PS_PHOTO_FORMAT_TIFF;
  info->width = (int) l.width;
  info->height = (int) l.height;
  info->channels = l.spp;
  info->bits = l.bps > 8 ? 16 : 8;
  info->has_icc = has_icc;
  info->orientation = l.orientation >= 1 && l.orientation <= 8 ? l.orientation : 1;

  if (!decode)
    {
      ok = tiff_verify (tif, &l, name, &sink, error);
      goto out;
    }

  PsRawImage *image = NULL;
  if (channels != 0)
    ok = tiff_decode_scanlines (tif, &l, channels, name, &sink, &image, error);
  else
    ok = tiff_decode_rgba (tif, &l, name, &sink, &image, error);
  if (!ok)
    goto out;

  image->orientation = info->orientation;
  /* A profile describes the stored samples; after libtiff turned CMYK, Lab
   * or the like into RGB it no longer applies. */
  bool as_stored = channels != 0 || l.photometric == PHOTOMETRIC_RGB
                   || l.photometric == PHOTOMETRIC_YCBCR
                   || l.photometric == PHOTOMETRIC_MINISBLACK
                   || l.photometric == PHOTOMETRIC_PALETTE;
  if (has_icc && as_stored)
    image->icc = g_bytes_new (icc, icc_len);
  *out = image;

out:
  TIFFClose (tif);
  g_free (sink.error);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Probe and decode                                                   */
/* ------------------------------------------------------------------ */

static bool
photo_load (const char *path, const PsPhotoLimits *in_limits, bool decode,
            PsPhotoInfo *info, PsRawImage **out, GError **error)
{
  PsPhotoLimits limits;
  PsPhotoFormat format;
  g_autofree char *name = g_path_get_basename (path);

  _ps_photo_limits_resolve (in_limits, &limits);
  memset (info, 0, sizeof *info);
  info->orientation = 1;

  /* Every loader takes ownership of the fd. */
  int fd = photo_open (path, name, &format, error);
  if (fd < 0)
    return false;

  switch (format)
    {
    case PS_PHOTO_FORMAT_JPEG:
      return jpeg_load (fd, name, &limits, decode, info, out, error);
    case PS_PHOTO_FORMAT_PNG:
      return png_load (fd, name, &limits, decode, info, out, error);
    case PS_PHOTO_FORMAT_TIFF:
      return tiff_load (fd, name, &limits, decode, info, out, error);
    default:
      close (fd);
      g_assert_not_reached ();
      return false;
    }
}

bool
ps_photo_probe (const char *path, const PsPhotoLimits *limits, PsPhotoInfo *info,
                GError **error)
{
  PsPhotoInfo local;

  g_return_val_if_fail (path != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  if (info == NULL)
    info = &local;
  if (!photo_load (path, limits, false, info, NULL, error))
    return false;

  PsPhotoLimits resolved;
  _ps_photo_limits_resolve (limits, &resolved);
  return check_fit (info, &resolved, error);
}

PsRawImage *
_ps_photo_decode (const char *path, const PsPhotoLimits *limits, GError **error)
{
  PsPhotoInfo info;
  PsRawImage *image = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!photo_load (path, limits, true, &info, &image, error))
    return NULL;
  return image;
}

/* ------------------------------------------------------------------ */
/* SHA-256                                                            */
/* ------------------------------------------------------------------ */

char *
ps_file_sha256 (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *name = g_path_get_basename (path);
  FILE *fp = g_fopen (path, "rbe");
  if (fp == NULL)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN,
                   "'%s' cannot be opened: %s", name, g_strerror (saved));
      return NULL;
    }

  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (64 * 1024);
  size_t got;
  while ((got = fread (buf, 1, 64 * 1024, fp)) > 0)
    g_checksum_update (sum, buf, got);
  if (ferror (fp))
    {
      int saved = errno;
      fclose (fp);
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN,
                   "'%s' cannot be read: %s", name, g_strerror (saved));
      return NULL;
    }
  fclose (fp);
  return g_strdup (g_checksum_get_string (sum));
}

/* ------------------------------------------------------------------ */
/* Finding: the photos directory index                                */
/* ------------------------------------------------------------------ */

struct _PsPhotoIndex {
  gatomicrefcount ref;       /* the cache holds one; each lookup one more */
  char *dir;                 /* as given */
  char *real_prefix;         /* realpath(dir) + "/" */
  GMutex lock;               /* guards everything below */
  GHashTable *stems;         /* stem -> file name (best extension) */
  GHashTable *folded;        /* ASCII-lowercased stem -> file name */
  struct timespec mtime;     /* of the directory at the last scan */
  gint64 scanned_at;         /* g_get_real_time() of the last scan */
};

static const char *const photo_extensions[] = { "jpg", "jpeg", "png", "tif", "tiff" };

/* Rank of a file name's extension (0 best), -1 if not a photo.  *stem_len
 * gets the length before the dot. */
static int
photo_extension_rank (const char *file, size_t *stem_len)
{
  const char *dot = strrchr (file, '.');
  if (dot == NULL || dot == file)
    return -1;
  for (size_t i = 0; i < G_N_ELEMENTS (photo_extensions); i++)
    if (g_ascii_strcasecmp (dot + 1, photo_extensions[i]) == 0)
      {
        *stem_len = (size_t) (dot - file);
        return (int) i;
      }
  return -1;
}

/* Keeps the better of two files with the same stem: extension order, then
 * byte order of the name (so "A.JPG" vs "A.jpg" does not depend on readdir). */
static void
stem_table_offer (GHashTable *table, char *key, const char *file)
{
  const char *have = g_hash_table_lookup (table, key);
  if (have != NULL)
    {
      size_t unused;
      int a = photo_extension_rank (file, &unused);
      int b = photo_extension_rank (have, &unused);
      if (a > b || (a == b && strcmp (file, have) >= 0))
        {
          g_free (key);
          return;
        }
    }
  g_hash_table_replace (table, key, g_strdup (file));
}

static bool
index_scan_unlocked (PsPhotoIndex *index, GError **error)
{
  struct stat st;
  GError *local = NULL;

  /* stat before reading: a change during the scan makes the next lookup see
   * a newer mtime and rescan. */
  if (g_stat (index->dir, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                   "photos directory '%s' cannot be read: %s", index->dir,
                   g_strerror (saved));
      return false;
    }
  gint64 now = g_get_real_time ();
  GDir *dir = g_dir_open (index->dir, 0, &local);
  if (dir == NULL)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                   "photos directory '%s' cannot be read: %s", index->dir,
                   local->message);
      g_error_free (local);
      return false;
    }

  g_hash_table_remove_all (index->stems);
  g_hash_table_remove_all (index->folded);
  const char *file;
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      size_t stem_len = 0;
      if (photo_extension_rank (file, &stem_len) < 0 || stem_len == 0)
        continue;
      stem_table_offer (index->stems, g_strndup (file, stem_len), file);
      char *folded = g_strndup (file, stem_len);
      for (char *p = folded; *p; p++)
        *p = g_ascii_tolower (*p);
      stem_table_offer (index->folded, folded, file);
    }
  g_dir_close (dir);

  index->mtime = st.st_mtim;
  index->scanned_at = now;
  return true;
}

PsPhotoIndex *
_ps_photo_index_new (const char *photos_dir, GError **error)
{
  g_return_val_if_fail (photos_dir != NULL, NULL);

  char *real = realpath (photos_dir, NULL);
  if (real == NULL)
    {
      int saved = errno;
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                   "photos directory '%s' cannot be read: %s", photos_dir,
                   g_strerror (saved));
      return NULL;
    }

  PsPhotoIndex *index = g_new0 (PsPhotoIndex, 1);
  g_atomic_ref_count_init (&index->ref);
  index->dir = g_strdup (photos_dir);
  index->real_prefix = g_str_has_suffix (real, "/") ? g_strdup (real)
                                                     : g_strconcat (real, "/", NULL);
  free (real);
  g_mutex_init (&index->lock);
  index->stems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  index->folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!index_scan_unlocked (index, error))
    {
      _ps_photo_index_free (index);
      return NULL;
    }
  return index;
}

static PsPhotoIndex *
index_ref (PsPhotoIndex *index)
{
  g_atomic_ref_count_inc (&index->ref);
  return index;
}

/* Drops the caller's reference (the last one frees). */
void
_ps_photo_index_free (PsPhotoIndex *index)
{
  if (index == NULL || !g_atomic_ref_count_dec (&index->ref))
    return;
  g_free (index->dir);
  g_free (index->real_prefix);
  g_clear_pointer (&index->stems, g_hash_table_unref);
  g_clear_pointer (&index->folded, g_hash_table_unref);
  g_mutex_clear (&index->lock);
  g_free (index);
}

/* Rescans if the directory changed since the last scan, or (@missed) if
 * the last scan was too close to the last change to be trusted. */
static void
index_refresh_unlocked (PsPhotoIndex *index, bool missed)
{
  struct stat st;
  if (g_stat (index->dir, &st) != 0)
    return;
  bool changed = st.st_mtim.tv_sec != index->mtime.tv_sec
                 || st.st_mtim.tv_nsec != index->mtime.tv_nsec;
  gint64 mtime_us = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC
                    + st.st_mtim.tv_nsec / 1000;
  bool racy = index->scanned_at < mtime_us + INDEX_RACY_USEC;
  if (changed || (missed && racy))
    index_scan_unlocked (index, NULL);
}

static void
index_refresh (PsPhotoIndex *index, bool missed)
{
  g_mutex_lock (&index->lock);
  index_refresh_unlocked (index, missed);
  g_mutex_unlock (&index->lock);
}

/* Exact stem first, then ASCII case-insensitively ("a1b2..." for "A1B2..."). */
static char *
index_lookup (PsPhotoIndex *index, const char *stem)
{
  g_mutex_lock (&index->lock);
  index_refresh_unlocked (index, false);
  const char *file = g_hash_table_lookup (index->stems, stem);
  if (file == NULL)
    {
      char *folded = g_ascii_strdown (stem, -1);
      file = g_hash_table_lookup (index->folded, folded);
      g_free (folded);
    }
  char *found = g_strdup (file);
  g_mutex_unlock (&index->lock);
  return found;
}

/* A photo column must be a plain relative path: no leading '/', '\' or
 * drive, no ".." component (either separator). */
static bool
relative_path_is_safe (const char *rel)
{
  if (rel[0] == '/' || rel[0] == '\\' || g_path_is_absolute (rel)
      || (g_ascii_isalpha (rel[0]) && rel[1] == ':'))
    return false;
  for (const char *p = rel; *p != '\0';)
    {
      size_t len = strcspn (p, "/\\");
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return false;
      p += len;
      if (*p != '\0')
        p++;
    }
  return true;
}

typedef enum {
  RESOLVE_OK,
  RESOLVE_MISSING,
  RESOLVE_UNSAFE,
} ResolveResult;

/* Resolves @path (inside the index's directory by construction) and checks
 * that what it names, symlinks followed, is a regular file under it. */
static ResolveResult
index_resolve (PsPhotoIndex *index, const char *path)
{
  char *real = realpath (path, NULL);
  if (real == NULL)
    return RESOLVE_MISSING;
  bool inside = g_str_has_prefix (real, index->real_prefix);
  struct stat st;
  bool regular = g_stat (real, &st) == 0 && S_ISREG (st.st_mode);
  free (real);
  if (!inside)
    return RESOLVE_UNSAFE;
  return regular ? RESOLVE_OK : RESOLVE_MISSING;
}

static void
set_unsafe (GError **error, const char *what)
{
  g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSAFE_PATH,
               "photo '%s' is outside the photos directory", what);
}

char *
_ps_photo_index_find (PsPhotoIndex *index, const PsRecord *record, GError **error)
{
  g_return_val_if_fail (index != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const char *photo = ps_record_get (record, PS_FIELD_PHOTO);
  const char *cjm = ps_record_get (record, PS_FIELD_CJM);
  const char *xh = ps_record_get (record, PS_FIELD_XH);

  /* 1. The photo column, relative to the directory. */
  if (photo != NULL && *photo != '\0')
    {
      if (!relative_path_is_safe (photo))
        {
          set_unsafe (error, photo);
          return NULL;
        }
      char *path = g_build_filename (index->dir, photo, NULL);
      switch (index_resolve (index, path))
        {
        case RESOLVE_OK:
          return path;
        case RESOLVE_UNSAFE:
          g_free (path);
          set_unsafe (error, photo);
          return NULL;
        case RESOLVE_MISSING:
        default:
          g_free (path);
          break;
        }
    }

  /* 2. By stem: 采集码, then 学号.  A miss (or a hit that has vanished) is
   * retried once on a fresh scan when the index may be stale. */
  const char *stems[] = { cjm, xh };
  for (int attempt = 0; attempt < 2; attempt++)
    {
      if (attempt > 0)
        index_refresh (index, true);
      for (size_t i = 0; i < G_N_ELEMENTS (stems); i++)
        {
          if (stems[i] == NULL || *stems[i] == '\0')
            continue;
          g_autofree char *file = index_lookup (index, stems[i]);
          if (file == NULL)
            continue;
          char *path = g_build_filename (index->dir, file, NULL);
          switch (index_resolve (index, path))
            {
            case RESOLVE_OK:
              return path;
            case RESOLVE_UNSAFE:
              g_free (path);
              set_unsafe (error, file);
              return NULL;
            case RESOLVE_MISSING:
            default:
              g_free (path);
              break;
            }
        }
    }

  GString *looked = g_string_new (NULL);
  if (photo != NULL && *photo != '\0')
    g_string_append_printf (looked, "%s", photo);
  if (cjm != NULL && *cjm != '\0')
    g_string_append_printf (looked, "%s%s.*", looked->len ? ", " : "", cjm);
  if (xh != NULL && *xh != '\0')
    g_string_append_printf (looked, "%s%s.*", looked->len ? ", " : "", xh);
  if (looked->len == 0)
    g_set_error_literal (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                         "photo not found (record has no photo, cjm or xh)");
  else
    g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_NOT_FOUND,
                 "photo not found (looked for %s)", looked->str);
  g_string_free (looked, TRUE);
  return NULL;
}

/* ps_photo_find(): one index per directory, kept for the process.  The cache
 * lock only covers the table; lookups run on a reference, so threads do not
 * queue behind each other's realpath() calls and clearing the cache never
 * frees an index in use. */
static GMutex cache_lock;
static GHashTable *cache;   /* dir as given -> PsPhotoIndex* (one reference) */

void
_ps_photo_cache_clear (void)
{
  g_mutex_lock (&cache_lock);
  GHashTable *old = g_steal_pointer (&cache);
  g_mutex_unlock (&cache_lock);
  g_clear_pointer (&old, g_hash_table_unref);
}

char *
ps_photo_find (const char *photos_dir, const PsRecord *record, GError **error)
{
  g_return_val_if_fail (photos_dir != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) _ps_photo_index_free);
  PsPhotoIndex *index = g_hash_table_lookup (cache, photos_dir);
  if (index == NULL)
    {
      /* Scanned under the lock: a batch's first lookups all want it. */
      index = _ps_photo_index_new (photos_dir, error);
      if (index == NULL)
        {
          g_mutex_unlock (&cache_lock);
          return NULL;
        }
      g_hash_table_insert (cache, g_strdup (photos_dir), index);
    }
  index_ref (index);
  g_mutex_unlock (&cache_lock);

  char *path = _ps_photo_index_find (index, record, error);
  _ps_photo_index_free (index);
  return path;
}
