#!/usr/bin/env bash
# ike-rate.sh - issue 6, benchmark 1: IKEv1 Main Mode + Quick Mode handshakes per second in
# one VM boot, l2tpsecd vs strongSwan's charon vs libreswan's pluto as the responder, each
# alone in the server namespace with real kernel SAs, the same suite (AES128/SHA1/MODP2048,
# ESP AES128/HMAC-SHA1, transport UDP/1701, no PFS: Debian 12's libreswan has no MODP1024),
# the same concurrency sweep; bench/l2tpsec-ikeload in the client namespace, one source
# address per client from 10.64.0.0/16 (routed to the client's lo as local addresses), with
# Deletes after QM3 so every responder frees its state.  `openssl speed ffdh2048` in the same
# VM is the ceiling.  A benchmark, not a test: run it with
#   tests/vm/vm-run bench/vm/ike-rate.sh   (or scripts/bench vm)
# vm: timeout=2400 mem=2G
#
#   +------------------------------+          +--------------------------------+
#   | server                       |          | client                         |
#   | eth0 192.0.2.1/24            |----------| eth0 192.0.2.2/24              |
#   | l2tpsecd | charon | pluto    |          | lo: local 10.64.0.0/16         |
#   | route 10.64.0.0/16 via .2    |          | bench/l2tpsec-ikeload          |
#   +------------------------------+          +--------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../../tests/vm/lib.sh"
# shellcheck source=tests/vm/libreswan.sh
. "$(dirname "$0")/../../tests/vm/libreswan.sh"
# shellcheck source=bench/vm/responders.sh
. "$(dirname "$0")/responders.sh"
# shellcheck source=bench/vm/generator.sh
. "$(dirname "$0")/generator.sh"

SWEEP=${L2TPSEC_TEST_BENCH_SWEEP:-1 8 64 256}
DURATION=${L2TPSEC_TEST_BENCH_DURATION:-15}
GEN_DH=${L2TPSEC_TEST_BENCH_GEN_DH---light-dh}
HZ=100

generator_topology


# sweep NAME PID: the load generator at every concurrency against the responder PID.
declare -A R=()
sweep() {
	local name=$1 pid=$2 c before after out line
	for c in $SWEEP; do
		before=$(cpu_ticks "$pid")
		out=$(ns_exec client "$LOAD" --server "$SERVER_IP" --psk "$TEST_PSK" --sources 10.64.0.0/16 \
			--concurrency "$c" --duration "$DURATION" --timeout 30 --delete --quiet $GEN_DH 2>&1) || true
		after=$(cpu_ticks "$pid")
		printf '%s\n' "$out" >>"$RESULT_DIR/$name.txt"
		line=$(printf '%s\n' "$out" | grep '^RESULT' || echo "RESULT")
		{ printf '%s\n' "$out" | grep '^failure' || true; } | while read -r l; do tap_diag "$name c=$c $l"; done
		R[$name.rate.$c]=$(field rate "$line")
		R[$name.lat.$c]="$(field p50 "$line")/$(field p99 "$line")/$(field max "$line")"
		R[$name.fail.$c]="$(field failed "$line")/$(field started "$line")"
		R[$name.gen.$c]=$(awk -v s="$(field gen_cpu_s "$line")" -v n="$(field completed "$line")" \
			'BEGIN { if (n > 0) printf "%.2f", s * 1000 / n; else print "-" }')
		R[$name.cpu.$c]=$(awk -v t=$((after - before)) -v hz=$HZ -v n="$(field completed "$line")" \
			'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "-" }')
		metric "${name}_rate_c$c" "${R[$name.rate.$c]}" handshakes/s
		metric "${name}_cpu_c$c" "${R[$name.cpu.$c]}" ms/handshake
		log "$name c=$c: $line"
	done
	tap_ok test "${R[$name.rate.1]:--}" != - -a "${R[$name.rate.1]:-0}" != 0.0 \
		"$name: the load generator completes handshakes against it"
}

