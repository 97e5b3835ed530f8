/*
 * conf.c: the config file parser.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "header.h"
#include "util.h"

enum key_type { KT_STR, KT_SECRET, KT_INT, KT_PORT, KT_TLS, KT_AUTH, KT_BOOL,
    KT_DURATION, KT_DELIVERY, KT_FLOW };

struct key_def {
	const char	*name;
	enum key_type	 type;
	size_t		 off;
};

#define K(n, t) { #n, t, offsetof(struct conf_account, n) }
static const struct key_def conf_keys[] = {
	K(provider, KT_STR),
	K(host, KT_STR),
	K(port, KT_PORT),
	K(tls, KT_TLS),
	K(tls_ca_file, KT_STR),
	K(user, KT_STR),
	K(password, KT_SECRET),
	K(password_file, KT_STR),
	K(auth, KT_AUTH),
	K(from, KT_STR),
	K(from_name, KT_STR),
	K(to, KT_STR),
	K(cc, KT_STR),
	K(bcc, KT_STR),
	K(subject, KT_STR),
	K(body, KT_STR),
	K(timeout, KT_INT),
	K(allow_recipients, KT_STR),
	K(helo, KT_STR),
	K(qualify_domain, KT_STR),
	K(admin_address, KT_STR),
	K(rewrite_from, KT_BOOL),
	K(soft_bounce, KT_BOOL),
	K(delivery, KT_DELIVERY),
	K(queue_dir, KT_STR),
	K(queue_lifetime, KT_DURATION),
	K(max_connections, KT_INT),
	K(max_per_minute, KT_INT),
	K(oauth2_token_command, KT_STR),
	K(oauth2_tenant, KT_STR),
	K(oauth2_client_id, KT_STR),
	K(oauth2_client_secret, KT_SECRET),
	K(oauth2_client_secret_file, KT_STR),
	K(oauth2_token_url, KT_STR),
	K(oauth2_scope, KT_STR),
	K(oauth2_flow, KT_FLOW),
	K(oauth2_authorize_url, KT_STR),
	K(oauth2_device_url, KT_STR),
	K(oauth2_token_file, KT_STR),
	K(oauth2_redirect_port, KT_PORT),
	K(ipp, KT_BOOL),
	K(ipp_name, KT_STR),
};
#undef K
#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

/* One "key = value" line as read. */
struct entry {
	char	*section;	/* NULL for the defaults */
	size_t	 key;		/* index into conf_keys */
	char	*value;
	int	 line;
};

struct parsed {
	const char	*path;
	struct entry	*v;
	size_t		 n, cap;
	char		**sect;		/* every section name, in order */
	size_t		 nsect;
	int		 has_secret;
};

static void
parsed_free(struct parsed *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].section);
		if (conf_keys[p->v[i].key].type == KT_SECRET)
			util_free_secret(p->v[i].value);
		else
			free(p->v[i].value);
	}
	free(p->v);
	for (i = 0; i < p->nsect; i++)
		free(p->sect[i]);
	free(p->sect);
	memset(p, 0, sizeof(*p));
}

static const struct entry *
parsed_find(const struct parsed *p, const char *section, size_t key)
{
	size_t	i;

	for (i = 0; i < p->n; i++) {
		if (p->v[i].key != key)
			continue;
		if (section == NULL ? p->v[i].section == NULL :
		    p->v[i].section != NULL &&
		    strcmp(p->v[i].section, section) == 0)
			return &p->v[i];
	}
	return NULL;
}

/* The entry of key k for an account: its section's, else the defaults'. */
static const struct entry *
account_entry(const struct parsed *p, const char *section, size_t k)
{
	const struct entry *en = parsed_find(p, section, k);

	return en != NULL ? en : parsed_find(p, NULL, k);
}

/* The index of a key in conf_keys; the name must be one of them. */
static size_t
key_index(const char *name)
{
	size_t	k;

	for (k = 0; k < NKEYS; k++)
		if (strcmp(conf_keys[k].name, name) == 0)
			break;
	return k;
}

#define ACCOUNT_SETS(p, section, name) \
	(account_entry(p, section, key_index(name)) != NULL)

static int
section_seen(const struct parsed *p, const char *name)
{
	size_t	i;

	for (i = 0; i < p->nsect; i++)
		if (strcmp(p->sect[i], name) == 0)
			return 1;
	return 0;
}

