/* test-queue.c - the CUPS queue against a private cupsd + ippeveprinter.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run through tests/cups/run-with-cups.sh, which exports CUPS_SERVER,
 * PS_TEST_QUEUE, PS_TEST_SPOOL (where the virtual printer keeps every
 * document), PS_CUPS_HARNESS and PS_CUPS_DIR.  Without them every test skips.
 */
#include "ps-test-util.h"
#include "ps-test-proxy.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <string.h>

#define JOB_TIMEOUT_S        60    /* a job must complete within this */
#define DOWN_OBSERVE_S       12    /* how long a job is watched while the printer is down */
#define POINTS_4X6_W         288.0
#define POINTS_4X6_H         432.0

static const char *
env_or_skip (const char *name)
{
  const char *value = g_getenv (name);
  if (value == NULL || *value == '\0')
    {
      g_autofree char *why = g_strdup_printf ("%s not set: run through tests/cups/run-with-cups.sh",
                                              name);
      g_test_skip (why);
      return NULL;
    }
  return value;
}

static bool
have_cups (void)
{
  return env_or_skip ("CUPS_SERVER") != NULL && env_or_skip ("PS_TEST_QUEUE") != NULL
         && env_or_skip ("PS_TEST_SPOOL") != NULL;
}

/* A unique title made only of [a-z0-9-], which ippeveprinter keeps as is in
 * the name of the file it writes ("<id>-<title>.pdf"). */
static char *
make_title (const char *what)
{
  return g_strdup_printf ("ps-test-%s-%d-%" G_GINT64_FORMAT, what, (int) getpid (),
                          g_get_real_time () % 1000000);
}

/* A 4x6in PDF of @n_pages pages, drawn with cairo. */
static char *
make_pdf (const char *dir, int n_pages)
{
  char *path = g_build_filename (dir, "sheet.pdf", NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, POINTS_4X6_W, POINTS_4X6_H);
  cairo_t *cr = cairo_create (surface);
  for (int page = 0; page < n_pages; page++)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_set_source_rgb (cr, 0.8, 0.1 * page, 0.2);
      cairo_rectangle (cr, 36, 36, 216, 288);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_move_to (cr, 36, 380);
      cairo_set_font_size (cr, 18);
      g_autofree char *text = g_strdup_printf ("page %d", page + 1);
      cairo_show_text (cr, text);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static int
count_pdf_pages (const char *path)
{
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  if (pdfinfo != NULL)
    {
      g_autofree char *quoted = g_shell_quote (path);
      g_autofree char *cmd = g_strdup_printf ("%s %s", pdfinfo, quoted);
      g_autofree char *out = NULL;
      if (ps_test_run_shell (cmd, &out) == 0 && out != NULL)
        {
          const char *line = strstr (out, "Pages:");
          if (line != NULL)
            return atoi (line + strlen ("Pages:"));
        }
    }
  /* No pdfinfo: count page objects ("/Type /Page", not "/Pages"). */
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  int pages = 0;
  for (const char *p = data; (p = g_strstr_len (p, (gssize) (len - (gsize) (p - data)), "/Type")) != NULL;)
    {
      p += strlen ("/Type");
      while (*p == ' ' || *p == '\r' || *p == '\n')
        p++;
      if (strncmp (p, "/Page", 5) == 0 && p[5] != 's')
        pages++;
    }
  return pages;
}

/* The file ippeveprinter wrote for a job named @title, or NULL. */
static char *
find_spooled (const char *title)
{
  const char *spool = g_getenv ("PS_TEST_SPOOL");
  g_autoptr (GDir) dir = g_dir_open (spool, 0, NULL);
  if (dir == NULL)
    return NULL;
  g_autofree char *suffix = g_strdup_printf ("-%s.pdf", title);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, suffix))
      return g_build_filename (spool, name, NULL);
  return NULL;
}

static char *
wait_spooled (const char *title, int seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  for (;;)
    {
      char *path = find_spooled (title);
      if (path != NULL || g_get_monotonic_time () > deadline)
        return path;
      g_usleep (G_USEC_PER_SEC / 5);
    }
}

/* Polls the job until it reaches a final state or @seconds pass; returns the
 * last state seen and (optionally) the reasons seen along the way. */
