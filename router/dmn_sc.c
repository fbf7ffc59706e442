/*
 * The daemon's SC ports: one SC node (hub connector) per configured SC
 * port, the hub function when enabled (the node then may use it as its
 * hub over loopback like any other node), the TLS context both borrow,
 * and what the control socket and the Network Port object show of them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "app/app_ids.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "router/daemon_int.h"
#include "sc/sc_cert.h"
#include "sc/sc_cert_watch.h"
#include "sc/sc_hub.h"
#include "sc/sc_node.h"
#include "sc/sc_nodesw.h"
#include "sc/sc_tls.h"
#include "sc/sc_vmac.h"

#define DMN_PEERS_MAX	256
#define DMN_DCONNS_MAX	256

_Static_assert(CFG_SC_MAX_CA == SC_TLS_MAX_CA, "cfg tls.ca limit");
_Static_assert(CFG_NS_MAX_PEERS == SC_NODESW_MAX_CFG_PEERS,
    "cfg node_switch.peers limit");
_Static_assert(CFG_NS_MAX_ACCEPT_URIS == SC_NODESW_MAX_ADV,
    "cfg node_switch.accept_uris limit");

/* ------------------------------------------------------- certificates */

static void
asn1_time_text(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(out, len, "unknown");
		return;
	}
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
dmn_cert_read(const char *path, struct dmn_cert *out, char *err,
    size_t errlen)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	size_t n = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL) {
		snprintf(err, errlen, "%s: no PEM certificate", path);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->file, sizeof(out->file), "%s", path);
	X509_NAME_oneline(X509_get_subject_name(x), out->subject,
	    (int)sizeof(out->subject));
	asn1_time_text(X509_get0_notBefore(x), out->not_before,
	    sizeof(out->not_before));
	asn1_time_text(X509_get0_notAfter(x), out->not_after,
	    sizeof(out->not_after));
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
		for (i = 0; i < mdlen && n + 3 < sizeof(out->sha256); i++)
			n += (size_t)snprintf(out->sha256 + n,
			    sizeof(out->sha256) - n, "%s%02X", i ? ":" : "",
			    md[i]);
	out->loaded = time(NULL);
	X509_free(x);
	return 0;
}

static void
tls_config_of(const struct cfg_sc *c, uid_t key_owner,
    struct sc_tls_config *tc)
{
	size_t i;

	memset(tc, 0, sizeof(*tc));
	tc->cert_file = c->tls.certificate;
	tc->key_file = c->tls.key;
	for (i = 0; i < c->tls.ca.n && i < SC_TLS_MAX_CA; i++)
		tc->ca_files[i] = c->tls.ca.v[i];
	tc->n_ca_files = i;
	tc->crl_file = c->tls.crl;
	tc->key_owner = key_owner;
}

/*
 * The start-up check (refuses an expired or not yet valid certificate)
 * and a new TLS context; also used on SIGHUP.
 */
static struct sc_tls_ctx *
tls_open(const struct cfg_sc *c, uid_t key_owner, struct dmn_cert *cert,
    char *err, size_t errlen)
{
	struct sc_tls_config tc;
	struct sc_tls_ctx *t;
	time_t now = time(NULL);
	char msg[300];

	if (c->tls.ca.n > SC_TLS_MAX_CA) {
		snprintf(err, errlen, "tls.ca: %zu issuer files, the TLS layer "
		    "takes at most %d", c->tls.ca.n, SC_TLS_MAX_CA);
		return NULL;
	}
	tls_config_of(c, key_owner, &tc);
	if (dmn_cert_read(c->tls.certificate, cert, err, errlen) != 0)
		return NULL;
	if (!sc_cert_clock_is_plausible(&tc, now, msg, sizeof(msg)))
		log_err(LD_TLS, "sc port %s: %s", c->name, msg);
	t = sc_cert_tls_reload(&tc, now, err, errlen);
	return t;
}

/* --------------------------------------------------------- life cycle */

static enum sc_dc_policy
ns_policy(enum cfg_ns_policy p)
{
	switch (p) {
	case CFG_NS_NEVER:
		return SC_DC_POLICY_NEVER;
	case CFG_NS_CONFIGURED:
		return SC_DC_POLICY_CONFIGURED;
	case CFG_NS_ON_DEMAND:
		return SC_DC_POLICY_ON_DEMAND;
	}
	return SC_DC_POLICY_NEVER;
}

/* The node switch settings a reload applies, from c. */
static void
nodesw_cfg_of(const struct cfg_sc *c, struct sc_nodesw_cfg *out)
{
	const struct cfg_node_switch *ns = &c->node_switch;
	size_t i;

	sc_nodesw_cfg_default(out);
	for (i = 0; i < ns->accept_uris.n && i < SC_NODESW_MAX_ADV; i++)
		out->accept_uris[i] = ns->accept_uris.v[i];
	out->n_accept_uris = i;
	out->policy = ns_policy(ns->policy);
	for (i = 0; i < ns->n_peers && i < SC_NODESW_MAX_CFG_PEERS; i++) {
		memcpy(out->peers[i].vmac, ns->peers[i].vmac.mac, SC_VMAC_LEN);
		out->peers[i].uri = ns->peers[i].uri.text;
	}
	out->n_peers = i;
	out->max_conns = ns->max_connections;
	out->max_per_source = ns->max_connections_per_source;
}

/*
 * The node switch of an SC port.  The configuration has no settings for
 * the on-demand trigger (N unicasts within a window), the retry delay or
 * the in-flight window: sc_nodesw's defaults apply (3 in 10 s, 30 s, 1 s).
 */
