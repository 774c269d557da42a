/* ps-render-batch.c - the render orchestrator: a batch -> pipeline ->
 * writers -> ledger; and the rules of a batch folder.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The one place that knows the order of the work.  The writers write, the
 * pipeline draws, the ledger stores; none of them knows the others.
 *
 * A batch folder holds one batch.  A render takes the folder's lock file
 * first (a second render, or a print, waits its turn: refused, not
 * interleaved), then looks at what is there: nothing, or the same batch
 * (its marker file names the batch by its roster and settings) - rendered
 * again in place, deterministic bytes; or something else, refused unless
 * forced, and forced only over what photosheet writes.
 */
#include "config.h"
#include "ps-render-batch-private.h"
#include "ps-ledger-private.h"
#include "ps-output-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define MAX_JOBS 256

struct _PsRenderOptions {
  int jobs;                    /* 0 = one per core */
  bool skip_invalid;
  bool record;
  bool force;                  /* clean a folder that holds something else */
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
ps_render_options_set_force (PsRenderOptions *options, bool force)
{
  g_return_if_fail (options != NULL);
  options->force = force;
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

/* ------------------------------------------------------------------ */
/* The batch folder                                                   */
/* ------------------------------------------------------------------ */

#define MARKER_HEADER "photosheet batch\n"

/* The batch by what it is made of - roster, layout, profile, settings -
 * and not where it is: two folders of one batch have the same marker. */
static char *
batch_identity (const PsBatch *batch)
{
  const PsBatchSettings *s = &batch->settings;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *settings = g_strdup_printf ("%s\n%s\n%s\n%d\n%d\n%d\n%d\n%u\n%d\n%d\n",
                                               s->roster_sha256 ? s->roster_sha256 : "-",
                                               s->layout_name ? s->layout_name : "-",
                                               s->profile_sha256 ? s->profile_sha256 : "srgb",
                                               s->intent, s->bpc, s->dpi, s->order,
                                               (unsigned) s->formats, s->tiff_compression,
                                               s->mask_style);
  g_checksum_update (sum, (const guchar *) settings, -1);
  /* Copies and imposition make other pages of the same roster; only when
   * set, as in the ledger's batch key, so that a batch of the layout's
   * copies keeps its identity. */
  if (s->copies != 0 || s->impose != PS_IMPOSE_SEQUENCE)
    {
      g_autofree char *imposition = g_strdup_printf ("copies %d impose %d\n", s->copies,
                                                     (int) s->impose);
      g_checksum_update (sum, (const guchar *) imposition, -1);
    }
  if (s->layout_text != NULL)
    g_checksum_update (sum, (const guchar *) s->layout_text, -1);
  return g_strdup (g_checksum_get_string (sum));
}

typedef enum { MARKER_NONE, MARKER_RENDERING, MARKER_REFUSED, MARKER_RENDERED } MarkerState;

static const char *const marker_states[] = { "none", "rendering", "refused", "rendered" };

static bool
write_marker (const char *out_dir, const char *identity, MarkerState state, GError **error)
{
  g_autofree char *path = g_build_filename (out_dir, PS_BATCH_MARKER_NAME, NULL);
  g_autofree char *text = g_strdup_printf (MARKER_HEADER "identity %s\nstate %s\n", identity,
                                           marker_states[state]);
  return _ps_output_write_atomically (path, text, strlen (text), error);
}

/* The marker's identity (transfer full) and state; NULL when there is
 * none or it is not one. */
static char *
read_marker (const char *out_dir, MarkerState *state)
{
  g_autofree char *path = g_build_filename (out_dir, PS_BATCH_MARKER_NAME, NULL);
  g_autofree char *text = NULL;
  *state = MARKER_NONE;
  if (!g_file_get_contents (path, &text, NULL, NULL) || !g_str_has_prefix (text, MARKER_HEADER))
    return NULL;
  g_auto (GStrv) lines = g_strsplit (text + strlen (MARKER_HEADER), "\n", -1);
  g_autofree char *identity = NULL;
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "identity "))
        {
          g_free (identity);
          identity = g_strdup (lines[i] + strlen ("identity "));
        }
      else if (g_str_has_prefix (lines[i], "state "))
        for (size_t k = 1; k < G_N_ELEMENTS (marker_states); k++)
          if (strcmp (lines[i] + strlen ("state "), marker_states[k]) == 0)
            *state = (MarkerState) k;
    }
  return g_steal_pointer (&identity);
}

