/*
 * Checking a loaded configuration: cross-field rules and uniqueness
 * (cfg_validate, pure), the files it names (cfg_check_files), and which
 * changes a reload cannot apply (cfg_check_reload).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "router/cfg_int.h"
#include "sc/sc_cert.h"

#define P_LEN	256

/* Record an error at path unless one is already there (no cascades). */
#define VERR(e, c, path, ...)						\
	do {								\
		if (!cfg_errs_has_path((e), (path)))			\
			cfg_err_at((e), (c), (path), __VA_ARGS__);	\
	} while (0)

static const char *
pth(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *
pth(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, P_LEN, fmt, ap);
	va_end(ap);
	return buf;
}

/*
 * Did loading already fail for this setting (or below it)?  Rules whose
 * inputs failed to load are skipped: their default stand-ins would only
 * produce confusing follow-on errors.
 */
static bool
bad(const struct cfg_errs *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool
bad(const struct cfg_errs *e, const char *fmt, ...)
{
	char p[P_LEN];
	size_t i, n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	n = strlen(p);
	for (i = 0; i < e->n; i++) {
		const char *q = e->v[i].path;

		if (q != NULL && strncmp(q, p, n) == 0 &&
		    (q[n] == '\0' || q[n] == '.' || q[n] == '['))
			return true;
	}
	return cfg_errs_has_path(e, p);
}

/* ------------------------------------------------- generic range check */

static void
check_table(const struct cfg *c, const struct cfg_table *t, const void *obj,
    const char *gpath, struct cfg_errs *e)
{
	char path[P_LEN];
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		const struct cfg_field *f = &t->f[i];
		const void *p = CFG_CAT(obj, f);
		long long v;

		snprintf(path, sizeof(path), "%s%s%s", gpath, *gpath ? "." : "",
		    f->name);
		switch (cfg_kind_shape(f->kind)) {
		case CS_INT:
			v = f->kind == CK_U16 ? *(const uint16_t *)p :
			    (long long)*(const uint32_t *)p;
			if (v < f->min || v > f->max)
				VERR(e, c, path, "%lld is out of range "
				    "(%lld..%lld)", v, f->min, f->max);
			break;
		case CS_TEXT: {
			char *const *txt = cfg_text_slot(f, obj);

			if ((f->flags & CF_REQ) && txt != NULL && *txt == NULL)
				VERR(e, c, path, "missing; this setting is "
				    "required");
			break;
		}
		case CS_STRLIST:
			if ((long long)((const struct cfg_strlist *)p)->n <
			    f->min)
				VERR(e, c, path, "needs at least %lld "
				    "entries", f->min);
			break;
		case CS_GROUP:
			check_table(c, f->sub, p, path, e);
			break;
		case CS_LIST: {
			size_t n = *(const size_t *)((const char *)obj +
			    f->cnt_off);
			char ep[P_LEN + 24];

			for (k = 0; k < n; k++) {
				snprintf(ep, sizeof(ep), "%s[%zu]", path, k);
				check_table(c, f->sub, *(char *const *)p +
				    k * f->sub->size, ep, e);
			}
			break;
		}
		case CS_BOOL:
			break;
		}
	}
}

/* ----------------------------------------------------- cross-field rules */

static const char *const bip_mode_text[] = { "plain", "bbmd", "foreign" };

static bool
ip4_is_any(const uint8_t a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0;
}

static bool
ep4_eq(const struct cfg_ep4 *a, const struct cfg_ep4 *b)
{
	return memcmp(a->addr, b->addr, 4) == 0 && a->port == b->port;
}

