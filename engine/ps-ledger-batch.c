/* ps-ledger-batch.c - batches in the ledger: saved whole, loaded back whole.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The ledger stores a PsBatch and gives a PsBatch back; it knows no roster
 * and no plan.  What it saves is what the batch holds - the settings
 * (profile bytes kept once per profile), classes, students with masked
 * values, pages with their raster digests, the rows that were skipped - so
 * that a batch loaded back renders the same pages.
 */
#include "config.h"
#include "ps-ledger-sql-private.h"

#include <stdlib.h>
#include <string.h>

/* The student columns, in the order of the INSERT below. */
static const PsField student_fields[] = {
  PS_FIELD_SJC, PS_FIELD_CJM, PS_FIELD_YXDM, PS_FIELD_ZJHM, PS_FIELD_XH, PS_FIELD_CC,
  PS_FIELD_XLLB, PS_FIELD_XM, PS_FIELD_BH, PS_FIELD_FY, PS_FIELD_COPIES, PS_FIELD_PRIORITY,
};
#define STUDENT_COLUMNS \
  "sjc, cjm, yxdm, id_last4, xh, cc, xllb, name_masked, bh, fy, copies, priority"

/* A batch's identity in its ledger: the same roster, settings and folder
 * are the same batch (rendering is deterministic), recorded again in place. */
static char *
batch_key (const PsBatchSettings *s, const char *out_dir)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *settings = g_strdup_printf ("%s\n%s\n%s\n%d\n%d\n%d\n%d\n%u\n%s\n",
                                               s->roster_sha256, s->layout_name,
                                               s->profile_sha256 ? s->profile_sha256 : "srgb",
                                               s->intent, s->bpc, s->dpi, s->order,
                                               (unsigned) s->formats, out_dir);
  g_checksum_update (sum, (const guchar *) settings, -1);
  /* Only when set, so that batches recorded before imposition keep their
   * key. */
  if (s->copies != 0 || s->impose != PS_IMPOSE_SEQUENCE)
    {
      g_autofree char *imposition = g_strdup_printf ("copies %d impose %d\n", s->copies,
                                                     (int) s->impose);
      g_checksum_update (sum, (const guchar *) imposition, -1);
    }
  g_checksum_update (sum, (const guchar *) s->layout_text, -1);
  return g_strdup (g_checksum_get_string (sum));
}

/* ------------------------------------------------------------------ */
/* Saving                                                             */
/* ------------------------------------------------------------------ */

/* A batch recorded before under the same key: new page and photo digests,
 * the rest is as it was (rendering is deterministic). */
static bool
update_batch (PsLedger *ledger, gint64 id, const PsBatch *batch, char *const *page_sha256,
              const char *now, GError **error)
{
  gint64 n_pages = _ps_ledger_count_rows (ledger, "SELECT count(*) FROM pages WHERE batch_id = ?",
                                          id, error);
  if (n_pages < 0)
    return false;
  gint64 n_students = _ps_ledger_count_rows (ledger,
                                             "SELECT count(*) FROM students WHERE batch_id = ?",
                                             id, error);
  if (n_students < 0)
    return false;
  if ((guint64) n_pages != batch->pages->len || (guint64) n_students != batch->students->len)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_MISMATCH,
                   "ledger '%s': batch %" G_GINT64_FORMAT " was recorded with %"
                   G_GINT64_FORMAT " pages and %" G_GINT64_FORMAT " students, now %u and %u",
                   ledger->path, id, n_pages, n_students, batch->pages->len,
                   batch->students->len);
      return false;
    }

  const char *what = "cannot update the batch";
  g_autoptr (sqlite3_stmt) upd = _ps_ledger_prepare (ledger,
                                                     "UPDATE batches SET updated_at = ? WHERE id = ?",
                                                     what, error);
  if (upd == NULL || !_ps_ledger_bind (ledger, upd, what, error, "tI", now, id)
      || !_ps_ledger_step_done (ledger, upd, what, error))
    return false;

  what = "cannot update a page";
  g_autoptr (sqlite3_stmt) pg = _ps_ledger_prepare (ledger,
                                                    "UPDATE pages SET sha256 = ? "
                                                    "WHERE batch_id = ? AND number = ?",
                                                    what, error);
  if (pg == NULL)
    return false;
  for (size_t i = 0; i < batch->pages->len; i++)
    if (!_ps_ledger_bind (ledger, pg, what, error, "tII", page_sha256 ? page_sha256[i] : NULL,
                          id, (gint64) (i + 1))
        || !_ps_ledger_step_done (ledger, pg, what, error))
      return false;

  what = "cannot update a student";
  g_autoptr (sqlite3_stmt) st = _ps_ledger_prepare (ledger,
                                                    "UPDATE students SET photo_path = ?, "
                                                    "photo_sha256 = ? WHERE batch_id = ? AND ord = ?",
                                                    what, error);
  if (st == NULL)
    return false;
  for (size_t i = 0; i < batch->students->len; i++)
    {
      const PsStudent *s = _ps_batch_student (batch, i);
      if (!_ps_ledger_bind (ledger, st, what, error, "ttII", s->photo_path, s->photo_sha256, id,
                            (gint64) i)
          || !_ps_ledger_step_done (ledger, st, what, error))
        return false;
    }
  return true;
}

