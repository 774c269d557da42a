/* ps-color.c - colour management with lcms2: output profile, cached transforms, soft proof.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One cmsContext per PsColor, with the PsColor as its user data and a log
 * handler that keeps the last lcms2 message for our GErrors; only *THR calls.
 *
 * Transforms and threads.  A PsColor is shared by the render threads.  Every
 * transform is built once, under color->lock, and kept until _ps_color_free():
 *  - sRGB page -> output: built in _ps_color_new(), so that a profile lcms2
 *    cannot use fails there rather than in the middle of a batch, and so that
 *    _ps_color_row_to_output() (which has no error channel) cannot fail;
 *  - output -> sRGB for the soft proof: built lazily;
 *  - photo -> sRGB: built lazily, cached by (MD5 of the embedded profile,
 *    lcms2 input format), failures included, so that each distinct profile of
 *    a batch is parsed once.  At most PS_PHOTO_CACHE_MAX entries; beyond that
 *    a transform is built for the one photo and deleted after it.
 * cmsDoTransform() is then called without the lock, from any thread, on the
 * shared transforms.  That is safe in lcms2 2.x: a transform is read-only
 * after creation, and its 1-pixel cache is copied to the stack at the start
 * of each call (cmsxform.c, CachedXFORM), never written back.  So we keep the
 * cache (it pays off on pages of flat colour) and do not use
 * cmsFLAGS_NOCACHE or per-thread transforms.
 *
 * What is printed (ps-compose.c) never goes through sRGB: a photo is
 * converted once from its own profile straight to the printer profile with
 * the batch's intent and BPC (_ps_color_convert_photo, 16-bit input), and
 * the page is composed in device space around it.  The sRGB transforms
 * below serve the previews, the soft proof and content colours of the PDF.
 *
 * Intents.  Page -> printer uses the caller's intent and black-point
 * compensation.  Photo -> sRGB always uses relative colorimetric + BPC: it is
 * deterministic (no vendor perceptual tables in the way), matches what the
 * colour tests measure, and BPC maps a CMYK or print-referred photo's black
 * to sRGB black.  The soft proof is sRGB -> printer (caller's intent, BPC)
 * -> sRGB relative colorimetric without BPC, through the same 8-bit output
 * buffer the printer gets: paper white shows as white, ink black as the
 * print's black.
 */
#include "config.h"
#include "ps-color-private.h"
#include "ps-file-private.h"

#include <lcms2.h>
#include <string.h>

#include "../profiles/ps-profile-build.h"

G_DEFINE_QUARK (ps-color-error-quark, ps_color_error)

static const char *const intent_names[] = {
  [PS_INTENT_PERCEPTUAL] = "perceptual",
  [PS_INTENT_RELATIVE] = "relative",
  [PS_INTENT_SATURATION] = "saturation",
  [PS_INTENT_ABSOLUTE] = "absolute",
};

bool
ps_color_intent_from_string (const char *s, PsIntent *intent)
{
  g_return_val_if_fail (intent != NULL, false);
  for (size_t i = 0; s != NULL && i < G_N_ELEMENTS (intent_names); i++)
    if (strcmp (s, intent_names[i]) == 0)
      {
        *intent = (PsIntent) i;
        return true;
      }
  return false;
}

const char *
ps_color_intent_to_string (PsIntent intent)
{
  if ((unsigned) intent >= G_N_ELEMENTS (intent_names))
    return "unknown";
  return intent_names[intent];
}

/* How a cairo RGB24/ARGB32 pixel (a native-endian guint32 0xAARRGGBB) lies in
 * memory, as an lcms2 format. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define PS_CAIRO_FORMAT TYPE_BGRA_8
#else
#define PS_CAIRO_FORMAT TYPE_ARGB_8
#endif

/* Distinct embedded profiles (and input formats) kept per PsColor. */
#define PS_PHOTO_CACHE_MAX 32

typedef struct {
  cmsHTRANSFORM xform;         /* NULL: the embedded profile is unusable */
} PsPhotoXform;

struct _PsColor {
  cmsContext ctx;
  GMutex lock;                 /* guards the lazily built transforms below */
  GMutex error_lock;           /* guards last_error (written by the log handler) */
  char *last_error;            /* last lcms2 message */

  PsIntent intent;
  bool bpc;

  GBytes *srgb_icc;            /* our sRGB, byte-identical to profiles/sRGB.icc */
  cmsHPROFILE srgb;

  GBytes *output_icc;          /* the output profile as read, for embedding */
  cmsHPROFILE output;          /* NULL when output_is_srgb */
  char *output_name;
  int output_channels;         /* 3 or 4 */
  cmsUInt32Number output_format;
  bool output_is_srgb;         /* identity: pages are copied, not transformed */

  cmsHTRANSFORM page_xform;    /* sRGB page -> output (NULL when output_is_srgb) */
  cmsHTRANSFORM proof_xform;   /* output -> sRGB page format, lazy */
  GHashTable *photo_xforms;    /* "md5/format" -> PsPhotoXform*, lazy */
  GHashTable *convert_xforms;  /* "md5|default/format/target" -> PsPhotoXform*, lazy */
  cmsHTRANSFORM proof_rgb_xform[2]; /* output -> packed sRGB: [0] relative, [1] absolute; lazy */
  cmsHPROFILE generic_cmyk;    /* source profile of untagged CMYK photos, lazy */
};

