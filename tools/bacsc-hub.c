/*
 * bacsc-hub: the BACnet/SC hub function alone, from a few command-line
 * options, so tests and benchmarks can start, kill and restart hubs.
 *
 *   bacsc-hub -c CERT -k KEY -a CA [-a CA2] [-l ADDR] [-p PORT]
 *             [-v VMAC] [-u UUID] [-m MAX_CONNS] [-b MAX_BVLC] [-o]
 *             [-H HEARTBEAT_S] [-x EXIT_AFTER_S] [-d] [-q]
 *
 * Prints "LISTENING <port>" on stdout once the listener is bound (so a
 * test can pass -p 0).  SIGTERM/SIGINT: Disconnect-Request to every node,
 * then exit.  SIGUSR1: print status and peers on stdout, then a line
 * "HEAP inuse=N free=N mmap=N" (glibc's malloc statistics in octets:
 * memory handed out, free memory it keeps, of which nothing is mmapped
 * chunks; sc_scale_bench compares it with VmRSS).  -x exits abruptly
 * after that many seconds (no Disconnect), like a crash.
 */
#include "config.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "sc/sc_hub.h"
#include "sc/sc_tls.h"
#include "sc/sc_ws.h"
#include "sc/sc_vmac.h"

static struct sc_hub *hub;
static struct event_base *base;
static struct event *stop_timer;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bacsc-hub -c CERT -k KEY -a CA [-a CA] [-l ADDR] "
	    "[-p PORT]\n"
	    "                 [-v VMAC] [-u UUID] [-m MAX_CONNS] "
	    "[-b MAX_BVLC] [-o]\n"
	    "                 [-H HEARTBEAT_S] [-x EXIT_AFTER_S] [-d] [-q]\n"
	    "  -o  accept an Originating VMAC from nodes (overwritten)\n"
	    "  -x  exit abruptly after that many seconds (failover tests)\n");
	exit(2);
}

/* glibc's view of the heap (nothing printed elsewhere). */
static void
print_heap(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 mi = mallinfo2();

	printf("HEAP inuse=%zu free=%zu mmap=%zu\n", mi.uordblks + mi.hblkhd,
	    mi.fordblks, mi.hblkhd);
#endif
}

static void
print_status(void)
{
	struct sc_hub_status st;
	struct sc_hub_peer_status ps[64];
	size_t n, i;
	char vs[SC_VMAC_STRLEN], us[SC_UUID_STRLEN];
	uint64_t now = clk_now_us();

	sc_hub_get_status(hub, &st);
	printf("STATUS port=%u peers=%zu conns=%zu unicast=%llu "
	    "broadcast=%llu copies=%llu unknown=%llu too_big=%llu naks=%llu "
	    "busy=%llu dup_vmac=%llu replaced=%llu\n", st.port, st.n_peers,
	    st.n_conns, (unsigned long long)st.ctr.relayed_unicast,
	    (unsigned long long)st.ctr.relayed_broadcast,
	    (unsigned long long)st.ctr.broadcast_copies,
	    (unsigned long long)st.ctr.dropped_unknown_dest,
	    (unsigned long long)st.ctr.dropped_too_big,
	    (unsigned long long)st.ctr.naks,
	    (unsigned long long)st.dropped_busy,
	    (unsigned long long)st.ctr.refused_dup_vmac,
	    (unsigned long long)st.ctr.replaced);
	n = sc_hub_get_peers(hub, ps, 64);
	for (i = 0; i < n && i < 64; i++) {
		sc_vmac_format(ps[i].vmac, vs, sizeof(vs));
		sc_uuid_format(ps[i].uuid, us, sizeof(us));
		printf("PEER vmac=%s uuid=%s addr=%s since=%llus rx=%llu "
		    "tx=%llu\n", vs, us, ps[i].addr,
		    (unsigned long long)((now - ps[i].since_us) / 1000000u),
		    (unsigned long long)ps[i].rx_msgs,
		    (unsigned long long)ps[i].tx_msgs);
	}
	print_heap();
	fflush(stdout);
}

