/* fuzz-util.h - what the fuzz targets share: one temp dir, quiet GLib.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every target defines LLVMFuzzerTestOneInput() and refuses inputs above its
 * own cap.  Under libFuzzer that is all; with -Dfuzzing_engine=none the
 * target is linked with replay-main.c, which feeds it every file of its
 * corpus directory (tests/fuzz/corpus/<target>/) as a TAP test.
 */
#ifndef PS_FUZZ_UTIL_H
#define PS_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../ps-test-util.h"

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Once per process: GLib criticals abort (they mean a programming error the
 * input reached), debug output is off.  Safe to call on every input. */
void ps_fuzz_init (void);

/* @data written to @name inside the process's one temp dir (created on
 * first use, removed at exit).  Returns: (transfer none) the path, valid
 * until the next call with the same @name. */
const char *ps_fuzz_write_file (const char *name, const uint8_t *data, size_t size);

/* Loads the roster at @path, walks every record and problem and runs the
 * preflight over it (empty photos dir, no layout). */
void ps_fuzz_load_roster (const char *path);

G_END_DECLS

#endif
