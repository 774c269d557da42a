/* ps-batch.c - the batch model: the one description of what is printed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A batch is made once, from a check (what was checked is what is printed)
 * or from the parts a ledger recorded, and is read-only after that.  It
 * holds copies of everything it needs - masked records, photo paths and
 * digests, the layout text, the profile bytes - so that the roster, the
 * check and the files they came from may go away, and a batch loaded back
 * months later renders the same pages.
 */
#include "config.h"
#include "ps-batch-private.h"
#include "ps-check-private.h"
#include "ps-color-private.h"
#include "ps-plan-private.h"

#include <string.h>

G_DEFINE_QUARK (ps-batch-error-quark, ps_batch_error)

#define MIN_DPI 72
#define MAX_DPI 2400

/* ------------------------------------------------------------------ */
/* Settings                                                           */
/* ------------------------------------------------------------------ */

void
_ps_batch_settings_clear (PsBatchSettings *s)
{
  if (s == NULL)
    return;
  g_free (s->roster_path);
  g_free (s->roster_sha256);
  g_free (s->photos_dir);
  g_free (s->layout_name);
  g_free (s->layout_text);
  g_free (s->profile_path);
  g_clear_pointer (&s->profile, g_bytes_unref);
  g_free (s->profile_sha256);
  g_free (s->engine_version);
  memset (s, 0, sizeof *s);
}

void
_ps_batch_settings_copy (const PsBatchSettings *src, PsBatchSettings *dst)
{
  *dst = *src;
  dst->roster_path = g_strdup (src->roster_path);
  dst->roster_sha256 = g_strdup (src->roster_sha256);
  dst->photos_dir = g_strdup (src->photos_dir);
  dst->layout_name = g_strdup (src->layout_name);
  dst->layout_text = g_strdup (src->layout_text);
  dst->profile_path = g_strdup (src->profile_path);
  dst->profile = src->profile != NULL ? g_bytes_ref (src->profile) : NULL;
  dst->profile_sha256 = g_strdup (src->profile_sha256);
  dst->engine_version = g_strdup (src->engine_version);
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

struct _PsBatchOptions {
  char *profile_path;          /* NULL = sRGB */
  PsIntent intent;
  bool bpc;
  int dpi;                     /* 0 = the layout's */
  PsFormats formats;
  PsOrder order;
  PsTiffCompression tiff_compression;
  int copies;                  /* 0 = the layout's */
  PsImpose impose;
};

PsBatchOptions *
ps_batch_options_new (void)
{
  PsBatchOptions *o = g_new0 (PsBatchOptions, 1);
  o->intent = PS_INTENT_RELATIVE;
  o->bpc = true;
  o->formats = PS_FORMAT_PDF | PS_FORMAT_TIFF;
  o->order = PS_ORDER_ROSTER;
  o->tiff_compression = PS_TIFF_COMPRESSION_DEFAULT;
  return o;
}

void
ps_batch_options_free (PsBatchOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->profile_path);
  g_free (options);
}

void
ps_batch_options_set_profile (PsBatchOptions *options, const char *path)
{
  g_return_if_fail (options != NULL);
  g_free (options->profile_path);
  options->profile_path = g_strdup (path);
}

void
ps_batch_options_set_intent (PsBatchOptions *options, PsIntent intent)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (intent >= PS_INTENT_PERCEPTUAL && intent <= PS_INTENT_ABSOLUTE);
  options->intent = intent;
}

void
ps_batch_options_set_black_point_compensation (PsBatchOptions *options, bool bpc)
{
  g_return_if_fail (options != NULL);
  options->bpc = bpc;
}

bool
ps_batch_options_set_dpi (PsBatchOptions *options, int dpi, GError **error)
{
  g_return_val_if_fail (options != NULL, false);
  if (dpi != 0 && (dpi < MIN_DPI || dpi > MAX_DPI))
    {
      g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_INVALID,
                   "dpi must be %d..%d (or 0 for the layout's), not %d", MIN_DPI, MAX_DPI, dpi);
      return false;
    }
  options->dpi = dpi;
  return true;
}

