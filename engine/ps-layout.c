/* ps-layout.c - layout files (.ini, mm and pt) -> validated sheet geometry in points.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A layout file is a GKeyFile documented key by key in layouts/README.md.
 * Lengths are read in mm and font sizes in pt and converted to points here,
 * once (units change only at the edges).  Loading is all-or-nothing: the
 * first problem found refuses the file with a PS_LAYOUT_ERROR that names the
 * file, the [group] and key, the value and the reason.  A PsLayout that
 * exists is valid and immutable, so it may be shared between threads.
 */
#include "config.h"
#include "ps-private.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <glib/gstdio.h>

#define MM_TO_PT(mm) ((mm) * 72.0 / 25.4)
#define PT_TO_MM(pt) ((pt) * 25.4 / 72.0)

/* Limits that turn typos into errors instead of absurd sheets. */
#define MAX_LENGTH_MM      2000.0        /* no sheet is larger than 2 m */
#define MIN_PHOTO_MM       5.0
#define MAX_FONT_PT        400.0
#define MIN_FONT_PT        1.0
#define MAX_LINE_WIDTH_PT  5.0
#define MIN_DPI            72
#define MAX_DPI            2400
#define MAX_GRID           100           /* columns or rows */
#define MAX_SLOTS          500
#define MAX_TAB_STEPS      100
#define MAX_FILE_BYTES     (64 * 1024)
#define MAX_FAMILY_CHARS   200
#define MEDIA_TOLERANCE_MM 1.5           /* 6-inch 102x152 vs 4x6in 101.6x152.4 */

/* One line of text needs about 1.3 x its size in the strip (line height with
 * ascent and descent), 1.2 x in the tighter per-copy caption. */
#define STRIP_LINE_FACTOR  1.3
#define COPY_LINE_FACTOR   1.2

/* Geometry comparisons tolerate rounding of the mm -> pt conversion. */
#define EPSILON_PT 1e-3

#define DEFAULT_FAMILY "Noto Sans CJK SC, HanaMinA, HanaMinB"

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* Locale-independent number for messages and describe(): a small ring of
 * buffers so that one message may hold several numbers. */
static char *
num (double value, int decimals)
{
  static _Thread_local char ring[8][G_ASCII_DTOSTR_BUF_SIZE];
  static _Thread_local unsigned next;
  char *buf = ring[next++ % G_N_ELEMENTS (ring)];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 9));
  g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, format, value);
  return buf;
}

/* mm with at most one decimal, "33" or "95.6" (messages). */
static const char *
mm_short (double pt)
{
  double mm = round (PT_TO_MM (pt) * 10.0) / 10.0;
  char *s = num (mm, 1);
  size_t len = strlen (s);

  if (len > 2 && strcmp (s + len - 2, ".0") == 0)
    s[len - 2] = '\0';
  return s;
}

/* A size in pt with at most two decimals, trailing zeros dropped: "5", "6.5". */
static const char *
pt_short (double pt)
{
  char *s = num (pt, 2);
  char *dot = strchr (s, '.');

  if (dot != NULL)
    {
      char *end = s + strlen (s);
      while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
      if (end == dot + 1)
        *dot = '\0';
    }
  return s;
}

/* mm with exactly one decimal (describe). */
static const char *
mm1 (double pt)
{
  return num (PT_TO_MM (pt), 1);
}

typedef struct {
  GKeyFile   *keyfile;
  const char *file;      /* as shown in messages */
  GError    **error;
} Parser;

/* A value as it may appear in a message: at most 40 characters, control
 * characters replaced. */
static char *
shown_value (const char *value)
{
  GString *out = g_string_new (NULL);
  const char *p = value;
  int n = 0;

  while (*p != '\0' && n < 40)
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
      p = g_utf8_next_char (p);
      n++;
    }
  if (*p != '\0')
    g_string_append (out, "...");
  return g_string_free (out, FALSE);
}

static bool fail (Parser *parser, PsLayoutError code, const char *group, const char *key,
                  const char *value, const char *format, ...) G_GNUC_PRINTF (6, 7);

/* Sets "layout 'FILE': [GROUP] KEY=VALUE: REASON" and returns false. */
static bool
fail (Parser *parser, PsLayoutError code, const char *group, const char *key,
      const char *value, const char *format, ...)
{
  va_list args;
  g_autofree char *reason = NULL;
  g_autoptr (GString) where = g_string_new (NULL);

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  if (group != NULL)
    g_string_append_printf (where, " [%s]", group);
  if (key != NULL)
    g_string_append_printf (where, " %s", key);
  if (key != NULL && value != NULL)
    {
      g_autofree char *shown = shown_value (value);
      g_string_append_printf (where, "=%s", shown);
    }
  g_set_error (parser->error, PS_LAYOUT_ERROR, code, "layout '%s':%s: %s",
               parser->file, where->str, reason);
  return false;
}

/* ------------------------------------------------------------------ */
/* Keys                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *group;
  const char *const *keys;
} GroupKeys;

static const char *const sheet_keys[] = {
  "description", "width_mm", "height_mm", "orientation", "margin_mm", "margin_top_mm",
  "margin_right_mm", "margin_bottom_mm", "margin_left_mm", "dpi", "media",
  "reprint_mark_mm", NULL
};
static const char *const photo_keys[] = {
  "width_mm", "height_mm", "crop", "columns", "rows", "gap_x_mm", "gap_y_mm", "copies",
  "caption_fields", "caption_height_mm", "caption_font", "caption_size_max_pt",
  "caption_size_min_pt", NULL
};
static const char *const caption_keys[] = {
  "fields", "labels", "height_mm", "gap_mm", "position", "font", "size_max_pt",
  "size_min_pt", NULL
};
static const char *const marks_keys[] = {
  "cut_marks", "length_mm", "offset_mm", "line_width_pt", NULL
};
static const char *const separator_keys[] = {
  "title_font", "title_size_max_pt", "title_size_min_pt", "text_font", "text_size_max_pt",
  "text_size_min_pt", "tab_width_mm", "tab_height_mm", "tab_steps", NULL
};

static const GroupKeys known_groups[] = {
  { "sheet", sheet_keys },
  { "photo", photo_keys },
  { "caption", caption_keys },
  { "marks", marks_keys },
  { "separator", separator_keys },
};

/* A misspelt key would otherwise be ignored and its default used silently:
 * refuse unknown groups and keys. */
