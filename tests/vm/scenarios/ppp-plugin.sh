#!/usr/bin/env bash
# ppp-plugin.sh - our pppd plugin (ppp-glue/plugin/l2tpsec.so) inside a real pppd, with
# tests/ppp/ctl_peer playing l2tpsecd's side of the control socket and verifying MS-CHAPv2
# with the daemon's own verifier (ppp-glue/mschapv2).  No L2TP: the two pppds talk over a
# socketpair ("notty"), so only the plugin and the control protocol are under test.
#
#   +----------------------------------------------+          +-----------------------------+
#   | server                                       |          | client                      |
#   | ctl_peer --user alice --peer-address .10     |          |                             |
#   |   |  fd 4: SEQPACKET, ppp_ctl messages        |          |                             |
#   | pppd plugin l2tpsec.so  auth                 | stdin/   | pppd notty user alice       |
#   |      require-mschap-v2  203.0.113.1:         |<-stdout->|      password ...           |
#   |   ppp0 203.0.113.1 <--------------- PPP (LCP, MS-CHAPv2, IPCP) -------> ppp0 .10      |
#   +----------------------------------------------+          +-----------------------------+
#
# Cases: the right password (address from the harness, IP_UP, ping, IP_DOWN); the wrong
# password (client exit 19, server 11, nothing left); a daemon that vanishes mid-request
# (refusal, server 11); a client that insists on 10.9.9.9 (never granted).
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

BUILD=${L2TPSEC_TEST_BUILD:-$PROJECT_DIR/build/test}
CTL_PEER=$BUILD/tests/ppp/ctl_peer
PLUGIN=$BUILD/ppp-glue/plugin/l2tpsec.so
PPPD=$(type -P pppd)
PPP_USER=alice
PPP_PASSWORD='correct horse battery'
GIVEN=203.0.113.10

tap_ok test -x "$CTL_PEER" "ctl_peer is built ($CTL_PEER)"
tap_ok test -f "$PLUGIN" "the plugin is built ($PLUGIN)"
ns_add server client
ppp_write_hooks server
ppp_write_hooks client

# in_ns NS: the command prefix that runs a program in NS (what ns_exec does), for ctl_peer's
# children: ctl_peer itself stays in the VM's root namespaces, where /run/netns is visible.
in_ns() { printf '%s\n' "${BB:-$(type -P busybox)}" nsenter -n"/run/netns/$(ns_real "$1")" -m"$WORK/mnt/$1"; }

# run_case NAME CLIENT_PASSWORD CLIENT_ADDRESSES [CTL_PEER OPTIONS...]: starts ctl_peer (and so
# both pppds) in the background; sets OUT (its output) and PEER_PID.
run_case() {
	local name=$1 password=$2 addresses=$3 slogs clogs
	local -a server client
	shift 3
	slogs=$(ns_log_dir server)
	clogs=$(ns_log_dir client)
	OUT=$slogs/ctl_peer-$name.out
	mapfile -t server < <(in_ns server)
	mapfile -t client < <(in_ns client)
	server+=("$PPPD" notty nodetach auth require-mschap-v2 refuse-pap refuse-chap refuse-mschap
		refuse-eap noccp nodefaultroute name l2tpsec-server lcp-echo-interval 0 debug
		logfile "$slogs/pppd-server-$name.log" "$PPP_SERVER_IP:")
	# shellcheck disable=SC2206 # the address options are words on purpose
	client+=("$PPPD" notty nodetach noauth user "$PPP_USER" password "$password"
		remotename l2tpsec-server refuse-pap refuse-chap refuse-mschap refuse-eap noccp
		nodefaultroute lcp-echo-interval 0 debug logfile "$clogs/pppd-client-$name.log"
		$addresses)
	(
		trap - ERR
		exec "$CTL_PEER" --plugin "$PLUGIN" --user "$PPP_USER" --password "$PPP_PASSWORD" \
			--peer-address "$GIVEN" "$@" --server "${server[@]}" --client "${client[@]}"
	) </dev/null >>"$OUT" 2>&1 &
	PEER_PID=$!
}
out_has() { file_has "$OUT" "$1"; }
both_exited() { out_has "SERVER_EXIT" && out_has "CLIENT_EXIT"; }
peer_gone() { ! kill -0 "$PEER_PID" 2>/dev/null; }
ppp_links() { ns_exec "$1" ip -o link show type ppp; }

# 1. The right password: the harness verifies, gives 203.0.113.10, the link comes up.
run_case good "$PPP_PASSWORD" "noipdefault ipcp-accept-local ipcp-accept-remote"
wait_ppp_address client 60 || true
tap_is "$PPP_LOCAL $PPP_REMOTE" "$GIVEN $PPP_SERVER_IP" \
	"right password: the client's ppp0 has exactly the address the harness gave"