static bool
insert_students (PsLedger *ledger, gint64 id, const PsBatch *batch, gint64 *student_ids,
                 GError **error)
{
  const char *what = "cannot record a student";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "INSERT INTO students (batch_id, ord, class_idx, row, " STUDENT_COLUMNS ", "
    "photo_path, photo_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    what, error);
  if (stmt == NULL)
    return false;

  for (size_t i = 0; i < batch->students->len; i++)
    {
      const PsStudent *student = _ps_batch_student (batch, i);
      const PsRecord *record = &student->record;
      if (!_ps_ledger_bind (ledger, stmt, what, error, "IIIi", id, (gint64) i,
                            (gint64) student->class_index, record->row))
        return false;

      for (size_t f = 0; f < G_N_ELEMENTS (student_fields); f++)
        {
          const char *value = record->values[student_fields[f]];
          g_autofree char *masked = NULL;
          /* Masked again: a no-op on masked values, and the guarantee that a
           * full name or ID never reaches the file. */
          if (value != NULL && student_fields[f] == PS_FIELD_XM)
            value = masked = ps_mask_name (value, batch->settings.mask_style);
          else if (value != NULL && student_fields[f] == PS_FIELD_ZJHM)
            value = masked = ps_mask_id (value);
          int rc = value ? sqlite3_bind_text (stmt, (int) f + 5, value, -1, SQLITE_TRANSIENT)
                         : sqlite3_bind_null (stmt, (int) f + 5);
          if (rc != SQLITE_OK)
            return _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
        }
      int p = (int) G_N_ELEMENTS (student_fields) + 5;
      int rc = student->photo_path
                 ? sqlite3_bind_text (stmt, p, student->photo_path, -1, SQLITE_TRANSIENT)
                 : sqlite3_bind_null (stmt, p);
      if (rc == SQLITE_OK)
        rc = student->photo_sha256
               ? sqlite3_bind_text (stmt, p + 1, student->photo_sha256, -1, SQLITE_TRANSIENT)
               : sqlite3_bind_null (stmt, p + 1);
      if (rc != SQLITE_OK)
        return _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
      if (!_ps_ledger_step_done (ledger, stmt, what, error))
        return false;
      student_ids[i] = sqlite3_last_insert_rowid (ledger->db);
    }
  return true;
}

/* The profile's bytes, once per distinct profile. */
static bool
insert_profile (PsLedger *ledger, const PsBatchSettings *s, GError **error)
{
  if (s->profile == NULL)
    return true;
  const char *what = "cannot record the profile";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "INSERT OR IGNORE INTO profiles (sha256, bytes) VALUES (?, ?)", what, error);
  if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "t", s->profile_sha256))
    return false;
  gsize len = 0;
  const void *data = g_bytes_get_data (s->profile, &len);
  if (sqlite3_bind_blob64 (stmt, 2, data, len, SQLITE_STATIC) != SQLITE_OK)
    return _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
  return _ps_ledger_step_done (ledger, stmt, what, error);
}