static void
check_bip(const struct cfg *c, size_t i, struct cfg_errs *e)
{
	const struct cfg_bip *b = &c->bip[i];
	const char *mode = bip_mode_text[b->mode];
	char p[P_LEN];
	size_t k, j;

	if (bad(e, "bip[%zu].mode", i))
		goto addresses;
	if (b->mode != CFG_BIP_BBMD) {
		if (b->n_bdt > 0)
			VERR(e, c, pth(p, "bip[%zu].bdt", i), "only allowed in "
			    "mode \"bbmd\" (mode is \"%s\")", mode);
		if (b->has_nat_global)
			VERR(e, c, pth(p, "bip[%zu].nat_global", i), "only "
			    "allowed in mode \"bbmd\" (mode is \"%s\")", mode);
		if (b->has_fdt_limit)
			VERR(e, c, pth(p, "bip[%zu].fdt_limit", i), "only "
			    "allowed in mode \"bbmd\" (mode is \"%s\")", mode);
		if (b->has_fdt_per_address)
			VERR(e, c, pth(p, "bip[%zu].fdt_per_address", i),
			    "only allowed in mode \"bbmd\" (mode is \"%s\")",
			    mode);
	}
	if (b->mode != CFG_BIP_FOREIGN && b->has_foreign)
		VERR(e, c, pth(p, "bip[%zu].foreign", i), "only allowed in "
		    "mode \"foreign\" (mode is \"%s\")", mode);
	if (b->mode == CFG_BIP_FOREIGN && !b->has_foreign)
		VERR(e, c, pth(p, "bip[%zu].foreign", i), "missing; mode "
		    "\"foreign\" needs foreign = { bbmd = \"a.b.c.d:port\"; }");
	if (b->mode == CFG_BIP_FOREIGN && b->has_foreign &&
	    ip4_is_any(b->foreign.bbmd.addr))
		VERR(e, c, pth(p, "bip[%zu].foreign.bbmd", i), "\"0.0.0.0\" "
		    "is not a BBMD address");
addresses:
	if (bad(e, "bip[%zu].bind", i) || bad(e, "bip[%zu].port", i))
		return;
	if (b->bind[0] >= 224)
		VERR(e, c, pth(p, "bip[%zu].bind", i), "\"%u.%u.%u.%u\" is a "
		    "multicast or broadcast address; allowed: \"0.0.0.0\" or "
		    "a unicast address of this host", b->bind[0], b->bind[1],
		    b->bind[2], b->bind[3]);
	if (ip4_is_any(b->bind) && b->interface == NULL)
		VERR(e, c, pth(p, "bip[%zu].interface", i), "missing; "
		    "required when bind is \"0.0.0.0\" (the port must learn "
		    "its own B/IP address)");
	if (b->has_broadcast && ip4_is_any(b->broadcast))
		VERR(e, c, pth(p, "bip[%zu].broadcast", i), "\"0.0.0.0\" is "
		    "not a broadcast address");
	for (k = 0; k < b->n_bdt; k++) {
		for (j = 0; j < k; j++)
			if (ep4_eq(&b->bdt[k].addr, &b->bdt[j].addr))
				VERR(e, c, pth(p, "bip[%zu].bdt[%zu].address",
				    i, k), "\"%u.%u.%u.%u:%u\" is a duplicate "
				    "of bdt[%zu]", b->bdt[k].addr.addr[0],
				    b->bdt[k].addr.addr[1], b->bdt[k].addr.addr[2],
				    b->bdt[k].addr.addr[3],
				    (unsigned)b->bdt[k].addr.port, j);
		if (ip4_is_any(b->bdt[k].addr.addr))
			VERR(e, c, pth(p, "bip[%zu].bdt[%zu].address", i, k),
			    "\"0.0.0.0\" is not a BBMD address");
	}
	/* J.4: the BDT lists this BBMD too (its mask says how peers reach
	 * it).  Checkable only with a fixed bind address. */
	if (b->mode == CFG_BIP_BBMD && b->n_bdt > 0 &&
	    !ip4_is_any(b->bind) && !bad(e, "bip[%zu].bdt", i) &&
	    !bad(e, "bip[%zu].nat_global", i)) {
		struct cfg_ep4 self;

		memcpy(self.addr, b->bind, 4);
		self.port = b->port;
		for (k = 0; k < b->n_bdt; k++)
			if (ep4_eq(&b->bdt[k].addr, &self) ||
			    (b->has_nat_global &&
			    ep4_eq(&b->bdt[k].addr, &b->nat_global)))
				break;
		if (k == b->n_bdt)
			VERR(e, c, pth(p, "bip[%zu].bdt", i), "has no entry "
			    "for this BBMD itself (%u.%u.%u.%u:%u); every "
			    "BBMD's table lists all BBMDs including itself",
			    b->bind[0], b->bind[1], b->bind[2], b->bind[3],
			    (unsigned)b->port);
	}
	for (j = 0; j < i; j++) {
		const struct cfg_bip *o = &c->bip[j];

		if (bad(e, "bip[%zu].bind", j) || bad(e, "bip[%zu].port", j))
			continue;
		if (o->port == b->port && (memcmp(o->bind, b->bind, 4) == 0 ||
		    ip4_is_any(o->bind) || ip4_is_any(b->bind)))
			VERR(e, c, pth(p, "bip[%zu].port", i), "UDP %u.%u.%u.%u:"
			    "%u overlaps bip[%zu] (%u.%u.%u.%u:%u)", b->bind[0],
			    b->bind[1], b->bind[2], b->bind[3],
			    (unsigned)b->port, j, o->bind[0], o->bind[1],
			    o->bind[2], o->bind[3], (unsigned)o->port);
	}
}

