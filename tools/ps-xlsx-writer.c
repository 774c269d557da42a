/* ps-xlsx-writer.c - a tiny XLSX writer (one worksheet) over libzip.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Enough of SpreadsheetML to make the files a school sends: strings (shared or
 * inline), numbers (plain or in Excel's exponent form), skipped cells, empty
 * trailing rows.  No styles beyond the one default Excel requires.
 */
#include "ps-xlsx-writer.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

G_DEFINE_QUARK (ps-xlsx-error-quark, ps_xlsx_error)

#define MAX_COLUMNS 16384

/* ------------------------------------------------------------------ */
/* Numbers                                                            */
/* ------------------------------------------------------------------ */

/* "[-]digits[.digits]" with at least one digit. */
static bool
is_plain_number (const char *s, size_t *int_len, size_t *frac_len)
{
  const char *p = s;
  size_t i = 0, f = 0;

  if (*p == '-')
    p++;
  while (g_ascii_isdigit (p[i]))
    i++;
  p += i;
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (p[f]))
        f++;
      p += f;
    }
  if (int_len != NULL)
    *int_len = i;
  if (frac_len != NULL)
    *frac_len = f;
  return *p == '\0' && i + f > 0;
}

char *
ps_xlsx_number_to_exponent (const char *number)
{
  size_t int_len, frac_len;

  g_return_val_if_fail (number != NULL, NULL);
  if (!is_plain_number (number, &int_len, &frac_len))
    return g_strdup (number);

  bool negative = number[0] == '-';
  const char *p = number + (negative ? 1 : 0);
  g_autoptr (GString) digits = g_string_new (NULL);
  g_string_append_len (digits, p, (gssize) int_len);
  if (frac_len > 0)
    g_string_append_len (digits, p + int_len + 1, (gssize) frac_len);

  size_t first = 0;
  while (first < digits->len && digits->str[first] == '0')
    first++;
  if (first == digits->len)
    return g_strdup ("0");
  size_t last = digits->len;
  while (last > first + 1 && digits->str[last - 1] == '0')
    last--;

  long exponent = (long) int_len - 1 - (long) first;
  GString *out = g_string_new (negative ? "-" : "");
  g_string_append_c (out, digits->str[first]);
  if (last > first + 1)
    {
      g_string_append_c (out, '.');
      g_string_append_len (out, digits->str + first + 1, (gssize) (last - first - 1));
    }
  g_string_append_printf (out, "E%c%ld", exponent < 0 ? '-' : '+', labs (exponent));
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* XML                                                                */
/* ------------------------------------------------------------------ */

static void
append_column_name (GString *s, size_t column)
{
  char buf[8];
  size_t i = sizeof buf;

  column++;
  while (column > 0 && i > 0)
    {
      buf[--i] = (char) ('A' + (column - 1) % 26);
      column = (column - 1) / 26;
    }
  g_string_append_len (s, buf + i, (gssize) (sizeof buf - i));
}

/* Text content escaped for XML 1.0: the markup characters, and the control
 * characters XML cannot carry at all dropped (tab, LF and CR kept). */
static void
append_escaped (GString *s, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;
      switch (c)
        {
        case '&': g_string_append (s, "&amp;"); break;
        case '<': g_string_append (s, "&lt;"); break;
        case '>': g_string_append (s, "&gt;"); break;
        case '"': g_string_append (s, "&quot;"); break;
        case '\r': g_string_append (s, "&#13;"); break;
        default:
          if (c < 0x20 && c != '\t' && c != '\n')
            break;
          g_string_append_c (s, (char) c);
        }
    }
}

static void
append_text_element (GString *s, const char *text)
{
  g_string_append (s, "<t xml:space=\"preserve\">");
  append_escaped (s, text);
  g_string_append (s, "</t>");
}

