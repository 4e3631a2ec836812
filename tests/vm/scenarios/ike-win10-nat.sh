#!/usr/bin/env bash
# ike-win10-nat.sh - issue 3, case 2: l2tpsecd answers a client with Windows 10's proposal
# order (AES256/SHA1/ECP384, then AES256/SHA1/MODP2048; ESP AES256 or AES128 with SHA1)
# from behind a NAT: RFC 3947, float to 4500, ESP in UDP.
#
#   +-------------------------+      +-------------------------------+      +------------------+
#   | server                  |      | nat                           |      | client           |
#   | eth0 192.0.2.1/24       |------| wan0 198.51.100.1/24          |      |                  |
#   | l2tpsecd                |      |   masquerade (nftables)       |      |                  |
#   | socat on UDP/1701       |      | lan0 192.168.77.1/24          |------| lan0 .77.2/24    |
#   +-------------------------+      +-------------------------------+      | strongSwan win10 |
#                                                                           +------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
PROFILE=win10
TOPOLOGY=nat
CLIENT_SEEN_AS=198.51.100.1
NATT_RESULT='NAT-Traversal: Result using .*: peer is NATed'
# shellcheck source=tests/vm/scenarios/ike.inc
. "$(dirname "$0")/ike.inc"
