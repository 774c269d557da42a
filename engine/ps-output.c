/* ps-output.c - a batch onto disk: sheets.pdf, tiff/, png/, manifest.csv,
 * exceptions.csv.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every file appears under its final name only when complete (written under
 * a temporary name, then renamed), and the same inputs give the same bytes:
 * no clocks, no random names inside files.
 */
#include "config.h"
#include "ps-private.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <tiffio.h>
#if HAVE_NETTLE
#include <nettle/sha2.h>
#endif

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

static char *
part_path (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.part", base);
  return g_build_filename (dir, name, NULL);
}

static bool
commit_part (const char *part, const char *path, GError **error)
{
  if (g_rename (part, path) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot rename '%s' to '%s': %s",
                   part, path, g_strerror (saved));
      g_unlink (part);
      return false;
    }
  return true;
}

static bool
write_atomically (const char *path, const char *data, size_t len, GError **error)
{
  g_autoptr (GError) local = NULL;
  /* g_file_set_contents writes a temporary file, fsyncs and renames. */
  if (!g_file_set_contents (path, data, (gssize) len, &local))
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "%s", local->message);
      return false;
    }
  return true;
}

static bool
make_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot create directory '%s': %s",
                   path, g_strerror (saved));
      return false;
    }
  return true;
}

/* Numbered files of an earlier, longer batch would read as part of this
 * one: remove those past the last page. */
static void
remove_stale_pages (const char *dir, const char *suffix, size_t n_pages)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      guint64 number = 0;
      const char *end = NULL;
      if (!g_str_has_suffix (name, suffix) || strlen (name) != 4 + strlen (suffix))
        continue;
      number = g_ascii_strtoull (name, (char **) &end, 10);
      if (end != name + 4 || number <= n_pages)
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
}

/* ------------------------------------------------------------------ */
/* CSV                                                                */
/* ------------------------------------------------------------------ */

/* A value Excel would take for a formula (=, +, -, @, tab, CR) is written
 * with a leading apostrophe so that it shows as text. */
static void
csv_append (GString *out, const char *value, bool last)
{
  if (value != NULL)
    {
      bool formula = strchr ("=+-@\t\r", value[0]) != NULL && value[0] != '\0';
      bool quote = formula || strpbrk (value, ",\"\r\n") != NULL;
      if (quote)
        g_string_append_c (out, '"');
      if (formula)
        g_string_append_c (out, '\'');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      if (quote)
        g_string_append_c (out, '"');
    }
  g_string_append (out, last ? "\r\n" : ",");
}

static bool
write_exceptions (const PsCheck *check, const char *out_dir, GError **error)
{
  g_autoptr (GString) csv = g_string_new ("row,xh,cjm,field,reason\r\n");
  for (size_t i = 0; i < ps_check_get_n_problems (check); i++)
    {
      const PsProblem *p = ps_check_get_problem (check, i);
      g_autofree char *row = g_strdup_printf ("%d", p->row);
      csv_append (csv, row, false);
      csv_append (csv, p->xh, false);
      csv_append (csv, p->cjm, false);
      csv_append (csv, p->field, false);
      csv_append (csv, p->reason, true);
    }
  g_autofree char *path = g_build_filename (out_dir, "exceptions.csv", NULL);
  return write_atomically (path, csv->str, csv->len, error);
}

/* ------------------------------------------------------------------ */
/* TIFF                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
  GString *messages;
} TiffErrors;

#if HAVE_TIFFOPENEXT
static int
tiff_error_handler (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  TiffErrors *errors = user_data;
  if (errors->messages->len > 0)
    g_string_append (errors->messages, "; ");
  g_string_append_vprintf (errors->messages, fmt, ap);
  return 1;
}

static int
tiff_warning_handler (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  return 1;   /* warnings do not make a page wrong */
}
#endif

static TIFF *
tiff_open (const char *path, TiffErrors *errors)
{
#if HAVE_TIFFOPENEXT
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_error_handler, errors);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_warning_handler, errors);
  TIFF *tif = TIFFOpenExt (path, "w", opts);
  TIFFOpenOptionsFree (opts);
  return tif;
#else
  return TIFFOpen (path, "w");
#endif
}

bool
ps_tiff_compression_from_string (const char *s, PsTiffCompression *compression)
{
  static const struct { const char *name; PsTiffCompression value; } names[] = {
    { "default", PS_TIFF_COMPRESSION_DEFAULT },
    { "none", PS_TIFF_COMPRESSION_NONE },
    { "lzw", PS_TIFF_COMPRESSION_LZW },
    { "deflate", PS_TIFF_COMPRESSION_DEFLATE },
    { "zip", PS_TIFF_COMPRESSION_DEFLATE },
  };
  g_return_val_if_fail (s != NULL && compression != NULL, false);
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (s, names[i].name) == 0)
      {
        *compression = names[i].value;
        return true;
      }
  return false;
}

/* Deflate at this level: libtiff hands it to libdeflate, where level 6
 * costs 30 % more time for 6 % less size on our pages (bench/README.md). */
#define PS_TIFF_DEFLATE_LEVEL 1

static PsTiffCompression
tiff_compression_resolve (PsTiffCompression compression)
{
  return compression == PS_TIFF_COMPRESSION_DEFAULT ? PS_TIFF_COMPRESSION_DEFLATE : compression;
}

