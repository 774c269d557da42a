/* photosheet.h - the one public header of libphotosheet.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * photosheet turns a school's roster and the approved graduate ID photos into
 * print-ready, colour-managed sheets.  The data path is one way:
 *
 *   roster -> mask -> check (photos, records) -> plan -> render -> output
 *
 * Conventions (GLib style):
 *  - `GError **error` comes last; a function returns FALSE/NULL iff it set it.
 *  - `_new`/`_load` return an owned object freed with the matching `_free`.
 *  - `_get_*` lends: the result lives as long as the object it came from.
 *  - Geometry is in points (1/72 in) unless a name says `_mm` or `_px`.
 *  - No function here ever returns, logs or stores a full name or a full ID
 *    number: roster import masks them before anything else sees them.
 */
#ifndef PHOTOSHEET_H
#define PHOTOSHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

#if defined(PS_COMPILATION)
#define PS_API __attribute__((visibility("default")))
#else
#define PS_API
#endif

/* ------------------------------------------------------------------ */
/* Version                                                            */
/* ------------------------------------------------------------------ */

/**
 * ps_version:
 * Returns: (transfer none): the library version, e.g. "0.1.0".
 */
PS_API const char *ps_version (void);

/**
 * ps_shutdown:
 * Frees the process-wide state (font configuration, the calling thread's
 * font map, idle worker threads).  Call once at exit, after every
 * photosheet object is freed; no photosheet call may follow.
 */
PS_API void ps_shutdown (void);

/* ------------------------------------------------------------------ */
/* Error domains                                                      */
/* ------------------------------------------------------------------ */

#define PS_ROSTER_ERROR (ps_roster_error_quark ())
#define PS_PHOTO_ERROR  (ps_photo_error_quark ())
#define PS_LAYOUT_ERROR (ps_layout_error_quark ())
#define PS_COLOR_ERROR  (ps_color_error_quark ())
#define PS_RENDER_ERROR (ps_render_error_quark ())
#define PS_OUTPUT_ERROR (ps_output_error_quark ())
#define PS_CHECK_ERROR  (ps_check_error_quark ())
#define PS_LEDGER_ERROR (ps_ledger_error_quark ())
#define PS_QUEUE_ERROR  (ps_queue_error_quark ())

PS_API GQuark ps_roster_error_quark (void);
PS_API GQuark ps_photo_error_quark (void);
PS_API GQuark ps_layout_error_quark (void);
PS_API GQuark ps_color_error_quark (void);
PS_API GQuark ps_render_error_quark (void);
PS_API GQuark ps_output_error_quark (void);
PS_API GQuark ps_check_error_quark (void);
PS_API GQuark ps_ledger_error_quark (void);
PS_API GQuark ps_queue_error_quark (void);

typedef enum {
  PS_ROSTER_ERROR_OPEN,            /* file cannot be read */
  PS_ROSTER_ERROR_FORMAT,          /* not a CSV / XLSX / JSONL we can read */
  PS_ROSTER_ERROR_ENCODING,        /* bytes that are neither UTF-8 nor GB18030 */
  PS_ROSTER_ERROR_MISSING_COLUMN,  /* 学号, 姓名 or 班级 column absent */
  PS_ROSTER_ERROR_TOO_LARGE,       /* above the size limits */
  PS_ROSTER_ERROR_FAILED,
} PsRosterError;

typedef enum {
  PS_PHOTO_ERROR_NOT_FOUND,        /* no file for this record */
  PS_PHOTO_ERROR_UNSAFE_PATH,      /* photo column escapes the photos dir */
  PS_PHOTO_ERROR_OPEN,             /* cannot be read */
  PS_PHOTO_ERROR_EMPTY,            /* 0-byte file */
  PS_PHOTO_ERROR_UNSUPPORTED,      /* not JPEG / PNG / TIFF */
  PS_PHOTO_ERROR_CORRUPT,          /* truncated or undecodable */
  PS_PHOTO_ERROR_TOO_LARGE,        /* declared dimensions above the pixel limit */
  PS_PHOTO_ERROR_TOO_SMALL,        /* below the size the layout needs */
  PS_PHOTO_ERROR_ASPECT,           /* not near 3:4 */
  PS_PHOTO_ERROR_FAILED,
} PsPhotoError;

