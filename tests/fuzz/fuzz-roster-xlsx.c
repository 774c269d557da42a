/* fuzz-roster-xlsx.c - XLSX rosters through ps_roster_load() and the preflight.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two kinds of input:
 *  - a whole file starting with "PK": loaded as it is (the zip layer);
 *  - anything else: the parts of a package separated by 0xFF bytes, in the
 *    order xl/worksheets/sheet1.xml, xl/sharedStrings.xml, xl/workbook.xml,
 *    xl/_rels/workbook.xml.rels, which this target zips (stored, so CRCs are
 *    right) before loading: mutations then reach the XML readers instead of
 *    dying at a zip checksum.
 */
#include "fuzz-util.h"

#include <string.h>
#include <zip.h>

#define PS_FUZZ_MAX_INPUT (256 * 1024)

static const char *const part_names[] = {
  "xl/worksheets/sheet1.xml",
  "xl/sharedStrings.xml",
  "xl/workbook.xml",
  "xl/_rels/workbook.xml.rels",
};

static bool
write_package (const char *path, const uint8_t *data, size_t size)
{
  int zerr = 0;
  zip_t *zip = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (zip == NULL)
    return false;

  size_t start = 0;
  for (size_t part = 0; part < G_N_ELEMENTS (part_names) && start <= size; part++)
    {
      const uint8_t *sep = start < size ? memchr (data + start, 0xFF, size - start) : NULL;
      size_t end = sep != NULL ? (size_t) (sep - data) : size;
      /* An empty part is left out of the package (a missing part). */
      if (end > start)
        {
          zip_source_t *src = zip_source_buffer (zip, data + start, end - start, 0);
          zip_int64_t index = src != NULL
                                ? zip_file_add (zip, part_names[part], src, ZIP_FL_OVERWRITE)
                                : -1;
          if (index < 0)
            {
              zip_source_free (src);
              zip_discard (zip);
              return false;
            }
          zip_set_file_compression (zip, (zip_uint64_t) index, ZIP_CM_STORE, 0);
        }
      start = end + 1;
    }
  if (zip_close (zip) != 0)
    {
      zip_discard (zip);
      return false;
    }
  return true;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > PS_FUZZ_MAX_INPUT)
    return 0;
  ps_fuzz_init ();

  if (size >= 2 && data[0] == 'P' && data[1] == 'K')
    {
      ps_fuzz_load_roster (ps_fuzz_write_file ("roster.xlsx", data, size));
      return 0;
    }
  /* The package is rewritten in place: the path comes from the helper. */
  const char *path = ps_fuzz_write_file ("parts.xlsx", data, 0);
  if (write_package (path, data, size))
    ps_fuzz_load_roster (path);
  return 0;
}
