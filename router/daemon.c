/*
 * The daemon's life cycle: start-up in the documented order, the loop,
 * signals as libevent events, reload as a transaction, graceful shutdown.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bip/bip_io.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "router/daemon.h"
#include "router/daemon_int.h"
#include "sc/sc_ws.h"

#define DMN_STOP_POLL_US	50000u

/* ------------------------------------------------------------ systemd */

int
dmn_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	size_t plen;
	int fd, rc;

	if (path == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sun.sun_path))
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
	    (path[0] == '/' ? 1 : 0));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) < 0 ? -1 : 0;
	close(fd);
	if (rc != 0)
		log_warn(LD_MAIN, "systemd notify \"%s\" to %s", state, path);
	return rc;
}

void
dmn_explain_missing(const char *path)
{
	fprintf(stderr,
	    "bacsc-router: %s: no such file\n"
	    "  A fully commented sample configuration is etc/bacsc-router.conf "
	    "in the\n"
	    "  source tree (installed as share/doc/bacsc-router/examples/): copy "
	    "it to\n"
	    "  %s and edit it, then check it with `bacsc-router -t`.\n"
	    "  To try the router on loopback instead, run the demo: "
	    "`bash scripts/demo.sh`,\n"
	    "  or `bacsc-router -c demo.conf` on a copy of etc/demo.conf in a "
	    "folder\n  prepared as that file says.\n", path, path);
}

void
dmn_usage(FILE *f)
{
	fprintf(f,
	    "usage: bacsc-router [-c FILE] [-t | -p] [-f] [-d]\n"
	    "       bacsc-router --version | --help\n"
	    "  -c FILE    configuration file (default %s)\n"
	    "  -t         check the configuration, print every error, exit "
	    "0 or 78\n"
	    "  -p         print the effective configuration (defaults "
	    "filled in)\n"
	    "  -f         run in the foreground (the default)\n"
	    "  -d         debug logging to stderr\n"
	    "  --version  print the version\n"
	    "  --help     this text\n"
	    "Signals: TERM/INT stop, HUP reloads, USR1 logs counters.  "
	    "See bacsc-router(8).\n", DMN_DEFAULT_CONF);
}

/* --------------------------------------------------------------- time */

time_t
dmn_wall_of(const struct dmn *d, uint64_t mono_us)
{
	uint64_t now = clk_now_us();
	time_t wall = time(NULL);

	(void)d;
	if (mono_us == 0)
		return 0;
	if (mono_us > now)
		return wall;
	return wall - (time_t)((now - mono_us) / 1000000u);
}

void
dmn_fmt_time(time_t t, char *out, size_t len)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(out, len, "never");
		return;
	}
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static uint64_t
dmn_clock(void *arg)
{
	(void)arg;
	return clk_now_us();
}

/* ------------------------------------------------------------- timers */

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dmn *d = arg;
	uint64_t now = clk_now_us();

	(void)fd;
	(void)what;
	d->tick_armed = false;
	rtr_tick(d->rtr, now);
	if (d->app != NULL && app_next_deadline(d->app) <= now)
		app_tick(d->app, now);
	dmn_schedule(d);
}

void
dmn_schedule(struct dmn *d)
{
	uint64_t now = clk_now_us();
	uint64_t at = rtr_next_deadline(d->rtr);
	struct timeval tv;
	uint64_t dt;

	if (d->app != NULL && app_next_deadline(d->app) < at)
		at = app_next_deadline(d->app);
	if (at == RTR_TIME_NEVER || at == UINT64_MAX) {
		if (d->tick_armed)
			evtimer_del(d->tick);
		d->tick_armed = false;
		return;
	}
	if (d->tick_armed && d->tick_at == at)
		return;
	dt = at > now ? at - now : 0;
	tv.tv_sec = (time_t)(dt / 1000000u);
	tv.tv_usec = (suseconds_t)(dt % 1000000u);
	evtimer_add(d->tick, &tv);
	d->tick_armed = true;
	d->tick_at = at;
}

/*
 * The router installs its callbacks in each port; the daemon wraps them
 * so that the timer follows the router's deadlines after every event.
 */
static struct dmn_port *
port_of(struct dmn *d, struct npdu_port *np)
{
	size_t i;

	for (i = 0; i < d->nports; i++)
		if (d->port[i].np == np)
			return &d->port[i];
	return NULL;
}

static void
wrap_receive(void *arg, struct npdu_port *np, const struct npdu_rx *rx)
{
	struct dmn *d = arg;
	struct dmn_port *p = port_of(d, np);

	if (p == NULL || p->rtr_user.receive == NULL)
		return;
	p->rtr_user.receive(p->rtr_user.arg, np, rx);
	dmn_schedule(d);
}