typedef enum {
  PS_LAYOUT_ERROR_NOT_FOUND,
  PS_LAYOUT_ERROR_PARSE,
  PS_LAYOUT_ERROR_MISSING_KEY,
  PS_LAYOUT_ERROR_INVALID_VALUE,
  PS_LAYOUT_ERROR_GEOMETRY,        /* overlapping, off the sheet, nothing fits */
  PS_LAYOUT_ERROR_FAILED,
} PsLayoutError;

typedef enum {
  PS_COLOR_ERROR_PROFILE,          /* unreadable or unusable ICC profile */
  PS_COLOR_ERROR_TRANSFORM,        /* lcms2 could not build the transform */
  PS_COLOR_ERROR_FAILED,
} PsColorError;

typedef enum {
  PS_RENDER_ERROR_CAPTION,         /* caption does not fit even at min size */
  PS_RENDER_ERROR_GLYPH,           /* character no font covers */
  PS_RENDER_ERROR_CAIRO,
  PS_RENDER_ERROR_FAILED,
} PsRenderError;

typedef enum {
  PS_OUTPUT_ERROR_IO,
  PS_OUTPUT_ERROR_REFUSED,         /* batch has problems and skip was not asked */
  PS_OUTPUT_ERROR_FAILED,
} PsOutputError;

typedef enum {
  PS_CHECK_ERROR_PHOTOS_DIR,       /* photos directory missing/unreadable */
  PS_CHECK_ERROR_FAILED,
} PsCheckError;

typedef enum {
  PS_LEDGER_ERROR_OPEN,            /* cannot open or create the database */
  PS_LEDGER_ERROR_SCHEMA,          /* written by a newer photosheet */
  PS_LEDGER_ERROR_NOT_FOUND,       /* no such batch / student / page */
  PS_LEDGER_ERROR_MISMATCH,        /* a photo or profile changed since the batch */
  PS_LEDGER_ERROR_FAILED,          /* SQLite error (message from sqlite3_errmsg) */
} PsLedgerError;

typedef enum {
  PS_QUEUE_ERROR_SERVER,           /* the CUPS server cannot be reached */
  PS_QUEUE_ERROR_NO_PRINTER,       /* no such queue */
  PS_QUEUE_ERROR_MEDIA,            /* the printer lacks the sheet size */
  PS_QUEUE_ERROR_SUBMIT,           /* CUPS refused the job or the document */
  PS_QUEUE_ERROR_JOB,              /* a job ended aborted, canceled or stuck */
  PS_QUEUE_ERROR_FAILED,
} PsQueueError;

/* ------------------------------------------------------------------ */
/* Record fields                                                      */
/* ------------------------------------------------------------------ */

/* The nine 采集码 record fields, in caption order, then optional columns. */
typedef enum {
  PS_FIELD_SJC,        /* 时间戳 capture timestamp, ms since epoch (13 digits) */
  PS_FIELD_CJM,        /* 采集码 16 letters/digits */
  PS_FIELD_YXDM,       /* 院校代码 5 digits */
  PS_FIELD_ZJHM,       /* 证件号码 — only the last 4 characters are kept */
  PS_FIELD_XH,         /* 学号, text */
  PS_FIELD_CC,         /* 学历层次 */
  PS_FIELD_XLLB,       /* 学历类别 */
  PS_FIELD_XM,         /* 姓名 — masked */
  PS_FIELD_BH,         /* 班级 */
  PS_FIELD_FY,         /* 院系 (optional) */
  PS_FIELD_PHOTO,      /* photo file name relative to the photos dir (optional) */
  PS_FIELD_COPIES,     /* copies override (optional) */
  PS_FIELD_PRIORITY,   /* repeaters first (optional, non-empty/1/是 = yes) */
  PS_N_FIELDS
} PsField;

#define PS_N_RECORD_FIELDS 9

