/*
 * setup.c: printmail --setup: writes or updates one account's section of
 * the config, keeping every other line (comments and other sections), and
 * replaces the file only once the new account passed the --check steps.
 * Interactive on a terminal (the questions, each with a default), or from
 * options (--non-interactive).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/nameser.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "advice.h"
#include "i18n.h"
#include "setup.h"
#include "util.h"

#define CONF_MAX	(1024 * 1024)

struct lines;
static char	*get_key(const struct lines *, const char *, const char *);

struct lines {
	char	**v;
	size_t	  n, cap;
};

static int
lines_add(struct lines *l, const char *s, size_t len)
{
	char	**nv;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;

		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
		l->cap = ncap;
	}
	if ((l->v[l->n] = strndup(s, len)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static int
lines_insert(struct lines *l, size_t at, const char *s)
{
	char	*dup;

	if (lines_add(l, s, strlen(s)) == -1)
		return -1;
	dup = l->v[l->n - 1];
	memmove(&l->v[at + 1], &l->v[at], (l->n - 1 - at) * sizeof(*l->v));
	l->v[at] = dup;
	return 0;
}

static void
lines_clear(struct lines *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		util_free_secret(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* "[name]" on this line (blanks around allowed): the section's name. */
static int
section_of(const char *line, char *name, size_t len)
{
	const char	*p = line, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[' || (end = strchr(p, ']')) == NULL ||
	    (size_t)(end - p - 1) >= len)
		return 0;
	snprintf(name, len, "%.*s", (int)(end - p - 1), p + 1);
	return 1;
}

/* The key of a "key = value" line, or 0. */
static int
key_of(const char *line, char *key, size_t len)
{
	const char	*p = line;
	size_t		 n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#' || *p == ';' || *p == '\0')
		return 0;
	while (p[n] != '\0' && p[n] != '=' && p[n] != ' ' && p[n] != '\t')
		n++;
	if (n == 0 || n >= len)
		return 0;
	snprintf(key, len, "%.*s", (int)n, p);
	return 1;
}

/* A value as the config reads it: quoted when it needs to be. */
static char *
conf_value(const char *v)
{
	size_t	 n = strlen(v), i, o = 0;
	char	*out;
	int	 quote = n == 0 || strpbrk(v, "#;\"\\") != NULL || v[0] == ' ' ||
		    v[n - 1] == ' ';

	if ((out = malloc(2 * n + 3)) == NULL)
		return NULL;
	if (quote)
		out[o++] = '"';
	for (i = 0; i < n; i++) {
		if (quote && (v[i] == '"' || v[i] == '\\'))
			out[o++] = '\\';
		out[o++] = v[i];
	}
	if (quote)
		out[o++] = '"';
	out[o] = '\0';
	return out;
}

/*
 * Sets key = value in section account of l: the existing line replaced,
 * else a new one at the end of the section (the section made when there
 * is none).  A NULL value removes the key.
 */
static int
set_key(struct lines *l, const char *account, const char *key,
    const char *value)
{
	char	 name[256], k[128], *line = NULL, *v = NULL;
	size_t	 i, start = l->n, end = l->n, last = l->n;
	int	 in = 0;

	for (i = 0; i < l->n; i++) {
		if (section_of(l->v[i], name, sizeof(name))) {
			if (in) {
				end = i;
				break;
			}
			if (strcmp(name, account) == 0) {
				in = 1;
				start = i;
				last = i;
			}
			continue;
		}
		if (!in)
			continue;
		if (key_of(l->v[i], k, sizeof(k))) {
			last = i;
			if (strcmp(k, key) == 0) {
				if (value == NULL) {
					util_free_secret(l->v[i]);
					memmove(&l->v[i], &l->v[i + 1],
					    (l->n - i - 1) * sizeof(*l->v));
					l->n--;
					return 0;
				}
				if ((v = conf_value(value)) == NULL ||
				    asprintf(&line, "%s = %s", key, v) == -1) {
					util_free_secret(v);
					return -1;
				}
				util_free_secret(v);
				util_free_secret(l->v[i]);
				l->v[i] = line;
				return 0;
			}
		}
	}
	if (value == NULL)
		return 0;
	if (start == l->n) {
		char hdr[300];

		if (l->n > 0 && l->v[l->n - 1][0] != '\0' &&
		    lines_add(l, "", 0) == -1)
			return -1;
		snprintf(hdr, sizeof(hdr), "[%s]", account);
		if (lines_add(l, hdr, strlen(hdr)) == -1)
			return -1;
		last = l->n - 1;
	}
	(void)end;
	if ((v = conf_value(value)) == NULL ||
	    asprintf(&line, "%s = %s", key, v) == -1) {
		util_free_secret(v);
		return -1;
	}
	util_free_secret(v);
	if (lines_insert(l, last + 1, line) == -1) {
		util_free_secret(line);
		return -1;
	}
	util_free_secret(line);
	return 0;
}

