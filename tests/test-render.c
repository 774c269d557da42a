/* test-render.c - `photosheet render` end to end: pages, order, geometry,
 * text, colour profile, determinism, refusal, goldens.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <tiffio.h>

/* One render of the samples shared by the read-only tests. */
static char *shared_out;

static const char *
samples_file (const char *name)
{
  static char buf[4096];
  g_snprintf (buf, sizeof buf, "%s/%s", ps_test_samples_dir (), name);
  return buf;
}

static int
render (const char *roster, const char *photos, const char *out, const char *const *extra,
        char **stdout_text, char **stderr_text)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, "render");
  g_ptr_array_add (args, "--roster");
  g_ptr_array_add (args, (char *) roster);
  g_ptr_array_add (args, "--photos");
  g_ptr_array_add (args, (char *) photos);
  g_ptr_array_add (args, "--out");
  g_ptr_array_add (args, (char *) out);
  for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);
  return ps_test_run_cli ((const char *const *) args->pdata, stdout_text, stderr_text);
}

static const char *
get_shared_out (void)
{
  if (shared_out == NULL)
    {
      shared_out = ps_test_tmpdir ();
      g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);
      const char *extra[] = { "--format", "pdf,tiff,png", NULL };
      g_autofree char *out = NULL, *err = NULL;
      int status = render (samples_file ("roster.csv"), photos, shared_out, extra, &out, &err);
      g_test_message ("%s%s", out, err);
      g_assert_cmpint (status, ==, 0);
    }
  return shared_out;
}

static int
pdf_pages (const char *pdf)
{
  g_autofree char *cmd = g_strdup_printf ("pdfinfo '%s' | sed -n 's/^Pages: *//p'", pdf);
  g_autofree char *out = NULL;
  if (ps_test_run_shell (cmd, &out) != 0 || out == NULL || *out == '\0')
    return -1;
  return atoi (out);
}

static bool
have_poppler (void)
{
  g_autofree char *p = g_find_program_in_path ("pdftotext");
  g_autofree char *q = g_find_program_in_path ("pdfinfo");
  return p != NULL && q != NULL;
}

/* For a check inside a larger test: without poppler the rest still runs and
 * the test is reported skipped, never passed. */
static bool
need_poppler (void)
{
  if (have_poppler ())
    return true;
  g_test_skip ("poppler-utils not installed: the PDF checks of this test did not run");
  return false;
}

static void
test_render_order (void)
{
  const char *dir = get_shared_out ();
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (dir);
  /* 4 classes + 36 students, one sheet each. */
  g_assert_cmpint (rows->len, ==, 40);

  /* Classes in order of first appearance in the roster, each after its
   * separator, students in roster order. */
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (samples_file ("roster.csv"), &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);
  g_autoptr (GPtrArray) classes = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) cells = g_strsplit (lines[i], ",", -1);
      bool seen = false;
      for (size_t c = 0; c < classes->len; c++)
        seen = seen || strcmp (classes->pdata[c], cells[8]) == 0;
      if (!seen)
        g_ptr_array_add (classes, g_strdup (cells[8]));
    }
  g_assert_cmpint (classes->len, ==, 4);

  size_t class_index = 0;
  const char *current = NULL;
  size_t last_line = 0;
  for (size_t r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];
      g_assert_cmpint (atoi (row[0]), ==, (int) r + 1);
      if (strcmp (row[1], "separator") == 0)
        {
          g_assert_cmpstr (row[2], ==, classes->pdata[class_index]);
          current = classes->pdata[class_index++];
          last_line = 0;
          continue;
        }
      g_assert_cmpstr (row[1], ==, "sheet");
      g_assert_nonnull (current);
      g_assert_cmpstr (row[2], ==, current);
      /* Find the student's roster line: later than the previous one. */
      size_t line = 0;
      for (size_t i = 1; lines[i] != NULL; i++)
        if (strstr (lines[i], row[5]) != NULL)
          line = i;
      g_assert_cmpint (line, >, last_line);
      last_line = line;
      g_assert_cmpint (strlen (row[8]), ==, 64);
      g_assert_true (strchr (row[6], '*') != NULL);
      g_assert_cmpint (g_utf8_strlen (row[7], -1), ==, 4);
    }
  g_assert_cmpint (class_index, ==, 4);

  g_autofree char *pdf = g_build_filename (dir, "sheets.pdf", NULL);
  if (need_poppler ())
    g_assert_cmpint (pdf_pages (pdf), ==, 40);
  for (int p = 1; p <= 40; p++)
    {
      g_autofree char *name = g_strdup_printf ("tiff/%04d.tif", p);
      g_autofree char *tif = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_test (tif, G_FILE_TEST_IS_REGULAR));
    }
  g_autofree char *extra = g_build_filename (dir, "tiff/0041.tif", NULL);
  g_assert_false (g_file_test (extra, G_FILE_TEST_EXISTS));
  g_autofree char *exceptions = g_build_filename (dir, "exceptions.csv", NULL);
  g_autofree char *exc = NULL;
  g_assert_true (g_file_get_contents (exceptions, &exc, NULL, NULL));
  g_assert_cmpstr (exc, ==, "row,xh,cjm,field,reason\r\n");
}

static void
test_render_text (void)
{
  if (!have_poppler ())
    {
      g_test_skip ("pdftotext not installed");
      return;
    }
  const char *dir = get_shared_out ();
  g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s/sheets.pdf' -", dir);
  g_autofree char *text = NULL;
  g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (dir);

  /* Every page's key text, in page order. */
  const char *cursor = text;
  for (size_t r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];
      const char *found = strstr (cursor, strcmp (row[1], "separator") == 0 ? row[2] : row[4]);
      if (found == NULL)
        g_error ("page %s: '%s' not found in order", row[0], row[4]);
      g_assert_nonnull (found);
      cursor = found;
      if (strcmp (row[1], "sheet") == 0)
        g_assert_nonnull (strstr (text, row[6]));
    }
}

static guint8 *
read_tiff_rgba (const char *path, guint32 *w, guint32 *h, int *spp, guint32 *icc_len,
                guint8 **icc)
{
  TIFF *tif = TIFFOpen (path, "r");
  g_assert_nonnull (tif);
  guint16 samples = 0;
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, w);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, h);
  TIFFGetField (tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  *spp = samples;
  void *data = NULL;
  guint32 len = 0;
  if (icc != NULL)
    {
      *icc = NULL;
      if (TIFFGetField (tif, TIFFTAG_ICCPROFILE, &len, &data))
        *icc = g_memdup2 (data, len);
      *icc_len = len;
    }
  guint8 *pixels = NULL;
  if (samples == 3)
    {
      pixels = g_malloc ((size_t) *w * *h * 4);
      g_assert_true (TIFFReadRGBAImageOriented (tif, *w, *h, (guint32 *) pixels, ORIENTATION_TOPLEFT, 0));
    }
  TIFFClose (tif);
  return pixels;
}

#define PX(buf, w, x, y, c) ((buf)[((size_t) (y) * (w) + (x)) * 4 + (c)])

/* Paper, as opposed to photo: an antialiased edge pixel counts as photo
 * when it is more than half covered (the photo's edge is its blue background,
 * R = 100, so half way to white is R = 178 on the darkest channel). */
