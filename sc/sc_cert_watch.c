/* Certificate watch: expiry and clock checks at start, reload and daily. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "lib/log.h"
#include "sc/sc_cert_watch.h"

struct sc_cert_watch {
	char			 name[64];
	/* Our copy of the file names; cfg points into it. */
	char			*files[SC_TLS_MAX_CA + 3];
	size_t			 n_files;
	struct sc_tls_config	 cfg;
	unsigned		 warn_days;
	struct event		*timer;		/* NULL: no timer */
	sc_cert_time_fn		 now_fn;
	void			*now_arg;
	/* Last result. */
	struct sc_cert_warning	 warn[SC_CERT_WATCH_MAX];
	size_t			 n_warn;
	bool			 clock_ok;
	char			 clock_msg[768];
	bool			 have_op;
	struct sc_cert_info	 op;
	time_t			 checked;
	unsigned long		 checks;
};

static void
watch_free_files(char **files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(files[i]);
}

/* Copy cfg's names into w (all or nothing). */
static int
watch_set_files(struct sc_cert_watch *w, const struct sc_tls_config *cfg)
{
	char *nf[SC_TLS_MAX_CA + 3] = { 0 };
	struct sc_tls_config nc;
	size_t n = 0, i;
	const char *src[SC_TLS_MAX_CA + 3];
	size_t ns = 0;

	memset(&nc, 0, sizeof(nc));
	src[ns++] = cfg->cert_file;
	src[ns++] = cfg->key_file;
	src[ns++] = cfg->crl_file;
	for (i = 0; i < cfg->n_ca_files && i < SC_TLS_MAX_CA; i++)
		src[ns++] = cfg->ca_files[i];
	for (i = 0; i < ns; i++) {
		nf[i] = src[i] != NULL ? strdup(src[i]) : NULL;
		n = i + 1;
		if (src[i] != NULL && nf[i] == NULL) {
			watch_free_files(nf, n);
			return -1;
		}
	}
	nc.cert_file = nf[0];
	nc.key_file = nf[1];
	nc.crl_file = nf[2];
	for (i = 3; i < ns; i++)
		nc.ca_files[nc.n_ca_files++] = nf[i];
	watch_free_files(w->files, w->n_files);
	memcpy(w->files, nf, sizeof(nf[0]) * ns);
	w->n_files = ns;
	w->cfg = nc;
	return 0;
}

static time_t
watch_now(const struct sc_cert_watch *w)
{
	return w->now_fn != NULL ? w->now_fn(w->now_arg) : time(NULL);
}

void
sc_cert_watch_check(struct sc_cert_watch *w)
{
	time_t now = watch_now(w);
	char err[256];
	size_t n, i, got = 0;

	n = sc_cert_expiry_check(&w->cfg, now, w->warn_days, w->warn,
	    SC_CERT_WATCH_MAX);
	w->n_warn = n < SC_CERT_WATCH_MAX ? n : SC_CERT_WATCH_MAX;
	w->clock_ok = sc_cert_clock_is_plausible(&w->cfg, now, w->clock_msg,
	    sizeof(w->clock_msg));
	if (w->clock_ok)
		w->clock_msg[0] = '\0';
	w->have_op = w->cfg.cert_file != NULL &&
	    sc_cert_info_load(w->cfg.cert_file, &w->op, 1, &got, err,
	    sizeof(err)) == 0 && got == 1;
	w->checked = now;
	w->checks++;
	for (i = 0; i < w->n_warn; i++) {
		const struct sc_cert_warning *x = &w->warn[i];
		enum log_level lvl = LOG_LVL_ERR;

		switch (x->state) {
		case SC_CERT_EXPIRING:
		case SC_CERT_OK:
			lvl = LOG_LVL_WARNING;
			break;
		case SC_CERT_EXPIRED:
		case SC_CERT_NOT_YET_VALID:
		case SC_CERT_UNREADABLE:
			lvl = LOG_LVL_ERR;
			break;
		}
		log_msg(lvl, LD_TLS, "%s: %s", w->name, x->text);
	}
	if (n > w->n_warn)
		log_msg(LOG_LVL_WARNING, LD_TLS, "%s: %zu more certificate "
		    "warnings", w->name, n - w->n_warn);
	if (!w->clock_ok)
		log_msg(LOG_LVL_ERR, LD_TLS, "%s: %s", w->name, w->clock_msg);
}

