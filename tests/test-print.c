/* test-print.c - print, resume, crash recovery, reprint and status through a
 * real cupsd and a virtual IPP printer (tests/cups/harness.sh).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Environment (set by tests/cups/run-with-cups.sh): CUPS_SERVER,
 * PS_TEST_QUEUE, PS_TEST_SPOOL (where the virtual printer keeps every
 * document it receives), PS_CUPS_HARNESS and PS_CUPS_DIR (to stop and start
 * the virtual printer).
 */
#include "config.h"
#include "ps-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>


static bool
have_cups (void)
{
  if (g_getenv ("PS_TEST_QUEUE") == NULL)
    {
      g_test_skip ("no CUPS harness (run through tests/cups/run-with-cups.sh)");
      return false;
    }
  g_autofree char *p = g_find_program_in_path ("pdftotext");
  if (p == NULL)
    {
      g_test_skip ("pdftotext not installed");
      return false;
    }
  return true;
}

static int
harness (const char *action)
{
  g_autofree char *cmd = g_strdup_printf ("'%s' %s '%s' >/dev/null 2>&1",
                                          ps_test_getenv ("PS_CUPS_HARNESS"), action,
                                          ps_test_getenv ("PS_CUPS_DIR"));
  return ps_test_run_shell (cmd, NULL);
}

/* A copy of the samples whose first four rows carry full names and full ID
 * numbers, as old-mode tables do; rendered into DIR/out. */
static char *
render_old_mode_batch (const char *extra_format)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *old = ps_test_write_old_mode_roster (dir);

  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  const char *args[] = { "render", "--roster", old, "--photos", photos, "--out", out,
                         "--format", extra_format, "--dpi", "100", NULL };
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli (args, &so, &se);
  g_test_message ("%s%s", so, se);
  g_assert_cmpint (status, ==, 0);
  return g_steal_pointer (&dir);
}

static int
print_cli (const char *out, const char *const *extra, char **so, char **se)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  /* The virtual printer delivers face up, so CUPS would reverse each job
   * to stack it in order; the test reads documents as sent. */
  const char *base[] = { "print", "--batch", out, "--printer", ps_test_getenv ("PS_TEST_QUEUE"),
                         "--server", ps_test_getenv ("CUPS_SERVER"), "-o", "outputorder=normal",
                         "--timeout", "120", NULL };
  for (size_t i = 0; base[i] != NULL; i++)
    g_ptr_array_add (args, (char *) base[i]);
  for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);
  g_autofree char *o = NULL, *e = NULL;
  int status = ps_test_run_cli ((const char *const *) args->pdata, &o, &e);
  g_test_message ("print %s:\n%s%s", extra && extra[0] ? extra[0] : "", o, e);
  if (so != NULL)
    *so = g_steal_pointer (&o);
  if (se != NULL)
    *se = g_steal_pointer (&e);
  return status;
}

/* The virtual printer names documents "<job-id>-<title>.pdf": arrival
 * order is job-id order. */
static gint
compare_job_files (gconstpointer a, gconstpointer b)
{
  g_autofree char *na = g_path_get_basename (*(const char *const *) a);
  g_autofree char *nb = g_path_get_basename (*(const char *const *) b);
  long ia = atol (na), ib = atol (nb);
  return (ia > ib) - (ia < ib);
}

/* Every document the virtual printer received, oldest first. */
static GPtrArray *
received_documents (void)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *spool = ps_test_getenv ("PS_TEST_SPOOL");
  g_autoptr (GDir) dir = g_dir_open (spool, 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".pdf"))
      g_ptr_array_add (files, g_build_filename (spool, name, NULL));
  g_ptr_array_sort (files, compare_job_files);
  return files;
}

static void
clear_spool (void)
{
  const char *spool = ps_test_getenv ("PS_TEST_SPOOL");
  g_autoptr (GDir) dir = g_dir_open (spool, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (spool, name, NULL);
      g_unlink (path);
    }
}

