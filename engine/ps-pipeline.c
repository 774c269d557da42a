/* ps-pipeline.c - the pages of a batch through worker threads, in order.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pages of a run are cut into tasks: a separator page, one student's
 * consecutive sheets, or one sheet that several students share.  Workers
 * take tasks from a ring and do everything that is per page and
 * independent: read each photo of the task and verify it is the one the
 * batch recorded, decode it, resample it to the slot size and convert it
 * once from its own profile to the printer's (that block then serves every
 * copy, every sheet and every output of that student in the task), let
 * each writer prepare its own form of it, compose the raster pages in the
 * printer's space (ps-compose.c: paper, photo blocks, the ink as a mask
 * drawn with the thread's own PsRenderer - Pango is per thread), hash them
 * and hand them to the raster writers.  The calling thread hands tasks out,
 * at most `window` ahead of the oldest unfinished one, and takes them back
 * strictly in page order for the writers that need order (PDF, manifest)
 * and the progress callback.  So the bytes written do not depend on the
 * number of threads or on their timing.  With one job there is no thread
 * at all: the calling thread does each task itself.
 *
 * Memory.  A worker holds one page raster (device samples, the A8 mask,
 * sRGB when previews are asked); a task in flight holds the decoded photo
 * of one student while it is converted, then the blocks of its students
 * (as many as a sheet has groups) and the writers' copies.  The window and
 * then the number of workers are cut until workers x raster + window x
 * photos fits
 * PS_PIPELINE_MEMORY_BUDGET, so memory does not follow the batch size nor a
 * batch of huge photos.
 */
#include "config.h"
#include "ps-pipeline-private.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* What a task in flight holds per photo pixel, bytes: the decoded photo
 * (up to 8 bytes a pixel for 16-bit CMYK) and its oriented 16-bit copy
 * (up to 8) while its blocks are made. */
#define PHOTO_BYTES_PER_PIXEL 16
/* A photo whose size the batch does not know (recorded batches): the
 * source standard, 480 x 640. */
#define DEFAULT_PHOTO_PIXELS (480 * 640)

void
_ps_writer_free (PsWriter *writer)
{
  if (writer != NULL)
    writer->klass->free (writer);
}

bool
_ps_pipeline_page_size (const PsBatch *batch, int *width, int *height, GError **error)
{
  const PsLayout *layout = batch->layout;
  int dpi = batch->settings.dpi;
  double wd = layout->sheet_width / 72.0 * dpi;
  double hd = layout->sheet_height / 72.0 * dpi;
  /* Every worker holds one page: a valid layout at an absurd dpi must be
   * refused, not swap the machine to death. */
  if (wd * hd > PS_PIPELINE_MAX_PAGE_PIXELS)
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_TOO_LARGE,
                   "a %.0f x %.0f px page at %d dpi is larger than %.0f Mpx", wd, hd, dpi,
                   PS_PIPELINE_MAX_PAGE_PIXELS / 1e6);
      return false;
    }
  *width = (int) lround (wd);
  *height = (int) lround (hd);
  return true;
}

/* ------------------------------------------------------------------ */
/* Tasks                                                              */
/* ------------------------------------------------------------------ */

/* One unit of work: a separator page, one student's consecutive sheets, or
 * one sheet of several students (pages first .. first + n_pages - 1 of the
 * run). */
typedef struct {
  size_t first;
  size_t n_pages;
  size_t n_students;              /* the students drawn, 0 for a separator */
  size_t *students;               /* n_students indexes into the batch's students */
  PsRaster **blocks;              /* per task student: the photo in the printer's space */
  PsRaster **srgb_blocks;         /* per task student: in sRGB (previews), or NULL */
  PsPhotoBlocks *photo_blocks;    /* per task student: the two, for the writers */
  gpointer *writer_photos;        /* [student * n_writers + writer]: prepare_photo()'s */
  char **page_sha256;             /* n_pages, when rasters are drawn */
  GError *error;
  bool done;                      /* under Run.lock */
} Task;

