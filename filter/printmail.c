/*
 * printmail: a sendmail-compatible program that submits a message read on
 * standard input through the account's SMTP submission server, and the
 * pipe transport behind Postfix for scan-to-email.
 *
 *   printmail [-C FILE] [-a ACCOUNT] [-f SENDER] [-F NAME] [-t] [-i] [-oi]
 *             [-v] [--] [RECIPIENT...]
 *   printmail --check [-C FILE] [-a ACCOUNT]
 *   printmail --authorize [--device] [-C FILE] [-a ACCOUNT]
 *   printmail --refresh [-C FILE] [-a ACCOUNT | --all]
 *
 * Exit codes are sysexits(3), from the one table in common/outcome.c.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
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
#include "authorize.h"
#include "setup.h"
#include "status.h"
#include "oauth.h"
#include "conf.h"
#include "err.h"
#include "header.h"
#include "i18n.h"
#include "log.h"
#include "outcome.h"
#include "session.h"
#include "smtp.h"
#include "rewrite.h"
#include "spool.h"
#include "flush.h"
#include "queue.h"
#include "throttle.h"
#include "util.h"

#ifndef PM_SYSCONFDIR
#define PM_SYSCONFDIR "/etc"
#endif
#ifndef PM_LIBEXECDIR
#define PM_LIBEXECDIR "/usr/lib/printmail"
#endif
#ifndef PM_PPD
#define PM_PPD "/usr/share/ppd/printmail/printmail.ppd"
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
	int		 authorize;	/* --authorize */
	int		 device;	/* --device */
	int		 refresh;	/* --refresh */
	int		 all;		/* --all */
	int		 status;	/* --status */
	int		 setup;		/* --setup */
	int		 non_interactive;
	int		 password_stdin;
	int		 no_check;
	const char	*s_address, *s_provider, *s_host, *s_port, *s_tls;
	const char	*s_ca, *s_from_name, *s_to, *s_queue;
	int		 nothing;	/* -bi: nothing to do */
	int		 mode;		/* -odi -odq -odb: 'i', 'q', 'b'; 0 */
	int		 flush;		/* --flush, -q */
	int		 list;		/* --queue, -bp, mailq */
	int		 json;		/* --json */
	const char	*manage;	/* hold, release, delete, retry */
	const char	*manage_id;
	char		**rcpt;
	int		 nrcpt;
};

static int	verbose;

static void
log_to_stderr(void *ctx, enum log_level level, const char *line,
    const char *shown)
{
	(void)ctx;
	if (level == LOG_LVL_ERROR || (verbose && level != LOG_LVL_ERROR))
		fprintf(stderr, "printmail: %s\n", shown);
	if (level == LOG_LVL_NOTICE)
		syslog(LOG_NOTICE, "%s", line);
}

static void
log_to_stdout(void *ctx, enum log_level level, const char *line,
    const char *shown)
{
	(void)ctx;
	if (level == LOG_LVL_ERROR)
		printf("  note  %s\n", shown);
	else if (level == LOG_LVL_INFO)
		printf("  ok    %s\n", shown);
	else if (level == LOG_LVL_NOTICE)
		printf("  wait  %s\n", shown);
	else if (level == LOG_LVL_TRACE && verbose)
		printf("        %s\n", line);
	fflush(stdout);
}

