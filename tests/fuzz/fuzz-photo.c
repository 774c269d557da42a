/* fuzz-photo.c - JPEG, PNG and TIFF photos through ps_photo_probe(),
 * _ps_photo_decode() and the conversion to sRGB (embedded ICC, EXIF
 * orientation).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is the file.  Limits are small (2 Mpx, 1 px minimum) so that
 * the fuzzer spends its time in the decoders' header and data paths, not in
 * allocating real photos; the size and aspect checks still run.
 */
#include "fuzz-util.h"

#include <string.h>

#define PS_FUZZ_MAX_INPUT (512 * 1024)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > PS_FUZZ_MAX_INPUT)
    return 0;
  ps_fuzz_init ();

  const char *path = ps_fuzz_write_file ("photo.jpg", data, size);
  PsPhotoLimits limits = { .max_pixels = 2 * 1000 * 1000, .min_width = 1, .min_height = 1,
                           .aspect = 0.75, .aspect_tolerance = 100.0 };
  PsPhotoInfo info;
  g_autoptr (GError) error = NULL;
  bool probed = ps_photo_probe (path, &limits, &info, &error);
  if (!probed)
    {
      g_assert (error != NULL && error->domain == PS_PHOTO_ERROR);
      g_clear_error (&error);
    }
  else
    {
      g_assert (info.width > 0 && info.height > 0);
      g_assert ((gint64) info.width * info.height <= limits.max_pixels);
      g_assert (info.orientation >= 1 && info.orientation <= 8);
    }

  /* Decode even when the probe refused: the decoder must refuse too, and
   * must not trust the probe to have run. */
  g_autoptr (PsRawImage) image = _ps_photo_decode (path, &limits, &error);
  if (image == NULL)
    {
      g_assert (error != NULL && error->domain == PS_PHOTO_ERROR);
      return 0;
    }
  g_assert (image->width > 0 && image->height > 0 && image->pixels != NULL);
  g_assert ((gint64) image->width * image->height <= limits.max_pixels);
  if (probed)
    g_assert (image->width == info.width && image->height == info.height);

  static PsColor *color;
  if (color == NULL)
    color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, NULL);
  cairo_surface_t *surface = _ps_color_photo_to_surface (color, image, &error);
  if (surface == NULL)
    g_assert (error != NULL && error->domain == PS_COLOR_ERROR);
  else
    cairo_surface_destroy (surface);
  return 0;
}
