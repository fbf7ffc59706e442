/*
 * A test port implementing npdu/port.h: it records every NPDU a router
 * sends through it in a shared log, and can act as one station on a
 * simulated LAN segment, so several routers can be wired together and the
 * log "pumped" to deliver what they sent to the other ports on the same
 * segment (never synchronously inside a send: like a real event loop).
 */
#ifndef TESTS_UNIT_RTR_TESTPORT_H
#define TESTS_UNIT_RTR_TESTPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npdu/port.h"

#define RTR_TP_NPDU_MAX	1600	/* longer NPDUs are recorded truncated */
#define RTR_TP_OPTS_MAX	64
#define RTR_TP_LOG_MAX	512
#define RTR_TP_PORTS	32

struct rtr_testport;

struct rtr_tp_sent {
	struct rtr_testport	*tp;		/* the sending port */
	bool			 broadcast;
	uint8_t			 mac[NPDU_PORT_MAC_MAX]; /* unicast dest */
	size_t			 mac_len;
	uint8_t			 npdu[RTR_TP_NPDU_MAX];
	size_t			 len;		/* full length sent */
	uint8_t			 opts[RTR_TP_OPTS_MAX];
	size_t			 opts_len;
};

struct rtr_tp_log {
	struct rtr_tp_sent	 sent[RTR_TP_LOG_MAX];
	size_t			 n;		/* entries recorded */
	size_t			 lost;		/* sends past RTR_TP_LOG_MAX */
	size_t			 pumped;	/* entries delivered so far */
	struct rtr_testport	*ports[RTR_TP_PORTS];
	size_t			 nports;
};

struct rtr_testport {
	struct npdu_port	 port;
	struct rtr_tp_log	*log;		/* borrows */
	unsigned		 lan;		/* segment; 0: not wired */
	bool			 fail;		/* sends return -1 */
};

/* Clear the log (and forget its ports). */
void rtr_tp_log_init(struct rtr_tp_log *log);
/* Forget recorded sends (ports stay registered). */
void rtr_tp_log_clear(struct rtr_tp_log *log);

/*
 * Make tp a port with MAC mac_hex and maximum NPDU length max_npdu on LAN
 * segment lan (0: none), recording into log; the port is up.
 */
void rtr_tp_init(struct rtr_testport *tp, struct rtr_tp_log *log,
    const char *name, const char *mac_hex, size_t max_npdu, unsigned lan);

/*
 * Deliver an NPDU (hex) to whoever attached to tp (the router), as if it
 * arrived from src_mac_hex, as a local broadcast or not, with optional
 * SC data options (hex, NULL for none).  Return 0, or -1 on bad hex.
 */
int rtr_tp_rx(struct rtr_testport *tp, const char *src_mac_hex, bool bcast,
    const char *npdu_hex, const char *opts_hex);

/*
 * Deliver every recorded send not yet delivered to the other ports on the
 * sender's segment (broadcast: all of them; unicast: the one with that
 * MAC), repeatedly, until nothing new is sent or max deliveries were
 * made.  Return the number of deliveries.
 */
size_t rtr_tp_pump(struct rtr_tp_log *log, size_t max);

#endif
