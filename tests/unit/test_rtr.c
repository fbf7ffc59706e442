/*
 * Router engine scenarios, written as tables that read like clause 6:
 * (port, source MAC, NPDU in) -> (port, destination MAC or broadcast,
 * NPDU out).  The standard router of these tests:
 *
 *   port 0 "bip"   network 5, MAC C0A80101BAC0 (192.168.1.1:47808), 1497
 *   port 1 "sc"    network 7, MAC F2000000BAC5 (VMAC),              1497
 *   port 2 "mstp"  network 9, MAC 7F (one octet),                    501
 *
 * with two learned routes: network 20 through SC router 0200000000AA on
 * port 1, network 30 through B/IP router C0A80164BAC0 on port 0.
 * Stations: D1 = C0A8010ABAC0 (192.168.1.10) on network 5, B =
 * 3276E4B11D02 on network 7.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/hex.h"
#include "npdu/npdu_codec.h"
#include "router/rtr.h"
#include "tests/unit/harness.h"
#include "tests/unit/rtr_testport.h"

#define BC	NULL		/* expected destination: local broadcast */
#define D1	"C0A8010ABAC0"
#define NODEB	"3276E4B11D02"
#define R20	"0200000000AA"
#define R30	"C0A80164BAC0"
#define T0	CLK_SEC(1000)

struct rt_out {
	unsigned	 port;
	const char	*dst;		/* hex MAC, or BC */
	const char	*npdu;		/* NULL ends the list */
};

struct rt_case {
	const char	*what;
	unsigned	 port;
	const char	*src;
	bool		 bcast;
	const char	*npdu;
	struct rt_out	 out[4];
};

static struct rtr_tp_log lg;
static struct rtr_testport tp[4];
static struct rtr *R;
static unsigned local_count;
static struct rtr_addr local_src;
static bool local_bcast;

static void
on_local(void *arg, const struct rtr_apdu *a, uint64_t now_us)
{
	(void)arg;
	(void)now_us;
	local_count++;
	local_src = a->src;
	local_bcast = a->broadcast;
}

/* The standard router's configuration: ports 5, 7 and 9, defaults. */
static void
std_config(struct rtr_config *c)
{
	rtr_config_defaults(c);
	c->nports = 3;
	c->port[0].net = 5;
	c->port[1].net = 7;
	c->port[2].net = 9;
}

/* The max NPDU of the standard router's third port (a test may lower it). */
static size_t std_mstp_max = 501;

/* Build the standard router; learned routes only when learn is set. */
static void
std_router(struct rtr_config *cfg, bool learn)
{
	struct npdu_port *ports[3];
	struct rtr_config c;

	rtr_tp_log_init(&lg);
	rtr_tp_init(&tp[0], &lg, "bip", "C0A80101BAC0", 1497, 0);
	rtr_tp_init(&tp[1], &lg, "sc", "F2000000BAC5", 1497, 0);
	rtr_tp_init(&tp[2], &lg, "mstp", "7F", std_mstp_max, 0);
	ports[0] = &tp[0].port;
	ports[1] = &tp[1].port;
	ports[2] = &tp[2].port;
	if (cfg == NULL) {
		std_config(&c);
		cfg = &c;
	}
	R = rtr_new(cfg, ports);
	CU_ASSERT_PTR_NOT_NULL_FATAL(R);
	local_count = 0;
	rtr_set_local_handler(R, on_local, NULL);
	if (learn) {
		rtr_tp_rx(&tp[1], R20, true, "01 80 01 00 14", NULL);
		rtr_tp_rx(&tp[0], R30, true, "01 80 01 00 1E", NULL);
		CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 20));
		CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 30));
	}
	rtr_tp_log_clear(&lg);
}

static void
done(void)
{
	rtr_free(R);
	R = NULL;
}

/* The log from entry first on must be exactly out[] (NULL npdu ends). */
static void
expect_sent(const char *what, size_t first, const struct rt_out *out)
{
	size_t i, n = 0;

	while (n < 8 && out[n].npdu != NULL)
		n++;
	if (lg.n - first != n) {
		fprintf(stderr, "\n%s: %zu NPDUs sent, want %zu\n", what,
		    lg.n - first, n);
		for (i = first; i < lg.n; i++) {
			char h[512];

			hex_encode(lg.sent[i].npdu, lg.sent[i].len < 200 ?
			    lg.sent[i].len : 200, ' ', h, sizeof(h));
			fprintf(stderr, "  sent on %s %s: %s\n",
			    lg.sent[i].tp->port.name,
			    lg.sent[i].broadcast ? "bcast" : "ucast", h);
		}
		CU_FAIL("wrong number of NPDUs sent");
		return;
	}
	for (i = 0; i < n; i++) {
		const struct rtr_tp_sent *s = &lg.sent[first + i];
		uint8_t want[RTR_TP_NPDU_MAX], mac[NPDU_PORT_MAC_MAX];
		size_t wl = ut_unhex(out[i].npdu, want, sizeof(want));

		if (s->tp != &tp[out[i].port] ||
		    s->broadcast != (out[i].dst == BC))
			fprintf(stderr, "\n%s: NPDU %zu on the wrong port or "
			    "wrong kind\n", what, i);
		CU_ASSERT_PTR_EQUAL(s->tp, &tp[out[i].port]);
		CU_ASSERT_EQUAL(s->broadcast, out[i].dst == BC);
		if (out[i].dst != BC) {
			size_t ml = ut_unhex(out[i].dst, mac, sizeof(mac));

			UT_ASSERT_BYTES(s->mac, s->mac_len, mac, ml);
		}
		UT_ASSERT_BYTES(s->npdu, s->len, want, wl);
	}
}

static void
run_case(const struct rt_case *c)
{
	size_t first = lg.n;

	CU_ASSERT_EQUAL_FATAL(rtr_tp_rx(&tp[c->port], c->src, c->bcast,
	    c->npdu, NULL), 0);
	expect_sent(c->what, first, c->out);
}

/* Run each case on a fresh standard router. */
static void
run_table(const struct rt_case *cs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		std_router(NULL, true);
		run_case(&cs[i]);
		done();
	}
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Forwarding rules (digest 2.4.2) */

