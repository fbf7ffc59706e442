#!/bin/sh
# Pure files (*_codec.c, *_fsm.c, and their headers) must not include event,
# TLS, WebSocket or socket headers, and must not log.  Part of `make check`.
set -u
cd "${top_srcdir:-.}" || exit 1
bad=0
files=$(find lib npdu app bip sc router -name '*_codec.[ch]' -o -name '*_fsm.[ch]' 2>/dev/null | sort)
for f in $files; do
	if grep -nE '#[[:space:]]*include[[:space:]]*[<"](event2/|openssl/|wslay/|sys/socket\.h|netinet/|arpa/|netdb\.h|lib/log\.h|lib/clock\.h)' "$f"; then
		echo "FAIL: $f includes I/O, logging or clock headers (pure code may not)"
		bad=$((bad + 1))
	fi
	if grep -nE '\b(log_(msg|warn|warnx|err|notice|info|debug|ratelim)|clk_now_us|printf|fprintf|syslog)[[:space:]]*\(' "$f"; then
		echo "FAIL: $f logs, prints or reads the clock (pure code may not)"
		bad=$((bad + 1))
	fi
done
n=$(echo "$files" | grep -c . || true)
echo "layering: $n pure files checked, $bad violations"
[ "$bad" -eq 0 ]
