/* ps-ledger-private.h - the ledger as the render orchestrator, print and
 * reprint use it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  Includes no cairo, pango or sqlite header.
 */
#ifndef PS_LEDGER_PRIVATE_H
#define PS_LEDGER_PRIVATE_H

#include "ps-batch-private.h"
#include "ps-job-private.h"

G_BEGIN_DECLS

/* ---- batches ---- */

/* Writes a rendered batch in one transaction: its settings (profile bytes
 * shared between batches), classes, students (masked values only), pages
 * with @page_sha256 (per page, nullable entries; nullable) and the skipped
 * rows.  A batch of the same settings rendered into the same @out_dir is
 * updated in place - its jobs and reprints are kept; with other pages it is
 * refused (PS_LEDGER_ERROR_MISMATCH).  Returns: the batch id (> 0), or 0
 * with PS_LEDGER_ERROR. */
gint64 _ps_ledger_save_batch (PsLedger *ledger, const PsBatch *batch, const char *out_dir,
                              char *const *page_sha256, GError **error);
/* Batch @batch_id as recorded (transfer full), or NULL with PS_LEDGER_ERROR
 * (NOT_FOUND, FAILED) or the batch's own error when it is inconsistent. */
PsBatch *_ps_ledger_load_batch (PsLedger *ledger, gint64 batch_id, GError **error);
/* The latest batch rendered into @out_dir (absolute or relative), or 0 with
 * PS_LEDGER_ERROR_NOT_FOUND. */
gint64 _ps_ledger_find_batch_by_dir (PsLedger *ledger, const char *out_dir, GError **error);

typedef struct {
  gint64 batch_id;
  gint64 student_id;
} PsLedgerMatch;

/* Students matching every non-NULL key, newest batch first.
 * Returns: (transfer full): GArray of PsLedgerMatch (maybe empty), NULL on error. */
GArray *_ps_ledger_find_students (PsLedger *ledger, const char *xh, const char *cjm,
                                  const char *yxdm, const char *id_last4, GError **error);

/* ---- jobs ---- */

typedef struct {
  gint64     id;
  gint64     batch_id;
  int        cups_id;      /* 0 until CUPS accepted it */
  char      *printer;      /* the destination asked for: a queue or a class */
  char      *queue;        /* the queue it was sent to: a class member or the printer */
  char      *server;       /* "host:port" it was sent to, NULL when not recorded */
  char      *name;         /* job-name, unique per ledger (and across: it has the batch uid) */
  PsJobState state;
  char      *reason;       /* last job-state-reasons / message, or NULL */
  char      *uuid;         /* CUPS's job-uuid, NULL until known */
  gint64     cups_created; /* CUPS's time-at-creation (server seconds), 0 until known */
  gint64     created_at;   /* when the ledger recorded it, microseconds since the epoch */
} PsLedgerJob;

void _ps_ledger_job_free (PsLedgerJob *job);

/* Records a job about to be submitted (state created) with its pages: to
 * @printer itself. */
gint64 _ps_ledger_job_create (PsLedger *ledger, gint64 batch_id, const char *printer,
                              const char *name, const size_t *pages, size_t n_pages,
                              GError **error);
/* The same, for a job going to @queue (a member of @printer, or @printer)
 * on @server (nullable). */
gint64 _ps_ledger_job_create_on (PsLedger *ledger, gint64 batch_id, const char *printer,
                                 const char *queue, const char *server, const char *name,
                                 const size_t *pages, size_t n_pages, GError **error);
bool _ps_ledger_job_set_cups_id (PsLedger *ledger, gint64 job_id, int cups_id, GError **error);
/* The CUPS identity of the job: id, job-uuid (nullable) and time-at-creation
 * (0 unknown), in one write. */
bool _ps_ledger_job_set_cups_job (PsLedger *ledger, gint64 job_id, int cups_id,
                                  const char *uuid, gint64 cups_created, GError **error);
/* Records a state change (and a row in the job's history when it changed). */
bool _ps_ledger_job_set_state (PsLedger *ledger, gint64 job_id, PsJobState state,
                               const char *reason, GError **error);
/* Every job-uuid this ledger has recorded (transfer full, NULL-terminated). */
char **_ps_ledger_dup_job_uuids (PsLedger *ledger, GError **error);
/* Returns: (transfer full): PsLedgerJob*, oldest first; batch_id 0 = all. */
GPtrArray *_ps_ledger_list_jobs (PsLedger *ledger, gint64 batch_id, GError **error);
/* Returns: (transfer full): size_t page numbers of a job, ascending. */
GArray *_ps_ledger_job_pages (PsLedger *ledger, gint64 job_id, GError **error);
/* Pages of @batch_id with no completed job, ascending (size_t numbers). */
GArray *_ps_ledger_pages_pending (PsLedger *ledger, gint64 batch_id, GError **error);

/* ---- reprints ---- */

/* Records a reprint of one student's sheet; @job_id 0 when not queued. */
gint64 _ps_ledger_reprint_add (PsLedger *ledger, gint64 batch_id, gint64 student_id,
                               const char *reason, const char *out_path, gint64 job_id,
                               GError **error);

/* ---- status ---- */

/* The status of batch @batch_id, or of every batch (0). */
PsLedgerStatus *_ps_ledger_get_status (PsLedger *ledger, gint64 batch_id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLedgerJob, _ps_ledger_job_free)

G_END_DECLS

#endif /* PS_LEDGER_PRIVATE_H */
