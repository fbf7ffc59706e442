/*
 * The interface facts of a B/IP Network Port (router/dmn_sysnet.c): the
 * rtnetlink address and route message parsers on messages built here, the
 * resolv.conf and link-speed parsers on fixed texts, then a real read of
 * the loopback interface.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "router/dmn_sysnet.h"
#include "tests/unit/harness.h"

/* Netlink messages built here, as the kernel sends them. */
static uint32_t nlbuf[128];

static struct nlmsghdr *
nl_msg(uint16_t type, const void *fixed, size_t len)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(void *)nlbuf;

	memset(nlbuf, 0, sizeof(nlbuf));
	nh->nlmsg_type = type;
	nh->nlmsg_len = NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(nh), fixed, len);
	return nh;
}

/* Append attribute `type` with n octets of value. */
static void
nl_attr(struct nlmsghdr *nh, uint16_t type, const void *v, size_t n)
{
	struct rtattr *rta = (struct rtattr *)(void *)((char *)nh +
	    NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(n);
	memcpy(RTA_DATA(rta), v, n);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void
nl_u32(struct nlmsghdr *nh, uint16_t type, uint32_t v)
{
	nl_attr(nh, type, &v, 4);
}

/* A default route of table `table` via host-order gw on oif. */
static struct nlmsghdr *
route(uint8_t family, uint8_t dst_len, uint8_t table, uint32_t oif,
    uint32_t gw)
{
	struct rtmsg rt;
	struct nlmsghdr *nh;

	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = family;
	rt.rtm_dst_len = dst_len;
	rt.rtm_table = table;
	rt.rtm_type = RTN_UNICAST;
	nh = nl_msg(RTM_NEWROUTE, &rt, sizeof(rt));
	nl_u32(nh, RTA_TABLE, table);
	nl_u32(nh, RTA_OIF, oif);
	if (gw != 0)
		nl_u32(nh, RTA_GATEWAY, htonl(gw));
	return nh;
}

static void
test_route_msg(void)
{
	struct nlmsghdr *nh;
	struct rtmsg *rt;
	uint32_t gw = 7, metric = 7;

	nh = route(AF_INET, 0, RT_TABLE_MAIN, 3, 0x0A090001);
	nl_u32(nh, RTA_PRIORITY, 5);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 1);
	CU_ASSERT_EQUAL(gw, 0x0A090001u);
	CU_ASSERT_EQUAL(metric, 5);
	/* Through another interface. */
	gw = metric = 7;
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 4, &gw, &metric), 0);
	CU_ASSERT(gw == 7 && metric == 7);
	/* No RTA_PRIORITY: metric 0. */
	nh = route(AF_INET, 0, RT_TABLE_MAIN, 3, 0xC0000201);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 1);
	CU_ASSERT(gw == 0xC0000201u && metric == 0);
	/* Not a default route, no gateway, not IPv4, not the main table. */
	nh = route(AF_INET, 24, RT_TABLE_MAIN, 3, 0x0A090001);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 0);
	nh = route(AF_INET, 0, RT_TABLE_MAIN, 3, 0);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 0);
	nh = route(AF_INET6, 0, RT_TABLE_MAIN, 3, 0x0A090001);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 0);
	nh = route(AF_INET, 0, RT_TABLE_LOCAL, 3, 0x0A090001);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 0);
	/* RTA_TABLE wins over the 8-bit rtm_table (tables above 255). */
	nh = route(AF_INET, 0, RT_TABLE_MAIN, 3, 0x0A090001);
	rt = NLMSG_DATA(nh);
	rt->rtm_table = RT_TABLE_COMPAT;
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 1);
	/* Not unicast (a blackhole default), or not a route at all. */
	rt->rtm_type = RTN_BLACKHOLE;
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 0);
	rt->rtm_type = RTN_UNICAST;
	nh->nlmsg_type = RTM_NEWADDR;
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 0);
	/* A gateway attribute too short to hold an address is passed over. */
	nh = route(AF_INET, 0, RT_TABLE_MAIN, 3, 0);
	nl_attr(nh, RTA_GATEWAY, "\x0a\x09", 2);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), 0);
	/* Shorter than struct rtmsg. */
	nh->nlmsg_len = NLMSG_LENGTH(4);
	CU_ASSERT_EQUAL(dmn_sysnet_route_msg(nh, 3, &gw, &metric), -1);
}

static struct nlmsghdr *
addr(uint8_t family, uint8_t flags, uint32_t index, uint32_t local)
{
	struct ifaddrmsg ifa;
	struct nlmsghdr *nh;

	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = family;
	ifa.ifa_prefixlen = 24;
	ifa.ifa_flags = flags;
	ifa.ifa_index = index;
	nh = nl_msg(RTM_NEWADDR, &ifa, sizeof(ifa));
	nl_u32(nh, IFA_ADDRESS, htonl(local));
	nl_u32(nh, IFA_LOCAL, htonl(local));
	return nh;
}

static void
test_addr_msg(void)
{
	struct nlmsghdr *nh;
	bool dyn = true;
	int index = 0;

	/* A static address: permanent. */
	nh = addr(AF_INET, IFA_F_PERMANENT, 3, 0x0A090002);
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090002, &dyn, &index), 1);
	CU_ASSERT(!dyn && index == 3);
	/* A lease: no permanent flag. */
	nh = addr(AF_INET, 0, 4, 0x0A090002);
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090002, &dyn, &index), 1);
	CU_ASSERT(dyn && index == 4);
	/* IFA_FLAGS (32 bits) wins over the 8-bit ifa_flags. */
	nh = addr(AF_INET, IFA_F_PERMANENT, 3, 0x0A090002);
	nl_u32(nh, IFA_FLAGS, IFA_F_NOPREFIXROUTE);
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090002, &dyn, &index), 1);
	CU_ASSERT(dyn);
	nh = addr(AF_INET, 0, 3, 0x0A090002);
	nl_u32(nh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090002, &dyn, &index), 1);
	CU_ASSERT(!dyn);
	/* Another address, another family, another message. */
	dyn = true;
	index = 9;
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090003, &dyn, &index), 0);
	CU_ASSERT(dyn && index == 9);
	nh = addr(AF_INET6, 0, 3, 0x0A090002);
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090002, &dyn, &index), 0);
	nh = addr(AF_INET, 0, 3, 0x0A090002);
	nh->nlmsg_type = RTM_NEWROUTE;
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090002, &dyn, &index), 0);
	/* Shorter than struct ifaddrmsg. */
	nh->nlmsg_type = RTM_NEWADDR;
	nh->nlmsg_len = NLMSG_LENGTH(2);
	CU_ASSERT_EQUAL(dmn_sysnet_addr_msg(nh, 0x0A090002, &dyn, &index), -1);
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
	UT_CASE(test_route_msg),
	UT_CASE(test_addr_msg),
	UT_CASE(test_resolv),
	UT_CASE(test_speed),
	UT_CASE(test_read_loopback),
	UT_END
};
UT_SUITE(sysnet, cases);
