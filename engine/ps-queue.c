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
  bool          is_class;     /* printer-type has CUPS_PRINTER_CLASS */
  char        **members;      /* member-names of a class; empty otherwise */
  bool          ready;        /* accepting jobs and not stopped, when opened */
  gint64        clock_offset; /* seconds: server clock - ours (printer-current-time) */
  char         *server_arg;   /* the server as given, NULL = the default: for the members */
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

/* What went wrong with the last request, for a message: libcups may leave
 * a stale "successful-ok" behind when the connection broke. */
static const char *
queue_failure_message (http_t *http)
{
  const char *message = queue_last_status () > IPP_STATUS_OK_CONFLICTING ? queue_last_message ()
                                                                         : NULL;
  if (message != NULL && strcmp (message, "Success") != 0)
    return message;
  int err = http != NULL ? httpError (http) : 0;
  return err != 0 ? g_strerror (err) : "no answer: the connection was closed";
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

static ipp_t *queue_do_request (PsQueue *queue, ipp_t *request, const char *what,
                                GError **error);
static ipp_t *queue_new_request (PsQueue *queue, ipp_op_t op);

/* What the destination is: a class and its members, whether it takes jobs,
 * and the server's clock (for the time window of a job found by name). */
static bool
queue_read_printer (PsQueue *queue, GError **error)
{
  static const char *const requested[] = {
    "printer-type", "member-names", "printer-is-accepting-jobs", "printer-state",
    "printer-current-time",
  };
  ipp_t *request = queue_new_request (queue, IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 (int) G_N_ELEMENTS (requested), NULL, requested);
  gint64 before = g_get_real_time ();
  ipp_t *response = queue_do_request (queue, request, "cannot get the printer's attributes",
                                      error);
  if (response == NULL)
    return false;
  gint64 after = g_get_real_time ();

  ipp_attribute_t *attr = ippFindAttribute (response, "printer-type", IPP_TAG_ENUM);
  queue->is_class = attr != NULL && (ippGetInteger (attr, 0) & CUPS_PRINTER_CLASS) != 0;
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (g_free);
  attr = ippFindAttribute (response, "member-names", IPP_TAG_NAME);
  for (int i = 0; queue->is_class && attr != NULL && i < ippGetCount (attr); i++)
    {
      const char *name = ippGetString (attr, i, NULL);
      if (name != NULL && *name != '\0')
        g_ptr_array_add (members, g_strdup (name));
    }
  g_ptr_array_add (members, NULL);
  queue->members = (char **) g_ptr_array_free (g_steal_pointer (&members), FALSE);

  attr = ippFindAttribute (response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
  bool accepting = attr == NULL || ippGetBoolean (attr, 0);
  attr = ippFindAttribute (response, "printer-state", IPP_TAG_ENUM);
  bool stopped = attr != NULL && ippGetInteger (attr, 0) == IPP_PSTATE_STOPPED;
  queue->ready = accepting && !stopped;

  attr = ippFindAttribute (response, "printer-current-time", IPP_TAG_DATE);
  if (attr != NULL)
    {
      time_t server_now = ippDateToTime (ippGetDate (attr, 0));
      gint64 ours = (before + after) / 2 / G_USEC_PER_SEC;
      queue->clock_offset = (gint64) server_now - ours;
    }
  ippDelete (response);
  return true;
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
  queue->server_arg = server != NULL && *server != '\0' ? g_strdup (server) : NULL;

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

  if (!queue_read_printer (queue, error))
    return NULL;
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
  g_strfreev (queue->members);
  g_free (queue->server_arg);
  g_free (queue);
}

const char *
_ps_queue_get_name (const PsQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  return queue->printer;
}

const char *
_ps_queue_get_server (const PsQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  return queue->server;
}

bool
_ps_queue_is_class (const PsQueue *queue)
{
  g_return_val_if_fail (queue != NULL, false);
  return queue->is_class;
}

char **
_ps_queue_dup_members (const PsQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  return g_strdupv (queue->members);
}

bool
_ps_queue_is_ready (const PsQueue *queue)
{
  g_return_val_if_fail (queue != NULL, false);
  return queue->ready;
}

gint64
_ps_queue_to_server_time (const PsQueue *queue, gint64 local_usec)
{
  g_return_val_if_fail (queue != NULL, 0);
  return local_usec / G_USEC_PER_SEC + queue->clock_offset;
}

void
_ps_queue_job_clear (PsQueueJob *job)
{
  if (job == NULL)
    return;
  g_free (job->name);
  g_free (job->uuid);
  g_free (job->user);
  g_free (job->reason);
  g_free (job->printed_by);
  memset (job, 0, sizeof *job);
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

/* A class has no media of its own (cupsd lists none): each member must have
 * the sheet, checked through the member's own destination info. */
static bool
queue_check_members (PsQueue *queue, const char *pwg_media, double width, double height,
                     const char *media_type, GError **error)
{
  if (queue->members[0] == NULL)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_NO_PRINTER,
                   "class '%s' on server '%s' has no member printers", queue->printer,
                   queue->server);
      return false;
    }
  for (size_t i = 0; queue->members[i] != NULL; i++)
    {
      g_autoptr (PsQueue) member = _ps_queue_open (queue->members[i], queue->server_arg, error);
      bool ok = member != NULL
                && (media_type != NULL
                      ? _ps_queue_check_media_type (member, media_type, error)
                      : _ps_queue_check_media (member, pwg_media, width, height, error));
      if (!ok)
        {
          g_prefix_error (error, "class '%s': ", queue->printer);
          return false;
        }
    }
  return true;
}

bool
_ps_queue_check_media (PsQueue *queue, const char *pwg_media, double width, double height,
                       GError **error)
{
  g_return_val_if_fail (queue != NULL, false);
  g_return_val_if_fail (pwg_media != NULL || (width > 0 && height > 0), false);

  if (queue->is_class)
    return queue_check_members (queue, pwg_media, width, height, NULL, error);

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

bool
_ps_queue_check_media_type (PsQueue *queue, const char *media_type, GError **error)
{
  g_return_val_if_fail (queue != NULL && media_type != NULL, false);

  if (queue->is_class)
    return queue_check_members (queue, NULL, 0, 0, media_type, error);
  if (cupsCheckDestSupported (queue->http, queue->dest, queue->dinfo, CUPS_MEDIA_TYPE,
                              media_type))
    return true;

  ipp_attribute_t *attr = cupsFindDestSupported (queue->http, queue->dest, queue->dinfo,
                                                 CUPS_MEDIA_TYPE);
  g_autoptr (GString) list = g_string_new (NULL);
  for (int i = 0; attr != NULL && i < ippGetCount (attr); i++)
    {
      const char *value = ippGetString (attr, i, NULL);
      if (value != NULL)
        g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", value);
    }
  if (list->len == 0)
    g_string_append (list, "no media types at all");
  g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_MEDIA,
               "printer '%s' has no media type '%s'; it has: %s", queue->printer, media_type,
               list->str);
  return false;
}

/* ------------------------------------------------------------------ */
/* Requests                                                           */
/* ------------------------------------------------------------------ */

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

  if (response == NULL && (status <= IPP_STATUS_OK_CONFLICTING
                           || queue_status_is_transport (status)))
    {
      /* No answer at all: the connection, not the request.  libcups may
       * leave a stale "successful" status behind. */
      int err = httpError (queue->http);
      const char *why = status > IPP_STATUS_OK_CONFLICTING ? queue_last_message () : NULL;
      if (why == NULL || strcmp (why, "Success") == 0)
        why = err != 0 ? g_strerror (err) : "the connection was closed";
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SERVER,
                   "printer '%s' on server '%s': %s: no answer from the server (%s)",
                   queue->printer, queue->server, what, why);
      return NULL;
    }
  PsQueueError code = status == IPP_STATUS_ERROR_NOT_FOUND ? PS_QUEUE_ERROR_JOB
                                                           : PS_QUEUE_ERROR_FAILED;
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

