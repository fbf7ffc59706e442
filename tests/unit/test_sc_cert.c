/*
 * Certificate lifecycle (sc/sc_cert.h): key file mode, CSR contents read
 * back with OpenSSL, the install checks (mismatched key, unconfigured
 * issuer, expired, usages), atomic install, days left and expiry warnings
 * with a fake clock, the start-up and clock checks, and TLS 1.3
 * handshakes in memory (BIO pairs) for issuer rollover and a CRL reload
 * that keeps an established session.  Certificates are made here with the
 * OpenSSL API so every validity time is under the test's control.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <event2/event.h>

#include "lib/jsonw.h"
#include "sc/sc_cert.h"
#include "sc/sc_cert_watch.h"
#include "sc/sc_tls.h"
#include "tests/unit/harness.h"

#define T_DAY	86400L

static char t_dir[64];
static long t_serial = 1000;

/* ------------------------------------------------------------ helpers */

static const char *
t_path(const char *name)
{
	static char buf[8][128];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", t_dir, name);
	return buf[k];
}

static EVP_PKEY *
t_key(void)
{
	return EVP_EC_gen("P-256");
}

static void
t_ext(X509 *x, X509 *issuer, int nid, const char *val)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, nid, val);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/*
 * A certificate for key (or for req's key and extensions) named cn, issued
 * by issuer/ikey (NULL: self-signed CA), valid [nb, na].  eku NULL: a CA.
 */
static X509 *
t_cert(EVP_PKEY *key, X509_REQ *req, const char *cn, X509 *issuer,
    EVP_PKEY *ikey, time_t nb, time_t na, const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), t_serial++);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : nm);
	X509_NAME_free(nm);
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
	if (req != NULL) {
		STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
		EVP_PKEY *pub = X509_REQ_get_pubkey(req);
		int i;

		X509_set_pubkey(x, pub);
		EVP_PKEY_free(pub);
		for (i = 0; i < sk_X509_EXTENSION_num(exts); i++)
			X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	} else {
		X509_set_pubkey(x, key);
	}
	if (eku == NULL) {
		t_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		t_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
		t_ext(x, x, NID_subject_key_identifier, "hash");
	} else if (req == NULL) {
		t_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		t_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
		t_ext(x, issuer, NID_ext_key_usage, eku);
		t_ext(x, issuer, NID_subject_alt_name, "DNS:localhost");
	}
	CU_ASSERT_FATAL(X509_sign(x, ikey != NULL ? ikey : key,
	    EVP_sha256()) > 0);
	return x;
}

static void
t_write_cert(const char *path, X509 *x, X509 *also)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	PEM_write_X509(f, x);
	if (also != NULL)
		PEM_write_X509(f, also);
	fclose(f);
	chmod(path, 0644);
}

static void
t_write_key(const char *path, EVP_PKEY *k)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	chmod(path, 0600);
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
}

/* A CA and its key; written to NAME.pem. */
struct t_ca {
	X509		*cert;
	EVP_PKEY	*key;
	char		 file[128];
};

static void
t_ca_make(struct t_ca *ca, const char *name, time_t nb, time_t na)
{
	char f[64];

	ca->key = t_key();
	ca->cert = t_cert(ca->key, NULL, name, NULL, NULL, nb, na, NULL);
	snprintf(f, sizeof(f), "%s.pem", name);
	snprintf(ca->file, sizeof(ca->file), "%s", t_path(f));
	t_write_cert(ca->file, ca->cert, NULL);
}

static void
t_ca_free(struct t_ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
}

/* A leaf from ca, written to NAME.pem / NAME.key. */
static X509 *
t_leaf(const char *name, const struct t_ca *ca, time_t nb, time_t na,
    const char *eku)
{
	EVP_PKEY *k = t_key();
	X509 *x = t_cert(k, NULL, name, ca->cert, ca->key, nb, na, eku);
	char f[64];

	snprintf(f, sizeof(f), "%s.pem", name);
	t_write_cert(t_path(f), x, NULL);
	snprintf(f, sizeof(f), "%s.key", name);
	t_write_key(t_path(f), k);
	EVP_PKEY_free(k);
	return x;
}

static int
t_init(void)
{
	snprintf(t_dir, sizeof(t_dir), "/tmp/ut-sc-cert.XXXXXX");
	return mkdtemp(t_dir) != NULL ? 0 : -1;
}

