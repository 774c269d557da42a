/* ps-config.c - the lab's defaults: /etc, then the user's file, then flags.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GKeyFile per level; each key a file sets wins over the earlier files,
 * and the command line wins over every file (main.c applies a value only
 * when its flag was not given).  Unknown groups and keys are errors, not
 * ignored: a mistyped "prnter=" would otherwise print on the wrong
 * machine without a word.
 *
 *   [render]  profile=lab.icc  layout=6inch-33x48  intent=relative  copies=5
 *   [print]   printer=frontier-class  server=host:631  media-type=photographic-glossy
 *   [export]  hot-folder=/srv/hotfolder  format=jpeg
 */
#include "config.h"
#include "ps-core-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (ps-config-error-quark, ps_config_error)

/* One value and the file that set it (for messages). */
typedef struct {
  char *value;
  char *file;
} Setting;

typedef enum {
  KEY_PROFILE,
  KEY_LAYOUT,
  KEY_INTENT,
  KEY_COPIES,
  KEY_PRINTER,
  KEY_SERVER,
  KEY_MEDIA_TYPE,
  KEY_HOT_FOLDER,
  KEY_FORMAT,
  N_KEYS
} Key;

static const struct {
  const char *group;
  const char *key;
  bool path;           /* relative to the file's folder */
} keys[N_KEYS] = {
  [KEY_PROFILE] = { "render", "profile", true },
  [KEY_LAYOUT] = { "render", "layout", false },
  [KEY_INTENT] = { "render", "intent", false },
  [KEY_COPIES] = { "render", "copies", false },
  [KEY_PRINTER] = { "print", "printer", false },
  [KEY_SERVER] = { "print", "server", false },
  [KEY_MEDIA_TYPE] = { "print", "media-type", false },
  [KEY_HOT_FOLDER] = { "export", "hot-folder", true },
  [KEY_FORMAT] = { "export", "format", false },
};

struct _PsConfig {
  Setting settings[N_KEYS];    /* the winning value of each key, as text */
  GPtrArray *files;            /* char*, NULL-terminated */
};

PsConfig *
ps_config_new (void)
{
  PsConfig *config = g_new0 (PsConfig, 1);
  config->files = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (config->files, NULL);
  return config;
}

void
ps_config_free (PsConfig *config)
{
  if (config == NULL)
    return;
  for (size_t i = 0; i < N_KEYS; i++)
    {
      g_free (config->settings[i].value);
      g_free (config->settings[i].file);
    }
  g_ptr_array_unref (config->files);
  g_free (config);
}

static bool
invalid (GError **error, const char *path, Key k, const char *value, const char *why)
{
  g_set_error (error, PS_CONFIG_ERROR, PS_CONFIG_ERROR_INVALID_VALUE,
               "config '%s': [%s] %s = '%s': %s", path, keys[k].group, keys[k].key, value, why);
  return false;
}

