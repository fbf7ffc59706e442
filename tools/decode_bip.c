/* BACnet/IP BVLL printer for bacsc-decode (--bip). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bip/bvlc_codec.h"
#include "lib/jsonw.h"
#include "tools/decode.h"

static const char *
result_name(uint16_t code)
{
	switch (code) {
	case BVLC_RC_OK:
		return "Successful completion";
	case BVLC_RC_WRITE_BDT_NAK:
		return "Write-Broadcast-Distribution-Table NAK";
	case BVLC_RC_READ_BDT_NAK:
		return "Read-Broadcast-Distribution-Table NAK";
	case BVLC_RC_REGISTER_FD_NAK:
		return "Register-Foreign-Device NAK";
	case BVLC_RC_READ_FDT_NAK:
		return "Read-Foreign-Device-Table NAK";
	case BVLC_RC_DELETE_FDT_NAK:
		return "Delete-Foreign-Device-Table-Entry NAK";
	case BVLC_RC_DISTRIBUTE_NAK:
		return "Distribute-Broadcast-To-Network NAK";
	}
	return "unknown";
}

static void
kv_addr(struct jw *w, const char *key, const struct bvlc_addr *a)
{
	char buf[32];

	jw_kv_str(w, key, bvlc_addr_fmt(a, buf, sizeof(buf)));
}

static void
kv_ip(struct jw *w, const char *key, uint32_t ip)
{
	char buf[20];

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", (unsigned)(ip >> 24),
	    (unsigned)(ip >> 16) & 0xff, (unsigned)(ip >> 8) & 0xff,
	    (unsigned)ip & 0xff);
	jw_kv_str(w, key, buf);
}

static void
print_lists(struct jw *w, const struct bvlc_msg *m)
{
	struct bvlc_bdt_entry b;
	struct bvlc_fdt_entry f;
	bool fdt = m->function == BVLC_READ_FDT_ACK;
	size_t i;

	jw_key(w, fdt ? "fdt" : "bdt");
	jw_arr_begin(w);
	for (i = 0; i < m->n_entries; i++) {
		jw_obj_begin(w);
		if (fdt) {
			bvlc_fdt_entry_get(m, i, &f);
			kv_addr(w, "addr", &f.addr);
			jw_kv_uint(w, "ttl", f.ttl);
			jw_kv_uint(w, "remaining", f.remaining);
		} else {
			bvlc_bdt_entry_get(m, i, &b);
			kv_addr(w, "addr", &b.addr);
			kv_ip(w, "mask", b.mask);
			jw_kv_bool(w, "two_hop", b.mask == 0xffffffffu);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/*
 * The NPDU inside: decoded when the NPDU codec takes it (tried in a
 * scratch buffer first, so a bad NPDU leaves no partial JSON), otherwise
 * its octets and why it was refused, at its offset in the datagram.
 */
static void
print_npdu(struct jw *w, const struct bvlc_msg *m, size_t npdu_off)
{
	struct decode_err e = { 0, "internal: no reason given" };
	size_t cap = 64 * m->npdu_len + 4096;
	char *scratch = malloc(cap);
	struct jw t;
	bool ok = false;

	jw_kv_hex(w, "npdu_hex", m->npdu, m->npdu_len, '\0');
	if (scratch != NULL) {
		jw_init_buf(&t, scratch, cap);
		ok = decode_npdu_json(&t, m->npdu, m->npdu_len, &e) == 0 &&
		    jw_finish(&t) == 0;
		free(scratch);
	}
	if (ok) {
		jw_key(w, "npdu");
		(void)decode_npdu_json(w, m->npdu, m->npdu_len, &e);
		return;
	}
	jw_key(w, "npdu_error");
	jw_obj_begin(w);
	jw_kv_uint(w, "offset", npdu_off + e.off);
	jw_kv_str(w, "why", e.why);
	jw_obj_end(w);
}

/* Where in the datagram a refused message went wrong (best effort). */
static size_t
error_offset(const uint8_t *buf, size_t len, enum codec_rc rc,
    const char *why)
{
	if (rc == CODEC_SHORT)
		return len;
	if (strncmp(why, "bad-type", 8) == 0)
		return 0;
	if (strncmp(why, "unknown-function", 16) == 0)
		return 1;
	if (strncmp(why, "bad-length: BVLC", 16) == 0)
		return 2;
	if (strncmp(why, "unexpected-data", 15) == 0)
		return buf[1] == BVLC_DELETE_FDT_ENTRY ? 10 :
		    buf[1] == BVLC_READ_BDT || buf[1] == BVLC_READ_FDT ? 4 : 6;
	if (strncmp(why, "truncated", 9) == 0)
		return len;
	return BVLC_HDR_LEN;	/* a list that is not whole entries */
}

int
decode_bip_json(struct jw *w, const uint8_t *buf, size_t len,
    struct decode_err *err)
{
	struct bvlc_msg m;
	const char *why = "internal: no reason given";
	enum codec_rc rc;

	rc = bvlc_decode(buf, len, &m, &why);
	if (rc != CODEC_OK) {
		err->off = error_offset(buf, len, rc, why);
		err->why = why;
		return -1;
	}
	jw_obj_begin(w);
	jw_kv_uint(w, "type", buf[0]);
	jw_kv_uint(w, "function", m.function);
	jw_kv_str(w, "function_name", bvlc_function_name(m.function));
	jw_kv_uint(w, "length", m.length);
	switch ((enum bvlc_function)m.function) {
	case BVLC_RESULT:
		jw_kv_uint(w, "result", m.result);
		jw_kv_str(w, "result_name", result_name(m.result));
		break;
	case BVLC_REGISTER_FD:
		jw_kv_uint(w, "ttl", m.ttl);
		break;
	case BVLC_READ_BDT:
	case BVLC_READ_FDT:
		break;
	case BVLC_WRITE_BDT:
	case BVLC_READ_BDT_ACK:
	case BVLC_READ_FDT_ACK:
		print_lists(w, &m);
		break;
	case BVLC_DELETE_FDT_ENTRY:
		kv_addr(w, "addr", &m.addr);
		break;
	case BVLC_FORWARDED_NPDU:
		kv_addr(w, "orig_addr", &m.addr);
		print_npdu(w, &m, BVLC_FWD_HDR_LEN);
		break;
	case BVLC_DISTRIBUTE_BCAST:
	case BVLC_ORIGINAL_UNICAST:
	case BVLC_ORIGINAL_BCAST:
		print_npdu(w, &m, BVLC_HDR_LEN);
		break;
	case BVLC_SECURE_BVLL:
		jw_kv_bool(w, "supported", false);
		jw_kv_hex(w, "body", m.body, m.body_len, '\0');
		break;
	}
	jw_obj_end(w);
	return 0;
}
