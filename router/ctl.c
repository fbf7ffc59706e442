/*
 * The control socket: one request line in, one JSON line out, close.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "lib/log.h"
#include "lib/ratelim.h"
#include "router/ctl.h"

#define CTL_CONNS_MAX	16
#define CTL_RESP_MAX	(1024 * 1024)

struct ctl_conn {
	struct ctl		*ctl;
	struct bufferevent	*bev;
	bool			 answered;
};

struct ctl {
	struct event_base	*base;
	struct evconnlistener	*lis;
	char			*path;
	ctl_handler_fn		 fn;
	void			*arg;
	unsigned		 idle_ms;
	struct ratelim		 rl;		/* "too many" notices */
	struct ctl_conn		*conns[CTL_CONNS_MAX];
};

static void
conn_free(struct ctl_conn *cc)
{
	struct ctl *c = cc->ctl;
	size_t i;

	for (i = 0; i < CTL_CONNS_MAX; i++)
		if (c->conns[i] == cc)
			c->conns[i] = NULL;
	bufferevent_free(cc->bev);
	free(cc);
}

int
ctl_json_get_str(const char *line, const char *key, char *out,
    size_t outlen)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	if (snprintf(pat, sizeof(pat), "\"%s\"", key) >= (int)sizeof(pat))
		return -1;
	p = strstr(line, pat);
	if (p == NULL)
		return -1;
	p += strlen(pat);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != ':')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return -1;
	while (*p != '"') {
		char ch = *p++;

		if (ch == '\0')
			return -1;
		if (ch == '\\') {
			ch = *p++;
			if (ch != '"' && ch != '\\' && ch != '/')
				return -1;
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = ch;
	}
	out[n] = '\0';
	return 0;
}

static void
write_str(struct bufferevent *bev, const char *s)
{
	bufferevent_write(bev, s, strlen(s));
}

static void
conn_answer(struct ctl_conn *cc, const char *line)
{
	struct ctl *c = cc->ctl;
	char cmd[64];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	cc->answered = true;
	if (f == NULL) {
		write_str(cc->bev, "{\"ok\":false,\"error\":\"out of "
		    "memory\"}\n");
		return;
	}
	jw_init_file(&w, f);
	if (ctl_json_get_str(line, "cmd", cmd, sizeof(cmd)) != 0) {
		jw_obj_begin(&w);
		jw_kv_bool(&w, "ok", false);
		jw_kv_str(&w, "error", "request must be a JSON object "
		    "with a string member \"cmd\"");
		jw_obj_end(&w);
	} else {
		log_debug(LD_CTL, "control: %s", cmd);
		c->fn(c->arg, cmd, &w);
	}
	if (jw_finish(&w) != 0 || fclose(f) != 0 || len > CTL_RESP_MAX) {
		log_msg(LOG_LVL_WARNING, LD_CTL, "control: answer to \"%s\" "
		    "could not be written", cmd);
		free(buf);
		write_str(cc->bev, "{\"ok\":false,\"error\":\"answer "
		    "could not be written\"}\n");
		return;
	}
	bufferevent_write(cc->bev, buf, len);
	bufferevent_write(cc->bev, "\n", 1);
	free(buf);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *cc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line;

	if (cc->answered) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > CTL_LINE_MAX) {
			conn_answer(cc, "");
			evbuffer_drain(in, evbuffer_get_length(in));
		}
		return;
	}
	conn_answer(cc, n > CTL_LINE_MAX ? "" : line);
	free(line);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *cc = arg;

	(void)bev;
	if (cc->answered)
		conn_free(cc);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(arg);
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ctl *c = arg;
	struct ctl_conn *cc;
	struct timeval tv;
	size_t i;

	(void)lis;
	(void)sa;
	(void)salen;
	for (i = 0; i < CTL_CONNS_MAX && c->conns[i] != NULL; i++)
		;
	if (i == CTL_CONNS_MAX || (cc = calloc(1, sizeof(*cc))) == NULL) {
		log_ratelim(&c->rl, LOG_LVL_WARNING, LD_CTL, "control: too "
		    "many connections, refused one");
		evutil_closesocket(fd);
		return;
	}
	cc->ctl = c;
	cc->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (cc->bev == NULL) {
		evutil_closesocket(fd);
		free(cc);
		return;
	}
	c->conns[i] = cc;
	bufferevent_setcb(cc->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    cc);
	tv.tv_sec = c->idle_ms / 1000;
	tv.tv_usec = (suseconds_t)(c->idle_ms % 1000) * 1000;
	bufferevent_set_timeouts(cc->bev, &tv, &tv);
	bufferevent_enable(cc->bev, EV_READ | EV_WRITE);
}

