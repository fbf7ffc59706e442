/*
 * BACnet/SC WebSocket transport: TLS 1.3 (sc_tls.h) through libevent's
 * bufferevent_openssl, our own strict HTTP/1.1 Upgrade handshake and our
 * own framing (ws_frame_codec.h).  This narrow interface is all the SC
 * node sees; another implementation could replace it.
 *
 * Model.  A `struct sc_ws` is one WebSocket connection, initiated by
 * sc_ws_connect() or accepted by a listener (sc_ws_listen()).  All
 * callbacks run on the event_base's loop.  on_close is always the last
 * callback and always comes from the loop, never from inside a call the
 * caller made (sc_ws_connect, sc_ws_send, sc_ws_close); after on_close
 * returns the object is freed, so drop the pointer there.  sc_ws_free()
 * tears a connection down at once with no callback (for shutdown).
 *
 * What the transport enforces: exactly one subprotocol (hub.bsc.bacnet.org
 * or dc.bsc.bacnet.org; a listener accepts only its own, the client checks
 * the echo), version 13, a header size cap, a deadline from TCP accept or
 * connect start to WebSocket open, masked client frames and unmasked
 * server frames (else close 1002), binary messages only (text: close
 * 1003), messages longer than limits.max_msg_len discarded and counted
 * (the connection stays up), frames/messages above limits.frame_cap: close
 * 1009, pings answered, a close handshake with status codes, TLS
 * close_notify on close, TCP_NODELAY, and output watermarks (an accepted
 * connection stops reading from a peer that does not read; an initiated
 * one never stops reading, so two of our ends cannot wait on each other).
 */
#ifndef SC_SC_WS_H
#define SC_SC_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sc/sc_tls.h"

struct event_base;
struct evdns_base;
struct sc_ws;
struct sc_ws_listener;

enum sc_ws_proto {
	SC_WS_PROTO_HUB = 0,	/* hub.bsc.bacnet.org: hub connections */
	SC_WS_PROTO_DC,		/* dc.bsc.bacnet.org: direct connections */
};

/* Where a connection failed; the node shows it in its status. */
enum sc_ws_err {
	SC_WS_ERR_NONE = 0,	/* closed by a close handshake */
	SC_WS_ERR_DNS,		/* name did not resolve */
	SC_WS_ERR_TCP,		/* connect refused/unreachable, reset, EOF */
	SC_WS_ERR_TLS,		/* handshake or certificate refused, TLS error */
	SC_WS_ERR_HTTP,		/* Upgrade handshake refused or malformed */
	SC_WS_ERR_WS,		/* WebSocket protocol violation (either side) */
	SC_WS_ERR_LOCAL,	/* we closed it (sc_ws_close before open) or
				   ran out of memory */
};

/* Status codes we send or may see (RFC 6455 7.4.1). */
#define SC_WS_CLOSE_NORMAL	1000
#define SC_WS_CLOSE_GOING_AWAY	1001
#define SC_WS_CLOSE_PROTOCOL	1002
#define SC_WS_CLOSE_DATA	1003	/* text message: not accepted */
#define SC_WS_CLOSE_ABNORMAL	1006	/* local only: no close frame */
#define SC_WS_CLOSE_TOO_BIG	1009
#define SC_WS_CLOSE_INTERNAL	1011

struct sc_ws_limits {
	size_t		max_msg_len;	/* own Max BVLC Length: longer
					   messages are discarded, counted
					   (default 65535) */
	size_t		frame_cap;	/* hard cap on a received frame or
					   message: close 1009 (default
					   max_msg_len + 4096) */
	size_t		max_header_len;	/* HTTP header block cap (default 4096) */
	unsigned	handshake_ms;	/* TCP start -> WebSocket open deadline
					   (default 10000) */
	unsigned	close_ms;	/* wait for the peer's close frame and
					   TLS shutdown (default 2000) */
	size_t		out_high_wm;	/* send returns BUSY above this many
					   queued octets, pings go unanswered;
					   an accepted connection also stops
					   reading from the peer (default
					   1 MiB) */
	size_t		out_low_wm;	/* on_writable once output drops below
					   (default 256 KiB) */
	unsigned	max_pending;	/* listener: handshakes in progress at
					   once (default 64) */
	unsigned	max_conns;	/* listener: connections at once, from
					   TCP accept until closed, handed
					   out or not (default 0: no limit) */
	unsigned	max_per_source;	/* listener: the same from one source
					   address (default 0: no limit) */
	bool		allow_plaintext; /* accept ws:// / a NULL TLS context:
					   tests only (default false) */
};

