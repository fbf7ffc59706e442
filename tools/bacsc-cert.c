/*
 * bacsc-cert: the certificate lifecycle of a bacsc-router, without the
 * daemon (a CSR is made before the first start, and an expired
 * certificate must be replaceable while the daemon refuses to start):
 *
 *   genkey   EC P-256 private key, created mode 0600
 *   csr      certificate signing request with the Device UUID SAN
 *   install  check an issued certificate, then install it atomically
 *   show     the certificates in use, days left, expiry and clock warnings
 *   testpki  a complete lab PKI (runs bacsc-testpki)
 *
 * See bacsc-cert(1).  Exit status: 0 success, 1 failure (or, for show,
 * a warning), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "router/cfg.h"
#include "sc/sc_cert.h"
#include "sc/sc_tls.h"

#ifndef BACSC_PKGLIBEXECDIR
#define BACSC_PKGLIBEXECDIR "/usr/local/libexec/bacsc-router"
#endif

#define MAX_FILES	(SC_TLS_MAX_CA + 8)

static const char *prog = "bacsc-cert";

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bacsc-cert genkey [-f] KEYFILE\n"
	    "       bacsc-cert csr [-c CONF] [-p PORT] [-k KEY] [-n CN] "
	    "[-O ORG] [-u UUID]\n"
	    "                      [-d DNS]... [-i IP]... [-o CSRFILE]\n"
	    "       bacsc-cert install [-c CONF] [-p PORT] [-k KEY] "
	    "[-a CAFILE]...\n"
	    "                      [-C CERTDEST] [-K KEYDEST] [-n] CERTFILE\n"
	    "       bacsc-cert show [-c CONF] [-p PORT] [-w DAYS] "
	    "[-a CAFILE]... [CERTFILE]\n"
	    "       bacsc-cert testpki [bacsc-testpki options] DIR\n"
	    "Default CONF: %s.  See bacsc-cert(1).\n", BACSC_DEFAULT_CONF);
}

static void
die_usage(void)
{
	usage(stderr);
	exit(2);
}

/* --------------------------------------------------------- config */

struct tool {
	const char	*conf;		/* -c, NULL: default if it exists */
	const char	*port;		/* -p: SC port name */
	struct cfg	*cfg;
	const struct cfg_sc *sc;	/* the chosen SC port */
};

/* Load the configuration; exit 1 on errors. */
static void
tool_load(struct tool *t, bool required)
{
	struct cfg_errs errs;
	const char *path = t->conf;
	size_t i;

	if (path == NULL) {
		if (access(BACSC_DEFAULT_CONF, R_OK) != 0) {
			if (!required)
				return;
			fprintf(stderr, "%s: no configuration (%s: %s); give "
			    "-c FILE or the files on the command line\n",
			    prog, BACSC_DEFAULT_CONF, strerror(errno));
			exit(1);
		}
		path = BACSC_DEFAULT_CONF;
	}
	cfg_errs_init(&errs);
	if (cfg_load(path, &t->cfg, &errs) != 0 ||
	    cfg_resolve_paths(t->cfg, &errs) != 0 ||
	    cfg_validate(t->cfg, &errs) != 0) {
		cfg_errs_print(&errs, stderr);
		fprintf(stderr, "%s: %s: configuration not valid\n", prog,
		    path);
		cfg_errs_fini(&errs);
		exit(1);
	}
	cfg_errs_fini(&errs);
	for (i = 0; i < t->cfg->n_sc; i++) {
		if (t->port == NULL || strcmp(t->cfg->sc[i].name, t->port) == 0) {
			t->sc = &t->cfg->sc[i];
			break;
		}
	}
	if (t->sc == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, t->port != NULL ?
		    "no SC port of that name" : "no SC port configured");
		exit(1);
	}
}

