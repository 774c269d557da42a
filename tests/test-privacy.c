/* test-privacy.c - the privacy audit: check -> render -> print -> reprint on
 * an old-mode roster (complete names, 18-character ID numbers), then every
 * byte photosheet wrote, said or sent is searched for any of them.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run through tests/cups/run-with-cups.sh (CUPS_SERVER, PS_TEST_QUEUE,
 * PS_TEST_SPOOL, PS_CUPS_DIR).  Searched, for every full name (UTF-8,
 * UTF-16LE, UTF-16BE, GB18030) and the first 12 characters of every full ID:
 *  - every file under the batch and reprint directories, raw, including
 *    ledger.sqlite and any -wal/-shm;
 *  - inside them: the inflated streams of each PDF (content, fonts' ToUnicode,
 *    metadata), the text pdftotext extracts and pdfinfo's metadata, the
 *    compressed text chunks (zTXt, iTXt) of each PNG;
 *  - stdout and stderr of every command;
 *  - the whole CUPS harness directory: cupsd's logs (LogLevel debug), its
 *    spool and state, and every document the virtual printer received (raw
 *    and through pdftotext).
 * Zero hits; the search is first shown to find a planted value, plain and
 * compressed.  Some rows hide their full value behind invisible characters,
 * padding or full-width digits (decorate_row), as school tables do.
 */
#include "ps-test-util.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* What must not appear                                               */
/* ------------------------------------------------------------------ */

typedef struct {
  char *label;      /* "name of row 7 (UTF-16LE)" - never the value itself */
  GBytes *bytes;
} Needle;

static GPtrArray *needles;   /* Needle* */

static void
needle_free (Needle *n)
{
  g_free (n->label);
  g_bytes_unref (n->bytes);
  g_free (n);
}

static void
add_needle (const char *label, const void *data, gsize len)
{
  Needle *n = g_new0 (Needle, 1);
  n->label = g_strdup (label);
  n->bytes = g_bytes_new (data, len);
  g_ptr_array_add (needles, n);
}

/* A full name in every encoding a leak could take. */
static void
add_name (const char *what, const char *name)
{
  g_autofree char *l8 = g_strdup_printf ("%s (UTF-8)", what);
  add_needle (l8, name, strlen (name));
  glong n16 = 0;
  g_autofree gunichar2 *u16 = g_utf8_to_utf16 (name, -1, NULL, &n16, NULL);
  g_assert_nonnull (u16);
  g_autofree guint8 *le = g_malloc ((gsize) n16 * 2);
  g_autofree guint8 *be = g_malloc ((gsize) n16 * 2);
  for (glong i = 0; i < n16; i++)
    {
      le[2 * i] = (guint8) (u16[i] & 0xff);
      le[2 * i + 1] = (guint8) (u16[i] >> 8);
      be[2 * i] = (guint8) (u16[i] >> 8);
      be[2 * i + 1] = (guint8) (u16[i] & 0xff);
    }
  g_autofree char *lle = g_strdup_printf ("%s (UTF-16LE)", what);
  g_autofree char *lbe = g_strdup_printf ("%s (UTF-16BE)", what);
  add_needle (lle, le, (gsize) n16 * 2);
  add_needle (lbe, be, (gsize) n16 * 2);
  gsize written = 0;
  g_autofree char *gb = g_convert (name, -1, "GB18030", "UTF-8", NULL, &written, NULL);
  if (gb != NULL)
    {
      g_autofree char *lgb = g_strdup_printf ("%s (GB18030)", what);
      add_needle (lgb, gb, written);
    }
}

/* An ID: its first 12 characters (the last 4 are what may be printed). */
static void
add_id (const char *what, const char *id)
{
  g_autofree char *head = g_strndup (id, 12);
  add_name (what, head);
}

/* The first needle found in @data, or NULL. */
static const char *
find_needle (const guint8 *data, gsize len)
{
  if (data == NULL || len == 0)
    return NULL;
  for (size_t i = 0; i < needles->len; i++)
    {
      Needle *n = needles->pdata[i];
      gsize nlen = 0;
      const void *ndata = g_bytes_get_data (n->bytes, &nlen);
      if (nlen > 0 && memmem (data, len, ndata, nlen) != NULL)
        return n->label;
    }
  const char *which = NULL;
  if (ps_test_find_full_value ((const char *) data, len, &which))
    return "a value of ps_test_full_names / ps_test_full_ids";
  return NULL;
}

