/* ps-render-private.h - one page of a batch onto a cairo context.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Needs cairo and pango.
 */
#ifndef PS_RENDER_PRIVATE_H
#define PS_RENDER_PRIVATE_H

#include "ps-batch-private.h"

#include <cairo.h>

G_BEGIN_DECLS

typedef struct _PsRenderer PsRenderer;

/* A renderer draws with its own Pango context on the calling thread's font
 * map: create, use and free it on one thread.  @layout is borrowed. */
PsRenderer *_ps_renderer_new (const PsLayout *layout);
void _ps_renderer_free (PsRenderer *renderer);
/* Draws @page of @batch in points onto @cr (whose CTM maps points to the
 * device).  @photos: per group of a sheet, its student's photo (nullable
 * entries draw no photo); NULL for a separator.  @only_student: G_MAXSIZE,
 * or the one student whose groups are drawn (a reprint: nothing of the
 * others, their places left blank). */
bool _ps_renderer_draw_page (PsRenderer *renderer, cairo_t *cr, const PsBatch *batch,
                             const PsPage *page, cairo_surface_t *const *photos,
                             size_t only_student, GError **error);
/* Draws only the ink of @page - text, cut marks, rules, tabs: everything
 * but paper and photos, all of it black - for a coverage mask (an A8
 * surface) that ps-compose lays down as device black. */
bool _ps_renderer_draw_ink (PsRenderer *renderer, cairo_t *cr, const PsBatch *batch,
                            const PsPage *page, size_t only_student, GError **error);
/* Draws @text (e.g. "补 2026-11-22") in the layout's reprint-mark area,
 * outside every photo. */
void _ps_renderer_draw_mark (PsRenderer *renderer, cairo_t *cr, const char *text);
/* Checks that the captions of @record fit the layout at min size - the
 * per-copy caption inside its photo's width, the strip inside the strip -
 * (PS_RENDER_ERROR_CAPTION); *@field (nullable, transfer full) then names
 * the field to blame ("xm", or "xm,xh" when only together they do not fit). */
bool _ps_renderer_check_record (PsRenderer *renderer, const PsRecord *record, char **field,
                                GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRenderer, _ps_renderer_free)

G_END_DECLS

#endif /* PS_RENDER_PRIVATE_H */
