#!/usr/bin/env bash
# kernel-l2tp.sh - daemon/kernel_l2tp and the clear-L2TP guard of daemon/kernel_xfrm against
# the real kernel: the "l2tp" genl family, tunnel and session create/delete (-EEXIST, -EBUSY),
# a PPPoL2TP socket the kernel switches data to and from, session counters, teardown by
# delete and by closing the tunnel socket, the listener's metadata (IP_PKTINFO, SO_RCVMARK),
# and the guard: clear UDP/1701 dropped in and blocked out, the listener's bypass, a client's
# marked policy and SA still passing, and nothing left after guard_del and the flush.
#
#   +---------------------------------------+   veth   +------------------------------+
#   | server                                |          | client                       |
#   | eth0 192.0.2.1/24                     |----------| eth0 192.0.2.2/24            |
#   | l2tp_probe (stdin commands):          |          | socat: hand-made L2TPv2      |
#   |  listener 0.0.0.0:1701 (bypass)       |<--clear--|  data/control datagrams,     |
#   |  tunnel sockets 192.0.2.1:1701 ->     |          |  clear probes from 1701 and  |
#   |   192.0.2.2:1701, tunnel 100/200,     |<==ESP====|  from other ports; later     |
#   |   session 1/2, PPPoL2TP socket        |          |  ESP with ip xfrm (the       |
#   |  guard: in ESP-only, out block        |          |  mirror of xfrm_probe's SAs) |
#   | xfrm_probe: a client's marked SAs and |          |                              |
#   |  policies (mark 0x4c320001)           |          |                              |
#   +---------------------------------------+          +------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

BUILD=${L2TPSEC_TEST_BUILD:-$PROJECT_DIR/build/test}
PROBE=$BUILD/tests/kernel/l2tp_probe
XPROBE=$BUILD/tests/kernel/xfrm_probe
S=192.0.2.1
C=192.0.2.2
MARK=0x4c320001
OUT_SPI=0x00002001
AUTH_KEY=0x$(printf '01%.0s' $(seq 20))
ENC_KEY=0x$(printf '02%.0s' $(seq 24))
# L2TPv2 (RFC 2661 §3.1) as the client sends it to our tunnel 100, session 1:
# data: flags 0x0002, tunnel 100, session 1, PPP ff03 + LCP Configure-Request (id 1, length 4).
DATA_TO_US=000200640001ff03c02101010004
# control: flags 0xc802 (T, L, S), length 12, tunnel 100, session 0, Ns 0, Nr 0 (a ZLB).
ZLB_TO_US=c802000c0064000000000000
# What the kernel must send for that frame written to the PPPoL2TP socket: our peer's ids.
DATA_TO_PEER=000200c80002ff03c02101010004

tap_ok test -x "$PROBE" "l2tp_probe is built ($PROBE)"
tap_ok test -x "$XPROBE" "xfrm_probe is built ($XPROBE)"
ns_add server client
ns_link server eth0 "$S/24" client eth0 "$C/24"

# ---------------------------------------------------------------- helpers
# The probe reads commands on a FIFO and answers one line each on another.
mkfifo "$WORK/probe.in" "$WORK/probe.out"
(ns_exec server "$PROBE" <"$WORK/probe.in" >"$WORK/probe.out" 2>>"$(ns_log_dir server)/l2tp_probe.stderr") &
PROBE_PID=$!
exec {PIN}>"$WORK/probe.in" {POUT}<"$WORK/probe.out"
ANSWER=""
probe() { # probe COMMAND...: its answer in ANSWER
	printf '%s\n' "$*" >&"$PIN"
	IFS= read -r -t 60 -u "$POUT" ANSWER || ANSWER="(no answer from l2tp_probe)"
	log "[probe] $* -> $ANSWER"
}
tunnels_are() { probe count; [ "$ANSWER" = "ok tunnels $1" ]; }
# client_send SOURCE_PORT HEX: one datagram from the client to the server's UDP/1701.
client_send() {
	local hex=$2 esc=""
	while [ -n "$hex" ]; do
		esc+="\\x${hex:0:2}"
		hex=${hex:2}
	done
	# shellcheck disable=SC2059 # the format is the datagram, built above
	printf "$esc" | ns_exec client socat -u STDIN "UDP4-SENDTO:$S:1701,sourceport=$1"
}
text_hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
xfrm_stat() { # xfrm_stat NS COUNTER: a counter of /proc/net/xfrm_stat (0 if absent)
	local key value out
	out=$(ns_exec "$1" cat /proc/net/xfrm_stat 2>/dev/null || true)
	while read -r key value; do
		if [ "$key" = "$2" ]; then
			echo "$value"
			return 0
		fi
	done <<<"$out"
	echo 0
}