static size_t n_searched_bytes, n_searched_items;

static void
assert_clean (const char *where, const void *data, gsize len)
{
  n_searched_items++;
  n_searched_bytes += len;
  const char *hit = find_needle (data, len);
  if (hit != NULL)
    g_error ("privacy: %s holds %s", where, hit);
}

/* ------------------------------------------------------------------ */
/* Looking inside files                                               */
/* ------------------------------------------------------------------ */

static GBytes *
inflate (const guint8 *data, gsize len, GZlibCompressorFormat format)
{
  g_autoptr (GConverter) z = G_CONVERTER (g_zlib_decompressor_new (format));
  g_autoptr (GInputStream) raw = g_memory_input_stream_new_from_data (data, (gssize) len, NULL);
  g_autoptr (GInputStream) in = g_converter_input_stream_new (raw, z);
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  /* a broken stream stops the copy: what was inflated so far is kept */
  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* Every "stream ... endstream" of a PDF, inflated where it inflates. */
static void
search_pdf_streams (const char *where, const guint8 *data, gsize len)
{
  size_t n = 0;
  const guint8 *p = data, *end = data + len;
  while ((p = memmem (p, (size_t) (end - p), "stream", 6)) != NULL)
    {
      const guint8 *s = p + 6;
      if (s < end && *s == '\r')
        s++;
      if (s >= end || *s != '\n' || (p > data && p[-1] == 'd'))   /* not "endstream" */
        {
          p += 6;
          continue;
        }
      s++;
      const guint8 *e = memmem (s, (size_t) (end - s), "endstream", 9);
      if (e == NULL)
        break;
      g_autoptr (GBytes) plain = inflate (s, (gsize) (e - s), G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
      gsize plen = 0;
      const guint8 *pdata = g_bytes_get_data (plain, &plen);
      g_autofree char *label = g_strdup_printf ("%s stream %zu (inflated)", where, n++);
      assert_clean (label, pdata, plen);
      p = e + 9;
    }
}

static void
search_command_output (const char *where, const char *cmdline)
{
  g_autofree char *out = NULL;
  int status = ps_test_run_shell (cmdline, &out);
  g_assert_cmpint (status, ==, 0);
  assert_clean (where, out, strlen (out));
}

static void
search_pdf (const char *where, const char *path, const guint8 *data, gsize len)
{
  search_pdf_streams (where, data, len);
  g_autofree char *text_cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s' -", path);
  g_autofree char *text_where = g_strdup_printf ("%s (pdftotext)", where);
  search_command_output (text_where, text_cmd);
  g_autofree char *info_cmd = g_strdup_printf ("pdfinfo -enc UTF-8 -meta '%s'; pdfinfo -enc UTF-8 '%s'",
                                               path, path);
  g_autofree char *info_where = g_strdup_printf ("%s (pdfinfo)", where);
  search_command_output (info_where, info_cmd);
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Text chunks of a PNG: tEXt is plain (the raw search has it), zTXt and
 * compressed iTXt are inflated here, as is iCCP (a profile description). */
static void
search_png_chunks (const char *where, const guint8 *data, gsize len)
{
  gsize pos = 8;
  while (pos + 12 <= len)
    {
      guint32 n = be32 (data + pos);
      if (n > len - pos - 12)
        break;
      const char *type = (const char *) data + pos + 4;
      const guint8 *body = data + pos + 8;
      const guint8 *nul = memchr (body, 0, n);
      gsize off = nul ? (gsize) (nul - body) + 1 : n;
      bool zlib = false;
      if ((memcmp (type, "zTXt", 4) == 0 || memcmp (type, "iCCP", 4) == 0) && off + 1 <= n)
        {
          off += 1;   /* compression method */
          zlib = true;
        }
      else if (memcmp (type, "iTXt", 4) == 0 && off + 2 <= n && body[off] == 1)
        {
          off += 2;   /* flag, method; then language and translated keyword */
          for (int k = 0; k < 2 && off < n; k++)
            {
              const guint8 *z = memchr (body + off, 0, n - off);
              off = z ? (gsize) (z - body) + 1 : n;
            }
          zlib = true;
        }
      if (zlib && off < n)
        {
          g_autoptr (GBytes) plain = inflate (body + off, n - off, G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
          gsize plen = 0;
          const guint8 *pdata = g_bytes_get_data (plain, &plen);
          g_autofree char *label = g_strdup_printf ("%s chunk %.4s (inflated)", where, type);
          assert_clean (label, pdata, plen);
        }
      pos += 12 + n;
    }
}

static void
search_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents (path, &data, &len, NULL))
    return;
  const guint8 *d = (const guint8 *) data;
  assert_clean (path, d, len);
  if (len >= 5 && memcmp (d, "%PDF-", 5) == 0)
    search_pdf (path, path, d, len);
  else if (len >= 8 && memcmp (d, "\x89PNG\r\n\x1a\n", 8) == 0)
    search_png_chunks (path, d, len);
}

static void
search_tree (const char *path, size_t *n_files)
{
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          search_tree (child, n_files);
        }
      return;
    }
  search_file (path);
  (*n_files)++;
}