static gint64
insert_batch (PsLedger *ledger, const PsBatch *batch, const char *key, const char *out_dir,
              char *const *page_sha256, const char *now, GError **error)
{
  const PsBatchSettings *s = &batch->settings;
  if (!insert_profile (ledger, s, error))
    return 0;

  const char *what = "cannot record the batch";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "INSERT INTO batches (key, out_dir, roster_path, roster_sha256, layout_name, "
    "layout_text, profile_path, profile_sha256, intent, bpc, dpi, ord, formats, "
    "engine_version, created_at, updated_at, photos_dir, tiff_compression, mask_style, "
    "n_rows, n_skipped, copies, impose, uid) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    /* The batch's identity beyond this ledger: 128 random bits (SQLite's
     * generator, seeded from the system's). */
    "lower(hex(randomblob(16))))", what, error);
  if (stmt == NULL
      || !_ps_ledger_bind (ledger, stmt, what, error, "ttttttttiiiiIttttiiIIii", key, out_dir,
                           s->roster_path, s->roster_sha256, s->layout_name, s->layout_text,
                           s->profile_path, s->profile != NULL ? s->profile_sha256 : NULL,
                           (int) s->intent, s->bpc ? 1 : 0, s->dpi, (int) s->order,
                           (gint64) s->formats, s->engine_version, now, now, s->photos_dir,
                           (int) s->tiff_compression, (int) s->mask_style,
                           (gint64) batch->n_rows, (gint64) batch->n_skipped, s->copies,
                           (int) s->impose)
      || !_ps_ledger_step_done (ledger, stmt, what, error))
    return 0;
  gint64 id = sqlite3_last_insert_rowid (ledger->db);

  what = "cannot record a class";
  g_autoptr (sqlite3_stmt) cls = _ps_ledger_prepare (ledger,
    "INSERT INTO classes (batch_id, idx, name, yxdm) VALUES (?, ?, ?, ?)", what, error);
  if (cls == NULL)
    return 0;
  for (size_t c = 0; c < batch->classes->len; c++)
    {
      const PsClass *klass = _ps_batch_class (batch, c);
      if (!_ps_ledger_bind (ledger, cls, what, error, "IItt", id, (gint64) c, klass->name,
                            klass->yxdm)
          || !_ps_ledger_step_done (ledger, cls, what, error))
        return 0;
    }

  g_autofree gint64 *student_ids = g_new0 (gint64, batch->students->len + 1);
  if (!insert_students (ledger, id, batch, student_ids, error))
    return 0;

  what = "cannot record a page";
  g_autoptr (sqlite3_stmt) pg = _ps_ledger_prepare (ledger,
    "INSERT INTO pages (batch_id, number, kind, class_idx, student_id, seq, copies, sheet, "
    "n_sheets, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", what, error);
  g_autoptr (sqlite3_stmt) gr = _ps_ledger_prepare (ledger,
    "INSERT INTO page_groups (batch_id, page_number, idx, student_id, first_slot, copies, "
    "part, n_parts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", what, error);
  if (pg == NULL || gr == NULL)
    return 0;
  for (size_t i = 0; i < batch->pages->len; i++)
    {
      const PsPage *page = &g_array_index (batch->pages, PsPage, i);
      bool sheet = page->kind == PS_PAGE_SHEET;
      /* The page row: its first group and its copies in all, as a reader
       * of schema 2 expects; the groups are page_groups'. */
      const PsGroup *first = sheet ? _ps_batch_page_group (batch, page, 0) : NULL;
      int copies = 0;
      for (size_t g = 0; g < page->n_groups; g++)
        copies += _ps_batch_page_group (batch, page, g)->copies;
      gint64 student = first != NULL ? student_ids[first->student] : 0;
      int seq = first != NULL ? _ps_batch_student (batch, first->student)->seq : 0;
      if (!_ps_ledger_bind (ledger, pg, what, error, "IItIJiiiit", id, (gint64) page->number,
                            sheet ? "sheet" : "separator", (gint64) page->class_index, student,
                            seq, copies, first != NULL ? first->part : 0,
                            first != NULL ? first->n_parts : 0,
                            page_sha256 ? page_sha256[i] : NULL)
          || !_ps_ledger_step_done (ledger, pg, what, error))
        return 0;
      for (size_t g = 0; g < page->n_groups; g++)
        {
          const PsGroup *group = _ps_batch_page_group (batch, page, g);
          if (!_ps_ledger_bind (ledger, gr, what, error, "IIIIiiii", id, (gint64) page->number,
                                (gint64) g, student_ids[group->student], group->first_slot,
                                group->copies, group->part, group->n_parts)
              || !_ps_ledger_step_done (ledger, gr, what, error))
            return 0;
        }
    }

  what = "cannot record a skipped row";
  g_autoptr (sqlite3_stmt) pr = _ps_ledger_prepare (ledger,
    "INSERT INTO problems (batch_id, idx, row, xh, cjm, field, reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)", what, error);
  if (pr == NULL)
    return 0;
  for (size_t i = 0; i < batch->problems->len; i++)
    {
      const PsProblem *p = batch->problems->pdata[i];
      if (!_ps_ledger_bind (ledger, pr, what, error, "IIitttt", id, (gint64) i, p->row, p->xh,
                            p->cjm, p->field, p->reason)
          || !_ps_ledger_step_done (ledger, pr, what, error))
        return 0;
    }
  return id;
}