/* The text of every received page, in arrival order. */
static GPtrArray *
received_pages (void)
{
  g_autoptr (GPtrArray) files = received_documents ();
  GPtrArray *pages = g_ptr_array_new_with_free_func (g_free);
  for (size_t f = 0; f < files->len; f++)
    {
      g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s' -", (char *) files->pdata[f]);
      g_autofree char *text = NULL;
      g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
      g_auto (GStrv) split = g_strsplit (text, "\f", -1);
      for (size_t p = 0; split[p] != NULL; p++)
        if (split[p + 1] != NULL || g_strstrip (split[p])[0] != '\0')
          g_ptr_array_add (pages, g_strdup (split[p]));
    }
  return pages;
}

/* Each manifest page must have arrived exactly once, in order: a sheet is
 * known by its 采集码 (in the caption strip), a separator by its class name
 * and the absence of a 采集码. */
static void
assert_every_page_once (const char *out)
{
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_autoptr (GPtrArray) pages = received_pages ();
  g_assert_cmpint (pages->len, ==, rows->len);
  for (size_t i = 0; i < rows->len; i++)
    {
      char **row = rows->pdata[i];
      const char *text = pages->pdata[i];
      if (strcmp (row[1], "sheet") == 0)
        {
          if (strstr (text, row[5]) == NULL)
            g_error ("received page %zu is not manifest page %s (cjm %s)", i + 1, row[0], row[5]);
        }
      else
        {
          g_assert_nonnull (strstr (text, row[2]));
          g_assert_null (strstr (text, "采集码"));
        }
    }
}

static char *
status_text (const char *out)
{
  const char *args[] = { "status", "--batch", out, NULL };
  g_autofree char *so = NULL;
  g_assert_cmpint (ps_test_run_cli (args, &so, NULL), ==, 0);
  return g_steal_pointer (&so);
}

/* Reads every byte under @dir (recursively) and fails on any full value. */
static void
assert_no_full_values_in_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          assert_no_full_values_in_tree (child);
        }
      return;
    }
  g_autofree char *data = NULL;
  gsize len = 0;
  const char *which = NULL;
  if (g_file_get_contents (path, &data, &len, NULL) && ps_test_find_full_value (data, len, &which))
    g_error ("%s holds a full name or ID (%s)", path, which);
}

