/* ps-queue.c - print queues through the CUPS destinations API (no PPD API).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One PsQueue holds one connection to one CUPS server, the destination and
 * its capabilities (cups_dinfo_t).  Every libcups handle lives in the
 * PsQueue; libcups' own error state is per thread, so it is read right after
 * each call.  Nothing is printed: every failure becomes a PS_QUEUE_ERROR.
 */
#include "config.h"
#include "ps-queue-private.h"

#include <cups/cups.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PS_QUEUE_CONNECT_MSEC   5000    /* connect timeout */
#define PS_QUEUE_IO_TIMEOUT     30.0    /* seconds without progress on a request */
#define PS_QUEUE_CHUNK          (64 * 1024)
#define PS_QUEUE_MEDIA_SLACK    100     /* hundredths of mm: 1 mm */

G_DEFINE_QUARK (ps-queue-error-quark, ps_queue_error)

struct _PsQueue {
  char         *printer;      /* destination name as CUPS reports it */
  char         *server;       /* "host:port" (or socket path), for messages */
  char         *printer_uri;  /* for Get-Jobs / Get-Job-Attributes */
  http_t       *http;         /* connection to the CUPS server */
  cups_dest_t  *dest;         /* from cupsGetNamedDest() */
  cups_dinfo_t *dinfo;        /* from cupsCopyDestInfo() */
};

/* Debian 12 ships libcups 2.4, where the 2.5 names do not exist yet. */
static ipp_status_t
queue_last_status (void)
{
#if HAVE_CUPSGETERRORSTRING
  return cupsGetError ();
#else
  return cupsLastError ();
#endif
}

static const char *
queue_last_message (void)
{
#if HAVE_CUPSGETERRORSTRING
  const char *message = cupsGetErrorString ();
#else
  const char *message = cupsLastErrorString ();
#endif
  return message != NULL && *message != '\0' ? message : ippErrorString (queue_last_status ());
}

/* A request that failed before an IPP answer came back: the server, not the
 * printer, is the problem. */
static bool
queue_status_is_transport (ipp_status_t status)
{
  return status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || status == IPP_STATUS_ERROR_INTERNAL;
}

/* Splits "host:port", "[v6]:port", "host" or "/socket/path". */
static void
queue_parse_server (const char *server, char **host, int *port)
{
  *port = ippPort ();
  if (server[0] == '/')
    {
      *host = g_strdup (server);
      return;
    }
  if (server[0] == '[')
    {
      const char *end = strchr (server, ']');
      if (end != NULL)
        {
          *host = g_strndup (server + 1, (gsize) (end - server - 1));
          if (end[1] == ':' && g_ascii_isdigit (end[2]))
            *port = atoi (end + 2);
          return;
        }
    }
  const char *colon = strrchr (server, ':');
  if (colon != NULL && colon == strchr (server, ':') && g_ascii_isdigit (colon[1]))
    {
      *host = g_strndup (server, (gsize) (colon - server));
      *port = atoi (colon + 1);
      return;
    }
  *host = g_strdup (server);
}

static char *
queue_format_server (const char *host, int port)
{
  if (host[0] == '/')
    return g_strdup (host);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%d", host, port);
  return g_strdup_printf ("%s:%d", host, port);
}

/* "a, b, c" of the queues on the server, or "none". */
static char *
queue_list_destinations (http_t *http)
{
  cups_dest_t *dests = NULL;
  int n_dests = cupsGetDests2 (http, &dests);
  g_autoptr (GString) list = g_string_new (NULL);
  for (int i = 0; i < n_dests; i++)
    {
      if (dests[i].instance != NULL)
        continue;
      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, dests[i].name);
    }
  cupsFreeDests (n_dests, dests);
  if (list->len == 0)
    g_string_append (list, "none");
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* libcups 2.4's cupsCopyDestInfo() compares the connection's host and port
 * with the thread's default server (cupsServer(), ippPort()); when they
 * differ it takes the queue for a network device and asks cupsd for the
 * resource of the *device* URI ("/ipp/print"), which cupsd does not know.
 * So with an explicit server, make it the thread's default for this one
 * call and put the previous default back (libcups keeps it per thread). */
