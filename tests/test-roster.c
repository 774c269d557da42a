/* test-roster.c - roster import: CSV, XLSX, JSONL, encodings, limits, masking.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"
#include "ps-roster-private.h"
#include "ps-xlsx-writer.h"

#include <string.h>
#include <zip.h>

/* ------------------------------------------------------------------ */
/* Fixture and helpers                                                */
/* ------------------------------------------------------------------ */

typedef PsTestDirFixture Fixture;

#define TEST(path, fn) \
  g_test_add (path, Fixture, NULL, ps_test_dir_setup, fn, ps_test_dir_teardown)

static char *
write_tmp (Fixture *f, const char *name, const char *data, gssize len)
{
  char *path = g_build_filename (f->dir, name, NULL);
  ps_test_write_file (path, data, len);
  return path;
}

static PsRoster *
load_ok (const char *path, const PsRosterOptions *options)
{
  g_autoptr (GError) error = NULL;
  PsRoster *roster = ps_roster_load (path, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (roster);
  return roster;
}

static const PsRecord *
record (const PsRoster *roster, size_t i)
{
  g_assert_cmpuint (i, <, ps_roster_get_n_records (roster));
  return ps_roster_get_record (roster, i);
}

static const char *
get (const PsRoster *roster, size_t i, PsField field)
{
  return ps_record_get (record (roster, i), field);
}

static int
row_of (const PsRoster *roster, size_t i)
{
  return ps_record_get_row (record (roster, i));
}

static const PsProblem *
problem (const PsRoster *roster, size_t i)
{
  g_assert_cmpuint (i, <, ps_roster_get_n_problems (roster));
  return ps_roster_get_problem (roster, i);
}

/* No record value, problem or error text may carry any of @secrets. */
static void
assert_secrets_absent (const PsRoster *roster, const char *const *secrets)
{
  for (size_t s = 0; secrets[s] != NULL; s++)
    {
      for (size_t i = 0; roster != NULL && i < ps_roster_get_n_problems (roster); i++)
        {
          const PsProblem *p = ps_roster_get_problem (roster, i);
          g_assert_null (strstr (p->reason, secrets[s]));
          g_assert_true (p->xh == NULL || strstr (p->xh, secrets[s]) == NULL);
          g_assert_true (p->cjm == NULL || strstr (p->cjm, secrets[s]) == NULL);
          g_assert_true (p->field == NULL || strstr (p->field, secrets[s]) == NULL);
        }
      for (size_t i = 0; roster != NULL && i < ps_roster_get_n_records (roster); i++)
        for (int fld = 0; fld < PS_N_FIELDS; fld++)
          {
            const char *v = ps_record_get (ps_roster_get_record (roster, i), (PsField) fld);
            g_assert_true (v == NULL || strstr (v, secrets[s]) == NULL);
          }
    }
}

static const char header9[] = "sjc,cjm,yxdm,zjhm,xh,cc,xllb,xm,bh\n";

/* ------------------------------------------------------------------ */
/* CSV                                                                */
/* ------------------------------------------------------------------ */

static void
test_csv_quoted_newlines (Fixture *f, gconstpointer data)
{
  g_autofree char *path = ps_test_data_path ("roster-quoted.csv");
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpstr (ps_roster_get_format (roster), ==, "csv");
  g_assert_cmpstr (ps_roster_get_encoding (roster), ==, "UTF-8");
  g_assert_cmpstr (ps_roster_get_path (roster), ==, path);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 5);
  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 5);
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 0);

  /* embedded comma */
  g_assert_cmpint (row_of (roster, 0), ==, 2);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_BH), ==, "计算机科学与技术,软工三班");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_SJC), ==, "1653446320558");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_CJM), ==, "Hx4KcUcseltovhGV");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_YXDM), ==, "10294");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_CC), ==, "本科");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XLLB), ==, "普通全日制");
  g_assert_null (get (roster, 0, PS_FIELD_FY));
  /* doubled quotes */
  g_assert_cmpint (row_of (roster, 1), ==, 3);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_BH), ==, "计算机\"软工\"三班");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "471X");
  /* a field over three physical lines is one row */
  g_assert_cmpint (row_of (roster, 2), ==, 4);
  g_assert_cmpstr (get (roster, 2, PS_FIELD_BH), ==, "软工\r\n三班\r\n（复读）");
  g_assert_null (get (roster, 2, PS_FIELD_ZJHM));
  /* ... so the next row is 5, not 7; values trimmed (U+3000 and space) */
  g_assert_cmpint (row_of (roster, 3), ==, 5);
  g_assert_cmpstr (get (roster, 3, PS_FIELD_XH), ==, "201818004215117");
  g_assert_cmpstr (get (roster, 3, PS_FIELD_XLLB), ==, "网络教育");
  g_assert_cmpstr (get (roster, 3, PS_FIELD_XM), ==, "王*");
  /* an empty line (row 6) and a row of empty fields (row 7) are skipped but
   * still numbered */
  g_assert_cmpint (row_of (roster, 4), ==, 8);
  g_assert_cmpstr (get (roster, 4, PS_FIELD_XM), ==, "买****力");
  g_assert_cmpstr (get (roster, 4, PS_FIELD_BH), ==, "\"");
  g_assert_cmpstr (get (roster, 4, PS_FIELD_ZJHM), ==, "0002");

  /* sha256 of the bytes as they are on disk */
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) bytes, len);
  g_assert_cmpstr (ps_roster_get_sha256 (roster), ==, sum);
}

static void
test_csv_lf_and_no_final_newline (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_tmp (f, "lf.csv",
                                     "xh,xm,bh\n"
                                     "1,\"张\n三\",a\n"
                                     "2,李四,\"b,c\"", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 2);
  g_assert_cmpint (row_of (roster, 0), ==, 2);
  /* a line break inside a Chinese name is no character of it: 张三 */
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "张*");
  g_assert_cmpuint (ps_roster_get_n_warnings (roster), ==, 1);
  g_assert_cmpstr (ps_roster_get_warning (roster, 0)->field, ==, "xm");
  g_assert_cmpint (row_of (roster, 1), ==, 3);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_BH), ==, "b,c");
}

static void
test_csv_bom (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_tmp (f, "bom.csv",
                                     "\xEF\xBB\xBF学号,姓名,班级\r\n"
                                     "201818004215114,张三,软工三班\r\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpstr (ps_roster_get_encoding (roster), ==, "UTF-8");
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "张*");
}

static void
test_csv_gb18030_file (Fixture *f, gconstpointer data)
{
  g_autofree char *path = ps_test_data_path ("roster-gb18030.csv");
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpstr (ps_roster_get_encoding (roster), ==, "GB18030");
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 3);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "张*丰");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_BH), ==, "计算机科学与技术软工三班");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_ZJHM), ==, "002X");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_CC), ==, "本科");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_FY), ==, "信息学院");
  /* a CJK Extension B character (4 bytes in GB18030 and in UTF-8) survives */
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XM), ==, "\xF0\xA0\xAE\xB7*");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_CC), ==, "专科");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "0031");
  g_assert_cmpint (row_of (roster, 2), ==, 4);
}

static void
test_csv_gbk_generated (Fixture *f, gconstpointer data)
{
  const char *utf8 = "学号,姓名,班级,层次\r\n"
                     "201818004215114,欧阳娜娜,\"软工,三班\",硕士研究生\r\n";
  gsize written = 0;
  g_autofree char *gbk = g_convert (utf8, -1, "GBK", "UTF-8", NULL, &written, NULL);
  g_assert_nonnull (gbk);
  g_autofree char *path = write_tmp (f, "gbk.csv", gbk, (gssize) written);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpstr (ps_roster_get_encoding (roster), ==, "GB18030");
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "欧**娜");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_BH), ==, "软工,三班");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_CC), ==, "硕士研究生");
}