/* What composes raster pages, one per thread: a renderer, the ink mask
 * and the page rasters. */
typedef struct {
  PsRenderer *renderer;
  cairo_surface_t *mask;          /* A8: the ink */
  PsRaster *device;
  PsRaster *srgb;                 /* when a writer wants sRGB */
} Drawer;

static void
drawer_clear (Drawer *d)
{
  g_clear_pointer (&d->mask, cairo_surface_destroy);
  g_clear_pointer (&d->device, _ps_raster_free);
  g_clear_pointer (&d->srgb, _ps_raster_free);
}

/* The hand-off between the calling thread and the workers.  Plain pthread
 * primitives rather than GMutex/GAsyncQueue: GLib's are futex-based on
 * Linux, which ThreadSanitizer cannot see, and these few lines are where a
 * race would hide. */
typedef struct {
  const PsPipeline *p;
  bool rasters;                   /* some writer takes rasters */
  bool srgb;                      /* some writer takes sRGB rasters */
  bool device_is_srgb;            /* the printer's space is our sRGB */
  int block_width, block_height;  /* photo slot, pixels */
  int width, height;              /* raster size, pixels */
  char *photos_real;              /* realpath of the batch's photos dir + "/" */
  Task *ring;                     /* window slots; task k is ring[k % window] */
  size_t window;
  pthread_mutex_t lock;           /* guards everything below and Task.done */
  pthread_cond_t work;            /* a task was handed out, or stop */
  pthread_cond_t done;            /* a task is done */
  size_t head;                    /* tasks handed out */
  size_t claimed;                 /* tasks taken by a worker */
  bool stop;                      /* workers leave; unclaimed tasks are not run */
} Run;

static const PsPage *
run_page (const PsPipeline *p, size_t i)
{
  size_t number = p->numbers != NULL ? p->numbers[i] : i + 1;
  return _ps_batch_page (p->batch, number);
}

static size_t
run_total (const PsPipeline *p)
{
  return p->numbers != NULL ? p->n_numbers : p->batch->pages->len;
}

static void
task_clear (const PsPipeline *p, Task *t)
{
  for (size_t i = 0; t->blocks != NULL && i < t->n_students; i++)
    {
      g_clear_pointer (&t->blocks[i], _ps_raster_free);
      g_clear_pointer (&t->srgb_blocks[i], _ps_raster_free);
    }
  g_clear_pointer (&t->blocks, g_free);
  g_clear_pointer (&t->srgb_blocks, g_free);
  g_clear_pointer (&t->photo_blocks, g_free);
  for (size_t i = 0; t->writer_photos != NULL && i < t->n_students * p->n_writers; i++)
    {
      PsWriter *writer = p->writers[i % p->n_writers];
      if (t->writer_photos[i] != NULL && writer->klass->free_photo != NULL)
        writer->klass->free_photo (t->writer_photos[i]);
    }
  g_clear_pointer (&t->writer_photos, g_free);
  g_clear_pointer (&t->students, g_free);
  for (size_t i = 0; t->page_sha256 != NULL && i < t->n_pages; i++)
    g_free (t->page_sha256[i]);
  g_clear_pointer (&t->page_sha256, g_free);
  g_clear_error (&t->error);
  memset (t, 0, sizeof *t);
}

/* Whether the pipeline draws group @group (a reprint draws one student). */
static size_t
only_student (const PsPipeline *p)
{
  return p->only_student != NULL ? *p->only_student : G_MAXSIZE;
}

static bool
group_drawn (const PsPipeline *p, const PsGroup *group)
{
  return p->only_student == NULL || group->student == *p->only_student;
}

/* The one student drawn on sheet @page, or G_MAXSIZE when there are
 * several (or none). */
static size_t
sole_student (const PsPipeline *p, const PsPage *page)
{
  size_t sole = G_MAXSIZE;
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (p->batch, page, g);
      if (!group_drawn (p, group))
        continue;
      if (sole != G_MAXSIZE && sole != group->student)
        return G_MAXSIZE;
      sole = group->student;
    }
  return sole;
}

