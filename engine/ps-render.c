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
  /* Inside the photo's width: the cut marks and the knife run along the
   * photo's edges, so a caption wider than the photo would be cut. */
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

static bool
draw_sheet (PsRenderer *r, cairo_t *cr, const PsBatch *batch, const PsPage *page,
            cairo_surface_t *photo, GError **error)
{
  const PsLayout *layout = r->layout;
  const PsRecord *record = &_ps_batch_student (batch, page->student)->record;

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

  for (int i = 0; i < page->copies && i < (int) layout->slots->len; i++)
    {
      const PsRect *slot = &g_array_index (layout->slots, PsRect, i);
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
      cairo_set_source_rgb (cr, 0, 0, 0);
      show_layout_at (cr, strip, layout->strip.x, layout->strip.y);
    }
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
  double x = layout->margin_left;
  double y = layout->margin_top;
  double width = layout->sheet_width - layout->margin_left - layout->margin_right
                 - layout->tab_width - 2 * layout->mark_length;
  double bottom = layout->sheet_height - layout->margin_bottom;
  size_t n = klass->n_students;

  /* The tab, bled off the right edge. */
  int steps = MAX (layout->tab_steps, 1);
  double span = layout->sheet_height - layout->margin_top - layout->margin_bottom
                - layout->tab_height;
  double ty = layout->margin_top + (steps > 1 ? span * (page->class_index % steps) / (steps - 1) : 0);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, layout->sheet_width - layout->tab_width, ty, layout->tab_width + 1,
                   layout->tab_height);
  cairo_fill (cr);

  g_autofree char *head = g_strdup_printf ("院校代码 %s",
                                           klass->yxdm != NULL ? klass->yxdm : "—");
  g_autofree char *counts = g_strdup_printf ("班级 %zu / %u    人数 %zu", page->class_index + 1,
                                             batch->classes->len, n);
  const PsFontSpec *text_font = &layout->sep_text_font;
  PsFontSpec head_font = { text_font->family, text_font->size_max * 1.2, text_font->size_min };

  g_autoptr (PangoLayout) l_head = fit_text (r, &head_font, head, width, bottom - y, true,
                                             PANGO_ALIGN_LEFT);
  g_autoptr (PangoLayout) l_title = fit_text (r, &layout->sep_title_font, klass->name, width,
                                              (bottom - y) / 3, true, PANGO_ALIGN_LEFT);
  g_autoptr (PangoLayout) l_counts = fit_text (r, &head_font, counts, width, bottom - y, true,
                                               PANGO_ALIGN_LEFT);
  if (l_head == NULL || l_title == NULL || l_counts == NULL)
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAPTION,
                   "separator of class %zu: the class name does not fit the layout '%s'",
                   page->class_index + 1, layout->name);
      return false;
    }

  PangoLayout *blocks[] = { l_head, l_title, l_counts };
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (size_t i = 0; i < G_N_ELEMENTS (blocks); i++)
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

  /* The class list: the largest size and fewest columns that hold it. */
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  for (size_t k = 0; k < n; k++)
    {
      const PsRecord *rec = &_ps_batch_student (batch, klass->first + k)->record;
      const char *xh = rec->values[PS_FIELD_XH] != NULL ? rec->values[PS_FIELD_XH] : "";
      const char *xm = rec->values[PS_FIELD_XM] != NULL ? rec->values[PS_FIELD_XM] : "";
      g_ptr_array_add (entries, g_strdup_printf ("%zu\t%s\t%s", k + 1, xh, xm));
    }
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
            return true;
          }
        g_ptr_array_unref (layouts);
      }

  g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAPTION,
               "separator of class %zu: %zu students do not fit on one page of layout '%s'",
               page->class_index + 1, n, layout->name);
  return false;
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
           cairo_surface_t *photo, bool paper, GError **error)
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
              : draw_sheet (renderer, cr, batch, page, photo, error);
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
                        const PsPage *page, cairo_surface_t *photo, GError **error)
{
  return draw_page (renderer, cr, batch, page, photo, true, error);
}

bool
_ps_renderer_draw_ink (PsRenderer *renderer, cairo_t *cr, const PsBatch *batch,
                       const PsPage *page, GError **error)
{
  return draw_page (renderer, cr, batch, page, NULL, false, error);
}