/* The TLS file set of an SC port, as the daemon passes it to sc_tls. */
static void
tool_tls_config(const struct cfg_sc *sc, struct sc_tls_config *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (sc->tls.ca.n > SC_TLS_MAX_CA)
		fprintf(stderr, "%s: SC port %s: only the first %d issuer "
		    "files are used\n", prog, sc->name, SC_TLS_MAX_CA);
	out->cert_file = sc->tls.certificate;
	out->key_file = sc->tls.key;
	for (i = 0; i < sc->tls.ca.n && i < SC_TLS_MAX_CA; i++)
		out->ca_files[i] = sc->tls.ca.v[i];
	out->n_ca_files = i;
	out->crl_file = sc->tls.crl;
}

/* ---------------------------------------------------------- genkey */

static int
cmd_genkey(int argc, char **argv)
{
	char err[512];
	bool force = false;
	int ch;

	while ((ch = getopt(argc, argv, "fh")) != -1) {
		switch (ch) {
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			die_usage();
		}
	}
	if (optind != argc - 1)
		die_usage();
	if (force && unlink(argv[optind]) != 0 && errno != ENOENT) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind],
		    strerror(errno));
		return 1;
	}
	if (sc_cert_genkey(argv[optind], err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	fprintf(stderr, "%s: wrote EC P-256 key %s (mode 0600)\n", prog,
	    argv[optind]);
	return 0;
}

/* ------------------------------------------------------------- csr */

static int
cmd_csr(int argc, char **argv)
{
	struct sc_cert_csr_req rq = { 0 };
	struct tool t = { 0 };
	const char *key_path = NULL, *uuid = NULL, *out = NULL;
	struct cfg_errs errs;
	char err[512], urn[64];
	bool have_uuid = false;
	EVP_PKEY *key;
	X509_REQ *r;
	FILE *f;
	int ch, rc = 1;

	while ((ch = getopt(argc, argv, "c:p:k:n:O:u:d:i:o:h")) != -1) {
		switch (ch) {
		case 'c': t.conf = optarg; break;
		case 'p': t.port = optarg; break;
		case 'k': key_path = optarg; break;
		case 'n': rq.cn = optarg; break;
		case 'O': rq.org = optarg; break;
		case 'u': uuid = optarg; break;
		case 'o': out = optarg; break;
		case 'd':
			if (rq.n_dns == SC_CERT_MAX_SANS)
				die_usage();
			rq.dns[rq.n_dns++] = optarg;
			break;
		case 'i':
			if (rq.n_ip == SC_CERT_MAX_SANS)
				die_usage();
			rq.ip[rq.n_ip++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			die_usage();
		}
	}
	if (optind != argc)
		die_usage();
	if (uuid != NULL) {
		if (sc_tls_uuid_parse(uuid, strlen(uuid), rq.uuid) != 0) {
			fprintf(stderr, "%s: -u %s: not a UUID\n", prog, uuid);
			return 2;
		}
		have_uuid = true;
	}
	/* The configuration fills in what the command line left out. */
	tool_load(&t, key_path == NULL || !have_uuid);
	if (key_path == NULL)
		key_path = t.sc->tls.key;
	if (rq.cn == NULL && t.cfg != NULL)
		rq.cn = t.cfg->device.name;
	if (rq.cn == NULL) {
		fprintf(stderr, "%s: give a common name with -n\n", prog);
		goto out;
	}
	if (!have_uuid) {
		/* "generate" makes state_dir/uuid now, once: the daemon will
		 * use the same UUID the certificate names. */
		cfg_errs_init(&errs);
		if (cfg_device_uuid(t.cfg, rq.uuid, &errs) != 0) {
			cfg_errs_print(&errs, stderr);
			cfg_errs_fini(&errs);
			goto out;
		}
		cfg_errs_fini(&errs);
	}
	if ((key = sc_cert_key_load(key_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s (make one with `bacsc-cert genkey`)\n",
		    prog, err);
		goto out;
	}
	r = sc_cert_csr_new(key, &rq, err, sizeof(err));
	EVP_PKEY_free(key);
	if (r == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out;
	}
	f = out != NULL ? fopen(out, "w") : stdout;
	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno));
	} else {
		if (PEM_write_X509_REQ(f, r) == 1 && fflush(f) == 0)
			rc = 0;
		if (f != stdout && fclose(f) != 0)
			rc = 1;
		if (rc != 0)
			fprintf(stderr, "%s: cannot write the CSR\n", prog);
	}
	X509_REQ_free(r);
	if (rc == 0) {
		sc_cert_uuid_urn(rq.uuid, urn, sizeof(urn));
		fprintf(stderr, "%s: CSR for CN=%s, %s, key %s%s%s\n", prog,
		    rq.cn, urn, key_path, out != NULL ? ", written to " : "",
		    out != NULL ? out : "");
	}
out:
	cfg_free(t.cfg);
	return rc;
}

