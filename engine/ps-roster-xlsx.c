/* ps-roster-xlsx.c - the XLSX roster reader (first visible worksheet, libzip + libxml2 xmlReader).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reads xl/workbook.xml and its relationships to find the first visible
 * worksheet (falling back to xl/worksheets/sheet1.xml), the shared strings, then
 * streams the sheet.  Rows keep the sheet's r= numbers; cells are placed by
 * their r= reference, so skipped columns stay empty.  Numbers come out as
 * exact digits ("2.01818004215114E+14" -> "201818004215114").  Each part is
 * decompressed under a cap (zip bombs); XML entities are never expanded and
 * nothing is fetched from the network.
 */
#include "config.h"
#include "ps-roster-private.h"

#include <limits.h>
#include <string.h>
#include <zip.h>
#include <libxml/xmlreader.h>

#define NS_REL_TRANSITIONAL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_STRICT       "http://purl.oclc.org/ooxml/officeDocument/relationships"

#define XLSX_MAX_COLUMNS 16384     /* XFD, Excel's last column */
#define XLSX_MAX_ROW     1048576
#define XLSX_MAX_SHEETS  4096       /* more <sheet> elements are not looked at */

typedef struct {
  PsRoster *roster;
  zip_t    *zip;
  size_t    cap;           /* bytes, per decompressed part */
} Xlsx;

/* ------------------------------------------------------------------ */
/* Zip parts                                                          */
/* ------------------------------------------------------------------ */

/* Reads the part @name.  Missing and !@required: true with *out NULL. */
static bool
read_part (Xlsx *x, const char *name, bool required, char **out, size_t *out_len,
           GError **error)
{
  *out = NULL;
  *out_len = 0;

  zip_int64_t index = zip_name_locate (x->zip, name, 0);
  if (index < 0)
    index = zip_name_locate (x->zip, name, ZIP_FL_NOCASE);
  if (index < 0)
    {
      if (!required)
        return true;
      g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                   "roster '%s': not an XLSX workbook (no %s)", x->roster->path, name);
      return false;
    }

  /* The declared size is only a hint for the first allocation. */
  zip_stat_t st;
  size_t size = 64 * 1024;
  zip_stat_init (&st);
  if (zip_stat_index (x->zip, (zip_uint64_t) index, 0, &st) == 0
      && (st.valid & ZIP_STAT_SIZE) != 0)
    size = (size_t) MIN (st.size, (zip_uint64_t) x->cap) + 1;

  zip_file_t *zf = zip_fopen_index (x->zip, (zip_uint64_t) index, 0);
  if (zf == NULL)
    {
      g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                   "roster '%s': cannot open %s: %s", x->roster->path, name,
                   zip_strerror (x->zip));
      return false;
    }

  char *buf = g_malloc (size + 1);
  size_t len = 0;
  for (;;)
    {
      if (len == size)
        {
          if (size > x->cap)
            {
              zip_fclose (zf);
              _ps_roster_wipe_free (buf, size + 1);
              g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_TOO_LARGE,
                           "roster '%s': %s expands to more than %zu bytes",
                           x->roster->path, name, x->cap);
              return false;
            }
          /* Grow into a fresh buffer and wipe the old one: realloc could
           * leave a copy of personal data behind. */
          size_t new_size = MIN (size * 2, x->cap + 1);
          char *bigger = g_malloc (new_size + 1);
          memcpy (bigger, buf, len);
          _ps_roster_wipe_free (buf, size + 1);
          buf = bigger;
          size = new_size;
        }
      zip_int64_t n = zip_fread (zf, buf + len, size - len);
      if (n < 0)
        {
          g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                       "roster '%s': cannot read %s: %s", x->roster->path, name,
                       zip_file_strerror (zf));
          zip_fclose (zf);
          _ps_roster_wipe_free (buf, size + 1);
          return false;
        }
      if (n == 0)
        break;
      len += (size_t) n;
    }
  zip_fclose (zf);
  buf[len] = '\0';
  *out = buf;
  *out_len = len;
  return true;
}

