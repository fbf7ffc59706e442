/*
 * BACnet/SC hub connector (digest §1.11): which hub to connect to, when to
 * retry, failing over to the failover hub and returning to the primary.
 * Pure: no I/O, no clock, no randomness of its own.  Every event takes the
 * time (monotonic microseconds) and, where a delay is drawn, a random
 * 32-bit value from the caller; the answer is a set of actions the glue
 * carries out (start or close a connection attempt on a slot, arm or
 * disarm the single timer).
 *
 * A "slot" is one hub connection: SC_HC_PRIMARY or SC_HC_FAILOVER.  An
 * attempt on a slot covers TCP+TLS+WebSocket and the Connect-Request /
 * Connect-Accept exchange (bounded by the connection's own Connect Wait
 * timer, not here): the glue reports sc_hc_up() when the Connect-Accept
 * arrived and sc_hc_down() when the attempt failed or the established
 * connection went away.  Events for a slot the connector has closed or
 * never opened are ignored, so the glue may report every close it sees.
 *
 * Rules (REF, B4J and NIA agree; see the .c file for the choices):
 *  1. start: try the primary;
 *  2. a failed primary attempt: try the failover at once (if configured);
 *  3. both failed: wait the reconnect delay (doubling from the minimum to
 *     the maximum reconnect time, with jitter), then go to 1;
 *  4. the established primary connection lost: go to 1 after a delay
 *     drawn in [0, minimum reconnect time] (no thundering herd on a
 *     restarted hub);
 *  5. on the failover: probe the primary periodically on the second slot
 *     (same doubling delay, restarted at the minimum); when the probe
 *     connects, close the failover and carry traffic on the primary;
 *  6. a NODE_DUPLICATE_VMAC refusal: the node picks a new VMAC; retry at
 *     once (a few times, then as any failure).
 */
#ifndef SC_SC_HUBCONN_FSM_H
#define SC_SC_HUBCONN_FSM_H

#include <stdbool.h>
#include <stdint.h>

enum sc_hc_slot {
	SC_HC_PRIMARY = 0,
	SC_HC_FAILOVER = 1,
};
#define SC_HC_NSLOTS	2

/* Connector state (the Advertisement's hub status is sc_hc_hub_status). */
enum sc_hc_state {
	SC_HC_STOPPED = 0,	/* not started, or stopped */
	SC_HC_TRY_PRIMARY,	/* attempt on the primary in flight */
	SC_HC_TRY_FAILOVER,	/* attempt on the failover in flight */
	SC_HC_WAIT,		/* both failed: waiting the reconnect delay */
	SC_HC_ON_PRIMARY,	/* connected to the primary */
	SC_HC_ON_FAILOVER,	/* connected to the failover (probing primary) */
};

/* Per-slot connection state. */
enum sc_hc_slot_state {
	SC_HC_SLOT_IDLE = 0,
	SC_HC_SLOT_CONNECTING,
	SC_HC_SLOT_UP,
};

/* BACnetSCConnectionState (digest §1.16), for SC_*_Hub_Connection_Status. */
enum sc_hc_conn_status {
	SC_HC_ST_NOT_CONNECTED = 0,
	SC_HC_ST_CONNECTED = 1,
	SC_HC_ST_DISCONNECTED_WITH_ERRORS = 2,
	SC_HC_ST_FAILED_TO_CONNECT = 3,
};

/* Why an attempt failed or a connection ended. */
enum sc_hc_down_kind {
	SC_HC_DOWN_ERROR = 0,	/* failure or loss; error code says which */
	SC_HC_DOWN_CLOSED,	/* orderly close by the hub (Disconnect) */
	SC_HC_DOWN_DUP_VMAC,	/* Connect-Request refused: duplicate VMAC */
};

/* Status of one hub for the operator and the Network Port object. */
struct sc_hc_hub_status {
	enum sc_hc_conn_status	 status;
	uint64_t		 connect_us;	/* last connect (0: never) */
	uint64_t		 disconnect_us;	/* last disconnect (0: never) */
	uint16_t		 error;		/* last BACnet error code (0: none) */
	uint64_t		 error_us;	/* time of that error */
	uint64_t		 attempts;	/* attempts started */
	uint64_t		 failures;	/* attempts that failed */
};

struct sc_hc_cfg {
	bool		has_failover;	/* a failover URI is configured */
	uint64_t	min_reconnect_us;	/* > 0 */
	uint64_t	max_reconnect_us;	/* >= min */
	unsigned	dup_vmac_retries;	/* immediate retries (e.g. 3) */
};

