/* test-check.c - `photosheet check` end to end on real files.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"
#include "ps-image-writer.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

static int
run_check (const char *roster, const char *photos, char **out, char **err)
{
  const char *args[] = { "check", "--roster", roster, "--photos", photos, NULL };
  return ps_test_run_cli (args, out, err);
}

static void
test_samples_all_formats (void)
{
  static const char *const files[] = { "roster.csv", "roster-gbk.csv", "roster.xlsx",
                                       "roster.jsonl" };
  g_autofree char *photos = g_build_filename (ps_test_samples_dir (), "photos", NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *roster = g_build_filename (ps_test_samples_dir (), files[i], NULL);
      g_autofree char *out = NULL, *err = NULL;
      int status = run_check (roster, photos, &out, &err);
      g_test_message ("%s:\n%s%s", files[i], out, err);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "problems  0"));
      g_assert_nonnull (strstr (out, "rows      36"));
      g_assert_nonnull (strstr (out, "classes   4"));
      g_assert_nonnull (strstr (out, "photos    36 of 36 matched"));
    }
}

/* Row of the record with 采集码 @cjm in the sample CSV (header = 1). */
static char *
sample_line (const char *dir, int row)
{
  g_autofree char *path = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpint (g_strv_length (lines), >, row);
  return g_strdup (lines[row - 1]);
}

static char *
field_of (const char *line, int column)
{
  g_auto (GStrv) cells = g_strsplit (line, ",", -1);
  return g_strdup (cells[column]);
}

static void
test_missing_photo (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *line = sample_line (dir, 5);
  g_autofree char *cjm = field_of (line, 1);
  g_autofree char *xh = field_of (line, 4);
  g_autofree char *name = g_strdup_printf ("%s.jpg", cjm);
  g_autofree char *photo = g_build_filename (dir, "photos", name, NULL);
  g_assert_cmpint (g_unlink (photo), ==, 0);

  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = NULL;
  int status = run_check (roster, photos, &out, NULL);
  g_test_message ("%s", out);
  g_assert_cmpint (status, ==, 1);
  g_autofree char *expected = g_strdup_printf ("roster.csv:5: xh=%s: photo: ", xh);
  g_assert_nonnull (strstr (out, expected));
  g_assert_nonnull (strstr (out, "problems  1"));
  ps_test_rm_rf (dir);
}