static bool
is_white (const guint8 *buf, guint32 w, int x, int y)
{
  return PX (buf, w, x, y, 0) >= 178 && PX (buf, w, x, y, 1) >= 178 && PX (buf, w, x, y, 2) >= 178;
}

static void
test_render_geometry (void)
{
  const char *dir = get_shared_out ();
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = ps_layout_load ("default", &error);
  g_assert_no_error (error);
  double k = ps_layout_get_dpi (layout) / 72.0;

  g_autofree char *path = g_build_filename (dir, "tiff", "0002.tif", NULL);
  guint32 w = 0, h = 0;
  int spp = 0;
  g_autofree guint8 *px = read_tiff_rgba (path, &w, &h, &spp, NULL, NULL);
  g_assert_cmpint (spp, ==, 3);
  g_assert_cmpint (w, ==, (guint32) lround (ps_layout_get_sheet_width (layout) * k));
  g_assert_cmpint (h, ==, (guint32) lround (ps_layout_get_sheet_height (layout) * k));

  for (size_t s = 0; s < (size_t) ps_layout_get_copies (layout); s++)
    {
      PsRect slot = ps_layout_get_slot (layout, s);
      int cx = (int) ((slot.x + slot.width / 2) * k);
      int cy = (int) ((slot.y + slot.height / 2) * k);
      int x0 = cx, x1 = cx, y0 = cy, y1 = cy;
      while (x0 > 0 && !is_white (px, w, x0 - 1, cy))
        x0--;
      while (x1 < (int) w - 1 && !is_white (px, w, x1 + 1, cy))
        x1++;
      /* Vertically off centre: the portrait's white collar is in the middle. */
      int vx = (int) ((slot.x + slot.width * 0.1) * k);
      while (y0 > 0 && !is_white (px, w, vx, y0 - 1))
        y0--;
      while (y1 < (int) h - 1 && !is_white (px, w, vx, y1 + 1))
        y1++;
      double want_w = slot.width * k, want_h = slot.height * k;
      g_test_message ("slot %zu: %d x %d px, layout %.1f x %.1f px", s, x1 - x0 + 1, y1 - y0 + 1,
                      want_w, want_h);
      g_assert_cmpfloat (fabs ((x1 - x0 + 1) - want_w), <=, 1.0);
      g_assert_cmpfloat (fabs ((y1 - y0 + 1) - want_h), <=, 1.0);

      /* Cut marks: ink beside each corner, none inside any slot. */
      const PsLayout *l = layout;
      int mx = (int) ((slot.x - l->mark_offset - l->mark_length / 2) * k);
      int my = (int) lround (slot.y * k);
      bool ink = false;
      for (int dy = -1; dy <= 1; dy++)
        ink = ink || PX (px, w, mx, my + dy, 0) < 128;
      g_assert_true (ink);
      for (size_t o = 0; o < ps_layout_get_n_slots (layout); o++)
        {
          PsRect other = ps_layout_get_slot (layout, o);
          g_assert_false (mx >= other.x * k && mx <= (other.x + other.width) * k
                          && my >= other.y * k && my <= (other.y + other.height) * k);
        }
    }
}

static void
test_render_profile_embedded (void)
{
  const char *profiles = g_getenv ("PS_PROFILES_DIR");
  g_autofree char *icc_path = g_build_filename (profiles, "lab-cmyk.icc", NULL);
  g_autofree char *out = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);
  const char *extra[] = { "--format", "tiff", "--profile", icc_path, "--dpi", "150", NULL };
  g_assert_cmpint (render (samples_file ("roster.jsonl"), photos, out, extra, NULL, NULL), ==, 0);

  g_autofree char *tif = g_build_filename (out, "tiff", "0002.tif", NULL);
  guint32 w = 0, h = 0, icc_len = 0;
  int spp = 0;
  g_autofree guint8 *icc = NULL;
  g_autofree guint8 *px = read_tiff_rgba (tif, &w, &h, &spp, &icc_len, &icc);
  g_assert_cmpint (spp, ==, 4);
  g_autofree char *want = NULL;
  gsize want_len = 0;
  g_assert_true (g_file_get_contents (icc_path, &want, &want_len, NULL));
  g_assert_cmpmem (icc, icc_len, want, want_len);
  g_autofree char *pdf = g_build_filename (out, "sheets.pdf", NULL);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  ps_test_rm_rf (out);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* With an RGB printer profile the PDF carries the photos in the printer's
 * RGB, as the TIFF does: what CUPS is sent is colour-managed too. */
static void
test_render_pdf_device_rgb (void)
{
  if (!have_poppler ())
    {
      g_test_skip ("pdftoppm not installed");
      return;
    }
  g_autofree char *icc = g_build_filename (g_getenv ("PS_PROFILES_DIR"), "lab-rgb.icc", NULL);
  g_autofree char *out = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);
  const char *extra[] = { "--format", "pdf,tiff", "--profile", icc, "--dpi", "100", NULL };
  g_assert_cmpint (render (samples_file ("roster.csv"), photos, out, extra, NULL, NULL), ==, 0);
  g_autofree char *cmd = g_strdup_printf ("pdftoppm -r 100 -f 2 -l 2 -png '%s/sheets.pdf' '%s/p'",
                                          out, out);
  g_assert_cmpint (ps_test_run_shell (cmd, NULL), ==, 0);
  g_autofree char *png = g_build_filename (out, "p-02.png", NULL);
  g_autofree char *png2 = g_build_filename (out, "p-2.png", NULL);
  cairo_surface_t *pdf_page = cairo_image_surface_create_from_png (
    g_file_test (png, G_FILE_TEST_EXISTS) ? png : png2);
  g_assert_cmpint (cairo_surface_status (pdf_page), ==, CAIRO_STATUS_SUCCESS);

  g_autofree char *tif = g_build_filename (out, "tiff", "0002.tif", NULL);
  guint32 w = 0, h = 0;
  int spp = 0;
  g_autofree guint8 *px = read_tiff_rgba (tif, &w, &h, &spp, NULL, NULL);

  /* The portrait's blue background, near the top of the first slot. */
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = ps_layout_load ("default", &error);
  g_assert_no_error (error);
  PsRect slot = ps_layout_get_slot (layout, 0);
  int x = (int) ((slot.x + slot.width * 0.1) * 100 / 72.0);
  int y = (int) ((slot.y + slot.height * 0.05) * 100 / 72.0);
  const guint8 *p = cairo_image_surface_get_data (pdf_page)
                    + (size_t) y * cairo_image_surface_get_stride (pdf_page) + (size_t) x * 4;
  int pdf_rgb[3] = { p[2], p[1], p[0] };
  int tif_rgb[3] = { PX (px, w, x, y, 0), PX (px, w, x, y, 1), PX (px, w, x, y, 2) };
  const int srgb[3] = { 100, 197, 255 };
  int pdf_vs_tiff = 0, tiff_vs_srgb = 0;
  for (int c = 0; c < 3; c++)
    {
      pdf_vs_tiff = MAX (pdf_vs_tiff, abs (pdf_rgb[c] - tif_rgb[c]));
      tiff_vs_srgb = MAX (tiff_vs_srgb, abs (tif_rgb[c] - srgb[c]));
    }
  g_test_message ("background: PDF %d,%d,%d  TIFF %d,%d,%d  sRGB 100,197,255", pdf_rgb[0],
                  pdf_rgb[1], pdf_rgb[2], tif_rgb[0], tif_rgb[1], tif_rgb[2]);
  g_assert_cmpint (tiff_vs_srgb, >, 8);    /* the profile changed the device values */
  g_assert_cmpint (pdf_vs_tiff, <=, 6);    /* and the PDF has the same ones */
  cairo_surface_destroy (pdf_page);
  ps_test_rm_rf (out);
}

