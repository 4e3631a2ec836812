# shellcheck shell=bash
# shellcheck disable=SC2034 # many variables here are set for the scenarios that source this
# lib.sh - scenario library of the l2tpsec end-to-end test rig; sourced by scenarios/*.sh.
#
# A scenario runs the same way inside the test VM (L2TPSEC_MODE=vm, PID 1 is the rig's init)
# and directly on a host whose kernel has ESP/L2TP/PPP (L2TPSEC_MODE=direct); this file hides
# the difference.  It provides:
#   TAP        tap_ok CMD... NAME | tap_is GOT EXPECTED NAME | tap_like GOT ERE NAME |
#              tap_skip REASON NAME | tap_diag TEXT | lib_abort REASON.  The plan (1..N) is
#              printed when the scenario exits; the exit status is 1 if an assertion failed.
#   figures    metric NAME VALUE UNIT (into $RESULT_DIR/metrics), now_ms, lib_sleep SECONDS
#   waiting    wait_for TIMEOUT_S DESCRIPTION CMD... (polls; sets WAIT_MS)
#   namespaces ns_add, ns_exec, ns_bg, ns_write, ns_link, ns_nft, ns_sysctl, ns_run_dir,
#              ns_log_dir, ns_kill_all; topology_direct, topology_nat
#   client     ipsec_profile, client_ipsec_setup, client_ipsec_up, client_l2tp_setup,
#              client_l2tp_connect, wait_ppp_address (strongSwan + xl2tpd + pppd, as a
#              Windows client would do it)
#   server     server_ref_start (today's stack: strongSwan starter/charon + xl2tpd + pppd),
#              server_l2tp_guard (nft: drop UDP/1701 that did not come through IPsec)
#   inspection xfrm_sa_stats, nft_rule_packets, pid_rss_kib, ppp_peer_file
#
# Each namespace has a persistent mount namespace (entered with busybox nsenter, ~20 ms
# per command under TCG instead of ~250 ms for "ip netns exec" + sh) in which its own
# /run (a directory under $WORK) and the entries of /etc/netns/NS/ are bind-mounted, the
# convention of "ip netns exec".  Daemons therefore have their own pid files and control
# sockets.  Logs go to $RESULT_DIR/logs/NS/.  Stdout of a scenario is TAP; stderr is a log.
set -euo pipefail
set -o errtrace

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT_DIR=$(cd "$LIB_DIR/../.." && pwd)
SCENARIO=$(basename "$0" .sh)
L2TPSEC_MODE=${L2TPSEC_MODE:-direct}
RESULT_DIR=${L2TPSEC_RESULT_DIR:-${L2TPSEC_VM_CACHE:-$LIB_DIR/.cache}/results/$SCENARIO}
mkdir -p "$RESULT_DIR/logs"
: >"$RESULT_DIR/metrics"
WORK=$(mktemp -d /tmp/l2tpsec-test.XXXXXX)
# Namespace names: plain inside the VM, unique per run on a shared host.
if [ "$L2TPSEC_MODE" = vm ]; then NS_PREFIX=""; else NS_PREFIX="l2s$$-"; fi
BB=$(command -v busybox || true)

# Addresses (TEST-NET only; the private LAN exists only inside the NAT topology).
SERVER_IP=192.0.2.1
CLIENT_IP=""
NAT_WAN_IP=198.51.100.1
NAT_LAN_IP=192.168.77.1
CLIENT_LAN_IP=192.168.77.2
PPP_SERVER_IP=203.0.113.1
PPP_POOL_FIRST=203.0.113.10
PPP_POOL_LAST=203.0.113.99
PPP_POOL_ERE='^203\.0\.113\.([1-9][0-9])$'
TEST_PSK=${L2TPSEC_TEST_PSK:-l2tpsec-test-psk}
TEST_CLIENT_PSK=${L2TPSEC_TEST_CLIENT_PSK:-$TEST_PSK}
TEST_USER=${L2TPSEC_TEST_USER:-testuser}
TEST_PASSWORD=${L2TPSEC_TEST_PASSWORD:-testpassword}
TEST_CLIENT_PASSWORD=${L2TPSEC_TEST_CLIENT_PASSWORD:-$TEST_PASSWORD}
# strongSwan plugins charon loads (fewer plugins = faster start under TCG); empty = all.
STRONGSWAN_PLUGINS=${STRONGSWAN_PLUGINS-random nonce openssl pem pkcs1 x509 pubkey hmac kdf kernel-netlink socket-default stroke updown}

_tap_n=0
_tap_failed=0
TAP_LAST=0
exec {_tap_fd}>&1 # TAP goes to the scenario's stdout even from redirected commands
_lib_namespaces=()
_lib_placeholders=()