/* ------------------------------------------------------------------ */
/* The run                                                            */
/* ------------------------------------------------------------------ */

/* Runs the CLI, keeps what it said for the search. */
static int
cli (GPtrArray *said, const char *what, const char *const *args)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = ps_test_run_cli (args, &out, &err);
  g_test_message ("%s: exit %d", what, status);
  g_ptr_array_add (said, g_strdup_printf ("%s stdout", what));
  g_ptr_array_add (said, g_steal_pointer (&out));
  g_ptr_array_add (said, g_strdup_printf ("%s stderr", what));
  g_ptr_array_add (said, g_steal_pointer (&err));
  return status;
}

/* Some rows as school tables carry them (input hygiene): the full value
 * hidden behind invisible characters, padding or full-width digits, which
 * import removes or folds before masking.  The written forms are needles
 * too.  Every row stays printable. */
static void
decorate_row (char **cells, size_t i, const char *row_label)
{
  g_autofree char *label = g_strdup_printf ("the full name of %s as written", row_label);
  const char *name = cells[7];
  const char *second = g_utf8_next_char (name);
  char *written = NULL;

  switch (i)
    {
    case 6:   /* a zero-width space after the first character */
      written = g_strdup_printf ("%.*s\xE2\x80\x8B%s", (int) (second - name), name, second);
      break;
    case 7:   /* two characters padded to three with U+3000 */
      {
        g_autofree char *first = g_utf8_substring (name, 0, 1);
        glong n = g_utf8_strlen (name, -1);
        g_autofree char *last = g_utf8_substring (name, n - 1, n);
        g_autofree char *two = g_strconcat (first, last, NULL);
        g_autofree char *two_label = g_strdup_printf ("the two-character name of %s", row_label);
        add_name (two_label, two);
        written = g_strconcat (first, "\xE3\x80\x80", last, NULL);
        break;
      }
    case 8:   /* the ID in full-width digits */
      {
        GString *wide = g_string_new (NULL);
        for (const char *p = cells[3]; *p != '\0'; p++)
          g_string_append_unichar (wide, (gunichar) (*p - 0x21 + 0xFF01));
        g_autofree char *head = g_utf8_substring (wide->str, 0, 12);
        g_autofree char *id_label = g_strdup_printf ("the full-width ID of %s", row_label);
        add_name (id_label, head);
        g_free (cells[3]);
        cells[3] = g_string_free (wide, FALSE);
        return;
      }
    case 9:   /* a right-to-left override inside the name, U+202D before the 学号 */
      {
        written = g_strdup_printf ("%.*s\xE2\x80\xAE%s", (int) (second - name), name, second);
        char *xh = g_strconcat ("\xE2\x80\xAD", cells[4], NULL);
        g_free (cells[4]);
        cells[4] = xh;
        break;
      }
    default:
      return;
    }
  add_name (label, written);
  g_free (cells[7]);
  cells[7] = written;
}

/* Rewrites the samples' roster with a complete name and an 18-character ID
 * on every row (the last 4 characters of each ID are the sample's), on top
 * of ps_test_write_old_mode_roster()'s five.  Adds every one to the needles. */
