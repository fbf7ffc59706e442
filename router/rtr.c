/*
 * Router engine (clause 6.5, 6.6).  See rtr.h.
 *
 * Reading guide: rtr_receive() decodes and splits local (no DNET) from
 * routed traffic; rtr_route() applies the forwarding rules of the digest's
 * section 2.4.2 in order; rtr_nl() handles the network-layer messages
 * addressed to the router (2.4.3); searches and held NPDUs come last.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/log.h"
#include "lib/ratelim.h"
#include "npdu/nlm_codec.h"
#include "npdu/npdu_codec.h"
#include "router/rtr.h"

#define RTR_PEERS	32		/* NL rate-limit slots (LRU) */
#define RTR_NL_ALL	4		/* all peers together: 4 peers' rate */
#define RTR_MSG_MAX	1497		/* largest NL message we build */
#define RTR_HOP_INIT	NPDU_HOP_COUNT_INIT
#define RTR_NO_PORT	RTR_PORTS_MAX
#define RTR_CTL_KEEP	(NPDU_CTL_EXPECT_REPLY | NPDU_CTL_PRIO_MASK)
/* An unchanged route is passed on again only after this long, so that
 * announcements cannot circle a loop of routers forever. */
#define RTR_RELAY_HOLD_US	(10u * 1000000u)

struct rtr_search {
	uint16_t	 net;		/* 0: free slot */
	bool		 failed;	/* in hold-down after a failure */
	uint64_t	 deadline_us;	/* timeout, or end of hold-down */
};

/* An NPDU waiting for a search (a copy: the receive buffer is gone). */
struct rtr_held {
	bool		 used;
	bool		 from_app;	/* built by rtr_send_apdu */
	bool		 broadcast;	/* arrived as a local broadcast */
	uint8_t		 port;
	uint8_t		 mac_len;
	uint8_t		 mac[NPDU_PORT_MAC_MAX];
	uint16_t	 net;
	uint64_t	 seq;		/* age order */
	uint8_t		*buf;		/* owned, kept for reuse */
	size_t		 cap;
	size_t		 npdu_len;	/* NPDU, then opts_len options */
	size_t		 opts_len;
};

struct rtr_peer {
	bool		 used;
	uint8_t		 port;
	uint8_t		 mac_len;
	uint8_t		 mac[NPDU_PORT_MAC_MAX];
	uint64_t	 last_us;
	struct ratelim	 rl;
};

/* Where an NPDU came from: enough to answer it with a Reject. */
struct rtr_src {
	unsigned	 port;
	const uint8_t	*mac;
	size_t		 mac_len;
	bool		 broadcast;
	const uint8_t	*npdu;		/* the NPDU as received */
	size_t		 npdu_len;
};

struct rtr {
	struct rtr_config	 cfg;
	size_t			 nports;
	struct npdu_port	*ports[RTR_PORTS_MAX];	/* borrowed */
	struct rtr_table	 table;
	struct rtr_stats	 st;
	rtr_local_fn		 local_fn;
	void			*local_arg;
	rtr_clock_fn		 clock_fn;
	void			*clock_arg;
	struct rtr_search	*search;	/* cfg.search_max */
	struct rtr_held		*held;		/* cfg.queue_max */
	size_t			 held_n;
	size_t			 held_bytes;
	uint64_t		 held_seq;
	uint64_t		 next_us;	/* next deadline (may be early) */
	struct rtr_peer		 peers[RTR_PEERS];
	struct ratelim		 nl_all_rl;	/* all peers together */
	struct ratelim		 log_rl;
	struct ratelim		 bcast_rl[RTR_PORTS_MAX]; /* per arrival */
};

static void rtr_route(struct rtr *, const struct rtr_src *,
    const struct npdu_view *, const struct npdu_opts *, uint64_t);
static void rtr_local(struct rtr *, const struct rtr_src *,
    const struct npdu_view *, const struct npdu_opts *, uint64_t);
static void rtr_search_found(struct rtr *, uint16_t, uint64_t);
static void rtr_held_release_slot(struct rtr *, struct rtr_held *);
static struct rtr_held *rtr_held_oldest(struct rtr *, uint16_t);

static const struct npdu_opts rtr_no_opts = { NULL, 0 };
/* Secure Path (AB.2.3), Must Understand 0 as in the AB.2.17 example. */
static const uint8_t rtr_secure_path[1] = { 0x01 };
static const struct npdu_opts rtr_secure_path_opts = { rtr_secure_path, 1 };

/* The data options of what the router itself originates on port qi. */
static const struct npdu_opts *
rtr_own_opts(const struct rtr *r, unsigned qi)
{
	return r->cfg.port[qi].secure_path ? &rtr_secure_path_opts :
	    &rtr_no_opts;
}

/* ------------------------------------------------------------------ */
/* Set-up */

void
rtr_config_defaults(struct rtr_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < RTR_PORTS_MAX; i++)
		cfg->port[i].learn = true;
	cfg->table_max = 1024;
	cfg->route_max_age_us = 3600u * 1000000u;
	cfg->search_timeout_us = 2u * 1000000u;
	cfg->search_holddown_us = 10u * 1000000u;
	cfg->search_max = 16;
	cfg->queue_max = 64;
	cfg->queue_bytes_max = 64u * 1497u;
	cfg->nl_rate_burst = 20;
	cfg->nl_rate_interval_us = 100000u;	/* 10 per second sustained */
	cfg->bcast_rate_burst = 500;
	cfg->bcast_rate_interval_us = 5000u;	/* 200 per second sustained */
	cfg->init_rt_updates = false;
}

static uint64_t
rtr_now(const struct rtr *r)
{
	return r->clock_fn != NULL ? r->clock_fn(r->clock_arg) : 0;
}

static void
rtr_port_receive_cb(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	struct rtr *r = arg;

	rtr_receive(r, p->id - 1, rx, rtr_now(r));
}

static void
rtr_port_link_cb(void *arg, struct npdu_port *p, bool up)
{
	struct rtr *r = arg;

	if (up)
		rtr_port_up(r, p->id - 1, rtr_now(r));
}

struct rtr *
rtr_new(const struct rtr_config *cfg, struct npdu_port *const *ports)
{
	struct rtr *r;
	size_t i;

	if (cfg->nports == 0 || cfg->nports > RTR_PORTS_MAX)
		return NULL;
	for (i = 0; i < cfg->nports; i++)
		if (ports[i] == NULL || ports[i]->mac_len == 0 ||
		    ports[i]->mac_len > NPDU_PORT_MAC_MAX)
			return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->cfg = *cfg;
	if (r->cfg.search_max == 0)
		r->cfg.search_max = 1;
	r->nports = cfg->nports;
	r->next_us = RTR_TIME_NEVER;
	ratelim_init(&r->log_rl, 5, 10u * 1000000u);
	ratelim_init(&r->nl_all_rl, cfg->nl_rate_burst * RTR_NL_ALL,
	    cfg->nl_rate_interval_us / RTR_NL_ALL);
	for (i = 0; i < RTR_PORTS_MAX; i++)
		ratelim_init(&r->bcast_rl[i], cfg->bcast_rate_burst,
		    cfg->bcast_rate_interval_us);
	if (rtr_table_init(&r->table, cfg->table_max,
	    cfg->route_max_age_us) != 0)
		goto fail;
	r->search = calloc(r->cfg.search_max, sizeof(*r->search));
	if (r->search == NULL)
		goto fail;
	if (cfg->queue_max > 0 &&
	    (r->held = calloc(cfg->queue_max, sizeof(*r->held))) == NULL)
		goto fail;
	for (i = 0; i < cfg->nports; i++) {
		rtr_table_set_learning(&r->table, (unsigned)i,
		    cfg->port[i].learn);
		if (cfg->port[i].net != 0 &&
		    rtr_table_set_direct(&r->table, (unsigned)i,
		    cfg->port[i].net, true, 0) != 0)
			goto fail;	/* 0xFFFF or one number twice */
	}
	for (i = 0; i < cfg->nports; i++) {
		struct npdu_port *p = ports[i];

		r->ports[i] = p;
		p->id = (unsigned)i + 1;
		p->net = cfg->port[i].net;
		p->user.receive = rtr_port_receive_cb;
		p->user.link_changed = rtr_port_link_cb;
		p->user.arg = r;
	}
	return r;
fail:
	rtr_free(r);
	return NULL;
}

