#!/bin/sh
# example-conf.sh - etc/l2tpsec.conf.example as installed: as shipped it is refused
# (no pre-shared key, so nobody runs a server with a published one); with a key set it is
# valid; and every commented-out setting in it, uncommented, is still valid (the
# comments show real settings with their defaults).
set -u
. "${top_srcdir:-.}/tests/harness/tap.sh"
: "${L2TPSECD:?set by make check}"

example="${top_srcdir:-.}/etc/l2tpsec.conf.example"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$("$L2TPSECD" -n -c "$example" 2>&1); rc=$?
tap_like "$rc:$out" "^1:.*: ike\.psk: required setting is missing" \
	"the example as shipped is refused for its missing pre-shared key"

sed 's|^  # psk = "";|  psk = "example-conf-test-key";|' "$example" >"$work/keyed.conf"
out=$("$L2TPSECD" -n -c "$work/keyed.conf" 2>&1)
tap_is "$?:$out" "0:configuration OK" "with a key set, the example is valid"

# Uncomment every "  # name = value;" line (keeping a trailing comment as a comment).
sed -e 's|^  # psk = "";|  psk = "example-conf-test-key";|' \
    -e 's|^  # \([a-z_]* = .*;\)|  \1|' "$example" >"$work/all.conf"
count=$(grep -c '^  [a-z_]* = ' "$work/all.conf")
out=$("$L2TPSECD" -n -c "$work/all.conf" 2>&1)
tap_is "$?:$out" "0:configuration OK" "every setting shown, uncommented, is valid ($count settings)"
tap_done
