/* TLS 1.3 contexts and peer-certificate checks for BACnet/SC. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/hex.h"
#include "lib/log.h"
#include "sc/sc_tls.h"

/* Annex AB mandatory items first; the other TLS 1.3 defaults after them. */
#define SC_TLS_SUITES	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
			"TLS_CHACHA20_POLY1305_SHA256"
#define SC_TLS_GROUPS	"P-256:X25519:P-384"
#define SC_TLS_SIGALGS	"ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:" \
			"ed25519:rsa_pss_rsae_sha256:rsa_pss_pss_sha256"

struct sc_tls_ctx {
	SSL_CTX		*ssl_ctx;
	unsigned	 refs;		/* owner + listeners + connections */
};

#ifdef BR_TEST_KEYLOG
static FILE *sc_tls_keylog;	/* process-wide, opened once */

static void
sc_tls_keylog_cb(const SSL *ssl, const char *line)
{
	(void)ssl;
	if (sc_tls_keylog != NULL) {
		fprintf(sc_tls_keylog, "%s\n", line);
		fflush(sc_tls_keylog);
	}
}

static void
sc_tls_keylog_setup(SSL_CTX *c)
{
	const char *path = getenv("SSLKEYLOGFILE");

	if (path == NULL || *path == '\0')
		return;
	if (sc_tls_keylog == NULL) {
		sc_tls_keylog = fopen(path, "a");
		if (sc_tls_keylog == NULL) {
			log_warn(LD_TLS, "SSLKEYLOGFILE %s", path);
			return;
		}
		log_notice(LD_TLS, "test build: writing TLS secrets to %s",
		    path);
	}
	SSL_CTX_set_keylog_callback(c, sc_tls_keylog_cb);
}
#endif

/* Put OpenSSL's first queued error (or what) into err. */
static void
sc_tls_err(char *err, size_t errlen, const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "no detail");
	snprintf(err, errlen, "%s%s%s: %s", file != NULL ? file : "",
	    file != NULL ? ": " : "", what, buf);
	ERR_clear_error();
}

static int key_file_check(const char *path, uid_t also, char *err,
    size_t errlen);

int
sc_tls_key_file_check(const char *path, char *err, size_t errlen)
{
	return key_file_check(path, 0, err, errlen);
}

static int
key_file_check(const char *path, uid_t also, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "%s: private key is accessible by group "
		    "or others (mode %04o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != also) {
		snprintf(err, errlen, "%s: private key is owned by uid %u, "
		    "not by us", path, (unsigned)st.st_uid);
		return -1;
	}
	return 0;
}

static int
sc_tls_load_trust(SSL_CTX *c, const struct sc_tls_config *cfg, char *err,
    size_t errlen)
{
	X509_STORE *st = SSL_CTX_get_cert_store(c);
	size_t i;

	if (cfg->n_ca_files == 0 || cfg->n_ca_files > SC_TLS_MAX_CA) {
		snprintf(err, errlen, "need 1..%d issuer (CA) files",
		    SC_TLS_MAX_CA);
		return -1;
	}
	for (i = 0; i < cfg->n_ca_files; i++) {
		if (cfg->ca_files[i] == NULL ||
		    X509_STORE_load_file(st, cfg->ca_files[i]) != 1) {
			sc_tls_err(err, errlen, "cannot load issuer certificate",
			    cfg->ca_files[i]);
			return -1;
		}
	}
	if (cfg->crl_file != NULL) {
		X509_LOOKUP *lk = X509_STORE_add_lookup(st, X509_LOOKUP_file());

		if (lk == NULL || X509_load_crl_file(lk, cfg->crl_file,
		    X509_FILETYPE_PEM) <= 0) {
			sc_tls_err(err, errlen, "cannot load CRL",
			    cfg->crl_file);
			return -1;
		}
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK |
		    X509_V_FLAG_CRL_CHECK_ALL);
	}
	return 0;
}

