# daemon/: the l2tpsecd process (main, configuration, pid file; later the kernel glue).

noinst_LIBRARIES += daemon/libdaemon.a
daemon_libdaemon_a_SOURCES = \
	daemon/conf.c daemon/conf.h \
	daemon/pidfile.c daemon/pidfile.h \
	daemon/kernel_xfrm.c daemon/kernel_xfrm.h \
	daemon/ike_kernel.c daemon/ike_kernel.h \
	daemon/ike_socket.c daemon/ike_socket.h \
	daemon/daemon_ike.c daemon/daemon_ike.h \
	daemon/ctl_socket.c daemon/ctl_socket.h
daemon_libdaemon_a_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS) $(NL_CFLAGS) $(CRYPTO_CFLAGS)

DAEMON_LIBS = daemon/libdaemon.a ike/libikeengine.a ike/libike.a ike/libikecrypto.a \
	lib/libcommon.a $(LIBCONFIG_LIBS) $(NL_LIBS) $(CRYPTO_LIBS)

# The L2TP side (daemon_l2tp.c) sits on libraries that themselves use libdaemon.a
# (kernel_l2tp uses kernel_xfrm), so it is linked into the program, not the library.
sbin_PROGRAMS += daemon/l2tpsecd
daemon_l2tpsecd_SOURCES = daemon/main.c daemon/daemon.h \
	daemon/daemon_l2tp.c daemon/daemon_l2tp.h \
	daemon/daemon_ctl.c daemon/daemon_ctl.h
daemon_l2tpsecd_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS) $(CRYPTO_CFLAGS)
daemon_l2tpsecd_LDADD = l2tp/libl2tplns.a l2tp/libl2tprel.a l2tp/libl2tp.a daemon/libkl2tp.a \
	ppp-glue/libpppglue.a ppp-glue/libpppctl.a $(DAEMON_LIBS)

check_PROGRAMS += daemon/conf_test
daemon_conf_test_SOURCES = daemon/conf_test.c
daemon_conf_test_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS)
daemon_conf_test_LDADD = $(DAEMON_LIBS)
TESTS += daemon/conf_test

# Fuzz target for the configuration parser; its corpus replays in make check.
FUZZ_TARGETS += daemon/fuzz/fuzz_conf
daemon_fuzz_fuzz_conf_SOURCES = daemon/fuzz/fuzz_conf.c
daemon_fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
daemon_fuzz_fuzz_conf_LDADD = $(FUZZ_LDADD) $(DAEMON_LIBS)
EXTRA_DIST += daemon/fuzz/corpus

# Drives kernel_xfrm from the VM scenario tests/vm/scenarios/kernel-xfrm.sh (needs ESP).
check_PROGRAMS += tests/kernel/xfrm_probe
tests_kernel_xfrm_probe_SOURCES = tests/kernel/xfrm_probe.c
tests_kernel_xfrm_probe_LDADD = $(DAEMON_LIBS)

# The control socket against the real client (ctl/ctl_client.c), on the host.
check_PROGRAMS += daemon/ctl_socket_test
daemon_ctl_socket_test_SOURCES = daemon/ctl_socket_test.c ctl/ctl_client.c ctl/ctl_client.h
daemon_ctl_socket_test_LDADD = $(DAEMON_LIBS)
TESTS += daemon/ctl_socket_test
