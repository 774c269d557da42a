/* test-mask.c - the 脱敏 rules, by code point.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"
#include "ps-text-private.h"

#include <string.h>

typedef struct {
  const char *input;
  const char *per_character;
  const char *fixed;
} NameCase;

static void
test_mask_names (void)
{
  static const NameCase cases[] = {
    { "李", "*", "*" },
    { "李四", "李*", "李*" },
    { "张三丰", "张*丰", "张**丰" },
    { "欧阳娜娜", "欧**娜", "欧**娜" },
    { "买买提·艾力", "买****力", "买**力" },
    { "  王小明 ", "王*明", "王**明" },
    { "\xE3\x80\x80王小明", "王*明", "王**明" },
    /* 𠮷 is U+20BB7, outside the BMP: 4 bytes in UTF-8. */
    { "𠮷野家", "𠮷*家", "𠮷**家" },
    { "王小𠮷", "王*𠮷", "王**𠮷" },
    { "𠮷田", "𠮷*", "𠮷*" },
    { "Anna Smith", "A********h", "A**h" },
    { "张**三", "张**三", "张**三" },
    { "李*", "李*", "李*" },
    { "*", "*", "*" },
    { "", "", "" },
    /* a '*' outside the mask pattern does not make a name masked */
    { "张三丰*", "张***", "张***" },
    { "张**丰*", "张****", "张***" },
    { "*三丰", "**丰", "***丰" },
    { "张*丰*", "张***", "张***" },
    /* padding, invisibles and line breaks are no characters of a name */
    { "王\xE3\x80\x80李", "王*", "王*" },
    { "王 李", "王*", "王*" },
    { "王\xC2\xA0李", "王*", "王*" },
    { "王\n李", "王*", "王*" },
    { "李\xE2\x80\x8B", "*", "*" },                   /* + ZWSP */
    { "\xE2\x80\xAD张三丰\xE2\x80\xAC", "张*丰", "张**丰" },   /* LRO ... PDF */
    { "张\xC2\xAD三\xEF\xBB\xBF丰", "张*丰", "张**丰" },        /* soft hyphen, BOM */
    { "欧阳 娜娜", "欧**娜", "欧**娜" },
    /* Latin names keep single spaces */
    { "Anna  Smith", "A********h", "A**h" },
    /* NFC first: e + U+0301 is é, one character */
    { "Rene\xCC\x81", "R**\xC3\xA9", "R**\xC3\xA9" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *a = ps_mask_name (cases[i].input, PS_MASK_PER_CHARACTER);
      g_autofree char *b = ps_mask_name (cases[i].input, PS_MASK_FIXED);
      g_assert_cmpstr (a, ==, cases[i].per_character);
      g_assert_cmpstr (b, ==, cases[i].fixed);
      g_assert_true (g_utf8_validate (a, -1, NULL));
    }
}

static void
test_mask_name_invalid_utf8 (void)
{
  g_autofree char *a = ps_mask_name ("\xff\xfe", PS_MASK_PER_CHARACTER);
  g_assert_null (a);
  /* A lone half of a 4-byte sequence must not be cut into something else. */
  g_autofree char *b = ps_mask_name ("\xF0\xA0\xAE", PS_MASK_PER_CHARACTER);
  g_assert_null (b);
}

/* Characters of @s that are not '*' (a combining mark is part of the
 * character before it). */
static size_t
count_shown (const char *s)
{
  size_t n = 0;
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    n += *p != '*' && !_ps_text_is_mark (g_utf8_get_char (p));
  return n;
}

/* A combining mark or variation selector belongs to the character before
 * it: it never stands for a hidden character, so 李 + U+0301 + 四 cannot
 * come out as 李*四. */
static void
test_mask_name_marks (void)
{
  static const char *const names[] = {
    "李\xCC\x81四",              /* U+0301 COMBINING ACUTE ACCENT */
    "张\xEF\xB8\x80三",          /* U+FE00 VARIATION SELECTOR-1 */
    "王\xF3\xA0\x84\x80五",      /* U+E0100 VARIATION SELECTOR-17 */
    "赵\xE2\x83\x9D六",          /* U+20DD COMBINING ENCLOSING CIRCLE */
  };
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *m = ps_mask_name (names[i], PS_MASK_PER_CHARACTER);
      g_assert_true (g_str_has_suffix (m, "*"));
      g_assert_null (strstr (m, g_utf8_offset_to_pointer (names[i], 2)));
      g_assert_cmpstr (m, !=, names[i]);
    }
}

/* Over every string of up to four characters from an alphabet of letters,
 * '*', spaces and invisibles: the masked form shows at most the first and
 * the last character, differs from a name of two characters or more that is
 * not already masked, and masking it again changes nothing. */
