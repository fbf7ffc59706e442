/*
 * SC transport integration test (driven by tests/e2e/sc_transport.sh).
 *
 *   sc_transport_test selftest PKI_DIR HOST
 *	In one process: a hub listener on HOST (127.0.0.1, ::1, or
 *	localhost, which listens on 127.0.0.1 and connects by name) and
 *	clients: messages of 1..65535 octets both ways with content checked,
 *	a burst of small messages in order, oversize discard and close 1009,
 *	reconnect after a server close, peer certificate details, and the
 *	refusals a client of ours can provoke (foreign CA, expired, no
 *	clientAuth usage, foreign server, wrong subprotocol, TCP and DNS
 *	failure, plaintext not allowed), and the listener's limits on
 *	connections per source address and in total.
 *
 *   sc_transport_test server PKI_DIR ADDR HANDSHAKE_MS
 *	An echo hub listener (hub.pem) on ADDR, port printed as
 *	"LISTENING <port>" on stdout, for raw-client tests; logs to stderr;
 *	prints "CLOSED kind=.. status=.." per closed WebSocket; exits on
 *	SIGTERM/SIGINT printing the listener counters.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "sc/sc_tls.h"
#include "sc/sc_ws.h"
#include "tests/sctest.h"

static const char *pki;

/* ------------------------------------------------------------- helpers */

static struct sc_tls_ctx *
tls_for_crl(const char *name, const char *ca, const char *crl)
{
	struct sc_tls_config c;
	static char cert[512], key[512], cafile[512], crlfile[512];
	char err[512];
	struct sc_tls_ctx *t;

	memset(&c, 0, sizeof(c));
	snprintf(cert, sizeof(cert), "%s/%s.pem", pki, name);
	snprintf(key, sizeof(key), "%s/%s.key", pki, name);
	snprintf(cafile, sizeof(cafile), "%s/%s.pem", pki, ca);
	c.cert_file = cert;
	c.key_file = key;
	c.ca_files[0] = cafile;
	c.n_ca_files = 1;
	if (crl != NULL) {
		snprintf(crlfile, sizeof(crlfile), "%s/%s.pem", pki, crl);
		c.crl_file = crlfile;
	}
	t = sc_tls_ctx_new(&c, err, sizeof(err));
	if (t == NULL) {
		printf("tls context %s: %s\n", name, err);
		exit(2);
	}
	return t;
}

static struct sc_tls_ctx *
tls_for(const char *name, const char *ca)
{
	return tls_for_crl(name, ca, NULL);
}