/* --------------------------------------------------------- install */

/*
 * Say when the certificate's Device UUID SAN is missing or differs from
 * the configured Device UUID.  Not a refusal: Annex AB identifies peers by
 * the UUID in Connect-Request, not by the certificate (digest 1.15).
 */
static void
install_uuid_note(const struct tool *t, const char *cert)
{
	struct sc_cert_info inf;
	struct cfg_errs errs;
	uint8_t u[16];
	char err[512], a[64], b[64];
	size_t n = 0;

	if (t->cfg == NULL || sc_cert_info_load(cert, &inf, 1, &n, err,
	    sizeof(err)) != 0 || n != 1)
		return;
	if (!inf.has_uuid) {
		printf("%s: note: %s has no urn:uuid: SAN\n", prog, cert);
		return;
	}
	cfg_errs_init(&errs);
	if (cfg_device_uuid(t->cfg, u, &errs) == 0 &&
	    memcmp(u, inf.uuid, 16) != 0) {
		sc_cert_uuid_urn(inf.uuid, a, sizeof(a));
		sc_cert_uuid_urn(u, b, sizeof(b));
		printf("%s: note: %s names %s, the configured Device UUID is "
		    "%s\n", prog, cert, a, b);
	}
	cfg_errs_fini(&errs);
}

