/* fuzz-roster-csv.c - CSV rosters (UTF-8 or GB18030, any quoting) through
 * ps_roster_load() and the preflight.
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
  /* The name says CSV; content that looks like XLSX or JSONL is sniffed as
   * such, which is part of what is fuzzed. */
  ps_fuzz_load_roster (ps_fuzz_write_file ("roster.csv", data, size));
  return 0;
}
