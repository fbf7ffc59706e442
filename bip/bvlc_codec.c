/* BACnet/IP BVLL codec (Annex J).  Pure. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bip/bvlc_codec.h"

static const char *const bvlc_names[BVLC_FUNCTION_COUNT] = {
	"BVLC-Result",
	"Write-Broadcast-Distribution-Table",
	"Read-Broadcast-Distribution-Table",
	"Read-Broadcast-Distribution-Table-Ack",
	"Forwarded-NPDU",
	"Register-Foreign-Device",
	"Read-Foreign-Device-Table",
	"Read-Foreign-Device-Table-Ack",
	"Delete-Foreign-Device-Table-Entry",
	"Distribute-Broadcast-To-Network",
	"Original-Unicast-NPDU",
	"Original-Broadcast-NPDU",
	"Secure-BVLL",
};

const char *
bvlc_function_name(uint8_t function)
{
	if (function >= BVLC_FUNCTION_COUNT)
		return "unknown";
	return bvlc_names[function];
}

bool
bvlc_function_has_npdu(uint8_t function)
{
	return function == BVLC_FORWARDED_NPDU ||
	    function == BVLC_DISTRIBUTE_BCAST ||
	    function == BVLC_ORIGINAL_UNICAST ||
	    function == BVLC_ORIGINAL_BCAST;
}

void
bvlc_addr_load(const uint8_t *p, struct bvlc_addr *out)
{
	out->ip = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	out->port = be16_load(p + 4);
}

void
bvlc_addr_store(uint8_t *p, const struct bvlc_addr *a)
{
	p[0] = (uint8_t)(a->ip >> 24);
	p[1] = (uint8_t)(a->ip >> 16);
	p[2] = (uint8_t)(a->ip >> 8);
	p[3] = (uint8_t)a->ip;
	be16_store(p + 4, a->port);
}

bool
bvlc_addr_eq(const struct bvlc_addr *a, const struct bvlc_addr *b)
{
	return a->ip == b->ip && a->port == b->port;
}

char *
bvlc_addr_fmt(const struct bvlc_addr *a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u:%u", (unsigned)(a->ip >> 24),
	    (unsigned)(a->ip >> 16) & 0xff, (unsigned)(a->ip >> 8) & 0xff,
	    (unsigned)a->ip & 0xff, (unsigned)a->port);
	return buf;
}

/* Parse one decimal number of at most max at *s; advance *s. */
static int
parse_dec(const char **s, unsigned long max, unsigned long *out)
{
	const char *p = *s;
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
		p++;
	}
	*s = p;
	*out = v;
	return 0;
}

static int
parse_ip(const char **s, uint32_t *out)
{
	uint32_t ip = 0;
	unsigned long v;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (**s != '.')
				return -1;
			(*s)++;
		}
		if (parse_dec(s, 255, &v) != 0)
			return -1;
		ip = ip << 8 | (uint32_t)v;
	}
	*out = ip;
	return 0;
}

int
bvlc_ip_parse(const char *s, uint32_t *out)
{
	uint32_t ip;

	if (parse_ip(&s, &ip) != 0 || *s != '\0')
		return -1;
	*out = ip;
	return 0;
}

int
bvlc_addr_parse(const char *s, uint16_t dflt, struct bvlc_addr *out)
{
	uint32_t ip;
	unsigned long port = dflt;

	if (parse_ip(&s, &ip) != 0)
		return -1;
	if (*s == ':') {
		s++;
		if (parse_dec(&s, 65535, &port) != 0 || port == 0)
			return -1;
	}
	if (*s != '\0')
		return -1;
	out->ip = ip;
	out->port = (uint16_t)port;
	return 0;
}

/* The NPDU is the rest of the datagram; it may not be empty. */
static enum codec_rc
decode_npdu(struct rd *r, struct bvlc_msg *m, const char **why)
{
	if (r->left == 0) {
		*why = "truncated: no NPDU";
		return CODEC_MALFORMED;
	}
	m->npdu = r->p;
	m->npdu_len = r->left;
	rd_skip(r, r->left);
	return CODEC_OK;
}