static struct sc_nodesw *
nodesw_open(struct dmn *d, struct dmn_port *p, const struct cfg_sc *c,
    char *err, size_t errlen)
{
	const struct cfg_node_switch *ns = &c->node_switch;
	struct sc_nodesw_cfg sc;

	nodesw_cfg_of(c, &sc);
	sc.name = c->name;
	sc.accept = ns->listen.text != NULL;
	if (sc.accept) {
		sc.listen_addr = ns->listen.host;
		sc.listen_port = ns->listen.port;
	}
	sc.idle_ms = ns->idle_timeout * 1000u;
	sc.resolve_timeout_ms = ns->resolve_timeout * 1000u;
	sc.cache_ms = ns->resolve_cache * 1000u;
	sc.tls = p->sc.tls;
	memcpy(sc.uuid, d->uuid, SC_UUID_LEN);
	sc.max_bvlc = (uint16_t)c->max_bvlc;
	sc.max_npdu = (uint16_t)c->max_npdu;
	sc.connect_wait_ms = c->timers.connect_wait * 1000u;
	sc.disconnect_wait_ms = c->timers.disconnect_wait * 1000u;
	sc.heartbeat_ms = c->timers.heartbeat * 1000u;
	return sc_nodesw_new(d->base, NULL, p->sc.node, &sc, err, errlen);
}

int
dmn_sc_open(struct dmn *d, struct dmn_port *p, const struct cfg_sc *c,
    char *err, size_t errlen)
{
	struct sc_node_cfg nc;
	struct sc_hub_conf hc;
	struct sc_tls_config tc;

	p->sc.tls = tls_open(c, d->key_owner, &p->sc.cert, err, errlen);
	if (p->sc.tls == NULL)
		return -1;
	tls_config_of(c, d->key_owner, &tc);
	p->sc.watch = sc_cert_watch_new(d->base, c->name, &tc,
	    c->tls.expiry_warn_days, SC_CERT_WATCH_DAILY_MS, NULL, NULL);
	if (p->sc.watch == NULL) {
		snprintf(err, errlen, "certificate watch: out of memory");
		goto fail;
	}
	sc_node_cfg_default(&nc);
	nc.name = c->name;
	nc.has_vmac = !c->vmac.random;
	memcpy(nc.vmac, c->vmac.mac, SC_VMAC_LEN);
	memcpy(nc.uuid, d->uuid, SC_UUID_LEN);
	nc.primary_uri = c->primary_hub.text;
	nc.failover_uri = c->failover_hub.text;
	nc.tls = p->sc.tls;
	nc.max_bvlc = (uint16_t)c->max_bvlc;
	nc.max_npdu = (uint16_t)c->max_npdu;
	nc.connect_wait_ms = c->timers.connect_wait * 1000u;
	nc.disconnect_wait_ms = c->timers.disconnect_wait * 1000u;
	nc.heartbeat_ms = c->timers.heartbeat * 1000u;
	nc.min_reconnect_ms = c->timers.min_reconnect * 1000u;
	nc.max_reconnect_ms = c->timers.max_reconnect * 1000u;
	p->sc.node = sc_node_new(d->base, NULL, &nc, err, errlen);
	if (p->sc.node == NULL)
		goto fail;
	p->np = sc_node_port(p->sc.node);
	if (c->node_switch.enabled) {
		char e[300];

		p->sc.nodesw = nodesw_open(d, p, c, e, sizeof(e));
		if (p->sc.nodesw == NULL) {
			snprintf(err, errlen, "node_switch: %s", e);
			goto fail;
		}
		if (sc_nodesw_accepting(p->sc.nodesw))
			log_notice(LD_SC, "sc port %s: node switch listening "
			    "on port %u", c->name,
			    (unsigned)sc_nodesw_listen_port(p->sc.nodesw));
	}
	if (c->hub_function.enabled) {
		memset(&hc, 0, sizeof(hc));
		hc.name = c->name;
		hc.bind_addr = c->hub_function.listen.host;
		hc.port = c->hub_function.listen.port;
		hc.tls = p->sc.tls;
		memcpy(hc.vmac, sc_node_vmac(p->sc.node), SC_VMAC_LEN);
		memcpy(hc.uuid, d->uuid, SC_UUID_LEN);
		hc.max_bvlc = (uint16_t)c->max_bvlc;
		hc.max_npdu = (uint16_t)c->max_npdu;
		hc.max_conns = c->hub_function.max_connections;
		hc.max_per_source =
		    c->hub_function.max_connections_per_source;
		hc.accept_orig_vmac = c->hub_function.accept_originating_vmac;
		hc.connect_wait_ms = c->timers.connect_wait * 1000u;
		hc.disconnect_wait_ms = c->timers.disconnect_wait * 1000u;
		hc.heartbeat_ms = c->timers.heartbeat * 1000u;
		hc.bcast_rate = c->hub_function.broadcast_rate;
		hc.bcast_burst = c->hub_function.broadcast_burst;
		p->sc.hub = sc_hub_new(d->base, &hc, err, errlen);
		if (p->sc.hub == NULL)
			goto fail;
		log_notice(LD_SC, "sc port %s: hub function listening on %s",
		    c->name, c->hub_function.listen.text);
	}
	return 0;
fail:
	dmn_sc_close(p);
	p->np = NULL;
	return -1;
}

void
dmn_sc_start(struct dmn *d, struct dmn_port *p)
{
	(void)d;
	sc_node_start(p->sc.node);
}

void
dmn_sc_stop(struct dmn_port *p)
{
	if (p->sc.nodesw != NULL)
		sc_nodesw_stop(p->sc.nodesw);
	sc_node_stop(p->sc.node);
	if (p->sc.hub != NULL)
		sc_hub_shutdown(p->sc.hub);
}

bool
dmn_sc_is_stopped(const struct dmn_port *p)
{
	struct sc_hub_status hs;

	/* Every connection got its Disconnect-ACK or gave up waiting. */
	if (!sc_node_is_idle(p->sc.node))
		return false;
	if (p->sc.nodesw != NULL && !sc_nodesw_is_idle(p->sc.nodesw))
		return false;
	if (p->sc.hub != NULL) {
		sc_hub_get_status(p->sc.hub, &hs);
		if (hs.n_conns > 0)
			return false;
	}
	return true;
}