static bool
write_tiff (PsColor *color, cairo_surface_t *page, int dpi, PsTiffCompression compression,
            const char *path, GError **error)
{
  int width = cairo_image_surface_get_width (page);
  int height = cairo_image_surface_get_height (page);
  int stride = cairo_image_surface_get_stride (page);
  const guint8 *data = cairo_image_surface_get_data (page);
  int channels = _ps_color_get_output_channels (color);
  GBytes *icc = _ps_color_get_output_icc (color);
  g_autofree char *part = part_path (path);
  g_autoptr (GString) messages = g_string_new (NULL);
  TiffErrors errors = { messages };

  TIFF *tif = tiff_open (part, &errors);
  if (tif == NULL)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   messages->len ? messages->str : "libtiff failed");
      return false;
    }

  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, (uint32_t) width);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, (uint32_t) height);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, channels);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  if (channels == 4)
    {
      TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
      TIFFSetField (tif, TIFFTAG_INKSET, INKSET_CMYK);
    }
  else
    TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  /* Lossless and read by every RIP and hot folder (bench/README.md has the
   * figures behind the default). */
  switch (tiff_compression_resolve (compression))
    {
    case PS_TIFF_COMPRESSION_NONE:
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
      break;
    case PS_TIFF_COMPRESSION_LZW:
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
      TIFFSetField (tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      break;
    default:
      /* No predictor: pages are mostly flat paper, where it only costs. */
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
      TIFFSetField (tif, TIFFTAG_ZIPQUALITY, PS_TIFF_DEFLATE_LEVEL);
      break;
    }
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize (tif, 0));
  TIFFSetField (tif, TIFFTAG_XRESOLUTION, (float) dpi);
  TIFFSetField (tif, TIFFTAG_YRESOLUTION, (float) dpi);
  TIFFSetField (tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField (tif, TIFFTAG_SOFTWARE, "photosheet " PS_VERSION);
  gsize icc_len = 0;
  const void *icc_data = g_bytes_get_data (icc, &icc_len);
  TIFFSetField (tif, TIFFTAG_ICCPROFILE, (uint32_t) icc_len, icc_data);

  g_autofree guint8 *row = g_malloc ((size_t) width * channels);
  bool ok = true;
  for (int y = 0; y < height && ok; y++)
    {
      _ps_color_row_to_output (color, data + (size_t) y * stride, row, width);
      ok = TIFFWriteScanline (tif, row, (uint32_t) y, 0) == 1;
    }
  TIFFClose (tif);

  if (!ok || messages->len > 0)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   messages->len ? messages->str : "write failed");
      g_unlink (part);
      return false;
    }
  return commit_part (part, path, error);
}

static bool
write_png (cairo_surface_t *surface, const char *path, GError **error)
{
  g_autofree char *part = part_path (path);
  cairo_status_t status = cairo_surface_write_to_png (surface, part);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   cairo_status_to_string (status));
      g_unlink (part);
      return false;
    }
  return commit_part (part, path, error);
}

/* ------------------------------------------------------------------ */
/* Photos: decoded and converted once per student                     */
/* ------------------------------------------------------------------ */

static bool
is_plain_jpeg (const PsRawImage *raw, const char *path)
{
  guint8 magic[3] = { 0 };
  FILE *fp = fopen (path, "rb");
  if (fp == NULL)
    return false;
  size_t n = fread (magic, 1, 3, fp);
  fclose (fp);
  return n == 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF
         && raw->icc == NULL && raw->orientation == 1 && raw->channels == 3;
}

static cairo_surface_t *
load_photo (PsColor *color, const char *path, bool pdf_passthrough, GError **error)
{
  g_autoptr (PsRawImage) raw = _ps_photo_decode (path, NULL, error);
  if (raw == NULL)
    return NULL;
  cairo_surface_t *surface = _ps_color_photo_to_surface (color, raw, error);
  if (surface == NULL)
    return NULL;

  /* An untagged, upright RGB JPEG is already what would be drawn: let the
   * PDF carry the original bytes instead of a re-encoded copy. */
  if (pdf_passthrough && is_plain_jpeg (raw, path))
    {
      gchar *bytes = NULL;
      gsize len = 0;
      if (g_file_get_contents (path, &bytes, &len, NULL))
        cairo_surface_set_mime_data (surface, CAIRO_MIME_TYPE_JPEG, (unsigned char *) bytes, len,
                                     g_free, bytes);
    }
  return surface;
}

/* ------------------------------------------------------------------ */
/* The batch                                                          */
/* ------------------------------------------------------------------ */

static void
manifest_row (GString *csv, const PsRoster *roster, const PsPlan *plan, const PsPage *page,
              const char *sha)
{
  const PsClass *klass = plan->classes->pdata[page->class_index];
  g_autofree char *number = g_strdup_printf ("%zu", page->number);
  csv_append (csv, number, false);
  csv_append (csv, page->kind == PS_PAGE_SEPARATOR ? "separator" : "sheet", false);
  csv_append (csv, klass->name, false);
  if (page->kind == PS_PAGE_SEPARATOR)
    {
      g_string_append (csv, ",,,,,\r\n");
      return;
    }
  const PsRecord *r = roster->records->pdata[page->record];
  g_autofree char *seq = g_strdup_printf ("%d", page->seq);
  csv_append (csv, seq, false);
  csv_append (csv, r->values[PS_FIELD_XH], false);
  csv_append (csv, r->values[PS_FIELD_CJM], false);
  csv_append (csv, r->values[PS_FIELD_XM], false);
  csv_append (csv, r->values[PS_FIELD_ZJHM], false);
  csv_append (csv, sha, true);
}

