/*
 * Node switch decisions: address-resolution cache, send-path choice,
 * on-demand policy, cap, idle disconnect.  Pure.  See sc_dc_fsm.h.
 */
#include "config.h"

#include <string.h>

#include "sc/sc_dc_fsm.h"

static void
act_add(struct sc_dc_acts *a, enum sc_dc_act_kind kind, const uint8_t *vmac,
    uint16_t msgid, const char *uri)
{
	struct sc_dc_act *x;

	if (a == NULL || a->n >= SC_DC_MAX_ACTS)
		return;
	x = &a->a[a->n++];
	x->kind = kind;
	memcpy(x->vmac, vmac, SC_VMAC_LEN);
	x->msgid = msgid;
	x->uri = uri;
}

void
sc_dc_init(struct sc_dc *t, const struct sc_dc_cfg *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	if (t->cfg.demand_n == 0)
		t->cfg.demand_n = 1;
}

static size_t
find_idx(const struct sc_dc *t, const uint8_t *vmac)
{
	size_t i;

	for (i = 0; i < SC_DC_MAX_PEERS; i++)
		if (t->peers[i].used &&
		    memcmp(t->peers[i].vmac, vmac, SC_VMAC_LEN) == 0)
			return i;
	return SC_DC_MAX_PEERS;
}

static struct sc_dc_peer *
find(struct sc_dc *t, const uint8_t *vmac)
{
	size_t i = find_idx(t, vmac);

	return i < SC_DC_MAX_PEERS ? &t->peers[i] : NULL;
}

const struct sc_dc_peer *
sc_dc_find(const struct sc_dc *t, const uint8_t *vmac)
{
	size_t i = find_idx(t, vmac);

	return i < SC_DC_MAX_PEERS ? &t->peers[i] : NULL;
}

static bool
peer_busy(const struct sc_dc_peer *p)
{
	return p->configured || p->init != SC_DC_CONN_NONE || p->acc_up ||
	    p->res == SC_DC_RES_PENDING;
}

/* Find or make the entry for vmac; evict the least recently used idle. */
static struct sc_dc_peer *
get(struct sc_dc *t, const uint8_t *vmac)
{
	struct sc_dc_peer *p = find(t, vmac), *victim = NULL;
	size_t i;

	if (p != NULL)
		return p;
	for (i = 0; i < SC_DC_MAX_PEERS; i++) {
		p = &t->peers[i];
		if (!p->used) {
			victim = p;
			break;
		}
		if (peer_busy(p))
			continue;
		if (victim == NULL || p->last_use < victim->last_use)
			victim = p;
	}
	if (victim == NULL)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	memcpy(victim->vmac, vmac, SC_VMAC_LEN);
	return victim;
}

int
sc_dc_add_configured(struct sc_dc *t, const uint8_t *vmac, const char *uri)
{
	struct sc_dc_peer *p;

	if (uri != NULL && strlen(uri) >= SC_DC_URI_MAX)
		return -1;
	p = get(t, vmac);
	if (p == NULL)
		return -1;
	p->configured = true;
	if (uri != NULL && uri[0] != '\0') {
		p->cfg_has_uri = true;
		memcpy(p->cfg_uri, uri, strlen(uri) + 1);
	}
	return 0;
}

/* The configured peer of list[0..n) with vmac, or NULL. */
static const struct sc_dc_peer_cfg *
cfg_peer(const struct sc_dc_peer_cfg *list, size_t n, const uint8_t *vmac)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(list[i].vmac, vmac, SC_VMAC_LEN) == 0)
			return &list[i];
	return NULL;
}

/* Does p's configured URI differ from c's (none: resolve)? */
static bool
cfg_uri_differs(const struct sc_dc_peer *p, const struct sc_dc_peer_cfg *c)
{
	bool has = c->uri != NULL && c->uri[0] != '\0';

	if (has != p->cfg_has_uri)
		return true;
	return has && strcmp(p->cfg_uri, c->uri) != 0;
}

