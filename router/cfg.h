/*
 * The configuration model: everything an operator can configure, parsed
 * from a libconfig file (/etc/bacsc-router.conf).  Four steps, only the
 * daemon's last one (applying) has side effects:
 *
 *   cfg_load()          parse: syntax, types, formats, ranges, unknown keys
 *   cfg_validate()      pure: cross-field rules, uniqueness (all errors)
 *   cfg_check_files()   the TLS files exist, are readable, keys are secret,
 *                       the operational certificate is valid now
 *   cfg_check_reload()  names changed settings that need a restart
 *
 * Every error names the file, the line, the setting path, the bad value
 * and what is allowed, e.g.
 *   router.conf:17: bip[0].port: 70000 is out of range (1..65535)
 *
 * A struct cfg owns every string and array it points to; cfg_free() frees
 * them all.  Integers are in host order.  Relative file names (TLS files,
 * state_dir, pidfile, control.socket) are kept as written, and are
 * relative to the folder of the main configuration file (as @include is):
 * cfg_check_files() looks there, and cfg_resolve_paths() rewrites them
 * for the programs that open them.
 */
#ifndef ROUTER_CFG_H
#define ROUTER_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CFG_NAME_MAX		31	/* port names: [A-Za-z0-9_-]{1,31} */
#define CFG_BIP_PORT_DEFAULT	47808	/* 0xBAC0 */
#define CFG_SC_NPDU_MAX		61327	/* Table 6-1 for BACnet/SC */
#define CFG_SC_BVLC_MAX		65535
#define CFG_SC_BVLC_OVERHEAD	16	/* 4 + two VMACs: Encapsulated-NPDU */
/* Limits of the SC layer (checked against it in router/dmn_sc.c). */
#define CFG_SC_MAX_CA		8	/* tls.ca: SC_TLS_MAX_CA */
#define CFG_NS_MAX_PEERS	32	/* node_switch.peers:
					   SC_NODESW_MAX_CFG_PEERS */
#define CFG_NS_MAX_ACCEPT_URIS	4	/* node_switch.accept_uris:
					   SC_NODESW_MAX_ADV */

/* ------------------------------------------------------------ values */

/* An IPv4 address with a UDP or TCP port (a B/IP address). */
struct cfg_ep4 {
	uint8_t		addr[4];	/* network order octets */
	uint16_t	port;		/* host order */
};

/* "random" (draw a Random-48 at start) or a fixed VMAC. */
struct cfg_vmac {
	bool		random;
	uint8_t		mac[6];
};

/* "generate" (made once, kept in state_dir/uuid) or a fixed UUID. */
struct cfg_uuid {
	bool		generate;
	uint8_t		b[16];		/* RFC 4122 order */
};

/* A wss:// (or ws://) URI, split.  text == NULL: not configured. */
struct cfg_uri {
	char		*text;		/* as written */
	bool		 tls;		/* wss */
	char		*host;		/* name or address, no brackets */
	uint16_t	 port;		/* 443 for wss, 80 for ws if omitted */
	char		*path;		/* "/" if omitted; includes ?query */
};

/* A listening address "host:port": IPv4, [IPv6], or "*" (any). */
struct cfg_listen {
	char		*text;		/* as written; NULL: not configured */
	char		*host;		/* "0.0.0.0", "::", or the literal */
	bool		 v6;
	uint16_t	 port;
};

struct cfg_strlist {
	char		**v;
	size_t		  n;
};

/* ----------------------------------------------------------- sections */

struct cfg_device {
	uint32_t	 instance;	/* 0..4194302, required */
	char		*name;		/* default "bacsc-router-<instance>" */
	struct cfg_uuid	 uuid;		/* default generate */
	bool		 enabled;	/* default true */
	char		*description;	/* default "" */
	char		*location;	/* default "" */
};

