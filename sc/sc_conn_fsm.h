/*
 * BACnet/SC connection state machines (digest §1.9, §1.10, §1.14) for the
 * initiating peer (Figure AB-11: hub connector, node switch when it
 * connects out) and the accepting peer (Figure AB-12: hub function, node
 * switch listener).  Pure: (state, event, now) -> (new state, actions,
 * timer request).  No I/O, no clock reads, no logging; time is a
 * monotonic value in microseconds passed in by the caller.
 *
 * The caller (I/O glue) decodes each received WebSocket message with
 * scm_decode and feeds it as SC_EV_RX (or SC_EV_RX_BAD with the codec's
 * struct scm_fail), feeds WebSocket open/close and timer expiry, and then
 * carries out the actions in struct sc_conn_out: send out->tx (encode it
 * with scm_msg_encode), close the WebSocket with out->close_status, arm or
 * stop the connection's single timer, pass the message up, etc.
 *
 * Choices where the sources disagree (digest §6), all as recommended or
 * as the most recent source does:
 *  - a NAK other than NODE_DUPLICATE_VMAC to our Connect-Request closes at
 *    once (B4J, AB.6.2.2), rather than waiting for Connect Wait;
 *  - with cfg->hb_ack_required, a heartbeat period with no answer to our
 *    Heartbeat-Request starts a local disconnect (B4J, AB.6.3 rev 24);
 *  - the accepting peer closes after cfg->accept_silence_us without any
 *    received message, restarted on receive only;
 *  - a Disconnect-Request received while DISCONNECTING is acknowledged
 *    and closes (both ends wanted to go).
 */
#ifndef SC_SC_CONN_FSM_H
#define SC_SC_CONN_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "sc/scm_codec.h"

#define SC_ERR_TIMEOUT		30	/* BACnet error code "timeout" */

/* WebSocket close statuses the machine asks for. */
#define SC_WS_CLOSE_NORMAL	1000
#define SC_WS_CLOSE_PROTOCOL	1002

enum sc_conn_role {
	SC_CONN_INITIATOR,
	SC_CONN_ACCEPTOR,
};

enum sc_conn_state {
	SC_CONN_IDLE,
	SC_CONN_AWAIT_WS,	/* initiator: WebSocket being opened */
	SC_CONN_AWAIT_ACCEPT,	/* initiator: Connect-Request sent */
	SC_CONN_AWAIT_REQUEST,	/* acceptor: waiting for Connect-Request */
	SC_CONN_CONNECTED,
	SC_CONN_DISCONNECTING,	/* our Disconnect-Request is outstanding */
};

enum sc_conn_ev_type {
	SC_EV_OPEN,		/* initiator: connection wanted */
	SC_EV_WS_ACCEPTED,	/* acceptor: WebSocket accepted */
	SC_EV_WS_OPEN,		/* initiator: WebSocket established */
	SC_EV_WS_CLOSED,	/* WebSocket closed or failed */
	SC_EV_TIMER,		/* the connection's timer fired */
	SC_EV_RX,		/* a message decoded (ev.msg) */
	SC_EV_RX_BAD,		/* a message the codec refused (ev.fail) */
	SC_EV_CLOSE,		/* local disconnect wanted */
};

/*
 * What the accepting side's owner (hub function or node switch) found for
 * a Connect-Request, by comparing its VMAC and UUID with its other
 * connections and its own device (digest §1.9.2 a/b/c).
 */
enum sc_admit {
	SC_ADMIT_NEW,		/* (c) accept */
	SC_ADMIT_REPLACE,	/* (a) same UUID as an existing connection */
	SC_ADMIT_DUP_VMAC,	/* (b) VMAC in use by another UUID: refuse */
};

struct sc_conn_event {
	enum sc_conn_ev_type	 type;
	const struct scm_msg	*msg;	/* SC_EV_RX; borrows */
	const struct scm_fail	*fail;	/* SC_EV_RX_BAD; borrows */
	enum sc_admit		 admit;	/* SC_EV_RX of a Connect-Request in
					 * SC_CONN_AWAIT_REQUEST */
};

