#include "config.h"

#include "lib/hex.h"

int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
hex_is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':';
}

long
hex_decode(const char *text, uint8_t *out, size_t cap, size_t *err_off)
{
	size_t i = 0, n = 0;
	int hi = -1;

	for (i = 0; text[i] != '\0'; i++) {
		int d;

		if (hex_is_sep(text[i])) {
			if (hi >= 0)
				goto fail;	/* separator inside an octet */
			continue;
		}
		d = hex_digit(text[i]);
		if (d < 0)
			goto fail;
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (n >= cap)
			goto fail;
		out[n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	if (hi >= 0)
		goto fail;
	return (long)n;
fail:
	if (err_off != NULL)
		*err_off = i;
	return -1;
}

long
hex_encode(const uint8_t *buf, size_t len, char sep, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t need, i, o = 0;

	need = len * 2 + (sep != '\0' && len > 0 ? len - 1 : 0) + 1;
	if (cap < need) {
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (i > 0 && sep != '\0')
			out[o++] = sep;
		out[o++] = digits[buf[i] >> 4];
		out[o++] = digits[buf[i] & 0x0f];
	}
	out[o] = '\0';
	return (long)o;
}
