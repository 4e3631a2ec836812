#!/bin/sh
# users-cli.sh - "l2tpsecctl user ..." for real on a temporary users file:
# add (hash checked against MD4(UTF-16LE(password)) computed by openssl),
# passwd, enable, disable, del, list (table and JSON, with and without a
# daemon), every refusal with exit 1 and its message, usage errors with exit
# 2, comments and bad lines kept, 2 x 20 concurrent adds, crashes at each
# point of the atomic replacement, the password prompt on a pseudo-terminal.
#
#   l2tpsecctl --(file)--> $work/users, $work/users.lock, $work/.users.XXXXXX
#       \----(unix socket)--> $work/ctl.sock: socat playing the daemon
set -u
. "${top_srcdir:-.}/tests/harness/tap.sh"
: "${L2TPSECCTL:?set by make check}"

work=$(mktemp -d)
fake_pid=
trap '[ -n "$fake_pid" ] && kill $fake_pid 2>/dev/null; rm -rf "$work"' EXIT
users=$work/users

cat >"$work/l2tpsec.conf" <<CONF
ike = { psk = "users-cli-not-a-secret"; };
ppp = { local_address = "10.8.0.1"; pool = "10.8.0.10-10.8.0.254"; };
users = { file = "$users"; };
CONF

ctl() { "$L2TPSECCTL" -c "$work/l2tpsec.conf" -s "$work/ctl.sock" "$@"; }
# ctl with its stdout, stderr and status in $out, $err, $rc
run() {
	ctl "$@" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}
run_with_password() {
	password=$1
	shift
	printf '%s\n' "$password" | ctl "$@" --password-stdin >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}
nt_hash() {
	printf %s "$1" | iconv -f UTF-8 -t UTF-16LE |
		openssl dgst -md4 -provider legacy -provider default | sed 's/.*= *//'
}
# The line of user $1 (exact name, fixed string) in the users file
line_of() { grep -F -- "$1:" "$users" | grep -F -x -e "$(grep -F -- "$1:" "$users" | head -n 1)" | head -n 1; }
field() { line_of "$1" | awk -F: '{ print $'"$2"' }'; }

# --- the start: no file yet ---
run user list
tap_is "$rc" 0 "list without a users file exits 0"
tap_like "$err" 'does not exist yet' "and says the file does not exist yet"
tap_like "$out" '^NAME +STATIC ADDRESS +ENABLED +CONNECTED +LAST SEEN$' "the table has its header"

printf '# users of the test\n\n' >"$users"
chmod 644 "$users"

# --- add, with the hash checked independently ---
run_with_password 'correct horse' user add alice
tap_is "$rc:$out" '0:user "alice" added' "add alice"
tap_is "$(field alice 2)" "$(nt_hash 'correct horse')" "alice's stored hash is MD4(UTF-16LE(password))"
tap_is "$(line_of alice | cut -d: -f3-)" ":enabled" "alice takes an address from the pool, enabled"
tap_is "$(stat -c %a "$users")" 600 "the users file is mode 0600 after the edit"
tap_is "$(stat -c %a "$users.lock")" 600 "the lock file users.lock is mode 0600"
tap_is "$(sed -n 1p "$users")|$(sed -n 2p "$users")" "# users of the test|" \
	"the comment and the blank line are kept in place"
grep -q -F 'correct horse' "$users" "$work/out" "$work/err"
tap_is $? 1 "the password is nowhere in the file or the output"

run_with_password 'pässwörd€😀' user add "Bob Smith" --static-ip 10.8.0.50 --disabled
tap_is "$rc" 0 "add a user with a space, a static address, disabled"
tap_is "$(line_of 'Bob Smith')" "Bob Smith:$(nt_hash 'pässwörd€😀'):10.8.0.50:disabled" \
	"a non-ASCII password hashes as Windows does (surrogate pair included)"

# --- passwd, enable, disable ---
before=$(cat "$users")
run_with_password 'battery staple' user passwd ALICE
tap_is "$rc:$out" '0:user "alice" has a new password' "passwd (the name in another case)"
tap_is "$(field alice 2)" "$(nt_hash 'battery staple')" "the new hash is stored"
tap_is "$(sed -n 3p "$users" | cut -d: -f1)" alice "alice keeps her line"