static bool
check_known_keys (Parser *parser)
{
  g_auto (GStrv) groups = g_key_file_get_groups (parser->keyfile, NULL);

  for (size_t g = 0; groups[g] != NULL; g++)
    {
      const GroupKeys *known = NULL;
      g_auto (GStrv) keys = NULL;

      for (size_t i = 0; i < G_N_ELEMENTS (known_groups); i++)
        if (strcmp (groups[g], known_groups[i].group) == 0)
          known = &known_groups[i];
      if (known == NULL)
        return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, groups[g], NULL, NULL,
                     "unknown group (known: sheet, photo, caption, marks, separator)");

      keys = g_key_file_get_keys (parser->keyfile, groups[g], NULL, NULL);
      for (size_t k = 0; keys != NULL && keys[k] != NULL; k++)
        if (!g_strv_contains (known->keys, keys[k]))
          return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, groups[g], keys[k], NULL,
                       "unknown key");
    }
  if (!g_key_file_has_group (parser->keyfile, "sheet"))
    return fail (parser, PS_LAYOUT_ERROR_MISSING_KEY, "sheet", NULL, NULL, "missing group");
  return true;
}

/* The trimmed value of @key, or NULL in *@out when absent.  A required key
 * that is absent is an error. */
static bool
get_value (Parser *parser, const char *group, const char *key, bool required, char **out)
{
  g_autoptr (GError) local = NULL;
  char *value;

  *out = NULL;
  if (!g_key_file_has_key (parser->keyfile, group, key, NULL))
    {
      if (required)
        return fail (parser, PS_LAYOUT_ERROR_MISSING_KEY, group, key, NULL, "missing key");
      return true;
    }
  value = g_key_file_get_string (parser->keyfile, group, key, &local);
  if (value == NULL)
    return fail (parser, PS_LAYOUT_ERROR_PARSE, group, key, NULL, "%s", local->message);
  *out = g_strstrip (value);
  return true;
}

typedef enum {
  LENGTH_POSITIVE,
  LENGTH_NON_NEGATIVE,
  LENGTH_ANY,             /* gaps: negative is caught as overlap, with a better message */
} LengthKind;

/* A length in mm -> points. */
static bool
get_length (Parser *parser, const char *group, const char *key, bool required,
            double default_mm, LengthKind kind, double *out)
{
  g_autofree char *value = NULL;
  char *end = NULL;
  double mm;

  if (!get_value (parser, group, key, required, &value))
    return false;
  if (value == NULL)
    {
      *out = MM_TO_PT (default_mm);
      return true;
    }
  mm = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0')
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "not a number (a length in mm, e.g. 33 or 101.6)");
  if (!isfinite (mm))
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a finite length");
  if (kind == LENGTH_POSITIVE && mm <= 0)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a positive length");
  if (kind == LENGTH_NON_NEGATIVE && mm < 0)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must not be negative");
  if (fabs (mm) > MAX_LENGTH_MM)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "absurd length: more than %s mm", num (MAX_LENGTH_MM, 0));
  *out = MM_TO_PT (mm);
  return true;
}

/* A font size in pt, or a line width in pt. */
static bool
get_points (Parser *parser, const char *group, const char *key, double default_pt,
            double min_pt, double max_pt, double *out)
{
  g_autofree char *value = NULL;
  char *end = NULL;
  double pt;

  if (!get_value (parser, group, key, false, &value))
    return false;
  if (value == NULL)
    {
      *out = default_pt;
      return true;
    }
  pt = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0')
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "not a number (a size in pt, e.g. 8 or 6.5)");
  if (!isfinite (pt))
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a finite size");
  if (pt <= 0)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a positive size");
  if (pt < min_pt || pt > max_pt)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "absurd size: must be between %s and %s pt", pt_short (min_pt),
                 pt_short (max_pt));
  *out = pt;
  return true;
}

/* An integer in [min, max]; with @allow_auto, "auto" gives 0. */
static bool
get_count (Parser *parser, const char *group, const char *key, bool allow_auto,
           int default_value, int min, int max, int *out)
{
  g_autofree char *value = NULL;
  char *end = NULL;
  gint64 n;

  if (!get_value (parser, group, key, false, &value))
    return false;
  if (value == NULL)
    {
      *out = default_value;
      return true;
    }
  if (allow_auto && g_ascii_strcasecmp (value, "auto") == 0)
    {
      *out = 0;
      return true;
    }
  errno = 0;
  n = g_ascii_strtoll (value, &end, 10);
  if (end == value || *end != '\0' || errno != 0)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 allow_auto ? "must be 'auto' or a whole number" : "must be a whole number");
  if (n < min || n > max)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be between %d and %d", min, max);
  *out = (int) n;
  return true;
}

static bool
get_bool (Parser *parser, const char *group, const char *key, bool default_value, bool *out)
{
  static const char *const yes[] = { "true", "yes", "on", "1", NULL };
  static const char *const no[] = { "false", "no", "off", "0", NULL };
  g_autofree char *value = NULL;

  if (!get_value (parser, group, key, false, &value))
    return false;
  if (value == NULL)
    *out = default_value;
  else if (g_strv_contains (yes, value))
    *out = true;
  else if (g_strv_contains (no, value))
    *out = false;
  else
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be true or false");
  return true;
}

/* One of @choices (NULL-terminated); *@out = its index. */
static bool
get_choice (Parser *parser, const char *group, const char *key, const char *const *choices,
            int *out)
{
  g_autofree char *value = NULL;
  g_autofree char *list = NULL;

  if (!get_value (parser, group, key, false, &value))
    return false;
  if (value == NULL)
    {
      *out = 0;
      return true;
    }
  for (int i = 0; choices[i] != NULL; i++)
    if (strcmp (value, choices[i]) == 0)
      {
        *out = i;
        return true;
      }
  list = g_strjoinv (" or ", (char **) choices);
  return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value, "must be %s", list);
}

/* A comma-separated list of field keys (or Chinese headers), each known and
 * listed once.  ASCII and full-width commas both separate. */
