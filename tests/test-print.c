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
#include "ps-test-proxy.h"

#include <cups/cups.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sqlite3.h>
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
clear_spool_dir (const char *spool)
{
  g_autoptr (GDir) dir = g_dir_open (spool, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (spool, name, NULL);
      g_unlink (path);
    }
}

static void
clear_spool (void)
{
  clear_spool_dir (ps_test_getenv ("PS_TEST_SPOOL"));
  clear_spool_dir (ps_test_getenv ("PS_TEST_SPOOL2"));
}

/* The documents of @spool whose name has @tag (a batch uid), oldest first. */
static GPtrArray *
documents_with (const char *spool, const char *tag)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (spool, 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".pdf") && (tag == NULL || strstr (name, tag) != NULL))
      g_ptr_array_add (files, g_build_filename (spool, name, NULL));
  g_ptr_array_sort (files, compare_job_files);
  return files;
}

/* The text of every page of @files, in order. */
static GPtrArray *
pages_of (GPtrArray *files)
{
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

/* The text of every received page, in arrival order. */
static GPtrArray *
received_pages (void)
{
  g_autoptr (GPtrArray) files = received_documents ();
  return pages_of (files);
}

/* Each manifest page must have arrived exactly once, in order: a sheet is
 * known by its 采集码 (in the caption strip), a separator by its class name
 * and the absence of a 采集码. */
static void
assert_pages_match (GPtrArray *pages, GPtrArray *rows)
{
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

static void
assert_pages_are (GPtrArray *pages, const char *out)
{
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  assert_pages_match (pages, rows);
}

static void
assert_every_page_once (const char *out)
{
  g_autoptr (GPtrArray) pages = received_pages ();
  assert_pages_are (pages, out);
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


/* ------------------------------------------------------------------ */
/* The print room: several batches, several printers, honest outcomes  */
/* ------------------------------------------------------------------ */

/* print with @printer (NULL: no --printer) and @server (NULL: the harness's). */
static int print_to_env (const char *out, const char *printer, const char *server,
                         const char *const *extra, const char *const *child_env, char **so,
                         char **se);

static int
print_to (const char *out, const char *printer, const char *server, const char *const *extra,
          char **so, char **se)
{
  return print_to_env (out, printer, server, extra, NULL, so, se);
}

static int
print_to_env (const char *out, const char *printer, const char *server, const char *const *extra,
              const char *const *child_env, char **so, char **se)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *base[] = { "print", "--batch", out, "-o", "outputorder=normal", "--timeout", "120",
                         "--server", server != NULL ? server : ps_test_getenv ("CUPS_SERVER"), NULL };
  for (size_t i = 0; base[i] != NULL; i++)
    g_ptr_array_add (args, (char *) base[i]);
  if (printer != NULL)
    {
      g_ptr_array_add (args, "--printer");
      g_ptr_array_add (args, (char *) printer);
    }
  for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);
  g_autofree char *o = NULL, *e = NULL;
  int status = ps_test_run_cli_env ((const char *const *) args->pdata, child_env, &o, &e);
  g_test_message ("print %s to %s -> %d:\n%s%s", out, printer ? printer : "(default)", status, o,
                  e);
  if (so != NULL)
    *so = g_steal_pointer (&o);
  if (se != NULL)
    *se = g_steal_pointer (&e);
  return status;
}

static void
render_into (const char *roster, const char *photos, const char *out)
{
  const char *args[] = { "render", "--roster", roster, "--photos", photos, "--out", out,
                         "--format", "pdf", "--dpi", "100", NULL };
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli (args, &so, &se);
  if (status != 0)
    g_test_message ("%s%s", so, se);
  g_assert_cmpint (status, ==, 0);
}

/* `status --json` of the batch in @out: its batch object (a new reference). */
static JsonNode *
status_json (const char *out)
{
  const char *args[] = { "status", "--batch", out, "--json", NULL };
  g_autofree char *so = NULL;
  g_assert_cmpint (ps_test_run_cli (args, &so, NULL), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, so, -1, &error));
  g_assert_no_error (error);
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "schema"), ==, 1);
  JsonArray *batches = json_object_get_array_member (root, "batches");
  g_assert_cmpuint (json_array_get_length (batches), ==, 1);
  return json_node_copy (json_array_get_element (batches, 0));
}