static const struct rt_case fwd_cases[] = {
	{ "2: no DNET: for the router itself, nothing forwarded",
	  0, D1, true, "01 00 10 08", { { 0, NULL, NULL } } },
	{ "4: global broadcast: every other port, SNET/SADR added, hop-1",
	  0, D1, true, "01 20 FF FF 00 FF 10 08",
	  { { 1, BC, "01 28 FF FF 00 00 05 06 C0 A8 01 0A BA C0 FE 10 08" },
	    { 2, BC, "01 28 FF FF 00 00 05 06 C0 A8 01 0A BA C0 FE 10 08" },
	    { 0, NULL, NULL } } },
	{ "4: global broadcast with SNET: SNET kept",
	  1, R20, true, "01 28 FF FF 00 00 14 01 33 09 10 08",
	  { { 0, BC, "01 28 FF FF 00 00 14 01 33 08 10 08" },
	    { 2, BC, "01 28 FF FF 00 00 14 01 33 08 10 08" },
	    { 0, NULL, NULL } } },
	{ "5: last hop to a station: DNET/DADR/hop removed, SNET added",
	  1, NODEB, false,
	  "01 20 00 05 06 C0 A8 01 0A BA C0 FF 20 05 0F",
	  { { 0, D1, "01 08 00 07 06 32 76 E4 B1 1D 02 20 05 0F" },
	    { 0, NULL, NULL } } },
	{ "5: last hop, remote broadcast: local broadcast on the port",
	  0, D1, false, "01 20 00 07 00 FF 10 08",
	  { { 1, BC, "01 08 00 05 06 C0 A8 01 0A BA C0 10 08" },
	    { 0, NULL, NULL } } },
	{ "5: last hop onto a 1-octet-MAC network",
	  1, NODEB, false, "01 24 00 09 01 10 FF 00 05 01 0C",
	  { { 2, "10", "01 0C 00 07 06 32 76 E4 B1 1D 02 00 05 01 0C" },
	    { 0, NULL, NULL } } },
	{ "5: existing SNET/SADR kept on the last hop",
	  1, R20, false,
	  "01 28 00 05 06 C0 A8 01 0A BA C0 00 14 06 AA BB CC DD EE FF 0A "
	  "10 08",
	  { { 0, D1, "01 08 00 14 06 AA BB CC DD EE FF 10 08" },
	    { 0, NULL, NULL } } },
	{ "6: next-hop router: DNET/DADR kept, hop-1, SNET added",
	  0, D1, false, "01 24 00 14 06 AA BB CC DD EE FF FF 00 05 01 0C",
	  { { 1, R20, "01 2C 00 14 06 AA BB CC DD EE FF 00 05 06 C0 A8 01 "
		  "0A BA C0 FE 00 05 01 0C" },
	    { 0, NULL, NULL } } },
	{ "6: remote broadcast through a next-hop router (unicast to it)",
	  1, NODEB, false, "01 20 00 1E 00 05 10 08",
	  { { 0, R30, "01 28 00 1E 00 00 07 06 32 76 E4 B1 1D 02 04 10 08" },
	    { 0, NULL, NULL } } },
	{ "3: hop count 2 still goes (becomes 1)",
	  1, NODEB, false, "01 20 00 1E 00 02 10 08",
	  { { 0, R30, "01 28 00 1E 00 00 07 06 32 76 E4 B1 1D 02 01 10 08" },
	    { 0, NULL, NULL } } },
	{ "3: hop count 1 would reach 0: discarded",
	  1, NODEB, false, "01 20 00 1E 00 01 10 08", { { 0, NULL, NULL } } },
	{ "3: hop count 0: discarded",
	  1, NODEB, false, "01 20 00 05 06 C0 A8 01 0A BA C0 00 20 05 0F",
	  { { 0, NULL, NULL } } },
	{ "3: hop count 1 on the last hop: discarded too",
	  1, NODEB, false, "01 20 00 05 06 C0 A8 01 0A BA C0 01 20 05 0F",
	  { { 0, NULL, NULL } } },
	{ "3: global broadcast with hop 1: not forwarded",
	  0, D1, true, "01 20 FF FF 00 01 10 08", { { 0, NULL, NULL } } },
	{ "3: priority (life safety) and expecting-reply kept",
	  1, NODEB, false, "01 27 00 05 06 C0 A8 01 0A BA C0 FF 00 05 01 0C",
	  { { 0, D1, "01 0F 00 07 06 32 76 E4 B1 1D 02 00 05 01 0C" },
	    { 0, NULL, NULL } } },
	{ "3: priority critical on a next hop",
	  0, D1, false, "01 22 00 14 00 FF 10 08",
	  { { 1, R20, "01 2A 00 14 00 00 05 06 C0 A8 01 0A BA C0 FE 10 08" },
	    { 0, NULL, NULL } } },
	{ "3: NL message with a DNET is routed like an APDU",
	  0, D1, false, "01 A0 00 14 00 FF 00 00 63",
	  { { 1, R20, "01 A8 00 14 00 00 05 06 C0 A8 01 0A BA C0 FE 00 00 "
		  "63" },
	    { 0, NULL, NULL } } },
	{ "7: DNET behind the arrival port (unicast): Reject 0",
	  0, D1, false, "01 20 00 1E 00 FF 10 08",
	  { { 0, D1, "01 80 03 00 00 1E" }, { 0, NULL, NULL } } },
	{ "7: DNET behind the arrival port (broadcast): ignored",
	  0, D1, true, "01 20 00 1E 00 FF 10 08", { { 0, NULL, NULL } } },
	{ "7: DNET is the arrival port's own network: Reject 0",
	  0, D1, false, "01 20 00 05 06 C0 A8 01 0B BA C0 FF 10 08",
	  { { 0, D1, "01 80 03 00 00 05" }, { 0, NULL, NULL } } },
	{ "7: the Reject of a routed NPDU goes to its SNET/SADR",
	  1, R20, false,
	  "01 28 00 14 00 00 09 01 42 05 10 08",
	  { { 1, R20, "01 A0 00 09 01 42 FF 03 00 00 14" },
	    { 0, NULL, NULL } } },
	{ "6.2: DADR of the wrong length for the network: Reject 6",
	  1, NODEB, false, "01 20 00 09 06 01 02 03 04 05 06 FF 10 08",
	  { { 1, NODEB, "01 80 03 06 00 09" }, { 0, NULL, NULL } } },
	{ "router's own MAC as DADR: delivered locally, not forwarded",
	  0, D1, false, "01 24 00 07 06 F2 00 00 00 BA C5 FF 00 05 01 0C",
	  { { 0, NULL, NULL } } },
	{ "What-Is-Network-Number with a DNET is never routed",
	  0, D1, false, "01 A0 00 07 00 FF 12", { { 0, NULL, NULL } } },
	{ "Network-Number-Is as a global broadcast is never routed",
	  0, D1, true, "01 A0 FF FF 00 FF 13 00 05 01", { { 0, NULL, NULL } } },
	{ "malformed (version 2): discarded",
	  0, D1, false, "02 20 00 07 00 FF 10 08", { { 0, NULL, NULL } } },
	{ "malformed (DLEN past the end): discarded",
	  0, D1, false, "01 20 00 07 09 01 02", { { 0, NULL, NULL } } },
};

static void
test_rtr_forwarding_table(void)
{
	run_table(fwd_cases, N(fwd_cases));
}

/* Local delivery: who the application sees as the source. */
static void
test_rtr_local_delivery(void)
{
	std_router(NULL, true);
	rtr_tp_rx(&tp[0], D1, true, "01 00 10 08", NULL);
	CU_ASSERT_EQUAL(local_count, 1);
	CU_ASSERT_EQUAL(local_src.port, 0);
	CU_ASSERT_EQUAL(local_src.net, 5);
	CU_ASSERT_EQUAL(local_src.len, 6);
	CU_ASSERT_TRUE(local_bcast);
	/* A global broadcast is processed here too. */
	rtr_tp_rx(&tp[1], R20, true, "01 28 FF FF 00 00 14 01 33 09 10 08",
	    NULL);
	CU_ASSERT_EQUAL(local_count, 2);
	CU_ASSERT_EQUAL(local_src.net, 20);
	CU_ASSERT_EQUAL(local_src.len, 1);
	CU_ASSERT_EQUAL(local_src.mac[0], 0x33);
	/* Addressed to our MAC on network 7 from network 5. */
	rtr_tp_rx(&tp[0], D1, false,
	    "01 24 00 07 06 F2 00 00 00 BA C5 FF 00 05 01 0C", NULL);
	CU_ASSERT_EQUAL(local_count, 3);
	CU_ASSERT_FALSE(local_bcast);
	CU_ASSERT_EQUAL(local_src.net, 5);
	/* A remote broadcast onto network 7: delivered here and sent on. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], D1, false, "01 20 00 07 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(local_count, 4);
	CU_ASSERT_TRUE(local_bcast);
	CU_ASSERT_EQUAL(lg.n, 1);
	CU_ASSERT_EQUAL(rtr_stats(R)->local_apdu, 4);
	done();
}

/* Data options travel with the NPDU to the outgoing port (an SC port
 * sends them on, a B/IP port ignores them by the port contract); none are
 * invented for NPDUs that arrived without. */
static void
test_rtr_data_options(void)
{
	std_router(NULL, true);
	rtr_tp_rx(&tp[0], D1, false, "01 20 00 14 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL_FATAL(lg.n, 1);
	CU_ASSERT_EQUAL(lg.sent[0].opts_len, 0);	/* none invented */
	rtr_tp_rx(&tp[1], NODEB, false, "01 20 FF FF 00 FF 10 08", "41");
	CU_ASSERT_EQUAL_FATAL(lg.n, 3);
	CU_ASSERT_EQUAL(lg.sent[1].opts_len, 1);
	CU_ASSERT_EQUAL(lg.sent[1].opts[0], 0x41);
	done();
}

/* With secure_path on the SC port, what the router originates there
 * carries Secure Path; what it forwards from B/IP never does. */
static void
test_rtr_secure_path_own(void)
{
	static const uint8_t apdu[] = { 0x10, 0x08 };
	struct rtr_config c;
	struct rtr_addr a;

	std_config(&c);
	c.port[1].secure_path = true;
	std_router(&c, true);
	rtr_start(R, T0);
	/* Network-Number-Is and I-Am-Router on each port. */
	CU_ASSERT_EQUAL_FATAL(lg.n, 6);
	CU_ASSERT_EQUAL(lg.sent[0].opts_len, 0);
	CU_ASSERT_EQUAL(lg.sent[2].opts_len, 1);
	CU_ASSERT_EQUAL(lg.sent[2].opts[0], 0x01);
	CU_ASSERT_EQUAL(lg.sent[3].opts_len, 1);
	CU_ASSERT_EQUAL(lg.sent[4].opts_len, 0);
	/* A Reject on SC. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[1], NODEB, false, "01 80 14", NULL);
	CU_ASSERT_EQUAL_FATAL(lg.n, 1);
	CU_ASSERT_EQUAL(lg.sent[0].opts_len, 1);
	/* Forwarded from B/IP onto SC: none invented. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], D1, false, "01 20 00 07 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL_FATAL(lg.n, 1);
	CU_ASSERT_PTR_EQUAL(lg.sent[0].tp, &tp[1]);
	CU_ASSERT_EQUAL(lg.sent[0].opts_len, 0);
	/* The application's own APDU on SC: Secure Path. */
	rtr_tp_log_clear(&lg);
	memset(&a, 0, sizeof(a));
	a.port = 1;
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0, apdu, sizeof(apdu), T0),
	    RTR_SEND_OK);
	CU_ASSERT_EQUAL_FATAL(lg.n, 1);
	CU_ASSERT_EQUAL(lg.sent[0].opts_len, 1);
	done();
}

/* The digest's worked examples. */
static void
test_rtr_digest_e8_e9(void)
{
	static const struct rt_case e8e9[] = {
		{ "E8: global Who-Is from B/IP onto SC",
		  0, D1, true, "01 20 FF FF 00 FF 10 08",
		  { { 1, BC, "01 28 FF FF 00 00 05 06 C0 A8 01 0A BA C0 FE "
			  "10 08" },
		    { 0, NULL, NULL } } },
		{ "E9: SimpleACK from SC node B to the B/IP device",
		  1, NODEB, false,
		  "01 20 00 05 06 C0 A8 01 0A BA C0 FF 20 05 0F",
		  { { 0, D1, "01 08 00 07 06 32 76 E4 B1 1D 02 20 05 0F" },
		    { 0, NULL, NULL } } },
	};
	struct npdu_port *ports[2];
	struct rtr_config c;
	size_t i;

	for (i = 0; i < N(e8e9); i++) {
		rtr_tp_log_init(&lg);
		rtr_tp_init(&tp[0], &lg, "bip", "C0A80101BAC0", 1497, 0);
		rtr_tp_init(&tp[1], &lg, "sc", "F2000000BAC5", 1497, 0);
		ports[0] = &tp[0].port;
		ports[1] = &tp[1].port;
		rtr_config_defaults(&c);
		c.nports = 2;
		c.port[0].net = 5;
		c.port[1].net = 7;
		R = rtr_new(&c, ports);
		CU_ASSERT_PTR_NOT_NULL_FATAL(R);
		run_case(&e8e9[i]);
		done();
	}
}

