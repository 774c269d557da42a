/* test-print-device.c - what reaches the printer is what was colour-managed
 * (issue 11, acceptance 1 and 3), through a real cupsd.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A batch is printed with a CMYK and an RGB profile to the harness's device
 * queue (tests/cups/harness.sh: its virtual printer takes only PWG raster,
 * its PPD declares device CMYK and RGB).  The test decodes what the virtual
 * printer received, compares it to the TIFF pages and, on flat patches of
 * the photo, to a direct lcms2 transform of the source; checks that black
 * is K only; and reads cupsd's debug log to see that CUPS ran no filter
 * (no conversion of any kind) on the jobs.  A CMYK batch to the ordinary
 * queue (PDF and Apple raster, no PWG pass-through) goes as the device PDF.
 * With the print room (issue 13): a class of one ordinary and the device
 * queue gets each member's own format; a queue that takes neither (a
 * JPEG-only PPD the test makes) is refused before anything is recorded,
 * and so is a class of only such members.
 */
#include "config.h"
#include "ps-test-util.h"

#include <cups/raster.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <lcms2.h>
#include <math.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);
  g_assert_nonnull (value);
  return value;
}

static bool
have_cups (void)
{
  if (g_getenv ("PS_TEST_DEVICE_QUEUE") == NULL)
    {
      g_test_skip ("no CUPS harness (run through tests/cups/run-with-cups.sh)");
      return false;
    }
  return true;
}

static void
clear_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
}

static gint
by_job_number (gconstpointer a, gconstpointer b)
{
  long ia = atol (*(const char *const *) a), ib = atol (*(const char *const *) b);
  return (ia > ib) - (ia < ib);
}

/* Files of @spool ending in @suffix, in the order the printer got them
 * (its job number starts the name). */
static GPtrArray *
received (const char *spool, const char *suffix)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (spool, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, suffix))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, by_job_number);
  return files;
}

/* Renders a batch of the first @n students of the samples. */
static char *
render_batch (const char *dir, const char *profile, int n)
{
  g_autofree char *all = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (all, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GString) small = g_string_new (NULL);
  for (int i = 0; i <= n && lines[i] != NULL; i++)
    g_string_append_printf (small, "%s\n", lines[i]);
  g_autofree char *roster = g_build_filename (dir, "small.csv", NULL);
  ps_test_write_file (roster, small->str, -1);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *base = g_path_get_basename (profile);
  char *out = g_build_filename (dir, base, NULL);
  const char *args[] = { "render", "--roster", roster, "--photos", photos, "--out", out,
                         "--profile", profile, "--format", "pdf,tiff", NULL };
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli (args, &so, &se);
  g_test_message ("render: %s%s", so, se);
  g_assert_cmpint (status, ==, 0);
  return out;
}

static void
print_batch (const char *out, const char *queue)
{
  const char *args[] = { "print", "--batch", out, "--printer", queue, "--server",
                         env ("CUPS_SERVER"), "-o", "outputorder=normal", "--timeout", "120", NULL };
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli (args, &so, &se);
  g_test_message ("print: %s%s", so, se);
  g_assert_cmpint (status, ==, 0);
}

/* cupsd's ids of the jobs queued on @queue, from its log. */
static GArray *
queue_jobs (const char *queue)
{
  g_autofree char *path = g_build_filename (env ("PS_CUPS_DIR"), "log", "error_log", NULL);
  g_autofree char *log = NULL;
  g_assert_true (g_file_get_contents (path, &log, NULL, NULL));
  g_autofree char *queued = g_strdup_printf ("] Queued on \"%s\"", queue);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int));
  g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      const char *job = strstr (lines[i], "[Job ");
      if (job != NULL && strstr (lines[i], queued) != NULL)
        {
          int id = atoi (job + 5);
          g_array_append_val (ids, id);
        }
    }
  return ids;
}

