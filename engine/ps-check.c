/* ps-check.c - preflight: everything that can be known before printing.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A check never stops at the first problem: a lab wants the whole list for a
 * batch of thousands, one line per problem, so every record is examined and
 * each problem names only the row, 学号 and 采集码 concerned.
 */
#include "config.h"
#include "ps-check-private.h"
#include "ps-fonts-private.h"
#include "ps-render-private.h"

#include <string.h>

G_DEFINE_QUARK (ps-check-error-quark, ps_check_error)

static void
add_problem (PsCheck *check, const PsRoster *roster, const PsRecord *record, size_t index,
             const char *field, const char *reason)
{
  g_ptr_array_add (check->problems,
                   ps_problem_new (roster->path, record->row,
                                   record->values[PS_FIELD_XH], record->values[PS_FIELD_CJM],
                                   field, reason));
  check->printable[index] = false;
}

static bool
is_ascii_class (const char *s, size_t len, gboolean (*pred) (gchar))
{
  if (strlen (s) != len)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!pred (s[i]))
      return false;
  return true;
}

static gboolean
is_alnum (gchar c)
{
  return g_ascii_isalnum (c);
}

static gboolean
is_digit (gchar c)
{
  return g_ascii_isdigit (c);
}

static void
check_fields (PsCheck *check, const PsRoster *roster, size_t i)
{
  const PsRecord *r = roster->records->pdata[i];
  static const PsField required[] = { PS_FIELD_XH, PS_FIELD_XM, PS_FIELD_BH };

  for (size_t k = 0; k < G_N_ELEMENTS (required); k++)
    if (r->values[required[k]] == NULL)
      {
        g_autofree char *reason = g_strdup_printf ("%s is empty",
                                                   ps_field_get_label (required[k]));
        add_problem (check, roster, r, i, ps_field_get_key (required[k]), reason);
      }

  const char *cjm = r->values[PS_FIELD_CJM];
  if (cjm != NULL && !is_ascii_class (cjm, 16, is_alnum))
    add_problem (check, roster, r, i, "cjm", "采集码 must be 16 letters or digits");

  const char *yxdm = r->values[PS_FIELD_YXDM];
  if (yxdm != NULL && !is_ascii_class (yxdm, 5, is_digit))
    add_problem (check, roster, r, i, "yxdm", "院校代码 must be 5 digits");

  const char *sjc = r->values[PS_FIELD_SJC];
  if (sjc != NULL && !is_ascii_class (sjc, 13, is_digit))
    add_problem (check, roster, r, i, "sjc", "时间戳 must be 13 digits (ms since epoch)");

  const char *copies = r->values[PS_FIELD_COPIES];
  if (copies != NULL)
    {
      guint64 n = 0;
      if (!g_ascii_string_to_unsigned (copies, 10, 1, PS_MAX_COPIES, &n, NULL))
        {
          g_autofree char *reason = g_strdup_printf ("份数 must be a whole number from 1 to %d",
                                                     PS_MAX_COPIES);
          add_problem (check, roster, r, i, "copies", reason);
        }
    }
}

/* The later occurrence is the problem, naming where the first one is: the
 * first stays printable, so a student listed twice is printed once. */
static void
check_duplicates (PsCheck *check, const PsRoster *roster, PsField field)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (size_t i = 0; i < roster->records->len; i++)
    {
      const PsRecord *r = roster->records->pdata[i];
      const char *value = r->values[field];
      if (value == NULL)
        continue;
      const PsRecord *first = g_hash_table_lookup (seen, value);
      if (first == NULL)
        {
          g_hash_table_insert (seen, (gpointer) value, (gpointer) r);
          continue;
        }
      g_autofree char *reason = g_strdup_printf ("duplicate %s, first at row %d",
                                                 ps_field_get_label (field), first->row);
      add_problem (check, roster, r, i, ps_field_get_key (field), reason);
    }
}

static void
check_photo (PsCheck *check, const PsRoster *roster, size_t i, const PsPhotoLimits *limits,
             const char *photos_dir)
{
  const PsRecord *r = roster->records->pdata[i];
  g_autoptr (GError) error = NULL;
  g_autofree char *path = ps_photo_find (photos_dir, r, &error);

  if (path == NULL)
    {
      add_problem (check, roster, r, i, "photo", error->message);
      return;
    }
  check->n_photos++;

  PsPhotoInfo info;
  if (!ps_photo_probe (path, limits, &info, &error))
    {
      add_problem (check, roster, r, i, "photo", error->message);
      return;
    }
  check->photo_paths[i] = g_steal_pointer (&path);
  check->photo_pixels[i] = (gint64) info.width * info.height;
}

/* Every character that will be printed for this record must have a glyph
 * somewhere in the font chain; each distinct character is shaped once per
 * check, not once per record. */
static void
check_glyphs (PsCheck *check, const PsRoster *roster, size_t i, const char *family,
              GHashTable *coverage)
{
  const PsRecord *r = roster->records->pdata[i];

  for (int f = 0; f < PS_N_RECORD_FIELDS; f++)
    {
      const char *value = r->values[f];
      if (value == NULL)
        continue;
      for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          if (c == '*' || g_unichar_isspace (c))
            continue;
          gpointer known = g_hash_table_lookup (coverage, GUINT_TO_POINTER (c));
          if (known == NULL)
            {
              char buf[8] = { 0 };
              g_unichar_to_utf8 (c, buf);
              known = GINT_TO_POINTER (_ps_fonts_covers (family, buf, NULL) ? 1 : 2);
              g_hash_table_insert (coverage, GUINT_TO_POINTER (c), known);
            }
          if (GPOINTER_TO_INT (known) == 2)
            {
              /* A code point names the character without spelling out a
               * name around it. */
              g_autofree char *reason = g_strdup_printf ("%s has character U+%04X that no font covers",
                                                         ps_field_get_label ((PsField) f), c);
              add_problem (check, roster, r, i, ps_field_get_key ((PsField) f), reason);
              break;
            }
        }
    }
}

