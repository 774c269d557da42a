/* ps-layout-geometry.c - a parsed layout -> its grid, slots and strip in
 * points, and every check that nothing collides (photos, captions, cut marks,
 * strip, sheet edges).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-layout-parse-private.h"

#include <math.h>
#include <string.h>

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

/* The per-copy caption box of slot @i (empty when there is none). */
static PsRect
copy_caption_rect (const PsLayout *layout, size_t i)
{
  PsRect s = _ps_layout_slot (layout, i);
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
bool
_ps_layout_compute_geometry (Parser *parser, PsLayout *layout, const Extra *extra)
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
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "caption", "height_mm",
                 _ps_layout_mm_short (layout->strip.height),
                 "the strip and its %s mm gap leave no room for photos in the %s mm printable height",
                 _ps_layout_mm_short (extra->strip_gap), _ps_layout_mm_short (ph));

  /* Nothing fits at all. */
  if (cell_w > area_w + EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "width_mm", _ps_layout_mm_short (cell_w),
                 "a %s mm photo does not fit the printable width of %s mm",
                 _ps_layout_mm_short (cell_w), _ps_layout_mm_short (area_w));
  if (cell_h > area_h + EPSILON_PT)
    {
      if (layout->copy_caption_height > 0)
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "height_mm",
                     _ps_layout_mm_short (layout->photo_height),
                     "a %s mm photo with its %s mm caption does not fit the %s mm above the caption strip",
                     _ps_layout_mm_short (layout->photo_height), _ps_layout_mm_short (layout->copy_caption_height),
                     _ps_layout_mm_short (area_h));
      return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "height_mm",
                   _ps_layout_mm_short (layout->photo_height),
                   "a %s mm photo does not fit the %s mm beside the caption strip",
                   _ps_layout_mm_short (layout->photo_height), _ps_layout_mm_short (area_h));
    }

  columns = extra->columns_asked > 0 ? extra->columns_asked
                                     : cells_fitting (area_w, cell_w, layout->gap_x);
  rows = extra->rows_asked > 0 ? extra->rows_asked
                               : cells_fitting (area_h, cell_h, layout->gap_y);

  /* A negative gap overlaps neighbours (only matters with two or more). */
  if (columns > 1 && layout->gap_x < -EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "gap_x_mm",
                 _ps_layout_mm_short (layout->gap_x),
                 "slots 1 and 2 overlap by %s mm", _ps_layout_mm_short (-layout->gap_x));
  if (rows > 1 && layout->gap_y < -EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "gap_y_mm",
                 _ps_layout_mm_short (layout->gap_y),
                 "slot 1%s and slot %d overlap by %s mm",
                 layout->copy_caption_height > 0 ? " with its caption" : "", columns + 1,
                 _ps_layout_mm_short (-layout->gap_y));
  if (columns > MAX_GRID || rows > MAX_GRID || (size_t) columns * (size_t) rows > MAX_SLOTS)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "width_mm",
                 _ps_layout_mm_short (layout->photo_width),
                 "absurd: more than %d slots on one sheet", MAX_SLOTS);

  grid_w = columns * cell_w + (columns - 1) * layout->gap_x;
  grid_h = rows * cell_h + (rows - 1) * layout->gap_y;
  if (grid_w > area_w + EPSILON_PT)
    {
      char value[16];
      g_snprintf (value, sizeof value, "%d", columns);
      return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "columns", value,
                   "%d slots of %s mm with %s mm gaps need %s mm, the printable width is %s mm",
                   columns, _ps_layout_mm_short (cell_w), _ps_layout_mm_short (layout->gap_x), _ps_layout_mm_short (grid_w),
                   _ps_layout_mm_short (area_w));
    }
  if (grid_h > area_h + EPSILON_PT)
    {
      char value[16];
      g_snprintf (value, sizeof value, "%d", rows);
      if (layout->copy_caption_height > 0)
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "rows", value,
                     "%d rows of %s mm (photo and caption) with %s mm gaps need %s mm, "
                     "the height beside the caption strip is %s mm",
                     rows, _ps_layout_mm_short (cell_h), _ps_layout_mm_short (layout->gap_y), _ps_layout_mm_short (grid_h),
                     _ps_layout_mm_short (area_h));
      return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "rows", value,
                   "%d rows of %s mm with %s mm gaps need %s mm, "
                   "the height beside the caption strip is %s mm",
                   rows, _ps_layout_mm_short (cell_h), _ps_layout_mm_short (layout->gap_y), _ps_layout_mm_short (grid_h),
                   _ps_layout_mm_short (area_h));
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
      return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "copies", value,
                   "only %zu slots fit on the sheet (%d x %d)", n_slots, columns, rows);
    }
  layout->copies = extra->copies_asked > 0 ? extra->copies_asked : (int) n_slots;

  /* Belt and braces: the arithmetic above guarantees these, a future edit
   * might not. */
  for (size_t i = 0; i < n_slots; i++)
    {
      PsRect cell = _ps_layout_slot (layout, i);
      cell.height += layout->copy_caption_height;
      if (!rect_inside (&cell, px, py, pw, ph))
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", NULL, NULL,
                     "slot %zu leaves the printable area", i + 1);
      if (rects_overlap (&cell, &layout->strip))
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "caption", "height_mm", NULL,
                     "the caption strip overlaps slot %zu", i + 1);
      for (size_t j = i + 1; j < n_slots; j++)
        {
          PsRect other = _ps_layout_slot (layout, j);
          other.height += layout->copy_caption_height;
          if (rects_overlap (&cell, &other))
            return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", NULL, NULL,
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
        PsRect slot = _ps_layout_slot (layout, i), marks[8];
        cut_mark_rects (layout, &slot, marks);
        for (int m = 0; m < 8; m++)
          {
            if (!rect_inside (&marks[m], 0, 0, layout->sheet_width, layout->sheet_height))
              return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                           _ps_layout_mm_short (layout->mark_length),
                           "the cut marks of slot %zu run off the sheet", i + 1);
            if (rects_overlap (&marks[m], &layout->strip))
              return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                           _ps_layout_mm_short (layout->mark_length),
                           "a cut mark of slot %zu enters the caption strip "
                           "(offset %s + length %s mm against a %s mm gap)",
                           i + 1, _ps_layout_mm_short (layout->mark_offset),
                           _ps_layout_mm_short (layout->mark_length), _ps_layout_mm_short (extra->strip_gap));
            for (size_t j = 0; j < n_slots; j++)
              {
                PsRect other, caption;
                if (j == i)
                  continue;
                other = _ps_layout_slot (layout, j);
                caption = copy_caption_rect (layout, j);
                if (rects_overlap (&marks[m], &other)
                    || (layout->copy_caption_height > 0 && rects_overlap (&marks[m], &caption)))
                  return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                               _ps_layout_mm_short (layout->mark_length),
                               "a cut mark of slot %zu enters slot %zu "
                               "(offset %s + length %s mm against gaps of %s x %s mm)",
                               i + 1, j + 1, _ps_layout_mm_short (layout->mark_offset),
                               _ps_layout_mm_short (layout->mark_length), _ps_layout_mm_short (layout->gap_x),
                               _ps_layout_mm_short (layout->gap_y));
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
              PsRect slot = _ps_layout_slot (layout, i), caption = copy_caption_rect (layout, i);
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
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "sheet", "reprint_mark_mm",
                     _ps_layout_mm_short (s), "no free corner for the reprint mark "
                     "(make it smaller, or 0 for none)");
    }
  return true;
}

/* Strips a UTF-8 byte order mark (Windows editors write one). */
