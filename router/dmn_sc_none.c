/*
 * Stand-in for dmn_sc.c while the SC node (sc/sc_node.h, sc/sc_hub.h) is
 * not in this tree: every SC port is refused at start-up with a clear
 * message.  Nothing here pretends to be an SC port.  router/local.mk
 * switches to dmn_sc.c once the SC node is merged.
 */
#include "config.h"

#include <stdio.h>

#include "router/daemon_int.h"

int
dmn_sc_open(struct dmn *d, struct dmn_port *p, const struct cfg_sc *c,
    char *err, size_t errlen)
{
	(void)d;
	(void)p;
	(void)c;
	snprintf(err, errlen, "SC ports need the SC node, not built yet "
	    "(remove the sc section to run B/IP only)");
	return -1;
}

void
dmn_sc_start(struct dmn *d, struct dmn_port *p)
{
	(void)d;
	(void)p;
}

void
dmn_sc_stop(struct dmn_port *p)
{
	(void)p;
}

bool
dmn_sc_is_stopped(const struct dmn_port *p)
{
	(void)p;
	return true;
}

void
dmn_sc_close(struct dmn_port *p)
{
	(void)p;
}

int
dmn_sc_reload_tls(struct dmn_port *p, const struct cfg_sc *c, char *err,
    size_t errlen)
{
	(void)p;
	(void)c;
	snprintf(err, errlen, "SC ports need the SC node, not built yet");
	return -1;
}

void
dmn_sc_status(struct dmn *d, const struct dmn_port *p, struct jw *w)
{
	(void)d;
	(void)p;
	jw_kv_str(w, "error", "SC node not built");
}

void
dmn_sc_peers(struct dmn *d, const struct dmn_port *p, struct jw *w)
{
	(void)d;
	(void)p;
	jw_null(w);
}

void
dmn_sc_log_counters(const struct dmn_port *p)
{
	(void)p;
}

void
dmn_sc_netport_refresh(struct dmn_port *p, struct app_netport_info *info)
{
	(void)p;
	(void)info;
}

void
dmn_sc_hub_conns(struct dmn_port *p, app_conn_emit_fn emit, void *ea)
{
	(void)p;
	(void)emit;
	(void)ea;
}
