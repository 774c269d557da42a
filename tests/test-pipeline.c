/* test-pipeline.c - plan, batch, pipeline and writers in process: order,
 * equal bytes at any number of jobs, a fault in a worker, the memory budget,
 * a ledger written by the previous schema.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Plan                                                               */
/* ------------------------------------------------------------------ */

static PsRoster *
roster_from_text (const char *dir, const char *csv)
{
  g_autofree char *path = g_build_filename (dir, "roster.csv", NULL);
  ps_test_write_file (path, csv, -1);
  g_autoptr (GError) error = NULL;
  PsRoster *roster = ps_roster_load (path, NULL, &error);
  g_assert_no_error (error);
  return roster;
}

/* The batch of every record of @roster on @layout, without photos. */
static PsBatch *
plan_with (const PsRoster *roster, const char *layout_name, PsOrder order, int copies,
           PsImpose impose)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = ps_layout_load (layout_name, &error);
  g_assert_no_error (error);
  PsBatchSettings s = { .layout_name = g_strdup (layout->name),
                        .layout_text = g_strdup (layout->text), .copies = copies,
                        .impose = impose };
  PsBatch *batch = _ps_batch_new_recorded (&s, 0, NULL, &error);
  _ps_batch_settings_clear (&s);
  g_assert_no_error (error);
  _ps_plan_arrange (batch, (const PsRecord *const *) roster->records->pdata,
                    roster->records->len, NULL, order, NULL);
  g_assert_true (_ps_batch_seal (batch, &error));
  g_assert_no_error (error);
  return batch;
}

static PsBatch *
plan_of (const PsRoster *roster, const char *layout_name, PsOrder order)
{
  return plan_with (roster, layout_name, order, 0, PS_IMPOSE_SEQUENCE);
}

static const char *
student_xh (const PsBatch *batch, size_t i)
{
  return _ps_batch_student (batch, i)->record.values[PS_FIELD_XH];
}

static void
test_plan_order (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autoptr (PsRoster) roster = roster_from_text (dir,
    "学号,姓名,班级,优先,份数\n"
    "3,张三,乙班,,\n"
    "20,李四,甲班,,6\n"
    "1,王五,乙班,是,\n"
    "10,赵六,甲班,,\n"
    "2,钱七,乙班,否,\n");

  /* classes in order of first appearance; the repeater first; roster order */
  g_autoptr (PsBatch) b = plan_of (roster, "default", PS_ORDER_ROSTER);
  g_assert_cmpuint (b->classes->len, ==, 2);
  g_assert_cmpstr (_ps_batch_class (b, 0)->name, ==, "乙班");
  g_assert_cmpstr (_ps_batch_class (b, 1)->name, ==, "甲班");
  g_assert_cmpuint (_ps_batch_class (b, 0)->n_students, ==, 3);
  g_assert_cmpuint (_ps_batch_class (b, 1)->first, ==, 3);
  const char *const roster_order[] = { "1", "3", "2", "20", "10" };
  for (size_t i = 0; i < G_N_ELEMENTS (roster_order); i++)
    g_assert_cmpstr (student_xh (b, i), ==, roster_order[i]);
  /* 1 separator + 3 sheets; 1 separator + 2 sheets (6 copies) + 1 sheet */
  g_assert_cmpuint (b->pages->len, ==, 8);
  const PsPage *p = _ps_batch_page (b, 6);
  g_assert_cmpint (p->kind, ==, PS_PAGE_SHEET);
  g_assert_cmpuint (p->n_groups, ==, 1);
  const PsGroup *g6 = _ps_batch_page_group (b, p, 0);
  g_assert_cmpstr (student_xh (b, g6->student), ==, "20");
  g_assert_cmpint (g6->copies, ==, 4);
  const PsGroup *g7 = _ps_batch_page_group (b, _ps_batch_page (b, 7), 0);
  g_assert_cmpint (g7->copies, ==, 2);
  g_assert_cmpint (g7->first_slot, ==, 0);
  g_assert_cmpint (g7->part, ==, 2);
  g_assert_cmpint (g7->n_parts, ==, 2);
  g_assert_cmpint (_ps_batch_student (b, 3)->copies, ==, 6);
  g_assert_cmpint (_ps_batch_student (b, 4)->seq, ==, 2);

  /* by 学号 as numbers, the repeater still first */
  g_autoptr (PsBatch) x = plan_of (roster, "default", PS_ORDER_XH);
  const char *const xh_order[] = { "1", "2", "3", "10", "20" };
  for (size_t i = 0; i < G_N_ELEMENTS (xh_order); i++)
    g_assert_cmpstr (student_xh (x, i), ==, xh_order[i]);
  ps_test_rm_rf (dir);
}

/* Page @number as "xh@slot,xh@slot" (slots 1-based), "sep" for a separator. */
static char *
page_groups (const PsBatch *b, size_t number)
{
  const PsPage *page = _ps_batch_page (b, number);
  if (page->kind == PS_PAGE_SEPARATOR)
    return g_strdup_printf ("sep %s", _ps_batch_class (b, page->class_index)->name);
  GString *out = g_string_new (NULL);
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (b, page, g);
      const PsStudent *st = _ps_batch_student (b, group->student);
      /* never two classes on a sheet */
      g_assert_cmpuint (st->class_index, ==, page->class_index);
      g_string_append_printf (out, "%s%s@%d", g ? "," : "", student_xh (b, group->student),
                              group->first_slot + 1);
      if (group->copies != 5)
        g_string_append_printf (out, "x%d", group->copies);
      if (group->n_parts > 1)
        g_string_append_printf (out, "(%d/%d)", group->part, group->n_parts);
    }
  return g_string_free (out, FALSE);
}

