/* Hex encode/decode for tests, tools and log lines. */
#ifndef LIB_HEX_H
#define LIB_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode hex text into out (capacity cap).  White space and ':' between
 * octets are ignored; both cases are accepted.  Return the number of octets
 * written, or -1 on an odd digit count, a non-hex character or overflow.
 * On error *err_off (if not NULL) is the offset in text of the problem.
 */
long hex_decode(const char *text, uint8_t *out, size_t cap, size_t *err_off);

/* The value of one hex digit (either case), or -1 for another character. */
int hex_digit(char c);

/*
 * Write len octets as lower-case hex into out (capacity cap, NUL
 * terminated), with sep between octets when sep is not '\0'.  Return the
 * string length, or -1 if out is too small (out is then "").
 */
long hex_encode(const uint8_t *buf, size_t len, char sep, char *out,
    size_t cap);

#endif