static bool
get_fields (Parser *parser, const char *group, const char *key, const char *default_value,
            bool allow_empty, PsField *fields, size_t *n_fields)
{
  g_autofree char *value = NULL;
  g_autofree char *normalised = NULL;
  g_auto (GStrv) parts = NULL;
  const char *text;
  size_t n = 0;

  if (!get_value (parser, group, key, false, &value))
    return false;
  text = value != NULL ? value : default_value;
  {
    g_auto (GStrv) wide = g_strsplit (text, "\xef\xbc\x8c", -1);   /* U+FF0C ， */
    normalised = g_strjoinv (",", wide);
  }
  parts = g_strsplit (normalised, ",", -1);
  for (size_t i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      PsField field;

      if (*part == '\0')
        {
          /* "" as a whole is the empty list; an empty item inside is a typo. */
          if (parts[1] == NULL)
            break;
          return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                       "empty field name in the list");
        }
      if (!ps_field_lookup (part, &field))
        return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                     "unknown field '%s' (known: sjc, cjm, yxdm, zjhm, xh, cc, xllb, xm, bh, fy, photo)",
                     part);
      if (field == PS_FIELD_COPIES || field == PS_FIELD_PRIORITY)
        return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                     "field '%s' is not printable in a caption", part);
      for (size_t j = 0; j < n; j++)
        if (fields[j] == field)
          return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                       "field '%s' is listed twice", part);
      g_assert (n < PS_N_FIELDS);
      fields[n++] = field;
    }
  if (n == 0 && !allow_empty)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                 "needs at least one field");
  *n_fields = n;
  return true;
}

/* A font: family list plus max/min sizes, min <= max. */
static bool
get_font (Parser *parser, const char *group, const char *family_key, const char *max_key,
          const char *min_key, double default_max, double default_min, PsFontSpec *font)
{
  g_autofree char *family = NULL;

  if (!get_value (parser, group, family_key, false, &family))
    return false;
  if (family != NULL && *family == '\0')
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, family_key, family,
                 "must name at least one font family");
  if (family != NULL && g_utf8_strlen (family, -1) > MAX_FAMILY_CHARS)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, family_key, family,
                 "longer than %d characters", MAX_FAMILY_CHARS);
  if (!get_points (parser, group, max_key, default_max, MIN_FONT_PT, MAX_FONT_PT,
                   &font->size_max)
      || !get_points (parser, group, min_key, default_min, MIN_FONT_PT, MAX_FONT_PT,
                      &font->size_min))
    return false;
  if (font->size_min > font->size_max)
    {
      g_autofree char *value = g_strdup (pt_short (font->size_min));
      return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, min_key, value,
                   "larger than %s=%s", max_key, pt_short (font->size_max));
    }
  font->family = family != NULL ? g_steal_pointer (&family) : g_strdup (DEFAULT_FAMILY);
  return true;
}

/* ------------------------------------------------------------------ */
/* Media names                                                        */
/* ------------------------------------------------------------------ */

typedef struct {
  double w_mm, h_mm;   /* portrait */
  const char *media;
} KnownMedia;

static const KnownMedia known_media[] = {
  { 101.6, 152.4, "na_index-4x6_4x6in" },       /* 6寸 (102 x 152 mm) */
  { 88.9, 127.0, "oe_photo-l_3.5x5in" },        /* 5寸 (89 x 127 mm) */
  { 127.0, 177.8, "na_5x7_5x7in" },             /* 7寸 */
  { 148.0, 210.0, "iso_a5_148x210mm" },
  { 210.0, 297.0, "iso_a4_210x297mm" },
  { 215.9, 279.4, "na_letter_8.5x11in" },
};

/* The size a PWG self-describing media name ends with: "..._4x6in" or
 * "..._210x297mm".  Returns false if it has none. */
static bool
media_size_mm (const char *media, double *a_mm, double *b_mm)
{
  const char *size = strrchr (media, '_');
  char *end = NULL;
  double unit, a, b;

  if (size == NULL)
    return false;
  size++;
  a = g_ascii_strtod (size, &end);
  if (end == size || *end != 'x')
    return false;
  size = end + 1;
  b = g_ascii_strtod (size, &end);
  if (end == size)
    return false;
  if (strcmp (end, "mm") == 0)
    unit = 1.0;
  else if (strcmp (end, "in") == 0)
    unit = 25.4;
  else
    return false;
  if (!(a > 0 && b > 0 && isfinite (a) && isfinite (b)))
    return false;
  *a_mm = a * unit;
  *b_mm = b * unit;
  return true;
}

static bool
media_valid_chars (const char *media)
{
  for (const char *p = media; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_' || *p == '-'
          || *p == '.'))
      return false;
  return *media != '\0' && strlen (media) <= 64;
}

/* ------------------------------------------------------------------ */
/* Geometry helpers                                                   */
/* ------------------------------------------------------------------ */

static bool
rects_overlap (const PsRect *a, const PsRect *b)
{
  return a->x + a->width > b->x + EPSILON_PT && b->x + b->width > a->x + EPSILON_PT
         && a->y + a->height > b->y + EPSILON_PT && b->y + b->height > a->y + EPSILON_PT;
}

static bool
rect_inside (const PsRect *inner, double x, double y, double w, double h)
{
  return inner->x >= x - EPSILON_PT && inner->y >= y - EPSILON_PT
         && inner->x + inner->width <= x + w + EPSILON_PT
         && inner->y + inner->height <= y + h + EPSILON_PT;
}

static PsRect
slot_at (const PsLayout *layout, size_t i)
{
  return g_array_index (layout->slots, PsRect, i);
}

/* The per-copy caption box of slot @i (empty when there is none). */
static PsRect
copy_caption_rect (const PsLayout *layout, size_t i)
{
  PsRect s = slot_at (layout, i);
  PsRect r = { s.x, s.y + s.height, s.width, layout->copy_caption_height };
  return r;
}

/* The eight cut-mark strokes of a photo rectangle as thin rectangles (line
 * width included): at each corner, the two edges meeting there continued
 * outward, from mark_offset to mark_offset + mark_length beyond the corner. */
static void
cut_mark_rects (const PsLayout *layout, const PsRect *s, PsRect marks[8])
{
  double off = layout->mark_offset, len = layout->mark_length, hw = layout->mark_width / 2;
  double l = s->x, r = s->x + s->width, t = s->y, b = s->y + s->height;
  int n = 0;

  /* horizontal strokes, pointing left from the left corners, right from the right */
  marks[n++] = (PsRect) { l - off - len, t - hw, len, 2 * hw };
  marks[n++] = (PsRect) { r + off, t - hw, len, 2 * hw };
  marks[n++] = (PsRect) { l - off - len, b - hw, len, 2 * hw };
  marks[n++] = (PsRect) { r + off, b - hw, len, 2 * hw };
  /* vertical strokes, up from the top corners, down from the bottom */
  marks[n++] = (PsRect) { l - hw, t - off - len, 2 * hw, len };
  marks[n++] = (PsRect) { r - hw, t - off - len, 2 * hw, len };
  marks[n++] = (PsRect) { l - hw, b + off, 2 * hw, len };
  marks[n++] = (PsRect) { r - hw, b + off, 2 * hw, len };
}

/* ------------------------------------------------------------------ */
/* Loading                                                            */
/* ------------------------------------------------------------------ */

