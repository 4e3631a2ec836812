#!/usr/bin/env bash
# l2tp-libreswan-drafts-nat.sh - issue 4, case 3: libreswan's pluto with the draft NAT-T
# methods (what Windows XP speaks) behind a NAT, with xl2tpd + pppd, connects to l2tpsecd:
# ESP in UDP, L2TP + PPP inside; the log chain; nothing left after it hangs up.
#
#   +-------------------------+      +-------------------------------+      +------------------+
#   | server                  |      | nat                           |      | client           |
#   | eth0 192.0.2.1/24       |------| wan0 198.51.100.1/24          |      | libreswan drafts |
#   | l2tpsecd                |      |   masquerade (nftables)       |      | xl2tpd, pppd     |
#   |                         |      | lan0 192.168.77.1/24          |------| lan0 .77.2/24    |
#   +-------------------------+      +-------------------------------+      +------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/libreswan.sh
. "$(dirname "$0")/../libreswan.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

topology_nat
server_l2tpsecd_start server
l2tp_server_baseline
client_pluto_setup client drafts "$SERVER_IP"
client_l2tp_setup client "$SERVER_IP"

l2tp_connect client libreswan
metric connect_ms "$CONNECT_MS" ms
l2tp_traffic client
l2tp_server_esp_counted "$NAT_WAN_IP"
tap_ok grep -qE -- "NAT-Traversal: Result using draft-ietf-ipsec-nat-t-ike-0[23]" "$L2TPSECD_LOG" \
	"log: NAT-T by a draft method"
l2tp_log_chain "$TEST_USER"

l2tp_disconnect client libreswan
l2tp_nothing_left "after the client hung up"