# ------------------------------------------------------------------ the ceiling
# Both vCPUs busy with Diffie-Hellman (openssl speed -multi 2), and one alone.
ceiling() {
	OPS_MULTI=$(openssl speed -multi 2 -seconds 3 ffdh2048 2>/dev/null | awk '/2048 bits ffdh/ { print $NF }' | tail -n 1)
	OPS=$(openssl speed -seconds 3 ffdh2048 2>/dev/null | awk '/2048 bits ffdh/ { print $NF }')
}
ceiling
metric openssl_ffdh2048 "$OPS" op/s
metric openssl_ffdh2048_multi2 "$OPS_MULTI" op/s
tap_like "$OPS" '^[0-9.]+$' "openssl speed ffdh2048 measured in the VM"
tap_like "$OPS_MULTI" '^[0-9.]+$' "openssl speed -multi 2 ffdh2048 measured in the VM"

for responder in l2tpsec strongSwan libreswan; do
	responder_start "$responder"
	sweep "$responder" "$RESPONDER_PID"
	responder_stop
done

# ------------------------------------------------------------------ the table
# ceiling: both vCPUs doing nothing but DH, two operations per handshake (the responder's
# key pair and g^xy); per handshake on one vCPU: 2 operations at the -multi 2 rate per vCPU.
row() { printf '#TABLE %-34s %12s %12s %12s %10s %s\n' "$@"; }
calc() { awk "BEGIN { $1 }" 2>&1 || echo "?"; }
CEIL=$(calc "printf \"%.0f\", $OPS_MULTI / 2")
CEIL_CPU=$(calc "printf \"%.2f\", 2000 / ($OPS_MULTI / 2)")
row measure l2tpsec strongSwan libreswan ceiling "ratios (l2tpsec/ceiling, l2tpsec/best other)"
for c in $SWEEP; do
	l=${R[l2tpsec.rate.$c]:-0} s=${R[strongSwan.rate.$c]:-0} p=${R[libreswan.rate.$c]:-0}
	[ "$l" != - ] || l=0; [ "$s" != - ] || s=0; [ "$p" != - ] || p=0
	ratio=$(calc "b = ($s > $p) ? $s : $p; printf \"%.0f%%, \", 100 * $l / $CEIL;
		if (b > 0) printf \"%.1fx\", $l / b; else printf \"(others 0)\"")
	row "handshakes/s, $c in flight" "$l" "$s" "$p" "$CEIL" "$ratio"
	row "latency p50/p99/max ms, $c" "${R[l2tpsec.lat.$c]:--}" "${R[strongSwan.lat.$c]:--}" \
		"${R[libreswan.lat.$c]:--}" - -
	cpu=${R[l2tpsec.cpu.$c]:--}
	eff=-
	[ "$cpu" = - ] || eff="$(calc "printf \"%.0f%% (DH share of the responder's CPU)\", 100 * $CEIL_CPU / $cpu")"
	row "responder CPU ms/handshake, $c" "$cpu" "${R[strongSwan.cpu.$c]:--}" \
		"${R[libreswan.cpu.$c]:--}" "$CEIL_CPU" "$eff"
	row "generator CPU ms/handshake, $c" "${R[l2tpsec.gen.$c]:--}" "${R[strongSwan.gen.$c]:--}" \
		"${R[libreswan.gen.$c]:--}" - -
	row "failed/started, $c" "${R[l2tpsec.fail.$c]:--}" "${R[strongSwan.fail.$c]:--}" \
		"${R[libreswan.fail.$c]:--}" - -
done
printf '#TABLE ceiling: openssl speed -multi 2 ffdh2048 = %s op/s on 2 vCPUs (one vCPU alone: %s) / 2 operations per handshake\n' "$OPS_MULTI" "$OPS"
printf '#TABLE the generator (%s) shares the 2 vCPUs (TCG) with the responder: compare the CPU rows too\n' "${GEN_DH:-full DH}"
