/* ps-batch-private.h - the batch model: what is printed, for every module
 * after check (plan, pipeline, writers, ledger, print, reprint).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Includes no cairo, pango or sqlite header: the ledger and
 * the queue read batches too.
 *
 * A PsBatch is built once - from a check (ps_batch_new) or from the ledger
 * (_ps_batch_new_recorded + the _ps_batch_add_* calls, then
 * _ps_batch_seal) - and is immutable after that: any thread may read it.
 * Students are stored in print order, the students of a class contiguous;
 * pages point at classes by index.  A sheet carries one or more groups
 * (a group: one student's copies on that sheet, at a place the layout
 * fixes): page->first_group .. + n_groups index batch->groups, in the
 * order of their first slot.  One student per sheet is the layouts'
 * default (one group a page); with imposition a sheet holds several.
 */
#ifndef PS_BATCH_PRIVATE_H
#define PS_BATCH_PRIVATE_H

#include "ps-layout-private.h"
#include "ps-record-private.h"

G_BEGIN_DECLS

/* What a batch is rendered with: enough to render any page again. */
typedef struct {
  char  *roster_path;        /* absolute; nullable */
  char  *roster_sha256;      /* nullable */
  char  *photos_dir;         /* absolute; photos are confined to it */
  char  *layout_name;
  char  *layout_text;        /* the layout file's contents, verbatim */
  char  *profile_path;       /* absolute; NULL = built-in sRGB */
  GBytes *profile;           /* the printer profile's bytes; NULL = sRGB */
  char  *profile_sha256;     /* NULL when profile is NULL */
  PsIntent intent;
  bool   bpc;
  int    dpi;                /* raster resolution (the layout's unless set) */
  PsOrder order;
  PsFormats formats;         /* PROOF implies PNG */
  PsTiffCompression tiff_compression;
  PsMaskStyle mask_style;    /* the roster's: how names were masked */
  int    copies;             /* copies of each student (--copies), 0 = the layout's */
  PsImpose impose;           /* the order of a class's groups on its sheets */
  char  *engine_version;
} PsBatchSettings;

/* Frees the members and zeroes them. */
void _ps_batch_settings_clear (PsBatchSettings *settings);
/* @dst (uninitialised) gets deep copies of @src's members. */
void _ps_batch_settings_copy (const PsBatchSettings *src, PsBatchSettings *dst);

typedef enum {
  PS_PAGE_SEPARATOR,
  PS_PAGE_SHEET,
} PsPageKind;

typedef struct {
  char  *name;               /* 班级 */
  char  *yxdm;               /* 院校代码 of its first student, may be NULL */
  size_t first;              /* index of its first student */
  size_t n_students;
} PsClass;

typedef struct {
  PsRecord record;           /* the masked values, row as in the roster */
  size_t class_index;
  int    seq;                /* 1-based position in its class */
  int    copies;             /* photos of this student in all */
  char  *photo_path;         /* absolute, inside settings.photos_dir */
  char  *photo_sha256;       /* the photo file as checked */
  gint64 photo_pixels;       /* decoded size (after orientation), 0 if not known */
  gint64 ledger_id;          /* the ledger's row, 0 when not recorded */
} PsStudent;

/* One student's copies on one sheet. */
typedef struct {
  size_t student;            /* index into students */
  int    first_slot;         /* 0-based slot of its first copy (see PsGroupPlace) */
  int    copies;             /* photos of this group */
  int    part;               /* 1-based: which of the student's sheets this is */
  int    n_parts;            /* sheets the student gets */
} PsGroup;

typedef struct {
  PsPageKind kind;
  size_t number;             /* 1-based page number */
  size_t class_index;
  size_t first_group;        /* index into groups (sheets only) */
  size_t n_groups;           /* groups on this sheet, >= 1; 0 for a separator */
} PsPage;

