/* ps-output-private.h - the writers of a batch's files, and the file
 * plumbing they share (atomic writes, directories).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Needs cairo.  Each format is its own file
 * (ps-output-pdf.c, -tiff.c, -png.c, -csv.c), as the roster readers are.
 */
#ifndef PS_OUTPUT_PRIVATE_H
#define PS_OUTPUT_PRIVATE_H

#include "ps-pipeline-private.h"

G_BEGIN_DECLS

/* ---- files: every file appears under its final name only when complete ---- */

/* "DIR/.NAME.part" for "DIR/NAME" (transfer full). */
char *_ps_output_part_path (const char *path);
/* Renames @part to @path (unlinks @part on failure). */
bool _ps_output_commit_part (const char *part, const char *path, GError **error);
/* Writes @data to @path through a temporary file, fsync and rename. */
bool _ps_output_write_atomically (const char *path, const char *data, size_t len,
                                  GError **error);
bool _ps_output_make_dir (const char *path, GError **error);
/* Numbered files (NNNN@suffix) of an earlier, longer batch would read as
 * part of this one: removes those past @n_pages. */
void _ps_output_remove_stale_pages (const char *dir, const char *suffix, size_t n_pages);

/* ---- writers (see ps-pipeline-private.h); each fails with PS_OUTPUT_ERROR ---- */

/* @path: the PDF; every page, real text; with a printer profile in its
 * device space (photos, K-only black on CMYK) with an OutputIntent, else
 * sRGB (the original JPEG where it is one); every photo ICC-tagged. */
PsWriter *_ps_output_pdf_new (const PsBatch *batch, PsColor *color, const char *path,
                              GError **error);

/* What ps-output-pdf-tag.c does to a PDF cairo wrote. */
typedef struct {
  GBytes *icc;                    /* the profile every image is in */
  int channels;                   /* its colour space: 3 or 4 */
  const char *description;        /* the OutputIntent's condition, nullable */
  bool output_intent;             /* add /OutputIntents with @icc */
  PsColor *color;                 /* non-NULL: rewrite the content's DeviceRGB/Gray
                                   * colours to this CMYK device (black = K only) */
} PsPdfTag;

/* Reads @in, writes @out (qpdf, deterministic): image XObjects in
 * /DeviceRGB or /DeviceCMYK get [/ICCBased @icc]; see PsPdfTag.
 * PS_OUTPUT_ERROR_FAILED with qpdf's message. */
bool _ps_output_pdf_tag (const char *in, const char *out, const PsPdfTag *tag, GError **error);
/* @dir/NNNN.tif in the printer's space with its profile embedded. */
PsWriter *_ps_output_tiff_new (const PsBatch *batch, PsColor *color, const char *dir,
                               GError **error);
/* @dir/NNNN.png sRGB previews (@previews) and NNNN-proof.png soft proofs
 * (@proofs; with @paper_white the paper is simulated), sRGB-tagged, pHYs =
 * the batch's dpi. */
PsWriter *_ps_output_png_new (const PsBatch *batch, PsColor *color, const char *dir,
                              bool previews, bool proofs, bool paper_white, GError **error);
/* @path: a print job as PWG raster, the pages in the device's colour space
 * (type _ps_output_pwg_type()) on the layout's media at the batch's dpi. */
PsWriter *_ps_output_pwg_new (const PsBatch *batch, PsColor *color, const char *path,
                              GError **error);
/* "cmyk_8" (CMYK profile), "rgb_8" (RGB profile: device RGB) or "srgb_8". */
const char *_ps_output_pwg_type (const PsBatch *batch, PsColor *color);

/* manifest.csv: one row per page, written when the run finishes. */
PsWriter *_ps_output_manifest_new (const char *path);

/* exceptions.csv: the batch's problems, one row each. */
bool _ps_output_write_exceptions (const PsBatch *batch, const char *out_dir, GError **error);

G_END_DECLS

#endif /* PS_OUTPUT_PRIVATE_H */
