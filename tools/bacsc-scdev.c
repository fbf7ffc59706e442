/*
 * bacsc-scdev: a small BACnet/SC device on the application layer (app/)
 * and the SC node (sc/sc_node.h).  It connects to an SC hub and answers
 * Who-Is, ReadProperty, ReadPropertyMultiple and WriteProperty for its
 * Device object and one Analog Value object (present value writable),
 * until SIGTERM/SIGINT.
 *
 *   bacsc-scdev -H URI [-F URI] -c CERT -k KEY -a CA [-v VMAC] [-U UUID]
 *               [-i INSTANCE] [-n NAME] [-V VALUE] [-A COUNT]
 *               [-s NET:MAC:APDU]... [-d] [-q]
 *
 * -A adds COUNT more Analog Value objects (instances 2.., "av-N"), so a
 * ReadPropertyMultiple ALL over them gives large answers.
 * Prints "UP vmac=..." on stdout each time the hub connection comes up.
 * -s sends one raw APDU (hex) once the node is up, to network NET (0: the
 * local network, 65535: global) and MAC (hex VMAC; empty: broadcast), so
 * tests can use it as an SC client; every I-Am, Complex-ACK, Simple-ACK,
 * Error, Reject or Abort that arrives is printed as
 * "RX net=N mac=HEX apdu=HEX" (net 0: from the local SC network).
 *
 * The NPDU handling is that of a non-router node: decode the header with
 * the NPDU codec, drop network-layer messages and NPDUs for other
 * networks, take the source from SNET/SADR when present (else the local
 * VMAC), and address replies with DNET/DADR when the requester is remote,
 * sending them to the router they came through.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "app/app.h"
#include "lib/bytes.h"
#include "lib/clock.h"
#include "lib/hex.h"
#include "lib/log.h"
#include "npdu/npdu_codec.h"
#include "npdu/port.h"
#include "sc/sc_node.h"
#include "sc/sc_tls.h"
#include "sc/sc_vmac.h"

#define SD_ROUTES_MAX	16
#define SD_SENDS_MAX	16
#define SD_EXTRA_MAX	32

/* A remote network and the router (VMAC) it was last heard through. */
struct sd_route {
	uint16_t	net;
	uint8_t		mac[SC_VMAC_LEN];
};

/* One -s request. */
struct sd_send {
	uint16_t	net;
	uint8_t		mac[SC_VMAC_LEN];
	uint8_t		mac_len;
	uint8_t		apdu[512];
	size_t		len;
};

static struct event_base *base;
static struct sc_node *node;
static struct npdu_port *port;
static struct app *app;
static struct event *tick_ev;
static struct sd_route routes[SD_ROUTES_MAX];
static size_t n_routes;
static struct sd_send sends[SD_SENDS_MAX];
static size_t n_sends;
static bool sent_requests;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bacsc-scdev -H URI [-F URI] -c CERT -k KEY -a CA "
	    "[-v VMAC] [-U UUID]\n"
	    "                   [-i INSTANCE] [-n NAME] [-V VALUE] "
	    "[-A COUNT] [-s NET:MAC:APDU]... [-d] [-q]\n");
	exit(2);
}

