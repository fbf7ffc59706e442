/*
 * The bacsc-router daemon: joins the configured ports, the router core and
 * the router's own BACnet device on one libevent loop, with signals,
 * reloads, systemd readiness and the control socket.  main() (router/main.c)
 * parses the command line and calls dmn_run().
 */
#ifndef ROUTER_DAEMON_H
#define ROUTER_DAEMON_H

#include <stdbool.h>
#include <stdio.h>

#define DMN_DEFAULT_CONF	"/etc/bacsc-router.conf"
/*
 * Exit status for a configuration error (missing file, syntax, a bad
 * setting, a TLS file that fails its checks): EX_CONFIG of sysexits(3),
 * so that a supervisor can tell it from a failure worth a restart
 * (the systemd unit has RestartPreventExitStatus=78).
 */
#define DMN_EXIT_CONFIG		78
/*
 * Exit status at start-up when the only errors are operational
 * certificates that are not valid yet: EX_TEMPFAIL, so that the service
 * manager starts the daemon again (a box that booted with its clock in
 * the past comes up once NTP has set it).  -t still says 78.
 */
#define DMN_EXIT_TEMPFAIL	75

struct dmn_opts {
	const char	*conf_path;	/* borrows */
	bool		 conf_given;	/* -c was on the command line */
	bool		 debug;		/* -d: log level debug, to stderr */
};

/*
 * Run the daemon until SIGTERM/SIGINT: validate, open logs, load keys and
 * bind sockets, drop privileges, run.  Return the process exit status:
 * 0 after a clean shutdown, DMN_EXIT_CONFIG when the configuration is
 * missing or not valid (every error printed), DMN_EXIT_TEMPFAIL when the
 * only errors are certificates not valid yet, 1 on another start-up
 * error (logged).
 */
int dmn_run(const struct dmn_opts *o);

/* Write the command-line summary (for --help and usage errors). */
void dmn_usage(FILE *f);

/*
 * Write the "the file is missing" message for path to stderr: where the
 * sample and the demo configurations are.  Never starts the demo.
 */
void dmn_explain_missing(const char *path);

/*
 * Send one systemd notification ("READY=1", ...) to $NOTIFY_SOCKET if it
 * is set (a path or an abstract name starting with '@').  Return 0 (also
 * when not under systemd) or -1.
 */
int dmn_sd_notify(const char *state);

#endif
