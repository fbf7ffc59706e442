/*
 * Recent sends in time buckets, to count what a connection that died
 * without a close handshake may have taken with it: everything it sent
 * within the last `window` (rounded up to whole buckets) is an upper
 * bound of what was still queued, in the network or in the peer when it
 * died.  Pure: the caller passes the time in.
 */
#ifndef LIB_TXWIN_H
#define LIB_TXWIN_H

#include <stdint.h>

#define TXWIN_NB	64	/* buckets: window / (TXWIN_NB / 2) each */

struct txwin {
	uint64_t	width_us;	/* one bucket */
	uint64_t	window_us;
	uint64_t	bid[TXWIN_NB];	/* bucket number */
	uint32_t	bn[TXWIN_NB];	/* sends in it */
};

/* Start empty, counting back window_us (at least 1 us). */
void txwin_init(struct txwin *t, uint64_t window_us);
/* Note one send at now_us. */
void txwin_note(struct txwin *t, uint64_t now_us);
/* Sends within the window before now_us. */
uint64_t txwin_recent(const struct txwin *t, uint64_t now_us);

#endif
