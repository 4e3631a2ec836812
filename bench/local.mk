# bench/: the IKEv1 load generator (bench/l2tpsec-ikeload) and its bookkeeping,
# built with the test initiator (tests/harness/libikeinit.a).  The benchmarks
# themselves run from scripts/bench, never from make check.

noinst_PROGRAMS += bench/l2tpsec-ikeload
bench_l2tpsec_ikeload_SOURCES = bench/ike_load.c bench/load_stats.c bench/load_stats.h
bench_l2tpsec_ikeload_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
bench_l2tpsec_ikeload_LDADD = tests/harness/libikeinit.a $(IKE_ENGINE_LIBS)

check_PROGRAMS += bench/load_stats_test
TESTS += bench/load_stats_test
bench_load_stats_test_SOURCES = bench/load_stats_test.c bench/load_stats.c bench/load_stats.h
bench_load_stats_test_LDADD = lib/libcommon.a

EXTRA_DIST += scripts/bench bench/vm