static void
usage(FILE *fp)
{
	fprintf(fp, _(
"usage: printmail [-C FILE] [-a ACCOUNT] [-f SENDER] [-F NAME] [-t] [-i]\n"
"                 [-v] [--] [RECIPIENT...]    (message on standard input)\n"
"       printmail --check [-C FILE] [-a ACCOUNT] [-v]\n"
"       printmail --authorize [--device] [-C FILE] [-a ACCOUNT]\n"
"       printmail --refresh [-C FILE] [-a ACCOUNT | --all]\n"
"       printmail --status [--json] [-C FILE]\n"
"       printmail --setup --non-interactive --address A --password-stdin\n"
"                 [--provider office365|gmail | --host H --port P\n"
"                 --tls starttls|implicit] [--tls-ca-file F] [--from-name N]\n"
"                 [--to R] [--queue NAME] [--no-check] [-C FILE] [-a ACCOUNT]\n"
"       printmail --version | --help\n"
"\n"
"  -C FILE     config file (default $PRINTMAIL_CONFIG, else %s)\n"
"  -a ACCOUNT  config section to use (default [default])\n"
"  -f SENDER   the original sender; kept as Reply-To when From is rewritten\n"
"  -F NAME     display name for the From header\n"
"  -t          take recipients from To, Cc and Bcc (Bcc is removed)\n"
"  -i, -oi     a line with a single dot does not end the message\n"
"  -v          show the SMTP dialogue (AUTH redacted) and the log line\n"
"  --check     connect, start TLS and log in, send nothing\n"
"  --authorize sign the mailbox in once (OAuth 2.0), keep its refresh token,\n"
"              then check; --device: with a code on another device\n"
"  --refresh   refresh kept OAuth sign-ins not used for three days\n"
"  --status    every account, its queue and sign-in; exit 0 well, 1 warning,\n"
"              2 failing (--json for scripts)\n"
"Other sendmail options are accepted and ignored.\n"), PM_SYSCONFDIR "/printmail.conf");
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
	int	 i, setup_given = 0;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--setup") == 0)
			setup_given = 1;

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
		if (strcmp(a, "--authorize") == 0) {
			o->authorize = 1;
			continue;
		}
		if (strcmp(a, "--device") == 0) {
			o->device = 1;
			continue;
		}
		if (strcmp(a, "--refresh") == 0) {
			o->refresh = 1;
			continue;
		}
		{
			static const char *const valued[] = { "--address",
			    "--provider", "--host", "--port", "--tls",
			    "--tls-ca-file", "--from-name", "--to", "--queue" };
			const char **dst[] = { &o->s_address, &o->s_provider,
			    &o->s_host, &o->s_port, &o->s_tls, &o->s_ca,
			    &o->s_from_name, &o->s_to, &o->s_queue };
			size_t k;

			for (k = 0; k < 9; k++)
				if (strcmp(a, valued[k]) == 0)
					break;
			/* Without --setup, --queue is the listing. */
			if (k == 8 && !setup_given)
				k = 9;
			if (k < 9) {
				if (i + 1 >= argc)
					return err_set(e, ERR_USAGE, "%s needs "
					    "a value", a);
				*dst[k] = argv[++i];
				continue;
			}
		}
		if (strcmp(a, "--setup") == 0 || strcmp(a,
		    "--non-interactive") == 0 || strcmp(a,
		    "--password-stdin") == 0 || strcmp(a, "--no-check") == 0) {
			if (strcmp(a, "--setup") == 0)
				o->setup = 1;
			else if (strcmp(a, "--non-interactive") == 0)
				o->non_interactive = 1;
			else if (strcmp(a, "--password-stdin") == 0)
				o->password_stdin = 1;
			else
				o->no_check = 1;
			continue;
		}
		if (strcmp(a, "--status") == 0) {
			o->status = 1;
			continue;
		}
		if (strcmp(a, "--all") == 0) {
			o->all = 1;
			continue;
		}
		if (strcmp(a, "--flush") == 0) {
			o->flush = 1;
			continue;
		}
		if (strcmp(a, "--queue") == 0) {
			o->list = 1;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
			continue;
		}
		if (strcmp(a, "--hold") == 0 || strcmp(a, "--release") == 0 ||
		    strcmp(a, "--delete") == 0 || strcmp(a, "--retry") == 0) {
			if (i + 1 >= argc)
				return err_set(e, ERR_USAGE, "%s needs a queue "
				    "id (or all)", a);
			o->manage = a + 2;
			o->manage_id = argv[++i];
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
				/* -oi as -i; -odX the delivery mode. */
				if (p[1] == 'i' && p[2] == '\0')
					o->ignore_dots = 1;
				else if (p[1] == 'd' && strchr("iqb", p[2]) &&
				    p[2] != '\0' && p[3] == '\0')
					o->mode = p[2];
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
				if (strcmp(p + 1, "p") == 0) {
					o->list = 1;
					break;
				}
				return err_set(e, ERR_USAGE, "mode -b%s is not "
				    "supported: printmail only submits mail "
				    "(-bm)", p + 1);
			case 'q':
				/* -q, -q30m: run the queue once. */
				o->flush = 1;
				break;
			case 'A': case 'd': case 'e':
				/* -Am, -d0.1, -oem style: the rest is theirs. */
				break;
			default:
				if ((unsigned char)*p > 0x20 && *p != 0x7f)
					fprintf(stderr, _("printmail: ignoring "
					    "unknown option -%c\n"), *p);
				else
					fprintf(stderr, _("printmail: ignoring "
					    "an unknown option byte 0x%02x\n"),
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
	char		reply[512] = "", line[ADVICE_MAX + 1024], fb[ADVICE_MAX];
	const char	*tls = s != NULL ? smtp_tls_info(s) : NULL;
	const char	*fix = advice_for_error(e, a->name, 0, fb, sizeof(fb));

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

/* Misconfigurations go to the log (and with -v to stderr) first. */
static void
log_warnings(const struct conf_account *a)
{
	const char	*warn[8];
	size_t		 i, n = conf_warnings(a, warn, 8);

	for (i = 0; i < n; i++) {
		syslog(LOG_WARNING, "account=%s warning: %s", a->name, warn[i]);
		if (verbose)
			fprintf(stderr, _("printmail: warning: %s\n"),
			    _(warn[i]));
	}
}

/* A domain for a Message-ID when the account is unknown: this host's. */
static void
host_domain(char *buf, size_t len)
{
	if (gethostname(buf, len) == -1 || buf[0] == '\0')
		util_strlcpy(buf, "localhost", len);
	buf[len - 1] = '\0';
}

/*
 * Commits the spooled message to the queue through the setgid helper
 * (printmail-enqueue), which is how a caller who cannot read the secrets
 * queues: it never sees them.  Exit 0 of the helper means durable.
 */
static int
submit(struct spool *sp, const struct addr_list *rcpts, const struct opts *o,
    const char *account, const char *qdir, struct err *e)
{
	const char	*helper = getenv("PRINTMAIL_ENQUEUE");
	char		 env_q[4200], env_c[96], id[64] = "";
	char		*envp[3] = { env_q, NULL, NULL };
	char		 head[2048], *buf = NULL;
	struct smtp_msg	 m;
	int		 in[2] = { -1, -1 }, out[2] = { -1, -1 }, status = 0;
	size_t		 i, got;
	ssize_t		 n;
	pid_t		 pid;

	if (helper == NULL || *helper == '\0')
		helper = PM_LIBEXECDIR "/printmail-enqueue";
	/* One value per envelope line: nothing that could start another. */
	if (!queue_value_ok(account, 128) ||
	    (o->sender != NULL && !queue_value_ok(o->sender, 512)) ||
	    (o->fullname != NULL && !queue_value_ok(o->fullname, 256)))
		return err_set(e, ERR_USAGE, "the account, -f or -F value is "
		    "too long or holds a control character; nothing was "
		    "queued");
	snprintf(env_q, sizeof(env_q), "PRINTMAIL_QUEUE_DIR=%s", qdir);
	/* For the tests' crash-point builds of the helper; others ignore it. */
	if (getenv("PRINTMAIL_TEST_CRASH") != NULL) {
		snprintf(env_c, sizeof(env_c), "PRINTMAIL_TEST_CRASH=%.60s",
		    getenv("PRINTMAIL_TEST_CRASH"));
		envp[1] = env_c;
	}
	if (spool_msg(sp, &m, e) == -1)
		return -1;
	if ((buf = malloc(65536)) == NULL || pipe2(in, O_CLOEXEC) == -1 ||
	    pipe2(out, O_CLOEXEC) == -1) {
		err_sys(e, ERR_INTERNAL, "cannot start the queue helper");
		goto fail;
	}
	if ((pid = fork()) == -1) {
		err_sys(e, ERR_INTERNAL, "fork");
		goto fail;
	}
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) == -1 ||
		    dup2(out[1], STDOUT_FILENO) == -1)
			_exit(EX_OSERR);
		execve(helper, (char *[]){ "printmail-enqueue", NULL }, envp);
		fprintf(stderr, "printmail: cannot run %s: %s\n", helper,
		    strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	n = snprintf(head, sizeof(head), "printmail-enqueue 1\naccount %s\n"
	    "sender %s\n", account, o->sender ? o->sender : "");
	if (o->fullname != NULL)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "fullname %.256s\n", o->fullname);
	if (util_write_all(in[1], head, (size_t)n) == -1)
		goto wrote;
	for (i = 0; i < rcpts->n; i++) {
		n = snprintf(head, sizeof(head), "rcpt %.600s\n", rcpts->v[i]);
		if (util_write_all(in[1], head, (size_t)n) == -1)
			goto wrote;
	}
	n = snprintf(head, sizeof(head), "size %llu\n\n",
	    (unsigned long long)m.size);
	if (util_write_all(in[1], head, (size_t)n) == -1)
		goto wrote;
	for (;;) {
		if (m.read(m.ctx, buf, 65536, &got, e) == -1)
			break;
		if (got == 0 || util_write_all(in[1], buf, got) == -1)
			break;
	}
wrote:
	close(in[1]);
	in[1] = -1;
	n = read(out[0], id, sizeof(id) - 1);
	id[n > 0 ? n : 0] = '\0';
	id[strcspn(id, "\n")] = '\0';
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (e->kind != ERR_NONE)
		goto fail;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;

		err_set(e, code == EX_DATAERR ? ERR_DATA : code == EX_CONFIG ||
		    code == 127 ? ERR_CONFIG : ERR_TEMP, "the message could "
		    "not be queued in %s (%s exit status %d); nothing was "
		    "queued", qdir, helper, code);
		goto fail;
	}
	syslog(LOG_INFO, "account=%s queued id=%s uid=%ld rcpts=%zu size=%llu",
	    account, id, (long)getuid(), rcpts->n,
	    (unsigned long long)m.size);
	if (verbose)
		fprintf(stderr, _("printmail: queued as %s\n"), id);
	close(out[0]);
	free(buf);
	return 0;
fail:
	for (i = 0; i < 2; i++) {
		if (in[i] != -1)
			close(in[i]);
		if (out[i] != -1)
			close(out[i]);
	}
	free(buf);
	return -1;
}

