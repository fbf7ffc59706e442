/*
 * Hub function decisions: admission (duplicate VMAC, same UUID replacing,
 * own VMAC, cap), the VMAC hash table, and relaying with the digest's
 * worked examples E1, E6, E8 and E9 byte for byte.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <string.h>

#include "lib/bytes.h"
#include "sc/sc_hub_fsm.h"
#include "tests/unit/harness.h"

static const uint8_t vm_router[6] = { 0xf2, 0x00, 0x00, 0x00, 0xba, 0xc5 };
static const uint8_t vm_b[6] = { 0x32, 0x76, 0xe4, 0xb1, 0x1d, 0x02 };
static const uint8_t vm_a[6] = { 0x02, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5 };
static const uint8_t vm_hub[6] = { 0x92, 0x7b, 0xf7, 0x1a, 0x96, 0xa2 };

static int conn_r, conn_b, conn_a, conn_x;

static void
mkreq(struct scm_connect *c, const uint8_t *vmac, uint8_t uuid_tag,
    uint16_t max_bvlc)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->vmac, vmac, 6);
	memset(c->uuid, uuid_tag, sizeof(c->uuid));
	c->max_bvlc = max_bvlc;
	c->max_npdu = 1497;
}

static void
setup(struct sc_hubtab *t, size_t cap, bool accept_orig)
{
	struct sc_hubtab_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.max_conns = cap;
	cfg.accept_orig_vmac = accept_orig;
	cfg.has_own = true;
	memcpy(cfg.own_vmac, vm_hub, 6);
	memset(cfg.own_uuid, 0xee, 16);
	CU_ASSERT_EQUAL_FATAL(sc_hubtab_init(t, &cfg), 0);
}

static struct sc_hub_peer *
admit(struct sc_hubtab *t, const uint8_t *vmac, uint8_t tag, uint16_t mb,
    void *conn, enum sc_hub_admit expect)
{
	struct scm_connect c;
	struct sc_hub_peer *p = NULL;
	void *old = (void *)1;

	mkreq(&c, vmac, tag, mb);
	CU_ASSERT_EQUAL(sc_hubtab_admit(t, &c, conn, 1000, &p, &old), expect);
	if (expect == SC_HUB_ADMIT_NEW)
		CU_ASSERT_PTR_NULL(old);
	return p;
}

static void
test_admit_and_find(void)
{
	struct sc_hubtab t;
	struct sc_hub_peer *p;

	setup(&t, 8, false);
	p = admit(&t, vm_b, 0xb0, 1600, &conn_b, SC_HUB_ADMIT_NEW);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_EQUAL(p->conn, &conn_b);
	CU_ASSERT_EQUAL(p->max_bvlc, 1600);
	CU_ASSERT_EQUAL(p->since_us, 1000);
	CU_ASSERT_PTR_EQUAL(sc_hubtab_find(&t, vm_b), p);
	CU_ASSERT_PTR_NULL(sc_hubtab_find(&t, vm_a));
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT_EQUAL(t.ctr.admitted, 1);
	sc_hubtab_remove(&t, p);
	CU_ASSERT_EQUAL(t.n, 0);
	CU_ASSERT_PTR_NULL(sc_hubtab_find(&t, vm_b));
	sc_hubtab_remove(&t, p);	/* twice: no-op */
	CU_ASSERT_EQUAL(t.n, 0);
	sc_hubtab_fini(&t);
}

static void
test_dup_vmac_refused_with_e6(void)
{
	static const uint8_t e6[] = { 0x00, 0x00, 0x00, 0x01, 0x06, 0x01,
	    0x00, 0x00, 0x07, 0x00, 0x97 };
	struct sc_hubtab t;
	struct scm_connect c;
	struct scm_hdr h;
	struct scm_fail f;
	struct sc_hub_peer *p = NULL;
	void *old = NULL;
	uint8_t buf[64];
	struct wr w;

	setup(&t, 8, false);
	admit(&t, vm_a, 0x11, 1600, &conn_a, SC_HUB_ADMIT_NEW);
	mkreq(&c, vm_a, 0x22, 1600);
	CU_ASSERT_EQUAL(sc_hubtab_admit(&t, &c, &conn_x, 5, &p, &old),
	    SC_HUB_REFUSE_DUP_VMAC);
	CU_ASSERT_EQUAL(t.ctr.refused_dup_vmac, 1);
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT_PTR_EQUAL(sc_hubtab_find(&t, vm_a)->conn, &conn_a);
	/* The NAK is the digest's E6 for a Connect-Request with id 1. */
	memset(&h, 0, sizeof(h));
	h.function = SCM_FN_CONNECT_REQ;
	h.msgid = 1;
	sc_hub_refusal(SC_HUB_REFUSE_DUP_VMAC, &h, &f);
	CU_ASSERT_TRUE(scm_fail_wants_nak(&f));
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(scm_encode_nak(&w, &f, NULL, 0), 0);
	UT_ASSERT_BYTES(buf, w.len, e6, sizeof(e6));
	sc_hubtab_fini(&t);
}

