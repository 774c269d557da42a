/* ps-roster.c - roster import: public API, format sniffing, header mapping, row handling.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every format reader (ps-roster-{csv,xlsx,jsonl}.c) splits its bytes into
 * rows of cells and hands them here.  This file is the one place where values
 * are trimmed, limited, normalised (ps-text.c), checked, masked (姓名,
 * 证件号码) and turned into records, warnings or problems, so the privacy
 * rule is enforced once.
 */
#include "config.h"
#include "ps-roster-private.h"
#include "ps-file-private.h"

#include <string.h>

G_DEFINE_QUARK (ps-roster-error-quark, ps_roster_error)

/* The columns without which a roster is useless, in message order. */
static const PsField required_fields[] = { PS_FIELD_XH, PS_FIELD_XM, PS_FIELD_BH };

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

void
_ps_roster_wipe_free (void *data, size_t len)
{
  if (data == NULL)
    return;
  /* volatile-free but not optimised away: memset followed by a call the
   * compiler cannot see through (g_free) */
  memset (data, 0, len);
  g_free (data);
}

void
_ps_roster_wipe_string (char *s)
{
  if (s != NULL)
    _ps_roster_wipe_free (s, strlen (s));
}

/* Spaces that surround values in hand-made tables: ASCII space and tab, CR/LF
 * (left over from quoted multi-line cells), U+3000 IDEOGRAPHIC SPACE (E3 80 80)
 * and U+00A0 NO-BREAK SPACE (C2 A0, pasted from web pages). */
