/* test-layout.c - layout files: shipped layouts, computed geometry, refusals.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <math.h>
#include <string.h>

#define MM(mm) ((mm) * 72.0 / 25.4)
#define EPS 1e-6
#define EPS_GEOM 1e-3   /* points, as the layout module's own tolerance */

static const char *const shipped[] = {
  "10inch-33x48", "5inch-33x48", "6inch-33x48", "6inch-33x48-5up", "6inch-35x45",
  "8inch-33x48", "a4-33x48", "default",
};

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static PsLayout *
load_ok (const char *name_or_path)
{
  g_autoptr (GError) error = NULL;
  PsLayout *layout = ps_layout_load (name_or_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layout);
  return layout;
}

static bool
overlap (const PsRect *a, const PsRect *b)
{
  return a->x + a->width > b->x + EPS_GEOM && b->x + b->width > a->x + EPS_GEOM
         && a->y + a->height > b->y + EPS_GEOM && b->y + b->height > a->y + EPS_GEOM;
}

static void
assert_inside (const PsRect *r, double x, double y, double w, double h)
{
  g_assert_cmpfloat (r->x, >=, x - EPS_GEOM);
  g_assert_cmpfloat (r->y, >=, y - EPS_GEOM);
  g_assert_cmpfloat (r->x + r->width, <=, x + w + EPS_GEOM);
  g_assert_cmpfloat (r->y + r->height, <=, y + h + EPS_GEOM);
}

/* Writes a copy of layout @name (from the layouts dir) into @dir as
 * @file, with @group/@key set to @value for each triple of the NULL-
 * terminated varargs (value NULL = remove the key).  Returns the path. */
static char *
write_variant (const char *dir, const char *file, const char *name, ...)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *source = g_strdup_printf ("%s/%s.ini", ps_layout_get_dir (), name);
  char *path = g_build_filename (dir, file, NULL);
  const char *group;
  va_list args;

  g_key_file_load_from_file (keyfile, source, G_KEY_FILE_KEEP_COMMENTS, &error);
  g_assert_no_error (error);
  va_start (args, name);
  while ((group = va_arg (args, const char *)) != NULL)
    {
      const char *key = va_arg (args, const char *);
      const char *value = va_arg (args, const char *);
      if (value != NULL)
        g_key_file_set_value (keyfile, group, key, value);
      else
        g_key_file_remove_key (keyfile, group, key, NULL);
    }
  va_end (args);
  g_key_file_save_to_file (keyfile, path, &error);
  g_assert_no_error (error);
  return path;
}