bool
sc_dc_reconfigure_fits(const struct sc_dc *t,
    const struct sc_dc_peer_cfg *list, size_t n)
{
	size_t need = 0, free_ = 0, i;

	for (i = 0; i < n; i++) {
		if (list[i].uri != NULL && strlen(list[i].uri) >= SC_DC_URI_MAX)
			return false;
		if (find_idx(t, list[i].vmac) == SC_DC_MAX_PEERS &&
		    cfg_peer(list, i, list[i].vmac) == NULL)
			need++;
	}
	for (i = 0; i < SC_DC_MAX_PEERS; i++) {
		const struct sc_dc_peer *p = &t->peers[i];

		/* Free, or idle and not in the new list: may be evicted. */
		if (!p->used || (p->init == SC_DC_CONN_NONE && !p->acc_up &&
		    p->res != SC_DC_RES_PENDING &&
		    cfg_peer(list, n, p->vmac) == NULL))
			free_++;
	}
	return need <= free_;
}

int
sc_dc_reconfigure(struct sc_dc *t, enum sc_dc_policy policy,
    unsigned max_conns, const struct sc_dc_peer_cfg *peers, size_t n)
{
	size_t i;

	if (!sc_dc_reconfigure_fits(t, peers, n))
		return -1;
	t->cfg.policy = policy;
	t->cfg.max_conns = max_conns;
	/* Old configured peers that go, or whose URI changes. */
	for (i = 0; i < SC_DC_MAX_PEERS; i++) {
		struct sc_dc_peer *p = &t->peers[i];
		const struct sc_dc_peer_cfg *c;
		bool keep;

		if (!p->used)
			continue;
		c = cfg_peer(peers, n, p->vmac);
		if (p->configured && (c == NULL || cfg_uri_differs(p, c))) {
			p->configured = false;
			p->cfg_has_uri = false;
			p->cfg_uri[0] = '\0';
			p->retry_at = 0;
			keep = c == NULL && policy == SC_DC_POLICY_ON_DEMAND;
		} else {
			keep = policy == SC_DC_POLICY_ON_DEMAND ||
			    (policy == SC_DC_POLICY_CONFIGURED && c != NULL);
		}
		if (!keep && p->init != SC_DC_CONN_NONE) {
			p->init = SC_DC_CONN_NONE;
			p->win_count = 0;
		}
	}
	for (i = 0; i < n; i++) {
		const struct sc_dc_peer *p = sc_dc_find(t, peers[i].vmac);

		if (p != NULL && p->configured)
			continue;	/* unchanged */
		/* Checked by sc_dc_reconfigure_fits: cannot fail. */
		(void)sc_dc_add_configured(t, peers[i].vmac, peers[i].uri);
	}
	return 0;
}

bool
sc_dc_is_initiated(const struct sc_dc *t, const uint8_t *vmac)
{
	const struct sc_dc_peer *p = sc_dc_find(t, vmac);

	return p != NULL && p->init != SC_DC_CONN_NONE;
}

unsigned
sc_dc_nconns(const struct sc_dc *t)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < SC_DC_MAX_PEERS; i++) {
		if (!t->peers[i].used)
			continue;
		if (t->peers[i].init != SC_DC_CONN_NONE)
			n++;
		if (t->peers[i].acc_up)
			n++;
	}
	return n;
}

bool
sc_dc_is_direct(const struct sc_dc *t, const uint8_t *vmac)
{
	const struct sc_dc_peer *p = sc_dc_find(t, vmac);

	return p != NULL && (p->init == SC_DC_CONN_UP || p->acc_up);
}

static bool
fresh(const struct sc_dc *t, const struct sc_dc_peer *p, uint64_t now)
{
	return p->res == SC_DC_RES_DONE && now - p->res_at < t->cfg.cache_us;
}

/* Should we initiate a connection to p now (policy aside)? */
static bool
may_initiate(const struct sc_dc *t, const struct sc_dc_peer *p, uint64_t now)
{
	return p->init == SC_DC_CONN_NONE && !p->acc_up &&
	    now >= p->retry_at && sc_dc_nconns(t) < t->cfg.max_conns;
}

/*
 * Move p towards a connection: connect to a configured URI or a fresh
 * resolved one, else resolve.
 */
