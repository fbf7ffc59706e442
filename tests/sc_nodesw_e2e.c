/*
 * Node switch integration test (driven by tests/e2e/sc_nodesw.sh), on
 * 127.0.0.1 over real TLS with a test PKI from tools/bacsc-testpki.
 *
 *   sc_nodesw_e2e PKI_DIR
 *
 * One event_base runs our hub function (sc_hub, hub certificate) and three
 * of our nodes A, B, C (node1..node3 certificates), each with a node switch
 * accepting direct connections on its own 127.0.0.1 port, policy on
 * demand (3 unicasts within 1 s).  A's cap is 1 direct connection.
 *  1. A sends B three unicasts through the hub: A resolves B
 *     (Address-Resolution / -ACK through the hub), opens a direct
 *     connection; the status lists it with B's VMAC and UUID.
 *  2. 300 unicasts A->B and 300 B->A: all arrive in order with content
 *     and source VMAC, and the hub's unicast counter does not move.
 *  3. Cap: C sends A unicasts; C resolves A and connects, A refuses (its
 *     one direct connection is in use); everything still arrives through
 *     the hub.  A sending to C opens nothing either.
 *  4. A streams to B (one unicast every 2 ms); B kills the direct
 *     connection abruptly in the middle.  A falls back to the hub: every
 *     sequence number B gets is larger than the one before (nothing
 *     reordered), and those missing are no more than A counted as
 *     possibly lost.  A then reconnects and traffic moves back.
 *  5. Duplicate VMAC (digest §1.9.2): a node switch D with A's VMAC but
 *     another UUID connects directly to B: refused with a NAK
 *     NODE_DUPLICATE_VMAC, A's connection untouched; then E with A's VMAC
 *     and A's UUID (A reconnecting): B accepts it and disconnects the old
 *     connection from A.
 * Exits 0 if every check passed; prints the numbers.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "npdu/port.h"
#include "sc/sc_hub.h"
#include "sc/sc_node.h"
#include "sc/sc_nodesw.h"
#include "sc/sc_tls.h"
#include "sc/sc_vmac.h"
#include "tests/sctest.h"

#define NN	3
#define MAXSEQ	20000

static const char *pki;
static struct event_base *base;

struct tnode {
	struct sc_node		*node;
	struct sc_nodesw	*sw;
	struct sc_tls_ctx	*tls;
	/* Received unicasts per source index: last seq, count, order. */
	uint32_t		 last[NN];
	uint64_t		 got[NN];
	uint64_t		 inversions[NN];
	uint64_t		 bad;		/* content or source wrong */
};

static struct tnode nodes[NN];
static struct sc_hub *hub;
static struct sc_tls_ctx *hub_tls;

static int
idx_of(const uint8_t *vmac)
{
	int i;

	for (i = 0; i < NN; i++)
		if (nodes[i].node != NULL &&
		    memcmp(sc_node_vmac(nodes[i].node), vmac, SC_VMAC_LEN) == 0)
			return i;
	return -1;
}

/* NPDU: 01 00, source index, 4-octet seq, then a pattern. */
static void
on_receive(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	struct tnode *t = arg;
	int s = idx_of(rx->src_mac);
	uint32_t seq;
	size_t i;

	(void)p;
	if (s < 0 || rx->npdu_len < 40 || rx->broadcast ||
	    rx->npdu[2] != (uint8_t)s) {
		t->bad++;
		return;
	}
	for (i = 7; i < rx->npdu_len; i++)
		if (rx->npdu[i] != (uint8_t)(i * 13 + rx->npdu[3])) {
			t->bad++;
			return;
		}
	seq = (uint32_t)rx->npdu[3] << 24 | (uint32_t)rx->npdu[4] << 16 |
	    (uint32_t)rx->npdu[5] << 8 | rx->npdu[6];
	if (t->got[s] > 0 && seq <= t->last[s])
		t->inversions[s]++;
	t->last[s] = seq;
	t->got[s]++;
}

