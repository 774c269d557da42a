/* ps-layout-private.h - the layout as the modules after it read it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Includes no cairo or pango header: the ledger and the
 * batch model see layouts too.
 */
#ifndef PS_LAYOUT_PRIVATE_H
#define PS_LAYOUT_PRIVATE_H

#include "ps-core-private.h"

G_BEGIN_DECLS

typedef enum {
  PS_CROP_COVER,   /* fill the slot, centred crop */
  PS_CROP_FIT,     /* whole photo inside the slot, letterboxed */
} PsCrop;

/* How a sheet is shared between students' copy groups (a group = one
 * student's copies on one sheet, kept together). */
typedef enum {
  PS_GROUPS_SHEET,   /* one group per sheet, its copies in reading order */
  PS_GROUPS_ROWS,    /* each group on whole rows: several students per sheet */
} PsGroups;

/* Where a group's masked record goes. */
typedef enum {
  PS_RECORD_STRIP,   /* the sheet's caption strip, top or bottom (PS_GROUPS_SHEET) */
  PS_RECORD_ROW,     /* a band below each row of photos (PS_GROUPS_ROWS) */
  PS_RECORD_CELL,    /* the last cell of the group's rows */
} PsRecordPlace;

typedef struct {
  char  *family;     /* Pango family list, e.g. "Noto Sans CJK SC, HanaMinA, HanaMinB" */
  double size_max;   /* points */
  double size_min;   /* points */
} PsFontSpec;

struct _PsLayout {
  gatomicrefcount ref;
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
  int    copies;           /* the default copies of a student, 1..capacity */
  GArray *slots;           /* PsRect, photo rectangles, row-major */
  PsGroups groups;
  PsRecordPlace record;
  GArray *bands;           /* PsRect per row: the record bands (PS_RECORD_ROW), else empty */

  /* per-copy caption under each photo */
  PsField copy_fields[PS_N_FIELDS];
  size_t  n_copy_fields;
  double  copy_caption_height;   /* points, directly below each slot */
  PsFontSpec copy_font;

  /* the masked record: the sheet's caption strip, or the size of every
   * band or record cell (strip then is the first one) */
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

/* Photo slot @i (row-major), points. */
static inline PsRect
_ps_layout_slot (const PsLayout *layout, size_t i)
{
  return g_array_index (layout->slots, PsRect, i);
}

/* The grid row (0-based) of slot @slot. */
static inline int
_ps_layout_slot_row (const PsLayout *layout, int slot)
{
  return slot / layout->columns;
}

/* ---- groups: one student's copies on one sheet ---- */

/* Where a group sits on a sheet. */
typedef struct {
  int    first_slot;       /* slot of its first copy (0-based, row-major) */
  int    copies;           /* its copies: slots first_slot .. first_slot + copies - 1 */
  int    first_row;        /* its block of whole rows */
  int    n_rows;
  int    record_slot;      /* PS_RECORD_CELL: the cell of its record, else -1 */
  PsRect piece;            /* points: what is left of the sheet when it is cut on the
                            * lines between groups (full width; the whole sheet for
                            * one group per sheet) */
} PsGroupPlace;

/* Copies of one group that fit on one sheet (slots less the record cell). */
int _ps_layout_get_capacity (const PsLayout *layout);
/* Rows of the block of a group of @copies (1..capacity): every row of the
 * sheet for PS_GROUPS_SHEET. */
int _ps_layout_group_rows (const PsLayout *layout, int copies);
/* Groups of @copies (1..capacity) that fit on one sheet. */
int _ps_layout_get_positions (const PsLayout *layout, int copies);
/* The place of a group of @copies whose first copy is at @first_slot
 * (the first slot of a row, 0 for PS_GROUPS_SHEET).  False if it does not
 * fit the sheet there. */
bool _ps_layout_place_group (const PsLayout *layout, int first_slot, int copies,
                             PsGroupPlace *place);
/* The rectangles that carry a group's record (at most rows of them):
 * the strip, its bands or its record cell.  Returns how many. */
size_t _ps_layout_group_records (const PsLayout *layout, const PsGroupPlace *place,
                                 PsRect *records);
/* The cut line between row @row - 1 and row @row (1..rows - 1): y, points,
 * half way through the gap between them. */
double _ps_layout_cut_y (const PsLayout *layout, int row);
/* The two strokes that mark the cut line at @y, in the side margins
 * outside the grid (left, right). */
void _ps_layout_group_marks (const PsLayout *layout, double y, PsRect marks[2]);

/* Parses layout text (@path only names it in messages).  The text is kept
 * verbatim in the layout (layout->text), so that a batch can be rendered
 * again later with exactly the layout it was rendered with. */
PsLayout *_ps_layout_load_from_data (const char *name, const char *path, const char *contents,
                                     gsize length, GError **error);

G_END_DECLS

#endif /* PS_LAYOUT_PRIVATE_H */