static void
test_own_vmac(void)
{
	struct sc_hubtab t;

	setup(&t, 8, false);
	/* Another device may not take the hub device's VMAC ... */
	admit(&t, vm_hub, 0x33, 1600, &conn_x, SC_HUB_REFUSE_DUP_VMAC);
	/* ... but the hosting device's own node joins with it. */
	admit(&t, vm_hub, 0xee, 1600, &conn_r, SC_HUB_ADMIT_NEW);
	sc_hubtab_fini(&t);
}

static void
test_same_uuid_replaces(void)
{
	struct sc_hubtab t;
	struct scm_connect c;
	struct sc_hub_peer *p = NULL;
	void *old = NULL;

	setup(&t, 2, false);
	admit(&t, vm_a, 0x11, 1600, &conn_a, SC_HUB_ADMIT_NEW);
	admit(&t, vm_b, 0x22, 1600, &conn_b, SC_HUB_ADMIT_NEW);
	/* Full, but the same UUID reconnecting (with a new VMAC) replaces. */
	mkreq(&c, vm_router, 0x11, 1400);
	CU_ASSERT_EQUAL(sc_hubtab_admit(&t, &c, &conn_x, 77, &p, &old),
	    SC_HUB_ADMIT_REPLACE);
	CU_ASSERT_PTR_EQUAL(old, &conn_a);
	CU_ASSERT_PTR_EQUAL(p->conn, &conn_x);
	CU_ASSERT_EQUAL(p->since_us, 77);
	CU_ASSERT_EQUAL(p->max_bvlc, 1400);
	CU_ASSERT_PTR_NULL(sc_hubtab_find(&t, vm_a));
	CU_ASSERT_PTR_EQUAL(sc_hubtab_find(&t, vm_router), p);
	CU_ASSERT_EQUAL(t.n, 2);
	CU_ASSERT_EQUAL(t.ctr.replaced, 1);
	/* Same UUID and same VMAC: replaces too. */
	mkreq(&c, vm_b, 0x22, 1600);
	CU_ASSERT_EQUAL(sc_hubtab_admit(&t, &c, &conn_r, 78, &p, &old),
	    SC_HUB_ADMIT_REPLACE);
	CU_ASSERT_PTR_EQUAL(old, &conn_b);
	CU_ASSERT_PTR_EQUAL(sc_hubtab_find(&t, vm_b)->conn, &conn_r);
	/* Same UUID but the VMAC of another device: refused, old kept. */
	mkreq(&c, vm_b, 0x11, 1600);
	CU_ASSERT_EQUAL(sc_hubtab_admit(&t, &c, &conn_a, 79, &p, &old),
	    SC_HUB_REFUSE_DUP_VMAC);
	CU_ASSERT_PTR_EQUAL(sc_hubtab_find(&t, vm_router)->conn, &conn_x);
	sc_hubtab_fini(&t);
}

static void
test_cap_and_bad_vmac(void)
{
	struct sc_hubtab t;
	struct scm_hdr h;
	struct scm_fail f;
	uint8_t zero[6] = { 0 };

	setup(&t, 1, false);
	admit(&t, vm_a, 0x11, 1600, &conn_a, SC_HUB_ADMIT_NEW);
	admit(&t, vm_b, 0x22, 1600, &conn_b, SC_HUB_REFUSE_FULL);
	CU_ASSERT_EQUAL(t.ctr.refused_full, 1);
	memset(&h, 0, sizeof(h));
	h.function = SCM_FN_CONNECT_REQ;
	sc_hub_refusal(SC_HUB_REFUSE_FULL, &h, &f);
	CU_ASSERT_EQUAL(f.error_class, SCM_ERRCLASS_RESOURCES);
	admit(&t, sc_vmac_broadcast, 0x33, 1600, &conn_x,
	    SC_HUB_REFUSE_BAD_VMAC);
	admit(&t, zero, 0x33, 1600, &conn_x, SC_HUB_REFUSE_BAD_VMAC);
	sc_hub_refusal(SC_HUB_REFUSE_BAD_VMAC, &h, &f);
	CU_ASSERT_EQUAL(f.error_code, SCM_ERR_HEADER_ENCODING_ERROR);
	sc_hubtab_fini(&t);
}