static void
test_rtr_digest_e11(void)
{
	static const struct rt_case e11[] = {
		{ "E11: global Who-Is from device 1 on network 1",
		  0, "01", true, "01 20 FF FF 00 FF 10 08",
		  { { 1, BC, "01 28 FF FF 00 00 01 01 01 FE 10 08" },
		    { 0, NULL, NULL } } },
		{ "E11: I-Am from device 4 to DNET 1 / DADR 01",
		  1, "04", false, "01 20 00 01 01 01 FF 10 00 C4 02 00 00 04 "
		  "22 04 00 91 00 22 03 E7",
		  { { 0, "01", "01 08 00 02 01 04 10 00 C4 02 00 00 04 22 04 "
			  "00 91 00 22 03 E7" },
		    { 0, NULL, NULL } } },
	};
	struct npdu_port *ports[2];
	struct rtr_config c;

	rtr_tp_log_init(&lg);
	rtr_tp_init(&tp[0], &lg, "net1", "03", 1497, 0);
	rtr_tp_init(&tp[1], &lg, "net2", "06", 1497, 0);
	ports[0] = &tp[0].port;
	ports[1] = &tp[1].port;
	rtr_config_defaults(&c);
	c.nports = 2;
	c.port[0].net = 1;
	c.port[1].net = 2;
	R = rtr_new(&c, ports);
	CU_ASSERT_PTR_NOT_NULL_FATAL(R);
	run_case(&e11[0]);
	run_case(&e11[1]);
	done();
}

/* ------------------------------------------------------------------ */
/* Network-layer messages addressed to the router (digest 2.4.3) */

static const struct rt_case nl_cases[] = {
	{ "Who-Is-Router (all): networks through the other ports",
	  0, D1, true, "01 80 00",
	  { { 0, BC, "01 80 01 00 07 00 09 00 14" }, { 0, NULL, NULL } } },
	{ "Who-Is-Router (all) on SC: 5, 9 and 30",
	  1, NODEB, true, "01 80 00",
	  { { 1, BC, "01 80 01 00 05 00 09 00 1E" }, { 0, NULL, NULL } } },
	{ "Who-Is-Router 20 (through SC): I-Am-Router 20",
	  0, D1, false, "01 80 00 00 14",
	  { { 0, BC, "01 80 01 00 14" }, { 0, NULL, NULL } } },
	{ "Who-Is-Router 7 (directly connected): I-Am-Router 7",
	  2, "10", true, "01 80 00 00 07",
	  { { 2, BC, "01 80 01 00 07" }, { 0, NULL, NULL } } },
	{ "Who-Is-Router 30 (behind the asker's port): silent",
	  0, D1, true, "01 80 00 00 1E", { { 0, NULL, NULL } } },
	{ "Who-Is-Router 5 (the asker's own network): silent",
	  0, D1, true, "01 80 00 00 05", { { 0, NULL, NULL } } },
	{ "Who-Is-Router 99 (unknown): asked on the other ports",
	  0, D1, true, "01 80 00 00 63",
	  { { 1, BC, "01 80 00 00 63" }, { 2, BC, "01 80 00 00 63" },
	    { 0, NULL, NULL } } },
	{ "Who-Is-Router forwarded with SNET: answered the same way",
	  1, R20, true, "01 88 00 14 01 33 00 00 1E",
	  { { 1, BC, "01 80 01 00 1E" }, { 0, NULL, NULL } } },
	{ "I-Am-Router 40 (new): learned and re-broadcast elsewhere",
	  2, "42", true, "01 80 01 00 28",
	  { { 0, BC, "01 80 01 00 28" }, { 1, BC, "01 80 01 00 28" },
	    { 0, NULL, NULL } } },
	{ "I-Am-Router 20 again from the same router: no echo",
	  1, R20, true, "01 80 01 00 14", { { 0, NULL, NULL } } },
	{ "I-Am-Router 20, 41 from another SC router: only news goes on",
	  1, "0200000000BB", true, "01 80 01 00 14 00 29",
	  { { 0, BC, "01 80 01 00 14 00 29" },
	    { 2, BC, "01 80 01 00 14 00 29" }, { 0, NULL, NULL } } },
	{ "I-Am-Router 20 from another port: conflict, not learned",
	  2, "42", true, "01 80 01 00 14", { { 0, NULL, NULL } } },
	{ "I-Am-Router 7 (a directly connected network): ignored",
	  0, R30, true, "01 80 01 00 07", { { 0, NULL, NULL } } },
	{ "I-Could-Be-Router: informational",
	  0, D1, true, "01 80 02 00 63 02", { { 0, NULL, NULL } } },
	{ "Router-Busy 20 from its next hop: re-broadcast",
	  1, R20, true, "01 80 04 00 14",
	  { { 0, BC, "01 80 04 00 14" }, { 2, BC, "01 80 04 00 14" },
	    { 0, NULL, NULL } } },
	{ "Router-Busy (empty list): every network behind the sender",
	  0, R30, true, "01 80 04",
	  { { 1, BC, "01 80 04 00 1E" }, { 2, BC, "01 80 04 00 1E" },
	    { 0, NULL, NULL } } },
	{ "Router-Busy 20 from a router that is not its next hop: ignored",
	  1, NODEB, true, "01 80 04 00 14", { { 0, NULL, NULL } } },
	{ "Router-Available 20 while not busy: nothing to tell",
	  1, R20, true, "01 80 05 00 14", { { 0, NULL, NULL } } },
	{ "Reject-Message-To-Network addressed to us: no answer",
	  1, R20, false, "01 80 03 01 00 14", { { 0, NULL, NULL } } },
	{ "Initialize-Routing-Table query: the whole table",
	  0, D1, false, "01 80 06 00",
	  { { 0, D1, "01 80 07 05 00 05 01 00 00 07 02 00 00 09 03 00 00 "
		  "14 02 00 00 1E 01 00" },
	    { 0, NULL, NULL } } },
	{ "Initialize-Routing-Table query from a remote network",
	  1, R20, false, "01 88 00 14 01 33 06 00",
	  { { 1, R20, "01 A0 00 14 01 33 FF 07 05 00 05 01 00 00 07 02 00 "
		  "00 09 03 00 00 14 02 00 00 1E 01 00" },
	    { 0, NULL, NULL } } },
	{ "Initialize-Routing-Table update (not allowed): Reject 0",
	  0, D1, false, "01 80 06 01 00 28 01 00",
	  { { 0, D1, "01 80 03 00 00 00" }, { 0, NULL, NULL } } },
	{ "Establish-Connection-To-Network: Reject 0 (no PTP)",
	  0, D1, false, "01 80 08 00 28 06",
	  { { 0, D1, "01 80 03 00 00 28" }, { 0, NULL, NULL } } },
	{ "Disconnect-Connection-To-Network: Reject 0",
	  0, D1, false, "01 80 09 00 28",
	  { { 0, D1, "01 80 03 00 00 28" }, { 0, NULL, NULL } } },
	{ "What-Is-Network-Number: Network-Number-Is, configured",
	  2, "10", true, "01 80 12",
	  { { 2, BC, "01 80 13 00 09 01" }, { 0, NULL, NULL } } },
	{ "What-Is-Network-Number carrying SNET: ignored",
	  2, "10", true, "01 88 00 14 01 33 12", { { 0, NULL, NULL } } },
	{ "Network-Number-Is with another number: conflict, no answer",
	  0, D1, true, "01 80 13 00 06 01", { { 0, NULL, NULL } } },
	{ "reserved type 0x14 (unicast): Reject 3",
	  0, D1, false, "01 80 14", { { 0, D1, "01 80 03 03 00 00" },
	    { 0, NULL, NULL } } },
	{ "reserved type 0x14 (broadcast): no Reject",
	  0, D1, true, "01 80 14", { { 0, NULL, NULL } } },
	{ "security type 0x0A: Reject 3",
	  0, D1, false, "01 80 0A 01 02", { { 0, D1, "01 80 03 03 00 00" },
	    { 0, NULL, NULL } } },
	{ "proprietary 0x80 (vendor 260): Reject 3",
	  0, D1, false, "01 80 80 01 04 AA", { { 0, D1, "01 80 03 03 00 00" },
	    { 0, NULL, NULL } } },
	{ "unknown type, priority urgent: Reject keeps the priority",
	  0, D1, false, "01 81 7F", { { 0, D1, "01 81 03 03 00 00" },
	    { 0, NULL, NULL } } },
	{ "malformed I-Am-Router (odd length): dropped",
	  0, R30, true, "01 80 01 00 1E 00", { { 0, NULL, NULL } } },
};

static void
test_rtr_nl_table(void)
{
	run_table(nl_cases, N(nl_cases));
}

/* An unchanged route is passed on again, but not within 10 s (so an
 * announcement cannot circle a loop of routers forever). */
static void
test_rtr_i_am_relay_hold(void)
{
	const uint8_t r20[6] = { 0x02, 0, 0, 0, 0, 0xaa };
	struct npdu_rx rx = { .src_mac = r20, .src_mac_len = 6,
	    .broadcast = true, .npdu = (const uint8_t *)"\x01\x80\x01\x00\x28",
	    .npdu_len = 5 };

	std_router(NULL, false);
	rtr_receive(R, 1, &rx, T0);
	CU_ASSERT_EQUAL(lg.n, 2);		/* new: passed on */
	rtr_receive(R, 1, &rx, T0 + CLK_SEC(9));
	CU_ASSERT_EQUAL(lg.n, 2);		/* echo: held back */
	rtr_receive(R, 1, &rx, T0 + CLK_SEC(10));
	CU_ASSERT_EQUAL(lg.n, 4);		/* again after 10 s */
	rtr_receive(R, 1, &rx, T0 + CLK_SEC(11));
	CU_ASSERT_EQUAL(lg.n, 4);
	done();
}

