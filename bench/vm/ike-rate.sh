#!/usr/bin/env bash
# ike-rate.sh - issue 6, benchmark 1: IKEv1 Main Mode + Quick Mode handshakes per second in
# one VM boot, l2tpsecd vs strongSwan's charon vs libreswan's pluto as the responder, each
# alone in the server namespace with real kernel SAs, the same suite (AES128/SHA1/MODP2048,
# ESP AES128/HMAC-SHA1, transport UDP/1701, no PFS: Debian 12's libreswan has no MODP1024),
# the same concurrency sweep; bench/l2tpsec-ikeload in the client namespace, one source
# address per client from 10.64.0.0/16 (routed to the client's lo as local addresses), with
# Deletes after QM3 so every responder frees its state.  `openssl speed ffdh2048` in the same
# VM is the ceiling.  A benchmark, not a test: run it with
#   tests/vm/vm-run bench/vm/ike-rate.sh   (or scripts/bench vm)
# vm: timeout=2400 mem=2G
#
#   +------------------------------+          +--------------------------------+
#   | server                       |          | client                         |
#   | eth0 192.0.2.1/24            |----------| eth0 192.0.2.2/24              |
#   | l2tpsecd | charon | pluto    |          | lo: local 10.64.0.0/16         |
#   | route 10.64.0.0/16 via .2    |          | bench/l2tpsec-ikeload          |
#   +------------------------------+          +--------------------------------+
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../../tests/vm/lib.sh"
# shellcheck source=tests/vm/libreswan.sh
. "$(dirname "$0")/../../tests/vm/libreswan.sh"

SWEEP=${L2TPSEC_TEST_BENCH_SWEEP:-1 8 64 256}
DURATION=${L2TPSEC_TEST_BENCH_DURATION:-15}
LOAD=$L2TPSEC_BUILD_DIR/bench/l2tpsec-ikeload
HZ=100
[ -x "$LOAD" ] || lib_abort "no $LOAD: build bench/l2tpsec-ikeload in L2TPSEC_TEST_BUILD"

topology_direct
printf 'route add local 10.64.0.0/16 dev lo\n' | ns_exec client ip -batch -
printf 'route add 10.64.0.0/16 via %s\n' "$CLIENT_IP" | ns_exec server ip -batch -

cpu_ticks() { # cpu_ticks PID: utime + stime in clock ticks
	local stat
	read -r stat <"/proc/$1/stat"
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split the fields
	set -- $stat
	echo $((${12} + ${13}))
}
field() { local f; for f in $2; do [ "${f%%=*}" = "$1" ] && echo "${f#*=}" && return; done; echo "-"; }

# sweep NAME PID: the load generator at every concurrency against the responder PID.
declare -A R=()
sweep() {
	local name=$1 pid=$2 c before after out line
	for c in $SWEEP; do
		before=$(cpu_ticks "$pid")
		out=$(ns_exec client "$LOAD" --server "$SERVER_IP" --psk "$TEST_PSK" --sources 10.64.0.0/16 \
			--concurrency "$c" --duration "$DURATION" --timeout 30 --delete --quiet 2>&1) || true
		after=$(cpu_ticks "$pid")
		printf '%s\n' "$out" >>"$RESULT_DIR/$name.txt"
		line=$(printf '%s\n' "$out" | grep '^RESULT' || echo "RESULT")
		{ printf '%s\n' "$out" | grep '^failure' || true; } | while read -r l; do tap_diag "$name c=$c $l"; done
		R[$name.rate.$c]=$(field rate "$line")
		R[$name.lat.$c]="$(field p50 "$line")/$(field p99 "$line")/$(field max "$line")"
		R[$name.fail.$c]="$(field failed "$line")/$(field started "$line")"
		R[$name.cpu.$c]=$(awk -v t=$((after - before)) -v hz=$HZ -v n="$(field completed "$line")" \
			'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "-" }')
		metric "${name}_rate_c$c" "${R[$name.rate.$c]}" handshakes/s
		metric "${name}_cpu_c$c" "${R[$name.cpu.$c]}" ms/handshake
		log "$name c=$c: $line"
	done
	tap_ok test "${R[$name.rate.1]:--}" != - -a "${R[$name.rate.1]:-0}" != 0.0 \
		"$name: the load generator completes handshakes against it"
}

