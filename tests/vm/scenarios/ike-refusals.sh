#!/usr/bin/env bash
# ike-refusals.sh - issue 3, cases 5, 6 and 7 against one l2tpsecd: a client with the wrong
# PSK, a client offering only DES/MODP768, and a client that vanishes after its first
# message; then a good client from that same address still connects, and the refused ones
# leave nothing behind.
#
#                      +------------------------------+
#   cpsk  192.0.2.2 ---| eth0 192.0.2.1/24            |   cpsk:  strongSwan, wrong PSK
#   cweak 198.51.100.2-| eth1 198.51.100.1/24  server |   cweak: strongSwan, DES/MODP768
#   cgood 203.0.113.2 -| eth2 203.0.113.1/24          |   cgood: MM1 only (socat), then
#                      | l2tpsecd, exchange_timeout 5 |          strongSwan winxp
#                      +------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

ns_add server cpsk cweak cgood
ns_link server eth0 192.0.2.1/24 cpsk eth0 192.0.2.2/24
ns_link server eth1 198.51.100.1/24 cweak eth0 198.51.100.2/24
ns_link server eth2 203.0.113.1/24 cgood eth0 203.0.113.2/24
server_l2tpsecd_start server "exchange_timeout = 5;" "l2tp = { allow_clear = true; };" # IKE only: no guard policies in the counts

# 5. Wrong PSK: the client fails; one line names the peer and the PSK mismatch.
TEST_CLIENT_PSK=not-the-psk client_ipsec_setup cpsk winxp 192.0.2.1
ns_bg cpsk "$(ns_log_dir cpsk)/ipsec-up.log" ipsec up vpn >/dev/null
psk_logged() { [ "$(l2tpsecd_log_count '192\.0\.2\.2.*mismatch of preshared secrets')" -ge 1 ]; }
wait_for 60 "the PSK mismatch logged" psk_logged || true
tap_is "$(l2tpsecd_log_count '192\.0\.2\.2.*mismatch of preshared secrets')" 1 \
	"wrong PSK: one line names the peer and the PSK mismatch"

# 6. DES/SHA1/MODP1024 and 3DES/SHA1/MODP768 only: NO_PROPOSAL_CHOSEN, and for each refused
# attribute the seed-shaped line that names what is supported.
client_ipsec_setup cweak weak 198.51.100.1
ns_bg cweak "$(ns_log_dir cweak)/ipsec-up.log" ipsec up vpn >/dev/null
client_refused() { file_has "$(ns_log_dir cweak)/charon.log" "NO_PROPOSAL_CHOSEN"; }
wait_for 60 "the client saw NO_PROPOSAL_CHOSEN" client_refused || true
tap_ok client_refused "DES or MODP768 only: the client receives NO_PROPOSAL_CHOSEN"
tap_ok l2tpsecd_log_has "only OAKLEY_3DES_CBC and OAKLEY_AES_CBC supported. Attribute OAKLEY_ENCRYPTION_ALGORITHM" \
	"DES: the seed-shaped line names the supported ciphers"
tap_like "$(cat "$L2TPSECD_LOG")" "only OAKLEY_GROUP_MODP1024, .* supported. Attribute OAKLEY_GROUP_DESCRIPTION" \
	"MODP768: the seed-shaped line names the supported groups"
tap_ok l2tpsecd_log_has "NO_PROPOSAL_CHOSEN" "DES or MODP768 only: the server logs NO_PROPOSAL_CHOSEN"

# 7. A client that sends Main Mode 1 and vanishes: the half-open state expires.
mm1=$PROJECT_DIR/tests/data/ike-mm1-3des-sha1-modp1024.bin
tap_ok ns_exec cgood socat -u "OPEN:$mm1" "UDP4-SENDTO:203.0.113.1:500,sourceport=500" \
	"a vanishing client sends Main Mode 1 only"
expired() { [ "$(l2tpsecd_log_count '203\.0\.113\.2|#[0-9]+: .*(incomplete|half-open|timed out|expired)')" -ge 2 ] &&
	[ "$(l2tpsecd_log_count '(deleting|expir|timed out|giving up).*(incomplete|half-open|STATE_MAIN_R1)|(incomplete|half-open|STATE_MAIN_R1).*(deleting|expir|timed out)')" -ge 1 ]; }
wait_for 60 "the half-open state expired" expired || true
tap_ok expired "the vanished client's half-open state expires and is logged"

tap_ok kill -0 "$L2TPSECD_PID" "l2tpsecd is still running after the refusals"
tap_is "$(xfrm_count server state)" 0 "no SA left from the refused clients"
tap_is "$(xfrm_count server policy)" 0 "no policy left from the refused clients"

# And it still serves, the vanished client's address included.
client_ipsec_setup cgood winxp 203.0.113.1
tap_ok client_ipsec_up cgood 90 "after the refusals a winxp client connects"
server_has_pair() { [ "$(xfrm_count server state)" = 2 ]; }
wait_for 30 "the good client's SA pair on the server" server_has_pair || true
tap_ok server_has_pair "the good client has its SA pair on the server"

tap_diag "l2tpsecd's log:"$'\n'"$(cat "$L2TPSECD_LOG")"
kill -TERM "$L2TPSECD_PID" 2>/dev/null || true
stopped() { ! kill -0 "$L2TPSECD_PID" 2>/dev/null; }
wait_for 60 "l2tpsecd stopped" stopped || true
tap_is "$(xfrm_count server state)" 0 "after SIGTERM no SA of ours is left"
tap_is "$(grep -c -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error' "$(ns_log_dir server)/l2tpsecd.stderr" || true)" 0 \
	"no sanitizer report from l2tpsecd"
