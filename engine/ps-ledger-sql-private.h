/* ps-ledger-sql-private.h - what the ledger files (ps-ledger*.c) share: the
 * connection and the statement helpers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed; only ps-ledger*.c include it.  Every helper checks its rc
 * and puts sqlite3_errmsg() into a PS_LEDGER_ERROR naming the ledger file
 * and what was being done.
 */
#ifndef PS_LEDGER_SQL_PRIVATE_H
#define PS_LEDGER_SQL_PRIVATE_H

#include "ps-ledger-private.h"

#include <sqlite3.h>

G_BEGIN_DECLS

struct _PsLedger {
  char    *path;
  sqlite3 *db;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Sets "ledger 'PATH': WHAT: sqlite message" with @code; returns false. */
bool _ps_ledger_fail (PsLedger *ledger, GError **error, int code, const char *what);
bool _ps_ledger_exec (PsLedger *ledger, const char *sql, const char *what, GError **error);
sqlite3_stmt *_ps_ledger_prepare (PsLedger *ledger, const char *sql, const char *what,
                                  GError **error);
/* Resets @stmt and binds parameters 1.. in order: @types has one character
 * per argument: 't' text (const char *, NULL binds NULL), 'i' int,
 * 'I' gint64, 'J' gint64 that binds NULL when 0. */
bool _ps_ledger_bind (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error,
                      const char *types, ...);
/* Runs a statement that returns no rows. */
bool _ps_ledger_step_done (PsLedger *ledger, sqlite3_stmt *stmt, const char *what,
                           GError **error);
/* Steps a query: 1 = a row, 0 = done, -1 = error (set). */
int _ps_ledger_step_row (PsLedger *ledger, sqlite3_stmt *stmt, const char *what, GError **error);
char *_ps_ledger_column_dup (sqlite3_stmt *stmt, int column);
/* BEGIN IMMEDIATE / COMMIT; rollback undoes the open transaction, if any,
 * keeping the first error. */
bool _ps_ledger_begin (PsLedger *ledger, GError **error);
bool _ps_ledger_commit (PsLedger *ledger, GError **error);
void _ps_ledger_rollback (PsLedger *ledger);
/* ISO-8601 UTC with microseconds, so that "latest" orders within a second. */
char *_ps_ledger_now (void);
/* _ps_ledger_now()'s text back to microseconds since the epoch; 0 if NULL
 * or not a time. */
gint64 _ps_ledger_time_from_text (const char *text);

/* Set PS_LEDGER_ERROR_NOT_FOUND "no batch N" / _FAILED "batch N is
 * inconsistent: @what"; return false. */
bool _ps_ledger_no_batch (PsLedger *ledger, gint64 batch_id, GError **error);
bool _ps_ledger_corrupt (PsLedger *ledger, gint64 batch_id, const char *what, GError **error);
/* PS_LEDGER_ERROR_NOT_FOUND when there is no such batch. */
bool _ps_ledger_batch_exists (PsLedger *ledger, gint64 batch_id, GError **error);
/* The single integer a query with one gint64 parameter returns; -1 on error. */
gint64 _ps_ledger_count_rows (PsLedger *ledger, const char *sql, gint64 id, GError **error);
bool _ps_ledger_not_found_job (PsLedger *ledger, gint64 job_id, GError **error);

G_END_DECLS

#endif /* PS_LEDGER_SQL_PRIVATE_H */