static void
assert_pages (const PsBatch *b, const char *const *want, size_t n)
{
  g_assert_cmpuint (b->pages->len, ==, n);
  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *got = page_groups (b, i + 1);
      g_assert_cmpstr (got, ==, want[i]);
    }
}

/* Whole groups on shared sheets, never two classes a sheet; sequence packs
 * by rows, stack puts consecutive students in each position. */
static void
test_plan_impose (void)
{
  g_autofree char *dir = ps_test_tmpdir ();
  g_autoptr (PsRoster) roster = roster_from_text (dir,
    "学号,姓名,班级,份数\n"
    "1,甲一,甲班,\n" "2,甲二,甲班,\n" "3,甲三,甲班,8\n" "4,甲四,甲班,\n" "5,甲五,甲班,\n"
    "21,乙一,乙班,\n"
    "6,甲六,甲班,\n" "7,甲七,甲班,\n" "8,甲八,甲班,\n" "9,甲九,甲班,\n" "10,甲十,甲班,\n"
    "22,乙二,乙班,\n" "23,乙三,乙班,1\n");

  /* sequence, 5 copies on A4: rows of 5; the 8-copy group takes 2 rows */
  g_autoptr (PsBatch) seq = plan_with (roster, "a4-33x48", PS_ORDER_ROSTER, 5,
                                       PS_IMPOSE_SEQUENCE);
  const char *const want_seq[] = {
    "sep 甲班", "1@1,2@6,3@11x8", "4@1,5@6,6@11,7@16", "8@1,9@6,10@11",
    "sep 乙班", "21@1,22@6,23@11x1",
  };
  assert_pages (seq, want_seq, G_N_ELEMENTS (want_seq));
  g_assert_cmpint (_ps_batch_student (seq, 2)->copies, ==, 8);
  g_assert_cmpint (_ps_batch_student (seq, 12)->copies, ==, 1);
  /* 3 + 1 (one row of 5 slots) + 20 + 15 + 20 slots, less the copies */
  g_assert_cmpuint (ps_batch_get_n_slots_used (seq), ==, 5 * 11 + 8 + 1);
  g_assert_cmpuint (ps_batch_get_n_slots_empty (seq), ==, 4 * 20 - (5 * 11 + 8 + 1));

  /* stack: positions as high as the class's largest group (8 copies: 2
   * rows, 2 positions); pile 1 holds students 1-5, pile 2 6-10 */
  g_autoptr (PsBatch) stack = plan_with (roster, "a4-33x48", PS_ORDER_ROSTER, 5,
                                         PS_IMPOSE_STACK);
  const char *const want_stack[] = {
    "sep 甲班", "1@1,6@11", "2@1,7@11", "3@1x8,8@11", "4@1,9@11", "5@1,10@11",
    "sep 乙班", "21@1,22@6,23@11x1",
  };
  assert_pages (stack, want_stack, G_N_ELEMENTS (want_stack));

  /* 7 students in 4 positions: 2 sheets, piles of 2, 2, 2, 1 - only the
   * last sheet has an empty position */
  g_autoptr (PsRoster) seven = roster_from_text (dir,
    "学号,姓名,班级\n1,一,甲\n2,二,甲\n3,三,甲\n4,四,甲\n5,五,甲\n6,六,甲\n7,七,甲\n");
  g_autoptr (PsBatch) s7 = plan_with (seven, "a4-33x48", PS_ORDER_ROSTER, 5, PS_IMPOSE_STACK);
  const char *const want7[] = { "sep 甲", "1@1,3@6,5@11,7@16", "2@1,4@6,6@11" };
  assert_pages (s7, want7, G_N_ELEMENTS (want7));

  /* one student a sheet: stack is the sequence; a group larger than a sheet
   * gets sheets of its own, in parts */
  g_autoptr (PsBatch) six = plan_with (seven, "default", PS_ORDER_ROSTER, 5, PS_IMPOSE_STACK);
  g_autoptr (PsBatch) six_seq = plan_with (seven, "default", PS_ORDER_ROSTER, 5,
                                           PS_IMPOSE_SEQUENCE);
  g_assert_cmpuint (six->pages->len, ==, 1 + 7 * 2);
  for (size_t i = 1; i <= six->pages->len; i++)
    {
      g_autofree char *a = page_groups (six, i);
      g_autofree char *b = page_groups (six_seq, i);
      g_assert_cmpstr (a, ==, b);
    }
  g_autofree char *p2 = page_groups (six, 2), *p3 = page_groups (six, 3);
  g_assert_cmpstr (p2, ==, "1@1x4(1/2)");
  g_assert_cmpstr (p3, ==, "1@1x1(2/2)");

  /* 20 copies fill an A4 sheet; the layout's default is its copies= */
  g_autoptr (PsBatch) full = plan_with (roster, "a4-33x48", PS_ORDER_ROSTER, 20,
                                        PS_IMPOSE_SEQUENCE);
  g_autofree char *f2 = page_groups (full, 2), *f4 = page_groups (full, 4);
  g_autofree char *f5 = page_groups (full, 5);
  g_assert_cmpstr (f2, ==, "1@1x20");
  g_assert_cmpstr (f4, ==, "3@1x8");      /* 20 copies need the whole next sheet */
  g_assert_cmpstr (f5, ==, "4@1x20");
  g_autoptr (PsBatch) dflt = plan_of (roster, "a4-33x48", PS_ORDER_ROSTER);
  g_assert_cmpint (_ps_batch_student (dflt, 0)->copies, ==, 5);
  ps_test_rm_rf (dir);
}