/* A page that would not fit in memory is refused before any work. */
static void
test_render_page_too_large (void)
{
  g_autofree char *out = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);
  const char *extra[] = { "--layout", "a4-33x48", "--dpi", "2400", "--format", "tiff", NULL };
  g_autofree char *err = NULL;
  g_assert_cmpint (render (samples_file ("roster.csv"), photos, out, extra, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "larger than 150 Mpx"));
  g_autofree char *manifest = g_build_filename (out, "manifest.csv", NULL);
  g_assert_false (g_file_test (manifest, G_FILE_TEST_EXISTS));
  ps_test_rm_rf (out);
}

static char *
tree_digest (const char *dir, const char *rel)
{
  g_autofree char *path = rel ? g_build_filename (dir, rel, NULL) : g_strdup (dir);
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *sha = _ps_core_sha256_file (path, "file", PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN, &error);
      g_assert_no_error (error);
      return g_strdup_printf ("%s %s\n", rel, sha);
    }
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    /* The ledger records when things happened: it is not a render output. */
    if (!g_str_has_prefix (name, "ledger.sqlite"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  GString *s = g_string_new (NULL);
  for (size_t i = 0; i < names->len; i++)
    {
      g_autofree char *child = rel ? g_build_filename (rel, names->pdata[i], NULL)
                                   : g_strdup (names->pdata[i]);
      g_autofree char *part = tree_digest (dir, child);
      g_string_append (s, part);
    }
  return g_string_free (s, FALSE);
}

static void
test_render_deterministic (void)
{
  const char *first = get_shared_out ();
  g_autofree char *second = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);
  const char *extra[] = { "--format", "pdf,tiff,png", NULL };
  g_assert_cmpint (render (samples_file ("roster.csv"), photos, second, extra, NULL, NULL), ==, 0);
  g_autofree char *a = tree_digest (first, NULL);
  g_autofree char *b = tree_digest (second, NULL);
  if (strcmp (a, b) != 0)
    {
      g_auto (GStrv) la = g_strsplit (a, "\n", -1);
      g_auto (GStrv) lb = g_strsplit (b, "\n", -1);
      for (size_t i = 0; la[i] != NULL && lb[i] != NULL; i++)
        if (strcmp (la[i], lb[i]) != 0)
          g_test_message ("differs: %s / %s", la[i], lb[i]);
    }
  g_assert_true (strcmp (a, b) == 0);
  g_assert_nonnull (strstr (a, "sheets.pdf"));
  g_assert_nonnull (strstr (a, "tiff/0040.tif"));
  ps_test_rm_rf (second);
}

/* Worker threads change when pages are drawn, never what is written: every
 * output file (the ledger aside, see tree_digest) is the same with 4 workers
 * as with none. */
static void
test_render_parallel_equals_serial (void)
{
  g_autofree char *serial = ps_test_tmpdir ();
  g_autofree char *parallel = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);
  const char *profiles = g_getenv ("PS_PROFILES_DIR");
  g_autofree char *icc_path = g_build_filename (profiles, "lab-cmyk.icc", NULL);
  const char *extra_1[] = { "--format", "pdf,tiff,png", "--profile", icc_path, "--dpi", "150",
                            "--jobs", "1", NULL };
  const char *extra_4[] = { "--format", "pdf,tiff,png", "--profile", icc_path, "--dpi", "150",
                            "--jobs", "4", NULL };
  g_assert_cmpint (render (samples_file ("roster.csv"), photos, serial, extra_1, NULL, NULL), ==, 0);
  g_assert_cmpint (render (samples_file ("roster.csv"), photos, parallel, extra_4, NULL, NULL), ==, 0);
  g_autofree char *a = tree_digest (serial, NULL);
  g_autofree char *b = tree_digest (parallel, NULL);
  if (strcmp (a, b) != 0)
    {
      g_auto (GStrv) la = g_strsplit (a, "\n", -1);
      g_auto (GStrv) lb = g_strsplit (b, "\n", -1);
      for (size_t i = 0; la[i] != NULL && lb[i] != NULL; i++)
        if (strcmp (la[i], lb[i]) != 0)
          g_test_message ("differs: %s / %s", la[i], lb[i]);
    }
  g_assert_cmpstr (a, ==, b);
  g_assert_nonnull (strstr (a, "sheets.pdf"));
  g_assert_nonnull (strstr (a, "manifest.csv"));
  g_assert_nonnull (strstr (a, "tiff/0040.tif"));
  g_assert_nonnull (strstr (a, "png/0040.png"));
  ps_test_rm_rf (serial);
  ps_test_rm_rf (parallel);
}

static void
test_render_refuses_then_skips (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  /* Remove the photo of the first student. */
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (roster, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);
  g_auto (GStrv) cells = g_strsplit (lines[1], ",", -1);
  g_autofree char *name = g_strdup_printf ("%s.jpg", cells[1]);
  g_autofree char *photo = g_build_filename (photos, name, NULL);
  g_assert_cmpint (g_unlink (photo), ==, 0);

  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (render (roster, photos, out, NULL, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "roster.csv:2: "));
  g_autofree char *pdf = g_build_filename (out, "sheets.pdf", NULL);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_autofree char *tiffdir = g_build_filename (out, "tiff", NULL);
  g_assert_false (g_file_test (tiffdir, G_FILE_TEST_EXISTS));
  g_autofree char *exc_path = g_build_filename (out, "exceptions.csv", NULL);
  g_autofree char *exc = NULL;
  g_assert_true (g_file_get_contents (exc_path, &exc, NULL, NULL));
  g_autofree char *want = g_strdup_printf ("2,%s,%s,photo,", cells[4], cells[1]);
  g_assert_nonnull (strstr (exc, want));

  const char *skip[] = { "--skip-invalid", "--format", "pdf", NULL };
  g_assert_cmpint (render (roster, photos, out, skip, NULL, NULL), ==, 1);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_assert_cmpint (rows->len, ==, 39);
  for (size_t r = 0; r < rows->len; r++)
    g_assert_cmpstr (((char **) rows->pdata[r])[5], !=, cells[1]);
  if (need_poppler ())
    g_assert_cmpint (pdf_pages (pdf), ==, 39);
  /* No temporary file is left behind. */
  g_autoptr (GDir) d = g_dir_open (out, 0, NULL);
  const char *entry;
  while ((entry = g_dir_read_name (d)) != NULL)
    g_assert_false (g_str_has_suffix (entry, ".part"));
  ps_test_rm_rf (dir);
}

