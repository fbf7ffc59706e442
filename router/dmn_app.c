/*
 * The router as a BACnet device (issue 11's app/): the daemon's thin
 * glue.  APDUs addressed to the router come from the router core's local
 * handler; the application's answers go out through rtr_send_apdu.  Each
 * port is a Network Port object whose live values come from the ports.
 *
 * Port numbers: the application's port p is router port index p - 1, so
 * that port 0 keeps its meaning "every port" for destinations.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "app/app_ids.h"
#include "bip/bip_io.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "router/daemon_int.h"

static void
app_send(void *arg, const struct app_addr *dst, const uint8_t *apdu,
    size_t len, bool expecting_reply, uint8_t prio)
{
	struct dmn *d = arg;
	struct rtr_addr ra;
	uint8_t control = (uint8_t)((expecting_reply ? 0x04 : 0) |
	    (prio & 0x03));
	uint64_t now = clk_now_us();
	size_t i;

	memset(&ra, 0, sizeof(ra));
	ra.net = dst->net;
	ra.len = dst->mac_len > NPDU_PORT_MAC_MAX ? 0 : dst->mac_len;
	memcpy(ra.mac, dst->mac, ra.len);
	if (dst->net == APP_NET_LOCAL && dst->port == 0) {
		/* Local broadcast (or MAC) on every port. */
		for (i = 0; i < d->nports; i++) {
			ra.port = (unsigned)i;
			(void)rtr_send_apdu(d->rtr, &ra, control, apdu, len,
			    now);
		}
	} else {
		ra.port = dst->port > 0 ? dst->port - 1 : 0;
		(void)rtr_send_apdu(d->rtr, &ra, control, apdu, len, now);
	}
	dmn_schedule(d);
}

void
dmn_app_local(void *arg, const struct rtr_apdu *a, uint64_t now_us)
{
	struct dmn *d = arg;
	struct app_addr src;

	if (d->app == NULL)
		return;
	memset(&src, 0, sizeof(src));
	src.net = a->src.net;
	src.mac_len = a->src.len > APP_MAC_MAX ? APP_MAC_MAX : a->src.len;
	memcpy(src.mac, a->src.mac, src.mac_len);
	src.port = a->src.port + 1;
	app_receive(d->app, &src, a->apdu, a->apdu_len, now_us);
}

/* ------------------------------------------------------ Network Port */

#define DMN_RESOLV_CONF	"/etc/resolv.conf"

/* A host-order IPv4 address as four octets. */
static void
ip4_octets(uint32_t ip, uint8_t out[4])
{
	out[0] = (uint8_t)(ip >> 24);
	out[1] = (uint8_t)(ip >> 16);
	out[2] = (uint8_t)(ip >> 8);
	out[3] = (uint8_t)ip;
}

/*
 * The facts of the interface a B/IP port is bound to (dmn_sysnet.h),
 * read again when older than DMN_SYSNET_MAX_AGE_US: subnet mask, default
 * gateway, DNS servers, DHCP and link speed follow the system.
 */