static size_t
space_prefix (const unsigned char *p, size_t len)
{
  if (len >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n'))
    return 1;
  if (len >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
    return 3;
  if (len >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
    return 2;
  return 0;
}

static size_t
space_suffix (const unsigned char *p, size_t len)
{
  if (len >= 1 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'
                   || p[len - 1] == '\n'))
    return 1;
  if (len >= 3 && p[len - 3] == 0xE3 && p[len - 2] == 0x80 && p[len - 1] == 0x80)
    return 3;
  if (len >= 2 && p[len - 2] == 0xC2 && p[len - 1] == 0xA0)
    return 2;
  return 0;
}

void
_ps_roster_trim (const char **data, size_t *len)
{
  const unsigned char *p = (const unsigned char *) *data;
  size_t n = *len;
  size_t k;

  if (p == NULL)
    {
      *len = 0;
      return;
    }
  while ((k = space_prefix (p, n)) > 0)
    {
      p += k;
      n -= k;
    }
  while ((k = space_suffix (p, n)) > 0)
    n -= k;
  *data = (const char *) p;
  *len = n;
}

bool
_ps_roster_cells_blank (const PsRosterCell *cells, size_t n_cells)
{
  for (size_t i = 0; i < n_cells; i++)
    {
      const char *d = cells[i].data;
      size_t n = cells[i].len;
      _ps_roster_trim (&d, &n);
      if (n > 0)
        return false;
    }
  return true;
}

/* ------------------------------------------------------------------ */
/* Numbers as exact text                                              */
/* ------------------------------------------------------------------ */

/* Largest power of ten we expand; beyond it the text is left alone (no
 * 学号 or 时间戳 has hundreds of digits, and it bounds the allocation). */
#define MAX_EXPONENT 400

char *
_ps_roster_number_to_text (const char *text)
{
  const char *p = text;
  bool negative = false;
  const char *int_start, *frac_start = NULL;
  size_t int_len, frac_len = 0;
  long exponent = 0;

  g_return_val_if_fail (text != NULL, NULL);

  if (*p == '+' || *p == '-')
    negative = *p++ == '-';
  int_start = p;
  while (g_ascii_isdigit (*p))
    p++;
  int_len = (size_t) (p - int_start);
  if (*p == '.')
    {
      frac_start = ++p;
      while (g_ascii_isdigit (*p))
        p++;
      frac_len = (size_t) (p - frac_start);
    }
  if (int_len + frac_len == 0)
    return g_strdup (text);
  if (*p == 'e' || *p == 'E')
    {
      bool exp_negative = false;
      size_t exp_digits = 0;
      p++;
      if (*p == '+' || *p == '-')
        exp_negative = *p++ == '-';
      while (g_ascii_isdigit (*p))
        {
          if (exponent < 100000)
            exponent = exponent * 10 + (*p - '0');
          p++;
          exp_digits++;
        }
      if (exp_digits == 0)
        return g_strdup (text);
      if (exp_negative)
        exponent = -exponent;
    }
  if (*p != '\0' || exponent > MAX_EXPONENT || exponent < -MAX_EXPONENT)
    return g_strdup (text);

  /* All digits in a row, and where the decimal point falls among them. */
  g_autoptr (GString) digits = g_string_sized_new (int_len + frac_len + 16);
  g_string_append_len (digits, int_start, (gssize) int_len);
  if (frac_len > 0)
    g_string_append_len (digits, frac_start, (gssize) frac_len);
  long point = (long) int_len + exponent;
  if (point < 0)
    {
      for (long i = 0; i < -point; i++)
        g_string_prepend_c (digits, '0');
      point = 0;
    }
  while ((long) digits->len < point)
    g_string_append_c (digits, '0');

  /* Integer part without leading zeros, fraction without trailing ones. */
  const char *ip = digits->str;
  size_t ilen = (size_t) point;
  while (ilen > 1 && *ip == '0')
    {
      ip++;
      ilen--;
    }
  const char *fp = digits->str + point;
  size_t flen = digits->len - (size_t) point;
  while (flen > 0 && fp[flen - 1] == '0')
    flen--;

  GString *out = g_string_sized_new (ilen + flen + 3);
  bool zero = (ilen == 0 || (ilen == 1 && *ip == '0')) && flen == 0;
  if (negative && !zero)
    g_string_append_c (out, '-');
  if (ilen == 0)
    g_string_append_c (out, '0');
  else
    g_string_append_len (out, ip, (gssize) ilen);
  if (flen > 0)
    {
      g_string_append_c (out, '.');
      g_string_append_len (out, fp, (gssize) flen);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Header                                                             */
/* ------------------------------------------------------------------ */

void
_ps_roster_header_init (PsRosterHeader *header, const PsRosterCell *cells, size_t n_cells)
{
  memset (header, 0, sizeof *header);
  header->n_columns = n_cells;
  header->fields = g_new (int, MAX (n_cells, 1));

  for (size_t i = 0; i < n_cells; i++)
    {
      const char *d = cells[i].data;
      size_t n = cells[i].len;
      PsField field;

      header->fields[i] = -1;
      _ps_roster_trim (&d, &n);
      /* A BOM left by an editor that wrote one per cell, or by a GB18030
       * file that carried its own. */
      while (n >= 3 && memcmp (d, "\xEF\xBB\xBF", 3) == 0)
        {
          d += 3;
          n -= 3;
          _ps_roster_trim (&d, &n);
        }
      if (n == 0 || n > 256 || memchr (d, '\0', n) != NULL)
        continue;

      g_autofree char *name = g_strndup (d, n);
      if (!ps_field_lookup (name, &field) || (int) field < 0 || field >= PS_N_FIELDS)
        continue;
      if (header->has[field])
        continue;   /* a repeated header: the first column wins */
      header->has[field] = true;
      header->fields[i] = (int) field;
    }
}

void
_ps_roster_header_clear (PsRosterHeader *header)
{
  g_clear_pointer (&header->fields, g_free);
  header->n_columns = 0;
}

bool
_ps_roster_header_has_any (const PsRosterHeader *header)
{
  for (size_t f = 0; f < PS_N_FIELDS; f++)
    if (header->has[f])
      return true;
  return false;
}

bool
_ps_roster_check_required (const PsRoster *roster, const bool has[PS_N_FIELDS],
                           const char *where, GError **error)
{
  g_autoptr (GString) missing = g_string_new (NULL);
  size_t n_missing = 0;

  for (size_t i = 0; i < G_N_ELEMENTS (required_fields); i++)
    {
      PsField f = required_fields[i];
      if (has[f])
        continue;
      if (n_missing++ > 0)
        g_string_append (missing, ", ");
      g_string_append_printf (missing, "%s (%s)", ps_field_get_label (f),
                              ps_field_get_key (f));
    }
  if (n_missing == 0)
    return true;

  g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_MISSING_COLUMN,
               "roster '%s'%s%s: missing required column%s: %s", roster->path,
               where != NULL ? " " : "", where != NULL ? where : "",
               n_missing > 1 ? "s" : "", missing->str);
  return false;
}

/* ------------------------------------------------------------------ */
/* Rows                                                               */
/* ------------------------------------------------------------------ */

static void
add_problem_va (GPtrArray *list, const PsRoster *roster, int row, const char *xh,
                const char *cjm, const char *field, const char *format, va_list args)
{
  g_autofree char *reason = g_strdup_vprintf (format, args);
  g_ptr_array_add (list, ps_problem_new (roster->path, row, xh, cjm, field, reason));
}

void
_ps_roster_add_bad_row (PsRoster *roster, int row, const char *xh, const char *cjm,
                        const char *field, const char *format, ...)
{
  va_list args;

  roster->n_rows++;
  va_start (args, format);
  add_problem_va (roster->problems, roster, row, xh, cjm, field, format, args);
  va_end (args);
}

void
_ps_roster_add_warning (PsRoster *roster, int row, const char *xh, const char *cjm,
                        const char *field, const char *format, ...)
{
  va_list args;

  if (roster->warnings == NULL)
    roster->warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_problem_free);
  va_start (args, format);
  add_problem_va (roster->warnings, roster, row, xh, cjm, field, format, args);
  va_end (args);
}

/* Names a cell in a problem: its field key, else its column number. */
static char *
describe_cell (int field, size_t column)
{
  if (field >= 0)
    return g_strdup_printf ("field '%s'", ps_field_get_key ((PsField) field));
  return g_strdup_printf ("column %zu", column + 1);
}

/* The fields that identify a student or a capture.  Stored as numbers, they
 * lose digits; compared, they must be exact. */
static bool
is_identifier (int field)
{
  return field == PS_FIELD_XH || field == PS_FIELD_ZJHM || field == PS_FIELD_CJM
         || field == PS_FIELD_SJC || field == PS_FIELD_YXDM;
}

static PsTextKind
text_kind (int field)
{
  switch (field)
    {
    case PS_FIELD_XM:
      return PS_TEXT_NAME;
    case PS_FIELD_ZJHM:
      return PS_TEXT_ID_NUMBER;
    case PS_FIELD_XH:
    case PS_FIELD_CJM:
    case PS_FIELD_SJC:
    case PS_FIELD_YXDM:
    case PS_FIELD_COPIES:
      return PS_TEXT_IDENTIFIER;
    default:
      return PS_TEXT_PLAIN;
    }
}

/* Digits of the integer part of an exact decimal, leading zeros left out
 * ("-0012.5" -> 2). */
static size_t
integer_digits (const char *s, size_t len)
{
  size_t i = 0, n = 0;

  if (i < len && (s[i] == '-' || s[i] == '+'))
    i++;
  while (i < len && s[i] == '0')
    i++;
  while (i < len && g_ascii_isdigit (s[i]))
    {
      i++;
      n++;
    }
  return n;
}

/* Excel shows a long number as 2.01818E+14, and a CSV saved from such a
 * sheet carries that text: digits, maybe a fraction, E, an exponent. */
static bool
looks_like_exponent (const char *s)
{
  const char *p = s;

  if (!g_ascii_isdigit (*p))
    return false;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p != 'E' && *p != 'e')
    return false;
  p++;
  if (*p == '+' || *p == '-')
    p++;
  if (!g_ascii_isdigit (*p))
    return false;
  while (g_ascii_isdigit (*p))
    p++;
  return *p == '\0';
}

/* The 1-based position of the first character of @value outside
 * [A-Za-z0-9] + @extra (the first character must be a letter or digit when
 * @alnum_first), or 0 if there is none. */
static size_t
first_outside (const char *value, const char *extra, bool alnum_first)
{
  size_t pos = 1;

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p), pos++)
    {
      if (g_ascii_isalnum (*p))
        continue;
      if ((pos > 1 || !alnum_first) && strchr (extra, *p) != NULL)
        continue;
      return pos;
    }
  return 0;
}