static int
section_add(struct parsed *p, const char *name, struct err *e)
{
	char	**ns;

	if ((ns = realloc(p->sect, (p->nsect + 1) * sizeof(*ns))) == NULL)
		return err_sys(e, ERR_INTERNAL, "realloc");
	p->sect = ns;
	if ((p->sect[p->nsect] = strdup(name)) == NULL)
		return err_sys(e, ERR_INTERNAL, "strdup");
	p->nsect++;
	return 0;
}

static char *
trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/*
 * Parses the value part of a line in place.  Returns the value or NULL
 * with a reason in *why.
 */
static char *
parse_value(char *s, const char **why)
{
	char	*o, *r, *rest;

	s = trim(s);
	if (*s == '"') {
		o = r = s + 1;
		for (;;) {
			if (*r == '\0') {
				*why = "unterminated quoted value";
				return NULL;
			}
			if (*r == '"')
				break;
			if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
				r++;
			*o++ = *r++;
		}
		rest = trim(r + 1);
		*o = '\0';
		if (*rest != '\0' && *rest != '#') {
			*why = "text after the closing quote";
			return NULL;
		}
		return s + 1;
	}
	for (r = s; *r != '\0'; r++) {
		if (*r == '#' && r > s && (r[-1] == ' ' || r[-1] == '\t')) {
			*r = '\0';
			break;
		}
	}
	return trim(s);
}

static int
valid_section_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    *s != '.')
			return 0;
	return 1;
}

static int
parse_line(struct parsed *p, char *line, int lineno, char **section,
    struct err *e)
{
	char		*s, *eq, *key, *val;
	const char	*why = NULL;
	size_t		 k;
	const struct entry *dup;

	for (s = line; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return err_set(e, ERR_CONFIG,
			    "%s:%d: control character in line", p->path,
			    lineno);
	s = trim(line);
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']');
		char *rest;

		if (end == NULL)
			return err_set(e, ERR_CONFIG,
			    "%s:%d: section header without ']'", p->path,
			    lineno);
		*end = '\0';
		rest = trim(end + 1);
		if (*rest != '\0' && *rest != '#' && *rest != ';')
			return err_set(e, ERR_CONFIG,
			    "%s:%d: text after the section header", p->path,
			    lineno);
		s = trim(s + 1);
		if (!valid_section_name(s))
			return err_set(e, ERR_CONFIG,
			    "%s:%d: bad section name '[%.64s]' (letters, "
			    "digits, '_', '-', '.')", p->path, lineno, s);
		if (section_seen(p, s))
			return err_set(e, ERR_CONFIG,
			    "%s:%d: section [%s] appears twice", p->path,
			    lineno, s);
		if (section_add(p, s, e) == -1)
			return -1;
		free(*section);
		if ((*section = strdup(s)) == NULL)
			return err_sys(e, ERR_INTERNAL, "strdup");
		return 0;
	}
	eq = strchr(s, '=');
	if (eq == NULL)
		return err_set(e, ERR_CONFIG,
		    "%s:%d: expected 'key = value', '[section]' or a comment",
		    p->path, lineno);
	*eq = '\0';
	key = trim(s);
	for (k = 0; k < NKEYS; k++)
		if (strcmp(conf_keys[k].name, key) == 0)
			break;
	if (k == NKEYS)
		return err_set(e, ERR_CONFIG, "%s:%d: unknown key '%.64s'",
		    p->path, lineno, key);
	if ((val = parse_value(eq + 1, &why)) == NULL)
		return err_set(e, ERR_CONFIG, "%s:%d: %s: %s", p->path,
		    lineno, key, why);
	if ((dup = parsed_find(p, *section, k)) != NULL)
		return err_set(e, ERR_CONFIG,
		    "%s:%d: duplicate key '%s' (first set on line %d)",
		    p->path, lineno, key, dup->line);
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 32;
		struct entry *nv = realloc(p->v, ncap * sizeof(*nv));

		if (nv == NULL)
			return err_sys(e, ERR_INTERNAL, "realloc");
		p->v = nv;
		p->cap = ncap;
	}
	p->v[p->n].section = *section ? strdup(*section) : NULL;
	p->v[p->n].key = k;
	p->v[p->n].value = strdup(val);
	p->v[p->n].line = lineno;
	if (p->v[p->n].value == NULL ||
	    (*section != NULL && p->v[p->n].section == NULL)) {
		free(p->v[p->n].section);
		free(p->v[p->n].value);
		return err_sys(e, ERR_INTERNAL, "strdup");
	}
	p->n++;
	if (conf_keys[k].type == KT_SECRET) {
		p->has_secret = 1;
		util_wipe(val, strlen(val));
	}
	return 0;
}

