/*
 * Application entity and object model: request octets in, response octets
 * out.  The ReadProperty, ReadPropertyMultiple and WriteProperty exchanges
 * follow the ASHRAE 135 Annex E examples (E.3.5, E.3.7, E.3.9; hex as
 * reproduced in BACnet4J's Annex E tests) with our own object identifiers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/apdu_codec.h"
#include "app/app.h"
#include "app/app_ids.h"
#include "lib/hex.h"
#include "tests/unit/harness.h"

struct frame {
	struct app_addr	dst;
	uint8_t		b[1500];
	size_t		n;
	bool		er;
};

static struct frame out[64];
static size_t nout;
static struct app_db db;
static struct app_av av;
static struct app_file fcert;
static struct app_netport bip, sc;
static struct app *A;
static struct app_addr client;
static uint64_t now;
static int av_writes;
static uint8_t hub_state;
static char cert_path[64];
static bool clock_dst;

static void
cap_send(void *arg, const struct app_addr *dst, const uint8_t *apdu,
    size_t len, bool er, uint8_t prio)
{
	(void)arg;
	(void)prio;
	CU_ASSERT_FATAL(nout < sizeof(out) / sizeof(out[0]));
	CU_ASSERT_FATAL(len <= sizeof(out[0].b));
	out[nout].dst = *dst;
	memcpy(out[nout].b, apdu, len);
	out[nout].n = len;
	out[nout].er = er;
	nout++;
}

/* Thursday 26 November 2026 10:00:00.00, CET (UTC_Offset -60). */
static void
fixed_clock(void *arg, struct app_datetime *local, int32_t *off, bool *dst)
{
	(void)arg;
	local->date.year = 2026;
	local->date.month = 11;
	local->date.day = 26;
	local->date.wday = 4;
	local->time.hour = 10;
	local->time.min = local->time.sec = local->time.hundredths = 0;
	*off = -60;
	*dst = clock_dst;
}

static void
av_written(void *arg, struct app_av *v, float f)
{
	(void)arg;
	(void)v;
	(void)f;
	av_writes++;
}

static void
sc_refresh(void *arg, struct app_netport_info *in)
{
	(void)arg;
	in->hub_connector_state = hub_state;
	in->primary_status.state = hub_state == APP_HUBC_CONNECTED_PRIMARY ?
	    APP_SCCONN_CONNECTED : APP_SCCONN_FAILED_TO_CONNECT;
	if (hub_state != APP_HUBC_CONNECTED_PRIMARY) {
		in->primary_status.has_error = true;
		in->primary_status.err_class = APP_ERRC_COMMUNICATION;
		in->primary_status.err_code = 123;
		in->primary_status.err_details = "refused";
	}
}

static void
one_peer(struct app_sc_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->state = APP_SCCONN_CONNECTED;
	c->connect_ts.date.year = 2026;
	c->connect_ts.date.month = 11;
	c->connect_ts.date.day = 26;
	c->connect_ts.date.wday = 4;
	c->connect_ts.time.hour = 10;
	app_datetime_unspecified(&c->disconnect_ts);
	c->peer.ip[0] = 127;
	c->peer.ip[3] = 1;
	c->peer.ip_len = 4;
	c->peer.port = 4443;
	c->vmac[0] = 2;
	c->vmac[5] = 1;
	memset(c->uuid, 0x11, sizeof(c->uuid));
	c->uri = "wss://peer";
}

static void
sc_hub_fn_conns(void *arg, app_conn_emit_fn emit_fn, void *ea)
{
	struct app_sc_conn c;

	(void)arg;
	one_peer(&c);
	emit_fn(ea, &c);
	c.vmac[5] = 2;
	emit_fn(ea, &c);
}

static void
sc_direct_conns(void *arg, app_conn_emit_fn emit_fn, void *ea)
{
	struct app_sc_conn c;

	(void)arg;
	one_peer(&c);
	emit_fn(ea, &c);
}

static void
bip_bdt(void *arg, app_bdt_emit_fn emit_fn, void *ea)
{
	struct app_bdt_entry e = { { 192, 168, 0, 1 }, 47808,
		{ 255, 255, 255, 255 } };

	(void)arg;
	emit_fn(ea, &e);
}

static void
bip_fdt(void *arg, app_fdt_emit_fn emit_fn, void *ea)
{
	struct app_fdt_entry e = { { 192, 168, 0, 2 }, 47808, 60, 65 };

	(void)arg;
	emit_fn(ea, &e);
}

static void
sc_failed(void *arg, app_conn_emit_fn emit_fn, void *ea)
{
	struct app_sc_conn c;

	(void)arg;
	one_peer(&c);
	c.no_uuid = true;
	c.has_error = true;
	c.err_class = APP_ERRC_COMMUNICATION;
	c.err_code = 151;
	emit_fn(ea, &c);
}

static void
bip_routes(void *arg, app_route_emit_fn emit_fn, void *ea)
{
	struct app_route r = { 7, { 192, 168, 0, 9, 0xBA, 0xC0 }, 6, 0,
		false, 0 };

	(void)arg;
	emit_fn(ea, &r);
	r.net = 8;
	r.status = 2;
	r.has_perf = true;
	r.perf = 5;
	emit_fn(ea, &r);
}

static const struct app_netport_ops sc_ops = {
	.refresh = sc_refresh,
	.hub_fn_conns = sc_hub_fn_conns,
	.direct_conns = sc_direct_conns,
	.failed_reqs = sc_failed,
};
static const struct app_netport_ops bip_ops = {
	.bdt = bip_bdt,
	.fdt = bip_fdt,
	.routes = bip_routes,
};