static void
test_csv_undecodable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* UTF-8 with one broken byte on line 7: a problem of row 7 alone. */
  g_autoptr (GString) s = g_string_new ("xh,xm,bh\n");
  for (int i = 2; i <= 6; i++)
    g_string_append_printf (s, "%d,张三,软工三班\n", i);
  g_string_append (s, "7,张\xFF三,软工三班\n8,李四,软工三班\n");
  g_autofree char *path = write_tmp (f, "x.csv", s->str, (gssize) s->len);
  g_autoptr (PsRoster) roster = ps_roster_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ps_roster_get_encoding (roster), ==, "UTF-8");
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 6);
  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 7);
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 1);
  const PsProblem *p = ps_roster_get_problem (roster, 0);
  g_assert_cmpint (p->row, ==, 7);
  g_assert_null (p->xh);
  g_assert_cmpstr (p->reason, ==, "bytes are neither UTF-8 nor GB18030 (line 7)");
  g_assert_cmpstr (ps_record_get (ps_roster_get_record (roster, 5), PS_FIELD_XH), ==, "8");
  g_assert_cmpint (ps_record_get_row (ps_roster_get_record (roster, 5)), ==, 8);

  /* GBK with a broken byte on line 3: GB18030 got further, row 3 is the
   * problem, row 2 is read. */
  const char *utf8 = "学号,姓名,班级\n1,张三,软工三班\n2,李四,软工三班\n3,王五,软工三班\n";
  gsize written = 0;
  g_autofree char *gbk = g_convert (utf8, -1, "GB18030", "UTF-8", NULL, &written, NULL);
  g_autoptr (GString) bad = g_string_new_len (gbk, (gssize) written);
  char *third = strstr (bad->str + 1, "\n2,");
  g_assert_nonnull (third);
  third[3] = (char) 0xFF;   /* first byte of 李 */
  g_autofree char *path2 = write_tmp (f, "y.csv", bad->str, (gssize) bad->len);
  g_autoptr (PsRoster) roster2 = ps_roster_load (path2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ps_roster_get_encoding (roster2), ==, "GB18030");
  g_assert_cmpuint (ps_roster_get_n_records (roster2), ==, 2);
  g_assert_cmpint (ps_roster_get_problem (roster2, 0)->row, ==, 3);
  g_assert_cmpstr (ps_record_get (ps_roster_get_record (roster2, 0), PS_FIELD_XM), ==, "张*");

  /* A broken header line, or a file mostly broken, is unreadable as a whole. */
  g_autofree char *path3 = write_tmp (f, "z.csv", "xh,\xFFxm,bh\n1,a,b\n", -1);
  g_assert_null (ps_roster_load (path3, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING);
  g_autofree char *expected = g_strdup_printf ("roster '%s' line 1: bytes are neither UTF-8 nor GB18030",
                                               path3);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_autofree char *path4 = write_tmp (f, "w.csv", "xh,xm,bh\n1,\xFF\xFF,b\n2,\xFF\xFF,b\n3,\xFE,c\n", -1);
  g_assert_null (ps_roster_load (path4, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING);
}

static void
test_csv_missing_columns (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_tmp (f, "x.csv", "cjm,xm,yxdm\nA,张三,10294\n", -1);

  g_assert_null (ps_roster_load (path, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_MISSING_COLUMN);
  g_autofree char *expected = g_strdup_printf (
    "roster '%s': missing required columns: 学号 (xh), 班级 (bh)", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  g_autofree char *path2 = write_tmp (f, "y.csv", "学号,班级,备注\n1,a,b\n", -1);
  g_assert_null (ps_roster_load (path2, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_MISSING_COLUMN);
  g_assert_nonnull (strstr (error->message, "missing required column: 姓名 (xm)"));
}

static void
test_csv_headers (Fixture *f, gconstpointer data)
{
  /* Chinese names, aliases, spaces around them, unknown columns, a repeated
   * header (the first wins) */
  g_autofree char *path = write_tmp (f, "h.csv",
                                     " 学号 ,姓名,备注,班级,层次,分院,照片,份数,优先,学号,采集码\n"
                                     "201818004215114,张三,x,软工三班,本科,信息学院,a.jpg,8,1,999,Hx4KcUcseltovhGV\n",
                                     -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_CC), ==, "本科");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_FY), ==, "信息学院");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_PHOTO), ==, "a.jpg");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_COPIES), ==, "8");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_PRIORITY), ==, "1");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_CJM), ==, "Hx4KcUcseltovhGV");

  /* key headers, any case, with the alias 学历层次 */
  g_autofree char *path2 = write_tmp (f, "k.csv", "XH,xm,Bh,学历层次\n1,李四,b,专科\n", -1);
  g_autoptr (PsRoster) roster2 = load_ok (path2, NULL);
  g_assert_cmpstr (get (roster2, 0, PS_FIELD_XH), ==, "1");
  g_assert_cmpstr (get (roster2, 0, PS_FIELD_XM), ==, "李*");
  g_assert_cmpstr (get (roster2, 0, PS_FIELD_BH), ==, "b");
  g_assert_cmpstr (get (roster2, 0, PS_FIELD_CC), ==, "专科");
}

static void
test_csv_field_count (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) s = g_string_new (header9);
  g_string_append (s, "1,A,10294,002X,101,本科,普通全日制,张三,a\n");          /* row 2 */
  g_string_append (s, "2,B,10294,002X,102,本科,张三丰,a\n");                    /* row 3: 8 */
  g_string_append (s, "3,C,10294,002X,103,本科,普通全日制,李四,a,extra\n");     /* row 4: 10 */
  g_string_append (s, "4,D,10294,002X,104,本科,普通全日制,王五,a\n");          /* row 5 */
  g_autofree char *path = write_tmp (f, "c.csv", s->str, -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 4);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 2);
  g_assert_cmpint (row_of (roster, 0), ==, 2);
  g_assert_cmpint (row_of (roster, 1), ==, 5);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, "104");

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 2);
  g_assert_cmpint (problem (roster, 0)->row, ==, 3);
  g_assert_cmpstr (problem (roster, 0)->reason, ==, "row has 8 fields, header has 9");
  g_assert_cmpstr (problem (roster, 0)->file, ==, path);
  g_assert_null (problem (roster, 0)->xh);
  g_assert_cmpint (problem (roster, 1)->row, ==, 4);
  g_assert_cmpstr (problem (roster, 1)->reason, ==, "row has 10 fields, header has 9");
  const char *secrets[] = { "张三丰", "李四", NULL };
  assert_secrets_absent (roster, secrets);
}

static void
test_csv_unterminated_quote (Fixture *f, gconstpointer data)
{
  /* The quote on row 3 never closes: rows 4 and 5 must still be read. */
  g_autofree char *path = write_tmp (f, "u.csv",
                                     "xh,xm,bh\n"
                                     "101,张三,a\n"
                                     "102,\"李四,a\n"
                                     "103,王五,b\n"
                                     "104,赵六,c\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 4);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 3);
  g_assert_cmpint (row_of (roster, 0), ==, 2);
  g_assert_cmpint (row_of (roster, 1), ==, 4);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, "103");
  g_assert_cmpint (row_of (roster, 2), ==, 5);
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 1);
  g_assert_cmpint (problem (roster, 0)->row, ==, 3);
  g_assert_nonnull (strstr (problem (roster, 0)->reason, "unterminated quoted field"));

  /* Same, but a later row has a quoted field: the runaway quote closes there
   * and is caught by what follows the closing quote; rows after a multi-line
   * field keep their numbers. */
  g_autofree char *path2 = write_tmp (f, "u2.csv",
                                      "xh,xm,bh\n"
                                      "101,张三,\"a\nb\"\n"          /* row 2, lines 2-3 */
                                      "102,\"李四,a\n"                 /* row 3, line 4 */
                                      "103,王五,\"软工三班\"\n"        /* row 4, line 5 */
                                      "104,赵六,c\n", -1);            /* row 5 */
  g_autoptr (PsRoster) roster2 = load_ok (path2, NULL);
  g_assert_cmpuint (ps_roster_get_n_records (roster2), ==, 3);
  g_assert_cmpint (row_of (roster2, 0), ==, 2);
  g_assert_cmpint (row_of (roster2, 1), ==, 4);
  g_assert_cmpstr (get (roster2, 1, PS_FIELD_BH), ==, "软工三班");
  g_assert_cmpint (row_of (roster2, 2), ==, 5);
  g_assert_cmpuint (ps_roster_get_n_problems (roster2), ==, 1);
  g_assert_cmpint (problem (roster2, 0)->row, ==, 3);
  g_assert_nonnull (strstr (problem (roster2, 0)->reason, "line 4"));
  const char *secrets[] = { "李四", NULL };
  assert_secrets_absent (roster2, secrets);

  /* In the header it is fatal. */
  g_autoptr (GError) error = NULL;
  g_autofree char *path3 = write_tmp (f, "u3.csv", "xh,\"xm,bh\n1,2,3\n", -1);
  g_assert_null (ps_roster_load (path3, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
}

static void
test_csv_nul_byte (Fixture *f, gconstpointer data)
{
  static const char bytes[] = "xh,xm,bh\n"
                              "101,张三,a\n"
                              "102,李\0四,a\n"
                              "103,王五,b\n";
  g_autofree char *path = write_tmp (f, "n.csv", bytes, sizeof bytes - 1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 3);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 2);
  g_assert_cmpint (row_of (roster, 1), ==, 4);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, "103");
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 1);
  g_assert_cmpint (problem (roster, 0)->row, ==, 3);
  g_assert_cmpstr (problem (roster, 0)->xh, ==, "102");
  g_assert_cmpstr (problem (roster, 0)->field, ==, "xm");
  g_assert_cmpstr (problem (roster, 0)->reason, ==, "field 'xm' contains a NUL byte");
}

