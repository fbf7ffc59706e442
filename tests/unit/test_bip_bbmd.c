/* B/IP node and BBMD decisions (bip_bbmd_fsm), with a fake clock. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bip/bip_bbmd_fsm.h"
#include "tests/unit/harness.h"

#define S(x)	((uint64_t)(x) * 1000000u)
#define T0	S(1000)

static struct bvlc_addr
A(const char *s)
{
	struct bvlc_addr a = { 0, 0 };

	CU_ASSERT_EQUAL_FATAL(bvlc_addr_parse(s, 47808, &a), 0);
	return a;
}

static struct bvlc_bdt_entry
E(const char *addr, const char *mask)
{
	struct bvlc_bdt_entry e;

	e.addr = A(addr);
	CU_ASSERT_EQUAL_FATAL(bvlc_ip_parse(mask, &e.mask), 0);
	return e;
}

/*
 * Our BBMD 10.0.1.1 (two-hop entry), a two-hop peer 10.0.2.1, and a
 * one-hop peer 10.0.3.1/24.
 */
static void
setup(struct bip_bbmd *b, enum bip_mode mode, const char *own_mask,
    size_t fdt_max)
{
	struct bvlc_bdt_entry bdt[3];
	struct bip_bbmd_config c;

	bdt[0] = E("10.0.1.1", own_mask);
	bdt[1] = E("10.0.2.1", "255.255.255.255");
	bdt[2] = E("10.0.3.1", "255.255.255.0");
	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.self = A("10.0.1.1");
	c.bdt = bdt;
	c.n_bdt = 3;
	c.fdt_max = fdt_max;
	c.accept_fd = true;
	CU_ASSERT_EQUAL_FATAL(bip_bbmd_init(b, &c), 0);
}

static struct bvlc_msg
msg(uint8_t function)
{
	static const uint8_t npdu[] = { 0x01, 0x20, 0xff, 0xff, 0x00, 0xff,
	    0x10, 0x08 };
	struct bvlc_msg m;

	memset(&m, 0, sizeof(m));
	m.function = function;
	if (bvlc_function_has_npdu(function)) {
		m.npdu = npdu;
		m.npdu_len = sizeof(npdu);
	}
	return m;
}

static void
do_register(struct bip_bbmd *b, uint64_t now, const char *who, uint16_t ttl,
    uint16_t want)
{
	struct bip_bbmd_out o;
	struct bvlc_msg m = msg(BVLC_REGISTER_FD);
	struct bvlc_addr src = A(who);

	m.ttl = ttl;
	bip_bbmd_rx(b, now, &src, &m, &o);
	CU_ASSERT_TRUE(o.send_result);
	CU_ASSERT_EQUAL(o.result_code, want);
	CU_ASSERT_FALSE(o.deliver);
}

/* Is a in the output's destination list? */
static bool
has_dest(const struct bip_bbmd_out *o, const char *a)
{
	struct bvlc_addr x = A(a);
	size_t i;

	for (i = 0; i < o->n_dests; i++)
		if (bvlc_addr_eq(&o->dests[i], &x))
			return true;
	return false;
}