/* ------------------------------------------------------------------ */
/* lcms2 messages                                                     */
/* ------------------------------------------------------------------ */

static void
color_log_error (cmsContext ctx, cmsUInt32Number code, const char *text)
{
  PsColor *color = cmsGetContextUserData (ctx);

  if (color == NULL)
    return;
  g_mutex_lock (&color->error_lock);
  g_free (color->last_error);
  color->last_error = g_strdup (text != NULL ? text : "unknown lcms2 error");
  g_mutex_unlock (&color->error_lock);
}

static void
color_clear_last_error (PsColor *color)
{
  g_mutex_lock (&color->error_lock);
  g_clear_pointer (&color->last_error, g_free);
  g_mutex_unlock (&color->error_lock);
}

/* Returns " (message)" for the last lcms2 message, or "" (caller frees). */
static char *
color_dup_last_error (PsColor *color)
{
  char *detail;

  g_mutex_lock (&color->error_lock);
  detail = color->last_error != NULL ? g_strdup_printf (" (%s)", color->last_error)
                                     : g_strdup ("");
  g_mutex_unlock (&color->error_lock);
  return detail;
}

static void convert_free (gpointer data);

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

static void
photo_xform_free (gpointer data)
{
  PsPhotoXform *entry = data;

  g_clear_pointer (&entry->xform, cmsDeleteTransform);
  g_free (entry);
}

void
_ps_color_free (PsColor *color)
{
  if (color == NULL)
    return;

  /* Transforms and profiles belong to the context: they go first. */
  g_clear_pointer (&color->page_xform, cmsDeleteTransform);
  g_clear_pointer (&color->proof_xform, cmsDeleteTransform);
  g_clear_pointer (&color->photo_xforms, g_hash_table_unref);
  g_clear_pointer (&color->convert_xforms, g_hash_table_unref);
  g_clear_pointer (&color->proof_rgb_xform[0], cmsDeleteTransform);
  g_clear_pointer (&color->proof_rgb_xform[1], cmsDeleteTransform);
  g_clear_pointer (&color->generic_cmyk, cmsCloseProfile);
  g_clear_pointer (&color->output, cmsCloseProfile);
  g_clear_pointer (&color->srgb, cmsCloseProfile);
  g_clear_pointer (&color->ctx, cmsDeleteContext);

  g_clear_pointer (&color->output_icc, g_bytes_unref);
  g_clear_pointer (&color->srgb_icc, g_bytes_unref);
  g_clear_pointer (&color->output_name, g_free);
  g_clear_pointer (&color->last_error, g_free);
  g_mutex_clear (&color->lock);
  g_mutex_clear (&color->error_lock);
  g_free (color);
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Can lcms2 use @h as the last profile of a transform?  cmsIsIntentSupported()
 * alone is too strict: lcms2 falls back to BToA0 when the intent's table is
 * missing, as many real printer profiles expect. */
static bool
profile_is_output_capable (cmsHPROFILE h, cmsUInt32Number intent)
{
  cmsProfileClassSignature cls = cmsGetDeviceClass (h);

  if (cls == cmsSigLinkClass || cls == cmsSigAbstractClass || cls == cmsSigNamedColorClass)
    return false;
  return cmsIsIntentSupported (h, intent, LCMS_USED_AS_OUTPUT)
    || cmsIsTag (h, cmsSigBToA0Tag) || cmsIsTag (h, cmsSigBToD0Tag)
    || cmsIsMatrixShaper (h);
}

static char *
profile_get_description (cmsHPROFILE h)
{
  char buf[256];
  cmsUInt32Number n;

  n = cmsGetProfileInfoASCII (h, cmsInfoDescription, "en", "US", buf, sizeof buf);
  if (n == 0 || buf[0] == '\0')
    return NULL;
  buf[sizeof buf - 1] = '\0';
  return g_strstrip (g_strdup (buf));
}

GBytes *
_ps_color_read_profile (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *display = g_filename_display_name (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE, "profile '%s': no such file",
                   display);
      return NULL;
    }
  /* Bounded, regular files only: --profile /dev/zero or a FIFO is refused
   * at once rather than read until memory runs out or forever. */
  GBytes *bytes = NULL;
  if (!_ps_file_read_regular (path, PS_COLOR_MAX_PROFILE_BYTES, "profile", PS_COLOR_ERROR,
                              PS_COLOR_ERROR_PROFILE, &bytes, error))
    return NULL;
  return bytes;
}