/* Who may own a config or secret file, or a directory above one. */
static int
trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/*
 * The directories above path, up to "/": each owned by root or by us, and
 * writable by nobody else unless sticky (as /tmp is: there others cannot
 * replace what they do not own).  Otherwise whoever can write there can
 * swap the file for one of their own.
 */
int
conf_check_parents(const char *path, const char *what, struct err *e)
{
	char		*real, *slash;
	struct stat	 st;

	if ((real = realpath(path, NULL)) == NULL)
		return err_sys(e, ERR_CONFIG, "cannot resolve %s %s", what,
		    path);
	while ((slash = strrchr(real, '/')) != NULL) {
		if (slash == real)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(real, &st) == -1) {
			err_sys(e, ERR_CONFIG, "cannot stat %s", real);
			break;
		}
		if (!trusted_owner(st.st_uid)) {
			err_set(e, ERR_CONFIG, "%s %s is in directory %s, owned "
			    "by uid %ld: only root%s may own it; fix it with: "
			    "chown root %s", what, path, real, (long)st.st_uid,
			    geteuid() ? " or the user who runs printmail" :
			    "", real);
			break;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !(st.st_mode & S_ISVTX)) {
			err_set(e, ERR_CONFIG, "%s %s is in directory %s, which "
			    "other users can write; fix it with: chmod go-w %s",
			    what, path, real, real);
			break;
		}
		if (slash == real) {
			free(real);
			return 0;
		}
	}
	free(real);
	return -1;
}

/*
 * The rule for the config file and the files holding secrets: owned by
 * root or by the user reading it (root itself trusts only root), writable
 * by nobody else, in directories nobody else can write; a secret never
 * readable by "other".  A config or a secret that another user can change
 * would let that user redirect the mail, or make a process running as
 * root read a file of their choice and send it as a password.
 */
static int
check_mode(const char *path, const struct stat *st, int secret,
    const char *what, struct err *e)
{
	if (!trusted_owner(st->st_uid))
		return err_set(e, ERR_CONFIG,
		    "%s %s is owned by uid %ld: only root%s may own it; fix "
		    "it with: chown root %s", what, path, (long)st->st_uid,
		    geteuid() ? " or the user who runs printmail" : "", path);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return err_set(e, ERR_CONFIG,
		    "%s %s is writable by other users; fix it with: "
		    "chmod go-w %s", what, path, path);
	if (secret && (st->st_mode & S_IROTH))
		return err_set(e, ERR_CONFIG,
		    "%s %s holds a secret and is readable by other users; "
		    "fix it with: chmod o-rwx %s", what, path, path);
	return conf_check_parents(path, what, e);
}

