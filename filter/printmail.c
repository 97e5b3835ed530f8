/*
 * printmail: a sendmail-compatible program that submits a message read on
 * standard input through the account's SMTP submission server, and the
 * pipe transport behind Postfix for scan-to-email.
 *
 *   printmail [-C FILE] [-a ACCOUNT] [-f SENDER] [-F NAME] [-t] [-i] [-oi]
 *             [-v] [--] [RECIPIENT...]
 *   printmail --check [-C FILE] [-a ACCOUNT]
 *
 * Exit codes are sysexits(3), from the one table in common/outcome.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "advice.h"
#include "conf.h"
#include "err.h"
#include "header.h"
#include "log.h"
#include "outcome.h"
#include "session.h"
#include "smtp.h"
#include "rewrite.h"
#include "spool.h"
#include "throttle.h"
#include "util.h"

#ifndef PM_SYSCONFDIR
#define PM_SYSCONFDIR "/etc"
#endif
#ifndef PM_VERSION
#define PM_VERSION "0"
#endif

struct opts {
	const char	*config;
	const char	*account;
	const char	*sender;	/* -f: the original sender */
	const char	*fullname;	/* -F */
	int		 extract;	/* -t */
	int		 ignore_dots;	/* -i, -oi */
	int		 verbose;	/* -v */
	int		 check;		/* --check */
	int		 nothing;	/* -bi: nothing to do */
	char		**rcpt;
	int		 nrcpt;
};

static int	verbose;

static void
log_to_stderr(void *ctx, enum log_level level, const char *line)
{
	(void)ctx;
	if (level == LOG_LVL_ERROR || (verbose && level != LOG_LVL_ERROR))
		fprintf(stderr, "printmail: %s\n", line);
	if (level == LOG_LVL_NOTICE)
		syslog(LOG_NOTICE, "%s", line);
}

static void
log_to_stdout(void *ctx, enum log_level level, const char *line)
{
	(void)ctx;
	if (level == LOG_LVL_ERROR)
		printf("  note  %s\n", line);
	else if (level == LOG_LVL_INFO)
		printf("  ok    %s\n", line);
	else if (level == LOG_LVL_NOTICE)
		printf("  wait  %s\n", line);
	else if (level == LOG_LVL_TRACE && verbose)
		printf("        %s\n", line);
	fflush(stdout);
}

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: printmail [-C FILE] [-a ACCOUNT] [-f SENDER] [-F NAME] [-t] [-i]\n"
"                 [-v] [--] [RECIPIENT...]    (message on standard input)\n"
"       printmail --check [-C FILE] [-a ACCOUNT] [-v]\n"
"       printmail --version | --help\n"
"\n"
"  -C FILE     config file (default $PRINTMAIL_CONFIG, else "
PM_SYSCONFDIR "/printmail.conf)\n"
"  -a ACCOUNT  config section to use (default [default])\n"
"  -f SENDER   the original sender; kept as Reply-To when From is rewritten\n"
"  -F NAME     display name for the From header\n"
"  -t          take recipients from To, Cc and Bcc (Bcc is removed)\n"
"  -i, -oi     a line with a single dot does not end the message\n"
"  -v          show the SMTP dialogue (AUTH redacted) and the log line\n"
"  --check     connect, start TLS and log in, send nothing\n"
"Other sendmail options are accepted and ignored.\n");
}

/* An option that takes an argument: attached, else the next word. */
static const char *
opt_arg(int argc, char **argv, int *i, const char *rest, struct err *e)
{
	if (*rest != '\0')
		return rest;
	if (*i + 1 >= argc) {
		err_set(e, ERR_USAGE, "option -%c needs an argument", rest[-1]);
		return NULL;
	}
	return argv[++*i];
}

