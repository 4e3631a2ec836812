# l2tp/ LNS engine: the engine's contract with the daemon, the control
# connection (tunnel) machine and the incoming-call (session) machine in
# l2tp/libl2tplns.a, their test, and the fuzz target.

noinst_LIBRARIES += l2tp/libl2tplns.a
l2tp_libl2tplns_a_SOURCES = \
	l2tp/l2tp_lns.c l2tp/l2tp_lns.h l2tp/l2tp_lns_internal.h \
	l2tp/l2tp_tunnel.c l2tp/l2tp_tunnel.h \
	l2tp/l2tp_session.c l2tp/l2tp_session.h
l2tp_libl2tplns_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -Wconversion
if ENABLE_FUZZING
l2tp_libl2tplns_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

# What a program that runs the engine links (rel and the codec under it).
L2TP_LNS_LIBS = l2tp/libl2tplns.a l2tp/libl2tprel.a $(L2TP_LIBS)

check_PROGRAMS += l2tp/l2tp_lns_test
TESTS += l2tp/l2tp_lns_test
l2tp_l2tp_lns_test_SOURCES = l2tp/l2tp_lns_test.c
l2tp_l2tp_lns_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
l2tp_l2tp_lns_test_LDADD = $(L2TP_LNS_LIBS)

# Fuzz target: scripted datagrams, clock steps and daemon events into an engine
# that already holds an established tunnel and session; its corpus replays in make check.
FUZZ_TARGETS += l2tp/fuzz/fuzz_l2tp_lns
l2tp_fuzz_fuzz_l2tp_lns_SOURCES = l2tp/fuzz/fuzz_l2tp_lns.c
l2tp_fuzz_fuzz_l2tp_lns_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(FUZZ_CFLAGS)
l2tp_fuzz_fuzz_l2tp_lns_LDADD = $(FUZZ_LDADD) $(L2TP_LNS_LIBS)