static bool
read_uuid(const char *name, uint8_t out[16])
{
	char path[512], line[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s.uuid", pki, name);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	ok = fgets(line, sizeof(line), f) != NULL &&
	    sc_tls_uuid_parse(line, 36, out) == 0;
	fclose(f);
	return ok;
}

/* Deterministic content: every octet depends on size, sequence, offset. */
static void
fill(uint8_t *p, size_t len, uint32_t seq)
{
	size_t i;
	uint32_t x = seq * 2654435761u + (uint32_t)len;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
	if (len >= 4) {
		p[0] = (uint8_t)(seq >> 24);
		p[1] = (uint8_t)(seq >> 16);
		p[2] = (uint8_t)(seq >> 8);
		p[3] = (uint8_t)seq;
	}
}

static bool
content_ok(const uint8_t *p, size_t len, uint32_t seq)
{
	static uint8_t want[200000];

	if (len > sizeof(want))
		return false;
	fill(want, len, seq);
	return memcmp(p, want, len) == 0;
}

static uint32_t
seq_of(const uint8_t *p, size_t len)
{
	if (len < 4)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* ---------------------------------------------------- server side (echo) */

#define CMD_CLOSE	"\xff" "close-please"

struct srv {
	struct event_base	*base;
	struct sc_ws_listener	*l;
	struct sc_ws		*ws;		/* the last accepted */
	uint64_t		 rx_msgs;
	uint64_t		 rx_bad;	/* content mismatches */
	uint64_t		 oversize;
	bool			 greet;		/* send sizes[] on accept */
	bool			 relay;		/* a refused echo is no error */
	bool			 verbose;
	int			 accepts;
	int			 closes;
	struct sc_ws_close_info	 last_close;
	bool			 peer_uuid_ok;
	char			 peer_subject[256];
};

static const size_t sizes[] = { 1, 30, 1500, 61327, 61327 + 16, 65535 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define SEQ_SIZES	1000	/* seq base of the size messages */
#define SEQ_GREET	2000	/* server-originated messages */
#define SEQ_BURST	100000

static void
srv_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct srv *s = arg;
	struct sc_ws_seg seg[2];
	struct sc_ws_stats st;

	if (len == sizeof(CMD_CLOSE) - 1 && memcmp(buf, CMD_CLOSE, len) == 0) {
		sc_ws_close(ws, SC_WS_CLOSE_GOING_AWAY);
		return;
	}
	s->rx_msgs++;
	if (!content_ok(buf, len, len < 4 ? SEQ_SIZES : seq_of(buf, len)))
		s->rx_bad++;
	sc_ws_get_stats(ws, &st);
	s->oversize = st.oversize_discarded;
	/* Echo as a 1-octet "header" plus the borrowed rest. */
	seg[0].p = buf;
	seg[0].len = len > 0 ? 1 : 0;
	seg[1].p = buf + seg[0].len;
	seg[1].len = len - seg[0].len;
	if (sc_ws_send(ws, seg, 2) != SC_WS_SEND_OK && !s->relay)
		s->rx_bad++;
}

static void
srv_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct srv *s = arg;

	s->closes++;
	s->last_close = *ci;
	if (s->verbose) {
		struct sc_ws_stats st;

		sc_ws_get_stats(ws, &st);
		printf("CLOSED kind=%s status=%u peer=%d in=%llu out=%llu "
		    "read_pauses=%llu detail=%s\n", sc_ws_err_name(ci->kind),
		    ci->status, ci->by_peer, (unsigned long long)st.msgs_in,
		    (unsigned long long)st.msgs_out,
		    (unsigned long long)st.read_pauses, ci->detail);
		fflush(stdout);
	}
	if (s->ws == ws)
		s->ws = NULL;
}

static void
srv_on_accept(struct sc_ws_listener *l, struct sc_ws *ws, void *arg)
{
	static const struct sc_ws_cbs cbs = {
		NULL, srv_on_message, NULL, srv_on_close,
	};
	struct srv *s = arg;
	struct sc_peer_cert pc;
	uint8_t uuid[16];
	size_t i;

	(void)l;
	s->accepts++;
	s->ws = ws;
	sc_ws_set_cbs(ws, &cbs, s);
	if (sc_ws_peer_cert(ws, &pc) == 0) {
		snprintf(s->peer_subject, sizeof(s->peer_subject), "%s",
		    pc.subject);
		s->peer_uuid_ok = read_uuid("node1", uuid) ? (pc.has_uuid &&
		    memcmp(uuid, pc.uuid, 16) == 0) : !pc.has_uuid;
	}
	if (!s->greet)
		return;
	for (i = 0; i < NSIZES; i++) {
		static uint8_t buf[65535];
		struct sc_ws_seg seg = { buf, sizes[i] };

		fill(buf, sizes[i], SEQ_GREET + (uint32_t)i);
		if (sc_ws_send(ws, &seg, 1) != SC_WS_SEND_OK)
			s->rx_bad++;
	}
}

/* ---------------------------------------------------------- client side */

struct cli {
	struct sc_ws		*ws;
	bool			 open;
	bool			 closed;
	struct sc_ws_close_info	 ci;
	char			 detail[256];
	uint64_t		 rx;
	uint64_t		 rx_bad;
	uint32_t		 next_burst;	/* expected next burst seq */
	uint64_t		 burst_rx;
	uint64_t		 echo_rx;
	uint32_t		 last_echo_seq;
	uint64_t		 greet_rx;
	bool			 writable;
	bool			 relay;		/* echo every message back */
	bool			 peer_ok;
	struct sc_peer_cert	 peer;
};

static void
cli_on_open(struct sc_ws *ws, void *arg)
{
	struct cli *c = arg;

	c->open = true;
	if (sc_ws_peer_cert(ws, &c->peer) == 0)
		c->peer_ok = true;
}

static void
cli_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct cli *c = arg;
	uint32_t seq = seq_of(buf, len);

	c->rx++;
	if (c->relay) {
		struct sc_ws_seg seg = { buf, len };

		(void)sc_ws_send(ws, &seg, 1);
		return;
	}
	if (len < 4) {
		/* 1-octet message: its seq cannot be carried; check fill(). */
		if (content_ok(buf, len, SEQ_GREET))
			c->greet_rx++;
		else if (content_ok(buf, len, SEQ_SIZES))
			c->echo_rx++;
		else
			c->rx_bad++;
		return;
	}
	if (!content_ok(buf, len, seq)) {
		c->rx_bad++;
		return;
	}
	if (seq >= SEQ_BURST) {
		if (seq != c->next_burst)
			c->rx_bad++;
		c->next_burst = seq + 1;
		c->burst_rx++;
	} else if (seq >= SEQ_GREET) {
		c->greet_rx++;
	} else {
		c->echo_rx++;
		c->last_echo_seq = seq;
	}
}

static void
cli_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct cli *c = arg;

	(void)ws;
	c->closed = true;
	c->open = false;
	c->ws = NULL;
	c->ci = *ci;
	snprintf(c->detail, sizeof(c->detail), "%s", ci->detail != NULL ?
	    ci->detail : "");
	c->ci.detail = c->detail;
}

static void
cli_on_writable(struct sc_ws *ws, void *arg)
{
	struct cli *c = arg;

	(void)ws;
	c->writable = true;
}

static const struct sc_ws_cbs cli_cbs = {
	cli_on_open, cli_on_message, cli_on_writable, cli_on_close,
};

/* Run the loop until *flag is true or ms pass; return *flag. */
static bool
run_until(struct event_base *base, const bool *flag, unsigned ms)
{
	uint64_t end = clk_now_us() + CLK_MS(ms);

	while (!*flag && clk_now_us() < end)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	return *flag;
}

static void
run_for(struct event_base *base, unsigned ms)
{
	bool never = false;

	run_until(base, &never, ms);
}

static bool
cli_connect(struct event_base *base, struct cli *c, const char *uri,
    const struct sc_tls_ctx *tls, enum sc_ws_proto proto,
    const struct sc_ws_limits *lim)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	c->next_burst = SEQ_BURST;
	c->ws = sc_ws_connect(base, NULL, tls, uri, proto, lim, &cli_cbs, c,
	    err, sizeof(err));
	if (c->ws == NULL) {
		snprintf(c->detail, sizeof(c->detail), "%s", err);
		return false;
	}
	return true;
}

