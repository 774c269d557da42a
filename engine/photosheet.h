/* photosheet.h - the one public header of libphotosheet.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * photosheet turns a school's roster and the approved graduate ID photos into
 * print-ready, colour-managed sheets.  The data path is one way:
 *
 *   roster -> check (photos, records, layout) -> batch -> render -> ledger
 *                                                  \-> print / reprint (CUPS)
 *
 * A PsBatch is the one description of what is printed: the masked records in
 * print order, the classes, the pages, the photos and their digests, the
 * layout and the colour settings.  It is built from a check, or loaded back
 * from the ledger, and everything after it - the writers, print, reprint -
 * reads only the batch.
 *
 * Conventions (GLib style):
 *  - `GError **error` comes last; a function returns FALSE/NULL iff it set it.
 *    Errors are in the domain of the module that raised them.
 *  - `_new`/`_load` return an owned object freed with the matching `_free`;
 *    `_ref`/`_unref` for shared objects (PsLayout).  `_get_*` lends: the
 *    result lives as long as the object it came from.
 *  - Geometry is in points (1/72 in) unless a name says `_mm` or `_px`.
 *  - Options are opaque objects (`ps_*_options_new`, setters, `_free`)
 *    rather than public structs: a new setting never changes the size of a
 *    struct callers compiled against (the library keeps its soname), every
 *    default lives in one place (`_new`), and a setter can validate its value
 *    when it is set, with an error naming it.  Results the library fills
 *    (PsPrintSummary, PsReprintResult, the status records) are plain structs.
 *  - Threads: unless a function says otherwise, an object is used from one
 *    thread at a time; different objects may be used from different threads.
 *    The library starts its own worker threads only inside ps_render_batch().
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
/* Version and shutdown                                               */
/* ------------------------------------------------------------------ */

/**
 * ps_version:
 * Returns: (transfer none): the library version, e.g. "0.2.0".
 */
PS_API const char *ps_version (void);

/**
 * ps_shutdown:
 * Frees the process-wide state (font configuration, the calling thread's
 * font map, the photo directory indexes, idle worker threads).  Call once at
 * exit, after every photosheet object is freed; no photosheet call may
 * follow.  Calling thread only; no other thread may be inside the library.
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
#define PS_BATCH_ERROR  (ps_batch_error_quark ())
#define PS_LEDGER_ERROR (ps_ledger_error_quark ())
#define PS_QUEUE_ERROR  (ps_queue_error_quark ())
#define PS_PRINT_ERROR  (ps_print_error_quark ())
#define PS_CONFIG_ERROR (ps_config_error_quark ())
#define PS_EXPORT_ERROR (ps_export_error_quark ())

PS_API GQuark ps_roster_error_quark (void);
PS_API GQuark ps_photo_error_quark (void);
PS_API GQuark ps_layout_error_quark (void);
PS_API GQuark ps_color_error_quark (void);
PS_API GQuark ps_render_error_quark (void);
PS_API GQuark ps_output_error_quark (void);
PS_API GQuark ps_check_error_quark (void);
PS_API GQuark ps_batch_error_quark (void);
PS_API GQuark ps_ledger_error_quark (void);
PS_API GQuark ps_queue_error_quark (void);
PS_API GQuark ps_print_error_quark (void);
PS_API GQuark ps_config_error_quark (void);
PS_API GQuark ps_export_error_quark (void);

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
  PS_RENDER_ERROR_TOO_LARGE,       /* a page raster above the pixel limit */
  PS_RENDER_ERROR_FAILED,
} PsRenderError;

typedef enum {
  PS_OUTPUT_ERROR_IO,              /* a file or directory cannot be written */
  PS_OUTPUT_ERROR_NOT_EMPTY,       /* the output folder holds something else (another batch) */
  PS_OUTPUT_ERROR_LOCKED,          /* another photosheet works in the output folder */
  PS_OUTPUT_ERROR_FAILED,
} PsOutputError;

typedef enum {
  PS_CHECK_ERROR_PHOTOS_DIR,       /* photos directory missing/unreadable */
  PS_CHECK_ERROR_FAILED,
} PsCheckError;

typedef enum {
  PS_BATCH_ERROR_REFUSED,          /* problems in the batch and skip_invalid not set,
                                    * or no printable student */
  PS_BATCH_ERROR_CHANGED,          /* a photo or profile changed since the batch was made */
  PS_BATCH_ERROR_INVALID,          /* an option value out of its range */
  PS_BATCH_ERROR_FAILED,
} PsBatchError;

typedef enum {
  PS_LEDGER_ERROR_OPEN,            /* cannot open or create the database */
  PS_LEDGER_ERROR_SCHEMA,          /* written by a newer photosheet */
  PS_LEDGER_ERROR_NOT_FOUND,       /* no such batch / student / page */
  PS_LEDGER_ERROR_MISMATCH,        /* a batch recorded again with other pages */
  PS_LEDGER_ERROR_FAILED,          /* SQLite error (message from sqlite3_errmsg) */
} PsLedgerError;