/* Random admits and removes, checked against a linear search. */
static void
test_hash_stress(void)
{
	struct sc_hubtab t;
	struct scm_connect c;
	struct sc_hub_peer *p, *q;
	void *old;
	uint8_t vm[6];
	uint32_t r = 7;
	size_t i, j, found;
	int k;

	setup(&t, 40, false);
	for (k = 0; k < 20000; k++) {
		r = r * 1103515245u + 12345u;
		/* A small VMAC space: many collisions and reuses. */
		vm[0] = 0x02;
		vm[1] = vm[2] = vm[3] = vm[4] = 0;
		vm[5] = (uint8_t)((r >> 16) % 64);
		q = sc_hubtab_find(&t, vm);
		if (q != NULL && (r & 0x100)) {
			sc_hubtab_remove(&t, q);
		} else if (q == NULL) {
			mkreq(&c, vm, vm[5], 1600);
			c.uuid[0] = (uint8_t)k;	/* fresh UUIDs */
			c.uuid[1] = (uint8_t)(k >> 8);
			c.uuid[2] = 0x5a;
			(void)sc_hubtab_admit(&t, &c, NULL, 0, &p, &old);
		}
		/* Every in-use entry is found by its VMAC, nothing else. */
		found = 0;
		for (i = 0; i < t.cfg.max_conns; i++) {
			if (!t.peers[i].in_use)
				continue;
			found++;
			CU_ASSERT_TRUE(i < t.hi);
			if (sc_hubtab_find(&t, t.peers[i].vmac) !=
			    &t.peers[i]) {
				CU_FAIL("entry not found by its VMAC");
				k = 1 << 30;
			}
		}
		CU_ASSERT_EQUAL(found, t.n);
		for (j = 0; j < 64 && k < 20000; j += 13) {
			vm[5] = (uint8_t)j;
			q = sc_hubtab_find(&t, vm);
			if (q != NULL)
				CU_ASSERT_TRUE(q->in_use &&
				    memcmp(q->vmac, vm, 6) == 0);
		}
	}
	sc_hubtab_fini(&t);
}