run user disable alice
tap_is "$rc:$out" '0:user "alice" disabled' "disable"
tap_is "$(field alice 4)" disabled "the state is disabled"
run user disable alice
tap_is "$rc:$out" '0:user "alice" is already disabled; nothing changed' "disable again: nothing to do"
run user enable alice
tap_is "$rc:$(field alice 4)" 0:enabled "enable"
tap_is "$(field alice 2)" "$(nt_hash 'battery staple')" "enable keeps the hash"

# --- list without a daemon ---
run user list
tap_is "$rc" 0 "list exits 0 without a daemon"
tap_like "$out" '^alice +pool +yes +- +-$' "alice's row: pool, enabled, - for connected and last seen"
tap_like "$out" '^Bob Smith +10\.8\.0\.50 +no +- +-$' "Bob Smith's row"
run --json user list
tap_is "$rc" 0 "--json list exits 0"
if command -v python3 >/dev/null 2>&1; then
	got=$(printf '%s' "$out" | python3 -c 'import json,sys
u = json.load(sys.stdin)
print(";".join("%s,%s,%s,%s,%s" % (x["name"], x["static_address"], x["enabled"], x["connected"], x["last_seen"]) for x in u))')
	tap_is "$got" "alice,None,True,None,None;Bob Smith,10.8.0.50,False,None,None" \
		"the JSON parses (python3) and says what the file says"
else
	tap_like "$out" '^\[\{"name":"alice","static_address":null,"enabled":true,"connected":null' \
		"the JSON has alice (grep: no python3)"
fi

# --- refusals: exit 1, a message, the file untouched ---
refuse() {
	want=$1
	name=$2
	shift 2
	before=$(cat "$users")
	run_with_password "${refuse_password-x}" "$@"
	tap_is "$rc" 1 "refused with exit 1: $name"
	tap_like "$err" "$want" "refused: $name: the message"
	tap_is "$(cat "$users")" "$before" "refused: $name: the file is untouched"
}
refuse "invalid user name \"a:b\": contains ':'" "a name with ':'" user add 'a:b'
refuse "invalid user name \"#x\": starts with '#'" "a name starting with '#'" user add '#x'
refuse "invalid user name \" x\": leading or trailing space" "a leading space" user add ' x'
refuse "invalid user name \"d.*x\": contains '.*' \\(what precedes it is a Windows domain\\)" \
	"a backslash" user add 'd\x'
refuse 'user "ALICE" already exists as "alice" on line 3 \(names ignore ASCII case\)' \
	"a duplicate differing in case" user add ALICE
refuse "static address 10\\.9\\.0\\.1: outside the pool's subnet 10\\.8\\.0\\.0/24" \
	"an address outside the pool's subnet" user add carol --static-ip 10.9.0.1
refuse 'static address 10\.8\.0\.1: that is ppp\.local_address' "ppp.local_address" \
	user add carol --static-ip 10.8.0.1
refuse 'static address 10\.8\.0\.50: already the static address of user "Bob Smith"' \
	"another user's static address" user add carol --static-ip 10.8.0.50
refuse 'static address 10\.8\.0\.255: the first or last address of 10\.8\.0\.0/24' \
	"the subnet's broadcast address" user add carol --static-ip 10.8.0.255
refuse '"10\.8\.0" is not an IPv4 address' "not an address" user add carol --static-ip 10.8.0
refuse 'no user "nobody"' "passwd of an unknown user" user passwd nobody
refuse_password=
refuse 'an empty password is refused' "an empty line as the password" user add erin
unset refuse_password
printf '' | ctl user add erin --password-stdin >"$work/out" 2>"$work/err"
tap_is "$?:$(cat "$work/err")" "1:l2tpsecctl: no password on standard input" \
	"nothing at all on standard input is refused"
for verb in del enable disable; do
	run user $verb nobody
	tap_is "$rc:$err" "1:l2tpsecctl: no user \"nobody\" (names ignore ASCII case)" "$verb of an unknown user"
done

# --- usage errors: exit 2 ---
for args in "user" "user add" "user frob x" "user del a b" "user list x" "user add x --bogus" \
	"--colour=sometimes user list" "frobnicate"; do
	# shellcheck disable=SC2086
	run $args
	tap_is "$rc" 2 "usage error: l2tpsecctl $args"
done
run --help
tap_like "$rc:$out" '^0:usage: l2tpsecctl' "--help prints the usage on stdout, exit 0"

# --- bad lines are kept, and warned about ---
printf 'broken line\n' >>"$users"
broken_at=$(grep -n -x 'broken line' "$users" | cut -d: -f1)
run_with_password 'carols' user add carol
tap_is "$rc" 0 "add to a file with a bad line works"
tap_like "$err" "warning: $users:$broken_at: wrong number of fields" "the bad line is warned about with its number"
tap_is "$(grep -c -x 'broken line' "$users")" 1 "the bad line is kept"
tap_is "$(tail -n 1 "$users" | cut -d: -f1)" carol "the new user comes last"
sed -i '/^broken line$/d' "$users"

# --- two editors at once: 2 x 20 adds, none lost ---
adder() {
	for i in $(seq 1 20); do
		printf 'pw-%s-%s\n' "$1" "$i" | ctl user add "$1$i" --password-stdin >/dev/null 2>&1 ||
			echo "$1$i" >>"$work/failed"
	done
}
adder p &
first=$!
adder q &
second=$!
wait $first
wait $second
tap_is "$(cat "$work/failed" 2>/dev/null)" "" "no add of the 40 failed"
tap_is "$(grep -c -E '^[pq][0-9]+:' "$users")" 40 "all 40 concurrent adds are in the file"
tap_is "$(field q17 2)" "$(nt_hash pw-q-17)" "each with its own hash"
run user list
tap_is "$rc:$err" "0:" "the file parses without a warning"
tap_is "$(ls -A "$work" | grep -c '^\.users\.')" 0 "no temporary file is left behind"

# --- a crash at each point of the replacement ---
cp "$users" "$work/before"
for point in after-write before-rename; do
	printf 'x\n' | L2TPSEC_TEST_CRASH=$point ctl user add crash --password-stdin >/dev/null 2>&1
	tap_is $? 99 "crash $point: the tool died there"
	cmp -s "$users" "$work/before"
	tap_is $? 0 "crash $point: the old file is intact"
done
tap_is "$(ls -A "$work" | grep -c -E '^\.users\.[A-Za-z0-9]{6}$')" 2 "the crashes left their temporary files"
run user list
tap_is "$rc:$err" "0:" "the old file still parses"
printf 'x\n' | L2TPSEC_TEST_CRASH=after-rename ctl user add crash --password-stdin >/dev/null 2>&1
tap_is $? 99 "crash after-rename: the tool died there"
tap_is "$(line_of crash | cut -d: -f1)" crash "crash after-rename: the new file is in place"
for f in "$work"/.users.*; do touch -d '2 minutes ago' "$f"; done
run user del crash
tap_is "$rc:$out" '0:user "crash" deleted' "the next edit works"
tap_is "$(ls -A "$work" | grep -c '^\.users\.')" 0 "and removes the stale temporary files"

# --- del ---
run user del 'bob smith'
tap_is "$rc:$out" '0:user "Bob Smith" deleted' "del"
tap_is "$(grep -c -F 'Bob Smith' "$users")" 0 "its line is gone"
tap_is "$(head -n 3 "$users" | tail -n 1 | cut -d: -f1)" alice "the others stay where they were"

# --- a daemon on the control socket (socat plays it) ---
if command -v socat >/dev/null 2>&1; then
	cat >"$work/fake-daemon.sh" <<'FAKE'
read -r request
printf '%s\n' "$request" >>"$FAKE_DIR/requests"
if [ -e "$FAKE_DIR/refuse" ]; then
	printf 'error cannot read the users file\n'
	exit 0
fi
case $request in
users)
	printf 'ok\n'
	printf 'name=alice\tconnected=yes\tsessions=2\taddress=10.8.0.23\tlast_seen=2026-11-28T08:00:00Z\n'
	printf 'name=carol\tconnected=no\tsessions=0\taddress=\tlast_seen=2026-11-27T20:15:00Z\n' ;;
