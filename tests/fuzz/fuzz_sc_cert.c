/*
 * Fuzz what sc_cert reads out of a certificate (sc_cert_info_get: names,
 * SANs with the Device UUID, serial, fingerprint, validity): the input is
 * one DER certificate, as a peer or a file could present it.  Invariants:
 * every text field is terminated and free of control characters, a UUID
 * is only claimed from a urn:uuid: SAN that formats back to itself.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "sc/sc_cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	struct sc_cert_info inf;
	char urn[64];
	X509 *x;
	size_t i;

	if (size > 16384)
		return 0;
	if ((x = d2i_X509(NULL, &p, (long)size)) == NULL)
		return 0;
	sc_cert_info_get(x, &inf);
	check_text(inf.subject, sizeof(inf.subject));
	check_text(inf.issuer, sizeof(inf.issuer));
	check_text(inf.sans, sizeof(inf.sans));
	check_text(inf.serial, sizeof(inf.serial));
	check_text(inf.sha256, sizeof(inf.sha256));
	for (i = 0; inf.sans[i] != '\0'; i++)
		if ((unsigned char)inf.sans[i] < 0x20 || inf.sans[i] == 0x7f)
			abort();
	if (inf.has_uuid) {
		sc_cert_uuid_urn(inf.uuid, urn, sizeof(urn));
		if (strlen(urn) != 45)
			abort();
	}
	(void)sc_cert_days_left(inf.not_after, inf.not_before);
	X509_free(x);
	return 0;
}