bool
_ps_render_batch_is_batch_dir (const char *dir)
{
  static const char *const names[] = { PS_BATCH_MARKER_NAME, "manifest.csv", "ledger.sqlite" };
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return true;
    }
  return false;
}

static bool
is_ledger_name (const char *name)
{
  return g_str_has_prefix (name, "ledger.sqlite");
}

/* What photosheet writes in a batch folder (a temporary of any of them
 * too): what --force may remove. */
static bool
is_ours (const char *sub, const char *name, bool is_dir)
{
  size_t len = strlen (name);
  if (name[0] == '.' && g_str_has_suffix (name, ".part"))
    return !is_dir;
  if (sub == NULL)
    {
      if (is_dir)
        return strcmp (name, "tiff") == 0 || strcmp (name, "png") == 0
               || strcmp (name, "jobs") == 0;
      if (strcmp (name, "sheets.pdf") == 0 || strcmp (name, "reprint.pdf") == 0
          || strcmp (name, "reprint.pwg") == 0
          || strcmp (name, PS_BATCH_MARKER_NAME) == 0)
        return true;
      /* csv files and g_file_set_contents()'s temporaries of them */
      static const char *const csv[] = { "manifest.csv", "exceptions.csv", PS_BATCH_MARKER_NAME };
      for (size_t i = 0; i < G_N_ELEMENTS (csv); i++)
        if (g_str_has_prefix (name, csv[i]) && (len == strlen (csv[i])
                                                || (len == strlen (csv[i]) + 7
                                                    && name[strlen (csv[i])] == '.')))
          return true;
      return false;
    }
  if (is_dir)
    return false;
  if (strcmp (sub, "jobs") == 0)
    return g_str_has_prefix (name, "job-")
           && (g_str_has_suffix (name, ".pdf") || g_str_has_suffix (name, ".pwg"));
  const char *suffix = strcmp (sub, "tiff") == 0 ? ".tif" : ".png";
  bool digits = len >= 4 && g_ascii_isdigit (name[0]) && g_ascii_isdigit (name[1])
                && g_ascii_isdigit (name[2]) && g_ascii_isdigit (name[3]);
  return digits && (strcmp (name + 4, suffix) == 0
                    || (strcmp (sub, "png") == 0 && strcmp (name + 4, "-proof.png") == 0));
}

/* The entries of @dir but the lock, and whether each is ours; with @remove,
 * removes ours (ledgers excepted). */
static bool
scan_folder (const char *dir, const char *sub, bool remove, size_t *n_entries,
             GPtrArray *foreign, GError **error)
{
  g_autofree char *path = sub != NULL ? g_build_filename (dir, sub, NULL) : g_strdup (dir);
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = g_dir_open (path, 0, &local);
  if (d == NULL)
    {
      g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "%s", local->message);
      return false;
    }
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (sub == NULL && strcmp (name, PS_BATCH_LOCK_NAME) == 0)
        continue;
      g_autofree char *child = g_build_filename (path, name, NULL);
      bool is_dir = g_file_test (child, G_FILE_TEST_IS_DIR)
                    && !g_file_test (child, G_FILE_TEST_IS_SYMLINK);
      /* A ledger is no batch: a folder with only one is empty. */
      if (sub == NULL && is_ledger_name (name) && !is_dir)
        continue;
      (*n_entries)++;
      if (!is_ours (sub, name, is_dir))
        {
          g_ptr_array_add (foreign, sub != NULL ? g_build_filename (sub, name, NULL)
                                                : g_strdup (name));
          continue;
        }
      if (is_dir)
        {
          size_t n_sub = 0;
          if (!scan_folder (dir, name, remove, &n_sub, foreign, error))
            return false;
          if (remove && g_rmdir (child) != 0 && errno != ENOTEMPTY && errno != EEXIST)
            {
              int saved = errno;
              g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO,
                           "cannot remove '%s': %s", child, g_strerror (saved));
              return false;
            }
        }
      else if (remove && g_unlink (child) != 0)
        {
          int saved = errno;
          g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_IO, "cannot remove '%s': %s",
                       child, g_strerror (saved));
          return false;
        }
    }
  return true;
}

/* Takes the folder for @batch: locked, holding nothing or this batch (or,
 * forced, cleaned of another), its marker saying "rendering". */