/* A PNG whose IHDR claims 60000 x 60000 RGB. */
static void
write_png_bomb (const char *path)
{
  g_autoptr (GError) error = NULL;
  bool ok = ps_image_write_png_bomb (path, 60000, 60000, PNG_COLOR_TYPE_RGB, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Replaces line @row (1-based) of roster.csv in @dir. */
static void
replace_line (const char *dir, int row, const char *line)
{
  g_autofree char *path = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_free (lines[row - 1]);
  lines[row - 1] = g_strdup (line);
  g_autofree char *joined = g_strjoinv ("\r\n", lines);
  ps_test_write_file (path, joined, -1);
}

static char *
photo_of_row (const char *dir, int row)
{
  g_autofree char *line = sample_line (dir, row);
  g_autofree char *cjm = field_of (line, 1);
  g_autofree char *name = g_strdup_printf ("%s.jpg", cjm);
  return g_build_filename (dir, "photos", name, NULL);
}

static void
test_problems_named (void)
{
  g_autofree char *dir = ps_test_copy_samples ();

  /* Row 3: duplicate of row 2's 学号. */
  g_autofree char *row2 = sample_line (dir, 2);
  g_autofree char *xh2 = field_of (row2, 4);
  g_autofree char *row3 = sample_line (dir, 3);
  g_auto (GStrv) cells3 = g_strsplit (row3, ",", -1);
  g_autofree char *xh3 = g_strdup (cells3[4]);
  g_free (cells3[4]);
  cells3[4] = g_strdup (xh2);
  g_autofree char *dup = g_strjoinv (",", cells3);
  replace_line (dir, 3, dup);

  /* Row 4: a bad 采集码 (the photo is found by 学号 instead). */
  g_autofree char *row4 = sample_line (dir, 4);
  g_auto (GStrv) cells4 = g_strsplit (row4, ",", -1);
  g_autofree char *old_photo = photo_of_row (dir, 4);
  g_autofree char *xh_name = g_strdup_printf ("%s.jpg", cells4[4]);
  g_autofree char *new_photo = g_build_filename (dir, "photos", xh_name, NULL);
  g_assert_cmpint (g_rename (old_photo, new_photo), ==, 0);
  g_free (cells4[1]);
  cells4[1] = g_strdup ("BAD-CODE");
  g_autofree char *bad = g_strjoinv (",", cells4);
  replace_line (dir, 4, bad);

  /* Row 6: truncated JPEG; row 7: 0-byte file; row 8: PNG bomb. */
  g_autofree char *p6 = photo_of_row (dir, 6);
  g_autofree char *jpeg = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (p6, &jpeg, &len, NULL));
  ps_test_write_file (p6, jpeg, (gssize) (len / 2));
  g_autofree char *p7 = photo_of_row (dir, 7);
  ps_test_write_file (p7, "", 0);
  g_autofree char *p8 = photo_of_row (dir, 8);
  g_unlink (p8);
  g_autofree char *p8png = g_strndup (p8, strlen (p8) - 4);
  g_autofree char *bomb = g_strconcat (p8png, ".png", NULL);
  write_png_bomb (bomb);

  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = NULL;
  gint64 start = g_get_monotonic_time ();
  int status = run_check (roster, photos, &out, NULL);
  gint64 elapsed = g_get_monotonic_time () - start;
  g_test_message ("%s", out);
  g_assert_cmpint (status, ==, 1);

  g_autofree char *l3 = g_strdup_printf ("roster.csv:3: xh=%s: xh: duplicate", xh2);
  g_assert_nonnull (strstr (out, l3));
  g_assert_nonnull (strstr (out, "roster.csv:4: "));
  g_assert_nonnull (strstr (out, "cjm: 采集码 must be 16 letters or digits"));
  g_assert_nonnull (strstr (out, "roster.csv:6: "));
  g_assert_nonnull (strstr (out, "roster.csv:7: "));
  g_assert_nonnull (strstr (out, "roster.csv:8: "));
  g_assert_nonnull (strstr (out, "problems  5"));
  /* The bomb is refused from its header: the whole check stays quick. */
  g_assert_cmpint (elapsed, <, 10 * G_USEC_PER_SEC);

  /* Same through --json. */
  const char *args[] = { "check", "--roster", roster, "--photos", photos, "--json", NULL };
  g_autofree char *json = NULL;
  g_assert_cmpint (ps_test_run_cli (args, &json, NULL), ==, 1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonArray *problems = json_object_get_array_member (root, "problems");
  g_assert_cmpint (json_array_get_length (problems), ==, 5);
  g_assert_cmpint (json_object_get_int_member (root, "rows"), ==, 36);
  JsonObject *first = json_array_get_object_element (problems, 0);
  g_assert_cmpint (json_object_get_int_member (first, "row"), ==, 3);
  ps_test_rm_rf (dir);
}

static void
test_bad_rows_are_theirs_alone (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  /* Row 10 gets an extra field; the other 35 rows stay printable. */
  g_autofree char *row10 = sample_line (dir, 10);
  g_autofree char *longer = g_strconcat (row10, ",extra", NULL);
  replace_line (dir, 10, longer);

  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = NULL;
  g_assert_cmpint (run_check (roster, photos, &out, NULL), ==, 1);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "roster.csv:10: "));
  g_assert_nonnull (strstr (out, "printable 35"));
  g_assert_nonnull (strstr (out, "problems  1"));
  ps_test_rm_rf (dir);
}

static void
test_missing_columns (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *roster = g_build_filename (dir, "r.csv", NULL);
  ps_test_write_file (roster, "采集码,姓名\r\nHx4KcUcseltovhGV,张*三\r\n", -1);
  g_autofree char *err = NULL;
  g_assert_cmpint (run_check (roster, dir, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "学号"));
  g_assert_nonnull (strstr (err, "班级"));
  g_assert_nonnull (strstr (err, "r.csv"));
  ps_test_rm_rf (dir);
}

