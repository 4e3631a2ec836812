/*
 * kernel_check_test.c - the kernel check against made-up kernels (a fake ops
 * table: socket, device and genl answers, paths, module lists, kallsyms) and
 * once against the real one, compared with probes made here directly.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_pppox.h>
#include <linux/netlink.h>

#include "daemon/kernel_check.h"
#include "lib/alloc.h"
#include "tests/harness/tap.h"

#define FAKE_MAX 8

struct fake_file {
	const char *path;
	const char *text;       /* NULL with error 0: no such file */
	int error;
};

struct fake_kernel {
	int xfrm_socket;        /* answers: 0 or -errno */
	int pppox_socket;
	int l2tp_genl;
	int dev_ppp;
	const char *release;    /* NULL: uname fails */
	const char *paths[FAKE_MAX];    /* what exists besides the files */
	struct fake_file files[FAKE_MAX];
	unsigned socket_calls, genl_calls, device_calls, file_calls;
};

static int fake_socket(void *arg, int domain, int type, int protocol)
{
	struct fake_kernel *k = arg;

	k->socket_calls++;
	if (domain == AF_NETLINK && type == SOCK_RAW && protocol == NETLINK_XFRM)
		return k->xfrm_socket;
	if (domain == AF_PPPOX && type == SOCK_DGRAM && protocol == PX_PROTO_OL2TP)
		return k->pppox_socket;
	return -EINVAL;
}

static int fake_device(void *arg, const char *path)
{
	struct fake_kernel *k = arg;

	k->device_calls++;
	return strcmp(path, "/dev/ppp") == 0 ? k->dev_ppp : -ENOENT;
}

static int fake_genl(void *arg)
{
	struct fake_kernel *k = arg;

	k->genl_calls++;
	return k->l2tp_genl;
}

static const struct fake_file *fake_file_find(const struct fake_kernel *k, const char *path)
{
	for (size_t i = 0; i < FAKE_MAX && k->files[i].path; i++)
		if (strcmp(k->files[i].path, path) == 0)
			return &k->files[i];
	return NULL;
}

static int fake_path(void *arg, const char *path)
{
	struct fake_kernel *k = arg;

	for (size_t i = 0; i < FAKE_MAX && k->paths[i]; i++)
		if (strcmp(k->paths[i], path) == 0)
			return 0;
	return fake_file_find(k, path) ? 0 : -ENOENT;
}

static int fake_file_read(void *arg, const char *path, char **text)
{
	struct fake_kernel *k = arg;
	const struct fake_file *f = fake_file_find(k, path);

	k->file_calls++;
	*text = NULL;
	if (!f)
		return -ENOENT;
	if (f->error)
		return f->error;
	*text = alloc_strdup(f->text);
	return *text ? 0 : -ENOMEM;
}

static int fake_release(void *arg, char *release, size_t size)
{
	struct fake_kernel *k = arg;

	if (!k->release)
		return -EFAULT;
	snprintf(release, size, "%s", k->release);
	return 0;
}

static struct kernel_check_ops fake_ops(struct fake_kernel *k)
{
	return (struct kernel_check_ops){
		.arg = k,
		.socket_probe = fake_socket,
		.device_probe = fake_device,
		.l2tp_genl_probe = fake_genl,
		.path_probe = fake_path,
		.file_read = fake_file_read,
		.kernel_release = fake_release,
	};
}

static bool fake_run(struct fake_kernel *k, bool l2tp_enabled, struct kernel_check_result *out)
{
	struct kernel_check_ops ops = fake_ops(k);

	return kernel_check_run(&ops, l2tp_enabled, out);
}

/* A few lines of /proc/kallsyms of a kernel without ESP (the development host's shape). */
static const char kallsyms_no_esp[] =
	"ffffffff81244fc0 t xfrm4_protocol_register.cold\n"
	"ffffffff82104f80 t xfrm4_update_pmtu\n"
	"0000000000000000 T esp6_err\n"
	"ffffffff82105040 t xfrm4_net_init\n";

