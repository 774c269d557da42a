/* ps-roster-jsonl.c - the JSON Lines roster reader (one object per line).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Keys are record keys ("xh") or Chinese headers ("学号"); values strings or
 * numbers (numbers come out as exact digits).  There is no header row: rows
 * are physical line numbers, first line = 1.  A line that is not a JSON
 * object is a problem of that line.  The required columns must appear in
 * some object of the file.
 */
#include "config.h"
#include "ps-roster-private.h"

#include <string.h>
#include <json-glib/json-glib.h>

/* Text of a scalar member, or NULL for null.  Returns false for arrays and
 * objects. */
static bool
node_to_text (JsonNode *node, char **text)
{
  *text = NULL;
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      return true;
    case JSON_NODE_VALUE:
      break;
    case JSON_NODE_OBJECT:
    case JSON_NODE_ARRAY:
    default:
      return false;
    }

  GType type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    *text = g_strdup (json_node_get_string (node));
  else if (type == G_TYPE_INT64)
    *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    {
      /* The shortest of 15..17 significant digits that reads back as the
       * same double (0.1, not 0.10000000000000001), then without the
       * exponent: 2.01818004215114e+14 -> 201818004215114. */
      double d = json_node_get_double (node);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      for (int precision = 15; precision <= 17; precision++)
        {
          char format[8];
          g_snprintf (format, sizeof format, "%%.%dg", precision);
          g_ascii_formatd (buf, sizeof buf, format, d);
          if (g_ascii_strtod (buf, NULL) == d)
            break;
        }
      *text = _ps_roster_number_to_text (buf);
    }
  else if (type == G_TYPE_BOOLEAN)
    *text = g_strdup (json_node_get_boolean (node) ? "true" : "false");
  else
    return false;
  return true;
}

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

  char *values[PS_N_FIELDS] = { NULL };
  bool seen[PS_N_FIELDS] = { false };
  int bad_field = -1;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, json_node_get_object (root));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      PsField field;
      if (!ps_field_lookup (name, &field) || (int) field < 0 || field >= PS_N_FIELDS)
        continue;
      if (seen[field])
        continue;   /* "xh" and "学号" both: the first wins */
      seen[field] = true;
      if (!node_to_text (member, &values[field]))
        {
          if (bad_field < 0)
            bad_field = (int) field;
        }
    }

  if (bad_field >= 0)
    {
      /* Only identifiers go into the problem, and only if they are plain. */
      const char *xh = values[PS_FIELD_XH];
      const char *cjm = values[PS_FIELD_CJM];
      if (xh != NULL && strlen (xh) > 64)
        xh = NULL;
      if (cjm != NULL && strlen (cjm) > 64)
        cjm = NULL;
      _ps_roster_add_bad_row (roster, row, xh, cjm, ps_field_get_key ((PsField) bad_field),
                              "field '%s' is not a string or a number",
                              ps_field_get_key ((PsField) bad_field));
    }
  else
    {
      PsRosterCell cells[PS_N_FIELDS];
      for (size_t f = 0; f < PS_N_FIELDS; f++)
        {
          cells[f].data = values[f];
          cells[f].len = values[f] != NULL ? strlen (values[f]) : 0;
          if (seen[f])
            has[f] = true;
        }
      _ps_roster_add_fields (roster, row, cells);
    }

  for (size_t f = 0; f < PS_N_FIELDS; f++)
    _ps_roster_wipe_string (values[f]);
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
  if (roster->records->len > 0 && !_ps_roster_check_required (roster, has, error))
    return false;
  return true;
}