static int
setup(void)
{
	struct app_device_cfg cfg;
	FILE *f;

	memset(&cfg, 0, sizeof(cfg));
	cfg.instance = 1234;
	cfg.name = "bacsc-router";
	cfg.segmented_transmit = true;
	cfg.apdu_retries = 3;
	cfg.clock = fixed_clock;
	memset(cfg.uuid, 0xAB, sizeof(cfg.uuid));
	if (app_db_init(&db, &cfg) < 0)
		return -1;
	app_av_init(&av, 1, "av-1", 62, 72.3f, true);
	av.on_write = av_written;
	snprintf(cert_path, sizeof(cert_path), "/tmp/ut-app-cert-%d",
	    (int)getpid());
	f = fopen(cert_path, "w");
	if (f == NULL)
		return -1;
	fputs("0123456789", f);
	fclose(f);
	app_file_init(&fcert, 1, "operational-cert", cert_path,
	    "application/x-pem-file");
	app_netport_init(&bip, 1, "bip0", APP_NP_BIP);
	bip.info.network_number = 1;
	bip.info.network_number_quality = APP_NNQ_CONFIGURED;
	bip.info.ip_mode = APP_IPMODE_BBMD;
	bip.ops = &bip_ops;
	app_netport_init(&sc, 2, "sc0", APP_NP_SC);
	sc.info.network_number = 2;
	sc.info.primary_uri = "wss://hub.example:4443";
	sc.info.failover_uri = "wss://hub2.example:4443";
	sc.info.hub_fn_accept_uris[0] = "wss://router.example:4443";
	sc.info.n_hub_fn_accept_uris = 1;
	sc.info.hub_fn_binding = "eth0:4443";
	sc.info.max_bvlc = 1600;
	sc.info.max_npdu = 1497;
	sc.info.oper_cert_file = 1;
	sc.info.issuer_files[0] = 2;
	sc.info.issuer_files[1] = 3;
	sc.info.n_issuer_files = 2;
	sc.ops = &sc_ops;
	if (app_db_add(&db, &av.obj) < 0 || app_db_add(&db, &fcert.obj) < 0 ||
	    app_db_add(&db, &bip.obj) < 0 || app_db_add(&db, &sc.obj) < 0)
		return -1;
	A = app_new(&db, cap_send, NULL);
	memset(&client, 0, sizeof(client));
	client.mac_len = 6;
	memcpy(client.mac, "\x7f\x00\x00\x02\xba\xc0", 6);
	client.port = 1;
	now = 1000000;
	return A != NULL ? 0 : -1;
}

static int
teardown(void)
{
	app_free(A);
	A = NULL;
	unlink(cert_path);
	return 0;
}

/* Feed one request (hex) from `client`; clear captured output first. */
static void
req(const char *text)
{
	uint8_t buf[512];
	long n = hex_decode(text, buf, sizeof(buf), NULL);

	CU_ASSERT_FATAL(n >= 0);
	nout = 0;
	app_receive(A, &client, buf, (size_t)n, now);
}

/* Exactly one frame went out and it equals the hex. */
static void
expect1(const char *text)
{
	uint8_t want[512];
	long n = hex_decode(text, want, sizeof(want), NULL);

	CU_ASSERT_FATAL(n >= 0);
	CU_ASSERT_EQUAL_FATAL(nout, 1);
	UT_ASSERT_BYTES(out[0].b, out[0].n, want, (size_t)n);
}

static void
test_who_is(void)
{
	struct app_addr remote;
	uint8_t who[2] = { 0x10, 0x08 };

	req("1008");
	expect1("1000 C4020004D2 2205C4 9101 2100");
	CU_ASSERT(out[0].dst.net == 0 && out[0].dst.mac_len == 0 &&
	    out[0].dst.port == 1 && !out[0].er);
	req("1008 0A03E8 1A07D0");		/* 1000..2000 */
	CU_ASSERT_EQUAL(nout, 1);
	req("1008 0901 1903");			/* 1..3 */
	CU_ASSERT_EQUAL(nout, 0);
	req("1008 0901");			/* low limit alone */
	CU_ASSERT_EQUAL(nout, 0);
	req("1008 1A07D0 0A03E8");		/* wrong order */
	CU_ASSERT_EQUAL(nout, 0);
	/* From a remote network: the I-Am goes to that network's broadcast. */
	memset(&remote, 0, sizeof(remote));
	remote.net = 5;
	remote.mac_len = 1;
	remote.mac[0] = 9;
	remote.port = 2;
	nout = 0;
	app_receive(A, &remote, who, sizeof(who), now);
	CU_ASSERT_FATAL(nout == 1);
	CU_ASSERT(out[0].dst.net == 5 && out[0].dst.mac_len == 0 &&
	    out[0].dst.port == 2);
}

/*
 * Who-Is from any source, forged or not, draws a broadcast: 100 of them at
 * once draw 20 I-Ams (the burst), then one per 100 ms.
 */
static void
test_who_is_rate_limit(void)
{
	uint64_t dropped = app_stats(A)->bcast_ratelim;
	int i, sent = 0;

	now += 10000000;	/* a full bucket */
	for (i = 0; i < 100; i++) {
		client.mac[3] = (uint8_t)i;
		req("1008");
		sent += nout;
	}
	client.mac[3] = 0x02;
	CU_ASSERT_EQUAL(sent, 20);
	CU_ASSERT_EQUAL(app_stats(A)->bcast_ratelim, dropped + 80);
	now += 100000;
	req("1008");
	CU_ASSERT_EQUAL(nout, 1);
	req("1008");
	CU_ASSERT_EQUAL(nout, 0);
	now += 10000000;
}

static void
test_who_has(void)
{
	static const char *ihave =
	    "1001 C4020004D2 C400800001 7505 00 61762D31";

	req("1007 3D05 00 61762D31");		/* by name "av-1" */
	expect1(ihave);
	req("1007 2C00800001");			/* by identifier */
	expect1(ihave);
	req("1007 0A0400 1A0500 2C00800001");	/* limits 1024..1280 */
	expect1(ihave);
	req("1007 0901 1901 2C00800001");	/* limits exclude us */
	CU_ASSERT_EQUAL(nout, 0);
	req("1007 3D05 00 61762D32");		/* "av-2": none */
	CU_ASSERT_EQUAL(nout, 0);
}

static void
test_read_property(void)
{
	/* E.3.5 with an Analog Value instead of an Analog Input. */
	req("0005010C0C0080000119 55");
	expect1("30010C0C008000011955 3E444290999A3F");
	CU_ASSERT(!out[0].er && out[0].dst.mac_len == 6 &&
	    out[0].dst.port == 1);
	/* Object_List size and one element; wildcard device instance. */
	req("0005050C0C020004D2194C2900");
	expect1("30050C0C020004D2194C2900 3E21053F");
	req("0005060C0C023FFFFF194C2902");
	expect1("30060C0C020004D2194C2902 3EC4008000013F");
	/* Issuer_Certificate_Files: an array of File identifiers. */
	req("0005070C0C0E0000021B3FFFFF");	/* no such property */
	expect1("50070C91029120");
	req("0005080C0C0E000002 1A01FF");	/* 511 */
	expect1("30080C0C0E0000021A01FF 3EC402800002C4028000033F");
	/* Device_UUID. */
	req("0005090C0C020004D2 1A01FB");	/* 507 */
	expect1("30090C0C020004D21A01FB 3E6510ABABABABABABABABABABABABABAB"
	    "ABAB3F");
}