static PsJobState
wait_job (PsQueue *queue, int job_id, int seconds, GString *reasons)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  PsJobState state = PS_JOB_CREATED;
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *reason = NULL;
      g_assert_true (_ps_queue_get_job_state (queue, job_id, &state, &reason, &error));
      g_assert_no_error (error);
      if (reasons != NULL && reason != NULL && strstr (reasons->str, reason) == NULL)
        g_string_append_printf (reasons, "[%s] %s\n", ps_job_state_to_string (state), reason);
      if (ps_job_state_is_final (state) || g_get_monotonic_time () > deadline)
        return state;
      g_usleep (G_USEC_PER_SEC / 4);
    }
}

static void
run_harness (const char *command)
{
  const char *harness = g_getenv ("PS_CUPS_HARNESS");
  const char *dir = g_getenv ("PS_CUPS_DIR");
  g_assert_nonnull (harness);
  g_assert_nonnull (dir);
  const char *argv[] = { harness, command, dir, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;
  g_autofree char *err = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("harness %s: %s", command, err != NULL ? err : "");
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* ------------------------------------------------------------------ */

static void
test_open_media (void)
{
  if (!have_cups ())
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (queue);

  g_assert_true (_ps_queue_check_media (queue, "na_index-4x6_4x6in", POINTS_4X6_W, POINTS_4X6_H,
                                        &error));
  g_assert_no_error (error);
  /* by size only, 102 x 152 mm, either way round: within 1 mm of 4x6in */
  g_assert_true (_ps_queue_check_media (queue, NULL, 102 * 72 / 25.4, 152 * 72 / 25.4, &error));
  g_assert_no_error (error);
  g_assert_true (_ps_queue_check_media (queue, NULL, 152 * 72 / 25.4, 102 * 72 / 25.4, &error));
  g_assert_no_error (error);
  /* a name the printer lacks but a size it has */
  g_assert_true (_ps_queue_check_media (queue, "oe_4x6-photo_4x6in", POINTS_4X6_W, POINTS_4X6_H,
                                        &error));
  g_assert_no_error (error);
}

/* An explicit server wins over a default that points elsewhere: run in a
 * fresh process whose libcups default (client.conf) is an unreachable one. */
static void
test_open_explicit_server (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *server = g_strdup (g_getenv ("CUPS_SERVER"));
      g_autofree char *root = ps_test_tmpdir ();
      g_autofree char *conf = g_build_filename (root, "client.conf", NULL);
      ps_test_write_file (conf, "ServerName 127.0.0.1:1\n", -1);
      g_unsetenv ("CUPS_SERVER");
      g_setenv ("CUPS_SERVERROOT", root, TRUE);

      g_autoptr (GError) error = NULL;
      g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), server, &error);
      g_assert_no_error (error);
      g_assert_nonnull (queue);
      g_assert_true (_ps_queue_check_media (queue, "na_index-4x6_4x6in", 0, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpint (_ps_queue_find_job (queue, "ps-test-never-submitted", &error), ==, 0);
      g_assert_no_error (error);

      /* a job goes to the right place too */
      g_autofree char *pdf = make_pdf (root, 1);
      g_autofree char *title = make_title ("explicit");
      int job_id = _ps_queue_submit (queue, title, pdf, PS_DOCUMENT_PDF, "na_index-4x6_4x6in", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (job_id, >, 0);
      PsJobState state = wait_job (queue, job_id, JOB_TIMEOUT_S, NULL);
      g_assert_cmpstr (ps_job_state_to_string (state), ==, "completed");
      g_assert_cmpint (_ps_queue_find_job (queue, title, &error), ==, job_id);
      g_assert_no_error (error);

      /* and the default is used when no server is given */
      g_autoptr (PsQueue) other = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
      g_assert_null (other);
      g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SERVER);
      g_assert_nonnull (strstr (error->message, "'127.0.0.1:1'"));
      ps_test_rm_rf (root);
      return;
    }
  if (!have_cups ())
    return;
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_media_refused (void)
{
  if (!have_cups ())
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
  g_assert_no_error (error);

  g_assert_false (_ps_queue_check_media (queue, "om_silly_33x999mm", 33 * 72 / 25.4,
                                         999 * 72 / 25.4, &error));
  g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_MEDIA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "printer 'photosheet-test' has no 33.0 x 999.0 mm media"));
  g_assert_nonnull (strstr (error->message, "(om_silly_33x999mm); it has: "));
  g_assert_nonnull (strstr (error->message, "iso_a4_210x297mm"));
  g_assert_nonnull (strstr (error->message, "na_index-4x6_4x6in"));
}

