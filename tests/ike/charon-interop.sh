#!/bin/sh
# charon-interop.sh - the IKEv1 responder engine against a real strongSwan
# charon initiator, without the kernel's ESP.
#
#   192.0.2.1 (ns l2tpsec-ike-i, veth ike-i)  <--->  192.0.2.2 (ns l2tpsec-ike-r, veth ike-r)
#        charon: initiator, "ipsec up l2tp"             ike_responder: the engine on UDP 500/4500,
#        transport mode, UDP/1701                        recording ops instead of the kernel
#
# The host kernel has XFRM netlink but no ESP, so charon cannot install its
# own transport-mode SA after QM2 and never sends QM3; ike_responder then
# builds QM3 from the engine's state (--finish-qm3) so the install happens
# and its keys can be compared with the KEYMAT charon logged.  Checked per
# case: charon logs the IKE_SA established (our MM6 and HASH_R accepted),
# parses our QM2 (HASH(2) accepted), the keys the engine installs equal
# charon's "encryption/integrity initiator/responder key", and charon's own
# Delete at "ipsec down" is authenticated and applied by the engine.
#
# Usage (as root):  charon-interop.sh BUILDDIR [OUTDIR]
# Needs: strongswan-starter, strongswan-charon, libstrongswan-standard-plugins,
# iproute2, util-linux.  Prints TAP.
set -eu