typedef enum {
  PS_QUEUE_ERROR_SERVER,           /* the CUPS server cannot be reached */
  PS_QUEUE_ERROR_NO_PRINTER,       /* no such queue */
  PS_QUEUE_ERROR_MEDIA,            /* the printer lacks the sheet size */
  PS_QUEUE_ERROR_SUBMIT,           /* CUPS refused the job or the document */
  PS_QUEUE_ERROR_JOB,              /* a job ended aborted, canceled or stuck */
  PS_QUEUE_ERROR_FORMAT,           /* the printer takes no document in the batch's colour space */
  PS_QUEUE_ERROR_FAILED,
} PsQueueError;

typedef enum {
  PS_PRINT_ERROR_INVALID,          /* a bad argument: no student key, a date that is no date */
  PS_PRINT_ERROR_ALREADY_PRINTED,  /* the batch has jobs and resume was not asked */
  PS_PRINT_ERROR_PARTIAL,          /* some jobs were queued, then something failed */
  PS_PRINT_ERROR_BUSY,             /* another photosheet renders or prints the batch */
  PS_PRINT_ERROR_REFUSED,          /* a reprint into a batch's own folder */
  PS_PRINT_ERROR_FAILED,
} PsPrintError;

typedef enum {
  PS_CONFIG_ERROR_PARSE,           /* not a key file */
  PS_CONFIG_ERROR_UNKNOWN_KEY,     /* a group or key photosheet does not know */
  PS_CONFIG_ERROR_INVALID_VALUE,   /* a value out of its range */
  PS_CONFIG_ERROR_FAILED,
} PsConfigError;

typedef enum {
  PS_EXPORT_ERROR_EXISTS,          /* the hot folder already has this batch's files */
  PS_EXPORT_ERROR_FORMAT,          /* the format cannot carry the batch (JPEG of CMYK) */
  PS_EXPORT_ERROR_FAILED,
} PsExportError;

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
 * shows more than the first and last character of a name.  Thread-safe.
 *
 * Returns: (transfer full) (nullable): the masked name, or NULL if @name is
 * not valid UTF-8.  "" for an empty name.
 */
PS_API char *ps_mask_name (const char *name, PsMaskStyle style);

/**
 * ps_mask_id:
 * @id: an ID number in UTF-8 (18, 15 or already 4 characters)
 * Returns: (transfer full) (nullable): the last 4 characters (upper-cased
 * 'x'), all of @id if shorter, NULL if not valid UTF-8.  Thread-safe.
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

/**
 * ps_mask_style_from_string:
 * @s: "per-character" or "fixed"
 * Returns: true and *@style set if @s names a style.
 */
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

/** ps_problem_new: Returns: (transfer full): a problem with copies of the strings. */
PS_API PsProblem *ps_problem_new (const char *file, int row, const char *xh,
                                  const char *cjm, const char *field,
                                  const char *reason);
/** ps_problem_copy: Returns: (transfer full): a deep copy. */
PS_API PsProblem *ps_problem_copy (const PsProblem *problem);
PS_API void ps_problem_free (PsProblem *problem);

/* ------------------------------------------------------------------ */
/* Roster                                                             */
/* ------------------------------------------------------------------ */

typedef struct _PsRoster PsRoster;
typedef struct _PsRecord PsRecord;
typedef struct _PsRosterOptions PsRosterOptions;

/** ps_roster_options_new: Returns: (transfer full): the defaults (per-character
 * masking, 256 MiB file, 64 KiB field). */
PS_API PsRosterOptions *ps_roster_options_new (void);
PS_API void ps_roster_options_free (PsRosterOptions *options);
PS_API void ps_roster_options_set_mask_style (PsRosterOptions *options, PsMaskStyle style);
/**
 * ps_roster_options_set_limits:
 * @max_bytes: largest roster file, bytes; 0 = the default (256 MiB)
 * @max_field_bytes: longest cell, bytes; 0 = the default (64 KiB); a longer
 *   cell is a problem of its row
 */
PS_API void ps_roster_options_set_limits (PsRosterOptions *options, size_t max_bytes,
                                          size_t max_field_bytes);

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
/** Returns: (transfer none): record @index, 0 <= @index < n_records. */
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
/** ps_roster_get_mask_style: the style names were masked with. */
PS_API PsMaskStyle ps_roster_get_mask_style (const PsRoster *roster);

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

/* A plain value: zero fields mean the documented defaults. */
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
 * Never returns a path outside @photos_dir (symlinks resolved).  Keeps an
 * index of the directory, shared by every thread (thread-safe).
 *
 * Returns: (transfer full): the path, or NULL with PS_PHOTO_ERROR_NOT_FOUND
 * or PS_PHOTO_ERROR_UNSAFE_PATH.
 */
PS_API char *ps_photo_find (const char *photos_dir, const PsRecord *record,
                            GError **error);

/**
 * ps_photo_probe:
 * @limits: (nullable): NULL for defaults
 * @info: (out caller-allocates) (nullable): what the file is
 *
 * Reads the header first and refuses bombs before decoding; then checks the
 * file decodes to the end (a reduced-size decode where the format allows it).
 * Thread-safe.
 */
