/*
 * SC transport benchmark (not a test): one mutual-TLS 1.3 WebSocket over
 * loopback, hub subprotocol, client and server in one process on one
 * event loop (as in the daemon).
 *
 *   sc_ws_bench PKI_DIR [-n ROUND_TRIPS] [-t SECONDS] [-a ADDR]
 *               [-o RESULTS_FILE]
 *
 * 1. Round-trip latency: a 30-octet message, echoed; the next one is sent
 *    when the echo arrives.  Median and p99.
 * 2. One-way throughput for 30- and 1500-octet messages: the client sends
 *    as fast as the output watermark allows for SECONDS; messages/s counted
 *    at the receiver.
 * With -o, one dated line is appended to RESULTS_FILE.
 * Make a PKI first: tools/bacsc-testpki DIR.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "sc/sc_tls.h"
#include "sc/sc_ws.h"

enum bench_phase { PH_RTT, PH_FLOOD };

struct bench {
	struct event_base	*base;
	struct sc_ws		*cli, *srv;
	enum bench_phase	 phase;
	bool			 open, accepted, done;
	uint8_t			 msg[1500];
	size_t			 msg_len;
	/* rtt */
	uint64_t		*rtt;
	size_t			 n_rtt, want_rtt;
	uint64_t		 t_sent;
	/* flood */
	uint64_t		 rx, tx, busy;
	uint64_t		 t_end;
};

static void
srv_msg(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct bench *b = arg;
	struct sc_ws_seg seg = { buf, len };

	if (b->phase == PH_RTT)
		(void)sc_ws_send(ws, &seg, 1);
	else
		b->rx++;
}

static void
srv_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct bench *b = arg;

	(void)ws;
	(void)ci;
	b->srv = NULL;
}

static void
on_accept(struct sc_ws_listener *l, struct sc_ws *ws, void *arg)
{
	static const struct sc_ws_cbs cbs = { NULL, srv_msg, NULL, srv_close };
	struct bench *b = arg;

	(void)l;
	b->srv = ws;
	b->accepted = true;
	sc_ws_set_cbs(ws, &cbs, b);
}

static void
rtt_send(struct bench *b)
{
	struct sc_ws_seg seg = { b->msg, 30 };

	b->t_sent = clk_now_us();
	(void)sc_ws_send(b->cli, &seg, 1);
}

static void
flood(struct bench *b)
{
	struct sc_ws_seg seg = { b->msg, b->msg_len };
	int i;

	if (b->phase != PH_FLOOD || b->done)
		return;
	if (clk_now_us() >= b->t_end) {
		b->done = true;
		return;
	}
	for (i = 0; i < 4096; i++) {
		if (sc_ws_send(b->cli, &seg, 1) != SC_WS_SEND_OK) {
			b->busy++;
			return;	/* on_writable resumes */
		}
		b->tx++;
	}
}

static void
flood_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flood(arg);
}

static void
cli_open(struct sc_ws *ws, void *arg)
{
	struct bench *b = arg;

	(void)ws;
	b->open = true;
}

static void
cli_msg(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct bench *b = arg;

	(void)ws;
	(void)buf;
	(void)len;
	if (b->phase != PH_RTT)
		return;
	b->rtt[b->n_rtt++] = clk_now_us() - b->t_sent;
	if (b->n_rtt < b->want_rtt)
		rtt_send(b);
	else
		b->done = true;
}

static void
cli_writable(struct sc_ws *ws, void *arg)
{
	(void)ws;
	flood(arg);
}

static void
cli_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct bench *b = arg;

	(void)ws;
	fprintf(stderr, "client closed: %s %u %s\n", sc_ws_err_name(ci->kind),
	    ci->status, ci->detail);
	b->cli = NULL;
	b->done = true;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct sc_tls_ctx *
