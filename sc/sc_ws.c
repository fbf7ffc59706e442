/*
 * BACnet/SC WebSocket transport on the libevent loop: TCP (own non-blocking
 * connect so TCP and TLS failures stay apart), TLS through
 * bufferevent_openssl, the Upgrade through ws_handshake_codec, frames
 * through ws_frame_codec: a sent message is framed (and masked) straight
 * from the caller's segments into one reserved region of the output
 * buffer; a received frame is unmasked in place in the input buffer when
 * it sits in one chain, else copied into a reassembly buffer the
 * connection keeps, so steady traffic allocates nothing.
 */
#include "config.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/ratelim.h"
#include "sc/sc_srclim.h"
#include "sc/sc_uri.h"
#include "sc/sc_ws.h"
#include "sc/ws_frame_codec.h"
#include "sc/ws_handshake.h"

enum ws_state {
	WS_ST_RESOLVING = 0,	/* client: waiting for evdns */
	WS_ST_TCP,		/* client: non-blocking connect */
	WS_ST_TLS,		/* TLS handshake */
	WS_ST_HTTP,		/* Upgrade request/response */
	WS_ST_OPEN,
	WS_ST_CLOSING,		/* our close frame queued; waiting for theirs */
	WS_ST_DRAINING,		/* flushing output, then TLS close_notify */
	WS_ST_DEAD,		/* torn down; the reaper reports and frees */
};

/*
 * What only the initiating side needs until its WebSocket is open: the
 * URI, the resolver, the addresses to try, the Upgrade key.  Allocated by
 * sc_ws_connect, freed when the connection opens (or is freed), so an
 * accepted or open connection carries none of it.
 */
struct ws_dial {
	struct sc_uri		 uri;
	char			 host_hdr[SC_URI_HOST_MAX + 10];
	struct evdns_base	*dns;		/* borrows or own_dns */
	struct evdns_base	*own_dns;
	struct evdns_getaddrinfo_request *dnsreq;
	struct evutil_addrinfo	*ai, *ai_next;
	struct event		*conn_ev;
	char			 key[WSH_KEY_LEN + 1];
	char			 accept[WSH_ACCEPT_LEN + 1];
	char			 last_err[160];	/* the last address's failure */
};

/* "[v6]:port" with INET6_ADDRSTRLEN (46) for the address. */
#define WS_ADDR_STRLEN	56

struct sc_ws {
	struct event_base	*base;
	enum ws_state		 state;
	bool			 server;
	enum sc_ws_proto	 proto;
	struct sc_ws_limits	 lim;
	struct sc_tls_ctx	*tls;		/* a reference; NULL: plaintext */
	struct sc_ws_listener	*listener;	/* server side, until handed out */
	struct sc_ws		*prev, *next;	/* listener's pending list */
	struct sc_srclim_ent	*pslot;		/* in listener->pend */
	bool			 handed_out;	/* on_accept called */
	struct sc_ws_listener	*owner;		/* server side, until torn down:
						   counted in owner->src */
	struct sc_srclim_ent	*slot;
	struct sc_ws		*oprev, *onext;	/* owner's connection list */
	bool			 report;	/* on_close wanted */
	int			 depth;		/* callbacks on the stack */
	bool			 free_pending;	/* sc_ws_free inside a callback */

	struct ws_dial		*dial;		/* client, until open */
	evutil_socket_t		 fd;		/* until the bufferevent owns it */

	struct bufferevent	*bev;
	SSL			*ssl;		/* owned by bev */
	bool			 tls_up;
	struct event		*timer;		/* deadlines; once DEAD, made
						   active to reap (report, free) */
	struct wsf_rx		 rx;		/* message reassembly state */
	uint8_t			*rbuf;		/* reassembly buffer (lazy) */
	size_t			 rbuf_cap;
	bool			 close_sent;
	bool			 close_rcvd;

	struct sc_ws_cbs	 cbs;
	void			*arg;
	bool			 peer_ok;	/* the peer certificate passed */
	char			 peer_addr[WS_ADDR_STRLEN]; /* "" until known */
	struct sc_ws_stats	 st;
	bool			 want_writable;
	bool			 read_paused;

	bool			 ci_set;	/* first reason wins */
	struct sc_ws_close_info	 ci;
	char			*detail;	/* set with ci (NULL: no memory) */
};

struct sc_ws_listener {
	struct event_base	*base;
	struct evconnlistener	*evl;
	struct sc_tls_ctx	*tls;		/* a reference */
	enum sc_ws_proto	 proto;
	struct sc_ws_limits	 lim;
	sc_ws_accept_fn		 on_accept;
	void			*arg;
	uint16_t		 port;
	struct sc_ws		*pending;	/* handshakes in progress */
	unsigned		 n_pending;
	struct sc_ws		*conns;		/* every connection counted */
	struct sc_srclim	 src;		/* per source and in total */
	struct sc_srclim	 pend;		/* handshakes per source */
	struct sc_ws_listener_stats st;
	struct ratelim		 rl;
};

static void ws_shutdown(struct sc_ws *ws);
static void ws_pump(struct sc_ws *ws);
static void ws_connect_next(struct sc_ws *ws);

/* ------------------------------------------------------------ helpers */

const char *
sc_ws_err_name(enum sc_ws_err kind)
{
	switch (kind) {
	case SC_WS_ERR_NONE:
		return "none";
	case SC_WS_ERR_DNS:
		return "dns";
	case SC_WS_ERR_TCP:
		return "tcp";
	case SC_WS_ERR_TLS:
		return "tls";
	case SC_WS_ERR_HTTP:
		return "http";
	case SC_WS_ERR_WS:
		return "websocket";
	case SC_WS_ERR_LOCAL:
		return "local";
	}
	return "?";
}

const char *
sc_ws_proto_name(enum sc_ws_proto proto)
{
	switch (proto) {
	case SC_WS_PROTO_HUB:
		return "hub.bsc.bacnet.org";
	case SC_WS_PROTO_DC:
		return "dc.bsc.bacnet.org";
	}
	return "?";
}

void
sc_ws_limits_default(struct sc_ws_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->max_msg_len = 65535;
	l->frame_cap = 65535 + 4096;
	l->max_header_len = 4096;
	l->handshake_ms = 10000;
	l->close_ms = 2000;
	l->out_high_wm = 1024 * 1024;
	l->out_low_wm = 256 * 1024;
	l->max_pending = 64;
	l->max_pending_per_source = SC_WS_PENDING_PER_SOURCE;
	l->allow_plaintext = false;
}

void
sc_ws_limits_per_source(struct sc_ws_limits *l, unsigned max_per_source)
{
	l->max_per_source = max_per_source;
	l->max_pending_per_source = max_per_source == 0 ? 0 :
	    SC_WS_PENDING_PER_SOURCE;
}

static void
ws_tv(struct timeval *tv, unsigned ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

static void
ws_sockaddr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		if (evutil_inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a)))
			snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (evutil_inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a)))
			snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
}

