/* ps-render.c - one page onto a cairo context: photos, captions, marks,
 * separator pages.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything is drawn in points; the caller's CTM maps points to the device
 * (1:1 for PDF, dpi/72 for rasters), so the same code draws every output.
 * Text goes through Pango on the private font configuration and is never
 * clipped or ellipsized: it shrinks within the layout's size range, then
 * wraps, and a caption that still does not fit is an error that `check`
 * reports before anything is printed.
 */
#include "config.h"
#include "ps-render-private.h"
#include "ps-fonts-private.h"

#include <math.h>
#include <string.h>

#define SIZE_STEP 0.25   /* points between tried font sizes */
#define FIELD_SEPARATOR "   "
#define LABEL_JOINER "\u00A0"   /* label and value never split across lines */
#define MAX_ROWS_PER_GROUP 100   /* MAX_GRID of the layouts */

G_DEFINE_QUARK (ps-render-error-quark, ps_render_error)

struct _PsRenderer {
  const PsLayout *layout;   /* borrowed */
  PangoContext   *context;  /* one per renderer: renderers are per thread */
};

PsRenderer *
_ps_renderer_new (const PsLayout *layout)
{
  PsRenderer *r = g_new0 (PsRenderer, 1);
  r->layout = layout;
  r->context = _ps_fonts_new_context ();
  return r;
}

void
_ps_renderer_free (PsRenderer *renderer)
{
  if (renderer == NULL)
    return;
  g_clear_object (&renderer->context);
  g_free (renderer);
}

