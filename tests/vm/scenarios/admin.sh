#!/usr/bin/env bash
# admin.sh - issue 5: the admin surface against the real server.  l2tpsecd starts with no
# users; `l2tpsecctl user add` creates alice and the daemon picks her up without a restart;
# a Windows-XP-like client connects as alice; `status` shows her address and peer; `log
# --user alice` shows her IKE, L2TP and PPP lines; `user disable` ends her session and she
# cannot reconnect; `user enable` + reconnect; `kill alice` ends it; `reload` with a broken
# configuration keeps the old one and says why.
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server  eth0 192.0.2.1/24   |----------| client eth0 192.0.2.2/24    |
#   | l2tpsecd, l2tpsecctl        |<==ESP====| strongSwan winxp, xl2tpd,   |
#   +-----------------------------+          | pppd as alice               |
#                                            +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

CTL=$L2TPSEC_BUILD_DIR/ctl/l2tpsecctl
ctl() { ns_exec server "$CTL" -c "$L2TPSECD_CONF" "$@"; }

topology_direct
# No users yet: the daemon starts with a users file that holds only a comment.
printf '# no users yet\n' >"$WORK/l2tpsec-users-server"
chmod 600 "$WORK/l2tpsec-users-server"
server_l2tpsecd_start server
l2tp_server_baseline
tap_ok test -x "$CTL" "l2tpsecctl is built"

tap_ok ctl user add alice --password-stdin <<<"alice-password" "l2tpsecctl user add alice"
tap_ok grep -q '^alice:[0-9A-Fa-f]\{32\}::enabled$' "$L2TPSECD_USERS" \
	"the users file holds alice's NT hash, no password"
tap_is "$(stat -c %a "$L2TPSECD_USERS")" 600 "the users file is mode 0600"
wait_for 30 "the daemon re-read the users file" l2tpsecd_log_has "1 users" || true
tap_ok l2tpsecd_log_has "1 users" "the daemon picked alice up without a restart"
tap_ok bash -c "! ctl user add Alice --password-stdin <<<x 2>/dev/null" \
	"a duplicate name (case-insensitive) is refused"

TEST_USER=alice TEST_CLIENT_PASSWORD=alice-password
client_ipsec_setup client winxp "$SERVER_IP"
client_l2tp_setup client "$SERVER_IP"
l2tp_connect client strongswan alice

status=$(ctl --json status)
tap_diag "l2tpsecctl --json status: $status"
tap_like "$status" "\"user\":\"alice\"" "status: alice is connected"
tap_like "$status" "\"address\":\"$CLIENT_PPP\"" "status: with her address $CLIENT_PPP"
tap_like "$status" "\"peer\":\"$CLIENT_IP:500\"" "status: from $CLIENT_IP:500"
tap_like "$status" "\"nat\":\"no\"" "status: not behind a NAT"
tap_like "$status" "\"chain\":\"#[0-9]+ tun#[0-9]+ ses#[0-9]+ ppp#[0-9]+\"" "status: her log chain"
table=$(ctl status)
tap_diag "l2tpsecctl status:"$'\n'"$table"
tap_like "$table" "^USER +ADDRESS +PEER" "status: a table for people"
tap_like "$(ctl show sa)" "ipsec" "show sa lists her IPsec SA"
tap_like "$(ctl show tunnels)" "tun#" "show tunnels lists her tunnel"
tap_like "$(ctl user list)" "alice +-? *yes|alice.*yes" "user list: alice, connected"

log=$(ctl log --user alice --file "$L2TPSECD_LOG" || true)
tap_diag "l2tpsecctl log --user alice:"$'\n'"$log"
tap_like "$log" "responding to Main Mode from unknown peer $CLIENT_IP" "log --user: her Main Mode (logged before her name was known)"
tap_like "$log" "IPsec SA established" "log --user: her IPsec SA"
tap_like "$log" "L2TP tunnel established" "log --user: her L2TP tunnel"
tap_like "$log" "user \"alice\" authenticated" "log --user: her PPP authentication"

# disable: the session ends; she cannot come back.
ppp_gone() { [ ! -e "$(ppp_peer_file client)" ]; }
tap_ok ctl user disable alice "l2tpsecctl user disable alice"
wait_for 60 "alice's session ended" ppp_gone || true
tap_ok ppp_gone "disable: alice's ppp0 went down"
tap_ok l2tpsecd_log_has 'user "alice": session ended: the user was disabled' \
	"log: user \"alice\": session ended: the user was disabled"
wait_for 60 "the server clean after the disable" server_clean || true
tap_ok client_ipsec_up client 120 "disabled: alice still gets IPsec"
client_l2tp_connect client
wait_for 60 "the refusal" l2tpsecd_log_has 'user "alice" is disabled: authentication refused' || true
tap_ok l2tpsecd_log_has 'user "alice" is disabled: authentication refused' \
	"disabled: her PPP authentication is refused"
tap_ok ppp_gone "disabled: no ppp0"
l2tp_disconnect client strongswan
wait_for 60 "the server clean after the refusal" server_clean || true

# enable again, reconnect, kill.
tap_ok ctl user enable alice "l2tpsecctl user enable alice"
l2tp_connect client strongswan "alice again"
killed=$(ctl kill alice || true)
tap_diag "l2tpsecctl kill alice:"$'\n'"$killed"
tap_like "$killed" "alice" "kill alice names the session it ended"
wait_for 60 "alice's session ended by kill" ppp_gone || true
tap_ok ppp_gone "kill: alice's ppp0 went down"
tap_ok l2tpsecd_log_has 'session ended: ended by the administrator' "log: the kill is logged"
l2tp_nothing_left "after the kill"
tap_is "$(ctl kill alice >/dev/null 2>&1; echo $?)" 1 "kill of a user with no session: exit 1"

# reload with a broken configuration: refused with the reason, the daemon keeps running.
cp "$L2TPSECD_CONF" "$L2TPSECD_CONF.good"
echo 'l2tp = { bogus = 1; };' >>"$L2TPSECD_CONF"
out=$(ctl reload 2>&1) && rc=0 || rc=$?
tap_is "$rc" 1 "reload with a broken configuration: exit 1"
tap_like "$out" "l2tp.bogus: unknown setting" "reload says why: $out"
cp "$L2TPSECD_CONF.good" "$L2TPSECD_CONF"
tap_ok kill -0 "$L2TPSECD_PID" "the daemon still runs"
tap_ok ctl status "status still answers"
tap_is "$(ns_exec server "$CTL" -s /run/nonexistent.sock status >/dev/null 2>&1; echo $?)" 3 \
	"no daemon at the socket: exit 3"