/* Everything one rendering run needs; the same code renders a fresh batch
 * and pages of a recorded one (print jobs, reprints).
 *
 * Threads.  The pages of a run are cut into tasks: a separator page, or one
 * student's consecutive sheets.  Workers (options->jobs of them) take tasks
 * from a queue and do everything that is per page and independent: read and
 * hash the photo, decode it and convert it to sRGB once (its surface then
 * serves every copy, every sheet and every output of that student), draw the
 * raster pages with their own PsRenderer (Pango is per thread), hash them,
 * convert them to the printer's space and encode the TIFF/PNG files.  The
 * calling thread hands tasks out, at most `window` ahead of the oldest
 * unfinished one, and takes them back strictly in page order: it alone draws
 * the PDF (a cairo PDF surface is single-threaded), appends the manifest rows
 * and calls the progress callback.  So the bytes written do not depend on the
 * number of threads or on their timing, and memory holds `window` photos and
 * one raster page per worker whatever the batch size.  With jobs = 1 there
 * is no thread at all: the calling thread does each task itself. */
typedef struct {
  const PsRoster *roster;
  const PsPlan *plan;
  const PsLayout *layout;
  char *const *photo_paths;       /* per record */
  char *const *photo_sha256;      /* per record, to verify (ledger runs), or NULL */
  PsColor *color;
  PsRenderer *renderer;           /* the calling thread's: PDF, and rasters when jobs = 1 */
  int dpi;
  unsigned formats;
  PsTiffCompression tiff_compression;
  int jobs;                       /* worker threads; <= 1 = none */
  bool proof;
  bool pdf_device_rgb;            /* PDF photos in the printer's RGB (an RGB profile) */
  const char *mark;               /* reprint mark text, or NULL */
  PsProgressFunc progress;
  void *progress_data;
  char *tiff_dir;
  char *png_dir;
  cairo_surface_t *pdf;
  cairo_t *pdf_cr;
  char *pdf_part;
  cairo_surface_t *raster;        /* the calling thread's raster page, reused */
  char **page_sha256;             /* per page: sha256 of the raster pixels */
  char **record_sha256;           /* per record: sha256 of the photo file */
} Batch;

/* What draws raster pages: a renderer and a page-sized surface, one per
 * thread. */
typedef struct {
  PsRenderer *renderer;
  cairo_surface_t *raster;
  bool owned;                     /* a worker's: freed with it */
} Drawer;

static void
batch_clear (Batch *b)
{
  g_clear_pointer (&b->pdf_cr, cairo_destroy);
  g_clear_pointer (&b->pdf, cairo_surface_destroy);
  if (b->pdf_part != NULL)
    g_unlink (b->pdf_part);
  g_clear_pointer (&b->pdf_part, g_free);
  g_clear_pointer (&b->raster, cairo_surface_destroy);
  g_clear_pointer (&b->renderer, _ps_renderer_free);
  g_clear_pointer (&b->tiff_dir, g_free);
  g_clear_pointer (&b->png_dir, g_free);
  if (b->plan != NULL)
    {
      for (size_t i = 0; b->page_sha256 != NULL && i < b->plan->pages->len; i++)
        g_free (b->page_sha256[i]);
      for (size_t i = 0; b->record_sha256 != NULL && i < b->roster->records->len; i++)
        g_free (b->record_sha256[i]);
    }
  g_clear_pointer (&b->page_sha256, g_free);
  g_clear_pointer (&b->record_sha256, g_free);
}

/* The page's identity: a digest of its pixels, independent of the file
 * format and compression it is written in.  8 MB a page at 300 dpi: nettle
 * uses the CPU's SHA instructions where GLib cannot; same digest. */
static char *
raster_sha256 (cairo_surface_t *surface)
{
  int h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  size_t len = (size_t) h * (size_t) stride;
#if HAVE_NETTLE
  struct sha256_ctx ctx;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex = g_malloc (2 * SHA256_DIGEST_SIZE + 1);
  sha256_init (&ctx);
  sha256_update (&ctx, len, data);
  sha256_digest (&ctx, SHA256_DIGEST_SIZE, digest);
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
#else
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, data, (gssize) len);
  return g_strdup (g_checksum_get_string (sum));
#endif
}

static void
draw_mark (const Batch *b, PsRenderer *renderer, cairo_t *cr)
{
  if (b->mark != NULL)
    _ps_renderer_draw_mark (renderer, cr, b->mark);
}

#define PS_MAX_PAGE_PIXELS 150e6

static cairo_surface_t *
new_raster (const Batch *b, GError **error)
{
  double wd = b->layout->sheet_width / 72.0 * b->dpi;
  double hd = b->layout->sheet_height / 72.0 * b->dpi;
  /* Every worker holds one page: a valid layout at an absurd --dpi must be
   * refused, not swap the machine to death.  An A4 page at 1200 dpi is
   * 140 Mpx. */
  if (wd * hd > PS_MAX_PAGE_PIXELS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_FAILED,
                   "a %.0f x %.0f px page at %d dpi is larger than %.0f Mpx", wd, hd, b->dpi,
                   PS_MAX_PAGE_PIXELS / 1e6);
      return NULL;
    }
  int w = (int) lround (wd);
  int h = (int) lround (hd);
  cairo_surface_t *raster = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status (raster) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_FAILED,
                   "cannot allocate a %d x %d page: %s", w, h,
                   cairo_status_to_string (cairo_surface_status (raster)));
      cairo_surface_destroy (raster);
      return NULL;
    }
  return raster;
}