static void
watch_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sc_cert_watch_check(arg);
}

struct sc_cert_watch *
sc_cert_watch_new(struct event_base *base, const char *name,
    const struct sc_tls_config *cfg, unsigned warn_days, unsigned interval_ms,
    sc_cert_time_fn now_fn, void *now_arg)
{
	struct sc_cert_watch *w = calloc(1, sizeof(*w));
	struct timeval tv;

	if (w == NULL)
		return NULL;
	snprintf(w->name, sizeof(w->name), "%s", name != NULL ? name : "sc");
	w->warn_days = warn_days;
	w->now_fn = now_fn;
	w->now_arg = now_arg;
	if (watch_set_files(w, cfg) != 0)
		goto fail;
	if (interval_ms > 0) {
		w->timer = event_new(base, -1, EV_PERSIST, watch_timer_cb, w);
		tv.tv_sec = interval_ms / 1000;
		tv.tv_usec = (long)(interval_ms % 1000) * 1000;
		if (w->timer == NULL || event_add(w->timer, &tv) != 0)
			goto fail;
	}
	sc_cert_watch_check(w);
	return w;
fail:
	sc_cert_watch_free(w);
	return NULL;
}

void
sc_cert_watch_free(struct sc_cert_watch *w)
{
	if (w == NULL)
		return;
	if (w->timer != NULL)
		event_free(w->timer);
	watch_free_files(w->files, w->n_files);
	free(w);
}

int
sc_cert_watch_update(struct sc_cert_watch *w, const struct sc_tls_config *cfg,
    unsigned warn_days)
{
	if (watch_set_files(w, cfg) != 0)
		return -1;
	w->warn_days = warn_days;
	sc_cert_watch_check(w);
	return 0;
}

size_t
sc_cert_watch_warnings(const struct sc_cert_watch *w,
    const struct sc_cert_warning **out)
{
	*out = w->warn;
	return w->n_warn;
}

bool
sc_cert_watch_clock_ok(const struct sc_cert_watch *w, const char **msg)
{
	*msg = w->clock_msg;
	return w->clock_ok;
}

bool
sc_cert_watch_days_left(const struct sc_cert_watch *w, long *out)
{
	if (!w->have_op)
		return false;
	*out = sc_cert_days_left(w->op.not_after, w->checked);
	return true;
}

unsigned long
sc_cert_watch_checks(const struct sc_cert_watch *w)
{
	return w->checks;
}

void
sc_cert_watch_json(const struct sc_cert_watch *w, struct jw *jw)
{
	char t[40];
	size_t i;

	jw_obj_begin(jw);
	jw_kv_str(jw, "certificate", w->cfg.cert_file != NULL ?
	    w->cfg.cert_file : "");
	if (w->have_op) {
		jw_kv_str(jw, "subject", w->op.subject);
		sc_cert_time_text(w->op.not_after, t, sizeof(t));
		jw_kv_str(jw, "not_after", t);
		jw_kv_int(jw, "days_left", sc_cert_days_left(w->op.not_after,
		    w->checked));
	} else {
		jw_key(jw, "days_left");
		jw_null(jw);
	}
	jw_kv_uint(jw, "warn_days", w->warn_days);
	jw_kv_bool(jw, "clock_ok", w->clock_ok);
	if (!w->clock_ok)
		jw_kv_str(jw, "clock", w->clock_msg);
	sc_cert_time_text(w->checked, t, sizeof(t));
	jw_kv_str(jw, "checked", t);
	jw_key(jw, "warnings");
	jw_arr_begin(jw);
	for (i = 0; i < w->n_warn; i++) {
		const struct sc_cert_warning *x = &w->warn[i];

		jw_obj_begin(jw);
		jw_kv_str(jw, "state", sc_cert_state_name(x->state));
		jw_kv_bool(jw, "operational", x->operational);
		jw_kv_str(jw, "file", x->file);
		jw_kv_str(jw, "subject", x->subject);
		jw_kv_int(jw, "days_left", x->days_left);
		jw_kv_str(jw, "text", x->text);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
	jw_obj_end(jw);
}