static void
np_sysnet(struct dmn_port *p, uint32_t ip, struct app_netport_info *info)
{
	uint64_t now = clk_now_us();
	bool found;
	size_t i;

	if (p->sys_read_us == 0 || now - p->sys_read_us >=
	    DMN_SYSNET_MAX_AGE_US) {
		found = dmn_sysnet_read(ip, p->sys_ifname[0] != '\0' ?
		    p->sys_ifname : NULL, DMN_RESOLV_CONF, &p->sys) == 0;
		if (!found && !p->sys_missing)
			log_notice(LD_APP, "port %s: no interface holds "
			    "%u.%u.%u.%u: its subnet mask, gateway and link "
			    "speed read as unknown", p->name, ip >> 24,
			    (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
		p->sys_missing = !found;
		p->sys_read_us = now != 0 ? now : 1;
	}
	ip4_octets(p->sys.mask, info->mask);
	ip4_octets(p->sys.gateway, info->gateway);
	info->n_dns = p->sys.n_dns < APP_NP_DNS_MAX ? p->sys.n_dns :
	    APP_NP_DNS_MAX;
	for (i = 0; i < info->n_dns; i++)
		ip4_octets(p->sys.dns[i], info->dns[i]);
	info->dhcp_enable = p->sys.dhcp;
	info->link_speed = (float)p->sys.link_bps;
}

static void
np_refresh(void *arg, struct app_netport_info *info)
{
	struct dmn_port *p = arg;
	struct bvlc_addr self, bcast;

	info->out_of_service = false;
	info->reliability = 0;
	if (p->kind == DMN_SC) {
		dmn_sc_netport_refresh(p, info);
		return;
	}
	bip_port_addr(p->bip, &self, &bcast);
	ip4_octets(self.ip, info->ip);
	info->udp_port = self.port;
	memcpy(info->mac, info->ip, 4);
	be16_store(info->mac + 4, self.port);
	np_sysnet(p, self.ip, info);
}

/* The BBMD tables of a B/IP port (ops argument), or NULL. */
static const struct bip_bbmd *
port_bbmd(void *arg)
{
	struct dmn_port *p = arg;

	return p->kind == DMN_BIP ? bip_port_bbmd(p->bip) : NULL;
}

static void
np_bdt(void *arg, app_bdt_emit_fn emit, void *ea)
{
	const struct bip_bbmd *b = port_bbmd(arg);
	struct app_bdt_entry e;
	size_t i;

	for (i = 0; b != NULL && i < b->n_bdt; i++) {
		ip4_octets(b->bdt[i].addr.ip, e.ip);
		e.port = b->bdt[i].addr.port;
		ip4_octets(b->bdt[i].mask, e.mask);
		emit(ea, &e);
	}
}

/* BBMD_Foreign_Device_Table: the live FDT, time left rounded up. */
static void
np_fdt(void *arg, app_fdt_emit_fn emit, void *ea)
{
	const struct bip_bbmd *b = port_bbmd(arg);
	struct app_fdt_entry e;
	uint64_t now = clk_now_us(), left;
	size_t i;

	for (i = 0; b != NULL && i < b->n_fdt; i++) {
		ip4_octets(b->fdt[i].addr.ip, e.ip);
		e.port = b->fdt[i].addr.port;
		e.ttl = b->fdt[i].ttl;
		left = b->fdt[i].expires_us > now ?
		    (b->fdt[i].expires_us - now + 999999) / 1000000 : 0;
		e.remaining = left > 0xFFFF ? 0xFFFF : (uint16_t)left;
		emit(ea, &e);
	}
}

static void
np_hub_conns(void *arg, app_conn_emit_fn emit, void *ea)
{
	struct dmn_port *p = arg;

	if (p->kind == DMN_SC)
		dmn_sc_hub_conns(p, emit, ea);
}

static void
np_direct_conns(void *arg, app_conn_emit_fn emit, void *ea)
{
	struct dmn_port *p = arg;

	if (p->kind == DMN_SC)
		dmn_sc_direct_conns(p, emit, ea);
}

static const struct app_netport_ops np_ops = {
	.refresh = np_refresh,
	.bdt = np_bdt,
	.fdt = np_fdt,
	.hub_fn_conns = np_hub_conns,
	.direct_conns = np_direct_conns,
};

/* Register File object i of SC port p: 0 operational, then issuers. */
static int
np_file_add(struct dmn *d, struct dmn_port *p, size_t i)
{
	uint32_t base = (uint32_t)(p - d->port) * 16 + 1;
	char name[APP_NAME_MAX];

	if (i == 0)
		snprintf(name, sizeof(name), "%s-operational-certificate",
		    p->name);
	else
		snprintf(name, sizeof(name), "%s-issuer-certificate-%zu",
		    p->name, i);
	app_file_init(&p->files[i], base + (uint32_t)i, name, NULL,
	    "application/x-pem-file");
	if (app_db_add(&d->db, &p->files[i].obj) != 0)
		return -1;
	if (i == 0)
		p->netport.info.oper_cert_file = base;
	else
		p->netport.info.issuer_files[i - 1] = base + (uint32_t)i;
	return 0;
}

/*
 * The certificate files of an SC port as read-only File objects: the
 * operational certificate, then one per issuer file of the running
 * configuration, whose paths they borrow.  At start-up and after every
 * reload: objects are added or removed when the number of issuer files
 * changed (each add or remove steps Database_Revision; dmn_app_reloaded
 * makes the reload one step) and bound to the new paths.  Return 0, or -1
 * if an object could not be added (its name is taken).
 */
static int
np_files_sync(struct dmn *d, struct dmn_port *p)
{
	const struct cfg_tls *t = &d->cfg->sc[p->ci].tls;
	struct app_netport_info *in = &p->netport.info;
	size_t want = 1 + (t->ca.n < APP_NP_ISSUERS_MAX ? t->ca.n :
	    APP_NP_ISSUERS_MAX), i;
	int rc = 0;

	while (p->n_files > want) {
		p->n_files--;
		(void)app_db_remove(&d->db, &p->files[p->n_files].obj);
	}
	while (p->n_files < want) {
		if (np_file_add(d, p, p->n_files) != 0) {
			rc = -1;
			break;
		}
		p->n_files++;
	}
	for (i = 0; i < p->n_files; i++)
		p->files[i].path = i == 0 ? t->certificate : t->ca.v[i - 1];
	in->n_issuer_files = p->n_files > 0 ? p->n_files - 1 : 0;
	return rc;
}

static void
np_fill(struct dmn *d, struct dmn_port *p)
{
	struct app_netport_info *in = &p->netport.info;

	in->network_number_quality = APP_NNQ_CONFIGURED;
	in->apdu_length = 1476;
	if (p->kind == DMN_BIP) {
		const struct cfg_bip *b = &d->cfg->bip[p->ci];

		in->network_number = b->network;
		snprintf(p->sys_ifname, sizeof(p->sys_ifname), "%s",
		    b->interface != NULL ? b->interface : "");
		in->ip_mode = b->mode == CFG_BIP_BBMD ? APP_IPMODE_BBMD :
		    b->mode == CFG_BIP_FOREIGN ? APP_IPMODE_FOREIGN :
		    APP_IPMODE_NORMAL;
		in->bbmd_accept_fd = b->mode == CFG_BIP_BBMD &&
		    (!b->has_fdt_limit || b->fdt_limit > 0);
		if (b->has_foreign) {
			memcpy(in->fd_bbmd.ip, b->foreign.bbmd.addr, 4);
			in->fd_bbmd.ip_len = 4;
			in->fd_bbmd.port = b->foreign.bbmd.port;
			in->fd_ttl = b->foreign.ttl;
		}
		in->nat_traversal = b->has_nat_global;
		if (b->has_nat_global) {
			memcpy(in->global_addr.ip, b->nat_global.addr, 4);
			in->global_addr.ip_len = 4;
			in->global_addr.port = b->nat_global.port;
		}
	} else {
		const struct cfg_sc *s = &d->cfg->sc[p->ci];

		in->network_number = s->network;
		in->max_bvlc = s->max_bvlc;
		in->max_npdu = s->max_npdu;
		in->primary_uri = s->primary_hub.text;
		in->failover_uri = s->failover_hub.text;
		in->min_reconnect_s = s->timers.min_reconnect;
		in->max_reconnect_s = s->timers.max_reconnect;
		in->connect_wait_s = s->timers.connect_wait;
		in->disconnect_wait_s = s->timers.disconnect_wait;
		in->heartbeat_s = s->timers.heartbeat;
		in->hub_fn_enable = s->hub_function.enabled;
		in->hub_fn_binding = s->hub_function.listen.text;
		in->dc_initiate_enable = false;
		in->dc_accept_enable = false;
	}
	np_refresh(p, in);
}

/* ------------------------------------------------- Database_Revision */

#define DBREV_FILE	"database_revision"
/*
 * Writes of texts over BACnet come from anyone on the network, each would
 * be a file written and fsync'd in the event loop: keep the revision at
 * once, then at most once per DBREV_GAP_US (the last one included).
 */
#define DBREV_GAP_US	CLK_SEC(5)

/* Keep "REVISION FINGERPRINT" in <state_dir>/database_revision. */
static void
dbrev_save(struct dmn *d)
{
	char text[64], err[512];

	d->dbrev_writes++;
	d->db_fp = app_db_fingerprint(&d->db);
	snprintf(text, sizeof(text), "%" PRIu32 " %016" PRIx64 "\n",
	    d->db.dev.database_revision, d->db_fp);
	if (cfg_state_write(d->cfg->state_dir, DBREV_FILE, text, err,
	    sizeof(err)) != 0)
		log_warnx(LD_APP, "Database_Revision %" PRIu32 " not kept: %s",
		    d->db.dev.database_revision, err);
}

/*
 * The revision at start-up: the kept one if the database is the same as
 * when it was kept, one more if it changed (other ports, names, a
 * description or location written over BACnet and now back to the
 * configured text), 1 the first time.
 */
static void
dbrev_load(struct dmn *d)
{
	char path[4200], buf[64];
	unsigned long rev;
	uint64_t fp;
	FILE *f;
	size_t n;

	d->db.dev.database_revision = 1;
	snprintf(path, sizeof(path), "%s/%s", d->cfg->state_dir, DBREV_FILE);
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (dmn_dbrev_parse(buf, &rev, &fp) == 0)
			d->db.dev.database_revision = (uint32_t)rev +
			    (fp != app_db_fingerprint(&d->db));
		else
			log_warnx(LD_APP, "%s: not a database revision; "
			    "starting again at 1", path);
	}
	dbrev_save(d);
}

int
dmn_dbrev_parse(const char *text, unsigned long *rev, uint64_t *fp)
{
	char *end;
	unsigned long r;
	unsigned long long f;

	errno = 0;
	r = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != ' ' || r == 0 ||
	    r >= 0xFFFFFFFFUL)
		return -1;
	text = end + 1;
	f = strtoull(text, &end, 16);
	if (errno != 0 || end - text != 16 || (*end != '\n' && *end != '\0'))
		return -1;
	*rev = r;
	*fp = f;
	return 0;
}

