#!/usr/bin/env bash
# l2tp-winxp-direct.sh - issue 4, case 1: l2tpsecd as the whole server (IKE, L2TP, pppd with
# our plugin) and a Windows-XP-like client (strongSwan 3DES/SHA1/MODP1024 + xl2tpd + pppd,
# MS-CHAPv2) on one link: address from the pool, pings both ways, ESP on both ends, the
# combined log from the IPsec SA to the address, nothing left after the client hangs up.
# In the same VM, today's stack (strongSwan + xl2tpd + pppd) serves the same client before
# (a warm-up: the first connection of a boot pays for loading modules and binaries over 9p)
# and after l2tpsecd: connect times side by side, both warm.
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server                      |          | client                      |
#   | eth0 192.0.2.1/24           |----------| eth0 192.0.2.2/24           |
#   | l2tpsecd (then the ref.)    |<==ESP====| strongSwan winxp, xl2tpd,   |
#   | ppp: 203.0.113.1            |          | pppd: 203.0.113.10-99       |
#   +-----------------------------+          +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

topology_direct
client_ipsec_setup client winxp "$SERVER_IP"
client_l2tp_setup client "$SERVER_IP"
reference_connect client winxp reference_cold_connect_ms

server_l2tpsecd_start server
l2tp_server_baseline

l2tp_connect client strongswan
metric connect_ms "$CONNECT_MS" ms
l2tp_traffic client
l2tp_server_esp_counted "$CLIENT_IP"
l2tp_log_chain "$TEST_USER"
l2tp_rss_metric l2tpsecd_rss_one_session

l2tp_disconnect client strongswan
wait_for 60 "pppd's exit in the log" l2tpsecd_log_has "pppd exited" || true
tap_ok grep -qE -- "$CHAIN: pppd exited \(.*\) after [0-9]+ s" "$L2TPSECD_LOG" "log: $CHAIN: pppd exited (...) after N s"
l2tp_nothing_left "after the client hung up"

# The client comes back, and l2tpsecd is stopped under it: StopCCN, pppd ended, the kernel
# tunnel, SAs, policies and the guard removed.
rm -f "$(ppp_peer_file client)"
l2tp_connect client strongswan "the client again"
kill -TERM "$L2TPSECD_PID" 2>/dev/null || true
gone() { ! kill -0 "$L2TPSECD_PID" 2>/dev/null; }
wait_for 60 "l2tpsecd stopped" gone || true
tap_ok gone "l2tpsecd stops on SIGTERM with a client connected"
tap_ok l2tpsecd_log_has "shutting down: StopCCN to every L2TP tunnel" "log: StopCCN to every tunnel at the stop"
ppp_gone() { [ ! -e "$(ppp_peer_file client)" ]; }
wait_for 60 "the client's ppp0 down" ppp_gone || true
tap_ok ppp_gone "the client's ppp0 went down (its xl2tpd got the StopCCN)"
tap_is "$(xfrm_count server state)/$(xfrm_count server policy)" "0/0" "after the stop nothing of ours is in the kernel (guard removed too)"
tap_is "$(l2tp_kernel_tunnels)/$(server_pppd_count)" "0/0" "after the stop no kernel L2TP tunnel and no pppd"
ns_exec client ipsec down vpn >/dev/null 2>&1 || true

# The reference stack again, warm, same client, same profile: the connect time to compare.
reference_connect client winxp reference_connect_ms
tap_diag "connect time, same VM, same client, both warm: l2tpsecd $CONNECT_MS ms, strongSwan + xl2tpd + pppd $REFERENCE_MS ms"