static JsonArray *
jobs_of (JsonNode *batch)
{
  return json_object_get_array_member (json_node_get_object (batch), "jobs");
}

static const char *
member_string (JsonArray *array, guint i, const char *member)
{
  JsonObject *o = json_array_get_object_element (array, i);
  return json_object_get_null_member (o, member) ? NULL : json_object_get_string_member (o, member);
}

static gint64
member_int (JsonArray *array, guint i, const char *member)
{
  return json_object_get_int_member (json_array_get_object_element (array, i), member);
}

static void
assert_counts (JsonNode *batch, gint64 printed, gint64 pending, gint64 failed)
{
  JsonObject *b = json_node_get_object (batch);
  g_assert_cmpint (json_object_get_int_member (b, "printed"), ==, printed);
  g_assert_cmpint (json_object_get_int_member (b, "pending"), ==, pending);
  g_assert_cmpint (json_object_get_int_member (b, "failed"), ==, failed);
}

/* No job is left "created": each says what became of it. */
static void
assert_no_job_created (JsonNode *batch)
{
  JsonArray *jobs = jobs_of (batch);
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    g_assert_cmpstr (member_string (jobs, i, "state"), !=, "created");
}

/* The roster of the samples without its last class: three classes. */
static char *
write_three_class_roster (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  for (size_t i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && strstr (lines[i], "汉语言文学2101班") == NULL)
      g_string_append_printf (out, "%s\r\n", lines[i]);
  char *three = g_build_filename (dir, "three.csv", NULL);
  ps_test_write_file (three, out->str, -1);
  return three;
}

