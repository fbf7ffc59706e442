/*
 * The port contract between the datalinks (bip/, sc/) and the router core
 * (router/).  A port is the router's view of one directly connected BACnet
 * network: a network number, a MAC length, a maximum NPDU length, and
 * operations to send an NPDU to one MAC or as a local broadcast.  The
 * router never sees UDP, BVLL, WebSockets or VMACs beyond their octets;
 * the datalinks never see routing.
 *
 * NPDUs cross the contract as two borrowed segments (a header the router
 * may have rewritten, and the untouched rest), so forwarding copies
 * nothing: the datalink writes its own header and both segments straight
 * into its output.
 */
#ifndef NPDU_PORT_H
#define NPDU_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NPDU_PORT_MAC_MAX	8	/* longest MAC a port may have */

/* An NPDU as two borrowed segments, sent back to back. */
struct npdu_iov {
	const uint8_t	*hdr;		/* borrows; may be NULL if hdr_len 0 */
	size_t		 hdr_len;
	const uint8_t	*body;		/* borrows; may be NULL if body_len 0 */
	size_t		 body_len;
};

/*
 * BVLC-SC data options that travelled with an NPDU: the encoded option
 * list as it was on the wire (opaque octets, possibly empty).  Non-SC
 * ports never produce them and ignore them on send.
 */
struct npdu_opts {
	const uint8_t	*data;		/* borrows */
	size_t		 len;
};

/* What a datalink hands up for each received NPDU (all fields borrowed). */
struct npdu_rx {
	const uint8_t	*src_mac;
	size_t		 src_mac_len;
	bool		 broadcast;	/* arrived as a local broadcast */
	const uint8_t	*npdu;
	size_t		 npdu_len;
	struct npdu_opts opts;
};

struct npdu_port;

/* Operations a datalink implements.  Each returns 0 or -1 (not sent). */
struct npdu_port_ops {
	int	(*send_unicast)(struct npdu_port *p, const uint8_t *mac,
		    size_t mac_len, const struct npdu_iov *npdu,
		    const struct npdu_opts *opts);
	int	(*send_broadcast)(struct npdu_port *p,
		    const struct npdu_iov *npdu, const struct npdu_opts *opts);
};

/* Callbacks the router installs; a datalink calls them. */
struct npdu_port_user {
	/* An NPDU arrived (everything in rx is borrowed for the call). */
	void	(*receive)(void *arg, struct npdu_port *p,
		    const struct npdu_rx *rx);
	/*
	 * The link came up or went down (for SC: the hub connection; for
	 * B/IP: the socket).  The router announces its routes on "up".
	 */
	void	(*link_changed)(void *arg, struct npdu_port *p, bool up);
	void	*arg;
};

struct npdu_port {
	const char			*name;		/* borrows; for logs */
	unsigned			 id;		/* router port id, 1.. */
	uint16_t			 net;		/* 0: not configured */
	uint8_t				 mac_len;	/* 6 for B/IP and SC */
	uint8_t				 mac[NPDU_PORT_MAC_MAX]; /* our MAC */
	size_t				 max_npdu;	/* largest NPDU sendable */
	bool				 up;
	const struct npdu_port_ops	*ops;		/* set by the datalink */
	void				*impl;		/* the datalink's */
	struct npdu_port_user		 user;		/* set by the router */
};

/* Helpers the datalinks call; each is a no-op when no router is attached. */
static inline void
npdu_port_deliver(struct npdu_port *p, const struct npdu_rx *rx)
{
	if (p->user.receive != NULL)
		p->user.receive(p->user.arg, p, rx);
}

static inline void
npdu_port_set_up(struct npdu_port *p, bool up)
{
	p->up = up;
	if (p->user.link_changed != NULL)
		p->user.link_changed(p->user.arg, p, up);
}

#endif
