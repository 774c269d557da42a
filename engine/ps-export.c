/* ps-export.c - a batch into a minilab's hot folder: page files and an
 * order file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Where the pages come from: rendered again from the ledger through the
 * render orchestrator (_ps_render_batch_pages), not copied from the batch
 * folder.  The ledger is the batch's truth - its layout text, profile bytes
 * and settings, every photo checked against the digest it was printed with
 * - while the folder's TIFFs may be missing (rendered as PDF only), left
 * half-written by a killed render, or edited; rendering is deterministic, so
 * the exported TIFFs have the bytes the batch's own would have.  JPEG,
 * which many minilab hot folders take, is made from the same printer-space
 * pixels with the same profile embedded.
 *
 * Atomic twice over: every page is made complete (and synced) in a hidden
 * staging folder inside the hot folder - the same file system, so that the
 * moves are renames - before the first one is moved in; each file appears
 * under its final name by rename only; the order file comes last.  Names
 * carry the batch's globally unique id, so batches never collide in one
 * hot folder.
 */
#include "config.h"
#include "ps-ledger-private.h"
#include "ps-render-batch-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

G_DEFINE_QUARK (ps-export-error-quark, ps_export_error)

#define DEFAULT_JPEG_QUALITY 95

struct _PsExportOptions {
  PsExportFormat format;
  int jpeg_quality;            /* 50..100 */
};

PsExportOptions *
ps_export_options_new (void)
{
  PsExportOptions *o = g_new0 (PsExportOptions, 1);
  o->format = PS_EXPORT_FORMAT_TIFF;
  o->jpeg_quality = DEFAULT_JPEG_QUALITY;
  return o;
}

void
ps_export_options_free (PsExportOptions *options)
{
  g_free (options);
}

void
ps_export_options_set_format (PsExportOptions *options, PsExportFormat format)
{
  g_return_if_fail (options != NULL);
  options->format = format;
}

bool
ps_export_options_set_jpeg_quality (PsExportOptions *options, int quality, GError **error)
{
  g_return_val_if_fail (options != NULL, false);
  if (quality < 50 || quality > 100)
    {
      g_set_error (error, PS_EXPORT_ERROR, PS_EXPORT_ERROR_FAILED,
                   "JPEG quality must be 50..100, not %d", quality);
      return false;
    }
  options->jpeg_quality = quality;
  return true;
}

bool
ps_export_format_from_string (const char *s, PsExportFormat *format)
{
  g_return_val_if_fail (s != NULL && format != NULL, false);
  if (g_ascii_strcasecmp (s, "tiff") == 0 || g_ascii_strcasecmp (s, "tif") == 0)
    *format = PS_EXPORT_FORMAT_TIFF;
  else if (g_ascii_strcasecmp (s, "jpeg") == 0 || g_ascii_strcasecmp (s, "jpg") == 0)
    *format = PS_EXPORT_FORMAT_JPEG;
  else
    return false;
  return true;
}

void
ps_export_result_clear (PsExportResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->order_path, g_free);
  g_clear_pointer (&result->prefix, g_free);
}

static bool
io_error (GError **error, const char *what, const char *path, int err)
{
  g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "export: cannot %s '%s': %s", what,
               path, g_strerror (err));
  return false;
}

static bool
sync_error (GError **error, GError *local)
{
  g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "export: %s", local->message);
  return false;
}

/* ------------------------------------------------------------------ */
/* TIFF -> JPEG                                                       */
/* ------------------------------------------------------------------ */

typedef struct {
  struct jpeg_error_mgr base;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
} JpegErrors;

static void
jpeg_fail (j_common_ptr cinfo)
{
  JpegErrors *errors = (JpegErrors *) cinfo->err;
  cinfo->err->format_message (cinfo, errors->message);
  longjmp (errors->jump, 1);
}

static void
jpeg_quiet (j_common_ptr cinfo)
{
}

static int
tiff_quiet (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  return 1;
}

static int
tiff_collect (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  GString *messages = user_data;
  if (messages->len > 0)
    g_string_append (messages, "; ");
  g_string_append_vprintf (messages, fmt, ap);
  return 1;
}