/** ps_field_get_key: Returns: (transfer none): "sjc", "xh", ... */
PS_API const char *ps_field_get_key (PsField field);
/** ps_field_get_label: Returns: (transfer none): the Chinese header, "学号". */
PS_API const char *ps_field_get_label (PsField field);
/**
 * ps_field_lookup:
 * @header: a column header (key or Chinese name, surrounding space ignored)
 * @field: (out): the field
 * Returns: true if @header names a known field.
 */
PS_API bool ps_field_lookup (const char *header, PsField *field);

/* ------------------------------------------------------------------ */
/* Masking (脱敏): pure functions on UTF-8, by Unicode code point      */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_MASK_PER_CHARACTER,   /* one '*' per hidden character: 欧阳娜娜 -> 欧**娜 */
  PS_MASK_FIXED,           /* always "**" in the middle:   张三丰 -> 张**丰 */
} PsMaskStyle;

/**
 * ps_mask_name:
 * @name: a name in UTF-8, full or already masked
 * @style: how the hidden middle is written
 *
 * Keeps the first and last character (two characters: the first, then '*';
 * one character: "*").  A value already in masked form (see
 * ps_mask_is_masked()) is returned as given.  Before counting characters the
 * name is cleaned as on import: invisible format characters (bidi controls,
 * zero-width spaces, soft hyphens) removed, NFC, surrounding white space
 * trimmed, and a Chinese name loses its interior spaces (王　李 -> 王*).  A
 * combining mark counts with the character before it.  The result never
 * shows more than the first and last character of a name.
 *
 * Returns: (transfer full) (nullable): the masked name, or NULL if @name is
 * not valid UTF-8.  "" for an empty name.
 */
PS_API char *ps_mask_name (const char *name, PsMaskStyle style);

/**
 * ps_mask_id:
 * @id: an ID number in UTF-8 (18, 15 or already 4 characters)
 * Returns: (transfer full) (nullable): the last 4 characters (upper-cased
 * 'x'), all of @id if shorter, NULL if not valid UTF-8.
 */
PS_API char *ps_mask_id (const char *id);

/**
 * ps_mask_is_masked:
 *
 * Returns: true if @value is in masked form: "*" alone, a character then
 * '*' (李*), or a character, one or more '*' and a character (张**丰).  A
 * '*' elsewhere does not make a value masked: 张三丰* is not.
 */
PS_API bool ps_mask_is_masked (const char *value);

/** ps_mask_style_from_string: "per-character" / "fixed". */
PS_API bool ps_mask_style_from_string (const char *s, PsMaskStyle *style);

/* ------------------------------------------------------------------ */
/* Problems: one thing wrong with one row (or the whole file, row 0)  */
/* ------------------------------------------------------------------ */

typedef struct {
  char *file;     /* roster path as given */
  int   row;      /* row as Excel shows it (header = 1); 0 = the file itself */
  char *xh;       /* 学号 of the row, or NULL */
  char *cjm;      /* 采集码 of the row, or NULL */
  char *field;    /* key of the field concerned ("cjm", "photo"...), or NULL */
  char *reason;   /* short English text; never a full name or ID */
} PsProblem;

PS_API PsProblem *ps_problem_new (const char *file, int row, const char *xh,
                                  const char *cjm, const char *field,
                                  const char *reason);
PS_API PsProblem *ps_problem_copy (const PsProblem *problem);
PS_API void ps_problem_free (PsProblem *problem);

/* ------------------------------------------------------------------ */
/* Roster                                                             */
/* ------------------------------------------------------------------ */

typedef struct _PsRoster PsRoster;
typedef struct _PsRecord PsRecord;

typedef struct {
  PsMaskStyle mask_style;   /* default PS_MASK_PER_CHARACTER */
  size_t max_bytes;         /* 0 = default (256 MiB) */
  size_t max_field_bytes;   /* 0 = default (64 KiB); longer field = row problem */
} PsRosterOptions;