static void
advance(struct sc_dc *t, struct sc_dc_peer *p, uint64_t now, uint16_t msgid,
    struct sc_dc_acts *a)
{
	if (!may_initiate(t, p, now) || a == NULL || a->n >= SC_DC_MAX_ACTS)
		return;
	if (p->cfg_has_uri) {
		p->init = SC_DC_CONN_CONNECTING;
		p->uri_idx = 0;
		act_add(a, SC_DC_ACT_CONNECT, p->vmac, 0, p->cfg_uri);
		return;
	}
	if (fresh(t, p, now)) {
		if (p->n_uris == 0)
			return;		/* no direct path, cached */
		p->init = SC_DC_CONN_CONNECTING;
		p->uri_idx = 0;
		act_add(a, SC_DC_ACT_CONNECT, p->vmac, 0, p->uris[0]);
		return;
	}
	if (p->res == SC_DC_RES_PENDING)
		return;
	p->res = SC_DC_RES_PENDING;
	p->res_at = now;
	p->res_msgid = msgid;
	act_add(a, SC_DC_ACT_RESOLVE, p->vmac, msgid, NULL);
}

enum sc_dc_route
sc_dc_unicast(struct sc_dc *t, const uint8_t *vmac, uint64_t now,
    uint16_t msgid0, struct sc_dc_acts *a)
{
	struct sc_dc_peer *p;

	if (t->cfg.policy != SC_DC_POLICY_ON_DEMAND) {
		p = find(t, vmac);
		if (p == NULL)
			return SC_DC_VIA_HUB;
		p->last_use = now;
		return p->init == SC_DC_CONN_UP || p->acc_up ?
		    SC_DC_VIA_DIRECT : SC_DC_VIA_HUB;
	}
	p = get(t, vmac);
	if (p == NULL)
		return SC_DC_VIA_HUB;
	p->last_use = now;
	if (p->init == SC_DC_CONN_UP || p->acc_up)
		return SC_DC_VIA_DIRECT;
	if (p->win_count == 0 || now - p->win_start >= t->cfg.demand_window_us) {
		p->win_start = now;
		p->win_count = 0;
	}
	p->win_count++;
	if (p->win_count >= t->cfg.demand_n)
		advance(t, p, now, msgid0, a);
	return SC_DC_VIA_HUB;
}

void
sc_dc_note_rx(struct sc_dc *t, const uint8_t *vmac, uint64_t now)
{
	struct sc_dc_peer *p = find(t, vmac);

	if (p != NULL)
		p->last_use = now;
}

/* Split "uri uri ..." into p->uris; skip empty or over-long tokens. */
static void
parse_uris(struct sc_dc_peer *p, const uint8_t *s, size_t len)
{
	size_t i = 0, j;

	p->n_uris = 0;
	while (i < len && p->n_uris < SC_DC_MAX_URIS) {
		for (j = i; j < len && s[j] != ' '; j++)
			;
		if (j > i && j - i < SC_DC_URI_MAX) {
			size_t k;
			bool ok = true;

			for (k = i; k < j; k++)
				if (s[k] < 0x21 || s[k] > 0x7e)
					ok = false;
			if (ok) {
				memcpy(p->uris[p->n_uris], s + i, j - i);
				p->uris[p->n_uris][j - i] = '\0';
				p->n_uris++;
			}
		}
		i = j + 1;
	}
}

int
sc_dc_on_ack(struct sc_dc *t, const uint8_t *vmac, uint16_t msgid,
    const uint8_t *uris, size_t len, uint64_t now, struct sc_dc_acts *a)
{
	struct sc_dc_peer *p = find(t, vmac);

	if (p == NULL || p->res != SC_DC_RES_PENDING || p->res_msgid != msgid)
		return -1;
	parse_uris(p, uris, len);
	p->res = SC_DC_RES_DONE;
	p->res_at = now;
	if (t->cfg.policy == SC_DC_POLICY_NEVER)
		return 0;
	if (t->cfg.policy == SC_DC_POLICY_CONFIGURED && !p->configured)
		return 0;
	advance(t, p, now, 0, a);
	return 0;
}

int
sc_dc_on_nak(struct sc_dc *t, const uint8_t *vmac, uint16_t msgid,
    uint64_t now)
{
	struct sc_dc_peer *p = find(t, vmac);

	if (p == NULL || p->res != SC_DC_RES_PENDING || p->res_msgid != msgid)
		return -1;
	p->n_uris = 0;
	p->res = SC_DC_RES_DONE;
	p->res_at = now;
	return 0;
}

void
sc_dc_init_up(struct sc_dc *t, const uint8_t *vmac, uint64_t now)
{
	struct sc_dc_peer *p = find(t, vmac);

	if (p == NULL)
		return;
	p->init = SC_DC_CONN_UP;
	p->last_use = now;
	p->win_count = 0;
}