static void
check_uri(const struct cfg *c, const struct cfg_sc *s, const char *path,
    const struct cfg_uri *u, struct cfg_errs *e)
{
	if (u->text != NULL && !u->tls && !s->allow_plaintext_ws)
		VERR(e, c, path, "\"%s\" is plain ws://; use wss:// or set "
		    "allow_plaintext_ws = true (tests only)", u->text);
}

/* The listener a port opens, or NULL. */
static const struct cfg_listen *
hub_listener(const struct cfg_sc *s)
{
	return s->hub_function.enabled && s->hub_function.listen.text != NULL ?
	    &s->hub_function.listen : NULL;
}

static const struct cfg_listen *
ns_listener(const struct cfg_sc *s)
{
	return s->node_switch.enabled && s->node_switch.listen.text != NULL ?
	    &s->node_switch.listen : NULL;
}

static bool
listen_overlap(const struct cfg_listen *a, const struct cfg_listen *b)
{
	if (a == NULL || b == NULL)
		return false;
	if (a->text == NULL || b->text == NULL || a->port != b->port ||
	    a->v6 != b->v6)
		return false;
	return strcmp(a->host, b->host) == 0 ||
	    strcmp(a->host, "0.0.0.0") == 0 || strcmp(b->host, "0.0.0.0") == 0 ||
	    strcmp(a->host, "::") == 0 || strcmp(b->host, "::") == 0;
}

static const char *
vmac_text(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
	return buf;
}

