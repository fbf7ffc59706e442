/*
 * The control socket's answers (status, routes, peers, reload) and the
 * SIGUSR1 counter dump.  Everything is read from the running parts at the
 * time of the request.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bip/bip_io.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "router/daemon_int.h"

static void
ip_text(uint32_t ip, uint16_t port, char *out, size_t len)
{
	snprintf(out, len, "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff,
	    (ip >> 8) & 0xff, ip & 0xff, port);
}

static void
mac_text(const uint8_t *m, size_t n, bool bip, char *out, size_t len)
{
	size_t i, k = 0;

	out[0] = '\0';
	if (bip && n == 6) {
		ip_text((uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		    (uint32_t)m[2] << 8 | m[3], (uint16_t)(m[4] << 8 | m[5]),
		    out, len);
		return;
	}
	for (i = 0; i < n && k + 4 < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s%02x", i ? ":" : "",
		    m[i]);
}

static const char *
mode_name(enum cfg_bip_mode m)
{
	switch (m) {
	case CFG_BIP_PLAIN:
		return "plain";
	case CFG_BIP_BBMD:
		return "bbmd";
	case CFG_BIP_FOREIGN:
		return "foreign";
	}
	return "?";
}

static void
bip_status(struct dmn *d, const struct dmn_port *p, struct jw *w)
{
	const struct cfg_bip *c = &d->cfg->bip[p->ci];
	const struct bip_counters *k = bip_port_counters(p->bip);
	struct bvlc_addr self, bcast;
	char buf[32];
	size_t i;

	bip_port_addr(p->bip, &self, &bcast);
	ip_text(self.ip, self.port, buf, sizeof(buf));
	jw_kv_str(w, "address", buf);
	ip_text(bcast.ip, bcast.port, buf, sizeof(buf));
	jw_kv_str(w, "broadcast", buf);
	jw_kv_str(w, "mode", mode_name(c->mode));
	if (c->mode == CFG_BIP_FOREIGN)
		jw_kv_bool(w, "registered", bip_port_fd_registered(p->bip));
	if (c->mode == CFG_BIP_BBMD) {
		const struct bip_bbmd *b = bip_port_bbmd(p->bip);

		jw_key(w, "bdt");
		jw_arr_begin(w);
		for (i = 0; b != NULL && i < b->n_bdt; i++) {
			jw_obj_begin(w);
			ip_text(b->bdt[i].addr.ip, b->bdt[i].addr.port, buf,
			    sizeof(buf));
			jw_kv_str(w, "address", buf);
			ip_text(b->bdt[i].mask, 0, buf, sizeof(buf));
			buf[strlen(buf) - 2] = '\0';	/* drop ":0" */
			jw_kv_str(w, "mask", buf);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_kv_uint(w, "fdt_entries", b != NULL ? b->n_fdt : 0);
	}
	jw_key(w, "counters");
	jw_obj_begin(w);
	jw_kv_uint(w, "rx_bytes", k->rx_bytes);
	jw_kv_uint(w, "tx_bytes", k->tx_bytes);
	jw_kv_uint(w, "rx_delivered", k->rx_delivered);
	jw_kv_uint(w, "rx_malformed", k->rx_malformed);
	jw_kv_uint(w, "rx_unknown", k->rx_unknown);
	jw_kv_uint(w, "rx_oversize", k->rx_oversize);
	jw_kv_uint(w, "rx_own", k->rx_own);
	jw_kv_uint(w, "rx_dropped", k->rx_dropped);
	jw_kv_uint(w, "naks_sent", k->naks_sent);
	jw_kv_uint(w, "tx_errors", k->tx_errors);
	jw_kv_uint(w, "fd_registered", k->fd_registered);
	jw_kv_uint(w, "fd_refused", k->fd_refused);
	jw_obj_end(w);
}

