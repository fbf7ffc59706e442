# Sourced by the end-to-end scripts that run node: node on the PATH and
# the npm packages of package-lock.json in $top_srcdir/node_modules
# (npm ci when they are missing), or exit 1.  Exports top_srcdir.
command -v node >/dev/null || { echo "node missing (scripts/install-deps.sh)"; exit 1; }
if [ ! -d "$top_srcdir/node_modules/@bacnet-js/client" ]; then
	(cd "$top_srcdir" && npm ci --no-audit --no-fund >/dev/null) ||
		{ echo "npm ci failed"; exit 1; }
fi
export top_srcdir