static const char exponent_advice[] =
  "looks like a number in exponent form (as Excel shows long numbers): its digits are "
  "lost — format the column as text and re-enter it";

/* 学号: ASCII letters and digits, and '-' after the first (2018-0101,
 * B18030101).  NULL if fine, else why not. */
static char *
check_xh (const char *xh)
{
  if (looks_like_exponent (xh))
    return g_strdup_printf ("学号 %s", exponent_advice);
  size_t pos = first_outside (xh, "-", true);
  if (pos > 0)
    return g_strdup_printf ("学号 may hold only ASCII letters, digits and '-' after the first "
                            "character; character %zu is not", pos);
  return NULL;
}

/* 证件号码: digits and letters (X of an 18-digit ID, passports), '*' of an
 * already masked part, parentheses of Hong Kong and Macau cards. */
static char *
check_zjhm (const char *id)
{
  if (looks_like_exponent (id))
    return g_strdup_printf ("证件号码 %s", exponent_advice);
  size_t pos = first_outside (id, "*()", false);
  if (pos > 0)
    return g_strdup_printf ("证件号码 may hold only ASCII letters, digits, '*' and "
                            "parentheses; character %zu is not", pos);
  return NULL;
}

/* @value if it can name a row in a message (plain ASCII letters, digits and
 * '-', not too long), else NULL: a name shifted into the wrong column must
 * not be printed as the row's 学号. */
static const char *
plain_identifier (const char *value)
{
  if (value == NULL || strlen (value) > 64 || first_outside (value, "-", false) > 0)
    return NULL;
  return value;
}

static const char *const excel_errors[] = {
  "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
  "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", NULL,
};

/* The warning text for what _ps_text_clean() did to @field. */
static char *
describe_changes (int field, const char *clean, const PsTextChanges *ch)
{
  GString *s = g_string_new (NULL);
  const char *sep = "";

  g_string_printf (s, "%s changed on import: ", ps_field_get_label ((PsField) field));
  if (ch->n_removed > 0)
    {
      g_string_append_printf (s, "removed %zu invisible character%s (U+%04X%s)", ch->n_removed,
                              ch->n_removed == 1 ? "" : "s", ch->first_removed,
                              ch->n_removed > 1 ? ", …" : "");
      sep = "; ";
    }
  if (ch->nfc)
    {
      g_string_append_printf (s, "%scomposed to Unicode NFC", sep);
      sep = "; ";
    }
  if (ch->width)
    {
      g_string_append_printf (s, "%sfull-width characters changed to ASCII", sep);
      sep = "; ";
    }
  if (ch->spaces)
    {
      if (field != PS_FIELD_XM)
        g_string_append_printf (s, "%sremoved the spaces inside", sep);
      else if (_ps_text_is_cjk_name (clean))
        g_string_append_printf (s, "%sremoved the spaces inside a Chinese name", sep);
      else
        g_string_append_printf (s, "%scollapsed repeated spaces", sep);
    }
  return g_string_free (s, FALSE);
}