# ---------------------------------------------------------------- TAP and figures
tap_diag() {
	local line
	while IFS= read -r line; do printf '# %s\n' "$line" >&"$_tap_fd"; done <<<"$*"
}
_tap_result() { # _tap_result OK(0|1) NAME
	_tap_n=$((_tap_n + 1))
	TAP_LAST=$1
	if [ "$1" = 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$2" >&"$_tap_fd"
	else
		_tap_failed=$((_tap_failed + 1))
		printf 'not ok %d - %s\n' "$_tap_n" "$2" >&"$_tap_fd"
	fi
	if [ "$1" = 0 ]; then log "[tap] ok $_tap_n - $2"; else log "[tap] not ok $_tap_n - $2"; fi
}
# tap_ok CMD... NAME: passes when CMD exits 0; its output is shown only on failure.
tap_ok() {
	local name=${*: -1} rc=0
	local -a cmd=("${@:1:$#-1}")
	# In this shell (not a subshell): functions like wait_ppp_address set variables.
	"${cmd[@]}" >"$WORK/tap-cmd.out" 2>&1 || rc=$?
	_lib_cat "$WORK/tap-cmd.out" >&2
	_tap_result "$rc" "$name"
	if [ "$rc" != 0 ]; then
		tap_diag "  command: ${cmd[*]} (exit status $rc)"
		local -a lines
		mapfile -t lines <"$WORK/tap-cmd.out"
		local from=$((${#lines[@]} > 15 ? ${#lines[@]} - 15 : 0))
		[ "${#lines[@]}" = 0 ] || tap_diag "$(printf '%s\n' "${lines[@]:from}")"
	fi
	return 0
}
tap_is() { # tap_is GOT EXPECTED NAME
	if [ "$1" = "$2" ]; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"
		tap_diag "  got:      '$1'"$'\n'"  expected: '$2'"
	fi
}
tap_like() { # tap_like GOT ERE NAME
	if [[ $1 =~ $2 ]]; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"
		tap_diag "  got:      '$1'"$'\n'"  expected to match: /$2/"
	fi
}
tap_skip() { # tap_skip REASON NAME
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$2" "$1" >&"$_tap_fd"
}
tap_failed() { [ "$_tap_failed" != 0 ]; }
tap_last_ok() { [ "$TAP_LAST" = 0 ]; } # did the last assertion pass?
metric() { # metric NAME VALUE UNIT
	printf '%s %s %s\n' "$1" "$2" "$3" >>"$RESULT_DIR/metrics"
	log "[metric] $1 $2 $3"
}
lib_abort() {
	tap_diag "aborting $SCENARIO: $*"
	exit 1
}
log() { # timestamped line on stderr (no fork: this runs a lot under TCG)
	local t=$EPOCHREALTIME ts
	printf -v ts '%(%T)T' "${t%.*}"
	printf '[%s.%s] %s\n' "$ts" "${t: -6:3}" "$*" >&2
}
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# lib_sleep SECONDS: sleep without forking a process (a read that times out).
mkfifo "$WORK/sleep.fifo"
exec {_lib_sleep_fd}<>"$WORK/sleep.fifo"
lib_sleep() { read -r -t "$1" -u "$_lib_sleep_fd" _ || true; }

# wait_for TIMEOUT_S DESCRIPTION CMD...: poll CMD until it succeeds; WAIT_MS = time taken.
WAIT_MS=0
wait_for() {
	local timeout=$1 desc=$2 start end
	shift 2
	start=$(now_ms)
	end=$((start + timeout * 1000))
	while :; do
		if "$@" >/dev/null 2>&1; then
			WAIT_MS=$(($(now_ms) - start))
			log "waited ${WAIT_MS} ms for: $desc"
			return 0
		fi
		if [ "$(now_ms)" -ge "$end" ]; then
			WAIT_MS=$(($(now_ms) - start))
			tap_diag "timed out after ${timeout} s waiting for: $desc"
			log "timed out after ${timeout} s waiting for: $desc"
			return 1
		fi
		lib_sleep 0.1
	done
}

# ---------------------------------------------------------------- namespaces
ns_real() { echo "$NS_PREFIX$1"; }
# _bb CMD...: the busybox applet CMD when busybox exists (static: cheap to exec), else CMD.
_bb() { if [ -n "$BB" ]; then "$BB" "$@"; else command "$@"; fi; }
_lib_cat() { local l; while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$1"; }
line_count() { # line_count TEXT: number of lines (0 for "")
	local -a _lines=()
	[ -z "$1" ] || mapfile -t _lines <<<"$1"
	echo "${#_lines[@]}"
}
# file_count FILE GLOB: number of lines of FILE matching the glob pattern GLOB (builtins).
file_count() {
	local -a lines
	local line n=0
	if [ -f "$1" ]; then
		mapfile -t lines <"$1"
		for line in "${lines[@]}"; do
			# shellcheck disable=SC2053 # $2 is a glob pattern
			[[ $line != $2 ]] || n=$((n + 1))
		done
	fi
	echo "$n"
}
file_count_above() { [ "$(file_count "$1" "$2")" -gt "$3" ]; } # FILE GLOB N
# file_has FILE TEXT: FILE contains TEXT (bash builtins only; for polling logs).
file_has() {
	local -a lines
	[ -f "$1" ] || return 1
	mapfile -t lines <"$1"
	[[ "${lines[*]}" == *"$2"* ]]
}
ns_run_dir() { echo "$WORK/ns/$1/run"; }
ns_log_dir() { echo "$RESULT_DIR/logs/$1"; }

# ns_add NAME...: network namespace + its mount namespace (own /run, /etc/netns/NS binds),
# made by one static busybox unshare: under TCG every exec of a dynamic binary costs.
ns_add() {
	local name real run
	if [ ! -d "$WORK/mnt" ]; then
		_bb mkdir -p "$WORK/mnt" /run/netns
		mount --bind "$WORK/mnt" "$WORK/mnt"
		mount --make-private "$WORK/mnt"
	fi
	for name in "$@"; do
		real=$(ns_real "$name")
		run=$WORK/ns/$name/run
		[ ! -e "/run/netns/$real" ] || lib_abort "network namespace $real exists already"
		_bb mkdir -p "$run" "/etc/netns/$real" "$RESULT_DIR/logs/$name"
		: >"/run/netns/$real"
		: >"$WORK/mnt/$name"
		_lib_namespaces+=("$name")
		# Inside: this netns's sysfs, its own /run, lo up.
		# shellcheck disable=SC2016 # expanded by the inner shell
		_bb unshare --net="/run/netns/$real" --mount="$WORK/mnt/$name" --propagation slave \
			${BB:+$BB} sh -c 'b=$2; $b umount -l /sys && $b mount -t sysfs sysfs /sys &&
				$b mount --bind "$1" /run && $b ip link set lo up' sh "$run" "$BB"
	done
}

# ns_exec NAME CMD...: run the program CMD in the namespace (network + mount); cwd is /.
# CMD is resolved to its path first: busybox nsenter would run its own applet for "ip".
ns_exec() {
	local name=$1 prog
	shift
	prog=$(type -P "$1") || {
		echo "ns_exec: $1: command not found" >&2
		return 127
	}
	shift
	${BB:+$BB} nsenter -n"/run/netns/$(ns_real "$name")" -m"$WORK/mnt/$name" "$prog" "$@"
}

# ns_bg NAME LOGFILE CMD...: start the program CMD in the background in the namespace, its
# output appended to LOGFILE; prints its PID (busybox nsenter execs CMD in place).
ns_bg() {
	local name=$1 logfile=$2 prog
	shift 2
	prog=$(type -P "$1") || {
		echo "ns_bg: $1: command not found" >&2
		return 127
	}
	shift
	(
		trap - ERR
		exec ${BB:+$BB} nsenter -n"/run/netns/$(ns_real "$name")" -m"$WORK/mnt/$name" "$prog" "$@"
	) </dev/null >>"$logfile" 2>&1 &
	echo "$!"
}

# ns_write NAME /etc/PATH [MODE] < CONTENT: a file of the namespace's private /etc.  The
# top-level entry (/etc/ipsec.conf, /etc/ppp, ...) is bind-mounted from /etc/netns/NS the
# first time; so /etc/ppp is the namespace's own directory, not the host's.
declare -A _lib_bound=()
ns_write() {
	local name=$1 path=$2 mode=${3:-644} real rel top src content=""
	real=$(ns_real "$name")
	case $path in /etc/?*) ;; *) lib_abort "ns_write: $path is not under /etc" ;; esac
	rel=${path#/etc/}
	top=${rel%%/*}
	src=/etc/netns/$real/$rel
	IFS= read -r -d '' content || true
	_bb mkdir -p "${src%/*}"
	printf '%s' "$content" >"$src"
	_bb chmod "$mode" "$src"
	if [ -z "${_lib_bound[$name/$top]:-}" ]; then
		if [ ! -e "/etc/$top" ]; then
			if [ "$top" = "$rel" ]; then : >"/etc/$top"; else _bb mkdir -p "/etc/$top"; fi
			_lib_placeholders+=("/etc/$top")
		fi
		ns_exec "$name" ${BB:+$BB} mount --bind "/etc/netns/$real/$top" "/etc/$top"
		_lib_bound[$name/$top]=1
	fi
}

# ns_link NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN: a veth pair; when the two addresses are in
# different subnets each side gets an on-link route to the other's subnet.
ns_link() {
	local n1=$1 i1=$2 a1=$3 n2=$4 i2=$5 a2=$6 p1 p2 r1="" r2=""
	p1=$(_prefix_of "$a1")
	p2=$(_prefix_of "$a2")
	if [ "$p1" != "$p2" ]; then
		r1="route add $p2 dev $i1"
		r2="route add $p1 dev $i2"
	fi
	ip link add "$i1" netns "$(ns_real "$n1")" type veth peer name "$i2" netns "$(ns_real "$n2")"
	printf 'addr add %s dev %s\nlink set %s up\n%s\n' "$a1" "$i1" "$i1" "$r1" | ns_exec "$n1" ip -batch -
	printf 'addr add %s dev %s\nlink set %s up\n%s\n' "$a2" "$i2" "$i2" "$r2" | ns_exec "$n2" ip -batch -
}
_prefix_of() { # 192.0.2.1/24 -> 192.0.2.0/24 (for /8, /16, /24 and /32)
	local ip=${1%/*} len=${1#*/} a b c d
	IFS=. read -r a b c d <<<"$ip"
	case $len in
	8) echo "$a.0.0.0/8" ;;
	16) echo "$a.$b.0.0/16" ;;
	24) echo "$a.$b.$c.0/24" ;;
	32) echo "$a.$b.$c.$d/32" ;;
	*) lib_abort "_prefix_of: unsupported prefix length $len" ;;
	esac
}
ns_sysctl() { # ns_sysctl NAME KEY VALUE (KEY with dots)
	# shellcheck disable=SC2016 # expanded by the inner shell
	ns_exec "$1" ${BB:+$BB} sh -c 'echo "$2" >"/proc/sys/$1"' sh "${2//.//}" "$3"
}
ns_nft() { ns_exec "$1" nft -f - ; } # ns_nft NAME < RULESET

