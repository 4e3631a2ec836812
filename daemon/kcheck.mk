# daemon/kernel_check: does the kernel have XFRM, ESP, L2TP and PPP?  l2tpsecd asks
# once at start; the test runs it against made-up kernels and against this one.

noinst_LIBRARIES += daemon/libkcheck.a
daemon_libkcheck_a_SOURCES = daemon/kernel_check.c daemon/kernel_check.h
daemon_libkcheck_a_CFLAGS = $(AM_CFLAGS)

# kernel_check asks kl2tp_open whether the generic netlink family "l2tp" resolves.
KCHECK_LIBS = daemon/libkcheck.a $(KL2TP_LIBS)

check_PROGRAMS += daemon/kernel_check_test
daemon_kernel_check_test_SOURCES = daemon/kernel_check_test.c
daemon_kernel_check_test_LDADD = $(KCHECK_LIBS)
TESTS += daemon/kernel_check_test

# The daemon refusing to start on a kernel without L2TP, and -n never checking.
TESTS += tests/daemon/kernel-check.sh
EXTRA_DIST += tests/daemon/kernel-check.sh

# The daemon runs the check in daemon_start() (daemon/main.c).
daemon_l2tpsecd_LDADD += $(KCHECK_LIBS)