static void
test_bbmd_register_expire(void)
{
	struct bip_bbmd b;
	struct bvlc_addr fd = A("192.168.9.9:50000");
	uint8_t buf[64];
	struct wr w;
	struct bvlc_msg m;
	struct bvlc_fdt_entry e;

	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	do_register(&b, T0, "192.168.9.9:50000", 60, BVLC_RC_OK);
	CU_ASSERT_PTR_NOT_NULL(bip_bbmd_fdt_find(&b, &fd));
	CU_ASSERT_EQUAL(bip_bbmd_next_expiry(&b), T0 + S(90));
	/* Read-FDT-Ack: TTL 60, 90 s left (TTL + 30 s grace) */
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(bip_bbmd_encode_fdt_ack(&b, T0, &w), 0);
	CU_ASSERT_EQUAL_FATAL(bvlc_decode(buf, w.len, &m, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(m.n_entries, 1);
	bvlc_fdt_entry_get(&m, 0, &e);
	CU_ASSERT_TRUE(bvlc_addr_eq(&e.addr, &fd));
	CU_ASSERT_EQUAL(e.ttl, 60);
	CU_ASSERT_EQUAL(e.remaining, 90);
	/* 40 s later it re-registers: the timer restarts */
	do_register(&b, T0 + S(40), "192.168.9.9:50000", 60, BVLC_RC_OK);
	CU_ASSERT_EQUAL(b.n_fdt, 1);
	CU_ASSERT_EQUAL(bip_bbmd_expire(&b, T0 + S(129)), 0);
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(bip_bbmd_encode_fdt_ack(&b, T0 + S(129), &w), 0);
	CU_ASSERT_EQUAL(be16_load(buf + 12), 1);
	/* still there one microsecond before TTL + 30 s, gone at it */
	CU_ASSERT_EQUAL(bip_bbmd_expire(&b, T0 + S(130) - 1), 0);
	CU_ASSERT_PTR_NOT_NULL(bip_bbmd_fdt_find(&b, &fd));
	CU_ASSERT_EQUAL(bip_bbmd_expire(&b, T0 + S(130)), 1);
	CU_ASSERT_PTR_NULL(bip_bbmd_fdt_find(&b, &fd));
	CU_ASSERT_EQUAL(bip_bbmd_next_expiry(&b), UINT64_MAX);
	bip_bbmd_fini(&b);
	bip_bbmd_fini(&b);
}

static void
test_bbmd_register_refused(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_config c;

	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 2);
	do_register(&b, T0, "192.168.9.1", 60, BVLC_RC_OK);
	do_register(&b, T0, "192.168.9.2", 60, BVLC_RC_OK);
	/* table full: the third is refused, a known one still refreshes */
	do_register(&b, T0, "192.168.9.3", 60, BVLC_RC_REGISTER_FD_NAK);
	do_register(&b, T0, "192.168.9.2", 120, BVLC_RC_OK);
	CU_ASSERT_EQUAL(b.n_fdt, 2);
	/* after one expires there is room again */
	do_register(&b, T0 + S(100), "192.168.9.3", 60, BVLC_RC_OK);
	bip_bbmd_fini(&b);
	/* not accepting registrations */
	memset(&c, 0, sizeof(c));
	c.mode = BIP_MODE_BBMD;
	c.self = A("10.0.1.1");
	c.fdt_max = 8;
	c.accept_fd = false;
	CU_ASSERT_EQUAL_FATAL(bip_bbmd_init(&b, &c), 0);
	do_register(&b, T0, "192.168.9.3", 60, BVLC_RC_REGISTER_FD_NAK);
	bip_bbmd_fini(&b);
	/* a plain node refuses too */
	setup(&b, BIP_MODE_PLAIN, "255.255.255.255", 0);
	do_register(&b, T0, "192.168.9.3", 60, BVLC_RC_REGISTER_FD_NAK);
	bip_bbmd_fini(&b);
}

/*
 * One IP address holds at most fdt_per_ip registrations (any port): more
 * new ones from it are refused with the Register-Foreign-Device NAK, while
 * its own re-registrations and other addresses still succeed.
 */
static void
test_bbmd_register_per_ip(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_config c;
	struct bvlc_addr third = A("192.168.9.3:47810");

	memset(&c, 0, sizeof(c));
	c.mode = BIP_MODE_BBMD;
	c.self = A("10.0.1.1");
	c.fdt_max = 16;
	c.fdt_per_ip = 2;
	c.accept_fd = true;
	CU_ASSERT_EQUAL_FATAL(bip_bbmd_init(&b, &c), 0);
	do_register(&b, T0, "192.168.9.3:47808", 60, BVLC_RC_OK);
	do_register(&b, T0, "192.168.9.3:47809", 60, BVLC_RC_OK);
	do_register(&b, T0, "192.168.9.3:47810", 60, BVLC_RC_REGISTER_FD_NAK);
	CU_ASSERT_EQUAL(b.n_fdt, 2);
	CU_ASSERT_PTR_NULL(bip_bbmd_fdt_find(&b, &third));
	/* a re-registration of a registered device is still accepted */
	do_register(&b, T0 + S(10), "192.168.9.3:47809", 60, BVLC_RC_OK);
	/* another address is not affected */
	do_register(&b, T0, "192.168.9.4:47810", 60, BVLC_RC_OK);
	CU_ASSERT_EQUAL(b.n_fdt, 3);
	/* once one of the address's entries expires there is room again */
	do_register(&b, T0 + S(95), "192.168.9.3:47810", 60, BVLC_RC_OK);
	CU_ASSERT_PTR_NOT_NULL(bip_bbmd_fdt_find(&b, &third));
	bip_bbmd_fini(&b);
}

static void
test_bbmd_delete_and_tables(void)
{
	static const uint8_t want_bdt[] = { 0x81, 0x03, 0x00, 0x22,
	    10, 0, 1, 1, 0xba, 0xc0, 0xff, 0xff, 0xff, 0xff,
	    10, 0, 2, 1, 0xba, 0xc0, 0xff, 0xff, 0xff, 0xff,
	    10, 0, 3, 1, 0xba, 0xc0, 0xff, 0xff, 0xff, 0x00 };
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m;
	struct bvlc_addr tool = A("10.9.9.9:40000");
	uint8_t buf[64];
	struct wr w;

	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	do_register(&b, T0, "192.168.9.1", 60, BVLC_RC_OK);
	m = msg(BVLC_DELETE_FDT_ENTRY);
	m.addr = A("192.168.9.7");
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_TRUE(o.send_result);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_DELETE_FDT_NAK);
	m.addr = A("192.168.9.1");
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_OK);
	CU_ASSERT_EQUAL(b.n_fdt, 0);
	/* Write-BDT is always refused; the BDT comes from configuration */
	m = msg(BVLC_WRITE_BDT);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_TRUE(o.send_result);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_WRITE_BDT_NAK);
	CU_ASSERT_EQUAL(b.n_bdt, 3);
	/* Read-BDT / Read-FDT */
	m = msg(BVLC_READ_BDT);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_TRUE(o.send_bdt_ack);
	CU_ASSERT_FALSE(o.send_result);
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(bip_bbmd_encode_bdt_ack(&b, &w), 0);
	UT_ASSERT_BYTES(buf, w.len, want_bdt, sizeof(want_bdt));
	m = msg(BVLC_READ_FDT);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_TRUE(o.send_fdt_ack);
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(bip_bbmd_encode_fdt_ack(&b, T0, &w), 0);
	CU_ASSERT_EQUAL(w.len, 4);
	bip_bbmd_fini(&b);
	/* a plain node NAKs every BBMD request */
	setup(&b, BIP_MODE_PLAIN, "255.255.255.255", 0);
	m = msg(BVLC_READ_BDT);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_READ_BDT_NAK);
	CU_ASSERT_FALSE(o.send_bdt_ack);
	m = msg(BVLC_READ_FDT);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_READ_FDT_NAK);
	m = msg(BVLC_WRITE_BDT);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_WRITE_BDT_NAK);
	m = msg(BVLC_DELETE_FDT_ENTRY);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_DELETE_FDT_NAK);
	m = msg(BVLC_DISTRIBUTE_BCAST);
	bip_bbmd_rx(&b, T0, &tool, &m, &o);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_DISTRIBUTE_NAK);
	CU_ASSERT_FALSE(o.deliver);
	bip_bbmd_fini(&b);
}