/* Every invariant the renderer relies on. */
static void
check_invariants (const PsLayout *layout)
{
  double W = ps_layout_get_sheet_width (layout), H = ps_layout_get_sheet_height (layout);
  double px = layout->margin_left, py = layout->margin_top;
  double pw = W - layout->margin_left - layout->margin_right;
  double ph = H - layout->margin_top - layout->margin_bottom;
  size_t n = ps_layout_get_n_slots (layout);
  double reach = layout->mark_offset + layout->mark_length;

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, ==, (size_t) layout->columns * (size_t) layout->rows);
  g_assert_cmpint (ps_layout_get_copies (layout), >=, 1);
  g_assert_cmpint (ps_layout_get_copies (layout), <=, ps_layout_get_max_copies (layout));
  g_assert_cmpint (ps_layout_get_max_copies (layout), ==,
                   (int) n - (layout->record == PS_RECORD_CELL ? 1 : 0));
  g_assert_nonnull (ps_layout_get_media (layout));
  g_assert_cmpstr (ps_layout_get_media (layout), !=, "");
  g_assert_cmpint (ps_layout_get_dpi (layout), >=, 72);
  g_assert_cmpint (ps_layout_get_dpi (layout), <=, 2400);
  g_assert_cmpuint (layout->n_strip_fields, >=, 1);
  g_assert_cmpfloat (layout->strip_font.size_min, <=, layout->strip_font.size_max);
  g_assert_cmpfloat (layout->copy_font.size_min, <=, layout->copy_font.size_max);
  g_assert_cmpfloat (layout->sep_title_font.size_min, <=, layout->sep_title_font.size_max);
  g_assert_cmpfloat (layout->sep_text_font.size_min, <=, layout->sep_text_font.size_max);
  g_assert_nonnull (layout->strip_font.family);
  g_assert_nonnull (layout->copy_font.family);
  g_assert_nonnull (layout->sep_title_font.family);
  g_assert_nonnull (layout->sep_text_font.family);

  /* The records: the strip spans the printable width; the bands span the
   * grid below each row; a record cell is the last cell's size.  None of
   * them meets a cell. */
  g_autoptr (GArray) records = g_array_new (FALSE, FALSE, sizeof (PsRect));
  switch (layout->record)
    {
    case PS_RECORD_STRIP:
      g_assert_cmpint (layout->groups, ==, PS_GROUPS_SHEET);
      assert_inside (&layout->strip, px, py, pw, ph);
      g_assert_cmpfloat_with_epsilon (layout->strip.width, pw, EPS);
      g_assert_cmpfloat (layout->strip.height, >=, 1.3 * layout->strip_font.size_min - EPS_GEOM);
      g_array_append_val (records, layout->strip);
      break;
    case PS_RECORD_ROW:
      g_assert_cmpint (layout->groups, ==, PS_GROUPS_ROWS);
      g_assert_cmpuint (layout->bands->len, ==, (guint) layout->rows);
      for (int r = 0; r < layout->rows; r++)
        {
          PsRect band = g_array_index (layout->bands, PsRect, r);
          PsRect first = ps_layout_get_slot (layout, (size_t) r * layout->columns);
          PsRect last = ps_layout_get_slot (layout, (size_t) (r + 1) * layout->columns - 1);
          assert_inside (&band, px, py, pw, ph);
          g_assert_cmpfloat_with_epsilon (band.x, first.x, EPS);
          g_assert_cmpfloat_with_epsilon (band.x + band.width, last.x + last.width, EPS);
          g_assert_cmpfloat (band.y, >=, first.y + first.height + layout->copy_caption_height - EPS_GEOM);
          g_assert_cmpfloat_with_epsilon (band.height, layout->strip.height, EPS);
          if (r + 1 < layout->rows)
            g_assert_cmpfloat (band.y + band.height, <,
                               ps_layout_get_slot (layout, (size_t) (r + 1) * layout->columns).y);
          g_array_append_val (records, band);
        }
      break;
    case PS_RECORD_CELL:
      g_assert_cmpuint (n, >=, 2);
      g_assert_cmpfloat_with_epsilon (layout->strip.width, layout->photo_width, EPS);
      g_assert_cmpfloat_with_epsilon (layout->strip.height,
                                      layout->photo_height + layout->copy_caption_height, EPS);
      break;
    }

  for (size_t i = 0; i < n; i++)
    {
      PsRect slot = ps_layout_get_slot (layout, i);
      PsRect cell = slot;
      cell.height += layout->copy_caption_height;

      /* exactly the photo size, inside the printable area, clear of the strip */
      g_assert_cmpfloat_with_epsilon (slot.width, layout->photo_width, EPS);
      g_assert_cmpfloat_with_epsilon (slot.height, layout->photo_height, EPS);
      assert_inside (&cell, px, py, pw, ph);
      for (guint k = 0; k < records->len; k++)
        g_assert_false (overlap (&cell, &g_array_index (records, PsRect, k)));

      /* row-major */
      if (i > 0)
        {
          PsRect prev = ps_layout_get_slot (layout, i - 1);
          if (i % (size_t) layout->columns != 0)
            {
              g_assert_cmpfloat_with_epsilon (slot.y, prev.y, EPS);
              g_assert_cmpfloat (slot.x, >, prev.x);
            }
          else
            g_assert_cmpfloat (slot.y, >, prev.y);
        }

      /* cells (photo + its caption) do not overlap; neither do cut marks
       * reach into other cells */
      for (size_t j = 0; j < n; j++)
        {
          PsRect other = ps_layout_get_slot (layout, j);
          other.height += layout->copy_caption_height;
          if (j == i)
            continue;
          g_assert_false (overlap (&cell, &other));
          if (layout->cut_marks)
            {
              /* The horizontal marks (rows through the photo's top and
               * bottom edges) and vertical ones (through its side edges). */
              PsRect h_band = { slot.x - reach, slot.y, slot.width + 2 * reach, slot.height };
              PsRect v_band = { slot.x, slot.y - reach, slot.width, slot.height + 2 * reach };
              if (overlap (&h_band, &other) || overlap (&v_band, &other))
                {
                  /* only the own-caption-free edges may touch: none here */
                  g_test_message ("slot %zu marks reach cell %zu", i + 1, j + 1);
                  g_assert_not_reached ();
                }
            }
        }

      /* cut marks stay on the sheet */
      if (layout->cut_marks)
        {
          g_assert_cmpfloat (slot.x - reach, >=, -EPS_GEOM);
          g_assert_cmpfloat (slot.y - reach, >=, -EPS_GEOM);
          g_assert_cmpfloat (slot.x + slot.width + reach, <=, W + EPS_GEOM);
          g_assert_cmpfloat (slot.y + slot.height + reach, <=, H + EPS_GEOM);
        }

      /* the reprint mark is clear of photos, captions and marks */
      if (layout->reprint_mark.width > 0)
        {
          /* The marks reach around the photo; the caption below it is
           * only its own rectangle. */
          double r = layout->cut_marks ? reach : 0;
          PsRect grown = { slot.x - r, slot.y - r, slot.width + 2 * r, slot.height + 2 * r };
          PsRect caption = { slot.x, slot.y + slot.height, slot.width, cell.height - slot.height };
          g_assert_false (overlap (&layout->reprint_mark, &grown));
          g_assert_false (overlap (&layout->reprint_mark, &caption));
        }
    }

  if (layout->reprint_mark.width > 0)
    {
      assert_inside (&layout->reprint_mark, 0, 0, W, H);
      for (guint k = 0; k < records->len; k++)
        g_assert_false (overlap (&layout->reprint_mark, &g_array_index (records, PsRect, k)));
    }

  /* Groups: every size from 1 copy to a sheet's worth has a place at the
   * top; the places of one size tile the sheet's rows, their pieces (cut
   * apart between them) cover the sheet and hold their copies, captions and
   * records. */
  for (int copies = 1; copies <= ps_layout_get_max_copies (layout); copies++)
    {
      int positions = _ps_layout_get_positions (layout, copies);
      int rows = _ps_layout_group_rows (layout, copies);
      g_assert_cmpint (positions, >=, 1);
      g_assert_cmpint (positions * rows, <=, layout->rows);
      g_assert_cmpuint (ps_layout_get_students_per_sheet (layout, copies), ==, (size_t) positions);
      g_assert_cmpint (ps_layout_get_sheets_per_student (layout, copies), ==, 1);
      if (layout->groups == PS_GROUPS_SHEET)
        g_assert_cmpint (positions, ==, 1);
      double y = 0;
      for (int p = 0; p < positions; p++)
        {
          PsGroupPlace place;
          g_assert_true (_ps_layout_place_group (layout, p * rows * layout->columns, copies,
                                                 &place));
          if (p == 0)
            g_assert_cmpfloat_with_epsilon (place.piece.y, 0, EPS);
          else
            g_assert_cmpfloat_with_epsilon (place.piece.y, y, EPS);
          y = place.piece.y + place.piece.height;
          g_assert_cmpfloat_with_epsilon (place.piece.width, W, EPS);
          for (int i = 0; i < copies; i++)
            {
              PsRect cell = ps_layout_get_slot (layout, (size_t) (place.first_slot + i));
              cell.height += layout->copy_caption_height;
              assert_inside (&cell, 0, place.piece.y, W, place.piece.height);
            }
          PsRect recs[100];   /* MAX_GRID */
          size_t n_recs = _ps_layout_group_records (layout, &place, recs);
          g_assert_cmpuint (n_recs, >=, 1);
          for (size_t k = 0; k < n_recs; k++)
            if (layout->record != PS_RECORD_STRIP)
              assert_inside (&recs[k], 0, place.piece.y, W, place.piece.height);
          if (layout->record == PS_RECORD_CELL)
            g_assert_cmpint (place.record_slot, >=, place.first_slot + copies);
        }
      if (positions * rows == layout->rows)
        g_assert_cmpfloat_with_epsilon (y, H, EPS);
      /* one more does not fit */
      PsGroupPlace none;
      g_assert_false (_ps_layout_place_group (layout, positions * rows * layout->columns, copies,
                                              &none));
    }
  int too_many = ps_layout_get_max_copies (layout) + 1;
  g_assert_cmpint (_ps_layout_get_positions (layout, too_many), ==, 0);
  g_assert_cmpint (ps_layout_get_sheets_per_student (layout, too_many), ==, 2);
  g_assert_cmpuint (ps_layout_get_students_per_sheet (layout, too_many), ==, 1);

  /* The grid is centred horizontally in the printable area. */
  {
    PsRect first = ps_layout_get_slot (layout, 0);
    PsRect last = ps_layout_get_slot (layout, (size_t) layout->columns - 1);
    double left = first.x - px, right = px + pw - (last.x + last.width);
    g_assert_cmpfloat_with_epsilon (left, right, EPS);
  }
}

/* ------------------------------------------------------------------ */
/* Shipped layouts                                                    */
/* ------------------------------------------------------------------ */

static void
test_list (void)
{
  g_auto (GStrv) names = ps_layout_list ();

  g_assert_nonnull (names);
  for (size_t i = 0; i < G_N_ELEMENTS (shipped); i++)
    g_assert_true (g_strv_contains ((const char *const *) names, shipped[i]));
  for (size_t i = 0; names[i] != NULL && names[i + 1] != NULL; i++)
    g_assert_cmpint (strcmp (names[i], names[i + 1]), <, 0);
  for (size_t i = 0; names[i] != NULL; i++)
    g_assert_false (g_str_has_suffix (names[i], ".ini"));
}

static void
test_dir (void)
{
  const char *dir = ps_layout_get_dir ();
  g_autofree char *expected = NULL;

  g_assert_nonnull (dir);
  g_assert_true (g_str_has_suffix (dir, "layouts"));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  if (g_getenv ("PHOTOSHEET_DATA_DIR") != NULL)
    {
      expected = g_build_filename (g_getenv ("PHOTOSHEET_DATA_DIR"), "layouts", NULL);
      g_assert_cmpstr (dir, ==, expected);
    }
}

static void
test_shipped_all (void)
{
  g_auto (GStrv) names = ps_layout_list ();

  /* Every file in the layouts dir, shipped or added, loads and holds. */
  for (size_t i = 0; names[i] != NULL; i++)
    {
      g_autoptr (PsLayout) layout = load_ok (names[i]);
      g_test_message ("layout %s", names[i]);
      g_assert_cmpstr (ps_layout_get_name (layout), ==, names[i]);
      g_assert_nonnull (ps_layout_get_description (layout));
      check_invariants (layout);
    }
}

