/*
 * Fuzz the node switch decisions (sc/sc_dc_fsm.h): the input is a script
 * of events (unicast, ACK with URI text from the input, NAK, connection
 * up/down, accept, tick, a reload's new policy, cap and peers) for a
 * few VMACs over a moving clock.  Checks
 * the invariants: the cap is never exceeded by what the table starts,
 * every CONNECT names a non-empty printable URI, VIA_DIRECT only with an
 * up connection.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc/sc_dc_fsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_acts(const struct sc_dc *t, const struct sc_dc_acts *a)
{
	size_t i, k;

	if (a->n > SC_DC_MAX_ACTS)
		abort();
	for (i = 0; i < a->n; i++) {
		if (a->a[i].kind != SC_DC_ACT_CONNECT)
			continue;
		if (a->a[i].uri == NULL || a->a[i].uri[0] == '\0')
			abort();
		for (k = 0; a->a[i].uri[k] != '\0'; k++)
			if (a->a[i].uri[k] < 0x21 || a->a[i].uri[k] > 0x7e)
				abort();
	}
	if (sc_dc_nconns(t) > t->cfg.max_conns + SC_DC_MAX_PEERS)
		abort();
}

/*
 * A reload (op 2 with bit 3): policy, cap and up to 3 configured peers
 * from arg.  Afterwards no initiated connection is left that the new
 * policy would not open, and every listed peer is configured.
 */
static void
reconfigure(struct sc_dc *t, uint8_t arg)
{
	static const char *const uris[] = { NULL, "wss://x:1", "wss://y:2" };
	struct sc_dc_peer_cfg pc[3];
	enum sc_dc_policy pol = (enum sc_dc_policy)(arg % 3);
	size_t n = (arg >> 4) & 3, k;
	const struct sc_dc_peer *p;

	memset(pc, 0, sizeof(pc));
	for (k = 0; k < n; k++) {
		pc[k].vmac[0] = 0x02;
		pc[k].vmac[5] = (uint8_t)((arg >> (k + 2)) & 7);
		pc[k].uri = uris[(arg + k) % 3];
	}
	if (sc_dc_reconfigure(t, pol, (arg >> 2) % 4, pc, n) != 0)
		return;
	for (k = 0; k < SC_DC_MAX_PEERS; k++) {
		p = &t->peers[k];
		if (!p->used || p->init == SC_DC_CONN_NONE)
			continue;
		if (pol == SC_DC_POLICY_NEVER ||
		    (pol == SC_DC_POLICY_CONFIGURED && !p->configured))
			abort();
	}
	for (k = 0; k < n; k++)
		if ((p = sc_dc_find(t, pc[k].vmac)) == NULL || !p->configured)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sc_dc t;
	struct sc_dc_cfg c;
	struct sc_dc_acts a;
	uint64_t now = 1000000;
	size_t i = 0;
	uint8_t v[SC_VMAC_LEN] = { 0x02, 0, 0, 0, 0, 0 };

	if (size < 2)
		return 0;
	memset(&c, 0, sizeof(c));
	c.policy = (enum sc_dc_policy)(data[0] % 3);
	c.max_conns = data[1] % 4;
	c.idle_us = 5000;
	c.resolve_timeout_us = 3000;
	c.cache_us = 20000;
	c.retry_us = 7000;
	c.demand_n = 2;
	c.demand_window_us = 4000;
	sc_dc_init(&t, &c);
	(void)sc_dc_add_configured(&t, v, (data[0] & 4) ? "wss://x:1" : NULL);
	i = 2;
	while (i + 2 <= size) {
		uint8_t op = data[i], arg = data[i + 1];
		enum sc_dc_route r;

		i += 2;
		v[5] = arg & 7;
		now += (uint64_t)(op >> 4) * 700;
		memset(&a, 0, sizeof(a));
		switch (op & 7) {
		case 0:
			r = sc_dc_unicast(&t, v, now, arg, &a);
			if (r == SC_DC_VIA_DIRECT && !sc_dc_is_direct(&t, v))
				abort();
			break;
		case 1: {
			size_t len = arg % 64;

			if (len > size - i)
				len = size - i;
			(void)sc_dc_on_ack(&t, v, (uint16_t)(arg >> 3),
			    data + i, len, now, &a);
			i += len;
			break;
		}
		case 2:
			if (op & 8)
				reconfigure(&t, arg);
			else
				(void)sc_dc_on_nak(&t, v,
				    (uint16_t)(arg >> 3), now);
			break;
		case 3:
			sc_dc_init_up(&t, v, now);
			break;
		case 4:
			sc_dc_init_down(&t, v, now, &a);
			break;
		case 5:
			if (sc_dc_may_accept(&t))
				(void)sc_dc_acc_up(&t, v, now);
			break;
		case 6:
			sc_dc_acc_down(&t, v, now);
			break;
		case 7:
			sc_dc_tick(&t, now, arg, &a);
			(void)sc_dc_next_deadline(&t);
			break;
		}
		check_acts(&t, &a);
	}
	return 0;
}
