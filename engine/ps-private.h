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
/* Checks that the captions of @record fit the layout at min size. */
bool _ps_renderer_check_record (PsRenderer *renderer, const PsRecord *record,
                                GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsColor, _ps_color_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPlan, _ps_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRenderer, _ps_renderer_free)

G_END_DECLS

#endif /* PS_PRIVATE_H */
