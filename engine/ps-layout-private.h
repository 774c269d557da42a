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

/* Photo slot @i (row-major), points. */
static inline PsRect
_ps_layout_slot (const PsLayout *layout, size_t i)
{
  return g_array_index (layout->slots, PsRect, i);
}

/* Parses layout text (@path only names it in messages).  The text is kept
 * verbatim in the layout (layout->text), so that a batch can be rendered
 * again later with exactly the layout it was rendered with. */
PsLayout *_ps_layout_load_from_data (const char *name, const char *path, const char *contents,
                                     gsize length, GError **error);

G_END_DECLS

#endif /* PS_LAYOUT_PRIVATE_H */