static void
ws_set_nodelay(evutil_socket_t fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* OpenSSL errors queued on the bufferevent, as text (or NULL). */
static const char *
ws_ssl_errors(struct sc_ws *ws, char *buf, size_t len)
{
	unsigned long e;
	size_t have = 0;

	buf[0] = '\0';
	if (ws->bev == NULL || ws->tls == NULL)
		return NULL;
	while ((e = bufferevent_get_openssl_error(ws->bev)) != 0) {
		char one[160];

		if (ERR_GET_LIB(e) == 0)
			continue;	/* libevent's errno marker */
		ERR_error_string_n(e, one, sizeof(one));
		if (have < len)
			have += (size_t)snprintf(buf + have, len - have,
			    "%s%s", have > 0 ? "; " : "", one);
	}
	return buf[0] != '\0' ? buf : NULL;
}

/* Record why the connection ends (the first reason wins). */
static void
ws_set_reason(struct sc_ws *ws, enum sc_ws_err kind, uint16_t status,
    bool by_peer, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
ws_set_reason(struct sc_ws *ws, enum sc_ws_err kind, uint16_t status,
    bool by_peer, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (ws->ci_set)
		return;
	ws->ci_set = true;
	ws->ci.kind = kind;
	ws->ci.status = status;
	ws->ci.by_peer = by_peer;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Only a closing connection pays for its reason. */
	ws->detail = strdup(buf);
}

/* The close reason for log lines. */
static const char *
ws_detail(const struct sc_ws *ws)
{
	return ws->detail != NULL ? ws->detail : "";
}

/* Record a failure and tear down. */
#define ws_fail(ws, kind, ...)						\
	do {								\
		ws_set_reason((ws), (kind), SC_WS_CLOSE_ABNORMAL, false,\
		    __VA_ARGS__);					\
		ws_shutdown(ws);					\
	} while (0)

/* ------------------------------------------------------ teardown */

static void
ws_listener_unlink(struct sc_ws *ws)
{
	struct sc_ws_listener *l = ws->listener;

	if (l == NULL)
		return;
	if (ws->prev != NULL)
		ws->prev->next = ws->next;
	else
		l->pending = ws->next;
	if (ws->next != NULL)
		ws->next->prev = ws->prev;
	ws->prev = ws->next = NULL;
	l->n_pending--;
	if (ws->pslot != NULL)
		sc_srclim_put(&l->pend, ws->pslot);
	ws->pslot = NULL;
	ws->listener = NULL;
}

/* Give back the connection's slot in its listener's counts. */
static void
ws_owner_release(struct sc_ws *ws)
{
	struct sc_ws_listener *l = ws->owner;

	if (l == NULL)
		return;
	if (ws->oprev != NULL)
		ws->oprev->onext = ws->onext;
	else
		l->conns = ws->onext;
	if (ws->onext != NULL)
		ws->onext->oprev = ws->oprev;
	ws->oprev = ws->onext = NULL;
	sc_srclim_put(&l->src, ws->slot);
	ws->slot = NULL;
	ws->owner = NULL;
}

/* Count and log a refusal by a listener, once per attempt. */
static void
ws_listener_refused(struct sc_ws *ws)
{
	struct sc_ws_listener *l = ws->listener;
	const char *what = "refused";

	if (l == NULL || ws->handed_out)
		return;
	if (ws->ci.timed_out) {
		l->st.refused_timeout++;
		what = "handshake timed out";
	} else {
		switch (ws->ci.kind) {
		case SC_WS_ERR_TLS:
			l->st.refused_tls++;
			what = "TLS refused";
			break;
		case SC_WS_ERR_HTTP:
			l->st.refused_http++;
			what = "upgrade refused";
			break;
		case SC_WS_ERR_TCP:
		case SC_WS_ERR_WS:
			l->st.dropped_tcp++;
			what = "dropped";
			break;
		case SC_WS_ERR_NONE:
		case SC_WS_ERR_DNS:
		case SC_WS_ERR_LOCAL:
			return;
		}
	}
	log_ratelim(&l->rl, LOG_LVL_WARNING, LD_SC,
	    "%s listener: %s from %s: %s", sc_ws_proto_name(l->proto), what,
	    ws->peer_addr, ws_detail(ws));
}

static void
ws_disarm(struct event *ev)
{
	if (ev != NULL && event_pending(ev, EV_TIMEOUT | EV_READ | EV_WRITE,
	    NULL))
		event_del(ev);
}

/* Close the socket side now: close_notify if TLS is up, free the bev. */
static void
ws_teardown_now(struct sc_ws *ws)
{
	ws_disarm(ws->timer);
	if (ws->dial != NULL && ws->dial->dnsreq != NULL) {
		struct evdns_getaddrinfo_request *r = ws->dial->dnsreq;

		ws->dial->dnsreq = NULL;
		evdns_getaddrinfo_cancel(r);
	}
	if (ws->dial != NULL && ws->dial->conn_ev != NULL) {
		event_free(ws->dial->conn_ev);
		ws->dial->conn_ev = NULL;
	}
	if (ws->fd >= 0) {
		evutil_closesocket(ws->fd);
		ws->fd = -1;
	}
	if (ws->bev != NULL) {
		if (ws->ssl != NULL && ws->tls_up) {
			/* Output is drained: the alert goes to the socket. */
			(void)SSL_shutdown(ws->ssl);
			ERR_clear_error();
		}
		bufferevent_free(ws->bev);
		ws->bev = NULL;
		ws->ssl = NULL;
	}
	if (ws->state != WS_ST_DEAD) {
		ws->state = WS_ST_DEAD;
		ws_listener_refused(ws);
		ws_listener_unlink(ws);
		ws_owner_release(ws);
		event_active(ws->timer, EV_TIMEOUT, 1);	/* reap */
	}
}

/*
 * Stop reading; let the output (a close frame, an HTTP refusal) reach the
 * peer, then send close_notify and close.  Bounded by close_ms.
 */
static void
ws_shutdown(struct sc_ws *ws)
{
	struct timeval tv;

	if (ws->state == WS_ST_DRAINING || ws->state == WS_ST_DEAD)
		return;
	if (ws->bev == NULL ||
	    evbuffer_get_length(bufferevent_get_output(ws->bev)) == 0) {
		ws_teardown_now(ws);
		return;
	}
	ws->state = WS_ST_DRAINING;
	bufferevent_setwatermark(ws->bev, EV_WRITE, 0, 0);
	bufferevent_enable(ws->bev, EV_WRITE);
	ws_tv(&tv, ws->lim.close_ms);
	event_add(ws->timer, &tv);
}

/* Free the dial state (no request or connect may be pending). */
static void
ws_dial_free(struct sc_ws *ws)
{
	struct ws_dial *d = ws->dial;

	if (d == NULL)
		return;
	if (d->ai != NULL)
		evutil_freeaddrinfo(d->ai);
	if (d->own_dns != NULL)
		evdns_base_free(d->own_dns, 0);
	free(d);
	ws->dial = NULL;
}

static void
ws_free_mem(struct sc_ws *ws)
{
	free(ws->rbuf);
	ws_dial_free(ws);
	free(ws->detail);
	if (ws->timer != NULL)
		event_free(ws->timer);
	sc_tls_ctx_free(ws->tls);
	free(ws);
}

/* The next loop pass after teardown: report the close, free. */
static void
ws_reap(struct sc_ws *ws)
{
	if (ws->report && ws->cbs.on_close != NULL && !ws->free_pending) {
		ws->ci.detail = ws_detail(ws);
		ws->depth++;
		ws->cbs.on_close(ws, &ws->ci, ws->arg);
		ws->depth--;
	}
	ws_free_mem(ws);
}

static void
ws_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_ws *ws = arg;
	enum sc_ws_err kind = SC_WS_ERR_LOCAL;

	(void)fd;
	(void)what;
	switch (ws->state) {
	case WS_ST_RESOLVING:
		kind = SC_WS_ERR_DNS;
		break;
	case WS_ST_TCP:
		kind = SC_WS_ERR_TCP;
		break;
	case WS_ST_TLS:
		kind = SC_WS_ERR_TLS;
		break;
	case WS_ST_HTTP:
		kind = SC_WS_ERR_HTTP;
		break;
	case WS_ST_OPEN:
	case WS_ST_CLOSING:
	case WS_ST_DRAINING:
		/* Close deadline: the peer did not finish the close. */
		ws_teardown_now(ws);
		return;
	case WS_ST_DEAD:
		/* Made active by ws_teardown_now (no deadline is armed). */
		ws_reap(ws);
		return;
	}
	ws->ci.timed_out = !ws->ci_set;
	ws_set_reason(ws, kind, SC_WS_CLOSE_ABNORMAL, false,
	    "handshake not complete after %u ms", ws->lim.handshake_ms);
	ws_teardown_now(ws);
}

/* ------------------------------------------------------------ frames */

/*
 * Masking keys come from a pool of random octets refilled in bulk (one
 * RAND_bytes call per 1024 frames), shared by every connection of the
 * process (one thread, one loop).
 */
#define WS_MASK_POOL	4096

static uint8_t ws_mask_pool[WS_MASK_POOL];
static size_t ws_mask_left;

static int
ws_genmask(uint8_t key[4])
{
	if (ws_mask_left < 4) {
		if (RAND_bytes(ws_mask_pool, sizeof(ws_mask_pool)) != 1)
			return -1;
		ws_mask_left = sizeof(ws_mask_pool);
	}
	ws_mask_left -= 4;
	memcpy(key, ws_mask_pool + ws_mask_left, 4);
	return 0;
}

/*
 * Reserve len contiguous octets at the end of the output buffer.  When the
 * last chain cannot take them, a WS_OUT_CHAIN chain is started: evbuffer's
 * own chains stop growing at 4 KiB, and bufferevent_openssl writes one
 * TLS record (one syscall) per chain, so larger chains mean fewer records
 * for streams of 1500-octet messages.
 */
#define WS_OUT_CHAIN	16384

static int
ws_out_reserve(struct evbuffer *out, size_t len, struct evbuffer_iovec *v)
{
	if (evbuffer_reserve_space(out, 1, v, 1) == 1 && v->iov_len >= len)
		return 0;
	if (evbuffer_reserve_space(out, len > WS_OUT_CHAIN ? len :
	    WS_OUT_CHAIN, v, 1) != 1 || v->iov_len < len)
		return -1;
	return 0;
}

/*
 * Write one whole frame (header, then the n segments, masked when we are
 * the client) into one reserved region of the output buffer: one reserve
 * and one commit per message, no intermediate copy.
 */
static int
ws_write_frame(struct sc_ws *ws, uint8_t opcode, const struct sc_ws_seg *segs,
    size_t n, size_t total)
{
	struct evbuffer *out = bufferevent_get_output(ws->bev);
	struct evbuffer_iovec v;
	bool masked = !ws->server;
	uint8_t key[4], *p;
	size_t hl, pos = 0, i;

	if (masked && ws_genmask(key) != 0)
		return -1;
	hl = wsf_hdr_len(total, masked);
	if (ws_out_reserve(out, hl + total, &v) != 0)
		return -1;
	p = v.iov_base;
	(void)wsf_encode_hdr(p, true, opcode, total, masked ? key : NULL);
	p += hl;
	for (i = 0; i < n; i++) {
		if (segs[i].len == 0)
			continue;
		if (masked)
			wsf_mask(p + pos, segs[i].p, segs[i].len, key, pos);
		else
			memcpy(p + pos, segs[i].p, segs[i].len);
		pos += segs[i].len;
	}
	v.iov_len = hl + total;
	return evbuffer_commit_space(out, &v, 1);
}

/* Send a close frame (status 0: without a status) once. */
static void
ws_send_close(struct sc_ws *ws, uint16_t status)
{
	struct sc_ws_seg seg;
	uint8_t b[2];

	if (ws->close_sent || ws->bev == NULL)
		return;
	ws->close_sent = true;
	be16_store(b, status);
	seg.p = b;
	seg.len = status != 0 ? 2 : 0;
	(void)ws_write_frame(ws, WSF_OP_CLOSE, &seg, 1, seg.len);
}

/* Send our close frame and wait (close_ms) for the peer's. */
static void
ws_start_close(struct sc_ws *ws, uint16_t status)
{
	struct timeval tv;

	ws_send_close(ws, status);
	ws->state = WS_ST_CLOSING;
	ws_tv(&tv, ws->lim.close_ms);
	event_add(ws->timer, &tv);
}

/* The peer broke the protocol: close with status, do not wait. */
static void
ws_proto_fail(struct sc_ws *ws, uint16_t status, const char *why)
{
	ws_set_reason(ws, SC_WS_ERR_WS, status, false, "%s", why);
	ws_send_close(ws, status);
	ws_shutdown(ws);
}

/*
 * The reassembly buffer: allocated when first needed (a frame split over
 * input chains, or a fragmented message) and kept for the next ones, so
 * the steady state allocates nothing; one above WS_RBUF_KEEP is given
 * back after its message.
 */
#define WS_RBUF_KEEP	4096

static int
ws_rbuf_reserve(struct sc_ws *ws, size_t len)
{
	uint8_t *n;

	if (len == 0)
		len = 1;
	if (ws->rbuf_cap >= len)
		return 0;
	if ((n = realloc(ws->rbuf, len)) == NULL)
		return -1;
	ws->rbuf = n;
	ws->rbuf_cap = len;
	return 0;
}

static void
ws_rbuf_trim(struct sc_ws *ws)
{
	if (ws->rbuf_cap > WS_RBUF_KEEP && !ws->rx.in_msg) {
		free(ws->rbuf);
		ws->rbuf = NULL;
		ws->rbuf_cap = 0;
	}
}

/*
 * Make the payload of the frame at the head of the input readable and
 * unmasked, without consuming it.  dst NULL: in place when the first
 * input chain holds the whole frame (no copy), else in the reassembly
 * buffer; otherwise at dst.  Return NULL when out of memory.
 */
static uint8_t *
ws_frame_payload(struct sc_ws *ws, struct evbuffer *in,
    const struct wsf_hdr *h, uint8_t *dst)
{
	size_t len = (size_t)h->payload_len;
	struct evbuffer_ptr at;
	uint8_t *p;

	if (dst == NULL &&
	    evbuffer_get_contiguous_space(in) >= h->hdr_len + len) {
		p = evbuffer_pullup(in, (ev_ssize_t)(h->hdr_len + len));
		if (p == NULL)
			return NULL;
		p += h->hdr_len;
	} else {
		if (dst == NULL) {
			if (ws_rbuf_reserve(ws, len) != 0)
				return NULL;
			dst = ws->rbuf;
		}
		if (evbuffer_ptr_set(in, &at, h->hdr_len,
		    EVBUFFER_PTR_SET) != 0 ||
		    evbuffer_copyout_from(in, &at, dst, len) !=
		    (ev_ssize_t)len)
			return NULL;
		p = dst;
	}
	if (h->masked)
		wsf_mask(p, p, len, h->mask, 0);
	return p;
}

/* Hand a complete message to the owner. */
static void
ws_deliver(struct sc_ws *ws, const uint8_t *p, size_t len)
{
	if (ws->state != WS_ST_OPEN)
		return;
	ws->st.msgs_in++;
	ws->st.bytes_in += len;
	if (ws->cbs.on_message != NULL) {
		ws->depth++;
		ws->cbs.on_message(ws, p, len, ws->arg);
		ws->depth--;
	}
}

/* Whether the connection is still reading frames after a callback. */
static bool
ws_reading(const struct sc_ws *ws)
{
	return ws->bev != NULL && !ws->close_rcvd &&
	    (ws->state == WS_ST_OPEN || ws->state == WS_ST_CLOSING);
}

/* The peer's close frame: answer it (echoing its status), then close. */
static void
ws_rx_close(struct sc_ws *ws, const uint8_t *p, size_t len)
{
	const uint8_t *reason;
	size_t rlen;
	uint16_t status, code = SC_WS_CLOSE_PROTOCOL;
	const char *why = "bad close frame";

	if (wsf_close_decode(p, len, &status, &reason, &rlen, &code, &why) !=
	    CODEC_OK) {
		ws_proto_fail(ws, code, why);
		return;
	}
	ws->close_rcvd = true;
	ws_set_reason(ws, SC_WS_ERR_NONE, status, true, "closed by peer");
	ws_send_close(ws, status != WSF_CLOSE_NO_STATUS ? status : 0);
	ws_shutdown(ws);
}

/* A control frame's payload (at most 125 octets) and what it asks. */
static void
ws_rx_control(struct sc_ws *ws, struct evbuffer *in, const struct wsf_hdr *h,
    enum wsf_verdict v)
{
	uint8_t buf[WSF_CTRL_MAX];
	size_t len = (size_t)h->payload_len;
	struct sc_ws_seg seg;
	uint8_t *p;

	if ((p = ws_frame_payload(ws, in, h, buf)) == NULL) {
		ws_fail(ws, SC_WS_ERR_LOCAL, "cannot read a control frame");
		return;
	}
	evbuffer_drain(in, h->hdr_len + len);
	if (v == WSF_V_CLOSE) {
		ws_rx_close(ws, p, len);
	} else if (v == WSF_V_PING && !ws->close_sent &&
	    evbuffer_get_length(bufferevent_get_output(ws->bev)) <=
	    ws->lim.out_high_wm) {
		seg.p = p;
		seg.len = len;
		if (ws_write_frame(ws, WSF_OP_PONG, &seg, 1, len) != 0)
			ws_fail(ws, SC_WS_ERR_LOCAL, "cannot answer a ping");
	}
}

/* A data frame's payload: deliver, assemble or skip it. */
static void
ws_rx_data(struct sc_ws *ws, struct evbuffer *in, const struct wsf_hdr *h,
    enum wsf_verdict v, const struct wsf_step *st)
{
	size_t len = (size_t)h->payload_len;
	uint8_t *p = NULL;

	if (v == WSF_V_SKIP || ws->state != WS_ST_OPEN) {
		if (v == WSF_V_SKIP && st->oversize)
			ws->st.oversize_discarded++;
		evbuffer_drain(in, h->hdr_len + len);
		return;
	}
	if (v == WSF_V_FRAG) {
		if (ws_rbuf_reserve(ws, st->offset + len) == 0)
			p = ws_frame_payload(ws, in, h, ws->rbuf + st->offset);
	} else {
		p = ws_frame_payload(ws, in, h, NULL);
	}
	if (p == NULL) {
		ws_fail(ws, SC_WS_ERR_LOCAL, "out of memory");
		return;
	}
	if (v == WSF_V_MSG)
		ws_deliver(ws, p, len);
	else if (st->complete)
		ws_deliver(ws, ws->rbuf, st->msg_len);
	/* The callback may have closed or freed the connection. */
	if (ws->bev == NULL || ws->state == WS_ST_DRAINING ||
	    ws->state == WS_ST_DEAD)
		return;
	evbuffer_drain(in, h->hdr_len + len);
	ws_rbuf_trim(ws);
}

/*
 * Handle the frame at the head of the input.  Return true when one was
 * consumed and reading goes on, false when more input is needed or the
 * connection is ending.
 */
static bool
ws_read_frame(struct sc_ws *ws)
{
	struct evbuffer *in = bufferevent_get_input(ws->bev);
	size_t avail = evbuffer_get_length(in);
	uint8_t hb[WSF_HDR_MAX];
	uint16_t code = SC_WS_CLOSE_PROTOCOL;
	const char *why = "bad frame";
	struct wsf_step st;
	struct wsf_hdr h;
	enum wsf_verdict v;
	ev_ssize_t n;

	n = evbuffer_copyout(in, hb, avail < sizeof(hb) ? avail : sizeof(hb));
	if (n < 2)
		return false;
	switch (wsf_decode_hdr(hb, (size_t)n, ws->server, ws->lim.frame_cap,
	    &h, &code, &why)) {
	case CODEC_OK:
		break;
	case CODEC_SHORT:
		return false;
	case CODEC_MALFORMED:
	case CODEC_UNSUPPORTED:
		ws_proto_fail(ws, code, why);
		return false;
	}
	if (avail - h.hdr_len < h.payload_len)
		return false;
	switch (v = wsf_rx_step(&ws->rx, &h, &st)) {
	case WSF_V_MSG:
	case WSF_V_FRAG:
	case WSF_V_SKIP:
		ws_rx_data(ws, in, &h, v, &st);
		break;
	case WSF_V_PING:
	case WSF_V_PONG:
	case WSF_V_CLOSE:
		ws_rx_control(ws, in, &h, v);
		break;
	case WSF_V_TEXT:
		evbuffer_drain(in, h.hdr_len + (size_t)h.payload_len);
		ws_set_reason(ws, SC_WS_ERR_WS, SC_WS_CLOSE_DATA, false,
		    "text message from peer");
		if (ws->state == WS_ST_OPEN)
			ws_start_close(ws, SC_WS_CLOSE_DATA);
		break;
	case WSF_V_FAIL:
		ws_proto_fail(ws, st.close_code, st.why);
		return false;
	}
	return ws_reading(ws);
}

/*
 * Read every complete frame, then, on the server side, pause reading while
 * our output to this peer is above the watermark: a client that sends and
 * never reads is held back by TCP instead of costing CPU for answers that
 * are dropped.  A client never pauses: when both ends of a connection are
 * ours (a router and a hub relaying both ways under overload), two paused
 * ends would each wait for the other to read, for ever.  With one end
 * always reading no such cycle exists, and its memory stays bounded all the
 * same (sends are refused above the watermark, pongs are not queued).
 */
static void
ws_pump(struct sc_ws *ws)
{
	while (ws_reading(ws) && !ws->read_paused && ws_read_frame(ws))
		;
	if (ws->bev == NULL || ws->state == WS_ST_DEAD ||
	    ws->state == WS_ST_DRAINING || !ws->server)
		return;
	if (!ws->read_paused && evbuffer_get_length(
	    bufferevent_get_output(ws->bev)) > ws->lim.out_high_wm) {
		ws->read_paused = true;
		ws->st.read_pauses++;
		bufferevent_disable(ws->bev, EV_READ);
	}
}

/* --------------------------------------------------------- handshake */

static void
ws_opened(struct sc_ws *ws)
{
	struct evbuffer *in = bufferevent_get_input(ws->bev);

	ws_disarm(ws->timer);
	wsf_rx_init(&ws->rx, ws->lim.max_msg_len, ws->lim.frame_cap);
	ws->state = WS_ST_OPEN;
	ws->depth++;
	if (ws->server) {
		struct sc_ws_listener *l = ws->listener;

		l->st.opened++;
		ws_listener_unlink(ws);
		ws->handed_out = true;
		ws->report = true;
		l->on_accept(l, ws, l->arg);
		if (ws->cbs.on_close == NULL && ws->cbs.on_message == NULL)
			sc_ws_close(ws, SC_WS_CLOSE_INTERNAL);
	} else {
		ws_dial_free(ws);
		if (ws->cbs.on_open != NULL)
			ws->cbs.on_open(ws, ws->arg);
	}
	ws->depth--;
	if (ws->state == WS_ST_OPEN && evbuffer_get_length(in) > 0)
		ws_pump(ws);
}

static void
ws_http_refuse(struct sc_ws *ws, int status)
{
	char buf[256];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	if (wsh_build_error(&w, status) == 0)
		bufferevent_write(ws->bev, buf, w.len);
}

static void
ws_http_server(struct sc_ws *ws, const char *hdr, size_t hlen)
{
	const char *proto = sc_ws_proto_name(ws->proto);
	struct wsh_request req;
	const char *why = "?";
	int status = 400;
	char buf[512], accept[WSH_ACCEPT_LEN + 1];
	struct wr w;

	switch (wsh_parse_request(hdr, hlen, proto, &req, &status, &why)) {
	case CODEC_OK:
		break;
	case CODEC_SHORT:
	case CODEC_MALFORMED:
	case CODEC_UNSUPPORTED:
		ws_http_refuse(ws, status);
		ws_fail(ws, SC_WS_ERR_HTTP, "%s (answered %d)", why, status);
		return;
	}
	if (ws_handshake_accept(req.key, accept) != 0) {
		ws_http_refuse(ws, 503);
		ws_fail(ws, SC_WS_ERR_LOCAL, "cannot compute the accept key");
		return;
	}
	evbuffer_drain(bufferevent_get_input(ws->bev), hlen);
	wr_init(&w, buf, sizeof(buf));
	if (wsh_build_response(&w, accept, proto) != 0 ||
	    bufferevent_write(ws->bev, buf, w.len) != 0) {
		ws_fail(ws, SC_WS_ERR_LOCAL, "cannot write the 101 response");
		return;
	}
	ws_opened(ws);
}

static void
ws_http_client(struct sc_ws *ws, const char *hdr, size_t hlen)
{
	struct wsh_response resp;
	const char *why = "?";

	switch (wsh_parse_response(hdr, hlen, ws->dial->accept,
	    sc_ws_proto_name(ws->proto), &resp, &why)) {
	case CODEC_OK:
		break;
	case CODEC_UNSUPPORTED:
		ws_fail(ws, SC_WS_ERR_HTTP, "server answered HTTP %d",
		    resp.status);
		return;
	case CODEC_SHORT:
	case CODEC_MALFORMED:
		ws_fail(ws, SC_WS_ERR_HTTP, "bad upgrade response: %s", why);
		return;
	}
	evbuffer_drain(bufferevent_get_input(ws->bev), hlen);
	ws_opened(ws);
}

/* Wait for a whole header block within the cap, then parse it. */
static void
ws_http_read(struct sc_ws *ws)
{
	struct evbuffer *in = bufferevent_get_input(ws->bev);
	size_t len = evbuffer_get_length(in);
	struct evbuffer_ptr end;
	size_t hlen;
	const char *hdr;

	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos < 0 || (size_t)end.pos + 4 > ws->lim.max_header_len) {
		if (len > ws->lim.max_header_len ||
		    (end.pos >= 0 && (size_t)end.pos + 4 >
		    ws->lim.max_header_len)) {
			if (ws->server)
				ws_http_refuse(ws, 431);
			ws_fail(ws, SC_WS_ERR_HTTP, "header block larger than "
			    "%zu octets", ws->lim.max_header_len);
		}
		return;
	}
	hlen = (size_t)end.pos + 4;
	hdr = (const char *)evbuffer_pullup(in, (ssize_t)hlen);
	if (hdr == NULL) {
		ws_fail(ws, SC_WS_ERR_LOCAL, "out of memory");
		return;
	}
	if (ws->server)
		ws_http_server(ws, hdr, hlen);
	else
		ws_http_client(ws, hdr, hlen);
}

