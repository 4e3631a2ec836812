# shellcheck shell=bash
# shellcheck disable=SC2034 # PLUTO_* are set for the scenarios that source this
# libreswan.sh - a libreswan (pluto) IKEv1 client for the scenarios; sourced after lib.sh.
#
#   client_pluto_setup NS PROFILE SERVER_IP   ipsec.conf, ipsec.secrets and an NSS database
#                                             for NS; starts pluto there and waits until it
#                                             has loaded connection "vpn"
#   client_pluto_up NS [TIMEOUT_S]            initiates "vpn"; waits for "IPsec SA
#                                             established" in pluto's log and 2 SAs in NS
#   client_pluto_down NS                      deletes "vpn" (Delete payloads), as a client
#                                             leaving does
#
# Profiles (pluto_profile): drafts - IKEv1 Main Mode, AES256/SHA1/MODP2048 (Debian 12's
# libreswan 4.10 has no MODP1024), ESP AES256/HMAC-SHA1, no PFS, and NAT-T in the words of
# draft-ietf-ipsec-nat-t-ike-02/03 (NAT-D/NAT-OA payloads 130/131, encapsulation modes
# 61443/61444) as Windows XP speaks it.
#
# libreswan is not installed: it conflicts with strongSwan as a Debian package.
# scripts/fetch-libreswan unpacks it into L2TPSEC_TEST_LIBRESWAN_DIR (or
# L2TPSEC_LIBRESWAN_DIR; default /var/cache/l2tpsec/libreswan), and pluto runs from there.
# pluto execs /usr/libexec/ipsec/addconn at start, so the namespace gets a read-only overlay
# of that directory on /usr/libexec (its own mount namespace: nothing outside sees it).
# Everything else is the namespace's own: /etc/ipsec.conf, /etc/ipsec.secrets and
# /etc/ipsec.d (the NSS database) come from /etc/netns/NS (ns_write), the control socket is
# /run/pluto/pluto.ctl in the namespace's /run, the log is logs/NS/pluto.log.
# L2TPSEC_TEST_PLUTODEBUG sets pluto's "plutodebug" (e.g. "all"; default none).

LIBRESWAN_DIR=${L2TPSEC_TEST_LIBRESWAN_DIR:-${L2TPSEC_LIBRESWAN_DIR:-/var/cache/l2tpsec/libreswan}}
LIBRESWAN_EXEC=$LIBRESWAN_DIR/usr/libexec/ipsec
PLUTO_CTL=/run/pluto/pluto.ctl

# pluto_profile NAME: proposals of a client type -> PLUTO_IKE PLUTO_ESP PLUTO_NATT_METHOD
# PLUTO_IKELIFETIME PLUTO_SALIFETIME.
pluto_profile() {
	case $1 in
	drafts)
		PLUTO_IKE="aes256-sha1;modp2048"
		PLUTO_ESP=aes256-sha1
		PLUTO_NATT_METHOD=drafts
		;;
	*) lib_abort "unknown libreswan client profile $1 (drafts)" ;;
	esac
	PLUTO_IKELIFETIME=8h
	PLUTO_SALIFETIME=1h
}

# libreswan_check: pluto is unpacked and can be run (all its libraries are installed).
libreswan_check() {
	local b
	for b in pluto whack addconn; do
		[ -x "$LIBRESWAN_EXEC/$b" ] ||
			lib_abort "no $LIBRESWAN_EXEC/$b: run scripts/fetch-libreswan (as root)"
	done
	if ldd "$LIBRESWAN_EXEC/pluto" 2>&1 | grep -q 'not found'; then
		lib_abort "pluto lacks libraries: $(ldd "$LIBRESWAN_EXEC/pluto" 2>&1 | grep 'not found' | tr -s '\t\n' '  ')(scripts/install-deps)"
	fi
}

# pluto_whack NS ARGS...: libreswan's control client against NS's pluto.
pluto_whack() {
	local ns=$1
	shift
	ns_exec "$ns" "$LIBRESWAN_EXEC/whack" --ctlsocket "$PLUTO_CTL" "$@"
}

