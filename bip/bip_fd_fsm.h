/*
 * Foreign-device client as a pure state machine (digest §3.6): register
 * with a BBMD, re-register every TTL/2, retry with doubling back-off on a
 * NAK or silence.  (state, event, now) -> actions + one timer deadline.
 */
#ifndef BIP_BIP_FD_FSM_H
#define BIP_BIP_FD_FSM_H

#include <stdbool.h>
#include <stdint.h>

enum bip_fd_state {
	BIP_FD_IDLE = 0,	/* not started */
	BIP_FD_REGISTERING,	/* Register-Foreign-Device sent, no answer */
	BIP_FD_REGISTERED,	/* waiting to re-register */
	BIP_FD_RETRY_WAIT,	/* refused or silent: backing off */
};

enum bip_fd_event {
	BIP_FD_EV_START = 0,
	BIP_FD_EV_STOP,
	BIP_FD_EV_TIMER,		/* the requested deadline passed */
	BIP_FD_EV_RESULT_OK,		/* BVLC-Result 0x0000 from the BBMD */
	BIP_FD_EV_RESULT_NAK,		/* BVLC-Result 0x0030 */
	BIP_FD_EV_DISTRIBUTE_NAK,	/* 0x0060: the BBMD forgot us */
};

struct bip_fd_config {
	uint16_t	ttl_s;		/* Time-to-Live we register with, >0 */
	uint64_t	reply_timeout_us; /* wait this long for a result */
	uint64_t	backoff_min_us;	/* first retry delay */
	uint64_t	backoff_max_us;	/* retry delay cap */
};

struct bip_fd {
	struct bip_fd_config	cfg;
	enum bip_fd_state	state;
	bool			registered;	/* the BBMD holds our entry */
	uint64_t		valid_until_us;	/* last OK + TTL */
	uint64_t		deadline_us;	/* UINT64_MAX: none */
	uint64_t		backoff_us;	/* next retry delay */
	uint32_t		attempts;	/* since the last success */
};

struct bip_fd_actions {
	bool		send_register;	/* send Register-FD(ttl) now */
	bool		registered_changed;	/* registered flipped */
	uint64_t	timer_at_us;	/* arm for this time; UINT64_MAX: none */
};

/* Set fd up idle with cfg (values of 0 get defaults: 5 s, 1 s, 60 s). */
void bip_fd_init(struct bip_fd *fd, const struct bip_fd_config *cfg);
/* Feed event ev at now_us; fill *out with what to do. */
void bip_fd_step(struct bip_fd *fd, enum bip_fd_event ev, uint64_t now_us,
    struct bip_fd_actions *out);
const char *bip_fd_state_name(enum bip_fd_state s);

#endif
