/* ps-photo-tiff.c - TIFF photos through libtiff, with per-handle error
 * handlers and a cap on any one allocation.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-photo-codec-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <tiffio.h>

/* One libtiff allocation. */
#define TIFF_MAX_ALLOC ((tmsize_t) 512 << 20)


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
          _ps_photo_set_corrupt (error, name, tiled ? "bad tile size" : "bad strip size");
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
  _ps_photo_set_corrupt (error, name, sink->error);
  return false;
}

static bool
tiff_decode_scanlines (TIFF *tif, const TiffLayout *l, int channels, const char *name,
                       TiffSink *sink, PsRawImage **out, GError **error)
{
  g_autoptr (PsRawImage) image = _ps_photo_raw_image_new (name, (int) l->width, (int) l->height,
                                                channels, l->bps, error);
  if (image == NULL)
    return false;
  if ((gsize) TIFFScanlineSize (tif) != image->stride)
    {
      _ps_photo_set_corrupt (error, name, "scanline size does not match the image");
      return false;
    }
  for (uint32_t y = 0; y < l->height; y++)
    if (TIFFReadScanline (tif, image->pixels + (gsize) y * image->stride, y, 0) < 0)
      {
        _ps_photo_set_corrupt (error, name, sink->error);
        return false;
      }
  if (sink->error != NULL)
    {
      _ps_photo_set_corrupt (error, name, sink->error);
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
  g_autoptr (PsRawImage) image = _ps_photo_raw_image_new (name, (int) l->width, (int) l->height,
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
      _ps_photo_set_corrupt (error, name, sink->error);
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

bool
_ps_photo_tiff_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
           PsPhotoInfo *info, PsRawImage **out, GError **error)
{
  TiffSink sink = { NULL };
  TIFF *tif = tiff_open (fd, name, &sink);
  bool ok = false;

  if (tif == NULL)
    {
      close (fd);   /* libtiff leaves the fd open when it fails */
      _ps_photo_set_corrupt (error, name, sink.error != NULL ? sink.error : "not a readable TIFF");
      g_free (sink.error);
      return false;
    }

  TiffLayout l;
  tiff_get_layout (tif, &l);
  if (!_ps_photo_check_declared_size (name, l.width, l.height, limits, error))
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