static cups_dinfo_t *
queue_copy_dest_info (PsQueue *queue, const char *host, int port, bool explicit_server)
{
  if (!explicit_server)
    return cupsCopyDestInfo (queue->http, queue->dest);

  g_autofree char *previous = queue_format_server (cupsServer (), ippPort ());
  g_autofree char *ours = queue_format_server (host, port);
  cupsSetServer (ours);
  cups_dinfo_t *dinfo = cupsCopyDestInfo (queue->http, queue->dest);
  cupsSetServer (previous);     /* leaves cupsLastError() alone */
  return dinfo;
}

PsQueue *
_ps_queue_open (const char *printer, const char *server, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *host = NULL;
  int port = 0;
  if (server != NULL && *server != '\0')
    queue_parse_server (server, &host, &port);
  else
    {
      /* cupsServer() strips a ":port" from CUPS_SERVER / client.conf and
       * leaves it in ippPort(). */
      host = g_strdup (cupsServer ());
      port = ippPort ();
    }

  g_autoptr (PsQueue) queue = g_new0 (PsQueue, 1);
  queue->server = queue_format_server (host, port);

  /* Resolve now, connect below with our own timeout (msec 0 = no connect),
   * so an unreachable server fails in seconds and with errno's words. */
  queue->http = httpConnect2 (host, port, NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 0,
                              NULL);
  if (queue->http == NULL)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SERVER,
                   "cannot reach CUPS server '%s': %s", queue->server, queue_last_message ());
      return NULL;
    }
  if (httpReconnect2 (queue->http, PS_QUEUE_CONNECT_MSEC, NULL) != 0)
    {
      /* libcups reports a refused connection as EHOSTDOWN ("Host is
       * down"), which reads as if the machine were off. */
      int err = httpError (queue->http);
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SERVER,
                   "cannot reach CUPS server '%s': %s", queue->server,
                   err == EHOSTDOWN ? "connection refused or host down"
                                    : g_strerror (err != 0 ? err : ETIMEDOUT));
      return NULL;
    }
  /* A server that accepted the connection but stops answering must not
   * hang us: no callback = give up after the timeout. */
  httpSetTimeout (queue->http, PS_QUEUE_IO_TIMEOUT, NULL, NULL);

  queue->dest = cupsGetNamedDest (queue->http, printer, NULL);
  if (queue->dest == NULL)
    {
      ipp_status_t status = queue_last_status ();
      if (queue_status_is_transport (status))
        {
          g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SERVER,
                       "cannot reach CUPS server '%s': %s", queue->server, queue_last_message ());
          return NULL;
        }
      g_autofree char *available = queue_list_destinations (queue->http);
      if (printer != NULL)
        g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_NO_PRINTER,
                     "no printer queue '%s' on server '%s' (queues: %s)", printer, queue->server,
                     available);
      else
        g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_NO_PRINTER,
                     "no default printer queue on server '%s' (queues: %s)", queue->server,
                     available);
      return NULL;
    }
  queue->printer = g_strdup (queue->dest->name);

  queue->dinfo = queue_copy_dest_info (queue, host, port, server != NULL && *server != '\0');
  if (queue->dinfo == NULL)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SERVER,
                   "cannot get the capabilities of printer '%s' on server '%s': %s",
                   queue->printer, queue->server, queue_last_message ());
      return NULL;
    }

  /* The URI the jobs requests go to.  cupsd only looks at its path. */
  const char *uri = cupsGetOption ("printer-uri-supported", queue->dest->num_options,
                                   queue->dest->options);
  if (uri != NULL)
    queue->printer_uri = g_strdup (uri);
  else
    {
      char buffer[HTTP_MAX_URI];
      httpAssembleURIf (HTTP_URI_CODING_ALL, buffer, sizeof buffer, "ipp", NULL, "localhost",
                        ippPort (), "/printers/%s", queue->printer);
      queue->printer_uri = g_strdup (buffer);
    }

  return g_steal_pointer (&queue);
}

void
_ps_queue_free (PsQueue *queue)
{
  if (queue == NULL)
    return;
  g_clear_pointer (&queue->dinfo, cupsFreeDestInfo);
  if (queue->dest != NULL)
    cupsFreeDests (1, queue->dest);
  g_clear_pointer (&queue->http, httpClose);
  g_free (queue->printer);
  g_free (queue->server);
  g_free (queue->printer_uri);
  g_free (queue);
}

