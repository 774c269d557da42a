/* ps-private.h - internal types and cross-module functions of libphotosheet.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Tests may include it.  Cross-file symbols are `_ps_*` and
 * have hidden visibility (the library is built with gnu_symbol_visibility
 * 'hidden'; only PS_API symbols are exported).
 */
#ifndef PS_PRIVATE_H
#define PS_PRIVATE_H

#include "photosheet.h"

#include <cairo.h>
#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Data files (layouts, fonts): where they are found                  */
/* ------------------------------------------------------------------ */

/* $PHOTOSHEET_DATA_DIR, else the source tree (uninstalled build), else the
 * installed data dir.  Holds layouts/ and fonts/. */
const char *_ps_get_data_dir (void);

/* ------------------------------------------------------------------ */
/* Roster internals (ps-roster*.c)                                    */
/* ------------------------------------------------------------------ */

struct _PsRecord {
  int   row;                    /* Excel row, header = 1 */
  char *values[PS_N_FIELDS];    /* trimmed; NULL if absent/empty; xm/zjhm masked */
};

struct _PsRoster {
  char *path;
  char *format;                 /* "csv", "xlsx", "jsonl" */
  const char *encoding;         /* static string */
  char *sha256;
  size_t n_rows;
  GPtrArray *records;           /* PsRecord*, roster order */
  GPtrArray *problems;          /* PsProblem*, row order */
  GPtrArray *warnings;          /* PsProblem*, row order; NULL = none (ledger rosters) */
  PsRosterOptions options;
};

void _ps_record_free (PsRecord *record);

/* ------------------------------------------------------------------ */
/* Photo decoding (ps-photo.c)                                        */
/* ------------------------------------------------------------------ */

/* A decoded photo, as stored (not yet oriented or colour-converted). */
typedef struct {
  int     width;          /* pixels as stored */
  int     height;
  int     channels;       /* 1 gray, 3 RGB, 4 CMYK (alpha is flattened over white) */
  int     bits;           /* 8 or 16; 16-bit samples in native byte order */
  bool    adobe_inverted; /* CMYK JPEG written inverted (Adobe APP14) */
  size_t  stride;         /* bytes per row */
  guint8 *pixels;
  GBytes *icc;            /* embedded ICC profile, or NULL */
  int     orientation;    /* EXIF 1..8 */
} PsRawImage;

/* Decodes the whole photo after the same header checks as ps_photo_probe(). */
PsRawImage *_ps_photo_decode (const char *path, const PsPhotoLimits *limits,
                              GError **error);
void _ps_raw_image_free (PsRawImage *image);
void _ps_photo_limits_resolve (const PsPhotoLimits *in, PsPhotoLimits *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRawImage, _ps_raw_image_free)

/* ------------------------------------------------------------------ */
/* Colour (ps-color.c): lcms2 with one context per PsColor            */
/* ------------------------------------------------------------------ */

typedef struct _PsColor PsColor;

/* @output_profile: path of the printer profile, NULL = sRGB.
 * Transforms are built lazily, once per (source profile, format) and cached;
 * a PsColor may be used from several threads. */
PsColor *_ps_color_new (const char *output_profile, PsIntent intent, bool bpc,
                        GError **error);
void _ps_color_free (PsColor *color);

/* Photo -> sRGB, oriented per EXIF, as a CAIRO_FORMAT_RGB24 surface.
 * Uses the embedded profile when there is a usable one, else sRGB (gray:
 * sRGB gray, CMYK: a generic CMYK).  Returns NULL with PS_COLOR_ERROR. */
cairo_surface_t *_ps_color_photo_to_surface (PsColor *color, const PsRawImage *image,
                                             GError **error);

/* sRGB page (RGB24 or ARGB32, opaque) -> output space, 8 bits per sample,
 * _ps_color_get_output_channels() samples per pixel, rows of @out_stride. */
bool _ps_color_page_to_output (PsColor *color, cairo_surface_t *page,
                               guint8 *out, size_t out_stride, GError **error);
/* Same, one row at a time (for streaming writers). */
void _ps_color_row_to_output (PsColor *color, const guint8 *argb_row, guint8 *out_row,
                              int width);

/* Soft proof: simulate the print on screen, in place on an sRGB surface. */
bool _ps_color_proof_surface (PsColor *color, cairo_surface_t *page, GError **error);

int _ps_color_get_output_channels (const PsColor *color);   /* 3 or 4 */
/* Returns: (transfer none): the output profile bytes, to embed. */
GBytes *_ps_color_get_output_icc (const PsColor *color);
/* Returns: (transfer none): description of the output profile. */
const char *_ps_color_get_output_name (const PsColor *color);

