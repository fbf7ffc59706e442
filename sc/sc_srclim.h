/*
 * Connections per source address and in total, for one listener
 * (sc_ws.c).  A connection takes a slot when its TCP connection is
 * accepted and gives it back when the connection is torn down, so the
 * counts cover handshakes in progress and open WebSockets alike.
 *
 * IPv4 addresses are compared whole (an IPv4 address and its v4-mapped
 * IPv6 form are the same source); other IPv6 addresses by their /64
 * prefix (one host usually holds a whole /64).  The table is a chained hash keyed with a
 * seed the caller draws at random; it never holds more entries than
 * connections, so a chain is never longer than the total limit.
 * No I/O, no clock, no logging.
 */
#ifndef SC_SC_SRCLIM_H
#define SC_SC_SRCLIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

#define SC_SRCLIM_KEY_LEN	16	/* IPv6, or IPv4 as ::ffff:a.b.c.d */
#define SC_SRCLIM_BUCKETS	256

struct sc_srclim_ent {
	struct sc_srclim_ent	*next;		/* hash chain */
	uint8_t			 key[SC_SRCLIM_KEY_LEN];
	unsigned		 n;		/* connections from key */
};

struct sc_srclim {
	unsigned		 per_source;	/* 0: no limit */
	unsigned		 total;		/* 0: no limit */
	unsigned		 n;		/* connections counted */
	size_t			 n_sources;	/* entries in the table */
	uint64_t		 seed;
	struct sc_srclim_ent	*b[SC_SRCLIM_BUCKETS];
};

enum sc_srclim_rc {
	SC_SRCLIM_OK = 0,	/* slot taken; *out set */
	SC_SRCLIM_FULL,		/* total limit reached */
	SC_SRCLIM_PER_SOURCE,	/* per-source limit reached */
	SC_SRCLIM_NOMEM,
};

/* Start an empty table with the two limits and a random seed. */
void sc_srclim_init(struct sc_srclim *t, unsigned per_source,
    unsigned total, uint64_t seed);
/* Free every entry (slots still held become invalid). */
void sc_srclim_fini(struct sc_srclim *t);

/*
 * Make the key of a source address (AF_INET: the address; AF_INET6: its
 * /64, or the IPv4 address of a v4-mapped one; anything else gives the
 * all-zero key, one shared source).
 */
void sc_srclim_key(const struct sockaddr *sa, uint8_t key[SC_SRCLIM_KEY_LEN]);

/*
 * Take a slot for a connection from key.  On SC_SRCLIM_OK, *out is the
 * entry to pass to sc_srclim_put() once; otherwise nothing changed.
 */
enum sc_srclim_rc sc_srclim_take(struct sc_srclim *t,
    const uint8_t key[SC_SRCLIM_KEY_LEN], struct sc_srclim_ent **out);
/* Give back a slot taken with sc_srclim_take (ent may be freed). */
void sc_srclim_put(struct sc_srclim *t, struct sc_srclim_ent *ent);
/*
 * Change both limits of a table in use (0: no limit).  Slots already
 * taken stay, even above a lowered limit: sc_srclim_take refuses until
 * the counts are below the new limits.
 */
void sc_srclim_set_limits(struct sc_srclim *t, unsigned per_source,
    unsigned total);
/* Connections counted from key now. */
unsigned sc_srclim_count(const struct sc_srclim *t,
    const uint8_t key[SC_SRCLIM_KEY_LEN]);

#endif