# ---------------------------------------------------------------- tunnels and sessions
probe open
tap_is "$ANSWER" ok "the l2tp generic netlink family resolves"
probe listen 0 1701
tap_is "$ANSWER" ok "listener on 0.0.0.0:1701 (pktinfo, rcvmark, bypass)"
probe tsock 1 "$S" 1701 "$C" 1701 0
tap_is "$ANSWER" ok "tunnel socket $S:1701 connected to $C:1701"
probe tcreate 1 100 200
tap_is "$ANSWER" ok "TUNNEL_CREATE 100 (peer 200) on the connected socket"
probe tsock 2 "$S" 1701 "$C" 1701 0
probe tcreate 2 100 201
tap_like "$ANSWER" '^error EEXIST' "the same tunnel id again is -EEXIST"
probe tcreate 1 101 201
tap_like "$ANSWER" '^error EBUSY' "a second tunnel on the same socket is -EBUSY"
probe close 2
probe count
tap_is "$ANSWER" "ok tunnels 1" "the tunnel dump counts one tunnel"
show=$(ns_exec server ip l2tp show tunnel 2>&1 || true)
tap_diag "ip l2tp show tunnel: $show"
tap_like "$show" 'Tunnel 100, encap UDP' "ip l2tp shows tunnel 100 over UDP"
tap_like "$show" 'Peer tunnel 200' "ip l2tp shows the peer's tunnel id 200"

probe screate 100 200 1 2
tap_is "$ANSWER" ok "SESSION_CREATE 1 (peer 2) in tunnel 100, PPP, LNS mode"
probe screate 100 200 1 2
tap_like "$ANSWER" '^error EEXIST' "the same session id again is -EEXIST"
show=$(ns_exec server ip l2tp show session 2>&1 || true)
tap_diag "ip l2tp show session: $show"
tap_like "$show" 'Session 1 in tunnel 100' "ip l2tp shows session 1 in tunnel 100"
probe pppox 3 1 "$C" 1701 100 1 200 2
tap_is "$ANSWER" ok "a PPPoL2TP socket connects to session 1 (LNS mode set)"

# Data in: the kernel switches it to the session; unbound to a PPP unit, the frame waits
# on the PPPoL2TP socket (without its ff03).
tap_ok client_send 1701 "$DATA_TO_US" "client sends an L2TPv2 data message for session 1"
probe precv 3 10000
tap_is "$ANSWER" "ok c02101010004" "the kernel delivers the PPP frame to the PPPoL2TP socket"
probe stats 100 1
tap_like "$ANSWER" '^ok rx_packets 1 rx_bytes [1-9][0-9]* rx_errors 0 ' "session counters: one data message in"

# Data out: a frame written to the PPPoL2TP socket leaves as L2TPv2 with the peer's ids.
received=$(ns_log_dir client)/l2tp-data.bin
: >"$received"
RECV_PID=$(ns_bg client "$received" socat -u "UDP4-RECV:1701,bind=$C" STDOUT)
wait_for 30 "socat on UDP/1701 in client" udp_listening client 1701 || true
probe psend 3 c02101010004
tap_is "$ANSWER" ok "a PPP frame written to the PPPoL2TP socket"
wait_for 30 "the data message at the client" test -s "$received" || true
tap_is "$(od -An -v -tx1 "$received" | tr -d ' \n')" "$DATA_TO_PEER" \
	"it reaches the client as L2TPv2 data for tunnel 200, session 2"
