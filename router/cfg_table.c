/*
 * The description of every configuration setting, and the generic helpers
 * that walk it (defaults, freeing, value text).  Ranges and defaults for
 * the SC timers follow the protocol digest §1.14.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "router/cfg_int.h"
#include "sc/sc_vmac.h"

#define FLD(st, m, nm, k)						\
	.name = (nm), .kind = (k), .off = offsetof(st, m)
#define SETF(st, m)	.set_off = offsetof(st, m) + 1
#define LISTF(st, m, cnt, tbl, mx)					\
	.name = #m, .kind = CK_LIST, .off = offsetof(st, m),	\
	.cnt_off = offsetof(st, cnt), .sub = &(tbl), .max = (mx)
#define TABLE(nm, st, arr)						\
	{ (nm), sizeof(st), (arr), sizeof(arr) / sizeof((arr)[0]) }

static const char *const bip_mode_names[] = {
	"plain", "bbmd", "foreign", NULL
};
static const char *const ns_policy_names[] = {
	"never", "configured", "on-demand", NULL
};
static const char *const log_target_names[] = {
	"stderr", "syslog", NULL
};

static bool
show_if_bbmd(const void *obj)
{
	return ((const struct cfg_bip *)obj)->mode == CFG_BIP_BBMD;
}

/* ------------------------------------------------------------ tables */

static const struct cfg_field device_fields[] = {
	{ FLD(struct cfg_device, instance, "instance", CK_U32),
	  .flags = CF_REQ, .min = 0, .max = 4194302 },
	{ FLD(struct cfg_device, name, "name", CK_STR), .min = 1, .max = 64 },
	{ FLD(struct cfg_device, uuid, "uuid", CK_UUID),
	  .defstr = "generate" },
	{ FLD(struct cfg_device, enabled, "enabled", CK_BOOL), .def = 1 },
	{ FLD(struct cfg_device, description, "description", CK_STR),
	  .min = 0, .max = 255, .defstr = "" },
	{ FLD(struct cfg_device, location, "location", CK_STR),
	  .min = 0, .max = 255, .defstr = "" },
};
static const struct cfg_table device_table =
    TABLE("device", struct cfg_device, device_fields);

static const struct cfg_field router_fields[] = {
	{ FLD(struct cfg_router, table_limit, "table_limit", CK_U32),
	  .min = 1, .max = 65534, .def = 1024 },
	{ FLD(struct cfg_router, search_timeout_ms, "search_timeout_ms",
	  CK_U32), .min = 100, .max = 60000, .def = 2000 },
	{ FLD(struct cfg_router, search_queue, "search_queue", CK_U32),
	  .min = 0, .max = 4096, .def = 64 },
	{ FLD(struct cfg_router, nl_rate, "nl_rate", CK_U32),
	  .min = 1, .max = 10000, .def = 20 },
	{ FLD(struct cfg_router, broadcast_rate, "broadcast_rate", CK_U32),
	  .min = 0, .max = 1000000, .def = 200 },
	{ FLD(struct cfg_router, broadcast_burst, "broadcast_burst", CK_U32),
	  .min = 1, .max = 1000000, .def = 500 },
	{ FLD(struct cfg_router, init_rt_updates, "init_rt_updates",
	  CK_BOOL), .def = 0 },
};
static const struct cfg_table router_table =
    TABLE("router", struct cfg_router, router_fields);

static const struct cfg_field bdt_fields[] = {
	{ FLD(struct cfg_bdt_entry, addr, "address", CK_EP4),
	  .flags = CF_REQ },
	{ FLD(struct cfg_bdt_entry, mask, "mask", CK_MASK),
	  .defstr = "255.255.255.255" },
};
static const struct cfg_table bdt_table =
    TABLE("BDT entry", struct cfg_bdt_entry, bdt_fields);

