/* Foreign-device registration client.  Pure. */
#include "config.h"

#include <string.h>

#include "bip/bip_fd_fsm.h"

#define US_PER_S	1000000u

void
bip_fd_init(struct bip_fd *fd, const struct bip_fd_config *cfg)
{
	memset(fd, 0, sizeof(*fd));
	fd->cfg = *cfg;
	if (fd->cfg.ttl_s == 0)
		fd->cfg.ttl_s = 60;
	if (fd->cfg.reply_timeout_us == 0)
		fd->cfg.reply_timeout_us = 5 * (uint64_t)US_PER_S;
	if (fd->cfg.backoff_min_us == 0)
		fd->cfg.backoff_min_us = US_PER_S;
	if (fd->cfg.backoff_max_us < fd->cfg.backoff_min_us)
		fd->cfg.backoff_max_us = 60 * (uint64_t)US_PER_S;
	if (fd->cfg.backoff_max_us < fd->cfg.backoff_min_us)
		fd->cfg.backoff_max_us = fd->cfg.backoff_min_us;
	fd->state = BIP_FD_IDLE;
	fd->deadline_us = UINT64_MAX;
	fd->backoff_us = fd->cfg.backoff_min_us;
}

const char *
bip_fd_state_name(enum bip_fd_state s)
{
	switch (s) {
	case BIP_FD_IDLE:
		return "idle";
	case BIP_FD_REGISTERING:
		return "registering";
	case BIP_FD_REGISTERED:
		return "registered";
	case BIP_FD_RETRY_WAIT:
		return "retry-wait";
	}
	return "?";
}

static void
send_register(struct bip_fd *fd, uint64_t now_us, struct bip_fd_actions *out)
{
	out->send_register = true;
	fd->attempts++;
	fd->state = BIP_FD_REGISTERING;
	fd->deadline_us = now_us + fd->cfg.reply_timeout_us;
}

static void
back_off(struct bip_fd *fd, uint64_t now_us)
{
	fd->state = BIP_FD_RETRY_WAIT;
	fd->deadline_us = now_us + fd->backoff_us;
	fd->backoff_us *= 2;
	if (fd->backoff_us > fd->cfg.backoff_max_us)
		fd->backoff_us = fd->cfg.backoff_max_us;
}

static void
set_registered(struct bip_fd *fd, bool on, struct bip_fd_actions *out)
{
	if (fd->registered != on)
		out->registered_changed = true;
	fd->registered = on;
}

static void
on_timer(struct bip_fd *fd, uint64_t now_us, struct bip_fd_actions *out)
{
	if (fd->registered && now_us >= fd->valid_until_us)
		set_registered(fd, false, out);
	if (now_us < fd->deadline_us)
		return;		/* only the registration lapsed */
	switch (fd->state) {
	case BIP_FD_IDLE:
		fd->deadline_us = UINT64_MAX;
		break;
	case BIP_FD_REGISTERING:
		back_off(fd, now_us);	/* silence */
		break;
	case BIP_FD_REGISTERED:
	case BIP_FD_RETRY_WAIT:
		send_register(fd, now_us, out);
		break;
	}
}

static void
on_ok(struct bip_fd *fd, uint64_t now_us, struct bip_fd_actions *out)
{
	uint64_t ttl_us = (uint64_t)fd->cfg.ttl_s * US_PER_S;

	if (fd->state != BIP_FD_REGISTERING)
		return;		/* not ours: a stray or late result */
	set_registered(fd, true, out);
	fd->valid_until_us = now_us + ttl_us;
	fd->state = BIP_FD_REGISTERED;
	fd->deadline_us = now_us + ttl_us / 2;
	fd->backoff_us = fd->cfg.backoff_min_us;
	fd->attempts = 0;
}

void
bip_fd_step(struct bip_fd *fd, enum bip_fd_event ev, uint64_t now_us,
    struct bip_fd_actions *out)
{
	memset(out, 0, sizeof(*out));
	switch (ev) {
	case BIP_FD_EV_START:
		if (fd->state == BIP_FD_IDLE)
			send_register(fd, now_us, out);
		break;
	case BIP_FD_EV_STOP:
		set_registered(fd, false, out);
		fd->state = BIP_FD_IDLE;
		fd->deadline_us = UINT64_MAX;
		fd->backoff_us = fd->cfg.backoff_min_us;
		break;
	case BIP_FD_EV_TIMER:
		on_timer(fd, now_us, out);
		break;
	case BIP_FD_EV_RESULT_OK:
		on_ok(fd, now_us, out);
		break;
	case BIP_FD_EV_RESULT_NAK:
		if (fd->state == BIP_FD_REGISTERING) {
			set_registered(fd, false, out);
			back_off(fd, now_us);
		}
		break;
	case BIP_FD_EV_DISTRIBUTE_NAK:
		/* The BBMD no longer knows us: register again at once. */
		if (fd->state == BIP_FD_REGISTERED) {
			set_registered(fd, false, out);
			send_register(fd, now_us, out);
		}
		break;
	}
	out->timer_at_us = fd->deadline_us;
	if (fd->registered && fd->valid_until_us < out->timer_at_us)
		out->timer_at_us = fd->valid_until_us;
}
