/* Test port: see rtr_testport.h. */
#include "config.h"

#include <string.h>

#include "lib/hex.h"
#include "tests/unit/rtr_testport.h"

void
rtr_tp_log_init(struct rtr_tp_log *log)
{
	/* Not the (large) entries: each is cleared when recorded. */
	log->n = 0;
	log->lost = 0;
	log->pumped = 0;
	log->nports = 0;
	memset(log->ports, 0, sizeof(log->ports));
}

void
rtr_tp_log_clear(struct rtr_tp_log *log)
{
	log->n = 0;
	log->lost = 0;
	log->pumped = 0;
}

static int
rtr_tp_record(struct rtr_testport *tp, const uint8_t *mac, size_t mac_len,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	struct rtr_tp_log *log = tp->log;
	struct rtr_tp_sent *s;
	size_t hl, bl;

	if (tp->fail)
		return -1;
	if (log->n >= RTR_TP_LOG_MAX) {
		log->lost++;
		return 0;
	}
	s = &log->sent[log->n++];
	memset(s, 0, sizeof(*s));
	s->tp = tp;
	s->broadcast = mac == NULL;
	if (mac != NULL) {
		s->mac_len = mac_len < NPDU_PORT_MAC_MAX ? mac_len :
		    NPDU_PORT_MAC_MAX;
		memcpy(s->mac, mac, s->mac_len);
	}
	s->len = npdu->hdr_len + npdu->body_len;
	hl = npdu->hdr_len < RTR_TP_NPDU_MAX ? npdu->hdr_len : RTR_TP_NPDU_MAX;
	if (hl > 0)
		memcpy(s->npdu, npdu->hdr, hl);
	bl = npdu->body_len < RTR_TP_NPDU_MAX - hl ? npdu->body_len :
	    RTR_TP_NPDU_MAX - hl;
	if (bl > 0)
		memcpy(s->npdu + hl, npdu->body, bl);
	if (opts != NULL && opts->len > 0) {
		s->opts_len = opts->len < RTR_TP_OPTS_MAX ? opts->len :
		    RTR_TP_OPTS_MAX;
		memcpy(s->opts, opts->data, s->opts_len);
	}
	return 0;
}

static int
rtr_tp_send_unicast(struct npdu_port *p, const uint8_t *mac, size_t mac_len,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	return rtr_tp_record((struct rtr_testport *)p->impl, mac, mac_len,
	    npdu, opts);
}

static int
rtr_tp_send_broadcast(struct npdu_port *p, const struct npdu_iov *npdu,
    const struct npdu_opts *opts)
{
	return rtr_tp_record((struct rtr_testport *)p->impl, NULL, 0, npdu,
	    opts);
}

static const struct npdu_port_ops rtr_tp_ops = {
	rtr_tp_send_unicast,
	rtr_tp_send_broadcast,
};

void
rtr_tp_init(struct rtr_testport *tp, struct rtr_tp_log *log,
    const char *name, const char *mac_hex, size_t max_npdu, unsigned lan)
{
	long n;

	memset(tp, 0, sizeof(*tp));
	tp->log = log;
	tp->lan = lan;
	tp->port.name = name;
	n = hex_decode(mac_hex, tp->port.mac, sizeof(tp->port.mac), NULL);
	tp->port.mac_len = (uint8_t)(n > 0 ? n : 0);
	tp->port.max_npdu = max_npdu;
	tp->port.up = true;
	tp->port.ops = &rtr_tp_ops;
	tp->port.impl = tp;
	if (log->nports < RTR_TP_PORTS)
		log->ports[log->nports++] = tp;
}

int
rtr_tp_rx(struct rtr_testport *tp, const char *src_mac_hex, bool bcast,
    const char *npdu_hex, const char *opts_hex)
{
	uint8_t mac[NPDU_PORT_MAC_MAX], npdu[RTR_TP_NPDU_MAX];
	uint8_t opts[RTR_TP_OPTS_MAX];
	struct npdu_rx rx;
	long ml, nl, ol = 0;

	ml = hex_decode(src_mac_hex, mac, sizeof(mac), NULL);
	nl = hex_decode(npdu_hex, npdu, sizeof(npdu), NULL);
	if (opts_hex != NULL)
		ol = hex_decode(opts_hex, opts, sizeof(opts), NULL);
	if (ml < 0 || nl < 0 || ol < 0)
		return -1;
	memset(&rx, 0, sizeof(rx));
	rx.src_mac = mac;
	rx.src_mac_len = (size_t)ml;
	rx.broadcast = bcast;
	rx.npdu = npdu;
	rx.npdu_len = (size_t)nl;
	rx.opts.data = ol > 0 ? opts : NULL;
	rx.opts.len = (size_t)ol;
	npdu_port_deliver(&tp->port, &rx);
	return 0;
}

size_t
rtr_tp_pump(struct rtr_tp_log *log, size_t max)
{
	size_t done = 0;

	while (log->pumped < log->n && done < max) {
		/* Copy: deliveries append to (never move) the log. */
		const struct rtr_tp_sent *s = &log->sent[log->pumped++];
		struct rtr_testport *from = s->tp;
		size_t i;

		if (from->lan == 0)
			continue;
		for (i = 0; i < log->nports; i++) {
			struct rtr_testport *to = log->ports[i];
			struct npdu_rx rx;

			if (to == from || to->lan != from->lan)
				continue;
			if (!s->broadcast &&
			    (s->mac_len != to->port.mac_len ||
			    memcmp(s->mac, to->port.mac, s->mac_len) != 0))
				continue;
			memset(&rx, 0, sizeof(rx));
			rx.src_mac = from->port.mac;
			rx.src_mac_len = from->port.mac_len;
			rx.broadcast = s->broadcast;
			rx.npdu = s->npdu;
			rx.npdu_len = s->len < RTR_TP_NPDU_MAX ? s->len :
			    RTR_TP_NPDU_MAX;
			rx.opts.data = s->opts_len > 0 ? s->opts : NULL;
			rx.opts.len = s->opts_len;
			npdu_port_deliver(&to->port, &rx);
			done++;
		}
	}
	return done;
}
