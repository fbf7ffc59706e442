#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "lib/clock.h"
#include "lib/log.h"

static enum log_target log_target_cur = LOG_TARGET_STDERR;
static enum log_level log_level_cur = LOG_LVL_NOTICE;
static bool log_debug_dom[LD_COUNT_] = {
	true, true, true, true, true, true, true, true, true
};
static log_sink_fn log_sink;
static void *log_sink_arg;
static const char *log_ident = "bacsc-router";

static const char *const log_level_names[] = {
	"err", "warning", "notice", "info", "debug"
};
static const char *const log_domain_names[LD_COUNT_] = {
	"main", "cfg", "bip", "sc", "npdu", "rtr", "tls", "app", "ctl"
};

void
log_open(const char *ident, enum log_target target)
{
	log_ident = ident;
	log_target_cur = target;
	log_sink = NULL;
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_sink(log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
	log_target_cur = LOG_TARGET_CALLBACK;
}

void
log_close(void)
{
	if (log_target_cur == LOG_TARGET_SYSLOG)
		closelog();
	log_target_cur = LOG_TARGET_STDERR;
}

void
log_set_level(enum log_level lvl)
{
	log_level_cur = lvl;
}

void
log_set_debug_domain(enum log_domain dom, bool on)
{
	if ((unsigned)dom < LD_COUNT_)
		log_debug_dom[dom] = on;
}

bool
log_enabled(enum log_level lvl, enum log_domain dom)
{
	if (lvl > log_level_cur)
		return false;
	if (lvl == LOG_LVL_DEBUG)
		return (unsigned)dom < LD_COUNT_ && log_debug_dom[dom];
	return true;
}

int
log_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]);
	    i++)
		if (strcmp(s, log_level_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
log_level_name(enum log_level lvl)
{
	if ((unsigned)lvl > LOG_LVL_DEBUG)
		return "?";
	return log_level_names[lvl];
}

const char *
log_domain_name(enum log_domain dom)
{
	if ((unsigned)dom >= LD_COUNT_)
		return "?";
	return log_domain_names[dom];
}

static void
log_emit(enum log_level lvl, enum log_domain dom, const char *line)
{
	static const int prio[] = {
		LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
	};

	switch (log_target_cur) {
	case LOG_TARGET_CALLBACK:
		if (log_sink != NULL)
			log_sink(log_sink_arg, lvl, dom, line);
		break;
	case LOG_TARGET_SYSLOG:
		syslog(prio[lvl], "%s: %s", log_domain_name(dom), line);
		break;
	case LOG_TARGET_STDERR:
		fprintf(stderr, "%s: %s: %s: %s\n", log_ident,
		    log_level_name(lvl), log_domain_name(dom), line);
		break;
	}
}

static void
log_vmsg(enum log_level lvl, enum log_domain dom, const char *suffix,
    const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (suffix != NULL && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", suffix);
	log_emit(lvl, dom, line);
}

void
log_msg(enum log_level lvl, enum log_domain dom, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_enabled(lvl, dom)) {
		va_start(ap, fmt);
		log_vmsg(lvl, dom, NULL, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

void
log_warn(enum log_domain dom, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_enabled(LOG_LVL_WARNING, dom)) {
		va_start(ap, fmt);
		log_vmsg(LOG_LVL_WARNING, dom, strerror(saved), fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

void
log_ratelim(struct ratelim *rl, enum log_level lvl, enum log_domain dom,
    const char *fmt, ...)
{
	int saved = errno;
	uint64_t suppressed = 0;
	va_list ap;

	if (!log_enabled(lvl, dom))
		goto out;
	if (!ratelim_allow(rl, clk_now_us(), &suppressed))
		goto out;
	if (suppressed > 0)
		log_msg(lvl, dom, "(%llu similar lines suppressed)",
		    (unsigned long long)suppressed);
	va_start(ap, fmt);
	log_vmsg(lvl, dom, NULL, fmt, ap);
	va_end(ap);
out:
	errno = saved;
}
