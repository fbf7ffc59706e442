/*
 * The pure parts behind the router device's newer properties: the clock
 * (Local_Time, UTC_Offset of standard time, Daylight_Savings_Status) in
 * several POSIX time zones, the Current_Health verdict of an SC port, and
 * the Database_Revision state file's parser.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_ids.h"
#include "app/app_obj.h"
#include "router/daemon_int.h"
#include "tests/unit/harness.h"

#define JUL_15_2026_1200_UTC	((time_t)1784116800)
#define JAN_15_2026_1200_UTC	((time_t)1768478400)

struct zone_case {
	const char	*tz;
	time_t		 t;
	uint8_t		 hour;		/* local */
	int32_t		 off;		/* UTC_Offset, minutes west */
	bool		 dst;
	int		 dst_min;	/* DST shift when dst */
};

static void
test_clock_zones(void)
{
	static const struct zone_case zc[] = {
		{ "UTC0", JUL_15_2026_1200_UTC, 12, 0, false, 0 },
		{ "CET-1CEST,M3.5.0,M10.5.0/3", JAN_15_2026_1200_UTC, 13,
		    -60, false, 0 },
		{ "CET-1CEST,M3.5.0,M10.5.0/3", JUL_15_2026_1200_UTC, 14,
		    -60, true, 60 },
		{ "EST5EDT,M3.2.0,M11.1.0", JUL_15_2026_1200_UTC, 8, 300,
		    true, 60 },
		/* Southern hemisphere: DST in January. */
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", JAN_15_2026_1200_UTC, 23,
		    -600, true, 60 },
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", JUL_15_2026_1200_UTC, 22,
		    -600, false, 0 },
		/* Lord Howe: half an hour of DST. */
		{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
		    JAN_15_2026_1200_UTC, 23, -630, true, 30 },
	};
	char *saved = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	struct app_datetime lt;
	int32_t off;
	bool dst;
	size_t i;

	for (i = 0; i < sizeof(zc) / sizeof(zc[0]); i++) {
		int utc_min, local_min;

		setenv("TZ", zc[i].tz, 1);
		tzset();
		app_clock_at(zc[i].t, 250000000L, &lt, &off, &dst);
		CU_ASSERT_EQUAL(lt.time.hour, zc[i].hour);
		CU_ASSERT_EQUAL(lt.time.hundredths, 25);
		CU_ASSERT_EQUAL(off, zc[i].off);
		CU_ASSERT_EQUAL(dst, zc[i].dst);
		/* Consistency: local = UTC - UTC_Offset + DST shift. */
		utc_min = 12 * 60;
		local_min = lt.time.hour * 60 + lt.time.min;
		CU_ASSERT_EQUAL(((local_min - (utc_min - off + zc[i].dst_min))
		    % 1440 + 1440) % 1440, 0);
	}
	if (saved != NULL) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

static void
judge(uint8_t hubc, bool primary_err, enum app_cert_state cert, bool op,
    struct app_health *h)
{
	struct app_netport_info in;

	memset(&in, 0, sizeof(in));
	memset(h, 0, sizeof(*h));
	in.hub_connector_state = hubc;
	if (primary_err) {
		in.primary_status.has_error = true;
		in.primary_status.err_class = APP_ERRC_COMMUNICATION;
		in.primary_status.err_code = 194;
	}
	app_sc_health_judge(&in, cert, op, "cert text", h);
}

static void
test_health_judge(void)
{
	struct app_health h;

	judge(APP_HUBC_CONNECTED_PRIMARY, false, APP_CERT_OK, true, &h);
	CU_ASSERT(h.err_class == APP_ERRC_COMMUNICATION &&
	    h.err_code == APP_ERR_SUCCESS && !h.has_prop && h.details == NULL);
	/* Expiring: still success, pointing at the certificate. */
	judge(APP_HUBC_CONNECTED_PRIMARY, false, APP_CERT_EXPIRING, true, &h);
	CU_ASSERT(h.err_code == APP_ERR_SUCCESS && h.has_prop &&
	    h.prop == APP_PROP_OPERATIONAL_CERT_FILE &&
	    strcmp(h.details, "cert text") == 0);
	/* On the failover hub: the primary's error. */
	judge(APP_HUBC_CONNECTED_FAILOVER, true, APP_CERT_OK, true, &h);
	CU_ASSERT(h.err_code == 194 && h.has_prop &&
	    h.prop == APP_PROP_SC_PRIMARY_HUB_STATUS);
	/* No hub and no recorded error: other. */
	judge(APP_HUBC_NO_HUB_CONNECTION, false, APP_CERT_OK, true, &h);
	CU_ASSERT(h.err_code == APP_ERR_OTHER && h.has_prop &&
	    h.prop == APP_PROP_SC_PRIMARY_HUB_STATUS);
	/* An expired operational certificate wins over everything. */
	judge(APP_HUBC_NO_HUB_CONNECTION, true, APP_CERT_EXPIRED, true, &h);
	CU_ASSERT(h.err_code == APP_ERR_TLS_CLIENT_CERT_EXPIRED &&
	    h.prop == APP_PROP_OPERATIONAL_CERT_FILE);
	judge(APP_HUBC_CONNECTED_PRIMARY, false, APP_CERT_NOT_YET_VALID, true,
	    &h);
	CU_ASSERT(h.err_code == APP_ERR_TLS_CLIENT_CERT_ERROR);
	/* A bad issuer file comes after a missing hub connection. */
	judge(APP_HUBC_NO_HUB_CONNECTION, true, APP_CERT_EXPIRED, false, &h);
	CU_ASSERT(h.err_code == 194);
	judge(APP_HUBC_CONNECTED_PRIMARY, false, APP_CERT_EXPIRED, false, &h);
	CU_ASSERT(h.err_code == APP_ERR_TLS_ERROR &&
	    h.prop == APP_PROP_ISSUER_CERT_FILES);
}

static void
test_dbrev_parse(void)
{
	unsigned long rev = 0;
	uint64_t fp = 0;

	CU_ASSERT_EQUAL(dmn_dbrev_parse("7 00112233445566ff\n", &rev, &fp), 0);
	CU_ASSERT_EQUAL(rev, 7);
	CU_ASSERT_EQUAL(fp, 0x00112233445566ffULL);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("4294967294 0000000000000001", &rev,
	    &fp), 0);
	CU_ASSERT_EQUAL(rev, 4294967294UL);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("", &rev, &fp), -1);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("0 0000000000000001\n", &rev, &fp),
	    -1);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("4294967295 0000000000000001\n", &rev,
	    &fp), -1);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("7 001122\n", &rev, &fp), -1);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("7 00112233445566ffx\n", &rev, &fp),
	    -1);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("-1 00112233445566ff\n", &rev, &fp),
	    -1);
	CU_ASSERT_EQUAL(dmn_dbrev_parse("7\n", &rev, &fp), -1);
}

static const struct ut_case cases[] = {
	UT_CASE(test_clock_zones),
	UT_CASE(test_health_judge),
	UT_CASE(test_dbrev_parse),
	UT_END
};
UT_SUITE(app_props, cases);
