/*
 * BVLC-SC message codec (ASHRAE 135 Annex AB; digest §1.3-1.8).  Pure: no
 * I/O, no clock, no logging.
 *
 * One BVLC-SC message is one WebSocket binary message: header (function,
 * control flags, message id, optional originating and destination VMACs,
 * optional destination-option and data-option lists) followed by the
 * payload, which runs to the end of the message.  Every multi-octet field
 * is big-endian.
 *
 * Decoding is zero-copy: option lists, payloads, error details, URIs and
 * proprietary data in a decoded message are views borrowed from the input
 * buffer and stay valid while it does.  Option lists are kept as their
 * encoded octets (opaque, exactly as received), so unknown option types
 * survive decode -> encode and relaying unchanged; walk them with
 * scm_opt_iter.
 *
 * Encoding can write only the header (scm_hdr_encode) so that a relay or a
 * sender can emit header and a borrowed payload as two segments.
 */
#ifndef SC_SCM_CODEC_H
#define SC_SCM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"
#include "lib/codec.h"
#include "npdu/port.h"
#include "sc/sc_vmac.h"

/* BVLC functions (Table AB-1). */
#define SCM_FN_RESULT			0x00
#define SCM_FN_ENCAP_NPDU		0x01
#define SCM_FN_ADDR_RES			0x02
#define SCM_FN_ADDR_RES_ACK		0x03
#define SCM_FN_ADVERT			0x04
#define SCM_FN_ADVERT_SOLICIT		0x05
#define SCM_FN_CONNECT_REQ		0x06
#define SCM_FN_CONNECT_ACCEPT		0x07
#define SCM_FN_DISCONNECT_REQ		0x08
#define SCM_FN_DISCONNECT_ACK		0x09
#define SCM_FN_HEARTBEAT_REQ		0x0a
#define SCM_FN_HEARTBEAT_ACK		0x0b
#define SCM_FN_PROPRIETARY		0x0c
#define SCM_FN_COUNT			13	/* 0x00..0x0c are known */

/* Control flags octet. */
#define SCM_CTL_RESERVED		0xf0
#define SCM_CTL_ORIG			0x08
#define SCM_CTL_DEST			0x04
#define SCM_CTL_DEST_OPTS		0x02
#define SCM_CTL_DATA_OPTS		0x01

/* Header marker of an option. */
#define SCM_OPT_MORE			0x80
#define SCM_OPT_MU			0x40	/* must understand */
#define SCM_OPT_DATA			0x20	/* length + data follow */
#define SCM_OPT_TYPE_MASK		0x1f
#define SCM_OPT_SECURE_PATH		1
#define SCM_OPT_PROPRIETARY		31

#define SCM_HDR_MIN			4	/* function, flags, msgid */
#define SCM_HDR_FIXED_MAX		16	/* ... plus both VMACs */
#define SCM_CONNECT_LEN			26	/* Connect-Request/Accept */
#define SCM_ADVERT_LEN			6
#define SCM_RESULT_ACK_LEN		2
#define SCM_RESULT_NAK_MIN		7
#define SCM_PROPRIETARY_MIN		3

/* BVLC-Result codes. */
#define SCM_RESULT_ACK			0
#define SCM_RESULT_NAK			1

/* Advertisement Hub Connection Status. */
#define SCM_HUB_NONE			0
#define SCM_HUB_PRIMARY			1
#define SCM_HUB_FAILOVER		2

/* Error classes and the error codes used in SC NAKs (digest §1.7.3). */
#define SCM_ERRCLASS_RESOURCES				3
#define SCM_ERRCLASS_COMMUNICATION			7
#define SCM_ERR_OTHER					0
#define SCM_ERR_INCONSISTENT_PARAMETERS			7
#define SCM_ERR_OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED	45
#define SCM_ERR_PARAMETER_OUT_OF_RANGE			80
#define SCM_ERR_OUT_OF_MEMORY				133
#define SCM_ERR_BVLC_FUNCTION_UNKNOWN			143
#define SCM_ERR_BVLC_PROPRIETARY_FUNCTION_UNKNOWN	144
#define SCM_ERR_HEADER_ENCODING_ERROR			145
#define SCM_ERR_HEADER_NOT_UNDERSTOOD			146
#define SCM_ERR_MESSAGE_INCOMPLETE			147
#define SCM_ERR_NOT_A_BACNET_SC_HUB			148
#define SCM_ERR_PAYLOAD_EXPECTED			149
#define SCM_ERR_UNEXPECTED_DATA				150
#define SCM_ERR_NODE_DUPLICATE_VMAC			151

