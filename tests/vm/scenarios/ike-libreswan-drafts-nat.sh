#!/usr/bin/env bash
# ike-libreswan-drafts-nat.sh - issue 3, case 3: l2tpsecd answers libreswan's pluto from
# behind a NAT when pluto speaks NAT-T only in the words of the drafts
# (nat-ikev1-method=drafts: Vendor IDs draft-ietf-ipsec-nat-t-ike-02/02_n/03, NAT-D and NAT-OA
# as payloads 130/131, UDP-encapsulated transport as mode 61444), as Windows XP does.
# Proposal: AES256/SHA1/MODP2048, ESP AES256/HMAC-SHA1 (Debian 12's libreswan has no
# MODP1024).  L2TP is not involved yet: a datagram from the client's UDP/1701 stands in.
#
#   +-------------------------+      +-------------------------------+      +------------------+
#   | server                  |      | nat                           |      | client           |
#   | eth0 192.0.2.1/24       |------| wan0 198.51.100.1/24          |      |                  |
#   | l2tpsecd (IKE 500/4500) |      |   masquerade (nftables)       |      |                  |
#   | socat on UDP/1701       |      | lan0 192.168.77.1/24          |------| lan0 .77.2/24    |
#   +-------------------------+      +-------------------------------+      | libreswan pluto  |
#                                                                           | NAT-T: drafts    |
#                                                                           +------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/libreswan.sh
. "$(dirname "$0")/../libreswan.sh"

topology_nat
# L2TP moves to 1799, unguarded: UDP/1701 is the stand-in receiver's (socat below).
server_l2tpsecd_start server "exchange_timeout = 30;" "l2tp = { port = 1799; allow_clear = true; };"
client_pluto_setup client drafts "$SERVER_IP"

t0=$(now_ms)
tap_ok client_pluto_up client 90 \
	"client: pluto (nat-ikev1-method=drafts) says IPsec SA established, ESP SAs installed"
metric ipsec_sa_ms $(($(now_ms) - t0)) ms
wait_for 30 "IPsec SA established in l2tpsecd's log" l2tpsecd_log_has "IPsec SA established" || true

# The client's view: transport mode, ESP in UDP to the server's 4500.  (pluto 4.10 logs its
# NAT-T method and result only at debug level; the server's log below names them.)
tap_is "$(grep -c 'IPsec SA established transport mode {ESPinUDP=>' "$PLUTO_LOG" || true)" 1 \
	"client log: IPsec SA established transport mode {ESPinUDP=>...}"
stats=$(xfrm_sa_stats client)
# shellcheck disable=SC2016 # an awk program
tap_is "$(_bb awk '$7 ~ /^espinudp:4500:4500$/ { n++ } END { print n + 0 }' <<<"$stats")" 2 \
	"client: both SAs are ESP in UDP, 4500 to 4500"

# The server's log, in pluto's words.
tap_ok l2tpsecd_log_has "responding to Main Mode from unknown peer $NAT_WAN_IP" \
	"server log: responding to Main Mode from unknown peer $NAT_WAN_IP"
tap_ok grep -q -E 'received Vendor ID payload \[draft-ietf-ipsec-nat-t-ike-0(2_n|3)\]' "$L2TPSECD_LOG" \
	"server log: received Vendor ID payload [draft-ietf-ipsec-nat-t-ike-02_n] or [...-03]"
tap_is "$(l2tpsecd_log_count 'Vendor ID payload \[RFC 3947\]')" 0 \
	"server log: no RFC 3947 Vendor ID from this client"
tap_is "$(l2tpsecd_log_count 'NAT-Traversal: Result using draft-ietf-ipsec-nat-t-ike-02/03: peer is NATed')" 1 \
	"server log: NAT-Traversal: Result using draft-ietf-ipsec-nat-t-ike-02/03: peer is NATed"
tap_ok l2tpsecd_log_has "transition from state STATE_MAIN_R2 to state STATE_MAIN_R3" \
	"server log: STATE_MAIN_R2 -> STATE_MAIN_R3"
