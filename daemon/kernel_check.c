/*
 * kernel_check.c - does this kernel have what l2tpsecd needs?
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/if_pppox.h>
#include <linux/netlink.h>

#include "daemon/kernel_check.h"
#include "daemon/kernel_l2tp.h"
#include "lib/alloc.h"

/* The largest file read (/proc/kallsyms is ~5 MiB; modules.dep under 1 MiB). */
#define KERNEL_CHECK_FILE_MAX (64u * 1024 * 1024)

enum kernel_check_state {
	KERNEL_CHECK_PRESENT,
	KERNEL_CHECK_MISSING,
	KERNEL_CHECK_UNKNOWN,   /* the probe failed for another reason */
};

struct kernel_check_answer {
	enum kernel_check_state state;
	int error;              /* -errno when UNKNOWN */
};

/* One row per need, in the refusal's order; rows of one group are named together. */
struct kernel_check_row {
	unsigned need;
	const char *group;
	const char *module;
};

static const struct kernel_check_row kernel_check_rows[] = {
	{ KERNEL_CHECK_XFRM_USER, "XFRM", "xfrm_user" },
	{ KERNEL_CHECK_ESP4, "ESP", "esp4" },
	{ KERNEL_CHECK_L2TP_PPP, "L2TP", "l2tp_ppp" },
	{ KERNEL_CHECK_L2TP_NETLINK, "L2TP", "l2tp_netlink" },
	{ KERNEL_CHECK_PPP_GENERIC, "PPP", "ppp_generic" },
};

/* ------------------------------------------------------------------ text */

struct kernel_check_text {
	char *buf;
	size_t size;
	size_t len;
};

static void kernel_check_text_add(struct kernel_check_text *t, const char *fmt, ...)
	PRINTF_LIKE(2, 3);

/* Appends; a line too long for the buffer is cut, never overrun. */
static void kernel_check_text_add(struct kernel_check_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	t->len = (size_t)n >= t->size - t->len ? t->size - 1 : t->len + (size_t)n;
}

/* "ESP (esp4), L2TP (l2tp_ppp, l2tp_netlink)" for the needs in MASK. */
static void kernel_check_text_needs(struct kernel_check_text *t, unsigned mask)
{
	const char *open_group = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(kernel_check_rows); i++) {
		const struct kernel_check_row *row = &kernel_check_rows[i];

		if (!(mask & row->need))
			continue;
		if (open_group && strcmp(open_group, row->group) == 0) {
			kernel_check_text_add(t, ", %s", row->module);
			continue;
		}
		kernel_check_text_add(t, "%s%s (%s", open_group ? "), " : "", row->group,
				      row->module);
		open_group = row->group;
	}
	if (open_group)
		kernel_check_text_add(t, ")");
}

/* "modprobe esp4" or "modprobe -a esp4 l2tp_ppp" for the needs in MASK. */
static void kernel_check_text_modprobe(struct kernel_check_text *t, unsigned mask)
{
	unsigned count = (unsigned)__builtin_popcount(mask);

	kernel_check_text_add(t, "\"modprobe%s", count > 1 ? " -a" : "");
	for (size_t i = 0; i < ARRAY_SIZE(kernel_check_rows); i++)
		if (mask & kernel_check_rows[i].need)
			kernel_check_text_add(t, " %s", kernel_check_rows[i].module);
	kernel_check_text_add(t, "\"");
}

/* ------------------------------------------------------------------ module lists */

static bool kernel_check_name_char_equal(char a, char b)
{
	return a == b || ((a == '-' || a == '_') && (b == '-' || b == '_'));
}

/* Is [name, name + len) the module's name, once a directory and ".ko..." are cut? */
static bool kernel_check_word_is_module(const char *word, size_t len, const char *module)
{
	const char *end = word + len, *base = word, *ko;
	size_t module_len = strlen(module);

	for (const char *p = word; p < end; p++)
		if (*p == '/')
			base = p + 1;
	for (ko = base; ko + 3 <= end; ko++)
		if (ko[0] == '.' && ko[1] == 'k' && ko[2] == 'o' && (ko + 3 == end || ko[3] == '.')) {
			end = ko;
			break;
		}
	if ((size_t)(end - base) != module_len)
		return false;
	for (size_t i = 0; i < module_len; i++)
		if (!kernel_check_name_char_equal(base[i], module[i]))
			return false;
	return true;
}

bool kernel_check_list_has_module(const char *text, const char *module)
{
	const char *line = text;

	while (*line) {
		size_t word = strcspn(line, " \t:\n");
		const char *next = strchr(line, '\n');

		if (word > 0 && kernel_check_word_is_module(line, word, module))
			return true;
		if (!next)
			break;
		line = next + 1;
	}
	return false;
}