/* ------------------------------------------------------------------ */
/* XML                                                                */
/* ------------------------------------------------------------------ */

typedef struct {
  int line;    /* of the first error, 0 = none */
} XmlErrors;

static void
on_xml_error (void *user_data, xmlErrorPtr err)
{
  XmlErrors *errors = user_data;
  /* libxml2's text may quote document content: keep only the line. */
  if (errors->line == 0 && err != NULL)
    errors->line = err->line > 0 ? err->line : 1;
}

static xmlTextReaderPtr
reader_new (const char *buf, size_t len, const char *name, XmlErrors *errors)
{
  xmlTextReaderPtr reader = xmlReaderForMemory (buf, (int) len, name, NULL,
                                                XML_PARSE_NONET | XML_PARSE_NOWARNING
                                                  | XML_PARSE_NOERROR);
  if (reader != NULL)
    xmlTextReaderSetStructuredErrorHandler (reader, on_xml_error, errors);
  return reader;
}

static bool
xml_failed (Xlsx *x, const char *name, const XmlErrors *errors, GError **error)
{
  g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
               "roster '%s': %s is not well-formed XML (line %d)", x->roster->path, name,
               errors->line > 0 ? errors->line : 1);
  return false;
}

static bool
name_is (xmlTextReaderPtr reader, const char *local)
{
  const xmlChar *n = xmlTextReaderConstLocalName (reader);
  return n != NULL && strcmp ((const char *) n, local) == 0;
}

static char *
get_attr (xmlTextReaderPtr reader, const char *name)
{
  xmlChar *v = xmlTextReaderGetAttribute (reader, (const xmlChar *) name);
  char *s = v != NULL ? g_strdup ((const char *) v) : NULL;
  xmlFree (v);
  return s;
}

static bool
is_text_node (int type)
{
  return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA
         || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE
         || type == XML_READER_TYPE_WHITESPACE;
}

/* Appends at most up to @limit bytes in total: enough to see a field is too
 * long without holding all of it. */
static void
append_bounded (GString *s, const char *text, size_t limit)
{
  if (text == NULL || s->len > limit)
    return;
  size_t n = strlen (text);
  g_string_append_len (s, text, (gssize) MIN (n, limit + 1 - s->len));
}

static void
wipe_gstring (GString *s)
{
  if (s->len > 0)
    memset (s->str, 0, s->len);
  g_string_truncate (s, 0);
}

/* ------------------------------------------------------------------ */
/* Which part is the worksheet to read                                */
/* ------------------------------------------------------------------ */

typedef struct {
  char *name;     /* as the tab shows it; NULL if the workbook gives none */
  char *rid;      /* relationship id of its part */
  bool  hidden;   /* state="hidden" or "veryHidden" */
} XlsxSheet;

static void
xlsx_sheet_clear (gpointer p)
{
  XlsxSheet *sheet = p;
  g_free (sheet->name);
  g_free (sheet->rid);
}

/* The <sheet> elements of xl/workbook.xml, in tab order. */
static GArray *
read_sheets (Xlsx *x)
{
  char *buf = NULL;
  size_t len = 0;
  XmlErrors errors = { 0 };
  GArray *sheets = g_array_new (FALSE, TRUE, sizeof (XlsxSheet));

  g_array_set_clear_func (sheets, xlsx_sheet_clear);
  if (!read_part (x, "xl/workbook.xml", false, &buf, &len, NULL) || buf == NULL)
    return sheets;
  xmlTextReaderPtr reader = reader_new (buf, len, "xl/workbook.xml", &errors);
  while (reader != NULL && xmlTextReaderRead (reader) == 1 && sheets->len < XLSX_MAX_SHEETS)
    {
      if (xmlTextReaderNodeType (reader) != XML_READER_TYPE_ELEMENT || !name_is (reader, "sheet"))
        continue;
      xmlChar *v = xmlTextReaderGetAttributeNs (reader, (const xmlChar *) "id",
                                                (const xmlChar *) NS_REL_TRANSITIONAL);
      if (v == NULL)
        v = xmlTextReaderGetAttributeNs (reader, (const xmlChar *) "id",
                                         (const xmlChar *) NS_REL_STRICT);
      if (v == NULL)
        continue;
      g_autofree char *state = get_attr (reader, "state");
      XlsxSheet sheet = {
        .name = get_attr (reader, "name"),
        .rid = g_strdup ((const char *) v),
        .hidden = state != NULL && (strcmp (state, "hidden") == 0
                                    || strcmp (state, "veryHidden") == 0),
      };
      xmlFree (v);
      /* A name is shown in messages: keep it short and printable. */
      if (sheet.name != NULL
          && (!g_utf8_validate (sheet.name, -1, NULL) || g_utf8_strlen (sheet.name, -1) > 64))
        g_clear_pointer (&sheet.name, g_free);
      g_array_append_val (sheets, sheet);
    }
  if (reader != NULL)
    xmlFreeTextReader (reader);
  g_free (buf);
  return sheets;
}

