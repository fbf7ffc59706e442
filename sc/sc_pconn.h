/*
 * BACnet/SC connection driver: one WebSocket (sc_ws.h) driven by the
 * connection state machine (sc_peer_fsm.h) and its timer.  It is the one
 * place that carries out a struct sc_peer_out: it builds and sends the
 * connection-level messages the machine asks for (Connect-Request/Accept
 * with the owner's identity, Disconnect-Request/ACK, Heartbeat-Request/ACK),
 * arms or cancels the timer and closes the WebSocket.  Its owners are the
 * node's hub connections (sc_node.c), the hub function's accepted nodes
 * (sc_hub.c) and the node switch's direct connections (sc_nodesw.c); each
 * embeds a struct sc_pconn and reacts to what is its own business through
 * three callbacks:
 *
 *  - on_event: every sc_peer_out, after the message it names was sent and
 *    before the timer is armed and the WebSocket closed (up, down, fail,
 *    hb_lost, close);
 *  - on_message: each binary message as received (decoding and hop rules
 *    differ per owner; sc_pconn_decode is the common case);
 *  - on_closed: the WebSocket is gone (pc->ws is NULL, the machine IDLE);
 *    the last callback; the owner calls sc_pconn_fini there or later.
 *
 * Callbacks may call any sc_pconn function on pc or other connections.
 */
#ifndef SC_SC_PCONN_H
#define SC_SC_PCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npdu/port.h"
#include "sc/sc_peer_fsm.h"
#include "sc/sc_ws.h"
#include "sc/scm_codec.h"

struct event;
struct event_base;
struct evdns_base;
struct sc_pconn;

/* What we announce in Connect-Request/Connect-Accept (borrowed). */
struct sc_pconn_id {
	const uint8_t	*vmac;		/* the owner's current VMAC: read at
					   each send, so a re-chosen VMAC is
					   announced on the next attempt */
	const uint8_t	*uuid;
	uint16_t	 max_bvlc;
	uint16_t	 max_npdu;
};

/* Counters an owner may share among its connections. */
struct sc_pconn_ctr {
	uint64_t	naks_tx;	/* BVLC-Result NAKs sent */
	uint64_t	heartbeats_tx;	/* Heartbeat-Requests sent */
};

struct sc_pconn_cbs {
	void	(*on_event)(struct sc_pconn *pc, const struct sc_peer_out *o);
	void	(*on_message)(struct sc_pconn *pc, const uint8_t *buf,
		    size_t len);
	/* was_up: CONNECTED or DISCONNECTING when the WebSocket closed. */
	void	(*on_closed)(struct sc_pconn *pc,
		    const struct sc_ws_close_info *ci, bool was_up);
};

struct sc_pconn {
	struct event_base		*base;
	struct sc_ws			*ws;	/* NULL until connected/accepted
						   and once closed */
	struct sc_peer			 peer;
	struct event			*timer;
	const struct sc_pconn_cbs	*cbs;	/* borrows */
	const struct sc_pconn_id	*id;	/* borrows */
	struct sc_pconn_ctr		*ctr;	/* borrows; may be NULL */
	void				*owner;
};

/*
 * Initialise pc for role with the machine's timers pcfg (copied); id, cbs
 * and ctr (NULL: not counted) are borrowed and must outlive pc.  Return 0,
 * or -1 (out of memory; nothing to fini).
 */
int sc_pconn_init(struct sc_pconn *pc, struct event_base *base,
    enum sc_peer_role role, const struct sc_peer_cfg *pcfg,
    const struct sc_pconn_id *id, const struct sc_pconn_cbs *cbs,
    struct sc_pconn_ctr *ctr, void *owner);
/* Free the timer, and the WebSocket at once if still there (no callback). */
void sc_pconn_fini(struct sc_pconn *pc);

/*
 * Initiating: start connecting to uri and the connect wait.  Return 0 (the
 * outcome arrives through the callbacks), or -1 with err set and no
 * callback to come.
 */