static PangoLayout *
new_text_layout (PsRenderer *r, const char *family, double size, const char *text)
{
  PangoLayout *layout = pango_layout_new (r->context);
  PangoFontDescription *desc = pango_font_description_from_string (family);
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* True when both the logical box and the ink of @layout (its width set to
 * @width, so lines sit where they will be drawn) lie inside @width x
 * @height: a glyph's overhang (italics, a wide CJK form) must not cross a
 * cut line either. */
static bool
layout_fits (PangoLayout *layout, double width, double height)
{
  PangoRectangle ink, logical;
  pango_layout_get_extents (layout, &ink, &logical);
  const double slack = 1e-6;
  double s = PANGO_SCALE;
  if (logical.width / s > width + slack || logical.height / s > height + slack)
    return false;
  /* Lines wider than @width are not wrapped further when wrapping is off:
   * measure where each line's ink is. */
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  bool fits = true;
  do
    {
      PangoRectangle line_ink, line_logical;
      pango_layout_iter_get_line_extents (iter, &line_ink, &line_logical);
      if (line_logical.x / s < -slack || (line_logical.x + line_logical.width) / s > width + slack
          || (line_ink.width > 0
              && (line_ink.x / s < -slack || (line_ink.x + line_ink.width) / s > width + slack)))
        fits = false;
    }
  while (fits && pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
  return fits && (ink.height <= 0 || (ink.y / s >= -slack && (ink.y + ink.height) / s <= height + slack));
}

/* Finds the largest size in @font's range at which @text fits @width x
 * @height on one line; failing that, wrapped at @width.  Returns a layout
 * ready to draw (its width set to @width), or NULL when the text does not
 * fit even at the minimum. */
static PangoLayout *
fit_text_attrs (PsRenderer *r, const PsFontSpec *font, const char *text, PangoAttrList *attrs,
                double width, double height, bool allow_wrap, PangoAlignment align)
{
  for (int wrap = 0; wrap <= (allow_wrap ? 1 : 0); wrap++)
    for (double size = font->size_max; size >= font->size_min - 1e-9; size -= SIZE_STEP)
      {
        PangoLayout *layout = new_text_layout (r, font->family, size, text);
        pango_layout_set_alignment (layout, align);
        if (attrs != NULL)
          pango_layout_set_attributes (layout, attrs);
        if (wrap)
          {
            pango_layout_set_width (layout, (int) floor (width * PANGO_SCALE));
            pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
          }
        else
          {
            /* One line: measured unwrapped first, then placed in @width. */
            PangoRectangle logical;
            pango_layout_get_extents (layout, NULL, &logical);
            if (logical.width / (double) PANGO_SCALE > width + 1e-6)
              {
                g_object_unref (layout);
                continue;
              }
            pango_layout_set_width (layout, (int) floor (width * PANGO_SCALE));
          }
        if ((wrap || pango_layout_get_line_count (layout) == 1)
            && layout_fits (layout, width, height))
          return layout;
        g_object_unref (layout);
      }
  return NULL;
}

static PangoLayout *
fit_text (PsRenderer *r, const PsFontSpec *font, const char *text, double width,
          double height, bool allow_wrap, PangoAlignment align)
{
  return fit_text_attrs (r, font, text, NULL, width, height, allow_wrap, align);
}

/* The strip text, one "label value" per field; @attrs (out) forbids line
 * breaks inside a field, so a wrapped strip never splits 证件号码 or a
 * value - CJK text may otherwise break between any two characters. */
static char *
strip_text (const PsLayout *layout, const PsRecord *record, PangoAttrList **attrs)
{
  GString *s = g_string_new (NULL);
  *attrs = pango_attr_list_new ();
  for (size_t i = 0; i < layout->n_strip_fields; i++)
    {
      PsField f = layout->strip_fields[i];
      const char *value = record->values[f];
      if (value == NULL)
        continue;
      if (s->len > 0)
        g_string_append (s, FIELD_SEPARATOR);
      guint start = (guint) s->len;
      if (layout->strip_labels)
        g_string_append_printf (s, "%s" LABEL_JOINER, ps_field_get_label (f));
      g_string_append (s, value);
      PangoAttribute *keep = pango_attr_allow_breaks_new (FALSE);
      keep->start_index = start;
      keep->end_index = (guint) s->len;
      pango_attr_list_insert (*attrs, keep);
    }
  return g_string_free (s, FALSE);
}

static char *
copy_text (const PsLayout *layout, const PsRecord *record)
{
  GString *s = g_string_new (NULL);
  for (size_t i = 0; i < layout->n_copy_fields; i++)
    {
      const char *value = record->values[layout->copy_fields[i]];
      if (value == NULL)
        continue;
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, value);
    }
  return g_string_free (s, FALSE);
}

static double
copy_caption_width (const PsLayout *layout)
{
  /* Inside the photo's width, with or without cut marks: the copies are
   * cut apart along the photo's side edges (the marks only guide the
   * knife), so a caption wider than the photo would be cut. */
  return layout->photo_width;
}

/* Space between a photo and its caption, taken from the caption's height. */
static double
copy_caption_gap (const PsLayout *layout)
{
  return MIN (layout->mark_offset * 0.5, layout->copy_caption_height * 0.15);
}

static PangoLayout *
fit_strip (PsRenderer *r, const PsRecord *record)
{
  PangoAttrList *attrs = NULL;
  g_autofree char *text = strip_text (r->layout, record, &attrs);
  PangoLayout *layout = fit_text_attrs (r, &r->layout->strip_font, text, attrs,
                                        r->layout->strip.width, r->layout->strip.height, true,
                                        PANGO_ALIGN_LEFT);
  pango_attr_list_unref (attrs);
  return layout;
}

static PangoLayout *
fit_copy_caption (PsRenderer *r, const PsRecord *record)
{
  g_autofree char *text = copy_text (r->layout, record);
  return fit_text (r, &r->layout->copy_font, text, copy_caption_width (r->layout),
                   r->layout->copy_caption_height - copy_caption_gap (r->layout), true,
                   PANGO_ALIGN_CENTER);
}

/* The field to blame when a caption of @fields does not fit: the first
 * whose value alone does not fit @width x @height at the minimum size,
 * else all of them ("xm,xh"). */
static char *
blame_field (PsRenderer *r, const PsFontSpec *font, const PsField *fields, size_t n_fields,
             const PsRecord *record, double width, double height)
{
  g_autoptr (GString) all = g_string_new (NULL);
  for (size_t i = 0; i < n_fields; i++)
    {
      const char *value = record->values[fields[i]];
      if (value == NULL)
        continue;
      PsFontSpec min = { font->family, font->size_min, font->size_min };
      PangoLayout *alone = fit_text (r, &min, value, width, height, true, PANGO_ALIGN_LEFT);
      if (alone == NULL)
        return g_strdup (ps_field_get_key (fields[i]));
      g_object_unref (alone);
      g_string_append_printf (all, "%s%s", all->len > 0 ? "," : "", ps_field_get_key (fields[i]));
    }
  return g_string_free (g_steal_pointer (&all), FALSE);
}

bool
_ps_renderer_check_record (PsRenderer *renderer, const PsRecord *record, char **field,
                           GError **error)
{
  const PsLayout *layout = renderer->layout;

  if (layout->n_strip_fields > 0 && layout->strip.height > 0)
    {
      PangoLayout *strip = fit_strip (renderer, record);
      if (strip == NULL)
        {
          if (field != NULL)
            *field = blame_field (renderer, &layout->strip_font, layout->strip_fields,
                                  layout->n_strip_fields, record, layout->strip.width,
                                  layout->strip.height);
          g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAPTION,
                       "caption strip does not fit in %.1f x %.1f mm even at %.1f pt",
                       layout->strip.width * 25.4 / 72, layout->strip.height * 25.4 / 72,
                       layout->strip_font.size_min);
          return false;
        }
      g_object_unref (strip);
    }
  if (layout->n_copy_fields > 0 && layout->copy_caption_height > 0)
    {
      PangoLayout *caption = fit_copy_caption (renderer, record);
      if (caption == NULL)
        {
          double height = layout->copy_caption_height - copy_caption_gap (layout);
          if (field != NULL)
            *field = blame_field (renderer, &layout->copy_font, layout->copy_fields,
                                  layout->n_copy_fields, record, copy_caption_width (layout),
                                  height);
          g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAPTION,
                       "photo caption does not fit inside the %.1f mm photo width even at "
                       "%.1f pt%s", copy_caption_width (layout) * 25.4 / 72,
                       layout->copy_font.size_min,
                       height >= 2 * layout->copy_font.size_min * 1.2 ? " on two lines" : "");
          return false;
        }
      g_object_unref (caption);
    }
  return true;
}