/* An interleaved roster with a repeater and a copies override. */
static void
test_render_plan_rules (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (samples_file ("roster.csv"), &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);

  /* Take 6 students; classes B A B A A B; the 5th is a repeater, the 2nd
   * wants 6 copies. */
  GString *t = g_string_new ("采集码,学号,姓名,班级,优先,份数\r\n");
  const char *klass[] = { "B班", "A班", "B班", "A班", "A班", "B班" };
  const char *xh[] = { "30", "20", "10", "9", "11", "5" };
  for (int i = 0; i < 6; i++)
    {
      g_auto (GStrv) cells = g_strsplit (lines[i + 1], ",", -1);
      g_string_append_printf (t, "%s,%s,%s,%s,%s,%s\r\n", cells[1], xh[i], cells[7], klass[i],
                              i == 4 ? "1" : "", i == 1 ? "6" : "");
    }
  g_autofree char *roster = g_build_filename (dir, "plan.csv", NULL);
  ps_test_write_file (roster, t->str, -1);
  g_string_free (t, TRUE);

  g_autofree char *out = g_build_filename (dir, "out", NULL);
  const char *extra[] = { "--format", "pdf", NULL };
  g_assert_cmpint (render (roster, photos, out, extra, NULL, NULL), ==, 0);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  /* B: sep, 30, 10, 5; A: sep, 11 (repeater), 20, 20 (6 copies = 2 sheets), 9 */
  const char *want[] = { "B班:", "B班:30", "B班:10", "B班:5", "A班:", "A班:11", "A班:20",
                         "A班:20", "A班:9" };
  g_assert_cmpint (rows->len, ==, G_N_ELEMENTS (want));
  for (size_t r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];
      g_autofree char *got = g_strdup_printf ("%s:%s", row[2], row[4]);
      g_assert_cmpstr (got, ==, want[r]);
    }

  g_autofree char *out2 = g_build_filename (dir, "out2", NULL);
  const char *by_xh[] = { "--format", "pdf", "--order", "xh", NULL };
  g_assert_cmpint (render (roster, photos, out2, by_xh, NULL, NULL), ==, 0);
  g_autoptr (GPtrArray) rows2 = ps_test_read_manifest (out2);
  const char *want2[] = { "B班:", "B班:5", "B班:10", "B班:30", "A班:", "A班:11", "A班:9",
                          "A班:20", "A班:20" };
  g_assert_cmpint (rows2->len, ==, G_N_ELEMENTS (want2));
  for (size_t r = 0; r < rows2->len; r++)
    {
      char **row = rows2->pdata[r];
      g_autofree char *got = g_strdup_printf ("%s:%s", row[2], row[4]);
      g_assert_cmpstr (got, ==, want2[r]);
    }
  ps_test_rm_rf (dir);
}

/* Goldens: one separator and one sheet at 100 dpi, against committed
 * references.  PS_UPDATE_GOLDEN=1 rewrites the references. */
static void
compare_golden (const char *png, const char *name)
{
  g_autofree char *ref_name = g_strdup_printf ("%s.ref.png", name);
  g_autofree char *ref_path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "golden", ref_name, NULL);
  if (g_getenv ("PS_UPDATE_GOLDEN") != NULL)
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (png, &data, &len, NULL));
      ps_test_write_file (ref_path, data, (gssize) len);
    }
  cairo_surface_t *got = cairo_image_surface_create_from_png (png);
  cairo_surface_t *ref = cairo_image_surface_create_from_png (ref_path);
  g_assert_cmpint (cairo_surface_status (got), ==, CAIRO_STATUS_SUCCESS);
  if (cairo_surface_status (ref) != CAIRO_STATUS_SUCCESS)
    g_error ("missing golden %s (run with PS_UPDATE_GOLDEN=1)", ref_path);
  int w = cairo_image_surface_get_width (got), h = cairo_image_surface_get_height (got);
  g_assert_cmpint (w, ==, cairo_image_surface_get_width (ref));
  g_assert_cmpint (h, ==, cairo_image_surface_get_height (ref));

  const int tolerance = 8;   /* per channel, raster output */
  size_t changed = 0;
  int max_diff = 0;
  const guint8 *a = cairo_image_surface_get_data (got);
  const guint8 *b = cairo_image_surface_get_data (ref);
  int sa = cairo_image_surface_get_stride (got), sb = cairo_image_surface_get_stride (ref);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int d = 0;
        for (int c = 0; c < 3; c++)
          d = MAX (d, abs (a[y * sa + x * 4 + c] - b[y * sb + x * 4 + c]));
        if (d > 0)
          changed++;
        max_diff = MAX (max_diff, d);
      }
  g_test_message ("%s: %zu pixels changed, max diff %d", name, changed, max_diff);
  if (changed > 0 && max_diff > tolerance)
    {
      g_autofree char *out_name = g_strdup_printf ("%s.out.png", name);
      g_autofree char *out_path = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), out_name, NULL);
      cairo_surface_write_to_png (got, out_path);
      g_test_message ("wrote %s", out_path);
    }
  g_assert_false (changed > 0 && max_diff > tolerance);
  cairo_surface_destroy (got);
  cairo_surface_destroy (ref);
}

static void
test_render_golden (void)
{
  g_autofree char *out = ps_test_tmpdir ();
  g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);
  const char *extra[] = { "--format", "png", "--dpi", "100", NULL };
  g_assert_cmpint (render (samples_file ("roster.csv"), photos, out, extra, NULL, NULL), ==, 0);
  g_autofree char *sep = g_build_filename (out, "png", "0001.png", NULL);
  g_autofree char *sheet = g_build_filename (out, "png", "0002.png", NULL);
  compare_golden (sep, "separator");
  compare_golden (sheet, "sheet");
  ps_test_rm_rf (out);
}