void
sc_dc_init_down(struct sc_dc *t, const uint8_t *vmac, uint64_t now,
    struct sc_dc_acts *a)
{
	struct sc_dc_peer *p = find(t, vmac);
	enum sc_dc_conn was;

	if (p == NULL)
		return;
	was = p->init;
	p->init = SC_DC_CONN_NONE;
	p->win_count = 0;
	if (was == SC_DC_CONN_CONNECTING && !p->cfg_has_uri &&
	    p->res == SC_DC_RES_DONE && p->uri_idx + 1 < p->n_uris) {
		/* Try the next advertised URI. */
		p->uri_idx++;
		p->init = SC_DC_CONN_CONNECTING;
		act_add(a, SC_DC_ACT_CONNECT, p->vmac, 0, p->uris[p->uri_idx]);
		return;
	}
	if (was == SC_DC_CONN_CONNECTING)
		p->retry_at = now + t->cfg.retry_us;
}

bool
sc_dc_may_accept(const struct sc_dc *t)
{
	return sc_dc_nconns(t) < t->cfg.max_conns;
}

int
sc_dc_acc_up(struct sc_dc *t, const uint8_t *vmac, uint64_t now)
{
	struct sc_dc_peer *p = get(t, vmac);

	if (p == NULL)
		return -1;
	p->acc_up = true;
	p->last_use = now;
	return 0;
}

void
sc_dc_acc_down(struct sc_dc *t, const uint8_t *vmac, uint64_t now)
{
	struct sc_dc_peer *p = find(t, vmac);

	(void)now;
	if (p != NULL)
		p->acc_up = false;
}

void
sc_dc_tick(struct sc_dc *t, uint64_t now, uint16_t msgid0,
    struct sc_dc_acts *a)
{
	size_t i;

	for (i = 0; i < SC_DC_MAX_PEERS && a->n < SC_DC_MAX_ACTS; i++) {
		struct sc_dc_peer *p = &t->peers[i];

		if (!p->used)
			continue;
		if (p->res == SC_DC_RES_PENDING &&
		    now - p->res_at >= t->cfg.resolve_timeout_us) {
			/* No answer: no direct path for now. */
			p->res = SC_DC_RES_NONE;
			p->retry_at = now + t->cfg.retry_us;
		}
		if (p->init == SC_DC_CONN_UP && !p->configured &&
		    t->cfg.idle_us > 0 && now - p->last_use >= t->cfg.idle_us) {
			act_add(a, SC_DC_ACT_DISCONNECT, p->vmac, 0, NULL);
			continue;
		}
		if (p->configured && t->cfg.policy == SC_DC_POLICY_CONFIGURED)
			advance(t, p, now, msgid0++, a);
	}
}

uint64_t
sc_dc_next_deadline(const struct sc_dc *t)
{
	uint64_t d = UINT64_MAX, x;
	size_t i;

	for (i = 0; i < SC_DC_MAX_PEERS; i++) {
		const struct sc_dc_peer *p = &t->peers[i];

		if (!p->used)
			continue;
		if (p->res == SC_DC_RES_PENDING) {
			x = p->res_at + t->cfg.resolve_timeout_us;
			if (x < d)
				d = x;
		}
		if (p->init == SC_DC_CONN_UP && !p->configured &&
		    t->cfg.idle_us > 0) {
			x = p->last_use + t->cfg.idle_us;
			if (x < d)
				d = x;
		}
		if (p->configured && t->cfg.policy == SC_DC_POLICY_CONFIGURED &&
		    p->init == SC_DC_CONN_NONE && !p->acc_up &&
		    p->res != SC_DC_RES_PENDING && p->retry_at < d)
			d = p->retry_at;
	}
	return d;
}

const char *
sc_dc_policy_name(enum sc_dc_policy p)
{
	switch (p) {
	case SC_DC_POLICY_NEVER:
		return "never";
	case SC_DC_POLICY_CONFIGURED:
		return "configured";
	case SC_DC_POLICY_ON_DEMAND:
		return "on-demand";
	}
	return "?";
}

const char *
sc_dc_conn_name(enum sc_dc_conn c)
{
	switch (c) {
	case SC_DC_CONN_NONE:
		return "none";
	case SC_DC_CONN_CONNECTING:
		return "connecting";
	case SC_DC_CONN_UP:
		return "up";
	}
	return "?";
}
