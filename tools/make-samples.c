/* make-samples.c - builds the synthetic sample batch from samples/.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   make-samples --samples SRC_DIR --out DIR [--only-photos]
 *   make-samples --samples SRC_DIR --out DIR --count N [--distinct-photos M]
 *
 * Writes DIR/roster.csv (UTF-8, as committed), DIR/roster.jsonl (as
 * committed), DIR/roster-gbk.csv (the same table as Chinese Excel saves it,
 * GB18030), DIR/roster.xlsx (学号 stored as numbers, as Excel does) and
 * DIR/photos/<采集码>.jpg: synthetic portraits drawn with cairo - no real
 * people - 480 x 640 px on the standard blue background, 300 dpi.
 *
 * With --count (benchmarks, scaling runs): DIR/roster.csv holds N synthetic
 * students made from the sample rows (unique 学号, 采集码 and 时间戳; the
 * sample's names, levels and classes, 40 students a class) with a 照片
 * column, and DIR/photos/ M distinct portraits (default N) that the rows
 * name in turn - a 10 000-student batch may repeat 1 000 photos.
 */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps-image-writer.h"
#include "ps-xlsx-writer.h"

#define PHOTO_W 480
#define PHOTO_H 640
#define PS_N_COLS_MAX 16

static void
die (const char *fmt, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
die (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("make-samples: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  exit (1);
}

/* A deterministic pseudo-random stream per student, so every build draws the
 * same faces. */
typedef struct {
  guint32 state;
} Rng;

static double
rng_next (Rng *rng)
{
  rng->state = rng->state * 1664525u + 1013904223u;
  return (rng->state >> 8) / (double) (1u << 24);
}

static void
draw_portrait (cairo_t *cr, const char *seed)
{
  Rng rng = { g_str_hash (seed) };
  double skin = 0.72 + 0.18 * rng_next (&rng);
  double hair = 0.05 + 0.15 * rng_next (&rng);
  double face_w = 105 + 25 * rng_next (&rng);
  double face_h = 140 + 20 * rng_next (&rng);
  double cx = PHOTO_W / 2.0 + 10 * (rng_next (&rng) - 0.5);
  double cy = 270;
  double suit = 0.08 + 0.25 * rng_next (&rng);

  /* The standard background, reference RGB 100,197,255. */
  cairo_set_source_rgb (cr, 100 / 255.0, 197 / 255.0, 255 / 255.0);
  cairo_paint (cr);

  /* Shoulders and jacket. */
  cairo_save (cr);
  cairo_translate (cr, cx, PHOTO_H + 40);
  cairo_scale (cr, 230, 190);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
  cairo_set_source_rgb (cr, suit, suit, suit + 0.1);
  cairo_fill (cr);

  /* Shirt collar. */
  cairo_move_to (cr, cx - 45, 470);
  cairo_line_to (cr, cx, 560);
  cairo_line_to (cr, cx + 45, 470);
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, 0.96, 0.96, 0.96);
  cairo_fill (cr);

  /* Neck. */
  cairo_rectangle (cr, cx - 38, cy + face_h * 0.6, 76, 110);
  cairo_set_source_rgb (cr, skin * 0.92, skin * 0.75, skin * 0.62);
  cairo_fill (cr);

  /* Hair behind the face. */
  cairo_save (cr);
  cairo_translate (cr, cx, cy - 25);
  cairo_scale (cr, face_w + 18, face_h + 10);
  cairo_arc (cr, 0, 0, 1, G_PI, 2 * G_PI);
  cairo_restore (cr);
  cairo_set_source_rgb (cr, hair, hair * 0.8, hair * 0.6);
  cairo_fill (cr);

  /* Face. */
  cairo_save (cr);
  cairo_translate (cr, cx, cy);
  cairo_scale (cr, face_w, face_h);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
  cairo_set_source_rgb (cr, skin, skin * 0.8, skin * 0.66);
  cairo_fill (cr);

  /* Eyes, brows, nose, mouth. */
  cairo_set_source_rgb (cr, 0.1, 0.08, 0.07);
  for (int side = -1; side <= 1; side += 2)
    {
      cairo_arc (cr, cx + side * face_w * 0.38, cy - 12, 8, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_set_line_width (cr, 6);
      cairo_move_to (cr, cx + side * face_w * 0.2, cy - 42);
      cairo_line_to (cr, cx + side * face_w * 0.58, cy - 45);
      cairo_stroke (cr);
    }
  cairo_set_source_rgb (cr, skin * 0.75, skin * 0.55, skin * 0.45);
  cairo_set_line_width (cr, 4);
  cairo_move_to (cr, cx, cy);
  cairo_line_to (cr, cx - 8, cy + 45);
  cairo_line_to (cr, cx + 6, cy + 48);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.65, 0.3, 0.3);
  cairo_arc (cr, cx, cy + 70, 28, 0.15 * G_PI, 0.85 * G_PI);
  cairo_stroke (cr);
}

/* One row of a CAIRO_FORMAT_RGB24 surface as 8-bit RGB. */
static void
surface_row (int y, guint8 *row, size_t row_bytes, gpointer user_data)
{
  cairo_surface_t *surface = user_data;
  const unsigned char *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint32 *src = (const guint32 *) (data + (size_t) y * stride);
  for (size_t x = 0; x < row_bytes / 3; x++)
    {
      row[x * 3 + 0] = (src[x] >> 16) & 0xff;
      row[x * 3 + 1] = (src[x] >> 8) & 0xff;
      row[x * 3 + 2] = src[x] & 0xff;
    }
}

static void
write_jpeg (cairo_surface_t *surface, const char *path)
{
  /* The standard asks for 300 dpi. */
  PsImageJpegSpec spec = { PHOTO_W, PHOTO_H, JCS_RGB, .quality = 92, .density_dpi = 300 };
  g_autoptr (GError) error = NULL;
  if (!ps_image_write_jpeg (path, &spec, surface_row, surface, &error))
    die ("%s", error->message);
}

/* The committed sample CSV has no quoted fields: a plain split is enough. */
static GPtrArray *
read_csv (const char *path)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    die ("cannot read %s", path);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if (strchr (lines[i], '"') != NULL)
        die ("%s:%zu: quoted fields are not expected in the sample", path, i + 1);
      g_ptr_array_add (rows, g_strsplit (lines[i], ",", -1));
    }
  return rows;
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (from, &data, &len, NULL)
      || !g_file_set_contents (to, data, (gssize) len, NULL))
    die ("cannot copy %s to %s", from, to);
}

