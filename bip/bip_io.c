/* BACnet/IP port glue: UDP sockets on libevent. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/event.h>

#include "bip/bip_io.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/ratelim.h"

#define BIP_RX_BUF	2048	/* > 10 + 1497; longer datagrams are dropped */
#define BIP_RX_BATCH	64	/* datagrams per socket callback */
#define BIP_RX_VLEN	8	/* datagrams per recvmmsg call */
#define BIP_RL_SLOTS	16	/* sources with their own log rate limit */
#define BIP_RL_ALL_BURST 10	/* such lines per port at once, */
#define BIP_RL_ALL_EVERY (6 * (uint64_t)1000000u) /* then one per 6 s */

/* Per-source log rate limit for malformed input. */
struct bip_rl_slot {
	struct bvlc_addr	src;
	struct ratelim		rl;
	uint64_t		last_us;
	bool			used;
};

struct bip_port {
	struct npdu_port	 np;		/* first: the router's view */
	struct event_base	*base;		/* borrows */
	char			 name[32];
	struct bvlc_addr	 self;
	struct bvlc_addr	 bcast;
	enum bip_mode		 mode;
	size_t			 max_npdu;
	int			 fd_uc;		/* bound to self */
	int			 fd_bc;		/* bound to bcast, or -1 */
	struct event		*ev_uc;
	struct event		*ev_bc;
	struct event		*ev_fdt;	/* FDT purge timer */
	bool			 fdt_armed;
	struct event		*ev_fd;		/* FD client timer */
	bool			 fd_armed;
	bool			 started;
	struct bip_bbmd		 node;
	struct bip_fd		 fdc;
	struct bvlc_addr	 fd_bbmd;
	struct bip_counters	 cnt;
	struct bip_rl_slot	 rl[BIP_RL_SLOTS];
	struct ratelim		 rl_all;	/* all sources together */
	uint8_t			 rxbuf[BIP_RX_VLEN][BIP_RX_BUF];
	uint8_t			*txbuf;		/* owned: table acks */
	size_t			 txcap;
};

static int bip_send_unicast(struct npdu_port *np, const uint8_t *mac,
    size_t mac_len, const struct npdu_iov *npdu,
    const struct npdu_opts *opts);
static int bip_send_broadcast(struct npdu_port *np,
    const struct npdu_iov *npdu, const struct npdu_opts *opts);

static const struct npdu_port_ops bip_ops = {
	.send_unicast = bip_send_unicast,
	.send_broadcast = bip_send_broadcast,
};

void
bip_port_config_init(struct bip_port_config *c)
{
	memset(c, 0, sizeof(*c));
	c->name = "bip";
	c->port = BVLC_PORT_DEFAULT;
	c->bcast_socket = true;
	c->max_npdu = BVLC_NPDU_MAX;
	c->mode = BIP_MODE_PLAIN;
	c->accept_fd = true;
	c->fdt_max = 128;
	c->fdt_per_ip = 4;
	c->fd_ttl = 300;
}

static void
sin_from(struct sockaddr_in *sin, const struct bvlc_addr *a)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(a->ip);
	sin->sin_port = htons(a->port);
}

/*
 * Find an IPv4 address of this host: the one equal to ip (if not 0) on the
 * interface named ifname (if not NULL); return 0 with the address and its
 * broadcast address, or -1.
 */
static int
iface_lookup(const char *ifname, uint32_t ip, uint32_t *addr_out,
    uint32_t *bcast_out)
{
	struct ifaddrs *ifa, *i;
	int rc = -1;

	if (getifaddrs(&ifa) != 0)
		return -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const struct sockaddr_in *a, *m, *b;
		uint32_t aip;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (ifname != NULL && strcmp(i->ifa_name, ifname) != 0)
			continue;
		a = (const struct sockaddr_in *)(const void *)i->ifa_addr;
		aip = ntohl(a->sin_addr.s_addr);
		if (ip != 0 && aip != ip)
			continue;
		b = (const struct sockaddr_in *)(const void *)i->ifa_broadaddr;
		m = (const struct sockaddr_in *)(const void *)i->ifa_netmask;
		if ((i->ifa_flags & IFF_BROADCAST) && b != NULL &&
		    b->sin_family == AF_INET && b->sin_addr.s_addr != 0 &&
		    ntohl(b->sin_addr.s_addr) != aip) {
			*bcast_out = ntohl(b->sin_addr.s_addr);
		} else if (m != NULL && m->sin_family == AF_INET) {
			/*
			 * Loopback (no broadcast flag), or an address added
			 * without one (getifaddrs then reports the address
			 * itself): the subnet's directed broadcast.
			 */
			*bcast_out = aip | ~ntohl(m->sin_addr.s_addr);
		} else {
			*bcast_out = 0xffffffffu;
		}
		*addr_out = aip;
		rc = 0;
		break;
	}
	freeifaddrs(ifa);
	return rc;
}