static char *
sheet_path (Xlsx *x, const char *rid)
{
  char *buf = NULL;
  size_t len = 0;
  char *target = NULL;
  XmlErrors errors = { 0 };

  if (!read_part (x, "xl/_rels/workbook.xml.rels", false, &buf, &len, NULL) || buf == NULL)
    return NULL;
  xmlTextReaderPtr reader = reader_new (buf, len, "xl/_rels/workbook.xml.rels", &errors);
  while (reader != NULL && target == NULL && xmlTextReaderRead (reader) == 1)
    {
      if (xmlTextReaderNodeType (reader) != XML_READER_TYPE_ELEMENT
          || !name_is (reader, "Relationship"))
        continue;
      g_autofree char *id = get_attr (reader, "Id");
      if (id != NULL && strcmp (id, rid) == 0)
        target = get_attr (reader, "Target");
    }
  if (reader != NULL)
    xmlFreeTextReader (reader);
  g_free (buf);
  if (target == NULL)
    return NULL;

  /* Targets are relative to xl/, or absolute within the package. */
  char *path;
  if (target[0] == '/')
    path = g_strdup (target + 1);
  else if (g_str_has_prefix (target, "../"))
    path = g_strdup (target + 3);
  else
    path = g_strconcat ("xl/", target, NULL);
  g_free (target);
  return path;
}

/* The worksheet read: the first visible one, as the operator sees it when
 * the file opens; the first of all when every sheet is hidden.  *@where
 * names it for messages, *@skipped lists the hidden sheets before it (both
 * NULL when the workbook names no sheet). */
static char *
choose_sheet (Xlsx *x, char **where, char **skipped)
{
  g_autoptr (GArray) sheets = read_sheets (x);
  const XlsxSheet *chosen = NULL;
  g_autoptr (GString) hidden = g_string_new (NULL);

  *where = NULL;
  *skipped = NULL;
  for (guint i = 0; i < sheets->len && chosen == NULL; i++)
    {
      const XlsxSheet *sheet = &g_array_index (sheets, XlsxSheet, i);
      if (!sheet->hidden)
        chosen = sheet;
      else
        g_string_append_printf (hidden, "%s'%s'", hidden->len > 0 ? ", " : "",
                                sheet->name != NULL ? sheet->name : "?");
    }
  if (sheets->len == 0)
    return NULL;

  const char *name = NULL;
  if (chosen == NULL)
    {
      chosen = &g_array_index (sheets, XlsxSheet, 0);
      name = chosen->name != NULL ? chosen->name : "?";
      *where = g_strdup_printf ("sheet '%s' (the first sheet; hidden, as every sheet is)", name);
    }
  else
    {
      name = chosen->name != NULL ? chosen->name : "?";
      if (hidden->len == 0)
        *where = g_strdup_printf ("sheet '%s' (the first sheet)", name);
      else
        {
          *where = g_strdup_printf ("sheet '%s' (the first visible sheet; hidden before it: %s)",
                                    name, hidden->str);
          *skipped = g_string_free (g_steal_pointer (&hidden), FALSE);
        }
    }
  return sheet_path (x, chosen->rid);
}

