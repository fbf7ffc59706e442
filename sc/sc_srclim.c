/*
 * Connections per source address and in total; see sc_srclim.h.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sc/sc_srclim.h"

void
sc_srclim_init(struct sc_srclim *t, unsigned per_source, unsigned total,
    uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	t->per_source = per_source;
	t->total = total;
	t->seed = seed;
}

void
sc_srclim_fini(struct sc_srclim *t)
{
	size_t i;

	for (i = 0; i < SC_SRCLIM_BUCKETS; i++) {
		struct sc_srclim_ent *e, *next;

		for (e = t->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		t->b[i] = NULL;
	}
	t->n = 0;
	t->n_sources = 0;
}

void
sc_srclim_key(const struct sockaddr *sa, uint8_t key[SC_SRCLIM_KEY_LEN])
{
	memset(key, 0, SC_SRCLIM_KEY_LEN);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		key[10] = 0xff;
		key[11] = 0xff;
		memcpy(key + 12, &s4->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		/*
		 * A v4-mapped address keeps its IPv4 part (the same key as
		 * AF_INET); any other IPv6 source counts by its /64, the
		 * least a site or a host is given, so one host cannot take
		 * a fresh slot for each address of its prefix.
		 */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			memcpy(key, &s6->sin6_addr, SC_SRCLIM_KEY_LEN);
		else
			memcpy(key, &s6->sin6_addr, 8);
	}
}

/* Seeded 64-bit multiply-xorshift over the key; the bucket index. */
static size_t
srclim_bucket(const struct sc_srclim *t, const uint8_t *key)
{
	uint64_t h = t->seed ^ 0x9e3779b97f4a7c15u;
	size_t i;

	for (i = 0; i < SC_SRCLIM_KEY_LEN; i++) {
		h ^= key[i];
		h *= 0xff51afd7ed558ccdu;
		h ^= h >> 29;
	}
	return (size_t)(h % SC_SRCLIM_BUCKETS);
}

static struct sc_srclim_ent *
srclim_find(const struct sc_srclim *t, const uint8_t *key, size_t bucket)
{
	struct sc_srclim_ent *e;

	for (e = t->b[bucket]; e != NULL; e = e->next)
		if (memcmp(e->key, key, SC_SRCLIM_KEY_LEN) == 0)
			return e;
	return NULL;
}

enum sc_srclim_rc
sc_srclim_take(struct sc_srclim *t, const uint8_t key[SC_SRCLIM_KEY_LEN],
    struct sc_srclim_ent **out)
{
	size_t bkt = srclim_bucket(t, key);
	struct sc_srclim_ent *e;

	if (t->total > 0 && t->n >= t->total)
		return SC_SRCLIM_FULL;
	e = srclim_find(t, key, bkt);
	if (e != NULL && t->per_source > 0 && e->n >= t->per_source)
		return SC_SRCLIM_PER_SOURCE;
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return SC_SRCLIM_NOMEM;
		memcpy(e->key, key, SC_SRCLIM_KEY_LEN);
		e->next = t->b[bkt];
		t->b[bkt] = e;
		t->n_sources++;
	}
	e->n++;
	t->n++;
	*out = e;
	return SC_SRCLIM_OK;
}

void
sc_srclim_put(struct sc_srclim *t, struct sc_srclim_ent *ent)
{
	struct sc_srclim_ent **pp;

	if (ent == NULL || ent->n == 0)
		return;
	ent->n--;
	t->n--;
	if (ent->n > 0)
		return;
	for (pp = &t->b[srclim_bucket(t, ent->key)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == ent) {
			*pp = ent->next;
			t->n_sources--;
			free(ent);
			return;
		}
	}
}

unsigned
sc_srclim_count(const struct sc_srclim *t,
    const uint8_t key[SC_SRCLIM_KEY_LEN])
{
	const struct sc_srclim_ent *e = srclim_find(t, key,
	    srclim_bucket(t, key));

	return e != NULL ? e->n : 0;
}

void
sc_srclim_set_limits(struct sc_srclim *t, unsigned per_source,
    unsigned total)
{
	/* Counts stay: a lowered limit refuses until they are below it. */
	t->per_source = per_source;
	t->total = total;
}