static void
test_csv_old_mode_masked (Fixture *f, gconstpointer data)
{
  /* An old table with full names and 18-character ID numbers. */
  g_autofree char *path = write_tmp (f, "old.csv",
                                     "学号,姓名,证件号码,班级\n"
                                     "101,欧阳娜娜,110105194912310021,a\n"
                                     "102,张三丰,11010519491231002x,a\n"
                                     "103,李,110105491231002,a\n"
                                     "104,买买提·艾力,110105194912310021,a,extra\n"
                                     "105,\"司马\n相如\",110105194912310037,\"b\n", -1);
  PsRosterOptions options = { .mask_style = PS_MASK_PER_CHARACTER };
  g_autoptr (PsRoster) roster = load_ok (path, &options);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 3);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "欧**娜");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_ZJHM), ==, "0021");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XM), ==, "张*丰");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "002X");
  g_assert_cmpstr (get (roster, 2, PS_FIELD_XM), ==, "*");
  g_assert_cmpstr (get (roster, 2, PS_FIELD_ZJHM), ==, "1002");
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 2);

  const char *secrets[] = { "欧阳娜娜", "张三丰", "买买提·艾力", "司马", "相如",
                            "110105194912310021", "11010519491231002", "110105491231002",
                            "110105194912310037", NULL };
  assert_secrets_absent (roster, secrets);

  /* the fixed style */
  PsRosterOptions fixed = { .mask_style = PS_MASK_FIXED };
  g_autoptr (PsRoster) roster2 = load_ok (path, &fixed);
  g_assert_cmpstr (get (roster2, 0, PS_FIELD_XM), ==, "欧**娜");
  g_assert_cmpstr (get (roster2, 1, PS_FIELD_XM), ==, "张**丰");
  /* already masked values stay as given */
  g_autofree char *path2 = write_tmp (f, "new.csv", "xh,xm,bh,zjhm\n1,张**丰,a,471X\n", -1);
  g_autoptr (PsRoster) roster3 = load_ok (path2, NULL);
  g_assert_cmpstr (get (roster3, 0, PS_FIELD_XM), ==, "张**丰");
  g_assert_cmpstr (get (roster3, 0, PS_FIELD_ZJHM), ==, "471X");
}

static void
test_csv_limits (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_tmp (f, "l.csv",
                                     "xh,xm,bh\n"
                                     "101,张三,软工三班\n"
                                     "102,李四,软工三班软工三班软工三班\n"
                                     "103,王五,b\n", -1);

  /* a field above max_field_bytes is a problem of its row */
  PsRosterOptions options = { .max_field_bytes = 20 };
  g_autoptr (PsRoster) roster = load_ok (path, &options);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 2);
  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 3);
  g_assert_cmpint (problem (roster, 0)->row, ==, 3);
  g_assert_cmpstr (problem (roster, 0)->field, ==, "bh");
  g_assert_cmpstr (problem (roster, 0)->xh, ==, "102");
  g_assert_cmpstr (problem (roster, 0)->reason, ==, "field 'bh' is longer than 20 bytes");

  /* a file above max_bytes is refused */
  PsRosterOptions small = { .max_bytes = 16 };
  g_assert_null (ps_roster_load (path, &small, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_csv_large (Fixture *f, gconstpointer data)
{
  /* 200 000 rows (~20 MB): linear time, right count and row numbers. */
  const size_t n = 200000;
  g_autoptr (GString) s = g_string_sized_new (n * 110);
  g_string_append (s, header9);
  for (size_t i = 0; i < n; i++)
    g_string_append_printf (s, "1653446320558,Hx4KcUcseltovhGV,10294,11010519491231002X,"
                               "%zu,本科,普通全日制,欧阳娜娜,\"软工,%zu班\"\n",
                            201818004215114 + i, i % 40);
  g_autofree char *path = write_tmp (f, "big.csv", s->str, (gssize) s->len);

  gint64 start = g_get_monotonic_time ();
  g_autoptr (PsRoster) roster = load_ok (path, NULL);
  gint64 elapsed = g_get_monotonic_time () - start;
  g_test_message ("%zu rows, %zu bytes in %.2f s", n, s->len, elapsed / 1e6);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, n);
  g_assert_cmpint (row_of (roster, n - 1), ==, (int) n + 1);
  g_assert_cmpstr (get (roster, n - 1, PS_FIELD_XM), ==, "欧**娜");
}

static void
test_csv_title_row (Fixture *f, gconstpointer data)
{
  /* Chinese tables often carry a title above the header. */
  g_autofree char *path = write_tmp (f, "t.csv",
                                     "2022届毕业生图像采集名单,,\n"
                                     ",,\n"
                                     "学号,姓名,班级\n"
                                     "101,张三,a\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);
  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 1);
  g_assert_cmpint (row_of (roster, 0), ==, 4);

  /* nothing but a title: the required columns are named */
  g_autoptr (GError) error = NULL;
  g_autofree char *path2 = write_tmp (f, "t2.csv", "名单\n备注\n", -1);
  g_assert_null (ps_roster_load (path2, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_MISSING_COLUMN);
  g_assert_nonnull (strstr (error->message, "学号 (xh), 姓名 (xm), 班级 (bh)"));
}

/* ------------------------------------------------------------------ */
/* File-level errors and sniffing                                     */
/* ------------------------------------------------------------------ */

static void
test_load_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nope.csv", NULL);

  g_assert_null (ps_roster_load (missing, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_null (ps_roster_load (f->dir, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_OPEN);
  g_clear_error (&error);

  g_autofree char *empty = write_tmp (f, "empty.csv", "", 0);
  g_assert_null (ps_roster_load (empty, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
  g_clear_error (&error);

  g_autofree char *blank = write_tmp (f, "blank.csv", "\n , \n\n", -1);
  g_assert_null (ps_roster_load (blank, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
  g_clear_error (&error);

  g_autofree char *xls = write_tmp (f, "old.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", 12);
  g_assert_null (ps_roster_load (xls, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
  g_clear_error (&error);

  g_autofree char *fake = write_tmp (f, "fake.xlsx", "xh,xm,bh\n1,2,3\n", -1);
  g_assert_null (ps_roster_load (fake, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
  g_clear_error (&error);

  g_autofree char *broken_zip = write_tmp (f, "broken.xlsx", "PK\x03\x04garbage", 11);
  g_assert_null (ps_roster_load (broken_zip, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
}

static void
test_sniff (Fixture *f, gconstpointer data)
{
  /* JSON Lines named .csv, CSV named .txt, XLSX without an extension */
  g_autofree char *j = write_tmp (f, "data.csv", "\n  {\"xh\":\"1\",\"xm\":\"张三\",\"bh\":\"a\"}\n", -1);
  g_autoptr (PsRoster) rj = load_ok (j, NULL);
  g_assert_cmpstr (ps_roster_get_format (rj), ==, "jsonl");
  g_assert_cmpint (row_of (rj, 0), ==, 2);

  g_autofree char *c = write_tmp (f, "data.txt", "xh,xm,bh\n1,张三,a\n", -1);
  g_autoptr (PsRoster) rc = load_ok (c, NULL);
  g_assert_cmpstr (ps_roster_get_format (rc), ==, "csv");

  const char *header[] = { "xh", "xm", "bh" };
  const char *row[] = { "1", "张三", "a" };
  const char *const *rows[] = { header, row };
  g_autofree char *x = g_build_filename (f->dir, "roster", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (ps_xlsx_write (x, rows, 2, 3, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (PsRoster) rx = load_ok (x, NULL);
  g_assert_cmpstr (ps_roster_get_format (rx), ==, "xlsx");
  g_assert_cmpstr (get (rx, 0, PS_FIELD_XM), ==, "张*");
}

/* ------------------------------------------------------------------ */
/* XLSX                                                               */
/* ------------------------------------------------------------------ */

static const char *xl_header[] = { "学号", "姓名", "班级", "证件号码", "时间戳", "院系" };
static const char *xl_row1[] = { "201818004215114", "张三丰", "软工三班", "11010519491231002X",
                                 "1653446320558", "信息学院" };
static const char *xl_row2[] = { "020181800421", "李四", "软工 & <三班>", "471x",
                                 "1653446320559", NULL };
static const char *xl_row3[] = { "201818004215116", "　王五 ", "软工三班", NULL, NULL, "" };

static PsRoster *
write_and_load_xlsx (Fixture *f, const char *name, const PsXlsxOptions *opts)
{
  const char *const *rows[] = { xl_header, xl_row1, xl_row2, xl_row3 };
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (ps_xlsx_write (path, rows, G_N_ELEMENTS (rows), G_N_ELEMENTS (xl_header), opts,
                                &error));
  g_assert_no_error (error);
  return load_ok (path, NULL);
}

static void
check_xlsx_roster (const PsRoster *roster, bool numbers)
{
  g_assert_cmpstr (ps_roster_get_format (roster), ==, "xlsx");
  g_assert_cmpstr (ps_roster_get_encoding (roster), ==, "UTF-8");
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 3);
  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 3);
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 0);

  g_assert_cmpint (row_of (roster, 0), ==, 2);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_SJC), ==, "1653446320558");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "张*丰");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_ZJHM), ==, "002X");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_FY), ==, "信息学院");
  g_assert_cmpint (row_of (roster, 1), ==, 3);
  /* a number loses its leading zero, as in Excel; a string keeps it */
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, numbers ? "20181800421" : "020181800421");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_BH), ==, "软工 & <三班>");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "471X");
  g_assert_null (get (roster, 1, PS_FIELD_FY));   /* no <c> at all */
  g_assert_cmpint (row_of (roster, 2), ==, 4);
  g_assert_cmpstr (get (roster, 2, PS_FIELD_XM), ==, "王*");
  g_assert_null (get (roster, 2, PS_FIELD_ZJHM));
  g_assert_null (get (roster, 2, PS_FIELD_FY));     /* "" */
}

static void
test_xlsx_shared_strings (Fixture *f, gconstpointer data)
{
  g_autoptr (PsRoster) roster = write_and_load_xlsx (f, "s.xlsx", NULL);
  check_xlsx_roster (roster, false);
}

static void
test_xlsx_numeric_xh (Fixture *f, gconstpointer data)
{
  bool numeric[] = { true, false, false, false, true, false };
  PsXlsxOptions plain = { .numeric_columns = numeric, .n_empty_trailing_rows = 3 };
  g_autoptr (PsRoster) r1 = write_and_load_xlsx (f, "plain.xlsx", &plain);
  check_xlsx_roster (r1, true);

  PsXlsxOptions exponent = { .numeric_columns = numeric, .exponent_numbers = true,
                             .n_empty_trailing_rows = 2, .empty_trailing_cells = true };
  g_autoptr (PsRoster) r2 = write_and_load_xlsx (f, "exp.xlsx", &exponent);
  check_xlsx_roster (r2, true);
}

static void
test_xlsx_inline_strings (Fixture *f, gconstpointer data)
{
  bool numeric[] = { true, false, false, false, false, false };
  PsXlsxOptions opts = { .numeric_columns = numeric, .exponent_numbers = true,
                         .inline_strings = true, .n_empty_trailing_rows = 1,
                         .empty_trailing_cells = true };
  g_autoptr (PsRoster) roster = write_and_load_xlsx (f, "i.xlsx", &opts);
  check_xlsx_roster (roster, true);
}

/* A package written part by part, to reach what the writer does not make. */
static void
write_zip (const char *path, const char *const *parts)
{
  int zerr = 0;
  zip_t *zip = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  g_assert_nonnull (zip);
  for (size_t i = 0; parts[i] != NULL; i += 2)
    {
      zip_source_t *src = zip_source_buffer (zip, parts[i + 1], strlen (parts[i + 1]), 0);
      g_assert_nonnull (src);
      g_assert_cmpint (zip_file_add (zip, parts[i], src, ZIP_FL_ENC_UTF_8), >=, 0);
    }
  g_assert_cmpint (zip_close (zip), ==, 0);
}

static void
test_xlsx_handmade (Fixture *f, gconstpointer data)
{
  /* The first sheet is "data.xml" per the relationships, rich-text shared
   * strings with a phonetic run, t="str", booleans, cells without r=, a row
   * without r=, a title row left empty, an exponent number with a
   * fraction, a shared string index that does not exist. */
  const char *parts[] = {
    "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
    "xl/workbook.xml",
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"名单\" sheetId=\"7\" r:id=\"rId7\"/><sheet name=\"x\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
    "xl/_rels/workbook.xml.rels",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
    "</Relationships>",
    "xl/sharedStrings.xml",
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<si><t>学号</t></si>"
    "<si><r><rPr><b/></rPr><t>姓</t></r><r><t xml:space=\"preserve\">名 </t></r></si>"
    "<si><t>班级</t></si>"
    "<si><r><t>欧阳</t></r><r><t>娜娜</t></r><rPh sb=\"0\" eb=\"2\"><t>ouyang</t></rPh></si>"
    "<si><t>软工&amp;三班</t></si>"
    "<si/>"
    "</sst>",
    "xl/worksheets/sheet1.xml",
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row>"
    "</sheetData></worksheet>",
    "xl/worksheets/data.xml",
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>5</v></c></row>"
    "<row r=\"3\"><c r=\"B3\" t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c r=\"E3\" t=\"s\"><v>2</v></c>"
    "<c r=\"F3\" t=\"inlineStr\"><is><t>优先</t></is></c></row>"
    "<row r=\"5\"><c r=\"B5\"><v>2.01818004215114E+14</v></c><c r=\"C5\" t=\"s\"><v>3</v></c>"
    "<c r=\"E5\" t=\"str\"><f>A1</f><v>软工三班</v></c><c r=\"F5\" t=\"b\"><v>1</v></c></row>"
    "<row><c r=\"B6\"><v>1.5E-1</v></c><c r=\"C6\" t=\"s\"><v>99</v></c><c r=\"E6\"><v>3</v></c></row>"
    "<row r=\"9\"><c r=\"B9\" t=\"str\"><v>201818004215116</v></c><c r=\"C9\" t=\"inlineStr\"><is><r><t>李</t></r><r><t>四</t></r></is></c>"
    "<c r=\"E9\" t=\"s\"><v>4</v></c><c r=\"F9\" t=\"b\"><v>0</v></c></row>"
    "<row r=\"10\"><c r=\"B10\" t=\"s\"><v>5</v></c><c r=\"C10\" t=\"inlineStr\"><is><t> </t></is></c></row>"
    "<row r=\"11\"/>"
    "</sheetData></worksheet>",
    NULL
  };
  g_autofree char *path = g_build_filename (f->dir, "hand.xlsx", NULL);
  write_zip (path, parts);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 3);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 2);
  g_assert_cmpint (row_of (roster, 0), ==, 5);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "欧**娜");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_BH), ==, "软工三班");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_PRIORITY), ==, "TRUE");
  g_assert_cmpint (row_of (roster, 1), ==, 9);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, "201818004215116");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XM), ==, "李*");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_BH), ==, "软工&三班");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_PRIORITY), ==, "FALSE");

  /* the row without r= follows row 5 */
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 1);
  g_assert_cmpint (problem (roster, 0)->row, ==, 6);
  g_assert_cmpstr (problem (roster, 0)->reason, ==, "cell C6 refers to a missing shared string");
  const char *secrets[] = { "欧阳娜娜", NULL };
  assert_secrets_absent (roster, secrets);
}