struct cfg_router {
	uint32_t	 table_limit;	/* routing table entries */
	uint32_t	 search_timeout_ms; /* Who-Is-Router search */
	uint32_t	 search_queue;	/* NPDUs held while searching */
	uint32_t	 nl_rate;	/* network messages per peer per s */
	uint32_t	 broadcast_rate; /* broadcasts forwarded per arrival
					    port per s (0: no limit) */
	uint32_t	 broadcast_burst; /* ... at once, before the rate */
	bool		 init_rt_updates; /* accept Initialize-Routing-Table
					     changes (else Reject) */
};

enum cfg_bip_mode {
	CFG_BIP_PLAIN = 0,
	CFG_BIP_BBMD,
	CFG_BIP_FOREIGN,
};

struct cfg_bdt_entry {
	struct cfg_ep4	addr;
	uint8_t		mask[4];	/* default 255.255.255.255 */
};

struct cfg_bip_foreign {
	struct cfg_ep4	bbmd;		/* required */
	uint16_t	ttl;		/* 1..65535 s, default 300 */
};

struct cfg_bip {
	char			*name;
	uint16_t		 network;	/* 1..65534 */
	char			*interface;	/* NULL: none */
	uint8_t			 bind[4];	/* default 0.0.0.0 */
	uint16_t		 port;		/* default 47808 */
	bool			 has_broadcast;
	uint8_t			 broadcast[4];	/* else from the interface */
	enum cfg_bip_mode	 mode;		/* default plain */
	struct cfg_bdt_entry	*bdt;		/* bbmd only */
	size_t			 n_bdt;
	bool			 has_nat_global;
	struct cfg_ep4		 nat_global;	/* bbmd only */
	bool			 has_fdt_limit;
	uint16_t		 fdt_limit;	/* bbmd: default 128 */
	bool			 has_fdt_per_address;
	uint16_t		 fdt_per_address; /* bbmd: default 4 */
	bool			 has_foreign;
	struct cfg_bip_foreign	 foreign;	/* foreign only, required */
	bool			 learn;		/* learn return routes */
};

struct cfg_tls {
	char			*certificate;	/* PEM, required */
	char			*key;		/* PEM, required, mode 0600 */
	struct cfg_strlist	 ca;		/* PEM issuers, >= 1 */
	char			*crl;		/* NULL: none */
	uint32_t		 expiry_warn_days; /* warn this many days
					   before a certificate expires
					   (0..365, default 30) */
};

/* Seconds; ranges and defaults from the digest §1.14. */
struct cfg_sc_timers {
	uint32_t	connect_wait;		/* 5..300, 10 */
	uint32_t	disconnect_wait;	/* 5..300, 10 */
	uint32_t	heartbeat;		/* 3..300, 300 */
	uint32_t	min_reconnect;		/* 2..300, 2 */
	uint32_t	max_reconnect;		/* 2..600, 60; >= min */
};

struct cfg_hub_function {
	bool			enabled;	/* default false */
	struct cfg_listen	listen;		/* required if enabled */
	uint32_t		max_connections; /* default 64 */
	uint32_t		max_connections_per_source; /* default 16 */
	bool			accept_originating_vmac; /* default false */
	uint32_t		broadcast_rate;	/* per node per s; 0: no limit */
	uint32_t		broadcast_burst; /* default 500 */
};

enum cfg_ns_policy {
	CFG_NS_NEVER = 0,	/* never initiate direct connections */
	CFG_NS_CONFIGURED,	/* only to the configured peers */
	CFG_NS_ON_DEMAND,	/* resolve any unicast destination */
};

struct cfg_sc_peer {
	struct cfg_vmac	vmac;		/* fixed, required */
	struct cfg_uri	uri;		/* required */
};

struct cfg_node_switch {
	bool			 enabled;	/* default false */
	struct cfg_listen	 listen;	/* accept direct connections */
	struct cfg_strlist	 accept_uris;	/* advertised; need listen */
	enum cfg_ns_policy	 policy;	/* default never */
	struct cfg_sc_peer	*peers;		/* for policy configured */
	size_t			 n_peers;
	uint32_t		 max_connections; /* default 16 */
	uint32_t		 max_connections_per_source; /* default 16 */
	uint32_t		 idle_timeout;	/* s, 0 = never; default 300 */
	uint32_t		 resolve_timeout; /* s, default 5 */
	uint32_t		 resolve_cache;	/* s, default 600 */
};

