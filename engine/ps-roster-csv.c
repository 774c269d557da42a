/* ps-roster-csv.c - the CSV roster reader (RFC 4180, UTF-8 or GB18030).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One pass over the decoded bytes.  Rows are numbered as Excel shows them:
 * one per record (a quoted field with newlines is still one row), header = 1,
 * blank rows counted in the numbering but not read.  A row whose quoting is
 * broken becomes a problem and parsing resumes on the physical line after the
 * one where the bad quoted field opened, so one stray quote costs one row.
 * That cannot go quadratic: a quote left open runs to EOF only if no quote
 * follows it, and then no later line opens one.
 */
#include "config.h"
#include "ps-roster-private.h"

#include <string.h>

typedef enum {
  CSV_OK,
  CSV_EOF,
  CSV_UNTERMINATED,     /* a quoted field runs to the end of the file */
  CSV_AFTER_QUOTE,      /* a closing quote followed by something else than , or EOL */
} CsvStatus;

typedef struct {
  size_t offset;        /* into buf */
  size_t len;
} CsvSpan;

typedef struct {
  const char *data;
  size_t      len;
  size_t      pos;
  int         line;     /* physical line of pos, 1-based */

  GString    *buf;      /* unescaped cells of the current record */
  GArray     *spans;    /* CsvSpan */
  GArray     *cells;    /* PsRosterCell, into buf */

  int         bad_line; /* where the failing quoted field opened */
  size_t      bad_offset;
} CsvParser;

