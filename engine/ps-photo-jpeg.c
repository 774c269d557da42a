/* ps-photo-jpeg.c - JPEG photos through libjpeg-turbo: header checks, EXIF
 * orientation, embedded ICC, fenced decoding.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-photo-codec-private.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jpeglib.h>
#include <jerror.h>

/* Progressive scan bombs. */
#define JPEG_MAX_SCANS 1000


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
      _ps_photo_set_corrupt (error, name, job->err.message);
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
      return _ps_photo_exif_orientation (m->data + 6, m->data_length - 6);
  return 1;
}

bool
_ps_photo_jpeg_load (int fd, const char *name, const PsPhotoLimits *limits, bool decode,
           PsPhotoInfo *info, PsRawImage **out, GError **error)
{
  JpegJob *job = g_new0 (JpegJob, 1);

  job->fp = _ps_photo_fdopen (fd, name, error);
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
  if (!_ps_photo_check_declared_size (name, cinfo->image_width, cinfo->image_height, limits,
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
      job->image = _ps_photo_raw_image_new (name, (int) cinfo->output_width,
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
/* Passthrough into PDFs                                              */
/* ------------------------------------------------------------------ */

GBytes *
_ps_photo_get_passthrough_jpeg (const PsRawImage *image, const char *path)
{
  g_return_val_if_fail (image != NULL && path != NULL, NULL);

  if (image->icc != NULL || image->orientation != 1 || image->channels != 3)
    return NULL;
  guint8 magic[3] = { 0 };
  FILE *fp = fopen (path, "rbe");
  if (fp == NULL)
    return NULL;
  size_t n = fread (magic, 1, 3, fp);
  fclose (fp);
  if (n != 3 || magic[0] != 0xFF || magic[1] != 0xD8 || magic[2] != 0xFF)
    return NULL;
  gchar *bytes = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &bytes, &len, NULL))
    return NULL;
  return g_bytes_new_take (bytes, len);
}

/* ------------------------------------------------------------------ */
/* Encoding (the PDF's photos)                                        */
/* ------------------------------------------------------------------ */

typedef struct {
  struct jpeg_compress_struct cinfo;
  JpegErrorMgr err;
  unsigned char *buffer;           /* jpeg_mem_dest's, malloc'd */
  unsigned long size;
} JpegEncodeJob;

GBytes *
_ps_photo_encode_jpeg (const guint8 *data, size_t stride, int width, int height, int channels,
                       int quality, GError **error)
{
  g_return_val_if_fail (data != NULL && (channels == 3 || channels == 4), NULL);

  JpegEncodeJob *job = g_new0 (JpegEncodeJob, 1);
  job->cinfo.err = jpeg_std_error (&job->err.pub);
  job->err.pub.error_exit = jpeg_error_exit_cb;
  if (setjmp (job->err.jump) != 0)
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_FAILED, "cannot encode a JPEG: %s",
                   job->err.message);
      jpeg_destroy_compress (&job->cinfo);
      free (job->buffer);
      g_free (job);
      return NULL;
    }
  jpeg_create_compress (&job->cinfo);
  jpeg_mem_dest (&job->cinfo, &job->buffer, &job->size);
  job->cinfo.image_width = (JDIMENSION) width;
  job->cinfo.image_height = (JDIMENSION) height;
  job->cinfo.input_components = channels;
  job->cinfo.in_color_space = channels == 4 ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults (&job->cinfo);
  /* CMYK as it is, without the Adobe marker: readers then take the samples
   * as plain CMYK (0 = no ink), not the inverted Photoshop convention. */
  if (channels == 4)
    job->cinfo.write_Adobe_marker = FALSE;
  jpeg_set_quality (&job->cinfo, quality, TRUE);
  /* No chroma subsampling: thin features (hair, the collar) keep their colour. */
  for (int i = 0; i < job->cinfo.num_components; i++)
    job->cinfo.comp_info[i].h_samp_factor = job->cinfo.comp_info[i].v_samp_factor = 1;
  job->cinfo.optimize_coding = TRUE;
  jpeg_start_compress (&job->cinfo, TRUE);
  while (job->cinfo.next_scanline < job->cinfo.image_height)
    {
      JSAMPROW row = (JSAMPROW) (data + (size_t) job->cinfo.next_scanline * stride);
      jpeg_write_scanlines (&job->cinfo, &row, 1);
    }
  jpeg_finish_compress (&job->cinfo);
  GBytes *bytes = g_bytes_new (job->buffer, job->size);
  jpeg_destroy_compress (&job->cinfo);
  free (job->buffer);
  g_free (job);
  return bytes;
}