static void
test_plan_order_names (void)
{
  PsOrder order = PS_ORDER_XH;
  g_assert_true (ps_plan_order_from_string ("roster", &order));
  g_assert_cmpint (order, ==, PS_ORDER_ROSTER);
  g_assert_true (ps_plan_order_from_string ("xh", &order));
  g_assert_cmpint (order, ==, PS_ORDER_XH);
  g_assert_false (ps_plan_order_from_string ("name", &order));
  PsIntent intent = PS_INTENT_ABSOLUTE;
  g_assert_true (ps_color_intent_from_string ("relative", &intent));
  g_assert_cmpint (intent, ==, PS_INTENT_RELATIVE);
  g_assert_cmpstr (ps_color_intent_to_string (PS_INTENT_PERCEPTUAL), ==, "perceptual");
  g_assert_false (ps_color_intent_from_string ("Relative ", &intent));
  PsFormats formats = 0;
  g_assert_true (ps_output_formats_from_string ("pdf, tif,proof", &formats));
  g_assert_cmpuint (formats, ==, PS_FORMAT_PDF | PS_FORMAT_TIFF | PS_FORMAT_PNG | PS_FORMAT_PROOF);
  g_assert_false (ps_output_formats_from_string ("pdf,svg", &formats));
  g_assert_false (ps_output_formats_from_string ("", &formats));
}

/* ------------------------------------------------------------------ */
/* Options: the defaults are the documented ones, values are checked  */
/* ------------------------------------------------------------------ */

static void
test_options (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PsBatchOptions) o = ps_batch_options_new ();
  g_assert_false (ps_batch_options_set_dpi (o, 71, &error));
  g_assert_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ps_batch_options_set_dpi (o, 2401, &error));
  g_clear_error (&error);
  g_assert_true (ps_batch_options_set_dpi (o, 0, &error));
  g_assert_true (ps_batch_options_set_dpi (o, 72, &error));
  g_autoptr (PsRenderOptions) r = ps_render_options_new ();
  g_assert_false (ps_render_options_set_jobs (r, -1, &error));
  g_assert_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ps_render_options_set_jobs (r, 257, &error));
  g_clear_error (&error);
  g_assert_true (ps_render_options_set_jobs (r, 0, &error));
  g_autoptr (PsPrintOptions) p = ps_print_options_new ();
  g_assert_false (ps_print_options_add_option (p, "no-equals", &error));
  g_assert_error (error, PS_PRINT_ERROR, PS_PRINT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ps_print_options_add_option (p, "media-type=photographic", &error));

  /* A batch made with the defaults: relative colorimetric with BPC, the
   * layout's dpi, PDF + TIFF, roster order. */
  g_autofree char *dir = ps_test_copy_samples ();
  g_autoptr (PsBatch) batch = ps_test_batch_new (dir, "default", NULL);
  g_assert_cmpint (batch->settings.intent, ==, PS_INTENT_RELATIVE);
  g_assert_true (batch->settings.bpc);
  g_assert_cmpint (ps_batch_get_dpi (batch), ==, ps_layout_get_dpi (ps_batch_get_layout (batch)));
  g_assert_cmpuint (ps_batch_get_formats (batch), ==, PS_FORMAT_PDF | PS_FORMAT_TIFF);
  g_assert_cmpint (batch->settings.order, ==, PS_ORDER_ROSTER);
  g_assert_null (batch->settings.profile);
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Batch from a check                                                 */
/* ------------------------------------------------------------------ */

/* The batch keeps what it needs: roster and check may go first. */
static void
test_batch_outlives_check (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *roster_path = g_build_filename (dir, "roster.csv", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autoptr (GError) error = NULL;
  PsRoster *roster = ps_roster_load (roster_path, NULL, &error);
  g_assert_no_error (error);
  PsLayout *layout = ps_layout_load ("default", &error);
  g_assert_no_error (error);
  PsCheck *check = ps_check_run (roster, layout, photos, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ps_check_get_roster (check) == roster);
  g_assert_true (ps_check_get_layout (check) == layout);
  ps_layout_unref (layout);   /* the check holds its own reference */
  g_autoptr (PsBatch) batch = ps_batch_new (check, NULL, &error);
  g_assert_no_error (error);
  size_t printable = ps_check_get_n_printable (check);
  ps_check_free (check);
  ps_roster_free (roster);

  g_assert_cmpuint (ps_batch_get_n_students (batch), ==, printable);
  g_assert_cmpuint (ps_batch_get_n_skipped (batch), ==, 0);
  for (size_t i = 0; i < batch->students->len; i++)
    {
      const PsStudent *s = _ps_batch_student (batch, i);
      g_assert_true (g_path_is_absolute (s->photo_path));
      g_assert_true (g_str_has_prefix (s->photo_path, batch->settings.photos_dir));
      g_assert_cmpuint (strlen (s->photo_sha256), ==, 64);
      g_assert_cmpint (s->photo_pixels, ==, 480 * 640);
    }
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (PsRenderOptions) options = ps_render_options_new ();
  ps_render_options_set_record (options, false);
  g_assert_true (ps_render_batch (batch, out, options, &error));
  g_assert_no_error (error);
  g_autofree char *ledger = g_build_filename (out, "ledger.sqlite", NULL);
  g_assert_false (g_file_test (ledger, G_FILE_TEST_EXISTS));
  ps_test_rm_rf (dir);
}

/* A photo that changes between check and render is refused, naming the row. */
static void
test_batch_photo_changed (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autoptr (PsBatch) batch = ps_test_batch_new (dir, "default", NULL);
  const PsStudent *s = _ps_batch_student (batch, 3);
  ps_test_write_file (s->photo_path, "\xff\xd8\xff not the photo that was checked", -1);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_render_batch (batch, out, NULL, &error));
  g_assert_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_CHANGED);
  g_autofree char *row = g_strdup_printf ("row %d:", s->record.row);
  g_assert_true (g_str_has_prefix (error->message, row));
  g_autofree char *pdf = g_build_filename (out, "sheets.pdf", NULL);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Pipeline                                                           */
