#!/usr/bin/env bash
# kernel-xfrm.sh - daemon/kernel_xfrm against the real kernel: SPI allocation, transport-mode
# ESP SAs (direct and ESP-in-UDP), marked policies for UDP/1701, counters, removal, the
# clean slate at start (only our reqids), and the kernel's expiry event.
#
#   +------------------------------------+   veth   +--------------------------------+
#   | server                             |          | client                         |
#   | eth0 192.0.2.1/24                  |----------| eth0 192.0.2.2/24              |
#   | xfrm_probe (daemon/kernel_xfrm):   |          | ip xfrm: the mirror SA pair    |
#   |  SPI in allocated, SA out 0x2001,  |          |  and policies for UDP/1701     |
#   |  in/out policies marked 0x4c320001 |          |                                |
#   | socat: UDP/1701 receiver           |<==ESP====| sends from UDP/1701            |
#   +------------------------------------+          +--------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

BUILD=${L2TPSEC_TEST_BUILD:-$PROJECT_DIR/build/test}
PROBE=$BUILD/tests/kernel/xfrm_probe
S=192.0.2.1
C=192.0.2.2
MARK=0x4c320001
OUT_SPI=0x00002001
AUTH_KEY=0x$(printf '01%.0s' $(seq 20))
ENC_KEY=0x$(printf '02%.0s' $(seq 24))

tap_ok test -x "$PROBE" "xfrm_probe is built ($PROBE)"
ns_add server client
ns_link server eth0 "$S/24" client eth0 "$C/24"

# A foreign SA (another daemon's reqid) that the clean slate must leave alone.
tap_ok ns_exec server ip xfrm state add src 192.0.2.9 dst "$S" proto esp spi 0x777 reqid 7 \
	mode transport auth 'hmac(sha1)' "$AUTH_KEY" enc 'cbc(des3_ede)' "$ENC_KEY" \
	"server: a foreign SA (reqid 7) is present"

out=$(ns_exec server "$PROBE" install "$S" "$C" 1701 "$MARK" "$OUT_SPI" 2>&1) || true
tap_like "$out" '^spi_in 0x[0-9a-f]{8}$' "kernel_xfrm allocates an SPI and installs SAs and policies"
SPI_IN=${out#spi_in }

tap_like "$(ns_exec server ip xfrm policy)" "mark $MARK/0xffffffff" "the policies carry the client's mark"
tap_like "$(ns_exec server ip -d xfrm state list spi "$SPI_IN" 2>&1)" "output-mark $MARK" \
	"the inbound SA stamps the client's mark on what it decrypts"

# The client mirrors: its out SA is our in SA, and the other way round.
tap_ok ns_exec client ip -batch - <<EOF_BATCH "client: mirror SA pair and UDP/1701 policies"
xfrm state add src $C dst $S proto esp spi $SPI_IN reqid 1 mode transport auth hmac(sha1) $AUTH_KEY enc cbc(des3_ede) $ENC_KEY
xfrm state add src $S dst $C proto esp spi $OUT_SPI reqid 1 mode transport auth hmac(sha1) $AUTH_KEY enc cbc(des3_ede) $ENC_KEY
xfrm policy add src $C/32 dst $S/32 proto udp sport 1701 dport 1701 dir out tmpl proto esp reqid 1 mode transport
xfrm policy add src $S/32 dst $C/32 proto udp sport 1701 dport 1701 dir in tmpl proto esp reqid 1 mode transport
EOF_BATCH

received=$(ns_log_dir server)/received.txt
: >"$received"
ns_bg server "$received" socat -u UDP4-RECV:1701,bind=$S STDOUT >/dev/null
wait_for 30 "socat on UDP/1701 in server" udp_listening server 1701 || true
N=4
tap_ok ns_exec client socat -u "EXEC:printf 'l2tp 1\\\\nl2tp 2\\\\nl2tp 3\\\\nl2tp 4\\\\n'" \
	"UDP4-SENDTO:$S:1701,sourceport=1701" "client sends from UDP/1701 through ESP"
got() { grep -c '^l2tp' "$received" || true; }
arrived() { [ "$(got)" -ge 1 ]; }
wait_for 30 "datagrams at the server" arrived || true
tap_ok arrived "datagrams from client:1701 reach server:1701"

counters=$(ns_exec server "$PROBE" counters "$S" "$C" "$SPI_IN" "$OUT_SPI" "$MARK" 2>&1) || true
tap_diag "counters: $counters"
tap_like "$counters" '^in_packets [1-9][0-9]* ' "kernel_xfrm reads the inbound SA's packet counter"
tap_like "$(ns_exec server ip -s xfrm state list spi "$SPI_IN")" "[1-9][0-9]*\\(packets\\)" \
	"ip -s xfrm agrees: the datagrams came in as ESP"

tap_ok ns_exec server "$PROBE" remove "$S" "$C" 1701 "$MARK" "$SPI_IN" "$OUT_SPI" \
	"kernel_xfrm removes both SAs and both policies"
tap_is "$(ns_exec server ip xfrm policy)" "" "no policy left on the server"
tap_is "$(ns_exec server ip xfrm state | grep -c '^src')" 1 "only the foreign SA is left"

# Clean slate: install again, then flush as a restarting daemon would.
out=$(ns_exec server "$PROBE" install "$S" "$C" 1701 "$MARK" "$OUT_SPI" 2>&1) || true
tap_like "$out" '^spi_in ' "a second install after removal"
tap_is "$(ns_exec server "$PROBE" flush 2>&1)" "sas 2 policies 2" \
	"the clean slate removes exactly our 2 SAs and 2 policies"
tap_like "$(ns_exec server ip xfrm state)" 'reqid 7 ' "the foreign SA survives the clean slate"
tap_is "$(ns_exec server ip xfrm policy)" "" "no policy of ours survives the clean slate"

# ESP in UDP (NAT-T): encapsulation on the SA, the peer's NAT-mapped port.
out=$(ns_exec server "$PROBE" install "$S" "$C" 1701 "$MARK" "$OUT_SPI" encap 40123 2>&1) || true
tap_like "$out" '^spi_in ' "kernel_xfrm installs an ESP-in-UDP SA pair"
tap_like "$(ns_exec server ip xfrm state list spi "$OUT_SPI")" "encap type espinudp sport 4500 dport 40123" \
	"the outbound SA encapsulates from 4500 to the peer's port"
tap_is "$(ns_exec server "$PROBE" flush 2>&1)" "sas 2 policies 2" "flush removes the encapsulated pair"

# Expiry: the kernel tells us when an SA's hard lifetime ends.
out=$(ns_exec server "$PROBE" expire "$S" "$C" 2 2>&1) || true
tap_is "$out" "expired spi 0x4c320001 hard" "the kernel's hard-expiry event reaches kernel_xfrm"
tap_is "$(ns_exec server ip xfrm state | grep -c 'spi 0x4c320001' || true)" 0 "the expired SA is gone"
