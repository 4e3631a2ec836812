#!/usr/bin/env bash
# demo.sh - what scripts/run-server shows on a kernel without ESP/L2TP/PPP: l2tpsecd as the
# whole server, checked and started; a client set up like Windows XP (strongSwan
# 3DES/SHA1/MODP1024 + xl2tpd + pppd, MS-CHAPv2) connects and gets an address; reload; the
# client hangs up; clean stop.  l2tpsecd's log is the output.
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server                      |          | client                      |
#   | eth0 192.0.2.1/24           |----------| eth0 192.0.2.2/24           |
#   | l2tpsecd -f                 |<==ESP====| strongSwan winxp, xl2tpd,   |
#   | ppp 203.0.113.1             |          | pppd: 203.0.113.10-99       |
#   +-----------------------------+          +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

tap_ok test -x "$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" "l2tpsecd is built ($L2TPSEC_BUILD_DIR)"
topology_direct
server_l2tpsecd_start server
tap_is "$(ns_exec server "$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" -n -c "$L2TPSECD_CONF" 2>&1)" \
	"configuration OK" "l2tpsecd -n: configuration OK"
tap_ok l2tpsecd_log_has "listening for L2TP" "l2tpsecd starts and listens for IKE and L2TP"
l2tp_server_baseline

client_ipsec_setup client winxp "$SERVER_IP"
client_l2tp_setup client "$SERVER_IP"
l2tp_connect client strongswan "a Windows-XP-like client"
metric connect_ms "$CONNECT_MS" ms
l2tp_traffic client "a Windows-XP-like client"
l2tp_log_chain "$TEST_USER"

# What the admin sees (scripts/run-server prints these files).
ctl() { ns_exec server "$L2TPSEC_BUILD_DIR/ctl/l2tpsecctl" -c "$L2TPSECD_CONF" "$@"; }
ctl status >"$RESULT_DIR/status.txt" 2>&1 || true
ctl log --user "$TEST_USER" >"$RESULT_DIR/user-log.txt" 2>&1 || true
tap_ok grep -q "^$TEST_USER " "$RESULT_DIR/status.txt" "l2tpsecctl status shows the user"
tap_ok grep -q "user \"$TEST_USER\" authenticated" "$RESULT_DIR/user-log.txt" \
	"l2tpsecctl log --user shows the connection"

kill -HUP "$L2TPSECD_PID" 2>/dev/null || true
wait_for 60 "reload logged" l2tpsecd_log_has "configuration reloaded" || true
tap_ok l2tpsecd_log_has "configuration reloaded" "SIGHUP reloads the configuration"

l2tp_disconnect client strongswan
l2tp_nothing_left "the client hung up"

kill -TERM "$L2TPSECD_PID" 2>/dev/null || true
gone() { ! kill -0 "$L2TPSECD_PID" 2>/dev/null; }
wait_for 60 "l2tpsecd stopped" gone || true
tap_ok l2tpsecd_log_has "stopped" "SIGTERM stops it cleanly"
tap_ok test ! -e "$(ns_run_dir server)/l2tpsecd.pid" "its pid file is removed"
tap_is "$(xfrm_count server state)/$(xfrm_count server policy)" "0/0" "no SA or policy is left"
