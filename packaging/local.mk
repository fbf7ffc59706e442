## packaging: the Debian package and its systemd unit (packaging/README.md).
## `make deb` builds bacsc-router_<version>_<arch>.deb into build-deb/ at
## the top of the source tree; scripts/test.sh runs packaging/test-package.sh
## as its "package" step (root: it installs and purges the package).
EXTRA_DIST += packaging

deb:
	sh '$(abs_top_srcdir)/packaging/build-deb.sh'
.PHONY: deb
