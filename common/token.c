/*
 * token.c: delegated OAuth 2.0: the account's token store, and refreshing
 * the access token with the stored refresh token.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "conf.h"
#include "log.h"
#include "oauth.h"
#include "util.h"

/* Refresh when less is left: Microsoft's HVE refuses tokens near expiry. */
#define TOKEN_MARGIN	600
#define STORE_MAX	65536

#define MS_AUTHORITY	"https://login.microsoftonline.com/"
#define MS_SCOPE	"offline_access https://outlook.office.com/SMTP.Send"
#define GOOGLE_AUTHORIZE "https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN	"https://oauth2.googleapis.com/token"
#define GOOGLE_SCOPE	"https://mail.google.com/"

void
oauth_b64url(const unsigned char *in, size_t n, char *out)
{
	size_t	i, len = util_b64_encode(in, n, out);

	for (i = 0; i < len; i++)
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	while (len > 0 && out[len - 1] == '=')
		out[--len] = '\0';
}

void
oauth_pkce_challenge(const char *verifier, char out[44])
{
	unsigned char	md[SHA256_DIGEST_LENGTH];
	char		b[48];

	SHA256((const unsigned char *)verifier, strlen(verifier), md);
	oauth_b64url(md, sizeof(md), b);
	memcpy(out, b, 44);
}

struct store {
	int		 exists;
	char		*refresh_token;		/* secret */
	char		*access_token;		/* secret */
	long long	 signed_in_at;
	long long	 last_refresh_at;
	long long	 access_expires_at;
	int		 needs_reauth;
	char		 reason[256];
	char		 client_id[256];
};

static void
store_clear(struct store *st)
{
	util_free_secret(st->refresh_token);
	util_free_secret(st->access_token);
	memset(st, 0, sizeof(*st));
}

int
oauth_endpoints(const struct conf_account *a, struct oauth_endpoints *ep,
    struct err *e)
{
	const char	*t = a->oauth2_tenant;

	memset(ep, 0, sizeof(*ep));
	ep->microsoft = conf_is_microsoft(a);
	ep->google = !ep->microsoft && conf_is_google(a);
	if (ep->microsoft && t != NULL) {
		snprintf(ep->authorize, sizeof(ep->authorize), MS_AUTHORITY
		    "%s/oauth2/v2.0/authorize", t);
		snprintf(ep->device, sizeof(ep->device), MS_AUTHORITY
		    "%s/oauth2/v2.0/devicecode", t);
		snprintf(ep->token, sizeof(ep->token), MS_AUTHORITY
		    "%s/oauth2/v2.0/token", t);
	} else if (ep->google) {
		util_strlcpy(ep->authorize, GOOGLE_AUTHORIZE,
		    sizeof(ep->authorize));
		util_strlcpy(ep->token, GOOGLE_TOKEN, sizeof(ep->token));
	}
	if (a->oauth2_authorize_url != NULL)
		util_strlcpy(ep->authorize, a->oauth2_authorize_url,
		    sizeof(ep->authorize));
	if (a->oauth2_device_url != NULL)
		util_strlcpy(ep->device, a->oauth2_device_url,
		    sizeof(ep->device));
	if (a->oauth2_token_url != NULL)
		util_strlcpy(ep->token, a->oauth2_token_url, sizeof(ep->token));
	util_strlcpy(ep->scope, a->oauth2_scope ? a->oauth2_scope :
	    ep->google ? GOOGLE_SCOPE : MS_SCOPE, sizeof(ep->scope));
	if (ep->token[0] == '\0')
		return err_set(e, ERR_CONFIG, "%s: account [%s]: no token "
		    "endpoint: set oauth2_tenant (Microsoft), provider = gmail, "
		    "or oauth2_token_url", a->path, a->name);
	return 0;
}

