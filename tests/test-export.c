/* test-export.c - the hot-folder export: two batches in one folder collide
 * in nothing, every file appears whole (watched with inotify), pages are
 * the batch's own.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <jpeglib.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

typedef struct {
  char *dir;
  char *roster;
  char *photos;
  char *hot;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = ps_test_copy_samples ();
  f->roster = g_build_filename (f->dir, "roster.csv", NULL);
  f->photos = g_build_filename (f->dir, "photos", NULL);
  f->hot = g_build_filename (f->dir, "hot", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ps_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->roster);
  g_free (f->photos);
  g_free (f->hot);
}

static void
render (Fixture *f, const char *roster, const char *out, const char *profile)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *base[] = { "render", "--roster", roster, "--photos", f->photos, "--out", out,
                         "--dpi", "72", "--format", "pdf,tiff", NULL };
  for (size_t i = 0; base[i] != NULL; i++)
    g_ptr_array_add (args, (char *) base[i]);
  if (profile != NULL)
    {
      g_ptr_array_add (args, "--profile");
      g_ptr_array_add (args, (char *) profile);
    }
  g_ptr_array_add (args, NULL);
  g_autofree char *so = NULL, *se = NULL;
  int status = ps_test_run_cli ((const char *const *) args->pdata, &so, &se);
  if (status != 0)
    g_test_message ("%s%s", so, se);
  g_assert_cmpint (status, ==, 0);
}

static int
export (const char *out, const char *hot, const char *format, char **so, char **se)
{
  const char *args[] = { "export", "--batch", out, "--hot-folder", hot, "--format", format, NULL };
  g_autofree char *o = NULL, *e = NULL;
  int status = ps_test_run_cli (args, &o, &e);
  g_test_message ("export %s -> %d\n%s%s", out, status, o, e);
  if (so != NULL)
    *so = g_steal_pointer (&o);
  if (se != NULL)
    *se = g_steal_pointer (&e);
  return status;
}

static char *
batch_uid (const char *out)
{
  const char *args[] = { "status", "--batch", out, "--json", NULL };
  g_autofree char *so = NULL;
  g_assert_cmpint (ps_test_run_cli (args, &so, NULL), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, so, -1, NULL));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonObject *b = json_array_get_object_element (json_object_get_array_member (root, "batches"), 0);
  return g_strdup (json_object_get_string_member (b, "uid"));
}

static GPtrArray *
names_in (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  return names;
}

typedef struct {
  struct jpeg_error_mgr base;
  jmp_buf jump;
} JpegErrors;

static void
jpeg_fail (j_common_ptr cinfo)
{
  longjmp (((JpegErrors *) cinfo->err)->jump, 1);
}

/* Decodes @path fully; its size, components and embedded ICC profile. */
static void
read_jpeg (const char *path, int *width, int *height, int *components, GBytes **icc)
{
  FILE *fp = g_fopen (path, "rb");
  g_assert_nonnull (fp);
  struct jpeg_decompress_struct cinfo;
  JpegErrors errors;
  cinfo.err = jpeg_std_error (&errors.base);
  errors.base.error_exit = jpeg_fail;
  if (setjmp (errors.jump))
    g_error ("%s does not decode", path);
  jpeg_create_decompress (&cinfo);
  jpeg_stdio_src (&cinfo, fp);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 2, 0xFFFF);
  jpeg_read_header (&cinfo, TRUE);
  JOCTET *profile = NULL;
  unsigned int profile_len = 0;
  if (jpeg_read_icc_profile (&cinfo, &profile, &profile_len))
    *icc = g_bytes_new_take (profile, profile_len);
  else
    *icc = NULL;
  jpeg_start_decompress (&cinfo);
  *width = (int) cinfo.output_width;
  *height = (int) cinfo.output_height;
  *components = cinfo.output_components;
  g_autofree JSAMPLE *row = g_malloc ((size_t) cinfo.output_width * cinfo.output_components);
  while (cinfo.output_scanline < cinfo.output_height)
    {
      JSAMPROW rows[1] = { row };
      jpeg_read_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_decompress (&cinfo);
  jpeg_destroy_decompress (&cinfo);
  fclose (fp);
}

static void
tiff_info (const char *path, int *width, int *height, GBytes **icc)
{
  TIFF *tif = TIFFOpen (path, "r");
  g_assert_nonnull (tif);
  guint32 w = 0, h = 0, len = 0;
  void *data = NULL;
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &h);
  g_assert_true (TIFFGetField (tif, TIFFTAG_ICCPROFILE, &len, &data));
  *icc = g_bytes_new (data, len);
  *width = (int) w;
  *height = (int) h;
  TIFFClose (tif);
}