/* Decode the function-specific data of m from r (the rest of the datagram). */
static enum codec_rc
decode_payload(struct rd *r, struct bvlc_msg *m, const char **why)
{
	const uint8_t *p;

	switch ((enum bvlc_function)m->function) {
	case BVLC_RESULT:
		if (rd_u16(r, &m->result) != 0)
			goto truncated;
		break;
	case BVLC_REGISTER_FD:
		if (rd_u16(r, &m->ttl) != 0)
			goto truncated;
		break;
	case BVLC_READ_BDT:
	case BVLC_READ_FDT:
		break;
	case BVLC_DELETE_FDT_ENTRY:
		if (rd_view(r, &p, BVLC_ADDR_LEN) != 0)
			goto truncated;
		bvlc_addr_load(p, &m->addr);
		break;
	case BVLC_WRITE_BDT:
	case BVLC_READ_BDT_ACK:
	case BVLC_READ_FDT_ACK:
		if (r->left % BVLC_ENTRY_LEN != 0) {
			*why = "bad-length: list is not a whole number of "
			    "10-octet entries";
			return CODEC_MALFORMED;
		}
		m->n_entries = r->left / BVLC_ENTRY_LEN;
		m->entries = m->n_entries > 0 ? r->p : NULL;
		rd_skip(r, r->left);
		break;
	case BVLC_FORWARDED_NPDU:
		if (rd_view(r, &p, BVLC_ADDR_LEN) != 0)
			goto truncated;
		bvlc_addr_load(p, &m->addr);
		return decode_npdu(r, m, why);
	case BVLC_DISTRIBUTE_BCAST:
	case BVLC_ORIGINAL_UNICAST:
	case BVLC_ORIGINAL_BCAST:
		return decode_npdu(r, m, why);
	case BVLC_SECURE_BVLL:
		m->body = r->left > 0 ? r->p : NULL;
		m->body_len = r->left;
		rd_skip(r, r->left);
		break;
	}
	if (r->left != 0) {
		*why = "unexpected-data: data after the fixed payload";
		return CODEC_MALFORMED;
	}
	return CODEC_OK;
truncated:
	*why = "truncated: the datagram ends inside a field";
	return CODEC_MALFORMED;
}

enum codec_rc
bvlc_decode(const uint8_t *buf, size_t len, struct bvlc_msg *out,
    const char **why)
{
	struct bvlc_msg m;
	struct rd r;
	uint8_t type;
	const char *dummy;
	enum codec_rc rc;

	if (why == NULL)
		why = &dummy;
	memset(&m, 0, sizeof(m));
	if (len < BVLC_HDR_LEN) {
		*why = "truncated: shorter than the 4-octet BVLL header";
		return CODEC_SHORT;
	}
	rd_init(&r, buf, len);
	(void)rd_u8(&r, &type);
	(void)rd_u8(&r, &m.function);
	(void)rd_u16(&r, &m.length);
	if (type != BVLC_TYPE_BIP) {
		*why = "bad-type: BVLC type is not 0x81";
		return CODEC_MALFORMED;
	}
	if (m.length != len) {
		*why = "bad-length: BVLC Length differs from the datagram";
		return CODEC_MALFORMED;
	}
	if (m.function >= BVLC_FUNCTION_COUNT) {
		*why = "unknown-function: undefined BVLC function";
		return CODEC_UNSUPPORTED;
	}
	rc = decode_payload(&r, &m, why);
	if (rc != CODEC_OK)
		return rc;
	*out = m;
	return CODEC_OK;
}

void
bvlc_bdt_entry_get(const struct bvlc_msg *m, size_t i,
    struct bvlc_bdt_entry *out)
{
	const uint8_t *p = m->entries + i * BVLC_ENTRY_LEN;

	bvlc_addr_load(p, &out->addr);
	out->mask = (uint32_t)p[6] << 24 | (uint32_t)p[7] << 16 |
	    (uint32_t)p[8] << 8 | p[9];
}

void
bvlc_fdt_entry_get(const struct bvlc_msg *m, size_t i,
    struct bvlc_fdt_entry *out)
{
	const uint8_t *p = m->entries + i * BVLC_ENTRY_LEN;

	bvlc_addr_load(p, &out->addr);
	out->ttl = be16_load(p + 6);
	out->remaining = be16_load(p + 8);
}

/* Write the 4-octet header for a message of total octets. */
static int
put_hdr(struct wr *w, uint8_t function, size_t total)
{
	if (total > 0xffff)
		return -1;
	wr_u8(w, BVLC_TYPE_BIP);
	wr_u8(w, function);
	wr_u16(w, (uint16_t)total);
	return 0;
}

static void
put_addr(struct wr *w, const struct bvlc_addr *a)
{
	uint8_t b[BVLC_ADDR_LEN];

	bvlc_addr_store(b, a);
	wr_bytes(w, b, sizeof(b));
}

