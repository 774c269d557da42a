/* test-render.c - `photosheet render` end to end: pages, order, geometry,
 * text, colour profile, determinism, refusal, goldens.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
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
  int status = g_test_run ();
  if (shared_out != NULL)
    ps_test_rm_rf (shared_out);
  g_free (shared_out);
  return status;
}