/*
 * The socket is made 0600 (umask at bind) and then given its group and
 * mode by path.  That is safe only if nobody else can replace the path in
 * between: the folder must not be writable by group or others unless it is
 * sticky (then only its owner and root may rename or remove our entry).
 * Owner and root are trusted (root or the service user).
 */
static int
ctl_dir_check(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "%s: folder %s: %s", path, dir,
		    strerror(errno));
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0) {
		snprintf(err, errlen, "%s: folder %s is writable by group or "
		    "others (mode %04lo) and not sticky: another user could "
		    "replace the control socket", path, dir,
		    (unsigned long)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * chmod that never follows a symbolic link.  Linux's fchmodat cannot do
 * AT_SYMLINK_NOFOLLOW without /proc (EOPNOTSUPP, also its answer for a
 * link): then check the entry is still a socket and chmod it, which the
 * folder check makes safe.
 */
static int
ctl_chmod_nofollow(const char *path, mode_t mode)
{
	struct stat st;

	if (fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOTSUP && errno != ENOSYS)
		return -1;
	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = ELOOP;
		return -1;
	}
	return chmod(path, mode);
}

struct ctl *
ctl_new(struct event_base *base, const char *path, unsigned mode, gid_t gid,
    ctl_handler_fn fn, void *arg, char *err, size_t errlen)
{
	struct ctl *c;
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: control socket path too long "
		    "(at most %zu octets)", path, sizeof(sun.sun_path) - 1);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if (ctl_dir_check(path, err, errlen) != 0)
		return NULL;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s: exists and is not a socket",
			    path);
			return NULL;
		}
		(void)unlink(path);
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->base = base;
	c->fn = fn;
	c->arg = arg;
	c->idle_ms = CTL_IDLE_MS;
	ratelim_init(&c->rl, 5, 60 * (uint64_t)1000000u);
	old = umask(0177);
	c->lis = evconnlistener_new_bind(base, accept_cb, c,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, (int)sizeof(sun));
	umask(old);
	if (c->lis == NULL) {
		snprintf(err, errlen, "%s: cannot listen: %s", path,
		    strerror(errno));
		free(c->path);
		free(c);
		return NULL;
	}
	/* Group first, then widen the mode: never open to a wrong group. */
	if ((gid != (gid_t)-1 && fchownat(AT_FDCWD, path, (uid_t)-1, gid,
	    AT_SYMLINK_NOFOLLOW) != 0) ||
	    ctl_chmod_nofollow(path, (mode_t)(mode & 0777)) != 0) {
		snprintf(err, errlen, "%s: cannot set owner/mode: %s", path,
		    strerror(errno));
		ctl_free(c);
		return NULL;
	}
	return c;
}

void
ctl_set_idle_ms(struct ctl *c, unsigned ms)
{
	c->idle_ms = ms > 0 ? ms : 1;
}

void
ctl_free(struct ctl *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CTL_CONNS_MAX; i++)
		if (c->conns[i] != NULL)
			conn_free(c->conns[i]);
	evconnlistener_free(c->lis);
	if (unlink(c->path) != 0 && errno != ENOENT)
		log_msg(LOG_LVL_INFO, LD_CTL, "control: cannot remove %s: %s",
		    c->path, strerror(errno));
	free(c->path);
	free(c);
}
