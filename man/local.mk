# man/: mdoc pages, checked by mandoc -Tlint in make check.
dist_man_MANS += man/l2tpsecd.8 man/l2tpsecctl.8 man/l2tpsec.conf.5 man/l2tpsec-users.5
TESTS += tests/man-lint.sh
AM_TESTS_ENVIRONMENT += MAN_PAGES='$(dist_man_MANS)'; export MAN_PAGES;
EXTRA_DIST += tests/man-lint.sh