static void
test_rtr_nl_learning_effects(void)
{
	const struct rtr_route *rt;

	std_router(NULL, true);
	rtr_tp_rx(&tp[2], "42", true, "01 80 01 00 28", NULL);
	rt = rtr_table_find(rtr_table(R), 40);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(rt->port, 2);
	CU_ASSERT_EQUAL(rt->mac_len, 1);
	CU_ASSERT_EQUAL(rt->mac[0], 0x42);
	CU_ASSERT_EQUAL(rtr_stats(R)->learn_new, 3);
	/* Conflict: counted, the old route stays. */
	rtr_tp_rx(&tp[2], "42", true, "01 80 01 00 14", NULL);
	CU_ASSERT_EQUAL(rtr_stats(R)->learn_conflict, 1);
	CU_ASSERT_EQUAL(rtr_table_find(rtr_table(R), 20)->port, 1);
	/* Network-Number-Is disagreement on a configured port. */
	rtr_tp_rx(&tp[0], D1, true, "01 80 13 00 06 01", NULL);
	CU_ASSERT_EQUAL(rtr_stats(R)->netnum_conflict, 1);
	CU_ASSERT_EQUAL(tp[0].port.net, 5);
	/* Reject reason 1 from the next hop: unreachable. */
	rtr_tp_rx(&tp[1], R20, false, "01 80 03 01 00 14", NULL);
	CU_ASSERT_EQUAL(rtr_table_find(rtr_table(R), 20)->reach,
	    RTR_REACH_UNREACHABLE);
	/* ... so traffic for it searches again. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], D1, false, "01 20 00 14 00 FF 10 08", NULL);
	{
		static const struct rt_out o[] = {
			{ 1, BC, "01 80 00 00 14" },
			{ 2, BC, "01 80 00 00 14" },
			{ 0, NULL, NULL } };
		expect_sent("search after Reject 1", 0, o);
	}
	/* Reject reason 2: busy for 30 s. */
	rtr_tp_rx(&tp[0], R30, false, "01 80 03 02 00 1E", NULL);
	CU_ASSERT_EQUAL(rtr_table_find(rtr_table(R), 30)->reach,
	    RTR_REACH_BUSY);
	done();
}

/*
 * A Reject the router originates is addressed to the source's SNET/SADR:
 * with a long SADR it can outgrow the port's max NPDU.  It is then not
 * sent, and counted as too long (found by the router fuzzer).
 */
static void
test_rtr_reject_too_long(void)
{
	char npdu[8 * 3 + 192 * 3 + 16];
	size_t i, n;

	std_mstp_max = 200;
	std_router(NULL, true);
	std_mstp_max = 501;
	rtr_tp_rx(&tp[1], R20, true, "01 80 04 00 14", NULL);	/* busy */
	rtr_tp_log_clear(&lg);
	/* To DNET 20 from SNET 99 with a 192-octet SADR: the Reject would be
	 * 2 + 2 + 1 + 192 + 1 + 4 = 202 octets. */
	n = (size_t)snprintf(npdu, sizeof(npdu), "01 28 00 14 00 00 63 C0");
	for (i = 0; i < 192; i++)
		n += (size_t)snprintf(npdu + n, sizeof(npdu) - n, " AA");
	snprintf(npdu + n, sizeof(npdu) - n, " FF 10 08");
	rtr_tp_rx(&tp[2], "7E", false, npdu, NULL);
	CU_ASSERT_EQUAL(lg.n, 0);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_busy, 1);
	CU_ASSERT_EQUAL(rtr_stats(R)->reject_sent[2], 0);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_too_long, 1);
	done();
}

/* Router-Busy: Reject 2 while busy, forwarding again after 30 s or on
 * Router-Available. */
static void
test_rtr_busy(void)
{
	static const struct rt_out rej[] = {
		{ 0, D1, "01 80 03 02 00 14" }, { 0, NULL, NULL } };
	static const struct rt_out fwd[] = {
		{ 1, R20, "01 28 00 14 00 00 05 06 C0 A8 01 0A BA C0 FE "
		  "10 08" },
		{ 0, NULL, NULL } };
	static const struct rt_out avail[] = {
		{ 0, BC, "01 80 05 00 14" }, { 2, BC, "01 80 05 00 14" },
		{ 0, NULL, NULL } };
	const char *to20 = "01 20 00 14 00 FF 10 08";
	uint64_t t = T0;

	std_router(NULL, true);
	rtr_tp_rx(&tp[1], R20, true, "01 80 04 00 14", NULL);
	CU_ASSERT_EQUAL(rtr_next_deadline(R), 0 + RTR_BUSY_US);
	rtr_tp_log_clear(&lg);
	rtr_receive(R, 0, &(struct npdu_rx){ 0 }, t);	/* malformed */
	rtr_tp_rx(&tp[0], D1, false, to20, NULL);
	expect_sent("busy: Reject 2", 0, rej);
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], D1, true, to20, NULL);
	CU_ASSERT_EQUAL(lg.n, 0);	/* broadcast: no Reject */
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_busy, 2);
	CU_ASSERT_EQUAL(rtr_stats(R)->reject_sent[2], 1);
	/* 30 s later it is reachable again. */
	CU_ASSERT_EQUAL(rtr_tick(R, RTR_BUSY_US - 1), RTR_BUSY_US);
	rtr_tp_rx(&tp[0], D1, false, to20, NULL);
	CU_ASSERT_EQUAL(lg.n, 1);
	CU_ASSERT_EQUAL(rtr_tick(R, RTR_BUSY_US), CLK_SEC(3600));
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], D1, false, to20, NULL);
	expect_sent("busy over", 0, fwd);
	/* Busy again, then Router-Available lifts it at once. */
	rtr_tp_rx(&tp[1], R20, true, "01 80 04", NULL);
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[1], R20, true, "01 80 05", NULL);
	expect_sent("Router-Available", 0, avail);
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], D1, false, to20, NULL);
	expect_sent("available", 0, fwd);
	done();
}

/* Too long for the outgoing port: Reject 4 (unicast), not sent. */
static void
test_rtr_too_long(void)
{
	char hex[4000];
	size_t i, n;

	std_router(NULL, true);
	/* 501-octet limit on network 9: header 11 + APDU 491 = 502. */
	n = (size_t)snprintf(hex, sizeof(hex), "01 24 00 09 01 10 FF");
	for (i = 0; i < 491; i++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, " 0%X",
		    (unsigned)(i & 7));
	rtr_tp_rx(&tp[1], NODEB, false, hex, NULL);
	{
		static const struct rt_out o[] = {
			{ 1, NODEB, "01 80 03 04 00 09" }, { 0, NULL, NULL } };
		expect_sent("too long", 0, o);
	}
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_too_long, 1);
	/* One octet less fits exactly. */
	rtr_tp_log_clear(&lg);
	hex[n - 3] = '\0';
	rtr_tp_rx(&tp[1], NODEB, false, hex, NULL);
	CU_ASSERT_EQUAL_FATAL(lg.n, 1);
	CU_ASSERT_EQUAL(lg.sent[0].len, 501);
	CU_ASSERT_PTR_EQUAL(lg.sent[0].tp, &tp[2]);
	/* A global broadcast skips the port it does not fit, no Reject. */
	rtr_tp_log_clear(&lg);
	memcpy(hex, "01 20 FF FF 00 FF", 17);
	memmove(hex + 17, hex + 20, strlen(hex + 20) + 1);
	rtr_tp_rx(&tp[1], NODEB, false, hex, NULL);
	CU_ASSERT_EQUAL_FATAL(lg.n, 1);
	CU_ASSERT_PTR_EQUAL(lg.sent[0].tp, &tp[0]);
	done();
}

/* ------------------------------------------------------------------ */
/* Searching for unknown networks */

static void
test_rtr_search_found(void)
{
	static const struct rt_out ask[] = {
		{ 1, BC, "01 80 00 00 63" }, { 2, BC, "01 80 00 00 63" },
		{ 0, NULL, NULL } };
	static const struct rt_out found[] = {
		{ 2, "55", "01 28 00 63 00 00 05 06 C0 A8 01 0A BA C0 FE "
		  "10 08" },
		{ 2, "55", "01 2C 00 63 01 07 00 05 06 C0 A8 01 0A BA C0 FE "
		  "00 05 02 0C" },
		{ 0, BC, "01 80 01 00 63" },
		{ 1, BC, "01 80 01 00 63" },
		{ 0, NULL, NULL } };
	uint64_t t = T0;

	std_router(NULL, true);
	rtr_receive(R, 0, &(struct npdu_rx){ .src_mac = (const uint8_t *)
	    "\xc0\xa8\x01\x0a\xba\xc0", .src_mac_len = 6, .npdu =
	    (const uint8_t *)"\x01\x20\x00\x63\x00\xff\x10\x08",
	    .npdu_len = 8 }, t);
	expect_sent("search starts", 0, ask);
	CU_ASSERT_EQUAL(rtr_held_count(R), 1);
	CU_ASSERT_EQUAL(rtr_next_deadline(R), t + CLK_SEC(2));
	/* A second NPDU for 99: held, no second search. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], D1, false, "01 24 00 63 01 07 FF 00 05 02 0C",
	    NULL);
	CU_ASSERT_EQUAL(lg.n, 0);
	CU_ASSERT_EQUAL(rtr_held_count(R), 2);
	CU_ASSERT_EQUAL(rtr_stats(R)->search_started, 1);
	/* The answer comes from MS/TP router 55: both go, oldest first,
	 * then the I-Am-Router is passed on to the other ports. */
	rtr_tp_rx(&tp[2], "55", true, "01 80 01 00 63", NULL);
	expect_sent("search found", 0, found);
	CU_ASSERT_EQUAL(rtr_held_count(R), 0);
	CU_ASSERT_EQUAL(rtr_stats(R)->search_found, 1);
	CU_ASSERT_EQUAL(rtr_stats(R)->released, 2);
	/* The timeout passes without effect. */
	rtr_tp_log_clear(&lg);
	rtr_tick(R, t + CLK_SEC(5));
	CU_ASSERT_EQUAL(lg.n, 0);
	done();
}

