/* test-hostile.c - hostile inputs through `photosheet check` and
 * `photosheet render --skip-invalid`: every bad input gets a clear message
 * naming the file and row, a bounded run, and the rest of the batch rendered.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The hostile photos come from tests/make-hostile.c ($PS_MAKE_HOSTILE); the
 * rosters are the samples (36 students in 4 classes), edited here.
 */
#include "ps-test-util.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define N_SAMPLES 36

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* The sample roster as lines of cells (the samples have no quoted cells). */
typedef struct {
  char *dir;          /* a copy of the samples */
  char *roster;       /* dir/roster.csv */
  char *photos;       /* dir/photos */
  char *out;          /* dir/out */
  GPtrArray *rows;    /* GStrv per line, header first */
} Batch;

static Batch *
batch_new (void)
{
  Batch *b = g_new0 (Batch, 1);
  b->dir = ps_test_copy_samples ();
  b->roster = g_build_filename (b->dir, "roster.csv", NULL);
  b->photos = g_build_filename (b->dir, "photos", NULL);
  b->out = g_build_filename (b->dir, "out", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (b->roster, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  b->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (size_t i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (b->rows, g_strsplit (lines[i], ",", -1));
  g_assert_cmpuint (b->rows->len, ==, N_SAMPLES + 1);
  return b;
}

static void
batch_free (Batch *b)
{
  ps_test_rm_rf (b->dir);
  g_free (b->dir);
  g_free (b->roster);
  g_free (b->photos);
  g_free (b->out);
  g_ptr_array_unref (b->rows);
  g_free (b);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

/* Cell @col of Excel row @row (header = 1). */
static const char *
cell (const Batch *b, int row, int col)
{
  char **cells = b->rows->pdata[row - 1];
  return cells[col];
}

static void
set_cell (Batch *b, int row, int col, const char *value)
{
  char **cells = b->rows->pdata[row - 1];
  g_free (cells[col]);
  cells[col] = g_strdup (value);
}

enum { COL_SJC, COL_CJM, COL_YXDM, COL_ZJHM, COL_XH, COL_CC, COL_XLLB, COL_XM, COL_BH, COL_FY };

static void
write_roster (const Batch *b)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (size_t i = 0; i < b->rows->len; i++)
    {
      g_autofree char *line = g_strjoinv (",", b->rows->pdata[i]);
      g_string_append (s, line);
      g_string_append (s, "\r\n");
    }
  ps_test_write_file (b->roster, s->str, (gssize) s->len);
}

static char *
photo_path (const Batch *b, int row, const char *ext)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", cell (b, row, COL_CJM), ext);
  return g_build_filename (b->photos, name, NULL);
}

typedef struct {
  int status;
  char *out;
  char *err;
  double seconds;
} Run;

static void
run_clear (Run *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static Run
run_cli (const char *const *args)
{
  Run r = { 0 };
  gint64 start = g_get_monotonic_time ();
  r.status = ps_test_run_cli (args, &r.out, &r.err);
  r.seconds = (g_get_monotonic_time () - start) / 1e6;
  return r;
}

static Run
run_check (const Batch *b, const char *layout)
{
  const char *args[] = { "check", "--roster", b->roster, "--photos", b->photos,
                         layout ? "--layout" : NULL, layout, NULL };
  Run r = run_cli (args);
  g_test_message ("check (%.1f s): exit %d\n%.4000s%.2000s", r.seconds, r.status, r.out, r.err);
  return r;
}

static Run
run_render (const Batch *b, const char *layout)
{
  const char *args[] = { "render", "--roster", b->roster, "--photos", b->photos, "--out", b->out,
                         "--skip-invalid", "--format", "pdf", "-j", "2",
                         layout ? "--layout" : NULL, layout, NULL };
  Run r = run_cli (args);
  g_test_message ("render (%.1f s): exit %d\n%.2000s%.4000s", r.seconds, r.status, r.out, r.err);
  return r;
}

/* A CSV file as rows of cells: RFC 4180 quoting, CRLF rows. */
static GPtrArray *
read_csv (const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_true (len == 0 || (len >= 2 && text[len - 2] == '\r' && text[len - 1] == '\n'));
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) cur = g_string_new (NULL);
  bool quoted = false;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (quoted)
        {
          if (c == '"' && i + 1 < len && text[i + 1] == '"')
            {
              g_string_append_c (cur, '"');
              i++;
            }
          else if (c == '"')
            quoted = false;
          else
            g_string_append_c (cur, c);
        }
      else if (c == '"')
        quoted = true;
      else if (c == ',')
        {
          g_ptr_array_add (cells, g_strdup (cur->str));
          g_string_truncate (cur, 0);
        }
      else if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
        {
          g_ptr_array_add (cells, g_strdup (cur->str));
          g_string_truncate (cur, 0);
          g_ptr_array_add (cells, NULL);
          g_ptr_array_add (rows, g_ptr_array_steal (cells, NULL));
          g_ptr_array_set_free_func (cells, g_free);
          i++;
        }
      else
        g_string_append_c (cur, c);
    }
  g_assert_false (quoted);
  return rows;
}

static GPtrArray *
read_out_csv (const Batch *b, const char *name)
{
  g_autofree char *path = g_build_filename (b->out, name, NULL);
  return read_csv (path);
}

/* The 采集码 of every sheet in manifest.csv (each once). */
static GHashTable *
manifest_students (const Batch *b)
{
  g_autoptr (GPtrArray) rows = read_out_csv (b, "manifest.csv");
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_assert_cmpuint (rows->len, >=, 1);
  g_assert_cmpstr (((char **) rows->pdata[0])[0], ==, "page");
  for (size_t i = 1; i < rows->len; i++)
    {
      char **r = rows->pdata[i];
      if (strcmp (r[1], "sheet") == 0)
        g_hash_table_add (set, g_strdup (r[5]));
    }
  return set;
}

/* Every sample student but the rows in @skipped (0-terminated) was rendered,
 * and those were not. */
static void
assert_rendered_except (const Batch *b, const int *skipped)
{
  g_autoptr (GHashTable) got = manifest_students (b);
  size_t expected = 0;
  for (int row = 2; row <= N_SAMPLES + 1; row++)
    {
      bool skip = false;
      for (const int *s = skipped; *s != 0; s++)
        skip = skip || *s == row;
      const char *cjm = cell (b, row, COL_CJM);
      if (skip)
        {
          if (g_hash_table_contains (got, cjm))
            g_error ("row %d (%s) was rendered but should have been skipped", row, cjm);
        }
      else
        {
          if (!g_hash_table_contains (got, cjm))
            g_error ("row %d (%s) was not rendered", row, cjm);
          expected++;
        }
    }
  g_assert_cmpuint (g_hash_table_size (got), ==, expected);
}

/* exceptions.csv has a line for Excel row @row with @field whose reason
 * contains @fragment. */
static void
assert_exception (const Batch *b, int row, const char *field, const char *fragment)
{
  g_autoptr (GPtrArray) rows = read_out_csv (b, "exceptions.csv");
  g_assert_cmpstr (((char **) rows->pdata[0])[0], ==, "row");
  g_autofree char *row_text = g_strdup_printf ("%d", row);
  for (size_t i = 1; i < rows->len; i++)
    {
      char **r = rows->pdata[i];
      if (strcmp (r[0], row_text) == 0 && g_strcmp0 (r[3], field) == 0
          && strstr (r[4], fragment) != NULL)
        return;
    }
  g_error ("exceptions.csv has no row %d, field %s, reason with '%s'", row, field, fragment);
}

/* The check line "roster.csv:ROW: xh=XH: FIELD: ...FRAGMENT..." */
static void
assert_problem_line (const char *text, int row, const char *xh, const char *field,
                     const char *fragment)
{
  g_autofree char *prefix = g_strdup_printf ("roster.csv:%d: xh=%s: %s: ", row, xh, field);
  const char *line = strstr (text, prefix);
  if (line == NULL)
    g_error ("no line starting '%s' in:\n%s", prefix, text);
  const char *end = strchr (line, '\n');
  g_autofree char *one = g_strndup (line, end ? (gsize) (end - line) : strlen (line));
  if (strstr (one, fragment) == NULL)
    g_error ("line '%s' lacks '%s'", one, fragment);
}

static bool
out_has (const Batch *b, const char *name)
{
  g_autofree char *path = g_build_filename (b->out, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* ------------------------------------------------------------------ */
/* Photos                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *file;       /* from make-hostile --photos */
  const char *ext;        /* the name it gets in the photos dir */
  const char *fragment;   /* in the message; NULL = renders (fallback) */
} PhotoCase;

static const PhotoCase photo_cases[] = {
  { "truncated.jpg", "jpg", "is corrupt" },
  { "truncated.png", "png", "is corrupt" },
  { "truncated.tif", "tif", "is corrupt" },
  { "empty.jpg", "jpg", "is empty (0 bytes)" },
  { "text.jpg", "jpg", "is not a JPEG, PNG or TIFF file" },
  { "bomb.png", "png", "claims 60000×60000 px, above the limit" },
  { "bomb.jpg", "jpg", "claims 65000×65000 px, above the limit" },
  { "bomb-pixels.jpg", "jpg", "claims 20000×20000 px, above the limit" },
  { "bomb.tif", "tif", "claims 100000×100000 px, above the limit" },
  { "badicc.jpg", "jpg", NULL },
  { "badicc-header.jpg", "jpg", NULL },
  { "badicc.tif", "tif", NULL },
};

/* Case i replaces the photo of Excel row i + 2.  One batch for all cases:
 * checked and rendered once. */
static struct {
  Batch *batch;
  Run check;
  Run render;
} photos;

static void
photos_batch_ensure (void)
{
  if (photos.batch != NULL)
    return;
  Batch *b = photos.batch = batch_new ();
  const char *gen = g_getenv ("PS_MAKE_HOSTILE");
  g_assert_nonnull (gen);
  g_autofree char *hostile = g_build_filename (b->dir, "hostile", NULL);
  g_autofree char *cmd = g_strdup_printf ("'%s' --photos '%s'", gen, hostile);
  g_assert_cmpint (ps_test_run_shell (cmd, NULL), ==, 0);

  for (size_t i = 0; i < G_N_ELEMENTS (photo_cases); i++)
    {
      int row = (int) i + 2;
      g_autofree char *old = photo_path (b, row, "jpg");
      g_autofree char *new = photo_path (b, row, photo_cases[i].ext);
      g_autofree char *src = g_build_filename (hostile, photo_cases[i].file, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      g_assert_cmpint (g_unlink (old), ==, 0);
      ps_test_write_file (new, data, (gssize) len);
    }
  photos.check = run_check (b, NULL);
  photos.render = run_render (b, NULL);
}

static void
test_photo_case (gconstpointer data)
{
  const PhotoCase *c = data;
  photos_batch_ensure ();
  Batch *b = photos.batch;
  int row = (int) (c - photo_cases) + 2;
  const char *xh = cell (b, row, COL_XH);

  g_assert_cmpint (photos.check.status, ==, 1);
  g_assert_cmpint (photos.render.status, ==, 1);
  g_assert_cmpfloat (photos.check.seconds, <, 60);
  g_assert_cmpfloat (photos.render.seconds, <, 120);

  /* The rows of the broken photos were skipped, every other one rendered. */
  int skipped[G_N_ELEMENTS (photo_cases) + 1] = { 0 };
  size_t n = 0;
  for (size_t i = 0; i < G_N_ELEMENTS (photo_cases); i++)
    if (photo_cases[i].fragment != NULL)
      skipped[n++] = (int) i + 2;
  assert_rendered_except (b, skipped);

  g_autofree char *name = g_strdup_printf ("%s.%s", cell (b, row, COL_CJM), c->ext);
  if (c->fragment == NULL)
    {
      /* A broken embedded profile: rendered with the default for its colour
       * space, no problem reported. */
      g_assert_null (strstr (photos.check.out, name));
      g_assert_null (strstr (photos.render.err, name));
      return;
    }
  g_autofree char *expected = g_strdup_printf ("photo '%s' %s", name, c->fragment);
  assert_problem_line (photos.check.out, row, xh, "photo", expected);
  assert_problem_line (photos.render.err, row, xh, "photo", expected);
  assert_exception (b, row, "photo", expected);
}

/* ------------------------------------------------------------------ */
/* Rosters                                                            */
/* ------------------------------------------------------------------ */

static void
test_roster_row_1mb (void)
{
  g_autoptr (Batch) b = batch_new ();
  g_autoptr (GString) big = g_string_sized_new (1 << 20);
  while (big->len < (1 << 20))
    g_string_append (big, "院");
  set_cell (b, 5, COL_FY, big->str);
  write_roster (b);

  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  assert_problem_line (check.out, 5, cell (b, 5, COL_XH), "fy", "field 'fy' is longer than");
  g_assert_nonnull (strstr (check.out, "problems  1\n"));
  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  assert_exception (b, 5, "fy", "longer than");
  assert_rendered_except (b, (const int[]) { 5, 0 });
  run_clear (&check);
  run_clear (&render);
}

static void
test_roster_nul_byte (void)
{
  g_autoptr (Batch) b = batch_new ();
  set_cell (b, 6, COL_XM, "王");   /* followed by a NUL and more, below */
  write_roster (b);
  /* Put a NUL inside row 6's name: "王" + NUL + "五". */
  g_autofree char *text = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (b->roster, &text, &len, NULL));
  g_autofree char *needle = g_strdup_printf (",王,%s,", cell (b, 6, COL_BH));
  char *at = strstr (text, needle);
  g_assert_nonnull (at);
  gsize off = (gsize) (at - text) + 1 + strlen ("王");
  g_autoptr (GString) s = g_string_new_len (text, (gssize) off);
  g_string_append_len (s, "\0五", 4);
  g_string_append_len (s, text + off, (gssize) (len - off));
  ps_test_write_file (b->roster, s->str, (gssize) s->len);

  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  assert_problem_line (check.out, 6, cell (b, 6, COL_XH), "xm", "contains a NUL byte");
  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  assert_exception (b, 6, "xm", "NUL byte");
  assert_rendered_except (b, (const int[]) { 6, 0 });
  run_clear (&check);
  run_clear (&render);
}

/* A line whose bytes are neither UTF-8 nor GB18030 is a problem of its row:
 * named with the file and the line, the row skipped, the rest rendered. */
static void
assert_undecodable (Batch *b, int line)
{
  g_autofree char *reason = g_strdup_printf ("bytes are neither UTF-8 nor GB18030 (line %d)", line);
  g_autofree char *prefix = g_strdup_printf ("roster.csv:%d: %s", line, reason);
  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  g_assert_nonnull (strstr (check.out, prefix));
  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  g_assert_nonnull (strstr (render.err, prefix));
  assert_exception (b, line, "", "neither UTF-8 nor GB18030");
  assert_rendered_except (b, (const int[]) { line, 0 });
  run_clear (&check);
  run_clear (&render);
}

static void
test_roster_invalid_utf8 (void)
{
  g_autoptr (Batch) b = batch_new ();
  set_cell (b, 7, COL_XM, "张\xFF\xFE三");
  write_roster (b);
  assert_undecodable (b, 7);
}

static void
test_roster_invalid_gb18030 (void)
{
  g_autoptr (Batch) b = batch_new ();
  write_roster (b);
  g_autofree char *utf8 = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (b->roster, &utf8, &len, NULL));
  gsize written = 0;
  g_autofree char *gb = g_convert (utf8, (gssize) len, "GB18030", "UTF-8", NULL, &written, NULL);
  g_assert_nonnull (gb);
  /* Line 9: break its first two-byte character (a lead byte, then 0x7F). */
  char *p = gb;
  for (int line = 1; line < 9; line++)
    p = strstr (p, "\r\n") + 2;
  while ((unsigned char) *p < 0x81)
    p++;
  p[1] = 0x7F;
  ps_test_write_file (b->roster, gb, (gssize) written);
  assert_undecodable (b, 9);
}

/* Formula-looking values: a 学号 cannot be one (it is ASCII letters, digits
 * and '-' after the first: the row is refused at import, named by 采集码);
 * in free-text fields they reach the output files, where every value that
 * starts with = + - @ is quoted text with an apostrophe. */
static void
test_roster_formulas (void)
{
  static const char *const payloads[] = {
    "=cmd|' /C calc'!A0", "+86123", "-2+3", "@SUM(A1:A2)",
    "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
  };
  static const char *const in_files[] = {
    ",\"'=cmd|' /C calc'!A0\",", ",\"'+86123\",", ",\"'-2+3\",", ",\"'@SUM(A1:A2)\",",
    ",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",",
  };
  g_autoptr (Batch) b = batch_new ();
  /* rows 2..6: as 学号; rows 8..12: as 班级 */
  for (size_t i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      set_cell (b, (int) i + 2, COL_XH, payloads[i]);
      set_cell (b, (int) i + 8, COL_BH, payloads[i]);
    }
  /* a class whose name starts with '+', a 采集码 that starts with '@' (it
   * is not 16 letters or digits: the row is a problem) */
  g_autofree char *class13 = g_strdup (cell (b, 13, COL_BH));
  for (int row = 13; row <= N_SAMPLES + 1; row++)
    if (strcmp (cell (b, row, COL_BH), class13) == 0)
      set_cell (b, row, COL_BH, "+机械2班");
  g_autofree char *photo7 = photo_path (b, 7, "jpg");
  set_cell (b, 7, COL_CJM, "@cjm");
  g_autofree char *renamed = photo_path (b, 7, "jpg");
  g_assert_cmpint (g_rename (photo7, renamed), ==, 0);
  write_roster (b);

  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  for (int row = 2; row <= 6; row++)
    {
      g_autofree char *prefix = g_strdup_printf ("roster.csv:%d: cjm=%s: xh: 学号 may hold only "
                                                 "ASCII letters, digits and '-'",
                                                 row, cell (b, row, COL_CJM));
      g_assert_nonnull (strstr (check.out, prefix));
    }
  g_autofree char *xh7 = g_strdup (cell (b, 7, COL_XH));
  assert_problem_line (check.out, 7, xh7, "cjm", "采集码 must be 16 letters or digits");
  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  assert_rendered_except (b, (const int[]) { 2, 3, 4, 5, 6, 7, 0 });
  for (int row = 2; row <= 6; row++)
    assert_exception (b, row, "xh", "学号 may hold only");

  /* In the files, every value that starts with = + - @ is a quoted text
   * with an apostrophe: Excel shows it, never evaluates it. */
  g_autofree char *mpath = g_build_filename (b->out, "manifest.csv", NULL);
  g_autofree char *epath = g_build_filename (b->out, "exceptions.csv", NULL);
  g_autofree char *manifest = NULL, *exceptions = NULL;
  g_assert_true (g_file_get_contents (mpath, &manifest, NULL, NULL));
  g_assert_true (g_file_get_contents (epath, &exceptions, NULL, NULL));
  for (size_t i = 0; i < G_N_ELEMENTS (in_files); i++)
    g_assert_nonnull (strstr (manifest, in_files[i]));
  g_assert_nonnull (strstr (manifest, ",\"'+机械2班\","));
  g_assert_nonnull (strstr (exceptions, ",\"'@cjm\","));
  const char *paths[] = { mpath, epath };
  for (size_t f = 0; f < G_N_ELEMENTS (paths); f++)
    {
      g_autoptr (GPtrArray) rows = read_csv (paths[f]);
      for (size_t i = 0; i < rows->len; i++)
        for (char **c = rows->pdata[i]; *c != NULL; c++)
          if (**c != '\0' && strchr ("=+-@\t\r", **c) != NULL)
            g_error ("%s row %zu: cell '%s' would be a formula in Excel", paths[f], i + 1, *c);
    }
  run_clear (&check);
  run_clear (&render);
}

static void
test_roster_photo_paths (void)
{
  g_autoptr (Batch) b = batch_new ();
  /* a photo column: row 2 climbs out, row 3 is absolute, row 4 is a
   * symlink in the photos dir to a photo outside it, row 5 names a photo
   * through a symlinked directory; the rest are empty (by 采集码, as
   * before) */
  char **header = b->rows->pdata[0];
  g_autoptr (GStrvBuilder) hb = g_strv_builder_new ();
  g_strv_builder_addv (hb, (const char **) header);
  g_strv_builder_add (hb, "photo");
  b->rows->pdata[0] = g_strv_builder_end (hb);
  g_strfreev (header);
  for (int row = 2; row <= N_SAMPLES + 1; row++)
    {
      char **cells = b->rows->pdata[row - 1];
      g_autoptr (GStrvBuilder) rb = g_strv_builder_new ();
      g_strv_builder_addv (rb, (const char **) cells);
      g_strv_builder_add (rb, row == 2 ? "../../etc/passwd"
                              : row == 3 ? "/etc/passwd"
                              : row == 5 ? "elsewhere/x.jpg"
                              : "");
      b->rows->pdata[row - 1] = g_strv_builder_end (rb);
      g_strfreev (cells);
    }
  write_roster (b);

  g_autofree char *outside = g_build_filename (b->dir, "outside", NULL);
  g_autofree char *target = g_build_filename (outside, "x.jpg", NULL);
  g_autofree char *link = photo_path (b, 4, "jpg");
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (link, &data, &len, NULL));
  ps_test_write_file (target, data, (gssize) len);
  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (symlink (target, link), ==, 0);
  /* row 5: photos/elsewhere is a symlink to that outside directory */
  g_autofree char *elsewhere = g_build_filename (b->photos, "elsewhere", NULL);
  g_assert_cmpint (symlink (outside, elsewhere), ==, 0);

  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  assert_problem_line (check.out, 2, cell (b, 2, COL_XH), "photo", "../../etc/passwd");
  assert_problem_line (check.out, 3, cell (b, 3, COL_XH), "photo", "/etc/passwd");
  g_autofree char *name4 = g_strdup_printf ("photo '%s.jpg' is outside the photos directory",
                                            cell (b, 4, COL_CJM));
  assert_problem_line (check.out, 4, cell (b, 4, COL_XH), "photo", name4);
  assert_problem_line (check.out, 5, cell (b, 5, COL_XH), "photo",
                       "photo 'elsewhere/x.jpg' is outside the photos directory");
  g_assert_nonnull (strstr (check.out, "problems  4\n"));
  /* nothing of /etc/passwd was read into the output */
  g_assert_null (strstr (check.out, "root:"));

  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  assert_exception (b, 2, "photo", "../../etc/passwd");
  assert_exception (b, 3, "photo", "/etc/passwd");
  assert_exception (b, 4, "photo", "outside the photos directory");
  assert_exception (b, 5, "photo", "outside the photos directory");
  assert_rendered_except (b, (const int[]) { 2, 3, 4, 5, 0 });
  run_clear (&check);
  run_clear (&render);
}

