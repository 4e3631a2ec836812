#!/usr/bin/env bash
# l2tp-win10-nat.sh - issue 4, case 2: a Windows-10-like client (strongSwan AES256/SHA1/ECP384
# or MODP2048, ESP AES) behind a masquerading NAT connects to l2tpsecd: RFC 3947 NAT-T, ESP in
# UDP 4500, L2TP + PPP inside; the log chain; nothing left after it hangs up.
#
#   +-------------------------+      +-------------------------------+      +------------------+
#   | server                  |      | nat                           |      | client           |
#   | eth0 192.0.2.1/24       |------| wan0 198.51.100.1/24          |      | strongSwan win10 |
#   | l2tpsecd                |      |   masquerade (nftables)       |      | xl2tpd, pppd     |
#   |                         |      | lan0 192.168.77.1/24          |------| lan0 .77.2/24    |
#   +-------------------------+      +-------------------------------+      +------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

topology_nat
server_l2tpsecd_start server
l2tp_server_baseline
client_ipsec_setup client win10 "$SERVER_IP"
client_l2tp_setup client "$SERVER_IP"

l2tp_connect client strongswan
metric connect_ms "$CONNECT_MS" ms
l2tp_traffic client
l2tp_server_esp_counted "$NAT_WAN_IP"
stats=$(xfrm_sa_stats server)
tap_is "$(_bb awk '$7 ~ /^espinudp:4500:/ { n++ } END { print n + 0 }' <<<"$stats")" 2 \
	"server: both SAs are ESP in UDP from 4500 (NAT-T)"
tap_ok l2tpsecd_log_has "peer is NATed" "log: NAT-Traversal result: peer is NATed"
l2tp_log_chain "$TEST_USER"

l2tp_disconnect client strongswan
l2tp_nothing_left "after the client hung up"
