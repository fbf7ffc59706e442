/*
 * SC node and hub integration test (driven by tests/e2e/sc_node.sh), on
 * 127.0.0.1 over real TLS with a test PKI from tools/bacsc-testpki.
 *
 *   sc_node_e2e PKI_DIR HUB_BIN PORT1 PORT2
 *
 * Starts two bacsc-hub processes (primary on PORT1, failover on PORT2) and
 * runs, in this process on one event_base, four SC nodes of ours:
 *  1. three nodes connect to the primary; unicast and broadcast NPDUs
 *     (30 and 1400 octets, with and without a Secure Path data option)
 *     arrive with the right source VMAC, broadcast flag, options and
 *     content, and nowhere else;
 *  2. a fourth node configured with node 1's VMAC (another UUID) is
 *     refused, takes a new random VMAC and joins; traffic to and from it
 *     flows and node 1 is undisturbed;
 *  3. the primary hub process is killed (SIGKILL): every node moves to the
 *     failover hub and traffic flows again;
 *  4. the primary is restarted: every node returns to it (closing the
 *     failover connection) and traffic flows again;
 *  5. idle for two heartbeat periods: Heartbeat-Requests keep every link;
 *  6. nodes stop gracefully; the hubs exit on SIGTERM;
 *  7. the hosting model: a hub function in this process (sc_hub) whose
 *     device's own node joins it over loopback with the device's VMAC and
 *     UUID; another device claiming that VMAC is refused and recovers.
 * Exits 0 if every check passed.
 *
 *   sc_node_e2e serve PKI_DIR PORT VMAC
 *
 * Runs one node (node3 certificate, the given VMAC) against the hub on
 * PORT until SIGTERM, for the independent peer's node checks; prints
 * "UP" once connected.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "npdu/port.h"
#include "sc/sc_hub.h"
#include "sc/sc_node.h"
#include "sc/sc_tls.h"
#include "sc/sc_vmac.h"
#include "tests/sctest.h"

#define NNODES	6
#define MAXRX	64

static const char *pki, *hub_bin;
static unsigned port1, port2;
static struct event_base *base;

struct rxrec {
	uint8_t		src[SC_VMAC_LEN];
	bool		bcast;
	uint8_t		npdu[1600];
	size_t		len;
	uint8_t		opts[16];
	size_t		opts_len;
};

struct tnode {
	struct sc_node		*node;
	struct sc_tls_ctx	*tls;
	struct rxrec		 rx[MAXRX];
	size_t			 nrx;
	int			 ups, downs;
};

static struct tnode nodes[NNODES];

static void
on_receive(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	struct tnode *t = arg;
	struct rxrec *r;

	(void)p;
	if (t->nrx >= MAXRX)
		return;
	r = &t->rx[t->nrx++];
	memcpy(r->src, rx->src_mac, SC_VMAC_LEN);
	r->bcast = rx->broadcast;
	r->len = rx->npdu_len < sizeof(r->npdu) ? rx->npdu_len : 0;
	memcpy(r->npdu, rx->npdu, r->len);
	r->opts_len = rx->opts.len < sizeof(r->opts) ? rx->opts.len : 0;
	if (r->opts_len > 0)
		memcpy(r->opts, rx->opts.data, r->opts_len);
}

static void
on_link(void *arg, struct npdu_port *p, bool up)
{
	struct tnode *t = arg;

	(void)p;
	if (up)
		t->ups++;
	else
		t->downs++;
}

/* ------------------------------------------------------------- helpers */