/* ------------------------------------------------------------------ */
/* Shared strings                                                     */
/* ------------------------------------------------------------------ */

static void
wipe_string_ptr (gpointer p)
{
  _ps_roster_wipe_string (p);
}

/* Each <si> is the text of its <t> elements, plain or in rich-text runs
 * <r><t>, without phonetic runs <rPh>. */
static bool
read_shared_strings (Xlsx *x, GPtrArray *strings, GError **error)
{
  const char *name = "xl/sharedStrings.xml";
  char *buf = NULL;
  size_t len = 0;
  XmlErrors errors = { 0 };
  bool ok = true;

  if (!read_part (x, name, false, &buf, &len, error))
    return false;
  if (buf == NULL)
    return true;

  xmlTextReaderPtr reader = reader_new (buf, len, name, &errors);
  if (reader == NULL)
    {
      _ps_roster_wipe_free (buf, len);
      return xml_failed (x, name, &errors, error);
    }

  GString *s = g_string_new (NULL);
  bool in_si = false, in_t = false;
  int rph_depth = 0;
  const size_t limit = x->roster->options.max_field_bytes;
  int ret;

  while ((ret = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);
      if (type == XML_READER_TYPE_ELEMENT)
        {
          bool empty = xmlTextReaderIsEmptyElement (reader);
          if (name_is (reader, "si"))
            {
              wipe_gstring (s);
              in_si = !empty;
              if (empty)
                g_ptr_array_add (strings, g_strdup (""));
            }
          else if (name_is (reader, "t") && in_si && !empty)
            in_t = true;
          else if (name_is (reader, "rPh") && !empty)
            rph_depth++;
        }
      else if (type == XML_READER_TYPE_END_ELEMENT)
        {
          if (name_is (reader, "si") && in_si)
            {
              g_ptr_array_add (strings, g_strndup (s->str, s->len));
              wipe_gstring (s);
              in_si = false;
            }
          else if (name_is (reader, "t"))
            in_t = false;
          else if (name_is (reader, "rPh") && rph_depth > 0)
            rph_depth--;
        }
      else if (is_text_node (type) && in_si && in_t && rph_depth == 0)
        append_bounded (s, (const char *) xmlTextReaderConstValue (reader), limit);
    }
  if (ret != 0)
    ok = xml_failed (x, name, &errors, error);

  xmlFreeTextReader (reader);
  wipe_gstring (s);
  g_string_free (s, TRUE);
  _ps_roster_wipe_free (buf, len);
  return ok;
}

/* ------------------------------------------------------------------ */
/* The worksheet                                                      */
/* ------------------------------------------------------------------ */

typedef struct {
  int              column;   /* 0-based */
  char            *value;    /* owned, wiped on free */
  PsRosterCellKind kind;
} XlsxCell;

typedef struct {
  Xlsx      *x;
  GPtrArray *strings;     /* shared strings */
  const char *where;      /* "sheet 'Sheet1' (the first sheet)", or NULL */

  int        row;         /* r of the current row */
  int        prev_row;
  GArray    *cells;       /* XlsxCell of the current row */
  char      *row_problem; /* first problem of the current row */

  /* the current cell */
  bool       in_c, in_v, in_is, in_t;
  int        rph_depth;
  int        column;
  int        prev_column;
  char       type[16];
  GString   *v;
  GString   *is;

  bool           have_header;
  int            n_title_rows;  /* non-empty rows above the header */
  PsRosterHeader header;
  GArray        *dense;   /* PsRosterCell, one per column */
} Sheet;

static void
clear_row_cells (Sheet *s)
{
  for (size_t i = 0; i < s->cells->len; i++)
    _ps_roster_wipe_string (g_array_index (s->cells, XlsxCell, i).value);
  g_array_set_size (s->cells, 0);
  g_clear_pointer (&s->row_problem, g_free);
}