static void
test_rtr_search_fails(void)
{
	static const struct rt_out rej[] = {
		{ 0, D1, "01 80 03 01 00 63" },
		{ 1, R20, "01 A0 00 14 01 33 FF 03 01 00 63" },
		{ 0, NULL, NULL } };
	static const struct rt_out again[] = {
		{ 0, D1, "01 80 03 01 00 63" }, { 0, NULL, NULL } };
	static const struct rt_out ask[] = {
		{ 1, BC, "01 80 00 00 63" }, { 2, BC, "01 80 00 00 63" },
		{ 0, NULL, NULL } };
	uint64_t t = T0;

	std_router(NULL, true);
	rtr_receive(R, 0, &(struct npdu_rx){ .src_mac = (const uint8_t *)
	    "\xc0\xa8\x01\x0a\xba\xc0", .src_mac_len = 6, .npdu =
	    (const uint8_t *)"\x01\x24\x00\x63\x00\xff\x00\x05\x01\x0c",
	    .npdu_len = 10 }, t);
	/* From network 20 through the SC router, and a broadcast one. */
	rtr_receive(R, 1, &(struct npdu_rx){ .src_mac = (const uint8_t *)
	    "\x02\x00\x00\x00\x00\xaa", .src_mac_len = 6, .npdu =
	    (const uint8_t *)"\x01\x28\x00\x63\x00\x00\x14\x01\x33\x09\x10"
	    "\x08", .npdu_len = 12 }, t + 1);
	rtr_receive(R, 0, &(struct npdu_rx){ .src_mac = (const uint8_t *)
	    "\xc0\xa8\x01\x0a\xba\xc0", .src_mac_len = 6, .broadcast = true,
	    .npdu = (const uint8_t *)"\x01\x20\x00\x63\x00\xff\x10\x08",
	    .npdu_len = 8 }, t + 2);
	CU_ASSERT_EQUAL(rtr_held_count(R), 3);
	CU_ASSERT_EQUAL(rtr_stats(R)->search_started, 1);
	rtr_tp_log_clear(&lg);
	CU_ASSERT_EQUAL(rtr_tick(R, t + CLK_SEC(2) - 1), t + CLK_SEC(2));
	CU_ASSERT_EQUAL(lg.n, 0);
	/* Timeout: Reject 1 to each unicast source, toward its SNET. */
	CU_ASSERT_EQUAL(rtr_tick(R, t + CLK_SEC(2)), t + CLK_SEC(12));
	expect_sent("search failed", 0, rej);
	CU_ASSERT_EQUAL(rtr_held_count(R), 0);
	CU_ASSERT_EQUAL(rtr_stats(R)->search_failed, 1);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_no_route, 3);
	CU_ASSERT_EQUAL(rtr_stats(R)->reject_sent[1], 2);
	/* During the hold-down: Reject 1 at once, no new search. */
	rtr_tp_log_clear(&lg);
	rtr_receive(R, 0, &(struct npdu_rx){ .src_mac = (const uint8_t *)
	    "\xc0\xa8\x01\x0a\xba\xc0", .src_mac_len = 6, .npdu =
	    (const uint8_t *)"\x01\x20\x00\x63\x00\xff\x10\x08",
	    .npdu_len = 8 }, t + CLK_SEC(5));
	expect_sent("hold-down", 0, again);
	/* After it: a new search. */
	rtr_tick(R, t + CLK_SEC(12));
	rtr_tp_log_clear(&lg);
	rtr_receive(R, 0, &(struct npdu_rx){ .src_mac = (const uint8_t *)
	    "\xc0\xa8\x01\x0a\xba\xc0", .src_mac_len = 6, .npdu =
	    (const uint8_t *)"\x01\x20\x00\x63\x00\xff\x10\x08",
	    .npdu_len = 8 }, t + CLK_SEC(13));
	expect_sent("searched again", 0, ask);
	done();
}

/* A stream of requests for missing networks stays bounded. */
static void
test_rtr_search_bounded(void)
{
	struct rtr_config c;
	uint8_t npdu[8] = { 0x01, 0x20, 0x00, 0x00, 0x00, 0xff, 0x10, 0x08 };
	const uint8_t d1[6] = { 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0 };
	struct npdu_rx rx = { .src_mac = d1, .src_mac_len = 6, .npdu = npdu,
	    .npdu_len = 8 };
	unsigned i;

	std_config(&c);
	c.search_max = 4;
	c.queue_max = 8;
	std_router(&c, false);
	/* 1000 NPDUs for network 99: one search (2 Who-Is), 8 held. */
	npdu[3] = 99;
	for (i = 0; i < 1000; i++)
		rtr_receive(R, 0, &rx, T0 + i);
	CU_ASSERT_EQUAL(lg.n, 2);
	CU_ASSERT_EQUAL(rtr_held_count(R), 8);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_queue_full, 992);
	CU_ASSERT_EQUAL(rtr_stats(R)->search_started, 1);
	/* 100 different networks: 4 searches at a time. */
	rtr_tp_log_clear(&lg);
	for (i = 0; i < 100; i++) {
		npdu[3] = (uint8_t)(100 + i);
		rtr_receive(R, 0, &rx, T0 + 1000 + i);
	}
	CU_ASSERT_EQUAL(lg.n, 3 * 2);
	CU_ASSERT_EQUAL(rtr_stats(R)->search_started, 4);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_search_full, 97);
	CU_ASSERT_EQUAL(rtr_held_count(R), 8);
	done();
}

/* ------------------------------------------------------------------ */
/* Start-up, unconfigured ports, learning refused, rate limits, config */

static void
test_rtr_port_up(void)
{
	static const struct rt_out up_sc[] = {
		{ 1, BC, "01 80 13 00 07 01" },
		{ 1, BC, "01 80 01 00 05 00 09 00 1E" },
		{ 0, NULL, NULL } };
	static const struct rt_out e12[] = {
		{ 1, BC, "01 80 13 00 07 01" },
		{ 1, BC, "01 80 01 00 05" }, { 0, NULL, NULL } };
	struct npdu_port *ports[2];
	struct rtr_config c;

	std_router(NULL, true);
	/* The SC hub connection comes up (through the port contract). */
	npdu_port_set_up(&tp[1].port, false);
	npdu_port_set_up(&tp[1].port, true);
	expect_sent("SC port up", 0, up_sc);
	/* A port that is down gets nothing. */
	rtr_tp_log_clear(&lg);
	tp[2].port.up = false;
	rtr_port_up(R, 2, T0);
	rtr_tp_rx(&tp[0], D1, true, "01 20 FF FF 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(lg.n, 1);
	done();
	/* E12: the start-up announcement of a two-port router on SC. */
	rtr_tp_log_init(&lg);
	rtr_tp_init(&tp[0], &lg, "bip", "C0A80101BAC0", 1497, 0);
	rtr_tp_init(&tp[1], &lg, "sc", "F2000000BAC5", 1497, 0);
	ports[0] = &tp[0].port;
	ports[1] = &tp[1].port;
	rtr_config_defaults(&c);
	c.nports = 2;
	c.port[0].net = 5;
	c.port[1].net = 7;
	R = rtr_new(&c, ports);
	CU_ASSERT_PTR_NOT_NULL_FATAL(R);
	tp[0].port.up = false;
	rtr_start(R, T0);
	expect_sent("E12 start-up", 0, e12);
	done();
}

static void
test_rtr_announce_split(void)
{
	struct rtr_config c;
	unsigned i, nets = 0;

	std_config(&c);
	c.nl_rate_burst = 0;
	std_router(&c, false);
	/* 400 networks behind SC: the 501-octet MS/TP port needs 2. */
	for (i = 0; i < 400; i++) {
		char h[32];

		snprintf(h, sizeof(h), "01 80 01 %02X %02X", (1000 + i) >> 8,
		    (1000 + i) & 0xff);
		rtr_tp_rx(&tp[1], R20, true, h, NULL);
	}
	rtr_tp_log_clear(&lg);
	rtr_port_up(R, 2, T0);
	CU_ASSERT_EQUAL_FATAL(lg.n, 3);
	for (i = 1; i < 3; i++) {
		CU_ASSERT_TRUE(lg.sent[i].len <= 501);
		nets += (unsigned)(lg.sent[i].len - 3) / 2;
	}
	CU_ASSERT_EQUAL(nets, 402);	/* 5, 7 and the 400 */
	done();
}

static void
test_rtr_unconfigured_port(void)
{
	struct rtr_config c;

	rtr_config_defaults(&c);
	c.nports = 3;
	c.port[0].net = 5;
	c.port[1].net = 7;
	c.port[2].net = 0;
	std_router(&c, false);
	/* No number: What-Is-Network-Number unanswered; traffic from it
	 * is forwarded without SNET. */
	rtr_tp_rx(&tp[2], "10", true, "01 80 12", NULL);
	CU_ASSERT_EQUAL(lg.n, 0);
	/* A learned number (flag 0) is not taken, a configured one is. */
	rtr_tp_rx(&tp[2], "10", true, "01 80 13 00 09 00", NULL);
	CU_ASSERT_EQUAL(tp[2].port.net, 0);
	rtr_tp_rx(&tp[2], "10", true, "01 80 13 00 09 01", NULL);
	CU_ASSERT_EQUAL(tp[2].port.net, 9);
	CU_ASSERT_EQUAL(rtr_stats(R)->netnum_learned, 1);
	CU_ASSERT_TRUE(rtr_table_find(rtr_table(R), 9)->direct);
	/* Now it answers with flag 0 (learned) and routes to network 9. */
	rtr_tp_rx(&tp[2], "10", true, "01 80 12", NULL);
	CU_ASSERT_EQUAL_FATAL(lg.n, 1);
	{
		static const struct rt_out o[] = {
			{ 2, BC, "01 80 13 00 09 00" },
			{ 2, "10", "01 08 00 05 06 C0 A8 01 0A BA C0 10 08" },
			{ 0, NULL, NULL } };

		rtr_tp_rx(&tp[0], D1, false, "01 20 00 09 01 10 FF 10 08",
		    NULL);
		expect_sent("learned network number", 0, o);
	}
	/* Another port's number: a conflict, refused. */
	rtr_tp_rx(&tp[2], "10", true, "01 80 13 00 05 01", NULL);
	CU_ASSERT_EQUAL(tp[2].port.net, 9);
	CU_ASSERT_EQUAL(rtr_stats(R)->netnum_conflict, 1);
	done();
}

static void
test_rtr_learning_refused(void)
{
	struct rtr_config c;

	std_config(&c);
	c.port[0].learn = false;
	std_router(&c, false);
	rtr_tp_rx(&tp[0], R30, true, "01 80 01 00 1E", NULL);
	CU_ASSERT_PTR_NULL(rtr_table_find(rtr_table(R), 30));
	CU_ASSERT_EQUAL(rtr_stats(R)->learn_refused, 1);
	CU_ASSERT_EQUAL(lg.n, 0);	/* and not passed on */
	rtr_tp_rx(&tp[1], R20, true, "01 80 01 00 14", NULL);
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 20));
	done();
}