/**
 * ps_roster_load:
 * @path: a .csv, .xlsx or .jsonl/.json file (format by content, then name)
 * @options: (nullable): NULL for defaults
 *
 * Reads every row into a record, masking 姓名 and 证件号码 on the way in.
 * A row that cannot be read (wrong field count, unterminated quote, bad
 * JSON) becomes a problem of that row alone; the other rows are kept.
 *
 * Returns: (transfer full): the roster, or NULL with PS_ROSTER_ERROR set when
 * the file as a whole is unreadable or lacks a required column.
 */
PS_API PsRoster *ps_roster_load (const char *path, const PsRosterOptions *options,
                                 GError **error);
PS_API void ps_roster_free (PsRoster *roster);
PS_API const char *ps_roster_get_path (const PsRoster *roster);
/** Returns: "csv", "xlsx" or "jsonl". */
PS_API const char *ps_roster_get_format (const PsRoster *roster);
/** Returns: "UTF-8" or "GB18030". */
PS_API const char *ps_roster_get_encoding (const PsRoster *roster);
/** Returns: data rows read (records + unreadable rows; empty rows not counted). */
PS_API size_t ps_roster_get_n_rows (const PsRoster *roster);
PS_API size_t ps_roster_get_n_records (const PsRoster *roster);
PS_API const PsRecord *ps_roster_get_record (const PsRoster *roster, size_t index);
PS_API size_t ps_roster_get_n_problems (const PsRoster *roster);
PS_API const PsProblem *ps_roster_get_problem (const PsRoster *roster, size_t index);
/**
 * ps_roster_get_n_warnings:
 *
 * Warnings are values import changed - invisible characters removed, text
 * composed to NFC, spaces removed from a Chinese name, full-width digits
 * changed to ASCII - and notes on the file (row 0, e.g. which worksheet was
 * read).  Unlike problems they leave the row printable.
 *
 * Returns: the number of warnings.
 */
PS_API size_t ps_roster_get_n_warnings (const PsRoster *roster);
/**
 * ps_roster_get_warning:
 * @index: below ps_roster_get_n_warnings()
 *
 * Returns: (transfer none): warning @index, in row order, as a PsProblem:
 * file, row, 学号 / 采集码, field key and reason; never a name or ID.
 */
PS_API const PsProblem *ps_roster_get_warning (const PsRoster *roster, size_t index);
/** ps_roster_get_sha256: Returns: hex sha256 of the roster file bytes. */
PS_API const char *ps_roster_get_sha256 (const PsRoster *roster);

/** ps_record_get_row: Returns: the row as Excel shows it (header = 1). */
PS_API int ps_record_get_row (const PsRecord *record);
/**
 * ps_record_get:
 * Returns: (transfer none) (nullable): the trimmed value, NULL when the column
 * is absent or the cell empty.  姓名 and 证件号码 come back masked.
 */
PS_API const char *ps_record_get (const PsRecord *record, PsField field);

/* ------------------------------------------------------------------ */
/* Photos                                                             */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_PHOTO_FORMAT_JPEG,
  PS_PHOTO_FORMAT_PNG,
  PS_PHOTO_FORMAT_TIFF,
} PsPhotoFormat;

typedef struct {
  PsPhotoFormat format;
  int  width;         /* pixels as stored */
  int  height;        /* pixels as stored */
  int  orientation;   /* EXIF 1..8; 1 when absent */
  int  channels;      /* 1 gray, 3 RGB, 4 CMYK or RGBA */
  int  bits;          /* bits per sample, 8 or 16 */
  bool has_icc;       /* an embedded ICC profile */
} PsPhotoInfo;

typedef struct {
  int64_t max_pixels;   /* refuse above (decompression bombs); 0 = 40 Mpx */
  int     min_width;    /* after orientation; 0 = 480 */
  int     min_height;   /* after orientation; 0 = 640 */
  double  aspect;       /* width/height expected; 0 = 3/4 */
  double  aspect_tolerance; /* relative; 0 = 0.05 */
} PsPhotoLimits;

/**
 * ps_photo_find:
 * @photos_dir: the photos directory
 * @record: the record; its photo column, else 采集码, else 学号 names the file
 *
 * Never returns a path outside @photos_dir (symlinks resolved).
 *
 * Returns: (transfer full): the path, or NULL with PS_PHOTO_ERROR_NOT_FOUND
 * or PS_PHOTO_ERROR_UNSAFE_PATH.
 */