stop_server() {
	ns_kill_all server
	printf 'xfrm state flush\nxfrm policy flush\n' | ns_exec server ip -batch - || true
}

# ------------------------------------------------------------------ the ceiling
OPS=$(openssl speed -seconds 3 ffdh2048 2>/dev/null | awk '/2048 bits ffdh/ { print $NF }')
metric openssl_ffdh2048 "$OPS" op/s
tap_like "$OPS" '^[0-9.]+$' "openssl speed ffdh2048 measured in the VM"

# ------------------------------------------------------------------ l2tpsecd
L2TPSECD_LOG=$(ns_log_dir server)/l2tpsec.log
L2TPSECD_CONF=$WORK/l2tpsec-bench.conf
cat >"$L2TPSECD_CONF" <<-EOF
	# written by bench/vm/ike-rate.sh: IKE only, real kernel SAs, logging as an admin runs it
	ike = { psk = "$TEST_PSK"; listen = "$SERVER_IP"; half_open_total = 100000; };
	l2tp = { enabled = false; };
	log = { file = "$L2TPSECD_LOG"; syslog = false; level = "notice"; };
	daemon = { pid_file = "$(ns_run_dir server)/l2tpsecd.pid"; };
EOF
chmod 600 "$L2TPSECD_CONF"
L2TPSECD_PID=$(ns_bg server "$(ns_log_dir server)/l2tpsecd.stderr" \
	"$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" -f -c "$L2TPSECD_CONF")
wait_for 60 "l2tpsecd listening for IKE" file_has "$L2TPSECD_LOG" "listening for IKE"
sweep l2tpsec "$L2TPSECD_PID"
stop_server

# ------------------------------------------------------------------ charon
STRONGSWAN_PLUGINS="random nonce openssl hmac kernel-netlink socket-default stroke"
strongswan_write_conf server
# Logging down to what an admin runs with; the IKE_SA table sized for many peers, as the
# strongSwan documentation advises for large setups.
sed -i 's/default = 1/default = 0/; s/ike = 2/ike = 0/; s/cfg = 2/cfg = 0/; s/knl = 2/knl = 0/; s/net = 1/net = 0/' \
	"/etc/netns/$(ns_real server)/strongswan.conf"
sed -i "s|^\\(\\s*\\)load_modular|\\1ikesa_table_size = 1024\\n\\1ikesa_table_segments = 16\\n\\1load_modular|" \
	"/etc/netns/$(ns_real server)/strongswan.conf"
ns_write server /etc/ipsec.conf <<-EOF
	# written by bench/vm/ike-rate.sh
	config setup
	  uniqueids = no
	conn l2tp
	  keyexchange = ikev1
	  authby = secret
	  type = transport
	  left = $SERVER_IP
	  leftprotoport = 17/1701
	  right = %any
	  rightprotoport = 17/%any
	  ike = aes128-sha1-modp2048!
	  esp = aes128-sha1!
	  rekey = no
	  dpdaction = none
	  auto = add
EOF
ns_write server /etc/ipsec.secrets 600 <<-EOF
	$SERVER_IP %any : PSK "$TEST_PSK"
EOF
ipsec_start server
wait_for 30 "conn l2tp loaded" ns_exec server ipsec statusall l2tp
CHARON_PID=$(ns_pid_of server charon)
sweep strongSwan "$CHARON_PID"
stop_server

# ------------------------------------------------------------------ pluto
libreswan_check
ns_exec server ${BB:+$BB} mount -t overlay -o "lowerdir=$LIBRESWAN_DIR/usr/libexec:/usr/libexec" \
	l2tpsec-libreswan /usr/libexec
