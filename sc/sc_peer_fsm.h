/*
 * BACnet/SC connection state machine for one hub connection, initiating
 * (node side, Figure AB-11) or accepting (hub side, Figure AB-12); digest
 * §1.9, §1.10.  Pure: time comes in as an argument, the glue executes the
 * actions (send a connection-level message, close the WebSocket, arm the
 * one timer, report up/down, hand a message to the upper layer).
 *
 * The glue decodes every message (scm_decode) and NAKs what the codec
 * refuses; only well-formed messages reach sc_peer_rx.  The accepting
 * side's admission decision (duplicate VMAC, same UUID) belongs to the hub
 * table (sc_hub_fsm.h): sc_peer_rx reports a Connect-Request and the glue
 * answers with sc_peer_accept() or sc_peer_refuse().
 *
 * Timer: one deadline per connection.  Traffic does not move it (no timer
 * call per message): the glue arms what `arm` says, and on expiry
 * sc_peer_timer() either acts or asks for a later deadline.
 */
#ifndef SC_SC_PEER_FSM_H
#define SC_SC_PEER_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "sc/scm_codec.h"

/* WebSocket close statuses the machine asks for (RFC 6455). */
#define SC_PEER_CLOSE_NORMAL		1000
#define SC_PEER_CLOSE_GOING_AWAY	1001
#define SC_PEER_CLOSE_PROTOCOL		1002

enum sc_peer_role {
	SC_PEER_INITIATING = 0,
	SC_PEER_ACCEPTING,
};

enum sc_peer_state {
	SC_PEER_IDLE = 0,
	SC_PEER_AWAIT_WS,	/* initiating: transport connecting */
	SC_PEER_AWAIT_ACCEPT,	/* initiating: Connect-Request sent */
	SC_PEER_AWAIT_REQUEST,	/* accepting: waiting for Connect-Request */
	SC_PEER_CONNECTED,
	SC_PEER_DISCONNECTING,	/* Disconnect-Request sent */
};

enum sc_peer_send {
	SC_PEER_SEND_NONE = 0,
	SC_PEER_SEND_CONNECT_REQ,
	SC_PEER_SEND_CONNECT_ACCEPT,
	SC_PEER_SEND_DISCONNECT_REQ,
	SC_PEER_SEND_DISCONNECT_ACK,
	SC_PEER_SEND_HEARTBEAT_REQ,
	SC_PEER_SEND_HEARTBEAT_ACK,
};

/* Why a connection attempt ended without coming up (for the connector). */
enum sc_peer_fail {
	SC_PEER_FAIL_NONE = 0,
	SC_PEER_FAIL_TIMEOUT,	/* Connect Wait expired */
	SC_PEER_FAIL_DUP_VMAC,	/* NAK NODE_DUPLICATE_VMAC */
	SC_PEER_FAIL_NAK,	/* another NAK to the Connect-Request */
	SC_PEER_FAIL_REFUSED,	/* Disconnect-Request instead of Accept */
	SC_PEER_FAIL_PROTOCOL,	/* Disconnect-ACK out of place */
};

struct sc_peer_cfg {
	uint64_t	connect_wait_us;
	uint64_t	disconnect_wait_us;
	uint64_t	heartbeat_us;	/* initiating: idle time before a
					   Heartbeat-Request */
	uint64_t	silence_us;	/* accepting: close after this long
					   without receiving anything */
};

struct sc_peer {
	enum sc_peer_role	 role;
	enum sc_peer_state	 state;
	struct sc_peer_cfg	 cfg;
	uint16_t		 next_id;	/* next Message ID to use */
	uint16_t		 req_id;	/* outstanding Connect- or
						   Disconnect-Request */
	bool			 hb_out;	/* Heartbeat-Request unanswered */
	uint16_t		 hb_id;
	uint64_t		 state_since;	/* entered the current state */
	uint64_t		 last_rx;	/* last valid message received */
	uint64_t		 last_hb;	/* last Heartbeat-Request sent */
	struct scm_connect	 remote;	/* the peer's Connect-Request or
						   Accept (valid when up) */
};

struct sc_peer_out {
	enum sc_peer_send	 send;		/* at most one message */
	uint16_t		 send_id;	/* its Message ID */
	bool			 close;		/* close the WebSocket */
	uint16_t		 close_status;	/* 1000, 1002, ... */
	bool			 arm;		/* (re)arm the timer at */
	uint64_t		 deadline;
	bool			 up;		/* became CONNECTED */
	bool			 down;		/* left CONNECTED */
	bool			 deliver;	/* message for the upper layer */
	bool			 connect_request; /* accepting: admit or refuse */
	enum sc_peer_fail	 fail;		/* attempt failed (-> IDLE) */
	uint16_t		 fail_class;	/* NAK class and code */
	uint16_t		 fail_code;
	bool			 hb_lost;	/* disconnecting: no heartbeat ACK */
};

/* Initialise p for role; id0 seeds the Message IDs (e.g. random). */
void sc_peer_init(struct sc_peer *p, enum sc_peer_role role,
    const struct sc_peer_cfg *cfg, uint16_t id0);

/* Initiating: the transport connect was started. */
void sc_peer_start(struct sc_peer *p, uint64_t now, struct sc_peer_out *o);
/* The WebSocket is open (initiating: on_open; accepting: accepted). */
void sc_peer_ws_open(struct sc_peer *p, uint64_t now, struct sc_peer_out *o);
/* A decoded, valid message m arrived. */
void sc_peer_rx(struct sc_peer *p, const struct scm_msg *m, uint64_t now,
    struct sc_peer_out *o);
/*
 * A valid message that the glue handled itself (e.g. one the hub relayed)
 * arrived at now: it counts as traffic for heartbeat and silence timers.
 */
void sc_peer_note_rx(struct sc_peer *p, uint64_t now);
/* Accepting: admit the Connect-Request m (answer Connect-Accept). */
void sc_peer_accept(struct sc_peer *p, const struct scm_msg *m, uint64_t now,
    struct sc_peer_out *o);
/* Accepting: the glue sent a NAK for the Connect-Request; close. */
void sc_peer_refuse(struct sc_peer *p, uint64_t now, struct sc_peer_out *o);
/* The timer armed earlier expired. */
void sc_peer_timer(struct sc_peer *p, uint64_t now, struct sc_peer_out *o);
/*
 * New timers (cfg copied) in force from now, e.g. after a reload: the
 * machine acts at once on what is already due under them (a Heartbeat-
 * Request, a connect wait or silence limit passed) or asks for the new
 * deadline.  An unanswered Heartbeat-Request gets a whole new heartbeat
 * period from now before it counts as lost.
 */
void sc_peer_set_cfg(struct sc_peer *p, const struct sc_peer_cfg *cfg,
    uint64_t now, struct sc_peer_out *o);
/* Local disconnect wanted (shutdown, return to primary, replaced). */
void sc_peer_disconnect(struct sc_peer *p, uint64_t now,
    struct sc_peer_out *o);
/* The WebSocket closed or failed. */
void sc_peer_ws_closed(struct sc_peer *p, uint64_t now,
    struct sc_peer_out *o);

bool sc_peer_is_up(const struct sc_peer *p);
const char *sc_peer_state_name(enum sc_peer_state st);

#endif