/* ------------------------------------------------------------------ */
/* Input hygiene                                                      */
/* ------------------------------------------------------------------ */

/* The manifest's sheet line for 采集码 @cjm (a GStrv of the manifest). */
static char **
manifest_sheet (GPtrArray *manifest, const char *cjm)
{
  for (size_t i = 1; i < manifest->len; i++)
    {
      char **r = manifest->pdata[i];
      if (strcmp (r[1], "sheet") == 0 && strcmp (r[5], cjm) == 0)
        return r;
    }
  g_error ("no sheet for %s in manifest.csv", cjm);
}

/* None of the full names and IDs (ps_test_full_*), nor @extra (nullable,
 * NULL-terminated), in @len bytes at @data. */
static void
assert_no_full_value (const char *where, const char *data, size_t len,
                      const char *const *extra)
{
  const char *which = NULL;
  if (data == NULL)
    return;
  if (ps_test_find_full_value (data, len, &which))
    g_error ("privacy: %s holds a full name or ID of ps_test_full_*", where);
  for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
    if (memmem (data, len, extra[i], strlen (extra[i])) != NULL)
      g_error ("privacy: %s holds hidden value %zu", where, i);
}

/* Every file under @dir, raw, and the text of each PDF when pdftotext is
 * there.  Returns false if PDFs were not searched for want of it. */