void
rtr_free(struct rtr *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nports; i++) {
		if (r->ports[i] != NULL && r->ports[i]->user.arg == r)
			memset(&r->ports[i]->user, 0,
			    sizeof(r->ports[i]->user));
	}
	if (r->held != NULL)
		for (i = 0; i < r->cfg.queue_max; i++)
			free(r->held[i].buf);
	free(r->held);
	free(r->search);
	rtr_table_fini(&r->table);
	free(r);
}

bool
rtr_limits_fit(const struct rtr *r, const struct rtr_config *cfg,
    const char **why)
{
	if (cfg->table_max == 0 ||
	    cfg->table_max < rtr_table_count(&r->table)) {
		*why = "fewer routing table entries than the table holds now";
		return false;
	}
	return true;
}

/*
 * Give the held-NPDU queue max slots: the newest held NPDUs move into a
 * new array, the oldest beyond max are dropped.  0, or -1 on OOM (then
 * nothing changed).
 */
static int
rtr_held_resize(struct rtr *r, size_t max)
{
	struct rtr_held *nh = NULL;
	size_t i, k = 0;

	if (max == r->cfg.queue_max)
		return 0;
	if (max > 0 && (nh = calloc(max, sizeof(*nh))) == NULL)
		return -1;
	while (r->held_n > max) {
		rtr_held_release_slot(r, rtr_held_oldest(r, 0));
		r->st.drop_queue_full++;
	}
	for (i = 0; i < r->cfg.queue_max; i++) {
		if (r->held[i].used)
			nh[k++] = r->held[i];	/* takes its buffer */
		else
			free(r->held[i].buf);
	}
	free(r->held);
	r->held = nh;
	r->cfg.queue_max = max;
	return 0;
}

int
rtr_set_limits(struct rtr *r, const struct rtr_config *cfg,
    const char **why)
{
	size_t old_table = r->table.cap, i;

	if (!rtr_limits_fit(r, cfg, why))
		return -1;
	if (rtr_table_resize(&r->table, cfg->table_max) != 0) {
		*why = "out of memory";
		return -1;
	}
	if (rtr_held_resize(r, cfg->queue_max) != 0) {
		(void)rtr_table_resize(&r->table, old_table);
		*why = "out of memory";
		return -1;
	}
	r->cfg.table_max = cfg->table_max;
	r->cfg.search_timeout_us = cfg->search_timeout_us;
	r->cfg.nl_rate_burst = cfg->nl_rate_burst;
	r->cfg.nl_rate_interval_us = cfg->nl_rate_interval_us;
	for (i = 0; i < RTR_PEERS; i++)
		if (r->peers[i].used)
			ratelim_retune(&r->peers[i].rl, cfg->nl_rate_burst,
			    cfg->nl_rate_interval_us);
	ratelim_retune(&r->nl_all_rl, cfg->nl_rate_burst * RTR_NL_ALL,
	    cfg->nl_rate_interval_us / RTR_NL_ALL);
	r->cfg.bcast_rate_burst = cfg->bcast_rate_burst;
	r->cfg.bcast_rate_interval_us = cfg->bcast_rate_interval_us;
	for (i = 0; i < RTR_PORTS_MAX; i++)
		ratelim_retune(&r->bcast_rl[i], cfg->bcast_rate_burst,
		    cfg->bcast_rate_interval_us);
	r->cfg.init_rt_updates = cfg->init_rt_updates;
	/* Learning from now on; routes already learned stay. */
	for (i = 0; i < cfg->nports && i < r->cfg.nports; i++) {
		r->cfg.port[i].learn = cfg->port[i].learn;
		rtr_table_set_learning(&r->table, (unsigned)i,
		    cfg->port[i].learn);
	}
	return 0;
}

const struct rtr_config *
rtr_config_of(const struct rtr *r)
{
	return &r->cfg;
}

void
rtr_set_local_handler(struct rtr *r, rtr_local_fn fn, void *arg)
{
	r->local_fn = fn;
	r->local_arg = arg;
}

void
rtr_set_clock(struct rtr *r, rtr_clock_fn fn, void *arg)
{
	r->clock_fn = fn;
	r->clock_arg = arg;
}

const struct rtr_stats *
rtr_stats(const struct rtr *r)
{
	return &r->st;
}

const struct rtr_table *
rtr_table(const struct rtr *r)
{
	return &r->table;
}

size_t
rtr_held_count(const struct rtr *r)
{
	return r->held_n;
}

static void
rtr_deadline(struct rtr *r, uint64_t t)
{
	if (t < r->next_us)
		r->next_us = t;
}

/* ------------------------------------------------------------------ */
/* Sending */

/* Send hdr + body on port qi (mac NULL: local broadcast). */
static int
rtr_xmit(struct rtr *r, unsigned qi, const uint8_t *mac, size_t mac_len,
    const uint8_t *hdr, size_t hdr_len, const uint8_t *body, size_t body_len,
    const struct npdu_opts *opts)
{
	struct npdu_port *q = r->ports[qi];
	struct npdu_iov iov;
	int rc;

	if (!q->up || q->ops == NULL) {
		r->st.drop_port_down++;
		return -1;
	}
	iov.hdr = hdr;
	iov.hdr_len = hdr_len;
	iov.body = body_len > 0 ? body : NULL;
	iov.body_len = body_len;
	if (mac == NULL)
		rc = q->ops->send_broadcast(q, &iov, opts);
	else
		rc = q->ops->send_unicast(q, mac, mac_len, &iov, opts);
	if (rc != 0)
		r->st.drop_port_down++;
	return rc;
}

/*
 * Send a network-layer message the router originates on port qi (mac
 * NULL: local broadcast).  hdr gives the addressing and control bits
 * (NULL: a local message, normal priority).
 */
static int
rtr_send_nl(struct rtr *r, unsigned qi, const uint8_t *mac, size_t mac_len,
    const struct npdu_view *hdr, const struct nlm_msg *m)
{
	uint8_t buf[RTR_MSG_MAX];
	struct npdu_view local;
	struct wr w;

	if (hdr == NULL) {
		npdu_view_init(&local);
		hdr = &local;
	}
	wr_init(&w, buf, sizeof(buf));
	if (nlm_encode(&w, hdr, m) != 0)
		return -1;
	/* A long DADR (a Reject to a source with a long SADR) can overflow. */
	if (w.len > r->ports[qi]->max_npdu) {
		r->st.drop_too_long++;
		return -1;
	}
	return rtr_xmit(r, qi, mac, mac_len, buf, w.len, NULL, 0,
	    rtr_own_opts(r, qi));
}

