/* ps-queue-private.h - print queues through the CUPS destinations API.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Includes no cairo, pango or CUPS header: the queue's
 * callers pass files and names, never libcups types.
 */
#ifndef PS_QUEUE_PRIVATE_H
#define PS_QUEUE_PRIVATE_H

#include "ps-job-private.h"

G_BEGIN_DECLS

typedef struct _PsQueue PsQueue;

/* @server: "host:port" or NULL for the default (CUPS_SERVER / client.conf). */
PsQueue *_ps_queue_open (const char *printer, const char *server, GError **error);
void _ps_queue_free (PsQueue *queue);
/* Refuses (PS_QUEUE_ERROR_MEDIA, listing the sizes it has) a printer whose
 * media list lacks the sheet size (PWG name or dimensions in points). */
bool _ps_queue_check_media (PsQueue *queue, const char *pwg_media, double width,
                            double height, GError **error);
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
 * takes neither is refused (PS_QUEUE_ERROR_FORMAT), never sent sRGB.
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
/* The id of a job of this queue named @title (any state), 0 if none. */
int _ps_queue_find_job (PsQueue *queue, const char *title, GError **error);
/* Get-Job-Attributes: state and reason (job-state-reasons, job-printer-state-message). */
bool _ps_queue_get_job_state (PsQueue *queue, int job_id, PsJobState *state, char **reason,
                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsQueue, _ps_queue_free)

G_END_DECLS

#endif /* PS_QUEUE_PRIVATE_H */