static void
check_node_switch(const struct cfg *c, size_t i, struct cfg_errs *e)
{
	const struct cfg_sc *s = &c->sc[i];
	const struct cfg_node_switch *ns = &s->node_switch;
	char p[P_LEN], vt[18];
	size_t k, j;

	if (ns->enabled && ns->listen.text == NULL &&
	    ns->policy == CFG_NS_NEVER)
		VERR(e, c, pth(p, "sc[%zu].node_switch", i), "enabled, but "
		    "it neither accepts (no listen) nor initiates (policy "
		    "\"never\")");
	if (ns->listen.text != NULL && ns->accept_uris.n == 0)
		VERR(e, c, pth(p, "sc[%zu].node_switch.accept_uris", i),
		    "missing; required with listen (peers learn where to "
		    "connect from Address-Resolution-ACK)");
	if (ns->listen.text == NULL && ns->accept_uris.n > 0)
		VERR(e, c, pth(p, "sc[%zu].node_switch.accept_uris", i),
		    "only allowed with listen");
	for (k = 0; k < ns->accept_uris.n; k++) {
		struct cfg_uri u;
		const char *why;

		pth(p, "sc[%zu].node_switch.accept_uris[%zu]", i, k);
		if (cfg_parse_uri(ns->accept_uris.v[k], &u, &why) != 0) {
			VERR(e, c, p, "\"%s\" is not a valid URI: %s "
			    "(wss://host[:port][/path])", ns->accept_uris.v[k],
			    why);
			continue;
		}
		check_uri(c, s, p, &u, e);
		cfg_uri_fini(&u);
	}
	if (ns->policy == CFG_NS_CONFIGURED && ns->n_peers == 0)
		VERR(e, c, pth(p, "sc[%zu].node_switch.peers", i), "missing; "
		    "policy \"configured\" needs at least one peer");
	if (ns->policy != CFG_NS_CONFIGURED && ns->n_peers > 0)
		VERR(e, c, pth(p, "sc[%zu].node_switch.peers", i), "only used "
		    "with policy \"configured\"");
	for (k = 0; k < ns->n_peers; k++) {
		const struct cfg_sc_peer *pe = &ns->peers[k];

		check_uri(c, s, pth(p, "sc[%zu].node_switch.peers[%zu].uri",
		    i, k), &pe->uri, e);
		pth(p, "sc[%zu].node_switch.peers[%zu].vmac", i, k);
		if (bad(e, "%s", p))
			continue;
		if (!s->vmac.random && memcmp(pe->vmac.mac, s->vmac.mac, 6) == 0)
			VERR(e, c, p, "\"%s\" is this port's own VMAC",
			    vmac_text(pe->vmac.mac, vt));
		for (j = 0; j < k; j++)
			if (memcmp(pe->vmac.mac, ns->peers[j].vmac.mac, 6) == 0)
				VERR(e, c, p, "\"%s\" is a duplicate of "
				    "peers[%zu]", vmac_text(pe->vmac.mac, vt), j);
	}
}

static void
check_sc(const struct cfg *c, size_t i, struct cfg_errs *e)
{
	const struct cfg_sc *s = &c->sc[i];
	char p[P_LEN];

	if (s->max_bvlc < s->max_npdu + CFG_SC_BVLC_OVERHEAD &&
	    !bad(e, "sc[%zu].max_npdu", i))
		VERR(e, c, pth(p, "sc[%zu].max_bvlc", i), "%lu is too small "
		    "for max_npdu %lu (at least max_npdu + %d)",
		    (unsigned long)s->max_bvlc, (unsigned long)s->max_npdu,
		    CFG_SC_BVLC_OVERHEAD);
	if (s->timers.max_reconnect < s->timers.min_reconnect &&
	    !bad(e, "sc[%zu].timers.min_reconnect", i))
		VERR(e, c, pth(p, "sc[%zu].timers.max_reconnect", i), "%lu is "
		    "less than min_reconnect (%lu)",
		    (unsigned long)s->timers.max_reconnect,
		    (unsigned long)s->timers.min_reconnect);
	check_uri(c, s, pth(p, "sc[%zu].primary_hub", i), &s->primary_hub, e);
	check_uri(c, s, pth(p, "sc[%zu].failover_hub", i), &s->failover_hub,
	    e);
	if (s->failover_hub.text != NULL && s->primary_hub.text != NULL &&
	    strcmp(s->failover_hub.text, s->primary_hub.text) == 0)
		VERR(e, c, pth(p, "sc[%zu].failover_hub", i), "\"%s\" is the "
		    "same URI as primary_hub", s->failover_hub.text);
	if (s->hub_function.enabled && s->hub_function.listen.text == NULL)
		VERR(e, c, pth(p, "sc[%zu].hub_function.listen", i), "missing; "
		    "required when the hub function is enabled");
	if (listen_overlap(hub_listener(s), ns_listener(s)))
		VERR(e, c, pth(p, "sc[%zu].node_switch.listen", i), "\"%s\" "
		    "overlaps hub_function.listen \"%s\"",
		    s->node_switch.listen.text, s->hub_function.listen.text);
	check_node_switch(c, i, e);
}

