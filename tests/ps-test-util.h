/* ps-test-util.h - helpers shared by the tests: temp dirs, running the CLI.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PS_TEST_UTIL_H
#define PS_TEST_UTIL_H

#include "ps-private.h"

G_BEGIN_DECLS

/* A new empty directory under $TMPDIR (caller frees; remove with _rm_rf). */
char *ps_test_tmpdir (void);
void ps_test_rm_rf (const char *path);
/* tests/data/NAME in the source tree (caller frees). */
char *ps_test_data_path (const char *name);
/* The generated samples dir (build/samples): roster.csv, roster-gbk.csv,
 * roster.xlsx, roster.jsonl, photos/.  Transfer none. */
const char *ps_test_samples_dir (void);
/* A fresh copy of the samples (roster files + photos/) to mutate. */
char *ps_test_copy_samples (void);
/* Runs the photosheet CLI with @args (NULL-terminated, without argv[0]).
 * Returns the exit status (or -1 if killed); *out / *err get stdout/stderr
 * if not NULL. */
int ps_test_run_cli (const char *const *args, char **out, char **err);
/* Writes @len bytes (or strlen if -1) to @path; aborts the test on failure. */
void ps_test_write_file (const char *path, const char *data, gssize len);
/* Runs a shell command line; returns exit status, *out gets stdout. */
int ps_test_run_shell (const char *cmdline, char **out);

G_END_DECLS

#endif
