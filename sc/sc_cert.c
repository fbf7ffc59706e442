/* Certificate lifecycle: keys, CSRs, install checks, expiry, reload. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "sc/sc_cert.h"
#include "sc/sc_tls.h"

#define DAY	86400L

/* err = "[file: ]what[: OpenSSL reason]" and clear the OpenSSL queue. */
static void
cert_err(char *err, size_t errlen, const char *file, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[200];

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s%s%s%s%s", file != NULL ? file : "",
	    file != NULL ? ": " : "", what, e != 0 ? ": " : "", buf);
	ERR_clear_error();
}

/* ---------------------------------------------------------- key, CSR */

int
sc_cert_genkey(const char *path, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	FILE *fp = NULL;
	int fd = -1;
	int rc = -1;

	ERR_clear_error();
	if ((key = EVP_EC_gen("P-256")) == NULL) {
		cert_err(err, errlen, NULL, "cannot generate an EC P-256 key");
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (not overwritten; remove it first)" :
		    "");
		goto out;
	}
	/* The umask can only take bits away; make sure of 0600 anyway. */
	if (fchmod(fd, 0600) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) != 1) {
		cert_err(err, errlen, path, "cannot write the key");
		goto fail;
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fp = NULL;
	rc = 0;
	goto out;
fail:
	if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	fp = NULL;
	fd = -1;
	unlink(path);
out:
	EVP_PKEY_free(key);
	return rc;
}

EVP_PKEY *
sc_cert_key_load(const char *path, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	BIO *b;

	ERR_clear_error();
	if ((b = BIO_new_file(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (key == NULL)
		cert_err(err, errlen, path, "not a PEM private key");
	return key;
}

void
sc_cert_uuid_urn(const uint8_t u[16], char *buf, size_t len)
{
	snprintf(buf, len, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3],
	    u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
	    u[14], u[15]);
}

/* A DNS name for a SAN: letters, digits, '-', '.', a leading "*.". */
static bool
cert_dns_is_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	if (n > 2 && s[0] == '*' && s[1] == '.')
		s += 2;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static int
cert_push_name(GENERAL_NAMES *names, int type, const char *text)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (gn == NULL || s == NULL ||
	    ASN1_STRING_set(s, text, (int)strlen(text)) != 1)
		goto fail;
	GENERAL_NAME_set0_value(gn, type, s);
	if (sk_GENERAL_NAME_push(names, gn) <= 0) {
		GENERAL_NAME_free(gn);
		return -1;
	}
	return 0;
fail:
	ASN1_IA5STRING_free(s);
	GENERAL_NAME_free(gn);
	return -1;
}

static int
cert_push_ip(GENERAL_NAMES *names, const char *text)
{
	GENERAL_NAME *gn;
	ASN1_OCTET_STRING *ip = a2i_IPADDRESS(text);

	if (ip == NULL)
		return -1;
	if ((gn = GENERAL_NAME_new()) == NULL) {
		ASN1_OCTET_STRING_free(ip);
		return -1;
	}
	GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
	if (sk_GENERAL_NAME_push(names, gn) <= 0) {
		GENERAL_NAME_free(gn);
		return -1;
	}
	return 0;
}

/* The SAN extension of a CSR. */
static GENERAL_NAMES *
cert_csr_sans(const struct sc_cert_csr_req *req, char *err, size_t errlen)
{
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	char urn[64];
	size_t i;

	if (names == NULL)
		goto oom;
	sc_cert_uuid_urn(req->uuid, urn, sizeof(urn));
	if (cert_push_name(names, GEN_URI, urn) != 0)
		goto oom;
	for (i = 0; i < req->n_dns && i < SC_CERT_MAX_SANS; i++) {
		if (!cert_dns_is_valid(req->dns[i])) {
			snprintf(err, errlen, "DNS name \"%s\" is not valid "
			    "(letters, digits, '-', '.')", req->dns[i]);
			goto fail;
		}
		if (cert_push_name(names, GEN_DNS, req->dns[i]) != 0)
			goto oom;
	}
	for (i = 0; i < req->n_ip && i < SC_CERT_MAX_SANS; i++) {
		if (cert_push_ip(names, req->ip[i]) != 0) {
			snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 "
			    "address", req->ip[i]);
			goto fail;
		}
	}
	return names;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	GENERAL_NAMES_free(names);
	ERR_clear_error();
	return NULL;
}

