/*
 * Certificate lifecycle for BACnet/SC (digest section 1.15): the private
 * key and certificate signing request of the router's operational
 * certificate, the checks before an issued certificate is installed,
 * what a certificate says (for `bacsc-cert show` and status), expiry and
 * clock checks, and the TLS reload path.
 *
 * Profile of what we make and accept (the digest does not name key usages;
 * this is what a TLS 1.3 peer that both initiates and accepts needs):
 *  - key: EC P-256 (the Annex AB mandatory group and signature algorithm);
 *  - CSR: subject CN (and optional O), SAN URI urn:uuid:<Device UUID> plus
 *    optional DNS and IP SANs, key usage digitalSignature (critical; TLS
 *    1.3 uses ephemeral ECDHE, so keyAgreement is not needed), extended key
 *    usage serverAuth + clientAuth (the router is a TLS client towards the
 *    hub and a TLS server for its hub function / node switch);
 *  - install: the certificate matches the key, chains to one of the
 *    configured issuer certificates, is valid at `now`, allows TLS client
 *    and server use, and allows digitalSignature if it has a key usage.
 *
 * Times are passed in (time_t, UTC seconds) so tests can use a fake clock.
 * Error text is written to err[0..errlen) and is fit for an operator.
 */
#ifndef SC_SC_CERT_H
#define SC_SC_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "sc/sc_tls.h"

#define SC_CERT_MAX_SANS	16	/* DNS + IP SANs in one CSR */
#define SC_CERT_WARN_DAYS_DEFAULT 30

/* ---------------------------------------------------------- key, CSR */

/*
 * Generate an EC P-256 private key and write it as PEM (PKCS#8) to path,
 * which must not exist: it is created with open(O_CREAT|O_EXCL, 0600), so
 * it is never readable by others, not even for a moment.  Return 0, or -1
 * with err set (an existing file is an error; nothing is overwritten).
 */
int sc_cert_genkey(const char *path, char *err, size_t errlen);

/* Load a PEM private key; return owned, or NULL with err set. */
EVP_PKEY *sc_cert_key_load(const char *path, char *err, size_t errlen);

struct sc_cert_csr_req {
	const char	*cn;		/* subject CN, required */
	const char	*org;		/* subject O, or NULL */
	uint8_t		 uuid[16];	/* Device UUID: URI SAN urn:uuid:... */
	const char	*dns[SC_CERT_MAX_SANS];	/* borrows */
	size_t		 n_dns;
	const char	*ip[SC_CERT_MAX_SANS];	/* IPv4 or IPv6 literals */
	size_t		 n_ip;
};

/*
 * Make a CSR for key (borrows) as described at the top; signed with
 * SHA-256.  Return owned, or NULL with err set (bad IP literal, ...).
 */
X509_REQ *sc_cert_csr_new(EVP_PKEY *key, const struct sc_cert_csr_req *req,
    char *err, size_t errlen);

/* "urn:uuid:xxxxxxxx-xxxx-..." (lower case) into buf (>= 46 octets). */
void sc_cert_uuid_urn(const uint8_t uuid[16], char *buf, size_t len);

/* --------------------------------------------------------- inspection */

/* What a certificate says, for show, status and log lines. */
struct sc_cert_info {
	char		subject[256];	/* RFC 2253 one-line form */
	char		issuer[256];
	char		sans[512];	/* "URI:urn:uuid:..., DNS:a, IP:b" */
	char		serial[80];	/* hex */
	char		sha256[100];	/* fingerprint, AA:BB:... */
	time_t		not_before;
	time_t		not_after;
	bool		is_ca;
	bool		has_uuid;	/* a urn:uuid: URI SAN */
	uint8_t		uuid[16];
};

/* Fill *out from cert (borrows). */
void sc_cert_info_get(X509 *cert, struct sc_cert_info *out);

/*
 * Read every certificate of the PEM file path into out[0..max) and store
 * the number read in *n (more than max: the rest are skipped).  Return 0,
 * or -1 with err set (unreadable, or no certificate in it).
 */
int sc_cert_info_load(const char *path, struct sc_cert_info *out,
    size_t max, size_t *n, char *err, size_t errlen);

/*
 * Whole days from now to not_after, rounded down: 0 on the last day,
 * negative once expired (-1 during the first day after).  Pure.
 */
long sc_cert_days_left(time_t not_after, time_t now);

/*
 * Days left of the first certificate in the PEM file path at now; return
 * 0 and store it in *out, or -1 with err set.
 */