/* The job attributes every lookup asks for. */
static const char *const queue_job_attributes[] = {
  "job-id", "job-name", "job-uuid", "job-originating-user-name", "time-at-creation",
  "job-state", "job-state-reasons", "job-printer-state-message", "job-printer-uri-actual",
};

/* Fills @job from one job's attributes, [@first, the end of its group).
 * Returns: the attribute after the group (NULL at the end). */
static ipp_attribute_t *
queue_read_job (ipp_t *response, ipp_attribute_t *first, PsQueueJob *job)
{
  g_autoptr (GString) reasons = g_string_new (NULL);
  const char *message = NULL;
  int ipp_state = 0;
  ipp_attribute_t *attr;
  for (attr = first; attr != NULL && ippGetGroupTag (attr) == IPP_TAG_JOB;
       attr = ippNextAttribute (response))
    {
      const char *name = ippGetName (attr);
      if (name == NULL)
        continue;
      ipp_tag_t tag = ippGetValueTag (attr);
      if (strcmp (name, "job-id") == 0 && tag == IPP_TAG_INTEGER)
        job->id = ippGetInteger (attr, 0);
      else if (strcmp (name, "job-name") == 0)
        job->name = g_strdup (ippGetString (attr, 0, NULL));
      else if (strcmp (name, "job-uuid") == 0)
        job->uuid = g_strdup (ippGetString (attr, 0, NULL));
      else if (strcmp (name, "job-originating-user-name") == 0)
        job->user = g_strdup (ippGetString (attr, 0, NULL));
      else if (strcmp (name, "time-at-creation") == 0 && tag == IPP_TAG_INTEGER)
        job->created = ippGetInteger (attr, 0);
      else if (strcmp (name, "job-state") == 0 && tag == IPP_TAG_ENUM)
        ipp_state = ippGetInteger (attr, 0);
      else if (strcmp (name, "job-state-reasons") == 0)
        for (int i = 0; i < ippGetCount (attr); i++)
          {
            const char *value = ippGetString (attr, i, NULL);
            if (value == NULL || strcmp (value, "none") == 0)
              continue;
            if (strcmp (value, "job-incoming") == 0)
              job->incoming = true;
            g_string_append_printf (reasons, "%s%s", reasons->len > 0 ? "," : "", value);
          }
      else if (strcmp (name, "job-printer-state-message") == 0)
        message = ippGetString (attr, 0, NULL);
      else if (strcmp (name, "job-printer-uri-actual") == 0)
        {
          const char *uri = ippGetString (attr, 0, NULL);
          const char *slash = uri != NULL ? strrchr (uri, '/') : NULL;
          if (slash != NULL && slash[1] != '\0')
            job->printed_by = g_uri_unescape_string (slash + 1, NULL);
        }
    }
  if (!queue_state_from_ipp (ipp_state, &job->state))
    job->state = PS_JOB_CREATED;      /* no valid state: the callers check */
  /* cupsd keeps job-incoming among the reasons of a job canceled while it
   * waited for its document: only a job that has not ended waits. */
  if (ps_job_state_is_final (job->state))
    job->incoming = false;
  if (message != NULL && *message != '\0')
    g_string_append_printf (reasons, "%s%s", reasons->len > 0 ? "; " : "", message);
  job->reason = reasons->len > 0 ? g_string_free (g_steal_pointer (&reasons), FALSE) : NULL;
  return attr;
}

