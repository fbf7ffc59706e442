/*
 * Hub scale and failover benchmark on 127.0.0.1 over TLS 1.3.
 *
 *   sc_scale_bench PKI_DIR HUB_BIN [NODES] [PORT] [PENDING]
 *
 * 1. connections: a bacsc-hub process (-m NODES+64) and NODES of our SC
 *    nodes (sc/sc_node.h) in this one process on one event_base, sharing
 *    one TLS context (node1's certificate, a UUID and VMAC each).  Nodes
 *    are started so that at most PENDING (default 32) are connecting at
 *    once (the hub's listener takes 64 handshakes at a time); TLS handshakes per
 *    second = nodes admitted / time.  This process does the client half
 *    of every handshake, so on two cores it limits the rate too.
 * 2. memory: the hub's VmRSS (/proc/PID/status) before any node and
 *    with all of them connected; delta / connections.  Beside it the
 *    hub's heap in use as glibc counts it (the HEAP line bacsc-hub prints
 *    on SIGUSR1; chunk headers included), so RSS minus heap shows what
 *    malloc holds free or fragmented.  With
 *    BENCH_SCALE_HOLD=S in the environment the connections then stay up
 *    S seconds (the hub's pid is printed) for a look from outside.
 * 3. reconnect: kill -9 the hub, wait until every node saw it go, start
 *    it again; the time until
 *    50 %, 90 % and all nodes are connected again, and the largest number
 *    admitted in any 100 ms (a thundering herd shows as one big burst
 *    followed by refusals).  The nodes use a reconnect time of 1 s to
 *    8 s (sc_hubconn_fsm.h: doubling, jittered).
 * 4. failover: two hubs (primary PORT, failover PORT+1) and two nodes
 *    with both URIs; A sends B a message every millisecond; kill -9 the
 *    primary; the time until B receives the first message sent after
 *    the kill (so through the failover hub).  Three times.
 * Every phase has a deadline (connecting: 60 s, or BENCH_SCALE_CONNECT_S).
 * BENCH_SCALE_MEMONLY=1 stops after phase 2.  A line "RESULT ..." is for
 * bench/run.sh.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "npdu/port.h"
#include "sc/sc_node.h"
#include "sc/sc_tls.h"
#include "tests/sctest.h"

#define BUCKET_US	100000u

static struct event_base *base;
static struct evdns_base *dns;
static struct sc_tls_ctx *tls;
static struct sc_node **nodes;
static bool *is_up;
static size_t n_up;
static const char *pki, *hub_bin;
static uint64_t rx_count, rx_first_after;
static uint64_t t_mark;
static size_t pending = 32;
static const char *hub_out;	/* the measured hub's stdout, or NULL */

static void
on_link(void *arg, struct npdu_port *p, bool up)
{
	size_t i = (size_t)(uintptr_t)arg;

	(void)p;
	if (up && !is_up[i])
		n_up++;
	else if (!up && is_up[i])
		n_up--;
	is_up[i] = up;
}

static void
on_rx(void *arg, struct npdu_port *p, const struct npdu_rx *rx)
{
	uint64_t sent = 0;
	size_t i;

	(void)arg;
	(void)p;
	rx_count++;
	if (rx->npdu_len < 12)
		return;
	for (i = 4; i < 12; i++)
		sent = (sent << 8) | rx->npdu[i];
	/* Only a message sent after the kill went through the failover. */
	if (t_mark != 0 && rx_first_after == 0 && sent >= t_mark)
		rx_first_after = clk_now_us();
}

static long
rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/*
 * The hub's heap in use (kB) as it reports it on SIGUSR1 (a "HEAP inuse=N
 * free=N" line in its output file), or -1.  *free_kb: glibc's free memory.
 */