static void
test_render_privacy_old_mode (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *roster = ps_test_write_old_mode_roster (dir);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  const char *extra[] = { "--format", "pdf,tiff,png", "--dpi", "100", NULL };
  g_autofree char *so = NULL, *se = NULL;
  g_assert_cmpint (render (roster, photos, out, extra, &so, &se), ==, 0);

  const char *which = NULL;
  g_autofree char *said = g_strconcat (so, se, NULL);
  g_assert_false (ps_test_find_full_value (said, strlen (said), &which));
  if (need_poppler ())
    {
      g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s/sheets.pdf' -", out);
      g_autofree char *text = NULL;
      g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
      g_assert_nonnull (strstr (text, "张*丰"));
      g_assert_nonnull (strstr (text, "王*𠮷"));
      g_assert_nonnull (strstr (text, "买****力"));
      if (ps_test_find_full_value (text, strlen (text), &which))
        g_error ("the PDF's text holds a full value (%s)", which);
    }
  /* Every byte of every file written, the ledger included. */
  g_autofree char *listing = tree_digest (out, NULL);
  g_auto (GStrv) files = g_strsplit (listing, "\n", -1);
  for (size_t f = 0; files[f] != NULL && files[f][0] != '\0'; f++)
    {
      g_autofree char *rel = g_strndup (files[f], strchr (files[f], ' ') - files[f]);
      g_autofree char *path = g_build_filename (out, rel, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      if (ps_test_find_full_value (data, len, &which))
        g_error ("%s holds a full value (%s)", rel, which);
    }
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Copies and imposition                                              */
/* ------------------------------------------------------------------ */

static const char *const class_names[] = { "甲班", "乙班", "丙班", "丁班" };

/* A roster of sample students in classes of @sizes (at most 4 classes,
 * 36 students), written interleaved (the plan groups them), with a 份数
 * column: @copies[i] for the i-th student written (NULL: none). */
typedef struct {
  char *dir;                      /* a copy of the samples */
  char *roster;
  char *photos;
  GPtrArray *classes;             /* per class: GPtrArray of xh, roster order */
  GHashTable *caption;            /* xh -> "xm xh", the per-copy caption */
  GHashTable *cjm;                /* xh -> 采集码 */
  GPtrArray *all;                 /* every xh */
} Classes;

static void
classes_free (Classes *c)
{
  ps_test_rm_rf (c->dir);
  g_free (c->dir);
  g_free (c->roster);
  g_free (c->photos);
  g_ptr_array_unref (c->classes);
  g_hash_table_unref (c->caption);
  g_hash_table_unref (c->cjm);
  g_ptr_array_unref (c->all);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Classes, classes_free)

static Classes *
classes_new (const size_t *sizes, size_t n_classes, const char *const *copies)
{
  Classes *c = g_new0 (Classes, 1);
  c->dir = ps_test_copy_samples ();
  c->photos = g_build_filename (c->dir, "photos", NULL);
  c->roster = g_build_filename (c->dir, "classes.csv", NULL);
  c->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  c->caption = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->cjm = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->all = g_ptr_array_new_with_free_func (g_free);

  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (samples_file ("roster.csv"), &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);
  /* Sample rows by class, in blocks; then written round-robin. */
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  size_t next = 1;
  for (size_t k = 0; k < n_classes; k++)
    {
      GPtrArray *members = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (c->classes, members);
      for (size_t i = 0; i < sizes[k]; i++, next++)
        {
          g_assert_nonnull (lines[next]);
          g_assert_cmpstr (lines[next], !=, "");
          char **cells = g_strsplit (lines[next], ",", -1);
          g_ptr_array_add (rows, cells);
          g_ptr_array_add (members, g_strdup (cells[4]));
          g_ptr_array_add (c->all, g_strdup (cells[4]));
          g_hash_table_insert (c->caption, g_strdup (cells[4]),
                               g_strdup_printf ("%s %s", cells[7], cells[4]));
          g_hash_table_insert (c->cjm, g_strdup (cells[4]), g_strdup (cells[1]));
        }
    }
  GString *t = g_string_new ("采集码,学号,姓名,班级,份数\r\n");
  size_t written = 0, total = rows->len;
  g_autofree size_t *taken = g_new0 (size_t, n_classes);
  while (written < total)
    for (size_t k = 0; k < n_classes; k++)
      {
        if (taken[k] == sizes[k])
          continue;
        size_t offset = 0;
        for (size_t j = 0; j < k; j++)
          offset += sizes[j];
        char **cells = rows->pdata[offset + taken[k]++];
        const char *n = copies != NULL && copies[offset + taken[k] - 1] != NULL
                          ? copies[offset + taken[k] - 1] : "";
        g_string_append_printf (t, "%s,%s,%s,%s,%s\r\n", cells[1], cells[4], cells[7],
                                class_names[k], n);
        written++;
      }
  ps_test_write_file (c->roster, t->str, -1);
  g_string_free (t, TRUE);
  return c;
}

static size_t
count_of (const char *haystack, const char *needle)
{
  size_t n = 0;
  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The text of page @page of @pdf, or of its rectangle @crop (points). */
static char *
page_text (const char *pdf, size_t page, const double *crop)
{
  g_autofree char *area = crop == NULL ? g_strdup ("")
                          : g_strdup_printf ("-r 72 -x %d -y %d -W %d -H %d", (int) lround (crop[0]),
                                             (int) lround (crop[1]), (int) lround (crop[2]),
                                             (int) lround (crop[3]));
  g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 -f %zu -l %zu %s '%s' -", page,
                                          page, area, pdf);
  char *text = NULL;
  g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
  return text;
}

/* Photos placed on page @page of @pdf (each placement of an image). */
static int
page_images (const char *pdf, size_t page)
{
  g_autofree char *cmd = g_strdup_printf ("pdfimages -list -f %zu -l %zu '%s' | tail -n +3 | wc -l",
                                          page, page, pdf);
  g_autofree char *out = NULL;
  g_assert_cmpint (ps_test_run_shell (cmd, &out), ==, 0);
  return atoi (out);
}

/* Manifest rows of @page (borrowed cells). */
static GPtrArray *
manifest_page (GPtrArray *rows, size_t page)
{
  GPtrArray *out = g_ptr_array_new ();
  for (size_t r = 0; r < rows->len; r++)
    if ((size_t) atoi (((char **) rows->pdata[r])[0]) == page)
      g_ptr_array_add (out, rows->pdata[r]);
  return out;
}

/* A manifest row's piece, points: x, y, width, height. */
static void
row_piece (char **row, double piece[4])
{
  for (int i = 0; i < 4; i++)
    piece[i] = g_ascii_strtod (row[13 + i], NULL) * 72.0 / 25.4;
}

static size_t
n_pages_of (GPtrArray *rows)
{
  return (size_t) atoi (((char **) rows->pdata[rows->len - 1])[0]);
}

/* Acceptance 1: 30 students, 3 classes of 10, 5 copies.  On A4: a separator
 * and 3 sheets of 4, 4 and 2 students per class, in roster order, every
 * student's 学号 under each of his 5 photos and in his record; on the 6寸
 * 5-up: one sheet per student with all 5. */
static void
test_impose_a4_five (void)
{
  if (!need_poppler ())
    return;
  const size_t sizes[] = { 10, 10, 10 };
  g_autoptr (Classes) c = classes_new (sizes, 3, NULL);
  g_autofree char *out = g_build_filename (c->dir, "a4", NULL);
  g_autofree char *so = NULL;
  const char *extra[] = { "--layout", "a4-33x48", "--copies", "5", "--format", "pdf", NULL };
  g_assert_cmpint (render (c->roster, c->photos, out, extra, &so, NULL), ==, 0);
  g_test_message ("%s", so);
  g_assert_nonnull (strstr (so, "rendered 12 pages (3 separators, 9 sheets) for 30 students"));
  /* 9 sheets of 20 slots: 30 x 5 copies, 3 x 2 positions of 5 left empty */
  g_assert_nonnull (strstr (so, "slots     150 used, 30 empty (9 sheets of 20)"));

  g_autofree char *pdf = g_build_filename (out, "sheets.pdf", NULL);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_assert_cmpuint (n_pages_of (rows), ==, 12);
  g_assert_cmpint (pdf_pages (pdf), ==, 12);
  const size_t per_sheet[] = { 4, 4, 2 };
  size_t page = 1;
  for (size_t k = 0; k < 3; k++)
    {
      GPtrArray *members = c->classes->pdata[k];
      g_autoptr (GPtrArray) sep = manifest_page (rows, page);
      g_assert_cmpuint (sep->len, ==, 1);
      g_assert_cmpstr (((char **) sep->pdata[0])[1], ==, "separator");
      g_assert_cmpstr (((char **) sep->pdata[0])[2], ==, class_names[k]);
      page++;
      size_t next = 0;
      for (size_t sheet = 0; sheet < 3; sheet++, page++)
        {
          g_autoptr (GPtrArray) groups = manifest_page (rows, page);
          g_autofree char *text = page_text (pdf, page, NULL);
          g_assert_cmpuint (groups->len, ==, per_sheet[sheet]);
          g_assert_cmpint (page_images (pdf, page), ==, 5 * (int) per_sheet[sheet]);
          for (size_t g = 0; g < groups->len; g++, next++)
            {
              char **row = groups->pdata[g];
              const char *xh = members->pdata[next];
              g_assert_cmpstr (row[1], ==, "sheet");
              g_assert_cmpstr (row[2], ==, class_names[k]);        /* one class a sheet */
              g_assert_cmpstr (row[4], ==, xh);                    /* roster order */
              g_assert_cmpint (atoi (row[9]), ==, (int) g + 1);    /* position */
              g_assert_cmpint (atoi (row[10]), ==, (int) g * 5 + 1);
              g_assert_cmpint (atoi (row[11]), ==, 5);
              /* 5 captions, and the record */
              g_assert_cmpuint (count_of (text, g_hash_table_lookup (c->caption, xh)), ==, 5);
              g_assert_cmpuint (count_of (text, xh), ==, 6);
            }
          /* nobody else on the sheet */
          for (size_t i = 0; i < c->all->len; i++)
            {
              const char *xh = c->all->pdata[i];
              bool here = false;
              for (size_t g = 0; g < groups->len; g++)
                here = here || strcmp (((char **) groups->pdata[g])[4], xh) == 0;
              if (!here)
                g_assert_null (strstr (text, xh));
            }
          g_assert_cmpstr (((char **) groups->pdata[0])[12], ==, per_sheet[sheet] == 4 ? "0" : "10");
        }
      g_assert_cmpuint (next, ==, members->len);
    }

  /* --json says the same */
  g_autofree char *js = NULL;
  const char *json[] = { "--layout", "a4-33x48", "--copies", "5", "--format", "pdf", "--json", NULL };
  g_assert_cmpint (render (c->roster, c->photos, out, json, &js, NULL), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, js, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (o, "schema"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "sheets"), ==, 9);
  g_assert_cmpint (json_object_get_int_member (o, "separators"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (o, "slots_used"), ==, 150);
  g_assert_cmpint (json_object_get_int_member (o, "slots_empty"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (o, "students"), ==, 30);

  /* the 6寸 5-up: a sheet per student, all 5 copies and the record cell */
  g_autofree char *five = g_build_filename (c->dir, "5up", NULL);
  g_autofree char *so5 = NULL;
  const char *extra5[] = { "--layout", "6inch-33x48-5up", "--copies", "5", "--format", "pdf", NULL };
  g_assert_cmpint (render (c->roster, c->photos, five, extra5, &so5, NULL), ==, 0);
  g_assert_nonnull (strstr (so5, "rendered 33 pages (3 separators, 30 sheets) for 30 students"));
  g_assert_nonnull (strstr (so5, "slots     180 used, 0 empty (30 sheets of 6)"));
  g_autofree char *pdf5 = g_build_filename (five, "sheets.pdf", NULL);
  g_autoptr (GPtrArray) rows5 = ps_test_read_manifest (five);
  g_assert_cmpuint (n_pages_of (rows5), ==, 33);
  page = 1;
  for (size_t k = 0; k < 3; k++)
    {
      GPtrArray *members = c->classes->pdata[k];
      page++;
      for (size_t i = 0; i < members->len; i++, page++)
        {
          g_autoptr (GPtrArray) groups = manifest_page (rows5, page);
          g_assert_cmpuint (groups->len, ==, 1);
          char **row = groups->pdata[0];
          g_assert_cmpstr (row[4], ==, members->pdata[i]);
          g_assert_cmpstr (row[11], ==, "5");
          g_assert_cmpstr (row[12], ==, "0");
          g_assert_cmpint (page_images (pdf5, page), ==, 5);
          g_autofree char *text = page_text (pdf5, page, NULL);
          g_autofree char *label = g_strdup_printf ("学号 %s", (char *) members->pdata[i]);
          g_assert_nonnull (strstr (text, label));
        }
    }
}

/* Acceptance 4: 1, 4, 5, 8 and 20 copies, and a row's own 份数, give their
 * counts: in the manifest, on paper (photos placed, captions printed). */
static void
test_impose_copies_counts (void)
{
  if (!need_poppler ())
    return;
  const size_t sizes[] = { 8 };
  const char *const own[] = { NULL, NULL, "3", NULL, NULL, NULL, NULL, NULL };
  g_autoptr (Classes) c = classes_new (sizes, 1, own);
  GPtrArray *members = c->classes->pdata[0];
  const struct {
    const char *layout;
    int copies;
    size_t sheets;              /* expected */
  } cases[] = {
    { "a4-33x48", 1, 2 },       /* 4 a sheet (one row each) */
    { "a4-33x48", 4, 2 },
    { "a4-33x48", 5, 2 },
    { "a4-33x48", 8, 4 },       /* 2 a sheet; the 3-copy row shares a sheet */
    { "a4-33x48", 20, 8 },      /* 1 a sheet, the 3 copies alone too */
    { "default", 5, 15 },       /* 4 + 1 on 6寸, 3 on one */
    { "default", 8, 15 },
    { "8inch-33x48", 5, 4 },
  };
  for (size_t t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      g_autofree char *name = g_strdup_printf ("out-%zu", t);
      g_autofree char *out = g_build_filename (c->dir, name, NULL);
      g_autofree char *n = g_strdup_printf ("%d", cases[t].copies);
      const char *extra[] = { "--layout", cases[t].layout, "--copies", n, "--format", "pdf", NULL };
      g_autofree char *so = NULL, *se = NULL;
      g_assert_cmpint (render (c->roster, c->photos, out, extra, &so, &se), ==, 0);
      g_autofree char *pdf = g_build_filename (out, "sheets.pdf", NULL);
      g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
      g_test_message ("%s --copies %d: %zu pages", cases[t].layout, cases[t].copies,
                      n_pages_of (rows));
      g_assert_cmpuint (n_pages_of (rows), ==, 1 + cases[t].sheets);
      g_autoptr (GHashTable) copies = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (GHashTable) printed = g_hash_table_new (g_str_hash, g_str_equal);
      for (size_t page = 2; page <= n_pages_of (rows); page++)
        {
          g_autoptr (GPtrArray) groups = manifest_page (rows, page);
          g_autofree char *text = page_text (pdf, page, NULL);
          int on_page = 0;
          for (size_t g = 0; g < groups->len; g++)
            {
              char **row = groups->pdata[g];
              int k = atoi (row[11]);
              on_page += k;
              gpointer was = g_hash_table_lookup (copies, row[4]);
              g_hash_table_insert (copies, row[4], GINT_TO_POINTER (GPOINTER_TO_INT (was) + k));
              gpointer seen = g_hash_table_lookup (printed, row[4]);
              size_t here = count_of (text, g_hash_table_lookup (c->caption, row[4]));
              g_hash_table_insert (printed, row[4], GINT_TO_POINTER (GPOINTER_TO_INT (seen) + (int) here));
            }
          g_assert_cmpint (page_images (pdf, page), ==, on_page);
        }
      for (size_t i = 0; i < members->len; i++)
        {
          int want = i == 2 ? 3 : cases[t].copies;
          g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (copies, members->pdata[i])), ==, want);
          g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (printed, members->pdata[i])), ==, want);
        }
    }

  /* Impossible values: the option refused, the rows named by check. */
  g_autofree char *out = g_build_filename (c->dir, "refused", NULL);
  const char *const bad_options[] = { "0", "21", "-3" };
  for (size_t i = 0; i < G_N_ELEMENTS (bad_options); i++)
    {
      const char *extra[] = { "--copies", bad_options[i], NULL };
      g_autofree char *se = NULL;
      g_assert_cmpint (render (c->roster, c->photos, out, extra, NULL, &se), ==, 2);
      g_assert_nonnull (strstr (se, "copies must be 1..20"));
    }
  const char *const bad[] = { "0", "21", "five", "2.5", "-1" };
  const char *const own_bad[] = { bad[0], NULL, bad[1], bad[2], NULL, bad[3], bad[4], NULL };
  g_autoptr (Classes) b = classes_new (sizes, 1, own_bad);
  const char *check[] = { "check", "--roster", b->roster, "--photos", b->photos, NULL };
  g_autofree char *co = NULL;
  g_assert_cmpint (ps_test_run_cli (check, &co, NULL), ==, 1);
  g_test_message ("%s", co);
  g_assert_nonnull (strstr (co, "problems  5\n"));
  GPtrArray *bm = b->classes->pdata[0];
  const size_t bad_rows[] = { 0, 2, 3, 5, 6 };
  for (size_t i = 0; i < G_N_ELEMENTS (bad_rows); i++)
    {
      /* one class: written in roster order, header on row 1 */
      g_autofree char *line = g_strdup_printf ("classes.csv:%zu: xh=%s: copies: 份数 must be a "
                                               "whole number from 1 to 20\n",
                                               bad_rows[i] + 2, (char *) bm->pdata[bad_rows[i]]);
      g_assert_nonnull (strstr (co, line));
    }
}