/* The VM's kernel: everything a module, everything loaded. */
static struct fake_kernel kernel_complete(void)
{
	return (struct fake_kernel){
		.release = "6.1.0-56-amd64",
		.paths = { "/sys/module/esp4", "/sys/module/ppp_generic", "/lib/modules/6.1.0-56-amd64" },
	};
}

/* The development host: XFRM built in, no ESP, L2TP or PPP, no /lib/modules for it. */
static struct fake_kernel kernel_host(void)
{
	return (struct fake_kernel){
		.pppox_socket = -EAFNOSUPPORT,
		.l2tp_genl = -ENOENT,
		.dev_ppp = -ENOENT,
		.release = "6.18.44-fc-v782",
		.paths = { "/lib/modules/6.1.0-56-amd64" },
		.files = { { "/proc/kallsyms", kallsyms_no_esp, 0 } },
	};
}

static void test_list_parser(void)
{
	ok(kernel_check_list_has_module("esp4 20480 0 - Live 0xffffffffc0a2c000\n", "esp4"),
	   "/proc/modules: first word");
	ok(kernel_check_list_has_module("xfrm_algo 16384 1 esp4, Live 0x0\n"
					"esp4 20480 0 - Live 0x0", "esp4"),
	   "/proc/modules: a last line without a newline");
	ok(!kernel_check_list_has_module("xfrm_algo 16384 1 esp4, Live 0x0\n", "esp4"),
	   "/proc/modules: a module named among the users is not loaded");
	ok(!kernel_check_list_has_module("esp4_offload 16384 0 - Live 0x0\n", "esp4"),
	   "a longer name with the same start is another module");
	ok(!kernel_check_list_has_module("esp 1 0 - Live 0x0\n", "esp4"), "a shorter name is not it");
	ok(kernel_check_list_has_module("kernel/net/xfrm/xfrm_user.ko\nkernel/net/ipv4/esp4.ko\n",
					"esp4"), "modules.builtin: a path");
	ok(kernel_check_list_has_module("kernel/net/ipv4/esp4.ko.xz: kernel/net/xfrm/xfrm_algo.ko.xz\n",
					"esp4"), "modules.dep: a compressed module before its colon");
	ok(kernel_check_list_has_module("kernel/net/ipv4/esp4.ko.zst:\n", "esp4"),
	   "modules.dep: no dependencies");
	ok(!kernel_check_list_has_module("kernel/net/ipv4/esp4_offload.ko: kernel/net/ipv4/esp4.ko\n",
					 "esp4"), "modules.dep: a dependency is not an entry");
	ok(kernel_check_list_has_module("kernel/drivers/net/ppp/ppp-generic.ko\n", "ppp_generic"),
	   "'-' and '_' are one character");
	ok(!kernel_check_list_has_module("kernel/net/ipv4/esp4.kox\n", "esp4"),
	   "\".ko\" only as a suffix");
	ok(!kernel_check_list_has_module("", "esp4"), "an empty list names nothing");
	ok(!kernel_check_list_has_module("\n\n:\n", "esp4"), "empty lines and words name nothing");
}

static void test_kallsyms_parser(void)
{
	ok(kernel_check_kallsyms_has("ffffffffc0a2d010 t esp4_err\t[esp4]\n", "esp4_err"),
	   "kallsyms: a module's symbol");
	ok(kernel_check_kallsyms_has("0000000000000000 t esp4_err", "esp4_err"),
	   "kallsyms: built in, hidden addresses, no newline at the end");
	ok(kernel_check_kallsyms_has("ffffffff81000000 t esp4_err.llvm.1234\n", "esp4_err"),
	   "kallsyms: a compiler's clone");
	ok(!kernel_check_kallsyms_has("ffffffff81000000 t esp4_errata\n", "esp4_err"),
	   "kallsyms: a longer name is another symbol");
	ok(!kernel_check_kallsyms_has(kallsyms_no_esp, "esp4_err"), "kallsyms: esp6_err is not esp4_err");
	ok(!kernel_check_kallsyms_has("esp4_err\nt esp4_err\n", "esp4_err"),
	   "kallsyms: only the third field is a name");
	ok(!kernel_check_kallsyms_has("", "esp4_err"), "kallsyms: empty");
}