/* Draws @page at the dpi and writes its raster files; *@sha (out) = the
 * raster digest.  Any thread, with its own @d. */
static bool
render_raster (const Batch *b, Drawer *d, const PsPage *page, cairo_surface_t *photo,
               char **sha, GError **error)
{
  if (d->raster == NULL && (d->raster = new_raster (b, error)) == NULL)
    return false;
  cairo_t *cr = cairo_create (d->raster);
  cairo_scale (cr, b->dpi / 72.0, b->dpi / 72.0);
  bool ok = _ps_renderer_draw_page (d->renderer, cr, b->roster, b->plan, page, photo, error);
  if (ok)
    draw_mark (b, d->renderer, cr);
  cairo_destroy (cr);
  cairo_surface_flush (d->raster);
  if (!ok)
    return false;

  *sha = raster_sha256 (d->raster);
  g_autofree char *name = g_strdup_printf ("%04zu", page->number);
  if (b->formats & PS_FORMAT_TIFF)
    {
      g_autofree char *file = g_strdup_printf ("%s.tif", name);
      g_autofree char *path = g_build_filename (b->tiff_dir, file, NULL);
      if (!write_tiff (b->color, d->raster, b->dpi, b->tiff_compression, path, error))
        return false;
    }
  if (b->formats & PS_FORMAT_PNG)
    {
      g_autofree char *file = g_strdup_printf ("%s.png", name);
      g_autofree char *path = g_build_filename (b->png_dir, file, NULL);
      if (!write_png (d->raster, path, error))
        return false;
    }
  if (b->proof)
    {
      /* The proof is drawn on a copy: the page itself goes to print. */
      cairo_surface_t *proof = cairo_surface_create_similar_image (d->raster, CAIRO_FORMAT_RGB24,
                                                                   cairo_image_surface_get_width (d->raster),
                                                                   cairo_image_surface_get_height (d->raster));
      cairo_t *pcr = cairo_create (proof);
      cairo_set_source_surface (pcr, d->raster, 0, 0);
      cairo_set_operator (pcr, CAIRO_OPERATOR_SOURCE);
      cairo_paint (pcr);
      cairo_destroy (pcr);
      g_autofree char *file = g_strdup_printf ("%s-proof.png", name);
      g_autofree char *path = g_build_filename (b->png_dir, file, NULL);
      bool ok2 = _ps_color_proof_surface (b->color, proof, error) && write_png (proof, path, error);
      cairo_surface_destroy (proof);
      if (!ok2)
        return false;
    }
  return true;
}

static bool
open_pdf (Batch *b, const char *path, GError **error)
{
  b->pdf_part = part_path (path);
  b->pdf = cairo_pdf_surface_create (b->pdf_part, b->layout->sheet_width, b->layout->sheet_height);
  /* Fixed metadata: the same batch gives the same bytes. */
  cairo_pdf_surface_set_metadata (b->pdf, CAIRO_PDF_METADATA_TITLE, "photosheet sheets");
  cairo_pdf_surface_set_metadata (b->pdf, CAIRO_PDF_METADATA_CREATOR, "photosheet " PS_VERSION);
  cairo_pdf_surface_set_metadata (b->pdf, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
  cairo_pdf_surface_set_metadata (b->pdf, CAIRO_PDF_METADATA_MOD_DATE, "2000-01-01T00:00:00Z");
  b->pdf_cr = cairo_create (b->pdf);
  if (cairo_surface_status (b->pdf) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   cairo_status_to_string (cairo_surface_status (b->pdf)));
      return false;
    }
  return true;
}

static bool
close_pdf (Batch *b, const char *path, GError **error)
{
  cairo_destroy (g_steal_pointer (&b->pdf_cr));
  cairo_surface_finish (b->pdf);
  cairo_status_t status = cairo_surface_status (b->pdf);
  g_clear_pointer (&b->pdf, cairo_surface_destroy);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot write '%s': %s", path,
                   cairo_status_to_string (status));
      return false;
    }
  bool ok = commit_part (b->pdf_part, path, error);
  g_clear_pointer (&b->pdf_part, g_free);
  return ok;
}

/* Opens the outputs of a run: @pdf_path (NULL = no PDF), tiff/ and png/
 * under @out_dir. */
static bool
batch_open (Batch *b, const char *out_dir, const char *pdf_path, GError **error)
{
  b->renderer = _ps_renderer_new (b->layout, PS_MASK_PER_CHARACTER);
  b->tiff_dir = g_build_filename (out_dir, "tiff", NULL);
  b->png_dir = g_build_filename (out_dir, "png", NULL);
  b->page_sha256 = g_new0 (char *, b->plan->pages->len + 1);
  b->record_sha256 = g_new0 (char *, b->roster->records->len + 1);
  if (b->proof)
    b->formats |= PS_FORMAT_PNG;

  if (!make_dir (out_dir, error)
      || ((b->formats & PS_FORMAT_TIFF) && !make_dir (b->tiff_dir, error))
      || ((b->formats & PS_FORMAT_PNG) && !make_dir (b->png_dir, error))
      || (pdf_path != NULL && !open_pdf (b, pdf_path, error)))
    return false;
  /* Allocated now so that a page too large fails before any work. */
  if ((b->formats & (PS_FORMAT_TIFF | PS_FORMAT_PNG))
      && (b->raster = new_raster (b, error)) == NULL)
    return false;
  return true;
}

