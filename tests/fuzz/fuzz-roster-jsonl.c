/* fuzz-roster-jsonl.c - JSON Lines rosters through ps_roster_load() and the
 * preflight.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-util.h"

#define PS_FUZZ_MAX_INPUT (256 * 1024)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > PS_FUZZ_MAX_INPUT)
    return 0;
  ps_fuzz_init ();
  ps_fuzz_load_roster (ps_fuzz_write_file ("roster.jsonl", data, size));
  return 0;
}