/* ------------------------------------------------------------------ */

static void
render_ok (const PsBatch *batch, const char *out, int jobs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PsRenderOptions) options = ps_render_options_new ();
  g_assert_true (ps_render_options_set_jobs (options, jobs, &error));
  g_assert_true (ps_render_batch (batch, out, options, &error));
  g_assert_no_error (error);
}

/* The same bytes whatever the number of threads: 1 (no worker), 2 and 8. */
static void
test_pipeline_jobs_equal (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autoptr (PsBatchOptions) options = ps_batch_options_new ();
  g_autofree char *icc = g_build_filename (g_getenv ("PS_PROFILES_DIR"), "lab-rgb.icc", NULL);
  ps_batch_options_set_profile (options, icc);
  ps_batch_options_set_formats (options, PS_FORMAT_PDF | PS_FORMAT_TIFF | PS_FORMAT_PROOF);
  g_assert_true (ps_batch_options_set_dpi (options, 100, NULL));
  /* one student a sheet, and several (a task is then one sheet of
   * several students, its photos decoded in one worker) */
  g_autoptr (PsBatch) single = ps_test_batch_new (dir, "default", options);
  ps_batch_options_set_impose (options, PS_IMPOSE_STACK);
  g_assert_true (ps_batch_options_set_copies (options, 4, NULL));
  g_autoptr (PsBatch) shared = ps_test_batch_new (dir, "a4-33x48", options);
  const PsBatch *batches[] = { single, shared };

  for (size_t b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      const PsBatch *batch = batches[b];
      const int jobs[] = { 1, 2, 8 };
      g_autoptr (GHashTable) first = NULL;
      for (size_t i = 0; i < G_N_ELEMENTS (jobs); i++)
        {
          g_autofree char *name = g_strdup_printf ("out-%zu-%d", b, jobs[i]);
          g_autofree char *out = g_build_filename (dir, name, NULL);
          render_ok (batch, out, jobs[i]);
          g_autoptr (GHashTable) digests = ps_test_dir_digests (out);
          /* sheets.pdf, manifest.csv, exceptions.csv, the folder's marker and lock, a TIFF,
           * a PNG and a proof per page */
          g_assert_cmpuint (g_hash_table_size (digests), ==, 5 + 3 * ps_batch_get_n_pages (batch));
          if (first == NULL)
            first = g_steal_pointer (&digests);
          else
            ps_test_assert_same_digests (first, digests, name);
        }
    }
  g_assert_cmpuint (_ps_batch_page (shared, 2)->n_groups, ==, 4);
  ps_test_rm_rf (dir);
}

/* A writer that counts what it is asked to prepare and checks what it is
 * handed: each student's photo prepared once per task, every group of a
 * sheet drawn with its own student's. */
typedef struct {
  PsWriter parent;
  const PsBatch *batch;
  gint *prepared;                 /* per student, atomically */
  size_t pages, groups, missing;  /* calling thread */
  const size_t *only;
} CountingWriter;

static gpointer
counting_prepare (PsWriter *writer, const PsStudent *student, const PsRawImage *raw,
                  const char *path, const PsPhotoBlocks *blocks, GError **error)
{
  CountingWriter *w = (CountingWriter *) writer;
  /* the batch's own PsStudent: its index is its place in the array */
  size_t index = (size_t) (student - (const PsStudent *) w->batch->students->data);
  g_assert_cmpuint (index, <, w->batch->students->len);
  g_atomic_int_inc (&w->prepared[index]);
  size_t *photo = g_new (size_t, 1);
  *photo = index;
  return photo;
}

static bool
counting_write_page (PsWriter *writer, const PsWriterPage *wp, GError **error)
{
  CountingWriter *w = (CountingWriter *) writer;
  w->pages++;
  for (size_t g = 0; g < wp->page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (wp->batch, wp->page, g);
      bool drawn = w->only == NULL || *w->only == group->student;
      w->groups += drawn;
      if (drawn && (wp->photos == NULL || wp->photos[g] == NULL
                    || *(const size_t *) wp->photos[g] != group->student))
        w->missing++;
      if (!drawn && wp->photos != NULL && wp->photos[g] != NULL)
        w->missing++;
    }
  return true;
}

static void
counting_free (PsWriter *writer)
{
  CountingWriter *w = (CountingWriter *) writer;
  g_free (w->prepared);
  g_free (w);
}

static const PsWriterClass counting_class = {
  .name = "counting",
  .prepare_photo = counting_prepare,
  .free_photo = g_free,
  .write_page = counting_write_page,
  .free = counting_free,
};

/* Every student's photo is decoded and prepared once: once per sheet of
 * several students, once for all the sheets of one student; a reprint run
 * reads only its student's. */