PS_API bool ps_photo_probe (const char *path, const PsPhotoLimits *limits,
                            PsPhotoInfo *info, GError **error);

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
 *   layouts directory, or a path to an .ini file (contains '/' or ends in .ini)
 * Returns: (transfer full): the validated layout, or NULL with PS_LAYOUT_ERROR
 * naming the file, key and reason.  A layout is immutable: it may be shared
 * by several threads and objects (ps_layout_ref()).
 */
PS_API PsLayout *ps_layout_load (const char *name_or_path, GError **error);
/** ps_layout_ref: Returns: (transfer full): @layout, one more reference. */
PS_API PsLayout *ps_layout_ref (PsLayout *layout);
PS_API void ps_layout_unref (PsLayout *layout);
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
/** ps_layout_get_slot: Returns: slot @index (row-major), points. */
PS_API PsRect ps_layout_get_slot (const PsLayout *layout, size_t index);
/** ps_layout_get_copies: Returns: the layout's default copies of a student
 * (its `copies=`), 1..ps_layout_get_max_copies(). */
PS_API int ps_layout_get_copies (const PsLayout *layout);
/** ps_layout_get_max_copies: Returns: copies of one student that fit on one
 * sheet (the slots, less a record cell); more take several sheets. */
PS_API int ps_layout_get_max_copies (const PsLayout *layout);
/**
 * ps_layout_get_students_per_sheet:
 * @copies: copies of each student, >= 1
 * Returns: how many students' groups of @copies one sheet holds (1 when a
 * group needs more than one sheet).
 */
PS_API size_t ps_layout_get_students_per_sheet (const PsLayout *layout, int copies);
/** ps_layout_get_sheets_per_student: Returns: sheets one student of @copies
 * (>= 1) needs, 1 when the group fits one sheet. */
PS_API int ps_layout_get_sheets_per_student (const PsLayout *layout, int copies);
/** ps_layout_get_media: Returns: the PWG media name, e.g. "na_index-4x6_4x6in". */
PS_API const char *ps_layout_get_media (const PsLayout *layout);
/** ps_layout_get_min_photo_px: the photo size the layout needs at its dpi, pixels. */
PS_API void ps_layout_get_min_photo_px (const PsLayout *layout, int *width, int *height);
/** ps_layout_describe: Returns: (transfer full): the computed geometry as text. */
PS_API char *ps_layout_describe (const PsLayout *layout);

/* ------------------------------------------------------------------ */
/* Check (preflight): records + photos + captions, before printing    */
/* ------------------------------------------------------------------ */

typedef struct _PsCheck PsCheck;

/**
 * ps_check_run:
 * @roster: the roster; borrowed: it must outlive the check
 * @layout: the layout the batch will be printed on (a reference is kept)
 * @photos_dir: the directory of approved photos
 * @limits: (nullable): photo limits; NULL or zero fields = the defaults,
 *   with the minimum size from the layout (never below 480 x 640)
 *
 * Checks every record: required fields, formats of 采集码 / 院校代码 / 时间戳,
 * duplicate 学号 or 采集码, the photo (found, safe, decodable, size, aspect),
 * that every caption character has a glyph and that the captions fit the
 * layout.  Roster read problems are included.  The check remembers what it
 * checked: a batch is built from the check alone (ps_batch_new()).
 *
 * Returns: (transfer full): the result, NULL only if the check itself could
 * not run (photos dir missing).
 */
PS_API PsCheck *ps_check_run (const PsRoster *roster, PsLayout *layout,
                              const char *photos_dir, const PsPhotoLimits *limits,
                              GError **error);
PS_API void ps_check_free (PsCheck *check);
/** Returns: (transfer none): the roster and the layout that were checked. */
PS_API const PsRoster *ps_check_get_roster (const PsCheck *check);
PS_API PsLayout *ps_check_get_layout (const PsCheck *check);
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
/* Settings of a batch: colour, order, formats                        */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_INTENT_PERCEPTUAL = 0,        /* the ICC intent numbers */
  PS_INTENT_RELATIVE = 1,          /* relative colorimetric: the default */
  PS_INTENT_SATURATION = 2,
  PS_INTENT_ABSOLUTE = 3,
} PsIntent;

/**
 * ps_color_intent_from_string:
 * @s: "perceptual", "relative", "saturation" or "absolute"
 * Returns: true and *@intent set if @s names one.
 */
PS_API bool ps_color_intent_from_string (const char *s, PsIntent *intent);
/** ps_color_intent_to_string: Returns: (transfer none): "relative", ... */
PS_API const char *ps_color_intent_to_string (PsIntent intent);

typedef enum {
  PS_ORDER_ROSTER,   /* students in roster order within a class */
  PS_ORDER_XH,       /* by 学号 within a class */
} PsOrder;

/** ps_plan_order_from_string: "roster" or "xh". */
PS_API bool ps_plan_order_from_string (const char *s, PsOrder *order);

