/*
 * TLS for BACnet/SC (Annex AB.7.4, digest section 1.15): one context per
 * SC port, built from configuration, used for both roles:
 *
 *  - TLS 1.3 only; TLS_AES_128_GCM_SHA256 first, group P-256 first,
 *    signature algorithm ecdsa_secp256r1_sha256 first (the Annex AB
 *    mandatory profile; the other TLS 1.3 defaults stay allowed after them);
 *  - trust only the configured issuer (CA) files, never the system store;
 *    an optional CRL file is checked for the whole chain;
 *  - the accepting side requires a client certificate and verifies it
 *    (purpose "TLS client": an extended key usage, if present, must allow
 *    clientAuth); the initiating side verifies the server certificate
 *    (purpose "TLS server"); no host-name check (peers are identified by
 *    VMAC/UUID at the BACnet level);
 *  - no session tickets, no renegotiation, no compression.
 *
 * A private key file readable or writable by group or others, or owned by
 * another user (root and sc_tls_config.key_owner excepted), is refused.
 *
 * Test builds (configure --enable-test-keylog) append TLS secrets to the
 * file named by SSLKEYLOGFILE when that is set, so captures can be
 * decoded; default builds never do.
 */
#ifndef SC_SC_TLS_H
#define SC_SC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/ssl.h>

#define SC_TLS_MAX_CA	8

struct sc_tls_config {
	const char	*cert_file;	/* PEM: operational certificate, then
					   optional intermediates */
	const char	*key_file;	/* PEM private key (mode 0600) */
	const char	*ca_files[SC_TLS_MAX_CA]; /* PEM issuer certificates */
	size_t		 n_ca_files;	/* 1..SC_TLS_MAX_CA */
	const char	*crl_file;	/* optional PEM CRL(s), or NULL; with
					   it, every issuer needs a CRL */
	uid_t		 key_owner;	/* also allowed to own the key file
					   (the user a daemon started as
					   root changes to); 0: none */
};

struct sc_tls_ctx;

/* What we learnt from the verified peer certificate. */
struct sc_peer_cert {
	char		 subject[256];	/* RFC 2253 one-line form */
	char		 issuer[256];
	char		 sans[512];	/* "DNS:a, IP:b, URI:c", may be cut */
	bool		 has_uuid;	/* a urn:uuid: URI SAN was present */
	uint8_t		 uuid[16];	/* Device UUID from that SAN */
	time_t		 not_after;	/* end of validity (UTC) */
};

/*
 * Build a context from cfg (borrows; the files are read now).  Return an
 * owned context, or NULL and a message naming the file and problem in
 * err[0..errlen).
 */
struct sc_tls_ctx *sc_tls_ctx_new(const struct sc_tls_config *cfg, char *err,
    size_t errlen);
/*
 * Drop a reference to ctx (NULL is a no-op); the context is freed with the
 * last one.  Listeners and connections hold their own references, so the
 * owner may free (or replace, on reload) its context at any time.
 */
void sc_tls_ctx_free(struct sc_tls_ctx *ctx);
/*
 * Reload: give dst the certificates, key, issuers and CRL of src (takes
 * src, which is freed).  Connections made from dst from now on use them;
 * connections already made keep the ones they started with.
 */
void sc_tls_ctx_replace(struct sc_tls_ctx *dst, struct sc_tls_ctx *src);
/* Take a reference (for the transport); return ctx. */
struct sc_tls_ctx *sc_tls_ctx_ref(const struct sc_tls_ctx *ctx);

/*
 * For the transport: make an SSL object for one connection.  server selects
 * the accepting role (client certificate required).  sni (may be NULL) is
 * the DNS name to send as server name.  Return owned, or NULL.
 */
SSL *sc_tls_ssl_new(const struct sc_tls_ctx *ctx, bool server,
    const char *sni);

/*
 * After a completed handshake: return 0 and fill *out (unless out is NULL:
 * check only) if the peer presented a certificate that verified, -1
 * otherwise (and *why says why).
 */
int sc_tls_peer_check(SSL *ssl, struct sc_peer_cert *out, const char **why);

/*
 * The RFC 2253 text of a certificate name into buf (capacity len, NUL
 * terminated, truncated to fit; "" when it cannot be printed).
 */
void sc_tls_name_text(const X509_NAME *nm, char *buf, size_t len);

/*
 * The subject alternative names of cert as text into sans (capacity
 * sans_len): "DNS:a, IP:b, URI:c", control characters shown as '?', cut
 * to fit; the Device UUID of the first "urn:uuid:" URI goes to uuid, with
 * *has_uuid set true.
 */
void sc_tls_sans_text(X509 *cert, char *sans, size_t sans_len,
    uint8_t uuid[16], bool *has_uuid);

/*
 * Parse the text form of a UUID ("urn:uuid:" prefix optional, 8-4-4-4-12
 * hex digits, any case) into out.  Return 0 or -1.
 */
int sc_tls_uuid_parse(const char *s, size_t len, uint8_t out[16]);

/* Check the key-file secrecy rule on path; return 0 or -1 with err set. */
int sc_tls_key_file_check(const char *path, char *err, size_t errlen);

#endif