/*
 * Answer the NPDU v from src with Reject-Message-To-Network(reason, net):
 * unicast back to the MAC it came from, addressed to its SNET/SADR if it
 * had one.  Nothing is sent for local broadcasts or for a Reject.
 */
static void
rtr_reject(struct rtr *r, const struct rtr_src *src,
    const struct npdu_view *v, enum npdu_reject_reason reason, uint16_t net)
{
	struct npdu_view h;
	struct nlm_msg m;

	if (src->broadcast)
		return;
	if (v->is_nl_msg && v->nl_type == NPDU_NL_REJECT)
		return;
	npdu_view_init(&h);
	h.control = v->control & NPDU_CTL_PRIO_MASK;
	if (v->has_snet)
		npdu_view_set_dest(&h, v->snet, v->sadr, v->slen,
		    RTR_HOP_INIT);
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_REJECT;
	m.u.reject.reason = (uint8_t)reason;
	m.u.reject.net = net;
	if (rtr_send_nl(r, src->port, src->mac, src->mac_len, &h, &m) == 0)
		r->st.reject_sent[(unsigned)reason < 7 ? reason : 0]++;
}

/*
 * Broadcast I-Am-Router-To-Network on port qi for every network reachable
 * through the other ports (busy ones included), in as many messages as
 * the port's maximum NPDU length needs.
 */
static void
rtr_announce(struct rtr *r, unsigned qi)
{
	uint16_t nets[(RTR_MSG_MAX - 3) / 2];
	size_t i, n = 0, per, max = r->ports[qi]->max_npdu;
	struct nlm_msg m;

	if (max > RTR_MSG_MAX)
		max = RTR_MSG_MAX;
	if (max < 5)
		return;
	per = (max - 3) / 2;
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_I_AM_ROUTER;
	for (i = 0; i <= rtr_table_count(&r->table); i++) {
		const struct rtr_route *rt = rtr_table_at(&r->table, i);

		if (rt != NULL && rt->port != qi &&
		    rt->reach != RTR_REACH_UNREACHABLE)
			nets[n++] = rt->net;
		if (n > 0 && (n == per || rt == NULL)) {
			m.u.nets.host = nets;
			m.u.nets.count = n;
			(void)rtr_send_nl(r, qi, NULL, 0, NULL, &m);
			n = 0;
		}
	}
}

/* Broadcast a list message (I-Am, Busy, Available) on every port but pi. */
static void
rtr_rebroadcast(struct rtr *r, unsigned pi, uint8_t type,
    const uint16_t *nets, size_t n)
{
	struct nlm_msg m;
	size_t qi;

	if (n == 0)
		return;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.u.nets.host = nets;
	m.u.nets.count = n;
	for (qi = 0; qi < r->nports; qi++)
		if (qi != pi && r->ports[qi]->up)
			(void)rtr_send_nl(r, (unsigned)qi, NULL, 0, NULL, &m);
}

static void
rtr_send_netnum(struct rtr *r, unsigned qi)
{
	struct nlm_msg m;

	if (r->ports[qi]->net == 0)
		return;
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_NETNUM_IS;
	m.u.netnum_is.net = r->ports[qi]->net;
	m.u.netnum_is.flag = r->cfg.port[qi].net != 0 ?
	    NLM_NETNUM_CONFIGURED : NLM_NETNUM_LEARNED;
	(void)rtr_send_nl(r, qi, NULL, 0, NULL, &m);
}

void
rtr_port_up(struct rtr *r, unsigned pi, uint64_t now_us)
{
	(void)now_us;
	if (pi >= r->nports || !r->ports[pi]->up)
		return;
	rtr_send_netnum(r, pi);
	rtr_announce(r, pi);
}

void
rtr_start(struct rtr *r, uint64_t now_us)
{
	size_t i;

	for (i = 0; i < r->nports; i++)
		rtr_port_up(r, (unsigned)i, now_us);
}

/* ------------------------------------------------------------------ */
/* Searching for unknown networks and holding NPDUs meanwhile */

static struct rtr_search *
rtr_search_find(struct rtr *r, uint16_t net)
{
	size_t i;

	for (i = 0; i < r->cfg.search_max; i++)
		if (r->search[i].net == net)
			return &r->search[i];
	return NULL;
}

/*
 * Start searching for net: Who-Is-Router-To-Network(net) as a local
 * broadcast on every port but except.  Return the slot, or NULL if all
 * slots are busy.
 */
static struct rtr_search *
rtr_search_start(struct rtr *r, uint16_t net, unsigned except,
    uint64_t now_us)
{
	struct rtr_search *s = NULL;
	struct nlm_msg m;
	size_t i;

	for (i = 0; i < r->cfg.search_max && s == NULL; i++)
		if (r->search[i].net == 0 ||
		    (r->search[i].failed && r->search[i].deadline_us <= now_us))
			s = &r->search[i];
	if (s == NULL)
		return NULL;
	s->net = net;
	s->failed = false;
	s->deadline_us = now_us + r->cfg.search_timeout_us;
	rtr_deadline(r, s->deadline_us);
	r->st.search_started++;
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_WHO_IS_ROUTER;
	m.u.who_is_router.has_net = true;
	m.u.who_is_router.net = net;
	for (i = 0; i < r->nports; i++)
		if (i != except && r->ports[i]->up)
			(void)rtr_send_nl(r, (unsigned)i, NULL, 0, NULL, &m);
	return s;
}

static void
rtr_held_release_slot(struct rtr *r, struct rtr_held *h)
{
	r->held_n--;
	r->held_bytes -= h->npdu_len + h->opts_len;
	h->used = false;
}

static struct rtr_held *
rtr_held_oldest(struct rtr *r, uint16_t net)
{
	struct rtr_held *o = NULL;
	size_t i;

	for (i = 0; i < r->cfg.queue_max; i++) {
		struct rtr_held *h = &r->held[i];

		if (h->used && (net == 0 || h->net == net) &&
		    (o == NULL || h->seq < o->seq))
			o = h;
	}
	return o;
}

/*
 * Hold a copy of hdr + body (+ opts) for net.  The oldest held NPDU makes
 * room when the queue is full.  Return 0, or -1 if it cannot be held.
 */