/* The order of a class's students on its sheets when a sheet holds several
 * (layouts with groups=rows; with one student per sheet both are the same). */
typedef enum {
  PS_IMPOSE_SEQUENCE,   /* sheet by sheet in print order: the default */
  PS_IMPOSE_STACK,      /* cut-and-stack: the sheets of a class cut along the group
                         * lines, the piles stacked in position order, give print
                         * order (layouts/README.md) */
} PsImpose;

/** ps_plan_impose_from_string: "sequence" or "stack". */
PS_API bool ps_plan_impose_from_string (const char *s, PsImpose *impose);

/* Copies of a student: the roster's 份数, else the batch's, else the layout's. */
#define PS_MAX_COPIES 20

typedef enum {
  PS_FORMAT_PDF   = 1 << 0,   /* sheets.pdf, every page */
  PS_FORMAT_TIFF  = 1 << 1,   /* tiff/NNNN.tif in the printer's space */
  PS_FORMAT_PNG   = 1 << 2,   /* png/NNNN.png sRGB previews */
  PS_FORMAT_PROOF = 1 << 3,   /* png/NNNN-proof.png soft proofs (implies PNG) */
  PS_FORMAT_PROOF_PAPER = 1 << 4, /* the soft proofs simulate paper white and ink black
                                   * (absolute colorimetric; implies PROOF) */
} PsFormats;

/**
 * ps_output_formats_from_string:
 * @s: a comma list of "pdf", "tiff" (or "tif"), "png", "proof", "proof-paper"
 * Returns: true and *@formats set if every item names a format.
 */
PS_API bool ps_output_formats_from_string (const char *s, PsFormats *formats);

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
 * ps_output_tiff_compression_from_string:
 * @s: "none", "lzw" or "deflate" (also "zip", "default")
 * Returns: true and *@compression set if @s names one.
 */
PS_API bool ps_output_tiff_compression_from_string (const char *s,
                                                    PsTiffCompression *compression);

/* ------------------------------------------------------------------ */
/* Batch: the one description of what is printed                      */
/* ------------------------------------------------------------------ */

typedef struct _PsBatch PsBatch;
typedef struct _PsBatchOptions PsBatchOptions;

/**
 * ps_batch_options_new:
 * Returns: (transfer full): the defaults: sRGB output, relative colorimetric
 * with black-point compensation, the layout's dpi, PDF + TIFF, roster order,
 * Deflate TIFFs.
 */
PS_API PsBatchOptions *ps_batch_options_new (void);
PS_API void ps_batch_options_free (PsBatchOptions *options);
/** @path: (nullable): the printer's ICC profile; NULL = sRGB.  Read by ps_batch_new(). */
PS_API void ps_batch_options_set_profile (PsBatchOptions *options, const char *path);
PS_API void ps_batch_options_set_intent (PsBatchOptions *options, PsIntent intent);
PS_API void ps_batch_options_set_black_point_compensation (PsBatchOptions *options, bool bpc);
/**
 * ps_batch_options_set_dpi:
 * @dpi: raster resolution, 72..2400; 0 = the layout's
 * Returns: false with PS_BATCH_ERROR_INVALID outside that range.
 */
PS_API bool ps_batch_options_set_dpi (PsBatchOptions *options, int dpi, GError **error);
/** @formats: a non-empty set; PS_FORMAT_PROOF implies PS_FORMAT_PNG. */
PS_API void ps_batch_options_set_formats (PsBatchOptions *options, PsFormats formats);
PS_API void ps_batch_options_set_order (PsBatchOptions *options, PsOrder order);
PS_API void ps_batch_options_set_tiff_compression (PsBatchOptions *options,
                                                   PsTiffCompression compression);
/**
 * ps_batch_options_set_copies:
 * @copies: copies of each student, 1..PS_MAX_COPIES; 0 = the layout's.  A
 *   roster's 份数 column overrides it row by row.
 * Returns: false with PS_BATCH_ERROR_INVALID outside that range.
 */
PS_API bool ps_batch_options_set_copies (PsBatchOptions *options, int copies, GError **error);
/** ps_batch_options_set_impose: the order of the groups on a class's sheets. */
PS_API void ps_batch_options_set_impose (PsBatchOptions *options, PsImpose impose);

/**
 * ps_batch_new:
 * @check: what was checked: the roster, the layout and the photos
 * @options: (nullable): NULL for the defaults
 *
 * Builds the batch of the check's printable records: classes in the order
 * they first appear, students in print order, the pages (a separator before
 * each class, then its sheets: each student's copies kept together, one or
 * several students a sheet as the layout says, never two classes on one
 * sheet), the photos with their digests,
 * the layout and the colour settings.  The profile is read and validated
 * here.  Rows with problems are listed as skipped.  The check may be freed
 * afterwards; the batch keeps what it needs.
 *
 * Returns: (transfer full): the batch, immutable from here on (any thread may
 * read it), or NULL with PS_COLOR_ERROR (profile), PS_PHOTO_ERROR (a photo
 * cannot be read) or PS_BATCH_ERROR.
 */