static int
t_fini(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const uint8_t t_uuid[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
	0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
};

/* ------------------------------------------------------------ key, CSR */

static void
test_genkey_mode(void)
{
	const char *p = t_path("gen.key");
	char err[256];
	struct stat st;
	mode_t old = umask(0);	/* the file must be 0600 whatever the umask */
	EVP_PKEY *k;
	char grp[64];
	size_t gl = 0;
	off_t size;

	unlink(p);
	CU_ASSERT_EQUAL(sc_cert_genkey(p, err, sizeof(err)), 0);
	umask(old);
	CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL(sc_tls_key_file_check(p, err, sizeof(err)), 0);
	size = st.st_size;
	/* never overwritten */
	CU_ASSERT_EQUAL(sc_cert_genkey(p, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "exists"));
	CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, size);
	k = sc_cert_key_load(p, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_TRUE(EVP_PKEY_is_a(k, "EC"));
	CU_ASSERT_EQUAL(EVP_PKEY_get_group_name(k, grp, sizeof(grp), &gl), 1);
	CU_ASSERT_STRING_EQUAL(grp, "prime256v1");
	EVP_PKEY_free(k);
	/* a folder that does not exist */
	CU_ASSERT_EQUAL(sc_cert_genkey(t_path("no/such.key"), err,
	    sizeof(err)), -1);
}

/* Find extension nid in exts; return its decoded value (owned) or NULL. */
static void *
t_ext_get(STACK_OF(X509_EXTENSION) *exts, int nid, int *crit)
{
	return X509V3_get_d2i(exts, nid, crit, NULL);
}

static void
test_csr_contents(void)
{
	struct sc_cert_csr_req rq = { .cn = "router-7", .org = "Site A" };
	STACK_OF(X509_EXTENSION) *exts;
	GENERAL_NAMES *sans;
	ASN1_BIT_STRING *ku;
	EXTENDED_KEY_USAGE *eku;
	EVP_PKEY *k = t_key(), *pub;
	X509_REQ *r, *back;
	char err[256], cn[80];
	int crit = -1, i, seen_uri = 0, seen_dns = 0, seen_ip4 = 0, seen_ip6 = 0;
	int srv = 0, cli = 0;
	FILE *f;

	memcpy(rq.uuid, t_uuid, 16);
	rq.dns[rq.n_dns++] = "router7.example.org";
	rq.ip[rq.n_ip++] = "192.0.2.7";
	rq.ip[rq.n_ip++] = "2001:db8::7";
	r = sc_cert_csr_new(k, &rq, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* through PEM and back, as a CA would read it */
	f = fopen(t_path("r.csr"), "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	PEM_write_X509_REQ(f, r);
	fclose(f);
	X509_REQ_free(r);
	f = fopen(t_path("r.csr"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	back = PEM_read_X509_REQ(f, NULL, NULL, NULL);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	pub = X509_REQ_get_pubkey(back);
	CU_ASSERT_EQUAL(X509_REQ_verify(back, pub), 1);	/* self-signed */
	CU_ASSERT_EQUAL(EVP_PKEY_eq(pub, k), 1);		/* our key */
	EVP_PKEY_free(pub);
	CU_ASSERT(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(back),
	    NID_commonName, cn, sizeof(cn)) > 0);
	CU_ASSERT_STRING_EQUAL(cn, "router-7");
	CU_ASSERT(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(back),
	    NID_organizationName, cn, sizeof(cn)) > 0);
	CU_ASSERT_STRING_EQUAL(cn, "Site A");

	exts = X509_REQ_get_extensions(back);
	CU_ASSERT_PTR_NOT_NULL_FATAL(exts);
	sans = t_ext_get(exts, NID_subject_alt_name, &crit);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sans);
	CU_ASSERT_EQUAL(sk_GENERAL_NAME_num(sans), 4);
	for (i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		const unsigned char *d;
		int dl;

		if (g->type == GEN_URI) {
			d = ASN1_STRING_get0_data(g->d.ia5);
			dl = ASN1_STRING_length(g->d.ia5);
			seen_uri = dl == 45 && memcmp(d, "urn:uuid:12345678-"
			    "9abc-4def-8001-020304050607", 45) == 0;
		} else if (g->type == GEN_DNS) {
			d = ASN1_STRING_get0_data(g->d.ia5);
			seen_dns = strcmp((const char *)d,
			    "router7.example.org") == 0;
		} else if (g->type == GEN_IPADD) {
			d = ASN1_STRING_get0_data(g->d.ip);
			dl = ASN1_STRING_length(g->d.ip);
			if (dl == 4 && memcmp(d, "\xc0\x00\x02\x07", 4) == 0)
				seen_ip4 = 1;
			if (dl == 16 && d[0] == 0x20 && d[1] == 0x01 &&
			    d[15] == 7)
				seen_ip6 = 1;
		}
	}
	CU_ASSERT(seen_uri && seen_dns && seen_ip4 && seen_ip6);
	GENERAL_NAMES_free(sans);
	ku = t_ext_get(exts, NID_key_usage, &crit);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ku);
	CU_ASSERT_EQUAL(crit, 1);
	CU_ASSERT_TRUE(ASN1_BIT_STRING_get_bit(ku, 0));	/* digitalSig. */
	CU_ASSERT_FALSE(ASN1_BIT_STRING_get_bit(ku, 5));	/* certSign */
	ASN1_BIT_STRING_free(ku);
	eku = t_ext_get(exts, NID_ext_key_usage, &crit);
	CU_ASSERT_PTR_NOT_NULL_FATAL(eku);
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));

		srv |= nid == NID_server_auth;
		cli |= nid == NID_client_auth;
	}
	CU_ASSERT(srv && cli);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(back);
	EVP_PKEY_free(k);
}

