#!/usr/bin/env bash
# sessions.sh - issue 6, benchmark 3: hold as many full sessions (IKE + ESP + L2TP + pppd +
# address) as the VM's memory allows.  l2tpsecd (release build) in the server namespace with
# one user and a pool of ~10,000 addresses; bench/l2tpsec-ikeload --session in the client
# namespace, one source address per client from 10.64.0.0/16, each client with its own ESP SA
# pair in the client's kernel, its own L2TP tunnel + session from source:1701, and a minimal
# PPP peer (LCP, MS-CHAPv2, IPCP) that keeps its address and answers LCP echoes.  Ramps to
# each N of L2TPSEC_TEST_BENCH_RAMP (a fresh l2tpsecd each time) and stops after the first N
# that did not hold.  For each N: sessions held, setup rate, l2tpsecd VmRSS before/after and
# per session (pppd excluded), pppd Pss/Private/Shared per session (smaps_rollup), and the
# time from SIGTERM to l2tpsecd until `ip l2tp show tunnel` and `ip xfrm state` are empty
# and no pppd is left, with the CPU per session of each phase.  Optional:
# L2TPSEC_TEST_BENCH_STRACE_TEARDOWN=1 (strace -T of l2tpsecd's teardown; perf record -a
# gathered almost no samples under TCG), L2TPSEC_TEST_BENCH_LOG_LEVEL (default notice).
# A benchmark, not a test: run it with
#   tests/vm/vm-run bench/vm/sessions.sh   (or scripts/bench sessions)
# vm: timeout=2700 mem=4G
# (the default ramp took 24 minutes under TCG on a 2-core host; a timeout loses the table)
#
#   +------------------------------+          +-----------------------------------+
#   | server                       |          | client                            |
#   | eth0 192.0.2.1/24            |----------| eth0 192.0.2.2/24                 |
#   | l2tpsecd + N pppd            |          | lo: local 10.64.0.0/16            |
#   | route 10.64.0.0/16 via .2    |          | l2tpsec-ikeload --session (N SAs) |
#   +------------------------------+          +-----------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../../tests/vm/lib.sh"
# shellcheck source=bench/vm/generator.sh
. "$(dirname "$0")/generator.sh"

RAMP=${L2TPSEC_TEST_BENCH_RAMP:-100 500 1000 2000}
CONCURRENCY=${L2TPSEC_TEST_BENCH_CONCURRENCY:-32}
SETUP_TIMEOUT=${L2TPSEC_TEST_BENCH_SETUP_TIMEOUT:-900}
GEN_DH=${L2TPSEC_TEST_BENCH_GEN_DH---light-dh}
PPP_LOCAL=100.64.0.1
PPP_POOL=100.64.0.10-100.64.39.255
[ -f "$L2TPSEC_BUILD_DIR/ppp-glue/plugin/l2tpsec.so" ] || lib_abort "no ppp-glue/plugin/l2tpsec.so in L2TPSEC_TEST_BUILD"
ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || true
log "open files limit: $(ulimit -n); memory: $(grep MemTotal /proc/meminfo)"

generator_topology
server_users_write server "$TEST_USER:$TEST_PASSWORD"
ns_write server /etc/ppp/options <<-'EOF2'
	# written by bench/vm/sessions.sh: no system-wide pppd options, no ip-up hooks
EOF2