/* The cap changed at run time: lowered keeps nodes, raised moves. */
static void
test_set_max(void)
{
	struct sc_hubtab t;
	struct scm_connect c;
	struct sc_hub_peer *p;
	size_t ia, ix, i, found;
	uint8_t vm[6] = { 0x02, 0, 0, 0, 0, 0 };
	uint32_t r = 11;
	void *old;
	bool moved = true;
	int k;

	setup(&t, 3, false);
	admit(&t, vm_a, 0x11, 1600, &conn_a, SC_HUB_ADMIT_NEW);
	admit(&t, vm_b, 0x22, 1600, &conn_b, SC_HUB_ADMIT_NEW);
	admit(&t, vm_router, 0x33, 1600, &conn_r, SC_HUB_ADMIT_NEW);
	CU_ASSERT_EQUAL(sc_hubtab_set_max(&t, 2, &moved), 0);
	CU_ASSERT_FALSE(moved);
	CU_ASSERT_EQUAL(t.n, 3);
	CU_ASSERT_PTR_NOT_NULL(sc_hubtab_find(&t, vm_b));
	/* A node reconnecting (same UUID) above the lowered cap: replaced
	   in whatever slot is free (found by the fuzzer: none below it). */
	p = admit(&t, vm_router, 0x33, 1600, &conn_r, SC_HUB_ADMIT_REPLACE);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_EQUAL(t.n, 3);
	vm[5] = 9;
	admit(&t, vm, 0x44, 1600, &conn_x, SC_HUB_REFUSE_FULL);
	sc_hubtab_remove(&t, sc_hubtab_find(&t, vm_b));
	admit(&t, vm, 0x44, 1600, &conn_x, SC_HUB_REFUSE_FULL);
	sc_hubtab_remove(&t, sc_hubtab_find(&t, vm_router));
	p = admit(&t, vm, 0x44, 1600, &conn_x, SC_HUB_ADMIT_NEW);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE((size_t)(p - t.peers) < 2);
	ia = (size_t)(sc_hubtab_find(&t, vm_a) - t.peers);
	ix = (size_t)(p - t.peers);
	/* Raised above the table's size: a new array, same indexes. */
	CU_ASSERT_EQUAL(sc_hubtab_set_max(&t, 40, &moved), 0);
	CU_ASSERT_TRUE(moved);
	CU_ASSERT_EQUAL(t.cap, 40);
	CU_ASSERT_PTR_EQUAL(sc_hubtab_find(&t, vm_a), &t.peers[ia]);
	CU_ASSERT_PTR_EQUAL(sc_hubtab_find(&t, vm), &t.peers[ix]);
	CU_ASSERT_PTR_EQUAL(t.peers[ix].conn, &conn_x);
	/* Random traffic while the cap moves up and down. */
	for (k = 0; k < 20000; k++) {
		r = r * 1103515245u + 12345u;
		if (k % 500 == 0)
			CU_ASSERT_EQUAL(sc_hubtab_set_max(&t,
			    5 + (r >> 8) % 60, &moved), 0);
		vm[5] = (uint8_t)((r >> 16) % 100);
		if ((p = sc_hubtab_find(&t, vm)) != NULL && (r & 0x100)) {
			sc_hubtab_remove(&t, p);
		} else if (p == NULL) {
			size_t before = t.n;
			enum sc_hub_admit a;

			mkreq(&c, vm, vm[5], 1600);
			c.uuid[0] = (uint8_t)k;
			c.uuid[1] = (uint8_t)(k >> 8);
			a = sc_hubtab_admit(&t, &c, NULL, 0, &p, &old);
			CU_ASSERT_EQUAL(a, before < t.cfg.max_conns ?
			    SC_HUB_ADMIT_NEW : SC_HUB_REFUSE_FULL);
		}
		found = 0;
		for (i = 0; i < t.cap; i++) {
			if (!t.peers[i].in_use)
				continue;
			found++;
			if (i >= t.hi || sc_hubtab_find(&t, t.peers[i].vmac) !=
			    &t.peers[i]) {
				CU_FAIL("entry not found by its VMAC");
				k = 1 << 30;
			}
		}
		CU_ASSERT_EQUAL(found, t.n);
	}
	sc_hubtab_fini(&t);
}

/* Three nodes: the router, B and A (A with a small Max BVLC). */
static void
three(struct sc_hubtab *t, bool accept_orig, struct sc_hub_peer **pr,
    struct sc_hub_peer **pb, struct sc_hub_peer **pa)
{
	setup(t, 8, accept_orig);
	*pr = admit(t, vm_router, 0x01, 1600, &conn_r, SC_HUB_ADMIT_NEW);
	*pb = admit(t, vm_b, 0x02, 1600, &conn_b, SC_HUB_ADMIT_NEW);
	*pa = admit(t, vm_a, 0x03, 30, &conn_a, SC_HUB_ADMIT_NEW);
}

static void
out_bytes(const struct sc_hub_relay *r, uint8_t *buf, size_t *len)
{
	memcpy(buf, r->fixed, r->fixed_len);
	memcpy(buf + r->fixed_len, r->rest, r->rest_len);
	*len = r->fixed_len + r->rest_len;
}

static void
test_relay_unicast_e9(void)
{
	static const uint8_t e9a[] = { 0x01, 0x04, 0x00, 0x43, 0xf2, 0x00,
	    0x00, 0x00, 0xba, 0xc5, 0x01, 0x20, 0x00, 0x05, 0x06, 0xc0, 0xa8,
	    0x01, 0x0a, 0xba, 0xc0, 0xff, 0x20, 0x05, 0x0f };
	static const uint8_t e9b[] = { 0x01, 0x08, 0x00, 0x43, 0x32, 0x76,
	    0xe4, 0xb1, 0x1d, 0x02, 0x01, 0x20, 0x00, 0x05, 0x06, 0xc0, 0xa8,
	    0x01, 0x0a, 0xba, 0xc0, 0xff, 0x20, 0x05, 0x0f };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;
	uint8_t out[128];
	size_t n;

	three(&t, false, &pr, &pb, &pa);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, e9a, sizeof(e9a), &r),
	    SC_HUB_UNICAST);
	CU_ASSERT_PTR_EQUAL(r.to, pr);
	out_bytes(&r, out, &n);
	UT_ASSERT_BYTES(out, n, e9b, sizeof(e9b));
	CU_ASSERT_EQUAL(r.out_len, sizeof(e9b));
	/* The rest is borrowed from the input: no copy of the NPDU. */
	CU_ASSERT_PTR_EQUAL(r.rest, e9a + 10);
	CU_ASSERT_EQUAL(t.ctr.relayed_unicast, 1);
	CU_ASSERT_EQUAL(pb->rx_msgs, 1);
	CU_ASSERT_EQUAL(pr->tx_msgs, 1);
	sc_hubtab_fini(&t);
}

