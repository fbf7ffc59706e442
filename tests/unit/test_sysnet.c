/*
 * The interface facts of a B/IP Network Port (router/dmn_sysnet.c): the
 * /proc/net/route, resolv.conf and link-speed parsers on fixed texts,
 * then a real read of the loopback interface.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "router/dmn_sysnet.h"
#include "tests/unit/harness.h"

/* As /proc/net/route prints it on a little-endian host (two namespaces'
 * worth: v0 and v1 each with a default route, v0 also a worse one). */
static const char route_le[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask"
    "\t\tMTU\tWindow\tIRTT\n"
    "v0\t00000000\t0100090A\t0003\t0\t0\t5\t00000000\t0\t0\t0\n"
    "v1\t00000000\t0101090A\t0003\t0\t0\t10\t00000000\t0\t0\t0\n"
    "v0\t00000000\t0200090A\t0003\t0\t0\t1\t00000000\t0\t0\t0\n"
    "v0\t0000090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "v1\t0001090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "v2\t00000000\t0100090A\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"
    "v3\t00000000\t0103090A\t0003\t0\t0\t0\t000000FF\t0\t0\t0\n"
    "garbage line\n";

static uint32_t
host_word(uint32_t ip)
{
	/* The hex /proc/net/route prints for host-order address ip. */
	uint8_t b[4] = { (uint8_t)(ip >> 24), (uint8_t)(ip >> 16),
		(uint8_t)(ip >> 8), (uint8_t)ip };
	uint32_t w;

	memcpy(&w, b, 4);
	return w;
}

static void
test_route_gw(void)
{
	char text[512];
	uint32_t gw = 0;

	/* The text above is little-endian: only check it on such a host. */
	if (host_word(0x0A090001) == 0x0100090Au) {
		CU_ASSERT_EQUAL(dmn_sysnet_route_gw(route_le, "v0", &gw), 0);
		CU_ASSERT_EQUAL(gw, 0x0A090002u);	/* metric 1 wins */
		CU_ASSERT_EQUAL(dmn_sysnet_route_gw(route_le, "v1", &gw), 0);
		CU_ASSERT_EQUAL(gw, 0x0A090101u);
	}
	/* Not up and gateway (v2), not a default route (v3), absent. */
	gw = 7;
	CU_ASSERT_EQUAL(dmn_sysnet_route_gw(route_le, "v2", &gw), -1);
	CU_ASSERT_EQUAL(dmn_sysnet_route_gw(route_le, "v3", &gw), -1);
	CU_ASSERT_EQUAL(dmn_sysnet_route_gw(route_le, "eth0", &gw), -1);
	CU_ASSERT_EQUAL(gw, 7);
	/* Host order whatever the host: build the line from the word. */
	snprintf(text, sizeof(text), "Iface\tDestination\tGateway\n"
	    "eth0\t00000000\t%08X\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
	    host_word(0xC0000201));
	CU_ASSERT_EQUAL(dmn_sysnet_route_gw(text, "eth0", &gw), 0);
	CU_ASSERT_EQUAL(gw, 0xC0000201u);
	/* The header alone, nothing, a name too long for an interface. */
	CU_ASSERT_EQUAL(dmn_sysnet_route_gw("Iface\tDestination\n", "eth0",
	    &gw), -1);
	CU_ASSERT_EQUAL(dmn_sysnet_route_gw("", "eth0", &gw), -1);
	CU_ASSERT_EQUAL(dmn_sysnet_route_gw("h\n"
	    "averyveryverylongname\t00000000\t0100090A\t0003\t0\t0\t0\t"
	    "00000000\n", "averyveryverylon", &gw), -1);
}

static void
test_resolv(void)
{
	uint32_t dns[3];

	CU_ASSERT_EQUAL(dmn_sysnet_resolv(
	    "# generated\n"
	    "search example.org\n"
	    "nameserver 10.255.255.53\n"
	    "; comment\n"
	    "nameserver ::1\n"			/* IPv6: skipped */
	    "  nameserver\t192.0.2.1   # trailing\n"
	    "nameservers 192.0.2.9\n"		/* another word */
	    "#nameserver 192.0.2.8\n"
	    "nameserver 192.0.2.300\n"		/* not an address */
	    "nameserver 198.51.100.7\n"
	    "nameserver 203.0.113.1\n",		/* the fourth: over max */
	    dns, 3), 3);
	CU_ASSERT_EQUAL(dns[0], 0x0AFFFF35u);
	CU_ASSERT_EQUAL(dns[1], 0xC0000201u);
	CU_ASSERT_EQUAL(dns[2], 0xC6336407u);
	CU_ASSERT_EQUAL(dmn_sysnet_resolv("", dns, 3), 0);
	CU_ASSERT_EQUAL(dmn_sysnet_resolv("nameserver 10.0.0.1", dns, 3), 1);
	CU_ASSERT_EQUAL(dns[0], 0x0A000001u);
	CU_ASSERT_EQUAL(dmn_sysnet_resolv("nameserver 10.0.0.1\n", dns, 0),
	    0);
}

static void
test_speed(void)
{
	CU_ASSERT_DOUBLE_EQUAL(dmn_sysnet_speed("10000\n"), 1e10, 1);
	CU_ASSERT_DOUBLE_EQUAL(dmn_sysnet_speed("100"), 1e8, 1);
	CU_ASSERT_DOUBLE_EQUAL(dmn_sysnet_speed("-1\n"), 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(dmn_sysnet_speed(""), 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(dmn_sysnet_speed("unknown"), 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(dmn_sysnet_speed("0"), 0, 0);
}

/* The loopback interface of this host, with our own resolv.conf. */
static void
test_read_loopback(void)
{
	char path[64];
	struct dmn_sysnet s;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/ut-sysnet-%d", (int)getpid());
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("nameserver 192.0.2.53\nnameserver 192.0.2.54\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(dmn_sysnet_read(0x7F000001, NULL, path, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.ifname, "lo");
	CU_ASSERT_EQUAL(s.mask, 0xFF000000u);
	CU_ASSERT_EQUAL(s.gateway, 0);		/* no default route on lo */
	CU_ASSERT_FALSE(s.dhcp);		/* 127.0.0.1 is permanent */
	CU_ASSERT_DOUBLE_EQUAL(s.link_bps, 0, 0);	/* lo: no speed */
	CU_ASSERT_EQUAL(s.n_dns, 2);
	CU_ASSERT_EQUAL(s.dns[1], 0xC0000236u);
	/* Another loopback address: lo's subnet holds it. */
	CU_ASSERT_EQUAL(dmn_sysnet_read(0x7F000405, "lo", path, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.ifname, "lo");
	CU_ASSERT_EQUAL(s.mask, 0xFF000000u);
	/* An address no interface holds (TEST-NET-3), a missing file. */
	CU_ASSERT_EQUAL(dmn_sysnet_read(0xCB007101, NULL, path, &s), -1);
	CU_ASSERT_STRING_EQUAL(s.ifname, "");
	CU_ASSERT_EQUAL(s.mask, 0);
	CU_ASSERT_EQUAL(s.n_dns, 2);
	unlink(path);
	CU_ASSERT_EQUAL(dmn_sysnet_read(0x7F000001, "lo", path, &s), 0);
	CU_ASSERT_EQUAL(s.n_dns, 0);
	/* lo holds no 127/8 address by the name of another interface. */
	CU_ASSERT_EQUAL(dmn_sysnet_read(0x7F000001, "nonexistent0", path,
	    &s), -1);
}

static const struct ut_case cases[] = {
	UT_CASE(test_route_gw),
	UT_CASE(test_resolv),
	UT_CASE(test_speed),
	UT_CASE(test_read_loopback),
	UT_END
};
UT_SUITE(sysnet, cases);