static int
open_checked(const char *path, const char *what, struct err *e)
{
	int	fd;

	/* Non-blocking: a FIFO named by mistake must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == EACCES)
			return err_sys(e, ERR_CONFIG,
			    "cannot read %s %s (running as uid %ld)", what,
			    path, (long)geteuid());
		return err_sys(e, ERR_CONFIG, "cannot open %s %s", what, path);
	}
	return fd;
}

char *
conf_read_secret_file(const char *path, const char *what, struct err *e)
{
	struct stat	st;
	char		buf[4096];
	ssize_t		n;
	size_t		len = 0;
	char		*s;
	int		fd;

	if ((fd = open_checked(path, what, e)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1) {
		err_sys(e, ERR_CONFIG, "cannot stat %s %s", what, path);
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, ERR_CONFIG, "%s %s is not a regular file", what,
		    path);
		close(fd);
		return NULL;
	}
	if (check_mode(path, &st, 1, what, e) == -1) {
		close(fd);
		return NULL;
	}
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_sys(e, ERR_CONFIG, "cannot read %s %s", what, path);
			close(fd);
			util_wipe(buf, sizeof(buf));
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		err_set(e, ERR_CONFIG, "%s %s is empty", what, path);
		return NULL;
	}
	s = strdup(buf);
	util_wipe(buf, sizeof(buf));
	if (s == NULL)
		err_sys(e, ERR_INTERNAL, "strdup");
	return s;
}

/* A file that holds no secret but decides whom we trust: tls_ca_file. */
static int
check_trust_file(const char *path, const char *what, struct err *e)
{
	struct stat	st;
	int		fd, rc;

	if ((fd = open_checked(path, what, e)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		rc = err_sys(e, ERR_CONFIG, "cannot stat %s %s", what, path);
	else
		rc = check_mode(path, &st, 0, what, e);
	close(fd);
	return rc;
}

static int
parse_file(const char *path, struct parsed *p, struct err *e)
{
	struct stat	st;
	FILE		*fp;
	char		*line = NULL, *section = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	int		 fd, lineno = 0, rc = 0;

	memset(p, 0, sizeof(*p));
	p->path = path;
	if ((fd = open_checked(path, "config file", e)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || (fp = fdopen(fd, "r")) == NULL) {
		err_sys(e, ERR_CONFIG, "cannot read config file %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fclose(fp);
		return err_set(e, ERR_CONFIG, "config file %s is not a "
		    "regular file", path);
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (memchr(line, '\0', (size_t)len) != NULL) {
			rc = err_set(e, ERR_CONFIG, "%s:%d: NUL byte in line",
			    path, lineno);
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		/* Notepad starts a UTF-8 file with a byte order mark. */
		if (lineno == 1 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0)
			memmove(line, line + 3, (size_t)len - 2);
		if ((rc = parse_line(p, line, lineno, &section, e)) == -1)
			break;
	}
	if (rc == 0 && ferror(fp))
		rc = err_sys(e, ERR_CONFIG, "cannot read config file %s", path);
	if (line != NULL)
		util_wipe(line, cap);
	free(line);
	free(section);
	fclose(fp);
	if (rc == 0)
		rc = check_mode(path, &st, p->has_secret, "config file", e);
	if (rc == -1)
		parsed_free(p);
	return rc;
}

static int
convert(const struct parsed *p, const struct key_def *kd,
    const struct entry *en, struct conf_account *a, struct err *e)
{
	void		*field = (char *)a + kd->off;
	const char	*v = en->value;
	char		*end;
	long		 n;

	switch (kd->type) {
	case KT_STR:
	case KT_SECRET:
		if ((*(char **)field = strdup(v)) == NULL)
			return err_sys(e, ERR_INTERNAL, "strdup");
		return 0;
	case KT_INT:
	case KT_PORT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || n < 0 ||
		    n > (kd->type == KT_PORT ? 65535 : 86400) ||
		    (kd->type == KT_PORT && n == 0))
			return err_set(e, ERR_CONFIG,
			    "%s:%d: %s: '%.64s' is not a valid %s", p->path,
			    en->line, kd->name, v, kd->type == KT_PORT ?
			    "port (1-65535)" : "number");
		*(int *)field = (int)n;
		return 0;
	case KT_DURATION:
		/* "3600", "90s", "30m", "12h", "5d": up to a year. */
		errno = 0;
		n = strtol(v, &end, 10);
		if (*v != '\0' && errno == 0 && n >= 0 && n <= 366 * 86400L &&
		    (end[0] == '\0' || end[1] == '\0')) {
			long mult = *end == '\0' || *end == 's' ? 1 :
			    *end == 'm' ? 60 : *end == 'h' ? 3600 :
			    *end == 'd' ? 86400 : 0;

			if (mult > 0 && n <= 366 * 86400L / mult) {
				*(long *)field = n * mult;
				return 0;
			}
		}
		return err_set(e, ERR_CONFIG, "%s:%d: %s: '%.64s' is not a "
		    "duration (seconds, or a number with s, m, h or d)",
		    p->path, en->line, kd->name, v);
	case KT_DELIVERY:
		if (strcmp(v, "direct") == 0)
			*(enum conf_delivery *)field = CONF_DELIVERY_DIRECT;
		else if (strcmp(v, "queue") == 0)
			*(enum conf_delivery *)field = CONF_DELIVERY_QUEUE;
		else if (strcmp(v, "fallback") == 0)
			*(enum conf_delivery *)field = CONF_DELIVERY_FALLBACK;
		else
			return err_set(e, ERR_CONFIG, "%s:%d: delivery: '%.64s' "
			    "is not one of direct, queue, fallback", p->path,
			    en->line, v);
		return 0;
	case KT_FLOW:
		if (strcmp(v, "authorization_code") == 0)
			*(enum conf_flow *)field = CONF_FLOW_AUTHORIZATION_CODE;
		else if (strcmp(v, "device_code") == 0)
			*(enum conf_flow *)field = CONF_FLOW_DEVICE_CODE;
		else if (strcmp(v, "client_credentials") == 0)
			*(enum conf_flow *)field = CONF_FLOW_CLIENT_CREDENTIALS;
		else if (strcmp(v, "command") == 0)
			*(enum conf_flow *)field = CONF_FLOW_COMMAND;
		else
			return err_set(e, ERR_CONFIG, "%s:%d: oauth2_flow: "
			    "'%.64s' is not one of authorization_code, "
			    "device_code, client_credentials, command", p->path,
			    en->line, v);
		return 0;
	case KT_TLS:
		if (strcmp(v, "starttls") == 0)
			*(enum conf_tls *)field = CONF_TLS_STARTTLS;
		else if (strcmp(v, "implicit") == 0)
			*(enum conf_tls *)field = CONF_TLS_IMPLICIT;
		else if (strcmp(v, "none") == 0)
			*(enum conf_tls *)field = CONF_TLS_NONE;
		else
			return err_set(e, ERR_CONFIG, "%s:%d: tls: '%.64s' is "
			    "not one of starttls, implicit, none", p->path,
			    en->line, v);
		return 0;
	case KT_AUTH:
		if (strcmp(v, "auto") == 0)
			*(enum conf_auth *)field = CONF_AUTH_AUTO;
		else if (strcmp(v, "login") == 0)
			*(enum conf_auth *)field = CONF_AUTH_LOGIN;
		else if (strcmp(v, "plain") == 0)
			*(enum conf_auth *)field = CONF_AUTH_PLAIN;
		else if (strcmp(v, "xoauth2") == 0)
			*(enum conf_auth *)field = CONF_AUTH_XOAUTH2;
		else
			return err_set(e, ERR_CONFIG, "%s:%d: auth: '%.64s' is "
			    "not one of auto, login, plain, xoauth2", p->path,
			    en->line, v);
		return 0;
	case KT_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
			*(int *)field = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
			*(int *)field = 0;
		else
			return err_set(e, ERR_CONFIG, "%s:%d: %s: '%.64s' is "
			    "not yes or no", p->path, en->line, kd->name, v);
		return 0;
	}
	return err_set(e, ERR_INTERNAL, "bad key type");
}

struct preset {
	const char	*name;
	const char	*host;
	int		 port;
	enum conf_tls	 tls;
	int		 max_connections;
	int		 max_per_minute;
};

static const struct preset presets[] = {
	{ "office365", "smtp.office365.com", 587, CONF_TLS_STARTTLS, 3, 30 },
	{ "gmail", "smtp.gmail.com", 587, CONF_TLS_STARTTLS, 0, 0 },
};

static int
apply_defaults(const struct parsed *p, const char *section,
    struct conf_account *a, struct err *e)
{
	const struct preset	*pr = NULL;
	const struct entry	*en;
	size_t			 i;
	int			 have_port = ACCOUNT_SETS(p, section, "port");
	int			 have_tls = ACCOUNT_SETS(p, section, "tls");
	int			 have_max_c = ACCOUNT_SETS(p, section,
				    "max_connections");
	int			 have_max_m = ACCOUNT_SETS(p, section,
				    "max_per_minute");

	if (a->provider != NULL) {
		for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
			if (strcmp(presets[i].name, a->provider) == 0)
				pr = &presets[i];
		if (pr == NULL) {
			en = account_entry(p, section, key_index("provider"));
			return err_set(e, ERR_CONFIG, "%s:%d: provider: "
			    "'%.64s' is not one of office365, gmail",
			    p->path, en ? en->line : 0, a->provider);
		}
		if (a->host == NULL && (a->host = strdup(pr->host)) == NULL)
			return err_sys(e, ERR_INTERNAL, "strdup");
		if (!have_tls)
			a->tls = pr->tls;
		if (!have_port)
			a->port = pr->port;
		if (!have_max_c)
			a->max_connections = pr->max_connections;
		if (!have_max_m)
			a->max_per_minute = pr->max_per_minute;
		have_port = 1;
	}
	if (!have_port)
		a->port = a->tls == CONF_TLS_IMPLICIT ? 465 :
		    a->tls == CONF_TLS_STARTTLS ? 587 : 25;
	return 0;
}

int
conf_is_microsoft(const struct conf_account *a)
{
	size_t	n = a->host ? strlen(a->host) : 0;

	if (a->provider != NULL)
		return strcmp(a->provider, "office365") == 0;
	return a->oauth2_tenant != NULL || (n >= 14 &&
	    util_strcaseeq(a->host + n - 14, ".office365.com"));
}

int
conf_is_google(const struct conf_account *a)
{
	if (a->provider != NULL)
		return strcmp(a->provider, "gmail") == 0;
	return a->host != NULL && util_strcaseeq(a->host, "smtp.gmail.com");
}

static int
https_only(const struct conf_account *a, const char *key, const char *url,
    struct err *e)
{
	if (url != NULL && strncasecmp(url, "https://", 8) != 0)
		return err_set(e, ERR_CONFIG, "%s: account [%s]: %s must "
		    "start with https:// (codes and tokens never travel in "
		    "clear)", a->path, a->name, key);
	return 0;
}

/*
 * Which OAuth 2.0 flow, inferred when unambiguous, and whether the keys it
 * needs are there: each refusal says what to set.
 */
static int
validate_oauth(struct conf_account *a, struct err *e)
{
	const char	*f = a->path, *s = a->name;
	enum conf_flow	 flow = a->oauth2_flow;
	int		 ms = conf_is_microsoft(a), google = conf_is_google(a);
	char		 path[4096];

	if (https_only(a, "oauth2_token_url", a->oauth2_token_url, e) == -1 ||
	    https_only(a, "oauth2_authorize_url", a->oauth2_authorize_url,
	    e) == -1 ||
	    https_only(a, "oauth2_device_url", a->oauth2_device_url, e) == -1)
		return -1;
	if (flow == CONF_FLOW_NONE && a->oauth2_token_command != NULL &&
	    a->oauth2_client_id != NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s] sets "
		    "oauth2_token_command and oauth2_client_id: keep one, or "
		    "set oauth2_flow", f, s);
	if (flow == CONF_FLOW_NONE) {
		if (a->oauth2_token_command != NULL)
			flow = CONF_FLOW_COMMAND;
		else if (a->oauth2_client_id != NULL)
			flow = a->oauth2_client_secret != NULL && !google ?
			    CONF_FLOW_CLIENT_CREDENTIALS :
			    CONF_FLOW_AUTHORIZATION_CODE;
	}
	a->oauth2_flow = flow;
	if (flow == CONF_FLOW_NONE)
		return 0;
	if (flow == CONF_FLOW_COMMAND) {
		if (a->oauth2_token_command == NULL)
			return err_set(e, ERR_CONFIG, "%s: account [%s]: "
			    "oauth2_flow = command needs oauth2_token_command",
			    f, s);
		return 0;
	}
	if (a->oauth2_token_command != NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s] sets "
		    "oauth2_token_command and oauth2_flow = %s: keep one", f, s,
		    conf_flow_name(flow));
	if (a->oauth2_client_id == NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s]: oauth2_flow = "
		    "%s needs oauth2_client_id (the app registration's "
		    "Application (client) ID)", f, s, conf_flow_name(flow));
	if (flow == CONF_FLOW_CLIENT_CREDENTIALS) {
		if (a->oauth2_client_secret == NULL)
			return err_set(e, ERR_CONFIG, "%s: account [%s]: "
			    "oauth2_flow = client_credentials needs "
			    "oauth2_client_secret or oauth2_client_secret_file",
			    f, s);
		if (a->oauth2_tenant == NULL && a->oauth2_token_url == NULL)
			return err_set(e, ERR_CONFIG, "%s: account [%s]: the "
			    "client-credentials flow needs oauth2_tenant (or "
			    "oauth2_token_url)", f, s);
		return 0;
	}
	/* Delegated: a mailbox signs in once with printmail --authorize. */
	if (a->user == NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s]: oauth2_flow = "
		    "%s needs user = the mailbox address", f, s,
		    conf_flow_name(flow));
	if (google && flow == CONF_FLOW_DEVICE_CODE)
		return err_set(e, ERR_CONFIG, "%s: account [%s]: Google refuses "
		    "Gmail's scope in the device flow: set oauth2_flow = "
		    "authorization_code", f, s);
	if (google && a->oauth2_client_secret == NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s]: a Google "
		    "\"Desktop app\" client needs oauth2_client_secret (or "
		    "oauth2_client_secret_file) from the client's JSON file",
		    f, s);
	if (ms && a->oauth2_client_secret != NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s]: Microsoft "
		    "refuses a client secret from a public client (AADSTS700025)"
		    ": remove oauth2_client_secret for oauth2_flow = %s, or use "
		    "oauth2_flow = client_credentials", f, s,
		    conf_flow_name(flow));
	if (ms && a->oauth2_tenant == NULL && (a->oauth2_token_url == NULL ||
	    (flow == CONF_FLOW_AUTHORIZATION_CODE ?
	    a->oauth2_authorize_url : a->oauth2_device_url) == NULL))
		return err_set(e, ERR_CONFIG, "%s: account [%s]: set "
		    "oauth2_tenant = the Directory (tenant) ID or the domain "
		    "(Microsoft Entra admin center > Overview)", f, s);
	if (!ms && !google && (a->oauth2_token_url == NULL ||
	    (flow == CONF_FLOW_AUTHORIZATION_CODE ? a->oauth2_authorize_url :
	    a->oauth2_device_url) == NULL))
		return err_set(e, ERR_CONFIG, "%s: account [%s]: for oauth2_flow "
		    "= %s set provider = office365 or gmail, or %s and "
		    "oauth2_token_url", f, s, conf_flow_name(flow),
		    flow == CONF_FLOW_AUTHORIZATION_CODE ?
		    "oauth2_authorize_url" : "oauth2_device_url");
	if (a->oauth2_token_file == NULL) {
		snprintf(path, sizeof(path), "%s/%s.json", CONF_TOKEN_DIR, s);
		if ((a->oauth2_token_file = strdup(path)) == NULL)
			return err_sys(e, ERR_INTERNAL, "strdup");
	}
	if (a->oauth2_token_file[0] != '/')
		return err_set(e, ERR_CONFIG, "%s: account [%s]: "
		    "oauth2_token_file must be an absolute path", f, s);
	return 0;
}

