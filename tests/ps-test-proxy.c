/* ps-test-proxy.c - a TCP proxy in front of the private cupsd that fails
 * chosen IPP operations, so that a lookup or a submission can fail at a
 * known point while everything else goes through.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One thread accepts, one thread per connection pumps both ways.  Each
 * chunk the client sends is searched for the head of an IPP request (its
 * operation-id, just before "attributes-charset", the first attribute every
 * request has); a request of the chosen operation, after the first @pass of
 * them, is not forwarded: both sockets are closed, as a server that died
 * would.
 */
#include "ps-test-proxy.h"

#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct _PsTestProxy {
  GSocketListener *listener;
  guint16 port;
  char *target_host;
  guint16 target_port;
  GThread *acceptor;
  GMutex lock;
  int drop_op;                 /* 0 = none */
  guint pass;                  /* requests of drop_op let through before dropping */
  guint seen;
  guint dropped;
  GCancellable *stop;
  GPtrArray *threads;
};

static const char charset_attr[] = "\x01\x47\x00\x12" "attributes-charset";
#define CHARSET_ATTR_LEN (sizeof charset_attr - 1)

/* The operation-id of an IPP request whose head is in @buf, or -1. */
static int
find_operation (const guint8 *buf, gsize len)
{
  for (gsize i = 8; i + CHARSET_ATTR_LEN <= len; i++)
    if (memcmp (buf + i, charset_attr, CHARSET_ATTR_LEN) == 0)
      {
        const guint8 *head = buf + i - 8;
        if ((head[0] == 1 || head[0] == 2) && head[2] == 0)
          return head[3];
      }
  return -1;
}

typedef struct {
  PsTestProxy *proxy;
  GSocketConnection *client;
} Pump;

static bool
write_all (int fd, const guint8 *buf, gssize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, (size_t) len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      buf += n;
      len -= n;
    }
  return true;
}

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;
  PsTestProxy *proxy = pump->proxy;
  g_autoptr (GSocketClient) connector = g_socket_client_new ();
  g_autoptr (GSocketConnection) server = g_socket_client_connect_to_host (
    connector, proxy->target_host, proxy->target_port, NULL, NULL);
  if (server != NULL)
    {
      int cfd = g_socket_get_fd (g_socket_connection_get_socket (pump->client));
      int sfd = g_socket_get_fd (g_socket_connection_get_socket (server));
      guint8 buf[65536];
      for (;;)
        {
          struct pollfd fds[2] = { { cfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
          int r = poll (fds, 2, 200);
          if (g_cancellable_is_cancelled (proxy->stop))
            break;
          if (r < 0 && errno == EINTR)
            continue;
          if (r < 0)
            break;
          if (r == 0)
            continue;
          if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
            {
              ssize_t n = read (cfd, buf, sizeof buf);
              if (n <= 0)
                break;
              int op = find_operation (buf, (gsize) n);
              bool drop = false;
              g_mutex_lock (&proxy->lock);
              if (op >= 0 && op == proxy->drop_op && proxy->seen++ >= proxy->pass)
                {
                  drop = true;
                  proxy->dropped++;
                }
              g_mutex_unlock (&proxy->lock);
              if (drop || !write_all (sfd, buf, n))
                break;
            }
          if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
            {
              ssize_t n = read (sfd, buf, sizeof buf);
              if (n <= 0 || !write_all (cfd, buf, n))
                break;
            }
        }
      g_io_stream_close (G_IO_STREAM (server), NULL, NULL);
    }
  g_io_stream_close (G_IO_STREAM (pump->client), NULL, NULL);
  g_object_unref (pump->client);
  g_free (pump);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  PsTestProxy *proxy = data;
  for (;;)
    {
      GSocketConnection *client = g_socket_listener_accept (proxy->listener, NULL, proxy->stop,
                                                            NULL);
      if (client == NULL)
        break;
      Pump *pump = g_new0 (Pump, 1);
      pump->proxy = proxy;
      pump->client = client;
      GThread *thread = g_thread_new ("ps-test-pump", pump_thread, pump);
      g_mutex_lock (&proxy->lock);
      g_ptr_array_add (proxy->threads, thread);
      g_mutex_unlock (&proxy->lock);
    }
  return NULL;
}

PsTestProxy *
ps_test_proxy_new (const char *target)
{
  PsTestProxy *proxy = g_new0 (PsTestProxy, 1);
  const char *colon = strrchr (target, ':');
  g_assert_nonnull (colon);
  proxy->target_host = g_strndup (target, (gsize) (colon - target));
  proxy->target_port = (guint16) atoi (colon + 1);
  g_mutex_init (&proxy->lock);
  proxy->stop = g_cancellable_new ();
  proxy->threads = g_ptr_array_new ();
  proxy->listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_socket_listener_add_address (proxy->listener, any, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  proxy->acceptor = g_thread_new ("ps-test-proxy", accept_thread, proxy);
  return proxy;
}

void
ps_test_proxy_drop (PsTestProxy *proxy, int operation, guint pass)
{
  g_mutex_lock (&proxy->lock);
  proxy->drop_op = operation;
  proxy->pass = pass;
  proxy->seen = 0;
  proxy->dropped = 0;
  g_mutex_unlock (&proxy->lock);
}

char *
ps_test_proxy_get_address (PsTestProxy *proxy)
{
  return g_strdup_printf ("127.0.0.1:%u", proxy->port);
}

guint
ps_test_proxy_get_n_dropped (PsTestProxy *proxy)
{
  g_mutex_lock (&proxy->lock);
  guint n = proxy->dropped;
  g_mutex_unlock (&proxy->lock);
  return n;
}

void
ps_test_proxy_free (PsTestProxy *proxy)
{
  if (proxy == NULL)
    return;
  g_cancellable_cancel (proxy->stop);
  g_socket_listener_close (proxy->listener);
  g_thread_join (proxy->acceptor);
  /* the pumps see the cancellable within their poll timeout */
  for (guint i = 0; i < proxy->threads->len; i++)
    g_thread_join (proxy->threads->pdata[i]);
  g_ptr_array_unref (proxy->threads);
  g_object_unref (proxy->listener);
  g_object_unref (proxy->stop);
  g_mutex_clear (&proxy->lock);
  g_free (proxy->target_host);
  g_free (proxy);
}