PS_API char *ps_photo_find (const char *photos_dir, const PsRecord *record,
                            GError **error);

/**
 * ps_photo_probe:
 * @limits: (nullable): NULL for defaults
 * @info: (out caller-allocates): what the file is
 *
 * Reads the header first and refuses bombs before decoding; then checks the
 * file decodes to the end (a reduced-size decode where the format allows it).
 */
PS_API bool ps_photo_probe (const char *path, const PsPhotoLimits *limits,
                            PsPhotoInfo *info, GError **error);

/** ps_file_sha256: Returns: (transfer full): hex sha256 of a file's bytes. */
PS_API char *ps_file_sha256 (const char *path, GError **error);

/* ------------------------------------------------------------------ */
/* Layouts                                                            */
/* ------------------------------------------------------------------ */

typedef struct {
  double x, y, width, height;   /* points, from the sheet's top-left */
} PsRect;

typedef struct _PsLayout PsLayout;

/**
 * ps_layout_load:
 * @name_or_path: a layout name ("default", "6inch-33x48") looked up in the
 *   layouts directory, or a path to an .ini file
 * Returns: (transfer full): the validated layout, or NULL with PS_LAYOUT_ERROR
 * naming the file, key and reason.
 */
PS_API PsLayout *ps_layout_load (const char *name_or_path, GError **error);
PS_API void ps_layout_free (PsLayout *layout);
/** ps_layout_list: Returns: (transfer full): sorted NULL-terminated names. */
PS_API char **ps_layout_list (void);
/** ps_layout_get_dir: Returns: (transfer none): the layouts directory in use. */
PS_API const char *ps_layout_get_dir (void);
PS_API const char *ps_layout_get_name (const PsLayout *layout);
PS_API const char *ps_layout_get_description (const PsLayout *layout);
PS_API double ps_layout_get_sheet_width (const PsLayout *layout);   /* points */
PS_API double ps_layout_get_sheet_height (const PsLayout *layout);  /* points */
PS_API int ps_layout_get_dpi (const PsLayout *layout);
/** ps_layout_get_n_slots: Returns: photo slots on one sheet. */
PS_API size_t ps_layout_get_n_slots (const PsLayout *layout);
PS_API PsRect ps_layout_get_slot (const PsLayout *layout, size_t index);
/** ps_layout_get_copies: Returns: copies of one student per sheet (<= slots). */
PS_API int ps_layout_get_copies (const PsLayout *layout);
/** ps_layout_get_media: Returns: the PWG media name, e.g. "na_index-4x6_4x6in". */
PS_API const char *ps_layout_get_media (const PsLayout *layout);
/** ps_layout_get_min_photo_px: the photo size the layout needs, in pixels. */
PS_API void ps_layout_get_min_photo_px (const PsLayout *layout, int *width, int *height);
/** ps_layout_describe: Returns: (transfer full): the computed geometry as text. */
PS_API char *ps_layout_describe (const PsLayout *layout);

/* ------------------------------------------------------------------ */
/* Check (preflight): records + photos + captions, before printing    */
/* ------------------------------------------------------------------ */

typedef struct _PsCheck PsCheck;

typedef struct {
  const char *photos_dir;        /* required */
  const PsLayout *layout;        /* nullable: default limits and no caption check */
  PsPhotoLimits limits;          /* zeros = defaults (min size from the layout) */
} PsCheckOptions;

/**
 * ps_check_run:
 * Checks every record: required fields, formats of 采集码 / 院校代码 / 时间戳,
 * duplicate 学号 or 采集码, the photo (found, safe, decodable, size, aspect),
 * and that every caption character has a glyph.  Roster read problems are
 * included.
 *
 * Returns: (transfer full): the result, NULL only if the check itself could
 * not run (photos dir missing).
 */
PS_API PsCheck *ps_check_run (const PsRoster *roster, const PsCheckOptions *options,
                              GError **error);