/* The runner's options from the config and the environment. */
static void
flush_opts_init(struct flush_opts *fo, const char *config,
    const struct conf_account *a, int force)
{
	const char *t = getenv("TMPDIR");

	memset(fo, 0, sizeof(*fo));
	fo->config = config;
	fo->queue_dir = session_queue_dir(a);
	fo->run_dir = session_run_dir();
	fo->cache_dir = session_cache_dir();
	fo->tmpdir = t != NULL && *t != '\0' ? t : "/tmp";
	fo->force = force;
}

/* -odb: the queue is run in the background, the caller goes on. */
static void
flush_in_background(const char *config, const struct conf_account *a)
{
	struct flush_opts	fo;
	struct err		e;
	pid_t			pid = fork();
	int			nul;

	if (pid != 0)
		return;
	(void)setsid();
	if ((nul = open("/dev/null", O_RDWR)) != -1) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		dup2(nul, STDERR_FILENO);
	}
	if (fork() != 0)
		_exit(0);
	err_clear(&e);
	flush_opts_init(&fo, config, a, 0);
	(void)flush_run(&fo, &e);
	_exit(0);
}

/*
 * Sends the message on standard input: directly, or into the queue
 * (delivery = queue, -odq, -odb, or a caller who cannot read the config:
 * a is NULL then), or directly with the queue as the fallback for a
 * temporary or account failure (delivery = fallback).
 */
