/*
 * BACnet/SC node switch (digest §1.13): direct connections beside an SC
 * node's hub connection.
 *
 *  - A listener with subprotocol dc.bsc.bacnet.org on its own address and
 *    port, advertised as one or more wss:// URIs in
 *    Address-Resolution-ACK; accepted connections run the accepting peer
 *    machine with the duplicate-VMAC rules of §1.9.2 across the node
 *    switch's connections and the node's own VMAC.
 *  - Address resolution through the hub: answers Address-Resolution with
 *    our URIs (NAK OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED when we do not
 *    accept direct connections), sends Address-Resolution when the policy
 *    wants a connection, caches answers (sc_dc_fsm.h).
 *  - Initiated connections per policy (never, configured, on demand), a
 *    cap on all direct connections, idle disconnect.
 *  - Send path: a unicast goes over an up direct connection to its VMAC,
 *    else through the hub; broadcasts never come here.  When a direct
 *    connection dies, later unicasts go through the hub at once; messages
 *    that may have been in flight on it are counted (tx_lost).
 *
 * What tx_lost counts, precisely: when a direct connection ends without a
 * clean close (anything but a WebSocket close handshake with status 1000,
 * or sc_nodesw_kill), the unicasts this node handed to the transport on
 * that connection during the last inflight_ms before the end was seen
 * (rounded up to whole buckets of inflight_ms / 32) are added.  It is an
 * upper bound of what the dead connection took with it, never less: every
 * message that was lost was sent within that window if the window is at
 * least the time the transport needs to report the death (TCP reset or
 * error: at once; a silent peer: heartbeat loss, so keep inflight_ms
 * above what the application can tolerate to be unaccounted).  An exact
 * count is not knowable by the sender: octets the transport accepted may
 * sit in our TLS output buffer, in the kernel's send queue (sent or not,
 * acknowledged or not by the peer's TCP), or in the peer's receive buffer
 * when the peer dies, and BACnet/SC has no message-level acknowledgement;
 * counting only what is still in our own output buffer would be a lower
 * bound that is 0 in the common case of a peer that resets.
 *
 * The node (sc_node.c) calls sc_nodesw_send() first for each unicast and
 * hands the node switch Address-Resolution, Address-Resolution-ACK and
 * NAKs for Address-Resolution it receives from the hub.
 */
#ifndef SC_SC_NODESW_H
#define SC_SC_NODESW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npdu/port.h"
#include "sc/sc_dc_fsm.h"
#include "sc/sc_peer_fsm.h"
#include "sc/sc_vmac.h"
#include "sc/sc_ws.h"

struct event_base;
struct evdns_base;
struct sc_node;
struct sc_nodesw;
struct sc_tls_ctx;
struct scm_msg;

#define SC_NODESW_MAX_ADV	4	/* advertised URIs */
#define SC_NODESW_MAX_CFG_PEERS	32
#define SC_NODESW_URI_MAX	SC_DC_URI_MAX

struct sc_nodesw_peer_cfg {
	uint8_t		 vmac[SC_VMAC_LEN];
	const char	*uri;		/* NULL or "": resolve the VMAC */
};

struct sc_nodesw_cfg {
	const char	*name;		/* for logs (copied) */
	bool		 accept;	/* listen for direct connections */
	const char	*listen_addr;	/* numeric; NULL/"": any */
	uint16_t	 listen_port;	/* 0: pick one */
	/* Advertised URIs; none given: "wss://LISTEN_ADDR:PORT" made from
	   the listener (loopback if listening on any). */
	const char	*accept_uris[SC_NODESW_MAX_ADV];
	size_t		 n_accept_uris;
	enum sc_dc_policy policy;
	struct sc_nodesw_peer_cfg peers[SC_NODESW_MAX_CFG_PEERS];
	size_t		 n_peers;
	unsigned	 max_conns;	/* 0: 16 */
	/*
	 * The listener takes at most max_per_source TCP connections from
	 * one source address (0: no limit), and max_conns + 64 in all
	 * (64 handshakes in progress), open or handshaking.
	 */
	unsigned	 max_per_source;
	unsigned	 idle_ms;	/* 0: never */
	unsigned	 resolve_timeout_ms;	/* 0: 5000 */
	unsigned	 cache_ms;	/* 0: 600000 */
	unsigned	 retry_ms;	/* 0: 30000 */
	unsigned	 demand_n;	/* 0: 3 */
	unsigned	 demand_window_ms;	/* 0: 10000 */
	unsigned	 inflight_ms;	/* a dead connection's sends of the
					   last this many ms count as lost;
					   0: 1000 */
	const struct sc_tls_ctx *tls;	/* borrows; must outlive us */
	uint8_t		 uuid[SC_UUID_LEN];	/* the Device UUID */
	uint16_t	 max_bvlc;	/* 0: 1600 */
	uint16_t	 max_npdu;	/* 0: 1497 */
	unsigned	 connect_wait_ms;	/* 0: 10000 */
	unsigned	 disconnect_wait_ms;	/* 0: 10000 */
	unsigned	 heartbeat_ms;		/* 0: 300000 */
};

void sc_nodesw_cfg_default(struct sc_nodesw_cfg *cfg);

