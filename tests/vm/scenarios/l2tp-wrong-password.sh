#!/usr/bin/env bash
# l2tp-wrong-password.sh - issue 4, case 4: a client with the wrong password gets IPsec and
# L2TP but fails MS-CHAPv2: the log names the user and the failure, its tunnel is torn down,
# nothing of it is left; another client connected at the same time is unaffected.
#
#   +--------------------------+        +---------------------------------------+
#   | server                   |  br0   | c1: strongSwan winxp, xl2tpd, pppd    |
#   | br0 192.0.2.1/24         |--------|     192.0.2.11, user "alice" (good)   |
#   | l2tpsecd                 |        +---------------------------------------+
#   |                          |--------| c2: 192.0.2.12, user "mallory", wrong |
#   +--------------------------+        +---------------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

topology_lan 2
server_users_write server "alice:alice-password" "mallory:the-right-one"
server_l2tpsecd_start server
l2tp_server_baseline
TEST_USER=alice TEST_CLIENT_PASSWORD=alice-password
client_ipsec_setup c1 winxp "$SERVER_IP"
client_l2tp_setup c1 "$SERVER_IP"
TEST_USER=mallory TEST_CLIENT_PASSWORD=a-wrong-guess
client_ipsec_setup c2 winxp "$SERVER_IP"
client_l2tp_setup c2 "$SERVER_IP"

CLIENT_IP=192.0.2.11
l2tp_connect c1 strongswan alice
good_ppp=$CLIENT_PPP
l2tp_log_chain alice

tap_ok client_ipsec_up c2 120 "mallory: IPsec SA with l2tpsecd"
client_l2tp_connect c2
wait_for 120 "mallory's failure in the log" l2tpsecd_log_has 'user "mallory": authentication failed (MS-CHAPv2): wrong password' || true
tap_ok grep -qE -- 'ppp#[0-9]+: user "mallory": authentication failed \(MS-CHAPv2\): wrong password' "$L2TPSECD_LOG" \
	"log: user \"mallory\": authentication failed (MS-CHAPv2): wrong password"
wait_for 60 "mallory's pppd exit in the log" grep -qE 'pppd exited \((status 11|.*authenticate)' "$L2TPSECD_LOG" || true
tap_ok grep -qE -- 'pppd exited \(.*\) after [0-9]+ s' "$L2TPSECD_LOG" "log: mallory's pppd exited"
tap_ok test ! -s "$(ppp_peer_file c2)" "mallory: no ppp0 address"
one_tunnel() { [ "$(l2tp_kernel_tunnels)" = 1 ] && [ "$(server_pppd_count)" = 1 ]; }
wait_for 60 "only alice's tunnel and pppd left" one_tunnel || true
tap_is "$(l2tp_kernel_tunnels)" 1 "server: mallory's kernel tunnel is gone, alice's stays"
tap_is "$(server_pppd_count)" 1 "server: only alice's pppd runs"

CLIENT_PPP=$good_ppp
l2tp_traffic c1 alice
ns_exec c2 ipsec down vpn >/dev/null 2>&1 || true
l2tp_disconnect c1 strongswan
l2tp_nothing_left "after both clients left"
