/*
 * BACnet/SC hub function (digest §1.12) on one event_base: a WebSocket
 * listener with subprotocol hub.bsc.bacnet.org, the accepting connection
 * state machine per node (sc_peer_fsm.h), admission and relaying decided
 * by the hub table (sc_hub_fsm.h).  Relays are sent as two segments, the
 * rewritten header start and the rest of the received message borrowed
 * from the transport's buffer: no copy of the NPDU.
 *
 * When the router hosts the hub function, its own SC node connects to
 * this listener over loopback like any other node (cfg.vmac/uuid are the
 * hosting device's, so its VMAC counts as in use by its UUID).
 */
#ifndef SC_SC_HUB_H
#define SC_SC_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc/sc_hub_fsm.h"
#include "sc/sc_vmac.h"
#include "sc/sc_ws.h"

struct event_base;
struct sc_tls_ctx;
struct sc_hub;

struct sc_hub_conf {
	const char	*name;		/* for logs (copied) */
	const char	*bind_addr;	/* numeric address; NULL/"": any */
	uint16_t	 port;		/* 0: pick one (sc_hub_listen_port) */
	const struct sc_tls_ctx *tls;	/* borrows; must outlive the hub */
	uint8_t		 vmac[SC_VMAC_LEN];	/* hosting device's VMAC */
	uint8_t		 uuid[SC_UUID_LEN];	/* hosting device's UUID */
	uint16_t	 max_bvlc;	/* announced in Connect-Accept; 0: 1600 */
	uint16_t	 max_npdu;	/* 0: 1497 */
	size_t		 max_conns;	/* 0: 256 */
	/*
	 * The listener takes at most max_per_source TCP connections from
	 * one source address (0: no limit), and max_conns + 64 in all
	 * (64 handshakes in progress), open or handshaking.
	 */
	unsigned	 max_per_source;
	bool		 accept_orig_vmac;	/* see sc_hub_fsm.h; off */
	unsigned	 connect_wait_ms;	/* 0: 10000 */
	unsigned	 disconnect_wait_ms;	/* 0: 10000 */
	unsigned	 heartbeat_ms;	/* nodes' heartbeat; silence limit is
					   2x + 10 s; 0: 300000 */
	/*
	 * Broadcasts relayed per node: bcast_rate per second after a burst
	 * of bcast_burst (0: bcast_rate); the rest are dropped, counted,
	 * logged at a limited rate.  0 rate: no limit.
	 */
	uint32_t	 bcast_rate;
	uint32_t	 bcast_burst;
};

/* One connected node, for the control socket. */
struct sc_hub_peer_status {
	uint8_t		 vmac[SC_VMAC_LEN];
	uint8_t		 uuid[SC_UUID_LEN];
	char		 addr[64];	/* "ip:port" */
	uint64_t	 since_us;	/* monotonic time of admission */
	uint16_t	 max_bvlc;
	uint16_t	 max_npdu;
	uint64_t	 rx_msgs;
	uint64_t	 tx_msgs;
};

struct sc_hub_status {
	uint16_t		 port;		/* listening port */
	size_t			 n_peers;
	size_t			 n_conns;	/* incl. not yet admitted */
	struct sc_hub_counters	 ctr;
	uint64_t		 dropped_busy;	/* receiver's output full */
	uint64_t		 rx_invalid;	/* refused before admission */
	uint64_t		 dropped_bcast_rate; /* over bcast_rate */
	struct sc_ws_listener_stats listener;
};

/*
 * Create a hub and start listening.  cfg is copied except tls.  Return
 * owned, or NULL with err set.
 */
struct sc_hub *sc_hub_new(struct event_base *base,
    const struct sc_hub_conf *cfg, char *err, size_t errlen);
/* Close every connection at once and stop listening.  NULL is a no-op. */
void sc_hub_free(struct sc_hub *h);
/*
 * New timers at run time (reload; 0 keeps a value): the nodes' heartbeat
 * (silence limit 2x + 10 s) and the connect and disconnect waits, in force
 * at once on every accepted connection; the listener's handshake deadline
 * (the connect wait) for TCP connections accepted from now on.
 */
void sc_hub_set_timers(struct sc_hub *h, unsigned connect_wait_ms,
    unsigned disconnect_wait_ms, unsigned heartbeat_ms);

/* What sc_hub_set_limits changes (the fields of sc_hub_conf). */
struct sc_hub_limits {
	size_t		 max_conns;	/* 0: 256 */
	unsigned	 max_per_source;
	bool		 accept_orig_vmac;
	uint32_t	 bcast_rate;
	uint32_t	 bcast_burst;
};

/*
 * New limits at run time (reload), for what comes from now on: the cap on
 * admitted nodes and the listener's totals (max_conns, + 64 handshakes),
 * the per-source limit, accept_orig_vmac, and the broadcast rate (every
 * node's budget restarts full with the new values).  Nodes and TCP
 * connections already there stay, even above a lowered limit: new ones
 * are refused until the counts are below it.  Return 0, or -1 with err
 * set (out of memory for a larger table; nothing changed).
 */
int sc_hub_set_limits(struct sc_hub *h, const struct sc_hub_limits *lim,
    char *err, size_t errlen);
/* Send Disconnect-Request to every node (graceful shutdown). */
void sc_hub_shutdown(struct sc_hub *h);
uint16_t sc_hub_listen_port(const struct sc_hub *h);
void sc_hub_get_status(const struct sc_hub *h, struct sc_hub_status *out);
/*
 * Copy up to max connected nodes into out; return how many there are in
 * total.
 */
size_t sc_hub_get_peers(const struct sc_hub *h,
    struct sc_hub_peer_status *out, size_t max);

#endif