static void
show_layout_at (cairo_t *cr, PangoLayout *layout, double x, double y)
{
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_photo (cairo_t *cr, cairo_surface_t *photo, const PsRect *slot, PsCrop crop)
{
  int w = cairo_image_surface_get_width (photo);
  int h = cairo_image_surface_get_height (photo);
  double sx = slot->width / w, sy = slot->height / h;
  /* One scale for both axes: a photo is never stretched. */
  double s = crop == PS_CROP_COVER ? MAX (sx, sy) : MIN (sx, sy);
  double dw = w * s, dh = h * s;

  cairo_save (cr);
  cairo_rectangle (cr, slot->x, slot->y, slot->width, slot->height);
  cairo_clip (cr);
  cairo_translate (cr, slot->x + (slot->width - dw) / 2, slot->y + (slot->height - dh) / 2);
  cairo_scale (cr, s, s);
  cairo_set_source_surface (cr, photo, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* Short strokes at each corner pointing away from the photo, starting
 * mark_offset outside it, so the knife has a guide and the photo no ink. */
static void
draw_cut_marks (cairo_t *cr, const PsLayout *layout, const PsRect *slot)
{
  double off = layout->mark_offset, len = layout->mark_length;
  double xs[2] = { slot->x, slot->x + slot->width };
  double ys[2] = { slot->y, slot->y + slot->height };

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, layout->mark_width);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      {
        double dx = i == 0 ? -1 : 1, dy = j == 0 ? -1 : 1;
        cairo_move_to (cr, xs[i] + dx * off, ys[j]);
        cairo_line_to (cr, xs[i] + dx * (off + len), ys[j]);
        cairo_move_to (cr, xs[i], ys[j] + dy * off);
        cairo_line_to (cr, xs[i], ys[j] + dy * (off + len));
      }
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* The marks of the cut lines around the drawn groups (between groups,
 * and between the last one and the empty rows below it), in the side
 * margins.  Each line once. */
static void
draw_group_marks (cairo_t *cr, const PsLayout *layout, const bool *cut_above_row)
{
  bool any = false;
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, layout->mark_width);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  for (int row = 1; row < layout->rows; row++)
    if (cut_above_row[row])
      {
        PsRect marks[2];
        double y = _ps_layout_cut_y (layout, row);
        _ps_layout_group_marks (layout, y, marks);
        for (int m = 0; m < 2; m++)
          {
            cairo_move_to (cr, marks[m].x, y);
            cairo_line_to (cr, marks[m].x + marks[m].width, y);
          }
        any = true;
      }
  if (any)
    cairo_stroke (cr);
  cairo_restore (cr);
}

/* One group: its copies with their captions and cut marks, then its
 * record (the strip, its bands or its record cell). */
static bool
draw_group (PsRenderer *r, cairo_t *cr, const PsBatch *batch, const PsGroup *group,
            cairo_surface_t *photo, PsGroupPlace *place, GError **error)
{
  const PsLayout *layout = r->layout;
  const PsRecord *record = &_ps_batch_student (batch, group->student)->record;

  if (!_ps_layout_place_group (layout, group->first_slot, group->copies, place))
    {
      /* The batch was sealed against this layout: never here. */
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_FAILED,
                   "row %d: a group of %d copies does not fit slot %d of layout '%s'",
                   record->row, group->copies, group->first_slot + 1, layout->name);
      return false;
    }

  g_autoptr (PangoLayout) caption = NULL;
  if (layout->n_copy_fields > 0 && layout->copy_caption_height > 0)
    caption = fit_copy_caption (r, record);
  g_autoptr (PangoLayout) strip = NULL;
  if (layout->n_strip_fields > 0 && layout->strip.height > 0)
    strip = fit_strip (r, record);
  if ((layout->n_copy_fields > 0 && layout->copy_caption_height > 0 && caption == NULL)
      || (layout->n_strip_fields > 0 && layout->strip.height > 0 && strip == NULL))
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAPTION,
                   "row %d: caption does not fit the layout '%s'", record->row, layout->name);
      return false;
    }

  for (int i = 0; i < group->copies; i++)
    {
      const PsRect *slot = &g_array_index (layout->slots, PsRect, group->first_slot + i);
      if (photo != NULL)
        draw_photo (cr, photo, slot, layout->crop);
      if (layout->cut_marks)
        draw_cut_marks (cr, layout, slot);
      if (caption != NULL)
        {
          double cw = copy_caption_width (layout);
          cairo_set_source_rgb (cr, 0, 0, 0);
          pango_layout_set_width (caption, (int) floor (cw * PANGO_SCALE));
          show_layout_at (cr, caption, slot->x + (slot->width - cw) / 2,
                          slot->y + slot->height + copy_caption_gap (layout));
        }
    }

  if (strip != NULL)
    {
      PsRect records[MAX_ROWS_PER_GROUP];
      size_t n = _ps_layout_group_records (layout, place, records);
      cairo_set_source_rgb (cr, 0, 0, 0);
      for (size_t k = 0; k < n; k++)
        show_layout_at (cr, strip, records[k].x, records[k].y);
    }
  return true;
}

