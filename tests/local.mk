# tests/: the TAP harness, the fuzz corpus replay and the daemon's host-side tests.
# The end-to-end rig (tests/vm/) runs outside make check: see scripts/test.

noinst_LIBRARIES += tests/harness/libfuzzreplay.a
tests_harness_libfuzzreplay_a_SOURCES = tests/harness/fuzz_replay.c

# Fuzz targets: libFuzzer binaries in a fuzzing build, corpus replayers otherwise.
if ENABLE_FUZZING
FUZZ_CFLAGS = $(L2TPSEC_FUZZ_CFLAGS)
FUZZ_LDADD =
noinst_PROGRAMS += $(FUZZ_TARGETS)
else
FUZZ_CFLAGS =
FUZZ_LDADD = tests/harness/libfuzzreplay.a
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += tests/harness/fuzz-replay.sh
endif
AM_TESTS_ENVIRONMENT += FUZZ_TARGETS='$(FUZZ_TARGETS)'; export FUZZ_TARGETS;

# The daemon run for real on the host: start, pid file, reload, stop.
TESTS += tests/daemon/lifecycle.sh
AM_TESTS_ENVIRONMENT += L2TPSECD='$(abs_top_builddir)/daemon/l2tpsecd'; export L2TPSECD;

EXTRA_DIST += tests/harness/tap.h tests/harness/fuzz-replay.sh tests/daemon/lifecycle.sh \
	tests/harness/tap.sh

# Not run by make check, but the tarball carries them: the end-to-end rig, the data only
# its scenarios read, and the README's commands (scripts/test runs the rig).
EXTRA_DIST += tests/vm/README.md tests/vm/init tests/vm/lib.sh tests/vm/libreswan.sh \
	tests/vm/mkinitramfs tests/vm/modules tests/vm/run-suite tests/vm/vm-run \
	tests/vm/scenarios tests/data/ike-mm1-3des-sha1-modp1024.bin \
	scripts/fetch-libreswan scripts/install-deps scripts/run-server scripts/test \
	autogen.sh .ci/run