static bool
assert_tree_clean (const char *dir, const char *const *extra)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *name;
  bool complete = true;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          complete = assert_tree_clean (path, extra) && complete;
          continue;
        }
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      assert_no_full_value (path, data, len, extra);
      if (!g_str_has_suffix (name, ".pdf"))
        continue;
      if (pdftotext == NULL)
        {
          complete = false;
          continue;
        }
      g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s' -", path);
      g_autofree char *text = NULL;
      g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
      g_assert_nonnull (strstr (text, "*"));   /* the captions were extracted */
      g_autofree char *where = g_strdup_printf ("%s (pdftotext)", path);
      assert_no_full_value (where, text, strlen (text), extra);
    }
  return complete;
}

static void
assert_run_clean (const Run *r, const char *const *extra)
{
  assert_no_full_value ("stdout", r->out, r->out != NULL ? strlen (r->out) : 0, extra);
  assert_no_full_value ("stderr", r->err, r->err != NULL ? strlen (r->err) : 0, extra);
}

/* Full-width digits of the ASCII digits and X in @id. */
static char *
full_width (const char *id)
{
  GString *s = g_string_new (NULL);
  for (const char *p = id; *p != '\0'; p++)
    g_string_append_unichar (s, (gunichar) (*p - 0x21 + 0xFF01));
  return g_string_free (s, FALSE);
}

