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

static double row_bottom (const PsLayout *layout, int row);

/* The records' rectangles that nothing else may enter: the strip, or the
 * bands (record cells are cells, checked as such). */
static size_t
record_obstacles (const PsLayout *layout, const PsRect **rects)
{
  if (layout->record == PS_RECORD_ROW)
    {
      *rects = (const PsRect *) layout->bands->data;
      return layout->bands->len;
    }
  if (layout->record == PS_RECORD_STRIP)
    {
      *rects = &layout->strip;
      return 1;
    }
  *rects = NULL;
  return 0;
}

/* Does @r touch a photo, a per-copy caption or a record? */
static bool
hits_content (const PsLayout *layout, const PsRect *r, double reach)
{
  const PsRect *records = NULL;
  size_t n_records = record_obstacles (layout, &records);
  for (size_t i = 0; i < n_records; i++)
    if (rects_overlap (r, &records[i]))
      return true;
  for (size_t i = 0; i < layout->slots->len; i++)
    {
      PsRect slot = _ps_layout_slot (layout, i), caption = copy_caption_rect (layout, i);
      slot.x -= reach;
      slot.y -= reach;
      slot.width += 2 * reach;
      slot.height += 2 * reach;
      if (rects_overlap (r, &slot)
          || (layout->copy_caption_height > 0 && rects_overlap (r, &caption)))
        return true;
    }
  return false;
}