static int
run_send(const struct conf_account *a, const char *config,
    const struct opts *o, struct err *e)
{
	struct spool	 sp;
	struct addr_list rcpts;
	struct smtp_msg	 m;
	struct smtp	*s = NULL;
	struct throttle_slot slot = { -1 };
	const char	*tmpdir = getenv("TMPDIR");
	const char	*account = a ? a->name : o->account ? o->account :
			    "default";
	char		 helo[256];
	int		 mode;

	if (o->mode != 0)
		mode = o->mode;
	else if (a == NULL || a->delivery == CONF_DELIVERY_QUEUE)
		mode = 'q';
	else
		mode = a->delivery == CONF_DELIVERY_FALLBACK ? 'f' : 'i';
	memset(&rcpts, 0, sizeof(rcpts));
	memset(&m, 0, sizeof(m));
	spool_init(&sp);
	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	if (spool_read(&sp, STDIN_FILENO, !o->ignore_dots, tmpdir, e) == -1 ||
	    rewrite_recipients(&sp, o->rcpt, (size_t)o->nrcpt, o->extract,
	    &rcpts, e) == -1 ||
	    (a != NULL && rewrite_local(&rcpts, a->admin_address, e) == -1))
		goto out;
	if (sp.body_nul > 0)
		log_msg(LOG_LVL_NOTICE, "the body held %llu NUL byte%s: sent "
		    "as blanks", (unsigned long long)sp.body_nul,
		    sp.body_nul == 1 ? "" : "s");
	if (a != NULL) {
		if (rewrite_from(&sp, a, o->sender, o->fullname, e) == -1 ||
		    rewrite_add_missing(&sp, a, e) == -1)
			goto out;
	} else {
		/* The runner rewrites From; Date and Message-ID are now's. */
		host_domain(helo, sizeof(helo));
		if (rewrite_add_ids(&sp, helo, time(NULL), e) == -1)
			goto out;
	}
	if (mode == 'q' || mode == 'b') {
		if (submit(&sp, &rcpts, o, account, session_queue_dir(a),
		    e) == 0 &&
		    mode == 'b' && a != NULL)
			flush_in_background(config, a);
		goto out;
	}
	if (spool_msg(&sp, &m, e) == -1)
		goto out;
	log_warnings(a);
	/* A held account: no login now (no lockout), the message waits. */
	if (flush_hold_check(session_queue_dir(a), config, a, e) == -1)
		goto sent;
	if (throttle_acquire(session_run_dir(), a->name, a->max_connections,
	    a->max_per_minute, 1, a->timeout, &slot, e) == -1)
		goto sent;
	session_helo(a, helo, sizeof(helo));
	s = session_open(a, helo, session_cache_dir(), e);
	flush_hold_note(session_queue_dir(a), config, a, e);
	if (s == NULL)
		goto sent;
	/* A line over 998 octets, 8-bit data without 8BITMIME: encode. */
	if (spool_needs_7bit(&sp, smtp_has_8bitmime(s)) &&
	    (spool_to_qp(&sp, e) == -1 || spool_msg(&sp, &m, e) == -1))
		goto sent;
	(void)smtp_send(s, a->from, (const char *const *)rcpts.v, rcpts.n,
	    &m, e);
	/* SendAsDenied and friends come after the login. */
	if (e->kind != ERR_NONE)
		flush_hold_note(session_queue_dir(a), config, a, e);
sent:
	log_result(a, s, rcpts.n, (unsigned long long)m.size, e);
	if (mode == 'f' && e->kind != ERR_NONE &&
	    outcome_sysexit_send(e->kind, 1) == EX_TEMPFAIL) {
		struct err qe;

		/* Not now: into the queue, and the caller is done. */
		err_clear(&qe);
		if (submit(&sp, &rcpts, o, account, session_queue_dir(a),
		    &qe) == 0) {
			syslog(LOG_NOTICE, "account=%s queued for later: %s",
			    account, e->msg);
			err_clear(e);
		}
	}
out:
	smtp_free(s);
	throttle_release(&slot);
	addr_list_clear(&rcpts);
	spool_clear(&sp);
	return e->kind == ERR_NONE ? 0 : -1;
}