static void
send_msg(struct sc_ws *ws, size_t len, uint32_t seq)
{
	static uint8_t buf[200000];
	struct sc_ws_seg seg = { buf, len };
	enum sc_ws_send_rc rc;

	fill(buf, len, seq);
	rc = sc_ws_send(ws, &seg, 1);
	CHECK(rc == SC_WS_SEND_OK, "send of %zu octets: rc %d", len, (int)rc);
}

/* ---------------------------------------------------------- the tests */

struct env {
	struct event_base	*base;
	struct sc_tls_ctx	*hub, *node, *foreign, *expired, *noclient;
	const char		*host;		/* as given */
	const char		*bind;		/* address to listen on */
	char			 uri[128];	/* wss://host:port/ */
	struct srv		 srv;
	struct sc_ws_limits	 lim;
};

static void
t_messages(struct env *e)
{
	struct cli c;
	size_t i;
	uint8_t uuid[16];
	bool done = false;

	printf("messages both ways, content checked (%s)\n", e->uri);
	e->srv.greet = true;
	CHECK(cli_connect(e->base, &c, e->uri, e->node, SC_WS_PROTO_HUB,
	    &e->lim), "connect: %s", c.detail);
	CHECK(run_until(e->base, &c.open, 5000), "open: %s", c.detail);
	if (!c.open)
		return;
	CHECK(c.peer_ok && strstr(c.peer.subject, "CN=hub") != NULL,
	    "server subject '%s'", c.peer.subject);
	{
		/* Once open: the address connected to (the dial state is
		   gone), and the certificate read again from the session. */
		const char *pa = sc_ws_peer_addr(c.ws);
		const char *port = strrchr(e->uri, ':');
		struct sc_peer_cert again;
		char want[16];

		snprintf(want, sizeof(want), ":%u", port != NULL ?
		    (unsigned)strtoul(port + 1, NULL, 10) : 0u);
		CHECK(strlen(pa) > strlen(want) && strcmp(pa + strlen(pa) -
		    strlen(want), want) == 0, "peer address '%s', want *%s",
		    pa, want);
		CHECK(sc_ws_peer_cert(c.ws, &again) == 0 &&
		    strcmp(again.subject, c.peer.subject) == 0 &&
		    strcmp(again.sans, c.peer.sans) == 0,
		    "peer certificate read twice differs");
	}
	CHECK(strstr(c.peer.sans, "IP:127.0.0.1") != NULL, "sans '%s'",
	    c.peer.sans);
	CHECK(c.peer.not_after > 1700000000, "not_after %lld",
	    (long long)c.peer.not_after);
	if (read_uuid("hub", uuid))
		CHECK(c.peer.has_uuid && memcmp(uuid, c.peer.uuid, 16) == 0,
		    "hub UUID from the SAN");
	for (i = 0; i < NSIZES; i++)
		send_msg(c.ws, sizes[i], SEQ_SIZES + (uint32_t)i);
	for (i = 0; i < 500 && !done; i++) {
		run_for(e->base, 10);
		done = c.echo_rx + c.greet_rx >= 2 * NSIZES;
	}
	CHECK(c.echo_rx == NSIZES, "echoes %llu of %zu",
	    (unsigned long long)c.echo_rx, NSIZES);
	CHECK(c.greet_rx == NSIZES, "server messages %llu of %zu",
	    (unsigned long long)c.greet_rx, NSIZES);
	CHECK(c.rx_bad == 0, "client saw %llu bad messages",
	    (unsigned long long)c.rx_bad);
	CHECK(e->srv.rx_bad == 0, "server saw %llu bad messages",
	    (unsigned long long)e->srv.rx_bad);
	CHECK(strstr(e->srv.peer_subject, "CN=node1") != NULL,
	    "client subject '%s'", e->srv.peer_subject);
	CHECK(e->srv.peer_uuid_ok, "node1 UUID seen by the server");
	e->srv.greet = false;

	printf("burst of 3000 small messages in order\n");
	for (i = 0; i < 3000; i++)
		send_msg(c.ws, 30 + i % 7, SEQ_BURST + (uint32_t)i);
	for (i = 0; i < 1000 && c.burst_rx < 3000; i++)
		run_for(e->base, 10);
	CHECK(c.burst_rx == 3000 && c.rx_bad == 0, "burst: %llu back, %llu "
	    "bad", (unsigned long long)c.burst_rx,
	    (unsigned long long)c.rx_bad);

	printf("oversize message discarded, connection stays up\n");
	{
		uint64_t before = c.echo_rx;

		send_msg(c.ws, 66000, 7);
		send_msg(c.ws, 30, 8);
		for (i = 0; i < 300 && c.echo_rx == before; i++)
			run_for(e->base, 10);
		CHECK(e->srv.oversize == 1, "server discarded %llu",
		    (unsigned long long)e->srv.oversize);
		CHECK(c.echo_rx == before + 1 && c.open,
		    "message after the oversize one came back");
	}
	printf("frame above the transport cap: close 1009\n");
	send_msg(c.ws, 80000, 9);
	CHECK(run_until(e->base, &c.closed, 3000), "closed after 80000");
	CHECK(c.ci.status == SC_WS_CLOSE_TOO_BIG && c.ci.by_peer,
	    "status %u by_peer %d (%s)", c.ci.status, c.ci.by_peer,
	    c.ci.detail);
	run_for(e->base, 50);
}