/*
 * Open a UDP socket bound to a (and to interface ifname if not NULL: then
 * a wildcard socket hears only that interface; without the privilege for
 * it the socket stays unbound to a device, with a notice).
 */
static int
open_socket(const struct bvlc_addr *a, const char *ifname, char *err,
    size_t errlen)
{
	struct sockaddr_in sin;
	char buf[32];
	int fd, on = 1, rcvbuf = 4 * 1024 * 1024;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) != 0) {
		snprintf(err, errlen, "setsockopt: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/*
	 * The default receive buffer holds a few hundred small datagrams;
	 * ask for more so a burst waits in the kernel instead of being
	 * dropped there while the loop is busy (the kernel caps it at
	 * net.core.rmem_max; a refusal costs nothing but the burst room).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0)
		log_warn(LD_BIP, "cannot enlarge the receive buffer");
	if (ifname != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,
	    ifname, (socklen_t)strlen(ifname)) != 0)
		log_warn(LD_BIP, "cannot bind a socket to interface %s; it "
		    "hears every interface", ifname);
	sin_from(&sin, a);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		snprintf(err, errlen, "bind %s: %s",
		    bvlc_addr_fmt(a, buf, sizeof(buf)), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
check_config(const struct bip_port_config *c, char *err, size_t errlen)
{
	if (c->bind_ip == 0xffffffffu ||
	    (c->bind_ip == 0 && (c->interface == NULL || !*c->interface))) {
		snprintf(err, errlen, "bind to one of this host's unicast "
		    "addresses, or to 0.0.0.0 with an interface named (the "
		    "address is the port's MAC)");
		return -1;
	}
	if (c->port == 0) {
		snprintf(err, errlen, "UDP port 0 is not allowed");
		return -1;
	}
	if (c->max_npdu == 0 || c->max_npdu > BVLC_NPDU_MAX) {
		snprintf(err, errlen, "max NPDU must be 1..%d", BVLC_NPDU_MAX);
		return -1;
	}
	if (c->n_bdt > BIP_BDT_MAX) {
		snprintf(err, errlen, "at most %d BDT entries", BIP_BDT_MAX);
		return -1;
	}
	if (c->mode == BIP_MODE_BBMD && c->fdt_max > BIP_FDT_MAX_LIMIT) {
		snprintf(err, errlen, "FDT size at most %d", BIP_FDT_MAX_LIMIT);
		return -1;
	}
	if (c->mode == BIP_MODE_FOREIGN &&
	    (c->fd_bbmd.ip == 0 || c->fd_bbmd.port == 0 || c->fd_ttl == 0)) {
		snprintf(err, errlen, "a foreign device needs a BBMD address "
		    "and a TTL > 0");
		return -1;
	}
	return 0;
}

static int
setup_node(struct bip_port *p, const struct bip_port_config *c, char *err,
    size_t errlen)
{
	struct bip_bbmd_config bc;
	struct bip_fd_config fc;

	memset(&bc, 0, sizeof(bc));
	bc.mode = c->mode;
	bc.self = p->self;
	bc.has_global = c->has_global;
	bc.global = c->global;
	if (c->mode == BIP_MODE_BBMD) {
		bc.bdt = c->bdt;
		bc.n_bdt = c->n_bdt;
		bc.fdt_max = c->fdt_max;
		bc.fdt_per_ip = c->fdt_per_ip;
		bc.accept_fd = c->accept_fd;
	}
	if (bip_bbmd_init(&p->node, &bc) != 0) {
		snprintf(err, errlen, "bad BBMD configuration or out of memory");
		return -1;
	}
	p->txcap = BVLC_HDR_LEN + BVLC_ENTRY_LEN *
	    (p->node.fdt_max > BIP_BDT_MAX ? p->node.fdt_max : BIP_BDT_MAX);
	p->txbuf = malloc(p->txcap);
	if (p->txbuf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&fc, 0, sizeof(fc));
	fc.ttl_s = c->fd_ttl;
	fc.reply_timeout_us = c->fd_reply_timeout_us;
	fc.backoff_max_us = c->fd_backoff_max_us;
	bip_fd_init(&p->fdc, &fc);
	p->fd_bbmd = c->fd_bbmd;
	return 0;
}

static void bip_rx_cb(evutil_socket_t fd, short what, void *arg);
static void bip_fdt_cb(evutil_socket_t fd, short what, void *arg);
static void bip_fd_cb(evutil_socket_t fd, short what, void *arg);

struct bip_port *
bip_port_new(struct event_base *base, const struct bip_port_config *c,
    char *err, size_t errlen)
{
	struct bip_port *p;
	const char *ifname;
	uint32_t bc_ip = 0, own_ip = 0;
	struct bvlc_addr bind;

	if (check_config(c, err, errlen) != 0)
		return NULL;
	ifname = c->interface != NULL && *c->interface ? c->interface : NULL;
	if (iface_lookup(ifname, c->bind_ip, &own_ip, &bc_ip) != 0) {
		if (ifname != NULL) {
			snprintf(err, errlen, "interface %s has no IPv4 "
			    "address%s", ifname, c->bind_ip != 0 ?
			    " equal to the bind address" : "");
			return NULL;
		}
		if (!c->has_bcast) {
			snprintf(err, errlen, "no interface holds the bind "
			    "address; configure the broadcast address");
			return NULL;
		}
		own_ip = c->bind_ip;	/* not up yet: trust the config */
	}
	if (c->has_bcast)
		bc_ip = c->bcast_ip;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->fd_uc = p->fd_bc = -1;
	p->base = base;
	ratelim_init(&p->rl_all, BIP_RL_ALL_BURST, BIP_RL_ALL_EVERY);
	snprintf(p->name, sizeof(p->name), "%s", c->name ? c->name : "bip");
	p->self.ip = own_ip;
	p->self.port = c->port;
	bind.ip = c->bind_ip;
	bind.port = c->port;
	p->bcast.ip = bc_ip;
	p->bcast.port = c->port;
	p->mode = c->mode;
	p->max_npdu = c->max_npdu;
	if (setup_node(p, c, err, errlen) != 0)
		goto fail;
	if ((p->fd_uc = open_socket(&bind, ifname, err, errlen)) < 0)
		goto fail;
	/* A wildcard socket hears broadcasts; one bound to an address not. */
	if (c->bcast_socket && c->bind_ip != 0 && bc_ip != c->bind_ip &&
	    (p->fd_bc = open_socket(&p->bcast, ifname, err, errlen)) < 0)
		goto fail;
	p->ev_uc = event_new(base, p->fd_uc, EV_READ | EV_PERSIST, bip_rx_cb,
	    p);
	if (p->fd_bc >= 0)
		p->ev_bc = event_new(base, p->fd_bc, EV_READ | EV_PERSIST,
		    bip_rx_cb, p);
	p->ev_fdt = evtimer_new(base, bip_fdt_cb, p);
	p->ev_fd = evtimer_new(base, bip_fd_cb, p);
	if (p->ev_uc == NULL || (p->fd_bc >= 0 && p->ev_bc == NULL) ||
	    p->ev_fdt == NULL || p->ev_fd == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	p->np.name = p->name;
	p->np.net = c->net;
	p->np.mac_len = BVLC_ADDR_LEN;
	bvlc_addr_store(p->np.mac, &p->self);
	p->np.max_npdu = p->max_npdu;
	p->np.ops = &bip_ops;
	p->np.impl = p;
	return p;
fail:
	bip_port_free(p);
	return NULL;
}

static void
timer_arm(struct event *ev, bool *armed, uint64_t at_us)
{
	uint64_t now = clk_now_us(), d;
	struct timeval tv;

	if (*armed) {
		event_del(ev);
		*armed = false;
	}
	if (at_us == UINT64_MAX)
		return;
	d = at_us > now ? at_us - now : 0;
	tv.tv_sec = (time_t)(d / 1000000u);
	tv.tv_usec = (suseconds_t)(d % 1000000u);
	if (evtimer_add(ev, &tv) == 0)
		*armed = true;
}

static void
fd_apply(struct bip_port *p, const struct bip_fd_actions *a);

static void
fd_step(struct bip_port *p, enum bip_fd_event ev)
{
	struct bip_fd_actions a;

	bip_fd_step(&p->fdc, ev, clk_now_us(), &a);
	fd_apply(p, &a);
}

int
bip_port_start(struct bip_port *p)
{
	char b1[32], b2[32];

	if (p->started)
		return 0;
	if (event_add(p->ev_uc, NULL) != 0 ||
	    (p->ev_bc != NULL && event_add(p->ev_bc, NULL) != 0))
		return -1;
	p->started = true;
	log_info(LD_BIP, "%s: B/IP %s, broadcast %s, mode %s", p->name,
	    bvlc_addr_fmt(&p->self, b1, sizeof(b1)),
	    bvlc_addr_fmt(&p->bcast, b2, sizeof(b2)),
	    p->mode == BIP_MODE_BBMD ? "bbmd" :
	    p->mode == BIP_MODE_FOREIGN ? "foreign" : "plain");
	/* A foreign device is up once its BBMD has registered it. */
	if (p->mode == BIP_MODE_FOREIGN)
		fd_step(p, BIP_FD_EV_START);
	else
		npdu_port_set_up(&p->np, true);
	return 0;
}

static void
ev_free(struct event **ev)
{
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
}

void
bip_port_free(struct bip_port *p)
{
	if (p == NULL)
		return;
	ev_free(&p->ev_uc);
	ev_free(&p->ev_bc);
	ev_free(&p->ev_fdt);
	ev_free(&p->ev_fd);
	if (p->fd_uc >= 0)
		close(p->fd_uc);
	if (p->fd_bc >= 0)
		close(p->fd_bc);
	bip_bbmd_fini(&p->node);
	free(p->txbuf);
	free(p);
}

struct npdu_port *
bip_port_npdu(struct bip_port *p)
{
	return &p->np;
}

const struct bip_counters *
bip_port_counters(const struct bip_port *p)
{
	return &p->cnt;
}

void
bip_port_addr(const struct bip_port *p, struct bvlc_addr *self,
    struct bvlc_addr *bcast)
{
	if (self != NULL)
		*self = p->self;
	if (bcast != NULL)
		*bcast = p->bcast;
}

bool
bip_port_fd_registered(const struct bip_port *p)
{
	return p->fdc.registered;
}

const struct bip_bbmd *
bip_port_bbmd(const struct bip_port *p)
{
	return &p->node;
}

int
bip_port_set_bdt(struct bip_port *p, const struct bvlc_bdt_entry *bdt,
    size_t n)
{
	if (p->mode != BIP_MODE_BBMD)
		return -1;
	if (bip_bbmd_set_bdt(&p->node, bdt, n) != 0)
		return -1;
	log_info(LD_BIP, "%s: BDT now has %zu entries", p->name, n);
	return 0;
}

/* ---- sending ---- */

/* Send iov[0..n) as one datagram to dst; count it under function. */
static int
tx_iov(struct bip_port *p, const struct bvlc_addr *dst, uint8_t function,
    struct iovec *iov, int n)
{
	struct sockaddr_in sin;
	struct msghdr mh;
	char buf[32];
	ssize_t r;

	sin_from(&sin, dst);
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &sin;
	mh.msg_namelen = sizeof(sin);
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)n;
	do
		r = sendmsg(p->fd_uc, &mh, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		p->cnt.tx_errors++;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_warn(LD_BIP, "%s: send %s to %s", p->name,
			    bvlc_function_name(function),
			    bvlc_addr_fmt(dst, buf, sizeof(buf)));
		return -1;
	}
	p->cnt.tx[function]++;
	p->cnt.tx_bytes += (uint64_t)r;
	return 0;
}

/* Send an NPDU (two borrowed segments) behind a BVLL header of function. */
static int
tx_npdu(struct bip_port *p, const struct bvlc_addr *dst, uint8_t function,
    const struct bvlc_addr *orig, const uint8_t *hdr, size_t hdr_len,
    const uint8_t *body, size_t body_len)
{
	uint8_t bh[BVLC_FWD_HDR_LEN];
	struct iovec iov[3];
	struct wr w;
	int n = 0;

	wr_init(&w, bh, sizeof(bh));
	if (bvlc_encode_npdu_hdr(&w, function, orig, hdr_len + body_len) != 0)
		return -1;
	iov[n].iov_base = bh;
	iov[n++].iov_len = w.len;
	if (hdr_len > 0) {
		iov[n].iov_base = (void *)(uintptr_t)hdr;
		iov[n++].iov_len = hdr_len;
	}
	if (body_len > 0) {
		iov[n].iov_base = (void *)(uintptr_t)body;
		iov[n++].iov_len = body_len;
	}
	return tx_iov(p, dst, function, iov, n);
}

static int
tx_raw(struct bip_port *p, const struct bvlc_addr *dst, const uint8_t *msg,
    size_t len)
{
	struct iovec iov;

	if (len < BVLC_HDR_LEN || msg[1] >= BVLC_FUNCTION_COUNT)
		return -1;
	iov.iov_base = (void *)(uintptr_t)msg;
	iov.iov_len = len;
	return tx_iov(p, dst, msg[1], &iov, 1);
}

int
bip_port_send_raw(struct bip_port *p, const struct bvlc_addr *dst,
    const uint8_t *msg, size_t len)
{
	return tx_raw(p, dst, msg, len);
}

static int
npdu_fits(struct bip_port *p, const struct npdu_iov *npdu)
{
	size_t n = npdu->hdr_len + npdu->body_len;

	return n > 0 && n <= p->max_npdu ? 0 : -1;
}

static int
bip_send_unicast(struct npdu_port *np, const uint8_t *mac, size_t mac_len,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	struct bip_port *p = np->impl;
	struct bvlc_addr dst;

	(void)opts;	/* B/IP carries no data options */
	if (mac_len != BVLC_ADDR_LEN || npdu_fits(p, npdu) != 0)
		return -1;
	bvlc_addr_load(mac, &dst);
	return tx_npdu(p, &dst, BVLC_ORIGINAL_UNICAST, NULL, npdu->hdr,
	    npdu->hdr_len, npdu->body, npdu->body_len);
}

/* Carry out the sending part of a node decision for one NPDU. */
static int
do_forward(struct bip_port *p, const struct bip_bbmd_out *o,
    const uint8_t *hdr, size_t hdr_len, const uint8_t *body, size_t body_len)
{
	size_t i;
	int rc = 0;

	if (o->orig_local_bcast && tx_npdu(p, &p->bcast, BVLC_ORIGINAL_BCAST,
	    NULL, hdr, hdr_len, body, body_len) != 0)
		rc = -1;
	if (o->fwd_local_bcast && tx_npdu(p, &p->bcast, BVLC_FORWARDED_NPDU,
	    &o->fwd_orig, hdr, hdr_len, body, body_len) != 0)
		rc = -1;
	for (i = 0; i < o->n_dests; i++)
		if (tx_npdu(p, &o->dests[i], BVLC_FORWARDED_NPDU, &o->fwd_orig,
		    hdr, hdr_len, body, body_len) != 0)
			rc = -1;
	return rc;
}

static int
bip_send_broadcast(struct npdu_port *np, const struct npdu_iov *npdu,
    const struct npdu_opts *opts)
{
	struct bip_port *p = np->impl;
	struct bip_bbmd_out o;

	(void)opts;
	if (npdu_fits(p, npdu) != 0)
		return -1;
	if (p->mode == BIP_MODE_FOREIGN)
		return tx_npdu(p, &p->fd_bbmd, BVLC_DISTRIBUTE_BCAST, NULL,
		    npdu->hdr, npdu->hdr_len, npdu->body, npdu->body_len);
	p->cnt.fdt_expired += bip_bbmd_expire(&p->node, clk_now_us());
	bip_bbmd_local_bcast(&p->node, clk_now_us(), &o);
	return do_forward(p, &o, npdu->hdr, npdu->hdr_len, npdu->body,
	    npdu->body_len);
}

/* ---- timers ---- */

static void
fdt_rearm(struct bip_port *p)
{
	timer_arm(p->ev_fdt, &p->fdt_armed, bip_bbmd_next_expiry(&p->node));
}

static void
bip_fdt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bip_port *p = arg;

	(void)fd;
	(void)what;
	p->fdt_armed = false;
	p->cnt.fdt_expired += bip_bbmd_expire(&p->node, clk_now_us());
	fdt_rearm(p);
}

