/* ps-field.c - the record fields: keys, Chinese headers and their aliases.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-core-private.h"
#include "ps-text-private.h"

#include <string.h>

static const struct {
  const char *key;
  const char *label;
  /* Other headers schools use for the same column, NULL-terminated. */
  const char *aliases[6];
} fields[PS_N_FIELDS] = {
  [PS_FIELD_SJC] = { "sjc", "时间戳", { "采集时间", NULL } },
  [PS_FIELD_CJM] = { "cjm", "采集码", { "图像采集码", NULL } },
  [PS_FIELD_YXDM] = { "yxdm", "院校代码", { "学校代码", NULL } },
  [PS_FIELD_ZJHM] = { "zjhm", "证件号码", { "身份证号", "身份证号码", "证件号", NULL } },
  [PS_FIELD_XH] = { "xh", "学号", { NULL } },
  [PS_FIELD_CC] = { "cc", "学历层次", { "层次", NULL } },
  [PS_FIELD_XLLB] = { "xllb", "学历类别", { "类别", NULL } },
  [PS_FIELD_XM] = { "xm", "姓名", { NULL } },
  [PS_FIELD_BH] = { "bh", "班级", { "班号", "班级名称", NULL } },
  [PS_FIELD_FY] = { "fy", "院系", { "分院", "学院", "系别", NULL } },
  [PS_FIELD_PHOTO] = { "photo", "照片", { "照片文件", "照片文件名", "文件名", NULL } },
  [PS_FIELD_COPIES] = { "copies", "份数", { "张数", "数量", NULL } },
  [PS_FIELD_PRIORITY] = { "priority", "优先", { "降级", "复读", "重修", NULL } },
};

const char *
ps_field_get_key (PsField field)
{
  g_return_val_if_fail (field < PS_N_FIELDS, NULL);
  return fields[field].key;
}

const char *
ps_field_get_label (PsField field)
{
  g_return_val_if_fail (field < PS_N_FIELDS, NULL);
  return fields[field].label;
}

/* Spreadsheet headers come with stray ASCII and ideographic spaces, a BOM,
 * sometimes a zero-width space or a bidi control pasted along; none of them
 * is part of the name.  NULL if @header is not UTF-8. */
static char *
strip_header (const char *header)
{
  if (!g_utf8_validate (header, -1, NULL))
    return NULL;
  return _ps_text_clean (header, strlen (header), PS_TEXT_PLAIN, NULL);
}

bool
ps_field_lookup (const char *header, PsField *field)
{
  g_return_val_if_fail (header != NULL, false);
  g_autofree char *name = strip_header (header);
  if (name == NULL)
    return false;

  for (int i = 0; i < PS_N_FIELDS; i++)
    {
      bool match = g_ascii_strcasecmp (name, fields[i].key) == 0
                   || strcmp (name, fields[i].label) == 0;
      for (int a = 0; !match && fields[i].aliases[a] != NULL; a++)
        match = strcmp (name, fields[i].aliases[a]) == 0;
      if (match)
        {
          if (field != NULL)
            *field = (PsField) i;
          return true;
        }
    }
  return false;
}
