/* ps-job.c - print job states: the CUPS job states and `created`.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-job-private.h"

#include <string.h>

static const char *const job_state_names[] = {
  [PS_JOB_CREATED] = "created",
  [PS_JOB_PENDING] = "pending",
  [PS_JOB_HELD] = "held",
  [PS_JOB_PROCESSING] = "processing",
  [PS_JOB_STOPPED] = "stopped",
  [PS_JOB_CANCELED] = "canceled",
  [PS_JOB_ABORTED] = "aborted",
  [PS_JOB_COMPLETED] = "completed",
};

const char *
ps_job_state_to_string (PsJobState state)
{
  if ((unsigned) state >= G_N_ELEMENTS (job_state_names))
    return "unknown";
  return job_state_names[state];
}

bool
ps_job_state_is_final (PsJobState state)
{
  return state == PS_JOB_CANCELED || state == PS_JOB_ABORTED || state == PS_JOB_COMPLETED;
}

bool
_ps_job_state_from_string (const char *s, PsJobState *state)
{
  for (size_t i = 0; s != NULL && i < G_N_ELEMENTS (job_state_names); i++)
    if (strcmp (s, job_state_names[i]) == 0)
      {
        *state = (PsJobState) i;
        return true;
      }
  return false;
}