static void
test_relay_broadcast_e8(void)
{
	static const uint8_t e8b[] = { 0x01, 0x04, 0x00, 0x42, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x01, 0x28, 0xff, 0xff, 0x00, 0x00, 0x05,
	    0x06, 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0, 0xfe, 0x10, 0x08 };
	static const uint8_t e8c[] = { 0x01, 0x0c, 0x00, 0x42, 0xf2, 0x00,
	    0x00, 0x00, 0xba, 0xc5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	    0x28, 0xff, 0xff, 0x00, 0x00, 0x05, 0x06, 0xc0, 0xa8, 0x01, 0x0a,
	    0xba, 0xc0, 0xfe, 0x10, 0x08 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;
	uint8_t out[128];
	size_t n, i, copies = 0;

	three(&t, false, &pr, &pb, &pa);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pr, e8b, sizeof(e8b), &r),
	    SC_HUB_BROADCAST);
	out_bytes(&r, out, &n);
	UT_ASSERT_BYTES(out, n, e8c, sizeof(e8c));
	for (i = 0; i < t.hi; i++) {
		struct sc_hub_peer *p = sc_hubtab_at(&t, i);

		if (sc_hub_bcast_to(&t, pr, p, &r)) {
			copies++;
			/* Never back to the sender, never to A (too small). */
			CU_ASSERT_PTR_EQUAL(p, pb);
		}
	}
	CU_ASSERT_EQUAL(copies, 1);
	CU_ASSERT_EQUAL(t.ctr.broadcast_copies, 1);
	CU_ASSERT_EQUAL(t.ctr.dropped_too_big, 1);
	CU_ASSERT_EQUAL(t.ctr.relayed_broadcast, 1);
	sc_hubtab_fini(&t);
}

static void
test_relay_keeps_options_e1(void)
{
	static const uint8_t e1[] = { 0x01, 0x07, 0xb5, 0xec, 0x02, 0xa1,
	    0xb2, 0xc3, 0xd4, 0xe5, 0xbf, 0x00, 0x07, 0x02, 0x2b, 0xba, 0xc5,
	    0xec, 0xc0, 0x99, 0x3f, 0x00, 0x03, 0x03, 0x09, 0x39, 0x01, 0x01,
	    0x04, 0x00, 0x00, 0x01, 0x0c, 0x0c, 0x00, 0x00, 0x00, 0x05, 0x19,
	    0x55 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;
	uint8_t out[128];
	size_t n;

	three(&t, false, &pr, &pb, &pa);
	/* B sends E1 (destination A's VMAC here) to the hub. */
	pa->max_bvlc = 1600;
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, e1, sizeof(e1), &r),
	    SC_HUB_UNICAST);
	CU_ASSERT_PTR_EQUAL(r.to, pa);
	out_bytes(&r, out, &n);
	CU_ASSERT_EQUAL(n, sizeof(e1));
	CU_ASSERT_EQUAL(out[0], 0x01);
	CU_ASSERT_EQUAL(out[1], 0x0b);	/* orig + both option lists */
	CU_ASSERT_EQUAL(out[2], 0xb5);
	CU_ASSERT_EQUAL(out[3], 0xec);
	UT_ASSERT_BYTES(out + 4, 6, vm_b, 6);
	UT_ASSERT_BYTES(out + 10, n - 10, e1 + 10, sizeof(e1) - 10);
	sc_hubtab_fini(&t);
}