static int
rtr_hold(struct rtr *r, const struct rtr_src *src, bool from_app,
    uint16_t net, const uint8_t *hdr, size_t hdr_len, const uint8_t *body,
    size_t body_len, const struct npdu_opts *opts)
{
	size_t need = hdr_len + body_len + opts->len;
	struct rtr_held *h = NULL;
	size_t i;

	if (r->cfg.queue_max == 0 || need > r->cfg.queue_bytes_max ||
	    src->mac_len > NPDU_PORT_MAC_MAX) {
		r->st.drop_queue_full++;
		return -1;
	}
	while (r->held_n >= r->cfg.queue_max ||
	    r->held_bytes + need > r->cfg.queue_bytes_max) {
		rtr_held_release_slot(r, rtr_held_oldest(r, 0));
		r->st.drop_queue_full++;
	}
	for (i = 0; i < r->cfg.queue_max && h == NULL; i++)
		if (!r->held[i].used)
			h = &r->held[i];
	if (h->cap < need) {
		uint8_t *nb = realloc(h->buf, need < 1497 ? 1497 : need);

		if (nb == NULL) {
			r->st.drop_queue_full++;
			return -1;
		}
		h->buf = nb;
		h->cap = need < 1497 ? 1497 : need;
	}
	if (hdr_len > 0)
		memcpy(h->buf, hdr, hdr_len);
	if (body_len > 0)
		memcpy(h->buf + hdr_len, body, body_len);
	if (opts->len > 0)
		memcpy(h->buf + hdr_len + body_len, opts->data, opts->len);
	h->used = true;
	h->from_app = from_app;
	h->broadcast = src->broadcast;
	h->port = (uint8_t)src->port;
	h->mac_len = (uint8_t)src->mac_len;
	memset(h->mac, 0, sizeof(h->mac));
	if (src->mac_len > 0)
		memcpy(h->mac, src->mac, src->mac_len);
	h->net = net;
	h->seq = ++r->held_seq;
	h->npdu_len = hdr_len + body_len;
	h->opts_len = opts->len;
	r->held_n++;
	r->held_bytes += need;
	r->st.held++;
	return 0;
}

static enum rtr_send rtr_send_view(struct rtr *, const struct npdu_view *,
    const struct npdu_opts *, uint64_t);

/*
 * Take every NPDU held for net, oldest first, and route it again
 * (released: a route is known now) or reject it (failed: the search for
 * net failed).
 */
static void
rtr_held_flush(struct rtr *r, uint16_t net, bool released, uint64_t now_us)
{
	struct rtr_held *h;

	while ((h = rtr_held_oldest(r, net)) != NULL) {
		uint8_t *buf = h->buf;
		size_t cap = h->cap;
		struct rtr_src src;
		struct npdu_opts opts;
		struct npdu_view v;
		uint8_t mac[NPDU_PORT_MAC_MAX];
		bool from_app = h->from_app;

		/* Detach the buffer: routing may hold other NPDUs. */
		h->buf = NULL;
		h->cap = 0;
		rtr_held_release_slot(r, h);
		memcpy(mac, h->mac, sizeof(mac));
		src.port = h->port;
		src.mac = mac;
		src.mac_len = h->mac_len;
		src.broadcast = h->broadcast;
		src.npdu = buf;
		src.npdu_len = h->npdu_len;
		opts.data = h->opts_len > 0 ? buf + h->npdu_len : NULL;
		opts.len = h->opts_len;
		if (npdu_decode(buf, h->npdu_len, &v, NULL, NULL) == CODEC_OK) {
			if (released) {
				r->st.released++;
				if (from_app)
					(void)rtr_send_view(r, &v, &opts,
					    now_us);
				else
					rtr_route(r, &src, &v, &opts, now_us);
			} else {
				r->st.drop_no_route++;
				if (!from_app)
					rtr_reject(r, &src, &v,
					    NPDU_REJECT_NO_ROUTE, net);
			}
		}
		/* Give the buffer back unless the slot got a new one. */
		if (h->buf == NULL) {
			h->buf = buf;
			h->cap = cap;
		} else {
			free(buf);
		}
	}
}

/* A route to net appeared: end its search and send what was held. */
static void
rtr_search_found(struct rtr *r, uint16_t net, uint64_t now_us)
{
	struct rtr_search *s = rtr_search_find(r, net);

	if (s != NULL) {
		if (!s->failed)
			r->st.search_found++;
		s->net = 0;
		s->failed = false;
	}
	rtr_held_flush(r, net, true, now_us);
}

/*
 * The NPDU v needs a route to v->dnet that is not known: hold it and
 * search, or reject it at once while a failed search is in hold-down.
 */
static void
rtr_search_hold(struct rtr *r, const struct rtr_src *src,
    const struct npdu_view *v, const struct npdu_opts *opts, uint64_t now_us)
{
	struct rtr_search *s = rtr_search_find(r, v->dnet);

	if (s != NULL && s->failed && s->deadline_us > now_us) {
		r->st.drop_no_route++;
		rtr_reject(r, src, v, NPDU_REJECT_NO_ROUTE, v->dnet);
		return;
	}
	if (s == NULL || s->failed) {
		if (s != NULL)
			s->net = 0;	/* hold-down over: search again */
		if (rtr_search_start(r, v->dnet, src->port, now_us) == NULL) {
			r->st.drop_search_full++;
			return;
		}
	}
	(void)rtr_hold(r, src, false, v->dnet, src->npdu, src->npdu_len,
	    NULL, 0, opts);
}

/* ------------------------------------------------------------------ */
/* Forwarding (digest 2.4.2) */

/*
 * Build the NPCI of a forwarded copy of v into hdr: last hop (strip DNET)
 * or not (hop count decremented); SNET/SADR added if v has none and the
 * arrival port has a number.  Return its length, or 0 on failure.
 */
static size_t
rtr_fwd_header(const struct rtr *r, const struct rtr_src *src,
    const struct npdu_view *v, bool last_hop, uint8_t *hdr)
{
	struct npdu_view o = *v;
	uint16_t pnet = r->ports[src->port]->net;
	struct wr w;

	if (last_hop)
		npdu_view_strip_dest(&o);
	else
		o.hop_count = (uint8_t)(v->hop_count - 1);
	if (!o.has_snet && pnet != 0)
		npdu_view_set_source(&o, pnet, src->mac,
		    (uint8_t)src->mac_len);
	wr_init(&w, hdr, NPDU_HDR_MAX);
	if (npdu_encode_header(&w, &o) != 0)
		return 0;
	return w.len;
}

/* Send a forwarded copy of v on port qi; reject if it does not fit. */
static void
rtr_fwd(struct rtr *r, const struct rtr_src *src, const struct npdu_view *v,
    const struct npdu_opts *opts, unsigned qi, const uint8_t *mac,
    size_t mac_len, bool last_hop)
{
	uint8_t hdr[NPDU_HDR_MAX];
	size_t hlen = rtr_fwd_header(r, src, v, last_hop, hdr);

	if (hlen == 0) {
		r->st.rx_malformed++;
		return;
	}
	if (hlen + v->payload_len > r->ports[qi]->max_npdu) {
		r->st.drop_too_long++;
		rtr_reject(r, src, v, NPDU_REJECT_TOO_LONG, v->dnet);
		return;
	}
	if (rtr_xmit(r, qi, mac, mac_len, hdr, hlen, v->payload,
	    v->payload_len, opts) == 0) {
		r->st.fwd++;
		if (last_hop)
			r->st.fwd_last_hop++;
	}
}

static bool rtr_may_log(struct rtr *, uint64_t);

/*
 * May a broadcast that arrived on src's port be forwarded now?  Counts and
 * logs (rate-limited) the ones over the port's rate.
 */
static bool
rtr_bcast_allow(struct rtr *r, const struct rtr_src *src, uint64_t now_us)
{
	if (r->cfg.bcast_rate_burst == 0 ||
	    ratelim_allow(&r->bcast_rl[src->port], now_us, NULL))
		return true;
	r->st.drop_bcast_ratelim++;
	if (rtr_may_log(r, now_us))
		log_warnx(LD_RTR, "port %s: broadcasts arrive faster than the "
		    "forwarding limit (%u burst, one per %llu us): dropping "
		    "(%llu so far)", r->ports[src->port]->name != NULL ?
		    r->ports[src->port]->name : "?", r->cfg.bcast_rate_burst,
		    (unsigned long long)r->cfg.bcast_rate_interval_us,
		    (unsigned long long)r->st.drop_bcast_ratelim);
	return false;
}