struct cfg_sc {
	char			*name;
	uint16_t		 network;
	struct cfg_vmac		 vmac;		/* default random */
	struct cfg_uri		 primary_hub;	/* required */
	struct cfg_uri		 failover_hub;	/* text NULL: none */
	struct cfg_tls		 tls;
	struct cfg_sc_timers	 timers;
	uint32_t		 max_bvlc;	/* default 1600 */
	uint32_t		 max_npdu;	/* default 1497 */
	struct cfg_hub_function	 hub_function;
	struct cfg_node_switch	 node_switch;
	bool			 allow_plaintext_ws; /* ws:// URIs */
	bool			 learn;
};

enum cfg_log_target {
	CFG_LOG_STDERR = 0,
	CFG_LOG_SYSLOG,
};

struct cfg_log {
	int			level;	/* enum log_level, default notice */
	enum cfg_log_target	target;	/* default stderr */
	struct cfg_strlist	debug_domains; /* empty: all */
};

struct cfg_control {
	char		*socket;	/* default /run/bacsc-router/control */
	uint32_t	 mode;		/* default 0660 */
	char		*group;		/* NULL: the daemon's group */
};

/* Where a setting was read: "bip[0].port" -> router.conf line 17. */
struct cfg_loc {
	char		*path;
	char		*file;
	unsigned	 line;
};

struct cfg {
	struct cfg_device	 device;
	struct cfg_router	 router;
	struct cfg_bip		*bip;
	size_t			 n_bip;
	struct cfg_sc		*sc;
	size_t			 n_sc;
	struct cfg_log		 log;
	struct cfg_control	 control;
	char			*state_dir;	/* default /var/lib/bacsc-router */
	char			*pidfile;	/* NULL: none */
	char			*user;		/* NULL: do not change */
	char			*group;		/* NULL: user's group */

	/* Source positions (filled by cfg_load; empty if built by code). */
	char			*file;
	char			*dir;		/* the file's folder, absolute;
						   NULL: relative names stay
						   relative to the working
						   directory */
	struct cfg_loc		*locs;
	size_t			 n_locs;
};

/* ------------------------------------------------------------- errors */

struct cfg_err {
	char		*where;		/* "file:line", "file" or NULL */
	char		*path;		/* setting path or NULL */
	char		*msg;
};

struct cfg_errs {
	struct cfg_err	*v;
	size_t		 n, cap;
	size_t		 n_clock;	/* of n: a certificate not valid yet
					   (a clock set right may cure them) */
};

void cfg_errs_init(struct cfg_errs *);
void cfg_errs_fini(struct cfg_errs *);
/* Print every error as "where: path: msg\n" in the order found. */
void cfg_errs_print(const struct cfg_errs *, FILE *);
/* Format error i into buf (truncating); returns buf. */
const char *cfg_err_text(const struct cfg_errs *, size_t i, char *buf,
    size_t len);

/* ---------------------------------------------------------------- API */

/*
 * Parse the file at path.  Return 0 and store a new configuration (returns
 * owned) in *out.  On an I/O or syntax error return -1, record it and
 * leave *out alone.  When the text parses but settings are unknown,
 * missing, of the wrong type, malformed or out of range, record every one,
 * store the partial configuration (those settings keep their defaults) in
 * *out anyway and return -1, so that cfg_validate() can add its errors.
 */
int cfg_load(const char *path, struct cfg **out, struct cfg_errs *);
/* As cfg_load() on text in memory; name is used in messages. */
int cfg_load_string(const char *text, const char *name, struct cfg **out,
    struct cfg_errs *);
/* A configuration with every default and no ports (returns owned). */
struct cfg *cfg_new_default(void);
void cfg_free(struct cfg *);

/* Check cross-field rules and uniqueness; record all errors.  Pure. */
int cfg_validate(const struct cfg *, struct cfg_errs *);
/*
 * Check that every file the configuration names exists and is readable,
 * that private keys are readable by nobody but their owner (and owned by
 * root, by us, or by the configured user), that the configured user,
 * group and control.group exist, and that each SC port's operational
 * certificate is a PEM certificate valid now (an expired or not yet
 * valid one is an error naming its validity dates).  Reads the file
 * system, the user database and the certificate files (not the keys).
 */
