/* ps-render-batch-private.h - pages of a batch onto disk, for print and
 * reprint.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Includes no cairo header: print and reprint only ask for
 * files.
 */
#ifndef PS_RENDER_BATCH_PRIVATE_H
#define PS_RENDER_BATCH_PRIVATE_H

#include "ps-batch-private.h"

G_BEGIN_DECLS

/* In a batch folder: the lock a render (and a print) holds while it works
 * there, and the file that says which batch the folder holds (written
 * atomically when a render starts). */
#define PS_BATCH_LOCK_NAME   ".photosheet.lock"
#define PS_BATCH_MARKER_NAME ".photosheet-batch"

/* True if @dir holds a batch (its marker, a manifest or a ledger). */
bool _ps_render_batch_is_batch_dir (const char *dir);

/* Renders pages @numbers (1-based) of @batch, in one thread, with the
 * batch's settings: a PDF at @pdf_path (NULL = none), a PWG raster print
 * document at @pwg_path (NULL = none; the pages in the device's colour
 * space, see ps-output-pwg.c) and the raster formats of @formats
 * (PS_FORMAT_TIFF, _PNG) under @out_dir.  @mark: the reprint mark, or NULL.
 * Every photo is checked against the batch's digest
 * (PS_BATCH_ERROR_CHANGED), and so is the profile where the batch has only
 * its path. */
bool _ps_render_batch_pages (const PsBatch *batch, const size_t *numbers, size_t n,
                             const char *out_dir, const char *pdf_path, const char *pwg_path,
                             PsFormats formats, const char *mark, GError **error);
/* As _ps_render_batch_pages(), drawing on each page only the groups of
 * @student (an index into the batch's students), each where it was: a
 * reprint of one student of a shared sheet prints his group alone, in its
 * place, and reads no other photo. */
bool _ps_render_batch_student_pages (const PsBatch *batch, size_t student,
                                     const size_t *numbers, size_t n, const char *out_dir,
                                     const char *pdf_path, const char *pwg_path,
                                     PsFormats formats, const char *mark, GError **error);

G_END_DECLS

#endif /* PS_RENDER_BATCH_PRIVATE_H */