void
dmn_sc_close(struct dmn_port *p)
{
	sc_hub_free(p->sc.hub);
	sc_nodesw_free(p->sc.nodesw);
	sc_node_free(p->sc.node);
	sc_cert_watch_free(p->sc.watch);
	sc_tls_ctx_free(p->sc.tls);
	p->sc.hub = NULL;
	p->sc.nodesw = NULL;
	p->sc.node = NULL;
	p->sc.watch = NULL;
	p->sc.tls = NULL;
}

int
dmn_sc_reload_tls(struct dmn_port *p, const struct cfg_sc *c, char *err,
    size_t errlen)
{
	struct dmn_cert cert;
	struct sc_tls_ctx *t;
	char e[512];

	/* After the change of user the key belongs to us: no exception. */
	t = tls_open(c, 0, &cert, e, sizeof(e));
	if (t == NULL) {
		snprintf(err, errlen, "sc port %s: %s", p->name, e);
		return -1;
	}
	sc_tls_ctx_replace(p->sc.tls, t);
	p->sc.cert = cert;
	if (p->sc.watch != NULL) {
		struct sc_tls_config tc;

		tls_config_of(c, 0, &tc);
		if (sc_cert_watch_update(p->sc.watch, &tc,
		    c->tls.expiry_warn_days) != 0)
			log_warnx(LD_TLS, "sc port %s: certificate watch kept "
			    "the old files (out of memory)", p->name);
	}
	log_notice(LD_TLS, "sc port %s: certificate %s (valid until %s, "
	    "sha256 %.23s...) for new connections", p->name,
	    c->tls.certificate, cert.not_after, cert.sha256);
	return 0;
}

struct sc_applied {
	const struct dmn_port	*p;
	void			(*fn)(void *, const char *);
	void			*arg;
};

/* Name one setting the reload changed and applied; log the values. */
static void
note_applied_u(const struct sc_applied *ap, const char *what, uint32_t a,
    uint32_t b, const char *unit)
{
	char name[96];

	if (a == b)
		return;
	log_info(LD_CFG, "reload: sc port %s: %s %u%s -> %u%s", ap->p->name,
	    what, (unsigned)a, unit, (unsigned)b, unit);
	snprintf(name, sizeof(name), "sc[%zu].%s", ap->p->ci, what);
	ap->fn(ap->arg, name);
}

static void
note_applied(const struct sc_applied *ap, const char *what, uint32_t a,
    uint32_t b)
{
	note_applied_u(ap, what, a, b, " s");
}

/* Name a setting the reload changed and applied, if changed. */
static void
note_applied_if(const struct sc_applied *ap, const char *what, bool changed)
{
	char name[96];

	if (!changed)
		return;
	snprintf(name, sizeof(name), "sc[%zu].%s", ap->p->ci, what);
	ap->fn(ap->arg, name);
}

static void
note_applied_uri(const struct sc_applied *ap, const char *what,
    const char *a, const char *b)
{
	if ((a == NULL ? "" : a)[0] == '\0' && (b == NULL ? "" : b)[0] == '\0')
		return;
	note_applied_if(ap, what, a == NULL || b == NULL || strcmp(a, b) != 0);
}

static bool
text_differs(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") != 0;
}

static bool
strlist_differs(const struct cfg_strlist *a, const struct cfg_strlist *b)
{
	return !cfg_strlist_equal(a, b);
}

static bool
ns_peers_differ(const struct cfg_node_switch *a,
    const struct cfg_node_switch *b)
{
	size_t k;

	if (a->n_peers != b->n_peers)
		return true;
	for (k = 0; k < a->n_peers; k++)
		if (memcmp(&a->peers[k].vmac, &b->peers[k].vmac,
		    sizeof(a->peers[k].vmac)) != 0 ||
		    text_differs(a->peers[k].uri.text, b->peers[k].uri.text))
			return true;
	return false;
}

bool
dmn_sc_ns_differs(const struct cfg_node_switch *a,
    const struct cfg_node_switch *b)
{
	return a->policy != b->policy || ns_peers_differ(a, b) ||
	    strlist_differs(&a->accept_uris, &b->accept_uris) ||
	    a->max_connections != b->max_connections ||
	    a->max_connections_per_source != b->max_connections_per_source;
}

bool
dmn_sc_hubfn_differs(const struct cfg_hub_function *a,
    const struct cfg_hub_function *b)
{
	return a->max_connections != b->max_connections ||
	    a->max_connections_per_source != b->max_connections_per_source ||
	    a->accept_originating_vmac != b->accept_originating_vmac ||
	    a->broadcast_rate != b->broadcast_rate ||
	    a->broadcast_burst != b->broadcast_burst;
}

static void
hub_limits_of(const struct cfg_hub_function *h, struct sc_hub_limits *out)
{
	memset(out, 0, sizeof(*out));
	out->max_conns = h->max_connections;
	out->max_per_source = h->max_connections_per_source;
	out->accept_orig_vmac = h->accept_originating_vmac;
	out->bcast_rate = h->broadcast_rate;
	out->bcast_burst = h->broadcast_burst;
}

/*
 * The hub function's limits and the node switch's policy, peers and
 * limits (apply; the node switch was checked).  A hub that cannot grow
 * its table keeps its limits, and c says so (they are not applied).
 */
static void
reload_hub_nodesw(struct dmn_port *p, const struct cfg_sc *cur,
    struct cfg_sc *c, const struct sc_applied *ap)
{
	const struct cfg_hub_function *ha = &cur->hub_function;
	struct cfg_hub_function *hb = &c->hub_function;
	const struct cfg_node_switch *na = &cur->node_switch;
	const struct cfg_node_switch *nb = &c->node_switch;
	struct sc_hub_limits hl;
	struct sc_nodesw_cfg sc;
	char e[200];