/* ------------------------------------------------------------------ */
/* Layout internals (ps-layout.c)                                     */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_CROP_COVER,   /* fill the slot, centred crop */
  PS_CROP_FIT,     /* whole photo inside the slot, letterboxed */
} PsCrop;

typedef struct {
  char  *family;     /* Pango family list, e.g. "Noto Sans CJK SC, HanaMinA, HanaMinB" */
  double size_max;   /* points */
  double size_min;   /* points */
} PsFontSpec;

struct _PsLayout {
  char  *name;
  char  *path;
  char  *text;             /* the layout file as loaded, verbatim (for the ledger) */
  char  *description;
  double sheet_width;      /* points, after orientation */
  double sheet_height;     /* points */
  bool   landscape;
  double margin_top, margin_right, margin_bottom, margin_left;   /* points */
  int    dpi;
  char  *media;            /* PWG media name */

  /* photos */
  double photo_width;      /* points */
  double photo_height;     /* points */
  PsCrop crop;
  int    columns, rows;
  double gap_x, gap_y;     /* points between cells */
  int    copies;           /* per sheet, <= n slots */
  GArray *slots;           /* PsRect, photo rectangles, row-major */

  /* per-copy caption under each photo */
  PsField copy_fields[PS_N_FIELDS];
  size_t  n_copy_fields;
  double  copy_caption_height;   /* points, directly below each slot */
  PsFontSpec copy_font;

  /* the sheet's caption strip */
  PsField strip_fields[PS_N_FIELDS];
  size_t  n_strip_fields;
  bool    strip_labels;          /* "学号 2018…" rather than the bare value */
  PsRect  strip;                 /* points */
  PsFontSpec strip_font;

  /* cut marks, outside the photo rectangles */
  bool   cut_marks;
  double mark_length;            /* points */
  double mark_offset;            /* points from the photo edge */
  double mark_width;             /* line width, points */

  /* separator page */
  PsFontSpec sep_title_font;     /* class name */
  PsFontSpec sep_text_font;      /* school code, counts, student list */
  double tab_width;              /* points, black tab bled off the right edge */
  double tab_height;             /* points */
  int    tab_steps;              /* tab positions before it starts over */

  /* where a reprint mark goes: in the margin, outside every photo */
  PsRect reprint_mark;
};

/* Parses layout text (@path only names it in messages). */
PsLayout *_ps_layout_load_from_data (const char *name, const char *path, const char *contents,
                                     gsize length, GError **error);

/* ------------------------------------------------------------------ */
/* Fonts (ps-fonts.c): a private fontconfig configuration             */
/* ------------------------------------------------------------------ */

/* The font map built from fonts/fonts.conf; shared, do not unref.
 * Thread-safe to call; layouts must still be used from one thread each. */
PangoFontMap *_ps_fonts_get_font_map (void);
/* A new Pango context on the private font map (caller unrefs). */
PangoContext *_ps_fonts_new_context (void);
/* Returns: true if every character of @text has a glyph in @family's chain;
 * otherwise false and *@missing (if not NULL) = first uncovered char (UTF-8,
 * caller frees). */
bool _ps_fonts_covers (const char *family, const char *text, char **missing);

/* ------------------------------------------------------------------ */
/* Plan (ps-plan.c): records -> ordered pages                         */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_PAGE_SEPARATOR,
  PS_PAGE_SHEET,
} PsPageKind;

typedef struct {
  char   *name;        /* 班级 */
  char   *yxdm;        /* 院校代码 of its first student, may be NULL */
  GArray *records;     /* size_t record indices, in print order */
} PsClass;

typedef struct {
  PsPageKind kind;
  size_t number;       /* 1-based page number */
  size_t class_index;  /* 0-based */
  size_t record;       /* record index (sheets only) */
  int    seq;          /* 1-based position of the student in the class */
  int    copies;       /* photos on this sheet */
  int    sheet;        /* 1-based sheet of this student */
  int    n_sheets;     /* sheets this student gets */
} PsPage;

typedef struct {
  GPtrArray *classes;  /* PsClass* */
  GArray    *pages;    /* PsPage */
  size_t     n_students;
} PsPlan;

/* Only records with @include[i] true are planned (NULL = all). */
PsPlan *_ps_plan_new (const PsRoster *roster, const bool *include,
                      const PsLayout *layout, PsOrder order);
void _ps_plan_free (PsPlan *plan);
/* For rebuilding a plan (the ledger): an empty plan, and a class appended
 * to it (transfer none; fill klass->records, then plan->pages). */
PsPlan *_ps_plan_new_empty (void);
PsClass *_ps_plan_add_class (PsPlan *plan, const char *name, const char *yxdm);