static void
test_shipped_copies (void)
{
  static const struct {
    const char *name;
    int columns, rows, copies;
    double width_mm, height_mm, photo_w_mm, photo_h_mm;
    const char *media;
    bool landscape, marks, copy_caption;
    PsGroups groups;
    PsRecordPlace record;
    size_t students_at_5;             /* students per sheet at 5 copies */
  } expected[] = {
    { "6inch-33x48", 2, 2, 4, 101.6, 152.4, 33, 48, "na_index-4x6_4x6in", false, true, true,
      PS_GROUPS_SHEET, PS_RECORD_STRIP, 1 },
    { "default", 2, 2, 4, 101.6, 152.4, 33, 48, "na_index-4x6_4x6in", false, true, true,
      PS_GROUPS_SHEET, PS_RECORD_STRIP, 1 },
    { "5inch-33x48", 2, 2, 4, 88.9, 127, 33, 48, "oe_photo-l_3.5x5in", false, true, true,
      PS_GROUPS_SHEET, PS_RECORD_STRIP, 1 },
    { "6inch-35x45", 2, 2, 4, 101.6, 152.4, 35, 45, "na_index-4x6_4x6in", false, true, true,
      PS_GROUPS_SHEET, PS_RECORD_STRIP, 1 },
    { "6inch-33x48-5up", 3, 2, 5, 152.4, 101.6, 33, 48, "na_index-4x6_4x6in", true, false,
      false, PS_GROUPS_SHEET, PS_RECORD_CELL, 1 },
    { "8inch-33x48", 5, 2, 5, 203.2, 152.4, 33, 48, "na_index-4x6-ext_6x8in", true, true, true,
      PS_GROUPS_ROWS, PS_RECORD_ROW, 2 },
    { "10inch-33x48", 5, 4, 5, 203.2, 254, 33, 48, "na_govt-letter_8x10in", false, true, true,
      PS_GROUPS_ROWS, PS_RECORD_ROW, 4 },
    { "a4-33x48", 5, 4, 5, 210, 297, 33, 48, "iso_a4_210x297mm", false, true, true,
      PS_GROUPS_ROWS, PS_RECORD_ROW, 4 },
  };

  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, G_N_ELEMENTS (shipped));
  for (size_t i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (PsLayout) layout = load_ok (expected[i].name);
      g_test_message ("layout %s", expected[i].name);
      g_assert_cmpint (layout->columns, ==, expected[i].columns);
      g_assert_cmpint (layout->rows, ==, expected[i].rows);
      g_assert_cmpuint (ps_layout_get_n_slots (layout), ==,
                        (size_t) (expected[i].columns * expected[i].rows));
      g_assert_cmpint (ps_layout_get_copies (layout), ==, expected[i].copies);
      g_assert_cmpfloat_with_epsilon (ps_layout_get_sheet_width (layout),
                                      MM (expected[i].width_mm), EPS);
      g_assert_cmpfloat_with_epsilon (ps_layout_get_sheet_height (layout),
                                      MM (expected[i].height_mm), EPS);
      g_assert_cmpfloat_with_epsilon (layout->photo_width, MM (expected[i].photo_w_mm), EPS);
      g_assert_cmpfloat_with_epsilon (layout->photo_height, MM (expected[i].photo_h_mm), EPS);
      g_assert_cmpstr (ps_layout_get_media (layout), ==, expected[i].media);
      g_assert_true (layout->landscape == expected[i].landscape);
      g_assert_cmpint (ps_layout_get_dpi (layout), ==, 300);
      g_assert_true (layout->cut_marks == expected[i].marks);
      g_assert_true (layout->strip_labels);
      g_assert_cmpint (layout->crop, ==, PS_CROP_COVER);
      g_assert_cmpint (layout->groups, ==, expected[i].groups);
      g_assert_cmpint (layout->record, ==, expected[i].record);
      g_assert_cmpuint (ps_layout_get_students_per_sheet (layout, 5), ==,
                        expected[i].students_at_5);
      /* per-copy caption: name and 学号 */
      if (expected[i].copy_caption)
        {
          g_assert_cmpuint (layout->n_copy_fields, ==, 2);
          g_assert_cmpint (layout->copy_fields[0], ==, PS_FIELD_XM);
          g_assert_cmpint (layout->copy_fields[1], ==, PS_FIELD_XH);
        }
      else
        g_assert_cmpuint (layout->n_copy_fields, ==, 0);
      /* the record: the nine record fields in table order */
      g_assert_cmpuint (layout->n_strip_fields, ==, PS_N_RECORD_FIELDS);
      for (size_t f = 0; f < PS_N_RECORD_FIELDS; f++)
        g_assert_cmpint (layout->strip_fields[f], ==, (PsField) f);
      g_assert_cmpstr (layout->strip_font.family, ==, "Noto Sans CJK SC, HanaMinA, HanaMinB");
      g_assert_cmpfloat (layout->reprint_mark.width, >, 0);
    }

  /* the figures: A4 holds 4 groups of 5, one student of 20; 8 copies
   * take two of its rows */
  g_autoptr (PsLayout) a4 = load_ok ("a4-33x48");
  g_assert_cmpuint (ps_layout_get_students_per_sheet (a4, 5), ==, 4);
  g_assert_cmpuint (ps_layout_get_students_per_sheet (a4, 4), ==, 4);
  g_assert_cmpuint (ps_layout_get_students_per_sheet (a4, 8), ==, 2);
  g_assert_cmpuint (ps_layout_get_students_per_sheet (a4, 20), ==, 1);
  g_assert_cmpint (ps_layout_get_sheets_per_student (a4, 20), ==, 1);
  g_autoptr (PsLayout) six = load_ok ("default");
  g_assert_cmpint (ps_layout_get_sheets_per_student (six, 5), ==, 2);
  g_assert_cmpint (ps_layout_get_sheets_per_student (six, 20), ==, 5);
  g_autoptr (PsLayout) five_up = load_ok ("6inch-33x48-5up");
  g_assert_cmpint (ps_layout_get_sheets_per_student (five_up, 5), ==, 1);
  g_assert_cmpint (ps_layout_get_sheets_per_student (five_up, 8), ==, 2);
}

static void
test_default_is_6inch (void)
{
  g_autoptr (PsLayout) a = load_ok ("default");
  g_autoptr (PsLayout) b = load_ok ("6inch-33x48");

  g_assert_cmpstr (ps_layout_get_name (a), ==, "default");
  g_assert_cmpstr (ps_layout_get_name (b), ==, "6inch-33x48");
  g_assert_cmpfloat_with_epsilon (a->sheet_width, b->sheet_width, EPS);
  g_assert_cmpfloat_with_epsilon (a->sheet_height, b->sheet_height, EPS);
  g_assert_cmpuint (ps_layout_get_n_slots (a), ==, ps_layout_get_n_slots (b));
  for (size_t i = 0; i < ps_layout_get_n_slots (a); i++)
    {
      PsRect ra = ps_layout_get_slot (a, i), rb = ps_layout_get_slot (b, i);
      g_assert_cmpmem (&ra, sizeof ra, &rb, sizeof rb);
    }
  g_assert_cmpmem (&a->strip, sizeof a->strip, &b->strip, sizeof b->strip);
  g_assert_cmpmem (&a->reprint_mark, sizeof (PsRect), &b->reprint_mark, sizeof (PsRect));
  g_assert_cmpint (a->copies, ==, b->copies);
  g_assert_cmpstr (a->media, ==, b->media);
  g_assert_cmpstr (a->description, ==, b->description);
  g_assert_cmpmem (a->strip_fields, sizeof a->strip_fields, b->strip_fields,
                   sizeof b->strip_fields);
  g_assert_cmpmem (a->copy_fields, sizeof a->copy_fields, b->copy_fields,
                   sizeof b->copy_fields);
  g_assert_cmpfloat_with_epsilon (a->strip_font.size_min, b->strip_font.size_min, EPS);
  g_assert_cmpfloat_with_epsilon (a->copy_font.size_max, b->copy_font.size_max, EPS);
  g_assert_cmpfloat_with_epsilon (a->tab_height, b->tab_height, EPS);
  g_assert_cmpint (a->tab_steps, ==, b->tab_steps);
}