static void
test_read_property_errors(void)
{
	req("0005020C0C000000051955");		/* AI 5: unknown object */
	expect1("50020C9101911F");
	req("0005030C0C008000011967");		/* AV reliability: none */
	expect1("50030C9102 9120");
	req("0005040C0C0080000119552901");	/* index on a scalar */
	expect1("50040C9102 9132");
	req("0005070C0C020004D2194C2909");	/* index past the end */
	expect1("50070C9102 912A");
}

static void
test_rpm(void)
{
	/* E.3.7: PV and Reliability of one object (AV has no Reliability). */
	req("0004F10E0C008000011E095509671F");
	expect1("30F10E0C008000011E29554E444290999A4F 2967 5E910291205F 1F");
	/* E.3.7 second part: an unknown object gives per-property errors. */
	req("0004020E0C000000321E09551F0C008000011E09551F");
	expect1("30020E0C000000321E29555E9101911F5F1F"
	    "0C008000011E29554E444290999A4F1F");
}

/* Walk an RPM ACK for one object; return the property ids with values. */
static size_t
rpm_props(const uint8_t *p, size_t n, uint32_t *ids, size_t cap,
    size_t *nerr)
{
	struct apdu_value v;
	struct rd r;
	size_t k = 0;

	*nerr = 0;
	rd_init(&r, p, n);
	CU_ASSERT_FATAL(apdu_dec_ctx(&r, 0, APDU_OBJID, &v) == CODEC_OK);
	CU_ASSERT_FATAL(apdu_take_open(&r, 1) == 0);
	while (apdu_take_close(&r, 1) < 0) {
		CU_ASSERT_FATAL(apdu_dec_ctx(&r, 2, APDU_ENUM, &v) ==
		    CODEC_OK);
		CU_ASSERT_FATAL(k < cap);
		ids[k++] = v.v.e;
		if (!apdu_is_open(&r, 4))
			(*nerr)++;
		CU_ASSERT_FATAL(apdu_skip(&r) == CODEC_OK);
	}
	CU_ASSERT_EQUAL(r.left, 0);
	return k;
}

/* Find property id's value in an RPM ACK and decode its first element. */
static bool
rpm_value(const uint8_t *p, size_t n, uint32_t id, struct apdu_value *val)
{
	struct apdu_value v;
	struct rd r;

	rd_init(&r, p, n);
	if (apdu_dec_ctx(&r, 0, APDU_OBJID, &v) != CODEC_OK ||
	    apdu_take_open(&r, 1) < 0)
		return false;
	while (apdu_dec_ctx(&r, 2, APDU_ENUM, &v) == CODEC_OK) {
		if (v.v.e == id && apdu_take_open(&r, 4) == 0)
			return apdu_dec_app(&r, val) == CODEC_OK;
		if (apdu_skip(&r) != CODEC_OK)
			return false;
	}
	return false;
}

static void
test_rpm_all_device(void)
{
	uint32_t ids[64];
	size_t n, nerr, i, nreq = 0;
	struct apdu_value v;
	const uint8_t *body;

	req("0005100E0C020004D21E09081F");
	CU_ASSERT_FATAL(nout == 1 && out[0].b[0] == 0x30);
	body = out[0].b + 3;
	n = rpm_props(body, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, db.dev.obj.cls->nprops);
	CU_ASSERT_EQUAL(nerr, 0);
	for (i = 0; i < db.dev.obj.cls->nprops; i++) {
		CU_ASSERT_EQUAL(ids[i], db.dev.obj.cls->props[i].id);
		if (db.dev.obj.cls->props[i].flags & APP_P_REQ)
			nreq++;
	}
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_PROTOCOL_REVISION, &v) &&
	    v.v.u == 24);
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_PROTOCOL_VERSION, &v) &&
	    v.v.u == 1);
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_SEGMENTATION_SUPPORTED,
	    &v) && v.v.e == APP_SEG_TRANSMIT);
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_MODEL_NAME, &v) &&
	    v.v.str.n == 12 && memcmp(v.v.str.p, "bacsc-router", 12) == 0);
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_FIRMWARE_REVISION, &v) &&
	    v.v.str.n == strlen(PACKAGE_VERSION));
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_UTC_OFFSET, &v) &&
	    v.v.s == -60);
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_LOCAL_DATE, &v) &&
	    v.v.date.year == 2026 && v.v.date.wday == 4);
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_PROTOCOL_SERVICES, &v));
	CU_ASSERT_EQUAL(v.v.bits.nbits, 49);
	for (i = 0; i < 49; i++) {
		bool set = (v.v.bits.bits[i / 8] & (0x80 >> i % 8)) != 0;

		CU_ASSERT_EQUAL(set, i == 12 || i == 14 || i == 15 ||
		    i == 26 || i == 27 || i == 33 || i == 34);
	}
	CU_ASSERT(rpm_value(body, out[0].n - 3, APP_PROP_PROTOCOL_OBJECT_TYPES,
	    &v));
	CU_ASSERT_EQUAL(v.v.bits.nbits, 65);
	for (i = 0; i < 65; i++) {
		bool set = (v.v.bits.bits[i / 8] & (0x80 >> i % 8)) != 0;

		CU_ASSERT_EQUAL(set, i == 2 || i == 8 || i == 10 || i == 56);
	}
	req("0005110E0C020004D21E09691F");	/* REQUIRED */
	CU_ASSERT_FATAL(nout == 1);
	n = rpm_props(out[0].b + 3, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, nreq);
	req("0005120E0C020004D21E09501F");	/* OPTIONAL */
	CU_ASSERT_FATAL(nout == 1);
	n = rpm_props(out[0].b + 3, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, db.dev.obj.cls->nprops - nreq);
	CU_ASSERT_EQUAL(ids[0], APP_PROP_DESCRIPTION);
}

