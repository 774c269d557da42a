/* ps-compose.c - raster pages composed in the printer's space.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See ps-compose-private.h for the model.  Costs: a photo is oriented,
 * resampled and converted once per student (a few ms for 480 x 640); a page
 * is a fill, a few block copies and one pass over the mask, where rows and
 * runs without ink are skipped eight bytes at a time.  Nothing here is
 * converted per page, and paper and black need no transform at all.
 */
#include "config.h"
#include "ps-compose-private.h"

#include <math.h>
#include <string.h>

PsRaster *
_ps_raster_new (int width, int height, int channels, GError **error)
{
  size_t stride = 0, size = 0;
  if (width <= 0 || height <= 0
      || !g_size_checked_mul (&stride, (size_t) width, (size_t) channels)
      || !g_size_checked_mul (&size, stride, (size_t) height))
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_TOO_LARGE,
                   "a %d x %d raster of %d samples is too large", width, height, channels);
      return NULL;
    }
  guint8 *data = g_try_malloc (size);
  if (data == NULL)
    {
      g_set_error (error, PS_RENDER_ERROR, PS_RENDER_ERROR_TOO_LARGE,
                   "cannot allocate a %d x %d raster of %d samples", width, height, channels);
      return NULL;
    }
  PsRaster *raster = g_new0 (PsRaster, 1);
  raster->width = width;
  raster->height = height;
  raster->channels = channels;
  raster->stride = stride;
  raster->data = data;
  return raster;
}

void
_ps_raster_free (PsRaster *raster)
{
  if (raster == NULL)
    return;
  g_free (raster->data);
  g_free (raster);
}

char *
_ps_raster_sha256 (const PsRaster *raster)
{
  return _ps_core_sha256 (raster->data, raster->stride * (size_t) raster->height);
}

PsPixelRect
_ps_compose_slot_pixels (const PsRect *slot, int dpi)
{
  double k = dpi / 72.0;
  PsPixelRect r = {
    .x = (int) lround (slot->x * k),
    .y = (int) lround (slot->y * k),
    .width = MAX (1, (int) lround (slot->width * k)),
    .height = MAX (1, (int) lround (slot->height * k)),
  };
  return r;
}

/* ------------------------------------------------------------------ */
/* Photo blocks                                                       */
/* ------------------------------------------------------------------ */

/* The photo as displayed (EXIF orientation applied), 16 bits a sample, in
 * its own colour space. */
static guint16 *
orient_photo (const PsRawImage *raw, int *out_width, int *out_height)
{
  int w = raw->width, h = raw->height, c = raw->channels;
  int orientation = raw->orientation >= 1 && raw->orientation <= 8 ? raw->orientation : 1;
  int ow = orientation >= 5 ? h : w;
  int oh = orientation >= 5 ? w : h;
  guint16 *out = g_new (guint16, (gsize) ow * (gsize) oh * (gsize) c);

  for (int y = 0; y < h; y++)
    {
      const guint8 *row = raw->pixels + (size_t) y * raw->stride;
      for (int x = 0; x < w; x++)
        {
          int dx, dy;
          switch (orientation)
            {
            case 2:  dx = w - 1 - x; dy = y;         break;
            case 3:  dx = w - 1 - x; dy = h - 1 - y; break;
            case 4:  dx = x;         dy = h - 1 - y; break;
            case 5:  dx = y;         dy = x;         break;
            case 6:  dx = h - 1 - y; dy = x;         break;
            case 7:  dx = h - 1 - y; dy = w - 1 - x; break;
            case 8:  dx = y;         dy = w - 1 - x; break;
            default: dx = x;         dy = y;         break;
            }
          guint16 *dst = out + ((size_t) dy * ow + dx) * c;
          if (raw->bits == 8)
            for (int i = 0; i < c; i++)
              dst[i] = (guint16) (row[(size_t) x * c + i] * 257);
          else
            memcpy (dst, row + (size_t) x * c * 2, (size_t) c * 2);
        }
    }
  *out_width = ow;
  *out_height = oh;
  return out;
}

/* The source pixels and weights of each output sample along one axis: a
 * triangle filter, as wide as one output pixel when shrinking (so every
 * source pixel counts) and bilinear when enlarging. */
typedef struct {
  int *start;            /* first source index of output i */
  int *count;            /* taps of output i */
  float *weight;         /* taps * n_out, row i at i * max_taps */
  int max_taps;
} Contributions;

