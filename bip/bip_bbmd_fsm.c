/* B/IP node, BBMD and FDT logic (digest §3.4-3.6).  Pure. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bip/bip_bbmd_fsm.h"

#define US_PER_S	1000000u

void
bip_bdt_fwd_addr(const struct bvlc_bdt_entry *e, struct bvlc_addr *out)
{
	out->ip = e->addr.ip | ~e->mask;
	out->port = e->addr.port;
}

bool
bip_bbmd_is_self(const struct bip_bbmd *b, const struct bvlc_addr *a)
{
	if (bvlc_addr_eq(a, &b->self))
		return true;
	return b->has_global && bvlc_addr_eq(a, &b->global);
}

static void
find_own_entry(struct bip_bbmd *b)
{
	size_t i;

	b->own_entry = -1;
	for (i = 0; i < b->n_bdt; i++) {
		if (bip_bbmd_is_self(b, &b->bdt[i].addr)) {
			b->own_entry = (int)i;
			return;
		}
	}
}

int
bip_bbmd_init(struct bip_bbmd *b, const struct bip_bbmd_config *cfg)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->own_entry = -1;
	if (cfg->n_bdt > BIP_BDT_MAX || cfg->fdt_max > BIP_FDT_MAX_LIMIT)
		return -1;
	if (cfg->self.ip == 0 || cfg->self.port == 0)
		return -1;
	if (cfg->n_bdt > 0 && cfg->bdt == NULL)
		return -1;
	ratelim_init(&b->table_rl, BIP_TABLE_READ_BURST,
	    BIP_TABLE_READ_EVERY_US);
	b->mode = cfg->mode;
	b->self = cfg->self;
	b->has_global = cfg->has_global;
	b->global = cfg->global;
	b->accept_fd = cfg->accept_fd;
	b->n_bdt = cfg->n_bdt;
	for (i = 0; i < cfg->n_bdt; i++)
		b->bdt[i] = cfg->bdt[i];
	find_own_entry(b);
	b->fdt_max = cfg->fdt_max;
	b->fdt_per_ip = cfg->fdt_per_ip;
	if (b->fdt_max > 0) {
		b->fdt = calloc(b->fdt_max, sizeof(*b->fdt));
		if (b->fdt == NULL)
			goto fail;
	}
	/* room for the largest BDT a reload may bring */
	b->dests_cap = (b->mode == BIP_MODE_BBMD ? BIP_BDT_MAX : b->n_bdt) +
	    b->fdt_max;
	if (b->dests_cap > 0) {
		b->dests = calloc(b->dests_cap, sizeof(*b->dests));
		if (b->dests == NULL)
			goto fail;
	}
	return 0;
fail:
	bip_bbmd_fini(b);
	return -1;
}

int
bip_bbmd_set_bdt(struct bip_bbmd *b, const struct bvlc_bdt_entry *bdt,
    size_t n)
{
	size_t i;

	if (n > BIP_BDT_MAX || n + b->fdt_max > b->dests_cap ||
	    (n > 0 && bdt == NULL))
		return -1;
	for (i = 0; i < n; i++)
		b->bdt[i] = bdt[i];
	b->n_bdt = n;
	find_own_entry(b);
	return 0;
}

void
bip_bbmd_fini(struct bip_bbmd *b)
{
	free(b->fdt);
	b->fdt = NULL;
	free(b->dests);
	b->dests = NULL;
	b->n_fdt = 0;
	b->fdt_max = 0;
	b->dests_cap = 0;
}

