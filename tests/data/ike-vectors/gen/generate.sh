#!/bin/sh
# generate.sh - record IKEv1 key-derivation vectors from two real strongSwan
# charon daemons (initiator and responder) talking in two network namespaces.
#
#   192.0.2.1 (ns l2tpsec-vec-i, veth vec-i)  <--->  192.0.2.2 (ns l2tpsec-vec-r, veth vec-r)
#        charon: initiator, "ipsec up vec"               charon: responder
#                                tcpdump on vec-r
#
# For every case in cases.txt it starts both daemons with key logging
# (filelog ike/enc/chd at level 4), captures the exchange with tcpdump, brings
# up Main Mode + Quick Mode, tears the SA down (two encrypted Informational
# Deletes), and stops both daemons.  It leaves in OUT/<case>/: ini.log,
# resp.log, ike.pcap.  extract.py turns those into OUT/<case>.txt, and the
# capture is copied to OUT/<case>.pcap; both go to tests/data/ike-vectors/.
#
# Usage (as root):  generate.sh OUTDIR [case ...]
# Needs: strongswan-starter, strongswan-charon, libstrongswan-standard-plugins,
# libcharon-extra-plugins (kernel-libipsec: ESP in user space, so the CHILD_SA
# installs although the host kernel has no ESP), tcpdump, iproute2, util-linux.
# kernel-libipsec knows tunnel mode only (so the CHILD_SA is a host-to-host
# tunnel for UDP/1701) and forces UDP encapsulation: charon then fakes its
# own NAT-D hash ("faking NAT situation") and floats to port 4500 after MM4.
# Each daemon runs in its own mount namespace with a private /run and its own
# /etc/ipsec.conf, /etc/ipsec.secrets and /etc/strongswan.conf bind-mounted
# from OUT/<case>/<side>/, so nothing on the host is touched.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: generate.sh OUTDIR [case ...]}
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)

NS_I=l2tpsec-vec-i
NS_R=l2tpsec-vec-r
IP_I=192.0.2.1
IP_R=192.0.2.2

cleanup() {
	for ns in $NS_I $NS_R; do
		if ip netns list | grep -q "^$ns\b"; then
			ip netns pids $ns 2>/dev/null | while read -r pid; do
				kill "$pid" 2>/dev/null || true
			done
			sleep 0.5
			ip netns pids $ns 2>/dev/null | while read -r pid; do
				kill -9 "$pid" 2>/dev/null || true
			done
			ip netns del $ns 2>/dev/null || true
		fi
	done
}
trap cleanup EXIT INT TERM

setup_net() {
	cleanup
	ip netns add $NS_I
	ip netns add $NS_R
	ip link add vec-i netns $NS_I type veth peer name vec-r netns $NS_R
	ip -n $NS_I addr add $IP_I/24 dev vec-i
	ip -n $NS_R addr add $IP_R/24 dev vec-r
	ip -n $NS_I link set lo up
	ip -n $NS_R link set lo up
	ip -n $NS_I link set vec-i up
	ip -n $NS_R link set vec-r up
}

# write_side DIR ME PEER IKE ESP PSK
write_side() {
	sdir=$1 me=$2 peer=$3 sike=$4 sesp=$5 spsk=$6
	mkdir -p "$sdir"
	cat >"$sdir/strongswan.conf" <<EOF
charon {
	load = random nonce openssl hmac kernel-libipsec kernel-netlink socket-default stroke
	install_routes = no
	install_virtual_ip = no
	retransmit_tries = 2
	filelog {
		vectors {
			path = $sdir/charon.log
			append = no
			flush_line = yes
			default = 1
			ike = 4
			enc = 4
			chd = 4
			cfg = 2
			net = 2
			knl = 1
		}
	}
	syslog {
		daemon {
			default = -1
		}
		auth {
			default = -1
		}
	}
}
starter {
	load_warning = no
}
EOF
	cat >"$sdir/ipsec.conf" <<EOF
config setup
	uniqueids=no

conn vec
	keyexchange=ikev1
	authby=secret
	type=tunnel
	left=$me
	leftid=$me
	leftsubnet=$me/32
	leftprotoport=17/1701
	right=$peer
	rightid=$peer
	rightsubnet=$peer/32
	rightprotoport=17/1701
	ike=$sike
	esp=$sesp
	ikelifetime=1h
	keylife=20m
	rekey=no
	installpolicy=no
	dpdaction=none
	auto=add
EOF
	printf '%s %s : PSK "%s"\n' "$me" "$peer" "$spsk" >"$sdir/ipsec.secrets"
	chmod 600 "$sdir/ipsec.secrets"
}