static TIFF *
tiff_open_read (const char *path, GString *messages)
{
#if HAVE_TIFFOPENEXT
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_collect, messages);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_quiet, NULL);
  TIFF *tif = TIFFOpenExt (path, "r", opts);
  TIFFOpenOptionsFree (opts);
  return tif;
#else
  return TIFFOpen (path, "r");
#endif
}

/* The page's rows, written as JPEG into @out (an open file).  Only what
 * libjpeg can longjmp out of is in here; the caller owns the rest. */
static bool
jpeg_encode (FILE *out, TIFF *tif, guint32 width, guint32 height, float dpi, const void *icc,
             guint32 icc_len, int quality, guint8 *row, char **message)
{
  struct jpeg_compress_struct cinfo;
  JpegErrors errors;
  memset (&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error (&errors.base);
  errors.base.error_exit = jpeg_fail;
  errors.base.output_message = jpeg_quiet;
  if (setjmp (errors.jump))
    {
      *message = g_strdup (errors.message);
      jpeg_destroy_compress (&cinfo);
      return false;
    }
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, out);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, quality, TRUE);
  /* 4:4:4: captions are small text, which chroma subsampling blurs. */
  for (int c = 0; c < cinfo.num_components; c++)
    cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  cinfo.write_JFIF_header = TRUE;
  cinfo.density_unit = 1;     /* dots per inch */
  cinfo.X_density = cinfo.Y_density = (UINT16) (dpi > 0 && dpi < 65536 ? dpi + 0.5f : 300);
  jpeg_start_compress (&cinfo, TRUE);
  if (icc != NULL && icc_len > 0)
    jpeg_write_icc_profile (&cinfo, icc, icc_len);
  for (guint32 y = 0; y < height; y++)
    {
      if (TIFFReadScanline (tif, row, y, 0) != 1)
        {
          *message = g_strdup_printf ("cannot read row %u", y);
          jpeg_destroy_compress (&cinfo);
          return false;
        }
      JSAMPROW rows[1] = { row };
      jpeg_write_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  return true;
}

static bool
tiff_to_jpeg (const char *tiff_path, const char *jpeg_path, int quality, GError **error)
{
  g_autoptr (GString) messages = g_string_new (NULL);
  TIFF *tif = tiff_open_read (tiff_path, messages);
  if (tif == NULL)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "export: cannot read '%s': %s",
                   tiff_path, messages->len > 0 ? messages->str : "libtiff failed");
      return false;
    }
  guint32 width = 0, height = 0;
  guint16 spp = 0, bits = 0, photometric = 0;
  float dpi = 0;
  guint32 icc_len = 0;
  void *icc = NULL;
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted (tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetField (tif, TIFFTAG_PHOTOMETRIC, &photometric);
  TIFFGetField (tif, TIFFTAG_XRESOLUTION, &dpi);
  TIFFGetField (tif, TIFFTAG_ICCPROFILE, &icc_len, &icc);
  if (spp != 3 || bits != 8 || photometric != PHOTOMETRIC_RGB || width == 0 || height == 0)
    {
      TIFFClose (tif);
      g_set_error (error, PS_EXPORT_ERROR, PS_EXPORT_ERROR_FORMAT,
                   "export: JPEG needs 8-bit RGB pages, the batch's are %u-channel "
                   "(a CMYK printer profile?): export them as TIFF", spp);
      return false;
    }

  FILE *out = g_fopen (jpeg_path, "wbe");
  if (out == NULL)
    {
      int err = errno;
      TIFFClose (tif);
      return io_error (error, "write", jpeg_path, err);
    }
  g_autofree guint8 *row = g_malloc ((size_t) width * 3);
  g_autofree char *message = NULL;
  bool ok = jpeg_encode (out, tif, width, height, dpi, icc, icc_len, quality, row, &message);
  TIFFClose (tif);
  int err = 0;
  if (fflush (out) != 0 || ferror (out))
    err = errno != 0 ? errno : EIO;
  if (fclose (out) != 0 && err == 0)
    err = errno;
  if (!ok || err != 0)
    {
      g_unlink (jpeg_path);
      if (!ok)
        g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "export: cannot write '%s': %s",
                     jpeg_path, message);
      else
        io_error (error, "write", jpeg_path, err);
      return false;
    }
  return true;
}