gint64
_ps_ledger_save_batch (PsLedger *ledger, const PsBatch *batch, const char *out_dir,
                       char *const *page_sha256, GError **error)
{
  g_return_val_if_fail (ledger != NULL && batch != NULL && out_dir != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_autofree char *dir = g_canonicalize_filename (out_dir, NULL);
  g_autofree char *key = batch_key (&batch->settings, dir);
  g_autofree char *now = _ps_ledger_now ();
  gint64 id = 0;

  if (!_ps_ledger_begin (ledger, error))
    return 0;
  {
    const char *what = "cannot look up the batch key";
    g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
                                                        "SELECT id FROM batches WHERE key = ?",
                                                        what, error);
    int r = -1;
    if (stmt != NULL && _ps_ledger_bind (ledger, stmt, what, error, "t", key))
      r = _ps_ledger_step_row (ledger, stmt, what, error);
    if (r < 0)
      goto failed;
    if (r == 1)
      {
        id = sqlite3_column_int64 (stmt, 0);
        if (!update_batch (ledger, id, batch, page_sha256, now, error))
          goto failed;
      }
    else
      {
        id = insert_batch (ledger, batch, key, dir, page_sha256, now, error);
        if (id == 0)
          goto failed;
      }
  }
  if (!_ps_ledger_commit (ledger, error))
    goto failed;
  return id;

failed:
  _ps_ledger_rollback (ledger);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                            */
/* ------------------------------------------------------------------ */

typedef struct {
  PsBatchSettings s;
  char *out_dir;
  char *uid;
  size_t n_rows, n_skipped;
} BatchRow;

static void
batch_row_clear (BatchRow *b)
{
  _ps_batch_settings_clear (&b->s);
  g_free (b->out_dir);
  g_free (b->uid);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BatchRow, batch_row_clear)

static bool
load_batch_row (PsLedger *ledger, gint64 batch_id, BatchRow *b, GError **error)
{
  const char *what = "cannot read the batch";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "SELECT b.out_dir, b.roster_path, b.roster_sha256, b.layout_name, b.layout_text, "
    "b.profile_path, b.profile_sha256, b.intent, b.bpc, b.dpi, b.ord, b.formats, "
    "b.engine_version, b.photos_dir, b.tiff_compression, b.mask_style, b.n_rows, "
    "b.n_skipped, p.bytes, b.copies, b.impose, b.uid "
    "FROM batches b LEFT JOIN profiles p ON p.sha256 = b.profile_sha256 WHERE b.id = ?",
    what, error);
  if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "I", batch_id))
    return false;
  int r = _ps_ledger_step_row (ledger, stmt, what, error);
  if (r < 0)
    return false;
  if (r == 0)
    {
      return _ps_ledger_no_batch (ledger, batch_id, error);
    }
  PsBatchSettings *s = &b->s;
  b->out_dir = _ps_ledger_column_dup (stmt, 0);
  s->roster_path = _ps_ledger_column_dup (stmt, 1);
  s->roster_sha256 = _ps_ledger_column_dup (stmt, 2);
  s->layout_name = _ps_ledger_column_dup (stmt, 3);
  s->layout_text = _ps_ledger_column_dup (stmt, 4);
  s->profile_path = _ps_ledger_column_dup (stmt, 5);
  s->profile_sha256 = _ps_ledger_column_dup (stmt, 6);
  s->intent = (PsIntent) sqlite3_column_int (stmt, 7);
  s->bpc = sqlite3_column_int (stmt, 8) != 0;
  s->dpi = sqlite3_column_int (stmt, 9);
  s->order = (PsOrder) sqlite3_column_int (stmt, 10);
  s->formats = (PsFormats) sqlite3_column_int64 (stmt, 11);
  s->engine_version = _ps_ledger_column_dup (stmt, 12);
  s->photos_dir = _ps_ledger_column_dup (stmt, 13);
  s->tiff_compression = (PsTiffCompression) sqlite3_column_int (stmt, 14);
  s->mask_style = (PsMaskStyle) sqlite3_column_int (stmt, 15);
  b->n_rows = (size_t) sqlite3_column_int64 (stmt, 16);
  b->n_skipped = (size_t) sqlite3_column_int64 (stmt, 17);
  if (sqlite3_column_type (stmt, 18) == SQLITE_BLOB)
    s->profile = g_bytes_new (sqlite3_column_blob (stmt, 18),
                              (gsize) sqlite3_column_bytes (stmt, 18));
  s->copies = sqlite3_column_int (stmt, 19);
  s->impose = (PsImpose) sqlite3_column_int (stmt, 20);
  b->uid = _ps_ledger_column_dup (stmt, 21);

  /* Values a hand-edited or damaged ledger could hold: refused here rather
   * than passed to lcms2 or the writers. */
  if (s->layout_text == NULL || s->intent < PS_INTENT_PERCEPTUAL || s->intent > PS_INTENT_ABSOLUTE
      || s->dpi < 1 || s->order < PS_ORDER_ROSTER || s->order > PS_ORDER_XH
      || s->tiff_compression < PS_TIFF_COMPRESSION_DEFAULT
      || s->tiff_compression > PS_TIFF_COMPRESSION_DEFLATE
      || (s->mask_style != PS_MASK_PER_CHARACTER && s->mask_style != PS_MASK_FIXED)
      || s->copies < 0 || s->copies > PS_MAX_COPIES
      || (s->impose != PS_IMPOSE_SEQUENCE && s->impose != PS_IMPOSE_STACK))
    return _ps_ledger_corrupt (ledger, batch_id, "its settings are out of range", error);
  return true;
}