/* Cuts the run into its next task, starting at page @i. */
static void
task_init (const PsPipeline *p, size_t total, size_t i, Task *t)
{
  const PsPage *page = run_page (p, i);
  t->first = i;
  t->n_pages = 1;
  if (page->kind != PS_PAGE_SHEET)
    return;

  /* One student on the sheet: his sheets are consecutive, one decode
   * serves them all.  Several: the sheet alone, each photo decoded once. */
  size_t sole = sole_student (p, page);
  if (sole != G_MAXSIZE)
    {
      t->n_students = 1;
      t->students = g_new (size_t, 1);
      t->students[0] = sole;
      while (i + t->n_pages < total)
        {
          const PsPage *next = run_page (p, i + t->n_pages);
          if (next->kind != PS_PAGE_SHEET || sole_student (p, next) != sole)
            break;
          t->n_pages++;
        }
      return;
    }
  t->students = g_new (size_t, page->n_groups);
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (p->batch, page, g);
      bool seen = false;
      for (size_t k = 0; k < t->n_students && !seen; k++)
        seen = t->students[k] == group->student;
      if (group_drawn (p, group) && !seen)
        t->students[t->n_students++] = group->student;
    }
}

/* Index of @student among the task's students, or G_MAXSIZE. */
static size_t
task_student_index (const Task *t, size_t student)
{
  for (size_t k = 0; k < t->n_students; k++)
    if (t->students[k] == student)
      return k;
  return G_MAXSIZE;
}

/* The photo may only come from the batch's photos directory: a ledger is a
 * file that can be edited by hand, and a path in it is not trusted. */
static bool
photo_is_confined (const Run *run, const char *path)
{
  if (run->photos_real == NULL)
    return false;
  g_autofree char *real = realpath (path, NULL);
  return real != NULL && g_str_has_prefix (real, run->photos_real);
}

/* Reads a student's photo, checks it is the one the batch recorded, decodes
 * it.  Any thread. */
static PsRawImage *
load_photo (const Run *run, const PsStudent *student, GError **error)
{
  const PsPipeline *p = run->p;
  int row = student->record.row;
  const char *path = student->photo_path;

  if (path == NULL || !photo_is_confined (run, path))
    {
      g_set_error (error, PS_PHOTO_ERROR, PS_PHOTO_ERROR_UNSAFE_PATH,
                   "row %d: the recorded photo is not inside the batch's photos directory '%s'",
                   row, p->batch->settings.photos_dir ? p->batch->settings.photos_dir : "-");
      return NULL;
    }
  g_autofree char *sha = _ps_core_sha256_file (path, "photo", PS_PHOTO_ERROR, PS_PHOTO_ERROR_OPEN,
                                               error);
  if (sha == NULL)
    {
      g_prefix_error (error, "row %d: ", row);
      return NULL;
    }
  if (g_strcmp0 (student->photo_sha256, sha) != 0)
    {
      /* The recorded digest only: the new one would tell something of a file
       * that may not be a photo at all. */
      g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_CHANGED,
                   "row %d: photo '%s' has changed since the batch was made (recorded "
                   "sha256 %.12s…)", row, path,
                   student->photo_sha256 ? student->photo_sha256 : "none");
      return NULL;
    }
  PsRawImage *raw = _ps_photo_decode (path, NULL, error);
  if (raw == NULL)
    g_prefix_error (error, "row %d: ", row);
  return raw;
}

/* Student @k of the task's photo blocks: once in the printer's space, and
 * in sRGB when previews of a device batch are asked. */
