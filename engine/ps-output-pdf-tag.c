/* ps-output-pdf-tag.c - colour tags cairo cannot write: ICCBased images, the
 * OutputIntent, K-only black.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * cairo 1.16 writes every image as /DeviceRGB (or /DeviceCMYK for a
 * 4-component JPEG) and every colour as DeviceRGB operators, with no way to
 * attach a profile.  So the PDF cairo wrote is post-processed with the qpdf
 * C API (qpdf 11, Debian libqpdf-dev): it keeps the text, fonts and images
 * exactly as cairo made them and changes only
 *  - each image XObject's /ColorSpace: [/ICCBased <the profile it is in>],
 *    one shared stream;
 *  - the catalog: /OutputIntents with that profile, when the PDF is in the
 *    printer's space (a RIP that colour-manages then knows there is nothing
 *    to convert);
 *  - on a CMYK device, the content streams' DeviceRGB and DeviceGray colour
 *    operators: neutral colours become K only (`0 0 0 1 k` for black, so
 *    text and marks carry 100 % ink, not four-colour black), other colours
 *    the printer's CMYK for them.
 * The output is deterministic (qpdf's deterministic /ID) and compressed.
 */
#include "config.h"
#include "ps-output-private.h"

#include <qpdf/qpdf-c.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  qpdf_data q;
  const PsPdfTag *tag;
  qpdf_oh icc;                    /* the ICC stream */
  qpdf_oh color_space;            /* [/ICCBased icc], indirect */
  GHashTable *seen;               /* object ids already handled */
} Tagger;

/* ------------------------------------------------------------------ */
/* Content streams: colour operators to the CMYK device               */
/* ------------------------------------------------------------------ */