/* DNET 0xFFFF: process here, and broadcast on every other port. */
static void
rtr_global(struct rtr *r, const struct rtr_src *src,
    const struct npdu_view *v, const struct npdu_opts *opts, uint64_t now_us)
{
	uint8_t hdr[NPDU_HDR_MAX];
	size_t hlen, qi;

	rtr_local(r, src, v, opts, now_us);
	if (v->hop_count < 2) {
		r->st.drop_hop_count++;
		return;
	}
	if (!rtr_bcast_allow(r, src, now_us))
		return;
	if ((hlen = rtr_fwd_header(r, src, v, false, hdr)) == 0)
		return;
	for (qi = 0; qi < r->nports; qi++) {
		if (qi == src->port || !r->ports[qi]->up)
			continue;
		if (hlen + v->payload_len > r->ports[qi]->max_npdu) {
			r->st.drop_too_long++;
			continue;
		}
		if (rtr_xmit(r, (unsigned)qi, NULL, 0, hdr, hlen, v->payload,
		    v->payload_len, opts) == 0) {
			r->st.fwd++;
			r->st.fwd_global++;
		}
	}
}

static bool
rtr_is_own_mac(const struct npdu_port *p, const uint8_t *mac, size_t len)
{
	return len == p->mac_len && memcmp(mac, p->mac, len) == 0;
}

/* Route v (it has a DNET) that arrived from src. */
static void
rtr_route(struct rtr *r, const struct rtr_src *src, const struct npdu_view *v,
    const struct npdu_opts *opts, uint64_t now_us)
{
	const struct rtr_route *rt;
	const struct npdu_port *q;

	if (v->is_nl_msg && (v->nl_type == NPDU_NL_WHAT_IS_NETNUM ||
	    v->nl_type == NPDU_NL_NETNUM_IS)) {
		r->st.drop_routed_netnum++;	/* never routed (6.4.19) */
		return;
	}
	if (v->dnet == NPDU_NET_GLOBAL) {
		rtr_global(r, src, v, opts, now_us);
		return;
	}
	rt = rtr_table_find(&r->table, v->dnet);
	if (rt != NULL && rt->direct) {
		q = r->ports[rt->port];
		/* Addressed to the router itself on one of its networks. */
		if (v->dlen > 0 && rtr_is_own_mac(q, v->dadr, v->dlen)) {
			rtr_local(r, src, v, opts, now_us);
			return;
		}
		/* A remote broadcast on a network the router is on. */
		if (v->dlen == 0 && rt->port != src->port && !v->is_nl_msg)
			rtr_local(r, src, v, opts, now_us);
	}
	if (v->hop_count < 2) {
		r->st.drop_hop_count++;	/* would reach 0: discard */
		return;
	}
	if (rt == NULL || rt->reach == RTR_REACH_UNREACHABLE) {
		rtr_search_hold(r, src, v, opts, now_us);
		return;
	}
	if (rt->port == src->port) {
		/* The sender is confused; do not re-route (REF). */
		r->st.drop_wrong_port++;
		rtr_reject(r, src, v, NPDU_REJECT_OTHER, v->dnet);
		return;
	}
	if (v->dlen == 0 && !rtr_bcast_allow(r, src, now_us))
		return;
	q = r->ports[rt->port];
	if (rt->direct) {
		if (v->dlen != 0 && v->dlen != q->mac_len) {
			r->st.drop_bad_dadr++;
			rtr_reject(r, src, v, NPDU_REJECT_ADDRESSING, v->dnet);
			return;
		}
		rtr_fwd(r, src, v, opts, rt->port, v->dlen > 0 ? v->dadr :
		    NULL, v->dlen, true);
		return;
	}
	if (rt->reach == RTR_REACH_BUSY) {
		r->st.drop_busy++;
		rtr_reject(r, src, v, NPDU_REJECT_BUSY, v->dnet);
		return;
	}
	rtr_fwd(r, src, v, opts, rt->port, rt->mac, rt->mac_len, false);
}

/* ------------------------------------------------------------------ */
/* Local delivery */

static void
rtr_deliver_apdu(struct rtr *r, const struct rtr_src *src,
    const struct npdu_view *v, const struct npdu_opts *opts, uint64_t now_us)
{
	struct rtr_apdu a;

	r->st.local_apdu++;
	if (r->local_fn == NULL) {
		r->st.local_no_handler++;
		return;
	}
	memset(&a, 0, sizeof(a));
	a.src.port = src->port;
	if (v->has_snet) {
		if (v->slen > NPDU_PORT_MAC_MAX) {
			r->st.rx_malformed++;
			return;
		}
		a.src.net = v->snet;
		a.src.len = v->slen;
		memcpy(a.src.mac, v->sadr, v->slen);
	} else {
		a.src.net = r->ports[src->port]->net;
		a.src.len = (uint8_t)src->mac_len;
		memcpy(a.src.mac, src->mac, src->mac_len);
	}
	a.broadcast = src->broadcast || (v->has_dnet && v->dlen == 0);
	a.control = v->control & RTR_CTL_KEEP;
	a.apdu = v->payload;
	a.apdu_len = v->payload_len;
	a.opts = *opts;
	r->local_fn(r->local_arg, &a, now_us);
}

static void rtr_nl(struct rtr *, const struct rtr_src *,
    const struct npdu_view *, uint64_t);

static void
rtr_local(struct rtr *r, const struct rtr_src *src, const struct npdu_view *v,
    const struct npdu_opts *opts, uint64_t now_us)
{
	if (v->is_nl_msg)
		rtr_nl(r, src, v, now_us);
	else
		rtr_deliver_apdu(r, src, v, opts, now_us);
}

/*
 * Traffic from SNET arrived through router src: refresh the route to
 * SNET, or learn it if none is known (a return route, as REF does), so
 * that replies need no search.  Existing routes are never changed here.
 */
static void
rtr_learn_return_route(struct rtr *r, const struct rtr_src *src,
    uint16_t snet, uint64_t now_us)
{
	if (rtr_table_find(&r->table, snet) != NULL) {
		rtr_table_touch(&r->table, snet, src->port, src->mac,
		    src->mac_len, now_us);
		return;
	}
	if (rtr_table_learn(&r->table, snet, src->port, src->mac,
	    src->mac_len, now_us) != RTR_LEARN_NEW)
		return;		/* refused, full */
	r->st.learn_return++;
	if (r->cfg.route_max_age_us != 0)
		rtr_deadline(r, now_us + r->cfg.route_max_age_us);
	rtr_search_found(r, snet, now_us);
}

