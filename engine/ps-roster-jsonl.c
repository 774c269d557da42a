/* ps-roster-jsonl.c - the JSON Lines roster reader (one object per line).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Keys are record keys ("xh") or Chinese headers ("学号"); values strings,
 * numbers (as exact digits), true/false for 优先, or null (empty).  There is
 * no header row: rows are physical line numbers, first line = 1.  A line that
 * is not a JSON object is a problem of that line.  The required columns must
 * appear in some object of the file.
 *
 * json-glib checks that a line is JSON, but what it gives back is not always
 * what the line says: a repeated key keeps its last value, an integer beyond
 * 64 bits wraps around, 0123 reads as octal 83, and "\u0000" ends a string.
 * The members of each object are therefore read from the line itself by the
 * small scanner below; json-glib is only the validator.
 */
#include "config.h"
#include "ps-roster-private.h"

#include <string.h>
#include <json-glib/json-glib.h>

/* ------------------------------------------------------------------ */
/* Scanning one object                                                */
/* ------------------------------------------------------------------ */

typedef enum {
  TOKEN_STRING,
  TOKEN_NUMBER,
  TOKEN_TRUE,
  TOKEN_FALSE,
  TOKEN_NULL,
  TOKEN_COMPOUND,     /* an object or an array, skipped whole */
} TokenType;

typedef struct {
  TokenType   type;
  const char *start;  /* the token as written, quotes included */
  size_t      len;
  bool        integer; /* TOKEN_NUMBER without fraction or exponent */
} Token;

typedef struct {
  const char *p;
  const char *end;
} Scanner;

static void
skip_space (Scanner *sc)
{
  while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r' || *sc->p == '\n'))
    sc->p++;
}

/* A string from its opening quote to past its closing one. */
static bool
scan_string (Scanner *sc)
{
  if (sc->p >= sc->end || *sc->p != '"')
    return false;
  for (sc->p++; sc->p < sc->end; sc->p++)
    {
      unsigned char c = (unsigned char) *sc->p;
      if (c == '"')
        {
          sc->p++;
          return true;
        }
      if (c < 0x20)
        return false;
      if (c == '\\')
        sc->p++;
    }
  return false;
}