/* True if ids[0..n) holds id. */
static bool
has_id(const uint32_t *ids, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void
test_rpm_all_netports(void)
{
	uint32_t ids[64];
	size_t n, nerr;

	/* Without NAT and without a CSR file those two are left out. */
	req("0005130E0C0E0000011E09081F");	/* B/IP port ALL */
	CU_ASSERT_FATAL(nout == 1 && out[0].b[0] == 0x30);
	n = rpm_props(out[0].b + 3, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, bip.obj.cls->nprops - 2);
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT(!has_id(ids, n, APP_PROP_BACNET_IP_NAT_TRAVERSAL));
	CU_ASSERT(!has_id(ids, n, APP_PROP_BACNET_IP_GLOBAL_ADDRESS));
	req("0005140E0C0E0000021E09081F");	/* SC port ALL */
	CU_ASSERT_FATAL(nout == 1 && out[0].b[0] == 0x30);
	n = rpm_props(out[0].b + 3, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, sc.obj.cls->nprops - 1);
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT(has_id(ids, n, APP_PROP_CURRENT_HEALTH));
	CU_ASSERT(!has_id(ids, n, APP_PROP_CSR_FILE));
	/* With them, all of the class. */
	bip.info.nat_traversal = true;
	sc.info.has_csr_file = true;
	req("0005150E0C0E0000011E09081F");
	CU_ASSERT_FATAL(nout == 1 && out[0].b[0] == 0x30);
	n = rpm_props(out[0].b + 3, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, bip.obj.cls->nprops);
	CU_ASSERT(has_id(ids, n, APP_PROP_BACNET_IP_GLOBAL_ADDRESS));
	req("0005160E0C0E0000021E09081F");
	CU_ASSERT_FATAL(nout == 1 && out[0].b[0] == 0x30);
	n = rpm_props(out[0].b + 3, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, sc.obj.cls->nprops);
	CU_ASSERT(has_id(ids, n, APP_PROP_CSR_FILE));
	bip.info.nat_traversal = false;
	sc.info.has_csr_file = false;
	req("0005150E0C028000011E09081F");	/* File ALL */
	CU_ASSERT_FATAL(nout == 1 && out[0].b[0] == 0x30);
	n = rpm_props(out[0].b + 3, out[0].n - 3, ids, 64, &nerr);
	CU_ASSERT_EQUAL(n, fcert.obj.cls->nprops);
	CU_ASSERT_EQUAL(nerr, 0);
}

static void
test_netport_values(void)
{
	/* Network_Type of each port. */
	req("0005200C0C0E000001 1A01AB");
	expect1("30200C0C0E0000011A01AB 3E91053F");
	req("0005210C0C0E000002 1A01AB");
	expect1("30210C0C0E0000021A01AB 3E910B3F");
	/* BDT and FDT entries (BACnetBDTEntry, BACnetFDTEntry). */
	req("0005220C0C0E000001 1A019E");	/* 414 */
	expect1("30220C0C0E0000011A019E 3E 0E 0E1CC0A800010F 1ABAC0 0F"
	    " 1CFFFFFFFF 3F");
	req("0005230C0C0E000001 1A019F");	/* 415 */
	expect1("30230C0C0E0000011A019F 3E 0D06C0A80002BAC0 193C 2941 3F");
	/* SC_Hub_Connector_State follows the live state. */
	hub_state = APP_HUBC_CONNECTED_PRIMARY;
	req("0005240C0C0E000002 1B40000E");
	expect1("30240C0C0E0000021B40000E 3E91013F");
	hub_state = APP_HUBC_NO_HUB_CONNECTION;
	req("0005250C0C0E000002 1B40000E");
	expect1("30250C0C0E0000021B40000E 3E91003F");
	/* SC_Primary_Hub_Connection_Status with an error. */
	req("0005260C0C0E000002 1B400014");
	expect1("30260C0C0E0000021B400014 3E 0903"
	    " 1EA4FFFFFFFFB4FFFFFFFF1F 2EA4FFFFFFFFB4FFFFFFFF2F"
	    " 3E9107917B3F 4D0800726566757365 64 3F");
	/* SC_Hub_Function_Connection_Status: two records. */
	req("0005270C0C0E000002 1B400011");
	CU_ASSERT_FATAL(nout == 1);
	{
		static const char *rec =
		    "0901 1EA47E0B1A04B40A0000001F 2EA4FFFFFFFFB4FFFFFFFF2F"
		    " 3E 0E1C7F0000010F 1A115B 3F 4D06020000000001"
		    " 5D1011111111111111111111111111111111";
		uint8_t want[512], *p = want;
		long n;

		n = hex_decode("30270C0C0E0000021B400011 3E", p, 64, NULL);
		p += n;
		n = hex_decode(rec, p, 200, NULL);
		p += n;
		n = hex_decode(rec, p, 200, NULL);
		p[n - 19] = 0x02;	/* second VMAC ends in 02 */
		p += n;
		*p++ = 0x3F;
		UT_ASSERT_BYTES(out[0].b, out[0].n, want, (size_t)(p - want));
	}
	/* SC_Direct_Connect_Connection_Status: uri first. */
	req("0005280C0C0E000002 1B400008");
	expect1("30280C0C0E0000021B400008 3E 0D0B007773733A2F2F70656572"
	    " 1901 2EA47E0B1A04B40A0000002F 3EA4FFFFFFFFB4FFFFFFFF3F"
	    " 4E 0E1C7F0000010F 1A115B 4F 5D06020000000001"
	    " 6D1011111111111111111111111111111111 3F");
	/* SC_Failed_Connection_Requests: no UUID, error required. */
	req("00052A0C0C0E000002 1B40000B");
	expect1("302A0C0C0E0000021B40000B 3E 0EA47E0B1A04B40A0000000F"
	    " 1E 0E1C7F0000010F 1A115B 1F 2D06020000000001"
	    " 4E910791974F 3F");
	/* Routing_Table (BACnetRouterEntry, performance index optional). */
	req("00052B0C0C0E000001 1A01AC");
	expect1("302B0C0C0E0000011A01AC 3E 0907 1D06C0A80009BAC0 2900"
	    " 0908 1D06C0A80009BAC0 2902 3905 3F");
	/* Accept URIs array: size, element. */
	req("0005290C0C0E000002 1B40000F 2900");
	expect1("30290C0C0E0000021B40000F2900 3E21013F");
}

/* Current_Health (BACnetHealth), NAT global address, CSR file. */
static void
test_netport_new_props(void)
{
	struct app_health *h = &sc.info.health;

	/* Healthy: timestamp and result (communication, success) only. */
	h->ts.date = (struct apdu_date){ 2026, 11, 26, 4 };
	h->ts.time = (struct apdu_time){ 10, 0, 0, 0 };
	h->err_class = APP_ERRC_COMMUNICATION;
	h->err_code = APP_ERR_SUCCESS;
	h->has_prop = false;
	h->details = NULL;
	req("0005400C0C0E000002 1B400003");
	expect1("30400C0C0E0000021B400003 3E"
	    " 0EA47E0B1A04B40A0000000F 1E910791541F 3F");
	/* Unhealthy: error code 194, the property and a text. */
	h->err_code = 194;
	h->has_prop = true;
	h->prop = APP_PROP_SC_PRIMARY_HUB_STATUS;
	h->details = "hub";
	req("0005410C0C0E000002 1B400003");
	expect1("30410C0C0E0000021B400003 3E"
	    " 0EA47E0B1A04B40A0000000F 1E910791C21F 2B400014"
	    " 3C00687562 3F");
	/* BACnet_IP_NAT_Traversal and BACnet_IP_Global_Address: only with
	 * NAT; without, unknown-property. */
	req("0005420C0C0E000001 1A019A");
	expect1("50420C9102 9120");
	req("0005430C0C0E000001 1A0197");
	expect1("50430C9102 9120");
	bip.info.nat_traversal = true;
	bip.info.global_addr.ip[0] = 203;
	bip.info.global_addr.ip[2] = 113;
	bip.info.global_addr.ip[3] = 5;
	bip.info.global_addr.ip_len = 4;
	bip.info.global_addr.port = 47808;
	req("0005440C0C0E000001 1A019A");
	expect1("30440C0C0E0000011A019A 3E113F");
	req("0005450C0C0E000001 1A0197");
	expect1("30450C0C0E0000011A0197 3E 0E1CCB0071050F 1ABAC0 3F");
	bip.info.nat_traversal = false;
	/* Certificate_Signing_Request_File only when there is one. */
	req("0005460C0C0E000002 1A01FD");
	expect1("50460C9102 9120");
	sc.info.has_csr_file = true;
	sc.info.csr_file = 4;
	req("0005470C0C0E000002 1A01FD");
	expect1("30470C0C0E0000021A01FD 3EC4028000043F");
	sc.info.has_csr_file = false;
}

/*
 * The IPv4 Network Port properties that follow the system: IP_Subnet_Mask,
 * IP_Default_Gateway, IP_DNS_Server (BACnetARRAY of 4-octet OctetString,
 * as bacnet-stack's netport.c and BACpypes3's ipDNSServer have it),
 * IP_DHCP_Enable (Boolean) and Link_Speed (REAL, bit/s).
 */
static void
test_netport_ipv4_props(void)
{
	static const uint8_t dns[2][4] = { { 10, 255, 255, 53 },
		{ 192, 0, 2, 1 } };

	memcpy(bip.info.mask, "\xff\xff\xff\x00", 4);
	memcpy(bip.info.gateway, "\xc0\x00\x02\x01", 4);
	memcpy(bip.info.dns, dns, sizeof(dns));
	bip.info.n_dns = 2;
	bip.info.dhcp_enable = true;
	bip.info.link_speed = 1e10f;
	req("0005600C0C0E000001 1A019B");		/* 411 */
	expect1("30600C0C0E0000011A019B 3E64FFFFFF003F");
	req("0005610C0C0E000001 1A0191");		/* 401 */
	expect1("30610C0C0E0000011A0191 3E64C00002013F");
	req("0005620C0C0E000001 1A0196");		/* 406, whole array */
	expect1("30620C0C0E0000011A0196 3E 640AFFFF35 64C0000201 3F");
	req("0005630C0C0E000001 1A0196 2900");		/* its size */
	expect1("30630C0C0E0000011A01962900 3E21023F");
	req("0005640C0C0E000001 1A0196 2902");		/* element 2 */
	expect1("30640C0C0E0000011A01962902 3E64C00002013F");
	req("0005650C0C0E000001 1A0196 2903");		/* no element 3 */
	expect1("50650C9102 912A");
	req("0005660C0C0E000001 1A0192");		/* 402 */
	expect1("30660C0C0E0000011A0192 3E113F");
	req("0005670C0C0E000001 1A01A4");		/* 420, 1e10 */
	expect1("30670C0C0E0000011A01A4 3E44501502F93F");
	/* No resolver configured: an empty array; no lease: false. */
	bip.info.n_dns = 0;
	bip.info.dhcp_enable = false;
	req("0005680C0C0E000001 1A0196");
	expect1("30680C0C0E0000011A0196 3E3F");
	req("0005690C0C0E000001 1A0196 2900");
	expect1("30690C0C0E0000011A01962900 3E21003F");
	req("00056A0C0C0E000001 1A0192");
	expect1("306A0C0C0E0000011A0192 3E103F");
	/* The SC port has none of the IPv4 properties. */
	req("00056B0C0C0E000002 1A0196");
	expect1("506B0C9102 9120");
	req("00056C0C0C0E000002 1A0192");
	expect1("506C0C9102 9120");
	memset(bip.info.mask, 0, 4);
	memset(bip.info.gateway, 0, 4);
	bip.info.link_speed = 0;
}

static uint8_t walk_invoke;

/* Send ReadProperty (prop of type/inst) or RPM with ALL (rpm). */
static void
walk_req(uint16_t type, uint32_t inst, uint32_t prop, bool rpm)
{
	uint8_t buf[64];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 0x00);
	wr_u8(&w, 0x05);
	wr_u8(&w, walk_invoke++);
	wr_u8(&w, rpm ? APP_SVC_READ_PROP_MULTIPLE : APP_SVC_READ_PROPERTY);
	apdu_ctx_objid(&w, 0, type, inst);
	if (rpm) {
		apdu_open(&w, 1);
		apdu_ctx_enum(&w, 0, prop);
		apdu_close(&w, 1);
	} else {
		apdu_ctx_enum(&w, 1, prop);
	}
	CU_ASSERT_FATAL(wr_status(&w) == 0);
	nout = 0;
	app_receive(A, &client, buf, w.len, now);
	CU_ASSERT_FATAL(nout == 1);
}