/* The store's directory, with a trailing NUL where the name began. */
static int
store_dir(const char *path, char *dir, size_t len, struct err *e)
{
	char	*slash;

	if (util_strlcpy(dir, path, len) >= len ||
	    (slash = strrchr(dir, '/')) == NULL)
		return err_set(e, ERR_CONFIG, "oauth2_token_file %s: not an "
		    "absolute path", path);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

/*
 * The directory: owned by root or us, closed to "other" (the tokens are
 * the mailbox), writable by its group only (the senders), and safe above.
 * Created (0700) when missing, as printmail --authorize does the first
 * time.
 */
static int
check_dir(const char *dir, int create, struct err *e)
{
	struct stat	st;

	if (lstat(dir, &st) == -1 && errno == ENOENT && create &&
	    mkdir(dir, 0700) == 0)
		log_msg(LOG_LVL_INFO, "created the token directory %s", dir);
	if (lstat(dir, &st) == -1)
		return err_sys(e, ERR_CONFIG, "token directory %s (for "
		    "oauth2_token_file)", dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ERR_CONFIG, "token directory %s is not a "
		    "directory", dir);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return err_set(e, ERR_CONFIG, "token directory %s is owned by "
		    "uid %ld: only root%s may own it; fix it with: chown root %s",
		    dir, (long)st.st_uid, geteuid() ? " or the user who runs "
		    "printmail" : "", dir);
	if (st.st_mode & S_IRWXO)
		return err_set(e, ERR_CONFIG, "token directory %s is open to "
		    "other users; fix it with: chmod o-rwx %s", dir, dir);
	return conf_check_parents(dir, "token directory", e);
}

/* FILE.lock, locked exclusively; waits at most wait_ms. */
static int
store_lock(const char *path, mode_t mode, gid_t gid, int wait_ms,
    struct err *e)
{
	struct stat st;
	char	lock[4200];
	int64_t	deadline = util_now_ms() + wait_ms;
	int	fd;

	snprintf(lock, sizeof(lock), "%s.lock", path);
	/* flock() needs no write access: the senders' group reads it. */
	fd = open(lock, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd == -1)
		return err_sys(e, ERR_CONFIG, "cannot open the token lock %s",
		    lock);
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid()) {
		/* Best effort: a lock the group cannot open says so later. */
		if (gid != (gid_t)-1 && fchown(fd, (uid_t)-1, gid) == -1)
			log_trace("cannot give %s to group %ld",
			    lock, (long)gid);
		if (fchmod(fd, mode) == -1)
			log_trace("cannot chmod %s", lock);
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_sys(e, ERR_INTERNAL, "cannot lock %s", lock);
			break;
		}
		if (util_now_ms() >= deadline) {
			err_set(e, ERR_TEMP, "the token store %s stayed locked "
			    "for %d s (another printmail is refreshing it)",
			    path, wait_ms / 1000);
			break;
		}
		usleep(20000);
	}
	close(fd);
	return -1;
}

static long long
json_ll(json_object *root, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(root, key, &v))
		return 0;
	return (long long)json_object_get_int64(v);
}

static int
dup_str(json_object *root, const char *key, char **out, struct err *e)
{
	const char	*s = oauth_json_str(root, key);

	*out = NULL;
	if (s != NULL && *s != '\0' && (*out = strdup(s)) == NULL)
		return err_sys(e, ERR_INTERNAL, "strdup");
	return 0;
}

