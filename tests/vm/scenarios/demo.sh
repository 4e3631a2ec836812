#!/usr/bin/env bash
# demo.sh - what scripts/run-server shows on a kernel without ESP/L2TP/PPP: l2tpsecd as the
# server, checked and started; a client set up like Windows XP (strongSwan, 3DES/SHA1/MODP1024)
# negotiates IPsec with it; reload; the client leaves; clean stop.  l2tpsecd's log is the
# output.  (L2TP and PPP follow with the L2TP issue.)
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server                      |          | client                      |
#   | eth0 192.0.2.1/24           |----------| eth0 192.0.2.2/24           |
#   | l2tpsecd -f                 |<==IKE====| strongSwan, winxp profile   |
#   +-----------------------------+          +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

tap_ok test -x "$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" "l2tpsecd is built ($L2TPSEC_BUILD_DIR)"
topology_direct
server_l2tpsecd_start server
tap_is "$(ns_exec server "$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" -n -c "$L2TPSECD_CONF" 2>&1)" \
	"configuration OK" "l2tpsecd -n: configuration OK"
tap_ok l2tpsecd_log_has "listening for IKE" "l2tpsecd starts and listens for IKE"

client_ipsec_setup client winxp "$SERVER_IP"
tap_ok client_ipsec_up client 90 "a Windows-XP-like client negotiates IPsec with l2tpsecd"
wait_for 30 "IPsec SA established in the log" l2tpsecd_log_has "IPsec SA established" || true
tap_ok l2tpsecd_log_has "IPsec SA established" "l2tpsecd: IPsec SA established"

kill -HUP "$L2TPSECD_PID" 2>/dev/null || true
wait_for 60 "reload logged" l2tpsecd_log_has "configuration reloaded" || true
tap_ok l2tpsecd_log_has "configuration reloaded" "SIGHUP reloads the configuration"

ns_exec client ipsec down vpn >/dev/null 2>&1 || true
wait_for 60 "the client's Delete" l2tpsecd_log_has "deleting ISAKMP State" || true
tap_ok l2tpsecd_log_has "deleting ISAKMP State" "the client leaves with Delete"

kill -TERM "$L2TPSECD_PID" 2>/dev/null || true
gone() { ! kill -0 "$L2TPSECD_PID" 2>/dev/null; }
wait_for 60 "l2tpsecd stopped" gone || true
tap_ok l2tpsecd_log_has "stopped" "SIGTERM stops it cleanly"
tap_ok test ! -e "$(ns_run_dir server)/l2tpsecd.pid" "its pid file is removed"
tap_is "$(xfrm_count server state)/$(xfrm_count server policy)" "0/0" "no SA or policy is left"