void
ps_batch_options_set_formats (PsBatchOptions *options, PsFormats formats)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (formats != 0);
  options->formats = formats;
}

void
ps_batch_options_set_order (PsBatchOptions *options, PsOrder order)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (order == PS_ORDER_ROSTER || order == PS_ORDER_XH);
  options->order = order;
}

bool
ps_batch_options_set_copies (PsBatchOptions *options, int copies, GError **error)
{
  g_return_val_if_fail (options != NULL, false);
  if (copies < 0 || copies > PS_MAX_COPIES)
    {
      g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_INVALID,
                   "copies must be 1..%d (or 0 for the layout's), not %d", PS_MAX_COPIES, copies);
      return false;
    }
  options->copies = copies;
  return true;
}

void
ps_batch_options_set_impose (PsBatchOptions *options, PsImpose impose)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (impose == PS_IMPOSE_SEQUENCE || impose == PS_IMPOSE_STACK);
  options->impose = impose;
}

void
ps_batch_options_set_tiff_compression (PsBatchOptions *options, PsTiffCompression compression)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (compression >= PS_TIFF_COMPRESSION_DEFAULT
                    && compression <= PS_TIFF_COMPRESSION_DEFLATE);
  options->tiff_compression = compression;
}

/* ------------------------------------------------------------------ */
/* The batch                                                          */
/* ------------------------------------------------------------------ */

static void
class_free (PsClass *klass)
{
  g_free (klass->name);
  g_free (klass->yxdm);
  g_free (klass);
}

static void
student_clear (PsStudent *student)
{
  _ps_record_clear (&student->record);
  g_free (student->photo_path);
  g_free (student->photo_sha256);
}

/* An empty batch on @settings (taken over) and their layout. */
static PsBatch *
batch_new (PsBatchSettings *settings, PsLayout *layout)
{
  PsBatch *batch = g_new0 (PsBatch, 1);
  batch->settings = *settings;
  memset (settings, 0, sizeof *settings);
  batch->layout = layout;
  batch->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) class_free);
  batch->students = g_array_new (FALSE, TRUE, sizeof (PsStudent));
  g_array_set_clear_func (batch->students, (GDestroyNotify) student_clear);
  batch->pages = g_array_new (FALSE, TRUE, sizeof (PsPage));
  batch->groups = g_array_new (FALSE, TRUE, sizeof (PsGroup));
  batch->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_problem_free);
  batch->page_sha256 = g_ptr_array_new_with_free_func (g_free);
  return batch;
}

void
ps_batch_free (PsBatch *batch)
{
  if (batch == NULL)
    return;
  _ps_batch_settings_clear (&batch->settings);
  ps_layout_unref (batch->layout);
  g_ptr_array_unref (batch->classes);
  g_array_unref (batch->students);
  g_array_unref (batch->pages);
  g_array_unref (batch->groups);
  g_ptr_array_unref (batch->problems);
  g_ptr_array_unref (batch->page_sha256);
  g_free (batch->out_dir);
  g_free (batch->uid);
  g_free (batch);
}

/* The printer profile: read once, kept as bytes (a reprint months later uses
 * these, not whatever the file holds then) and tried once here, so that a
 * profile lcms2 cannot use refuses the batch before anything is drawn. */
static bool
settings_set_profile (PsBatchSettings *s, const char *path, GError **error)
{
  if (path == NULL)
    return true;
  s->profile = _ps_color_read_profile (path, error);
  if (s->profile == NULL)
    return false;
  g_autoptr (PsColor) color = _ps_color_new_from_icc (s->profile, path, s->intent, s->bpc,
                                                      error);
  if (color == NULL)
    return false;
  gsize len = 0;
  const void *data = g_bytes_get_data (s->profile, &len);
  s->profile_sha256 = _ps_core_sha256 (data, len);
  s->profile_path = g_canonicalize_filename (path, NULL);
  return true;
}