/* What the glue must do after an event, in this order. */
struct sc_hc_actions {
	bool		close[SC_HC_NSLOTS];	/* disconnect that slot */
	bool		connect[SC_HC_NSLOTS];	/* start an attempt there */
	bool		disarm;			/* cancel the timer */
	bool		arm;			/* (re)arm the timer at ... */
	uint64_t	deadline_us;		/* ... this time */
	bool		active_changed;		/* sc_hc_active() changed */
};

struct sc_hubconn {
	struct sc_hc_cfg	 cfg;
	enum sc_hc_state	 state;
	enum sc_hc_slot_state	 slot[SC_HC_NSLOTS];
	struct sc_hc_hub_status	 hub[SC_HC_NSLOTS];
	uint64_t		 delay_us;	/* next reconnect delay */
	uint64_t		 probe_us;	/* next primary-probe delay */
	bool			 timer_armed;
	uint64_t		 timer_at;
	unsigned		 dup_left;	/* immediate retries left */
};

/* Initialise hc stopped with cfg (copied; bad values are clamped). */
void sc_hc_init(struct sc_hubconn *hc, const struct sc_hc_cfg *cfg);

/* Start connecting (from STOPPED; otherwise nothing happens). */
void sc_hc_start(struct sc_hubconn *hc, uint64_t now,
    struct sc_hc_actions *out);
/* Stop: close every slot, disarm the timer, go to STOPPED. */
void sc_hc_stop(struct sc_hubconn *hc, uint64_t now,
    struct sc_hc_actions *out);
/* The attempt on slot completed (Connect-Accept received). */
void sc_hc_up(struct sc_hubconn *hc, enum sc_hc_slot slot, uint64_t now,
    uint32_t rnd, struct sc_hc_actions *out);
/*
 * The attempt on slot failed, or its connection ended; error is a BACnet
 * error code (e.g. 194 tcp-connection-refused; 0 if none).
 */
void sc_hc_down(struct sc_hubconn *hc, enum sc_hc_slot slot,
    enum sc_hc_down_kind kind, uint16_t error, uint64_t now, uint32_t rnd,
    struct sc_hc_actions *out);
/* The timer armed by an earlier action expired. */
void sc_hc_timer(struct sc_hubconn *hc, uint64_t now, uint32_t rnd,
    struct sc_hc_actions *out);

/*
 * Run-time reconfiguration: cfg (copied, clamped as by sc_hc_init) takes
 * effect now for the next delays; uri_changed[s] says that slot s now
 * names another hub.  A working connection whose hub did not change is
 * kept.  A slot whose hub changed is closed if busy, and the new hub is
 * tried at once: the primary directly (or as the probe while on an
 * unchanged failover); when the failover changed while carrying traffic
 * or the connector was between attempts, it starts over at the primary.
 * A failover no longer configured (cfg->has_failover false) counts as
 * changed.  Stopped: only cfg is taken.
 */
void sc_hc_reconfigure(struct sc_hubconn *hc, const struct sc_hc_cfg *cfg,
    const bool uri_changed[SC_HC_NSLOTS], uint64_t now,
    struct sc_hc_actions *out);

/* The slot carrying traffic, or -1 if there is no hub connection. */
int sc_hc_active(const struct sc_hubconn *hc);
/* Hub Connection Status: SC_HC_HUB_NONE / _PRIMARY / _FAILOVER (0/1/2). */
#define SC_HC_HUB_NONE		0
#define SC_HC_HUB_PRIMARY	1
#define SC_HC_HUB_FAILOVER	2
uint8_t sc_hc_hub_status(const struct sc_hubconn *hc);

/*
 * The delay actually used for a nominal delay d: d plus up to a quarter of
 * d of jitter drawn from rnd, kept within [min, max] (exported for tests).
 */
uint64_t sc_hc_jitter(const struct sc_hc_cfg *cfg, uint64_t d, uint32_t rnd);

/*
 * The first retry after losing an established primary connection: rnd
 * scaled to [0, min_reconnect] (exported for tests).
 */
uint64_t sc_hc_first_retry(const struct sc_hc_cfg *cfg, uint32_t rnd);

const char *sc_hc_state_name(enum sc_hc_state st);
const char *sc_hc_slot_name(enum sc_hc_slot slot);

#endif