static void test_complete_kernel(void)
{
	struct fake_kernel k = kernel_complete();
	struct kernel_check_result r;

	ok(fake_run(&k, true, &r), "a complete kernel may start the daemon");
	is_uint(r.missing, 0, "nothing missing");
	is_uint(r.unknown, 0, "nothing unknown");
	is_str(r.message, "", "no refusal");
	is_str(r.warning, "", "no warning");
	is_uint(k.socket_calls, 2, "two socket probes: XFRM and PPPoL2TP");
	is_uint(k.genl_calls, 1, "one generic netlink probe");
	is_uint(k.device_calls, 1, "one /dev/ppp probe");
	is_uint(k.file_calls, 0, "a loaded esp4 needs no file read");
}

static void test_host_kernel(void)
{
	struct fake_kernel k = kernel_host();
	struct kernel_check_result r;

	ok(!fake_run(&k, true, &r), "the host's kernel refuses an L2TP server");
	is_uint(r.missing, KERNEL_CHECK_ESP4 | KERNEL_CHECK_L2TP_PPP | KERNEL_CHECK_L2TP_NETLINK |
		KERNEL_CHECK_PPP_GENERIC, "ESP, L2TP and PPP missing");
	is_str(r.message,
	       "this kernel lacks ESP (esp4), L2TP (l2tp_ppp, l2tp_netlink), PPP (ppp_generic): "
	       "try \"modprobe -a esp4 l2tp_ppp l2tp_netlink ppp_generic\" (this system has no "
	       "/lib/modules/6.18.44-fc-v782: load them on the host of this container, or boot a "
	       "kernel that has them)",
	       "one line names each group, each module, the modprobe and the missing modules directory");
	is_str(r.warning, "", "nothing uncertain");

	k = kernel_host();
	ok(fake_run(&k, false, &r), "the IKE responder alone starts on the host's kernel");
	is_uint(r.missing, 0, "nothing required missing");
	is_uint(r.missing_optional, KERNEL_CHECK_ESP4, "ESP missing, not required");
	is_str(r.message, "", "no refusal");
	is_str(r.warning,
	       "this kernel lacks ESP (esp4): no IPsec SA can be installed until \"modprobe esp4\" "
	       "(l2tp.enabled = false: starting anyway)", "the missing ESP is a warning");
	is_uint(k.socket_calls, 1, "only the XFRM socket probed");
	is_uint(k.genl_calls + k.device_calls, 0, "L2TP and PPP not probed");
}

static void test_single_needs(void)
{
	struct fake_kernel k;
	struct kernel_check_result r;

	/* esp4 neither loaded nor built in nor installed, and not in kallsyms */
	k = kernel_complete();
	k.paths[0] = "/sys/module/ppp_generic";
	k.paths[1] = "/lib/modules/6.1.0-56-amd64";
	k.paths[2] = NULL;
	k.files[0] = (struct fake_file){ "/lib/modules/6.1.0-56-amd64/modules.dep",
					 "kernel/net/ipv4/ah4.ko:\n", 0 };
	k.files[1] = (struct fake_file){ "/lib/modules/6.1.0-56-amd64/modules.builtin",
					 "kernel/net/xfrm/xfrm_user.ko\n", 0 };
	k.files[2] = (struct fake_file){ "/proc/kallsyms", kallsyms_no_esp, 0 };
	ok(!fake_run(&k, true, &r), "ESP nowhere: refused");
	is_str(r.message, "this kernel lacks ESP (esp4): try \"modprobe esp4\"",
	       "one module: modprobe without -a, no modules-directory note");

	k = kernel_complete();
	k.l2tp_genl = -ENOENT;
	ok(!fake_run(&k, true, &r), "no l2tp_netlink: refused");
	is_str(r.message, "this kernel lacks L2TP (l2tp_netlink): try \"modprobe l2tp_netlink\"",
	       "only the missing L2TP module is named");

	k = kernel_complete();
	k.pppox_socket = -EPROTONOSUPPORT;
	ok(!fake_run(&k, true, &r), "PPPoX without L2TP: refused");
	is_str(r.message, "this kernel lacks L2TP (l2tp_ppp): try \"modprobe l2tp_ppp\"",
	       "EPROTONOSUPPORT from AF_PPPOX means l2tp_ppp");

	k = kernel_complete();
	k.xfrm_socket = -EPROTONOSUPPORT;
	ok(!fake_run(&k, false, &r), "no XFRM netlink: even the IKE responder alone is refused");
	is_str(r.message, "this kernel lacks XFRM (xfrm_user): try \"modprobe xfrm_user\"",
	       "XFRM named");

	k = kernel_complete();
	k.dev_ppp = -ENXIO;
	ok(!fake_run(&k, true, &r), "a /dev/ppp without its driver: refused");
	is_str(r.message, "this kernel lacks PPP (ppp_generic): try \"modprobe ppp_generic\"",
	       "ENXIO from /dev/ppp means ppp_generic");

	k = kernel_complete();
	k.xfrm_socket = -EAFNOSUPPORT;
	k.pppox_socket = -EAFNOSUPPORT;
	ok(!fake_run(&k, true, &r), "XFRM and L2TP missing");
	is_str(r.message, "this kernel lacks XFRM (xfrm_user), L2TP (l2tp_ppp): "
	       "try \"modprobe -a xfrm_user l2tp_ppp\"", "groups in order, modprobe -a");
}

