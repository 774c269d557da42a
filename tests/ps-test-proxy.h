/* ps-test-proxy.h - a TCP proxy that fails chosen IPP operations.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PS_TEST_PROXY_H
#define PS_TEST_PROXY_H

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* IPP operation ids the tests fail. */
#define PS_TEST_IPP_CREATE_JOB          0x05
#define PS_TEST_IPP_SEND_DOCUMENT       0x06
#define PS_TEST_IPP_GET_JOBS            0x0A

typedef struct _PsTestProxy PsTestProxy;

/* A proxy on 127.0.0.1 (a free port) to @target, "host:port". */
PsTestProxy *ps_test_proxy_new (const char *target);
/* From now on, requests of @operation after the first @pass are not
 * forwarded: the connection is closed instead.  0 = none. */
void ps_test_proxy_drop (PsTestProxy *proxy, int operation, guint pass);
/* "127.0.0.1:PORT" (transfer full). */
char *ps_test_proxy_get_address (PsTestProxy *proxy);
/* Requests dropped since the last ps_test_proxy_drop(). */
guint ps_test_proxy_get_n_dropped (PsTestProxy *proxy);
void ps_test_proxy_free (PsTestProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsTestProxy, ps_test_proxy_free)

G_END_DECLS

#endif