static bool
make_blocks (const Run *run, const PsStudent *student, const PsRawImage *raw, Task *t, size_t k,
             GError **error)
{
  const PsPipeline *p = run->p;
  PsCrop crop = p->batch->layout->crop;
  int ox = 0, oy = 0;
  t->blocks[k] = _ps_compose_photo_block (p->color, raw, run->block_width, run->block_height,
                                          crop, PS_COLOR_TARGET_DEVICE, &ox, &oy, error);
  if (t->blocks[k] != NULL && run->srgb && !run->device_is_srgb)
    t->srgb_blocks[k] = _ps_compose_photo_block (p->color, raw, run->block_width,
                                                 run->block_height, crop, PS_COLOR_TARGET_SRGB,
                                                 &ox, &oy, error);
  if (t->blocks[k] == NULL || (run->srgb && !run->device_is_srgb && t->srgb_blocks[k] == NULL))
    {
      g_prefix_error (error, "row %d: ", student->record.row);
      return false;
    }
  t->photo_blocks[k] = (PsPhotoBlocks) {
    .device = t->blocks[k],
    .srgb = run->device_is_srgb ? t->blocks[k] : t->srgb_blocks[k],
    .offset_x = ox,
    .offset_y = oy,
  };
  return true;
}

/* Composes @page into d->device (and d->srgb): the ink drawn as a mask by
 * the renderer, then paper, blocks and ink in device space. */
static bool
compose_raster (const Run *run, Drawer *d, const PsPage *page, const Task *t, GError **error)
{
  const PsPipeline *p = run->p;
  int dpi = p->batch->settings.dpi;

  cairo_surface_flush (d->mask);
  guint8 *mask = cairo_image_surface_get_data (d->mask);
  size_t mask_stride = (size_t) cairo_image_surface_get_stride (d->mask);
  memset (mask, 0, mask_stride * (size_t) run->height);
  cairo_surface_mark_dirty (d->mask);
  cairo_t *cr = cairo_create (d->mask);
  cairo_scale (cr, dpi / 72.0, dpi / 72.0);
  bool ok = _ps_renderer_draw_ink (d->renderer, cr, p->batch, page, only_student (p), error);
  if (ok && p->mark != NULL)
    _ps_renderer_draw_mark (d->renderer, cr, p->mark);
  cairo_destroy (cr);
  cairo_surface_flush (d->mask);
  if (!ok)
    return false;

  /* The photo of each drawn group's student in each of its slots. */
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (PsRect));
  g_autoptr (GArray) students = g_array_new (FALSE, FALSE, sizeof (size_t));
  _ps_compose_page_slots (p->batch, page, only_student (p), slots, students);
  g_autofree PsPlacement *device = g_new0 (PsPlacement, slots->len + 1);
  g_autofree PsPlacement *srgb = g_new0 (PsPlacement, slots->len + 1);
  size_t n = 0;
  for (guint i = 0; i < slots->len; i++)
    {
      size_t k = task_student_index (t, g_array_index (students, size_t, i));
      if (k == G_MAXSIZE || t->blocks == NULL || t->blocks[k] == NULL)
        continue;
      const PsPhotoBlocks *b = &t->photo_blocks[k];
      PsPixelRect px = _ps_compose_slot_pixels (&g_array_index (slots, PsRect, i), dpi);
      device[n] = (PsPlacement) { b->device, px.x + b->offset_x, px.y + b->offset_y };
      srgb[n] = (PsPlacement) { b->srgb, device[n].x, device[n].y };
      n++;
    }
  _ps_compose_page (d->device, device, n, mask, mask_stride);
  if (d->srgb != NULL)
    _ps_compose_page (d->srgb, srgb, n, mask, mask_stride);
  return true;
}

/* Per group of sheet @page: the task's entry for its student from @items
 * (@stride apart, @offset in), NULL for a group not drawn.  @out has
 * page->n_groups entries. */
static void
page_photos (const Task *t, const PsBatch *batch, const PsPage *page, gpointer const *items,
             size_t stride, size_t offset, gpointer *out)
{
  for (size_t g = 0; g < page->n_groups; g++)
    {
      size_t k = task_student_index (t, _ps_batch_page_group (batch, page, g)->student);
      out[g] = k != G_MAXSIZE && items != NULL ? items[k * stride + offset] : NULL;
    }
}


