/*
 * Certificate watch for the daemon: one per SC port.  It checks the
 * operational and issuer certificates (sc_cert_expiry_check) and the
 * clock (sc_cert_clock_is_plausible) when made, on every update (reload)
 * and then on a timer (daily in the daemon), logs what it finds (err for
 * expired / not yet valid / unreadable / a wrong clock, warning for
 * expiring: the warning repeats every day until the certificate is
 * renewed), and keeps the last result for the status reply.
 *
 * Daemon wiring (router/daemon.c, router/ctl.c):
 *   start:   sc_cert_startup_check() (refuse to start on -1), then
 *            w = sc_cert_watch_new(base, port_name, &tls_cfg,
 *                cfg_tls.expiry_warn_days, SC_CERT_WATCH_DAILY_MS, NULL,
 *                NULL);
 *   SIGHUP:  fresh = sc_cert_tls_reload(&tls_cfg, time(NULL), err, len);
 *            fresh ? sc_tls_ctx_replace(port_tls, fresh) : log "keeping";
 *            sc_cert_watch_update(w, &tls_cfg, expiry_warn_days);
 *   status:  sc_cert_watch_json(w, jw) inside the SC port's object;
 *   stop:    sc_cert_watch_free(w).
 */
#ifndef SC_SC_CERT_WATCH_H
#define SC_SC_CERT_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/jsonw.h"
#include "sc/sc_cert.h"
#include "sc/sc_tls.h"

struct event_base;
struct sc_cert_watch;

#define SC_CERT_WATCH_DAILY_MS	(86400u * 1000u)
#define SC_CERT_WATCH_MAX	(SC_TLS_MAX_CA + 4)	/* warnings kept */

/* Wall clock for the checks (tests pass a fake one); NULL: time(). */
typedef time_t (*sc_cert_time_fn)(void *arg);

/*
 * Make a watch named name (for log lines, e.g. the SC port name) over
 * cfg's files (cfg and its strings are copied), check at once and then
 * every interval_ms (0: no timer).  Return owned, or NULL (out of memory
 * or no timer).
 */
struct sc_cert_watch *sc_cert_watch_new(struct event_base *base,
    const char *name, const struct sc_tls_config *cfg, unsigned warn_days,
    unsigned interval_ms, sc_cert_time_fn now_fn, void *now_arg);
/* Stop the timer and free (NULL: no-op). */
void sc_cert_watch_free(struct sc_cert_watch *w);
/* New files or notice (reload); check at once.  Return 0 or -1 (OOM,
 * the old files are kept). */
int sc_cert_watch_update(struct sc_cert_watch *w,
    const struct sc_tls_config *cfg, unsigned warn_days);
/* Check now (also what the timer does). */
void sc_cert_watch_check(struct sc_cert_watch *w);

/* Last result: warnings (borrows, valid until the next check); their
 * number is returned (at most SC_CERT_WATCH_MAX are kept). */
size_t sc_cert_watch_warnings(const struct sc_cert_watch *w,
    const struct sc_cert_warning **out);
/* Last clock verdict; *msg (borrows) says why when false. */
bool sc_cert_watch_clock_ok(const struct sc_cert_watch *w, const char **msg);
/* Days left of the operational certificate at the last check; false if
 * it could not be read. */
bool sc_cert_watch_days_left(const struct sc_cert_watch *w, long *out);
/* Number of checks made so far. */
unsigned long sc_cert_watch_checks(const struct sc_cert_watch *w);

/*
 * Write the last result as one JSON object (value position):
 *   {"certificate": FILE, "subject": S, "not_after": "YYYY-MM-DD ...",
 *    "days_left": N|null, "warn_days": N, "clock_ok": B,
 *    "clock": MSG (only when not ok), "checked": "time",
 *    "warnings": [{"state": "expiring", "operational": B, "file": F,
 *                  "subject": S, "days_left": N, "text": T}, ...]}
 */
void sc_cert_watch_json(const struct sc_cert_watch *w, struct jw *jw);

#endif