/* An encoded header-option list, borrowed (may be empty). */
struct scm_optlist {
	const uint8_t	*data;		/* borrows; NULL allowed if len 0 */
	size_t		 len;
	unsigned	 count;		/* set by the decoder; encoders ignore */
};

/* One option, as produced by scm_opt_next (all pointers borrowed). */
struct scm_opt {
	uint8_t		 marker;	/* octet as on the wire */
	uint8_t		 type;		/* marker & SCM_OPT_TYPE_MASK */
	bool		 more;
	bool		 must_understand;
	bool		 has_data;
	const uint8_t	*data;		/* with has_data: Header Data */
	size_t		 data_len;
	/* Type 31 (proprietary) with at least 3 data octets: */
	uint16_t	 vendor;
	uint8_t		 ptype;
	const uint8_t	*pdata;
	size_t		 pdata_len;
};

struct scm_opt_iter {
	const uint8_t	*p;
	size_t		 left;
	bool		 done;
	bool		 error;		/* the list was malformed */
};

/*
 * The header of a message.  Decoded: valid while the input buffer is.
 * To encode, fill function, msgid, has_orig/orig, has_dest/dest and the
 * option lists; the flags octet is derived from them.
 */
struct scm_hdr {
	uint8_t		 function;
	uint8_t		 flags;		/* decoded: as on the wire */
	uint16_t	 msgid;
	bool		 has_orig;
	bool		 has_dest;
	uint8_t		 orig[SC_VMAC_LEN];
	uint8_t		 dest[SC_VMAC_LEN];
	struct scm_optlist dest_opts;
	struct scm_optlist data_opts;
	const uint8_t	*payload;	/* borrows; rest of the message */
	size_t		 payload_len;
	size_t		 hdr_len;	/* decoded: octets before payload */
};

/* BVLC-Result payload. */
struct scm_result {
	uint8_t		 result_for;	/* function being answered */
	uint8_t		 code;		/* SCM_RESULT_ACK or _NAK */
	/* NAK only: */
	uint8_t		 error_marker;
	uint16_t	 error_class;
	uint16_t	 error_code;
	const uint8_t	*details;	/* borrows; UTF-8, no NUL, no terminator */
	size_t		 details_len;
};

/* Connect-Request / Connect-Accept payload: the sender's identity. */
struct scm_connect {
	uint8_t		 vmac[SC_VMAC_LEN];
	uint8_t		 uuid[SC_UUID_LEN];
	uint16_t	 max_bvlc;
	uint16_t	 max_npdu;
};

/* Advertisement payload. */
struct scm_advert {
	uint8_t		 hub_status;	/* SCM_HUB_* */
	uint8_t		 accept_dc;	/* 0 or 1 */
	uint16_t	 max_bvlc;
	uint16_t	 max_npdu;
};

/* Proprietary-Message payload. */
struct scm_proprietary {
	uint16_t	 vendor;
	uint8_t		 function;
	const uint8_t	*data;		/* borrows */
	size_t		 data_len;
};

/* A whole message: header plus the decoded payload of hdr.function. */
struct scm_msg {
	struct scm_hdr	 hdr;
	union {
		struct scm_result	result;		/* 0x00 */
		struct scm_connect	connect;	/* 0x06, 0x07 */
		struct scm_advert	advert;		/* 0x04 */
		struct scm_proprietary	prop;		/* 0x0c */
	} u;
	/*
	 * Encapsulated-NPDU (the NPDU), Address-Resolution-ACK (the URI
	 * text) and the functions without payload use hdr.payload.
	 */
};

/*
 * Why a message was refused, and the NAK it deserves.  Written by the
 * decoders and checks below only when they fail.
 */
struct scm_fail {
	bool		 have_hdr;	/* function .. dest below are valid */
	uint8_t		 function;
	uint8_t		 flags;
	uint16_t	 msgid;
	bool		 has_orig;
	bool		 has_dest;
	uint8_t		 orig[SC_VMAC_LEN];
	uint8_t		 dest[SC_VMAC_LEN];
	bool		 have_error;	/* error_* below name a NAK reason */
	uint8_t		 error_marker;
	uint16_t	 error_class;
	uint16_t	 error_code;
	const char	*why;		/* fixed text for logs; never NULL */
	size_t		 off;		/* offset of the problem */
};

/* On which hop a message was received (digest §1.6). */
enum scm_hop {
	SCM_HOP_HUB_RX,		/* hub function, from a node's hub connector */
	SCM_HOP_FROM_HUB,	/* node's hub connector, from the hub */
	SCM_HOP_DIRECT,		/* either end of a direct connection */
};