static bool
color_open_output (PsColor *color, GBytes *icc, const char *name, GError **error)
{
  g_autofree char *display = g_filename_display_name (name);
  g_autofree char *detail = NULL;
  gsize length = 0;
  const guint8 *data;
  cmsColorSpaceSignature space;

  color->output_icc = g_bytes_ref (icc);
  data = g_bytes_get_data (icc, &length);

  /* Cheap checks first, for clear messages; lcms2 would mostly say the same
   * in its own words, or silently drop tags that lie past the end. */
  if (length < 132)
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE,
                   "profile '%s': truncated or not an ICC profile (%" G_GSIZE_FORMAT " bytes)",
                   display, length);
      return false;
    }
  if (memcmp (data + 36, "acsp", 4) != 0)
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE,
                   "profile '%s': not an ICC profile (no 'acsp' signature)", display);
      return false;
    }
  if (read_be32 (data) > length)
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE,
                   "profile '%s': truncated (%" G_GSIZE_FORMAT " of %u bytes)",
                   display, length, read_be32 (data));
      return false;
    }

  color_clear_last_error (color);
  color->output = cmsOpenProfileFromMemTHR (color->ctx, data, (cmsUInt32Number) length);
  if (color->output == NULL)
    {
      detail = color_dup_last_error (color);
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE,
                   "profile '%s': not a valid ICC profile%s", display, detail);
      return false;
    }

  space = cmsGetColorSpace (color->output);
  if ((space != cmsSigRgbData && space != cmsSigCmykData)
      || !profile_is_output_capable (color->output, (cmsUInt32Number) color->intent))
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE,
                   "profile '%s': not an RGB or CMYK output profile", display);
      return false;
    }

  color->output_name = profile_get_description (color->output);
  if (color->output_name == NULL)
    color->output_name = g_path_get_basename (name);
  color->output_channels = space == cmsSigCmykData ? 4 : 3;
  color->output_format = space == cmsSigCmykData ? TYPE_CMYK_8 : TYPE_RGB_8;

  /* Our own sRGB (profiles/sRGB.icc) as output is the identity. */
  if (g_bytes_equal (color->output_icc, color->srgb_icc))
    {
      color->output_is_srgb = true;
      g_clear_pointer (&color->output, cmsCloseProfile);
      return true;
    }

  color_clear_last_error (color);
  color->page_xform = cmsCreateTransformTHR (color->ctx, color->srgb, PS_CAIRO_FORMAT,
                                             color->output, color->output_format,
                                             (cmsUInt32Number) color->intent,
                                             color->bpc ? cmsFLAGS_BLACKPOINTCOMPENSATION : 0);
  if (color->page_xform == NULL)
    {
      detail = color_dup_last_error (color);
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_PROFILE,
                   "profile '%s': lcms2 cannot convert sRGB to it%s", display, detail);
      return false;
    }
  return true;
}

PsColor *
_ps_color_new (const char *output_profile, PsIntent intent, bool bpc, GError **error)
{
  g_autoptr (GBytes) icc = NULL;
  if (output_profile != NULL && (icc = _ps_color_read_profile (output_profile, error)) == NULL)
    return NULL;
  return _ps_color_new_from_icc (icc, output_profile, intent, bpc, error);
}

PsColor *
_ps_color_new_from_icc (GBytes *output_icc, const char *name, PsIntent intent, bool bpc,
                        GError **error)
{
  g_autoptr(PsColor) color = NULL;
  cmsHPROFILE built;

  g_return_val_if_fail (intent >= PS_INTENT_PERCEPTUAL && intent <= PS_INTENT_ABSOLUTE, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  color = g_new0 (PsColor, 1);
  g_mutex_init (&color->lock);
  g_mutex_init (&color->error_lock);
  color->intent = intent;
  color->bpc = bpc;
  color->photo_xforms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               photo_xform_free);
  color->convert_xforms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 convert_free);

  color->ctx = cmsCreateContext (NULL, color);
  if (color->ctx == NULL)
    {
      g_set_error_literal (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                           "cannot create an lcms2 context");
      return NULL;
    }
  cmsSetLogErrorHandlerTHR (color->ctx, color_log_error);

  /* sRGB, serialised and read back: the same bytes as profiles/sRGB.icc, for
   * embedding and for recognising that file as the identity. */
  built = ps_profile_build_srgb (color->ctx);
  if (built != NULL)
    {
      color->srgb_icc = ps_profile_save (built);
      cmsCloseProfile (built);
    }
  if (color->srgb_icc != NULL)
    color->srgb = cmsOpenProfileFromMemTHR (color->ctx, g_bytes_get_data (color->srgb_icc, NULL),
                                            (cmsUInt32Number) g_bytes_get_size (color->srgb_icc));
  if (color->srgb == NULL)
    {
      g_autofree char *detail = color_dup_last_error (color);
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                   "cannot build the sRGB profile%s", detail);
      return NULL;
    }

  if (output_icc == NULL)
    {
      color->output_icc = g_bytes_ref (color->srgb_icc);
      color->output_name = g_strdup (PS_PROFILE_DESC_SRGB);
      color->output_channels = 3;
      color->output_format = TYPE_RGB_8;
      color->output_is_srgb = true;
    }
  else if (!color_open_output (color, output_icc, name != NULL ? name : "(profile)", error))
    {
      return NULL;
    }
  return g_steal_pointer (&color);
}

bool
_ps_color_output_is_srgb (const PsColor *color)
{
  g_return_val_if_fail (color != NULL, true);
  return color->output_is_srgb;
}

int
_ps_color_get_output_channels (const PsColor *color)
{
  g_return_val_if_fail (color != NULL, 3);
  return color->output_channels;
}

GBytes *
_ps_color_get_output_icc (const PsColor *color)
{
  g_return_val_if_fail (color != NULL, NULL);
  return color->output_icc;
}

const char *
_ps_color_get_output_name (const PsColor *color)
{
  g_return_val_if_fail (color != NULL, NULL);
  return color->output_name;
}

/* ------------------------------------------------------------------ */
/* Pages: sRGB -> output                                              */
/* ------------------------------------------------------------------ */