bool kernel_check_kallsyms_has(const char *text, const char *symbol)
{
	size_t symbol_len = strlen(symbol);
	const char *line = text;

	while (*line) {
		const char *next = strchr(line, '\n');
		const char *name = line;

		/* "ADDRESS TYPE NAME[\t[MODULE]]" */
		for (int field = 0; field < 2 && name; field++) {
			name = strpbrk(name, " \n");
			name = name && *name == ' ' ? name + 1 : NULL;
		}
		if (name && strncmp(name, symbol, symbol_len) == 0 &&
		    strchr(".\t\n ", name[symbol_len]))
			return true;
		if (!next)
			break;
		line = next + 1;
	}
	return false;
}

/* ------------------------------------------------------------------ probes */

static struct kernel_check_answer kernel_check_answer_from(int err, const int *missing_errors,
							   size_t count)
{
	if (err == 0)
		return (struct kernel_check_answer){ KERNEL_CHECK_PRESENT, 0 };
	for (size_t i = 0; i < count; i++)
		if (err == -missing_errors[i])
			return (struct kernel_check_answer){ KERNEL_CHECK_MISSING, 0 };
	return (struct kernel_check_answer){ KERNEL_CHECK_UNKNOWN, err };
}

/* What the socket layer answers for a family or protocol it does not have. */
static const int kernel_check_socket_missing[] = { EAFNOSUPPORT, EPROTONOSUPPORT,
						   ESOCKTNOSUPPORT };

/* Does one module list file name the module?  1 yes, 0 no (or no such file), -errno. */
static int kernel_check_file_names(const struct kernel_check_ops *ops, const char *path,
				   const char *module, const char *symbol)
{
	char *text = NULL;
	int err = ops->file_read(ops->arg, path, &text), found;

	if (err == -ENOENT)
		return 0;
	if (err < 0)
		return err;
	found = symbol ? kernel_check_kallsyms_has(text, symbol)
		       : kernel_check_list_has_module(text, module);
	alloc_free(text);
	return found;
}

/*
 * Loaded, built in or installed for this kernel, else its code in
 * /proc/kallsyms.  A source that cannot be read does not say "missing": if
 * no source says present and one failed, the answer is UNKNOWN.
 */
static struct kernel_check_answer kernel_check_module_state(const struct kernel_check_ops *ops,
							    const char *module,
							    const char *symbol)
{
	char release[256], path[512], builtin[512], dep[512];
	const char *lists[3] = { "/proc/modules", NULL, NULL };
	int first_error = 0, err;

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	err = ops->path_probe(ops->arg, path);
	if (err == 0)
		return (struct kernel_check_answer){ KERNEL_CHECK_PRESENT, 0 };
	if (err != -ENOENT)
		first_error = err;
	if (ops->kernel_release(ops->arg, release, sizeof(release)) == 0) {
		snprintf(builtin, sizeof(builtin), "/lib/modules/%s/modules.builtin", release);
		snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", release);
		lists[1] = builtin;
		lists[2] = dep;
	}
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		if (!lists[i])
			continue;
		err = kernel_check_file_names(ops, lists[i], module, NULL);
		if (err > 0)
			return (struct kernel_check_answer){ KERNEL_CHECK_PRESENT, 0 };
		if (err < 0 && !first_error)
			first_error = err;
	}
	err = kernel_check_file_names(ops, "/proc/kallsyms", module, symbol);
	if (err > 0)
		return (struct kernel_check_answer){ KERNEL_CHECK_PRESENT, 0 };
	if (err < 0 && !first_error)
		first_error = err;
	if (first_error)
		return (struct kernel_check_answer){ KERNEL_CHECK_UNKNOWN, first_error };
	return (struct kernel_check_answer){ KERNEL_CHECK_MISSING, 0 };
}

static struct kernel_check_answer kernel_check_probe(const struct kernel_check_ops *ops,
						     unsigned need)
{
	static const int genl_missing[] = { ENOENT };
	static const int device_missing[] = { ENOENT, ENXIO, ENODEV };
	int err;

	switch (need) {
	case KERNEL_CHECK_XFRM_USER:
		err = ops->socket_probe(ops->arg, AF_NETLINK, SOCK_RAW, NETLINK_XFRM);
		return kernel_check_answer_from(err, kernel_check_socket_missing,
						ARRAY_SIZE(kernel_check_socket_missing));
	case KERNEL_CHECK_ESP4:
		/* esp4_err: the ICMP error handler, in every esp4 since 2.6 */
		return kernel_check_module_state(ops, "esp4", "esp4_err");
	case KERNEL_CHECK_L2TP_PPP:
		err = ops->socket_probe(ops->arg, AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP);
		return kernel_check_answer_from(err, kernel_check_socket_missing,
						ARRAY_SIZE(kernel_check_socket_missing));
	case KERNEL_CHECK_L2TP_NETLINK:
		err = ops->l2tp_genl_probe(ops->arg);
		return kernel_check_answer_from(err, genl_missing, ARRAY_SIZE(genl_missing));
	case KERNEL_CHECK_PPP_GENERIC:
		err = ops->device_probe(ops->arg, "/dev/ppp");
		/* Refused for lack of privilege: the open never reached the driver. */
		if (err == -EACCES || err == -EPERM)
			return kernel_check_module_state(ops, "ppp_generic", "ppp_register_channel");
		return kernel_check_answer_from(err, device_missing, ARRAY_SIZE(device_missing));
	default:
		return (struct kernel_check_answer){ KERNEL_CHECK_UNKNOWN, -EINVAL };
	}
}