tap_ok l2tpsecd_log_has "ISAKMP SA established" "server log: ISAKMP SA established"
tap_ok l2tpsecd_log_has "responding to Quick Mode" "server log: responding to Quick Mode"
tap_is "$(l2tpsecd_log_count 'IPsec SA established \{ESPinUDP=>0x[0-9a-f]{8} <0x[0-9a-f]{8}')" 1 \
	"server log: IPsec SA established {ESPinUDP=>0x... <0x...}"
tap_ok l2tpsecd_log_has "NATOA=$CLIENT_LAN_IP " \
	"server log: NATOA=$CLIENT_LAN_IP, the original address from the client's NAT-OA"

# The server's kernel: one SA pair, ESP in UDP from 4500, and one policy pair.
stats=$(xfrm_sa_stats server)
tap_diag "server SAs (src dst proto spi packets bytes encap):"$'\n'"$stats"
tap_is "$(line_count "$stats")" 2 "server: two ESP SAs"
# shellcheck disable=SC2016 # an awk program
tap_is "$(_bb awk '$7 ~ /^espinudp:4500:/ { n++ } END { print n + 0 }' <<<"$stats")" 2 \
	"server: both SAs are ESP in UDP from 4500 (NAT-T)"
tap_is "$(xfrm_count server policy)" 2 "server: two policies (in and out) for the client's UDP/1701"

# L2TP's stand-in: a datagram from the client's UDP/1701 to the server's.
received=$(ns_log_dir server)/received.txt
: >"$received"
ns_bg server "$received" socat -u UDP4-RECV:1701 STDOUT >/dev/null
wait_for 30 "UDP/1701 receiver in server" udp_listening server 1701 || true
tap_ok ns_exec client socat -u "EXEC:echo l2tp-standin" "UDP4-SENDTO:$SERVER_IP:1701,sourceport=1701" \
	"client sends a datagram from UDP/1701"
arrived() { grep -q l2tp-standin "$received"; }
wait_for 30 "the datagram at the server" arrived || true
tap_ok arrived "the datagram reaches the server's UDP/1701"
stats=$(xfrm_sa_stats server)
# shellcheck disable=SC2016 # an awk program
tap_is "$(_bb awk -v s="$SERVER_IP" '$2 == s && $5 > 0 { n++ } END { print n + 0 }' <<<"$stats")" 1 \
	"server: the inbound SA counted it: it came through ESP"

# Goodbye: the client deletes, the server removes everything of it.
client_pluto_down client || true
wait_for 60 "the ISAKMP SA deleted on the server" l2tpsecd_log_has "deleting ISAKMP State" || true
tap_ok l2tpsecd_log_has "payload: deleting IPSEC State #" "server log: received Delete SA(0x...) payload: deleting IPSEC State #N"
tap_ok l2tpsecd_log_has "received Delete SA payload: deleting ISAKMP State #" "server log: received Delete SA payload: deleting ISAKMP State #N"
no_sa_left() { [ "$(xfrm_count server state)" = 0 ] && [ "$(xfrm_count server policy)" = 0 ]; }
wait_for 30 "nothing of the client left in the server's kernel" no_sa_left || true
tap_ok no_sa_left "after the client's Delete no SA or policy of it remains on the server"

tap_diag "l2tpsecd's log:"$'\n'"$(cat "$L2TPSECD_LOG")"
kill -TERM "$L2TPSECD_PID" 2>/dev/null || true
stopped() { ! kill -0 "$L2TPSECD_PID" 2>/dev/null; }
wait_for 60 "l2tpsecd stopped" stopped || true
tap_ok l2tpsecd_log_has "stopped" "l2tpsecd stops cleanly on SIGTERM"
tap_is "$(grep -c -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error' "$(ns_log_dir server)/l2tpsecd.stderr" 2>/dev/null || true)" 0 \
	"no sanitizer report from l2tpsecd"