/* Cuts every page of @klass (its separator @sep and the sheets after it) at
 * the pieces of its first sheet, piles the pieces by position and stacks
 * the piles in position order.  Returns the 学号 in the order the stack
 * gives them; *@tabs_ok: every pile starts with a piece of the separator
 * naming the class. */
static GPtrArray *
cut_and_stack (const char *pdf, GPtrArray *rows, size_t sep, size_t n_sheets, const char *klass,
               GPtrArray *members, GPtrArray *pieces_out)
{
  g_autoptr (GPtrArray) first = manifest_page (rows, sep + 1);
  size_t positions = first->len;
  GPtrArray *order = g_ptr_array_new ();
  for (size_t p = 0; p < positions; p++)
    {
      double piece[4];
      row_piece (first->pdata[p], piece);
      g_ptr_array_add (pieces_out, g_memdup2 (piece, sizeof piece));
      /* every sheet of the class has the same pieces */
      for (size_t s = 0; s < n_sheets; s++)
        {
          g_autoptr (GPtrArray) groups = manifest_page (rows, sep + 1 + s);
          for (size_t g = 0; g < groups->len; g++)
            if (atoi (((char **) groups->pdata[g])[9]) == (int) p + 1)
              {
                double other[4];
                row_piece (groups->pdata[g], other);
                g_assert_cmpmem (other, sizeof other, piece, sizeof piece);
              }
        }
      /* the pile: the separator's piece, then each sheet's */
      g_autofree char *head = page_text (pdf, sep, piece);
      g_assert_nonnull (strstr (head, klass));
      g_autofree char *pile = g_strdup_printf ("第 %zu / %zu 叠", p + 1, positions);
      g_assert_nonnull (strstr (head, pile));
      for (size_t s = 0; s < n_sheets; s++)
        {
          g_autofree char *text = page_text (pdf, sep + 1 + s, piece);
          const char *found = NULL;
          for (size_t i = 0; i < members->len; i++)
            if (strstr (text, members->pdata[i]) != NULL)
              {
                g_assert_null (found);    /* a piece is one student's */
                found = members->pdata[i];
              }
          if (found != NULL)
            g_ptr_array_add (order, (gpointer) found);
        }
    }
  return order;
}