static void
t_reconnect(struct env *e)
{
	struct cli c;
	struct sc_ws_seg seg = { CMD_CLOSE, sizeof(CMD_CLOSE) - 1 };
	int round;

	printf("reconnect after the server closes\n");
	for (round = 0; round < 2; round++) {
		uint64_t echoes;
		int i;

		CHECK(cli_connect(e->base, &c, e->uri, e->node,
		    SC_WS_PROTO_HUB, &e->lim), "connect: %s", c.detail);
		CHECK(run_until(e->base, &c.open, 5000), "open %d: %s", round,
		    c.detail);
		if (!c.open)
			return;
		send_msg(c.ws, 1500, SEQ_SIZES + 2);
		echoes = c.echo_rx;
		for (i = 0; i < 300 && c.echo_rx == echoes; i++)
			run_for(e->base, 10);
		CHECK(c.echo_rx == 1, "echo on round %d", round);
		CHECK(sc_ws_send(c.ws, &seg, 1) == SC_WS_SEND_OK, "send cmd");
		CHECK(run_until(e->base, &c.closed, 3000), "server closed");
		CHECK(c.ci.by_peer && c.ci.status == SC_WS_CLOSE_GOING_AWAY &&
		    c.ci.kind == SC_WS_ERR_NONE, "close: kind %s status %u",
		    sc_ws_err_name(c.ci.kind), c.ci.status);
	}
}

/* Connect with 64 KiB / 16 KiB output watermarks; true once open. */
static bool
cli_open_small_wm(struct env *e, struct cli *c)
{
	struct sc_ws_limits lim = e->lim;

	lim.out_high_wm = 64 * 1024;
	lim.out_low_wm = 16 * 1024;
	CHECK(cli_connect(e->base, c, e->uri, e->node, SC_WS_PROTO_HUB,
	    &lim), "connect");
	CHECK(run_until(e->base, &c->open, 5000), "open");
	return c->open;
}

static void
t_backpressure(struct env *e)
{
	struct sc_ws_stats st;
	struct cli c;
	uint8_t buf[1500];
	struct sc_ws_seg seg = { buf, sizeof(buf) };
	unsigned sent = 0, i;

	printf("back-pressure: send returns BUSY above the watermark, "
	    "on_writable follows\n");
	if (!cli_open_small_wm(e, &c))
		return;
	for (i = 0; i < 1000; i++) {
		enum sc_ws_send_rc rc;

		fill(buf, sizeof(buf), SEQ_SIZES + 2);
		rc = sc_ws_send(c.ws, &seg, 1);
		if (rc == SC_WS_SEND_BUSY)
			break;
		CHECK(rc == SC_WS_SEND_OK, "rc %d", (int)rc);
		sent++;
	}
	CHECK(i < 1000 && sent >= 40 && sent <= 50, "BUSY after %u sends "
	    "(64 KiB / 1506 octets per frame)", sent);
	CHECK(sc_ws_out_queued(c.ws) > 64 * 1024, "queued %zu",
	    sc_ws_out_queued(c.ws));
	CHECK(run_until(e->base, &c.writable, 3000), "on_writable");
	for (i = 0; i < 300 && c.echo_rx < sent; i++)
		run_for(e->base, 10);
	CHECK(c.echo_rx == sent && c.rx_bad == 0, "echoes %llu of %u",
	    (unsigned long long)c.echo_rx, sent);
	sc_ws_get_stats(c.ws, &st);
	CHECK(st.busy == 1 && st.msgs_out == sent && st.msgs_in == sent,
	    "stats busy %llu out %llu in %llu", (unsigned long long)st.busy,
	    (unsigned long long)st.msgs_out, (unsigned long long)st.msgs_in);
	sc_ws_close(c.ws, SC_WS_CLOSE_NORMAL);
	run_until(e->base, &c.closed, 3000);
}

/*
 * Both ends relay everything they receive back (as a router and a hub do
 * under overload) while the client keeps adding messages: each end's
 * output stays above the watermark.  If both ends stopped reading, each
 * would wait for the other for ever; afterwards the connection must still
 * carry a round trip.
 */