# client_pluto_setup NS PROFILE SERVER_IP: configure and start the namespace's pluto with the
# connection "vpn" (IKEv1 PSK, transport mode for UDP/1701); sets PLUTO_PID and PLUTO_LOG.
client_pluto_setup() {
	local ns=$1 profile=$2 server=$3 real logs nssdir
	pluto_profile "$profile"
	libreswan_check
	real=$(ns_real "$ns")
	logs=$(ns_log_dir "$ns")
	PLUTO_LOG=$logs/pluto.log
	ns_exec "$ns" ${BB:+$BB} mount -t overlay -o "lowerdir=$LIBRESWAN_DIR/usr/libexec:/usr/libexec" \
		l2tpsec-libreswan /usr/libexec
	ns_write "$ns" /etc/ipsec.conf <<-EOF
		# written by tests/vm/libreswan.sh: a libreswan L2TP/IPsec client ($profile)
		config setup
		  logfile=$PLUTO_LOG
		  logtime=yes
		  logappend=yes
		  plutodebug=${L2TPSEC_TEST_PLUTODEBUG:-none}
		  dnssec-enable=no
		  ikev1-policy=accept
		  uniqueids=no
		conn vpn
		  ikev2=no
		  authby=secret
		  type=transport
		  left=%defaultroute
		  leftprotoport=17/1701
		  leftupdown=%disabled
		  right=$server
		  rightprotoport=17/1701
		  ike=$PLUTO_IKE
		  esp=$PLUTO_ESP
		  pfs=no
		  ikelifetime=$PLUTO_IKELIFETIME
		  salifetime=$PLUTO_SALIFETIME
		  nat-ikev1-method=$PLUTO_NATT_METHOD
		  keyingtries=1
		  auto=add
	EOF
	ns_write "$ns" /etc/ipsec.secrets 600 <<-EOF
		%any $server : PSK "$TEST_CLIENT_PSK"
	EOF
	# NSS database (pluto refuses to start without one), made from the host side in the
	# directory the namespace sees as /etc/ipsec.d.
	ns_write "$ns" /etc/ipsec.d/README <<-EOF
		written by tests/vm/libreswan.sh: pluto's NSS database (empty password) for $ns
	EOF
	nssdir=/etc/netns/$real/ipsec.d
	[ -f "$nssdir/cert9.db" ] || certutil -N --empty-password -d "sql:$nssdir"
	_bb mkdir -p "$(ns_run_dir "$ns")/pluto"
	PLUTO_PID=$(ns_bg "$ns" "$logs/pluto.stderr" "$LIBRESWAN_EXEC/pluto" --nofork \
		--config /etc/ipsec.conf --nssdir /etc/ipsec.d --rundir /run/pluto)
	wait_for 60 "pluto's control socket in $ns" test -S "$(ns_run_dir "$ns")/pluto/pluto.ctl" &&
		wait_for 30 "connection vpn loaded by pluto in $ns" \
			file_has "$PLUTO_LOG" '"vpn": added IKEv1 connection'
}

# client_pluto_up NS [TIMEOUT_S]: initiate "vpn", wait until pluto reports a new IPsec SA
# established, and check that both ESP SAs are in the kernel.
client_pluto_up() {
	local ns=$1 timeout=${2:-60} log pattern="*IPsec SA established*" before
	log=$(ns_log_dir "$ns")/pluto.log
	before=$(file_count "$log" "$pattern")
	ns_bg "$ns" "$(ns_log_dir "$ns")/whack-up.log" "$LIBRESWAN_EXEC/whack" \
		--ctlsocket "$PLUTO_CTL" --name vpn --initiate >/dev/null
	wait_for "$timeout" "IPsec SA established in pluto's log in $ns" \
		file_count_above "$log" "$pattern" "$before" &&
		wait_for 10 "two SAs in $ns's kernel" xfrm_have_sas "$ns" 2
}

# client_pluto_down NS: take "vpn" down: pluto sends Delete for the IPsec and ISAKMP SAs.
client_pluto_down() {
	pluto_whack "$1" --name vpn --terminate >>"$(ns_log_dir "$1")/whack-down.log" 2>&1
}