/* Grid, slots and records; then everything that must not collide. */
bool
_ps_layout_compute_geometry (Parser *parser, PsLayout *layout, const Extra *extra)
{
  double px = layout->margin_left, py = layout->margin_top;
  double pw = layout->sheet_width - layout->margin_left - layout->margin_right;
  double ph = layout->sheet_height - layout->margin_top - layout->margin_bottom;
  double cell_w = layout->photo_width;
  double cell_h = layout->photo_height + layout->copy_caption_height;
  /* A row of cells; with a band per row the band and its gap belong to
   * the row.  (Only then is anything added: the other layouts keep the
   * arithmetic, and so the bits, they always had.) */
  double row_h = layout->record == PS_RECORD_ROW
                   ? cell_h + extra->strip_gap + layout->strip.height : cell_h;
  double area_x = px, area_y = py, area_w = pw, area_h = ph;
  double grid_w, grid_h, x0, y0;
  int columns, rows;
  size_t n_slots;

  layout->bands = g_array_new (FALSE, FALSE, sizeof (PsRect));

  /* The strip spans the printable width at the bottom (or top); the grid
   * area is what is left, less the gap between them. */
  if (layout->record == PS_RECORD_STRIP)
    {
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
    }

  /* Nothing fits at all. */
  if (cell_w > area_w + EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "width_mm", _ps_layout_mm_short (cell_w),
                 "a %s mm photo does not fit the printable width of %s mm",
                 _ps_layout_mm_short (cell_w), _ps_layout_mm_short (area_w));
  if (row_h > area_h + EPSILON_PT)
    {
      if (layout->record == PS_RECORD_ROW)
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "height_mm",
                     _ps_layout_mm_short (layout->photo_height),
                     "a %s mm photo with its caption and the %s mm record band below it "
                     "does not fit the %s mm printable height",
                     _ps_layout_mm_short (layout->photo_height),
                     _ps_layout_mm_short (layout->strip.height), _ps_layout_mm_short (area_h));
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
                               : cells_fitting (area_h, row_h, layout->gap_y);

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
  /* Students are cut apart between rows: the knife needs a gap. */
  if (rows > 1 && layout->groups == PS_GROUPS_ROWS && layout->gap_y < EPSILON_PT)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "gap_y_mm",
                 _ps_layout_mm_short (layout->gap_y),
                 "groups=rows cuts the sheet between rows: the rows need a gap");
  if (columns > MAX_GRID || rows > MAX_GRID || (size_t) columns * (size_t) rows > MAX_SLOTS)
    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "width_mm",
                 _ps_layout_mm_short (layout->photo_width),
                 "absurd: more than %d slots on one sheet", MAX_SLOTS);

  grid_w = columns * cell_w + (columns - 1) * layout->gap_x;
  grid_h = rows * row_h + (rows - 1) * layout->gap_y;
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
      if (layout->record == PS_RECORD_ROW)
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "rows", value,
                     "%d rows of %s mm (photo, caption and record band) with %s mm gaps need "
                     "%s mm, the printable height is %s mm",
                     rows, _ps_layout_mm_short (row_h), _ps_layout_mm_short (layout->gap_y),
                     _ps_layout_mm_short (grid_h), _ps_layout_mm_short (area_h));
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
        PsRect slot = { x0 + c * (cell_w + layout->gap_x), y0 + r * (row_h + layout->gap_y),
                        layout->photo_width, layout->photo_height };
        g_array_append_val (layout->slots, slot);
      }

  /* The records: a band below each row's captions, or a cell (the strip
   * then only gives the size every record is fitted to). */
  if (layout->record == PS_RECORD_ROW)
    {
      for (int r = 0; r < rows; r++)
        {
          PsRect first = _ps_layout_slot (layout, (size_t) r * columns);
          PsRect band = { x0, first.y + cell_h + extra->strip_gap, grid_w, layout->strip.height };
          g_array_append_val (layout->bands, band);
        }
      layout->strip = g_array_index (layout->bands, PsRect, 0);
    }
  else if (layout->record == PS_RECORD_CELL)
    {
      if (n_slots < 2)
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "caption", "position", "cell",
                     "a record cell needs a sheet of at least 2 cells, this one has 1");
      PsRect last = _ps_layout_slot (layout, n_slots - 1);
      layout->strip = (PsRect) { last.x, last.y, cell_w, cell_h };
    }

  {
    int capacity = _ps_layout_get_capacity (layout);
    if (extra->copies_asked > capacity)
      {
        char value[16];
        g_snprintf (value, sizeof value, "%d", extra->copies_asked);
        if (layout->record == PS_RECORD_CELL)
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "copies", value,
                       "only %zu slots fit on the sheet (%d x %d), one of them for the record",
                       n_slots, columns, rows);
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", "copies", value,
                     "only %zu slots fit on the sheet (%d x %d)", n_slots, columns, rows);
      }
    layout->copies = extra->copies_asked > 0 ? extra->copies_asked : capacity;
  }

  /* Belt and braces: the arithmetic above guarantees these, a future edit
   * might not. */
  {
    const PsRect *records = NULL;
    size_t n_records = record_obstacles (layout, &records);
    for (size_t i = 0; i < n_slots; i++)
      {
        PsRect cell = _ps_layout_slot (layout, i);
        cell.height += layout->copy_caption_height;
        if (!rect_inside (&cell, px, py, pw, ph))
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "photo", NULL, NULL,
                       "slot %zu leaves the printable area", i + 1);
        for (size_t k = 0; k < n_records; k++)
          if (rects_overlap (&cell, &records[k]))
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
    for (size_t k = 0; k < n_records; k++)
      if (!rect_inside (&records[k], px, py, pw, ph))
        return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "caption", "height_mm", NULL,
                     "the record band of row %zu leaves the printable area", k + 1);
  }

  /* Cut marks: every stroke stays on the sheet and out of every other photo,
   * every caption but its own (the strokes below a photo run along the edges
   * of its own caption, on the cut line) and every record.  The renderer may
   * then draw all of them without checks. */
  if (layout->cut_marks)
    for (size_t i = 0; i < n_slots; i++)
      {
        PsRect slot = _ps_layout_slot (layout, i), marks[8];
        const PsRect *records = NULL;
        size_t n_records = record_obstacles (layout, &records);
        cut_mark_rects (layout, &slot, marks);
        for (int m = 0; m < 8; m++)
          {
            if (!rect_inside (&marks[m], 0, 0, layout->sheet_width, layout->sheet_height))
              return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                           _ps_layout_mm_short (layout->mark_length),
                           "the cut marks of slot %zu run off the sheet", i + 1);
            for (size_t k = 0; k < n_records; k++)
              if (rects_overlap (&marks[m], &records[k]))
                {
                  if (layout->record == PS_RECORD_ROW)
                    return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                                 _ps_layout_mm_short (layout->mark_length),
                                 "a cut mark of slot %zu enters the record band of row %zu "
                                 "(offset %s + length %s mm against the %s mm caption and "
                                 "%s mm gap above the band, the %s mm gap below it)",
                                 i + 1, k + 1, _ps_layout_mm_short (layout->mark_offset),
                                 _ps_layout_mm_short (layout->mark_length),
                                 _ps_layout_mm_short (layout->copy_caption_height),
                                 _ps_layout_mm_short (extra->strip_gap),
                                 _ps_layout_mm_short (layout->gap_y));
                  return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                               _ps_layout_mm_short (layout->mark_length),
                               "a cut mark of slot %zu enters the caption strip "
                               "(offset %s + length %s mm against a %s mm gap)",
                               i + 1, _ps_layout_mm_short (layout->mark_offset),
                               _ps_layout_mm_short (layout->mark_length), _ps_layout_mm_short (extra->strip_gap));
                }
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

  /* The marks of the cut lines between groups (rows): in the side margins,
   * on the sheet, clear of everything printed.  And each row's own marks
   * stay on its side of the line, so that a piece cut off the sheet carries
   * no stub of its neighbour's (and a reprint's piece is the original's). */
  if (layout->cut_marks && layout->groups == PS_GROUPS_ROWS)
    for (int r = 1; r < rows; r++)
      {
        PsRect marks[2];
        PsRect below = _ps_layout_slot (layout, (size_t) r * columns);
        double reach = layout->mark_offset + layout->mark_length;
        if (below.y - reach < _ps_layout_cut_y (layout, r) + layout->mark_width - EPSILON_PT)
          return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                       _ps_layout_mm_short (layout->mark_length),
                       "the cut marks of row %d reach the cut line above it (offset %s + "
                       "length %s mm must stay within half the %s mm gap between the rows)",
                       r + 1, _ps_layout_mm_short (layout->mark_offset),
                       _ps_layout_mm_short (layout->mark_length),
                       _ps_layout_mm_short (below.y - row_bottom (layout, r - 1)));
        _ps_layout_group_marks (layout, _ps_layout_cut_y (layout, r), marks);
        for (int m = 0; m < 2; m++)
          if (!rect_inside (&marks[m], 0, 0, layout->sheet_width, layout->sheet_height)
              || hits_content (layout, &marks[m], 0))
            return _ps_layout_fail (parser, PS_LAYOUT_ERROR_GEOMETRY, "marks", "length_mm",
                         _ps_layout_mm_short (layout->mark_length),
                         "the cut mark between rows %d and %d does not fit beside the grid "
                         "(offset %s + length %s mm)", r, r + 1,
                         _ps_layout_mm_short (layout->mark_offset),
                         _ps_layout_mm_short (layout->mark_length));
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
      bool strip = layout->record == PS_RECORD_STRIP;
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
      double reach = layout->cut_marks ? layout->mark_offset + layout->mark_length : 0;

      for (size_t c = 0; c < G_N_ELEMENTS (candidates) && !placed; c++)
        {
          const PsRect *mark = &candidates[c];
          /* Beside the strip only where there is one. */
          if (!strip && (c == 4 || c == 5))
            continue;
          /* Keep clear of the cut marks too: grow the slots by their reach. */
          bool is_free = rect_inside (mark, 0, 0, layout->sheet_width, layout->sheet_height)
                         && !hits_content (layout, mark, reach);
          if (is_free && layout->cut_marks && layout->groups == PS_GROUPS_ROWS)
            for (int r = 1; r < rows && is_free; r++)
              {
                PsRect marks[2];
                _ps_layout_group_marks (layout, _ps_layout_cut_y (layout, r), marks);
                is_free = !rects_overlap (mark, &marks[0]) && !rects_overlap (mark, &marks[1]);
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

/* ------------------------------------------------------------------ */
/* Groups                                                             */
/* ------------------------------------------------------------------ */

int
_ps_layout_get_capacity (const PsLayout *layout)
{
  return (int) layout->slots->len - (layout->record == PS_RECORD_CELL ? 1 : 0);
}

int
_ps_layout_group_rows (const PsLayout *layout, int copies)
{
  if (layout->groups == PS_GROUPS_SHEET)
    return layout->rows;
  int cells = copies + (layout->record == PS_RECORD_CELL ? 1 : 0);
  return (cells + layout->columns - 1) / layout->columns;
}

int
_ps_layout_get_positions (const PsLayout *layout, int copies)
{
  if (copies < 1 || copies > _ps_layout_get_capacity (layout))
    return 0;
  return layout->rows / _ps_layout_group_rows (layout, copies);
}

/* The lowest point of what row @row prints: its band, else its captions. */
static double
row_bottom (const PsLayout *layout, int row)
{
  if (layout->record == PS_RECORD_ROW)
    {
      const PsRect *band = &g_array_index (layout->bands, PsRect, row);
      return band->y + band->height;
    }
  PsRect slot = _ps_layout_slot (layout, (size_t) row * layout->columns);
  return slot.y + slot.height + layout->copy_caption_height;
}

double
_ps_layout_cut_y (const PsLayout *layout, int row)
{
  g_return_val_if_fail (row >= 1 && row < layout->rows, 0);
  PsRect next = _ps_layout_slot (layout, (size_t) row * layout->columns);
  return (row_bottom (layout, row - 1) + next.y) / 2;
}

void
_ps_layout_group_marks (const PsLayout *layout, double y, PsRect marks[2])
{
  PsRect first = _ps_layout_slot (layout, 0);
  PsRect last = _ps_layout_slot (layout, (size_t) layout->columns - 1);
  double off = layout->mark_offset, len = layout->mark_length, hw = layout->mark_width / 2;
  marks[0] = (PsRect) { first.x - off - len, y - hw, len, 2 * hw };
  marks[1] = (PsRect) { last.x + last.width + off, y - hw, len, 2 * hw };
}

bool
_ps_layout_place_group (const PsLayout *layout, int first_slot, int copies,
                        PsGroupPlace *place)
{
  if (copies < 1 || copies > _ps_layout_get_capacity (layout) || first_slot < 0
      || first_slot % layout->columns != 0)
    return false;
  if (layout->groups == PS_GROUPS_SHEET && first_slot != 0)
    return false;
  int first_row = _ps_layout_slot_row (layout, first_slot);
  int n_rows = _ps_layout_group_rows (layout, copies);
  if (first_row + n_rows > layout->rows)
    return false;
  place->first_slot = first_slot;
  place->copies = copies;
  place->first_row = first_row;
  place->n_rows = n_rows;
  place->record_slot = layout->record == PS_RECORD_CELL
                         ? (first_row + n_rows) * layout->columns - 1 : -1;
  double top = first_row == 0 ? 0 : _ps_layout_cut_y (layout, first_row);
  double bottom = first_row + n_rows == layout->rows ? layout->sheet_height
                                                     : _ps_layout_cut_y (layout, first_row + n_rows);
  place->piece = (PsRect) { 0, top, layout->sheet_width, bottom - top };
  return true;
}

size_t
_ps_layout_group_records (const PsLayout *layout, const PsGroupPlace *place, PsRect *records)
{
  switch (layout->record)
    {
    case PS_RECORD_STRIP:
      records[0] = layout->strip;
      return 1;
    case PS_RECORD_ROW:
      for (int r = 0; r < place->n_rows; r++)
        records[r] = g_array_index (layout->bands, PsRect, place->first_row + r);
      return (size_t) place->n_rows;
    case PS_RECORD_CELL:
      {
        PsRect cell = _ps_layout_slot (layout, (size_t) place->record_slot);
        cell.height += layout->copy_caption_height;
        records[0] = cell;
        return 1;
      }
    }
  return 0;
}

/* Strips a UTF-8 byte order mark (Windows editors write one). */