ctx(const char *pki, const char *name)
{
	struct sc_tls_config c;
	char cert[512], key[512], ca[512], err[512];
	struct sc_tls_ctx *t;

	memset(&c, 0, sizeof(c));
	snprintf(cert, sizeof(cert), "%s/%s.pem", pki, name);
	snprintf(key, sizeof(key), "%s/%s.key", pki, name);
	snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
	c.cert_file = cert;
	c.key_file = key;
	c.ca_files[0] = ca;
	c.n_ca_files = 1;
	if ((t = sc_tls_ctx_new(&c, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return t;
}

static uint64_t
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)
	    ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_sec * 1000000u +
	    (uint64_t)ru.ru_stime.tv_usec;
}

/*
 * Throughput for one message size; return messages per second and, in
 * *cpu_per_msg, the process CPU time (both ends) per message in us.
 */
static double
run_flood(struct bench *b, size_t len, unsigned secs, double *cpu_per_msg)
{
	uint64_t c0 = cpu_us();
	struct event *kick;
	uint64_t t0, rx0;
	double dt;

	b->phase = PH_FLOOD;
	b->msg_len = len;
	b->done = false;
	b->rx = b->tx = 0;
	t0 = clk_now_us();
	b->t_end = t0 + CLK_SEC(secs);
	/* A timer keeps the sender going even if no write event comes. */
	kick = event_new(b->base, -1, EV_PERSIST, flood_cb, b);
	{
		struct timeval tv = { 0, 1000 };

		event_add(kick, &tv);
	}
	flood(b);
	while (!b->done)
		event_base_loop(b->base, EVLOOP_ONCE);
	event_free(kick);
	/* Let the receiver drain what is in flight, then measure. */
	rx0 = b->tx;
	while (b->rx < rx0 && b->cli != NULL)
		event_base_loop(b->base, EVLOOP_ONCE);
	dt = (double)(clk_now_us() - t0) / 1e6;
	*cpu_per_msg = b->rx > 0 ? (double)(cpu_us() - c0) / (double)b->rx :
	    0;
	return (double)b->rx / dt;
}

int
main(int argc, char **argv)
{
	const char *pki, *addr = "127.0.0.1", *out = NULL;
	unsigned secs = 2;
	struct bench b;
	struct sc_tls_ctx *hub, *node;
	struct sc_ws_listener *l;
	struct sc_ws_cbs cbs = { cli_open, cli_msg, cli_writable, cli_close };
	char err[256], uri[128], line[512], date[32];
	double p50, p99, mps30, mps1500, cpu30, cpu1500, load;
	struct utsname un;
	time_t now;
	int opt;

	memset(&b, 0, sizeof(b));
	b.want_rtt = 20000;
	if (argc < 2) {
		fprintf(stderr, "usage: %s PKI_DIR [-n N] [-t S] [-a ADDR] "
		    "[-o FILE]\n", argv[0]);
		return 2;
	}
	pki = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "n:t:a:o:")) != -1) {
		switch (opt) {
		case 'n':
			b.want_rtt = (size_t)atol(optarg);
			break;
		case 't':
			secs = (unsigned)atoi(optarg);
			break;
		case 'a':
			addr = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	log_open("sc_ws_bench", LOG_TARGET_STDERR);
	b.base = event_base_new();
	hub = ctx(pki, "hub");
	node = ctx(pki, "node1");
	l = sc_ws_listen(b.base, hub, addr, 0, SC_WS_PROTO_HUB, NULL,
	    on_accept, &b, err, sizeof(err));
	if (l == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(uri, sizeof(uri), strchr(addr, ':') ? "wss://[%s]:%u/" :
	    "wss://%s:%u/", addr, sc_ws_listener_port(l));
	b.cli = sc_ws_connect(b.base, NULL, node, uri, SC_WS_PROTO_HUB, NULL,
	    &cbs, &b, err, sizeof(err));
	if (b.cli == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	while (!(b.open && b.accepted) && b.cli != NULL)
		event_base_loop(b.base, EVLOOP_ONCE);
	if (b.cli == NULL)
		return 1;
	memset(b.msg, 0x5a, sizeof(b.msg));

	b.rtt = calloc(b.want_rtt, sizeof(*b.rtt));
	b.phase = PH_RTT;
	rtt_send(&b);
	while (!b.done)
		event_base_loop(b.base, EVLOOP_ONCE);
	qsort(b.rtt, b.n_rtt, sizeof(*b.rtt), cmp_u64);
	p50 = (double)b.rtt[b.n_rtt / 2];
	p99 = (double)b.rtt[b.n_rtt * 99 / 100];

	mps30 = run_flood(&b, 30, secs, &cpu30);
	mps1500 = run_flood(&b, 1500, secs, &cpu1500);

	if (getloadavg(&load, 1) != 1)
		load = -1;
	now = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", gmtime(&now));
	uname(&un);
	snprintf(line, sizeof(line), "- %s UTC, %s, %ld cores (shared), "
	    "sc_ws_bench %s: TLS 1.3 %s, round trip 30 B median %.0f us / "
	    "p99 %.0f us (%zu), 30 B %.0f msgs/s (%.2f us CPU/msg), 1500 B "
	    "%.0f msgs/s (%.2f us CPU/msg) (%u s each, one connection, "
	    "client+server in one process, load avg %.1f)\n", date,
	    un.machine, sysconf(_SC_NPROCESSORS_ONLN), addr,
	    "TLS_AES_128_GCM_SHA256/P-256", p50, p99, b.n_rtt, mps30, cpu30,
	    mps1500, cpu1500, secs, load);
	fputs(line, stdout);
	if (out != NULL) {
		FILE *f = fopen(out, "a");

		if (f != NULL) {
			fputs(line, f);
			fclose(f);
		}
	}
	if (b.cli != NULL)
		sc_ws_free(b.cli);
	if (b.srv != NULL)
		sc_ws_free(b.srv);
	sc_ws_listener_free(l);
	sc_tls_ctx_free(hub);
	sc_tls_ctx_free(node);
	free(b.rtt);
	event_base_free(b.base);
	return 0;
}
