/*
 * Shared parts of the SC integration test and bench programs (tests/,
 * bench/; not in librouter.a): a failed-check counter, running an event
 * loop for a time or until a condition holds, TLS contexts from a test PKI
 * folder (tools/bacsc-testpki), a bacsc-hub child process, and the CPU
 * time of a process.
 */
#ifndef TESTS_SCTEST_H
#define TESTS_SCTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct event;
struct event_base;
struct timeval;
struct sc_tls_ctx;

/* Checks that failed (CHECK); a program exits non-zero when not 0. */
extern int sct_failures;

/* Count and print a failed check: the condition, then printf(...). */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			sct_failures++;					\
			printf("  FAIL %s:%d: %s: ", __FILE__, __LINE__,\
			    #cond);					\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			fflush(stdout);					\
		}							\
	} while (0)

typedef bool (*sct_pred_fn)(void *arg);

/* Run base's loop until pred(arg) or timeout_ms pass; return pred(arg). */
bool sct_run_until(struct event_base *base, sct_pred_fn pred, void *arg,
    unsigned timeout_ms);
/* Run base's loop for ms milliseconds. */
void sct_run_for(struct event_base *base, unsigned ms);
/*
 * A timer that does nothing every *every, so that a loop run with
 * EVLOOP_ONCE returns at least that often (returned owned, added).
 */
struct event *sct_tick_new(struct event_base *base,
    const struct timeval *every);

/*
 * A TLS context with PKI/NAME.pem and PKI/NAME.key that trusts PKI/ca.pem
 * (returned owned); on failure says why on stderr and exits 1.
 */
struct sc_tls_ctx *sct_tls(const char *pki, const char *name);

/*
 * Start hub_bin (tools/bacsc-hub) with PKI/hub.pem, hub.key and ca.pem on
 * 127.0.0.1:port, -q and the NULL-terminated extra arguments (extra may be
 * NULL), and wait until it says LISTENING.  Return its pid, or -1 (said on
 * stdout) when it did not start.
 */
pid_t sct_hub_start(const char *hub_bin, const char *pki, unsigned port,
    const char *const *extra);
/*
 * The same, with the hub's output appended to the file out (when not NULL)
 * for the caller to read later (e.g. the HEAP line bacsc-hub prints on
 * SIGUSR1); waits (at most 60 s: a hub under valgrind is slow) until
 * LISTENING shows in that file.
 */
pid_t sct_hub_start_to(const char *hub_bin, const char *pki, unsigned port,
    const char *const *extra, const char *out);
/* Send sig to pid (when > 0) and reap it; return its wait status. */
int sct_hub_stop(pid_t pid, int sig);

/* CPU time (user + system) of process pid in microseconds, 0 if unknown. */
uint64_t sct_cpu_us(pid_t pid);

#endif