/* Fill *l with the defaults above. */
void sc_ws_limits_default(struct sc_ws_limits *l);

struct sc_ws_close_info {
	enum sc_ws_err	 kind;
	uint16_t	 status;	/* close status received (by_peer) or
					   sent; 1006 if no close frame */
	bool		 by_peer;	/* the peer started the close */
	bool		 timed_out;	/* handshake or close deadline hit */
	const char	*detail;	/* borrows: valid during on_close; ""
					   when there was no memory for it */
};

struct sc_ws_cbs {
	/* Client only: the WebSocket is open; sc_ws_peer_cert() works. */
	void	(*on_open)(struct sc_ws *ws, void *arg);
	/*
	 * One complete binary message (borrows buf: valid during the call).
	 * May call sc_ws_send() and sc_ws_close().
	 */
	void	(*on_message)(struct sc_ws *ws, const uint8_t *buf, size_t len,
		    void *arg);
	/* Output dropped below out_low_wm after a send returned BUSY. */
	void	(*on_writable)(struct sc_ws *ws, void *arg);
	/* The last callback; ws is freed when it returns. */
	void	(*on_close)(struct sc_ws *ws, const struct sc_ws_close_info *ci,
		    void *arg);
};

/*
 * Listener: called when an accepted connection completed TLS (client
 * certificate verified) and the Upgrade.  Call sc_ws_set_cbs() inside, or
 * the connection is closed with 1011.
 */
typedef void (*sc_ws_accept_fn)(struct sc_ws_listener *l, struct sc_ws *ws,
    void *arg);

/* What a listener refused, for status, tests and the operator. */
struct sc_ws_listener_stats {
	uint64_t	accepted;	/* TCP connections taken */
	uint64_t	opened;		/* WebSockets opened */
	uint64_t	refused_tls;	/* TLS handshake or certificate */
	uint64_t	refused_http;	/* Upgrade refused, header too big */
	uint64_t	refused_timeout; /* handshake deadline hit */
	uint64_t	refused_busy;	/* over max_pending */
	uint64_t	refused_full;	/* over max_conns */
	uint64_t	refused_per_source; /* over max_per_source */
	uint64_t	dropped_tcp;	/* peer went away mid-handshake */
	unsigned	conns;		/* now: connections counted */
	unsigned	pending;	/* now: handshakes in progress */
	size_t		sources;	/* now: distinct source addresses */
};

struct sc_ws_stats {
	uint64_t	msgs_in;
	uint64_t	msgs_out;
	uint64_t	bytes_in;	/* message payload octets */
	uint64_t	bytes_out;
	uint64_t	oversize_discarded;	/* > max_msg_len */
	uint64_t	busy;		/* sends refused by the watermark */
	uint64_t	read_pauses;	/* reading stopped (server side): our
					   output to a slow peer was above
					   out_high_wm */
};

/*
 * Listen on addr (numeric IPv4/IPv6 literal, "" or NULL for any) and port
 * (0: pick one; see sc_ws_listener_port).  The listener and each accepted
 * connection take their own reference to tls (sc_tls_ctx_ref), so the
 * caller may drop or replace its context at any time; tls may be NULL only
 * with limits->allow_plaintext.  limits is copied.  Return an owned
 * listener, or NULL with err set.
 */
struct sc_ws_listener *sc_ws_listen(struct event_base *base,
    const struct sc_tls_ctx *tls, const char *addr, uint16_t port,
    enum sc_ws_proto proto, const struct sc_ws_limits *limits,
    sc_ws_accept_fn on_accept, void *arg, char *err, size_t errlen);
/*
 * Stop listening; connections already handed out stay up (and are no
 * longer counted anywhere).  NULL: no-op.
 */
