/*
 * Replay driver for the application entity, for tests/e2e/app-tshark.sh:
 * read lines "C <hex>" (an APDU from a client), feed them to a device with
 * a Device, an Analog Value, a File, a B/IP and an SC Network Port whose
 * live lists come from fixed providers, and echo them; print every APDU
 * the entity sends as "R <hex>".  No sockets: the script wraps the APDUs
 * in BACnet/IP frames for tshark.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_ids.h"
#include "lib/hex.h"

static void
print_apdu(char dir, const uint8_t *p, size_t n)
{
	char h[2 * 70000 + 1];

	if (hex_encode(p, n, '\0', h, sizeof(h)) >= 0)
		printf("%c %s\n", dir, h);
}

static void
rp_send(void *arg, const struct app_addr *dst, const uint8_t *apdu,
    size_t len, bool expecting_reply, uint8_t prio)
{
	(void)arg;
	(void)dst;
	(void)expecting_reply;
	(void)prio;
	print_apdu('R', apdu, len);
}

static void
peers(void *arg, app_conn_emit_fn emit, void *ea)
{
	struct app_sc_conn c;

	(void)arg;
	memset(&c, 0, sizeof(c));
	c.state = APP_SCCONN_CONNECTED;
	app_datetime_from_time(1700000000, &c.connect_ts);
	app_datetime_unspecified(&c.disconnect_ts);
	c.peer.ip_len = 4;
	c.peer.ip[0] = 127;
	c.peer.ip[3] = 5;
	c.peer.port = 4443;
	c.vmac[0] = 0x02;
	c.vmac[5] = 0x05;
	memset(c.uuid, 0x5A, sizeof(c.uuid));
	c.uri = "wss://127.0.0.5:4443";
	emit(ea, &c);
	c.state = APP_SCCONN_DISCONNECTED_ERRORS;
	c.has_error = true;
	c.err_class = APP_ERRC_COMMUNICATION;
	c.err_code = 151;
	c.err_details = "duplicate VMAC";
	c.peer.ip[3] = 6;
	c.vmac[5] = 0x06;
	emit(ea, &c);
}

static void
bdt(void *arg, app_bdt_emit_fn emit, void *ea)
{
	struct app_bdt_entry e = { { 127, 0, 0, 1 }, 47808,
		{ 255, 255, 255, 255 } };

	(void)arg;
	emit(ea, &e);
	e.ip[3] = 2;
	emit(ea, &e);
}

static void
fdt(void *arg, app_fdt_emit_fn emit, void *ea)
{
	struct app_fdt_entry e = { { 127, 0, 0, 9 }, 47809, 60, 75 };

	(void)arg;
	emit(ea, &e);
}

static const struct app_netport_ops sc_ops = {
	.hub_fn_conns = peers,
	.direct_conns = peers,
	.failed_reqs = peers,
};
static const struct app_netport_ops bip_ops = { .bdt = bdt, .fdt = fdt };

int
main(int argc, char **argv)
{
	static struct app_db db;
	static struct app_av av;
	static struct app_file cert;
	static struct app_netport bip, sc;
	struct app_device_cfg cfg;
	struct app_addr src;
	struct app *a;
	static char line[140000];
	static uint8_t buf[70000];
	long n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.instance = 4711;
	cfg.name = "bacsc-router-e2e";
	cfg.location = "loopback";
	cfg.segmented_transmit = true;
	cfg.apdu_retries = 3;
	if (app_db_init(&db, &cfg) < 0)
		return 1;
	app_av_init(&av, 1, "setpoint", 62, 21.5f, true);
	app_file_init(&cert, 1, "operational-certificate",
	    argc > 1 ? argv[1] : "/dev/null", "application/x-pem-file");
	app_netport_init(&bip, 1, "bip0", APP_NP_BIP);
	bip.info.network_number = 1;
	bip.info.network_number_quality = APP_NNQ_CONFIGURED;
	bip.info.ip_mode = APP_IPMODE_BBMD;
	bip.info.bbmd_accept_fd = true;
	memcpy(bip.info.ip, "\x7f\x00\x00\x01", 4);
	memcpy(bip.info.mask, "\xff\x00\x00\x00", 4);
	bip.info.udp_port = 47808;
	memcpy(bip.info.mac, "\x7f\x00\x00\x01\xba\xc0", 6);
	bip.ops = &bip_ops;
	app_netport_init(&sc, 2, "sc0", APP_NP_SC);
	sc.info.network_number = 2;
	sc.info.network_number_quality = APP_NNQ_CONFIGURED;
	memcpy(sc.info.mac, "\x02\x11\x22\x33\x44\x55", 6);
	sc.info.max_bvlc = 1600;
	sc.info.max_npdu = 1497;
	sc.info.primary_uri = "wss://127.0.0.2:4443";
	sc.info.failover_uri = "wss://127.0.0.3:4443";
	sc.info.min_reconnect_s = 2;
	sc.info.max_reconnect_s = 30;
	sc.info.connect_wait_s = 10;
	sc.info.disconnect_wait_s = 10;
	sc.info.heartbeat_s = 300;
	sc.info.hub_connector_state = APP_HUBC_CONNECTED_PRIMARY;
	sc.info.primary_status.state = APP_SCCONN_CONNECTED;
	sc.info.hub_fn_enable = true;
	sc.info.hub_fn_accept_uris[0] = "wss://127.0.0.1:4443";
	sc.info.n_hub_fn_accept_uris = 1;
	sc.info.hub_fn_binding = "lo:4443";
	sc.info.oper_cert_file = 1;
	sc.info.issuer_files[0] = 1;
	sc.info.n_issuer_files = 1;
	sc.ops = &sc_ops;
	if (app_db_add(&db, &av.obj) < 0 || app_db_add(&db, &cert.obj) < 0 ||
	    app_db_add(&db, &bip.obj) < 0 || app_db_add(&db, &sc.obj) < 0)
		return 1;
	a = app_new(&db, rp_send, NULL);
	if (a == NULL)
		return 1;
	memset(&src, 0, sizeof(src));
	src.mac_len = 6;
	memcpy(src.mac, "\x7f\x00\x00\x02\xba\xc0", 6);
	src.port = 1;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != 'C' || line[1] != ' ')
			continue;
		n = hex_decode(line + 2, buf, sizeof(buf), NULL);
		if (n <= 0)
			continue;
		print_apdu('C', buf, (size_t)n);
		app_receive(a, &src, buf, (size_t)n, 1000000);
	}
	app_free(a);
	return 0;
}