static int
validate(struct conf_account *a, struct err *e)
{
	const char *f = a->path, *s = a->name;

	if (a->host == NULL || *a->host == '\0')
		return err_set(e, ERR_CONFIG, "%s: account [%s] has no host "
		    "(set host = ... or provider = office365 | gmail)", f, s);
	if (a->from == NULL || strchr(a->from, '@') == NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s] needs "
		    "from = the full address of the mailbox", f, s);
	if (a->admin_address != NULL && !header_addr_is_full(a->admin_address))
		return err_set(e, ERR_CONFIG, "%s: account [%s]: "
		    "admin_address must be one full address (user@domain)",
		    f, s);
	if (a->timeout == 0)
		return err_set(e, ERR_CONFIG, "%s: account [%s]: timeout "
		    "must be at least 1 second", f, s);
	if (a->password != NULL && a->password_file != NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s] sets both "
		    "password and password_file; keep one", f, s);
	if (a->oauth2_client_secret != NULL &&
	    a->oauth2_client_secret_file != NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s] sets both "
		    "oauth2_client_secret and oauth2_client_secret_file", f, s);
	if (a->password != NULL && a->password[0] == '\0')
		return err_set(e, ERR_CONFIG, "%s: account [%s]: password is "
		    "empty (put the App Password after password =)", f, s);
	if (a->oauth2_client_secret != NULL &&
	    a->oauth2_client_secret[0] == '\0')
		return err_set(e, ERR_CONFIG, "%s: account [%s]: "
		    "oauth2_client_secret is empty", f, s);
	/* A CA others can change would let them read the password. */
	if (a->tls_ca_file != NULL &&
	    check_trust_file(a->tls_ca_file, "tls_ca_file", e) == -1)
		return -1;
	if (a->password_file != NULL && (a->password =
	    conf_read_secret_file(a->password_file, "password_file", e)) ==
	    NULL)
		return -1;
	if (a->oauth2_client_secret_file != NULL &&
	    (a->oauth2_client_secret = conf_read_secret_file(
	    a->oauth2_client_secret_file, "oauth2_client_secret_file", e)) ==
	    NULL)
		return -1;
	if (a->user == NULL && (a->password != NULL ||
	    a->auth != CONF_AUTH_AUTO))
		return err_set(e, ERR_CONFIG, "%s: account [%s] has a "
		    "password or auth method but no user", f, s);
	if (validate_oauth(a, e) == -1)
		return -1;
	if (a->user != NULL) {
		int token = a->oauth2_flow != CONF_FLOW_NONE;

		if (a->tls == CONF_TLS_NONE)
			return err_set(e, ERR_CONFIG, "%s: account [%s] has "
			    "credentials and tls = none: printmail never "
			    "authenticates without TLS", f, s);
		if (a->auth == CONF_AUTH_XOAUTH2 && !token)
			return err_set(e, ERR_CONFIG, "%s: account [%s]: auth "
			    "= xoauth2 needs oauth2_token_command or "
			    "oauth2_client_id", f, s);
		if (a->auth != CONF_AUTH_XOAUTH2 && a->password == NULL &&
		    !token)
			return err_set(e, ERR_CONFIG, "%s: account [%s] has "
			    "user but no password or password_file", f, s);
	}
	return 0;
}