static uint32_t seqs[NN][NN];

static int
send_uc(int from, int to)
{
	struct npdu_port *p = sc_node_port(nodes[from].node);
	uint8_t buf[64];
	uint32_t seq = ++seqs[from][to];
	struct npdu_iov iov = { buf, 2, buf + 2, sizeof(buf) - 2 };
	size_t i;

	buf[0] = 0x01;
	buf[1] = 0x00;
	buf[2] = (uint8_t)from;
	buf[3] = (uint8_t)(seq >> 24);
	buf[4] = (uint8_t)(seq >> 16);
	buf[5] = (uint8_t)(seq >> 8);
	buf[6] = (uint8_t)seq;
	for (i = 7; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + buf[3]);
	return p->ops->send_unicast(p, sc_node_vmac(nodes[to].node),
	    SC_VMAC_LEN, &iov, NULL);
}

static bool
run_until(sct_pred_fn pred, void *arg, unsigned timeout_ms)
{
	return sct_run_until(base, pred, arg, timeout_ms);
}

static void
run_for(unsigned ms)
{
	sct_run_for(base, ms);
}

static bool
all_up(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NN; i++)
		if (!sc_node_port(nodes[i].node)->up)
			return false;
	return true;
}

struct pair {
	int a, b;
};

/* a has an up initiated direct connection to b. */
static bool
direct_up(void *arg)
{
	const struct pair *pr = arg;
	struct sc_nodesw_conn_status cs[8];
	size_t n, i;

	n = sc_nodesw_get_conns(nodes[pr->a].sw, cs, 8);
	for (i = 0; i < n && i < 8; i++)
		if (cs[i].initiated && cs[i].state == SC_PEER_CONNECTED &&
		    memcmp(cs[i].vmac, sc_node_vmac(nodes[pr->b].node),
		    SC_VMAC_LEN) == 0)
			return true;
	return false;
}

struct want {
	int to, from;
	uint64_t n;
};

static bool
got_n(void *arg)
{
	const struct want *w = arg;

	return nodes[w->to].got[w->from] >= w->n;
}

static uint64_t
hub_unicast(void)
{
	struct sc_hub_status st;

	sc_hub_get_status(hub, &st);
	return st.ctr.relayed_unicast;
}

static struct sc_nodesw_counters
swc(int i)
{
	struct sc_nodesw_status st;

	sc_nodesw_get_status(nodes[i].sw, &st);
	return st.ctr;
}

static void
mknode(int i, unsigned hub_port, unsigned max_conns)
{
	struct tnode *t = &nodes[i];
	struct sc_node_cfg cfg;
	struct sc_nodesw_cfg sc;
	char cert[16], uri[64], err[256], name[16];

	snprintf(cert, sizeof(cert), "node%d", i + 1);
	snprintf(name, sizeof(name), "%c", 'A' + i);
	t->tls = sct_tls(pki, cert);
	snprintf(uri, sizeof(uri), "wss://127.0.0.1:%u/", hub_port);
	sc_node_cfg_default(&cfg);
	cfg.name = name;
	memset(cfg.uuid, 0x10 * (i + 1), SC_UUID_LEN);
	cfg.primary_uri = uri;
	cfg.tls = t->tls;
	cfg.connect_wait_ms = 3000;
	cfg.disconnect_wait_ms = 1000;
	cfg.heartbeat_ms = 5000;
	cfg.min_reconnect_ms = 400;
	cfg.max_reconnect_ms = 1600;
	t->node = sc_node_new(base, NULL, &cfg, err, sizeof(err));
	if (t->node == NULL) {
		printf("  node: %s\n", err);
		exit(1);
	}
	sc_nodesw_cfg_default(&sc);
	sc.name = name;
	sc.accept = true;
	sc.listen_addr = "127.0.0.1";
	sc.policy = SC_DC_POLICY_ON_DEMAND;
	sc.max_conns = max_conns;
	sc.idle_ms = 0;
	sc.resolve_timeout_ms = 2000;
	sc.retry_ms = 60000;	/* a refused attempt is not retried here */
	sc.demand_n = 3;
	sc.demand_window_ms = 1000;
	sc.inflight_ms = 200;
	sc.tls = t->tls;
	memcpy(sc.uuid, cfg.uuid, SC_UUID_LEN);
	sc.connect_wait_ms = 3000;
	sc.disconnect_wait_ms = 1000;
	sc.heartbeat_ms = 5000;
	t->sw = sc_nodesw_new(base, NULL, t->node, &sc, err, sizeof(err));
	if (t->sw == NULL) {
		printf("  node switch: %s\n", err);
		exit(1);
	}
	sc_node_port(t->node)->user.receive = on_receive;
	sc_node_port(t->node)->user.arg = t;
	sc_node_start(t->node);
}

