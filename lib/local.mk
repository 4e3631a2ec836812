# lib/: what every part of l2tpsec shares and that knows no protocol.
# The whole library builds with -Wconversion (G42 asks it of lib/wire*; the rest keeps up).

noinst_LIBRARIES += lib/libcommon.a
lib_libcommon_a_SOURCES = \
	lib/alloc.c lib/alloc.h \
	lib/clock.c lib/clock.h \
	lib/evloop.c lib/evloop.h \
	lib/json.c lib/json.h \
	lib/log.c lib/log.h \
	lib/names.c lib/names.h \
	lib/netaddr.c lib/netaddr.h \
	lib/util.h \
	lib/wire.c lib/wire.h \
	lib/workq.c lib/workq.h
lib_libcommon_a_CFLAGS = $(AM_CFLAGS) -Wconversion -pthread

LIB_UNIT_TESTS = \
	lib/alloc_test \
	lib/clock_test \
	lib/evloop_test \
	lib/json_test \
	lib/log_test \
	lib/names_test \
	lib/netaddr_test \
	lib/util_test \
	lib/wire_test \
	lib/workq_test
check_PROGRAMS += $(LIB_UNIT_TESTS)
TESTS += $(LIB_UNIT_TESTS)

lib_alloc_test_SOURCES = lib/alloc_test.c
lib_alloc_test_LDADD = lib/libcommon.a
lib_clock_test_SOURCES = lib/clock_test.c
lib_clock_test_LDADD = lib/libcommon.a
lib_evloop_test_SOURCES = lib/evloop_test.c
lib_evloop_test_LDADD = lib/libcommon.a
lib_json_test_SOURCES = lib/json_test.c
lib_json_test_LDADD = lib/libcommon.a
lib_log_test_SOURCES = lib/log_test.c
lib_log_test_LDADD = lib/libcommon.a
lib_netaddr_test_SOURCES = lib/netaddr_test.c
lib_netaddr_test_LDADD = lib/libcommon.a
lib_util_test_SOURCES = lib/util_test.c
lib_util_test_LDADD = lib/libcommon.a
lib_wire_test_SOURCES = lib/wire_test.c
lib_wire_test_LDADD = lib/libcommon.a
lib_workq_test_SOURCES = lib/workq_test.c
lib_workq_test_LDADD = lib/libcommon.a
lib_names_test_SOURCES = lib/names_test.c
lib_names_test_LDADD = lib/libcommon.a
