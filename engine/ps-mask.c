/* ps-mask.c - the 脱敏 rules as pure functions on UTF-8 strings.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything works on Unicode code points, never bytes: a CJK Extension B
 * character is four bytes in UTF-8 and must survive whole, and '·' in
 * 买买提·艾力 is a character like any other.  Before counting, a name is
 * cleaned as on import (_ps_text_clean): invisible characters out, NFC, no
 * interior spaces in a Chinese name.  A combining mark or variation selector
 * that survives NFC belongs to the character before it, so that no code point
 * which prints as nothing can stand for a hidden character.  Masking cannot
 * give back the whole of a name of two characters or more.
 */
#include "config.h"
#include "ps-core-private.h"
#include "ps-text-private.h"

#include <string.h>

/* The masked form: "*" alone; the first character and '*' (two
 * characters); the first character, one or more '*', the last character. */
bool
ps_mask_is_masked (const char *value)
{
  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    return false;

  glong n = g_utf8_strlen (value, -1);
  if (n == 0)
    return false;
  if (n == 1)
    return strcmp (value, "*") == 0;

  const char *last = g_utf8_offset_to_pointer (value, n - 1);
  if (n == 2)
    return strcmp (last, "*") == 0;
  for (const char *p = g_utf8_next_char (value); p < last; p = g_utf8_next_char (p))
    if (*p != '*')
      return false;
  return true;
}

bool
ps_mask_style_from_string (const char *s, PsMaskStyle *style)
{
  if (g_strcmp0 (s, "per-character") == 0)
    *style = PS_MASK_PER_CHARACTER;
  else if (g_strcmp0 (s, "fixed") == 0)
    *style = PS_MASK_FIXED;
  else
    return false;
  return true;
}

/* Where the character starting at @p ends: after its combining marks. */
static const char *
next_character (const char *p)
{
  p = g_utf8_next_char (p);
  while (*p != '\0' && _ps_text_is_mark (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  return p;
}

char *
ps_mask_name (const char *name, PsMaskStyle style)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (!g_utf8_validate (name, -1, NULL))
    return NULL;

  char *value = _ps_text_clean (name, strlen (name), PS_TEXT_NAME, NULL);
  if (ps_mask_is_masked (value))
    return value;

  /* Characters as a reader sees them: base + marks. */
  size_t n = 0;
  const char *second = NULL, *last = NULL;
  for (const char *p = value; *p != '\0'; p = next_character (p))
    {
      if (n == 1)
        second = p;
      last = p;
      n++;
    }

  GString *out = g_string_new (NULL);
  if (n == 1)
    g_string_append_c (out, '*');
  else if (n >= 2)
    {
      g_string_append_len (out, value, second - value);
      if (n == 2)
        g_string_append_c (out, '*');
      else
        {
          if (style == PS_MASK_FIXED)
            g_string_append (out, "**");
          else
            for (size_t i = 0; i < n - 2; i++)
              g_string_append_c (out, '*');
          g_string_append (out, last);
        }
    }

  /* The full name must not linger on the heap once masked. */
  _ps_text_wipe_free (value);
  return g_string_free (out, FALSE);
}

char *
ps_mask_id (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  if (!g_utf8_validate (id, -1, NULL))
    return NULL;

  char *value = _ps_text_clean (id, strlen (id), PS_TEXT_ID_NUMBER, NULL);
  glong n = g_utf8_strlen (value, -1);
  const char *tail = n > 4 ? g_utf8_offset_to_pointer (value, n - 4) : value;
  char *out = g_strdup (tail);

  /* The check character of an 18-digit ID is printed upper case. */
  for (char *p = out; *p != '\0'; p++)
    if (*p == 'x')
      *p = 'X';

  _ps_text_wipe_free (value);
  return out;
}
