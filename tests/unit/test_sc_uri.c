/* wss:// URI parser. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sc/sc_uri.h"
#include "tests/unit/harness.h"

struct uri_case {
	const char		*in;
	int			 rc;
	bool			 tls;
	enum sc_uri_host_kind	 kind;
	const char		*host;
	unsigned		 port;
	const char		*path;
	const char		*host_hdr;
};

static const struct uri_case good[] = {
	{ "wss://hub.example.com:4443/path", 0, true, SC_URI_HOST_NAME,
	    "hub.example.com", 4443, "/path", "hub.example.com:4443" },
	{ "WSS://Hub-1.example:1", 0, true, SC_URI_HOST_NAME, "Hub-1.example",
	    1, "/", "Hub-1.example:1" },
	{ "wss://127.0.0.1", 0, true, SC_URI_HOST_IPV4, "127.0.0.1", 443, "/",
	    "127.0.0.1" },
	{ "wss://[::1]:4443/", 0, true, SC_URI_HOST_IPV6, "::1", 4443, "/",
	    "[::1]:4443" },
	{ "wss://[2001:db8::a:1]/x/y?z=1", 0, true, SC_URI_HOST_IPV6,
	    "2001:db8::a:1", 443, "/x/y?z=1", "[2001:db8::a:1]" },
	{ "wss://[::ffff:192.0.2.1]:65535", 0, true, SC_URI_HOST_IPV6,
	    "::ffff:192.0.2.1", 65535, "/", "[::ffff:192.0.2.1]:65535" },
	{ "wss://[1:2:3:4:5:6:7:8]:9", 0, true, SC_URI_HOST_IPV6,
	    "1:2:3:4:5:6:7:8", 9, "/", "[1:2:3:4:5:6:7:8]:9" },
	{ "ws://localhost:8080/", 0, false, SC_URI_HOST_NAME, "localhost",
	    8080, "/", "localhost:8080" },
	{ "ws://localhost", 0, false, SC_URI_HOST_NAME, "localhost", 80, "/",
	    "localhost" },
	/* 256.1.1.1 is no IPv4 address, but is a valid DNS name form. */
	{ "wss://256.1.1.1", 0, true, SC_URI_HOST_NAME, "256.1.1.1", 443, "/",
	    "256.1.1.1" },
};

static const char *const bad[] = {
	"", "https://h/", "wss:/h", "wss://", "wss://:443/", "wss://h:0/",
	"wss://h:65536/", "wss://h:44a/", "wss://h:/", "wss://user@h/",
	"wss://h/#frag", "wss://[::1/", "wss://[::1]x/", "wss://[fe80::1%eth0]/",
	"wss://[1:2:3:4:5:6:7:8:9]/", "wss://[1::2::3]/", "wss://[12345::]/",
	"wss://[:1]/", "wss://[1:]/", "wss://-h/", "wss://h-/", "wss://a..b/",
	"wss://h/a b", "wss://h?x", "wss://h\x01/", "wss://[::1]:4443:1/",
	"wss://[]/",
};

static void
test_uri_good(void)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct sc_uri u;
		char hh[300];
		const char *why = NULL;

		if (sc_uri_parse(good[i].in, &u, &why) != 0) {
			fprintf(stderr, "\n%s: %s\n", good[i].in, why);
			CU_FAIL("good URI refused");
			continue;
		}
		CU_ASSERT_EQUAL(u.tls, good[i].tls);
		CU_ASSERT_EQUAL(u.host_kind, good[i].kind);
		CU_ASSERT_STRING_EQUAL(u.host, good[i].host);
		CU_ASSERT_EQUAL(u.port, good[i].port);
		CU_ASSERT_STRING_EQUAL(u.path, good[i].path);
		CU_ASSERT_EQUAL_FATAL(sc_uri_host_header(&u, hh, sizeof(hh)),
		    0);
		CU_ASSERT_STRING_EQUAL(hh, good[i].host_hdr);
	}
}

static void
test_uri_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sc_uri u;
		const char *why = NULL;

		if (sc_uri_parse(bad[i], &u, &why) == 0)
			fprintf(stderr, "\naccepted bad URI '%s'\n", bad[i]);
		else
			CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(sc_uri_parse(bad[i], &u, NULL), -1);
	}
	CU_ASSERT_EQUAL(sc_uri_parse(NULL, NULL, NULL), -1);
}

static void
test_uri_long(void)
{
	char buf[600], hh[8];
	struct sc_uri u;

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "wss://", 6);
	buf[6 + 254] = '\0';		/* 254-character host */
	CU_ASSERT_EQUAL(sc_uri_parse(buf, &u, NULL), -1);
	snprintf(buf, sizeof(buf), "wss://h/%0300d", 0);
	CU_ASSERT_EQUAL(sc_uri_parse(buf, &u, NULL), -1);
	CU_ASSERT_EQUAL_FATAL(sc_uri_parse("wss://abcdefgh:1", &u, NULL), 0);
	CU_ASSERT_EQUAL(sc_uri_host_header(&u, hh, sizeof(hh)), -1);
}

static const struct ut_case cases[] = {
	UT_CASE(test_uri_good),
	UT_CASE(test_uri_bad),
	UT_CASE(test_uri_long),
	UT_END
};
UT_SUITE(sc_uri, cases);
