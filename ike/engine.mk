# ike/ engine: the IKEv1 responder (proposal choice, SA tables, Main Mode,
# Quick Mode, Informational, NAT-T, the engine entry points) in
# ike/libikeengine.a, its tests with the test initiator, and its fuzz target.

noinst_LIBRARIES += ike/libikeengine.a
ike_libikeengine_a_SOURCES = \
	ike/ike_engine.c ike/ike_engine.h \
	ike/ike_exchange.c ike/ike_exchange.h \
	ike/ike_info.c ike/ike_info.h \
	ike/ike_mm.c ike/ike_mm.h \
	ike/ike_natt.c ike/ike_natt.h \
	ike/ike_prop.c ike/ike_prop.h \
	ike/ike_qm.c ike/ike_qm.h \
	ike/ike_sa.c ike/ike_sa.h
ike_libikeengine_a_CFLAGS = $(AM_CFLAGS) -Wconversion $(CRYPTO_CFLAGS)
if ENABLE_FUZZING
# libFuzzer steers by the coverage of the engine itself, as ike/local.mk does for libike.a.
ike_libikeengine_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

IKE_ENGINE_LIBS = ike/libikeengine.a ike/libikecrypto.a ike/libike.a lib/libcommon.a $(CRYPTO_LIBS)

# The test initiator: our codec + crypto playing the built-in clients (tests only).
noinst_LIBRARIES += tests/harness/libikeinit.a
tests_harness_libikeinit_a_SOURCES = tests/harness/ike_initiator.c tests/harness/ike_initiator.h
tests_harness_libikeinit_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)

check_PROGRAMS += ike/ike_prop_test
TESTS += ike/ike_prop_test
ike_ike_prop_test_SOURCES = ike/ike_prop_test.c
ike_ike_prop_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
ike_ike_prop_test_LDADD = tests/harness/libikeinit.a $(IKE_ENGINE_LIBS)


check_PROGRAMS += ike/ike_engine_test
TESTS += ike/ike_engine_test
ike_ike_engine_test_SOURCES = ike/ike_engine_test.c
ike_ike_engine_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -pthread
ike_ike_engine_test_LDADD = tests/harness/libikeinit.a $(IKE_ENGINE_LIBS) -lpthread

# Fuzz target: datagrams into a fresh engine and into one holding an
# established ISAKMP SA (decrypt-then-parse); its corpus replays in make check.
FUZZ_TARGETS += ike/fuzz/fuzz_ike_engine
ike_fuzz_fuzz_ike_engine_SOURCES = ike/fuzz/fuzz_ike_engine.c
ike_fuzz_fuzz_ike_engine_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(FUZZ_CFLAGS) -pthread
ike_fuzz_fuzz_ike_engine_LDADD = $(FUZZ_LDADD) tests/harness/libikeinit.a $(IKE_ENGINE_LIBS) -lpthread
EXTRA_DIST += ike/fuzz/corpus/ike_engine

# The engine on real UDP sockets with printing ops, for the interoperability
# run against strongSwan charon in network namespaces (tests/ike/charon-interop.sh,
# root only, so outside make check's TESTS).
check_PROGRAMS += tests/harness/ike_responder
tests_harness_ike_responder_SOURCES = tests/harness/ike_responder.c
tests_harness_ike_responder_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -pthread
tests_harness_ike_responder_LDADD = $(IKE_ENGINE_LIBS) -lpthread
EXTRA_DIST += tests/ike/charon-interop.sh