static void
ports_json(struct dmn *d, struct jw *w)
{
	char buf[32];
	size_t i;

	jw_arr_begin(w);
	for (i = 0; i < d->nports; i++) {
		const struct dmn_port *p = &d->port[i];

		jw_obj_begin(w);
		jw_kv_str(w, "name", p->name);
		jw_kv_str(w, "type", p->kind == DMN_BIP ? "bip" : "sc");
		jw_kv_uint(w, "network", p->np->net);
		jw_kv_str(w, "state", p->np->up ? "up" : "down");
		dmn_fmt_time(dmn_wall_of(d, p->up_since_us), buf, sizeof(buf));
		jw_kv_str(w, "up_since", buf);
		jw_kv_uint(w, "link_changes", p->link_changes);
		jw_kv_uint(w, "max_npdu", p->np->max_npdu);
		if (p->kind == DMN_BIP)
			bip_status(d, p, w);
		else
			dmn_sc_status(d, p, w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
routes_json(struct dmn *d, struct jw *w)
{
	const struct rtr_table *t = rtr_table(d->rtr);
	size_t i, n = rtr_table_count(t);
	char buf[64];

	jw_arr_begin(w);
	for (i = 0; i < n; i++) {
		const struct rtr_route *r = rtr_table_at(t, i);
		const struct dmn_port *p;

		if (r == NULL || r->port >= d->nports)
			continue;
		p = &d->port[r->port];
		jw_obj_begin(w);
		jw_kv_uint(w, "network", r->net);
		jw_kv_str(w, "port", p->name);
		jw_kv_bool(w, "direct", r->direct);
		jw_kv_bool(w, "configured", r->configured);
		if (!r->direct) {
			mac_text(r->mac, r->mac_len, p->kind == DMN_BIP, buf,
			    sizeof(buf));
			jw_kv_str(w, "next_hop", buf);
		}
		jw_kv_str(w, "reachability", rtr_reach_name(r->reach));
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
counters_json(struct dmn *d, struct jw *w)
{
	const struct rtr_stats *st = rtr_stats(d->rtr);
	const char *name;
	size_t i;

	jw_obj_begin(w);
	for (i = 0; (name = rtr_stat_name(i)) != NULL; i++)
		jw_kv_uint(w, name, rtr_stat_value(st, i));
	jw_kv_uint(w, "held_now", rtr_held_count(d->rtr));
	jw_obj_end(w);
}

static void
daemon_json(struct dmn *d, struct jw *w)
{
	char buf[40];

	jw_obj_begin(w);
	jw_kv_str(w, "version", PACKAGE_VERSION);
	jw_kv_int(w, "pid", (long long)getpid());
	jw_kv_str(w, "config_file", d->conf_path);
	dmn_fmt_time(d->started_wall, buf, sizeof(buf));
	jw_kv_str(w, "started", buf);
	jw_kv_uint(w, "uptime_s", (clk_now_us() - d->started_us) / 1000000u);
	jw_kv_str(w, "log_level", log_level_name(d->debug ? LOG_LVL_DEBUG :
	    (enum log_level)d->cfg->log.level));
	jw_kv_uint(w, "reloads_ok", d->reloads_ok);
	jw_kv_uint(w, "reloads_failed", d->reloads_failed);
	dmn_fmt_time(d->last_reload, buf, sizeof(buf));
	jw_kv_str(w, "last_reload", buf);
	jw_kv_str(w, "last_reload_result", d->last_reload_result[0] ?
	    d->last_reload_result : "none");
	jw_kv_bool(w, "stopping", d->stopping);
	jw_obj_end(w);
}

static void
device_json(struct dmn *d, struct jw *w)
{
	const struct cfg_device *c = &d->cfg->device;
	char u[40];

	snprintf(u, sizeof(u), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", d->uuid[0], d->uuid[1], d->uuid[2],
	    d->uuid[3], d->uuid[4], d->uuid[5], d->uuid[6], d->uuid[7],
	    d->uuid[8], d->uuid[9], d->uuid[10], d->uuid[11], d->uuid[12],
	    d->uuid[13], d->uuid[14], d->uuid[15]);
	jw_obj_begin(w);
	jw_kv_uint(w, "instance", c->instance);
	/* The device's own texts (a reload or WriteProperty changes them). */
	jw_kv_str(w, "name", d->app != NULL ? d->db.dev.obj.name : c->name);
	jw_kv_str(w, "uuid", u);
	jw_kv_bool(w, "enabled", d->app != NULL);
	if (d->app != NULL) {
		const struct app_stats *s = app_stats(d->app);

		jw_kv_str(w, "description", d->db.dev.obj.description);
		jw_kv_str(w, "location", d->db.dev.location);
		jw_kv_uint(w, "database_revision",
		    d->db.dev.database_revision);
		jw_kv_uint(w, "database_revision_writes", d->dbrev_writes);

		jw_kv_uint(w, "apdu_rx", s->rx);
		jw_kv_uint(w, "apdu_tx", s->tx);
	}
	jw_obj_end(w);
}

/* The limits the router runs with (rtr_config_of, not the file). */
static void
router_json(struct dmn *d, struct jw *w)
{
	const struct rtr_config *rc = rtr_config_of(d->rtr);

	jw_obj_begin(w);
	jw_kv_uint(w, "table_limit", rc->table_max);
	jw_kv_uint(w, "search_timeout_ms", rc->search_timeout_us / 1000u);
	jw_kv_uint(w, "search_queue", rc->queue_max);
	jw_kv_uint(w, "nl_rate", rc->nl_rate_burst);
	jw_kv_uint(w, "broadcast_rate", rc->bcast_rate_burst == 0 ? 0 :
	    1000000u / rc->bcast_rate_interval_us);
	jw_kv_uint(w, "broadcast_burst", rc->bcast_rate_burst);
	jw_kv_bool(w, "init_rt_updates", rc->init_rt_updates);
	jw_obj_end(w);
}

static void
peers_all(struct dmn *d, struct jw *w)
{
	size_t i;

	jw_arr_begin(w);
	for (i = 0; i < d->nports; i++) {
		const struct dmn_port *p = &d->port[i];

		if (p->kind != DMN_SC)
			continue;
		jw_obj_begin(w);
		jw_kv_str(w, "port", p->name);
		jw_key(w, "hub_function_peers");
		dmn_sc_peers(d, p, w);
		jw_key(w, "direct_connections");
		dmn_sc_dconns(d, p, w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void
dmn_ctl_handle(void *arg, const char *cmd, struct jw *w)
{
	struct dmn *d = arg;

	if (strcmp(cmd, "reload") == 0) {
		if (d->stopping) {
			jw_obj_begin(w);
			jw_kv_bool(w, "ok", false);
			jw_kv_str(w, "error", "shutting down");
			jw_obj_end(w);
			return;
		}
		(void)dmn_reload(d, w);
		return;
	}
	jw_obj_begin(w);
	if (strcmp(cmd, "status") == 0) {
		jw_kv_bool(w, "ok", true);
		jw_key(w, "daemon");
		daemon_json(d, w);
		jw_key(w, "device");
		device_json(d, w);
		jw_key(w, "router");
		router_json(d, w);
		jw_key(w, "ports");
		ports_json(d, w);
		jw_key(w, "routes");
		routes_json(d, w);
		jw_key(w, "counters");
		counters_json(d, w);
	} else if (strcmp(cmd, "routes") == 0) {
		jw_kv_bool(w, "ok", true);
		jw_key(w, "routes");
		routes_json(d, w);
	} else if (strcmp(cmd, "peers") == 0) {
		jw_kv_bool(w, "ok", true);
		jw_key(w, "peers");
		peers_all(d, w);
	} else {
		jw_kv_bool(w, "ok", false);
		jw_kv_str(w, "error", "unknown command (status, routes, "
		    "peers, reload)");
	}
	jw_obj_end(w);
}

void
dmn_log_counters(struct dmn *d)
{
	const struct rtr_stats *st = rtr_stats(d->rtr);
	const char *name;
	char line[1024];
	size_t i, n = 0;

	for (i = 0; (name = rtr_stat_name(i)) != NULL; i++) {
		uint64_t v = rtr_stat_value(st, i);

		if (v == 0 || n + 64 >= sizeof(line))
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%llu",
		    name, (unsigned long long)v);
	}
	line[n] = '\0';
	log_notice(LD_MAIN, "counters: router%s", n > 0 ? line :
	    " (all zero)");
	for (i = 0; i < d->nports; i++) {
		const struct dmn_port *p = &d->port[i];

		if (p->kind == DMN_BIP) {
			const struct bip_counters *k =
			    bip_port_counters(p->bip);

			log_notice(LD_BIP, "bip port %s: %s, rx %llu bytes, "
			    "tx %llu bytes, delivered %llu, malformed %llu, "
			    "tx errors %llu", p->name,
			    p->np->up ? "up" : "down",
			    (unsigned long long)k->rx_bytes,
			    (unsigned long long)k->tx_bytes,
			    (unsigned long long)k->rx_delivered,
			    (unsigned long long)k->rx_malformed,
			    (unsigned long long)k->tx_errors);
		} else {
			dmn_sc_log_counters(p);
		}
	}
}