static void
wrap_link(void *arg, struct npdu_port *np, bool up)
{
	struct dmn *d = arg;
	struct dmn_port *p = port_of(d, np);

	if (p == NULL)
		return;
	p->link_changes++;
	p->up_since_us = up ? clk_now_us() : 0;
	log_notice(LD_MAIN, "port %s: link %s", p->name, up ? "up" : "down");
	if (p->rtr_user.link_changed != NULL)
		p->rtr_user.link_changed(p->rtr_user.arg, np, up);
	if (d->rtr != NULL)
		dmn_schedule(d);
}

/* -------------------------------------------------------------- ports */

static uint32_t
ip4_host(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	    (uint32_t)a[2] << 8 | a[3];
}

static void
bip_config_from(const struct cfg_bip *c, struct bip_port_config *bc)
{
	size_t i;

	bip_port_config_init(bc);
	bc->name = c->name;
	bc->net = c->network;
	bc->bind_ip = ip4_host(c->bind);
	bc->interface = c->interface;
	bc->port = c->port;
	bc->has_bcast = c->has_broadcast;
	bc->bcast_ip = ip4_host(c->broadcast);
	switch (c->mode) {
	case CFG_BIP_PLAIN:
		bc->mode = BIP_MODE_PLAIN;
		break;
	case CFG_BIP_BBMD:
		bc->mode = BIP_MODE_BBMD;
		break;
	case CFG_BIP_FOREIGN:
		bc->mode = BIP_MODE_FOREIGN;
		break;
	}
	for (i = 0; i < c->n_bdt && i < BIP_BDT_MAX; i++) {
		bc->bdt[i].addr.ip = ip4_host(c->bdt[i].addr.addr);
		bc->bdt[i].addr.port = c->bdt[i].addr.port;
		bc->bdt[i].mask = ip4_host(c->bdt[i].mask);
	}
	bc->n_bdt = i;
	if (c->has_nat_global) {
		bc->has_global = true;
		bc->global.ip = ip4_host(c->nat_global.addr);
		bc->global.port = c->nat_global.port;
	}
	if (c->has_fdt_limit) {
		bc->fdt_max = c->fdt_limit;
		bc->accept_fd = c->fdt_limit > 0;
	}
	bc->fdt_per_ip = c->fdt_per_address;
	if (c->has_foreign) {
		bc->fd_bbmd.ip = ip4_host(c->foreign.bbmd.addr);
		bc->fd_bbmd.port = c->foreign.bbmd.port;
		bc->fd_ttl = c->foreign.ttl;
	}
}

static int
open_ports(struct dmn *d, char *err, size_t errlen)
{
	const struct cfg *c = d->cfg;
	struct bip_port_config bc;
	char e[512];
	size_t i;

	if (c->n_bip + c->n_sc > RTR_PORTS_MAX) {
		snprintf(err, errlen, "%zu ports configured, at most %d",
		    c->n_bip + c->n_sc, RTR_PORTS_MAX);
		return -1;
	}
	for (i = 0; i < c->n_bip; i++) {
		struct dmn_port *p = &d->port[d->nports];

		bip_config_from(&c->bip[i], &bc);
		p->kind = DMN_BIP;
		p->ci = i;
		snprintf(p->name, sizeof(p->name), "%s", c->bip[i].name);
		p->bip = bip_port_new(d->base, &bc, e, sizeof(e));
		if (p->bip == NULL) {
			snprintf(err, errlen, "bip port %s: %s", p->name, e);
			return -1;
		}
		p->np = bip_port_npdu(p->bip);
		d->nps[d->nports++] = p->np;
	}
	for (i = 0; i < c->n_sc; i++) {
		struct dmn_port *p = &d->port[d->nports];

		p->kind = DMN_SC;
		p->ci = i;
		snprintf(p->name, sizeof(p->name), "%s", c->sc[i].name);
		if (dmn_sc_open(d, p, &c->sc[i], e, sizeof(e)) != 0) {
			snprintf(err, errlen, "sc port %s: %s", p->name, e);
			return -1;
		}
		d->nps[d->nports++] = p->np;
	}
	return 0;
}

/* The router's configuration from c (ports from d->port[]). */
static void
router_config_of(const struct dmn *d, const struct cfg *c,
    struct rtr_config *rc)
{
	size_t i;