static bool
same_order (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return false;
  for (size_t i = 0; i < a->len; i++)
    if (strcmp (a->pdata[i], b->pdata[i]) != 0)
      return false;
  return true;
}

/* Acceptance 2: --impose stack.  The sheets of each class, guillotined on
 * the group lines of the manifest, piled by position and the piles stacked
 * in position order, give the class in roster order; each pile starts with
 * its piece of the separator, which names the class and carries a tab. */
static void
test_impose_cut_and_stack (void)
{
  if (!need_poppler ())
    return;
  const size_t sizes[] = { 10, 7, 13 };
  g_autoptr (Classes) c = classes_new (sizes, 3, NULL);
  g_autofree char *out = g_build_filename (c->dir, "stack", NULL);
  g_autofree char *seq = g_build_filename (c->dir, "sequence", NULL);
  const char *stack[] = { "--layout", "a4-33x48", "--copies", "5", "--impose", "stack",
                          "--format", "pdf,tiff", "--dpi", "100", NULL };
  const char *sequence[] = { "--layout", "a4-33x48", "--copies", "5", "--format", "pdf", NULL };
  g_assert_cmpint (render (c->roster, c->photos, out, stack, NULL, NULL), ==, 0);
  g_assert_cmpint (render (c->roster, c->photos, seq, sequence, NULL, NULL), ==, 0);

  g_autofree char *pdf = g_build_filename (out, "sheets.pdf", NULL);
  g_autofree char *seq_pdf = g_build_filename (seq, "sheets.pdf", NULL);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_autoptr (GPtrArray) seq_rows = ps_test_read_manifest (seq);
  size_t sep = 1;
  bool sequence_differs = false;
  for (size_t k = 0; k < 3; k++)
    {
      GPtrArray *members = c->classes->pdata[k];
      size_t n_sheets = (members->len + 3) / 4;
      g_assert_cmpstr (((char **) g_ptr_array_steal_index (manifest_page (rows, sep), 0))[1], ==,
                       "separator");
      g_autoptr (GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) order = cut_and_stack (pdf, rows, sep, n_sheets, class_names[k],
                                                   members, pieces);
      g_test_message ("%s: %u students, %zu sheets, %u piles", class_names[k], members->len,
                      n_sheets, pieces->len);
      g_assert_true (same_order (order, members));
      /* only the last sheet has empty places */
      for (size_t s = 0; s + 1 < n_sheets; s++)
        {
          g_autoptr (GPtrArray) groups = manifest_page (rows, sep + 1 + s);
          g_assert_cmpuint (groups->len, ==, 4);
        }

      /* the separator's tab on every pile: ink on the right edge of each
       * piece of the separator page */
      g_autofree char *name = g_strdup_printf ("tiff/%04zu.tif", sep);
      g_autofree char *tif = g_build_filename (out, name, NULL);
      guint32 w = 0, h = 0;
      int spp = 0;
      g_autofree guint8 *px = read_tiff_rgba (tif, &w, &h, &spp, NULL, NULL);
      for (size_t p = 0; p < pieces->len; p++)
        {
          const double *piece = pieces->pdata[p];
          int y0 = (int) ceil (piece[1] * 100 / 72.0), y1 = (int) floor ((piece[1] + piece[3]) * 100 / 72.0);
          int dark = 0;
          for (int y = y0; y < y1 && y < (int) h; y++)
            dark += PX (px, w, w - 2, y, 0) < 64;
          g_test_message ("  pile %zu: tab %d px high", p + 1, dark);
          g_assert_cmpint (dark, >=, 20);
        }

      /* The same cut of the sequence order is not the roster order: the
       * simulation tells them apart. */
      g_autoptr (GPtrArray) seq_pieces = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) seq_order = cut_and_stack (seq_pdf, seq_rows, sep, n_sheets,
                                                       class_names[k], members, seq_pieces);
      g_assert_cmpuint (seq_order->len, ==, members->len);
      sequence_differs = sequence_differs || !same_order (seq_order, members);
      sep += 1 + n_sheets;
    }
  g_assert_true (sequence_differs);
}