/* ------------------------------------------------------------------ */
/* Submitting                                                         */
/* ------------------------------------------------------------------ */

/* The built-in options.  The pages are already in the printer's space (our
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
 *   when it was missing).  CUPS itself has no IPP attribute for it.
 * A media type (adhesive-backed glossy paper) goes with the size in one
 * media-col, the only place IPP has for it; media and media-col never go
 * together. */
static int
queue_job_options (const char *media, const char *media_type, char *const *options,
                   cups_option_t **opts)
{
  int n_opts = 0;
  pwg_media_t *size = media != NULL && *media != '\0' ? pwgMediaForPWG (media) : NULL;
  if (media_type != NULL && size != NULL)
    {
      g_autofree char *col = g_strdup_printf ("{media-size={x-dimension=%d y-dimension=%d} "
                                              "media-type=%s}", size->width, size->length,
                                              media_type);
      n_opts = cupsAddOption ("media-col", col, n_opts, opts);
    }
  else
    {
      if (media != NULL && *media != '\0')
        n_opts = cupsAddOption (CUPS_MEDIA, media, n_opts, opts);
      if (media_type != NULL)
        n_opts = cupsAddOption (CUPS_MEDIA_TYPE, media_type, n_opts, opts);
    }
  n_opts = cupsAddOption ("print-scaling", "none", n_opts, opts);
  n_opts = cupsAddOption (CUPS_PRINT_COLOR_MODE, "color", n_opts, opts);
  n_opts = cupsAddOption ("cm-calibration", "true", n_opts, opts);
  for (size_t i = 0; options != NULL && options[i] != NULL; i++)
    n_opts = cupsParseOptions (options[i], n_opts, opts);
  return n_opts;
}