/* cupsd's debug log: the filters of job @id, and what it was submitted as. */
static void
job_filters (int id, GPtrArray *filters, char **format, bool *started_filter)
{
  g_autofree char *path = g_build_filename (env ("PS_CUPS_DIR"), "log", "error_log", NULL);
  g_autofree char *log = NULL;
  g_assert_true (g_file_get_contents (path, &log, NULL, NULL));
  g_autofree char *tag = g_strdup_printf ("[Job %d] ", id);
  g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
  *format = NULL;
  *started_filter = false;
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      const char *at = strstr (lines[i], tag);
      if (at == NULL)
        continue;
      at += strlen (tag);
      if (g_str_has_suffix (at, "filters for job:"))
        for (size_t k = i + 1; lines[k] != NULL && strstr (lines[k], tag) != NULL; k++)
          {
            const char *f = strstr (lines[k], tag) + strlen (tag);
            if (!g_str_has_suffix (f, ")") || strstr (f, ", cost ") == NULL)
              break;
            g_ptr_array_add (filters, g_strdup (f));
          }
      if (g_str_has_prefix (at, "document-format=\\\"") && *format == NULL)
        *format = g_strndup (at + 18, strcspn (at + 18, "\\"));
      if (g_str_has_prefix (at, "Started filter "))
        *started_filter = true;
    }
}

static void
read_tiff (const char *path, int *w, int *h, int *c, guint8 **data)
{
  TIFF *tif = TIFFOpen (path, "r");
  g_assert_nonnull (tif);
  uint32_t tw = 0, th = 0;
  uint16_t spp = 0;
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &tw);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &th);
  TIFFGetField (tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  *w = (int) tw;
  *h = (int) th;
  *c = spp;
  *data = g_malloc ((size_t) tw * th * spp);
  for (uint32_t y = 0; y < th; y++)
    g_assert_cmpint (TIFFReadScanline (tif, *data + (size_t) y * tw * spp, y, 0), ==, 1);
  TIFFClose (tif);
}

static void
device_to_lab (cmsHPROFILE printer, int channels, const double *v, cmsCIELab *lab)
{
  cmsHPROFILE lab_profile = cmsCreateLab4Profile (NULL);
  cmsHTRANSFORM x = cmsCreateTransform (printer, channels == 4 ? TYPE_CMYK_DBL : TYPE_RGB_DBL,
                                        lab_profile, TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
  double in[4];
  for (int c = 0; c < channels; c++)
    in[c] = channels == 4 ? v[c] / 255.0 * 100.0 : v[c] / 255.0;
  cmsDoTransform (x, in, lab, 1);
  cmsDeleteTransform (x);
  cmsCloseProfile (lab_profile);
}

/* The mean of the source photo over a box of background (flat), straight
 * to the printer by lcms2, against the mean of the same box as received. */
static double
flat_patch_delta_e (const char *photo, const char *profile, const guint8 *page, int page_w,
                    int channels, int ox, int oy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRawImage) raw = _ps_photo_decode (photo, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw->channels, ==, 3);
  g_assert_null (raw->icc);
  const int x0 = 30, y0 = 30, n = 20;     /* source pixels: background, top left */
  double src[3] = { 0 };
  for (int y = y0; y < y0 + n; y++)
    for (int x = x0; x < x0 + n; x++)
      for (int c = 0; c < 3; c++)
        src[c] += raw->pixels[(size_t) y * raw->stride + (size_t) x * 3 + c];
  guint8 mean[3];
  for (int c = 0; c < 3; c++)
    mean[c] = (guint8) lround (src[c] / (n * n));

  cmsHPROFILE srgb = cmsCreate_sRGBProfile ();
  cmsHPROFILE printer = cmsOpenProfileFromFile (profile, "r");
  cmsHTRANSFORM direct = cmsCreateTransform (srgb, TYPE_RGB_8, printer,
                                             channels == 4 ? TYPE_CMYK_8 : TYPE_RGB_8,
                                             INTENT_RELATIVE_COLORIMETRIC,
                                             cmsFLAGS_BLACKPOINTCOMPENSATION);
  guint8 want8[4];
  cmsDoTransform (direct, mean, want8, 1);

  /* Where the box lands: the cover crop of slot 1 (ps-compose), inner part. */
  g_autoptr (PsLayout) layout = ps_layout_load ("default", NULL);
  PsRect slot = ps_layout_get_slot (layout, 0);
  PsPixelRect r = _ps_compose_slot_pixels (&slot, 300);
  double s = MAX (r.width / 480.0, r.height / 640.0);
  double sx0 = (480 - r.width / s) / 2, sy0 = (640 - r.height / s) / 2;
  int px0 = r.x + (int) ceil ((x0 + 2 - sx0) * s), px1 = r.x + (int) floor ((x0 + n - 2 - sx0) * s);
  int py0 = r.y + (int) ceil ((y0 + 2 - sy0) * s), py1 = r.y + (int) floor ((y0 + n - 2 - sy0) * s);
  double got[4] = { 0 }, want[4];
  int count = 0;
  for (int y = py0; y < py1; y++)
    for (int x = px0; x < px1; x++, count++)
      for (int c = 0; c < channels; c++)
        got[c] += page[((size_t) (y + oy) * page_w + (x + ox)) * channels + c];
  g_assert_cmpint (count, >, 50);
  for (int c = 0; c < channels; c++)
    {
      got[c] /= count;
      want[c] = want8[c];
    }
  cmsCIELab a, b;
  device_to_lab (printer, channels, got, &a);
  device_to_lab (printer, channels, want, &b);
  cmsDeleteTransform (direct);
  cmsCloseProfile (printer);
  cmsCloseProfile (srgb);
  return cmsCIE2000DeltaE (&a, &b, 1, 1, 1);
}

