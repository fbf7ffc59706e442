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

#define SYSNET_FILE_MAX	65536	/* resolv.conf read; netlink receive */

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

/* The attributes after a message's fixed part of hdrlen octets. */
static const struct rtattr *
msg_attrs(const struct nlmsghdr *nh, size_t hdrlen, int *len)
{
	*len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(hdrlen);
	return (const struct rtattr *)(const void *)
	    ((const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(hdrlen));
}

/* A 32-bit attribute's value (4 octets or more), or -1. */
static int
attr_u32(const struct rtattr *rta, uint32_t *v)
{
	if (RTA_PAYLOAD(rta) < 4)
		return -1;
	memcpy(v, RTA_DATA(rta), 4);
	return 0;
}

int
dmn_sysnet_addr_msg(const struct nlmsghdr *nh, uint32_t ip, bool *dynamic,
    int *ifindex)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta;
	uint32_t flags, v;
	bool match = false;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return -1;
	if (nh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET)
		return 0;
	flags = ifa->ifa_flags;
	for (rta = msg_attrs(nh, sizeof(*ifa), &len); RTA_OK(rta, len);
	    rta = RTA_NEXT(rta, len)) {
		if (attr_u32(rta, &v) != 0)
			continue;
		if (rta->rta_type == IFA_LOCAL && v == htonl(ip))
			match = true;
		else if (rta->rta_type == IFA_FLAGS)
			flags = v;	/* the full 32-bit flags */
	}
	if (!match)
		return 0;
	*dynamic = !(flags & IFA_F_PERMANENT);
	*ifindex = (int)ifa->ifa_index;
	return 1;
}

int
dmn_sysnet_route_msg(const struct nlmsghdr *nh, int ifindex, uint32_t *gw,
    uint32_t *metric)
{
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *rta;
	uint32_t v, table, oif = 0, via = 0, prio = 0;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)))
		return -1;
	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET ||
	    rt->rtm_dst_len != 0 || rt->rtm_type != RTN_UNICAST)
		return 0;
	table = rt->rtm_table;
	for (rta = msg_attrs(nh, sizeof(*rt), &len); RTA_OK(rta, len);
	    rta = RTA_NEXT(rta, len)) {
		if (attr_u32(rta, &v) != 0)
			continue;
		switch (rta->rta_type) {
		case RTA_TABLE:
			table = v;
			break;
		case RTA_OIF:
			oif = v;
			break;
		case RTA_GATEWAY:
			via = ntohl(v);
			break;
		case RTA_PRIORITY:
			prio = v;
			break;
		default:
			break;
		}
	}
	if (table != RT_TABLE_MAIN || oif != (uint32_t)ifindex || via == 0)
		return 0;
	*gw = via;
	*metric = prio;
	return 1;
}

/* What a dump looks for: the address, then its interface's default route. */
struct nl_find {
	uint32_t	ip;
	bool		found, dynamic;
	int		ifindex;
	bool		has_gw;
	uint32_t	gw, metric;
};

static void
nl_one(const struct nlmsghdr *nh, struct nl_find *f)
{
	uint32_t gw, metric;

	if (nh->nlmsg_type == RTM_NEWADDR && !f->found)
		f->found = dmn_sysnet_addr_msg(nh, f->ip, &f->dynamic,
		    &f->ifindex) == 1;
	else if (nh->nlmsg_type == RTM_NEWROUTE && f->found &&
	    dmn_sysnet_route_msg(nh, f->ifindex, &gw, &metric) == 1 &&
	    (!f->has_gw || metric < f->metric)) {
		f->has_gw = true;
		f->gw = gw;
		f->metric = metric;
	}
}

/* Dump the kernel's IPv4 addresses (RTM_GETADDR) or routes into f. */
static int
nl_dump(uint16_t type, struct nl_find *f)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;	/* the larger of rtmsg, ifaddrmsg */
	} req;
	struct timeval tv = { 1, 0 };
	char *buf = malloc(SYSNET_FILE_MAX);
	ssize_t n;
	int fd, rc = -1;
	bool failed = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(type == RTM_GETADDR ?
	    sizeof(struct ifaddrmsg) : sizeof(struct rtmsg));
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = AF_INET;	/* ifa_family is there too */
	if (buf == NULL || fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    send(fd, &req, req.nh.nlmsg_len, 0) != (ssize_t)req.nh.nlmsg_len)
		goto out;
	while (rc < 0 && !failed &&
	    (n = recv(fd, buf, SYSNET_FILE_MAX, 0)) > 0) {
		const struct nlmsghdr *nh = (const struct nlmsghdr *)
		    (const void *)buf;
		size_t left = (size_t)n;

		for (; rc < 0 && !failed && NLMSG_OK(nh, left);
		    nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				rc = 0;
			else if (nh->nlmsg_type == NLMSG_ERROR)
				failed = true;
			else
				nl_one(nh, f);
		}
	}
out:
	free(buf);
	if (fd >= 0)
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
		struct nl_find f;

		memset(&f, 0, sizeof(f));
		f.ip = held;
		if (nl_dump(RTM_GETADDR, &f) == 0 && f.found &&
		    nl_dump(RTM_GETROUTE, &f) == 0 && f.has_gw)
			out->gateway = f.gw;
		out->dhcp = f.found && f.dynamic;
		snprintf(path, sizeof(path), "/sys/class/net/%s/speed",
		    out->ifname);
		read_text(path, text, 32);
		out->link_bps = dmn_sysnet_speed(text);
	}
	free(text);
	return rc;
}
