/* ps-error.c - error domains, problems, version and data-file lookup.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-private.h"

G_DEFINE_QUARK (ps-roster-error-quark, ps_roster_error)
G_DEFINE_QUARK (ps-photo-error-quark, ps_photo_error)
G_DEFINE_QUARK (ps-layout-error-quark, ps_layout_error)
G_DEFINE_QUARK (ps-color-error-quark, ps_color_error)
G_DEFINE_QUARK (ps-render-error-quark, ps_render_error)
G_DEFINE_QUARK (ps-output-error-quark, ps_output_error)
G_DEFINE_QUARK (ps-check-error-quark, ps_check_error)
G_DEFINE_QUARK (ps-ledger-error-quark, ps_ledger_error)
G_DEFINE_QUARK (ps-queue-error-quark, ps_queue_error)

const char *
ps_version (void)
{
  return PS_VERSION;
}

PsProblem *
ps_problem_new (const char *file, int row, const char *xh, const char *cjm,
                const char *field, const char *reason)
{
  PsProblem *problem = g_new0 (PsProblem, 1);
  problem->file = g_strdup (file);
  problem->row = row;
  problem->xh = g_strdup (xh);
  problem->cjm = g_strdup (cjm);
  problem->field = g_strdup (field);
  problem->reason = g_strdup (reason);
  return problem;
}

PsProblem *
ps_problem_copy (const PsProblem *problem)
{
  g_return_val_if_fail (problem != NULL, NULL);
  return ps_problem_new (problem->file, problem->row, problem->xh, problem->cjm,
                         problem->field, problem->reason);
}

void
ps_problem_free (PsProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->file);
  g_free (problem->xh);
  g_free (problem->cjm);
  g_free (problem->field);
  g_free (problem->reason);
  g_free (problem);
}

/* The uninstalled source tree wins over the installed copy so that a build
 * directory always uses the layouts and fonts it was built from. */
const char *
_ps_get_data_dir (void)
{
  static gsize once;
  static char *dir;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("PHOTOSHEET_DATA_DIR");
      char *found;
      g_autofree char *probe = g_build_filename (PS_SOURCE_DATA_DIR, "layouts", NULL);

      if (env != NULL && *env != '\0')
        found = g_strdup (env);
      else if (g_file_test (probe, G_FILE_TEST_IS_DIR))
        found = g_strdup (PS_SOURCE_DATA_DIR);
      else
        found = g_strdup (PS_INSTALLED_DATA_DIR);
      dir = found;
      g_once_init_leave (&once, 1);
    }
  return dir;
}