/*
 * Table reads (an answer up to 10 000 times the request, to a source that
 * may be spoofed) are answered BIP_TABLE_READ_BURST at once, then one a
 * second, across all sources.
 */
static void
test_bbmd_table_read_limit(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m;
	struct bvlc_addr src;
	char a[32];
	int i, answered = 0;

	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	for (i = 0; i < 100; i++) {
		snprintf(a, sizeof(a), "10.7.%d.%d:47808", i / 200,
		    i % 200 + 1);
		src = A(a);
		m = msg(i % 2 ? BVLC_READ_FDT : BVLC_READ_BDT);
		bip_bbmd_rx(&b, T0, &src, &m, &o);
		if (o.send_bdt_ack || o.send_fdt_ack)
			answered++;
		else
			CU_ASSERT(o.drop_why != NULL && !o.send_result);
	}
	CU_ASSERT_EQUAL(answered, BIP_TABLE_READ_BURST);
	/* A second later one more is answered, then none. */
	m = msg(BVLC_READ_BDT);
	bip_bbmd_rx(&b, T0 + S(1), &src, &m, &o);
	CU_ASSERT_TRUE(o.send_bdt_ack);
	bip_bbmd_rx(&b, T0 + S(1), &src, &m, &o);
	CU_ASSERT_FALSE(o.send_bdt_ack);
	/* After a quiet while the burst is back. */
	answered = 0;
	for (i = 0; i < 20; i++) {
		bip_bbmd_rx(&b, T0 + S(60), &src, &m, &o);
		answered += o.send_bdt_ack;
	}
	CU_ASSERT_EQUAL(answered, BIP_TABLE_READ_BURST);
	bip_bbmd_fini(&b);
}