/* The per-page work of a task: any thread, with its own @d. */
static void
task_run (const Run *run, Drawer *d, Task *t)
{
  const PsPipeline *p = run->p;

  if (t->n_students > 0)
    {
      t->blocks = g_new0 (PsRaster *, t->n_students);
      t->srgb_blocks = g_new0 (PsRaster *, t->n_students);
      t->photo_blocks = g_new0 (PsPhotoBlocks, t->n_students);
      t->writer_photos = g_new0 (gpointer, t->n_students * p->n_writers + 1);
    }
  for (size_t k = 0; k < t->n_students; k++)
    {
      const PsStudent *student = _ps_batch_student (p->batch, t->students[k]);
      g_autoptr (PsRawImage) raw = load_photo (run, student, &t->error);
      if (raw == NULL || !make_blocks (run, student, raw, t, k, &t->error))
        return;
      for (size_t w = 0; w < p->n_writers; w++)
        {
          PsWriter *writer = p->writers[w];
          if (writer->klass->prepare_photo == NULL)
            continue;
          t->writer_photos[k * p->n_writers + w] =
            writer->klass->prepare_photo (writer, student, raw, student->photo_path,
                                          &t->photo_blocks[k], &t->error);
          if (t->error != NULL)
            return;
        }
    }
  if (!run->rasters)
    return;

  if (d->mask == NULL)
    d->mask = cairo_image_surface_create (CAIRO_FORMAT_A8, run->width, run->height);
  if (cairo_surface_status (d->mask) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (&t->error, PS_RENDER_ERROR, PS_RENDER_ERROR_CAIRO,
                   "cannot allocate a %d x %d page: %s", run->width, run->height,
                   cairo_status_to_string (cairo_surface_status (d->mask)));
      return;
    }
  if (d->device == NULL
      && (d->device = _ps_raster_new (run->width, run->height,
                                      _ps_color_get_output_channels (p->color), &t->error)) == NULL)
    return;
  if (run->srgb && d->srgb == NULL
      && (d->srgb = _ps_raster_new (run->width, run->height, 3, &t->error)) == NULL)
    return;
  t->page_sha256 = g_new0 (char *, t->n_pages);
  for (size_t k = 0; k < t->n_pages; k++)
    {
      const PsPage *page = run_page (p, t->first + k);
      if (!compose_raster (run, d, page, t, &t->error))
        return;
      t->page_sha256[k] = _ps_raster_sha256 (d->device);
      PsPageRasters rasters = { d->device, d->srgb };
      for (size_t w = 0; w < p->n_writers; w++)
        {
          PsWriter *writer = p->writers[w];
          if (writer->klass->write_raster != NULL
              && !writer->klass->write_raster (writer, page, &rasters, &t->error))
            return;
        }
    }
}

static gpointer
worker_main (gpointer data)
{
  Run *run = data;
  /* Created here: the renderer's Pango context is on this thread's font map. */
  Drawer d = { _ps_renderer_new (run->p->batch->layout), NULL, NULL, NULL };
  pthread_mutex_lock (&run->lock);
  for (;;)
    {
      while (!run->stop && run->claimed == run->head)
        pthread_cond_wait (&run->work, &run->lock);
      if (run->stop)
        break;
      Task *t = &run->ring[run->claimed++ % run->window];
      pthread_mutex_unlock (&run->lock);
      task_run (run, &d, t);
      pthread_mutex_lock (&run->lock);
      t->done = true;
      pthread_cond_broadcast (&run->done);
    }
  pthread_mutex_unlock (&run->lock);
  drawer_clear (&d);
  _ps_renderer_free (d.renderer);
  return NULL;
}

/* Takes a finished task back, in page order: the ordered writers, the
 * digests, the progress.  The calling thread only. */