static bool
is_space (guint8 c)
{
  return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static bool
is_delimiter (guint8 c)
{
  return strchr ("()<>[]{}/%", c) != NULL && c != 0;
}

/* Writes the replacement of @n operands @v of @op ("rg", "RG", "g", "G"). */
static void
append_cmyk (GString *out, PsColor *color, const char *op, const double *v, int n)
{
  double rgb[3] = { v[0], n == 3 ? v[1] : v[0], n == 3 ? v[2] : v[0] };
  bool stroke = op[0] == 'R' || op[0] == 'G';
  double c = 0, m = 0, y = 0, k;
  if (rgb[0] == rgb[1] && rgb[1] == rgb[2])
    /* Neutral: black ink alone. */
    k = 1.0 - rgb[0];
  else
    {
      guint8 device[4];
      _ps_color_srgb_to_device (color, rgb, device);
      c = device[0] / 255.0;
      m = device[1] / 255.0;
      y = device[2] / 255.0;
      k = device[3] / 255.0;
    }
  char buf[4][G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_printf (out, "%s %s %s %s %s", g_ascii_formatd (buf[0], sizeof buf[0], "%.4g", c),
                          g_ascii_formatd (buf[1], sizeof buf[1], "%.4g", m),
                          g_ascii_formatd (buf[2], sizeof buf[2], "%.4g", y),
                          g_ascii_formatd (buf[3], sizeof buf[3], "%.4g", CLAMP (k, 0, 1)),
                          stroke ? "K" : "k");
}

/* Copies content stream @data, replacing `r g b rg|RG` and `v g|G`.  A small
 * lexer keeps strings, hex strings, comments and inline image data intact. */
static GString *
rewrite_content (const guint8 *data, size_t len, PsColor *color, size_t *n_changed)
{
  GString *out = g_string_sized_new (len + 64);
  /* The numbers just before the current token: where they start in @out. */
  double numbers[4];
  size_t number_at[4];
  int n_numbers = 0;
  size_t i = 0;

  while (i < len)
    {
      guint8 c = data[i];
      if (is_space (c))
        {
          g_string_append_c (out, (char) c);
          i++;
          continue;
        }
      size_t start = i;
      if (c == '%')
        {
          while (i < len && data[i] != '\n' && data[i] != '\r')
            i++;
          n_numbers = 0;
        }
      else if (c == '(')
        {
          int depth = 0;
          for (; i < len; i++)
            {
              if (data[i] == '\\')
                {
                  i++;
                  continue;
                }
              if (data[i] == '(')
                depth++;
              else if (data[i] == ')' && --depth == 0)
                {
                  i++;
                  break;
                }
            }
          n_numbers = 0;
        }
      else if (c == '<' && i + 1 < len && data[i + 1] != '<')
        {
          while (i < len && data[i] != '>')
            i++;
          i = MIN (i + 1, len);
          n_numbers = 0;
        }
      else if (is_delimiter (c))
        {
          i++;
          if ((c == '<' || c == '>') && i < len && data[i] == c)
            i++;
          else if (c == '/')
            while (i < len && !is_space (data[i]) && !is_delimiter (data[i]))
              i++;
          n_numbers = 0;
        }
      else
        {
          while (i < len && !is_space (data[i]) && !is_delimiter (data[i]))
            i++;
          g_autofree char *token = g_strndup ((const char *) data + start, i - start);
          char *end = NULL;
          double value = g_ascii_strtod (token, &end);
          if (end != token && *end == '\0')
            {
              if (n_numbers == 4)
                {
                  memmove (numbers, numbers + 1, 3 * sizeof (double));
                  memmove (number_at, number_at + 1, 3 * sizeof (size_t));
                  n_numbers = 3;
                }
              numbers[n_numbers] = value;
              number_at[n_numbers] = out->len;
              n_numbers++;
              g_string_append (out, token);
              continue;
            }
          int want = strcmp (token, "rg") == 0 || strcmp (token, "RG") == 0 ? 3
                     : strcmp (token, "g") == 0 || strcmp (token, "G") == 0 ? 1 : 0;
          if (want > 0 && n_numbers >= want)
            {
              g_string_truncate (out, number_at[n_numbers - want]);
              append_cmyk (out, color, token, numbers + n_numbers - want, want);
              (*n_changed)++;
              n_numbers = 0;
              continue;
            }
          n_numbers = 0;
          if (strcmp (token, "ID") == 0)
            {
              /* Inline image data: up to whitespace + EI + whitespace. */
              g_string_append (out, token);
              size_t data_start = i;
              while (i + 3 < len && !(is_space (data[i]) && data[i + 1] == 'E' && data[i + 2] == 'I'
                                      && (is_space (data[i + 3]))))
                i++;
              g_string_append_len (out, (const char *) data + data_start, (gssize) (i - data_start));
              continue;
            }
        }
      g_string_append_len (out, (const char *) data + start, (gssize) (i - start));
    }
  return out;
}

static bool
rewrite_stream (Tagger *t, qpdf_oh stream)
{
  unsigned char *buf = NULL;
  size_t len = 0;
  QPDF_BOOL filtered = QPDF_FALSE;
  /* Warnings (QPDF_WARNINGS) are not failures. */
  if ((qpdf_oh_get_stream_data (t->q, stream, qpdf_dl_generalized, &filtered, &buf, &len)
       & QPDF_ERRORS) != 0
      || !filtered)
    {
      free (buf);
      return false;
    }
  size_t changed = 0;
  g_autoptr (GString) out = rewrite_content (buf, len, t->tag->color, &changed);
  free (buf);
  if (changed > 0)
    qpdf_oh_replace_stream_data (t->q, stream, (const unsigned char *) out->str, out->len,
                                 qpdf_oh_new_null (t->q), qpdf_oh_new_null (t->q));
  return true;
}

/* ------------------------------------------------------------------ */
/* Walking pages and their resources                                  */
/* ------------------------------------------------------------------ */

static bool
first_visit (Tagger *t, qpdf_oh oh)
{
  int id = qpdf_oh_get_object_id (t->q, oh);
  if (id == 0)
    return true;       /* direct: cannot be shared */
  if (g_hash_table_contains (t->seen, GINT_TO_POINTER (id)))
    return false;
  g_hash_table_add (t->seen, GINT_TO_POINTER (id));
  return true;
}

static bool tag_resources (Tagger *t, qpdf_oh resources);

static bool
tag_contents (Tagger *t, qpdf_oh contents)
{
  if (t->tag->color == NULL)
    return true;
  if (qpdf_oh_is_stream (t->q, contents))
    return !first_visit (t, contents) || rewrite_stream (t, contents);
  if (qpdf_oh_is_array (t->q, contents))
    for (int i = 0, n = qpdf_oh_get_array_n_items (t->q, contents); i < n; i++)
      if (!tag_contents (t, qpdf_oh_get_array_item (t->q, contents, i)))
        return false;
  return true;
}

static bool
tag_xobject (Tagger *t, qpdf_oh xobject)
{
  if (!qpdf_oh_is_stream (t->q, xobject) || !first_visit (t, xobject))
    return true;
  qpdf_oh dict = qpdf_oh_get_dict (t->q, xobject);
  if (qpdf_oh_is_or_has_name (t->q, qpdf_oh_get_key (t->q, dict, "/Subtype"), "/Image"))
    {
      /* Photos are the only images; an image mask or a stencil has no
       * colour space of its own and stays as it is. */
      qpdf_oh cs = qpdf_oh_get_key (t->q, dict, "/ColorSpace");
      const char *want = t->tag->channels == 4 ? "/DeviceCMYK" : "/DeviceRGB";
      if (qpdf_oh_is_name (t->q, cs) && strcmp (qpdf_oh_get_name (t->q, cs), want) == 0)
        qpdf_oh_replace_key (t->q, dict, "/ColorSpace", t->color_space);
      return true;
    }
  if (qpdf_oh_is_or_has_name (t->q, qpdf_oh_get_key (t->q, dict, "/Subtype"), "/Form"))
    return tag_contents (t, xobject)
           && tag_resources (t, qpdf_oh_get_key (t->q, dict, "/Resources"));
  return true;
}

static bool
tag_resources (Tagger *t, qpdf_oh resources)
{
  if (!qpdf_oh_is_dictionary (t->q, resources))
    return true;
  qpdf_oh xobjects = qpdf_oh_get_key (t->q, resources, "/XObject");
  if (!qpdf_oh_is_dictionary (t->q, xobjects))
    return true;
  /* Keys first: the iteration is not reentrant and forms recurse. */
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  qpdf_oh_begin_dict_key_iter (t->q, xobjects);
  while (qpdf_oh_dict_more_keys (t->q))
    g_ptr_array_add (keys, g_strdup (qpdf_oh_dict_next_key (t->q)));
  for (guint i = 0; i < keys->len; i++)
    if (!tag_xobject (t, qpdf_oh_get_key (t->q, xobjects, keys->pdata[i])))
      return false;
  return true;
}

static qpdf_oh
new_icc_stream (Tagger *t)
{
  gsize len = 0;
  const unsigned char *data = g_bytes_get_data (t->tag->icc, &len);
  qpdf_oh stream = qpdf_oh_new_stream (t->q);
  qpdf_oh_replace_stream_data (t->q, stream, data, len, qpdf_oh_new_null (t->q),
                               qpdf_oh_new_null (t->q));
  qpdf_oh dict = qpdf_oh_get_dict (t->q, stream);
  qpdf_oh_replace_key (t->q, dict, "/N", qpdf_oh_new_integer (t->q, t->tag->channels));
  qpdf_oh_replace_key (t->q, dict, "/Alternate",
                       qpdf_oh_new_name (t->q, t->tag->channels == 4 ? "/DeviceCMYK" : "/DeviceRGB"));
  return stream;
}

static void
add_output_intent (Tagger *t)
{
  const char *condition = t->tag->description != NULL ? t->tag->description : "printer";
  qpdf_oh intent = qpdf_oh_new_dictionary (t->q);
  qpdf_oh_replace_key (t->q, intent, "/Type", qpdf_oh_new_name (t->q, "/OutputIntent"));
  qpdf_oh_replace_key (t->q, intent, "/S", qpdf_oh_new_name (t->q, "/GTS_PDFX"));
  qpdf_oh_replace_key (t->q, intent, "/OutputConditionIdentifier",
                       qpdf_oh_new_unicode_string (t->q, "Custom"));
  qpdf_oh_replace_key (t->q, intent, "/OutputCondition",
                       qpdf_oh_new_unicode_string (t->q, condition));
  qpdf_oh_replace_key (t->q, intent, "/Info", qpdf_oh_new_unicode_string (t->q, condition));
  qpdf_oh_replace_key (t->q, intent, "/RegistryName", qpdf_oh_new_unicode_string (t->q, ""));
  qpdf_oh_replace_key (t->q, intent, "/DestOutputProfile", t->icc);
  qpdf_oh intents = qpdf_oh_new_array (t->q);
  qpdf_oh_append_item (t->q, intents, intent);
  qpdf_oh_replace_key (t->q, qpdf_get_root (t->q), "/OutputIntents", intents);
}

static bool
qpdf_failed (qpdf_data q, GError **error)
{
  if (!qpdf_has_error (q))
    return false;
  qpdf_error e = qpdf_get_error (q);
  g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_FAILED, "qpdf: %s",
               qpdf_get_error_full_text (q, e));
  return true;
}

bool
_ps_output_pdf_tag (const char *in, const char *out, const PsPdfTag *tag, GError **error)
{
  g_return_val_if_fail (in != NULL && out != NULL && tag != NULL && tag->icc != NULL, false);

  qpdf_data q = qpdf_init ();
  qpdf_silence_errors (q);
  qpdf_set_suppress_warnings (q, QPDF_TRUE);
  Tagger t = { q, tag, 0, 0, g_hash_table_new (NULL, NULL) };
  bool ok = false;

  if ((qpdf_read (q, in, NULL) & QPDF_ERRORS) != 0 || qpdf_failed (q, error))
    goto out;
  t.icc = new_icc_stream (&t);
  qpdf_oh cs = qpdf_oh_new_array (q);
  qpdf_oh_append_item (q, cs, qpdf_oh_new_name (q, "/ICCBased"));
  qpdf_oh_append_item (q, cs, t.icc);
  t.color_space = qpdf_make_indirect_object (q, cs);

  int n_pages = qpdf_get_num_pages (q);
  for (int i = 0; i < n_pages; i++)
    {
      qpdf_oh page = qpdf_get_page_n (q, (size_t) i);
      if (!tag_resources (&t, qpdf_oh_get_key (q, page, "/Resources"))
          || !tag_contents (&t, qpdf_oh_get_key (q, page, "/Contents")))
        {
          if (!qpdf_failed (q, error))
            g_set_error (error, PS_OUTPUT_ERROR, PS_OUTPUT_ERROR_FAILED,
                         "page %d: a content stream cannot be read", i + 1);
          goto out;
        }
    }
  if (tag->output_intent)
    add_output_intent (&t);
  if (qpdf_failed (q, error))
    goto out;

  if ((qpdf_init_write (q, out) & QPDF_ERRORS) != 0 || qpdf_failed (q, error))
    goto out;
  qpdf_set_deterministic_ID (q, QPDF_TRUE);
  qpdf_set_compress_streams (q, QPDF_TRUE);
  qpdf_set_object_stream_mode (q, qpdf_o_generate);
  if ((qpdf_write (q) & QPDF_ERRORS) != 0 || qpdf_failed (q, error))
    goto out;
  ok = true;

out:
  g_hash_table_unref (t.seen);
  qpdf_cleanup (&q);
  return ok;
}