/* ------------------------------------------------------------------ */
/* Media                                                              */
/* ------------------------------------------------------------------ */

static bool
queue_size_matches (const cups_size_t *size, int width, int length)
{
  return (abs (size->width - width) <= PS_QUEUE_MEDIA_SLACK
          && abs (size->length - length) <= PS_QUEUE_MEDIA_SLACK)
         || (abs (size->width - length) <= PS_QUEUE_MEDIA_SLACK
             && abs (size->length - width) <= PS_QUEUE_MEDIA_SLACK);
}

bool
_ps_queue_check_media (PsQueue *queue, const char *pwg_media, double width, double height,
                       GError **error)
{
  g_return_val_if_fail (queue != NULL, false);
  g_return_val_if_fail (pwg_media != NULL || (width > 0 && height > 0), false);

  /* The name first: an exact media-supported value. */
  if (pwg_media != NULL
      && cupsCheckDestSupported (queue->http, queue->dest, queue->dinfo, CUPS_MEDIA, pwg_media))
    return true;

  /* Then the size, within 1 mm either way round (102 x 152 mm is 4x6in). */
  int want_width = 0, want_length = 0;     /* hundredths of mm */
  if (width > 0 && height > 0)
    {
      want_width = (int) lround (width * 2540.0 / 72.0);
      want_length = (int) lround (height * 2540.0 / 72.0);
    }
  else
    {
      pwg_media_t *known = pwgMediaForPWG (pwg_media);
      if (known != NULL)
        {
          want_width = known->width;
          want_length = known->length;
        }
    }

  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int count = cupsGetDestMediaCount (queue->http, queue->dest, queue->dinfo,
                                     CUPS_MEDIA_FLAGS_DEFAULT);
  for (int i = 0; i < count; i++)
    {
      cups_size_t size;
      if (!cupsGetDestMediaByIndex (queue->http, queue->dest, queue->dinfo, i,
                                    CUPS_MEDIA_FLAGS_DEFAULT, &size))
        continue;
      if (want_width > 0 && queue_size_matches (&size, want_width, want_length))
        return true;
      /* List each size once by its PWG name: cupsd reports media keys
       * such as "na_index-4x6_4x6in_borderless". */
      pwg_media_t *pwg = pwgMediaForSize (size.width, size.length);
      const char *name = pwg != NULL ? pwg->pwg : size.media;
      bool seen = false;
      for (guint j = 0; j < names->len && !seen; j++)
        seen = strcmp (names->pdata[j], name) == 0;
      if (!seen)
        g_ptr_array_add (names, g_strdup (name));
    }

  g_autoptr (GString) list = g_string_new (NULL);
  for (guint j = 0; j < names->len; j++)
    g_string_append_printf (list, "%s%s", j > 0 ? ", " : "", (char *) names->pdata[j]);
  if (names->len == 0)
    g_string_append (list, "no media sizes at all");

  g_autofree char *wanted = NULL;
  if (want_width > 0)
    wanted = g_strdup_printf ("%.1f x %.1f mm", want_width / 100.0, want_length / 100.0);
  if (wanted != NULL && pwg_media != NULL)
    g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_MEDIA,
                 "printer '%s' has no %s media (%s); it has: %s", queue->printer, wanted,
                 pwg_media, list->str);
  else
    g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_MEDIA,
                 "printer '%s' has no %s media; it has: %s", queue->printer,
                 wanted != NULL ? wanted : pwg_media, list->str);
  return false;
}

/* ------------------------------------------------------------------ */
/* Jobs                                                               */
/* ------------------------------------------------------------------ */