int
conf_load(const char *path, const char *account, struct conf_account *a,
    struct err *e)
{
	struct parsed		 p;
	const struct entry	*en;
	size_t			 i;

	memset(a, 0, sizeof(*a));
	a->port = 0;
	a->tls = CONF_TLS_STARTTLS;
	a->auth = CONF_AUTH_AUTO;
	a->timeout = 60;
	a->rewrite_from = 1;
	a->soft_bounce = 1;
	a->queue_lifetime = 5 * 86400L;
	if (account == NULL)
		account = "default";
	if (parse_file(path, &p, e) == -1)
		return -1;
	if ((a->path = strdup(path)) == NULL ||
	    (a->name = strdup(account)) == NULL) {
		parsed_free(&p);
		conf_account_clear(a);
		return err_sys(e, ERR_INTERNAL, "strdup");
	}
	if (!section_seen(&p, account)) {
		err_set(e, ERR_CONFIG, "%s: no account [%s]", path, account);
		goto fail;
	}
	for (i = 0; i < NKEYS; i++) {
		en = account_entry(&p, account, i);
		if (en != NULL && convert(&p, &conf_keys[i], en, a, e) == -1)
			goto fail;
	}
	if (apply_defaults(&p, account, a, e) == -1 || validate(a, e) == -1)
		goto fail;
	parsed_free(&p);
	return 0;
fail:
	parsed_free(&p);
	conf_account_clear(a);
	return -1;
}