/* ------------------------------------------------------------------ */
/* The order file                                                     */
/* ------------------------------------------------------------------ */

/* Plain text, one page a line in print order, CRLF like the batch's CSVs
 * (minilab controllers are mostly Windows).  Masked values only: the
 * class and the 学号, never a name; a sheet several students share lists
 * each one's 学号 in slot order, comma-separated. */
static char *
order_text (const PsBatch *batch, const char *uid, const char *const *names,
            PsExportFormat format)
{
  const PsLayout *layout = batch->layout;
  GString *s = g_string_new ("# photosheet hot-folder order\r\n");
  g_string_append_printf (s, "batch %s\r\n", uid);
  g_string_append_printf (s, "layout %s\r\n", batch->settings.layout_name
                                                ? batch->settings.layout_name : "-");
  g_string_append_printf (s, "media %s %.1fx%.1fmm\r\n", layout->media ? layout->media : "-",
                          layout->sheet_width * 25.4 / 72.0, layout->sheet_height * 25.4 / 72.0);
  g_string_append_printf (s, "format %s\r\n", format == PS_EXPORT_FORMAT_JPEG ? "jpeg" : "tiff");
  g_string_append_printf (s, "dpi %d\r\n", batch->settings.dpi);
  g_string_append_printf (s, "pages %u\r\n", batch->pages->len);
  g_string_append (s, "# page file quantity kind class xh\r\n");
  for (size_t i = 0; i < batch->pages->len; i++)
    {
      const PsPage *page = &g_array_index (batch->pages, PsPage, i);
      const PsClass *klass = _ps_batch_class (batch, page->class_index);
      g_autoptr (GString) xh = g_string_new (NULL);
      for (size_t g = 0; g < page->n_groups; g++)
        {
          const PsGroup *group = _ps_batch_page_group (batch, page, g);
          const char *value = _ps_batch_student (batch, group->student)->record.values[PS_FIELD_XH];
          g_string_append_printf (xh, "%s%s", g > 0 ? "," : "", value != NULL ? value : "-");
        }
      g_string_append_printf (s, "%04zu %s 1 %s %s %s\r\n", page->number, names[i],
                              page->kind == PS_PAGE_SHEET ? "sheet" : "separator", klass->name,
                              xh->len > 0 ? xh->str : "-");
    }
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* Export                                                             */
/* ------------------------------------------------------------------ */

/* A file made complete at @from (synced), moved to @to (no other name in
 * between), the folder synced. */
static bool
move_in (const char *from, const char *to, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!_ps_core_fsync_path (from, &local))
    return sync_error (error, local);
  if (g_rename (from, to) != 0)
    {
      int err = errno;
      return io_error (error, "move a page to", to, err);
    }
  if (!_ps_core_fsync_parent (to, &local))
    return sync_error (error, local);
  return true;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  if (dir != NULL && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
      return;
    }
  g_unlink (path);
}