static char *
write_full_roster (const char *dir)
{
  g_autofree char *old = ps_test_write_old_mode_roster (dir);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (old, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  static const char *const middles[] = { "甲", "乙丙", "丁", "戊己庚", "辛", "壬癸" };
  size_t n_full = 0;
  for (size_t i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) cells = g_strsplit (lines[i], ",", -1);
      g_autofree char *row_label = g_strdup_printf ("row %zu", i + 1);
      if (i > PS_TEST_N_FULL)
        {
          /* 赵**军 -> 赵甲军: first and last character kept, a middle added */
          const char *masked = cells[7];
          const char *last = g_utf8_offset_to_pointer (masked, g_utf8_strlen (masked, -1) - 1);
          g_autofree char *first = g_utf8_substring (masked, 0, 1);
          g_autofree char *full = g_strconcat (first, middles[i % G_N_ELEMENTS (middles)],
                                               strchr (masked, '*') ? (*last == '*' ? "" : last) : "",
                                               NULL);
          g_free (cells[7]);
          cells[7] = g_steal_pointer (&full);
          g_autofree char *id = g_strdup_printf ("3201%02zu19990101%s", i % 100, cells[3]);
          g_assert_cmpuint (strlen (id), ==, 18);
          g_free (cells[3]);
          cells[3] = g_steal_pointer (&id);
        }
      g_autofree char *name_label = g_strdup_printf ("the full name of %s", row_label);
      g_autofree char *id_label = g_strdup_printf ("the full ID of %s", row_label);
      add_name (name_label, cells[7]);
      add_id (id_label, cells[3]);
      decorate_row (cells, i, row_label);
      g_free (lines[i]);
      lines[i] = g_strjoinv (",", cells);
      n_full++;
    }
  g_autofree char *joined = g_strjoinv ("\r\n", lines);
  char *path = g_build_filename (dir, "old-full.csv", NULL);
  ps_test_write_file (path, joined, -1);
  g_test_message ("roster: %zu rows with complete names and IDs", n_full);
  return path;
}

/* The searches find what they must: a value as it is, and once compressed
 * (the PDF and PNG paths). */
static void
test_search_works (void)
{
  Needle *n = needles->pdata[0];
  gsize len = 0;
  const guint8 *name = g_bytes_get_data (n->bytes, &len);
  g_assert_nonnull (find_needle (name, len));

  g_autoptr (GConverter) zc = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6));
  guint8 packed[512];
  gsize read = 0, written = 0;
  g_assert_cmpint (g_converter_convert (zc, name, len, packed, sizeof packed, G_CONVERTER_INPUT_AT_END,
                                        &read, &written, NULL), ==, G_CONVERTER_FINISHED);
  g_assert_null (find_needle (packed, written));
  g_autoptr (GBytes) back = inflate (packed, written, G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  gsize blen = 0;
  const guint8 *bdata = g_bytes_get_data (back, &blen);
  g_assert_nonnull (find_needle (bdata, blen));
}