int
_ps_queue_submit (PsQueue *queue, const char *title, const char *pdf_path,
                  PsDocumentFormat format, const char *media, char *const *options,
                  GError **error)
{
  g_return_val_if_fail (queue != NULL, 0);
  g_return_val_if_fail (title != NULL && pdf_path != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  int fd = open (pdf_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT, "cannot open '%s': %s",
                   pdf_path, g_strerror (err));
      return 0;
    }

  /* Built-in options.  The pages are already in the printer's space (our
   * lcms2 transform) and at their final size, so:
   * - print-scaling=none: no fit-to-page, the sheet is the media size;
   * - print-color-mode=color: no grey conversion;
   * - cm-calibration: cups-filters (pdftoraster, gstoraster, pdftopdf's
   *   colour paths, imagetoraster; 1.x colormanager.c and libcupsfilters
   *   2.x cfCmGetCupsColorCalibrateMode) turns its own ICC/colord colour
   *   management off when this option is present - whatever its value,
   *   they only test for presence, so never send it to mean "off".  This
   *   is the option darktable sends after its own conversion
   *   (dt_cups_set_color_options, and darktable PR #20721 for the bug
   *   when it was missing).  CUPS itself has no IPP attribute for it. */
  cups_option_t *opts = NULL;
  int n_opts = 0;
  if (media != NULL && *media != '\0')
    n_opts = cupsAddOption (CUPS_MEDIA, media, n_opts, &opts);
  n_opts = cupsAddOption ("print-scaling", "none", n_opts, &opts);
  n_opts = cupsAddOption (CUPS_PRINT_COLOR_MODE, "color", n_opts, &opts);
  n_opts = cupsAddOption ("cm-calibration", "true", n_opts, &opts);
  for (size_t i = 0; options != NULL && options[i] != NULL; i++)
    n_opts = cupsParseOptions (options[i], n_opts, &opts);

  int job_id = 0;
  ipp_status_t status = cupsCreateDestJob (queue->http, queue->dest, queue->dinfo, &job_id,
                                           title, n_opts, opts);
  cupsFreeOptions (n_opts, opts);
  if (status > IPP_STATUS_OK_CONFLICTING || job_id <= 0)
    {
      g_set_error (error, PS_QUEUE_ERROR,
                   queue_status_is_transport (status) ? PS_QUEUE_ERROR_SERVER
                                                      : PS_QUEUE_ERROR_SUBMIT,
                   "printer '%s' refused job '%s': %s", queue->printer, title,
                   queue_last_message ());
      close (fd);
      return 0;
    }

  g_autofree char *doc_name = g_path_get_basename (pdf_path);
  http_status_t http_status = cupsStartDestDocument (queue->http, queue->dest, queue->dinfo,
                                                     job_id, doc_name,
                                                     _ps_queue_format_mime (format), 0, NULL,
                                                     1);
  if (http_status != HTTP_STATUS_CONTINUE)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT,
                   "printer '%s' refused the document of job %d '%s': %s", queue->printer,
                   job_id, title, queue_last_message ());
      close (fd);
      cupsCancelDestJob (queue->http, queue->dest, job_id);
      return 0;
    }

  /* Stream the file; on a read or write error still finish the request
   * (it reads the server's answer) and then cancel the half-sent job. */
  g_autofree char *buffer = g_malloc (PS_QUEUE_CHUNK);
  g_autofree char *failure = NULL;
  for (;;)
    {
      ssize_t n = read (fd, buffer, PS_QUEUE_CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int err = errno;
          failure = g_strdup_printf ("cannot read '%s': %s", pdf_path, g_strerror (err));
          break;
        }
      if (n == 0)
        break;
      if (cupsWriteRequestData (queue->http, buffer, (size_t) n) != HTTP_STATUS_CONTINUE)
        {
          failure = g_strdup_printf ("printer '%s': sending job %d '%s' failed: %s",
                                     queue->printer, job_id, title, queue_last_message ());
          break;
        }
    }
  close (fd);

  status = cupsFinishDestDocument (queue->http, queue->dest, queue->dinfo);
  if (failure == NULL && status > IPP_STATUS_OK_CONFLICTING)
    failure = g_strdup_printf ("printer '%s' refused the document of job %d '%s': %s",
                               queue->printer, job_id, title, queue_last_message ());
  if (failure != NULL)
    {
      g_set_error_literal (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT, failure);
      cupsCancelDestJob (queue->http, queue->dest, job_id);
      return 0;
    }
  return job_id;
}

/* Sends @request (consumed) to the server; NULL with a PS_QUEUE_ERROR when
 * there is no answer or an error status. */