static void
test_csr_bad_input(void)
{
	struct sc_cert_csr_req rq = { .cn = "r" };
	EVP_PKEY *k = t_key();
	char err[256];

	rq.ip[rq.n_ip++] = "192.0.2.300";
	CU_ASSERT_PTR_NULL(sc_cert_csr_new(k, &rq, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "192.0.2.300"));
	rq.n_ip = 0;
	rq.dns[rq.n_dns++] = "a, URI:evil";	/* no SAN injection */
	CU_ASSERT_PTR_NULL(sc_cert_csr_new(k, &rq, err, sizeof(err)));
	rq.n_dns = 0;
	rq.cn = "";
	CU_ASSERT_PTR_NULL(sc_cert_csr_new(k, &rq, err, sizeof(err)));
	EVP_PKEY_free(k);
}

/* ------------------------------------------------------------ install */

/* key -> CSR -> issued by ca, valid [nb, na], written to NAME.pem. */
static void
t_issue_from_csr(const char *name, EVP_PKEY *k, const struct t_ca *ca,
    time_t nb, time_t na)
{
	struct sc_cert_csr_req rq = { .cn = name };
	X509_REQ *r;
	X509 *x;
	char err[256], f[64];

	memcpy(rq.uuid, t_uuid, 16);
	r = sc_cert_csr_new(k, &rq, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	x = t_cert(NULL, r, name, ca->cert, ca->key, nb, na, "");
	snprintf(f, sizeof(f), "%s.pem", name);
	t_write_cert(t_path(f), x, NULL);
	X509_free(x);
	X509_REQ_free(r);
}

static void
test_install_checks(void)
{
	time_t now = time(NULL);
	struct t_ca ca, other;
	EVP_PKEY *k = t_key(), *k2 = t_key();
	const char *cas[2];
	char err[512];
	X509 *x;

	t_ca_make(&ca, "ica", now - 10 * T_DAY, now + 3650 * T_DAY);
	t_ca_make(&other, "iother", now - 10 * T_DAY, now + 3650 * T_DAY);
	t_write_key(t_path("op.key"), k);
	t_write_key(t_path("op2.key"), k2);
	t_issue_from_csr("op", k, &ca, now - T_DAY, now + 90 * T_DAY);
	cas[0] = ca.file;
	cas[1] = other.file;

	/* good: matches, chains, valid, usages from our CSR */
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("op.pem"),
	    t_path("op.key"), cas, 1, now, err, sizeof(err)), 0);
	/* second issuer configured too (rollover): still good */
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("op.pem"),
	    t_path("op.key"), cas, 2, now, err, sizeof(err)), 0);
	/* mismatched key */
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("op.pem"),
	    t_path("op2.key"), cas, 1, now, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not match"));
	/* issued by a CA that is not configured */
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("op.pem"),
	    t_path("op.key"), cas + 1, 1, now, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not chain"));
	/* not valid at that time: before, after */
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("op.pem"),
	    t_path("op.key"), cas, 1, now - 2 * T_DAY, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not valid yet"));
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("op.pem"),
	    t_path("op.key"), cas, 1, now + 91 * T_DAY, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "expired"));
	/* serverAuth only: the router could not connect to a hub */
	x = t_leaf("srvonly", &ca, now - T_DAY, now + T_DAY, "serverAuth");
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("srvonly.pem"),
	    t_path("srvonly.key"), cas, 1, now, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "client"));
	X509_free(x);
	/* a CA certificate is not an operational one */
	t_write_key(t_path("ica.key"), ca.key);
	CU_ASSERT_EQUAL(sc_cert_install_check(ca.file, t_path("ica.key"),
	    cas, 1, now, err, sizeof(err)), -1);
	/* missing file */
	CU_ASSERT_EQUAL(sc_cert_install_check(t_path("nope.pem"),
	    t_path("op.key"), cas, 1, now, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nope.pem"));

	t_ca_free(&ca);
	t_ca_free(&other);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
}

static void
test_install_file(void)
{
	const char *src = t_path("inst-src"), *dst = t_path("inst-dst");
	struct stat st;
	char err[256], buf[64];
	FILE *f;
	size_t n;

	f = fopen(src, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("new content\n", f);
	fclose(f);
	f = fopen(dst, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("old\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(sc_cert_install_file(src, dst, 0644, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(stat(dst, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);
	f = fopen(dst, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, "new content\n");
	/* a key keeps 0600 */
	CU_ASSERT_EQUAL(sc_cert_install_file(src, dst, 0600, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(stat(dst, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	/* a missing source leaves dest alone */
	CU_ASSERT_EQUAL(sc_cert_install_file(t_path("none"), dst, 0644, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(stat(dst, &st), 0);
	/* into a folder that does not exist */
	CU_ASSERT_EQUAL(sc_cert_install_file(src, t_path("no/dst"), 0644,
	    err, sizeof(err)), -1);
}

/* ------------------------------------------------------- expiry, clock */

static void
test_days_left(void)
{
	static const struct { long delta; long days; } v[] = {
		{ 31 * T_DAY, 31 }, { 30 * T_DAY + 5, 30 }, { 30 * T_DAY, 30 },
		{ 30 * T_DAY - 1, 29 }, { T_DAY, 1 }, { 1, 0 }, { 0, 0 },
		{ -1, -1 }, { -T_DAY, -1 }, { -T_DAY - 1, -2 },
		{ -400 * T_DAY, -400 },
	};
	const time_t now = 1700000000;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CU_ASSERT_EQUAL(sc_cert_days_left(now + v[i].delta, now),
		    v[i].days);
}

static void
test_state_at(void)
{
	const time_t nb = 1700000000, na = nb + 365 * T_DAY;

	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, nb - 1, 30),
	    SC_CERT_NOT_YET_VALID);
	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, nb, 30), SC_CERT_OK);
	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, na - 31 * T_DAY, 30),
	    SC_CERT_OK);
	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, na - 30 * T_DAY, 30),
	    SC_CERT_EXPIRING);
	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, na - 29 * T_DAY, 30),
	    SC_CERT_EXPIRING);
	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, na, 30), SC_CERT_EXPIRING);
	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, na + 1, 30),
	    SC_CERT_EXPIRED);
	CU_ASSERT_EQUAL(sc_cert_state_at(nb, na, na - 29 * T_DAY, 0),
	    SC_CERT_OK);
	CU_ASSERT_STRING_EQUAL(sc_cert_state_name(SC_CERT_EXPIRED),
	    "expired");
}