/* Listeners of different SC ports must not overlap. */
static void
check_sc_listeners(const struct cfg *c, struct cfg_errs *e)
{
	static const char *const which[] = { "hub_function", "node_switch" };
	char p[P_LEN];
	size_t i, j;
	int a, b;

	for (i = 0; i < c->n_sc; i++)
		for (j = 0; j < i; j++)
			for (a = 0; a < 2; a++)
				for (b = 0; b < 2; b++) {
					const struct cfg_listen *la = a == 0 ?
					    hub_listener(&c->sc[i]) :
					    ns_listener(&c->sc[i]);
					const struct cfg_listen *lb = b == 0 ?
					    hub_listener(&c->sc[j]) :
					    ns_listener(&c->sc[j]);

					if (listen_overlap(la, lb))
						VERR(e, c, pth(p, "sc[%zu].%s."
						    "listen", i, which[a]),
						    "\"%s\" overlaps sc[%zu].%s."
						    "listen \"%s\"", la->text,
						    j, which[b], lb->text);
				}
}

struct port_ref {
	const char	*kind;
	size_t		 idx;
	const char	*name;
	uint16_t	 net;
};

static void
check_ports(const struct cfg *c, struct cfg_errs *e)
{
	struct port_ref *r;
	char p[P_LEN];
	size_t n = c->n_bip + c->n_sc, i, j;

	if (n == 0) {
		VERR(e, c, "bip", "no ports: configure at least one bip or sc "
		    "port");
		return;
	}
	if ((r = calloc(n, sizeof(*r))) == NULL)
		return;
	for (i = 0; i < c->n_bip; i++)
		r[i] = (struct port_ref){ "bip", i, c->bip[i].name,
		    c->bip[i].network };
	for (i = 0; i < c->n_sc; i++)
		r[c->n_bip + i] = (struct port_ref){ "sc", i, c->sc[i].name,
		    c->sc[i].network };
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++) {
			if (r[i].name != NULL && r[j].name != NULL &&
			    strcmp(r[i].name, r[j].name) == 0)
				VERR(e, c, pth(p, "%s[%zu].name", r[i].kind,
				    r[i].idx), "\"%s\" is already the name of "
				    "%s[%zu]", r[i].name, r[j].kind, r[j].idx);
			if (r[i].net == r[j].net)
				VERR(e, c, pth(p, "%s[%zu].network",
				    r[i].kind, r[i].idx), "%u is already the "
				    "network of %s[%zu] (network numbers are "
				    "unique)", (unsigned)r[i].net, r[j].kind,
				    r[j].idx);
		}
	free(r);
}

static void
check_log(const struct cfg *c, struct cfg_errs *e)
{
	const struct cfg_strlist *d = &c->log.debug_domains;
	char p[P_LEN], names[128];
	size_t k, j, n = 0;
	int dom;

	names[0] = '\0';
	for (dom = 0; dom < LD_COUNT_; dom++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
		    dom > 0 ? ", " : "", log_domain_name(dom));
	for (k = 0; k < d->n; k++) {
		pth(p, "log.debug_domains[%zu]", k);
		for (dom = 0; dom < LD_COUNT_; dom++)
			if (strcmp(d->v[k], log_domain_name(dom)) == 0)
				break;
		if (dom == LD_COUNT_)
			VERR(e, c, p, "\"%s\" is not a log domain (%s)",
			    d->v[k], names);
		for (j = 0; j < k; j++)
			if (strcmp(d->v[k], d->v[j]) == 0)
				VERR(e, c, p, "\"%s\" is listed twice",
				    d->v[k]);
	}
}

