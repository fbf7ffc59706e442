/*
 * Router forwarding benchmark: B/IP -> router -> SC hub -> SC node and
 * back, and the reverse, on 127.0.0.1 over TLS 1.3.
 *
 *   bench_fwd PKI_DIR HUB_BIN [BASEPORT [STEP_MS [SAMPLES]]]
 *   bench_fwd --router PKI_DIR HUB_PORT ROUTER_PORT  (the router process)
 *
 * PKI_DIR needs node1 (router), node2 (echo node), node3 (baseline node)
 * and hub certificates (tools/bacsc-testpki -n 3).  Processes:
 *   - the hub: HUB_BIN (tools/bacsc-hub) on BASEPORT;
 *   - the router: if the environment variable BENCH_FWD_DAEMON names the
 *     bacsc-router daemon, the real daemon with a generated configuration
 *     (B/IP network 1 on 127.0.0.1:BASEPORT+1, SC network 2 with node1's
 *     certificate, no hub function of its own); otherwise
 *     this program with --router: the router engine
 *     (router/rtr.h) over a B/IP port (bip/bip_io.h) on 127.0.0.1:
 *     BASEPORT+1, network 1, and an SC node (sc/sc_node.h, network 2)
 *     connected to the hub -- the same pieces the daemon glues together,
 *     in one process on one event_base.  If the environment variable
 *     BENCH_FWD_WRAP is set (e.g. "valgrind --tool=callgrind", "strace
 *     -c -o FILE"), the router (either kind) runs under that command
 *     (split at spaces);
 *   - the load generator (this process): a UDP socket on BASEPORT+2 that
 *     speaks B/IP, an SC node E (node2) and an SC node B (node3), all on
 *     one event_base.
 * Modes (one round trip = two NPDUs forwarded by the router):
 *   bip: UDP -> router -> hub -> E, E answers -> hub -> router -> UDP;
 *   sc:  E -> hub -> router -> UDP, the UDP side answers -> router -> hub
 *        -> E;
 *   base (no router): B -> hub -> E, E answers -> hub -> B.
 * For each mode and size (30 and 1400 octets, whole NPDU), the zero-loss
 * rate: round trips started at a paced rate for STEP_MS, all answered and
 * the last within 100 ms of the end of sending, then a drain; the rate
 * steps up until something is lost or a send is refused; the highest
 * zero-loss step is reported (STEP_MS 0: no rate steps).
 * Latency, per size: SAMPLES rounds of one round trip per mode (base,
 * bip, sc in turn, one at a time); p50, p99, p99.9 per mode, and the
 * latency the router adds to one message:
 *   - traversal: from wire time stamps of the bip round trips (AF_PACKET
 *     on lo, needs CAP_NET_RAW): the router's next-hop packet minus the
 *     packet that reached it, each direction (and the hub's likewise);
 *   - paired: (bip round trip - base round trip) / 2 per round, the two
 *     taken back to back (the bip round trip crosses the router twice;
 *     the base path has the same hub hop and echo node, but no UDP legs
 *     and no router).
 * Lines "RESULT key=value ..." are for bench/run.sh.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "bip/bip_io.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "npdu/port.h"
#include "router/rtr.h"
#include "sc/sc_node.h"
#include "sc/sc_tls.h"
#include "sc/sc_ws.h"
#include "tests/sctest.h"

#define NET_BIP		1
#define NET_SC		2
#define APDU_OFF_MAX	12	/* longest NPCI we put in front */
#define MSG_MAX		1400

enum bf_mode { BF_BIP = 0, BF_SC, BF_BASE };
static const char *const mode_name[] = { "bip", "sc", "base" };

static const uint8_t vmac_rtr[6] = { 0x02, 0xbe, 0x4c, 0, 0, 0x01 };
static const uint8_t vmac_e[6] = { 0x02, 0xbe, 0x4c, 0, 0, 0x02 };
static const uint8_t vmac_b[6] = { 0x02, 0xbe, 0x4c, 0, 0, 0x03 };

static struct event_base *base;
static struct sc_node *ne, *nb;
static int udp_fd = -1;
static uint16_t rt_port, lg_port;
static uint8_t lg_mac[6];		/* 127.0.0.1:lg_port as a B/IP MAC */
static enum bf_mode mode;
static size_t msg_size = 30;
static uint64_t n_rx, n_sent, n_fail;
static uint64_t last_rtt;		/* round trip of the last answer, us */
static uint8_t txbuf[MSG_MAX + 4];

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Offset of the APDU in an NPDU we generate or receive, or 0. */
static size_t
apdu_off(const uint8_t *n, size_t len)
{
	size_t off = 2;

	if (len < 2 || n[0] != 0x01 || (n[1] & 0x80) != 0)
		return 0;
	if (n[1] & 0x20) {
		if (len < off + 3 || len < off + 3 + n[off + 2])
			return 0;
		off += 3 + n[off + 2];
	}
	if (n[1] & 0x08) {
		if (len < off + 3 || len < off + 3 + n[off + 2])
			return 0;
		off += 3 + n[off + 2];
	}
	if (n[1] & 0x20)
		off++;		/* hop count */
	return off + 10 <= len ? off : 0;
}