static const char content_types_head[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
  "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
  "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
  "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
  "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
  "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>";

static const char content_types_sst[] =
  "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>";

static const char root_rels[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
  "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
  "</Relationships>";

static const char workbook_rels_head[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
  "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
  "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>";

static const char workbook_rels_sst[] =
  "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>";

static const char styles[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
  "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
  "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
  "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
  "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
  "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
  "<cellXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/></cellXfs>"
  "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
  "</styleSheet>";

typedef struct {
  GPtrArray  *strings;   /* shared strings, in index order (borrowed) */
  GHashTable *index;     /* text -> index + 1 */
} SharedStrings;

static size_t
shared_string_index (SharedStrings *sst, const char *text)
{
  gpointer v = g_hash_table_lookup (sst->index, text);
  if (v != NULL)
    return GPOINTER_TO_SIZE (v) - 1;
  g_ptr_array_add (sst->strings, (gpointer) text);
  g_hash_table_insert (sst->index, (gpointer) text, GSIZE_TO_POINTER (sst->strings->len));
  return sst->strings->len - 1;
}

static GString *
build_sheet (const char *const *const *rows, size_t n_rows, size_t n_cols,
             const PsXlsxOptions *opts, SharedStrings *sst)
{
  GString *s = g_string_sized_new (4096 + n_rows * n_cols * 32);

  g_string_append (s,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                   "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                   "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                   "<sheetData>");
  for (size_t r = 0; r < n_rows; r++)
    {
      g_string_append_printf (s, "<row r=\"%zu\">", r + 1);
      for (size_t c = 0; c < n_cols; c++)
        {
          const char *text = rows[r] != NULL ? rows[r][c] : NULL;
          if (text == NULL)
            continue;
          g_string_append (s, "<c r=\"");
          append_column_name (s, c);
          g_string_append_printf (s, "%zu\"", r + 1);

          bool numeric = opts->numeric_columns != NULL && opts->numeric_columns[c]
                         && is_plain_number (text, NULL, NULL);
          if (numeric)
            {
              g_autofree char *v = opts->exponent_numbers ? ps_xlsx_number_to_exponent (text)
                                                          : g_strdup (text);
              g_string_append_printf (s, "><v>%s</v></c>", v);
            }
          else if (opts->inline_strings)
            {
              g_string_append (s, " t=\"inlineStr\"><is>");
              append_text_element (s, text);
              g_string_append (s, "</is></c>");
            }
          else
            g_string_append_printf (s, " t=\"s\"><v>%zu</v></c>",
                                    shared_string_index (sst, text));
        }
      g_string_append (s, "</row>");
    }
  for (size_t k = 0; k < opts->n_empty_trailing_rows; k++)
    {
      size_t r = n_rows + k + 1;
      if (!opts->empty_trailing_cells)
        {
          g_string_append_printf (s, "<row r=\"%zu\"/>", r);
          continue;
        }
      g_string_append_printf (s, "<row r=\"%zu\">", r);
      for (size_t c = 0; c < MAX (n_cols, 1); c++)
        {
          g_string_append (s, "<c r=\"");
          append_column_name (s, c);
          g_string_append_printf (s, "%zu\"/>", r);
        }
      g_string_append (s, "</row>");
    }
  g_string_append (s, "</sheetData></worksheet>");
  return s;
}

static GString *
build_shared_strings (const SharedStrings *sst)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                          "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                          "count=\"%u\" uniqueCount=\"%u\">",
                          sst->strings->len, sst->strings->len);
  for (size_t i = 0; i < sst->strings->len; i++)
    {
      g_string_append (s, "<si>");
      append_text_element (s, g_ptr_array_index (sst->strings, i));
      g_string_append (s, "</si>");
    }
  g_string_append (s, "</sst>");
  return s;
}

static GString *
build_workbook (const char *sheet_name)
{
  GString *s = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"");
  append_escaped (s, sheet_name);
  g_string_append (s, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  return s;
}

/* ------------------------------------------------------------------ */
/* The package                                                        */
/* ------------------------------------------------------------------ */

static bool
add_part (zip_t *zip, const char *name, GString *content, GError **error)
{
  /* The buffer stays owned by the caller until zip_close(). */
  zip_source_t *src = zip_source_buffer (zip, content->str, content->len, 0);
  if (src == NULL || zip_file_add (zip, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0)
    {
      g_set_error (error, PS_XLSX_ERROR, PS_XLSX_ERROR_IO, "cannot add %s: %s", name,
                   zip_strerror (zip));
      if (src != NULL)
        zip_source_free (src);
      return false;
    }
  return true;
}

bool
ps_xlsx_write (const char *path, const char *const *const *rows, size_t n_rows,
               size_t n_cols, const PsXlsxOptions *opts, GError **error)
{
  static const PsXlsxOptions defaults = { 0 };

  g_return_val_if_fail (path != NULL, false);
  g_return_val_if_fail (rows != NULL || n_rows == 0, false);
  if (opts == NULL)
    opts = &defaults;
  if (n_cols > MAX_COLUMNS)
    {
      g_set_error (error, PS_XLSX_ERROR, PS_XLSX_ERROR_INVALID,
                   "%zu columns, at most %d", n_cols, MAX_COLUMNS);
      return false;
    }

  SharedStrings sst = {
    .strings = g_ptr_array_new (),
    .index = g_hash_table_new (g_str_hash, g_str_equal),
  };
  GString *sheet = build_sheet (rows, n_rows, n_cols, opts, &sst);
  GString *shared = opts->inline_strings ? NULL : build_shared_strings (&sst);
  GString *workbook = build_workbook (opts->sheet_name != NULL ? opts->sheet_name : "Sheet1");
  GString *types = g_string_new (content_types_head);
  if (shared != NULL)
    g_string_append (types, content_types_sst);
  g_string_append (types, "</Types>");
  GString *wb_rels = g_string_new (workbook_rels_head);
  if (shared != NULL)
    g_string_append (wb_rels, workbook_rels_sst);
  g_string_append (wb_rels, "</Relationships>");
  GString *rels = g_string_new (root_rels);
  GString *style = g_string_new (styles);

  bool ok = false;
  int zerr = 0;
  zip_t *zip = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (zip == NULL)
    {
      zip_error_t ze;
      zip_error_init_with_code (&ze, zerr);
      g_set_error (error, PS_XLSX_ERROR, PS_XLSX_ERROR_IO, "cannot create %s: %s", path,
                   zip_error_strerror (&ze));
      zip_error_fini (&ze);
    }
  else if (add_part (zip, "[Content_Types].xml", types, error)
           && add_part (zip, "_rels/.rels", rels, error)
           && add_part (zip, "xl/workbook.xml", workbook, error)
           && add_part (zip, "xl/_rels/workbook.xml.rels", wb_rels, error)
           && add_part (zip, "xl/styles.xml", style, error)
           && add_part (zip, "xl/worksheets/sheet1.xml", sheet, error)
           && (shared == NULL || add_part (zip, "xl/sharedStrings.xml", shared, error)))
    {
      if (zip_close (zip) == 0)
        {
          ok = true;
          zip = NULL;
        }
      else
        g_set_error (error, PS_XLSX_ERROR, PS_XLSX_ERROR_IO, "cannot write %s: %s", path,
                     zip_strerror (zip));
    }
  if (zip != NULL)
    zip_discard (zip);

  g_string_free (sheet, TRUE);
  if (shared != NULL)
    g_string_free (shared, TRUE);
  g_string_free (workbook, TRUE);
  g_string_free (types, TRUE);
  g_string_free (wb_rels, TRUE);
  g_string_free (rels, TRUE);
  g_string_free (style, TRUE);
  g_ptr_array_unref (sst.strings);
  g_hash_table_unref (sst.index);
  return ok;
}

bool
ps_xlsx_write_simple (const char *path, const char *const *const *rows, size_t n_rows,
                      size_t n_cols, int numeric_column, GError **error)
{
  g_autofree bool *numeric = g_new0 (bool, MAX (n_cols, 1));
  PsXlsxOptions opts = { 0 };

  if (numeric_column >= 0 && (size_t) numeric_column < n_cols)
    numeric[numeric_column] = true;
  opts.numeric_columns = numeric;
  return ps_xlsx_write (path, rows, n_rows, n_cols, &opts, error);
}
