#!/usr/bin/env bash
# ike-winxp-direct.sh - issue 3, case 1: l2tpsecd answers a client with Windows XP's suite
# (3DES/SHA1/MODP1024, ESP 3DES/HMAC-SHA1-96), no NAT.
#
#   +-------------------------------+   veth   +-------------------------------+
#   | server                        |          | client                        |
#   | eth0 192.0.2.1/24             |----------| eth0 192.0.2.2/24             |
#   | l2tpsecd (IKE 500/4500)       |<==IKE====| strongSwan, winxp profile     |
#   | socat on UDP/1701             |<==ESP====| sends from UDP/1701           |
#   +-------------------------------+          +-------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
PROFILE=winxp
TOPOLOGY=direct
CLIENT_SEEN_AS=192.0.2.2
NATT_RESULT='NAT-Traversal: Result using .*: no NAT detected'
# shellcheck source=tests/vm/scenarios/ike.inc
. "$(dirname "$0")/ike.inc"
