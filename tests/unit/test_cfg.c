/*
 * Configuration: value parsers, loading, validation rules, file checks,
 * reload checks and print round trips.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "router/cfg.h"
#include "router/cfg_int.h"
#include "tests/unit/harness.h"

/* A valid configuration with one port of each kind. */
static const char base_conf[] =
    "device = { instance = 7; };\n"
    "bip = ( { name = \"lan\"; network = 1; bind = \"192.0.2.1\";\n"
    "          mode = \"bbmd\";\n"
    "          bdt = ( { address = \"192.0.2.1\"; },\n"
    "                  { address = \"198.51.100.1:47809\";\n"
    "                    mask = \"255.255.255.0\"; } ); } );\n"
    "sc = ( { name = \"sc\"; network = 2; primary_hub = \"wss://h:4443/x\";\n"
    "         tls = { certificate = \"c\"; key = \"k\"; ca = [ \"a\" ]; };\n"
    "         hub_function = { enabled = true; listen = \"*:4443\"; }; } );\n";

static struct cfg *
load_ok(const char *text)
{
	struct cfg_errs e;
	struct cfg *c = NULL;
	int rc;

	cfg_errs_init(&e);
	rc = cfg_load_string(text, "t.conf", &c, &e);
	if (rc != 0 || e.n != 0)
		cfg_errs_print(&e, stderr);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(e.n, 0);
	CU_ASSERT_PTR_NOT_NULL(c);
	if (c != NULL) {
		CU_ASSERT_EQUAL(cfg_validate(c, &e), 0);
		if (e.n != 0)
			cfg_errs_print(&e, stderr);
	}
	cfg_errs_fini(&e);
	return c;
}

/* Load (and, if it parsed, validate) text; return every error joined. */
static char *
errors_of(const char *text)
{
	struct cfg_errs e;
	struct cfg *c = NULL;
	char *buf = NULL, line[1024];
	size_t len = 0, i;
	FILE *fp;

	cfg_errs_init(&e);
	cfg_load_string(text, "t.conf", &c, &e);
	if (c != NULL)
		cfg_validate(c, &e);
	fp = open_memstream(&buf, &len);
	for (i = 0; fp != NULL && i < e.n; i++)
		fprintf(fp, "%s\n", cfg_err_text(&e, i, line, sizeof(line)));
	if (fp != NULL)
		fclose(fp);
	cfg_free(c);
	cfg_errs_fini(&e);
	return buf;
}

static void
assert_error(const char *text, const char *want)
{
	char *got = errors_of(text);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (strstr(got, want) == NULL)
		fprintf(stderr, "\nwanted: %s\ngot:\n%s", want, got);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	free(got);
}

static char *
print_to_string(const struct cfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	cfg_print(c, fp);
	fclose(fp);
	return buf;
}

/* ------------------------------------------------------------ parsers */

static void
test_parse_ipv4(void)
{
	static const char *const good[] = {
		"0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.0.255",
	};
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
		"01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.-4", "1.2.3.4:5",
		"1234.1.1.1",
	};
	uint8_t a[4];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_EQUAL(cfg_parse_ipv4(good[i], a), 0);
	CU_ASSERT_EQUAL(cfg_parse_ipv4("192.0.2.1", a), 0);
	CU_ASSERT(a[0] == 192 && a[1] == 0 && a[2] == 2 && a[3] == 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(a, 0x5a, 4);
		CU_ASSERT_EQUAL(cfg_parse_ipv4(bad[i], a), -1);
		CU_ASSERT_EQUAL(a[0], 0x5a);	/* untouched on failure */
	}
}

static void
test_parse_ep4(void)
{
	struct cfg_ep4 e;

	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3", 47808, &e), 0);
	CU_ASSERT_EQUAL(e.port, 47808);
	CU_ASSERT_EQUAL(e.addr[3], 3);
	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3:1", 47808, &e), 0);
	CU_ASSERT_EQUAL(e.port, 1);
	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3:65535", 47808, &e), 0);
	CU_ASSERT_EQUAL(e.port, 65535);
	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3:0", 47808, &e), -1);
	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3:65536", 47808, &e), -1);
	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3:", 47808, &e), -1);
	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3:08", 47808, &e), -1);
	CU_ASSERT_EQUAL(cfg_parse_ep4("10.1.2.3:80x", 47808, &e), -1);
	CU_ASSERT_EQUAL(cfg_parse_ep4("host:80", 47808, &e), -1);
}

static void
test_parse_mask(void)
{
	uint8_t m[4];
	int bits;

	/* every prefix length 1..32 is contiguous; its neighbours are not */
	for (bits = 1; bits <= 32; bits++) {
		uint32_t v = bits == 32 ? 0xffffffffu :
		    ~(0xffffffffu >> bits);
		char s[32];

		snprintf(s, sizeof(s), "%u.%u.%u.%u", v >> 24, v >> 16 & 0xff,
		    v >> 8 & 0xff, v & 0xff);
		CU_ASSERT_EQUAL(cfg_parse_mask(s, m), 0);
		if (bits < 31) {
			v |= 1;	/* a stray low bit */
			snprintf(s, sizeof(s), "%u.%u.%u.%u", v >> 24,
			    v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff);
			CU_ASSERT_EQUAL(cfg_parse_mask(s, m), -1);
		}
	}
	CU_ASSERT_EQUAL(cfg_parse_mask("0.0.0.0", m), -1);
	CU_ASSERT_EQUAL(cfg_parse_mask("255.0.255.0", m), -1);
	CU_ASSERT_EQUAL(cfg_parse_mask("255.255.255.0", m), 0);
	CU_ASSERT(m[0] == 255 && m[2] == 255 && m[3] == 0);
}