static const struct cfg_field foreign_fields[] = {
	{ FLD(struct cfg_bip_foreign, bbmd, "bbmd", CK_EP4),
	  .flags = CF_REQ },
	{ FLD(struct cfg_bip_foreign, ttl, "ttl", CK_U16),
	  .min = 1, .max = 65535, .def = 300 },
};
static const struct cfg_table foreign_table =
    TABLE("foreign", struct cfg_bip_foreign, foreign_fields);

static const struct cfg_field bip_fields[] = {
	{ FLD(struct cfg_bip, name, "name", CK_NAME), .flags = CF_REQ },
	{ FLD(struct cfg_bip, network, "network", CK_U16), .flags = CF_REQ,
	  .min = 1, .max = 65534 },
	{ FLD(struct cfg_bip, interface, "interface", CK_STR),
	  .min = 1, .max = 15 },
	{ FLD(struct cfg_bip, bind, "bind", CK_IP4), .defstr = "0.0.0.0" },
	{ FLD(struct cfg_bip, port, "port", CK_U16),
	  .min = 1, .max = 65535, .def = CFG_BIP_PORT_DEFAULT },
	{ FLD(struct cfg_bip, broadcast, "broadcast", CK_IP4),
	  SETF(struct cfg_bip, has_broadcast) },
	{ FLD(struct cfg_bip, mode, "mode", CK_ENUM),
	  .names = bip_mode_names, .def = CFG_BIP_PLAIN },
	{ LISTF(struct cfg_bip, bdt, n_bdt, bdt_table, 64),
	  .show = show_if_bbmd },
	{ FLD(struct cfg_bip, nat_global, "nat_global", CK_EP4),
	  SETF(struct cfg_bip, has_nat_global) },
	{ FLD(struct cfg_bip, fdt_limit, "fdt_limit", CK_U16),
	  SETF(struct cfg_bip, has_fdt_limit), .min = 0, .max = 1024,
	  .def = 128, .show = show_if_bbmd },
	{ FLD(struct cfg_bip, fdt_per_address, "fdt_per_address", CK_U16),
	  SETF(struct cfg_bip, has_fdt_per_address), .min = 1, .max = 1024,
	  .def = 4, .show = show_if_bbmd },
	{ FLD(struct cfg_bip, foreign, "foreign", CK_GROUP),
	  SETF(struct cfg_bip, has_foreign), .sub = &foreign_table },
	{ FLD(struct cfg_bip, learn, "learn", CK_BOOL), .def = 1 },
};
static const struct cfg_table bip_table =
    TABLE("bip port", struct cfg_bip, bip_fields);

static const struct cfg_field tls_fields[] = {
	{ FLD(struct cfg_tls, certificate, "certificate", CK_STR),
	  .flags = CF_REQ, .min = 1, .max = 4095 },
	{ FLD(struct cfg_tls, key, "key", CK_STR),
	  .flags = CF_REQ, .min = 1, .max = 4095 },
	{ FLD(struct cfg_tls, ca, "ca", CK_STRLIST),
	  .flags = CF_REQ, .min = 1, .max = CFG_SC_MAX_CA },
	{ FLD(struct cfg_tls, crl, "crl", CK_STR), .min = 1, .max = 4095 },
	{ FLD(struct cfg_tls, expiry_warn_days, "expiry_warn_days", CK_U32),
	  .min = 0, .max = 365, .def = 30 },
};
static const struct cfg_table tls_table =
    TABLE("tls", struct cfg_tls, tls_fields);

static const struct cfg_field timers_fields[] = {
	{ FLD(struct cfg_sc_timers, connect_wait, "connect_wait", CK_U32),
	  .min = 5, .max = 300, .def = 10 },
	{ FLD(struct cfg_sc_timers, disconnect_wait, "disconnect_wait",
	  CK_U32), .min = 5, .max = 300, .def = 10 },
	{ FLD(struct cfg_sc_timers, heartbeat, "heartbeat", CK_U32),
	  .min = 3, .max = 300, .def = 300 },
	{ FLD(struct cfg_sc_timers, min_reconnect, "min_reconnect", CK_U32),
	  .min = 2, .max = 300, .def = 2 },
	{ FLD(struct cfg_sc_timers, max_reconnect, "max_reconnect", CK_U32),
	  .min = 2, .max = 600, .def = 60 },
};
static const struct cfg_table timers_table =
    TABLE("timers", struct cfg_sc_timers, timers_fields);