size_t
bip_bbmd_expire(struct bip_bbmd *b, uint64_t now_us)
{
	size_t i = 0, dropped = 0;

	while (i < b->n_fdt) {
		if (now_us >= b->fdt[i].expires_us) {
			b->fdt[i] = b->fdt[b->n_fdt - 1];
			b->n_fdt--;
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

uint64_t
bip_bbmd_next_expiry(const struct bip_bbmd *b)
{
	uint64_t t = UINT64_MAX;
	size_t i;

	for (i = 0; i < b->n_fdt; i++)
		if (b->fdt[i].expires_us < t)
			t = b->fdt[i].expires_us;
	return t;
}

static struct bip_fdt_slot *
fdt_lookup(const struct bip_bbmd *b, const struct bvlc_addr *a)
{
	size_t i;

	for (i = 0; i < b->n_fdt; i++)
		if (bvlc_addr_eq(&b->fdt[i].addr, a))
			return &b->fdt[i];
	return NULL;
}

const struct bip_fdt_slot *
bip_bbmd_fdt_find(const struct bip_bbmd *b, const struct bvlc_addr *a)
{
	return fdt_lookup(b, a);
}

static bool
bdt_has(const struct bip_bbmd *b, const struct bvlc_addr *a)
{
	size_t i;

	for (i = 0; i < b->n_bdt; i++)
		if (bvlc_addr_eq(&b->bdt[i].addr, a))
			return true;
	return false;
}

static void
add_dest(struct bip_bbmd *b, struct bip_bbmd_out *out,
    const struct bvlc_addr *a)
{
	if (out->n_dests < b->dests_cap)
		b->dests[out->n_dests++] = *a;
}

/* Every BDT peer's forwarding address, our own entry left out. */
static void
add_bdt_peers(struct bip_bbmd *b, struct bip_bbmd_out *out)
{
	struct bvlc_addr fa;
	size_t i;

	for (i = 0; i < b->n_bdt; i++) {
		if ((int)i == b->own_entry ||
		    bip_bbmd_is_self(b, &b->bdt[i].addr))
			continue;
		bip_bdt_fwd_addr(&b->bdt[i], &fa);
		add_dest(b, out, &fa);
	}
}

/* Every registered foreign device except skip (may be NULL). */
static void
add_fds(struct bip_bbmd *b, struct bip_bbmd_out *out,
    const struct bvlc_addr *skip)
{
	size_t i;

	for (i = 0; i < b->n_fdt; i++) {
		if (skip != NULL && bvlc_addr_eq(&b->fdt[i].addr, skip))
			continue;
		add_dest(b, out, &b->fdt[i].addr);
	}
}

static void
out_reset(struct bip_bbmd *b, struct bip_bbmd_out *out)
{
	memset(out, 0, sizeof(*out));
	out->dests = b->dests;
}

static void
nak(struct bip_bbmd_out *out, uint16_t code)
{
	out->send_result = true;
	out->result_code = code;
}

static void
deliver(struct bip_bbmd_out *out, const struct bvlc_addr *src, bool bcast)
{
	out->deliver = true;
	out->deliver_bcast = bcast;
	out->deliver_src = *src;
}

/* How many FDT entries have IP address ip (any port)? */
static size_t
fdt_count_ip(const struct bip_bbmd *b, uint32_t ip)
{
	size_t i, n = 0;

	for (i = 0; i < b->n_fdt; i++)
		if (b->fdt[i].addr.ip == ip)
			n++;
	return n;
}

static void
rx_register(struct bip_bbmd *b, uint64_t now_us, const struct bvlc_addr *src,
    uint16_t ttl, struct bip_bbmd_out *out)
{
	struct bip_fdt_slot *s;

	if (b->mode != BIP_MODE_BBMD || !b->accept_fd) {
		nak(out, BVLC_RC_REGISTER_FD_NAK);
		out->drop_why = "not accepting foreign-device registrations";
		return;
	}
	s = fdt_lookup(b, src);
	if (s == NULL) {
		if (b->n_fdt >= b->fdt_max) {
			nak(out, BVLC_RC_REGISTER_FD_NAK);
			out->drop_why = "foreign-device table full";
			return;
		}
		/*
		 * A foreign device is IP:port, so a host may hold a few;
		 * one address cannot take the whole table.
		 */
		if (b->fdt_per_ip > 0 &&
		    fdt_count_ip(b, src->ip) >= b->fdt_per_ip) {
			nak(out, BVLC_RC_REGISTER_FD_NAK);
			out->drop_why = "too many foreign-device registrations "
			    "from this IP address";
			return;
		}
		s = &b->fdt[b->n_fdt++];
		s->addr = *src;
	}
	s->ttl = ttl;
	s->expires_us = now_us + ((uint64_t)ttl + BVLC_FDT_GRACE_S) * US_PER_S;
	nak(out, BVLC_RC_OK);
}

static void
rx_delete(struct bip_bbmd *b, const struct bvlc_addr *a,
    struct bip_bbmd_out *out)
{
	struct bip_fdt_slot *s;

	if (b->mode != BIP_MODE_BBMD || (s = fdt_lookup(b, a)) == NULL) {
		nak(out, BVLC_RC_DELETE_FDT_NAK);
		out->drop_why = "no such foreign-device table entry";
		return;
	}
	*s = b->fdt[b->n_fdt - 1];
	b->n_fdt--;
	nak(out, BVLC_RC_OK);
}

static void
rx_forwarded(struct bip_bbmd *b, const struct bvlc_addr *src,
    const struct bvlc_msg *m, struct bip_bbmd_out *out)
{
	if (bip_bbmd_is_self(b, &m->addr)) {
		out->drop_why = "our own broadcast came back";
		return;
	}
	deliver(out, &m->addr, true);
	if (b->mode != BIP_MODE_BBMD)
		return;
	if (!bdt_has(b, src)) {
		/* Not from a BDT peer: deliver, never re-distribute. */
		out->drop_why = "Forwarded-NPDU from outside the BDT "
		    "not re-distributed";
		return;
	}
	out->fwd_orig = m->addr;
	/* Two-hop (our entry's mask all ones, or no entry): rebroadcast. */
	out->fwd_local_bcast = b->own_entry < 0 ||
	    b->bdt[b->own_entry].mask == 0xffffffffu;
	add_fds(b, out, &m->addr);
}

static void
rx_distribute(struct bip_bbmd *b, const struct bvlc_addr *src,
    struct bip_bbmd_out *out)
{
	if (b->mode != BIP_MODE_BBMD || fdt_lookup(b, src) == NULL) {
		nak(out, BVLC_RC_DISTRIBUTE_NAK);
		out->drop_why = b->mode != BIP_MODE_BBMD ? "not a BBMD" :
		    "Distribute-Broadcast from an unregistered device";
		return;
	}
	deliver(out, src, true);
	out->fwd_orig = *src;
	out->fwd_local_bcast = true;
	add_bdt_peers(b, out);
	add_fds(b, out, src);
}

/*
 * Whether a table read may be answered now: an answer is many times the
 * request, and the source address of a datagram is not proof of anything.
 */
static bool
table_read_allow(struct bip_bbmd *b, uint64_t now_us, struct bip_bbmd_out *out)
{
	if (ratelim_allow(&b->table_rl, now_us, NULL))
		return true;
	out->drop_why = "table reads arrive too fast";
	return false;
}

void
bip_bbmd_rx(struct bip_bbmd *b, uint64_t now_us, const struct bvlc_addr *src,
    const struct bvlc_msg *m, struct bip_bbmd_out *out)
{
	out_reset(b, out);
	(void)bip_bbmd_expire(b, now_us);
	if (m->function >= BVLC_FUNCTION_COUNT) {
		out->drop_why = "undefined BVLC function";
		return;
	}
	switch ((enum bvlc_function)m->function) {
	case BVLC_RESULT:
		out->got_result = true;
		out->result = m->result;
		break;
	case BVLC_WRITE_BDT:
		/* The BDT comes from configuration only. */
		nak(out, BVLC_RC_WRITE_BDT_NAK);
		break;
	case BVLC_READ_BDT:
		if (b->mode != BIP_MODE_BBMD)
			nak(out, BVLC_RC_READ_BDT_NAK);
		else if (table_read_allow(b, now_us, out))
			out->send_bdt_ack = true;
		break;
	case BVLC_READ_FDT:
		if (b->mode != BIP_MODE_BBMD)
			nak(out, BVLC_RC_READ_FDT_NAK);
		else if (table_read_allow(b, now_us, out))
			out->send_fdt_ack = true;
		break;
	case BVLC_READ_BDT_ACK:
	case BVLC_READ_FDT_ACK:
		out->drop_why = "unsolicited table ack";
		break;
	case BVLC_REGISTER_FD:
		rx_register(b, now_us, src, m->ttl, out);
		break;
	case BVLC_DELETE_FDT_ENTRY:
		rx_delete(b, &m->addr, out);
		break;
	case BVLC_FORWARDED_NPDU:
		rx_forwarded(b, src, m, out);
		break;
	case BVLC_DISTRIBUTE_BCAST:
		rx_distribute(b, src, out);
		break;
	case BVLC_ORIGINAL_UNICAST:
		deliver(out, src, false);
		break;
	case BVLC_ORIGINAL_BCAST:
		deliver(out, src, true);
		if (b->mode == BIP_MODE_BBMD) {
			out->fwd_orig = *src;
			add_bdt_peers(b, out);
			add_fds(b, out, NULL);
		}
		break;
	case BVLC_SECURE_BVLL:
		out->drop_why = "Secure-BVLL is not supported";
		break;
	}
}

void
bip_bbmd_local_bcast(struct bip_bbmd *b, uint64_t now_us,
    struct bip_bbmd_out *out)
{
	out_reset(b, out);
	(void)bip_bbmd_expire(b, now_us);
	switch (b->mode) {
	case BIP_MODE_PLAIN:
		out->orig_local_bcast = true;
		break;
	case BIP_MODE_BBMD:
		out->orig_local_bcast = true;
		out->fwd_orig = b->has_global ? b->global : b->self;
		add_bdt_peers(b, out);
		add_fds(b, out, NULL);
		break;
	case BIP_MODE_FOREIGN:
		out->drop_why = "a foreign device distributes through its BBMD";
		break;
	}
}

int
bip_bbmd_encode_bdt_ack(const struct bip_bbmd *b, struct wr *w)
{
	return bvlc_encode_bdt(w, BVLC_READ_BDT_ACK, b->bdt, b->n_bdt);
}

int
bip_bbmd_encode_fdt_ack(const struct bip_bbmd *b, uint64_t now_us,
    struct wr *w)
{
	struct bvlc_fdt_entry e;
	uint64_t left;
	size_t i;

	if (b->n_fdt > (0xffff - BVLC_HDR_LEN) / BVLC_ENTRY_LEN)
		return -1;
	wr_u8(w, BVLC_TYPE_BIP);
	wr_u8(w, BVLC_READ_FDT_ACK);
	wr_u16(w, (uint16_t)(BVLC_HDR_LEN + b->n_fdt * BVLC_ENTRY_LEN));
	for (i = 0; i < b->n_fdt; i++) {
		uint8_t a[BVLC_ADDR_LEN];

		e.addr = b->fdt[i].addr;
		e.ttl = b->fdt[i].ttl;
		left = b->fdt[i].expires_us > now_us ?
		    (b->fdt[i].expires_us - now_us + US_PER_S - 1) / US_PER_S :
		    0;
		e.remaining = left > 0xffff ? 0xffff : (uint16_t)left;
		bvlc_addr_store(a, &e.addr);
		wr_bytes(w, a, sizeof(a));
		wr_u16(w, e.ttl);
		wr_u16(w, e.remaining);
	}
	return wr_status(w);
}
