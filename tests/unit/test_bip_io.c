/*
 * Unit test for bip/bip_io.c on loopback: the notices about malformed
 * datagrams are limited per port, not only per source, so datagrams from
 * ever new (forged) source addresses cannot each make a log line.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bip/bip_io.h"
#include "lib/log.h"
#include "tests/unit/harness.h"

struct bip_lines {
	int	bip;		/* LD_BIP lines */
};

static void
bip_capture(void *arg, enum log_level lvl, enum log_domain dom,
    const char *line)
{
	struct bip_lines *c = arg;

	(void)lvl;
	(void)line;
	if (dom == LD_BIP)
		c->bip++;
}

/* A free UDP port on 127.0.0.1 (bound, read back, released). */
static uint16_t
free_udp_port(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Send one datagram to 127.0.0.1:port from 127.0.a.b (any port). */
static int
send_from(uint8_t a, uint8_t b, uint16_t port, const uint8_t *p, size_t n)
{
	struct sockaddr_in src, dst;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rc = -1;

	if (fd < 0)
		return -1;
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)a << 8 | b);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0 &&
	    sendto(fd, p, n, 0, (struct sockaddr *)&dst, sizeof(dst)) ==
	    (ssize_t)n)
		rc = 0;
	close(fd);
	return rc;
}

static void
test_bip_bad_datagram_log_limit(void)
{
	/* Type 0x81, Original-Unicast, length 8, but 6 octets arrive. */
	static const uint8_t bad[] = { 0x81, 0x0a, 0x00, 0x08, 0x01, 0x00 };
	struct bip_port_config c;
	struct bip_lines lines = { 0 };
	struct event_base *base;
	struct bip_port *p;
	struct timeval tv = { 0, 200000 };
	char err[256];
	int i, sent = 0;

	bip_port_config_init(&c);
	c.bind_ip = 0x7f000001u;
	c.port = free_udp_port();
	c.has_bcast = true;
	c.bcast_ip = 0x7fffffffu;
	c.bcast_socket = false;
	CU_ASSERT_FATAL(c.port != 0);
	base = event_base_new();
	CU_ASSERT_FATAL(base != NULL);
	p = bip_port_new(base, &c, err, sizeof(err));
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_FATAL(bip_port_start(p) == 0);
	log_set_sink(bip_capture, &lines);
	log_set_level(LOG_LVL_NOTICE);
	/* 200 malformed datagrams, each from another address. */
	for (i = 0; i < 200; i++)
		if (send_from((uint8_t)(10 + i / 250), (uint8_t)(i % 250 + 2),
		    c.port, bad, sizeof(bad)) == 0)
			sent++;
	CU_ASSERT_EQUAL(sent, 200);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	log_open("test", LOG_TARGET_STDERR);
	/* Every one was seen and counted ... */
	CU_ASSERT_EQUAL(bip_port_counters(p)->rx_malformed, 200);
	/* ... but only a few were worth a line. */
	CU_ASSERT(lines.bip >= 1);
	CU_ASSERT(lines.bip <= 10);
	bip_port_free(p);
	event_base_free(base);
}

static const struct ut_case cases[] = {
	UT_CASE(test_bip_bad_datagram_log_limit),
	UT_END
};
UT_SUITE(bip_io, cases);
