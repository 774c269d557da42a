/* ps-plan.c - records -> ordered pages: classes, separators, sheets, copies,
 * and the students' copy groups on the sheets (imposition).
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

bool
ps_plan_impose_from_string (const char *s, PsImpose *impose)
{
  g_return_val_if_fail (impose != NULL, false);
  if (g_strcmp0 (s, "sequence") == 0)
    *impose = PS_IMPOSE_SEQUENCE;
  else if (g_strcmp0 (s, "stack") == 0)
    *impose = PS_IMPOSE_STACK;
  else
    return false;
  return true;
}

/* The roster's 份数, else the batch's --copies, else the layout's. */
static int
record_copies (const PsRecord *record, const PsBatch *batch)
{
  guint64 n = 0;
  const char *v = record->values[PS_FIELD_COPIES];
  if (v != NULL && g_ascii_string_to_unsigned (v, 10, 1, PS_MAX_COPIES, &n, NULL))
    return (int) n;
  return batch->settings.copies > 0 ? batch->settings.copies : batch->layout->copies;
}

/* Sheet by sheet: each group goes on the current sheet if its rows fit
 * there, else on a new one; a student with more copies than a sheet holds
 * gets sheets of his own, the last of them shared with whoever follows. */
static void
impose_sequence (PsBatch *batch, size_t c, size_t first, size_t n)
{
  const PsLayout *layout = batch->layout;
  int capacity = _ps_layout_get_capacity (layout);
  bool open = false;
  int next_row = 0;

  for (size_t i = first; i < first + n; i++)
    {
      int copies = _ps_batch_student (batch, i)->copies;
      int n_parts = (copies + capacity - 1) / capacity;
      for (int part = 1; part <= n_parts; part++)
        {
          int part_copies = MIN (capacity, copies - (part - 1) * capacity);
          int rows = _ps_layout_group_rows (layout, part_copies);
          if (!open || next_row + rows > layout->rows)
            {
              _ps_batch_add_page (batch, PS_PAGE_SHEET, c, NULL);
              open = true;
              next_row = 0;
            }
          _ps_batch_add_group (batch, i, next_row * layout->columns, part_copies, part, n_parts);
          next_row += rows;
        }
    }
}

/* Cut and stack: P group positions a sheet, every position as high as the
 * class's largest group.  Position p of the class's J sheets holds a run
 * of consecutive students (pile p), the first piles one more than the
 * last ones, so that only the last sheet has empty positions: cut the
 * sheets on the group lines, put pile 1 on pile 2 on ..., and the students
 * come out in print order. */
static void
impose_stack (PsBatch *batch, size_t c, size_t first, size_t n)
{
  const PsLayout *layout = batch->layout;
  int largest = 1;
  for (size_t i = first; i < first + n; i++)
    largest = MAX (largest, _ps_batch_student (batch, i)->copies);
  int positions = _ps_layout_get_positions (layout, largest);
  if (positions <= 1)
    {
      /* One group a sheet (or a group larger than a sheet): the sequence
       * is already the stack. */
      impose_sequence (batch, c, first, n);
      return;
    }

  size_t P = (size_t) positions;
  size_t J = (n + P - 1) / P;               /* sheets */
  size_t full = n - (J - 1) * P;            /* piles of J students; the rest hold J - 1 */
  int step = _ps_layout_group_rows (layout, largest) * layout->columns;
  for (size_t j = 0; j < J; j++)
    {
      _ps_batch_add_page (batch, PS_PAGE_SHEET, c, NULL);
      size_t start = 0;
      for (size_t p = 0; p < P; p++)
        {
          size_t size = p < full ? J : J - 1;
          if (j < size)
            {
              size_t i = first + start + j;
              _ps_batch_add_group (batch, i, (int) p * step, _ps_batch_student (batch, i)->copies,
                                   1, 1);
            }
          start += size;
        }
    }
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
  for (size_t c = 0; c < members->len; c++)
    {
      GArray *indices = members->pdata[c];
      PsClass *klass = batch->classes->pdata[c];
      g_array_sort_with_data (indices, compare_students, &ctx);
      klass->first = batch->students->len;
      klass->n_students = indices->len;

      for (size_t k = 0; k < indices->len; k++)
        {
          size_t index = g_array_index (indices, size_t, k);
          PsStudent student = { .class_index = c, .seq = (int) k + 1,
                                .copies = record_copies (records[index], batch) };
          _ps_record_copy_into (records[index], &student.record);
          g_array_append_val (batch->students, student);
          if (source != NULL)
            g_array_append_val (source, index);
        }

      /* A separator, then the class's sheets: never two classes on one
       * sheet (envelopes are per class). */
      _ps_batch_add_page (batch, PS_PAGE_SEPARATOR, c, NULL);
      if (batch->settings.impose == PS_IMPOSE_STACK)
        impose_stack (batch, c, klass->first, klass->n_students);
      else
        impose_sequence (batch, c, klass->first, klass->n_students);
    }
}