/* ------------------------------------------------------------------ */
/* Render (ps-render.c): one page onto a cairo context                */
/* ------------------------------------------------------------------ */

typedef struct _PsRenderer PsRenderer;

PsRenderer *_ps_renderer_new (const PsLayout *layout, PsMaskStyle style);
void _ps_renderer_free (PsRenderer *renderer);
/* Draws @page in points onto @cr (whose CTM maps points to the device).
 * @photo: the student's photo in sRGB (sheets), NULL for a separator. */
bool _ps_renderer_draw_page (PsRenderer *renderer, cairo_t *cr, const PsRoster *roster,
                             const PsPlan *plan, const PsPage *page,
                             cairo_surface_t *photo, GError **error);
/* Draws @text (e.g. "补 2026-11-22") in the layout's reprint-mark area,
 * outside every photo. */
void _ps_renderer_draw_mark (PsRenderer *renderer, cairo_t *cr, const char *text);
/* Checks that the captions of @record fit the layout at min size. */
bool _ps_renderer_check_record (PsRenderer *renderer, const PsRecord *record,
                                GError **error);

/* ------------------------------------------------------------------ */
/* Print jobs: states shared by the ledger and the queue              */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_JOB_CREATED,      /* recorded, not yet accepted by CUPS */
  PS_JOB_PENDING,      /* CUPS job states from here (IPP job-state 3..9) */
  PS_JOB_HELD,
  PS_JOB_PROCESSING,
  PS_JOB_STOPPED,
  PS_JOB_CANCELED,
  PS_JOB_ABORTED,
  PS_JOB_COMPLETED,
} PsJobState;

/* "created", "pending", ... "completed" */
const char *_ps_job_state_to_string (PsJobState state);
bool _ps_job_state_is_final (PsJobState state);   /* canceled, aborted, completed */

/* ------------------------------------------------------------------ */
/* Ledger (ps-ledger.c): SQLite, WAL, every write in a transaction    */
/* ------------------------------------------------------------------ */

/* What a batch was rendered with: enough to render any page again. */
typedef struct {
  char *key;              /* sha256 of the roster bytes + settings + out dir */
  char *out_dir;          /* absolute */
  char *roster_path;
  char *roster_sha256;
  char *layout_name;
  char *layout_text;      /* the layout file's contents, verbatim */
  char *profile_path;     /* NULL = built-in sRGB */
  char *profile_sha256;   /* NULL when profile_path is NULL */
  int   intent;           /* PsIntent */
  bool  bpc;
  int   dpi;
  int   order;            /* PsOrder */
  unsigned formats;       /* PsFormats */
  char *engine_version;
} PsLedgerBatch;

void _ps_ledger_batch_clear (PsLedgerBatch *batch);

/* Writes a rendered batch in one transaction: batch, classes, students (the
 * records the plan prints; masked values only), pages.  A batch with the
 * same key is updated in place - its jobs and reprints are kept.
 * @photo_paths, @photo_sha256: per roster record index (NULL for records
 * not in the plan).  @page_sha256: per page (index = number - 1), entries
 * may be NULL.  Returns: the batch id (> 0), or 0 with PS_LEDGER_ERROR. */
gint64 _ps_ledger_record_batch (PsLedger *ledger, const PsLedgerBatch *batch,
                                const PsRoster *roster, const PsPlan *plan,
                                char *const *photo_paths, char *const *photo_sha256,
                                char *const *page_sha256, GError **error);

/* A batch as recorded, ready to render again. */
typedef struct {
  gint64        id;
  PsLedgerBatch batch;
  PsRoster     *roster;        /* synthetic: one record per student, plan order */
  PsPlan       *plan;          /* as rendered; page.record indexes roster records */
  GPtrArray    *photo_paths;   /* char*, per roster record */
  GPtrArray    *photo_sha256;  /* char*, per roster record */
  GArray       *student_ids;   /* gint64, per roster record */
  GPtrArray    *page_sha256;   /* char* or NULL, per page */
} PsLedgerBatchData;

PsLedgerBatchData *_ps_ledger_load_batch (PsLedger *ledger, gint64 batch_id, GError **error);
void _ps_ledger_batch_data_free (PsLedgerBatchData *data);
/* The latest batch rendered into @out_dir (absolute or relative), or 0 with
 * PS_LEDGER_ERROR_NOT_FOUND. */
gint64 _ps_ledger_find_batch_by_dir (PsLedger *ledger, const char *out_dir, GError **error);

typedef struct {
  gint64 batch_id;
  gint64 student_id;
} PsLedgerMatch;

/* Students matching every non-NULL key, newest batch first.
 * Returns: (transfer full): GArray of PsLedgerMatch (maybe empty), NULL on error. */