static const struct cfg_field hub_fields[] = {
	{ FLD(struct cfg_hub_function, enabled, "enabled", CK_BOOL),
	  .def = 0 },
	{ FLD(struct cfg_hub_function, listen, "listen", CK_LISTEN) },
	{ FLD(struct cfg_hub_function, max_connections, "max_connections",
	  CK_U32), .min = 1, .max = 4096, .def = 64 },
	{ FLD(struct cfg_hub_function, max_connections_per_source,
	  "max_connections_per_source", CK_U32), .min = 1, .max = 4096,
	  .def = 16 },
	{ FLD(struct cfg_hub_function, accept_originating_vmac,
	  "accept_originating_vmac", CK_BOOL), .def = 0 },
	{ FLD(struct cfg_hub_function, broadcast_rate, "broadcast_rate",
	  CK_U32), .min = 0, .max = 1000000, .def = 200 },
	{ FLD(struct cfg_hub_function, broadcast_burst, "broadcast_burst",
	  CK_U32), .min = 1, .max = 1000000, .def = 500 },
};
static const struct cfg_table hub_table =
    TABLE("hub_function", struct cfg_hub_function, hub_fields);

static const struct cfg_field peer_fields[] = {
	{ FLD(struct cfg_sc_peer, vmac, "vmac", CK_VMAC_FIXED),
	  .flags = CF_REQ },
	{ FLD(struct cfg_sc_peer, uri, "uri", CK_URI), .flags = CF_REQ },
};
static const struct cfg_table peer_table =
    TABLE("peer", struct cfg_sc_peer, peer_fields);

static const struct cfg_field ns_fields[] = {
	{ FLD(struct cfg_node_switch, enabled, "enabled", CK_BOOL),
	  .def = 0 },
	{ FLD(struct cfg_node_switch, listen, "listen", CK_LISTEN) },
	{ FLD(struct cfg_node_switch, accept_uris, "accept_uris",
	  CK_STRLIST), .min = 0, .max = CFG_NS_MAX_ACCEPT_URIS },
	{ FLD(struct cfg_node_switch, policy, "policy", CK_ENUM),
	  .names = ns_policy_names, .def = CFG_NS_NEVER },
	{ LISTF(struct cfg_node_switch, peers, n_peers, peer_table,
	  CFG_NS_MAX_PEERS) },
	{ FLD(struct cfg_node_switch, max_connections, "max_connections",
	  CK_U32), .min = 1, .max = 4096, .def = 16 },
	{ FLD(struct cfg_node_switch, max_connections_per_source,
	  "max_connections_per_source", CK_U32), .min = 1, .max = 4096,
	  .def = 16 },
	{ FLD(struct cfg_node_switch, idle_timeout, "idle_timeout", CK_U32),
	  .min = 0, .max = 86400, .def = 300 },
	{ FLD(struct cfg_node_switch, resolve_timeout, "resolve_timeout",
	  CK_U32), .min = 1, .max = 60, .def = 5 },
	{ FLD(struct cfg_node_switch, resolve_cache, "resolve_cache",
	  CK_U32), .min = 10, .max = 86400, .def = 600 },
};
static const struct cfg_table ns_table =
    TABLE("node_switch", struct cfg_node_switch, ns_fields);