/* 6inch-33x48 by hand: printable 95.6 x 146.4 mm from (3, 3); the grid area
 * above the 16 mm strip and its 2 mm gap is 128.4 mm high; cells are 33 x 52
 * mm (48 mm photo + 4 mm caption) with 4 mm gaps: the grid is 70 x 108 mm,
 * so it starts at x = 3 + 12.8, y = 3 + 10.2. */
static void
test_6inch_numbers (void)
{
  g_autoptr (PsLayout) layout = load_ok ("6inch-33x48");
  static const double x[] = { 15.8, 52.8, 15.8, 52.8 };
  static const double y[] = { 13.2, 13.2, 69.2, 69.2 };

  g_assert_cmpfloat_with_epsilon (layout->sheet_width, 288.0, EPS);
  g_assert_cmpfloat_with_epsilon (layout->sheet_height, 432.0, EPS);
  g_assert_cmpfloat_with_epsilon (layout->margin_top, MM (3), EPS);
  g_assert_cmpfloat_with_epsilon (layout->gap_x, MM (4), EPS);
  g_assert_cmpfloat_with_epsilon (layout->copy_caption_height, MM (4), EPS);
  for (size_t i = 0; i < 4; i++)
    {
      PsRect slot = ps_layout_get_slot (layout, i);
      g_assert_cmpfloat_with_epsilon (slot.x, MM (x[i]), EPS);
      g_assert_cmpfloat_with_epsilon (slot.y, MM (y[i]), EPS);
      g_assert_cmpfloat_with_epsilon (slot.width, MM (33), EPS);
      g_assert_cmpfloat_with_epsilon (slot.height, MM (48), EPS);
    }
  g_assert_cmpfloat_with_epsilon (layout->strip.x, MM (3), EPS);
  g_assert_cmpfloat_with_epsilon (layout->strip.y, MM (152.4 - 3 - 16), EPS);
  g_assert_cmpfloat_with_epsilon (layout->strip.width, MM (95.6), EPS);
  g_assert_cmpfloat_with_epsilon (layout->strip.height, MM (16), EPS);
  /* reprint mark: the printable area's top-left corner */
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.x, MM (3), EPS);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.y, MM (3), EPS);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.width, MM (12), EPS);
  g_assert_cmpfloat_with_epsilon (layout->mark_length, MM (2), EPS);
  g_assert_cmpfloat_with_epsilon (layout->mark_offset, MM (1), EPS);
  g_assert_cmpfloat_with_epsilon (layout->mark_width, 0.25, EPS);
  g_assert_cmpfloat_with_epsilon (layout->tab_width, MM (6), EPS);
  g_assert_cmpfloat_with_epsilon (layout->sep_title_font.size_max, 28, EPS);
  g_assert_cmpfloat_with_epsilon (layout->sep_text_font.size_min, 6, EPS);
}

static void
test_min_px (void)
{
  g_autoptr (PsLayout) layout = load_ok ("6inch-33x48");
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *path = write_variant (dir, "hires.ini", "6inch-33x48", "sheet", "dpi", "600",
                                         NULL);
  g_autoptr (PsLayout) hires = load_ok (path);
  int w = 0, h = 0;

  ps_layout_get_min_photo_px (layout, &w, &h);
  g_assert_cmpint (w, ==, 390);   /* 33 mm at 300 dpi = 389.8 */
  g_assert_cmpint (h, ==, 567);   /* 48 mm = 566.9 */
  ps_layout_get_min_photo_px (hires, &w, &h);
  g_assert_cmpint (w, ==, 780);
  g_assert_cmpint (h, ==, 1134);
  ps_layout_get_min_photo_px (hires, NULL, &h);
  g_assert_cmpint (h, ==, 1134);
  ps_test_rm_rf (dir);
}

static void
test_describe (void)
{
  g_autoptr (PsLayout) layout = load_ok ("6inch-33x48");
  g_autofree char *text = ps_layout_describe (layout);
  static const char *const expected[] = {
    "layout 6inch-33x48 (",
    "6inch-33x48.ini)\n",
    "sheet      101.6 x 152.4 mm portrait, 300 dpi, media na_index-4x6_4x6in\n",
    "photo      33.0 x 48.0 mm (390 x 567 px), crop cover\n",
    "grid       2 columns x 2 rows, gaps 4.0 x 4.0 mm, 4 copies per sheet\n",
    "groups     one student per sheet, copies in reading order (at most 4 a sheet)\n",
    "slot 1     x 15.8 y 13.2 w 33.0 h 48.0 mm\n",
    "slot 4     x 52.8 y 69.2 w 33.0 h 48.0 mm\n",
    "caption    strip x 3.0 y 133.4 w 95.6 h 16.0 mm, fields sjc,cjm,yxdm,zjhm,xh,cc,xllb,xm,bh",
    "fields xm,xh",
    "reprint    x 3.0 y 3.0 w 12.0 h 3.0 mm\n",
  };

  g_assert_nonnull (text);
  g_test_message ("%s", text);
  for (size_t i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (text, expected[i]) == NULL)
      {
        g_test_message ("missing: %s", expected[i]);
        g_test_fail ();
      }
  g_assert_true (g_str_has_prefix (text, "layout 6inch-33x48 ("));
  g_assert_null (strstr (text, "slot 5 "));
}

/* ------------------------------------------------------------------ */
/* Shipped layouts, rendered                                          */
/* ------------------------------------------------------------------ */

/* A batch of one class whose one sheet is full: as many students as the
 * layout places at its copies, long masked names. */
static PsBatch *
full_sheet_batch (const PsLayout *layout)
{
  g_autoptr (GError) error = NULL;
  PsBatchSettings s = { .layout_name = g_strdup (layout->name),
                        .layout_text = g_strdup (layout->text), .dpi = 300 };
  PsBatch *batch = _ps_batch_new_recorded (&s, 0, NULL, &error);
  _ps_batch_settings_clear (&s);
  g_assert_no_error (error);
  _ps_batch_add_class (batch, "机械设计制造及其自动化2班", "10294");
  int copies = ps_layout_get_copies (layout);
  int positions = _ps_layout_get_positions (layout, copies);
  for (int i = 0; i < positions; i++)
    {
      char xh[32], cjm[32];
      g_snprintf (xh, sizeof xh, "20213110421510%d", i);
      g_snprintf (cjm, sizeof cjm, "VDDcGDN38UAWTgg%d", i);
      PsRecord record = { .row = i + 2 };
      record.values[PS_FIELD_SJC] = "1720057954869";
      record.values[PS_FIELD_CJM] = cjm;
      record.values[PS_FIELD_YXDM] = "10294";
      record.values[PS_FIELD_ZJHM] = "471X";
      record.values[PS_FIELD_XH] = xh;
      record.values[PS_FIELD_CC] = "本科";
      record.values[PS_FIELD_XLLB] = "普通全日制";
      record.values[PS_FIELD_XM] = "阿********提";   /* 阿卜杜热合曼·买买提, masked */
      record.values[PS_FIELD_BH] = "机械设计制造及其自动化2班";
      g_assert_true (_ps_batch_add_student (batch, 0, &record, NULL, NULL, 0, &error));
    }
  _ps_batch_add_page (batch, PS_PAGE_SEPARATOR, 0, NULL);
  _ps_batch_add_page (batch, PS_PAGE_SHEET, 0, NULL);
  int step = _ps_layout_group_rows (layout, copies) * layout->columns;
  for (int i = 0; i < positions; i++)
    _ps_batch_add_group (batch, (size_t) i, i * step, copies, 1, 1);
  g_assert_true (_ps_batch_seal (batch, &error));
  g_assert_no_error (error);
  return batch;
}

