/*
 * Routing table (clause 6.6.1).  Pure: see rtr_table.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "router/rtr_table.h"

#define RTR_NETS	65536u

static bool
net_is_valid(uint16_t net)
{
	return net != 0 && net != 0xffff;
}

int
rtr_table_init(struct rtr_table *t, size_t max_entries, uint64_t max_age_us)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (max_entries == 0)
		return -1;
	if (max_entries > RTR_NETS - 2)
		max_entries = RTR_NETS - 2;
	t->routes = calloc(max_entries, sizeof(*t->routes));
	t->index = calloc(RTR_NETS, sizeof(*t->index));
	if (t->routes == NULL || t->index == NULL) {
		rtr_table_fini(t);
		return -1;
	}
	t->cap = max_entries;
	t->max_age_us = max_age_us;
	for (i = 0; i < RTR_TABLE_PORTS; i++)
		t->learn[i] = true;
	return 0;
}

void
rtr_table_fini(struct rtr_table *t)
{
	free(t->routes);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

int
rtr_table_resize(struct rtr_table *t, size_t max_entries)
{
	struct rtr_route *nr;

	if (max_entries > RTR_NETS - 2)
		max_entries = RTR_NETS - 2;
	if (max_entries == 0 || max_entries < t->n)
		return -1;
	if (max_entries == t->cap)
		return 0;
	nr = realloc(t->routes, max_entries * sizeof(*nr));
	if (nr == NULL) {
		if (max_entries > t->cap)
			return -1;
		nr = t->routes;	/* keep the larger array */
	} else if (max_entries > t->cap) {
		memset(nr + t->cap, 0, (max_entries - t->cap) * sizeof(*nr));
	}
	t->routes = nr;
	t->cap = max_entries;
	return 0;
}

void
rtr_table_set_learning(struct rtr_table *t, unsigned port, bool on)
{
	if (port < RTR_TABLE_PORTS)
		t->learn[port] = on;
}

static struct rtr_route *
slot_of(const struct rtr_table *t, uint16_t net)
{
	uint16_t i;

	if (t->index == NULL)
		return NULL;
	i = t->index[net];
	return i == 0 ? NULL : &t->routes[i - 1];
}

/* Remove the entry at r (an element of t->routes). */
static void
drop_slot(struct rtr_table *t, struct rtr_route *r)
{
	struct rtr_route *last = &t->routes[t->n - 1];

	t->index[r->net] = 0;
	if (r != last) {
		*r = *last;
		t->index[r->net] = (uint16_t)(r - t->routes + 1);
	}
	memset(last, 0, sizeof(*last));
	t->n--;
}

static struct rtr_route *
add_slot(struct rtr_table *t, uint16_t net)
{
	struct rtr_route *r;

	if (t->n >= t->cap)
		return NULL;
	r = &t->routes[t->n++];
	memset(r, 0, sizeof(*r));
	r->net = net;
	t->index[net] = (uint16_t)t->n;
	return r;
}

int
rtr_table_set_direct(struct rtr_table *t, unsigned port, uint16_t net,
    bool configured, uint64_t now_us)
{
	struct rtr_route *r;
	size_t i;

	if (port >= RTR_TABLE_PORTS || !net_is_valid(net) || t->index == NULL)
		return -1;
	r = slot_of(t, net);
	if (r != NULL && r->direct && r->port != port)
		return -1;
	/* Drop this port's previous direct entry (another number). */
	for (i = 0; i < t->n; i++) {
		if (t->routes[i].direct && t->routes[i].port == port &&
		    t->routes[i].net != net) {
			drop_slot(t, &t->routes[i]);
			break;
		}
	}
	r = slot_of(t, net);
	if (r == NULL && (r = add_slot(t, net)) == NULL)
		return -1;
	r->port = (uint8_t)port;
	r->direct = true;
	r->configured = configured;
	r->mac_len = 0;
	memset(r->mac, 0, sizeof(r->mac));
	r->reach = RTR_REACH_OK;
	r->busy_until_us = 0;
	r->refreshed_us = now_us;
	return 0;
}

uint16_t
rtr_table_port_net(const struct rtr_table *t, unsigned port)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->routes[i].direct && t->routes[i].port == port)
			return t->routes[i].net;
	return 0;
}

bool
rtr_route_is_via(const struct rtr_route *r, unsigned port,
    const uint8_t *mac, size_t mac_len)
{
	return !r->direct && r->port == port && r->mac_len == mac_len &&
	    memcmp(r->mac, mac, mac_len) == 0;
}

/* Evict the unreachable learned entry refreshed longest ago; -1 if none. */
static int
evict_unreachable(struct rtr_table *t)
{
	struct rtr_route *victim = NULL;
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct rtr_route *r = &t->routes[i];

		if (r->direct || r->reach != RTR_REACH_UNREACHABLE)
			continue;
		if (victim == NULL || r->refreshed_us < victim->refreshed_us)
			victim = r;
	}
	if (victim == NULL)
		return -1;
	drop_slot(t, victim);
	return 0;
}

