/* ps-photo.c - probing and decoding the graduates' ID photos (the codecs are
 * ps-photo-jpeg.c, -png.c, -tiff.c; finding them is ps-photo-find.c).
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
#include "ps-photo-codec-private.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define DEFAULT_MAX_PIXELS       (INT64_C (40) * 1000 * 1000)
#define DEFAULT_MIN_WIDTH        480
#define DEFAULT_MIN_HEIGHT       640
#define DEFAULT_ASPECT           (3.0 / 4.0)
#define DEFAULT_ASPECT_TOLERANCE 0.05

G_DEFINE_QUARK (ps-photo-error-quark, ps_photo_error)

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
bool
_ps_photo_check_declared_size (const char *name, gint64 width, gint64 height,
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

PsRawImage *
_ps_photo_raw_image_new (const char *name, int width, int height, int channels, int bits,
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
int
_ps_photo_exif_orientation (const guint8 *data, size_t len)
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
  /* O_NONBLOCK: a FIFO named like a photo must not hang the check; it is
   * refused below, and a regular file reads the same either way. */
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
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
  if (st.st_size > PS_PHOTO_MAX_FILE_BYTES)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_TOO_LARGE,
                   "photo '%s' is %" G_GINT64_FORMAT " bytes, above the limit of %d MiB", name,
                   (gint64) st.st_size, (int) (PS_PHOTO_MAX_FILE_BYTES >> 20));
      close (fd);
      return -1;
    }
  int flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
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

FILE *
_ps_photo_fdopen (int fd, const char *name, GError **error)
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

void
_ps_photo_set_corrupt (GError **error, const char *name, const char *reason)
{
  g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_CORRUPT,
               "photo '%s' is corrupt: %s", name,
               reason != NULL && *reason != '\0' ? reason : "cannot be decoded");
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
      return _ps_photo_jpeg_load (fd, name, &limits, decode, info, out, error);
    case PS_PHOTO_FORMAT_PNG:
      return _ps_photo_png_load (fd, name, &limits, decode, info, out, error);
    case PS_PHOTO_FORMAT_TIFF:
      return _ps_photo_tiff_load (fd, name, &limits, decode, info, out, error);
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

