/* The interface facts of a B/IP port's Network Port: see dmn_sysnet.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "router/dmn_sysnet.h"

#define SYSNET_FILE_MAX	65536	/* longest route table / resolv.conf read */

/* Copy the line at *p (without its newline) into buf; advance *p. */
static bool
next_line(const char **p, char *buf, size_t cap)
{
	const char *s = *p, *e;
	size_t n;

	if (*s == '\0')
		return false;
	e = strchr(s, '\n');
	n = e != NULL ? (size_t)(e - s) : strlen(s);
	*p = e != NULL ? e + 1 : s + n;
	if (n >= cap)
		n = cap - 1;	/* longer lines are cut: none we read is */
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

int
dmn_sysnet_route_gw(const char *text, const char *ifname, uint32_t *gw)
{
	char line[256], name[DMN_SYSNET_IFNAME_MAX + 1];
	unsigned long dst, via, mask;
	unsigned flags;
	int metric, best = -1;
	uint32_t found = 0;

	if (!next_line(&text, line, sizeof(line)))	/* the header */
		return -1;
	while (next_line(&text, line, sizeof(line))) {
		if (sscanf(line, "%16s %lx %lx %x %*d %*d %d %lx", name, &dst,
		    &via, &flags, &metric, &mask) != 6)
			continue;
		/* RTF_UP | RTF_GATEWAY, destination and mask 0.0.0.0 */
		if (strcmp(name, ifname) != 0 || dst != 0 || mask != 0 ||
		    (flags & 0x3) != 0x3 || via == 0 || via > 0xFFFFFFFFUL)
			continue;
		if (best < 0 || metric < best) {
			best = metric;
			/* The kernel prints the network-order word natively. */
			found = ntohl((uint32_t)via);
		}
	}
	if (best < 0)
		return -1;
	*gw = found;
	return 0;
}

size_t
dmn_sysnet_resolv(const char *text, uint32_t *dns, size_t max)
{
	char line[512], word[16], addr[64];
	struct in_addr a;
	size_t n = 0;

	while (n < max && next_line(&text, line, sizeof(line))) {
		if (sscanf(line, "%15s %63s", word, addr) != 2 ||
		    strcmp(word, "nameserver") != 0)
			continue;
		if (inet_pton(AF_INET, addr, &a) == 1)
			dns[n++] = ntohl(a.s_addr);
	}
	return n;
}

double
dmn_sysnet_speed(const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || v <= 0)
		return 0;
	return (double)v * 1e6;
}

/* Read a small text file whole into buf; "" if it cannot be read. */
static void
read_text(const char *path, char *buf, size_t cap)
{
	ssize_t r;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return;
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
}

/*
 * The interface address for ip (and on ifname): the one equal to ip, else
 * the one whose subnet holds ip (127.0.4.5 is a local address of lo's
 * 127.0.0.1/8).  Fill the name and netmask; *held = that address.
 */
static int
find_iface(uint32_t ip, const char *ifname, struct dmn_sysnet *out,
    uint32_t *held)
{
	struct ifaddrs *ifa, *i;
	const struct ifaddrs *pick = NULL;
	uint32_t pick_ip = 0, pick_mask = 0;

	if (getifaddrs(&ifa) != 0)
		return -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const struct sockaddr_in *a, *m;
		uint32_t aip, mask;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (ifname != NULL && strcmp(i->ifa_name, ifname) != 0)
			continue;
		a = (const struct sockaddr_in *)(const void *)i->ifa_addr;
		m = (const struct sockaddr_in *)(const void *)i->ifa_netmask;
		aip = ntohl(a->sin_addr.s_addr);
		mask = m != NULL && m->sin_family == AF_INET ?
		    ntohl(m->sin_addr.s_addr) : 0xFFFFFFFFu;
		if (aip == ip || (pick == NULL && mask != 0 &&
		    (aip & mask) == (ip & mask))) {
			pick = i;
			pick_ip = aip;
			pick_mask = mask;
			if (aip == ip)
				break;
		}
	}
	if (pick != NULL) {
		out->mask = pick_mask;
		snprintf(out->ifname, sizeof(out->ifname), "%s",
		    pick->ifa_name);
		*held = pick_ip;
	}
	freeifaddrs(ifa);
	return pick != NULL ? 0 : -1;
}

/*
 * Look ip up in one RTM_NEWADDR message: 1 with *dynamic set if it is
 * that address, 0 if another, -1 if the message is broken.
 */
static int
addr_msg(const struct nlmsghdr *nh, uint32_t ip, bool *dynamic)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifa));
	uint32_t flags, be = htonl(ip), v;
	bool match = false;

	if (len < 0)
		return -1;
	if (ifa->ifa_family != AF_INET)
		return 0;
	flags = ifa->ifa_flags;
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (RTA_PAYLOAD(rta) < 4)
			continue;
		memcpy(&v, RTA_DATA(rta), 4);
		if (rta->rta_type == IFA_LOCAL && v == be)
			match = true;
		else if (rta->rta_type == IFA_FLAGS)
			flags = v;	/* the full 32-bit flags */
	}
	if (!match)
		return 0;
	*dynamic = !(flags & IFA_F_PERMANENT);
	return 1;
}

/* Ask rtnetlink whether the kernel holds ip with a finite lifetime. */
static int
addr_is_dynamic(uint32_t ip, bool *dynamic)
{
	struct {
		struct nlmsghdr		nh;
		struct ifaddrmsg	ifa;
	} req;
	struct timeval tv = { 1, 0 };
	char *buf;
	ssize_t n;
	int fd, rc = -1, done = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	buf = malloc(SYSNET_FILE_MAX);
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET;
	if (buf == NULL ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		goto out;
	while (!done && (n = recv(fd, buf, SYSNET_FILE_MAX, 0)) > 0) {
		const struct nlmsghdr *nh = (const struct nlmsghdr *)
		    (const void *)buf;
		size_t left = (size_t)n;

		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == RTM_NEWADDR && rc < 0 &&
			    addr_msg(nh, ip, dynamic) == 1)
				rc = 0;	/* keep reading to the end */
		}
	}
out:
	free(buf);
	close(fd);
	return rc;
}

int
dmn_sysnet_read(uint32_t ip, const char *ifname, const char *resolv_path,
    struct dmn_sysnet *out)
{
	char *text = malloc(SYSNET_FILE_MAX), path[64];
	uint32_t held = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return -1;
	read_text(resolv_path, text, SYSNET_FILE_MAX);
	out->n_dns = dmn_sysnet_resolv(text, out->dns, DMN_SYSNET_DNS_MAX);
	rc = find_iface(ip, ifname, out, &held);
	if (rc == 0) {
		read_text("/proc/net/route", text, SYSNET_FILE_MAX);
		if (dmn_sysnet_route_gw(text, out->ifname, &out->gateway) != 0)
			out->gateway = 0;
		if (addr_is_dynamic(held, &out->dhcp) != 0)
			out->dhcp = false;
		snprintf(path, sizeof(path), "/sys/class/net/%s/speed",
		    out->ifname);
		read_text(path, text, 32);
		out->link_bps = dmn_sysnet_speed(text);
	}
	free(text);
	return rc;
}