static void
copy_row_to_rgb (const guint8 *argb_row, guint8 *out, int width)
{
  for (int x = 0; x < width; x++)
    {
      guint32 p;

      memcpy (&p, argb_row + (size_t) x * 4, 4);
      out[0] = (guint8) (p >> 16);
      out[1] = (guint8) (p >> 8);
      out[2] = (guint8) p;
      out += 3;
    }
}

void
_ps_color_row_to_output (PsColor *color, const guint8 *argb_row, guint8 *out_row, int width)
{
  g_return_if_fail (color != NULL);
  g_return_if_fail (argb_row != NULL && out_row != NULL);

  if (width <= 0)
    return;
  if (color->output_is_srgb)
    copy_row_to_rgb (argb_row, out_row, width);
  else
    cmsDoTransform (color->page_xform, argb_row, out_row, (cmsUInt32Number) width);
}

/* Checks that @page is an opaque sRGB image surface we can read. */
static bool
check_page (cairo_surface_t *page, GError **error)
{
  cairo_format_t format;

  if (cairo_surface_status (page) != CAIRO_STATUS_SUCCESS
      || cairo_surface_get_type (page) != CAIRO_SURFACE_TYPE_IMAGE)
    {
      g_set_error_literal (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                           "page is not a valid cairo image surface");
      return false;
    }
  format = cairo_image_surface_get_format (page);
  if (format != CAIRO_FORMAT_RGB24 && format != CAIRO_FORMAT_ARGB32)
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                   "page surface format %d is not RGB24 or ARGB32", (int) format);
      return false;
    }
  return true;
}

bool
_ps_color_page_to_output (PsColor *color, cairo_surface_t *page, guint8 *out,
                          size_t out_stride, GError **error)
{
  int width, height, stride;
  const guint8 *data;

  g_return_val_if_fail (color != NULL, false);
  g_return_val_if_fail (page != NULL && out != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  if (!check_page (page, error))
    return false;
  cairo_surface_flush (page);
  width = cairo_image_surface_get_width (page);
  height = cairo_image_surface_get_height (page);
  stride = cairo_image_surface_get_stride (page);
  data = cairo_image_surface_get_data (page);
  if (width <= 0 || height <= 0)
    return true;
  if (out_stride / (size_t) color->output_channels < (size_t) width)
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                   "output stride %" G_GSIZE_FORMAT " too small for %d pixels of %d samples",
                   out_stride, width, color->output_channels);
      return false;
    }

  if (color->output_is_srgb)
    {
      for (int y = 0; y < height; y++)
        copy_row_to_rgb (data + (size_t) y * (size_t) stride, out + (size_t) y * out_stride, width);
    }
  else
    {
      cmsDoTransformLineStride (color->page_xform, data, out, (cmsUInt32Number) width,
                                (cmsUInt32Number) height, (cmsUInt32Number) stride,
                                (cmsUInt32Number) out_stride, 0, 0);
    }
  return true;
}

/* ------------------------------------------------------------------ */
/* Soft proof                                                         */
/* ------------------------------------------------------------------ */

static cmsHTRANSFORM
color_get_proof_xform (PsColor *color, GError **error)
{
  cmsHTRANSFORM xform;

  g_mutex_lock (&color->lock);
  if (color->proof_xform == NULL)
    {
      color_clear_last_error (color);
      color->proof_xform = cmsCreateTransformTHR (color->ctx, color->output, color->output_format,
                                                  color->srgb, PS_CAIRO_FORMAT,
                                                  INTENT_RELATIVE_COLORIMETRIC, 0);
    }
  xform = color->proof_xform;
  g_mutex_unlock (&color->lock);

  if (xform == NULL)
    {
      g_autofree char *detail = color_dup_last_error (color);
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_TRANSFORM,
                   "cannot build the soft-proof transform for '%s'%s", color->output_name, detail);
    }
  return xform;
}

