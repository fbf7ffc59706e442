/*
 * The BACnet application entity: serves the objects of a struct app_db
 * (app/app_obj.h) to the network.  Driven by calls with the time passed
 * in; it sends through one callback and keeps no sockets or timers of its
 * own (call app_tick when app_next_deadline says so).
 *
 * Services: Who-Is/I-Am, Who-Has/I-Have, ReadProperty,
 * ReadPropertyMultiple (ALL/REQUIRED/OPTIONAL), WriteProperty.  Unknown
 * confirmed services are rejected (unrecognized-service), malformed
 * requests rejected, segmented requests aborted (segmentation not
 * supported).  Responses larger than the requester's Max-APDU are sent as
 * a segmented Complex-ACK (windowed, Segment-ACK driven, retransmitted on
 * the segment timeout) when the requester accepts segments and the device
 * is configured for segmented transmit; otherwise aborted.  Repeated
 * confirmed requests (same source, invoke id and octets) within the
 * duplicate window get the cached answer again instead of being re-run.
 *
 * Glue, in the daemon or an SC device tool:
 *
 *	struct app_db db;			// app_obj.h
 *	app_db_init(&db, &devcfg);		// the Device object
 *	app_netport_init(&np, 1, "sc0", APP_NP_SC);
 *	np.info = ...; np.ops = &ops;		// live values, list callbacks
 *	app_db_add(&db, &np.obj);		// + File, Analog Value objects
 *	struct app *a = app_new(&db, send_cb, ctx);
 *	// start-up: for each port p, a local broadcast I-Am
 *	app_send_i_am(a, &(struct app_addr){ .net = 0, .port = p });
 *	// an NPDU for the local application arrived on port p from mac m
 *	// (or from SNET/SADR if routed): hand its APDU over
 *	app_receive(a, &src, apdu, apdu_len, clk_now_us());
 *	// a timer at app_next_deadline(a) calls app_tick(a, clk_now_us())
 *
 * send_cb builds the NPDU (DNET/DADR when dst->net is remote, the
 * expecting-reply bit from its argument) and sends it on dst->port, on
 * every port when dst->port is 0, or routes it when dst->net is remote.
 */
#ifndef APP_APP_H
#define APP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app_obj.h"

#define APP_MAC_MAX		8
#define APP_NET_LOCAL		0
#define APP_NET_GLOBAL		0xFFFF

/*
 * A BACnet address as the application sees it.  net 0: the directly
 * connected network of router port `port` (0 on a single-port node; as a
 * destination, port 0 means every port); net 0xFFFF: global broadcast;
 * other: a remote network (routed through `port` if known).  mac_len 0:
 * broadcast on that network.
 */
struct app_addr {
	uint16_t	net;
	uint8_t		mac_len;
	uint8_t		mac[APP_MAC_MAX];
	unsigned	port;
};

/* Send one APDU.  Everything is borrowed for the call. */
typedef void (*app_send_fn)(void *arg, const struct app_addr *dst,
    const uint8_t *apdu, size_t len, bool expecting_reply, uint8_t prio);

struct app_stats {
	uint64_t	rx, tx;
	uint64_t	rejects, aborts, errors;
	uint64_t	duplicates;
	uint64_t	segments_sent, segment_retries, seg_timeouts;
	uint64_t	bcast_ratelim;	/* I-Am/I-Have answers not sent */
};

struct app;

/* Create the entity (borrows db, which must outlive it); NULL on OOM. */
struct app *app_new(struct app_db *db, app_send_fn send, void *arg);
/* Free (NULL is a no-op); pending segmented responses are dropped. */
void app_free(struct app *a);
/* Handle one APDU from src (all borrowed); may send replies. */
void app_receive(struct app *a, const struct app_addr *src,
    const uint8_t *apdu, size_t len, uint64_t now_us);
/* Run timers: segment retransmission, expiry of the duplicate cache. */
void app_tick(struct app *a, uint64_t now_us);
/* Earliest time app_tick has work, or UINT64_MAX if none. */
uint64_t app_next_deadline(const struct app *a);
/* Send an unsolicited I-Am to dst (e.g. a global broadcast at start-up). */
void app_send_i_am(struct app *a, const struct app_addr *dst);
const struct app_stats *app_stats(const struct app *a);

#endif
