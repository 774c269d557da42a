/* ps-plan-private.h - records -> the order of a batch: classes, students,
 * pages.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.
 */
#ifndef PS_PLAN_PRIVATE_H
#define PS_PLAN_PRIVATE_H

#include "ps-batch-private.h"

G_BEGIN_DECLS

/* Arranges @records (roster order; @include NULL = all, else @include[i]
 * false leaves record i out, as do records without a 班级) into @batch,
 * which has no class, student or page yet: classes in the order they first
 * appear, students in print order (repeaters first, then roster order or
 * 学号), a separator page before each class, then each student's sheets.
 * @source (out): per batch student, the index of its record in @records. */
void _ps_plan_arrange (PsBatch *batch, const PsRecord *const *records, size_t n_records,
                       const bool *include, PsOrder order, GArray *source);

G_END_DECLS

#endif /* PS_PLAN_PRIVATE_H */