/* The SADR of a 6-octet SNET source, or NULL. */
static const uint8_t *
sadr6(const uint8_t *n, size_t len)
{
	size_t off = 2;

	if ((n[1] & 0x08) == 0)
		return NULL;
	if (n[1] & 0x20)
		off += 3 + n[4];
	if (len < off + 9 || n[off + 2] != 6)
		return NULL;
	return n + off + 3;
}

/*
 * Build an NPDU of msg_size octets in out: NPCI for dnet/dadr (dnet 0: no
 * DNET), then an Unconfirmed-Request-like APDU carrying seq and the send
 * time.  Return its length.
 */
static size_t
build(uint8_t *out, uint16_t dnet, const uint8_t *dadr, uint32_t seq)
{
	size_t off = 2;

	out[0] = 0x01;
	out[1] = dnet != 0 ? 0x20 : 0x00;
	if (dnet != 0) {
		out[2] = (uint8_t)(dnet >> 8);
		out[3] = (uint8_t)dnet;
		out[4] = 6;
		memcpy(out + 5, dadr, 6);
		out[11] = 0xff;
		off = 12;
	}
	out[off] = 0x10;
	out[off + 1] = 0x7f;
	put64(out + off + 2, clk_now_us());
	put32(out + off + 10, seq);
	return msg_size;
}

/* Re-address a received NPDU's APDU part back to dnet/dadr; return len. */
static size_t
rebuild(uint8_t *out, uint16_t dnet, const uint8_t *dadr, const uint8_t *n,
    size_t len)
{
	size_t off = apdu_off(n, len), hl = dnet != 0 ? 12 : 2;

	if (off == 0 || len - off + hl > MSG_MAX)
		return 0;
	build(out, dnet, dadr, 0);
	memcpy(out + hl, n + off, len - off);
	return hl + len - off;
}