/* True if ids[0..n) holds every one of want[0..m) and nothing else. */
static bool
same_set(const uint32_t *ids, size_t n, const uint32_t *want, size_t m)
{
	size_t i;

	if (n != m)
		return false;
	for (i = 0; i < m; i++)
		if (!has_id(ids, n, want[i]))
			return false;
	return true;
}

/*
 * One object: every Property_List entry reads with ReadProperty (an
 * unknown-property or any other Error fails), and RPM ALL returns
 * exactly Property_List plus the four properties it leaves out, with no
 * error, and REQUIRED plus OPTIONAL is ALL.
 */
static void
walk_object(const struct app_obj *o)
{
	uint32_t list[96], ids[96], req_ids[96], opt_ids[96];
	size_t n = 0, i, nall, nreq, nopt, nerr;
	struct apdu_value v;
	struct rd r;

	walk_req(o->cls->type, o->instance, APP_PROP_PROPERTY_LIST, false);
	CU_ASSERT_FATAL(out[0].b[0] == 0x30);
	rd_init(&r, out[0].b, out[0].n);
	CU_ASSERT_FATAL(rd_skip(&r, 3) == 0);
	CU_ASSERT_FATAL(apdu_dec_ctx(&r, 0, APDU_OBJID, &v) == CODEC_OK);
	CU_ASSERT_FATAL(apdu_dec_ctx(&r, 1, APDU_ENUM, &v) == CODEC_OK);
	CU_ASSERT_FATAL(apdu_take_open(&r, 3) == 0);
	while (apdu_take_close(&r, 3) < 0) {
		CU_ASSERT_FATAL(apdu_dec_app(&r, &v) == CODEC_OK &&
		    v.type == APDU_ENUM && n < 92);
		list[n++] = v.v.e;
	}
	for (i = 0; i < n; i++) {
		walk_req(o->cls->type, o->instance, list[i], false);
		if ((out[0].b[0] & 0xF0) != 0x30)
			fprintf(stderr, "\n%s: property %u of its "
			    "Property_List does not read (PDU %02x)\n",
			    o->name, list[i], out[0].b[0]);
		CU_ASSERT((out[0].b[0] & 0xF0) == 0x30);
	}
	list[n++] = APP_PROP_OBJECT_IDENTIFIER;
	list[n++] = APP_PROP_OBJECT_NAME;
	list[n++] = APP_PROP_OBJECT_TYPE;
	list[n++] = APP_PROP_PROPERTY_LIST;
	walk_req(o->cls->type, o->instance, APP_PROP_ALL, true);
	CU_ASSERT_FATAL(out[0].b[0] == 0x30);
	nall = rpm_props(out[0].b + 3, out[0].n - 3, ids, 96, &nerr);
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT(same_set(ids, nall, list, n));
	walk_req(o->cls->type, o->instance, APP_PROP_REQUIRED, true);
	CU_ASSERT_FATAL(out[0].b[0] == 0x30);
	nreq = rpm_props(out[0].b + 3, out[0].n - 3, req_ids, 48, &nerr);
	CU_ASSERT_EQUAL(nerr, 0);
	walk_req(o->cls->type, o->instance, APP_PROP_OPTIONAL, true);
	CU_ASSERT_FATAL(out[0].b[0] == 0x30);
	nopt = rpm_props(out[0].b + 3, out[0].n - 3, opt_ids, 48, &nerr);
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_FATAL(nreq + nopt <= 96);
	memcpy(req_ids + nreq, opt_ids, nopt * sizeof(opt_ids[0]));
	CU_ASSERT(same_set(req_ids, nreq + nopt, list, n));
	for (i = 0; i < nreq; i++) {
		uint8_t flags = 0;

		CU_ASSERT(app_obj_has_prop(o, req_ids[i], &flags) &&
		    (flags & APP_P_REQ));
	}
}