/* The first problem of a row wins; later ones are dropped. */
static void set_reason (char **reason, int *bad_field, int field, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static void
set_reason (char **reason, int *bad_field, int field, const char *format, ...)
{
  va_list args;

  if (*reason != NULL)
    return;
  va_start (args, format);
  *reason = g_strdup_vprintf (format, args);
  va_end (args);
  *bad_field = field;
}

/* Why a cell of this kind cannot be @field's value, or NULL. */
static char *
check_kind (const PsRoster *roster, int field, const PsRosterCell *cell)
{
  const char *label = ps_field_get_label ((PsField) field);

  switch (cell->kind)
    {
    case PS_ROSTER_CELL_ERROR:
      for (size_t i = 0; excel_errors[i] != NULL; i++)
        if (cell->data != NULL && strlen (excel_errors[i]) == cell->len
            && memcmp (cell->data, excel_errors[i], cell->len) == 0)
          return g_strdup_printf ("%s is an Excel error value (%s); fix the cell or its formula",
                                  label, excel_errors[i]);
      return g_strdup_printf ("%s is an Excel error value; fix the cell or its formula", label);
    case PS_ROSTER_CELL_COMPOUND:
      return g_strdup_printf ("field '%s' is not a string or a number",
                              ps_field_get_key ((PsField) field));
    case PS_ROSTER_CELL_BOOLEAN:
      if (field == PS_FIELD_PRIORITY)
        return NULL;
      return g_strdup_printf ("%s is a TRUE/FALSE value, not text", label);
    case PS_ROSTER_CELL_FLOAT:
      if (is_identifier (field))
        return g_strdup_printf ("%s is a JSON number with a fraction or an exponent; "
                                "write it as a string", label);
      return NULL;
    case PS_ROSTER_CELL_NUMBER:
      if (!is_identifier (field) || integer_digits (cell->data, cell->len) <= 15)
        return NULL;
      if (g_strcmp0 (roster->format, "jsonl") == 0)
        return g_strdup_printf ("%s is a JSON number of more than 15 digits, which most "
                                "programs round; write it as a string", label);
      return g_strdup_printf ("%s is stored as a number; Excel keeps only 15 digits — "
                              "format the column as text and re-enter it", label);
    case PS_ROSTER_CELL_TEXT:
    default:
      return NULL;
    }
}

/* The shared core: @fields[i] is the PsField of @cells[i] (or -1).  Cells at
 * or beyond @n_cells are empty. */
static void
add_row (PsRoster *roster, int row, const int *fields, size_t n_fields,
         const PsRosterCell *cells, size_t n_cells)
{
  char *values[PS_N_FIELDS] = { NULL };
  char *notes[PS_N_FIELDS] = { NULL };    /* warnings: what import changed */
  char *reason = NULL;
  int bad_field = -1;
  const size_t max_field = roster->options.max_field_bytes;

  for (size_t i = 0; i < n_fields; i++)
    {
      static const PsRosterCell empty = { NULL, 0, PS_ROSTER_CELL_TEXT };
      const PsRosterCell *cell = i < n_cells ? &cells[i] : &empty;
      const char *d = cell->data;
      size_t n = d != NULL ? cell->len : 0;
      int f = fields[i];

      if (n > max_field)
        {
          g_autofree char *what = describe_cell (f, i);
          set_reason (&reason, &bad_field, f, "%s is longer than %zu bytes", what, max_field);
          continue;
        }
      if (n > 0 && memchr (d, '\0', n) != NULL)
        {
          g_autofree char *what = describe_cell (f, i);
          set_reason (&reason, &bad_field, f, "%s contains a NUL byte", what);
          continue;
        }
      if (f < 0 || values[f] != NULL)
        continue;
      char *wrong_kind = check_kind (roster, f, cell);
      if (wrong_kind != NULL)
        {
          set_reason (&reason, &bad_field, f, "%s", wrong_kind);
          g_free (wrong_kind);
          continue;
        }
      _ps_roster_trim (&d, &n);
      if (n == 0)
        continue;
      if (!g_utf8_validate_len (d, n, NULL))
        {
          g_autofree char *what = describe_cell (f, i);
          set_reason (&reason, &bad_field, f, "%s is not valid UTF-8", what);
          continue;
        }
      /* A file name is looked up as it is written (a disk may hold it
       * decomposed). */
      if (f == PS_FIELD_PHOTO)
        {
          values[f] = g_strndup (d, n);
          continue;
        }
      PsTextChanges changes;
      char *clean = _ps_text_clean (d, n, text_kind (f), &changes);
      if (changes.n_removed > 0 || changes.nfc || changes.width || changes.spaces)
        notes[f] = describe_changes (f, clean, &changes);
      if (*clean == '\0')
        g_free (clean);
      else
        values[f] = clean;
    }

  /* What masking cannot make safe, and identifiers that would not match
   * anything (reprint --xh) or are a name in the wrong column. */
  g_autofree char *xh_problem = values[PS_FIELD_XH] != NULL ? check_xh (values[PS_FIELD_XH])
                                                            : NULL;
  if (values[PS_FIELD_XM] != NULL)
    {
      gunichar mark = _ps_text_find_mark (values[PS_FIELD_XM]);
      if (mark != 0)
        set_reason (&reason, &bad_field, PS_FIELD_XM,
                    "姓名 has a combining mark or variation selector U+%04X: re-enter the name",
                    mark);
    }
  if (xh_problem != NULL)
    set_reason (&reason, &bad_field, PS_FIELD_XH, "%s", xh_problem);
  if (values[PS_FIELD_ZJHM] != NULL)
    {
      g_autofree char *why = check_zjhm (values[PS_FIELD_ZJHM]);
      if (why != NULL)
        set_reason (&reason, &bad_field, PS_FIELD_ZJHM, "%s", why);
    }

  /* Mask on the way in: from here on only the masked forms exist. */
  if (reason == NULL && values[PS_FIELD_XM] != NULL)
    {
      char *masked = ps_mask_name (values[PS_FIELD_XM], roster->options.mask_style);
      _ps_roster_wipe_string (values[PS_FIELD_XM]);
      values[PS_FIELD_XM] = NULL;
      if (masked == NULL)
        set_reason (&reason, &bad_field, PS_FIELD_XM,
                    "field 'xm' cannot be masked (not valid UTF-8)");
      else if (*masked == '\0')
        g_free (masked);
      else
        values[PS_FIELD_XM] = masked;
    }
  if (reason == NULL && values[PS_FIELD_ZJHM] != NULL)
    {
      char *masked = ps_mask_id (values[PS_FIELD_ZJHM]);
      _ps_roster_wipe_string (values[PS_FIELD_ZJHM]);
      values[PS_FIELD_ZJHM] = NULL;
      if (masked == NULL)
        set_reason (&reason, &bad_field, PS_FIELD_ZJHM,
                    "field 'zjhm' cannot be masked (not valid UTF-8)");
      else if (*masked == '\0')
        g_free (masked);
      else
        values[PS_FIELD_ZJHM] = masked;
    }

  /* 学号 and 采集码 identify the row for the user; neither is personal, as
   * long as each is what its column should hold. */
  const char *xh = xh_problem == NULL ? plain_identifier (values[PS_FIELD_XH]) : NULL;
  const char *cjm = plain_identifier (values[PS_FIELD_CJM]);

  roster->n_rows++;
  if (reason != NULL)
    {
      g_ptr_array_add (roster->problems,
                       ps_problem_new (roster->path, row, xh, cjm,
                                       bad_field >= 0 ? ps_field_get_key ((PsField) bad_field)
                                                      : NULL,
                                       reason));
      g_free (reason);
      for (size_t f = 0; f < PS_N_FIELDS; f++)
        {
          _ps_roster_wipe_string (values[f]);
          g_free (notes[f]);
        }
      return;
    }

  for (size_t f = 0; f < PS_N_FIELDS; f++)
    if (notes[f] != NULL)
      {
        _ps_roster_add_warning (roster, row, xh, cjm, ps_field_get_key ((PsField) f), "%s",
                                notes[f]);
        g_free (notes[f]);
      }
  PsRecord *record = g_new0 (PsRecord, 1);
  record->row = row;
  memcpy (record->values, values, sizeof values);
  g_ptr_array_add (roster->records, record);
}

void
_ps_roster_add_cells (PsRoster *roster, int row, const PsRosterHeader *header,
                      const PsRosterCell *cells, size_t n_cells)
{
  add_row (roster, row, header->fields, header->n_columns, cells, n_cells);
}

void
_ps_roster_add_fields (PsRoster *roster, int row, const PsRosterCell cells[PS_N_FIELDS])
{
  static const int identity[PS_N_FIELDS] = {
    PS_FIELD_SJC, PS_FIELD_CJM, PS_FIELD_YXDM, PS_FIELD_ZJHM, PS_FIELD_XH,
    PS_FIELD_CC, PS_FIELD_XLLB, PS_FIELD_XM, PS_FIELD_BH, PS_FIELD_FY,
    PS_FIELD_PHOTO, PS_FIELD_COPIES, PS_FIELD_PRIORITY,
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (identity) == PS_N_FIELDS);

  add_row (roster, row, identity, PS_N_FIELDS, cells, PS_N_FIELDS);
}

/* ------------------------------------------------------------------ */
/* Text decoding                                                      */
/* ------------------------------------------------------------------ */

/* Length of the longest valid UTF-8 prefix, NUL bytes allowed (a NUL is a
 * problem of its row, not of the file's encoding). */
static size_t
utf8_valid_prefix (const char *data, size_t len)
{
  size_t pos = 0;

  while (pos < len)
    {
      const char *end = NULL;
      size_t chunk = MIN (len - pos, (size_t) G_MAXSSIZE);
      if (g_utf8_validate_len (data + pos, chunk, &end))
        {
          pos += chunk;
          continue;
        }
      pos = (size_t) (end - data);
      if (data[pos] != '\0')
        return pos;
      pos++;
    }
  return len;
}

/* Decodes @data one physical line at a time (a LF never occurs inside a
 * UTF-8 or GB18030 character).  A line that does not decode becomes an empty
 * line in the output and its number goes to *@bad_lines.  Fails (with the
 * first bad line in *@first_bad) when the first line - the header, as a
 * rule - or more than half of the lines are damaged: then the file as a
 * whole is not in one encoding we read. */
static bool
decode_by_line (const char *data, size_t len, bool utf8, char **out, size_t *out_len,
                GArray **bad_lines, int *first_bad)
{
  /* Sized once, so that no reallocation leaves a copy of names behind. */
  GString *s = g_string_sized_new (len + len / 2 + 16);
  GArray *bad = g_array_new (FALSE, FALSE, sizeof (int));
  int line = 1;

  for (size_t pos = 0; pos < len; line++)
    {
      const char *nl = memchr (data + pos, '\n', len - pos);
      size_t end = nl != NULL ? (size_t) (nl - data) + 1 : len;
      size_t n = end - pos;
      bool ok;

      if (utf8)
        {
          ok = utf8_valid_prefix (data + pos, n) == n;
          if (ok)
            g_string_append_len (s, data + pos, (gssize) n);
        }
      else
        {
          gsize written = 0;
          char *c = g_convert (data + pos, (gssize) n, "UTF-8", "GB18030", NULL, &written, NULL);
          ok = c != NULL;
          if (ok)
            g_string_append_len (s, c, (gssize) written);
          _ps_roster_wipe_free (c, written);
        }
      if (!ok)
        {
          g_array_append_val (bad, line);
          if (nl != NULL)
            g_string_append_c (s, '\n');
        }
      pos = end;
    }

  int n_lines = line - 1;
  int first = bad->len > 0 ? g_array_index (bad, int, 0) : 0;
  if (bad->len > 0 && (first == 1 || (int) bad->len * 2 > n_lines))
    {
      *first_bad = first;
      g_array_unref (bad);
      size_t used = s->len;
      _ps_roster_wipe_free (g_string_free (s, FALSE), used);
      return false;
    }
  *out_len = s->len;
  *out = g_string_free (s, FALSE);
  if (bad->len > 0)
    *bad_lines = bad;
  else
    g_array_unref (bad);
  return true;
}

/* The first line of *@bad_lines in [@from, @to), or 0. */
int
_ps_roster_bad_line_in (const GArray *bad_lines, int from, int to)
{
  for (guint i = 0; bad_lines != NULL && i < bad_lines->len; i++)
    {
      int line = g_array_index (bad_lines, int, i);
      if (line >= from && line < to)
        return line;
    }
  return 0;
}

bool
_ps_roster_decode (PsRoster *roster, const char *data, size_t len,
                   const char **text, size_t *text_len,
                   char **converted, size_t *converted_len, GArray **bad_lines,
                   GError **error)
{
  const char *start = data;
  size_t n = len;

  *converted = NULL;
  *converted_len = 0;
  *bad_lines = NULL;
  if (n >= 3 && memcmp (start, "\xEF\xBB\xBF", 3) == 0)
    {
      start += 3;
      n -= 3;
    }

  size_t utf8_end = utf8_valid_prefix (start, n);
  if (utf8_end == n)
    {
      roster->encoding = "UTF-8";
      *text = start;
      *text_len = n;
      return true;
    }

  /* Not UTF-8: Chinese Excel saves CSV as GBK, which GB18030 covers. */
  g_autoptr (GError) local = NULL;
  gsize bytes_read = 0, bytes_written = 0;
  char *out = g_convert (data, (gssize) len, "UTF-8", "GB18030", &bytes_read,
                         &bytes_written, &local);
  if (out == NULL)
    {
      if (g_error_matches (local, G_CONVERT_ERROR, G_CONVERT_ERROR_NO_CONVERSION))
        {
          g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING,
                       "roster '%s': bytes are not UTF-8 and GB18030 is not available",
                       roster->path);
          return false;
        }
      /* The decoding that got further is most likely the one the file is
       * in: decode it line by line, and let each damaged line be a problem
       * of its own row rather than of the whole batch. */
      size_t utf8_stop = utf8_end + (size_t) (start - data);
      bool use_utf8 = utf8_stop >= (size_t) bytes_read;
      int first_bad = 0;
      if (!decode_by_line (use_utf8 ? start : data, use_utf8 ? n : len, use_utf8, converted,
                           converted_len, bad_lines, &first_bad))
        {
          g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING,
                       "roster '%s' line %d: bytes are neither UTF-8 nor GB18030",
                       roster->path, first_bad);
          return false;
        }
      roster->encoding = use_utf8 ? "UTF-8" : "GB18030";
      *text = *converted;
      *text_len = *converted_len;
      if (*text_len >= 3 && memcmp (*text, "\xEF\xBB\xBF", 3) == 0)
        {
          *text += 3;
          *text_len -= 3;
        }
      return true;
    }

  roster->encoding = "GB18030";
  *converted = out;
  *converted_len = bytes_written;
  *text = out;
  *text_len = bytes_written;
  if (*text_len >= 3 && memcmp (*text, "\xEF\xBB\xBF", 3) == 0)
    {
      *text += 3;
      *text_len -= 3;
    }
  return true;
}