	if (p->sc.hub != NULL && dmn_sc_hubfn_differs(ha, hb)) {
		hub_limits_of(hb, &hl);
		if (sc_hub_set_limits(p->sc.hub, &hl, e, sizeof(e)) != 0) {
			log_err(LD_CFG, "reload: sc port %s: hub function "
			    "limits not changed: %s", p->name, e);
			hb->max_connections = ha->max_connections;
			hb->max_connections_per_source =
			    ha->max_connections_per_source;
			hb->accept_originating_vmac =
			    ha->accept_originating_vmac;
			hb->broadcast_rate = ha->broadcast_rate;
			hb->broadcast_burst = ha->broadcast_burst;
		}
		note_applied_u(ap, "hub_function.max_connections",
		    ha->max_connections, hb->max_connections, "");
		note_applied_u(ap, "hub_function.max_connections_per_source",
		    ha->max_connections_per_source,
		    hb->max_connections_per_source, "");
		note_applied_if(ap, "hub_function.accept_originating_vmac",
		    ha->accept_originating_vmac != hb->accept_originating_vmac);
		note_applied_u(ap, "hub_function.broadcast_rate",
		    ha->broadcast_rate, hb->broadcast_rate, "/s");
		note_applied_u(ap, "hub_function.broadcast_burst",
		    ha->broadcast_burst, hb->broadcast_burst, "");
	}
	if (p->sc.nodesw == NULL || !dmn_sc_ns_differs(na, nb))
		return;
	nodesw_cfg_of(c, &sc);
	(void)sc_nodesw_reconfigure(p->sc.nodesw, &sc, false, e, sizeof(e));
	if (na->policy != nb->policy)
		log_info(LD_CFG, "reload: sc port %s: node_switch.policy %s -> "
		    "%s", p->name, sc_dc_policy_name(ns_policy(na->policy)),
		    sc_dc_policy_name(ns_policy(nb->policy)));
	note_applied_if(ap, "node_switch.policy", na->policy != nb->policy);
	note_applied_if(ap, "node_switch.peers", ns_peers_differ(na, nb));
	note_applied_if(ap, "node_switch.accept_uris",
	    strlist_differs(&na->accept_uris, &nb->accept_uris));
	note_applied_u(ap, "node_switch.max_connections", na->max_connections,
	    nb->max_connections, "");
	note_applied_u(ap, "node_switch.max_connections_per_source",
	    na->max_connections_per_source, nb->max_connections_per_source,
	    "");
}

int
dmn_sc_reload(struct dmn_port *p, const struct cfg_sc *cur,
    struct cfg_sc *c, bool check_only,
    void (*applied)(void *, const char *), void *arg, char *err,
    size_t errlen)
{
	const struct cfg_sc_timers *ta = &cur->timers, *tb = &c->timers;
	const struct cfg_node_switch *na = &cur->node_switch;
	const struct cfg_node_switch *nb = &c->node_switch;
	struct sc_applied ap = { p, applied, arg };
	struct sc_node_cfg nc;
	struct sc_nodesw_cfg sc;
	char e[200];

	sc_node_cfg_default(&nc);
	nc.primary_uri = c->primary_hub.text;
	nc.failover_uri = c->failover_hub.text;
	nc.connect_wait_ms = tb->connect_wait * 1000u;
	nc.disconnect_wait_ms = tb->disconnect_wait * 1000u;
	nc.heartbeat_ms = tb->heartbeat * 1000u;
	nc.min_reconnect_ms = tb->min_reconnect * 1000u;
	nc.max_reconnect_ms = tb->max_reconnect * 1000u;
	if ((check_only ? sc_node_cfg_check(&nc, e, sizeof(e)) :
	    sc_node_reconfigure(p->sc.node, &nc, e, sizeof(e))) != 0) {
		snprintf(err, errlen, "sc port %s: %s", p->name, e);
		return -1;
	}
	if (check_only) {
		if (p->sc.nodesw == NULL)
			return 0;
		nodesw_cfg_of(c, &sc);
		if (sc_nodesw_reconfigure(p->sc.nodesw, &sc, true, e,
		    sizeof(e)) != 0) {
			snprintf(err, errlen, "sc port %s: node_switch: %s",
			    p->name, e);
			return -1;
		}
		return 0;
	}
	note_applied(&ap, "timers.connect_wait", ta->connect_wait,
	    tb->connect_wait);
	note_applied(&ap, "timers.disconnect_wait", ta->disconnect_wait,
	    tb->disconnect_wait);
	note_applied(&ap, "timers.heartbeat", ta->heartbeat, tb->heartbeat);
	note_applied(&ap, "timers.min_reconnect", ta->min_reconnect,
	    tb->min_reconnect);
	note_applied(&ap, "timers.max_reconnect", ta->max_reconnect,
	    tb->max_reconnect);
	/* The TLS files are loaded again on every reload; named if changed. */
	note_applied_if(&ap, "tls.certificate",
	    text_differs(cur->tls.certificate, c->tls.certificate));
	note_applied_if(&ap, "tls.key", text_differs(cur->tls.key, c->tls.key));
	note_applied_if(&ap, "tls.ca", strlist_differs(&cur->tls.ca,
	    &c->tls.ca));
	note_applied_if(&ap, "tls.crl", text_differs(cur->tls.crl, c->tls.crl));
	note_applied_u(&ap, "tls.expiry_warn_days", cur->tls.expiry_warn_days,
	    c->tls.expiry_warn_days, " days");
	note_applied_uri(&ap, "primary_hub", cur->primary_hub.text,
	    c->primary_hub.text);
	note_applied_uri(&ap, "failover_hub", cur->failover_hub.text,
	    c->failover_hub.text);
	if (p->sc.hub != NULL)
		sc_hub_set_timers(p->sc.hub, nc.connect_wait_ms,
		    nc.disconnect_wait_ms, nc.heartbeat_ms);
	if (p->sc.nodesw != NULL) {
		sc_nodesw_cfg_default(&sc);
		sc.connect_wait_ms = nc.connect_wait_ms;
		sc.disconnect_wait_ms = nc.disconnect_wait_ms;
		sc.heartbeat_ms = nc.heartbeat_ms;
		sc.idle_ms = nb->idle_timeout * 1000u;
		sc.resolve_timeout_ms = nb->resolve_timeout * 1000u;
		sc.cache_ms = nb->resolve_cache * 1000u;
		sc_nodesw_set_timers(p->sc.nodesw, &sc);
		note_applied(&ap, "node_switch.idle_timeout",
		    na->idle_timeout, nb->idle_timeout);
		note_applied(&ap, "node_switch.resolve_timeout",
		    na->resolve_timeout, nb->resolve_timeout);
		note_applied(&ap, "node_switch.resolve_cache",
		    na->resolve_cache, nb->resolve_cache);
	}
	reload_hub_nodesw(p, cur, c, &ap);
	return 0;
}