/* Every object of the database, with the optional parts off and on. */
static void
test_property_list_walk(void)
{
	size_t i, round;

	for (round = 0; round < 2; round++) {
		bip.info.nat_traversal = round == 1;
		sc.info.has_csr_file = round == 1;
		for (i = 0; i < db.n; i++)
			walk_object(db.objs[i]);
	}
	bip.info.nat_traversal = false;
	sc.info.has_csr_file = false;
}

/* Daylight_Savings_Status follows the clock; UTC_Offset stays standard. */
static void
test_device_dst(void)
{
	clock_dst = false;
	req("0005480C0C020004D2 1918");
	expect1("30480C0C020004D21918 3E103F");
	clock_dst = true;
	req("0005490C0C020004D2 1918");
	expect1("30490C0C020004D21918 3E113F");
	req("00054A0C0C020004D2 1977");		/* UTC_Offset -60 */
	expect1("304A0C0C020004D21977 3E31C43F");
	clock_dst = false;
}

/* Database_Revision: name, description, location; the fingerprint. */
static void
test_database_revision(void)
{
	uint32_t rev = db.dev.database_revision;
	uint64_t fp = app_db_fingerprint(&db);

	req("0005500F0C020004D2191C3E7504006162633F");	/* Description */
	expect1("20500F");
	CU_ASSERT_EQUAL(db.dev.database_revision, rev + 1);
	CU_ASSERT_NOT_EQUAL(app_db_fingerprint(&db), fp);
	req("0005510F0C020004D2193A3E7504006C61623F");	/* Location "lab" */
	expect1("20510F");
	CU_ASSERT_EQUAL(db.dev.database_revision, rev + 2);
	/* A refused write changes nothing. */
	req("0005520F0C020004D219793E750200783F");
	expect1("50520F9102 9128");
	CU_ASSERT_EQUAL(db.dev.database_revision, rev + 2);
	/* Back to the old texts: the fingerprint is the old one again. */
	db.dev.obj.description[0] = '\0';
	strcpy(db.dev.location, "");
	CU_ASSERT_EQUAL(app_db_fingerprint(&db), fp);
	/* A name moved between fields is another database. */
	strcpy(db.dev.location, "x");
	fp = app_db_fingerprint(&db);
	db.dev.location[0] = '\0';
	strcpy(db.dev.obj.description, "x");
	CU_ASSERT_NOT_EQUAL(app_db_fingerprint(&db), fp);
	db.dev.obj.description[0] = '\0';
}

static void
test_file(void)
{
	req("0005300C0C02800001192A");		/* File_Size */
	expect1("30300C0C02800001192A 3E210A3F");
	req("0005310C0C028000011963");		/* Read_Only */
	expect1("30310C0C028000011963 3E113F");
	/* Certificate files are read-only, even their names. */
	req("0005320F0C02800001194D 3E750200783F");
	expect1("50320F9102 9128");
}

static void
test_write_property(void)
{
	uint32_t rev = db.dev.database_revision;

	/* E.3.9: write 180.0 to Present_Value. */
	req("0004590F0C0080000119553E44433400003F");
	expect1("20590F");
	CU_ASSERT(av.present_value == 180.0f);
	/* Object_Name of the Device: accepted, database revision bumps. */
	req("0005600F0C020004D2194D3E750800726F75746572313F");
	expect1("20600F");
	CU_ASSERT_STRING_EQUAL(db.dev.obj.name, "router1");
	CU_ASSERT_EQUAL(db.dev.database_revision, rev + 1);
	/* Location and Description. */
	req("0005610F0C020004D2193A3E7504006C61623F");
	expect1("20610F");
	CU_ASSERT_STRING_EQUAL(db.dev.location, "lab");
	req("0005620F0C00800001191C3E750400616263 3F");
	expect1("20620F");
	CU_ASSERT_STRING_EQUAL(av.obj.description, "abc");
	/* Vendor_Name: write-access-denied. */
	req("0005630F0C020004D219793E750200783F");
	expect1("50630F9102 9128");
	/* A Real into Object_Name: invalid-data-type. */
	req("0005640F0C020004D2194D3E44433400003F");
	expect1("50640F9102 9109");
	/* A name another object already has: duplicate-name. */
	req("0005650F0C020004D2194D3E75050061762D313F");
	expect1("50650F9102 9130");
	/* Not UTF-8: character-set-not-supported. */
	req("0005660F0C020004D2194D3E750204783F");
	expect1("50660F9102 9129");
	/* Two values: invalid-data-type. */
	req("0005670F0C0080000119553E444334000044433400003F");
	expect1("50670F9102 9109");
	/* Priority 17 is out of range: reject. */
	req("0005680F0C0080000119553E44433400003F 4911");
	expect1("606806");
	/* Unknown object and unknown property. */
	req("0005690F0C0000000519553E44433400003F");
	expect1("50690F9101 911F");
	req("00056A0F0C0080000119673E91003F");
	expect1("506A0F9102 9120");
	CU_ASSERT_STRING_EQUAL(db.dev.obj.name, "router1");
}