GArray *_ps_ledger_find_students (PsLedger *ledger, const char *xh, const char *cjm,
                                  const char *yxdm, const char *id_last4, GError **error);

typedef struct {
  gint64     id;
  gint64     batch_id;
  int        cups_id;      /* 0 until CUPS accepted it */
  char      *printer;
  char      *name;         /* job-name, unique per ledger */
  PsJobState state;
  char      *reason;       /* last job-state-reasons / message, or NULL */
} PsLedgerJob;

void _ps_ledger_job_free (PsLedgerJob *job);

/* Records a job about to be submitted (state created) with its pages. */
gint64 _ps_ledger_job_create (PsLedger *ledger, gint64 batch_id, const char *printer,
                              const char *name, const size_t *pages, size_t n_pages,
                              GError **error);
bool _ps_ledger_job_set_cups_id (PsLedger *ledger, gint64 job_id, int cups_id, GError **error);
/* Records a state change (and a row in the job's history when it changed). */
bool _ps_ledger_job_set_state (PsLedger *ledger, gint64 job_id, PsJobState state,
                               const char *reason, GError **error);
/* Returns: (transfer full): PsLedgerJob*, oldest first; batch_id 0 = all. */
GPtrArray *_ps_ledger_list_jobs (PsLedger *ledger, gint64 batch_id, GError **error);
/* Returns: (transfer full): size_t page numbers of a job, ascending. */
GArray *_ps_ledger_job_pages (PsLedger *ledger, gint64 job_id, GError **error);
/* Pages of @batch_id with no completed job, ascending (size_t numbers). */
GArray *_ps_ledger_pages_pending (PsLedger *ledger, gint64 batch_id, GError **error);

/* Records a reprint of one student's sheet; @job_id 0 when not queued. */
gint64 _ps_ledger_reprint_add (PsLedger *ledger, gint64 batch_id, gint64 student_id,
                               const char *reason, const char *out_path, gint64 job_id,
                               GError **error);

/* A human summary: batches, classes, pages printed / pending / failed, jobs
 * with CUPS state and reason.  @batch_id 0 = every batch. */
char *_ps_ledger_format_status (PsLedger *ledger, gint64 batch_id, GError **error);

/* Renders pages @numbers (1-based) of a recorded batch again, with the
 * recorded layout, profile and settings, after checking that every photo
 * and the profile are unchanged (PS_LEDGER_ERROR_MISMATCH).  @pdf_path:
 * the PDF to write (NULL = none); tiff/ and png/ go under @out_dir.
 * @mark: reprint mark text or NULL.  @page_sha256 (out, nullable): per
 * rendered page, the raster digest (when a raster format was asked). */
bool _ps_output_render_recorded (PsLedgerBatchData *data, const size_t *numbers, size_t n,
                                 const char *out_dir, const char *pdf_path, unsigned formats,
                                 const char *mark, char ***page_sha256, GError **error);

/* ------------------------------------------------------------------ */
/* Queue (ps-queue.c): CUPS destinations API, no PPD                  */
/* ------------------------------------------------------------------ */

typedef struct _PsQueue PsQueue;

/* @server: "host:port" or NULL for the default (CUPS_SERVER / client.conf). */
PsQueue *_ps_queue_open (const char *printer, const char *server, GError **error);
void _ps_queue_free (PsQueue *queue);
/* Refuses (PS_QUEUE_ERROR_MEDIA, listing the sizes it has) a printer whose
 * media list lacks the sheet size (PWG name or dimensions in points). */
bool _ps_queue_check_media (PsQueue *queue, const char *pwg_media, double width,
                            double height, GError **error);
/* Submits one PDF file as one job: Create-Job + Send-Document.  @options:
 * NULL-terminated "name=value" strings, added after the built-in ones
 * (media, print-scaling=none, colour handled by the application).
 * Returns: the CUPS job id, or 0 with PS_QUEUE_ERROR. */
int _ps_queue_submit (PsQueue *queue, const char *title, const char *pdf_path,
                      const char *media, char *const *options, GError **error);
/* The id of a job of this queue named @title (any state), 0 if none. */
int _ps_queue_find_job (PsQueue *queue, const char *title, GError **error);
/* Get-Job-Attributes: state and reason (job-state-reasons, job-printer-state-message). */
bool _ps_queue_get_job_state (PsQueue *queue, int job_id, PsJobState *state, char **reason,
                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLedgerBatchData, _ps_ledger_batch_data_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLedgerJob, _ps_ledger_job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsQueue, _ps_queue_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsColor, _ps_color_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPlan, _ps_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRenderer, _ps_renderer_free)

G_END_DECLS

#endif /* PS_PRIVATE_H */