/* ------------------------------------------------------------- status */

static const char *
conn_status_name(enum sc_hc_conn_status s)
{
	switch (s) {
	case SC_HC_ST_NOT_CONNECTED:
		return "not-connected";
	case SC_HC_ST_CONNECTED:
		return "connected";
	case SC_HC_ST_DISCONNECTED_WITH_ERRORS:
		return "disconnected-with-errors";
	case SC_HC_ST_FAILED_TO_CONNECT:
		return "failed-to-connect";
	}
	return "?";
}

static void
kv_time(struct dmn *d, struct jw *w, const char *key, uint64_t mono)
{
	char buf[32];

	dmn_fmt_time(dmn_wall_of(d, mono), buf, sizeof(buf));
	jw_kv_str(w, key, buf);
}

static void
kv_vmac(struct jw *w, const char *key, const uint8_t *v)
{
	char s[SC_VMAC_STRLEN];

	sc_vmac_format(v, s, sizeof(s));
	jw_kv_str(w, key, s);
}

static void
kv_uuid(struct jw *w, const char *key, const uint8_t *u)
{
	char s[SC_UUID_STRLEN];

	sc_uuid_format(u, s, sizeof(s));
	jw_kv_str(w, key, s);
}

static void
hub_slot(struct dmn *d, struct jw *w, const struct sc_node_status *ns,
    int slot)
{
	const struct sc_hc_hub_status *h = &ns->hub[slot];

	jw_obj_begin(w);
	jw_kv_str(w, "uri", ns->uri[slot]);
	jw_kv_str(w, "status", conn_status_name(h->status));
	kv_time(d, w, "connected_since", h->status == SC_HC_ST_CONNECTED ?
	    h->connect_us : 0);
	kv_time(d, w, "last_connect", h->connect_us);
	kv_time(d, w, "last_disconnect", h->disconnect_us);
	jw_kv_uint(w, "attempts", h->attempts);
	jw_kv_uint(w, "failures", h->failures);
	jw_kv_uint(w, "last_error_code", h->error);
	jw_kv_str(w, "last_error", ns->last_error_detail[slot]);
	jw_obj_end(w);
}

static void
cert_json(struct jw *w, const struct dmn_cert *c)
{
	char buf[32];

	jw_obj_begin(w);
	jw_kv_str(w, "file", c->file);
	jw_kv_str(w, "subject", c->subject);
	jw_kv_str(w, "not_before", c->not_before);
	jw_kv_str(w, "not_after", c->not_after);
	jw_kv_str(w, "sha256", c->sha256);
	dmn_fmt_time(c->loaded, buf, sizeof(buf));
	jw_kv_str(w, "loaded", buf);
	jw_obj_end(w);
}

static void
peers_json(struct dmn *d, struct jw *w, const struct sc_hub *hub)
{
	struct sc_hub_peer_status *ps;
	size_t n, i;

	jw_arr_begin(w);
	ps = calloc(DMN_PEERS_MAX, sizeof(*ps));
	if (ps == NULL) {
		jw_arr_end(w);
		return;
	}
	n = sc_hub_get_peers(hub, ps, DMN_PEERS_MAX);
	for (i = 0; i < n && i < DMN_PEERS_MAX; i++) {
		jw_obj_begin(w);
		kv_vmac(w, "vmac", ps[i].vmac);
		kv_uuid(w, "uuid", ps[i].uuid);
		jw_kv_str(w, "address", ps[i].addr);
		kv_time(d, w, "since", ps[i].since_us);
		jw_kv_uint(w, "max_bvlc", ps[i].max_bvlc);
		jw_kv_uint(w, "max_npdu", ps[i].max_npdu);
		jw_kv_uint(w, "rx_msgs", ps[i].rx_msgs);
		jw_kv_uint(w, "tx_msgs", ps[i].tx_msgs);
		jw_obj_end(w);
	}
	free(ps);
	jw_arr_end(w);
}

static void
dconns_json(struct dmn *d, struct jw *w, const struct sc_nodesw *sw)
{
	struct sc_nodesw_conn_status *cs;
	size_t n, i;

	jw_arr_begin(w);
	cs = sw != NULL ? calloc(DMN_DCONNS_MAX, sizeof(*cs)) : NULL;
	if (cs == NULL) {
		jw_arr_end(w);
		return;
	}
	n = sc_nodesw_get_conns(sw, cs, DMN_DCONNS_MAX);
	for (i = 0; i < n && i < DMN_DCONNS_MAX; i++) {
		jw_obj_begin(w);
		kv_vmac(w, "vmac", cs[i].vmac);
		kv_uuid(w, "uuid", cs[i].uuid);
		jw_kv_str(w, cs[i].initiated ? "uri" : "address", cs[i].uri);
		jw_kv_bool(w, "initiated", cs[i].initiated);
		jw_kv_str(w, "state", sc_peer_state_name(cs[i].state));
		kv_time(d, w, "since", cs[i].since_us);
		jw_kv_uint(w, "tx_msgs", cs[i].tx);
		jw_kv_uint(w, "rx_msgs", cs[i].rx);
		jw_obj_end(w);
	}
	free(cs);
	jw_arr_end(w);
}

