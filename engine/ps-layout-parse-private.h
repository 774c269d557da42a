/* ps-layout-parse-private.h - what the layout files share: limits, the
 * parser's error context, message helpers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed; only ps-layout*.c include it.
 */
#ifndef PS_LAYOUT_PARSE_PRIVATE_H
#define PS_LAYOUT_PARSE_PRIVATE_H

#include "ps-layout-private.h"

G_BEGIN_DECLS

#define MM_TO_PT(mm) ((mm) * 72.0 / 25.4)
#define PT_TO_MM(pt) ((pt) * 25.4 / 72.0)

/* Limits that turn typos into errors instead of absurd sheets. */
#define MAX_LENGTH_MM      2000.0        /* no sheet is larger than 2 m */
#define MIN_PHOTO_MM       5.0
#define MAX_FONT_PT        400.0
#define MIN_FONT_PT        1.0
#define MAX_LINE_WIDTH_PT  5.0
#define MIN_DPI            72
#define MAX_DPI            2400
#define MAX_GRID           100           /* columns or rows */
#define MAX_SLOTS          500
#define MAX_TAB_STEPS      100
#define MAX_FILE_BYTES     (64 * 1024)
#define MAX_FAMILY_CHARS   200
#define MEDIA_TOLERANCE_MM 1.5           /* 6-inch 102x152 vs 4x6in 101.6x152.4 */

/* One line of text needs about 1.3 x its size in the strip (line height with
 * ascent and descent), 1.2 x in the tighter per-copy caption. */
#define STRIP_LINE_FACTOR  1.3
#define COPY_LINE_FACTOR   1.2

/* Geometry comparisons tolerate rounding of the mm -> pt conversion. */
#define EPSILON_PT 1e-3

#define DEFAULT_FAMILY "Noto Sans CJK SC, HanaMinA, HanaMinB"

typedef struct {
  GKeyFile   *keyfile;
  const char *file;      /* as shown in messages */
  GError    **error;
} Parser;

/* Settings read from the file that the struct does not keep. */
typedef struct {
  double sheet_w_mm_pt, sheet_h_mm_pt;   /* as written, before orientation, points */
  int    columns_asked, rows_asked;      /* 0 = auto */
  int    copies_asked;                   /* 0 = auto */
  double strip_gap;                      /* points between grid area and strip */
  bool   strip_top;                      /* PS_RECORD_STRIP at the top */
  double reprint_size;                   /* points, 0 = none */
} Extra;

/* Sets "layout 'FILE': [GROUP] KEY=VALUE: REASON" and returns false. */
bool _ps_layout_fail (Parser *parser, PsLayoutError code, const char *group, const char *key,
                      const char *value, const char *format, ...) G_GNUC_PRINTF (6, 7);
/* Locale-independent numbers for messages and describe (a small ring of
 * buffers: one message may hold several). */
char *_ps_layout_num (double value, int decimals);
const char *_ps_layout_mm_short (double pt);
const char *_ps_layout_pt_short (double pt);
const char *_ps_layout_mm1 (double pt);

/* Grid, slots and strip; then everything that must not collide. */
bool _ps_layout_compute_geometry (Parser *parser, PsLayout *layout, const Extra *extra);
/* Reads and parses a layout file (a regular file of at most MAX_FILE_BYTES). */
PsLayout *_ps_layout_load_file (const char *path, const char *name, GError **error);

G_END_DECLS

#endif /* PS_LAYOUT_PARSE_PRIVATE_H */
