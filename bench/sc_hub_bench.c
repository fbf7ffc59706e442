/*
 * Hub relay benchmark: a bacsc-hub process and two of our nodes (one
 * process, one event_base) on 127.0.0.1 over TLS 1.3.
 *
 *   sc_hub_bench PKI_DIR HUB_BIN [MESSAGES] [PORT] [PAIRS]
 *
 * 1. relay rate: each of PAIRS (default 1) node pairs A_i -> B_i sends
 *    unicast Encapsulated-NPDUs of 30 and of 1400 octets through the hub,
 *    MESSAGES in all, with at most WINDOW_BYTES / PAIRS in flight per pair
 *    (the hub drops what a full receiver cannot take, so an unbounded
 *    sender would only measure drops); rate = messages received by all
 *    B_i / time from the first send to the last receipt;
 * 2. round trip: A_0 sends a 30-octet NPDU to B_0, B_0 answers at once,
 *    5000 times; median, p99 and mean.
 * All nodes live in this one process (both TLS ends of every message):
 * with one pair this process, not the hub, is the limit.
 * 3. split relay rate (PAIRS 1 only): the receiver is a node in a second
 *    process (so the two TLS endpoints of the client side no longer share
 *    one core with each other); the sender sends MESSAGES 30-octet NPDUs
 *    as fast as its connection takes them; rate = received / time from
 *    the first send to the last receipt; losses are what the hub dropped
 *    on a full receiver.
 * The hub's CPU time per relayed message comes from /proc.  One line of
 * results is printed as "RESULT ..." for bench/results.md.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "npdu/port.h"
#include "sc/sc_node.h"
#include "sc/sc_tls.h"
#include "tests/sctest.h"

#define WINDOW_BYTES	(192u * 1024u)	/* in flight, below every watermark */

static struct event_base *base;
#define PAIRS_MAX	200
static struct sc_node *nas[PAIRS_MAX], *nbs[PAIRS_MAX];
static struct sc_node *na, *nb;
static size_t npairs = 1;
static uint64_t rx_b, rx_a, rxb[PAIRS_MAX];
static bool echo;
static uint8_t buf_a[1400];

static void
on_rx_b(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	rx_b++;
	rxb[(uintptr_t)arg]++;
	if (echo) {
		struct npdu_iov iov = { rx->npdu, rx->npdu_len, NULL, 0 };

		(void)p->ops->send_unicast(p, rx->src_mac, rx->src_mac_len,
		    &iov, NULL);
	}
}

static void
on_rx_a(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	(void)arg;
	(void)p;
	(void)rx;
	rx_a++;
}

static const uint8_t vmac_c[6] = { 0x02, 0x00, 0x00, 0x00, 0x0c, 0x0c };

static struct sc_node *
mk(const char *pki, const char *cert, unsigned port, uint8_t tag,
    unsigned idx, const uint8_t *vmac, struct sc_tls_ctx **tlsp)
{
	struct sc_node_cfg cfg;
	char uri[64], err[256];
	struct sc_node *n;

	if (*tlsp == NULL)
		*tlsp = sct_tls(pki, cert);
	snprintf(uri, sizeof(uri), "wss://127.0.0.1:%u/", port);
	sc_node_cfg_default(&cfg);
	cfg.name = cert;
	memset(cfg.uuid, tag, sizeof(cfg.uuid));
	cfg.uuid[14] = (uint8_t)(idx >> 8);
	cfg.uuid[15] = (uint8_t)idx;
	cfg.primary_uri = uri;
	cfg.tls = *tlsp;
	if (vmac != NULL) {
		cfg.has_vmac = true;
		memcpy(cfg.vmac, vmac, 6);
	}
	n = sc_node_new(base, NULL, &cfg, err, sizeof(err));
	if (n == NULL) {
		fprintf(stderr, "node: %s\n", err);
		exit(1);
	}
	sc_node_start(n);
	return n;
}

/* Run the loop until something happened (at most 100 ms). */
static void
once(void)
{
	event_base_loop(base, EVLOOP_ONCE);
}