bool
ps_export_batch (PsLedger *ledger, const char *batch_dir, const char *hot_folder,
                 const PsExportOptions *in_options, PsExportResult *result, GError **error)
{
  g_return_val_if_fail (ledger != NULL && batch_dir != NULL && hot_folder != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autoptr (PsExportOptions) defaults = in_options == NULL ? ps_export_options_new () : NULL;
  const PsExportOptions *options = in_options != NULL ? in_options : defaults;
  if (result != NULL)
    memset (result, 0, sizeof *result);

  gint64 batch_id = _ps_ledger_find_batch_by_dir (ledger, batch_dir, error);
  if (batch_id <= 0)
    {
      g_prefix_error (error, "no batch rendered into '%s' in the ledger: ", batch_dir);
      return false;
    }
  g_autoptr (PsBatch) batch = _ps_ledger_load_batch (ledger, batch_id, error);
  if (batch == NULL)
    return false;
  if (batch->uid == NULL)
    {
      g_set_error (error, PS_EXPORT_ERROR, PS_EXPORT_ERROR_FAILED,
                   "export: batch '%s' has no unique id in the ledger", batch_dir);
      return false;
    }

  const char *ext = options->format == PS_EXPORT_FORMAT_JPEG ? "jpg" : "tif";
  g_autofree char *prefix = g_strdup_printf ("ps-%s", batch->uid);
  g_autofree char *order_name = g_strdup_printf ("%s.order.txt", prefix);
  g_autofree char *order_path = g_build_filename (hot_folder, order_name, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; i < batch->pages->len; i++)
    g_ptr_array_add (names, g_strdup_printf ("%s-%04zu.%s", prefix, i + 1, ext));
  g_ptr_array_add (names, NULL);

  if (g_mkdir_with_parents (hot_folder, 0755) != 0)
    {
      int err = errno;
      return io_error (error, "create the hot folder", hot_folder, err);
    }
  /* Nothing is replaced: the lab may be printing what an earlier export
   * put there. */
  for (size_t i = 0; i <= batch->pages->len; i++)
    {
      const char *name = i < batch->pages->len ? names->pdata[i] : order_name;
      g_autofree char *path = g_build_filename (hot_folder, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, PS_EXPORT_ERROR, PS_EXPORT_ERROR_EXISTS,
                       "export: hot folder '%s' already has '%s' of this batch (exported "
                       "before and not yet taken by the lab): nothing written", hot_folder,
                       name);
          return false;
        }
    }

  /* Everything complete in the staging folder first. */
  g_autofree char *staging_name = g_strdup_printf (".%s.part", prefix);
  g_autofree char *staging = g_build_filename (hot_folder, staging_name, NULL);
  remove_tree (staging);
  if (g_mkdir (staging, 0700) != 0)
    {
      int err = errno;
      return io_error (error, "create", staging, err);
    }
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (size_t));
  for (size_t i = 0; i < batch->pages->len; i++)
    {
      size_t n = i + 1;
      g_array_append_val (numbers, n);
    }
  bool ok = _ps_render_batch_pages (batch, (const size_t *) numbers->data, numbers->len, staging,
                                    NULL, NULL, PS_FORMAT_TIFF, NULL, error);
  g_autoptr (GPtrArray) ready = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; ok && i < batch->pages->len; i++)
    {
      g_autofree char *file = g_strdup_printf ("%04zu.tif", i + 1);
      char *tiff = g_build_filename (staging, "tiff", file, NULL);
      if (options->format == PS_EXPORT_FORMAT_TIFF)
        {
          g_ptr_array_add (ready, tiff);
          continue;
        }
      g_autofree char *owned = tiff;
      char *jpeg = g_build_filename (staging, names->pdata[i], NULL);
      ok = tiff_to_jpeg (tiff, jpeg, options->jpeg_quality, error);
      g_ptr_array_add (ready, jpeg);
    }

  /* Then moved in, one rename each, and the order file last: a lab that
   * waits for the order file sees every page it names. */
  g_autoptr (GPtrArray) moved = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; ok && i < batch->pages->len; i++)
    {
      char *to = g_build_filename (hot_folder, names->pdata[i], NULL);
      ok = move_in (ready->pdata[i], to, error);
      g_ptr_array_add (moved, to);
    }
  if (ok)
    {
      g_autofree char *text = order_text (batch, batch->uid, (const char *const *) names->pdata,
                                          options->format);
      g_autofree char *part_name = g_strdup_printf (".%s.part", order_name);
      g_autofree char *part = g_build_filename (hot_folder, part_name, NULL);
      g_autoptr (GError) local = NULL;
      if (!g_file_set_contents_full (part, text, -1, G_FILE_SET_CONTENTS_DURABLE, 0644, &local))
        ok = sync_error (error, local);
      else
        ok = move_in (part, order_path, error);
      if (!ok)
        g_unlink (part);
    }
  remove_tree (staging);
  if (!ok)
    {
      /* No half batch left for the lab to print (what it took already is
       * beyond reach). */
      for (size_t i = 0; i < moved->len; i++)
        g_unlink (moved->pdata[i]);
      return false;
    }
  if (result != NULL)
    {
      result->pages = batch->pages->len;
      result->order_path = g_steal_pointer (&order_path);
      result->prefix = g_steal_pointer (&prefix);
    }
  return true;
}