/* Page 2 of @batch at 300 dpi, drawn by a renderer on @layout. */
static cairo_surface_t *
render_sheet (const PsBatch *batch, const PsLayout *layout, cairo_surface_t *photo)
{
  int w = (int) lround (layout->sheet_width / 72.0 * 300);
  int h = (int) lround (layout->sheet_height / 72.0 * 300);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (surface);
  cairo_scale (cr, 300 / 72.0, 300 / 72.0);
  const PsPage *page = _ps_batch_page (batch, 2);
  g_autofree cairo_surface_t **photos = g_new0 (cairo_surface_t *, page->n_groups);
  for (size_t g = 0; g < page->n_groups; g++)
    photos[g] = photo;
  g_autoptr (PsRenderer) renderer = _ps_renderer_new (layout);
  g_autoptr (GError) error = NULL;
  g_assert_true (_ps_renderer_draw_page (renderer, cr, batch, page, photos, G_MAXSIZE, &error));
  g_assert_no_error (error);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

typedef struct {
  int x0, y0, x1, y1;   /* pixels, inclusive; empty when x1 < x0 */
} Box;

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  const guint8 *row = cairo_image_surface_get_data (s) + (size_t) y * cairo_image_surface_get_stride (s);
  return ((const guint32 *) row)[x] & 0xffffff;
}

static bool
is_paper (guint32 p)
{
  return ((p >> 16) & 0xff) > 200 && ((p >> 8) & 0xff) > 200 && (p & 0xff) > 200;
}

static bool
is_photo (guint32 p)
{
  return ((p >> 16) & 0xff) < 178 && (p & 0xff) > 200;
}

/* A rectangle in points -> the pixels well inside it (1 px in from each
 * edge: an edge pixel is shared with what is drawn along it). */
static Box
inner_box (const PsRect *r)
{
  double k = 300 / 72.0;
  Box b = { (int) ceil (r->x * k) + 1, (int) ceil (r->y * k) + 1,
            (int) floor ((r->x + r->width) * k) - 2, (int) floor ((r->y + r->height) * k) - 2 };
  return b;
}

static bool
in_box (const Box *b, int x, int y)
{
  return x >= b->x0 && x <= b->x1 && y >= b->y0 && y <= b->y1;
}

/* Every shipped layout, drawn: each photo is its slot's size within 1 px at
 * 300 dpi; the cut marks' ink (what a draw without marks lacks) touches no
 * photo, no caption's ink and no record; the lines between groups are
 * marked. */
static void
test_shipped_rendered (gconstpointer data)
{
  const char *name = data;
  g_autoptr (PsLayout) layout = load_ok (name);
  g_autoptr (GError) error = NULL;
  /* The same layout with strokes of no length: the same captions (their
   * width depends on cut_marks), no marks. */
  g_autoptr (PsLayout) unmarked = _ps_layout_load_from_data (layout->name, layout->path,
                                                             layout->text, strlen (layout->text),
                                                             &error);
  g_assert_no_error (error);
  unmarked->mark_length = 0;
  g_autoptr (PsBatch) batch = full_sheet_batch (layout);

  /* The source standard's blue, all over: a photo's extent is its blue. */
  cairo_surface_t *photo = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 480, 640);
  cairo_t *pcr = cairo_create (photo);
  cairo_set_source_rgb (pcr, 100 / 255.0, 197 / 255.0, 1.0);
  cairo_paint (pcr);
  cairo_destroy (pcr);
  cairo_surface_t *marked = render_sheet (batch, layout, photo);
  cairo_surface_t *plain = render_sheet (batch, unmarked, photo);
  int w = cairo_image_surface_get_width (marked), h = cairo_image_surface_get_height (marked);
  double k = 300 / 72.0;

  const PsPage *page = _ps_batch_page (batch, 2);
  g_autoptr (GArray) photos = g_array_new (FALSE, FALSE, sizeof (Box));
  g_autoptr (GArray) inks = g_array_new (FALSE, FALSE, sizeof (Box));
  g_autoptr (GArray) records = g_array_new (FALSE, FALSE, sizeof (Box));
  g_autoptr (GArray) cut_rows = g_array_new (FALSE, FALSE, sizeof (int));
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (batch, page, g);
      PsGroupPlace place;
      g_assert_true (_ps_layout_place_group (layout, group->first_slot, group->copies, &place));
      if (place.first_row > 0)
        g_array_append_val (cut_rows, place.first_row);
      for (int i = 0; i < group->copies; i++)
        {
          PsRect slot = ps_layout_get_slot (layout, (size_t) (group->first_slot + i));
          /* the photo's blue, from its centre out */
          int cx = (int) ((slot.x + slot.width / 2) * k), cy = (int) ((slot.y + slot.height / 2) * k);
          /* antialiased edges: a pixel more than half covered is a photo
           * pixel (red half way from the blue's 100 to paper's 255) */
          int x0 = cx, x1 = cx, y0 = cy, y1 = cy;
          while (x0 > 0 && is_photo (pixel (marked, x0 - 1, cy)))
            x0--;
          while (x1 < w - 1 && is_photo (pixel (marked, x1 + 1, cy)))
            x1++;
          while (y0 > 0 && is_photo (pixel (marked, cx, y0 - 1)))
            y0--;
          while (y1 < h - 1 && is_photo (pixel (marked, cx, y1 + 1)))
            y1++;
          double got_w = x1 - x0 + 1, got_h = y1 - y0 + 1;
          g_test_message ("%s slot %d: %.0f x %.0f px, layout %.2f x %.2f", name,
                          group->first_slot + i + 1, got_w, got_h, slot.width * k, slot.height * k);
          g_assert_cmpfloat (fabs (got_w - slot.width * k), <=, 1.0);
          g_assert_cmpfloat (fabs (got_h - slot.height * k), <=, 1.0);
          Box pb = inner_box (&slot);
          g_array_append_val (photos, pb);

          /* the caption's ink: the plain draw's non-paper pixels below the photo */
          if (layout->copy_caption_height > 0)
            {
              Box ink = { w, h, -1, -1 };
              int ya = (int) ceil ((slot.y + slot.height) * k) + 1;
              int yb = (int) floor ((slot.y + slot.height + layout->copy_caption_height) * k);
              int xa = MAX (0, (int) ((slot.x - layout->gap_x / 2) * k));
              int xb = MIN (w - 1, (int) ((slot.x + slot.width + layout->gap_x / 2) * k));
              for (int y = ya; y <= yb; y++)
                for (int x = xa; x <= xb; x++)
                  if (!is_paper (pixel (plain, x, y)))
                    {
                      ink.x0 = MIN (ink.x0, x);
                      ink.x1 = MAX (ink.x1, x);
                      ink.y0 = MIN (ink.y0, y);
                      ink.y1 = MAX (ink.y1, y);
                    }
              g_assert_cmpint (ink.x1, >=, ink.x0);    /* there is a caption */
              ink.x0++, ink.y0++, ink.x1--, ink.y1--;
              g_array_append_val (inks, ink);
            }
        }
      PsRect recs[100];
      size_t n = _ps_layout_group_records (layout, &place, recs);
      for (size_t r = 0; r < n; r++)
        {
          Box rb = inner_box (&recs[r]);
          g_array_append_val (records, rb);
        }
    }

  /* The marks' ink, and where it is. */
  size_t mark_pixels = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        if (pixel (marked, x, y) == pixel (plain, x, y))
          continue;
        mark_pixels++;
        for (guint i = 0; i < photos->len; i++)
          if (in_box (&g_array_index (photos, Box, i), x, y))
            g_error ("%s: a cut mark crosses photo %u at %d,%d px", name, i + 1, x, y);
        for (guint i = 0; i < inks->len; i++)
          if (in_box (&g_array_index (inks, Box, i), x, y))
            g_error ("%s: a cut mark crosses caption %u at %d,%d px", name, i + 1, x, y);
        for (guint i = 0; i < records->len; i++)
          if (in_box (&g_array_index (records, Box, i), x, y))
            g_error ("%s: a cut mark crosses record %u at %d,%d px", name, i + 1, x, y);
      }
  g_test_message ("%s: %zu px of cut marks, %u photos, %zu groups", name, mark_pixels,
                  photos->len, page->n_groups);
  if (layout->cut_marks)
    g_assert_cmpuint (mark_pixels, >, 0);
  else
    g_assert_cmpuint (mark_pixels, ==, 0);

  /* Each line between two groups is marked in both side margins. */
  for (guint i = 0; i < cut_rows->len; i++)
    {
      double y = _ps_layout_cut_y (layout, g_array_index (cut_rows, int, i));
      PsRect marks[2];
      _ps_layout_group_marks (layout, y, marks);
      for (int m = 0; m < 2; m++)
        {
          int mx = (int) ((marks[m].x + marks[m].width / 2) * k), my = (int) lround (y * k);
          bool ink = false;
          for (int dy = -1; dy <= 1; dy++)
            ink = ink || pixel (marked, mx, my + dy) != pixel (plain, mx, my + dy);
          g_assert_true (ink);
          /* and the line itself runs through no photo */
          for (guint p = 0; p < photos->len; p++)
            {
              const Box *b = &g_array_index (photos, Box, p);
              g_assert_false (my >= b->y0 && my <= b->y1);
            }
        }
    }
  if (layout->groups == PS_GROUPS_ROWS && layout->rows > 1 && page->n_groups > 1)
    g_assert_cmpuint (cut_rows->len, ==, page->n_groups - 1);

  cairo_surface_destroy (marked);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (photo);
}