/* ------------------------------------------------------------------ */
/* Loading                                                            */
/* ------------------------------------------------------------------ */

typedef enum {
  FORMAT_CSV,
  FORMAT_XLSX,
  FORMAT_JSONL,
} Format;

static bool
has_suffix_ci (const char *path, const char *suffix)
{
  size_t n = strlen (path), k = strlen (suffix);
  return n >= k && g_ascii_strcasecmp (path + n - k, suffix) == 0;
}

/* From @i on, the first byte that is not a UTF-8 BOM or ASCII white space. */
static size_t
skip_space (const char *data, size_t len, size_t i)
{
  if (i == 0 && len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
    i++;
  return i;
}

/* UTF-16 as Excel saves "Unicode Text": a byte order mark, or - without
 * one - ASCII text with a zero byte in every other position.  A CSV in UTF-8
 * or GB18030 holds no zero bytes but a stray one (a problem of its row). */
static bool
looks_like_utf16 (const char *data, size_t len)
{
  const guchar *p = (const guchar *) data;

  if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
    return true;

  size_t n = MIN (len, 512) & ~(size_t) 1;
  size_t zeros[2] = { 0, 0 };
  for (size_t i = 0; i < n; i++)
    if (p[i] == 0)
      zeros[i & 1]++;
  size_t units = n / 2;
  for (int parity = 0; parity < 2; parity++)
    if (zeros[parity] >= 4 && zeros[!parity] == 0 && zeros[parity] * 4 >= units)
      return true;
  return false;
}

/* Content first (a renamed file is still what it is), then the name. */
static bool
sniff_format (const PsRoster *roster, const char *data, size_t len, Format *format,
              GError **error)
{
  if (len >= 4 && data[0] == 'P' && data[1] == 'K'
      && ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6)))
    {
      *format = FORMAT_XLSX;
      return true;
    }
  if (len >= 8 && memcmp (data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
    {
      g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                   "roster '%s': an old binary Excel file (.xls) cannot be read; "
                   "save it as .xlsx or CSV", roster->path);
      return false;
    }

  if (looks_like_utf16 (data, len))
    {
      g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING,
                   "roster '%s': is UTF-16 text (Excel 'Unicode Text'); "
                   "save it as CSV UTF-8 or XLSX", roster->path);
      return false;
    }

  size_t i = skip_space (data, len, 0);
  if (i < len && data[i] == '{')
    {
      *format = FORMAT_JSONL;
      return true;
    }
  /* [ then an object, an array, a string, a number or ]: one JSON document
   * holding a list, as many tools write "JSON" (a CSV header never starts
   * like that). */
  if (i < len && data[i] == '[')
    {
      size_t k = skip_space (data, len, i + 1);
      if (k >= len || strchr ("{[\"]-0123456789", data[k]) != NULL)
        {
          g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                       "roster '%s': is a JSON array; photosheet reads JSON Lines, "
                       "one object per line", roster->path);
          return false;
        }
    }

  if (has_suffix_ci (roster->path, ".xlsx") || has_suffix_ci (roster->path, ".xlsm"))
    *format = FORMAT_XLSX;
  else if (has_suffix_ci (roster->path, ".jsonl") || has_suffix_ci (roster->path, ".json")
           || has_suffix_ci (roster->path, ".ndjson"))
    *format = FORMAT_JSONL;
  else
    *format = FORMAT_CSV;
  return true;
}

