/*
 * Router engine forwarding cost: a two-port router whose ports only count
 * what they are given; forward N NPDUs of each kind and print ns each.
 * Usage: bench-rtr [iterations]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "router/rtr.h"

static unsigned long bench_sent;
static size_t bench_octets;

static int
bench_unicast(struct npdu_port *p, const uint8_t *mac, size_t mac_len,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	(void)p;
	(void)mac;
	(void)mac_len;
	(void)opts;
	bench_sent++;
	bench_octets += npdu->hdr_len + npdu->body_len;
	return 0;
}

static int
bench_broadcast(struct npdu_port *p, const struct npdu_iov *npdu,
    const struct npdu_opts *opts)
{
	return bench_unicast(p, NULL, 0, npdu, opts);
}

static const struct npdu_port_ops bench_ops = { bench_unicast,
    bench_broadcast };

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
bench_run(struct rtr *r, const char *what, unsigned pi, const uint8_t *src,
    const uint8_t *npdu, size_t len, unsigned long n)
{
	struct npdu_rx rx;
	unsigned long i, before = bench_sent;
	double t0, t1;

	memset(&rx, 0, sizeof(rx));
	rx.src_mac = src;
	rx.src_mac_len = 6;
	rx.npdu = npdu;
	rx.npdu_len = len;
	t0 = bench_now();
	for (i = 0; i < n; i++)
		rtr_receive(r, pi, &rx, 1000000u + i);
	t1 = bench_now();
	printf("%-44s %7.1f ns/NPDU (%lu sent)\n", what, (t1 - t0) / (double)n,
	    bench_sent - before);
}

int
main(int argc, char **argv)
{
	static const uint8_t d1[6] = { 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0 };
	static const uint8_t rtr20[6] = { 0x02, 0, 0, 0, 0, 0xaa };
	static const uint8_t iam20[] = { 0x01, 0x80, 0x01, 0x00, 0x14 };
	static uint8_t e9[200] = { 0x01, 0x20, 0x00, 0x05, 0x06, 0xc0, 0xa8,
	    0x01, 0x0a, 0xba, 0xc0, 0xff };
	static uint8_t to20[200] = { 0x01, 0x24, 0x00, 0x14, 0x06, 0xaa, 0xbb,
	    0xcc, 0xdd, 0xee, 0xff, 0xff };
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	struct npdu_port ports[2];
	struct npdu_port *pp[2] = { &ports[0], &ports[1] };
	struct npdu_rx rx;
	struct rtr_config c;
	struct rtr *r;
	size_t i;

	memset(ports, 0, sizeof(ports));
	for (i = 0; i < 2; i++) {
		ports[i].name = i == 0 ? "bip" : "sc";
		ports[i].mac_len = 6;
		ports[i].mac[5] = (uint8_t)(i + 1);
		ports[i].max_npdu = 1497;
		ports[i].up = true;
		ports[i].ops = &bench_ops;
	}
	rtr_config_defaults(&c);
	c.nports = 2;
	c.port[0].net = 5;
	c.port[1].net = 7;
	if ((r = rtr_new(&c, pp)) == NULL)
		return 1;
	memset(&rx, 0, sizeof(rx));
	rx.src_mac = rtr20;
	rx.src_mac_len = 6;
	rx.broadcast = true;
	rx.npdu = iam20;
	rx.npdu_len = sizeof(iam20);
	rtr_receive(r, 1, &rx, 0);
	for (i = 12; i < sizeof(e9); i++) {
		e9[i] = (uint8_t)i;
		to20[i] = (uint8_t)i;
	}
	bench_run(r, "last hop SC->B/IP (E9 form, 200 octets)", 1, rtr20,
	    e9, sizeof(e9), n);
	bench_run(r, "next hop B/IP->SC router (200 octets)", 0, d1, to20,
	    sizeof(to20), n);
	bench_run(r, "global broadcast Who-Is (E8)", 0, d1,
	    (const uint8_t *)"\x01\x20\xff\xff\x00\xff\x10\x08", 8, n);
	rtr_free(r);
	return bench_octets > 0 ? 0 : 1;
}