bool
_ps_color_proof_surface (PsColor *color, cairo_surface_t *page, GError **error)
{
  cmsHTRANSFORM proof;
  int width, height, stride;
  guint8 *data;
  g_autofree guint8 *row = NULL;

  g_return_val_if_fail (color != NULL, false);
  g_return_val_if_fail (page != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  if (!check_page (page, error))
    return false;
  if (color->output_is_srgb)
    return true;
  proof = color_get_proof_xform (color, error);
  if (proof == NULL)
    return false;

  cairo_surface_flush (page);
  width = cairo_image_surface_get_width (page);
  height = cairo_image_surface_get_height (page);
  stride = cairo_image_surface_get_stride (page);
  data = cairo_image_surface_get_data (page);
  if (width <= 0 || height <= 0)
    return true;

  /* Row by row through the printer's 8-bit data; lcms2 leaves the X/alpha
   * byte of the destination alone. */
  row = g_malloc_n ((gsize) width, (gsize) color->output_channels);
  for (int y = 0; y < height; y++)
    {
      guint8 *line = data + (size_t) y * (size_t) stride;

      cmsDoTransform (color->page_xform, line, row, (cmsUInt32Number) width);
      cmsDoTransform (proof, row, line, (cmsUInt32Number) width);
    }
  cairo_surface_mark_dirty (page);
  return true;
}

/* ------------------------------------------------------------------ */
/* Photos: embedded or default profile -> sRGB, oriented              */
/* ------------------------------------------------------------------ */

static cmsUInt32Number
photo_input_format (const PsRawImage *image)
{
  bool wide = image->bits == 16;

  switch (image->channels)
    {
    case 1:
      return wide ? TYPE_GRAY_16 : TYPE_GRAY_8;
    case 3:
      return wide ? TYPE_RGB_16 : TYPE_RGB_8;
    default:
      if (image->adobe_inverted)
        return wide ? TYPE_CMYK_16_REV : TYPE_CMYK_8_REV;
      return wide ? TYPE_CMYK_16 : TYPE_CMYK_8;
    }
}

static cmsColorSpaceSignature
photo_color_space (const PsRawImage *image)
{
  switch (image->channels)
    {
    case 1:
      return cmsSigGrayData;
    case 3:
      return cmsSigRgbData;
    default:
      return cmsSigCmykData;
    }
}

static cmsHTRANSFORM
color_create_photo_xform_unlocked (PsColor *color, cmsHPROFILE source, cmsUInt32Number format)
{
  return cmsCreateTransformTHR (color->ctx, source, format, color->srgb, TYPE_RGB_8,
                                INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_BLACKPOINTCOMPENSATION);
}

/* NULL if the embedded profile does not open, is not of the data's colour
 * space, or lcms2 cannot build the transform: the caller falls back. */
static cmsHTRANSFORM
color_create_embedded_xform_unlocked (PsColor *color, const PsRawImage *image,
                                      cmsUInt32Number format)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (image->icc, &size);
  cmsHTRANSFORM xform = NULL;
  cmsProfileClassSignature cls;
  cmsHPROFILE source;

  if (data == NULL || size < 132 || size > G_MAXUINT32)
    return NULL;
  source = cmsOpenProfileFromMemTHR (color->ctx, data, (cmsUInt32Number) size);
  if (source == NULL)
    return NULL;
  cls = cmsGetDeviceClass (source);
  if (cmsGetColorSpace (source) == photo_color_space (image)
      && cls != cmsSigLinkClass && cls != cmsSigAbstractClass && cls != cmsSigNamedColorClass)
    xform = color_create_photo_xform_unlocked (color, source, format);
  cmsCloseProfile (source);
  return xform;
}

/* Looks up or builds the transform for @image.  *xform = NULL means the
 * default for an RGB or gray photo: a plain copy.  *owned: the caller deletes
 * *xform (cache full). */
static bool
color_get_photo_xform (PsColor *color, const PsRawImage *image, cmsHTRANSFORM *xform,
                       bool *owned, GError **error)
{
  cmsUInt32Number format = photo_input_format (image);
  PsPhotoXform *entry;
  char *key;

  *xform = NULL;
  *owned = false;
  g_mutex_lock (&color->lock);

  /* Our own sRGB embedded (e.g. photos we wrote) is the identity. */
  if (image->icc != NULL && g_bytes_get_size (image->icc) > 0
      && !(image->channels == 3 && g_bytes_equal (image->icc, color->srgb_icc)))
    {
      g_autofree char *md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image->icc);

      key = g_strdup_printf ("%s/%08x", md5, (unsigned) format);
      entry = g_hash_table_lookup (color->photo_xforms, key);
      if (entry != NULL)
        {
          *xform = entry->xform;
          g_free (key);
        }
      else
        {
          cmsHTRANSFORM built = color_create_embedded_xform_unlocked (color, image, format);

          if (built == NULL)
            g_debug ("photo: embedded ICC profile unusable, using the default for its colour space");
          if (g_hash_table_size (color->photo_xforms) < PS_PHOTO_CACHE_MAX)
            {
              entry = g_new0 (PsPhotoXform, 1);
              entry->xform = built;
              g_hash_table_insert (color->photo_xforms, key, entry);
            }
          else
            {
              *owned = built != NULL;
              g_free (key);
            }
          *xform = built;
        }
    }

  /* The defaults: RGB is taken as sRGB and gray as sRGB-gamma gray, both a
   * plain copy (an lcms2 transform would give the same values); CMYK goes
   * through the generic CMYK, lab-cmyk.icc's twin. */
  if (*xform == NULL && image->channels == 4)
    {
      key = g_strdup_printf ("default/%08x", (unsigned) format);
      entry = g_hash_table_lookup (color->photo_xforms, key);
      if (entry != NULL)
        {
          *xform = entry->xform;
          g_free (key);
        }
      else
        {
          if (color->generic_cmyk == NULL)
            {
              cmsHPROFILE built = ps_profile_build_lab_cmyk (color->ctx);
              g_autoptr(GBytes) bytes = built != NULL ? ps_profile_save (built) : NULL;

              if (built != NULL)
                cmsCloseProfile (built);
              if (bytes != NULL)
                color->generic_cmyk = cmsOpenProfileFromMemTHR (color->ctx,
                                                                g_bytes_get_data (bytes, NULL),
                                                                (cmsUInt32Number) g_bytes_get_size (bytes));
            }
          color_clear_last_error (color);
          if (color->generic_cmyk != NULL)
            *xform = color_create_photo_xform_unlocked (color, color->generic_cmyk, format);
          if (*xform != NULL)
            {
              entry = g_new0 (PsPhotoXform, 1);
              entry->xform = *xform;
              g_hash_table_insert (color->photo_xforms, key, entry);
            }
          else
            {
              g_autofree char *detail = color_dup_last_error (color);
              g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_TRANSFORM,
                           "cannot build the transform for CMYK photos%s", detail);
              g_free (key);
              g_mutex_unlock (&color->lock);
              return false;
            }
        }
    }

  g_mutex_unlock (&color->lock);
  return true;
}

