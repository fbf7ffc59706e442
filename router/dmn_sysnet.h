/*
 * What the system says about the interface a B/IP port is bound to, for
 * the port's Network Port object (IP_Subnet_Mask, IP_Default_Gateway,
 * IP_DNS_Server, IP_DHCP_Enable, Link_Speed):
 *
 *   mask      the netmask of the interface address equal to the port's
 *             address, else of the one whose subnet holds it (127.0.4.5
 *             on lo's 127.0.0.1/8) (getifaddrs)
 *   gateway   the gateway of the main table's default route through that
 *             interface, lowest metric first (rtnetlink, not
 *             /proc/net/route, which the systemd unit's ProcSubset=pid
 *             hides); 0 if the default route leaves by another interface
 *             or there is none
 *   dns       the IPv4 "nameserver" lines of /etc/resolv.conf, in order,
 *             at most three (the resolver's MAXNS)
 *   dhcp      the kernel holds the address with a finite lifetime
 *             (rtnetlink: no IFA_F_PERMANENT), which is how DHCP clients
 *             that pass the lease on install it (systemd-networkd,
 *             NetworkManager, dhcpcd); a static address is permanent
 *   link_bps  /sys/class/net/IF/speed in bit/s; 0 when the driver does
 *             not know (loopback, virtual links, no carrier)
 *
 * Glue: reads files and sockets, so call it off the hot path (the daemon
 * reads at most every DMN_SYSNET_MAX_AGE_US).  The parsers are pure.
 */
#ifndef ROUTER_DMN_SYSNET_H
#define ROUTER_DMN_SYSNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DMN_SYSNET_DNS_MAX	3
#define DMN_SYSNET_IFNAME_MAX	16		/* IFNAMSIZ */
#define DMN_SYSNET_MAX_AGE_US	10000000ULL	/* re-read after 10 s */

struct dmn_sysnet {
	char		ifname[DMN_SYSNET_IFNAME_MAX];	/* "" if not found */
	uint32_t	mask;		/* host order; 0: unknown */
	uint32_t	gateway;	/* host order; 0: none */
	uint32_t	dns[DMN_SYSNET_DNS_MAX];	/* host order */
	size_t		n_dns;
	bool		dhcp;
	double		link_bps;	/* 0: unknown */
};

/*
 * Fill out for the interface holding IPv4 address ip (see above for the
 * subnet rule) (host order; on the
 * interface named ifname if not NULL), reading the resolver list from
 * resolv_path.  Return 0, or -1 if no interface holds ip (out then has
 * only the DNS servers).  Never fails on a missing file: that value
 * stays 0.
 */
int dmn_sysnet_read(uint32_t ip, const char *ifname, const char *resolv_path,
    struct dmn_sysnet *out);

struct nlmsghdr;

/*
 * From one rtnetlink message: if it is RTM_NEWADDR for IPv4 address ip
 * (host order, IFA_LOCAL), return 1 with *dynamic (no IFA_F_PERMANENT,
 * from IFA_FLAGS when present) and *ifindex; 0 if it is another message
 * or address; -1 if it is shorter than its fixed part.  nh must hold
 * nlmsg_len octets.  Pure.
 */
int dmn_sysnet_addr_msg(const struct nlmsghdr *nh, uint32_t ip,
    bool *dynamic, int *ifindex);

/*
 * From one rtnetlink message: if it is an RTM_NEWROUTE IPv4 unicast
 * default route (destination length 0) of the main table through
 * interface ifindex with a gateway, return 1 with *gw (host order) and
 * *metric (RTA_PRIORITY, 0 if absent); 0 otherwise; -1 if it is shorter
 * than its fixed part.  Pure.
 */
int dmn_sysnet_route_msg(const struct nlmsghdr *nh, int ifindex,
    uint32_t *gw, uint32_t *metric);

/*
 * From the text of resolv.conf, the IPv4 addresses (host order) of the
 * "nameserver" lines, in order, at most max; IPv6 servers are skipped.
 * Return how many.  Pure.
 */
size_t dmn_sysnet_resolv(const char *text, uint32_t *dns, size_t max);

/*
 * From the contents of /sys/class/net/IF/speed (Mb/s), bit/s; 0 for
 * unknown (-1, empty, not a number).  Pure.
 */
double dmn_sysnet_speed(const char *text);

#endif