/* A request from network 20 teaches the way back: the reply needs no
 * search (return route, as REF learns it). */
static void
test_rtr_return_route(void)
{
	static const struct rt_out o[] = {
		{ 0, D1, "01 0C 00 14 01 33 00 05 01 0C" },
		{ 1, R20, "01 28 00 14 01 33 00 05 06 C0 A8 01 0A BA C0 FE 20 "
		  "05 0C" },
		{ 0, NULL, NULL } };
	static const struct rt_out o_refused[] = {
		{ 0, D1, "01 0C 00 14 01 33 00 05 01 0C" },
		{ 1, BC, "01 80 00 00 14" },
		{ 2, BC, "01 80 00 00 14" },
		{ 0, NULL, NULL } };
	struct rtr_config c;
	int refused;

	for (refused = 0; refused < 2; refused++) {
		rtr_config_defaults(&c);
		c.nports = 3;
		c.port[0].net = 5;
		c.port[1].net = 7;
		c.port[2].net = 9;
		c.port[1].learn = refused == 0;
		std_router(&c, false);
		rtr_tp_rx(&tp[1], R20, false, "01 2C 00 05 06 C0 A8 01 0A BA C0 "
		    "00 14 01 33 0A 00 05 01 0C", NULL);
		rtr_tp_rx(&tp[0], D1, false, "01 20 00 14 01 33 FF 20 05 0C",
		    NULL);
		expect_sent(refused ? "no return route" : "return route", 0,
		    refused ? o_refused : o);
		CU_ASSERT_EQUAL(rtr_stats(R)->learn_return, refused ? 0 : 1);
		done();
	}
}

static void
test_rtr_init_rt_update(void)
{
	struct rtr_config c;

	std_config(&c);
	c.init_rt_updates = true;
	std_router(&c, true);
	/* Add 40 through the sender's port (ID 2), delete 20. */
	rtr_tp_rx(&tp[1], R20, false, "01 80 06 02 00 28 02 00 00 14 00 00",
	    NULL);
	{
		static const struct rt_out o[] = {
			{ 1, R20, "01 80 07 00" }, { 0, NULL, NULL } };
		expect_sent("Init-RT update", 0, o);
	}
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 40));
	CU_ASSERT_PTR_NULL(rtr_table_find(rtr_table(R), 20));
	done();
}

static void
test_rtr_nl_rate_limit(void)
{
	struct rtr_config c;
	unsigned i;

	std_config(&c);
	c.nl_rate_burst = 5;
	c.nl_rate_interval_us = CLK_SEC(1);
	std_router(&c, false);
	for (i = 0; i < 20; i++)
		rtr_receive(R, 0, &(struct npdu_rx){ .src_mac =
		    (const uint8_t *)"\xc0\xa8\x01\x0a\xba\xc0",
		    .src_mac_len = 6, .broadcast = true, .npdu =
		    (const uint8_t *)"\x01\x80\x00", .npdu_len = 3 }, T0);
	CU_ASSERT_EQUAL(lg.n, 5);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_nl_ratelim, 15);
	/* Another peer has its own budget. */
	rtr_tp_rx(&tp[0], R30, true, "01 80 00", NULL);
	CU_ASSERT_EQUAL(lg.n, 6);
	/* One more a second later. */
	rtr_receive(R, 0, &(struct npdu_rx){ .src_mac =
	    (const uint8_t *)"\xc0\xa8\x01\x0a\xba\xc0", .src_mac_len = 6,
	    .broadcast = true, .npdu = (const uint8_t *)"\x01\x80\x00",
	    .npdu_len = 3 }, T0 + CLK_SEC(1));
	CU_ASSERT_EQUAL(lg.n, 7);
	/* Forwarded traffic is not limited. */
	for (i = 0; i < 20; i++)
		rtr_tp_rx(&tp[0], D1, false, "01 20 00 07 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(lg.n, 27);
	done();
}

/*
 * Network-layer requests from ever new (forged) sources: each source has
 * its own budget, but all of them together have one too (4 peers' worth),
 * so 100 Who-Is-Router-To-Network from 100 sources draw 20 broadcasts.
 */
static void
test_rtr_nl_rate_limit_all(void)
{
	struct rtr_config c;
	uint8_t mac[6] = { 0xc0, 0xa8, 0x01, 0x0a, 0x00, 0x00 };
	unsigned i;

	std_config(&c);
	c.nl_rate_burst = 5;
	c.nl_rate_interval_us = CLK_SEC(1);
	std_router(&c, false);
	for (i = 0; i < 100; i++) {
		mac[4] = (uint8_t)(0x80 + i / 256);
		mac[5] = (uint8_t)i;
		rtr_receive(R, 0, &(struct npdu_rx){ .src_mac = mac,
		    .src_mac_len = 6, .broadcast = true, .npdu =
		    (const uint8_t *)"\x01\x80\x00", .npdu_len = 3 }, T0);
	}
	CU_ASSERT_EQUAL(lg.n, 20);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_nl_ratelim, 80);
	/* The shared budget refills at 4 per second. */
	mac[5] = 200;
	rtr_receive(R, 0, &(struct npdu_rx){ .src_mac = mac, .src_mac_len = 6,
	    .broadcast = true, .npdu = (const uint8_t *)"\x01\x80\x00",
	    .npdu_len = 3 }, T0 + CLK_MS(250));
	CU_ASSERT_EQUAL(lg.n, 21);
	done();
}