/* Reads a student's photo, checks it is the one recorded (when a recorded
 * hash is known), decodes and converts it.  *@sha (out): the file's sha256.
 * Any thread. */
static cairo_surface_t *
batch_load_photo (const Batch *b, size_t record, char **sha_out, GError **error)
{
  const PsRecord *r = b->roster->records->pdata[record];
  const char *path = b->photo_paths[record];
  g_autofree char *sha = ps_file_sha256 (path, error);
  if (sha == NULL)
    {
      g_prefix_error (error, "row %d: ", r->row);
      return NULL;
    }
  if (b->photo_sha256 != NULL && g_strcmp0 (b->photo_sha256[record], sha) != 0)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_MISMATCH,
                   "row %d: photo '%s' has changed since the batch was rendered "
                   "(sha256 %.12s…, recorded %.12s…)",
                   r->row, path, sha, b->photo_sha256[record] ? b->photo_sha256[record] : "none");
      return NULL;
    }
  /* A photo converted for the printer is no longer the file's JPEG. */
  cairo_surface_t *photo = load_photo (b->color, path, b->pdf != NULL && !b->pdf_device_rgb,
                                       error);
  if (photo == NULL)
    {
      g_prefix_error (error, "row %d: ", r->row);
      return NULL;
    }
  *sha_out = g_steal_pointer (&sha);
  return photo;
}

/* The photo in the printer's own RGB, for the PDF.  With an RGB printer
 * profile the PDF then carries what the TIFF carries - photos converted once,
 * by lcms2, with the batch's intent and BPC; black and white are the same in
 * every space - so the jobs sent to CUPS are colour-managed and CUPS is told
 * not to convert them again (cm-calibration).  A CMYK profile cannot be
 * expressed in a cairo PDF: that PDF stays sRGB, and the TIFFs are the
 * colour-managed output. */
static cairo_surface_t *
photo_to_device_rgb (PsColor *color, cairo_surface_t *photo)
{
  int w = cairo_image_surface_get_width (photo);
  int h = cairo_image_surface_get_height (photo);
  cairo_surface_t *out = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  const guint8 *src = cairo_image_surface_get_data (photo);
  int src_stride = cairo_image_surface_get_stride (photo);
  guint8 *dst = cairo_image_surface_get_data (out);
  int dst_stride = cairo_image_surface_get_stride (out);
  g_autofree guint8 *rgb = g_malloc ((size_t) w * 3);

  cairo_surface_flush (photo);
  for (int y = 0; y < h; y++)
    {
      _ps_color_row_to_output (color, src + (size_t) y * src_stride, rgb, w);
      guint32 *row = (guint32 *) (void *) (dst + (size_t) y * dst_stride);
      for (int x = 0; x < w; x++)
        row[x] = 0xff000000u | (guint32) rgb[3 * x] << 16 | (guint32) rgb[3 * x + 1] << 8
                 | rgb[3 * x + 2];
    }
  cairo_surface_mark_dirty (out);
  return out;
}

/* One unit of work: a separator page or one student's consecutive sheets
 * (pages first .. first + n_pages - 1 of the run). */
typedef struct {
  size_t first;
  size_t n_pages;
  size_t record;                  /* G_MAXSIZE: a separator */
  cairo_surface_t *photo;         /* the student's, for every sheet and the PDF */
  cairo_surface_t *pdf_photo;     /* the same in the printer's RGB, or NULL */
  char *photo_sha256;
  char **page_sha256;             /* n_pages, when rasters are drawn */
  GError *error;
  bool done;                      /* under Pipeline.lock */
} Task;

/* The hand-off between the calling thread and the workers.  Plain pthread
 * primitives rather than GMutex/GAsyncQueue: GLib's are futex-based on
 * Linux, which ThreadSanitizer cannot see, and these few lines are where a
 * race would hide. */
typedef struct {
  const Batch *b;
  const size_t *numbers;          /* NULL = every page */
  Task *ring;                     /* window slots; task k is ring[k % window] */
  size_t window;
  pthread_mutex_t lock;           /* guards everything below and Task.done */
  pthread_cond_t work;            /* a task was handed out, or stop */
  pthread_cond_t done;            /* a task is done */
  size_t head;                    /* tasks handed out */
  size_t claimed;                 /* tasks taken by a worker */
  bool stop;                      /* workers leave; unclaimed tasks are not run */
} Pipeline;

static const PsPage *
run_page (const Batch *b, const size_t *numbers, size_t i)
{
  size_t index = numbers != NULL ? numbers[i] - 1 : i;
  return &g_array_index (b->plan->pages, PsPage, index);
}

static void
task_clear (Task *t, size_t n_page_sha)
{
  g_clear_pointer (&t->photo, cairo_surface_destroy);
  g_clear_pointer (&t->pdf_photo, cairo_surface_destroy);
  g_clear_pointer (&t->photo_sha256, g_free);
  for (size_t i = 0; t->page_sha256 != NULL && i < n_page_sha; i++)
    g_free (t->page_sha256[i]);
  g_clear_pointer (&t->page_sha256, g_free);
  g_clear_error (&t->error);
  memset (t, 0, sizeof *t);
}