/* Days, for humans. */
static long
days_since(long long t)
{
	return t > 0 ? (long)(((long long)time(NULL) - t) / 86400) : -1;
}

/* --check: the OAuth sign-in's state, never a token. */
static void
check_signin(const struct conf_account *a)
{
	struct oauth_store_info	i;
	struct err		e;

	if (a->oauth2_flow == CONF_FLOW_NONE)
		return;
	printf(_("  ok    OAuth 2.0: oauth2_flow = %s\n"),
	    conf_flow_name(a->oauth2_flow));
	if (a->oauth2_flow != CONF_FLOW_AUTHORIZATION_CODE &&
	    a->oauth2_flow != CONF_FLOW_DEVICE_CODE)
		return;
	err_clear(&e);
	if (oauth_store_info(a, &i, &e) == -1)
		printf(_("  warn  token store: %s\n"), err_text(&e));
	else if (!i.exists)
		printf(_("  warn  not signed in yet: run printmail --authorize "
		    "-a %s\n"), a->name);
	else if (i.needs_reauth)
		printf(_("  warn  the sign-in needs renewing (%s): run "
		    "printmail --authorize -a %s\n"), i.reason, a->name);
	else {
		long last = days_since(i.last_refresh_at);

		printf(_("  ok    signed in %ld days ago, refreshed %ld days "
		    "ago (%s)\n"), days_since(i.signed_in_at), last,
		    a->oauth2_token_file);
		if (last > 60)
			printf(_("  warn  not refreshed for %ld days: a "
			    "sign-in unused for 90 days expires (Microsoft); "
			    "run printmail --refresh from a timer\n"), last);
	}
}

