/*
 * BACnet/SC node switch decisions (digest §1.13), pure: time comes in as
 * an argument; the glue (sc_nodesw.c) executes the actions (send an
 * Address-Resolution through the hub, open or close a direct connection).
 *
 * One table entry per peer VMAC the node switch knows about: its
 * address-resolution result (URIs from an Address-Resolution-ACK, cached
 * with a freshness limit; a NAK or an empty list is cached as "no direct
 * path"), the on-demand counter (N unicasts within a window), and the
 * state of the direct connections to it (the one we initiate and at most
 * one the peer initiated).  The cap counts every direct connection, up or
 * coming up.
 *
 * Send path: sc_dc_unicast() answers VIA_DIRECT only while a direct
 * connection to the VMAC is up; otherwise the message goes through the
 * hub.  Broadcasts never come here.
 */
#ifndef SC_SC_DC_FSM_H
#define SC_SC_DC_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc/sc_vmac.h"

#define SC_DC_MAX_PEERS		64	/* table entries */
#define SC_DC_MAX_URIS		4	/* URIs kept per peer */
#define SC_DC_URI_MAX		256	/* with the NUL */
#define SC_DC_MAX_ACTS		8	/* actions per call at most */

enum sc_dc_policy {
	SC_DC_POLICY_NEVER = 0,		/* never initiate */
	SC_DC_POLICY_CONFIGURED,	/* keep configured peers connected */
	SC_DC_POLICY_ON_DEMAND,		/* after N unicasts in a window */
};

struct sc_dc_cfg {
	enum sc_dc_policy policy;
	unsigned	 max_conns;	/* cap on direct connections */
	uint64_t	 idle_us;	/* close an initiated, unused connection
					   after this long (0: never) */
	uint64_t	 resolve_timeout_us;
	uint64_t	 cache_us;	/* freshness of a resolution */
	uint64_t	 retry_us;	/* after a failure, wait this long */
	unsigned	 demand_n;	/* on-demand: this many unicasts ... */
	uint64_t	 demand_window_us; /* ... within this window */
};

enum sc_dc_res {
	SC_DC_RES_NONE = 0,	/* never asked or stale */
	SC_DC_RES_PENDING,	/* Address-Resolution sent */
	SC_DC_RES_DONE,		/* answered; n_uris may be 0 (no path) */
};

enum sc_dc_conn {
	SC_DC_CONN_NONE = 0,
	SC_DC_CONN_CONNECTING,
	SC_DC_CONN_UP,
};

struct sc_dc_peer {
	bool		 used;
	uint8_t		 vmac[SC_VMAC_LEN];
	bool		 configured;	/* from the configuration */
	bool		 cfg_has_uri;	/* configured URI: no resolution */
	char		 cfg_uri[SC_DC_URI_MAX];
	enum sc_dc_res	 res;
	uint64_t	 res_at;	/* request sent / answer received */
	uint16_t	 res_msgid;
	unsigned	 n_uris;
	char		 uris[SC_DC_MAX_URIS][SC_DC_URI_MAX];
	enum sc_dc_conn	 init;		/* the connection we initiate */
	unsigned	 uri_idx;	/* URI being tried */
	bool		 acc_up;	/* a connection the peer initiated */
	uint64_t	 last_use;	/* last unicast or receive */
	uint64_t	 win_start;	/* on-demand window */
	unsigned	 win_count;
	uint64_t	 retry_at;	/* no new attempt before this */
};

struct sc_dc {
	struct sc_dc_cfg	cfg;
	struct sc_dc_peer	peers[SC_DC_MAX_PEERS];
};

enum sc_dc_act_kind {
	SC_DC_ACT_RESOLVE = 0,	/* send Address-Resolution (msgid) to vmac */
	SC_DC_ACT_CONNECT,	/* open a direct connection to uri */
	SC_DC_ACT_DISCONNECT,	/* close the initiated connection (idle) */
};

struct sc_dc_act {
	enum sc_dc_act_kind	 kind;
	uint8_t			 vmac[SC_VMAC_LEN];
	uint16_t		 msgid;		/* RESOLVE */
	const char		*uri;		/* CONNECT: borrows the table */
};

struct sc_dc_acts {
	size_t			n;
	struct sc_dc_act	a[SC_DC_MAX_ACTS];
};

enum sc_dc_route {
	SC_DC_VIA_HUB = 0,
	SC_DC_VIA_DIRECT,
};

void sc_dc_init(struct sc_dc *t, const struct sc_dc_cfg *cfg);
/*
 * Add a configured peer (policy configured): uri (borrows; copied) NULL or
 * "" means "resolve its VMAC".  Return 0, or -1 if the table is full or
 * the URI too long.
 */