static void
print_hex(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	printf("%s", label);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void
route_learn(uint16_t net, const uint8_t *mac, size_t mac_len)
{
	size_t i;

	if (mac_len != SC_VMAC_LEN)
		return;
	for (i = 0; i < n_routes; i++)
		if (routes[i].net == net)
			break;
	if (i == n_routes) {
		if (n_routes == SD_ROUTES_MAX)
			return;
		n_routes++;
	}
	routes[i].net = net;
	memcpy(routes[i].mac, mac, SC_VMAC_LEN);
}

static const struct sd_route *
route_find(uint16_t net)
{
	size_t i;

	for (i = 0; i < n_routes; i++)
		if (routes[i].net == net)
			return &routes[i];
	return NULL;
}

/* The application's send callback: build the NPDU, send on the node. */
static void
sd_send(void *arg, const struct app_addr *dst, const uint8_t *apdu,
    size_t len, bool expecting_reply, uint8_t prio)
{
	uint8_t hdr[NPDU_HDR_MAX];
	struct npdu_view v;
	struct npdu_iov iov;
	struct wr w;
	const struct sd_route *r = NULL;
	bool bcast;

	(void)arg;
	if (port == NULL || !port->up)
		return;
	npdu_view_init(&v);
	v.control = (uint8_t)((expecting_reply ? NPDU_CTL_EXPECT_REPLY : 0) |
	    (prio & NPDU_CTL_PRIO_MASK));
	if (dst->net == APP_NET_LOCAL) {
		bcast = dst->mac_len == 0;
	} else if (dst->net == APP_NET_GLOBAL) {
		npdu_view_set_dest(&v, NPDU_NET_GLOBAL, NULL, 0,
		    NPDU_HOP_COUNT_INIT);
		bcast = true;
	} else {
		npdu_view_set_dest(&v, dst->net, dst->mac, dst->mac_len,
		    NPDU_HOP_COUNT_INIT);
		r = route_find(dst->net);
		bcast = r == NULL;	/* the router on our network takes it */
	}
	wr_init(&w, hdr, sizeof(hdr));
	if (npdu_encode_header(&w, &v) < 0)
		return;
	iov.hdr = hdr;
	iov.hdr_len = w.len;
	iov.body = apdu;
	iov.body_len = len;
	if (bcast)
		(void)port->ops->send_broadcast(port, &iov, NULL);
	else if (r != NULL)
		(void)port->ops->send_unicast(port, r->mac, SC_VMAC_LEN, &iov,
		    NULL);
	else
		(void)port->ops->send_unicast(port, dst->mac, dst->mac_len,
		    &iov, NULL);
}

static void
arm_tick(void)
{
	uint64_t d = app_next_deadline(app), now = clk_now_us();
	struct timeval tv;

	if (d == UINT64_MAX)
		d = now + CLK_SEC(1);
	d = d > now ? d - now : 0;
	tv.tv_sec = (time_t)(d / 1000000u);
	tv.tv_usec = (suseconds_t)(d % 1000000u);
	evtimer_add(tick_ev, &tv);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	app_tick(app, clk_now_us());
	arm_tick();
}

/* True for the APDUs a client wants to see (I-Am and the answers). */
static bool
is_answer(const uint8_t *apdu, size_t len)
{
	uint8_t t;

	if (len < 2)
		return false;
	t = apdu[0] >> 4;
	if (t == 1)
		return apdu[1] == 0x00;		/* I-Am */
	return t == 2 || t == 3 || t == 5 || t == 6 || t == 7;
}

static void
sd_receive(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	struct npdu_view v;
	struct app_addr src;

	(void)arg;
	(void)p;
	if (npdu_decode(rx->npdu, rx->npdu_len, &v, NULL, NULL) != CODEC_OK)
		return;
	if (v.is_nl_msg)
		return;
	if (v.has_dnet && v.dnet != NPDU_NET_GLOBAL)
		return;		/* for another network: we do not route */
	memset(&src, 0, sizeof(src));
	src.port = 1;
	if (v.has_snet) {
		if (v.slen > APP_MAC_MAX)
			return;
		src.net = v.snet;
		src.mac_len = v.slen;
		memcpy(src.mac, v.sadr, v.slen);
		route_learn(v.snet, rx->src_mac, rx->src_mac_len);
	} else {
		if (rx->src_mac_len > APP_MAC_MAX)
			return;
		src.mac_len = (uint8_t)rx->src_mac_len;
		memcpy(src.mac, rx->src_mac, rx->src_mac_len);
	}
	if (is_answer(v.payload, v.payload_len)) {
		printf("RX net=%u", (unsigned)src.net);
		print_hex(" mac=", src.mac, src.mac_len);
		print_hex(" apdu=", v.payload, v.payload_len);
		printf("\n");
		fflush(stdout);
	}
	app_receive(app, &src, v.payload, v.payload_len, clk_now_us());
	arm_tick();
}

static void
send_requests(void)
{
	size_t i;

	for (i = 0; i < n_sends; i++) {
		struct app_addr dst;

		memset(&dst, 0, sizeof(dst));
		dst.net = sends[i].net;
		dst.mac_len = sends[i].mac_len;
		memcpy(dst.mac, sends[i].mac, sends[i].mac_len);
		dst.port = 1;
		sd_send(NULL, &dst, sends[i].apdu, sends[i].len,
		    (sends[i].apdu[0] >> 4) == 0, 0);
	}
}

static void
sd_link(void *arg, struct npdu_port *p, bool up)
{
	char vs[SC_VMAC_STRLEN];
	struct app_addr all;

	(void)arg;
	(void)p;
	if (!up) {
		printf("DOWN\n");
		fflush(stdout);
		return;
	}
	sc_vmac_format(sc_node_vmac(node), vs, sizeof(vs));
	printf("UP vmac=%s\n", vs);
	fflush(stdout);
	memset(&all, 0, sizeof(all));
	all.net = APP_NET_GLOBAL;
	app_send_i_am(app, &all);
	if (!sent_requests) {
		sent_requests = true;
		send_requests();
	}
}

/* Graceful: Disconnect-Request to the hub, then leave shortly after. */
static void
sig_cb(evutil_socket_t sig, short what, void *arg)
{
	struct timeval tv = { 0, 300000 };

	(void)sig;
	(void)what;
	(void)arg;
	sc_node_stop(node);
	event_base_loopexit(base, &tv);
}

/* Parse NET:MAC:APDU (MAC and APDU in hex, MAC may be empty). */
static int
parse_send(const char *s, struct sd_send *out)
{
	const char *c1, *c2;
	char *end;
	unsigned long net;
	long l;
	size_t n;

	memset(out, 0, sizeof(*out));
	net = strtoul(s, &end, 10);
	if (end == s || *end != ':' || net > 0xFFFF)
		return -1;
	c1 = end + 1;
	c2 = strchr(c1, ':');
	if (c2 == NULL)
		return -1;
	n = (size_t)(c2 - c1);
	if (n != 0 && n != 2 * SC_VMAC_LEN)
		return -1;
	if (n != 0) {
		char m[2 * SC_VMAC_LEN + 1];

		memcpy(m, c1, n);
		m[n] = '\0';
		if (hex_decode(m, out->mac, sizeof(out->mac), NULL) !=
		    SC_VMAC_LEN)
			return -1;
		out->mac_len = SC_VMAC_LEN;
	}
	l = hex_decode(c2 + 1, out->apdu, sizeof(out->apdu), NULL);
	if (l < 2)
		return -1;
	out->len = (size_t)l;
	out->net = (uint16_t)net;
	return 0;
}

static void
random_uuid(uint8_t *u)
{
	(void)RAND_bytes(u, SC_UUID_LEN);
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
}

int
main(int argc, char **argv)
{
	static struct app_db db;
	static struct app_av av;
	static struct app_netport np;
	static struct app_av extra[SD_EXTRA_MAX];
	static char extra_name[SD_EXTRA_MAX][24];	/* "av-" and any unsigned long */
	unsigned long n_extra = 0, k;
	struct app_device_cfg dc;
	struct sc_tls_config tc;
	struct sc_tls_ctx *tls;
	struct sc_node_cfg nc;
	struct event *sterm, *sint;
	char err[256];
	const char *name = "bacsc-scdev";
	unsigned long instance = 1001;
	float value = 21.5f;
	bool debug = false, quiet = false;
	int ch;

	memset(&tc, 0, sizeof(tc));
	sc_node_cfg_default(&nc);
	nc.name = "scdev";
	random_uuid(nc.uuid);
	while ((ch = getopt(argc, argv, "H:F:c:k:a:v:U:i:n:V:A:s:dqh")) != -1) {
		switch (ch) {
		case 'H':
			nc.primary_uri = optarg;
			break;
		case 'F':
			nc.failover_uri = optarg;
			break;
		case 'c':
			tc.cert_file = optarg;
			break;
		case 'k':
			tc.key_file = optarg;
			break;
		case 'a':
			if (tc.n_ca_files >= SC_TLS_MAX_CA)
				usage();
			tc.ca_files[tc.n_ca_files++] = optarg;
			break;
		case 'v':
			if (strcmp(optarg, "random") == 0)
				break;
			if (sc_vmac_parse(optarg, nc.vmac) != 0)
				usage();
			nc.has_vmac = true;
			break;
		case 'U':
			if (sc_uuid_parse(optarg, nc.uuid) != 0)
				usage();
			break;
		case 'i':
			instance = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			name = optarg;
			break;
		case 'V':
			value = strtof(optarg, NULL);
			break;
		case 'A':
			n_extra = strtoul(optarg, NULL, 10);
			if (n_extra > SD_EXTRA_MAX)
				usage();
			break;
		case 's':
			if (n_sends == SD_SENDS_MAX ||
			    parse_send(optarg, &sends[n_sends]) != 0)
				usage();
			n_sends++;
			break;
		case 'd':
			debug = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			usage();
		}
	}
	if (nc.primary_uri == NULL || tc.cert_file == NULL ||
	    tc.key_file == NULL || tc.n_ca_files == 0 || optind != argc ||
	    instance > 4194302)
		usage();
	log_open("bacsc-scdev", LOG_TARGET_STDERR);
	log_set_level(debug ? LOG_LVL_DEBUG :
	    quiet ? LOG_LVL_WARNING : LOG_LVL_INFO);

	memset(&dc, 0, sizeof(dc));
	dc.instance = (uint32_t)instance;
	dc.name = name;
	dc.description = "bacsc-scdev: a small BACnet/SC device";
	dc.model_name = "bacsc-scdev";
	dc.apdu_retries = 3;
	memcpy(dc.uuid, nc.uuid, sizeof(dc.uuid));
	if (app_db_init(&db, &dc) < 0) {
		fprintf(stderr, "bacsc-scdev: bad device configuration\n");
		return 1;
	}
	app_av_init(&av, 1, "setpoint", 62 /* degrees-Celsius */, value,
	    true);
	app_netport_init(&np, 1, "sc", APP_NP_SC);
	np.info.primary_uri = nc.primary_uri;
	np.info.failover_uri = nc.failover_uri;
	if (app_db_add(&db, &av.obj) < 0 || app_db_add(&db, &np.obj) < 0)
		return 1;
	for (k = 0; k < n_extra; k++) {
		snprintf(extra_name[k], sizeof(extra_name[k]), "av-%lu", k + 2);
		app_av_init(&extra[k], (uint32_t)(k + 2), extra_name[k], 62,
		    (float)k, false);
		if (app_db_add(&db, &extra[k].obj) < 0)
			return 1;
	}

	tls = sc_tls_ctx_new(&tc, err, sizeof(err));
	if (tls == NULL) {
		fprintf(stderr, "bacsc-scdev: %s\n", err);
		return 1;
	}
	nc.tls = tls;
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	if (base == NULL)
		return 1;
	node = sc_node_new(base, NULL, &nc, err, sizeof(err));
	if (node == NULL) {
		fprintf(stderr, "bacsc-scdev: %s\n", err);
		return 1;
	}
	app = app_new(&db, sd_send, NULL);
	if (app == NULL)
		return 1;
	port = sc_node_port(node);
	port->name = "scdev";
	port->id = 1;
	port->user.receive = sd_receive;
	port->user.link_changed = sd_link;
	port->user.arg = NULL;
	tick_ev = evtimer_new(base, tick_cb, NULL);
	sterm = evsignal_new(base, SIGTERM, sig_cb, NULL);
	sint = evsignal_new(base, SIGINT, sig_cb, NULL);
	event_add(sterm, NULL);
	event_add(sint, NULL);
	arm_tick();
	sc_node_start(node);
	event_base_dispatch(base);

	printf("STATS rx=%llu tx=%llu rejects=%llu errors=%llu\n",
	    (unsigned long long)app_stats(app)->rx,
	    (unsigned long long)app_stats(app)->tx,
	    (unsigned long long)app_stats(app)->rejects,
	    (unsigned long long)app_stats(app)->errors);
	fflush(stdout);
	sc_node_free(node);
	app_free(app);
	event_free(tick_ev);
	event_free(sterm);
	event_free(sint);
	event_base_free(base);
	sc_tls_ctx_free(tls);
	log_close();
	return 0;
}