void sc_ws_listener_free(struct sc_ws_listener *l);
/*
 * New limits for what the listener accepts from now on (reload): the
 * handshake deadline (handshake_ms, for connections accepted from now
 * on), max_pending, max_conns and max_per_source; the other fields of
 * limits are not used (connections keep the ones they started with).
 * Connections already counted stay, even above a lowered limit: new ones
 * are refused until the counts are below it.  limits is copied.
 */
void sc_ws_listener_set_limits(struct sc_ws_listener *l,
    const struct sc_ws_limits *limits);
uint16_t sc_ws_listener_port(const struct sc_ws_listener *l);
void sc_ws_listener_stats(const struct sc_ws_listener *l,
    struct sc_ws_listener_stats *out);

/*
 * Start connecting to uri ("wss://host[:port][/path]"; "ws://" only with
 * limits->allow_plaintext and tls NULL allowed then; the connection takes
 * its own reference to tls).  Names resolve
 * through dns (borrows; if NULL a private resolver is made from
 * /etc/resolv.conf and /etc/hosts).  cbs is copied; arg is passed back.
 * Return an owned connection whose outcome arrives as on_open or
 * on_close, or NULL with err set for a bad URI or configuration.
 */
struct sc_ws *sc_ws_connect(struct event_base *base, struct evdns_base *dns,
    const struct sc_tls_ctx *tls, const char *uri, enum sc_ws_proto proto,
    const struct sc_ws_limits *limits, const struct sc_ws_cbs *cbs,
    void *arg, char *err, size_t errlen);

/* Set the callbacks of an accepted connection (cbs is copied). */
void sc_ws_set_cbs(struct sc_ws *ws, const struct sc_ws_cbs *cbs, void *arg);

/* One segment of an outgoing message (borrows p during the call). */
struct sc_ws_seg {
	const void	*p;
	size_t		 len;
};

enum sc_ws_send_rc {
	SC_WS_SEND_OK = 0,	/* framed and queued for TLS */
	SC_WS_SEND_BUSY,	/* output above out_high_wm: not sent; wait for
				   on_writable */
	SC_WS_SEND_CLOSED,	/* not open (yet or any more): not sent */
	SC_WS_SEND_TOO_BIG,	/* longer than limits.frame_cap: not sent */
};

/*
 * Send one binary message made of the n segments (e.g. a BVLC header and
 * a borrowed NPDU) as one WebSocket frame, framed straight into the TLS
 * output buffer without an intermediate copy.
 */
enum sc_ws_send_rc sc_ws_send(struct sc_ws *ws, const struct sc_ws_seg *segs,
    size_t n);

/*
 * Start the close handshake with status (1000, 1001, ...); before the
 * WebSocket is open, abandon the attempt.  on_close follows from the loop.
 * Calling it again is a no-op.
 */
void sc_ws_close(struct sc_ws *ws, uint16_t status);

/* Free at once: no close frame, no callback.  NULL is a no-op. */
void sc_ws_free(struct sc_ws *ws);

/*
 * Describe the verified peer certificate into *out (read from the TLS
 * session on each call; nothing is kept per connection).  Return 0, or -1
 * when there is none (plaintext, or TLS not done yet).
 */
int sc_ws_peer_cert(const struct sc_ws *ws, struct sc_peer_cert *out);
/* Counters of this connection. */
void sc_ws_get_stats(const struct sc_ws *ws, struct sc_ws_stats *out);
/*
 * "addr:port" of the peer ("[v6]:port"), for log lines; a client names
 * the host of its URI until it has an address to connect to.
 */
const char *sc_ws_peer_addr(const struct sc_ws *ws);
bool sc_ws_is_open(const struct sc_ws *ws);
/* Octets waiting in the output buffer. */
size_t sc_ws_out_queued(const struct sc_ws *ws);

/*
 * A new event_base (returns owned, or NULL) whose epoll backend batches
 * interest changes to the end of the loop turn: a frame sent by
 * sc_ws_send() is written in the same turn, and the write event its
 * bufferevent adds and removes around that write then costs no
 * epoll_ctl.  (Not for programs that dup() descriptors the base watches.)
 */
struct event_base *sc_ws_base_new(void);

const char *sc_ws_err_name(enum sc_ws_err kind);
const char *sc_ws_proto_name(enum sc_ws_proto proto);

#endif
