#!/usr/bin/env bash
# l2tp-vanish.sh - issue 4, case 6: a connected client vanishes without a goodbye (every
# process killed, its link down).  With test-short timers (HELLO 3 s, 2 retransmissions; LCP
# echo every 2 s, 2 failures) l2tpsecd notices, ends pppd, the kernel session and tunnel, the
# IPsec SAs and policies, and frees the address.
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server  eth0 192.0.2.1/24   |----------| client eth0 192.0.2.2/24    |
#   | l2tpsecd                    |          | (killed mid-session)        |
#   +-----------------------------+          +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

topology_direct
server_l2tpsecd_start server "" "l2tp = { hello_interval = 3; retransmits = 2; };" \
	"lcp_echo_interval = 2; lcp_echo_failure = 2;"
l2tp_server_baseline
client_ipsec_setup client winxp "$SERVER_IP"
client_l2tp_setup client "$SERVER_IP"
l2tp_connect client strongswan
l2tp_log_chain "$TEST_USER"

# Gone: every process of the client killed at once, then its link down.
pids=$(ip netns pids "$(ns_real client)" 2>/dev/null || true)
# shellcheck disable=SC2086 # a list of PIDs
[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
ns_exec client ip link set eth0 down
t0=$(now_ms)
l2tp_nothing_left "after the client vanished" 90
metric cleanup_after_vanish_ms "$(($(now_ms) - t0))" ms
tap_ok grep -qE -- "$CHAIN: pppd exited \(" "$L2TPSECD_LOG" "log: the client's pppd exited"
tap_ok grep -qE -- "(peer vanished|LCP echo|no acknowledgement)" "$L2TPSECD_LOG" \
	"log: says the peer stopped answering"
tap_ok grep -qE -- "deleting IPsec SA: " "$L2TPSECD_LOG" "log: the client's IPsec SA is deleted by l2tpsecd"