static int
udp_send_npdu(const uint8_t *npdu, size_t len)
{
	struct sockaddr_in sa;
	uint8_t *b = txbuf;

	if (npdu != txbuf + 4)
		memmove(b + 4, npdu, len);
	b[0] = 0x81;
	b[1] = 0x0a;
	b[2] = (uint8_t)((len + 4) >> 8);
	b[3] = (uint8_t)(len + 4);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(rt_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sendto(udp_fd, b, len + 4, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == (ssize_t)(len + 4) ? 0 : -1;
}

static int
sc_send(struct sc_node *n, const uint8_t *to, const uint8_t *npdu,
    size_t len)
{
	struct npdu_port *p = sc_node_port(n);
	struct npdu_iov iov = { npdu, len, NULL, 0 };

	return p->ops->send_unicast(p, to, 6, &iov, NULL);
}

static void
record(const uint8_t *n, size_t len)
{
	size_t off = apdu_off(n, len);

	if (off == 0)
		return;
	n_rx++;
	last_rtt = clk_now_us() - get64(n + off + 2);
}

/* Start one round trip in the current mode. */
static int
send_first(uint32_t seq)
{
	static uint8_t m[MSG_MAX];
	size_t len;

	switch (mode) {
	case BF_BIP:
		len = build(txbuf + 4, NET_SC, vmac_e, seq);
		return udp_send_npdu(txbuf + 4, len);
	case BF_SC:
		len = build(m, NET_BIP, lg_mac, seq);
		return sc_send(ne, vmac_rtr, m, len);
	case BF_BASE:
		len = build(m, 0, NULL, seq);
		return sc_send(nb, vmac_e, m, len);
	}
	return -1;
}

/* Echo node E. */
static void
on_rx_e(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	static uint8_t m[MSG_MAX];
	const uint8_t *sadr;
	size_t len;

	(void)arg;
	(void)p;
	if (rx->npdu_len < 2 || (rx->npdu[1] & 0x80) != 0)
		return;
	switch (mode) {
	case BF_BIP:
		sadr = sadr6(rx->npdu, rx->npdu_len);
		if (sadr == NULL)
			return;
		len = rebuild(m, NET_BIP, sadr, rx->npdu, rx->npdu_len);
		if (len == 0 || sc_send(ne, rx->src_mac, m, len) != 0)
			n_fail++;
		break;
	case BF_SC:
		record(rx->npdu, rx->npdu_len);
		break;
	case BF_BASE:
		len = rebuild(m, 0, NULL, rx->npdu, rx->npdu_len);
		if (len == 0 || sc_send(ne, rx->src_mac, m, len) != 0)
			n_fail++;
		break;
	}
}

/* Baseline node B. */
static void
on_rx_b(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	(void)arg;
	(void)p;
	if (mode == BF_BASE)
		record(rx->npdu, rx->npdu_len);
}

static void
on_udp(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t b[2048];
	const uint8_t *sadr;
	ssize_t r;
	size_t len;
	int i;

	(void)what;
	(void)arg;
	for (i = 0; i < 256; i++) {
		r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r < 6 || b[0] != 0x81 || b[1] != 0x0a)
			return;
		if (mode == BF_BIP) {
			record(b + 4, (size_t)r - 4);
		} else if (mode == BF_SC) {
			sadr = sadr6(b + 4, (size_t)r - 4);
			if (sadr == NULL)
				continue;
			len = rebuild(txbuf + 4, NET_SC, sadr, b + 4,
			    (size_t)r - 4);
			if (len == 0 || udp_send_npdu(txbuf + 4, len) != 0)
				n_fail++;
		}
	}
}

static void
once(void)
{
	event_base_loop(base, EVLOOP_ONCE);
}

/*
 * Paced run at rate round trips/s for ms milliseconds, then drain.
 * Return 0 if nothing was lost or refused and the last answer came within
 * DRAIN_OK_US of the end of sending (else the rate was not sustained: the
 * backlog only sat in TCP buffers).
 */
#define DRAIN_OK_US	100000u
static int
run_rate(double rate, unsigned ms, uint64_t *lost, uint64_t *drain_us)
{
	uint64_t t0, now, end, target, last_rx, stall, t_end;

	n_rx = n_sent = n_fail = 0;
	t0 = clk_now_us();
	end = t0 + (uint64_t)ms * 1000u;
	for (;;) {
		now = clk_now_us();
		if (now >= end)
			break;
		target = (uint64_t)(rate * (double)(now - t0) / 1e6) + 1;
		while (n_sent < target) {
			if (send_first((uint32_t)n_sent) != 0) {
				n_fail++;
				break;
			}
			n_sent++;
		}
		if (n_fail > 0)
			break;
		once();
	}
	last_rx = n_rx;
	stall = t_end = clk_now_us();
	while (n_rx < n_sent && clk_now_us() - stall < 300000u) {
		once();
		if (n_rx != last_rx) {
			last_rx = n_rx;
			stall = clk_now_us();
		}
	}
	*lost = n_sent - n_rx + n_fail;
	*drain_us = stall - t_end;
	return *lost == 0 && *drain_us <= DRAIN_OK_US ? 0 : -1;
}

/* ---- latency ---- */

/*
 * Wire timestamps: an AF_PACKET socket on lo (needs CAP_NET_RAW) sees
 * every packet of a round trip with the kernel's receive time stamp
 * (SO_TIMESTAMPNS, taken when the sender's syscall hands the packet to
 * lo), so one router traversal is measured directly: from the datagram
 * (or TLS record) reaching the router's socket to the router's write of
 * the next hop -- its wake-up, its processing, its encryption.
 */
struct cap_pkt {
	uint64_t ns;
	bool udp;
	uint16_t sport, dport;
};

#define CAP_MAX	64
static int cap_fd = -1;
static struct cap_pkt cap[CAP_MAX];
static size_t n_cap;

static void
cap_open(void)
{
	struct sockaddr_ll sll;
	int one = 1, sz = 4 << 20;

	cap_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK,
	    htons(ETH_P_IP));
	if (cap_fd < 0)
		return;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex("lo");
	if (sll.sll_ifindex == 0 || bind(cap_fd, (struct sockaddr *)&sll,
	    sizeof(sll)) != 0 || setsockopt(cap_fd, SOL_SOCKET,
	    SO_TIMESTAMPNS, &one, sizeof(one)) != 0) {
		close(cap_fd);
		cap_fd = -1;
		return;
	}
	(void)setsockopt(cap_fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/*
 * Read what the capture socket holds; keep (up to CAP_MAX) the packets
 * with payload to or from our ports as seen arriving on lo.
 */
static void
cap_drain(bool keep, uint16_t hub_port)
{
	uint8_t b[128], ctl[CMSG_SPACE(sizeof(struct timespec))];
	struct sockaddr_ll from;
	struct iovec iov = { b, sizeof(b) };
	struct msghdr mh;
	struct cmsghdr *c;
	struct cap_pkt k;
	size_t ihl, tot, hl;
	ssize_t r;

	n_cap = 0;
	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		r = recvmsg(cap_fd, &mh, MSG_TRUNC);
		if (r < 0)
			return;
		if (!keep || from.sll_pkttype == PACKET_OUTGOING || r < 28 ||
		    (b[0] >> 4) != 4)
			continue;
		ihl = (size_t)(b[0] & 0x0f) * 4;
		tot = (size_t)b[2] << 8 | b[3];
		k.udp = b[9] == 17;
		if ((!k.udp && b[9] != 6) || ihl < 20 ||
		    (size_t)r < ihl + (k.udp ? 8u : 20u) ||
		    ihl + 20 > sizeof(b))
			continue;
		k.sport = (uint16_t)(b[ihl] << 8 | b[ihl + 1]);
		k.dport = (uint16_t)(b[ihl + 2] << 8 | b[ihl + 3]);
		hl = k.udp ? 8 : (size_t)(b[ihl + 12] >> 4) * 4;
		if (tot <= ihl + hl)
			continue;	/* no payload (ACKs) */
		if (k.udp ? k.sport != rt_port && k.dport != rt_port :
		    k.sport != hub_port && k.dport != hub_port)
			continue;
		k.ns = 0;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL;
		    c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				k.ns = (uint64_t)ts.tv_sec * 1000000000u +
				    (uint64_t)ts.tv_nsec;
			}
		if (k.ns != 0 && n_cap < CAP_MAX)
			cap[n_cap++] = k;
	}
}