static void
fd_apply(struct bip_port *p, const struct bip_fd_actions *a)
{
	uint8_t b[8];
	struct wr w;
	char buf[32];

	if (a->send_register) {
		wr_init(&w, b, sizeof(b));
		if (bvlc_encode_register_fd(&w, p->fdc.cfg.ttl_s) == 0)
			(void)tx_raw(p, &p->fd_bbmd, b, w.len);
	}
	if (a->registered_changed) {
		if (p->fdc.registered)
			p->cnt.fd_registered++;
		npdu_port_set_up(&p->np, p->fdc.registered);
		log_msg(p->fdc.registered ? LOG_LVL_INFO : LOG_LVL_NOTICE,
		    LD_BIP, "%s: foreign-device registration with %s %s",
		    p->name, bvlc_addr_fmt(&p->fd_bbmd, buf, sizeof(buf)),
		    p->fdc.registered ? "accepted" : "lost");
	}
	timer_arm(p->ev_fd, &p->fd_armed, a->timer_at_us);
}

static void
bip_fd_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bip_port *p = arg;
	enum bip_fd_state before = p->fdc.state;

	(void)fd;
	(void)what;
	p->fd_armed = false;
	fd_step(p, BIP_FD_EV_TIMER);
	if (before == BIP_FD_REGISTERING && p->fdc.state == BIP_FD_RETRY_WAIT)
		p->cnt.fd_refused++;
}

