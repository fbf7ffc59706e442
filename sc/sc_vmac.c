/* VMAC and Device UUID helpers (digest §1.8). */
#include "config.h"

#include <string.h>

#include "lib/hex.h"
#include "sc/sc_vmac.h"

const uint8_t sc_vmac_broadcast[SC_VMAC_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static const char sc_hexdig[] = "0123456789abcdef";

bool
sc_vmac_is_broadcast(const uint8_t *v)
{
	return memcmp(v, sc_vmac_broadcast, SC_VMAC_LEN) == 0;
}

bool
sc_vmac_is_zero(const uint8_t *v)
{
	static const uint8_t zero[SC_VMAC_LEN];

	return memcmp(v, zero, SC_VMAC_LEN) == 0;
}

bool
sc_vmac_is_random48(const uint8_t *v)
{
	return (v[0] & 0x0f) == 0x02;
}

bool
sc_vmac_is_unicast(const uint8_t *v)
{
	return !sc_vmac_is_broadcast(v) && !sc_vmac_is_zero(v);
}

void
sc_vmac_random48(const uint8_t *rnd, uint8_t *out)
{
	uint8_t first = (uint8_t)((rnd[0] & 0xf0) | 0x02);

	memmove(out, rnd, SC_VMAC_LEN);
	out[0] = first;
}

/* Read two hex digits at s into *v; return 0 or -1. */
static int
sc_hexoctet(const char *s, uint8_t *v)
{
	int hi, lo;

	if ((hi = hex_digit(s[0])) < 0 || (lo = hex_digit(s[1])) < 0)
		return -1;
	*v = (uint8_t)(hi << 4 | lo);
	return 0;
}

static void
sc_puthex(char *out, uint8_t v)
{
	out[0] = sc_hexdig[v >> 4];
	out[1] = sc_hexdig[v & 0x0f];
}

int
sc_vmac_format(const uint8_t *v, char *out, size_t cap)
{
	size_t i;

	if (cap < SC_VMAC_STRLEN) {
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	for (i = 0; i < SC_VMAC_LEN; i++) {
		sc_puthex(out + 3 * i, v[i]);
		out[3 * i + 2] = i + 1 < SC_VMAC_LEN ? ':' : '\0';
	}
	return 0;
}

int
sc_vmac_parse(const char *s, uint8_t *out)
{
	uint8_t v[SC_VMAC_LEN];
	size_t i;

	if (strlen(s) != SC_VMAC_STRLEN - 1)
		return -1;
	for (i = 0; i < SC_VMAC_LEN; i++) {
		if (sc_hexoctet(s + 3 * i, &v[i]) != 0)
			return -1;
		if (i + 1 < SC_VMAC_LEN && s[3 * i + 2] != ':')
			return -1;
	}
	memcpy(out, v, SC_VMAC_LEN);
	return 0;
}

/* A dash follows octets 4, 6, 8 and 10 (1-based) in the text form. */
static bool
sc_uuid_dash_after(size_t octet)
{
	return octet == 3 || octet == 5 || octet == 7 || octet == 9;
}

int
sc_uuid_format(const uint8_t *u, char *out, size_t cap)
{
	size_t i, pos = 0;

	if (cap < SC_UUID_STRLEN) {
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	for (i = 0; i < SC_UUID_LEN; i++) {
		sc_puthex(out + pos, u[i]);
		pos += 2;
		if (sc_uuid_dash_after(i))
			out[pos++] = '-';
	}
	out[pos] = '\0';
	return 0;
}

int
sc_uuid_parse(const char *s, uint8_t *out)
{
	uint8_t v[SC_UUID_LEN];
	size_t i, pos = 0;

	if (strlen(s) != SC_UUID_STRLEN - 1)
		return -1;
	for (i = 0; i < SC_UUID_LEN; i++) {
		if (sc_hexoctet(s + pos, &v[i]) != 0)
			return -1;
		pos += 2;
		if (sc_uuid_dash_after(i) && s[pos++] != '-')
			return -1;
	}
	memcpy(out, v, SC_UUID_LEN);
	return 0;
}