static int
parse_args(int argc, char **argv, struct opts *o, struct err *e)
{
	int	 i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *p, *v;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--check") == 0) {
			o->check = 1;
			continue;
		}
		if (strcmp(a, "--version") == 0) {
			printf("printmail %s\n", PM_VERSION);
			exit(EX_OK);
		}
		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(EX_OK);
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] == '-')
			return err_set(e, ERR_USAGE, "unknown option %s", a);
		for (p = a + 1; *p != '\0'; p++) {
			switch (*p) {
			case 't': o->extract = 1; continue;
			case 'i': o->ignore_dots = 1; continue;
			case 'v': o->verbose++; continue;
			case 'G': case 'U': case 'm': case 'n': case 's':
			case 'x':
				/* Accepted and ignored. */
				continue;
			case 'f': case 'r': case 'F': case 'C': case 'a':
			case 'O': case 'B': case 'N': case 'R': case 'V':
			case 'h': case 'L': case 'X': case 'p':
				if ((v = opt_arg(argc, argv, &i, p + 1, e)) ==
				    NULL)
					return -1;
				if (*p == 'f' || *p == 'r')
					o->sender = v;
				else if (*p == 'F')
					o->fullname = v;
				else if (*p == 'C')
					o->config = v;
				else if (*p == 'a')
					o->account = v;
				break;
			case 'o':
				/* -oi as -i; every other -oX is ignored. */
				if (p[1] == 'i' && p[2] == '\0')
					o->ignore_dots = 1;
				else if (p[1] == '\0' && i + 1 < argc)
					i++;
				break;
			case 'b':
				if (strcmp(p + 1, "m") == 0 || p[1] == '\0')
					break;
				if (strcmp(p + 1, "i") == 0) {
					o->nothing = 1;
					break;
				}
				return err_set(e, ERR_USAGE, "mode -b%s is not "
				    "supported: printmail only submits mail "
				    "(-bm)", p + 1);
			case 'A': case 'd': case 'e': case 'q':
				/* -Am, -d0.1, -oem style: the rest is theirs. */
				break;
			default:
				if ((unsigned char)*p > 0x20 && *p != 0x7f)
					fprintf(stderr, "printmail: ignoring "
					    "unknown option -%c\n", *p);
				else
					fprintf(stderr, "printmail: ignoring "
					    "an unknown option byte 0x%02x\n",
					    (unsigned char)*p);
				continue;
			}
			break;
		}
	}
	o->rcpt = argv + i;
	o->nrcpt = argc - i;
	return 0;
}

/* One key=value line per message, to syslog and with -v to stderr. */
static void
log_result(const struct conf_account *a, const struct smtp *s, size_t nrcpt,
    unsigned long long size, const struct err *e)
{
	char		reply[512] = "", line[1536];
	const char	*tls = s != NULL ? smtp_tls_info(s) : NULL;
	const char	*fix = advice_for_error(e);

	if (s != NULL && e->kind == ERR_NONE)
		reply_format(smtp_last_reply(s), reply, sizeof(reply));
	else if (e->kind != ERR_NONE)
		util_strlcpy(reply, e->msg, sizeof(reply));
	snprintf(line, sizeof(line), "account=%s server=%s:%d tls=\"%s\" "
	    "rcpts=%zu size=%llu result=%s reply=\"%s\"%s%s%s", a->name,
	    a->host, a->port, tls ? tls : "none", nrcpt, size,
	    e->kind == ERR_NONE ? "sent" : err_kind_name(e->kind), reply,
	    fix ? " fix=\"" : "", fix ? fix : "", fix ? "\"" : "");
	syslog(e->kind == ERR_NONE ? LOG_INFO : LOG_ERR, "%s", line);
	if (verbose)
		fprintf(stderr, "printmail: %s\n", line);
}

/* The token cache: $PRINTMAIL_CACHE_DIR, else /var/cache/printmail. */
static const char *
cache_dir(void)
{
	const char *d = getenv("PRINTMAIL_CACHE_DIR");

	return d != NULL && *d != '\0' ? d : SESSION_CACHE_DIR;
}

/* The provider limits' files: $PRINTMAIL_RUN_DIR, else /run/printmail. */
static const char *
run_dir(void)
{
	const char *d = getenv("PRINTMAIL_RUN_DIR");

	return d != NULL && *d != '\0' ? d : SESSION_RUN_DIR;
}

/* Misconfigurations go to the log (and with -v to stderr) first. */
static void
log_warnings(const struct conf_account *a)
{
	const char	*warn[8];
	size_t		 i, n = conf_warnings(a, warn, 8);

	for (i = 0; i < n; i++) {
		syslog(LOG_WARNING, "account=%s warning: %s", a->name, warn[i]);
		if (verbose)
			fprintf(stderr, "printmail: warning: %s\n", warn[i]);
	}
}