static void
t_both_relay(struct env *e)
{
	static uint8_t buf[16000];
	struct sc_ws_seg seg = { buf, sizeof(buf) };
	uint64_t t_end, added = 0;
	struct cli c;
	int i;

	printf("both ends relaying under overload: no mutual wait\n");
	if (!cli_open_small_wm(e, &c))
		return;
	c.relay = true;
	e->srv.relay = true;
	fill(buf, sizeof(buf), SEQ_SIZES + 3);
	t_end = clk_now_us() + CLK_MS(3000);
	while (clk_now_us() < t_end && c.ws != NULL) {
		if (sc_ws_send(c.ws, &seg, 1) == SC_WS_SEND_OK)
			added++;
		event_base_loop(e->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	}
	c.relay = false;
	run_for(e->base, 1000);
	CHECK(c.ws != NULL, "connection lost: %s", c.detail);
	if (c.ws == NULL) {
		e->srv.relay = false;
		return;
	}
	fill(buf, sizeof(buf), SEQ_SIZES + 4);
	CHECK(sc_ws_send(c.ws, &seg, 1) == SC_WS_SEND_OK, "send after");
	for (i = 0; i < 300 && c.last_echo_seq != SEQ_SIZES + 4; i++)
		run_for(e->base, 10);
	CHECK(c.last_echo_seq == SEQ_SIZES + 4, "no echo after the overload "
	    "(%llu messages added, %zu octets queued)",
	    (unsigned long long)added, sc_ws_out_queued(c.ws));
	printf("  %llu messages added in 3 s\n", (unsigned long long)added);
	e->srv.relay = false;
	sc_ws_close(c.ws, SC_WS_CLOSE_NORMAL);
	run_until(e->base, &c.closed, 3000);
}

static void
t_client_close(struct env *e)
{
	struct cli c;
	int closes;

	struct sc_tls_ctx *own = tls_for("node2", "ca");

	printf("client closes with 1000, server sees it (and the connection "
	    "keeps its TLS context after the owner dropped it)\n");
	CHECK(cli_connect(e->base, &c, e->uri, own, SC_WS_PROTO_HUB,
	    &e->lim), "connect");
	sc_tls_ctx_free(own);
	CHECK(run_until(e->base, &c.open, 5000), "open");
	if (!c.open)
		return;
	run_for(e->base, 100);
	closes = e->srv.closes;
	sc_ws_close(c.ws, SC_WS_CLOSE_NORMAL);
	CHECK(run_until(e->base, &c.closed, 3000), "closed");
	CHECK(c.ci.kind == SC_WS_ERR_NONE && !c.ci.by_peer &&
	    c.ci.status == SC_WS_CLOSE_NORMAL, "client: %s %u",
	    sc_ws_err_name(c.ci.kind), c.ci.status);
	run_for(e->base, 100);
	CHECK(e->srv.closes == closes + 1 && e->srv.last_close.by_peer &&
	    e->srv.last_close.status == SC_WS_CLOSE_NORMAL,
	    "server close seen: %d, status %u", e->srv.closes - closes,
	    e->srv.last_close.status);
}

/* Expect the attempt to fail with kind; return the listener's counters. */
static void
expect_refused_why(struct env *e, const char *what, struct sc_tls_ctx *tls,
    const char *uri, enum sc_ws_proto proto, enum sc_ws_err kind,
    const char *why)
{
	struct cli c;

	printf("refused: %s\n", what);
	if (!cli_connect(e->base, &c, uri, tls, proto, &e->lim)) {
		CHECK(0, "%s: connect: %s", what, c.detail);
		return;
	}
	CHECK(run_until(e->base, &c.closed, 15000), "%s: no outcome", what);
	CHECK(!c.open || c.ci.kind != SC_WS_ERR_NONE, "%s: opened", what);
	CHECK(c.ci.kind == kind, "%s: kind %s, want %s (%s)", what,
	    sc_ws_err_name(c.ci.kind), sc_ws_err_name(kind), c.detail);
	printf("  -> %s: %s\n", sc_ws_err_name(c.ci.kind), c.detail);
	if (why != NULL)
		CHECK(strstr(c.detail, why) != NULL, "%s: reason '%s' lacks "
		    "'%s'", what, c.detail, why);
	run_for(e->base, 50);
}

/* Expect the attempt to fail with kind. */
static void
expect_refused(struct env *e, const char *what, struct sc_tls_ctx *tls,
    const char *uri, enum sc_ws_proto proto, enum sc_ws_err kind)
{
	expect_refused_why(e, what, tls, uri, proto, kind, NULL);
}

static void
t_refusals(struct env *e)
{
	struct sc_ws_listener_stats st0, st1;
	struct sc_ws_listener *fl;
	char err[256], uri[128], hosturi[64];
	struct sc_ws_limits plain;
	struct cli c;
	uint16_t port;

	sc_ws_listener_stats(e->srv.l, &st0);
	expect_refused(e, "client certificate from a foreign CA", e->foreign,
	    e->uri, SC_WS_PROTO_HUB, SC_WS_ERR_TLS);
	expect_refused(e, "expired client certificate", e->expired, e->uri,
	    SC_WS_PROTO_HUB, SC_WS_ERR_TLS);
	expect_refused(e, "client certificate without clientAuth", e->noclient,
	    e->uri, SC_WS_PROTO_HUB, SC_WS_ERR_TLS);
	run_for(e->base, 200);
	sc_ws_listener_stats(e->srv.l, &st1);
	CHECK(st1.refused_tls - st0.refused_tls == 3,
	    "listener counted %llu TLS refusals, want 3",
	    (unsigned long long)(st1.refused_tls - st0.refused_tls));
	CHECK(st1.opened == st0.opened, "listener opened a refused one");

	expect_refused(e, "wrong subprotocol (dc to a hub listener)", e->node,
	    e->uri, SC_WS_PROTO_DC, SC_WS_ERR_HTTP);
	run_for(e->base, 100);
	sc_ws_listener_stats(e->srv.l, &st0);
	CHECK(st0.refused_http - st1.refused_http == 1, "http refusals %llu",
	    (unsigned long long)(st0.refused_http - st1.refused_http));

	/* A server with a certificate from a foreign CA. */
	fl = sc_ws_listen(e->base, e->foreign, e->bind, 0, SC_WS_PROTO_HUB,
	    &e->lim, srv_on_accept, &e->srv, err, sizeof(err));
	CHECK(fl != NULL, "foreign listener: %s", err);
	if (fl != NULL) {
		const char *h = strchr(e->host, ':') ? "[::1]" : e->host;

		snprintf(uri, sizeof(uri), "wss://%s:%u/", h,
		    sc_ws_listener_port(fl));
		expect_refused(e, "server certificate from a foreign CA",
		    e->node, uri, SC_WS_PROTO_HUB, SC_WS_ERR_TLS);
		port = sc_ws_listener_port(fl);
		sc_ws_listener_free(fl);
		/* Nobody listens there now. */
		snprintf(uri, sizeof(uri), "wss://%s:%u/", h, port);
		/* The reason names the last address tried. */
		snprintf(err, sizeof(err), ":%u: ", port);
		expect_refused_why(e, "TCP connection refused", e->node, uri,
		    SC_WS_PROTO_HUB, SC_WS_ERR_TCP, err);
	}
	{
		struct sc_ws_limits quick = e->lim;

		quick.handshake_ms = 3000;
		printf("refused: unknown host name\n");
		CHECK(cli_connect(e->base, &c, "wss://no-such-host.invalid:1/",
		    e->node, SC_WS_PROTO_HUB, &quick), "connect");
		/* While resolving, the peer is the name. */
		CHECK(c.ws != NULL && strcmp(sc_ws_peer_addr(c.ws),
		    "no-such-host.invalid") == 0, "peer address '%s'",
		    c.ws != NULL ? sc_ws_peer_addr(c.ws) : "");
		CHECK(run_until(e->base, &c.closed, 8000), "dns outcome");
		CHECK(c.ci.kind == SC_WS_ERR_DNS, "kind %s (%s)",
		    sc_ws_err_name(c.ci.kind), c.detail);
		printf("  -> %s: %s\n", sc_ws_err_name(c.ci.kind), c.detail);
	}
	/* A listener that checks the CRL: revoked refused, node1 accepted. */
	{
		struct sc_tls_ctx *hubcrl = tls_for_crl("hub", "ca", "crl");
		struct sc_tls_ctx *revoked = tls_for("revoked", "ca");
		const char *h = strchr(e->host, ':') ? "[::1]" : e->host;

		fl = sc_ws_listen(e->base, hubcrl, e->bind, 0, SC_WS_PROTO_HUB,
		    &e->lim, srv_on_accept, &e->srv, err, sizeof(err));
		CHECK(fl != NULL, "CRL listener: %s", err);
		if (fl != NULL) {
			snprintf(uri, sizeof(uri), "wss://%s:%u/", h,
			    sc_ws_listener_port(fl));
			expect_refused(e, "revoked client certificate (CRL)",
			    revoked, uri, SC_WS_PROTO_HUB, SC_WS_ERR_TLS);
			printf("CRL listener accepts a good certificate\n");
			CHECK(cli_connect(e->base, &c, uri, e->node,
			    SC_WS_PROTO_HUB, &e->lim), "connect");
			CHECK(run_until(e->base, &c.open, 5000), "open: %s",
			    c.detail);
			if (c.open) {
				sc_ws_close(c.ws, SC_WS_CLOSE_NORMAL);
				run_until(e->base, &c.closed, 3000);
			}
			run_for(e->base, 50);
			sc_ws_listener_free(fl);
		}
		sc_tls_ctx_free(hubcrl);
		sc_tls_ctx_free(revoked);
	}
	/* Plaintext ws:// only when configured. */
	snprintf(hosturi, sizeof(hosturi), "ws://127.0.0.1:1/");
	CHECK(!cli_connect(e->base, &c, hosturi, NULL, SC_WS_PROTO_HUB,
	    &e->lim), "ws:// accepted without allow_plaintext");
	CHECK(sc_ws_listen(e->base, NULL, "127.0.0.1", 0, SC_WS_PROTO_HUB,
	    &e->lim, srv_on_accept, &e->srv, err, sizeof(err)) == NULL,
	    "plaintext listener without allow_plaintext");
	plain = e->lim;
	plain.allow_plaintext = true;
	fl = sc_ws_listen(e->base, NULL, "127.0.0.1", 0, SC_WS_PROTO_DC,
	    &plain, srv_on_accept, &e->srv, err, sizeof(err));
	CHECK(fl != NULL, "plaintext listener: %s", err);
	if (fl != NULL) {
		struct sc_peer_cert pc;
		uint64_t before;
		int i;

		printf("plaintext ws:// when configured (tests only)\n");
		snprintf(uri, sizeof(uri), "ws://127.0.0.1:%u/",
		    sc_ws_listener_port(fl));
		CHECK(cli_connect(e->base, &c, uri, NULL, SC_WS_PROTO_DC,
		    &plain), "connect: %s", c.detail);
		CHECK(run_until(e->base, &c.open, 3000), "open: %s", c.detail);
		if (c.open) {
			before = c.echo_rx;
			send_msg(c.ws, 1500, SEQ_SIZES + 2);
			for (i = 0; i < 300 && c.echo_rx == before; i++)
				run_for(e->base, 10);
			CHECK(c.echo_rx == before + 1, "plaintext echo");
			CHECK(sc_ws_peer_cert(c.ws, &pc) != 0, "no peer cert");
			sc_ws_close(c.ws, SC_WS_CLOSE_NORMAL);
			run_until(e->base, &c.closed, 3000);
		}
		sc_ws_listener_free(fl);
	}
}

/*
 * Open clients to a listener until one is refused; return how many
 * opened (at most NCLI).  Each client in cs must be closed by the caller.
 */
#define NCLI 4
static int
open_until_refused(struct env *e, const char *uri, struct cli *cs, int n,
    bool *refused)
{
	int i;

	*refused = false;
	for (i = 0; i < n; i++) {
		CHECK(cli_connect(e->base, &cs[i], uri, e->node,
		    SC_WS_PROTO_HUB, &e->lim), "connect: %s", cs[i].detail);
		while (!cs[i].open && !cs[i].closed)
			run_for(e->base, 10);
		if (!cs[i].open) {
			*refused = true;
			break;
		}
	}
	return i;
}

static void
close_all(struct env *e, struct cli *cs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (cs[i].open && !cs[i].closed) {
			sc_ws_close(cs[i].ws, SC_WS_CLOSE_NORMAL);
			run_until(e->base, &cs[i].closed, 3000);
		}
	}
	run_for(e->base, 100);
}

