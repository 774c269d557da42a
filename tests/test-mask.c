/* test-mask.c - the 脱敏 rules, by code point.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ps-test-util.h"

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
    { "", "", "" },
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
  g_assert_true (ps_mask_is_masked ("张*丰"));
  g_assert_false (ps_mask_is_masked ("张三丰"));
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
  g_assert_cmpstr (ps_field_get_key (PS_FIELD_ZJHM), ==, "zjhm");
  g_assert_cmpstr (ps_field_get_label (PS_FIELD_XM), ==, "姓名");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mask/name/rules", test_mask_names);
  g_test_add_func ("/mask/name/invalid-utf8", test_mask_name_invalid_utf8);
  g_test_add_func ("/mask/id/last-four", test_mask_ids);
  g_test_add_func ("/mask/is-masked", test_mask_is_masked);
  g_test_add_func ("/mask/style/names", test_mask_style_names);
  g_test_add_func ("/field/lookup", test_field_lookup);
  return g_test_run ();
}