/* ---- receiving ---- */

static struct ratelim *
rl_for(struct bip_port *p, const struct bvlc_addr *src, uint64_t now)
{
	struct bip_rl_slot *s, *old = &p->rl[0];
	size_t i;

	for (i = 0; i < BIP_RL_SLOTS; i++) {
		s = &p->rl[i];
		if (s->used && bvlc_addr_eq(&s->src, src)) {
			s->last_us = now;
			return &s->rl;
		}
		if (!s->used || (old->used && s->last_us < old->last_us))
			old = s;
	}
	old->used = true;
	old->src = *src;
	old->last_us = now;
	ratelim_init(&old->rl, 3, 60 * (uint64_t)1000000u);
	return &old->rl;
}

static void
rx_bad(struct bip_port *p, const struct bvlc_addr *src, const char *what,
    const char *why)
{
	uint64_t now = clk_now_us();
	char buf[32];

	/*
	 * Per source, so one noisy source does not hide another; and per
	 * port, as the table of sources is small and a source address is
	 * easily forged: a fresh source each datagram would otherwise be
	 * a fresh line each datagram.
	 */
	if (!ratelim_allow(&p->rl_all, now, NULL))
		return;
	log_ratelim(rl_for(p, src, now), LOG_LVL_NOTICE, LD_BIP,
	    "%s: dropped %s datagram from %s: %s", p->name, what,
	    bvlc_addr_fmt(src, buf, sizeof(buf)), why);
}