static bool
task_finish (const Run *run, PsRenderer *renderer, Task *t, GPtrArray *digests, GError **error)
{
  const PsPipeline *p = run->p;
  size_t total = run_total (p);

  if (t->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&t->error));
      return false;
    }
  for (size_t k = 0; k < t->n_pages; k++)
    {
      const PsPage *page = run_page (p, t->first + k);
      const char *sha = t->page_sha256 != NULL ? t->page_sha256[k] : NULL;
      g_autofree gpointer *photos = g_new0 (gpointer, page->n_groups + 1);
      for (size_t w = 0; w < p->n_writers; w++)
        {
          PsWriter *writer = p->writers[w];
          page_photos (t, p->batch, page, t->writer_photos, p->n_writers, w, photos);
          PsWriterPage wp = {
            .batch = p->batch,
            .page = page,
            .renderer = renderer,
            .mark = p->mark,
            .only_student = only_student (p),
            .photos = page->kind == PS_PAGE_SHEET ? photos : NULL,
            .raster_sha256 = sha,
          };
          if (writer->klass->write_page != NULL && !writer->klass->write_page (writer, &wp, error))
            return false;
        }
      g_ptr_array_add (digests, t->page_sha256 != NULL ? g_steal_pointer (&t->page_sha256[k]) : NULL);
      if (p->progress != NULL)
        p->progress (t->first + k + 1, total, p->progress_data);
    }
  return true;
}

static bool
wants_rasters (const PsPipeline *p)
{
  for (size_t w = 0; w < p->n_writers; w++)
    if (p->writers[w]->klass->write_raster != NULL)
      return true;
  return false;
}

static bool
wants_srgb (const PsPipeline *p)
{
  for (size_t w = 0; w < p->n_writers; w++)
    if (p->writers[w]->klass->write_raster != NULL && p->writers[w]->wants_srgb)
      return true;
  return false;
}

void
_ps_pipeline_plan_threads (const PsPipeline *p, int *n_workers, size_t *window)
{
  int width = 0, height = 0;
  gint64 raster = 0;
  if (wants_rasters (p) && _ps_pipeline_page_size (p->batch, &width, &height, NULL))
    raster = (gint64) width * height
             * (_ps_color_get_output_channels (p->color) + 1 + (wants_srgb (p) ? 3 : 0));
  gint64 photo = 0;
  for (size_t i = 0; i < p->batch->students->len; i++)
    {
      gint64 px = _ps_batch_student (p->batch, i)->photo_pixels;
      photo = MAX (photo, px > 0 ? px : DEFAULT_PHOTO_PIXELS);
    }
  /* A task holds the photos of one sheet's students. */
  size_t per_task = 1;
  for (size_t i = 0; i < p->batch->pages->len; i++)
    per_task = MAX (per_task, _ps_batch_page (p->batch, i + 1)->n_groups);
  photo *= PHOTO_BYTES_PER_PIXEL * (gint64) per_task;

  int workers = p->jobs > 1 ? p->jobs : 0;
  /* Enough tasks ahead to keep every worker busy while the calling thread
   * writes the ordered outputs, few enough that memory does not follow the
   * batch. */
  size_t w = workers > 0 ? (size_t) workers * 2 + 2 : 1;
  /* One worker and one task ahead of it is the floor: a batch is never
   * refused for its photos, it only runs narrower. */
  while (workers > 0 && (gint64) workers * raster + (gint64) w * photo > PS_PIPELINE_MEMORY_BUDGET)
    {
      if (w > (size_t) workers + 1)
        w--;
      else if (workers > 1)
        {
          workers--;
          w = MIN (w, (size_t) workers * 2 + 2);
        }
      else
        break;
    }
  *n_workers = workers;
  *window = w;
}