static void
test_no_printer (void)
{
  if (!have_cups ())
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open ("no-such-queue", NULL, &error);
  g_assert_null (queue);
  g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_NO_PRINTER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "no printer queue 'no-such-queue' on server '"));
  g_assert_nonnull (strstr (error->message, g_getenv ("PS_TEST_QUEUE")));
}

static void
test_unreachable (void)
{
  /* needs no harness: nothing listens on port 1 */
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open ("photosheet-test", "127.0.0.1:1", &error);
  gint64 elapsed = g_get_monotonic_time () - start;
  g_assert_null (queue);
  g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SERVER);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "cannot reach CUPS server '127.0.0.1:1': "));
  g_assert_cmpint (elapsed, <, 10 * G_USEC_PER_SEC);
}

static void
test_submit_complete (void)
{
  if (!have_cups ())
    return;
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *pdf = make_pdf (dir, 2);
  g_autofree char *title = make_title ("complete");

  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (_ps_queue_find_job (queue, title, &error), ==, 0);
  g_assert_no_error (error);

  char *const options[] = { "job-priority=60", "print-quality=5", NULL };
  int job_id = _ps_queue_submit (queue, title, pdf, PS_DOCUMENT_PDF, "na_index-4x6_4x6in", options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (job_id, >, 0);

  g_autoptr (GString) reasons = g_string_new (NULL);
  PsJobState state = wait_job (queue, job_id, JOB_TIMEOUT_S, reasons);
  g_test_message ("job %d: %s; reasons seen:\n%s", job_id, ps_job_state_to_string (state), reasons->str);
  g_assert_cmpstr (ps_job_state_to_string (state), ==, "completed");

  g_autofree char *spooled = wait_spooled (title, 10);
  g_assert_nonnull (spooled);
  g_assert_cmpint (count_pdf_pages (spooled), ==, 2);

  /* a rerun after a crash finds the job by its name */
  g_assert_cmpint (_ps_queue_find_job (queue, title, &error), ==, job_id);
  g_assert_no_error (error);

  ps_test_rm_rf (dir);
}

static void
test_submit_errors (void)
{
  if (!have_cups ())
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (_ps_queue_submit (queue, "ps-test-missing", "/nonexistent/sheet.pdf", PS_DOCUMENT_PDF, NULL,
                                     NULL, &error), ==, 0);
  g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/sheet.pdf"));
  g_clear_error (&error);

  PsJobState state;
  g_autofree char *reason = NULL;
  g_assert_false (_ps_queue_get_job_state (queue, 999999, &state, &reason, &error));
  g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_JOB);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_cmpint (_ps_queue_find_job (queue, "ps-test-never-submitted", &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_printer_down (void)
{
  if (!have_cups () || env_or_skip ("PS_CUPS_HARNESS") == NULL || env_or_skip ("PS_CUPS_DIR") == NULL)
    return;
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *pdf = make_pdf (dir, 2);
  g_autofree char *title = make_title ("down");

  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
  g_assert_no_error (error);

  run_harness ("printer-stop");
  int job_id = _ps_queue_submit (queue, title, pdf, PS_DOCUMENT_PDF, "na_index-4x6_4x6in", NULL, &error);
  PsJobState state = PS_JOB_CREATED;
  g_autoptr (GString) reasons = g_string_new (NULL);
  if (job_id > 0)
    state = wait_job (queue, job_id, DOWN_OBSERVE_S, reasons);
  g_autofree char *early = find_spooled (title);
  /* restart before asserting, so a failure leaves a working printer */
  run_harness ("printer-start");

  g_assert_no_error (error);
  g_assert_cmpint (job_id, >, 0);
  g_test_message ("printer down: job %d %s after %d s; reasons seen:\n%s", job_id,
                  ps_job_state_to_string (state), DOWN_OBSERVE_S, reasons->str);
  g_assert_cmpstr (ps_job_state_to_string (state), !=, "completed");
  g_assert_true (state == PS_JOB_PENDING || state == PS_JOB_PROCESSING
                 || state == PS_JOB_STOPPED || state == PS_JOB_ABORTED || state == PS_JOB_HELD);
  g_assert_null (early);
  g_assert_cmpuint (reasons->len, >, 0);

  /* back up: the job goes through (retried by the queue's error policy),
   * or, if CUPS gave up on it, a resubmission does */
  if (!ps_job_state_is_final (state))
    state = wait_job (queue, job_id, JOB_TIMEOUT_S, reasons);
  if (state != PS_JOB_COMPLETED)
    {
      g_test_message ("job %d ended %s, resubmitting", job_id, ps_job_state_to_string (state));
      job_id = _ps_queue_submit (queue, title, pdf, PS_DOCUMENT_PDF, "na_index-4x6_4x6in", NULL, &error);
      g_assert_no_error (error);
      state = wait_job (queue, job_id, JOB_TIMEOUT_S, reasons);
    }
  g_test_message ("after restart: job %d %s; reasons seen:\n%s", job_id, ps_job_state_to_string (state),
                  reasons->str);
  g_assert_cmpstr (ps_job_state_to_string (state), ==, "completed");
  g_autofree char *spooled = wait_spooled (title, 10);
  g_assert_nonnull (spooled);
  g_assert_cmpint (count_pdf_pages (spooled), ==, 2);
  g_assert_cmpint (_ps_queue_find_job (queue, title, &error), ==, job_id);
  g_assert_no_error (error);

  ps_test_rm_rf (dir);
}


/* A lookup that fails is not "no such job": -1 with the error, while a
 * name CUPS does not have is 0 without one. */
static void
test_find_lookup_failure (void)
{
  if (!have_cups ())
    return;
  g_autoptr (PsTestProxy) proxy = ps_test_proxy_new (g_getenv ("CUPS_SERVER"));
  g_autofree char *address = ps_test_proxy_get_address (proxy);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), address, &error);
  g_assert_no_error (error);

  g_assert_cmpint (_ps_queue_find_job (queue, "ps-test-never-submitted", &error), ==, 0);
  g_assert_no_error (error);

  ps_test_proxy_drop (proxy, PS_TEST_IPP_GET_JOBS, 0);
  g_assert_cmpint (_ps_queue_find_job (queue, "ps-test-never-submitted", &error), ==, -1);
  g_assert_nonnull (error);
  g_test_message ("lookup failure: %s", error->message);
  g_assert_true (error->domain == PS_QUEUE_ERROR);
  g_assert_cmpuint (ps_test_proxy_get_n_dropped (proxy), >, 0);
  g_clear_error (&error);

  PsQueueJobQuery query = { .title = "ps-test-never-submitted" };
  g_auto (PsQueueJob) job = { 0 };
  g_assert_cmpint (_ps_queue_find_own_job (queue, &query, &job, NULL, &error), ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);

  ps_test_proxy_drop (proxy, 0, 0);
  g_assert_cmpint (_ps_queue_find_own_job (queue, &query, &job, NULL, &error), ==, 0);
  g_assert_no_error (error);
}

/* Create-Job gives the job's own identity before any document: job-uuid
 * and time-at-creation; a job found by name is ours only when its user,
 * time and uuid say so. */
static void
test_find_own_job (void)
{
  if (!have_cups ())
    return;
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *pdf = make_pdf (dir, 1);
  g_autofree char *title = make_title ("own");
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) queue = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
  g_assert_no_error (error);

  gint64 before = _ps_queue_to_server_time (queue, g_get_real_time ());
  g_auto (PsQueueJob) created = { 0 };
  g_assert_true (_ps_queue_create_job (queue, title, "na_index-4x6_4x6in", NULL, NULL, &created,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpint (created.id, >, 0);
  g_assert_true (g_str_has_prefix (created.uuid, "urn:uuid:"));
  g_assert_cmpint (created.created, >=, before - 2);
  g_assert_cmpint (created.created, <=, before + 60);
  /* no document yet: CUPS says so */
  g_assert_true (created.incoming);
  g_assert_true (_ps_queue_send_document (queue, created.id, title, pdf, PS_DOCUMENT_PDF, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ps_job_state_to_string (wait_job (queue, created.id, JOB_TIMEOUT_S, NULL)), ==,
                   "completed");

  /* ours: this user, in the window */
  PsQueueJobQuery query = { .title = title, .not_before = before - 3, .not_after = before + 300 };
  g_auto (PsQueueJob) found = { 0 };
  size_t foreign = 0;
  g_assert_cmpint (_ps_queue_find_own_job (queue, &query, &found, &foreign, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (found.id, ==, created.id);
  g_assert_cmpstr (found.uuid, ==, created.uuid);
  g_assert_cmpuint (foreign, ==, 0);

  /* recorded after the job was created: another batch's job of that name */
  PsQueueJobQuery later = { .title = title, .not_before = created.created + 10 };
  g_auto (PsQueueJob) none = { 0 };
  g_assert_cmpint (_ps_queue_find_own_job (queue, &later, &none, &foreign, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (foreign, ==, 1);
  /* another user's */
  PsQueueJobQuery other = { .title = title, .user = "someone-else" };
  g_assert_cmpint (_ps_queue_find_own_job (queue, &other, &none, &foreign, &error), ==, 0);
  g_assert_cmpuint (foreign, ==, 1);
  /* a job this ledger has recorded already */
  const char *const known[] = { created.uuid, NULL };
  PsQueueJobQuery recorded = { .title = title, .known_uuids = known };
  g_assert_cmpint (_ps_queue_find_own_job (queue, &recorded, &none, &foreign, &error), ==, 0);
  g_assert_cmpuint (foreign, ==, 1);
  g_assert_no_error (error);
  ps_test_rm_rf (dir);
}

/* A class has no media list: its members are checked, each through its
 * own destination info. */
static void
test_class_members (void)
{
  if (!have_cups () || env_or_skip ("PS_TEST_CLASS") == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (PsQueue) klass = _ps_queue_open (g_getenv ("PS_TEST_CLASS"), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (_ps_queue_is_class (klass));
  g_auto (GStrv) members = _ps_queue_dup_members (klass);
  g_assert_cmpuint (g_strv_length (members), ==, 2);
  g_assert_cmpstr (members[0], ==, g_getenv ("PS_TEST_QUEUE"));
  g_assert_cmpstr (members[1], ==, g_getenv ("PS_TEST_QUEUE2"));

  g_assert_true (_ps_queue_check_media (klass, "na_index-4x6_4x6in", POINTS_4X6_W, POINTS_4X6_H,
                                        &error));
  g_assert_no_error (error);
  g_assert_true (_ps_queue_check_media_type (klass, "photographic-glossy", &error));
  g_assert_no_error (error);
  g_assert_false (_ps_queue_check_media (klass, NULL, 150 * 72 / 25.4, 150 * 72 / 25.4, &error));
  g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_MEDIA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "class 'photosheet-class': printer 'photosheet-test'"));
  g_assert_null (strstr (error->message, "no media sizes at all"));
  g_clear_error (&error);
  g_assert_false (_ps_queue_check_media_type (klass, "photographic-adhesive", &error));
  g_assert_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_MEDIA);
  g_assert_nonnull (strstr (error->message, "photographic-glossy"));   /* what it has */
  g_clear_error (&error);

  g_autoptr (PsQueue) printer = _ps_queue_open (g_getenv ("PS_TEST_QUEUE"), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (_ps_queue_is_class (printer));
  g_auto (GStrv) none = _ps_queue_dup_members (printer);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_true (_ps_queue_is_ready (printer));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/queue/open/media", test_open_media);
  g_test_add_func ("/queue/open/explicit-server", test_open_explicit_server);
  g_test_add_func ("/queue/open/no-printer", test_no_printer);
  g_test_add_func ("/queue/open/unreachable", test_unreachable);
  g_test_add_func ("/queue/media/refused", test_media_refused);
  g_test_add_func ("/queue/submit/complete", test_submit_complete);
  g_test_add_func ("/queue/submit/errors", test_submit_errors);
  g_test_add_func ("/queue/submit/printer-down", test_printer_down);
  g_test_add_func ("/queue/find/lookup-failure", test_find_lookup_failure);
  g_test_add_func ("/queue/find/own-job", test_find_own_job);
  g_test_add_func ("/queue/class/members", test_class_members);

  return g_test_run ();
}