static int
store_read(const char *path, struct store *st, struct err *e)
{
	struct stat	 sb;
	json_object	*root;
	char		*buf;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, rc = -1;
	const char	*s;

	memset(st, 0, sizeof(*st));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1)
		return err_sys(e, ERR_CONFIG, "cannot open the token store %s%s", path, errno == ELOOP ?
		    " (a symbolic link: refused)" : "");
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(e, ERR_CONFIG, "token store %s is not a regular "
		    "file", path);
	}
	if (sb.st_mode & S_IRWXO) {
		close(fd);
		return err_set(e, ERR_CONFIG, "token store %s is open to other "
		    "users; fix it with: chmod o-rwx %s", path, path);
	}
	if ((buf = malloc(STORE_MAX)) == NULL) {
		close(fd);
		return err_sys(e, ERR_INTERNAL, "malloc");
	}
	while (len < STORE_MAX - 1 &&
	    (n = read(fd, buf + len, STORE_MAX - 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	root = json_tokener_parse(buf);
	util_wipe(buf, STORE_MAX);
	free(buf);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		if (root != NULL)
			json_object_put(root);
		return err_set(e, ERR_CONFIG, "token store %s is not what "
		    "printmail wrote (not a JSON object): sign in again with "
		    "printmail --authorize", path);
	}
	st->exists = 1;
	if (dup_str(root, "refresh_token", &st->refresh_token, e) == -1 ||
	    dup_str(root, "access_token", &st->access_token, e) == -1)
		goto out;
	st->signed_in_at = json_ll(root, "signed_in_at");
	st->last_refresh_at = json_ll(root, "last_refresh_at");
	st->access_expires_at = json_ll(root, "access_expires_at");
	st->needs_reauth = json_ll(root, "needs_reauth") != 0;
	if ((s = oauth_json_str(root, "reason")) != NULL)
		util_strlcpy(st->reason, s, sizeof(st->reason));
	if ((s = oauth_json_str(root, "client_id")) != NULL)
		util_strlcpy(st->client_id, s, sizeof(st->client_id));
	util_clean(st->reason);
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

/* Appends "key": "value" with JSON escapes; 0, or -1 when it is full. */
static int
put_str(char *buf, size_t cap, size_t *len, const char *key, const char *v)
{
	const char	*p;
	int		 n;

	n = snprintf(buf + *len, cap - *len, "%s\"%s\": \"", *len > 2 ?
	    ",\n  " : "  ", key);
	if (n < 0 || (size_t)n >= cap - *len)
		return -1;
	*len += (size_t)n;
	for (p = v ? v : ""; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (cap - *len < 8)
			return -1;
		if (c == '"' || c == '\\')
			*len += (size_t)snprintf(buf + *len, cap - *len,
			    "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			*len += (size_t)snprintf(buf + *len, cap - *len,
			    "\\u%04x", c);
		else
			buf[(*len)++] = (char)c;
	}
	if (cap - *len < 2)
		return -1;
	buf[(*len)++] = '"';
	buf[*len] = '\0';
	return 0;
}

static int
put_num(char *buf, size_t cap, size_t *len, const char *key, long long v)
{
	int	n = snprintf(buf + *len, cap - *len, ",\n  \"%s\": %lld", key, v);

	if (n < 0 || (size_t)n >= cap - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/* Atomically replaces the store; the old file stays whole on failure. */
static int
store_write(const char *path, const struct store *st, struct err *e)
{
	char		 dir[4096], tmp[4200], *buf;
	struct stat	 ds;
	size_t		 len = 0;
	int		 fd, dfd, ok;

	if (store_dir(path, dir, sizeof(dir), e) == -1)
		return -1;
	if ((buf = malloc(STORE_MAX)) == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	buf[len++] = '{';
	buf[len++] = '\n';
	buf[len] = '\0';
	ok = put_str(buf, STORE_MAX, &len, "version", "1") == 0 &&
	    put_str(buf, STORE_MAX, &len, "client_id", st->client_id) == 0 &&
	    put_str(buf, STORE_MAX, &len, "refresh_token",
	    st->refresh_token) == 0 &&
	    put_str(buf, STORE_MAX, &len, "access_token",
	    st->access_token) == 0 &&
	    put_num(buf, STORE_MAX, &len, "access_expires_at",
	    st->access_expires_at) == 0 &&
	    put_num(buf, STORE_MAX, &len, "signed_in_at",
	    st->signed_in_at) == 0 &&
	    put_num(buf, STORE_MAX, &len, "last_refresh_at",
	    st->last_refresh_at) == 0 &&
	    put_num(buf, STORE_MAX, &len, "needs_reauth",
	    st->needs_reauth) == 0 &&
	    put_str(buf, STORE_MAX, &len, "reason", st->reason) == 0 &&
	    len + 3 < STORE_MAX;
	if (!ok) {
		util_wipe(buf, STORE_MAX);
		free(buf);
		return err_set(e, ERR_INTERNAL, "tokens too large to store");
	}
	buf[len++] = '\n';
	buf[len++] = '}';
	buf[len++] = '\n';
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		util_wipe(buf, STORE_MAX);
		free(buf);
		return err_sys(e, ERR_TEMP, "cannot create a file in the token "
		    "directory %s", dir);
	}
	/* The senders' group may use it where it may write the directory. */
	ok = stat(dir, &ds) == 0 &&
	    ((ds.st_mode & S_IWGRP) == 0 || fchown(fd, (uid_t)-1,
	    ds.st_gid) == 0) &&
	    fchmod(fd, (ds.st_mode & S_IWGRP) ? 0640 : 0600) == 0 &&
	    util_write_all(fd, buf, len) == 0 && fsync(fd) == 0;
	util_wipe(buf, STORE_MAX);
	free(buf);
	if (close(fd) == -1)
		ok = 0;
	if (!ok || rename(tmp, path) == -1) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		return err_sys(e, ERR_TEMP, "cannot write the token store %s "
		    "(the old one is kept)", path);
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int
need_authorize(const struct conf_account *a, const char *why, struct err *e)
{
	return err_set(e, ERR_AUTH, "account [%s] %s: sign the mailbox in "
	    "again with: printmail --authorize -a %s", a->name, why, a->name);
}

/* Opens the store: directory checked, lock taken, file read. */
static int
store_open(const struct conf_account *a, int create, struct store *st,
    struct err *e)
{
	struct stat	ds;
	char		dir[4096];
	int		lfd;

	memset(st, 0, sizeof(*st));
	if (a->oauth2_token_file == NULL)
		return err_set(e, ERR_CONFIG, "%s: account [%s] has no "
		    "oauth2_token_file (oauth2_flow = authorization_code or "
		    "device_code)", a->path, a->name);
	if (store_dir(a->oauth2_token_file, dir, sizeof(dir), e) == -1)
		return -1;
	if (!create && lstat(dir, &ds) == -1 && errno == ENOENT)
		return need_authorize(a, "has no OAuth sign-in yet (no token "
		    "directory)", e);
	if (check_dir(dir, create, e) == -1 || stat(dir, &ds) == -1)
		return -1;
	if ((lfd = store_lock(a->oauth2_token_file, (ds.st_mode & S_IWGRP) ?
	    0640 : 0600, (ds.st_mode & S_IWGRP) ? ds.st_gid : (gid_t)-1,
	    (a->timeout + 5) * 1000, e)) == -1)
		return -1;
	/* Read after locking: another process may have just refreshed. */
	if (store_read(a->oauth2_token_file, st, e) == -1) {
		close(lfd);
		return -1;
	}
	return lfd;
}

static void
store_close(int lfd, struct store *st)
{
	store_clear(st);
	if (lfd != -1)
		close(lfd);		/* releases the lock */
}

/* The access token's end from an answer; -1 when it is malformed. */
static long long
expires_at(json_object *root)
{
	json_object	*v;
	long long	 n = 3600;
	char		*end;

	if (json_object_object_get_ex(root, "expires_in", &v)) {
		if (json_object_is_type(v, json_type_string)) {
			n = strtoll(json_object_get_string(v), &end, 10);
			if (*end != '\0')
				return -1;
		} else if (json_object_is_type(v, json_type_int))
			n = (long long)json_object_get_int64(v);
		else
			return -1;
	}
	if (n <= 0 || n > 366LL * 86400)
		return -1;
	return (long long)time(NULL) + n;
}

/* Takes the tokens of a 200 answer into st. */
static int
take_answer(const char *url, json_object *root, struct store *st,
    struct err *e)
{
	const char	*at = oauth_json_str(root, "access_token");
	const char	*rt = oauth_json_str(root, "refresh_token");
	long long	 until = root ? expires_at(root) : -1;
	char		*nat = NULL, *nrt = NULL;

	if (root == NULL)
		return err_set(e, ERR_TEMP, "token endpoint %s answered with "
		    "something that is not JSON", url);
	if (at == NULL || *at == '\0')
		return err_set(e, ERR_PROTOCOL, "token endpoint %s: no "
		    "access_token in its answer", url);
	if (until == -1)
		return err_set(e, ERR_PROTOCOL, "token endpoint %s: expires_in "
		    "is not a positive number of seconds", url);
	if ((nat = strdup(at)) == NULL ||
	    (rt != NULL && *rt != '\0' && (nrt = strdup(rt)) == NULL)) {
		util_free_secret(nat);
		return err_sys(e, ERR_INTERNAL, "strdup");
	}
	util_free_secret(st->access_token);
	st->access_token = nat;
	st->access_expires_at = until;
	/* Google usually sends none on refresh: the old one stays good. */
	if (nrt != NULL) {
		util_free_secret(st->refresh_token);
		st->refresh_token = nrt;
	}
	st->last_refresh_at = (long long)time(NULL);
	st->needs_reauth = 0;
	st->reason[0] = '\0';
	return 0;
}

/* The refresh grant; the store is written only when it changed. */
static int
refresh(const struct conf_account *a, const struct oauth_endpoints *ep,
    struct store *st, struct err *e)
{
	struct oauth_form f = { .n = 0 };
	json_object	*root = NULL;
	struct err	 re;
	long		 status;
	int		 rc = -1;

	oauth_form_add(&f, "grant_type", "refresh_token");
	oauth_form_add(&f, "client_id", a->oauth2_client_id);
	oauth_form_add(&f, "refresh_token", st->refresh_token);
	if (a->oauth2_client_secret != NULL)
		oauth_form_add(&f, "client_secret", a->oauth2_client_secret);
	/* Optional by the book; Microsoft wants it (AADSTS900144). */
	if (!ep->google)
		oauth_form_add(&f, "scope", ep->scope);
	if (oauth_post(a, ep->token, &f, &status, &root, e) == -1)
		return -1;
	if (status == 200) {
		if (take_answer(ep->token, root, st, e) == 0 &&
		    store_write(a->oauth2_token_file, st, e) == 0) {
			log_msg(LOG_LVL_INFO, "access token refreshed, valid "
			    "for %lld s", st->access_expires_at -
			    (long long)time(NULL));
			rc = 0;
		}
		goto out;
	}
	err_clear(&re);
	if (oauth_error(a, ep->token, status, root, "the refresh token",
	    &re) == OAUTH_REAUTH) {
		/* Kept, marked: no retry storm, mail waits for the admin. */
		st->needs_reauth = 1;
		util_strlcpy(st->reason, re.msg, sizeof(st->reason));
		(void)store_write(a->oauth2_token_file, st, e);
		err_clear(e);
		err_set(e, ERR_AUTH, "account [%s]: the mailbox's sign-in is no "
		    "longer valid (%s): sign it in again with: printmail "
		    "--authorize -a %s", a->name, re.msg, a->name);
		err_nest(e, &re);
		if (ep->google)
			err_append(e, "; a Google app left in \"Testing\" gets "
			    "refresh tokens that expire after 7 days: publish "
			    "it (\"In production\")");
		goto out;
	}
	*e = re;
out:
	if (root != NULL)
		json_object_put(root);
	return rc;
}

/* Whether the store belongs to this account's app registration. */
static int
store_usable(const struct conf_account *a, const struct store *st,
    struct err *e)
{
	if (!st->exists || st->refresh_token == NULL)
		return need_authorize(a, "has no OAuth sign-in yet", e);
	if (strcmp(st->client_id, a->oauth2_client_id) != 0)
		return need_authorize(a, "was signed in with another "
		    "oauth2_client_id", e);
	if (st->needs_reauth) {
		char why[400];

		snprintf(why, sizeof(why), "needs signing in again (%s)",
		    st->reason[0] ? st->reason : "refused earlier");
		return need_authorize(a, why, e);
	}
	return 0;
}

char *
oauth_store_token(const struct conf_account *a, int force, struct err *e)
{
	struct oauth_endpoints	 ep;
	struct store		 st;
	char			*tok = NULL;
	int			 lfd;

	if (oauth_endpoints(a, &ep, e) == -1 ||
	    (lfd = store_open(a, 0, &st, e)) == -1)
		return NULL;
	if (store_usable(a, &st, e) == -1)
		goto out;
	if (force || st.access_token == NULL ||
	    st.access_expires_at - TOKEN_MARGIN <= (long long)time(NULL)) {
		if (refresh(a, &ep, &st, e) == -1)
			goto out;
	} else
		log_msg(LOG_LVL_INFO, "access token from the token store, "
		    "valid for %lld s", st.access_expires_at -
		    (long long)time(NULL));
	if ((tok = strdup(st.access_token)) == NULL)
		err_sys(e, ERR_INTERNAL, "strdup");
out:
	store_close(lfd, &st);
	return tok;
}

int
oauth_store_grant(const struct conf_account *a, json_object *answer,
    struct err *e)
{
	struct oauth_endpoints	 ep;
	struct store		 st;
	int			 lfd, rc = -1;

	if (oauth_endpoints(a, &ep, e) == -1)
		return -1;
	if (oauth_json_str(answer, "refresh_token") == NULL)
		return err_set(e, ERR_CONFIG, "the token endpoint gave no "
		    "refresh token, so the sign-in would end within the hour: "
		    "oauth2_scope must include offline_access (Microsoft)%s",
		    ep.google ? "; Google: access_type=offline" : "");
	if ((lfd = store_open(a, 1, &st, e)) == -1)
		return -1;
	/* A new sign-in replaces whatever was there. */
	store_clear(&st);
	util_strlcpy(st.client_id, a->oauth2_client_id, sizeof(st.client_id));
	if (take_answer(ep.token, answer, &st, e) == 0) {
		st.signed_in_at = st.last_refresh_at;
		rc = store_write(a->oauth2_token_file, &st, e);
	}
	store_close(lfd, &st);
	return rc;
}

int
oauth_store_refresh(const struct conf_account *a, long min_age,
    struct err *e)
{
	struct oauth_endpoints	 ep;
	struct store		 st;
	int			 lfd, rc = -1;

	if (oauth_endpoints(a, &ep, e) == -1 ||
	    (lfd = store_open(a, 0, &st, e)) == -1)
		return -1;
	if (store_usable(a, &st, e) == -1)
		goto out;
	if ((long long)time(NULL) - st.last_refresh_at < min_age)
		rc = 0;
	else if (refresh(a, &ep, &st, e) == 0)
		rc = 1;
out:
	store_close(lfd, &st);
	return rc;
}

int
oauth_store_info(const struct conf_account *a, struct oauth_store_info *i,
    struct err *e)
{
	struct store	st;
	char		dir[4096];

	memset(i, 0, sizeof(*i));
	/* No lock: a look, not a change; the file is replaced whole. */
	if (a->oauth2_token_file == NULL ||
	    store_dir(a->oauth2_token_file, dir, sizeof(dir), e) == -1 ||
	    check_dir(dir, 0, e) == -1 ||
	    store_read(a->oauth2_token_file, &st, e) == -1)
		return -1;
	i->exists = st.exists && st.refresh_token != NULL;
	i->needs_reauth = st.needs_reauth;
	i->signed_in_at = st.signed_in_at;
	i->last_refresh_at = st.last_refresh_at;
	i->access_expires_at = st.access_expires_at;
	util_strlcpy(i->reason, st.reason, sizeof(i->reason));
	store_clear(&st);
	return 0;
}