static int
run_send(const struct conf_account *a, const struct opts *o, struct err *e)
{
	struct spool	 sp;
	struct addr_list rcpts;
	struct smtp_msg	 m;
	struct smtp	*s = NULL;
	struct throttle_slot slot = { -1 };
	const char	*tmpdir = getenv("TMPDIR");
	char		 helo[256];

	memset(&rcpts, 0, sizeof(rcpts));
	memset(&m, 0, sizeof(m));
	spool_init(&sp);
	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	if (spool_read(&sp, STDIN_FILENO, !o->ignore_dots, tmpdir, e) == -1 ||
	    rewrite_recipients(&sp, o->rcpt, (size_t)o->nrcpt, o->extract,
	    &rcpts, e) == -1 ||
	    rewrite_from(&sp, a, o->sender, o->fullname, e) == -1 ||
	    rewrite_add_missing(&sp, a, e) == -1 ||
	    spool_msg(&sp, &m, e) == -1)
		goto out;
	log_warnings(a);
	if (throttle_acquire(run_dir(), a->name, a->max_connections,
	    a->max_per_minute, 1, a->timeout, &slot, e) == -1)
		goto out;
	session_helo(a, helo, sizeof(helo));
	if ((s = session_open(a, helo, cache_dir(), e)) == NULL)
		goto out;
	(void)smtp_send(s, a->from, (const char *const *)rcpts.v, rcpts.n,
	    &m, e);
out:
	log_result(a, s, rcpts.n, (unsigned long long)m.size, e);
	smtp_free(s);
	throttle_release(&slot);
	addr_list_clear(&rcpts);
	spool_clear(&sp);
	return e->kind == ERR_NONE ? 0 : -1;
}

static int
run_check(const struct conf_account *a, struct err *e)
{
	struct smtp	*s;
	struct throttle_slot slot = { -1 };
	char		 helo[256];
	const char	*warn[8];
	size_t		 i, nwarn;

	printf("printmail --check: account [%s] in %s\n", a->name, a->path);
	printf("  ok    config read, permissions safe; server %s port %d, "
	    "tls = %s, auth = %s, user %s\n", a->host, a->port,
	    conf_tls_name(a->tls), conf_auth_name(a->auth),
	    a->user ? a->user : "(none: no AUTH)");
	nwarn = conf_warnings(a, warn, 8);
	for (i = 0; i < nwarn; i++)
		printf("  warn  %s\n", warn[i]);
	if (throttle_acquire(run_dir(), a->name, a->max_connections, 0, 0,
	    a->timeout, &slot, e) == -1)
		return -1;
	session_helo(a, helo, sizeof(helo));
	if ((s = session_open(a, helo, cache_dir(), e)) == NULL) {
		throttle_release(&slot);
		return -1;
	}
	if (a->user == NULL)
		printf("  ok    no user configured: not authenticating\n");
	if (smtp_probe_mail(s, a->from, e) == -1) {
		smtp_free(s);
		throttle_release(&slot);
		return -1;
	}
	printf("  ok    sender <%s> accepted (MAIL FROM probe, nothing "
	    "sent)\n", a->from);
	(void)smtp_rset(s, e);
	smtp_free(s);
	throttle_release(&slot);
	if (e->kind != ERR_NONE)
		return -1;
	printf("Connection successful\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct conf_account	 acct;
	struct opts		 o;
	struct err		 e;
	const char		*path;
	int			 status;

	signal(SIGPIPE, SIG_IGN);
	/* Before the config (the password) is read. */
	(void)util_no_core_dumps();
	memset(&o, 0, sizeof(o));
	memset(&acct, 0, sizeof(acct));
	err_clear(&e);
	openlog("printmail", LOG_PID, LOG_MAIL);
	log_set_handler(log_to_stderr, NULL);
	if (parse_args(argc, argv, &o, &e) == -1) {
		fprintf(stderr, "printmail: %s\n", e.msg);
		usage(stderr);
		return outcome_sysexit(e.kind);
	}
	if (o.nothing)
		return EX_OK;
	verbose = o.verbose;
	path = o.config;
	if (path == NULL)
		path = getenv("PRINTMAIL_CONFIG");
	if (path == NULL || *path == '\0')
		path = PM_SYSCONFDIR "/printmail.conf";
	if (o.check)
		log_set_handler(log_to_stdout, NULL);
	if (conf_load(path, o.account, &acct, &e) == -1)
		syslog(LOG_ERR, "%s", e.msg);
	else if (o.check)
		(void)run_check(&acct, &e);
	else
		(void)run_send(&acct, &o, &e);
	if (e.kind != ERR_NONE) {
		const char *fix = advice_for_error(&e);

		if (o.check) {
			printf("  FAILED %s\n", e.msg);
			if (fix != NULL)
				printf("  fix    %s\n", fix);
		}
		fprintf(stderr, "printmail: %s\n", e.msg);
		if (fix != NULL)
			fprintf(stderr, "printmail: fix: %s\n", fix);
	}
	/*
	 * Sending, a failure of the account or the setup defers the message
	 * (75) unless the account says soft_bounce = no; a config that could
	 * not be read says nothing, so it defers too.  --check reports what
	 * it found.
	 */
	status = o.check ? outcome_sysexit(e.kind) :
	    outcome_sysexit_send(e.kind, acct.path != NULL ? acct.soft_bounce :
	    1);
	conf_account_clear(&acct);
	closelog();
	return status;
}