/*
 * A node switch that is not on any hub (its node is never started, so it
 * keeps the configured VMAC) and connects straight to uri for vmac.
 */
static struct tnode *
mkdirect(struct tnode *t, const char *cert, const uint8_t *vmac,
    const uint8_t *uuid, const uint8_t *peer_vmac, const char *uri)
{
	struct sc_node_cfg cfg;
	struct sc_nodesw_cfg sc;
	char err[256];

	memset(t, 0, sizeof(*t));
	t->tls = sct_tls(pki, cert);
	sc_node_cfg_default(&cfg);
	cfg.name = cert;
	cfg.has_vmac = true;
	memcpy(cfg.vmac, vmac, SC_VMAC_LEN);
	memcpy(cfg.uuid, uuid, SC_UUID_LEN);
	cfg.primary_uri = "wss://127.0.0.1:1/";
	cfg.tls = t->tls;
	t->node = sc_node_new(base, NULL, &cfg, err, sizeof(err));
	if (t->node == NULL) {
		printf("  node: %s\n", err);
		exit(1);
	}
	sc_nodesw_cfg_default(&sc);
	sc.name = cert;
	sc.policy = SC_DC_POLICY_CONFIGURED;
	sc.n_peers = 1;
	memcpy(sc.peers[0].vmac, peer_vmac, SC_VMAC_LEN);
	sc.peers[0].uri = uri;
	sc.retry_ms = 60000;
	sc.tls = t->tls;
	memcpy(sc.uuid, uuid, SC_UUID_LEN);
	sc.connect_wait_ms = 3000;
	sc.heartbeat_ms = 5000;
	t->sw = sc_nodesw_new(base, NULL, t->node, &sc, err, sizeof(err));
	if (t->sw == NULL) {
		printf("  node switch: %s\n", err);
		exit(1);
	}
	return t;
}

static void
freenode(struct tnode *t)
{
	sc_nodesw_free(t->sw);
	sc_node_free(t->node);
	sc_tls_ctx_free(t->tls);
}

static bool
b_refused_dup(void *arg)
{
	(void)arg;
	return swc(1).refused_dup >= 1;
}

static bool
b_replaced(void *arg)
{
	(void)arg;
	return swc(1).replaced >= 1 && !direct_up(arg);
}

/* Streaming A -> B from a timer, with the kill in the middle. */
static struct event *stream_ev;
static unsigned stream_left, stream_kill_at, stream_sent;
static int stream_fail;

static void
stream_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (stream_left == 0) {
		event_del(stream_ev);
		return;
	}
	if (send_uc(0, 1) != 0)
		stream_fail++;
	stream_sent++;
	stream_left--;
	if (stream_sent == stream_kill_at)
		CHECK(sc_nodesw_kill(nodes[1].sw, sc_node_vmac(nodes[0].node))
		    == 1, "B had no direct connection from A to kill");
}

static bool
stream_done(void *arg)
{
	(void)arg;
	return stream_left == 0;
}

