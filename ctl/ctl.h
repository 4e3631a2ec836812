/*
 * ctl.h - l2tpsecctl, the admin tool: what every subcommand shares.
 *
 * main (ctl/l2tpsecctl.c) parses the global options into struct ctl_global
 * and calls one subcommand; each returns the tool's exit status.  Exit codes
 * scripts can rely on: 0 done, 1 failed (the reason on stderr), 2 usage
 * error, 3 the daemon is not running (commands that need it).  Output for
 * people goes to stdout (tables, colour only on a terminal); --json gives one
 * JSON document instead.  Errors always go to stderr, one line each,
 * "l2tpsecctl: ...".
 */
#ifndef L2TPSEC_CTL_CTL_H
#define L2TPSEC_CTL_CTL_H

#include <stdbool.h>

enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILED = 1,
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_NOT_RUNNING = 3,
};

struct conf;

struct ctl_global {
	const char *conf_path;          /* -c; default the daemon's */
	const struct conf *conf;        /* that file, parsed (NULL if it could not be: the
					   subcommand says whether it needs it) */
	bool json;                      /* --json */
	bool colour;                    /* stdout is a terminal and --colour allows it */
	const char *socket_path;        /* the daemon's control socket */
};

/* Subcommands: argv[0] is the subcommand's name ("user", "log", ...). */
int ctl_cmd_user(const struct ctl_global *g, int argc, char **argv);
int ctl_cmd_log(const struct ctl_global *g, int argc, char **argv);
int ctl_cmd_status(const struct ctl_global *g, int argc, char **argv);
int ctl_cmd_show(const struct ctl_global *g, int argc, char **argv);
int ctl_cmd_kill(const struct ctl_global *g, int argc, char **argv);
int ctl_cmd_reload(const struct ctl_global *g, int argc, char **argv);

/* "l2tpsecctl: " + the message + "\n" on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
