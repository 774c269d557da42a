/* ps-record.c - one roster row: its values, masked.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-record-private.h"

#include <string.h>

/* Values may be full names or IDs only inside the roster module, which wipes
 * its own buffers; a PsRecord holds masked values, so a plain free is enough
 * here.  Wiping anyway costs nothing and keeps a freed record from leaving a
 * 学号 behind in a core dump. */
static void
wipe_free (char *s)
{
  if (s != NULL)
    {
      memset (s, 0, strlen (s));
      g_free (s);
    }
}

void
_ps_record_clear (PsRecord *record)
{
  if (record == NULL)
    return;
  for (int f = 0; f < PS_N_FIELDS; f++)
    g_clear_pointer (&record->values[f], wipe_free);
  record->row = 0;
}

void
_ps_record_free (PsRecord *record)
{
  if (record == NULL)
    return;
  _ps_record_clear (record);
  g_free (record);
}

void
_ps_record_copy_into (const PsRecord *src, PsRecord *dst)
{
  dst->row = src->row;
  for (int f = 0; f < PS_N_FIELDS; f++)
    dst->values[f] = g_strdup (src->values[f]);
}

int
ps_record_get_row (const PsRecord *record)
{
  g_return_val_if_fail (record != NULL, 0);
  return record->row;
}

const char *
ps_record_get (const PsRecord *record, PsField field)
{
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail ((unsigned) field < PS_N_FIELDS, NULL);
  return record->values[field];
}