static size_t
skip_digits (Scanner *sc)
{
  size_t n = 0;
  while (sc->p < sc->end && g_ascii_isdigit (*sc->p))
    {
      sc->p++;
      n++;
    }
  return n;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
scan_number (Scanner *sc, bool *integer)
{
  *integer = true;
  if (sc->p < sc->end && *sc->p == '-')
    sc->p++;
  if (sc->p < sc->end && *sc->p == '0')
    sc->p++;
  else if (skip_digits (sc) == 0)
    return false;
  if (sc->p < sc->end && g_ascii_isdigit (*sc->p))
    return false;   /* a leading zero: 0123 */
  if (sc->p < sc->end && *sc->p == '.')
    {
      sc->p++;
      *integer = false;
      if (skip_digits (sc) == 0)
        return false;
    }
  if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E'))
    {
      sc->p++;
      *integer = false;
      if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
        sc->p++;
      if (skip_digits (sc) == 0)
        return false;
    }
  return true;
}

static bool
scan_literal (Scanner *sc, const char *word)
{
  size_t n = strlen (word);
  if ((size_t) (sc->end - sc->p) < n || memcmp (sc->p, word, n) != 0)
    return false;
  sc->p += n;
  return true;
}

/* An object or array, nested ones included, without recursion. */
static bool
skip_compound (Scanner *sc)
{
  size_t depth = 0;
  while (sc->p < sc->end)
    {
      char c = *sc->p;
      if (c == '"')
        {
          if (!scan_string (sc))
            return false;
          continue;
        }
      sc->p++;
      if (c == '{' || c == '[')
        depth++;
      else if ((c == '}' || c == ']') && --depth == 0)
        return true;
    }
  return false;
}

static bool
scan_value (Scanner *sc, Token *token)
{
  token->start = sc->p;
  token->integer = false;
  bool ok = false;
  if (sc->p >= sc->end)
    return false;
  switch (*sc->p)
    {
    case '"':
      token->type = TOKEN_STRING;
      ok = scan_string (sc);
      break;
    case '{':
    case '[':
      token->type = TOKEN_COMPOUND;
      ok = skip_compound (sc);
      break;
    case 't':
      token->type = TOKEN_TRUE;
      ok = scan_literal (sc, "true");
      break;
    case 'f':
      token->type = TOKEN_FALSE;
      ok = scan_literal (sc, "false");
      break;
    case 'n':
      token->type = TOKEN_NULL;
      ok = scan_literal (sc, "null");
      break;
    default:
      token->type = TOKEN_NUMBER;
      ok = scan_number (sc, &token->integer);
      break;
    }
  token->len = (size_t) (sc->p - token->start);
  return ok;
}

/* The members of the object that is the whole line, as (key, value) token
 * pairs in order.  False if the line is not exactly one object. */
static bool
scan_object (const char *line, size_t len, GArray *members)
{
  Scanner sc = { line, line + len };

  skip_space (&sc);
  if (sc.p >= sc.end || *sc.p != '{')
    return false;
  sc.p++;
  skip_space (&sc);
  if (sc.p < sc.end && *sc.p == '}')
    sc.p++;
  else
    for (;;)
      {
        Token pair[2];
        skip_space (&sc);
        if (!scan_value (&sc, &pair[0]) || pair[0].type != TOKEN_STRING)
          return false;
        skip_space (&sc);
        if (sc.p >= sc.end || *sc.p != ':')
          return false;
        sc.p++;
        skip_space (&sc);
        if (!scan_value (&sc, &pair[1]))
          return false;
        g_array_append_vals (members, pair, 2);
        skip_space (&sc);
        if (sc.p < sc.end && *sc.p == ',')
          {
            sc.p++;
            continue;
          }
        if (sc.p < sc.end && *sc.p == '}')
          {
            sc.p++;
            break;
          }
        return false;
      }
  skip_space (&sc);
  return sc.p == sc.end;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static bool
read_hex4 (const char *p, const char *end, gunichar *out)
{
  gunichar v = 0;
  if (end - p < 4)
    return false;
  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (p[i]);
      if (h < 0)
        return false;
      v = v * 16 + (gunichar) h;
    }
  *out = v;
  return true;
}

/* The text of a string token, escapes decoded; "\u0000" becomes a NUL byte
 * (a problem of the row, as in CSV).  NULL for a bad escape or a lone
 * surrogate.  Sized once: the buffer is wiped, never reallocated. */
static GString *
decode_string (const Token *token)
{
  const char *p = token->start + 1;
  const char *end = token->start + token->len - 1;
  GString *s = g_string_sized_new (token->len);

  while (p < end)
    {
      if (*p != '\\')
        {
          g_string_append_c (s, *p++);
          continue;
        }
      p++;
      if (p >= end)
        goto bad;
      char e = *p++;
      switch (e)
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          {
            gunichar c = 0, low = 0;
            if (!read_hex4 (p, end, &c))
              goto bad;
            p += 4;
            if (c >= 0xDC00 && c <= 0xDFFF)
              goto bad;
            if (c >= 0xD800 && c <= 0xDBFF)
              {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !read_hex4 (p + 2, end, &low)
                    || low < 0xDC00 || low > 0xDFFF)
                  goto bad;
                p += 6;
                c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
              }
            if (c == 0)
              g_string_append_c (s, '\0');
            else
              g_string_append_unichar (s, c);
            break;
          }
        default:
          goto bad;
        }
    }
  return s;

bad:
  memset (s->str, 0, s->len);
  g_string_free (s, TRUE);
  return NULL;
}

static void
wipe_gstring_free (GString *s)
{
  if (s == NULL)
    return;
  if (s->len > 0)
    memset (s->str, 0, s->len);
  g_string_free (s, TRUE);
}

/* ------------------------------------------------------------------ */
/* Lines                                                              */
/* ------------------------------------------------------------------ */

static bool
line_blank (const char *line, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return false;
  return true;
}