static void
test_parse_vmac(void)
{
	struct cfg_vmac v;
	const char *why = NULL;

	CU_ASSERT_EQUAL(cfg_parse_vmac("random", true, &v, &why), 0);
	CU_ASSERT_TRUE(v.random);
	CU_ASSERT_EQUAL(cfg_parse_vmac("random", false, &v, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(cfg_parse_vmac("02:Ab:cD:00:10:ff", false, &v, &why),
	    0);
	CU_ASSERT_FALSE(v.random);
	CU_ASSERT(v.mac[0] == 0x02 && v.mac[1] == 0xab && v.mac[2] == 0xcd &&
	    v.mac[5] == 0xff);
	why = NULL;
	CU_ASSERT_EQUAL(cfg_parse_vmac("ff:ff:ff:ff:ff:ff", true, &v, &why),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "broadcast"));
	CU_ASSERT_EQUAL(cfg_parse_vmac("00:00:00:00:00:00", true, &v, &why),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "all-zero"));
	CU_ASSERT_EQUAL(cfg_parse_vmac("02:00:00:00:00", true, &v, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_vmac("02:00:00:00:00:01:", true, &v, &why),
	    -1);
	CU_ASSERT_EQUAL(cfg_parse_vmac("02-00-00-00-00-01", true, &v, &why),
	    -1);
	CU_ASSERT_EQUAL(cfg_parse_vmac("2:00:00:00:00:01", true, &v, &why),
	    -1);
	CU_ASSERT_EQUAL(cfg_parse_vmac("0g:00:00:00:00:01", true, &v, &why),
	    -1);
	CU_ASSERT_EQUAL(cfg_parse_vmac("", true, &v, &why), -1);
}

static void
test_parse_uuid(void)
{
	struct cfg_uuid u;

	CU_ASSERT_EQUAL(cfg_parse_uuid("generate", &u), 0);
	CU_ASSERT_TRUE(u.generate);
	CU_ASSERT_EQUAL(cfg_parse_uuid("0A1B2C3D-4e5f-6071-8293-a4b5c6d7e8f9",
	    &u), 0);
	CU_ASSERT_FALSE(u.generate);
	CU_ASSERT(u.b[0] == 0x0a && u.b[4] == 0x4e && u.b[15] == 0xf9);
	CU_ASSERT_EQUAL(cfg_parse_uuid("0a1b2c3d4e5f-6071-8293-a4b5c6d7e8f9-",
	    &u), -1);
	CU_ASSERT_EQUAL(cfg_parse_uuid("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f",
	    &u), -1);
	CU_ASSERT_EQUAL(cfg_parse_uuid("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg",
	    &u), -1);
	CU_ASSERT_EQUAL(cfg_parse_uuid("{0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f}",
	    &u), -1);
	CU_ASSERT_EQUAL(cfg_parse_uuid("Generate", &u), -1);
}

static void
test_parse_uri(void)
{
	struct cfg_uri u;
	const char *why = NULL;

	CU_ASSERT_EQUAL_FATAL(cfg_parse_uri("wss://hub.example.com", &u, &why),
	    0);
	CU_ASSERT_TRUE(u.tls);
	CU_ASSERT_STRING_EQUAL(u.host, "hub.example.com");
	CU_ASSERT_EQUAL(u.port, 443);
	CU_ASSERT_STRING_EQUAL(u.path, "/");
	cfg_uri_fini(&u);
	CU_ASSERT_EQUAL_FATAL(cfg_parse_uri("ws://[2001:db8::1]:8080/a/b?c=d",
	    &u, &why), 0);
	CU_ASSERT_FALSE(u.tls);
	CU_ASSERT_STRING_EQUAL(u.host, "2001:db8::1");
	CU_ASSERT_EQUAL(u.port, 8080);
	CU_ASSERT_STRING_EQUAL(u.path, "/a/b?c=d");
	CU_ASSERT_STRING_EQUAL(u.text, "ws://[2001:db8::1]:8080/a/b?c=d");
	cfg_uri_fini(&u);
	CU_ASSERT_EQUAL_FATAL(cfg_parse_uri("ws://h", &u, &why), 0);
	CU_ASSERT_EQUAL(u.port, 80);
	cfg_uri_fini(&u);

	CU_ASSERT_EQUAL(cfg_parse_uri("https://h/", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://h:0", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://h:65536", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://h:44x3/", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://u@h/", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://h/#frag", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://h h/", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://[::1/", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://[zz::1]/", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://h?q", &u, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_uri("wss://h!/", &u, &why), -1);
}

static void
test_parse_listen(void)
{
	struct cfg_listen l;
	const char *why;

	CU_ASSERT_EQUAL_FATAL(cfg_parse_listen("*:4443", &l, &why), 0);
	CU_ASSERT_STRING_EQUAL(l.host, "0.0.0.0");
	CU_ASSERT_EQUAL(l.port, 4443);
	CU_ASSERT_FALSE(l.v6);
	cfg_listen_fini(&l);
	CU_ASSERT_EQUAL_FATAL(cfg_parse_listen("[::]:1", &l, &why), 0);
	CU_ASSERT_STRING_EQUAL(l.host, "::");
	CU_ASSERT_TRUE(l.v6);
	cfg_listen_fini(&l);
	CU_ASSERT_EQUAL_FATAL(cfg_parse_listen("127.0.0.1:47843", &l, &why),
	    0);
	CU_ASSERT_STRING_EQUAL(l.host, "127.0.0.1");
	cfg_listen_fini(&l);
	CU_ASSERT_EQUAL(cfg_parse_listen("127.0.0.1", &l, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_listen("127.0.0.1:0", &l, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_listen("localhost:80", &l, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_listen(":80", &l, &why), -1);
	CU_ASSERT_EQUAL(cfg_parse_listen("[::1]x80", &l, &why), -1);
}

static void
test_parse_misc(void)
{
	uint32_t m = 1;

	CU_ASSERT_EQUAL(cfg_parse_mode("0660", &m), 0);
	CU_ASSERT_EQUAL(m, 0660);
	CU_ASSERT_EQUAL(cfg_parse_mode("0", &m), 0);
	CU_ASSERT_EQUAL(m, 0);
	CU_ASSERT_EQUAL(cfg_parse_mode("0777", &m), 0);
	CU_ASSERT_EQUAL(m, 0777);
	CU_ASSERT_EQUAL(cfg_parse_mode("660", &m), -1);
	CU_ASSERT_EQUAL(cfg_parse_mode("0680", &m), -1);
	CU_ASSERT_EQUAL(cfg_parse_mode("01777", &m), -1);
	CU_ASSERT_EQUAL(cfg_parse_mode("", &m), -1);

	CU_ASSERT_TRUE(cfg_name_is_valid("a"));
	CU_ASSERT_TRUE(cfg_name_is_valid("Sc-1_b"));
	CU_ASSERT_TRUE(cfg_name_is_valid("abcdefghijklmnopqrstuvwxyz01234"));
	CU_ASSERT_FALSE(cfg_name_is_valid("abcdefghijklmnopqrstuvwxyz012345"));
	CU_ASSERT_FALSE(cfg_name_is_valid(""));
	CU_ASSERT_FALSE(cfg_name_is_valid("a b"));
	CU_ASSERT_FALSE(cfg_name_is_valid("a.b"));

	CU_ASSERT_EQUAL(cfg_edit_distance("port", "port"), 0);
	CU_ASSERT_EQUAL(cfg_edit_distance("prot", "port"), 2);
	CU_ASSERT_EQUAL(cfg_edit_distance("broadcat", "broadcast"), 1);
	CU_ASSERT_EQUAL(cfg_edit_distance("colour", "port"), 3);
	CU_ASSERT_EQUAL(cfg_edit_distance("", "abc"), 3);
}

/* ------------------------------------------------------------ loading */

static void
test_load_fields(void)
{
	struct cfg *c = load_ok(base_conf);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->device.instance, 7);
	CU_ASSERT_STRING_EQUAL(c->device.name, "bacsc-router-7");
	CU_ASSERT_TRUE(c->device.uuid.generate);
	CU_ASSERT_TRUE(c->device.enabled);
	CU_ASSERT_EQUAL(c->router.search_timeout_ms, 2000);
	CU_ASSERT_EQUAL_FATAL(c->n_bip, 1);
	CU_ASSERT_STRING_EQUAL(c->bip[0].name, "lan");
	CU_ASSERT_EQUAL(c->bip[0].network, 1);
	CU_ASSERT_EQUAL(c->bip[0].port, 47808);
	CU_ASSERT_EQUAL(c->bip[0].mode, CFG_BIP_BBMD);
	CU_ASSERT_FALSE(c->bip[0].has_broadcast);
	CU_ASSERT_FALSE(c->bip[0].has_fdt_limit);
	CU_ASSERT_EQUAL(c->bip[0].fdt_limit, 128);
	CU_ASSERT_EQUAL_FATAL(c->bip[0].n_bdt, 2);
	CU_ASSERT_EQUAL(c->bip[0].bdt[0].addr.port, 47808);
	CU_ASSERT_EQUAL(c->bip[0].bdt[0].mask[3], 255);
	CU_ASSERT_EQUAL(c->bip[0].bdt[1].addr.addr[0], 198);
	CU_ASSERT_EQUAL(c->bip[0].bdt[1].addr.port, 47809);
	CU_ASSERT_EQUAL(c->bip[0].bdt[1].mask[3], 0);
	CU_ASSERT_EQUAL_FATAL(c->n_sc, 1);
	CU_ASSERT_TRUE(c->sc[0].vmac.random);
	CU_ASSERT_EQUAL(c->sc[0].primary_hub.port, 4443);
	CU_ASSERT_STRING_EQUAL(c->sc[0].primary_hub.path, "/x");
	CU_ASSERT_PTR_NULL(c->sc[0].failover_hub.text);
	CU_ASSERT_EQUAL_FATAL(c->sc[0].tls.ca.n, 1);
	CU_ASSERT_STRING_EQUAL(c->sc[0].tls.ca.v[0], "a");
	CU_ASSERT_EQUAL(c->sc[0].timers.connect_wait, 10);
	CU_ASSERT_EQUAL(c->sc[0].timers.heartbeat, 300);
	CU_ASSERT_EQUAL(c->sc[0].max_bvlc, 1600);
	CU_ASSERT_EQUAL(c->sc[0].max_npdu, 1497);
	CU_ASSERT_TRUE(c->sc[0].hub_function.enabled);
	CU_ASSERT_STRING_EQUAL(c->sc[0].hub_function.listen.host, "0.0.0.0");
	CU_ASSERT_EQUAL(c->sc[0].node_switch.policy, CFG_NS_NEVER);
	CU_ASSERT_EQUAL(c->control.mode, 0660);
	CU_ASSERT_STRING_EQUAL(c->state_dir, "/var/lib/bacsc-router");
	CU_ASSERT_PTR_NULL(c->user);
	CU_ASSERT_EQUAL(cfg_line_of(c, "bip[0].mode"), 3);
	CU_ASSERT_EQUAL(cfg_line_of(c, "bip[0].bdt[1].mask"), 6);
	CU_ASSERT_EQUAL(cfg_line_of(c, "sc[0].timers.heartbeat"), 7);
	CU_ASSERT_EQUAL(cfg_line_of(c, "nothing"), 0);
	cfg_free(c);
}

static void
test_load_errors_exact(void)
{
	char *got = errors_of("device = { instance = 1; };\n"
	    "bip = ( { name = \"lan\"; network = 1;\n"
	    "  bind = \"192.0.2.1\"; port = 70000; prot = 1; } );\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got,
	    "t.conf:3: bip[0].prot: unknown setting in bip port "
	    "(did you mean \"port\"?)\n"
	    "t.conf:3: bip[0].port: 70000 is out of range (1..65535)\n");
	free(got);
}

static void
test_load_all_errors(void)
{
	/* five independent mistakes: all five are reported */
	char *got = errors_of("device = { instance = -1; };\n"
	    "router = { nl_rate = 0; };\n"
	    "bip = ( { name = \"a b\"; network = 0;\n"
	    "  bind = \"1.2.3.4\"; mode = \"x\"; } );\n");
	const char *p;
	int lines = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	for (p = got; *p != '\0'; p++)
		lines += *p == '\n';
	CU_ASSERT_EQUAL(lines, 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "device.instance: -1 is out"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "router.nl_rate: 0 is out"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "bip[0].name: \"a b\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "bip[0].network: 0 is out"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "bip[0].mode: \"x\" is not one"));
	free(got);
}

static void
test_load_overflow(void)
{
	/* libconfig 1.5 would read 4294967297 as 1: it must be refused */
	assert_error("device = { instance = 1; };\n"
	    "bip = ( { name = \"a\"; network = 4294967297; "
	    "bind = \"1.2.3.4\"; } );\n",
	    "t.conf:2: bip[0].network: 4294967297 is out of range (1..65534)");
	/* a big literal in a comment or string does not count */
	assert_error("# port = 4294967297\n"
	    "device = { instance = 1; description = \"99999999999\"; };\n",
	    "t.conf: bip: no ports");
}

static void
test_load_syntax_error(void)
{
	struct cfg_errs e;
	struct cfg *c = NULL;
	char buf[256];

	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_load_string("a = 1;\nb = ;\n", "x.conf", &c, &e),
	    -1);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL_FATAL(e.n, 1);
	CU_ASSERT_STRING_EQUAL(cfg_err_text(&e, 0, buf, sizeof(buf)),
	    "x.conf:2: syntax error");
	cfg_errs_fini(&e);

	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_load("/nonexistent/bacsc.conf", &c, &e), -1);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL_FATAL(e.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg_err_text(&e, 0, buf, sizeof(buf)),
	    "/nonexistent/bacsc.conf: cannot open"));
	cfg_errs_fini(&e);
}

/* ---------------------------------------------------------- validation */

static size_t
validate_count(const struct cfg *c, const char *want)
{
	struct cfg_errs e;
	char buf[1024];
	size_t i, n;
	bool found = want == NULL;

	cfg_errs_init(&e);
	cfg_validate(c, &e);
	for (i = 0; i < e.n; i++)
		if (want != NULL && strstr(cfg_err_text(&e, i, buf,
		    sizeof(buf)), want) != NULL)
			found = true;
	if (!found)
		cfg_errs_print(&e, stderr);
	CU_ASSERT_TRUE(found);
	n = e.n;
	cfg_errs_fini(&e);
	return n;
}

static void
test_validate_rules(void)
{
	struct cfg *c = load_ok(base_conf);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* each change alone makes exactly one error */
	c->sc[0].network = 1;
	CU_ASSERT_EQUAL(validate_count(c, "t.conf:7: sc[0].network: 1 is "
	    "already the network of bip[0]"), 1);
	c->sc[0].network = 2;
	c->bip[0].mode = CFG_BIP_PLAIN;
	CU_ASSERT_EQUAL(validate_count(c, "t.conf:4: bip[0].bdt: only "
	    "allowed in mode \"bbmd\""), 1);
	c->bip[0].mode = CFG_BIP_BBMD;
	c->bip[0].bind[3] = 9;	/* BDT no longer lists this BBMD */
	CU_ASSERT_EQUAL(validate_count(c, "has no entry for this BBMD "
	    "itself (192.0.2.9:47808)"), 1);
	c->bip[0].bind[3] = 1;
	c->sc[0].max_npdu = 1585;
	CU_ASSERT_EQUAL(validate_count(c, "sc[0].max_bvlc: 1600 is too "
	    "small for max_npdu 1585"), 1);
	c->sc[0].max_npdu = 1584;	/* 1584 + 16 = 1600 fits */
	CU_ASSERT_EQUAL(validate_count(c, NULL), 0);
	c->sc[0].timers.min_reconnect = 61;
	CU_ASSERT_EQUAL(validate_count(c, "max_reconnect: 60 is less than "
	    "min_reconnect (61)"), 1);
	c->sc[0].timers.min_reconnect = 60;
	CU_ASSERT_EQUAL(validate_count(c, NULL), 0);
	c->sc[0].primary_hub.tls = false;
	CU_ASSERT_EQUAL(validate_count(c, "allow_plaintext_ws"), 1);
	c->sc[0].allow_plaintext_ws = true;
	CU_ASSERT_EQUAL(validate_count(c, NULL), 0);
	c->sc[0].hub_function.enabled = true;
	c->sc[0].node_switch.enabled = true;
	CU_ASSERT_EQUAL(validate_count(c, "neither accepts"), 1);
	c->sc[0].node_switch.policy = CFG_NS_ON_DEMAND;
	CU_ASSERT_EQUAL(validate_count(c, NULL), 0);
	free(c->sc[0].name);
	c->sc[0].name = strdup("lan");
	CU_ASSERT_EQUAL(validate_count(c, "sc[0].name: \"lan\" is already "
	    "the name of bip[0]"), 1);
	cfg_free(c);
}

/* Every integer setting: min and max pass, min-1 and max+1 fail. */
static void
range_walk(struct cfg *c, const struct cfg_table *t, void *obj)
{
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		const struct cfg_field *f = &t->f[i];
		void *p = CFG_AT(obj, f);
		long long probe[4], typemax;
		int j;

		if (f->kind == CK_GROUP) {
			range_walk(c, f->sub, p);
			continue;
		}
		if (f->kind == CK_LIST) {
			size_t n = *(size_t *)((char *)obj + f->cnt_off);

			for (k = 0; k < n; k++)
				range_walk(c, f->sub, *(char **)p +
				    k * f->sub->size);
			continue;
		}
		if (f->kind != CK_U16 && f->kind != CK_U32)
			continue;
		typemax = f->kind == CK_U16 ? 65535 : 4294967295LL;
		probe[0] = f->min;
		probe[1] = f->max;
		probe[2] = f->min - 1;
		probe[3] = f->max + 1;
		for (j = 0; j < 4; j++) {
			struct cfg_errs e;
			uint32_t save32 = 0;
			uint16_t save16 = 0;
			bool want_ok = j < 2;
			int rc;

			if (probe[j] < 0 || probe[j] > typemax)
				continue;	/* not representable */
			if (f->kind == CK_U16) {
				save16 = *(uint16_t *)p;
				*(uint16_t *)p = (uint16_t)probe[j];
			} else {
				save32 = *(uint32_t *)p;
				*(uint32_t *)p = (uint32_t)probe[j];
			}
			cfg_errs_init(&e);
			rc = cfg_validate(c, &e);
			/* cross-field rules may object to extremes, but
			 * never call min or max out of range */
			if (!want_ok)
				CU_ASSERT_EQUAL(rc, -1);
			for (k = 0; k < e.n; k++)
				CU_ASSERT_EQUAL(want_ok && strstr(e.v[k].msg,
				    "out of range") != NULL, false);
			cfg_errs_fini(&e);
			if (f->kind == CK_U16)
				*(uint16_t *)p = save16;
			else
				*(uint32_t *)p = save32;
		}
	}
}