	rtr_config_defaults(rc);
	rc->nports = d->nports;
	for (i = 0; i < d->nports; i++) {
		const struct dmn_port *p = &d->port[i];

		if (p->kind == DMN_BIP) {
			rc->port[i].net = c->bip[p->ci].network;
			rc->port[i].learn = c->bip[p->ci].learn;
		} else {
			rc->port[i].net = c->sc[p->ci].network;
			rc->port[i].learn = c->sc[p->ci].learn;
		}
	}
	rc->table_max = c->router.table_limit;
	rc->search_timeout_us = (uint64_t)c->router.search_timeout_ms * 1000u;
	rc->queue_max = c->router.search_queue;
	rc->nl_rate_burst = c->router.nl_rate;
	/* broadcast_rate 0: no limit (burst 0 turns the bucket off). */
	rc->bcast_rate_burst = c->router.broadcast_rate > 0 ?
	    c->router.broadcast_burst : 0;
	rc->bcast_rate_interval_us = c->router.broadcast_rate > 0 ?
	    1000000u / c->router.broadcast_rate : 0;
	rc->init_rt_updates = c->router.init_rt_updates;
}

static int
open_router(struct dmn *d)
{
	struct rtr_config rc;
	size_t i;

	router_config_of(d, d->cfg, &rc);
	d->rtr = rtr_new(&rc, d->nps);
	if (d->rtr == NULL)
		return -1;
	rtr_set_clock(d->rtr, dmn_clock, NULL);
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];

		p->rtr_user = p->np->user;
		p->np->user.receive = wrap_receive;
		p->np->user.link_changed = wrap_link;
		p->np->user.arg = d;
	}
	return 0;
}

static void
close_all(struct dmn *d)
{
	size_t i;

	ctl_free(d->ctl);
	d->ctl = NULL;
	dmn_app_close(d);
	rtr_free(d->rtr);
	d->rtr = NULL;
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];

		if (p->kind == DMN_BIP)
			bip_port_free(p->bip);
		else
			dmn_sc_close(p);
	}
	d->nports = 0;
	for (i = 0; i < d->nsigs; i++)
		event_free(d->sigs[i]);
	d->nsigs = 0;
	if (d->tick != NULL)
		event_free(d->tick);
	if (d->stop_poll != NULL)
		event_free(d->stop_poll);
	d->tick = d->stop_poll = NULL;
}

/* ----------------------------------------------------------- shutdown */

static bool
all_stopped(const struct dmn *d)
{
	size_t i;

	for (i = 0; i < d->nports; i++)
		if (d->port[i].kind == DMN_SC &&
		    !dmn_sc_is_stopped(&d->port[i]))
			return false;
	return true;
}

static void
stop_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dmn *d = arg;
	struct timeval tv = { 0, DMN_STOP_POLL_US };

	(void)fd;
	(void)what;
	if (all_stopped(d)) {
		log_notice(LD_MAIN, "every SC connection closed");
		event_base_loopbreak(d->base);
		return;
	}
	if (clk_now_us() >= d->stop_deadline_us) {
		log_notice(LD_MAIN, "shutdown: disconnect wait over, closing "
		    "the remaining SC connections");
		event_base_loopbreak(d->base);
		return;
	}
	evtimer_add(d->stop_poll, &tv);
}

static void
begin_shutdown(struct dmn *d, const char *why)
{
	struct timeval tv = { 0, DMN_STOP_POLL_US };
	uint64_t wait_s = 0;
	size_t i;

	if (d->stopping) {
		log_notice(LD_MAIN, "%s again: stopping now", why);
		event_base_loopbreak(d->base);
		return;
	}
	d->stopping = true;
	dmn_sd_notify("STOPPING=1");
	log_notice(LD_MAIN, "%s: shutting down", why);
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];

		if (p->kind != DMN_SC)
			continue;
		if (d->cfg->sc[p->ci].timers.disconnect_wait > wait_s)
			wait_s = d->cfg->sc[p->ci].timers.disconnect_wait;
		dmn_sc_stop(p);
	}
	d->stop_deadline_us = clk_now_us() + wait_s * 1000000u;
	evtimer_add(d->stop_poll, &tv);
}

/* ------------------------------------------------------------ signals */

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct dmn *d = arg;

	(void)what;
	switch (sig) {
	case SIGTERM:
		begin_shutdown(d, "SIGTERM");
		break;
	case SIGINT:
		begin_shutdown(d, "SIGINT");
		break;
	case SIGHUP:
		if (d->stopping)
			break;
		(void)dmn_reload(d, NULL);
		break;
	case SIGUSR1:
		dmn_log_counters(d);
		break;
	default:
		break;
	}
}

static int
add_signals(struct dmn *d)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	size_t i;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		d->sigs[i] = evsignal_new(d->base, sigs[i], signal_cb, d);
		if (d->sigs[i] == NULL || evsignal_add(d->sigs[i], NULL) != 0)
			return -1;
		d->nsigs = i + 1;
	}
	return 0;
}

/* --------------------------------------------------------- privileges */