static void
read_line (PsRoster *roster, JsonParser *parser, int row, const char *line, size_t len,
           bool has[PS_N_FIELDS])
{
  if (memchr (line, '\0', len) != NULL)
    {
      _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL, "line contains a NUL byte");
      return;
    }
  /* The parser's own message may quote the text around the error: keep it
   * out of the problem, it could be part of a name. */
  if (!json_parser_load_from_data (parser, line, (gssize) len, NULL))
    {
      _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL, "line is not valid JSON");
      return;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL, "line is not a JSON object");
      return;
    }

  g_autoptr (GArray) members = g_array_new (FALSE, FALSE, sizeof (Token));
  if (!scan_object (line, len, members))
    {
      _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL, "line is not valid JSON");
      return;
    }

  GString *text[PS_N_FIELDS] = { NULL };   /* decoded values, wiped at the end */
  PsRosterCell cells[PS_N_FIELDS];
  bool seen[PS_N_FIELDS] = { false };
  g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *bad = NULL;

  memset (cells, 0, sizeof cells);
  for (guint i = 0; i + 1 < members->len && bad == NULL; i += 2)
    {
      const Token *key_token = &g_array_index (members, Token, i);
      const Token *value = &g_array_index (members, Token, i + 1);
      GString *key = decode_string (key_token);
      PsField field;

      if (key == NULL)
        {
          bad = g_strdup ("line is not valid JSON (a bad escape in a key)");
          break;
        }
      bool known = strlen (key->str) == key->len && ps_field_lookup (key->str, &field)
                   && (int) field >= 0 && field < PS_N_FIELDS;
      /* json-glib keeps the last of two equal keys, silently. */
      if (!g_hash_table_add (keys, g_strndup (key->str, key->len)))
        bad = known ? g_strdup_printf ("key '%s' appears twice in the object",
                                       ps_field_get_key (field))
                    : g_strdup ("a key appears twice in the object");
      else if (known && seen[field])
        bad = g_strdup_printf ("field '%s' appears twice in the object (under two names)",
                               ps_field_get_key (field));
      wipe_gstring_free (key);
      if (bad != NULL || !known)
        continue;

      seen[field] = true;
      PsRosterCell *cell = &cells[field];
      switch (value->type)
        {
        case TOKEN_STRING:
          text[field] = decode_string (value);
          if (text[field] == NULL)
            bad = g_strdup_printf ("field '%s' has a bad escape", ps_field_get_key (field));
          else
            {
              cell->data = text[field]->str;
              cell->len = text[field]->len;
              cell->kind = PS_ROSTER_CELL_TEXT;
            }
          break;
        case TOKEN_NUMBER:
          {
            /* Exact digits from the line, not from a double or a wrapped
             * 64-bit integer. */
            g_autofree char *raw = g_strndup (value->start, value->len);
            char *digits = _ps_roster_number_to_text (raw);
            text[field] = g_string_new (digits);
            _ps_roster_wipe_string (digits);
            _ps_roster_wipe_string (g_steal_pointer (&raw));
            cell->data = text[field]->str;
            cell->len = text[field]->len;
            cell->kind = value->integer ? PS_ROSTER_CELL_NUMBER : PS_ROSTER_CELL_FLOAT;
            break;
          }
        case TOKEN_TRUE:
        case TOKEN_FALSE:
          cell->data = value->type == TOKEN_TRUE ? "true" : "false";
          cell->len = strlen (cell->data);
          cell->kind = PS_ROSTER_CELL_BOOLEAN;
          break;
        case TOKEN_COMPOUND:
          cell->kind = PS_ROSTER_CELL_COMPOUND;
          break;
        case TOKEN_NULL:
        default:
          break;   /* null: the field is empty */
        }
    }

  if (bad != NULL)
    _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL, "%s", bad);
  else
    {
      for (size_t f = 0; f < PS_N_FIELDS; f++)
        if (seen[f])
          has[f] = true;
      _ps_roster_add_fields (roster, row, cells);
    }

  for (size_t f = 0; f < PS_N_FIELDS; f++)
    wipe_gstring_free (text[f]);
}

bool
_ps_roster_read_jsonl (PsRoster *roster, const char *data, size_t len, GError **error)
{
  const char *text = NULL;
  size_t text_len = 0;
  char *converted = NULL;
  size_t converted_len = 0;

  g_autoptr (GArray) bad_lines = NULL;
  if (!_ps_roster_decode (roster, data, len, &text, &text_len, &converted, &converted_len,
                          &bad_lines, error))
    return false;

  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  bool has[PS_N_FIELDS] = { false };
  size_t n_lines_read = 0;
  size_t pos = 0;
  int row = 0;

  while (pos < text_len)
    {
      const char *line = text + pos;
      const char *nl = memchr (line, '\n', text_len - pos);
      size_t line_len = nl != NULL ? (size_t) (nl - line) : text_len - pos;

      pos += line_len + (nl != NULL ? 1 : 0);
      row++;
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
      if (_ps_roster_bad_line_in (bad_lines, row, row + 1) > 0)
        {
          n_lines_read++;
          _ps_roster_add_bad_row (roster, row, NULL, NULL, NULL,
                                  "bytes are neither UTF-8 nor GB18030 (line %d)", row);
          continue;
        }
      if (line_blank (line, line_len))
        continue;
      n_lines_read++;
      read_line (roster, parser, row, line, line_len, has);
    }

  _ps_roster_wipe_free (converted, converted_len);

  if (n_lines_read == 0)
    {
      g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                   "roster '%s': no rows", roster->path);
      return false;
    }
  /* Only objects tell which columns exist; with none read, every line is
   * already a problem. */
  if (roster->records->len > 0 && !_ps_roster_check_required (roster, has, NULL, error))
    return false;
  return true;
}
