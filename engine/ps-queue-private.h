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
/* Submits one PDF file as one job: Create-Job + Send-Document.  @options:
 * NULL-terminated "name=value" strings, added after the built-in ones
 * (media, print-scaling=none, colour handled by the application).
 * Returns: the CUPS job id, or 0 with PS_QUEUE_ERROR. */
int _ps_queue_submit (PsQueue *queue, const char *title, const char *pdf_path,
                      const char *media, char *const *options, GError **error);
/* The id of a job of this queue named @title (any state), 0 if none. */
int _ps_queue_find_job (PsQueue *queue, const char *title, GError **error);
/* Get-Job-Attributes: state and reason (job-state-reasons, job-printer-state-message). */
bool _ps_queue_get_job_state (PsQueue *queue, int job_id, PsJobState *state, char **reason,
                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsQueue, _ps_queue_free)

G_END_DECLS

#endif /* PS_QUEUE_PRIVATE_H */