struct _PsBatch {
  PsBatchSettings settings;
  PsLayout  *layout;         /* settings.layout_text, parsed */
  GPtrArray *classes;        /* PsClass*, print order */
  GArray    *students;       /* PsStudent, print order */
  GArray    *pages;          /* PsPage, page order */
  GArray    *groups;         /* PsGroup, page order, on a page by first slot */
  GPtrArray *problems;       /* PsProblem*: why rows were skipped */
  size_t     n_rows;         /* data rows of the roster */
  size_t     n_skipped;      /* rows not in the batch */
  /* Set when the batch came from a ledger. */
  gint64     ledger_id;      /* 0 when not recorded */
  char      *out_dir;        /* where it was rendered (absolute) */
  char      *uid;            /* the ledger's globally unique id (32 hex digits), or NULL */
  GPtrArray *page_sha256;    /* char* or NULL per page: the recorded raster digests */
  bool       sealed;
};

static inline const PsPage *
_ps_batch_page (const PsBatch *batch, size_t number)
{
  return &g_array_index (batch->pages, PsPage, number - 1);
}

static inline const PsStudent *
_ps_batch_student (const PsBatch *batch, size_t index)
{
  return &g_array_index (batch->students, PsStudent, index);
}

static inline const PsClass *
_ps_batch_class (const PsBatch *batch, size_t index)
{
  return batch->classes->pdata[index];
}

/* Group @g (0-based, < page->n_groups) of sheet @page. */
static inline const PsGroup *
_ps_batch_page_group (const PsBatch *batch, const PsPage *page, size_t g)
{
  return &g_array_index (batch->groups, PsGroup, page->first_group + g);
}

/* Slots a sheet uses: its copies plus its record cells. */
size_t _ps_batch_page_slots_used (const PsBatch *batch, const PsPage *page);

/* ---- building a batch from recorded parts (the ledger) ---- */

/* An empty batch with @settings (copied); the layout text is parsed here
 * (PS_LAYOUT_ERROR when it no longer parses). */
PsBatch *_ps_batch_new_recorded (const PsBatchSettings *settings, gint64 ledger_id,
                                 const char *out_dir, GError **error);
/* Appends a class; classes are numbered in the order they are added. */
void _ps_batch_add_class (PsBatch *batch, const char *name, const char *yxdm);
/* Appends a student of class @class_index (the classes' students in order,
 * contiguous).  @record is copied.  Fails with PS_BATCH_ERROR_FAILED when
 * the class does not exist or the order is broken. */
bool _ps_batch_add_student (PsBatch *batch, size_t class_index, const PsRecord *record,
                            const char *photo_path, const char *photo_sha256,
                            gint64 ledger_id, GError **error);
/* Appends the next page (number = pages so far + 1), without groups yet.
 * @sha256: nullable, the recorded raster digest. */
void _ps_batch_add_page (PsBatch *batch, PsPageKind kind, size_t class_index,
                         const char *sha256);
/* Appends a group to the last page (a sheet): @copies of @student from
 * @first_slot, part @part of @n_parts.  Checked by _ps_batch_seal(). */
void _ps_batch_add_group (PsBatch *batch, size_t student, int first_slot, int copies,
                          int part, int n_parts);
/* Checks that every page points at a class that exists, that every sheet
 * has groups, each of a student of the page's class, placed where the
 * layout has room, none overlapping another; counts each student's copies
 * from its groups.  After this the batch is immutable. */
bool _ps_batch_seal (PsBatch *batch, GError **error);

/* ---- reading ---- */

/* The profile bytes, NULL for sRGB (transfer none). */
static inline GBytes *
_ps_batch_get_profile (const PsBatch *batch)
{
  return batch->settings.profile;
}

/* Page numbers (1-based, ascending) of the sheets of student @student. */
GArray *_ps_batch_get_student_pages (const PsBatch *batch, size_t student);
/* The group of @student on sheet @page, or NULL. */
const PsGroup *_ps_batch_page_find_student (const PsBatch *batch, const PsPage *page,
                                            size_t student);

G_END_DECLS

#endif /* PS_BATCH_PRIVATE_H */