PS_API PsBatch *ps_batch_new (const PsCheck *check, const PsBatchOptions *options,
                              GError **error);
PS_API void ps_batch_free (PsBatch *batch);
/** ps_batch_get_layout: Returns: (transfer none). */
PS_API PsLayout *ps_batch_get_layout (const PsBatch *batch);
/** Data rows of the roster (printable + skipped). */
PS_API size_t ps_batch_get_n_rows (const PsBatch *batch);
PS_API size_t ps_batch_get_n_students (const PsBatch *batch);
PS_API size_t ps_batch_get_n_classes (const PsBatch *batch);
/** All pages: separators + sheets. */
PS_API size_t ps_batch_get_n_pages (const PsBatch *batch);
PS_API size_t ps_batch_get_n_sheets (const PsBatch *batch);
/** Photo slots of the sheets that hold a copy or a record, and those left
 * empty (the waste: sheets x slots = used + empty). */
PS_API size_t ps_batch_get_n_slots_used (const PsBatch *batch);
PS_API size_t ps_batch_get_n_slots_empty (const PsBatch *batch);
/** Roster rows not in the batch (each has at least one problem). */
PS_API size_t ps_batch_get_n_skipped (const PsBatch *batch);
PS_API size_t ps_batch_get_n_problems (const PsBatch *batch);
PS_API const PsProblem *ps_batch_get_problem (const PsBatch *batch, size_t index);
PS_API PsFormats ps_batch_get_formats (const PsBatch *batch);
/** ps_batch_get_dpi: the raster resolution, after the layout's default. */
PS_API int ps_batch_get_dpi (const PsBatch *batch);

/* ------------------------------------------------------------------ */
/* Render: a batch onto disk                                          */
/* ------------------------------------------------------------------ */

typedef void (*PsProgressFunc) (size_t done, size_t total, void *user_data);

typedef struct _PsRenderOptions PsRenderOptions;

/** ps_render_options_new: Returns: (transfer full): one worker per core,
 * refuse a batch with skipped rows, record in OUT/ledger.sqlite. */
PS_API PsRenderOptions *ps_render_options_new (void);
PS_API void ps_render_options_free (PsRenderOptions *options);
/**
 * ps_render_options_set_jobs:
 * @jobs: worker threads, 1..256; 0 = one per core
 * Returns: false with PS_BATCH_ERROR_INVALID outside that range.
 */
PS_API bool ps_render_options_set_jobs (PsRenderOptions *options, int jobs, GError **error);
/** Render the printable students of a batch with skipped rows (else refused). */
PS_API void ps_render_options_set_skip_invalid (PsRenderOptions *options, bool skip);
/** @path: (nullable): the ledger file; NULL = OUT/ledger.sqlite.  A lab-wide
 * ledger may hold many batches. */
PS_API void ps_render_options_set_ledger_path (PsRenderOptions *options, const char *path);
/** Record the batch in a ledger (the default) or not at all. */
PS_API void ps_render_options_set_record (PsRenderOptions *options, bool record);
/**
 * ps_render_options_set_force:
 * Render into a folder that holds another batch (or anything else
 * photosheet writes) after removing what is there: the old pages, PDF,
 * previews, manifest.  Ledgers are never removed; a folder holding files
 * photosheet never writes is refused even so.  Default: refuse.
 */
PS_API void ps_render_options_set_force (PsRenderOptions *options, bool force);
/** @func: (nullable): called on the calling thread after each page, in order. */
PS_API void ps_render_options_set_progress (PsRenderOptions *options, PsProgressFunc func,
                                            void *user_data);

/**
 * ps_render_batch:
 * @out_dir: created if needed
 * @options: (nullable): NULL for the defaults
 *
 * Writes the batch into @out_dir: sheets.pdf, tiff/NNNN.tif, png/NNNN.png,
 * manifest.csv, exceptions.csv, then records it in the ledger.  Files appear
 * atomically (written, synced, renamed, the folder synced); the bytes do
 * not depend on the number of jobs.  A batch with skipped rows (without
 * skip_invalid) or without a student writes only exceptions.csv and fails
 * with PS_BATCH_ERROR_REFUSED.
 *
 * The folder: empty, new, or holding this same batch (same roster and
 * settings: rendered again in place); anything else fails with
 * PS_OUTPUT_ERROR_NOT_EMPTY unless force is set.  A lock file
 * (`.photosheet.lock`) keeps a second render (or a print) out of the folder
 * while this one runs: PS_OUTPUT_ERROR_LOCKED.
 */
PS_API bool ps_render_batch (const PsBatch *batch, const char *out_dir,
                             const PsRenderOptions *options, GError **error);

/* ------------------------------------------------------------------ */
/* Ledger: what was rendered and printed (SQLite)                     */
/* ------------------------------------------------------------------ */

typedef struct _PsLedger PsLedger;