static int
lookup_ids(const struct cfg *c, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd *pw = NULL;
	struct group *gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (c->user != NULL) {
		pw = getpwnam(c->user);
		if (pw == NULL) {
			snprintf(err, errlen, "user \"%s\": no such user",
			    c->user);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (c->group != NULL) {
		gr = getgrnam(c->group);
		if (gr == NULL) {
			snprintf(err, errlen, "group \"%s\": no such group",
			    c->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

static int
drop_privileges(const struct cfg *c, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 || (c->user == NULL && c->group == NULL))
		return 0;
	if (lookup_ids(c, &uid, &gid, err, errlen) != 0)
		return -1;
	if (gid != (gid_t)-1) {
		if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0) {
			snprintf(err, errlen, "cannot change to group %u: %s",
			    (unsigned)gid, strerror(errno));
			return -1;
		}
	}
	if (uid != (uid_t)-1) {
		if (setresuid(uid, uid, uid) != 0) {
			snprintf(err, errlen, "cannot change to user %s: %s",
			    c->user, strerror(errno));
			return -1;
		}
		if (setuid(0) == 0) {
			snprintf(err, errlen, "privileges could be regained "
			    "after the change to %s", c->user);
			return -1;
		}
	}
	log_notice(LD_MAIN, "running as user %s group %s",
	    c->user != NULL ? c->user : "(unchanged)",
	    c->group != NULL ? c->group : "(the user's)");
	return 0;
}

/* -------------------------------------------------------------- reload */

static void
apply_log(const struct cfg *c, bool debug)
{
	size_t i;
	int dom;

	log_set_level(debug ? LOG_LVL_DEBUG : (enum log_level)c->log.level);
	for (dom = 0; dom < LD_COUNT_; dom++) {
		bool on = c->log.debug_domains.n == 0;

		for (i = 0; i < c->log.debug_domains.n; i++)
			if (strcmp(c->log.debug_domains.v[i],
			    log_domain_name((enum log_domain)dom)) == 0)
				on = true;
		log_set_debug_domain((enum log_domain)dom, on);
	}
}

/* The running SC port of configuration entry sc[ci], or NULL. */
static const struct dmn_port *
sc_port_of(const struct dmn *d, size_t ci)
{
	size_t i;

	for (i = 0; i < d->nports; i++)
		if (d->port[i].kind == DMN_SC && d->port[i].ci == ci)
			return &d->port[i];
	return NULL;
}

/*
 * Settings cfg_check_reload() lets through but that the running parts
 * cannot take: name them, they take effect at the next start.  The hub
 * function's and node switch's settings are applied when they run
 * (dmn_sc_reload); when disabled, they only matter from a start with
 * them enabled.
 */
static void
note_deferred(const struct dmn *d, const struct cfg *cur,
    const struct cfg *next, void (*note)(void *, const char *), void *arg)
{
	char buf[160];
	size_t i;

	if (cur->device.enabled != next->device.enabled)
		note(arg, "device.enabled");
	for (i = 0; i < cur->n_bip; i++) {
		const struct cfg_bip *a = &cur->bip[i], *b = &next->bip[i];

		if (a->has_broadcast != b->has_broadcast ||
		    memcmp(a->broadcast, b->broadcast, 4) != 0 ||
		    a->has_foreign != b->has_foreign ||
		    memcmp(&a->foreign, &b->foreign, sizeof(a->foreign)) ||
		    a->has_fdt_limit != b->has_fdt_limit ||
		    a->fdt_limit != b->fdt_limit ||
		    a->fdt_per_address != b->fdt_per_address ||
		    a->has_nat_global != b->has_nat_global ||
		    memcmp(&a->nat_global, &b->nat_global,
		    sizeof(a->nat_global)) != 0) {
			snprintf(buf, sizeof(buf), "bip[%zu] (other than bdt, "
			    "learn)", i);
			note(arg, buf);
		}
	}
	for (i = 0; i < cur->n_sc; i++) {
		const struct cfg_sc *a = &cur->sc[i], *b = &next->sc[i];
		const struct dmn_port *p = sc_port_of(d, i);

		if (a->allow_plaintext_ws != b->allow_plaintext_ws) {
			snprintf(buf, sizeof(buf), "sc[%zu].allow_plaintext_ws",
			    i);
			note(arg, buf);
		}
		if ((p == NULL || p->sc.hub == NULL) &&
		    dmn_sc_hubfn_differs(&a->hub_function, &b->hub_function)) {
			snprintf(buf, sizeof(buf), "sc[%zu].hub_function "
			    "(not enabled)", i);
			note(arg, buf);
		}
		if ((p == NULL || p->sc.nodesw == NULL) &&
		    (dmn_sc_ns_differs(&a->node_switch, &b->node_switch) ||
		    a->node_switch.idle_timeout !=
		    b->node_switch.idle_timeout ||
		    a->node_switch.resolve_timeout !=
		    b->node_switch.resolve_timeout ||
		    a->node_switch.resolve_cache !=
		    b->node_switch.resolve_cache)) {
			snprintf(buf, sizeof(buf), "sc[%zu].node_switch "
			    "(not enabled)", i);
			note(arg, buf);
		}
	}
}

/* Name every router limit that differs between a and b. */
static void
note_router(const struct cfg_router *a, const struct cfg_router *b,
    void (*note)(void *, const char *), void *arg)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} u32[] = {
		{ "router.table_limit", offsetof(struct cfg_router,
		    table_limit) },
		{ "router.search_timeout_ms", offsetof(struct cfg_router,
		    search_timeout_ms) },
		{ "router.search_queue", offsetof(struct cfg_router,
		    search_queue) },
		{ "router.nl_rate", offsetof(struct cfg_router, nl_rate) },
		{ "router.broadcast_rate", offsetof(struct cfg_router,
		    broadcast_rate) },
		{ "router.broadcast_burst", offsetof(struct cfg_router,
		    broadcast_burst) },
	};
	size_t i;

	for (i = 0; i < sizeof(u32) / sizeof(u32[0]); i++)
		if (*(const uint32_t *)((const char *)a + u32[i].off) !=
		    *(const uint32_t *)((const char *)b + u32[i].off))
			note(arg, u32[i].name);
	if (a->init_rt_updates != b->init_rt_updates)
		note(arg, "router.init_rt_updates");
}

/* The learn setting of port p in configuration c. */
static bool *
learn_of(struct cfg *c, const struct dmn_port *p)
{
	return p->kind == DMN_BIP ? &c->bip[p->ci].learn : &c->sc[p->ci].learn;
}

/* Name every port whose learn setting differs (rtr_set_limits took it). */
static void
note_learn(struct dmn *d, struct cfg *next,
    void (*note)(void *, const char *), void *arg)
{
	char buf[64];
	size_t i;

	for (i = 0; i < d->nports; i++) {
		const struct dmn_port *p = &d->port[i];

		if (*learn_of(d->cfg, p) == *learn_of(next, p))
			continue;
		snprintf(buf, sizeof(buf), "%s[%zu].learn",
		    p->kind == DMN_BIP ? "bip" : "sc", p->ci);
		note(arg, buf);
	}
}

static void
swap_str(char **a, char **b)
{
	char *t = *a;

	*a = *b;
	*b = t;
}

/* The hub function's and node switch's settings dmn_sc_reload applied. */
static void
swap_sc_parts(const struct dmn_port *p, struct cfg_sc *a, struct cfg_sc *b)
{
	struct cfg_hub_function *ha = &a->hub_function, *hb = &b->hub_function;
	struct cfg_node_switch *na = &a->node_switch, *nb = &b->node_switch;
	struct cfg_strlist l;
	struct cfg_sc_peer *pp;
	size_t n;

	if (p != NULL && p->sc.hub != NULL) {
		ha->max_connections = hb->max_connections;
		ha->max_connections_per_source =
		    hb->max_connections_per_source;
		ha->accept_originating_vmac = hb->accept_originating_vmac;
		ha->broadcast_rate = hb->broadcast_rate;
		ha->broadcast_burst = hb->broadcast_burst;
	}
	if (p == NULL || p->sc.nodesw == NULL)
		return;
	na->idle_timeout = nb->idle_timeout;
	na->resolve_timeout = nb->resolve_timeout;
	na->resolve_cache = nb->resolve_cache;
	na->policy = nb->policy;
	na->max_connections = nb->max_connections;
	na->max_connections_per_source = nb->max_connections_per_source;
	pp = na->peers;
	n = na->n_peers;
	na->peers = nb->peers;
	na->n_peers = nb->n_peers;
	nb->peers = pp;
	nb->n_peers = n;
	l = na->accept_uris;
	na->accept_uris = nb->accept_uris;
	nb->accept_uris = l;
}

static void
swap_applied(struct dmn *d, struct cfg *cur, struct cfg *next)
{
	struct cfg_log lg = cur->log;
	size_t i;

	cur->log = next->log;
	next->log = lg;
	cur->router = next->router;
	swap_str(&cur->device.name, &next->device.name);
	swap_str(&cur->device.description, &next->device.description);
	swap_str(&cur->device.location, &next->device.location);
	for (i = 0; i < cur->n_bip; i++) {
		struct cfg_bdt_entry *bdt = cur->bip[i].bdt;
		size_t n = cur->bip[i].n_bdt;

		cur->bip[i].learn = next->bip[i].learn;

		cur->bip[i].bdt = next->bip[i].bdt;
		cur->bip[i].n_bdt = next->bip[i].n_bdt;
		next->bip[i].bdt = bdt;
		next->bip[i].n_bdt = n;
	}
	for (i = 0; i < cur->n_sc; i++) {
		struct cfg_sc *a = &cur->sc[i], *b = &next->sc[i];
		struct cfg_tls t = a->tls;
		struct cfg_uri u;

		a->tls = b->tls;
		b->tls = t;
		a->timers = b->timers;
		a->learn = b->learn;
		u = a->primary_hub;
		a->primary_hub = b->primary_hub;
		b->primary_hub = u;
		u = a->failover_hub;
		a->failover_hub = b->failover_hub;
		b->failover_hub = u;
		swap_sc_parts(sc_port_of(d, i), a, b);
	}
}

struct reload_out {
	struct jw	*w;	/* NULL: log only */
	char		*res;
	size_t		 reslen;
};

static void
applied_cb(void *arg, const char *what)
{
	struct reload_out *o = arg;

	log_notice(LD_CFG, "reload: %s changed: applied", what);
	if (o->w != NULL)
		jw_str(o->w, what);
}

static void
note_cb(void *arg, const char *what)
{
	struct reload_out *o = arg;

	log_notice(LD_CFG, "reload: %s changed: kept for the next start "
	    "(cannot be changed while running)", what);
	if (o->w != NULL)
		jw_str(o->w, what);
}

static void
reload_fail(struct dmn *d, struct reload_out *o, const struct cfg_errs *e,
    const char *extra)
{
	char buf[512];
	size_t i;

	d->reloads_failed++;
	for (i = 0; i < e->n; i++)
		log_err(LD_CFG, "reload: %s", cfg_err_text(e, i, buf,
		    sizeof(buf)));
	if (extra != NULL)
		log_err(LD_CFG, "reload: %s", extra);
	log_err(LD_CFG, "reload of %s failed (%zu error%s): keeping the "
	    "running configuration", d->conf_path, e->n + (extra != NULL),
	    e->n + (extra != NULL) == 1 ? "" : "s");
	snprintf(d->last_reload_result, sizeof(d->last_reload_result),
	    "failed: %s", e->n > 0 ? cfg_err_text(e, 0, buf, sizeof(buf)) :
	    extra != NULL ? extra : "unknown");
	if (o->w != NULL) {
		jw_kv_bool(o->w, "ok", false);
		jw_key(o->w, "errors");
		jw_arr_begin(o->w);
		for (i = 0; i < e->n; i++)
			jw_str(o->w, cfg_err_text(e, i, buf, sizeof(buf)));
		if (extra != NULL)
			jw_str(o->w, extra);
		jw_arr_end(o->w);
	}
}

bool
dmn_reload(struct dmn *d, struct jw *w)
{
	struct reload_out o = { w, NULL, 0 };
	struct cfg_errs e;
	struct cfg *next = NULL;
	struct rtr_config rcfg;
	const char *why = "";
	char err[1024];
	size_t i;
	bool ok = false;

	dmn_sd_notify("RELOADING=1");
	log_notice(LD_CFG, "reload: reading %s", d->conf_path);
	d->last_reload = time(NULL);
	cfg_errs_init(&e);
	if (w != NULL)
		jw_obj_begin(w);
	{
		int rc = cfg_load(d->conf_path, &next, &e);

		/* Every error at once, as at start-up. */
		if (next != NULL) {
			if (cfg_resolve_paths(next, &e) != 0)
				rc = -1;
			if (cfg_validate(next, &e) != 0)
				rc = -1;
			if (cfg_check_files(next, &e) != 0)
				rc = -1;
			if (rc == 0 && cfg_check_reload(d->cfg, next, &e) != 0)
				rc = -1;
		}
		if (rc != 0 || next == NULL) {
			reload_fail(d, &o, &e, NULL);
			goto out;
		}
	}
	/* What the router and the device cannot take fails the reload. */
	router_config_of(d, next, &rcfg);
	if (!rtr_limits_fit(d->rtr, &rcfg, &why)) {
		snprintf(err, sizeof(err), "%s:%u: router.table_limit: %lu: %s "
		    "(%zu)", d->conf_path, cfg_line_of(next, "router.table_limit"),
		    (unsigned long)next->router.table_limit, why,
		    rtr_table_count(rtr_table(d->rtr)));
		reload_fail(d, &o, &e, err);
		goto out;
	}
	if (!dmn_app_texts_fit(d, &next->device, err, sizeof(err))) {
		reload_fail(d, &o, &e, err);
		goto out;
	}
	/* Certificates next: the last step that can fail. */
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];

		if (p->kind != DMN_SC)
			continue;
		if (dmn_sc_reload(p, &d->cfg->sc[p->ci], &next->sc[p->ci],
		    true, NULL, NULL, err, sizeof(err)) != 0 ||
		    dmn_sc_reload_tls(p, &next->sc[p->ci], err,
		    sizeof(err)) != 0) {
			reload_fail(d, &o, &e, err);
			goto out;
		}
	}
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];
		const struct cfg_bip *b;
		struct bip_port_config bc;

		if (p->kind != DMN_BIP)
			continue;
		b = &next->bip[p->ci];
		if (b->mode != CFG_BIP_BBMD)
			continue;
		bip_config_from(b, &bc);
		if (bip_port_set_bdt(p->bip, bc.bdt, bc.n_bdt) != 0)
			log_err(LD_CFG, "reload: %s: BDT not replaced", p->name);
		else
			log_info(LD_CFG, "reload: %s: BDT has %zu entries",
			    p->name, bc.n_bdt);
	}
	apply_log(next, d->debug);
	if (w != NULL) {
		jw_kv_bool(w, "ok", true);
		jw_key(w, "applied");
		jw_arr_begin(w);
	}
	if (rtr_set_limits(d->rtr, &rcfg, &why) == 0) {
		note_router(&d->cfg->router, &next->router, applied_cb, &o);
		note_learn(d, next, applied_cb, &o);
	} else {
		log_err(LD_CFG, "reload: router limits not changed: %s", why);
		next->router = d->cfg->router;	/* the running ones stay */
		for (i = 0; i < d->nports; i++)
			*learn_of(next, &d->port[i]) =
			    *learn_of(d->cfg, &d->port[i]);
	}
	dmn_app_set_texts(d, &next->device, applied_cb, &o);
	for (i = 0; i < d->nports; i++)	/* checked above: cannot fail */
		if (d->port[i].kind == DMN_SC)
			(void)dmn_sc_reload(&d->port[i],
			    &d->cfg->sc[d->port[i].ci],
			    &next->sc[d->port[i].ci], false, applied_cb, &o,
			    err, sizeof(err));
	if (w != NULL) {
		jw_arr_end(w);
		jw_key(w, "deferred");
		jw_arr_begin(w);
	}
	note_deferred(d, d->cfg, next, note_cb, &o);
	if (w != NULL)
		jw_arr_end(w);
	/*
	 * The running configuration takes exactly what was applied (log,
	 * BDTs, TLS files, router limits, device texts, SC timers, hubs, hub
	 * function and node switch settings); the rest stays as
	 * it runs, so that status answers tell the truth.  Swapped pieces
	 * are freed with next.
	 */
	swap_applied(d, d->cfg, next);
	dmn_app_reloaded(d);
	d->reloads_ok++;
	snprintf(d->last_reload_result, sizeof(d->last_reload_result),
	    "applied");
	log_notice(LD_CFG, "reload of %s applied", d->conf_path);
	ok = true;