/* lcms2's 16 -> 8 bit rounding (FROM_16_TO_8). */
static inline guint8
u16_to_u8 (guint16 v)
{
  return (guint8) (((guint32) v * 65281u + 8388608u) >> 24);
}

/* One stored row -> packed RGB8, without a transform (the defaults). */
static void
copy_photo_row (const PsRawImage *image, const guint8 *src, guint8 *rgb)
{
  int w = image->width;

  if (image->channels == 3 && image->bits == 8)
    {
      memcpy (rgb, src, (size_t) w * 3);
    }
  else if (image->channels == 3)
    {
      for (int i = 0; i < w * 3; i++)
        {
          guint16 v;
          memcpy (&v, src + (size_t) i * 2, 2);
          rgb[i] = u16_to_u8 (v);
        }
    }
  else
    {
      for (int x = 0; x < w; x++)
        {
          guint8 g;
          if (image->bits == 8)
            {
              g = src[x];
            }
          else
            {
              guint16 v;
              memcpy (&v, src + (size_t) x * 2, 2);
              g = u16_to_u8 (v);
            }
          rgb[3 * x] = rgb[3 * x + 1] = rgb[3 * x + 2] = g;
        }
    }
}

static bool
check_raw_image (const PsRawImage *image, GError **error)
{
  size_t row_bytes;

  if (image->width <= 0 || image->height <= 0 || image->pixels == NULL
      || (image->channels != 1 && image->channels != 3 && image->channels != 4)
      || (image->bits != 8 && image->bits != 16)
      || !g_size_checked_mul (&row_bytes, (size_t) image->width,
                              (size_t) image->channels * (size_t) (image->bits / 8))
      || image->stride < row_bytes)
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                   "unsupported decoded photo (%dx%d, %d channels, %d bits)",
                   image->width, image->height, image->channels, image->bits);
      return false;
    }
  return true;
}

cairo_surface_t *
_ps_color_photo_to_surface (PsColor *color, const PsRawImage *image, GError **error)
{
  cmsHTRANSFORM xform = NULL;
  bool owned = false;
  int w, h, ow, oh, orientation, dst_stride;
  cairo_surface_t *surface;
  guint8 *dst;
  g_autofree guint8 *rgb = NULL;

  g_return_val_if_fail (color != NULL, NULL);
  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_raw_image (image, error))
    return NULL;
  w = image->width;
  h = image->height;
  orientation = image->orientation >= 1 && image->orientation <= 8 ? image->orientation : 1;
  ow = orientation >= 5 ? h : w;
  oh = orientation >= 5 ? w : h;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, ow, oh);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_FAILED,
                   "cannot allocate a %dx%d photo surface: %s", ow, oh,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  if (!color_get_photo_xform (color, image, &xform, &owned, error))
    {
      cairo_surface_destroy (surface);
      return NULL;
    }

  cairo_surface_flush (surface);
  dst = cairo_image_surface_get_data (surface);
  dst_stride = cairo_image_surface_get_stride (surface);
  rgb = g_malloc_n ((gsize) w, 3);

  for (int y = 0; y < h; y++)
    {
      const guint8 *src = image->pixels + (size_t) y * image->stride;
      ptrdiff_t dx, dy, step;     /* where stored pixel (0, y) lands; per-x step in bytes */
      ptrdiff_t offset;

      if (xform != NULL)
        cmsDoTransform (xform, src, rgb, (cmsUInt32Number) w);
      else
        copy_photo_row (image, src, rgb);

      /* EXIF orientation: stored (x, y) -> displayed (dx, dy). */
      switch (orientation)
        {
        case 2:  dx = w - 1;     dy = y;         step = -4;          break;
        case 3:  dx = w - 1;     dy = h - 1 - y; step = -4;          break;
        case 4:  dx = 0;         dy = h - 1 - y; step = 4;           break;
        case 5:  dx = y;         dy = 0;         step = dst_stride;  break;
        case 6:  dx = h - 1 - y; dy = 0;         step = dst_stride;  break;
        case 7:  dx = h - 1 - y; dy = w - 1;     step = -dst_stride; break;
        case 8:  dx = y;         dy = w - 1;     step = -dst_stride; break;
        default: dx = 0;         dy = y;         step = 4;           break;
        }
      offset = dy * dst_stride + dx * 4;
      for (int x = 0; x < w; x++, offset += step)
        {
          guint32 px = 0xff000000u | ((guint32) rgb[3 * x] << 16)
                     | ((guint32) rgb[3 * x + 1] << 8) | rgb[3 * x + 2];
          memcpy (dst + offset, &px, 4);
        }
    }
  cairo_surface_mark_dirty (surface);

  if (owned)
    cmsDeleteTransform (xform);
  return surface;
}

/* ------------------------------------------------------------------ */
/* Device space: photos straight from their own profile               */
/* ------------------------------------------------------------------ */

