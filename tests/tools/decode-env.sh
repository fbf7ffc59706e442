# Sourced by the bacsc-decode checks (tests/tools/test-*decode*.sh): tool
# is the built bacsc-decode (else exit 1), python3 is there to parse its
# JSON (else exit 77: skipped), and decode_check.py can be imported.
tool="${top_builddir:-.}/tools/bacsc-decode"
if [ ! -x "$tool" ]; then
	echo "FAIL: $tool not built"
	exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 (scripts/install-deps.sh installs it) is needed to parse JSON"
	exit 77
fi
PYTHONPATH="${top_srcdir:-.}/tests/tools${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