static void
contributions_init (Contributions *c, int n_out, int n_in, double origin, double scale)
{
  double radius = MAX (1.0, 1.0 / scale);
  c->max_taps = (int) ceil (radius) * 2 + 1;
  c->start = g_new (int, n_out);
  c->count = g_new (int, n_out);
  c->weight = g_new0 (float, (gsize) n_out * (gsize) c->max_taps);
  for (int i = 0; i < n_out; i++)
    {
      double u = origin + (i + 0.5) / scale - 0.5;
      int first = (int) ceil (u - radius), last = (int) floor (u + radius);
      double total = 0;
      float *w = c->weight + (size_t) i * c->max_taps;
      int lo = CLAMP (first, 0, n_in - 1), hi = CLAMP (last, 0, n_in - 1);
      c->start[i] = lo;
      c->count[i] = MIN (hi - lo + 1, c->max_taps);
      /* Taps beyond the edge fold onto the edge pixel. */
      for (int k = first; k <= last; k++)
        {
          double d = 1.0 - fabs (k - u) / radius;
          if (d <= 0)
            continue;
          int at = CLAMP (k, 0, n_in - 1) - lo;
          if (at >= c->max_taps)
            continue;
          w[at] += (float) d;
          total += d;
        }
      if (total <= 0)
        {
          w[CLAMP ((int) lround (u), lo, hi) - lo] = 1;
          total = 1;
        }
      for (int k = 0; k < c->count[i]; k++)
        w[k] = (float) (w[k] / total);
    }
}

static void
contributions_clear (Contributions *c)
{
  g_free (c->start);
  g_free (c->count);
  g_free (c->weight);
}

static inline guint16
clamp_u16 (float v)
{
  return (guint16) (v <= 0 ? 0 : v >= 65535.0f ? 65535 : (int) (v + 0.5f));
}

/* Resamples @src (@sw x @sh, @c samples) to @dw x @dh: horizontal pass
 * into 16-bit rows, then vertical. */
static guint16 *
resample (const guint16 *src, int sw, int sh, int c, int dw, int dh, double x0, double y0,
          double sx, double sy)
{
  Contributions cx, cy;
  contributions_init (&cx, dw, sw, x0, sx);
  contributions_init (&cy, dh, sh, y0, sy);

  /* Only the source rows some output row reads. */
  int row_lo = cy.start[0], row_hi = cy.start[dh - 1] + cy.count[dh - 1] - 1;
  int n_rows = row_hi - row_lo + 1;
  guint16 *mid = g_new (guint16, (gsize) dw * (gsize) n_rows * (gsize) c);
  g_autofree float *acc = g_new (float, c);
  for (int y = 0; y < n_rows; y++)
    {
      const guint16 *in = src + (size_t) (row_lo + y) * sw * c;
      guint16 *out = mid + (size_t) y * dw * c;
      for (int i = 0; i < dw; i++)
        {
          const float *w = cx.weight + (size_t) i * cx.max_taps;
          const guint16 *p = in + (size_t) cx.start[i] * c;
          for (int k = 0; k < c; k++)
            acc[k] = 0;
          for (int t = 0; t < cx.count[i]; t++, p += c)
            for (int k = 0; k < c; k++)
              acc[k] += w[t] * p[k];
          for (int k = 0; k < c; k++)
            out[(size_t) i * c + k] = clamp_u16 (acc[k]);
        }
    }

  guint16 *dst = g_new (guint16, (gsize) dw * (gsize) dh * (gsize) c);
  size_t row_samples = (size_t) dw * c;
  g_autofree float *line = g_new (float, row_samples);
  for (int j = 0; j < dh; j++)
    {
      const float *w = cy.weight + (size_t) j * cy.max_taps;
      memset (line, 0, row_samples * sizeof (float));
      for (int t = 0; t < cy.count[j]; t++)
        {
          const guint16 *in = mid + (size_t) (cy.start[j] + t - row_lo) * row_samples;
          for (size_t s = 0; s < row_samples; s++)
            line[s] += w[t] * in[s];
        }
      guint16 *out = dst + (size_t) j * row_samples;
      for (size_t s = 0; s < row_samples; s++)
        out[s] = clamp_u16 (line[s]);
    }
  g_free (mid);
  contributions_clear (&cx);
  contributions_clear (&cy);
  return dst;
}