/* Return a fixed name ("Encapsulated-NPDU"; "unknown" past 0x0c). */
const char *scm_function_name(uint8_t function);
/* Return a fixed lower-case name of an SC error code, or NULL. */
const char *scm_error_name(uint16_t code);
/* True for 0x00..0x0c. */
bool scm_function_is_known(uint8_t function);
/*
 * True for the connection-level functions 0x06..0x0b, which never carry
 * VMACs and are never relayed.
 */
bool scm_function_is_peer_only(uint8_t function);
/* True for BVLC-Result, Address-Resolution(-ACK) and Advertisement. */
bool scm_function_is_unicast_only(uint8_t function);
/* True if the function may carry data options (Encapsulated-NPDU only). */
bool scm_function_allows_data_opts(uint8_t function);
/*
 * True if the function is a request that may be answered with a NAK:
 * Encapsulated-NPDU, Address-Resolution, Advertisement-Solicitation,
 * Connect-Request, Disconnect-Request, Heartbeat-Request and every unknown
 * function (digest §1.7.1).
 */
bool scm_function_is_nak_eligible(uint8_t function);
/*
 * True if a message with this function and destination may be NAKed: an
 * eligible function sent unicast (dest absent, or not the broadcast VMAC).
 * dest is borrowed and only read when has_dest.
 */
bool scm_is_nak_eligible(uint8_t function, bool has_dest, const uint8_t *dest);

/* Start walking the encoded option list l (borrows l's octets). */
void scm_opt_iter_init(struct scm_opt_iter *it, const struct scm_optlist *l);
/*
 * Produce the next option into *out; return false at the end of the list,
 * or if the list is malformed (then it->error is set).  Lists from
 * scm_decode/scm_hdr_decode are always well formed.
 */
bool scm_opt_next(struct scm_opt_iter *it, struct scm_opt *out);
/* True if the (well-formed) list l holds an option of the given type. */
bool scm_optlist_has(const struct scm_optlist *l, uint8_t type);

/*
 * Data options cross the port contract (npdu/port.h) as opaque octets:
 * convert without copying (both borrow the same octets).  A list coming
 * back from the router should be checked with scm_optlist_check before it
 * is sent.
 */
static inline struct npdu_opts
scm_optlist_to_npdu(const struct scm_optlist *l)
{
	struct npdu_opts o = { l->data, l->len };

	return o;
}

static inline struct scm_optlist
scm_optlist_from_npdu(const struct npdu_opts *o)
{
	struct scm_optlist l = { o->data, o->len, 0 };

	return l;
}

/*
 * Check that buf[0..len) is exactly one well-formed option list: framing,
 * the More chain, Secure Path without data (and only in a data-option
 * list unless dest_list is false), proprietary options with at least 3
 * data octets.  Unknown types are accepted.  Return CODEC_OK with *count
 * (if not NULL) set, CODEC_SHORT if it ends inside an option or with More
 * set, CODEC_MALFORMED otherwise.
 */
enum codec_rc scm_optlist_check(const uint8_t *buf, size_t len,
    bool dest_list, unsigned *count);
/*
 * Append one option to w: the marker is built from o->type,
 * o->must_understand, o->has_data and more (o->marker and o->more are
 * ignored); with has_data, a 2-octet length and o->data follow.  Return 0,
 * or -1 if the option is invalid (type 0 or > 31, data longer than 65535)
 * or w overflowed.
 */
int scm_opt_encode(struct wr *w, const struct scm_opt *o, bool more);

/*
 * Decode the header of the message buf[0..len) into *out (the payload is
 * left as a view).  Checks framing, option lists and reserved control bits
 * but not the function or its rules.  Return CODEC_OK; or CODEC_SHORT /
 * CODEC_MALFORMED with *fail (if not NULL) filled.  A message shorter
 * than 4 octets is CODEC_SHORT with fail->have_hdr false (drop, no NAK).
 */
enum codec_rc scm_hdr_decode(const uint8_t *buf, size_t len,
    struct scm_hdr *out, struct scm_fail *fail);

/*
 * Decode a whole message: the header as scm_hdr_decode, then the rules of
 * its function (VMACs on connection-level functions, data options,
 * broadcast on unicast-only functions) and its payload.  Return CODEC_OK;
 * CODEC_SHORT (a fixed field cut short: MESSAGE_INCOMPLETE), CODEC_MALFORMED
 * or CODEC_UNSUPPORTED (unknown function: BVLC_FUNCTION_UNKNOWN), each with
 * *fail (if not NULL) naming the NAK.  Whether to send that NAK is
 * scm_fail_wants_nak's answer.  The hop rules are scm_check_hop's.
 */
