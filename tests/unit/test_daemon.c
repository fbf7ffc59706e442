/*
 * Daemon helpers: the control socket's request parsing, a full control
 * socket round trip on a real event loop, and systemd notifications sent
 * to real Unix datagram sockets (a path and an abstract name).
 */
#include "config.h"

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "router/ctl.h"
#include "router/daemon.h"
#include "tests/unit/harness.h"

static void
test_json_get_str(void)
{
	char out[16];

	CU_ASSERT_EQUAL(ctl_json_get_str("{\"cmd\":\"status\"}", "cmd", out,
	    sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "status");
	CU_ASSERT_EQUAL(ctl_json_get_str("{ \"x\": 1, \"cmd\" :  \"a\\\"b\" }",
	    "cmd", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "a\"b");
	CU_ASSERT_EQUAL(ctl_json_get_str("{\"cmd\":\"\"}", "cmd", out,
	    sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* missing, not a string, unterminated, bad escape, too long */
	CU_ASSERT_EQUAL(ctl_json_get_str("{\"cmnd\":\"x\"}", "cmd", out,
	    sizeof(out)), -1);
	CU_ASSERT_EQUAL(ctl_json_get_str("{\"cmd\":5}", "cmd", out,
	    sizeof(out)), -1);
	CU_ASSERT_EQUAL(ctl_json_get_str("{\"cmd\":\"abc", "cmd", out,
	    sizeof(out)), -1);
	CU_ASSERT_EQUAL(ctl_json_get_str("{\"cmd\":\"a\\u0041\"}", "cmd", out,
	    sizeof(out)), -1);
	CU_ASSERT_EQUAL(ctl_json_get_str("{\"cmd\":\"0123456789abcdef\"}",
	    "cmd", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(ctl_json_get_str("", "cmd", out, sizeof(out)), -1);
}

/* ------------------------------------------------ control socket */

struct ctl_fix {
	struct event_base	*base;
	int			 calls;
	char			 last[32];
};

static void
handler(void *arg, const char *cmd, struct jw *w)
{
	struct ctl_fix *f = arg;

	f->calls++;
	snprintf(f->last, sizeof(f->last), "%s", cmd);
	jw_obj_begin(w);
	jw_kv_bool(w, "ok", true);
	jw_kv_str(w, "echo", cmd);
	jw_obj_end(w);
}

static void
client_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Send req on a new connection to path, run the loop until the answer. */
static int
ask(struct ctl_fix *f, const char *path, const char *req, char *ans,
    size_t anslen)
{
	struct sockaddr_un sun;
	struct event *ev;
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		return -1;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return -1;
	while (got + 1 < anslen) {
		ev = event_new(f->base, fd, EV_READ, client_cb, f->base);
		event_add(ev, NULL);
		event_base_dispatch(f->base);
		event_free(ev);
		n = read(fd, ans + got, anslen - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	ans[got] = '\0';
	close(fd);
	return 0;
}

static void
test_ctl_round_trip(void)
{
	struct ctl_fix f;
	struct ctl *c;
	struct stat st;
	char dir[] = "/tmp/ut-ctl.XXXXXX";
	char path[64], ans[256], err[256];

	memset(&f, 0, sizeof(f));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	f.base = event_base_new();
	c = ctl_new(f.base, path, 0640, (gid_t)-1, handler, &f, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);

	CU_ASSERT_EQUAL(ask(&f, path, "{\"cmd\":\"status\"}\n", ans,
	    sizeof(ans)), 0);
	CU_ASSERT_STRING_EQUAL(ans, "{\"ok\":true,\"echo\":\"status\"}\n");
	CU_ASSERT_EQUAL(f.calls, 1);
	/* A request without "cmd" is answered without calling the handler. */
	CU_ASSERT_EQUAL(ask(&f, path, "{\"x\":1}\n", ans, sizeof(ans)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(ans, "\"ok\":false"));
	CU_ASSERT_EQUAL(f.calls, 1);

	ctl_free(c);
	CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
	/* A regular file at the path is not replaced. */
	fclose(fopen(path, "w"));
	c = ctl_new(f.base, path, 0600, (gid_t)-1, handler, &f, err,
	    sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a socket"));
	unlink(path);
	rmdir(dir);
	event_base_free(f.base);
}

/*
 * The control socket is made safely: in a folder others may write (and
 * not sticky) it is refused, as another user could swap the path for a
 * link between bind and chmod; otherwise it ends with the mode and group
 * asked for, never open to others.
 */
static void
test_ctl_safe_create(void)
{
	struct ctl_fix f;
	struct ctl *c;
	struct stat st;
	struct group *gr;
	char dir[] = "/tmp/ut-ctl.XXXXXX";
	char path[64], err[256];
	gid_t gid = (gid_t)-1;

	memset(&f, 0, sizeof(f));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	f.base = event_base_new();
	CU_ASSERT_EQUAL(chmod(dir, 0777), 0);
	c = ctl_new(f.base, path, 0660, (gid_t)-1, handler, &f, err,
	    sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "writable by group or others"));
	CU_ASSERT_NOT_EQUAL(lstat(path, &st), 0);
	ctl_free(c);
	/* Sticky: others cannot rename or remove our entry. */
	CU_ASSERT_EQUAL(chmod(dir, 01777), 0);
	if (geteuid() == 0 && (gr = getgrnam("nogroup")) != NULL)
		gid = gr->gr_gid;
	c = ctl_new(f.base, path, 0660, gid, handler, &f, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(lstat(path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0660);
	CU_ASSERT_EQUAL(st.st_mode & 0007, 0);
	if (gid != (gid_t)-1)
		CU_ASSERT_EQUAL(st.st_gid, gid);
	ctl_free(c);
	CU_ASSERT_EQUAL(chmod(dir, 0700), 0);
	rmdir(dir);
	event_base_free(f.base);
}

/*
 * Clients that connect and never send a request cannot hold the control
 * socket's connection slots for ever: they are closed after the idle time,
 * and the socket answers again.
 */
static void
test_ctl_idle_clients(void)
{
	struct ctl_fix f;
	struct ctl *c;
	struct sockaddr_un sun;
	char dir[] = "/tmp/ut-ctl.XXXXXX";
	char path[64], err[256], ans[256];
	struct timeval tv = { 0, 600000 };
	int fds[16], i, n = 0;
	char b;

	memset(&f, 0, sizeof(f));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	f.base = event_base_new();
	c = ctl_new(f.base, path, 0600, (gid_t)-1, handler, &f, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	ctl_set_idle_ms(c, 300);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	/* 16 silent clients: as many as there are slots. */
	for (i = 0; i < 16; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] >= 0 && connect(fds[i], (struct sockaddr *)&sun,
		    sizeof(sun)) == 0)
			n++;
	}
	CU_ASSERT_EQUAL(n, 16);
	/* Accept them, then let the idle time pass. */
	event_base_loopexit(f.base, &tv);
	event_base_dispatch(f.base);
	/* Every silent client has been closed (EOF, no answer) ... */
	for (i = 0; i < 16; i++) {
		CU_ASSERT_EQUAL(recv(fds[i], &b, 1, MSG_DONTWAIT), 0);
		close(fds[i]);
	}
	/* ... and a real request is answered. */
	CU_ASSERT_EQUAL(ask(&f, path, "{\"cmd\":\"status\"}\n", ans,
	    sizeof(ans)), 0);
	CU_ASSERT_STRING_EQUAL(ans, "{\"ok\":true,\"echo\":\"status\"}\n");
	ctl_free(c);
	rmdir(dir);
	event_base_free(f.base);
}

/* ---------------------------------------------------------- sd_notify */

static void
test_sd_notify(void)
{
	struct sockaddr_un sun;
	char dir[] = "/tmp/ut-sd.XXXXXX";
	char path[64], abs[64], buf[64];
	ssize_t n;
	int fd, afd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	setenv("NOTIFY_SOCKET", path, 1);
	CU_ASSERT_EQUAL(dmn_sd_notify("READY=1"), 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CU_ASSERT_EQUAL(n, 7);
	buf[n > 0 ? n : 0] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, "READY=1");

	/* Abstract namespace: "@name" is "\0name". */
	snprintf(abs, sizeof(abs), "@ut-sd-%ld", (long)getpid());
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, abs + 1, strlen(abs) - 1);
	afd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CU_ASSERT_EQUAL_FATAL(bind(afd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(abs))), 0);
	setenv("NOTIFY_SOCKET", abs, 1);
	CU_ASSERT_EQUAL(dmn_sd_notify("STOPPING=1"), 0);
	n = recv(afd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CU_ASSERT_EQUAL(n, 10);
	buf[n > 0 ? n : 0] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, "STOPPING=1");

	/* Not under systemd: nothing to do, success. */
	unsetenv("NOTIFY_SOCKET");
	CU_ASSERT_EQUAL(dmn_sd_notify("READY=1"), 0);
	/* Not a usable address: failure. */
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CU_ASSERT_EQUAL(dmn_sd_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	close(afd);
	unlink(path);
	rmdir(dir);
}

static const struct ut_case cases[] = {
	UT_CASE(test_json_get_str),
	UT_CASE(test_ctl_round_trip),
	UT_CASE(test_ctl_idle_clients),
	UT_CASE(test_ctl_safe_create),
	UT_CASE(test_sd_notify),
	UT_END
};
UT_SUITE(daemon, cases);