static bool
take_folder (const PsBatch *batch, const char *out_dir, const PsRenderOptions *options,
             int *lock, char **identity, GError **error)
{
  if (!_ps_output_make_dir (out_dir, error))
    return false;
  g_autofree char *lock_path = g_build_filename (out_dir, PS_BATCH_LOCK_NAME, NULL);
  bool busy = false;
  g_autoptr (GError) local = NULL;
  *lock = _ps_core_lock (lock_path, &busy, &local);
  if (*lock < 0)
    {
      g_set_error (error, PS_OUTPUT_ERROR, busy ? PS_OUTPUT_ERROR_LOCKED : PS_OUTPUT_ERROR_IO,
                   busy ? "another photosheet is rendering or printing in '%s' (%s)"
                        : "'%s': %s", out_dir, local->message);
      return false;
    }

  *identity = batch_identity (batch);
  MarkerState state = MARKER_NONE;
  g_autofree char *recorded = read_marker (out_dir, &state);
  size_t n_entries = 0;
  g_autoptr (GPtrArray) foreign = g_ptr_array_new_with_free_func (g_free);
  if (!scan_folder (out_dir, NULL, false, &n_entries, foreign, error))
    return false;

  bool same = recorded != NULL && strcmp (recorded, *identity) == 0;
  /* A refused batch left only its exceptions: any batch may take over. */
  bool only_refusal = state == MARKER_REFUSED && foreign->len == 0;
  if (n_entries > 0 && !same && !only_refusal)
    {
      if (!options->force)
        {
          g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_NOT_EMPTY,
                       recorded != NULL
                         ? "'%s' holds another batch (other roster or settings): render into "
                           "an empty folder, or --force to replace it"
                         : "'%s' is not empty and holds no photosheet batch: render into an "
                           "empty folder, or --force to replace what photosheet wrote there",
                       out_dir);
          return false;
        }
      if (foreign->len > 0)
        {
          g_ptr_array_add (foreign, NULL);
          g_autofree char *list = g_strjoinv ("', '", (char **) foreign->pdata);
          g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_NOT_EMPTY,
                       "'%s' holds files photosheet did not write ('%s'): --force removes "
                       "only a batch's own files; choose another folder", out_dir, list);
          return false;
        }
    }
  if (n_entries > 0 && !same)
    {
      /* Stale files of the other batch go before anything of this one is
       * written (the ledgers stay: they are the record of what was
       * printed). */
      size_t ignored = 0;
      g_autoptr (GPtrArray) none = g_ptr_array_new_with_free_func (g_free);
      if (!scan_folder (out_dir, NULL, true, &ignored, none, error))
        return false;
    }
  return write_marker (out_dir, *identity, MARKER_RENDERING, error);
}

static void
release_folder (int *lock)
{
  _ps_core_unlock (*lock);
  *lock = -1;
}

typedef int FolderLock;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FolderLock, release_folder)

bool
ps_render_batch (const PsBatch *batch, const char *out_dir, const PsRenderOptions *in_options,
                 GError **error)
{
  g_return_val_if_fail (batch != NULL && out_dir != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autoptr (PsRenderOptions) defaults = in_options == NULL ? ps_render_options_new () : NULL;
  const PsRenderOptions *options = in_options != NULL ? in_options : defaults;

  g_auto (FolderLock) lock = -1;
  g_autofree char *identity = NULL;
  if (!take_folder (batch, out_dir, options, &lock, &identity, error))
    return false;

  /* The exceptions come first, so that a refused batch still says why. */
  if (!_ps_output_write_exceptions (batch, out_dir, error))
    return false;
  size_t n_problems = batch->problems->len;
  if ((n_problems > 0 && !options->skip_invalid) || batch->students->len == 0)
    {
      if (!write_marker (out_dir, identity, MARKER_REFUSED, error))
        return false;
      if (n_problems > 0 && !options->skip_invalid)
        g_set_error (error, PS_BATCH_ERROR, PS_BATCH_ERROR_REFUSED,
                     "%zu problem%s in the batch: nothing rendered (see %s/exceptions.csv; "
                     "--skip-invalid renders the rest)",
                     n_problems, n_problems == 1 ? "" : "s", out_dir);
      else
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
  return write_marker (out_dir, identity, MARKER_RENDERED, error);
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