/* Keep the revision for writes over BACnet; they are spaced from here. */
static void
dbrev_save_written(struct dmn *d)
{
	d->dbrev_last_us = clk_now_us();
	dbrev_save(d);
}

static void
dbrev_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dmn *d = arg;

	(void)fd;
	(void)what;
	d->dbrev_pending = false;
	dbrev_save_written(d);
}

/* A write of a name, description or location: keep the new revision. */
static void
app_written(void *arg, struct app_obj *o, uint32_t prop)
{
	struct dmn *d = arg;
	uint64_t now = clk_now_us(), wait;
	struct timeval tv;

	(void)o;
	if (prop != APP_PROP_OBJECT_NAME && prop != APP_PROP_DESCRIPTION &&
	    prop != APP_PROP_LOCATION)
		return;
	if (d->dbrev_pending)
		return;		/* the write already due takes this one */
	if (d->dbrev_ev == NULL || d->dbrev_last_us == 0 ||
	    now - d->dbrev_last_us >= DBREV_GAP_US) {
		dbrev_save_written(d);
		return;
	}
	wait = d->dbrev_last_us + DBREV_GAP_US - now;
	tv.tv_sec = (time_t)(wait / 1000000u);
	tv.tv_usec = (suseconds_t)(wait % 1000000u);
	if (evtimer_add(d->dbrev_ev, &tv) == 0)
		d->dbrev_pending = true;
	else
		dbrev_save_written(d);
}

