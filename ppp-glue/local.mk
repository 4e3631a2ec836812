# ppp-glue/: what stands between a session and its pppd: the users file, the
# address pool, the MS-CHAPv2 verifier, pppd's command line and its spawning.
# (ppp-glue/plugin.mk builds the pppd plugin and the control protocol.)

noinst_LIBRARIES += ppp-glue/libpppglue.a
ppp_glue_libpppglue_a_SOURCES = \
	ppp-glue/ip_pool.c ppp-glue/ip_pool.h \
	ppp-glue/mschapv2.c ppp-glue/mschapv2.h \
	ppp-glue/ppp_spawn.c ppp-glue/ppp_spawn.h \
	ppp-glue/pppd_argv.c ppp-glue/pppd_argv.h \
	ppp-glue/users.c ppp-glue/users.h \
	ppp-glue/utf8.c ppp-glue/utf8.h
ppp_glue_libpppglue_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -Wconversion
if ENABLE_FUZZING
ppp_glue_libpppglue_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

PPPGLUE_LIBS = ppp-glue/libpppglue.a lib/libcommon.a $(CRYPTO_LIBS)

PPPGLUE_UNIT_TESTS = \
	ppp-glue/ip_pool_test \
	ppp-glue/mschapv2_test \
	ppp-glue/ppp_spawn_test \
	ppp-glue/pppd_argv_test \
	ppp-glue/users_test \
	ppp-glue/utf8_test
check_PROGRAMS += $(PPPGLUE_UNIT_TESTS) ppp-glue/ppp_spawn_child
TESTS += $(PPPGLUE_UNIT_TESTS)

ppp_glue_ip_pool_test_SOURCES = ppp-glue/ip_pool_test.c
ppp_glue_ip_pool_test_LDADD = $(PPPGLUE_LIBS)
ppp_glue_mschapv2_test_SOURCES = ppp-glue/mschapv2_test.c
ppp_glue_mschapv2_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
ppp_glue_mschapv2_test_LDADD = $(PPPGLUE_LIBS)
ppp_glue_ppp_spawn_test_SOURCES = ppp-glue/ppp_spawn_test.c
ppp_glue_ppp_spawn_test_LDADD = $(PPPGLUE_LIBS)
ppp_glue_pppd_argv_test_SOURCES = ppp-glue/pppd_argv_test.c
ppp_glue_pppd_argv_test_LDADD = $(PPPGLUE_LIBS)
ppp_glue_users_test_SOURCES = ppp-glue/users_test.c
ppp_glue_users_test_LDADD = $(PPPGLUE_LIBS)
ppp_glue_utf8_test_SOURCES = ppp-glue/utf8_test.c
ppp_glue_utf8_test_LDADD = $(PPPGLUE_LIBS)
# What ppp_spawn_test starts as "pppd": it reports its descriptors,
# environment, signal state and session, then exits as asked.
ppp_glue_ppp_spawn_child_SOURCES = ppp-glue/ppp_spawn_child.c

# Fuzz target: any bytes as a users file; every entry taken must be valid,
# findable, and survive users_format_line() and a re-parse unchanged.
FUZZ_TARGETS += ppp-glue/fuzz/fuzz_users
ppp_glue_fuzz_fuzz_users_SOURCES = ppp-glue/fuzz/fuzz_users.c
ppp_glue_fuzz_fuzz_users_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
ppp_glue_fuzz_fuzz_users_LDADD = $(FUZZ_LDADD) $(PPPGLUE_LIBS)

EXTRA_DIST += ppp-glue/fuzz/corpus
