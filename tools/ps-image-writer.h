/* ps-image-writer.h - JPEG, PNG and TIFF files for the samples, the tests and the fuzz seeds.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One writer a format over libjpeg, libpng and libtiff; the decompression
 * bombs (headers that declare huge images) written by hand; and helpers that
 * cut a written file or patch its declared size.  The caller gives the
 * pixels a row at a time (PsImageRowFunc), so each program keeps its own
 * picture.  Not part of libphotosheet: tools/make-samples, tests/make-hostile
 * and the tests link it.
 */
#ifndef PS_IMAGE_WRITER_H
#define PS_IMAGE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <glib.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>

G_BEGIN_DECLS

#define PS_IMAGE_WRITER_ERROR (ps_image_writer_error_quark ())

typedef enum {
  PS_IMAGE_WRITER_ERROR_IO,        /* the file could not be read or written */
  PS_IMAGE_WRITER_ERROR_CODEC,     /* libjpeg, libpng or libtiff refused (the message is theirs) */
  PS_IMAGE_WRITER_ERROR_FORMAT,    /* a file to patch is not what it should be */
} PsImageWriterError;

GQuark ps_image_writer_error_quark (void);

/* Fills row @y (0 = top) of the image being written: @row_bytes bytes laid
 * out as the format stores them (samples interleaved; PNG packs depths below
 * 8 and stores 16-bit samples big-endian; TIFF takes 16-bit samples in host
 * order).  For an interlaced PNG it is called once a row and pass and must
 * give the same bytes each time. */
typedef void (*PsImageRowFunc) (int y, guint8 *row, size_t row_bytes, gpointer user_data);

/* Sample @c of pixel (@x, @y): 0-255, or 0-65535 in a 16-bit TIFF.  For the
 * *_samples() writers, which fill the rows from it. */
typedef guint (*PsImageSampleFunc) (int x, int y, int c, gpointer user_data);

typedef struct {
  int width, height;           /* pixels */
  J_COLOR_SPACE space;         /* JCS_RGB, JCS_GRAYSCALE or JCS_CMYK */
  int quality;                 /* 1-100; 0: 85 */
  bool progressive;
  bool no_adobe;               /* CMYK without the Adobe APP14 marker (whose readers invert) */
  int density_dpi;             /* JFIF density in dots per inch; 0: libjpeg's 1:1 without unit */
  int orientation;             /* an EXIF APP1 with this Orientation (1-8); 0: no EXIF */
  const guint8 *icc;           /* an ICC profile as APP2 chunks (any bytes); NULL: none */
  size_t icc_len;
} PsImageJpegSpec;

/* Writes the baseline (or progressive) JPEG @spec describes to @path, the
 * EXIF marker before the ICC chunks.  @rows gives width x components bytes a
 * row. */
bool ps_image_write_jpeg (const char *path, const PsImageJpegSpec *spec, PsImageRowFunc rows,
                          gpointer user_data, GError **error);
/* The same, each sample from @sample. */
bool ps_image_write_jpeg_samples (const char *path, const PsImageJpegSpec *spec,
                                  PsImageSampleFunc sample, gpointer user_data, GError **error);

typedef struct {
  int width, height;           /* pixels */
  int color_type;              /* PNG_COLOR_TYPE_* */
  int depth;                   /* bits a sample (a palette index): 1, 2, 4, 8 or 16 as the type allows */
  bool interlace;              /* Adam7 */
  const png_color *palette;    /* PNG_COLOR_TYPE_PALETTE: n_palette entries */
  int n_palette;
  const guint8 *icc;           /* iCCP chunk named "icc"; a valid profile only: libpng checks it */
  size_t icc_len;
} PsImagePngSpec;

/* Writes the PNG @spec describes to @path; @rows gives png_get_rowbytes()
 * bytes a row. */
bool ps_image_write_png (const char *path, const PsImagePngSpec *spec, PsImageRowFunc rows,
                         gpointer user_data, GError **error);

typedef struct {
  int width, height;           /* pixels */
  int spp, bps;                /* samples a pixel; bits a sample, 8 or 16 */
  int photometric;             /* PHOTOMETRIC_*; PHOTOMETRIC_SEPARATED is written as CMYK */
  int compression;             /* COMPRESSION_*; 0: LZW */
  bool alpha;                  /* the last sample is unassociated alpha */
  const guint8 *icc;           /* TIFFTAG_ICCPROFILE (any bytes); NULL: none */
  size_t icc_len;
  int orientation;             /* TIFFTAG_ORIENTATION (1-8); 0: none */
} PsImageTiffSpec;

/* Writes the contiguous TIFF @spec describes to @path, 16 rows a strip;
 * @rows gives TIFFScanlineSize() bytes a row. */
bool ps_image_write_tiff (const char *path, const PsImageTiffSpec *spec, PsImageRowFunc rows,
                          gpointer user_data, GError **error);
/* The same, each sample from @sample. */
bool ps_image_write_tiff_samples (const char *path, const PsImageTiffSpec *spec,
                                  PsImageSampleFunc sample, gpointer user_data, GError **error);

/* Decompression bombs: small files whose headers declare huge images. */

/* The PNG signature, an IHDR declaring @width x @height 8-bit @color_type,
 * an IDAT holding the @idat_len bytes of @idat (NULL: none) and IEND, every
 * CRC right: a decoder that trusted the header would allocate for it all. */
bool ps_image_write_png_bomb (const char *path, guint32 width, guint32 height, int color_type,
                              const guint8 *idat, size_t idat_len, GError **error);

/* A TIFF made by libtiff whose one IFD declares @width x @height RGB 8-bit,
 * deflate, in a single strip of 64 bytes that hold nothing useful. */
bool ps_image_write_tiff_bomb (const char *path, guint32 width, guint32 height, GError **error);

/* A little-endian TIFF written byte by byte: the header, one IFD declaring
 * @width x @height gray 8-bit uncompressed in a single strip of
 * @strip_bytes, then that strip as MIN (@strip_bytes, 1 MiB) zero bytes.
 * The IFD comes first, so a cut copy keeps its header and loses pixels. */
bool ps_image_write_tiff_minimal (const char *path, guint32 width, guint32 height,
                                  guint32 strip_bytes, GError **error);

/* Helpers on written files. */

/* Patches the first SOFn header of the JPEG in @data to declare @width x
 * @height; the scan data stays as it is.  False if no SOFn comes before the
 * first scan. */
bool ps_image_jpeg_set_size (guint8 *data, size_t len, guint16 width, guint16 height);

/* Copies the JPEG @from to @to with ps_image_jpeg_set_size() applied. */
bool ps_image_copy_jpeg_resized (const char *from, const char *to, guint16 width, guint16 height,
                                 GError **error);

/* Copies the first @keep (0 to 1) of the bytes of @from to @to. */
bool ps_image_copy_truncated (const char *from, const char *to, double keep, GError **error);

G_END_DECLS

#endif
