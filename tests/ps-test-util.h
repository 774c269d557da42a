/* ps-test-util.h - helpers shared by the tests: temp dirs, running the CLI.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PS_TEST_UTIL_H
#define PS_TEST_UTIL_H

/* Tests may see every module's private header. */
#include "ps-batch-private.h"
#include "ps-check-private.h"
#include "ps-color-private.h"
#include "ps-fonts-private.h"
#include "ps-ledger-private.h"
#include "ps-output-private.h"
#include "ps-photo-private.h"
#include "ps-pipeline-private.h"
#include "ps-plan-private.h"
#include "ps-queue-private.h"
#include "ps-render-batch-private.h"
#include "ps-render-private.h"
#include "ps-roster-private.h"

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
/* The same with @env ("NAME=VALUE", NULL-terminated, nullable) added to
 * the child's environment only (no setenv in a test with threads). */
int ps_test_run_cli_env (const char *const *args, const char *const *env, char **out,
                         char **err);
/* Writes @len bytes (or strlen if -1) to @path; aborts the test on failure. */
void ps_test_write_file (const char *path, const char *data, gssize len);
/* The bytes of @path with a NUL after them, their count in *@len (nullable);
 * aborts the test on failure.  Caller frees. */
char *ps_test_read_file (const char *path, gsize *len);
/* The same as GBytes (caller unrefs). */
GBytes *ps_test_read_bytes (const char *path);
/* The environment variable @name that the test table (tests/meson.build)
 * or the CUPS harness sets; aborts the test when it is missing.  Transfer
 * none. */
const char *ps_test_getenv (const char *name);

/* A fixture of one fresh temp dir, removed with all it holds after the
 * test: g_test_add (path, PsTestDirFixture, NULL, ps_test_dir_setup, fn,
 * ps_test_dir_teardown). */
typedef struct {
  char *dir;
} PsTestDirFixture;
void ps_test_dir_setup (PsTestDirFixture *f, gconstpointer data);
void ps_test_dir_teardown (PsTestDirFixture *f, gconstpointer data);
/* The batch of @dir/roster.csv and @dir/photos on @layout (a name), built
 * in process through check as render does; @options nullable. */
PsBatch *ps_test_batch_new (const char *dir, const char *layout, const PsBatchOptions *options);
/* Relative path -> sha256 of every file under @dir but the ledger's. */
GHashTable *ps_test_dir_digests (const char *dir);
/* Fails, naming the file and @label, unless @a and @b list the same files
 * with the same digests. */
void ps_test_assert_same_digests (GHashTable *a, GHashTable *b, const char *label);
/* PRAGMA integrity_check of an SQLite file: "ok" or what is wrong (caller
 * frees). */
char *ps_test_sqlite_integrity (const char *path);
/* Runs a shell command line; returns exit status, *out gets stdout. */
int ps_test_run_shell (const char *cmdline, char **out);

G_END_DECLS

G_BEGIN_DECLS

/* Full names and full ID numbers as old-mode tables carry them; nothing
 * photosheet writes, prints or stores may contain any of them. */
#define PS_TEST_N_FULL 5
extern const char *const ps_test_full_names[PS_TEST_N_FULL];
extern const char *const ps_test_full_ids[PS_TEST_N_FULL];

/* Writes @dir/old.csv: @dir/roster.csv (a sample copy) with rows 2..6
 * carrying the full names and IDs above.  Returns its path. */
char *ps_test_write_old_mode_roster (const char *dir);
/* manifest.csv of a rendered batch as rows of cells, header checked and
 * dropped (g_strfreev'd by the array). */
GPtrArray *ps_test_read_manifest (const char *out_dir);
/* True if @data holds a full name (UTF-8 or UTF-16LE/BE) or the first 12
 * characters of a full ID; *@which (nullable) names it. */
bool ps_test_find_full_value (const char *data, size_t len, const char **which);

G_END_DECLS

#endif