static void
test_xlsx_title_row (Fixture *f, gconstpointer data)
{
  const char *title[] = { "2022届毕业生名单", NULL, NULL };
  const char *header[] = { "学号", "姓名", "班级" };
  const char *row[] = { "201818004215114", "张三", "a" };
  const char *const *rows[] = { title, header, row };
  bool numeric[] = { true, false, false };
  PsXlsxOptions opts = { .numeric_columns = numeric, .exponent_numbers = true };
  g_autofree char *path = g_build_filename (f->dir, "t.xlsx", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (ps_xlsx_write (path, rows, 3, 3, &opts, &error));
  g_autoptr (PsRoster) roster = load_ok (path, NULL);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 1);
  g_assert_cmpint (row_of (roster, 0), ==, 3);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
}

static void
test_xlsx_missing_columns (Fixture *f, gconstpointer data)
{
  const char *header[] = { "学号", "姓名", "备注" };
  const char *row[] = { "1", "张三", "x" };
  const char *const *rows[] = { header, row };
  g_autofree char *path = g_build_filename (f->dir, "m.xlsx", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (ps_xlsx_write (path, rows, 2, 3, NULL, &error));
  g_assert_null (ps_roster_load (path, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_MISSING_COLUMN);
  g_autofree char *expected = g_strdup_printf ("roster '%s' sheet 'Sheet1' (the first sheet): "
                                               "missing required column: 班级 (bh)", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* an empty sheet */
  g_autofree char *empty = g_build_filename (f->dir, "e.xlsx", NULL);
  PsXlsxOptions opts = { .n_empty_trailing_rows = 2 };
  g_assert_true (ps_xlsx_write (empty, NULL, 0, 3, &opts, &error));
  g_assert_null (ps_roster_load (empty, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
}

static void
test_xlsx_bad_xml (Fixture *f, gconstpointer data)
{
  const char *parts[] = {
    "xl/worksheets/sheet1.xml",
    "<worksheet><sheetData>\n<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>xh</t></is></c>\n"
    "<c r=\"B1\"></row></sheetData></worksheet>",
    NULL
  };
  g_autofree char *path = g_build_filename (f->dir, "bad.xlsx", NULL);
  g_autoptr (GError) error = NULL;

  write_zip (path, parts);
  g_assert_null (ps_roster_load (path, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "xl/worksheets/sheet1.xml"));
  g_clear_error (&error);

  const char *no_sheet[] = { "xl/workbook.xml", "<workbook/>", NULL };
  g_autofree char *path2 = g_build_filename (f->dir, "nosheet.xlsx", NULL);
  write_zip (path2, no_sheet);
  g_assert_null (ps_roster_load (path2, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
}

/* ------------------------------------------------------------------ */
/* JSONL                                                              */
/* ------------------------------------------------------------------ */

static void
test_jsonl_mixed (Fixture *f, gconstpointer data)
{
  g_autofree char *path = ps_test_data_path ("roster-mixed.jsonl");
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpstr (ps_roster_get_format (roster), ==, "jsonl");
  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 7);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 3);

  /* integers as exact digits */
  g_assert_cmpint (row_of (roster, 0), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_SJC), ==, "1653446320558");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "张*丰");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_ZJHM), ==, "002X");
  /* Chinese keys */
  g_assert_cmpint (row_of (roster, 1), ==, 5);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, "201818004215117");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XM), ==, "欧**娜");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "0031");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_FY), ==, "信息学院");
  /* null = absent; unknown keys ignored; true is a 优先 flag */
  g_assert_cmpint (row_of (roster, 2), ==, 9);
  g_assert_null (get (roster, 2, PS_FIELD_XM));
  g_assert_cmpstr (get (roster, 2, PS_FIELD_PRIORITY), ==, "true");

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 4);
  /* a 学号 written as a JSON number in exponent form */
  g_assert_cmpint (problem (roster, 0)->row, ==, 3);
  g_assert_cmpstr (problem (roster, 0)->field, ==, "xh");
  g_assert_null (problem (roster, 0)->xh);
  g_assert_cmpstr (problem (roster, 0)->cjm, ==, "Ab4KcUcseltovhGV");
  g_assert_cmpstr (problem (roster, 0)->reason, ==,
                   "学号 is a JSON number with a fraction or an exponent; write it as a string");
  g_assert_cmpint (problem (roster, 1)->row, ==, 4);
  g_assert_cmpstr (problem (roster, 1)->reason, ==, "line is not valid JSON");
  g_assert_cmpint (problem (roster, 2)->row, ==, 6);
  g_assert_cmpstr (problem (roster, 2)->field, ==, "xm");
  g_assert_cmpstr (problem (roster, 2)->xh, ==, "201818004215118");
  g_assert_cmpint (problem (roster, 3)->row, ==, 8);
  g_assert_cmpstr (problem (roster, 3)->reason, ==, "line is not a JSON object");

  const char *secrets[] = { "张三丰", "欧阳娜娜", "11010519491231002X", "110105194912310031",
                            NULL };
  assert_secrets_absent (roster, secrets);
}