/* Settings; borrowed by the connection, may change between steps. */
struct sc_conn_cfg {
	uint64_t	 connect_wait_us;	/* SC_Connect_Wait_Timeout */
	uint64_t	 disconnect_wait_us;	/* SC_Disconnect_Wait_Timeout */
	uint64_t	 heartbeat_us;		/* SC_Heartbeat_Timeout */
	uint64_t	 accept_silence_us;	/* acceptor: close when silent */
	bool		 hb_ack_required;	/* initiator: see above */
	uint8_t		 uuid[SC_UUID_LEN];	/* our Device UUID */
	uint16_t	 max_bvlc;		/* what we accept */
	uint16_t	 max_npdu;
};

enum sc_timer_req {
	SC_TIMER_KEEP,		/* leave the timer as it is */
	SC_TIMER_ARM,		/* (re)arm it to fire at out->timer_at */
	SC_TIMER_STOP,		/* disarm it */
};

/* The actions of one step.  Everything is cleared at each step. */
struct sc_conn_out {
	bool		 send;		/* encode and send tx */
	struct scm_msg	 tx;		/* pointers borrow from cfg/event */
	bool		 open_ws;	/* initiator: open the WebSocket */
	bool		 close_ws;	/* close it with close_status */
	uint16_t	 close_status;
	bool		 deliver;	/* pass ev.msg up (NPDU, results...) */
	bool		 up;		/* the connection is now established */
	bool		 down;		/* an established connection ended */
	bool		 new_vmac;	/* pick a new Random-48 VMAC
					 * (sc_conn_set_vmac) before the
					 * next attempt */
	bool		 replace_old;	/* acceptor: disconnect the older
					 * connection with this peer's UUID */
	bool		 failed;	/* a connection attempt failed: */
	uint16_t	 error_class;	/* ... with this reason */
	uint16_t	 error_code;
	enum sc_timer_req timer;
	uint64_t	 timer_at;
};

/* One connection.  Embedded by its owner; all fields read-only outside. */
struct sc_conn {
	enum sc_conn_role	 role;
	enum sc_conn_state	 state;
	const struct sc_conn_cfg *cfg;		/* borrows */
	uint8_t			 vmac[SC_VMAC_LEN];	/* our VMAC */
	uint16_t		 next_msgid;
	uint16_t		 req_msgid;	/* Connect/Disconnect-Request */
	bool			 hb_outstanding;
	uint16_t		 hb_msgid;
	bool			 timer_armed;
	uint64_t		 timer_at;
	bool			 have_peer;
	struct scm_connect	 peer;		/* from Connect-Request/Accept */
};

/*
 * Set up c in SC_CONN_IDLE (borrows cfg; copies vmac).  first_msgid is
 * the first Message ID the connection uses (draw it at random).
 */
void sc_conn_init(struct sc_conn *c, enum sc_conn_role role,
    const struct sc_conn_cfg *cfg, const uint8_t *vmac, uint16_t first_msgid);
/* Use vmac (copied) from the next Connect-Request/Accept on. */
void sc_conn_set_vmac(struct sc_conn *c, const uint8_t *vmac);

/*
 * Run one event at time now.  Fill *out (always written) with the actions
 * and return the new state (also stored in c->state).  Events that do not
 * apply to the state are ignored (out has no action); SC_EV_TIMER before
 * c->timer_at or while no timer is armed is ignored too, and so are
 * SC_EV_RX without ev->msg and SC_EV_RX_BAD without ev->fail.
 */
enum sc_conn_state sc_conn_step(struct sc_conn *c,
    const struct sc_conn_event *ev, uint64_t now, struct sc_conn_out *out);

/* Return a fixed name for a state ("connected", ...). */
const char *sc_conn_state_name(enum sc_conn_state s);

#endif