static gint
problem_compare (gconstpointer a, gconstpointer b)
{
  const PsProblem *pa = *(const PsProblem *const *) a;
  const PsProblem *pb = *(const PsProblem *const *) b;
  return (pa->row > pb->row) - (pa->row < pb->row);
}

PsCheck *
ps_check_run (const PsRoster *roster, PsLayout *layout, const char *photos_dir,
              const PsPhotoLimits *in_limits, GError **error)
{
  g_return_val_if_fail (roster != NULL && layout != NULL && photos_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_test (photos_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PS_CHECK_ERROR, PS_CHECK_ERROR_PHOTOS_DIR,
                   "photos directory '%s' does not exist or is not a directory",
                   photos_dir);
      return NULL;
    }

  size_t n = roster->records->len;
  g_autoptr (PsCheck) check = g_new0 (PsCheck, 1);
  check->roster = roster;
  check->layout = ps_layout_ref (layout);
  check->photos_dir = g_canonicalize_filename (photos_dir, NULL);
  check->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_problem_free);
  check->printable = g_new (bool, n > 0 ? n : 1);
  check->photo_paths = g_new0 (char *, n > 0 ? n : 1);
  check->photo_pixels = g_new0 (gint64, n > 0 ? n : 1);
  check->n_records = n;
  for (size_t i = 0; i < n; i++)
    check->printable[i] = true;

  for (size_t p = 0; p < roster->problems->len; p++)
    g_ptr_array_add (check->problems, ps_problem_copy (roster->problems->pdata[p]));

  PsPhotoLimits limits = { 0 };
  if (in_limits != NULL)
    limits = *in_limits;
  if (limits.min_width == 0 && limits.min_height == 0)
    {
      /* The source standard (480 x 640) is the floor even when the slot
       * needs fewer pixels. */
      int w = 0, h = 0;
      ps_layout_get_min_photo_px (layout, &w, &h);
      limits.min_width = MAX (w, 480);
      limits.min_height = MAX (h, 640);
    }

  const char *family = layout->strip_font.family;
  g_autoptr (PsRenderer) renderer = _ps_renderer_new (layout);
  g_autoptr (GHashTable) coverage = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) classes = g_hash_table_new (g_str_hash, g_str_equal);

  for (size_t i = 0; i < n; i++)
    {
      const PsRecord *r = roster->records->pdata[i];
      if (r->values[PS_FIELD_BH] != NULL)
        g_hash_table_add (classes, r->values[PS_FIELD_BH]);
      check_fields (check, roster, i);
      check_photo (check, roster, i, &limits, photos_dir);
      check_glyphs (check, roster, i, family, coverage);
      if (check->printable[i])
        {
          g_autoptr (GError) local = NULL;
          g_autofree char *field = NULL;
          if (!_ps_renderer_check_record (renderer, r, &field, &local))
            add_problem (check, roster, r, i,
                         field != NULL ? field
                         : local->code == PS_RENDER_ERROR_CAPTION ? "caption" : NULL,
                         local->message);
        }
    }
  check_duplicates (check, roster, PS_FIELD_XH);
  check_duplicates (check, roster, PS_FIELD_CJM);

  g_ptr_array_sort (check->problems, problem_compare);
  check->n_classes = g_hash_table_size (classes);
  for (size_t i = 0; i < n; i++)
    check->n_printable += check->printable[i] ? 1 : 0;
  return g_steal_pointer (&check);
}

void
ps_check_free (PsCheck *check)
{
  if (check == NULL)
    return;
  g_ptr_array_unref (check->problems);
  for (size_t i = 0; i < check->n_records; i++)
    g_free (check->photo_paths[i]);
  g_free (check->photo_paths);
  g_free (check->photo_pixels);
  g_free (check->photos_dir);
  ps_layout_unref (check->layout);
  g_free (check->printable);
  g_free (check);
}

const PsRoster *
ps_check_get_roster (const PsCheck *check)
{
  g_return_val_if_fail (check != NULL, NULL);
  return check->roster;
}

PsLayout *
ps_check_get_layout (const PsCheck *check)
{
  g_return_val_if_fail (check != NULL, NULL);
  return check->layout;
}

size_t
ps_check_get_n_problems (const PsCheck *check)
{
  return check->problems->len;
}

const PsProblem *
ps_check_get_problem (const PsCheck *check, size_t index)
{
  g_return_val_if_fail (index < check->problems->len, NULL);
  return check->problems->pdata[index];
}

bool
ps_check_is_printable (const PsCheck *check, size_t index)
{
  g_return_val_if_fail (index < check->n_records, false);
  return check->printable[index];
}

const char *
ps_check_get_photo_path (const PsCheck *check, size_t index)
{
  g_return_val_if_fail (index < check->n_records, NULL);
  return check->photo_paths[index];
}

size_t
ps_check_get_n_photos_matched (const PsCheck *check)
{
  return check->n_photos;
}

size_t
ps_check_get_n_classes (const PsCheck *check)
{
  return check->n_classes;
}

size_t
ps_check_get_n_printable (const PsCheck *check)
{
  return check->n_printable;
}
