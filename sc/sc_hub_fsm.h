/*
 * BACnet/SC hub function: the pure decisions (digest §1.9.2, §1.12).
 * A table of the connected nodes keyed by VMAC (with their Device UUIDs
 * and announced limits), admission of a Connect-Request, and what to do
 * with each message a connected node sends: relay it unicast or as a
 * broadcast with the header rewritten, drop it, NAK it, or hand it to the
 * connection (connection-level functions).  No I/O, no clock (times come
 * in), no logging: the glue (sc_hub.c) executes the verdicts.
 *
 * The hub never parses the NPDU it relays and does not interpret
 * destination options (it is not the destination node).
 */
#ifndef SC_SC_HUB_FSM_H
#define SC_SC_HUB_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc/scm_codec.h"
#include "sc/sc_vmac.h"

struct sc_hubtab_cfg {
	size_t		max_conns;	/* cap on node connections (>= 1) */
	/*
	 * Accept messages to the hub that carry an Originating VMAC (bac-py
	 * always sends one), overwriting it with the connection's VMAC.  Off
	 * by default: such messages are NAKed HEADER_ENCODING_ERROR.
	 */
	bool		accept_orig_vmac;
	/* The hosting device: its VMAC counts as in use by its UUID. */
	bool		has_own;
	uint8_t		own_vmac[SC_VMAC_LEN];
	uint8_t		own_uuid[SC_UUID_LEN];
};

/* One connected node. */
struct sc_hub_peer {
	bool		 in_use;
	uint8_t		 vmac[SC_VMAC_LEN];
	uint8_t		 uuid[SC_UUID_LEN];
	uint16_t	 max_bvlc;	/* as announced */
	uint16_t	 max_npdu;
	uint64_t	 since_us;	/* admitted at */
	void		*conn;		/* the glue's connection (borrowed) */
	bool		 orig_seen;	/* accept_orig_vmac: overwrote once */
	uint64_t	 rx_msgs;	/* messages from this node (relayable) */
	uint64_t	 tx_msgs;	/* messages relayed to it */
};

struct sc_hub_counters {
	uint64_t	admitted;
	uint64_t	replaced;	/* same UUID reconnected */
	uint64_t	refused_dup_vmac;
	uint64_t	refused_full;
	uint64_t	refused_bad_vmac;
	uint64_t	relayed_unicast;
	uint64_t	relayed_broadcast;	/* broadcasts received */
	uint64_t	broadcast_copies;	/* copies sent */
	uint64_t	dropped_unknown_dest;	/* or the sender's own VMAC */
	uint64_t	dropped_too_big;	/* unicast or one copy */
	uint64_t	dropped_invalid;	/* refused without a NAK */
	uint64_t	naks;
	uint64_t	orig_overwritten;
};

struct sc_hubtab {
	struct sc_hubtab_cfg	 cfg;
	struct sc_hub_peer	*peers;		/* cap entries */
	size_t			 cap;		/* >= cfg.max_conns */
	size_t			 n;		/* in use */
	size_t			 hi;		/* entries [0, hi) may be in use */
	uint32_t		*idx;		/* hash: peer index + 1, 0 empty */
	size_t			 idx_mask;
	struct sc_hub_counters	 ctr;
};

/*
 * Initialise t for cfg (copied).  Return 0, or -1 if out of memory.  The
 * table owns its arrays; sc_hubtab_fini frees them.
 */
int sc_hubtab_init(struct sc_hubtab *t, const struct sc_hubtab_cfg *cfg);
void sc_hubtab_fini(struct sc_hubtab *t);
/*
 * Change the cap on node connections at run time (reload).  Nodes already
 * admitted stay, even above a lowered cap: new ones are refused (FULL)
 * until fewer than max_conns are left.  A cap above the table's size
 * moves the entries to a larger array: pointers to entries (the glue's
 * and sc_hubtab_find's) are then invalid, entry i stays entry i; *moved
 * says whether that happened.  Return 0, or -1 if out of memory (nothing
 * changed).
 */
int sc_hubtab_set_max(struct sc_hubtab *t, size_t max_conns, bool *moved);

/* The peer with VMAC vmac, or NULL. */
struct sc_hub_peer *sc_hubtab_find(const struct sc_hubtab *t,
    const uint8_t *vmac);
/* The peer with Device UUID uuid, or NULL (linear; used at connect). */
struct sc_hub_peer *sc_hubtab_find_uuid(const struct sc_hubtab *t,
    const uint8_t *uuid);