int cfg_check_files(const struct cfg *, struct cfg_errs *);
/*
 * Rewrite every relative file name (TLS files, state_dir, pidfile,
 * control.socket) as c->dir + "/" + name, so that it no longer depends on
 * the working directory.  No-op without c->dir.  Return 0, or -1 on OOM
 * (recorded; names already rewritten stay rewritten).
 */
int cfg_resolve_paths(struct cfg *, struct cfg_errs *);
/*
 * Store in buf the name to open for file as the configuration names it:
 * file itself if it is absolute or c has no folder, else c->dir + "/" +
 * file.  Return buf, or NULL if it does not fit.
 */
const char *cfg_path_of(const struct cfg *, const char *file, char *buf,
    size_t len);
/* Do a and b hold the same strings in the same order? */
bool cfg_strlist_equal(const struct cfg_strlist *a,
    const struct cfg_strlist *b);
/*
 * Record one error for every setting that differs between cur and next
 * and cannot be changed without a restart (the table cfg_restart_keys).
 * Return 0 if next can be applied by a reload.
 */
int cfg_check_reload(const struct cfg *cur, const struct cfg *next,
    struct cfg_errs *);
/* The restart-only setting patterns ("bip[*].port"), NULL-terminated. */
extern const char *const cfg_restart_keys[];

/*
 * Print the effective configuration, defaults filled in, in libconfig
 * syntax that cfg_load() reads back to an identical print.
 */
void cfg_print(const struct cfg *, FILE *);

/*
 * Store the Device UUID in out: the configured one, or for "generate" the
 * one kept in <state_dir>/uuid, which is made (random, version 4) the
 * first time.  Return 0, or -1 with the reason recorded.  File I/O.
 */
int cfg_device_uuid(const struct cfg *, uint8_t out[16], struct cfg_errs *);
/*
 * Replace <dir>/<name> with text atomically (write <name>.new, fsync,
 * rename), making dir (0750) if needed.  Return 0, or -1 with the reason
 * in err.  File I/O.
 */
int cfg_state_write(const char *dir, const char *name, const char *text,
    char *err, size_t errlen);

/* Line of a setting path in the file (0 if unknown); tries parents. */
unsigned cfg_line_of(const struct cfg *, const char *path);

/* ------------------------------------------------- value parsers (pure) */
/* Each returns 0, or -1 and a short reason in why (for messages). */

int cfg_parse_ipv4(const char *s, uint8_t out[4]);
/* "a.b.c.d" or "a.b.c.d:port"; a missing port is def_port. */
int cfg_parse_ep4(const char *s, uint16_t def_port, struct cfg_ep4 *out);
/* A contiguous netmask "255.255.255.0". */
int cfg_parse_mask(const char *s, uint8_t out[4]);
/* "xx:xx:xx:xx:xx:xx" (not all-zero, not broadcast) or, if allow_random,
 * "random". */
int cfg_parse_vmac(const char *s, bool allow_random, struct cfg_vmac *out,
    const char **why);
/* "generate" or "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
int cfg_parse_uuid(const char *s, struct cfg_uuid *out);
/* wss://host[:port][/path] or ws://...; fills a new struct (owned). */
int cfg_parse_uri(const char *s, struct cfg_uri *out, const char **why);
void cfg_uri_fini(struct cfg_uri *);
/* "host:port" with host IPv4, [IPv6] or "*". */
int cfg_parse_listen(const char *s, struct cfg_listen *out,
    const char **why);
void cfg_listen_fini(struct cfg_listen *);
/* Octal file mode "0660" (at most 0777). */
int cfg_parse_mode(const char *s, uint32_t *out);
/* Port names: 1..31 of [A-Za-z0-9_-]. */
bool cfg_name_is_valid(const char *s);
/* Edit distance, capped at 3 (for "did you mean"). */
unsigned cfg_edit_distance(const char *a, const char *b);

#endif