/* A broadcast storm arriving on one port is cut per arrival port. */
static void
test_rtr_bcast_rate_limit(void)
{
	struct rtr_config c;
	unsigned i;

	std_config(&c);
	c.bcast_rate_burst = 10;
	c.bcast_rate_interval_us = CLK_SEC(1);
	std_router(&c, false);
	/* 30 global Who-Is on port 0: 10 go out on ports 1 and 2. */
	for (i = 0; i < 30; i++)
		rtr_tp_rx(&tp[0], D1, true, "01 20 FF FF 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(lg.n, 20);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_bcast_ratelim, 20);
	CU_ASSERT_EQUAL(rtr_stats(R)->fwd_global, 20);
	/* Remote broadcasts from port 0 share the exhausted budget. */
	rtr_tp_rx(&tp[0], D1, false, "01 20 00 07 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(lg.n, 20);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_bcast_ratelim, 21);
	/* The other side is not affected: port 1 still forwards. */
	rtr_tp_rx(&tp[1], NODEB, true, "01 20 FF FF 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(lg.n, 22);
	/* Unicast traffic from the storming port still goes through. */
	rtr_tp_rx(&tp[0], D1, false, "01 20 00 07 06 3276E4B11D02 FF 10 08",
	    NULL);
	CU_ASSERT_EQUAL(lg.n, 23);
	done();
}

/* With the limit off (burst 0) nothing is dropped. */
static void
test_rtr_bcast_rate_off(void)
{
	struct rtr_config c;
	unsigned i;

	rtr_config_defaults(&c);
	c.nports = 2;
	c.port[0].net = 5;
	c.port[1].net = 7;
	c.bcast_rate_burst = 0;
	std_router(&c, false);
	for (i = 0; i < 1000; i++)
		rtr_tp_rx(&tp[0], D1, true, "01 20 FF FF 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(rtr_stats(R)->fwd_global, 1000);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_bcast_ratelim, 0);
	done();
}

/* A reload changes the limits of a running router (rtr_set_limits). */
static void
test_rtr_set_limits(void)
{
	struct rtr_config c, n;
	uint8_t npdu[8] = { 0x01, 0x20, 0x00, 99, 0x00, 0xff, 0x10, 0x08 };
	const uint8_t d1[6] = { 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0 };
	struct npdu_rx rx = { .src_mac = d1, .src_mac_len = 6, .npdu = npdu,
	    .npdu_len = 8 };
	const char *why = NULL;
	uint64_t drops, fwd;
	unsigned i;

	std_config(&c);
	c.table_max = 5;
	c.queue_max = 8;
	c.bcast_rate_burst = 10;
	c.bcast_rate_interval_us = CLK_SEC(1);
	std_router(&c, true);
	/* Full: 3 direct + 20 + 30.  Network 40 does not fit. */
	rtr_tp_rx(&tp[1], R20, true, "01 80 01 00 28", NULL);
	CU_ASSERT_PTR_NULL(rtr_table_find(rtr_table(R), 40));
	CU_ASSERT_EQUAL(rtr_stats(R)->learn_full, 1);
	/* Shrinking below the 5 routes held is refused; nothing changes. */
	n = c;
	n.table_max = 4;
	n.queue_max = 2;
	CU_ASSERT_FALSE(rtr_limits_fit(R, &n, &why));
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), -1);
	CU_ASSERT_EQUAL(rtr_config_of(R)->table_max, 5);
	CU_ASSERT_EQUAL(rtr_config_of(R)->queue_max, 8);
	CU_ASSERT_EQUAL(rtr_table_count(rtr_table(R)), 5);
	/* Room for one more: 40 is learned now, routes kept. */
	n.table_max = 6;
	n.queue_max = 8;
	CU_ASSERT_TRUE(rtr_limits_fit(R, &n, &why));
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	rtr_tp_rx(&tp[1], R20, true, "01 80 01 00 28", NULL);
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 40));
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 20));
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 30));
	/* Queue: 8 held for network 99; down to 3 drops the 5 oldest. */
	for (i = 0; i < 20; i++)
		rtr_receive(R, 0, &rx, T0 + i);
	CU_ASSERT_EQUAL(rtr_held_count(R), 8);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_queue_full, 12);
	n.queue_max = 3;
	n.table_max = 8;
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	CU_ASSERT_EQUAL(rtr_held_count(R), 3);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_queue_full, 17);
	/* The route appears: the 3 kept are sent on, then none is held. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[1], R20, true, "01 80 01 00 63", NULL);
	CU_ASSERT_EQUAL(rtr_stats(R)->released, 3);
	CU_ASSERT_EQUAL(rtr_held_count(R), 0);
	/* Queue off: nothing is held any more. */
	n.queue_max = 0;
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	npdu[3] = 98;
	rtr_receive(R, 0, &rx, T0 + CLK_SEC(20));
	CU_ASSERT_EQUAL(rtr_held_count(R), 0);
	/* Broadcasts: at most 10 of 30 pass; with the limit off all. */
	for (i = 0; i < 30; i++)
		rtr_tp_rx(&tp[0], D1, true, "01 20 FF FF 00 FF 10 08", NULL);
	drops = rtr_stats(R)->drop_bcast_ratelim;
	CU_ASSERT_TRUE(drops >= 20);
	n.bcast_rate_burst = 0;
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	fwd = rtr_stats(R)->fwd_global;
	for (i = 0; i < 30; i++)
		rtr_tp_rx(&tp[0], D1, true, "01 20 FF FF 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_bcast_ratelim, drops);
	CU_ASSERT_EQUAL(rtr_stats(R)->fwd_global, fwd + 60);
	/* ... and back on with a burst of 1: the bucket is empty. */
	n.bcast_rate_burst = 1;
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	rtr_tp_rx(&tp[0], D1, true, "01 20 FF FF 00 FF 10 08", NULL);
	CU_ASSERT_EQUAL(rtr_stats(R)->drop_bcast_ratelim, drops + 1);
	/* Initialize-Routing-Table updates: refused, then accepted. */
	rtr_tp_rx(&tp[1], R20, false, "01 80 06 01 00 29 02 00", NULL);
	CU_ASSERT_PTR_NULL(rtr_table_find(rtr_table(R), 41));
	n.table_max = 10;
	n.init_rt_updates = true;
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	rtr_tp_rx(&tp[1], R20, false, "01 80 06 01 00 29 02 00", NULL);
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 41));
	CU_ASSERT_EQUAL(rtr_config_of(R)->table_max, 10);
	/* learn off on port 1: I-Am-Router-To-Network 42 is refused there,
	   the routes learned before stay. */
	n.port[1].learn = false;
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	CU_ASSERT_FALSE(rtr_config_of(R)->port[1].learn);
	rtr_tp_rx(&tp[1], R20, true, "01 80 01 00 2A", NULL);
	CU_ASSERT_PTR_NULL(rtr_table_find(rtr_table(R), 42));
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 40));
	CU_ASSERT_TRUE(rtr_stats(R)->learn_refused > 0);
	n.port[1].learn = true;
	CU_ASSERT_EQUAL(rtr_set_limits(R, &n, &why), 0);
	rtr_tp_rx(&tp[1], R20, true, "01 80 01 00 2A", NULL);
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(R), 42));
	done();
}

static void
test_rtr_config_checks(void)
{
	struct npdu_port *ports[3];
	struct rtr_config c;

	rtr_tp_log_init(&lg);
	rtr_tp_init(&tp[0], &lg, "a", "01", 1497, 0);
	rtr_tp_init(&tp[1], &lg, "b", "02", 1497, 0);
	ports[0] = &tp[0].port;
	ports[1] = &tp[1].port;
	ports[2] = NULL;
	rtr_config_defaults(&c);
	c.nports = 2;
	c.port[0].net = 5;
	c.port[1].net = 5;		/* one number on two ports */
	CU_ASSERT_PTR_NULL(rtr_new(&c, ports));
	c.port[1].net = 0xffff;
	CU_ASSERT_PTR_NULL(rtr_new(&c, ports));
	c.nports = 3;			/* a NULL port */
	c.port[1].net = 6;
	CU_ASSERT_PTR_NULL(rtr_new(&c, ports));
	c.nports = 0;
	CU_ASSERT_PTR_NULL(rtr_new(&c, ports));
	c.nports = 2;
	R = rtr_new(&c, ports);
	CU_ASSERT_PTR_NOT_NULL_FATAL(R);
	CU_ASSERT_EQUAL(tp[0].port.id, 1);
	CU_ASSERT_EQUAL(tp[1].port.id, 2);
	CU_ASSERT_EQUAL(tp[1].port.net, 6);
	done();
	/* Detached: delivering is a no-op now. */
	CU_ASSERT_PTR_NULL(tp[0].port.user.receive);
	rtr_free(NULL);
}

/* ------------------------------------------------------------------ */
/* The router's own application sending */

static void
test_rtr_send_apdu(void)
{
	static const uint8_t apdu[] = { 0x10, 0x00, 0xc4, 0x02, 0x00, 0x00,
	    0x04 };
	struct rtr_addr a;

	std_router(NULL, true);
	memset(&a, 0, sizeof(a));
	/* Local broadcast on port 0. */
	a.port = 0;
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0, apdu, sizeof(apdu), T0),
	    RTR_SEND_OK);
	/* To station B on network 7 (direct): local unicast on SC. */
	a.net = 7;
	a.len = 6;
	memcpy(a.mac, "\x32\x76\xe4\xb1\x1d\x02", 6);
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0x04, apdu, sizeof(apdu), T0),
	    RTR_SEND_OK);
	/* To network 20 through the SC router. */
	a.net = 20;
	a.len = 1;
	a.mac[0] = 0x33;
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0x01, apdu, sizeof(apdu), T0),
	    RTR_SEND_OK);
	/* Global broadcast: every port. */
	a.net = 0xffff;
	a.len = 0;
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0, apdu, sizeof(apdu), T0),
	    RTR_SEND_OK);
	{
		static const struct rt_out o[] = {
			{ 0, BC, "01 00 10 00 C4 02 00 00 04" },
			{ 1, NODEB, "01 04 10 00 C4 02 00 00 04" },
			{ 1, R20, "01 21 00 14 01 33 FF 10 00 C4 02 00 00 04" },
			{ 0, BC, "01 20 FF FF 00 FF 10 00 C4 02 00 00 04" },
			{ 1, BC, "01 20 FF FF 00 FF 10 00 C4 02 00 00 04" },
			{ 2, BC, "01 20 FF FF 00 FF 10 00 C4 02 00 00 04" },
			{ 0, NULL, NULL } };
		expect_sent("application sends", 0, o);
	}
	/* Unknown network: held during the search, sent when found. */
	rtr_tp_log_clear(&lg);
	a.net = 99;
	a.len = 1;
	a.mac[0] = 0x01;
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0, apdu, sizeof(apdu), T0),
	    RTR_SEND_HELD);
	CU_ASSERT_EQUAL(lg.n, 3);	/* Who-Is-Router on every port */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&tp[0], R30, true, "01 80 01 00 63", NULL);
	CU_ASSERT_EQUAL_FATAL(lg.n, 3);
	{
		uint8_t want[32];
		size_t wl = ut_unhex("01 20 00 63 01 01 FF 10 00 C4 02 00 00 04",
		    want, sizeof(want));

		CU_ASSERT_PTR_EQUAL(lg.sent[0].tp, &tp[0]);
		UT_ASSERT_BYTES(lg.sent[0].npdu, lg.sent[0].len, want, wl);
	}
	/* Busy network and bad addresses. */
	rtr_tp_rx(&tp[1], R20, true, "01 80 04 00 14", NULL);
	a.net = 20;
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0, apdu, sizeof(apdu), T0),
	    RTR_SEND_BUSY);
	a.net = 0;
	a.port = 7;
	CU_ASSERT_EQUAL(rtr_send_apdu(R, &a, 0, apdu, sizeof(apdu), T0),
	    RTR_SEND_FAILED);
	done();
}

