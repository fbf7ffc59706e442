/*
 * BACnet/SC hub connector state machine; see sc_hubconn_fsm.h.
 *
 * Choices where sources differ (digest §1.11, §6):
 *  - Back-off doubles from SC_Minimum_Reconnect_Time to
 *    SC_Maximum_Reconnect_Time after each failed round (REF, B4J, NIA,
 *    BACPY), not BS's fixed maximum, and is reset to the minimum when a
 *    connection comes up.  Jitter (up to a quarter of the delay) keeps a
 *    site's nodes from reconnecting in lock-step after a hub restart.
 *  - Return to primary: while on the failover we probe the primary with a
 *    full connection attempt (TLS, WebSocket, Connect-Request/Accept) on the
 *    second slot, first after the minimum reconnect time and then with the
 *    same doubling delay up to the maximum (REF, B4J, NIA; BACPY never
 *    returns).  A full attempt is the only proof that the primary hub
 *    function is back: a TCP connect alone would also succeed against a
 *    half-started or misconfigured hub.  The cost is one short connection
 *    per probe period while the primary is down, bounded by the maximum
 *    reconnect time.  When the probe connects, the failover is closed
 *    (gracefully, by the glue's Disconnect-Request) and traffic moves to the
 *    primary at once.
 *  - An established primary connection that is lost is retried first
 *    (rule 4), after a delay drawn uniformly in [0, minimum reconnect
 *    time]: when a hub restarts, every node of the site loses it at the
 *    same moment, and retrying at once would hit the new hub (or, if the
 *    primary is still down, the failover) with all of them together.  A
 *    connection that lived less than the minimum reconnect time goes
 *    through the normal doubling wait instead; a hub that accepts and
 *    drops at once would otherwise be hammered.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "sc/sc_hubconn_fsm.h"

uint64_t
sc_hc_jitter(const struct sc_hc_cfg *cfg, uint64_t d, uint32_t rnd)
{
	uint64_t w, lo, v;

	if (d < cfg->min_reconnect_us)
		d = cfg->min_reconnect_us;
	if (d > cfg->max_reconnect_us)
		d = cfg->max_reconnect_us;
	w = d / 4;
	lo = d;
	if (lo + w > cfg->max_reconnect_us)
		lo = cfg->max_reconnect_us - w;
	v = lo + (w * (uint64_t)rnd >> 32);
	if (v < cfg->min_reconnect_us)
		v = cfg->min_reconnect_us;
	if (v > cfg->max_reconnect_us)
		v = cfg->max_reconnect_us;
	return v;
}

uint64_t
sc_hc_first_retry(const struct sc_hc_cfg *cfg, uint32_t rnd)
{
	return (cfg->min_reconnect_us + 1) * (uint64_t)rnd >> 32;
}

static uint64_t
next_delay(const struct sc_hc_cfg *cfg, uint64_t d)
{
	if (d >= cfg->max_reconnect_us / 2)
		return cfg->max_reconnect_us;
	return d * 2;
}

static void
clamp_cfg(struct sc_hc_cfg *c)
{
	if (c->min_reconnect_us == 0)
		c->min_reconnect_us = 1;
	if (c->max_reconnect_us < c->min_reconnect_us)
		c->max_reconnect_us = c->min_reconnect_us;
}

static uint64_t
clamp_delay(const struct sc_hc_cfg *c, uint64_t d)
{
	if (d < c->min_reconnect_us)
		return c->min_reconnect_us;
	if (d > c->max_reconnect_us)
		return c->max_reconnect_us;
	return d;
}

void
sc_hc_init(struct sc_hubconn *hc, const struct sc_hc_cfg *cfg)
{
	memset(hc, 0, sizeof(*hc));
	hc->cfg = *cfg;
	clamp_cfg(&hc->cfg);
	hc->state = SC_HC_STOPPED;
	hc->delay_us = hc->cfg.min_reconnect_us;
	hc->probe_us = hc->cfg.min_reconnect_us;
	hc->dup_left = hc->cfg.dup_vmac_retries;
}

static void
act_clear(struct sc_hc_actions *out)
{
	memset(out, 0, sizeof(*out));
}

static void
arm(struct sc_hubconn *hc, uint64_t at, struct sc_hc_actions *out)
{
	hc->timer_armed = true;
	hc->timer_at = at;
	out->arm = true;
	out->disarm = false;
	out->deadline_us = at;
}

static void
disarm(struct sc_hubconn *hc, struct sc_hc_actions *out)
{
	if (!hc->timer_armed)
		return;
	hc->timer_armed = false;
	out->disarm = true;
	out->arm = false;
}

static void
connect_slot(struct sc_hubconn *hc, enum sc_hc_slot s,
    struct sc_hc_actions *out)
{
	hc->slot[s] = SC_HC_SLOT_CONNECTING;
	hc->hub[s].attempts++;
	out->connect[s] = true;
	out->close[s] = false;
}

static void
close_slot(struct sc_hubconn *hc, enum sc_hc_slot s, uint64_t now,
    struct sc_hc_actions *out)
{
	if (hc->slot[s] == SC_HC_SLOT_IDLE)
		return;
	if (hc->slot[s] == SC_HC_SLOT_UP) {
		hc->hub[s].status = SC_HC_ST_NOT_CONNECTED;
		hc->hub[s].disconnect_us = now;
	}
	hc->slot[s] = SC_HC_SLOT_IDLE;
	out->close[s] = true;
	out->connect[s] = false;
}

/* Both hubs failed this round: wait the reconnect delay. */
static void
enter_wait(struct sc_hubconn *hc, uint64_t now, uint32_t rnd,
    struct sc_hc_actions *out)
{
	hc->state = SC_HC_WAIT;
	arm(hc, now + sc_hc_jitter(&hc->cfg, hc->delay_us, rnd), out);
	hc->delay_us = next_delay(&hc->cfg, hc->delay_us);
}

