/* ps-print-private.h - print options and the queue of a batch, shared by
 * print and reprint.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.
 */
#ifndef PS_PRINT_PRIVATE_H
#define PS_PRINT_PRIVATE_H

#include "ps-batch-private.h"
#include "ps-queue-private.h"

G_BEGIN_DECLS

struct _PsPrintOptions {
  char *printer;               /* CUPS queue */
  char *server;                /* "host:port"; NULL = the default server */
  GPtrArray *options;          /* "name=value", NULL-terminated */
  int job_size;                /* most pages per job; 0 = one job per class */
  bool resume;
  int timeout;                 /* seconds; 0 = the default */
  PsProgressFunc progress;
  void *progress_data;
};

/* The CUPS queue of @options, with the sheet size of @batch's layout
 * checked against its media before anything is recorded. */
PsQueue *_ps_print_open_queue (const PsPrintOptions *options, const PsBatch *batch,
                               GError **error);
/* The space @batch's pages are composed in (its profile's colour space). */
PsDeviceSpace _ps_print_device_space (const PsBatch *batch);
/* What @batch's jobs are sent to @queue as (_ps_queue_choose_format()). */
bool _ps_print_choose_format (PsQueue *queue, const PsBatch *batch, PsDocumentFormat *format,
                              GError **error);

G_END_DECLS

#endif /* PS_PRINT_PRIVATE_H */
