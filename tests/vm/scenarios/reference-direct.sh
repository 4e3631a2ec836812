#!/usr/bin/env bash
# reference-direct.sh - today's stack as the server (strongSwan starter/charon IKEv1 responder
# + xl2tpd LNS + pppd), a Windows XP-like client (strongSwan + xl2tpd LAC + pppd), both on
# one TEST-NET link.  Proves the client side that later scenarios reuse against l2tpsecd.
#
#   +---------------------------+   veth    +-------------------------------------+
#   | client                    |           | server                              |
#   | eth0 192.0.2.2/24         |-----------| eth0 192.0.2.1/24                   |
#   | charon (vpn, winxp)       |  IKE 500  | charon (l2tp, responder)            |
#   | xl2tpd LAC -> pppd        |  ESP      | xl2tpd LNS -> pppd                  |
#   | ppp0 203.0.113.x (pool)   |<==PPP====>| ppp0 203.0.113.1                    |
#   +---------------------------+ L2TP/ESP  | nft: udp dport 1701 without secpath |
#                                           |      -> drop                        |
#                                           +-------------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

PROFILE=${L2TPSEC_TEST_PROFILE:-winxp}
topology_direct
# shellcheck source=tests/vm/scenarios/reference.inc
. "$(dirname "$0")/reference.inc"
reference_checks direct "$PROFILE"
