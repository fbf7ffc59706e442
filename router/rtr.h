/*
 * The router engine (clause 6.5, 6.6): forwarding between ports, the
 * network-layer messages addressed to the router, the bounded search for
 * unknown networks, and local delivery to the router's own application.
 *
 * Pure in the style guide's sense: it never reads the clock (every entry
 * point takes now_us), owns no sockets or events, and its only output is
 * the ports' send operations (npdu/port.h).  The glue calls rtr_receive()
 * from the ports' receive callback (installed by rtr_new), rtr_tick() when
 * the deadline it reported passes, and rtr_port_up() when a link comes up.
 * It logs rate-limited notices about configuration faults (conflicts).
 *
 * Forwarding allocates nothing: the new NPCI is built in a scratch buffer
 * and the rest of the NPDU is passed on borrowed.  Only NPDUs held while a
 * network is searched for are copied, into a bounded, reused queue.
 */
#ifndef ROUTER_RTR_H
#define ROUTER_RTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npdu/port.h"
#include "router/rtr_table.h"

#define RTR_PORTS_MAX		RTR_TABLE_PORTS

struct rtr_port_config {
	uint16_t	net;		/* 0: not configured (learn it) */
	bool		secure_path;	/* SC port: add the Secure Path
					   data option to what the router
					   itself originates here */
	bool		learn;		/* learn routes from this port
					   (I-Am-Router, Init-RT, and return
					   routes from SNET of traffic) */
};

struct rtr_config {
	size_t			nports;
	struct rtr_port_config	port[RTR_PORTS_MAX];
	size_t			table_max;	/* routing table entries */
	uint64_t		route_max_age_us; /* 0: learned never age */
	uint64_t		search_timeout_us; /* Who-Is-Router wait */
	uint64_t		search_holddown_us; /* reject at once after */
	size_t			search_max;	/* networks searched at once */
	size_t			queue_max;	/* NPDUs held, all searches */
	size_t			queue_bytes_max; /* their total size */
	uint32_t		nl_rate_burst;	/* NL messages per peer */
	uint64_t		nl_rate_interval_us;
	/*
	 * Broadcasts (DNET 0xFFFF, or a DNET with DLEN 0) forwarded per
	 * arrival port: a token bucket of bcast_rate_burst, one token per
	 * bcast_rate_interval_us (0 burst: no limit).  A storm on one
	 * side is cut here instead of flooding the other side.
	 */
	uint32_t		bcast_rate_burst;
	uint64_t		bcast_rate_interval_us;
	bool			init_rt_updates; /* allow Init-RT changes */
};

/* Counters for every outcome; the control socket prints them. */
struct rtr_stats {
	uint64_t	rx;		/* NPDUs received */
	uint64_t	rx_malformed;	/* undecodable: dropped */
	uint64_t	rx_from_self;	/* our own MAC as source: dropped */
	uint64_t	local_apdu;	/* APDUs for the router itself */
	uint64_t	local_no_handler; /* ... with no application */
	uint64_t	local_nl;	/* NL messages for the router */
	uint64_t	fwd;		/* NPDU copies forwarded */
	uint64_t	fwd_last_hop;	/* ... of which to the final network */
	uint64_t	fwd_global;	/* ... of which global bcast */
	uint64_t	drop_hop_count;	/* hop count exhausted */
	uint64_t	drop_wrong_port; /* DNET is back out of arrival port */
	uint64_t	drop_busy;	/* DNET busy (Reject 2 if unicast) */
	uint64_t	drop_too_long;	/* over the port's max (Reject 4) */
	uint64_t	drop_no_route;	/* search failed (Reject 1) */
	uint64_t	drop_bad_dadr;	/* DLEN wrong for the port (Reject 6) */
	uint64_t	drop_routed_netnum; /* Network-Number msgs with NPCI */
	uint64_t	drop_queue_full; /* held NPDU dropped, oldest first */
	uint64_t	drop_search_full; /* no search slot free */
	uint64_t	drop_nl_ratelim; /* NL messages over a peer's rate */
	uint64_t	drop_bcast_ratelim; /* broadcasts over the arrival
					     port's forwarding rate */
	uint64_t	drop_nl_malformed; /* bad NL message body */
	uint64_t	drop_port_down;	/* send refused by the port */
	uint64_t	search_started;
	uint64_t	search_found;
	uint64_t	search_failed;
	uint64_t	held;		/* NPDUs queued for a search */
	uint64_t	released;	/* held NPDUs sent on */
	uint64_t	reject_sent[7];	/* per reason 0..6 (7+ in [0]) */
	uint64_t	reject_rx;	/* Rejects addressed to us */
	uint64_t	nl_unknown;	/* unknown NL types (Reject 3) */
	uint64_t	learn_new;	/* routes learned */
	uint64_t	learn_changed;
	uint64_t	learn_return;	/* return routes from SNET traffic */
	uint64_t	learn_refused;	/* on a port with learning off */
	uint64_t	learn_conflict;	/* net seen on two ports */
	uint64_t	learn_full;	/* table full */
	uint64_t	netnum_conflict; /* Network-Number-Is disagreement */
	uint64_t	netnum_learned;
	uint64_t	init_rt_refused;
};

/*
 * The counters by name, for the control socket: for i in 0 .. until NULL,
 * rtr_stat_name(i) ("rx", "drop_hop_count", "reject_sent_1", ...) and
 * rtr_stat_value(st, i).
 */
const char *rtr_stat_name(size_t i);
uint64_t rtr_stat_value(const struct rtr_stats *st, size_t i);
/* "reachable", "busy" or "unreachable". */
const char *rtr_reach_name(enum rtr_reach reach);