/* `photosheet layouts`: slots and students a sheet, at the layouts' copies
 * or at --copies N. */
static void
test_cli_copies (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *list[] = { "layouts", NULL };
  g_assert_cmpint (ps_test_run_cli (list, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "a4-33x48              20  5: 4 students "));
  g_assert_nonnull (strstr (out, "default                4  4: 1 student "));
  g_assert_nonnull (strstr (out, "6inch-33x48-5up        6  5: 1 student "));
  g_clear_pointer (&out, g_free);
  const char *eight[] = { "layouts", "--copies", "8", NULL };
  g_assert_cmpint (ps_test_run_cli (eight, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "students per sheet at 8"));
  g_assert_nonnull (strstr (out, "a4-33x48              20  8: 2 students "));
  g_assert_nonnull (strstr (out, "8inch-33x48           10  8: 1 student "));
  g_assert_nonnull (strstr (out, "default                4  8: 1 student, 2 sheets each "));
  g_clear_pointer (&out, g_free);
  const char *show[] = { "layouts", "--show", "a4-33x48", "--copies", "4", NULL };
  g_assert_cmpint (ps_test_run_cli (show, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "groups     each student on whole rows: 5 copies take 1 row, "
                                 "4 students per sheet\n"));
  g_assert_nonnull (strstr (out, "at 4     4 students per sheet\n"));
  g_clear_pointer (&err, g_free);
  const char *bad[] = { "layouts", "--copies", "21", NULL };
  g_assert_cmpint (ps_test_run_cli (bad, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--copies must be 1..20"));
}

/* ------------------------------------------------------------------ */
/* Variants                                                           */
/* ------------------------------------------------------------------ */

static void
test_orientation (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *land = write_variant (dir, "land.ini", "6inch-35x45",
                                         "sheet", "orientation", "landscape", NULL);
  /* dimensions written the other way round: orientation still decides */
  g_autofree char *swapped = write_variant (dir, "swapped.ini", "6inch-35x45",
                                            "sheet", "width_mm", "152.4",
                                            "sheet", "height_mm", "101.6", NULL);
  g_autoptr (PsLayout) portrait = load_ok ("6inch-35x45");
  g_autoptr (PsLayout) landscape = load_ok (land);
  g_autoptr (PsLayout) written = load_ok (swapped);

  g_assert_false (portrait->landscape);
  g_assert_true (landscape->landscape);
  g_assert_cmpfloat_with_epsilon (ps_layout_get_sheet_width (landscape),
                                  ps_layout_get_sheet_height (portrait), EPS);
  g_assert_cmpfloat_with_epsilon (ps_layout_get_sheet_height (landscape),
                                  ps_layout_get_sheet_width (portrait), EPS);
  g_assert_cmpfloat (ps_layout_get_sheet_width (landscape), >,
                     ps_layout_get_sheet_height (landscape));
  g_assert_cmpstr (ps_layout_get_media (landscape), ==, "na_index-4x6_4x6in");
  /* 146.4 mm printable width: 3 columns of 35 mm; 95.6 - 16 - 2 = 77.6 mm: 1 row */
  g_assert_cmpint (landscape->columns, ==, 3);
  g_assert_cmpint (landscape->rows, ==, 1);
  g_assert_cmpint (ps_layout_get_copies (landscape), ==, 3);
  check_invariants (landscape);

  g_assert_false (written->landscape);
  g_assert_cmpfloat_with_epsilon (written->sheet_width, portrait->sheet_width, EPS);
  g_assert_cmpfloat_with_epsilon (written->sheet_height, portrait->sheet_height, EPS);
  check_invariants (written);
  ps_test_rm_rf (dir);
}

static void
test_copies (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *three = write_variant (dir, "three.ini", "6inch-33x48",
                                          "photo", "copies", "3", NULL);
  g_autofree char *four = write_variant (dir, "four.ini", "6inch-33x48",
                                         "photo", "copies", "4", NULL);
  g_autoptr (PsLayout) a = load_ok (three);
  g_autoptr (PsLayout) b = load_ok (four);

  g_assert_cmpint (ps_layout_get_copies (a), ==, 3);
  g_assert_cmpuint (ps_layout_get_n_slots (a), ==, 4);
  g_assert_cmpint (ps_layout_get_copies (b), ==, 4);
  check_invariants (a);
  ps_test_rm_rf (dir);
}

static void
test_explicit_grid (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *one = write_variant (dir, "one.ini", "6inch-33x48",
                                        "photo", "columns", "1",
                                        "photo", "rows", "1", NULL);
  g_autofree char *fit = write_variant (dir, "fit.ini", "6inch-33x48",
                                        "photo", "columns", "2",
                                        "photo", "rows", "2",
                                        "photo", "crop", "fit", NULL);
  g_autoptr (PsLayout) a = load_ok (one);
  g_autoptr (PsLayout) b = load_ok (fit);
  g_autoptr (PsLayout) c = load_ok ("6inch-33x48");
  PsRect slot;

  g_assert_cmpuint (ps_layout_get_n_slots (a), ==, 1);
  g_assert_cmpint (ps_layout_get_copies (a), ==, 1);
  slot = ps_layout_get_slot (a, 0);
  /* centred horizontally on the sheet (equal margins) */
  g_assert_cmpfloat_with_epsilon (slot.x + slot.width / 2, a->sheet_width / 2, EPS);
  check_invariants (a);

  g_assert_cmpint (b->crop, ==, PS_CROP_FIT);
  for (size_t i = 0; i < 4; i++)
    {
      PsRect rb = ps_layout_get_slot (b, i), rc = ps_layout_get_slot (c, i);
      g_assert_cmpfloat_with_epsilon (rb.x, rc.x, EPS);
      g_assert_cmpfloat_with_epsilon (rb.y, rc.y, EPS);
    }
  ps_test_rm_rf (dir);
}

static void
test_strip_top (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *path = write_variant (dir, "top.ini", "6inch-33x48",
                                         "caption", "position", "top", NULL);
  g_autoptr (PsLayout) layout = load_ok (path);

  g_assert_cmpfloat_with_epsilon (layout->strip.y, layout->margin_top, EPS);
  for (size_t i = 0; i < ps_layout_get_n_slots (layout); i++)
    {
      PsRect slot = ps_layout_get_slot (layout, i);
      g_assert_cmpfloat (slot.y, >=, layout->strip.y + layout->strip.height);
    }
  check_invariants (layout);
  ps_test_rm_rf (dir);
}

/* Only the required keys: everything else takes its documented default. */
static void
test_defaults (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "minimal.ini", NULL);
  g_autoptr (PsLayout) layout = NULL;

  ps_test_write_file (path,
                      "[sheet]\nwidth_mm=102\nheight_mm=152\n"
                      "[photo]\nwidth_mm=33\nheight_mm=48\n", -1);
  layout = load_ok (path);
  g_assert_cmpstr (ps_layout_get_name (layout), ==, "minimal");
  g_assert_cmpstr (ps_layout_get_description (layout), ==, "");
  g_assert_cmpint (ps_layout_get_dpi (layout), ==, 300);
  /* 102 x 152 is within the tolerance of 4x6 in */
  g_assert_cmpstr (ps_layout_get_media (layout), ==, "na_index-4x6_4x6in");
  g_assert_cmpfloat_with_epsilon (layout->margin_left, MM (3), EPS);
  g_assert_cmpuint (layout->n_copy_fields, ==, 0);
  g_assert_cmpfloat_with_epsilon (layout->copy_caption_height, 0, EPS);
  g_assert_cmpuint (layout->n_strip_fields, ==, PS_N_RECORD_FIELDS);
  g_assert_true (layout->strip_labels);
  g_assert_true (layout->cut_marks);
  g_assert_cmpint (layout->crop, ==, PS_CROP_COVER);
  g_assert_cmpstr (layout->strip_font.family, ==, "Noto Sans CJK SC, HanaMinA, HanaMinB");
  g_assert_cmpstr (layout->sep_title_font.family, ==, "Noto Sans CJK SC, HanaMinA, HanaMinB");
  g_assert_cmpint (layout->tab_steps, ==, 8);
  g_assert_cmpint (ps_layout_get_copies (layout), ==, (int) ps_layout_get_n_slots (layout));
  check_invariants (layout);
  ps_test_rm_rf (dir);
}

static void
test_custom_media (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "custom.ini", NULL);
  g_autoptr (PsLayout) layout = NULL;

  ps_test_write_file (path,
                      "\xef\xbb\xbf# with a byte order mark\n"
                      "[sheet]\nwidth_mm=120\nheight_mm=180\nmargin_top_mm=5\nreprint_mark_mm=0\n"
                      "[photo]\nwidth_mm=35\nheight_mm=45\ncaption_fields=姓名，学号\n"
                      "[caption]\nfields=xh, bh\nlabels=false\n", -1);
  layout = load_ok (path);
  g_assert_cmpstr (ps_layout_get_media (layout), ==, "custom_120x180mm_120x180mm");
  g_assert_cmpfloat_with_epsilon (layout->margin_top, MM (5), EPS);
  g_assert_cmpfloat_with_epsilon (layout->margin_bottom, MM (3), EPS);
  g_assert_cmpuint (layout->n_copy_fields, ==, 2);
  g_assert_cmpint (layout->copy_fields[0], ==, PS_FIELD_XM);
  g_assert_cmpint (layout->copy_fields[1], ==, PS_FIELD_XH);
  g_assert_cmpuint (layout->n_strip_fields, ==, 2);
  g_assert_cmpint (layout->strip_fields[1], ==, PS_FIELD_BH);
  g_assert_false (layout->strip_labels);
  /* 3 x 3 photos fill the sheet: no corner is free, the mark is off */
  g_assert_cmpuint (ps_layout_get_n_slots (layout), ==, 9);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.width, 0, EPS);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.height, 0, EPS);
  check_invariants (layout);
  ps_test_rm_rf (dir);
}

