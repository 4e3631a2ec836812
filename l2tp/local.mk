# l2tp/: the L2TPv2 wire codec (constants and names, header and AVP parsers
# and builders), the hidden-AVP helpers, their unit test and fuzz target.

noinst_LIBRARIES += l2tp/libl2tp.a
l2tp_libl2tp_a_SOURCES = \
	l2tp/l2tp_const.c l2tp/l2tp_const.h \
	l2tp/l2tp_hidden.c l2tp/l2tp_hidden.h \
	l2tp/l2tp_wire.c l2tp/l2tp_wire.h
# G42: the *_wire codecs build with -Wconversion.
l2tp_libl2tp_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -Wconversion
if ENABLE_FUZZING
l2tp_libl2tp_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

L2TP_LIBS = l2tp/libl2tp.a lib/libcommon.a $(CRYPTO_LIBS)

check_PROGRAMS += l2tp/l2tp_wire_test
TESTS += l2tp/l2tp_wire_test
l2tp_l2tp_wire_test_SOURCES = l2tp/l2tp_wire_test.c
l2tp_l2tp_wire_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
l2tp_l2tp_wire_test_LDADD = tests/harness/libpcapread.a $(L2TP_LIBS)

# Fuzz target: header, AVP walk, message parse, every typed reader and the
# unhide helper over any bytes, linked with the daemon's own libl2tp.a.
FUZZ_TARGETS += l2tp/fuzz/fuzz_l2tp_ctrl
l2tp_fuzz_fuzz_l2tp_ctrl_SOURCES = l2tp/fuzz/fuzz_l2tp_ctrl.c
l2tp_fuzz_fuzz_l2tp_ctrl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
l2tp_fuzz_fuzz_l2tp_ctrl_LDADD = $(FUZZ_LDADD) $(L2TP_LIBS)

EXTRA_DIST += l2tp/fuzz/corpus