/* The cached transform of one (source profile, input format, target).  A
 * NULL entry means a plain copy: sRGB (or gray taken as sRGB gray) into an
 * sRGB target. */
typedef struct {
  cmsHTRANSFORM xform;
  bool copy;                   /* no transform: sRGB -> sRGB */
  bool widen;                  /* gray read as sRGB gray: rows widened to RGB first */
} PsConvert;

static void
convert_free (gpointer data)
{
  PsConvert *entry = data;
  g_clear_pointer (&entry->xform, cmsDeleteTransform);
  g_free (entry);
}

int
_ps_color_photo_samples (const PsRawImage *image)
{
  return image->channels;
}

int
_ps_color_get_target_channels (const PsColor *color, PsColorTarget target)
{
  return target == PS_COLOR_TARGET_DEVICE ? color->output_channels : 3;
}

GBytes *
_ps_color_get_srgb_icc (const PsColor *color)
{
  return color->srgb_icc;
}

/* The embedded profile of @image when it is usable for its data: opens, is
 * of the data's colour space, is no link or abstract profile.  NULL when
 * there is none, it is unusable, or it is our own sRGB (the default). */
static cmsHPROFILE
color_open_embedded_unlocked (PsColor *color, const PsRawImage *image)
{
  gsize size = 0;
  const guint8 *data = image->icc != NULL ? g_bytes_get_data (image->icc, &size) : NULL;

  if (data == NULL || size < 132 || size > G_MAXUINT32)
    return NULL;
  if (image->channels == 3 && g_bytes_equal (image->icc, color->srgb_icc))
    return NULL;
  cmsHPROFILE source = cmsOpenProfileFromMemTHR (color->ctx, data, (cmsUInt32Number) size);
  if (source == NULL)
    return NULL;
  cmsProfileClassSignature cls = cmsGetDeviceClass (source);
  if (cmsGetColorSpace (source) != photo_color_space (image) || cls == cmsSigLinkClass
      || cls == cmsSigAbstractClass || cls == cmsSigNamedColorClass)
    {
      cmsCloseProfile (source);
      return NULL;
    }
  return source;
}

static cmsHPROFILE
color_get_generic_cmyk_unlocked (PsColor *color)
{
  if (color->generic_cmyk == NULL)
    {
      cmsHPROFILE built = ps_profile_build_lab_cmyk (color->ctx);
      g_autoptr(GBytes) bytes = built != NULL ? ps_profile_save (built) : NULL;

      if (built != NULL)
        cmsCloseProfile (built);
      if (bytes != NULL)
        color->generic_cmyk = cmsOpenProfileFromMemTHR (color->ctx, g_bytes_get_data (bytes, NULL),
                                                        (cmsUInt32Number) g_bytes_get_size (bytes));
    }
  return color->generic_cmyk;
}

/* Looks up or builds the conversion of @image's space to @target.  The
 * source is the embedded profile when usable, else the default of the
 * data's colour space; the destination the printer profile (batch intent
 * and BPC) or sRGB (relative colorimetric + BPC, as the previews always
 * were).  Gray without a usable profile is read as sRGB gray: its rows are
 * widened to RGB first (*gray_as_rgb). */
static PsConvert *
color_get_convert (PsColor *color, const PsRawImage *image, PsColorTarget target,
                   bool *gray_as_rgb, bool *owned, GError **error)
{
  /* Rows come resampled, always 16 bits a sample. */
  cmsUInt32Number format = image->channels == 1 ? TYPE_GRAY_16
                           : image->channels == 3 ? TYPE_RGB_16
                           : image->adobe_inverted ? TYPE_CMYK_16_REV : TYPE_CMYK_16;
  g_autofree char *md5 = image->icc != NULL && g_bytes_get_size (image->icc) > 0
                           ? g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image->icc)
                           : g_strdup ("default");
  g_autofree char *key = g_strdup_printf ("%s/%08x/%d", md5, (unsigned) format, (int) target);
  PsConvert *entry;

  *owned = false;
  g_mutex_lock (&color->lock);
  entry = g_hash_table_lookup (color->convert_xforms, key);
  if (entry == NULL)
    {
      cmsHPROFILE embedded = color_open_embedded_unlocked (color, image);
      cmsHPROFILE source = embedded;
      cmsUInt32Number in_format = format;
      bool srgb_source = false;

      if (source == NULL && image->channels == 4)
        source = color_get_generic_cmyk_unlocked (color);
      else if (source == NULL)
        {
          source = color->srgb;
          srgb_source = true;
          in_format = TYPE_RGB_16;       /* gray is widened to RGB first */
        }

      bool to_device = target == PS_COLOR_TARGET_DEVICE && !color->output_is_srgb;
      cmsHPROFILE dest = to_device ? color->output : color->srgb;
      cmsUInt32Number out_format = to_device ? color->output_format : TYPE_RGB_8;
      cmsUInt32Number intent = to_device ? (cmsUInt32Number) color->intent
                                         : INTENT_RELATIVE_COLORIMETRIC;
      cmsUInt32Number flags = (to_device ? color->bpc : true) ? cmsFLAGS_BLACKPOINTCOMPENSATION : 0;

      entry = g_new0 (PsConvert, 1);
      entry->widen = srgb_source && image->channels == 1;
      if (srgb_source && dest == color->srgb)
        entry->copy = true;
      else if (source != NULL)
        {
          color_clear_last_error (color);
          entry->xform = cmsCreateTransformTHR (color->ctx, source, in_format, dest, out_format,
                                                intent, flags);
        }
      if (embedded != NULL)
        cmsCloseProfile (embedded);
      if (!entry->copy && entry->xform == NULL)
        {
          g_autofree char *detail = color_dup_last_error (color);
          g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_TRANSFORM,
                       "cannot build the transform of a %d-channel photo to '%s'%s",
                       image->channels,
                       to_device ? color->output_name : PS_PROFILE_DESC_SRGB, detail);
          g_free (entry);
          g_mutex_unlock (&color->lock);
          return NULL;
        }
      /* Distinct profiles of a batch are few; beyond the cache a transform
       * serves its one photo and is deleted after it (other threads may be
       * using the cached ones, which stay until _ps_color_free()). */
      if (g_hash_table_size (color->convert_xforms) < PS_PHOTO_CACHE_MAX * 4)
        g_hash_table_insert (color->convert_xforms, g_steal_pointer (&key), entry);
      else
        *owned = true;
    }
  g_mutex_unlock (&color->lock);
  *gray_as_rgb = entry->widen;
  return entry;
}

