/* ps-problem.c - one thing wrong with one roster row.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-core-private.h"

PsProblem *
ps_problem_new (const char *file, int row, const char *xh, const char *cjm,
                const char *field, const char *reason)
{
  PsProblem *problem = g_new0 (PsProblem, 1);
  problem->file = g_strdup (file);
  problem->row = row;
  problem->xh = g_strdup (xh);
  problem->cjm = g_strdup (cjm);
  problem->field = g_strdup (field);
  problem->reason = g_strdup (reason);
  return problem;
}

PsProblem *
ps_problem_copy (const PsProblem *problem)
{
  g_return_val_if_fail (problem != NULL, NULL);
  return ps_problem_new (problem->file, problem->row, problem->xh, problem->cjm,
                         problem->field, problem->reason);
}

void
ps_problem_free (PsProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->file);
  g_free (problem->xh);
  g_free (problem->cjm);
  g_free (problem->field);
  g_free (problem->reason);
  g_free (problem);
}