/* Cancel-Job of our own: libcups 2.4's cupsCancelDestJob() asks for the
 * destination's info again, without queue_copy_dest_info()'s fix, and with
 * an explicit server sends the device's URI, which cupsd does not know. */
bool
_ps_queue_cancel_job (PsQueue *queue, int job_id, GError **error)
{
  g_return_val_if_fail (queue != NULL && job_id > 0, false);
  ipp_t *request = queue_new_request (queue, IPP_OP_CANCEL_JOB);
  ippAddInteger (request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  g_autofree char *what = g_strdup_printf ("cannot cancel job %d", job_id);
  ipp_t *response = queue_do_request (queue, request, what, error);
  if (response == NULL)
    return false;
  ippDelete (response);
  return true;
}

bool
_ps_queue_create_job (PsQueue *queue, const char *title, const char *media,
                      const char *media_type, char *const *options, PsQueueJob *job,
                      GError **error)
{
  g_return_val_if_fail (queue != NULL && title != NULL && job != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  cups_option_t *opts = NULL;
  int n_opts = queue_job_options (media, media_type, options, &opts);
  int job_id = 0;
  ipp_status_t status = cupsCreateDestJob (queue->http, queue->dest, queue->dinfo, &job_id,
                                           title, n_opts, opts);
  cupsFreeOptions (n_opts, opts);
  if (status > IPP_STATUS_OK_CONFLICTING || job_id <= 0)
    {
      g_set_error (error, PS_QUEUE_ERROR,
                   queue_status_is_transport (status) || status <= IPP_STATUS_OK_CONFLICTING
                     ? PS_QUEUE_ERROR_SERVER : PS_QUEUE_ERROR_SUBMIT,
                   "printer '%s' refused job '%s': %s", queue->printer, title,
                   queue_failure_message (queue->http));
      return false;
    }

  /* CUPS 2.4's Create-Job response has job-id and job-uri but no job-uuid
   * (newer servers add it); the job's own attributes have it, before any
   * document is sent. */
  g_autoptr (GError) local = NULL;
  if (!_ps_queue_get_job (queue, job_id, job, &local))
    {
      _ps_queue_cancel_job (queue, job_id, NULL);
      g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                  "job %d was created and canceled again: ", job_id);
      return false;
    }
  return true;
}

/* After a request broke off half way the connection is in no state for the
 * next one (the cancel that follows): a fresh one. */
static void
queue_reset (PsQueue *queue)
{
  httpFlush (queue->http);
  httpReconnect2 (queue->http, PS_QUEUE_CONNECT_MSEC, NULL);
}

bool
_ps_queue_send_document (PsQueue *queue, int job_id, const char *title, const char *path,
                         PsDocumentFormat format, GError **error)
{
  g_return_val_if_fail (queue != NULL && job_id > 0 && title != NULL && path != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT, "cannot open '%s': %s",
                   path, g_strerror (err));
      _ps_queue_cancel_job (queue, job_id, NULL);
      return false;
    }

  g_autofree char *doc_name = g_path_get_basename (path);
  http_status_t http_status = cupsStartDestDocument (queue->http, queue->dest, queue->dinfo,
                                                     job_id, doc_name,
                                                     _ps_queue_format_mime (format), 0, NULL,
                                                     1);
  if (http_status != HTTP_STATUS_CONTINUE)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT,
                   "printer '%s' refused the document of job %d '%s': %s", queue->printer,
                   job_id, title, queue_failure_message (queue->http));
      close (fd);
      queue_reset (queue);
      _ps_queue_cancel_job (queue, job_id, NULL);
      return false;
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
          failure = g_strdup_printf ("cannot read '%s': %s", path, g_strerror (err));
          break;
        }
      if (n == 0)
        break;
      if (cupsWriteRequestData (queue->http, buffer, (size_t) n) != HTTP_STATUS_CONTINUE)
        {
          failure = g_strdup_printf ("printer '%s': sending job %d '%s' failed: %s",
                                     queue->printer, job_id, title,
                                     queue_failure_message (queue->http));
          break;
        }
    }
  close (fd);

  ipp_status_t status = cupsFinishDestDocument (queue->http, queue->dest, queue->dinfo);
  if (failure == NULL && status > IPP_STATUS_OK_CONFLICTING)
    failure = g_strdup_printf ("printer '%s' refused the document of job %d '%s': %s",
                               queue->printer, job_id, title, queue_failure_message (queue->http));
  if (failure != NULL)
    {
      g_set_error_literal (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT, failure);
      queue_reset (queue);
      _ps_queue_cancel_job (queue, job_id, NULL);
      return false;
    }
  return true;
}