/* Settings read from the file that the struct does not keep. */
typedef struct {
  double sheet_w_mm_pt, sheet_h_mm_pt;   /* as written, before orientation, points */
  int    columns_asked, rows_asked;      /* 0 = auto */
  int    copies_asked;                   /* 0 = auto */
  double strip_gap;                      /* points between grid area and strip */
  bool   strip_top;
  double reprint_size;                   /* points, 0 = none */
} Extra;

static bool
parse_sheet (Parser *parser, PsLayout *layout, Extra *extra)
{
  static const char *const orientations[] = { "portrait", "landscape", NULL };
  const char *g = "sheet";
  int orientation = 0;
  double w, h, margin;
  g_autofree char *media = NULL;

  if (!get_value (parser, g, "description", false, &layout->description))
    return false;
  if (layout->description == NULL)
    layout->description = g_strdup ("");

  if (!get_length (parser, g, "width_mm", true, 0, LENGTH_POSITIVE, &w)
      || !get_length (parser, g, "height_mm", true, 0, LENGTH_POSITIVE, &h)
      || !get_choice (parser, g, "orientation", orientations, &orientation))
    return false;
  extra->sheet_w_mm_pt = w;
  extra->sheet_h_mm_pt = h;

  /* portrait: the page is taller than wide; landscape: wider than tall,
   * whatever order width_mm and height_mm were written in. */
  layout->landscape = orientation == 1;
  layout->sheet_width = layout->landscape ? MAX (w, h) : MIN (w, h);
  layout->sheet_height = layout->landscape ? MIN (w, h) : MAX (w, h);

  if (!get_length (parser, g, "margin_mm", false, 3.0, LENGTH_NON_NEGATIVE, &margin)
      || !get_length (parser, g, "margin_top_mm", false, PT_TO_MM (margin),
                      LENGTH_NON_NEGATIVE, &layout->margin_top)
      || !get_length (parser, g, "margin_right_mm", false, PT_TO_MM (margin),
                      LENGTH_NON_NEGATIVE, &layout->margin_right)
      || !get_length (parser, g, "margin_bottom_mm", false, PT_TO_MM (margin),
                      LENGTH_NON_NEGATIVE, &layout->margin_bottom)
      || !get_length (parser, g, "margin_left_mm", false, PT_TO_MM (margin),
                      LENGTH_NON_NEGATIVE, &layout->margin_left))
    return false;
  if (layout->margin_left + layout->margin_right >= layout->sheet_width - EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "margin_mm", NULL,
                 "left and right margins (%s + %s mm) leave no printable width on a %s mm sheet",
                 mm_short (layout->margin_left), mm_short (layout->margin_right),
                 mm_short (layout->sheet_width));
  if (layout->margin_top + layout->margin_bottom >= layout->sheet_height - EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "margin_mm", NULL,
                 "top and bottom margins (%s + %s mm) leave no printable height on a %s mm sheet",
                 mm_short (layout->margin_top), mm_short (layout->margin_bottom),
                 mm_short (layout->sheet_height));

  if (!get_count (parser, g, "dpi", false, 300, MIN_DPI, MAX_DPI, &layout->dpi))
    return false;

  /* The PWG media name: given, or derived from a known size. */
  if (!get_value (parser, g, "media", false, &media))
    return false;
  {
    double a = PT_TO_MM (MIN (w, h)), b = PT_TO_MM (MAX (w, h));
    if (media != NULL)
      {
        double ma, mb;
        if (!media_valid_chars (media) || !media_size_mm (media, &ma, &mb))
          return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "media", media,
                       "not a PWG media name such as na_index-4x6_4x6in or iso_a4_210x297mm");
        if (fabs (MIN (ma, mb) - a) > MEDIA_TOLERANCE_MM
            || fabs (MAX (ma, mb) - b) > MEDIA_TOLERANCE_MM)
          return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "media", media,
                       "%s x %s mm does not match the %s x %s mm sheet",
                       mm_short (MM_TO_PT (MIN (ma, mb))), mm_short (MM_TO_PT (MAX (ma, mb))),
                       mm_short (MIN (w, h)), mm_short (MAX (w, h)));
        layout->media = g_steal_pointer (&media);
      }
    else
      {
        for (size_t i = 0; i < G_N_ELEMENTS (known_media) && layout->media == NULL; i++)
          if (fabs (known_media[i].w_mm - a) <= MEDIA_TOLERANCE_MM
              && fabs (known_media[i].h_mm - b) <= MEDIA_TOLERANCE_MM)
            layout->media = g_strdup (known_media[i].media);
        if (layout->media == NULL)
          {
            /* PWG 5101.1 self-describing custom size. */
            const char *sa = mm_short (MM_TO_PT (a)), *sb = mm_short (MM_TO_PT (b));
            layout->media = g_strdup_printf ("custom_%sx%smm_%sx%smm", sa, sb, sa, sb);
          }
      }
  }

  if (!get_length (parser, g, "reprint_mark_mm", false, 3.0, LENGTH_NON_NEGATIVE,
                   &extra->reprint_size))
    return false;
  return true;
}

static bool
parse_photo (Parser *parser, PsLayout *layout, Extra *extra)
{
  static const char *const crops[] = { "cover", "fit", NULL };
  const char *g = "photo";
  int crop = 0;

  if (!get_length (parser, g, "width_mm", true, 0, LENGTH_POSITIVE, &layout->photo_width)
      || !get_length (parser, g, "height_mm", true, 0, LENGTH_POSITIVE, &layout->photo_height))
    return false;
  if (layout->photo_width < MM_TO_PT (MIN_PHOTO_MM) - EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "width_mm",
                 mm_short (layout->photo_width), "absurd photo size: less than %s mm",
                 num (MIN_PHOTO_MM, 0));
  if (layout->photo_height < MM_TO_PT (MIN_PHOTO_MM) - EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "height_mm",
                 mm_short (layout->photo_height), "absurd photo size: less than %s mm",
                 num (MIN_PHOTO_MM, 0));
  if (!get_choice (parser, g, "crop", crops, &crop))
    return false;
  layout->crop = crop == 1 ? PS_CROP_FIT : PS_CROP_COVER;

  if (!get_count (parser, g, "columns", true, 0, 1, MAX_GRID, &extra->columns_asked)
      || !get_count (parser, g, "rows", true, 0, 1, MAX_GRID, &extra->rows_asked)
      || !get_length (parser, g, "gap_x_mm", false, 4.0, LENGTH_ANY, &layout->gap_x)
      || !get_length (parser, g, "gap_y_mm", false, 4.0, LENGTH_ANY, &layout->gap_y)
      || !get_count (parser, g, "copies", true, 0, 1, MAX_SLOTS, &extra->copies_asked))
    return false;

  /* Per-copy caption under each photo: none unless fields are listed. */
  if (!get_fields (parser, g, "caption_fields", "", true, layout->copy_fields,
                   &layout->n_copy_fields)
      || !get_length (parser, g, "caption_height_mm", false, 4.0, LENGTH_POSITIVE,
                      &layout->copy_caption_height)
      || !get_font (parser, g, "caption_font", "caption_size_max_pt", "caption_size_min_pt",
                    7.0, 5.0, &layout->copy_font))
    return false;
  if (layout->n_copy_fields == 0)
    layout->copy_caption_height = 0;
  else if (layout->copy_caption_height < COPY_LINE_FACTOR * layout->copy_font.size_min - EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "caption_height_mm",
                 mm_short (layout->copy_caption_height),
                 "a %s mm caption cannot hold one line at caption_size_min_pt=%s pt (needs %s mm)",
                 mm_short (layout->copy_caption_height), pt_short (layout->copy_font.size_min),
                 mm_short (COPY_LINE_FACTOR * layout->copy_font.size_min));
  return true;
}

