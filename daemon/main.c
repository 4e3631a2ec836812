/*
 * main.c - l2tpsecd: arguments, start-up, the event loop, clean exit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/daemon_ctl.h"
#include "daemon/daemon_ike.h"
#include "daemon/daemon_l2tp.h"
#include "daemon/kernel_check.h"

#define DAEMON_DEFAULT_CONF L2TPSEC_SYSCONFDIR "/l2tpsec/l2tpsec.conf"

static void daemon_usage(FILE *out)
{
	fprintf(out,
		"usage: l2tpsecd [-fnhV] [-c FILE] [-d CLASSES]\n"
		"  -c FILE     configuration file (default %s)\n"
		"  -f          stay in the foreground and log to stderr\n"
		"  -n          check the configuration, print \"configuration OK\" and exit\n"
		"  -d CLASSES  debug classes, e.g. ike-wire,l2tp-fsm or all\n"
		"  -V          print the version and exit\n"
		"  -h          this help\n",
		DAEMON_DEFAULT_CONF);
}

int daemon_log_apply(struct daemon *d, const struct conf *conf)
{
	const char *debug = d->debug_override ? d->debug_override : conf->log_debug;
	int err;

	log_set_level(d->log, conf->log_level);
	err = log_debug_set(d->log, debug && debug[0] ? debug : "none");
	if (err < 0)
		return err;
	err = log_sink_file(d->log, conf->log_file);
	if (err < 0)
		return err;
	if (!d->foreground)
		return log_sink_syslog(d->log, conf->log_syslog ? "l2tpsecd" : NULL, LOG_DAEMON);
	return 0;
}

/* The PSK must not be readable by everyone. */
static void daemon_check_conf_mode(struct daemon *d)
{
	struct stat st;

	if (stat(d->conf_path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		log_msg(&d->lg, LOG_LEVEL_WARN,
			"%s is readable by group or others and holds the pre-shared key: chmod 600 it",
			d->conf_path);
}

int daemon_reload(struct daemon *d, char *why, size_t size)
{
	struct conf_error err;
	struct conf *conf = conf_load(d->conf_path, &err);
	int rc;

	if (!conf) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "reload failed, keeping the running configuration: %s",
			err.text);
		snprintf(why, size, "%s", err.text);
		return -1;
	}
	if (strcmp(conf->pid_file, d->conf->pid_file) != 0)
		log_msg(&d->lg, LOG_LEVEL_NOTICE,
			"daemon.pid_file changed: the new path takes effect at the next start");
	rc = daemon_log_apply(d, conf);
	if (rc < 0) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "reload failed, keeping the running configuration: "
			"log sinks: %s", strerror(-rc));
		if (daemon_log_apply(d, d->conf) < 0)
			log_msg(&d->lg, LOG_LEVEL_ERR, "could not restore the previous log sinks");
		conf_free(conf);
		snprintf(why, size, "log sinks: %s", strerror(-rc));
		return -1;
	}
	/* Reopening the same file also serves logrotate. */
	if (log_sink_file_reopen(d->log) < 0)
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot reopen the log file");
	daemon_ike_reload(d, d->conf, conf);
	daemon_l2tp_reload(d, d->conf, conf);
	conf_free(d->conf);
	d->conf = conf;
	daemon_check_conf_mode(d);
	log_msg(&d->lg, LOG_LEVEL_NOTICE, "configuration reloaded from %s", d->conf_path);
	return 0;
}

static void daemon_on_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct daemon *d = arg;

	switch (signo) {
	case SIGHUP:
		{
			char why[CONF_ERROR_MAX];

			(void)daemon_reload(d, why, sizeof(why));     /* logged either way */
		}
		break;
	case SIGTERM:
	case SIGINT:
		log_msg(&d->lg, LOG_LEVEL_NOTICE, "received %s, shutting down",
			signo == SIGTERM ? "SIGTERM" : "SIGINT");
		ev_stop(loop);
		break;
	default:
		break;
	}
}

/*
 * Go to the background.  The parent waits until the child says it is up (or
 * failed), so the exit status of "l2tpsecd" tells a service manager or a
 * shell whether the daemon really started.  Returns in the child with
 * *ready_fd to report on; exits in the parent.
 */
