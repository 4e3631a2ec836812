#!/usr/bin/env bash
# kernel-check.sh - l2tpsecd's kernel check (daemon/kernel_check.h) against a real kernel
# that lacks L2TP and PPP: the modules are unloaded and on-demand loading is switched off
# (/proc/sys/kernel/modprobe -> /bin/false), so the daemon must refuse with one line naming
# them; -n still only checks the configuration.  Then on-demand loading comes back and the
# same daemon starts: its probes themselves make the kernel load what it lacked.  VM only:
# it unloads modules of the whole kernel.
#
#   +-----------------------------------------------+
#   | server (namespace)                            |
#   | l2tpsecd -c l2tpsec.conf   (l2tp.enabled)     |
#   |   probes: NETLINK_XFRM, PPPoL2TP socket,      |
#   |   genl "l2tp", /dev/ppp, esp4's module state  |
#   +-----------------------------------------------+
#   kernel: l2tp_ppp, l2tp_netlink, pppox, ppp_generic unloaded
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../lib.sh"

L2TPSECD=$L2TPSEC_BUILD_DIR/daemon/l2tpsecd
tap_ok test -x "$L2TPSECD" "l2tpsecd is built ($L2TPSECD)"
if [ "$L2TPSEC_MODE" != vm ]; then
	tap_skip "unloads kernel modules: VM only" "a kernel without L2TP and PPP is refused"
	exit 0
fi
ns_add server

modprobe_path=$(cat /proc/sys/kernel/modprobe)
echo /bin/false >/proc/sys/kernel/modprobe
tap_ok rmmod l2tp_ppp l2tp_netlink pppox ppp_generic \
	"l2tp_ppp, l2tp_netlink, pppox and ppp_generic unloaded, on-demand loading off"

conf=$WORK/l2tpsec-check.conf
cat >"$conf" <<CONF
ike = { psk = "$TEST_PSK"; };
log = { file = "$(ns_log_dir server)/l2tpsec-refused.log"; syslog = false; };
daemon = { pid_file = "$(ns_run_dir server)/l2tpsecd.pid"; };
CONF
chmod 600 "$conf"

out=$(ns_exec server "$L2TPSECD" -n -c "$conf" 2>&1) && rc=0 || rc=$?
tap_is "$rc:$out" "0:configuration OK" "-n does not check the kernel"

out=$(ns_exec server "$L2TPSECD" -c "$conf" 2>&1) && rc=0 || rc=$?
tap_is "$rc:$out" \
	'1:l2tpsecd: this kernel lacks L2TP (l2tp_ppp, l2tp_netlink), PPP (ppp_generic): try "modprobe -a l2tp_ppp l2tp_netlink ppp_generic"' \
	"the daemon refuses with one line naming the missing modules and the modprobe"
tap_ok test ! -e "$(ns_run_dir server)/l2tpsecd.pid" "no pid file is left"
tap_ok test ! -e /sys/module/l2tp_ppp "the refused check loaded nothing"

echo "$modprobe_path" >/proc/sys/kernel/modprobe
server_l2tpsecd_start server
tap_ok l2tpsecd_log_has "listening for L2TP" "with on-demand loading back, the daemon starts"
tap_ok test -d /sys/module/l2tp_ppp -a -d /sys/module/l2tp_netlink -a -e /dev/ppp \
	"its probes had the kernel load l2tp_ppp, l2tp_netlink and ppp_generic"
tap_ok sh -c "! grep -q 'lacks\|could not tell' '$L2TPSECD_LOG'" "no warning from the check"
kill -TERM "$L2TPSECD_PID" 2>/dev/null || true
gone() { ! kill -0 "$L2TPSECD_PID" 2>/dev/null; }
tap_ok wait_for 30 "l2tpsecd exits" gone "l2tpsecd stops on SIGTERM"