/* A hub listener with lim; its URI into uri.  NULL on failure. */
static struct sc_ws_listener *
limited_listener(struct env *e, const struct sc_ws_limits *lim, char *uri,
    size_t urilen)
{
	struct sc_ws_listener *fl;
	const char *h = strchr(e->host, ':') ? "[::1]" : e->host;
	char err[256];

	fl = sc_ws_listen(e->base, e->hub, e->bind, 0, SC_WS_PROTO_HUB, lim,
	    srv_on_accept, &e->srv, err, sizeof(err));
	CHECK(fl != NULL, "listener: %s", err);
	if (fl != NULL)
		snprintf(uri, urilen, "wss://%s:%u/", h,
		    sc_ws_listener_port(fl));
	return fl;
}

static void
t_limits(struct env *e)
{
	struct sc_ws_listener_stats st;
	struct sc_ws_listener *fl;
	struct sc_ws_limits lim = e->lim;
	struct cli cs[NCLI + 1];
	char uri[128];
	bool refused;
	int n;

	printf("listener: 2 connections per source address\n");
	lim.max_per_source = 2;
	if ((fl = limited_listener(e, &lim, uri, sizeof(uri))) == NULL)
		return;
	n = open_until_refused(e, uri, cs, NCLI, &refused);
	CHECK(n == 2 && refused, "%d opened before a refusal (want 2)", n);
	run_for(e->base, 50);
	sc_ws_listener_stats(fl, &st);
	CHECK(st.refused_per_source == 1 && st.conns == 2 && st.sources == 1,
	    "refused_per_source %llu conns %u sources %zu",
	    (unsigned long long)st.refused_per_source, st.conns, st.sources);
	/* A closed connection gives its slot back. */
	close_all(e, cs, 1);
	sc_ws_listener_stats(fl, &st);
	CHECK(st.conns == 1, "conns %u after one close", st.conns);
	n = open_until_refused(e, uri, cs + 2, 2, &refused);
	CHECK(n == 1 && refused, "%d more opened after a close (want 1)", n);
	close_all(e, cs, NCLI);
	/* Stopping the listener leaves the open connection running. */
	CHECK(cli_connect(e->base, &cs[0], uri, e->node, SC_WS_PROTO_HUB,
	    &e->lim), "connect");
	CHECK(run_until(e->base, &cs[0].open, 5000), "open: %s", cs[0].detail);
	sc_ws_listener_free(fl);
	CHECK(!cs[0].closed, "listener free closed an open connection");
	close_all(e, cs, 1);

	printf("listener: 3 connections in total\n");
	lim.max_per_source = 0;
	lim.max_conns = 3;
	if ((fl = limited_listener(e, &lim, uri, sizeof(uri))) == NULL)
		return;
	n = open_until_refused(e, uri, cs, NCLI + 1, &refused);
	CHECK(n == 3 && refused, "%d opened before a refusal (want 3)", n);
	run_for(e->base, 50);
	sc_ws_listener_stats(fl, &st);
	CHECK(st.refused_full == 1 && st.refused_per_source == 0 &&
	    st.conns == 3, "refused_full %llu conns %u",
	    (unsigned long long)st.refused_full, st.conns);
	close_all(e, cs, NCLI + 1);
	sc_ws_listener_stats(fl, &st);
	CHECK(st.conns == 0 && st.sources == 0 && st.pending == 0,
	    "after closing all: conns %u sources %zu pending %u", st.conns,
	    st.sources, st.pending);
	sc_ws_listener_free(fl);
}