static void
test_print_end_to_end (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf,tiff");
  g_autofree char *out = g_build_filename (dir, "out", NULL);

  g_autofree char *so = NULL, *se = NULL;
  g_assert_cmpint (print_cli (out, NULL, &so, &se), ==, 0);
  assert_every_page_once (out);

  g_autofree char *status = status_text (out);
  g_test_message ("%s", status);
  g_assert_nonnull (strstr (status, "40 printed, 0 pending, 0 failed"));
  g_assert_nonnull (strstr (status, "completed"));

  /* A second print without --resume is refused: nothing twice by accident. */
  g_assert_cmpint (print_cli (out, NULL, NULL, NULL), ==, 2);
  /* With --resume there is nothing left to send. */
  g_autofree char *resumed = NULL;
  g_assert_cmpint (print_cli (out, (const char *[]) { "--resume", NULL }, &resumed, NULL), ==, 0);
  g_assert_nonnull (strstr (resumed, "0 jobs (0 pages) sent"));
  assert_every_page_once (out);

  /* Privacy: the ledger, every file written, what print said, and what the
   * printer received hold no full name or ID. */
  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  struct stat st;
  g_assert_cmpint (g_stat (ledger, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  assert_no_full_values_in_tree (out);
  assert_no_full_values_in_tree (ps_test_getenv ("PS_TEST_SPOOL"));
  g_autofree char *said = g_strconcat (so, se, status, NULL);
  g_assert_false (ps_test_find_full_value (said, strlen (said), NULL));
  g_autoptr (GPtrArray) pages = received_pages ();
  for (size_t p = 0; p < pages->len; p++)
    g_assert_false (ps_test_find_full_value (pages->pdata[p], strlen (pages->pdata[p]), NULL));
  ps_test_rm_rf (dir);
}

static void
test_print_fault_resume (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf");
  g_autofree char *out = g_build_filename (dir, "out", NULL);

  /* The printer goes away and the queue gives up on its jobs (abort-job
   * rather than the harness's retry-job): they end aborted, are recorded so,
   * and their pages are what --resume sends again. */
  g_autofree char *abort_cmd = g_strdup_printf ("lpadmin -h '%s' -p '%s' -o printer-error-policy=abort-job",
                                                ps_test_getenv ("CUPS_SERVER"),
                                                ps_test_getenv ("PS_TEST_QUEUE"));
  g_assert_cmpint (ps_test_run_shell (abort_cmd, NULL), ==, 0);
  g_assert_cmpint (harness ("printer-stop"), ==, 0);
  g_autofree char *se = NULL;
  int status = print_cli (out, (const char *[]) { "--timeout", "30", NULL }, NULL, &se);
  g_assert_cmpint (harness ("printer-start"), ==, 0);
  g_assert_cmpint (status, ==, 1);
  g_autofree char *before = status_text (out);
  g_test_message ("%s", before);
  g_assert_nonnull (strstr (before, "aborted"));
  g_assert_null (strstr (before, "40 printed"));
  g_autofree char *retry_cmd = g_strdup_printf ("lpadmin -h '%s' -p '%s' -o printer-error-policy=retry-job",
                                                ps_test_getenv ("CUPS_SERVER"),
                                                ps_test_getenv ("PS_TEST_QUEUE"));
  g_assert_cmpint (ps_test_run_shell (retry_cmd, NULL), ==, 0);

  /* Back again: --resume prints exactly what is missing. */
  g_assert_cmpint (print_cli (out, (const char *[]) { "--resume", "--timeout", "120", NULL }, NULL,
                              NULL), ==, 0);
  assert_every_page_once (out);
  g_autofree char *after = status_text (out);
  g_assert_nonnull (strstr (after, "40 printed, 0 pending, 0 failed"));
  ps_test_rm_rf (dir);
}

static void
test_print_crash_no_duplicate (void)
{
  if (!PS_FAULT_INJECTION)
    {
      g_test_skip ("needs a build with -Dfault_injection=true (./run test makes one)");
      return;
    }
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf");
  g_autofree char *out = g_build_filename (dir, "out", NULL);

  /* Killed right after CUPS accepted the first job, before the ledger knew. */
  g_setenv ("PHOTOSHEET_FAULT", "after-submit", TRUE);
  int status = print_cli (out, NULL, NULL, NULL);
  g_unsetenv ("PHOTOSHEET_FAULT");
  g_assert_cmpint (status, ==, -1);

  g_assert_cmpint (print_cli (out, (const char *[]) { "--resume", "--timeout", "120", NULL }, NULL,
                              NULL), ==, 0);
  assert_every_page_once (out);
  g_autofree char *after = status_text (out);
  g_test_message ("%s", after);
  g_assert_nonnull (strstr (after, "40 printed, 0 pending, 0 failed"));
  ps_test_rm_rf (dir);
}

static void
test_print_refusals (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *se = NULL;

  const char *unknown[] = { "print", "--batch", out, "--printer", "no-such-queue", "--server",
                            ps_test_getenv ("CUPS_SERVER"), NULL };
  g_assert_cmpint (ps_test_run_cli (unknown, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "no-such-queue"));

  g_clear_pointer (&se, g_free);
  gint64 start = g_get_monotonic_time ();
  const char *unreachable[] = { "print", "--batch", out,
                                "--printer", ps_test_getenv ("PS_TEST_QUEUE"),
                                "--server", "127.0.0.1:1", NULL };
  g_assert_cmpint (ps_test_run_cli (unreachable, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "127.0.0.1:1"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);

  /* A sheet size the printer does not have: a 150 x 150 mm layout. */
  g_autofree char *layout = g_build_filename (dir, "square.ini", NULL);
  ps_test_write_file (layout,
                      "[sheet]\nwidth_mm=150\nheight_mm=150\n"
                      "[photo]\nwidth_mm=33\nheight_mm=48\n", -1);
  g_autofree char *sq_out = g_build_filename (dir, "square", NULL);
  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  const char *render[] = { "render", "--roster", roster, "--photos", photos, "--out", sq_out,
                           "--layout", layout, "--format", "pdf", NULL };
  g_assert_cmpint (ps_test_run_cli (render, NULL, NULL), ==, 0);
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (print_cli (sq_out, NULL, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "media"));

  /* Nothing was recorded as printed, nothing arrived. */
  g_autofree char *status = status_text (out);
  g_assert_nonnull (strstr (status, "0 printed"));
  g_autofree char *sq_status = status_text (sq_out);
  g_assert_nonnull (strstr (sq_status, "0 printed"));
  g_autoptr (GPtrArray) docs = received_documents ();
  g_assert_cmpint (docs->len, ==, 0);
  ps_test_rm_rf (dir);
}

static guint8 *
read_tiff (const char *path, guint32 *w, guint32 *h)
{
  TIFF *tif = TIFFOpen (path, "r");
  g_assert_nonnull (tif);
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, w);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, h);
  guint8 *px = g_malloc ((size_t) *w * *h * 4);
  g_assert_true (TIFFReadRGBAImageOriented (tif, *w, *h, (guint32 *) px, ORIENTATION_TOPLEFT, 0));
  TIFFClose (tif);
  return px;
}

static void
test_reprint_identical_but_mark (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf,tiff");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  char **row = rows->pdata[2];   /* the second student sheet of class 1 */
  g_assert_cmpstr (row[1], ==, "sheet");

  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  g_autofree char *re = g_build_filename (dir, "reprint", NULL);
  const char *args[] = { "reprint", "--ledger", ledger, "--xh", row[4], "--out", re,
                         "--reason", "lost in the post", "--date", "2026-11-22",
                         "--printer", ps_test_getenv ("PS_TEST_QUEUE"),
                         "--server", ps_test_getenv ("CUPS_SERVER"), NULL };
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli (args, &so, &se);
  g_test_message ("%s%s", so, se);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (so, "queued as job"));

  /* Pixel for pixel the original, outside the mark's corner. */
  g_autofree char *name = g_strdup_printf ("%04d.tif", atoi (row[0]));
  g_autofree char *orig_path = g_build_filename (out, "tiff", name, NULL);
  g_autofree char *re_path = g_build_filename (re, "tiff", name, NULL);
  guint32 w = 0, h = 0, w2 = 0, h2 = 0;
  g_autofree guint8 *a = read_tiff (orig_path, &w, &h);
  g_autofree guint8 *b = read_tiff (re_path, &w2, &h2);
  g_assert_cmpint (w, ==, w2);
  g_assert_cmpint (h, ==, h2);

  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = ps_layout_load ("default", &error);
  g_assert_no_error (error);
  double k = 100 / 72.0;
  PsRect m = layout->reprint_mark;
  size_t inside = 0, outside = 0;
  for (guint32 y = 0; y < h; y++)
    for (guint32 x = 0; x < w; x++)
      {
        bool in_mark = x + 1 >= m.x * k && x <= (m.x + m.width) * k + 1
                       && y + 1 >= m.y * k && y <= (m.y + m.height) * k + 1;
        bool differs = memcmp (a + ((size_t) y * w + x) * 4, b + ((size_t) y * w + x) * 4, 4) != 0;
        if (differs && in_mark)
          inside++;
        else if (differs)
          outside++;
      }
  g_test_message ("reprint: %zu pixels differ inside the mark, %zu outside", inside, outside);
  g_assert_cmpint (outside, ==, 0);
  g_assert_cmpint (inside, >, 0);

  /* Recorded, and its pdftotext shows the mark. */
  g_autofree char *status_out = status_text (out);
  g_test_message ("%s", status_out);
  g_assert_nonnull (strstr (status_out, "reprint"));
  g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s/reprint.pdf' -", re);
  g_autofree char *text = NULL;
  g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
  g_assert_nonnull (strstr (text, "补"));
  g_assert_nonnull (strstr (text, row[4]));

  /* A changed photo is refused. */
  g_autofree char *photo = g_build_filename (dir, "photos", NULL);
  g_autofree char *photo_file = g_strdup_printf ("%s/%s.jpg", photo, row[5]);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (photo_file, &data, &len, NULL));
  data[len - 3] ^= 0x01;
  ps_test_write_file (photo_file, data, (gssize) len);
  const char *again[] = { "reprint", "--ledger", ledger, "--cjm", row[5], "--out", re, NULL };
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (ps_test_run_cli (again, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "changed"));
  ps_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/print/end-to-end", test_print_end_to_end);
  g_test_add_func ("/print/refusals", test_print_refusals);
  g_test_add_func ("/print/crash-no-duplicate", test_print_crash_no_duplicate);
  g_test_add_func ("/print/fault-resume", test_print_fault_resume);
  g_test_add_func ("/print/reprint", test_reprint_identical_but_mark);
  return g_test_run ();
}