PsBatch *
ps_batch_new (const PsCheck *check, const PsBatchOptions *in_options, GError **error)
{
  g_return_val_if_fail (check != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (PsBatchOptions) defaults = in_options == NULL ? ps_batch_options_new () : NULL;
  const PsBatchOptions *options = in_options != NULL ? in_options : defaults;
  const PsRoster *roster = check->roster;
  PsLayout *layout = check->layout;

  PsBatchSettings s = {
    .roster_path = roster->path != NULL ? g_canonicalize_filename (roster->path, NULL) : NULL,
    .roster_sha256 = g_strdup (roster->sha256),
    .photos_dir = g_strdup (check->photos_dir),
    .layout_name = g_strdup (layout->name),
    .layout_text = g_strdup (layout->text != NULL ? layout->text : ""),
    .intent = options->intent,
    .bpc = options->bpc,
    .dpi = options->dpi > 0 ? options->dpi : layout->dpi,
    .order = options->order,
    .formats = options->formats,
    .tiff_compression = options->tiff_compression,
    .mask_style = roster->options.mask_style,
    .copies = options->copies,
    .impose = options->impose,
    .engine_version = g_strdup (PS_VERSION),
  };
  if (s.formats & PS_FORMAT_PROOF_PAPER)
    s.formats |= PS_FORMAT_PROOF;
  if (s.formats & PS_FORMAT_PROOF)
    s.formats |= PS_FORMAT_PNG;
  if (!settings_set_profile (&s, options->profile_path, error))
    {
      _ps_batch_settings_clear (&s);
      return NULL;
    }

  g_autoptr (PsBatch) batch = batch_new (&s, ps_layout_ref (layout));
  batch->n_rows = roster->n_rows;
  batch->n_skipped = roster->n_rows - check->n_printable;
  for (size_t p = 0; p < check->problems->len; p++)
    g_ptr_array_add (batch->problems, ps_problem_copy (check->problems->pdata[p]));

  g_autoptr (GArray) source = g_array_new (FALSE, FALSE, sizeof (size_t));
  _ps_plan_arrange (batch, (const PsRecord *const *) roster->records->pdata,
                    roster->records->len, check->printable, batch->settings.order, source);

  /* Each photo as checked: its absolute path and the digest of its bytes,
   * which every later read verifies. */
  for (size_t i = 0; i < batch->students->len; i++)
    {
      PsStudent *student = &g_array_index (batch->students, PsStudent, i);
      size_t r = g_array_index (source, size_t, i);
      const char *path = check->photo_paths[r];
      g_return_val_if_fail (path != NULL, NULL);   /* printable means it has one */
      student->photo_path = g_canonicalize_filename (path, NULL);
      student->photo_pixels = check->photo_pixels[r];
      student->photo_sha256 = _ps_core_sha256_file (path, "photo", PS_PHOTO_ERROR,
                                                    PS_PHOTO_ERROR_OPEN, error);
      if (student->photo_sha256 == NULL)
        {
          g_prefix_error (error, "row %d: ", student->record.row);
          return NULL;
        }
    }
  /* The plan's own pages pass the checks a recorded batch must pass. */
  if (!_ps_batch_seal (batch, error))
    return NULL;
  return g_steal_pointer (&batch);
}

/* ------------------------------------------------------------------ */
/* Recorded batches (the ledger)                                      */
/* ------------------------------------------------------------------ */

PsBatch *
_ps_batch_new_recorded (const PsBatchSettings *settings, gint64 ledger_id, const char *out_dir,
                        GError **error)
{
  g_return_val_if_fail (settings != NULL && settings->layout_text != NULL, NULL);

  g_autofree char *label = g_strdup_printf ("%s (as recorded)",
                                            settings->layout_name ? settings->layout_name : "-");
  PsLayout *layout = _ps_layout_load_from_data (settings->layout_name, label,
                                                settings->layout_text,
                                                strlen (settings->layout_text), error);
  if (layout == NULL)
    return NULL;
  PsBatchSettings copy;
  _ps_batch_settings_copy (settings, &copy);
  PsBatch *batch = batch_new (&copy, layout);
  batch->ledger_id = ledger_id;
  batch->out_dir = g_strdup (out_dir);
  return batch;
}

static bool
corrupt (const PsBatch *batch, GError **error, const char *what)
{
  g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_FAILED,
               "batch %" G_GINT64_FORMAT " as recorded is inconsistent: %s", batch->ledger_id,
               what);
  return false;
}