reload-users) printf 'ok\n' ;;
*) printf 'error unknown request\n' ;;
esac
FAKE
	FAKE_DIR=$work socat UNIX-LISTEN:"$work/ctl.sock",fork EXEC:"sh $work/fake-daemon.sh" \
		2>/dev/null &
	fake_pid=$!
	tap_wait 5 "the fake daemon listens" test -S "$work/ctl.sock"
	run user list
	tap_is "$rc" 0 "list with a daemon"
	tap_like "$out" '^alice +pool +yes +yes \(2\) +2026-11-28T08:00:00Z$' "alice: connected twice, last seen"
	tap_like "$out" '^carol +pool +yes +no +2026-11-27T20:15:00Z$' "carol: not connected, last seen"
	tap_like "$out" '^p1 +pool +yes +no +-$' "p1: not connected, never seen"
	run --json user list
	tap_like "$out" '"name":"alice","static_address":null,"enabled":true,"connected":true,"sessions":2,"address":"10.8.0.23","last_seen":"2026-11-28T08:00:00Z"' \
		"the JSON has the daemon's fields"
	run user disable p1
	tap_is "$rc:$out" '0:user "p1" disabled
l2tpsecd has reloaded the users file' "an edit tells the daemon to reload the users file"
	tap_is "$(tail -n 1 "$work/requests")" reload-users "the daemon got reload-users"
	touch "$work/refuse"
	run user enable p1
	tap_is "$rc" 1 "a daemon refusing the reload is exit 1"
	tap_like "$err" 'the users file is changed, but the daemon did not reload it: cannot read' \
		"and says the file changed but the daemon did not reload"
	tap_is "$(field p1 4)" enabled "the file has the change all the same"
	run user list
	tap_like "$rc:$err" '^0:l2tpsecctl: warning: the daemon did not say who is connected' \
		"list with a daemon that errs: a warning, exit 0"
	kill -9 $fake_pid
	wait $fake_pid 2>/dev/null
	fake_pid=
	tap_ok "a stale socket file is left" test -S "$work/ctl.sock"
	run user list
	tap_is "$rc:$err" "0:" "a stale socket (connection refused): no daemon, no error"
	tap_like "$out" '^alice +pool +yes +- +-$' "and - in the daemon's columns"
	run user disable p1
	tap_is "$rc:$out" '0:user "p1" disabled' "an edit without a daemon says nothing more"
