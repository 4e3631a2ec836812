# shellcheck shell=bash
# responders.sh - sourced, not run: the three IKEv1 responders the load generator is measured
# against and proven with, each started alone in the server namespace with the same suite
# (AES128/SHA1/MODP2048, ESP AES128/HMAC-SHA1, transport UDP/1701, no PFS: Debian 12's
# libreswan has no MODP1024) and real kernel SAs.  Used by bench/vm/ike-rate.sh (benchmark 1)
# and tests/vm/scenarios/bench-generator.sh (the generator's correctness test).
#   responder_start l2tpsec|strongSwan|libreswan   sets RESPONDER_PID; aborts if it does not come up
#   responder_stop                                 kills everything in the server namespace, flushes XFRM
# Needs tests/vm/lib.sh and tests/vm/libreswan.sh sourced first.

responder_stop() {
	ns_kill_all server
	printf 'xfrm state flush\nxfrm policy flush\n' | ns_exec server ip -batch - || true
}

_responder_l2tpsec() {
	local log conf=$WORK/l2tpsec-responder.conf
	log=$(ns_log_dir server)/l2tpsec.log
	cat >"$conf" <<-EOF2
		# written by bench/vm/responders.sh: IKE only, real kernel SAs, logging as an admin runs it
		ike = { psk = "$TEST_PSK"; listen = "$SERVER_IP"; half_open_total = 100000; };
		l2tp = { enabled = false; };
		log = { file = "$log"; syslog = false; level = "notice"; };
		daemon = { pid_file = "$(ns_run_dir server)/l2tpsecd.pid"; };
	EOF2
	chmod 600 "$conf"
	RESPONDER_PID=$(ns_bg server "$(ns_log_dir server)/l2tpsecd.stderr" \
		"$L2TPSEC_BUILD_DIR/daemon/l2tpsecd" -f -c "$conf")
	wait_for 60 "l2tpsecd listening for IKE" file_has "$log" "listening for IKE" ||
		lib_abort "l2tpsecd did not start: $(tail -n 5 "$log" 2>&1)"
}

_responder_strongswan() {
	STRONGSWAN_PLUGINS="random nonce openssl hmac kernel-netlink socket-default stroke"
	strongswan_write_conf server
	# Logging down to what an admin runs with; the IKE_SA table sized for many peers, as the
	# strongSwan documentation advises for large setups.
	sed -i 's/default = 1/default = 0/; s/ike = 2/ike = 0/; s/cfg = 2/cfg = 0/; s/knl = 2/knl = 0/; s/net = 1/net = 0/' \
		"/etc/netns/$(ns_real server)/strongswan.conf"
	sed -i "s|^\\(\\s*\\)load_modular|\\1ikesa_table_size = 1024\\n\\1ikesa_table_segments = 16\\n\\1load_modular|" \
		"/etc/netns/$(ns_real server)/strongswan.conf"
	ns_write server /etc/ipsec.conf <<-EOF2
		# written by bench/vm/responders.sh
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
	EOF2
	ns_write server /etc/ipsec.secrets 600 <<-EOF2
		$SERVER_IP %any : PSK "$TEST_PSK"
	EOF2
	ipsec_start server
	wait_for 30 "conn l2tp loaded" ns_exec server ipsec statusall l2tp ||
		lib_abort "charon did not load conn l2tp"
	RESPONDER_PID=$(ns_pid_of server charon)
}

_responder_libreswan() {
	local log nssdir
	log=$(ns_log_dir server)/pluto.log
	libreswan_check
	if [ -z "${_RESPONDER_PLUTO_MOUNTED:-}" ]; then
		ns_exec server ${BB:+$BB} mount -t overlay \
			-o "lowerdir=$LIBRESWAN_DIR/usr/libexec:/usr/libexec" l2tpsec-libreswan /usr/libexec
		_RESPONDER_PLUTO_MOUNTED=1
	fi
	ns_write server /etc/ipsec.conf <<-EOF2
		# written by bench/vm/responders.sh
		config setup
		  logfile=$log
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
	EOF2
	ns_write server /etc/ipsec.secrets 600 <<-EOF2
		$SERVER_IP %any : PSK "$TEST_PSK"
	EOF2
	ns_write server /etc/ipsec.d/README <<-EOF2
		written by bench/vm/responders.sh: pluto's NSS database
	EOF2
	nssdir=/etc/netns/$(ns_real server)/ipsec.d
	[ -f "$nssdir/cert9.db" ] || certutil -N --empty-password -d "sql:$nssdir"
	_bb mkdir -p "$(ns_run_dir server)/pluto"
	RESPONDER_PID=$(ns_bg server "$(ns_log_dir server)/pluto.stderr" "$LIBRESWAN_EXEC/pluto" --nofork \
		--config /etc/ipsec.conf --nssdir /etc/ipsec.d --rundir /run/pluto)
	wait_for 60 "pluto's control socket" test -S "$(ns_run_dir server)/pluto/pluto.ctl" ||
		lib_abort "pluto did not start"
	wait_for 30 "connection l2tp loaded by pluto" file_has "$log" '"l2tp": added IKEv1 connection' ||
		lib_abort "pluto did not load conn l2tp"
}

responder_start() {
	case $1 in
	l2tpsec) _responder_l2tpsec ;;
	strongSwan) _responder_strongswan ;;
	libreswan) _responder_libreswan ;;
	*) lib_abort "responder_start: unknown responder $1" ;;
	esac
}