static void
test_unknown_dest_and_too_big(void)
{
	uint8_t m[40] = { 0x01, 0x04, 0x00, 0x09, 0x02, 0x99, 0x99, 0x99,
	    0x99, 0x99, 0x01, 0x00 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;

	three(&t, false, &pr, &pb, &pa);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, m, 12, &r), SC_HUB_DROP_UNKNOWN);
	CU_ASSERT_EQUAL(t.ctr.dropped_unknown_dest, 1);
	/* To A (Max BVLC 30): 30 octets relayed fit, 31 do not. */
	memcpy(m + 4, vm_a, 6);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, m, 30, &r), SC_HUB_UNICAST);
	CU_ASSERT_EQUAL(r.out_len, 30);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, m, 31, &r), SC_HUB_DROP_TOO_BIG);
	CU_ASSERT_EQUAL(t.ctr.dropped_too_big, 1);
	sc_hubtab_fini(&t);
}

static void
test_orig_vmac_nak_by_default(void)
{
	/* bac-py style: orig and dest both present. */
	static const uint8_t m[] = { 0x01, 0x0c, 0x12, 0x34, 0x32, 0x76,
	    0xe4, 0xb1, 0x1d, 0x02, 0xf2, 0x00, 0x00, 0x00, 0xba, 0xc5, 0x01,
	    0x00 };
	static const uint8_t nak[] = { 0x00, 0x00, 0x12, 0x34, 0x01, 0x01,
	    0x00, 0x00, 0x07, 0x00, 0x91 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;
	uint8_t buf[64];
	struct wr w;

	three(&t, false, &pr, &pb, &pa);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, m, sizeof(m), &r), SC_HUB_NAK);
	CU_ASSERT_EQUAL(r.fail.error_code, SCM_ERR_HEADER_ENCODING_ERROR);
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(scm_encode_nak(&w, &r.fail, NULL, 0), 0);
	/* The hub's NAK carries no VMACs (digest §1.6). */
	UT_ASSERT_BYTES(buf, w.len, nak, sizeof(nak));
	CU_ASSERT_EQUAL(t.ctr.naks, 1);
	CU_ASSERT_EQUAL(pr->tx_msgs, 0);
	sc_hubtab_fini(&t);
}

static void
test_orig_vmac_accepted_by_option(void)
{
	/* Orig claims A's VMAC (a lie): overwritten with B's. */
	static const uint8_t m[] = { 0x01, 0x0c, 0x12, 0x34, 0x02, 0xa1,
	    0xb2, 0xc3, 0xd4, 0xe5, 0xf2, 0x00, 0x00, 0x00, 0xba, 0xc5, 0x01,
	    0x00 };
	static const uint8_t want[] = { 0x01, 0x08, 0x12, 0x34, 0x32, 0x76,
	    0xe4, 0xb1, 0x1d, 0x02, 0x01, 0x00 };
	static const uint8_t bc[] = { 0x01, 0x0c, 0x12, 0x35, 0x02, 0xa1,
	    0xb2, 0xc3, 0xd4, 0xe5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	    0x00 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;
	uint8_t out[64];
	size_t n;

	three(&t, true, &pr, &pb, &pa);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, m, sizeof(m), &r), SC_HUB_UNICAST);
	CU_ASSERT_TRUE(r.orig_overwritten);
	CU_ASSERT_TRUE(r.orig_first);
	out_bytes(&r, out, &n);
	UT_ASSERT_BYTES(out, n, want, sizeof(want));
	/* Second time on the same connection: not "first" any more. */
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, bc, sizeof(bc), &r),
	    SC_HUB_BROADCAST);
	CU_ASSERT_TRUE(r.orig_overwritten);
	CU_ASSERT_FALSE(r.orig_first);
	out_bytes(&r, out, &n);
	CU_ASSERT_EQUAL(n, sizeof(bc));
	UT_ASSERT_BYTES(out + 4, 6, vm_b, 6);
	UT_ASSERT_BYTES(out + 10, 6, sc_vmac_broadcast, 6);
	CU_ASSERT_EQUAL(t.ctr.orig_overwritten, 2);
	sc_hubtab_fini(&t);
}

static void
test_no_dest_nak(void)
{
	static const uint8_t m[] = { 0x05, 0x00, 0x00, 0x07 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;

	three(&t, false, &pr, &pb, &pa);
	/* Advertisement-Solicitation without destination: NAK 145. */
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pb, m, sizeof(m), &r), SC_HUB_NAK);
	CU_ASSERT_EQUAL(r.fail.function, SCM_FN_ADVERT_SOLICIT);
	CU_ASSERT_EQUAL(r.fail.msgid, 7);
	CU_ASSERT_EQUAL(r.fail.error_code, SCM_ERR_HEADER_ENCODING_ERROR);
	sc_hubtab_fini(&t);
}

