/* ps-output-csv.c - manifest.csv (one row per separator and per student's
 * group on a sheet) and exceptions.csv (one row per problem), for
 * spreadsheets.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only masked values: the batch never had others.
 */
#include "config.h"
#include "ps-output-private.h"

#include <string.h>

/* A value Excel would take for a formula (=, +, -, @, tab, CR) is written
 * with a leading apostrophe so that it shows as text. */
static void
csv_append (GString *out, const char *value, bool last)
{
  if (value != NULL)
    {
      bool formula = strchr ("=+-@\t\r", value[0]) != NULL && value[0] != '\0';
      bool quote = formula || strpbrk (value, ",\"\r\n") != NULL;
      if (quote)
        g_string_append_c (out, '"');
      if (formula)
        g_string_append_c (out, '\'');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      if (quote)
        g_string_append_c (out, '"');
    }
  g_string_append (out, last ? "\r\n" : ",");
}

bool
_ps_output_write_exceptions (const PsBatch *batch, const char *out_dir, GError **error)
{
  g_autoptr (GString) csv = g_string_new ("row,xh,cjm,field,reason\r\n");
  for (size_t i = 0; i < batch->problems->len; i++)
    {
      const PsProblem *p = batch->problems->pdata[i];
      g_autofree char *row = g_strdup_printf ("%d", p->row);
      csv_append (csv, row, false);
      csv_append (csv, p->xh, false);
      csv_append (csv, p->cjm, false);
      csv_append (csv, p->field, false);
      csv_append (csv, p->reason, true);
    }
  g_autofree char *path = g_build_filename (out_dir, "exceptions.csv", NULL);
  return _ps_output_write_atomically (path, csv->str, csv->len, error);
}

typedef struct {
  PsWriter parent;
  char *path;
  GString *csv;
} ManifestWriter;

static void
manifest_free (PsWriter *writer)
{
  ManifestWriter *w = (ManifestWriter *) writer;
  g_string_free (w->csv, TRUE);
  g_free (w->path);
  g_free (w);
}

static void
csv_append_mm (GString *out, double pt, bool last)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (buf, sizeof buf, "%.2f", pt * 25.4 / 72.0);
  csv_append (out, buf, last);
}

/* One row per separator, one per group of a sheet: who is on it, where
 * (the group's first slot and copies, and the piece of the sheet it is cut
 * to, mm from the top-left corner) and, on a sheet's first row, how many
 * slots it leaves empty - so SUM(copies) and SUM(slots_empty) are the
 * batch's. */
static bool
manifest_write_page (PsWriter *writer, const PsWriterPage *wp, GError **error)
{
  ManifestWriter *w = (ManifestWriter *) writer;
  const PsPage *page = wp->page;
  const PsBatch *batch = wp->batch;
  GString *csv = w->csv;
  const PsClass *klass = _ps_batch_class (batch, page->class_index);
  g_autofree char *number = g_strdup_printf ("%zu", page->number);
  if (page->kind == PS_PAGE_SEPARATOR)
    {
      csv_append (csv, number, false);
      csv_append (csv, "separator", false);
      csv_append (csv, klass->name, false);
      g_string_append (csv, ",,,,,,,,,,,,,\r\n");
      return true;
    }
  size_t empty = batch->layout->slots->len - _ps_batch_page_slots_used (batch, page);
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (batch, page, g);
      const PsStudent *student = _ps_batch_student (batch, group->student);
      const PsRecord *r = &student->record;
      PsGroupPlace place = { 0 };
      _ps_layout_place_group (batch->layout, group->first_slot, group->copies, &place);
      g_autofree char *seq = g_strdup_printf ("%d", student->seq);
      g_autofree char *position = g_strdup_printf ("%zu", g + 1);
      g_autofree char *slot = g_strdup_printf ("%d", group->first_slot + 1);
      g_autofree char *copies = g_strdup_printf ("%d", group->copies);
      g_autofree char *slots_empty = g == 0 ? g_strdup_printf ("%zu", empty) : NULL;
      csv_append (csv, number, false);
      csv_append (csv, "sheet", false);
      csv_append (csv, klass->name, false);
      csv_append (csv, seq, false);
      csv_append (csv, r->values[PS_FIELD_XH], false);
      csv_append (csv, r->values[PS_FIELD_CJM], false);
      csv_append (csv, r->values[PS_FIELD_XM], false);
      csv_append (csv, r->values[PS_FIELD_ZJHM], false);
      csv_append (csv, student->photo_sha256, false);
      csv_append (csv, position, false);
      csv_append (csv, slot, false);
      csv_append (csv, copies, false);
      csv_append (csv, slots_empty, false);
      csv_append_mm (csv, place.piece.x, false);
      csv_append_mm (csv, place.piece.y, false);
      csv_append_mm (csv, place.piece.width, false);
      csv_append_mm (csv, place.piece.height, true);
    }
  return true;
}

static bool
manifest_finish (PsWriter *writer, GError **error)
{
  ManifestWriter *w = (ManifestWriter *) writer;
  return _ps_output_write_atomically (w->path, w->csv->str, w->csv->len, error);
}

static const PsWriterClass manifest_class = {
  .name = "manifest",
  .write_page = manifest_write_page,
  .finish = manifest_finish,
  .free = manifest_free,
};

PsWriter *
_ps_output_manifest_new (const char *path)
{
  ManifestWriter *w = g_new0 (ManifestWriter, 1);
  w->parent.klass = &manifest_class;
  w->path = g_strdup (path);
  w->csv = g_string_new ("page,kind,class,seq,xh,cjm,name_masked,id_last4,photo_sha256,"
                          "position,first_slot,copies,slots_empty,x_mm,y_mm,width_mm,height_mm\r\n");
  return &w->parent;
}
