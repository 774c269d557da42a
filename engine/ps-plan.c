/* ps-plan.c - records -> ordered pages: classes, separators, sheets, copies.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The school's table fixes the order of the printed pages so that teachers
 * can sort them into class envelopes: classes in the order they first appear,
 * a separator page before each, students in roster order within a class
 * (or by 学号 on request), repeaters (the priority column) first.
 */
#include "config.h"
#include "ps-private.h"

#include <string.h>

typedef struct {
  const PsRoster *roster;
  PsOrder order;
} SortContext;

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
  const PsRecord *a = ctx->roster->records->pdata[ia];
  const PsRecord *b = ctx->roster->records->pdata[ib];

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

static void
class_free (PsClass *klass)
{
  g_free (klass->name);
  g_free (klass->yxdm);
  g_array_unref (klass->records);
  g_free (klass);
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

PsPlan *
_ps_plan_new (const PsRoster *roster, const bool *include, const PsLayout *layout,
              PsOrder order)
{
  PsPlan *plan = g_new0 (PsPlan, 1);
  plan->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) class_free);
  plan->pages = g_array_new (FALSE, TRUE, sizeof (PsPage));

  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  for (size_t i = 0; i < roster->records->len; i++)
    {
      const PsRecord *r = roster->records->pdata[i];
      if ((include != NULL && !include[i]) || r->values[PS_FIELD_BH] == NULL)
        continue;
      PsClass *klass = g_hash_table_lookup (by_name, r->values[PS_FIELD_BH]);
      if (klass == NULL)
        {
          klass = g_new0 (PsClass, 1);
          klass->name = g_strdup (r->values[PS_FIELD_BH]);
          klass->yxdm = g_strdup (r->values[PS_FIELD_YXDM]);
          klass->records = g_array_new (FALSE, FALSE, sizeof (size_t));
          g_ptr_array_add (plan->classes, klass);
          g_hash_table_insert (by_name, klass->name, klass);
        }
      g_array_append_val (klass->records, i);
      plan->n_students++;
    }

  SortContext ctx = { roster, order };
  int slots = (int) layout->slots->len;
  for (size_t c = 0; c < plan->classes->len; c++)
    {
      PsClass *klass = plan->classes->pdata[c];
      g_array_sort_with_data (klass->records, compare_students, &ctx);

      PsPage sep = { .kind = PS_PAGE_SEPARATOR, .class_index = c };
      sep.number = plan->pages->len + 1;
      g_array_append_val (plan->pages, sep);

      for (size_t k = 0; k < klass->records->len; k++)
        {
          size_t index = g_array_index (klass->records, size_t, k);
          int copies = record_copies (roster->records->pdata[index], layout);
          int n_sheets = (copies + slots - 1) / slots;
          for (int s = 0; s < n_sheets; s++)
            {
              PsPage page = {
                .kind = PS_PAGE_SHEET,
                .number = plan->pages->len + 1,
                .class_index = c,
                .record = index,
                .seq = (int) k + 1,
                .copies = MIN (slots, copies - s * slots),
                .sheet = s + 1,
                .n_sheets = n_sheets,
              };
              g_array_append_val (plan->pages, page);
            }
        }
    }
  return plan;
}

/* An empty plan, for callers that rebuild one (the ledger): classes and
 * pages are added by hand and freed by _ps_plan_free(). */
PsPlan *
_ps_plan_new_empty (void)
{
  PsPlan *plan = g_new0 (PsPlan, 1);
  plan->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) class_free);
  plan->pages = g_array_new (FALSE, TRUE, sizeof (PsPage));
  return plan;
}

/* Appends a class with no records yet.  Returns: (transfer none): it. */
PsClass *
_ps_plan_add_class (PsPlan *plan, const char *name, const char *yxdm)
{
  g_return_val_if_fail (plan != NULL && name != NULL, NULL);
  PsClass *klass = g_new0 (PsClass, 1);
  klass->name = g_strdup (name);
  klass->yxdm = g_strdup (yxdm);
  klass->records = g_array_new (FALSE, FALSE, sizeof (size_t));
  g_ptr_array_add (plan->classes, klass);
  return klass;
}

void
_ps_plan_free (PsPlan *plan)
{
  if (plan == NULL)
    return;
  g_ptr_array_unref (plan->classes);
  g_array_unref (plan->pages);
  g_free (plan);
}
