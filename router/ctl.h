/*
 * The local control socket: a Unix stream socket on the daemon's
 * event_base.  A client sends one request line, a JSON object such as
 * {"cmd":"status"}, and gets one JSON response line; then the daemon
 * closes the connection.  What a command answers is the daemon's business:
 * ctl calls a handler with the command name and a JSON writer.
 */
#ifndef ROUTER_CTL_H
#define ROUTER_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/jsonw.h"

#define CTL_LINE_MAX	1024	/* longest request line */

struct event_base;
struct ctl;

/*
 * Answer command cmd (borrowed): write exactly one JSON value (an object
 * with at least "ok") to w.
 */
typedef void (*ctl_handler_fn)(void *arg, const char *cmd, struct jw *w);

/*
 * Listen on path (borrows): an existing socket file there is replaced,
 * any other file is an error.  The socket file gets mode (e.g. 0660) and,
 * if gid is not (gid_t)-1, that group; it is bound 0600 and changed
 * without following symbolic links.  The folder must not be writable by
 * group or others unless sticky (an error otherwise).  Return owned, or
 * NULL with a message in err.
 */
struct ctl *ctl_new(struct event_base *base, const char *path,
    unsigned mode, gid_t gid, ctl_handler_fn fn, void *arg, char *err,
    size_t errlen);
/*
 * A connection that has not sent its request line, or not taken its
 * answer, this long is closed (default CTL_IDLE_MS): the few connection
 * slots cannot be held by clients that never finish.
 */
#define CTL_IDLE_MS	10000
void ctl_set_idle_ms(struct ctl *c, unsigned ms);
/* Close every connection, stop listening, remove the socket file.  NULL ok. */
void ctl_free(struct ctl *c);

/*
 * Find the string member "key" of the flat JSON object in line (borrows)
 * and copy it (unescaped: \" \\ \/ only) into out.  Return 0, or -1 if
 * it is missing, not a string or does not fit.  Pure.
 */
int ctl_json_get_str(const char *line, const char *key, char *out,
    size_t outlen);

#endif
