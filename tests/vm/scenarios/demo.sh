#!/usr/bin/env bash
# demo.sh - what scripts/run-server shows on a kernel without ESP/L2TP/PPP: l2tpsecd as the
# server in its namespace, checked, started, reloaded and stopped; its log is the output.
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server                      |          | client                      |
#   | eth0 192.0.2.1/24           |----------| eth0 192.0.2.2/24           |
#   | l2tpsecd -f                 |          | (the client comes with the  |
#   |                             |          |  IKE and L2TP issues)       |
#   +-----------------------------+          +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

BUILD=${L2TPSEC_TEST_BUILD:-$PROJECT_DIR/build/release}
DAEMON=$BUILD/daemon/l2tpsecd
tap_ok test -x "$DAEMON" "l2tpsecd is built ($DAEMON)"

topology_direct
logdir=$(ns_log_dir server)
conf=$WORK/l2tpsec.conf
cat >"$conf" <<CONF
ike = { psk = "$TEST_PSK"; };
log = { file = "$logdir/l2tpsec.log"; syslog = false; level = "info"; };
daemon = { pid_file = "$(ns_run_dir server)/l2tpsecd.pid"; };
CONF
chmod 600 "$conf"

tap_is "$(ns_exec server "$DAEMON" -n -c "$conf" 2>&1)" "configuration OK" "l2tpsecd -n: configuration OK"
ns_bg server "$logdir/l2tpsecd.stderr" "$DAEMON" -f -c "$conf"
log_has() { grep -F -q -- "$1" "$logdir/l2tpsec.log" 2>/dev/null; }
wait_for 60 "l2tpsecd started" log_has "starting (pid" || true
tap_ok log_has "starting (pid" "l2tpsecd starts in the server namespace"
pid=$(cat "$(ns_run_dir server)/l2tpsecd.pid" 2>/dev/null || echo 0)
tap_ok kill -0 "$pid" "its pid file names the running daemon"
kill -HUP "$pid" 2>/dev/null || true
wait_for 60 "reload logged" log_has "configuration reloaded" || true
tap_ok log_has "configuration reloaded" "SIGHUP reloads the configuration"
kill -TERM "$pid" 2>/dev/null || true
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 60 "l2tpsecd stopped" gone || true
tap_ok log_has "stopped" "SIGTERM stops it cleanly"
tap_ok test ! -e "$(ns_run_dir server)/l2tpsecd.pid" "its pid file is removed"