static void
reply_result(struct bip_port *p, const struct bvlc_addr *to, uint16_t code)
{
	uint8_t b[8];
	struct wr w;

	wr_init(&w, b, sizeof(b));
	if (bvlc_encode_result(&w, code) == 0 && tx_raw(p, to, b, w.len) == 0 &&
	    code != BVLC_RC_OK)
		p->cnt.naks_sent++;
}

static void
rx_result(struct bip_port *p, const struct bvlc_addr *src, uint16_t result)
{
	enum bip_fd_state before = p->fdc.state;

	if (p->mode != BIP_MODE_FOREIGN || !bvlc_addr_eq(src, &p->fd_bbmd)) {
		p->cnt.rx_dropped++;
		return;
	}
	if (result == BVLC_RC_OK)
		fd_step(p, BIP_FD_EV_RESULT_OK);
	else if (result == BVLC_RC_REGISTER_FD_NAK)
		fd_step(p, BIP_FD_EV_RESULT_NAK);
	else if (result == BVLC_RC_DISTRIBUTE_NAK)
		fd_step(p, BIP_FD_EV_DISTRIBUTE_NAK);
	if (before == BIP_FD_REGISTERING && p->fdc.state == BIP_FD_RETRY_WAIT)
		p->cnt.fd_refused++;
}

