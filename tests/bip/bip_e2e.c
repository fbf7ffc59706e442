/*
 * B/IP ports on real loopback sockets (run by tests/e2e/bip-*.sh).
 *
 *   bip-e2e loopback [BASEPORT]
 *	Plain ports exchanging unicast and broadcast, a BBMD pair joining two
 *	"subnets" (two UDP ports), a foreign device registering with one of
 *	them, management requests from a raw socket.  Exit 0 if every check
 *	passed.
 *
 *   bip-e2e peer -m plain|bbmd|foreign -b IP -p PORT [-B BCAST]
 *       [-t SECONDS] [-d DEV] [-e DEV] [-w] [-T IP[:PORT][/BITS]]...
 *       [-f BBMD-IP:PORT] [-F N]
 *	One port acting as BACnet device DEV (default 1234) for other
 *	processes: it answers Who-Is with I-Am (broadcast, and unicast to the
 *	asker), sends Who-Is every 300 ms while it waits for the I-Am of
 *	device -e, and prints what it hears.  -T adds a BDT entry, -f names
 *	the BBMD of a foreign device, -B sets the broadcast address (else it
 *	comes from the interface).  Exit 0 once it has heard the I-Am (-e),
 *	a Who-Is (-w) and has N FDT entries (-F); without -e it relays for
 *	SECONDS and exits 0.
 *
 *   bip-e2e bench PORT
 *	Time bvlc_decode and the unicast path between two ports (send,
 *	receive, decode, deliver) on 127.0.0.2/3:PORT.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bip/bip_io.h"
#include "lib/log.h"

#define MAXREC	32

/* What one port handed up to its "router". */
struct sink {
	const char	*name;
	int		 n;
	uint8_t		 src[MAXREC][6];
	bool		 bcast[MAXREC];
	uint8_t		 npdu[MAXREC][64];
	size_t		 len[MAXREC];
};

static int failures, checks;

#define CHECK(cond) check((cond), #cond, __LINE__)

static void
check(bool ok, const char *what, int line)
{
	checks++;
	if (!ok) {
		failures++;
		fprintf(stderr, "FAIL line %d: %s\n", line, what);
	}
}

static void
sink_rx(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	struct sink *s = arg;
	int i = s->n;

	(void)p;
	if (i >= MAXREC)
		return;
	memcpy(s->src[i], rx->src_mac, 6);
	s->bcast[i] = rx->broadcast;
	s->len[i] = rx->npdu_len < 64 ? rx->npdu_len : 64;
	memcpy(s->npdu[i], rx->npdu, s->len[i]);
	s->n++;
}

static struct bvlc_addr
A(const char *s)
{
	struct bvlc_addr a = { 0, 0 };

	if (bvlc_addr_parse(s, 47808, &a) != 0) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return a;
}

static struct bip_port *
open_port(struct event_base *base, struct bip_port_config *c,
    struct sink *s, const char *name)
{
	struct bip_port *p;
	char err[256];

	c->name = name;
	p = bip_port_new(base, c, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "%s: %s\n", name, err);
		exit(2);
	}
	memset(s, 0, sizeof(*s));
	s->name = name;
	bip_port_npdu(p)->user.receive = sink_rx;
	bip_port_npdu(p)->user.arg = s;
	if (bip_port_start(p) != 0) {
		fprintf(stderr, "%s: start failed\n", name);
		exit(2);
	}
	return p;
}

static void
base_config(struct bip_port_config *c, const char *ip, uint16_t port)
{
	bip_port_config_init(c);
	c->bind_ip = A(ip).ip;
	c->port = port;
	c->has_bcast = true;
	c->bcast_ip = 0x7fffffffu;	/* 127.255.255.255 */
}

/* Run the loop for ms milliseconds. */
static void
pump(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static bool
got_from(const struct sink *s, int i, const struct bip_port *from)
{
	uint8_t mac[6];
	struct bvlc_addr self;

	if (i >= s->n)
		return false;
	bip_port_addr(from, &self, NULL);
	bvlc_addr_store(mac, &self);
	return memcmp(s->src[i], mac, 6) == 0;
}

static bool
got_npdu(const struct sink *s, int i, const uint8_t *npdu, size_t len)
{
	return i < s->n && s->len[i] == len && memcmp(s->npdu[i], npdu, len) == 0;
}

static int
send_bcast(struct bip_port *p, const uint8_t *npdu, size_t len)
{
	struct npdu_port *np = bip_port_npdu(p);
	struct npdu_iov iov = { npdu, 2, npdu + 2, len - 2 };

	return np->ops->send_broadcast(np, &iov, NULL);
}

static int
send_ucast(struct bip_port *p, const struct bip_port *to,
    const uint8_t *npdu, size_t len)
{
	struct npdu_port *np = bip_port_npdu(p);
	struct npdu_iov iov = { npdu, 2, npdu + 2, len - 2 };
	struct bvlc_addr a;
	uint8_t mac[6];

	bip_port_addr(to, &a, NULL);
	bvlc_addr_store(mac, &a);
	return np->ops->send_unicast(np, mac, 6, &iov, NULL);
}

/* A raw UDP socket for management requests (a "tool"). */
static int
raw_open(const char *ip)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(A(ip).ip);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("raw socket");
		exit(2);
	}
	return fd;
}