struct sc_nodesw_counters {
	uint64_t	tx_direct;	/* unicasts sent on direct connections */
	uint64_t	tx_hub;		/* unicasts left to the hub */
	uint64_t	rx_direct;	/* NPDUs received on direct connections */
	uint64_t	tx_lost;	/* sent on a connection within
					   inflight_ms before it died without a
					   clean close: an upper bound of the
					   loss (see the file comment) */
	uint64_t	tx_busy;	/* direct output full: went via hub */
	uint64_t	res_tx;		/* Address-Resolutions sent */
	uint64_t	res_ack_rx;
	uint64_t	res_nak_rx;
	uint64_t	res_answered;	/* ACKs (or NAKs) we sent */
	uint64_t	opened;		/* direct connections that came up */
	uint64_t	failed;		/* initiated attempts that failed */
	uint64_t	refused_cap;	/* accepts refused: at the cap */
	uint64_t	refused_dup;	/* NAK NODE_DUPLICATE_VMAC sent */
	uint64_t	replaced;	/* same UUID reconnected */
	uint64_t	idle_closed;
	uint64_t	rx_bcast_discarded;
	uint64_t	rx_invalid;
	uint64_t	adverts_tx;	/* Advertisements answering a
					   solicitation on a direct connection */
	uint64_t	reconf_closed;	/* initiated connections a reload's
					   policy or peers no longer wanted */
};

/* One direct connection, for the control socket. */
struct sc_nodesw_conn_status {
	uint8_t			 vmac[SC_VMAC_LEN];	/* the peer's */
	uint8_t			 uuid[SC_UUID_LEN];	/* once up */
	char			 uri[SC_NODESW_URI_MAX]; /* initiated: URI;
							   accepted: addr */
	bool			 initiated;
	enum sc_peer_state	 state;
	uint64_t		 since_us;	/* state entered (monotonic) */
	uint64_t		 tx;
	uint64_t		 rx;
};

struct sc_nodesw_status {
	bool			 accepting;
	uint16_t		 listen_port;
	enum sc_dc_policy	 policy;
	unsigned		 n_conns;	/* counted against the cap */
	unsigned		 max_conns;
	struct sc_nodesw_counters ctr;
	struct sc_ws_listener_stats listener;	/* zero if not accepting */
};

/*
 * Create the node switch of node (borrows; must outlive it) and attach it
 * (sc_node_set_nodesw); start listening if cfg->accept.  cfg is copied
 * except tls.  Return owned, or NULL with err set.
 */
struct sc_nodesw *sc_nodesw_new(struct event_base *base,
    struct evdns_base *dns, struct sc_node *node,
    const struct sc_nodesw_cfg *cfg, char *err, size_t errlen);
/* Detach from the node and close everything at once.  NULL ok. */
void sc_nodesw_free(struct sc_nodesw *sw);

uint16_t sc_nodesw_listen_port(const struct sc_nodesw *sw);
bool sc_nodesw_accepting(const struct sc_nodesw *sw);
void sc_nodesw_get_status(const struct sc_nodesw *sw,
    struct sc_nodesw_status *out);
/* Copy up to max connections into out; return how many there are. */
size_t sc_nodesw_get_conns(const struct sc_nodesw *sw,
    struct sc_nodesw_conn_status *out, size_t max);

/*
 * Run-time reconfiguration (reload): from cfg only the timers are taken
 * (connect wait, disconnect wait, heartbeat: in force at once on every
 * direct connection, and the listener's handshake deadline for TCP
 * connections accepted from now on; idle timeout, resolve timeout and
 * resolution cache freshness: from the next decision).
 */
void sc_nodesw_set_timers(struct sc_nodesw *sw,
    const struct sc_nodesw_cfg *cfg);
/*
 * Run-time reconfiguration (reload) of what the node switch decides: from
 * cfg the policy, the configured peers, max_conns, max_per_source, and
 * the advertised URIs (accept_uris; none: the one made from the listener
 * at start).  The connections this node initiated become those the new
 * configuration would open (see sc_dc_reconfigure): the others get a
 * Disconnect-Request at once, newly configured peers are tried at once.
 * Connections peers initiated stay, also above a lowered max_conns or
 * max_per_source (new ones are refused until below).  Not changed here:
 * accept/listen_addr/listen_port (a new listener needs a new node
 * switch), the timers (sc_nodesw_set_timers), tls, uuid, max_bvlc and
 * max_npdu.  check_only: change nothing, say whether it would work.
 * Return 0, or -1 with err set (nothing changed).
 */
int sc_nodesw_reconfigure(struct sc_nodesw *sw,
    const struct sc_nodesw_cfg *cfg, bool check_only, char *err,
    size_t errlen);
/*
 * Shutdown: stop listening and send Disconnect-Request on every direct
 * connection; unicasts go through the hub from now on.
 */
void sc_nodesw_stop(struct sc_nodesw *sw);
/* True once no direct connection is left (after sc_nodesw_stop). */
bool sc_nodesw_is_idle(const struct sc_nodesw *sw);

/*
 * Tear down every direct connection to vmac at once (no Disconnect, no
 * close handshake), as if the peer had crashed.  Return how many.
 */
int sc_nodesw_kill(struct sc_nodesw *sw, const uint8_t *vmac);

/* ---------------------------------------------------- hooks for sc_node */

/*
 * A unicast NPDU to dest (borrowed): return 0 if it went on a direct
 * connection, -1 if the caller sends it through the hub.
 */
int sc_nodesw_send(struct sc_nodesw *sw, const uint8_t *dest,
    const struct npdu_iov *npdu, const struct npdu_opts *opts);
/*
 * A message for this node arrived from the hub (decoded, hop-checked).
 * Return true if the node switch took it (Address-Resolution,
 * Address-Resolution-ACK, a NAK answering our Address-Resolution).
 */
bool sc_nodesw_hub_rx(struct sc_nodesw *sw, const struct scm_msg *m);

#endif