void
dmn_app_reloaded(struct dmn *d)
{
	uint32_t rev;
	size_t i;

	if (d->app == NULL)
		return;
	rev = d->db.dev.database_revision;
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];
		size_t before = p->n_files;

		if (p->kind != DMN_SC)
			continue;
		if (np_files_sync(d, p) != 0)
			log_warnx(LD_APP, "port %s: %zu certificate File "
			    "objects, not %zu: a name is taken", p->name,
			    p->n_files, 1 + d->cfg->sc[p->ci].tls.ca.n);
		else if (p->n_files != before)
			log_notice(LD_APP, "port %s: %zu issuer certificate "
			    "File objects (were %zu)", p->name, p->n_files - 1,
			    before - 1);
	}
	/* One step for the whole reload, and only if the database changed. */
	d->db.dev.database_revision = rev;
	if (app_db_fingerprint(&d->db) != d->db_fp) {
		d->db.dev.database_revision++;
		dbrev_save(d);
	}
}

int
dmn_app_open(struct dmn *d, char *err, size_t errlen)
{
	const struct cfg_device *dc = &d->cfg->device;
	struct app_device_cfg ac;
	size_t i;

	if (!dc->enabled) {
		log_notice(LD_APP, "device.enabled is false: the router "
		    "answers no application requests");
		return 0;
	}
	memset(&ac, 0, sizeof(ac));
	ac.instance = dc->instance;
	ac.name = dc->name;
	ac.description = dc->description;
	ac.location = dc->location;
	ac.vendor_id = APP_VENDOR_ID_PLACEHOLDER;
	memcpy(ac.uuid, d->uuid, 16);
	ac.segmented_transmit = true;
	ac.written = app_written;
	ac.written_arg = d;
	if (app_db_init(&d->db, &ac) != 0) {
		snprintf(err, errlen, "device: the application refused the "
		    "device settings");
		return -1;
	}
	for (i = 0; i < d->nports; i++) {
		struct dmn_port *p = &d->port[i];

		app_netport_init(&p->netport, (uint32_t)i + 1, p->name,
		    p->kind == DMN_SC ? APP_NP_SC : APP_NP_BIP);
		p->netport.ops = &np_ops;
		p->netport.ops_arg = p;
		np_fill(d, p);
		if (app_db_add(&d->db, &p->netport.obj) != 0 ||
		    (p->kind == DMN_SC && np_files_sync(d, p) != 0)) {
			snprintf(err, errlen, "device: Network Port %s "
			    "refused (name used twice?)", p->name);
			return -1;
		}
	}
	dbrev_load(d);
	d->dbrev_ev = evtimer_new(d->base, dbrev_timer_cb, d);
	d->app = app_new(&d->db, app_send, d);
	if (d->app == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static bool
text_differs(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") != 0;
}

bool
dmn_app_texts_fit(struct dmn *d, const struct cfg_device *next, char *err,
    size_t errlen)
{
	const struct app_obj *o;

	if (d->app == NULL || !text_differs(d->cfg->device.name, next->name))
		return true;
	o = app_db_find_name(&d->db, next->name, strlen(next->name));
	if (o != NULL && o != &d->db.dev.obj) {
		snprintf(err, errlen, "device.name: \"%s\" is the name of "
		    "another object of the device (a Network Port)",
		    next->name);
		return false;
	}
	return true;
}

/* Copy src into dst (cap octets), cut as app_db_init() cuts. */
static void
set_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

void
dmn_app_set_texts(struct dmn *d, const struct cfg_device *next,
    void (*applied)(void *, const char *), void *arg)
{
	const struct cfg_device *cur = &d->cfg->device;
	struct app_device *dev = &d->db.dev;

	if (d->app == NULL)
		return;
	if (text_differs(cur->name, next->name)) {
		/* Database_Revision: dmn_app_reloaded() counts the reload. */
		set_text(dev->obj.name, sizeof(dev->obj.name), next->name);
		applied(arg, "device.name");
	}
	if (text_differs(cur->description, next->description)) {
		set_text(dev->obj.description, sizeof(dev->obj.description),
		    next->description);
		applied(arg, "device.description");
	}
	if (text_differs(cur->location, next->location)) {
		set_text(dev->location, sizeof(dev->location), next->location);
		applied(arg, "device.location");
	}
}

void
dmn_app_start(struct dmn *d)
{
	struct app_addr dst;

	if (d->app == NULL)
		return;
	memset(&dst, 0, sizeof(dst));
	dst.net = APP_NET_GLOBAL;
	app_send_i_am(d->app, &dst);
}

void
dmn_app_close(struct dmn *d)
{
	if (d->dbrev_pending) {
		d->dbrev_pending = false;
		dbrev_save(d);		/* the write that was due */
	}
	if (d->dbrev_ev != NULL) {
		event_free(d->dbrev_ev);
		d->dbrev_ev = NULL;
	}
	app_free(d->app);
	d->app = NULL;
}