static bool
draw_sheet (PsRenderer *r, cairo_t *cr, const PsBatch *batch, const PsPage *page,
            cairo_surface_t *const *photos, size_t only_student, GError **error)
{
  const PsLayout *layout = r->layout;
  bool cut_above_row[MAX_ROWS_PER_GROUP + 1] = { false };

  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (batch, page, g);
      if (only_student != G_MAXSIZE && group->student != only_student)
        continue;
      PsGroupPlace place;
      if (!draw_group (r, cr, batch, group, photos != NULL ? photos[g] : NULL, &place, error))
        return false;
      cut_above_row[place.first_row] = true;
      cut_above_row[place.first_row + place.n_rows] = true;
    }
  /* One student a sheet: no line between groups to mark. */
  if (layout->cut_marks && layout->groups == PS_GROUPS_ROWS)
    draw_group_marks (cr, layout, cut_above_row);
  return true;
}

/* The black tab bled off the right edge, @height high, at @top plus its
 * step of @span: it steps down with each class so the boundaries show on
 * the side of a stack. */
static void
draw_tab (cairo_t *cr, const PsLayout *layout, size_t class_index, int steps, double top,
          double span, double height)
{
  double ty = top + (steps > 1 ? span * (class_index % steps) / (steps - 1) : 0);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, layout->sheet_width - layout->tab_width, ty, layout->tab_width + 1,
                   height);
  cairo_fill (cr);
}

