#!/bin/sh
# unit-verify.sh - the systemd unit: the one make built has every @VARIABLE@ substituted,
# and the template, pointed at the l2tpsecd just built, passes "systemd-analyze verify"
# (skipped, visibly, where systemd-analyze is not installed).
set -u
. "${top_srcdir:-.}/tests/harness/tap.sh"
: "${L2TPSECD:?set by make check}"

template="${top_srcdir:-.}/etc/l2tpsecd.service.in"
built=etc/l2tpsecd.service
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_unit() {
	sed -e "s|@sbindir@|$(dirname "$L2TPSECD")|g" -e 's|@sysconfdir@|/etc|g' \
	    -e 's|@L2TPSEC_RUNDIR@|/run|g' "$template" >"$work/l2tpsecd.service"
}

if [ -f "$built" ]; then
	tap_ok "the built unit has no @VARIABLE@ left" sh -c "! grep -q '@[A-Za-z_]*@' '$built'"
	tap_like "$(grep '^ExecStart=' "$built")" '^ExecStart=/[^ ]*/l2tpsecd$' \
		"the built unit starts l2tpsecd by its absolute path"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - the built unit # SKIP no unit built (--without-systemdsystemunitdir)"
fi
make_unit
tap_ok "the template has no @VARIABLE@ the build does not substitute" \
	sh -c "! grep -q '@[A-Za-z_]*@' '$work/l2tpsecd.service'"
if command -v systemd-analyze >/dev/null 2>&1; then
	out=$(systemd-analyze verify --man=no "$work/l2tpsecd.service" 2>&1)
	tap_is "$?:$out" "0:" "systemd-analyze verify finds nothing to report"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - systemd-analyze verify # SKIP systemd-analyze is not installed"
fi
tap_done
