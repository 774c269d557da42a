/* ps-render-batch.c - the render orchestrator: a batch -> pipeline ->
 * writers -> ledger.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The one place that knows the order of the work.  The writers write, the
 * pipeline draws, the ledger stores; none of them knows the others.
 */
#include "config.h"
#include "ps-render-batch-private.h"
#include "ps-ledger-private.h"
#include "ps-output-private.h"

#include <string.h>

#define MAX_JOBS 256

struct _PsRenderOptions {
  int jobs;                    /* 0 = one per core */
  bool skip_invalid;
  bool record;
  char *ledger_path;           /* NULL = OUT/ledger.sqlite */
  PsProgressFunc progress;
  void *progress_data;
};

PsRenderOptions *
ps_render_options_new (void)
{
  PsRenderOptions *o = g_new0 (PsRenderOptions, 1);
  o->record = true;
  return o;
}

void
ps_render_options_free (PsRenderOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->ledger_path);
  g_free (options);
}

bool
ps_render_options_set_jobs (PsRenderOptions *options, int jobs, GError **error)
{
  g_return_val_if_fail (options != NULL, false);
  if (jobs < 0 || jobs > MAX_JOBS)
    {
      g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_INVALID,
                   "jobs must be 1..%d (or 0 for one per core), not %d", MAX_JOBS, jobs);
      return false;
    }
  options->jobs = jobs;
  return true;
}

void
ps_render_options_set_skip_invalid (PsRenderOptions *options, bool skip)
{
  g_return_if_fail (options != NULL);
  options->skip_invalid = skip;
}

void
ps_render_options_set_ledger_path (PsRenderOptions *options, const char *path)
{
  g_return_if_fail (options != NULL);
  g_free (options->ledger_path);
  options->ledger_path = g_strdup (path);
}

void
ps_render_options_set_record (PsRenderOptions *options, bool record)
{
  g_return_if_fail (options != NULL);
  options->record = record;
}

void
ps_render_options_set_progress (PsRenderOptions *options, PsProgressFunc func, void *user_data)
{
  g_return_if_fail (options != NULL);
  options->progress = func;
  options->progress_data = user_data;
}

/* The colour pipeline of a batch.  A batch recorded with only the path of
 * its profile (ledgers before schema 2) must still find the same bytes
 * there. */
static PsColor *
batch_color (const PsBatch *batch, GError **error)
{
  const PsBatchSettings *s = &batch->settings;
  g_autoptr (GBytes) icc = s->profile != NULL ? g_bytes_ref (s->profile) : NULL;
  if (icc == NULL && s->profile_path != NULL)
    {
      icc = _ps_color_read_profile (s->profile_path, error);
      if (icc == NULL)
        return NULL;
      gsize len = 0;
      const void *data = g_bytes_get_data (icc, &len);
      g_autofree char *sha = _ps_core_sha256 (data, len);
      if (g_strcmp0 (sha, s->profile_sha256) != 0)
        {
          g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_CHANGED,
                       "profile '%s' has changed since the batch was rendered", s->profile_path);
          return NULL;
        }
    }
  return _ps_color_new_from_icc (icc, s->profile_path, s->intent, s->bpc, error);
}

static bool
writers_finish (GPtrArray *writers, GError **error)
{
  for (size_t i = 0; i < writers->len; i++)
    {
      PsWriter *w = writers->pdata[i];
      if (w->klass->finish != NULL && !w->klass->finish (w, error))
        return false;
    }
  return true;
}

/* The writers of @formats into @out_dir (PDF at @pdf_path when not NULL);
 * the manifest too when @manifest_path is given. */
static GPtrArray *
writers_new (const PsBatch *batch, PsColor *color, const char *out_dir, const char *pdf_path,
             const char *pwg_path, PsFormats formats, const char *manifest_path, GError **error)
{
  g_autoptr (GPtrArray) writers = g_ptr_array_new_with_free_func ((GDestroyNotify) _ps_writer_free);
  PsWriter *w;
  if (!_ps_output_make_dir (out_dir, error))
    return NULL;
  if (pdf_path != NULL)
    {
      if ((w = _ps_output_pdf_new (batch, color, pdf_path, error)) == NULL)
        return NULL;
      g_ptr_array_add (writers, w);
    }
  if (pwg_path != NULL)
    {
      if ((w = _ps_output_pwg_new (batch, color, pwg_path, error)) == NULL)
        return NULL;
      g_ptr_array_add (writers, w);
    }
  if (formats & PS_FORMAT_TIFF)
    {
      g_autofree char *dir = g_build_filename (out_dir, "tiff", NULL);
      if ((w = _ps_output_tiff_new (batch, color, dir, error)) == NULL)
        return NULL;
      g_ptr_array_add (writers, w);
    }
  if (formats & (PS_FORMAT_PNG | PS_FORMAT_PROOF))
    {
      g_autofree char *dir = g_build_filename (out_dir, "png", NULL);
      if ((w = _ps_output_png_new (batch, color, dir, (formats & PS_FORMAT_PNG) != 0,
                                   (formats & PS_FORMAT_PROOF) != 0,
                                   (formats & PS_FORMAT_PROOF_PAPER) != 0, error)) == NULL)
        return NULL;
      g_ptr_array_add (writers, w);
    }
  if (manifest_path != NULL)
    g_ptr_array_add (writers, _ps_output_manifest_new (manifest_path));
  return g_steal_pointer (&writers);
}

