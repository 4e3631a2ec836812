# daemon/kernel_l2tp: the kernel L2TP data path (generic netlink "l2tp", the L2TP UDP
# sockets, PPPoL2TP), its host-side unit test, and the probe the VM scenario
# tests/vm/scenarios/kernel-l2tp.sh drives.

noinst_LIBRARIES += daemon/libkl2tp.a
daemon_libkl2tp_a_SOURCES = daemon/kernel_l2tp.c daemon/kernel_l2tp.h
daemon_libkl2tp_a_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS)

# What a program using libkl2tp.a links (it calls kernel_xfrm, in libdaemon.a).
KL2TP_LIBS = daemon/libkl2tp.a daemon/libdaemon.a lib/libcommon.a \
	$(NLGENL_LIBS) $(NL_LIBS) $(CRYPTO_LIBS) $(LIBCONFIG_LIBS)

# Host side: sockets and datagram metadata over loopback (no L2TP module needed).
check_PROGRAMS += daemon/kernel_l2tp_test
daemon_kernel_l2tp_test_SOURCES = daemon/kernel_l2tp_test.c
daemon_kernel_l2tp_test_LDADD = $(KL2TP_LIBS)
TESTS += daemon/kernel_l2tp_test

# Drives kernel_l2tp and the clear-L2TP guard of kernel_xfrm in the VM (needs L2TP, ESP).
check_PROGRAMS += tests/kernel/l2tp_probe
tests_kernel_l2tp_probe_SOURCES = tests/kernel/l2tp_probe.c
tests_kernel_l2tp_probe_LDADD = $(KL2TP_LIBS)

# kernel_l2tp speaks generic netlink through libnl-genl: whatever links libkl2tp.a needs it
# (daemon/local.mk defines the daemon's link line; this only appends to it).
daemon_l2tpsecd_LDADD += $(NLGENL_LIBS)