int sc_cert_file_days_left(const char *path, time_t now, long *out,
    char *err, size_t errlen);

/* "2026-11-26 16:22:13 UTC" into buf. */
void sc_cert_time_text(time_t t, char *buf, size_t len);

/* ------------------------------------------------------------ install */

/*
 * Check the issued certificate in cert_path (PEM: the certificate, then
 * optional intermediates) before it is installed: it matches the private
 * key in key_path, chains to one of the issuer certificates ca_files[0..
 * n_ca) (each file may hold several), is valid at now, allows TLS client
 * and server use and digitalSignature.  Return 0, or -1 with err saying
 * which check failed.
 */
int sc_cert_install_check(const char *cert_path, const char *key_path,
    const char *const *ca_files, size_t n_ca, time_t now, char *err,
    size_t errlen);

/*
 * Copy src to dest atomically: write a temporary file in dest's folder
 * with the given mode, fsync it, rename it over dest (so a reader sees the
 * old or the new file, never a partial one), fsync the folder.  Return 0,
 * or -1 with err set and dest untouched.
 */
int sc_cert_install_file(const char *src, const char *dest, unsigned mode,
    char *err, size_t errlen);

/* ----------------------------------------------------- expiry, clock */

enum sc_cert_state {
	SC_CERT_OK = 0,		/* valid, more than warn_days left */
	SC_CERT_EXPIRING,	/* valid, at most warn_days left */
	SC_CERT_EXPIRED,	/* now > notAfter */
	SC_CERT_NOT_YET_VALID,	/* now < notBefore */
	SC_CERT_UNREADABLE,	/* the file could not be read */
};

struct sc_cert_warning {
	enum sc_cert_state state;	/* never SC_CERT_OK */
	bool		   operational;	/* else an issuer certificate */
	char		   file[256];
	char		   subject[256];
	time_t		   not_before;
	time_t		   not_after;
	long		   days_left;
	char		   text[1024];	/* one line for the log and status */
};

/* Name of a state: "ok", "expiring", "expired", ... */
const char *sc_cert_state_name(enum sc_cert_state s);

/* State of one validity period at now with warn_days notice.  Pure. */
enum sc_cert_state sc_cert_state_at(time_t not_before, time_t not_after,
    time_t now, unsigned warn_days);

/*
 * Check the operational certificate (the first one in cfg->cert_file) and
 * every certificate in every issuer file at now.  Store one warning for
 * each that is expiring within warn_days, expired, not yet valid or
 * unreadable in out[0..max) and return how many there were (may exceed
 * max; only max are stored).  0: nothing to say.  Reads the files.
 *
 * Daemon: call at start, then once a day (a timer), and log each text at
 * warning level (expired/not yet valid/unreadable: err); keep the last
 * result for `bacsc-routerctl status`.
 */
size_t sc_cert_expiry_check(const struct sc_tls_config *cfg, time_t now,
    unsigned warn_days, struct sc_cert_warning *out, size_t max);

/*
 * Start-up check of the operational certificate: return -1 with a plain
 * message in err if it cannot be read, has expired ("... expired on DATE
 * (N days ago) ...") or is not yet valid (with the clock hint), else 0.
 * Daemon: call before sc_tls_ctx_new(); on -1 log err and exit 1.
 */
int sc_cert_startup_check(const struct sc_tls_config *cfg, time_t now,
    char *err, size_t errlen);

/*
 * Clock plausibility: false if now is before the notBefore of the
 * operational certificate or of any issuer certificate (the system clock
 * is then almost surely wrong, e.g. no RTC and no NTP yet), with a message
 * in msg naming the certificate, the clock time and notBefore.  Files that
 * cannot be read are skipped.  Daemon: call at start and daily; log msg.
 */
bool sc_cert_clock_is_plausible(const struct sc_tls_config *cfg, time_t now,
    char *msg, size_t len);

/* ------------------------------------------------------------- reload */

/*
 * Reload path (SIGHUP): check the operational certificate (as
 * sc_cert_startup_check) and build a new TLS context from the current
 * files, including the issuer list and the CRL.  Return an owned context,
 * or NULL with err set; on NULL keep the running context.  Install it with
 * sc_tls_ctx_replace(live, fresh): listeners and new connections use the
 * new files from then on, established connections keep their session.
 */
struct sc_tls_ctx *sc_cert_tls_reload(const struct sc_tls_config *cfg,
    time_t now, char *err, size_t errlen);

#endif