static void
check_device_print (const char *profile_name, unsigned cups_space, int channels)
{
  if (!have_cups ())
    return;
  const char *spool = env ("PS_TEST_DEVICE_SPOOL");
  clear_dir (spool);
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *profile = g_build_filename (env ("PS_PROFILES_DIR"), profile_name, NULL);
  g_autofree char *out = render_batch (dir, profile, 2);
  print_batch (out, env ("PS_TEST_DEVICE_QUEUE"));

  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_autoptr (GPtrArray) pwg = received (spool, ".pwg");
  g_autoptr (GPtrArray) pdf = received (spool, ".pdf");
  g_assert_cmpuint (pdf->len, ==, 0);
  g_assert_cmpuint (pwg->len, >, 0);

  g_autoptr (PsLayout) layout = ps_layout_load ("default", NULL);
  size_t page = 0;
  double worst_de = 0;
  size_t k_pixels = 0;
  /* CUPS: no filter program ran on any job of the queue; each went as it
   * was sent, PWG raster. */
  g_autoptr (GArray) jobs = queue_jobs (env ("PS_TEST_DEVICE_QUEUE"));
  g_assert_cmpuint (jobs->len, >=, pwg->len);
  for (guint j = 0; j < jobs->len; j++)
    {
      int id = g_array_index (jobs, int, j);
      g_autoptr (GPtrArray) filters = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *format = NULL;
      bool started = false;
      job_filters (id, filters, &format, &started);
      g_assert_cmpstr (format, ==, "image/pwg-raster");
      g_assert_cmpuint (filters->len, >, 0);
      for (guint i = 0; i < filters->len; i++)
        {
          g_test_message ("job %d filter: %s", id, (char *) filters->pdata[i]);
          g_assert_true (g_str_has_prefix (filters->pdata[i], "- ("));
        }
      g_assert_false (started);
    }
  for (guint f = 0; f < pwg->len; f++)
    {
      const char *name = pwg->pdata[f];

      g_autofree char *path = g_build_filename (spool, name, NULL);
      int fd = open (path, O_RDONLY);
      g_assert_cmpint (fd, >=, 0);
      cups_raster_t *ras = cupsRasterOpen (fd, CUPS_RASTER_READ);
      g_assert_nonnull (ras);
      cups_page_header2_t h;
      while (cupsRasterReadHeader2 (ras, &h))
        {
          g_assert_cmpuint (h.cupsColorSpace, ==, cups_space);
          g_assert_cmpuint (h.cupsBitsPerColor, ==, 8);
          g_assert_cmpuint (h.cupsNumColors, ==, (unsigned) channels);
          g_assert_cmpuint (h.HWResolution[0], ==, 300);
          g_autofree guint8 *data = g_malloc ((size_t) h.cupsBytesPerLine * h.cupsHeight);
          for (unsigned y = 0; y < h.cupsHeight; y++)
            g_assert_cmpuint (cupsRasterReadPixels (ras, data + (size_t) y * h.cupsBytesPerLine,
                                                    h.cupsBytesPerLine), ==, h.cupsBytesPerLine);
          /* The printer has the TIFF page's samples, centred on the media. */
          char **row = rows->pdata[page];
          g_autofree char *tname = g_strdup_printf ("%04d.tif", atoi (row[0]));
          g_autofree char *tpath = g_build_filename (out, "tiff", tname, NULL);
          int tw, th, tc;
          g_autofree guint8 *tiff = NULL;
          read_tiff (tpath, &tw, &th, &tc, &tiff);
          g_assert_cmpint (tc, ==, channels);
          int ox = ((int) h.cupsWidth - tw) / 2, oy = ((int) h.cupsHeight - th) / 2;
          g_assert_cmpint (ox, >=, 0);
          g_assert_cmpint (oy, >=, 0);
          int page_w = (int) h.cupsWidth;
          for (int y = 0; y < th; y++)
            if (memcmp (data + ((size_t) (y + oy) * page_w + ox) * channels,
                        tiff + (size_t) y * tw * channels, (size_t) tw * channels) != 0)
              g_error ("%s page %zu row %d differs from its TIFF", profile_name, page + 1, y);

          if (strcmp (row[1], "sheet") == 0)
            {
              g_autofree char *photo = g_strdup_printf ("%s/photos/%s.jpg", dir, row[5]);
              double de = flat_patch_delta_e (photo, profile, data, page_w, channels, ox, oy);
              worst_de = MAX (worst_de, de);
              g_assert_cmpfloat (de, <=, 1.0);
            }
          /* K only outside the photos (CMYK). */
          for (int y = 0; channels == 4 && y < th; y++)
            for (int x = 0; x < tw; x++)
              {
                bool in_photo = false;
                for (int s = 0; strcmp (row[1], "sheet") == 0 && s < ps_layout_get_copies (layout); s++)
                  {
                    PsRect slot = ps_layout_get_slot (layout, (size_t) s);
                    PsPixelRect r = _ps_compose_slot_pixels (&slot, 300);
                    in_photo |= x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
                  }
                const guint8 *px = data + ((size_t) (y + oy) * page_w + x + ox) * 4;
                if (in_photo)
                  continue;
                if (px[0] || px[1] || px[2])
                  g_error ("received page %zu (%d,%d): C/M/Y %d/%d/%d outside the photos", page + 1,
                           x, y, px[0], px[1], px[2]);
                k_pixels += px[3] == 255;
              }
          page++;
        }
      cupsRasterClose (ras);
      close (fd);
    }
  g_assert_cmpuint (page, ==, rows->len);
  if (channels == 4)
    g_assert_cmpuint (k_pixels, >, 1000);
  g_test_message ("%s: %zu pages received as PWG raster (cupsColorSpace %u), equal to the TIFFs; "
                  "flat patch ΔE2000 vs direct lcms2 ≤ %.3f; %zu pixels of 100 %% K, no C/M/Y",
                  profile_name, page, cups_space, worst_de, k_pixels);
  ps_test_rm_rf (dir);
}