/* A CSV roster with the invisible, padded, decomposed and misformatted
 * values of school tables, full names and IDs among them: check names each
 * refused row by file, row and field and exits 1; render --skip-invalid
 * prints every other row, masked; reprint --xh finds the student whose 学号
 * came with a bidi control; no full value appears anywhere. */
static void
test_roster_hygiene (void)
{
  g_autoptr (Batch) b = batch_new ();
  g_autofree char *xh2 = g_strdup (cell (b, 2, COL_XH));
  g_autofree char *xh2_lro = g_strconcat ("\xE2\x80\xAD", xh2, NULL);
  g_autofree char *id5 = full_width (ps_test_full_ids[1]);    /* 440301199001011234 */
  set_cell (b, 2, COL_XH, xh2_lro);                     /* U+202D before the 学号 */
  set_cell (b, 3, COL_XM, "张\xCC\x81三丰");             /* a combining mark: refused */
  set_cell (b, 4, COL_XM, "李\xE3\x80\x80四");           /* 李　四, padded: 李* */
  set_cell (b, 5, COL_ZJHM, id5);                        /* full width: 1234 */
  set_cell (b, 6, COL_XH, "2.02131E+14");                /* Excel's display: refused */
  set_cell (b, 7, COL_XM, "欧阳\xE2\x80\x8B娜娜");       /* ZWSP: 欧**娜 */
  set_cell (b, 8, COL_XM, "张三丰*");                    /* not masked: 张*** */
  set_cell (b, 9, COL_ZJHM, "1.10105E+17");              /* Excel's display: refused */
  set_cell (b, 10, COL_XM, "王\xE2\x80\xAE小𠮷");        /* RLO inside: 王*𠮷 */
  set_cell (b, 11, COL_XM, "李\xEF\xB8\x81四");          /* a variation selector: refused */
  write_roster (b);
  g_autofree char *id5_head = g_utf8_substring (id5, 0, 12);
  const char *const extra[] = { "李四", "欧阳娜娜", id5_head, "\xE2\x80\xAD", NULL };

  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  assert_problem_line (check.out, 3, cell (b, 3, COL_XH), "xm",
                       "姓名 has a combining mark or variation selector U+0301: re-enter the name");
  g_autofree char *line6 = g_strdup_printf ("roster.csv:6: cjm=%s: xh: 学号 looks like a number in "
                                            "exponent form", cell (b, 6, COL_CJM));
  g_assert_nonnull (strstr (check.out, line6));
  assert_problem_line (check.out, 9, cell (b, 9, COL_XH), "zjhm",
                       "证件号码 looks like a number in exponent form");
  assert_problem_line (check.out, 11, cell (b, 11, COL_XH), "xm", "U+FE01: re-enter the name");
  g_assert_nonnull (strstr (check.out, "problems  4\n"));
  assert_run_clean (&check, extra);

  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  assert_rendered_except (b, (const int[]) { 3, 6, 9, 11, 0 });
  assert_exception (b, 3, "xm", "U+0301");
  assert_exception (b, 6, "xh", "exponent form");
  assert_exception (b, 9, "zjhm", "exponent form");
  assert_exception (b, 11, "xm", "U+FE01");
  assert_run_clean (&render, extra);

  g_autoptr (GPtrArray) manifest = read_out_csv (b, "manifest.csv");
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 2, COL_CJM))[4], ==, xh2);
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 4, COL_CJM))[6], ==, "李*");
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 5, COL_CJM))[7], ==, "1234");
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 7, COL_CJM))[6], ==, "欧**娜");
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 8, COL_CJM))[6], ==, "张***");
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 10, COL_CJM))[6], ==, "王*𠮷");

  /* the 学号 was stored without its U+202D: reprint finds it typed plainly */
  g_autofree char *ledger = g_build_filename (b->out, "ledger.sqlite", NULL);
  g_autofree char *re = g_build_filename (b->dir, "reprint", NULL);
  const char *reprint[] = { "reprint", "--ledger", ledger, "--xh", xh2, "--out", re,
                            "--date", "2026-06-01", NULL };
  Run rp = run_cli (reprint);
  g_test_message ("reprint: exit %d\n%s%s", rp.status, rp.out, rp.err);
  g_assert_cmpint (rp.status, ==, 0);
  g_autofree char *said = g_strdup_printf ("reprint: 1 sheet for xh=%s", xh2);
  g_assert_nonnull (strstr (rp.out, said));
  assert_run_clean (&rp, extra);

  bool complete = assert_tree_clean (b->out, extra);
  complete = assert_tree_clean (re, extra) && complete;
  run_clear (&check);
  run_clear (&render);
  run_clear (&rp);
  if (!complete)
    g_test_skip ("pdftotext not installed (poppler-utils): the text of the PDFs was not searched");
}

