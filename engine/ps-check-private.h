/* ps-check-private.h - what a check found, for the batch built from it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.
 */
#ifndef PS_CHECK_PRIVATE_H
#define PS_CHECK_PRIVATE_H

#include "ps-layout-private.h"
#include "ps-roster-private.h"

G_BEGIN_DECLS

struct _PsCheck {
  const PsRoster *roster;    /* borrowed: the caller keeps it alive */
  PsLayout  *layout;         /* a reference */
  char      *photos_dir;     /* absolute */
  GPtrArray *problems;       /* PsProblem*, by row */
  bool      *printable;      /* per record */
  char     **photo_paths;    /* per record, NULL when none */
  gint64    *photo_pixels;   /* per record: decoded size after orientation, 0 if unknown */
  size_t     n_records;
  size_t     n_photos;
  size_t     n_classes;
  size_t     n_printable;
};

G_END_DECLS

#endif /* PS_CHECK_PRIVATE_H */