static const struct cfg_field sc_fields[] = {
	{ FLD(struct cfg_sc, name, "name", CK_NAME), .flags = CF_REQ },
	{ FLD(struct cfg_sc, network, "network", CK_U16), .flags = CF_REQ,
	  .min = 1, .max = 65534 },
	{ FLD(struct cfg_sc, vmac, "vmac", CK_VMAC), .defstr = "random" },
	{ FLD(struct cfg_sc, primary_hub, "primary_hub", CK_URI),
	  .flags = CF_REQ },
	{ FLD(struct cfg_sc, failover_hub, "failover_hub", CK_URI) },
	{ FLD(struct cfg_sc, tls, "tls", CK_GROUP), .flags = CF_REQ,
	  .sub = &tls_table },
	{ FLD(struct cfg_sc, timers, "timers", CK_GROUP),
	  .sub = &timers_table },
	{ FLD(struct cfg_sc, max_bvlc, "max_bvlc", CK_U32),
	  .min = 501 + CFG_SC_BVLC_OVERHEAD, .max = CFG_SC_BVLC_MAX,
	  .def = 1600 },
	{ FLD(struct cfg_sc, max_npdu, "max_npdu", CK_U32),
	  .min = 501, .max = CFG_SC_NPDU_MAX, .def = 1497 },
	{ FLD(struct cfg_sc, hub_function, "hub_function", CK_GROUP),
	  .sub = &hub_table },
	{ FLD(struct cfg_sc, node_switch, "node_switch", CK_GROUP),
	  .sub = &ns_table },
	{ FLD(struct cfg_sc, allow_plaintext_ws, "allow_plaintext_ws",
	  CK_BOOL), .def = 0 },
	{ FLD(struct cfg_sc, learn, "learn", CK_BOOL), .def = 1 },
};
static const struct cfg_table sc_table =
    TABLE("sc port", struct cfg_sc, sc_fields);

static const struct cfg_field log_fields[] = {
	{ FLD(struct cfg_log, level, "level", CK_LEVEL), .defstr = "notice" },
	{ FLD(struct cfg_log, target, "target", CK_ENUM),
	  .names = log_target_names, .def = CFG_LOG_STDERR },
	{ FLD(struct cfg_log, debug_domains, "debug_domains", CK_STRLIST),
	  .min = 0, .max = LD_COUNT_ },
};
static const struct cfg_table log_table =
    TABLE("log", struct cfg_log, log_fields);

static const struct cfg_field control_fields[] = {
	{ FLD(struct cfg_control, socket, "socket", CK_STR),
	  .min = 1, .max = 107, .defstr = "/run/bacsc-router/control" },
	{ FLD(struct cfg_control, mode, "mode", CK_MODE), .defstr = "0660" },
	{ FLD(struct cfg_control, group, "group", CK_STR),
	  .min = 1, .max = 32 },
};
static const struct cfg_table control_table =
    TABLE("control", struct cfg_control, control_fields);

static const struct cfg_field root_fields[] = {
	{ FLD(struct cfg, device, "device", CK_GROUP), .flags = CF_REQ,
	  .sub = &device_table },
	{ FLD(struct cfg, router, "router", CK_GROUP), .sub = &router_table },
	{ LISTF(struct cfg, bip, n_bip, bip_table, 16) },
	{ LISTF(struct cfg, sc, n_sc, sc_table, 16) },
	{ FLD(struct cfg, log, "log", CK_GROUP), .sub = &log_table },
	{ FLD(struct cfg, control, "control", CK_GROUP),
	  .sub = &control_table },
	{ FLD(struct cfg, state_dir, "state_dir", CK_STR), .min = 1,
	  .max = 4095, .defstr = "/var/lib/bacsc-router" },
	{ FLD(struct cfg, pidfile, "pidfile", CK_STR), .min = 1,
	  .max = 4095 },
	{ FLD(struct cfg, user, "user", CK_STR), .min = 1, .max = 32 },
	{ FLD(struct cfg, group, "group", CK_STR), .min = 1, .max = 32 },
};
const struct cfg_table cfg_root_table =
    TABLE("configuration", struct cfg, root_fields);

/* ------------------------------------------------------- generic walks */

