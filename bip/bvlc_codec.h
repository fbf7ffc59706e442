/*
 * BACnet/IP BVLL codec (Annex J, digest §3.2-3.3).  Pure: no I/O, no
 * clock, no logging.  The decoder borrows from the datagram: every pointer
 * in a struct bvlc_msg is valid while that buffer is.
 */
#ifndef BIP_BVLC_CODEC_H
#define BIP_BVLC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"
#include "lib/codec.h"

#define BVLC_TYPE_BIP		0x81
#define BVLC_HDR_LEN		4
#define BVLC_ADDR_LEN		6	/* IPv4 + UDP port: the B/IP MAC */
#define BVLC_ENTRY_LEN		10	/* one BDT or FDT entry */
#define BVLC_FWD_HDR_LEN	(BVLC_HDR_LEN + BVLC_ADDR_LEN)
#define BVLC_NPDU_MAX		1497	/* B/IP maximum NPDU (Table 6-1) */
#define BVLC_PORT_DEFAULT	47808	/* 0xBAC0 */
#define BVLC_FDT_GRACE_S	30	/* FDT purge: TTL + 30 s */

enum bvlc_function {
	BVLC_RESULT			= 0x00,
	BVLC_WRITE_BDT			= 0x01,
	BVLC_READ_BDT			= 0x02,
	BVLC_READ_BDT_ACK		= 0x03,
	BVLC_FORWARDED_NPDU		= 0x04,
	BVLC_REGISTER_FD		= 0x05,
	BVLC_READ_FDT			= 0x06,
	BVLC_READ_FDT_ACK		= 0x07,
	BVLC_DELETE_FDT_ENTRY		= 0x08,
	BVLC_DISTRIBUTE_BCAST		= 0x09,
	BVLC_ORIGINAL_UNICAST		= 0x0a,
	BVLC_ORIGINAL_BCAST		= 0x0b,
	BVLC_SECURE_BVLL		= 0x0c,
};
#define BVLC_FUNCTION_COUNT	13

/* BVLC-Result codes. */
enum bvlc_result_code {
	BVLC_RC_OK			= 0x0000,
	BVLC_RC_WRITE_BDT_NAK		= 0x0010,
	BVLC_RC_READ_BDT_NAK		= 0x0020,
	BVLC_RC_REGISTER_FD_NAK		= 0x0030,
	BVLC_RC_READ_FDT_NAK		= 0x0040,
	BVLC_RC_DELETE_FDT_NAK		= 0x0050,
	BVLC_RC_DISTRIBUTE_NAK		= 0x0060,
};

/* A B/IP address in host byte order (ip 0x7f000001 is 127.0.0.1). */
struct bvlc_addr {
	uint32_t	ip;
	uint16_t	port;
};

struct bvlc_bdt_entry {
	struct bvlc_addr	addr;
	uint32_t		mask;	/* host order; all ones: two-hop */
};

struct bvlc_fdt_entry {
	struct bvlc_addr	addr;
	uint16_t		ttl;		/* as registered, seconds */
	uint16_t		remaining;	/* seconds to purge, with grace */
};

/*
 * One decoded BVLL message.  Which fields mean something depends on
 * function; the rest are zero.  Valid while the input buffer is.
 */
struct bvlc_msg {
	uint8_t			 function;	/* enum bvlc_function */
	uint16_t		 length;	/* BVLC Length (= datagram) */
	uint16_t		 result;	/* BVLC_RESULT */
	uint16_t		 ttl;		/* BVLC_REGISTER_FD */
	struct bvlc_addr	 addr;		/* FORWARDED: original source;
						   DELETE_FDT_ENTRY: entry */
	const uint8_t		*npdu;		/* borrows: FORWARDED,
						   DISTRIBUTE, ORIGINAL_* */
	size_t			 npdu_len;
	const uint8_t		*entries;	/* borrows: BDT/FDT lists */
	size_t			 n_entries;	/* 10 octets each */
	const uint8_t		*body;		/* borrows: SECURE_BVLL body */
	size_t			 body_len;
};