static pid_t
hub_start(unsigned port)
{
	static const char *const heartbeat[] = { "-H", "2", NULL };

	return sct_hub_start(hub_bin, pki, port, heartbeat);
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

static int want_status;
static int want_n;

static bool
all_on(void *arg)
{
	struct sc_node_status st;
	int i;

	(void)arg;
	for (i = 0; i < want_n; i++) {
		sc_node_get_status(nodes[i].node, &st);
		if (st.hub_status != want_status ||
		    !sc_node_port(nodes[i].node)->up)
			return false;
	}
	return true;
}

static bool
wait_all(int n, int status, unsigned ms)
{
	want_n = n;
	want_status = status;
	return run_until(all_on, NULL, ms);
}

static bool
have_rx(void *arg)
{
	const size_t *want = arg;
	int i;

	for (i = 0; i < want_n; i++)
		if (nodes[i].nrx < want[i])
			return false;
	return true;
}

static void
clear_rx(void)
{
	int i;

	for (i = 0; i < NNODES; i++)
		nodes[i].nrx = 0;
}

static struct tnode *
mknode(int i, const uint8_t *vmac, const char *cert)
{
	struct tnode *t = &nodes[i];
	struct sc_node_cfg cfg;
	char p1[64], p2[64], err[256];
	char name[16];

	t->tls = sct_tls(pki, cert);
	snprintf(p1, sizeof(p1), "wss://127.0.0.1:%u/", port1);
	snprintf(p2, sizeof(p2), "wss://127.0.0.1:%u/", port2);
	snprintf(name, sizeof(name), "node%d", i + 1);
	sc_node_cfg_default(&cfg);
	cfg.name = name;
	if (vmac != NULL) {
		cfg.has_vmac = true;
		memcpy(cfg.vmac, vmac, SC_VMAC_LEN);
	}
	memset(cfg.uuid, 0x10 * (i + 1), SC_UUID_LEN);
	cfg.primary_uri = p1;
	cfg.failover_uri = p2;
	cfg.tls = t->tls;
	cfg.connect_wait_ms = 3000;
	cfg.disconnect_wait_ms = 1000;
	cfg.heartbeat_ms = 2000;
	cfg.min_reconnect_ms = 400;
	cfg.max_reconnect_ms = 1600;
	t->node = sc_node_new(base, NULL, &cfg, err, sizeof(err));
	if (t->node == NULL) {
		printf("  node: %s\n", err);
		exit(1);
	}
	sc_node_port(t->node)->user.receive = on_receive;
	sc_node_port(t->node)->user.link_changed = on_link;
	sc_node_port(t->node)->user.arg = t;
	sc_node_start(t->node);
	return t;
}

/* An NPDU of len octets: version 1, control 0, a recognisable body. */
static void
mknpdu(uint8_t *buf, size_t len, uint8_t tag)
{
	size_t i;

	buf[0] = 0x01;
	buf[1] = 0x00;
	for (i = 2; i < len; i++)
		buf[i] = (uint8_t)(tag + i * 7);
}

static int
send_uc(int from, int to, const uint8_t *npdu, size_t len,
    const uint8_t *opts, size_t olen)
{
	struct npdu_port *p = sc_node_port(nodes[from].node);
	/* Split in two segments like the router does. */
	struct npdu_iov iov = { npdu, 2, npdu + 2, len - 2 };
	struct npdu_opts o = { opts, olen };

	return p->ops->send_unicast(p, sc_node_vmac(nodes[to].node),
	    SC_VMAC_LEN, &iov, &o);
}

static int
send_bc(int from, const uint8_t *npdu, size_t len)
{
	struct npdu_port *p = sc_node_port(nodes[from].node);
	struct npdu_iov iov = { npdu, len, NULL, 0 };

	return p->ops->send_broadcast(p, &iov, NULL);
}

static bool
rx_is(const struct rxrec *r, int from, bool bcast, const uint8_t *npdu,
    size_t len)
{
	return memcmp(r->src, sc_node_vmac(nodes[from].node), SC_VMAC_LEN) ==
	    0 && r->bcast == bcast && r->len == len &&
	    memcmp(r->npdu, npdu, len) == 0;
}

/*
 * Unicast (30 and 1400 octets, one with Secure Path) and broadcast among
 * nodes 0..n-1; every NPDU checked at every node.
 */
static void
exchange(int n, const char *phase)
{
	static const uint8_t sp[] = { 0x41 };	/* Secure Path, MU=1 */
	uint8_t small[30], big[1400], bc[30];
	size_t want[NNODES];
	int i, s, r;

	printf("  %s: traffic among %d nodes\n", phase, n);
	for (s = 0; s < n; s++) {
		r = (s + 1) % n;
		clear_rx();
		mknpdu(small, sizeof(small), (uint8_t)(0x10 + s));
		mknpdu(big, sizeof(big), (uint8_t)(0x50 + s));
		mknpdu(bc, sizeof(bc), (uint8_t)(0x90 + s));
		CHECK(send_uc(s, r, small, sizeof(small), sp, sizeof(sp)) == 0,
		    "%s: unicast %d->%d not sent", phase, s, r);
		CHECK(send_uc(s, r, big, sizeof(big), NULL, 0) == 0,
		    "%s: big unicast %d->%d not sent", phase, s, r);
		CHECK(send_bc(s, bc, sizeof(bc)) == 0,
		    "%s: broadcast from %d not sent", phase, s);
		for (i = 0; i < n; i++)
			want[i] = i == s ? 0 : (i == r ? 3 : 1);
		want_n = n;
		CHECK(run_until(have_rx, want, 3000), "%s: not all arrived "
		    "(sender %d)", phase, s);
		run_for(100);	/* anything extra would show now */
		for (i = 0; i < n; i++) {
			struct tnode *t = &nodes[i];

			CHECK(t->nrx == want[i], "%s: node%d got %zu, want %zu",
			    phase, i + 1, t->nrx, want[i]);
			if (t->nrx != want[i])
				continue;
			if (i == r) {
				CHECK(rx_is(&t->rx[0], s, false, small,
				    sizeof(small)), "%s: unicast content",
				    phase);
				CHECK(t->rx[0].opts_len == 1 &&
				    t->rx[0].opts[0] == 0x41,
				    "%s: data option lost", phase);
				CHECK(rx_is(&t->rx[1], s, false, big,
				    sizeof(big)), "%s: big content", phase);
				CHECK(t->rx[1].opts_len == 0,
				    "%s: spurious option", phase);
				CHECK(rx_is(&t->rx[2], s, true, bc,
				    sizeof(bc)), "%s: broadcast content",
				    phase);
			} else if (i != s) {
				CHECK(rx_is(&t->rx[0], s, true, bc,
				    sizeof(bc)), "%s: broadcast content",
				    phase);
			}
		}
	}
}

static bool
pair_up(void *arg)
{
	(void)arg;
	return sc_node_port(nodes[4].node)->up &&
	    sc_node_port(nodes[5].node)->up;
}

static bool
got_two(void *arg)
{
	(void)arg;
	return nodes[4].nrx >= 1 && nodes[5].nrx >= 1;
}

/* Phase 7: our hub in this process, the device's own node joins it. */
static void
hosted(void)
{
	static const uint8_t own[SC_VMAC_LEN] = { 0x02, 0, 0, 0, 0, 0x55 };
	struct sc_tls_ctx *tls;
	struct sc_hub_conf hc;
	struct sc_hub_status hs;
	struct sc_hub_peer_status ps[4];
	struct sc_hub *hub;
	struct sc_node_status st;
	char err[256];
	uint8_t m[30];
	size_t n;

	tls = sct_tls(pki, "hub");
	memset(&hc, 0, sizeof(hc));
	hc.name = "hosted";
	hc.bind_addr = "127.0.0.1";
	hc.tls = tls;
	memcpy(hc.vmac, own, SC_VMAC_LEN);
	memset(hc.uuid, 0x50, SC_UUID_LEN);	/* node index 4's UUID */
	hub = sc_hub_new(base, &hc, err, sizeof(err));
	CHECK(hub != NULL, "sc_hub_new: %s", err);
	if (hub == NULL)
		return;
	port1 = port2 = sc_hub_listen_port(hub);
	mknode(4, own, "node1");	/* the hosting device's own node */
	mknode(5, own, "node2");	/* another device with the same VMAC */
	CHECK(run_until(pair_up, NULL, 10000), "hosted nodes not up");
	sc_node_get_status(nodes[4].node, &st);
	CHECK(st.ctr.dup_vmac == 0 && memcmp(st.vmac, own, 6) == 0,
	    "the device's own node was refused its VMAC");
	sc_node_get_status(nodes[5].node, &st);
	CHECK(st.ctr.dup_vmac >= 1 && memcmp(st.vmac, own, 6) != 0,
	    "a foreign node got the hub device's VMAC");
	mknpdu(m, sizeof(m), 0x77);
	CHECK(send_uc(5, 4, m, sizeof(m), NULL, 0) == 0, "send 6->5");
	CHECK(send_bc(4, m, sizeof(m)) == 0, "broadcast from 5");
	CHECK(run_until(got_two, NULL, 3000), "hosted traffic lost");
	CHECK(nodes[4].nrx >= 1 && rx_is(&nodes[4].rx[0], 5, false, m,
	    sizeof(m)), "hosted unicast content");
	CHECK(nodes[5].nrx >= 1 && rx_is(&nodes[5].rx[0], 4, true, m,
	    sizeof(m)), "hosted broadcast content");
	sc_hub_get_status(hub, &hs);
	n = sc_hub_get_peers(hub, ps, 4);
	CHECK(hs.n_peers == 2 && n == 2 && hs.ctr.refused_dup_vmac >= 1,
	    "hub status: %zu peers, %llu refused", hs.n_peers,
	    (unsigned long long)hs.ctr.refused_dup_vmac);
	sc_node_stop(nodes[4].node);
	sc_node_stop(nodes[5].node);
	run_for(300);
	sc_node_get_status(nodes[5].node, &st);
	CHECK(!sc_node_port(nodes[5].node)->up, "node6 still up");
	sc_hub_get_status(hub, &hs);
	CHECK(hs.n_peers == 0, "hub still has %zu peers", hs.n_peers);
	sc_node_free(nodes[4].node);
	sc_node_free(nodes[5].node);
	sc_tls_ctx_free(nodes[4].tls);
	sc_tls_ctx_free(nodes[5].tls);
	sc_hub_free(hub);
	sc_tls_ctx_free(tls);
}

static volatile sig_atomic_t stop_serving;

static void
serve_sig(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	stop_serving = 1;
	event_base_loopbreak(base);
}

static bool
node0_up(void *arg)
{
	(void)arg;
	return sc_node_port(nodes[0].node)->up;
}

static int
serve(char **argv)
{
	uint8_t vmac[SC_VMAC_LEN];
	struct event *ev;

	pki = argv[2];
	port1 = (unsigned)strtoul(argv[3], NULL, 10);
	port2 = port1;
	if (sc_vmac_parse(argv[4], vmac) != 0)
		return 2;
	base = event_base_new();
	ev = evsignal_new(base, SIGTERM, serve_sig, NULL);
	event_add(ev, NULL);
	mknode(0, vmac, "node3");
	if (!run_until(node0_up, NULL, 10000)) {
		printf("NOT UP\n");
		return 1;
	}
	printf("UP\n");
	fflush(stdout);
	while (!stop_serving)
		event_base_dispatch(base);
	sc_node_stop(nodes[0].node);
	run_for(300);
	sc_node_free(nodes[0].node);
	sc_tls_ctx_free(nodes[0].tls);
	event_free(ev);
	event_base_free(base);
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint8_t v[3][SC_VMAC_LEN] = {
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 },
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 },
	};
	struct sc_node_status st;
	pid_t h1, h2;
	int i, rc;

	if (argc == 5 && strcmp(argv[1], "serve") == 0) {
		signal(SIGPIPE, SIG_IGN);
		log_open("sc_node_e2e", LOG_TARGET_STDERR);
		log_set_level(LOG_LVL_NOTICE);
		return serve(argv);
	}
	if (argc != 5) {
		fprintf(stderr, "usage: sc_node_e2e PKI_DIR HUB_BIN PORT1 "
		    "PORT2\n       sc_node_e2e serve PKI_DIR PORT VMAC\n");
		return 2;
	}
	pki = argv[1];
	hub_bin = argv[2];
	port1 = (unsigned)strtoul(argv[3], NULL, 10);
	port2 = (unsigned)strtoul(argv[4], NULL, 10);
	signal(SIGPIPE, SIG_IGN);
	log_open("sc_node_e2e", LOG_TARGET_STDERR);
	log_set_level(getenv("E2E_DEBUG") != NULL ? LOG_LVL_DEBUG :
	    LOG_LVL_NOTICE);
	base = event_base_new();

	h1 = hub_start(port1);
	h2 = hub_start(port2);
	CHECK(h1 > 0 && h2 > 0, "hubs did not start");
	if (h1 <= 0 || h2 <= 0)
		return 1;

	printf("phase 1: three nodes on the primary hub\n");
	for (i = 0; i < 3; i++)
		mknode(i, v[i], i == 0 ? "node1" : i == 1 ? "node2" : "node3");
	CHECK(wait_all(3, 1, 10000), "nodes not on the primary hub");
	exchange(3, "primary");

	printf("phase 2: a fourth node with node1's VMAC\n");
	mknode(3, v[0], "node4");
	CHECK(wait_all(4, 1, 10000), "node4 did not join");
	sc_node_get_status(nodes[3].node, &st);
	CHECK(st.ctr.dup_vmac >= 1, "node4 was not refused (%llu)",
	    (unsigned long long)st.ctr.dup_vmac);
	CHECK(memcmp(st.vmac, v[0], SC_VMAC_LEN) != 0,
	    "node4 kept the duplicate VMAC");
	CHECK(sc_vmac_is_random48(st.vmac), "node4's new VMAC not Random-48");
	CHECK(st.hub[SC_HC_PRIMARY].error == 151 ||
	    st.hub[SC_HC_PRIMARY].error == 0,
	    "unexpected last error %u", st.hub[SC_HC_PRIMARY].error);
	CHECK(memcmp(sc_node_vmac(nodes[0].node), v[0], SC_VMAC_LEN) == 0 &&
	    nodes[0].downs == 0, "node1 was disturbed");
	exchange(4, "with node4");

	printf("phase 3: kill the primary hub\n");
	sct_hub_stop(h1, SIGKILL);
	CHECK(wait_all(4, 2, 15000), "nodes did not move to the failover");
	for (i = 0; i < 4; i++) {
		sc_node_get_status(nodes[i].node, &st);
		CHECK(st.hub[SC_HC_PRIMARY].error != 0 &&
		    st.hub[SC_HC_PRIMARY].status != SC_HC_ST_CONNECTED,
		    "node%d: primary status %d error %u", i + 1,
		    st.hub[SC_HC_PRIMARY].status, st.hub[SC_HC_PRIMARY].error);
	}
	exchange(4, "failover");

	printf("phase 4: restart the primary hub\n");
	h1 = hub_start(port1);
	CHECK(h1 > 0, "primary did not restart");
	CHECK(wait_all(4, 1, 15000), "nodes did not return to the primary");
	run_for(500);	/* failover connections close gracefully */
	exchange(4, "back on primary");

	printf("phase 5: idle links kept alive by heartbeats\n");
	{
		uint64_t hb0[NNODES];

		for (i = 0; i < 4; i++) {
			sc_node_get_status(nodes[i].node, &st);
			hb0[i] = st.ctr.heartbeats_tx;
		}
		run_for(4500);	/* heartbeat period is 2 s */
		for (i = 0; i < 4; i++) {
			sc_node_get_status(nodes[i].node, &st);
			CHECK(st.ctr.heartbeats_tx >= hb0[i] + 1,
			    "node%d sent no Heartbeat-Request", i + 1);
			CHECK(st.hub_status == 1 &&
			    sc_node_port(nodes[i].node)->up,
			    "node%d lost its hub while idle", i + 1);
		}
	}
	exchange(4, "after idling");

	printf("phase 6: shutdown\n");
	for (i = 0; i < 4; i++)
		sc_node_stop(nodes[i].node);
	run_for(500);
	for (i = 0; i < 4; i++)
		CHECK(!sc_node_port(nodes[i].node)->up, "node%d still up",
		    i + 1);
	rc = sct_hub_stop(h1, SIGTERM);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "primary exit %d", rc);
	rc = sct_hub_stop(h2, SIGTERM);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "failover exit %d", rc);
	for (i = 0; i < 4; i++) {
		sc_node_free(nodes[i].node);
		sc_tls_ctx_free(nodes[i].tls);
	}

	printf("phase 7: hub function hosted in this process\n");
	hosted();
	event_base_free(base);
	log_close();
	printf("%s: %d failure(s)\n", sct_failures == 0 ? "PASS" : "FAIL",
	    sct_failures);
	return sct_failures == 0 ? 0 : 1;
}