# ns_kill_all NAME: end every process of the namespace (TERM, then KILL after 5 s).
ns_kill_all() {
	local real pids i
	real=$(ns_real "$1")
	pids=$(ip netns pids "$real" 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # a list of PIDs
	kill -TERM $pids 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ip netns pids "$real" 2>/dev/null)" ] || return 0
		lib_sleep 0.1
	done
	pids=$(ip netns pids "$real" 2>/dev/null || true)
	# shellcheck disable=SC2086 # a list of PIDs
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

# topology_direct: client and server on one TEST-NET link.
#   client eth0 192.0.2.2/24 <---> eth0 192.0.2.1/24 server
topology_direct() {
	ns_add server client
	CLIENT_IP=192.0.2.2
	ns_link server eth0 "$SERVER_IP/24" client eth0 "$CLIENT_IP/24"
}

# topology_nat: client on a private LAN behind a masquerading NAT box.
#   client lan0 192.168.77.2/24 <-> lan0 192.168.77.1/24 nat wan0 198.51.100.1/24
#     <-> eth0 192.0.2.1/24 server (on-link routes between the two TEST-NETs)
topology_nat() {
	ns_add server nat client
	CLIENT_IP=$CLIENT_LAN_IP
	ns_link server eth0 "$SERVER_IP/24" nat wan0 "$NAT_WAN_IP/24"
	ns_link nat lan0 "$NAT_LAN_IP/24" client lan0 "$CLIENT_LAN_IP/24"
	ns_exec client ip route add default via "$NAT_LAN_IP"
	ns_sysctl nat net.ipv4.ip_forward 1
	ns_nft nat <<-'EOF'
		table ip l2tpsec_nat {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan0" counter masquerade
			}
		}
	EOF
}