static int
sc_tls_policy(SSL_CTX *c, char *err, size_t errlen)
{
	/* Writable copies: OpenSSL's list macros cast away const. */
	char groups[] = SC_TLS_GROUPS;
	char sigalgs[] = SC_TLS_SIGALGS;

	if (SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1) {
		sc_tls_err(err, errlen, "cannot restrict to TLS 1.3", NULL);
		return -1;
	}
	if (SSL_CTX_set_ciphersuites(c, SC_TLS_SUITES) != 1 ||
	    SSL_CTX_set1_groups_list(c, groups) != 1 ||
	    SSL_CTX_set1_sigalgs_list(c, sigalgs) != 1 ||
	    SSL_CTX_set1_client_sigalgs_list(c, sigalgs) != 1) {
		sc_tls_err(err, errlen, "mandatory Annex AB TLS profile "
		    "(TLS_AES_128_GCM_SHA256, P-256, ecdsa_secp256r1_sha256) "
		    "is not available", NULL);
		return -1;
	}
	SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(c, 0);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(c, 4);
	return 0;
}

struct sc_tls_ctx *
sc_tls_ctx_new(const struct sc_tls_config *cfg, char *err, size_t errlen)
{
	struct sc_tls_ctx *t = NULL;
	SSL_CTX *c = NULL;

	ERR_clear_error();
	if (cfg->cert_file == NULL || cfg->key_file == NULL) {
		snprintf(err, errlen, "need a certificate and a key file");
		return NULL;
	}
	if (key_file_check(cfg->key_file, cfg->key_owner, err, errlen) != 0)
		return NULL;
	if ((c = SSL_CTX_new(TLS_method())) == NULL) {
		sc_tls_err(err, errlen, "SSL_CTX_new", NULL);
		goto fail;
	}
	if (sc_tls_policy(c, err, errlen) != 0)
		goto fail;
	/* Idle connections give their record buffers back (hub scale). */
	SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(c, cfg->cert_file) != 1) {
		sc_tls_err(err, errlen, "cannot load certificate",
		    cfg->cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(c, cfg->key_file,
	    SSL_FILETYPE_PEM) != 1) {
		sc_tls_err(err, errlen, "cannot load private key",
		    cfg->key_file);
		goto fail;
	}
	if (SSL_CTX_check_private_key(c) != 1) {
		sc_tls_err(err, errlen, "key does not match the certificate",
		    cfg->key_file);
		goto fail;
	}
	if (sc_tls_load_trust(c, cfg, err, errlen) != 0)
		goto fail;
#ifdef BR_TEST_KEYLOG
	sc_tls_keylog_setup(c);
#endif
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	t->ssl_ctx = c;
	t->refs = 1;
	return t;
fail:
	SSL_CTX_free(c);
	return NULL;
}

struct sc_tls_ctx *
sc_tls_ctx_ref(const struct sc_tls_ctx *ctx)
{
	struct sc_tls_ctx *t = (struct sc_tls_ctx *)(uintptr_t)ctx;

	if (t != NULL)
		t->refs++;
	return t;
}