static void
test_mask_name_never_leaks (void)
{
  static const char *const alphabet[] = {
    "张", "三", "a", "*", " ", "\xE3\x80\x80", "\xE2\x80\x8B", "\xE2\x80\xAE", "\xCC\x81", "𠮷",
  };
  const size_t k = G_N_ELEMENTS (alphabet);
  size_t n_checked = 0;

  for (size_t len = 1; len <= 4; len++)
    {
      size_t total = 1;
      for (size_t i = 0; i < len; i++)
        total *= k;
      for (size_t code = 0; code < total; code++)
        {
          g_autoptr (GString) name = g_string_new (NULL);
          for (size_t i = 0, c = code; i < len; i++, c /= k)
            g_string_append (name, alphabet[c % k]);
          for (int style = PS_MASK_PER_CHARACTER; style <= PS_MASK_FIXED; style++)
            {
              g_autofree char *m = ps_mask_name (name->str, (PsMaskStyle) style);
              g_assert_nonnull (m);
              g_autofree char *again = ps_mask_name (m, (PsMaskStyle) style);
              g_assert_cmpstr (again, ==, m);
              if (*m == '\0')
                continue;
              if (!ps_mask_is_masked (m) && count_shown (m) > 2)
                g_error ("'%s' masked as '%s'", name->str, m);
              /* A name of letters only, two or more of them. */
              if (strchr (name->str, '*') == NULL && g_utf8_strlen (m, -1) >= 2)
                g_assert_cmpstr (m, !=, name->str);
              n_checked++;
            }
        }
    }
  g_test_message ("%zu names masked", n_checked);
}

static void
test_mask_ids (void)
{
  static const char *const cases[][2] = {
    { "11010519491231002X", "002X" },
    { "11010519491231002x", "002X" },
    { "110105491231002", "1002" },      /* 15-character ID */
    { "471X", "471X" },
    { "**************471X", "471X" },
    { " 440301199001011234 ", "1234" },
    { "12", "12" },
    { "", "" },
    /* invisibles, groups of digits, full width */
    { "\xE2\x80\xAD" "11010519491231002X", "002X" },
    { "11010519491231002X\xE2\x80\x8B", "002X" },
    { "110105 19491231 002X", "002X" },
    { "１１０１０５１９４９１２３１００２Ｘ", "002X" },
    { "４７１ｘ", "471X" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *m = ps_mask_id (cases[i][0]);
      g_assert_cmpstr (m, ==, cases[i][1]);
    }
  g_autofree char *bad = ps_mask_id ("\xC3");
  g_assert_null (bad);
}

static void
test_mask_is_masked (void)
{
  static const char *const masked[] = { "张*丰", "张**丰", "李*", "*", "**", "欧**娜", "𠮷*" };
  static const char *const not_masked[] = { "张三丰", "张三丰*", "张*丰*", "*三丰", "张**三丰",
                                            "*丰", "李", "", "张 *丰", "\xFF*" };
  for (size_t i = 0; i < G_N_ELEMENTS (masked); i++)
    g_assert_true (ps_mask_is_masked (masked[i]));
  for (size_t i = 0; i < G_N_ELEMENTS (not_masked); i++)
    g_assert_false (ps_mask_is_masked (not_masked[i]));
  g_assert_false (ps_mask_is_masked (NULL));
}

static void
test_mask_style_names (void)
{
  PsMaskStyle style = PS_MASK_FIXED;
  g_assert_true (ps_mask_style_from_string ("per-character", &style));
  g_assert_cmpint (style, ==, PS_MASK_PER_CHARACTER);
  g_assert_true (ps_mask_style_from_string ("fixed", &style));
  g_assert_cmpint (style, ==, PS_MASK_FIXED);
  g_assert_false (ps_mask_style_from_string ("bytes", &style));
}

static void
test_field_lookup (void)
{
  PsField f = PS_N_FIELDS;
  g_assert_true (ps_field_lookup ("学号", &f));
  g_assert_cmpint (f, ==, PS_FIELD_XH);
  g_assert_true (ps_field_lookup (" XH ", &f));
  g_assert_cmpint (f, ==, PS_FIELD_XH);
  g_assert_true (ps_field_lookup ("\xEF\xBB\xBF时间戳", &f));
  g_assert_cmpint (f, ==, PS_FIELD_SJC);
  g_assert_true (ps_field_lookup ("层次", &f));
  g_assert_cmpint (f, ==, PS_FIELD_CC);
  g_assert_true (ps_field_lookup ("\xE3\x80\x80班级", &f));
  g_assert_cmpint (f, ==, PS_FIELD_BH);
  g_assert_false (ps_field_lookup ("备注", &f));
  /* invisibles pasted along with a header */
  g_assert_true (ps_field_lookup ("\xE2\x80\x8B学号\xE2\x80\x8E", &f));
  g_assert_cmpint (f, ==, PS_FIELD_XH);
  g_assert_false (ps_field_lookup ("\xFF", &f));
  g_assert_cmpstr (ps_field_get_key (PS_FIELD_ZJHM), ==, "zjhm");
  g_assert_cmpstr (ps_field_get_label (PS_FIELD_XM), ==, "姓名");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mask/name/rules", test_mask_names);
  g_test_add_func ("/mask/name/invalid-utf8", test_mask_name_invalid_utf8);
  g_test_add_func ("/mask/name/marks", test_mask_name_marks);
  g_test_add_func ("/mask/name/never-leaks", test_mask_name_never_leaks);
  g_test_add_func ("/mask/id/last-four", test_mask_ids);
  g_test_add_func ("/mask/is-masked", test_mask_is_masked);
  g_test_add_func ("/mask/style/names", test_mask_style_names);
  g_test_add_func ("/field/lookup", test_field_lookup);
  return g_test_run ();
}
