/*
 * Logging: levels, a domain per subsystem, stderr or syslog, and a
 * rate-limited variant for anything a remote peer can trigger.  Codecs and
 * state machines never log; glue code does.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/ratelim.h"

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARNING,
	LOG_LVL_NOTICE,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

enum log_domain {
	LD_MAIN = 0,
	LD_CFG,
	LD_BIP,
	LD_SC,
	LD_NPDU,
	LD_RTR,
	LD_TLS,
	LD_APP,
	LD_CTL,
	LD_COUNT_
};

enum log_target {
	LOG_TARGET_STDERR = 0,
	LOG_TARGET_SYSLOG,
	LOG_TARGET_CALLBACK,	/* tests: every line goes to a function */
};

typedef void (*log_sink_fn)(void *arg, enum log_level lvl,
    enum log_domain dom, const char *line);

/* Open the log: ident names the program in syslog. */
void log_open(const char *ident, enum log_target target);
/* Send every line to fn (for tests); log_open() undoes it. */
void log_set_sink(log_sink_fn fn, void *arg);
/* Log lines at lvl or more severe; debug lines only for enabled domains. */
void log_set_level(enum log_level lvl);
/* Enable or disable debug lines of one domain (all are on by default). */
void log_set_debug_domain(enum log_domain dom, bool on);
bool log_enabled(enum log_level lvl, enum log_domain dom);
void log_close(void);

/* Parse "err", "warning", "notice", "info" or "debug"; -1 if unknown. */
int log_level_parse(const char *s);
const char *log_level_name(enum log_level lvl);
const char *log_domain_name(enum log_domain dom);

/* Log a line; log_msg keeps errno unchanged. */
void log_msg(enum log_level lvl, enum log_domain dom, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As log_msg at LOG_LVL_WARNING, with ": strerror(errno)" appended. */
void log_warn(enum log_domain dom, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Log through a rate limit (for anything a peer can trigger).  When lines
 * were suppressed before this one, say how many.
 */
void log_ratelim(struct ratelim *rl, enum log_level lvl, enum log_domain dom,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_err(dom, ...)	log_msg(LOG_LVL_ERR, (dom), __VA_ARGS__)
#define log_warnx(dom, ...)	log_msg(LOG_LVL_WARNING, (dom), __VA_ARGS__)
#define log_notice(dom, ...)	log_msg(LOG_LVL_NOTICE, (dom), __VA_ARGS__)
#define log_info(dom, ...)	log_msg(LOG_LVL_INFO, (dom), __VA_ARGS__)
#define log_debug(dom, ...)						\
	do {								\
		if (log_enabled(LOG_LVL_DEBUG, (dom)))			\
			log_msg(LOG_LVL_DEBUG, (dom), __VA_ARGS__);	\
	} while (0)

#endif
