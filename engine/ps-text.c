/* ps-text.c - Unicode hygiene of imported values: invisibles, NFC, spaces, full width.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Works on code points.  Every intermediate buffer may hold a full name or
 * ID number and is wiped before it is freed.
 */
#include "config.h"
#include "ps-text-private.h"

#include <string.h>

void
_ps_text_wipe_free (char *text)
{
  if (text == NULL)
    return;
  memset (text, 0, strlen (text));
  g_free (text);
}

static void
wipe_gstring (GString *s)
{
  if (s->len > 0)
    memset (s->str, 0, s->len);
  g_string_free (s, TRUE);
}

bool
_ps_text_is_invisible (gunichar c)
{
  if (c == '\t' || c == '\n' || c == '\r')
    return false;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_FORMAT:
    case G_UNICODE_CONTROL:
      return true;
    default:
      break;
    }
  return c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0;
}

bool
_ps_text_is_mark (gunichar c)
{
  if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF))
    return true;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return true;
    default:
      return false;
    }
}

gunichar
_ps_text_find_mark (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (_ps_text_is_mark (c))
        return c;
    }
  return 0;
}

static bool
is_name_dot (gunichar c)
{
  return c == 0x00B7 || c == 0x30FB || c == 0x2027;
}

bool
_ps_text_is_cjk_name (const char *text)
{
  bool han = false;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_get_script (c) == G_UNICODE_SCRIPT_HAN)
        han = true;
      else if (!(is_name_dot (c) || c == '*' || g_unichar_isspace (c)))
        return false;
    }
  return han;
}

/* Full-width forms of what identifiers are made of (U+FF01..FF5E mirror
 * ASCII 0x21..0x7E): digits, letters, '-' and '*'. */
static gunichar
fold_width (gunichar c)
{
  if ((c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)
      || c == 0xFF0D || c == 0xFF0A)
    return c - 0xFF01 + 0x21;
  return c;
}

/* True if NFC leaves @text as it is because of what it is made of: code
 * points that are starters, never decompose canonically and never compose
 * with a neighbour - ASCII and Latin-1 and the other blocks below the
 * combining diacritics, CJK ideographs (not the compatibility ones), CJK
 * symbols, full-width forms.  Saves g_utf8_normalize() on nearly every cell
 * of a Chinese roster. */
static bool
nfc_stable (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x300 || (c >= 0x3000 && c <= 0x3029) || (c >= 0x3030 && c <= 0x303F)
          || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF)
          || (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x2EBEF)
          || (c >= 0x30000 && c <= 0x3134F))
        continue;
      return false;
    }
  return true;
}

/* False if @text is made only of characters no step of _ps_text_clean()
 * touches: visible ASCII without spaces, CJK ideographs and CJK punctuation
 * but the ideographic space - nearly every cell of a Chinese roster. */
static bool
needs_cleaning (const char *text, size_t len)
{
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      unsigned char b = (unsigned char) *p;
      if (b < 0x80)
        {
          if (b <= 0x20 || b == 0x7F)
            return true;
          continue;
        }
      gunichar c = g_utf8_get_char (p);
      if ((c >= 0x3001 && c <= 0x3029) || (c >= 0x3400 && c <= 0x4DBF)
          || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x20000 && c <= 0x2EBEF)
          || (c >= 0x30000 && c <= 0x3134F))
        continue;
      return true;
    }
  return false;
}

char *
_ps_text_clean (const char *text, size_t len, PsTextKind kind, PsTextChanges *changes)
{
  PsTextChanges local = { 0 };
  PsTextChanges *ch = changes != NULL ? changes : &local;
  const char *end = text + len;

  memset (ch, 0, sizeof *ch);
  if (!needs_cleaning (text, len))
    return g_strndup (text, len);

  /* 1. Invisible characters out, before NFC: a ZWJ between a letter and a
   * combining mark would otherwise keep them apart. */
  GString *visible = g_string_sized_new (len + 1);
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (_ps_text_is_invisible (c))
        {
          if (ch->n_removed++ == 0)
            ch->first_removed = c;
          continue;
        }
      g_string_append_len (visible, p, g_utf8_next_char (p) - p);
    }

  /* 2. NFC: the composed form, as input methods and Excel on Windows type it. */
  char *nfc = NULL;
  if (!nfc_stable (visible->str))
    nfc = g_utf8_normalize (visible->str, (gssize) visible->len, G_NORMALIZE_NFC);
  if (nfc == NULL)
    nfc = g_strndup (visible->str, visible->len);
  ch->nfc = strcmp (nfc, visible->str) != 0;
  wipe_gstring (visible);

  /* 3. Full width to ASCII in identifiers, then the surrounding spaces.
   * Buffers are sized once and only shrink: no reallocation leaves a copy
   * of a name behind. */
  GString *s = g_string_sized_new (strlen (nfc) + 1);
  for (const char *p = nfc; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (kind == PS_TEXT_IDENTIFIER || kind == PS_TEXT_ID_NUMBER)
        {
          gunichar folded = fold_width (c);
          if (folded != c)
            {
              ch->width = true;
              g_string_append_c (s, (char) folded);
              continue;
            }
        }
      g_string_append_unichar (s, c);
    }
  _ps_text_wipe_free (nfc);

  const char *start = s->str;
  const char *stop = s->str + s->len;
  while (start < stop && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (stop > start)
    {
      const char *prev = g_utf8_prev_char (stop);
      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      stop = prev;
    }
  char *trimmed = g_strndup (start, (gsize) (stop - start));
  wipe_gstring (s);

  /* 4. Interior spaces: none in a CJK name (王　李 is 王李, two characters)
   * or an ID number; single ASCII spaces in other names. */
  bool drop_spaces = kind == PS_TEXT_ID_NUMBER
                     || (kind == PS_TEXT_NAME && _ps_text_is_cjk_name (trimmed));
  bool collapse = kind == PS_TEXT_NAME && !drop_spaces;
  if (!drop_spaces && !collapse)
    return trimmed;

  GString *out = g_string_sized_new (strlen (trimmed) + 1);
  bool in_space = false;
  for (const char *p = trimmed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (!g_unichar_isspace (c))
        {
          in_space = false;
          g_string_append_unichar (out, c);
          continue;
        }
      if (drop_spaces || in_space || c != ' ')
        ch->spaces = true;
      if (collapse && !in_space)
        g_string_append_c (out, ' ');
      in_space = true;
    }
  _ps_text_wipe_free (trimmed);
  return g_string_free (out, FALSE);
}