/* An XLSX written by openpyxl (tests/data/make-xlsx-fixtures.py): long
 * numbers, an error cell, a boolean 学号 refused by row and field; the rest
 * printed. */
static void
test_roster_xlsx_numbers (void)
{
  g_autoptr (Batch) b = batch_new ();
  g_autofree char *src = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data",
                                           "roster-openpyxl-numbers.xlsx", NULL);
  g_autofree char *xlsx = g_build_filename (b->dir, "roster-openpyxl-numbers.xlsx", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  ps_test_write_file (xlsx, data, (gssize) len);
  g_free (b->roster);
  b->roster = g_strdup (xlsx);
  const char *const extra[] = { "440301199001", "110105194912", "王李", NULL };

  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  static const struct {
    int row;
    const char *field;
    const char *reason;
  } expected[] = {
    { 3, "xh", "学号 is stored as a number; Excel keeps only 15 digits — format the column as text" },
    { 4, "zjhm", "证件号码 is stored as a number; Excel keeps only 15 digits" },
    { 5, "zjhm", "证件号码 is stored as a number; Excel keeps only 15 digits" },
    { 6, "cjm", "采集码 is an Excel error value (#N/A)" },
    { 7, "xh", "学号 is a TRUE/FALSE value, not text" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("roster-openpyxl-numbers.xlsx:%d: ", expected[i].row);
      g_autofree char *suffix = g_strdup_printf ("%s: %s", expected[i].field, expected[i].reason);
      const char *line = strstr (check.out, prefix);
      g_assert_nonnull (line);
      g_autofree char *one = g_strndup (line, strcspn (line, "\n"));
      if (strstr (one, suffix) == NULL)
        g_error ("'%s' lacks '%s'", one, suffix);
    }
  g_assert_nonnull (strstr (check.out, "problems  5\n"));
  assert_run_clean (&check, extra);

  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  assert_run_clean (&render, extra);
  g_autoptr (GHashTable) got = manifest_students (b);
  g_assert_cmpuint (g_hash_table_size (got), ==, 4);
  g_autoptr (GPtrArray) manifest = read_out_csv (b, "manifest.csv");
  /* rows 2, 8, 9, 10 of the sheet are sample rows 2, 8, 9, 10 */
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 2, COL_CJM))[4], ==, cell (b, 2, COL_XH));
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 8, COL_CJM))[6], ==, "张*丰");
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 8, COL_CJM))[7], ==, "002X");
  g_assert_cmpstr (manifest_sheet (manifest, cell (b, 9, COL_CJM))[6], ==, "王*");
  g_assert_true (g_hash_table_contains (got, cell (b, 10, COL_CJM)));
  for (int row = 3; row <= 7; row++)
    if (row != 6)
      g_assert_false (g_hash_table_contains (got, cell (b, row, COL_CJM)));
  bool complete = assert_tree_clean (b->out, extra);
  run_clear (&check);
  run_clear (&render);
  if (!complete)
    g_test_skip ("pdftotext not installed (poppler-utils): the text of the PDFs was not searched");
}