static bool
parse_caption (Parser *parser, PsLayout *layout, Extra *extra)
{
  static const char *const positions[] = { "bottom", "top", NULL };
  static const char *const all_fields = "sjc,cjm,yxdm,zjhm,xh,cc,xllb,xm,bh";
  const char *g = "caption";
  int position = 0;
  double height;

  if (!get_fields (parser, g, "fields", all_fields, false, layout->strip_fields,
                   &layout->n_strip_fields)
      || !get_bool (parser, g, "labels", true, &layout->strip_labels)
      || !get_length (parser, g, "height_mm", false, 14.0, LENGTH_POSITIVE, &height)
      || !get_length (parser, g, "gap_mm", false, 2.0, LENGTH_NON_NEGATIVE, &extra->strip_gap)
      || !get_choice (parser, g, "position", positions, &position)
      || !get_font (parser, g, "font", "size_max_pt", "size_min_pt", 8.0, 5.0,
                    &layout->strip_font))
    return false;
  extra->strip_top = position == 1;
  if (height < STRIP_LINE_FACTOR * layout->strip_font.size_min - EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "height_mm", mm_short (height),
                 "a %s mm strip cannot hold one line at size_min_pt=%s pt (needs %s mm)",
                 mm_short (height), pt_short (layout->strip_font.size_min),
                 mm_short (STRIP_LINE_FACTOR * layout->strip_font.size_min));
  layout->strip.height = height;
  return true;
}

static bool
parse_marks (Parser *parser, PsLayout *layout)
{
  const char *g = "marks";

  return get_bool (parser, g, "cut_marks", true, &layout->cut_marks)
         && get_length (parser, g, "length_mm", false, 2.0, LENGTH_POSITIVE,
                        &layout->mark_length)
         && get_length (parser, g, "offset_mm", false, 1.0, LENGTH_POSITIVE,
                        &layout->mark_offset)
         && get_points (parser, g, "line_width_pt", 0.25, 0.05, MAX_LINE_WIDTH_PT,
                        &layout->mark_width);
}

static bool
parse_separator (Parser *parser, PsLayout *layout)
{
  const char *g = "separator";

  if (!get_font (parser, g, "title_font", "title_size_max_pt", "title_size_min_pt", 28.0,
                 12.0, &layout->sep_title_font)
      || !get_font (parser, g, "text_font", "text_size_max_pt", "text_size_min_pt", 10.0,
                    6.0, &layout->sep_text_font)
      || !get_length (parser, g, "tab_width_mm", false, 6.0, LENGTH_POSITIVE,
                      &layout->tab_width)
      || !get_length (parser, g, "tab_height_mm", false, 12.0, LENGTH_POSITIVE,
                      &layout->tab_height)
      || !get_count (parser, g, "tab_steps", false, 8, 1, MAX_TAB_STEPS, &layout->tab_steps))
    return false;
  if (layout->tab_width > layout->sheet_width / 4 + EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "tab_width_mm",
                 mm_short (layout->tab_width), "more than a quarter of the %s mm sheet width",
                 mm_short (layout->sheet_width));
  /* The tabs step down the right edge and start over: all steps must fit
   * the sheet's height (they bleed into the margins). */
  if (layout->tab_steps * layout->tab_height > layout->sheet_height + EPSILON_PT)
    {
      char steps[16];
      g_snprintf (steps, sizeof steps, "%d", layout->tab_steps);
      return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "tab_steps", steps,
                   "%d tabs of %s mm need %s mm, the sheet is %s mm high", layout->tab_steps,
                   mm_short (layout->tab_height),
                   mm_short (layout->tab_steps * layout->tab_height),
                   mm_short (layout->sheet_height));
    }
  return true;
}

/* How many cells of @cell with @gap fit in @space (0 if none). */
static int
cells_fitting (double space, double cell, double gap)
{
  double n;

  if (space + EPSILON_PT < cell)
    return 0;
  if (cell + gap <= EPSILON_PT)
    return MAX_GRID + 1;       /* a negative gap as large as the cell: caught as overlap */
  n = floor ((space + gap + EPSILON_PT) / (cell + gap));
  return n > MAX_GRID ? MAX_GRID + 1 : (int) n;
}