/* Each place a present esp4 may show, alone. */
static void test_esp_sources(void)
{
	static const struct {
		const char *name;
		struct fake_file file;
		const char *path;
	} cases[] = {
		{ "loaded (/sys/module)", { NULL, NULL, 0 }, "/sys/module/esp4" },
		{ "loaded (/proc/modules)", { "/proc/modules", "esp4 20480 0 - Live 0x0\n", 0 }, NULL },
		{ "built in (modules.builtin)",
		  { "/lib/modules/6.1.0-56-amd64/modules.builtin", "kernel/net/ipv4/esp4.ko\n", 0 },
		  NULL },
		{ "installed (modules.dep)",
		  { "/lib/modules/6.1.0-56-amd64/modules.dep",
		    "kernel/net/ipv4/esp4.ko.xz: kernel/net/xfrm/xfrm_algo.ko.xz\n", 0 }, NULL },
		{ "in kallsyms", { "/proc/kallsyms", "0000000000000000 t esp4_err\n", 0 }, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fake_kernel k = kernel_complete();
		struct kernel_check_result r;

		k.paths[0] = cases[i].path;
		k.files[0] = cases[i].file;
		ok(fake_run(&k, true, &r) && r.missing == 0 && r.unknown == 0,
		   "esp4 %s is present", cases[i].name);
	}
}

static void test_ppp_without_privilege(void)
{
	struct fake_kernel k;
	struct kernel_check_result r;

	k = kernel_complete();
	k.dev_ppp = -EACCES;
	ok(fake_run(&k, true, &r), "/dev/ppp refused for privilege, ppp_generic loaded: present");

	k = kernel_complete();
	k.dev_ppp = -EPERM;
	k.paths[1] = NULL;      /* not in /sys/module */
	k.files[0] = (struct fake_file){ "/proc/kallsyms", kallsyms_no_esp, 0 };
	ok(!fake_run(&k, true, &r), "/dev/ppp refused, ppp_generic nowhere: missing");
	is_uint(r.missing, KERNEL_CHECK_PPP_GENERIC, "only PPP missing");
}

static void test_unknown(void)
{
	struct fake_kernel k;
	struct kernel_check_result r;

	k = kernel_complete();
	k.xfrm_socket = -EMFILE;
	ok(fake_run(&k, true, &r), "a probe failing otherwise does not refuse");
	is_uint(r.unknown, KERNEL_CHECK_XFRM_USER, "XFRM unknown");
	is_str(r.warning, "could not tell whether the kernel has XFRM (xfrm_user): "
	       "Too many open files", "the uncertainty is a warning with its reason");

	k = kernel_complete();
	k.paths[0] = NULL;
	k.files[0] = (struct fake_file){ "/lib/modules/6.1.0-56-amd64/modules.dep", NULL, -EIO };
	k.files[1] = (struct fake_file){ "/proc/kallsyms", kallsyms_no_esp, 0 };
	k.l2tp_genl = -EIO;
	ok(fake_run(&k, true, &r), "an unreadable modules.dep is not a missing ESP");
	is_uint(r.unknown, KERNEL_CHECK_ESP4 | KERNEL_CHECK_L2TP_NETLINK, "ESP and L2TP unknown");
	is_str(r.warning, "could not tell whether the kernel has ESP (esp4): Input/output error; "
	       "could not tell whether the kernel has L2TP (l2tp_netlink): Input/output error",
	       "both uncertainties, in order");

	k = kernel_complete();
	k.paths[0] = NULL;
	k.release = NULL;
	k.files[0] = (struct fake_file){ "/proc/kallsyms", kallsyms_no_esp, 0 };
	ok(!fake_run(&k, true, &r), "no release: /proc/modules and kallsyms still decide");
	is_str(r.message, "this kernel lacks ESP (esp4): try \"modprobe esp4\"",
	       "no modules-directory note without a release");
}

/* Every allocation of the file reads fails in turn: never a crash, never a false "missing". */
static void test_out_of_memory(void)
{
	unsigned unknown_runs = 0;
	bool all_good = true;

	for (unsigned long n = 1; n <= 8; n++) {
		struct fake_kernel k = kernel_complete();
		struct kernel_check_result r;
		bool started;

		/* esp4 only in modules.dep, after a /proc/modules read that does not name it */
		k.paths[0] = NULL;
		k.files[0] = (struct fake_file){ "/proc/modules", "ah4 1 0 - Live 0x0\n", 0 };
		k.files[1] = (struct fake_file){ "/lib/modules/6.1.0-56-amd64/modules.dep",
						 "kernel/net/ipv4/esp4.ko:\n", 0 };
		alloc_fail_at(n);
		started = fake_run(&k, true, &r);
		alloc_fail_at(0);
		if (!started || (r.missing & KERNEL_CHECK_ESP4))
			all_good = false;
		if (r.unknown & KERNEL_CHECK_ESP4)
			unknown_runs++;
	}
	ok(all_good, "an allocation failure makes ESP unknown or present, never missing");
	ok(unknown_runs > 0, "the walk failed the read that decides (%u runs unknown)", unknown_runs);
}

/* The real kernel, compared with probes made here. */
static void test_this_system(void)
{
	struct kernel_check_result r;
	bool xfrm_ok, pppox_missing;
	int fd, saved;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	xfrm_ok = fd >= 0;
	if (fd >= 0)
		close(fd);
	fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	saved = errno;
	pppox_missing = fd < 0 && (saved == EAFNOSUPPORT || saved == EPROTONOSUPPORT);
	if (fd >= 0)
		close(fd);

	is_int(kernel_check_run(&kernel_check_system_ops, false, &r), xfrm_ok,
	       "this system: the IKE responder alone may start exactly when XFRM netlink opens");
	tap_diag("IKE only: refusal \"%s\", warning \"%s\"", r.message, r.warning);

	bool started = kernel_check_run(&kernel_check_system_ops, true, &r);

	tap_diag("with L2TP: refusal \"%s\", warning \"%s\"", r.message, r.warning);
	is_int(!!(r.missing & KERNEL_CHECK_L2TP_PPP), pppox_missing,
	       "this system: l2tp_ppp missing exactly when a PPPoL2TP socket does not open");
	is_int(started, r.missing == 0, "started exactly when nothing is missing");
	ok(started ? r.message[0] == '\0'
		   : strncmp(r.message, "this kernel lacks ", 18) == 0 &&
			     strstr(r.message, ": try \"modprobe ") != NULL,
	   "a refusal names what is lacking and the modprobe to try");
}

int main(void)
{
	test_list_parser();
	test_kallsyms_parser();
	test_complete_kernel();
	test_host_kernel();
	test_single_needs();
	test_esp_sources();
	test_ppp_without_privilege();
	test_unknown();
	test_out_of_memory();
	test_this_system();
	return tap_done();
}