/* Original-Broadcast from a local device: to every peer and FD. */
static void
test_bbmd_original_bcast(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m = msg(BVLC_ORIGINAL_BCAST);
	struct bvlc_addr src = A("10.0.1.20");

	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	do_register(&b, T0, "192.168.9.1:47809", 60, BVLC_RC_OK);
	bip_bbmd_rx(&b, T0, &src, &m, &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_TRUE(o.deliver_bcast);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.deliver_src, &src));
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.fwd_orig, &src));
	CU_ASSERT_FALSE(o.fwd_local_bcast);	/* it was heard locally */
	CU_ASSERT_FALSE(o.orig_local_bcast);
	CU_ASSERT_FALSE(o.send_result);
	CU_ASSERT_EQUAL(o.n_dests, 3);
	CU_ASSERT_TRUE(has_dest(&o, "10.0.2.1"));	/* two-hop: unicast */
	CU_ASSERT_TRUE(has_dest(&o, "10.0.3.255"));	/* one-hop: directed */
	CU_ASSERT_TRUE(has_dest(&o, "192.168.9.1:47809"));	/* the FD */
	CU_ASSERT_FALSE(has_dest(&o, "10.0.1.1"));	/* never ourselves */
	/* once the FD expired it gets nothing */
	bip_bbmd_rx(&b, T0 + S(90), &src, &m, &o);
	CU_ASSERT_EQUAL(o.n_dests, 2);
	CU_ASSERT_FALSE(has_dest(&o, "192.168.9.1:47809"));
	bip_bbmd_fini(&b);
}