/* Grid, slots and strip; then everything that must not collide. */
static bool
compute_geometry (Parser *parser, PsLayout *layout, const Extra *extra)
{
  double px = layout->margin_left, py = layout->margin_top;
  double pw = layout->sheet_width - layout->margin_left - layout->margin_right;
  double ph = layout->sheet_height - layout->margin_top - layout->margin_bottom;
  double cell_w = layout->photo_width;
  double cell_h = layout->photo_height + layout->copy_caption_height;
  double area_x = px, area_y, area_w = pw, area_h;
  double grid_w, grid_h, x0, y0;
  int columns, rows;
  size_t n_slots;

  /* The strip spans the printable width at the bottom (or top); the grid
   * area is what is left, less the gap between them. */
  layout->strip.x = px;
  layout->strip.width = pw;
  if (extra->strip_top)
    {
      layout->strip.y = py;
      area_y = py + layout->strip.height + extra->strip_gap;
    }
  else
    {
      layout->strip.y = py + ph - layout->strip.height;
      area_y = py;
    }
  area_h = ph - layout->strip.height - extra->strip_gap;
  if (area_h < EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "caption", "height_mm",
                 mm_short (layout->strip.height),
                 "the strip and its %s mm gap leave no room for photos in the %s mm printable height",
                 mm_short (extra->strip_gap), mm_short (ph));

  /* Nothing fits at all. */
  if (cell_w > area_w + EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "width_mm", mm_short (cell_w),
                 "a %s mm photo does not fit the printable width of %s mm",
                 mm_short (cell_w), mm_short (area_w));
  if (cell_h > area_h + EPSILON_PT)
    {
      if (layout->copy_caption_height > 0)
        return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "height_mm",
                     mm_short (layout->photo_height),
                     "a %s mm photo with its %s mm caption does not fit the %s mm above the caption strip",
                     mm_short (layout->photo_height), mm_short (layout->copy_caption_height),
                     mm_short (area_h));
      return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "height_mm",
                   mm_short (layout->photo_height),
                   "a %s mm photo does not fit the %s mm beside the caption strip",
                   mm_short (layout->photo_height), mm_short (area_h));
    }

  columns = extra->columns_asked > 0 ? extra->columns_asked
                                     : cells_fitting (area_w, cell_w, layout->gap_x);
  rows = extra->rows_asked > 0 ? extra->rows_asked
                               : cells_fitting (area_h, cell_h, layout->gap_y);

  /* A negative gap overlaps neighbours (only matters with two or more). */
  if (columns > 1 && layout->gap_x < -EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "gap_x_mm",
                 mm_short (layout->gap_x),
                 "slots 1 and 2 overlap by %s mm", mm_short (-layout->gap_x));
  if (rows > 1 && layout->gap_y < -EPSILON_PT)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "gap_y_mm",
                 mm_short (layout->gap_y),
                 "slot 1%s and slot %d overlap by %s mm",
                 layout->copy_caption_height > 0 ? " with its caption" : "", columns + 1,
                 mm_short (-layout->gap_y));
  if (columns > MAX_GRID || rows > MAX_GRID || (size_t) columns * (size_t) rows > MAX_SLOTS)
    return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "width_mm",
                 mm_short (layout->photo_width),
                 "absurd: more than %d slots on one sheet", MAX_SLOTS);

  grid_w = columns * cell_w + (columns - 1) * layout->gap_x;
  grid_h = rows * cell_h + (rows - 1) * layout->gap_y;
  if (grid_w > area_w + EPSILON_PT)
    {
      char value[16];
      g_snprintf (value, sizeof value, "%d", columns);
      return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "columns", value,
                   "%d slots of %s mm with %s mm gaps need %s mm, the printable width is %s mm",
                   columns, mm_short (cell_w), mm_short (layout->gap_x), mm_short (grid_w),
                   mm_short (area_w));
    }
  if (grid_h > area_h + EPSILON_PT)
    {
      char value[16];
      g_snprintf (value, sizeof value, "%d", rows);
      if (layout->copy_caption_height > 0)
        return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "rows", value,
                     "%d rows of %s mm (photo and caption) with %s mm gaps need %s mm, "
                     "the height beside the caption strip is %s mm",
                     rows, mm_short (cell_h), mm_short (layout->gap_y), mm_short (grid_h),
                     mm_short (area_h));
      return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "rows", value,
                   "%d rows of %s mm with %s mm gaps need %s mm, "
                   "the height beside the caption strip is %s mm",
                   rows, mm_short (cell_h), mm_short (layout->gap_y), mm_short (grid_h),
                   mm_short (area_h));
    }
  layout->columns = columns;
  layout->rows = rows;
  n_slots = (size_t) columns * (size_t) rows;

  /* Centred in the grid area; row-major. */
  x0 = area_x + (area_w - grid_w) / 2;
  y0 = area_y + (area_h - grid_h) / 2;
  layout->slots = g_array_sized_new (FALSE, FALSE, sizeof (PsRect), (guint) n_slots);
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < columns; c++)
      {
        PsRect slot = { x0 + c * (cell_w + layout->gap_x), y0 + r * (cell_h + layout->gap_y),
                        layout->photo_width, layout->photo_height };
        g_array_append_val (layout->slots, slot);
      }

  if (extra->copies_asked > 0 && (size_t) extra->copies_asked > n_slots)
    {
      char value[16];
      g_snprintf (value, sizeof value, "%d", extra->copies_asked);
      return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "copies", value,
                   "only %zu slots fit on the sheet (%d x %d)", n_slots, columns, rows);
    }
  layout->copies = extra->copies_asked > 0 ? extra->copies_asked : (int) n_slots;

  /* Belt and braces: the arithmetic above guarantees these, a future edit
   * might not. */
  for (size_t i = 0; i < n_slots; i++)
    {
      PsRect cell = slot_at (layout, i);
      cell.height += layout->copy_caption_height;
      if (!rect_inside (&cell, px, py, pw, ph))
        return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", NULL, NULL,
                     "slot %zu leaves the printable area", i + 1);
      if (rects_overlap (&cell, &layout->strip))
        return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "caption", "height_mm", NULL,
                     "the caption strip overlaps slot %zu", i + 1);
      for (size_t j = i + 1; j < n_slots; j++)
        {
          PsRect other = slot_at (layout, j);
          other.height += layout->copy_caption_height;
          if (rects_overlap (&cell, &other))
            return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", NULL, NULL,
                         "slots %zu and %zu overlap", i + 1, j + 1);
        }
    }

  /* Cut marks: every stroke stays on the sheet and out of every other photo,
   * every caption but its own (the strokes below a photo run along the edges
   * of its own caption, on the cut line) and the strip.  The renderer may
   * then draw all of them without checks. */
  if (layout->cut_marks)
    for (size_t i = 0; i < n_slots; i++)
      {
        PsRect slot = slot_at (layout, i), marks[8];
        cut_mark_rects (layout, &slot, marks);
        for (int m = 0; m < 8; m++)
          {
            if (!rect_inside (&marks[m], 0, 0, layout->sheet_width, layout->sheet_height))
              return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                           mm_short (layout->mark_length),
                           "the cut marks of slot %zu run off the sheet", i + 1);
            if (rects_overlap (&marks[m], &layout->strip))
              return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                           mm_short (layout->mark_length),
                           "a cut mark of slot %zu enters the caption strip "
                           "(offset %s + length %s mm against a %s mm gap)",
                           i + 1, mm_short (layout->mark_offset),
                           mm_short (layout->mark_length), mm_short (extra->strip_gap));
            for (size_t j = 0; j < n_slots; j++)
              {
                PsRect other, caption;
                if (j == i)
                  continue;
                other = slot_at (layout, j);
                caption = copy_caption_rect (layout, j);
                if (rects_overlap (&marks[m], &other)
                    || (layout->copy_caption_height > 0 && rects_overlap (&marks[m], &caption)))
                  return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                               mm_short (layout->mark_length),
                               "a cut mark of slot %zu enters slot %zu "
                               "(offset %s + length %s mm against gaps of %s x %s mm)",
                               i + 1, j + 1, mm_short (layout->mark_offset),
                               mm_short (layout->mark_length), mm_short (layout->gap_x),
                               mm_short (layout->gap_y));
              }
          }
      }

  /* The reprint mark: a free strip of reprint_mark_mm x 4 times that (room
   * for "补 2026-11-22" in a readable size), tried in this order: the corners
   * of the printable area (top-left first), beside the strip on the grid's
   * side, then the sheet's top-left and top-right corners in the margin. */
  if (extra->reprint_size > 0)
    {
      double s = extra->reprint_size;
      double mw = 4 * s;
      double W = layout->sheet_width;
      double beside_strip_y = extra->strip_top ? layout->strip.y + layout->strip.height
                                               : layout->strip.y - s;
      const PsRect candidates[] = {
        { px, py, mw, s },
        { px + pw - mw, py, mw, s },
        { px, py + ph - s, mw, s },
        { px + pw - mw, py + ph - s, mw, s },
        { px, beside_strip_y, mw, s },
        { px + pw - mw, beside_strip_y, mw, s },
        { 0, 0, mw, s },
        { W - mw, 0, mw, s },
      };
      bool placed = false;

      for (size_t c = 0; c < G_N_ELEMENTS (candidates) && !placed; c++)
        {
          const PsRect *mark = &candidates[c];
          bool is_free = rect_inside (mark, 0, 0, layout->sheet_width, layout->sheet_height)
                      && !rects_overlap (mark, &layout->strip);

          for (size_t i = 0; i < n_slots && is_free; i++)
            {
              PsRect slot = slot_at (layout, i), caption = copy_caption_rect (layout, i);
              /* Keep clear of the cut marks too: grow the slot by their reach. */
              if (layout->cut_marks)
                {
                  double reach = layout->mark_offset + layout->mark_length;
                  slot.x -= reach;
                  slot.y -= reach;
                  slot.width += 2 * reach;
                  slot.height += 2 * reach;

                }
              if (rects_overlap (mark, &slot)
                  || (layout->copy_caption_height > 0 && rects_overlap (mark, &caption)))
                is_free = false;
            }
          if (is_free)
            {
              layout->reprint_mark = *mark;
              placed = true;
            }
        }
      if (!placed)
        return fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "sheet", "reprint_mark_mm",
                     mm_short (s), "no free corner for the reprint mark "
                     "(make it smaller, or 0 for none)");
    }
  return true;
}