/* Expiry warnings over an operational and two issuer certificates. */
static void
test_expiry_warnings(void)
{
	const time_t t0 = time(NULL);
	const time_t na = t0 + 100 * T_DAY;	/* operational expiry */
	struct sc_tls_config cfg = { 0 };
	struct sc_cert_warning w[8];
	struct t_ca ca, ca2;
	X509 *x;
	size_t n;

	t_ca_make(&ca, "eca", t0 - 10 * T_DAY, t0 + 3650 * T_DAY);
	t_ca_make(&ca2, "eca2", t0 - 10 * T_DAY, t0 + 200 * T_DAY);
	x = t_leaf("eop", &ca, t0 - T_DAY, na, "serverAuth,clientAuth");
	X509_free(x);
	cfg.cert_file = t_path("eop.pem");
	cfg.key_file = t_path("eop.key");
	cfg.ca_files[0] = ca.file;
	cfg.ca_files[1] = ca2.file;
	cfg.n_ca_files = 2;

	/* 31, 30, 29 and 0 days left with a 30-day notice */
	CU_ASSERT_EQUAL(sc_cert_expiry_check(&cfg, na - 31 * T_DAY, 30, w, 8),
	    0);
	n = sc_cert_expiry_check(&cfg, na - 30 * T_DAY, 30, w, 8);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_EXPIRING);
	CU_ASSERT_TRUE(w[0].operational);
	CU_ASSERT_EQUAL(w[0].days_left, 30);
	CU_ASSERT_EQUAL(w[0].not_after, na);
	CU_ASSERT_PTR_NOT_NULL(strstr(w[0].text, "expires in 30 days"));
	n = sc_cert_expiry_check(&cfg, na - 29 * T_DAY, 30, w, 8);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(w[0].days_left, 29);
	n = sc_cert_expiry_check(&cfg, na - 3600, 30, w, 8);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(w[0].days_left, 0);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_EXPIRING);
	/* expired; the second issuer (valid 200 days) is now expiring too */
	n = sc_cert_expiry_check(&cfg, na + 1, 30, w, 8);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_EXPIRED);
	CU_ASSERT_EQUAL(w[0].days_left, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(w[0].text, "EXPIRED"));
	n = sc_cert_expiry_check(&cfg, t0 + 180 * T_DAY, 30, w, 8);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_EXPIRED);
	CU_ASSERT_FALSE(w[1].operational);
	CU_ASSERT_EQUAL(w[1].state, SC_CERT_EXPIRING);
	CU_ASSERT_EQUAL(w[1].days_left, 20);
	CU_ASSERT_PTR_NOT_NULL(strstr(w[1].text, "issuer certificate"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w[1].file, "eca2.pem"));
	/* only max stored, all counted */
	CU_ASSERT_EQUAL(sc_cert_expiry_check(&cfg, t0 + 180 * T_DAY, 30, w,
	    1), 2);
	/* not yet valid: the operational certificate and both issuers */
	n = sc_cert_expiry_check(&cfg, t0 - 20 * T_DAY, 30, w, 8);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_NOT_YET_VALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(w[0].text, "clock"));
	/* an unreadable issuer file */
	cfg.ca_files[1] = t_path("missing-ca.pem");
	n = sc_cert_expiry_check(&cfg, t0, 30, w, 8);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_UNREADABLE);
	CU_ASSERT_FALSE(w[0].operational);
	t_ca_free(&ca);
	t_ca_free(&ca2);
}