else
	tap_result 0 "the fake daemon # SKIP socat is not installed"
fi

# --- the password prompt on a terminal (script(1) gives a pseudo-terminal) ---
if command -v script >/dev/null 2>&1; then
	(sleep 2; printf 'tty secret\n'; sleep 0.5; printf 'tty secret\n') |
		script -qec "$L2TPSECCTL -c $work/l2tpsec.conf -s $work/ctl.sock user add dora" \
			/dev/null >"$work/out" 2>&1
	tap_is $? 0 "add with the password asked twice on the terminal"
	tap_is "$(field dora 2)" "$(nt_hash 'tty secret')" "the prompted password's hash is stored"
	tap_like "$(cat "$work/out")" 'Retype the password' "the tool asked twice"
	tap_is "$(grep -c 'tty secret' "$work/out")" 0 "the password was not echoed"
	(sleep 2; printf 'one\n'; sleep 0.5; printf 'two\n') |
		script -qec "$L2TPSECCTL -c $work/l2tpsec.conf -s $work/ctl.sock user passwd dora" \
			/dev/null >"$work/out" 2>&1
	tap_is $? 1 "two different passwords are refused"
	tap_like "$(cat "$work/out")" 'the passwords do not match' "with a message"
	tap_is "$(field dora 2)" "$(nt_hash 'tty secret')" "and the hash is unchanged"
else
	tap_result 0 "the terminal prompt # SKIP script(1) is not installed"
fi

# --- a broken configuration: user needs it, the message names file and line ---
printf 'ike = { psk = "x"; };\nppp = { pool = "10.8.0.9-10.8.0.1"; };\n' >"$work/broken.conf"
"$L2TPSECCTL" -c "$work/broken.conf" -s "$work/ctl.sock" user list >"$work/out" 2>"$work/err"
tap_like "$?:$(cat "$work/err")" "^1:l2tpsecctl: $work/broken.conf:2: ppp.pool" \
	"user with a broken configuration: exit 1, the file and line named"

tap_done
