#!/bin/sh
# lifecycle.sh - l2tpsecd run for real on the host: -n, foreground and
# background start, pid file, second instance refused, SIGHUP reload (good and
# broken), SIGTERM clean exit, and the PSK never in the log.  IKE only
# (l2tp.enabled = false): the host kernel has no L2TP, so it runs in make check.
set -u
. "${top_srcdir:-.}/tests/harness/tap.sh"
: "${L2TPSECD:?set by make check}"

work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
psk='lifecycle-secret-9f3a'
# Ports of our own, so a test run never meets a real IKE daemon on 500/4500.
ike_port=$((20000 + $$ % 20000))

write_conf() {
	cat >"$work/l2tpsec.conf" <<CONF
ike = { psk = "$psk"; port = $ike_port; natt_port = $((ike_port + 1)); };
l2tp = { enabled = false; };
log = { file = "$work/l2tpsec.log"; syslog = false; level = "$1"; };
daemon = { pid_file = "$work/l2tpsecd.pid"; };
CONF
	chmod 600 "$work/l2tpsec.conf"
}

log_has() { grep -F -q -- "$1" "$work/l2tpsec.log"; }
pid_file_is() { [ "$(cat "$work/l2tpsecd.pid" 2>/dev/null)" = "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# -n on a good file
write_conf info
out=$("$L2TPSECD" -n -c "$work/l2tpsec.conf" 2>&1)
tap_is "$?:$out" "0:configuration OK" "-n on a valid configuration says configuration OK"

# -n on broken files: FILE:LINE: SETTING: reason, non-zero exit
printf 'log = { level = "info"; };\n' >"$work/nopsk.conf"
out=$("$L2TPSECD" -n -c "$work/nopsk.conf" 2>&1); rc=$?
tap_is "$rc:$out" "1:$work/nopsk.conf:1: ike.psk: required setting is missing (it has no default)" \
	"-n names the missing pre-shared key"
printf 'ike = { psk = "x"; };\nlog = {\n  levle = "info";\n};\n' >"$work/typo.conf"
out=$("$L2TPSECD" -n -c "$work/typo.conf" 2>&1); rc=$?
tap_is "$rc:$out" "1:$work/typo.conf:3: log.levle: unknown setting" "-n names a misspelt setting and its line"
printf 'ike = { psk = "x"; };\nlog = { level = "loud"; };\n' >"$work/level.conf"
out=$("$L2TPSECD" -n -c "$work/level.conf" 2>&1); rc=$?
tap_like "$rc:$out" "^1:$work/level.conf:2: log.level: must be one of .*: \"loud\"$" \
	"-n rejects a bad value and quotes it"
printf 'ike = { psk = 42; };\n' >"$work/type.conf"
out=$("$L2TPSECD" -n -c "$work/type.conf" 2>&1); rc=$?
tap_is "$rc:$out" "1:$work/type.conf:1: ike.psk: must be a string in double quotes" "-n rejects a wrong type"
printf 'ike = { psk = "x" \n' >"$work/syntax.conf"
out=$("$L2TPSECD" -n -c "$work/syntax.conf" 2>&1); rc=$?
tap_like "$rc:$out" "^1:$work/syntax.conf:[0-9]+: syntax: " "-n reports a syntax error with its line"
out=$("$L2TPSECD" -n -c "$work/absent.conf" 2>&1); rc=$?
tap_like "$rc:$out" "^1:$work/absent.conf: cannot open: No such file" "-n reports a missing file"

# foreground start
"$L2TPSECD" -f -c "$work/l2tpsec.conf" 2>"$work/stderr" &
pid=$!
tap_wait 30 "foreground daemon writes its pid file" pid_file_is "$pid"
tap_wait 30 "start-up line in the log file" log_has "starting (pid $pid, configuration $work/l2tpsec.conf)"
tap_wait 30 "the IKE sockets are up" log_has "listening for IKE on every address, UDP $ike_port and $((ike_port + 1))"
out=$("$L2TPSECD" -f -c "$work/l2tpsec.conf" 2>&1); rc=$?
tap_is "$rc:$out" "1:l2tpsecd: already running (pid $pid holds $work/l2tpsecd.pid)" \
	"a second instance is refused and names the running one"
tap_ok "the refused start left the running daemon alone" kill -0 "$pid"

# reload: good, then broken
write_conf debug
kill -HUP "$pid"
tap_wait 30 "SIGHUP reloads the configuration" log_has "configuration reloaded from $work/l2tpsec.conf"
tap_ok "unchanged sockets are not reported as changed" sh -c "! grep -q 'take effect at the next start' '$work/l2tpsec.log'"
printf 'ike = { psk = "x"; };\nbogus = 1;\n' >"$work/l2tpsec.conf"
kill -HUP "$pid"
tap_wait 30 "a broken file on SIGHUP keeps the running configuration and says why" \
	log_has "reload failed, keeping the running configuration: $work/l2tpsec.conf:2: bogus: unknown setting"
tap_ok "the daemon survives a broken reload" kill -0 "$pid"

# SIGTERM: clean exit
kill -TERM "$pid"
wait "$pid"; rc=$?
tap_is "$rc" 0 "SIGTERM: exit status 0"
tap_ok "SIGTERM: pid file removed" test ! -e "$work/l2tpsecd.pid"
tap_ok "SIGTERM: shutdown logged" log_has "received SIGTERM, shutting down"
tap_ok "the pre-shared key never reached the log" sh -c "! grep -F -q '$psk' '$work/l2tpsec.log' '$work/stderr'"

# background start: the command returns once the daemon is up
write_conf info
"$L2TPSECD" -c "$work/l2tpsec.conf"; rc=$?
tap_is "$rc" 0 "background start returns 0 once the daemon is up"
bgpid=$(cat "$work/l2tpsecd.pid" 2>/dev/null)
# (never "kill 0": that would signal this test's whole process group, make included)
case $bgpid in '' | *[!0-9]*) bgpid=999999999 ;; esac
tap_ok "the pid file names a live background daemon" kill -0 "$bgpid"
kill -TERM "$bgpid" 2>/dev/null
tap_wait 30 "background daemon exits on SIGTERM" gone "$bgpid"
tap_ok "background daemon removed its pid file" test ! -e "$work/l2tpsecd.pid"

# world-readable configuration: a warning that names the file
write_conf info
chmod 644 "$work/l2tpsec.conf"
"$L2TPSECD" -f -c "$work/l2tpsec.conf" 2>"$work/stderr" &
pid=$!
tap_wait 30 "a world-readable configuration is warned about" \
	log_has "$work/l2tpsec.conf is readable by group or others and holds the pre-shared key"
kill -TERM "$pid"; wait "$pid"

tap_done