PS_API void ps_check_free (PsCheck *check);
PS_API size_t ps_check_get_n_problems (const PsCheck *check);
PS_API const PsProblem *ps_check_get_problem (const PsCheck *check, size_t index);
/** ps_check_is_printable: record @index has no problem. */
PS_API bool ps_check_is_printable (const PsCheck *check, size_t index);
/** ps_check_get_photo_path: Returns: (transfer none) (nullable). */
PS_API const char *ps_check_get_photo_path (const PsCheck *check, size_t index);
PS_API size_t ps_check_get_n_photos_matched (const PsCheck *check);
PS_API size_t ps_check_get_n_classes (const PsCheck *check);
PS_API size_t ps_check_get_n_printable (const PsCheck *check);

/* ------------------------------------------------------------------ */
/* Render: plan, draw and write a batch                               */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_INTENT_PERCEPTUAL = 0,
  PS_INTENT_RELATIVE = 1,
  PS_INTENT_SATURATION = 2,
  PS_INTENT_ABSOLUTE = 3,
} PsIntent;

typedef enum {
  PS_ORDER_ROSTER,   /* students in roster order within a class */
  PS_ORDER_XH,       /* by 学号 within a class */
} PsOrder;

typedef enum {
  PS_FORMAT_PDF  = 1 << 0,
  PS_FORMAT_TIFF = 1 << 1,
  PS_FORMAT_PNG  = 1 << 2,
} PsFormats;

typedef void (*PsProgressFunc) (size_t done, size_t total, void *user_data);

/* How TIFF pages are compressed; all lossless.  The default is chosen from
 * measurements (bench/README.md): Deflate at level 1, no predictor - less
 * CPU than LZW and 20 % smaller files on photo sheets. */
typedef enum {
  PS_TIFF_COMPRESSION_DEFAULT = 0,
  PS_TIFF_COMPRESSION_NONE,
  PS_TIFF_COMPRESSION_LZW,       /* with the horizontal predictor */
  PS_TIFF_COMPRESSION_DEFLATE,   /* level 1 (libdeflate), no predictor */
} PsTiffCompression;

/**
 * ps_tiff_compression_from_string:
 * @s: "none", "lzw" or "deflate" (also "default")
 * Returns: true and *@compression set if @s names one.
 */
PS_API bool ps_tiff_compression_from_string (const char *s, PsTiffCompression *compression);

typedef struct {
  const char *photos_dir;
  const PsLayout *layout;
  const char *out_dir;
  const char *profile_path;   /* output ICC; NULL = sRGB */
  PsIntent intent;            /* default relative */
  bool no_bpc;                /* black-point compensation is on by default */
  int dpi;                    /* 0 = layout default */
  unsigned formats;           /* PsFormats; 0 = PDF|TIFF */
  bool proof;                 /* soft-proof PNG previews */
  bool skip_invalid;          /* render the rest, list the skipped */
  PsOrder order;
  int jobs;                   /* worker threads; 0 = cores */
  PsProgressFunc progress;
  void *progress_data;
  const char *ledger_path;    /* NULL = OUT/ledger.sqlite; "" = no ledger */
  PsTiffCompression tiff_compression;   /* 0 = the default (see the enum) */
} PsRenderOptions;

typedef struct {
  size_t pages;         /* pages written */
  size_t sheets;        /* of which student sheets */
  size_t separators;    /* of which separator pages */
  size_t students;      /* students rendered */
  size_t skipped;       /* students skipped (in exceptions.csv) */
} PsRenderSummary;

/**
 * ps_render_batch:
 * Renders @check's printable records of @roster into options->out_dir:
 * sheets.pdf, tiff/NNNN.tif, png/NNNN.png, manifest.csv, exceptions.csv.
 * Files appear atomically.  With problems and without skip_invalid nothing is
 * written but exceptions.csv and the call fails with PS_OUTPUT_ERROR_REFUSED.
 */
PS_API bool ps_render_batch (const PsRoster *roster, const PsCheck *check,
                             const PsRenderOptions *options,
                             PsRenderSummary *summary, GError **error);