static long
heap_kb(pid_t pid, const char *out, long *free_kb)
{
	char line[512];
	unsigned long long inuse = 0, fr = 0;
	size_t seen = 0, n;
	int tries;
	FILE *f;

	for (tries = 0; tries < 2 && out != NULL; tries++) {
		f = fopen(out, "r");
		if (f == NULL)
			return -1;
		n = 0;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "HEAP inuse=%llu free=%llu", &inuse,
			    &fr) == 2)
				n++;
		fclose(f);
		if (tries == 1 && n > seen) {
			*free_kb = (long)(fr / 1024);
			return (long)(inuse / 1024);
		}
		seen = n;
		kill(pid, SIGUSR1);
		/* The hub answers from its event loop. */
		usleep(300000);
	}
	return -1;
}

static pid_t
start_hub(unsigned port, size_t max_conns)
{
	char ms[24];
	const char *extra[] = { "-m", ms, NULL };

	snprintf(ms, sizeof(ms), "%zu", max_conns);
	return sct_hub_start_to(hub_bin, pki, port, extra, hub_out);
}

static void
once(void)
{
	event_base_loop(base, EVLOOP_ONCE);
}

static void
run_for(uint64_t us)
{
	uint64_t end = clk_now_us() + us;

	while (clk_now_us() < end)
		once();
}

static struct sc_node *
mk_node(size_t i, unsigned port, unsigned failover_port)
{
	struct sc_node_cfg cfg;
	char uri[64], furi[64], err[256];
	struct sc_node *n;

	snprintf(uri, sizeof(uri), "wss://127.0.0.1:%u/", port);
	snprintf(furi, sizeof(furi), "wss://127.0.0.1:%u/", failover_port);
	sc_node_cfg_default(&cfg);
	cfg.name = "scale";
	cfg.has_vmac = true;
	cfg.vmac[0] = 0x02;
	cfg.vmac[1] = 0x5c;
	cfg.vmac[2] = failover_port != 0 ? 0xf0 : 0;
	cfg.vmac[3] = (uint8_t)(i >> 16);
	cfg.vmac[4] = (uint8_t)(i >> 8);
	cfg.vmac[5] = (uint8_t)i;
	memset(cfg.uuid, 0x5c, sizeof(cfg.uuid));
	memcpy(cfg.uuid + 10, cfg.vmac, 6);
	cfg.primary_uri = uri;
	cfg.failover_uri = failover_port != 0 ? furi : NULL;
	cfg.tls = tls;
	cfg.min_reconnect_ms = 1000;
	cfg.max_reconnect_ms = 8000;
	n = sc_node_new(base, dns, &cfg, err, sizeof(err));
	if (n == NULL) {
		fprintf(stderr, "node %zu: %s\n", i, err);
		exit(1);
	}
	sc_node_port(n)->user.link_changed = on_link;
	sc_node_port(n)->user.receive = on_rx;
	sc_node_port(n)->user.arg = (void *)(uintptr_t)i;
	return n;
}

/* Time (us) from now until n_up reaches want, or 0 at the deadline. */
static uint64_t
wait_up(size_t want, uint64_t limit_us)
{
	uint64_t t0 = clk_now_us();

	while (n_up < want) {
		if (clk_now_us() - t0 > limit_us)
			return 0;
		once();
	}
	return clk_now_us() - t0;
}

static void
send_one(struct sc_node *from, struct sc_node *to)
{
	uint8_t m[30] = { 0x01, 0x00, 0x10, 0x08 };
	struct npdu_port *p = sc_node_port(from);
	struct npdu_iov iov = { m, sizeof(m), NULL, 0 };
	uint64_t now = clk_now_us();
	int i;

	for (i = 11; i >= 4; i--) {
		m[i] = (uint8_t)now;
		now >>= 8;
	}

	if (p->up)
		(void)p->ops->send_unicast(p, sc_node_vmac(to), 6, &iov, NULL);
}