/* Issue 13, acceptance 5: two batches of one roster into one hot folder:
 * every name is the batch's own, nothing is overwritten, nothing is left
 * behind; JPEG pages are the batch's pages with its profile; a second
 * export of a batch is refused. */
static void
test_two_batches (Fixture *f, gconstpointer data)
{
  g_autofree char *old = ps_test_write_old_mode_roster (f->dir);
  g_autofree char *a = g_build_filename (f->dir, "A", NULL);
  g_autofree char *b = g_build_filename (f->dir, "B", NULL);
  render (f, old, a, NULL);
  render (f, old, b, NULL);
  g_autofree char *uid_a = batch_uid (a);
  g_autofree char *uid_b = batch_uid (b);
  g_assert_cmpstr (uid_a, !=, uid_b);

  g_autofree char *so = NULL;
  g_assert_cmpint (export (a, f->hot, "jpeg", &so, NULL), ==, 0);
  g_autofree char *said = g_strdup_printf ("export: 40 pages as ps-%s-NNNN.jpg", uid_a);
  g_assert_nonnull (strstr (so, said));
  g_assert_cmpint (export (b, f->hot, "jpeg", NULL, NULL), ==, 0);

  g_autoptr (GPtrArray) names = names_in (f->hot);
  g_assert_cmpuint (names->len, ==, 2 * (40 + 1));
  const char *uids[] = { uid_a, uid_b };
  const char *outs[] = { a, b };
  for (size_t k = 0; k < 2; k++)
    {
      g_autofree char *order_name = g_strdup_printf ("ps-%s.order.txt", uids[k]);
      g_autofree char *order_path = g_build_filename (f->hot, order_name, NULL);
      g_autofree char *order = NULL;
      gsize order_len = 0;
      g_assert_true (g_file_get_contents (order_path, &order, &order_len, NULL));
      g_autofree char *header = g_strdup_printf ("batch %s\r\n", uids[k]);
      g_assert_nonnull (strstr (order, header));
      g_assert_nonnull (strstr (order, "pages 40\r\n"));
      g_assert_nonnull (strstr (order, "format jpeg\r\n"));
      g_assert_false (ps_test_find_full_value (order, order_len, NULL));
      g_autoptr (GPtrArray) rows = ps_test_read_manifest (outs[k]);
      for (size_t p = 1; p <= 40; p++)
        {
          char **row = rows->pdata[p - 1];
          g_autofree char *name = g_strdup_printf ("ps-%s-%04zu.jpg", uids[k], p);
          g_autofree char *line = g_strdup_printf ("%04zu %s 1 %s %s", p, name, row[1], row[2]);
          g_assert_nonnull (strstr (order, line));
          g_autofree char *path = g_build_filename (f->hot, name, NULL);
          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
          if (p % 13 != 1)
            continue;
          /* the batch's own page: its size and profile */
          int w = 0, h = 0, c = 0, tw = 0, th = 0;
          g_autoptr (GBytes) icc = NULL, tiff_icc = NULL;
          read_jpeg (path, &w, &h, &c, &icc);
          g_autofree char *tiff_name = g_strdup_printf ("%04zu.tif", p);
          g_autofree char *tiff = g_build_filename (outs[k], "tiff", tiff_name, NULL);
          tiff_info (tiff, &tw, &th, &tiff_icc);
          g_assert_cmpint (w, ==, tw);
          g_assert_cmpint (h, ==, th);
          g_assert_cmpint (c, ==, 3);
          g_assert_nonnull (icc);
          g_assert_true (g_bytes_equal (icc, tiff_icc));
        }
    }

  /* Again: refused, nothing touched. */
  g_autoptr (GHashTable) before = ps_test_dir_digests (f->hot);
  g_autofree char *se = NULL;
  g_assert_cmpint (export (a, f->hot, "jpeg", NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "already has"));
  g_autoptr (GHashTable) after = ps_test_dir_digests (f->hot);
  ps_test_assert_same_digests (before, after, "after a refused export");

  /* TIFF: the very bytes of the batch's own pages (rendered again from
   * the ledger, deterministic). */
  g_autofree char *hot2 = g_build_filename (f->dir, "hot2", NULL);
  g_assert_cmpint (export (a, hot2, "tiff", NULL, NULL), ==, 0);
  for (size_t p = 1; p <= 40; p++)
    {
      g_autofree char *name = g_strdup_printf ("ps-%s-%04zu.tif", uid_a, p);
      g_autofree char *ours = g_build_filename (hot2, name, NULL);
      g_autofree char *tiff_name = g_strdup_printf ("%04zu.tif", p);
      g_autofree char *theirs = g_build_filename (a, "tiff", tiff_name, NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *x = _ps_core_sha256_file (ours, "page", PS_OUTPUT_ERROR, 0, &error);
      g_autofree char *y = _ps_core_sha256_file (theirs, "page", PS_OUTPUT_ERROR, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (x, ==, y);
    }
}

/* Every final name appears by rename (IN_MOVED_TO), never created or
 * written in place, and the order file after every page it lists. */
static void
test_atomic (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_build_filename (f->dir, "A", NULL);
  render (f, f->roster, a, NULL);
  g_assert_cmpint (g_mkdir (f->hot, 0755), ==, 0);
  int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (inotify_add_watch (fd, f->hot, IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE
                                                    | IN_MODIFY),
                   >=, 0);

  const char *argv[] = { g_getenv ("PHOTOSHEET_BIN"), "export", "--batch", a, "--hot-folder",
                         f->hot, "--format", "jpeg", NULL };
  GPid pid = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                  | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);

  size_t moved_pages = 0, order_at = 0, events = 0;
  bool done = false;
  int status = 0;
  char buf[64 * 1024] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  while (!done)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      poll (&pfd, 1, 100);
      if (waitpid (pid, &status, WNOHANG) == pid)
        done = true;
      for (;;)
        {
          ssize_t n = read (fd, buf, sizeof buf);
          if (n <= 0)
            break;
          for (char *p = buf; p < buf + n;)
            {
              struct inotify_event *ev = (struct inotify_event *) p;
              p += sizeof *ev + ev->len;
              if (ev->len == 0 || ev->name[0] == '.')
                continue;      /* hidden: the staging folder and .part files */
              events++;
              if (!(ev->mask & IN_MOVED_TO))
                g_error ("'%s' appeared otherwise than by rename (mask 0x%x)", ev->name, ev->mask);
              if (g_str_has_suffix (ev->name, ".order.txt"))
                order_at = moved_pages;
              else
                moved_pages++;
            }
        }
    }
  close (fd);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_test_message ("%zu events, %zu pages moved in, order file after %zu", events, moved_pages,
                  order_at);
  g_assert_cmpuint (moved_pages, ==, 40);
  g_assert_cmpuint (order_at, ==, 40);
  g_autoptr (GPtrArray) names = names_in (f->hot);
  g_assert_cmpuint (names->len, ==, 41);
}