static int
run_check(const struct conf_account *a, const char *config, struct err *e)
{
	struct smtp	*s;
	struct throttle_slot slot = { -1 };
	char		 helo[256], held[512];
	const char	*warn[8];
	size_t		 i, nwarn;

	printf(_("printmail --check: account [%s] in %s\n"), a->name,
	    a->path);
	printf(_("  ok    config read, permissions safe; server %s port %d, "
	    "tls = %s, auth = %s, user %s\n"), a->host, a->port,
	    conf_tls_name(a->tls), conf_auth_name(a->auth),
	    a->user ? a->user : _("(none: no AUTH)"));
	nwarn = conf_warnings(a, warn, 8);
	for (i = 0; i < nwarn; i++)
		printf(_("  warn  %s\n"), _(warn[i]));
	check_signin(a);
	if (flush_hold_text(session_queue_dir(a), a->name, held,
	    sizeof(held)) != NULL)
		printf(_("  hold  account %s; mail for it waits (this check "
		    "tries anyway, and lifts the hold when it succeeds)\n"),
		    held);
	if (throttle_acquire(session_run_dir(), a->name, a->max_connections,
	    0, 0, a->timeout, &slot, e) == -1)
		return -1;
	session_helo(a, helo, sizeof(helo));
	if ((s = session_open(a, helo, session_cache_dir(), e)) == NULL) {
		throttle_release(&slot);
		return -1;
	}
	if (a->user == NULL)
		printf(_("  ok    no user configured: not authenticating\n"));
	if (smtp_probe_mail(s, a->from, e) == -1) {
		smtp_free(s);
		throttle_release(&slot);
		return -1;
	}
	printf(_("  ok    sender <%s> accepted (MAIL FROM probe, nothing "
	    "sent)\n"), a->from);
	(void)smtp_rset(s, e);
	smtp_free(s);
	throttle_release(&slot);
	if (e->kind != ERR_NONE)
		return -1;
	flush_hold_note(session_queue_dir(a), config, a, e);
	printf(_("Connection successful\n"));
	return 0;
}

/* --setup's check: the --check steps on the account as written. */
static int
setup_check(const char *config, const char *account, struct err *e)
{
	struct conf_account	a;
	int			rc;

	if (conf_load(config, account, &a, e) == -1)
		return -1;
	log_set_handler(log_to_stdout, NULL);
	rc = run_check(&a, config, e);
	log_set_handler(log_to_stderr, NULL);
	conf_account_clear(&a);
	return rc;
}

/*
 * --setup's OAuth 2.0 step: the device-code sign-in for the account as
 * written, then the --check steps.
 */
static int
setup_sign_in(const char *config, const char *account, struct err *e)
{
	struct conf_account	a;
	int			rc = -1;

	if (conf_load(config, account, &a, e) == -1)
		return -1;
	log_set_handler(log_to_stdout, NULL);
	if (authorize_run(&a, 1, 600, e) == 0)
		rc = run_check(&a, config, e);
	log_set_handler(log_to_stderr, NULL);
	conf_account_clear(&a);
	return rc;
}