busy_ticks() { # busy_ticks: all CPUs' non-idle ticks since boot (/proc/stat)
	local cpu user nice system idle iowait irq softirq steal rest
	read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
	echo $((user + nice + system + irq + softirq + steal))
}
pppd_pids() {
	local p comm
	for p in $(ip netns pids "$(ns_real server)" 2>/dev/null); do
		comm=""
		read -r comm <"/proc/$p/comm" 2>/dev/null || true
		[ "$comm" != pppd ] || echo "$p"
	done
}
# pppd_memory: "COUNT PSS PRIVATE SHARED" (KiB, summed over the server's pppds, smaps_rollup).
# shellcheck disable=SC2016 # awk programs
pppd_memory() {
	local p
	for p in $(pppd_pids); do cat "/proc/$p/smaps_rollup" 2>/dev/null || true; done |
		_bb awk '/^Rss:/ { n++ } /^Pss:/ { pss += $2 } /^Private_(Clean|Dirty):/ { priv += $2 }
			/^Shared_(Clean|Dirty):/ { shared += $2 } END { printf "%d %d %d %d\n", n, pss, priv, shared }'
}
server_tunnels() { ns_exec server ip l2tp show tunnel 2>/dev/null | _bb grep -c '^Tunnel' || true; }
server_empty() {
	[ "$(server_tunnels)" = 0 ] && [ "$(xfrm_count server state)" = 0 ] && [ -z "$(pppd_pids)" ]
}