int sc_dc_add_configured(struct sc_dc *t, const uint8_t *vmac,
    const char *uri);
/* A configured peer for sc_dc_reconfigure. */
struct sc_dc_peer_cfg {
	uint8_t		 vmac[SC_VMAC_LEN];
	const char	*uri;		/* NULL or "": resolve it */
};

/*
 * Take a new policy, cap and list of configured peers at run time
 * (reload; peers borrowed, URIs copied).  Afterwards the connections we
 * initiate are those the new configuration would open:
 *  - policy never: none;
 *  - policy configured: only to configured peers, to the URI now
 *    configured;
 *  - policy on demand: any (a peer no longer configured falls under the
 *    idle timeout like any on-demand connection).
 * Every other initiated connection, up or coming up, is taken out of the
 * table (init NONE): the glue closes each of its initiated connections
 * whose peer sc_dc_is_initiated() no longer says.  Peers newly
 * configured (or with a new URI) may be tried at once.  Connections the
 * peers initiated stay, also above a lowered cap (new ones are refused
 * until below it).  Return 0, or -1 if the table cannot hold the new
 * peers or a URI is too long (nothing changed).
 */
int sc_dc_reconfigure(struct sc_dc *t, enum sc_dc_policy policy,
    unsigned max_conns, const struct sc_dc_peer_cfg *peers, size_t n);
/* Would sc_dc_reconfigure take peers[0..n)?  Changes nothing. */
bool sc_dc_reconfigure_fits(const struct sc_dc *t,
    const struct sc_dc_peer_cfg *peers, size_t n);
/* Does the table count a connection we initiate to vmac (up or not)? */
bool sc_dc_is_initiated(const struct sc_dc *t, const uint8_t *vmac);
/* The entry for vmac, or NULL. */
const struct sc_dc_peer *sc_dc_find(const struct sc_dc *t,
    const uint8_t *vmac);

/*
 * A unicast to vmac is about to be sent at now (msgid0 is a fresh Message
 * ID should a resolution be needed).  Return the route, and append to *a
 * what the policy wants done (resolve, connect).
 */
enum sc_dc_route sc_dc_unicast(struct sc_dc *t, const uint8_t *vmac,
    uint64_t now, uint16_t msgid0, struct sc_dc_acts *a);
/* Something arrived from vmac on a direct connection (idle timer). */
void sc_dc_note_rx(struct sc_dc *t, const uint8_t *vmac, uint64_t now);

/*
 * An Address-Resolution-ACK from vmac with Message ID msgid and the URI
 * text uris[0..len) (borrows) arrived.  Unsolicited or stale answers are
 * ignored (return -1).  Else cache it, append a CONNECT if wanted, 0.
 */
int sc_dc_on_ack(struct sc_dc *t, const uint8_t *vmac, uint16_t msgid,
    const uint8_t *uris, size_t len, uint64_t now, struct sc_dc_acts *a);
/* A NAK to our Address-Resolution: cached as "no direct path". */
int sc_dc_on_nak(struct sc_dc *t, const uint8_t *vmac, uint16_t msgid,
    uint64_t now);

/* Our initiated connection to vmac came up / went down or failed. */
void sc_dc_init_up(struct sc_dc *t, const uint8_t *vmac, uint64_t now);
void sc_dc_init_down(struct sc_dc *t, const uint8_t *vmac, uint64_t now,
    struct sc_dc_acts *a);
/* May an accepted connection be taken (under the cap)? */
bool sc_dc_may_accept(const struct sc_dc *t);
/*
 * An accepted connection from vmac came up / went down.  Up returns -1 if
 * the table is full (the glue refuses it).
 */
int sc_dc_acc_up(struct sc_dc *t, const uint8_t *vmac, uint64_t now);
void sc_dc_acc_down(struct sc_dc *t, const uint8_t *vmac, uint64_t now);

/*
 * Timers: resolution timeouts, idle disconnects, configured peers to
 * (re)connect.  Append actions to *a (as many as fit; call again).
 */
void sc_dc_tick(struct sc_dc *t, uint64_t now, uint16_t msgid0,
    struct sc_dc_acts *a);
/* The next time sc_dc_tick has something to do (UINT64_MAX: nothing). */
uint64_t sc_dc_next_deadline(const struct sc_dc *t);

/* Direct connections counted against the cap. */
unsigned sc_dc_nconns(const struct sc_dc *t);
bool sc_dc_is_direct(const struct sc_dc *t, const uint8_t *vmac);

const char *sc_dc_policy_name(enum sc_dc_policy p);
const char *sc_dc_conn_name(enum sc_dc_conn c);

#endif