int sc_pconn_connect(struct sc_pconn *pc, struct evdns_base *dns,
    const struct sc_tls_ctx *tls, const char *uri, enum sc_ws_proto proto,
    const struct sc_ws_limits *limits, char *err, size_t errlen);
/* Accepting: take the accepted ws (it now reports to pc). */
void sc_pconn_accept_ws(struct sc_pconn *pc, struct sc_ws *ws);

/* Carry out o (see the file comment for the order). */
void sc_pconn_apply(struct sc_pconn *pc, const struct sc_peer_out *o);

/*
 * Decode buf[0..len) into m and check the hop rules; on failure answer
 * with a NAK if the connection is up, fill f and return -1.
 */
int sc_pconn_decode(struct sc_pconn *pc, const uint8_t *buf, size_t len,
    enum scm_hop hop, struct scm_msg *m, struct scm_fail *f);
/* Step the machine with the valid message m; o says what it made of it. */
void sc_pconn_rx(struct sc_pconn *pc, const struct scm_msg *m,
    struct sc_peer_out *o);
/* A valid message the owner handled itself counts as traffic. */
void sc_pconn_note_rx(struct sc_pconn *pc);
/* Accepting: admit the Connect-Request m. */
void sc_pconn_admit(struct sc_pconn *pc, const struct scm_msg *m);
/*
 * Accepting: the Connect-Request was refused (any NAK already sent);
 * close with close_status (0: the machine's choice).
 */
void sc_pconn_refuse(struct sc_pconn *pc, uint16_t close_status);
/* Local disconnect (Disconnect-Request, or abandon an attempt). */
void sc_pconn_disconnect(struct sc_pconn *pc);
/*
 * New timers for the machine (copied), in force from now: what is due
 * under them is done at once, else the timer is re-armed (sc_peer_set_cfg).
 */
void sc_pconn_set_timers(struct sc_pconn *pc, const struct sc_peer_cfg *pcfg);

/* Send one encoded message (borrows buf). */
enum sc_ws_send_rc sc_pconn_send(struct sc_pconn *pc, const uint8_t *buf,
    size_t len);
/*
 * Send one Encapsulated-NPDU with Message ID id to dest (borrowed; NULL: no
 * Destination VMAC, as on a direct connection), the data options opts (a
 * list that does not decode is left out) and npdu, all borrowed and framed
 * without a copy.  SC_WS_SEND_TOO_BIG: empty, or over the peer's announced
 * Max BVLC or Max NPDU length.
 */
enum sc_ws_send_rc sc_pconn_send_npdu(struct sc_pconn *pc, const uint8_t *dest,
    uint16_t id, const struct npdu_iov *npdu, const struct npdu_opts *opts);
/* Send the NAK f asks for (if any); return 0 if one was sent. */
int sc_pconn_send_nak(struct sc_pconn *pc, const struct scm_fail *f);

bool sc_pconn_is_up(const struct sc_pconn *pc);

/*
 * The machine's timers from the configured milliseconds: the accepting
 * side's silence limit is twice the heartbeat plus 10 s.  l (NULL: none)
 * takes the connect wait as its WebSocket handshake deadline.
 */
void sc_pconn_timers_ms(struct sc_peer_cfg *pcfg, struct sc_ws_limits *l,
    unsigned connect_wait_ms, unsigned disconnect_wait_ms,
    unsigned heartbeat_ms);
/*
 * Transport limits (defaults otherwise) for our Max BVLC length max_bvlc
 * and a WebSocket handshake bounded by the connect wait.
 */
void sc_pconn_limits(struct sc_ws_limits *l, uint16_t max_bvlc,
    unsigned connect_wait_ms);

/* (Re)arm the timer event ev for the monotonic time deadline (clk_now_us). */
void sc_pconn_arm_at(struct event *ev, uint64_t deadline);

#endif
