/* Fuzz hex_decode/hex_encode: decode arbitrary text, re-encode, decode again. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512], enc[1600];
	uint8_t out[256], back[256];
	long n, m;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = hex_decode(text, out, sizeof(out), NULL);
	if (n < 0)
		return 0;
	if (hex_encode(out, (size_t)n, ' ', enc, sizeof(enc)) < 0)
		abort();
	m = hex_decode(enc, back, sizeof(back), NULL);
	if (m != n || memcmp(out, back, (size_t)n) != 0)
		abort();
	return 0;
}
