/* fuzz-layout.c - layout .ini files through the parser, the geometry and the
 * description.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-util.h"

#include <math.h>

#define PS_FUZZ_MAX_INPUT (64 * 1024)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > PS_FUZZ_MAX_INPUT)
    return 0;
  ps_fuzz_init ();

  g_autoptr (GError) error = NULL;
  g_autoptr (PsLayout) layout = _ps_layout_load_from_data ("fuzz", "fuzz.ini", (const char *) data,
                                                           size, &error);
  if (layout == NULL)
    {
      g_assert (error != NULL && error->domain == PS_LAYOUT_ERROR);
      return 0;
    }

  /* A layout that loads is sane: finite sizes, slots on the sheet, copies
   * that fit, a size the photos can be checked against. */
  double w = ps_layout_get_sheet_width (layout), h = ps_layout_get_sheet_height (layout);
  g_assert (isfinite (w) && isfinite (h) && w > 0 && h > 0);
  size_t n = ps_layout_get_n_slots (layout);
  g_assert (n >= 1);
  g_assert (ps_layout_get_copies (layout) >= 1 && (size_t) ps_layout_get_copies (layout) <= n);
  for (size_t i = 0; i < n; i++)
    {
      PsRect r = ps_layout_get_slot (layout, i);
      g_assert (isfinite (r.x) && isfinite (r.y) && r.width > 0 && r.height > 0);
      g_assert (r.x >= -0.01 && r.y >= -0.01 && r.x + r.width <= w + 0.01
                && r.y + r.height <= h + 0.01);
    }
  int pw = 0, ph = 0;
  ps_layout_get_min_photo_px (layout, &pw, &ph);
  g_assert (pw > 0 && ph > 0);
  g_assert (ps_layout_get_dpi (layout) > 0);
  g_autofree char *text = ps_layout_describe (layout);
  g_assert (text != NULL);
  return 0;
}