out:
	if (w != NULL)
		jw_obj_end(w);
	cfg_free(next);
	cfg_errs_fini(&e);
	dmn_sd_notify("READY=1");
	return ok;
}

/* ------------------------------------------------------------ start-up */

static int
load_config(const char *path, struct cfg **out)
{
	struct cfg_errs e;
	struct cfg *c = NULL;
	int rc;

	if (access(path, F_OK) != 0 && errno == ENOENT) {
		dmn_explain_missing(path);
		return -1;
	}
	cfg_errs_init(&e);
	rc = cfg_load(path, &c, &e);
	if (c != NULL) {
		/* File names relative to the file's folder, from now on. */
		if (cfg_resolve_paths(c, &e) != 0)
			rc = -1;
		if (cfg_validate(c, &e) != 0)
			rc = -1;
		if (cfg_check_files(c, &e) != 0)
			rc = -1;
	}
	if (rc != 0) {
		cfg_errs_print(&e, stderr);
		fprintf(stderr, "bacsc-router: %s: %zu error%s, not started\n",
		    path, e.n, e.n == 1 ? "" : "s");
		/* Only a clock in the past?  Worth another start later. */
		if (e.n > 0 && e.n == e.n_clock) {
			fprintf(stderr, "bacsc-router: exit %d: started again "
			    "by the service manager, it runs once the clock "
			    "is right\n", DMN_EXIT_TEMPFAIL);
			rc = -2;
		}
		cfg_free(c);
	} else {
		*out = c;
	}
	cfg_errs_fini(&e);
	return rc;
}