static int
compare_problems (gconstpointer a, gconstpointer b)
{
  const PsProblem *pa = *(const PsProblem *const *) a;
  const PsProblem *pb = *(const PsProblem *const *) b;
  return (pa->row > pb->row) - (pa->row < pb->row);
}

PsRoster *
ps_roster_load (const char *path, const PsRosterOptions *options, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (PsRoster) roster = g_new0 (PsRoster, 1);
  roster->path = g_strdup (path);
  roster->encoding = "UTF-8";
  roster->records = g_ptr_array_new_with_free_func ((GDestroyNotify) _ps_record_free);
  roster->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_problem_free);
  if (options != NULL)
    roster->options = *options;
  if (roster->options.max_bytes == 0)
    roster->options.max_bytes = PS_ROSTER_DEFAULT_MAX_BYTES;
  if (roster->options.max_field_bytes == 0)
    roster->options.max_field_bytes = PS_ROSTER_DEFAULT_MAX_FIELD_BYTES;

  /* Only a regular file, refused above the limit before it is read. */
  g_autoptr (GBytes) bytes = NULL;
  if (!_ps_file_read_regular_full (path, roster->options.max_bytes, "roster", PS_ROSTER_ERROR,
                                   PS_ROSTER_ERROR_OPEN, PS_ROSTER_ERROR_TOO_LARGE, &bytes,
                                   error))
    return NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  bool ok = false;
  Format format = FORMAT_CSV;
  if (len == 0)
    g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                 "roster '%s': file is empty", path);
  else if (sniff_format (roster, data, len, &format, error))
    {
      roster->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data,
                                                    len);
      switch (format)
        {
        case FORMAT_XLSX:
          roster->format = g_strdup ("xlsx");
          ok = _ps_roster_read_xlsx (roster, data, len, error);
          break;
        case FORMAT_JSONL:
          roster->format = g_strdup ("jsonl");
          ok = _ps_roster_read_jsonl (roster, data, len, error);
          break;
        case FORMAT_CSV:
        default:
          roster->format = g_strdup ("csv");
          ok = _ps_roster_read_csv (roster, data, len, error);
          break;
        }
    }

  /* The raw bytes hold every full name and ID number of the file: the
   * reader's buffer is wiped when the last reference goes. */
  g_clear_pointer (&bytes, g_bytes_unref);
  if (!ok)
    return NULL;

  g_ptr_array_sort (roster->problems, compare_problems);   /* stable */
  if (roster->warnings != NULL)
    g_ptr_array_sort (roster->warnings, compare_problems);
  return g_steal_pointer (&roster);
}