int
main(int argc, char **argv)
{
	struct sc_hub_conf hc;
	struct sc_nodesw_conn_status cs[8];
	struct sc_nodesw_counters c0, c1, c2;
	struct pair ab = { 0, 1 }, ca = { 2, 0 }, ac = { 0, 2 };
	struct want w;
	uint64_t h0, h1, sent0, got0, lost0, missing;
	char err[256];
	size_t n, i;
	int k;
	struct timeval tick = { 0, 2000 };

	if (argc != 2) {
		fprintf(stderr, "usage: sc_nodesw_e2e PKI_DIR\n");
		return 2;
	}
	pki = argv[1];
	signal(SIGPIPE, SIG_IGN);
	log_open("sc_nodesw_e2e", LOG_TARGET_STDERR);
	log_set_level(getenv("E2E_DEBUG") != NULL ? LOG_LVL_DEBUG :
	    LOG_LVL_INFO);
	base = event_base_new();

	hub_tls = sct_tls(pki, "hub");
	memset(&hc, 0, sizeof(hc));
	hc.name = "hub";
	hc.bind_addr = "127.0.0.1";
	hc.tls = hub_tls;
	hc.vmac[0] = 0x02;
	hc.vmac[5] = 0x99;
	memset(hc.uuid, 0x99, SC_UUID_LEN);
	hc.heartbeat_ms = 5000;
	hub = sc_hub_new(base, &hc, err, sizeof(err));
	if (hub == NULL) {
		printf("hub: %s\n", err);
		return 1;
	}
	mknode(0, sc_hub_listen_port(hub), 1);
	mknode(1, sc_hub_listen_port(hub), 4);
	mknode(2, sc_hub_listen_port(hub), 4);
	CHECK(run_until(all_up, NULL, 10000), "nodes not on the hub");

	printf("phase 1: A resolves B and opens a direct connection\n");
	h0 = hub_unicast();
	for (k = 0; k < 3; k++)
		CHECK(send_uc(0, 1) == 0, "unicast A->B not sent");
	CHECK(run_until(direct_up, &ab, 5000), "no direct connection A->B");
	c0 = swc(0);
	c1 = swc(1);
	CHECK(c0.res_tx == 1 && c0.res_ack_rx == 1, "A resolution: sent %llu "
	    "acks %llu", (unsigned long long)c0.res_tx,
	    (unsigned long long)c0.res_ack_rx);
	CHECK(c1.res_answered == 1, "B answered %llu",
	    (unsigned long long)c1.res_answered);
	/* The hub carried the 3 unicasts plus the resolution pair. */
	CHECK(hub_unicast() - h0 == 5, "hub relayed %llu",
	    (unsigned long long)(hub_unicast() - h0));
	w.to = 1; w.from = 0; w.n = 3;
	CHECK(run_until(got_n, &w, 2000), "B got %llu of 3",
	    (unsigned long long)nodes[1].got[0]);
	n = sc_nodesw_get_conns(nodes[0].sw, cs, 8);
	CHECK(n == 1 && memcmp(cs[0].vmac, sc_node_vmac(nodes[1].node),
	    SC_VMAC_LEN) == 0 && cs[0].uuid[0] == 0x20 && cs[0].initiated &&
	    strncmp(cs[0].uri, "wss://127.0.0.1:", 16) == 0,
	    "A's status lists %zu connections", n);
	n = sc_nodesw_get_conns(nodes[1].sw, cs, 8);
	CHECK(n == 1 && !cs[0].initiated && cs[0].state == SC_PEER_CONNECTED
	    && cs[0].uuid[0] == 0x10, "B's status lists %zu connections", n);

	printf("phase 2: traffic moves to the direct connection\n");
	h0 = hub_unicast();
	c0 = swc(0);
	c1 = swc(1);
	for (k = 0; k < 300; k++) {
		CHECK(send_uc(0, 1) == 0, "A->B %d", k);
		CHECK(send_uc(1, 0) == 0, "B->A %d", k);
		if (k % 50 == 49)
			run_for(5);
	}
	w.to = 1; w.from = 0; w.n = 303;
	CHECK(run_until(got_n, &w, 5000), "B got %llu of 303",
	    (unsigned long long)nodes[1].got[0]);
	w.to = 0; w.from = 1; w.n = 300;
	CHECK(run_until(got_n, &w, 5000), "A got %llu of 300",
	    (unsigned long long)nodes[0].got[1]);
	h1 = hub_unicast();
	CHECK(h1 == h0, "hub carried %llu unicasts", (unsigned long long)
	    (h1 - h0));
	CHECK(swc(0).tx_direct - c0.tx_direct == 300 &&
	    swc(1).tx_direct - c1.tx_direct == 300, "direct counters %llu "
	    "%llu", (unsigned long long)(swc(0).tx_direct - c0.tx_direct),
	    (unsigned long long)(swc(1).tx_direct - c1.tx_direct));
	CHECK(nodes[0].inversions[1] == 0 && nodes[1].inversions[0] == 0 &&
	    nodes[0].bad == 0 && nodes[1].bad == 0, "order or content");
	printf("  600 unicasts direct; hub unicast relays %llu -> %llu\n",
	    (unsigned long long)h0, (unsigned long long)h1);
	n = sc_nodesw_get_conns(nodes[0].sw, cs, 8);
	CHECK(n == 1 && cs[0].tx >= 300 && cs[0].rx >= 300,
	    "per-connection counters tx %llu rx %llu",
	    (unsigned long long)cs[0].tx, (unsigned long long)cs[0].rx);

	printf("phase 3: the cap (A allows 1 direct connection)\n");
	h0 = hub_unicast();
	for (k = 0; k < 5; k++)
		CHECK(send_uc(2, 0) == 0, "C->A %d", k);
	w.to = 0; w.from = 2; w.n = 5;
	CHECK(run_until(got_n, &w, 3000), "A got %llu of 5 from C",
	    (unsigned long long)nodes[0].got[2]);
	run_for(1000);		/* C resolves A, connects, is refused */
	c0 = swc(0);
	c2 = swc(2);
	CHECK(c0.refused_cap >= 1, "A refused %llu",
	    (unsigned long long)c0.refused_cap);
	CHECK(c2.res_ack_rx == 1 && c2.failed >= 1, "C: acks %llu failed "
	    "%llu", (unsigned long long)c2.res_ack_rx,
	    (unsigned long long)c2.failed);
	CHECK(!direct_up(&ca), "C has a direct connection to A");
	for (k = 0; k < 5; k++) {
		CHECK(send_uc(2, 0) == 0, "C->A %d", k);
		CHECK(send_uc(0, 2) == 0, "A->C %d", k);
	}
	w.to = 0; w.from = 2; w.n = 10;
	CHECK(run_until(got_n, &w, 3000), "A got %llu of 10 from C",
	    (unsigned long long)nodes[0].got[2]);
	w.to = 2; w.from = 0; w.n = 5;
	CHECK(run_until(got_n, &w, 3000), "C got %llu of 5 from A",
	    (unsigned long long)nodes[2].got[0]);
	run_for(300);
	CHECK(!direct_up(&ac), "A opened a second direct connection");
	CHECK(swc(0).res_tx == 1, "A resolved C although at its cap");
	CHECK(hub_unicast() - h0 >= 15, "hub carried %llu",
	    (unsigned long long)(hub_unicast() - h0));
	printf("  A refused %llu accept(s); C->A and A->C through the hub\n",
	    (unsigned long long)swc(0).refused_cap);

	printf("phase 4: the direct connection is killed mid-stream\n");
	h0 = hub_unicast();
	c0 = swc(0);
	sent0 = seqs[0][1];
	got0 = nodes[1].got[0];
	lost0 = c0.tx_lost;
	stream_ev = event_new(base, -1, EV_PERSIST, stream_cb, NULL);
	stream_left = 1000;
	stream_kill_at = 300;
	stream_sent = 0;
	event_add(stream_ev, &tick);
	CHECK(run_until(stream_done, NULL, 20000), "stream stuck");
	event_free(stream_ev);
	w.to = 1; w.from = 0; w.n = got0 + 990;
	(void)run_until(got_n, &w, 3000);
	run_for(500);
	c0 = swc(0);
	missing = (seqs[0][1] - sent0) - (nodes[1].got[0] - got0);
	printf("  sent %llu, B got %llu, missing %llu, A counted possibly "
	    "lost %llu, via hub %llu, A sends refused %d\n",
	    (unsigned long long)(seqs[0][1] - sent0),
	    (unsigned long long)(nodes[1].got[0] - got0),
	    (unsigned long long)missing,
	    (unsigned long long)(c0.tx_lost - lost0),
	    (unsigned long long)(hub_unicast() - h0), stream_fail);
	CHECK(stream_fail == 0, "%d sends refused", stream_fail);
	CHECK(missing <= c0.tx_lost - lost0, "lost more than counted");
	CHECK(nodes[1].inversions[0] == 0, "%llu reordered",
	    (unsigned long long)nodes[1].inversions[0]);
	CHECK(nodes[1].bad == 0, "bad content");
	CHECK(hub_unicast() - h0 >= 3, "nothing went through the hub");
	CHECK(direct_up(&ab), "A did not reconnect to B");
	printf("  after the kill: %llu through the hub, then direct again "
	    "(A opened %llu direct connections in all)\n",
	    (unsigned long long)(hub_unicast() - h0),
	    (unsigned long long)c0.opened);

	printf("phase 5: duplicate VMAC on direct connections\n");
	{
		struct tnode d, e;
		uint8_t uuid_d[SC_UUID_LEN], uuid_a[SC_UUID_LEN];
		char buri[64];

		snprintf(buri, sizeof(buri), "wss://127.0.0.1:%u",
		    (unsigned)sc_nodesw_listen_port(nodes[1].sw));
		memset(uuid_d, 0x77, sizeof(uuid_d));
		memset(uuid_a, 0x10, sizeof(uuid_a));
		mkdirect(&d, "node3", sc_node_vmac(nodes[0].node), uuid_d,
		    sc_node_vmac(nodes[1].node), buri);
		CHECK(run_until(b_refused_dup, NULL, 5000),
		    "B did not refuse D (refused_dup %llu)",
		    (unsigned long long)swc(1).refused_dup);
		run_for(200);
		CHECK(direct_up(&ab), "A's direct connection was disturbed");
		n = sc_nodesw_get_conns(d.sw, cs, 8);
		CHECK(n == 0 || cs[0].state != SC_PEER_CONNECTED,
		    "D got a direct connection");
		freenode(&d);
		/* E: A's VMAC and UUID, like A reconnecting. */
		mkdirect(&e, "node1", sc_node_vmac(nodes[0].node), uuid_a,
		    sc_node_vmac(nodes[1].node), buri);
		CHECK(run_until(b_replaced, &ab, 5000), "B did not replace "
		    "A's connection (replaced %llu)",
		    (unsigned long long)swc(1).replaced);
		n = sc_nodesw_get_conns(nodes[1].sw, cs, 8);
		for (i = 0, k = 0; i < n && i < 8; i++)
			if (cs[i].state == SC_PEER_CONNECTED)
				k++;
		CHECK(k == 1, "B has %d up direct connections", k);
		printf("  D refused (duplicate VMAC), E replaced A's "
		    "connection at B\n");
		freenode(&e);
	}

	for (i = 0; i < NN; i++) {
		sc_nodesw_free(nodes[i].sw);
		sc_node_free(nodes[i].node);
		sc_tls_ctx_free(nodes[i].tls);
	}
	sc_hub_free(hub);
	sc_tls_ctx_free(hub_tls);
	event_base_free(base);
	printf("%s (%d failures)\n", sct_failures == 0 ? "PASS" : "FAIL",
	    sct_failures);
	return sct_failures == 0 ? 0 : 1;
}