/**
 * ps_ledger_open:
 * @path: the SQLite file; created (mode 0600) and migrated when needed
 * Returns: (transfer full): the ledger, or NULL with PS_LEDGER_ERROR.
 * A PsLedger is used from one thread at a time; open one per thread (SQLite
 * and WAL serialise several connections and processes).
 */
PS_API PsLedger *ps_ledger_open (const char *path, GError **error);
/**
 * ps_ledger_open_existing:
 * @path: a ledger written by photosheet
 * Like ps_ledger_open(), but never creates a file: a path that does not
 * exist fails with PS_LEDGER_ERROR_NOT_FOUND, a file without a photosheet
 * schema (empty, another program's database) with PS_LEDGER_ERROR_OPEN.
 * An older schema is migrated.
 * Returns: (transfer full): the ledger, or NULL with PS_LEDGER_ERROR.
 */
PS_API PsLedger *ps_ledger_open_existing (const char *path, GError **error);
PS_API void ps_ledger_free (PsLedger *ledger);
PS_API const char *ps_ledger_get_path (const PsLedger *ledger);

/* Print job states: the CUPS job states, and `created` before CUPS has it. */
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

/** ps_job_state_to_string: Returns: (transfer none): "created", ... "completed". */
PS_API const char *ps_job_state_to_string (PsJobState state);
/** ps_job_state_is_final: canceled, aborted or completed. */
PS_API bool ps_job_state_is_final (PsJobState state);

/* Status records (read-only, owned by the PsLedgerStatus). */
typedef struct {
  const char *name;                     /* 班级 */
  size_t pages, printed, pending, failed;
} PsClassStatus;

typedef struct {
  int64_t     id;                       /* the ledger's job number */
  int         cups_id;                  /* 0 until CUPS accepted it */
  const char *printer;                  /* the destination asked for: a queue or a class */
  const char *name;                     /* job-name */
  PsJobState  state;
  const char *reason;                   /* nullable: last CUPS reason */
  const char *queue;                    /* the queue that got it: a class member, or printer */
  const char *server;                   /* nullable: "host:port" it was sent to */
  const char *uuid;                     /* nullable: CUPS's job-uuid */
  const char *created_at;               /* ISO-8601 UTC, when it was recorded */
  size_t      pages;                    /* pages the job carries */
} PsJobStatus;

typedef struct {
  int64_t     id;                       /* the ledger's reprint number */
  const char *at;                       /* ISO-8601 UTC */
  const char *xh;                       /* nullable: the student's 学号 */
  const char *class_name;               /* nullable: 班级 */
  const char *reason;                   /* nullable */
  const char *out_path;                 /* nullable: the reprint's PDF */
  int64_t     job_id;                   /* 0 when not queued, else an entry of jobs */
} PsReprintStatus;

typedef struct {
  int64_t     id;                       /* the ledger's batch number */
  const char *out_dir;
  const char *roster_path;              /* nullable */
  const char *layout_name;              /* nullable */
  size_t pages, printed, pending, failed;
  const PsClassStatus *classes;
  size_t n_classes;
  const PsJobStatus *jobs;              /* oldest first */
  size_t n_jobs;
  const char *uid;                      /* the batch's globally unique id (32 hex digits) */
  const char *created_at;               /* ISO-8601 UTC */
  const PsReprintStatus *reprints;      /* oldest first */
  size_t n_reprints;
} PsBatchStatus;

typedef struct _PsLedgerStatus PsLedgerStatus;

/**
 * ps_ledger_get_status:
 * @batch_dir: (nullable): only the batch rendered into this directory
 *
 * Per batch: pages printed (a completed job carried them), failed (the
 * latest job with them ended aborted or canceled) and pending, per class
 * and in total, and every job with its CUPS state - one consistent snapshot.
 *
 * Returns: (transfer full): the status, or NULL with PS_LEDGER_ERROR.
 */
PS_API PsLedgerStatus *ps_ledger_get_status (PsLedger *ledger, const char *batch_dir,
                                             GError **error);
PS_API void ps_ledger_status_free (PsLedgerStatus *status);
PS_API size_t ps_ledger_status_get_n_batches (const PsLedgerStatus *status);
/** Returns: (transfer none): batch @index, oldest first. */
PS_API const PsBatchStatus *ps_ledger_status_get_batch (const PsLedgerStatus *status,
                                                        size_t index);

/* ------------------------------------------------------------------ */
/* Print: queue pages through CUPS, track them, resume, reprint       */
/* ------------------------------------------------------------------ */

typedef struct _PsPrintOptions PsPrintOptions;

/** ps_print_options_new: Returns: (transfer full): the default server and its
 * default destination, one job per class, no resume, 600 s timeout. */
PS_API PsPrintOptions *ps_print_options_new (void);
PS_API void ps_print_options_free (PsPrintOptions *options);
/**
 * ps_print_options_set_printer:
 * @printer: (nullable): a CUPS queue, a CUPS class, or a comma list of
 *   queues ("frontier-1,frontier-2"); NULL = the server's default
 *   destination.  A class is spread over its members that accept jobs.
 *   Each class of students goes whole to one printer; classes are given to
 *   the printers balanced by pages.
 */