/* The per-page work of a task: any thread, with its own @d. */
static void
task_run (const Batch *b, const size_t *numbers, Drawer *d, Task *t)
{
  if (t->record != G_MAXSIZE)
    {
      t->photo = batch_load_photo (b, t->record, &t->photo_sha256, &t->error);
      if (t->photo == NULL)
        return;
      if (b->pdf != NULL && b->pdf_device_rgb)
        t->pdf_photo = photo_to_device_rgb (b->color, t->photo);
    }
  if (b->formats & (PS_FORMAT_TIFF | PS_FORMAT_PNG))
    {
      t->page_sha256 = g_new0 (char *, t->n_pages);
      for (size_t k = 0; k < t->n_pages; k++)
        {
          const PsPage *page = run_page (b, numbers, t->first + k);
          cairo_surface_t *photo = page->kind == PS_PAGE_SHEET ? t->photo : NULL;
          if (!render_raster (b, d, page, photo, &t->page_sha256[k], &t->error))
            return;
        }
    }
}

static gpointer
pipeline_worker (gpointer data)
{
  Pipeline *p = data;
  /* Created here: the renderer's Pango context is on this thread's font map. */
  Drawer d = { _ps_renderer_new (p->b->layout, PS_MASK_PER_CHARACTER), NULL, true };
  pthread_mutex_lock (&p->lock);
  for (;;)
    {
      while (!p->stop && p->claimed == p->head)
        pthread_cond_wait (&p->work, &p->lock);
      if (p->stop)
        break;
      Task *t = &p->ring[p->claimed++ % p->window];
      pthread_mutex_unlock (&p->lock);
      task_run (p->b, p->numbers, &d, t);
      pthread_mutex_lock (&p->lock);
      t->done = true;
      pthread_cond_broadcast (&p->done);
    }
  pthread_mutex_unlock (&p->lock);
  g_clear_pointer (&d.raster, cairo_surface_destroy);
  _ps_renderer_free (d.renderer);
  return NULL;
}

/* Takes a finished task back, in page order: the PDF pages, the manifest
 * rows, the digests, the progress.  The calling thread only. */
static bool
task_finish (Batch *b, const size_t *numbers, size_t total, Task *t, GString *manifest,
             GError **error)
{
  if (t->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&t->error));
      return false;
    }
  if (t->record != G_MAXSIZE && b->record_sha256[t->record] == NULL)
    b->record_sha256[t->record] = g_steal_pointer (&t->photo_sha256);
  for (size_t k = 0; k < t->n_pages; k++)
    {
      const PsPage *page = run_page (b, numbers, t->first + k);
      cairo_surface_t *photo = page->kind == PS_PAGE_SHEET ? t->photo : NULL;
      if (photo != NULL && t->pdf_photo != NULL)
        photo = t->pdf_photo;
      if (b->pdf != NULL)
        {
          bool ok = _ps_renderer_draw_page (b->renderer, b->pdf_cr, b->roster, b->plan, page,
                                            photo, error);
          if (ok)
            draw_mark (b, b->renderer, b->pdf_cr);
          cairo_show_page (b->pdf_cr);
          if (!ok)
            return false;
        }
      if (t->page_sha256 != NULL)
        {
          g_free (b->page_sha256[page->number - 1]);
          b->page_sha256[page->number - 1] = g_steal_pointer (&t->page_sha256[k]);
        }
      if (manifest != NULL)
        manifest_row (manifest, b->roster, b->plan, page,
                      page->kind == PS_PAGE_SHEET ? b->record_sha256[page->record] : NULL);
      if (b->progress != NULL)
        b->progress (t->first + k + 1, total, b->progress_data);
    }
  return true;
}

/* Cuts the run into its next task, starting at page @i. */
static void
task_init (const Batch *b, const size_t *numbers, size_t total, size_t i, Task *t)
{
  const PsPage *page = run_page (b, numbers, i);
  t->first = i;
  t->n_pages = 1;
  t->record = page->kind == PS_PAGE_SHEET ? page->record : G_MAXSIZE;
  /* A student's sheets are consecutive: one decode serves them all. */
  while (t->record != G_MAXSIZE && i + t->n_pages < total)
    {
      const PsPage *next = run_page (b, numbers, i + t->n_pages);
      if (next->kind != PS_PAGE_SHEET || next->record != t->record)
        break;
      t->n_pages++;
    }
}