/* Relay rate for size-octet NPDUs; returns messages per second. */
static double
rate(size_t size, uint64_t count, pid_t hub, double *cpu_us_per_msg,
    uint64_t *lost)
{
	struct npdu_iov iov;
	uint64_t sent = 0, t0, t1, c0, last_rx = 0, stall = 0;
	uint64_t window = WINDOW_BYTES / (size + 10) / npairs + 1;
	uint64_t per = count / npairs, sentp[PAIRS_MAX];
	size_t i, k;
	bool more;

	for (i = 0; i < size; i++)
		buf_a[i] = (uint8_t)i;
	buf_a[0] = 0x01;
	buf_a[1] = 0x00;
	iov.hdr = buf_a;
	iov.hdr_len = 2;
	iov.body = buf_a + 2;
	iov.body_len = size - 2;
	rx_b = 0;
	memset(rxb, 0, sizeof(rxb));
	memset(sentp, 0, sizeof(sentp));
	count = per * npairs;
	c0 = sct_cpu_us(hub);
	t0 = clk_now_us();
	stall = t0;
	while (rx_b < count) {
		for (k = 0; k < npairs; k++) {
			struct npdu_port *pa = sc_node_port(nas[k]);

			more = true;
			while (more && sentp[k] < per &&
			    sentp[k] - rxb[k] < window) {
				if (pa->ops->send_unicast(pa,
				    sc_node_vmac(nbs[k]), 6, &iov, NULL) != 0)
					more = false;
				else {
					sentp[k]++;
					sent++;
				}
			}
		}
		once();
		if (rx_b != last_rx) {
			last_rx = rx_b;
			stall = clk_now_us();
		} else if (clk_now_us() - stall > CLK_SEC(2)) {
			break;	/* lost in the hub: stop waiting */
		}
	}
	t1 = clk_now_us();
	*cpu_us_per_msg = rx_b > 0 ?
	    (double)(sct_cpu_us(hub) - c0) / (double)rx_b : 0;
	*lost = sent - rx_b;
	return (double)rx_b * 1e6 / (double)(t1 - t0);
}

static uint64_t split_rx, split_t1, split_count;

static void
on_rx_split(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	(void)arg;
	(void)p;
	(void)rx;
	split_t1 = clk_now_us();
	if (++split_rx >= split_count)
		event_base_loopbreak(base);
}

/* The receiving process: report "received time_of_last_us" on fd. */
static void
split_child(const char *pki, unsigned port, int fd)
{
	struct sc_tls_ctx *tc = NULL;
	struct sc_node *nc;
	struct timeval tv = { 0, 100000 };
	uint64_t last = 0, stall;
	char line[64];
	int k;

	base = event_base_new();
	(void)sct_tick_new(base, &tv);	/* lives until the process ends */
	nc = mk(pki, "node2", port, 0xc3, 0, vmac_c, &tc);
	sc_node_port(nc)->user.receive = on_rx_split;
	while (!sc_node_port(nc)->up)
		once();
	k = snprintf(line, sizeof(line), "U");
	(void)!write(fd, line, (size_t)k);
	stall = clk_now_us();
	while (split_rx < split_count) {
		once();
		if (split_rx != last) {
			last = split_rx;
			stall = clk_now_us();
		} else if (clk_now_us() - stall > CLK_SEC(3)) {
			break;
		}
	}
	/* The monotonic clock is shared by both processes. */
	k = snprintf(line, sizeof(line), "%llu %llu\n",
	    (unsigned long long)split_rx, (unsigned long long)split_t1);
	(void)!write(fd, line, (size_t)k);
	_exit(0);
}

