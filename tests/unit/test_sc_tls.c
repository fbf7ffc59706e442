/* sc_tls helpers that need no certificates: UUID text, key-file secrecy. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sc/sc_tls.h"
#include "tests/unit/harness.h"

static void
test_uuid_parse(void)
{
	static const uint8_t want[16] = {
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
		0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21,
	};
	static const char *const bad[] = {
		"", "urn:uuid:", "123456789abc-def0-0fed-cba987654321",
		"12345678-9abc-def0-0fed-cba98765432", "12345678-9abc-def0-"
		"0fed-cba9876543210", "12345678_9abc-def0-0fed-cba987654321",
		"1234567g-9abc-def0-0fed-cba987654321", "urn:uid:12345678-"
		"9abc-def0-0fed-cba987654321",
	};
	uint8_t u[16];
	size_t i;
	const char *s;

	s = "12345678-9abc-def0-0fed-cba987654321";
	CU_ASSERT_EQUAL_FATAL(sc_tls_uuid_parse(s, strlen(s), u), 0);
	UT_ASSERT_BYTES(u, 16, want, 16);
	s = "URN:UUID:12345678-9ABC-DEF0-0FED-CBA987654321";
	memset(u, 0, sizeof(u));
	CU_ASSERT_EQUAL_FATAL(sc_tls_uuid_parse(s, strlen(s), u), 0);
	UT_ASSERT_BYTES(u, 16, want, 16);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(u, 0xee, sizeof(u));
		CU_ASSERT_EQUAL(sc_tls_uuid_parse(bad[i], strlen(bad[i]), u),
		    -1);
		CU_ASSERT_EQUAL(u[0], 0xee);	/* untouched on failure */
	}
}

static void
test_key_file_secrecy(void)
{
	char path[] = "/tmp/sc_tls_keyXXXXXX", err[256];
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(chmod(path, 0600), 0);
	CU_ASSERT_EQUAL(sc_tls_key_file_check(path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(chmod(path, 0400), 0);
	CU_ASSERT_EQUAL(sc_tls_key_file_check(path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(chmod(path, 0640), 0);
	CU_ASSERT_EQUAL(sc_tls_key_file_check(path, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "group or others"));
	CU_ASSERT_EQUAL(chmod(path, 0604), 0);
	CU_ASSERT_EQUAL(sc_tls_key_file_check(path, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(chmod(path, 0620), 0);
	CU_ASSERT_EQUAL(sc_tls_key_file_check(path, err, sizeof(err)), -1);
	unlink(path);
	CU_ASSERT_EQUAL(sc_tls_key_file_check(path, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(sc_tls_key_file_check("/tmp", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
}

static void
test_ctx_errors(void)
{
	struct sc_tls_config c;
	char err[256];

	memset(&c, 0, sizeof(c));
	CU_ASSERT_PTR_NULL(sc_tls_ctx_new(&c, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate and a key"));
	c.cert_file = "/nonexistent/cert.pem";
	c.key_file = "/nonexistent/key.pem";
	CU_ASSERT_PTR_NULL(sc_tls_ctx_new(&c, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/key.pem"));
	sc_tls_ctx_free(NULL);
}

static const struct ut_case cases[] = {
	UT_CASE(test_uuid_parse),
	UT_CASE(test_key_file_secrecy),
	UT_CASE(test_ctx_errors),
	UT_END
};
UT_SUITE(sc_tls, cases);