/*
 * From the packets of one bip round trip (UDP a -> router -> TLS b -> hub
 * -> TLS c -> E, E -> TLS d -> hub -> TLS e -> router -> UDP f), the two
 * router traversals (b - a, f - e) and the two hub traversals (c - b,
 * e - d) in ns.  Return 0, or -1 when a packet is missing.
 */
static int
cap_split(uint16_t hub_port, int64_t out[4])
{
	size_t i, a = SIZE_MAX, b = SIZE_MAX, c = SIZE_MAX, d = SIZE_MAX,
	    e = SIZE_MAX, f = SIZE_MAX;
	uint16_t rp = 0;

	for (i = 0; i < n_cap; i++) {
		const struct cap_pkt *k = &cap[i];

		if (a == SIZE_MAX) {
			if (k->udp && k->dport == rt_port)
				a = i;
		} else if (b == SIZE_MAX) {
			if (!k->udp && k->dport == hub_port) {
				b = i;
				rp = k->sport;
			}
		} else if (c == SIZE_MAX) {
			if (!k->udp && k->sport == hub_port && k->dport != rp)
				c = i;
		} else if (d == SIZE_MAX) {
			if (!k->udp && k->dport == hub_port && k->sport != rp)
				d = i;
		} else if (e == SIZE_MAX) {
			if (!k->udp && k->sport == hub_port && k->dport == rp)
				e = i;
		} else if (f == SIZE_MAX) {
			if (k->udp && k->sport == rt_port)
				f = i;
		}
	}
	if (f == SIZE_MAX)
		return -1;
	out[0] = (int64_t)(cap[b].ns - cap[a].ns);
	out[1] = (int64_t)(cap[f].ns - cap[e].ns);
	out[2] = (int64_t)(cap[c].ns - cap[b].ns);
	out[3] = (int64_t)(cap[e].ns - cap[d].ns);
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* p50, p99, p99.9 of v[0..n) (sorted in place), divided by div. */
static void
pctl(int64_t *v, size_t n, double div, double pct[3])
{
	if (n == 0) {
		pct[0] = pct[1] = pct[2] = -1;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	pct[0] = (double)v[n / 2] / div;
	pct[1] = (double)v[n * 99 / 100] / div;
	pct[2] = (double)v[n * 999 / 1000] / div;
}

/* One round trip in mode m, alone; its time in us, or -1 if lost. */
static int64_t
one_rtt(enum bf_mode m, uint32_t seq)
{
	uint64_t t;

	mode = m;
	n_rx = 0;
	if (send_first(seq) != 0)
		return -1;
	t = clk_now_us();
	while (n_rx == 0 && clk_now_us() - t < 1000000u)
		once();
	return n_rx > 0 ? (int64_t)last_rtt : -1;
}

struct lat_res {
	double rtt[3][3];	/* per mode: p50, p99, p99.9 (us) */
	double paired[3];	/* (bip - base) / 2, pair by pair */
	double trav[3];		/* router traversal (wire), both ways */
	double b2s[3], s2b[3];	/* the same by direction */
	double hub[3];		/* hub traversal (wire), both ways */
	size_t n_wire;		/* round trips with wire time stamps */
	uint64_t lost[3];
};

/*
 * samples rounds of one round trip per mode (base, bip, sc in turn, one
 * at a time), so that neighbouring bip and base samples see the same
 * machine; wire time stamps of the bip round trips when available.
 */
static void
run_latency(size_t samples, uint16_t hub_port, struct lat_res *r)
{
	static const enum bf_mode order[3] = { BF_BASE, BF_BIP, BF_SC };
	int64_t *rtt[3], *pair, *trav, *b2s, *s2b, *hub, w[4], x;
	size_t i, k, n[3] = { 0, 0, 0 }, np = 0, nw = 0;

	for (k = 0; k < 3; k++)
		rtt[k] = calloc(samples, sizeof(int64_t));
	pair = calloc(samples, sizeof(int64_t));
	trav = calloc(2 * samples, sizeof(int64_t));
	hub = calloc(2 * samples, sizeof(int64_t));
	b2s = calloc(samples, sizeof(int64_t));
	s2b = calloc(samples, sizeof(int64_t));
	if (rtt[0] == NULL || rtt[1] == NULL || rtt[2] == NULL ||
	    pair == NULL || trav == NULL || hub == NULL || b2s == NULL ||
	    s2b == NULL)
		exit(1);
	memset(r, 0, sizeof(*r));
	for (i = 0; i < samples; i++) {
		int64_t got[3];

		for (k = 0; k < 3; k++) {
			enum bf_mode m = order[k];

			if (m == BF_BIP && cap_fd >= 0)
				cap_drain(false, hub_port);
			got[m] = x = one_rtt(m, (uint32_t)i);
			if (x < 0) {
				r->lost[m]++;
				continue;
			}
			rtt[m][n[m]++] = x;
			if (m == BF_BIP && cap_fd >= 0) {
				cap_drain(true, hub_port);
				if (cap_split(hub_port, w) == 0) {
					b2s[nw] = trav[2 * nw] = w[0];
					s2b[nw] = trav[2 * nw + 1] = w[1];
					hub[2 * nw] = w[2];
					hub[2 * nw + 1] = w[3];
					nw++;
				}
			}
		}
		if (got[BF_BIP] >= 0 && got[BF_BASE] >= 0)
			pair[np++] = got[BF_BIP] - got[BF_BASE];
	}
	for (k = 0; k < 3; k++)
		pctl(rtt[k], n[k], 1, r->rtt[k]);
	pctl(pair, np, 2, r->paired);
	pctl(trav, 2 * nw, 1000, r->trav);
	pctl(b2s, nw, 1000, r->b2s);
	pctl(s2b, nw, 1000, r->s2b);
	pctl(hub, 2 * nw, 1000, r->hub);
	r->n_wire = nw;
	for (k = 0; k < 3; k++)
		free(rtt[k]);
	free(pair);
	free(trav);
	free(hub);
	free(b2s);
	free(s2b);
}

static struct sc_node *
mk_node(const char *name, const struct sc_tls_ctx *tls, unsigned hub_port,
    const uint8_t *vmac)
{
	struct sc_node_cfg cfg;
	char uri[64], err[256];
	struct sc_node *n;

	snprintf(uri, sizeof(uri), "wss://127.0.0.1:%u/", hub_port);
	sc_node_cfg_default(&cfg);
	cfg.name = name;
	cfg.has_vmac = true;
	memcpy(cfg.vmac, vmac, 6);
	memset(cfg.uuid, vmac[5], sizeof(cfg.uuid));
	cfg.uuid[0] = 0xbe;
	cfg.primary_uri = uri;
	cfg.tls = tls;
	cfg.min_reconnect_ms = 200;
	cfg.max_reconnect_ms = 1000;
	n = sc_node_new(base, NULL, &cfg, err, sizeof(err));
	if (n == NULL) {
		fprintf(stderr, "node %s: %s\n", name, err);
		exit(1);
	}
	return n;
}

/* ---- the router process ---- */

static struct rtr *router;

static uint64_t
clock_fn(void *arg)
{
	(void)arg;
	return clk_now_us();
}

static void
rtr_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	(void)rtr_tick(router, clk_now_us());
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static int
router_main(const char *pki, unsigned hub_port, unsigned port)
{
	struct bip_port_config bc;
	struct rtr_config rc;
	struct npdu_port *ports[2];
	struct bip_port *bp;
	struct sc_node *sn;
	struct sc_tls_ctx *tls;
	struct event *tick, *sig;
	struct timeval tv = { 0, 100000 };
	char err[256];
	const struct rtr_stats *st;

	base = sc_ws_base_new();
	tls = sct_tls(pki, "node1");
	sn = mk_node("rtr-sc", tls, hub_port, vmac_rtr);
	bip_port_config_init(&bc);
	bc.name = "rtr-bip";
	bc.bind_ip = 0x7f000001u;
	bc.port = (uint16_t)port;
	bc.has_bcast = true;
	bc.bcast_ip = 0x7fffffffu;
	bc.bcast_socket = false;
	bp = bip_port_new(base, &bc, err, sizeof(err));
	if (bp == NULL) {
		fprintf(stderr, "router: bip: %s\n", err);
		return 1;
	}
	ports[0] = bip_port_npdu(bp);
	ports[1] = sc_node_port(sn);
	rtr_config_defaults(&rc);
	rc.nports = 2;
	rc.port[0].net = NET_BIP;
	rc.port[0].learn = true;
	rc.port[1].net = NET_SC;
	rc.port[1].learn = true;
	router = rtr_new(&rc, ports);
	if (router == NULL) {
		fprintf(stderr, "router: rtr_new failed\n");
		return 1;
	}
	rtr_set_clock(router, clock_fn, NULL);
	if (bip_port_start(bp) != 0) {
		fprintf(stderr, "router: bip start failed\n");
		return 1;
	}
	sc_node_start(sn);
	rtr_start(router, clk_now_us());
	tick = event_new(base, -1, EV_PERSIST, rtr_tick_cb, NULL);
	event_add(tick, &tv);
	sig = evsignal_new(base, SIGTERM, stop_cb, NULL);
	event_add(sig, NULL);
	event_base_dispatch(base);
	st = rtr_stats(router);
	fprintf(stderr, "router: rx %llu fwd %llu drop_port_down %llu\n",
	    (unsigned long long)st->rx, (unsigned long long)st->fwd,
	    (unsigned long long)st->drop_port_down);
	event_free(sig);
	event_free(tick);
	rtr_free(router);
	bip_port_free(bp);
	sc_node_free(sn);
	sc_tls_ctx_free(tls);
	event_base_free(base);
	return 0;
}

/* Write a configuration for the daemon into dir; return 0 or -1. */
static int
write_conf(const char *dir, const char *pki, unsigned hub_port,
    char *path, size_t plen)
{
	char apki[PATH_MAX];
	FILE *f;

	if (realpath(pki, apki) == NULL)
		return -1;
	snprintf(path, plen, "%s/bench.conf", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "device = { instance = 4190; name = \"bench-router\"; "
	    "uuid = \"generate\"; };\n"
	    "bip = ( { name = \"bip-bench\"; network = %u; bind = "
	    "\"127.0.0.1\"; port = %u; broadcast = \"127.255.255.255\"; "
	    "mode = \"plain\"; } );\n"
	    "sc = ( { name = \"sc-bench\"; network = %u; vmac = "
	    "\"02:be:4c:00:00:01\"; primary_hub = "
	    "\"wss://127.0.0.1:%u/\";\n"
	    "  tls = { certificate = \"%s/node1.pem\"; key = "
	    "\"%s/node1.key\"; ca = [ \"%s/ca.pem\" ]; };\n"
	    "  timers = { min_reconnect = 2; max_reconnect = 4; }; } );\n"
	    "log = { level = \"warning\"; target = \"stderr\"; };\n"
	    "control = { socket = \"%s/control.sock\"; mode = \"0600\"; };\n"
	    "state_dir = \"%s/state\";\n", NET_BIP, (unsigned)rt_port,
	    NET_SC, hub_port, apki, apki, apki, dir, dir);
	return fclose(f) == 0 ? 0 : -1;
}

static char daemon_dir[64];

/*
 * Start args (NULL-terminated) with BENCH_FWD_WRAP (split at spaces) in
 * front, if set.  Return the child's pid or -1.
 */
static pid_t
spawn_wrapped(const char *const *args)
{
	char *argv[40], *wrap = getenv("BENCH_FWD_WRAP"), *tok;
	int n = 0, nw;
	pid_t pid;

	if (wrap != NULL && (wrap = strdup(wrap)) != NULL)
		for (tok = strtok(wrap, " "); tok != NULL && n < 24;
		    tok = strtok(NULL, " "))
			argv[n++] = tok;
	nw = n;
	while (*args != NULL && n < 39)
		argv[n++] = strdup(*args++);
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (n > nw)
		free(argv[--n]);
	free(wrap);
	return pid;
}

static pid_t
spawn_daemon(const char *bin, const char *pki, unsigned hub_port)
{
	char conf[1024], state[128];
	const char *args[] = { bin, "-c", conf, "-f", NULL };

	snprintf(daemon_dir, sizeof(daemon_dir), "/tmp/bench_fwd.XXXXXX");
	if (mkdtemp(daemon_dir) == NULL)
		return -1;
	snprintf(state, sizeof(state), "%s/state", daemon_dir);
	(void)mkdir(state, 0700);
	if (write_conf(daemon_dir, pki, hub_port, conf, sizeof(conf)) != 0)
		return -1;
	return spawn_wrapped(args);
}

static pid_t
spawn_router(const char *self, const char *pki, unsigned hub_port)
{
	char hp[16], rp[16];
	const char *args[] = { self, "--router", pki, hp, rp, NULL };

	snprintf(hp, sizeof(hp), "%u", hub_port);
	snprintf(rp, sizeof(rp), "%u", (unsigned)rt_port);
	return spawn_wrapped(args);
}

/*
 * Stop the router: under a BENCH_FWD_WRAP that runs it as a child
 * (strace) the child is told, the wrapper follows; else (valgrind, no
 * wrapper) the process itself.
 */
static void
stop_router(pid_t pid)
{
	char path[64];
	FILE *f;
	long child;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children",
	    (long)pid, (long)pid);
	f = getenv("BENCH_FWD_WRAP") != NULL ? fopen(path, "r") : NULL;
	if (f != NULL) {
		while (fscanf(f, "%ld", &child) == 1 &&
		    kill((pid_t)child, SIGTERM) == 0)
			n++;
		fclose(f);
	}
	if (n == 0)
		kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void
wait_up(struct sc_node *n, uint64_t deadline)
{
	while (!sc_node_port(n)->up && clk_now_us() < deadline)
		once();
}

int
main(int argc, char **argv)
{
	static const double steps[] = { 1000, 2000, 5000, 10000, 20000, 30000,
	    40000, 50000, 70000, 100000, 130000, 160000, 200000 };
	static const size_t sizes[] = { 30, 1400 };
	const char *pki, *hub_bin, *daemon_bin;
	unsigned port = 47950, step_ms = 1000;
	size_t samples = 5000, si, k, m;
	struct sc_tls_ctx *te, *tb;
	struct sockaddr_in sa;
	struct event *tick, *uev;
	struct timeval tick_tv = { 0, 1000 };
	pid_t hub, rtr_pid;
	double best[3][2];
	struct lat_res lr[2];
	uint64_t lost, drain, deadline;

	if (argc >= 5 && strcmp(argv[1], "--router") == 0) {
		signal(SIGPIPE, SIG_IGN);
		log_open("bench_fwd-router", LOG_TARGET_STDERR);
		log_set_level(LOG_LVL_WARNING);
		return router_main(argv[2], (unsigned)atoi(argv[3]),
		    (unsigned)atoi(argv[4]));
	}
	if (argc < 3) {
		fprintf(stderr, "usage: bench_fwd PKI_DIR HUB_BIN [BASEPORT "
		    "[STEP_MS [SAMPLES]]]\n");
		return 2;
	}
	pki = argv[1];
	hub_bin = argv[2];
	if (argc > 3)
		port = (unsigned)strtoul(argv[3], NULL, 10);
	if (argc > 4)
		step_ms = (unsigned)strtoul(argv[4], NULL, 10);
	if (argc > 5)
		samples = strtoul(argv[5], NULL, 10);
	if (samples < 10)
		samples = 10;
	rt_port = (uint16_t)(port + 1);
	lg_port = (uint16_t)(port + 2);
	lg_mac[0] = 127;
	lg_mac[1] = 0;
	lg_mac[2] = 0;
	lg_mac[3] = 1;
	lg_mac[4] = (uint8_t)(lg_port >> 8);
	lg_mac[5] = (uint8_t)lg_port;
	signal(SIGPIPE, SIG_IGN);
	log_open("bench_fwd", LOG_TARGET_STDERR);
	log_set_level(LOG_LVL_WARNING);

	hub = sct_hub_start(hub_bin, pki, port, NULL);
	if (hub < 0)
		return 1;
	daemon_bin = getenv("BENCH_FWD_DAEMON");
	if (daemon_bin != NULL && *daemon_bin != '\0')
		rtr_pid = spawn_daemon(daemon_bin, pki, port);
	else
		rtr_pid = spawn_router(argv[0], pki, port);
	if (rtr_pid < 0) {
		fprintf(stderr, "bench_fwd: cannot start the router\n");
		kill(hub, SIGTERM);
		return 1;
	}

	base = sc_ws_base_new();
	udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(lg_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (udp_fd < 0 || bind(udp_fd, (struct sockaddr *)&sa,
	    sizeof(sa)) != 0) {
		perror("udp");
		return 1;
	}
	{
		int sz = 4 << 20;

		(void)setsockopt(udp_fd, SOL_SOCKET, SO_RCVBUF, &sz,
		    sizeof(sz));
		(void)setsockopt(udp_fd, SOL_SOCKET, SO_SNDBUF, &sz,
		    sizeof(sz));
	}
	evutil_make_socket_nonblocking(udp_fd);
	uev = event_new(base, udp_fd, EV_READ | EV_PERSIST, on_udp, NULL);
	event_add(uev, NULL);
	tick = sct_tick_new(base, &tick_tv);
	te = sct_tls(pki, "node2");
	tb = sct_tls(pki, "node3");
	ne = mk_node("echo", te, port, vmac_e);
	nb = mk_node("base", tb, port, vmac_b);
	sc_node_port(ne)->user.receive = on_rx_e;
	sc_node_port(nb)->user.receive = on_rx_b;
	sc_node_start(ne);
	sc_node_start(nb);
	deadline = clk_now_us() + 15000000u;
	wait_up(ne, deadline);
	wait_up(nb, deadline);
	/* The router is up when a round trip through it works. */
	mode = BF_BIP;
	for (;;) {
		uint64_t t;

		n_rx = 0;
		(void)send_first(0);
		t = clk_now_us();
		while (n_rx == 0 && clk_now_us() - t < 200000u)
			once();
		if (n_rx > 0 || clk_now_us() > deadline)
			break;
	}
	if (n_rx == 0 || !sc_node_port(nb)->up) {
		fprintf(stderr, "bench_fwd: the path did not come up\n");
		kill(rtr_pid, SIGTERM);
		kill(hub, SIGTERM);
		return 1;
	}

	for (m = 0; m < 3; m++) {
		mode = (enum bf_mode)m;
		for (si = 0; si < 2; si++) {
			msg_size = sizes[si];
			(void)run_rate(2000, 200, &lost, &drain);	/* warm up */
			best[m][si] = 0;
			for (k = 0; step_ms > 0 &&
			    k < sizeof(steps) / sizeof(steps[0]); k++) {
				if (run_rate(steps[k], step_ms, &lost,
				    &drain) != 0) {
					fprintf(stderr, "%s %zu B: %.0f/s: "
					    "%llu lost, drain %llu ms\n",
					    mode_name[m], msg_size, steps[k],
					    (unsigned long long)lost,
					    (unsigned long long)drain / 1000);
					break;
				}
				best[m][si] = steps[k];
			}
		}
	}
	/* Latency: the three paths in turn, one round trip at a time. */
	cap_open();
	for (si = 0; si < 2; si++) {
		msg_size = sizes[si];
		run_latency(samples, (uint16_t)port, &lr[si]);
	}
	if (cap_fd >= 0)
		close(cap_fd);

	printf("%-28s %12s %9s %9s %9s %6s\n", "path", "round trips/s",
	    "p50 us", "p99 us", "p99.9 us", "lost");
	for (m = 0; m < 3; m++)
		for (si = 0; si < 2; si++)
			printf("%-4s %4zu B %-18s %12.0f %9.0f %9.0f %9.0f "
			    "%6llu\n", mode_name[m], sizes[si],
			    m == BF_BIP ? "UDP>rtr>hub>SC" : m == BF_SC ?
			    "SC>hub>rtr>UDP" : "SC>hub>SC (no rtr)",
			    best[m][si], lr[si].rtt[m][0], lr[si].rtt[m][1],
			    lr[si].rtt[m][2], (unsigned long long)lr[si].lost[m]);
	for (si = 0; si < 2; si++) {
		struct lat_res *r = &lr[si];

		printf("%zu B, latency added per router traversal (us, "
		    "p50/p99/p99.9):\n", sizes[si]);
		if (r->n_wire > 0)
			printf("  wire time stamps (%zu round trips): both ways "
			    "%.1f/%.1f/%.1f, B/IP->SC %.1f/%.1f/%.1f, "
			    "SC->B/IP %.1f/%.1f/%.1f; hub traversal "
			    "%.1f/%.1f/%.1f\n", r->n_wire, r->trav[0],
			    r->trav[1], r->trav[2], r->b2s[0], r->b2s[1],
			    r->b2s[2], r->s2b[0], r->s2b[1], r->s2b[2],
			    r->hub[0], r->hub[1], r->hub[2]);
		else
			printf("  wire time stamps: not available (an "
			    "AF_PACKET socket needs CAP_NET_RAW)\n");
		printf("  paired round trips, (bip - base) / 2: "
		    "%.1f/%.1f/%.1f\n", r->paired[0], r->paired[1],
		    r->paired[2]);
	}
	printf("RESULT router=%s ", daemon_bin != NULL && *daemon_bin != '\0' ?
	    "bacsc-router-daemon" : "engine+bip_io+sc_node(one-process)");
	printf("bip30=%.0frt/s(%.0f NPDU/s via router) bip1400=%.0frt/s "
	    "sc30=%.0frt/s sc1400=%.0frt/s base30=%.0frt/s base1400=%.0frt/s "
	    "rtt30_p50/p99/p999=%.0f/%.0f/%.0fus(base %.0f/%.0f/%.0f) "
	    "rtt1400_p50/p99/p999=%.0f/%.0f/%.0fus(base %.0f/%.0f/%.0f) ",
	    best[0][0], 2 * best[0][0], best[0][1], best[1][0], best[1][1],
	    best[2][0], best[2][1],
	    lr[0].rtt[BF_BIP][0], lr[0].rtt[BF_BIP][1], lr[0].rtt[BF_BIP][2],
	    lr[0].rtt[BF_BASE][0], lr[0].rtt[BF_BASE][1],
	    lr[0].rtt[BF_BASE][2],
	    lr[1].rtt[BF_BIP][0], lr[1].rtt[BF_BIP][1], lr[1].rtt[BF_BIP][2],
	    lr[1].rtt[BF_BASE][0], lr[1].rtt[BF_BASE][1],
	    lr[1].rtt[BF_BASE][2]);
	if (lr[0].n_wire > 0)
		printf("traversal30_p50/p99/p999=%.1f/%.1f/%.1fus"
		    "(b2s %.1f/%.1f, s2b %.1f/%.1f; hub %.1f/%.1f/%.1f) "
		    "traversal1400_p50/p99/p999=%.1f/%.1f/%.1fus ",
		    lr[0].trav[0], lr[0].trav[1], lr[0].trav[2],
		    lr[0].b2s[0], lr[0].b2s[1], lr[0].s2b[0], lr[0].s2b[1],
		    lr[0].hub[0], lr[0].hub[1], lr[0].hub[2],
		    lr[1].trav[0], lr[1].trav[1], lr[1].trav[2]);
	else
		printf("traversal=no-wire-timestamps ");
	printf("paired30_p50/p99/p999=%.1f/%.1f/%.1fus step=%ums "
	    "samples=%zu\n", lr[0].paired[0], lr[0].paired[1],
	    lr[0].paired[2], step_ms, samples);
	fflush(stdout);

	stop_router(rtr_pid);
	if (daemon_dir[0] != '\0') {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", daemon_dir);
		(void)!system(cmd);
	}
	sc_node_free(ne);
	sc_node_free(nb);
	kill(hub, SIGTERM);
	waitpid(hub, NULL, 0);
	event_free(uev);
	event_free(tick);
	close(udp_fd);
	sc_tls_ctx_free(te);
	sc_tls_ctx_free(tb);
	event_base_free(base);
	return 0;
}