/* SAN, key usage and extended key usage, as described in sc_cert.h. */
static STACK_OF(X509_EXTENSION) *
cert_csr_exts(const struct sc_cert_csr_req *req, char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	GENERAL_NAMES *names;
	ASN1_BIT_STRING *ku = NULL;
	EXTENDED_KEY_USAGE *eku = NULL;
	bool ok;

	if ((names = cert_csr_sans(req, err, errlen)) == NULL)
		return NULL;
	ku = ASN1_BIT_STRING_new();
	eku = sk_ASN1_OBJECT_new_null();
	ok = ku != NULL && eku != NULL &&
	    ASN1_BIT_STRING_set_bit(ku, 0, 1) == 1 &&	/* digitalSignature */
	    sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) > 0 &&
	    sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) > 0 &&
	    X509V3_add1_i2d(&exts, NID_subject_alt_name, names, 0,
	    X509V3_ADD_DEFAULT) == 1 &&
	    X509V3_add1_i2d(&exts, NID_key_usage, ku, 1,
	    X509V3_ADD_DEFAULT) == 1 &&
	    X509V3_add1_i2d(&exts, NID_ext_key_usage, eku, 0,
	    X509V3_ADD_DEFAULT) == 1;
	GENERAL_NAMES_free(names);
	ASN1_BIT_STRING_free(ku);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	if (!ok) {
		cert_err(err, errlen, NULL, "cannot build CSR extensions");
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		return NULL;
	}
	return exts;
}

X509_REQ *
sc_cert_csr_new(EVP_PKEY *key, const struct sc_cert_csr_req *req, char *err,
    size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_REQ *r = NULL;
	X509_NAME *nm;

	ERR_clear_error();
	if (req->cn == NULL || req->cn[0] == '\0' || strlen(req->cn) > 64) {
		snprintf(err, errlen, "need a common name of 1..64 characters");
		return NULL;
	}
	if (req->org != NULL && (req->org[0] == '\0' ||
	    strlen(req->org) > 64)) {
		snprintf(err, errlen, "organization: 1..64 characters");
		return NULL;
	}
	if (req->n_dns > SC_CERT_MAX_SANS || req->n_ip > SC_CERT_MAX_SANS) {
		snprintf(err, errlen, "at most %d DNS and %d IP names",
		    SC_CERT_MAX_SANS, SC_CERT_MAX_SANS);
		return NULL;
	}
	if ((exts = cert_csr_exts(req, err, errlen)) == NULL)
		return NULL;
	if ((r = X509_REQ_new()) == NULL || X509_REQ_set_version(r, 0) != 1)
		goto ossl;
	nm = X509_REQ_get_subject_name(r);
	if ((req->org != NULL && X509_NAME_add_entry_by_txt(nm, "O",
	    MBSTRING_UTF8, (const unsigned char *)req->org, -1, -1, 0) != 1) ||
	    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
	    (const unsigned char *)req->cn, -1, -1, 0) != 1)
		goto ossl;
	if (X509_REQ_set_pubkey(r, key) != 1 ||
	    X509_REQ_add_extensions(r, exts) != 1 ||
	    X509_REQ_sign(r, key, EVP_sha256()) <= 0)
		goto ossl;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return r;
ossl:
	cert_err(err, errlen, NULL, "cannot make the CSR");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(r);
	return NULL;
}

/* --------------------------------------------------------- inspection */

static time_t
cert_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