static void
test_pipeline_photo_once (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autoptr (GError) error = NULL;
  g_autoptr (PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);
  g_autoptr (PsBatchOptions) a4_options = ps_batch_options_new ();
  g_assert_true (ps_batch_options_set_copies (a4_options, 5, NULL));
  g_autoptr (PsBatchOptions) six_options = ps_batch_options_new ();
  g_assert_true (ps_batch_options_set_copies (six_options, 8, NULL));   /* 2 sheets each */
  g_autoptr (PsBatch) a4 = ps_test_batch_new (dir, "a4-33x48", a4_options);
  g_autoptr (PsBatch) six = ps_test_batch_new (dir, "default", six_options);
  const PsBatch *batches[] = { a4, six };

  for (size_t b = 0; b < G_N_ELEMENTS (batches); b++)
    for (int jobs = 1; jobs <= 3; jobs += 2)
      for (int reprint = 0; reprint <= 1; reprint++)
        {
          const PsBatch *batch = batches[b];
          size_t n = batch->students->len;
          size_t only = 5;           /* a student on a shared sheet of A4 */
          CountingWriter *counting = g_new0 (CountingWriter, 1);
          counting->parent.klass = &counting_class;
          counting->prepared = g_new0 (gint, n);
          counting->batch = batch;
          counting->only = reprint ? &only : NULL;
          g_autoptr (PsWriter) writer = &counting->parent;
          PsWriter *writers[] = { writer };
          PsPipeline pipeline = {
            .batch = batch,
            .color = color,
            .writers = writers,
            .n_writers = 1,
            .jobs = jobs,
            .only_student = reprint ? &only : NULL,
          };
          g_autoptr (GArray) pages = _ps_batch_get_student_pages (batch, only);
          if (reprint)
            {
              pipeline.numbers = (const size_t *) pages->data;
              pipeline.n_numbers = pages->len;
            }
          g_assert_true (_ps_pipeline_run (&pipeline, NULL, &error));
          g_assert_no_error (error);
          size_t total = 0;
          for (size_t i = 0; i < n; i++)
            {
              int want = !reprint || i == only ? 1 : 0;
              g_assert_cmpint (g_atomic_int_get (&counting->prepared[i]), ==, want);
              total += (size_t) want;
            }
          g_test_message ("%s, %d jobs%s: %zu prepared for %zu students, %zu pages, %zu groups",
                          batch->layout->name, jobs, reprint ? ", one student" : "", total, n,
                          counting->pages, counting->groups);
          g_assert_cmpuint (total, ==, reprint ? 1 : n);
          g_assert_cmpuint (counting->missing, ==, 0);
          g_assert_cmpuint (counting->pages, ==, reprint ? pages->len : batch->pages->len);
          g_assert_cmpuint (counting->groups, ==, reprint ? pages->len : batch->groups->len);
        }
  ps_test_rm_rf (dir);
}

/* A writer that fails on one page, from whichever thread draws it. */
typedef struct {
  PsWriter parent;
  size_t fail_at;
  gint rasters;                   /* pages seen, atomically */
} FaultyWriter;

static bool
faulty_write_raster (PsWriter *writer, const PsPage *page, const PsPageRasters *rasters,
                     GError **error)
{
  FaultyWriter *w = (FaultyWriter *) writer;
  g_atomic_int_inc (&w->rasters);
  if (page->number == w->fail_at)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "injected fault on page %zu",
                   page->number);
      return false;
    }
  return true;
}

static void
faulty_free (PsWriter *writer)
{
  g_free (writer);
}

static const PsWriterClass faulty_class = {
  .name = "faulty",
  .write_raster = faulty_write_raster,
  .free = faulty_free,
};

static void
test_pipeline_worker_fault (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autoptr (PsBatchOptions) options = ps_batch_options_new ();
  g_assert_true (ps_batch_options_set_dpi (options, 72, NULL));
  g_autoptr (PsBatch) batch = ps_test_batch_new (dir, "default", options);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_assert_no_error (error);

  for (int jobs = 1; jobs <= 4; jobs += 3)
    {
      g_autofree char *pdf = g_build_filename (dir, "faulty.pdf", NULL);
      g_autoptr (PsWriter) pdf_writer = _ps_output_pdf_new (batch, color, pdf, &error);
      g_assert_no_error (error);
      FaultyWriter *faulty = g_new0 (FaultyWriter, 1);
      faulty->parent.klass = &faulty_class;
      faulty->fail_at = 17;
      g_autoptr (PsWriter) faulty_writer = &faulty->parent;
      PsWriter *writers[] = { pdf_writer, faulty_writer };
      size_t done = 0;
      PsPipeline pipeline = {
        .batch = batch,
        .color = color,
        .writers = writers,
        .n_writers = G_N_ELEMENTS (writers),
        .jobs = jobs,
      };
      g_autoptr (GPtrArray) digests = NULL;
      g_assert_false (_ps_pipeline_run (&pipeline, &digests, &error));
      g_assert_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO);
      g_assert_cmpstr (error->message, ==, "injected fault on page 17");
      g_assert_null (digests);
      g_clear_error (&error);
      /* the pages after it were not all drawn: the run stopped */
      g_assert_cmpint (g_atomic_int_get (&faulty->rasters), <, (gint) ps_batch_get_n_pages (batch));
      (void) done;
      /* nothing under the final name; the temporary goes with the writer */
      g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
      g_clear_pointer (&pdf_writer, _ps_writer_free);
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;
      while ((name = g_dir_read_name (d)) != NULL)
        g_assert_false (g_str_has_suffix (name, ".part"));
    }
  ps_test_rm_rf (dir);
}

