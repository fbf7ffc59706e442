/*
 * Unit tests for sc/sc_srclim.c: counts per source address and in total.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sc/sc_srclim.h"
#include "tests/unit/harness.h"

static void
key4(const char *a, uint8_t key[SC_SRCLIM_KEY_LEN])
{
	struct sockaddr_in s4;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(1234);
	CU_ASSERT_FATAL(inet_pton(AF_INET, a, &s4.sin_addr) == 1);
	sc_srclim_key((const struct sockaddr *)&s4, key);
}

static void
key6(const char *a, uint8_t key[SC_SRCLIM_KEY_LEN])
{
	struct sockaddr_in6 s6;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(4321);
	CU_ASSERT_FATAL(inet_pton(AF_INET6, a, &s6.sin6_addr) == 1);
	sc_srclim_key((const struct sockaddr *)&s6, key);
}

static void
test_srclim_keys(void)
{
	uint8_t a[SC_SRCLIM_KEY_LEN], b[SC_SRCLIM_KEY_LEN];

	/* An IPv4 source and its v4-mapped form are one source; the port
	   does not matter. */
	key4("192.0.2.7", a);
	key6("::ffff:192.0.2.7", b);
	CU_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	key6("2001:db8::7", b);
	CU_ASSERT(memcmp(a, b, sizeof(a)) != 0);
	key4("192.0.2.8", b);
	CU_ASSERT(memcmp(a, b, sizeof(a)) != 0);
}

static void
test_srclim_v6_prefix(void)
{
	struct sc_srclim t;
	struct sc_srclim_ent *e[3], *x = NULL;
	uint8_t a[SC_SRCLIM_KEY_LEN], b[SC_SRCLIM_KEY_LEN];
	uint8_t c[SC_SRCLIM_KEY_LEN];

	/* Two addresses of one /64 are one source ... */
	key6("2001:db8:1:2::7", a);
	key6("2001:db8:1:2:aaaa:bbbb:cccc:dddd", b);
	CU_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	/* ... the next /64 is another one ... */
	key6("2001:db8:1:3::7", c);
	CU_ASSERT(memcmp(a, c, sizeof(a)) != 0);
	/* ... and v4-mapped sources in ::ffff:0:0/96 still count by IPv4
	   address, not all as one /64. */
	key6("::ffff:192.0.2.7", b);
	key6("::ffff:192.0.2.8", c);
	CU_ASSERT(memcmp(b, c, sizeof(b)) != 0);

	/* A host rotating through its /64 meets the per-source limit. */
	sc_srclim_init(&t, 2, 0, 99);
	key6("2001:db8:1:2::1", a);
	CU_ASSERT(sc_srclim_take(&t, a, &e[0]) == SC_SRCLIM_OK);
	key6("2001:db8:1:2::2", a);
	CU_ASSERT(sc_srclim_take(&t, a, &e[1]) == SC_SRCLIM_OK);
	key6("2001:db8:1:2::3", a);
	CU_ASSERT(sc_srclim_take(&t, a, &x) == SC_SRCLIM_PER_SOURCE);
	CU_ASSERT_EQUAL(sc_srclim_count(&t, a), 2);
	key6("2001:db8:1:3::3", a);
	CU_ASSERT(sc_srclim_take(&t, a, &e[2]) == SC_SRCLIM_OK);
	CU_ASSERT_EQUAL(t.n_sources, 2);
	sc_srclim_fini(&t);
}

static void
test_srclim_per_source(void)
{
	struct sc_srclim t;
	struct sc_srclim_ent *e[4], *o = NULL, *x = NULL;
	uint8_t a[SC_SRCLIM_KEY_LEN], b[SC_SRCLIM_KEY_LEN];
	int i;

	sc_srclim_init(&t, 3, 0, 12345);
	key4("10.0.0.1", a);
	key4("10.0.0.2", b);
	for (i = 0; i < 3; i++)
		CU_ASSERT(sc_srclim_take(&t, a, &e[i]) == SC_SRCLIM_OK);
	CU_ASSERT(sc_srclim_take(&t, a, &x) == SC_SRCLIM_PER_SOURCE);
	CU_ASSERT(x == NULL);
	CU_ASSERT_EQUAL(sc_srclim_count(&t, a), 3);
	/* Another source is not affected. */
	CU_ASSERT(sc_srclim_take(&t, b, &o) == SC_SRCLIM_OK);
	CU_ASSERT_EQUAL(t.n, 4);
	CU_ASSERT_EQUAL(t.n_sources, 2);
	/* A slot given back can be taken again. */
	sc_srclim_put(&t, e[1]);
	CU_ASSERT_EQUAL(sc_srclim_count(&t, a), 2);
	CU_ASSERT(sc_srclim_take(&t, a, &e[1]) == SC_SRCLIM_OK);
	CU_ASSERT(sc_srclim_take(&t, a, &x) == SC_SRCLIM_PER_SOURCE);
	/* The entry goes when its last connection does. */
	sc_srclim_put(&t, o);
	CU_ASSERT_EQUAL(t.n_sources, 1);
	CU_ASSERT_EQUAL(sc_srclim_count(&t, b), 0);
	for (i = 0; i < 3; i++)
		sc_srclim_put(&t, e[i]);
	CU_ASSERT_EQUAL(t.n, 0);
	CU_ASSERT_EQUAL(t.n_sources, 0);
	sc_srclim_fini(&t);
}

