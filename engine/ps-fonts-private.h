/* ps-fonts-private.h - the private fontconfig configuration and Pango
 * contexts on it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Needs pango.
 */
#ifndef PS_FONTS_PRIVATE_H
#define PS_FONTS_PRIVATE_H

#include "ps-core-private.h"

#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* The calling thread's font map on fonts/fonts.conf; do not unref.
 * Thread-safe to call; Pango objects stay on the thread that made them. */
PangoFontMap *_ps_fonts_get_font_map (void);
/* A new Pango context on the private font map (caller unrefs). */
PangoContext *_ps_fonts_new_context (void);
/* Returns: true if every character of @text has a glyph in @family's chain;
 * otherwise false and *@missing (if not NULL) = first uncovered char (UTF-8,
 * caller frees). */
bool _ps_fonts_covers (const char *family, const char *text, char **missing);

G_END_DECLS

#endif /* PS_FONTS_PRIVATE_H */
