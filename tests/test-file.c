/* test-file.c - _ps_file_read_regular(): only regular files, bounded, stable.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"
#include "ps-file-private.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_ERROR (g_quark_from_static_string ("test-file-error"))
enum { TEST_ERROR_OPEN = 7, TEST_ERROR_TOO_LARGE = 9 };

typedef PsTestDirFixture Fixture;

#define TEST(path, fn) g_test_add (path, Fixture, NULL, ps_test_dir_setup, fn, ps_test_dir_teardown)

/* Refused with TEST_ERROR @code, a message naming "roster '@path'" and
 * holding @fragment, in well under a second (nothing blocks). */
static void
assert_refused (const char *path, size_t max, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = NULL;
  gint64 start = g_get_monotonic_time ();
  bool ok = _ps_file_read_regular_full (path, max, "roster", TEST_ERROR, TEST_ERROR_OPEN,
                                        TEST_ERROR_TOO_LARGE, &bytes, &error);
  g_assert_false (ok);
  g_assert_null (bytes);
  g_assert_error (error, TEST_ERROR, code);
  g_autofree char *prefix = g_strdup_printf ("roster '%s': ", path);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  if (strstr (error->message, fragment) == NULL)
    g_error ("'%s' lacks '%s'", error->message, fragment);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

static void
test_regular (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "a.csv", NULL);
  ps_test_write_file (path, "xh,xm,bh\n1,2,3\n", -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_assert_true (_ps_file_read_regular (path, 1024, "roster", TEST_ERROR, TEST_ERROR_OPEN,
                                        &bytes, &error));
  g_assert_no_error (error);
  gsize len = 0;
  const char *text = g_bytes_get_data (bytes, &len);
  g_assert_cmpmem (text, len, "xh,xm,bh\n1,2,3\n", 15);

  /* exactly at the limit is fine; one byte over is not */
  g_autoptr (GBytes) exact = NULL;
  g_assert_true (_ps_file_read_regular (path, 15, "roster", TEST_ERROR, TEST_ERROR_OPEN, &exact,
                                        &error));
  g_assert_no_error (error);
  assert_refused (path, 14, TEST_ERROR_TOO_LARGE, "file is 15 bytes, above the limit of 14");

  /* the plain form reports too large with its one code */
  g_autoptr (GBytes) none = NULL;
  g_assert_false (_ps_file_read_regular (path, 14, "profile", TEST_ERROR, TEST_ERROR_OPEN, &none,
                                         &error));
  g_assert_error (error, TEST_ERROR, TEST_ERROR_OPEN);
  g_assert_true (g_str_has_prefix (error->message, "profile '"));
}

static void
test_empty (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "empty.csv", NULL);
  ps_test_write_file (path, "", 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_assert_true (_ps_file_read_regular (path, 0, "roster", TEST_ERROR, TEST_ERROR_OPEN, &bytes,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
}

static void
test_symlink (Fixture *f, gconstpointer data)
{
  g_autofree char *target = g_build_filename (f->dir, "real.csv", NULL);
  g_autofree char *link = g_build_filename (f->dir, "link.csv", NULL);
  ps_test_write_file (target, "xh\n1\n", -1);
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_assert_true (_ps_file_read_regular (link, 1024, "roster", TEST_ERROR, TEST_ERROR_OPEN, &bytes,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 5);

  /* a symlink to a directory is a directory */
  g_autofree char *dirlink = g_build_filename (f->dir, "dirlink", NULL);
  g_assert_cmpint (symlink (f->dir, dirlink), ==, 0);
  assert_refused (dirlink, 1024, TEST_ERROR_OPEN, "is a directory, not a regular file");
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "nope.csv", NULL);
  assert_refused (path, 1024, TEST_ERROR_OPEN, "cannot read: ");
}

static void
test_directory (Fixture *f, gconstpointer data)
{
  assert_refused (f->dir, 1024, TEST_ERROR_OPEN, "is a directory, not a regular file");
}

/* A FIFO without a writer: open() would block without O_NONBLOCK, read()
 * would wait forever with a writer that never writes. */
static void
test_fifo (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "pipe.csv", NULL);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  assert_refused (path, 1024, TEST_ERROR_OPEN, "is a named pipe (FIFO), not a regular file");
}

/* /dev/zero never ends and has no size. */
static void
test_dev_zero (Fixture *f, gconstpointer data)
{
  if (!g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/zero");
      return;
    }
  assert_refused ("/dev/zero", 1024, TEST_ERROR_OPEN, "is a device, not a regular file");
  g_autofree char *link = g_build_filename (f->dir, "zero.csv", NULL);
  g_assert_cmpint (symlink ("/dev/zero", link), ==, 0);
  assert_refused (link, 1024, TEST_ERROR_OPEN, "is a device, not a regular file");
}

/* A regular file whose size is not what fstat said: /proc files claim 0
 * bytes and hold more, like a file still being copied. */
static void
test_grows (Fixture *f, gconstpointer data)
{
  if (!g_file_test ("/proc/self/status", G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("no /proc/self/status");
      return;
    }
  assert_refused ("/proc/self/status", 1 << 20, TEST_ERROR_OPEN, "the file grew while it was read");
}

/* Through ps_roster_load(): the roster's own codes. */
static void
test_roster (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *fifo = g_build_filename (f->dir, "pipe.csv", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (ps_roster_load (fifo, NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "is a named pipe (FIFO), not a regular file"));
  g_clear_error (&error);

  g_autofree char *big = g_build_filename (f->dir, "big.csv", NULL);
  ps_test_write_file (big, "xh,xm,bh\n1,2,3\n", -1);
  PsRosterOptions options = { .max_bytes = 10 };
  g_assert_null (ps_roster_load (big, &options, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_assert_null (ps_roster_load ("/dev/zero", NULL, &error));
  g_assert_error (error, PS_ROSTER_ERROR, PS_ROSTER_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "roster '/dev/zero': is a device"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  TEST ("/file/regular", test_regular);
  TEST ("/file/empty", test_empty);
  TEST ("/file/symlink", test_symlink);
  TEST ("/file/missing", test_missing);
  TEST ("/file/directory", test_directory);
  TEST ("/file/fifo", test_fifo);
  TEST ("/file/dev-zero", test_dev_zero);
  TEST ("/file/grows", test_grows);
  TEST ("/file/roster", test_roster);
  return g_test_run ();
}
