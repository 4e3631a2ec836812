#!/usr/bin/env bash
# l2tp-clear.sh - issue 4, case 7: a client that sends L2TP without IPsec (xl2tpd alone) is
# dropped and logged: no tunnel, no pppd, no PPP link; the kernel guard keeps it out.
#
#   +-----------------------------+   veth   +-----------------------------+
#   | server  eth0 192.0.2.1/24   |----------| client eth0 192.0.2.2/24    |
#   | l2tpsecd                    |<-L2TP----| xl2tpd + pppd, no IPsec     |
#   +-----------------------------+  clear   +-----------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/vm/scenarios/l2tp.inc
. "$(dirname "$0")/l2tp.inc"

topology_direct
server_l2tpsecd_start server
l2tp_server_baseline
client_l2tp_setup client "$SERVER_IP"
client_l2tp_connect client
dropped='L2TP from 192.0.2.2:1701 dropped: it did not arrive through an IPsec SA of ours (sent in the clear)'
wait_for 60 "the drop in l2tpsecd's log" l2tpsecd_log_has "$dropped" || true
tap_ok l2tpsecd_log_has "$dropped" "log: $dropped"
tap_is "$(grep -c 'L2TP tunnel established' "$L2TPSECD_LOG" || true)" 0 "log: no tunnel was established"
tap_is "$(l2tp_kernel_tunnels)" 0 "server: no kernel L2TP tunnel"
tap_is "$(server_pppd_count)" 0 "server: no pppd"
tap_ok test ! -s "$(ppp_peer_file client)" "client: no PPP link"
