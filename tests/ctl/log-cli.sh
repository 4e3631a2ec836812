#!/bin/sh
# log-cli.sh - "l2tpsecctl log" for real on the recorded server logs of
# tests/data/logs/: --user (one that connected, one that only failed, one
# that is not there), --peer, --serial, --since, --json, the log file named
# by the configuration, usage errors, the journal (none on PATH; a stand-in
# journalctl, whole and -f), and -f on a growing file: the held IKE lines
# printed when the user's name appears, then live lines, through a rotation
# and a truncation.
#
#   l2tpsecctl log --(reads)--> tests/data/logs/*.log, or $work/live.log that
#                               this script appends to, moves and truncates
#                  --(runs)---> $work/bin/journalctl: cats a converted log
set -u
. "${top_srcdir:-.}/tests/harness/tap.sh"
: "${L2TPSECCTL:?set by make check}"

logs=$(cd "${top_srcdir:-.}/tests/data/logs" && pwd)
work=$(mktemp -d)
follower=
trap '[ -n "$follower" ] && kill $follower 2>/dev/null; rm -rf "$work"' EXIT

cat >"$work/l2tpsec.conf" <<CONF
ike = { psk = "log-cli-not-a-secret"; };
log = { file = "$logs/l2tp-wrong-password.log"; };
CONF
cat >"$work/syslog.conf" <<CONF
ike = { psk = "log-cli-not-a-secret"; };
log = { syslog = true; };
CONF

ctl() { "$L2TPSECCTL" -c "$work/l2tpsec.conf" --colour=never "$@"; }
# ctl with its stdout, stderr and status in $out, $err, $rc; $lines counts stdout
run() {
	ctl "$@" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	lines=$(wc -l <"$work/out" | tr -d ' ')
}

# --- one user that connected, from the file given on the command line
run log --file "$logs/l2tp-winxp-direct.log" --user testuser
tap_is "$rc" 0 "--user testuser: exit 0"
tap_is "$lines" 54 "--user testuser: the 54 lines of its chain"
tap_is "$(sed -n 1p "$work/out")" \
	"2026-11-28 07:46:23.098 INFO   #1: responding to Main Mode from unknown peer 192.0.2.2" \
	"--user testuser: starts with the Main Mode, before the name was known"
tap_is "$(grep -c 'packet from 192.0.2.2:500' "$work/out")" 5 "--user testuser: its Vendor ID lines"
tap_like "$out" '#2 tun#1 ses#1 ppp#1: user "testuser" authenticated' "--user testuser: the PPP line"
tap_is "$(grep -c 'starting (pid\|shutting down' "$work/out")" 0 "--user testuser: not the daemon's lines"

# --- two users in one log; the file named by the configuration's log.file
run log --user alice
tap_is "$rc" 0 "--user alice (log.file from the configuration): exit 0"
tap_is "$lines" 55 "--user alice: 55 lines"
tap_is "$(grep -c 'mallory\|192\.0\.2\.12\|#3\|#4' "$work/out")" 0 "--user alice: nothing of mallory's"
run log --user MALLORY
tap_is "$lines" 48 "--user MALLORY (any case): the failed login's 48 lines"
tap_like "$out" 'user "mallory": authentication failed \(MS-CHAPv2\): wrong password' \
	"--user mallory: why the login failed"
tap_is "$(grep -c 'alice\|192\.0\.2\.11' "$work/out")" 0 "--user mallory: nothing of alice's"
run log --user bob
tap_is "$rc" 1 "--user bob (not in the log): exit 1"
tap_is "$err" 'l2tpsecctl: log: no lines for user "bob"' "--user bob: says so on stderr"
tap_is "$out" "" "--user bob: nothing on stdout"

# --- the other filters
run log --file "$logs/l2tp-win10-nat.log" --peer 198.51.100.1
tap_is "$lines" 57 "--peer (the NAT's public address): 57 lines"
run log --file "$logs/l2tp-win10-nat.log" --peer 192.168.77.2
tap_is "$rc" 1 "--peer (the private address behind the NAT): exit 1"
run log --serial tun#2
tap_is "$lines" 48 "--serial tun#2: mallory's chain"
run log --serial 1
tap_is "$lines" 55 "--serial 1: alice's chain"
run log --since "2026-11-28 08:03:27"
tap_is "$lines" 4 "--since a time, no filter: the last 4 lines"
run log --user alice --since "2026-11-28 08:03:25"
tap_is "$lines" 6 "--user alice --since: alice's lines from then on"
run log
tap_is "$lines" 110 "no filter: every line"

# --- JSON
run --json log --user mallory
tap_is "$lines" 48 "--json: one object per line"
tap_is "$(sed -n 1p "$work/out")" \
	'{"time":"2026-11-28 08:03:11.064","level":"INFO","prefix":"#3","message":"responding to Main Mode from unknown peer 192.0.2.12","chain":3}' \
	"--json: the first line"
tap_like "$out" '"level":"WARN","prefix":"#4 tun#2 ses#2 ppp#2","message":"user \\"mallory\\": authentication failed' \
	"--json: quotes escaped"
tap_is "$(grep -vc '^{"time":"[^"]*","level":"[A-Z]*","prefix":"[^"]*","message":".*","chain":3}$' "$work/out")" 0 \
	"--json: every line has the same shape"