/* Forwarded-NPDU from a peer: two-hop vs one-hop, loops, FDs. */
static void
test_bbmd_forwarded(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m = msg(BVLC_FORWARDED_NPDU);
	struct bvlc_addr peer = A("10.0.2.1"), stranger = A("10.7.7.7");

	/* our entry two-hop: rebroadcast locally, and to the FDs */
	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	do_register(&b, T0, "192.168.9.1", 60, BVLC_RC_OK);
	m.addr = A("10.0.2.50");
	bip_bbmd_rx(&b, T0, &peer, &m, &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_TRUE(o.deliver_bcast);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.deliver_src, &m.addr));
	CU_ASSERT_TRUE(o.fwd_local_bcast);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.fwd_orig, &m.addr));
	CU_ASSERT_EQUAL(o.n_dests, 1);		/* never to BDT peers */
	CU_ASSERT_TRUE(has_dest(&o, "192.168.9.1"));
	CU_ASSERT_FALSE(o.send_result);
	/* from outside the BDT: delivered, not re-distributed */
	bip_bbmd_rx(&b, T0, &stranger, &m, &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_FALSE(o.fwd_local_bcast);
	CU_ASSERT_EQUAL(o.n_dests, 0);
	/* our own broadcast coming back is dropped */
	m.addr = A("10.0.1.1");
	bip_bbmd_rx(&b, T0, &peer, &m, &o);
	CU_ASSERT_FALSE(o.deliver);
	CU_ASSERT_EQUAL(o.n_dests, 0);
	CU_ASSERT_PTR_NOT_NULL(o.drop_why);
	bip_bbmd_fini(&b);
	/* our entry one-hop (/24): it arrived as a directed broadcast */
	setup(&b, BIP_MODE_BBMD, "255.255.255.0", 4);
	do_register(&b, T0, "192.168.9.1", 60, BVLC_RC_OK);
	m.addr = A("10.0.2.50");
	bip_bbmd_rx(&b, T0, &peer, &m, &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_FALSE(o.fwd_local_bcast);
	CU_ASSERT_EQUAL(o.n_dests, 1);
	CU_ASSERT_TRUE(has_dest(&o, "192.168.9.1"));
	bip_bbmd_fini(&b);
	/* a plain node delivers it as a broadcast from the original source */
	setup(&b, BIP_MODE_PLAIN, "255.255.255.255", 0);
	bip_bbmd_rx(&b, T0, &peer, &m, &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.deliver_src, &m.addr));
	CU_ASSERT_FALSE(o.fwd_local_bcast);
	CU_ASSERT_EQUAL(o.n_dests, 0);
	bip_bbmd_fini(&b);
}

static void
test_bbmd_distribute(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m = msg(BVLC_DISTRIBUTE_BCAST);
	struct bvlc_addr fd1 = A("192.168.9.1"), fd2 = A("192.168.9.2");

	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	/* from an unregistered device: NAK, nothing delivered or sent */
	bip_bbmd_rx(&b, T0, &fd1, &m, &o);
	CU_ASSERT_TRUE(o.send_result);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_DISTRIBUTE_NAK);
	CU_ASSERT_FALSE(o.deliver);
	CU_ASSERT_FALSE(o.fwd_local_bcast);
	CU_ASSERT_EQUAL(o.n_dests, 0);
	do_register(&b, T0, "192.168.9.1", 60, BVLC_RC_OK);
	do_register(&b, T0, "192.168.9.2", 60, BVLC_RC_OK);
	bip_bbmd_rx(&b, T0 + S(1), &fd1, &m, &o);
	CU_ASSERT_FALSE(o.send_result);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_TRUE(o.deliver_bcast);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.deliver_src, &fd1));
	CU_ASSERT_TRUE(o.fwd_local_bcast);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.fwd_orig, &fd1));
	CU_ASSERT_EQUAL(o.n_dests, 3);
	CU_ASSERT_TRUE(has_dest(&o, "10.0.2.1"));
	CU_ASSERT_TRUE(has_dest(&o, "10.0.3.255"));
	CU_ASSERT_TRUE(has_dest(&o, "192.168.9.2"));
	CU_ASSERT_FALSE(has_dest(&o, "192.168.9.1"));	/* not the sender */
	/* after expiry the same sender is unregistered again */
	bip_bbmd_rx(&b, T0 + S(90), &fd2, &m, &o);
	CU_ASSERT_EQUAL(o.result_code, BVLC_RC_DISTRIBUTE_NAK);
	CU_ASSERT_FALSE(o.deliver);
	bip_bbmd_fini(&b);
}