int
_ps_queue_submit (PsQueue *queue, const char *title, const char *path, PsDocumentFormat format,
                  const char *media, char *const *options, GError **error)
{
  g_return_val_if_fail (queue != NULL, 0);
  g_return_val_if_fail (title != NULL && path != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  /* A file that cannot be read is refused before CUPS has a job. */
  if (access (path, R_OK) != 0)
    {
      int err = errno;
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_SUBMIT, "cannot open '%s': %s",
                   path, g_strerror (err));
      return 0;
    }
  g_auto (PsQueueJob) job = { 0 };
  if (!_ps_queue_create_job (queue, title, media, NULL, options, &job, error)
      || !_ps_queue_send_document (queue, job.id, title, path, format, error))
    return 0;
  return job.id;
}

/* ------------------------------------------------------------------ */
/* Looking jobs up                                                    */
/* ------------------------------------------------------------------ */

/* Get-Jobs (which-jobs=all) of this queue: the response, NULL with the
 * error set on failure, or NULL with *@none when the queue has no job. */
static ipp_t *
queue_list_jobs (PsQueue *queue, bool *none, GError **error)
{
  *none = false;
  ipp_t *request = queue_new_request (queue, IPP_OP_GET_JOBS);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "all");
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 (int) G_N_ELEMENTS (queue_job_attributes), NULL, queue_job_attributes);
  g_autoptr (GError) local = NULL;
  ipp_t *response = queue_do_request (queue, request, "cannot list jobs", &local);
  if (response == NULL)
    {
      /* a queue that never had a job may answer not-found */
      if (g_error_matches (local, PS_QUEUE_ERROR, PS_QUEUE_ERROR_JOB))
        *none = true;
      else
        g_propagate_error (error, g_steal_pointer (&local));
    }
  return response;
}

/* Calls @func on each job of a Get-Jobs response (groups of job attributes
 * separated by a separator, group tag zero). */
static void
queue_foreach_job (ipp_t *response, void (*func) (PsQueueJob *job, void *data), void *data)
{
  for (ipp_attribute_t *attr = ippFirstAttribute (response); attr != NULL;)
    {
      if (ippGetGroupTag (attr) != IPP_TAG_JOB)
        {
          attr = ippNextAttribute (response);
          continue;
        }
      g_auto (PsQueueJob) job = { 0 };
      attr = queue_read_job (response, attr, &job);
      func (&job, data);
    }
}

typedef struct {
  const char *title;
  int newest;
} FindByName;

static void
find_by_name (PsQueueJob *job, void *data)
{
  FindByName *f = data;
  if (job->name != NULL && strcmp (job->name, f->title) == 0 && job->id > f->newest)
    f->newest = job->id;
}