void
conf_account_clear(struct conf_account *a)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++) {
		char **field = (char **)((char *)a + conf_keys[i].off);

		if (conf_keys[i].type == KT_SECRET)
			util_free_secret(*field);
		else if (conf_keys[i].type == KT_STR)
			free(*field);
	}
	free(a->path);
	free(a->name);
	memset(a, 0, sizeof(*a));
}

size_t
conf_warnings(const struct conf_account *a, const char **out, size_t max)
{
	size_t	n = 0;
	int	m365 = (a->provider != NULL &&
		    strcmp(a->provider, "office365") == 0) ||
		    (a->host != NULL &&
		    strcasecmp(a->host, "smtp.office365.com") == 0);

#define WARN(s) do { if (n < max) out[n++] = (s); } while (0)
	if (a->port == 465 && a->tls == CONF_TLS_STARTTLS)
		WARN("port 465 expects TLS from the first byte: set tls = "
		    "implicit, or use port 587 with tls = starttls");
	if (a->port == 587 && a->tls == CONF_TLS_IMPLICIT)
		WARN("port 587 is for STARTTLS: set tls = starttls, or use "
		    "port 465 with tls = implicit");
	if (m365 && a->port == 465)
		WARN("Microsoft 365 does not offer port 465: use port 587 with "
		    "tls = starttls (provider = office365 does)");
	if (m365 && a->user != NULL && strchr(a->user, '@') == NULL)
		WARN("Microsoft 365 wants the full address as user "
		    "(name@domain)");
	if (m365 && a->auth == CONF_AUTH_PLAIN)
		WARN("Microsoft 365 does not offer AUTH PLAIN: set auth = "
		    "login, or auth = auto");
#undef WARN
	return n;
}