/* set_key() for an option that was given; nothing for one that was not. */
static int
set_given(struct lines *l, const char *account, const char *key,
    const char *value)
{
	return value == NULL ? 0 : set_key(l, account, key, value);
}

static int
read_lines(const char *path, struct lines *l, struct stat *st, int *exists,
    struct err *e)
{
	char	*buf, *p, *nl;
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd;

	*exists = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, ERR_CONFIG, "cannot read %s", path);
	}
	*exists = 1;
	if (fstat(fd, st) == -1 || (buf = malloc(CONF_MAX + 1)) == NULL) {
		close(fd);
		return err_sys(e, ERR_INTERNAL, "reading %s", path);
	}
	while (len < CONF_MAX && (n = read(fd, buf + len, CONF_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	for (p = buf; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (lines_add(l, p, (size_t)(nl - p)) == -1) {
			util_wipe(buf, len);
			free(buf);
			return err_sys(e, ERR_INTERNAL, "malloc");
		}
		if (*nl == '\0')
			break;
	}
	util_wipe(buf, len);
	free(buf);
	return 0;
}

/*
 * Ctrl-C (or a hangup) while the new file waits for its check: the file
 * goes, the terminal echoes again, the config is as it was.
 */
static char		pending_tmp[4200];
static int		tty_fd = -1;
static struct termios	tty_saved;
static volatile sig_atomic_t tty_quiet;

static char		int_msg[256];	/* translated before any signal */

static void
on_interrupt(int sig)
{
	if (pending_tmp[0] != '\0')
		(void)unlink(pending_tmp);
	if (tty_quiet)
		(void)tcsetattr(tty_fd, TCSANOW, &tty_saved);
	(void)!write(STDERR_FILENO, int_msg, strlen(int_msg));
	_exit(128 + sig);
}

static void
catch_interrupts(void)
{
	struct sigaction sa;

	snprintf(int_msg, sizeof(int_msg), "\nprintmail: %s\n",
	    _("interrupted; the config is unchanged"));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

/* The new file next to the config, with the config's owner and mode. */
static int
write_temp(const char *path, const struct lines *l, const struct stat *st,
    int exists, char *tmp, size_t tmplen, struct err *e)
{
	struct group	*gr;
	size_t		 i;
	int		 fd, ok = 1;

	snprintf(tmp, tmplen, "%s.setup.XXXXXX", path);
	catch_interrupts();
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return err_sys(e, ERR_CONFIG, "cannot create a file next to %s",
		    path);
	util_strlcpy(pending_tmp, tmp, sizeof(pending_tmp));
	/* As it was; a new one 640 root:printmail, as the package makes it. */
	if (exists) {
		if (fchown(fd, st->st_uid, st->st_gid) == -1 ||
		    fchmod(fd, st->st_mode & 0640) == -1)
			ok = 0;
	} else if (geteuid() == 0 && (gr = getgrnam("printmail")) != NULL) {
		if (fchown(fd, 0, gr->gr_gid) == -1 || fchmod(fd, 0640) == -1)
			ok = 0;
	} else if (fchmod(fd, 0600) == -1)
		ok = 0;
	for (i = 0; ok && i < l->n; i++)
		if (util_write_all(fd, l->v[i], strlen(l->v[i])) == -1 ||
		    util_write_all(fd, "\n", 1) == -1)
			ok = 0;
	if (!ok || fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		pending_tmp[0] = '\0';
		return err_sys(e, ERR_CONFIG, "cannot write %s", tmp);
	}
	close(fd);
	return 0;
}

/* A CUPS queue for the account, through lpadmin (no shell). */
static int
make_queue(const struct setup_opts *so, struct err *e)
{
	char	uri[300];
	pid_t	pid;
	int	status, nul;
	const char *q;

	for (q = so->queue; *q != '\0'; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		    (*q >= '0' && *q <= '9') || *q == '-' || *q == '_'))
			return err_set(e, ERR_USAGE, "--queue: \"%.64s\" is not "
			    "a queue name (letters, digits, '-', '_')",
			    so->queue);
	snprintf(uri, sizeof(uri), "email:/%s", so->account);
	if ((pid = fork()) == -1)
		return err_sys(e, ERR_TEMP, "fork");
	if (pid == 0) {
		nul = open("/dev/null", O_RDONLY);
		if (nul != -1)
			dup2(nul, STDIN_FILENO);
		if (so->queue_info != NULL)
			execlp("lpadmin", "lpadmin", "-p", so->queue, "-E",
			    "-v", uri, "-P", so->ppd, "-D", so->queue_info,
			    (char *)NULL);
		else
			execlp("lpadmin", "lpadmin", "-p", so->queue, "-E",
			    "-v", uri, "-P", so->ppd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, ERR_TEMP, "lpadmin could not make the queue "
		    "%s (exit status %d): is CUPS running?", so->queue,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf(_("Made the print queue %s; try it with: lp -d %s invoice.pdf\n"),
	    so->queue, so->queue);
	return 0;
}

int
setup_run(const struct setup_opts *so, int (*check)(const char *config,
    const char *account, struct err *e), struct err *e)
{
	struct lines	 l;
	struct stat	 st;
	char		 tmp[4200], dir[4096], *slash;
	const char	*at;
	int		 exists, dfd, rc = -1;

	memset(&l, 0, sizeof(l));
	memset(&st, 0, sizeof(st));
	at = so->address ? strrchr(so->address, '@') : NULL;
	if (at == NULL || at == so->address || at[1] == '\0' ||
	    strpbrk(so->address, " \t\r\n\"<>(),;:") != NULL)
		return err_set(e, ERR_USAGE, "--address: \"%.128s\" is not a "
		    "mailbox address (name@domain)", so->address ?
		    so->address : "");
	if (so->provider != NULL && strcmp(so->provider, "office365") != 0 &&
	    strcmp(so->provider, "gmail") != 0)
		return err_set(e, ERR_USAGE, "--provider: \"%.64s\" is not one "
		    "of office365, gmail", so->provider);
	if (so->provider == NULL && so->host == NULL)
		return err_set(e, ERR_USAGE, "say where %s sends: --provider "
		    "office365|gmail, or --host (with --port and --tls)",
		    so->address);
	if (so->tls != NULL && strcmp(so->tls, "starttls") != 0 &&
	    strcmp(so->tls, "implicit") != 0)
		return err_set(e, ERR_USAGE, "--tls: \"%.32s\" is not one of "
		    "starttls, implicit", so->tls);
	if (!so->oauth && (so->password == NULL || so->password[0] == '\0'))
		return err_set(e, ERR_USAGE, "no password on standard input "
		    "(--password-stdin: the App Password, one line)");
	if (so->oauth && (so->oauth_client_id == NULL ||
	    so->oauth_client_id[0] == '\0'))
		return err_set(e, ERR_USAGE, "OAuth 2.0 needs the application "
		    "(client) ID");
	if (read_lines(so->config, &l, &st, &exists, e) == -1)
		goto out;
	/* A password and OAuth exclude each other. */
	if (so->oauth) {
		if (set_key(&l, so->account, "password", NULL) == -1 ||
		    set_key(&l, so->account, "password_file", NULL) == -1 ||
		    set_key(&l, so->account, "auth", "xoauth2") == -1 ||
		    set_key(&l, so->account, "oauth2_flow", "device_code") ==
		    -1 ||
		    set_given(&l, so->account, "oauth2_tenant",
		    so->oauth_tenant) == -1 ||
		    set_key(&l, so->account, "oauth2_client_id",
		    so->oauth_client_id) == -1) {
			err_sys(e, ERR_INTERNAL, "malloc");
			goto out;
		}
	} else {
		char *auth = get_key(&l, so->account, "auth");
		int xo = auth != NULL && strcmp(auth, "xoauth2") == 0;

		free(auth);
		if (xo && (set_key(&l, so->account, "auth", NULL) == -1 ||
		    set_key(&l, so->account, "oauth2_flow", NULL) == -1 ||
		    set_key(&l, so->account, "oauth2_tenant", NULL) == -1 ||
		    set_key(&l, so->account, "oauth2_client_id", NULL) == -1)) {
			err_sys(e, ERR_INTERNAL, "malloc");
			goto out;
		}
	}
	/*
	 * What is given is set; what is not stays as it was, except that a
	 * provider replaces a host of one's own and the other way round.
	 */
	if ((so->provider != NULL && so->host == NULL &&
	    (set_key(&l, so->account, "host", NULL) == -1 ||
	    set_key(&l, so->account, "port", NULL) == -1 ||
	    set_key(&l, so->account, "tls", NULL) == -1)) ||
	    (so->host != NULL && so->provider == NULL &&
	    set_key(&l, so->account, "provider", NULL) == -1) ||
	    /* The password given replaces a password file. */
	    (!so->oauth &&
	    set_key(&l, so->account, "password_file", NULL) == -1) ||
	    set_given(&l, so->account, "provider", so->provider) == -1 ||
	    set_given(&l, so->account, "host", so->host) == -1 ||
	    set_given(&l, so->account, "port", so->port) == -1 ||
	    set_given(&l, so->account, "tls", so->tls) == -1 ||
	    set_given(&l, so->account, "tls_ca_file", so->tls_ca_file) == -1 ||
	    set_given(&l, so->account, "user", so->address) == -1 ||
	    set_given(&l, so->account, "password", so->password) == -1 ||
	    set_given(&l, so->account, "from", so->address) == -1 ||
	    set_given(&l, so->account, "from_name", so->from_name) == -1 ||
	    set_given(&l, so->account, "to", so->to) == -1) {
		err_sys(e, ERR_INTERNAL, "malloc");
		goto out;
	}
	if (write_temp(so->config, &l, &st, exists, tmp, sizeof(tmp), e) == -1)
		goto out;
	/* The new account must work before it replaces anything. */
	if (!so->no_check && check(tmp, so->account, e) == -1) {
		unlink(tmp);
		pending_tmp[0] = '\0';
		goto out;
	}
	if (rename(tmp, so->config) == -1) {
		err_sys(e, ERR_CONFIG, "cannot replace %s", so->config);
		unlink(tmp);
		pending_tmp[0] = '\0';
		goto out;
	}
	pending_tmp[0] = '\0';
	util_strlcpy(dir, so->config, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) != -1) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	printf(_("Wrote account [%s] to %s\n"), so->account, so->config);
	if (so->queue != NULL && make_queue(so, e) == -1)
		goto out;
	rc = 0;
out:
	lines_clear(&l);
	return rc;
}

/* The value of key in the account's section as written, or NULL. */
static char *
get_key(const struct lines *l, const char *account, const char *key)
{
	char		 name[256], k[128];
	const char	*p;
	char		*v;
	size_t		 i, n;
	int		 in = 0;

	for (i = 0; i < l->n; i++) {
		if (section_of(l->v[i], name, sizeof(name))) {
			in = strcmp(name, account) == 0;
			continue;
		}
		if (!in || !key_of(l->v[i], k, sizeof(k)) || strcmp(k, key))
			continue;
		p = strchr(l->v[i], '=');
		if (p == NULL)
			return NULL;
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '"') {
			/* Quoted: up to the closing quote, escapes undone. */
			if ((v = malloc(strlen(p))) == NULL)
				return NULL;
			for (n = 0, p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				v[n++] = *p;
			}
			v[n] = '\0';
			return v;
		}
		n = strcspn(p, "#");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		return strndup(p, n);
	}
	return NULL;
}

const char *
setup_guess_provider(const char *domain)
{
	static const char *const m365[] = { ".mail.protection.outlook.com",
	    ".protection.outlook.com", NULL };
	static const char *const google[] = { ".google.com",
	    ".googlemail.com", NULL };
	unsigned char	 ans[4096];
	char		 host[NS_MAXDNAME];
	ns_msg		 msg;
	ns_rr		 rr;
	size_t		 i, hl;
	int		 n, k;

	if (strcasecmp(domain, "gmail.com") == 0 ||
	    strcasecmp(domain, "googlemail.com") == 0)
		return "gmail";
	if ((n = res_query(domain, ns_c_in, ns_t_mx, ans, sizeof(ans))) <= 0 ||
	    ns_initparse(ans, n, &msg) == -1)
		return NULL;
	for (k = 0; k < ns_msg_count(msg, ns_s_an); k++) {
		if (ns_parserr(&msg, ns_s_an, k, &rr) == -1 ||
		    ns_rr_type(rr) != ns_t_mx || ns_rr_rdlen(rr) < 3 ||
		    ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg),
		    ns_rr_rdata(rr) + 2, host, sizeof(host)) == -1)
			continue;
		hl = strlen(host);
		if (hl > 0 && host[hl - 1] == '.')
			host[--hl] = '\0';
		for (i = 0; m365[i] != NULL; i++)
			if (hl > strlen(m365[i]) && strcasecmp(host + hl -
			    strlen(m365[i]), m365[i]) == 0)
				return "office365";
		for (i = 0; google[i] != NULL; i++)
			if (hl > strlen(google[i]) && strcasecmp(host + hl -
			    strlen(google[i]), google[i]) == 0)
				return "gmail";
	}
	return NULL;
}

