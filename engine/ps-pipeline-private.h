/* ps-pipeline-private.h - pages of a batch, drawn by worker threads and
 * handed to the writers in page order.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Needs cairo.
 *
 * The pipeline knows no file format: each output is a PsWriter with up to
 * three entry points, called from where the work is cheapest -
 *
 *   prepare_photo  any worker thread, once per student of a task: the
 *                  writer's own form of the photo (the PDF's JPEG of the
 *                  device block, say);
 *   write_raster   any worker thread: a page composed in the printer's space
 *                  at the batch's dpi (TIFF, print jobs), and in sRGB for the
 *                  writers that ask (PNG previews);
 *   write_page     the calling thread, strictly in page order (PDF, the
 *                  manifest).
 *
 * So the bytes written do not depend on the number of threads or on their
 * timing.
 */
#ifndef PS_PIPELINE_PRIVATE_H
#define PS_PIPELINE_PRIVATE_H

#include "ps-batch-private.h"
#include "ps-color-private.h"
#include "ps-compose-private.h"
#include "ps-render-private.h"

G_BEGIN_DECLS

/* Memory the pipeline plans for: the rasters of the workers plus the photos
 * of the tasks in flight.  Above it, fewer tasks are kept ahead and then
 * fewer workers run; a single page is refused above PS_PIPELINE_MAX_PAGE_PIXELS. */
#define PS_PIPELINE_MEMORY_BUDGET ((gint64) 768 << 20)
/* An A4 page at 1200 dpi is 140 Mpx. */
#define PS_PIPELINE_MAX_PAGE_PIXELS 150e6

typedef struct _PsWriter PsWriter;

/* One page as the calling thread hands it to a writer. */
typedef struct {
  const PsBatch *batch;
  const PsPage  *page;
  PsRenderer    *renderer;        /* the calling thread's, for vector output */
  const char    *mark;            /* reprint mark text, or NULL */
  size_t         only_student;    /* G_MAXSIZE, or the one student drawn (reprint) */
  gpointer const *photos;         /* per group of a sheet: this writer's prepare_photo()
                                   * result for its student (NULL entries for groups not
                                   * drawn); NULL for a separator */
  const char    *raster_sha256;   /* the page raster's digest; NULL when none was drawn */
} PsWriterPage;

/* A student's photo, converted once for the whole task (every copy, every
 * sheet, every writer). */
typedef struct {
  const PsRaster *device;         /* resampled to the slot size, in the printer's space */
  const PsRaster *srgb;           /* the same in sRGB: the device block itself for an
                                   * sRGB batch, NULL unless a writer wants sRGB */
  int offset_x, offset_y;         /* pixels: the block inside its slot (crop=fit) */
} PsPhotoBlocks;

/* One page composed by the pipeline. */
typedef struct {
  const PsRaster *device;         /* in the printer's space: what is printed */
  const PsRaster *srgb;           /* in sRGB, for previews; NULL unless a writer wants it */
} PsPageRasters;

typedef struct {
  const char *name;               /* for messages: "pdf", "tiff" ... */
  gpointer (*prepare_photo) (PsWriter *writer, const PsStudent *student,
                             const PsRawImage *raw, const char *path,
                             const PsPhotoBlocks *blocks, GError **error);
  GDestroyNotify free_photo;
  bool (*write_raster) (PsWriter *writer, const PsPage *page, const PsPageRasters *rasters,
                        GError **error);
  bool (*write_page) (PsWriter *writer, const PsWriterPage *page, GError **error);
  /* The calling thread, once the last page is through: commit the files.
   * Not called after a failure. */
  bool (*finish) (PsWriter *writer, GError **error);
  void (*free) (PsWriter *writer);   /* removes what was not finished */
} PsWriterClass;

/* Every writer struct starts with this. */
struct _PsWriter {
  const PsWriterClass *klass;
  bool wants_srgb;                /* write_raster needs PsPageRasters.srgb */
};

void _ps_writer_free (PsWriter *writer);

typedef struct {
  const PsBatch *batch;
  const size_t  *numbers;         /* 1-based page numbers to draw, NULL = every page */
  size_t         n_numbers;
  PsColor       *color;           /* the batch's, shared by the workers */
  PsWriter *const *writers;
  size_t         n_writers;
  int            jobs;            /* worker threads; <= 1 = none */
  const char    *mark;            /* reprint mark, or NULL */
  const size_t  *only_student;    /* NULL = every group; else only this student's
                                   * groups are drawn and only his photo is read */
  PsProgressFunc progress;        /* pages done / pages, calling thread */
  void          *progress_data;
} PsPipeline;

/* Draws the pages of @pipeline and hands them to its writers.
 * @raster_sha256 (out, nullable): per page of the run (in run order), the
 * raster digest (char*), NULL entries when no writer wanted rasters.  Fails with the first error of a worker or a writer; every
 * worker is joined before it returns. */
bool _ps_pipeline_run (const PsPipeline *pipeline, GPtrArray **raster_sha256, GError **error);

/* How many workers run and how many tasks they keep ahead (the window),
 * within PS_PIPELINE_MEMORY_BUDGET; no worker means the calling thread does
 * every task. */
void _ps_pipeline_plan_threads (const PsPipeline *pipeline, int *n_workers, size_t *window);

/* The raster size of a page of @batch, refused (PS_RENDER_ERROR_TOO_LARGE)
 * above PS_PIPELINE_MAX_PAGE_PIXELS. */
bool _ps_pipeline_page_size (const PsBatch *batch, int *width, int *height, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsWriter, _ps_writer_free)

G_END_DECLS

#endif /* PS_PIPELINE_PRIVATE_H */