const char *
conf_tls_name(enum conf_tls tls)
{
	switch (tls) {
	case CONF_TLS_STARTTLS:	return "starttls";
	case CONF_TLS_IMPLICIT:	return "implicit";
	case CONF_TLS_NONE:	return "none";
	}
	return "?";
}

const char *
conf_auth_name(enum conf_auth auth)
{
	switch (auth) {
	case CONF_AUTH_AUTO:	return "auto";
	case CONF_AUTH_LOGIN:	return "login";
	case CONF_AUTH_PLAIN:	return "plain";
	case CONF_AUTH_XOAUTH2:	return "xoauth2";
	}
	return "?";
}

const char *
conf_flow_name(enum conf_flow flow)
{
	switch (flow) {
	case CONF_FLOW_AUTHORIZATION_CODE:	return "authorization_code";
	case CONF_FLOW_DEVICE_CODE:		return "device_code";
	case CONF_FLOW_CLIENT_CREDENTIALS:	return "client_credentials";
	case CONF_FLOW_COMMAND:			return "command";
	case CONF_FLOW_NONE:			break;
	}
	return "none";
}

int
conf_accounts(const char *path, char ***names, size_t *n, struct err *e)
{
	struct parsed	p;

	*names = NULL;
	*n = 0;
	if (parse_file(path, &p, e) == -1)
		return -1;
	*names = p.sect;
	*n = p.nsect;
	p.sect = NULL;
	p.nsect = 0;
	parsed_free(&p);
	return 0;
}