void
_ps_batch_add_class (PsBatch *batch, const char *name, const char *yxdm)
{
  g_return_if_fail (batch != NULL && !batch->sealed && name != NULL);
  PsClass *klass = g_new0 (PsClass, 1);
  klass->name = g_strdup (name);
  klass->yxdm = g_strdup (yxdm);
  klass->first = batch->students->len;
  g_ptr_array_add (batch->classes, klass);
}

bool
_ps_batch_add_student (PsBatch *batch, size_t class_index, const PsRecord *record,
                       const char *photo_path, const char *photo_sha256, gint64 ledger_id,
                       GError **error)
{
  g_return_val_if_fail (batch != NULL && !batch->sealed && record != NULL, false);

  if (class_index >= batch->classes->len)
    return corrupt (batch, error, "a student of no class");
  PsClass *klass = batch->classes->pdata[class_index];
  if (batch->students->len > 0)
    {
      const PsStudent *last = _ps_batch_student (batch, batch->students->len - 1);
      /* A class's students are contiguous, classes in order. */
      if (class_index < last->class_index
          || (class_index != last->class_index && klass->n_students > 0))
        return corrupt (batch, error, "the students of a class are not together");
    }
  if (klass->n_students == 0)
    klass->first = batch->students->len;
  klass->n_students++;

  PsStudent student = {
    .class_index = class_index,
    .seq = (int) klass->n_students,
    .photo_path = g_strdup (photo_path),
    .photo_sha256 = g_strdup (photo_sha256),
    .ledger_id = ledger_id,
  };
  _ps_record_copy_into (record, &student.record);
  g_array_append_val (batch->students, student);
  return true;
}

void
_ps_batch_add_page (PsBatch *batch, PsPageKind kind, size_t class_index, const char *sha256)
{
  g_return_if_fail (batch != NULL && !batch->sealed);

  PsPage page = {
    .kind = kind,
    .number = batch->pages->len + 1,
    .class_index = class_index,
    .first_group = batch->groups->len,
  };
  g_array_append_val (batch->pages, page);
  g_ptr_array_add (batch->page_sha256, g_strdup (sha256));
}

void
_ps_batch_add_group (PsBatch *batch, size_t student, int first_slot, int copies, int part,
                     int n_parts)
{
  g_return_if_fail (batch != NULL && !batch->sealed && batch->pages->len > 0);

  PsPage *page = &g_array_index (batch->pages, PsPage, batch->pages->len - 1);
  PsGroup group = {
    .student = student,
    .first_slot = first_slot,
    .copies = copies,
    .part = part,
    .n_parts = n_parts,
  };
  g_array_append_val (batch->groups, group);
  page->n_groups++;
}

/* The groups of a sheet: of its class, where the layout has room for them,
 * in slot order and apart. */
static bool
check_sheet (PsBatch *batch, const PsPage *page, GError **error)
{
  if (page->n_groups == 0)
    return corrupt (batch, error, "a sheet with no student");
  int next_row = 0;
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (batch, page, g);
      PsGroupPlace place;
      if (group->student >= batch->students->len
          || _ps_batch_student (batch, group->student)->class_index != page->class_index)
        return corrupt (batch, error, "a sheet of no student of its class");
      if (group->part < 1 || group->part > group->n_parts
          || !_ps_layout_place_group (batch->layout, group->first_slot, group->copies, &place))
        return corrupt (batch, error, "a group that does not fit its sheet");
      if (place.first_row < next_row)
        return corrupt (batch, error, "groups that overlap on a sheet");
      next_row = place.first_row + place.n_rows;
    }
  return true;
}