static int daemon_background(int *ready_fd)
{
	int pipe_fds[2];
	pid_t pid;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		char status = 1;

		close(pipe_fds[1]);
		if (read(pipe_fds[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(pipe_fds[0]);
	if (setsid() < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;
	dup2(null_fd, STDIN_FILENO);
	dup2(null_fd, STDOUT_FILENO);
	dup2(null_fd, STDERR_FILENO);
	if (null_fd > STDERR_FILENO)
		close(null_fd);
	*ready_fd = pipe_fds[1];
	return 0;
}

static void daemon_report_ready(int *ready_fd, char status)
{
	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &status, 1) != 1) {
		/* The parent is gone: nobody to tell. */
	}
	close(*ready_fd);
	*ready_fd = -1;
}

static int daemon_start(struct daemon *d, int *ready_fd)
{
	pid_t holder = 0;
	int err;

	d->log = log_ctx_new(&d->clock);
	if (!d->log) {
		fprintf(stderr, "l2tpsecd: out of memory\n");
		return -ENOMEM;
	}
	log_debug_classes(d->log, conf_debug_class_names, CONF_DEBUG_COUNT);
	logger_init_root(&d->lg, d->log, "");
	if (d->foreground && log_sink_stderr(d->log, true) < 0)
		return -EIO;
	err = daemon_log_apply(d, d->conf);
	if (err < 0) {
		fprintf(stderr, "l2tpsecd: log: %s\n", strerror(-err));
		return err;
	}
	err = pidfile_open(&d->pidfile, d->conf->pid_file, &holder);
	if (err == -EEXIST) {
		fprintf(stderr, "l2tpsecd: already running (pid %ld holds %s)\n", (long)holder,
			d->conf->pid_file);
		return err;
	}
	if (err < 0) {
		fprintf(stderr, "l2tpsecd: %s: %s\n", d->conf->pid_file, strerror(-err));
		return err;
	}
	/* Now that we are the only instance: does the kernel have what we need? */
	struct kernel_check_result kernel;

	if (!kernel_check_run(&kernel_check_system_ops, d->conf->l2tp_enabled, &kernel)) {
		if (!d->foreground)
			fprintf(stderr, "l2tpsecd: %s\n", kernel.message);
		log_msg(&d->lg, LOG_LEVEL_ERR, "%s", kernel.message);
		return -ENODEV;
	}
	if (kernel.warning[0])
		log_msg(&d->lg, LOG_LEVEL_WARN, "%s", kernel.warning);
	if (!d->foreground) {
		err = daemon_background(ready_fd);
		if (err < 0) {
			fprintf(stderr, "l2tpsecd: cannot go to the background: %s\n", strerror(-err));
			return err;
		}
	}
	err = pidfile_write(&d->pidfile, getpid());
	if (err < 0) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "%s: %s", d->conf->pid_file, strerror(-err));
		return err;
	}
	d->loop = ev_loop_new(&d->clock);
	if (!d->loop) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot create the event loop");
		return -ENOMEM;
	}
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		err = ev_signal_add(d->loop, signals[i], daemon_on_signal, d);
		if (err < 0) {
			log_msg(&d->lg, LOG_LEVEL_ERR, "signal %d: %s", signals[i], strerror(-err));
			return err;
		}
	}
	/* A peer closing a socket must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	daemon_check_conf_mode(d);
	log_msg(&d->lg, LOG_LEVEL_NOTICE, "l2tpsecd %s starting (pid %ld, configuration %s)",
		PACKAGE_VERSION, (long)getpid(), d->conf_path);
	err = daemon_ike_start(d);
	if (err == 0)
		err = daemon_l2tp_start(d);
	return err < 0 ? err : daemon_ctl_start(d);
}

static void daemon_stop(struct daemon *d)
{
	daemon_ctl_stop(d);
	daemon_l2tp_stop(d);    /* StopCCN goes out while the IPsec SAs still exist */
	daemon_ike_stop(d);
	if (d->log && d->loop)
		log_msg(&d->lg, LOG_LEVEL_NOTICE, "stopped");
	ev_loop_free(d->loop);
	d->loop = NULL;
	pidfile_close(&d->pidfile);
	conf_free(d->conf);
	d->conf = NULL;
	log_ctx_free(d->log);
	d->log = NULL;
}

int main(int argc, char **argv)
{
	struct daemon d = { .conf_path = DAEMON_DEFAULT_CONF, .pidfile = { .fd = -1 } };
	struct conf_error err;
	bool check_only = false;
	int ready_fd = -1, opt, rc;

	while ((opt = getopt(argc, argv, "c:d:fnhV")) != -1) {
		switch (opt) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'd':
			d.debug_override = optarg;
			break;
		case 'f':
			d.foreground = true;
			break;
		case 'n':
			check_only = true;
			break;
		case 'V':
			printf("l2tpsecd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			daemon_usage(stdout);
			return 0;
		default:
			daemon_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		daemon_usage(stderr);
		return 2;
	}
	clock_init_monotonic(&d.clock);
	d.conf = conf_load(d.conf_path, &err);
	if (!d.conf) {
		fprintf(stderr, "%s\n", err.text);
		return 1;
	}
	if (d.debug_override) {
		/* Check -d against the same table as log.debug. */
		struct log_ctx *probe = log_ctx_new(&d.clock);

		rc = probe ? (log_debug_classes(probe, conf_debug_class_names, CONF_DEBUG_COUNT),
			      log_debug_set(probe, d.debug_override))
			   : -ENOMEM;
		log_ctx_free(probe);
		if (rc < 0) {
			fprintf(stderr, "l2tpsecd: -d %s: unknown debug class\n", d.debug_override);
			conf_free(d.conf);
			return 2;
		}
	}
	if (check_only) {
		printf("configuration OK\n");
		conf_free(d.conf);
		return 0;
	}
	rc = daemon_start(&d, &ready_fd);
	if (rc == 0) {
		daemon_report_ready(&ready_fd, 0);
		rc = ev_run(d.loop);
		if (rc < 0)
			log_msg(&d.lg, LOG_LEVEL_ERR, "event loop failed: %s", strerror(-rc));
	}
	daemon_report_ready(&ready_fd, 1);
	daemon_stop(&d);
	return rc < 0 ? 1 : 0;
}