# topology_lan N: N clients c1..cN and the server on one bridged TEST-NET LAN.
#   cI eth0 192.0.2.(10+I)/24 <-> vI ~ br0 192.0.2.1/24 server
topology_lan() {
	local n=$1 i
	ns_add server
	printf 'link add br0 type bridge\naddr add %s/24 dev br0\nlink set br0 up\n' "$SERVER_IP" |
		ns_exec server ip -batch -
	for ((i = 1; i <= n; i++)); do
		ns_add "c$i"
		ip link add eth0 netns "$(ns_real "c$i")" type veth peer name "v$i" netns "$(ns_real server)"
		printf 'addr add 192.0.2.%d/24 dev eth0\nlink set eth0 up\n' $((10 + i)) | ns_exec "c$i" ip -batch -
		printf 'link set v%d master br0\nlink set v%d up\n' "$i" "$i" | ns_exec server ip -batch -
	done
}

# ---------------------------------------------------------------- strongSwan
# ipsec_profile NAME: proposals of a client type -> PROFILE_IKE PROFILE_ESP
# PROFILE_IKELIFETIME PROFILE_KEYLIFE.
ipsec_profile() {
	case $1 in
	winxp)
		PROFILE_IKE=3des-sha1-modp1024!
		PROFILE_ESP=3des-sha1!
		;;
	win10)
		PROFILE_IKE=aes256-sha1-ecp384,aes256-sha1-modp2048!
		PROFILE_ESP=aes256-sha1,aes128-sha1!
		;;
	weak) # what a server must refuse: single DES, and the 768-bit group
		PROFILE_IKE=des-sha1-modp1024,3des-sha1-modp768!
		PROFILE_ESP=des-sha1!
		;;
	*) lib_abort "unknown client profile $1 (winxp, win10, weak)" ;;
	esac
	PROFILE_IKELIFETIME=8h
	PROFILE_KEYLIFE=1h
}