static void
test_jsonl_missing_columns (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_tmp (f, "m.jsonl",
                                     "{\"xh\": \"1\", \"xm\": \"张三\"}\n"
                                     "{\"xh\": \"2\", \"姓名\": \"李四\"}\n", -1);

  g_assert_null (ps_roster_load (path, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_MISSING_COLUMN);
  g_assert_nonnull (strstr (error->message, "班级 (bh)"));
  g_assert_null (strstr (error->message, "姓名"));
}

/* ------------------------------------------------------------------ */
/* Numbers                                                            */
/* ------------------------------------------------------------------ */

static void
test_number_text (void)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "201818004215114", "201818004215114" },
    { "2.01818004215114E+14", "201818004215114" },
    { "2.01818004215114e14", "201818004215114" },
    { "201818004215114.0", "201818004215114" },
    { "1.653446320558E+12", "1653446320558" },
    { "1E+20", "100000000000000000000" },
    { "10294", "10294" },
    { "-1.50", "-1.5" },
    { "1.5E-1", "0.15" },
    { "0.000", "0" },
    { "-0", "0" },
    { "+7", "7" },
    { "0012", "12" },
    { "abc", "abc" },
    { "1e", "1e" },
    { "", "" },
    { "1E+999", "1E+999" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = _ps_roster_number_to_text (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }

  static const struct {
    const char *in, *out;
  } exp[] = {
    { "201818004215114", "2.01818004215114E+14" },
    { "1653446320558", "1.653446320558E+12" },
    { "10000", "1E+4" },
    { "0.05", "5E-2" },
    { "-12.5", "-1.25E+1" },
    { "0", "0" },
    { "x1", "x1" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (exp); i++)
    {
      g_autofree char *out = ps_xlsx_number_to_exponent (exp[i].in);
      g_assert_cmpstr (out, ==, exp[i].out);
      g_autofree char *back = _ps_roster_number_to_text (out);
      g_autofree char *plain = _ps_roster_number_to_text (exp[i].in);
      g_assert_cmpstr (back, ==, plain);
    }
}

/* ------------------------------------------------------------------ */
/* Input hygiene: invisibles, NFC, spaces, full width, identifiers    */
/* ------------------------------------------------------------------ */

static const PsProblem *
warning (const PsRoster *roster, size_t i)
{
  g_assert_cmpuint (i, <, ps_roster_get_n_warnings (roster));
  return ps_roster_get_warning (roster, i);
}

/* Warning @i is about Excel row @row, field @field, and says @fragment. */
static void
assert_warning (const PsRoster *roster, size_t i, int row, const char *field,
                const char *fragment)
{
  const PsProblem *w = warning (roster, i);
  g_assert_cmpint (w->row, ==, row);
  g_assert_cmpstr (w->field, ==, field);
  if (strstr (w->reason, fragment) == NULL)
    g_error ("warning %zu '%s' lacks '%s'", i, w->reason, fragment);
}

/* The problem of Excel row @row is about @field and says @fragment. */
static void
assert_row_problem (const PsRoster *roster, int row, const char *field, const char *fragment)
{
  for (size_t i = 0; i < ps_roster_get_n_problems (roster); i++)
    {
      const PsProblem *p = ps_roster_get_problem (roster, i);
      if (p->row != row)
        continue;
      g_assert_cmpstr (p->field, ==, field);
      if (strstr (p->reason, fragment) == NULL)
        g_error ("row %d: '%s' lacks '%s'", row, p->reason, fragment);
      return;
    }
  g_error ("no problem for row %d", row);
}

static void
test_hygiene_invisible (Fixture *f, gconstpointer data)
{
  /* U+202D LEFT-TO-RIGHT OVERRIDE before a 学号 (pasted from a web page),
   * ZWSP inside a name, a soft hyphen and a BOM inside a class, a word
   * joiner after the 采集码, U+200E in a header. */
  g_autofree char *path = write_tmp (f, "i.csv",
                                     "\xE2\x80\x8E学号,姓名,班级,采集码\n"
                                     "\xE2\x80\xAD" "201818004215114,张\xE2\x80\x8B三丰,软\xC2\xAD工三班,"
                                     "Hx4KcUcseltovhGV\xE2\x81\xA0\n"
                                     "201818004215115,李四,软工\xEF\xBB\xBF三班,Ab4KcUcseltovhGV\n"
                                     "\xE2\x80\x8B,\xE2\x80\x8B,软工三班,Cd4KcUcseltovhGV\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 0);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 3);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "张*丰");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_BH), ==, "软工三班");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_CJM), ==, "Hx4KcUcseltovhGV");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_BH), ==, "软工三班");
  /* nothing but an invisible: empty */
  g_assert_null (get (roster, 2, PS_FIELD_XH));
  g_assert_null (get (roster, 2, PS_FIELD_XM));

  /* one warning per changed field (in field order), row and field named,
   * the 学号 as it now is; never the name */
  g_assert_cmpuint (ps_roster_get_n_warnings (roster), ==, 7);
  assert_warning (roster, 0, 2, "cjm", "(U+2060)");
  assert_warning (roster, 1, 2, "xh", "学号 changed on import: removed 1 invisible character (U+202D)");
  g_assert_cmpstr (warning (roster, 1)->xh, ==, "201818004215114");
  g_assert_cmpstr (warning (roster, 1)->file, ==, path);
  assert_warning (roster, 2, 2, "xm", "姓名 changed on import: removed 1 invisible character (U+200B)");
  assert_warning (roster, 3, 2, "bh", "(U+00AD)");
  assert_warning (roster, 4, 3, "bh", "(U+FEFF)");
  assert_warning (roster, 5, 4, "xh", "(U+200B)");
  assert_warning (roster, 6, 4, "xm", "(U+200B)");
  const char *secrets[] = { "张三丰", "张\xE2\x80\x8B三丰", "李四", NULL };
  assert_secrets_absent (roster, secrets);
  for (size_t i = 0; i < ps_roster_get_n_warnings (roster); i++)
    g_assert_null (strstr (warning (roster, i)->reason, "三"));
}

static void
test_hygiene_spaces (Fixture *f, gconstpointer data)
{
  /* two-character names padded to the width of three; a line break inside a
   * name; Latin names keep one space */
  g_autofree char *path = write_tmp (f, "s.csv",
                                     "xh,xm,bh\n"
                                     "1,王\xE3\x80\x80李,a\n"
                                     "2,王 李,a\n"
                                     "3,王\xC2\xA0李,a\n"
                                     "4,\"欧阳\n娜娜\",a\n"
                                     "5,Anna   Smith,a\n"
                                     "6,Anna Smith,a\n"
                                     "7,买买提 · 艾力,a\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 7);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "王*");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XM), ==, "王*");
  g_assert_cmpstr (get (roster, 2, PS_FIELD_XM), ==, "王*");
  g_assert_cmpstr (get (roster, 3, PS_FIELD_XM), ==, "欧**娜");
  g_assert_cmpstr (get (roster, 4, PS_FIELD_XM), ==, "A********h");
  g_assert_cmpstr (get (roster, 5, PS_FIELD_XM), ==, "A********h");
  g_assert_cmpstr (get (roster, 6, PS_FIELD_XM), ==, "买****力");
  g_assert_cmpuint (ps_roster_get_n_warnings (roster), ==, 6);
  for (size_t i = 0; i < 4; i++)
    assert_warning (roster, i, (int) i + 2, "xm", "removed the spaces inside a Chinese name");
  assert_warning (roster, 4, 6, "xm", "collapsed repeated spaces");
  assert_warning (roster, 5, 8, "xm", "removed the spaces inside a Chinese name");
  const char *secrets[] = { "王李", "欧阳娜娜", "Smith", NULL };
  assert_secrets_absent (roster, secrets);
}

static void
test_hygiene_nfc (Fixture *f, gconstpointer data)
{
  /* José written as e + U+0301, a class with a decomposed character */
  g_autofree char *path = write_tmp (f, "n.csv",
                                     "xh,xm,bh\n"
                                     "1,Jose\xCC\x81 Li,Cafe\xCC\x81 1\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 0);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "J*****i");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_BH), ==, "Caf\xC3\xA9 1");
  g_assert_cmpuint (ps_roster_get_n_warnings (roster), ==, 2);
  assert_warning (roster, 0, 2, "xm", "composed to Unicode NFC");
  assert_warning (roster, 1, 2, "bh", "班级 changed on import: composed to Unicode NFC");
}

/* A combining mark or variation selector left after NFC: masking could not
 * hide a character behind it, so the name is refused, never printed. */
static void
test_hygiene_marks (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_tmp (f, "m.csv",
                                     "xh,xm,bh\n"
                                     "101,李\xCC\x81四,a\n"            /* U+0301 */
                                     "102,张\xEF\xB8\x80三丰,a\n"      /* U+FE00 */
                                     "103,王\xF3\xA0\x84\x80五,a\n"    /* U+E0100 */
                                     "104,赵六,a\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "104");
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 3);
  g_assert_cmpstr (problem (roster, 0)->reason, ==,
                   "姓名 has a combining mark or variation selector U+0301: re-enter the name");
  g_assert_cmpstr (problem (roster, 0)->field, ==, "xm");
  g_assert_cmpstr (problem (roster, 0)->xh, ==, "101");
  assert_row_problem (roster, 3, "xm", "U+FE00");
  assert_row_problem (roster, 4, "xm", "U+E0100");
  const char *secrets[] = { "李", "张", "王", NULL };
  assert_secrets_absent (roster, secrets);
}

static void
test_hygiene_full_width (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_tmp (f, "w.csv",
                                     "xh,xm,bh,zjhm,yxdm,copies\n"
                                     "２０１８１８００４２１５１１４,张三,a,１１０１０５１９４９１２３１００２Ｘ,１０２９４,５\n"
                                     "201818004215115,李四,a,110105 19491231 0031,10294,3\n", -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 0);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_ZJHM), ==, "002X");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_YXDM), ==, "10294");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_COPIES), ==, "5");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "0031");
  g_assert_cmpuint (ps_roster_get_n_warnings (roster), ==, 5);
  assert_warning (roster, 0, 2, "yxdm", "full-width characters changed to ASCII");
  assert_warning (roster, 1, 2, "zjhm", "full-width characters changed to ASCII");
  assert_warning (roster, 2, 2, "xh", "学号 changed on import: full-width characters changed to ASCII");
  assert_warning (roster, 3, 2, "copies", "full-width");
  assert_warning (roster, 4, 3, "zjhm", "证件号码 changed on import: removed the spaces inside");
  const char *secrets[] = { "11010519491231", "１１０１０５", "110105 1949", NULL };
  assert_secrets_absent (roster, secrets);
}

