#!/usr/bin/env bash
# reference-nat.sh - reference-direct.sh with the client on a private LAN behind a NAT box
# that masquerades onto TEST-NET: the server sees the NAT's address, IKE floats to UDP/4500
# and ESP is UDP-encapsulated (NAT-T) on both ends.
#
#   +------------------------+      +-------------------------+      +------------------------+
#   | client                 | veth | nat                     | veth | server                 |
#   | lan0 192.168.77.2/24   |------| lan0 192.168.77.1/24    |      |                        |
#   | default via .77.1      |      | wan0 198.51.100.1/24    |------| eth0 192.0.2.1/24      |
#   | charon (vpn, winxp)    |      | nft masquerade -> wan0  |      | charon (l2tp)          |
#   | xl2tpd LAC -> pppd     |      | ip_forward=1            |      | xl2tpd LNS -> pppd     |
#   | ppp0 203.0.113.x       |<=========== PPP over L2TP over ESP-in-UDP/4500 ==========>| ppp0 |
#   +------------------------+      +-------------------------+      +------------------------+
#   (server and nat: on-link routes to each other's TEST-NET /24)
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

PROFILE=${L2TPSEC_TEST_PROFILE:-winxp}
topology_nat
# shellcheck source=tests/vm/scenarios/reference.inc
. "$(dirname "$0")/reference.inc"
reference_checks nat "$PROFILE"