static bool
run_pipeline (const PsBatch *batch, PsColor *color, GPtrArray *writers, const size_t *numbers,
              size_t n, int jobs, const char *mark, const size_t *only_student,
              PsProgressFunc progress, void *progress_data, GPtrArray **digests, GError **error)
{
  PsPipeline pipeline = {
    .batch = batch,
    .numbers = numbers,
    .n_numbers = n,
    .color = color,
    .writers = (PsWriter *const *) writers->pdata,
    .n_writers = writers->len,
    .jobs = jobs,
    .mark = mark,
    .only_student = only_student,
    .progress = progress,
    .progress_data = progress_data,
  };
  return _ps_pipeline_run (&pipeline, digests, error) && writers_finish (writers, error);
}

/* Writes the rendered batch into the ledger (OUT/ledger.sqlite unless
 * another one is named). */
static bool
record_in_ledger (const PsBatch *batch, const char *out_dir, const PsRenderOptions *options,
                  GPtrArray *digests, GError **error)
{
  g_autofree char *default_path = g_build_filename (out_dir, "ledger.sqlite", NULL);
  const char *path = options->ledger_path != NULL ? options->ledger_path : default_path;
  g_autoptr (PsLedger) ledger = ps_ledger_open (path, error);
  if (ledger == NULL)
    return false;
  return _ps_ledger_save_batch (ledger, batch, out_dir,
                                digests != NULL ? (char *const *) digests->pdata : NULL,
                                error) > 0;
}

bool
ps_render_batch (const PsBatch *batch, const char *out_dir, const PsRenderOptions *in_options,
                 GError **error)
{
  g_return_val_if_fail (batch != NULL && out_dir != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autoptr (PsRenderOptions) defaults = in_options == NULL ? ps_render_options_new () : NULL;
  const PsRenderOptions *options = in_options != NULL ? in_options : defaults;

  /* The exceptions come first, so that a refused batch still says why. */
  if (!_ps_output_make_dir (out_dir, error) || !_ps_output_write_exceptions (batch, out_dir, error))
    return false;
  size_t n_problems = batch->problems->len;
  if (n_problems > 0 && !options->skip_invalid)
    {
      g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_REFUSED,
                   "%zu problem%s in the batch: nothing rendered (see %s/exceptions.csv; "
                   "--skip-invalid renders the rest)",
                   n_problems, n_problems == 1 ? "" : "s", out_dir);
      return false;
    }
  if (batch->students->len == 0)
    {
      g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_REFUSED,
                   "no printable student in the batch: nothing rendered (see %s/exceptions.csv)",
                   out_dir);
      return false;
    }

  g_autoptr (PsColor) color = batch_color (batch, error);
  if (color == NULL)
    return false;
  PsFormats formats = batch->settings.formats;
  g_autofree char *pdf_path = g_build_filename (out_dir, "sheets.pdf", NULL);
  g_autofree char *manifest_path = g_build_filename (out_dir, "manifest.csv", NULL);
  g_autoptr (GPtrArray) writers = writers_new (batch, color, out_dir,
                                               (formats & PS_FORMAT_PDF) ? pdf_path : NULL, NULL,
                                               formats, manifest_path, error);
  if (writers == NULL)
    return false;
  int jobs = options->jobs > 0 ? options->jobs : (int) g_get_num_processors ();
  g_autoptr (GPtrArray) digests = NULL;
  if (!run_pipeline (batch, color, writers, NULL, 0, jobs, NULL, NULL, options->progress,
                     options->progress_data, &digests, error))
    return false;
  if (options->record && !record_in_ledger (batch, out_dir, options, digests, error))
    return false;

  size_t n_pages = batch->pages->len;
  if (formats & PS_FORMAT_TIFF)
    {
      g_autofree char *dir = g_build_filename (out_dir, "tiff", NULL);
      _ps_output_remove_stale_pages (dir, ".tif", n_pages);
    }
  if (formats & PS_FORMAT_PNG)
    {
      g_autofree char *dir = g_build_filename (out_dir, "png", NULL);
      _ps_output_remove_stale_pages (dir, ".png", n_pages);
    }
  return true;
}

static bool
render_pages (const PsBatch *batch, const size_t *numbers, size_t n, const size_t *only_student,
              const char *out_dir, const char *pdf_path, const char *pwg_path, PsFormats formats,
              const char *mark, GError **error)
{
  g_autoptr (PsColor) color = batch_color (batch, error);
  if (color == NULL)
    return false;
  g_autoptr (GPtrArray) writers = writers_new (batch, color, out_dir, pdf_path, pwg_path,
                                               formats & (PS_FORMAT_TIFF | PS_FORMAT_PNG), NULL,
                                               error);
  if (writers == NULL)
    return false;
  /* A few pages: one thread. */
  return run_pipeline (batch, color, writers, numbers, n, 1, mark, only_student, NULL, NULL,
                       NULL, error);
}

bool
_ps_render_batch_pages (const PsBatch *batch, const size_t *numbers, size_t n,
                        const char *out_dir, const char *pdf_path, const char *pwg_path,
                        PsFormats formats, const char *mark, GError **error)
{
  g_return_val_if_fail (batch != NULL && out_dir != NULL, false);
  return render_pages (batch, numbers, n, NULL, out_dir, pdf_path, pwg_path, formats, mark,
                       error);
}

bool
_ps_render_batch_student_pages (const PsBatch *batch, size_t student, const size_t *numbers,
                                size_t n, const char *out_dir, const char *pdf_path,
                                const char *pwg_path, PsFormats formats, const char *mark,
                                GError **error)
{
  g_return_val_if_fail (batch != NULL && out_dir != NULL, false);
  g_return_val_if_fail (student < batch->students->len, false);
  return render_pages (batch, numbers, n, &student, out_dir, pdf_path, pwg_path, formats, mark,
                       error);
}