build=$(cd "${1:?usage: charon-interop.sh BUILDDIR [OUTDIR]}" && pwd)
out=${2:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
resp="$build/tests/harness/ike_responder"

NS_I=l2tpsec-ike-i
NS_R=l2tpsec-ike-r
IP_I=192.0.2.1
IP_R=192.0.2.2
PSK=interop-psk-0123
n=0
failed=0

tap() {
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else failed=1; echo "not ok $n - $2"; fi
}

cleanup() {
	for ns in $NS_I $NS_R; do
		if ip netns list | grep -q "^$ns\b"; then
			ip netns pids $ns 2>/dev/null | while read -r pid; do kill "$pid" 2>/dev/null || true; done
			sleep 0.5
			ip netns pids $ns 2>/dev/null | while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done
			ip netns del $ns 2>/dev/null || true
		fi
	done
}
trap cleanup EXIT INT TERM

setup_net() {
	cleanup
	ip netns add $NS_I
	ip netns add $NS_R
	ip link add ike-i netns $NS_I type veth peer name ike-r netns $NS_R
	ip -n $NS_I addr add $IP_I/24 dev ike-i
	ip -n $NS_R addr add $IP_R/24 dev ike-r
	for ns in $NS_I $NS_R; do ip -n $ns link set lo up; done
	ip -n $NS_I link set ike-i up
	ip -n $NS_R link set ike-r up
}

# write_charon DIR IKE ESP FORCEENCAPS
write_charon() {
	mkdir -p "$1"
	cat >"$1/strongswan.conf" <<CONF
charon {
	load = random nonce openssl hmac kernel-netlink socket-default stroke
	install_routes = no
	retransmit_tries = 2
	filelog {
		interop {
			path = $1/charon.log
			append = no
			flush_line = yes
			default = 1
			ike = 2
			chd = 4
			enc = 1
			knl = 1
		}
	}
	syslog {
		daemon { default = -1 }
		auth { default = -1 }
	}
}
starter { load_warning = no }
CONF
	cat >"$1/ipsec.conf" <<CONF
config setup
	uniqueids=no
conn l2tp
	keyexchange=ikev1
	authby=secret
	type=transport
	left=$IP_I
	leftprotoport=17/1701
	right=$IP_R
	rightprotoport=17/1701
	ike=$2
	esp=$3
	forceencaps=$4
	rekey=no
	dpdaction=none
	auto=add
CONF
	printf '%s %s : PSK "%s"\n' $IP_I $IP_R "$PSK" >"$1/ipsec.secrets"
	chmod 600 "$1/ipsec.secrets"
}

# charon_key NAME LOG: the bytes charon dumped after "NAME key => N bytes", as lower-case hex
charon_key() {
	awk -v name="$1" '
		index($0, name " key => ") {
			split(substr($0, index($0, "=> ") + 3), w, " ")
			want = w[1] + 0
			next
		}
		want > 0 && $2 ~ /^[0-9]+:$/ {
			for (i = 3; i <= 18 && i <= NF && got < want; i++) {
				hex = hex tolower($i)
				got++
			}
			if (got == want) { print hex; exit }
		}
	' "$2"
}

run_case() {
	name=$1 ike=$2 esp=$3 encaps=$4
	dir=$out/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "# == $name: ike=$ike esp=$esp forceencaps=$encaps"
	write_charon "$dir/ini" "$ike" "$esp" "$encaps"
	ip netns exec $NS_R "$resp" $IP_R "$PSK" 60 --finish-qm3 4 >"$dir/responder.out" 2>"$dir/responder.log" &
	rpid=$!
	sleep 0.5
	ip netns exec $NS_I unshare --mount --propagation private sh -c '
		dir=$1
		mount -t tmpfs tmpfs /run
		mount --bind "$dir/ipsec.conf" /etc/ipsec.conf
		mount --bind "$dir/ipsec.secrets" /etc/ipsec.secrets
		mount --bind "$dir/strongswan.conf" /etc/strongswan.conf
		ipsec start --nofork >/dev/null 2>&1 &
		k=0
		while ! ipsec statusall 2>/dev/null | grep -q "l2tp:"; do k=$((k+1)); [ $k -lt 50 ] || break; sleep 0.2; done
		sleep 0.5
		ipsec up l2tp >"$dir/up.txt" 2>&1 || true
		sleep 6
		ipsec down l2tp >"$dir/down.txt" 2>&1 || true
		sleep 1
		ipsec stop >/dev/null 2>&1 || true
		wait' ini "$dir/ini"
	kill $rpid 2>/dev/null || true
	wait $rpid 2>/dev/null || true
	clog=$dir/ini/charon.log
	if grep -q "IKE_SA l2tp\[[0-9]*\] established" "$clog"; then tap ok "$name: charon established the ISAKMP SA (our MM2/MM4/MM6, HASH_R)"; else tap fail "$name: charon established the ISAKMP SA"; fi
	if grep -q "parsed QUICK_MODE response" "$clog"; then tap ok "$name: charon parsed our QM2 (HASH(2) verified)"; else tap fail "$name: charon parsed our QM2"; fi
	if grep -q "ISAKMP SA established" "$dir/responder.log"; then tap ok "$name: the engine logged ISAKMP SA established"; else tap fail "$name: engine ISAKMP SA established"; fi
	if grep -q "IPsec SA established" "$dir/responder.log"; then tap ok "$name: the engine logged IPsec SA established"; else tap fail "$name: engine IPsec SA established"; fi
	if grep -q "received Delete SA payload: deleting ISAKMP State #1" "$dir/responder.log"; then tap ok "$name: the engine took charon's encrypted Delete (Informational HASH)"; else tap fail "$name: charon's Delete"; fi
	inst=$(grep '^INSTALL' "$dir/responder.out" | head -1)
	for pair in "encryption initiator:enc_in" "encryption responder:enc_out" "integrity initiator:integ_in" "integrity responder:integ_out"; do
		theirs=$(charon_key "${pair%%:*}" "$clog")
		ours=$(printf '%s\n' "$inst" | tr ' ' '\n' | sed -n "s/^${pair##*:}=//p")
		if [ -n "$theirs" ] && [ "$theirs" = "$ours" ]; then
			tap ok "$name: ${pair##*:} = charon's ${pair%%:*} key"
		else
			tap fail "$name: ${pair##*:} ($ours) = charon's ${pair%%:*} key ($theirs)"
		fi
	done
}

[ -x "$resp" ] || { echo "not ok 1 - $resp missing (make check builds it)"; exit 1; }
setup_net
run_case xp-3des-sha1-modp1024 3des-sha1-modp1024! 3des-sha1! no
run_case win10-aes256-sha1-ecp384-natt aes256-sha1-ecp384! aes256-sha1! yes
run_case aes128-sha256-modp2048-pfs aes128-sha256-modp2048! aes128-sha256-modp2048! no
echo "1..$n"
echo "# logs in $out"
exit $failed