/* Acceptance 5: a reprint of one student of a shared A4 sheet prints his
 * group alone, where it was, with the 补 mark: the same pixels in his piece
 * of the sheet, paper everywhere else. */
static void
test_impose_reprint_shared (void)
{
  if (!need_poppler ())
    return;
  const size_t sizes[] = { 6 };
  g_autoptr (Classes) c = classes_new (sizes, 1, NULL);
  g_autofree char *out = g_build_filename (c->dir, "out", NULL);
  const char *extra[] = { "--layout", "a4-33x48", "--copies", "5", "--format", "pdf,tiff", NULL };
  g_assert_cmpint (render (c->roster, c->photos, out, extra, NULL, NULL), ==, 0);
  GPtrArray *members = c->classes->pdata[0];
  const char *xh = members->pdata[1];               /* page 2, position 2 */
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_autoptr (GPtrArray) groups = manifest_page (rows, 2);
  g_assert_cmpuint (groups->len, ==, 4);
  char **row = groups->pdata[1];
  g_assert_cmpstr (row[4], ==, xh);
  double piece[4];
  row_piece (row, piece);

  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  g_autofree char *re = g_build_filename (c->dir, "reprint", NULL);
  const char *args[] = { "reprint", "--ledger", ledger, "--xh", xh, "--out", re, "--reason",
                         "lost in the post", "--date", "2026-01-15", NULL };
  g_autofree char *so = NULL, *se = NULL;
  g_assert_cmpint (ps_test_run_cli (args, &so, &se), ==, 0);
  g_test_message ("%s%s", so, se);

  g_autofree char *pdf = g_build_filename (re, "reprint.pdf", NULL);
  g_assert_cmpint (pdf_pages (pdf), ==, 1);
  g_assert_cmpint (page_images (pdf, 1), ==, 5);
  g_autofree char *text = page_text (pdf, 1, NULL);
  g_assert_nonnull (strstr (text, "补 2026-01-15"));
  g_assert_cmpuint (count_of (text, g_hash_table_lookup (c->caption, xh)), ==, 5);
  g_assert_cmpuint (count_of (text, xh), ==, 6);
  for (size_t i = 0; i < members->len; i++)
    if (strcmp (members->pdata[i], xh) != 0)
      {
        g_assert_null (strstr (text, members->pdata[i]));
        g_assert_null (strstr (text, g_hash_table_lookup (c->cjm, members->pdata[i])));
      }

  /* Pixels: his piece as on the original sheet; elsewhere paper, but for
   * the cut marks on his piece's edges and the 补 mark. */
  g_autofree char *orig_tif = g_build_filename (out, "tiff", "0002.tif", NULL);
  g_autofree char *re_tif = g_build_filename (re, "tiff", "0002.tif", NULL);
  guint32 w = 0, h = 0, w2 = 0, h2 = 0;
  int spp = 0;
  g_autofree guint8 *a = read_tiff_rgba (orig_tif, &w, &h, &spp, NULL, NULL);
  g_autofree guint8 *b = read_tiff_rgba (re_tif, &w2, &h2, &spp, NULL, NULL);
  g_assert_cmpint (w, ==, w2);
  g_assert_cmpint (h, ==, h2);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = ps_layout_load ("a4-33x48", &error);
  g_assert_no_error (error);
  double k = 300 / 72.0;
  const PsRect *mark = &layout->reprint_mark;
  double reach = layout->mark_offset + layout->mark_length;
  int top = (int) lround (piece[1] * k), bottom = (int) lround ((piece[1] + piece[3]) * k);
  size_t same = 0, differ = 0, paper = 0, other_ink = 0, original_ink = 0;
  for (guint32 y = 0; y < h; y++)
    for (guint32 x = 0; x < w; x++)
      {
        bool in_mark = x >= mark->x * k - 2 && x <= (mark->x + mark->width) * k + 2
                       && y >= mark->y * k - 2 && y <= (mark->y + mark->height) * k + 2;
        if (in_mark)
          continue;
        bool a_paper = PX (a, w, x, y, 0) > 250 && PX (a, w, x, y, 1) > 250 && PX (a, w, x, y, 2) > 250;
        bool b_paper = PX (b, w, x, y, 0) > 250 && PX (b, w, x, y, 1) > 250 && PX (b, w, x, y, 2) > 250;
        if ((int) y > top && (int) y < bottom)
          {
            bool eq = memcmp (&PX (a, w, x, y, 0), &PX (b, w, x, y, 0), 3) == 0;
            eq ? same++ : differ++;
          }
        else if (abs ((int) y - top) <= reach * k || abs ((int) y - bottom) <= reach * k)
          continue;   /* the cut marks of his piece's edges */
        else
          {
            b_paper ? paper++ : other_ink++;
            original_ink += !a_paper;
          }
      }
  g_test_message ("piece: %zu px same, %zu differ; elsewhere %zu paper, %zu ink (original %zu)",
                  same, differ, paper, other_ink, original_ink);
  g_assert_cmpuint (differ, ==, 0);
  g_assert_cmpuint (other_ink, ==, 0);
  g_assert_cmpuint (original_ink, >, 100000);     /* the others were there */
  /* the 补 mark is on the reprint only */
  size_t mark_ink = 0;
  for (int y = (int) (mark->y * k); y < (int) ((mark->y + mark->height) * k); y++)
    for (int x = (int) (mark->x * k); x < (int) ((mark->x + mark->width) * k); x++)
      mark_ink += PX (b, w, x, y, 0) < 128 && PX (a, w, x, y, 0) > 250;
  g_assert_cmpuint (mark_ink, >, 50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/samples/order", test_render_order);
  g_test_add_func ("/render/samples/text", test_render_text);
  g_test_add_func ("/render/samples/geometry", test_render_geometry);
  g_test_add_func ("/render/samples/deterministic", test_render_deterministic);
  g_test_add_func ("/render/parallel-equals-serial", test_render_parallel_equals_serial);
  g_test_add_func ("/render/color/profile-embedded", test_render_profile_embedded);
  g_test_add_func ("/render/color/pdf-device-rgb", test_render_pdf_device_rgb);
  g_test_add_func ("/render/batch/page-too-large", test_render_page_too_large);
  g_test_add_func ("/render/batch/refuse-then-skip", test_render_refuses_then_skips);
  g_test_add_func ("/render/plan/order-priority-copies", test_render_plan_rules);
  g_test_add_func ("/render/golden/separator-and-sheet", test_render_golden);
  g_test_add_func ("/render/privacy/old-mode", test_render_privacy_old_mode);
  g_test_add_func ("/render/impose/a4-five-copies", test_impose_a4_five);
  g_test_add_func ("/render/impose/copies-counts", test_impose_copies_counts);
  g_test_add_func ("/render/impose/cut-and-stack", test_impose_cut_and_stack);
  g_test_add_func ("/render/impose/reprint-shared", test_impose_reprint_shared);
  int status = g_test_run ();
  if (shared_out != NULL)
    ps_test_rm_rf (shared_out);
  g_free (shared_out);
  return status;
}