wait_for 30 "IP_UP from the plugin" out_has "IP_UP" || true
tap_like "$(cat "$OUT")" "HELLO pid=[0-9]+ server=yes" \
	"HELLO carries the server pppd's pid"
tap_like "$(cat "$OUT")" "AUTH_REQUEST id=[0-9]+ name=\"$PPP_USER\" flags=0x00" \
	"AUTH_REQUEST carries the user's name"
tap_like "$(cat "$OUT")" "AUTH_REPLY ok=1 address=$GIVEN message=\"S=[0-9A-F]{40} M=Welcome\"" \
	"the harness verified the NT-Response and answered success"
tap_like "$(cat "$OUT")" "IP_UP ifname=ppp0 local=$PPP_SERVER_IP peer=$GIVEN" \
	"IP_UP names the interface and both addresses"
tap_ok ns_exec client ping -c 2 -W 5 "$PPP_SERVER_IP" "ping from the client across the link"
tap_like "$(cat "$(ns_log_dir client)/pppd-client-good.log")" "CHAP authentication succeeded" \
	"the client saw the Authenticator Response it expected (S= checked)"
kill -TERM "$PEER_PID" || true
wait_for 30 "ctl_peer done after SIGTERM" peer_gone || true
tap_ok out_has "IP_DOWN" "IP_DOWN when the link goes"
tap_is "$(ppp_links server)$(ppp_links client)" "" "after the good case no ppp interface is left"

# 2. The wrong password: refused by the harness; client exits 19, server 11.
run_case wrong "not the password" "noipdefault ipcp-accept-local ipcp-accept-remote"
wait_for 60 "both pppds exited (wrong password)" both_exited || true
tap_like "$(cat "$OUT")" "AUTH_REQUEST id=[0-9]+ name=\"$PPP_USER\"" \
	"wrong password: the harness saw the request"
tap_like "$(cat "$OUT")" "AUTH_REPLY ok=0 address=0\\.0\\.0\\.0 message=\"E=691 R=0 C=[0-9A-F]{32} V=3 " \
	"wrong password: the harness answered failure"
tap_ok out_has "CLIENT_EXIT status=19" "wrong password: the client pppd exits 19 (we failed to authenticate)"
tap_ok out_has "SERVER_EXIT status=11" "wrong password: the server pppd exits 11 (peer failed to authenticate)"
tap_ok test "!" -e "$(ppp_peer_file client)" "wrong password: the client never ran ip-up"
tap_is "$(ppp_links server)$(ppp_links client)" "" "wrong password: no ppp interface is left"
wait_for 30 "ctl_peer done (wrong password)" peer_gone || true

# 3. The daemon vanishes while pppd waits for its answer: a refusal, not a hang.
run_case vanish "$PPP_PASSWORD" "noipdefault ipcp-accept-local ipcp-accept-remote" --vanish
wait_for 60 "both pppds exited (vanished daemon)" both_exited || true
tap_ok out_has "VANISHED" "vanish: the harness closed the socket on AUTH_REQUEST"
tap_ok out_has "SERVER_EXIT status=11" "vanish: the server pppd refuses the peer (exit 11)"
tap_ok file_has "$(ns_log_dir server)/pppd-server-vanish.log" "l2tpsec: l2tpsecd closed the control socket" \
	"vanish: the plugin says why, in pppd's log"
wait_for 30 "ctl_peer done (vanish)" peer_gone || true

# 4. A client that wants 10.9.9.9 for itself: the plugin makes pppd insist on the given
# address (IPCP Nak with it), so the peer never gets 10.9.9.9 from this server.
run_case insist "$PPP_PASSWORD" "10.9.9.9:"
CLIENT_LOG=$(ns_log_dir client)/pppd-client-insist.log
client_refused() { file_has "$CLIENT_LOG" "Peer refused to agree to our IP address"; }
wait_for 60 "the insisting client gives up on 10.9.9.9" client_refused || true
tap_ok out_has "AUTH_REPLY ok=1" "insist: the client authenticated"
tap_like "$(cat "$CLIENT_LOG")" "rcvd \[IPCP ConfNak id=0x[0-9a-f]+ <addr $GIVEN>\]" \
	"insist: the server answers 10.9.9.9 with a Nak carrying the given address"
tap_ok client_refused "insist: the client, not allowed to move, gives up"
tap_is "$(grep -c 'IP_UP .*peer=10\.9\.9\.9' "$OUT" || true)" 0 \
	"insist: the server never brings the link up with the peer on 10.9.9.9"
kill -TERM "$PEER_PID" 2>/dev/null || true
wait_for 30 "ctl_peer done (insist)" peer_gone || true