/* Act on a decision about message m from src. */
static void
rx_apply(struct bip_port *p, const struct bvlc_addr *src,
    const struct bvlc_msg *m, const struct bip_bbmd_out *o)
{
	struct npdu_rx rx;
	uint8_t mac[BVLC_ADDR_LEN];
	struct wr w;
	int rc;

	if (o->send_result)
		reply_result(p, src, o->result_code);
	if (o->send_bdt_ack || o->send_fdt_ack) {
		wr_init(&w, p->txbuf, p->txcap);
		rc = o->send_bdt_ack ? bip_bbmd_encode_bdt_ack(&p->node, &w) :
		    bip_bbmd_encode_fdt_ack(&p->node, clk_now_us(), &w);
		if (rc == 0)
			(void)tx_raw(p, src, p->txbuf, w.len);
	}
	if (m->npdu != NULL)
		(void)do_forward(p, o, NULL, 0, m->npdu, m->npdu_len);
	if (o->got_result)
		rx_result(p, src, o->result);
	if (o->drop_why != NULL && !o->deliver)
		p->cnt.rx_dropped++;
	if (!o->deliver)
		return;
	bvlc_addr_store(mac, &o->deliver_src);
	memset(&rx, 0, sizeof(rx));
	rx.src_mac = mac;
	rx.src_mac_len = sizeof(mac);
	rx.broadcast = o->deliver_bcast;
	rx.npdu = m->npdu;
	rx.npdu_len = m->npdu_len;
	p->cnt.rx_delivered++;
	npdu_port_deliver(&p->np, &rx);
}