PLUTO_LOG=$(ns_log_dir server)/pluto.log
ns_write server /etc/ipsec.conf <<-EOF
	# written by bench/vm/ike-rate.sh
	config setup
	  logfile=$PLUTO_LOG
	  logappend=yes
	  plutodebug=none
	  dnssec-enable=no
	  ikev1-policy=accept
	  uniqueids=no
	conn l2tp
	  ikev2=no
	  authby=secret
	  type=transport
	  left=$SERVER_IP
	  leftprotoport=17/1701
	  right=%any
	  rightprotoport=17/%any
	  ike=aes128-sha1;modp2048
	  esp=aes128-sha1
	  pfs=no
	  auto=add
EOF
ns_write server /etc/ipsec.secrets 600 <<-EOF
	$SERVER_IP %any : PSK "$TEST_PSK"
EOF
ns_write server /etc/ipsec.d/README <<-EOF
	written by bench/vm/ike-rate.sh: pluto's NSS database
EOF
nssdir=/etc/netns/$(ns_real server)/ipsec.d
[ -f "$nssdir/cert9.db" ] || certutil -N --empty-password -d "sql:$nssdir"
_bb mkdir -p "$(ns_run_dir server)/pluto"
PLUTO_PID=$(ns_bg server "$(ns_log_dir server)/pluto.stderr" "$LIBRESWAN_EXEC/pluto" --nofork \
	--config /etc/ipsec.conf --nssdir /etc/ipsec.d --rundir /run/pluto)
wait_for 60 "pluto's control socket" test -S "$(ns_run_dir server)/pluto/pluto.ctl"
wait_for 30 "connection l2tp loaded by pluto" file_has "$PLUTO_LOG" '"l2tp": added IKEv1 connection'
sweep libreswan "$PLUTO_PID"
stop_server

# ------------------------------------------------------------------ the table
row() { printf '#TABLE %-34s %12s %12s %12s %10s %s\n' "$@"; }
best_other() { awk -v a="$1" -v b="$2" 'BEGIN { a += 0; b += 0; print (a > b ? a : b) }'; }
row measure l2tpsec strongSwan libreswan ceiling "ratios (l2tpsec/ceiling, l2tpsec/best other)"
for c in $SWEEP; do
	l=${R[l2tpsec.rate.$c]:--} s=${R[strongSwan.rate.$c]:--} p=${R[libreswan.rate.$c]:--}
	ceil=$(awk -v o="$OPS" 'BEGIN { printf "%.0f", o * 2 / 2 }')
	b=$(best_other "$s" "$p")
	row "handshakes/s, $c in flight" "$l" "$s" "$p" "$ceil" \
		"$(awk -v l="$l" -v c="$ceil" -v b="$b" 'BEGIN { printf "%.0f%%, %s", 100 * l / c, (b > 0 ? sprintf("%.2fx", l / b) : "-") }')"
	row "latency p50/p99/max ms, $c" "${R[l2tpsec.lat.$c]:--}" "${R[strongSwan.lat.$c]:--}" \
		"${R[libreswan.lat.$c]:--}" - -
	row "responder CPU ms/handshake, $c" "${R[l2tpsec.cpu.$c]:--}" "${R[strongSwan.cpu.$c]:--}" \
		"${R[libreswan.cpu.$c]:--}" "$(awk -v o="$OPS" 'BEGIN { printf "%.2f", 2000 / o }')" -
	row "failed/started, $c" "${R[l2tpsec.fail.$c]:--}" "${R[strongSwan.fail.$c]:--}" \
		"${R[libreswan.fail.$c]:--}" - -
done
printf '#TABLE ceiling: openssl speed -seconds 3 ffdh2048 = %s op/s per vCPU; 2 vCPUs / 2 DH operations per handshake\n' "$OPS"
printf '#TABLE the generator shares the 2 vCPUs (TCG) with the responder: compare the CPU rows too\n'
