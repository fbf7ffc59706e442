/*
 * Fuzz bvlc_decode: whatever decodes must re-encode to the same octets,
 * and the node logic must digest it without crashing.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bip/bip_bbmd_fsm.h"
#include "bip/bvlc_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bip_bbmd node;
	static bool ready;
	static uint64_t now;
	struct bvlc_bdt_entry bdt[2] = {
		{ { 0x0a000101, 47808 }, 0xffffffffu },
		{ { 0x0a000201, 47808 }, 0xffffff00u },
	};
	struct bip_bbmd_config c;
	struct bip_bbmd_out o;
	struct bvlc_addr src;
	struct bvlc_msg m;
	uint8_t *out;
	struct wr w;
	size_t i;

	if (!ready) {
		memset(&c, 0, sizeof(c));
		c.mode = BIP_MODE_BBMD;
		c.self.ip = 0x0a000101;
		c.self.port = 47808;
		c.bdt = bdt;
		c.n_bdt = 2;
		c.fdt_max = 8;
		c.accept_fd = true;
		if (bip_bbmd_init(&node, &c) != 0)
			abort();
		ready = true;
	}
	if (bvlc_decode(data, size, &m, NULL) != CODEC_OK)
		return 0;
	out = malloc(size);
	if (out == NULL)
		return 0;
	wr_init(&w, out, size);
	if (bvlc_encode(&w, &m) != 0 || w.len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	free(out);
	for (i = 0; i < m.n_entries; i++) {
		struct bvlc_bdt_entry be;
		struct bvlc_fdt_entry fe;

		bvlc_bdt_entry_get(&m, i, &be);
		bvlc_fdt_entry_get(&m, i, &fe);
	}
	/* the source varies with the input, the clock moves on */
	src.ip = 0x0a000100u | (size & 0xff);
	src.port = 47808;
	now += 7000000u;
	bip_bbmd_rx(&node, now, &src, &m, &o);
	if (o.n_dests > node.dests_cap)
		abort();
	return 0;
}