static void
test_hygiene_identifiers (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_tmp (f, "d.csv",
                                     "xh,xm,bh,zjhm\n"
                                     "B18030101,张三,a,A123456(7)\n"            /* 2: fine */
                                     "2018-0101,李四,a,471x\n"                  /* 3: fine */
                                     "2018 0102,王五,a,\n"                      /* 4: a space */
                                     "欧阳娜娜,赵六,a,\n"                       /* 5: a name */
                                     "2.01818E+14,钱七,a,\n"                    /* 6: Excel's display */
                                     "201818004215120,孙八,a,1.10105E+17\n"     /* 7: the ID */
                                     "-2018,周九,a,\n"                          /* 8: '-' first */
                                     "201818004215122,吴十,a,张三丰\n", -1);    /* 9: a name */
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 2);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "B18030101");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_ZJHM), ==, "6(7)");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, "2018-0101");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "471X");

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 6);
  assert_row_problem (roster, 4, "xh", "学号 may hold only ASCII letters, digits and '-' after "
                                       "the first character; character 5 is not");
  assert_row_problem (roster, 5, "xh", "character 1 is not");
  assert_row_problem (roster, 6, "xh", "学号 looks like a number in exponent form");
  assert_row_problem (roster, 7, "zjhm", "证件号码 looks like a number in exponent form");
  assert_row_problem (roster, 8, "xh", "character 1 is not");
  assert_row_problem (roster, 9, "zjhm", "证件号码 may hold only ASCII letters, digits");
  /* a refused 学号 does not name the row; a good one does */
  for (size_t i = 0; i < ps_roster_get_n_problems (roster); i++)
    {
      const PsProblem *p = problem (roster, i);
      if (g_strcmp0 (p->field, "xh") == 0)
        g_assert_null (p->xh);
      else
        g_assert_nonnull (p->xh);
    }
  const char *secrets[] = { "欧阳娜娜", "张三丰", "王五", NULL };
  assert_secrets_absent (roster, secrets);
}

/* XLSX cells stored as numbers: 15 digits are exact, more are not. */
static void
test_xlsx_long_numbers (Fixture *f, gconstpointer data)
{
  const char *header[] = { "学号", "姓名", "班级", "证件号码", "时间戳", "采集码" };
  const char *r2[] = { "201818004215114", "张三", "a", "2345", "1653446320558", "Hx4KcUcseltovhGV" };
  const char *r3[] = { "12345678901234567890", "李四", "a", NULL, NULL, NULL };
  const char *r4[] = { "201818004215116", "王五", "a", "110105194912310000", NULL, NULL };
  const char *r5[] = { "201818004215117", "赵六", "a", NULL, NULL, "1234567890123456" };
  const char *r6[] = { "201818004215118", "钱七", "a", "471", NULL, NULL };
  const char *const *rows[] = { header, r2, r3, r4, r5, r6 };
  const bool numeric[] = { true, false, false, true, true, true };
  g_autoptr (GError) error = NULL;

  for (int exponent = 0; exponent <= 1; exponent++)
    {
      PsXlsxOptions opts = { .numeric_columns = numeric, .exponent_numbers = exponent == 1 };
      g_autofree char *path = g_build_filename (f->dir, exponent ? "e.xlsx" : "n.xlsx", NULL);
      g_assert_true (ps_xlsx_write (path, rows, G_N_ELEMENTS (rows), G_N_ELEMENTS (header), &opts,
                                    &error));
      g_autoptr (PsRoster) roster = load_ok (path, NULL);

      g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 2);
      g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "201818004215114");
      g_assert_cmpstr (get (roster, 0, PS_FIELD_SJC), ==, "1653446320558");
      g_assert_cmpstr (get (roster, 0, PS_FIELD_ZJHM), ==, "2345");
      g_assert_cmpint (row_of (roster, 1), ==, 6);
      g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "471");
      g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 3);
      const char *advice = "is stored as a number; Excel keeps only 15 digits — format the "
                           "column as text and re-enter it";
      assert_row_problem (roster, 3, "xh", advice);
      g_assert_null (problem (roster, 0)->xh);
      assert_row_problem (roster, 4, "zjhm", advice);
      g_assert_cmpstr (problem (roster, 1)->xh, ==, "201818004215116");
      assert_row_problem (roster, 5, "cjm", "采集码 is stored as a number");
      /* never a silently wrong last 4 */
      const char *secrets[] = { "0000", "12345678901234567890", NULL };
      assert_secrets_absent (roster, secrets);
    }
}