# strongswan_write_conf NS: strongswan.conf logging to $RESULT_DIR/logs/NS/charon.log.
strongswan_write_conf() {
	local ns=$1 load=""
	[ -z "$STRONGSWAN_PLUGINS" ] || load="load = $STRONGSWAN_PLUGINS"
	ns_write "$ns" /etc/strongswan.conf <<-EOF
		# written by tests/vm/lib.sh
		charon {
			load_modular = ${STRONGSWAN_PLUGINS:+no}${STRONGSWAN_PLUGINS:-yes}
			$load
			plugins {
				include /etc/strongswan.d/charon/*.conf
			}
			filelog {
				charon {
					path = $(ns_log_dir "$ns")/charon.log
					time_format = %T
					ike_name = yes
					flush_line = yes
					default = 1
					ike = 2
					cfg = 2
					knl = 2
					net = 1
				}
			}
			syslog {
				daemon {
					default = -1
				}
			}
		}
		include /etc/strongswan.d/*.conf
	EOF
}

# ipsec_start NS: starter + charon; waits until charon's stroke socket exists.
ipsec_start() {
	local ns=$1
	ns_exec "$ns" ipsec start >>"$(ns_log_dir "$ns")/ipsec-starter.log" 2>&1
	wait_for 60 "charon's control socket in $ns" test -S "$(ns_run_dir "$ns")/charon.ctl"
}
# ipsec_wait_conn NS CONN: wait until starter has handed CONN to charon (charon's log).
ipsec_wait_conn() {
	wait_for 30 "connection $2 loaded in $1" file_has "$(ns_log_dir "$1")/charon.log" "added configuration '$2'"
}

# client_ipsec_setup NS PROFILE SERVER_IP: configure and start the client's strongSwan
# (connection "vpn": IKEv1 PSK, transport mode for UDP/1701, as Windows does).
client_ipsec_setup() {
	local ns=$1 server=$3
	ipsec_profile "$2"
	strongswan_write_conf "$ns"
	ns_write "$ns" /etc/ipsec.conf <<-EOF
		# written by tests/vm/lib.sh: a Windows-like L2TP/IPsec client ($2)
		config setup
		  uniqueids = no
		conn vpn
		  keyexchange = ikev1
		  authby = secret
		  type = transport
		  left = %any
		  leftprotoport = 17/1701
		  right = $server
		  rightprotoport = 17/1701
		  ike = $PROFILE_IKE
		  esp = $PROFILE_ESP
		  ikelifetime = $PROFILE_IKELIFETIME
		  keylife = $PROFILE_KEYLIFE
		  keyingtries = 1
		  auto = add
	EOF
	ns_write "$ns" /etc/ipsec.secrets 600 <<-EOF
		%any $server : PSK "$TEST_CLIENT_PSK"
	EOF
	ipsec_start "$ns"
	ipsec_wait_conn "$ns" vpn
}

# client_ipsec_up NS [TIMEOUT_S]: initiate "vpn", wait until charon reports a new CHILD_SA
# established, and check that both ESP SAs are in the kernel.
client_ipsec_up() {
	local ns=$1 timeout=${2:-60} log pattern="*CHILD_SA vpn{*} established*" before
	log=$(ns_log_dir "$ns")/charon.log
	before=$(file_count "$log" "$pattern")
	ns_bg "$ns" "$(ns_log_dir "$ns")/ipsec-up.log" ipsec up vpn >/dev/null
	wait_for "$timeout" "CHILD_SA vpn established in $ns" file_count_above "$log" "$pattern" "$before" &&
		xfrm_have_sas "$ns" 2
}
xfrm_have_sas() { # xfrm_have_sas NS COUNT
	local out
	out=$(ns_exec "$1" ip xfrm state count)
	[ "${out##* }" -ge "$2" ]
}

# xfrm_sa_stats NS: one line per SA: "src dst proto spi packets bytes encap"
# (encap = "espinudp:SPORT:DPORT" or "none").
xfrm_sa_stats() {
	# shellcheck disable=SC2016 # an awk program
	ns_exec "$1" ip -s xfrm state | _bb awk '
		function flush() { if (src != "") print src, dst, proto, spi, pk + 0, by + 0, enc; }
		/^src / { flush(); src = $2; dst = $4; proto = ""; spi = ""; pk = 0; by = 0; enc = "none"; next }
		/^\tproto / { proto = $2; spi = $4 }
		/encap type/ { enc = $3 ":" $5 ":" $7 }
		/\(bytes\), .*\(packets\)/ { gsub(/[(),a-z]/, " "); by = $1; pk = $2 }
		END { flush() }'
}

# ---------------------------------------------------------------- L2TP / PPP
# ppp_write_hooks NS: /etc/ppp of the namespace with ip-up/ip-down hooks that record the
# link's addresses in /run/ppp-up.IFACE ("LOCAL REMOTE"), and an empty global options file.
ppp_write_hooks() {
	local ns=$1
	ns_write "$ns" /etc/ppp/options <<-'EOF'
		# written by tests/vm/lib.sh: no system-wide pppd options in the test namespaces
	EOF
	ns_write "$ns" /etc/ppp/ip-up 755 <<-'EOF'
		#!/bin/sh
		# pppd ip-up hook (tests/vm/lib.sh): IFACE TTY SPEED LOCAL REMOTE IPPARAM
		echo "$4 $5" >"/run/ppp-up.$1.tmp" && mv "/run/ppp-up.$1.tmp" "/run/ppp-up.$1"
	EOF
	ns_write "$ns" /etc/ppp/ip-down 755 <<-'EOF'
		#!/bin/sh
		# pppd ip-down hook (tests/vm/lib.sh)
		rm -f "/run/ppp-up.$1"
	EOF
}
ppp_peer_file() { echo "$(ns_run_dir "$1")/ppp-up.${2:-ppp0}"; } # ppp_peer_file NS [IFACE]

# xl2tpd_start NS: xl2tpd in the foreground (-D) with its log in logs/NS/xl2tpd.log;
# waits for its control FIFO.  Sets XL2TPD_PID.
xl2tpd_start() {
	local ns=$1 run
	run=$(ns_run_dir "$ns")
	_bb mkdir -p "$run/xl2tpd"
	XL2TPD_PID=$(ns_bg "$ns" "$(ns_log_dir "$ns")/xl2tpd.log" \
		xl2tpd -D -c /etc/xl2tpd/xl2tpd.conf -p /run/xl2tpd.pid -C /run/xl2tpd/l2tp-control)
	wait_for 30 "xl2tpd control FIFO in $ns" test -p "$run/xl2tpd/l2tp-control"
}

# client_l2tp_setup NS SERVER_IP: xl2tpd as LAC "vpn" + pppd options of a Windows client
# (MS-CHAPv2 only, no CCP, MTU/MRU 1400), started and ready for client_l2tp_connect.
client_l2tp_setup() {
	local ns=$1 server=$2 logs
	logs=$(ns_log_dir "$ns")
	ppp_write_hooks "$ns"
	ns_write "$ns" /etc/xl2tpd/xl2tpd.conf <<-EOF
		; written by tests/vm/lib.sh: L2TP access concentrator (client side)
		[global]
		port = 1701
		access control = no
		debug tunnel = yes
		debug state = yes
		[lac vpn]
		lns = $server
		require authentication = no
		ppp debug = yes
		pppoptfile = /etc/ppp/options.l2tp-client
		length bit = yes
		autodial = no
		redial = no
	EOF
	ns_write "$ns" /etc/ppp/options.l2tp-client <<-EOF
		# written by tests/vm/lib.sh: pppd options of a Windows-like L2TP client
		name $TEST_USER
		noauth
		refuse-pap
		refuse-chap
		refuse-mschap
		refuse-eap
		noccp
		nodefaultroute
		noipdefault
		ipcp-accept-local
		ipcp-accept-remote
		mtu 1400
		mru 1400
		lcp-echo-interval 0
		debug
		logfile $logs/pppd.log
	EOF
	ns_write "$ns" /etc/ppp/chap-secrets 600 <<-EOF
		"$TEST_USER" * "$TEST_CLIENT_PASSWORD" *
	EOF
	xl2tpd_start "$ns"
}

# client_l2tp_connect NS: ask the LAC to bring up the tunnel and the PPP session.
client_l2tp_connect() {
	echo "c vpn" >"$(ns_run_dir "$1")/xl2tpd/l2tp-control"
}

# wait_ppp_address NS [TIMEOUT_S] [IFACE]: wait until pppd's ip-up ran; sets PPP_LOCAL and
# PPP_REMOTE (the addresses of the link) and WAIT_MS.
wait_ppp_address() {
	local ns=$1 timeout=${2:-60} iface=${3:-ppp0} file
	file=$(ppp_peer_file "$ns" "$iface")
	PPP_LOCAL=""
	PPP_REMOTE=""
	wait_for "$timeout" "$iface up with an address in $ns" test -s "$file" || return 1
	read -r PPP_LOCAL PPP_REMOTE <"$file"
}

# ---------------------------------------------------------------- reference server
# server_ref_start NS SERVER_IP: today's stack as the L2TP/IPsec server: strongSwan
# (starter + charon, IKEv1 responder, PSK, transport mode for UDP/1701) + xl2tpd (LNS with
# an address pool) + pppd (MS-CHAPv2).  SERVER_IKE / SERVER_ESP override the proposals.
server_ref_start() {
	local ns=$1 server=$2 logs
	logs=$(ns_log_dir "$ns")
	strongswan_write_conf "$ns"
	ns_write "$ns" /etc/ipsec.conf <<-EOF
		# written by tests/vm/lib.sh: reference L2TP/IPsec server
		config setup
		  uniqueids = no
		conn l2tp
		  keyexchange = ikev1
		  authby = secret
		  type = transport
		  left = $server
		  leftprotoport = 17/1701
		  right = %any
		  rightprotoport = 17/%any
		  ike = ${SERVER_IKE:-3des-sha1-modp1024!}
		  esp = ${SERVER_ESP:-3des-sha1!}
		  rekey = no
		  dpddelay = 30
		  dpdtimeout = 120
		  dpdaction = clear
		  auto = add
	EOF
	ns_write "$ns" /etc/ipsec.secrets 600 <<-EOF
		$server %any : PSK "$TEST_PSK"
	EOF
	ppp_write_hooks "$ns"
	ns_write "$ns" /etc/xl2tpd/xl2tpd.conf <<-EOF
		; written by tests/vm/lib.sh: reference L2TP network server
		[global]
		listen-addr = $server
		port = 1701
		debug tunnel = yes
		debug state = yes
		[lns default]
		ip range = $PPP_POOL_FIRST-$PPP_POOL_LAST
		local ip = $PPP_SERVER_IP
		require chap = yes
		refuse pap = yes
		require authentication = yes
		name = l2tpsec-server
		ppp debug = yes
		pppoptfile = /etc/ppp/options.xl2tpd
		length bit = yes
	EOF
	ns_write "$ns" /etc/ppp/options.xl2tpd <<-EOF
		# written by tests/vm/lib.sh: pppd options of the reference server
		auth
		require-mschap-v2
		refuse-pap
		refuse-chap
		refuse-mschap
		ms-dns 192.0.2.53
		nodefaultroute
		noccp
		mtu 1400
		mru 1400
		lcp-echo-interval 30
		lcp-echo-failure 4
		debug
		logfile $logs/pppd.log
	EOF
	ns_write "$ns" /etc/ppp/chap-secrets 600 <<-EOF
		"$TEST_USER" * "$TEST_PASSWORD" *
	EOF
	ipsec_start "$ns"
	ipsec_wait_conn "$ns" l2tp
	xl2tpd_start "$ns"
	SERVER_XL2TPD_PID=$XL2TPD_PID
}

# ---------------------------------------------------------------- l2tpsecd
# nt_hash PASSWORD: the NT hash (MD4 of the UTF-16LE password) in hex, as users files hold it.
nt_hash() {
	local h
	h=$(printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE |
		openssl dgst -md4 -provider default -provider legacy -r) || return 1
	echo "${h%% *}"
}

# server_users_write NS [NAME:PASSWORD[:ADDRESS[:STATE]]]...: the users file of l2tpsecd in NS
# (default: TEST_USER with TEST_PASSWORD).  Sets L2TPSECD_USERS.
server_users_write() {
	local ns=$1 entry name password address state
	shift
	[ $# -gt 0 ] || set -- "$TEST_USER:$TEST_PASSWORD"
	L2TPSECD_USERS=$WORK/l2tpsec-users-$ns
	{
		echo "# written by tests/vm/lib.sh: NAME:NTHASH:ADDRESS:STATE"
		for entry in "$@"; do
			IFS=: read -r name password address state <<<"$entry"
			echo "$name:$(nt_hash "$password"):${address:-}:${state:-enabled}"
		done
	} >"$L2TPSECD_USERS.tmp"
	chmod 600 "$L2TPSECD_USERS.tmp"
	mv "$L2TPSECD_USERS.tmp" "$L2TPSECD_USERS"
}

# server_l2tpsecd_start NS [EXTRA_IKE_SETTINGS] [EXTRA_TOP_LEVEL_SETTINGS] [EXTRA_PPP_SETTINGS]: l2tpsecd as the
# whole server in NS (IKE, L2TP, pppd with our plugin, the pool 203.0.113.10-99), in the
# foreground with its log in logs/NS/l2tpsec.log; waits until its sockets are up.  Writes the
# default users file unless server_users_write ran for NS.  Sets L2TPSECD_PID, L2TPSECD_LOG
# and L2TPSECD_CONF.  The binaries come from the build in L2TPSEC_TEST_BUILD (scripts/test
# points it at the ASan+UBSan build; the pppd plugin there is built without sanitizers).
L2TPSEC_BUILD_DIR=${L2TPSEC_TEST_BUILD:-$PROJECT_DIR/build/test}
server_l2tpsecd_start() {
	local ns=$1 extra=${2:-} top=${3:-} ppp=${4:-} logs
	logs=$(ns_log_dir "$ns")
	L2TPSECD_LOG=$logs/l2tpsec.log
	L2TPSECD_CONF=$WORK/l2tpsec-$ns.conf
	[ -f "$WORK/l2tpsec-users-$ns" ] || server_users_write "$ns"
	L2TPSECD_USERS=$WORK/l2tpsec-users-$ns
	ppp_write_hooks "$ns"
	cat >"$L2TPSECD_CONF" <<-EOF
		# written by tests/vm/lib.sh
		ike = { psk = "$TEST_PSK"; $extra };
		log = { file = "$L2TPSECD_LOG"; syslog = false; level = "debug"; debug = "ike-fsm,l2tp-fsm"; };
		daemon = { pid_file = "$(ns_run_dir "$ns")/l2tpsecd.pid"; };
		ppp = { local_address = "$PPP_SERVER_IP"; pool = "$PPP_POOL_FIRST-$PPP_POOL_LAST";
		        dns = "192.0.2.53"; plugin = "$L2TPSEC_BUILD_DIR/ppp-glue/plugin/l2tpsec.so"; $ppp };
		users = { file = "$L2TPSECD_USERS"; };
		$top
	EOF
	chmod 600 "$L2TPSECD_CONF"
	L2TPSECD_PID=$(ns_bg "$ns" "$logs/l2tpsecd.stderr" \
		"$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" -f -c "$L2TPSECD_CONF")
	wait_for 60 "l2tpsecd listening in $ns" file_has "$L2TPSECD_LOG" "listening for L2TP"
}
# l2tpsecd_log_has TEXT: a fixed string in l2tpsecd's log.
l2tpsecd_log_has() { file_has "$L2TPSECD_LOG" "$1"; }
# l2tpsecd_log_count ERE: lines of l2tpsecd's log matching ERE.
l2tpsecd_log_count() { grep -c -E -- "$1" "$L2TPSECD_LOG" 2>/dev/null || true; }
# xfrm_count NS state|policy: how many SAs or policies the namespace's kernel holds (per-socket
# bypass policies, shown as "socket in/out", are not counted).
xfrm_count() {
	local out
	out=$(ns_exec "$1" ip xfrm "$2")
	if [ "$2" = policy ]; then
		grep -c -E '^[[:space:]]+dir (in|out|fwd) ' <<<"$out" || true
	else
		grep -c '^src' <<<"$out" || true
	fi
}

# server_l2tp_guard NS: what production servers do: UDP/1701 that did not come through
# IPsec is dropped (rule "clear"); what did is counted (rule "ipsec").
server_l2tp_guard() {
	ns_nft "$1" <<-'EOF'
		table inet l2tpsec_guard {
			chain input {
				type filter hook input priority filter; policy accept;
				udp dport 1701 meta secpath missing counter drop comment "clear"
				udp dport 1701 meta secpath exists counter accept comment "ipsec"
			}
		}
	EOF
}
# nft_rule_packets NS COMMENT: packet counter of the guard rule with that comment.
nft_rule_packets() {
	ns_exec "$1" nft list table inet l2tpsec_guard |
		_bb sed -n "s/.*counter packets \([0-9]*\) bytes.*comment \"$2\".*/\1/p"
}

# udp_listening NS PORT: a UDP socket is bound to PORT in the namespace.
udp_listening() {
	ns_exec "$1" ${BB:+$BB} cat /proc/net/udp | grep -q "^ *[0-9]*: [0-9A-F]*:$(printf '%04X' "$2") "
}
# module_available NAME: the kernel has NAME (loaded, or built in).
module_available() {
	[ -d "/sys/module/$1" ] || grep -q "/$1\.ko" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null
}

# pid_rss_kib PID: resident set size (VmRSS) in KiB.
pid_rss_kib() {
	local key value _
	while read -r key value _; do
		[ "$key" != VmRSS: ] || { echo "$value"; return 0; }
	done <"/proc/$1/status"
	return 1
}
# ns_pid_of NS COMM: PID of the (first) process named COMM in the namespace.
ns_pid_of() {
	local p comm
	for p in $(ip netns pids "$(ns_real "$1")"); do
		comm=""
		read -r comm <"/proc/$p/comm" 2>/dev/null || true
		if [ "$comm" = "$2" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ---------------------------------------------------------------- exit
_lib_diag_dump() {
	local ns d
	for ns in "${_lib_namespaces[@]}"; do
		d=$(ns_log_dir "$ns")
		mkdir -p "$d"
		{
			echo "== ip addr"
			ns_exec "$ns" ip addr
			echo "== ip route"
			ns_exec "$ns" ip route
			echo "== ip -s xfrm state"
			ns_exec "$ns" ip -s xfrm state
			echo "== ip xfrm policy"
			ns_exec "$ns" ip xfrm policy
			echo "== nft list ruleset"
			ns_exec "$ns" nft list ruleset
			echo "== processes"
			for p in $(ip netns pids "$(ns_real "$ns")"); do
				echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
			done
		} >"$d/state.txt" 2>&1 || true
	done
}
_lib_cleanup() {
	local ns real p
	for ns in "${_lib_namespaces[@]}"; do ns_kill_all "$ns" || true; done
	for ns in "${_lib_namespaces[@]}"; do
		real=$(ns_real "$ns")
		umount "$WORK/mnt/$ns" 2>/dev/null || true
		ip netns del "$real" 2>/dev/null || true
		rm -rf "/etc/netns/${real:?}"
	done
	for p in "${_lib_placeholders[@]}"; do rmdir "$p" 2>/dev/null || rm -f "$p"; done
	umount "$WORK/mnt" 2>/dev/null || true
	rm -rf "${WORK:?}"
}
_lib_exit() {
	local rc=$?
	set +e
	if [ "$rc" != 0 ] || tap_failed || [ "${L2TPSEC_TEST_DIAG:-0}" = 1 ]; then
		_lib_diag_dump
	fi
	# Inside the VM everything ends with the power-off; on a host the namespaces must go.
	[ "$L2TPSEC_MODE" = vm ] || _lib_cleanup
	echo "1..$_tap_n" >&"$_tap_fd"
	if [ "$rc" = 0 ] && tap_failed; then rc=1; fi
	exit "$rc"
}
_lib_err() { # ERR trap: where a command failed, with the chain of callers
	local i where=""
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		where+=" <- ${FUNCNAME[i]}@${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
	done
	log "[error] '$2' failed with status $3 (line $1$where)"
	tap_diag "error: '$2' failed with status $3 (line $1$where)"
}
if [ "${L2TPSEC_TEST_TRACE:-0}" = 1 ]; then # timestamped xtrace into stderr
	PS4='+ ${EPOCHREALTIME} ${FUNCNAME[0]:-main}:${LINENO}: '
	set -x
fi
trap _lib_exit EXIT
trap 'exit 143' TERM # so that the EXIT trap cleans up after a timeout
trap 'exit 130' INT
trap '_lib_err "$LINENO" "$BASH_COMMAND" "$?"' ERR
log "scenario $SCENARIO ($L2TPSEC_MODE mode), results in $RESULT_DIR, work dir $WORK"