/* A WebSocket listener's limits and what they refused. */
static void
listener_json(struct jw *w, const struct sc_ws_listener_stats *ls,
    unsigned max_per_source)
{
	jw_obj_begin(w);
	jw_kv_uint(w, "connections", ls->conns);
	jw_kv_uint(w, "handshakes", ls->pending);
	jw_kv_uint(w, "sources", ls->sources);
	jw_kv_uint(w, "max_connections_per_source", max_per_source);
	jw_kv_uint(w, "accepted", ls->accepted);
	jw_kv_uint(w, "opened", ls->opened);
	jw_kv_uint(w, "refused_per_source", ls->refused_per_source);
	jw_kv_uint(w, "refused_full", ls->refused_full);
	jw_kv_uint(w, "refused_handshakes", ls->refused_busy);
	jw_kv_uint(w, "refused_tls", ls->refused_tls);
	jw_kv_uint(w, "refused_http", ls->refused_http);
	jw_kv_uint(w, "refused_timeout", ls->refused_timeout);
	jw_kv_uint(w, "dropped_tcp", ls->dropped_tcp);
	jw_obj_end(w);
}

static void
nodesw_json(struct jw *w, const struct cfg_sc *c, const struct sc_nodesw *sw)
{
	struct sc_nodesw_status st;
	const struct sc_nodesw_counters *k = &st.ctr;

	if (sw == NULL) {
		jw_null(w);
		return;
	}
	sc_nodesw_get_status(sw, &st);
	jw_obj_begin(w);
	jw_kv_bool(w, "accepting", st.accepting);
	if (c->node_switch.listen.text != NULL)
		jw_kv_str(w, "listen", c->node_switch.listen.text);
	jw_kv_uint(w, "port", st.listen_port);
	jw_kv_str(w, "policy", sc_dc_policy_name(st.policy));
	jw_kv_uint(w, "connections", st.n_conns);
	jw_kv_uint(w, "max_connections", st.max_conns);
	jw_key(w, "counters");
	jw_obj_begin(w);
	jw_kv_uint(w, "tx_direct", k->tx_direct);
	jw_kv_uint(w, "tx_hub", k->tx_hub);
	jw_kv_uint(w, "rx_direct", k->rx_direct);
	jw_kv_uint(w, "tx_lost", k->tx_lost);
	jw_kv_uint(w, "tx_busy", k->tx_busy);
	jw_kv_uint(w, "resolutions_tx", k->res_tx);
	jw_kv_uint(w, "resolution_acks_rx", k->res_ack_rx);
	jw_kv_uint(w, "resolution_naks_rx", k->res_nak_rx);
	jw_kv_uint(w, "resolutions_answered", k->res_answered);
	jw_kv_uint(w, "opened", k->opened);
	jw_kv_uint(w, "failed", k->failed);
	jw_kv_uint(w, "refused_cap", k->refused_cap);
	jw_kv_uint(w, "refused_dup_vmac", k->refused_dup);
	jw_kv_uint(w, "replaced", k->replaced);
	jw_kv_uint(w, "idle_closed", k->idle_closed);
	jw_kv_uint(w, "rx_broadcast_discarded", k->rx_bcast_discarded);
	jw_kv_uint(w, "rx_invalid", k->rx_invalid);
	jw_kv_uint(w, "adverts_tx", k->adverts_tx);
	jw_kv_uint(w, "reload_closed", k->reconf_closed);
	jw_obj_end(w);
	jw_key(w, "listener");
	if (st.accepting)
		listener_json(w, &st.listener,
		    c->node_switch.max_connections_per_source);
	else
		jw_null(w);
	jw_obj_end(w);
}

void
dmn_sc_peers(struct dmn *d, const struct dmn_port *p, struct jw *w)
{
	if (p->sc.hub == NULL) {
		jw_null(w);
		return;
	}
	peers_json(d, w, p->sc.hub);
}

void
dmn_sc_dconns(struct dmn *d, const struct dmn_port *p, struct jw *w)
{
	dconns_json(d, w, p->sc.nodesw);
}

