/* ps-record-private.h - one roster row's values, as every module after the
 * roster sees them (masked).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  A PsRecord carries only masked 姓名 and 证件号码: the roster
 * masks them on import, and nothing downstream can leak what it never got.
 */
#ifndef PS_RECORD_PRIVATE_H
#define PS_RECORD_PRIVATE_H

#include "photosheet.h"

G_BEGIN_DECLS

struct _PsRecord {
  int   row;                    /* Excel row, header = 1 */
  char *values[PS_N_FIELDS];    /* trimmed; NULL if absent/empty; xm/zjhm masked */
};

/* Frees the values (not the struct) and zeroes them. */
void _ps_record_clear (PsRecord *record);
void _ps_record_free (PsRecord *record);
/* @dst (uninitialised) gets copies of @src's row and values. */
void _ps_record_copy_into (const PsRecord *src, PsRecord *dst);

G_END_DECLS

#endif /* PS_RECORD_PRIVATE_H */