static void
ws_send_request(struct sc_ws *ws)
{
	char buf[1024];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	if (wsh_build_request(&w, ws->dial->host_hdr, ws->dial->uri.path,
	    ws->dial->key,
	    sc_ws_proto_name(ws->proto)) != 0 ||
	    bufferevent_write(ws->bev, buf, w.len) != 0) {
		ws_fail(ws, SC_WS_ERR_LOCAL, "cannot write the upgrade request");
		return;
	}
	ws->state = WS_ST_HTTP;
}

/* TLS handshake done: verify the peer, then go on with HTTP. */
static void
ws_tls_done(struct sc_ws *ws)
{
	const char *why = "?";

	ws->tls_up = true;
	if (sc_tls_peer_check(ws->ssl, NULL, &why) != 0) {
		ws_fail(ws, SC_WS_ERR_TLS, "peer certificate refused: %s", why);
		return;
	}
	ws->peer_ok = true;
	if (ws->server)
		ws->state = WS_ST_HTTP;
	else
		ws_send_request(ws);
}

/* ----------------------------------------------------- bev callbacks */

static void
ws_read_cb(struct bufferevent *bev, void *arg)
{
	struct sc_ws *ws = arg;

	ws->depth++;
	switch (ws->state) {
	case WS_ST_HTTP:
		ws_http_read(ws);
		break;
	case WS_ST_OPEN:
	case WS_ST_CLOSING:
		ws_pump(ws);
		break;
	case WS_ST_RESOLVING:
	case WS_ST_TCP:
	case WS_ST_TLS:
	case WS_ST_DRAINING:
	case WS_ST_DEAD:
		evbuffer_drain(bufferevent_get_input(bev),
		    evbuffer_get_length(bufferevent_get_input(bev)));
		break;
	}
	ws->depth--;
}

