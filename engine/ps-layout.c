/* ps-layout.c - sheet layouts: finding them by name, the public accessors,
 * the computed geometry as text.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A PsLayout that exists is valid and immutable (ps-layout-parse.c and
 * ps-layout-geometry.c made it), so it may be shared between threads and
 * objects; it is reference-counted for that.
 */
#include "config.h"
#include "ps-layout-parse-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (ps-layout-error-quark, ps_layout_error)

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
      dir = g_build_filename (_ps_core_get_data_dir (), "layouts", NULL);
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
  return _ps_layout_load_file (path, name, error);
}

PsLayout *
ps_layout_ref (PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, NULL);
  g_atomic_ref_count_inc (&layout->ref);
  return layout;
}

void
ps_layout_unref (PsLayout *layout)
{
  if (layout == NULL || !g_atomic_ref_count_dec (&layout->ref))
    return;
  g_free (layout->name);
  g_free (layout->path);
  g_free (layout->text);
  g_free (layout->description);
  g_free (layout->media);
  g_clear_pointer (&layout->slots, g_array_unref);
  g_clear_pointer (&layout->bands, g_array_unref);
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
  return _ps_layout_slot (layout, index);
}

int
ps_layout_get_copies (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return layout->copies;
}

int
ps_layout_get_max_copies (const PsLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return _ps_layout_get_capacity (layout);
}

size_t
ps_layout_get_students_per_sheet (const PsLayout *layout, int copies)
{
  g_return_val_if_fail (layout != NULL, 0);
  g_return_val_if_fail (copies >= 1, 0);
  if (copies > _ps_layout_get_capacity (layout))
    return 1;
  return (size_t) _ps_layout_get_positions (layout, copies);
}

int
ps_layout_get_sheets_per_student (const PsLayout *layout, int copies)
{
  g_return_val_if_fail (layout != NULL, 0);
  g_return_val_if_fail (copies >= 1, 0);
  int capacity = _ps_layout_get_capacity (layout);
  return (copies + capacity - 1) / capacity;
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
                          _ps_layout_pt_short (font->size_min), _ps_layout_pt_short (font->size_max));
}

static void
append_rect (GString *out, const PsRect *r)
{
  g_string_append_printf (out, "x %s y %s w %s h %s mm", _ps_layout_mm1 (r->x), _ps_layout_mm1 (r->y),
                          _ps_layout_mm1 (r->width), _ps_layout_mm1 (r->height));
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
                          _ps_layout_mm1 (layout->sheet_width), _ps_layout_mm1 (layout->sheet_height),
                          layout->landscape ? "landscape" : "portrait", layout->dpi,
                          layout->media);
  g_string_append_printf (out, "margins    top %s right %s bottom %s left %s mm\n",
                          _ps_layout_mm1 (layout->margin_top), _ps_layout_mm1 (layout->margin_right),
                          _ps_layout_mm1 (layout->margin_bottom), _ps_layout_mm1 (layout->margin_left));
  g_string_append_printf (out, "photo      %s x %s mm (%d x %d px), crop %s\n",
                          _ps_layout_mm1 (layout->photo_width), _ps_layout_mm1 (layout->photo_height), px_w, px_h,
                          layout->crop == PS_CROP_FIT ? "fit" : "cover");
  g_string_append_printf (out, "grid       %d columns x %d rows, gaps %s x %s mm, "
                          "%d copies per sheet\n",
                          layout->columns, layout->rows, _ps_layout_mm1 (layout->gap_x),
                          _ps_layout_mm1 (layout->gap_y), layout->copies);
  if (layout->groups == PS_GROUPS_SHEET)
    g_string_append_printf (out, "groups     one student per sheet, copies in reading order "
                            "(at most %d a sheet)\n", _ps_layout_get_capacity (layout));
  else
    {
      int rows = _ps_layout_group_rows (layout, layout->copies);
      g_string_append_printf (out, "groups     each student on whole rows: %d copies take "
                              "%d row%s, %d students per sheet\n", layout->copies, rows,
                              rows == 1 ? "" : "s",
                              _ps_layout_get_positions (layout, layout->copies));
    }
  for (guint i = 0; i < layout->slots->len; i++)
    {
      PsRect slot = _ps_layout_slot (layout, i);
      g_string_append_printf (out, "slot %-5u ", i + 1);
      append_rect (out, &slot);
      g_string_append_c (out, '\n');
    }
  if (layout->n_copy_fields > 0)
    {
      g_string_append_printf (out, "per copy   caption h %s mm below each photo, fields ",
                              _ps_layout_mm1 (layout->copy_caption_height));
      append_fields (out, layout->copy_fields, layout->n_copy_fields);
      g_string_append (out, ", ");
      append_font (out, &layout->copy_font);
      g_string_append_c (out, '\n');
    }
  else
    g_string_append (out, "per copy   no caption\n");
  if (layout->record == PS_RECORD_STRIP)
    g_string_append (out, "caption    strip ");
  else if (layout->record == PS_RECORD_ROW)
    g_string_append (out, "caption    a band below each row, the first ");
  else
    g_string_append (out, "caption    in the last cell of each group, the first ");
  append_rect (out, &layout->strip);
  g_string_append (out, ", fields ");
  append_fields (out, layout->strip_fields, layout->n_strip_fields);
  g_string_append_printf (out, "%s, ", layout->strip_labels ? " with labels" : "");
  append_font (out, &layout->strip_font);
  g_string_append_c (out, '\n');
  if (layout->cut_marks)
    g_string_append_printf (out, "marks      cut marks %s mm long, %s mm from the photo, "
                            "%s pt lines\n",
                            _ps_layout_mm1 (layout->mark_length), _ps_layout_mm1 (layout->mark_offset),
                            _ps_layout_pt_short (layout->mark_width));
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
  g_string_append_printf (out, ", tab %s x %s mm in %d steps\n", _ps_layout_mm1 (layout->tab_width),
                          _ps_layout_mm1 (layout->tab_height), layout->tab_steps);
  return g_string_free (out, FALSE);
}

