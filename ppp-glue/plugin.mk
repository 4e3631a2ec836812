# ppp-glue/plugin.mk: the plugin<->daemon control protocol (ppp_ctl), our pppd
# plugin l2tpsec.so, and the test program that plays the daemon's side of it.

# The codec, for the daemon and the tests (the plugin compiles the same source).
noinst_LIBRARIES += ppp-glue/libpppctl.a
ppp_glue_libpppctl_a_SOURCES = ppp-glue/ppp_ctl.c ppp-glue/ppp_ctl.h
ppp_glue_libpppctl_a_CFLAGS = $(AM_CFLAGS) -Wconversion
if ENABLE_FUZZING
ppp_glue_libpppctl_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

PPPCTL_LIBS = ppp-glue/libpppctl.a lib/libcommon.a

check_PROGRAMS += ppp-glue/ppp_ctl_test
TESTS += ppp-glue/ppp_ctl_test
ppp_glue_ppp_ctl_test_SOURCES = ppp-glue/ppp_ctl_test.c
ppp_glue_ppp_ctl_test_LDADD = $(PPPCTL_LIBS)

# Fuzz target: any bytes as one control datagram; what parses must rebuild
# byte for byte.
FUZZ_TARGETS += ppp-glue/fuzz/fuzz_ppp_ctl
ppp_glue_fuzz_fuzz_ppp_ctl_SOURCES = ppp-glue/fuzz/fuzz_ppp_ctl.c
ppp_glue_fuzz_fuzz_ppp_ctl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
ppp_glue_fuzz_fuzz_ppp_ctl_LDADD = $(FUZZ_LDADD) $(PPPCTL_LIBS)

# The pppd plugin: a shared object loaded by root pppd.  It gets its own flags,
# never $(L2TPSEC_CFLAGS)/$(L2TPSEC_LDFLAGS): an ASan-instrumented object cannot
# load into an uninstrumented pppd, and -pie/-fPIE are for executables.  No
# -Wl,-z,defs: pppd's symbols are resolved when pppd loads it.  No libraries.
# Automake without libtool: a "program" named .so, linked with -shared.
pppdplugindir = $(PPPD_PLUGINDIR)
pppdplugin_PROGRAMS = ppp-glue/plugin/l2tpsec.so
ppp_glue_plugin_l2tpsec_so_SOURCES = \
	ppp-glue/plugin/l2tpsec_plugin.c ppp-glue/plugin/pppd_compat.h \
	ppp-glue/ppp_ctl.c ppp-glue/ppp_ctl.h \
	lib/wire.c lib/wire.h
ppp_glue_plugin_l2tpsec_so_CPPFLAGS = $(AM_CPPFLAGS) $(PPPD_CPPFLAGS)
ppp_glue_plugin_l2tpsec_so_CFLAGS = -std=gnu11 $(L2TPSEC_WARN) -fPIC -fvisibility=hidden \
	-fstack-protector-strong
ppp_glue_plugin_l2tpsec_so_LDFLAGS = -shared -fPIC -Wl,-z,relro -Wl,-z,now
ppp_glue_plugin_l2tpsec_so_LDADD =

# The built .so dlopen()ed into a stand-in for pppd that defines and exports
# (-rdynamic) the pppd symbols the plugin uses, then drives its hooks.
check_PROGRAMS += ppp-glue/plugin/l2tpsec_plugin_test
TESTS += ppp-glue/plugin/l2tpsec_plugin_test
ppp_glue_plugin_l2tpsec_plugin_test_SOURCES = ppp-glue/plugin/l2tpsec_plugin_test.c
ppp_glue_plugin_l2tpsec_plugin_test_CPPFLAGS = $(AM_CPPFLAGS) $(PPPD_CPPFLAGS) \
	-DL2TPSEC_PLUGIN_PATH='"$(abs_top_builddir)/ppp-glue/plugin/l2tpsec.so"'
ppp_glue_plugin_l2tpsec_plugin_test_LDFLAGS = $(AM_LDFLAGS) -rdynamic
ppp_glue_plugin_l2tpsec_plugin_test_LDADD = $(PPPCTL_LIBS) -ldl
ppp_glue_plugin_l2tpsec_plugin_test_DEPENDENCIES = $(PPPCTL_LIBS) ppp-glue/plugin/l2tpsec.so

# The daemon's side, for tests/vm/scenarios/ppp-plugin.sh: spawns a server
# pppd with the plugin and a client pppd, answers AUTH_REQUEST with the real
# MS-CHAPv2 verifier, prints one line per message.
check_PROGRAMS += tests/ppp/ctl_peer
tests_ppp_ctl_peer_SOURCES = tests/ppp/ctl_peer.c
tests_ppp_ctl_peer_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_ppp_ctl_peer_LDADD = ppp-glue/libpppctl.a $(PPPGLUE_LIBS)