enum cfg_shape
cfg_kind_shape(enum cfg_kind k)
{
	switch (k) {
	case CK_BOOL:
		return CS_BOOL;
	case CK_U16:
	case CK_U32:
		return CS_INT;
	case CK_STRLIST:
		return CS_STRLIST;
	case CK_GROUP:
		return CS_GROUP;
	case CK_LIST:
		return CS_LIST;
	case CK_STR:
	case CK_NAME:
	case CK_ENUM:
	case CK_LEVEL:
	case CK_IP4:
	case CK_EP4:
	case CK_MASK:
	case CK_VMAC:
	case CK_VMAC_FIXED:
	case CK_UUID:
	case CK_URI:
	case CK_LISTEN:
	case CK_MODE:
		return CS_TEXT;
	}
	return CS_TEXT;
}

char *const *
cfg_text_slot(const struct cfg_field *f, const void *obj)
{
	const void *p = CFG_CAT(obj, f);

	if (f->kind == CK_STR || f->kind == CK_NAME)
		return p;
	if (f->kind == CK_URI)
		return &((const struct cfg_uri *)p)->text;
	if (f->kind == CK_LISTEN)
		return &((const struct cfg_listen *)p)->text;
	return NULL;
}

void
cfg_obj_defaults(const struct cfg_table *t, void *obj)
{
	size_t i;

	memset(obj, 0, t->size);
	for (i = 0; i < t->n; i++) {
		const struct cfg_field *f = &t->f[i];
		void *p = CFG_AT(obj, f);
		const char *why;

		switch (f->kind) {
		case CK_BOOL:
			*(bool *)p = f->def != 0;
			break;
		case CK_U16:
			*(uint16_t *)p = (uint16_t)f->def;
			break;
		case CK_U32:
			*(uint32_t *)p = (uint32_t)f->def;
			break;
		case CK_ENUM:
			*(int *)p = (int)f->def;
			break;
		case CK_STR:
		case CK_NAME:
			if (f->defstr != NULL)
				*(char **)p = strdup(f->defstr);
			break;
		case CK_LEVEL:
			*(int *)p = log_level_parse(f->defstr);
			break;
		case CK_IP4:
			if (f->defstr != NULL)
				cfg_parse_ipv4(f->defstr, p);
			break;
		case CK_EP4:
			break;
		case CK_MASK:
			cfg_parse_mask(f->defstr, p);
			break;
		case CK_VMAC:
		case CK_VMAC_FIXED:
			if (f->defstr != NULL)
				cfg_parse_vmac(f->defstr, true, p, &why);
			break;
		case CK_UUID:
			cfg_parse_uuid(f->defstr, p);
			break;
		case CK_MODE:
			cfg_parse_mode(f->defstr, p);
			break;
		case CK_URI:
		case CK_LISTEN:
		case CK_STRLIST:
		case CK_LIST:
			break;
		case CK_GROUP:
			cfg_obj_defaults(f->sub, p);
			break;
		}
	}
}

void
cfg_obj_fini(const struct cfg_table *t, void *obj)
{
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		const struct cfg_field *f = &t->f[i];
		void *p = CFG_AT(obj, f);

		switch (cfg_kind_shape(f->kind)) {
		case CS_TEXT:
			if (f->kind == CK_URI) {
				cfg_uri_fini(p);
			} else if (f->kind == CK_LISTEN) {
				cfg_listen_fini(p);
			} else if (cfg_text_slot(f, obj) != NULL) {
				free(*(char **)p);
				*(char **)p = NULL;
			}
			break;
		case CS_STRLIST: {
			struct cfg_strlist *l = p;

			for (k = 0; k < l->n; k++)
				free(l->v[k]);
			free(l->v);
			l->v = NULL;
			l->n = 0;
			break;
		}
		case CS_GROUP:
			cfg_obj_fini(f->sub, p);
			break;
		case CS_LIST: {
			char *arr = *(char **)p;
			size_t *cnt = (size_t *)((char *)obj + f->cnt_off);

			for (k = 0; k < *cnt; k++)
				cfg_obj_fini(f->sub, arr + k * f->sub->size);
			free(arr);
			*(char **)p = NULL;
			*cnt = 0;
			break;
		}
		case CS_BOOL:
		case CS_INT:
			break;
		}
	}
}