# in_side NS DIR COMMAND...: runs COMMAND with DIR's configuration and a private /run
in_side() {
	ns=$1 nsdir=$2
	shift 2
	ip netns exec "$ns" unshare --mount --propagation private sh -c '
		dir=$1; shift
		mount -t tmpfs tmpfs /run
		mount --bind "$dir/ipsec.conf" /etc/ipsec.conf
		mount --bind "$dir/ipsec.secrets" /etc/ipsec.secrets
		mount --bind "$dir/strongswan.conf" /etc/strongswan.conf
		exec "$@"' in_side "$nsdir" "$@"
}

# wait_for FILE PATTERN SECONDS
wait_for() {
	n=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		if [ $n -gt $(($3 * 10)) ]; then
			return 1
		fi
		sleep 0.1
	done
}

run_case() {
	name=$1 ike=$2 esp=$3 psk=$4
	dir=$out/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "== $name: ike=$ike esp=$esp"
	write_side "$dir/ini" $IP_I $IP_R "$ike" "$esp" "$psk"
	write_side "$dir/resp" $IP_R $IP_I "$ike" "$esp" "$psk"

	ip netns exec $NS_R tcpdump -i vec-r -U -s 0 -w "$dir/ike.pcap" \
		'udp port 500 or udp port 4500' 2>"$dir/tcpdump.err" &
	tcpdump_pid=$!
	sleep 1

	# One shell per side keeps the daemon and its stroke commands in one mount namespace.
	in_side $NS_R "$dir/resp" sh -c '
		ipsec start --nofork >/dev/null 2>&1 &
		while [ ! -e "$1/done" ]; do sleep 0.2; done
		ipsec stop >/dev/null 2>&1 || true
		wait' resp "$dir" &
	resp_pid=$!
	in_side $NS_I "$dir/ini" sh -c '
		ipsec start --nofork >/dev/null 2>&1 &
		n=0
		while ! ipsec status >/dev/null 2>&1; do n=$((n+1)); [ $n -lt 50 ] || break; sleep 0.2; done
		sleep 1
		ipsec up vec >"$1/up.txt" 2>&1 || true
		sleep 1
		ipsec down vec >"$1/down.txt" 2>&1 || true
		sleep 1
		while [ ! -e "$1/done" ]; do sleep 0.2; done
		ipsec stop >/dev/null 2>&1 || true
		wait' ini "$dir" &
	ini_pid=$!

	wait_for "$dir/ini/charon.log" "deleting IKE_SA" 30 || echo "   (no IKE_SA deletion seen)"
	sleep 2
	touch "$dir/done"
	wait $ini_pid || true
	wait $resp_pid || true
	sleep 0.5
	kill $tcpdump_pid 2>/dev/null || true
	wait $tcpdump_pid 2>/dev/null || true
	cp "$dir/ini/charon.log" "$dir/ini.log"
	cp "$dir/resp/charon.log" "$dir/resp.log"
	grep -h -E 'IKE_SA vec\[[0-9]+\] established|CHILD_SA vec\{[0-9]+\} established|unable to install' \
		"$dir/ini.log" "$dir/resp.log" | sed 's/^/   /' || true
	"$here/extract.py" "$dir" "$name" "$psk" >"$out/$name.txt"
	cp "$dir/ike.pcap" "$out/$name.pcap"
}

setup_net
grep -v '^#' "$here/cases.txt" | grep -v '^$' | while read -r name ike esp psk; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	run_case "$name" "$ike" "$esp" "$psk"
done
