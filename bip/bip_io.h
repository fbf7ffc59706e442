/*
 * BACnet/IP port: UDP sockets on a libevent event_base, implementing the
 * router's port contract (npdu/port.h).  Glue only: it reads datagrams,
 * decodes them with bvlc_codec, asks bip_bbmd_fsm / bip_fd_fsm what to
 * do, and does it.
 *
 * Usage (the daemon fills the config from libconfig):
 *
 *	struct bip_port_config c;
 *	bip_port_config_init(&c);		// defaults
 *	c.name = "bip0"; c.net = 5;
 *	bvlc_ip_parse("192.168.1.10", &c.bind_ip);
 *	c.mode = BIP_MODE_BBMD; ...		// BDT, FD, limits
 *	struct bip_port *bp = bip_port_new(base, &c, err, sizeof(err));
 *	struct npdu_port *np = bip_port_npdu(bp); // hand to the router
 *	np->user = ...;				// router callbacks
 *	bip_port_start(bp);			// link up, FD registers
 *	...
 *	bip_port_free(bp);
 */
#ifndef BIP_BIP_IO_H
#define BIP_BIP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bip/bip_bbmd_fsm.h"
#include "bip/bip_fd_fsm.h"
#include "bip/bvlc_codec.h"
#include "npdu/port.h"

struct event_base;

struct bip_port_config {
	const char		*name;		/* for logs (copied, 31 max) */
	uint16_t		 net;		/* network number, 0: unset */
	/*
	 * Address to bind, host order: one of this host's unicast
	 * addresses, which with the port is our B/IP MAC; or 0 (0.0.0.0)
	 * with interface set: then the socket hears everything on the port
	 * and the MAC is the interface's first IPv4 address.
	 */
	uint32_t		 bind_ip;
	const char		*interface;	/* borrows; NULL: any */
	uint16_t		 port;		/* default 47808 */
	/*
	 * Local broadcast address (host order).  If has_bcast is false it
	 * is taken from the interface that holds our address (its broadcast
	 * address, or address | ~netmask).
	 */
	bool			 has_bcast;
	uint32_t		 bcast_ip;
	/*
	 * Open a second socket bound to bcast_ip:port so local broadcasts
	 * are heard (a socket bound to a unicast address does not get
	 * them; not needed with bind_ip 0).  Default on.
	 */
	bool			 bcast_socket;
	size_t			 max_npdu;	/* default 1497 */
	enum bip_mode		 mode;
	/* BBMD: the BDT (should list ourselves too), NAT, the FDT. */
	struct bvlc_bdt_entry	 bdt[BIP_BDT_MAX];
	size_t			 n_bdt;
	bool			 has_global;
	struct bvlc_addr	 global;	/* public address behind NAT */
	bool			 accept_fd;	/* default true */
	size_t			 fdt_max;	/* default 128 */
	size_t			 fdt_per_ip;	/* default 4; 0: no limit */
	/* Foreign device: the BBMD we register with, and our TTL. */
	struct bvlc_addr	 fd_bbmd;
	uint16_t		 fd_ttl;	/* seconds, default 300 */
	uint64_t		 fd_reply_timeout_us;	/* default 5 s */
	uint64_t		 fd_backoff_max_us;	/* default 60 s */
};

/* Per-port counters (read by the control socket). */
struct bip_counters {
	uint64_t	rx[BVLC_FUNCTION_COUNT];	/* valid, by function */
	uint64_t	tx[BVLC_FUNCTION_COUNT];	/* sent, by function */
	uint64_t	rx_bytes;
	uint64_t	tx_bytes;
	uint64_t	rx_malformed;	/* refused by the decoder */
	uint64_t	rx_unknown;	/* undefined BVLC function */
	uint64_t	rx_oversize;	/* datagram or NPDU too long */
	uint64_t	rx_own;		/* our own datagrams looping back */
	uint64_t	rx_dropped;	/* valid but not acted on */
	uint64_t	rx_delivered;	/* NPDUs handed to the router */
	uint64_t	naks_sent;	/* BVLC-Results other than 0 */
	uint64_t	tx_errors;	/* sendmsg failed */
	uint64_t	fdt_expired;	/* FDT entries purged */
	uint64_t	fd_registered;	/* FD: successful registrations */
	uint64_t	fd_refused;	/* FD: NAKs and time-outs */
};

struct bip_port;

/* Fill c with defaults (plain node, port 47808, broadcast socket on). */
void bip_port_config_init(struct bip_port_config *c);

/*
 * Create a port on base from cfg (borrowed; everything needed is copied):
 * check the config, find
 * the broadcast address, open and bind the sockets.  Return an owned port
 * (free with bip_port_free), or NULL with a message in err.
 */
struct bip_port *bip_port_new(struct event_base *base,
    const struct bip_port_config *cfg, char *err, size_t errlen);
/*
 * Start receiving and mark the link up (npdu_port_set_up).  A foreign
 * device instead sends its first registration and goes up when the BBMD
 * accepts it (down again if the registration lapses).  Install the
 * router's callbacks in bip_port_npdu(p)->user before.  Return 0 or -1.
 */
int bip_port_start(struct bip_port *p);
/* Close the sockets and free p; NULL is a no-op. */
void bip_port_free(struct bip_port *p);

/* The router's view of the port (owned by p). */
struct npdu_port *bip_port_npdu(struct bip_port *p);
const struct bip_counters *bip_port_counters(const struct bip_port *p);
/* Our B/IP address and the broadcast address in use. */
void bip_port_addr(const struct bip_port *p, struct bvlc_addr *self,
    struct bvlc_addr *bcast);
/* Foreign device: true while the BBMD holds our registration. */
bool bip_port_fd_registered(const struct bip_port *p);
/* BBMD: the node table (BDT/FDT), read-only. */
const struct bip_bbmd *bip_port_bbmd(const struct bip_port *p);

/*
 * BBMD: replace the BDT (SIGHUP reload; the FDT is kept).  Return 0, or
 * -1 (nothing changed) if the port is not a BBMD or n > BIP_BDT_MAX.
 */
int bip_port_set_bdt(struct bip_port *p, const struct bvlc_bdt_entry *bdt,
    size_t n);

/*
 * Send a raw BVLL message (already encoded) to dst; for tools and tests
 * (BBMD management requests).  Return 0 or -1.
 */
int bip_port_send_raw(struct bip_port *p, const struct bvlc_addr *dst,
    const uint8_t *msg, size_t len);

#endif
