/* ps-queue-private.h - print queues through the CUPS destinations API.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Includes no cairo, pango or CUPS header: the queue's
 * callers pass files and names, never libcups types.
 *
 * Lookups that can fail say so apart from "not found": the int-returning
 * ones give -1 with the error set, 0 for none, and a positive answer
 * otherwise, so that a server that stopped answering is never taken for a
 * job that does not exist.
 */
#ifndef PS_QUEUE_PRIVATE_H
#define PS_QUEUE_PRIVATE_H

#include "ps-job-private.h"

G_BEGIN_DECLS

typedef struct _PsQueue PsQueue;

/* @printer: the destination; NULL = the server's default destination
 * (cupsGetNamedDest (http, NULL, NULL): lpoptions, then CUPS-Get-Default).
 * @server: "host:port" or NULL for the default (CUPS_SERVER / client.conf). */
PsQueue *_ps_queue_open (const char *printer, const char *server, GError **error);
void _ps_queue_free (PsQueue *queue);
/* The destination's name as CUPS reports it, and the server ("host:port")
 * (transfer none). */
const char *_ps_queue_get_name (const PsQueue *queue);
const char *_ps_queue_get_server (const PsQueue *queue);
/* A CUPS class (printer-type has CUPS_PRINTER_CLASS). */
bool _ps_queue_is_class (const PsQueue *queue);
/* The member queues of a class (member-names), in the class's order;
 * (transfer full), NULL-terminated, empty for a printer. */
char **_ps_queue_dup_members (const PsQueue *queue);
/* printer-is-accepting-jobs and not stopped (cupsdisable), when opened. */
bool _ps_queue_is_ready (const PsQueue *queue);
/* Refuses (PS_QUEUE_ERROR_MEDIA, listing the sizes it has) a printer whose
 * media list lacks the sheet size (PWG name or dimensions in points).  A
 * class has no media list of its own: check its members. */
bool _ps_queue_check_media (PsQueue *queue, const char *pwg_media, double width,
                            double height, GError **error);
/* Refuses (PS_QUEUE_ERROR_MEDIA, listing what it has) a printer whose
 * media-type-supported lacks @media_type ("photographic-glossy"). */
bool _ps_queue_check_media_type (PsQueue *queue, const char *media_type, GError **error);

/* A job as CUPS describes it (Get-Jobs, Get-Job-Attributes). */
typedef struct {
  int        id;              /* job-id */
  char      *name;            /* job-name */
  char      *uuid;            /* job-uuid ("urn:uuid:..."), NULL if the server has none */
  char      *user;            /* job-originating-user-name */
  gint64     created;         /* time-at-creation, seconds since the epoch, server clock; 0 unknown */
  PsJobState state;
  char      *reason;          /* job-state-reasons (but "none") and job-printer-state-message */
  char      *printed_by;      /* the queue of job-printer-uri-actual, nullable */
  bool       incoming;        /* job-incoming: created, its document not (completely) sent */
} PsQueueJob;

void _ps_queue_job_clear (PsQueueJob *job);

/* The space a batch was colour-managed into. */
typedef enum {
  PS_DEVICE_SRGB,                 /* no printer profile */
  PS_DEVICE_RGB,                  /* an RGB printer profile: device RGB */
  PS_DEVICE_CMYK,                 /* a CMYK printer profile */
} PsDeviceSpace;

/* What a job document is. */
typedef enum {
  PS_DOCUMENT_PDF,                /* application/pdf, in the device space (ICC, OutputIntent) */
  PS_DOCUMENT_PWG_RASTER,         /* image/pwg-raster in the device's own colour space */
} PsDocumentFormat;

/* Returns: (transfer none): the MIME type of @format. */
const char *_ps_queue_format_mime (PsDocumentFormat format);
/* Chooses what to send a batch composed in @space at @dpi as, from what the
 * queue takes (document-format-supported, and for PWG raster the types and
 * resolutions the device takes): PWG raster in the device's space when it
 * reaches the device as it is, else the device-space PDF.  A queue that
 * takes neither is refused (PS_QUEUE_ERROR_FORMAT), never sent sRGB.  A
 * class has no document formats of its own that say what reaches its
 * devices: choose for each member (_ps_queue_dup_members()).
 * *@why (nullable, transfer full): one line on the choice, for logs. */
bool _ps_queue_choose_format (PsQueue *queue, PsDeviceSpace space, int dpi,
                              PsDocumentFormat *format, char **why, GError **error);
/* Submits one file as one job: Create-Job + Send-Document of @format.
 * @options: NULL-terminated "name=value" strings, added after the built-in
 * ones (media, print-scaling=none, colour handled by the application).
 * Returns: the CUPS job id, or 0 with PS_QUEUE_ERROR. */
int _ps_queue_submit (PsQueue *queue, const char *title, const char *path,
                      PsDocumentFormat format, const char *media, char *const *options,
                      GError **error);
/* The two halves of _ps_queue_submit, so that the caller can record the
 * job's identity between them.  Create-Job with the built-in options
 * (@media_type nullable: sent with the size as media-col), then the job's
 * own attributes (job-uuid, time-at-creation) into @job.  A job created but
 * not described is canceled before the error returns. */
bool _ps_queue_create_job (PsQueue *queue, const char *title, const char *media,
                           const char *media_type, char *const *options, PsQueueJob *job,
                           GError **error);
/* Send-Document of @path, a document of @format, as the job's only
 * document; on any failure the job is canceled (it would wait for its
 * document until CUPS gives up). */
bool _ps_queue_send_document (PsQueue *queue, int job_id, const char *title, const char *path,
                              PsDocumentFormat format, GError **error);
bool _ps_queue_cancel_job (PsQueue *queue, int job_id, GError **error);

/* The newest job of this queue named @title (any state, any user): its id,
 * 0 if there is none, -1 with the error set when the lookup failed. */
int _ps_queue_find_job (PsQueue *queue, const char *title, GError **error);

/* What a job this program created looks like, to find it again after a
 * crash without adopting someone else's job of the same name. */
typedef struct {
  const char *title;                  /* job-name */
  const char *user;                   /* job-originating-user-name; NULL = cupsUser() */
  gint64 not_before;                  /* time-at-creation bounds, server seconds; 0 = none */
  gint64 not_after;
  const char *const *known_uuids;     /* NULL-terminated, nullable: jobs already recorded */
} PsQueueJobQuery;

/* The one job matching @query: 1 and *@job filled, 0 when there is none
 * (@n_foreign, nullable, counts jobs of that name that did not match), -1
 * with the error set when the lookup failed or two jobs match. */
int _ps_queue_find_own_job (PsQueue *queue, const PsQueueJobQuery *query, PsQueueJob *job,
                            size_t *n_foreign, GError **error);
/* Get-Job-Attributes into @job.  PS_QUEUE_ERROR_JOB when CUPS has no such
 * job, PS_QUEUE_ERROR_SERVER when it does not answer. */
bool _ps_queue_get_job (PsQueue *queue, int job_id, PsQueueJob *job, GError **error);
/* Get-Job-Attributes: state and reason (job-state-reasons, job-printer-state-message). */
bool _ps_queue_get_job_state (PsQueue *queue, int job_id, PsJobState *state, char **reason,
                              GError **error);
/* A local time (microseconds since the epoch) on the server's clock,
 * seconds: the offset is measured at open (printer-current-time). */
gint64 _ps_queue_to_server_time (const PsQueue *queue, gint64 local_usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsQueue, _ps_queue_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PsQueueJob, _ps_queue_job_clear)

G_END_DECLS

#endif /* PS_QUEUE_PRIVATE_H */