static void
test_privacy_audit (void)
{
  if (g_getenv ("PS_TEST_QUEUE") == NULL)
    {
      g_test_skip ("no CUPS harness (run through tests/cups/run-with-cups.sh)");
      return;
    }
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  if (pdftotext == NULL || pdfinfo == NULL)
    {
      g_test_skip ("pdftotext/pdfinfo not installed (poppler-utils)");
      return;
    }

  needles = g_ptr_array_new_with_free_func ((GDestroyNotify) needle_free);
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *roster = write_full_roster (dir);
  test_search_works ();

  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *re = g_build_filename (dir, "reprint", NULL);
  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  g_autoptr (GPtrArray) said = g_ptr_array_new_with_free_func (g_free);
  const char *queue = ps_test_getenv ("PS_TEST_QUEUE"), *server = ps_test_getenv ("CUPS_SERVER");

  const char *check[] = { "check", "--roster", roster, "--photos", photos, NULL };
  g_assert_cmpint (cli (said, "check", check), ==, 0);
  const char *check_json[] = { "check", "--roster", roster, "--photos", photos, "--json", NULL };
  g_assert_cmpint (cli (said, "check --json", check_json), ==, 0);
  const char *render[] = { "render", "--roster", roster, "--photos", photos, "--out", out,
                           "--format", "pdf,tiff,png", "--proof", "--dpi", "100", NULL };
  g_assert_cmpint (cli (said, "render", render), ==, 0);
  const char *print[] = { "print", "--batch", out, "--printer", queue, "--server", server,
                          "--timeout", "300", NULL };
  g_assert_cmpint (cli (said, "print", print), ==, 0);
  const char *status[] = { "status", "--batch", out, NULL };
  g_assert_cmpint (cli (said, "status", status), ==, 0);

  /* reprint the student of row 2 (a complete name and ID in the table) */
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  const char *xh = NULL;
  for (size_t i = 0; i < rows->len && xh == NULL; i++)
    if (strcmp (((char **) rows->pdata[i])[1], "sheet") == 0)
      xh = ((char **) rows->pdata[i])[4];
  g_assert_nonnull (xh);
  const char *reprint[] = { "reprint", "--ledger", ledger, "--xh", xh, "--out", re,
                            "--reason", "lost in the post", "--date", "2026-11-22",
                            "--printer", queue, "--server", server, NULL };
  g_assert_cmpint (cli (said, "reprint", reprint), ==, 0);
  const char *reprint_by_id[] = { "reprint", "--ledger", ledger, "--yxdm", "10294", "--id-last4",
                                  "002X", "--out", re, NULL };
  cli (said, "reprint by id-last4", reprint_by_id);
  const char *status_all[] = { "status", "--ledger", ledger, NULL };
  g_assert_cmpint (cli (said, "status --ledger", status_all), ==, 0);

  /* Let every job finish - the reprint was queued last - before the spool
   * and the printer's folder are read: a document still being written is
   * not a PDF yet. */
  g_autofree char *active_cmd = g_strdup_printf ("lpstat -h '%s' -o '%s'",
                                                 ps_test_getenv ("CUPS_SERVER"),
                                                 ps_test_getenv ("PS_TEST_QUEUE"));
  for (int i = 0; i < 300; i++)
    {
      g_autofree char *active = NULL;
      if (ps_test_run_shell (active_cmd, &active) == 0 && active != NULL && active[0] == '\0')
        break;
      g_usleep (200 * 1000);
    }

  /* The search. */
  for (size_t i = 0; i + 1 < said->len; i += 2)
    assert_clean (said->pdata[i], said->pdata[i + 1], strlen (said->pdata[i + 1]));
  size_t n_files = 0;
  search_tree (out, &n_files);
  search_tree (re, &n_files);
  size_t n_cups = 0;
  search_tree (ps_test_getenv ("PS_CUPS_DIR"), &n_cups);
  g_autofree char *cups_log = g_build_filename (ps_test_getenv ("PS_CUPS_DIR"), "log", "error_log",
                                                NULL);
  g_assert_true (g_file_test (cups_log, G_FILE_TEST_EXISTS));

  /* what arrived at the printer, page text included (PDF or not) */
  g_autoptr (GDir) spool = g_dir_open (ps_test_getenv ("PS_TEST_SPOOL"), 0, NULL);
  const char *name;
  size_t n_docs = 0;
  while (spool != NULL && (name = g_dir_read_name (spool)) != NULL)
    {
      g_autofree char *doc = g_build_filename (ps_test_getenv ("PS_TEST_SPOOL"), name, NULL);
      n_docs++;
      g_autofree char *cmd = g_strdup_printf ("pdftotext -enc UTF-8 '%s' - 2>/dev/null || true", doc);
      g_autofree char *where = g_strdup_printf ("%s (pdftotext)", doc);
      search_command_output (where, cmd);
    }
  g_assert_cmpuint (n_docs, >=, 2);   /* the batch's jobs and the reprint */

  g_test_message ("searched %zu items (%zu bytes): %zu batch files, %zu CUPS harness files, "
                  "%zu received documents, %u command outputs, for %u encodings of the complete "
                  "names and IDs: no hit",
                  n_searched_items, n_searched_bytes, n_files, n_cups, n_docs, said->len / 2,
                  needles->len);
  g_clear_pointer (&needles, g_ptr_array_unref);
  ps_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/privacy/audit", test_privacy_audit);
  return g_test_run ();
}