# --- usage errors and sources
run log --user alice --peer 192.0.2.2
tap_is "$rc" 2 "two filters: usage error"
run log --peer not-an-address
tap_is "$rc" 2 "--peer not an address: usage error"
run log --serial tun3
tap_is "$rc" 2 "--serial tun3: usage error"
run log --since yesterday
tap_is "$rc" 2 "--since yesterday: usage error"
run log stray
tap_is "$rc" 2 "a stray argument: usage error"
run log --help
tap_is "$rc" 0 "--help: exit 0"
tap_like "$out" '^usage: l2tpsecctl log' "--help: the usage on stdout"
run log --file "$work/missing.log"
tap_is "$rc" 1 "a missing file: exit 1"
tap_like "$err" "missing.log: No such file or directory" "a missing file: says so"
"$L2TPSECCTL" -c "$work/none.conf" log --user alice >"$work/out" 2>"$work/err"
tap_is "$?" 1 "no configuration and no --file: exit 1"
tap_like "$(cat "$work/err")" "name the log with --file" "no configuration: says what to do"
PATH=$work "$L2TPSECCTL" -c "$work/syslog.conf" log --user alice >"$work/out" 2>"$work/err"
tap_is "$?" 1 "syslog without journalctl: exit 1"
tap_like "$(cat "$work/err")" "cannot run journalctl" "syslog without journalctl: says so"

# --- the journal: a stand-in journalctl prints a recorded log the way
# "journalctl -o short-iso-precise" would (no level; ident[pid] instead)
mkdir "$work/bin"
sed -E 's/^([0-9-]{10}) ([0-9:.]{12}) [A-Z]+ +/\1T\2000+00:00 vpn l2tpsecd[583]: /' \
	"$logs/l2tp-winxp-direct.log" >"$work/journal.txt"
cat >"$work/bin/journalctl" <<EOF
#!/bin/sh
echo "\$*" >"$work/journalctl.args"
cat "$work/journal.txt"
case "\$*" in *-f*) sleep 1 ;; esac
EOF
chmod +x "$work/bin/journalctl"
jctl() { PATH="$work/bin:$PATH" "$L2TPSECCTL" -c "$work/syslog.conf" --colour=never "$@"; }
jctl log --user testuser >"$work/out" 2>"$work/err"
tap_is "$?" 0 "journal: exit 0"
tap_is "$(wc -l <"$work/out" | tr -d ' ')" 54 "journal: --user testuser, the same 54 lines"
tap_like "$(sed -n 1p "$work/out")" \
	'^2026-11-28T07:46:23.098000\+00:00 vpn l2tpsecd\[583\]: #1: responding to Main Mode' \
	"journal: lines as journalctl wrote them"
tap_is "$(cat "$work/journalctl.args")" "-t l2tpsecd -o short-iso-precise --no-pager" \
	"journal: journalctl's arguments"
jctl --json log --since "2026-11-28 07:46:32" >"$work/out" 2>"$work/err"
tap_is "$(sed -n 1p "$work/out")" \
	'{"time":"2026-11-28T07:46:32.491000+00:00","level":null,"prefix":"","message":"received SIGTERM, shutting down","chain":null}' \
	"journal --json: no level"
jctl log -f --user testuser >"$work/out" 2>"$work/err"
tap_is "$?" 1 "journal -f: exit 1 when journalctl stops"
tap_is "$(wc -l <"$work/out" | tr -d ' ')" 54 "journal -f: the 54 lines before that"
tap_is "$(cat "$work/err")" "l2tpsecctl: log: journalctl stopped" "journal -f: says journalctl stopped"
tap_is "$(cat "$work/journalctl.args")" "-t l2tpsecd -o short-iso-precise --no-pager -f -n all" \
	"journal -f: journalctl's arguments"

# --- -f on a growing, rotated, truncated file
live=$work/live.log
head -n 70 "$logs/l2tp-wrong-password.log" >"$live"
ctl log -f --file "$live" --user mallory >"$work/follow" 2>"$work/follow.err" &
follower=$!
count() { [ "$(wc -l <"$work/follow" | tr -d ' ')" -eq "$1" ]; }
sleep 0.5
tap_ok "-f: nothing while mallory is not named yet" count 0
sed -n '71,110p' "$logs/l2tp-wrong-password.log" >>"$live"
tap_wait 10 "-f: the held lines and the rest once mallory is named (48)" count 48
tap_is "$(sed -n 1p "$work/follow")" \
	"2026-11-28 08:03:11.064 INFO   #3: responding to Main Mode from unknown peer 192.0.2.12" \
	"-f: the held lines first, in order"
mv "$live" "$live.1"
echo "2026-11-28 08:03:30.000 INFO   #4 tun#2: after the rotation" >"$live"
tap_wait 10 "-f: follows the new file after a rotation" count 49
: >"$live"
sleep 0.5
echo "2026-11-28 08:03:31.000 INFO   #3: after the truncation" >>"$live"
tap_wait 10 "-f: reads a truncated file from its start" count 50
echo "2026-11-28 08:03:32.000 INFO   #1: alice's, not mallory's" >>"$live"
sleep 0.5
tap_ok "-f: still only mallory's lines" count 50
tap_ok "-f: still running" kill -0 "$follower"
kill "$follower"
wait "$follower" 2>/dev/null
follower=
tap_is "$(cat "$work/follow.err")" "" "-f: nothing on stderr"

tap_done