static void
set_ledger_uid (const char *out, const char *uid)
{
  g_autofree char *path = g_build_filename (out, "ledger.sqlite", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_autofree char *sql = g_strdup_printf ("UPDATE batches SET uid = '%s'", uid);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Issue 13, acceptance 1: one roster rendered into A and C, one cupsd.  A
 * is printed; print on C is killed just before its first job reaches
 * CUPS; print --resume on C sends every page of C exactly once and never
 * takes A's job for C's.  @data: with C's batch given A's uid, so that the
 * job names collide as they did when each ledger numbered its batches
 * from 1: then only the job's own attributes (created before C recorded
 * its job) keep A's job out. */
static void
test_print_cross_batch_resume (gconstpointer data)
{
  bool collide = GPOINTER_TO_INT (data) != 0;
  if (!PS_FAULT_INJECTION)
    {
      g_test_skip ("needs a build with -Dfault_injection=true (./run test makes one)");
      return;
    }
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *a = g_build_filename (dir, "A", NULL);
  g_autofree char *c = g_build_filename (dir, "C", NULL);
  render_into (roster, photos, a);
  render_into (roster, photos, c);
  g_autoptr (JsonNode) a0 = status_json (a);
  g_autoptr (JsonNode) c0 = status_json (c);
  g_autofree char *uid_a = g_strdup (json_object_get_string_member (json_node_get_object (a0), "uid"));
  const char *uid_c = json_object_get_string_member (json_node_get_object (c0), "uid");
  g_assert_cmpuint (strlen (uid_a), ==, 32);
  g_assert_cmpstr (uid_a, !=, uid_c);
  if (collide)
    set_ledger_uid (c, uid_a);

  g_assert_cmpint (print_to (a, ps_test_getenv ("PS_TEST_QUEUE"), NULL, NULL, NULL, NULL), ==, 0);
  /* Past the slack of the time window: A's jobs were created before C's. */
  g_usleep (5 * G_USEC_PER_SEC);
  int status = print_to_env (c, ps_test_getenv ("PS_TEST_QUEUE"), NULL, NULL,
                             (const char *[]) { "PHOTOSHEET_FAULT=before-submit", NULL }, NULL,
                             NULL);
  g_assert_cmpint (status, ==, -1);
  g_assert_cmpint (print_to (c, ps_test_getenv ("PS_TEST_QUEUE"), NULL,
                             (const char *[]) { "--resume", NULL }, NULL, NULL), ==, 0);

  /* C: every page printed; its first job, killed before CUPS had it, says
   * so and was never given A's job. */
  g_autoptr (JsonNode) cs = status_json (c);
  assert_counts (cs, 40, 0, 0);
  assert_no_job_created (cs);
  JsonArray *c_jobs = jobs_of (cs);
  g_assert_cmpstr (member_string (c_jobs, 0, "state"), ==, "canceled");
  g_assert_cmpint (member_int (c_jobs, 0, "cups_id"), ==, 0);
  g_assert_true (g_str_has_prefix (member_string (c_jobs, 0, "reason"), "never reached CUPS"));
  if (collide)
    g_assert_nonnull (strstr (member_string (c_jobs, 0, "reason"), "not ours"));
  g_autoptr (JsonNode) as = status_json (a);
  assert_counts (as, 40, 0, 0);
  JsonArray *a_jobs = jobs_of (as);
  g_assert_cmpuint (json_array_get_length (a_jobs), ==, 4);
  for (guint i = 0; i < json_array_get_length (c_jobs); i++)
    for (guint k = 0; k < json_array_get_length (a_jobs); k++)
      if (member_int (c_jobs, i, "cups_id") != 0)
        g_assert_cmpint (member_int (c_jobs, i, "cups_id"), !=, member_int (a_jobs, k, "cups_id"));
  if (collide)
    g_assert_cmpstr (member_string (c_jobs, 0, "name"), ==, member_string (a_jobs, 0, "name"));

  /* What arrived: A's pages once, then C's pages once. */
  g_autoptr (GPtrArray) docs_a = documents_with (ps_test_getenv ("PS_TEST_SPOOL"), uid_a);
  g_autoptr (GPtrArray) pages_a = pages_of (docs_a);
  if (!collide)
    {
      assert_pages_are (pages_a, a);
      g_autoptr (GPtrArray) docs_c = documents_with (ps_test_getenv ("PS_TEST_SPOOL"), uid_c);
      g_autoptr (GPtrArray) pages_c = pages_of (docs_c);
      assert_pages_are (pages_c, c);
    }
  else
    {
      g_autoptr (GPtrArray) rows = ps_test_read_manifest (a);
      g_assert_cmpuint (pages_a->len, ==, 2 * rows->len);
      g_autoptr (GPtrArray) first = g_ptr_array_new ();
      g_autoptr (GPtrArray) second = g_ptr_array_new ();
      for (guint i = 0; i < pages_a->len; i++)
        g_ptr_array_add (i < rows->len ? first : second, pages_a->pdata[i]);
      assert_pages_are (first, a);
      assert_pages_are (second, c);
    }
  /* and nothing else */
  g_autoptr (GPtrArray) all = received_documents ();
  g_autoptr (GPtrArray) docs_c_all = documents_with (ps_test_getenv ("PS_TEST_SPOOL"), uid_c);
  g_assert_cmpuint (all->len, ==, docs_a->len + (collide ? 0 : docs_c_all->len));
  ps_test_rm_rf (dir);
}

/* Issue 13, acceptance 2: a class of two virtual printers.  Each class of
 * students goes whole to one member, balanced by pages; the ledger names
 * the member and status shows it.  A member that takes no jobs is left
 * out. */
static void
test_print_class (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *three = write_three_class_roster (dir);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  render_into (three, photos, out);
  const char *klass = ps_test_getenv ("PS_TEST_CLASS");
  const char *q1 = ps_test_getenv ("PS_TEST_QUEUE"), *q2 = ps_test_getenv ("PS_TEST_QUEUE2");

  g_assert_cmpint (print_to (out, klass, NULL, NULL, NULL, NULL), ==, 0);
  g_autoptr (JsonNode) b = status_json (out);
  assert_counts (b, 30, 0, 0);
  JsonArray *jobs = jobs_of (b);
  JsonArray *classes = json_object_get_array_member (json_node_get_object (b), "classes");
  g_assert_cmpuint (json_array_get_length (jobs), ==, 3);
  g_assert_cmpuint (json_array_get_length (classes), ==, 3);
  gint64 on_q1 = 0, on_q2 = 0, largest = 0;
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_autoptr (GPtrArray) rows_q1 = g_ptr_array_new ();
  g_autoptr (GPtrArray) rows_q2 = g_ptr_array_new ();
  for (guint j = 0; j < 3; j++)
    {
      const char *queue = member_string (jobs, j, "queue");
      const char *class_name = member_string (classes, j, "name");
      g_assert_cmpstr (member_string (jobs, j, "printer"), ==, klass);
      g_assert_true (g_strcmp0 (queue, q1) == 0 || g_strcmp0 (queue, q2) == 0);
      g_assert_nonnull (strstr (member_string (jobs, j, "name"), class_name));
      gint64 pages = member_int (jobs, j, "pages");
      largest = MAX (largest, pages);
      if (g_strcmp0 (queue, q1) == 0)
        on_q1 += pages;
      else
        on_q2 += pages;
      for (guint r = 0; r < rows->len; r++)
        if (strcmp (((char **) rows->pdata[r])[2], class_name) == 0)
          g_ptr_array_add (g_strcmp0 (queue, q1) == 0 ? rows_q1 : rows_q2, rows->pdata[r]);
    }
  g_test_message ("pages on %s: %" G_GINT64_FORMAT ", on %s: %" G_GINT64_FORMAT, q1, on_q1, q2,
                  on_q2);
  g_assert_cmpint (on_q1, >, 0);
  g_assert_cmpint (on_q2, >, 0);
  g_assert_cmpint (ABS (on_q1 - on_q2), <=, largest);
  /* each member received exactly its classes, whole and in order */
  g_autoptr (GPtrArray) docs1 = documents_with (ps_test_getenv ("PS_TEST_SPOOL"), NULL);
  g_autoptr (GPtrArray) docs2 = documents_with (ps_test_getenv ("PS_TEST_SPOOL2"), NULL);
  g_autoptr (GPtrArray) pages1 = pages_of (docs1);
  g_autoptr (GPtrArray) pages2 = pages_of (docs2);
  assert_pages_match (pages1, rows_q1);
  assert_pages_match (pages2, rows_q2);
  g_autofree char *text = status_text (out);
  g_test_message ("%s", text);
  g_autofree char *to_q1 = g_strdup_printf ("%s -> %s  ", klass, q1);
  g_autofree char *to_q2 = g_strdup_printf ("%s -> %s  ", klass, q2);
  g_assert_nonnull (strstr (text, to_q1));
  g_assert_nonnull (strstr (text, to_q2));

  /* A member that is stopped gets nothing; the other prints the batch. */
  g_autofree char *disable = g_strdup_printf ("cupsdisable -h '%s' '%s'",
                                              ps_test_getenv ("CUPS_SERVER"), q2);
  g_autofree char *enable = g_strdup_printf ("cupsenable -h '%s' '%s'",
                                             ps_test_getenv ("CUPS_SERVER"), q2);
  g_assert_cmpint (ps_test_run_shell (disable, NULL), ==, 0);
  g_autofree char *out2 = g_build_filename (dir, "out2", NULL);
  render_into (three, photos, out2);
  int status = print_to (out2, klass, NULL, NULL, NULL, NULL);
  g_assert_cmpint (ps_test_run_shell (enable, NULL), ==, 0);
  g_assert_cmpint (status, ==, 0);
  g_autoptr (JsonNode) b2 = status_json (out2);
  JsonArray *jobs2 = jobs_of (b2);
  for (guint j = 0; j < json_array_get_length (jobs2); j++)
    g_assert_cmpstr (member_string (jobs2, j, "queue"), ==, q1);

  /* A class none of whose members has the sheet is refused before
   * anything is recorded, naming the member (not "no media sizes"). */
  g_autofree char *layout = g_build_filename (dir, "square.ini", NULL);
  ps_test_write_file (layout, "[sheet]\nwidth_mm=150\nheight_mm=150\n"
                              "[photo]\nwidth_mm=33\nheight_mm=48\n", -1);
  g_autofree char *sq = g_build_filename (dir, "square", NULL);
  const char *render[] = { "render", "--roster", three, "--photos", photos, "--out", sq,
                           "--layout", layout, "--format", "pdf", NULL };
  g_assert_cmpint (ps_test_run_cli (render, NULL, NULL), ==, 0);
  g_autofree char *se = NULL;
  g_assert_cmpint (print_to (sq, klass, NULL, NULL, NULL, &se), ==, 2);
  g_autofree char *named = g_strdup_printf ("class '%s': printer '%s' has no 150.0 x 150.0 mm", klass, q1);
  g_assert_nonnull (strstr (se, named));
  g_autoptr (JsonNode) sqs = status_json (sq);
  g_assert_cmpuint (json_array_get_length (jobs_of (sqs)), ==, 0);
  ps_test_rm_rf (dir);
}

/* A submission that fails after other jobs were queued: exit 1 with the
 * counts, every job's state what is known of it, and --resume sends the
 * rest exactly once. */
static void
test_print_partial (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (PsTestProxy) proxy = ps_test_proxy_new (ps_test_getenv ("CUPS_SERVER"));
  g_autofree char *address = ps_test_proxy_get_address (proxy);

  ps_test_proxy_drop (proxy, PS_TEST_IPP_CREATE_JOB, 1);
  g_autofree char *so = NULL, *se = NULL;
  g_assert_cmpint (print_to (out, ps_test_getenv ("PS_TEST_QUEUE"), address, NULL, &so, &se), ==, 1);
  g_assert_cmpuint (ps_test_proxy_get_n_dropped (proxy), >, 0);
  g_autoptr (JsonNode) b = status_json (out);
  JsonArray *jobs = jobs_of (b);
  gint64 first = member_int (jobs, 0, "pages");
  g_assert_cmpuint (json_array_get_length (jobs), ==, 2);
  g_assert_cmpstr (member_string (jobs, 0, "state"), ==, "completed");
  g_assert_cmpstr (member_string (jobs, 1, "state"), ==, "canceled");
  g_assert_true (g_str_has_prefix (member_string (jobs, 1, "reason"), "not sent: "));
  g_assert_cmpint (member_int (jobs, 1, "cups_id"), ==, 0);
  assert_no_job_created (b);
  gint64 second = member_int (jobs, 1, "pages");
  assert_counts (b, first, 40 - first - second, second);
  g_autofree char *line = g_strdup_printf ("print: 1 jobs (%" G_GINT64_FORMAT " pages) sent, 1 completed, "
                                           "0 failed; %" G_GINT64_FORMAT " pages still to print",
                                           first, 40 - first);
  g_assert_nonnull (strstr (so, line));
  g_autofree char *said = g_strdup_printf ("1 job (%" G_GINT64_FORMAT " pages) sent, then: ", first);
  g_assert_nonnull (strstr (se, said));
  g_autofree char *left = g_strdup_printf ("; %" G_GINT64_FORMAT " pages still to print", 40 - first);
  g_assert_nonnull (strstr (se, left));

  g_assert_cmpint (print_to (out, ps_test_getenv ("PS_TEST_QUEUE"), NULL,
                             (const char *[]) { "--resume", NULL }, NULL, NULL), ==, 0);
  assert_every_page_once (out);
  ps_test_rm_rf (dir);
}

/* The document of the first job cannot be sent: CUPS's job is canceled,
 * the ledger says so, nothing was queued (exit 2), and a resume prints
 * every page once. */
static void
test_print_document_fails (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (PsTestProxy) proxy = ps_test_proxy_new (ps_test_getenv ("CUPS_SERVER"));
  g_autofree char *address = ps_test_proxy_get_address (proxy);

  ps_test_proxy_drop (proxy, PS_TEST_IPP_SEND_DOCUMENT, 0);
  g_autofree char *se = NULL;
  g_assert_cmpint (print_to (out, ps_test_getenv ("PS_TEST_QUEUE"), address, NULL, NULL, &se), ==, 2);
  g_assert_cmpuint (ps_test_proxy_get_n_dropped (proxy), >, 0);
  g_autoptr (JsonNode) b = status_json (out);
  JsonArray *jobs = jobs_of (b);
  g_assert_cmpuint (json_array_get_length (jobs), ==, 1);
  g_test_message ("job: %s (%s)", member_string (jobs, 0, "state"), member_string (jobs, 0, "reason"));
  g_assert_cmpstr (member_string (jobs, 0, "state"), ==, "canceled");
  g_assert_true (g_str_has_prefix (member_string (jobs, 0, "reason"), "document not sent: "));
  int cups_id = (int) member_int (jobs, 0, "cups_id");
  g_assert_cmpint (cups_id, >, 0);
  g_assert_nonnull (member_string (jobs, 0, "job_uuid"));

  /* CUPS agrees: the job will never print. */
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (ps_test_getenv ("PS_TEST_QUEUE"),
                                               ps_test_getenv ("CUPS_SERVER"), &error);
  g_assert_no_error (error);
  PsJobState state = PS_JOB_CREATED;
  g_assert_true (_ps_queue_get_job_state (queue, cups_id, &state, NULL, &error));
  g_assert_cmpstr (ps_job_state_to_string (state), ==, "canceled");

  g_assert_cmpint (print_to (out, ps_test_getenv ("PS_TEST_QUEUE"), NULL,
                             (const char *[]) { "--resume", NULL }, NULL, NULL), ==, 0);
  assert_every_page_once (out);
  ps_test_rm_rf (dir);
}

/* Resume after a crash, while CUPS does not answer the lookup: an error
 * (exit 2), not "never reached CUPS" - the job's row stays as it was. */
static void
test_print_lookup_failure (void)
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
  /* Jobs are followed on the server they went to: the proxy, from the
   * start. */
  g_autoptr (PsTestProxy) proxy = ps_test_proxy_new (ps_test_getenv ("CUPS_SERVER"));
  g_autofree char *address = ps_test_proxy_get_address (proxy);
  int status = print_to_env (out, ps_test_getenv ("PS_TEST_QUEUE"), address, NULL,
                             (const char *[]) { "PHOTOSHEET_FAULT=after-create", NULL }, NULL,
                             NULL);
  g_assert_cmpint (status, ==, -1);

  ps_test_proxy_drop (proxy, PS_TEST_IPP_GET_JOBS, 0);
  g_autofree char *se = NULL;
  g_assert_cmpint (print_to (out, ps_test_getenv ("PS_TEST_QUEUE"), address,
                             (const char *[]) { "--resume", NULL }, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "no answer from the server"));
  g_autoptr (JsonNode) b = status_json (out);
  JsonArray *jobs = jobs_of (b);
  g_assert_cmpuint (json_array_get_length (jobs), ==, 1);
  g_assert_cmpstr (member_string (jobs, 0, "state"), ==, "created");
  g_assert_cmpint (member_int (jobs, 0, "cups_id"), ==, 0);
  assert_counts (b, 0, 40, 0);

  /* CUPS answers again: the job CUPS created before the crash is found,
   * is ours, had no document: canceled; its pages go again, once. */
  ps_test_proxy_drop (proxy, 0, 0);
  g_assert_cmpint (print_to (out, ps_test_getenv ("PS_TEST_QUEUE"), address,
                             (const char *[]) { "--resume", NULL }, NULL, NULL), ==, 0);
  g_autoptr (JsonNode) after = status_json (out);
  JsonArray *jobs2 = jobs_of (after);
  g_assert_cmpstr (member_string (jobs2, 0, "state"), ==, "canceled");
  g_assert_cmpint (member_int (jobs2, 0, "cups_id"), >, 0);
  g_assert_nonnull (strstr (member_string (jobs2, 0, "reason"), "before its document was sent"));
  assert_counts (after, 40, 0, 0);
  assert_no_job_created (after);
  assert_every_page_once (out);
  ps_test_rm_rf (dir);
}