static int
write_pidfile(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
	    fclose(f) != 0) {
		snprintf(err, errlen, "pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_control(struct dmn *d, char *err, size_t errlen)
{
	const struct cfg_control *cc = &d->cfg->control;
	gid_t gid = (gid_t)-1;

	if (cc->group != NULL) {
		struct group *gr = getgrnam(cc->group);

		if (gr == NULL) {
			snprintf(err, errlen, "control.group \"%s\": no such "
			    "group", cc->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	d->ctl = ctl_new(d->base, cc->socket, cc->mode, gid, dmn_ctl_handle,
	    d, err, errlen);
	return d->ctl == NULL ? -1 : 0;
}

static int
start_up(struct dmn *d, char *err, size_t errlen)
{
	struct cfg_errs e;
	char buf[512];
	size_t i;

	cfg_errs_init(&e);
	if (cfg_device_uuid(d->cfg, d->uuid, &e) != 0) {
		snprintf(err, errlen, "device.uuid: %s", e.n > 0 ?
		    cfg_err_text(&e, 0, buf, sizeof(buf)) : "failed");
		cfg_errs_fini(&e);
		return -1;
	}
	cfg_errs_fini(&e);
	if (geteuid() == 0 && d->cfg->user != NULL) {
		struct passwd *pw = getpwnam(d->cfg->user);

		if (pw == NULL) {
			snprintf(err, errlen, "user \"%s\": no such user",
			    d->cfg->user);
			return -1;
		}
		d->key_owner = pw->pw_uid;
	}
	d->base = sc_ws_base_new();
	d->tick = d->base != NULL ? evtimer_new(d->base, tick_cb, d) : NULL;
	d->stop_poll = d->base != NULL ?
	    evtimer_new(d->base, stop_poll_cb, d) : NULL;
	if (d->tick == NULL || d->stop_poll == NULL) {
		snprintf(err, errlen, "cannot make the event loop");
		return -1;
	}
	if (open_ports(d, err, errlen) != 0)
		return -1;
	if (open_router(d) != 0) {
		snprintf(err, errlen, "cannot make the router (two ports "
		    "with one network number?)");
		return -1;
	}
	if (dmn_app_open(d, err, errlen) != 0)
		return -1;
	rtr_set_local_handler(d->rtr, dmn_app_local, d);
	if (open_control(d, err, errlen) != 0)
		return -1;
	if (d->cfg->pidfile != NULL &&
	    write_pidfile(d->cfg->pidfile, err, errlen) != 0)
		return -1;
	if (drop_privileges(d->cfg, err, errlen) != 0)
		return -1;
	if (add_signals(d) != 0) {
		snprintf(err, errlen, "cannot install signal events");
		return -1;
	}
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];

		if (p->kind == DMN_BIP) {
			if (bip_port_start(p->bip) != 0) {
				snprintf(err, errlen, "bip port %s: cannot "
				    "start", p->name);
				return -1;
			}
		} else {
			dmn_sc_start(d, p);
		}
	}
	rtr_start(d->rtr, clk_now_us());
	dmn_app_start(d);
	dmn_schedule(d);
	return 0;
}

int
dmn_run(const struct dmn_opts *o)
{
	struct dmn *d;
	char err[1024];
	int rc = 1;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return 1;
	d->debug = o->debug;
	d->conf_path = strdup(o->conf_path);
	if (d->conf_path == NULL)
		goto out;
	switch (load_config(o->conf_path, &d->cfg)) {
	case 0:
		break;
	case -2:
		rc = DMN_EXIT_TEMPFAIL;
		goto out;
	default:
		rc = DMN_EXIT_CONFIG;
		goto out;
	}
	log_open("bacsc-router", o->debug ||
	    d->cfg->log.target == CFG_LOG_STDERR ? LOG_TARGET_STDERR :
	    LOG_TARGET_SYSLOG);
	apply_log(d->cfg, o->debug);
	d->started_us = clk_now_us();
	d->started_wall = time(NULL);
	if (start_up(d, err, sizeof(err)) != 0) {
		log_err(LD_MAIN, "%s: %s; not started", o->conf_path, err);
		goto out;
	}
	log_notice(LD_MAIN, "bacsc-router %s started: %zu port%s, "
	    "configuration %s", PACKAGE_VERSION, d->nports,
	    d->nports == 1 ? "" : "s", o->conf_path);
	dmn_sd_notify("READY=1");
	if (event_base_dispatch(d->base) < 0)
		log_err(LD_MAIN, "event loop failed");
	else
		rc = 0;
	log_notice(LD_MAIN, "stopped");
out:
	close_all(d);
	if (d->cfg != NULL && d->cfg->pidfile != NULL && rc == 0)
		(void)unlink(d->cfg->pidfile);
	if (d->base != NULL)
		event_base_free(d->base);
	cfg_free(d->cfg);
	free(d->conf_path);
	free(d);
	log_close();
	return rc;
}
