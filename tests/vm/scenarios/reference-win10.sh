#!/usr/bin/env bash
# reference-win10.sh - the reference server against a Windows 10-like client behind the NAT
# box: IKEv1 aes256-sha1-ecp384 (or aes256-sha1-modp2048), ESP aes256-sha1 (or
# aes128-sha1), NAT-T.  The server offers these as well as Windows XP's 3DES proposals.
#
#   +------------------------+      +-------------------------+      +------------------------+
#   | client                 | veth | nat                     | veth | server                 |
#   | lan0 192.168.77.2/24   |------| lan0 192.168.77.1/24    |      |                        |
#   | default via .77.1      |      | wan0 198.51.100.1/24    |------| eth0 192.0.2.1/24      |
#   | charon (vpn, win10)    |      | nft masquerade -> wan0  |      | charon (l2tp)          |
#   | xl2tpd LAC -> pppd     |      | ip_forward=1            |      | xl2tpd LNS -> pppd     |
#   | ppp0 203.0.113.x       |<=========== PPP over L2TP over ESP-in-UDP/4500 ==========>| ppp0 |
#   +------------------------+      +-------------------------+      +------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

SERVER_IKE=aes256-sha1-ecp384,aes256-sha1-modp2048,3des-sha1-modp1024!
SERVER_ESP=aes256-sha1,aes128-sha1,3des-sha1!
topology_nat
# shellcheck source=tests/vm/scenarios/reference.inc
. "$(dirname "$0")/reference.inc"
reference_checks nat win10
# The negotiated algorithms are Windows 10's first choices.
tap_like "$(ns_exec client ip xfrm state)" "enc cbc\\(aes\\) 0x[0-9a-f]{64}" \
	"client: ESP uses AES-256-CBC"
tap_ok file_has "$(ns_log_dir server)/charon.log" \
	"selected proposal: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/ECP_384" \
	"server: IKE selected AES-256/SHA1/ECP-384"
tap_ok file_has "$(ns_log_dir server)/charon.log" "selected proposal: ESP:AES_CBC_256/HMAC_SHA1_96/" \
	"server: ESP selected AES-256/SHA1"