static void
test_usage_errors (void)
{
  const char *no_args[] = { "check", NULL };
  g_assert_cmpint (ps_test_run_cli (no_args, NULL, NULL), ==, 2);
  const char *bogus[] = { "check", "--bogus", NULL };
  g_assert_cmpint (ps_test_run_cli (bogus, NULL, NULL), ==, 2);
  const char *unknown[] = { "frobnicate", NULL };
  g_assert_cmpint (ps_test_run_cli (unknown, NULL, NULL), ==, 2);
  const char *version[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_assert_cmpint (ps_test_run_cli (version, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "photosheet "));
  const char *help[] = { "--help", NULL };
  g_autofree char *help_out = NULL;
  g_assert_cmpint (ps_test_run_cli (help, &help_out, NULL), ==, 0);
  g_assert_nonnull (strstr (help_out, "Examples:"));
  g_autofree char *roster = g_build_filename (ps_test_samples_dir (), "roster.csv", NULL);
  g_assert_cmpint (run_check (roster, "/nonexistent-photos", NULL, NULL), ==, 2);
}

/* An old-mode table: full names and 18-character IDs.  Nothing that check
 * prints may contain them, in any output mode. */
static void
test_privacy_full_values (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *old = ps_test_write_old_mode_roster (dir);
  /* A problem on an old-mode row, so that its line gets printed. */
  g_autofree char *photo = photo_of_row (dir, 3);
  g_assert_cmpint (g_unlink (photo), ==, 0);

  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  const char *plain[] = { "check", "--roster", old, "--photos", photos, NULL };
  const char *json[] = { "check", "--roster", old, "--photos", photos, "--json", NULL };
  const char *const *runs[] = { plain, json };
  for (size_t r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_assert_cmpint (ps_test_run_cli (runs[r], &out, &err), ==, 1);
      g_assert_nonnull (strstr (out, r == 0 ? "old.csv:3: " : "\"row\" : 3"));
      g_autofree char *all = g_strconcat (out, err, NULL);
      const char *which = NULL;
      if (ps_test_find_full_value (all, strlen (all), &which))
        g_error ("check printed a full value (%s)", which);
    }
  ps_test_rm_rf (dir);
}

static void
test_uncovered_character (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *row2 = sample_line (dir, 2);
  g_auto (GStrv) cells = g_strsplit (row2, ",", -1);
  g_free (cells[7]);
  /* U+E000 is a private-use character: no font has it. */
  cells[7] = g_strdup ("\xEE\x80\x80*明");
  g_autofree char *line = g_strjoinv (",", cells);
  replace_line (dir, 2, line);

  g_autofree char *roster = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = NULL;
  g_assert_cmpint (run_check (roster, photos, &out, NULL), ==, 1);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "roster.csv:2: "));
  g_assert_nonnull (strstr (out, "U+E000"));
  ps_test_rm_rf (dir);
}

static void
test_extension_b_is_covered (void)
{
  char *missing = NULL;
  g_assert_true (_ps_fonts_covers ("Noto Sans CJK SC, HanaMinA, HanaMinB", "𠮷野家 买买提·艾力", &missing));
  g_assert_null (missing);
  g_assert_false (_ps_fonts_covers ("Noto Sans CJK SC, HanaMinA, HanaMinB", "a\xEE\x80\x80", &missing));
  g_assert_cmpstr (missing, ==, "\xEE\x80\x80");
  g_free (missing);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/check/samples/all-formats", test_samples_all_formats);
  g_test_add_func ("/check/photo/missing", test_missing_photo);
  g_test_add_func ("/check/problems/named", test_problems_named);
  g_test_add_func ("/check/rows/bad-row-alone", test_bad_rows_are_theirs_alone);
  g_test_add_func ("/check/roster/missing-columns", test_missing_columns);
  g_test_add_func ("/check/cli/usage", test_usage_errors);
  g_test_add_func ("/check/privacy/full-values", test_privacy_full_values);
  g_test_add_func ("/check/glyphs/uncovered", test_uncovered_character);
  g_test_add_func ("/check/glyphs/extension-b", test_extension_b_is_covered);
  return g_test_run ();
}
