/*
 * setup.c: printmail --setup --non-interactive: writes or updates one
 * account's section of the config, keeping every other line (comments and
 * other sections), and replaces the file only once the new account passed
 * the --check steps.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "setup.h"
#include "util.h"

#define CONF_MAX	(1024 * 1024)

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

/* The new file next to the config, with the config's owner and mode. */
static int
write_temp(const char *path, const struct lines *l, const struct stat *st,
    int exists, char *tmp, size_t tmplen, struct err *e)
{
	struct group	*gr;
	size_t		 i;
	int		 fd, ok = 1;

	snprintf(tmp, tmplen, "%s.setup.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return err_sys(e, ERR_CONFIG, "cannot create a file next to %s",
		    path);
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
		execlp("lpadmin", "lpadmin", "-p", so->queue, "-E", "-v", uri,
		    "-P", so->ppd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, ERR_TEMP, "lpadmin could not make the queue "
		    "%s (exit status %d): is CUPS running?", so->queue,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf("Made the print queue %s; try it with: lp -d %s invoice.pdf\n",
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
	if (so->password == NULL || so->password[0] == '\0')
		return err_set(e, ERR_USAGE, "no password on standard input "
		    "(--password-stdin: the App Password, one line)");
	if (read_lines(so->config, &l, &st, &exists, e) == -1)
		goto out;
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
	    set_key(&l, so->account, "password_file", NULL) == -1 ||
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
		goto out;
	}
	if (rename(tmp, so->config) == -1) {
		err_sys(e, ERR_CONFIG, "cannot replace %s", so->config);
		unlink(tmp);
		goto out;
	}
	util_strlcpy(dir, so->config, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) != -1) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	printf("Wrote account [%s] to %s\n", so->account, so->config);
	if (so->queue != NULL && make_queue(so, e) == -1)
		goto out;
	rc = 0;
out:
	lines_clear(&l);
	return rc;
}