/* ------------------------------------------------------------------ */
/* Three routers in a chain:
 *
 *   X(01) --net 1-- A --net 2-- B --net 3-- C --net 4-- Y(04)
 *
 * A: 0A on net 1, 0B on net 2; B: 0C on net 2, 0D on net 3;
 * C: 0E on net 3, 0F on net 4.  One-octet MACs. */

static struct rtr *chain[3];
static struct rtr_testport ctp[8];

static void
chain_build(bool announce)
{
	static const char *const macs[8] = {
		"0A", "0B", "0C", "0D", "0E", "0F", "01", "04" };
	static const unsigned lans[8] = { 1, 2, 2, 3, 3, 4, 1, 4 };
	struct rtr_config c;
	size_t i;

	rtr_tp_log_init(&lg);
	for (i = 0; i < 8; i++)
		rtr_tp_init(&ctp[i], &lg, macs[i], macs[i], 1497, lans[i]);
	for (i = 0; i < 3; i++) {
		struct npdu_port *ports[2] = { &ctp[2 * i].port,
		    &ctp[2 * i + 1].port };

		rtr_config_defaults(&c);
		c.nports = 2;
		c.port[0].net = (uint16_t)(i + 1);
		c.port[1].net = (uint16_t)(i + 2);
		chain[i] = rtr_new(&c, ports);
		CU_ASSERT_PTR_NOT_NULL_FATAL(chain[i]);
	}
	if (announce) {
		for (i = 0; i < 6; i++)
			npdu_port_set_up(&ctp[i].port, true);
		rtr_tp_pump(&lg, 1000);
	}
	rtr_tp_log_clear(&lg);
}

static void
chain_free(void)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		rtr_free(chain[i]);
		chain[i] = NULL;
	}
}

/* Return the log entry sent by port p, or NULL. */
static const struct rtr_tp_sent *
sent_by(const struct rtr_testport *p, size_t nth)
{
	size_t i;

	for (i = 0; i < lg.n; i++)
		if (lg.sent[i].tp == p && nth-- == 0)
			return &lg.sent[i];
	return NULL;
}

static void
expect_entry(const struct rtr_tp_sent *s, const char *hex)
{
	uint8_t want[256];
	size_t wl = ut_unhex(hex, want, sizeof(want));

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	UT_ASSERT_BYTES(s->npdu, s->len, want, wl);
}

static void
test_rtr_chain_learned(void)
{
	const struct rtr_route *rt;

	chain_build(true);
	/* A learned 3 and 4 through B (0C on its port 1). */
	rt = rtr_table_find(rtr_table(chain[0]), 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(rt->port, 1);
	CU_ASSERT_EQUAL(rt->mac[0], 0x0c);
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(rtr_table(chain[0]), 3));
	/* C learned 1 and 2 through B (0D). */
	rt = rtr_table_find(rtr_table(chain[2]), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(rt->mac[0], 0x0d);
	CU_ASSERT_EQUAL(rtr_table_count(rtr_table(chain[1])), 4);
	CU_ASSERT_EQUAL(rtr_stats(chain[0])->learn_conflict, 0);
	CU_ASSERT_EQUAL(rtr_stats(chain[1])->learn_conflict, 0);

	/* X -> Y (confirmed request, hop 255): three hops. */
	rtr_tp_rx(&ctp[0], "01", false, "01 24 00 04 01 04 FF 00 05 07 0C",
	    NULL);
	rtr_tp_pump(&lg, 100);
	CU_ASSERT_EQUAL(lg.n, 3);
	expect_entry(sent_by(&ctp[1], 0),
	    "01 2C 00 04 01 04 00 01 01 01 FE 00 05 07 0C");
	expect_entry(sent_by(&ctp[3], 0),
	    "01 2C 00 04 01 04 00 01 01 01 FD 00 05 07 0C");
	expect_entry(sent_by(&ctp[5], 0), "01 0C 00 01 01 01 00 05 07 0C");
	CU_ASSERT_EQUAL(sent_by(&ctp[5], 0)->mac[0], 0x04);
	/* Y answers X: back through C, B, A. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&ctp[5], "04", false, "01 20 00 01 01 01 FF 20 07 0C",
	    NULL);
	rtr_tp_pump(&lg, 100);
	CU_ASSERT_EQUAL(lg.n, 3);
	expect_entry(sent_by(&ctp[0], 0), "01 08 00 04 01 04 20 07 0C");
	CU_ASSERT_EQUAL(sent_by(&ctp[0], 0)->mac[0], 0x01);
	chain_free();
}

static void
test_rtr_chain_hop_count(void)
{
	chain_build(true);
	/* Hop 4: A 3, B 2, C needs 2 -> 1 on the last hop: delivered. */
	rtr_tp_rx(&ctp[0], "01", false, "01 20 00 04 01 04 04 10 08", NULL);
	rtr_tp_pump(&lg, 100);
	CU_ASSERT_EQUAL(lg.n, 3);
	/* Hop 3: dropped by C. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&ctp[0], "01", false, "01 20 00 04 01 04 03 10 08", NULL);
	rtr_tp_pump(&lg, 100);
	CU_ASSERT_EQUAL(lg.n, 2);
	CU_ASSERT_EQUAL(rtr_stats(chain[2])->drop_hop_count, 1);
	/* A global broadcast crosses all three and reaches net 4 once. */
	rtr_tp_log_clear(&lg);
	rtr_tp_rx(&ctp[0], "01", true, "01 20 FF FF 00 FF 10 08", NULL);
	rtr_tp_pump(&lg, 100);
	CU_ASSERT_EQUAL(lg.n, 3);
	expect_entry(sent_by(&ctp[5], 0),
	    "01 28 FF FF 00 00 01 01 01 FC 10 08");
	chain_free();
}

static void
test_rtr_chain_search(void)
{
	/* No announcements: A must find network 4 by asking. */
	chain_build(false);
	rtr_tp_rx(&ctp[0], "01", false, "01 20 00 04 01 04 FF 10 08", NULL);
	rtr_tp_pump(&lg, 1000);
	/* Y got it, from C, with SNET 1 / SADR 01. */
	{
		const struct rtr_tp_sent *s = NULL;
		size_t i;

		for (i = 0; i < lg.n; i++)
			if (lg.sent[i].tp == &ctp[5] && !lg.sent[i].broadcast)
				s = &lg.sent[i];
		expect_entry(s, "01 08 00 01 01 01 10 08");
	}
	CU_ASSERT_EQUAL(rtr_stats(chain[0])->search_found, 1);
	CU_ASSERT_EQUAL(rtr_stats(chain[0])->released, 1);
	CU_ASSERT_EQUAL(rtr_held_count(chain[0]), 0);
	/* Nobody searched forever, nobody got a Reject. */
	CU_ASSERT_EQUAL(rtr_stats(chain[0])->reject_sent[1], 0);
	CU_ASSERT_TRUE(lg.n < 20);
	chain_free();
}

static void
test_rtr_stat_names(void)
{
	struct rtr_stats st;
	size_t i, n = 0;

	memset(&st, 0, sizeof(st));
	st.drop_hop_count = 7;
	st.reject_sent[1] = 3;
	st.init_rt_refused = 9;
	for (i = 0; rtr_stat_name(i) != NULL; i++) {
		const char *nm = rtr_stat_name(i);
		uint64_t v = rtr_stat_value(&st, i);

		uint64_t want = 0;

		n++;
		if (strcmp(nm, "drop_hop_count") == 0)
			want = 7;
		else if (strcmp(nm, "reject_sent_1") == 0)
			want = 3;
		else if (strcmp(nm, "init_rt_refused") == 0)
			want = 9;
		CU_ASSERT_EQUAL(v, want);
	}
	/* Every counter of the struct has a name. */
	CU_ASSERT_EQUAL(n, sizeof(st) / sizeof(uint64_t));
	CU_ASSERT_STRING_EQUAL(rtr_reach_name(RTR_REACH_BUSY), "busy");
}

static const struct ut_case cases[] = {
	UT_CASE(test_rtr_forwarding_table),
	UT_CASE(test_rtr_local_delivery),
	UT_CASE(test_rtr_data_options),
	UT_CASE(test_rtr_secure_path_own),
	UT_CASE(test_rtr_digest_e8_e9),
	UT_CASE(test_rtr_digest_e11),
	UT_CASE(test_rtr_nl_table),
	UT_CASE(test_rtr_i_am_relay_hold),
	UT_CASE(test_rtr_nl_learning_effects),
	UT_CASE(test_rtr_busy),
	UT_CASE(test_rtr_reject_too_long),
	UT_CASE(test_rtr_too_long),
	UT_CASE(test_rtr_search_found),
	UT_CASE(test_rtr_search_fails),
	UT_CASE(test_rtr_search_bounded),
	UT_CASE(test_rtr_port_up),
	UT_CASE(test_rtr_announce_split),
	UT_CASE(test_rtr_unconfigured_port),
	UT_CASE(test_rtr_learning_refused),
	UT_CASE(test_rtr_return_route),
	UT_CASE(test_rtr_init_rt_update),
	UT_CASE(test_rtr_nl_rate_limit),
	UT_CASE(test_rtr_nl_rate_limit_all),
	UT_CASE(test_rtr_bcast_rate_limit),
	UT_CASE(test_rtr_bcast_rate_off),
	UT_CASE(test_rtr_set_limits),
	UT_CASE(test_rtr_config_checks),
	UT_CASE(test_rtr_send_apdu),
	UT_CASE(test_rtr_chain_learned),
	UT_CASE(test_rtr_chain_hop_count),
	UT_CASE(test_rtr_chain_search),
	UT_CASE(test_rtr_stat_names),
	UT_END
};
UT_SUITE(rtr, cases);
