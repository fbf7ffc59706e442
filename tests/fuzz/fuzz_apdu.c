/*
 * Fuzz the application entity: the input is a sequence of records
 * [len u8][apdu octets] fed to app_receive from one source with the clock
 * advancing, with app_tick between records, so segmentation, duplicate
 * detection and every service decoder see arbitrary input.  Every sent
 * APDU must itself decode as a header.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/apdu_codec.h"
#include "app/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_send(void *arg, const struct app_addr *dst, const uint8_t *apdu,
    size_t len, bool expecting_reply, uint8_t prio)
{
	struct apdu_hdr h;

	(void)arg;
	(void)dst;
	(void)expecting_reply;
	(void)prio;
	if (len > 1476 || apdu_hdr_decode(apdu, len, &h) != CODEC_OK)
		abort();
}

static void
fz_clock(void *arg, struct app_datetime *local, int32_t *off, bool *dst)
{
	(void)arg;
	app_datetime_unspecified(local);
	*off = 0;
	*dst = false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct app_db db;
	static struct app_av av;
	static struct app_netport np, bnp;
	struct app_device_cfg cfg;
	struct app_addr src;
	struct app *a;
	uint64_t now = 1000000;
	size_t off = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.instance = 1234;
	cfg.name = "fuzz";
	cfg.segmented_transmit = true;
	cfg.apdu_retries = 1;
	cfg.clock = fz_clock;
	if (app_db_init(&db, &cfg) < 0)
		abort();
	app_av_init(&av, 1, "av", 62, 1.5f, true);
	app_netport_init(&np, 2, "sc", APP_NP_SC);
	np.info.primary_uri = "wss://hub";
	np.info.has_csr_file = true;
	np.info.health.has_prop = true;
	np.info.health.details = "health";
	app_netport_init(&bnp, 1, "bip", APP_NP_BIP);
	bnp.info.nat_traversal = true;
	bnp.info.global_addr.name = "router.example";
	bnp.info.global_addr.port = 47808;
	bnp.info.n_dns = 2;		/* IP_DNS_Server: an array to index */
	bnp.info.dns[1][0] = 192;
	bnp.info.dhcp_enable = true;
	if (app_db_add(&db, &av.obj) < 0 || app_db_add(&db, &np.obj) < 0 ||
	    app_db_add(&db, &bnp.obj) < 0)
		abort();
	a = app_new(&db, fz_send, NULL);
	if (a == NULL)
		return 0;
	memset(&src, 0, sizeof(src));
	src.mac_len = 6;
	src.mac[0] = 127;
	while (off < size) {
		size_t n = data[off++];

		if (n > size - off)
			n = size - off;
		app_receive(a, &src, data + off, n, now);
		off += n;
		now += 700000;
		app_tick(a, now);
	}
	app_free(a);
	return 0;
}
