/*
 * Stateful fuzz harness of the hub connector (sc_hubconn_fsm) with run-time
 * reconfiguration: the input drives start, stop, attempts coming up,
 * connections going down (each kind), timer expiry and sc_hc_reconfigure
 * with changed timers, hub URIs and failover presence, in any order.  A
 * model of the glue (sc_node.c) carries out the actions: close detaches
 * the slot's connection, connect starts a new one; up and down are only
 * reported for a connection the glue really has, as the glue does.  After
 * every step the harness checks:
 *   - each slot's state equals what the glue holds (idle / connecting /
 *     up), so no connection is started on a busy slot without closing the
 *     old one first and none is left behind;
 *   - the connector state agrees with its slots (trying a hub: that slot
 *     connecting; on a hub: that slot up; stopped: nothing open) and with
 *     sc_hc_active();
 *   - no failover activity when no failover is configured;
 *   - the reconnect delays stay within [min, max]; WAIT has a timer.
 *
 * Input: octet 0 = initial configuration (bit 0 failover); then steps, an
 * operation octet (bits 4-7 the kind, bit 0 the slot) and its arguments.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc/sc_hubconn_fsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum sc_hc_slot_state glue[SC_HC_NSLOTS];

static void
need(bool ok)
{
	if (!ok)
		abort();
}

static void
apply(const struct sc_hc_actions *a)
{
	int s;

	need(!(a->arm && a->disarm));
	for (s = 0; s < SC_HC_NSLOTS; s++) {
		if (a->close[s])
			glue[s] = SC_HC_SLOT_IDLE;	/* detached */
		if (a->connect[s]) {
			/* Never on top of a connection still attached. */
			need(glue[s] == SC_HC_SLOT_IDLE);
			glue[s] = SC_HC_SLOT_CONNECTING;
		}
	}
}

static void
check(const struct sc_hubconn *hc)
{
	int s, act = sc_hc_active(hc);

	for (s = 0; s < SC_HC_NSLOTS; s++)
		need(hc->slot[s] == glue[s]);
	switch (hc->state) {
	case SC_HC_STOPPED:
		need(glue[0] == SC_HC_SLOT_IDLE && glue[1] == SC_HC_SLOT_IDLE);
		need(!hc->timer_armed && act == -1);
		break;
	case SC_HC_TRY_PRIMARY:
		need(glue[SC_HC_PRIMARY] == SC_HC_SLOT_CONNECTING && act == -1);
		break;
	case SC_HC_TRY_FAILOVER:
		need(glue[SC_HC_FAILOVER] == SC_HC_SLOT_CONNECTING && act == -1);
		break;
	case SC_HC_WAIT:
		need(hc->timer_armed && act == -1);
		break;
	case SC_HC_ON_PRIMARY:
		need(glue[SC_HC_PRIMARY] == SC_HC_SLOT_UP);
		need(act == SC_HC_PRIMARY);
		break;
	case SC_HC_ON_FAILOVER:
		need(glue[SC_HC_FAILOVER] == SC_HC_SLOT_UP);
		need(act == SC_HC_FAILOVER);
		break;
	}
	if (!hc->cfg.has_failover)
		need(glue[SC_HC_FAILOVER] == SC_HC_SLOT_IDLE);
	need(hc->delay_us >= hc->cfg.min_reconnect_us &&
	    hc->delay_us <= hc->cfg.max_reconnect_us);
	need(hc->probe_us >= hc->cfg.min_reconnect_us &&
	    hc->probe_us <= hc->cfg.max_reconnect_us);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_hubconn hc;
	struct sc_hc_cfg cfg = {
		.min_reconnect_us = 2000000,
		.max_reconnect_us = 30000000,
		.dup_vmac_retries = 2,
	};
	struct sc_hc_actions a;
	uint64_t now = 1000000;
	size_t i = 1;

	if (size < 1)
		return 0;
	cfg.has_failover = data[0] & 1;
	memset(glue, 0, sizeof(glue));
	sc_hc_init(&hc, &cfg);
	check(&hc);
	while (i < size) {
		uint8_t op = data[i++];
		enum sc_hc_slot s = (enum sc_hc_slot)(op & 1);
		uint8_t arg = i < size ? data[i] : 0;

		now += (uint64_t)(op & 0x0e) * 250000u;
		switch (op >> 4) {
		case 0:
			sc_hc_start(&hc, now, &a);
			break;
		case 1:
			sc_hc_stop(&hc, now, &a);
			break;
		case 2:
		case 3:
			if (glue[s] != SC_HC_SLOT_CONNECTING)
				continue;
			glue[s] = SC_HC_SLOT_UP;
			sc_hc_up(&hc, s, now, (uint32_t)arg * 16843009u, &a);
			break;
		case 4:
		case 5:
		case 6:
			if (glue[s] == SC_HC_SLOT_IDLE)
				continue;
			i++;
			glue[s] = SC_HC_SLOT_IDLE;
			sc_hc_down(&hc, s, (enum sc_hc_down_kind)(arg % 3),
			    (uint16_t)arg, now, (uint32_t)arg * 16843009u, &a);
			break;
		case 7:
		case 8:
			i++;
			now += (uint64_t)arg * 1000000u;
			sc_hc_timer(&hc, now, (uint32_t)arg * 16843009u, &a);
			break;
		case 9:
		case 10: {
			bool chg[SC_HC_NSLOTS];

			i++;
			cfg.has_failover = arg & 1;
			chg[SC_HC_PRIMARY] = (arg & 2) != 0;
			chg[SC_HC_FAILOVER] = (arg & 4) != 0;
			cfg.min_reconnect_us = (uint64_t)((arg >> 3) & 3) *
			    1000000u;	/* 0 is clamped */
			cfg.max_reconnect_us = (uint64_t)(arg >> 5) * 3000000u;
			sc_hc_reconfigure(&hc, &cfg, chg, now, &a);
			break;
		}
		default:
			continue;
		}
		apply(&a);
		check(&hc);
	}
	return 0;
}