/* A grid that fills the printable area: the reprint mark falls back to the
 * sheet's corner in the margin; with margins too small for it, the layout
 * is refused. */
static void
test_reprint_mark_fallback (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tight.ini", NULL);
  g_autofree char *none = g_build_filename (dir, "none.ini", NULL);
  g_autoptr (PsLayout) layout = NULL;
  g_autoptr (GError) error = NULL;

  /* printable 70 x 116 mm; minus the 14 mm strip and 2 mm gap: 70 x 100,
   * exactly 2 x 2 photos of 33 x 48 mm with 4 mm gaps */
  ps_test_write_file (path,
                      "[sheet]\nwidth_mm=76\nheight_mm=122\nmargin_mm=3\n"
                      "[photo]\nwidth_mm=33\nheight_mm=48\ngap_x_mm=4\ngap_y_mm=4\n"
                      "[caption]\nheight_mm=14\ngap_mm=2\n"
                      "[marks]\ncut_marks=false\n", -1);
  layout = load_ok (path);
  g_assert_cmpint (layout->columns, ==, 2);
  g_assert_cmpint (layout->rows, ==, 2);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.x, 0, EPS);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.y, 0, EPS);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.width, MM (12), EPS);
  g_assert_cmpfloat_with_epsilon (layout->reprint_mark.height, MM (3), EPS);
  check_invariants (layout);

  ps_test_write_file (none,
                      "[sheet]\nwidth_mm=74\nheight_mm=120\nmargin_mm=2\n"
                      "[photo]\nwidth_mm=33\nheight_mm=48\ngap_x_mm=4\ngap_y_mm=4\n"
                      "[caption]\nheight_mm=14\ngap_mm=2\n"
                      "[marks]\ncut_marks=false\n", -1);
  g_clear_pointer (&layout, ps_layout_unref);
  layout = ps_layout_load (none, &error);
  g_assert_null (layout);
  g_assert_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_GEOMETRY);
  g_assert_nonnull (strstr (error->message, "[sheet] reprint_mark_mm=3"));
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Refusals                                                           */
/* ------------------------------------------------------------------ */

static void
test_not_found (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = ps_layout_load ("no-such-layout", &error);

  g_assert_null (layout);
  g_assert_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "'no-such-layout'"));
  for (size_t i = 0; i < G_N_ELEMENTS (shipped); i++)
    g_assert_nonnull (strstr (error->message, shipped[i]));
  g_clear_error (&error);

  layout = ps_layout_load ("/nonexistent/dir/x.ini", &error);
  g_assert_null (layout);
  g_assert_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "x.ini"));
  g_clear_error (&error);

  layout = ps_layout_load ("", &error);
  g_assert_null (layout);
  g_assert_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_NOT_FOUND);
}

typedef struct {
  const char *file;      /* tests/data/layout-bad-NAME.ini */
  int code;              /* PsLayoutError */
  const char *where;     /* "[group] key" the message must name */
  const char *reason;    /* a part of the reason */
} BadCase;

