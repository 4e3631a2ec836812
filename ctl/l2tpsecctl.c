/*
 * l2tpsecctl.c - the admin tool's main: global options, the configuration,
 * colour, and one subcommand (see ctl/ctl.h for the exit codes).
 *
 * The configuration is loaded for every command but required only by those
 * that need it ("user": users.file and the pool); for the others a file that
 * does not parse (or that a non-root admin may not read) is simply absent.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "daemon/conf.h"

#define CTL_DEFAULT_CONF L2TPSEC_SYSCONFDIR "/l2tpsec/l2tpsec.conf"
#define CTL_DEFAULT_SOCKET L2TPSEC_RUNDIR "/l2tpsecd.sock"

struct ctl_command {
	const char *name;
	int (*run)(const struct ctl_global *g, int argc, char **argv);
	bool needs_conf;
};

static const struct ctl_command ctl_commands[] = {
	{ "user", ctl_cmd_user, true },
	{ "status", ctl_cmd_status, false },
	{ "show", ctl_cmd_show, false },
	{ "kill", ctl_cmd_kill, false },
	{ "reload", ctl_cmd_reload, false },
	{ "log", ctl_cmd_log, false },
};

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("l2tpsecctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void ctl_usage_short(void)
{
	fputs("usage: l2tpsecctl [-c CONF] [-s SOCKET] [--json] [--colour=WHEN] COMMAND ...\n"
	      "commands: user, status, show, kill, reload, log; l2tpsecctl --help for more\n",
	      stderr);
}

static void ctl_usage_full(void)
{
	printf("usage: l2tpsecctl [OPTIONS] COMMAND [ARGUMENTS]\n"
	       "\n"
	       "Options:\n"
	       "  -c, --config FILE    the daemon's configuration (default %s)\n"
	       "  -s, --socket PATH    the daemon's control socket (default %s)\n"
	       "      --json           one JSON document instead of a table (read commands)\n"
	       "      --colour=WHEN    auto (a terminal without NO_COLOR or TERM=dumb), always, never\n"
	       "  -h, --help           this help\n"
	       "  -V, --version        the version\n"
	       "\n"
	       "Commands:\n"
	       "  user add NAME [--static-ip ADDR] [--disabled] [--password-stdin]\n"
	       "  user del NAME\n"
	       "  user passwd NAME [--password-stdin]\n"
	       "  user enable NAME\n"
	       "  user disable NAME\n"
	       "  user list            users, their addresses, and who is connected\n"
	       "  status               one row per connected user\n"
	       "  show sa|tunnels|sessions\n"
	       "  kill USER|#SERIAL    end a user's sessions, or one object\n"
	       "  reload               the daemon re-reads its configuration\n"
	       "  log [--user U] [--peer ADDR] [--serial N] [--since TIME] [-f]\n"
	       "\n"
	       "Passwords are asked twice on the terminal without echo; --password-stdin reads\n"
	       "one line from standard input instead.  Only their NT hash is stored.\n"
	       "\n"
	       "Exit status: 0 done, 1 failed, 2 usage error, 3 the daemon is not running.\n",
	       CTL_DEFAULT_CONF, CTL_DEFAULT_SOCKET);
}

static int ctl_usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

static int ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("l2tpsecctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctl_usage_short();
	return CTL_EXIT_USAGE;
}

/* --colour: 1 on, 0 off, -1 not a valid WHEN. */
static int ctl_colour(const char *when)
{
	const char *term = getenv("TERM"), *no_colour = getenv("NO_COLOR");

	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0)
		return 0;
	if (strcmp(when, "auto") != 0)
		return -1;
	return isatty(STDOUT_FILENO) && term != NULL && term[0] != '\0' &&
	       strcmp(term, "dumb") != 0 && (no_colour == NULL || no_colour[0] == '\0');
}

/* The arguments ask only for the subcommand's help: no configuration needed. */
static bool ctl_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
		    (i == 1 && strcmp(argv[i], "help") == 0))
			return true;
	}
	return false;
}

enum { CTL_OPTION_JSON = 256, CTL_OPTION_COLOUR };

static const struct option ctl_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "socket", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, CTL_OPTION_JSON },
	{ "colour", required_argument, NULL, CTL_OPTION_COLOUR },
	{ "color", required_argument, NULL, CTL_OPTION_COLOUR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The global options into g; -1 to go on, or an exit status. */
static int ctl_parse(int argc, char **argv, struct ctl_global *g)
{
	const char *colour = "auto";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:s:hV", ctl_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			g->conf_path = optarg;
			break;
		case 's':
			g->socket_path = optarg;
			break;
		case CTL_OPTION_JSON:
			g->json = true;
			break;
		case CTL_OPTION_COLOUR:
			colour = optarg;
			break;
		case 'h':
			ctl_usage_full();
			return CTL_EXIT_OK;
		case 'V':
			printf("l2tpsecctl %s\n", PACKAGE_VERSION);
			return CTL_EXIT_OK;
		default:
			return ctl_usage_error("unknown option or missing value: %s",
					       argv[optind - 1]);
		}
	}
	c = ctl_colour(colour);
	if (c < 0)
		return ctl_usage_error("--colour: \"%s\" is not auto, always or never", colour);
	g->colour = c == 1;
	if (optind == argc)
		return ctl_usage_error("a command is due");
	return -1;
}

int main(int argc, char **argv)
{
	struct ctl_global g = { .conf_path = CTL_DEFAULT_CONF, .socket_path = CTL_DEFAULT_SOCKET };
	const struct ctl_command *command = NULL;
	struct conf_error err;
	struct conf *conf;
	int status;

	/* A daemon that goes away mid-request is an error to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	status = ctl_parse(argc, argv, &g);
	if (status >= 0)
		return status;
	argc -= optind;
	argv += optind;
	for (size_t i = 0; i < ARRAY_SIZE(ctl_commands); i++) {
		if (strcmp(argv[0], ctl_commands[i].name) == 0)
			command = &ctl_commands[i];
	}
	if (command == NULL)
		return ctl_usage_error("unknown command \"%s\"", argv[0]);
	conf = conf_load(g.conf_path, &err);
	if (conf == NULL && command->needs_conf && !ctl_wants_help(argc, argv)) {
		ctl_error("%s", err.text);
		return CTL_EXIT_FAILED;
	}
	g.conf = conf;
	optind = 0;
	status = command->run(&g, argc, argv);
	conf_free(conf);
	if (fflush(stdout) != 0 && status == CTL_EXIT_OK)
		status = CTL_EXIT_FAILED;
	return status;
}
