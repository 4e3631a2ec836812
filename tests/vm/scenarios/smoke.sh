#!/usr/bin/env bash
# smoke.sh - proves the rig and the kernel data path: modules load, a static transport-mode
# ESP SA pair protects an unmanaged L2TPv3 tunnel over UDP/1701, datagrams cross it.
#
#   +-----------------------------+   veth    +-----------------------------+
#   | alpha                       |           | beta                        |
#   | eth0 192.0.2.1/24           |-----------| eth0 192.0.2.2/24           |
#   |  xfrm: ESP transport,       |           |  xfrm: ESP transport,       |
#   |  policies for udp/1701      |           |  policies for udp/1701      |
#   |  l2tp tunnel 10/session 100 |           |  l2tp tunnel 20/session 200 |
#   |  l2tp0 198.51.100.1/30      |==L2TPv3===| l2tp0 198.51.100.2/30       |
#   +-----------------------------+ in ESP    +-----------------------------+
#
# UDP datagrams to 198.51.100.2:5000 travel l2tp0 -> L2TPv3/UDP 1701 -> ESP -> veth.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

A=192.0.2.1
B=192.0.2.2
AUTH_KEY=0x$(printf '%040d' 1)
ENC_KEY=0x$(printf '%048d' 2)

if [ -n "${L2TPSEC_VM_BOOT_S:-}" ]; then
	metric boot_to_init "$(awk -v s="$L2TPSEC_VM_BOOT_S" 'BEGIN { printf "%d", s * 1000 }')" ms
fi

for m in esp4 l2tp_ppp ppp_generic xfrm_user nf_tables; do
	tap_ok module_available "$m" "kernel module $m is loaded"
done
tap_ok genl ctrl get name l2tp "generic netlink family l2tp exists"

ns_add alpha beta
ns_link alpha eth0 "$A/24" beta eth0 "$B/24"

# xfrm_setup NS LOCAL REMOTE OUT_SPI IN_SPI: ESP SA pair + policies for UDP/1701.
xfrm_setup() {
	local ns=$1 me=$2 peer=$3 ospi=$4 ispi=$5
	ns_exec "$ns" ip -batch - <<-EOF
		xfrm state add src $me dst $peer proto esp spi $ospi reqid 1 mode transport auth hmac(sha1) $AUTH_KEY enc cbc(des3_ede) $ENC_KEY
		xfrm state add src $peer dst $me proto esp spi $ispi reqid 1 mode transport auth hmac(sha1) $AUTH_KEY enc cbc(des3_ede) $ENC_KEY
		xfrm policy add src $me/32 dst $peer/32 proto udp dport 1701 dir out tmpl src $me dst $peer proto esp reqid 1 mode transport
		xfrm policy add src $peer/32 dst $me/32 proto udp dport 1701 dir in tmpl src $peer dst $me proto esp reqid 1 mode transport
	EOF
}
# l2tp_setup NS LOCAL REMOTE TID PEER_TID SID PEER_SID PW_ADDR
l2tp_setup() {
	local ns=$1
	ns_exec "$ns" ip -batch - <<-EOF
		l2tp add tunnel tunnel_id $4 peer_tunnel_id $5 encap udp local $2 remote $3 udp_sport 1701 udp_dport 1701
		l2tp add session name l2tp0 tunnel_id $4 session_id $6 peer_session_id $7
		link set l2tp0 up
		addr add $8 dev l2tp0
	EOF
}
tap_ok xfrm_setup alpha "$A" "$B" 0x1001 0x1002 "alpha: ESP SA pair and UDP/1701 policies added"
tap_ok xfrm_setup beta "$B" "$A" 0x1002 0x1001 "beta: ESP SA pair and UDP/1701 policies added"
tap_ok l2tp_setup alpha "$A" "$B" 10 20 100 200 198.51.100.1/30 "alpha: L2TPv3 tunnel and session over UDP/1701"
tap_ok l2tp_setup beta "$B" "$A" 20 10 200 100 198.51.100.2/30 "beta: L2TPv3 tunnel and session over UDP/1701"

received=$(ns_log_dir beta)/received.txt
: >"$received"
ns_bg beta "$received" socat -u UDP4-RECV:5000,bind=198.51.100.2 STDOUT >/dev/null
wait_for 30 "socat listening on UDP/5000 in beta" udp_listening beta 5000 || true

N=5
# One bash process sends the N datagrams (each redirection is a new socket and datagram).
tap_ok ns_exec alpha bash -c "for i in \$(seq $N); do echo \"datagram \$i\" >/dev/udp/198.51.100.2/5000; done" \
	"alpha sends $N UDP datagrams through the tunnel"
count_received() { local -a got; mapfile -t got <"$received"; echo "${#got[@]}"; }
received_all() { [ "$(count_received)" -ge "$N" ]; }
wait_for 30 "$N datagrams in beta" received_all || true
tap_is "$(count_received)" "$N" "beta receives all $N datagrams"

# Every SA on each end has carried packets: ARP and datagrams went out, ARP replies came in.
for ns in alpha beta; do
	stats=$(xfrm_sa_stats "$ns")
	tap_diag "$ns SAs (src dst proto spi packets bytes encap):"$'\n'"$stats"
	tap_is "$(line_count "$stats")" 2 "$ns has 2 ESP SAs"
	# shellcheck disable=SC2016 # an awk program
	tap_ok _bb awk '$5 > 0 && $6 > 0 { n++ } END { exit n == 2 ? 0 : 1 }' <<<"$stats" \
		"$ns: both ESP SAs counted packets and bytes"
done