/*
 * Decode one BVLL datagram of len octets.  Return CODEC_OK and fill *out;
 * CODEC_SHORT when fewer than 4 octets arrived; CODEC_MALFORMED when the
 * type is not 0x81, the Length field differs from len, a fixed field is
 * cut, a list is not a whole number of entries, or data follows a fixed
 * payload; CODEC_UNSUPPORTED for an undefined function.  On failure *why
 * (if why is not NULL) is set to a static text that starts with the error
 * class of tests/vectors/README.md ("bad-length: ...").  Secure-BVLL is
 * decoded (its body borrowed) so the caller can count and refuse it.
 */
enum codec_rc bvlc_decode(const uint8_t *buf, size_t len,
    struct bvlc_msg *out, const char **why);

/* Get entry i (< n_entries) of a decoded Read-/Write-BDT list. */
void bvlc_bdt_entry_get(const struct bvlc_msg *m, size_t i,
    struct bvlc_bdt_entry *out);
/* Get entry i (< n_entries) of a decoded Read-FDT-Ack list. */
void bvlc_fdt_entry_get(const struct bvlc_msg *m, size_t i,
    struct bvlc_fdt_entry *out);

/*
 * Encode m (as bvlc_decode fills it; length is recomputed) into w.  Return
 * 0, or -1 if w overflowed, the function is undefined, or the message
 * would be longer than 65535 octets.
 */
int bvlc_encode(struct wr *w, const struct bvlc_msg *m);

/* Encode a BVLC-Result with code. */
int bvlc_encode_result(struct wr *w, uint16_t code);
/* Encode a Register-Foreign-Device with ttl seconds. */
int bvlc_encode_register_fd(struct wr *w, uint16_t ttl);
/* Encode a Delete-Foreign-Device-Table-Entry for addr. */
int bvlc_encode_delete_fdt(struct wr *w, const struct bvlc_addr *addr);
/* Encode a Write-BDT or Read-BDT-Ack (function) listing n entries. */
int bvlc_encode_bdt(struct wr *w, uint8_t function,
    const struct bvlc_bdt_entry *e, size_t n);
/* Encode a Read-FDT-Ack listing n entries. */
int bvlc_encode_fdt_ack(struct wr *w, const struct bvlc_fdt_entry *e,
    size_t n);
/* Encode a header-only request (Read-BDT, Read-FDT). */
int bvlc_encode_empty(struct wr *w, uint8_t function);

/*
 * Encode only the header that goes in front of an NPDU of npdu_len octets
 * for function FORWARDED_NPDU (orig must then be given: 10 octets),
 * DISTRIBUTE_BCAST, ORIGINAL_UNICAST or ORIGINAL_BCAST (4 octets), so the
 * NPDU itself can be sent from where it lies.  Return -1 for any other
 * function, an empty NPDU, or a total above 65535.
 */
int bvlc_encode_npdu_hdr(struct wr *w, uint8_t function,
    const struct bvlc_addr *orig, size_t npdu_len);

/* Load/store a 6-octet B/IP address (IPv4 then port, big-endian). */
void bvlc_addr_load(const uint8_t *p, struct bvlc_addr *out);
void bvlc_addr_store(uint8_t *p, const struct bvlc_addr *a);
bool bvlc_addr_eq(const struct bvlc_addr *a, const struct bvlc_addr *b);
/* Write "a.b.c.d:port" into buf (at least 22 octets); return buf. */
char *bvlc_addr_fmt(const struct bvlc_addr *a, char *buf, size_t len);
/* Parse "a.b.c.d:port" or "a.b.c.d" (port = dflt); return 0 or -1. */
int bvlc_addr_parse(const char *s, uint16_t dflt, struct bvlc_addr *out);
/* Parse a dotted IPv4 address or mask into host order; 0 or -1. */
int bvlc_ip_parse(const char *s, uint32_t *out);

/* Name of a function ("Forwarded-NPDU"), or "unknown". */
const char *bvlc_function_name(uint8_t function);
/* True for functions that carry an NPDU. */
bool bvlc_function_has_npdu(uint8_t function);

#endif
