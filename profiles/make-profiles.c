/* make-profiles.c - writes the build-time ICC profiles (see README.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: make-profiles OUTDIR
 * Writes sRGB.icc, lab-rgb.icc, lab-cmyk.icc and the deliberately broken
 * broken-truncated.icc, broken-header.icc, broken-tags.icc.  The output is
 * reproducible: the same bytes on every run (fixed header date).
 * Links lcms2 and GLib only.
 */
#include <glib.h>
#include <lcms2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps-profile-build.h"

static void
log_error (cmsContext ctx, cmsUInt32Number code, const char *text)
{
  (void) ctx;
  g_printerr ("make-profiles: lcms2 error %u: %s\n", code, text);
}

static bool
write_file (const char *dir, const char *name, const guint8 *data, gsize size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) data, (gssize) size, &error))
    {
      g_printerr ("make-profiles: %s\n", error->message);
      return false;
    }
  return true;
}

/* Saves @h (closing it) to @dir/@name; checks that it reads back and, for an
 * output profile, that lcms2 builds a transform to it from sRGB. */
static GBytes *
save_profile (cmsContext ctx, cmsHPROFILE h, const char *dir, const char *name,
              cmsHPROFILE srgb, cmsUInt32Number out_format)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const guint8 *data;
  cmsHPROFILE back;

  if (h == NULL)
    {
      g_printerr ("make-profiles: cannot build %s\n", name);
      return NULL;
    }
  bytes = ps_profile_save (h);
  cmsCloseProfile (h);
  if (bytes == NULL)
    {
      g_printerr ("make-profiles: cannot serialise %s\n", name);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &size);
  back = cmsOpenProfileFromMemTHR (ctx, data, (cmsUInt32Number) size);
  if (back == NULL)
    {
      g_printerr ("make-profiles: %s does not read back\n", name);
      return NULL;
    }
  if (srgb != NULL)
    {
      for (cmsUInt32Number intent = 0; intent <= INTENT_ABSOLUTE_COLORIMETRIC; intent++)
        {
          cmsHTRANSFORM xform = cmsCreateTransformTHR (ctx, srgb, TYPE_RGB_8, back, out_format,
                                                       intent, cmsFLAGS_BLACKPOINTCOMPENSATION);
          if (xform == NULL || !cmsIsIntentSupported (back, intent, LCMS_USED_AS_OUTPUT))
            {
              g_printerr ("make-profiles: %s: no transform for intent %u\n", name, intent);
              if (xform != NULL)
                cmsDeleteTransform (xform);
              cmsCloseProfile (back);
              return NULL;
            }
          cmsDeleteTransform (xform);
        }
    }
  cmsCloseProfile (back);
  if (!write_file (dir, name, data, size))
    return NULL;
  return g_steal_pointer (&bytes);
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The broken profiles are all derived from lab-rgb.icc. */
static bool
write_broken (const char *dir, GBytes *good)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (good, &size);
  g_autofree guint8 *copy = NULL;
  guint32 n_tags;

  if (size < 400)
    return false;

  /* Cut inside the tag table: the header says more bytes than there are. */
  if (!write_file (dir, "broken-truncated.icc", data, 200))
    return false;

  /* The 'acsp' signature at offset 36 is the ICC magic. */
  copy = g_memdup2 (data, size);
  memcpy (copy + 36, "xcsp", 4);
  if (!write_file (dir, "broken-header.icc", copy, size))
    return false;

  /* A valid header, but every tag of the table points past the end. */
  memcpy (copy, data, size);
  n_tags = get_be32 (copy + 128);
  if (n_tags == 0 || 132 + (gsize) n_tags * 12 > size)
    return false;
  for (guint32 i = 0; i < n_tags; i++)
    put_be32 (copy + 132 + i * 12 + 4, (guint32) size + 4096 + i * 16);
  return write_file (dir, "broken-tags.icc", copy, size);
}

int
main (int argc, char **argv)
{
  cmsContext ctx;
  cmsHPROFILE srgb = NULL;
  g_autoptr(GBytes) srgb_bytes = NULL;
  g_autoptr(GBytes) rgb_bytes = NULL;
  g_autoptr(GBytes) cmyk_bytes = NULL;
  const char *dir;
  int status = EXIT_FAILURE;

  if (argc != 2)
    {
      g_printerr ("usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  dir = argv[1];
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_printerr ("make-profiles: cannot create %s\n", dir);
      return EXIT_FAILURE;
    }

  ctx = cmsCreateContext (NULL, NULL);
  if (ctx == NULL)
    return EXIT_FAILURE;
  cmsSetLogErrorHandlerTHR (ctx, log_error);

  srgb_bytes = save_profile (ctx, ps_profile_build_srgb (ctx), dir, "sRGB.icc", NULL, 0);
  if (srgb_bytes == NULL)
    goto out;
  srgb = cmsOpenProfileFromMemTHR (ctx, g_bytes_get_data (srgb_bytes, NULL),
                                   (cmsUInt32Number) g_bytes_get_size (srgb_bytes));
  if (srgb == NULL)
    goto out;

  rgb_bytes = save_profile (ctx, ps_profile_build_lab_rgb (ctx), dir, "lab-rgb.icc",
                            srgb, TYPE_RGB_8);
  cmyk_bytes = save_profile (ctx, ps_profile_build_lab_cmyk (ctx), dir, "lab-cmyk.icc",
                             srgb, TYPE_CMYK_8);
  if (rgb_bytes == NULL || cmyk_bytes == NULL)
    goto out;
  if (!write_broken (dir, rgb_bytes))
    {
      g_printerr ("make-profiles: cannot write the broken profiles\n");
      goto out;
    }
  status = EXIT_SUCCESS;

out:
  if (srgb != NULL)
    cmsCloseProfile (srgb);
  cmsDeleteContext (ctx);
  return status;
}