static double
split_rate(const char *pki, unsigned port, size_t size, uint64_t count,
    pid_t hub, double *cpu_us_per_msg, uint64_t *lost)
{
	struct npdu_port *pa = sc_node_port(na);
	struct npdu_iov iov = { buf_a, 2, buf_a + 2, size - 2 };
	struct pollfd pfd;
	unsigned long long rx = 0, t_last = 0;
	uint64_t sent = 0, c0, t_first;
	char buf[64];
	size_t got = 0;
	pid_t child;
	int fds[2];

	split_count = count;
	split_rx = 0;
	memset(buf_a, 0x55, size);
	buf_a[0] = 0x01;
	buf_a[1] = 0x00;
	if (pipe(fds) != 0)
		return 0;
	child = fork();
	if (child == 0) {
		close(fds[0]);
		split_child(pki, port, fds[1]);
	}
	close(fds[1]);
	/* Wait until the receiver is up, serving our own loop meanwhile. */
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 0) == 0)
		once();
	if (read(fds[0], buf, 1) != 1)
		return 0;
	c0 = sct_cpu_us(hub);
	t_first = clk_now_us();
	while (sent < count) {
		if (pa->ops->send_unicast(pa, vmac_c, 6, &iov, NULL) != 0) {
			once();	/* output full: let it drain */
			continue;
		}
		if ((++sent & 255) == 0)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	while (got == 0 || buf[got - 1] != '\n') {
		if (poll(&pfd, 1, 0) == 1) {
			ssize_t k = read(fds[0], buf + got,
			    sizeof(buf) - 1 - got);

			if (k <= 0)
				break;
			got += (size_t)k;
			continue;
		}
		once();
	}
	buf[got] = '\0';
	close(fds[0]);
	waitpid(child, NULL, 0);
	if (sscanf(buf, "%llu %llu", &rx, &t_last) != 2 || rx == 0 ||
	    t_last <= t_first)
		return 0;
	*cpu_us_per_msg = (double)(sct_cpu_us(hub) - c0) / (double)rx;
	*lost = count - rx;
	/* From our first send to the receiver's last receipt. */
	return (double)rx * 1e6 / (double)(t_last - t_first);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
rtt(unsigned n, double *med, double *p99, double *mean)
{
	struct npdu_port *pa = sc_node_port(na);
	uint8_t m[30] = { 0x01, 0x00 };
	struct npdu_iov iov = { m, sizeof(m), NULL, 0 };
	uint64_t *v = calloc(n, sizeof(*v)), sum = 0, t;
	unsigned i;

	echo = true;
	for (i = 0; i < n; i++) {
		rx_a = 0;
		t = clk_now_us();
		if (pa->ops->send_unicast(pa, sc_node_vmac(nb), 6, &iov,
		    NULL) != 0)
			continue;
		while (rx_a == 0)
			once();
		v[i] = clk_now_us() - t;
		sum += v[i];
	}
	echo = false;
	qsort(v, n, sizeof(*v), cmp_u64);
	*med = (double)v[n / 2];
	*p99 = (double)v[n * 99 / 100];
	*mean = (double)sum / n;
	free(v);
}

int
main(int argc, char **argv)
{
	const char *pki, *hub_bin;
	uint64_t count = 200000, lost30, lost1400;
	unsigned port = 47990;
	struct sc_tls_ctx *ta = NULL, *tb = NULL;
	char ms[16];
	const char *extra[] = { "-m", ms, NULL };
	size_t k;
	bool allup;
	pid_t hub;
	double r30, r1400, cpu30, cpu1400, med, p99, mean, rs = 0, cpus = 0;
	uint64_t losts = 0, losts14 = 0;
	double rs14 = 0, cpus14 = 0;
	uint64_t end;
	struct event *tick;
	struct timeval tick_tv = { 0, 100000 };

	if (argc < 3) {
		fprintf(stderr, "usage: sc_hub_bench PKI_DIR HUB_BIN "
		    "[MESSAGES] [PORT]\n");
		return 2;
	}
	pki = argv[1];
	hub_bin = argv[2];
	if (argc > 3)
		count = strtoull(argv[3], NULL, 10);
	if (argc > 4)
		port = (unsigned)strtoul(argv[4], NULL, 10);
	if (argc > 5)
		npairs = strtoul(argv[5], NULL, 10);
	if (npairs < 1 || npairs > PAIRS_MAX)
		npairs = 1;
	signal(SIGPIPE, SIG_IGN);
	log_open("sc_hub_bench", LOG_TARGET_STDERR);
	log_set_level(LOG_LVL_WARNING);
	snprintf(ms, sizeof(ms), "%zu", 2 * npairs + 16);
	hub = sct_hub_start(hub_bin, pki, port, extra);
	if (hub < 0)
		return 1;
	base = event_base_new();
	for (k = 0; k < npairs; k++) {
		nas[k] = mk(pki, "node1", port, 0xa1, (unsigned)k, NULL, &ta);
		nbs[k] = mk(pki, "node2", port, 0xb2, (unsigned)k, NULL, &tb);
		sc_node_port(nas[k])->user.receive = on_rx_a;
		sc_node_port(nbs[k])->user.receive = on_rx_b;
		sc_node_port(nbs[k])->user.arg = (void *)(uintptr_t)k;
	}
	na = nas[0];
	nb = nbs[0];
	tick = sct_tick_new(base, &tick_tv);
	end = clk_now_us() + CLK_SEC(20);
	do {
		struct timeval tv = { 0, 50000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		allup = true;
		for (k = 0; k < npairs; k++)
			if (!sc_node_port(nas[k])->up ||
			    !sc_node_port(nbs[k])->up)
				allup = false;
	} while (!allup && clk_now_us() < end);
	if (!allup) {
		fprintf(stderr, "nodes did not connect\n");
		kill(hub, SIGKILL);
		return 1;
	}
	(void)rate(30, count / 10, hub, &cpu30, &lost30);	/* warm up */
	r30 = rate(30, count, hub, &cpu30, &lost30);
	r1400 = rate(1400, count / 4, hub, &cpu1400, &lost1400);
	rtt(5000, &med, &p99, &mean);
	if (npairs == 1) {
		rs = split_rate(pki, port, 30, count, hub, &cpus, &losts);
		rs14 = split_rate(pki, port, 1400, count / 5, hub, &cpus14,
		    &losts14);
	}
	{
		struct sc_node_status st;

		sc_node_get_status(na, &st);
		fprintf(stderr, "A: tx %llu busy %llu nohub %llu toobig %llu\n",
		    (unsigned long long)st.ctr.npdu_tx,
		    (unsigned long long)st.ctr.tx_busy,
		    (unsigned long long)st.ctr.tx_no_hub,
		    (unsigned long long)st.ctr.tx_too_big);
	}
	printf("relay 30 B:   %.0f msgs/s (hub CPU %.2f us/msg, %llu lost)\n",
	    r30, cpu30, (unsigned long long)lost30);
	printf("relay 1400 B: %.0f msgs/s (%.1f MB/s, hub CPU %.2f us/msg, "
	    "%llu lost)\n", r1400, r1400 * 1400 / 1e6, cpu1400,
	    (unsigned long long)lost1400);
	printf("round trip A->hub->B->hub->A (30 B): median %.0f us, p99 %.0f "
	    "us, mean %.0f us\n", med, p99, mean);
	if (npairs == 1) {
		printf("relay 30 B, receiver in its own process: %.0f msgs/s "
		    "(hub CPU %.2f us/msg, %llu of %llu dropped by the hub)\n",
		    rs, cpus, (unsigned long long)losts,
		    (unsigned long long)count);
		printf("relay 1400 B, receiver in its own process: %.0f msgs/s "
		    "(%.1f MB/s, hub CPU %.2f us/msg, %llu of %llu dropped by "
		    "the hub)\n", rs14, rs14 * 1400 / 1e6, cpus14,
		    (unsigned long long)losts14,
		    (unsigned long long)(count / 5));
	}
	printf("RESULT pairs=%zu relay30=%.0f/s relay1400=%.0f/s "
	    "hubcpu30=%.2fus hubcpu1400=%.2fus lost=%llu/%llu "
	    "rtt_median=%.0fus rtt_p99=%.0fus", npairs, r30,
	    r1400, cpu30, cpu1400, (unsigned long long)lost30,
	    (unsigned long long)lost1400, med, p99);
	if (npairs == 1)
		printf(" split30=%.0f/s split_hubcpu=%.2fus split_lost=%llu "
		    "split1400=%.0f/s split1400_hubcpu=%.2fus "
		    "split1400_lost=%llu", rs, cpus, (unsigned long long)losts,
		    rs14, cpus14, (unsigned long long)losts14);
	printf(" msgs=%llu\n", (unsigned long long)count);
	for (k = 0; k < npairs; k++) {
		sc_node_stop(nas[k]);
		sc_node_stop(nbs[k]);
	}
	{
		struct timeval tv = { 0, 200000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	kill(hub, SIGTERM);
	waitpid(hub, NULL, 0);
	event_free(tick);
	for (k = 0; k < npairs; k++) {
		sc_node_free(nas[k]);
		sc_node_free(nbs[k]);
	}
	sc_tls_ctx_free(ta);
	sc_tls_ctx_free(tb);
	event_base_free(base);
	return 0;
}