/* A reprint whose queue fails: rendered and recorded, its job canceled
 * (not left "created"), exit 1. */
static void
test_reprint_submit_fails (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = render_old_mode_batch ("pdf,tiff");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  char **row = rows->pdata[2];
  g_autoptr (PsTestProxy) proxy = ps_test_proxy_new (ps_test_getenv ("CUPS_SERVER"));
  g_autofree char *address = ps_test_proxy_get_address (proxy);
  ps_test_proxy_drop (proxy, PS_TEST_IPP_CREATE_JOB, 0);

  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  g_autofree char *re = g_build_filename (dir, "reprint", NULL);
  const char *args[] = { "reprint", "--ledger", ledger, "--xh", row[4], "--out", re,
                         "--printer", ps_test_getenv ("PS_TEST_QUEUE"), "--server", address, NULL };
  g_autofree char *so = NULL, *se = NULL;
  g_assert_cmpint (ps_test_run_cli (args, &so, &se), ==, 1);
  g_test_message ("%s%s", so, se);
  g_assert_nonnull (strstr (so, "reprint: 1 sheet"));
  g_assert_nonnull (strstr (se, "recorded, but not queued"));
  g_autoptr (JsonNode) b = status_json (out);
  JsonArray *jobs = jobs_of (b);
  JsonArray *reprints = json_object_get_array_member (json_node_get_object (b), "reprints");
  g_assert_cmpuint (json_array_get_length (reprints), ==, 1);
  g_assert_cmpstr (member_string (reprints, 0, "xh"), ==, row[4]);
  g_assert_cmpuint (json_array_get_length (jobs), ==, 1);
  g_assert_cmpint (member_int (reprints, 0, "job_id"), ==, member_int (jobs, 0, "id"));
  g_assert_cmpstr (member_string (jobs, 0, "state"), ==, "canceled");
  g_autofree char *text = status_text (out);
  g_assert_nonnull (strstr (text, "reprints:"));
  g_assert_nonnull (strstr (text, "canceled"));
  ps_test_rm_rf (dir);
}

