/*
 * Unit test for sc/sc_ws.c: an outgoing connection that TCP connects to
 * itself (nobody listens on the target port, and the kernel picked that
 * very port as the ephemeral local port) is a failed connect, not a peer.
 *
 * The test makes the collision certain in a network namespace of its own
 * (a forked child: unshare, loopback up, ephemeral range of one port, the
 * target that port).  Without the privilege for a namespace (not root)
 * it says so and checks nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "sc/sc_ws.h"
#include "tests/unit/harness.h"

#define SELF_PORT	"40123"
#define SKIP_RC		77

struct self_cli {
	bool			 opened;
	bool			 closed;
	enum sc_ws_err		 kind;
	char			 detail[256];
	struct event_base	*base;
};

static void
self_on_open(struct sc_ws *ws, void *arg)
{
	struct self_cli *c = arg;

	c->opened = true;
	sc_ws_close(ws, SC_WS_CLOSE_NORMAL);
}

static void
self_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct self_cli *c = arg;

	(void)ws;
	c->closed = true;
	c->kind = ci->kind;
	snprintf(c->detail, sizeof(c->detail), "%s",
	    ci->detail != NULL ? ci->detail : "");
	event_base_loopbreak(c->base);
}

/* In a fresh network namespace: loopback up, one ephemeral port. */
static int
self_netns(void)
{
	struct ifreq ifr;
	int s, fd;
	ssize_t n;

	if (unshare(CLONE_NEWNET) != 0)
		return -1;
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
		close(s);
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
		close(s);
		return -1;
	}
	close(s);
	fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, SELF_PORT " " SELF_PORT "\n",
	    sizeof(SELF_PORT " " SELF_PORT "\n") - 1);
	close(fd);
	return n > 0 ? 0 : -1;
}

/*
 * The child: connect to ws://127.0.0.1:SELF_PORT; exit 0 when the
 * connection failed at TCP and never opened, 1 otherwise.
 */
static int
self_child(void)
{
	static const struct sc_ws_cbs cbs = {
		self_on_open, NULL, NULL, self_on_close,
	};
	struct sc_ws_limits lim;
	struct self_cli c;
	struct timeval tv = { 5, 0 };
	char err[256];
	struct sc_ws *ws;

	if (self_netns() != 0)
		return SKIP_RC;
	memset(&c, 0, sizeof(c));
	c.base = event_base_new();
	if (c.base == NULL)
		return 1;
	sc_ws_limits_default(&lim);
	lim.allow_plaintext = true;
	lim.handshake_ms = 3000;
	ws = sc_ws_connect(c.base, NULL, NULL, "ws://127.0.0.1:" SELF_PORT "/",
	    SC_WS_PROTO_HUB, &lim, &cbs, &c, err, sizeof(err));
	if (ws == NULL) {
		printf("\n  connect: %s\n", err);
		return 1;
	}
	event_base_loopexit(c.base, &tv);
	event_base_dispatch(c.base);
	if (!c.closed) {
		printf("\n  no close within 5 s\n");
		return 1;
	}
	if (c.opened || c.kind != SC_WS_ERR_TCP ||
	    strstr(c.detail, "itself") == NULL) {
		printf("\n  opened %d, kind %s, detail \"%s\"\n", c.opened,
		    sc_ws_err_name(c.kind), c.detail);
		return 1;
	}
	event_base_free(c.base);
	return 0;
}

static void
test_ws_self_connect_fails(void)
{
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(self_child());
	CU_ASSERT_FATAL(waitpid(pid, &st, 0) == pid);
	CU_ASSERT_FATAL(WIFEXITED(st));
	if (WEXITSTATUS(st) == SKIP_RC) {
		printf("\n  (skipped: no network namespace without root)\n");
		return;
	}
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
}

static const struct ut_case cases[] = {
	UT_CASE(test_ws_self_connect_fails),
	UT_END
};
UT_SUITE(sc_ws_self, cases);
