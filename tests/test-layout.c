/* test-layout.c - layout files: shipped layouts, computed geometry, refusals.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <string.h>

#define MM(mm) ((mm) * 72.0 / 25.4)
#define EPS 1e-6
#define EPS_GEOM 1e-3   /* points, as the layout module's own tolerance */

static const char *const shipped[] = {
  "5inch-33x48", "6inch-33x48", "6inch-35x45", "a4-33x48", "default",
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
  g_assert_cmpint (ps_layout_get_copies (layout), <=, (int) n);
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

  /* The strip spans the printable width, inside the printable area. */
  assert_inside (&layout->strip, px, py, pw, ph);
  g_assert_cmpfloat_with_epsilon (layout->strip.width, pw, EPS);
  g_assert_cmpfloat (layout->strip.height, >=, 1.3 * layout->strip_font.size_min - EPS_GEOM);

  for (size_t i = 0; i < n; i++)
    {
      PsRect slot = ps_layout_get_slot (layout, i);
      PsRect cell = slot;
      cell.height += layout->copy_caption_height;

      /* exactly the photo size, inside the printable area, clear of the strip */
      g_assert_cmpfloat_with_epsilon (slot.width, layout->photo_width, EPS);
      g_assert_cmpfloat_with_epsilon (slot.height, layout->photo_height, EPS);
      assert_inside (&cell, px, py, pw, ph);
      g_assert_false (overlap (&cell, &layout->strip));

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
      g_assert_false (overlap (&layout->reprint_mark, &layout->strip));
    }

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
  } expected[] = {
    { "6inch-33x48", 2, 2, 4, 101.6, 152.4, 33, 48, "na_index-4x6_4x6in" },
    { "default", 2, 2, 4, 101.6, 152.4, 33, 48, "na_index-4x6_4x6in" },
    { "5inch-33x48", 2, 2, 4, 88.9, 127, 33, 48, "oe_photo-l_3.5x5in" },
    { "6inch-35x45", 2, 2, 4, 101.6, 152.4, 35, 45, "na_index-4x6_4x6in" },
    { "a4-33x48", 5, 4, 20, 210, 297, 33, 48, "iso_a4_210x297mm" },
  };

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
      g_assert_false (layout->landscape);
      g_assert_cmpint (ps_layout_get_dpi (layout), ==, 300);
      g_assert_true (layout->cut_marks);
      g_assert_true (layout->strip_labels);
      g_assert_cmpint (layout->crop, ==, PS_CROP_COVER);
      /* per-copy caption: name and 学号 */
      g_assert_cmpuint (layout->n_copy_fields, ==, 2);
      g_assert_cmpint (layout->copy_fields[0], ==, PS_FIELD_XM);
      g_assert_cmpint (layout->copy_fields[1], ==, PS_FIELD_XH);
      /* the strip: the nine record fields in table order */
      g_assert_cmpuint (layout->n_strip_fields, ==, PS_N_RECORD_FIELDS);
      for (size_t f = 0; f < PS_N_RECORD_FIELDS; f++)
        g_assert_cmpint (layout->strip_fields[f], ==, (PsField) f);
      g_assert_cmpstr (layout->strip_font.family, ==, "Noto Sans CJK SC, HanaMinA, HanaMinB");
      g_assert_cmpfloat (layout->reprint_mark.width, >, 0);
    }
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
  g_test_add_func ("/layout/shipped/default-is-6inch", test_default_is_6inch);
  g_test_add_func ("/layout/shipped/6inch-numbers", test_6inch_numbers);
  g_test_add_func ("/layout/min-px", test_min_px);
  g_test_add_func ("/layout/describe", test_describe);
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
