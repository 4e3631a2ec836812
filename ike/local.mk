# ike/: the IKEv1 wire codec (constants and names, payload parsers and
# builders, Vendor IDs), its unit tests and its fuzz target.  The IKE crypto
# has its own library in ike/crypto.mk.

noinst_LIBRARIES += ike/libike.a
ike_libike_a_SOURCES = \
	ike/isakmp_const.c ike/isakmp_const.h \
	ike/isakmp_vid.c ike/isakmp_vid.h \
	ike/isakmp_wire.c ike/isakmp_wire.h
# G42: the *_wire codecs build with -Wconversion.
ike_libike_a_CFLAGS = $(AM_CFLAGS) -Wconversion
if ENABLE_FUZZING
# libFuzzer steers by the coverage of the code under test, so the library the
# target links (the daemon's own) carries the coverage instrumentation too.
ike_libike_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

IKE_LIBS = ike/libike.a lib/libcommon.a

# The capture reader the codec tests use (pcap/pcapng, bounds-checked with lib/wire).
noinst_LIBRARIES += tests/harness/libpcapread.a
tests_harness_libpcapread_a_SOURCES = tests/harness/pcap.c tests/harness/pcap.h

check_PROGRAMS += ike/isakmp_wire_test ike/isakmp_vid_test
TESTS += ike/isakmp_wire_test ike/isakmp_vid_test

ike_isakmp_wire_test_SOURCES = ike/isakmp_wire_test.c
ike_isakmp_wire_test_LDADD = tests/harness/libpcapread.a $(IKE_LIBS)

# The VID test recomputes every MD5 in the table with OpenSSL.
ike_isakmp_vid_test_SOURCES = ike/isakmp_vid_test.c
ike_isakmp_vid_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
ike_isakmp_vid_test_LDADD = $(IKE_LIBS) $(CRYPTO_LIBS)

# Fuzz target: header, payload chain and every payload parser, linked with
# the daemon's own libike.a; its corpus replays in make check.
FUZZ_TARGETS += ike/fuzz/fuzz_isakmp
ike_fuzz_fuzz_isakmp_SOURCES = ike/fuzz/fuzz_isakmp.c
ike_fuzz_fuzz_isakmp_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
ike_fuzz_fuzz_isakmp_LDADD = $(FUZZ_LDADD) $(IKE_LIBS)

EXTRA_DIST += ike/fuzz/corpus tests/data/captures