static void
test_reject_abort(void)
{
	req("000570 1A 0C00800001");		/* ReadRange: not ours */
	expect1("607009");
	req("0005710C0C00");			/* truncated */
	expect1("607105");
	req("0005720C1955");			/* property without object */
	expect1("607204");
	req("0005730C0C008000011955 2100");	/* trailing junk */
	expect1("607307");
	req("0005740E");			/* RPM without specs */
	expect1("607405");
	req("0005750E0C008000011E1F");		/* RPM empty list */
	expect1("607505");
	req("0805760003 0C0C008000011955");	/* segmented request */
	expect1("717604");
	req("2001 0C");				/* a Simple-ACK: ignored */
	CU_ASSERT_EQUAL(nout, 0);
}

static void
test_duplicates(void)
{
	int before = av_writes;
	uint64_t dups = app_stats(A)->duplicates;

	req("0005800F0C0080000119553E443F8000003F");
	expect1("20800F");
	req("0005800F0C0080000119553E443F8000003F");
	expect1("20800F");
	CU_ASSERT_EQUAL(av_writes, before + 1);
	CU_ASSERT_EQUAL(app_stats(A)->duplicates, dups + 1);
	/* Same invoke id, different request: a new request. */
	req("0005800F0C0080000119553E4440000000 3F");
	expect1("20800F");
	CU_ASSERT_EQUAL(av_writes, before + 2);
	/* After the cache lifetime the same octets run again. */
	now += 13000000;
	app_tick(A, now);
	req("0005800F0C0080000119553E4440000000 3F");
	expect1("20800F");
	CU_ASSERT_EQUAL(av_writes, before + 3);
}

/* Segment-ACK (client to server) for invoke id, seq, window. */
static void
seg_ack(uint8_t invoke, uint8_t seq, uint8_t window, bool nak)
{
	uint8_t b[4] = { (uint8_t)(nak ? 0x42 : 0x40), invoke, seq, window };

	nout = 0;
	app_receive(A, &client, b, sizeof(b), now);
}

static void
test_segmented_response(void)
{
	uint8_t ref[4096], got[4096];
	size_t nref, ngot = 0, i;
	unsigned expect_seq = 0;
	bool done = false;
	struct apdu_hdr h;

	/* Reference: the SC port's ALL in one APDU. */
	req("0005900E0C0E0000021E09081F");
	CU_ASSERT_FATAL(nout == 1 && out[0].b[0] == 0x30);
	nref = out[0].n - 3;
	memcpy(ref, out[0].b + 3, nref);
	CU_ASSERT_FATAL(nref > 8 * 45);

	/* Same with Max-APDU 50, segments accepted: segment 0 alone. */
	req("0200910E0C0E0000021E09081F");
	CU_ASSERT_FATAL(nout == 1);
	while (!done) {
		for (i = 0; i < nout; i++) {
			CU_ASSERT_FATAL(apdu_hdr_decode(out[i].b, out[i].n,
			    &h) == CODEC_OK);
			CU_ASSERT(out[i].n <= 50 && out[i].er);
			CU_ASSERT(h.pdu == APDU_COMPLEX_ACK && h.seg &&
			    h.invoke_id == 0x91 && h.service == 14 &&
			    h.window == 4);
			CU_ASSERT_EQUAL_FATAL(h.seq, (uint8_t)expect_seq);
			memcpy(got + ngot, h.body, h.body_len);
			ngot += h.body_len;
			expect_seq++;
			done = !h.more;
			CU_ASSERT_FATAL(!done || i == nout - 1);
		}
		/* Acknowledge the last one, ask for windows of 3. */
		seg_ack(0x91, (uint8_t)(expect_seq - 1), 3, false);
		CU_ASSERT(done ? nout == 0 : nout >= 1 && nout <= 3);
	}
	UT_ASSERT_BYTES(got, ngot, ref, nref);
	CU_ASSERT_EQUAL(app_next_deadline(A) > now + 3000000, true);

	/* NAK: segment 1 is asked for again. */
	req("0200920E0C0E0000021E09081F");
	CU_ASSERT_FATAL(nout == 1);
	seg_ack(0x92, 0, 2, false);
	CU_ASSERT_FATAL(nout == 2);
	seg_ack(0x92, 0, 2, true);
	CU_ASSERT_FATAL(nout == 2);
	CU_ASSERT(apdu_hdr_decode(out[0].b, out[0].n, &h) == CODEC_OK &&
	    h.seq == 1);
	/* A duplicate request during the transfer is ignored. */
	req("0200920E0C0E0000021E09081F");
	CU_ASSERT_EQUAL(nout, 0);
	/* The client gives up: an Abort ends the transfer. */
	nout = 0;
	{
		uint8_t ab[3] = { 0x70, 0x92, 0x00 };

		app_receive(A, &client, ab, sizeof(ab), now);
	}
	CU_ASSERT_EQUAL(app_next_deadline(A) > now + 3000000, true);
}

/*
 * The window a Segment-ACK asks for is the actual window only up to the
 * proposed window we sent (5.3): a client, or a spoofed source, asking for
 * 127 gets at most dev.window segments per acknowledgement.
 */