/* Renders the pages numbered @numbers (NULL = every page), in order. */
static bool
batch_render (Batch *b, const size_t *numbers, size_t n, GString *manifest, GError **error)
{
  size_t total = numbers != NULL ? n : b->plan->pages->len;
  for (size_t i = 0; numbers != NULL && i < n; i++)
    g_return_val_if_fail (numbers[i] >= 1 && numbers[i] <= b->plan->pages->len, false);

  int n_workers = b->jobs > 1 ? b->jobs : 0;
  /* Enough tasks ahead to keep every worker busy while the calling thread
   * writes the PDF, few enough that memory does not follow the batch. */
  size_t window = n_workers > 0 ? (size_t) n_workers * 2 + 2 : 1;
  g_autofree Task *ring = g_new0 (Task, window);
  Pipeline p = { .b = b, .numbers = numbers, .ring = ring, .window = window };
  g_autofree GThread **threads = g_new0 (GThread *, n_workers + 1);
  Drawer self = { b->renderer, b->raster, false };

  if (n_workers > 0)
    {
      pthread_mutex_init (&p.lock, NULL);
      pthread_cond_init (&p.work, NULL);
      pthread_cond_init (&p.done, NULL);
      for (int w = 0; w < n_workers; w++)
        threads[w] = g_thread_new ("ps-render", pipeline_worker, &p);
    }

  size_t next_page = 0;           /* first page not yet in a task */
  size_t head = 0, tail = 0;      /* tasks handed out / taken back */
  bool ok = true;
  while (ok && (tail < head || next_page < total))
    {
      /* Hand out tasks up to the window.  A slot is reused only after the
       * calling thread took its task back (under the lock), so filling it
       * needs no lock; publishing it does. */
      while (next_page < total && head - tail < window)
        {
          Task *t = &ring[head % window];
          task_init (b, numbers, total, next_page, t);
          next_page += t->n_pages;
          head++;
          if (n_workers > 0)
            {
              pthread_mutex_lock (&p.lock);
              p.head = head;
              pthread_cond_signal (&p.work);
              pthread_mutex_unlock (&p.lock);
            }
          else
            {
              task_run (b, numbers, &self, t);
              t->done = true;
            }
        }

      /* Take back the oldest, in order. */
      Task *t = &ring[tail % window];
      if (n_workers > 0)
        {
          pthread_mutex_lock (&p.lock);
          while (!t->done)
            pthread_cond_wait (&p.done, &p.lock);
          pthread_mutex_unlock (&p.lock);
        }
      ok = task_finish (b, numbers, total, t, manifest, error);
      task_clear (t, t->n_pages);
      tail++;
    }

  if (n_workers > 0)
    {
      /* On failure the tasks not yet claimed are dropped, the claimed ones
       * finish; every worker is joined before anything they use is freed. */
      pthread_mutex_lock (&p.lock);
      p.stop = true;
      pthread_cond_broadcast (&p.work);
      pthread_mutex_unlock (&p.lock);
      for (int w = 0; w < n_workers; w++)
        g_thread_join (threads[w]);
      pthread_mutex_destroy (&p.lock);
      pthread_cond_destroy (&p.work);
      pthread_cond_destroy (&p.done);
    }
  for (; tail < head; tail++)
    task_clear (&ring[tail % window], ring[tail % window].n_pages);
  b->raster = self.raster;
  return ok;
}

static char *
batch_key (const PsLedgerBatch *lb)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *settings = g_strdup_printf ("%s\n%s\n%s\n%d\n%d\n%d\n%d\n%u\n%s\n",
                                               lb->roster_sha256, lb->layout_name,
                                               lb->profile_sha256 ? lb->profile_sha256 : "srgb",
                                               lb->intent, lb->bpc, lb->dpi, lb->order,
                                               lb->formats, lb->out_dir);
  g_checksum_update (sum, (const guchar *) settings, -1);
  g_checksum_update (sum, (const guchar *) lb->layout_text, -1);
  return g_strdup (g_checksum_get_string (sum));
}

/* Writes the rendered batch into the ledger (OUT/ledger.sqlite unless
 * another one is named). */
static bool
record_in_ledger (Batch *b, const PsRoster *roster, const PsRenderOptions *options,
                  char *const *photo_paths, GError **error)
{
  const char *path = options->ledger_path;
  g_autofree char *default_path = NULL;
  if (path != NULL && *path == '\0')
    return true;   /* "" = no ledger */
  if (path == NULL)
    path = default_path = g_build_filename (options->out_dir, "ledger.sqlite", NULL);

  g_autoptr (PsLedger) ledger = ps_ledger_open (path, error);
  if (ledger == NULL)
    return false;

  PsLedgerBatch lb = {
    .out_dir = g_canonicalize_filename (options->out_dir, NULL),
    .roster_path = g_canonicalize_filename (roster->path, NULL),
    .roster_sha256 = g_strdup (roster->sha256),
    .layout_name = g_strdup (b->layout->name),
    .layout_text = g_strdup (b->layout->text != NULL ? b->layout->text : ""),
    .profile_path = options->profile_path ? g_canonicalize_filename (options->profile_path, NULL) : NULL,
    .profile_sha256 = options->profile_path ? ps_file_sha256 (options->profile_path, NULL) : NULL,
    .intent = options->intent,
    .bpc = !options->no_bpc,
    .dpi = b->dpi,
    .order = options->order,
    .formats = b->formats,
    .engine_version = g_strdup (PS_VERSION),
  };
  lb.key = batch_key (&lb);
  /* Absolute paths: a reprint months later may run from anywhere. */
  size_t n = roster->records->len;
  g_auto (GStrv) absolute = g_new0 (char *, n + 1);
  for (size_t i = 0; i < n; i++)
    absolute[i] = photo_paths[i] ? g_canonicalize_filename (photo_paths[i], NULL) : NULL;
  gint64 id = _ps_ledger_record_batch (ledger, &lb, roster, b->plan, absolute,
                                       b->record_sha256, b->page_sha256, error);
  for (size_t i = 0; i < n; i++)
    g_clear_pointer (&absolute[i], g_free);
  _ps_ledger_batch_clear (&lb);
  return id > 0;
}