static void
test_srclim_total(void)
{
	struct sc_srclim t;
	struct sc_srclim_ent *e[600], *x = NULL;
	uint8_t k[SC_SRCLIM_KEY_LEN];
	char a[32];
	int i;

	/* More sources than buckets: chains work, and the total holds. */
	sc_srclim_init(&t, 2, 600, 7);
	for (i = 0; i < 600; i++) {
		snprintf(a, sizeof(a), "10.1.%d.%d", i / 250, i % 250 + 1);
		key4(a, k);
		CU_ASSERT_FATAL(sc_srclim_take(&t, k, &e[i]) == SC_SRCLIM_OK);
	}
	CU_ASSERT_EQUAL(t.n_sources, 600);
	key4("10.9.9.9", k);
	CU_ASSERT(sc_srclim_take(&t, k, &x) == SC_SRCLIM_FULL);
	for (i = 0; i < 600; i++) {
		snprintf(a, sizeof(a), "10.1.%d.%d", i / 250, i % 250 + 1);
		key4(a, k);
		CU_ASSERT_EQUAL(sc_srclim_count(&t, k), 1);
	}
	for (i = 0; i < 600; i += 2)
		sc_srclim_put(&t, e[i]);
	CU_ASSERT_EQUAL(t.n, 300);
	CU_ASSERT_EQUAL(t.n_sources, 300);
	key4("10.1.0.2", k);	/* e[1]'s source: still there */
	CU_ASSERT_EQUAL(sc_srclim_count(&t, k), 1);
	key4("10.1.0.1", k);	/* e[0]'s: gone */
	CU_ASSERT_EQUAL(sc_srclim_count(&t, k), 0);
	/* fini frees what is left (ASan would report a leak otherwise). */
	sc_srclim_fini(&t);
	CU_ASSERT_EQUAL(t.n, 0);
}

static void
test_srclim_no_limits(void)
{
	struct sc_srclim t;
	struct sc_srclim_ent *e;
	uint8_t k[SC_SRCLIM_KEY_LEN];
	int i;

	sc_srclim_init(&t, 0, 0, 1);
	key6("::1", k);
	for (i = 0; i < 1000; i++)
		CU_ASSERT(sc_srclim_take(&t, k, &e) == SC_SRCLIM_OK);
	CU_ASSERT_EQUAL(sc_srclim_count(&t, k), 1000);
	CU_ASSERT_EQUAL(t.n_sources, 1);
	sc_srclim_put(&t, NULL);	/* no-op */
	sc_srclim_fini(&t);
}

static void
test_srclim_set_limits(void)
{
	struct sc_srclim t;
	struct sc_srclim_ent *e[6], *x = NULL;
	uint8_t a[SC_SRCLIM_KEY_LEN], b[SC_SRCLIM_KEY_LEN];
	int i;

	sc_srclim_init(&t, 4, 6, 3);
	key4("192.0.2.1", a);
	key4("192.0.2.2", b);
	for (i = 0; i < 4; i++)
		CU_ASSERT_FATAL(sc_srclim_take(&t, a, &e[i]) == SC_SRCLIM_OK);
	CU_ASSERT_FATAL(sc_srclim_take(&t, b, &e[4]) == SC_SRCLIM_OK);
	/* Lowered below what is held: nothing is dropped, nothing new. */
	sc_srclim_set_limits(&t, 2, 3);
	CU_ASSERT_EQUAL(t.n, 5);
	CU_ASSERT_EQUAL(sc_srclim_count(&t, a), 4);
	CU_ASSERT(sc_srclim_take(&t, b, &x) == SC_SRCLIM_FULL);
	sc_srclim_put(&t, e[4]);
	sc_srclim_put(&t, e[3]);	/* 3 in all, 3 from a */
	CU_ASSERT(sc_srclim_take(&t, b, &x) == SC_SRCLIM_FULL);
	sc_srclim_put(&t, e[2]);	/* 2 in all, 2 from a */
	CU_ASSERT(sc_srclim_take(&t, a, &x) == SC_SRCLIM_PER_SOURCE);
	CU_ASSERT_FATAL(sc_srclim_take(&t, b, &e[2]) == SC_SRCLIM_OK);
	/* Raised: taken at once. */
	sc_srclim_set_limits(&t, 5, 0);
	for (i = 3; i < 6; i++)
		CU_ASSERT_FATAL(sc_srclim_take(&t, a, &e[i]) == SC_SRCLIM_OK);
	CU_ASSERT_EQUAL(sc_srclim_count(&t, a), 5);
	CU_ASSERT(sc_srclim_take(&t, a, &x) == SC_SRCLIM_PER_SOURCE);
	sc_srclim_fini(&t);
}

static const struct ut_case cases[] = {
	UT_CASE(test_srclim_keys),
	UT_CASE(test_srclim_v6_prefix),
	UT_CASE(test_srclim_per_source),
	UT_CASE(test_srclim_total),
	UT_CASE(test_srclim_no_limits),
	UT_CASE(test_srclim_set_limits),
	UT_END
};
UT_SUITE(sc_srclim, cases);