static void
try_primary(struct sc_hubconn *hc, struct sc_hc_actions *out)
{
	hc->state = SC_HC_TRY_PRIMARY;
	connect_slot(hc, SC_HC_PRIMARY, out);
}

void
sc_hc_start(struct sc_hubconn *hc, uint64_t now, struct sc_hc_actions *out)
{
	(void)now;
	act_clear(out);
	if (hc->state != SC_HC_STOPPED)
		return;
	hc->delay_us = hc->cfg.min_reconnect_us;
	hc->dup_left = hc->cfg.dup_vmac_retries;
	try_primary(hc, out);
}

void
sc_hc_stop(struct sc_hubconn *hc, uint64_t now, struct sc_hc_actions *out)
{
	act_clear(out);
	close_slot(hc, SC_HC_PRIMARY, now, out);
	close_slot(hc, SC_HC_FAILOVER, now, out);
	disarm(hc, out);
	if (hc->state == SC_HC_ON_PRIMARY || hc->state == SC_HC_ON_FAILOVER)
		out->active_changed = true;
	hc->state = SC_HC_STOPPED;
}

/*
 * Start an attempt on s that may have to follow the close of its old
 * connection in the same actions (the glue closes before it connects).
 */
static void
reconnect_slot(struct sc_hubconn *hc, enum sc_hc_slot s,
    struct sc_hc_actions *out)
{
	bool closing = out->close[s];

	connect_slot(hc, s, out);
	out->close[s] = closing;
}

/*
 * Reconfiguration with the busy slots whose hub changed already closed:
 * keep what still works, else start over at the primary.
 */
static void
reconf_resume(struct sc_hubconn *hc, const bool chg[SC_HC_NSLOTS],
    const bool uri_changed[SC_HC_NSLOTS], uint64_t now,
    struct sc_hc_actions *out)
{
	bool was_active = hc->state == SC_HC_ON_PRIMARY ||
	    hc->state == SC_HC_ON_FAILOVER;

	switch (hc->state) {
	case SC_HC_ON_PRIMARY:
	case SC_HC_TRY_PRIMARY:
		if (!chg[SC_HC_PRIMARY])
			return;		/* keep the connection or attempt */
		break;
	case SC_HC_ON_FAILOVER:
		if (!chg[SC_HC_FAILOVER]) {
			/* Keep it; probe the new primary now. */
			if (uri_changed[SC_HC_PRIMARY]) {
				hc->probe_us = hc->cfg.min_reconnect_us;
				reconnect_slot(hc, SC_HC_PRIMARY, out);
			}
			return;
		}
		break;
	case SC_HC_TRY_FAILOVER:
		if (!chg[SC_HC_FAILOVER] && !uri_changed[SC_HC_PRIMARY])
			return;
		break;
	case SC_HC_WAIT:
		if (!uri_changed[SC_HC_PRIMARY] && !uri_changed[SC_HC_FAILOVER])
			return;		/* the next attempt is as planned */
		break;
	case SC_HC_STOPPED:
		return;
	}
	close_slot(hc, SC_HC_FAILOVER, now, out);
	close_slot(hc, SC_HC_PRIMARY, now, out);
	disarm(hc, out);
	hc->delay_us = hc->cfg.min_reconnect_us;
	hc->dup_left = hc->cfg.dup_vmac_retries;
	hc->state = SC_HC_TRY_PRIMARY;
	reconnect_slot(hc, SC_HC_PRIMARY, out);
	if (was_active)
		out->active_changed = true;
}