bool
cfg_field_present(const struct cfg_field *f, const void *obj)
{
	const void *p = CFG_CAT(obj, f);
	char *const *text = cfg_text_slot(f, obj);

	if (f->show != NULL)
		return f->show(obj);
	if (f->set_off != 0)
		return *(const bool *)((const char *)obj + f->set_off - 1);
	switch (cfg_kind_shape(f->kind)) {
	case CS_TEXT:
		return text == NULL || *text != NULL;
	case CS_STRLIST:
		return ((const struct cfg_strlist *)p)->n > 0;
	case CS_LIST:
		return *(const size_t *)((const char *)obj + f->cnt_off) > 0;
	case CS_BOOL:
	case CS_INT:
	case CS_GROUP:
		return true;
	}
	return true;
}

void
cfg_quote(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (len < 3) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '"';
	for (; *s != '\0' && n + 6 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f') {
			buf[n++] = '\\';
			buf[n++] = c == '\t' ? 't' : c == '\n' ? 'n' :
			    c == '\r' ? 'r' : 'f';
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

static void
ip4_text(const uint8_t a[4], char *buf, size_t len)
{
	snprintf(buf, len, "\"%u.%u.%u.%u\"", a[0], a[1], a[2], a[3]);
}

void
cfg_value_text(const struct cfg_field *f, const void *obj, char *buf,
    size_t len)
{
	const void *p = CFG_CAT(obj, f);
	char t[SC_UUID_STRLEN];

	buf[0] = '\0';
	switch (f->kind) {
	case CK_BOOL:
		snprintf(buf, len, "%s", *(const bool *)p ? "true" : "false");
		break;
	case CK_U16:
		snprintf(buf, len, "%u", (unsigned)*(const uint16_t *)p);
		break;
	case CK_U32:
		snprintf(buf, len, "%lu", (unsigned long)*(const uint32_t *)p);
		break;
	case CK_ENUM: {
		int v = *(const int *)p, k;

		for (k = 0; f->names[k] != NULL && k < v; k++)
			;
		snprintf(buf, len, "\"%s\"",
		    f->names[k] != NULL ? f->names[k] : "?");
		break;
	}
	case CK_LEVEL:
		snprintf(buf, len, "\"%s\"",
		    log_level_name((enum log_level)*(const int *)p));
		break;
	case CK_STR:
	case CK_NAME:
	case CK_URI:
	case CK_LISTEN: {
		char *const *txt = cfg_text_slot(f, obj);

		cfg_quote(*txt != NULL ? *txt : "", buf, len);
		break;
	}
	case CK_IP4:
	case CK_MASK:
		ip4_text(p, buf, len);
		break;
	case CK_EP4: {
		const struct cfg_ep4 *e = p;

		snprintf(buf, len, "\"%u.%u.%u.%u:%u\"", e->addr[0],
		    e->addr[1], e->addr[2], e->addr[3], (unsigned)e->port);
		break;
	}
	case CK_VMAC:
	case CK_VMAC_FIXED: {
		const struct cfg_vmac *v = p;

		if (v->random)
			snprintf(t, sizeof(t), "random");
		else
			(void)sc_vmac_format(v->mac, t, sizeof(t));
		snprintf(buf, len, "\"%s\"", t);
		break;
	}
	case CK_UUID: {
		const struct cfg_uuid *u = p;

		if (u->generate)
			snprintf(t, sizeof(t), "generate");
		else
			(void)sc_uuid_format(u->b, t, sizeof(t));
		snprintf(buf, len, "\"%s\"", t);
		break;
	}
	case CK_MODE:
		snprintf(buf, len, "\"%04lo\"",
		    (unsigned long)*(const uint32_t *)p);
		break;
	case CK_STRLIST:
	case CK_GROUP:
	case CK_LIST:
		break;
	}
}