static void
test_validate_ranges(void)
{
	struct cfg *c = load_ok(base_conf);
	struct cfg_errs e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	range_walk(c, &cfg_root_table, c);
	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_validate(c, &e), 0);	/* all restored */
	cfg_errs_fini(&e);
	cfg_free(c);
}

/* ------------------------------------------------------- files, reload */

/* Self-signed, valid 2025-01-01 to 2099-12-31 23:59:59 UTC. */
static const char pem_valid[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBMjCB2KADAgECAhRHho41t0yADnoTHlz4+NlrVubQSzAKBggqhkjOPQQDAjAY\n"
    "MRYwFAYDVQQDDA1nb2xkZW4tcm91dGVyMCAXDTI1MDEwMTAwMDAwMFoYDzIwOTkx\n"
    "MjMxMjM1OTU5WjAYMRYwFAYDVQQDDA1nb2xkZW4tcm91dGVyMFkwEwYHKoZIzj0C\n"
    "AQYIKoZIzj0DAQcDQgAEb8N2ii/27+enoKV3/fgWuk2Tce3erTwHRbOjKycM6KmG\n"
    "2Dg7gNrNdChUj4+NiP5Q+oXuhFTtXTrHn9LtHEdm0zAKBggqhkjOPQQDAgNJADBG\n"
    "AiEA+pV2+4r9l2bOWVpxKcI143rr2JlDRfW2htNjdoCb60oCIQCsrMvJAXVxSGHl\n"
    "ry5KoFRHMv/voJ4ABd22CeuqeKPpKA==\n"
    "-----END CERTIFICATE-----\n";

/* Valid 2020-01-01 to 2021-01-01: expired. */
static const char pem_expired[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBMDCB2KADAgECAhQJDJrMav5LKnjfuw1syJRu1RA4rzAKBggqhkjOPQQDAjAZ\n"
    "MRcwFQYDVQQDDA5nb2xkZW4tZXhwaXJlZDAeFw0yMDAxMDEwMDAwMDBaFw0yMTAx\n"
    "MDEwMDAwMDBaMBkxFzAVBgNVBAMMDmdvbGRlbi1leHBpcmVkMFkwEwYHKoZIzj0C\n"
    "AQYIKoZIzj0DAQcDQgAEjSNwGLac1JDv3k84PAgjhm+xtmcnoYhhqzgfSV/N1i5U\n"
    "7qFVaJIPSDs4bJQMRnBPl02lezCPsyO2z3J/2sRxIzAKBggqhkjOPQQDAgNHADBE\n"
    "AiAZNbc7zetfTAVrgoNGnBLtnbWfjlXA67yxxyO5hGX2+AIgNsEaBnT0ePT4ti3A\n"
    "HimSy6cwCZXg2ROnT9VXrDaqHh0=\n"
    "-----END CERTIFICATE-----\n";

/* Valid 2099-01-01 to 2099-12-31: not valid yet. */
static const char pem_future[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBNDCB2qADAgECAhR7P4CObcMS6+DA/HCh9CI3uK3FBjAKBggqhkjOPQQDAjAY\n"
    "MRYwFAYDVQQDDA1nb2xkZW4tZnV0dXJlMCIYDzIwOTkwMTAxMDAwMDAwWhgPMjA5\n"
    "OTEyMzEwMDAwMDBaMBgxFjAUBgNVBAMMDWdvbGRlbi1mdXR1cmUwWTATBgcqhkjO\n"
    "PQIBBggqhkjOPQMBBwNCAAQU9z9p/YNdSTzo8VZYvIhEZlNy9dYffIoM8uJIDuhb\n"
    "t8yi/EBt4W5DydFPbSZ25H3NJNMtBM1WcEwVmvIcrQ6oMAoGCCqGSM49BAMCA0kA\n"
    "MEYCIQDFxTREYd0goGjCb1qOrPiQ2SbYY2NWdiSPeq+3TEGJVAIhAM9NFqzqi1Ew\n"
    "rvgZzE9XSp4LpImKCPrKaQ7NIwcbRKF4\n"
    "-----END CERTIFICATE-----\n";

static void
write_text(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
}

static void
write_file(const char *path, mode_t mode)
{
	write_text(path, "x\n", mode);
}

static void
test_check_files(void)
{
	char dir[] = "/tmp/cfgtest.XXXXXX", text[2048], p[3][256];
	struct cfg_errs e;
	struct cfg *c;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (i = 0; i < 3; i++)
		snprintf(p[i], sizeof(p[i]), "%s/%s", dir,
		    i == 0 ? "c.pem" : i == 1 ? "k.pem" : "ca.pem");
	write_text(p[0], pem_valid, 0644);
	write_file(p[1], 0600);
	write_file(p[2], 0644);
	snprintf(text, sizeof(text), "device = { instance = 1; };\n"
	    "sc = ( { name = \"s\"; network = 2; primary_hub = \"wss://h\";\n"
	    "  tls = { certificate = \"%s\"; key = \"%s\"; ca = [ \"%s\" ]; };"
	    " } );\n", p[0], p[1], p[2]);
	c = load_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_check_files(c, &e), 0);
	cfg_errs_fini(&e);

	CU_ASSERT_EQUAL(chmod(p[1], 0640), 0);	/* group may read the key */
	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_check_files(c, &e), -1);
	CU_ASSERT_EQUAL(e.n, 1);
	if (e.n == 1) {
		CU_ASSERT_STRING_EQUAL(e.v[0].path, "sc[0].tls.key");
		CU_ASSERT_PTR_NOT_NULL(strstr(e.v[0].msg, "mode 0640"));
	}
	cfg_errs_fini(&e);

	CU_ASSERT_EQUAL(unlink(p[2]), 0);	/* the CA file is gone */
	CU_ASSERT_EQUAL(chmod(p[1], 0400), 0);
	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_check_files(c, &e), -1);
	CU_ASSERT_EQUAL(e.n, 1);
	if (e.n == 1)
		CU_ASSERT_STRING_EQUAL(e.v[0].path, "sc[0].tls.ca[0]");
	cfg_errs_fini(&e);
	write_file(p[2], 0644);

	/* The operational certificate: a PEM certificate valid now. */
	{
		static const struct {
			const char *pem, *want;
		} certs[] = {
			{ "x\n", "holds no PEM certificate" },
			{ pem_expired, "has expired: valid from 2020-01-01 "
			    "00:00:00 UTC until 2021-01-01 00:00:00 UTC" },
			{ pem_future, "is not valid yet: valid from 2099-01-01 "
			    "00:00:00 UTC until 2099-12-31 00:00:00 UTC" },
		};
		size_t k;

		for (k = 0; k < sizeof(certs) / sizeof(certs[0]); k++) {
			write_text(p[0], certs[k].pem, 0644);
			cfg_errs_init(&e);
			CU_ASSERT_EQUAL(cfg_check_files(c, &e), -1);
			CU_ASSERT_EQUAL(e.n, 1);
			if (e.n == 1) {
				CU_ASSERT_STRING_EQUAL(e.v[0].path,
				    "sc[0].tls.certificate");
				CU_ASSERT_PTR_NOT_NULL(strstr(e.v[0].msg,
				    certs[k].want));
			}
			cfg_errs_fini(&e);
		}
	}
	cfg_free(c);
	unlink(p[2]);
	unlink(p[0]);
	unlink(p[1]);
	rmdir(dir);
}

