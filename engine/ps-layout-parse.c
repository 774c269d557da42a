/* ps-layout-parse.c - layout files (.ini, mm and pt) -> the settings of a PsLayout.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A layout file is a GKeyFile documented key by key in layouts/README.md.
 * Lengths are read in mm and font sizes in pt and converted to points here,
 * once (units change only at the edges).  Loading is all-or-nothing: the
 * first problem found refuses the file with a PS_LAYOUT_ERROR that names the
 * file, the [group] and key, the value and the reason.  The grid, the slots
 * and every collision check are ps-layout-geometry.c's.
 */
#include "config.h"
#include "ps-layout-parse-private.h"
#include "ps-file-private.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <glib/gstdio.h>

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* Locale-independent number for messages and describe(): a small ring of
 * buffers so that one message may hold several numbers. */
char *
_ps_layout_num (double value, int decimals)
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
const char *
_ps_layout_mm_short (double pt)
{
  double mm = round (PT_TO_MM (pt) * 10.0) / 10.0;
  char *s = _ps_layout_num (mm, 1);
  size_t len = strlen (s);

  if (len > 2 && strcmp (s + len - 2, ".0") == 0)
    s[len - 2] = '\0';
  return s;
}

/* A size in pt with at most two decimals, trailing zeros dropped: "5", "6.5". */
const char *
_ps_layout_pt_short (double pt)
{
  char *s = _ps_layout_num (pt, 2);
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
const char *
_ps_layout_mm1 (double pt)
{
  return _ps_layout_num (PT_TO_MM (pt), 1);
}


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


/* Sets "layout 'FILE': [GROUP] KEY=VALUE: REASON" and returns false. */
bool
_ps_layout_fail (Parser *parser, PsLayoutError code, const char *group, const char *key,
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
  "caption_size_min_pt", "groups", NULL
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
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, groups[g], NULL, NULL,
                     "unknown group (known: sheet, photo, caption, marks, separator)");

      keys = g_key_file_get_keys (parser->keyfile, groups[g], NULL, NULL);
      for (size_t k = 0; keys != NULL && keys[k] != NULL; k++)
        if (!g_strv_contains (known->keys, keys[k]))
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, groups[g], keys[k], NULL,
                       "unknown key");
    }
  if (!g_key_file_has_group (parser->keyfile, "sheet"))
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_MISSING_KEY, "sheet", NULL, NULL, "missing group");
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
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_MISSING_KEY, group, key, NULL, "missing key");
      return true;
    }
  value = g_key_file_get_string (parser->keyfile, group, key, &local);
  if (value == NULL)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_PARSE, group, key, NULL, "%s", local->message);
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "not a number (a length in mm, e.g. 33 or 101.6)");
  if (!isfinite (mm))
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a finite length");
  if (kind == LENGTH_POSITIVE && mm <= 0)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a positive length");
  if (kind == LENGTH_NON_NEGATIVE && mm < 0)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must not be negative");
  if (fabs (mm) > MAX_LENGTH_MM)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "absurd length: more than %s mm", _ps_layout_num (MAX_LENGTH_MM, 0));
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "not a number (a size in pt, e.g. 8 or 6.5)");
  if (!isfinite (pt))
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a finite size");
  if (pt <= 0)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "must be a positive size");
  if (pt < min_pt || pt > max_pt)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 "absurd size: must be between %s and %s pt", _ps_layout_pt_short (min_pt),
                 _ps_layout_pt_short (max_pt));
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
                 allow_auto ? "must be 'auto' or a whole number" : "must be a whole number");
  if (n < min || n > max)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value,
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
  return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, value, "must be %s", list);
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
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                       "empty field name in the list");
        }
      if (!ps_field_lookup (part, &field))
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                     "unknown field '%s' (known: sjc, cjm, yxdm, zjhm, xh, cc, xllb, xm, bh, fy, photo)",
                     part);
      if (field == PS_FIELD_COPIES || field == PS_FIELD_PRIORITY)
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                     "field '%s' is not printable in a caption", part);
      for (size_t j = 0; j < n; j++)
        if (fields[j] == field)
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
                       "field '%s' is listed twice", part);
      g_assert (n < PS_N_FIELDS);
      fields[n++] = field;
    }
  if (n == 0 && !allow_empty)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, key, text,
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, family_key, family,
                 "must name at least one font family");
  if (family != NULL && g_utf8_strlen (family, -1) > MAX_FAMILY_CHARS)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, family_key, family,
                 "longer than %d characters", MAX_FAMILY_CHARS);
  if (!get_points (parser, group, max_key, default_max, MIN_FONT_PT, MAX_FONT_PT,
                   &font->size_max)
      || !get_points (parser, group, min_key, default_min, MIN_FONT_PT, MAX_FONT_PT,
                      &font->size_min))
    return false;
  if (font->size_min > font->size_max)
    {
      g_autofree char *value = g_strdup (_ps_layout_pt_short (font->size_min));
      return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, group, min_key, value,
                   "larger than %s=%s", max_key, _ps_layout_pt_short (font->size_max));
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
  { 152.4, 203.2, "na_index-4x6-ext_6x8in" },   /* 8寸 (152 x 203 mm) */
  { 203.2, 254.0, "na_govt-letter_8x10in" },    /* 10寸 */
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
/* Loading                                                            */
/* ------------------------------------------------------------------ */


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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "margin_mm", NULL,
                 "left and right margins (%s + %s mm) leave no printable width on a %s mm sheet",
                 _ps_layout_mm_short (layout->margin_left), _ps_layout_mm_short (layout->margin_right),
                 _ps_layout_mm_short (layout->sheet_width));
  if (layout->margin_top + layout->margin_bottom >= layout->sheet_height - EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "margin_mm", NULL,
                 "top and bottom margins (%s + %s mm) leave no printable height on a %s mm sheet",
                 _ps_layout_mm_short (layout->margin_top), _ps_layout_mm_short (layout->margin_bottom),
                 _ps_layout_mm_short (layout->sheet_height));

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
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "media", media,
                       "not a PWG media name such as na_index-4x6_4x6in or iso_a4_210x297mm");
        if (fabs (MIN (ma, mb) - a) > MEDIA_TOLERANCE_MM
            || fabs (MAX (ma, mb) - b) > MEDIA_TOLERANCE_MM)
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "media", media,
                       "%s x %s mm does not match the %s x %s mm sheet",
                       _ps_layout_mm_short (MM_TO_PT (MIN (ma, mb))), _ps_layout_mm_short (MM_TO_PT (MAX (ma, mb))),
                       _ps_layout_mm_short (MIN (w, h)), _ps_layout_mm_short (MAX (w, h)));
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
            const char *sa = _ps_layout_mm_short (MM_TO_PT (a)), *sb = _ps_layout_mm_short (MM_TO_PT (b));
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "width_mm",
                 _ps_layout_mm_short (layout->photo_width), "absurd photo size: less than %s mm",
                 _ps_layout_num (MIN_PHOTO_MM, 0));
  if (layout->photo_height < MM_TO_PT (MIN_PHOTO_MM) - EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "height_mm",
                 _ps_layout_mm_short (layout->photo_height), "absurd photo size: less than %s mm",
                 _ps_layout_num (MIN_PHOTO_MM, 0));
  if (!get_choice (parser, g, "crop", crops, &crop))
    return false;
  layout->crop = crop == 1 ? PS_CROP_FIT : PS_CROP_COVER;

  if (!get_count (parser, g, "columns", true, 0, 1, MAX_GRID, &extra->columns_asked)
      || !get_count (parser, g, "rows", true, 0, 1, MAX_GRID, &extra->rows_asked)
      || !get_length (parser, g, "gap_x_mm", false, 4.0, LENGTH_ANY, &layout->gap_x)
      || !get_length (parser, g, "gap_y_mm", false, 4.0, LENGTH_ANY, &layout->gap_y)
      || !get_count (parser, g, "copies", true, 0, 1, MAX_SLOTS, &extra->copies_asked))
    return false;
  {
    static const char *const groups[] = { "sheet", "rows", NULL };
    int choice = 0;
    if (!get_choice (parser, g, "groups", groups, &choice))
      return false;
    layout->groups = choice == 1 ? PS_GROUPS_ROWS : PS_GROUPS_SHEET;
  }

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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "caption_height_mm",
                 _ps_layout_mm_short (layout->copy_caption_height),
                 "a %s mm caption cannot hold one line at caption_size_min_pt=%s pt (needs %s mm)",
                 _ps_layout_mm_short (layout->copy_caption_height), _ps_layout_pt_short (layout->copy_font.size_min),
                 _ps_layout_mm_short (COPY_LINE_FACTOR * layout->copy_font.size_min));
  return true;
}