void
rtr_receive(struct rtr *r, unsigned pi, const struct npdu_rx *rx,
    uint64_t now_us)
{
	struct rtr_src src;
	struct npdu_view v;

	if (pi >= r->nports)
		return;
	r->st.rx++;
	if (rx->src_mac_len == 0 || rx->src_mac_len > NPDU_PORT_MAC_MAX ||
	    npdu_decode(rx->npdu, rx->npdu_len, &v, NULL, NULL) != CODEC_OK) {
		r->st.rx_malformed++;
		return;
	}
	if (rtr_is_own_mac(r->ports[pi], rx->src_mac, rx->src_mac_len)) {
		r->st.rx_from_self++;
		return;
	}
	src.port = pi;
	src.mac = rx->src_mac;
	src.mac_len = rx->src_mac_len;
	src.broadcast = rx->broadcast;
	src.npdu = rx->npdu;
	src.npdu_len = rx->npdu_len;
	if (v.has_snet)
		rtr_learn_return_route(r, &src, v.snet, now_us);
	if (!v.has_dnet)
		rtr_local(r, &src, &v, &rx->opts, now_us);
	else
		rtr_route(r, &src, &v, &rx->opts, now_us);
}

/* ------------------------------------------------------------------ */
/* Network-layer messages addressed to the router (digest 2.4.3) */

/*
 * Per-peer rate limit for NL messages; the least recent peer is reused.
 * As a source MAC is easily forged (a new UDP port each time), all peers
 * together have a budget too: without it a stream of Who-Is-Router from
 * ever new sources drew a broadcast each.
 */
static bool
rtr_peer_allow(struct rtr *r, const struct rtr_src *src, uint64_t now_us)
{
	struct rtr_peer *p = NULL, *lru = NULL;
	size_t i;

	if (r->cfg.nl_rate_burst == 0)
		return true;
	for (i = 0; i < RTR_PEERS && p == NULL; i++) {
		struct rtr_peer *c = &r->peers[i];

		if (c->used && c->port == src->port &&
		    c->mac_len == src->mac_len &&
		    memcmp(c->mac, src->mac, src->mac_len) == 0)
			p = c;
		else if (lru == NULL || !c->used ||
		    (lru->used && c->last_us < lru->last_us))
			lru = c;
	}
	if (p == NULL) {
		p = lru;
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->port = (uint8_t)src->port;
		p->mac_len = (uint8_t)src->mac_len;
		memcpy(p->mac, src->mac, src->mac_len);
		ratelim_init(&p->rl, r->cfg.nl_rate_burst,
		    r->cfg.nl_rate_interval_us);
		p->rl.last_us = now_us;
	}
	p->last_us = now_us;
	return ratelim_allow(&p->rl, now_us, NULL) &&
	    ratelim_allow(&r->nl_all_rl, now_us, NULL);
}

static void
rtr_nl_who_is(struct rtr *r, const struct rtr_src *src,
    const struct nlm_who_is_router *q, uint64_t now_us)
{
	const struct rtr_route *rt;
	struct rtr_search *s;
	struct nlm_msg m;

	if (!q->has_net) {
		rtr_announce(r, src->port);
		return;
	}
	rt = rtr_table_find(&r->table, q->net);
	if (rt != NULL && rt->reach != RTR_REACH_UNREACHABLE) {
		if (rt->port == src->port)
			return;		/* the asker's own side: silent */
		memset(&m, 0, sizeof(m));
		m.type = NPDU_NL_I_AM_ROUTER;
		m.u.nets.host = &q->net;
		m.u.nets.count = 1;
		(void)rtr_send_nl(r, src->port, NULL, 0, NULL, &m);
		return;
	}
	if (q->net == 0 || q->net == NPDU_NET_GLOBAL)
		return;
	/* Unknown: ask the other ports; the answer is re-broadcast. */
	s = rtr_search_find(r, q->net);
	if (s != NULL && (!s->failed || s->deadline_us > now_us))
		return;
	if (s != NULL)
		s->net = 0;
	if (rtr_search_start(r, q->net, src->port, now_us) == NULL)
		r->st.drop_search_full++;
}

/* Rate limit for the router's own log lines (by the time passed in). */
static bool
rtr_may_log(struct rtr *r, uint64_t now_us)
{
	uint64_t suppressed = 0;
	bool ok = ratelim_allow(&r->log_rl, now_us, &suppressed);

	if (ok && suppressed > 0)
		log_warnx(LD_RTR, "(%llu similar lines suppressed)",
		    (unsigned long long)suppressed);
	return ok;
}

static void
rtr_conflict(struct rtr *r, uint16_t net, unsigned pi, uint64_t now_us)
{
	r->st.learn_conflict++;
	if (rtr_may_log(r, now_us))
		log_warnx(LD_RTR, "network %u announced on port %s but known "
		    "through another port: network number conflict, not "
		    "learned", net, r->ports[pi]->name != NULL ?
		    r->ports[pi]->name : "?");
}

static void
rtr_nl_i_am(struct rtr *r, const struct rtr_src *src,
    const struct nlm_nets *l, uint64_t now_us)
{
	uint16_t changed[(RTR_MSG_MAX - 3) / 2];
	const struct rtr_route *rt;
	size_t i, n = 0;

	for (i = 0; i < l->count; i++) {
		uint16_t net = nlm_nets_at(l, i);
		enum rtr_learn lr = rtr_table_learn(&r->table, net, src->port,
		    src->mac, src->mac_len, now_us);

		switch (lr) {
		case RTR_LEARN_NEW:
			r->st.learn_new++;
			break;
		case RTR_LEARN_CHANGED:
			r->st.learn_changed++;
			break;
		case RTR_LEARN_REFRESHED:
			break;
		case RTR_LEARN_DIRECT:
			if (rtr_table_find(&r->table, net)->port != src->port)
				rtr_conflict(r, net, src->port, now_us);
			continue;
		case RTR_LEARN_CONFLICT:
			rtr_conflict(r, net, src->port, now_us);
			continue;
		case RTR_LEARN_REFUSED:
			r->st.learn_refused++;
			continue;
		case RTR_LEARN_FULL:
			r->st.learn_full++;
			continue;
		case RTR_LEARN_INVALID:
			continue;
		}
		if (r->cfg.route_max_age_us != 0)
			rtr_deadline(r, now_us + r->cfg.route_max_age_us);
		/* News travels on at once; an unchanged route only if it
		 * was not passed on recently (no endless echo in loops). */
		rt = rtr_table_find(&r->table, net);
		if ((lr != RTR_LEARN_REFRESHED || !rt->relayed ||
		    now_us - rt->relayed_us >= RTR_RELAY_HOLD_US) &&
		    n < sizeof(changed) / sizeof(changed[0])) {
			changed[n++] = net;
			rtr_table_set_relayed(&r->table, net, now_us);
		}
		rtr_search_found(r, net, now_us);
	}
	rtr_rebroadcast(r, src->port, NPDU_NL_I_AM_ROUTER, changed, n);
}