/* 100 MB: the 36 students, then about 20 000 rows of 5 kB (a long 院系)
 * without photos.  Bounded time; the 36 are rendered. */
static void
test_roster_100mb (void)
{
  g_autoptr (Batch) b = batch_new ();
  write_roster (b);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (b->roster, &text, &len, NULL));
  g_autoptr (GString) pad = g_string_new (NULL);
  while (pad->len < 5000)
    g_string_append (pad, "填充学院");

  FILE *fp = fopen (b->roster, "wb");
  g_assert_nonnull (fp);
  g_assert_cmpuint (fwrite (text, 1, len, fp), ==, len);
  size_t total = len, n_filler = 0;
  const size_t target = (size_t) 100 * 1000 * 1000;
  while (total < target)
    {
      g_autofree char *line = g_strdup_printf ("1720057954869,F%015zu,10294,1234,9%014zu,本科,"
                                               "普通全日制,赵*军,填充班,%s\r\n",
                                               n_filler, n_filler, pad->str);
      size_t n = strlen (line);
      g_assert_cmpuint (fwrite (line, 1, n, fp), ==, n);
      total += n;
      n_filler++;
    }
  g_assert_cmpint (fclose (fp), ==, 0);
  g_test_message ("roster: %zu bytes, %zu filler rows", total, n_filler);

  Run check = run_check (b, NULL);
  g_assert_cmpint (check.status, ==, 1);
  g_assert_cmpfloat (check.seconds, <, 60);
  g_autofree char *rows = g_strdup_printf ("rows      %zu\n", N_SAMPLES + n_filler);
  g_assert_nonnull (strstr (check.out, rows));
  g_autofree char *problems = g_strdup_printf ("problems  %zu\n", n_filler);
  g_assert_nonnull (strstr (check.out, problems));
  g_autofree char *first = g_strdup_printf ("roster.csv:%d: xh=9%014d: photo: ", N_SAMPLES + 2, 0);
  g_assert_nonnull (strstr (check.out, first));

  Run render = run_render (b, NULL);
  g_assert_cmpint (render.status, ==, 1);
  g_assert_cmpfloat (render.seconds, <, 60);
  assert_rendered_except (b, (const int[]) { 0 });
  g_autoptr (GPtrArray) exceptions = read_out_csv (b, "exceptions.csv");
  g_assert_cmpuint (exceptions->len, ==, n_filler + 1);
  run_clear (&check);
  run_clear (&render);
}

