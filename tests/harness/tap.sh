# tap.sh - TAP helpers for host-side shell tests (sourced, POSIX sh).
#
#   tap_ok "name" CMD...        passes when CMD exits 0
#   tap_is "got" "expected" "name"
#   tap_like "text" "pattern" "name"    grep -E pattern in text
#   tap_wait SECONDS "name" CMD...      polls CMD every 0.1 s until it exits 0
#   tap_done                    prints the plan; exit status for the script
tap_n=0
tap_failed=0

tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
	fi
	return "$1"
}

tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

tap_ok() {
	tap_name=$1
	shift
	"$@" >/dev/null 2>&1
	tap_result $? "$tap_name"
}

tap_is() {
	if [ "$1" = "$2" ]; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3"
		tap_diag "  got:      $1" "  expected: $2"
		return 1
	fi
}

tap_like() {
	if printf '%s\n' "$1" | grep -E -q -- "$2"; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3"
		tap_diag "  pattern: $2" "  in:" "$1"
		return 1
	fi
}

# Polls a condition: the only way tests wait.
tap_wait() {
	tap_limit=$(($1 * 10))
	tap_name=$2
	shift 2
	tap_tries=0
	while ! "$@" >/dev/null 2>&1; do
		tap_tries=$((tap_tries + 1))
		if [ $tap_tries -ge $tap_limit ]; then
			tap_result 1 "$tap_name (waited ${tap_limit}00 ms)"
			return 1
		fi
		sleep 0.1
	done
	tap_result 0 "$tap_name"
}

tap_done() {
	echo "1..$tap_n"
	[ $tap_n -gt 0 ] || return 1
	[ $tap_failed -eq 0 ]
}