static void
ws_write_cb(struct bufferevent *bev, void *arg)
{
	struct sc_ws *ws = arg;
	size_t out = evbuffer_get_length(bufferevent_get_output(bev));

	ws->depth++;
	if (ws->state == WS_ST_DRAINING) {
		if (out == 0)
			ws_teardown_now(ws);
		goto done;
	}
	if (out > ws->lim.out_low_wm)
		goto done;
	if (ws->read_paused && (ws->state == WS_ST_OPEN ||
	    ws->state == WS_ST_CLOSING)) {
		ws->read_paused = false;
		bufferevent_enable(bev, EV_READ);
		ws_pump(ws);
	}
	if (ws->want_writable && ws->state == WS_ST_OPEN) {
		ws->want_writable = false;
		if (ws->cbs.on_writable != NULL)
			ws->cbs.on_writable(ws, ws->arg);
	}
done:
	ws->depth--;
}

static void
ws_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct sc_ws *ws = arg;
	char ebuf[400];
	const char *ssl_err;
	int err = EVUTIL_SOCKET_ERROR();
	long vr;

	(void)bev;
	ws->depth++;
	if (what & BEV_EVENT_CONNECTED) {
		if (ws->state == WS_ST_TLS)
			ws_tls_done(ws);
		goto done;
	}
	if (!(what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)))
		goto done;
	ssl_err = ws_ssl_errors(ws, ebuf, sizeof(ebuf));
	switch (ws->state) {
	case WS_ST_TLS:
		vr = ws->ssl != NULL ? SSL_get_verify_result(ws->ssl) :
		    X509_V_OK;
		ws_fail(ws, SC_WS_ERR_TLS, "TLS handshake failed: %s%s%s",
		    ssl_err != NULL ? ssl_err : (what & BEV_EVENT_EOF) ?
		    "peer closed the connection" : evutil_socket_error_to_string(
		    err), vr != X509_V_OK ? ": " : "",
		    vr != X509_V_OK ? X509_verify_cert_error_string(vr) : "");
		break;
	case WS_ST_HTTP:
	case WS_ST_OPEN:
		if (ssl_err != NULL)
			ws_fail(ws, SC_WS_ERR_TLS, "TLS: %s", ssl_err);
		else
			ws_fail(ws, SC_WS_ERR_TCP, "connection %s",
			    (what & BEV_EVENT_EOF) ? "closed by peer" :
			    evutil_socket_error_to_string(err));
		break;
	case WS_ST_CLOSING:
		/* The peer closed TCP before or instead of its close frame. */
		ws_set_reason(ws, SC_WS_ERR_NONE, SC_WS_CLOSE_ABNORMAL, false,
		    "peer closed the connection during the close handshake");
		ws_teardown_now(ws);
		break;
	case WS_ST_DRAINING:
		ws_teardown_now(ws);
		break;
	case WS_ST_RESOLVING:
	case WS_ST_TCP:
	case WS_ST_DEAD:
		break;
	}