/* What cannot be exported is refused with nothing written: JPEG of a CMYK
 * batch, a photo that changed since the batch was printed. */
static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autofree char *cmyk_icc = g_build_filename (g_getenv ("PS_PROFILES_DIR"), "lab-cmyk.icc", NULL);
  g_autofree char *cmyk = g_build_filename (f->dir, "cmyk", NULL);
  render (f, f->roster, cmyk, cmyk_icc);
  g_autofree char *se = NULL;
  g_assert_cmpint (export (cmyk, f->hot, "jpeg", NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "JPEG needs 8-bit RGB pages"));
  g_autoptr (GPtrArray) none = names_in (f->hot);
  g_assert_cmpuint (none->len, ==, 0);
  /* as TIFF it goes */
  g_assert_cmpint (export (cmyk, f->hot, "tiff", NULL, NULL), ==, 0);

  g_autofree char *rgb = g_build_filename (f->dir, "rgb", NULL);
  render (f, f->roster, rgb, NULL);
  g_autoptr (GPtrArray) rows = ps_test_read_manifest (rgb);
  char **row = rows->pdata[1];
  g_autofree char *photo = g_strdup_printf ("%s/%s.jpg", f->photos, row[5]);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (photo, &bytes, &len, NULL));
  bytes[len - 3] ^= 0x01;
  ps_test_write_file (photo, bytes, (gssize) len);
  g_autofree char *hot2 = g_build_filename (f->dir, "hot2", NULL);
  g_clear_pointer (&se, g_free);
  g_assert_cmpint (export (rgb, hot2, "jpeg", NULL, &se), ==, 2);
  g_assert_nonnull (strstr (se, "changed"));
  g_autoptr (GPtrArray) left = names_in (hot2);
  g_assert_cmpuint (left->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define TEST(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  TEST ("/export/two-batches", test_two_batches);
  TEST ("/export/atomic", test_atomic);
  TEST ("/export/refusals", test_refusals);
  return g_test_run ();
}