static void
test_bbmd_local_bcast_nat(void)
{
	struct bvlc_bdt_entry bdt[2];
	struct bip_bbmd_config c;
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m = msg(BVLC_FORWARDED_NPDU);
	struct bvlc_addr peer = A("198.51.100.7");

	/* plain: only the Original-Broadcast */
	setup(&b, BIP_MODE_PLAIN, "255.255.255.255", 0);
	bip_bbmd_local_bcast(&b, T0, &o);
	CU_ASSERT_TRUE(o.orig_local_bcast);
	CU_ASSERT_EQUAL(o.n_dests, 0);
	CU_ASSERT_FALSE(o.fwd_local_bcast);
	bip_bbmd_fini(&b);
	/* BBMD: locally and to the peers, with ourselves as source */
	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	do_register(&b, T0, "192.168.9.1", 60, BVLC_RC_OK);
	bip_bbmd_local_bcast(&b, T0, &o);
	CU_ASSERT_TRUE(o.orig_local_bcast);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.fwd_orig, &b.self));
	CU_ASSERT_EQUAL(o.n_dests, 3);
	bip_bbmd_fini(&b);
	/* behind NAT: the BDT names our global address */
	bdt[0] = E("203.0.113.1", "255.255.255.255");
	bdt[1] = E("198.51.100.7", "255.255.255.255");
	memset(&c, 0, sizeof(c));
	c.mode = BIP_MODE_BBMD;
	c.self = A("10.0.1.1");
	c.has_global = true;
	c.global = A("203.0.113.1");
	c.bdt = bdt;
	c.n_bdt = 2;
	CU_ASSERT_EQUAL_FATAL(bip_bbmd_init(&b, &c), 0);
	CU_ASSERT_EQUAL(b.own_entry, 0);
	bip_bbmd_local_bcast(&b, T0, &o);
	CU_ASSERT_TRUE(bvlc_addr_eq(&o.fwd_orig, &c.global));
	CU_ASSERT_EQUAL(o.n_dests, 1);
	CU_ASSERT_TRUE(has_dest(&o, "198.51.100.7"));
	CU_ASSERT_FALSE(has_dest(&o, "203.0.113.1"));
	CU_ASSERT_TRUE(bip_bbmd_is_self(&b, &c.global));
	/* our global address as original source: our own, dropped */
	m.addr = c.global;
	bip_bbmd_rx(&b, T0, &peer, &m, &o);
	CU_ASSERT_FALSE(o.deliver);
	m.addr = A("198.51.100.99");
	bip_bbmd_rx(&b, T0, &peer, &m, &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_TRUE(o.fwd_local_bcast);	/* own entry is two-hop */
	bip_bbmd_fini(&b);
	/* foreign device: the caller distributes through its BBMD */
	setup(&b, BIP_MODE_FOREIGN, "255.255.255.255", 0);
	bip_bbmd_local_bcast(&b, T0, &o);
	CU_ASSERT_FALSE(o.orig_local_bcast);
	CU_ASSERT_EQUAL(o.n_dests, 0);
	bip_bbmd_fini(&b);
}