bool
_ps_pipeline_run (const PsPipeline *p, GPtrArray **raster_sha256, GError **error)
{
  g_return_val_if_fail (p != NULL && p->batch != NULL && p->color != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  size_t total = run_total (p);
  for (size_t i = 0; p->numbers != NULL && i < p->n_numbers; i++)
    g_return_val_if_fail (p->numbers[i] >= 1 && p->numbers[i] <= p->batch->pages->len, false);

  Run run = {
    .p = p,
    .rasters = wants_rasters (p),
    .srgb = wants_srgb (p),
    .device_is_srgb = _ps_color_output_is_srgb (p->color),
  };
  const PsLayout *layout = p->batch->layout;
  PsRect photo = { 0, 0, layout->photo_width, layout->photo_height };
  PsPixelRect photo_px = _ps_compose_slot_pixels (&photo, p->batch->settings.dpi);
  run.block_width = photo_px.width;
  run.block_height = photo_px.height;
  /* A page too large fails before any work; the raster itself is made by
   * whoever draws (a worker, or this thread when there is none). */
  if (run.rasters && !_ps_pipeline_page_size (p->batch, &run.width, &run.height, error))
    return false;
  if (p->batch->settings.photos_dir != NULL)
    {
      g_autofree char *real = realpath (p->batch->settings.photos_dir, NULL);
      if (real != NULL)
        run.photos_real = g_str_has_suffix (real, "/") ? g_strdup (real)
                                                       : g_strconcat (real, "/", NULL);
    }

  int n_workers = 0;
  _ps_pipeline_plan_threads (p, &n_workers, &run.window);
  g_autofree Task *ring = g_new0 (Task, run.window);
  run.ring = ring;
  g_autofree GThread **threads = g_new0 (GThread *, n_workers + 1);
  g_autoptr (GPtrArray) digests = g_ptr_array_new_full ((guint) total, g_free);
  PsRenderer *renderer = _ps_renderer_new (p->batch->layout);
  Drawer self = { renderer, NULL, NULL, NULL };

  if (n_workers > 0)
    {
      pthread_mutex_init (&run.lock, NULL);
      pthread_cond_init (&run.work, NULL);
      pthread_cond_init (&run.done, NULL);
      for (int w = 0; w < n_workers; w++)
        threads[w] = g_thread_new ("ps-render", worker_main, &run);
    }

  size_t next_page = 0;           /* first page not yet in a task */
  size_t head = 0, tail = 0;      /* tasks handed out / taken back */
  bool ok = true;
  while (ok && (tail < head || next_page < total))
    {
      /* Hand out tasks up to the window.  A slot is reused only after the
       * calling thread took its task back (under the lock), so filling it
       * needs no lock; publishing it does. */
      while (next_page < total && head - tail < run.window)
        {
          Task *t = &ring[head % run.window];
          task_init (p, total, next_page, t);
          next_page += t->n_pages;
          head++;
          if (n_workers > 0)
            {
              pthread_mutex_lock (&run.lock);
              run.head = head;
              pthread_cond_signal (&run.work);
              pthread_mutex_unlock (&run.lock);
            }
          else
            {
              task_run (&run, &self, t);
              t->done = true;
            }
        }

      /* Take back the oldest, in order. */
      Task *t = &ring[tail % run.window];
      if (n_workers > 0)
        {
          pthread_mutex_lock (&run.lock);
          while (!t->done)
            pthread_cond_wait (&run.done, &run.lock);
          pthread_mutex_unlock (&run.lock);
        }
      ok = task_finish (&run, renderer, t, digests, error);
      task_clear (p, t);
      tail++;
    }

  if (n_workers > 0)
    {
      /* On failure the tasks not yet claimed are dropped, the claimed ones
       * finish; every worker is joined before anything they use is freed. */
      pthread_mutex_lock (&run.lock);
      run.stop = true;
      pthread_cond_broadcast (&run.work);
      pthread_mutex_unlock (&run.lock);
      for (int w = 0; w < n_workers; w++)
        g_thread_join (threads[w]);
      pthread_mutex_destroy (&run.lock);
      pthread_cond_destroy (&run.work);
      pthread_cond_destroy (&run.done);
    }
  for (; tail < head; tail++)
    task_clear (p, &ring[tail % run.window]);
  drawer_clear (&self);
  _ps_renderer_free (renderer);
  g_free (run.photos_real);
  if (ok && raster_sha256 != NULL)
    *raster_sha256 = g_steal_pointer (&digests);
  return ok;
}
