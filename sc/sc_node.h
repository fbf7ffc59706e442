/*
 * BACnet/SC node (digest §1.1, §1.8, §1.11, §1.13): one SC port on the
 * process's event_base.  It owns the VMAC (configured or random, re-chosen
 * after a NODE_DUPLICATE_VMAC refusal), carries the Device UUID the
 * caller passes in (persisting it is the daemon's job), runs the hub
 * connector (primary and failover hub, sc_hubconn_fsm.h) over the SC
 * WebSocket transport (sc_ws.h), and implements the router's port
 * contract (npdu/port.h): NPDUs go out as Encapsulated-NPDU through the
 * active hub connection without being copied, and received ones go up with
 * their source VMAC and data options.  It answers Advertisement-Solicitation
 * and hands Address-Resolution to its node switch (sc_nodesw.h), or
 * refuses it without one (NAK OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED, digest
 * §1.5.4).  Each hub connection is an sc_pconn (sc_pconn.h).
 */
#ifndef SC_SC_NODE_H
#define SC_SC_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npdu/port.h"
#include "sc/sc_hubconn_fsm.h"
#include "sc/sc_vmac.h"

struct event_base;
struct evdns_base;
struct sc_tls_ctx;
struct sc_node;
struct sc_nodesw;

#define SC_NODE_URI_MAX	300
#define SC_NODE_ERR_MAX	160

struct sc_node_cfg {
	const char	*name;		/* for logs (copied) */
	bool		 has_vmac;	/* else a Random-48 VMAC is drawn */
	uint8_t		 vmac[SC_VMAC_LEN];
	uint8_t		 uuid[SC_UUID_LEN];	/* the Device UUID */
	const char	*primary_uri;	/* "wss://..." (copied) */
	const char	*failover_uri;	/* NULL or "" if none (copied) */
	const struct sc_tls_ctx *tls;	/* borrows; must outlive the node */
	uint16_t	 max_bvlc;	/* announced; 0: 1600 */
	uint16_t	 max_npdu;	/* announced; 0: 1497 */
	unsigned	 connect_wait_ms;	/* 0: 10000 */
	unsigned	 disconnect_wait_ms;	/* 0: 10000 */
	unsigned	 heartbeat_ms;		/* 0: 300000 */
	unsigned	 min_reconnect_ms;	/* 0: 2000 */
	unsigned	 max_reconnect_ms;	/* 0: 30000 */
};

/* Fill *cfg with zeroes and the defaults named above. */
void sc_node_cfg_default(struct sc_node_cfg *cfg);

/* The window of sends counted as tx_lost when a hub connection dies. */
#define SC_NODE_INFLIGHT_MS	1000

/* Counters of a node (status output). */
struct sc_node_counters {
	uint64_t	npdu_tx;	/* Encapsulated-NPDUs sent */
	uint64_t	npdu_rx;	/* delivered up */
	uint64_t	tx_no_hub;	/* dropped: no hub connection */
	uint64_t	tx_busy;	/* dropped: transport output full */
	uint64_t	tx_too_big;	/* dropped: over the hub's limits */
	uint64_t	tx_lost;	/* sent within SC_NODE_INFLIGHT_MS
					   before the hub connection died
					   without a close handshake: may be
					   lost (an upper bound) */
	uint64_t	rx_invalid;	/* refused by the codec or hop rules */
	uint64_t	naks_tx;
	uint64_t	naks_rx;	/* BVLC-Result NAKs received */
	uint64_t	dup_vmac;	/* VMAC re-chosen */
	uint64_t	adverts_tx;
	uint64_t	heartbeats_tx;
};

/* Node status for the control socket. */
struct sc_node_status {
	uint8_t			 vmac[SC_VMAC_LEN];
	uint8_t			 uuid[SC_UUID_LEN];
	enum sc_hc_state	 hc_state;
	uint8_t			 hub_status;	/* 0 none, 1 primary, 2 failover */
	char			 uri[SC_HC_NSLOTS][SC_NODE_URI_MAX];
	struct sc_hc_hub_status	 hub[SC_HC_NSLOTS];
	char			 last_error_detail[SC_HC_NSLOTS][SC_NODE_ERR_MAX];
	bool			 hub_peer_known;	/* Connect-Accept seen */
	uint8_t			 hub_vmac[SC_VMAC_LEN];	/* of the hub device */
	uint8_t			 hub_uuid[SC_UUID_LEN];
	uint16_t		 hub_max_bvlc;
	uint16_t		 hub_max_npdu;
	struct sc_node_counters	 ctr;
};