void
sc_cert_info_get(X509 *cert, struct sc_cert_info *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	BIGNUM *bn;
	char *hex;
	size_t at = 0;

	memset(out, 0, sizeof(*out));
	sc_tls_name_text(X509_get_subject_name(cert), out->subject,
	    sizeof(out->subject));
	sc_tls_name_text(X509_get_issuer_name(cert), out->issuer,
	    sizeof(out->issuer));
	sc_tls_sans_text(cert, out->sans, sizeof(out->sans), out->uuid,
	    &out->has_uuid);
	out->not_before = cert_time(X509_get0_notBefore(cert));
	out->not_after = cert_time(X509_get0_notAfter(cert));
	out->is_ca = X509_check_ca(cert) > 0;
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	if (bn != NULL && (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(out->serial, sizeof(out->serial), "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1)
		for (i = 0; i < mdlen && at + 4 <= sizeof(out->sha256); i++)
			at += (size_t)snprintf(out->sha256 + at,
			    sizeof(out->sha256) - at, "%s%02X",
			    i > 0 ? ":" : "", md[i]);
	ERR_clear_error();
}

/*
 * Read every certificate in the PEM file path; return an owned stack with
 * at least one, or NULL with err set.
 */
static STACK_OF(X509) *
cert_read_all(const char *path, char *err, size_t errlen)
{
	STACK_OF(X509) *sk;
	X509 *x;
	BIO *b;

	ERR_clear_error();
	if ((b = BIO_new_file(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	if ((sk = sk_X509_new_null()) == NULL) {
		BIO_free(b);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(sk, x) <= 0) {
			X509_free(x);
			break;
		}
	}
	BIO_free(b);
	if (sk_X509_num(sk) == 0) {
		snprintf(err, errlen, "%s: no PEM certificate in it", path);
		sk_X509_free(sk);
		ERR_clear_error();
		return NULL;
	}
	ERR_clear_error();	/* the end of the file ends the loop */
	return sk;
}

int
sc_cert_info_load(const char *path, struct sc_cert_info *out, size_t max,
    size_t *n, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = cert_read_all(path, err, errlen);
	size_t i;

	if (sk == NULL)
		return -1;
	for (i = 0; i < (size_t)sk_X509_num(sk) && i < max; i++)
		sc_cert_info_get(sk_X509_value(sk, (int)i), &out[i]);
	*n = i;
	sk_X509_pop_free(sk, X509_free);
	return 0;
}

long
sc_cert_days_left(time_t not_after, time_t now)
{
	long long d = (long long)not_after - (long long)now;

	/* Round towards minus infinity: one second past is day -1. */
	if (d < 0)
		return (long)(-((-d + DAY - 1) / DAY));
	return (long)(d / DAY);
}

int
sc_cert_file_days_left(const char *path, time_t now, long *out, char *err,
    size_t errlen)
{
	STACK_OF(X509) *sk = cert_read_all(path, err, errlen);

	if (sk == NULL)
		return -1;
	*out = sc_cert_days_left(cert_time(X509_get0_notAfter(
	    sk_X509_value(sk, 0))), now);
	sk_X509_pop_free(sk, X509_free);
	return 0;
}

void
sc_cert_time_text(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "(time %lld)", (long long)t);
}

/* ------------------------------------------------------------ install */

/* Verify leaf (+ untrusted intermediates) against the issuer files. */
static int
cert_chain_check(X509 *leaf, STACK_OF(X509) *chain,
    const char *const *ca_files, size_t n_ca, time_t now, char *err,
    size_t errlen)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *xc = X509_STORE_CTX_new();
	int rc = -1;
	size_t i;

	if (st == NULL || xc == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (n_ca == 0) {
		snprintf(err, errlen, "no issuer (CA) certificate configured");
		goto out;
	}
	for (i = 0; i < n_ca; i++) {
		if (X509_STORE_load_file(st, ca_files[i]) != 1) {
			cert_err(err, errlen, ca_files[i],
			    "cannot load issuer certificate");
			goto out;
		}
	}
	if (X509_STORE_CTX_init(xc, st, leaf, chain) != 1) {
		cert_err(err, errlen, NULL, "X509_STORE_CTX_init");
		goto out;
	}
	X509_STORE_CTX_set_time(xc, 0, now);
	if (X509_verify_cert(xc) != 1) {
		int e = X509_STORE_CTX_get_error(xc);

		snprintf(err, errlen, "the certificate does not chain to a "
		    "configured issuer certificate: %s%s",
		    X509_verify_cert_error_string(e),
		    e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ?
		    " (add its issuer with --ca, or get it signed by a "
		    "configured issuer)" : "");
		goto out;
	}
	rc = 0;
out:
	X509_STORE_CTX_free(xc);
	X509_STORE_free(st);
	ERR_clear_error();
	return rc;
}

/* Usages: TLS client and server, digitalSignature if KU is present. */
static int
cert_usage_check(X509 *leaf, char *err, size_t errlen)
{
	if (X509_check_purpose(leaf, X509_PURPOSE_SSL_CLIENT, 0) != 1) {
		snprintf(err, errlen, "the certificate does not allow TLS "
		    "client use (extended key usage clientAuth missing); the "
		    "router needs it to connect to the hub");
		return -1;
	}
	if (X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) != 1) {
		snprintf(err, errlen, "the certificate does not allow TLS "
		    "server use (extended key usage serverAuth missing); the "
		    "hub function and direct connections need it");
		return -1;
	}
	if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) != 0 &&
	    (X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) == 0) {
		snprintf(err, errlen, "the certificate's key usage lacks "
		    "digitalSignature (needed for TLS 1.3)");
		return -1;
	}
	if (X509_check_ca(leaf) > 0 &&
	    (X509_get_extension_flags(leaf) & EXFLAG_BCONS) != 0) {
		snprintf(err, errlen, "this is a CA certificate, not an "
		    "operational certificate");
		return -1;
	}
	return 0;
}

int
sc_cert_install_check(const char *cert_path, const char *key_path,
    const char *const *ca_files, size_t n_ca, time_t now, char *err,
    size_t errlen)
{
	STACK_OF(X509) *sk = NULL;
	EVP_PKEY *key = NULL;
	X509 *leaf;
	char t1[40], t2[40];
	time_t nb, na;
	int rc = -1;

	if ((sk = cert_read_all(cert_path, err, errlen)) == NULL)
		return -1;
	leaf = sk_X509_shift(sk);	/* the rest: untrusted intermediates */
	if ((key = sc_cert_key_load(key_path, err, errlen)) == NULL)
		goto out;
	if (X509_check_private_key(leaf, key) != 1) {
		snprintf(err, errlen, "%s does not match the private key %s "
		    "(was the CSR made from another key?)", cert_path,
		    key_path);
		goto out;
	}
	nb = cert_time(X509_get0_notBefore(leaf));
	na = cert_time(X509_get0_notAfter(leaf));
	sc_cert_time_text(now, t1, sizeof(t1));
	if (now < nb) {
		sc_cert_time_text(nb, t2, sizeof(t2));
		snprintf(err, errlen, "%s is not valid yet: valid from %s, "
		    "the clock says %s", cert_path, t2, t1);
		goto out;
	}
	if (now > na) {
		sc_cert_time_text(na, t2, sizeof(t2));
		snprintf(err, errlen, "%s has expired: valid until %s, the "
		    "clock says %s", cert_path, t2, t1);
		goto out;
	}
	if (cert_usage_check(leaf, err, errlen) != 0)
		goto out;
	if (cert_chain_check(leaf, sk, ca_files, n_ca, now, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(leaf);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

/* Copy all of fd_in to fd_out. */
static int
cert_copy_fd(int fd_in, int fd_out)
{
	char buf[8192];
	ssize_t n, w, off;

	for (;;) {
		n = read(fd_in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		for (off = 0; off < n; off += w) {
			w = write(fd_out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0)
				return -1;
		}
	}
}

int
sc_cert_install_file(const char *src, const char *dest, unsigned mode,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	int in = -1, out = -1, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.new.XXXXXX", dest) >=
	    (int)sizeof(tmp) || snprintf(dir, sizeof(dir), "%s", dest) >=
	    (int)sizeof(dir)) {
		snprintf(err, errlen, "%s: name too long", dest);
		return -1;
	}
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	/* mkstemp makes the file 0600: never more open than mode. */
	if ((out = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "%s: cannot make a temporary file: %s",
		    dest, strerror(errno));
		close(in);
		return -1;
	}
	/* Keep the owner of the file we replace (root installing for the
	 * daemon's user). */
	if (geteuid() == 0 && stat(dest, &st) == 0 &&
	    fchown(out, st.st_uid, st.st_gid) != 0)
		goto fail;
	if (fchmod(out, (mode_t)mode & 0777) != 0 ||
	    cert_copy_fd(in, out) != 0 || fsync(out) != 0)
		goto fail;
	close(in);
	in = -1;
	if (close(out) != 0) {
		out = -1;
		goto fail;
	}
	out = -1;
	if (rename(tmp, dest) != 0)
		goto fail;
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >=
	    0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", dest, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	unlink(tmp);
	return -1;
}

/* ----------------------------------------------------- expiry, clock */

const char *
sc_cert_state_name(enum sc_cert_state s)
{
	switch (s) {
	case SC_CERT_OK:
		return "ok";
	case SC_CERT_EXPIRING:
		return "expiring";
	case SC_CERT_EXPIRED:
		return "expired";
	case SC_CERT_NOT_YET_VALID:
		return "not-yet-valid";
	case SC_CERT_UNREADABLE:
		return "unreadable";
	}
	return "?";
}

enum sc_cert_state
sc_cert_state_at(time_t not_before, time_t not_after, time_t now,
    unsigned warn_days)
{
	if (now < not_before)
		return SC_CERT_NOT_YET_VALID;
	if (now > not_after)
		return SC_CERT_EXPIRED;
	if (sc_cert_days_left(not_after, now) <= (long)warn_days)
		return SC_CERT_EXPIRING;
	return SC_CERT_OK;
}

/* Write w->text from the other fields. */
static void
cert_warning_text(struct sc_cert_warning *w, time_t now, const char *why)
{
	const char *what = w->operational ? "operational certificate" :
	    "issuer certificate";
	char ta[40], tb[40], tn[40];

	sc_cert_time_text(w->not_after, ta, sizeof(ta));
	sc_cert_time_text(w->not_before, tb, sizeof(tb));
	sc_cert_time_text(now, tn, sizeof(tn));
	switch (w->state) {
	case SC_CERT_OK:
		snprintf(w->text, sizeof(w->text), "%s %s (%s) is valid until "
		    "%s", what, w->file, w->subject, ta);
		break;
	case SC_CERT_EXPIRING:
		snprintf(w->text, sizeof(w->text), "%s %s (%s) expires in %ld "
		    "day%s, on %s: renew it", what, w->file, w->subject,
		    w->days_left, w->days_left == 1 ? "" : "s", ta);
		break;
	case SC_CERT_EXPIRED:
		snprintf(w->text, sizeof(w->text), "%s %s (%s) EXPIRED on %s "
		    "(%ld day%s ago): BACnet/SC peers refuse it", what,
		    w->file, w->subject, ta, -w->days_left,
		    -w->days_left == 1 ? "" : "s");
		break;
	case SC_CERT_NOT_YET_VALID:
		snprintf(w->text, sizeof(w->text), "%s %s (%s) is not valid "
		    "before %s but the system clock says %s: is the clock "
		    "wrong?", what, w->file, w->subject, tb, tn);
		break;
	case SC_CERT_UNREADABLE:
		snprintf(w->text, sizeof(w->text), "%s %s cannot be read: %s",
		    what, w->file, why != NULL ? why : "?");
		break;
	}
}

/* Add a warning for cert (or an unreadable file if cert is NULL). */
static void
cert_warn_add(X509 *cert, const char *file, bool operational, time_t now,
    unsigned warn_days, const char *why, struct sc_cert_warning *out,
    size_t max, size_t *n)
{
	struct sc_cert_warning w;

	memset(&w, 0, sizeof(w));
	w.operational = operational;
	snprintf(w.file, sizeof(w.file), "%s", file);
	if (cert == NULL) {
		w.state = SC_CERT_UNREADABLE;
	} else {
		w.not_before = cert_time(X509_get0_notBefore(cert));
		w.not_after = cert_time(X509_get0_notAfter(cert));
		w.state = sc_cert_state_at(w.not_before, w.not_after, now,
		    warn_days);
		if (w.state == SC_CERT_OK)
			return;
		w.days_left = sc_cert_days_left(w.not_after, now);
		sc_tls_name_text(X509_get_subject_name(cert), w.subject,
		    sizeof(w.subject));
	}
	cert_warning_text(&w, now, why);
	if (*n < max)
		out[*n] = w;
	(*n)++;
}

size_t
sc_cert_expiry_check(const struct sc_tls_config *cfg, time_t now,
    unsigned warn_days, struct sc_cert_warning *out, size_t max)
{
	STACK_OF(X509) *sk;
	char err[256];
	size_t n = 0, i;
	int k;

	if (cfg->cert_file != NULL) {
		sk = cert_read_all(cfg->cert_file, err, sizeof(err));
		cert_warn_add(sk != NULL ? sk_X509_value(sk, 0) : NULL,
		    cfg->cert_file, true, now, warn_days, err, out, max, &n);
		sk_X509_pop_free(sk, X509_free);
	}
	for (i = 0; i < cfg->n_ca_files && i < SC_TLS_MAX_CA; i++) {
		if (cfg->ca_files[i] == NULL)
			continue;
		sk = cert_read_all(cfg->ca_files[i], err, sizeof(err));
		if (sk == NULL)
			cert_warn_add(NULL, cfg->ca_files[i], false, now,
			    warn_days, err, out, max, &n);
		for (k = 0; sk != NULL && k < sk_X509_num(sk); k++)
			cert_warn_add(sk_X509_value(sk, k), cfg->ca_files[i],
			    false, now, warn_days, NULL, out, max, &n);
		sk_X509_pop_free(sk, X509_free);
	}
	return n;
}

int
sc_cert_startup_check(const struct sc_tls_config *cfg, time_t now,
    char *err, size_t errlen)
{
	struct sc_cert_warning w;
	char why[256];
	STACK_OF(X509) *sk;
	size_t n = 0;

	if (cfg->cert_file == NULL) {
		snprintf(err, errlen, "no operational certificate configured");
		return -1;
	}
	sk = cert_read_all(cfg->cert_file, why, sizeof(why));
	/* warn_days 0: only expired / not yet valid / unreadable count;
	 * on the last day the state is EXPIRING, which is fine here. */
	cert_warn_add(sk != NULL ? sk_X509_value(sk, 0) : NULL,
	    cfg->cert_file, true, now, 0, why, &w, 1, &n);
	sk_X509_pop_free(sk, X509_free);
	if (n == 0 || w.state == SC_CERT_EXPIRING)
		return 0;
	snprintf(err, errlen, "%s%s", w.text,
	    w.state == SC_CERT_EXPIRED ? "; refusing to start with an "
	    "expired operational certificate: install a new one "
	    "(bacsc-cert install)" : "; refusing to start");
	return -1;
}

bool
sc_cert_clock_is_plausible(const struct sc_tls_config *cfg, time_t now,
    char *msg, size_t len)
{
	const char *files[SC_TLS_MAX_CA + 1];
	char err[256], tn[40], tb[40], subj[256];
	size_t nf = 0, i;
	STACK_OF(X509) *sk;
	int k;

	if (cfg->cert_file != NULL)
		files[nf++] = cfg->cert_file;
	for (i = 0; i < cfg->n_ca_files && i < SC_TLS_MAX_CA; i++)
		if (cfg->ca_files[i] != NULL)
			files[nf++] = cfg->ca_files[i];
	for (i = 0; i < nf; i++) {
		if ((sk = cert_read_all(files[i], err, sizeof(err))) == NULL)
			continue;
		for (k = 0; k < sk_X509_num(sk); k++) {
			X509 *x = sk_X509_value(sk, k);
			time_t nb = cert_time(X509_get0_notBefore(x));

			if (now >= nb)
				continue;
			sc_cert_time_text(now, tn, sizeof(tn));
			sc_cert_time_text(nb, tb, sizeof(tb));
			sc_tls_name_text(X509_get_subject_name(x), subj,
			    sizeof(subj));
			snprintf(msg, len, "the system clock looks wrong: it "
			    "says %s, before the start of validity (%s) of "
			    "the certificate %s in %s; set the clock (NTP) or "
			    "TLS will fail", tn, tb, subj, files[i]);
			sk_X509_pop_free(sk, X509_free);
			return false;
		}
		sk_X509_pop_free(sk, X509_free);
	}
	return true;
}

/* ------------------------------------------------------------- reload */

struct sc_tls_ctx *
sc_cert_tls_reload(const struct sc_tls_config *cfg, time_t now, char *err,
    size_t errlen)
{
	if (sc_cert_startup_check(cfg, now, err, errlen) != 0)
		return NULL;
	return sc_tls_ctx_new(cfg, err, errlen);
}