/* A class's head (school code, class name, counts, a rule) and its list of
 * students @entries in the area @x, @y .. @bottom, @width wide.  @pile: a
 * line naming the pile, or NULL.  Returns false when the list does not
 * fit at the smallest size (nothing of it is drawn then), or when the
 * head does not (@error set). */
static bool
draw_class_block (PsRenderer *r, cairo_t *cr, const PsBatch *batch, size_t class_index,
                  double x, double y, double width, double bottom, const char *pile,
                  GPtrArray *entries, bool *list_fits, GError **error)
{
  const PsLayout *layout = r->layout;
  const PsClass *klass = _ps_batch_class (batch, class_index);
  size_t n = entries->len;

  g_autofree char *head = g_strdup_printf ("院校代码 %s",
                                           klass->yxdm != NULL ? klass->yxdm : "—");
  g_autofree char *counts = g_strdup_printf ("班级 %zu / %u    人数 %zu", class_index + 1,
                                             batch->classes->len, klass->n_students);
  const PsFontSpec *text_font = &layout->sep_text_font;
  PsFontSpec head_font = { text_font->family, text_font->size_max * 1.2, text_font->size_min };

  g_autoptr (PangoLayout) l_head = fit_text (r, &head_font, head, width, bottom - y, true,
                                             PANGO_ALIGN_LEFT);
  g_autoptr (PangoLayout) l_title = fit_text (r, &layout->sep_title_font, klass->name, width,
                                              (bottom - y) / 3, true, PANGO_ALIGN_LEFT);
  g_autoptr (PangoLayout) l_counts = fit_text (r, &head_font, counts, width, bottom - y, true,
                                               PANGO_ALIGN_LEFT);
  g_autoptr (PangoLayout) l_pile = pile != NULL ? fit_text (r, &head_font, pile, width,
                                                            bottom - y, true, PANGO_ALIGN_LEFT)
                                                : NULL;
  if (l_head == NULL || l_title == NULL || l_counts == NULL || (pile != NULL && l_pile == NULL))
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAPTION,
                   "separator of class %zu: the class name does not fit the layout '%s'",
                   class_index + 1, layout->name);
      return false;
    }

  PangoLayout *blocks[] = { l_head, l_title, l_counts, l_pile };
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (size_t i = 0; i < G_N_ELEMENTS (blocks) && blocks[i] != NULL; i++)
    {
      PangoRectangle logical;
      show_layout_at (cr, blocks[i], x, y);
      pango_layout_get_extents (blocks[i], NULL, &logical);
      y += logical.height / (double) PANGO_SCALE + text_font->size_max * 0.4;
    }
  cairo_set_line_width (cr, 0.75);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + width, y);
  cairo_stroke (cr);
  y += text_font->size_max * 0.5;

  /* The list: the largest size and fewest columns that hold it. */
  double area_h = bottom - y;
  for (double size = text_font->size_max; size >= text_font->size_min - 1e-9; size -= SIZE_STEP)
    for (int cols = 1; cols <= 6; cols++)
      {
        double line = size * 1.35;
        size_t rows = (n + cols - 1) / cols;
        double col_w = width / cols;
        if (rows * line > area_h)
          continue;
        PangoTabArray *tabs = pango_tab_array_new_with_positions (2, FALSE, PANGO_TAB_LEFT,
                                                                  (int) (size * 2.4 * PANGO_SCALE),
                                                                  PANGO_TAB_LEFT,
                                                                  (int) (size * 11.5 * PANGO_SCALE));
        bool fits = true;
        GPtrArray *layouts = g_ptr_array_new_with_free_func (g_object_unref);
        for (size_t k = 0; k < n && fits; k++)
          {
            PangoLayout *l = new_text_layout (r, text_font->family, size, entries->pdata[k]);
            pango_layout_set_tabs (l, tabs);
            PangoRectangle logical;
            pango_layout_get_extents (l, NULL, &logical);
            fits = logical.width / (double) PANGO_SCALE <= col_w - size;
            g_ptr_array_add (layouts, l);
          }
        pango_tab_array_free (tabs);
        if (fits)
          {
            for (size_t k = 0; k < n; k++)
              show_layout_at (cr, layouts->pdata[k], x + (k / rows) * col_w, y + (k % rows) * line);
            g_ptr_array_unref (layouts);
            *list_fits = true;
            return true;
          }
        g_ptr_array_unref (layouts);
      }
  *list_fits = false;
  return true;
}