/* Huge photos cut the window and then the workers, not the machine. */
static void
test_pipeline_memory_budget (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autoptr (PsBatch) batch = ps_test_batch_new (dir, "default", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_autofree char *tiffs = g_build_filename (dir, "tiff", NULL);
  g_autoptr (PsWriter) tiff = _ps_output_tiff_new (batch, color, tiffs, &error);
  g_assert_no_error (error);
  PsWriter *writers[] = { tiff };
  PsPipeline pipeline = { .batch = batch, .color = color, .writers = writers, .n_writers = 1,
                          .jobs = 8 };
  int workers = 0;
  size_t window = 0;
  _ps_pipeline_plan_threads (&pipeline, &workers, &window);
  g_assert_cmpint (workers, ==, 8);
  g_assert_cmpuint (window, ==, 18);

  /* 40 Mpx photos: 640 MB each in flight */
  for (size_t i = 0; i < batch->students->len; i++)
    g_array_index (batch->students, PsStudent, i).photo_pixels = 40000000;
  _ps_pipeline_plan_threads (&pipeline, &workers, &window);
  int width = 0, height = 0;
  g_assert_true (_ps_pipeline_page_size (batch, &width, &height, NULL));
  gint64 planned = (gint64) workers * width * height * 4 + (gint64) window * 40000000 * 16;
  g_test_message ("workers %d, window %zu, %" G_GINT64_FORMAT " MB planned", workers, window,
                  planned >> 20);
  g_assert_cmpint (workers, ==, 1);
  g_assert_cmpuint (window, <=, 2);

  /* a single worker is never refused: the calling thread still renders */
  pipeline.jobs = 1;
  _ps_pipeline_plan_threads (&pipeline, &workers, &window);
  g_assert_cmpint (workers, ==, 0);
  g_assert_cmpuint (window, ==, 1);

  /* 4 students a sheet: a task holds 4 photos, and the plan counts them
   * (5 Mpx photos: 80 MB one, 320 MB a task) */
  g_autoptr (PsBatchOptions) options = ps_batch_options_new ();
  g_assert_true (ps_batch_options_set_copies (options, 5, NULL));
  g_autoptr (PsBatch) a4 = ps_test_batch_new (dir, "a4-33x48", options);
  g_assert_cmpuint (_ps_batch_page (a4, 2)->n_groups, ==, 4);
  for (size_t i = 0; i < a4->students->len; i++)
    g_array_index (a4->students, PsStudent, i).photo_pixels = 5000000;
  g_autoptr (PsWriter) a4_tiff = _ps_output_tiff_new (a4, color, tiffs, &error);
  g_assert_no_error (error);
  PsWriter *a4_writers[] = { a4_tiff };
  PsPipeline shared = { .batch = a4, .color = color, .writers = a4_writers, .n_writers = 1,
                        .jobs = 8 };
  _ps_pipeline_plan_threads (&shared, &workers, &window);
  g_assert_true (_ps_pipeline_page_size (a4, &width, &height, NULL));
  planned = (gint64) workers * width * height * 4 + (gint64) window * 4 * 5000000 * 16;
  g_test_message ("A4 shared: workers %d, window %zu, %" G_GINT64_FORMAT " MB planned", workers,
                  window, planned >> 20);
  g_assert_cmpint (planned, <=, PS_PIPELINE_MEMORY_BUDGET);
  int shared_workers = workers;
  /* the same photos, one student a sheet (20 copies): more run at once */
  ps_batch_options_set_impose (options, PS_IMPOSE_SEQUENCE);
  g_assert_true (ps_batch_options_set_copies (options, 20, NULL));
  g_autoptr (PsBatch) twenty = ps_test_batch_new (dir, "a4-33x48", options);
  for (size_t i = 0; i < twenty->students->len; i++)
    g_array_index (twenty->students, PsStudent, i).photo_pixels = 5000000;
  PsPipeline alone = { .batch = twenty, .color = color, .writers = a4_writers, .n_writers = 1,
                       .jobs = 8 };
  _ps_pipeline_plan_threads (&alone, &workers, &window);
  g_test_message ("A4 one a sheet: workers %d, window %zu", workers, window);
  g_assert_cmpint (workers, >, shared_workers);
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* Writers                                                            */
/* ------------------------------------------------------------------ */

static void
test_writers_manifest_exceptions (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  /* a row without its photo: the batch skips it and says why */
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autoptr (GDir) d = g_dir_open (photos, 0, NULL);
  g_autofree char *victim = g_build_filename (photos, g_dir_read_name (d), NULL);
  g_assert_cmpint (g_unlink (victim), ==, 0);
  g_autoptr (PsBatch) batch = ps_test_batch_new (dir, "default", NULL);
  g_assert_cmpuint (ps_batch_get_n_skipped (batch), ==, 1);
  g_assert_cmpuint (ps_batch_get_n_problems (batch), ==, 1);
  g_assert_cmpstr (ps_batch_get_problem (batch, 0)->field, ==, "photo");

  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_false (ps_render_batch (batch, out, NULL, &error));
  g_assert_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_REFUSED);
  g_clear_error (&error);
  g_autofree char *exceptions = g_build_filename (out, "exceptions.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (exceptions, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);   /* header, the row, "" */
  g_assert_cmpstr (lines[0], ==, "row,xh,cjm,field,reason");
  g_autofree char *row = g_strdup_printf ("%d,", ps_batch_get_problem (batch, 0)->row);
  g_assert_true (g_str_has_prefix (lines[1], row));

  g_autoptr (PsRenderOptions) options = ps_render_options_new ();
  ps_render_options_set_skip_invalid (options, true);
  g_assert_true (ps_render_batch (batch, out, options, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (out);
  g_assert_cmpuint (rows->len, ==, ps_batch_get_n_pages (batch));
  for (size_t i = 0; i < rows->len; i++)
    {
      char **cells = rows->pdata[i];
      const PsPage *page = _ps_batch_page (batch, i + 1);
      g_autofree char *number = g_strdup_printf ("%zu", i + 1);
      g_assert_cmpstr (cells[0], ==, number);
      g_assert_cmpstr (cells[1], ==, page->kind == PS_PAGE_SHEET ? "sheet" : "separator");
      g_assert_cmpstr (cells[2], ==, _ps_batch_class (batch, page->class_index)->name);
      if (page->kind == PS_PAGE_SHEET)
        {
          g_assert_cmpuint (page->n_groups, ==, 1);
          const PsStudent *s = _ps_batch_student (batch, _ps_batch_page_group (batch, page, 0)->student);
          g_assert_cmpstr (cells[4], ==, s->record.values[PS_FIELD_XH]);
          g_assert_cmpstr (cells[8], ==, s->photo_sha256);
        }
    }
  ps_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ */
/* A ledger of schema 1, written by photosheet 0.1.0                  */
/* ------------------------------------------------------------------ */

/* tests/data/ledger-v1.sql is the dump of the ledger photosheet 0.1.0 wrote
 * for `render --roster samples/roster.csv --profile lab-rgb.icc`, with its
 * paths replaced by @SAMPLES@, @PROFILES@ and @OUT@. */
static void
test_ledger_schema1 (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *sql_path = ps_test_data_path ("ledger-v1.sql");
  g_autofree char *sql = NULL;
  g_assert_true (g_file_get_contents (sql_path, &sql, NULL, NULL));
  g_autoptr (GString) s = g_string_new (sql);
  g_string_replace (s, "@SAMPLES@", dir, 0);
  g_string_replace (s, "@PROFILES@", g_getenv ("PS_PROFILES_DIR"), 0);
  g_string_replace (s, "@OUT@", out, 0);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_autofree char *path = g_build_filename (out, "ledger.sqlite", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, s->str, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedger) ledger = ps_ledger_open (path, &error);
  g_assert_no_error (error);
  gint64 id = _ps_ledger_find_batch_by_dir (ledger, out, &error);
  g_assert_no_error (error);
  g_autoptr (PsBatch) batch = _ps_ledger_load_batch (ledger, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_batch_get_n_pages (batch), ==, 40);
  g_assert_cmpuint (ps_batch_get_n_students (batch), ==, 36);
  /* schema 1 kept no profile bytes and no photos dir: the path and the
   * folder of the photos stand for them */
  g_assert_null (batch->settings.profile);
  g_assert_nonnull (batch->settings.profile_path);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_assert_cmpstr (batch->settings.photos_dir, ==, photos);
  /* schema 4 gave the old batch its unique id */
  g_assert_nonnull (batch->uid);
  g_assert_cmpuint (strlen (batch->uid), ==, 32);
  for (const char *c = batch->uid; *c != '\0'; c++)
    g_assert_true (g_ascii_isxdigit (*c) && !g_ascii_isupper (*c));

  /* and it renders again: the profile at its path has the recorded bytes */
  g_autofree char *again = g_build_filename (dir, "again", NULL);
  size_t pages[] = { 2, 3 };
  g_assert_true (_ps_render_batch_pages (batch, pages, 2, again, NULL, NULL, PS_FORMAT_TIFF, NULL,
                                         &error));
  g_assert_no_error (error);
  g_autofree char *tif = g_build_filename (again, "tiff", "0003.tif", NULL);
  g_assert_true (g_file_test (tif, G_FILE_TEST_IS_REGULAR));
  /* migrated to groups: one a sheet, from slot 1 */
  g_assert_cmpuint (batch->groups->len, ==, 36);
  const PsGroup *g = _ps_batch_page_group (batch, _ps_batch_page (batch, 2), 0);
  g_assert_cmpint (g->first_slot, ==, 0);
  g_assert_cmpint (g->copies, ==, 4);
  ps_test_rm_rf (dir);
}

/* tests/data/ledger-v2.sql: the ledger photosheet wrote at schema 2 (commit
 * 3d9606f, one student a sheet) for `render --roster samples/roster.csv
 * --format pdf --out /tmp/v2out`.  Migrated, its sheets are one group
 * each; recorded again it is the same batch (imposition left the key of
 * such batches alone); a student's page drawn alone is the page. */
static void
test_ledger_schema2 (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *sql_path = ps_test_data_path ("ledger-v2.sql");
  g_autofree char *sql = NULL;
  g_assert_true (g_file_get_contents (sql_path, &sql, NULL, NULL));
  g_autoptr (GString) s = g_string_new (sql);
  g_string_replace (s, "@SAMPLES@", dir, 0);
  g_string_replace (s, "@OUT@", out, 0);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_autofree char *path = g_build_filename (out, "ledger.sqlite", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, s->str, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedger) ledger = ps_ledger_open (path, &error);
  g_assert_no_error (error);
  gint64 id = _ps_ledger_find_batch_by_dir (ledger, out, &error);
  g_assert_no_error (error);
  g_autoptr (PsBatch) batch = _ps_ledger_load_batch (ledger, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_batch_get_n_pages (batch), ==, 40);
  g_assert_cmpuint (batch->groups->len, ==, 36);
  for (size_t i = 1; i <= batch->pages->len; i++)
    {
      const PsPage *page = _ps_batch_page (batch, i);
      g_assert_cmpuint (page->n_groups, ==, page->kind == PS_PAGE_SHEET ? 1 : 0);
    }
  g_assert_cmpint (batch->settings.copies, ==, 0);
  g_assert_cmpint (batch->settings.impose, ==, PS_IMPOSE_SEQUENCE);
  /* and schema 4 its unique id, after imposition's step */
  g_assert_nonnull (batch->uid);
  g_assert_cmpuint (strlen (batch->uid), ==, 32);

  /* a page, and its one student alone: the same pixels */
  g_autofree char *all = g_build_filename (dir, "all", NULL);
  g_autofree char *one = g_build_filename (dir, "one", NULL);
  size_t page[] = { 3 };
  size_t student = _ps_batch_page_group (batch, _ps_batch_page (batch, 3), 0)->student;
  g_assert_true (_ps_render_batch_pages (batch, page, 1, all, NULL, NULL, PS_FORMAT_TIFF, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (_ps_render_batch_student_pages (batch, student, page, 1, one, NULL, NULL,
                                                 PS_FORMAT_TIFF, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (GHashTable) a = ps_test_dir_digests (all);
  g_autoptr (GHashTable) b = ps_test_dir_digests (one);
  ps_test_assert_same_digests (a, b, "one student alone");

  /* recorded again where it was rendered (the key hashes that folder,
   * /tmp/v2out, not the one the test put it in): the same batch, in place -
   * its key did not change with imposition */
  gint64 same = _ps_ledger_save_batch (ledger, batch, "/tmp/v2out", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (same, ==, id);
  g_autoptr (PsLedgerStatus) status = ps_ledger_get_status (ledger, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_ledger_status_get_n_batches (status), ==, 1);
  ps_test_rm_rf (dir);
}

/* A ledger of the print room's branch before it was merged: its batch-id
 * step was 2 -> 3 (user_version 3, batches.uid, no page_groups).  Opened,
 * it gets imposition's step and is at 4, its batch id kept. */
static void
test_ledger_schema3_print_room_branch (void)
{
  g_autofree char *dir = ps_test_copy_samples ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *sql_path = ps_test_data_path ("ledger-v2.sql");
  g_autofree char *sql = NULL;
  g_assert_true (g_file_get_contents (sql_path, &sql, NULL, NULL));
  g_autoptr (GString) s = g_string_new (sql);
  g_string_replace (s, "@SAMPLES@", dir, 0);
  g_string_replace (s, "@OUT@", out, 0);
  /* the branch's step, as it was written there */
  g_string_append (s,
    "ALTER TABLE batches ADD COLUMN uid TEXT;"
    "UPDATE batches SET uid = '0123456789abcdef0123456789abcdef';"
    "CREATE UNIQUE INDEX batches_uid ON batches (uid);"
    "ALTER TABLE jobs ADD COLUMN queue TEXT;"
    "UPDATE jobs SET queue = printer;"
    "ALTER TABLE jobs ADD COLUMN server TEXT;"
    "ALTER TABLE jobs ADD COLUMN job_uuid TEXT;"
    "ALTER TABLE jobs ADD COLUMN cups_created INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX jobs_uuid ON jobs (job_uuid);"
    "PRAGMA user_version = 3;");
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_autofree char *path = g_build_filename (out, "ledger.sqlite", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, s->str, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedger) ledger = ps_ledger_open (path, &error);
  g_assert_no_error (error);
  gint64 id = _ps_ledger_find_batch_by_dir (ledger, out, &error);
  g_assert_no_error (error);
  g_autoptr (PsBatch) batch = _ps_ledger_load_batch (ledger, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (batch->uid, ==, "0123456789abcdef0123456789abcdef");
  g_assert_cmpuint (batch->groups->len, ==, 36);
  g_assert_cmpint (batch->settings.copies, ==, 0);
  g_clear_pointer (&ledger, ps_ledger_free);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 4);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  ps_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plan/order", test_plan_order);
  g_test_add_func ("/plan/names", test_plan_order_names);
  g_test_add_func ("/plan/impose", test_plan_impose);
  g_test_add_func ("/batch/options", test_options);
  g_test_add_func ("/batch/outlives-check", test_batch_outlives_check);
  g_test_add_func ("/batch/photo-changed", test_batch_photo_changed);
  g_test_add_func ("/pipeline/jobs-1-2-8-equal", test_pipeline_jobs_equal);
  g_test_add_func ("/pipeline/worker-fault", test_pipeline_worker_fault);
  g_test_add_func ("/pipeline/photo-once", test_pipeline_photo_once);
  g_test_add_func ("/pipeline/memory-budget", test_pipeline_memory_budget);
  g_test_add_func ("/output/manifest-exceptions", test_writers_manifest_exceptions);
  g_test_add_func ("/ledger/schema-1", test_ledger_schema1);
  g_test_add_func ("/ledger/schema-2", test_ledger_schema2);
  g_test_add_func ("/ledger/schema-3-print-room-branch", test_ledger_schema3_print_room_branch);
  int status = g_test_run ();
  ps_shutdown ();
  return status;
}