PS_API void ps_print_options_set_printer (PsPrintOptions *options, const char *printer);
/**
 * ps_print_options_set_media_type:
 * @media_type: (nullable): a PWG media-type keyword, e.g.
 *   "photographic-glossy" or a lab's adhesive stock; sent with the size as
 *   media-col.  Every printer used must list it (media-type-supported).
 * Returns: false with PS_PRINT_ERROR_INVALID if it is not a keyword.
 */
PS_API bool ps_print_options_set_media_type (PsPrintOptions *options, const char *media_type,
                                             GError **error);
/** @server: (nullable): "host:port" or a socket path; NULL = the default server. */
PS_API void ps_print_options_set_server (PsPrintOptions *options, const char *server);
/**
 * ps_print_options_add_option:
 * @option: "name=value", a CUPS job option added after the built-in ones
 * Returns: false with PS_PRINT_ERROR_INVALID if @option has no '='.
 */
PS_API bool ps_print_options_add_option (PsPrintOptions *options, const char *option,
                                         GError **error);
/** @job_size: most pages in one job; 0 = one job per class. */
PS_API void ps_print_options_set_job_size (PsPrintOptions *options, int job_size);
/** Print only the pages that have no completed job (a batch with jobs needs it). */
PS_API void ps_print_options_set_resume (PsPrintOptions *options, bool resume);
/** @seconds: how long a job may stay unfinished; 0 = 600. */
PS_API void ps_print_options_set_timeout (PsPrintOptions *options, int seconds);
/** @func: (nullable): jobs finished / jobs tracked, on the calling thread. */
PS_API void ps_print_options_set_progress (PsPrintOptions *options, PsProgressFunc func,
                                           void *user_data);

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
 * @summary: (out caller-allocates) (nullable): what was done, also on failure
 *
 * Queues the batch's pages, one job per class by default, each class to one
 * of the printers (balanced by pages), tracks every job until it ends and
 * records each state change in @ledger, with the queue that got it.  Each
 * printer (each queue named, each member of a class) gets the pages as
 * they were colour-managed: PWG raster in the device's space where it takes
 * that as it is, else the device-space PDF; a printer that takes neither is
 * refused (PS_QUEUE_ERROR_FORMAT) before anything is recorded, a class
 * member that takes neither is left out.  Without resume a batch that
 * already has jobs is refused; with it only pages without a completed job
 * are sent, and a job that reached CUPS before photosheet was stopped is
 * found - by its name, which carries the batch's unique id, and its own
 * attributes (job-uuid, user, time of creation) - and never sent twice; a
 * job of another batch or ledger is never taken for one of this batch.
 * The batch folder is locked meanwhile (PS_PRINT_ERROR_BUSY).
 *
 * Returns: true when every job completed.  Otherwise false with:
 * PS_QUEUE_ERROR_JOB when some jobs did not complete (@summary says how
 * many; the ledger has the details); PS_PRINT_ERROR_PARTIAL when some jobs
 * were queued and then a submission or the tracking failed (the message
 * has the counts, @summary too); any other error when nothing was queued
 * (printer, media, document format, server, ledger, already printed).
 * Whatever failed, each job's state in the ledger is what is known of it.
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
 * @date: (nullable): the date in the reprint mark, a real date "YYYY-MM-DD";
 *   NULL = today (local time)
 * @print: (nullable): queue the sheet too
 * @result: (out caller-allocates) (nullable)
 *
 * Renders one student's sheet(s) again from the ledger with the recorded
 * settings, identical but for a small reprint mark (补, date) in the margin,
 * after checking that the photo is the one recorded.  Recorded in the ledger.
 * Fails with PS_LEDGER_ERROR_NOT_FOUND when no student matches,
 * PS_PRINT_ERROR_INVALID for a bad query or date, PS_PRINT_ERROR_REFUSED when
 * @out_dir is a batch's folder (its pages would be overwritten),
 * PS_BATCH_ERROR_CHANGED when the photo or profile changed.  With @print,
 * the sheet goes to the first printer of the options (or the one that
 * printed the student's class); when the queue fails the reprint is still
 * recorded (rendered, not queued), its job's state says why, and the call
 * fails with PS_PRINT_ERROR_PARTIAL.
 */
PS_API bool ps_reprint (PsLedger *ledger, const PsStudentQuery *query, const char *out_dir,
                        const char *reason, const char *date, const PsPrintOptions *print,
                        PsReprintResult *result, GError **error);

/* ------------------------------------------------------------------ */
/* Export: pages into a minilab's hot folder                          */
/* ------------------------------------------------------------------ */

typedef enum {
  PS_EXPORT_FORMAT_TIFF,          /* the printer-space TIFF pages, profile embedded */
  PS_EXPORT_FORMAT_JPEG,          /* baseline JPEG of the same pixels, profile embedded (RGB only) */
} PsExportFormat;

/** ps_export_format_from_string: "tiff" (or "tif") or "jpeg" (or "jpg"). */
PS_API bool ps_export_format_from_string (const char *s, PsExportFormat *format);

typedef struct _PsExportOptions PsExportOptions;

/** ps_export_options_new: Returns: (transfer full): TIFF, JPEG quality 95. */
PS_API PsExportOptions *ps_export_options_new (void);
PS_API void ps_export_options_free (PsExportOptions *options);
PS_API void ps_export_options_set_format (PsExportOptions *options, PsExportFormat format);
/**
 * ps_export_options_set_jpeg_quality:
 * @quality: 50..100
 * Returns: false with PS_EXPORT_ERROR_FAILED outside that range.
 */
PS_API bool ps_export_options_set_jpeg_quality (PsExportOptions *options, int quality,
                                                GError **error);

typedef struct {
  size_t pages;               /* page files written */
  char  *order_path;          /* (transfer full) the order file */
  char  *prefix;              /* (transfer full) "ps-<batch uid>": every name starts so */
} PsExportResult;

PS_API void ps_export_result_clear (PsExportResult *result);

/**
 * ps_export_batch:
 * @batch_dir: a batch folder recorded in @ledger
 * @hot_folder: the folder the minilab watches (created if needed)
 * @options: (nullable): NULL for the defaults
 * @result: (out caller-allocates) (nullable)
 *
 * For labs whose printers are fed by hot folders rather than CUPS: the
 * batch's pages, rendered again from the ledger (photos checked against
 * their digests) into `ps-<uid>-NNNN.tif|jpg` - names unique across
 * batches - and a plain order file `ps-<uid>.order.txt` listing them in
 * print order, written last.  Every file appears atomically (written under
 * a hidden `.part` name the watcher ignores, synced, renamed).  Fails with
 * PS_EXPORT_ERROR_EXISTS, writing nothing, when the hot folder already has
 * one of the batch's names.
 */
PS_API bool ps_export_batch (PsLedger *ledger, const char *batch_dir, const char *hot_folder,
                             const PsExportOptions *options, PsExportResult *result,
                             GError **error);

/* ------------------------------------------------------------------ */
/* Lab configuration                                                  */
/* ------------------------------------------------------------------ */

typedef struct _PsConfig PsConfig;

/**
 * ps_config_new:
 * Returns: (transfer full): a configuration with nothing set.
 */
PS_API PsConfig *ps_config_new (void);
PS_API void ps_config_free (PsConfig *config);
/**
 * ps_config_load_file:
 * @path: a GKeyFile: groups [render] (profile, layout, intent, copies),
 *   [print] (printer, server, media-type) and [export] (hot-folder, format)
 * @must_exist: false = a missing file is no error
 *
 * Reads @path over what @config has: keys it sets win over earlier files.
 * A relative profile or hot-folder path is relative to the file's folder.
 * Fails with PS_CONFIG_ERROR naming the file, group and key.
 */
PS_API bool ps_config_load_file (PsConfig *config, const char *path, bool must_exist,
                                 GError **error);
/**
 * ps_config_load_default:
 * Reads `/etc/photosheet/photosheet.conf`, then
 * `$XDG_CONFIG_HOME/photosheet/photosheet.conf` (each optional; the later
 * wins).  `$PHOTOSHEET_SYSCONFDIR` replaces `/etc` (tests, packaging).
 * Returns: (transfer full): the configuration, or NULL with PS_CONFIG_ERROR.
 */
PS_API PsConfig *ps_config_load_default (GError **error);
/** ps_config_get_files: Returns: (transfer none): the files read, in order, NULL-terminated. */
PS_API const char *const *ps_config_get_files (const PsConfig *config);
/* Each getter: (transfer none) (nullable): NULL when no file set it. */
PS_API const char *ps_config_get_printer (const PsConfig *config);
PS_API const char *ps_config_get_server (const PsConfig *config);
PS_API const char *ps_config_get_media_type (const PsConfig *config);
PS_API const char *ps_config_get_profile (const PsConfig *config);
PS_API const char *ps_config_get_layout (const PsConfig *config);
PS_API const char *ps_config_get_hot_folder (const PsConfig *config);
/** ps_config_get_intent: Returns: true and *@intent when a file set it. */
PS_API bool ps_config_get_intent (const PsConfig *config, PsIntent *intent);
/** ps_config_get_export_format: Returns: true and *@format when a file set it. */
PS_API bool ps_config_get_export_format (const PsConfig *config, PsExportFormat *format);
/** ps_config_get_copies: Returns: copies of each student, 1..PS_MAX_COPIES (render's
 * default for ps_batch_options_set_copies()); 0 when not set. */
PS_API int ps_config_get_copies (const PsConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRosterOptions, ps_roster_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRoster, ps_roster_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsProblem, ps_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLayout, ps_layout_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsCheck, ps_check_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsBatchOptions, ps_batch_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsBatch, ps_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRenderOptions, ps_render_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLedger, ps_ledger_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLedgerStatus, ps_ledger_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPrintOptions, ps_print_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsExportOptions, ps_export_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsConfig, ps_config_free)

G_END_DECLS

#endif /* PHOTOSHEET_H */