static void
rx_datagram(struct bip_port *p, const struct bvlc_addr *src,
    const uint8_t *buf, size_t len)
{
	struct bip_bbmd_out o;
	struct bvlc_msg m;
	const char *why = NULL;
	enum codec_rc rc;

	if (bip_bbmd_is_self(&p->node, src)) {
		p->cnt.rx_own++;
		return;
	}
	if (len > BVLC_FWD_HDR_LEN + BVLC_NPDU_MAX) {
		p->cnt.rx_oversize++;
		rx_bad(p, src, "oversized", "longer than a B/IP datagram");
		return;
	}
	p->cnt.rx_bytes += len;
	rc = bvlc_decode(buf, len, &m, &why);
	if (rc != CODEC_OK) {
		if (rc == CODEC_UNSUPPORTED)
			p->cnt.rx_unknown++;
		else
			p->cnt.rx_malformed++;
		rx_bad(p, src, codec_rc_name(rc), why);
		return;
	}
	p->cnt.rx[m.function]++;
	if (m.npdu_len > BVLC_NPDU_MAX) {
		p->cnt.rx_oversize++;
		rx_bad(p, src, "oversized", "NPDU longer than 1497 octets");
		return;
	}
	p->cnt.fdt_expired += bip_bbmd_expire(&p->node, clk_now_us());
	bip_bbmd_rx(&p->node, clk_now_us(), src, &m, &o);
	rx_apply(p, src, &m, &o);
	if (m.function == BVLC_REGISTER_FD || m.function == BVLC_DELETE_FDT_ENTRY)
		fdt_rearm(p);
}

static void
bip_rx_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bip_port *p = arg;
	struct mmsghdr mm[BIP_RX_VLEN];
	struct iovec iov[BIP_RX_VLEN];
	struct sockaddr_in sin[BIP_RX_VLEN];
	struct bvlc_addr src;
	int i, n, round;

	(void)what;
	/*
	 * recvmmsg: a call that returns fewer datagrams than asked for has
	 * emptied the queue, so the common case (one datagram per wake-up)
	 * costs one call, not a recvfrom plus one that says EAGAIN.
	 */
	for (round = 0; round < BIP_RX_BATCH / BIP_RX_VLEN; round++) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < BIP_RX_VLEN; i++) {
			iov[i].iov_base = p->rxbuf[i];
			iov[i].iov_len = BIP_RX_BUF;
			mm[i].msg_hdr.msg_name = &sin[i];
			mm[i].msg_hdr.msg_namelen = sizeof(sin[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, mm, BIP_RX_VLEN, MSG_TRUNC, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn(LD_BIP, "%s: recvmmsg", p->name);
			return;
		}
		for (i = 0; i < n; i++) {
			if (mm[i].msg_hdr.msg_namelen < sizeof(sin[i]) ||
			    sin[i].sin_family != AF_INET)
				continue;
			src.ip = ntohl(sin[i].sin_addr.s_addr);
			src.port = ntohs(sin[i].sin_port);
			if (mm[i].msg_len > BIP_RX_BUF) {
				p->cnt.rx_oversize++;
				rx_bad(p, &src, "oversized",
				    "datagram too long");
				continue;
			}
			rx_datagram(p, &src, p->rxbuf[i], mm[i].msg_len);
		}
		if (n < BIP_RX_VLEN)
			return;
	}
}