/* --setup --non-interactive: the password from standard input. */
static int
run_setup(const char *path, const struct opts *o)
{
	struct setup_opts	so;
	struct err		e;
	char			line[1024];
	size_t			n;

	err_clear(&e);
	if (o->non_interactive && !o->password_stdin) {
		fprintf(stderr, _("printmail: --setup --non-interactive reads "
		    "the password from standard input: add --password-stdin\n"));
		return EX_USAGE;
	}
	memset(&so, 0, sizeof(so));
	so.config = path;
	so.account = o->account ? o->account : "default";
	so.address = o->s_address;
	so.provider = o->s_provider;
	so.host = o->s_host;
	so.port = o->s_port;
	so.tls = o->s_tls;
	so.tls_ca_file = o->s_ca;
	so.from_name = o->s_from_name;
	so.to = o->s_to;
	so.queue = o->s_queue;
	/* $PRINTMAIL_PPD: a PPD elsewhere (tests, a non-standard install). */
	so.ppd = getenv("PRINTMAIL_PPD") != NULL &&
	    *getenv("PRINTMAIL_PPD") != '\0' ? getenv("PRINTMAIL_PPD") :
	    PM_PPD;
	so.no_check = o->no_check;
	if (!o->non_interactive) {
		if (setup_interactive(&so, setup_check, setup_sign_in,
		    advice_for_error, &e) == -1 && e.kind != ERR_NONE)
			fprintf(stderr, "printmail: %s\n", err_text(&e));
		return outcome_sysexit(e.kind);
	}
	line[0] = '\0';
	if (fgets(line, sizeof(line), stdin) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
	}
	so.password = line;
	(void)setup_run(&so, setup_check, &e);
	util_wipe(line, sizeof(line));
	if (e.kind != ERR_NONE) {
		char fb[ADVICE_MAX];
		const char *fix = advice_for_error(&e, NULL, 1, fb, sizeof(fb));

		fprintf(stderr, "printmail: %s\n", err_text(&e));
		if (fix != NULL)
			fprintf(stderr, _("printmail: fix: %s\n"), fix);
		fprintf(stderr, _("printmail: %s is unchanged\n"), path);
	}
	return outcome_sysexit(e.kind);
}