static void
test_startup_and_clock(void)
{
	const time_t t0 = time(NULL);
	struct sc_tls_config cfg = { 0 };
	struct t_ca ca;
	char err[768];
	X509 *x;

	t_ca_make(&ca, "sca", t0 - 10 * T_DAY, t0 + 3650 * T_DAY);
	x = t_leaf("sop", &ca, t0 - T_DAY, t0 + 50 * T_DAY,
	    "serverAuth,clientAuth");
	X509_free(x);
	cfg.cert_file = t_path("sop.pem");
	cfg.key_file = t_path("sop.key");
	cfg.ca_files[0] = ca.file;
	cfg.n_ca_files = 1;

	CU_ASSERT_EQUAL(sc_cert_startup_check(&cfg, t0, err, sizeof(err)), 0);
	/* the last day still starts (with a warning elsewhere) */
	CU_ASSERT_EQUAL(sc_cert_startup_check(&cfg, t0 + 50 * T_DAY - 60, err,
	    sizeof(err)), 0);
	/* expired: refused, plainly */
	CU_ASSERT_EQUAL(sc_cert_startup_check(&cfg, t0 + 52 * T_DAY, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "EXPIRED"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "refusing to start with an "
	    "expired operational certificate"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "2 days ago"));
	/* not yet valid: refused, with the clock hint */
	CU_ASSERT_EQUAL(sc_cert_startup_check(&cfg, t0 - 2 * T_DAY, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "clock"));
	/* the reload path refuses the same */
	CU_ASSERT_PTR_NULL(sc_cert_tls_reload(&cfg, t0 + 52 * T_DAY, err,
	    sizeof(err)));

	/* clock: before the operational notBefore, before the CA's */
	CU_ASSERT_TRUE(sc_cert_clock_is_plausible(&cfg, t0, err,
	    sizeof(err)));
	CU_ASSERT_FALSE(sc_cert_clock_is_plausible(&cfg, t0 - 2 * T_DAY, err,
	    sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "clock looks wrong"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CN=sop"));
	CU_ASSERT_FALSE(sc_cert_clock_is_plausible(&cfg, t0 - 20 * T_DAY,
	    err, sizeof(err)));
	/* a year 1970 clock (no RTC) */
	CU_ASSERT_FALSE(sc_cert_clock_is_plausible(&cfg, 0, err,
	    sizeof(err)));
	/* missing operational file: refused */
	cfg.cert_file = t_path("none.pem");
	CU_ASSERT_EQUAL(sc_cert_startup_check(&cfg, t0, err, sizeof(err)),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot be read"));
	t_ca_free(&ca);
}

static void
test_info(void)
{
	const time_t t0 = time(NULL);
	struct sc_cert_info inf[4];
	struct t_ca ca;
	EVP_PKEY *k = t_key();
	char err[256];
	size_t n = 0;

	t_ca_make(&ca, "infca", t0 - T_DAY, t0 + 10 * T_DAY);
	t_issue_from_csr("infop", k, &ca, t0 - T_DAY, t0 + 5 * T_DAY);
	CU_ASSERT_EQUAL_FATAL(sc_cert_info_load(t_path("infop.pem"), inf, 4,
	    &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(inf[0].subject, "CN=infop");
	CU_ASSERT_STRING_EQUAL(inf[0].issuer, "CN=infca");
	CU_ASSERT_TRUE(inf[0].has_uuid);
	UT_ASSERT_BYTES(inf[0].uuid, 16, t_uuid, 16);
	CU_ASSERT_PTR_NOT_NULL(strstr(inf[0].sans, "URI:urn:uuid:12345678-"));
	CU_ASSERT_FALSE(inf[0].is_ca);
	CU_ASSERT_EQUAL(sc_cert_days_left(inf[0].not_after, t0), 5);
	CU_ASSERT_EQUAL(strlen(inf[0].sha256), 32 * 3 - 1);
	CU_ASSERT_EQUAL(sc_cert_info_load(ca.file, inf, 4, &n, err,
	    sizeof(err)), 0);
	CU_ASSERT_TRUE(inf[0].is_ca);
	CU_ASSERT_EQUAL(sc_cert_info_load(t_path("infop.pem"), inf, 0, &n,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(sc_cert_info_load(t_path("infop.key"), inf, 4, &n,
	    err, sizeof(err)), -1);
	t_ca_free(&ca);
	EVP_PKEY_free(k);
}

/* ---------------------------------------------- TLS in memory: rollover */

/* TLS config for NAME.pem/.key trusting cas[0..n). */
static void
t_tls_cfg(struct sc_tls_config *c, const char *name, const char *const *cas,
    size_t n, const char *crl)
{
	static char cert[8][128], key[8][128];
	static int k;
	size_t i;

	k = (k + 1) % 8;
	memset(c, 0, sizeof(*c));
	snprintf(cert[k], sizeof(cert[k]), "%s/%s.pem", t_dir, name);
	snprintf(key[k], sizeof(key[k]), "%s/%s.key", t_dir, name);
	c->cert_file = cert[k];
	c->key_file = key[k];
	for (i = 0; i < n; i++)
		c->ca_files[i] = cas[i];
	c->n_ca_files = n;
	c->crl_file = crl;
}

struct t_pair {
	SSL	*c, *s;
};

/*
 * Handshake a client SSL from cctx with a server SSL from sctx over a BIO
 * pair.  Return 0 if both sides completed and the server verified the
 * client (sc_tls_peer_check), -1 otherwise.  On 0 the pair stays in *p.
 */
static int
t_handshake(const struct sc_tls_ctx *cctx, const struct sc_tls_ctx *sctx,
    struct t_pair *p)
{
	BIO *bc = NULL, *bs = NULL;
	struct sc_peer_cert pc;
	const char *why;
	bool cd = false, sd = false;
	int i, r;

	p->c = sc_tls_ssl_new(cctx, false, NULL);
	p->s = sc_tls_ssl_new(sctx, true, NULL);
	CU_ASSERT_FATAL(p->c != NULL && p->s != NULL);
	CU_ASSERT_FATAL(BIO_new_bio_pair(&bc, 0, &bs, 0) == 1);
	SSL_set_bio(p->c, bc, bc);
	SSL_set_bio(p->s, bs, bs);
	SSL_set_connect_state(p->c);
	SSL_set_accept_state(p->s);
	for (i = 0; i < 100 && !(cd && sd); i++) {
		if (!cd) {
			r = SSL_do_handshake(p->c);
			if (r == 1)
				cd = true;
			else if (SSL_get_error(p->c, r) != SSL_ERROR_WANT_READ &&
			    SSL_get_error(p->c, r) != SSL_ERROR_WANT_WRITE)
				goto fail;
		}
		if (!sd) {
			r = SSL_do_handshake(p->s);
			if (r == 1)
				sd = true;
			else if (SSL_get_error(p->s, r) != SSL_ERROR_WANT_READ &&
			    SSL_get_error(p->s, r) != SSL_ERROR_WANT_WRITE)
				goto fail;
		}
	}
	if (!(cd && sd) || sc_tls_peer_check(p->s, &pc, &why) != 0 ||
	    sc_tls_peer_check(p->c, &pc, &why) != 0)
		goto fail;
	ERR_clear_error();
	return 0;
fail:
	ERR_clear_error();
	SSL_free(p->c);
	SSL_free(p->s);
	p->c = p->s = NULL;
	return -1;
}

/* Send one record each way over an established pair; 0 if both arrive. */
static int
t_exchange(struct t_pair *p)
{
	char buf[16];
	int i, got_s = 0, got_c = 0;

	if (SSL_write(p->c, "ping", 4) != 4 || SSL_write(p->s, "pong", 4) != 4)
		return -1;
	for (i = 0; i < 10 && !(got_s && got_c); i++) {
		if (!got_s && SSL_read(p->s, buf, sizeof(buf)) == 4 &&
		    memcmp(buf, "ping", 4) == 0)
			got_s = 1;
		if (!got_c && SSL_read(p->c, buf, sizeof(buf)) == 4 &&
		    memcmp(buf, "pong", 4) == 0)
			got_c = 1;
	}
	ERR_clear_error();
	return got_s && got_c ? 0 : -1;
}

static void
t_pair_free(struct t_pair *p)
{
	SSL_free(p->c);
	SSL_free(p->s);
	p->c = p->s = NULL;
}

/* Two issuers trusted at once: peers signed by either are accepted. */
static void
test_tls_rollover(void)
{
	const time_t t0 = time(NULL);
	struct t_ca old_ca, new_ca, rogue;
	struct sc_tls_config sc, c1, c2, c3;
	struct sc_tls_ctx *sx, *x1, *x2, *x3;
	struct t_pair p;
	const char *both[2], *only_new[1];
	char err[256];
	X509 *x;

	t_ca_make(&old_ca, "rold", t0 - 10 * T_DAY, t0 + 30 * T_DAY);
	t_ca_make(&new_ca, "rnew", t0 - T_DAY, t0 + 3650 * T_DAY);
	t_ca_make(&rogue, "rrogue", t0 - T_DAY, t0 + 3650 * T_DAY);
	both[0] = old_ca.file;
	both[1] = new_ca.file;
	only_new[0] = new_ca.file;
	x = t_leaf("rhub", &new_ca, t0 - T_DAY, t0 + 90 * T_DAY,
	    "serverAuth,clientAuth");
	X509_free(x);
	x = t_leaf("rn1", &old_ca, t0 - T_DAY, t0 + 20 * T_DAY,
	    "serverAuth,clientAuth");
	X509_free(x);
	x = t_leaf("rn2", &new_ca, t0 - T_DAY, t0 + 90 * T_DAY,
	    "serverAuth,clientAuth");
	X509_free(x);
	x = t_leaf("rn3", &rogue, t0 - T_DAY, t0 + 90 * T_DAY,
	    "serverAuth,clientAuth");
	X509_free(x);
	t_tls_cfg(&sc, "rhub", both, 2, NULL);
	t_tls_cfg(&c1, "rn1", both, 2, NULL);
	t_tls_cfg(&c2, "rn2", both, 2, NULL);
	t_tls_cfg(&c3, "rn3", both, 2, NULL);
	sx = sc_tls_ctx_new(&sc, err, sizeof(err));
	x1 = sc_tls_ctx_new(&c1, err, sizeof(err));
	x2 = sc_tls_ctx_new(&c2, err, sizeof(err));
	x3 = sc_tls_ctx_new(&c3, err, sizeof(err));
	CU_ASSERT_FATAL(sx != NULL && x1 != NULL && x2 != NULL && x3 != NULL);

	/* a node from the old and one from the new issuer: both accepted */
	CU_ASSERT_EQUAL(t_handshake(x1, sx, &p), 0);
	CU_ASSERT_EQUAL(t_exchange(&p), 0);
	t_pair_free(&p);
	CU_ASSERT_EQUAL(t_handshake(x2, sx, &p), 0);
	t_pair_free(&p);
	/* an unconfigured issuer: refused */
	CU_ASSERT_EQUAL(t_handshake(x3, sx, &p), -1);

	/* end of rollover: hub reloads with the new issuer only; the old
	 * node's session survives, a new old-issuer handshake is refused */
	CU_ASSERT_EQUAL_FATAL(t_handshake(x1, sx, &p), 0);
	t_tls_cfg(&sc, "rhub", only_new, 1, NULL);
	{
		struct sc_tls_ctx *fresh = sc_cert_tls_reload(&sc, t0, err,
		    sizeof(err));

		CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
		sc_tls_ctx_replace(sx, fresh);
	}
	CU_ASSERT_EQUAL(t_exchange(&p), 0);
	t_pair_free(&p);
	CU_ASSERT_EQUAL(t_handshake(x1, sx, &p), -1);
	CU_ASSERT_EQUAL(t_handshake(x2, sx, &p), 0);
	t_pair_free(&p);

	sc_tls_ctx_free(sx);
	sc_tls_ctx_free(x1);
	sc_tls_ctx_free(x2);
	sc_tls_ctx_free(x3);
	t_ca_free(&old_ca);
	t_ca_free(&new_ca);
	t_ca_free(&rogue);
}

/* A CRL from ca revoking the serial of bad, written to path. */
static void
t_crl(const char *path, const struct t_ca *ca, X509 *bad, time_t now)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, now - 3600);
	FILE *f;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert));
	X509_CRL_set1_lastUpdate(crl, t);
	if (bad != NULL) {
		X509_REVOKED *r = X509_REVOKED_new();

		X509_REVOKED_set_serialNumber(r,
		    X509_get_serialNumber(bad));
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
	}
	ASN1_TIME_set(t, now + 30 * T_DAY);
	X509_CRL_set1_nextUpdate(crl, t);
	X509_CRL_sort(crl);
	CU_ASSERT_FATAL(X509_CRL_sign(crl, ca->key, EVP_sha256()) > 0);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	PEM_write_X509_CRL(f, crl);
	fclose(f);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
}

/* A revoked peer is refused after a CRL reload; sessions survive. */
static void
test_tls_crl_reload(void)
{
	const time_t t0 = time(NULL);
	struct t_ca ca;
	struct sc_tls_config sc, cg, cb;
	struct sc_tls_ctx *sx, *xg, *xb, *fresh;
	struct t_pair est, p;
	const char *cas[1];
	char err[256];
	X509 *good, *bad;

	t_ca_make(&ca, "cca", t0 - 10 * T_DAY, t0 + 3650 * T_DAY);
	cas[0] = ca.file;
	X509_free(t_leaf("chub", &ca, t0 - T_DAY, t0 + 90 * T_DAY,
	    "serverAuth,clientAuth"));
	good = t_leaf("cgood", &ca, t0 - T_DAY, t0 + 90 * T_DAY,
	    "serverAuth,clientAuth");
	bad = t_leaf("cbad", &ca, t0 - T_DAY, t0 + 90 * T_DAY,
	    "serverAuth,clientAuth");
	t_crl(t_path("empty.crl"), &ca, NULL, t0);
	t_tls_cfg(&sc, "chub", cas, 1, t_path("empty.crl"));
	t_tls_cfg(&cg, "cgood", cas, 1, NULL);
	t_tls_cfg(&cb, "cbad", cas, 1, NULL);
	sx = sc_tls_ctx_new(&sc, err, sizeof(err));
	xg = sc_tls_ctx_new(&cg, err, sizeof(err));
	xb = sc_tls_ctx_new(&cb, err, sizeof(err));
	CU_ASSERT_FATAL(sx != NULL && xg != NULL && xb != NULL);

	/* before: the CRL lists nothing; both accepted, bad stays up */
	CU_ASSERT_EQUAL(t_handshake(xg, sx, &p), 0);
	t_pair_free(&p);
	CU_ASSERT_EQUAL_FATAL(t_handshake(xb, sx, &est), 0);

	/* the CA revokes bad; the hub reloads (SIGHUP) */
	t_crl(t_path("empty.crl"), &ca, bad, t0);
	fresh = sc_cert_tls_reload(&sc, t0, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	sc_tls_ctx_replace(sx, fresh);
	/* the established session keeps working ... */
	CU_ASSERT_EQUAL(t_exchange(&est), 0);
	t_pair_free(&est);
	/* ... but a new handshake from the revoked peer is refused */
	CU_ASSERT_EQUAL(t_handshake(xb, sx, &p), -1);
	CU_ASSERT_EQUAL(t_handshake(xg, sx, &p), 0);
	t_pair_free(&p);
	/* a broken CRL file: the reload fails, the running context stays */
	t_write_cert(t_path("broken.crl"), good, NULL);
	t_tls_cfg(&sc, "chub", cas, 1, t_path("broken.crl"));
	CU_ASSERT_PTR_NULL(sc_cert_tls_reload(&sc, t0, err, sizeof(err)));
	CU_ASSERT_EQUAL(t_handshake(xb, sx, &p), -1);

	X509_free(good);
	X509_free(bad);
	sc_tls_ctx_free(sx);
	sc_tls_ctx_free(xg);
	sc_tls_ctx_free(xb);
	t_ca_free(&ca);
}


/* ------------------------------------------------------ the daemon watch */

static time_t t_fake_now;

static time_t
t_fake_time(void *arg)
{
	(void)arg;
	return t_fake_now;
}

static void
test_watch(void)
{
	const time_t t0 = time(NULL);
	const time_t na = t0 + 60 * T_DAY;
	struct sc_tls_config cfg = { 0 };
	const struct sc_cert_warning *w;
	struct sc_cert_watch *wa;
	struct event_base *base = event_base_new();
	struct timeval tv = { 0, 60000 };
	struct t_ca ca;
	const char *msg;
	char json[4096];
	struct jw jw;
	long d = 0;
	char cafile[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	t_ca_make(&ca, "wca", t0 - 10 * T_DAY, t0 + 3650 * T_DAY);
	X509_free(t_leaf("wop", &ca, t0 - T_DAY, na,
	    "serverAuth,clientAuth"));
	snprintf(cafile, sizeof(cafile), "%s", ca.file);
	cfg.cert_file = t_path("wop.pem");
	cfg.key_file = t_path("wop.key");
	cfg.ca_files[0] = cafile;
	cfg.n_ca_files = 1;

	/* 31 days left: quiet; the timer (10 ms here) checks again */
	t_fake_now = na - 31 * T_DAY;
	wa = sc_cert_watch_new(base, "sc0", &cfg, 30, 10, t_fake_time, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wa);
	/* the watch copied the names: scribble over ours */
	memset(cafile, 'x', 20);
	CU_ASSERT_EQUAL(sc_cert_watch_checks(wa), 1);
	CU_ASSERT_EQUAL(sc_cert_watch_warnings(wa, &w), 0);
	CU_ASSERT_TRUE(sc_cert_watch_days_left(wa, &d));
	CU_ASSERT_EQUAL(d, 31);
	CU_ASSERT_TRUE(sc_cert_watch_clock_ok(wa, &msg));
	/* a day later (the daily timer) it warns: 30 days left */
	t_fake_now = na - 30 * T_DAY;
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	CU_ASSERT(sc_cert_watch_checks(wa) >= 2);
	CU_ASSERT_EQUAL_FATAL(sc_cert_watch_warnings(wa, &w), 1);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_EXPIRING);
	CU_ASSERT_EQUAL(w[0].days_left, 30);
	jw_init_buf(&jw, json, sizeof(json));
	sc_cert_watch_json(wa, &jw);
	CU_ASSERT_EQUAL(jw_finish(&jw), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"days_left\":30"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"state\":\"expiring\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"clock_ok\":true"));
	/* expired */
	t_fake_now = na + 1;
	sc_cert_watch_check(wa);
	CU_ASSERT_EQUAL_FATAL(sc_cert_watch_warnings(wa, &w), 1);
	CU_ASSERT_EQUAL(w[0].state, SC_CERT_EXPIRED);
	/* clock before every notBefore */
	t_fake_now = t0 - 30 * T_DAY;
	sc_cert_watch_check(wa);
	CU_ASSERT_FALSE(sc_cert_watch_clock_ok(wa, &msg));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "clock looks wrong"));
	/* reload with a shorter notice and a renewed certificate */
	X509_free(t_leaf("wop2", &ca, t0 - T_DAY, t0 + 400 * T_DAY,
	    "serverAuth,clientAuth"));
	cfg.cert_file = t_path("wop2.pem");
	cfg.ca_files[0] = ca.file;
	t_fake_now = t0;
	CU_ASSERT_EQUAL(sc_cert_watch_update(wa, &cfg, 7), 0);
	CU_ASSERT_EQUAL(sc_cert_watch_warnings(wa, &w), 0);
	CU_ASSERT_TRUE(sc_cert_watch_days_left(wa, &d));
	CU_ASSERT_EQUAL(d, 400);
	sc_cert_watch_free(wa);
	event_base_free(base);
	t_ca_free(&ca);
}

static const struct ut_case cases[] = {
	UT_CASE(test_genkey_mode),
	UT_CASE(test_csr_contents),
	UT_CASE(test_csr_bad_input),
	UT_CASE(test_install_checks),
	UT_CASE(test_install_file),
	UT_CASE(test_days_left),
	UT_CASE(test_state_at),
	UT_CASE(test_expiry_warnings),
	UT_CASE(test_startup_and_clock),
	UT_CASE(test_info),
	UT_CASE(test_tls_rollover),
	UT_CASE(test_tls_crl_reload),
	UT_CASE(test_watch),
	UT_END
};
UT_SUITE_FIXTURE(sc_cert, cases, t_init, t_fini);
