/*
 * A minimal BACnet/IP front for the application entity, for the npm
 * end-to-end test (tests/e2e/app-npm.sh): one unicast socket on ADDR:PORT,
 * one on BCAST:PORT for local broadcasts, Original-Unicast/Broadcast-NPDU
 * only, local NPDUs only.  It stands in for the daemon's glue, which does
 * the same through the router core.
 *
 *   app-udp ADDR BCAST PORT SECONDS
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_ids.h"
#include "lib/bytes.h"
#include "lib/clock.h"

static int fd_uni = -1;
static struct sockaddr_in bcast;
static struct app_netport sc;
static uint8_t hub_state = APP_HUBC_CONNECTED_PRIMARY;

/* With APP_UDP_TRACE set, print every APDU in and out on stderr. */
static void
trace(char dir, const uint8_t *p, size_t n)
{
	size_t i;

	if (getenv("APP_UDP_TRACE") == NULL)
		return;
	fprintf(stderr, "%c", dir);
	for (i = 0; i < n && i < 48; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, n > 48 ? " ... (%zu)\n" : "\n", n);
}

static void
udp_send(void *arg, const struct app_addr *dst, const uint8_t *apdu,
    size_t len, bool expecting_reply, uint8_t prio)
{
	uint8_t buf[1600];
	struct sockaddr_in to;
	struct wr w;
	bool bc = dst->mac_len == 0;

	(void)arg;
	(void)prio;
	if (dst->net != 0 && dst->net != APP_NET_GLOBAL)
		return;		/* no routing here */
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 0x81);
	wr_u8(&w, bc ? 0x0B : 0x0A);
	wr_u16(&w, (uint16_t)(4 + 2 + len));
	wr_u8(&w, 0x01);
	wr_u8(&w, expecting_reply ? 0x04 : 0x00);
	wr_bytes(&w, apdu, len);
	if (wr_status(&w) < 0)
		return;
	trace('>', apdu, len);
	if (bc) {
		to = bcast;
	} else {
		if (dst->mac_len != 6)
			return;
		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		memcpy(&to.sin_addr, dst->mac, 4);
		memcpy(&to.sin_port, dst->mac + 4, 2);
	}
	sendto(fd_uni, buf, w.len, 0, (struct sockaddr *)&to, sizeof(to));
}

/* The SC port's hub state follows a file the test may write (0/1/2). */
static void
sc_refresh(void *arg, struct app_netport_info *in)
{
	(void)arg;
	in->hub_connector_state = hub_state;
	in->primary_status.state = hub_state == APP_HUBC_CONNECTED_PRIMARY ?
	    APP_SCCONN_CONNECTED : APP_SCCONN_FAILED_TO_CONNECT;
}

static void
peers(void *arg, app_conn_emit_fn emit, void *ea)
{
	struct app_sc_conn c;
	int i;

	(void)arg;
	memset(&c, 0, sizeof(c));
	c.state = APP_SCCONN_CONNECTED;
	app_datetime_from_time(1700000000, &c.connect_ts);
	app_datetime_unspecified(&c.disconnect_ts);
	c.peer.ip_len = 4;
	c.peer.ip[0] = 10;
	c.peer.port = 4443;
	c.vmac[0] = 0x02;
	c.uri = "wss://10.0.0.1:4443";
	for (i = 0; i < 40; i++) {	/* enough to need segments on B/IP */
		c.peer.ip[3] = (uint8_t)i;
		c.vmac[5] = (uint8_t)i;
		memset(c.uuid, i, sizeof(c.uuid));
		emit(ea, &c);
	}
}

static const struct app_netport_ops sc_ops = {
	.refresh = sc_refresh,
	.hub_fn_conns = peers,
};

static int
open_udp(const char *addr, uint16_t port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(addr);
		close(fd);
		return -1;
	}
	return fd;
}