void
sc_tls_ctx_free(struct sc_tls_ctx *ctx)
{
	if (ctx == NULL || --ctx->refs > 0)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

void
sc_tls_ctx_replace(struct sc_tls_ctx *dst, struct sc_tls_ctx *src)
{
	SSL_CTX *old = dst->ssl_ctx;

	dst->ssl_ctx = src->ssl_ctx;
	src->ssl_ctx = old;
	sc_tls_ctx_free(src);
}

SSL *
sc_tls_ssl_new(const struct sc_tls_ctx *ctx, bool server, const char *sni)
{
	SSL *ssl = SSL_new(ctx->ssl_ctx);
	char name[256];

	if (ssl == NULL)
		return NULL;
	if (server) {
		SSL_set_verify(ssl, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		return ssl;
	}
	if (sni != NULL) {
		/* A writable copy: the macro casts away const. */
		if (strlen(sni) >= sizeof(name))
			goto fail;
		strcpy(name, sni);
		if (SSL_set_tlsext_host_name(ssl, name) != 1)
			goto fail;
	}
	return ssl;
fail:
	SSL_free(ssl);
	return NULL;
}

int
sc_tls_uuid_parse(const char *s, size_t len, uint8_t out[16])
{
	uint8_t u[16];
	size_t i, n = 0;

	if (len >= 9 && strncasecmp(s, "urn:uuid:", 9) == 0) {
		s += 9;
		len -= 9;
	}
	if (len != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		hi = hex_digit(s[i]);
		lo = i + 1 < 36 ? hex_digit(s[i + 1]) : -1;
		if (hi < 0 || lo < 0)
			return -1;
		u[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (n != 16)
		return -1;
	memcpy(out, u, 16);
	return 0;
}

static void
sc_tls_append(char *buf, size_t len, const char *kind, const char *v,
    size_t vlen)
{
	size_t have = strlen(buf);
	size_t i;

	if (have + 1 >= len)
		return;
	snprintf(buf + have, len - have, "%s%s:%.*s", have > 0 ? ", " : "",
	    kind, (int)vlen, v);
	/* Names come from certificates: no control characters in output. */
	for (i = have; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
}

void
sc_tls_sans_text(X509 *cert, char *sans, size_t sans_len, uint8_t uuid[16],
    bool *has_uuid)
{
	GENERAL_NAMES *names;
	int i;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const char *d;
		char ip[INET6_ADDRSTRLEN];
		int dl;

		switch (gn->type) {
		case GEN_DNS:
		case GEN_URI:
			d = (const char *)ASN1_STRING_get0_data(gn->d.ia5);
			dl = ASN1_STRING_length(gn->d.ia5);
			sc_tls_append(sans, sans_len,
			    gn->type == GEN_DNS ? "DNS" : "URI", d, (size_t)dl);
			if (gn->type == GEN_URI && !*has_uuid && dl == 45 &&
			    strncasecmp(d, "urn:uuid:", 9) == 0 &&
			    sc_tls_uuid_parse(d, (size_t)dl, uuid) == 0)
				*has_uuid = true;
			break;
		case GEN_IPADD:
			d = (const char *)ASN1_STRING_get0_data(gn->d.ip);
			dl = ASN1_STRING_length(gn->d.ip);
			if ((dl == 4 && inet_ntop(AF_INET, d, ip,
			    sizeof(ip)) != NULL) || (dl == 16 &&
			    inet_ntop(AF_INET6, d, ip, sizeof(ip)) != NULL))
				sc_tls_append(sans, sans_len, "IP", ip,
				    strlen(ip));
			break;
		default:
			break;
		}
	}
	GENERAL_NAMES_free(names);
}

void
sc_tls_name_text(const X509_NAME *nm, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_read(b, buf, (int)len - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}

int
sc_tls_peer_check(SSL *ssl, struct sc_peer_cert *out, const char **why)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	struct tm tm;
	long vr;

	if (cert == NULL) {
		*why = "peer sent no certificate";
		return -1;
	}
	vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK) {
		*why = X509_verify_cert_error_string(vr);
		return -1;
	}
	if (SSL_version(ssl) != TLS1_3_VERSION) {
		*why = "not TLS 1.3";
		return -1;
	}
	if (out == NULL)
		return 0;
	memset(out, 0, sizeof(*out));
	sc_tls_name_text(X509_get_subject_name(cert), out->subject,
	    sizeof(out->subject));
	sc_tls_name_text(X509_get_issuer_name(cert), out->issuer,
	    sizeof(out->issuer));
	sc_tls_sans_text(cert, out->sans, sizeof(out->sans), out->uuid,
	    &out->has_uuid);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1)
		out->not_after = timegm(&tm);
	return 0;
}
