/* main.c - the photosheet command line: a thin layer over photosheet.h.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It parses arguments, prints what the engine returns and picks the exit
 * code; it draws nothing and knows no file format of its own.  The lab's
 * configuration file (ps_config_load_default) gives the defaults of flags
 * that were not given.
 *
 * Exit codes: 0 everything done / printable, 1 problems found or done in
 * part (the rest was done; what was not is said), 2 usage error, refusal, or
 * an input that could not be read at all: nothing was done.  Each command's
 * --help and README.md say what each code means for it.
 */
#include "photosheet.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
  EXIT_OK = 0,
  EXIT_PROBLEMS = 1,
  EXIT_USAGE = 2,
};

static const char summary_text[] =
  "Commands:\n"
  "  check     check a roster and its photos before anything is printed\n"
  "  render    render the sheets of a batch (PDF, TIFF, PNG, manifest)\n"
  "  layouts   list the sheet layouts, or show one's computed geometry\n"
  "  print     queue a rendered batch to a printer through CUPS (--resume after faults)\n"
  "  status    what the ledger knows: pages printed, pending, failed; jobs\n"
  "  reprint   render (and queue) one student's sheet again, from the ledger\n"
  "  export    write a batch's pages into a minilab's hot folder (TIFF or JPEG)\n"
  "\n"
  "Run 'photosheet COMMAND --help' for a command's options.";

static const char examples_text[] =
  "Examples:\n"
  "  photosheet check --roster roster.xlsx --photos photos/\n"
  "  photosheet check --roster roster.csv --photos photos/ --json > check.json\n"
  "  photosheet render --roster roster.csv --photos photos/ --out out/batch1 \\\n"
  "      --profile lab.icc --intent relative --format pdf,tiff\n"
  "  photosheet layouts --show 6inch-33x48\n"
  "  photosheet print --batch out/batch1 --printer lab-frontier\n"
  "  photosheet print --batch out/batch1 --printer lab-frontier --resume\n"
  "  photosheet print --batch out/batch1 --printer frontier-1,frontier-2\n"
  "  photosheet export --batch out/batch1 --hot-folder /srv/minilab/in --format jpeg\n"
  "  photosheet status --batch out/batch1\n"
  "  photosheet reprint --ledger out/batch1/ledger.sqlite --xh 201818004215114 \\\n"
  "      --out out/reprint1 --reason 'lost in post'\n"
  "\n"
  "Defaults come from /etc/photosheet/photosheet.conf, then\n"
  "$XDG_CONFIG_HOME/photosheet/photosheet.conf; flags win (see README.md).";

static void
print_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static void
print_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("photosheet: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
}

/* The lab's configuration: read once per command; NULL (said) when a file
 * is wrong - a bad config is a usage error, never silently ignored. */
static PsConfig *
load_config (const char *command)
{
  g_autoptr (GError) error = NULL;
  PsConfig *config = ps_config_load_default (&error);
  if (config == NULL)
    print_error ("%s: %s", command, error->message);
  return config;
}

/* @flag if given, else the configuration's value: the flag wins. */
static char *
flag_or (char *flag, const char *configured)
{
  return flag != NULL ? flag : g_strdup (configured);
}

/* Parses @entries for a subcommand; on a usage error prints it and returns
 * false. */
static bool
parse_options (const char *command, const char *summary, GOptionEntry *entries,
               int *argc, char ***argv)
{
  g_autofree char *param = g_strdup_printf ("%s - photosheet", command);
  g_autoptr (GOptionContext) context = g_option_context_new (param);
  g_autoptr (GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, examples_text);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_error ("%s: %s (see 'photosheet %s --help')", command, error->message, command);
      return false;
    }
  if (*argc > 1)
    {
      print_error ("%s: unexpected argument '%s'", command, (*argv)[1]);
      return false;
    }
  return true;
}

static PsRoster *
load_roster (const char *path, const char *mask_style)
{
  g_autoptr (PsRosterOptions) options = ps_roster_options_new ();
  g_autoptr (GError) error = NULL;
  PsMaskStyle style = PS_MASK_PER_CHARACTER;

  if (mask_style != NULL && !ps_mask_style_from_string (mask_style, &style))
    {
      print_error ("--mask-style must be 'per-character' or 'fixed', not '%s'", mask_style);
      return NULL;
    }
  ps_roster_options_set_mask_style (options, style);
  PsRoster *roster = ps_roster_load (path, options, &error);
  if (roster == NULL)
    print_error ("%s", error->message);
  return roster;
}

static PsLayout *
load_layout (const char *name)
{
  g_autoptr (GError) error = NULL;
  PsLayout *layout = ps_layout_load (name != NULL ? name : "default", &error);
  if (layout == NULL)
    print_error ("%s", error->message);
  return layout;
}

/* The problem line format is FILE:ROW: xh=…: reason; it names the student
 * only by 学号 (or 采集码), never by name. */
static void
print_problem (FILE *out, const PsProblem *p)
{
  g_autofree char *base = g_path_get_basename (p->file);
  fprintf (out, "%s:%d: ", base, p->row);
  if (p->xh != NULL)
    fprintf (out, "xh=%s: ", p->xh);
  else if (p->cjm != NULL)
    fprintf (out, "cjm=%s: ", p->cjm);
  if (p->field != NULL)
    fprintf (out, "%s: ", p->field);
  fprintf (out, "%s\n", p->reason);
}

/* What import changed in a value (normalised, folded): the row is printed
 * all the same, and the school may want to know. */
static void
print_warnings (FILE *out, const PsRoster *roster)
{
  for (size_t i = 0; i < ps_roster_get_n_warnings (roster); i++)
    {
      const PsProblem *p = ps_roster_get_warning (roster, i);
      g_autofree char *base = g_path_get_basename (p->file);
      fprintf (out, "%s:%d: ", base, p->row);
      if (p->xh != NULL)
        fprintf (out, "xh=%s: ", p->xh);
      else if (p->cjm != NULL)
        fprintf (out, "cjm=%s: ", p->cjm);
      if (p->field != NULL)
        fprintf (out, "%s: ", p->field);
      fprintf (out, "warning: %s\n", p->reason);
    }
}