static ipp_t *
queue_do_request (PsQueue *queue, ipp_t *request, const char *what, GError **error)
{
  ipp_t *response = cupsDoRequest (queue->http, request, "/");
  ipp_status_t status = queue_last_status ();
  if (response != NULL && status <= IPP_STATUS_OK_CONFLICTING)
    return response;
  ippDelete (response);

  PsQueueError code = PS_QUEUE_ERROR_FAILED;
  if (status == IPP_STATUS_ERROR_NOT_FOUND)
    code = PS_QUEUE_ERROR_JOB;
  else if (response == NULL && queue_status_is_transport (status))
    code = PS_QUEUE_ERROR_SERVER;
  g_set_error (error, PS_QUEUE_ERROR, code, "printer '%s' on server '%s': %s: %s",
               queue->printer, queue->server, what, queue_last_message ());
  return NULL;
}

static ipp_t *
queue_new_request (PsQueue *queue, ipp_op_t op)
{
  ipp_t *request = ippNewRequest (op);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, queue->printer_uri);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
                cupsUser ());
  return request;
}

int
_ps_queue_find_job (PsQueue *queue, const char *title, GError **error)
{
  g_return_val_if_fail (queue != NULL && title != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  static const char *const requested[] = { "job-id", "job-name", "job-state" };
  ipp_t *request = queue_new_request (queue, IPP_OP_GET_JOBS);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "all");
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 (int) G_N_ELEMENTS (requested), NULL, requested);
  g_autoptr (GError) local = NULL;
  ipp_t *response = queue_do_request (queue, request, "cannot list jobs", &local);
  if (response == NULL)
    {
      /* a queue that never had a job may answer not-found */
      if (g_error_matches (local, PS_QUEUE_ERROR, PS_QUEUE_ERROR_JOB))
        return 0;
      g_propagate_error (error, g_steal_pointer (&local));
      return 0;
    }

  /* Jobs come as groups of job attributes separated by a separator
   * (group tag zero); keep the highest id among the jobs named @title. */
  int newest = 0;
  int id = 0;
  bool named = false;
  for (ipp_attribute_t *attr = ippFirstAttribute (response);; attr = ippNextAttribute (response))
    {
      if (attr == NULL || ippGetGroupTag (attr) != IPP_TAG_JOB)
        {
          if (named && id > newest)
            newest = id;
          id = 0;
          named = false;
          if (attr == NULL)
            break;
          continue;
        }
      const char *name = ippGetName (attr);
      if (name == NULL)
        continue;
      if (strcmp (name, "job-id") == 0 && ippGetValueTag (attr) == IPP_TAG_INTEGER)
        id = ippGetInteger (attr, 0);
      else if (strcmp (name, "job-name") == 0)
        {
          const char *value = ippGetString (attr, 0, NULL);
          named = value != NULL && strcmp (value, title) == 0;
        }
    }
  ippDelete (response);
  return newest;
}

static bool
queue_state_from_ipp (int ipp_state, PsJobState *state)
{
  switch (ipp_state)
    {
    case IPP_JSTATE_PENDING:    *state = PS_JOB_PENDING;    return true;
    case IPP_JSTATE_HELD:       *state = PS_JOB_HELD;       return true;
    case IPP_JSTATE_PROCESSING: *state = PS_JOB_PROCESSING; return true;
    case IPP_JSTATE_STOPPED:    *state = PS_JOB_STOPPED;    return true;
    case IPP_JSTATE_CANCELED:   *state = PS_JOB_CANCELED;   return true;
    case IPP_JSTATE_ABORTED:    *state = PS_JOB_ABORTED;    return true;
    case IPP_JSTATE_COMPLETED:  *state = PS_JOB_COMPLETED;  return true;
    default:                    return false;
    }
}