/* ------------------------------------------------------------------ the check */

bool kernel_check_run(const struct kernel_check_ops *ops, bool l2tp_enabled,
		      struct kernel_check_result *out)
{
	unsigned required = l2tp_enabled ? KERNEL_CHECK_ALL : KERNEL_CHECK_XFRM_USER;
	unsigned wanted = l2tp_enabled ? 0 : KERNEL_CHECK_ESP4;
	struct kernel_check_text message = { out->message, sizeof(out->message), 0 };
	struct kernel_check_text warning = { out->warning, sizeof(out->warning), 0 };
	int unknown_errors[ARRAY_SIZE(kernel_check_rows)] = { 0 };
	char release[256];

	*out = (struct kernel_check_result){ .missing = 0 };
	for (size_t i = 0; i < ARRAY_SIZE(kernel_check_rows); i++) {
		unsigned need = kernel_check_rows[i].need;
		struct kernel_check_answer answer;

		if (!((required | wanted) & need))
			continue;
		answer = kernel_check_probe(ops, need);
		if (answer.state == KERNEL_CHECK_UNKNOWN) {
			out->unknown |= need;
			unknown_errors[i] = answer.error;
		} else if (answer.state == KERNEL_CHECK_MISSING) {
			if (required & need)
				out->missing |= need;
			else
				out->missing_optional |= need;
		}
	}

	if (out->missing) {
		kernel_check_text_add(&message, "this kernel lacks ");
		kernel_check_text_needs(&message, out->missing);
		kernel_check_text_add(&message, ": try ");
		kernel_check_text_modprobe(&message, out->missing);
		if (ops->kernel_release(ops->arg, release, sizeof(release)) == 0) {
			char dir[300];

			snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
			if (ops->path_probe(ops->arg, dir) == -ENOENT)
				kernel_check_text_add(&message,
					" (this system has no %s: load them on the host of this "
					"container, or boot a kernel that has them)", dir);
		}
	}
	if (out->missing_optional) {
		kernel_check_text_add(&warning, "this kernel lacks ");
		kernel_check_text_needs(&warning, out->missing_optional);
		kernel_check_text_add(&warning, ": no IPsec SA can be installed until ");
		kernel_check_text_modprobe(&warning, out->missing_optional);
		kernel_check_text_add(&warning, " (l2tp.enabled = false: starting anyway)");
	}
	for (size_t i = 0; i < ARRAY_SIZE(kernel_check_rows); i++) {
		if (!(out->unknown & kernel_check_rows[i].need))
			continue;
		kernel_check_text_add(&warning, "%scould not tell whether the kernel has ",
				      warning.len ? "; " : "");
		kernel_check_text_needs(&warning, kernel_check_rows[i].need);
		kernel_check_text_add(&warning, ": %s", strerror(-unknown_errors[i]));
	}
	return out->missing == 0;
}

/* ------------------------------------------------------------------ the real system */

static int kernel_check_system_socket(void *arg, int domain, int type, int protocol)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int kernel_check_system_device(void *arg, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int kernel_check_system_l2tp_genl(void *arg)
{
	struct kl2tp *k;
	int err = kl2tp_open(&k);

	if (err == 0)
		kl2tp_close(k);
	return err;
}

static int kernel_check_system_path(void *arg, const char *path)
{
	return access(path, F_OK) == 0 ? 0 : -errno;
}

/* /proc files report size 0: read until the end, growing the buffer. */
static int kernel_check_system_file(void *arg, const char *path, char **text)
{
	size_t size = 64 * 1024, len = 0;
	char *buf = NULL, *bigger;
	int fd, err;
	ssize_t n;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!buf || len + 1 >= size) {
			if (buf)
				size *= 2;
			if (size > KERNEL_CHECK_FILE_MAX) {
				err = -EFBIG;
				goto out;
			}
			bigger = alloc_realloc_array(buf, size, 1);
			if (!bigger) {
				err = -ENOMEM;
				goto out;
			}
			buf = bigger;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*text = buf;
	buf = NULL;
	err = 0;
out:
	alloc_free(buf);
	close(fd);
	return err;
}

static int kernel_check_system_release(void *arg, char *release, size_t size)
{
	struct utsname names;

	if (uname(&names) < 0)
		return -errno;
	if ((size_t)snprintf(release, size, "%s", names.release) >= size)
		return -ENAMETOOLONG;
	return 0;
}

const struct kernel_check_ops kernel_check_system_ops = {
	.socket_probe = kernel_check_system_socket,
	.device_probe = kernel_check_system_device,
	.l2tp_genl_probe = kernel_check_system_l2tp_genl,
	.path_probe = kernel_check_system_path,
	.file_read = kernel_check_system_file,
	.kernel_release = kernel_check_system_release,
};