kill "$RECV_PID" 2>/dev/null || true
probe stats 100 1
tap_like "$ANSWER" ' tx_packets 1 tx_bytes [1-9][0-9]* tx_errors 0$' "session counters: one data message out"

# Control messages still come up on the tunnel socket.
tap_ok client_send 1701 "$ZLB_TO_US" "client sends a control message (ZLB) for tunnel 100"
probe recv 1 10000
tap_like "$ANSWER" "^ok len 12 local $S:1701 remote $C:1701 mark 0x0 has_mark 1\$" \
	"the control message comes up on the tunnel socket with its metadata"

probe sdelete 100 1
tap_is "$ANSWER" ok "SESSION_DELETE 1"
probe stats 100 1
tap_like "$ANSWER" '^error (ENOENT|ENODEV)' "the deleted session has no counters"
tap_is "$(ns_exec server ip l2tp show session 2>&1)" "" "no session left"
probe close 3
probe tdelete 100
tap_is "$ANSWER" ok "TUNNEL_DELETE 100"
wait_for 10 "no tunnel left" tunnels_are 0 || true
tap_is "$ANSWER" "ok tunnels 0" "the tunnel dump is empty after the delete"
tap_is "$(ns_exec server ip l2tp show tunnel 2>&1)" "" "ip l2tp shows no tunnel"
probe tdelete 100
tap_like "$ANSWER" '^error (ENOENT|ENODEV)' "deleting it again says it is gone"
probe close 1

probe tsock 4 "$S" 1701 "$C" 1701 0
probe tcreate 4 300 400
tap_is "$ANSWER" ok "TUNNEL_CREATE 300 on a fresh socket"
probe close 4
wait_for 10 "tunnel 300 gone after its socket closed" tunnels_are 0 || true
tap_is "$ANSWER" "ok tunnels 0" "closing the tunnel socket alone removes the tunnel"

# ---------------------------------------------------------------- the listener
tap_ok client_send 40000 "$(text_hex probe)" "client sends a clear datagram from port 40000"
probe recv 0 10000
tap_like "$ANSWER" "^ok len 5 local $S:1701 remote $C:40000 mark 0x0 has_mark 1\$" \
	"the listener reads it: local address (pktinfo) and port, remote, mark 0 (rcvmark)"

# ---------------------------------------------------------------- the guard
probe tsock 5 "$S" 1701 "$C" 1701 0
tap_is "$ANSWER" ok "an unmarked tunnel socket, connected before the guard"
probe guard_add 1701
tap_is "$ANSWER" ok "guard installed for UDP/1701"
policies=$(ns_exec server ip xfrm policy)
tap_diag "$policies"
tap_like "$policies" 'sport 1701[[:space:]]+dir out action block priority 2000' "out: block, priority 2000"
tap_like "$policies" 'dport 1701[[:space:]]+dir in priority 2000' "in: a template (ESP), priority 2000"
tap_is "$(xfrm_count server policy)" 4 "two guard policies per family (IPv4 and IPv6)"

tmpl_before=$(xfrm_stat server XfrmInTmplMismatch)
nostates_before=$(xfrm_stat server XfrmInNoStates)
tap_ok client_send 1701 "$(text_hex clear)" "client sends a clear datagram from 1701 to 1701"
probe recv 5 3000
tap_is "$ANSWER" "error EAGAIN: Resource temporarily unavailable" \
	"the connected tunnel socket (no bypass) receives nothing"
probe recv 0 500
tap_like "$ANSWER" '^error EAGAIN' "nor does the listener (the connected socket was chosen)"
tmpl_after=$(xfrm_stat server XfrmInTmplMismatch)
nostates_after=$(xfrm_stat server XfrmInNoStates)
tap_diag "XfrmInTmplMismatch $tmpl_before -> $tmpl_after, XfrmInNoStates $nostates_before -> $nostates_after"
tap_ok test "$tmpl_after" -gt "$tmpl_before" "the kernel dropped it: XfrmInTmplMismatch moved"

