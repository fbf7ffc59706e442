/*
 * bacsc-routerctl: ask a running bacsc-router over its control socket.
 *
 *   bacsc-routerctl [-s SOCKET | -c CONFIG] [--json] status|routes|peers|reload
 *
 * Sends one JSON request line, reads the one JSON answer.  --json prints
 * it as it came; otherwise it is shown as indented "key: value" lines.
 * Exit status 0 if the daemon answered "ok": true, 1 if it answered with
 * an error, 2 on usage or connection errors.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "router/cfg.h"

#define DEFAULT_SOCKET	"/run/bacsc-router/control"
#define ANSWER_MAX	(4 * 1024 * 1024)

/* ------------------------------------------- a small JSON pretty printer */

struct jp {
	const char	*p;
	bool		 err;
};

static void
skip_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
	    *j->p == '\r')
		j->p++;
}

static void
indent(int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		fputs("  ", stdout);
}

/* Print a JSON string's contents (without quotes), unescaped. */
static void
print_string(struct jp *j)
{
	j->p++;		/* opening quote */
	while (*j->p != '"') {
		if (*j->p == '\0') {
			j->err = true;
			return;
		}
		if (*j->p == '\\') {
			j->p++;
			switch (*j->p) {
			case 'n':
				putchar('\n');
				break;
			case 't':
				putchar('\t');
				break;
			case 'u':
				/* Control characters only (jsonw escapes no
				 * other code point): show as '?'. */
				putchar('?');
				if (strlen(j->p) < 5) {
					j->err = true;
					return;
				}
				j->p += 4;
				break;
			case '\0':
				j->err = true;
				return;
			default:
				putchar(*j->p);
				break;
			}
			j->p++;
			continue;
		}
		putchar(*j->p++);
	}
	j->p++;
}

static void print_value(struct jp *j, int depth);

static void
print_object(struct jp *j, int depth)
{
	j->p++;
	skip_ws(j);
	if (*j->p == '}') {
		j->p++;
		fputs(" {}\n", stdout);
		return;
	}
	putchar('\n');
	while (!j->err) {
		skip_ws(j);
		if (*j->p != '"') {
			j->err = true;
			return;
		}
		indent(depth);
		print_string(j);
		skip_ws(j);
		if (*j->p++ != ':') {
			j->err = true;
			return;
		}
		putchar(':');
		print_value(j, depth + 1);
		skip_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == '}') {
			j->p++;
			return;
		}
		j->err = true;
	}
}

static void
print_array(struct jp *j, int depth)
{
	j->p++;
	skip_ws(j);
	if (*j->p == ']') {
		j->p++;
		fputs(" (none)\n", stdout);
		return;
	}
	putchar('\n');
	while (!j->err) {
		indent(depth);
		putchar('-');
		print_value(j, depth + 1);
		skip_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == ']') {
			j->p++;
			return;
		}
		j->err = true;
	}
}

static void
print_value(struct jp *j, int depth)
{
	if (depth > 64) {
		j->err = true;
		return;
	}
	skip_ws(j);
	switch (*j->p) {
	case '{':
		print_object(j, depth);
		return;
	case '[':
		print_array(j, depth);
		return;
	case '"':
		putchar(' ');
		print_string(j);
		putchar('\n');
		return;
	default:
		putchar(' ');
		while (*j->p != '\0' && *j->p != ',' && *j->p != '}' &&
		    *j->p != ']' && !isspace((unsigned char)*j->p))
			putchar(*j->p++);
		putchar('\n');
		return;
	}
}

/* ------------------------------------------------------------- main */

static void
usage(FILE *f)
{
	fprintf(f, "usage: bacsc-routerctl [-s SOCKET | -c CONFIG] [--json] "
	    "status|routes|peers|reload\n"
	    "  -s SOCKET  the daemon's control socket (default %s)\n"
	    "  -c CONFIG  take the socket path from this configuration file\n"
	    "  --json     print the daemon's JSON answer as it is\n",
	    DEFAULT_SOCKET);
}

static char *
socket_from_config(const char *path)
{
	struct cfg_errs e;
	struct cfg *c = NULL;
	char *s = NULL;

	cfg_errs_init(&e);
	if (cfg_load(path, &c, &e) != 0 && c == NULL) {
		cfg_errs_print(&e, stderr);
	} else if (c != NULL && cfg_resolve_paths(c, &e) == 0 &&
	    c->control.socket != NULL) {
		s = strdup(c->control.socket);
	}
	cfg_free(c);
	cfg_errs_fini(&e);
	return s;
}

static char *
ask(const char *path, const char *cmd)
{
	struct sockaddr_un sun;
	char req[128];
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "bacsc-routerctl: %s: path too long\n", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "bacsc-routerctl: %s: %s (is bacsc-router "
		    "running?)\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	snprintf(req, sizeof(req), "{\"cmd\":\"%s\"}\n", cmd);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "bacsc-routerctl: write: %s\n",
		    strerror(errno));
		close(fd);
		return NULL;
	}
	buf = malloc(ANSWER_MAX + 1);
	if (buf == NULL) {
		close(fd);
		return NULL;
	}
	while (len < ANSWER_MAX &&
	    (n = read(fd, buf + len, ANSWER_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "bacsc-routerctl: read: %s\n",
			    strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n) != NULL)
			break;
	}
	close(fd);
	buf[len] = '\0';
	if (len == 0) {
		fprintf(stderr, "bacsc-routerctl: no answer\n");
		free(buf);
		return NULL;
	}
	return buf;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = DEFAULT_SOCKET;
	char *from_cfg = NULL;
	bool json = false;
	char *ans;
	const char *cmd;
	struct jp j;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "s:c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			free(from_cfg);
			from_cfg = socket_from_config(optarg);
			if (from_cfg == NULL)
				return 2;
			sock = from_cfg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "status") != 0 && strcmp(cmd, "routes") != 0 &&
	    strcmp(cmd, "peers") != 0 && strcmp(cmd, "reload") != 0) {
		usage(stderr);
		return 2;
	}
	ans = ask(sock, cmd);
	free(from_cfg);
	if (ans == NULL)
		return 2;
	rc = strstr(ans, "\"ok\":true") != NULL ? 0 : 1;
	if (json) {
		fputs(ans, stdout);
	} else {
		j.p = ans;
		j.err = false;
		fputs(cmd, stdout);
		putchar(':');
		print_value(&j, 1);
		if (j.err) {
			fprintf(stderr, "bacsc-routerctl: malformed answer\n");
			rc = 2;
		}
	}
	free(ans);
	return rc;
}
