/* ps-mask.c - the 脱敏 rules as pure functions on UTF-8 strings.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything works on Unicode code points, never bytes: a CJK Extension B
 * character is four bytes in UTF-8 and must survive whole, and '·' in
 * 买买提·艾力 is a character like any other.
 */
#include "config.h"
#include "ps-core-private.h"

#include <string.h>

bool
ps_mask_is_masked (const char *value)
{
  return value != NULL && strchr (value, '*') != NULL;
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

/* Returns a trimmed copy; ASCII white space and U+3000 (ideographic space,
 * common in Chinese spreadsheets) are trimmed. */
static char *
trimmed_copy (const char *value)
{
  const char *start = value;
  const char *end = value + strlen (value);

  for (;;)
    {
      if (start < end && g_ascii_isspace (*start))
        start++;
      else if (end - start >= 3 && memcmp (start, "\xE3\x80\x80", 3) == 0)
        start += 3;
      else
        break;
    }
  for (;;)
    {
      if (end > start && g_ascii_isspace (end[-1]))
        end--;
      else if (end - start >= 3 && memcmp (end - 3, "\xE3\x80\x80", 3) == 0)
        end -= 3;
      else
        break;
    }
  return g_strndup (start, (gsize) (end - start));
}

char *
ps_mask_name (const char *name, PsMaskStyle style)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (!g_utf8_validate (name, -1, NULL))
    return NULL;

  g_autofree char *value = trimmed_copy (name);
  if (ps_mask_is_masked (value))
    return g_steal_pointer (&value);

  glong n = g_utf8_strlen (value, -1);
  GString *out = g_string_new (NULL);

  if (n == 1)
    g_string_append_c (out, '*');
  else if (n >= 2)
    {
      const char *second = g_utf8_next_char (value);
      g_string_append_len (out, value, second - value);
      if (n == 2)
        g_string_append_c (out, '*');
      else
        {
          const char *last = g_utf8_offset_to_pointer (value, n - 1);
          if (style == PS_MASK_FIXED)
            g_string_append (out, "**");
          else
            for (glong i = 0; i < n - 2; i++)
              g_string_append_c (out, '*');
          g_string_append (out, last);
        }
    }

  /* The full name must not linger on the heap once masked. */
  memset (value, 0, strlen (value));
  return g_string_free (out, FALSE);
}

char *
ps_mask_id (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  if (!g_utf8_validate (id, -1, NULL))
    return NULL;

  g_autofree char *value = trimmed_copy (id);
  glong n = g_utf8_strlen (value, -1);
  const char *tail = n > 4 ? g_utf8_offset_to_pointer (value, n - 4) : value;
  char *out = g_strdup (tail);

  /* The check character of an 18-digit ID is printed upper case. */
  for (char *p = out; *p != '\0'; p++)
    if (*p == 'x')
      *p = 'X';

  memset (value, 0, strlen (value));
  return out;
}