tap_ok client_send 40001 "$(text_hex bypass)" "client sends a clear datagram from port 40001"
probe recv 0 10000
tap_like "$ANSWER" "^ok len 6 local $S:1701 remote $C:40001 mark 0x0 has_mark 1\$" \
	"the listener's bypass still lets it in, to be logged and dropped"

block_before=$(xfrm_stat server XfrmOutPolBlock)
probe send 5 leak
tap_like "$ANSWER" '^error EPERM' "an unmarked socket sending from 1701 gets -EPERM"
tap_ok test "$(xfrm_stat server XfrmOutPolBlock)" -gt "$block_before" "XfrmOutPolBlock moved"
probe tsock 6 "$S" 1701 "$C" 1701 0
tap_like "$ANSWER" '^error EPERM' "a new unmarked tunnel socket cannot even connect (-EPERM)"
probe close 5

# A client's marked policies and SAs (kernel_xfrm, as the IKE side installs them).
out=$(ns_exec server "$XPROBE" install "$S" "$C" 1701 "$MARK" "$OUT_SPI" 2>&1) || true
tap_like "$out" '^spi_in 0x[0-9a-f]{8}$' "a client's marked SA pair and policies installed"
SPI_IN=${out#spi_in }
tap_ok ns_exec client ip -batch - <<EOF_BATCH "client: mirror SA pair and UDP/1701 policies"
xfrm state add src $C dst $S proto esp spi $SPI_IN reqid 1 mode transport auth hmac(sha1) $AUTH_KEY enc cbc(des3_ede) $ENC_KEY
xfrm state add src $S dst $C proto esp spi $OUT_SPI reqid 1 mode transport auth hmac(sha1) $AUTH_KEY enc cbc(des3_ede) $ENC_KEY
xfrm policy add src $C/32 dst $S/32 proto udp sport 1701 dport 1701 dir out tmpl proto esp reqid 1 mode transport
xfrm policy add src $S/32 dst $C/32 proto udp sport 1701 dport 1701 dir in tmpl proto esp reqid 1 mode transport
EOF_BATCH
probe tsock 7 "$S" 1701 "$C" 1701 "$MARK"
tap_is "$ANSWER" ok "a tunnel socket with the client's mark connects through the guard"
probe send 7 hello
tap_is "$ANSWER" ok "and sends"
counters=$(ns_exec server "$XPROBE" counters "$S" "$C" "$SPI_IN" "$OUT_SPI" "$MARK" 2>&1) || true
tap_like "$(ns_exec server ip -s xfrm state list spi "$OUT_SPI")" "[1-9][0-9]*\\(packets\\)" \
	"it went out through the client's outbound SA (ip -s xfrm)"
tap_like "$counters" ' out_packets [1-9][0-9]*$' "kxfrm_sa_counters agrees ($counters)"
tap_ok client_send 1701 "$(text_hex esp)" "client sends from 1701 through ESP"
probe recv 7 10000
tap_like "$ANSWER" "^ok len 3 local $S:1701 remote $C:1701 mark $MARK has_mark 1\$" \
	"it passes the guard and arrives with the client's mark (SO_RCVMARK)"
probe close 7

probe guard_del 1701
tap_is "$ANSWER" ok "guard removed"
tap_is "$(xfrm_count server policy)" 2 "only the client's two policies are left"
probe guard_del 1701
tap_like "$ANSWER" '^error ENOENT' "removing it again is -ENOENT"
probe guard_add 1701
probe flush
tap_is "$ANSWER" "ok sas 2 policies 6" "kxfrm_flush_ours removes the guard with the client's SAs and policies"
tap_is "$(xfrm_count server policy)" 0 "no policy left"
tap_is "$(xfrm_count server state)" 0 "no SA left"

probe count
tap_is "$ANSWER" "ok tunnels 0" "no kernel tunnel left"
exec {PIN}>&-
rc=0
wait "$PROBE_PID" || rc=$?
tap_is "$rc" 0 "l2tp_probe exits cleanly (sanitizers: no leak, no error)"