static bool
parse_caption (Parser *parser, PsLayout *layout, Extra *extra)
{
  static const char *const positions[] = { "bottom", "top", "row", "cell", NULL };
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
  layout->record = position == 2 ? PS_RECORD_ROW
                 : position == 3 ? PS_RECORD_CELL : PS_RECORD_STRIP;
  /* Several students on a sheet cannot share one strip; a band per row
   * only makes sense when groups take whole rows. */
  if (layout->groups == PS_GROUPS_ROWS && layout->record == PS_RECORD_STRIP)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "position",
                            positions[position],
                            "[photo] groups=rows puts several students on a sheet: "
                            "their records go in a band below each row (row) or a cell (cell)");
  if (layout->groups == PS_GROUPS_SHEET && layout->record == PS_RECORD_ROW)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_INVALID_VALUE, g, "position", "row",
                            "a band per row needs [photo] groups=rows");
  if (height < STRIP_LINE_FACTOR * layout->strip_font.size_min - EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "height_mm", _ps_layout_mm_short (height),
                 "a %s mm strip cannot hold one line at size_min_pt=%s pt (needs %s mm)",
                 _ps_layout_mm_short (height), _ps_layout_pt_short (layout->strip_font.size_min),
                 _ps_layout_mm_short (STRIP_LINE_FACTOR * layout->strip_font.size_min));
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "tab_width_mm",
                 _ps_layout_mm_short (layout->tab_width), "more than a quarter of the %s mm sheet width",
                 _ps_layout_mm_short (layout->sheet_width));
  /* The tabs step down the right edge and start over: all steps must fit
   * the sheet's height (they bleed into the margins). */
  if (layout->tab_steps * layout->tab_height > layout->sheet_height + EPSILON_PT)
    {
      char steps[16];
      g_snprintf (steps, sizeof steps, "%d", layout->tab_steps);
      return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, g, "tab_steps", steps,
                   "%d tabs of %s mm need %s mm, the sheet is %s mm high", layout->tab_steps,
                   _ps_layout_mm_short (layout->tab_height),
                   _ps_layout_mm_short (layout->tab_steps * layout->tab_height),
                   _ps_layout_mm_short (layout->sheet_height));
    }
  return true;
}

/* How many cells of @cell with @gap fit in @space (0 if none). */
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
  g_atomic_ref_count_init (&layout->ref);
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
      || !_ps_layout_compute_geometry (&parser, layout, &extra))
    return NULL;

  layout->text = g_strndup (data, length);
  return g_steal_pointer (&layout);
}

PsLayout *
_ps_layout_load_file (const char *path, const char *name, GError **error)
{
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
  /* Read through the bounded reader all the same: the file may have been
   * swapped for a FIFO or grown since the stat. */
  g_autoptr (GBytes) bytes = NULL;
  if (!_ps_file_read_regular_full (path, MAX_FILE_BYTES, "layout", PS_LAYOUT_ERROR,
                                   PS_LAYOUT_ERROR_FAILED, PS_LAYOUT_ERROR_PARSE, &bytes, error))
    return NULL;
  gsize length = 0;
  const char *contents = g_bytes_get_data (bytes, &length);
  return _ps_layout_load_from_data (name, path, contents != NULL ? contents : "", length, error);
}