static void
test_segment_window_capped(void)
{
	struct apdu_hdr h;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(db.dev.window, 4);
	req("0200930E0C0E0000021E09081F");
	CU_ASSERT_FATAL(nout == 1);
	seg_ack(0x93, 0, 127, false);
	CU_ASSERT_EQUAL(nout, 4);
	for (i = 0; i < nout; i++)
		CU_ASSERT(apdu_hdr_decode(out[i].b, out[i].n, &h) ==
		    CODEC_OK && h.seq == i + 1 && h.more);
	/* A NAK asking again with 127 gets the same at most. */
	seg_ack(0x93, 0, 127, true);
	CU_ASSERT_EQUAL(nout, 4);
	{
		uint8_t ab[3] = { 0x70, 0x93, 0x00 };

		app_receive(A, &client, ab, sizeof(ab), now);
	}
}

static void
test_segment_timeouts(void)
{
	uint64_t retries = app_stats(A)->segment_retries;
	uint64_t timeouts = app_stats(A)->seg_timeouts;
	int i;

	req("0200A00E0C0E0000021E09081F");
	CU_ASSERT_FATAL(nout == 1);
	CU_ASSERT_EQUAL(app_next_deadline(A), now + 2000000);
	for (i = 0; i < 3; i++) {
		now += 2000000;
		nout = 0;
		app_tick(A, now);
		CU_ASSERT_EQUAL(nout, 1);	/* segment 0 again */
	}
	now += 2000000;
	nout = 0;
	app_tick(A, now);
	CU_ASSERT_EQUAL(nout, 0);
	CU_ASSERT_EQUAL(app_stats(A)->segment_retries, retries + 3);
	CU_ASSERT_EQUAL(app_stats(A)->seg_timeouts, timeouts + 1);
	/* Too many segments for the client (max 2): Abort buffer-overflow. */
	req("0210A10E0C0E0000021E09081F");
	expect1("71A101");
	/* Segments not accepted: Abort segmentation-not-supported. */
	req("0000A20E0C0E0000021E09081F");
	expect1("71A204");
	/* Not configured for segmented transmit: the same abort. */
	db.dev.segmented_transmit = false;
	req("0200A30E0C0E0000021E09081F");
	expect1("71A304");
	db.dev.segmented_transmit = true;
	/* A bad window size in the Segment-ACK aborts the transfer. */
	req("0200A40E0C0E0000021E09081F");
	CU_ASSERT_FATAL(nout == 1);
	seg_ack(0xA4, 0, 0, false);
	expect1("71A407");
}

static void
test_db_rules(void)
{
	struct app_av dup;
	struct app_device_cfg cfg;
	struct app_db d2;

	app_av_init(&dup, 1, "other", 62, 0, false);	/* same id */
	CU_ASSERT_EQUAL(app_db_add(&db, &dup.obj), -1);
	app_av_init(&dup, 2, "av-1", 62, 0, false);	/* same name */
	CU_ASSERT_EQUAL(app_db_add(&db, &dup.obj), -1);
	memset(&cfg, 0, sizeof(cfg));
	cfg.instance = 4194303;
	cfg.name = "x";
	CU_ASSERT_EQUAL(app_db_init(&d2, &cfg), -1);
	cfg.instance = 1;
	cfg.name = NULL;
	CU_ASSERT_EQUAL(app_db_init(&d2, &cfg), -1);
}

/* Objects come and go (File objects of a reload). */
static void
test_db_remove(void)
{
	struct app_file f2, f3;
	struct app_obj *first;
	uint32_t rev = db.dev.database_revision;
	size_t n = db.n, i;

	first = db.objs[1];
	app_file_init(&f2, 7, "issuer-cert-7", cert_path,
	    "application/x-pem-file");
	app_file_init(&f3, 8, "issuer-cert-8", cert_path,
	    "application/x-pem-file");
	CU_ASSERT_EQUAL_FATAL(app_db_add(&db, &f2.obj), 0);
	CU_ASSERT_EQUAL(db.n, n + 1);
	CU_ASSERT_EQUAL(db.dev.database_revision, rev + 1);
	CU_ASSERT_PTR_EQUAL(app_db_find(&db, f2.obj.cls->type, 7), &f2.obj);
	/* Gone: not found by id or name, not in the list, revision + 1. */
	CU_ASSERT_EQUAL(app_db_remove(&db, &f2.obj), 0);
	CU_ASSERT_EQUAL(db.n, n);
	CU_ASSERT_EQUAL(db.dev.database_revision, rev + 2);
	CU_ASSERT_PTR_NULL(app_db_find(&db, f2.obj.cls->type, 7));
	CU_ASSERT_PTR_NULL(app_db_find_name(&db, "issuer-cert-7", 13));
	for (i = 0; i < db.n; i++)
		CU_ASSERT_PTR_NOT_EQUAL(db.objs[i], &f2.obj);
	CU_ASSERT_EQUAL(app_db_remove(&db, &f2.obj), -1);	/* twice */
	CU_ASSERT_EQUAL(app_db_remove(&db, &db.dev.obj), -1);	/* Device */
	/* One in the middle: the others keep their order. */
	CU_ASSERT_EQUAL_FATAL(app_db_add(&db, &f2.obj), 0);
	CU_ASSERT_EQUAL_FATAL(app_db_add(&db, &f3.obj), 0);
	CU_ASSERT_EQUAL_FATAL(app_db_remove(&db, &f2.obj), 0);
	CU_ASSERT_EQUAL(db.n, n + 1);
	CU_ASSERT_PTR_EQUAL(db.objs[1], first);
	CU_ASSERT_PTR_EQUAL(db.objs[db.n - 1], &f3.obj);
	CU_ASSERT_EQUAL(app_db_remove(&db, &f3.obj), 0);
	CU_ASSERT_EQUAL(db.n, n);
	db.dev.database_revision = rev;	/* as the other tests expect */
}

static const struct ut_case cases[] = {
	UT_CASE(test_who_is),
	UT_CASE(test_who_is_rate_limit),
	UT_CASE(test_db_remove),
	UT_CASE(test_who_has),
	UT_CASE(test_read_property),
	UT_CASE(test_read_property_errors),
	UT_CASE(test_rpm),
	UT_CASE(test_rpm_all_device),
	UT_CASE(test_rpm_all_netports),
	UT_CASE(test_netport_values),
	UT_CASE(test_netport_new_props),
	UT_CASE(test_netport_ipv4_props),
	UT_CASE(test_property_list_walk),
	UT_CASE(test_device_dst),
	UT_CASE(test_database_revision),
	UT_CASE(test_file),
	UT_CASE(test_write_property),
	UT_CASE(test_reject_abort),
	UT_CASE(test_duplicates),
	UT_CASE(test_segmented_response),
	UT_CASE(test_segment_window_capped),
	UT_CASE(test_segment_timeouts),
	UT_CASE(test_db_rules),
	UT_END
};
UT_SUITE_FIXTURE(app, cases, setup, teardown);