done:
	ws->depth--;
}

/* ------------------------------------------------------------ common */

static struct sc_ws *
ws_new(struct event_base *base, const struct sc_tls_ctx *tls, bool server,
    enum sc_ws_proto proto, const struct sc_ws_limits *lim)
{
	struct sc_ws *ws = calloc(1, sizeof(*ws));

	if (ws == NULL)
		return NULL;
	ws->base = base;
	ws->tls = sc_tls_ctx_ref(tls);
	ws->server = server;
	ws->proto = proto;
	if (lim != NULL)
		ws->lim = *lim;
	else
		sc_ws_limits_default(&ws->lim);
	if (ws->lim.frame_cap < ws->lim.max_msg_len)
		ws->lim.frame_cap = ws->lim.max_msg_len;
	if (ws->lim.out_low_wm > ws->lim.out_high_wm)
		ws->lim.out_low_wm = ws->lim.out_high_wm;
	ws->fd = -1;
	ws->timer = evtimer_new(base, ws_timer_cb, ws);
	if (ws->timer == NULL) {
		ws_free_mem(ws);
		return NULL;
	}
	return ws;
}

/* Wrap a connected socket in a (TLS) bufferevent; takes fd. */
static int
ws_attach(struct sc_ws *ws, evutil_socket_t fd)
{
	const char *sni = NULL;

	if (ws->tls != NULL) {
		if (ws->dial != NULL &&
		    ws->dial->uri.host_kind == SC_URI_HOST_NAME)
			sni = ws->dial->uri.host;
		ws->ssl = sc_tls_ssl_new(ws->tls, ws->server, sni);
		if (ws->ssl == NULL) {
			evutil_closesocket(fd);
			return -1;
		}
		ws->bev = bufferevent_openssl_socket_new(ws->base, fd, ws->ssl,
		    ws->server ? BUFFEREVENT_SSL_ACCEPTING :
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
		ws->state = WS_ST_TLS;
	} else {
		ws->bev = bufferevent_socket_new(ws->base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
		ws->state = WS_ST_HTTP;
	}
	if (ws->bev == NULL) {
		ws->ssl = NULL;
		return -1;
	}
	bufferevent_setcb(ws->bev, ws_read_cb, ws_write_cb, ws_event_cb, ws);
	bufferevent_setwatermark(ws->bev, EV_WRITE, ws->lim.out_low_wm, 0);
	bufferevent_enable(ws->bev, EV_READ | EV_WRITE);
	return 0;
}

/* ------------------------------------------------------------ server */

static void
ws_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct sc_ws_listener *l = arg;
	struct sc_ws *ws;
	struct sc_srclim_ent *slot = NULL, *pslot = NULL;
	uint8_t key[SC_SRCLIM_KEY_LEN];
	struct timeval tv;
	char addr[WS_ADDR_STRLEN];

	(void)evl;
	(void)salen;
	l->st.accepted++;
	ws_sockaddr_str(sa, addr, sizeof(addr));
	sc_srclim_key(sa, key);
	switch (sc_srclim_take(&l->src, key, &slot)) {
	case SC_SRCLIM_OK:
		break;
	case SC_SRCLIM_FULL:
		l->st.refused_full++;
		log_ratelim(&l->rl, LOG_LVL_WARNING, LD_SC,
		    "%s listener: refused %s: %u connections (the most "
		    "this listener takes)", sc_ws_proto_name(l->proto), addr,
		    l->src.n);
		evutil_closesocket(fd);
		return;
	case SC_SRCLIM_PER_SOURCE:
		l->st.refused_per_source++;
		log_ratelim(&l->rl, LOG_LVL_WARNING, LD_SC,
		    "%s listener: refused %s: %u connections from this "
		    "source already (max_connections_per_source); %llu "
		    "refused so far", sc_ws_proto_name(l->proto), addr,
		    sc_srclim_count(&l->src, key),
		    (unsigned long long)l->st.refused_per_source);
		evutil_closesocket(fd);
		return;
	case SC_SRCLIM_NOMEM:
		evutil_closesocket(fd);
		return;
	}
	if (l->n_pending >= l->lim.max_pending) {
		l->st.refused_busy++;
		log_ratelim(&l->rl, LOG_LVL_WARNING, LD_SC,
		    "%s listener: refused %s: %u handshakes in progress",
		    sc_ws_proto_name(l->proto), addr, l->n_pending);
		sc_srclim_put(&l->src, slot);
		evutil_closesocket(fd);
		return;
	}
	/*
	 * A few sources must not hold every handshake slot until the
	 * deadline: each source gets max_pending_per_source of them.
	 */
	if (sc_srclim_take(&l->pend, key, &pslot) != SC_SRCLIM_OK) {
		l->st.refused_busy++;
		log_ratelim(&l->rl, LOG_LVL_WARNING, LD_SC,
		    "%s listener: refused %s: %u handshakes from this source "
		    "in progress", sc_ws_proto_name(l->proto), addr,
		    sc_srclim_count(&l->pend, key));
		sc_srclim_put(&l->src, slot);
		evutil_closesocket(fd);
		return;
	}
	ws = ws_new(l->base, l->tls, true, l->proto, &l->lim);
	if (ws == NULL) {
		sc_srclim_put(&l->pend, pslot);
		sc_srclim_put(&l->src, slot);
		evutil_closesocket(fd);
		return;
	}
	ws->owner = l;
	ws->slot = slot;
	ws->onext = l->conns;
	if (l->conns != NULL)
		l->conns->oprev = ws;
	l->conns = ws;
	snprintf(ws->peer_addr, sizeof(ws->peer_addr), "%s", addr);
	ws_set_nodelay(fd);
	ws->listener = l;
	ws->pslot = pslot;
	ws->next = l->pending;
	if (l->pending != NULL)
		l->pending->prev = ws;
	l->pending = ws;
	l->n_pending++;
	if (ws_attach(ws, fd) != 0) {
		ws_fail(ws, SC_WS_ERR_LOCAL, "cannot set up the connection");
		return;
	}
	ws_tv(&tv, ws->lim.handshake_ms);
	event_add(ws->timer, &tv);
}

static void
ws_accept_error_cb(struct evconnlistener *evl, void *arg)
{
	struct sc_ws_listener *l = arg;

	(void)evl;
	log_ratelim(&l->rl, LOG_LVL_WARNING, LD_SC, "%s listener: accept: %s",
	    sc_ws_proto_name(l->proto),
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

struct sc_ws_listener *
sc_ws_listen(struct event_base *base, const struct sc_tls_ctx *tls,
    const char *addr, uint16_t port, enum sc_ws_proto proto,
    const struct sc_ws_limits *limits, sc_ws_accept_fn on_accept, void *arg,
    char *err, size_t errlen)
{
	struct sc_ws_listener *l;
	uint64_t seed = 0;
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	int sslen;
	char spec[80];

	if (tls == NULL && (limits == NULL || !limits->allow_plaintext)) {
		snprintf(err, errlen, "no TLS context and plaintext not "
		    "allowed by the configuration");
		return NULL;
	}
	if (addr == NULL || *addr == '\0')
		addr = "::";
	memset(&ss, 0, sizeof(ss));
	if (evutil_inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sslen = sizeof(*s4);
		snprintf(spec, sizeof(spec), "%s:%u", addr, (unsigned)port);
	} else if (evutil_inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sslen = sizeof(*s6);
		snprintf(spec, sizeof(spec), "[%s]:%u", addr, (unsigned)port);
	} else {
		snprintf(err, errlen, "%s: not a numeric address", addr);
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->base = base;
	l->tls = sc_tls_ctx_ref(tls);
	l->proto = proto;
	if (limits != NULL)
		l->lim = *limits;
	else
		sc_ws_limits_default(&l->lim);
	l->on_accept = on_accept;
	l->arg = arg;
	if (RAND_bytes((unsigned char *)&seed, sizeof(seed)) != 1)
		seed = clk_now_us();
	sc_srclim_init(&l->src, l->lim.max_per_source, l->lim.max_conns,
	    seed);
	sc_srclim_init(&l->pend, l->lim.max_pending_per_source, 0, seed);
	ratelim_init(&l->rl, 10, CLK_SEC(6));
	l->evl = evconnlistener_new_bind(base, ws_accept_cb, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, 128, (struct sockaddr *)&ss, sslen);
	if (l->evl == NULL) {
		snprintf(err, errlen, "cannot listen on %s: %s", spec,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		sc_tls_ctx_free(l->tls);
		free(l);
		return NULL;
	}
	evconnlistener_set_error_cb(l->evl, ws_accept_error_cb);
	sslen = sizeof(ss);
	if (getsockname(evconnlistener_get_fd(l->evl), (struct sockaddr *)&ss,
	    (socklen_t *)&sslen) == 0)
		l->port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	return l;
}

void
sc_ws_listener_free(struct sc_ws_listener *l)
{
	if (l == NULL)
		return;
	while (l->pending != NULL) {
		struct sc_ws *ws = l->pending;

		ws_listener_unlink(ws);
		sc_ws_free(ws);
	}
	while (l->conns != NULL)
		ws_owner_release(l->conns);
	sc_srclim_fini(&l->src);
	sc_srclim_fini(&l->pend);
	evconnlistener_free(l->evl);
	sc_tls_ctx_free(l->tls);
	free(l);
}

void
sc_ws_listener_set_limits(struct sc_ws_listener *l,
    const struct sc_ws_limits *limits)
{
	l->lim.handshake_ms = limits->handshake_ms;
	l->lim.max_pending = limits->max_pending;
	l->lim.max_conns = limits->max_conns;
	l->lim.max_per_source = limits->max_per_source;
	sc_srclim_set_limits(&l->src, l->lim.max_per_source,
	    l->lim.max_conns);
	l->lim.max_pending_per_source = limits->max_pending_per_source;
	sc_srclim_set_limits(&l->pend, l->lim.max_pending_per_source, 0);
}

uint16_t
sc_ws_listener_port(const struct sc_ws_listener *l)
{
	return l->port;
}

void
sc_ws_listener_stats(const struct sc_ws_listener *l,
    struct sc_ws_listener_stats *out)
{
	*out = l->st;
	out->conns = l->src.n;
	out->pending = l->n_pending;
	out->sources = l->src.n_sources;
}

/* ------------------------------------------------------------ client */

/*
 * Whether a connected TCP socket is connected to itself: a connect to a
 * port of this host nobody listens on, whose ephemeral local port happens
 * to be that port, completes as a simultaneous open with itself.
 */
static bool
ws_is_self_connect(evutil_socket_t fd)
{
	struct sockaddr_storage a, b;
	socklen_t al = sizeof(a), bl = sizeof(b);

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (getsockname(fd, (struct sockaddr *)&a, &al) != 0 ||
	    getpeername(fd, (struct sockaddr *)&b, &bl) != 0 ||
	    al != bl || a.ss_family != b.ss_family)
		return false;
	if (a.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a;
		const struct sockaddr_in *y = (const void *)&b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a;
		const struct sockaddr_in6 *y = (const void *)&b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr,
		    sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

static void
ws_conn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_ws *ws = arg;
	struct ws_dial *d = ws->dial;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	bool self = false;

	(void)what;
	event_free(d->conn_ev);
	d->conn_ev = NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr == 0 && (self = ws_is_self_connect(fd)))
		soerr = ECONNREFUSED;	/* nobody listens there */
	if (soerr != 0) {
		evutil_closesocket(fd);
		ws->fd = -1;
		snprintf(d->last_err, sizeof(d->last_err), "connect to %s: %s",
		    ws->peer_addr, self ? "connected to itself (nobody "
		    "listens there)" : strerror(soerr));
		d->ai_next = d->ai_next->ai_next;
		ws_connect_next(ws);
		return;
	}
	ws->fd = -1;
	ws->depth++;
	if (ws_attach(ws, fd) != 0)
		ws_fail(ws, SC_WS_ERR_LOCAL, "cannot set up TLS");
	else if (ws->state == WS_ST_HTTP)
		ws_send_request(ws);
	ws->depth--;
}

/* Try the next resolved address; fail with TCP when none is left. */
static void
ws_connect_next(struct sc_ws *ws)
{
	struct ws_dial *d = ws->dial;

	while (d->ai_next != NULL) {
		struct evutil_addrinfo *a = d->ai_next;
		evutil_socket_t fd;

		ws_sockaddr_str(a->ai_addr, ws->peer_addr,
		    sizeof(ws->peer_addr));
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd < 0) {
			snprintf(d->last_err, sizeof(d->last_err),
			    "socket: %s", strerror(errno));
			d->ai_next = a->ai_next;
			continue;
		}
		ws_set_nodelay(fd);
		if (connect(fd, a->ai_addr, (socklen_t)a->ai_addrlen) != 0 &&
		    errno != EINPROGRESS) {
			snprintf(d->last_err, sizeof(d->last_err),
			    "connect to %s: %s", ws->peer_addr,
			    strerror(errno));
			evutil_closesocket(fd);
			d->ai_next = a->ai_next;
			continue;
		}
		ws->fd = fd;
		d->conn_ev = event_new(ws->base, fd, EV_WRITE, ws_conn_cb, ws);
		if (d->conn_ev == NULL || event_add(d->conn_ev, NULL) != 0) {
			ws_fail(ws, SC_WS_ERR_LOCAL, "out of memory");
			return;
		}
		ws->state = WS_ST_TCP;
		return;
	}
	ws_set_reason(ws, SC_WS_ERR_TCP, SC_WS_CLOSE_ABNORMAL, false, "%s",
	    d->last_err[0] != '\0' ? d->last_err : "no address to connect to");
	ws_shutdown(ws);
}

static void
ws_dns_cb(int errcode, struct evutil_addrinfo *res, void *arg)
{
	struct sc_ws *ws = arg;

	if (errcode == EVUTIL_EAI_CANCEL)
		return;
	ws->dial->dnsreq = NULL;
	if (errcode != 0 || res == NULL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		ws_fail(ws, SC_WS_ERR_DNS, "cannot resolve %s: %s",
		    ws->dial->uri.host, evutil_gai_strerror(errcode));
		return;
	}
	ws->dial->ai = ws->dial->ai_next = res;
	ws_connect_next(ws);
}

static void
ws_resolve(struct sc_ws *ws)
{
	struct ws_dial *d = ws->dial;
	struct evutil_addrinfo hints;
	char port[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	snprintf(port, sizeof(port), "%u", (unsigned)d->uri.port);
	if (d->uri.host_kind != SC_URI_HOST_NAME) {
		int r;

		hints.ai_flags = EVUTIL_AI_NUMERICHOST;
		r = evutil_getaddrinfo(d->uri.host, port, &hints, &d->ai);
		if (r != 0) {
			ws_fail(ws, SC_WS_ERR_DNS, "bad address %s: %s",
			    d->uri.host, evutil_gai_strerror(r));
			return;
		}
		d->ai_next = d->ai;
		ws_connect_next(ws);
		return;
	}
	if (d->dns == NULL) {
		d->own_dns = evdns_base_new(ws->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS);
		if (d->own_dns == NULL) {
			ws_fail(ws, SC_WS_ERR_DNS, "cannot set up a resolver");
			return;
		}
		d->dns = d->own_dns;
	}
	ws->state = WS_ST_RESOLVING;
	d->dnsreq = evdns_getaddrinfo(d->dns, d->uri.host, port, &hints,
	    ws_dns_cb, ws);
}

struct sc_ws *
sc_ws_connect(struct event_base *base, struct evdns_base *dns,
    const struct sc_tls_ctx *tls, const char *uri, enum sc_ws_proto proto,
    const struct sc_ws_limits *limits, const struct sc_ws_cbs *cbs,
    void *arg, char *err, size_t errlen)
{
	struct sc_ws_limits lim;
	struct sc_uri u;
	const char *why = "?";
	struct sc_ws *ws;
	struct ws_dial *d;
	struct timeval tv;

	if (limits != NULL)
		lim = *limits;
	else
		sc_ws_limits_default(&lim);
	if (sc_uri_parse(uri, &u, &why) != 0) {
		snprintf(err, errlen, "%s: %s", uri != NULL ? uri : "(null)",
		    why);
		return NULL;
	}
	if (u.tls && tls == NULL) {
		snprintf(err, errlen, "%s: no TLS context", uri);
		return NULL;
	}
	if (!u.tls && !lim.allow_plaintext) {
		snprintf(err, errlen, "%s: plaintext ws:// refused (only for "
		    "tests, and only when configured)", uri);
		return NULL;
	}
	ws = ws_new(base, u.tls ? tls : NULL, false, proto, &lim);
	if (ws == NULL || (ws->dial = calloc(1, sizeof(*ws->dial))) == NULL) {
		if (ws != NULL)
			ws_free_mem(ws);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d = ws->dial;
	d->uri = u;
	d->dns = dns;
	ws->cbs = *cbs;
	ws->arg = arg;
	ws->report = true;
	if (sc_uri_host_header(&u, d->host_hdr, sizeof(d->host_hdr)) != 0 ||
	    ws_handshake_new_key(d->key) != 0 ||
	    ws_handshake_accept(d->key, d->accept) != 0) {
		ws_free_mem(ws);
		snprintf(err, errlen, "cannot prepare the handshake");
		return NULL;
	}
	ws_tv(&tv, ws->lim.handshake_ms);
	event_add(ws->timer, &tv);
	ws->depth++;
	ws_resolve(ws);
	ws->depth--;
	return ws;
}

/* ------------------------------------------------------------ public */

void
sc_ws_set_cbs(struct sc_ws *ws, const struct sc_ws_cbs *cbs, void *arg)
{
	ws->cbs = *cbs;
	ws->arg = arg;
}

enum sc_ws_send_rc
sc_ws_send(struct sc_ws *ws, const struct sc_ws_seg *segs, size_t n)
{
	size_t total = 0, i;

	if (ws->state != WS_ST_OPEN || ws->bev == NULL)
		return SC_WS_SEND_CLOSED;
	for (i = 0; i < n; i++)
		total += segs[i].len;
	if (total > ws->lim.frame_cap)
		return SC_WS_SEND_TOO_BIG;
	if (evbuffer_get_length(bufferevent_get_output(ws->bev)) >
	    ws->lim.out_high_wm) {
		ws->st.busy++;
		ws->want_writable = true;
		return SC_WS_SEND_BUSY;
	}
	if (ws_write_frame(ws, WSF_OP_BINARY, segs, n, total) != 0) {
		ws_fail(ws, SC_WS_ERR_LOCAL, "cannot frame a message");
		return SC_WS_SEND_CLOSED;
	}
	/*
	 * Write in this turn of the loop, not the next: libevent 2.1's
	 * bufferevents only add their write event when data lands in an
	 * empty output buffer, so the frame would wait for one more
	 * epoll_wait (and two epoll_ctl).  The activated event runs after
	 * the callback that is running now, so what it and the callbacks
	 * before it queue still goes out in one write (one TLS record).
	 */
	event_active(&ws->bev->ev_write, EV_WRITE, 1);
	ws->st.msgs_out++;
	ws->st.bytes_out += total;
	return SC_WS_SEND_OK;
}

void
sc_ws_close(struct sc_ws *ws, uint16_t status)
{
	switch (ws->state) {
	case WS_ST_OPEN:
		ws_set_reason(ws, SC_WS_ERR_NONE, status, false,
		    "closed by us");
		ws_start_close(ws, status);
		break;
	case WS_ST_RESOLVING:
	case WS_ST_TCP:
	case WS_ST_TLS:
	case WS_ST_HTTP:
		ws_fail(ws, SC_WS_ERR_LOCAL, "abandoned by us");
		break;
	case WS_ST_CLOSING:
	case WS_ST_DRAINING:
	case WS_ST_DEAD:
		break;
	}
}

void
sc_ws_free(struct sc_ws *ws)
{
	if (ws == NULL)
		return;
	ws->free_pending = true;
	ws->report = false;
	ws_listener_unlink(ws);
	if (ws->state != WS_ST_DEAD) {
		ws_set_reason(ws, SC_WS_ERR_LOCAL, SC_WS_CLOSE_ABNORMAL, false,
		    "freed");
		ws_teardown_now(ws);
	}
	if (ws->depth == 0) {
		ws_disarm(ws->timer);	/* a reap may be active */
		ws_free_mem(ws);
	}
}

int
sc_ws_peer_cert(const struct sc_ws *ws, struct sc_peer_cert *out)
{
	const char *why;

	/* OpenSSL keeps the verified certificate while the SSL lives. */
	if (!ws->peer_ok || ws->ssl == NULL)
		return -1;
	return sc_tls_peer_check(ws->ssl, out, &why);
}

void
sc_ws_get_stats(const struct sc_ws *ws, struct sc_ws_stats *out)
{
	*out = ws->st;
}

const char *
sc_ws_peer_addr(const struct sc_ws *ws)
{
	/* A client names the host it resolves until it has an address. */
	if (ws->peer_addr[0] == '\0' && ws->dial != NULL)
		return ws->dial->uri.host;
	return ws->peer_addr;
}

bool
sc_ws_is_open(const struct sc_ws *ws)
{
	return ws->state == WS_ST_OPEN;
}

size_t
sc_ws_out_queued(const struct sc_ws *ws)
{
	return ws->bev != NULL ?
	    evbuffer_get_length(bufferevent_get_output(ws->bev)) : 0;
}

struct event_base *
sc_ws_base_new(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (cfg == NULL)
		return NULL;
	(void)event_config_set_flag(cfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}
