/* ps-roster-private.h - what the roster readers (CSV, XLSX, JSONL) share.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  ps-roster.c owns the PsRoster being built and the row
 * handling every format goes through (trim, length limit, masking, problem);
 * each ps-roster-<format>.c only splits its bytes into rows of cells.
 *
 * Privacy: cell buffers handed to these functions may hold full names and ID
 * numbers.  Whoever frees such a buffer wipes it first (_ps_roster_wipe_free,
 * _ps_roster_wipe_string).
 */
#ifndef PS_ROSTER_PRIVATE_H
#define PS_ROSTER_PRIVATE_H

#include "ps-core-private.h"
#include "ps-record-private.h"
#include "ps-text-private.h"

#include <stdarg.h>

G_BEGIN_DECLS

struct _PsRosterOptions {
  PsMaskStyle mask_style;       /* default PS_MASK_PER_CHARACTER */
  size_t max_bytes;             /* 0 = default (256 MiB) */
  size_t max_field_bytes;       /* 0 = default (64 KiB); longer field = row problem */
};

struct _PsRoster {
  char *path;
  char *format;                 /* "csv", "xlsx", "jsonl" */
  const char *encoding;         /* static string */
  char *sha256;
  size_t n_rows;
  GPtrArray *records;           /* PsRecord*, roster order */
  GPtrArray *problems;          /* PsProblem*, row order */
  GPtrArray *warnings;          /* PsProblem*, row order: values import changed */
  struct _PsRosterOptions options;
};

/* 256 MiB: default file size limit, and the floor of the cap on any one
 * decompressed XLSX part (zip bombs). */
#define PS_ROSTER_DEFAULT_MAX_BYTES       ((size_t) 256 * 1024 * 1024)
#define PS_ROSTER_DEFAULT_MAX_FIELD_BYTES ((size_t) 64 * 1024)

/* What a cell held in its file.  Spreadsheets and JSON keep numbers as
 * binary doubles: an identifier of more than 15 digits stored as a number has
 * already lost digits, whatever its text says now. */
typedef enum {
  PS_ROSTER_CELL_TEXT = 0,  /* a string (every CSV cell) */
  PS_ROSTER_CELL_NUMBER,    /* a number; data = its exact decimal digits */
  PS_ROSTER_CELL_FLOAT,     /* a JSON number with a fraction or an exponent; data as NUMBER */
  PS_ROSTER_CELL_BOOLEAN,   /* TRUE/FALSE (XLSX t="b", JSON true/false); data "true"/"false" */
  PS_ROSTER_CELL_ERROR,     /* a spreadsheet error value; data = its code ("#N/A") */
  PS_ROSTER_CELL_COMPOUND,  /* a JSON object or array; data NULL */
} PsRosterCellKind;

/* A cell as a reader found it: bytes (not trimmed, may contain NUL bytes in
 * CSV), borrowed from the reader's buffer. */
typedef struct {
  const char      *data;
  size_t           len;
  PsRosterCellKind kind;
} PsRosterCell;

/* Column -> field map built from a header row.  fields[i] is a PsField, or -1
 * for an unknown column or a repeated one (the first of equal headers wins). */
typedef struct {
  int   *fields;
  size_t n_columns;
  bool   has[PS_N_FIELDS];   /* some column maps to the field */
} PsRosterHeader;

/* ---- header ---- */

/* Maps header cells (trimmed, a leading BOM dropped) with ps_field_lookup(). */
void _ps_roster_header_init (PsRosterHeader *header, const PsRosterCell *cells,
                             size_t n_cells);
void _ps_roster_header_clear (PsRosterHeader *header);
/* True if some column maps to a field.  Non-empty rows above the header that
 * name no field at all (a title such as "2022届毕业生图像采集名单") are
 * skipped, at most PS_ROSTER_MAX_TITLE_ROWS of them. */
bool _ps_roster_header_has_any (const PsRosterHeader *header);
#define PS_ROSTER_MAX_TITLE_ROWS 10
/* Fails with PS_ROSTER_ERROR_MISSING_COLUMN naming every required column
 * (学号, 姓名, 班级) absent from @has.  @where (nullable) says which part of
 * the file was read, e.g. "sheet '名单' (the first visible sheet)". */
