/*
 * B/IP node logic as pure code (digest §3.4-3.6): what a plain node, a
 * foreign device or a BBMD does with each received BVLL message, and where
 * a locally originated broadcast goes.  It keeps the BDT (from
 * configuration) and the FDT (registrations with TTL + 30 s grace).  No
 * I/O, no clock reads, no logging: the caller passes the time in and
 * carries out the decision it gets back.
 */
#ifndef BIP_BIP_BBMD_FSM_H
#define BIP_BIP_BBMD_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bip/bvlc_codec.h"
#include "lib/bytes.h"
#include "lib/ratelim.h"

#define BIP_BDT_MAX		64	/* configured BDT entries, at most */
#define BIP_FDT_MAX_LIMIT	4096	/* largest configurable FDT */
/*
 * Read-BDT / Read-FDT answers (up to 40 kB for a 4-octet request, to a
 * source that may be spoofed): this many at once, then one a second.
 */
#define BIP_TABLE_READ_BURST	8
#define BIP_TABLE_READ_EVERY_US	1000000u

enum bip_mode {
	BIP_MODE_PLAIN = 0,	/* an ordinary B/IP node */
	BIP_MODE_BBMD,		/* a BBMD with BDT and FDT */
	BIP_MODE_FOREIGN,	/* a foreign device registered elsewhere */
};

struct bip_bbmd_config {
	enum bip_mode		 mode;
	struct bvlc_addr	 self;		/* our own B/IP address */
	bool			 has_global;	/* BBMD behind NAT */
	struct bvlc_addr	 global;	/* its public address */
	const struct bvlc_bdt_entry *bdt;	/* borrows (copied by init) */
	size_t			 n_bdt;
	size_t			 fdt_max;	/* FDT capacity (BBMD) */
	/* Most FDT entries per IP address (any port); 0: no limit. */
	size_t			 fdt_per_ip;
	bool			 accept_fd;	/* accept registrations */
};

struct bip_fdt_slot {
	struct bvlc_addr	addr;
	uint16_t		ttl;		/* as registered */
	uint64_t		expires_us;	/* last reg + TTL + 30 s */
};

struct bip_bbmd {
	enum bip_mode		 mode;
	struct bvlc_addr	 self;
	bool			 has_global;
	struct bvlc_addr	 global;
	struct bvlc_bdt_entry	 bdt[BIP_BDT_MAX];
	size_t			 n_bdt;
	int			 own_entry;	/* index of our BDT entry, -1 */
	struct bip_fdt_slot	*fdt;		/* owned; fdt_max slots */
	size_t			 fdt_max;
	size_t			 n_fdt;
	size_t			 fdt_per_ip;	/* 0: no limit */
	bool			 accept_fd;
	struct bvlc_addr	*dests;		/* owned scratch for outputs */
	size_t			 dests_cap;
	struct ratelim		 table_rl;	/* Read-BDT/FDT answers */
};

/* What to deliver up and what to send, for one input. */
struct bip_bbmd_out {
	/* Hand the NPDU up to the router. */
	bool			 deliver;
	bool			 deliver_bcast;	/* as a local broadcast */
	struct bvlc_addr	 deliver_src;	/* its source MAC */
	/* Send a BVLC-Result with result_code back to the sender. */
	bool			 send_result;
	uint16_t		 result_code;
	/* Send Read-BDT-Ack / Read-FDT-Ack back (bip_bbmd_encode_*). */
	bool			 send_bdt_ack;
	bool			 send_fdt_ack;
	/*
	 * Send the NPDU as Forwarded-NPDU with original source fwd_orig to
	 * each of dests (borrowed from the table; valid until the next call)
	 * and, with fwd_local_bcast, to the local broadcast address.
	 */
	struct bvlc_addr	 fwd_orig;
	const struct bvlc_addr	*dests;
	size_t			 n_dests;
	bool			 fwd_local_bcast;
	/* Send the NPDU as Original-Broadcast-NPDU to the local broadcast. */
	bool			 orig_local_bcast;
	/* A BVLC-Result arrived (for the foreign-device client). */
	bool			 got_result;
	uint16_t		 result;
	/* Why nothing (more) was done, for counters/logs; NULL if normal. */
	const char		*drop_why;
};

/*
 * Set up b from cfg (the BDT is copied).  Return 0, or -1 when the
 * configuration is unusable (too many BDT entries, FDT larger than
 * BIP_FDT_MAX_LIMIT, a zero address) or memory runs out.
 */
int bip_bbmd_init(struct bip_bbmd *b, const struct bip_bbmd_config *cfg);
/* Free what init allocated; safe to call twice. */
void bip_bbmd_fini(struct bip_bbmd *b);
/*
 * Replace the BDT (SIGHUP reload), keeping the FDT.  Return 0, or -1 (and
 * change nothing) for more than the entries init made room for
 * (BIP_BDT_MAX, or the FDT scratch space allows fewer).
 */
int bip_bbmd_set_bdt(struct bip_bbmd *b, const struct bvlc_bdt_entry *bdt,
    size_t n);

/*
 * Decide what to do with message m (decoded, borrowed) that arrived from
 * UDP source src at time now_us.  Purges expired FDT entries first.
 * Fills *out (its dests borrow from b).
 */
void bip_bbmd_rx(struct bip_bbmd *b, uint64_t now_us,
    const struct bvlc_addr *src, const struct bvlc_msg *m,
    struct bip_bbmd_out *out);

/*
 * Decide where a broadcast this node originates goes: Original-Broadcast
 * on the local subnet (plain, BBMD), plus Forwarded-NPDUs to the BDT peers
 * and FDs (BBMD, original source = our global address if configured,
 * else ours).  Foreign devices are handled by the caller (Distribute-
 * Broadcast-To-Network to their BBMD).
 */
void bip_bbmd_local_bcast(struct bip_bbmd *b, uint64_t now_us,
    struct bip_bbmd_out *out);

/* Drop FDT entries expired at now_us; return how many were dropped. */
size_t bip_bbmd_expire(struct bip_bbmd *b, uint64_t now_us);
/* Return the earliest FDT expiry time, or UINT64_MAX if the FDT is empty. */
uint64_t bip_bbmd_next_expiry(const struct bip_bbmd *b);

/* Encode our Read-BDT-Ack / Read-FDT-Ack (as of now_us) into w; 0 or -1. */
int bip_bbmd_encode_bdt_ack(const struct bip_bbmd *b, struct wr *w);
int bip_bbmd_encode_fdt_ack(const struct bip_bbmd *b, uint64_t now_us,
    struct wr *w);

/* Forwarding address of a BDT entry: ip | ~mask, same port. */
void bip_bdt_fwd_addr(const struct bvlc_bdt_entry *e, struct bvlc_addr *out);
/* True if a is us (our address or our NAT global address). */
bool bip_bbmd_is_self(const struct bip_bbmd *b, const struct bvlc_addr *a);
/* Look up a registered foreign device; NULL if none. */
const struct bip_fdt_slot *bip_bbmd_fdt_find(const struct bip_bbmd *b,
    const struct bvlc_addr *a);

#endif