void
sc_hc_reconfigure(struct sc_hubconn *hc, const struct sc_hc_cfg *cfg,
    const bool uri_changed[SC_HC_NSLOTS], uint64_t now,
    struct sc_hc_actions *out)
{
	bool chg[SC_HC_NSLOTS];
	int s;

	act_clear(out);
	hc->cfg = *cfg;
	clamp_cfg(&hc->cfg);
	hc->delay_us = clamp_delay(&hc->cfg, hc->delay_us);
	hc->probe_us = clamp_delay(&hc->cfg, hc->probe_us);
	chg[SC_HC_PRIMARY] = uri_changed[SC_HC_PRIMARY];
	chg[SC_HC_FAILOVER] = uri_changed[SC_HC_FAILOVER] ||
	    !hc->cfg.has_failover;
	if (hc->state == SC_HC_STOPPED)
		return;
	for (s = 0; s < SC_HC_NSLOTS; s++)
		if (chg[s])
			close_slot(hc, (enum sc_hc_slot)s, now, out);
	reconf_resume(hc, chg, uri_changed, now, out);
}

void
sc_hc_up(struct sc_hubconn *hc, enum sc_hc_slot slot, uint64_t now,
    uint32_t rnd, struct sc_hc_actions *out)
{
	struct sc_hc_hub_status *h = &hc->hub[slot];

	act_clear(out);
	if (hc->slot[slot] != SC_HC_SLOT_CONNECTING)
		return;
	hc->slot[slot] = SC_HC_SLOT_UP;
	h->status = SC_HC_ST_CONNECTED;
	h->connect_us = now;
	hc->delay_us = hc->cfg.min_reconnect_us;
	hc->dup_left = hc->cfg.dup_vmac_retries;
	switch (hc->state) {
	case SC_HC_TRY_PRIMARY:
	case SC_HC_ON_FAILOVER:
		/* Primary up (first try, or the probe): carry traffic on it. */
		close_slot(hc, SC_HC_FAILOVER, now, out);
		disarm(hc, out);
		hc->state = SC_HC_ON_PRIMARY;
		out->active_changed = true;
		break;
	case SC_HC_TRY_FAILOVER:
		hc->state = SC_HC_ON_FAILOVER;
		hc->probe_us = hc->cfg.min_reconnect_us;
		arm(hc, now + sc_hc_jitter(&hc->cfg, hc->probe_us, rnd), out);
		hc->probe_us = next_delay(&hc->cfg, hc->probe_us);
		out->active_changed = true;
		break;
	case SC_HC_STOPPED:
	case SC_HC_WAIT:
	case SC_HC_ON_PRIMARY:
		/* Cannot happen: no attempt is in flight in these states. */
		close_slot(hc, slot, now, out);
		break;
	}
}

static void
record_down(struct sc_hubconn *hc, enum sc_hc_slot slot,
    enum sc_hc_down_kind kind, uint16_t error, uint64_t now, bool was_up)
{
	struct sc_hc_hub_status *h = &hc->hub[slot];

	if (was_up) {
		h->disconnect_us = now;
		h->status = kind == SC_HC_DOWN_CLOSED ?
		    SC_HC_ST_NOT_CONNECTED : SC_HC_ST_DISCONNECTED_WITH_ERRORS;
	} else {
		h->failures++;
		h->status = SC_HC_ST_FAILED_TO_CONNECT;
	}
	if (error != 0) {
		h->error = error;
		h->error_us = now;
	}
}

/* A failure while trying slot (TRY_PRIMARY or TRY_FAILOVER). */
static void
try_failed(struct sc_hubconn *hc, enum sc_hc_slot slot,
    enum sc_hc_down_kind kind, uint64_t now, uint32_t rnd,
    struct sc_hc_actions *out)
{
	if (kind == SC_HC_DOWN_DUP_VMAC && hc->dup_left > 0) {
		hc->dup_left--;
		connect_slot(hc, slot, out);
		return;
	}
	if (slot == SC_HC_PRIMARY && hc->cfg.has_failover) {
		hc->state = SC_HC_TRY_FAILOVER;
		connect_slot(hc, SC_HC_FAILOVER, out);
		return;
	}
	enter_wait(hc, now, rnd, out);
}

void
sc_hc_down(struct sc_hubconn *hc, enum sc_hc_slot slot,
    enum sc_hc_down_kind kind, uint16_t error, uint64_t now, uint32_t rnd,
    struct sc_hc_actions *out)
{
	bool was_up;
	uint64_t lived;