/* "C5" -> 2; -1 if there are no letters or too many columns. */
static int
parse_column (const char *ref)
{
  long column = 0;
  const char *p = ref;

  if (ref == NULL)
    return -1;
  while (g_ascii_isalpha (*p))
    {
      column = column * 26 + (g_ascii_toupper (*p) - 'A' + 1);
      if (column > XLSX_MAX_COLUMNS)
        return -1;
      p++;
    }
  return p == ref ? -1 : (int) column - 1;
}

static char *
column_name (int column)
{
  char buf[8];
  int i = (int) sizeof buf - 1;
  buf[i] = '\0';
  column++;
  while (column > 0 && i > 0)
    {
      buf[--i] = (char) ('A' + (column - 1) % 26);
      column = (column - 1) / 26;
    }
  return g_strdup (buf + i);
}

static void
start_row (Sheet *s, xmlTextReaderPtr reader)
{
  g_autofree char *r = get_attr (reader, "r");
  char *end = NULL;
  gint64 n = r != NULL ? g_ascii_strtoll (r, &end, 10) : 0;

  clear_row_cells (s);
  if (r != NULL && end != r && *end == '\0' && n > s->prev_row && n <= XLSX_MAX_ROW)
    s->row = (int) n;
  else
    s->row = s->prev_row + 1;
  s->prev_column = -1;
}

static void
start_cell (Sheet *s, xmlTextReaderPtr reader)
{
  g_autofree char *r = get_attr (reader, "r");
  g_autofree char *t = get_attr (reader, "t");
  int column = parse_column (r);

  s->column = column >= 0 ? column : s->prev_column + 1;
  s->prev_column = s->column;
  g_strlcpy (s->type, t != NULL ? t : "n", sizeof s->type);
  wipe_gstring (s->v);
  wipe_gstring (s->is);
  s->in_c = true;
  s->in_v = s->in_is = s->in_t = false;
  s->rph_depth = 0;
}

static void
end_cell (Sheet *s)
{
  char *value = NULL;
  const char *t = s->type;
  PsRosterCellKind kind = PS_ROSTER_CELL_TEXT;

  s->in_c = false;
  if (s->column >= XLSX_MAX_COLUMNS)
    return;

  if (strcmp (t, "inlineStr") == 0)
    value = g_strndup (s->is->str, s->is->len);
  else if (s->v->len == 0)
    return;
  else if (strcmp (t, "s") == 0)
    {
      char *end = NULL;
      guint64 index = g_ascii_strtoull (s->v->str, &end, 10);
      if (end == s->v->str || *end != '\0' || index >= s->strings->len)
        {
          if (s->row_problem == NULL)
            {
              g_autofree char *col = column_name (s->column);
              s->row_problem = g_strdup_printf ("cell %s%d refers to a missing shared string",
                                                col, s->row);
            }
          return;
        }
      value = g_strdup (g_ptr_array_index (s->strings, index));
    }
  else if (strcmp (t, "b") == 0)
    {
      value = g_strdup (strcmp (s->v->str, "1") == 0 ? "TRUE" : "FALSE");
      kind = PS_ROSTER_CELL_BOOLEAN;
    }
  else if (strcmp (t, "e") == 0)
    {
      /* #N/A, #REF!...: the cell's formula failed. */
      value = g_strndup (s->v->str, s->v->len);
      kind = PS_ROSTER_CELL_ERROR;
    }
  else if (strcmp (t, "str") == 0 || strcmp (t, "d") == 0)
    value = g_strndup (s->v->str, s->v->len);
  else
    {
      /* "n" or none: a number (a double in Excel), written as exact digits. */
      const char *d = s->v->str;
      size_t n = s->v->len;
      _ps_roster_trim (&d, &n);
      g_autofree char *plain = g_strndup (d, n);
      value = _ps_roster_number_to_text (plain);
      kind = PS_ROSTER_CELL_NUMBER;
    }

  if (value[0] == '\0')
    {
      g_free (value);
      return;
    }
  XlsxCell cell = { s->column, value, kind };
  g_array_append_val (s->cells, cell);
}