static void
write_user_config (const char *xdg, const char *text)
{
  g_autofree char *path = g_build_filename (xdg, "photosheet", "photosheet.conf", NULL);
  ps_test_write_file (path, text, -1);
}

/* media-col/media-type of CUPS job @id, as cupsd recorded it (NULL if none). */
static char *
job_media_type (int id)
{
  const char *server = ps_test_getenv ("CUPS_SERVER");
  g_autofree char *host = g_strndup (server, strrchr (server, ':') - server);
  http_t *http = httpConnect2 (host, atoi (strrchr (server, ':') + 1), NULL, AF_UNSPEC,
                               HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, NULL);
  g_assert_nonnull (http);
  ipp_t *request = ippNewRequest (IPP_OP_GET_JOB_ATTRIBUTES);
  g_autofree char *uri = g_strdup_printf ("ipp://localhost/jobs/%d", id);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser ());
  ipp_t *response = cupsDoRequest (http, request, "/jobs/");
  g_assert_nonnull (response);
  char *type = NULL;
  ipp_attribute_t *col = ippFindAttribute (response, "media-col", IPP_TAG_BEGIN_COLLECTION);
  if (col != NULL)
    {
      ipp_attribute_t *t = ippFindAttribute (ippGetCollection (col, 0), "media-type", IPP_TAG_ZERO);
      if (t != NULL)
        type = g_strdup (ippGetString (t, 0, NULL));
    }
  ippDelete (response);
  httpClose (http);
  return type;
}