bool
_ps_batch_seal (PsBatch *batch, GError **error)
{
  g_return_val_if_fail (batch != NULL && !batch->sealed, false);

  for (size_t i = 0; i < batch->pages->len; i++)
    {
      const PsPage *page = &g_array_index (batch->pages, PsPage, i);
      if (page->class_index >= batch->classes->len)
        return corrupt (batch, error, "a page of no class");
      if (page->kind == PS_PAGE_SHEET && !check_sheet (batch, page, error))
        return false;
      if (page->kind == PS_PAGE_SEPARATOR && page->n_groups != 0)
        return corrupt (batch, error, "a separator with students on it");
    }
  for (size_t i = 0; i < batch->students->len; i++)
    g_array_index (batch->students, PsStudent, i).copies = 0;
  for (size_t i = 0; i < batch->groups->len; i++)
    {
      const PsGroup *group = &g_array_index (batch->groups, PsGroup, i);
      g_array_index (batch->students, PsStudent, group->student).copies += group->copies;
    }
  batch->sealed = true;
  return true;
}

/* ------------------------------------------------------------------ */
/* Reading                                                            */
/* ------------------------------------------------------------------ */

const PsGroup *
_ps_batch_page_find_student (const PsBatch *batch, const PsPage *page, size_t student)
{
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (batch, page, g);
      if (group->student == student)
        return group;
    }
  return NULL;
}

GArray *
_ps_batch_get_student_pages (const PsBatch *batch, size_t student)
{
  GArray *pages = g_array_new (FALSE, FALSE, sizeof (size_t));
  for (size_t p = 0; p < batch->pages->len; p++)
    {
      const PsPage *page = &g_array_index (batch->pages, PsPage, p);
      if (page->kind == PS_PAGE_SHEET && _ps_batch_page_find_student (batch, page, student))
        g_array_append_val (pages, page->number);
    }
  return pages;
}

size_t
_ps_batch_page_slots_used (const PsBatch *batch, const PsPage *page)
{
  size_t used = 0;
  bool cell = batch->layout->record == PS_RECORD_CELL;
  for (size_t g = 0; g < page->n_groups; g++)
    used += (size_t) _ps_batch_page_group (batch, page, g)->copies + (cell ? 1 : 0);
  return used;
}

size_t
ps_batch_get_n_slots_used (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  size_t used = 0;
  for (size_t p = 0; p < batch->pages->len; p++)
    used += _ps_batch_page_slots_used (batch, &g_array_index (batch->pages, PsPage, p));
  return used;
}

size_t
ps_batch_get_n_slots_empty (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return ps_batch_get_n_sheets (batch) * batch->layout->slots->len
         - ps_batch_get_n_slots_used (batch);
}

PsLayout *
ps_batch_get_layout (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, NULL);
  return batch->layout;
}

size_t
ps_batch_get_n_rows (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->n_rows;
}

size_t
ps_batch_get_n_students (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->students->len;
}

size_t
ps_batch_get_n_classes (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->classes->len;
}

size_t
ps_batch_get_n_pages (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->pages->len;
}

size_t
ps_batch_get_n_sheets (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->pages->len - batch->classes->len;
}

size_t
ps_batch_get_n_skipped (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->n_skipped;
}

size_t
ps_batch_get_n_problems (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->problems->len;
}

const PsProblem *
ps_batch_get_problem (const PsBatch *batch, size_t index)
{
  g_return_val_if_fail (batch != NULL && index < batch->problems->len, NULL);
  return batch->problems->pdata[index];
}

PsFormats
ps_batch_get_formats (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->settings.formats;
}

int
ps_batch_get_dpi (const PsBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->settings.dpi;
}