declare -A R=()
RAN=()
last_ok=0
for N in $RAMP; do
	log "---- ramp to $N sessions"
	L2TPSECD_LOG=$(ns_log_dir server)/l2tpsec-$N.log
	L2TPSECD_CONF=$WORK/l2tpsec-sessions.conf
	cat >"$L2TPSECD_CONF" <<-EOF2
		# written by bench/vm/sessions.sh: the whole server, logging as an admin runs it
		ike = { psk = "$TEST_PSK"; listen = "$SERVER_IP"; half_open_total = 100000; };
		log = { file = "$L2TPSECD_LOG"; syslog = false; level = "${L2TPSEC_TEST_BENCH_LOG_LEVEL:-notice}"; };
		daemon = { pid_file = "$(ns_run_dir server)/l2tpsecd.pid"; };
		ppp = { local_address = "$PPP_LOCAL"; pool = "$PPP_POOL";
		        plugin = "$L2TPSEC_BUILD_DIR/ppp-glue/plugin/l2tpsec.so"; };
		users = { file = "$L2TPSECD_USERS"; };
	EOF2
	chmod 600 "$L2TPSECD_CONF"
	pid=$(ns_bg server "$(ns_log_dir server)/l2tpsecd-$N.stderr" \
		"$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" -f -c "$L2TPSECD_CONF")
	wait_for 60 "l2tpsecd listening for L2TP" file_has "$L2TPSECD_LOG" "listening for L2TP" ||
		lib_abort "l2tpsecd did not start: $(tail -n 5 "$L2TPSECD_LOG" "$(ns_log_dir server)/l2tpsecd-$N.stderr" 2>&1)"
	lib_sleep 1
	rss_before=$(pid_rss_kib "$pid")
	base_policies=$(xfrm_count server policy)

	out=$RESULT_DIR/sessions-$N.txt
	daemon_ticks0=$(cpu_ticks "$pid")
	busy0=$(busy_ticks)
	t0=$(now_ms)
	gen=$(ns_bg client "$out" "$LOAD" --server "$SERVER_IP" --psk "$TEST_PSK" --sources 10.64.0.0/16 \
		--session --user "$TEST_USER" --password "$TEST_PASSWORD" --count "$N" \
		--concurrency "$CONCURRENCY" --timeout 120 --retransmit 2000 --quiet $GEN_DH)
	ramp_done() { grep -q '^holding' "$out" || ! kill -0 "$gen" 2>/dev/null; }
	wait_for "$SETUP_TIMEOUT" "the generator's ramp to $N" ramp_done || true
	ramp_ms=$(($(now_ms) - t0))
	# Where the CPU went during the ramp (ms per session): l2tpsecd, the pppds (their whole
	# life so far), the generator, and everything the VM was busy with.
	daemon_ticks=$(($(cpu_ticks "$pid") - daemon_ticks0))
	busy=$(($(busy_ticks) - busy0))
	gen_ticks=$(cpu_ticks "$gen")
	pppd_ticks=0 pppd_user=0
	for p in $(pppd_pids); do
		read -r u st <<<"$(cpu_ticks_user_system "$p")"
		pppd_ticks=$((pppd_ticks + u + st)) pppd_user=$((pppd_user + u))
	done
	line=$(grep '^RESULT ' "$out" || echo RESULT)
	sline=$(grep '^RESULT_SESSION' "$out" || echo RESULT_SESSION)
	{ grep '^failure' "$out" || true; } | while read -r l; do tap_diag "N=$N $l"; done
	held=$(field held "$sline")
	[ "$held" != - ] || held=0
	lib_sleep 5     # let every pppd finish its start-up before measuring
	rss_after=$(pid_rss_kib "$pid" || echo 0)
	read -r pppds pss priv shared <<<"$(pppd_memory)"
	tunnels=$(server_tunnels)
	states=$(xfrm_count server state)
	R[$N.held]=$held
	R[$N.rate]=$(field session_rate "$sline")
	R[$N.lat]="$(field session_p50 "$sline")/$(field session_p99 "$sline")/$(field session_max "$sline")"
	R[$N.fail]="$(field failed "$line")/$(field started "$line")"
	R[$N.rss]="$rss_before -> $rss_after"
	R[$N.rss_per]=$(awk -v a="$rss_before" -v b="$rss_after" -v n="$held" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "-" }')
	R[$N.pppd]="$pppds"
	R[$N.pss]=$(awk -v s="$pss" -v n="$pppds" 'BEGIN { if (n > 0) printf "%.0f", s / n; else print "-" }')
	R[$N.priv]=$(awk -v s="$priv" -v n="$pppds" 'BEGIN { if (n > 0) printf "%.0f", s / n; else print "-" }')
	R[$N.shared]=$(awk -v s="$shared" -v n="$pppds" 'BEGIN { if (n > 0) printf "%.0f", s / n; else print "-" }')
	R[$N.kernel]="$tunnels/$states"
	per() { awk -v t="$1" -v n="$held" 'BEGIN { if (n > 0) printf "%.0f", t * 10 / n; else print "-" }'; }
	R[$N.cpu]="$(per "$daemon_ticks")/$(per "$pppd_ticks")/$(per "$gen_ticks")/$(per "$busy")"
	R[$N.pppd_user]="$(per "$pppd_user")/$(per $((pppd_ticks - pppd_user)))"
	log "N=$N: $line"
	log "N=$N: $sline; l2tpsecd VmRSS $rss_before -> $rss_after KiB; $pppds pppd, Pss $pss Private $priv Shared $shared KiB; kernel $tunnels tunnels $states SAs"
	tap_is "$held" "$N" "N=$N: the generator holds $N sessions"
	tap_is "$pppds" "$held" "N=$N: the server runs one pppd per session held"
	tap_is "$tunnels" "$held" "N=$N: the server's kernel holds one L2TP tunnel per session held"

	# Teardown: SIGTERM to l2tpsecd, until the kernel and the process table are empty.
	if [ -n "${L2TPSEC_TEST_BENCH_STRACE_TEARDOWN:-}" ]; then
		# Optional: every system call of l2tpsecd's teardown, with its duration.
		strace -f -tt -T -o "$RESULT_DIR/teardown-$N.strace" -p "$pid" 2>/dev/null &
		lib_sleep 2
	fi
	t0=$(now_ms)
	busy0=$(busy_ticks)
	kill -TERM "$pid" 2>/dev/null || true
	daemon_gone() { ! kill -0 "$pid" 2>/dev/null; }
	wait_for 600 "l2tpsecd gone, kernel and pppds empty ($N sessions)" \
		eval 'daemon_gone && server_empty' || true
	R[$N.teardown]=$(($(now_ms) - t0))
	R[$N.teardown_cpu]=$(per $(($(busy_ticks) - busy0)))
	R[$N.left]="$(server_tunnels)/$(xfrm_count server state)/$(xfrm_count server policy)/$(pppd_pids | _bb wc -l)"
	tap_ok server_empty "N=$N: nothing left in the server's kernel, no pppd (${R[$N.teardown]} ms)"
	tap_is "$(xfrm_count server policy)" 0 "N=$N: no policy left (the guard went with l2tpsecd; there were $base_policies)"
	metric "sessions_held_$N" "$held" sessions
	metric "sessions_rate_$N" "${R[$N.rate]}" sessions/s
	metric "sessions_daemon_kib_per_session_$N" "${R[$N.rss_per]}" KiB
	metric "sessions_pppd_pss_$N" "${R[$N.pss]}" KiB
	metric "sessions_pppd_private_$N" "${R[$N.priv]}" KiB
	metric "sessions_teardown_ms_$N" "${R[$N.teardown]}" ms

	kill -TERM "$gen" 2>/dev/null || true
	gen_gone() { ! kill -0 "$gen" 2>/dev/null; }
	wait_for 300 "the generator gone (it removes its SAs)" gen_gone || kill -KILL "$gen" 2>/dev/null || true
	ns_kill_all server
	printf 'xfrm state flush\nxfrm policy flush\n' | ns_exec client ip -batch - || true
	printf 'xfrm state flush\nxfrm policy flush\n' | ns_exec server ip -batch - || true
	log "N=$N: ramp ${ramp_ms} ms, teardown ${R[$N.teardown]} ms"
	RAN+=("$N")
	if [ "$held" != "$N" ]; then
		log "N=$N did not hold: the ramp stops here"
		break
	fi
	last_ok=$N
