/* fuzz-icc.c - ICC profiles: as the printer (output) profile, and embedded
 * in a photo, through ps-color.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: one control byte, then the profile bytes.  Control bits:
 *   0x01  embedded in a photo (else: the output profile)
 *   0x06  photo channels: 0 gray, 1 RGB, 2 CMYK, 3 inverted CMYK
 *   0x08  16-bit photo samples
 *   0x30  rendering intent of the output profile
 *   0x40  no black-point compensation
 * Either way the profile is used, not only opened: a row of pixels through
 * the page transform and the soft proof, or a small photo to sRGB.
 */
#include "fuzz-util.h"

#include <string.h>

#define PS_FUZZ_MAX_INPUT (128 * 1024)

static void
fuzz_output (uint8_t control, const uint8_t *icc, size_t size)
{
  const char *path = ps_fuzz_write_file ("output.icc", icc, size);
  PsIntent intent = (PsIntent) ((control >> 4) & 3);
  g_autoptr (GError) error = NULL;
  g_autoptr (PsColor) color = _ps_color_new (path, intent, (control & 0x40) == 0, &error);
  if (color == NULL)
    {
      g_assert (error != NULL && error->domain == PS_COLOR_ERROR);
      return;
    }
  int channels = _ps_color_get_output_channels (color);
  g_assert (channels == 3 || channels == 4);
  g_assert (_ps_color_get_output_name (color) != NULL);

  /* A small page: a gradient, through the transform and the soft proof. */
  enum { W = 17, H = 3 };
  cairo_surface_t *page = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  g_assert (cairo_surface_status (page) == CAIRO_STATUS_SUCCESS);
  guint8 *px = cairo_image_surface_get_data (page);
  int stride = cairo_image_surface_get_stride (page);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        guint32 v = 0xff000000u | (guint32) (x * 15) << 16 | (guint32) (y * 100) << 8
                    | (guint32) (255 - x * 15);
        memcpy (px + y * stride + x * 4, &v, 4);
      }
  cairo_surface_mark_dirty (page);

  guint8 out[W * H * 4];
  g_assert (_ps_color_page_to_output (color, page, out, W * 4, &error));
  _ps_color_row_to_output (color, px, out, W);
  if (!_ps_color_proof_surface (color, page, &error))
    {
      g_assert (error != NULL && error->domain == PS_COLOR_ERROR);
      g_clear_error (&error);
    }
  cairo_surface_destroy (page);
}

static void
fuzz_embedded (uint8_t control, const uint8_t *icc, size_t size)
{
  static const int channel_of[] = { 1, 3, 4, 4 };
  int kind = (control >> 1) & 3;
  PsRawImage image = {
    .width = 5,
    .height = 4,
    .channels = channel_of[kind],
    .bits = (control & 0x08) ? 16 : 8,
    .adobe_inverted = kind == 3,
    .orientation = 1 + (control >> 4) % 8,
  };
  image.stride = (size_t) image.width * image.channels * (image.bits / 8);
  g_autofree guint8 *pixels = g_malloc (image.stride * image.height);
  for (size_t i = 0; i < image.stride * image.height; i++)
    pixels[i] = (guint8) (i * 37);
  image.pixels = pixels;
  g_autoptr (GBytes) bytes = g_bytes_new (icc, size);
  image.icc = bytes;

  g_autoptr (GError) error = NULL;
  g_autoptr (PsColor) color = _ps_color_new (NULL, PS_INTENT_RELATIVE, true, &error);
  g_assert (color != NULL);
  cairo_surface_t *surface = _ps_color_photo_to_surface (color, &image, &error);
  if (surface == NULL)
    {
      g_assert (error != NULL && error->domain == PS_COLOR_ERROR);
      return;
    }
  g_assert (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS);
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  g_assert ((w == 5 && h == 4) || (w == 4 && h == 5));
  cairo_surface_destroy (surface);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1 || size > PS_FUZZ_MAX_INPUT)
    return 0;
  ps_fuzz_init ();
  if (data[0] & 0x01)
    fuzz_embedded (data[0], data + 1, size - 1);
  else
    fuzz_output (data[0], data + 1, size - 1);
  return 0;
}