/* Issue 13, acceptance 4: without --printer, CUPS's default destination;
 * the lab's configuration file names the printer and the paper; a flag
 * wins over it; a wrong configuration is refused. */
static void
test_print_default_and_config (void)
{
  if (!have_cups ())
    return;
  clear_spool ();
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *three = write_three_class_roster (dir);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  render_into (three, photos, out);
  const char *q1 = ps_test_getenv ("PS_TEST_QUEUE"), *q2 = ps_test_getenv ("PS_TEST_QUEUE2");
  const char *klass = ps_test_getenv ("PS_TEST_CLASS");

  /* No default destination yet: refused, naming the queues there are. */
  g_autofree char *se = NULL;
  g_assert_cmpint (print_to (out, NULL, NULL, NULL, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "no default printer queue on server"));
  g_assert_nonnull (strstr (se, q2));

  g_autofree char *set_default = g_strdup_printf ("lpadmin -h '%s' -d '%s'",
                                                  ps_test_getenv ("CUPS_SERVER"), q2);
  g_assert_cmpint (ps_test_run_shell (set_default, NULL), ==, 0);
  g_assert_cmpint (print_to (out, NULL, NULL, NULL, NULL, NULL), ==, 0);
  g_autoptr (JsonNode) b = status_json (out);
  assert_counts (b, 30, 0, 0);
  JsonArray *jobs = jobs_of (b);
  for (guint j = 0; j < json_array_get_length (jobs); j++)
    g_assert_cmpstr (member_string (jobs, j, "queue"), ==, q2);

  /* The lab's file: the class and glossy paper, sent as media-col. */
  g_autofree char *xdg = g_build_filename (dir, "xdg", NULL);
  g_autofree char *xdg_var = g_strdup_printf ("XDG_CONFIG_HOME=%s", xdg);
  const char *const with_config[] = { xdg_var, NULL };
  g_autofree char *conf = g_strdup_printf ("[print]\nprinter=%s\nmedia-type=photographic-glossy\n", klass);
  write_user_config (xdg, conf);
  g_autofree char *out2 = g_build_filename (dir, "out2", NULL);
  render_into (three, photos, out2);
  int status = print_to_env (out2, NULL, NULL, NULL, with_config, NULL, NULL);
  g_autoptr (JsonNode) b2 = status_json (out2);
  JsonArray *jobs2 = jobs_of (b2);
  bool used_q1 = false, used_q2 = false;
  for (guint j = 0; j < json_array_get_length (jobs2); j++)
    {
      g_assert_cmpstr (member_string (jobs2, j, "printer"), ==, klass);
      used_q1 = used_q1 || g_strcmp0 (member_string (jobs2, j, "queue"), q1) == 0;
      used_q2 = used_q2 || g_strcmp0 (member_string (jobs2, j, "queue"), q2) == 0;
      g_autofree char *type = job_media_type ((int) member_int (jobs2, j, "cups_id"));
      g_assert_cmpstr (type, ==, "photographic-glossy");
    }
  g_assert_cmpint (status, ==, 0);
  g_assert_true (used_q1 && used_q2);

  /* A paper the printers do not list: refused before anything is recorded. */
  g_autofree char *out3 = g_build_filename (dir, "out3", NULL);
  render_into (three, photos, out3);
  write_user_config (xdg, "[print]\nmedia-type=photographic-adhesive\n");
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (print_to_env (out3, q1, NULL, NULL, with_config, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "no media type 'photographic-adhesive'"));
  /* The flag wins over the file. */
  write_user_config (xdg, "[print]\nprinter=no-such-queue\n");
  g_assert_cmpint (print_to_env (out3, q1, NULL, NULL, with_config, NULL, NULL), ==, 0);
  /* A mistyped key is an error, not ignored. */
  write_user_config (xdg, "[print]\nprnter=photosheet-test\n");
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (print_to_env (out3, NULL, NULL, (const char *[]) { "--resume", NULL }, with_config,
                                 NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "unknown key 'prnter' in [print]"));
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
  g_test_add_data_func ("/print/cross-batch/crash-resume", GINT_TO_POINTER (0),
                        test_print_cross_batch_resume);
  g_test_add_data_func ("/print/cross-batch/name-collision", GINT_TO_POINTER (1),
                        test_print_cross_batch_resume);
  g_test_add_func ("/print/class/three-classes", test_print_class);
  g_test_add_func ("/print/outcome/partial-submit", test_print_partial);
  g_test_add_func ("/print/outcome/document-fails", test_print_document_fails);
  g_test_add_func ("/print/outcome/lookup-failure", test_print_lookup_failure);
  g_test_add_func ("/print/outcome/reprint-submit-fails", test_reprint_submit_fails);
  /* It sets the server's default destination: GTest runs it before the
   * sub-suites below, which name their printers. */
  g_test_add_func ("/print/default-and-config", test_print_default_and_config);
  return g_test_run ();
}