/* Ledgers before schema 2 did not record the photos directory: the folder
 * of the first photo stands for it, and every photo must be in it. */
static char *
photos_dir_of (const PsBatch *batch)
{
  if (batch->students->len == 0 || _ps_batch_student (batch, 0)->photo_path == NULL)
    return NULL;
  return g_path_get_dirname (_ps_batch_student (batch, 0)->photo_path);
}

PsBatch *
_ps_ledger_load_batch (PsLedger *ledger, gint64 batch_id, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* One read transaction: a consistent snapshot even while others write. */
  if (!_ps_ledger_exec (ledger, "BEGIN", "cannot start a transaction", error))
    return NULL;

  g_auto (BatchRow) row = { 0 };
  g_autoptr (PsBatch) batch = NULL;
  bool ok = load_batch_row (ledger, batch_id, &row, error);
  if (ok)
    {
      batch = _ps_batch_new_recorded (&row.s, batch_id, row.out_dir, error);
      ok = batch != NULL;
    }
  if (ok)
    {
      batch->n_rows = row.n_rows;
      batch->n_skipped = row.n_skipped;
      batch->uid = g_steal_pointer (&row.uid);
      const char *what = "cannot read the classes";
      g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
        "SELECT idx, name, yxdm FROM classes WHERE batch_id = ? ORDER BY idx", what, error);
      ok = stmt != NULL && _ps_ledger_bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
        {
          if (sqlite3_column_int64 (stmt, 0) != (gint64) batch->classes->len
              || sqlite3_column_type (stmt, 1) != SQLITE_TEXT)
            ok = _ps_ledger_corrupt (ledger, batch_id, "class numbers have a gap", error);
          else
            _ps_batch_add_class (batch, (const char *) sqlite3_column_text (stmt, 1),
                                 (const char *) sqlite3_column_text (stmt, 2));
        }
      ok = ok && r == 0;
    }

  g_autoptr (GHashTable) index_of = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                           g_free, NULL);
  if (ok)
    {
      const char *what = "cannot read the students";
      g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
        "SELECT id, class_idx, row, " STUDENT_COLUMNS ", photo_path, photo_sha256 "
        "FROM students WHERE batch_id = ? ORDER BY ord", what, error);
      ok = stmt != NULL && _ps_ledger_bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          gint64 c = sqlite3_column_int64 (stmt, 1);
          if (c < 0 || c >= (gint64) batch->classes->len)
            {
              ok = _ps_ledger_corrupt (ledger, batch_id, "a student of no class", error);
              break;
            }
          PsRecord record = { .row = sqlite3_column_int (stmt, 2) };
          for (size_t f = 0; f < G_N_ELEMENTS (student_fields); f++)
            record.values[student_fields[f]] = _ps_ledger_column_dup (stmt, (int) f + 3);
          int p = (int) G_N_ELEMENTS (student_fields) + 3;
          g_autofree char *photo = _ps_ledger_column_dup (stmt, p);
          g_autofree char *sha = _ps_ledger_column_dup (stmt, p + 1);
          size_t index = batch->students->len;
          ok = _ps_batch_add_student (batch, (size_t) c, &record, photo, sha, id, error);
          _ps_record_clear (&record);
          g_hash_table_insert (index_of, g_memdup2 (&id, sizeof id), GSIZE_TO_POINTER (index));
        }
      ok = ok && r == 0;
    }

  if (ok)
    {
      const char *what = "cannot read the pages";
      g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
        "SELECT number, kind, class_idx, sha256 FROM pages WHERE batch_id = ? ORDER BY number",
        what, error);
      g_autoptr (sqlite3_stmt) groups = _ps_ledger_prepare (ledger,
        "SELECT student_id, first_slot, copies, part, n_parts FROM page_groups "
        "WHERE batch_id = ? AND page_number = ? ORDER BY idx", what, error);
      ok = stmt != NULL && groups != NULL
           && _ps_ledger_bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
        {
          gint64 number = sqlite3_column_int64 (stmt, 0);
          const char *kind = (const char *) sqlite3_column_text (stmt, 1);
          gint64 c = sqlite3_column_int64 (stmt, 2);
          if (number != (gint64) batch->pages->len + 1)
            {
              ok = _ps_ledger_corrupt (ledger, batch_id, "page numbers have a gap", error);
              break;
            }
          if (c < 0 || c >= (gint64) batch->classes->len)
            {
              ok = _ps_ledger_corrupt (ledger, batch_id, "a page of no class", error);
              break;
            }
          PsPageKind k = g_strcmp0 (kind, "sheet") == 0 ? PS_PAGE_SHEET : PS_PAGE_SEPARATOR;
          g_autofree char *sha = _ps_ledger_column_dup (stmt, 3);
          _ps_batch_add_page (batch, k, (size_t) c, sha);
          if (k != PS_PAGE_SHEET)
            continue;

          /* Its groups; the batch checks where they sit when it is sealed. */
          ok = _ps_ledger_bind (ledger, groups, what, error, "II", batch_id, number);
          int g = -1;
          while (ok && (g = _ps_ledger_step_row (ledger, groups, what, error)) == 1)
            {
              gint64 sid = sqlite3_column_int64 (groups, 0);
              gpointer value;
              if (!g_hash_table_lookup_extended (index_of, &sid, NULL, &value))
                {
                  ok = _ps_ledger_corrupt (ledger, batch_id, "a sheet of no student", error);
                  break;
                }
              _ps_batch_add_group (batch, GPOINTER_TO_SIZE (value),
                                   sqlite3_column_int (groups, 1), sqlite3_column_int (groups, 2),
                                   sqlite3_column_int (groups, 3), sqlite3_column_int (groups, 4));
            }
          ok = ok && g == 0;
          sqlite3_reset (groups);
        }
      ok = ok && r == 0;
    }

  if (ok)
    {
      const char *what = "cannot read the skipped rows";
      g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
        "SELECT row, xh, cjm, field, reason FROM problems WHERE batch_id = ? ORDER BY idx",
        what, error);
      ok = stmt != NULL && _ps_ledger_bind (ledger, stmt, what, error, "I", batch_id);
      int r = -1;
      while (ok && (r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
        g_ptr_array_add (batch->problems,
                         ps_problem_new (batch->settings.roster_path, sqlite3_column_int (stmt, 0),
                                         (const char *) sqlite3_column_text (stmt, 1),
                                         (const char *) sqlite3_column_text (stmt, 2),
                                         (const char *) sqlite3_column_text (stmt, 3),
                                         (const char *) sqlite3_column_text (stmt, 4)));
      ok = ok && r == 0;
    }

  if (ok && batch->settings.photos_dir == NULL)
    batch->settings.photos_dir = photos_dir_of (batch);
  if (ok)
    ok = _ps_batch_seal (batch, error);
  if (!ok)
    {
      _ps_ledger_rollback (ledger);
      return NULL;
    }
  if (!_ps_ledger_commit (ledger, error))
    {
      _ps_ledger_rollback (ledger);
      return NULL;
    }
  return g_steal_pointer (&batch);
}