PsRaster *
_ps_compose_photo_block (PsColor *color, const PsRawImage *raw, int slot_width,
                         int slot_height, PsCrop crop, PsColorTarget target, int *offset_x,
                         int *offset_y, GError **error)
{
  g_return_val_if_fail (color != NULL && raw != NULL && slot_width > 0 && slot_height > 0, NULL);

  if (raw->width <= 0 || raw->height <= 0 || raw->pixels == NULL
      || (raw->channels != 1 && raw->channels != 3 && raw->channels != 4)
      || (raw->bits != 8 && raw->bits != 16))
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                   "unsupported decoded photo (%dx%d, %d channels, %d bits)", raw->width,
                   raw->height, raw->channels, raw->bits);
      return NULL;
    }
  int w = 0, h = 0, c = raw->channels;
  g_autofree guint16 *shown = orient_photo (raw, &w, &h);

  /* One scale for both axes when cropping: a photo is never stretched.
   * Fitting rounds the block to whole pixels, a distortion below one. */
  int bw, bh;
  double x0 = 0, y0 = 0, sx, sy;
  if (crop == PS_CROP_COVER)
    {
      double s = MAX ((double) slot_width / w, (double) slot_height / h);
      bw = slot_width;
      bh = slot_height;
      sx = sy = s;
      x0 = (w - bw / s) / 2;
      y0 = (h - bh / s) / 2;
    }
  else
    {
      double s = MIN ((double) slot_width / w, (double) slot_height / h);
      bw = CLAMP ((int) lround (w * s), 1, slot_width);
      bh = CLAMP ((int) lround (h * s), 1, slot_height);
      sx = (double) bw / w;
      sy = (double) bh / h;
    }
  *offset_x = (slot_width - bw) / 2;
  *offset_y = (slot_height - bh) / 2;

  g_autofree guint16 *sampled = resample (shown, w, h, c, bw, bh, x0, y0, sx, sy);
  g_autoptr (PsRaster) block = _ps_raster_new (bw, bh, _ps_color_get_target_channels (color, target),
                                               error);
  if (block == NULL)
    return NULL;
  if (!_ps_color_convert_photo (color, raw, target, sampled, (size_t) bw * c * 2, bw, bh,
                                block->data, block->stride, error))
    return NULL;
  return g_steal_pointer (&block);
}

/* ------------------------------------------------------------------ */
/* Pages                                                              */
/* ------------------------------------------------------------------ */

/* @mask[x..] has no ink for the next 8 bytes. */
static inline bool
no_ink8 (const guint8 *mask)
{
  guint64 v;
  memcpy (&v, mask, 8);
  return v == 0;
}

void
_ps_compose_page (PsRaster *page, const PsPlacement *placements, size_t n_placements,
                  const guint8 *mask, size_t mask_stride)
{
  int c = page->channels;
  bool cmyk = c == 4;

  /* Paper: no ink. */
  memset (page->data, cmyk ? 0 : 255, page->stride * (size_t) page->height);

  for (size_t i = 0; i < n_placements; i++)
    {
      const PsRaster *b = placements[i].block;
      g_return_if_fail (b->channels == c);
      int x_lo = MAX (0, placements[i].x), x_hi = MIN (page->width, placements[i].x + b->width);
      int y_lo = MAX (0, placements[i].y), y_hi = MIN (page->height, placements[i].y + b->height);
      if (x_lo >= x_hi)
        continue;
      for (int y = y_lo; y < y_hi; y++)
        memcpy (page->data + (size_t) y * page->stride + (size_t) x_lo * c,
                b->data + (size_t) (y - placements[i].y) * b->stride
                  + (size_t) (x_lo - placements[i].x) * c,
                (size_t) (x_hi - x_lo) * c);
    }

  if (mask == NULL)
    return;
  /* Ink: device black at the mask's coverage.  CMYK: the colour under it is
   * knocked out and K laid down, so black text and marks are K only. */
  for (int y = 0; y < page->height; y++)
    {
      const guint8 *m = mask + (size_t) y * mask_stride;
      guint8 *p = page->data + (size_t) y * page->stride;
      int x = 0;
      while (x < page->width)
        {
          if (x + 8 <= page->width && no_ink8 (m + x))
            {
              x += 8;
              continue;
            }
          unsigned a = m[x];
          if (a != 0)
            {
              guint8 *px = p + (size_t) x * c;
              unsigned keep = 255 - a;
              if (cmyk)
                {
                  for (int k = 0; k < 3; k++)
                    px[k] = (guint8) ((px[k] * keep + 127) / 255);
                  px[3] = (guint8) (px[3] + ((255 - px[3]) * a + 127) / 255);
                }
              else
                for (int k = 0; k < 3; k++)
                  px[k] = (guint8) ((px[k] * keep + 127) / 255);
            }
          x++;
        }
    }
}

void
_ps_compose_page_slots (const PsBatch *batch, const PsPage *page, size_t only_student,
                        GArray *slots, GArray *students)
{
  const PsLayout *layout = batch->layout;
  if (page->kind != PS_PAGE_SHEET)
    return;
  for (size_t g = 0; g < page->n_groups; g++)
    {
      const PsGroup *group = _ps_batch_page_group (batch, page, g);
      if (only_student != G_MAXSIZE && group->student != only_student)
        continue;
      for (int i = 0; i < group->copies; i++)
        {
          size_t at = (size_t) (group->first_slot + i);
          if (at >= layout->slots->len)
            break;
          PsRect slot = _ps_layout_slot (layout, at);
          g_array_append_val (slots, slot);
          g_array_append_val (students, group->student);
        }
    }
}
