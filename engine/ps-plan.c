/* ps-plan.c - records -> ordered pages: classes, separators, sheets, copies.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The school's table fixes the order of the printed pages so that teachers
 * can sort them into class envelopes: classes in the order they first appear,
 * a separator page before each, students in roster order within a class
 * (or by 学号 on request), repeaters (the priority column) first.
 */
#include "config.h"
#include "ps-plan-private.h"

#include <string.h>

typedef struct {
  const PsRecord *const *records;
  PsOrder order;
} SortContext;

bool
ps_plan_order_from_string (const char *s, PsOrder *order)
{
  g_return_val_if_fail (order != NULL, false);
  if (g_strcmp0 (s, "roster") == 0)
    *order = PS_ORDER_ROSTER;
  else if (g_strcmp0 (s, "xh") == 0)
    *order = PS_ORDER_XH;
  else
    return false;
  return true;
}

/* Any non-empty value except an explicit "no" marks a repeater. */
static bool
is_priority (const PsRecord *record)
{
  static const char *const no[] = { "0", "否", "no", "n", "false", "f", "无", NULL };
  const char *v = record->values[PS_FIELD_PRIORITY];
  if (v == NULL)
    return false;
  for (size_t i = 0; no[i] != NULL; i++)
    if (g_ascii_strcasecmp (v, no[i]) == 0)
      return false;
  return true;
}

/* 学号 are digit strings of varying length: compare them as numbers
 * without converting (they can exceed 64 bits). */
static int
compare_xh (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL) - (b == NULL);
  while (*a == '0' && a[1] != '\0')
    a++;
  while (*b == '0' && b[1] != '\0')
    b++;
  size_t la = strlen (a), lb = strlen (b);
  bool digits = strspn (a, "0123456789") == la && strspn (b, "0123456789") == lb;
  if (digits && la != lb)
    return la < lb ? -1 : 1;
  return strcmp (a, b);
}

static gint
compare_students (gconstpointer pa, gconstpointer pb, gpointer user_data)
{
  const SortContext *ctx = user_data;
  size_t ia = *(const size_t *) pa, ib = *(const size_t *) pb;
  const PsRecord *a = ctx->records[ia];
  const PsRecord *b = ctx->records[ib];

  bool prio_a = is_priority (a), prio_b = is_priority (b);
  if (prio_a != prio_b)
    return prio_a ? -1 : 1;
  if (ctx->order == PS_ORDER_XH)
    {
      int c = compare_xh (a->values[PS_FIELD_XH], b->values[PS_FIELD_XH]);
      if (c != 0)
        return c;
    }
  /* Roster order breaks every tie: the result never depends on the sort. */
  return (ia > ib) - (ia < ib);
}

static int
record_copies (const PsRecord *record, const PsLayout *layout)
{
  guint64 n = 0;
  const char *v = record->values[PS_FIELD_COPIES];
  if (v != NULL && g_ascii_string_to_unsigned (v, 10, 1, 1000, &n, NULL))
    return (int) n;
  return layout->copies;
}

void
_ps_plan_arrange (PsBatch *batch, const PsRecord *const *records, size_t n_records,
                  const bool *include, PsOrder order, GArray *source)
{
  g_return_if_fail (batch != NULL && batch->classes->len == 0 && batch->pages->len == 0);

  /* Classes in order of first appearance, each with its records. */
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (size_t i = 0; i < n_records; i++)
    {
      const PsRecord *r = records[i];
      if ((include != NULL && !include[i]) || r->values[PS_FIELD_BH] == NULL)
        continue;
      gpointer found = NULL;
      if (!g_hash_table_lookup_extended (by_name, r->values[PS_FIELD_BH], NULL, &found))
        {
          found = GSIZE_TO_POINTER (members->len);
          g_hash_table_insert (by_name, r->values[PS_FIELD_BH], found);
          g_ptr_array_add (members, g_array_new (FALSE, FALSE, sizeof (size_t)));
          _ps_batch_add_class (batch, r->values[PS_FIELD_BH], r->values[PS_FIELD_YXDM]);
        }
      g_array_append_val ((GArray *) members->pdata[GPOINTER_TO_SIZE (found)], i);
    }

  SortContext ctx = { records, order };
  int slots = (int) batch->layout->slots->len;
  for (size_t c = 0; c < members->len; c++)
    {
      GArray *indices = members->pdata[c];
      PsClass *klass = batch->classes->pdata[c];
      g_array_sort_with_data (indices, compare_students, &ctx);
      klass->first = batch->students->len;
      klass->n_students = indices->len;

      PsPage sep = { .kind = PS_PAGE_SEPARATOR, .class_index = c };
      sep.number = batch->pages->len + 1;
      g_array_append_val (batch->pages, sep);

      for (size_t k = 0; k < indices->len; k++)
        {
          size_t index = g_array_index (indices, size_t, k);
          int copies = record_copies (records[index], batch->layout);
          int n_sheets = (copies + slots - 1) / slots;
          PsStudent student = { .class_index = c, .seq = (int) k + 1, .copies = copies };
          _ps_record_copy_into (records[index], &student.record);
          g_array_append_val (batch->students, student);
          if (source != NULL)
            g_array_append_val (source, index);
          for (int s = 0; s < n_sheets; s++)
            {
              PsPage page = {
                .kind = PS_PAGE_SHEET,
                .number = batch->pages->len + 1,
                .class_index = c,
                .student = batch->students->len - 1,
                .copies = MIN (slots, copies - s * slots),
                .sheet = s + 1,
                .n_sheets = n_sheets,
              };
              g_array_append_val (batch->pages, page);
            }
        }
    }
}
