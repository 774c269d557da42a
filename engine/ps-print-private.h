/* ps-print-private.h - print options, the printers of a batch and the
 * submission of one job, shared by print and reprint.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.
 */
#ifndef PS_PRINT_PRIVATE_H
#define PS_PRINT_PRIVATE_H

#include "ps-batch-private.h"
#include "ps-ledger-private.h"
#include "ps-queue-private.h"

G_BEGIN_DECLS

struct _PsPrintOptions {
  char *printer;               /* a queue, a class or "q1,q2"; NULL = the default destination */
  char *server;                /* "host:port"; NULL = the default server */
  char *media_type;            /* media-col/media-type, e.g. "photographic-glossy"; nullable */
  GPtrArray *options;          /* "name=value", NULL-terminated */
  int job_size;                /* most pages per job; 0 = one job per class */
  bool resume;
  int timeout;                 /* seconds; 0 = the default */
  PsProgressFunc progress;
  void *progress_data;
};

/* One printer a job can go to: a queue named by the operator, or a member
 * of a class the operator named. */
typedef struct {
  char    *printer;            /* what was named: the queue itself, or the class */
  PsQueue *queue;              /* where jobs are sent */
  PsDocumentFormat format;     /* what its jobs are sent as (_ps_print_choose_format()) */
  size_t   pages;              /* pages given to it so far (print balances by pages) */
} PsPrintTarget;

void _ps_print_target_free (PsPrintTarget *target);

/* The printers of @options: each queue of the comma list, a class's
 * members (those accepting jobs and taking the colour-managed pages), or
 * the default destination; each with the sheet size (and media type) of
 * @batch checked and its document format chosen before anything is
 * recorded.  A named queue that takes no colour-managed format, or a class
 * none of whose members does, is refused (PS_QUEUE_ERROR_FORMAT).
 * Returns: (transfer full): PsPrintTarget*, at least one, or NULL with
 * PS_QUEUE_ERROR / PS_PRINT_ERROR_INVALID. */
GPtrArray *_ps_print_open_targets (const PsPrintOptions *options, const PsBatch *batch,
                                   GError **error);

/* The space @batch's pages are composed in (its profile's colour space). */
PsDeviceSpace _ps_print_device_space (const PsBatch *batch);
/* What @batch's jobs are sent to @queue as (_ps_queue_choose_format()). */
bool _ps_print_choose_format (PsQueue *queue, const PsBatch *batch, PsDocumentFormat *format,
                              GError **error);

/* Sends @document (pages @pages of @batch, rendered already in
 * @target->format) as one job named @name to @target: recorded in @ledger
 * before CUPS sees it, its CUPS identity recorded as soon as CUPS created
 * it, and on every failure the ledger's state says what became of it
 * (canceled when it never printed, CUPS's state when CUPS has it).
 * @recorded (out, nullable): the ledger's job number once the job is
 * recorded, also on failure; 0 before.
 * Returns: (transfer full): the job as recorded, or NULL with the error. */
PsLedgerJob *_ps_print_submit_job (PsLedger *ledger, PsPrintTarget *target, const PsBatch *batch,
                                   const PsPrintOptions *options, const char *name,
                                   const size_t *pages, size_t n_pages, const char *document,
                                   gint64 *recorded, GError **error);

/* What job names carry of their batch: its uid (32 hex digits), or its
 * ledger number when it has none.  Transfer full. */
char *_ps_print_batch_tag (const PsBatch *batch);

G_END_DECLS

#endif /* PS_PRINT_PRIVATE_H */