static void
reload_case(const char *from, const char *to, const char *want)
{
	struct cfg *a = load_ok(from), *b = load_ok(to);
	struct cfg_errs e;
	char buf[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_check_reload(a, b, &e), want == NULL ? 0 : -1);
	if (want != NULL) {
		CU_ASSERT_EQUAL(e.n, 1);
		if (e.n >= 1) {
			cfg_err_text(&e, 0, buf, sizeof(buf));
			if (strcmp(buf, want) != 0)
				fprintf(stderr, "\ngot:  %s\nwant: %s\n", buf,
				    want);
			CU_ASSERT_STRING_EQUAL(buf, want);
		}
	} else if (e.n > 0) {
		cfg_errs_print(&e, stderr);
	}
	cfg_errs_fini(&e);
	cfg_free(a);
	cfg_free(b);
}

static void
test_check_reload(void)
{
	static const char d[] = "device = { instance = 1; };\n";
	char a[1024], b[1100];

	/* the same file reloads */
	reload_case(base_conf, base_conf, NULL);
	/* reloadable: timers, hub URIs, BDT, log level, certificates */
	snprintf(a, sizeof(a), "%sbip = ( { name = \"x\"; network = 1; "
	    "bind = \"1.2.3.4\"; mode = \"bbmd\"; } );\n", d);
	snprintf(b, sizeof(b), "%sbip = ( { name = \"x\"; network = 1; "
	    "bind = \"1.2.3.4\"; mode = \"bbmd\"; bdt = ( { address = "
	    "\"1.2.3.4\"; } ); fdt_limit = 3; } );\nlog = { level = "
	    "\"debug\"; };\n", d);
	reload_case(a, b, NULL);
	/* a port number is a restart */
	snprintf(b, sizeof(b), "%sbip = ( { name = \"x\"; network = 1;\n"
	    "  bind = \"1.2.3.4\"; port = 47809; mode = \"bbmd\"; } );\n", d);
	reload_case(a, b, "t.conf:3: bip[0].port: changed from 47808 to "
	    "47809; this needs a restart");
	/* adding a port is a restart */
	snprintf(b, sizeof(b), "%sbip = ( { name = \"x\"; network = 1; "
	    "bind = \"1.2.3.4\"; mode = \"bbmd\"; },\n{ name = \"y\"; "
	    "network = 2; bind = \"1.2.3.5\"; } );\n", d);
	reload_case(a, b, "t.conf:2: bip: 2 ports instead of 1; adding or "
	    "removing ports needs a restart");
	/* so is the user, even when only added */
	snprintf(b, sizeof(b), "%suser = \"nobody\";\n", a);
	reload_case(a, b, "t.conf:3: user: changed from (unset) to "
	    "\"nobody\"; this needs a restart");
}