bool
_ps_color_convert_photo (PsColor *color, const PsRawImage *image, PsColorTarget target,
                         const guint16 *src, size_t src_stride, int width, int height,
                         guint8 *dst, size_t dst_stride, GError **error)
{
  g_return_val_if_fail (color != NULL && image != NULL && src != NULL && dst != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  bool gray_as_rgb = false, owned = false;
  PsConvert *convert = color_get_convert (color, image, target, &gray_as_rgb, &owned, error);
  if (convert == NULL)
    return false;
  int channels = image->channels;
  g_autofree guint16 *wide = gray_as_rgb ? g_new (guint16, (gsize) width * 3) : NULL;

  for (int y = 0; y < height; y++)
    {
      const guint16 *row = (const guint16 *) (const void *) ((const guint8 *) src
                                                             + (size_t) y * src_stride);
      guint8 *out = dst + (size_t) y * dst_stride;
      if (gray_as_rgb)
        {
          for (int x = 0; x < width; x++)
            wide[3 * x] = wide[3 * x + 1] = wide[3 * x + 2] = row[x];
          row = wide;
          channels = 3;
        }
      if (convert->copy)
        for (int i = 0; i < width * channels; i++)
          out[i] = u16_to_u8 (row[i]);
      else
        cmsDoTransform (convert->xform, row, out, (cmsUInt32Number) width);
    }
  if (owned)
    convert_free (convert);
  return true;
}

static cmsHTRANSFORM
color_get_proof_rgb_xform (PsColor *color, bool paper_white, GError **error)
{
  cmsHTRANSFORM xform;
  int i = paper_white ? 1 : 0;

  g_mutex_lock (&color->lock);
  if (color->proof_rgb_xform[i] == NULL)
    {
      color_clear_last_error (color);
      color->proof_rgb_xform[i] = cmsCreateTransformTHR (color->ctx, color->output,
                                                         color->output_format, color->srgb,
                                                         TYPE_RGB_8,
                                                         paper_white ? INTENT_ABSOLUTE_COLORIMETRIC
                                                                     : INTENT_RELATIVE_COLORIMETRIC,
                                                         0);
    }
  xform = color->proof_rgb_xform[i];
  g_mutex_unlock (&color->lock);
  if (xform == NULL)
    {
      g_autofree char *detail = color_dup_last_error (color);
      g_set_error (error, PS_COLOR_ERROR, PS_COLOR_ERROR_TRANSFORM,
                   "cannot build the soft-proof transform for '%s'%s", color->output_name, detail);
    }
  return xform;
}

bool
_ps_color_proof_device (PsColor *color, bool paper_white, const guint8 *device,
                        size_t device_stride, int width, int height, guint8 *rgb,
                        size_t rgb_stride, GError **error)
{
  g_return_val_if_fail (color != NULL && device != NULL && rgb != NULL, false);

  if (color->output_is_srgb)
    {
      for (int y = 0; y < height; y++)
        memcpy (rgb + (size_t) y * rgb_stride, device + (size_t) y * device_stride,
                (size_t) width * 3);
      return true;
    }
  cmsHTRANSFORM xform = color_get_proof_rgb_xform (color, paper_white, error);
  if (xform == NULL)
    return false;
  cmsDoTransformLineStride (xform, device, rgb, (cmsUInt32Number) width, (cmsUInt32Number) height,
                            (cmsUInt32Number) device_stride, (cmsUInt32Number) rgb_stride, 0, 0);
  return true;
}

void
_ps_color_srgb_to_device (PsColor *color, const double rgb[3], guint8 *device)
{
  guint8 in[3];
  for (int i = 0; i < 3; i++)
    in[i] = (guint8) CLAMP (rgb[i] * 255.0 + 0.5, 0, 255);
  if (color->output_is_srgb)
    {
      memcpy (device, in, 3);
      return;
    }
  /* page_xform reads cairo's pixel layout: build one such pixel. */
  guint32 px = 0xff000000u | (guint32) in[0] << 16 | (guint32) in[1] << 8 | in[2];
  cmsDoTransform (color->page_xform, &px, device, 1);
}