/* Router-Busy (busy true) or Router-Available from src. */
static void
rtr_nl_busy(struct rtr *r, const struct rtr_src *src,
    const struct nlm_nets *l, bool busy, uint64_t now_us)
{
	uint16_t changed[(RTR_MSG_MAX - 3) / 2];
	enum rtr_reach to = busy ? RTR_REACH_BUSY : RTR_REACH_OK;
	size_t i, n = 0, max = sizeof(changed) / sizeof(changed[0]);

	if (l->count == 0) {
		/* Every network whose next hop is the sender. */
		for (i = 0; i < rtr_table_count(&r->table) && n < max; i++) {
			const struct rtr_route *rt = rtr_table_at(&r->table, i);

			if (rtr_route_is_via(rt, src->port, src->mac,
			    src->mac_len) &&
			    (busy ? rt->reach == RTR_REACH_OK :
			    rt->reach == RTR_REACH_BUSY))
				changed[n++] = rt->net;
		}
	} else {
		for (i = 0; i < l->count && n < max; i++) {
			const struct rtr_route *rt = rtr_table_find(&r->table,
			    nlm_nets_at(l, i));

			/* Busy again restarts the timer; available only
			 * matters for a busy network. */
			if (rt != NULL && rtr_route_is_via(rt, src->port,
			    src->mac, src->mac_len) && (busy ?
			    rt->reach != RTR_REACH_UNREACHABLE :
			    rt->reach == RTR_REACH_BUSY))
				changed[n++] = rt->net;
		}
	}
	for (i = 0; i < n; i++)
		rtr_table_set_reach(&r->table, changed[i], to, src->port,
		    src->mac, src->mac_len, now_us);
	if (busy && n > 0)
		rtr_deadline(r, now_us + RTR_BUSY_US);
	rtr_rebroadcast(r, src->port, busy ? NPDU_NL_ROUTER_BUSY :
	    NPDU_NL_ROUTER_AVAILABLE, changed, n);
}

static void
rtr_nl_reject(struct rtr *r, const struct rtr_src *src,
    const struct nlm_reject *j, uint64_t now_us)
{
	r->st.reject_rx++;
	switch ((enum npdu_reject_reason)j->reason) {
	case NPDU_REJECT_NO_ROUTE:
		rtr_table_set_reach(&r->table, j->net, RTR_REACH_UNREACHABLE,
		    src->port, src->mac, src->mac_len, now_us);
		break;
	case NPDU_REJECT_BUSY:
		if (rtr_table_set_reach(&r->table, j->net, RTR_REACH_BUSY,
		    src->port, src->mac, src->mac_len, now_us))
			rtr_deadline(r, now_us + RTR_BUSY_US);
		break;
	case NPDU_REJECT_OTHER:
	case NPDU_REJECT_UNKNOWN_TYPE:
	case NPDU_REJECT_TOO_LONG:
	case NPDU_REJECT_SECURITY:
	case NPDU_REJECT_ADDRESSING:
	default:
		break;
	}
}

/* Answer to v from src: its SNET/SADR as destination, if any. */
static void
rtr_reply_header(const struct npdu_view *v, struct npdu_view *h)
{
	npdu_view_init(h);
	h->control = v->control & NPDU_CTL_PRIO_MASK;
	if (v->has_snet)
		npdu_view_set_dest(h, v->snet, v->sadr, v->slen, RTR_HOP_INIT);
}

static void
rtr_nl_init_rt(struct rtr *r, const struct rtr_src *src,
    const struct npdu_view *v, const struct nlm_ports *ps, uint64_t now_us)
{
	struct nlm_port ents[(RTR_MSG_MAX - 8) / 4];
	size_t i, n = 0, max;
	struct nlm_port_iter it;
	struct nlm_port e;
	enum rtr_learn lr;
	struct npdu_view h;
	struct nlm_msg m;

	if (ps->count > 0) {
		if (!r->cfg.init_rt_updates) {
			r->st.init_rt_refused++;
			rtr_reject(r, src, v, NPDU_REJECT_OTHER, 0);
			return;
		}
		nlm_port_iter_init(&it, ps);
		while (nlm_port_iter_next(&it, &e)) {
			if (e.id == 0) {
				(void)rtr_table_remove(&r->table, e.net);
			} else if (e.id == r->ports[src->port]->id) {
				/* Reached through the sender (6.6.3.8). */
				lr = rtr_table_learn(&r->table, e.net,
				    src->port, src->mac, src->mac_len, now_us);
				if (lr == RTR_LEARN_NEW ||
				    lr == RTR_LEARN_CHANGED ||
				    lr == RTR_LEARN_REFRESHED)
					rtr_search_found(r, e.net, now_us);
			}
		}
	} else {
		/* A query: the whole table, one entry per network. */
		max = r->ports[src->port]->max_npdu;
		max = max > RTR_MSG_MAX ? RTR_MSG_MAX : max;
		max = max > 270 ? (max - 270) / 4 : 0;
		max = max > 255 ? 255 : max;
		for (i = 0; i < rtr_table_count(&r->table) && n < max; i++) {
			const struct rtr_route *rt = rtr_table_at(&r->table, i);

			memset(&ents[n], 0, sizeof(ents[n]));
			ents[n].net = rt->net;
			ents[n].id = (uint8_t)r->ports[rt->port]->id;
			n++;
		}
	}
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_INIT_RT_ACK;
	m.u.ports.host = ents;
	m.u.ports.count = n;
	rtr_reply_header(v, &h);
	(void)rtr_send_nl(r, src->port, src->mac, src->mac_len, &h, &m);
}

static void
rtr_nl_netnum_is(struct rtr *r, const struct rtr_src *src,
    const struct nlm_netnum_is *ni, uint64_t now_us)
{
	struct npdu_port *p = r->ports[src->port];
	uint16_t cfg_net = r->cfg.port[src->port].net;

	if (cfg_net != 0) {
		if (ni->net != cfg_net) {
			r->st.netnum_conflict++;
			if (rtr_may_log(r, now_us))
				log_warnx(LD_RTR, "port %s: configured as "
				    "network %u but a node says it is %u: "
				    "network number conflict", p->name != NULL ?
				    p->name : "?", cfg_net, ni->net);
		}
		return;
	}
	if (ni->flag != NLM_NETNUM_CONFIGURED || ni->net == p->net)
		return;
	if (rtr_table_set_direct(&r->table, src->port, ni->net, false,
	    now_us) != 0) {
		r->st.netnum_conflict++;
		if (rtr_may_log(r, now_us))
			log_warnx(LD_RTR, "port %s: told it is network %u, "
			    "which another port has: network number conflict",
			    p->name != NULL ? p->name : "?", ni->net);
		return;
	}
	p->net = ni->net;
	r->st.netnum_learned++;
	rtr_search_found(r, ni->net, now_us);
}