enum rtr_learn
rtr_table_learn(struct rtr_table *t, uint16_t net, unsigned port,
    const uint8_t *mac, size_t mac_len, uint64_t now_us)
{
	struct rtr_route *r;
	enum rtr_learn rc;

	if (!net_is_valid(net) || port >= RTR_TABLE_PORTS || mac_len == 0 ||
	    mac_len > NPDU_PORT_MAC_MAX || t->index == NULL)
		return RTR_LEARN_INVALID;
	r = slot_of(t, net);
	if (r != NULL && r->direct)
		return RTR_LEARN_DIRECT;
	if (!t->learn[port])
		return RTR_LEARN_REFUSED;
	if (r != NULL) {
		if (r->port != port && r->reach != RTR_REACH_UNREACHABLE)
			return RTR_LEARN_CONFLICT;
		rc = rtr_route_is_via(r, port, mac, mac_len) ?
		    RTR_LEARN_REFRESHED : RTR_LEARN_CHANGED;
		if (rc == RTR_LEARN_REFRESHED &&
		    r->reach == RTR_REACH_UNREACHABLE)
			rc = RTR_LEARN_CHANGED;	/* back from unreachable */
	} else {
		if (t->n >= t->cap && evict_unreachable(t) != 0)
			return RTR_LEARN_FULL;
		r = add_slot(t, net);
		rc = RTR_LEARN_NEW;
	}
	if (rc != RTR_LEARN_REFRESHED)
		r->relayed = false;
	r->port = (uint8_t)port;
	r->direct = false;
	r->configured = false;
	r->mac_len = (uint8_t)mac_len;
	memset(r->mac, 0, sizeof(r->mac));
	memcpy(r->mac, mac, mac_len);
	/* A fresh announcement does not lift a busy state early. */
	if (r->reach != RTR_REACH_BUSY || rc != RTR_LEARN_REFRESHED) {
		r->reach = RTR_REACH_OK;
		r->busy_until_us = 0;
	}
	r->refreshed_us = now_us;
	return rc;
}

const struct rtr_route *
rtr_table_find(const struct rtr_table *t, uint16_t net)
{
	return slot_of(t, net);
}

void
rtr_table_touch(struct rtr_table *t, uint16_t net, unsigned port,
    const uint8_t *mac, size_t mac_len, uint64_t now_us)
{
	struct rtr_route *r = slot_of(t, net);

	if (r != NULL && rtr_route_is_via(r, port, mac, mac_len) &&
	    r->reach != RTR_REACH_UNREACHABLE)
		r->refreshed_us = now_us;
}

bool
rtr_table_set_reach(struct rtr_table *t, uint16_t net, enum rtr_reach reach,
    unsigned port, const uint8_t *mac, size_t mac_len, uint64_t now_us)
{
	struct rtr_route *r = slot_of(t, net);
	bool changed;

	if (r == NULL || r->direct)
		return false;
	if (mac != NULL && !rtr_route_is_via(r, port, mac, mac_len))
		return false;
	changed = r->reach != reach;
	r->reach = reach;
	switch (reach) {
	case RTR_REACH_BUSY:
		r->busy_until_us = now_us + RTR_BUSY_US;
		break;
	case RTR_REACH_OK:
	case RTR_REACH_UNREACHABLE:
		r->busy_until_us = 0;
		break;
	}
	return changed;
}

void
rtr_table_set_relayed(struct rtr_table *t, uint16_t net, uint64_t now_us)
{
	struct rtr_route *r = slot_of(t, net);

	if (r != NULL) {
		r->relayed = true;
		r->relayed_us = now_us;
	}
}

int
rtr_table_remove(struct rtr_table *t, uint16_t net)
{
	struct rtr_route *r = slot_of(t, net);

	if (r == NULL || r->direct)
		return -1;
	drop_slot(t, r);
	return 0;
}

uint64_t
rtr_table_tick(struct rtr_table *t, uint64_t now_us)
{
	uint64_t next = RTR_TIME_NEVER;
	size_t i = 0;

	while (i < t->n) {
		struct rtr_route *r = &t->routes[i];
		uint64_t expire;

		if (r->direct) {
			i++;
			continue;
		}
		if (r->reach == RTR_REACH_BUSY) {
			if (now_us >= r->busy_until_us) {
				r->reach = RTR_REACH_OK;
				r->busy_until_us = 0;
			} else if (r->busy_until_us < next) {
				next = r->busy_until_us;
			}
		}
		if (t->max_age_us != 0) {
			expire = r->refreshed_us + t->max_age_us;
			if (now_us >= expire) {
				drop_slot(t, r);	/* i: another now */
				continue;
			}
			if (expire < next)
				next = expire;
		}
		i++;
	}
	return next;
}

size_t
rtr_table_count(const struct rtr_table *t)
{
	return t->n;
}

const struct rtr_route *
rtr_table_at(const struct rtr_table *t, size_t i)
{
	return i < t->n ? &t->routes[i] : NULL;
}