/* Error values, booleans, and which sheet is read. */
static void
test_xlsx_error_cells (Fixture *f, gconstpointer data)
{
  const char *parts[] = {
    "xl/worksheets/sheet1.xml",
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>xh</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>xm</t></is></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>bh</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>priority</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"e\"><v>#N/A</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>张三</t></is></c>"
    "<c r=\"C2\" t=\"inlineStr\"><is><t>a</t></is></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>102</t></is></c><c r=\"B3\" t=\"e\"><v>#REF!</v></c>"
    "<c r=\"C3\" t=\"inlineStr\"><is><t>a</t></is></c></row>"
    "<row r=\"4\"><c r=\"A4\" t=\"b\"><v>1</v></c><c r=\"B4\" t=\"inlineStr\"><is><t>李四</t></is></c>"
    "<c r=\"C4\" t=\"inlineStr\"><is><t>a</t></is></c></row>"
    "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>104</t></is></c><c r=\"B5\" t=\"inlineStr\"><is><t>王五</t></is></c>"
    "<c r=\"C5\" t=\"e\"><v>#SOMETHING</v></c><c r=\"D5\" t=\"b\"><v>1</v></c></row>"
    "<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>105</t></is></c><c r=\"B6\" t=\"inlineStr\"><is><t>赵六</t></is></c>"
    "<c r=\"C6\" t=\"inlineStr\"><is><t>a</t></is></c><c r=\"D6\" t=\"b\"><v>1</v></c></row>"
    "</sheetData></worksheet>",
    NULL
  };
  g_autofree char *path = g_build_filename (f->dir, "err.xlsx", NULL);
  write_zip (path, parts);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_PRIORITY), ==, "TRUE");
  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 4);
  assert_row_problem (roster, 2, "xh", "学号 is an Excel error value (#N/A); fix the cell or its formula");
  assert_row_problem (roster, 3, "xm", "姓名 is an Excel error value (#REF!)");
  g_assert_cmpstr (problem (roster, 1)->xh, ==, "102");
  assert_row_problem (roster, 4, "xh", "学号 is a TRUE/FALSE value, not text");
  assert_row_problem (roster, 5, "bh", "班级 is an Excel error value; fix");
}

static const char hidden_workbook[] =
  "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
  "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
  "<sheet name=\"Sheet1\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/>"
  "<sheet name=\"旧表\" sheetId=\"2\" state=\"veryHidden\" r:id=\"rId2\"/>"
  "<sheet name=\"名单\" sheetId=\"3\" r:id=\"rId3\"/></sheets></workbook>";
static const char hidden_rels[] =
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
  "<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
  "<Relationship Id=\"rId2\" Type=\"worksheet\" Target=\"worksheets/sheet2.xml\"/>"
  "<Relationship Id=\"rId3\" Type=\"worksheet\" Target=\"worksheets/sheet3.xml\"/>"
  "</Relationships>";
static const char hidden_old_sheet[] =
  "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
  "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>学号</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>姓名</t></is></c></row>"
  "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>1</t></is></c><c r=\"B2\" t=\"inlineStr\"><is><t>旧表</t></is></c></row>"
  "</sheetData></worksheet>";

static void
test_xlsx_hidden_sheet (Fixture *f, gconstpointer data)
{
  const char *sheet3 =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>学号</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>姓名</t></is></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>班级</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>201818004215114</t></is></c>"
    "<c r=\"B2\" t=\"inlineStr\"><is><t>张三丰</t></is></c><c r=\"C2\" t=\"inlineStr\"><is><t>软工三班</t></is></c></row>"
    "</sheetData></worksheet>";
  const char *parts[] = {
    "xl/workbook.xml", hidden_workbook, "xl/_rels/workbook.xml.rels", hidden_rels,
    "xl/worksheets/sheet1.xml", hidden_old_sheet, "xl/worksheets/sheet2.xml", hidden_old_sheet,
    "xl/worksheets/sheet3.xml", sheet3, NULL
  };
  g_autofree char *path = g_build_filename (f->dir, "hidden.xlsx", NULL);
  write_zip (path, parts);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  /* the first visible sheet, and a note that says so */
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XM), ==, "张*丰");
  g_assert_cmpuint (ps_roster_get_n_warnings (roster), ==, 1);
  g_assert_cmpint (warning (roster, 0)->row, ==, 0);
  g_assert_null (warning (roster, 0)->field);
  g_assert_cmpstr (warning (roster, 0)->reason, ==,
                   "read sheet '名单' (the first visible sheet; hidden before it: 'Sheet1', "
                   "'旧表'); hidden sheets are not read");

  /* a visible sheet that lacks a column: the message names it */
  const char *parts2[] = {
    "xl/workbook.xml", hidden_workbook, "xl/_rels/workbook.xml.rels", hidden_rels,
    "xl/worksheets/sheet1.xml", sheet3, "xl/worksheets/sheet3.xml", hidden_old_sheet, NULL
  };
  g_autofree char *path2 = g_build_filename (f->dir, "hidden2.xlsx", NULL);
  write_zip (path2, parts2);
  g_autoptr (GError) error = NULL;
  g_assert_null (ps_roster_load (path2, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_MISSING_COLUMN);
  g_autofree char *expected = g_strdup_printf (
    "roster '%s' sheet '名单' (the first visible sheet; hidden before it: 'Sheet1', '旧表'): "
    "missing required column: 班级 (bh)", path2);
  g_assert_cmpstr (error->message, ==, expected);
}

/* Files written by openpyxl (tests/data/make-xlsx-fixtures.py). */
static void
test_xlsx_openpyxl (Fixture *f, gconstpointer data)
{
  g_autofree char *path = ps_test_data_path ("roster-openpyxl-numbers.xlsx");
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 9);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 4);
  g_assert_cmpint (row_of (roster, 0), ==, 2);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_XH), ==, "202131104215101");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_SJC), ==, "1720057954869");
  g_assert_cmpint (row_of (roster, 1), ==, 8);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XM), ==, "张*丰");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_ZJHM), ==, "002X");
  g_assert_cmpint (row_of (roster, 2), ==, 9);
  g_assert_cmpstr (get (roster, 2, PS_FIELD_XM), ==, "王*");
  g_assert_cmpint (row_of (roster, 3), ==, 10);

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 5);
  assert_row_problem (roster, 3, "xh", "学号 is stored as a number; Excel keeps only 15 digits");
  assert_row_problem (roster, 4, "zjhm", "证件号码 is stored as a number");
  assert_row_problem (roster, 5, "zjhm", "证件号码 is stored as a number");
  assert_row_problem (roster, 6, "cjm", "采集码 is an Excel error value (#N/A)");
  assert_row_problem (roster, 7, "xh", "学号 is a TRUE/FALSE value");
  const char *secrets[] = { "张三丰", "王李", "110105194912", "440301199001", "0000", NULL };
  assert_secrets_absent (roster, secrets);

  g_autofree char *hidden = ps_test_data_path ("roster-openpyxl-hidden.xlsx");
  g_autoptr (PsRoster) roster2 = load_ok (hidden, NULL);
  g_assert_cmpuint (ps_roster_get_n_records (roster2), ==, 4);
  g_assert_cmpuint (ps_roster_get_n_warnings (roster2), ==, 1);
  g_assert_nonnull (strstr (warning (roster2, 0)->reason, "read sheet '名单' (the first visible"));
}

/* JSON values: what json-glib would get wrong is read from the line. */
static void
test_jsonl_values (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_tmp (
    f, "v.jsonl",
    "{\"xh\": \"201818004215114\", \"xm\": \"张三\", \"bh\": \"a\", \"copies\": 3.0, \"priority\": false}\n"
    "{\"xh\": \"1\", \"xh\": \"2\", \"xm\": \"李四\", \"bh\": \"a\"}\n"
    "{\"xh\": \"3\", \"学号\": \"4\", \"xm\": \"王五\", \"bh\": \"a\"}\n"
    "{\"xh\": 123456789012345678901234, \"xm\": \"赵六\", \"bh\": \"a\"}\n"
    "{\"xh\": \"6\", \"xm\": \"钱七\", \"bh\": \"a\", \"zjhm\": 440301199001011234}\n"
    "{\"xh\": 1e300, \"xm\": \"孙八\", \"bh\": \"a\"}\n"
    "{\"xh\": 0123, \"xm\": \"周九\", \"bh\": \"a\"}\n"
    "{\"xh\": \"9\", \"xm\": \"吴\\u0000十\", \"bh\": \"a\"}\n"
    "{\"xh\": true, \"xm\": \"郑一\", \"bh\": \"a\"}\n"
    "{\"x\\u0068\": 2018001, \"xm\": \"冯二\", \"bh\": \"a\", \"priority\": true, \"note\": [1, {\"a\": \"}\"}]}\n"
    "{\"xh\": \"12\", \"xm\": \"陈三\", \"bh\": \"a\", \"note\": 1, \"note\": 2}\n"
    "{\"xh\": \"13\", \"xm\": \"\\u738b\\u0020\\u674e\", \"bh\": \"\\ud840\\udc0b班\"}\n",
    -1);
  g_autoptr (PsRoster) roster = load_ok (path, NULL);

  g_assert_cmpuint (ps_roster_get_n_rows (roster), ==, 12);
  g_assert_cmpuint (ps_roster_get_n_records (roster), ==, 3);
  g_assert_cmpint (row_of (roster, 0), ==, 1);
  g_assert_cmpstr (get (roster, 0, PS_FIELD_COPIES), ==, "3");
  g_assert_cmpstr (get (roster, 0, PS_FIELD_PRIORITY), ==, "false");
  g_assert_cmpint (row_of (roster, 1), ==, 10);
  g_assert_cmpstr (get (roster, 1, PS_FIELD_XH), ==, "2018001");
  g_assert_cmpstr (get (roster, 1, PS_FIELD_PRIORITY), ==, "true");
  g_assert_cmpint (row_of (roster, 2), ==, 12);
  g_assert_cmpstr (get (roster, 2, PS_FIELD_XM), ==, "王*");
  g_assert_cmpstr (get (roster, 2, PS_FIELD_BH), ==, "\xF0\xA0\x80\x8B班");

  g_assert_cmpuint (ps_roster_get_n_problems (roster), ==, 9);
  g_assert_cmpstr (problem (roster, 0)->reason, ==, "key 'xh' appears twice in the object");
  g_assert_null (problem (roster, 0)->xh);
  assert_row_problem (roster, 3, NULL, "field 'xh' appears twice in the object");
  assert_row_problem (roster, 4, "xh", "学号 is a JSON number of more than 15 digits");
  assert_row_problem (roster, 5, "zjhm", "证件号码 is a JSON number of more than 15 digits");
  g_assert_cmpstr (problem (roster, 3)->xh, ==, "6");
  assert_row_problem (roster, 6, "xh", "学号 is a JSON number with a fraction or an exponent");
  assert_row_problem (roster, 7, NULL, "line is not valid JSON");
  assert_row_problem (roster, 8, "xm", "field 'xm' contains a NUL byte");
  assert_row_problem (roster, 9, "xh", "学号 is a TRUE/FALSE value");
  assert_row_problem (roster, 11, NULL, "a key appears twice in the object");
  const char *secrets[] = { "440301199001", "王李", NULL };
  assert_secrets_absent (roster, secrets);
}