/* Failover: return the time in us, or 0 if it did not happen in 20 s. */
static uint64_t
failover_once(unsigned port)
{
	pid_t prim, fo;
	struct sc_node *a, *b;
	uint64_t t, t_end, res = 0, next;

	prim = start_hub(port, 64);
	fo = start_hub(port + 1, 64);
	if (prim < 0 || fo < 0) {
		fprintf(stderr, "failover: a hub did not start\n");
		sct_hub_stop(prim, SIGKILL);
		sct_hub_stop(fo, SIGKILL);
		return 0;
	}
	a = mk_node(0, port, port + 1);
	b = mk_node(1, port, port + 1);
	sc_node_start(a);
	sc_node_start(b);
	if (wait_up(2, 15000000u) == 0)
		goto out;
	run_for(300000);
	t_mark = 0;
	rx_count = 0;
	rx_first_after = 0;
	t = clk_now_us();
	next = t;
	/*
	 * Traffic flows on the primary for 1.5 s (a connection that lived
	 * less than the minimum reconnect time, 1 s, is retried only after
	 * the back-off: rule 4 of sc_hubconn_fsm.c), then the primary dies.
	 */
	while (clk_now_us() - t < 1500000u) {
		if (clk_now_us() >= next) {
			send_one(a, b);
			next += 1000;
		}
		once();
	}
	if (rx_count == 0)
		goto out;
	sct_hub_stop(prim, SIGKILL);
	prim = -1;
	t_mark = clk_now_us();
	t_end = t_mark + 20000000u;
	next = t_mark;
	while (rx_first_after == 0 && clk_now_us() < t_end) {
		if (clk_now_us() >= next) {
			send_one(a, b);
			next += 1000;
		}
		once();
	}
	if (rx_first_after != 0)
		res = rx_first_after - t_mark;
	t_mark = 0;
out:
	sc_node_free(a);
	sc_node_free(b);
	is_up[0] = is_up[1] = false;
	n_up = 0;
	sct_hub_stop(prim, SIGKILL);
	sct_hub_stop(fo, SIGKILL);
	return res;
}