void
dmn_sc_status(struct dmn *d, const struct dmn_port *p, struct jw *w)
{
	const struct cfg_sc *c = &d->cfg->sc[p->ci];
	struct sc_node_status ns;
	const struct sc_node_counters *k = &ns.ctr;

	sc_node_get_status(p->sc.node, &ns);
	kv_vmac(w, "vmac", ns.vmac);
	kv_uuid(w, "uuid", ns.uuid);
	jw_key(w, "hub_connector");
	jw_obj_begin(w);
	jw_kv_str(w, "state", sc_hc_state_name(ns.hc_state));
	jw_kv_str(w, "connected_to", ns.hub_status == 1 ? "primary" :
	    ns.hub_status == 2 ? "failover" : "none");
	jw_key(w, "primary");
	hub_slot(d, w, &ns, SC_HC_PRIMARY);
	if (c->failover_hub.text != NULL) {
		jw_key(w, "failover");
		hub_slot(d, w, &ns, SC_HC_FAILOVER);
	}
	if (ns.hub_peer_known) {
		jw_key(w, "hub");
		jw_obj_begin(w);
		kv_vmac(w, "vmac", ns.hub_vmac);
		kv_uuid(w, "uuid", ns.hub_uuid);
		jw_kv_uint(w, "max_bvlc", ns.hub_max_bvlc);
		jw_kv_uint(w, "max_npdu", ns.hub_max_npdu);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "hub_function");
	if (p->sc.hub == NULL) {
		jw_null(w);
	} else {
		struct sc_hub_status hs;

		sc_hub_get_status(p->sc.hub, &hs);
		jw_obj_begin(w);
		jw_kv_str(w, "listen", c->hub_function.listen.text);
		jw_kv_uint(w, "port", hs.port);
		jw_kv_uint(w, "peers", hs.n_peers);
		jw_kv_uint(w, "connections", hs.n_conns);
		jw_kv_uint(w, "max_connections",
		    c->hub_function.max_connections);
		jw_kv_bool(w, "accept_originating_vmac",
		    c->hub_function.accept_originating_vmac);
		jw_kv_uint(w, "broadcast_rate", c->hub_function.broadcast_rate);
		jw_kv_uint(w, "broadcast_burst",
		    c->hub_function.broadcast_burst);
		jw_key(w, "counters");
		jw_obj_begin(w);
		jw_kv_uint(w, "admitted", hs.ctr.admitted);
		jw_kv_uint(w, "replaced", hs.ctr.replaced);
		jw_kv_uint(w, "refused_dup_vmac", hs.ctr.refused_dup_vmac);
		jw_kv_uint(w, "refused_full", hs.ctr.refused_full);
		jw_kv_uint(w, "relayed_unicast", hs.ctr.relayed_unicast);
		jw_kv_uint(w, "relayed_broadcast", hs.ctr.relayed_broadcast);
		jw_kv_uint(w, "broadcast_copies", hs.ctr.broadcast_copies);
		jw_kv_uint(w, "dropped_unknown_dest",
		    hs.ctr.dropped_unknown_dest);
		jw_kv_uint(w, "dropped_too_big", hs.ctr.dropped_too_big);
		jw_kv_uint(w, "dropped_busy", hs.dropped_busy);
		jw_kv_uint(w, "dropped_broadcast_rate",
		    hs.dropped_bcast_rate);
		jw_kv_uint(w, "naks", hs.ctr.naks);
		jw_obj_end(w);
		jw_key(w, "listener");
		listener_json(w, &hs.listener,
		    c->hub_function.max_connections_per_source);
		jw_key(w, "connected_peers");
		peers_json(d, w, p->sc.hub);
		jw_obj_end(w);
	}
	jw_key(w, "node_switch");
	nodesw_json(w, c, p->sc.nodesw);
	jw_key(w, "direct_connections");
	dconns_json(d, w, p->sc.nodesw);
	jw_key(w, "certificate");
	cert_json(w, &p->sc.cert);
	jw_key(w, "expiry");
	if (p->sc.watch != NULL)
		sc_cert_watch_json(p->sc.watch, w);
	else
		jw_null(w);
	jw_key(w, "counters");
	jw_obj_begin(w);
	jw_kv_uint(w, "npdu_tx", k->npdu_tx);
	jw_kv_uint(w, "npdu_rx", k->npdu_rx);
	jw_kv_uint(w, "tx_no_hub", k->tx_no_hub);
	jw_kv_uint(w, "tx_busy", k->tx_busy);
	jw_kv_uint(w, "tx_too_big", k->tx_too_big);
	jw_kv_uint(w, "tx_lost", k->tx_lost);
	jw_kv_uint(w, "rx_invalid", k->rx_invalid);
	jw_kv_uint(w, "naks_tx", k->naks_tx);
	jw_kv_uint(w, "naks_rx", k->naks_rx);
	jw_kv_uint(w, "dup_vmac", k->dup_vmac);
	jw_kv_uint(w, "heartbeats_tx", k->heartbeats_tx);
	jw_obj_end(w);
}

void
dmn_sc_log_counters(const struct dmn_port *p)
{
	struct sc_node_status ns;

	sc_node_get_status(p->sc.node, &ns);
	log_notice(LD_SC, "sc port %s: %s npdu tx %llu rx %llu, dropped "
	    "no-hub %llu busy %llu too-big %llu, may be lost %llu, invalid "
	    "%llu, naks rx %llu",
	    p->name, sc_hc_state_name(ns.hc_state),
	    (unsigned long long)ns.ctr.npdu_tx,
	    (unsigned long long)ns.ctr.npdu_rx,
	    (unsigned long long)ns.ctr.tx_no_hub,
	    (unsigned long long)ns.ctr.tx_busy,
	    (unsigned long long)ns.ctr.tx_too_big,
	    (unsigned long long)ns.ctr.tx_lost,
	    (unsigned long long)ns.ctr.rx_invalid,
	    (unsigned long long)ns.ctr.naks_rx);
	if (p->sc.hub != NULL) {
		struct sc_hub_status hs;

		sc_hub_get_status(p->sc.hub, &hs);
		log_notice(LD_SC, "sc port %s hub: %zu peers, unicast %llu, "
		    "broadcast %llu, unknown destination %llu", p->name,
		    hs.n_peers, (unsigned long long)hs.ctr.relayed_unicast,
		    (unsigned long long)hs.ctr.relayed_broadcast,
		    (unsigned long long)hs.ctr.dropped_unknown_dest);
	}
}

/* ---------------------------------------------- Network Port (app) */

static void
conn_of(struct dmn *dm, const struct sc_hc_hub_status *h,
    struct app_sc_conn *out)
{
	(void)dm;
	memset(out, 0, sizeof(*out));
	out->state = (uint8_t)h->status;	/* same numbering */
	app_datetime_unspecified(&out->connect_ts);
	app_datetime_unspecified(&out->disconnect_ts);
	if (h->connect_us != 0)
		app_datetime_from_time(dmn_wall_of(NULL, h->connect_us),
		    &out->connect_ts);
	if (h->disconnect_us != 0)
		app_datetime_from_time(dmn_wall_of(NULL, h->disconnect_us),
		    &out->disconnect_ts);
	if (h->error != 0) {
		out->has_error = true;
		out->err_class = 7;	/* communication */
		out->err_code = h->error;
	}
}