int
_ps_queue_find_job (PsQueue *queue, const char *title, GError **error)
{
  g_return_val_if_fail (queue != NULL && title != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  bool none = false;
  ipp_t *response = queue_list_jobs (queue, &none, error);
  if (response == NULL)
    return none ? 0 : -1;
  FindByName f = { title, 0 };
  queue_foreach_job (response, find_by_name, &f);
  ippDelete (response);
  return f.newest;
}

typedef struct {
  const PsQueueJobQuery *query;
  const char *user;
  size_t n_foreign;
  size_t n_matches;
  PsQueueJob match;
} FindOwn;

static void
find_own (PsQueueJob *job, void *data)
{
  FindOwn *f = data;
  const PsQueueJobQuery *q = f->query;
  if (job->name == NULL || strcmp (job->name, q->title) != 0)
    return;
  /* The job's own attributes: created by us, in the time the ledger says,
   * and no job this ledger has recorded already. */
  bool ours = g_strcmp0 (job->user, f->user) == 0;
  if (ours && q->not_before > 0)
    ours = job->created > 0 && job->created >= q->not_before;
  if (ours && q->not_after > 0)
    ours = job->created > 0 && job->created <= q->not_after;
  for (size_t i = 0; ours && q->known_uuids != NULL && q->known_uuids[i] != NULL; i++)
    ours = job->uuid == NULL || strcmp (job->uuid, q->known_uuids[i]) != 0;
  if (!ours)
    {
      f->n_foreign++;
      return;
    }
  if (f->n_matches++ == 0)
    {
      f->match = *job;
      memset (job, 0, sizeof *job);
    }
}

int
_ps_queue_find_own_job (PsQueue *queue, const PsQueueJobQuery *query, PsQueueJob *job,
                        size_t *n_foreign, GError **error)
{
  g_return_val_if_fail (queue != NULL && query != NULL && query->title != NULL, -1);
  g_return_val_if_fail (job != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (n_foreign != NULL)
    *n_foreign = 0;
  bool none = false;
  ipp_t *response = queue_list_jobs (queue, &none, error);
  if (response == NULL)
    return none ? 0 : -1;
  FindOwn f = { .query = query, .user = query->user != NULL ? query->user : cupsUser () };
  queue_foreach_job (response, find_own, &f);
  ippDelete (response);
  if (n_foreign != NULL)
    *n_foreign = f.n_foreign;
  if (f.n_matches > 1)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_FAILED,
                   "printer '%s' on server '%s' has %zu jobs named '%s' that could be ours: "
                   "which one to follow is not certain", queue->printer, queue->server,
                   f.n_matches, query->title);
      _ps_queue_job_clear (&f.match);
      return -1;
    }
  if (f.n_matches == 0)
    return 0;
  *job = f.match;
  return 1;
}

bool
_ps_queue_get_job (PsQueue *queue, int job_id, PsQueueJob *job, GError **error)
{
  g_return_val_if_fail (queue != NULL && job_id > 0 && job != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  ipp_t *request = queue_new_request (queue, IPP_OP_GET_JOB_ATTRIBUTES);
  ippAddInteger (request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 (int) G_N_ELEMENTS (queue_job_attributes), NULL, queue_job_attributes);
  g_autofree char *what = g_strdup_printf ("cannot get the state of job %d", job_id);
  ipp_t *response = queue_do_request (queue, request, what, error);
  if (response == NULL)
    return false;

  ipp_attribute_t *first = ippFirstAttribute (response);
  while (first != NULL && ippGetGroupTag (first) != IPP_TAG_JOB)
    first = ippNextAttribute (response);
  PsQueueJob got = { 0 };
  if (first != NULL)
    queue_read_job (response, first, &got);
  ippDelete (response);
  if (got.state == PS_JOB_CREATED)
    {
      g_set_error (error, PS_QUEUE_ERROR, PS_QUEUE_ERROR_FAILED,
                   "printer '%s': job %d has no valid job-state", queue->printer, job_id);
      _ps_queue_job_clear (&got);
      return false;
    }
  if (got.id == 0)
    got.id = job_id;
  *job = got;
  return true;
}

bool
_ps_queue_get_job_state (PsQueue *queue, int job_id, PsJobState *state, char **reason,
                         GError **error)
{
  g_return_val_if_fail (queue != NULL && job_id > 0 && state != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_auto (PsQueueJob) job = { 0 };
  if (!_ps_queue_get_job (queue, job_id, &job, error))
    return false;
  *state = job.state;
  if (reason != NULL)
    *reason = g_steal_pointer (&job.reason);
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