void
ps_roster_free (PsRoster *roster)
{
  if (roster == NULL)
    return;
  g_free (roster->path);
  g_free (roster->format);
  g_free (roster->sha256);
  g_clear_pointer (&roster->records, g_ptr_array_unref);
  g_clear_pointer (&roster->problems, g_ptr_array_unref);
  g_clear_pointer (&roster->warnings, g_ptr_array_unref);
  g_free (roster);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                          */
/* ------------------------------------------------------------------ */

const char *
ps_roster_get_path (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, NULL);
  return roster->path;
}

const char *
ps_roster_get_format (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, NULL);
  return roster->format;
}

const char *
ps_roster_get_encoding (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, NULL);
  return roster->encoding;
}

size_t
ps_roster_get_n_rows (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, 0);
  return roster->n_rows;
}

size_t
ps_roster_get_n_records (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, 0);
  return roster->records->len;
}

const PsRecord *
ps_roster_get_record (const PsRoster *roster, size_t index)
{
  g_return_val_if_fail (roster != NULL, NULL);
  g_return_val_if_fail (index < roster->records->len, NULL);
  return g_ptr_array_index (roster->records, index);
}

size_t
ps_roster_get_n_problems (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, 0);
  return roster->problems->len;
}

const PsProblem *
ps_roster_get_problem (const PsRoster *roster, size_t index)
{
  g_return_val_if_fail (roster != NULL, NULL);
  g_return_val_if_fail (index < roster->problems->len, NULL);
  return g_ptr_array_index (roster->problems, index);
}

