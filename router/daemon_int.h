/*
 * Internals of the daemon shared by its files: daemon.c (life cycle,
 * signals, reload), dmn_sc.c (SC ports), dmn_app.c (the router's device)
 * and dmn_status.c (the control socket's answers).
 */
#ifndef ROUTER_DAEMON_INT_H
#define ROUTER_DAEMON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "app/app.h"
#include "app/app_obj.h"
#include "lib/jsonw.h"
#include "npdu/port.h"
#include "router/cfg.h"
#include "router/ctl.h"
#include "router/dmn_sysnet.h"
#include "router/rtr.h"

struct event;
struct event_base;
struct bip_port;
struct sc_node;
struct sc_hub;
struct sc_nodesw;
struct sc_cert_watch;
struct sc_tls_ctx;

enum dmn_kind {
	DMN_BIP = 0,
	DMN_SC,
};

/* What we know of a loaded operational certificate (status output). */
struct dmn_cert {
	char		file[256];
	char		subject[256];
	char		not_before[32];	/* "2026-11-26T16:00:00Z" */
	char		not_after[32];
	char		sha256[100];	/* hex pairs with ":" */
	time_t		loaded;
};

struct dmn_sc {
	struct sc_tls_ctx	*tls;
	struct sc_node		*node;
	struct sc_hub		*hub;	/* NULL: no hub function */
	struct sc_nodesw	*nodesw; /* NULL: no node switch */
	struct sc_cert_watch	*watch;	/* certificate expiry */
	struct dmn_cert		 cert;
};

/* One router port: index i of ports[] and of the router. */
struct dmn_port {
	enum dmn_kind		 kind;
	size_t			 ci;	/* index into cfg->bip or cfg->sc */
	struct npdu_port	*np;	/* owned by the datalink */
	struct bip_port		*bip;	/* kind DMN_BIP */
	struct dmn_sc		 sc;	/* kind DMN_SC */
	struct npdu_port_user	 rtr_user; /* the router's callbacks */
	char			 name[CFG_NAME_MAX + 1];
	struct app_netport	 netport;
	struct app_file		 files[1 + APP_NP_ISSUERS_MAX]; /* SC certs */
	size_t			 n_files;
	struct app_health	 health;	/* SC: last Current_Health */
	bool			 health_known;
	struct dmn_sysnet	 sys;		/* B/IP: interface facts */
	uint64_t		 sys_read_us;	/* when read; 0: never */
	char			 sys_ifname[DMN_SYSNET_IFNAME_MAX]; /* "": any */
	bool			 sys_missing;	/* logged: no interface */
	uint64_t		 up_since_us;
	uint64_t		 link_changes;
};

struct dmn {
	struct event_base	*base;
	struct cfg		*cfg;		/* running configuration */
	char			*conf_path;
	bool			 debug;
	uint8_t			 uuid[16];	/* Device UUID */
	uid_t			 key_owner;	/* configured user, or 0 */
	uint64_t		 started_us;
	time_t			 started_wall;

	struct dmn_port		 port[RTR_PORTS_MAX];
	size_t			 nports;
	struct npdu_port	*nps[RTR_PORTS_MAX];
	struct rtr		*rtr;

	struct app_db		 db;
	uint64_t		 db_fp;	/* fingerprint last kept */
	struct app		*app;
	/* Keeping the revision: at most one file write per DBREV_GAP. */
	struct event		*dbrev_ev;
	bool			 dbrev_pending;	/* a write is due later */
	uint64_t		 dbrev_last_us;	/* last kept for a BACnet
						   write (mono), 0: never */
	uint64_t		 dbrev_writes;	/* files written */

	struct event		*tick;
	bool			 tick_armed;
	uint64_t		 tick_at;
	struct event		*sigs[6];
	size_t			 nsigs;
	struct event		*stop_poll;
	bool			 stopping;
	uint64_t		 stop_deadline_us;
	struct ctl		*ctl;

	uint64_t		 reloads_ok;
	uint64_t		 reloads_failed;
	time_t			 last_reload;
	char			 last_reload_result[512];
};

/* dmn_sc.c: SC ports (the SC node with its hub connector, the hub). */
int dmn_sc_open(struct dmn *d, struct dmn_port *p, const struct cfg_sc *c,
    char *err, size_t errlen);
void dmn_sc_start(struct dmn *d, struct dmn_port *p);
void dmn_sc_stop(struct dmn_port *p);
/* True when the port's connections are all closed (after dmn_sc_stop). */
bool dmn_sc_is_stopped(const struct dmn_port *p);
void dmn_sc_close(struct dmn_port *p);
/* Load new TLS files for new connections; 0, or -1 with err (unchanged). */
int dmn_sc_reload_tls(struct dmn_port *p, const struct cfg_sc *c, char *err,
    size_t errlen);
