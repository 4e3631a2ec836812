/*
 * kernel_check - does this kernel have what l2tpsecd needs?
 *
 * The daemon asks once at start (never for -n, which checks the
 * configuration only) and refuses to start with one line that names what is
 * missing and the modprobe to try:
 *
 *   this kernel lacks ESP (esp4), L2TP (l2tp_ppp, l2tp_netlink):
 *   try "modprobe -a esp4 l2tp_ppp l2tp_netlink"
 *
 * (one line; "-a" because modprobe takes the words after the first name as
 * that module's parameters).  Each need is probed by what works wherever a
 * probe leaves nothing behind, so a built-in module counts and an installed
 * one is loaded by the kernel on demand, exactly as the daemon's own first
 * request would load it:
 *
 *   XFRM (xfrm_user)     a NETLINK_XFRM socket opens;
 *   L2TP (l2tp_ppp)      a PPPoL2TP socket (AF_PPPOX, PX_PROTO_OL2TP) opens;
 *   L2TP (l2tp_netlink)  the generic netlink family "l2tp" resolves (kl2tp_open);
 *   PPP (ppp_generic)    /dev/ppp opens read-write (what pppd does); when the
 *                        open is refused for lack of privilege, the module's
 *                        state decides, as for ESP;
 *   ESP (esp4)           nothing short of installing an SA would tell, so the
 *                        module's state decides: loaded (/sys/module/NAME,
 *                        /proc/modules), built in or installed for this
 *                        kernel (/lib/modules/RELEASE/modules.builtin and
 *                        modules.dep: an installed esp4 is loaded by the
 *                        kernel with the first SA), or, when none of those
 *                        names it, its code in /proc/kallsyms (a kernel built
 *                        without modules.builtin, or a container without the
 *                        host's /lib/modules).
 *
 * What is required: with l2tp.enabled all five; without it (the IKE
 * responder alone: tests, benchmarks) only XFRM, and a missing ESP is a
 * warning, since no IPsec SA could be installed.  L2TP and PPP are then not
 * probed at all.  A probe that fails for another reason (no file
 * descriptors left, say) does not count as a missing feature: it becomes a
 * warning, and the daemon's own start reports a real failure.
 *
 * What it must not do: change the kernel (no SA, policy, tunnel or module
 * load of its own; the probes open and close sockets and a device only),
 * log (the caller words and places the lines), or touch the system except
 * through the ops table, so the tests describe made-up kernels with it.
 *
 * Ownership: the result is the caller's (a plain struct, nothing to free).
 * file_read's text is allocated with lib/alloc and freed here.
 */
#ifndef L2TPSEC_DAEMON_KERNEL_CHECK_H
#define L2TPSEC_DAEMON_KERNEL_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

/* The needs, in the order the refusal names them. */
enum kernel_check_need {
	KERNEL_CHECK_XFRM_USER = 1u << 0,
	KERNEL_CHECK_ESP4 = 1u << 1,
	KERNEL_CHECK_L2TP_PPP = 1u << 2,
	KERNEL_CHECK_L2TP_NETLINK = 1u << 3,
	KERNEL_CHECK_PPP_GENERIC = 1u << 4,
};

#define KERNEL_CHECK_ALL                                                                     \
	(KERNEL_CHECK_XFRM_USER | KERNEL_CHECK_ESP4 | KERNEL_CHECK_L2TP_PPP |                \
	 KERNEL_CHECK_L2TP_NETLINK | KERNEL_CHECK_PPP_GENERIC)

/* How the check sees the system.  Every function returns 0 or -errno. */
struct kernel_check_ops {
	void *arg;
	/* socket(domain, type, protocol) opened and closed again. */
	int (*socket_probe)(void *arg, int domain, int type, int protocol);
	/* open(path, O_RDWR) opened and closed again. */
	int (*device_probe)(void *arg, const char *path);
	/* The generic netlink family "l2tp" resolves; -ENOENT when the kernel has none. */
	int (*l2tp_genl_probe)(void *arg);
	/* The path exists (0) or not (-ENOENT). */
	int (*path_probe)(void *arg, const char *path);
	/* The whole file as a NUL-terminated string allocated with lib/alloc. */
	int (*file_read)(void *arg, const char *path, char **text);
	/* The running kernel's release (uname -r), NUL-terminated. */
	int (*kernel_release)(void *arg, char *release, size_t size);
};

/* The real system's ops (sockets, /dev, /sys, /proc, /lib/modules, kl2tp_open). */
extern const struct kernel_check_ops kernel_check_system_ops;

#define KERNEL_CHECK_TEXT_MAX 640

struct kernel_check_result {
	unsigned missing;               /* required needs the kernel lacks */
	unsigned missing_optional;      /* probed, lacking, not required (ESP for IKE alone) */
	unsigned unknown;               /* probes that failed otherwise: taken as present */
	char message[KERNEL_CHECK_TEXT_MAX];    /* the refusal when missing != 0, else "" */
	char warning[KERNEL_CHECK_TEXT_MAX];    /* "" or a line for the log at warning level */
};

/*
 * Probes what l2tpsecd needs (everything with l2tp_enabled, else XFRM and,
 * as a warning, ESP).  True when the daemon may start; false with
 * out->message filled.  out->warning may be set either way.
 */
bool kernel_check_run(const struct kernel_check_ops *ops, bool l2tp_enabled,
		      struct kernel_check_result *out) WARN_UNUSED;

/*
 * Does a module list name MODULE?  TEXT holds one module per line, its first
 * word a name or a path (/proc/modules "esp4 20480 0 - Live ...",
 * modules.builtin "kernel/net/ipv4/esp4.ko", modules.dep
 * "kernel/net/ipv4/esp4.ko.xz: deps"); directories and the ".ko" suffix are
 * dropped, '-' and '_' are the same character, as in the kernel's names.
 */
bool kernel_check_list_has_module(const char *text, const char *module) WARN_UNUSED;

/* Does /proc/kallsyms text list SYMBOL (also as SYMBOL.suffix, a compiler's clone)? */
bool kernel_check_kallsyms_has(const char *text, const char *symbol) WARN_UNUSED;

#endif