static void
write_photo (const char *photos, const char *seed, const char *file)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, PHOTO_W, PHOTO_H);
  cairo_t *cr = cairo_create (surface);
  draw_portrait (cr, seed);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_autofree char *path = g_build_filename (photos, file, NULL);
  write_jpeg (surface, path);
  cairo_surface_destroy (surface);
}

#define CLASS_SIZE 40

/* N synthetic students from the sample rows (see the top of the file). */
static void
write_many (const char *csv, const char *out, const char *photos, long count, long distinct)
{
  g_autoptr (GPtrArray) rows = read_csv (csv);
  if (rows->len < 2)
    die ("%s: no students", csv);
  char **header = rows->pdata[0];
  int col[PS_N_COLS_MAX] = { 0 };
  const char *want[] = { "时间戳", "采集码", "院校代码", "证件号码", "学号", "学历层次",
                         "学历类别", "姓名", "班级", "院系" };
  size_t n_cols = g_strv_length (header);
  for (size_t w = 0; w < G_N_ELEMENTS (want); w++)
    {
      col[w] = -1;
      for (size_t c = 0; c < n_cols; c++)
        if (strcmp (header[c], want[w]) == 0)
          col[w] = (int) c;
      if (col[w] < 0)
        die ("%s: needs a %s column", csv, want[w]);
    }

  for (long p = 0; p < distinct; p++)
    {
      g_autofree char *seed = g_strdup_printf ("bench-%ld", p);
      g_autofree char *file = g_strdup_printf ("p%06ld.jpg", p);
      write_photo (photos, seed, file);
    }

  GString *text = g_string_new ("时间戳,采集码,院校代码,证件号码,学号,学历层次,学历类别,姓名,班级,院系,照片\r\n");
  for (long i = 0; i < count; i++)
    {
      char **src = rows->pdata[1 + (size_t) i % (rows->len - 1)];
      static const char alnum[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";
      char cjm[17];
      Rng rng = { (guint32) i * 2654435761u + 7u };
      for (int k = 0; k < 16; k++)
        cjm[k] = alnum[(size_t) (rng_next (&rng) * (sizeof alnum - 1))];
      /* The index in the last characters keeps every 采集码 unique. */
      g_snprintf (cjm + 10, 7, "%06ld", i % 1000000);
      g_string_append_printf (text, "%lld,%s,%s,%04ld,2024%011ld,%s,%s,%s,%s-%ld,%s,p%06ld.jpg\r\n",
                              1720000000000LL + i * 1000, cjm, src[col[2]], i % 10000, i,
                              src[col[5]], src[col[6]], src[col[7]], src[col[8]],
                              i / CLASS_SIZE + 1, src[col[9]], i % distinct);
    }
  g_autofree char *out_csv = g_build_filename (out, "roster.csv", NULL);
  if (!g_file_set_contents (out_csv, text->str, (gssize) text->len, NULL))
    die ("cannot write %s", out_csv);
  g_string_free (text, TRUE);
  printf ("make-samples: %ld students, %ld photos in %s\n", count, distinct, out);
}

int
main (int argc, char **argv)
{
  const char *samples = NULL;
  const char *out = NULL;
  long count = 0, distinct = 0;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--samples") == 0 && i + 1 < argc)
        samples = argv[++i];
      else if (strcmp (argv[i], "--out") == 0 && i + 1 < argc)
        out = argv[++i];
      else if (strcmp (argv[i], "--count") == 0 && i + 1 < argc)
        count = atol (argv[++i]);
      else if (strcmp (argv[i], "--distinct-photos") == 0 && i + 1 < argc)
        distinct = atol (argv[++i]);
      else
        die ("usage: make-samples --samples SRC_DIR --out DIR [--count N [--distinct-photos M]]");
    }
  if (samples == NULL || out == NULL || count < 0 || count > 1000000 || distinct < 0)
    die ("usage: make-samples --samples SRC_DIR --out DIR [--count N [--distinct-photos M]]");

  g_autofree char *photos = g_build_filename (out, "photos", NULL);
  if (g_mkdir_with_parents (photos, 0755) != 0)
    die ("cannot create %s", photos);

  g_autofree char *csv = g_build_filename (samples, "roster.csv", NULL);
  if (count > 0)
    {
      write_many (csv, out, photos, count, distinct > 0 && distinct < count ? distinct : count);
      return 0;
    }
  g_autofree char *jsonl = g_build_filename (samples, "roster.jsonl", NULL);
  g_autofree char *out_csv = g_build_filename (out, "roster.csv", NULL);
  g_autofree char *out_jsonl = g_build_filename (out, "roster.jsonl", NULL);
  copy_file (csv, out_csv);
  copy_file (jsonl, out_jsonl);

  /* GB18030: what Chinese Excel writes for "CSV". */
  g_autofree char *text = NULL;
  gsize len = 0;
  g_file_get_contents (csv, &text, &len, NULL);
  gsize written = 0;
  g_autofree char *gbk = g_convert (text, (gssize) len, "GB18030", "UTF-8", NULL, &written, NULL);
  if (gbk == NULL)
    die ("cannot convert the roster to GB18030");
  g_autofree char *out_gbk = g_build_filename (out, "roster-gbk.csv", NULL);
  if (!g_file_set_contents (out_gbk, gbk, (gssize) written, NULL))
    die ("cannot write %s", out_gbk);

  g_autoptr (GPtrArray) rows = read_csv (csv);
  if (rows->len < 2)
    die ("%s: no students", csv);
  char **header = rows->pdata[0];
  int cjm_col = -1, xh_col = -1;
  for (int c = 0; header[c] != NULL; c++)
    {
      if (strcmp (header[c], "采集码") == 0)
        cjm_col = c;
      else if (strcmp (header[c], "学号") == 0)
        xh_col = c;
    }
  if (cjm_col < 0 || xh_col < 0)
    die ("%s: needs 采集码 and 学号 columns", csv);

  /* XLSX with 学号 as numbers, the way a school's Excel file has them. */
  size_t n_cols = g_strv_length (header);
  g_autoptr (GPtrArray) cells = g_ptr_array_new ();
  for (size_t r = 0; r < rows->len; r++)
    g_ptr_array_add (cells, rows->pdata[r]);
  g_autofree char *out_xlsx = g_build_filename (out, "roster.xlsx", NULL);
  g_autoptr (GError) error = NULL;
  if (!ps_xlsx_write_simple (out_xlsx, (const char *const *const *) cells->pdata, cells->len,
                             n_cols, xh_col, &error))
    die ("%s: %s", out_xlsx, error->message);

  for (size_t r = 1; r < rows->len; r++)
    {
      char **row = rows->pdata[r];
      g_autofree char *name = g_strdup_printf ("%s.jpg", row[cjm_col]);
      write_photo (photos, row[cjm_col], name);
    }
  printf ("make-samples: %u students in %s\n", rows->len - 1, out);
  return 0;
}
