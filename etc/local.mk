# etc/: what "make install" puts beside the programs: the systemd unit (paths
# substituted here, at make time, so they follow "make prefix=..." too) and the
# example configuration, as l2tpsec.conf.example: a real l2tpsec.conf is never
# written or overwritten.

l2tpsecconfdir = $(sysconfdir)/l2tpsec
dist_l2tpsecconf_DATA = etc/l2tpsec.conf.example

if HAVE_SYSTEMD
systemdsystemunit_DATA = etc/l2tpsecd.service
endif
CLEANFILES += etc/l2tpsecd.service
EXTRA_DIST += etc/l2tpsecd.service.in

etc/l2tpsecd.service: $(srcdir)/etc/l2tpsecd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    -e 's|@L2TPSEC_RUNDIR[@]|$(L2TPSEC_RUNDIR)|g' \
	    $(srcdir)/etc/l2tpsecd.service.in >$@.tmp && \
	mv $@.tmp $@

# distcheck installs into a directory of its own: the unit too, not into /lib/systemd.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir='$$(prefix)/lib/systemd/system'

# The example as installed: refused without a key, valid with one, every shown setting real.
TESTS += tests/etc/example-conf.sh
EXTRA_DIST += tests/etc/example-conf.sh

# The unit: substituted, and accepted by systemd-analyze verify where it is installed.
TESTS += tests/etc/unit-verify.sh
EXTRA_DIST += tests/etc/unit-verify.sh
