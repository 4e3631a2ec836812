#!/usr/bin/env bash
# l2tp-twenty.sh - issue 4, case 5: twenty Windows-like clients (strongSwan + xl2tpd + pppd,
# each in its own namespace and user) connect to l2tpsecd at once: all get distinct pool
# addresses and all pass traffic; l2tpsecd's memory with twenty sessions (pppd excluded).
#
#   c1 .. c20: eth0 192.0.2.11 .. .30/24 ---- br0 192.0.2.1/24 server (l2tpsecd)
# vm: timeout=900 mem=2G
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

N=${L2TPSEC_TEST_CLIENTS:-20}
topology_lan "$N"
users=()
for ((i = 1; i <= N; i++)); do users+=("user$i:password-$i"); done
server_users_write server "${users[@]}"
server_l2tpsecd_start server
l2tp_server_baseline
for ((i = 1; i <= N; i++)); do
	TEST_USER=user$i TEST_CLIENT_PASSWORD=password-$i
	client_ipsec_setup "c$i" winxp "$SERVER_IP"
	client_l2tp_setup "c$i" "$SERVER_IP"
done

# All at once: every client starts IPsec, then L2TP as soon as its own SA is up.
t0=$(now_ms)
for ((i = 1; i <= N; i++)); do
	ns_bg "c$i" "$(ns_log_dir "c$i")/ipsec-up.log" ipsec up vpn >/dev/null
done
sa_up() { file_has "$(ns_log_dir "$1")/charon.log" "CHILD_SA vpn{"; }
connected=()
for ((i = 1; i <= N; i++)); do
	if wait_for 300 "c$i's IPsec SA" sa_up "c$i"; then
		client_l2tp_connect "c$i"
		connected+=("$i")
	fi
done
tap_is "${#connected[@]}" "$N" "all $N clients got an IPsec SA"
addresses=()
for i in "${connected[@]}"; do
	if wait_ppp_address "c$i" 300; then addresses+=("$PPP_LOCAL"); fi
done
metric all_connected_ms "$(($(now_ms) - t0))" ms
tap_is "${#addresses[@]}" "$N" "all $N clients have ppp0 up with an address"
distinct=$(printf '%s\n' "${addresses[@]}" | _bb sort -u | _bb wc -l)
tap_is "$distinct" "$N" "the $N addresses are distinct"
bad=$(printf '%s\n' "${addresses[@]}" | _bb grep -vcE "$PPP_POOL_ERE" || true)
tap_is "$bad" 0 "every address is from the pool"
tap_is "$(server_pppd_count)" "$N" "the server runs $N pppds"
tap_is "$(l2tp_kernel_tunnels)" "$N" "the server's kernel holds $N L2TP tunnels"

failed=0
for i in "${connected[@]}"; do
	ns_exec "c$i" ping -c 2 -i 0.2 -w 20 -I ppp0 "$PPP_SERVER_IP" >/dev/null 2>&1 || failed=$((failed + 1))
done
tap_is "$failed" 0 "every client pings the server over its ppp0"
failed=0
for a in "${addresses[@]}"; do
	ns_exec server ping -c 2 -i 0.2 -w 20 "$a" >/dev/null 2>&1 || failed=$((failed + 1))
done
tap_is "$failed" 0 "the server pings every client's PPP address"
l2tp_rss_metric l2tpsecd_rss_twenty_sessions
tap_is "$(grep -cE 'ppp#[0-9]+: user "user[0-9]+" authenticated \(MS-CHAPv2\)' "$L2TPSECD_LOG")" "$N" \
	"log: $N users authenticated, each once"

for i in "${connected[@]}"; do
	echo "d vpn" >"$(ns_run_dir "c$i")/xl2tpd/l2tp-control"
	ns_bg "c$i" "$(ns_log_dir "c$i")/ipsec-down.log" ipsec down vpn >/dev/null
done
l2tp_nothing_left "after all $N clients left" 180