/* The cells of the row laid out by column, @n_columns wide. */
static const PsRosterCell *
dense_cells (Sheet *s, size_t n_columns)
{
  g_array_set_size (s->dense, n_columns);
  if (n_columns > 0)
    memset (s->dense->data, 0, n_columns * sizeof (PsRosterCell));
  for (size_t i = 0; i < s->cells->len; i++)
    {
      XlsxCell *c = &g_array_index (s->cells, XlsxCell, i);
      if ((size_t) c->column >= n_columns)
        continue;
      PsRosterCell *d = &g_array_index (s->dense, PsRosterCell, c->column);
      if (d->data != NULL)
        continue;   /* the same reference twice: keep the first */
      d->data = c->value;
      d->len = strlen (c->value);
      d->kind = c->kind;
    }
  return (const PsRosterCell *) (void *) s->dense->data;
}

static bool
end_row (Sheet *s, GError **error)
{
  PsRoster *roster = s->x->roster;
  bool ok = true;

  s->prev_row = s->row;
  if (!s->have_header)
    {
      size_t width = 0;
      for (size_t i = 0; i < s->cells->len; i++)
        width = MAX (width, (size_t) g_array_index (s->cells, XlsxCell, i).column + 1);
      const PsRosterCell *cells = dense_cells (s, width);
      if (!_ps_roster_cells_blank (cells, width))
        {
          _ps_roster_header_init (&s->header, cells, width);
          if (!_ps_roster_header_has_any (&s->header)
              && s->n_title_rows < PS_ROSTER_MAX_TITLE_ROWS)
            {
              _ps_roster_header_clear (&s->header);
              s->n_title_rows++;
            }
          else
            {
              s->have_header = true;
              ok = _ps_roster_check_required (roster, s->header.has, s->where, error);
            }
        }
    }
  else
    {
      const PsRosterCell *cells = dense_cells (s, s->header.n_columns);
      if (s->row_problem != NULL)
        _ps_roster_add_bad_row (roster, s->row, NULL, NULL, NULL, "%s", s->row_problem);
      else if (!_ps_roster_cells_blank (cells, s->header.n_columns))
        _ps_roster_add_cells (roster, s->row, &s->header, cells, s->header.n_columns);
    }
  clear_row_cells (s);
  return ok;
}

