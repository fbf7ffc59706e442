/*
 * B/IP ports on real loopback sockets (run by tests/e2e/bip-*.sh).
 *
 *   bip-e2e loopback [BASEPORT]
 *	Plain ports exchanging unicast and broadcast, a BBMD pair joining two
 *	"subnets" (two UDP ports), a foreign device registering with one of
 *	them, management requests from a raw socket.  Exit 0 if every check
 *	passed.
 *
 *   bip-e2e peer MODE BIND_IP PORT SECONDS
 *	One port (MODE plain or bbmd) acting as BACnet device 1234 for an
 *	independent peer: it answers Who-Is with I-Am (broadcast, and
 *	unicast to the asker), sends Who-Is every 300 ms, and prints what it
 *	hears.  Exit 0 once it has heard a Who-Is and an I-Am from device
 *	5678 (and, for bbmd, has that peer in its FDT).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bip/bip_io.h"
#include "lib/log.h"

#define MAXREC	16

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
	close(raw);
	bip_port_free(a);
	bip_port_free(b);
	bip_port_free(x);
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
	pump(base, 150);
	CHECK(bip_port_fd_registered(fd));
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
	scenario_bbmd(base, (uint16_t)bp);
	scenario_one_hop(base, (uint16_t)bp);
	event_base_free(base);
	printf("%d checks, %d failed\n", checks, failures);
	return failures == 0 ? 0 : 1;
}

/* ---- peer mode, against an independent BACnet/IP implementation ---- */

struct peer {
	struct bip_port	*port;
	bool		 whois_seen;
	bool		 iam_seen;
	struct event	*tick;
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

static const uint8_t iam_1234[] = {
	0x01, 0x00,			/* NPDU */
	0x10, 0x00,			/* Unconfirmed I-Am */
	0xc4, 0x02, 0x00, 0x04, 0xd2,	/* device 1234 */
	0x22, 0x05, 0xc4,		/* max APDU 1476 */
	0x91, 0x03,			/* no segmentation */
	0x21, 0x0f,			/* vendor 15 */
};

static void
peer_rx(void *arg, struct npdu_port *np, const struct npdu_rx *rx)
{
	struct peer *pe = arg;
	struct bvlc_addr src;
	struct npdu_iov iov = { iam_1234, 2, iam_1234 + 2,
	    sizeof(iam_1234) - 2 };
	char buf[32];
	long o = apdu_offset(rx->npdu, rx->npdu_len);
	const uint8_t *a;

	bvlc_addr_load(rx->src_mac, &src);
	if (o < 0 || rx->npdu_len - (size_t)o < 2)
		return;
	a = rx->npdu + o;
	if (a[0] == 0x10 && a[1] == 0x08) {
		printf("peer: Who-Is from %s (%s)\n",
		    bvlc_addr_fmt(&src, buf, sizeof(buf)),
		    rx->broadcast ? "broadcast" : "unicast");
		pe->whois_seen = true;
		np->ops->send_broadcast(np, &iov, NULL);
		np->ops->send_unicast(np, rx->src_mac, 6, &iov, NULL);
	} else if (a[0] == 0x10 && a[1] == 0x00 &&
	    rx->npdu_len - (size_t)o >= 7 && a[2] == 0xc4) {
		uint32_t oid = (uint32_t)a[3] << 24 | (uint32_t)a[4] << 16 |
		    (uint32_t)a[5] << 8 | a[6];

		printf("peer: I-Am device %u from %s (%s)\n",
		    (unsigned)(oid & 0x3fffff),
		    bvlc_addr_fmt(&src, buf, sizeof(buf)),
		    rx->broadcast ? "broadcast" : "unicast");
		if ((oid >> 22) == 8 && (oid & 0x3fffff) == 5678)
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
	if (!pe->iam_seen)
		np->ops->send_broadcast(np, &iov, NULL);
}

static int
run_peer(int argc, char **argv)
{
	struct event_base *base = event_base_new();
	struct bip_port_config c;
	struct peer pe;
	struct timeval tv = { 0, 300000 };
	char err[256];
	int secs, i;
	const struct bip_bbmd *bb;

	if (argc != 6 || base == NULL)
		return 2;
	memset(&pe, 0, sizeof(pe));
	base_config(&c, argv[3], (uint16_t)atoi(argv[4]));
	c.name = "peer";
	if (strcmp(argv[2], "bbmd") == 0) {
		c.mode = BIP_MODE_BBMD;
		c.n_bdt = 1;
		c.bdt[0].addr.ip = c.bind_ip;
		c.bdt[0].addr.port = c.port;
		c.bdt[0].mask = 0xffffffffu;
	}
	secs = atoi(argv[5]);
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
	printf("peer: ready\n");
	fflush(stdout);
	for (i = 0; i < secs * 10; i++) {
		pump(base, 100);
		if (pe.whois_seen && pe.iam_seen)
			break;
	}
	pump(base, 1000);	/* let our last answers arrive */
	bb = bip_port_bbmd(pe.port);
	printf("peer: who-is %s, i-am %s, FDT entries %zu, malformed %llu\n",
	    pe.whois_seen ? "seen" : "missing",
	    pe.iam_seen ? "seen" : "missing", bb->n_fdt,
	    (unsigned long long)bip_port_counters(pe.port)->rx_malformed);
	event_free(pe.tick);
	i = pe.whois_seen && pe.iam_seen &&
	    (c.mode != BIP_MODE_BBMD || bb->n_fdt == 1) &&
	    bip_port_counters(pe.port)->rx_malformed == 0 ? 0 : 1;
	bip_port_free(pe.port);
	event_base_free(base);
	return i;
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
	fprintf(stderr, "usage: bip-e2e loopback [BASEPORT]\n"
	    "       bip-e2e peer plain|bbmd BIND_IP PORT SECONDS\n");
	return 2;
}
