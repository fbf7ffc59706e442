#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "sc/sc_tls.h"
#include "tests/sctest.h"

int sct_failures;

bool
sct_run_until(struct event_base *base, sct_pred_fn pred, void *arg,
    unsigned timeout_ms)
{
	uint64_t end = clk_now_us() + CLK_MS(timeout_ms);
	struct timeval tv = { 0, 10000 };

	while (!pred(arg) && clk_now_us() < end) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return pred(arg);
}

void
sct_run_for(struct event_base *base, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void
sct_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

struct event *
sct_tick_new(struct event_base *base, const struct timeval *every)
{
	struct event *ev = event_new(base, -1, EV_PERSIST, sct_tick_cb, NULL);

	if (ev != NULL)
		event_add(ev, every);
	return ev;
}

struct sc_tls_ctx *
sct_tls(const char *pki, const char *name)
{
	struct sc_tls_config tc;
	struct sc_tls_ctx *t;
	char cert[512], key[512], ca[512], err[256];

	snprintf(cert, sizeof(cert), "%s/%s.pem", pki, name);
	snprintf(key, sizeof(key), "%s/%s.key", pki, name);
	snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
	memset(&tc, 0, sizeof(tc));
	tc.cert_file = cert;
	tc.key_file = key;
	tc.ca_files[0] = ca;
	tc.n_ca_files = 1;
	t = sc_tls_ctx_new(&tc, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "tls %s: %s\n", name, err);
		exit(1);
	}
	return t;
}

pid_t
sct_hub_start(const char *hub_bin, const char *pki, unsigned port,
    const char *const *extra)
{
	return sct_hub_start_to(hub_bin, pki, port, extra, NULL);
}

/* Wait (at most limit_s) until the hub wrote LISTENING into the file out. */
static bool
hub_listening_in(const char *out, unsigned limit_s)
{
	char line[512];
	unsigned i;
	FILE *f;

	for (i = 0; i < limit_s * 10; i++) {
		f = fopen(out, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, "LISTENING ", 10) == 0) {
				fclose(f);
				return true;
			}
		if (f != NULL)
			fclose(f);
		usleep(100000);
	}
	return false;
}

pid_t
sct_hub_start_to(const char *hub_bin, const char *pki, unsigned port,
    const char *const *extra, const char *out)
{
	char ps[16], cert[512], key[512], ca[512], line[128];
	const char *args[32];
	char *argv[32];
	size_t n = 0, i, got = 0;
	ssize_t k;
	int fds[2];
	pid_t pid;

	snprintf(ps, sizeof(ps), "%u", port);
	snprintf(cert, sizeof(cert), "%s/hub.pem", pki);
	snprintf(key, sizeof(key), "%s/hub.key", pki);
	snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
	args[n++] = hub_bin;
	args[n++] = "-c";
	args[n++] = cert;
	args[n++] = "-k";
	args[n++] = key;
	args[n++] = "-a";
	args[n++] = ca;
	args[n++] = "-l";
	args[n++] = "127.0.0.1";
	args[n++] = "-p";
	args[n++] = ps;
	args[n++] = "-q";
	while (extra != NULL && *extra != NULL && n < 31)
		args[n++] = *extra++;
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int ofd = out != NULL ? open(out, O_WRONLY | O_CREAT | O_APPEND,
		    0600) : fds[1];

		dup2(ofd, 1);
		close(fds[0]);
		close(fds[1]);
		for (i = 0; i < n; i++)
			argv[i] = strdup(args[i]);
		argv[n] = NULL;
		execv(hub_bin, argv);
		_exit(127);
	}
	close(fds[1]);
	if (out != NULL) {
		close(fds[0]);
		if (pid > 0 && hub_listening_in(out, 60))
			return pid;
		printf("  hub on port %u did not start (see %s)\n", port, out);
		if (pid > 0)
			sct_hub_stop(pid, SIGKILL);
		return -1;
	}
	/* Wait for "LISTENING <port>". */
	while (pid > 0 && got < sizeof(line) - 1) {
		k = read(fds[0], line + got, sizeof(line) - 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
		line[got] = '\0';
		if (strchr(line, '\n') != NULL)
			break;
	}
	line[got] = '\0';
	close(fds[0]);
	if (pid < 0 || strncmp(line, "LISTENING", 9) != 0) {
		printf("  hub on port %u did not start: '%s'\n", port, line);
		if (pid > 0)
			sct_hub_stop(pid, SIGKILL);
		return -1;
	}
	return pid;
}

int
sct_hub_stop(pid_t pid, int sig)
{
	int st = 0;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

uint64_t
sct_cpu_us(pid_t pid)
{
	char path[64], line[1024];
	unsigned long ut = 0, st = 0;
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(line, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (uint64_t)(ut + st) * 1000000u / (uint64_t)sysconf(_SC_CLK_TCK);
}