done
metric sessions_max_held "$last_ok" sessions

# ------------------------------------------------------------------ the table
row() { printf '#TABLE %-40s' "$1"; shift; printf ' %18s' "$@"; printf '\n'; }
row "measure (l2tpsecd, N sessions)" "${RAN[@]/#/N=}"
line_of() { local key=$1 n out=(); for n in "${RAN[@]}"; do out+=("${R[$n.$key]:--}"); done; printf '%s\n' "${out[@]}"; }
mapfile -t v < <(line_of held); row "sessions held" "${v[@]}"
mapfile -t v < <(line_of fail); row "failed/started" "${v[@]}"
mapfile -t v < <(line_of rate); row "setup rate, sessions/s" "${v[@]}"
mapfile -t v < <(line_of lat); row "setup ms p50/p99/max" "${v[@]}"
mapfile -t v < <(line_of cpu); row "CPU ms/session: l2tpsecd/pppd/gen/all" "${v[@]}"
mapfile -t v < <(line_of pppd_user); row "  pppd CPU ms/session: user/system" "${v[@]}"
mapfile -t v < <(line_of rss); row "l2tpsecd VmRSS KiB before -> after" "${v[@]}"
mapfile -t v < <(line_of rss_per); row "l2tpsecd KiB per session (no pppd)" "${v[@]}"
mapfile -t v < <(line_of pss); row "pppd Pss KiB per session" "${v[@]}"
mapfile -t v < <(line_of priv); row "pppd Private KiB per session" "${v[@]}"
mapfile -t v < <(line_of shared); row "pppd Shared KiB per session" "${v[@]}"
mapfile -t v < <(line_of kernel); row "server kernel held: tunnels/SAs" "${v[@]}"
mapfile -t v < <(line_of teardown); row "SIGTERM to empty kernel, ms" "${v[@]}"
mapfile -t v < <(line_of teardown_cpu); row "  VM CPU ms/session in the teardown" "${v[@]}"
mapfile -t v < <(line_of left); row "left: tunnels/SAs/policies/pppd" "${v[@]}"
printf '#TABLE goals (issue 6): >= 2000 sessions, >= 50 sessions/s, <= 8 KiB per idle session in the daemon\n'
printf '#TABLE CPU ms/session: during the ramp, l2tpsecd / the pppds (their life so far) / the generator / all of the VM (2 vCPUs)\n'
printf '#TABLE %s in flight; generator %s; ESP per client in the client kernel (no allow_clear); 2 vCPUs (TCG) shared by generator, l2tpsecd and the pppds\n' "$CONCURRENCY" "${GEN_DH:---full-dh}"
