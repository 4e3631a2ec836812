# bench/: the IKEv1 load generator (bench/l2tpsec-ikeload) and its bookkeeping,
# built with the test initiator (tests/harness/libikeinit.a).  The benchmarks
# themselves run from scripts/bench, never from make check.

noinst_PROGRAMS += bench/l2tpsec-ikeload
bench_l2tpsec_ikeload_SOURCES = bench/ike_load.c bench/load_stats.c bench/load_stats.h \
	bench/l2tp_client.c bench/l2tp_client.h bench/ppp_client.c bench/ppp_client.h
bench_l2tpsec_ikeload_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(NL_CFLAGS)
# --session: ESP SAs through daemon/kernel_xfrm, L2TP through our codec, MS-CHAPv2 from ppp-glue.
bench_l2tpsec_ikeload_LDADD = tests/harness/libikeinit.a daemon/libdaemon.a l2tp/libl2tp.a \
	ppp-glue/libpppglue.a $(IKE_ENGINE_LIBS) $(NL_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += bench/load_stats_test
TESTS += bench/load_stats_test
bench_load_stats_test_SOURCES = bench/load_stats_test.c bench/load_stats.c bench/load_stats.h
bench_load_stats_test_LDADD = lib/libcommon.a

EXTRA_DIST += scripts/bench bench/vm

check_PROGRAMS += bench/session_client_test
TESTS += bench/session_client_test
bench_session_client_test_SOURCES = bench/session_client_test.c bench/l2tp_client.c \
	bench/l2tp_client.h bench/ppp_client.c bench/ppp_client.h
bench_session_client_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
bench_session_client_test_LDADD = l2tp/libl2tp.a ppp-glue/libpppglue.a lib/libcommon.a $(CRYPTO_LIBS)
