/*
 * BACnet/SC virtual MAC addresses (VMAC, 6 octets) and Device UUIDs
 * (16 octets, RFC 4122), digest §1.8.  Pure: no I/O, no randomness of its
 * own (the caller draws random octets, e.g. with RAND_bytes, and passes
 * them in).
 */
#ifndef SC_SC_VMAC_H
#define SC_SC_VMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_VMAC_LEN	6
#define SC_UUID_LEN	16
#define SC_VMAC_STRLEN	18	/* "xx:xx:xx:xx:xx:xx" plus NUL */
#define SC_UUID_STRLEN	37	/* 8-4-4-4-12 plus NUL */

/* The Local Broadcast VMAC FF:FF:FF:FF:FF:FF. */
extern const uint8_t sc_vmac_broadcast[SC_VMAC_LEN];

/* True if v (SC_VMAC_LEN octets) is the broadcast VMAC. */
bool sc_vmac_is_broadcast(const uint8_t *v);
/* True if v is 00:00:00:00:00:00 (internal "not assigned", never sent). */
bool sc_vmac_is_zero(const uint8_t *v);
/* True if v is a Random-48 VMAC (low nibble of the first octet is 0010). */
bool sc_vmac_is_random48(const uint8_t *v);
/*
 * True if v may be used as a node's own VMAC: neither broadcast nor zero.
 */
bool sc_vmac_is_unicast(const uint8_t *v);

/*
 * Make a Random-48 VMAC from 6 random octets rnd (borrows): out = rnd with
 * the first octet's bits 3..0 forced to 0010.  The result is never the
 * broadcast or the zero VMAC.  rnd and out may be the same buffer.
 */
void sc_vmac_random48(const uint8_t *rnd, uint8_t *out);

/*
 * Write v as "xx:xx:xx:xx:xx:xx" (lower case) into out (cap octets, at
 * least SC_VMAC_STRLEN).  Return 0, or -1 if out is too small (out is then
 * "" when cap > 0).
 */
int sc_vmac_format(const uint8_t *v, char *out, size_t cap);
/*
 * Parse exactly six two-digit hex octets separated by ':' (either case)
 * into out.  Return 0, or -1 (out untouched).
 */
int sc_vmac_parse(const char *s, uint8_t *out);

/*
 * Write u (16 octets, wire order) in the RFC 4122 text form
 * "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case) into out (cap octets,
 * at least SC_UUID_STRLEN).  Return 0 or -1 as sc_vmac_format.
 */
int sc_uuid_format(const uint8_t *u, char *out, size_t cap);
/*
 * Parse the RFC 4122 text form (either case, exactly 36 characters, dashes
 * at positions 8, 13, 18 and 23) into out (16 octets, wire order).
 * Return 0, or -1 (out untouched).
 */
int sc_uuid_parse(const char *s, uint8_t *out);

#endif