bool
_ps_queue_get_job_state (PsQueue *queue, int job_id, PsJobState *state, char **reason,
                         GError **error)
{
  g_return_val_if_fail (queue != NULL && job_id > 0 && state != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  static const char *const requested[] = {
    "job-state", "job-state-reasons", "job-printer-state-message",
  };
  ipp_t *request = queue_new_request (queue, IPP_OP_GET_JOB_ATTRIBUTES);
  ippAddInteger (request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 (int) G_N_ELEMENTS (requested), NULL, requested);
  g_autofree char *what = g_strdup_printf ("cannot get the state of job %d", job_id);
  ipp_t *response = queue_do_request (queue, request, what, error);
  if (response == NULL)
    return false;

  ipp_attribute_t *attr = ippFindAttribute (response, "job-state", IPP_TAG_ENUM);
  int ipp_state = attr != NULL ? ippGetInteger (attr, 0) : 0;
  if (!queue_state_from_ipp (ipp_state, state))
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_FAILED,
                   "printer '%s': job %d has no valid job-state (%d)", queue->printer, job_id,
                   ipp_state);
      ippDelete (response);
      return false;
    }

  if (reason != NULL)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      attr = ippFindAttribute (response, "job-state-reasons", IPP_TAG_KEYWORD);
      for (int i = 0; attr != NULL && i < ippGetCount (attr); i++)
        {
          const char *value = ippGetString (attr, i, NULL);
          if (value == NULL || strcmp (value, "none") == 0)
            continue;
          g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "", value);
        }
      attr = ippFindAttribute (response, "job-printer-state-message", IPP_TAG_TEXT);
      const char *message = attr != NULL ? ippGetString (attr, 0, NULL) : NULL;
      if (message != NULL && *message != '\0')
        g_string_append_printf (text, "%s%s", text->len > 0 ? "; " : "", message);
      *reason = text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
    }

  ippDelete (response);
  return true;
}

/* ------------------------------------------------------------------ */
/* Document formats                                                   */
/* ------------------------------------------------------------------ */

const char *
_ps_queue_format_mime (PsDocumentFormat format)
{
  return format == PS_DOCUMENT_PWG_RASTER ? "image/pwg-raster" : CUPS_FORMAT_PDF;
}

/* PWG 5102.4 type of a device space, and the cupsColorSpace CUPS's IPP
 * Everywhere PPDs give it. */
static const char *
queue_pwg_type (PsDeviceSpace space, int *cups_space)
{
  switch (space)
    {
    case PS_DEVICE_CMYK:
      *cups_space = 6;     /* CUPS_CSPACE_CMYK */
      return "cmyk_8";
    case PS_DEVICE_RGB:
      *cups_space = 1;     /* CUPS_CSPACE_RGB: device RGB */
      return "rgb_8";
    default:
      *cups_space = 19;    /* CUPS_CSPACE_SRGB */
      return "srgb_8";
    }
}

/* What a CUPS 2.x queue does with PWG raster is in the PPD it generated
 * for the printer, not in its IPP attributes (cupsd reports the fixed
 * pwg-raster-document-type-supported black_1,sgray_8,srgb_8 of its own
 * filters for every colour queue).  The PPD says whether PWG raster goes
 * to the device untouched (a "-" filter from image/pwg-raster) and which
 * colour spaces and resolutions the device takes (ColorModel /
 * HWResolution).  Read as text from the server - no PPD API. */
static bool
queue_ppd_takes_pwg (PsQueue *queue, int cups_space, int dpi, char **why)
{
  g_autofree char *resource = g_strdup_printf ("/printers/%s.ppd", queue->printer);
  g_autofree char *tmp = NULL;
  int fd = g_file_open_tmp ("photosheet-ppd-XXXXXX", &tmp, NULL);
  if (fd < 0)
    return false;
  http_status_t status = cupsGetFd (queue->http, resource, fd);
  close (fd);
  g_autofree char *ppd = NULL;
  bool read = status == HTTP_STATUS_OK && g_file_get_contents (tmp, &ppd, NULL, NULL);
  g_unlink (tmp);
  if (!read)
    {
      *why = g_strdup_printf ("no PPD for queue '%s' (a class or a raw queue)", queue->printer);
      return false;
    }

  bool passthrough = false, space = false, any_resolution = false, resolution = false;
  g_auto (GStrv) lines = g_strsplit (ppd, "\n", -1);
  g_autofree char *wanted_space = g_strdup_printf ("/cupsColorSpace %d/cupsBitsPerColor 8/", cups_space);
  g_autofree char *wanted_res = g_strdup_printf ("HWResolution[%d %d]", dpi, dpi);
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      if (g_str_has_prefix (l, "*cupsFilter2:") && strstr (l, "\"image/pwg-raster ") != NULL)
        {
          /* "src dst cost program": passed through when program is "-". */
          g_auto (GStrv) f = g_strsplit_set (strchr (l, '"') + 1, " \"", -1);
          size_t n = g_strv_length (f);
          while (n > 0 && f[n - 1][0] == '\0')
            n--;
          passthrough |= n == 4 && strcmp (f[0], "image/pwg-raster") == 0 && strcmp (f[3], "-") == 0;
        }
      else if (g_str_has_prefix (l, "*ColorModel ") && strstr (l, wanted_space) != NULL)
        space = true;
      else if (strstr (l, "HWResolution[") != NULL)
        {
          any_resolution = true;
          resolution |= strstr (l, wanted_res) != NULL;
        }
    }
  if (!passthrough)
    *why = g_strdup_printf ("queue '%s' converts PWG raster (no pass-through filter)", queue->printer);
  else if (!space)
    *why = g_strdup_printf ("the device of queue '%s' takes no colour space %d raster",
                            queue->printer, cups_space);
  else if (any_resolution && !resolution)
    *why = g_strdup_printf ("the device of queue '%s' takes no %d dpi raster", queue->printer, dpi);
  return passthrough && space && (resolution || !any_resolution);
}

