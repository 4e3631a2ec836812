# shellcheck shell=bash
# generator.sh - sourced, not run: what the VM runs of bench/l2tpsec-ikeload share (the
# benchmarks bench/vm/ike-rate.sh and sessions.sh, and tests/vm/scenarios/bench-generator.sh).
#   LOAD                          the generator's binary in L2TPSEC_TEST_BUILD
#   generator_topology            server and client namespaces on one link; 10.64.0.0/16 is
#                                 local to the client (one source address per simulated
#                                 client) and routed to it from the server
#   field KEY LINE                the value of KEY=VALUE in the generator's RESULT line, or "-"
#   cpu_ticks PID                 utime + stime of PID in clock ticks (100 a second); 0 once gone
#   cpu_ticks_user_system PID     "UTIME STIME" of PID; "0 0" once gone
# Needs tests/vm/lib.sh sourced first.

LOAD=$L2TPSEC_BUILD_DIR/bench/l2tpsec-ikeload

generator_topology() {
	[ -x "$LOAD" ] || lib_abort "no $LOAD: build bench/l2tpsec-ikeload in L2TPSEC_TEST_BUILD"
	topology_direct
	printf 'route add local 10.64.0.0/16 dev lo\n' | ns_exec client ip -batch -
	printf 'route add 10.64.0.0/16 via %s\n' "$CLIENT_IP" | ns_exec server ip -batch -
}

field() { local f; for f in $2; do [ "${f%%=*}" = "$1" ] && echo "${f#*=}" && return; done; echo "-"; }

cpu_ticks_user_system() {
	local stat
	read -r stat <"/proc/$1/stat" 2>/dev/null || { echo "0 0"; return; }
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split the fields
	set -- $stat
	echo "${12} ${13}"
}

cpu_ticks() {
	local user system
	read -r user system <<<"$(cpu_ticks_user_system "$1")"
	echo $((user + system))
}