static FILE	*tty_in, *tty_out;

/*
 * One question on the terminal, with its default in brackets (Enter takes
 * it).  A secret is read without echo.  0, or -1 at the end of input.
 */
static int
ask(const char *q, const char *def, char *buf, size_t len, int secret)
{
	struct termios	quiet;
	size_t		n;
	int		rc = 0;

	/*
	 * Echo off before the question shows, and without discarding what
	 * is typed: an answer typed at once is neither shown nor lost.
	 */
	if (secret && tcgetattr(tty_fd, &tty_saved) == 0) {
		quiet = tty_saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tty_quiet = 1;
		(void)tcsetattr(tty_fd, TCSANOW, &quiet);
	}
	if (def != NULL && *def != '\0')
		fprintf(tty_out, "%s [%s]: ", q, def);
	else
		fprintf(tty_out, "%s: ", q);
	fflush(tty_out);
	if (fgets(buf, (int)len, tty_in) == NULL)
		rc = -1;
	if (tty_quiet) {
		(void)tcsetattr(tty_fd, TCSANOW, &tty_saved);
		tty_quiet = 0;
		fputc('\n', tty_out);
	}
	if (rc == -1) {
		fputc('\n', tty_out);
		return -1;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (n == 0 && def != NULL)
		util_strlcpy(buf, def, len);
	return 0;
}

/* A yes/no question; def is 'y' or 'n'. 1 yes, 0 no, -1 end of input. */
static int
ask_yes(const char *q, int def)
{
	char	b[16];

	for (;;) {
		if (ask(q, def == 'y' ? "Y/n" : "y/N", b, sizeof(b), 0) == -1)
			return -1;
		if (strcmp(b, "Y/n") == 0 || strcmp(b, "y/N") == 0)
			return def == 'y';
		if (b[0] == 'y' || b[0] == 'Y')
			return 1;
		if (b[0] == 'n' || b[0] == 'N')
			return 0;
		fprintf(tty_out, "%s", _("Please answer y or n.\n"));
	}
}

/* What the section says, else what was given, else def. */
static void
dflt(char *out, size_t len, const struct lines *l, const char *account,
    const char *key, const char *given, const char *def)
{
	char	*v = given ? NULL : get_key(l, account, key);

	util_strlcpy(out, given ? given : v ? v : def ? def : "", len);
	free(v);
}

int
setup_interactive(struct setup_opts *so, int (*check)(const char *config,
    const char *account, struct err *e), int (*sign_in)(const char *config,
    const char *account, struct err *e),
    const char *(*advice)(const struct err *, const char *, int, char *,
	    size_t), struct err *e)
{
	struct lines	 l;
	struct stat	 st;
	char		 addr[320], prov[16], host[256], port[16], tls[16];
	char		 ca[1024], name[256], to[320], pw[1024], queue[128];
	char		 info[400], def[400], tenant[128], client[128], how[8];
	char		 fb[ADVICE_MAX];
	const char	*guess, *at, *fix;
	char		*cur;
	int		 exists, rc = -1, yes;

	memset(&l, 0, sizeof(l));
	pw[0] = '\0';
	if ((tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1 ||
	    (tty_in = fdopen(tty_fd, "r")) == NULL ||
	    (tty_out = fdopen(dup(tty_fd), "w")) == NULL)
		return err_set(e, ERR_USAGE, "%s", _("--setup asks its "
		    "questions on a terminal, and there is none: use --setup "
		    "--non-interactive --password-stdin --address ..."));
	catch_interrupts();
	if (read_lines(so->config, &l, &st, &exists, e) == -1)
		goto out;
	fprintf(tty_out, _("Setting up account [%s] in %s. Enter takes the "
	    "answer in brackets; Ctrl-C leaves the file as it is.\n"),
	    so->account, so->config);
	dflt(def, sizeof(def), &l, so->account, "user", so->address, NULL);
	for (;;) {
		if (ask(_("Mailbox address (it sends as this address)"), def,
		    addr, sizeof(addr), 0) == -1)
			goto eof;
		at = strrchr(addr, '@');
		if (at != NULL && at != addr && strchr(at, '.') != NULL &&
		    strpbrk(addr, " \t\"<>(),;:") == NULL)
			break;
		fprintf(tty_out, _("\"%s\" is not a mailbox address "
		    "(name@domain).\n"), addr);
	}
	so->address = addr;
	dflt(prov, sizeof(prov), &l, so->account, "provider", so->provider,
	    NULL);
	cur = get_key(&l, so->account, "host");
	if (prov[0] == '\0' && (so->host != NULL || cur != NULL))
		util_strlcpy(prov, "other", sizeof(prov));
	free(cur);
	if (prov[0] == '\0' &&
	    (guess = setup_guess_provider(at + 1)) != NULL) {
		util_strlcpy(prov, guess, sizeof(prov));
		fprintf(tty_out, _("%s receives its mail at %s.\n"), at + 1,
		    strcmp(guess, "gmail") == 0 ? "Gmail" : "Microsoft 365");
	}
	for (;;) {
		char	b[16];

		fprintf(tty_out, _("Provider: 1 Microsoft 365, 2 Gmail, 3 another "
		    "SMTP server\n"));
		if (ask(_("Provider"), strcmp(prov, "office365") == 0 ? "1" :
		    strcmp(prov, "gmail") == 0 ? "2" : prov[0] ? "3" : "1", b,
		    sizeof(b), 0) == -1)
			goto eof;
		if (strcmp(b, "1") == 0 || strcmp(b, "2") == 0 ||
		    strcmp(b, "3") == 0) {
			util_strlcpy(prov, b[0] == '1' ? "office365" :
			    b[0] == '2' ? "gmail" : "other", sizeof(prov));
			break;
		}
	}
	if (strcmp(prov, "other") == 0) {
		so->provider = NULL;
		dflt(def, sizeof(def), &l, so->account, "host", so->host, NULL);
		do
			if (ask(_("SMTP server"), def, host, sizeof(host), 0) == -1)
				goto eof;
		while (host[0] == '\0');
		for (;;) {
			dflt(def, sizeof(def), &l, so->account, "tls", so->tls,
			    "starttls");
			if (ask(_("TLS: starttls or implicit"), def, tls,
			    sizeof(tls), 0) == -1)
				goto eof;
			if (strcmp(tls, "starttls") == 0 ||
			    strcmp(tls, "implicit") == 0)
				break;
		}
		dflt(def, sizeof(def), &l, so->account, "port", so->port,
		    strcmp(tls, "implicit") == 0 ? "465" : "587");
		if (ask(_("Port"), def, port, sizeof(port), 0) == -1)
			goto eof;
		dflt(def, sizeof(def), &l, so->account, "tls_ca_file",
		    so->tls_ca_file, "");
		if (ask(_("CA file to trust (Enter: the system's)"), def, ca,
		    sizeof(ca), 0) == -1)
			goto eof;
		so->host = host;
		so->port = port;
		so->tls = tls;
		so->tls_ca_file = ca[0] ? ca : NULL;
	} else {
		so->provider = prov;
		so->host = so->port = so->tls = NULL;
	}
	dflt(def, sizeof(def), &l, so->account, "from_name", so->from_name,
	    NULL);
	if (ask(_("Sender's name (e.g. Phong Ke toan)"), def, name, sizeof(name),
	    0) == -1)
		goto eof;
	so->from_name = name[0] ? name : NULL;
	dflt(def, sizeof(def), &l, so->account, "to", so->to, NULL);
	if (ask(_("Where printed documents go (an address)"), def, to,
	    sizeof(to), 0) == -1)
		goto eof;
	so->to = to[0] ? to : NULL;
	so->queue = NULL;
	/*
	 * OAuth 2.0: what Microsoft 365 needs once basic authentication is
	 * off; a device-code sign-in, from a browser on any computer.  (Not
	 * offered for Gmail, whose device flow refuses mail: README.)
	 */
	so->oauth = 0;
	if (strcmp(prov, "gmail") != 0) {
		cur = get_key(&l, so->account, "auth");
		fprintf(tty_out, "%s", _("Sign in with: 1 an App Password, 2 "
		    "OAuth 2.0 (a code entered in a browser on any computer)\n"));
		do
			if (ask(_("Sign-in"), cur != NULL && strcmp(cur,
			    "xoauth2") == 0 ? "2" : "1", how, sizeof(how),
			    0) == -1) {
				free(cur);
				goto eof;
			}
		while (strcmp(how, "1") != 0 && strcmp(how, "2") != 0);
		free(cur);
		so->oauth = how[0] == '2';
	}
	if (so->oauth) {
		so->oauth_tenant = NULL;
		if (strcmp(prov, "office365") == 0) {
			dflt(def, sizeof(def), &l, so->account, "oauth2_tenant",
			    NULL, NULL);
			do
				if (ask(_("Directory (tenant) ID (Entra admin "
				    "center > App registrations > the app)"),
				    def, tenant, sizeof(tenant), 0) == -1)
					goto eof;
			while (tenant[0] == '\0');
			so->oauth_tenant = tenant;
		}
		dflt(def, sizeof(def), &l, so->account, "oauth2_client_id",
		    NULL, NULL);
		do
			if (ask(_("Application (client) ID"), def, client,
			    sizeof(client), 0) == -1)
				goto eof;
		while (client[0] == '\0');
		so->oauth_client_id = client;
		so->password = NULL;
	}
	for (;;) {
		if (!so->oauth) {
			if (ask(strcmp(prov, "gmail") == 0 ?
			    _("Gmail App Password (not shown)") :
			    _("App Password (not shown)"), NULL, pw,
			    sizeof(pw), 1) == -1)
				goto eof;
			if (pw[0] == '\0')
				continue;
			so->password = pw;
		}
		err_clear(e);
		if (setup_run(so, so->oauth ? sign_in : check, e) == 0)
			break;
		fprintf(tty_out, "printmail: %s\n", err_text(e));
		if ((fix = advice(e, so->account, 1, fb, sizeof(fb))) == NULL &&
		    e->kind == ERR_AUTH)
			fix = _("the server refused this address or password: "
			    "check both (an App Password, not the mailbox's "
			    "own password, where the provider wants one)");
		if (fix != NULL)
			fprintf(tty_out, "printmail: %s %s\n", _("fix:"), fix);
		fprintf(tty_out, _("%s is unchanged.\n"), so->config);
		util_wipe(pw, sizeof(pw));
		if ((yes = ask_yes(_("Try again"), 'y')) != 1)
			goto out;
	}
	err_clear(e);
	if ((yes = ask_yes(_("Make a CUPS print queue for this account"), 'y'))
	    == 1) {
		snprintf(def, sizeof(def), "Email-%s", so->account);
		if (ask(_("Queue name"), def, queue, sizeof(queue), 0) == -1)
			goto eof;
		snprintf(def, sizeof(def), _("E-mail to %s"), to[0] ? to :
		    _("the account's recipient"));
		if (ask(_("Description"), def, info, sizeof(info), 0) == -1)
			goto eof;
		so->queue = queue;
		so->queue_info = info;
		if (make_queue(so, e) == -1)
			goto out;
	}
	rc = 0;
	goto out;
eof:
	err_set(e, ERR_USAGE, _("no answer (end of input): %s is unchanged"),
	    so->config);
out:
	util_wipe(pw, sizeof(pw));
	lines_clear(&l);
	if (tty_out != NULL)
		fclose(tty_out);
	if (tty_in != NULL)
		fclose(tty_in);
	tty_in = tty_out = NULL;
	tty_fd = -1;
	return rc;
}