/* Line breaks in data[from, to): LF, CRLF (once), lone CR. */
static int
count_lines (const char *data, size_t len, size_t from, size_t to)
{
  int n = 0;

  for (size_t i = from; i < to; i++)
    {
      if (data[i] == '\n')
        n++;
      else if (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n'))
        n++;
    }
  return n;
}

static void
parser_wipe_record (CsvParser *p)
{
  if (p->buf->len > 0)
    memset (p->buf->str, 0, p->buf->len);
  g_string_truncate (p->buf, 0);
  g_array_set_size (p->spans, 0);
  g_array_set_size (p->cells, 0);
}

static CsvStatus
parse_record (CsvParser *p)
{
  const char *data = p->data;
  const size_t len = p->len;

  parser_wipe_record (p);
  if (p->pos >= len)
    return CSV_EOF;

  for (;;)
    {
      CsvSpan span = { p->buf->len, 0 };

      if (p->pos < len && data[p->pos] == '"')
        {
          size_t open = p->pos;
          int open_line = p->line;

          p->pos++;
          for (;;)
            {
              const char *q = memchr (data + p->pos, '"', len - p->pos);
              if (q == NULL)
                {
                  p->bad_line = open_line;
                  p->bad_offset = open;
                  return CSV_UNTERMINATED;
                }
              size_t qpos = (size_t) (q - data);
              p->line += count_lines (data, len, p->pos, qpos);
              g_string_append_len (p->buf, data + p->pos, (gssize) (qpos - p->pos));
              p->pos = qpos + 1;
              if (p->pos < len && data[p->pos] == '"')
                {
                  g_string_append_c (p->buf, '"');
                  p->pos++;
                  continue;
                }
              break;
            }
          if (p->pos < len && data[p->pos] != ',' && data[p->pos] != '\n'
              && data[p->pos] != '\r')
            {
              p->bad_line = open_line;
              p->bad_offset = open;
              return CSV_AFTER_QUOTE;
            }
        }
      else
        {
          size_t start = p->pos;
          while (p->pos < len)
            {
              char c = data[p->pos];
              if (c == ',' || c == '\n' || c == '\r')
                break;
              p->pos++;
            }
          g_string_append_len (p->buf, data + start, (gssize) (p->pos - start));
        }

      span.len = p->buf->len - span.offset;
      g_array_append_val (p->spans, span);

      if (p->pos >= len)
        return CSV_OK;
      if (data[p->pos] == ',')
        {
          p->pos++;
          continue;
        }
      /* end of line: CRLF, LF or a lone CR */
      if (data[p->pos] == '\r' && p->pos + 1 < len && data[p->pos + 1] == '\n')
        p->pos++;
      p->pos++;
      p->line++;
      return CSV_OK;
    }
}

/* After a broken quote: continue on the line after the one it opened on. */
static void
parser_resume (CsvParser *p)
{
  size_t i = p->bad_offset;

  while (i < p->len && p->data[i] != '\n' && p->data[i] != '\r')
    i++;
  if (i < p->len)
    {
      if (p->data[i] == '\r' && i + 1 < p->len && p->data[i + 1] == '\n')
        i++;
      i++;
    }
  p->pos = i;
  p->line = p->bad_line + 1;
}

static const PsRosterCell *
parser_cells (CsvParser *p)
{
  g_array_set_size (p->cells, p->spans->len);
  for (size_t i = 0; i < p->spans->len; i++)
    {
      CsvSpan *s = &g_array_index (p->spans, CsvSpan, i);
      PsRosterCell *c = &g_array_index (p->cells, PsRosterCell, i);
      c->data = p->buf->str + s->offset;
      c->len = s->len;
      c->kind = PS_ROSTER_CELL_TEXT;
    }
  return (const PsRosterCell *) (void *) p->cells->data;
}

bool
_ps_roster_read_csv (PsRoster *roster, const char *data, size_t len, GError **error)
{
  const char *text = NULL;
  size_t text_len = 0;
  char *converted = NULL;
  size_t converted_len = 0;
  bool ok = false;

  g_autoptr (GArray) bad_lines = NULL;
  if (!_ps_roster_decode (roster, data, len, &text, &text_len, &converted, &converted_len,
                          &bad_lines, error))
    return false;

  CsvParser p = {
    .data = text,
    .len = text_len,
    .pos = 0,
    .line = 1,
    .buf = g_string_sized_new (4096),
    .spans = g_array_new (FALSE, FALSE, sizeof (CsvSpan)),
    .cells = g_array_new (FALSE, FALSE, sizeof (PsRosterCell)),
  };
  PsRosterHeader header = { 0 };
  bool have_header = false;
  int n_title_rows = 0;
  int row = 0;
  CsvStatus status;

  for (;;)
    {
      int first_line = p.line;
      if ((status = parse_record (&p)) == CSV_EOF)
        break;
      row++;
      /* A line that was not UTF-8 nor GB18030 was decoded as empty: the
       * record it belonged to is a problem of its row. */
      int bad = _ps_roster_bad_line_in (bad_lines, first_line, MAX (p.line, first_line + 1));
      if (bad > 0)
        {
          if (!have_header)
            {
              g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_ENCODING,
                           "roster '%s' line %d: bytes are neither UTF-8 nor GB18030",
                           roster->path, bad);
              goto out;
            }
          _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL,
                                  "bytes are neither UTF-8 nor GB18030 (line %d)", bad);
          if (status != CSV_OK)
            parser_resume (&p);
          continue;
        }
      if (status != CSV_OK)
        {
          const char *what = status == CSV_UNTERMINATED
                               ? "unterminated quoted field"
                               : "unexpected character after the closing quote of a field";
          if (!have_header)
            {
              g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                           "roster '%s' row %d: %s (line %d) in the header row",
                           roster->path, row, what, p.bad_line);
              goto out;
            }
          _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL, "%s (line %d)", what,
                                  p.bad_line);
          parser_resume (&p);
          continue;
        }

      const PsRosterCell *cells = parser_cells (&p);
      size_t n_cells = p.cells->len;

      if (_ps_roster_cells_blank (cells, n_cells))
        continue;
      if (!have_header)
        {
          /* One cell with tabs in it where the header should be: the file is
           * tab-separated (Excel's "Text (Tab delimited)"). */
          if (n_cells == 1 && memchr (cells[0].data, '\t', cells[0].len) != NULL)
            {
              g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                           "roster '%s' row %d: looks like tab-separated text (TSV); "
                           "save it as CSV or XLSX", roster->path, row);
              goto out;
            }
          _ps_roster_header_init (&header, cells, n_cells);
          if (!_ps_roster_header_has_any (&header) && n_title_rows < PS_ROSTER_MAX_TITLE_ROWS)
            {
              _ps_roster_header_clear (&header);
              n_title_rows++;
              continue;
            }
          have_header = true;
          if (!_ps_roster_check_required (roster, header.has, NULL, error))
            goto out;
          continue;
        }
      if (n_cells != header.n_columns)
        {
          /* No 学号 here: with the columns shifted it could be a name. */
          _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL,
                                  "row has %zu field%s, header has %zu", n_cells,
                                  n_cells == 1 ? "" : "s", header.n_columns);
          continue;
        }
      _ps_roster_add_cells (roster, row, &header, cells, n_cells);
    }

  if (!have_header)
    {
      /* Only rows that name no known column: say which columns are needed. */
      bool none[PS_N_FIELDS] = { false };
      if (n_title_rows > 0)
        _ps_roster_check_required (roster, none, NULL, error);
      else
        g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                     "roster '%s': no header row", roster->path);
      goto out;
    }
  ok = true;

out:
  parser_wipe_record (&p);
  g_string_free (p.buf, TRUE);
  g_array_unref (p.spans);
  g_array_unref (p.cells);
  _ps_roster_header_clear (&header);
  _ps_roster_wipe_free (converted, converted_len);
  return ok;
}
