/* ps-fonts.c - the private fontconfig configuration and Pango font maps.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Output must not depend on what else is installed, so the engine never uses
 * the default fontconfig configuration: it loads fonts/fonts.conf into its own
 * FcConfig.  FcConfig is thread-safe; Pango font maps are not, so each thread
 * gets its own font map on the shared configuration.
 */
#include "config.h"
#include "ps-fonts-private.h"

#include <fontconfig/fontconfig.h>
#include <pango/pangofc-fontmap.h>
#include <string.h>

static FcConfig *config;

static FcConfig *
get_config (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      g_autofree char *path = g_build_filename (_ps_core_get_data_dir (), "fonts", "fonts.conf", NULL);
      FcConfig *c = FcConfigCreate ();
      if (!FcConfigParseAndLoad (c, (const FcChar8 *) path, FcTrue))
        g_warning ("fonts: cannot load '%s'; text may not render", path);
      FcConfigBuildFonts (c);
      config = c;
      g_once_init_leave (&once, 1);
    }
  return config;
}

static GPrivate font_map_key = G_PRIVATE_INIT (g_object_unref);

PangoFontMap *
_ps_fonts_get_font_map (void)
{
  PangoFontMap *map = g_private_get (&font_map_key);
  if (map == NULL)
    {
      map = pango_cairo_font_map_new_for_font_type (CAIRO_FONT_TYPE_FT);
      pango_fc_font_map_set_config (PANGO_FC_FONT_MAP (map), get_config ());
      g_private_set (&font_map_key, map);
    }
  return map;
}

PangoContext *
_ps_fonts_new_context (void)
{
  PangoContext *context = pango_font_map_create_context (_ps_fonts_get_font_map ());
  cairo_font_options_t *options = cairo_font_options_create ();

  /* Print: metrics must scale linearly with the dpi, so no hinting. */
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (context, FALSE);
  return context;
}

void
_ps_fonts_shutdown (void)
{
  /* (cairo_debug_reset_static_data and FcFini would go further, but both
   * require every font object of every thread gone.) */
  g_private_replace (&font_map_key, NULL);
  g_clear_pointer (&config, FcConfigDestroy);
}

/* Shapes @text with the family chain and looks for glyphs Pango had to
 * replace with an "unknown glyph" box: those are characters no font in the
 * configuration covers. */
bool
_ps_fonts_covers (const char *family, const char *text, char **missing)
{
  g_return_val_if_fail (text != NULL, false);

  if (missing != NULL)
    *missing = NULL;
  if (*text == '\0')
    return true;

  PangoContext *context = _ps_fonts_new_context ();
  PangoLayout *layout = pango_layout_new (context);
  PangoFontDescription *desc = pango_font_description_from_string (family);
  pango_font_description_set_absolute_size (desc, 12 * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);

  bool covered = true;
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);
      if (run == NULL)
        continue;
      PangoGlyphString *glyphs = run->glyphs;
      for (int i = 0; i < glyphs->num_glyphs && covered; i++)
        {
          if (!(glyphs->glyphs[i].glyph & PANGO_GLYPH_UNKNOWN_FLAG))
            continue;
          const char *p = text + run->item->offset + glyphs->log_clusters[i];
          gunichar c = g_utf8_get_char (p);
          /* Controls and spaces need no glyph on paper. */
          if (g_unichar_iscntrl (c) || g_unichar_isspace (c))
            continue;
          covered = false;
          if (missing != NULL)
            *missing = g_strndup (p, g_utf8_next_char (p) - p);
        }
    }
  while (covered && pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  g_object_unref (layout);
  g_object_unref (context);
  return covered;
}