/* v is a network-layer message for the router, from src. */
static void
rtr_nl(struct rtr *r, const struct rtr_src *src, const struct npdu_view *v,
    uint64_t now_us)
{
	struct nlm_msg m;
	enum codec_rc rc;

	r->st.local_nl++;
	if (!rtr_peer_allow(r, src, now_us)) {
		r->st.drop_nl_ratelim++;
		return;
	}
	rc = nlm_decode(v, &m, NULL, NULL);
	if (rc == CODEC_UNSUPPORTED || (rc == CODEC_OK &&
	    m.type >= NPDU_NL_PROPRIETARY_MIN)) {
		r->st.nl_unknown++;
		rtr_reject(r, src, v, NPDU_REJECT_UNKNOWN_TYPE, 0);
		return;
	}
	if (rc != CODEC_OK) {
		r->st.drop_nl_malformed++;
		return;
	}
	switch ((enum npdu_nl_type)m.type) {
	case NPDU_NL_WHO_IS_ROUTER:
		rtr_nl_who_is(r, src, &m.u.who_is_router, now_us);
		break;
	case NPDU_NL_I_AM_ROUTER:
		rtr_nl_i_am(r, src, &m.u.nets, now_us);
		break;
	case NPDU_NL_I_COULD_BE_ROUTER:
	case NPDU_NL_INIT_RT_ACK:
		break;			/* informational */
	case NPDU_NL_REJECT:
		rtr_nl_reject(r, src, &m.u.reject, now_us);
		break;
	case NPDU_NL_ROUTER_BUSY:
		rtr_nl_busy(r, src, &m.u.nets, true, now_us);
		break;
	case NPDU_NL_ROUTER_AVAILABLE:
		rtr_nl_busy(r, src, &m.u.nets, false, now_us);
		break;
	case NPDU_NL_INIT_RT:
		rtr_nl_init_rt(r, src, v, &m.u.ports, now_us);
		break;
	case NPDU_NL_ESTABLISH_CONN:
	case NPDU_NL_DISCONNECT_CONN:
		/* PTP half-routers only: refused (as BACPY does). */
		rtr_reject(r, src, v, NPDU_REJECT_OTHER, m.type ==
		    NPDU_NL_ESTABLISH_CONN ? m.u.establish.net :
		    m.u.disconnect.net);
		break;
	case NPDU_NL_WHAT_IS_NETNUM:
		if (!v->has_snet && !v->has_dnet)
			rtr_send_netnum(r, src->port);
		else
			r->st.drop_routed_netnum++;
		break;
	case NPDU_NL_NETNUM_IS:
		if (!v->has_snet && !v->has_dnet)
			rtr_nl_netnum_is(r, src, &m.u.netnum_is, now_us);
		else
			r->st.drop_routed_netnum++;
		break;
	case NPDU_NL_PROPRIETARY_MIN:
	default:
		r->st.nl_unknown++;
		rtr_reject(r, src, v, NPDU_REJECT_UNKNOWN_TYPE, 0);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Timers */

uint64_t
rtr_tick(struct rtr *r, uint64_t now_us)
{
	uint64_t next = rtr_table_tick(&r->table, now_us);
	size_t i;

	for (i = 0; i < r->cfg.search_max; i++) {
		struct rtr_search *s = &r->search[i];

		if (s->net != 0 && s->deadline_us <= now_us) {
			if (s->failed) {
				s->net = 0;
			} else {
				uint16_t net = s->net;

				s->failed = true;
				s->deadline_us = now_us +
				    r->cfg.search_holddown_us;
				r->st.search_failed++;
				rtr_held_flush(r, net, false, now_us);
			}
		}
		if (s->net != 0 && s->deadline_us < next)
			next = s->deadline_us;
	}
	r->next_us = next;
	return next;
}

uint64_t
rtr_next_deadline(const struct rtr *r)
{
	return r->next_us;
}

/* ------------------------------------------------------------------ */
/* The router's own application sending */

/* Route an NPDU the router originates (hop count as given). */
static enum rtr_send
rtr_send_view(struct rtr *r, const struct npdu_view *v,
    const struct npdu_opts *opts, uint64_t now_us)
{
	uint8_t hdr[NPDU_HDR_MAX];
	const struct rtr_route *rt;
	struct npdu_view o = *v;
	struct rtr_src self;
	const uint8_t *mac = NULL;
	size_t mac_len = 0, qi;
	struct wr w;

	memset(&self, 0, sizeof(self));
	self.port = RTR_NO_PORT;
	if (o.has_dnet && o.dnet == NPDU_NET_GLOBAL) {
		size_t sent = 0;

		wr_init(&w, hdr, sizeof(hdr));
		if (npdu_encode_header(&w, &o) != 0)
			return RTR_SEND_FAILED;
		for (qi = 0; qi < r->nports; qi++)
			if (r->ports[qi]->up && w.len + o.payload_len <=
			    r->ports[qi]->max_npdu &&
			    rtr_xmit(r, (unsigned)qi, NULL, 0, hdr, w.len,
			    o.payload, o.payload_len,
			    rtr_own_opts(r, (unsigned)qi)) == 0)
				sent++;
		return sent > 0 ? RTR_SEND_OK : RTR_SEND_FAILED;
	}
	rt = rtr_table_find(&r->table, o.dnet);
	if (rt == NULL || rt->reach == RTR_REACH_UNREACHABLE) {
		struct rtr_search *s = rtr_search_find(r, o.dnet);

		if (s != NULL && s->failed && s->deadline_us > now_us)
			return RTR_SEND_NO_ROUTE;
		if (s != NULL && s->failed)
			s->net = 0;	/* hold-down over: search again */
		if ((s == NULL || s->failed) && rtr_search_start(r, o.dnet,
		    RTR_NO_PORT, now_us) == NULL)
			return RTR_SEND_NO_ROUTE;
		wr_init(&w, hdr, sizeof(hdr));
		if (npdu_encode_header(&w, &o) != 0)
			return RTR_SEND_FAILED;
		if (rtr_hold(r, &self, true, o.dnet, hdr, w.len, o.payload,
		    o.payload_len, opts) != 0)
			return RTR_SEND_NO_ROUTE;
		return RTR_SEND_HELD;
	}
	if (rt->reach == RTR_REACH_BUSY)
		return RTR_SEND_BUSY;
	qi = rt->port;
	if (rt->direct) {
		if (o.dlen > 0) {
			mac = o.dadr;
			mac_len = o.dlen;
		}
		npdu_view_strip_dest(&o);
	} else {
		mac = rt->mac;
		mac_len = rt->mac_len;
	}
	wr_init(&w, hdr, sizeof(hdr));
	if (npdu_encode_header(&w, &o) != 0)
		return RTR_SEND_FAILED;
	if (w.len + o.payload_len > r->ports[qi]->max_npdu)
		return RTR_SEND_TOO_LONG;
	if (rtr_xmit(r, (unsigned)qi, mac, mac_len, hdr, w.len, o.payload,
	    o.payload_len, rtr_own_opts(r, (unsigned)qi)) != 0)
		return RTR_SEND_FAILED;
	return RTR_SEND_OK;
}

enum rtr_send
rtr_send_apdu(struct rtr *r, const struct rtr_addr *dst, uint8_t control,
    const uint8_t *apdu, size_t apdu_len, uint64_t now_us)
{
	uint8_t hdr[NPDU_HDR_MAX];
	struct npdu_view v;
	struct wr w;

	if (dst->len > NPDU_PORT_MAC_MAX || (apdu_len > 0 && apdu == NULL))
		return RTR_SEND_FAILED;
	npdu_view_init(&v);
	v.control = control & RTR_CTL_KEEP;
	v.payload = apdu;
	v.payload_len = apdu_len;
	if (dst->net != 0) {
		npdu_view_set_dest(&v, dst->net, dst->mac, dst->len,
		    RTR_HOP_INIT);
		if (dst->net == NPDU_NET_GLOBAL && dst->len != 0)
			return RTR_SEND_FAILED;
		return rtr_send_view(r, &v, &rtr_no_opts, now_us);
	}
	/* Local on dst->port. */
	if (dst->port >= r->nports)
		return RTR_SEND_FAILED;
	wr_init(&w, hdr, sizeof(hdr));
	if (npdu_encode_header(&w, &v) != 0)
		return RTR_SEND_FAILED;
	if (w.len + apdu_len > r->ports[dst->port]->max_npdu)
		return RTR_SEND_TOO_LONG;
	if (rtr_xmit(r, dst->port, dst->len > 0 ? dst->mac : NULL, dst->len,
	    hdr, w.len, apdu, apdu_len, rtr_own_opts(r, dst->port)) != 0)
		return RTR_SEND_FAILED;
	return RTR_SEND_OK;
}