static void
exit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static void
sig_cb(evutil_socket_t sig, short what, void *arg)
{
	struct timeval tv = { 0, 300000 };

	(void)what;
	(void)arg;
	if (sig == SIGUSR1) {
		print_status();
		return;
	}
	/* Graceful: Disconnect-Request to all, then leave shortly after. */
	sc_hub_shutdown(hub);
	evtimer_add(stop_timer, &tv);
}

static void
crash_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fflush(stdout);
	_exit(3);
}

int
main(int argc, char **argv)
{
	struct sc_tls_config tc;
	struct sc_tls_ctx *tls;
	struct sc_hub_conf hc;
	struct event *sterm, *sint, *susr1, *crash = NULL;
	char err[256];
	long exit_after = 0;
	bool quiet = false, debug = false, have_vmac = false, have_uuid = false;
	int ch;

	memset(&tc, 0, sizeof(tc));
	memset(&hc, 0, sizeof(hc));
	hc.name = "bacsc-hub";
	hc.bind_addr = "127.0.0.1";
	while ((ch = getopt(argc, argv, "c:k:a:l:p:v:u:m:b:oH:x:dqh")) != -1) {
		switch (ch) {
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
		case 'l':
			hc.bind_addr = optarg;
			break;
		case 'p':
			hc.port = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'v':
			if (sc_vmac_parse(optarg, hc.vmac) != 0)
				usage();
			have_vmac = true;
			break;
		case 'u':
			if (sc_uuid_parse(optarg, hc.uuid) != 0)
				usage();
			have_uuid = true;
			break;
		case 'm':
			hc.max_conns = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			hc.max_bvlc = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			hc.accept_orig_vmac = true;
			break;
		case 'H':
			hc.heartbeat_ms = (unsigned)strtoul(optarg, NULL, 10) *
			    1000u;
			break;
		case 'x':
			exit_after = strtol(optarg, NULL, 10);
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
	if (tc.cert_file == NULL || tc.key_file == NULL || tc.n_ca_files == 0)
		usage();
	log_open("bacsc-hub", LOG_TARGET_STDERR);
	log_set_level(debug ? LOG_LVL_DEBUG :
	    quiet ? LOG_LVL_WARNING : LOG_LVL_INFO);
	if (!have_vmac) {
		uint8_t r[SC_VMAC_LEN];

		(void)RAND_bytes(r, sizeof(r));
		sc_vmac_random48(r, hc.vmac);
	}
	if (!have_uuid) {
		(void)RAND_bytes(hc.uuid, sizeof(hc.uuid));
		hc.uuid[6] = (uint8_t)((hc.uuid[6] & 0x0f) | 0x40);
		hc.uuid[8] = (uint8_t)((hc.uuid[8] & 0x3f) | 0x80);
	}
	tls = sc_tls_ctx_new(&tc, err, sizeof(err));
	if (tls == NULL) {
		fprintf(stderr, "bacsc-hub: %s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	base = sc_ws_base_new();
	hc.tls = tls;
	hub = sc_hub_new(base, &hc, err, sizeof(err));
	if (hub == NULL) {
		fprintf(stderr, "bacsc-hub: %s\n", err);
		return 1;
	}
	stop_timer = evtimer_new(base, exit_cb, NULL);
	sterm = evsignal_new(base, SIGTERM, sig_cb, NULL);
	sint = evsignal_new(base, SIGINT, sig_cb, NULL);
	susr1 = evsignal_new(base, SIGUSR1, sig_cb, NULL);
	event_add(sterm, NULL);
	event_add(sint, NULL);
	event_add(susr1, NULL);
	/* Signals are handled from here on: a test may send them at once. */
	printf("LISTENING %u\n", (unsigned)sc_hub_listen_port(hub));
	fflush(stdout);
	if (exit_after > 0) {
		struct timeval tv = { exit_after, 0 };

		crash = evtimer_new(base, crash_cb, NULL);
		evtimer_add(crash, &tv);
	}
	event_base_dispatch(base);
	print_status();
	sc_hub_free(hub);
	event_free(sterm);
	event_free(sint);
	event_free(susr1);
	event_free(stop_timer);
	if (crash != NULL)
		event_free(crash);
	event_base_free(base);
	sc_tls_ctx_free(tls);
	log_close();
	return 0;
}