/* "seq\t学号\t姓名" of student @i (masked values only). */
static char *
list_entry (const PsBatch *batch, size_t i)
{
  const PsStudent *student = _ps_batch_student (batch, i);
  const PsRecord *rec = &student->record;
  const char *xh = rec->values[PS_FIELD_XH] != NULL ? rec->values[PS_FIELD_XH] : "";
  const char *xm = rec->values[PS_FIELD_XM] != NULL ? rec->values[PS_FIELD_XM] : "";
  return g_strdup_printf ("%d\t%s\t%s", student->seq, xh, xm);
}

/* The class's first sheet (the page after its separator), or NULL. */
static const PsPage *
first_sheet_of (const PsBatch *batch, const PsPage *separator)
{
  if (separator->number >= batch->pages->len)
    return NULL;
  const PsPage *next = _ps_batch_page (batch, separator->number + 1);
  return next->kind == PS_PAGE_SHEET && next->class_index == separator->class_index ? next
                                                                                    : NULL;
}

/* When the class's sheets hold several groups, the separator is cut with
 * them: each group position (a pile) gets its own head, tab and the
 * students of that pile, so every pile starts with its class. */
static bool
draw_separator_piles (PsRenderer *r, cairo_t *cr, const PsBatch *batch, const PsPage *page,
                      const PsPage *first, GError **error)
{
  const PsLayout *layout = r->layout;
  double width = layout->sheet_width - layout->margin_left - layout->margin_right
                 - layout->tab_width - 2 * layout->mark_length;
  double pad = layout->mark_offset + layout->mark_length;
  bool cut_above_row[MAX_ROWS_PER_GROUP + 1] = { false };

  for (size_t p = 0; p < first->n_groups; p++)
    {
      const PsGroup *pos = _ps_batch_page_group (batch, first, p);
      PsGroupPlace place;
      if (!_ps_layout_place_group (layout, pos->first_slot, pos->copies, &place))
        continue;
      cut_above_row[place.first_row] = true;
      cut_above_row[place.first_row + place.n_rows] = true;
      double top = MAX (place.piece.y + pad, layout->margin_top);
      double bottom = MIN (place.piece.y + place.piece.height - pad,
                           layout->sheet_height - layout->margin_bottom);
      /* A pile's piece is lower than the sheet: as many steps as fit it. */
      double height = MIN (layout->tab_height, bottom - top);
      int steps = MIN (MAX (layout->tab_steps, 1),
                       MAX (1, (int) floor ((bottom - top) / height + 1e-9)));
      draw_tab (cr, layout, page->class_index, steps, top, bottom - top - height, height);

      /* The pile: the group at this place on each of the class's sheets. */
      g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
      for (size_t number = first->number; number <= batch->pages->len; number++)
        {
          const PsPage *sheet = _ps_batch_page (batch, number);
          if (sheet->kind != PS_PAGE_SHEET || sheet->class_index != page->class_index)
            break;
          for (size_t g = 0; g < sheet->n_groups; g++)
            {
              const PsGroup *group = _ps_batch_page_group (batch, sheet, g);
              if (group->first_slot == pos->first_slot)
                g_ptr_array_add (entries, list_entry (batch, group->student));
            }
        }
      g_autofree char *pile = g_strdup_printf ("第 %zu / %zu 叠    本叠 %u 人", p + 1,
                                               first->n_groups, entries->len);
      bool list_fits = false;
      cairo_save (cr);
      cairo_rectangle (cr, 0, top, layout->sheet_width, bottom - top);
      cairo_clip (cr);
      bool ok = draw_class_block (r, cr, batch, page->class_index, layout->margin_left, top,
                                  width, bottom, pile, entries, &list_fits, error);
      cairo_restore (cr);
      if (!ok)
        return false;
    }
  if (layout->cut_marks)
    draw_group_marks (cr, layout, cut_above_row);
  return true;
}

