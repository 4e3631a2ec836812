#!/usr/bin/env bash
# bench-generator.sh - issue 6: the load generator's correctness test.  bench/l2tpsec-ikeload
# must complete Main Mode + Quick Mode against all three responders (l2tpsecd, strongSwan's
# charon, libreswan's pluto; bench/vm/responders.sh starts each alone with the same suite),
# with a fresh key pair per client and with --light-dh, and its Deletes must leave the
# responder's kernel empty.  Then --session against l2tpsecd as the whole server: each
# simulated client holds an address through ESP, L2TP and PPP, one pppd and one kernel L2TP
# tunnel per session on the server.
#
#   +------------------------------+          +--------------------------------+
#   | server                       |          | client                         |
#   | eth0 192.0.2.1/24            |----------| eth0 192.0.2.2/24              |
#   | l2tpsecd | charon | pluto    |          | lo: local 10.64.0.0/16         |
#   | route 10.64.0.0/16 via .2    |          | bench/l2tpsec-ikeload          |
#   +------------------------------+          +--------------------------------+
# vm: timeout=900 mem=2G
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/libreswan.sh
. "$(dirname "$0")/../libreswan.sh"
# shellcheck source=bench/vm/responders.sh
. "$(dirname "$0")/../../../bench/vm/responders.sh"
# shellcheck source=bench/vm/generator.sh
. "$(dirname "$0")/../../../bench/vm/generator.sh"

COUNT=12

generator_topology

server_states_gone() { [ "$(xfrm_count server state)" = 0 ]; }

# generate NAME ARGS...: COUNT clients, 4 in flight, Deletes after QM3; checks the RESULT line.
generate() {
	local name=$1 how=$2 out line
	shift 2
	out=$(ns_exec client "$LOAD" --server "$SERVER_IP" --psk "$TEST_PSK" --sources 10.64.0.0/16 \
		--concurrency 4 --count "$COUNT" --timeout 60 --delete --quiet "$@" 2>&1) || true
	printf '%s\n' "$out" >>"$RESULT_DIR/generator-$name.txt"
	line=$(printf '%s\n' "$out" | grep '^RESULT ' || echo RESULT)
	{ printf '%s\n' "$out" | grep '^failure' || true; } | while read -r l; do tap_diag "$name: $l"; done
	tap_is "$(field completed "$line")/$(field failed "$line")" "$COUNT/0" \
		"$name: the generator completes $COUNT handshakes ($how), none failed"
	wait_for 60 "$name: the responder's SAs deleted" server_states_gone || true
	tap_is "$(xfrm_count server state)" 0 "$name: the Deletes left no SA in the responder's kernel"
}

for responder in l2tpsec strongSwan libreswan; do
	responder_start "$responder"
	generate "$responder" "one light key pair" --light-dh
	generate "$responder-full-dh" "a fresh key pair per client"
	responder_stop
done

# ------------------------------------------------------------------ --session
SESSIONS=4
server_users_write server "$TEST_USER:$TEST_PASSWORD"
server_l2tpsecd_start server "listen = \"$SERVER_IP\";"
out=$RESULT_DIR/generator-session.txt
gen=$(ns_bg client "$out" "$LOAD" --server "$SERVER_IP" --psk "$TEST_PSK" --sources 10.64.0.0/16 \
	--session --user "$TEST_USER" --password "$TEST_PASSWORD" --count "$SESSIONS" \
	--concurrency 2 --timeout 120 --quiet --light-dh)
holding() { grep -q '^holding' "$out"; }
wait_for 300 "the generator holds its sessions" holding || true
sline=$(grep '^RESULT_SESSION' "$out" || echo RESULT_SESSION)
tap_is "$(field held "$sline")" "$SESSIONS" "--session: the generator holds $SESSIONS sessions (IKE + ESP + L2TP + PPP)"
tap_is "$(l2tpsecd_log_count 'authenticated \(MS-CHAPv2\), address')" "$SESSIONS" \
	"--session: l2tpsecd authenticated $SESSIONS sessions and gave each an address"
tap_is "$(ns_exec server ip l2tp show tunnel | grep -c '^Tunnel' || true)" "$SESSIONS" \
	"--session: one kernel L2TP tunnel per session on the server"
kill -TERM "$gen" 2>/dev/null || true
gen_gone() { ! kill -0 "$gen" 2>/dev/null; }
wait_for 120 "the generator gone (it removes its own SAs)" gen_gone || true
tap_is "$(xfrm_count client state)" 0 "--session: the generator removed its own SAs at SIGTERM"