static void
test_bbmd_misc(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m;
	struct bvlc_addr src = A("10.0.1.20");
	struct bip_bbmd_config c;
	struct bvlc_bdt_entry e;

	setup(&b, BIP_MODE_FOREIGN, "255.255.255.255", 0);
	m = msg(BVLC_ORIGINAL_UNICAST);
	bip_bbmd_rx(&b, T0, &src, &m, &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_FALSE(o.deliver_bcast);
	m = msg(BVLC_RESULT);
	m.result = BVLC_RC_REGISTER_FD_NAK;
	bip_bbmd_rx(&b, T0, &src, &m, &o);
	CU_ASSERT_TRUE(o.got_result);
	CU_ASSERT_EQUAL(o.result, BVLC_RC_REGISTER_FD_NAK);
	CU_ASSERT_FALSE(o.send_result);		/* never answer a result */
	m = msg(BVLC_SECURE_BVLL);
	bip_bbmd_rx(&b, T0, &src, &m, &o);
	CU_ASSERT_FALSE(o.deliver);
	CU_ASSERT_FALSE(o.send_result);
	CU_ASSERT_PTR_NOT_NULL(o.drop_why);
	m = msg(BVLC_READ_FDT_ACK);
	bip_bbmd_rx(&b, T0, &src, &m, &o);
	CU_ASSERT_FALSE(o.send_result);
	bip_bbmd_fini(&b);
	/* bad configurations */
	memset(&c, 0, sizeof(c));
	c.mode = BIP_MODE_BBMD;
	CU_ASSERT_EQUAL(bip_bbmd_init(&b, &c), -1);	/* no address */
	c.self = A("10.0.1.1");
	c.fdt_max = BIP_FDT_MAX_LIMIT + 1;
	CU_ASSERT_EQUAL(bip_bbmd_init(&b, &c), -1);
	c.fdt_max = 1;
	c.n_bdt = BIP_BDT_MAX + 1;
	c.bdt = &e;
	CU_ASSERT_EQUAL(bip_bbmd_init(&b, &c), -1);
	/* forwarding addresses */
	e = E("10.1.2.3:47809", "255.255.0.0");
	bip_bdt_fwd_addr(&e, &src);
	CU_ASSERT_EQUAL(src.ip, 0x0a01ffffu);
	CU_ASSERT_EQUAL(src.port, 47809);
}

/* A reloaded BDT takes effect at once; the FDT survives it. */
static void
test_bbmd_set_bdt(void)
{
	struct bip_bbmd b;
	struct bip_bbmd_out o;
	struct bvlc_msg m = msg(BVLC_ORIGINAL_BCAST);
	struct bvlc_addr src = A("10.0.1.20");
	struct bvlc_bdt_entry bdt[BIP_BDT_MAX + 1];
	size_t i;

	setup(&b, BIP_MODE_BBMD, "255.255.255.255", 4);
	do_register(&b, T0, "192.168.9.1", 60, BVLC_RC_OK);
	bdt[0] = E("10.0.4.1", "255.255.255.255");
	bdt[1] = E("10.0.1.1", "255.255.255.0");
	CU_ASSERT_EQUAL(bip_bbmd_set_bdt(&b, bdt, 2), 0);
	CU_ASSERT_EQUAL(b.own_entry, 1);
	bip_bbmd_rx(&b, T0, &src, &m, &o);
	CU_ASSERT_EQUAL(o.n_dests, 2);
	CU_ASSERT_TRUE(has_dest(&o, "10.0.4.1"));
	CU_ASSERT_TRUE(has_dest(&o, "192.168.9.1"));
	CU_ASSERT_FALSE(has_dest(&o, "10.0.2.1"));
	/* the largest BDT fits beside a full FDT */
	for (i = 0; i < BIP_BDT_MAX + 1; i++) {
		bdt[i].addr.ip = 0x0a640000u + (uint32_t)i;
		bdt[i].addr.port = 47808;
		bdt[i].mask = 0xffffffffu;
	}
	CU_ASSERT_EQUAL(bip_bbmd_set_bdt(&b, bdt, BIP_BDT_MAX + 1), -1);
	CU_ASSERT_EQUAL(b.n_bdt, 2);		/* unchanged */
	CU_ASSERT_EQUAL(bip_bbmd_set_bdt(&b, bdt, BIP_BDT_MAX), 0);
	do_register(&b, T0, "192.168.9.2", 60, BVLC_RC_OK);
	do_register(&b, T0, "192.168.9.3", 60, BVLC_RC_OK);
	do_register(&b, T0, "192.168.9.4", 60, BVLC_RC_OK);
	bip_bbmd_rx(&b, T0, &src, &m, &o);
	CU_ASSERT_EQUAL(o.n_dests, BIP_BDT_MAX + 4);
	CU_ASSERT_EQUAL(b.own_entry, -1);
	CU_ASSERT_EQUAL(bip_bbmd_set_bdt(&b, NULL, 0), 0);
	CU_ASSERT_EQUAL(b.n_bdt, 0);
	bip_bbmd_fini(&b);
}

static const struct ut_case cases[] = {
	UT_CASE(test_bbmd_register_expire),
	UT_CASE(test_bbmd_register_refused),
	UT_CASE(test_bbmd_register_per_ip),
	UT_CASE(test_bbmd_delete_and_tables),
	UT_CASE(test_bbmd_table_read_limit),
	UT_CASE(test_bbmd_original_bcast),
	UT_CASE(test_bbmd_forwarded),
	UT_CASE(test_bbmd_distribute),
	UT_CASE(test_bbmd_local_bcast_nat),
	UT_CASE(test_bbmd_misc),
	UT_CASE(test_bbmd_set_bdt),
	UT_END
};
UT_SUITE(bip_bbmd, cases);
