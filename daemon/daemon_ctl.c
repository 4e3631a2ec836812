/*
 * daemon_ctl.c - the control commands.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <string.h>

#include "daemon/ctl_socket.h"
#include "daemon/daemon.h"
#include "daemon/daemon_ctl.h"
#include "daemon/daemon_ike.h"
#include "daemon/daemon_l2tp.h"

static void daemon_ctl_status(void *arg, int argc, char **argv, struct ctl_out *o)
{
	daemon_l2tp_ctl_status(arg, o);
}

static void daemon_ctl_show(void *arg, int argc, char **argv, struct ctl_out *o)
{
	struct daemon *d = arg;

	if (strcmp(argv[1], "sa") == 0)
		daemon_ike_ctl_show_sa(d, o);
	else if (strcmp(argv[1], "tunnels") == 0)
		daemon_l2tp_ctl_tunnels(d, o);
	else if (strcmp(argv[1], "sessions") == 0)
		daemon_l2tp_ctl_sessions(d, o);
	else
		ctl_out_error(o, "show what? sa, tunnels or sessions");
}

static void daemon_ctl_users(void *arg, int argc, char **argv, struct ctl_out *o)
{
	daemon_l2tp_ctl_users(arg, o);
}

static void daemon_ctl_kill(void *arg, int argc, char **argv, struct ctl_out *o)
{
	struct daemon *d = arg;

	log_msg(&d->lg, LOG_LEVEL_NOTICE, "control socket: kill %s", argv[1]);
	daemon_l2tp_ctl_kill(d, argv[1], o);
}

static void daemon_ctl_reload(void *arg, int argc, char **argv, struct ctl_out *o)
{
	struct daemon *d = arg;
	char why[CONF_ERROR_MAX];

	log_msg(&d->lg, LOG_LEVEL_NOTICE, "control socket: reload");
	if (daemon_reload(d, why, sizeof(why)) < 0)
		ctl_out_error(o, "reload failed, the running configuration stays: %s", why);
}

static void daemon_ctl_reload_users(void *arg, int argc, char **argv, struct ctl_out *o)
{
	struct daemon *d = arg;

	log_msg(&d->lg, LOG_LEVEL_INFO, "control socket: reading the users file again");
	daemon_l2tp_ctl_reload_users(d, o);
}

int daemon_ctl_start(struct daemon *d)
{
	const struct ctl_command template[] = {
		{ "status", 1, 1, daemon_ctl_status, d },
		{ "show", 2, 2, daemon_ctl_show, d },
		{ "users", 1, 1, daemon_ctl_users, d },
		{ "kill", 2, 2, daemon_ctl_kill, d },
		{ "reload", 1, 1, daemon_ctl_reload, d },
		{ "reload-users", 1, 1, daemon_ctl_reload_users, d },
	};
	const char *group_name = d->conf->control_group;
	gid_t group = (gid_t)-1;

	_Static_assert(ARRAY_SIZE(template) == ARRAY_SIZE(d->ctl_commands), "the command table");
	memcpy(d->ctl_commands, template, sizeof(template));
	if (group_name && group_name[0]) {
		struct group *g = getgrnam(group_name);

		if (!g) {
			log_msg(&d->lg, LOG_LEVEL_ERR, "daemon.control_group: no group \"%s\"",
				group_name);
			return -ENOENT;
		}
		group = g->gr_gid;
	}
	d->ctl = ctl_socket_open(d->loop, &d->lg, d->conf->control_socket, group, d->ctl_commands,
				 ARRAY_SIZE(d->ctl_commands));
	if (!d->ctl) {
		int err = errno;

		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot open the control socket %s: %s",
			d->conf->control_socket, strerror(err));
		return -err;
	}
	log_msg(&d->lg, LOG_LEVEL_INFO, "control socket %s", d->conf->control_socket);
	return 0;
}

void daemon_ctl_stop(struct daemon *d)
{
	ctl_socket_close(d->ctl);
	d->ctl = NULL;
}
