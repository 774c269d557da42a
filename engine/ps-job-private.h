/* ps-job-private.h - print job states, by name.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.
 */
#ifndef PS_JOB_PRIVATE_H
#define PS_JOB_PRIVATE_H

#include "ps-core-private.h"

G_BEGIN_DECLS

/* "created" ... "completed" -> the state; false for anything else. */
bool _ps_job_state_from_string (const char *s, PsJobState *state);

G_END_DECLS

#endif /* PS_JOB_PRIVATE_H */
