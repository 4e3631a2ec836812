#!/bin/sh
# kernel-check.sh - l2tpsecd and the kernel check (daemon/kernel_check.h), on the
# host: -n never checks the kernel; a kernel without L2TP (this host's) makes the
# daemon refuse to start with one line, in the background and in the foreground,
# leaving no pid file; the IKE responder alone still starts, warning about a
# missing ESP.  On a kernel that has everything the refusal checks are reported
# as not applicable (the daemon started and was stopped again).
set -u
. "${top_srcdir:-.}/tests/harness/tap.sh"
: "${L2TPSECD:?set by make check}"

work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
# Ports of our own, so a run never meets a real IKE or L2TP daemon.
base=$((20000 + $$ % 20000))

write_conf() {
	cat >"$work/l2tpsec.conf" <<CONF
ike = { psk = "kernel-check-secret"; port = $base; natt_port = $((base + 1)); };
l2tp = { enabled = $1; port = $((base + 2)); };
log = { file = "$work/l2tpsec.log"; syslog = false; level = "info"; };
daemon = { pid_file = "$work/l2tpsecd.pid"; };
CONF
	chmod 600 "$work/l2tpsec.conf"
}
log_has() { grep -F -q -- "$1" "$work/l2tpsec.log"; }
# log_line LEVEL TEXT: a line of that level (ERR, WARN, ...) holding TEXT
log_line() { grep -F -- "$2" "$work/l2tpsec.log" | grep -q " $1 "; }
pid_file_is() { [ "$(cat "$work/l2tpsecd.pid" 2>/dev/null)" = "$1" ]; }
refusal='^l2tpsecd: this kernel lacks [A-Z0-9]+ \([a-z0-9_, ]+\)(, [A-Z0-9]+ \([a-z0-9_, ]+\))*: try "modprobe( -a)?( [a-z0-9_]+)+"'

write_conf true
out=$("$L2TPSECD" -n -c "$work/l2tpsec.conf" 2>&1)
tap_is "$?:$out" "0:configuration OK" "-n checks the configuration only, whatever the kernel"

# Background start: the refusal goes to stderr before the daemon detaches.
"$L2TPSECD" -c "$work/l2tpsec.conf" 2>"$work/stderr"; rc=$?
if [ "$rc" = 0 ]; then
	pid=$(cat "$work/l2tpsecd.pid" 2>/dev/null)
	case $pid in '' | *[!0-9]*) ;; *) kill -TERM "$pid" ;; esac
	tap_diag "this kernel has XFRM, ESP, L2TP and PPP: the daemon started (and was stopped)"
	tap_ok "a kernel with everything starts the daemon" test -n "$pid"
	tap_done
	exit
fi
line=$(cat "$work/stderr")
tap_diag "refused with: $line"
tap_is "$rc" 1 "a kernel without what the daemon needs: exit status 1"
tap_is "$(wc -l <"$work/stderr" | tr -d ' ')" 1 "one line on stderr"
tap_like "$line" "$refusal" "the line names each missing part, its modules and the modprobe to try"
tap_ok "no pid file is left" test ! -e "$work/l2tpsecd.pid"
tap_ok "the log file has the same line, level ERR" log_line ERR "${line#l2tpsecd: }"
lacks=${line#l2tpsecd: this kernel lacks }
lacks=${lacks%%: try *}

# Foreground: the same text through the stderr log sink.
"$L2TPSECD" -f -c "$work/l2tpsec.conf" 2>"$work/stderr"; rc=$?
tap_is "$rc" 1 "-f: exit status 1"
tap_like "$(cat "$work/stderr")" " ERR +this kernel lacks $(printf '%s' "$lacks" | sed 's/[()]/\\&/g'): try " \
	"-f: the refusal is logged to stderr"
tap_ok "-f: no pid file is left" test ! -e "$work/l2tpsecd.pid"

# The IKE responder alone needs XFRM only; a missing ESP is a warning.
write_conf false
: >"$work/l2tpsec.log"
"$L2TPSECD" -f -c "$work/l2tpsec.conf" 2>"$work/stderr" &
pid=$!
tap_wait 30 "l2tp.enabled = false starts on this kernel" pid_file_is "$pid"
case $lacks in
*"ESP (esp4)"*)
	tap_ok "the missing ESP is a warning" \
		log_line WARN "this kernel lacks ESP (esp4): no IPsec SA can be installed until \"modprobe esp4\" (l2tp.enabled = false: starting anyway)" ;;
*)
	tap_ok "ESP present: no warning about it" sh -c "! grep -q 'lacks ESP' '$work/l2tpsec.log'" ;;
esac
tap_ok "L2TP and PPP are not checked without L2TP" sh -c "! grep -q 'L2TP (\|PPP (' '$work/l2tpsec.log'"
kill -TERM "$pid"
wait "$pid"
tap_is "$?" 0 "and stops cleanly"
tap_done