/* Entry i (0 <= i < t->hi), in use or not: for walking the table. */
static inline struct sc_hub_peer *
sc_hubtab_at(const struct sc_hubtab *t, size_t i)
{
	return &t->peers[i];
}

enum sc_hub_admit {
	SC_HUB_ADMIT_NEW = 0,	/* *peer is the new entry */
	SC_HUB_ADMIT_REPLACE,	/* same UUID: *old_conn's entry was removed,
				   *peer is the new one; disconnect old_conn */
	SC_HUB_REFUSE_DUP_VMAC,	/* VMAC used by another UUID (NAK 151) */
	SC_HUB_REFUSE_FULL,	/* max_conns reached (NAK RESOURCES) */
	SC_HUB_REFUSE_BAD_VMAC,	/* broadcast or zero VMAC (NAK 145) */
};

/*
 * Decide on the Connect-Request req arriving on connection conn at now
 * (digest §1.9.2): a VMAC used by another UUID, or the hosting device's
 * VMAC with another UUID, is refused; the same UUID replaces its old
 * connection (even with a new VMAC); otherwise a new entry while there is
 * room.  On ADMIT_* *peer is set (and *old_conn, NULL for NEW).
 */
enum sc_hub_admit sc_hubtab_admit(struct sc_hubtab *t,
    const struct scm_connect *req, void *conn, uint64_t now,
    struct sc_hub_peer **peer, void **old_conn);
/*
 * Fill *fail with the NAK for a refusal (function, message id from the
 * Connect-Request header h).
 */
void sc_hub_refusal(enum sc_hub_admit a, const struct scm_hdr *h,
    struct scm_fail *fail);
/* Remove peer from the table (its connection closed). */
void sc_hubtab_remove(struct sc_hubtab *t, struct sc_hub_peer *peer);

enum sc_hub_verdict {
	SC_HUB_DROP = 0,	/* silently: too short, or refused without NAK */
	SC_HUB_NAK,		/* send the NAK of r->fail back to the sender */
	SC_HUB_LOCAL,		/* connection-level: r->msg for the connection */
	SC_HUB_UNICAST,		/* send r->fixed + r->rest to r->to */
	SC_HUB_BROADCAST,	/* the same to every other peer it fits */
	SC_HUB_DROP_UNKNOWN,	/* unicast to a VMAC nobody else has */
	SC_HUB_DROP_TOO_BIG,	/* longer than the receiver's Max BVLC */
};

/* A relay decision: the rewritten fixed header plus the borrowed rest. */
struct sc_hub_relay {
	struct scm_msg	 msg;		/* decoded (borrows the input) */
	struct scm_fail	 fail;		/* SC_HUB_NAK: the refusal */
	uint8_t		 fixed[SCM_HDR_FIXED_MAX];	/* new header start */
	size_t		 fixed_len;
	const uint8_t	*rest;		/* borrows: options and payload */
	size_t		 rest_len;
	size_t		 out_len;	/* fixed_len + rest_len */
	struct sc_hub_peer *to;		/* SC_HUB_UNICAST */
	bool		 orig_overwritten;	/* accept_orig_vmac applied */
	bool		 orig_first;	/* ... for the first time on this peer */
};

/*
 * Decide what to do with the message buf[0..len) received from the
 * admitted peer from (digest §1.12, §1.6, §1.7): messages too short or
 * refused without a NAK are dropped; malformed ones, and messages with an
 * Originating VMAC (unless cfg.accept_orig_vmac) or without a Destination
 * VMAC, are NAKed if eligible; connection-level functions are LOCAL;
 * unknown functions with a destination are relayed (the destination node
 * answers them).  Counters are updated.  r borrows buf.
 */
enum sc_hub_verdict sc_hub_rx(struct sc_hubtab *t, struct sc_hub_peer *from,
    const uint8_t *buf, size_t len, struct sc_hub_relay *r);

/* True if a relayed copy of out_len octets fits peer's Max BVLC Length. */
bool sc_hub_fits(const struct sc_hub_peer *peer, size_t out_len);
/*
 * For an SC_HUB_BROADCAST verdict r from peer from: true if the copy goes
 * to peer (in use, not the sender, fits); counts the copy or the drop.
 */
bool sc_hub_bcast_to(struct sc_hubtab *t, const struct sc_hub_peer *from,
    struct sc_hub_peer *peer, const struct sc_hub_relay *r);

const char *sc_hub_verdict_name(enum sc_hub_verdict v);
const char *sc_hub_admit_name(enum sc_hub_admit a);

#endif
