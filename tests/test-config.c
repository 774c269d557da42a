/* test-config.c - the lab's configuration: files, precedence, refusals,
 * and render taking its defaults from it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The system file is found under $PHOTOSHEET_SYSCONFDIR (the test env
 * points it, and XDG_CONFIG_HOME, at folders of this test), never /etc.
 */
#include "ps-test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  char *dir;
  char *sysconf;      /* PHOTOSHEET_SYSCONFDIR */
  char *xdg;          /* XDG_CONFIG_HOME */
  char *system_file;
  char *user_file;
} Fixture;

/* GLib reads XDG_CONFIG_HOME once per process: one root for every test,
 * emptied after each. */
static char *root;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_strdup (root);
  f->sysconf = g_build_filename (f->dir, "etc", NULL);
  f->xdg = g_build_filename (f->dir, "home-config", NULL);
  f->system_file = g_build_filename (f->sysconf, "photosheet", "photosheet.conf", NULL);
  f->user_file = g_build_filename (f->xdg, "photosheet", "photosheet.conf", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);
      ps_test_rm_rf (child);
    }
  g_free (f->dir);
  g_free (f->sysconf);
  g_free (f->xdg);
  g_free (f->system_file);
  g_free (f->user_file);
}

static PsConfig *
load_ok (void)
{
  g_autoptr (GError) error = NULL;
  PsConfig *config = ps_config_load_default (&error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

/* /etc, then the user's file (the later wins, key by key); none at all is
 * no error. */
static void
test_precedence (Fixture *f, gconstpointer data)
{
  g_autoptr (PsConfig) empty = load_ok ();
  g_assert_null (ps_config_get_printer (empty));
  g_assert_null (ps_config_get_files (empty)[0]);

  ps_test_write_file (f->system_file,
                      "# the lab's defaults\n"
                      "[render]\nlayout=a4-33x48\nintent=perceptual\ncopies=5\nprofile=frontier.icc\n"
                      "[print]\nprinter=lab-class\nmedia-type=photographic-glossy\n"
                      "[export]\nhot-folder=/srv/hot\nformat=jpeg\n", -1);
  ps_test_write_file (f->user_file, "[print]\nprinter=my-desk\nserver=\n", -1);
  g_autoptr (PsConfig) config = load_ok ();
  g_assert_cmpstr (ps_config_get_printer (config), ==, "my-desk");
  g_assert_cmpstr (ps_config_get_media_type (config), ==, "photographic-glossy");
  g_assert_null (ps_config_get_server (config));   /* "server=" sets nothing */
  g_assert_cmpstr (ps_config_get_layout (config), ==, "a4-33x48");
  PsIntent intent = PS_INTENT_RELATIVE;
  g_assert_true (ps_config_get_intent (config, &intent));
  g_assert_cmpint (intent, ==, PS_INTENT_PERCEPTUAL);
  g_assert_cmpint (ps_config_get_copies (config), ==, 5);
  PsExportFormat format = PS_EXPORT_FORMAT_TIFF;
  g_assert_true (ps_config_get_export_format (config, &format));
  g_assert_cmpint (format, ==, PS_EXPORT_FORMAT_JPEG);
  g_assert_cmpstr (ps_config_get_hot_folder (config), ==, "/srv/hot");
  /* a relative path is the file's neighbour */
  g_autofree char *profile = g_build_filename (f->sysconf, "photosheet", "frontier.icc", NULL);
  g_assert_cmpstr (ps_config_get_profile (config), ==, profile);
  const char *const *files = ps_config_get_files (config);
  g_assert_cmpstr (files[0], ==, f->system_file);
  g_assert_cmpstr (files[1], ==, f->user_file);
  g_assert_null (files[2]);
}

typedef struct {
  const char *text;
  PsConfigError code;
  const char *message;
} BadCase;

static const BadCase bad_cases[] = {
  { "[print]\nprnter=lab\n", PS_CONFIG_ERROR_UNKNOWN_KEY,
    "unknown key 'prnter' in [print] (known: printer, server, media-type)" },
  { "[printing]\nprinter=lab\n", PS_CONFIG_ERROR_UNKNOWN_KEY, "unknown group [printing]" },
  { "[render]\nintent=vivid\n", PS_CONFIG_ERROR_INVALID_VALUE,
    "[render] intent = 'vivid': must be perceptual, relative, saturation or absolute" },
  { "[render]\ncopies=0\n", PS_CONFIG_ERROR_INVALID_VALUE, "[render] copies = '0'" },
  { "[render]\ncopies=5x\n", PS_CONFIG_ERROR_INVALID_VALUE, "must be a whole number 1..20" },
  { "[render]\ncopies=21\n", PS_CONFIG_ERROR_INVALID_VALUE, "[render] copies = '21'" },
  { "[print]\nmedia-type=glossy paper\n", PS_CONFIG_ERROR_INVALID_VALUE, "media-type keyword" },
  { "[export]\nformat=png\n", PS_CONFIG_ERROR_INVALID_VALUE, "must be tiff or jpeg" },
  { "printer=lab\n", PS_CONFIG_ERROR_PARSE, "" },
};

/* Each wrong file is refused, naming the file, group and key; nothing of
 * it is kept. */
static void
test_refusals (Fixture *f, gconstpointer data)
{
  for (size_t i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      ps_test_write_file (f->user_file, bad_cases[i].text, -1);
      g_autoptr (GError) error = NULL;
      g_autoptr (PsConfig) config = ps_config_load_default (&error);
      g_assert_null (config);
      g_assert_error (error, PS_CONFIG_ERROR, (gint) bad_cases[i].code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, f->user_file));
      g_assert_nonnull (strstr (error->message, bad_cases[i].message));
    }

  g_autoptr (PsConfig) config = ps_config_new ();
  g_autoptr (GError) error = NULL;
  ps_test_write_file (f->user_file, "[print]\nprinter=lab\nmedia-type=bad type\n", -1);
  g_assert_false (ps_config_load_file (config, f->user_file, true, &error));
  g_assert_null (ps_config_get_printer (config));
  g_clear_error (&error);
  g_autofree char *missing = g_build_filename (f->dir, "missing.conf", NULL);
  g_assert_true (ps_config_load_file (config, missing, false, &error));
  g_assert_no_error (error);
  g_assert_false (ps_config_load_file (config, missing, true, &error));
  g_assert_error (error, PS_CONFIG_ERROR, PS_CONFIG_ERROR_PARSE);
}

/* render takes the layout, intent, profile and copies from the file; a
 * flag wins; a wrong file stops it (exit 2) before anything is written. */
static void
test_render_defaults (Fixture *f, gconstpointer data)
{
  g_autofree char *samples = ps_test_copy_samples ();
  g_autofree char *roster = g_build_filename (samples, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (samples, "photos", NULL);
  g_autofree char *icc = g_build_filename (g_getenv ("PS_PROFILES_DIR"), "lab-rgb.icc", NULL);
  g_autofree char *local_icc = g_build_filename (f->xdg, "photosheet", "lab.icc", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (icc, &bytes, &len, NULL));
  ps_test_write_file (local_icc, bytes, (gssize) len);
  ps_test_write_file (f->user_file,
                      "[render]\nlayout=6inch-35x45\nintent=perceptual\nprofile=lab.icc\n"
                      "copies=2\n", -1);

  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  const char *args[] = { "render", "--roster", roster, "--photos", photos, "--out", out, "--dpi",
                         "72", "--format", "pdf", NULL };
  g_autofree char *so = NULL, *se = NULL;
  g_assert_cmpint (ps_test_run_cli (args, &so, &se), ==, 0);
  g_autofree char *ledger_path = g_build_filename (out, "ledger.sqlite", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedger) ledger = ps_ledger_open_existing (ledger_path, &error);
  g_assert_no_error (error);
  g_autoptr (PsBatch) batch = _ps_ledger_load_batch (ledger, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (batch->settings.layout_name, ==, "6inch-35x45");
  g_assert_cmpint (batch->settings.intent, ==, PS_INTENT_PERCEPTUAL);
  g_autofree char *sha = _ps_core_sha256 (bytes, len);
  g_assert_cmpstr (batch->settings.profile_sha256, ==, sha);
  /* the lab's copies are the batch's, and each student has them */
  g_assert_cmpint (batch->settings.copies, ==, 2);
  for (size_t i = 0; i < batch->groups->len; i++)
    {
      const PsGroup *group = &g_array_index (batch->groups, PsGroup, i);
      g_assert_cmpint (group->copies, ==, 2);
    }

  /* flags win */
  g_autofree char *out2 = g_build_filename (f->dir, "out2", NULL);
  const char *flags[] = { "render", "--roster", roster, "--photos", photos, "--out", out2, "--dpi",
                          "72", "--format", "pdf", "--layout", "default", "--intent", "relative",
                          "--copies", "3", NULL };
  g_assert_cmpint (ps_test_run_cli (flags, NULL, NULL), ==, 0);
  g_autofree char *ledger2_path = g_build_filename (out2, "ledger.sqlite", NULL);
  g_autoptr (PsLedger) ledger2 = ps_ledger_open_existing (ledger2_path, &error);
  g_autoptr (PsBatch) batch2 = _ps_ledger_load_batch (ledger2, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (batch2->settings.layout_name, ==, "default");
  g_assert_cmpint (batch2->settings.intent, ==, PS_INTENT_RELATIVE);
  g_assert_cmpint (batch2->settings.copies, ==, 3);

  /* a wrong file: refused, nothing rendered */
  ps_test_write_file (f->system_file, "[render]\nlayuot=default\n", -1);
  g_autofree char *out3 = g_build_filename (f->dir, "out3", NULL);
  const char *bad[] = { "render", "--roster", roster, "--photos", photos, "--out", out3, NULL };
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (ps_test_run_cli (bad, NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, f->system_file));
  g_assert_nonnull (strstr (se, "unknown key 'layuot' in [render]"));
  g_assert_false (g_file_test (out3, G_FILE_TEST_EXISTS));
  ps_test_rm_rf (samples);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* before any thread starts, and before GLib reads them */
  root = ps_test_tmpdir ();
  g_autofree char *sysconf = g_build_filename (root, "etc", NULL);
  g_autofree char *xdg = g_build_filename (root, "home-config", NULL);
  g_setenv ("PHOTOSHEET_SYSCONFDIR", sysconf, TRUE);
  g_setenv ("XDG_CONFIG_HOME", xdg, TRUE);
#define TEST(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  TEST ("/config/precedence", test_precedence);
  TEST ("/config/refusals", test_refusals);
  TEST ("/config/render-defaults", test_render_defaults);
  int status = g_test_run ();
  ps_test_rm_rf (root);
  g_free (root);
  return status;
}