/* An address as the router's application sees it. */
struct rtr_addr {
	unsigned	port;		/* arrival / departure port index */
	uint16_t	net;		/* 0: local on port, 0xFFFF: global */
	uint8_t		len;		/* 0 with net: broadcast */
	uint8_t		mac[NPDU_PORT_MAC_MAX];
};

/* What the application gets for an APDU addressed to the router. */
struct rtr_apdu {
	struct rtr_addr		 src;	/* where to answer */
	bool			 broadcast; /* local/remote/global bcast */
	uint8_t			 control; /* priority, expecting reply */
	const uint8_t		*apdu;	/* borrows, for the call */
	size_t			 apdu_len;
	struct npdu_opts	 opts;	/* borrows (SC data options) */
};

typedef void (*rtr_local_fn)(void *arg, const struct rtr_apdu *a,
    uint64_t now_us);

struct rtr;

/* Fill cfg with defaults (no ports). */
void rtr_config_defaults(struct rtr_config *cfg);

/*
 * Make a router over ports[0 .. cfg->nports) (borrows ports and cfg's
 * contents are copied).  Installs the router's callbacks in each port's
 * user slot, sets each port's id (index + 1) and net.  Returns owned, or
 * NULL on OOM or an invalid configuration (two ports with one number).
 */
struct rtr *rtr_new(const struct rtr_config *cfg,
    struct npdu_port *const *ports);
/* Detach from the ports and free; NULL is a no-op. */
void rtr_free(struct rtr *r);

/*
 * Can rtr_set_limits(r, cfg) apply cfg's limits now?  False, with a short
 * reason in *why, if cfg->table_max is below the number of routes the
 * table holds.  Reads r only.
 */
bool rtr_limits_fit(const struct rtr *r, const struct rtr_config *cfg,
    const char **why);
/*
 * Apply the limits of cfg to a running router (a reload): table_max,
 * search_timeout_us (searches started from now on), queue_max (the oldest
 * held NPDUs beyond it are dropped, counted as drop_queue_full),
 * nl_rate_* and bcast_rate_* (the buckets keep their tokens up to the new
 * burst), init_rt_updates and each port's learn (for what arrives from now
 * on; routes already learned stay).  Everything else in cfg (port
 * numbers, ages, search slots, queue bytes) is ignored.  Return 0, or -1
 * with *why and the router unchanged when the limits do not fit or on
 * OOM.
 */
int rtr_set_limits(struct rtr *r, const struct rtr_config *cfg,
    const char **why);
/* The configuration in force (borrowed, valid while r is). */
const struct rtr_config *rtr_config_of(const struct rtr *r);

/* Install the application callback for APDUs addressed to the router. */
void rtr_set_local_handler(struct rtr *r, rtr_local_fn fn, void *arg);

/*
 * Handle one NPDU received on port index pi (rx borrowed for the call).
 * The port receive callback installed by rtr_new() calls this with the
 * time of the clock it was given through rtr_set_clock().
 */
void rtr_receive(struct rtr *r, unsigned pi, const struct npdu_rx *rx,
    uint64_t now_us);

/*
 * Run timers due at now_us (search timeouts, busy expiry, ageing).  Return
 * the time of the next deadline, or RTR_TIME_NEVER.
 */
uint64_t rtr_tick(struct rtr *r, uint64_t now_us);
/* Return the next deadline without running anything. */
uint64_t rtr_next_deadline(const struct rtr *r);

/*
 * Port pi came up: broadcast Network-Number-Is (if it has a number) and
 * I-Am-Router-To-Network for the networks reachable through other ports.
 * The port's link_changed(up) callback calls this by itself.
 */
void rtr_port_up(struct rtr *r, unsigned pi, uint64_t now_us);
/* Start-up (6.6.2): rtr_port_up() for every port that is already up. */
void rtr_start(struct rtr *r, uint64_t now_us);

/*
 * The time source the port callbacks pass to rtr_receive / rtr_port_up
 * (the glue sets clk_now_us-like function; tests a fake).  Without one,
 * callbacks use time 0.
 */
typedef uint64_t (*rtr_clock_fn)(void *arg);
void rtr_set_clock(struct rtr *r, rtr_clock_fn fn, void *arg);

/* Outcome of rtr_send_apdu(). */
enum rtr_send {
	RTR_SEND_OK = 0,	/* sent */
	RTR_SEND_HELD,		/* network unknown: held while searching */
	RTR_SEND_NO_ROUTE,	/* unknown / unreachable, no search possible */
	RTR_SEND_BUSY,		/* the network is busy */
	RTR_SEND_TOO_LONG,	/* over the port's maximum NPDU length */
	RTR_SEND_FAILED,	/* invalid address or the port refused it */
};

/*
 * Send an APDU from the router's application to dst: net 0 is the local
 * network of dst->port (len 0: local broadcast), 0xFFFF a global
 * broadcast on every port, a directly connected net a local send on its
 * port, a remote one through its next-hop router.  control carries the
 * priority and expecting-reply bits.  Borrows everything.
 */
enum rtr_send rtr_send_apdu(struct rtr *r, const struct rtr_addr *dst,
    uint8_t control, const uint8_t *apdu, size_t apdu_len,
    uint64_t now_us);

/* Counters, the routing table (both borrowed, valid while r is). */
const struct rtr_stats *rtr_stats(const struct rtr *r);
const struct rtr_table *rtr_table(const struct rtr *r);
/* The number of NPDUs currently held for searches. */
size_t rtr_held_count(const struct rtr *r);

#endif