/* ------------------------------------------------------------------ */
/* Finding batches and students                                       */
/* ------------------------------------------------------------------ */

gint64
_ps_ledger_find_batch_by_dir (PsLedger *ledger, const char *out_dir, GError **error)
{
  g_return_val_if_fail (ledger != NULL && out_dir != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  /* Batches are recorded under g_canonicalize_filename() of their dir; a
   * symlinked path is also tried resolved. */
  g_autofree char *canonical = g_canonicalize_filename (out_dir, NULL);
  g_autofree char *real = realpath (out_dir, NULL);

  const char *what = "cannot look up the batch";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger,
    "SELECT id FROM batches WHERE out_dir = ? OR out_dir = ? "
    "ORDER BY updated_at DESC, id DESC LIMIT 1", what, error);
  if (stmt == NULL || !_ps_ledger_bind (ledger, stmt, what, error, "tt", canonical,
                             real != NULL ? real : canonical))
    return 0;
  int r = _ps_ledger_step_row (ledger, stmt, what, error);
  if (r < 0)
    return 0;
  if (r == 0)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND,
                   "ledger '%s': no batch was rendered into '%s'", ledger->path, canonical);
      return 0;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GArray *
_ps_ledger_find_students (PsLedger *ledger, const char *xh, const char *cjm,
                          const char *yxdm, const char *id_last4, GError **error)
{
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (xh == NULL && cjm == NULL && yxdm == NULL && id_last4 == NULL)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
                   "ledger '%s': a student search needs at least one key", ledger->path);
      return NULL;
    }

  /* A full ID number given by mistake is cut to the stored last 4. */
  g_autofree char *last4 = id_last4 != NULL ? ps_mask_id (id_last4) : NULL;
  if (id_last4 != NULL && last4 == NULL)
    {
      g_set_error (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_FAILED,
                   "ledger '%s': the ID number is not valid UTF-8", ledger->path);
      return NULL;
    }

  /* Only the given keys in the WHERE clause, so that their indexes serve. */
  const char *const keys[] = { xh, cjm, yxdm, last4 };
  const char *const columns[] = { "s.xh", "s.cjm", "s.yxdm", "s.id_last4" };
  g_autoptr (GString) sql = g_string_new (
    "SELECT s.batch_id, s.id FROM students s JOIN batches b ON b.id = s.batch_id WHERE ");
  bool first = true;
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i] != NULL)
      {
        g_string_append_printf (sql, "%s%s = ?", first ? "" : " AND ", columns[i]);
        first = false;
      }
  g_string_append (sql, " ORDER BY b.updated_at DESC, b.id DESC, s.ord");

  const char *what = "cannot look up students";
  g_autoptr (sqlite3_stmt) stmt = _ps_ledger_prepare (ledger, sql->str, what, error);
  if (stmt == NULL)
    return NULL;
  int n = 0;
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i] != NULL
        && sqlite3_bind_text (stmt, ++n, keys[i], -1, SQLITE_TRANSIENT) != SQLITE_OK)
      {
        _ps_ledger_fail (ledger, error, PS_LEDGER_ERROR_FAILED, what);
        return NULL;
      }

  g_autoptr (GArray) matches = g_array_new (FALSE, FALSE, sizeof (PsLedgerMatch));
  int r;
  while ((r = _ps_ledger_step_row (ledger, stmt, what, error)) == 1)
    {
      PsLedgerMatch m = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      g_array_append_val (matches, m);
    }
  if (r < 0)
    return NULL;
  return g_steal_pointer (&matches);
}