size_t
ps_roster_get_n_warnings (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, 0);
  return roster->warnings != NULL ? roster->warnings->len : 0;
}

const PsProblem *
ps_roster_get_warning (const PsRoster *roster, size_t index)
{
  g_return_val_if_fail (roster != NULL, NULL);
  g_return_val_if_fail (index < ps_roster_get_n_warnings (roster), NULL);
  return g_ptr_array_index (roster->warnings, index);
}

const char *
ps_roster_get_sha256 (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, NULL);
  return roster->sha256;
}

PsMaskStyle
ps_roster_get_mask_style (const PsRoster *roster)
{
  g_return_val_if_fail (roster != NULL, PS_MASK_PER_CHARACTER);
  return roster->options.mask_style;
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

PsRosterOptions *
ps_roster_options_new (void)
{
  PsRosterOptions *options = g_new0 (PsRosterOptions, 1);
  options->mask_style = PS_MASK_PER_CHARACTER;
  return options;
}

void
ps_roster_options_free (PsRosterOptions *options)
{
  g_free (options);
}

void
ps_roster_options_set_mask_style (PsRosterOptions *options, PsMaskStyle style)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (style == PS_MASK_PER_CHARACTER || style == PS_MASK_FIXED);
  options->mask_style = style;
}

void
ps_roster_options_set_limits (PsRosterOptions *options, size_t max_bytes,
                              size_t max_field_bytes)
{
  g_return_if_fail (options != NULL);
  options->max_bytes = max_bytes;
  options->max_field_bytes = max_field_bytes;
}