/* The same from the IPP attributes of a destination that is no CUPS 2.x
 * queue (an IPP Everywhere printer or proxy reports its own). */
static bool
queue_ipp_takes_pwg (PsQueue *queue, const char *type, int dpi, char **why)
{
  ipp_attribute_t *types = cupsFindDestSupported (queue->http, queue->dest, queue->dinfo,
                                                  "pwg-raster-document-type");
  ipp_attribute_t *res = cupsFindDestSupported (queue->http, queue->dest, queue->dinfo,
                                                "pwg-raster-document-resolution");
  if (types == NULL || !ippContainsString (types, type))
    {
      *why = g_strdup_printf ("printer '%s' takes no %s PWG raster", queue->printer, type);
      return false;
    }
  for (int i = 0; res != NULL && i < ippGetCount (res); i++)
    {
      ipp_res_t units;
      int y = 0, x = ippGetResolution (res, i, &y, &units);
      if (units == IPP_RES_PER_INCH && x == dpi && y == dpi)
        return true;
    }
  if (res == NULL)
    return true;
  *why = g_strdup_printf ("printer '%s' takes no %d dpi PWG raster", queue->printer, dpi);
  return false;
}

bool
_ps_queue_choose_format (PsQueue *queue, PsDeviceSpace space, int dpi, PsDocumentFormat *format,
                         char **why, GError **error)
{
  g_return_val_if_fail (queue != NULL && format != NULL, false);

  ipp_attribute_t *formats = cupsFindDestSupported (queue->http, queue->dest, queue->dinfo,
                                                    "document-format");
  bool pdf = formats != NULL && ippContainsString (formats, CUPS_FORMAT_PDF);
  bool pwg = formats != NULL && ippContainsString (formats, "image/pwg-raster");
  int cups_space = 0;
  const char *type = queue_pwg_type (space, &cups_space);
  g_autofree char *reason = NULL;
  /* cupsd marks its queues with printer-type; others speak for their device. */
  bool cups_queue = cupsGetOption ("printer-type", queue->dest->num_options,
                                   queue->dest->options) != NULL;

  if (pwg && (cups_queue ? queue_ppd_takes_pwg (queue, cups_space, dpi, &reason)
                         : queue_ipp_takes_pwg (queue, type, dpi, &reason)))
    {
      *format = PS_DOCUMENT_PWG_RASTER;
      if (why != NULL)
        *why = g_strdup_printf ("image/pwg-raster %s at %d dpi: printer '%s' takes it as it is",
                                type, dpi, queue->printer);
      return true;
    }
  if (pdf)
    {
      *format = PS_DOCUMENT_PDF;
      if (why != NULL)
        *why = g_strdup_printf ("application/pdf in the device space%s%s",
                                reason != NULL ? ": " : "", reason != NULL ? reason : "");
      return true;
    }
  g_autoptr (GString) list = g_string_new (NULL);
  for (int i = 0; formats != NULL && i < ippGetCount (formats); i++)
    g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", ippGetString (formats, i, NULL));
  g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_FORMAT,
               "printer '%s' takes neither image/pwg-raster in %s at %d dpi nor application/pdf "
               "(it takes: %s)%s%s: the colour-managed pages cannot reach it, nothing was sent",
               queue->printer, type, dpi, list->len > 0 ? list->str : "nothing",
               reason != NULL ? "; " : "", reason != NULL ? reason : "");
  return false;
}