/*
 * Reload: apply to the running port what SC can change at run time, from
 * its running configuration cur to c: the SC timers (node, hub function,
 * node switch, and the listeners' handshake deadline), the primary and
 * failover hub URIs, the node switch's idle timeout, resolve timeout and
 * resolution cache, and, when they run, the hub function's limits
 * (max_connections, max_connections_per_source, accept_originating_vmac,
 * broadcast_rate, broadcast_burst) and the node switch's policy, peers,
 * accept_uris, max_connections and max_connections_per_source.  Each
 * changed setting is named to applied(arg, "sc[N].timers.heartbeat") and
 * its old and new values logged.  If the hub function cannot take its new
 * limits (out of memory) they are logged, not applied, and set back to
 * cur's in c.  check_only: change nothing, only say whether it would work
 * (applied may be NULL then).  Return 0, or -1 with err set (nothing
 * changed).
 */
int dmn_sc_reload(struct dmn_port *p, const struct cfg_sc *cur,
    struct cfg_sc *c, bool check_only,
    void (*applied)(void *, const char *), void *arg, char *err,
    size_t errlen);
/* Do the node switch / hub function settings a reload applies differ? */
bool dmn_sc_ns_differs(const struct cfg_node_switch *a,
    const struct cfg_node_switch *b);
bool dmn_sc_hubfn_differs(const struct cfg_hub_function *a,
    const struct cfg_hub_function *b);
void dmn_sc_status(struct dmn *d, const struct dmn_port *p, struct jw *w);
void dmn_sc_peers(struct dmn *d, const struct dmn_port *p, struct jw *w);
/* The node switch's direct connections as a JSON array (empty without). */
void dmn_sc_dconns(struct dmn *d, const struct dmn_port *p, struct jw *w);
void dmn_sc_log_counters(const struct dmn_port *p);
void dmn_sc_netport_refresh(struct dmn_port *p,
    struct app_netport_info *info);
void dmn_sc_hub_conns(struct dmn_port *p, app_conn_emit_fn emit, void *ea);
void dmn_sc_direct_conns(struct dmn_port *p, app_conn_emit_fn emit,
    void *ea);

/* Read the certificate at path; 0 or -1 with err. */
int dmn_cert_read(const char *path, struct dmn_cert *out, char *err,
    size_t errlen);

/* dmn_app.c: the router's own BACnet device. */
int dmn_app_open(struct dmn *d, char *err, size_t errlen);
void dmn_app_close(struct dmn *d);
void dmn_app_start(struct dmn *d);
/*
 * Can the device take next's texts on a reload?  False with err when
 * next's device.name is the name of another object (a Network Port).
 */
bool dmn_app_texts_fit(struct dmn *d, const struct cfg_device *next,
    char *err, size_t errlen);
/*
 * Give the device the name, description and location of next that differ
 * from the running configuration's (d->cfg; values written by BACnet
 * WriteProperty stay when the file did not change them), calling
 * applied(arg, "device.name") etc. for each.  No-op without the device.
 */
void dmn_app_set_texts(struct dmn *d, const struct cfg_device *next,
    void (*applied)(void *, const char *), void *arg);
/* The router's local handler (rtr_set_local_handler). */
void dmn_app_local(void *arg, const struct rtr_apdu *a, uint64_t now_us);
/*
 * A reload was applied: give each SC port one certificate File object per
 * issuer file of the new configuration (adding or removing objects when
 * their number changed) bound to the new paths; if the object database
 * changed, increment Database_Revision once and keep it in state_dir.
 */
void dmn_app_reloaded(struct dmn *d);
/*
 * Parse the text of <state_dir>/database_revision ("REV FP\n", REV
 * decimal 1..2^32-2, FP 16 hex digits).  Return 0, or -1 if malformed.
 */
int dmn_dbrev_parse(const char *text, unsigned long *rev, uint64_t *fp);

/* dmn_status.c: answers of the control socket. */
void dmn_ctl_handle(void *arg, const char *cmd, struct jw *w);
void dmn_log_counters(struct dmn *d);

/* daemon.c */
/* Run a reload; true if applied.  Writes every error to the result. */
bool dmn_reload(struct dmn *d, struct jw *w);
/* Re-arm the tick timer for the router's and the application's deadlines. */
void dmn_schedule(struct dmn *d);
/* Wall-clock time of a monotonic time (for "since" stamps). */
time_t dmn_wall_of(const struct dmn *d, uint64_t mono_us);
void dmn_fmt_time(time_t t, char *out, size_t len);

#endif