/* ------------------------------------------------------------------ */
/* Layouts                                                            */
/* ------------------------------------------------------------------ */

static void
test_layout_absurd (void)
{
  static const struct {
    const char *text;
    const char *fragment;
  } cases[] = {
    { "[sheet]\nwidth_mm=5000\nheight_mm=152.4\n[photo]\nwidth_mm=33\nheight_mm=48\n",
      "width_mm=5000: absurd length" },
    { "[sheet]\nwidth_mm=101.6\nheight_mm=152.4\n[photo]\nwidth_mm=0.001\nheight_mm=48\n",
      "width_mm" },
    { "[sheet]\nwidth_mm=1e308\nheight_mm=1e308\n[photo]\nwidth_mm=33\nheight_mm=48\n",
      "width_mm" },
    { "[sheet]\nwidth_mm=2000\nheight_mm=2000\n[photo]\nwidth_mm=1\nheight_mm=1.5\n",
      "absurd" },
    { "[sheet]\nwidth_mm=101.6\nheight_mm=152.4\ndpi=99999999\n[photo]\nwidth_mm=33\nheight_mm=48\n",
      "dpi" },
  };
  g_autoptr (Batch) b = batch_new ();
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("absurd-%zu.ini", i);
      g_autofree char *layout = g_build_filename (b->dir, name, NULL);
      ps_test_write_file (layout, cases[i].text, -1);
      Run check = run_check (b, layout);
      g_assert_cmpint (check.status, ==, 2);
      g_autofree char *prefix = g_strdup_printf ("layout '%s': ", layout);
      g_assert_nonnull (strstr (check.err, prefix));
      g_assert_nonnull (strstr (check.err, cases[i].fragment));
      Run render = run_render (b, layout);
      g_assert_cmpint (render.status, ==, 2);
      g_assert_nonnull (strstr (render.err, prefix));
      g_assert_false (out_has (b, "sheets.pdf"));
      g_assert_cmpfloat (render.seconds, <, 30);
      run_clear (&check);
      run_clear (&render);
    }
}

/* ------------------------------------------------------------------ */
/* Arguments: files that are not files, dates that are not dates      */
/* ------------------------------------------------------------------ */

/* Each must be refused at once (exit 2, the file named), never read until
 * memory runs out or block forever: the run is bounded by a timeout. */
static void
test_args_not_regular (void)
{
  g_autoptr (Batch) b = batch_new ();
  g_autofree char *fifo = g_build_filename (b->dir, "lab.icc", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_autofree char *fifo_layout = g_build_filename (b->dir, "fifo.ini", NULL);
  g_assert_cmpint (mkfifo (fifo_layout, 0600), ==, 0);

  struct { const char *option, *value, *says; } cases[] = {
    { "--profile", "/dev/zero", "is a device, not a regular file" },
    { "--profile", fifo, "is a named pipe (FIFO), not a regular file" },
    { "--profile", b->photos, "is a directory, not a regular file" },
    { "--layout", fifo_layout, "not a regular file" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { "render", "--roster", b->roster, "--photos", b->photos, "--out",
                             b->out, cases[i].option, cases[i].value, NULL };
      Run r = run_cli (args);
      g_test_message ("%s %s: exit %d in %.1f s: %s", cases[i].option, cases[i].value, r.status,
                      r.seconds, r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, cases[i].says));
      g_assert_nonnull (strstr (r.err, cases[i].value));
      g_assert_cmpfloat (r.seconds, <, 30);
      g_assert_false (out_has (b, "sheets.pdf"));
      run_clear (&r);
    }

  /* A FIFO where a photo should be is not a photo: a problem of its row
   * (the index lists regular files only), the rest checked, nothing hangs. */
  g_autofree char *photo = photo_path (b, 4, "jpg");
  g_assert_cmpint (g_unlink (photo), ==, 0);
  g_assert_cmpint (mkfifo (photo, 0600), ==, 0);
  Run r = run_check (b, NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_problem_line (r.out, 4, cell (b, 4, COL_XH), "photo", "photo not found");
  g_assert_cmpfloat (r.seconds, <, 30);
  g_assert_nonnull (strstr (r.out, "printable 35"));
  run_clear (&r);
}

/* The 补 mark is printed: it takes a real day and nothing else. */
static void
test_args_reprint_date (void)
{
  g_autoptr (Batch) b = batch_new ();
  const char *render_args[] = { "render", "--roster", b->roster, "--photos", b->photos, "--out",
                                b->out, "--format", "pdf", "--dpi", "100", NULL };
  Run r = run_cli (render_args);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  g_autofree char *ledger = g_build_filename (b->out, "ledger.sqlite", NULL);
  g_autofree char *again = g_build_filename (b->dir, "again", NULL);
  const char *xh = cell (b, 2, COL_XH);

  const char *bad[] = { "2025-13-45", "2025-02-30", "2025-01-01' OR 1=1--", "1.1.2025",
                        "２０２５-０１-０１", "" };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *args[] = { "reprint", "--ledger", ledger, "--xh", xh, "--out", again,
                             "--reason", "lost", "--date", bad[i], NULL };
      r = run_cli (args);
      g_test_message ("--date '%s': exit %d: %s", bad[i], r.status, r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "YYYY-MM-DD"));
      g_autofree char *pdf = g_build_filename (again, "reprint.pdf", NULL);
      g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
      run_clear (&r);
    }
  /* nothing was recorded as reprinted */
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_open (ledger, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM reprints", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  const char *good[] = { "reprint", "--ledger", ledger, "--xh", xh, "--out", again, "--reason",
                         "lost", "--date", "2024-02-29", NULL };
  r = run_cli (good);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s/reprint.pdf' -", again);
  g_autofree char *text = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext not installed: the mark's text was not read");
      return;
    }
  g_assert_cmpint (ps_test_run_shell (cmd, &text), ==, 0);
  g_assert_nonnull (strstr (text, "补 2024-02-29"));
}