/* Checks one value (the getters parse it again, knowing it is good). */
static bool
check_value (const char *path, Key k, const char *value, GError **error)
{
  PsIntent intent;
  PsExportFormat format;
  switch (k)
    {
    case KEY_INTENT:
      if (!ps_color_intent_from_string (value, &intent))
        return invalid (error, path, k, value,
                        "must be perceptual, relative, saturation or absolute");
      return true;
    case KEY_FORMAT:
      if (!ps_export_format_from_string (value, &format))
        return invalid (error, path, k, value, "must be tiff or jpeg");
      return true;
    case KEY_COPIES:
      {
        char *end = NULL;
        errno = 0;
        long n = strtol (value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || n < 1 || n > PS_MAX_COPIES)
          return invalid (error, path, k, value, "must be a whole number 1..20");
        return true;
      }
    case KEY_MEDIA_TYPE:
      for (const char *c = value; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
          return invalid (error, path, k, value,
                          "must be a media-type keyword (letters, digits, '-', '_', '.')");
      return true;
    default:
      return true;
    }
}

bool
ps_config_load_file (PsConfig *config, const char *path, bool must_exist, GError **error)
{
  g_return_val_if_fail (config != NULL && path != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local))
    {
      if (!must_exist && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return true;
      g_set_error (error, PS_CONFIG_ERROR, PS_CONFIG_ERROR_PARSE, "config '%s': %s", path,
                   local->message);
      return false;
    }

  /* Every group and key must be one photosheet knows. */
  g_auto (GStrv) groups = g_key_file_get_groups (file, NULL);
  for (size_t g = 0; groups[g] != NULL; g++)
    {
      g_auto (GStrv) names = g_key_file_get_keys (file, groups[g], NULL, NULL);
      bool known_group = false;
      for (size_t k = 0; k < N_KEYS; k++)
        known_group = known_group || strcmp (keys[k].group, groups[g]) == 0;
      if (!known_group)
        {
          g_set_error (error, PS_CONFIG_ERROR, PS_CONFIG_ERROR_UNKNOWN_KEY,
                       "config '%s': unknown group [%s] (known: [render], [print], [export])",
                       path, groups[g]);
          return false;
        }
      for (size_t n = 0; names != NULL && names[n] != NULL; n++)
        {
          bool known = false;
          for (size_t k = 0; k < N_KEYS; k++)
            known = known || (strcmp (keys[k].group, groups[g]) == 0
                              && strcmp (keys[k].key, names[n]) == 0);
          if (!known)
            {
              g_autoptr (GString) list = g_string_new (NULL);
              for (size_t k = 0; k < N_KEYS; k++)
                if (strcmp (keys[k].group, groups[g]) == 0)
                  g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", keys[k].key);
              g_set_error (error, PS_CONFIG_ERROR, PS_CONFIG_ERROR_UNKNOWN_KEY,
                           "config '%s': unknown key '%s' in [%s] (known: %s)", path, names[n],
                           groups[g], list->str);
              return false;
            }
        }
    }

  /* The values; nothing of this file is kept unless all of them are good. */
  char *values[N_KEYS] = { 0 };
  bool ok = true;
  g_autofree char *dir = g_path_get_dirname (path);
  for (size_t k = 0; ok && k < N_KEYS; k++)
    {
      if (!g_key_file_has_key (file, keys[k].group, keys[k].key, NULL))
        continue;
      g_autofree char *value = g_key_file_get_string (file, keys[k].group, keys[k].key, &local);
      if (value == NULL)
        {
          g_set_error (error, PS_CONFIG_ERROR, PS_CONFIG_ERROR_INVALID_VALUE,
                       "config '%s': [%s] %s: %s", path, keys[k].group, keys[k].key,
                       local->message);
          ok = false;
          break;
        }
      g_strstrip (value);
      if (value[0] == '\0')
        continue;     /* "key=" unsets nothing: an earlier file's value stays */
      if (!check_value (path, (Key) k, value, error))
        {
          ok = false;
          break;
        }
      values[k] = keys[k].path && !g_path_is_absolute (value)
                    ? g_build_filename (dir, value, NULL)
                    : g_steal_pointer (&value);
    }
  if (!ok)
    {
      for (size_t k = 0; k < N_KEYS; k++)
        g_free (values[k]);
      return false;
    }
  for (size_t k = 0; k < N_KEYS; k++)
    if (values[k] != NULL)
      {
        g_free (config->settings[k].value);
        g_free (config->settings[k].file);
        config->settings[k].value = values[k];
        config->settings[k].file = g_strdup (path);
      }
  config->files->pdata[config->files->len - 1] = g_strdup (path);
  g_ptr_array_add (config->files, NULL);
  return true;
}

PsConfig *
ps_config_load_default (GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (PsConfig) config = ps_config_new ();
  const char *sysconf = g_getenv ("PHOTOSHEET_SYSCONFDIR");
  g_autofree char *system = g_build_filename (sysconf != NULL && *sysconf != '\0' ? sysconf
                                                                                   : "/etc",
                                              "photosheet", "photosheet.conf", NULL);
  g_autofree char *user = g_build_filename (g_get_user_config_dir (), "photosheet",
                                            "photosheet.conf", NULL);
  if (!ps_config_load_file (config, system, false, error)
      || !ps_config_load_file (config, user, false, error))
    return NULL;
  return g_steal_pointer (&config);
}

const char *const *
ps_config_get_files (const PsConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  return (const char *const *) config->files->pdata;
}

static const char *
get (const PsConfig *config, Key k)
{
  g_return_val_if_fail (config != NULL, NULL);
  return config->settings[k].value;
}

const char *
ps_config_get_printer (const PsConfig *config)
{
  return get (config, KEY_PRINTER);
}

const char *
ps_config_get_server (const PsConfig *config)
{
  return get (config, KEY_SERVER);
}

const char *
ps_config_get_media_type (const PsConfig *config)
{
  return get (config, KEY_MEDIA_TYPE);
}

const char *
ps_config_get_profile (const PsConfig *config)
{
  return get (config, KEY_PROFILE);
}

const char *
ps_config_get_layout (const PsConfig *config)
{
  return get (config, KEY_LAYOUT);
}

const char *
ps_config_get_hot_folder (const PsConfig *config)
{
  return get (config, KEY_HOT_FOLDER);
}

bool
ps_config_get_intent (const PsConfig *config, PsIntent *intent)
{
  const char *value = get (config, KEY_INTENT);
  return value != NULL && ps_color_intent_from_string (value, intent);
}

bool
ps_config_get_export_format (const PsConfig *config, PsExportFormat *format)
{
  const char *value = get (config, KEY_FORMAT);
  return value != NULL && ps_export_format_from_string (value, format);
}

int
ps_config_get_copies (const PsConfig *config)
{
  const char *value = get (config, KEY_COPIES);
  return value != NULL ? atoi (value) : 0;
}