static int
selftest(const char *host)
{
	struct env e;
	char err[256];

	memset(&e, 0, sizeof(e));
	e.host = host;
	e.bind = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
	e.base = event_base_new();
	e.hub = tls_for("hub", "ca");
	e.node = tls_for("node1", "ca");
	e.foreign = tls_for("foreign", "ca");
	e.expired = tls_for("expired", "ca");
	e.noclient = tls_for("noclientauth", "ca");
	sc_ws_limits_default(&e.lim);
	e.lim.frame_cap = 70000;	/* 65535 < x <= 70000: discarded */
	e.srv.base = e.base;
	e.srv.l = sc_ws_listen(e.base, e.hub, e.bind, 0, SC_WS_PROTO_HUB,
	    &e.lim, srv_on_accept, &e.srv, err, sizeof(err));
	if (e.srv.l == NULL) {
		printf("listen: %s\n", err);
		return 2;
	}
	/* The client may send above the cap, to test the receiver. */
	e.lim.frame_cap = 200000;
	if (strchr(host, ':') != NULL)
		snprintf(e.uri, sizeof(e.uri), "wss://[%s]:%u/", host,
		    sc_ws_listener_port(e.srv.l));
	else
		snprintf(e.uri, sizeof(e.uri), "wss://%s:%u/", host,
		    sc_ws_listener_port(e.srv.l));
	t_messages(&e);
	t_reconnect(&e);
	t_backpressure(&e);
	t_both_relay(&e);
	t_client_close(&e);
	t_refusals(&e);
	t_limits(&e);
	sc_ws_listener_free(e.srv.l);
	run_for(e.base, 100);
	sc_tls_ctx_free(e.hub);
	sc_tls_ctx_free(e.node);
	sc_tls_ctx_free(e.foreign);
	sc_tls_ctx_free(e.expired);
	sc_tls_ctx_free(e.noclient);
	event_base_free(e.base);
	printf("selftest %s: %d failures\n", host, sct_failures);
	return sct_failures == 0 ? 0 : 1;
}