/* A hand-edited ledger pointing a photo at a system file: reprint refuses
 * to read outside the batch's photos folder and says nothing of that file. */
static void
test_args_ledger_photo_path (void)
{
  g_autoptr (Batch) b = batch_new ();
  const char *render_args[] = { "render", "--roster", b->roster, "--photos", b->photos, "--out",
                                b->out, "--format", "pdf", "--dpi", "100", NULL };
  Run r = run_cli (render_args);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  g_autofree char *ledger = g_build_filename (b->out, "ledger.sqlite", NULL);
  const char *xh = cell (b, 2, COL_XH);

  const char *victim = "/etc/passwd";
  g_autoptr (GError) error = NULL;
  g_autofree char *victim_sha = _ps_core_sha256_file (victim, "file", PS_OUTPUT_ERROR,
                                                      PS_OUTPUT_ERROR_IO, &error);
  g_assert_no_error (error);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (ledger, &db), ==, SQLITE_OK);
  g_autofree char *update = g_strdup_printf ("UPDATE students SET photo_path = '%s' WHERE xh = '%s'",
                                             victim, xh);
  g_assert_cmpint (sqlite3_exec (db, update, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);

  g_autofree char *again = g_build_filename (b->dir, "again", NULL);
  const char *args[] = { "reprint", "--ledger", ledger, "--xh", xh, "--out", again, "--reason",
                         "lost", NULL };
  r = run_cli (args);
  g_test_message ("reprint: exit %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "not inside the batch's photos directory"));
  g_autofree char *prefix = g_strndup (victim_sha, 12);
  g_assert_null (strstr (r.err, prefix));
  g_assert_null (strstr (r.out, prefix));
  run_clear (&r);

  /* a path inside the folder but not the recorded photo: refused as changed,
   * with the recorded digest only */
  g_assert_cmpint (sqlite3_open (ledger, &db), ==, SQLITE_OK);
  g_autofree char *other = photo_path (b, 3, "jpg");
  g_autofree char *update2 = g_strdup_printf ("UPDATE students SET photo_path = '%s' WHERE xh = '%s'",
                                              other, xh);
  g_assert_cmpint (sqlite3_exec (db, update2, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  r = run_cli (args);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "has changed since the batch was made"));
  g_autofree char *other_sha = _ps_core_sha256_file (other, "file", PS_OUTPUT_ERROR,
                                                     PS_OUTPUT_ERROR_IO, &error);
  g_autofree char *other_prefix = g_strndup (other_sha, 12);
  g_assert_null (strstr (r.err, other_prefix));
  run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (photo_cases); i++)
    {
      g_autofree char *base = g_strndup (photo_cases[i].file, strcspn (photo_cases[i].file, "."));
      g_autofree char *path = g_strdup_printf ("/hostile/photo/%s-%s", base, photo_cases[i].ext);
      g_test_add_data_func (path, &photo_cases[i], test_photo_case);
    }
  g_test_add_func ("/hostile/roster/row-1mb", test_roster_row_1mb);
  g_test_add_func ("/hostile/roster/nul-byte", test_roster_nul_byte);
  g_test_add_func ("/hostile/roster/invalid-utf8", test_roster_invalid_utf8);
  g_test_add_func ("/hostile/roster/invalid-gb18030", test_roster_invalid_gb18030);
  g_test_add_func ("/hostile/roster/formulas", test_roster_formulas);
  g_test_add_func ("/hostile/roster/photo-paths", test_roster_photo_paths);
  g_test_add_func ("/hostile/roster/hygiene", test_roster_hygiene);
  g_test_add_func ("/hostile/roster/xlsx-numbers", test_roster_xlsx_numbers);
  g_test_add_func ("/hostile/roster/100mb", test_roster_100mb);
  g_test_add_func ("/hostile/layout/absurd", test_layout_absurd);
  g_test_add_func ("/hostile/args/not-regular", test_args_not_regular);
  g_test_add_func ("/hostile/args/reprint-date", test_args_reprint_date);
  g_test_add_func ("/hostile/args/ledger-photo-path", test_args_ledger_photo_path);
  int status = g_test_run ();
  if (photos.batch != NULL)
    {
      batch_free (photos.batch);
      run_clear (&photos.check);
      run_clear (&photos.render);
    }
  return status;
}