/* The worst certificate finding of the last check, for Current_Health. */
static enum app_cert_state
cert_worst(const struct dmn_port *p, bool *operational, const char **text)
{
	const struct sc_cert_warning *ws;
	enum app_cert_state worst = APP_CERT_OK, st = APP_CERT_OK;
	size_t n, i;

	*operational = true;
	*text = NULL;
	if (p->sc.watch == NULL)
		return APP_CERT_OK;
	n = sc_cert_watch_warnings(p->sc.watch, &ws);
	for (i = 0; i < n && i < SC_CERT_WATCH_MAX; i++) {
		switch (ws[i].state) {
		case SC_CERT_OK:
			st = APP_CERT_OK;
			break;
		case SC_CERT_EXPIRING:
			st = APP_CERT_EXPIRING;
			break;
		case SC_CERT_EXPIRED:
			st = APP_CERT_EXPIRED;
			break;
		case SC_CERT_NOT_YET_VALID:
			st = APP_CERT_NOT_YET_VALID;
			break;
		case SC_CERT_UNREADABLE:
			st = APP_CERT_UNREADABLE;
			break;
		}
		/* The operational certificate first, then the worst state. */
		if (*text == NULL || (ws[i].operational && !*operational) ||
		    (ws[i].operational == *operational && st > worst)) {
			worst = st;
			*operational = ws[i].operational;
			*text = ws[i].text;
		}
	}
	return worst;
}

void
dmn_sc_netport_refresh(struct dmn_port *p, struct app_netport_info *info)
{
	struct sc_node_status ns;
	struct app_health h;
	enum app_cert_state cert;
	const char *text;
	bool op;

	sc_node_get_status(p->sc.node, &ns);
	memcpy(info->mac, ns.vmac, 6);
	info->hub_connector_state = ns.hub_status;	/* same numbering */
	conn_of(NULL, &ns.hub[SC_HC_PRIMARY], &info->primary_status);
	conn_of(NULL, &ns.hub[SC_HC_FAILOVER], &info->failover_status);
	cert = cert_worst(p, &op, &text);
	app_sc_health_judge(info, cert, op, text, &h);
	/* The time stamp is the first read that saw this health. */
	if (!p->health_known || h.err_code != p->health.err_code ||
	    h.has_prop != p->health.has_prop || h.prop != p->health.prop) {
		app_datetime_from_time(time(NULL), &h.ts);
		p->health = h;
		p->health_known = true;
	}
	info->health = h;
	info->health.ts = p->health.ts;
}

/* "ip:port" or "[ip6]:port" of a hub peer as a BACnetHostNPort. */
static void
peer_hostnport(const char *text, struct app_hostnport *out)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	size_t n;

	memset(out, 0, sizeof(*out));
	if (colon == NULL)
		return;
	out->port = (uint16_t)strtoul(colon + 1, NULL, 10);
	n = (size_t)(colon - text);
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		text++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return;
	memcpy(host, text, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, out->ip) == 1)
		out->ip_len = 4;
	else if (inet_pton(AF_INET6, host, out->ip) == 1)
		out->ip_len = 16;
}

/* A connection that is up: state, connect time, no disconnect time. */
static void
conn_up(struct app_sc_conn *c, uint64_t since_us, const uint8_t *vmac,
    const uint8_t *uuid)
{
	memset(c, 0, sizeof(*c));
	c->state = APP_SCCONN_CONNECTED;
	app_datetime_from_time(dmn_wall_of(NULL, since_us), &c->connect_ts);
	app_datetime_unspecified(&c->disconnect_ts);
	memcpy(c->vmac, vmac, 6);
	memcpy(c->uuid, uuid, 16);
}

/*
 * Direct_Connect_Connection_Status: the node switch's connections that
 * are up, each with the URI it was opened to (initiated) or the peer's
 * address (accepted).  Connections still coming up or going down are not
 * listed: they carry no traffic and have no peer UUID yet.
 */
void
dmn_sc_direct_conns(struct dmn_port *p, app_conn_emit_fn emit, void *ea)
{
	struct sc_nodesw_conn_status *cs;
	struct app_sc_conn c;
	size_t n, i;

	if (p->sc.nodesw == NULL)
		return;
	cs = calloc(DMN_PEERS_MAX, sizeof(*cs));
	if (cs == NULL)
		return;
	n = sc_nodesw_get_conns(p->sc.nodesw, cs, DMN_PEERS_MAX);
	for (i = 0; i < n && i < DMN_PEERS_MAX; i++) {
		if (cs[i].state != SC_PEER_CONNECTED)
			continue;
		conn_up(&c, cs[i].since_us, cs[i].vmac, cs[i].uuid);
		if (cs[i].initiated)
			c.uri = cs[i].uri;
		else
			peer_hostnport(cs[i].uri, &c.peer);
		emit(ea, &c);
	}
	free(cs);
}

void
dmn_sc_hub_conns(struct dmn_port *p, app_conn_emit_fn emit, void *ea)
{
	struct sc_hub_peer_status *ps;
	struct app_sc_conn c;
	size_t n, i;

	if (p->sc.hub == NULL)
		return;
	ps = calloc(DMN_PEERS_MAX, sizeof(*ps));
	if (ps == NULL)
		return;
	n = sc_hub_get_peers(p->sc.hub, ps, DMN_PEERS_MAX);
	for (i = 0; i < n && i < DMN_PEERS_MAX; i++) {
		conn_up(&c, ps[i].since_us, ps[i].vmac, ps[i].uuid);
		peer_hostnport(ps[i].addr, &c.peer);
		emit(ea, &c);
	}
	free(ps);
}