/* --refresh: one account, or --all of those that sign in. */
static int
run_refresh(const char *path, const struct opts *o)
{
	struct conf_account	 a;
	struct err		 e;
	char			 *one[1], **names = one;
	size_t			 i, n = 1;
	int			 status = EX_OK, rc;

	err_clear(&e);
	one[0] = (char *)(o->account ? o->account : "default");
	if (o->all && conf_accounts(path, &names, &n, &e) == -1) {
		fprintf(stderr, "printmail: %s\n", err_text(&e));
		return outcome_sysexit(e.kind);
	}
	for (i = 0; i < n; i++) {
		err_clear(&e);
		if (conf_load(path, names[i], &a, &e) == 0) {
			if (a.oauth2_flow != CONF_FLOW_AUTHORIZATION_CODE &&
			    a.oauth2_flow != CONF_FLOW_DEVICE_CODE) {
				if (!o->all)
					err_set(&e, ERR_CONFIG, "account [%s] "
					    "keeps no OAuth sign-in (oauth2_flow "
					    "= %s): nothing to refresh",
					    a.name, conf_flow_name(
					    a.oauth2_flow));
			} else if ((rc = oauth_store_refresh(&a,
			    AUTHORIZE_REFRESH_AGE, &e)) >= 0)
				printf(rc ? _("account [%s]: refreshed\n") :
				    _("account [%s]: refreshed recently, not "
				    "due\n"), a.name);
		}
		if (e.kind != ERR_NONE) {
			fprintf(stderr, "printmail: account [%s]: %s\n",
			    names[i], err_text(&e));
			if (status == EX_OK)
				status = outcome_sysexit(e.kind);
		}
		conf_account_clear(&a);
	}
	if (names != one) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	return status;
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
	i18n_init();
	/* Before the config (the password) is read. */
	(void)util_no_core_dumps();
	memset(&o, 0, sizeof(o));
	memset(&acct, 0, sizeof(acct));
	err_clear(&e);
	openlog("printmail", LOG_PID, LOG_MAIL);
	log_set_handler(log_to_stderr, NULL);
	{
		const char *base = strrchr(argv[0], '/');

		/* Linked as mailq: the queue listing. */
		if (strcmp(base ? base + 1 : argv[0], "mailq") == 0)
			o.list = 1;
	}
	if (parse_args(argc, argv, &o, &e) == -1) {
		fprintf(stderr, "printmail: %s\n", err_text(&e));
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
#ifdef PM_CRASH_POINTS
	queue_crash_at(getenv("PRINTMAIL_TEST_CRASH"));
#endif
	if (o.list || o.manage != NULL || o.flush) {
		struct flush_opts fo;
		int loaded = conf_load(path, o.account, &acct, &e) == 0;

		/* The queue's own commands need no account to work. */
		err_clear(&e);
		/*
		 * The admin at a terminal tries held accounts and skips
		 * back-offs; the systemd units, cron and -odb do not (they
		 * run every minute: a held mailbox must not be tried then).
		 */
		flush_opts_init(&fo, path, loaded ? &acct : NULL, o.flush &&
		    isatty(STDIN_FILENO));
		if (o.list)
			(void)flush_list(&fo, o.json, &e);
		else if (o.manage != NULL)
			(void)flush_manage(&fo, o.manage, o.manage_id, &e);
		else
			(void)flush_run(&fo, &e);
		if (e.kind != ERR_NONE)
			fprintf(stderr, "printmail: %s\n", err_text(&e));
		conf_account_clear(&acct);
		closelog();
		return outcome_sysexit(e.kind);
	}
	if (o.setup) {
		status = run_setup(path, &o);
		closelog();
		return status;
	}
	if (o.status) {
		status = status_run(path, o.json, session_queue_dir, &e);
		if (e.kind != ERR_NONE && !o.json)
			fprintf(stderr, "printmail: %s\n", err_text(&e));
		closelog();
		return status;
	}
	if (o.refresh) {
		status = run_refresh(path, &o);
		closelog();
		return status;
	}
	if (o.authorize) {
		if (conf_load(path, o.account, &acct, &e) == 0 &&
		    authorize_run(&acct, o.device, 600, &e) == 0) {
			log_set_handler(log_to_stdout, NULL);
			(void)run_check(&acct, path, &e);
		}
		if (e.kind != ERR_NONE) {
			char fb[ADVICE_MAX];
			const char *fix = advice_for_error(&e, acct.name ?
			    acct.name : o.account, 1, fb, sizeof(fb));

			fprintf(stderr, "printmail: %s\n", err_text(&e));
			if (fix != NULL)
				fprintf(stderr, _("printmail: fix: %s\n"), fix);
		}
		conf_account_clear(&acct);
		closelog();
		return outcome_sysexit(e.kind);
	}
	if (conf_load(path, o.account, &acct, &e) == -1) {
		syslog(LOG_ERR, "%s", e.msg);
		/*
		 * A caller who may not read the config (PHP as www-data, a
		 * user's cron job) hands the message to the queue, whose
		 * runner may: it never sees the secrets.
		 */
		if (!o.check && e.kind == ERR_CONFIG &&
		    e.sys_errno == EACCES && o.mode != 'i') {
			err_clear(&e);
			(void)run_send(NULL, path, &o, &e);
		}
	} else if (o.check)
		(void)run_check(&acct, path, &e);
	else
		(void)run_send(&acct, path, &o, &e);
	if (e.kind != ERR_NONE) {
		char fb[ADVICE_MAX];
		const char *fix = advice_for_error(&e, acct.name ? acct.name :
		    o.account, 1, fb, sizeof(fb));

		/* --check reports on standard output, once. */
		if (o.check) {
			printf(_("  FAILED %s\n"), err_text(&e));
			if (fix != NULL)
				printf(_("  fix    %s\n"), fix);
		} else {
			fprintf(stderr, "printmail: %s\n", err_text(&e));
			if (fix != NULL)
				fprintf(stderr, _("printmail: fix: %s\n"), fix);
		}
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
