# l2tp/: reliable delivery of control messages (RFC 2661 §5.8): the
# per-tunnel Ns/Nr machine with its retransmission and acknowledgement timers.

noinst_LIBRARIES += l2tp/libl2tprel.a
l2tp_libl2tprel_a_SOURCES = l2tp/l2tp_rel.c l2tp/l2tp_rel.h
l2tp_libl2tprel_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -Wconversion
if ENABLE_FUZZING
l2tp_libl2tprel_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

L2TP_REL_LIBS = l2tp/libl2tprel.a l2tp/libl2tp.a lib/libcommon.a $(CRYPTO_LIBS)

check_PROGRAMS += l2tp/l2tp_rel_test
TESTS += l2tp/l2tp_rel_test
l2tp_l2tp_rel_test_SOURCES = l2tp/l2tp_rel_test.c
l2tp_l2tp_rel_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
l2tp_l2tp_rel_test_LDADD = $(L2TP_REL_LIBS)

# Fuzz target: any bytes as a script of peer datagrams, sends, clock steps and
# window changes against one rel, linked with the daemon's own libl2tprel.a.
FUZZ_TARGETS += l2tp/fuzz/fuzz_l2tp_rel
l2tp_fuzz_fuzz_l2tp_rel_SOURCES = l2tp/fuzz/fuzz_l2tp_rel.c
l2tp_fuzz_fuzz_l2tp_rel_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
l2tp_fuzz_fuzz_l2tp_rel_LDADD = $(FUZZ_LDADD) $(L2TP_REL_LIBS)
