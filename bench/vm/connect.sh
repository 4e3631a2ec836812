#!/usr/bin/env bash
# connect.sh - issue 6, benchmark 4: connect latency of one client, l2tpsecd vs today's stack
# (strongSwan + xl2tpd + pppd as the server, as tests/vm/scenarios/reference-*.sh run it), in
# one VM boot, same Windows-XP-like client (strongSwan 3DES/SHA1/MODP1024 + xl2tpd + pppd,
# MS-CHAPv2).  The time runs from the client's `ipsec up` to its ppp0 address.  One warm-up
# connection to the reference first (the first connection of a boot pays for loading modules
# and binaries over 9p), then ROUNDS rounds, each: l2tpsecd started, connect, hang up, stopped;
# then the reference started, connect, hang up, stopped.  Medians, minimum and maximum of each.
# A benchmark, not a test: run it with
#   tests/vm/vm-run bench/vm/connect.sh   (or scripts/bench latency)
# vm: timeout=1500 mem=1G
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server                      |          | client                      |
#   | eth0 192.0.2.1/24           |----------| eth0 192.0.2.2/24           |
#   | l2tpsecd, or the reference  |<==ESP====| strongSwan winxp, xl2tpd,   |
#   | ppp: 203.0.113.1            |          | pppd: 203.0.113.10-99       |
#   +-----------------------------+          +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../../tests/vm/lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/../../tests/vm/scenarios/l2tp.inc"

ROUNDS=${L2TPSEC_TEST_BENCH_ROUNDS:-5}

topology_direct
client_ipsec_setup client winxp "$SERVER_IP"
client_l2tp_setup client "$SERVER_IP"
reference_connect client winxp reference_warmup_ms

ours=() theirs=()
for ((r = 1; r <= ROUNDS; r++)); do
	# A fresh log each round: server_l2tpsecd_start waits for "listening" in it.
	[ ! -f "$(ns_log_dir server)/l2tpsec.log" ] ||
		mv "$(ns_log_dir server)/l2tpsec.log" "$(ns_log_dir server)/l2tpsec-round-$((r - 1)).log"
	server_l2tpsecd_start server
	l2tp_server_baseline
	rm -f "$(ppp_peer_file client)"
	l2tp_connect client strongswan "round $r, l2tpsecd"
	ours+=("$CONNECT_MS")
	metric "connect_ms_$r" "$CONNECT_MS" ms
	l2tp_disconnect client strongswan
	l2tp_nothing_left "round $r, l2tpsecd"
	kill -TERM "$L2TPSECD_PID" 2>/dev/null || true
	gone() { ! kill -0 "$L2TPSECD_PID" 2>/dev/null; }
	wait_for 60 "l2tpsecd stopped" gone || true
	ns_kill_all server
	printf 'xfrm state flush\nxfrm policy flush\n' | ns_exec server ip -batch -
	reference_connect client winxp "reference_connect_ms_$r"
	theirs+=("$REFERENCE_MS")
	log "round $r: l2tpsecd $CONNECT_MS ms, reference $REFERENCE_MS ms"
done

# stats A B C...: "median min max" of the numbers.
stats() { printf '%s\n' "$@" | sort -n | _bb awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d %d %d\n", m, v[1], v[NR] }'; }
read -r om omin omax <<<"$(stats "${ours[@]}")"
read -r tm tmin tmax <<<"$(stats "${theirs[@]}")"
metric connect_ms_median "$om" ms
metric reference_connect_ms_median "$tm" ms
row() { printf '#TABLE %-34s %14s %14s %10s\n' "$@"; }
row measure l2tpsec "strongSwan+xl2tpd" ratio
row "connect ms, median of $ROUNDS" "$om" "$tm" "$(_bb awk -v a="$om" -v b="$tm" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
row "connect ms, min" "$omin" "$tmin" -
row "connect ms, max" "$omax" "$tmax" -
row "connect ms, each round" "$(IFS=/; echo "${ours[*]}")" "$(IFS=/; echo "${theirs[*]}")" -
printf '#TABLE client: strongSwan (Windows XP profile) + xl2tpd + pppd, MS-CHAPv2; from `ipsec up` to the ppp0 address; ratio < 1: l2tpsec faster\n'