static void
test_print_device_cmyk (void)
{
  check_device_print ("lab-cmyk.icc", CUPS_CSPACE_CMYK, 4);
}

static void
test_print_device_rgb (void)
{
  check_device_print ("lab-rgb.icc", CUPS_CSPACE_RGB, 3);
}

/* A queue that passes no PWG raster through (PDF and Apple raster) gets
 * the device-space PDF: CMYK ICC-tagged photos, CUPS's pdftopdf only. */
static void
test_print_device_pdf_fallback (void)
{
  if (!have_cups ())
    return;
  g_autofree char *pdfimages = g_find_program_in_path ("pdfimages");
  if (pdfimages == NULL)
    {
      g_test_skip ("pdfimages not installed");
      return;
    }
  const char *spool = env ("PS_TEST_SPOOL");
  clear_dir (spool);
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *profile = g_build_filename (env ("PS_PROFILES_DIR"), "lab-cmyk.icc", NULL);
  g_autofree char *out = render_batch (dir, profile, 1);
  print_batch (out, env ("PS_TEST_QUEUE"));
  g_autoptr (GPtrArray) pdf = received (spool, ".pdf");
  g_assert_cmpuint (pdf->len, >, 0);
  g_autoptr (GArray) jobs = queue_jobs (env ("PS_TEST_QUEUE"));
  g_assert_cmpuint (jobs->len, >, 0);
  for (guint j = 0; j < jobs->len; j++)
    {
      g_autoptr (GPtrArray) filters = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *format = NULL;
      bool started = false;
      job_filters (g_array_index (jobs, int, j), filters, &format, &started);
      g_assert_cmpstr (format, ==, "application/pdf");
      /* pdftopdf only (page handling, no colour); no rasteriser. */
      for (guint i = 0; i < filters->len; i++)
        {
          const char *line = filters->pdata[i];
          g_test_message ("filter: %s", line);
          g_assert_true (g_str_has_prefix (line, "pdftopdf ") || g_str_has_prefix (line, "- ("));
        }
    }
  for (guint f = 0; f < pdf->len; f++)
    {
      g_autofree char *cmd = g_strdup_printf ("pdfimages -list '%s/%s'", spool,
                                              (char *) pdf->pdata[f]);
      g_autofree char *list = NULL;
      g_assert_cmpint (ps_test_run_shell (cmd, &list), ==, 0);
      g_test_message ("%s", list);
      g_assert_nonnull (strstr (list, " icc "));
      g_assert_null (strstr (list, " rgb "));
    }
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Several printers: the format is each one's own                     */
/* ------------------------------------------------------------------ */

static void
lpadmin_ok (const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("lpadmin -h '%s' %s", env ("CUPS_SERVER"), args);
  g_autofree char *said = NULL;
  int status = ps_test_run_shell (cmd, &said);
  if (status != 0)
    g_error ("%s: %d: %s", cmd, status, said != NULL ? said : "");
}

/* Enables and accepts on @queue (a class just made is neither). */
static void
enable_queue (const char *queue)
{
  g_autofree char *cmd = g_strdup_printf ("cupsenable -h '%s' '%s' && cupsaccept -h '%s' '%s'",
                                          env ("CUPS_SERVER"), queue, env ("CUPS_SERVER"), queue);
  g_assert_cmpint (ps_test_run_shell (cmd, NULL), ==, 0);
}

static int
print_status (const char *out, const char *queue, char **se)
{
  const char *args[] = { "print", "--batch", out, "--printer", queue, "--server",
                         env ("CUPS_SERVER"), "-o", "outputorder=normal", "--timeout", "120", NULL };
  g_autofree char *so = NULL, *e = NULL;
  int status = ps_test_run_cli (args, &so, &e);
  g_test_message ("print to %s -> %d: %s%s", queue, status, so, e);
  if (se != NULL)
    *se = g_steal_pointer (&e);
  return status;
}

/* The jobs the ledger of @out recorded for its batch. */
static GPtrArray *
ledger_jobs (const char *out)
{
  g_autofree char *path = g_build_filename (out, "ledger.sqlite", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedger) ledger = ps_ledger_open_existing (path, &error);
  g_assert_no_error (error);
  gint64 id = _ps_ledger_find_batch_by_dir (ledger, out, &error);
  g_assert_no_error (error);
  GPtrArray *jobs = _ps_ledger_list_jobs (ledger, id, &error);
  g_assert_no_error (error);
  return jobs;
}

/* What cupsd says job @id was submitted as. */
static char *
job_format (int id)
{
  g_autoptr (GPtrArray) filters = g_ptr_array_new_with_free_func (g_free);
  char *format = NULL;
  bool started = false;
  job_filters (id, filters, &format, &started);
  return format;
}

/* A class of the ordinary queue and the device queue: one member takes PDF
 * (its queue converts PWG raster), the other PWG raster as it is.  Each
 * class of students goes to one member, each member gets its own format:
 * the device PWG raster in device CMYK, the other the device-space PDF. */
static void
test_print_device_class_members (void)
{
  if (!have_cups ())
    return;
  const char *device = env ("PS_TEST_DEVICE_QUEUE"), *plain = env ("PS_TEST_QUEUE");
  const char *device_spool = env ("PS_TEST_DEVICE_SPOOL"), *plain_spool = env ("PS_TEST_SPOOL");
  clear_dir (device_spool);
  clear_dir (plain_spool);
  const char *klass = "photosheet-mixed";
  g_autofree char *add_plain = g_strdup_printf ("-p '%s' -c %s", plain, klass);
  g_autofree char *add_device = g_strdup_printf ("-p '%s' -c %s", device, klass);
  lpadmin_ok (add_plain);
  lpadmin_ok (add_device);
  enable_queue (klass);

  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *profile = g_build_filename (env ("PS_PROFILES_DIR"), "lab-cmyk.icc", NULL);
  /* the first two students: two classes, one a member */
  g_autofree char *out = render_batch (dir, profile, 2);
  int status = print_status (out, klass, NULL);
  lpadmin_ok ("-x photosheet-mixed");
  g_assert_cmpint (status, ==, 0);

  g_autoptr (GPtrArray) jobs = ledger_jobs (out);
  g_assert_cmpuint (jobs->len, ==, 2);
  bool on_device = false, on_plain = false;
  for (guint j = 0; j < jobs->len; j++)
    {
      const PsLedgerJob *job = jobs->pdata[j];
      g_assert_cmpint (job->state, ==, PS_JOB_COMPLETED);
      g_assert_cmpstr (job->printer, ==, klass);
      g_autofree char *format = job_format (job->cups_id);
      g_test_message ("job %d on %s: %s", job->cups_id, job->queue, format);
      if (g_strcmp0 (job->queue, device) == 0)
        {
          on_device = true;
          g_assert_cmpstr (format, ==, "image/pwg-raster");
        }
      else
        {
          g_assert_cmpstr (job->queue, ==, plain);
          on_plain = true;
          g_assert_cmpstr (format, ==, "application/pdf");
        }
    }
  g_assert_true (on_device && on_plain);

  /* what each virtual printer received: the device two pages of device
   * CMYK PWG raster, the other printer a PDF and no raster */
  g_autoptr (GPtrArray) pwg = received (device_spool, ".pwg");
  g_autoptr (GPtrArray) device_pdf = received (device_spool, ".pdf");
  g_autoptr (GPtrArray) plain_pdf = received (plain_spool, ".pdf");
  g_autoptr (GPtrArray) plain_pwg = received (plain_spool, ".pwg");
  g_assert_cmpuint (pwg->len, ==, 1);
  g_assert_cmpuint (device_pdf->len, ==, 0);
  g_assert_cmpuint (plain_pdf->len, ==, 1);
  g_assert_cmpuint (plain_pwg->len, ==, 0);
  g_autofree char *path = g_build_filename (device_spool, (char *) pwg->pdata[0], NULL);
  int fd = open (path, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  cups_raster_t *ras = cupsRasterOpen (fd, CUPS_RASTER_READ);
  g_assert_nonnull (ras);
  cups_page_header2_t h;
  unsigned pages = 0;
  while (cupsRasterReadHeader2 (ras, &h))
    {
      g_assert_cmpuint (h.cupsColorSpace, ==, CUPS_CSPACE_CMYK);
      g_assert_cmpuint (h.cupsNumColors, ==, 4);
      g_autofree guint8 *line = g_malloc (h.cupsBytesPerLine);
      for (unsigned y = 0; y < h.cupsHeight; y++)
        g_assert_cmpuint (cupsRasterReadPixels (ras, line, h.cupsBytesPerLine), ==,
                          h.cupsBytesPerLine);
      pages++;
    }
  cupsRasterClose (ras);
  close (fd);
  g_assert_cmpuint (pages, ==, 2);     /* the class's separator and sheet */
  ps_test_rm_rf (dir);
}

/* A queue whose PPD takes JPEG only (neither PWG raster nor PDF reaches
 * it): refused before anything is recorded, naming what it takes; so is a
 * class whose only member it is.  In a class with a member that takes the
 * PDF it is left out, and the other member prints the batch. */
static void
test_print_device_no_format (void)
{
  if (!have_cups ())
    return;
  /* The device queue's PPD with one filter: image/jpeg as it is. */
  g_autofree char *ppd_path = g_strdup_printf ("%s/cups/ppd/%s.ppd", env ("PS_CUPS_DIR"),
                                               env ("PS_TEST_DEVICE_QUEUE"));
  g_autofree char *ppd = NULL;
  g_assert_true (g_file_get_contents (ppd_path, &ppd, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (ppd, "\n", -1);
  g_autoptr (GString) jpeg = g_string_new (NULL);
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "*cupsFilter"))
        continue;
      g_string_append_printf (jpeg, "%s\n", lines[i]);
      if (i == 0)
        g_string_append (jpeg, "*cupsFilter2: \"image/jpeg image/jpeg 0 -\"\n");
    }
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *jpeg_ppd = g_build_filename (dir, "jpeg-only.ppd", NULL);
  ps_test_write_file (jpeg_ppd, jpeg->str, -1);
  g_autofree char *make = g_strdup_printf ("-p photosheet-jpeg -E -v file:/dev/null -P '%s'",
                                           jpeg_ppd);
  lpadmin_ok (make);
  lpadmin_ok ("-p photosheet-jpeg -c photosheet-jpeg-class");
  enable_queue ("photosheet-jpeg-class");

  g_autofree char *profile = g_build_filename (env ("PS_PROFILES_DIR"), "lab-cmyk.icc", NULL);
  g_autofree char *out = render_batch (dir, profile, 2);
  g_autofree char *se = NULL;
  int alone = print_status (out, "photosheet-jpeg", &se);
  g_autofree char *se_class = NULL;
  int only_member = print_status (out, "photosheet-jpeg-class", &se_class);
  g_autoptr (GPtrArray) none = ledger_jobs (out);
  g_autofree char *add_plain = g_strdup_printf ("-p '%s' -c photosheet-jpeg-class",
                                                env ("PS_TEST_QUEUE"));
  lpadmin_ok (add_plain);
  int mixed = print_status (out, "photosheet-jpeg-class", NULL);
  lpadmin_ok ("-x photosheet-jpeg-class");
  lpadmin_ok ("-x photosheet-jpeg");

  g_assert_cmpint (alone, ==, 2);
  g_assert_nonnull (strstr (se, "printer 'photosheet-jpeg' takes neither image/pwg-raster in "
                                "cmyk_8 at 300 dpi nor application/pdf"));
  g_assert_nonnull (strstr (se, "image/jpeg"));
  g_assert_nonnull (strstr (se, "nothing was sent"));
  g_assert_cmpint (only_member, ==, 2);
  g_assert_nonnull (strstr (se_class, "no member of class 'photosheet-jpeg-class'"));
  g_assert_nonnull (strstr (se_class, "takes the colour-managed pages"));
  /* refused, so nothing was recorded */
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_cmpint (mixed, ==, 0);
  g_autoptr (GPtrArray) jobs = ledger_jobs (out);
  g_assert_cmpuint (jobs->len, ==, 2);
  for (guint j = 0; j < jobs->len; j++)
    {
      const PsLedgerJob *job = jobs->pdata[j];
      g_assert_cmpstr (job->queue, ==, env ("PS_TEST_QUEUE"));
      g_assert_cmpint (job->state, ==, PS_JOB_COMPLETED);
    }
  ps_test_rm_rf (dir);
}

/* A reprint to the device queue: only the student's sheet, as PWG raster
 * in device CMYK (the queue chooses), its PDF kept in --out. */
static void
test_print_device_reprint (void)
{
  if (!have_cups ())
    return;
  const char *device = env ("PS_TEST_DEVICE_QUEUE"), *spool = env ("PS_TEST_DEVICE_SPOOL");
  clear_dir (spool);
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *profile = g_build_filename (env ("PS_PROFILES_DIR"), "lab-cmyk.icc", NULL);
  g_autofree char *out = render_batch (dir, profile, 2);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  const char *xh = NULL;
  for (guint r = 0; r < rows->len && xh == NULL; r++)
    if (strcmp (((char **) rows->pdata[r])[1], "sheet") == 0)
      xh = ((char **) rows->pdata[r])[4];
  g_assert_nonnull (xh);
  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  g_autofree char *re = g_build_filename (dir, "reprint", NULL);
  const char *args[] = { "reprint", "--ledger", ledger, "--xh", xh, "--out", re, "--reason",
                         "torn", "--printer", device, "--server", env ("CUPS_SERVER"), NULL };
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli (args, &so, &se);
  g_test_message ("reprint -> %d: %s%s", status, so, se);
  g_assert_cmpint (status, ==, 0);
  g_autofree char *pdf = g_build_filename (re, "reprint.pdf", NULL);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  g_autoptr (GPtrArray) jobs = ledger_jobs (out);
  g_assert_cmpuint (jobs->len, ==, 1);
  const PsLedgerJob *job = jobs->pdata[0];
  g_assert_cmpstr (job->queue, ==, device);
  /* reprint does not wait for the job: wait until CUPS has it completed
   * (as print does), then the virtual printer has the whole document */
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (device, env ("CUPS_SERVER"), &error);
  g_assert_no_error (error);
  PsJobState state = PS_JOB_PENDING;
  for (int i = 0; i < 1200 && !ps_job_state_is_final (state); i++)
    {
      g_assert_true (_ps_queue_get_job_state (queue, job->cups_id, &state, NULL, &error));
      g_assert_no_error (error);
      if (!ps_job_state_is_final (state))
        g_usleep (100000);
    }
  g_assert_cmpint (state, ==, PS_JOB_COMPLETED);
  g_autofree char *format = job_format (job->cups_id);
  g_assert_cmpstr (format, ==, "image/pwg-raster");
  g_autoptr (GPtrArray) pwg = received (spool, ".pwg");
  g_assert_cmpuint (pwg->len, ==, 1);
  g_autofree char *path = g_build_filename (spool, (char *) pwg->pdata[0], NULL);
  int fd = open (path, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  cups_raster_t *ras = cupsRasterOpen (fd, CUPS_RASTER_READ);
  g_assert_nonnull (ras);
  cups_page_header2_t h;
  unsigned pages = 0;
  while (cupsRasterReadHeader2 (ras, &h))
    {
      g_assert_cmpuint (h.cupsColorSpace, ==, CUPS_CSPACE_CMYK);
      g_autofree guint8 *line = g_malloc (h.cupsBytesPerLine);
      for (unsigned y = 0; y < h.cupsHeight; y++)
        g_assert_cmpuint (cupsRasterReadPixels (ras, line, h.cupsBytesPerLine), ==,
                          h.cupsBytesPerLine);
      pages++;
    }
  cupsRasterClose (ras);
  close (fd);
  g_assert_cmpuint (pages, ==, 1);
  ps_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/print/device/cmyk", test_print_device_cmyk);
  g_test_add_func ("/print/device/rgb", test_print_device_rgb);
  g_test_add_func ("/print/device/pdf-fallback", test_print_device_pdf_fallback);
  g_test_add_func ("/print/device/class-members", test_print_device_class_members);
  g_test_add_func ("/print/device/no-format", test_print_device_no_format);
  g_test_add_func ("/print/device/reprint", test_print_device_reprint);
  return g_test_run ();
}