static int
cmd_install(int argc, char **argv)
{
	const char *cas[MAX_FILES];
	const char *key = NULL, *cdest = NULL, *kdest = NULL;
	struct tool t = { 0 };
	size_t n_ca = 0, i;
	bool dry = false;
	char err[768];
	int ch, rc = 1;

	while ((ch = getopt(argc, argv, "c:p:k:a:C:K:nh")) != -1) {
		switch (ch) {
		case 'c': t.conf = optarg; break;
		case 'p': t.port = optarg; break;
		case 'k': key = optarg; break;
		case 'C': cdest = optarg; break;
		case 'K': kdest = optarg; break;
		case 'n': dry = true; break;
		case 'a':
			if (n_ca == MAX_FILES)
				die_usage();
			cas[n_ca++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			die_usage();
		}
	}
	if (optind != argc - 1)
		die_usage();
	/* Without -C (and -a), the configuration says where and whom. */
	if (cdest == NULL || n_ca == 0 || (key == NULL && kdest == NULL))
		tool_load(&t, true);
	if (t.sc != NULL) {
		if (cdest == NULL)
			cdest = t.sc->tls.certificate;
		if (kdest == NULL && key != NULL)
			kdest = t.sc->tls.key;
		if (key == NULL)
			key = t.sc->tls.key;	/* the key in use */
		if (n_ca == 0)
			for (i = 0; i < t.sc->tls.ca.n && n_ca < MAX_FILES;
			    i++)
				cas[n_ca++] = t.sc->tls.ca.v[i];
	}
	if (key == NULL)
		key = kdest;
	if (cdest == NULL || key == NULL) {
		fprintf(stderr, "%s: need -C and -k (or a configuration)\n",
		    prog);
		goto out;
	}
	if (sc_cert_install_check(argv[optind], key, cas, n_ca, time(NULL),
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: refused: %s\n", prog, err);
		goto out;
	}
	install_uuid_note(&t, argv[optind]);
	if (dry) {
		printf("%s: %s passes every check (not installed)\n", prog,
		    argv[optind]);
		rc = 0;
		goto out;
	}
	if (kdest != NULL && strcmp(key, kdest) != 0) {
		if (sc_cert_install_file(key, kdest, 0600, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			goto out;
		}
		printf("%s: installed key %s as %s (mode 0600)\n", prog, key,
		    kdest);
	}
	if (strcmp(argv[optind], cdest) != 0 &&
	    sc_cert_install_file(argv[optind], cdest, 0644, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out;
	}
	printf("%s: installed %s as %s; reload the daemon (systemctl reload "
	    "bacsc-router, or SIGHUP) to use it\n", prog, argv[optind], cdest);
	rc = 0;
out:
	cfg_free(t.cfg);
	return rc;
}

/* ------------------------------------------------------------ show */

static void
show_file(const char *role, const char *path, time_t now, unsigned warn)
{
	struct sc_cert_info inf[8];
	char err[512], tb[40], ta[40];
	size_t n = 0, i;

	printf("%s: %s\n", role, path);
	if (sc_cert_info_load(path, inf, 8, &n, err, sizeof(err)) != 0) {
		printf("  error:     %s\n", err);
		return;
	}
	for (i = 0; i < n; i++) {
		long d = sc_cert_days_left(inf[i].not_after, now);

		sc_cert_time_text(inf[i].not_before, tb, sizeof(tb));
		sc_cert_time_text(inf[i].not_after, ta, sizeof(ta));
		if (i > 0)
			printf("  -- next certificate in the file (%s)\n",
			    inf[i].is_ca ? "a CA" : "not a CA");
		printf("  subject:   %s\n", inf[i].subject);
		printf("  SANs:      %s\n", inf[i].sans[0] != '\0' ?
		    inf[i].sans : "(none)");
		printf("  issuer:    %s\n", inf[i].issuer);
		printf("  serial:    %s\n", inf[i].serial);
		printf("  valid:     %s .. %s\n", tb, ta);
		printf("  days left: %ld (%s)\n", d, sc_cert_state_name(
		    sc_cert_state_at(inf[i].not_before, inf[i].not_after,
		    now, warn)));
		printf("  sha256:    %s\n", inf[i].sha256);
	}
}

static int
cmd_show(int argc, char **argv)
{
	struct sc_cert_warning w[16];
	struct sc_tls_config tc;
	struct tool t = { 0 };
	const char *cas[SC_TLS_MAX_CA];
	unsigned warn = SC_CERT_WARN_DAYS_DEFAULT;
	bool warn_set = false, bad = false;
	size_t n_ca = 0, i, n, p;
	time_t now = time(NULL);
	char msg[768];
	char *end;
	int ch;

	while ((ch = getopt(argc, argv, "c:p:w:a:h")) != -1) {
		switch (ch) {
		case 'c': t.conf = optarg; break;
		case 'p': t.port = optarg; break;
		case 'w':
			errno = 0;
			warn = (unsigned)strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || warn > 3650)
				die_usage();
			warn_set = true;
			break;
		case 'a':
			if (n_ca == SC_TLS_MAX_CA)
				die_usage();
			cas[n_ca++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			die_usage();
		}
	}
	if (optind < argc - 1)
		die_usage();
	if (optind == argc - 1) {
		/* Files on the command line: no configuration needed. */
		memset(&tc, 0, sizeof(tc));
		tc.cert_file = argv[optind];
		for (i = 0; i < n_ca; i++)
			tc.ca_files[i] = cas[i];
		tc.n_ca_files = n_ca;
		show_file("operational certificate", tc.cert_file, now, warn);
		for (i = 0; i < n_ca; i++)
			show_file("issuer certificate", cas[i], now, warn);
		n = sc_cert_expiry_check(&tc, now, warn, w, 16);
		for (i = 0; i < n && i < 16; i++)
			printf("warning: %s\n", w[i].text);
		if (!sc_cert_clock_is_plausible(&tc, now, msg, sizeof(msg))) {
			printf("warning: %s\n", msg);
			n++;
		}
		return n > 0 ? 1 : 0;
	}
	tool_load(&t, true);
	for (p = 0; p < t.cfg->n_sc; p++) {
		const struct cfg_sc *sc = &t.cfg->sc[p];
		unsigned wd = warn_set ? warn : sc->tls.expiry_warn_days;

		if (t.port != NULL && strcmp(sc->name, t.port) != 0)
			continue;
		printf("== SC port %s (warning %u days before expiry)\n",
		    sc->name, wd);
		tool_tls_config(sc, &tc);
		show_file("operational certificate", tc.cert_file, now, wd);
		for (i = 0; i < tc.n_ca_files; i++)
			show_file("issuer certificate", tc.ca_files[i], now, wd);
		if (tc.crl_file != NULL)
			printf("crl: %s\n", tc.crl_file);
		n = sc_cert_expiry_check(&tc, now, wd, w, 16);
		for (i = 0; i < n && i < 16; i++)
			printf("warning: %s\n", w[i].text);
		if (!sc_cert_clock_is_plausible(&tc, now, msg, sizeof(msg))) {
			printf("warning: %s\n", msg);
			n++;
		}
		bad |= n > 0;
	}
	cfg_free(t.cfg);
	return bad ? 1 : 0;
}

/* --------------------------------------------------------- testpki */

/*
 * Find bacsc-testpki: $BACSC_TESTPKI, then next to this program, then
 * the package's libexec folder.  Return 0 with the path in buf.
 */
static int
find_testpki(char *buf, size_t len)
{
	const char *env = getenv("BACSC_TESTPKI");
	char self[PATH_MAX];
	ssize_t n;

	if (env != NULL && *env != '\0') {
		snprintf(buf, len, "%s", env);
		return access(buf, X_OK) == 0 ? 0 : -1;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, len, "%s/bacsc-testpki", dirname(self));
		if (access(buf, X_OK) == 0)
			return 0;
	}
	snprintf(buf, len, "%s/bacsc-testpki", BACSC_PKGLIBEXECDIR);
	return access(buf, X_OK) == 0 ? 0 : -1;
}

static int
cmd_testpki(int argc, char **argv)
{
	char script[PATH_MAX + 32], path[PATH_MAX + 64];
	char **args;
	int i, st;
	pid_t pid;

	if (argc < 2)
		die_usage();
	if (find_testpki(script, sizeof(script)) != 0) {
		fprintf(stderr, "%s: bacsc-testpki not found (set "
		    "BACSC_TESTPKI, or install it in %s)\n", prog,
		    BACSC_PKGLIBEXECDIR);
		return 1;
	}
	if ((args = calloc((size_t)argc + 3, sizeof(*args))) == NULL)
		return 1;
	/* A lab PKI lasts a year unless -d says otherwise (bacsc-testpki's
	 * own default of 30 days would warn from the first day); a -d given
	 * by the user comes later and wins. */
	args[0] = script;
	args[1] = (char *)(uintptr_t)"-d";
	args[2] = (char *)(uintptr_t)"365";
	for (i = 1; i < argc; i++)
		args[i + 2] = argv[i];
	fflush(NULL);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		free(args);
		return 1;
	}
	if (pid == 0) {
		execv(script, args);
		fprintf(stderr, "%s: %s: %s\n", prog, script, strerror(errno));
		_exit(127);
	}
	free(args);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	/* Summary: the trusted CA and the hub, with days left. */
	if (argv[argc - 1][0] != '-') {
		snprintf(path, sizeof(path), "%s/ca.pem", argv[argc - 1]);
		if (access(path, R_OK) == 0)
			show_file("CA (trust this)", path, time(NULL),
			    SC_CERT_WARN_DAYS_DEFAULT);
		snprintf(path, sizeof(path), "%s/hub.pem", argv[argc - 1]);
		if (access(path, R_OK) == 0)
			show_file("hub", path, time(NULL),
			    SC_CERT_WARN_DAYS_DEFAULT);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		die_usage();
	cmd = argv[1];
	argc--;
	argv++;
	optind = 1;
	if (strcmp(cmd, "genkey") == 0)
		return cmd_genkey(argc, argv);
	if (strcmp(cmd, "csr") == 0)
		return cmd_csr(argc, argv);
	if (strcmp(cmd, "install") == 0)
		return cmd_install(argc, argv);
	if (strcmp(cmd, "show") == 0)
		return cmd_show(argc, argv);
	if (strcmp(cmd, "testpki") == 0)
		return cmd_testpki(argc, argv);
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "%s: unknown command \"%s\"\n", prog, cmd);
	die_usage();
	return 2;
}
