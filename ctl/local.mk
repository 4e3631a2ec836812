# ctl/: l2tpsecctl, the admin tool.  libusersedit.a edits the users file
# (line level, under a lock, replaced atomically); the subcommands and main go
# into the program.  ctl/log.mk builds liblogview.a for "l2tpsecctl log".

noinst_LIBRARIES += ctl/libusersedit.a
ctl_libusersedit_a_SOURCES = ctl/users_edit.c ctl/users_edit.h
ctl_libusersedit_a_CFLAGS = $(AM_CFLAGS) -Wconversion

sbin_PROGRAMS += ctl/l2tpsecctl
ctl_l2tpsecctl_SOURCES = ctl/l2tpsecctl.c ctl/ctl.h ctl/cmd_user.c ctl/cmd_log.c \
	ctl/cmd_status.c ctl/ctl_client.c ctl/ctl_client.h
ctl_l2tpsecctl_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
# conf.c needs the IKE proposal parser and engine defaults: $(DAEMON_LIBS) brings them.
ctl_l2tpsecctl_LDADD = ctl/liblogview.a ctl/libusersedit.a ppp-glue/libpppglue.a $(DAEMON_LIBS)

check_PROGRAMS += ctl/users_edit_test
ctl_users_edit_test_SOURCES = ctl/users_edit_test.c
ctl_users_edit_test_LDADD = ctl/libusersedit.a ppp-glue/libpppglue.a lib/libcommon.a $(CRYPTO_LIBS)
TESTS += ctl/users_edit_test

# The real program on a temporary users file (make check, host only).
TESTS += tests/ctl/users-cli.sh
AM_TESTS_ENVIRONMENT += L2TPSECCTL='$(abs_top_builddir)/ctl/l2tpsecctl'; export L2TPSECCTL;
EXTRA_DIST += tests/ctl/users-cli.sh
