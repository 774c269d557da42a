/* ps-xlsx-writer.h - a tiny XLSX writer (one worksheet) for tests and the sample generator.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Depends on GLib and libzip only.  Writes the standard minimal parts
 * ([Content_Types].xml, _rels/.rels, xl/workbook.xml, xl/_rels/workbook.xml.rels,
 * xl/styles.xml, xl/worksheets/sheet1.xml and, unless inline strings are asked
 * for, xl/sharedStrings.xml), which Excel and LibreOffice open.
 */
#ifndef PS_XLSX_WRITER_H
#define PS_XLSX_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

#define PS_XLSX_ERROR (ps_xlsx_error_quark ())

typedef enum {
  PS_XLSX_ERROR_INVALID,   /* bad arguments (e.g. more than 16384 columns) */
  PS_XLSX_ERROR_IO,        /* libzip could not write the file */
} PsXlsxError;

GQuark ps_xlsx_error_quark (void);

typedef struct {
  /* n_cols flags, NULL = none: cells of these columns whose text is a plain
   * decimal number ("201818004215114", "-1.5") are written as numbers
   * (<c><v>…</v></c>); other cells (the header) stay strings. */
  const bool *numeric_columns;
  /* Numbers in Excel's exponent form, "2.01818004215114E+14". */
  bool exponent_numbers;
  /* <c t="inlineStr"><is><t>…</t></is></c> instead of shared strings; no
   * xl/sharedStrings.xml is written. */
  bool inline_strings;
  /* Rows appended after the data that hold nothing: a bare <row r="N"/>, or
   * with empty_trailing_cells a row of <c r="A9"/> cells without values. */
  size_t n_empty_trailing_rows;
  bool empty_trailing_cells;
  /* NULL = "Sheet1" */
  const char *sheet_name;
} PsXlsxOptions;

/**
 * ps_xlsx_write:
 * @path: the file to write (replaced)
 * @rows: @n_rows rows of @n_cols UTF-8 strings each, rows[i][j]; a NULL cell
 *   is left out of the sheet (no <c> at all), "" is an empty string cell
 * @opts: (nullable): NULL for shared strings, no numbers, no trailing rows
 *
 * Row i of @rows becomes sheet row i + 1 (r="1" is the header if the caller
 * puts one first).
 *
 * Returns: true, or false with PS_XLSX_ERROR set.
 */
bool ps_xlsx_write (const char *path, const char *const *const *rows, size_t n_rows,
                    size_t n_cols, const PsXlsxOptions *opts, GError **error);

/**
 * ps_xlsx_write_simple:
 * @numeric_column: the one column written as numbers (plain digits), or -1
 *
 * ps_xlsx_write() with shared strings and one numeric column, for the sample
 * generator.
 */
bool ps_xlsx_write_simple (const char *path, const char *const *const *rows, size_t n_rows,
                           size_t n_cols, int numeric_column, GError **error);

/**
 * ps_xlsx_number_to_exponent:
 * @digits: a plain decimal number
 * Returns: (transfer full): the same number in Excel's exponent form
 * ("201818004215114" -> "2.01818004215114E+14", "0.5" -> "5E-1"), or a copy
 * of @digits if it is not a plain number.
 */
char *ps_xlsx_number_to_exponent (const char *digits);

G_END_DECLS

#endif /* PS_XLSX_WRITER_H */