int
cfg_validate(const struct cfg *c, struct cfg_errs *e)
{
	size_t before = e->n, i;

	check_table(c, &cfg_root_table, c, "", e);
	check_ports(c, e);
	for (i = 0; i < c->n_bip; i++)
		check_bip(c, i, e);
	for (i = 0; i < c->n_sc; i++)
		check_sc(c, i, e);
	check_sc_listeners(c, e);
	check_log(c, e);
	if (c->control.mode > 0777)
		VERR(e, c, "control.mode", "%lo is not a file mode (0..0777)",
		    (unsigned long)c->control.mode);
	else if ((c->control.mode & S_IWOTH) != 0)
		VERR(e, c, "control.mode", "%04lo lets any local user write "
		    "the control socket (reload, stop); clear the write bit "
		    "for others, e.g. \"0660\"", (unsigned long)c->control.mode);
	return e->n == before ? 0 : -1;
}

/* ------------------------------------------------------------- files */

/* True if uid is the configured user (the daemon changes to it). */
static bool
is_service_user(const struct cfg *c, uid_t uid)
{
	struct passwd *pw;

	if (c->user == NULL || (pw = getpwnam(c->user)) == NULL)
		return false;
	return pw->pw_uid == uid;
}

static void
check_file(const struct cfg *c, const char *path, const char *file,
    bool secret, struct cfg_errs *e)
{
	struct stat st;
	char buf[CFG_STR_MAX + 1024];
	const char *name;

	if (file == NULL)
		return;
	/* Messages name the file as written; relative to the file's folder. */
	if ((name = cfg_path_of(c, file, buf, sizeof(buf))) == NULL) {
		VERR(e, c, path, "\"%s\": the name is too long", file);
		return;
	}
	if (stat(name, &st) != 0) {
		VERR(e, c, path, "\"%s\": %s", file, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		VERR(e, c, path, "\"%s\" is not a regular file", file);
		return;
	}
	if (access(name, R_OK) != 0) {
		VERR(e, c, path, "\"%s\" cannot be read: %s", file,
		    strerror(errno));
		return;
	}
	if (!secret)
		return;
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		VERR(e, c, path, "private key \"%s\" is accessible by group or "
		    "others (mode %04lo); allowed: 0600 or 0400", file,
		    (unsigned long)(st.st_mode & 07777));
	else if (st.st_uid != 0 && st.st_uid != geteuid() &&
	    !is_service_user(c, st.st_uid))
		VERR(e, c, path, "private key \"%s\" is owned by uid %lu; "
		    "allowed: owned by root or by the daemon (uid %lu)", file,
		    (unsigned long)st.st_uid, (unsigned long)geteuid());
}

/*
 * The operational certificate: a PEM certificate valid now (the daemon
 * will not start or reload with an expired or not yet valid one).  Only
 * when the file checks found nothing at path.
 */
static void
check_cert_dates(const struct cfg *c, const char *path, const char *file,
    time_t now, struct cfg_errs *e)
{
	struct sc_cert_info ci;
	char buf[CFG_STR_MAX + 1024], why[300], nb[40], na[40];
	const char *name;
	size_t n = 0;

	if (file == NULL || cfg_errs_has_path(e, path) ||
	    (name = cfg_path_of(c, file, buf, sizeof(buf))) == NULL)
		return;
	if (sc_cert_info_load(name, &ci, 1, &n, why, sizeof(why)) != 0 ||
	    n == 0) {
		VERR(e, c, path, "\"%s\" holds no PEM certificate", file);
		return;
	}
	sc_cert_time_text(ci.not_before, nb, sizeof(nb));
	sc_cert_time_text(ci.not_after, na, sizeof(na));
	switch (sc_cert_state_at(ci.not_before, ci.not_after, now, 0)) {
	case SC_CERT_EXPIRED:
		VERR(e, c, path, "\"%s\" has expired: valid from %s until %s; "
		    "install a new certificate (bacsc-cert install)", file,
		    nb, na);
		break;
	case SC_CERT_NOT_YET_VALID:
		VERR(e, c, path, "\"%s\" is not valid yet: valid from %s "
		    "until %s (or the system clock is wrong)", file, nb, na);
		e->n_clock++;
		break;
	case SC_CERT_OK:
	case SC_CERT_EXPIRING:
	case SC_CERT_UNREADABLE:
		break;
	}
}

int
cfg_check_files(const struct cfg *c, struct cfg_errs *e)
{
	size_t before = e->n, i, k;
	char p[P_LEN];

	/* The daemon changes to them when started as root. */
	if (c->user != NULL && getpwnam(c->user) == NULL)
		VERR(e, c, "user", "\"%s\" is not a user on this system",
		    c->user);
	if (c->group != NULL && getgrnam(c->group) == NULL)
		VERR(e, c, "group", "\"%s\" is not a group on this system",
		    c->group);
	/* The daemon gives the control socket to it at start-up. */
	if (c->control.group != NULL && getgrnam(c->control.group) == NULL)
		VERR(e, c, "control.group", "\"%s\" is not a group on this "
		    "system", c->control.group);

	for (i = 0; i < c->n_sc; i++) {
		const struct cfg_tls *t = &c->sc[i].tls;

		check_file(c, pth(p, "sc[%zu].tls.certificate", i),
		    t->certificate, false, e);
		check_cert_dates(c, p, t->certificate, time(NULL), e);
		check_file(c, pth(p, "sc[%zu].tls.key", i), t->key, true, e);
		for (k = 0; k < t->ca.n; k++)
			check_file(c, pth(p, "sc[%zu].tls.ca[%zu]", i, k),
			    t->ca.v[k], false, e);
		check_file(c, pth(p, "sc[%zu].tls.crl", i), t->crl, false, e);
	}
	return e->n == before ? 0 : -1;
}

/* ------------------------------------------------------------- reload */

/*
 * Settings a reload cannot change: the process identity, listening
 * sockets, the set of ports and each port's network and address.  A
 * pattern names a setting and everything below it in groups; "[*]"
 * matches any list index.  A list pattern ("bip") covers entries being
 * added or removed (renaming is "bip[*].name").
 */
const char *const cfg_restart_keys[] = {
	"device.instance",
	"device.uuid",
	"bip",
	"bip[*].name",
	"bip[*].network",
	"bip[*].interface",
	"bip[*].bind",
	"bip[*].port",
	"bip[*].mode",
	"sc",
	"sc[*].name",
	"sc[*].network",
	"sc[*].vmac",
	"sc[*].max_bvlc",
	"sc[*].max_npdu",
	"sc[*].hub_function.enabled",
	"sc[*].hub_function.listen",
	"sc[*].node_switch.enabled",
	"sc[*].node_switch.listen",
	"log.target",
	"control",
	"state_dir",
	"pidfile",
	"user",
	"group",
	NULL
};

/* Does path equal pattern, or lie below it? */
static bool
key_match(const char *pat, const char *path)
{
	while (*pat != '\0') {
		if (strncmp(pat, "[*]", 3) == 0 && *path == '[') {
			path++;
			while (*path >= '0' && *path <= '9')
				path++;
			if (*path != ']')
				return false;
			path++;
			pat += 3;
			continue;
		}
		if (*pat++ != *path++)
			return false;
	}
	/* "control" covers control.socket; "bip" does not cover bip[0].x */
	return *path == '\0' || *path == '.';
}

static bool
needs_restart(const char *path)
{
	size_t i;

	for (i = 0; cfg_restart_keys[i] != NULL; i++)
		if (key_match(cfg_restart_keys[i], path))
			return true;
	return false;
}

static void
strlist_text(const struct cfg_strlist *l, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s\"%s\"",
		    i > 0 ? ", " : "", l->v[i]);
}

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool
cfg_strlist_equal(const struct cfg_strlist *a, const struct cfg_strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* Is a scalar or string-list setting the same in a and b? */
static bool
field_equal(const struct cfg_field *f, const void *a, const void *b)
{
	const void *pa = CFG_CAT(a, f), *pb = CFG_CAT(b, f);
	static char ta[CFG_TEXT_MAX], tb[CFG_TEXT_MAX];

	if (cfg_field_present(f, a) != cfg_field_present(f, b))
		return false;
	switch (cfg_kind_shape(f->kind)) {
	case CS_STRLIST:
		return cfg_strlist_equal(pa, pb);
	case CS_TEXT:
		if (cfg_text_slot(f, a) != NULL)
			return str_eq(*cfg_text_slot(f, a),
			    *cfg_text_slot(f, b));
		break;
	case CS_BOOL:
	case CS_INT:
		break;
	case CS_GROUP:
	case CS_LIST:
		return true;
	}
	/* Other scalars: the same when they print the same. */
	cfg_value_text(f, a, ta, sizeof(ta));
	cfg_value_text(f, b, tb, sizeof(tb));
	return strcmp(ta, tb) == 0;
}

static void
reload_walk(const struct cfg *cur, const struct cfg *next,
    const struct cfg_table *t, const void *a, const void *b,
    const char *gpath, struct cfg_errs *e)
{
	char path[P_LEN], ta[512], tb[512];
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		const struct cfg_field *f = &t->f[i];

		snprintf(path, sizeof(path), "%s%s%s", gpath, *gpath ? "." : "",
		    f->name);
		if (f->kind == CK_GROUP) {
			reload_walk(cur, next, f->sub, CFG_CAT(a, f),
			    CFG_CAT(b, f), path, e);
			continue;
		}
		if (f->kind == CK_LIST) {
			size_t na = *(const size_t *)((const char *)a +
			    f->cnt_off);
			size_t nb = *(const size_t *)((const char *)b +
			    f->cnt_off);
			const char *ea = *(char *const *)CFG_CAT(a, f);
			const char *eb = *(char *const *)CFG_CAT(b, f);
			char ep[P_LEN + 24];

			if (na != nb) {
				if (needs_restart(path))
					VERR(e, next, path, "%zu ports instead "
					    "of %zu; adding or removing ports "
					    "needs a restart", nb, na);
				continue;
			}
			for (k = 0; k < na; k++) {
				snprintf(ep, sizeof(ep), "%s[%zu]", path, k);
				reload_walk(cur, next, f->sub,
				    ea + k * f->sub->size,
				    eb + k * f->sub->size, ep, e);
			}
			continue;
		}
		if (!needs_restart(path) || field_equal(f, a, b))
			continue;
		if (f->kind == CK_STRLIST) {
			strlist_text(CFG_CAT(a, f), ta, sizeof(ta));
			strlist_text(CFG_CAT(b, f), tb, sizeof(tb));
		} else {
			bool pa = cfg_field_present(f, a);
			bool pb = cfg_field_present(f, b);

			if (pa)
				cfg_value_text(f, a, ta, sizeof(ta));
			else
				snprintf(ta, sizeof(ta), "(unset)");
			if (pb)
				cfg_value_text(f, b, tb, sizeof(tb));
			else
				snprintf(tb, sizeof(tb), "(unset)");
		}
		VERR(e, next, path, "changed from %s to %s; this needs a "
		    "restart", ta, tb);
	}
}

int
cfg_check_reload(const struct cfg *cur, const struct cfg *next,
    struct cfg_errs *e)
{
	size_t before = e->n;

	reload_walk(cur, next, &cfg_root_table, cur, next, "", e);
	return e->n == before ? 0 : -1;
}