static void
test_local_short_and_silent(void)
{
	static const uint8_t hb[] = { 0x0a, 0x00, 0x01, 0x23 };
	static const uint8_t bc_empty[] = { 0x01, 0x04, 0x00, 0x01, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t uc_empty[] = { 0x01, 0x04, 0x00, 0x01, 0x32,
	    0x76, 0xe4, 0xb1, 0x1d, 0x02 };
	static const uint8_t adv_short[] = { 0x04, 0x04, 0x00, 0x01, 0x32,
	    0x76, 0xe4, 0xb1, 0x1d, 0x02, 0x01, 0x00 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;

	three(&t, false, &pr, &pb, &pa);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pa, hb, sizeof(hb), &r), SC_HUB_LOCAL);
	CU_ASSERT_EQUAL(r.msg.hdr.function, SCM_FN_HEARTBEAT_REQ);
	CU_ASSERT_EQUAL(r.msg.hdr.msgid, 0x0123);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pa, hb, 3, &r), SC_HUB_DROP);
	/* Empty NPDU: NAK when unicast, silent when broadcast. */
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pa, bc_empty, sizeof(bc_empty), &r),
	    SC_HUB_DROP);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pa, uc_empty, sizeof(uc_empty), &r),
	    SC_HUB_NAK);
	CU_ASSERT_EQUAL(r.fail.error_code, SCM_ERR_PAYLOAD_EXPECTED);
	/* A truncated Advertisement is a response: never NAKed. */
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pa, adv_short, sizeof(adv_short), &r),
	    SC_HUB_DROP);
	CU_ASSERT_EQUAL(pb->tx_msgs, 0);
	CU_ASSERT_EQUAL(t.ctr.dropped_invalid, 3);
	sc_hubtab_fini(&t);
}

static void
test_unknown_function_relayed(void)
{
	static const uint8_t m[] = { 0x2a, 0x04, 0x00, 0x05, 0x32, 0x76,
	    0xe4, 0xb1, 0x1d, 0x02, 0xde, 0xad };
	static const uint8_t bad[] = { 0x2a, 0x00, 0x00, 0x05 };
	struct sc_hubtab t;
	struct sc_hub_peer *pr, *pb, *pa;
	struct sc_hub_relay r;
	uint8_t out[64];
	size_t n;

	three(&t, false, &pr, &pb, &pa);
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pr, m, sizeof(m), &r), SC_HUB_UNICAST);
	CU_ASSERT_PTR_EQUAL(r.to, pb);
	out_bytes(&r, out, &n);
	CU_ASSERT_EQUAL(out[0], 0x2a);
	CU_ASSERT_EQUAL(out[1], 0x08);
	UT_ASSERT_BYTES(out + 4, 6, vm_router, 6);
	UT_ASSERT_BYTES(out + 10, 2, m + 10, 2);
	/* Without a destination it is refused (header rule). */
	CU_ASSERT_EQUAL(sc_hub_rx(&t, pr, bad, sizeof(bad), &r), SC_HUB_NAK);
	sc_hubtab_fini(&t);
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(sc_hub_verdict_name(SC_HUB_DROP_UNKNOWN),
	    "drop-unknown-destination");
	CU_ASSERT_STRING_EQUAL(sc_hub_admit_name(SC_HUB_REFUSE_DUP_VMAC),
	    "refused-duplicate-vmac");
}

static const struct ut_case cases[] = {
	UT_CASE(test_admit_and_find),
	UT_CASE(test_dup_vmac_refused_with_e6),
	UT_CASE(test_own_vmac),
	UT_CASE(test_same_uuid_replaces),
	UT_CASE(test_set_max),
	UT_CASE(test_cap_and_bad_vmac),
	UT_CASE(test_hash_stress),
	UT_CASE(test_relay_unicast_e9),
	UT_CASE(test_relay_broadcast_e8),
	UT_CASE(test_relay_keeps_options_e1),
	UT_CASE(test_unknown_dest_and_too_big),
	UT_CASE(test_orig_vmac_nak_by_default),
	UT_CASE(test_orig_vmac_accepted_by_option),
	UT_CASE(test_no_dest_nak),
	UT_CASE(test_local_short_and_silent),
	UT_CASE(test_unknown_function_relayed),
	UT_CASE(test_names),
	UT_END
};
UT_SUITE(sc_hub, cases);
