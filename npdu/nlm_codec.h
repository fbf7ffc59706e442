/*
 * Network-layer message codecs (clause 6.4): the body that follows the
 * message type (and vendor ID) of an NPDU with control bit 7 set.
 * Pure: no I/O, no clock, no logging.  Decoders borrow from the input
 * buffer: every pointer in a decoded message is valid while it is.
 *
 * Network numbers inside bodies are reported as they are on the wire (not
 * range-checked): whether 0 or 0xFFFF in an I-Am-Router list means
 * anything is the router's decision.
 */
#ifndef NPDU_NLM_CODEC_H
#define NPDU_NLM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"
#include "lib/codec.h"
#include "npdu/npdu_codec.h"

/* Network-Number-Is flag values (6.4.20). */
#define NLM_NETNUM_LEARNED	0
#define NLM_NETNUM_CONFIGURED	1

/*
 * A list of network numbers (I-Am-Router, Router-Busy, Router-Available).
 * Decoded lists point into the message (raw: count big-endian pairs);
 * a caller building a message sets host instead and leaves raw NULL.
 */
struct nlm_nets {
	const uint8_t	*raw;		/* borrows; count * 2 octets */
	const uint16_t	*host;		/* borrows; used when raw is NULL */
	size_t		 count;
};

/* One Initialize-Routing-Table(-Ack) entry. */
struct nlm_port {
	uint16_t	 net;		/* connected DNET */
	uint8_t		 id;		/* port ID */
	uint8_t		 info_len;
	const uint8_t	*info;		/* borrows; info_len octets */
};

/*
 * The entries of an Initialize-Routing-Table(-Ack).  Decoded lists point
 * into the message (raw: raw_len octets of already validated entries);
 * a caller building a message sets host instead and leaves raw NULL.
 * count 0 with Initialize-Routing-Table is a query.
 */
struct nlm_ports {
	const uint8_t		*raw;		/* borrows */
	size_t			 raw_len;
	const struct nlm_port	*host;		/* borrows; when raw is NULL */
	size_t			 count;		/* at most 255 */
};

/* Iterator over a struct nlm_ports (either form). */
struct nlm_port_iter {
	const struct nlm_ports	*ports;		/* borrows */
	size_t			 i;
	size_t			 off;
};

struct nlm_who_is_router {
	bool		 has_net;	/* false: all networks */
	uint16_t	 net;
};

struct nlm_could_be_router {
	uint16_t	 net;
	uint8_t		 perf;		/* performance index; lower = better */
};

struct nlm_reject {
	uint8_t		 reason;	/* enum npdu_reject_reason; any value kept */
	uint16_t	 net;
};

struct nlm_establish {
	uint16_t	 net;
	uint8_t		 ttime;		/* termination time, s; 0 = permanent */
};

struct nlm_disconnect {
	uint16_t	 net;
};

struct nlm_netnum_is {
	uint16_t	 net;
	uint8_t		 flag;		/* NLM_NETNUM_LEARNED / _CONFIGURED */
};

/* Proprietary message (type >= 0x80): vendor ID from the NPCI, raw data. */
struct nlm_proprietary {
	uint16_t	 vendor_id;
	const uint8_t	*data;		/* borrows */
	size_t		 len;
};

/* A decoded (or to-be-encoded) message; type selects the union member. */
struct nlm_msg {
	uint8_t		 type;		/* enum npdu_nl_type or >= 0x80 */
	union {
		struct nlm_who_is_router	who_is_router;	/* 0x00 */
		struct nlm_nets			nets;		/* 0x01 0x04 0x05 */
		struct nlm_could_be_router	could_be_router; /* 0x02 */
		struct nlm_reject		reject;		/* 0x03 */
		struct nlm_ports		ports;		/* 0x06 0x07 */
		struct nlm_establish		establish;	/* 0x08 */
		struct nlm_disconnect		disconnect;	/* 0x09 */
		struct nlm_netnum_is		netnum_is;	/* 0x13 */
		struct nlm_proprietary		prop;		/* >= 0x80 */
	} u;				/* 0x12 What-Is-Network-Number: none */
};

/*
 * Decode the body of the network-layer message in v (a view from
 * npdu_decode with is_nl_msg set; borrows v's buffer).  Return CODEC_OK and
 * fill *out; CODEC_UNSUPPORTED for a well-formed NPDU whose type this codec
 * does not know (clause 24 security types 0x0A-0x11, reserved 0x14-0x7F: a
 * router answers a unicast one with Reject reason 3); CODEC_SHORT when the
 * body ends inside a fixed field or before an announced entry;
 * CODEC_MALFORMED otherwise (a length that runs past the end, a list that
 * is not a multiple of its entry size, octets after the fixed layout, a
 * Network-Number-Is flag above 1, or v not a network-layer message).
 * *why (if not NULL) then starts with the error class of
 * tests/vectors/README.md ("truncated", "bad-length", "unexpected-data",
 * "out-of-range", "unsupported") and ": "; *err_off (if not NULL) is the
 * offset in the NPDU.  *out is written only on CODEC_OK.
 */
enum codec_rc nlm_decode(const struct npdu_view *v, struct nlm_msg *out,
    const char **why, size_t *err_off);

/* Return true if this codec decodes and encodes messages of type t. */
bool nlm_type_is_known(uint8_t t);

/* Return entry i (< l->count) of a network list. */
uint16_t nlm_nets_at(const struct nlm_nets *l, size_t i);

/* Iterate over the entries of p (borrows p). */
void nlm_port_iter_init(struct nlm_port_iter *it, const struct nlm_ports *p);
/* Fill *out with the next entry and return true, or return false at end. */
bool nlm_port_iter_next(struct nlm_port_iter *it, struct nlm_port *out);

/*
 * Write the body of m (everything after the message type and vendor ID).
 * Return 0, or -1 if m->type is not known, m is invalid (a list without
 * entries pointer, more than 255 ports, info without pointer, a flag above
 * 1) or w overflowed.
 */
int nlm_encode_body(struct wr *w, const struct nlm_msg *m);

/*
 * Write a complete NPDU: the header hdr (borrows; its is_nl_msg, nl_type,
 * vendor_id and payload are ignored and taken from m) and m's body.
 * Return 0 or -1 (see npdu_encode_header and nlm_encode_body).
 */
int nlm_encode(struct wr *w, const struct npdu_view *hdr,
    const struct nlm_msg *m);

/* Return a fixed name for message type t ("Who-Is-Router-To-Network"). */
const char *nlm_type_name(uint8_t t);
/* Return a fixed name for a Reject reason ("other", "no-route", ...). */
const char *nlm_reject_reason_name(uint8_t reason);

#endif