/* --------------------------------------------------------------- print */

static void
roundtrip(const char *text)
{
	struct cfg *c = load_ok(text), *c2;
	char *p1, *p2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	p1 = print_to_string(c);
	c2 = load_ok(p1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	p2 = print_to_string(c2);
	CU_ASSERT_STRING_EQUAL(p1, p2);
	free(p1);
	free(p2);
	cfg_free(c);
	cfg_free(c2);
}

static void
test_print_roundtrip(void)
{
	char text[1024];
	int ch;

	roundtrip(base_conf);
	/* every octet 0x01..0xff inside a string survives print -> load */
	for (ch = 1; ch < 256; ch++) {
		struct cfg *c = load_ok(base_conf), *c2;
		char *p;

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		free(c->device.description);
		snprintf(text, sizeof(text), "a%cb\"\\", ch);
		c->device.description = strdup(text);
		p = print_to_string(c);
		c2 = load_ok(p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
		CU_ASSERT_STRING_EQUAL(c2->device.description, text);
		free(p);
		cfg_free(c);
		cfg_free(c2);
	}
}

/* The longest strings, all escapes, still print, load and compare. */
static void
test_long_strings(void)
{
	struct cfg *c = load_ok(base_conf), *c2;
	struct cfg_errs e;
	char *p, *long_dir = malloc(CFG_STR_MAX + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(long_dir);
	memset(long_dir, 0x01, CFG_STR_MAX);
	long_dir[CFG_STR_MAX] = '\0';
	free(c->state_dir);
	c->state_dir = strdup(long_dir);
	p = print_to_string(c);
	c2 = load_ok(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	CU_ASSERT_STRING_EQUAL(c2->state_dir, long_dir);
	/* a difference near the end is still a restart-only change */
	c2->state_dir[CFG_STR_MAX - 1] = 0x02;
	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_check_reload(c, c2, &e), -1);
	CU_ASSERT_EQUAL(e.n, 1);
	cfg_errs_fini(&e);
	free(p);
	free(long_dir);
	cfg_free(c);
	cfg_free(c2);
}

static void
test_defaults(void)
{
	struct cfg *c = cfg_new_default();
	struct cfg_errs e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->n_bip + c->n_sc, 0);
	CU_ASSERT_EQUAL(c->log.level, 2);	/* notice */
	CU_ASSERT_EQUAL(c->control.mode, 0660);
	cfg_errs_init(&e);
	CU_ASSERT_EQUAL(cfg_validate(c, &e), -1);	/* no ports */
	CU_ASSERT_EQUAL(e.n, 1);
	if (e.n == 1)
		CU_ASSERT_PTR_NULL(e.v[0].where);
	cfg_errs_fini(&e);
	cfg_free(c);
	cfg_free(NULL);
}

static void
test_device_uuid(void)
{
	char dir[] = "/tmp/cfguuid.XXXXXX", sub[64], file[96], text[64];
	uint8_t a[16], b[16];
	struct cfg_errs e;
	struct cfg *c = load_ok(base_conf);
	FILE *fp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/state", dir);
	snprintf(file, sizeof(file), "%s/uuid", sub);
	free(c->state_dir);
	c->state_dir = strdup(sub);
	cfg_errs_init(&e);
	/* first start: made and kept; later starts: the same */
	CU_ASSERT_EQUAL(cfg_device_uuid(c, a, &e), 0);
	CU_ASSERT_EQUAL(a[6] >> 4, 4);
	CU_ASSERT_EQUAL(a[8] >> 6, 2);
	CU_ASSERT_EQUAL(cfg_device_uuid(c, b, &e), 0);
	UT_ASSERT_BYTES(a, 16, b, 16);
	fp = fopen(file, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_PTR_NOT_NULL(fgets(text, sizeof(text), fp));
	fclose(fp);
	CU_ASSERT_EQUAL(strlen(text), 37);
	CU_ASSERT_EQUAL(e.n, 0);
	/* a damaged file is an error, not silently replaced */
	fp = fopen(file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("not-a-uuid\n", fp);
	fclose(fp);
	CU_ASSERT_EQUAL(cfg_device_uuid(c, b, &e), -1);
	CU_ASSERT_EQUAL(e.n, 1);
	/* a configured UUID is used as is */
	c->device.uuid.generate = false;
	memset(c->device.uuid.b, 0x11, 16);
	CU_ASSERT_EQUAL(cfg_device_uuid(c, b, &e), 0);
	CU_ASSERT_EQUAL(b[0], 0x11);
	cfg_errs_fini(&e);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
	cfg_free(c);
}

static const struct ut_case cases[] = {
	UT_CASE(test_parse_ipv4),
	UT_CASE(test_parse_ep4),
	UT_CASE(test_parse_mask),
	UT_CASE(test_parse_vmac),
	UT_CASE(test_parse_uuid),
	UT_CASE(test_parse_uri),
	UT_CASE(test_parse_listen),
	UT_CASE(test_parse_misc),
	UT_CASE(test_load_fields),
	UT_CASE(test_load_errors_exact),
	UT_CASE(test_load_all_errors),
	UT_CASE(test_load_overflow),
	UT_CASE(test_load_syntax_error),
	UT_CASE(test_validate_rules),
	UT_CASE(test_validate_ranges),
	UT_CASE(test_check_files),
	UT_CASE(test_check_reload),
	UT_CASE(test_print_roundtrip),
	UT_CASE(test_long_strings),
	UT_CASE(test_defaults),
	UT_CASE(test_device_uuid),
	UT_END
};
UT_SUITE(cfg, cases);