bool _ps_roster_check_required (const PsRoster *roster, const bool has[PS_N_FIELDS],
                                const char *where, GError **error);

/* ---- rows ---- */

/* True if every cell is empty once trimmed (such rows are skipped). */
bool _ps_roster_cells_blank (const PsRosterCell *cells, size_t n_cells);

/* One data row in header order.  Cells beyond the header are ignored, missing
 * ones are empty.  Checks the field size, NUL bytes and the cell kind,
 * normalises the text (_ps_text_clean: invisibles, NFC, spaces, full width),
 * checks 姓名, 学号 and 证件号码, masks 姓名 and 证件号码, and appends a
 * record (with a warning per changed field) or a problem.  Counts the row. */
void _ps_roster_add_cells (PsRoster *roster, int row, const PsRosterHeader *header,
                           const PsRosterCell *cells, size_t n_cells);

/* Same, with the cells already sorted by field (JSONL): cells[f] for every
 * PsField f, data NULL when absent. */
void _ps_roster_add_fields (PsRoster *roster, int row, const PsRosterCell cells[PS_N_FIELDS]);

/* A row that could not be read at all: counts the row, appends a problem.
 * @xh, @cjm and @field may be NULL.  @format never gets a full name or ID. */
void _ps_roster_add_bad_row (PsRoster *roster, int row, const char *xh, const char *cjm,
                             const char *field, const char *format, ...) G_GNUC_PRINTF (6, 7);

/* A warning (a value changed, or a note on the file when @row is 0): the
 * batch stays printable.  @format never gets a full name or ID. */
void _ps_roster_add_warning (PsRoster *roster, int row, const char *xh, const char *cjm,
                             const char *field, const char *format, ...) G_GNUC_PRINTF (6, 7);

/* ---- values ---- */

/* Trims ASCII space/tab and U+3000 (ideographic space) at both ends. */
void _ps_roster_trim (const char **data, size_t *len);

/* A number as a spreadsheet or JSON wrote it ("2.01818004215114E+14",
 * "201818004215114.0", "-1.50") as exact decimal digits ("201818004215114",
 * "-1.5"), by string manipulation only.  Anything else comes back unchanged.
 * Returns: (transfer full). */
char *_ps_roster_number_to_text (const char *text);

/* memset(0) then g_free: for buffers that held personal data. */
void _ps_roster_wipe_free (void *data, size_t len);
/* Wipes and frees a NUL-terminated string; NULL is fine. */
void _ps_roster_wipe_string (char *s);

/* ---- text decoding (CSV, JSONL) ---- */

/* Validates @data as UTF-8 (NUL bytes allowed), else converts it from
 * GB18030.  A UTF-8 BOM (or a U+FEFF after conversion) is dropped.
 * *@text points at the decoded bytes: into @data, or into *@converted (owned,
 * wipe it with _ps_roster_wipe_free (*converted, *converted_len)).
 * Sets roster->encoding.  A file in one encoding but for a few damaged lines
 * decodes, those lines left empty and listed in *@bad_lines (owned, sorted;
 * NULL when none): the readers make each a problem of its row.  Fails with
 * PS_ROSTER_ERROR_ENCODING naming the line when the header line or most
 * lines are damaged. */
bool _ps_roster_decode (PsRoster *roster, const char *data, size_t len,
                        const char **text, size_t *text_len,
                        char **converted, size_t *converted_len, GArray **bad_lines,
                        GError **error);
/* Lines that did not decode (see _ps_roster_decode): the first in
 * [@from, @to), or 0.  @bad_lines may be NULL. */
int _ps_roster_bad_line_in (const GArray *bad_lines, int from, int to);

/* ---- format readers: fill @roster from the file bytes ---- */

bool _ps_roster_read_csv (PsRoster *roster, const char *data, size_t len, GError **error);
bool _ps_roster_read_xlsx (PsRoster *roster, const char *data, size_t len, GError **error);
bool _ps_roster_read_jsonl (PsRoster *roster, const char *data, size_t len, GError **error);

G_END_DECLS

#endif /* PS_ROSTER_PRIVATE_H */
