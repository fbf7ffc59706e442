/*
 * Certificate rollover and CRL reload over real TLS 1.3 WebSocket
 * connections on 127.0.0.1 (driven by tests/e2e/sc_cert.sh):
 *
 *   sc_cert_tls_test PKI_DIR	(a bacsc-testpki folder)
 *
 * A hub listener trusting two issuers (ca and foreign-ca) accepts nodes
 * signed by either.  Then the hub reloads (sc_cert_tls_reload +
 * sc_tls_ctx_replace, as the daemon does on SIGHUP) with ca only and
 * ca's CRL, which revokes `revoked`: the connections established before
 * the reload keep exchanging messages, a new connection with the revoked
 * certificate or from the dropped issuer is refused, a good node still
 * connects.  Prints "N passed, M failed"; exit 0 if none failed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "sc/sc_cert.h"
#include "sc/sc_tls.h"
#include "sc/sc_ws.h"

static const char *pki;
static struct event_base *base;
static int passed, failed;

#define CHECK(cond, what)						\
	do {								\
		if (cond) {						\
			passed++;					\
			printf("ok: %s\n", what);			\
		} else {						\
			failed++;					\
			printf("FAIL: %s (%s:%d: %s)\n", what, __FILE__,\
			    __LINE__, #cond);				\
		}							\
	} while (0)

static const char *
pki_file(const char *name, const char *ext)
{
	static char buf[16][512];
	static int k;

	k = (k + 1) % 16;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s%s", pki, name, ext);
	return buf[k];
}

/* TLS set of NAME trusting the given issuers (and crl, may be NULL). */
static void
tls_cfg(struct sc_tls_config *c, const char *name, const char *ca1,
    const char *ca2, const char *crl)
{
	memset(c, 0, sizeof(*c));
	c->cert_file = pki_file(name, ".pem");
	c->key_file = pki_file(name, ".key");
	c->ca_files[c->n_ca_files++] = pki_file(ca1, ".pem");
	if (ca2 != NULL)
		c->ca_files[c->n_ca_files++] = pki_file(ca2, ".pem");
	c->crl_file = crl != NULL ? pki_file(crl, ".pem") : NULL;
}

static struct sc_tls_ctx *
tls_new(const char *name, const char *ca1, const char *ca2)
{
	struct sc_tls_config c;
	struct sc_tls_ctx *t;
	char err[512];

	tls_cfg(&c, name, ca1, ca2, NULL);
	if ((t = sc_tls_ctx_new(&c, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sc_cert_tls_test: %s\n", err);
		exit(1);
	}
	return t;
}

/* ------------------------------------------------------- echo server */

static void
srv_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct sc_ws_seg seg = { buf, len };

	(void)arg;
	(void)sc_ws_send(ws, &seg, 1);
}

/* Accepted connections, to free them at the end. */
static struct sc_ws *srv_conns[32];

static void
srv_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	size_t i;

	(void)ci;
	(void)arg;
	for (i = 0; i < sizeof(srv_conns) / sizeof(srv_conns[0]); i++)
		if (srv_conns[i] == ws)
			srv_conns[i] = NULL;
}

static void
srv_on_accept(struct sc_ws_listener *l, struct sc_ws *ws, void *arg)
{
	static const struct sc_ws_cbs cbs = {
		.on_message = srv_on_message,
		.on_close = srv_on_close,
	};

	size_t i;

	(void)l;
	sc_ws_set_cbs(ws, &cbs, arg);
	for (i = 0; i < sizeof(srv_conns) / sizeof(srv_conns[0]); i++)
		if (srv_conns[i] == NULL) {
			srv_conns[i] = ws;
			break;
		}
}

/* ------------------------------------------------------------ clients */

struct cli {
	struct sc_ws	*ws;
	bool		 opened, closed;
	enum sc_ws_err	 kind;
	unsigned	 echoes;
};

static void
cli_on_open(struct sc_ws *ws, void *arg)
{
	(void)ws;
	((struct cli *)arg)->opened = true;
}

static void
cli_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	(void)ws;
	if (len == 5 && memcmp(buf, "hello", 5) == 0)
		((struct cli *)arg)->echoes++;
}

static void
cli_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct cli *c = arg;

	(void)ws;
	c->closed = true;
	c->kind = ci->kind;
	c->ws = NULL;
}

/* Run the loop until c opened or closed, or about 5 s passed. */
static void
run_until_settled(const struct cli *c)
{
	uint64_t end = clk_now_us() + CLK_SEC(5);
	struct timeval tv = { 0, 20000 };

	while (!c->opened && !c->closed && clk_now_us() < end) {
		event_base_loopexit(base, &tv);
		event_base_loop(base, EVLOOP_ONCE);
	}
}