bool
ps_render_batch (const PsRoster *roster, const PsCheck *check, const PsRenderOptions *options,
                 PsRenderSummary *summary, GError **error)
{
  g_return_val_if_fail (roster != NULL && check != NULL && options != NULL, false);
  g_return_val_if_fail (options->layout != NULL && options->out_dir != NULL, false);

  if (!make_dir (options->out_dir, error) || !write_exceptions (check, options->out_dir, error))
    return false;

  size_t n_records = ps_roster_get_n_records (roster);
  size_t n_printable = ps_check_get_n_printable (check);
  size_t n_problems = ps_check_get_n_problems (check);
  if (n_problems > 0 && !options->skip_invalid)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_REFUSED,
                   "%zu problem%s in the batch: nothing rendered (see %s/exceptions.csv; "
                   "--skip-invalid renders the rest)",
                   n_problems, n_problems == 1 ? "" : "s", options->out_dir);
      return false;
    }
  if (n_printable == 0)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_REFUSED,
                   "no printable student in the batch: nothing rendered (see %s/exceptions.csv)",
                   options->out_dir);
      return false;
    }

  g_autofree bool *include = g_new (bool, n_records);
  g_autofree char **photo_paths = g_new0 (char *, n_records + 1);
  for (size_t i = 0; i < n_records; i++)
    {
      include[i] = ps_check_is_printable (check, i);
      photo_paths[i] = (char *) ps_check_get_photo_path (check, i);
    }

  g_autoptr (PsPlan) plan = _ps_plan_new (roster, include, options->layout, options->order);
  g_autoptr (PsColor) color = _ps_color_new (options->profile_path, options->intent,
                                             !options->no_bpc, error);
  if (color == NULL)
    return false;

  Batch b = {
    .roster = roster,
    .plan = plan,
    .layout = options->layout,
    .photo_paths = photo_paths,
    .color = color,
    .dpi = options->dpi > 0 ? options->dpi : options->layout->dpi,
    .formats = options->formats != 0 ? options->formats : (PS_FORMAT_PDF | PS_FORMAT_TIFF),
    .tiff_compression = options->tiff_compression,
    .jobs = options->jobs > 0 ? options->jobs : (int) g_get_num_processors (),
    .proof = options->proof,
    .pdf_device_rgb = options->profile_path != NULL && _ps_color_get_output_channels (color) == 3,
    .progress = options->progress,
    .progress_data = options->progress_data,
  };
  g_autofree char *pdf_path = g_build_filename (options->out_dir, "sheets.pdf", NULL);
  g_autoptr (GString) manifest = g_string_new ("page,kind,class,seq,xh,cjm,name_masked,id_last4,photo_sha256\r\n");

  bool ok = batch_open (&b, options->out_dir, (b.formats & PS_FORMAT_PDF) ? pdf_path : NULL, error)
            && batch_render (&b, NULL, 0, manifest, error)
            && (b.pdf == NULL || close_pdf (&b, pdf_path, error));
  if (ok)
    {
      g_autofree char *path = g_build_filename (options->out_dir, "manifest.csv", NULL);
      ok = write_atomically (path, manifest->str, manifest->len, error)
           && record_in_ledger (&b, roster, options, photo_paths, error);
    }
  if (ok)
    {
      size_t n_pages = plan->pages->len;
      if (b.formats & PS_FORMAT_TIFF)
        remove_stale_pages (b.tiff_dir, ".tif", n_pages);
      if (b.formats & PS_FORMAT_PNG)
        remove_stale_pages (b.png_dir, ".png", n_pages);
      if (summary != NULL)
        {
          summary->pages = n_pages;
          summary->separators = plan->classes->len;
          summary->sheets = n_pages - plan->classes->len;
          summary->students = plan->n_students;
          summary->skipped = ps_roster_get_n_rows (roster) - n_printable;
        }
    }
  batch_clear (&b);
  return ok;
}

bool
_ps_output_render_recorded (PsLedgerBatchData *data, const size_t *numbers, size_t n,
                            const char *out_dir, const char *pdf_path, unsigned formats,
                            const char *mark, char ***page_sha256, GError **error)
{
  const PsLedgerBatch *lb = &data->batch;
  g_autofree char *layout_label = g_strdup_printf ("%s (as recorded)", lb->layout_name);
  g_autoptr (PsLayout) layout = _ps_layout_load_from_data (lb->layout_name, layout_label,
                                                          lb->layout_text, strlen (lb->layout_text),
                                                          error);
  if (layout == NULL)
    return false;
  if (lb->profile_path != NULL)
    {
      g_autofree char *sha = ps_file_sha256 (lb->profile_path, error);
      if (sha == NULL)
        return false;
      if (g_strcmp0 (sha, lb->profile_sha256) != 0)
        {
          g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_MISMATCH,
                       "profile '%s' has changed since the batch was rendered", lb->profile_path);
          return false;
        }
    }
  g_autoptr (PsColor) color = _ps_color_new (lb->profile_path, (PsIntent) lb->intent, lb->bpc, error);
  if (color == NULL)
    return false;

  Batch b = {
    .roster = data->roster,
    .plan = data->plan,
    .layout = layout,
    .photo_paths = (char *const *) data->photo_paths->pdata,
    .photo_sha256 = (char *const *) data->photo_sha256->pdata,
    .color = color,
    .dpi = lb->dpi,
    .formats = formats,
    .jobs = 1,   /* a few pages: serial */
    .pdf_device_rgb = lb->profile_path != NULL && _ps_color_get_output_channels (color) == 3,
    .mark = mark,
  };
  bool ok = batch_open (&b, out_dir, pdf_path, error)
            && batch_render (&b, numbers, n, NULL, error)
            && (b.pdf == NULL || close_pdf (&b, pdf_path, error));
  if (ok && page_sha256 != NULL)
    {
      *page_sha256 = g_new0 (char *, n + 1);
      for (size_t i = 0; i < n; i++)
        (*page_sha256)[i] = g_strdup (b.page_sha256[numbers[i] - 1]);
    }
  batch_clear (&b);
  return ok;
}