/* Files that are not rosters say what they are. */
static void
test_sniff_not_rosters (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *csv = "学号,姓名,班级\r\n201818004215114,张三,软工三班\r\n";

  /* Excel "Unicode Text": UTF-16LE with a BOM, tab-separated */
  g_autofree char *tsv16 = g_strdup ("学号\t姓名\t班级\r\n201818004215114\t张三\t软工三班\r\n");
  glong n16 = 0;
  g_autofree gunichar2 *u16 = g_utf8_to_utf16 (tsv16, -1, NULL, &n16, NULL);
  g_autoptr (GString) le = g_string_new_len ("\xFF\xFE", 2);
  for (glong i = 0; i < n16; i++)
    {
      g_string_append_c (le, (char) (u16[i] & 0xFF));
      g_string_append_c (le, (char) (u16[i] >> 8));
    }
  g_autofree char *p16 = write_tmp (f, "unicode.txt", le->str, (gssize) le->len);
  g_assert_null (ps_roster_load (p16, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING);
  g_autofree char *m16 = g_strdup_printf ("roster '%s': is UTF-16 text (Excel 'Unicode Text'); "
                                          "save it as CSV UTF-8 or XLSX", p16);
  g_assert_cmpstr (error->message, ==, m16);
  g_clear_error (&error);

  /* big-endian with a BOM, and ASCII UTF-16 without one */
  g_autofree char *pbe = write_tmp (f, "be.csv", "\xFE\xFF\0x\0h", 6);
  g_assert_null (ps_roster_load (pbe, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING);
  g_clear_error (&error);
  g_autofree char *pnobom = write_tmp (f, "nobom.csv", "x\0h\0,\0x\0m\0,\0b\0h\0\n\0", 18);
  g_assert_null (ps_roster_load (pnobom, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "is UTF-16 text"));
  g_clear_error (&error);

  /* tab-separated, with and without a title row */
  g_autofree char *ptsv = write_tmp (f, "tabs.csv", tsv16, -1);
  g_assert_null (ps_roster_load (ptsv, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
  g_autofree char *mtsv = g_strdup_printf ("roster '%s' row 1: looks like tab-separated text (TSV); "
                                           "save it as CSV or XLSX", ptsv);
  g_assert_cmpstr (error->message, ==, mtsv);
  g_clear_error (&error);
  g_autofree char *titled = g_strconcat ("2022届毕业生名单\n", tsv16, NULL);
  g_autofree char *ptitle = write_tmp (f, "titled.csv", titled, -1);
  g_assert_null (ps_roster_load (ptitle, NULL, &error));
  g_assert_nonnull (strstr (error->message, "row 2: looks like tab-separated text (TSV)"));
  g_clear_error (&error);

  /* a JSON array */
  g_autofree char *pjson = write_tmp (f, "list.json",
                                      " [\n {\"xh\": \"1\", \"xm\": \"张三\", \"bh\": \"a\"}\n]\n", -1);
  g_assert_null (ps_roster_load (pjson, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT);
  g_autofree char *mjson = g_strdup_printf ("roster '%s': is a JSON array; photosheet reads JSON "
                                            "Lines, one object per line", pjson);
  g_assert_cmpstr (error->message, ==, mjson);
  g_clear_error (&error);

  /* a CSV whose first header starts with '[' is still a CSV; a stray NUL
   * byte does not make a file UTF-16 */
  g_autofree char *pbr = write_tmp (f, "br.csv", "[学号],xh,xm,bh\n1,2,张三,a\n", -1);
  g_autoptr (PsRoster) rbr = load_ok (pbr, NULL);
  g_assert_cmpstr (ps_roster_get_format (rbr), ==, "csv");
  static const char nul[] = "xh,xm,bh\n1,张\0三,a\n2,李四,a\n";
  g_autofree char *pnul = write_tmp (f, "nul.csv", nul, sizeof nul - 1);
  g_autoptr (PsRoster) rnul = load_ok (pnul, NULL);
  g_assert_cmpuint (ps_roster_get_n_problems (rnul), ==, 1);
  g_autofree char *pok = write_tmp (f, "ok.csv", csv, -1);
  g_autoptr (PsRoster) rok = load_ok (pok, NULL);
  g_assert_cmpuint (ps_roster_get_n_records (rok), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  TEST ("/roster/csv/quoted-newlines", test_csv_quoted_newlines);
  TEST ("/roster/csv/lf-no-final-newline", test_csv_lf_and_no_final_newline);
  TEST ("/roster/csv/bom", test_csv_bom);
  TEST ("/roster/csv/gb18030-file", test_csv_gb18030_file);
  TEST ("/roster/csv/gbk-generated", test_csv_gbk_generated);
  TEST ("/roster/csv/undecodable", test_csv_undecodable);
  TEST ("/roster/csv/missing-columns", test_csv_missing_columns);
  TEST ("/roster/csv/headers", test_csv_headers);
  TEST ("/roster/csv/field-count", test_csv_field_count);
  TEST ("/roster/csv/unterminated-quote", test_csv_unterminated_quote);
  TEST ("/roster/csv/nul-byte", test_csv_nul_byte);
  TEST ("/roster/csv/old-mode-masked", test_csv_old_mode_masked);
  TEST ("/roster/csv/limits", test_csv_limits);
  TEST ("/roster/csv/large", test_csv_large);
  TEST ("/roster/csv/title-row", test_csv_title_row);
  TEST ("/roster/load/errors", test_load_errors);
  TEST ("/roster/load/sniff", test_sniff);
  TEST ("/roster/xlsx/shared-strings", test_xlsx_shared_strings);
  TEST ("/roster/xlsx/numeric-xh", test_xlsx_numeric_xh);
  TEST ("/roster/xlsx/inline-strings", test_xlsx_inline_strings);
  TEST ("/roster/xlsx/handmade", test_xlsx_handmade);
  TEST ("/roster/xlsx/title-row", test_xlsx_title_row);
  TEST ("/roster/xlsx/missing-columns", test_xlsx_missing_columns);
  TEST ("/roster/xlsx/bad-xml", test_xlsx_bad_xml);
  TEST ("/roster/jsonl/mixed", test_jsonl_mixed);
  TEST ("/roster/jsonl/missing-columns", test_jsonl_missing_columns);
  g_test_add_func ("/roster/number/text", test_number_text);
  TEST ("/roster/hygiene/invisible", test_hygiene_invisible);
  TEST ("/roster/hygiene/spaces", test_hygiene_spaces);
  TEST ("/roster/hygiene/nfc", test_hygiene_nfc);
  TEST ("/roster/hygiene/marks", test_hygiene_marks);
  TEST ("/roster/hygiene/full-width", test_hygiene_full_width);
  TEST ("/roster/hygiene/identifiers", test_hygiene_identifiers);
  TEST ("/roster/xlsx/long-numbers", test_xlsx_long_numbers);
  TEST ("/roster/xlsx/error-cells", test_xlsx_error_cells);
  TEST ("/roster/xlsx/hidden-sheet", test_xlsx_hidden_sheet);
  TEST ("/roster/xlsx/openpyxl", test_xlsx_openpyxl);
  TEST ("/roster/jsonl/values", test_jsonl_values);
  TEST ("/roster/load/not-rosters", test_sniff_not_rosters);

  return g_test_run ();
}