int
bvlc_encode(struct wr *w, const struct bvlc_msg *m)
{
	size_t n;

	switch ((enum bvlc_function)m->function) {
	case BVLC_RESULT:
		return bvlc_encode_result(w, m->result);
	case BVLC_REGISTER_FD:
		return bvlc_encode_register_fd(w, m->ttl);
	case BVLC_READ_BDT:
	case BVLC_READ_FDT:
		return bvlc_encode_empty(w, m->function);
	case BVLC_DELETE_FDT_ENTRY:
		return bvlc_encode_delete_fdt(w, &m->addr);
	case BVLC_WRITE_BDT:
	case BVLC_READ_BDT_ACK:
	case BVLC_READ_FDT_ACK:
		n = m->n_entries * BVLC_ENTRY_LEN;
		if (put_hdr(w, m->function, BVLC_HDR_LEN + n) != 0)
			return -1;
		if (n > 0)
			wr_bytes(w, m->entries, n);
		return wr_status(w);
	case BVLC_FORWARDED_NPDU:
	case BVLC_DISTRIBUTE_BCAST:
	case BVLC_ORIGINAL_UNICAST:
	case BVLC_ORIGINAL_BCAST:
		if (bvlc_encode_npdu_hdr(w, m->function, &m->addr,
		    m->npdu_len) != 0)
			return -1;
		wr_bytes(w, m->npdu, m->npdu_len);
		return wr_status(w);
	case BVLC_SECURE_BVLL:
		if (put_hdr(w, m->function, BVLC_HDR_LEN + m->body_len) != 0)
			return -1;
		if (m->body_len > 0)
			wr_bytes(w, m->body, m->body_len);
		return wr_status(w);
	}
	return -1;
}

int
bvlc_encode_result(struct wr *w, uint16_t code)
{
	(void)put_hdr(w, BVLC_RESULT, BVLC_HDR_LEN + 2);
	wr_u16(w, code);
	return wr_status(w);
}

int
bvlc_encode_register_fd(struct wr *w, uint16_t ttl)
{
	(void)put_hdr(w, BVLC_REGISTER_FD, BVLC_HDR_LEN + 2);
	wr_u16(w, ttl);
	return wr_status(w);
}

int
bvlc_encode_delete_fdt(struct wr *w, const struct bvlc_addr *addr)
{
	(void)put_hdr(w, BVLC_DELETE_FDT_ENTRY, BVLC_HDR_LEN + BVLC_ADDR_LEN);
	put_addr(w, addr);
	return wr_status(w);
}

int
bvlc_encode_empty(struct wr *w, uint8_t function)
{
	if (function != BVLC_READ_BDT && function != BVLC_READ_FDT)
		return -1;
	(void)put_hdr(w, function, BVLC_HDR_LEN);
	return wr_status(w);
}

int
bvlc_encode_bdt(struct wr *w, uint8_t function,
    const struct bvlc_bdt_entry *e, size_t n)
{
	size_t i;

	if (function != BVLC_WRITE_BDT && function != BVLC_READ_BDT_ACK)
		return -1;
	if (n > (0xffff - BVLC_HDR_LEN) / BVLC_ENTRY_LEN)
		return -1;
	(void)put_hdr(w, function, BVLC_HDR_LEN + n * BVLC_ENTRY_LEN);
	for (i = 0; i < n; i++) {
		put_addr(w, &e[i].addr);
		wr_u32(w, e[i].mask);
	}
	return wr_status(w);
}

int
bvlc_encode_fdt_ack(struct wr *w, const struct bvlc_fdt_entry *e, size_t n)
{
	size_t i;

	if (n > (0xffff - BVLC_HDR_LEN) / BVLC_ENTRY_LEN)
		return -1;
	(void)put_hdr(w, BVLC_READ_FDT_ACK, BVLC_HDR_LEN + n * BVLC_ENTRY_LEN);
	for (i = 0; i < n; i++) {
		put_addr(w, &e[i].addr);
		wr_u16(w, e[i].ttl);
		wr_u16(w, e[i].remaining);
	}
	return wr_status(w);
}

int
bvlc_encode_npdu_hdr(struct wr *w, uint8_t function,
    const struct bvlc_addr *orig, size_t npdu_len)
{
	size_t hl;

	if (!bvlc_function_has_npdu(function) || npdu_len == 0)
		return -1;
	hl = function == BVLC_FORWARDED_NPDU ? BVLC_FWD_HDR_LEN : BVLC_HDR_LEN;
	if (function == BVLC_FORWARDED_NPDU && orig == NULL)
		return -1;
	if (npdu_len > 0xffff - hl)
		return -1;
	(void)put_hdr(w, function, hl + npdu_len);
	if (function == BVLC_FORWARDED_NPDU)
		put_addr(w, orig);
	return wr_status(w);
}