static const BadCase bad_cases[] = {
  { "missing-key", PS_LAYOUT_ERROR_MISSING_KEY, "[photo] width_mm", "missing key" },
  { "missing-group", PS_LAYOUT_ERROR_MISSING_KEY, "[sheet]", "missing group" },
  { "overlap", PS_LAYOUT_ERROR_GEOMETRY, "[photo] gap_x_mm=-5", "overlap" },
  { "off-sheet", PS_LAYOUT_ERROR_GEOMETRY, "[photo] columns=3",
    "3 slots of 33 mm with 4 mm gaps need 107 mm, the printable width is 95.6 mm" },
  { "rows", PS_LAYOUT_ERROR_GEOMETRY, "[photo] rows=3", "need 164 mm" },
  { "caption", PS_LAYOUT_ERROR_GEOMETRY, "[caption] height_mm=1.5", "cannot hold one line" },
  { "copy-caption", PS_LAYOUT_ERROR_GEOMETRY, "[photo] caption_height_mm=1.5",
    "cannot hold one line" },
  { "absurd", PS_LAYOUT_ERROR_INVALID_VALUE, "[sheet] width_mm=5000", "absurd" },
  { "dpi", PS_LAYOUT_ERROR_INVALID_VALUE, "[sheet] dpi=10", "between 72 and 2400" },
  { "nan", PS_LAYOUT_ERROR_INVALID_VALUE, "[sheet] height_mm=nan", "finite" },
  { "inf", PS_LAYOUT_ERROR_INVALID_VALUE, "[sheet] margin_mm=inf", "finite" },
  { "negative", PS_LAYOUT_ERROR_INVALID_VALUE, "[photo] width_mm=-3",
    "must be a positive length" },
  { "not-a-number", PS_LAYOUT_ERROR_INVALID_VALUE, "[photo] height_mm=48mm", "not a number" },
  { "field", PS_LAYOUT_ERROR_INVALID_VALUE, "[caption] fields=xh,foo", "unknown field 'foo'" },
  { "duplicate-field", PS_LAYOUT_ERROR_INVALID_VALUE, "[photo] caption_fields",
    "listed twice" },
  { "empty-fields", PS_LAYOUT_ERROR_INVALID_VALUE, "[caption] fields", "at least one field" },
  { "size-order", PS_LAYOUT_ERROR_INVALID_VALUE, "[caption] size_min_pt", "larger than" },
  { "font-size", PS_LAYOUT_ERROR_INVALID_VALUE, "[caption] size_max_pt=1000", "absurd" },
  { "copies", PS_LAYOUT_ERROR_GEOMETRY, "[photo] copies=9", "only 4 slots" },
  { "nothing-fits", PS_LAYOUT_ERROR_GEOMETRY, "[photo] width_mm=120", "does not fit" },
  { "marks", PS_LAYOUT_ERROR_GEOMETRY, "[marks] length_mm=5", "enters slot 2" },
  { "unknown-key", PS_LAYOUT_ERROR_INVALID_VALUE, "[photo] gap_yy_mm", "unknown key" },
  { "unknown-group", PS_LAYOUT_ERROR_INVALID_VALUE, "[mark]", "unknown group" },
  { "syntax", PS_LAYOUT_ERROR_PARSE, "layout-bad-syntax.ini", "" },
  { "media", PS_LAYOUT_ERROR_INVALID_VALUE, "[sheet] media=iso_a4_210x297mm",
    "does not match" },
  { "orientation", PS_LAYOUT_ERROR_INVALID_VALUE, "[sheet] orientation=sideways",
    "portrait or landscape" },
  { "tabs", PS_LAYOUT_ERROR_GEOMETRY, "[separator] tab_steps=20", "20 tabs of 12 mm" },
  { "margins", PS_LAYOUT_ERROR_GEOMETRY, "[sheet] margin_mm", "no printable width" },
  { "groups-strip", PS_LAYOUT_ERROR_INVALID_VALUE, "[caption] position=bottom",
    "several students on a sheet" },
  { "row-band", PS_LAYOUT_ERROR_INVALID_VALUE, "[caption] position=row", "needs [photo] groups=rows" },
  { "row-gap", PS_LAYOUT_ERROR_GEOMETRY, "[photo] gap_y_mm=0", "the rows need a gap" },
  { "record-cell", PS_LAYOUT_ERROR_GEOMETRY, "[caption] position=cell", "at least 2 cells" },
  { "copies-cell", PS_LAYOUT_ERROR_GEOMETRY, "[photo] copies=6", "one of them for the record" },
  { "band-marks", PS_LAYOUT_ERROR_GEOMETRY, "[marks] length_mm=2", "enters the record band of row 1" },
  { "row-marks", PS_LAYOUT_ERROR_GEOMETRY, "[marks] length_mm=2",
    "the cut marks of row 2 reach the cut line above it" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase *bad = data;
  g_autofree char *file = g_strdup_printf ("layout-bad-%s.ini", bad->file);
  g_autofree char *path = ps_test_data_path (file);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = NULL;
  g_autofree char *prefix = g_strdup_printf ("layout '%s':", path);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  layout = ps_layout_load (path, &error);
  g_assert_null (layout);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, PS_LAYOUT_ERROR, bad->code);
  /* names the file first, then where and why */
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, bad->where));
  g_assert_nonnull (strstr (error->message, bad->reason));
}

/* Every layout-bad-*.ini in tests/data is in the table above. */
static void
test_bad_all_covered (void)
{
  g_autofree char *data_dir = ps_test_data_path ("");
  g_autoptr (GDir) dir = g_dir_open (data_dir, 0, NULL);
  const char *entry;
  size_t found = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      bool covered = false;
      if (!g_str_has_prefix (entry, "layout-bad-") || !g_str_has_suffix (entry, ".ini"))
        continue;
      found++;
      for (size_t i = 0; i < G_N_ELEMENTS (bad_cases); i++)
        {
          g_autofree char *file = g_strdup_printf ("layout-bad-%s.ini", bad_cases[i].file);
          covered = covered || strcmp (file, entry) == 0;
        }
      if (!covered)
        {
          g_test_message ("%s has no entry in bad_cases", entry);
          g_test_fail ();
        }
    }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (bad_cases));
}

static void
test_bad_not_a_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = ps_test_tmpdir ();
  g_autofree char *big = g_build_filename (dir, "big.ini", NULL);
  g_autofree char *nul = g_build_filename (dir, "nul.ini", NULL);
  g_autofree char *junk = g_strnfill (70 * 1024, '#');
  g_autoptr (PsLayout) layout = NULL;

  /* a directory */
  layout = ps_layout_load (dir, &error);
  g_assert_null (layout);
  g_assert_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_FAILED);
  g_clear_error (&error);

  /* too large */
  ps_test_write_file (big, junk, -1);
  layout = ps_layout_load (big, &error);
  g_assert_null (layout);
  g_assert_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_PARSE);
  g_clear_error (&error);

  /* binary */
  ps_test_write_file (nul, "[sheet]\nwidth_mm=1\0\n", 20);
  layout = ps_layout_load (nul, &error);
  g_assert_null (layout);
  g_assert_error (error, PS_LAYOUT_ERROR, PS_LAYOUT_ERROR_PARSE);
  g_clear_error (&error);

  ps_layout_unref (NULL);
  ps_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/layout/list", test_list);
  g_test_add_func ("/layout/dir", test_dir);
  g_test_add_func ("/layout/shipped/all", test_shipped_all);
  g_test_add_func ("/layout/shipped/copies", test_shipped_copies);
  for (size_t i = 0; i < G_N_ELEMENTS (shipped); i++)
    {
      g_autofree char *name = g_strdup_printf ("/layout/shipped/rendered/%s", shipped[i]);
      g_test_add_data_func (name, shipped[i], test_shipped_rendered);
    }
  g_test_add_func ("/layout/shipped/default-is-6inch", test_default_is_6inch);
  g_test_add_func ("/layout/shipped/6inch-numbers", test_6inch_numbers);
  g_test_add_func ("/layout/min-px", test_min_px);
  g_test_add_func ("/layout/describe", test_describe);
  g_test_add_func ("/layout/cli/copies", test_cli_copies);
  g_test_add_func ("/layout/orientation", test_orientation);
  g_test_add_func ("/layout/copies", test_copies);
  g_test_add_func ("/layout/explicit-grid", test_explicit_grid);
  g_test_add_func ("/layout/strip-top", test_strip_top);
  g_test_add_func ("/layout/defaults", test_defaults);
  g_test_add_func ("/layout/custom-media", test_custom_media);
  g_test_add_func ("/layout/reprint-mark-fallback", test_reprint_mark_fallback);
  g_test_add_func ("/layout/not-found", test_not_found);
  for (size_t i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/layout/bad/%s", bad_cases[i].file);
      g_test_add_data_func (name, &bad_cases[i], test_bad);
    }
  g_test_add_func ("/layout/bad/all-covered", test_bad_all_covered);
  g_test_add_func ("/layout/bad/not-a-file", test_bad_not_a_file);
  return g_test_run ();
}