/* Hand one BVLL datagram to the entity. */
static void
rx(struct app *a, const uint8_t *p, size_t n, const struct sockaddr_in *from)
{
	struct app_addr src;

	if (n < 6 || p[0] != 0x81 || (p[1] != 0x0A && p[1] != 0x0B) ||
	    be16_load(p + 2) != n || p[4] != 0x01 || (p[5] & 0xA8) != 0)
		return;		/* only plain local APDUs */
	memset(&src, 0, sizeof(src));
	src.mac_len = 6;
	memcpy(src.mac, &from->sin_addr, 4);
	memcpy(src.mac + 4, &from->sin_port, 2);
	src.port = 1;
	trace('<', p + 6, n - 6);
	app_receive(a, &src, p + 6, n - 6, clk_now_us());
}

int
main(int argc, char **argv)
{
	static struct app_db db;
	static struct app_av av;
	static struct app_netport bip;
	struct app_device_cfg cfg;
	struct pollfd pf[2];
	struct app *a;
	uint64_t end;
	uint8_t buf[1600];
	uint16_t port;
	int i, fd_bc;

	if (argc != 5)
		return 2;
	port = (uint16_t)atoi(argv[3]);
	memset(&bcast, 0, sizeof(bcast));
	bcast.sin_family = AF_INET;
	bcast.sin_port = htons(port);
	inet_pton(AF_INET, argv[2], &bcast.sin_addr);
	fd_uni = open_udp(argv[1], port);
	fd_bc = open_udp(argv[2], port);
	if (fd_uni < 0 || fd_bc < 0)
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.instance = 4711;
	cfg.name = "bacsc-router-e2e";
	cfg.segmented_transmit = true;
	cfg.apdu_retries = 3;
	if (app_db_init(&db, &cfg) < 0)
		return 1;
	app_av_init(&av, 1, "setpoint", 62, 21.5f, true);
	app_netport_init(&bip, 1, "bip0", APP_NP_BIP);
	bip.info.network_number = 1;
	inet_pton(AF_INET, argv[1], bip.info.ip);
	bip.info.udp_port = port;
	app_netport_init(&sc, 2, "sc0", APP_NP_SC);
	sc.info.network_number = 2;
	sc.info.primary_uri = "wss://127.0.0.2:4443";
	sc.info.hub_fn_enable = true;
	sc.ops = &sc_ops;
	if (app_db_add(&db, &av.obj) < 0 || app_db_add(&db, &bip.obj) < 0 ||
	    app_db_add(&db, &sc.obj) < 0)
		return 1;
	a = app_new(&db, udp_send, NULL);
	if (a == NULL)
		return 1;
	printf("ready\n");
	fflush(stdout);
	end = clk_now_us() + CLK_SEC(atoi(argv[4]));
	pf[0].fd = fd_uni;
	pf[1].fd = fd_bc;
	pf[0].events = pf[1].events = POLLIN;
	while (clk_now_us() < end) {
		if (poll(pf, 2, 50) > 0) {
			for (i = 0; i < 2; i++) {
				struct sockaddr_in from;
				socklen_t fl = sizeof(from);
				ssize_t n;

				if (!(pf[i].revents & POLLIN))
					continue;
				n = recvfrom(pf[i].fd, buf, sizeof(buf), 0,
				    (struct sockaddr *)&from, &fl);
				if (n > 0)
					rx(a, buf, (size_t)n, &from);
			}
		}
		if (access("hub-down", F_OK) == 0)
			hub_state = APP_HUBC_NO_HUB_CONNECTION;
		app_tick(a, clk_now_us());
	}
	printf("stats rx=%llu tx=%llu segs=%llu dups=%llu\n",
	    (unsigned long long)app_stats(a)->rx,
	    (unsigned long long)app_stats(a)->tx,
	    (unsigned long long)app_stats(a)->segments_sent,
	    (unsigned long long)app_stats(a)->duplicates);
	app_free(a);
	return 0;
}
