/*
 * Unit tests for sc/sc_ws.c: what a connection keeps and reports after the
 * memory cuts of issue 13.  A plaintext (tests-only) listener and client
 * on 127.0.0.1 in one event_base:
 *
 *  - the peer address is the numeric address connected to, on both sides,
 *    including once the client's dial state (URI, addresses) is freed;
 *  - without TLS there is no peer certificate to describe;
 *  - the close reason is allocated when the connection closes and reaches
 *    on_close on both sides;
 *  - a refused TCP connect reports the address tried (the dial state's
 *    last error), and the connection is reaped (on_close, then freed).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "sc/sc_ws.h"
#include "tests/unit/harness.h"

struct wc_side {
	struct sc_ws	*ws;
	bool		 opened;
	bool		 closed;
	enum sc_ws_err	 kind;
	uint16_t	 status;
	char		 detail[256];
	char		 addr_open[64];	/* sc_ws_peer_addr when opened */
	int		 cert_rc;	/* sc_ws_peer_cert when opened */
};

static void
wc_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct wc_side *s = arg;

	(void)ws;
	s->closed = true;
	s->ws = NULL;
	s->kind = ci->kind;
	s->status = ci->status;
	snprintf(s->detail, sizeof(s->detail), "%s", ci->detail);
}

static void
wc_note_open(struct wc_side *s, struct sc_ws *ws)
{
	struct sc_peer_cert pc;

	s->opened = true;
	s->ws = ws;
	snprintf(s->addr_open, sizeof(s->addr_open), "%s",
	    sc_ws_peer_addr(ws));
	s->cert_rc = sc_ws_peer_cert(ws, &pc);
}

static void
wc_cli_on_open(struct sc_ws *ws, void *arg)
{
	wc_note_open(arg, ws);
}

static const struct sc_ws_cbs wc_cli_cbs = {
	wc_cli_on_open, NULL, NULL, wc_on_close,
};
static const struct sc_ws_cbs wc_srv_cbs = {
	NULL, NULL, NULL, wc_on_close,
};

static void
wc_on_accept(struct sc_ws_listener *l, struct sc_ws *ws, void *arg)
{
	(void)l;
	sc_ws_set_cbs(ws, &wc_srv_cbs, arg);
	wc_note_open(arg, ws);
}

/* Run the loop until *flag or about 3 s. */
static bool
wc_run_until(struct event_base *base, const bool *flag)
{
	struct timeval tv = { 0, 10000 };
	int i;

	for (i = 0; i < 300 && !*flag; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return *flag;
}

static void
wc_limits(struct sc_ws_limits *lim)
{
	sc_ws_limits_default(lim);
	lim->allow_plaintext = true;
	lim->handshake_ms = 3000;
}

static void
test_ws_conn_addr_reason(void)
{
	struct event_base *base = event_base_new();
	struct sc_ws_listener *l;
	struct sc_ws_limits lim;
	struct wc_side cli, srv;
	char err[256], uri[64], want[32];
	uint16_t port;

	CU_ASSERT_FATAL(base != NULL);
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	wc_limits(&lim);
	l = sc_ws_listen(base, NULL, "127.0.0.1", 0, SC_WS_PROTO_HUB, &lim,
	    wc_on_accept, &srv, err, sizeof(err));
	CU_ASSERT_FATAL(l != NULL);
	port = sc_ws_listener_port(l);
	snprintf(uri, sizeof(uri), "ws://127.0.0.1:%u/", (unsigned)port);
	snprintf(want, sizeof(want), "127.0.0.1:%u", (unsigned)port);
	cli.ws = sc_ws_connect(base, NULL, NULL, uri, SC_WS_PROTO_HUB, &lim,
	    &wc_cli_cbs, &cli, err, sizeof(err));
	CU_ASSERT_FATAL(cli.ws != NULL);
	/* A numeric host: the address is known before connecting. */
	CU_ASSERT_STRING_EQUAL(sc_ws_peer_addr(cli.ws), want);
	CU_ASSERT_FATAL(wc_run_until(base, &cli.opened));
	CU_ASSERT_FATAL(wc_run_until(base, &srv.opened));
	CU_ASSERT_STRING_EQUAL(cli.addr_open, want);
	/* Still right once the dial state is gone. */
	CU_ASSERT_STRING_EQUAL(sc_ws_peer_addr(cli.ws), want);
	CU_ASSERT_EQUAL(strncmp(srv.addr_open, "127.0.0.1:", 10), 0);
	CU_ASSERT_TRUE(strlen(srv.addr_open) > 10);
	/* Plaintext: no certificate to describe. */
	CU_ASSERT_EQUAL(cli.cert_rc, -1);
	CU_ASSERT_EQUAL(srv.cert_rc, -1);

	sc_ws_close(cli.ws, SC_WS_CLOSE_NORMAL);
	CU_ASSERT_TRUE(wc_run_until(base, &cli.closed));
	CU_ASSERT_TRUE(wc_run_until(base, &srv.closed));
	CU_ASSERT_EQUAL(cli.kind, SC_WS_ERR_NONE);
	CU_ASSERT_EQUAL(cli.status, SC_WS_CLOSE_NORMAL);
	CU_ASSERT_STRING_EQUAL(cli.detail, "closed by us");
	CU_ASSERT_EQUAL(srv.kind, SC_WS_ERR_NONE);
	CU_ASSERT_EQUAL(srv.status, SC_WS_CLOSE_NORMAL);
	CU_ASSERT_TRUE(srv.detail[0] != '\0');
	sc_ws_listener_free(l);
	event_base_free(base);
}

static void
test_ws_conn_refused_reason(void)
{
	struct event_base *base = event_base_new();
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct sc_ws_limits lim;
	struct wc_side cli;
	char err[256], uri[64], want[48];
	int fd;

	CU_ASSERT_FATAL(base != NULL);
	/* A port nobody listens on: bound, never listened, closed. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	close(fd);
	snprintf(uri, sizeof(uri), "ws://127.0.0.1:%u/",
	    (unsigned)ntohs(sa.sin_port));
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%u: ",
	    (unsigned)ntohs(sa.sin_port));
	memset(&cli, 0, sizeof(cli));
	wc_limits(&lim);
	cli.ws = sc_ws_connect(base, NULL, NULL, uri, SC_WS_PROTO_HUB, &lim,
	    &wc_cli_cbs, &cli, err, sizeof(err));
	CU_ASSERT_FATAL(cli.ws != NULL);
	CU_ASSERT_TRUE(wc_run_until(base, &cli.closed));
	CU_ASSERT_FALSE(cli.opened);
	CU_ASSERT_EQUAL(cli.kind, SC_WS_ERR_TCP);
	CU_ASSERT_EQUAL(strncmp(cli.detail, want, strlen(want)), 0);
	event_base_free(base);
}

static const struct ut_case cases[] = {
	UT_CASE(test_ws_conn_addr_reason),
	UT_CASE(test_ws_conn_refused_reason),
	UT_END
};
UT_SUITE(sc_ws_conn, cases);