static bool
read_sheet (Xlsx *x, const char *name, const char *where, GPtrArray *strings, GError **error)
{
  char *buf = NULL;
  size_t len = 0;
  XmlErrors errors = { 0 };
  bool ok = true;
  const size_t limit = x->roster->options.max_field_bytes;

  if (!read_part (x, name, true, &buf, &len, error))
    return false;
  xmlTextReaderPtr reader = reader_new (buf, len, name, &errors);
  if (reader == NULL)
    {
      _ps_roster_wipe_free (buf, len);
      return xml_failed (x, name, &errors, error);
    }

  Sheet s = {
    .x = x,
    .strings = strings,
    .where = where,
    .cells = g_array_new (FALSE, FALSE, sizeof (XlsxCell)),
    .dense = g_array_new (FALSE, TRUE, sizeof (PsRosterCell)),
    .v = g_string_new (NULL),
    .is = g_string_new (NULL),
    .prev_row = 0,
  };
  bool in_row = false;
  int ret;

  while (ok && (ret = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);
      if (type == XML_READER_TYPE_ELEMENT)
        {
          bool empty = xmlTextReaderIsEmptyElement (reader);
          if (name_is (reader, "row"))
            {
              start_row (&s, reader);
              in_row = !empty;
              if (empty)
                ok = end_row (&s, error);
            }
          else if (name_is (reader, "c") && in_row)
            {
              start_cell (&s, reader);
              if (empty)
                end_cell (&s);
            }
          else if (!s.in_c || empty)
            ;
          else if (name_is (reader, "v"))
            s.in_v = true;
          else if (name_is (reader, "is"))
            s.in_is = true;
          else if (name_is (reader, "t") && s.in_is)
            s.in_t = true;
          else if (name_is (reader, "rPh"))
            s.rph_depth++;
        }
      else if (type == XML_READER_TYPE_END_ELEMENT)
        {
          if (name_is (reader, "row") && in_row)
            {
              in_row = false;
              ok = end_row (&s, error);
            }
          else if (name_is (reader, "c") && s.in_c)
            end_cell (&s);
          else if (name_is (reader, "v"))
            s.in_v = false;
          else if (name_is (reader, "is"))
            s.in_is = false;
          else if (name_is (reader, "t"))
            s.in_t = false;
          else if (name_is (reader, "rPh") && s.rph_depth > 0)
            s.rph_depth--;
        }
      else if (is_text_node (type) && s.in_c)
        {
          const char *text = (const char *) xmlTextReaderConstValue (reader);
          if (s.in_v)
            append_bounded (s.v, text, limit);
          else if (s.in_t && s.rph_depth == 0)
            append_bounded (s.is, text, limit);
        }
    }
  if (ok && ret != 0)
    ok = xml_failed (x, name, &errors, error);
  if (ok && !s.have_header)
    {
      bool none[PS_N_FIELDS] = { false };
      if (s.n_title_rows > 0)
        _ps_roster_check_required (x->roster, none, where, error);
      else if (where != NULL)
        g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                     "roster '%s' %s: the worksheet is empty", x->roster->path, where);
      else
        g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                     "roster '%s': the first worksheet is empty", x->roster->path);
      ok = false;
    }

  xmlFreeTextReader (reader);
  clear_row_cells (&s);
  g_array_unref (s.cells);
  g_array_unref (s.dense);
  wipe_gstring (s.v);
  wipe_gstring (s.is);
  g_string_free (s.v, TRUE);
  g_string_free (s.is, TRUE);
  _ps_roster_header_clear (&s.header);
  _ps_roster_wipe_free (buf, len);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                        */
/* ------------------------------------------------------------------ */

bool
_ps_roster_read_xlsx (PsRoster *roster, const char *data, size_t len, GError **error)
{
  zip_error_t zerr;
  bool ok = false;

  roster->encoding = "UTF-8";
  xmlInitParser ();

  zip_error_init (&zerr);
  zip_source_t *src = zip_source_buffer_create (data, len, 0, &zerr);
  if (src == NULL)
    {
      g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FAILED,
                   "roster '%s': %s", roster->path, zip_error_strerror (&zerr));
      zip_error_fini (&zerr);
      return false;
    }
  zip_t *zip = zip_open_from_source (src, ZIP_RDONLY, &zerr);
  if (zip == NULL)
    {
      g_set_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_FORMAT,
                   "roster '%s': not an XLSX file (%s)", roster->path,
                   zip_error_strerror (&zerr));
      zip_source_free (src);
      zip_error_fini (&zerr);
      return false;
    }
  zip_error_fini (&zerr);

  Xlsx x = {
    .roster = roster,
    .zip = zip,
    .cap = MIN (MAX (PS_ROSTER_DEFAULT_MAX_BYTES, roster->options.max_bytes),
                (size_t) INT_MAX - 1),
  };

  g_autofree char *where = NULL, *skipped = NULL;
  g_autofree char *sheet = choose_sheet (&x, &where, &skipped);
  if (sheet == NULL || zip_name_locate (zip, sheet, 0) < 0)
    {
      g_free (sheet);
      sheet = g_strdup ("xl/worksheets/sheet1.xml");
      g_clear_pointer (&where, g_free);
      g_clear_pointer (&skipped, g_free);
    }

  GPtrArray *strings = g_ptr_array_new_with_free_func (wipe_string_ptr);
  if (read_shared_strings (&x, strings, error))
    ok = read_sheet (&x, sheet, where, strings, error);
  /* Not what Excel users expect by default: say which sheet was read. */
  if (ok && skipped != NULL)
    _ps_roster_add_warning (roster, 0, NULL, NULL, NULL, "read %s; hidden sheets are not read",
                            where);
  g_ptr_array_unref (strings);

  zip_discard (zip);
  return ok;
}