static void
raw_send(int fd, const struct bip_port *to, const uint8_t *b, size_t len)
{
	struct sockaddr_in sin;
	struct bvlc_addr a;

	bip_port_addr(to, &a, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(a.ip);
	sin.sin_port = htons(a.port);
	if (sendto(fd, b, len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		perror("sendto");
}

/* Send b to the port, run the loop, and return the answer's length. */
static ssize_t
raw_ask(struct event_base *base, int fd, const struct bip_port *to,
    const uint8_t *b, size_t len, uint8_t *ans, size_t cap)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	raw_send(fd, to, b, len);
	pump(base, 100);
	if (poll(&pfd, 1, 0) != 1)
		return -1;
	return recv(fd, ans, cap, 0);
}

static const uint8_t whois[] = { 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10,
    0x08 };
static const uint8_t local_npdu[] = { 0x01, 0x00, 0x10, 0x08 };
static const uint8_t ucast_npdu[] = { 0x01, 0x04, 0x00, 0x05, 0x01, 0x0c,
    0x0c, 0x00, 0x00, 0x00, 0x05, 0x19, 0x55 };

static void
scenario_plain(struct event_base *base, uint16_t port)
{
	struct bip_port_config c;
	struct bip_port *a, *b, *x;
	struct sink sa, sb, sx;
	static const uint8_t junk[] = { 0x81, 0x0a, 0x00, 0x09, 0x01 };
	static const uint8_t rbdt[] = { 0x81, 0x02, 0x00, 0x04 };
	static const uint8_t regfd[] = { 0x81, 0x05, 0x00, 0x06, 0x00, 0x3c };
	uint8_t ans[64];
	int raw;

	printf("== plain ports on 127.0.0.2-4:%u\n", port);
	base_config(&c, "127.0.0.2", port);
	a = open_port(base, &c, &sa, "A");
	base_config(&c, "127.0.0.3", port);
	b = open_port(base, &c, &sb, "B");
	base_config(&c, "127.0.0.4", port);
	x = open_port(base, &c, &sx, "C");
	CHECK(bip_port_npdu(a)->up);
	CHECK(bip_port_npdu(a)->mac_len == 6);
	CHECK(memcmp(bip_port_npdu(a)->mac, "\x7f\x00\x00\x02", 4) == 0);

	/* unicast A -> B */
	CHECK(send_ucast(a, b, ucast_npdu, sizeof(ucast_npdu)) == 0);
	pump(base, 100);
	CHECK(sb.n == 1 && !sb.bcast[0] && got_from(&sb, 0, a));
	CHECK(got_npdu(&sb, 0, ucast_npdu, sizeof(ucast_npdu)));
	CHECK(sa.n == 0 && sx.n == 0);

	/* broadcast A -> everyone else on the "subnet" */
	CHECK(send_bcast(a, whois, sizeof(whois)) == 0);
	pump(base, 100);
	CHECK(sb.n == 2 && sb.bcast[1] && got_from(&sb, 1, a));
	CHECK(got_npdu(&sb, 1, whois, sizeof(whois)));
	CHECK(sx.n == 1 && sx.bcast[0] && got_from(&sx, 0, a));
	CHECK(sa.n == 0);	/* our own broadcast is dropped */
	CHECK(bip_port_counters(a)->rx_own == 1);
	CHECK(bip_port_counters(a)->tx[BVLC_ORIGINAL_BCAST] == 1);
	CHECK(bip_port_counters(a)->tx[BVLC_ORIGINAL_UNICAST] == 1);
	CHECK(bip_port_counters(b)->rx[BVLC_ORIGINAL_BCAST] == 1);

	/* a burst longer than one recvmmsg batch: all of it, in order */
	{
		uint8_t m[sizeof(ucast_npdu)];
		int i, n0 = sb.n;
		bool in_order = true;

		memcpy(m, ucast_npdu, sizeof(m));
		for (i = 0; i < 20; i++) {
			m[sizeof(m) - 1] = (uint8_t)i;
			CHECK(send_ucast(a, b, m, sizeof(m)) == 0);
		}
		pump(base, 100);
		CHECK(sb.n == n0 + 20);
		for (i = 0; i < 20 && n0 + i < sb.n; i++) {
			m[sizeof(m) - 1] = (uint8_t)i;
			in_order = in_order && got_npdu(&sb, n0 + i, m,
			    sizeof(m));
		}
		CHECK(in_order);
		CHECK(bip_port_counters(b)->rx[BVLC_ORIGINAL_UNICAST] == 21);
	}

	/* oversized NPDU refused on send */
	{
		static uint8_t big[BVLC_NPDU_MAX + 1];

		CHECK(send_bcast(a, big, sizeof(big)) == -1);
	}

	/* malformed input is counted and dropped; BBMD requests NAKed */
	raw = raw_open("127.0.0.9");
	raw_send(raw, a, junk, sizeof(junk));
	pump(base, 100);
	CHECK(bip_port_counters(a)->rx_malformed == 1);
	CHECK(sa.n == 0);
	CHECK(raw_ask(base, raw, a, rbdt, sizeof(rbdt), ans, sizeof(ans)) == 6);
	CHECK(memcmp(ans, "\x81\x00\x00\x06\x00\x20", 6) == 0);
	CHECK(raw_ask(base, raw, a, regfd, sizeof(regfd), ans, sizeof(ans)) ==
	    6);
	CHECK(memcmp(ans, "\x81\x00\x00\x06\x00\x30", 6) == 0);
	CHECK(bip_port_counters(a)->naks_sent == 2);
	/* Secure-BVLL is recognised and refused; unknown functions counted */
	{
		static const uint8_t sec[] = { 0x81, 0x0c, 0x00, 0x06, 0x00,
		    0x00 };
		static const uint8_t unk[] = { 0x81, 0x0d, 0x00, 0x04 };
		uint64_t dropped = bip_port_counters(a)->rx_dropped;

		CHECK(raw_ask(base, raw, a, sec, sizeof(sec), ans,
		    sizeof(ans)) == -1);
		CHECK(raw_ask(base, raw, a, unk, sizeof(unk), ans,
		    sizeof(ans)) == -1);
		CHECK(bip_port_counters(a)->rx[BVLC_SECURE_BVLL] == 1);
		CHECK(bip_port_counters(a)->rx_dropped == dropped + 1);
		CHECK(bip_port_counters(a)->rx_unknown == 1);
		CHECK(sa.n == 0);
	}
	close(raw);
	bip_port_free(a);
	bip_port_free(b);
	bip_port_free(x);
}

/* A port bound to 0.0.0.0 on interface "lo": its MAC is 127.0.0.1. */
static void
scenario_wildcard(struct event_base *base, uint16_t port)
{
	struct bip_port_config c;
	struct bip_port *w, *x;
	struct sink sw, sx;
	struct bvlc_addr self, bc;
	char err[256];

	printf("== 0.0.0.0 on interface lo, port %u\n", port);
	bip_port_config_init(&c);
	c.port = port;
	c.interface = "lo";
	w = open_port(base, &c, &sw, "W");
	bip_port_addr(w, &self, &bc);
	CHECK(self.ip == 0x7f000001u && self.port == port);
	CHECK(bc.ip == 0x7fffffffu);	/* from lo's /8 */
	base_config(&c, "127.0.0.3", port);
	x = open_port(base, &c, &sx, "X");
	CHECK(send_bcast(x, whois, sizeof(whois)) == 0);
	CHECK(send_ucast(x, w, ucast_npdu, sizeof(ucast_npdu)) == 0);
	CHECK(send_bcast(w, local_npdu, sizeof(local_npdu)) == 0);
	pump(base, 100);
	CHECK(sw.n == 2 && sw.bcast[0] && !sw.bcast[1]);
	CHECK(got_from(&sw, 0, x) && got_from(&sw, 1, x));
	CHECK(sx.n == 1 && got_from(&sx, 0, w));
	CHECK(bip_port_counters(w)->rx_own == 1);
	bip_port_free(w);
	bip_port_free(x);
	/* configuration errors are reported, not guessed around */
	bip_port_config_init(&c);
	c.port = port;
	CHECK(bip_port_new(base, &c, err, sizeof(err)) == NULL);
	c.interface = "no-such-if0";
	CHECK(bip_port_new(base, &c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no-such-if0") != NULL);
}

static void
bbmd_config(struct bip_port_config *c, const char *ip, uint16_t port,
    uint16_t p1, uint16_t p2)
{
	base_config(c, ip, port);
	c->mode = BIP_MODE_BBMD;
	c->n_bdt = 2;
	c->bdt[0].addr = A("127.0.0.2");
	c->bdt[0].addr.port = p1;
	c->bdt[0].mask = 0xffffffffu;
	c->bdt[1].addr = A("127.0.0.4");
	c->bdt[1].addr.port = p2;
	c->bdt[1].mask = 0xffffffffu;
	c->fdt_max = 4;
}

static void
scenario_bbmd(struct event_base *base, uint16_t base_port)
{
	uint16_t p1 = (uint16_t)(base_port + 1), p2 = (uint16_t)(base_port + 2);
	uint16_t p3 = (uint16_t)(base_port + 3);
	struct bip_port_config c;
	struct bip_port *b1, *n1, *b2, *n2, *fd, *dead;
	struct sink sb1, sn1, sb2, sn2, sfd, sdead;
	static const uint8_t rbdt[] = { 0x81, 0x02, 0x00, 0x04 };
	static const uint8_t rfdt[] = { 0x81, 0x06, 0x00, 0x04 };
	static const uint8_t wbdt[] = { 0x81, 0x01, 0x00, 0x04 };
	static const uint8_t dist[] = { 0x81, 0x09, 0x00, 0x08, 0x01, 0x00,
	    0x10, 0x08 };
	uint8_t ans[128];
	struct bvlc_msg m;
	struct bvlc_fdt_entry fe;
	struct bvlc_addr fda;
	int raw;

	printf("== BBMD pair: subnet 1 on port %u, subnet 2 on port %u, "
	    "FD on port %u\n", p1, p2, p3);
	bbmd_config(&c, "127.0.0.2", p1, p1, p2);
	b1 = open_port(base, &c, &sb1, "BBMD1");
	base_config(&c, "127.0.0.3", p1);
	n1 = open_port(base, &c, &sn1, "N1");
	bbmd_config(&c, "127.0.0.4", p2, p1, p2);
	b2 = open_port(base, &c, &sb2, "BBMD2");
	base_config(&c, "127.0.0.5", p2);
	n2 = open_port(base, &c, &sn2, "N2");

	/* N1's broadcast reaches subnet 2 through the BBMDs */
	CHECK(send_bcast(n1, whois, sizeof(whois)) == 0);
	pump(base, 150);
	CHECK(sb1.n == 1 && sb1.bcast[0] && got_from(&sb1, 0, n1));
	CHECK(sb2.n == 1 && sb2.bcast[0] && got_from(&sb2, 0, n1));
	CHECK(sn2.n == 1 && sn2.bcast[0] && got_from(&sn2, 0, n1));
	CHECK(got_npdu(&sn2, 0, whois, sizeof(whois)));
	CHECK(sn1.n == 0);
	CHECK(bip_port_counters(b1)->tx[BVLC_FORWARDED_NPDU] == 1);
	CHECK(bip_port_counters(b2)->rx[BVLC_FORWARDED_NPDU] == 1);
	/* BBMD2 rebroadcast it (two-hop) and then heard itself: dropped */
	CHECK(bip_port_counters(b2)->tx[BVLC_FORWARDED_NPDU] == 1);
	CHECK(bip_port_counters(n2)->rx[BVLC_FORWARDED_NPDU] == 1);

	/* BBMD2's own broadcast: locally and to subnet 1 */
	CHECK(send_bcast(b2, local_npdu, sizeof(local_npdu)) == 0);
	pump(base, 150);
	CHECK(sn2.n == 2 && got_from(&sn2, 1, b2) && sn2.bcast[1]);
	CHECK(sn1.n == 1 && got_from(&sn1, 0, b2) && sn1.bcast[0]);
	CHECK(got_npdu(&sn1, 0, local_npdu, sizeof(local_npdu)));
	CHECK(sb1.n == 2 && got_from(&sb1, 1, b2));
	CHECK(sb2.n == 1);

	/* a foreign device on a third "subnet" registers with BBMD1 */
	base_config(&c, "127.0.0.6", p3);
	c.mode = BIP_MODE_FOREIGN;
	c.fd_bbmd = A("127.0.0.2");
	c.fd_bbmd.port = p1;
	c.fd_ttl = 60;
	fd = open_port(base, &c, &sfd, "FD");
	CHECK(!bip_port_npdu(fd)->up);	/* up once registered */
	pump(base, 150);
	CHECK(bip_port_fd_registered(fd));
	CHECK(bip_port_npdu(fd)->up);
	CHECK(bip_port_bbmd(b1)->n_fdt == 1);
	CHECK(bip_port_counters(fd)->fd_registered == 1);

	/* N2's broadcast: BBMD2 -> BBMD1 -> FD (and N1) */
	CHECK(send_bcast(n2, whois, sizeof(whois)) == 0);
	pump(base, 150);
	CHECK(sfd.n == 1 && sfd.bcast[0] && got_from(&sfd, 0, n2));
	CHECK(got_npdu(&sfd, 0, whois, sizeof(whois)));
	CHECK(sn1.n == 2 && got_from(&sn1, 1, n2));
	/* the FD's broadcast goes through BBMD1 to both subnets */
	CHECK(send_bcast(fd, local_npdu, sizeof(local_npdu)) == 0);
	pump(base, 150);
	CHECK(bip_port_counters(fd)->tx[BVLC_DISTRIBUTE_BCAST] == 1);
	CHECK(sn1.n == 3 && got_from(&sn1, 2, fd) && sn1.bcast[2]);
	CHECK(sn2.n == 3 && got_from(&sn2, 2, fd));
	CHECK(sb1.n == 4 && got_from(&sb1, 3, fd));
	CHECK(sfd.n == 1);	/* not echoed to the sender */
	/* unicast between the FD and a node on subnet 2 */
	CHECK(send_ucast(n2, fd, ucast_npdu, sizeof(ucast_npdu)) == 0);
	pump(base, 100);
	CHECK(sfd.n == 2 && !sfd.bcast[1] && got_from(&sfd, 1, n2));

	/* management requests from a tool */
	raw = raw_open("127.0.0.9");
	CHECK(raw_ask(base, raw, b1, rbdt, sizeof(rbdt), ans, sizeof(ans)) ==
	    24);
	CHECK(bvlc_decode(ans, 24, &m, NULL) == CODEC_OK &&
	    m.function == BVLC_READ_BDT_ACK && m.n_entries == 2);
	CHECK(raw_ask(base, raw, b1, wbdt, sizeof(wbdt), ans, sizeof(ans)) ==
	    6);
	CHECK(memcmp(ans, "\x81\x00\x00\x06\x00\x10", 6) == 0);
	CHECK(raw_ask(base, raw, b1, rfdt, sizeof(rfdt), ans, sizeof(ans)) ==
	    14);
	bip_port_addr(fd, &fda, NULL);
	if (bvlc_decode(ans, 14, &m, NULL) == CODEC_OK && m.n_entries == 1) {
		bvlc_fdt_entry_get(&m, 0, &fe);
		CHECK(bvlc_addr_eq(&fe.addr, &fda));
		CHECK(fe.ttl == 60 && fe.remaining >= 89 && fe.remaining <= 90);
	} else {
		CHECK(!"Read-FDT-Ack with one entry");
	}
	/* Distribute-Broadcast from an unregistered device: NAK, no delivery */
	CHECK(raw_ask(base, raw, b1, dist, sizeof(dist), ans, sizeof(ans)) ==
	    6);
	CHECK(memcmp(ans, "\x81\x00\x00\x06\x00\x60", 6) == 0);
	CHECK(sn1.n == 3 && sb1.n == 4);
	close(raw);

	/* a foreign device whose BBMD never answers: it backs off */
	base_config(&c, "127.0.0.7", p3);
	c.mode = BIP_MODE_FOREIGN;
	c.fd_bbmd = A("127.0.0.8");
	c.fd_bbmd.port = p3;
	c.fd_reply_timeout_us = 100000;
	dead = open_port(base, &c, &sdead, "FD-dead");
	pump(base, 1300);	/* 100 ms silence, 1 s back-off, again */
	CHECK(!bip_port_fd_registered(dead));
	CHECK(!bip_port_npdu(dead)->up);
	CHECK(bip_port_counters(dead)->fd_refused >= 1);
	CHECK(bip_port_counters(dead)->tx[BVLC_REGISTER_FD] >= 2);

	bip_port_free(dead);
	bip_port_free(fd);
	bip_port_free(b1);
	bip_port_free(n1);
	bip_port_free(b2);
	bip_port_free(n2);
}

/*
 * One-hop distribution: the BDT masks are the /8 of loopback, so BBMD1
 * sends the Forwarded-NPDU to 127.255.255.255 on subnet 2's port, where
 * every node hears it directly and BBMD2 must not rebroadcast it.
 */
static void
scenario_one_hop(struct event_base *base, uint16_t base_port)
{
	uint16_t p1 = (uint16_t)(base_port + 1), p2 = (uint16_t)(base_port + 2);
	struct bip_port_config c;
	struct bip_port *b1, *n1, *b2, *n2;
	struct sink sb1, sn1, sb2, sn2;

	printf("== one-hop BBMD pair on ports %u and %u\n", p1, p2);
	bbmd_config(&c, "127.0.0.2", p1, p1, p2);
	c.bdt[0].mask = c.bdt[1].mask = 0xff000000u;
	b1 = open_port(base, &c, &sb1, "BBMD1");
	base_config(&c, "127.0.0.3", p1);
	n1 = open_port(base, &c, &sn1, "N1");
	bbmd_config(&c, "127.0.0.4", p2, p1, p2);
	c.bdt[0].mask = c.bdt[1].mask = 0xff000000u;
	b2 = open_port(base, &c, &sb2, "BBMD2");
	base_config(&c, "127.0.0.5", p2);
	n2 = open_port(base, &c, &sn2, "N2");

	CHECK(send_bcast(n1, whois, sizeof(whois)) == 0);
	pump(base, 150);
	CHECK(sn2.n == 1 && sn2.bcast[0] && got_from(&sn2, 0, n1));
	CHECK(sb2.n == 1 && got_from(&sb2, 0, n1));
	CHECK(bip_port_counters(b1)->tx[BVLC_FORWARDED_NPDU] == 1);
	CHECK(bip_port_counters(b2)->rx[BVLC_FORWARDED_NPDU] == 1);
	CHECK(bip_port_counters(n2)->rx[BVLC_FORWARDED_NPDU] == 1);
	CHECK(bip_port_counters(b2)->tx[BVLC_FORWARDED_NPDU] == 0);
	/* and back: N2 -> BBMD2 -> directed broadcast on subnet 1 */
	CHECK(send_bcast(n2, local_npdu, sizeof(local_npdu)) == 0);
	pump(base, 150);
	CHECK(sn1.n == 1 && got_from(&sn1, 0, n2));
	CHECK(sb1.n == 2 && got_from(&sb1, 1, n2));
	CHECK(bip_port_counters(b1)->tx[BVLC_FORWARDED_NPDU] == 1);
	bip_port_free(b1);
	bip_port_free(n1);
	bip_port_free(b2);
	bip_port_free(n2);
}

static int
run_loopback(int argc, char **argv)
{
	struct event_base *base = event_base_new();
	unsigned long bp;

	bp = argc > 2 ? strtoul(argv[2], NULL, 10) :
	    40000 + (unsigned long)getpid() % 20000;
	if (base == NULL || bp < 1024 || bp > 65530)
		return 2;
	scenario_plain(base, (uint16_t)bp);
	scenario_wildcard(base, (uint16_t)bp);
	scenario_bbmd(base, (uint16_t)bp);
	scenario_one_hop(base, (uint16_t)bp);
	event_base_free(base);
	printf("%d checks, %d failed\n", checks, failures);
	return failures == 0 ? 0 : 1;
}

/* ---- peer mode, against other processes (npm peer, namespaces) ---- */

struct peer {
	struct bip_port	*port;
	long		 my_dev;	/* our device instance */
	long		 want_dev;	/* I-Am we wait for; -1: none */
	bool		 whois_seen;
	bool		 iam_seen;
	struct event	*tick;
	uint8_t		 iam[16];	/* our I-Am NPDU */
};

/* Skip the NPDU header (clause 6.2) of n; return the APDU offset or -1. */
static long
apdu_offset(const uint8_t *n, size_t len)
{
	size_t o = 2;
	uint8_t ctl;

	if (len < 2 || n[0] != 1)
		return -1;
	ctl = n[1];
	if (ctl & 0x80)
		return -1;	/* network-layer message */
	if (ctl & 0x20) {
		if (o + 3 > len)
			return -1;
		o += 3 + n[o + 2];
	}
	if (ctl & 0x08) {
		if (o + 3 > len)
			return -1;
		o += 3 + n[o + 2];
	}
	if (ctl & 0x20)
		o++;
	return o < len ? (long)o : -1;
}

/* I-Am of device dev: max APDU 1476, no segmentation, vendor 15. */
static void
make_iam(uint8_t *b, long dev)
{
	static const uint8_t tmpl[16] = {
		0x01, 0x00,			/* NPDU */
		0x10, 0x00,			/* Unconfirmed I-Am */
		0xc4, 0x02, 0x00, 0x00, 0x00,	/* device object id */
		0x22, 0x05, 0xc4,		/* max APDU 1476 */
		0x91, 0x03,			/* no segmentation */
		0x21, 0x0f,			/* vendor 15 */
	};
	uint32_t oid = (uint32_t)8 << 22 | ((uint32_t)dev & 0x3fffff);

	memcpy(b, tmpl, sizeof(tmpl));
	b[5] = (uint8_t)(oid >> 24);
	b[6] = (uint8_t)(oid >> 16);
	b[7] = (uint8_t)(oid >> 8);
	b[8] = (uint8_t)oid;
}

static void
peer_rx(void *arg, struct npdu_port *np, const struct npdu_rx *rx)
{
	struct peer *pe = arg;
	struct bvlc_addr src;
	struct npdu_iov iov = { pe->iam, 2, pe->iam + 2, sizeof(pe->iam) - 2 };
	char buf[32];
	long o = apdu_offset(rx->npdu, rx->npdu_len);
	const uint8_t *a;

	bvlc_addr_load(rx->src_mac, &src);
	if (o < 0 || rx->npdu_len - (size_t)o < 2)
		return;
	a = rx->npdu + o;
	if (a[0] == 0x10 && a[1] == 0x08) {
		printf("peer %ld: Who-Is from %s (%s)\n", pe->my_dev,
		    bvlc_addr_fmt(&src, buf, sizeof(buf)),
		    rx->broadcast ? "broadcast" : "unicast");
		pe->whois_seen = true;
		np->ops->send_broadcast(np, &iov, NULL);
		np->ops->send_unicast(np, rx->src_mac, 6, &iov, NULL);
	} else if (a[0] == 0x10 && a[1] == 0x00 &&
	    rx->npdu_len - (size_t)o >= 7 && a[2] == 0xc4) {
		uint32_t oid = (uint32_t)a[3] << 24 | (uint32_t)a[4] << 16 |
		    (uint32_t)a[5] << 8 | a[6];

		printf("peer %ld: I-Am device %u from %s (%s)\n", pe->my_dev,
		    (unsigned)(oid & 0x3fffff),
		    bvlc_addr_fmt(&src, buf, sizeof(buf)),
		    rx->broadcast ? "broadcast" : "unicast");
		if ((oid >> 22) == 8 && (long)(oid & 0x3fffff) == pe->want_dev)
			pe->iam_seen = true;
	}
	fflush(stdout);
}

static void
peer_tick(evutil_socket_t fd, short what, void *arg)
{
	struct peer *pe = arg;
	struct npdu_port *np = bip_port_npdu(pe->port);
	/*
	 * Who-Is with the full instance range: the npm peer drops datagrams
	 * from its own UDP port that equal one it broadcast itself, and its
	 * Who-Is is the plain 01 00 10 08.
	 */
	static const uint8_t wi[] = { 0x01, 0x00, 0x10, 0x08, 0x09, 0x00,
	    0x1b, 0x3f, 0xff, 0xff };
	struct npdu_iov iov = { wi, 2, wi + 2, sizeof(wi) - 2 };

	(void)fd;
	(void)what;
	if (pe->want_dev >= 0 && !pe->iam_seen)
		np->ops->send_broadcast(np, &iov, NULL);
}

/* Parse "IP[:PORT][/MASKBITS]" into a BDT entry (default /32). */
static void
parse_bdt(const char *arg, uint16_t dflt_port, struct bvlc_bdt_entry *e)
{
	char tmp[64], *slash;
	unsigned long bits = 32;

	snprintf(tmp, sizeof(tmp), "%s", arg);
	if ((slash = strchr(tmp, '/')) != NULL) {
		*slash = '\0';
		bits = strtoul(slash + 1, NULL, 10);
	}
	if (bvlc_addr_parse(tmp, dflt_port, &e->addr) != 0 || bits > 32) {
		fprintf(stderr, "bad BDT entry %s\n", arg);
		exit(2);
	}
	e->mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
}

static void
peer_usage(void)
{
	fprintf(stderr, "usage: bip-e2e peer -m plain|bbmd|foreign -b IP "
	    "-p PORT [-B BCAST] [-t SECONDS] [-d DEV] [-e DEV] [-w]\n"
	    "       [-T BDT-ENTRY]... [-f BBMD] [-F N]\n");
	exit(2);
}

static void
peer_options(int argc, char **argv, struct bip_port_config *c,
    struct peer *pe, int *secs, bool *need_whois, long *want_fdt)
{
	const char *bind = NULL, *bcast = NULL, *fdb = NULL;
	const char *bdt[BIP_BDT_MAX];
	size_t nb = 0, i;
	int ch;

	while ((ch = getopt(argc, argv, "m:b:p:B:t:d:e:wT:f:F:")) != -1) {
		switch (ch) {
		case 'm':
			c->mode = strcmp(optarg, "bbmd") == 0 ? BIP_MODE_BBMD :
			    strcmp(optarg, "foreign") == 0 ? BIP_MODE_FOREIGN :
			    BIP_MODE_PLAIN;
			break;
		case 'b': bind = optarg; break;
		case 'p': c->port = (uint16_t)atoi(optarg); break;
		case 'B': bcast = optarg; break;
		case 't': *secs = atoi(optarg); break;
		case 'd': pe->my_dev = atol(optarg); break;
		case 'e': pe->want_dev = atol(optarg); break;
		case 'w': *need_whois = true; break;
		case 'T':
			if (nb < BIP_BDT_MAX)
				bdt[nb++] = optarg;
			break;
		case 'f': fdb = optarg; break;
		case 'F': *want_fdt = atol(optarg); break;
		default: peer_usage();
		}
	}
	if (bind == NULL || c->port == 0)
		peer_usage();
	c->bind_ip = A(bind).ip;
	if (bcast != NULL) {
		c->has_bcast = true;
		c->bcast_ip = A(bcast).ip;
	}
	for (i = 0; i < nb; i++)
		parse_bdt(bdt[i], c->port, &c->bdt[i]);
	c->n_bdt = nb;
	if (fdb != NULL)
		c->fd_bbmd = A(fdb);
	c->fd_ttl = 60;
}

static int
run_peer(int argc, char **argv)
{
	struct event_base *base = event_base_new();
	struct bip_port_config c;
	struct peer pe;
	struct timeval tv = { 0, 300000 };
	char err[256];
	int secs = 10, i;
	bool need_whois = false, done;
	long want_fdt = -1;
	const struct bip_bbmd *bb;
	const struct bip_counters *k;

	if (base == NULL)
		return 2;
	memset(&pe, 0, sizeof(pe));
	pe.my_dev = 1234;
	pe.want_dev = -1;
	bip_port_config_init(&c);
	c.name = "peer";
	optind = 2;
	peer_options(argc, argv, &c, &pe, &secs, &need_whois, &want_fdt);
	make_iam(pe.iam, pe.my_dev);
	pe.port = bip_port_new(base, &c, err, sizeof(err));
	if (pe.port == NULL) {
		fprintf(stderr, "peer: %s\n", err);
		return 2;
	}
	bip_port_npdu(pe.port)->user.receive = peer_rx;
	bip_port_npdu(pe.port)->user.arg = &pe;
	bip_port_start(pe.port);
	pe.tick = event_new(base, -1, EV_PERSIST, peer_tick, &pe);
	event_add(pe.tick, &tv);
	printf("peer %ld: ready\n", pe.my_dev);
	fflush(stdout);
	bb = bip_port_bbmd(pe.port);
	for (i = 0; i < secs * 10; i++) {
		pump(base, 100);
		done = pe.want_dev >= 0 && pe.iam_seen &&
		    (!need_whois || pe.whois_seen) &&
		    (want_fdt < 0 || (long)bb->n_fdt == want_fdt);
		if (done)
			break;
	}
	pump(base, 1000);	/* let our last answers arrive */
	k = bip_port_counters(pe.port);
	printf("peer %ld: who-is %s, i-am %s, FDT entries %zu, malformed "
	    "%llu, forwarded rx %llu tx %llu, fd registered %s\n", pe.my_dev,
	    pe.whois_seen ? "seen" : "missing",
	    pe.iam_seen ? "seen" : "missing", bb->n_fdt,
	    (unsigned long long)k->rx_malformed,
	    (unsigned long long)k->rx[BVLC_FORWARDED_NPDU],
	    (unsigned long long)k->tx[BVLC_FORWARDED_NPDU],
	    bip_port_fd_registered(pe.port) ? "yes" : "no");
	event_free(pe.tick);
	i = (pe.want_dev < 0 || pe.iam_seen) &&
	    (!need_whois || pe.whois_seen) &&
	    (want_fdt < 0 || (long)bb->n_fdt == want_fdt) &&
	    k->rx_malformed == 0 ? 0 : 1;
	bip_port_free(pe.port);
	event_base_free(base);
	return i;
}

/* ---- bench: codec and socket path costs (numbers for the report) ---- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
run_bench(int argc, char **argv)
{
	static const uint8_t fwd[] = { 0x81, 0x04, 0x00, 0x12, 0xc0, 0xa8,
	    0x01, 0x0a, 0xba, 0xc0, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10,
	    0x08 };
	struct event_base *base = event_base_new();
	struct bip_port_config c;
	struct bip_port *a, *b;
	struct sink sa, sb;
	struct bvlc_msg m;
	uint16_t port = argc > 2 ? (uint16_t)atoi(argv[2]) : 0;
	unsigned long i, n = 2000000, ok = 0, sent = 0;
	double t0, t1;

	if (base == NULL || port == 0)
		return 2;
	t0 = now_s();
	for (i = 0; i < n; i++)
		ok += bvlc_decode(fwd, sizeof(fwd), &m, NULL) == CODEC_OK;
	t1 = now_s();
	printf("bvlc_decode Forwarded-NPDU: %.1f ns each (%lu ok)\n",
	    (t1 - t0) * 1e9 / (double)n, ok);
	base_config(&c, "127.0.0.2", port);
	a = open_port(base, &c, &sa, "A");
	base_config(&c, "127.0.0.3", port);
	b = open_port(base, &c, &sb, "B");
	n = 200000;
	t0 = now_s();
	while (sent < n) {
		for (i = 0; i < 32 && sent < n; i++, sent++)
			(void)send_ucast(a, b, ucast_npdu, sizeof(ucast_npdu));
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	pump(base, 50);
	t1 = now_s();
	printf("unicast A->B over loopback UDP: %lu sent, %llu delivered, "
	    "%.0f datagrams/s (send + receive + decode + deliver, one "
	    "thread)\n", n,
	    (unsigned long long)bip_port_counters(b)->rx_delivered,
	    (double)bip_port_counters(b)->rx_delivered / (t1 - t0 - 0.05));
	bip_port_free(a);
	bip_port_free(b);
	event_base_free(base);
	return 0;
}

int
main(int argc, char **argv)
{
	log_open("bip-e2e", LOG_TARGET_STDERR);
	log_set_level(LOG_LVL_NOTICE);
	if (argc >= 2 && strcmp(argv[1], "loopback") == 0)
		return run_loopback(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "peer") == 0)
		return run_peer(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "bench") == 0)
		return run_bench(argc, argv);
	fprintf(stderr, "usage: bip-e2e loopback [BASEPORT]\n"
	    "       bip-e2e peer -m MODE -b IP -p PORT ... (see the source)\n"
	    "       bip-e2e bench PORT\n");
	return 2;
}