	act_clear(out);
	if (hc->slot[slot] == SC_HC_SLOT_IDLE)
		return;		/* closed by us, or stale */
	was_up = hc->slot[slot] == SC_HC_SLOT_UP;
	lived = now - hc->hub[slot].connect_us;
	hc->slot[slot] = SC_HC_SLOT_IDLE;
	record_down(hc, slot, kind, error, now, was_up);

	switch (hc->state) {
	case SC_HC_TRY_PRIMARY:
	case SC_HC_TRY_FAILOVER:
		try_failed(hc, slot, kind, now, rnd, out);
		break;
	case SC_HC_ON_PRIMARY:
		/*
		 * Rule 4: the primary dropped: retry it first, after a
		 * jittered first delay (the back-off stays at the minimum).
		 */
		out->active_changed = true;
		if (lived >= hc->cfg.min_reconnect_us &&
		    kind != SC_HC_DOWN_DUP_VMAC) {
			hc->state = SC_HC_WAIT;
			arm(hc, now + sc_hc_first_retry(&hc->cfg, rnd), out);
		} else {
			enter_wait(hc, now, rnd, out);
		}
		break;
	case SC_HC_ON_FAILOVER:
		if (slot == SC_HC_PRIMARY) {
			if (kind == SC_HC_DOWN_DUP_VMAC) {
				/*
				 * The node takes a new VMAC; the failover
				 * connection still announces the old one, so
				 * start over with the new VMAC everywhere.
				 */
				close_slot(hc, SC_HC_FAILOVER, now, out);
				disarm(hc, out);
				out->active_changed = true;
				try_primary(hc, out);
				break;
			}
			/* The probe failed: probe again later. */
			arm(hc, now + sc_hc_jitter(&hc->cfg, hc->probe_us,
			    rnd), out);
			hc->probe_us = next_delay(&hc->cfg, hc->probe_us);
			break;
		}
		/* Lost the failover. */
		out->active_changed = true;
		disarm(hc, out);
		if (hc->slot[SC_HC_PRIMARY] == SC_HC_SLOT_CONNECTING) {
			/* A probe is in flight: it is our primary attempt. */
			hc->state = SC_HC_TRY_PRIMARY;
		} else {
			try_primary(hc, out);
		}
		break;
	case SC_HC_STOPPED:
	case SC_HC_WAIT:
		/* No slot is busy in these states; nothing to do. */
		break;
	}
}

void
sc_hc_timer(struct sc_hubconn *hc, uint64_t now, uint32_t rnd,
    struct sc_hc_actions *out)
{
	(void)now;
	(void)rnd;
	act_clear(out);
	if (!hc->timer_armed)
		return;
	hc->timer_armed = false;
	switch (hc->state) {
	case SC_HC_WAIT:
		try_primary(hc, out);
		break;
	case SC_HC_ON_FAILOVER:
		if (hc->slot[SC_HC_PRIMARY] == SC_HC_SLOT_IDLE)
			connect_slot(hc, SC_HC_PRIMARY, out);
		break;
	case SC_HC_STOPPED:
	case SC_HC_TRY_PRIMARY:
	case SC_HC_TRY_FAILOVER:
	case SC_HC_ON_PRIMARY:
		break;
	}
}

int
sc_hc_active(const struct sc_hubconn *hc)
{
	switch (hc->state) {
	case SC_HC_ON_PRIMARY:
		return SC_HC_PRIMARY;
	case SC_HC_ON_FAILOVER:
		return SC_HC_FAILOVER;
	case SC_HC_STOPPED:
	case SC_HC_TRY_PRIMARY:
	case SC_HC_TRY_FAILOVER:
	case SC_HC_WAIT:
		break;
	}
	return -1;
}

uint8_t
sc_hc_hub_status(const struct sc_hubconn *hc)
{
	switch (sc_hc_active(hc)) {
	case SC_HC_PRIMARY:
		return SC_HC_HUB_PRIMARY;
	case SC_HC_FAILOVER:
		return SC_HC_HUB_FAILOVER;
	default:
		return SC_HC_HUB_NONE;
	}
}

const char *
sc_hc_state_name(enum sc_hc_state st)
{
	switch (st) {
	case SC_HC_STOPPED:
		return "stopped";
	case SC_HC_TRY_PRIMARY:
		return "connecting-to-primary";
	case SC_HC_TRY_FAILOVER:
		return "connecting-to-failover";
	case SC_HC_WAIT:
		return "waiting-to-reconnect";
	case SC_HC_ON_PRIMARY:
		return "connected-to-primary";
	case SC_HC_ON_FAILOVER:
		return "connected-to-failover";
	}
	return "?";
}

const char *
sc_hc_slot_name(enum sc_hc_slot slot)
{
	return slot == SC_HC_PRIMARY ? "primary" : "failover";
}
