/*
 * status.c: printmail --status: every account on one screen for the
 * admin, one exit code for monitoring (0 all well, 1 warning, 2 failing),
 * --json for scripts.  Never a secret: tokens and passwords stay in the
 * config and the token store.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "flush.h"
#include "i18n.h"
#include "oauth.h"
#include "status.h"
#include "util.h"

#define MAX_CUPS	64

struct cups_queue {
	char	name[128];
	char	account[128];
	int	enabled;
};

/*
 * The CUPS queues that print to e-mail, from lpstat (no lpstat, no CUPS:
 * none).  Run without a shell, its output read with a bound.
 */
static size_t
cups_queues(struct cups_queue *q, size_t max)
{
	static const char *const lpstat[] = { "/usr/bin/lpstat",
	    "/usr/local/bin/lpstat" };
	const char	*prog = NULL;
	char		 line[1024];
	size_t		 n = 0, i;
	int		 pass;

	for (i = 0; i < 2; i++)
		if (access(lpstat[i], X_OK) == 0)
			prog = lpstat[i];
	if (prog == NULL)
		return 0;
	/* First the devices ("-v"), then which are enabled ("-p"). */
	for (pass = 0; pass < 2; pass++) {
		int	 fd[2];
		pid_t	 pid;
		FILE	*fp;

		if (pipe2(fd, O_CLOEXEC) == -1)
			return n;
		if ((pid = fork()) == -1) {
			close(fd[0]);
			close(fd[1]);
			return n;
		}
		if (pid == 0) {
			int nul = open("/dev/null", O_RDWR);

			if (nul == -1 || dup2(nul, STDIN_FILENO) == -1 ||
			    dup2(fd[1], STDOUT_FILENO) == -1 ||
			    dup2(nul, STDERR_FILENO) == -1)
				_exit(127);
			execl(prog, "lpstat", pass == 0 ? "-v" : "-p",
			    (char *)NULL);
			_exit(127);
		}
		close(fd[1]);
		if ((fp = fdopen(fd[0], "r")) == NULL) {
			close(fd[0]);
			waitpid(pid, NULL, 0);
			return n;
		}
		while (fgets(line, sizeof(line), fp) != NULL) {
			char name[128], rest[900];

			if (pass == 0 && n < max && sscanf(line,
			    "device for %127[^:]: %899s", name, rest) == 2 &&
			    strncmp(rest, "email:", 6) == 0) {
				const char *acct = rest + 6;
				size_t k;

				while (*acct == '/')
					acct++;
				k = strcspn(acct, "/?");
				memset(&q[n], 0, sizeof(q[n]));
				util_strlcpy(q[n].name, name,
				    sizeof(q[n].name));
				snprintf(q[n].account, sizeof(q[n].account),
				    "%.*s", (int)k, k ? acct : "default");
				if (k == 0)
					util_strlcpy(q[n].account, "default",
					    sizeof(q[n].account));
				n++;
			} else if (pass == 1 && sscanf(line, "printer %127s",
			    name) == 1) {
				for (i = 0; i < n; i++)
					if (strcmp(q[i].name, name) == 0)
						q[i].enabled = strstr(line,
						    "disabled") == NULL;
			}
		}
		fclose(fp);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	return n;
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
when(long long t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (t <= 0) {
		util_strlcpy(buf, _("never"), len);
		return;
	}
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* One account: printed, and its level (0, 1, 2) returned. */
static int
account(const char *config, const char *name, const char *(*qdir)(
    const struct conf_account *), const struct cups_queue *cq, size_t ncq,
    int json, int first)
{
	struct conf_account	 a;
	struct err		 e;
	struct flush_status	 fs;
	struct oauth_store_info	 oi;
	char			 t1[32], t2[32], why[900] = "";
	int			 level = 0, have_q, have_o = 0;
	size_t			 i;
	const char		*auth;

	err_clear(&e);
	if (conf_load(config, name, &a, &e) == -1) {
		if (json) {
			printf("%s{\"account\":", first ? "" : ",");
			json_str(name);
			printf(",\"level\":2,\"error\":");
			json_str(e.msg);
			printf("}");
		} else
			printf(_("[%s] FAILING: %s\n"), name, err_text(&e));
		return 2;
	}
	auth = a.oauth2_flow != CONF_FLOW_NONE ? "xoauth2" : a.user == NULL ?
	    "none" : "password";
	have_q = flush_account_status(qdir(&a), a.name, !json, &fs) == 0;
	if (have_q) {
		if (fs.held || fs.failed > 0)
			level = 2;
		else if (fs.paused || fs.deferred > 0 || fs.held_msgs > 0)
			level = 1;
		/* The last attempt failed: mail may be waiting. */
		if (level < 1 && fs.last_fail > fs.last_ok)
			level = 1;
		if (fs.held)
			snprintf(why, sizeof(why), "held: %s", fs.reply);
		else if (fs.paused)
			snprintf(why, sizeof(why), "paused: %s", fs.reply);
	}
	if (a.oauth2_flow == CONF_FLOW_AUTHORIZATION_CODE ||
	    a.oauth2_flow == CONF_FLOW_DEVICE_CODE) {
		err_clear(&e);
		have_o = oauth_store_info(&a, &oi, &e) == 0;
		if (!have_o || !oi.exists || oi.needs_reauth) {
			level = 2;
			/* English for scripts, translated on the screen. */
			snprintf(why, sizeof(why), "%.800s", !have_o ?
			    (json ? e.msg : err_text(&e)) : !oi.exists ?
			    (json ? N_("not signed in: run printmail "
			    "--authorize") : _("not signed in: run printmail "
			    "--authorize")) : json ? N_("the sign-in needs "
			    "renewing: run printmail --authorize") :
			    _("the sign-in needs renewing: run printmail "
			    "--authorize"));
		} else if ((long long)time(NULL) - oi.last_refresh_at >
		    60 * 86400L && level < 1)
			level = 1;
	}
	for (i = 0; i < ncq; i++)
		if (strcmp(cq[i].account, a.name) == 0 && !cq[i].enabled &&
		    level < 1)
			level = 1;
	if (json) {
		printf("%s{\"account\":", first ? "" : ",");
		json_str(a.name);
		printf(",\"level\":%d,\"server\":", level);
		json_str(a.host);
		printf(",\"port\":%d,\"tls\":\"%s\",\"auth\":\"%s\","
		    "\"oauth2_flow\":\"%s\",\"user\":", a.port,
		    conf_tls_name(a.tls), auth, conf_flow_name(a.oauth2_flow));
		json_str(a.user);
		if (have_q) {
			printf(",\"condition\":\"%s\",\"since\":%lld,"
			    "\"reply\":", fs.held ? "held" : fs.paused ?
			    "paused" : "ok", fs.since);
			json_str(fs.reply);
			printf(",\"fix\":");
			if (fs.fix != NULL)
				json_str(fs.fix);
			else
				printf("null");
			printf(",\"last_success\":%lld,\"last_failure\":%lld,"
			    "\"last_failure_reply\":", fs.last_ok, fs.last_fail);
			json_str(fs.last_reply);
			printf(",\"queue\":{\"queued\":%zu,\"deferred\":%zu,"
			    "\"held\":%zu,\"failed\":%zu}", fs.queued,
			    fs.deferred, fs.held_msgs, fs.failed);
		}
		if (have_o)
			printf(",\"oauth2\":{\"signed_in\":%s,"
			    "\"needs_authorize\":%s,\"signed_in_at\":%lld,"
			    "\"last_refresh_at\":%lld,\"access_expires_at\":"
			    "%lld}", oi.exists ? "true" : "false",
			    oi.needs_reauth ? "true" : "false",
			    oi.signed_in_at, oi.last_refresh_at,
			    oi.access_expires_at);
		printf(",\"cups_queues\":[");
		for (i = 0, first = 1; i < ncq; i++)
			if (strcmp(cq[i].account, a.name) == 0) {
				printf("%s{\"name\":", first ? "" : ",");
				json_str(cq[i].name);
				printf(",\"enabled\":%s}", cq[i].enabled ?
				    "true" : "false");
				first = 0;
			}
		printf("],\"why\":");
		json_str(why);
		printf("}");
	} else {
		printf(_("[%s] %s  %s:%d %s, auth %s%s%s, user %s\n"), a.name,
		    level == 0 ? _("ok") : level == 1 ? _("WARNING") :
		    _("FAILING"),
		    a.host, a.port, conf_tls_name(a.tls), auth,
		    a.oauth2_flow != CONF_FLOW_NONE ? " " : "",
		    a.oauth2_flow != CONF_FLOW_NONE ?
		    conf_flow_name(a.oauth2_flow) : "", a.user ? a.user :
		    _("(none)"));
		if (have_q) {
			when(fs.since, t1, sizeof(t1));
			if (fs.held || fs.paused) {
				printf(fs.held ? _("  account HELD since %s: "
				    "%s\n") : _("  account paused since %s: "
				    "%s\n"), t1, fs.reply);
				if (fs.fix != NULL)
					printf(_("  fix     %s\n"), fs.fix);
			}
			when(fs.last_ok, t1, sizeof(t1));
			printf(_("  last    sent %s"), t1);
			if (fs.last_fail > 0) {
				when(fs.last_fail, t2, sizeof(t2));
				printf(_("; failed %s: %s"), t2, fs.last_reply);
			}
			printf("\n");
			if (fs.last_fail > fs.last_ok && fs.last_fix != NULL &&
			    !fs.held && !fs.paused)
				printf(_("  fix     %s\n"), fs.last_fix);
			printf(_("  queue   %zu queued, %zu deferred, %zu held, "
			    "%zu failed\n"), fs.queued, fs.deferred,
			    fs.held_msgs, fs.failed);
		} else
			printf(_("  queue   (cannot read it: run as root or "
			    "the printmail user)\n"));
		if (have_o && oi.exists) {
			when(oi.signed_in_at, t1, sizeof(t1));
			when(oi.last_refresh_at, t2, sizeof(t2));
			printf(_("  oauth2  signed in %s, refreshed %s%s\n"),
			    t1, t2, oi.needs_reauth ? _("; NEEDS printmail "
			    "--authorize") : "");
		} else if (why[0] != '\0' && !fs.held && !fs.paused)
			printf("  oauth2  %s\n", why);
		for (i = 0; i < ncq; i++)
			if (strcmp(cq[i].account, a.name) == 0)
				printf(_("  cups    %s (%s)\n"), cq[i].name,
				    cq[i].enabled ? _("enabled") : _("DISABLED: "
				    "cupsenable it after the fix"));
	}
	conf_account_clear(&a);
	return level;
}

int
status_run(const char *config, int json,
    const char *(*qdir)(const struct conf_account *), struct err *e)
{
	struct cups_queue	 cq[MAX_CUPS];
	char			**names;
	size_t			 n, i, ncq;
	int			 level = 0, l;

	if (conf_accounts(config, &names, &n, e) == 0 && n == 0) {
		/* Keys without a section: the default account. */
		free(names);
		if ((names = malloc(sizeof(*names))) == NULL ||
		    (names[0] = strdup("default")) == NULL) {
			free(names);
			err_sys(e, ERR_INTERNAL, "malloc");
			return 2;
		}
		n = 1;
	}
	if (e->kind != ERR_NONE) {
		if (json) {
			printf("{\"config\":");
			json_str(config);
			printf(",\"level\":2,\"error\":");
			json_str(e->msg);
			printf("}\n");
		}
		return 2;
	}
	ncq = cups_queues(cq, MAX_CUPS);
	if (json) {
		printf("{\"config\":");
		json_str(config);
		printf(",\"accounts\":[");
	} else
		printf(_("printmail --status: %s\n"), config);
	for (i = 0; i < n; i++) {
		l = account(config, names[i], qdir, cq, ncq, json, i == 0);
		if (l > level)
			level = l;
		free(names[i]);
	}
	free(names);
	if (json)
		printf("],\"level\":%d}\n", level);
	else
		printf("%s\n", level == 0 ? _("All well.") : level == 1 ?
		    _("Warnings: see above.") : _("Failing: see above."));
	return level;
}