static void
cli_connect(struct cli *c, struct sc_tls_ctx *tls, uint16_t port)
{
	static const struct sc_ws_cbs cbs = {
		.on_open = cli_on_open,
		.on_message = cli_on_message,
		.on_close = cli_on_close,
	};
	char uri[64], err[256];

	memset(c, 0, sizeof(*c));
	snprintf(uri, sizeof(uri), "wss://127.0.0.1:%u/", (unsigned)port);
	c->ws = sc_ws_connect(base, NULL, tls, uri, SC_WS_PROTO_HUB, NULL,
	    &cbs, c, err, sizeof(err));
	if (c->ws == NULL) {
		fprintf(stderr, "sc_cert_tls_test: %s\n", err);
		exit(1);
	}
	run_until_settled(c);
}

/* Send "hello" and wait for its echo; true if it came back. */
static bool
cli_echo(struct cli *c)
{
	struct sc_ws_seg seg = { "hello", 5 };
	unsigned before = c->echoes;
	bool got = false;
	uint64_t end = clk_now_us() + CLK_SEC(5);
	struct timeval tv = { 0, 20000 };

	if (c->ws == NULL || sc_ws_send(c->ws, &seg, 1) != SC_WS_SEND_OK)
		return false;
	while (!got && clk_now_us() < end) {
		event_base_loopexit(base, &tv);
		event_base_loop(base, EVLOOP_ONCE);
		got = c->echoes > before;
	}
	return got;
}

static void
cli_free(struct cli *c)
{
	sc_ws_free(c->ws);
	c->ws = NULL;
}

int
main(int argc, char **argv)
{
	struct sc_tls_ctx *hub, *node1, *foreign, *revoked, *fresh;
	struct sc_ws_listener *l;
	struct sc_tls_config hc;
	struct cli a, b, r, x;
	uint16_t port;
	char err[512];
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: sc_cert_tls_test PKI_DIR\n");
		return 2;
	}
	pki = argv[1];
	if ((base = event_base_new()) == NULL)
		return 1;
	/* Rollover: the hub trusts the old and the new issuer. */
	hub = tls_new("hub", "ca", "foreign-ca");
	node1 = tls_new("node1", "ca", NULL);
	foreign = tls_new("foreign", "ca", NULL);
	revoked = tls_new("revoked", "ca", NULL);
	l = sc_ws_listen(base, hub, "127.0.0.1", 0, SC_WS_PROTO_HUB, NULL,
	    srv_on_accept, NULL, err, sizeof(err));
	if (l == NULL) {
		fprintf(stderr, "sc_cert_tls_test: %s\n", err);
		return 1;
	}
	port = sc_ws_listener_port(l);

	cli_connect(&a, node1, port);
	CHECK(a.opened && cli_echo(&a), "two issuers: node signed by ca");
	cli_connect(&b, foreign, port);
	CHECK(b.opened && cli_echo(&b),
	    "two issuers: node signed by foreign-ca");
	cli_connect(&r, revoked, port);
	CHECK(r.opened && cli_echo(&r), "no CRL yet: revoked node accepted");

	/* SIGHUP: ca only, with its CRL (revokes `revoked`). */
	tls_cfg(&hc, "hub", "ca", NULL, "crl");
	fresh = sc_cert_tls_reload(&hc, time(NULL), err, sizeof(err));
	CHECK(fresh != NULL, "reload builds a new context");
	if (fresh == NULL) {
		fprintf(stderr, "sc_cert_tls_test: %s\n", err);
		return 1;
	}
	sc_tls_ctx_replace(hub, fresh);

	CHECK(cli_echo(&a), "after reload: established ca node still up");
	CHECK(cli_echo(&b),
	    "after reload: established foreign-ca node still up");
	CHECK(cli_echo(&r), "after reload: established revoked node still up");
	cli_connect(&x, revoked, port);
	CHECK(!x.opened && x.closed && x.kind == SC_WS_ERR_TLS,
	    "after reload: new revoked connection refused (TLS)");
	cli_free(&x);
	cli_connect(&x, foreign, port);
	CHECK(!x.opened && x.closed && x.kind == SC_WS_ERR_TLS,
	    "after reload: new connection from dropped issuer refused");
	cli_free(&x);
	cli_connect(&x, node1, port);
	CHECK(x.opened && cli_echo(&x), "after reload: good node accepted");
	cli_free(&x);

	/* A broken reload keeps the running context. */
	tls_cfg(&hc, "hub", "ca", NULL, "hub");	/* a certificate as CRL */
	CHECK(sc_cert_tls_reload(&hc, time(NULL), err, sizeof(err)) == NULL,
	    "reload with a bad CRL file fails");
	cli_connect(&x, node1, port);
	CHECK(x.opened && cli_echo(&x), "running context kept after it");
	cli_free(&x);

	cli_free(&a);
	cli_free(&b);
	cli_free(&r);
	sc_ws_listener_free(l);
	for (i = 0; i < sizeof(srv_conns) / sizeof(srv_conns[0]); i++)
		sc_ws_free(srv_conns[i]);
	sc_tls_ctx_free(hub);
	sc_tls_ctx_free(node1);
	sc_tls_ctx_free(foreign);
	sc_tls_ctx_free(revoked);
	event_base_free(base);
	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	return failed == 0 ? 0 : 1;
}