/* ------------------------------------------------------------------ */
/* Ledger: what was rendered and printed (SQLite)                     */
/* ------------------------------------------------------------------ */

typedef struct _PsLedger PsLedger;

/**
 * ps_ledger_open:
 * @path: the SQLite file; created (mode 0600) and migrated when needed
 * Returns: (transfer full): the ledger, or NULL with PS_LEDGER_ERROR.
 */
PS_API PsLedger *ps_ledger_open (const char *path, GError **error);
PS_API void ps_ledger_free (PsLedger *ledger);
PS_API const char *ps_ledger_get_path (const PsLedger *ledger);

/**
 * ps_ledger_describe:
 * @batch_dir: (nullable): only the batch rendered into this directory
 * Returns: (transfer full): batches, classes, pages printed / pending /
 * failed, jobs with their CUPS state and reason, as text.
 */
PS_API char *ps_ledger_describe (PsLedger *ledger, const char *batch_dir, GError **error);

/* ------------------------------------------------------------------ */
/* Print: queue pages through CUPS, track them, resume, reprint       */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *printer;        /* CUPS queue name */
  const char *server;         /* "host:port"; NULL = the default server */
  char *const *options;       /* NULL-terminated "name=value" CUPS options, or NULL */
  int job_size;               /* most pages per job; 0 = one job per class */
  bool resume;                /* print the pages that have no completed job */
  int timeout;                /* seconds a job may stay unfinished; 0 = 600 */
  PsProgressFunc progress;    /* jobs finished / jobs tracked */
  void *progress_data;
} PsPrintOptions;

typedef struct {
  size_t jobs_submitted;      /* new jobs sent to CUPS by this call */
  size_t pages_submitted;
  size_t jobs_completed;      /* of the jobs tracked by this call */
  size_t jobs_failed;         /* ended aborted or canceled, or stuck */
  size_t pages_pending;       /* pages of the batch still without a completed job */
} PsPrintSummary;

/**
 * ps_print_batch:
 * @batch_dir: the directory a batch was rendered into (its ledger entry)
 *
 * Queues the batch's pages, one job per class by default, tracks every job
 * until it ends and records each state change in @ledger.  Without
 * options->resume a batch that already has jobs is refused; with it only
 * pages without a completed job are sent, and a job that reached CUPS before
 * photosheet was stopped is found by name, never sent twice.
 *
 * Returns: true when every job completed.  False with PS_QUEUE_ERROR_JOB when
 * some did not (@summary says how many; the ledger has the details), or
 * another error when nothing could be queued (unknown printer, media, server).
 */
PS_API bool ps_print_batch (PsLedger *ledger, const char *batch_dir,
                            const PsPrintOptions *options, PsPrintSummary *summary,
                            GError **error);

typedef struct {
  const char *xh;             /* any combination; at least one */
  const char *cjm;
  const char *yxdm;
  const char *id_last4;
} PsStudentQuery;

typedef struct {
  size_t pages;               /* sheets rendered again */
  char  *pdf_path;            /* (transfer full) */
  char  *student_xh;          /* (transfer full) the student's 学号 */
  int    cups_job_id;         /* 0 when not queued */
} PsReprintResult;

PS_API void ps_reprint_result_clear (PsReprintResult *result);

/**
 * ps_reprint:
 * @date: (nullable): the date in the reprint mark, "YYYY-MM-DD"; NULL = today
 * @print: (nullable): queue the sheet too
 *
 * Renders one student's sheet(s) again from the ledger with the original
 * settings, identical but for a small reprint mark (补, date) in the margin,
 * after checking that the photo is the one recorded.  Recorded in the ledger.
 */
PS_API bool ps_reprint (PsLedger *ledger, const PsStudentQuery *query, const char *out_dir,
                        const char *reason, const char *date, const PsPrintOptions *print,
                        PsReprintResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLedger, ps_ledger_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRoster, ps_roster_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsProblem, ps_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLayout, ps_layout_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsCheck, ps_check_free)

G_END_DECLS

#endif /* PHOTOSHEET_H */