/* -------------------------------------------------------- server mode */

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

static int
server(const char *addr, const char *handshake_ms)
{
	struct event_base *base = event_base_new();
	struct sc_tls_ctx *hub = tls_for("hub", "ca");
	struct sc_ws_listener_stats st;
	struct sc_ws_limits lim;
	struct event *sigterm, *sigint;
	struct srv s;
	char err[256];

	memset(&s, 0, sizeof(s));
	s.base = base;
	s.verbose = true;
	sc_ws_limits_default(&lim);
	lim.handshake_ms = (unsigned)atoi(handshake_ms);
	s.l = sc_ws_listen(base, hub, addr, 0, SC_WS_PROTO_HUB, &lim,
	    srv_on_accept, &s, err, sizeof(err));
	if (s.l == NULL) {
		fprintf(stderr, "listen: %s\n", err);
		return 2;
	}
	sigterm = evsignal_new(base, SIGTERM, on_signal, base);
	sigint = evsignal_new(base, SIGINT, on_signal, base);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	printf("LISTENING %u\n", sc_ws_listener_port(s.l));
	fflush(stdout);
	event_base_dispatch(base);
	sc_ws_listener_stats(s.l, &st);
	printf("STATS accepted=%llu opened=%llu refused_tls=%llu "
	    "refused_http=%llu refused_timeout=%llu dropped=%llu\n",
	    (unsigned long long)st.accepted, (unsigned long long)st.opened,
	    (unsigned long long)st.refused_tls,
	    (unsigned long long)st.refused_http,
	    (unsigned long long)st.refused_timeout,
	    (unsigned long long)st.dropped_tcp);
	if (s.ws != NULL)
		sc_ws_free(s.ws);
	sc_ws_listener_free(s.l);
	event_free(sigterm);
	event_free(sigint);
	sc_tls_ctx_free(hub);
	event_base_free(base);
	return 0;
}

/* A key file readable by others is refused; the 0600 one is accepted. */
static int
keycheck(void)
{
	struct sc_tls_config c;
	char cert[512], key[512], loose[512], ca[512], err[512];
	struct sc_tls_ctx *t;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	snprintf(cert, sizeof(cert), "%s/node2.pem", pki);
	snprintf(key, sizeof(key), "%s/node2.key", pki);
	snprintf(loose, sizeof(loose), "%s/loose.key", pki);
	snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
	c.cert_file = cert;
	c.key_file = loose;
	c.ca_files[0] = ca;
	c.n_ca_files = 1;
	t = sc_tls_ctx_new(&c, err, sizeof(err));
	if (t != NULL || strstr(err, "accessible by group or others") == NULL) {
		printf("loose key: %s\n", t != NULL ? "accepted" : err);
		rc = 1;
	} else {
		printf("loose key refused: %s\n", err);
	}
	sc_tls_ctx_free(t);
	c.key_file = key;
	t = sc_tls_ctx_new(&c, err, sizeof(err));
	if (t == NULL) {
		printf("0600 key refused: %s\n", err);
		rc = 1;
	}
	sc_tls_ctx_free(t);
	return rc;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	log_open("sc_transport_test", LOG_TARGET_STDERR);
	if (argc == 4 && strcmp(argv[1], "selftest") == 0) {
		pki = argv[2];
		setvbuf(stdout, NULL, _IOLBF, 0);
		return selftest(argv[3]);
	}
	if (argc == 3 && strcmp(argv[1], "keycheck") == 0) {
		pki = argv[2];
		return keycheck();
	}
	if (argc == 5 && strcmp(argv[1], "server") == 0) {
		pki = argv[2];
		return server(argv[3], argv[4]);
	}
	fprintf(stderr, "usage: %s selftest PKI_DIR HOST\n"
	    "       %s server PKI_DIR ADDR HANDSHAKE_MS\n", argv[0], argv[0]);
	return 2;
}