static void
json_add_problem (JsonBuilder *b, const PsProblem *p)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, p->file);
  json_builder_set_member_name (b, "row");
  json_builder_add_int_value (b, p->row);
  json_builder_set_member_name (b, "xh");
  if (p->xh != NULL)
    json_builder_add_string_value (b, p->xh);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "cjm");
  if (p->cjm != NULL)
    json_builder_add_string_value (b, p->cjm);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "field");
  if (p->field != NULL)
    json_builder_add_string_value (b, p->field);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, p->reason);
  json_builder_end_object (b);
}

static void
print_check_json (const PsRoster *roster, const PsCheck *check, const PsLayout *layout)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "roster");
  json_builder_add_string_value (b, ps_roster_get_path (roster));
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, ps_roster_get_format (roster));
  json_builder_set_member_name (b, "encoding");
  json_builder_add_string_value (b, ps_roster_get_encoding (roster));
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, ps_layout_get_name (layout));
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, (gint64) ps_roster_get_n_rows (roster));
  json_builder_set_member_name (b, "records");
  json_builder_add_int_value (b, (gint64) ps_roster_get_n_records (roster));
  json_builder_set_member_name (b, "classes");
  json_builder_add_int_value (b, (gint64) ps_check_get_n_classes (check));
  json_builder_set_member_name (b, "photos_matched");
  json_builder_add_int_value (b, (gint64) ps_check_get_n_photos_matched (check));
  json_builder_set_member_name (b, "printable");
  json_builder_add_int_value (b, (gint64) ps_check_get_n_printable (check));
  json_builder_set_member_name (b, "problems");
  json_builder_begin_array (b);
  for (size_t i = 0; i < ps_check_get_n_problems (check); i++)
    json_add_problem (b, ps_check_get_problem (check, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (size_t i = 0; i < ps_roster_get_n_warnings (roster); i++)
    json_add_problem (b, ps_roster_get_warning (roster, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static int
command_check (int argc, char **argv)
{
  g_autofree char *roster_path = NULL;
  g_autofree char *photos = NULL;
  g_autofree char *layout_name = NULL;
  g_autofree char *mask_style = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "roster", 'r', 0, G_OPTION_ARG_FILENAME, &roster_path, "The school's table (.csv, .xlsx, .jsonl)", "FILE" },
    { "photos", 'p', 0, G_OPTION_ARG_FILENAME, &photos, "Directory of approved photos", "DIR" },
    { "layout", 'l', 0, G_OPTION_ARG_STRING, &layout_name, "Sheet layout (default: default)", "NAME" },
    { "mask-style", 0, 0, G_OPTION_ARG_STRING, &mask_style, "Name masking: per-character (default) or fixed", "STYLE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the result as JSON", NULL },
    { NULL }
  };

  if (!parse_options ("check", "Checks a roster and its photos: bad rows, duplicates, missing, broken\n"
                      "or unfit photos, characters no font covers.  Exit 0: every row is\n"
                      "printable; 1: problems found; 2: usage error or unreadable roster.",
                      entries, &argc, &argv))
    return EXIT_USAGE;
  if (roster_path == NULL || photos == NULL)
    {
      print_error ("check: --roster and --photos are required (see 'photosheet check --help')");
      return EXIT_USAGE;
    }

  g_autoptr (PsLayout) layout = load_layout (layout_name);
  if (layout == NULL)
    return EXIT_USAGE;
  g_autoptr (PsRoster) roster = load_roster (roster_path, mask_style);
  if (roster == NULL)
    return EXIT_USAGE;

  g_autoptr (GError) error = NULL;
  g_autoptr (PsCheck) check = ps_check_run (roster, layout, photos, NULL, &error);
  if (check == NULL)
    {
      print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  size_t n_problems = ps_check_get_n_problems (check);
  if (json)
    print_check_json (roster, check, layout);
  else
    {
      printf ("roster    %s (%s, %s)\n", ps_roster_get_path (roster), ps_roster_get_format (roster),
              ps_roster_get_encoding (roster));
      printf ("layout    %s\n", ps_layout_get_name (layout));
      printf ("rows      %zu\n", ps_roster_get_n_rows (roster));
      printf ("classes   %zu\n", ps_check_get_n_classes (check));
      printf ("photos    %zu of %zu matched\n", ps_check_get_n_photos_matched (check),
              ps_roster_get_n_records (roster));
      printf ("printable %zu\n", ps_check_get_n_printable (check));
      printf ("problems  %zu\n", n_problems);
      for (size_t i = 0; i < n_problems; i++)
        print_problem (stdout, ps_check_get_problem (check, i));
      print_warnings (stdout, roster);
    }
  return n_problems == 0 ? EXIT_OK : EXIT_PROBLEMS;
}

/* Progress on a terminal only: pages done, rate and time left. */
typedef struct {
  gint64 start;
  bool tty;
} Progress;

static void
progress_cb (size_t done, size_t total, void *user_data)
{
  Progress *p = user_data;
  if (!p->tty || total == 0)
    return;
  double elapsed = (g_get_monotonic_time () - p->start) / 1e6;
  double rate = elapsed > 0 ? done / elapsed : 0;
  double left = rate > 0 ? (total - done) / rate : 0;
  fprintf (stderr, "\rrendering: page %zu of %zu  %.1f pages/s  %.0f s left   ", done, total,
           rate, left);
  if (done == total)
    fputc ('\n', stderr);
  fflush (stderr);
}

/* The render summary as JSON: a small object of counts (schema 1). */
static void
print_render_json (const PsBatch *batch, const char *out)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, ps_layout_get_name (ps_batch_get_layout (batch)));
  json_builder_set_member_name (b, "students");
  json_builder_add_int_value (b, (gint64) ps_batch_get_n_students (batch));
  json_builder_set_member_name (b, "pages");
  json_builder_add_int_value (b, (gint64) ps_batch_get_n_pages (batch));
  json_builder_set_member_name (b, "separators");
  json_builder_add_int_value (b, (gint64) ps_batch_get_n_classes (batch));
  json_builder_set_member_name (b, "sheets");
  json_builder_add_int_value (b, (gint64) ps_batch_get_n_sheets (batch));
  json_builder_set_member_name (b, "slots_used");
  json_builder_add_int_value (b, (gint64) ps_batch_get_n_slots_used (batch));
  json_builder_set_member_name (b, "slots_empty");
  json_builder_add_int_value (b, (gint64) ps_batch_get_n_slots_empty (batch));
  json_builder_set_member_name (b, "skipped");
  json_builder_add_int_value (b, (gint64) ps_batch_get_n_skipped (batch));
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static int
command_render (int argc, char **argv)
{
  g_autofree char *roster_path = NULL;
  g_autofree char *photos = NULL;
  g_autofree char *layout_name = NULL;
  g_autofree char *out = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *intent_name = NULL;
  g_autofree char *format_names = NULL;
  g_autofree char *order_name = NULL;
  g_autofree char *mask_style = NULL;
  g_autofree char *tiff_compression = NULL;
  g_autofree char *ledger_path = NULL;
  g_autofree char *impose_name = NULL;
  gboolean no_bpc = FALSE, skip_invalid = FALSE, proof = FALSE, proof_paper = FALSE, json = FALSE;
  gboolean force = FALSE;
  int dpi = 0, jobs = 0, copies = -1;   /* -1: not given */
  GOptionEntry entries[] = {
    { "roster", 'r', 0, G_OPTION_ARG_FILENAME, &roster_path, "The school's table (.csv, .xlsx, .jsonl)", "FILE" },
    { "photos", 'p', 0, G_OPTION_ARG_FILENAME, &photos, "Directory of approved photos", "DIR" },
    { "layout", 'l', 0, G_OPTION_ARG_STRING, &layout_name, "Sheet layout (default: default)", "NAME" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output directory", "DIR" },
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile, "Printer ICC profile (default: sRGB)", "ICC" },
    { "intent", 0, 0, G_OPTION_ARG_STRING, &intent_name, "perceptual, relative (default), saturation, absolute", "INTENT" },
    { "no-bpc", 0, 0, G_OPTION_ARG_NONE, &no_bpc, "No black-point compensation", NULL },
    { "dpi", 0, 0, G_OPTION_ARG_INT, &dpi, "Raster resolution (default: the layout's)", "N" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_names, "Comma list of pdf, tiff, png (default: pdf,tiff)", "LIST" },
    { "proof", 0, 0, G_OPTION_ARG_NONE, &proof, "Also write soft-proof PNG previews", NULL },
    { "proof-paper", 0, 0, G_OPTION_ARG_NONE, &proof_paper, "Soft proofs that simulate the paper white and ink black (absolute colorimetric)", NULL },
    { "order", 0, 0, G_OPTION_ARG_STRING, &order_name, "Students within a class: roster (default) or xh", "ORDER" },
    { "skip-invalid", 0, 0, G_OPTION_ARG_NONE, &skip_invalid, "Render the rest when rows have problems", NULL },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Worker threads (default: cores)", "N" },
    { "mask-style", 0, 0, G_OPTION_ARG_STRING, &mask_style, "Name masking: per-character (default) or fixed", "STYLE" },
    { "tiff-compression", 0, 0, G_OPTION_ARG_STRING, &tiff_compression, "TIFF pages: deflate (default), lzw or none", "KIND" },
    { "ledger", 0, 0, G_OPTION_ARG_FILENAME, &ledger_path, "Ledger file, e.g. a lab-wide one (default: OUT/ledger.sqlite)", "FILE" },
    { "copies", 'c', 0, G_OPTION_ARG_INT, &copies, "Copies of each student, 1-20 (default: the configuration's, else the layout's; a 份数 column overrides it)", "N" },
    { "impose", 0, 0, G_OPTION_ARG_STRING, &impose_name, "Students on shared sheets: sequence (default) or stack (cut-and-stack)", "ORDER" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the summary as JSON", NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Replace another batch in --out (its files are removed first)", NULL },
    { NULL }
  };

  if (!parse_options ("render", "Renders a batch: a separator page before each class, then its sheets\n"
                      "(each student's copies together, one or several students a sheet as the\n"
                      "layout says), colour-managed for the printer profile.  --out must be\n"
                      "empty, new or hold this same batch; --force replaces another batch there.\n"
                      "Exit 0: all rendered; 1: rendered with rows skipped (--skip-invalid);\n"
                      "2: refused (problems, a folder that holds another batch or is in use),\n"
                      "usage or configuration error.",
                      entries, &argc, &argv))
    return EXIT_USAGE;
  g_autoptr (PsConfig) config = load_config ("render");
  if (config == NULL)
    return EXIT_USAGE;
  profile = flag_or (profile, ps_config_get_profile (config));
  layout_name = flag_or (layout_name, ps_config_get_layout (config));
  /* The lab's copies when --copies is not given (the roster's 份数 still
   * wins row by row, and the layout's copies when neither is set). */
  if (copies == -1 && ps_config_get_copies (config) > 0)
    copies = ps_config_get_copies (config);
  if (roster_path == NULL || photos == NULL || out == NULL)
    {
      print_error ("render: --roster, --photos and --out are required (see 'photosheet render --help')");
      return EXIT_USAGE;
    }

  g_autoptr (GError) error = NULL;
  g_autoptr (PsBatchOptions) batch_options = ps_batch_options_new ();
  g_autoptr (PsRenderOptions) options = ps_render_options_new ();
  PsIntent intent = PS_INTENT_RELATIVE;
  PsFormats formats = PS_FORMAT_PDF | PS_FORMAT_TIFF;
  PsOrder order = PS_ORDER_ROSTER;
  PsTiffCompression compression = PS_TIFF_COMPRESSION_DEFAULT;
  if (intent_name != NULL && !ps_color_intent_from_string (intent_name, &intent))
    {
      print_error ("render: --intent must be perceptual, relative, saturation or absolute");
      return EXIT_USAGE;
    }
  if (intent_name == NULL)
    ps_config_get_intent (config, &intent);
  if (format_names != NULL && !ps_output_formats_from_string (format_names, &formats))
    {
      print_error ("render: --format takes a comma list of pdf, tiff, png, proof, proof-paper");
      return EXIT_USAGE;
    }
  if (tiff_compression != NULL
      && !ps_output_tiff_compression_from_string (tiff_compression, &compression))
    {
      print_error ("render: --tiff-compression must be deflate, lzw or none");
      return EXIT_USAGE;
    }
  if (order_name != NULL && !ps_plan_order_from_string (order_name, &order))
    {
      print_error ("render: --order must be roster or xh");
      return EXIT_USAGE;
    }
  PsImpose impose = PS_IMPOSE_SEQUENCE;
  if (impose_name != NULL && !ps_plan_impose_from_string (impose_name, &impose))
    {
      print_error ("render: --impose must be sequence or stack");
      return EXIT_USAGE;
    }
  /* 0 means "the layout's" to the engine, not to a user who typed it. */
  if (copies == 0 || copies < -1)
    {
      print_error ("render: --copies must be 1..%d, not %d", PS_MAX_COPIES, copies);
      return EXIT_USAGE;
    }
  ps_batch_options_set_impose (batch_options, impose);
  if (!ps_batch_options_set_dpi (batch_options, dpi, &error)
      || !ps_render_options_set_jobs (options, jobs, &error)
      || !ps_batch_options_set_copies (batch_options, MAX (copies, 0), &error))
    {
      print_error ("render: --%s", error->message);
      return EXIT_USAGE;
    }
  if (proof)
    formats |= PS_FORMAT_PROOF;
  if (proof_paper)
    formats |= PS_FORMAT_PROOF | PS_FORMAT_PROOF_PAPER;
  ps_batch_options_set_profile (batch_options, profile);
  ps_batch_options_set_intent (batch_options, intent);
  ps_batch_options_set_black_point_compensation (batch_options, !no_bpc);
  ps_batch_options_set_formats (batch_options, formats);
  ps_batch_options_set_order (batch_options, order);
  ps_batch_options_set_tiff_compression (batch_options, compression);
  ps_render_options_set_skip_invalid (options, skip_invalid);
  ps_render_options_set_ledger_path (options, ledger_path);
  ps_render_options_set_force (options, force);

  g_autoptr (PsLayout) layout = load_layout (layout_name);
  if (layout == NULL)
    return EXIT_USAGE;
  g_autoptr (PsRoster) roster = load_roster (roster_path, mask_style);
  if (roster == NULL)
    return EXIT_USAGE;

  g_autoptr (PsCheck) check = ps_check_run (roster, layout, photos, NULL, &error);
  if (check == NULL)
    {
      print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  size_t n_problems = ps_check_get_n_problems (check);
  for (size_t i = 0; i < n_problems; i++)
    print_problem (stderr, ps_check_get_problem (check, i));
  print_warnings (stderr, roster);

  g_autoptr (PsBatch) batch = ps_batch_new (check, batch_options, &error);
  if (batch == NULL)
    {
      print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  Progress progress = { g_get_monotonic_time (), isatty (STDERR_FILENO) };
  ps_render_options_set_progress (options, progress_cb, &progress);
  if (!ps_render_batch (batch, out, options, &error))
    {
      print_error ("%s", error->message);
      return EXIT_USAGE;
    }

  formats = ps_batch_get_formats (batch);
  size_t skipped = ps_batch_get_n_skipped (batch);
  size_t used = ps_batch_get_n_slots_used (batch), empty = ps_batch_get_n_slots_empty (batch);
  if (json)
    {
      print_render_json (batch, out);
      return skipped > 0 ? EXIT_PROBLEMS : EXIT_OK;
    }
  printf ("rendered %zu pages (%zu separators, %zu sheets) for %zu students into %s\n",
          ps_batch_get_n_pages (batch), ps_batch_get_n_classes (batch),
          ps_batch_get_n_sheets (batch), ps_batch_get_n_students (batch), out);
  printf ("  slots     %zu used, %zu empty (%zu sheets of %zu)\n", used, empty,
          ps_batch_get_n_sheets (batch), ps_layout_get_n_slots (ps_batch_get_layout (batch)));
  if (formats & PS_FORMAT_PDF)
    printf ("  PDF       %s/sheets.pdf\n", out);
  if (formats & PS_FORMAT_TIFF)
    printf ("  TIFF      %s/tiff/\n", out);
  if (formats & PS_FORMAT_PNG)
    printf ("  PNG       %s/png/\n", out);
  printf ("  manifest  %s/manifest.csv\n", out);
  printf ("  skipped   %zu (see %s/exceptions.csv)\n", skipped, out);
  return skipped > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/* "4 students" or "1 student, 2 sheets each" for @copies on @layout. */
static char *
per_sheet_text (const PsLayout *layout, int copies)
{
  int sheets = ps_layout_get_sheets_per_student (layout, copies);
  if (sheets > 1)
    return g_strdup_printf ("1 student, %d sheets each", sheets);
  size_t n = ps_layout_get_students_per_sheet (layout, copies);
  return g_strdup_printf ("%zu student%s", n, n == 1 ? "" : "s");
}

static int
command_layouts (int argc, char **argv)
{
  g_autofree char *show = NULL;
  int copies = -1;   /* -1: not given */
  gboolean names_only = FALSE;
  GOptionEntry entries[] = {
    { "show", 's', 0, G_OPTION_ARG_STRING, &show, "Print a layout's computed geometry", "NAME" },
    { "names", 0, 0, G_OPTION_ARG_NONE, &names_only, "Only the names, one a line (for scripts and completion)", NULL },
    { "copies", 'c', 0, G_OPTION_ARG_INT, &copies, "Students per sheet at N copies each (default: each layout's copies)", "N" },
    { NULL }
  };

  if (!parse_options ("layouts", "Lists the sheet layouts with their slots per sheet and students per\n"
                      "sheet (at --copies N), or shows one's computed geometry.",
                      entries, &argc, &argv))
    return EXIT_USAGE;
  if (copies == 0 || copies < -1 || copies > PS_MAX_COPIES)
    {
      print_error ("layouts: --copies must be 1..%d, not %d", PS_MAX_COPIES, copies);
      return EXIT_USAGE;
    }

  if (show != NULL)
    {
      g_autoptr (PsLayout) layout = load_layout (show);
      if (layout == NULL)
        return EXIT_USAGE;
      g_autofree char *text = ps_layout_describe (layout);
      fputs (text, stdout);
      if (copies > 0)
        {
          g_autofree char *per = per_sheet_text (layout, copies);
          printf ("at %d     %s per sheet\n", copies, per);
        }
      return EXIT_OK;
    }

  g_auto (GStrv) names = ps_layout_list ();
  if (names[0] == NULL)
    {
      /* A build-dir binary run without its environment, or a broken install. */
      print_error ("layouts: no layouts in '%s' (see PHOTOSHEET_DATA_DIR in photosheet(1))",
                   ps_layout_get_dir ());
      return EXIT_USAGE;
    }
  if (names_only)
    {
      for (size_t i = 0; names[i] != NULL; i++)
        printf ("%s\n", names[i]);
      return EXIT_OK;
    }
  g_autofree char *column = copies > 0 ? g_strdup_printf ("students per sheet at %d", copies)
                                        : g_strdup ("copies: students per sheet");
  printf ("%-18s %5s  %-28s %s\n", "layout", "slots", column, "description");
  for (size_t i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (PsLayout) layout = ps_layout_load (names[i], &error);
      if (layout == NULL)
        {
          printf ("%-18s (invalid: %s)\n", names[i], error->message);
          continue;
        }
      int n = copies > 0 ? copies : ps_layout_get_copies (layout);
      g_autofree char *per = per_sheet_text (layout, n);
      g_autofree char *at = g_strdup_printf ("%d: %s", n, per);
      printf ("%-18s %5zu  %-28s %s\n", names[i], ps_layout_get_n_slots (layout), at,
              ps_layout_get_description (layout));
    }
  return EXIT_OK;
}

/* An existing ledger: @ledger_path, else BATCH_DIR/ledger.sqlite.  Never
 * creates one: a mistyped path is an error, not an empty ledger. */
static PsLedger *
open_ledger (const char *ledger_path, const char *batch_dir)
{
  g_autofree char *path = ledger_path != NULL ? g_strdup (ledger_path)
                                              : g_build_filename (batch_dir, "ledger.sqlite", NULL);
  g_autoptr (GError) error = NULL;
  PsLedger *ledger = ps_ledger_open_existing (path, &error);
  if (ledger == NULL && ledger_path == NULL
      && g_error_matches (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND))
    print_error ("no ledger in '%s' (was the batch rendered there? a lab-wide ledger: --ledger FILE)",
                 batch_dir);
  else if (ledger == NULL)
    print_error ("%s", error->message);
  return ledger;
}

static void
print_progress_cb (size_t done, size_t total, void *user_data)
{
  Progress *p = user_data;
  if (!p->tty || total == 0)
    return;
  double elapsed = (g_get_monotonic_time () - p->start) / 1e6;
  fprintf (stderr, "\rprinting: %zu of %zu jobs finished  %.0f s   ", done, total, elapsed);
  if (done == total)
    fputc ('\n', stderr);
  fflush (stderr);
}

/* Print options from the flags, the configuration filling what they leave
 * out; NULL with the error (said by the caller) on a bad value. */
static PsPrintOptions *
print_options (const PsConfig *config, const char *printer, const char *server,
               const char *media_type, char **cups_options, GError **error)
{
  g_autoptr (PsPrintOptions) options = ps_print_options_new ();
  ps_print_options_set_printer (options, printer != NULL ? printer : ps_config_get_printer (config));
  ps_print_options_set_server (options, server != NULL ? server : ps_config_get_server (config));
  if (!ps_print_options_set_media_type (options, media_type != NULL ? media_type
                                                                    : ps_config_get_media_type (config),
                                        error))
    return NULL;
  for (size_t i = 0; cups_options != NULL && cups_options[i] != NULL; i++)
    if (!ps_print_options_add_option (options, cups_options[i], error))
      return NULL;
  return g_steal_pointer (&options);
}

static int
command_print (int argc, char **argv)
{
  g_autofree char *batch = NULL;
  g_autofree char *printer = NULL;
  g_autofree char *server = NULL;
  g_autofree char *ledger_path = NULL;
  g_autofree char *media_type = NULL;
  g_auto (GStrv) cups_options = NULL;
  gboolean resume = FALSE;
  int job_size = 0, timeout = 0;
  GOptionEntry entries[] = {
    { "batch", 'b', 0, G_OPTION_ARG_FILENAME, &batch, "A rendered batch directory", "DIR" },
    { "printer", 'P', 0, G_OPTION_ARG_STRING, &printer, "CUPS queue, class or comma list of queues (default: the configuration's, else CUPS's default destination)", "QUEUE" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "CUPS server (default: the local one)", "HOST:PORT" },
    { "media-type", 0, 0, G_OPTION_ARG_STRING, &media_type, "Paper, e.g. photographic-glossy (sent as media-col)", "TYPE" },
    { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &cups_options, "A CUPS job option (repeatable)", "NAME=VALUE" },
    { "job-size", 0, 0, G_OPTION_ARG_INT, &job_size, "Most pages per job (default: one job per class)", "N" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Print only the pages without a completed job", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait for jobs to finish (default 600)", "S" },
    { "ledger", 0, 0, G_OPTION_ARG_FILENAME, &ledger_path, "Ledger file (default: DIR/ledger.sqlite); never created", "FILE" },
    { NULL }
  };

  if (!parse_options ("print", "Queues a rendered batch through CUPS, one job per class, each class\n"
                      "whole to one printer (a class or a list spreads classes over printers,\n"
                      "balanced by pages), and tracks every job until it ends.\n"
                      "Exit 0: every job completed; 1: some pages not printed - jobs failed or\n"
                      "stuck, or some jobs were queued and then a submission failed (the counts\n"
                      "are printed; see 'photosheet status', then --resume); 2: nothing queued\n"
                      "(usage, configuration, ledger, printer, media, server, batch in use or\n"
                      "already printed without --resume).", entries, &argc, &argv))
    return EXIT_USAGE;
  if (batch == NULL)
    {
      print_error ("print: --batch is required (see 'photosheet print --help')");
      return EXIT_USAGE;
    }
  if (job_size < 0 || timeout < 0)
    {
      print_error ("print: --job-size and --timeout must not be negative");
      return EXIT_USAGE;
    }
  g_autoptr (PsConfig) config = load_config ("print");
  if (config == NULL)
    return EXIT_USAGE;
  g_autoptr (PsLedger) ledger = open_ledger (ledger_path, batch);
  if (ledger == NULL)
    return EXIT_USAGE;

  Progress progress = { g_get_monotonic_time (), isatty (STDERR_FILENO) };
  g_autoptr (GError) error = NULL;
  g_autoptr (PsPrintOptions) options = print_options (config, printer, server, media_type,
                                                      cups_options, &error);
  if (options == NULL)
    {
      print_error ("print: %s", error->message);
      return EXIT_USAGE;
    }
  ps_print_options_set_job_size (options, job_size);
  ps_print_options_set_resume (options, resume);
  ps_print_options_set_timeout (options, timeout);
  ps_print_options_set_progress (options, print_progress_cb, &progress);
  PsPrintSummary summary = { 0 };
  bool ok = ps_print_batch (ledger, batch, options, &summary, &error);
  printf ("print: %zu jobs (%zu pages) sent, %zu completed, %zu failed; %zu pages still to print\n",
          summary.jobs_submitted, summary.pages_submitted, summary.jobs_completed,
          summary.jobs_failed, summary.pages_pending);
  if (!ok)
    {
      print_error ("%s", error->message);
      return g_error_matches (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_JOB)
             || g_error_matches (error, PS_PRINT_ERROR, PS_PRINT_ERROR_PARTIAL)
               ? EXIT_PROBLEMS : EXIT_USAGE;
    }
  return EXIT_OK;
}

static const PsJobStatus *
find_job (const PsBatchStatus *b, int64_t id)
{
  for (size_t j = 0; j < b->n_jobs; j++)
    if (b->jobs[j].id == id)
      return &b->jobs[j];
  return NULL;
}

/* Batches, classes, pages printed / pending / failed, jobs with the printer
 * (and class member) that got them and their CUPS state, reprints. */
static void
print_status (const PsLedgerStatus *status)
{
  size_t n = ps_ledger_status_get_n_batches (status);
  if (n == 0)
    printf ("no batches\n");
  for (size_t i = 0; i < n; i++)
    {
      const PsBatchStatus *b = ps_ledger_status_get_batch (status, i);
      g_autofree char *roster = b->roster_path ? g_path_get_basename (b->roster_path)
                                               : g_strdup ("-");
      printf ("batch %" G_GINT64_FORMAT "  %s  (%s, layout %s, %zu pages)\n", (gint64) b->id,
              b->out_dir, roster, b->layout_name ? b->layout_name : "-", b->pages);
      printf ("  id %s\n", b->uid ? b->uid : "-");
      printf ("  pages: %zu printed, %zu pending, %zu failed\n", b->printed, b->pending,
              b->failed);
      for (size_t c = 0; c < b->n_classes; c++)
        {
          const PsClassStatus *t = &b->classes[c];
          printf ("  class %zu/%zu %s    %zu pages: %zu printed, %zu pending, %zu failed\n",
                  c + 1, b->n_classes, t->name, t->pages, t->printed, t->pending, t->failed);
        }
      if (b->n_jobs > 0)
        printf ("  jobs:\n");
      for (size_t j = 0; j < b->n_jobs; j++)
        {
          const PsJobStatus *job = &b->jobs[j];
          g_autofree char *cups = job->cups_id > 0 ? g_strdup_printf ("%d", job->cups_id)
                                                   : g_strdup ("-");
          /* a class's member: "class -> member" */
          g_autofree char *where = job->queue != NULL && g_strcmp0 (job->queue, job->printer) != 0
                                     ? g_strdup_printf ("%s -> %s", job->printer, job->queue)
                                     : g_strdup (job->printer);
          printf ("    #%" G_GINT64_FORMAT " cups %s  %s  %s  %zu pages  %s", (gint64) job->id,
                  cups, where, job->name, job->pages, ps_job_state_to_string (job->state));
          if (job->reason != NULL && *job->reason != '\0')
            printf (" (%s)", job->reason);
          printf ("\n");
        }
      if (b->n_reprints > 0)
        printf ("  reprints:\n");
      for (size_t r = 0; r < b->n_reprints; r++)
        {
          const PsReprintStatus *rp = &b->reprints[r];
          const PsJobStatus *job = rp->job_id != 0 ? find_job (b, rp->job_id) : NULL;
          printf ("    #%" G_GINT64_FORMAT " %s  xh=%s  %s", (gint64) rp->id, rp->at,
                  rp->xh ? rp->xh : "-", rp->class_name ? rp->class_name : "-");
          if (rp->reason != NULL && *rp->reason != '\0')
            printf ("  \"%s\"", rp->reason);
          printf ("  %s", rp->out_path ? rp->out_path : "-");
          if (job != NULL)
            printf ("  job #%" G_GINT64_FORMAT " %s", (gint64) job->id,
                    ps_job_state_to_string (job->state));
          else
            printf ("  not queued");
          printf ("\n");
        }
    }
}

static void
json_string_or_null (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
json_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
json_counts (JsonBuilder *b, size_t pages, size_t printed, size_t pending, size_t failed)
{
  json_int (b, "pages", (gint64) pages);
  json_int (b, "printed", (gint64) printed);
  json_int (b, "pending", (gint64) pending);
  json_int (b, "failed", (gint64) failed);
}

/* status --json: the same data, for scripts.  "schema" changes only when a
 * member changes meaning or goes away; members may be added. */
#define STATUS_JSON_SCHEMA 1

static void
print_status_json (const PsLedgerStatus *status, const char *ledger_path)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_int (b, "schema", STATUS_JSON_SCHEMA);
  json_string_or_null (b, "ledger", ledger_path);
  json_builder_set_member_name (b, "batches");
  json_builder_begin_array (b);
  for (size_t i = 0; i < ps_ledger_status_get_n_batches (status); i++)
    {
      const PsBatchStatus *batch = ps_ledger_status_get_batch (status, i);
      json_builder_begin_object (b);
      json_int (b, "id", batch->id);
      json_string_or_null (b, "uid", batch->uid);
      json_string_or_null (b, "out_dir", batch->out_dir);
      json_string_or_null (b, "roster", batch->roster_path);
      json_string_or_null (b, "layout", batch->layout_name);
      json_string_or_null (b, "created_at", batch->created_at);
      json_counts (b, batch->pages, batch->printed, batch->pending, batch->failed);
      json_builder_set_member_name (b, "classes");
      json_builder_begin_array (b);
      for (size_t c = 0; c < batch->n_classes; c++)
        {
          const PsClassStatus *t = &batch->classes[c];
          json_builder_begin_object (b);
          json_string_or_null (b, "name", t->name);
          json_counts (b, t->pages, t->printed, t->pending, t->failed);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "jobs");
      json_builder_begin_array (b);
      for (size_t j = 0; j < batch->n_jobs; j++)
        {
          const PsJobStatus *job = &batch->jobs[j];
          json_builder_begin_object (b);
          json_int (b, "id", job->id);
          json_int (b, "cups_id", job->cups_id);
          json_string_or_null (b, "name", job->name);
          json_string_or_null (b, "printer", job->printer);
          json_string_or_null (b, "queue", job->queue);
          json_string_or_null (b, "server", job->server);
          json_string_or_null (b, "state", ps_job_state_to_string (job->state));
          json_string_or_null (b, "reason", job->reason);
          json_string_or_null (b, "job_uuid", job->uuid);
          json_string_or_null (b, "created_at", job->created_at);
          json_int (b, "pages", (gint64) job->pages);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "reprints");
      json_builder_begin_array (b);
      for (size_t r = 0; r < batch->n_reprints; r++)
        {
          const PsReprintStatus *rp = &batch->reprints[r];
          json_builder_begin_object (b);
          json_int (b, "id", rp->id);
          json_string_or_null (b, "at", rp->at);
          json_string_or_null (b, "xh", rp->xh);
          json_string_or_null (b, "class", rp->class_name);
          json_string_or_null (b, "reason", rp->reason);
          json_string_or_null (b, "out_path", rp->out_path);
          json_builder_set_member_name (b, "job_id");
          if (rp->job_id != 0)
            json_builder_add_int_value (b, rp->job_id);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static int
command_status (int argc, char **argv)
{
  g_autofree char *batch = NULL;
  g_autofree char *ledger_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "batch", 'b', 0, G_OPTION_ARG_FILENAME, &batch, "A rendered batch directory", "DIR" },
    { "ledger", 0, 0, G_OPTION_ARG_FILENAME, &ledger_path, "A ledger file (all its batches); never created", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the status as JSON (\"schema\": 1)", NULL },
    { NULL }
  };
  if (!parse_options ("status", "Shows what the ledger knows: batches, classes, pages printed /\n"
                      "pending / failed, jobs with the printer (and class member) that got\n"
                      "them and their CUPS state, reprints.  Exit 0: shown; 2: usage error, no\n"
                      "such ledger or batch.",
                      entries, &argc, &argv))
    return EXIT_USAGE;
  if (batch == NULL && ledger_path == NULL)
    {
      print_error ("status: --batch or --ledger is required");
      return EXIT_USAGE;
    }
  g_autoptr (PsLedger) ledger = open_ledger (ledger_path, batch);
  if (ledger == NULL)
    return EXIT_USAGE;
  g_autoptr (GError) error = NULL;
  g_autoptr (PsLedgerStatus) status = ps_ledger_get_status (ledger, batch, &error);
  if (status == NULL)
    {
      print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  if (json)
    print_status_json (status, ps_ledger_get_path (ledger));
  else
    print_status (status);
  return EXIT_OK;
}

static int
command_reprint (int argc, char **argv)
{
  g_autofree char *ledger_path = NULL;
  g_autofree char *xh = NULL, *cjm = NULL, *yxdm = NULL, *last4 = NULL;
  g_autofree char *out = NULL, *printer = NULL, *server = NULL, *reason = NULL, *date = NULL;
  g_autofree char *media_type = NULL;
  g_auto (GStrv) cups_options = NULL;
  gboolean queue = FALSE;
  GOptionEntry entries[] = {
    { "ledger", 0, 0, G_OPTION_ARG_FILENAME, &ledger_path, "The ledger that recorded the batch (never created)", "FILE" },
    { "xh", 0, 0, G_OPTION_ARG_STRING, &xh, "Student by 学号", "XH" },
    { "cjm", 0, 0, G_OPTION_ARG_STRING, &cjm, "Student by 采集码", "CODE" },
    { "yxdm", 0, 0, G_OPTION_ARG_STRING, &yxdm, "院校代码 (with --id-last4)", "CODE" },
    { "id-last4", 0, 0, G_OPTION_ARG_STRING, &last4, "Last 4 characters of the ID number", "XXXX" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output directory (not a batch's own folder)", "DIR" },
    { "print", 0, 0, G_OPTION_ARG_NONE, &queue, "Also queue it (to --printer, the configuration's printer, or CUPS's default)", NULL },
    { "printer", 'P', 0, G_OPTION_ARG_STRING, &printer, "Also queue it to this CUPS queue, class or list", "QUEUE" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "CUPS server", "HOST:PORT" },
    { "media-type", 0, 0, G_OPTION_ARG_STRING, &media_type, "Paper, e.g. photographic-glossy", "TYPE" },
    { "option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cups_options, "A CUPS job option (repeatable)", "NAME=VALUE" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why (kept in the ledger; no names, please)", "TEXT" },
    { "date", 0, 0, G_OPTION_ARG_STRING, &date, "Date in the reprint mark (default: today)", "YYYY-MM-DD" },
    { NULL }
  };
  if (!parse_options ("reprint", "Renders one student's sheet again from the ledger with the original\n"
                      "settings, marked 补 and the date in the margin, and records it.\n"
                      "Exit 0: done (and queued when asked); 1: no student matches, or rendered\n"
                      "and recorded but the queue refused it (its job's state says why);\n"
                      "2: usage error, no such ledger, a batch folder as --out, the photo or\n"
                      "profile changed, printer or media refused (nothing rendered).",
                      entries, &argc, &argv))
    return EXIT_USAGE;
  if (ledger_path == NULL || out == NULL || (xh == NULL && cjm == NULL && last4 == NULL))
    {
      print_error ("reprint: --ledger, --out and one of --xh, --cjm or --yxdm with --id-last4 are required");
      return EXIT_USAGE;
    }
  if ((yxdm != NULL) != (last4 != NULL) && xh == NULL && cjm == NULL)
    {
      print_error ("reprint: --yxdm and --id-last4 go together");
      return EXIT_USAGE;
    }
  g_autoptr (PsConfig) config = load_config ("reprint");
  if (config == NULL)
    return EXIT_USAGE;
  g_autoptr (PsLedger) ledger = open_ledger (ledger_path, NULL);
  if (ledger == NULL)
    return EXIT_USAGE;

  PsStudentQuery query = { xh, cjm, yxdm, last4 };
  PsReprintResult result = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (PsPrintOptions) print = NULL;
  if (queue || printer != NULL)
    {
      print = print_options (config, printer, server, media_type, cups_options, &error);
      if (print == NULL)
        {
          print_error ("reprint: %s", error->message);
          return EXIT_USAGE;
        }
    }
  bool ok = ps_reprint (ledger, &query, out, reason, date, print, &result, &error);
  if (!ok && result.pdf_path == NULL)
    {
      print_error ("%s", error->message);
      return g_error_matches (error, PS_LEDGER_ERROR, PS_LEDGER_ERROR_NOT_FOUND) ? EXIT_PROBLEMS
                                                                                : EXIT_USAGE;
    }
  printf ("reprint: %zu sheet%s for xh=%s in %s", result.pages, result.pages == 1 ? "" : "s",
          result.student_xh ? result.student_xh : "?", result.pdf_path);
  if (result.cups_job_id > 0)
    printf (", queued as job %d", result.cups_job_id);
  printf ("\n");
  ps_reprint_result_clear (&result);
  if (!ok)
    {
      print_error ("%s", error->message);
      return EXIT_PROBLEMS;
    }
  return EXIT_OK;
}

static int
command_export (int argc, char **argv)
{
  g_autofree char *batch = NULL;
  g_autofree char *hot_folder = NULL;
  g_autofree char *ledger_path = NULL;
  g_autofree char *format_name = NULL;
  int quality = 0;
  GOptionEntry entries[] = {
    { "batch", 'b', 0, G_OPTION_ARG_FILENAME, &batch, "A rendered batch directory", "DIR" },
    { "hot-folder", 0, 0, G_OPTION_ARG_FILENAME, &hot_folder, "The folder the minilab watches (default: the configuration's)", "DIR" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, "tiff (default) or jpeg, as the minilab takes", "FORMAT" },
    { "quality", 0, 0, G_OPTION_ARG_INT, &quality, "JPEG quality 50..100 (default 95)", "Q" },
    { "ledger", 0, 0, G_OPTION_ARG_FILENAME, &ledger_path, "Ledger file (default: DIR/ledger.sqlite); never created", "FILE" },
    { NULL }
  };
  if (!parse_options ("export", "Writes a batch's pages, rendered again from the ledger, into a\n"
                      "minilab's hot folder as ps-<batch id>-NNNN.tif|jpg and a plain order\n"
                      "file ps-<batch id>.order.txt, each file appearing whole.  Exit 0: written;\n"
                      "2: usage or configuration error, no such ledger or batch, the batch's\n"
                      "files already in the hot folder, a photo that changed: nothing written.",
                      entries, &argc, &argv))
    return EXIT_USAGE;
  g_autoptr (PsConfig) config = load_config ("export");
  if (config == NULL)
    return EXIT_USAGE;
  hot_folder = flag_or (hot_folder, ps_config_get_hot_folder (config));
  if (batch == NULL || hot_folder == NULL)
    {
      print_error ("export: --batch and --hot-folder are required (see 'photosheet export --help')");
      return EXIT_USAGE;
    }
  g_autoptr (PsExportOptions) options = ps_export_options_new ();
  PsExportFormat format = PS_EXPORT_FORMAT_TIFF;
  if (format_name != NULL && !ps_export_format_from_string (format_name, &format))
    {
      print_error ("export: --format must be tiff or jpeg");
      return EXIT_USAGE;
    }
  if (format_name == NULL)
    ps_config_get_export_format (config, &format);
  ps_export_options_set_format (options, format);
  g_autoptr (GError) error = NULL;
  if (quality != 0 && !ps_export_options_set_jpeg_quality (options, quality, &error))
    {
      print_error ("export: --quality: %s", error->message);
      return EXIT_USAGE;
    }
  g_autoptr (PsLedger) ledger = open_ledger (ledger_path, batch);
  if (ledger == NULL)
    return EXIT_USAGE;
  PsExportResult result = { 0 };
  if (!ps_export_batch (ledger, batch, hot_folder, options, &result, &error))
    {
      print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  printf ("export: %zu pages as %s-NNNN.%s into %s; order file %s\n", result.pages, result.prefix,
          format == PS_EXPORT_FORMAT_JPEG ? "jpg" : "tif", hot_folder, result.order_path);
  ps_export_result_clear (&result);
  return EXIT_OK;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      FILE *out = argc < 2 ? stderr : stdout;
      fprintf (out, "Usage: photosheet COMMAND [OPTIONS]\n\n"
                    "Prints graduate ID photo sheets: checks the roster and photos, renders\n"
                    "colour-managed sheets with masked captions and class separators.\n\n%s\n\n%s\n",
               summary_text, examples_text);
      return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "version") == 0)
    {
      printf ("photosheet %s\n", ps_version ());
      return EXIT_OK;
    }

  static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
  } commands[] = {
    { "check", command_check },
    { "render", command_render },
    { "layouts", command_layouts },
    { "print", command_print },
    { "status", command_status },
    { "reprint", command_reprint },
    { "export", command_export },
  };
  const char *command = argv[1];
  argv[1] = argv[0];
  argc--;
  argv++;
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (command, commands[i].name) == 0)
      {
        int status = commands[i].run (argc, argv);
        ps_shutdown ();
        return status;
      }

  print_error ("unknown command '%s' (see 'photosheet --help')", command);
  return EXIT_USAGE;
}