/* Strips a UTF-8 byte order mark (Windows editors write one). */
static const char *
skip_bom (const char *data, gsize *length)
{
  if (*length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      *length -= 3;
      return data + 3;
    }
  return data;
}

/* Parses layout text; @path names it in messages.  The text is kept
 * verbatim in the layout so that a batch can be rendered again later with
 * exactly the layout it was rendered with. */
PsLayout *
_ps_layout_load_from_data (const char *name, const char *path, const char *contents,
                           gsize length, GError **error)
{
  g_autoptr (PsLayout) layout = g_new0 (PsLayout, 1);
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  const char *data;
  Parser parser = { keyfile, path, error };
  Extra extra = { 0 };

  layout->name = g_strdup (name);
  layout->path = g_strdup (path);

  if (length > MAX_FILE_BYTES)
    {
      g_set_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_PARSE,
                   "layout '%s': larger than %d KiB, not a layout file", path,
                   MAX_FILE_BYTES / 1024);
      return NULL;
    }
  data = skip_bom (contents, &length);
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_PARSE,
                   "layout '%s': contains NUL bytes, not a text file", path);
      return NULL;
    }
  if (!g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_PARSE, "layout '%s': %s", path,
                   local->message);
      return NULL;
    }

  if (!check_known_keys (&parser)
      || !parse_sheet (&parser, layout, &extra)
      || !parse_photo (&parser, layout, &extra)
      || !parse_caption (&parser, layout, &extra)
      || !parse_marks (&parser, layout)
      || !parse_separator (&parser, layout)
      || !compute_geometry (&parser, layout, &extra))
    return NULL;

  layout->text = g_strndup (data, length);
  return g_steal_pointer (&layout);
}

static PsLayout *
layout_load_file (const char *path, const char *name, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_LAYOUT_ERROR,
                   saved == ENOENT ? PS_LAYOUT_ERROR_NOT_FOUND : PS_LAYOUT_ERROR_FAILED,
                   "layout '%s': %s", path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_FAILED,
                   "layout '%s': not a regular file", path);
      return NULL;
    }
  if (st.st_size > MAX_FILE_BYTES)
    {
      g_set_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_PARSE,
                   "layout '%s': larger than %d KiB, not a layout file", path,
                   MAX_FILE_BYTES / 1024);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_FAILED, "layout '%s': %s", path,
                   local->message);
      return NULL;
    }
  return _ps_layout_load_from_data (name, path, contents, length, error);
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

const char *
ps_layout_get_dir (void)
{
  static gsize once;
  static char *dir;

  if (g_once_init_enter (&once))
    {
      dir = g_build_filename (_ps_get_data_dir (), "layouts", NULL);
      g_once_init_leave (&once, 1);
    }
  return dir;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
ps_layout_list (void)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (ps_layout_get_dir (), 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      size_t len = strlen (entry);
      if (entry[0] != '.' && len > 4 && g_str_has_suffix (entry, ".ini"))
        g_ptr_array_add (names, g_strndup (entry, len - 4));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  g_ptr_array_set_free_func (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

PsLayout *
ps_layout_load (const char *name_or_path, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (name_or_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strchr (name_or_path, '/') != NULL || g_str_has_suffix (name_or_path, ".ini"))
    {
      path = g_strdup (name_or_path);
    }
  else
    {
      const char *dir = ps_layout_get_dir ();
      g_autofree char *file = g_strconcat (name_or_path, ".ini", NULL);

      path = g_build_filename (dir, file, NULL);
      if (*name_or_path == '\0' || name_or_path[0] == '.'
          || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_auto (GStrv) names = ps_layout_list ();
          g_autofree char *available = g_strjoinv (", ", names);
          g_set_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_NOT_FOUND,
                       "layout '%s' not found in '%s' (available: %s)", name_or_path, dir,
                       *available != '\0' ? available : "none");
          return NULL;
        }
    }

  base = g_path_get_basename (path);
  name = g_str_has_suffix (base, ".ini") ? g_strndup (base, strlen (base) - 4)
                                          : g_strdup (base);
  return layout_load_file (path, name, error);
}

void
ps_layout_free (PsLayout *layout)
{
  if (layout == NULL)
    return;
  g_free (layout->name);
  g_free (layout->path);
  g_free (layout->text);
  g_free (layout->description);
  g_free (layout->media);
  g_clear_pointer (&layout->slots, g_array_unref);
  g_free (layout->copy_font.family);
  g_free (layout->strip_font.family);
  g_free (layout->sep_title_font.family);
  g_free (layout->sep_text_font.family);
  g_free (layout);
}

const char *
ps_layout_get_name (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, NULL);
  return layout->name;
}

const char *
ps_layout_get_description (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, NULL);
  return layout->description;
}

