# ctl/log.mk: "l2tpsecctl log", the combined log viewer.  liblogview.a is the
# pure part (parse lines, learn chains, select lines); ctl/cmd_log.c goes into
# the program (ctl/local.mk links ctl/liblogview.a).

noinst_LIBRARIES += ctl/liblogview.a
ctl_liblogview_a_SOURCES = ctl/logview.c ctl/logview.h
ctl_liblogview_a_CFLAGS = $(AM_CFLAGS) -Wconversion
if ENABLE_FUZZING
ctl_liblogview_a_CFLAGS += -fsanitize=fuzzer-no-link
endif

LOGVIEW_LIBS = ctl/liblogview.a lib/libcommon.a

check_PROGRAMS += ctl/logview_test
TESTS += ctl/logview_test
ctl_logview_test_SOURCES = ctl/logview_test.c
ctl_logview_test_LDADD = $(LOGVIEW_LIBS)

# Fuzz target: any bytes as log lines through the splitter, the parser and
# all three ways of feeding the view.
FUZZ_TARGETS += ctl/fuzz/fuzz_logview
ctl_fuzz_fuzz_logview_SOURCES = ctl/fuzz/fuzz_logview.c
ctl_fuzz_fuzz_logview_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
ctl_fuzz_fuzz_logview_LDADD = $(FUZZ_LDADD) $(LOGVIEW_LIBS)

# The program run on the recorded logs (needs ctl/l2tpsecctl from ctl/local.mk).
TESTS += tests/ctl/log-cli.sh
AM_TESTS_ENVIRONMENT += L2TPSECCTL='$(abs_top_builddir)/ctl/l2tpsecctl'; export L2TPSECCTL;

EXTRA_DIST += ctl/fuzz/corpus/logview tests/ctl/log-cli.sh tests/data/logs