/* The separator page: what a teacher needs to split the stack into class
 * envelopes, readable at arm's length, plus a black tab on the edge that
 * steps down with each class so the boundaries show on the side of a stack. */
static bool
draw_separator (PsRenderer *r, cairo_t *cr, const PsBatch *batch, const PsPage *page,
                GError **error)
{
  const PsLayout *layout = r->layout;
  const PsClass *klass = _ps_batch_class (batch, page->class_index);

  const PsPage *first = first_sheet_of (batch, page);
  if (first != NULL && first->n_groups > 1)
    return draw_separator_piles (r, cr, batch, page, first, error);

  double x = layout->margin_left;
  double y = layout->margin_top;
  double width = layout->sheet_width - layout->margin_left - layout->margin_right
                 - layout->tab_width - 2 * layout->mark_length;
  double bottom = layout->sheet_height - layout->margin_bottom;

  double span = layout->sheet_height - layout->margin_top - layout->margin_bottom
                - layout->tab_height;
  draw_tab (cr, layout, page->class_index, MAX (layout->tab_steps, 1), layout->margin_top, span,
            layout->tab_height);

  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  for (size_t k = 0; k < klass->n_students; k++)
    g_ptr_array_add (entries, list_entry (batch, klass->first + k));
  bool list_fits = false;
  if (!draw_class_block (r, cr, batch, page->class_index, x, y, width, bottom, NULL, entries,
                         &list_fits, error))
    return false;
  if (!list_fits)
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAPTION,
                   "separator of class %zu: %zu students do not fit on one page of layout '%s'",
                   page->class_index + 1, klass->n_students, layout->name);
      return false;
    }
  return true;
}

void
_ps_renderer_draw_mark (PsRenderer *renderer, cairo_t *cr, const char *text)
{
  const PsLayout *layout = renderer->layout;
  const PsRect *area = &layout->reprint_mark;
  if (area->width <= 0 || area->height <= 0)
    return;

  /* As large as the area allows: the mark must be readable but never
   * leaves its corner of the margin. */
  PsFontSpec font = { layout->copy_font.family, 8, 2 };
  g_autoptr (PangoLayout) l = fit_text (renderer, &font, text, area->width, area->height, true,
                                        PANGO_ALIGN_LEFT);
  cairo_save (cr);
  cairo_rectangle (cr, area->x, area->y, area->width, area->height);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  if (l != NULL)
    show_layout_at (cr, l, area->x, area->y);
  else
    {
      /* Too small for text: a filled square still tells the sheet apart. */
      cairo_rectangle (cr, area->x, area->y, area->width, area->height);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

static bool
draw_page (PsRenderer *renderer, cairo_t *cr, const PsBatch *batch, const PsPage *page,
           cairo_surface_t *const *photos, size_t only_student, bool paper, GError **error)
{
  /* Paper white under everything: rasters start transparent. */
  if (paper)
    {
      cairo_save (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_restore (cr);
    }

  bool ok = page->kind == PS_PAGE_SEPARATOR
              ? draw_separator (renderer, cr, batch, page, error)
              : draw_sheet (renderer, cr, batch, page, photos, only_student, error);
  if (ok && cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAIRO, "page %zu: cairo: %s",
                   page->number, cairo_status_to_string (cairo_status (cr)));
      return false;
    }
  return ok;
}

bool
_ps_renderer_draw_page (PsRenderer *renderer, cairo_t *cr, const PsBatch *batch,
                        const PsPage *page, cairo_surface_t *const *photos,
                        size_t only_student, GError **error)
{
  return draw_page (renderer, cr, batch, page, photos, only_student, true, error);
}

bool
_ps_renderer_draw_ink (PsRenderer *renderer, cairo_t *cr, const PsBatch *batch,
                       const PsPage *page, size_t only_student, GError **error)
{
  return draw_page (renderer, cr, batch, page, NULL, only_student, false, error);
}