/*
 * Create a node (not started) on base; dns (borrows, may be NULL: the
 * transport makes its own resolver).  cfg is copied except cfg->tls.
 * Return owned, or NULL with err set.
 */
struct sc_node *sc_node_new(struct event_base *base, struct evdns_base *dns,
    const struct sc_node_cfg *cfg, char *err, size_t errlen);
/* Tear down at once (no Disconnect-Request; see sc_node_stop).  NULL ok. */
void sc_node_free(struct sc_node *n);

/* Start the hub connector (connects to the primary hub first). */
void sc_node_start(struct sc_node *n);
/*
 * Stop: Disconnect-Request on every hub connection (each closes after its
 * Disconnect-ACK or the disconnect wait).  The port goes down.
 */
void sc_node_stop(struct sc_node *n);

/*
 * Run-time reconfiguration (reload).  Taken from cfg: the SC timers
 * (connect wait, disconnect wait, heartbeat: in force at once on every
 * connection; minimum and maximum reconnect time: for the next delays)
 * and the primary and failover hub URIs.  A working connection to a hub
 * whose URI did not change is kept; a connection or attempt to a hub
 * whose URI changed is ended (Disconnect-Request) and the new hub tried at
 * once (sc_hc_reconfigure).  Everything else in cfg (name, VMAC, UUID,
 * TLS context, max lengths) is ignored: it needs a new node.  Return 0,
 * or -1 with err set (nothing changed) for a missing or too long URI.
 */
/* The checks sc_node_new and sc_node_reconfigure make on cfg: 0 or -1. */
int sc_node_cfg_check(const struct sc_node_cfg *cfg, char *err,
    size_t errlen);
int sc_node_reconfigure(struct sc_node *n, const struct sc_node_cfg *cfg,
    char *err, size_t errlen);

/*
 * True once the node was stopped and every hub connection is gone: each
 * got its Disconnect-ACK, or its disconnect wait ran out, or it failed.
 * The daemon waits for this before it exits.
 */
bool sc_node_is_idle(const struct sc_node *n);

/*
 * The router's view of this node (owned by the node; valid until
 * sc_node_free).  The router sets port->user, net and name; the node sets
 * mac, mac_len, max_npdu, ops and up.
 */
struct npdu_port *sc_node_port(struct sc_node *n);

void sc_node_get_status(const struct sc_node *n, struct sc_node_status *out);
/* The current VMAC (changes after a duplicate-VMAC refusal). */
const uint8_t *sc_node_vmac(const struct sc_node *n);

/*
 * Encode our Advertisement into w (digest §1.5.5): hub connection status,
 * whether the node switch accepts direct connections, our Max BVLC and
 * Max NPDU lengths, with a fresh Message ID; addressed to dest (the
 * solicitor's VMAC through the hub), or without VMACs when dest is NULL
 * (a direct connection).  Return 0, or -1 if w is too small.
 */
struct wr;
int sc_node_advert(struct sc_node *n, const uint8_t *dest, struct wr *w);

/* ---- node switch hooks (issue 8; see sc_nodesw.h) ---- */
/*
 * Attach the node switch sw (borrows; NULL detaches): unicasts are offered
 * to it first, and it takes Address-Resolution, its ACK and NAKs for it.
 * Called by sc_nodesw_new / sc_nodesw_free.
 */
void sc_node_set_nodesw(struct sc_node *n, struct sc_nodesw *sw);
/*
 * Send one encoded BVLC-SC message buf[0..len) (borrows) through the
 * active hub connection.  Return 0, or -1 if not sent.
 */
int sc_node_hub_send(struct sc_node *n, const uint8_t *buf, size_t len);

#endif