int
main(int argc, char **argv)
{
	size_t want = 10000, i, started = 0, bucket_max = 0, bucket_n = 0;
	unsigned port = 47930;
	struct rlimit rl;
	struct event *tick;
	struct timeval tick_tv = { 0, 10000 };
	pid_t hub;
	long rss0, rss1, own0, own1, heap0, heap1, free0 = 0, free1 = 0;
	char outpath[] = "/tmp/sc_scale_hub.XXXXXX";
	int outfd;
	uint64_t t0, t_down, t_conn = 0, t50 = 0, t90 = 0, t100 = 0, now, b0;
	size_t up_conn, last_up;
	double hs_rate, fo[3], hub_cpu, own_cpu;
	char heap_s[64];	/* "heap_per_conn=..kB heap_free=..kB" */
	uint64_t hub_cpu0, own_cpu0, connect_limit_us = 60000000u;
	int r;

	if (argc < 3) {
		fprintf(stderr, "usage: sc_scale_bench PKI_DIR HUB_BIN [NODES] "
		    "[PORT]\n");
		return 2;
	}
	pki = argv[1];
	hub_bin = argv[2];
	if (argc > 3)
		want = strtoul(argv[3], NULL, 10);
	if (argc > 4)
		port = (unsigned)strtoul(argv[4], NULL, 10);
	if (argc > 5)
		pending = strtoul(argv[5], NULL, 10);
	if (pending < 1)
		pending = 1;
	if (want < 2)
		want = 2;
	if (getenv("BENCH_SCALE_CONNECT_S") != NULL)
		connect_limit_us = 1000000u *
		    strtoull(getenv("BENCH_SCALE_CONNECT_S"), NULL, 10);
	signal(SIGPIPE, SIG_IGN);
	log_open("sc_scale_bench", LOG_TARGET_STDERR);
	log_set_level(LOG_LVL_ERR);
	/* Room for every connection here and in the hub (inherited). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < want + 100) {
			fprintf(stderr, "RLIMIT_NOFILE %llu: only %llu nodes\n",
			    (unsigned long long)rl.rlim_cur,
			    (unsigned long long)rl.rlim_cur - 100);
			want = rl.rlim_cur - 100;
		}
	}
	nodes = calloc(want, sizeof(*nodes));
	is_up = calloc(want, sizeof(*is_up));
	if (nodes == NULL || is_up == NULL)
		return 1;
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	tick = sct_tick_new(base, &tick_tv);
	tls = sct_tls(pki, "node1");

	/* 1. connect (the hub's output goes to a file for its HEAP lines) */
	outfd = mkstemp(outpath);
	if (outfd >= 0) {
		close(outfd);
		hub_out = outpath;
	}
	hub = start_hub(port, want + 64);
	if (hub < 0)
		return 1;
	rss0 = rss_kb(hub);
	heap0 = heap_kb(hub, hub_out, &free0);
	own0 = rss_kb(getpid());
	hub_cpu0 = sct_cpu_us(hub);
	own_cpu0 = sct_cpu_us(getpid());
	t0 = clk_now_us();
	while (n_up < want && clk_now_us() - t0 < connect_limit_us) {
		while (started < want && started - n_up < pending) {
			nodes[started] = mk_node(started, port, 0);
			sc_node_start(nodes[started]);
			started++;
		}
		once();
	}
	t_conn = clk_now_us() - t0;
	up_conn = n_up;
	hub_cpu = up_conn > 0 ? (double)(sct_cpu_us(hub) - hub_cpu0) /
	    (double)up_conn : 0;
	own_cpu = up_conn > 0 ? (double)(sct_cpu_us(getpid()) - own_cpu0) /
	    (double)up_conn : 0;
	hs_rate = (double)up_conn * 1e6 / (double)t_conn;
	printf("connected %zu of %zu nodes in %.1f s: %.0f TLS handshakes/s "
	    "accepted (hub CPU %.0f us per admitted node, this process %.0f "
	    "us)\n", up_conn, want, (double)t_conn / 1e6, hs_rate, hub_cpu,
	    own_cpu);

	/* 2. memory */
	run_for(1000000);
	rss1 = rss_kb(hub);
	own1 = rss_kb(getpid());
	heap1 = heap_kb(hub, hub_out, &free1);
	if (hub_out != NULL) {
		unlink(hub_out);
		hub_out = NULL;
	}
	printf("hub VmRSS %ld kB -> %ld kB: %.1f kB per connection; this "
	    "process %.1f kB per node\n", rss0, rss1,
	    up_conn > 0 ? (double)(rss1 - rss0) / (double)up_conn : 0,
	    up_conn > 0 ? (double)(own1 - own0) / (double)up_conn : 0);
	if (up_conn > 0 && heap0 >= 0 && heap1 > 0) {
		snprintf(heap_s, sizeof(heap_s), "heap_per_conn=%.1fkB "
		    "heap_free=%ldkB", (double)(heap1 - heap0) /
		    (double)up_conn, free1);
		printf("hub heap in use (glibc, chunk headers included) %ld kB "
		    "-> %ld kB: %.1f kB per connection; free inside the heap "
		    "%ld kB -> %ld kB\n", heap0, heap1, (double)(heap1 -
		    heap0) / (double)up_conn, free0, free1);
	} else {
		/* No HEAP line, or zeros (a hub under valgrind or ASan). */
		snprintf(heap_s, sizeof(heap_s), "heap_per_conn=n/a");
	}
	if (getenv("BENCH_SCALE_HOLD") != NULL) {
		/* Keep the connections up for an outside look at the hub. */
		printf("holding %s s: hub pid %ld\n",
		    getenv("BENCH_SCALE_HOLD"), (long)hub);
		fflush(stdout);
		run_for(1000000u * strtoul(getenv("BENCH_SCALE_HOLD"), NULL,
		    10));
	}
	if (getenv("BENCH_SCALE_MEMONLY") != NULL) {
		printf("RESULT nodes=%zu/%zu connect=%.1fs hub_rss=%ldkB->%ldkB "
		    "per_conn=%.1fkB %s "
		    "(memory phase only)\n", up_conn, want,
		    (double)t_conn / 1e6, rss0, rss1, up_conn > 0 ?
		    (double)(rss1 - rss0) / (double)up_conn : 0,
		    heap_s);
		sct_hub_stop(hub, SIGKILL);
		return 0;
	}

	/* 3. hub restart */
	sct_hub_stop(hub, SIGKILL);
	t0 = clk_now_us();
	while (n_up > 0 && clk_now_us() - t0 < 10000000u)
		once();
	t_down = clk_now_us() - t0;
	hub = start_hub(port, want + 64);
	t0 = clk_now_us();
	last_up = n_up;
	b0 = t0;
	while (clk_now_us() - t0 < 45000000u) {
		once();
		now = clk_now_us();
		if (now - b0 >= BUCKET_US) {
			if (bucket_n > bucket_max)
				bucket_max = bucket_n;
			bucket_n = 0;
			b0 = now;
		}
		if (n_up > last_up)
			bucket_n += n_up - last_up;
		last_up = n_up;
		if (t50 == 0 && n_up * 2 >= up_conn)
			t50 = now - t0;
		if (t90 == 0 && n_up * 10 >= up_conn * 9)
			t90 = now - t0;
		if (n_up >= up_conn) {
			t100 = now - t0;
			break;
		}
	}
	if (bucket_n > bucket_max)
		bucket_max = bucket_n;
	printf("hub killed (kill -9), all %zu nodes saw it within %.2f s, "
	    "hub started again: 50%% back in %.2f s, 90%% in %.2f s, all %zu in %.2f s%s; at most %zu "
	    "admitted in 100 ms\n", up_conn, (double)t_down / 1e6,
	    (double)t50 / 1e6, (double)t90 / 1e6,
	    up_conn, (double)t100 / 1e6, t100 == 0 ? " (NOT all within 45 s)"
	    : "", bucket_max);
	for (i = 0; i < started; i++)
		sc_node_free(nodes[i]);
	memset(is_up, 0, want * sizeof(*is_up));
	n_up = 0;
	sct_hub_stop(hub, SIGKILL);

	/* 4. failover */
	for (r = 0; r < 3; r++) {
		fo[r] = (double)failover_once(port + 2 + 2 * (unsigned)r) / 1e3;
		printf("failover %d: %.1f ms from kill -9 of the primary to the "
		    "first message through the failover hub\n", r + 1, fo[r]);
	}

	printf("RESULT nodes=%zu/%zu connect=%.1fs handshakes=%.0f/s "
	    "hub_cpu_per_handshake=%.0fus hub_rss=%ldkB->%ldkB per_conn=%.1fkB "
	    "%s client_per_node=%.1fkB "
	    "restart_50/90/100=%.2f/%.2f/%.2fs max_per_100ms=%zu "
	    "failover=%.1f/%.1f/%.1fms\n", up_conn, want,
	    (double)t_conn / 1e6, hs_rate, hub_cpu, rss0, rss1,
	    up_conn > 0 ? (double)(rss1 - rss0) / (double)up_conn : 0,
	    heap_s,
	    up_conn > 0 ? (double)(own1 - own0) / (double)up_conn : 0,
	    (double)t50 / 1e6, (double)t90 / 1e6, (double)t100 / 1e6,
	    bucket_max, fo[0], fo[1], fo[2]);
	event_free(tick);
	evdns_base_free(dns, 0);
	sc_tls_ctx_free(tls);
	event_base_free(base);
	free(nodes);
	free(is_up);
	return 0;
}