enum codec_rc scm_decode(const uint8_t *buf, size_t len, struct scm_msg *out,
    struct scm_fail *fail);

/*
 * Check the VMAC presence rules of the hop the message h arrived on
 * (digest §1.6; connection-level functions are checked by scm_decode).
 * Return 0, or -1 with *fail (if not NULL) set to HEADER_ENCODING_ERROR.
 */
int scm_check_hop(const struct scm_hdr *h, enum scm_hop hop,
    struct scm_fail *fail);

/* Called for each must-understand destination option; true = understood. */
typedef bool scm_opt_known_fn(const struct scm_opt *o, void *arg);
/*
 * Check the destination options of h as its destination node (the hub
 * does not): an option with Must Understand that known (may be NULL:
 * nothing is understood) rejects makes the message unusable.  Return 0, or
 * -1 with *fail (if not NULL) set to HEADER_NOT_UNDERSTOOD and the
 * option's marker octet as received.
 */
int scm_check_dest_opts(const struct scm_hdr *h, scm_opt_known_fn *known,
    void *arg, struct scm_fail *fail);

/*
 * Fill *fail for a refusal decided outside the codec (e.g. duplicate
 * VMAC, Address-Resolution not supported): header facts from h, the given
 * class, code and marker.
 */
void scm_fail_set(struct scm_fail *fail, const struct scm_hdr *h,
    uint16_t error_class, uint16_t error_code, uint8_t marker,
    const char *why);
/* True if the refused message deserves a NAK (digest §1.7.1). */
bool scm_fail_wants_nak(const struct scm_fail *fail);
/*
 * Write the NAK for fail: BVLC-Result with the refused function and
 * message id, the error marker, class and code, details (borrowed, may be
 * NULL/0), and as Destination VMAC the refused message's Originating VMAC
 * if it had one and is not a connection-level message (otherwise no
 * VMACs).  The NAK echoes the refused
 * message's id.  Return 0, or -1 if no NAK is due (scm_fail_wants_nak) or
 * w overflowed.
 */
int scm_encode_nak(struct wr *w, const struct scm_fail *fail,
    const uint8_t *details, size_t details_len);
/*
 * Fill *out with the NAK scm_encode_nak would write (whether or not one is
 * due); details is borrowed.
 */
void scm_nak_msg(const struct scm_fail *fail, const uint8_t *details,
    size_t details_len, struct scm_msg *out);

/*
 * Write the header h (flags derived from has_orig, has_dest and non-empty
 * option lists; option octets copied as given) but not the payload.
 * Return 0, or -1 if an option list is not well formed (scm_optlist_check)
 * or w overflowed.
 */
int scm_hdr_encode(struct wr *w, const struct scm_hdr *h);
/* Octets scm_hdr_encode would write for h. */
size_t scm_hdr_len(const struct scm_hdr *h);

/*
 * Payload encoders: append the payload only.  Return 0, or -1 on an
 * invalid value (result code other than ACK/NAK, hub status > 2, accept_dc
 * > 1, NUL in NAK details) or overflow.
 */
int scm_result_encode(struct wr *w, const struct scm_result *r);
int scm_connect_encode(struct wr *w, const struct scm_connect *c);
int scm_advert_encode(struct wr *w, const struct scm_advert *a);
int scm_proprietary_encode(struct wr *w, const struct scm_proprietary *p);

/*
 * Write a whole message: the header, then the payload of m->hdr.function
 * from m->u (Result, Connect-Request/Accept, Advertisement, Proprietary)
 * or from m->hdr.payload (every other function).  Return 0 or -1.
 */
int scm_msg_encode(struct wr *w, const struct scm_msg *m);

/*
 * Rewrite the header of a message a hub function received from the node
 * with VMAC sender, for relaying (digest §1.12): Originating VMAC =
 * sender; Destination VMAC removed for unicast, kept for broadcast.
 * Everything else (function, msgid, options, payload view) is copied.
 * in and out may be the same.
 */
void scm_hdr_relay(const struct scm_hdr *in, const uint8_t *sender,
    struct scm_hdr *out);

/*
 * Walk the URIs of an Address-Resolution-ACK payload (text separated by
 * single spaces; empty items are skipped).  *pos starts at 0.  Return
 * true with *uri and *uri_len (borrowed from payload) set, or false at
 * the end.
 */
bool scm_uri_next(const uint8_t *payload, size_t len, size_t *pos,
    const uint8_t **uri, size_t *uri_len);

#endif