double
ps_layout_get_sheet_width (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return layout->sheet_width;
}

double
ps_layout_get_sheet_height (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return layout->sheet_height;
}

int
ps_layout_get_dpi (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return layout->dpi;
}

size_t
ps_layout_get_n_slots (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return layout->slots->len;
}

PsRect
ps_layout_get_slot (const PsLayout *layout, size_t index)
{
  PsRect none = { 0, 0, 0, 0 };

  g_return_val_if_fail (layout != NULL, none);
  g_return_val_if_fail (index < layout->slots->len, none);
  return slot_at (layout, index);
}

int
ps_layout_get_copies (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return layout->copies;
}

const char *
ps_layout_get_media (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, NULL);
  return layout->media;
}

/* Pixels of @pt at @dpi, rounded to the nearest (33 mm at 300 dpi -> 390). */
static int
points_to_px (double pt, int dpi)
{
  return (int) lround (pt / 72.0 * dpi);
}

/* The photo slot's size in pixels at the layout's dpi: a photo smaller than
 * this is scaled up when printed.  It is not the preflight minimum (the
 * source standard, 480 x 640, is that); callers may warn below it. */
void
ps_layout_get_min_photo_px (const PsLayout *layout, int *width, int *height)
{
  g_return_if_fail (layout != NULL);
  if (width != NULL)
    *width = points_to_px (layout->photo_width, layout->dpi);
  if (height != NULL)
    *height = points_to_px (layout->photo_height, layout->dpi);
}

static void
append_fields (GString *out, const PsField *fields, size_t n)
{
  for (size_t i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "", ps_field_get_key (fields[i]));
}

static void
append_font (GString *out, const PsFontSpec *font)
{
  g_string_append_printf (out, "font \"%s\" %s..%s pt", font->family,
                          pt_short (font->size_min), pt_short (font->size_max));
}

static void
append_rect (GString *out, const PsRect *r)
{
  g_string_append_printf (out, "x %s y %s w %s h %s mm", mm1 (r->x), mm1 (r->y),
                          mm1 (r->width), mm1 (r->height));
}

char *
ps_layout_describe (const PsLayout *layout)
{
  GString *out;
  int px_w, px_h;

  g_return_val_if_fail (layout != NULL, NULL);
  out = g_string_new (NULL);
  ps_layout_get_min_photo_px (layout, &px_w, &px_h);

  g_string_append_printf (out, "layout %s (%s)\n", layout->name, layout->path);
  if (layout->description[0] != '\0')
    g_string_append_printf (out, "about      %s\n", layout->description);
  g_string_append_printf (out, "sheet      %s x %s mm %s, %d dpi, media %s\n",
                          mm1 (layout->sheet_width), mm1 (layout->sheet_height),
                          layout->landscape ? "landscape" : "portrait", layout->dpi,
                          layout->media);
  g_string_append_printf (out, "margins    top %s right %s bottom %s left %s mm\n",
                          mm1 (layout->margin_top), mm1 (layout->margin_right),
                          mm1 (layout->margin_bottom), mm1 (layout->margin_left));
  g_string_append_printf (out, "photo      %s x %s mm (%d x %d px), crop %s\n",
                          mm1 (layout->photo_width), mm1 (layout->photo_height), px_w, px_h,
                          layout->crop == PS_CROP_FIT ? "fit" : "cover");
  g_string_append_printf (out, "grid       %d columns x %d rows, gaps %s x %s mm, "
                          "%d copies per sheet\n",
                          layout->columns, layout->rows, mm1 (layout->gap_x),
                          mm1 (layout->gap_y), layout->copies);
  for (guint i = 0; i < layout->slots->len; i++)
    {
      PsRect slot = slot_at (layout, i);
      g_string_append_printf (out, "slot %-5u ", i + 1);
      append_rect (out, &slot);
      g_string_append_c (out, '\n');
    }
  if (layout->n_copy_fields > 0)
    {
      g_string_append_printf (out, "per copy   caption h %s mm below each photo, fields ",
                              mm1 (layout->copy_caption_height));
      append_fields (out, layout->copy_fields, layout->n_copy_fields);
      g_string_append (out, ", ");
      append_font (out, &layout->copy_font);
      g_string_append_c (out, '\n');
    }
  else
    g_string_append (out, "per copy   no caption\n");
  g_string_append (out, "caption    strip ");
  append_rect (out, &layout->strip);
  g_string_append (out, ", fields ");
  append_fields (out, layout->strip_fields, layout->n_strip_fields);
  g_string_append_printf (out, "%s, ", layout->strip_labels ? " with labels" : "");
  append_font (out, &layout->strip_font);
  g_string_append_c (out, '\n');
  if (layout->cut_marks)
    g_string_append_printf (out, "marks      cut marks %s mm long, %s mm from the photo, "
                            "%s pt lines\n",
                            mm1 (layout->mark_length), mm1 (layout->mark_offset),
                            pt_short (layout->mark_width));
  else
    g_string_append (out, "marks      no cut marks\n");
  if (layout->reprint_mark.width > 0)
    {
      g_string_append (out, "reprint    ");
      append_rect (out, &layout->reprint_mark);
      g_string_append_c (out, '\n');
    }
  else
    g_string_append (out, "reprint    no mark\n");
  g_string_append (out, "separator  title ");
  append_font (out, &layout->sep_title_font);
  g_string_append (out, ", text ");
  append_font (out, &layout->sep_text_font);
  g_string_append_printf (out, ", tab %s x %s mm in %d steps\n", mm1 (layout->tab_width),
                          mm1 (layout->tab_height), layout->tab_steps);
  return g_string_free (out, FALSE);
}
