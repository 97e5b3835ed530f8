/*
 * oauth.c: running the token command.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <stdio.h>
#include <time.h>

#include <dlfcn.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/sha.h>

#include "conf.h"
#include "log.h"
#include "oauth.h"
#include "util.h"

#define OAUTH_MAX_ARGS	64
#define OAUTH_MAX_OUT	16384

/* Splits s in place into at most max-1 words; returns the count or -1. */
static int
split(char *s, char **argv, int max)
{
	int	 n = 0;
	char	*o;

	while (*s != '\0') {
		char quote = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (n == max - 1)
			return -1;
		argv[n++] = o = s;
		for (; *s != '\0'; s++) {
			if (quote) {
				if (*s == quote) {
					quote = 0;
					continue;
				}
			} else if (*s == '"' || *s == '\'') {
				quote = *s;
				continue;
			} else if (*s == ' ' || *s == '\t')
				break;
			*o++ = *s;
		}
		if (quote)
			return -1;
		if (*s != '\0')
			s++;
		*o = '\0';
	}
	argv[n] = NULL;
	return n;
}

/* A token command's standard error: relayed one clean line at a time. */
struct errbuf {
	char	line[512];
	size_t	len;
	int	lines;
};

static void
errbuf_flush(struct errbuf *b, const char *name)
{
	/* A chatty or hostile helper gets some lines, not the log. */
	if (b->len > 0 && b->lines++ < 64) {
		b->line[b->len] = '\0';
		log_msg(LOG_LVL_ERROR, "oauth2_token_command %s: %s", name,
		    b->line);
	}
	b->len = 0;
}

static void
errbuf_add(struct errbuf *b, const char *p, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			errbuf_flush(b, name);
			continue;
		}
		if (b->len < sizeof(b->line) - 1)
			b->line[b->len++] = p[i];
	}
}

/*
 * The helper's exit status by the convention printmail documents (and
 * sysexits(3) uses): 75 temporary (network, endpoint down: the message
 * waits), 126/127 cannot be run (the config), killed by a signal other
 * than ours is temporary too; anything else needs the admin.
 */
static void
command_failed(const char *name, int status, struct err *e)
{
	int	code = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);

	if (WIFEXITED(status) && (code == 126 || code == 127))
		err_set(e, ERR_CONFIG, "cannot run oauth2_token_command %s "
		    "(exit status %d)", name, code);
	else if (code == 75 || !WIFEXITED(status))
		err_set(e, ERR_TEMP, "oauth2_token_command %s failed "
		    "temporarily (exit status %d)", name, code);
	else
		err_set(e, ERR_AUTH, "oauth2_token_command %s failed (exit "
		    "status %d): the account needs the admin (a helper exits "
		    "75 for a temporary failure)", name, code);
}

char *
oauth_token_from_command(const char *cmd, int timeout_ms, struct err *e)
{
	char		*copy, *argv[OAUTH_MAX_ARGS], *tok = NULL;
	char		 out[OAUTH_MAX_OUT], chunk[4096];
	struct errbuf	 eb;
	size_t		 len = 0;
	int64_t		 deadline = util_now_ms() + timeout_ms;
	int		 ofd[2], efd[2] = { -1, -1 }, status = 0;
	int		 timed_out = 0, exited = 0, nul, open_out, open_err;
	pid_t		 pid;

	memset(&eb, 0, sizeof(eb));
	if ((copy = strdup(cmd)) == NULL) {
		err_sys(e, ERR_INTERNAL, "strdup");
		return NULL;
	}
	if (split(copy, argv, OAUTH_MAX_ARGS) <= 0) {
		free(copy);
		err_set(e, ERR_CONFIG, "oauth2_token_command: empty, unbalanced "
		    "quotes or too many words");
		return NULL;
	}
	if (pipe2(ofd, O_CLOEXEC) == -1 || pipe2(efd, O_CLOEXEC) == -1) {
		if (efd[0] == -1 && ofd[0] >= 0) {
			close(ofd[0]);
			close(ofd[1]);
		}
		free(copy);
		err_sys(e, ERR_INTERNAL, "pipe");
		return NULL;
	}
	if ((pid = fork()) == -1) {
		free(copy);
		close(ofd[0]);
		close(ofd[1]);
		close(efd[0]);
		close(efd[1]);
		err_sys(e, ERR_INTERNAL, "fork");
		return NULL;
	}
	if (pid == 0) {
		/*
		 * Its own process group, so a timeout ends it and whatever it
		 * started; nothing of ours open but the three standard
		 * descriptors (the message, the config, the spool file).
		 */
		(void)setpgid(0, 0);
		nul = open("/dev/null", O_RDONLY);
		if (nul == -1 || dup2(nul, STDIN_FILENO) == -1 ||
		    dup2(ofd[1], STDOUT_FILENO) == -1 ||
		    dup2(efd[1], STDERR_FILENO) == -1)
			_exit(126);
		close_range(3, ~0U, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	(void)setpgid(pid, pid);
	close(ofd[1]);
	close(efd[1]);
	open_out = open_err = 1;
	/*
	 * Until the helper has exited and said all it had to say, or the
	 * deadline.  A helper that exits while a child of its own still holds
	 * its standard output has finished: what it printed is read without
	 * waiting for that child.
	 */
	for (;;) {
		struct pollfd	pfd[2] = { { ofd[0], POLLIN, 0 },
				    { efd[0], POLLIN, 0 } };
		int64_t		left = deadline - util_now_ms();
		ssize_t		n;
		int		k, r;

		if (!exited) {
			siginfo_t si;

			/* Not reaped yet: its group id stays ours to kill. */
			si.si_pid = 0;
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
			    WNOWAIT) == 0 && si.si_pid == pid)
				exited = 1;
		}
		if (!open_out && !open_err && exited)
			break;
		if (left <= 0) {
			timed_out = !exited;
			break;
		}
		pfd[0].fd = open_out ? ofd[0] : -1;
		pfd[1].fd = open_err ? efd[0] : -1;
		/* After the exit only what is already in the pipes counts. */
		r = poll(pfd, 2, exited ? 0 : (int)(left < 50 ? left : 50));
		if (r == -1 && errno != EINTR)
			break;
		if (r <= 0) {
			if (exited)
				break;
			continue;
		}
		for (k = 0; k < 2; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (k == 0) {
				n = read(ofd[0], out + len,
				    sizeof(out) - 1 - len);
				if (n > 0)
					len += (size_t)n;
				if (n == 0 || (n == -1 && errno != EINTR) ||
				    len == sizeof(out) - 1)
					open_out = 0;
			} else {
				n = read(efd[0], chunk, sizeof(chunk));
				if (n > 0)
					errbuf_add(&eb, chunk, (size_t)n,
					    argv[0]);
				if (n == 0 || (n == -1 && errno != EINTR))
					open_err = 0;
			}
		}
	}
	close(ofd[0]);
	close(efd[0]);
	errbuf_flush(&eb, argv[0]);
	/* The helper's group: it, or what it left behind holding a pipe. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	out[len] = '\0';
	if (timed_out)
		err_set(e, ERR_TEMP, "oauth2_token_command %s did not finish "
		    "within %d seconds; it was stopped", argv[0],
		    (timeout_ms + 999) / 1000);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		command_failed(argv[0], status, e);
	else {
		char *p = out, *end;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		end = p + strcspn(p, "\r\n");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (*p == '\0' || strpbrk(p, " \t\x01") != NULL)
			err_set(e, ERR_AUTH, "oauth2_token_command %s printed "
			    "no usable access token", argv[0]);
		else if ((tok = strdup(p)) == NULL)
			err_sys(e, ERR_INTERNAL, "strdup");
	}
	util_wipe(out, sizeof(out));
	free(copy);
	return tok;
}

#define OAUTH_MAX_BODY	65536
#define OAUTH_DEFAULT_SCOPE	"https://outlook.office365.com/.default"

/* The cache file: the account name and a hash of what the token is for. */
static int
cache_path(const struct conf_account *a, const char *dir, char *buf,
    size_t len)
{
	unsigned char	md[SHA256_DIGEST_LENGTH];
	char		id[1024];
	size_t		i;

	snprintf(id, sizeof(id), "%s|%s|%s|%s", a->oauth2_tenant ?
	    a->oauth2_tenant : "", a->oauth2_client_id, a->oauth2_scope ?
	    a->oauth2_scope : "", a->oauth2_token_url ? a->oauth2_token_url :
	    "");
	SHA256((unsigned char *)id, strlen(id), md);
	/* Per user: root's printmail and lp's backend keep their own. */
	i = (size_t)snprintf(buf, len, "%s/oauth2-%s-%ld-", dir, a->name,
	    (long)geteuid());
	for (size_t k = 0; k < 8 && i + 2 < len; k++, i += 2)
		snprintf(buf + i, len - i, "%02x", md[k]);
	return i < len ? 0 : -1;
}

void
oauth_cache_drop(const struct conf_account *a, const char *dir)
{
	char	path[4096];

	if (dir != NULL && cache_path(a, dir, path, sizeof(path)) == 0)
		unlink(path);
}

/* A cached token still good for five minutes, or NULL. */
static char *
cache_read(const char *path)
{
	struct stat	 st;
	char		 buf[OAUTH_MAX_OUT], *tok = NULL, *sp;
	long long	 until;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    (st.st_mode & 077) == 0 &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		until = strtoll(buf, &sp, 10);
		if (*sp == ' ' && until - 300 > (long long)time(NULL) &&
		    sp[1] != '\0')
			tok = strdup(sp + 1);
	}
	util_wipe(buf, sizeof(buf));
	close(fd);
	return tok;
}

static void
cache_write(const char *dir, const char *path, const char *tok,
    long long until)
{
	char	tmp[4200], line[OAUTH_MAX_OUT + 32];
	int	fd, n;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_msg(LOG_LVL_INFO, "cannot create token cache %s: %s", dir,
		    strerror(errno));
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1)
		return;
	n = snprintf(line, sizeof(line), "%lld %s\n", until, tok);
	if (n > 0 && (size_t)n < sizeof(line) &&
	    write(fd, line, (size_t)n) == n && fsync(fd) == 0) {
		close(fd);
		if (rename(tmp, path) == -1)
			unlink(tmp);
	} else {
		close(fd);
		unlink(tmp);
	}
	util_wipe(line, sizeof(line));
}

/*
 * libcurl is loaded when a token is fetched, not linked: its dependency
 * chain (LDAP, SSH, Kerberos...) would otherwise be mapped into every run
 * of printmail and the backend and add some 5 MB to their memory, for a
 * flow most accounts never use.
 */
static struct {
	void		*h;
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_perform)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	void		(*easy_cleanup)(CURL *);
	char		*(*easy_escape)(CURL *, const char *, int);
	void		(*free)(void *);
	const char	*(*easy_strerror)(CURLcode);
} lc;

static int
curl_load(struct err *e)
{
	if (lc.h != NULL)
		return 0;
	if ((lc.h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return err_set(e, ERR_CONFIG, "OAuth 2.0 needs libcurl (apt install libcurl4): %s", dlerror());
#define SYM(f, name) *(void **)(&lc.f) = dlsym(lc.h, name)
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_escape, "curl_easy_escape");
	SYM(free, "curl_free");
	SYM(easy_strerror, "curl_easy_strerror");
#undef SYM
	if (lc.easy_init == NULL || lc.easy_setopt == NULL ||
	    lc.easy_perform == NULL || lc.easy_getinfo == NULL ||
	    lc.easy_cleanup == NULL || lc.easy_escape == NULL ||
	    lc.free == NULL || lc.easy_strerror == NULL) {
		dlclose(lc.h);
		lc.h = NULL;
		return err_set(e, ERR_CONFIG, "libcurl.so.4 lacks functions "
		    "printmail needs");
	}
	return 0;
}

struct body {
	char	*p;
	size_t	 len;
	int	 too_big;
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct body	*b = ctx;
	size_t		 n = size * nmemb;

	if (b->len + n >= OAUTH_MAX_BODY) {
		b->too_big = 1;
		return 0;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

void
oauth_form_add(struct oauth_form *f, const char *k, const char *v)
{
	if (f->n < OAUTH_FORM_MAX) {
		f->k[f->n] = k;
		f->v[f->n++] = v;
	} else
		f->full = 1;
}

/* "k=v&k=v" with every value escaped; NULL when out of memory. */
static char *
form(CURL *curl, const struct oauth_form *f)
{
	size_t	 cap = 1, i, len = 0, n = f->n;
	char	*out, *esc[OAUTH_FORM_MAX];

	for (i = 0; i < n; i++) {
		esc[i] = lc.easy_escape(curl, f->v[i], 0);
		if (esc[i] == NULL) {
			while (i-- > 0)
				lc.free(esc[i]);
			return NULL;
		}
		cap += strlen(f->k[i]) + strlen(esc[i]) + 2;
	}
	if ((out = malloc(cap)) != NULL)
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(out + len, cap - len, "%s%s=%s",
			    i ? "&" : "", f->k[i], esc[i]);
	for (i = 0; i < n; i++) {
		util_wipe(esc[i], strlen(esc[i]));
		lc.free(esc[i]);
	}
	return out;
}

int
oauth_post(const struct conf_account *a, const char *url,
    const struct oauth_form *f, long *status, json_object **root,
    struct err *e)
{
	char		 cerr[CURL_ERROR_SIZE] = "";
	struct body	 b = { NULL, 0, 0 };
	CURL		*curl = NULL;
	CURLcode	 rc;
	char		*post = NULL;
	int		 ret = -1;

	*status = 0;
	*root = NULL;
	if (f->full)
		return err_set(e, ERR_INTERNAL, "too many form fields");
	if (curl_load(e) == -1)
		return -1;
	if ((curl = lc.easy_init()) == NULL ||
	    (b.p = malloc(OAUTH_MAX_BODY)) == NULL) {
		err_set(e, ERR_INTERNAL, "cannot start libcurl");
		goto out;
	}
	b.p[0] = '\0';
	if ((post = form(curl, f)) == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	lc.easy_setopt(curl, CURLOPT_URL, url);
	lc.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	lc.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	lc.easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (a->tls_ca_file != NULL)
		lc.easy_setopt(curl, CURLOPT_CAINFO, a->tls_ca_file);
	lc.easy_setopt(curl, CURLOPT_POSTFIELDS, post);
	lc.easy_setopt(curl, CURLOPT_TIMEOUT, (long)a->timeout);
	lc.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	lc.easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
	rc = lc.easy_perform(curl);
	util_wipe(post, strlen(post));
	if (rc != CURLE_OK && !b.too_big) {
		err_set(e, rc == CURLE_PEER_FAILED_VERIFICATION ? ERR_TLS :
		    ERR_TEMP, "token endpoint %s: %s", url, cerr[0] ? cerr :
		    lc.easy_strerror(rc));
		goto out;
	}
	lc.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	if (b.too_big) {
		err_set(e, ERR_PROTOCOL, "token endpoint %s: answer larger "
		    "than %d bytes", url, OAUTH_MAX_BODY);
		goto out;
	}
	*root = json_tokener_parse(b.p);
	if (*root != NULL && !json_object_is_type(*root, json_type_object)) {
		json_object_put(*root);
		*root = NULL;
	}
	ret = 0;
out:
	if (b.p != NULL) {
		util_wipe(b.p, OAUTH_MAX_BODY);
		free(b.p);
	}
	free(post);
	if (curl != NULL)
		lc.easy_cleanup(curl);
	return ret;
}

/* A string member of a JSON object, or NULL. */
const char *
oauth_json_str(json_object *root, const char *key)
{
	json_object	*v;

	if (root == NULL || !json_object_object_get_ex(root, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The first number of Microsoft's error_codes, or 0. */
static long
aadsts(json_object *root)
{
	json_object	*v;

	if (root != NULL && json_object_object_get_ex(root, "error_codes",
	    &v) && json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0)
		return (long)json_object_get_int64(
		    json_object_array_get_idx(v, 0));
	return 0;
}

/* What the admin does about an AADSTS code, in the portal's words. */
static const char *
aadsts_fix(long code)
{
	static const struct {
		long		 code;
		const char	*fix;
	} fixes[] = {
		{ 7000218, "Microsoft Entra admin center > App registrations > "
		    "the app > Authentication > \"Allow public client flows\" "
		    "= Yes" },
		{ 700025, "remove oauth2_client_secret: a public client sends "
		    "none" },
		{ 7000112, "the app registration is disabled: enable it, or "
		    "register one and set oauth2_client_id" },
		{ 700016, "oauth2_client_id is not an app of this tenant: check "
		    "it and oauth2_tenant" },
		{ 65001, "App registrations > the app > API permissions > "
		    "\"Grant admin consent\" (SMTP.Send, offline_access)" },
		{ 50194, "set oauth2_tenant to the Directory (tenant) ID "
		    "(Entra admin center > Overview), not common" },
		{ 90002, "oauth2_tenant names no tenant: use the Directory "
		    "(tenant) ID from Entra admin center > Overview" },
		{ 50011, "App registrations > the app > Authentication > Add a "
		    "platform > Mobile and desktop applications > redirect URI "
		    "http://localhost" },
		{ 70011, "oauth2_scope: Microsoft wants "
		    "\"offline_access https://outlook.office.com/SMTP.Send\"" },
		{ 7000012, "oauth2_tenant must be the tenant the mailbox signed "
		    "in with: run printmail --authorize again" },
		{ 53003, "a Conditional Access policy blocks this sign-in: "
		    "exclude the mailbox or this flow from it" },
		{ 700082, "the sign-in expired after 90 days without use: run "
		    "printmail --authorize again; printmail --refresh on a weekly "
		    "timer keeps it alive" },
	};
	size_t	i;

	for (i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++)
		if (fixes[i].code == code)
			return fixes[i].fix;
	return NULL;
}

enum oauth_class
oauth_error(const struct conf_account *a, const char *url, long status,
    json_object *root, const char *what, struct err *e)
{
	const char	*code = oauth_json_str(root, "error");
	const char	*desc = oauth_json_str(root, "error_description");
	const char	*fix = aadsts_fix(aadsts(root));
	char		 d[320];

	(void)a;
	util_strlcpy(d, desc ? desc : "", sizeof(d));
	/* Microsoft's descriptions run on with trace and correlation ids. */
	d[strcspn(d, "\r\n")] = '\0';
	if (status >= 500 || status == 429 || status == 408 || code == NULL ||
	    strcmp(code, "temporarily_unavailable") == 0 ||
	    strcmp(code, "server_error") == 0) {
		err_set(e, ERR_TEMP, "token endpoint %s answered %s with HTTP "
		    "%ld%s%s%s%s: temporary, tried again later", url, what,
		    status, code ? ": " : " (not a JSON error)", code ? code :
		    "", d[0] ? ": " : "", d);
		return OAUTH_TEMP;
	}
	if (strcmp(code, "invalid_grant") == 0 ||
	    strcmp(code, "interaction_required") == 0 ||
	    strcmp(code, "consent_required") == 0 ||
	    strcmp(code, "login_required") == 0) {
		err_set(e, ERR_AUTH, "%s: %s: %s%s%s", what, code, d,
		    fix ? "; fix: " : "", fix ? fix : "");
		return OAUTH_REAUTH;
	}
	/* A wrong secret is refused credentials; the rest is the setup. */
	if ((strcmp(code, "invalid_client") == 0 && fix != NULL) ||
	    strcmp(code, "unauthorized_client") == 0 ||
	    strcmp(code, "invalid_scope") == 0 ||
	    strcmp(code, "invalid_request") == 0 ||
	    strcmp(code, "unsupported_grant_type") == 0) {
		err_set(e, ERR_CONFIG, "token endpoint refused %s (HTTP %ld): "
		    "%s: %s%s%s", what, status, code, d, fix ? "; fix: " : "",
		    fix ? fix : "");
		return OAUTH_CONFIG;
	}
	err_set(e, ERR_AUTH, "token endpoint refused %s (HTTP %ld): %s: %s%s%s",
	    what, status, code, d, fix ? "; fix: " : "", fix ? fix : "");
	return OAUTH_REFUSED;
}

static char *
fetch(const struct conf_account *a, long long *until, struct err *e)
{
	char		 url[1024];
	struct oauth_form f = { .n = 0 };
	const char	*at;
	json_object	*root = NULL, *v;
	char		*tok = NULL;
	long		 status = 0;

	if (a->oauth2_token_url != NULL)
		util_strlcpy(url, a->oauth2_token_url, sizeof(url));
	else if (a->oauth2_tenant != NULL)
		snprintf(url, sizeof(url), "https://login.microsoftonline.com/"
		    "%s/oauth2/v2.0/token", a->oauth2_tenant);
	else {
		err_set(e, ERR_CONFIG, "%s: account [%s]: the client-"
		    "credentials flow needs oauth2_tenant (or "
		    "oauth2_token_url)", a->path, a->name);
		return NULL;
	}
	if (a->oauth2_client_secret == NULL) {
		err_set(e, ERR_CONFIG, "%s: account [%s]: oauth2_client_id "
		    "needs oauth2_client_secret or oauth2_client_secret_file",
		    a->path, a->name);
		return NULL;
	}
	oauth_form_add(&f, "grant_type", "client_credentials");
	oauth_form_add(&f, "client_id", a->oauth2_client_id);
	oauth_form_add(&f, "client_secret", a->oauth2_client_secret);
	oauth_form_add(&f, "scope", a->oauth2_scope ? a->oauth2_scope :
	    OAUTH_DEFAULT_SCOPE);
	if (oauth_post(a, url, &f, &status, &root, e) == -1)
		return NULL;
	if (status != 200) {
		(void)oauth_error(a, url, status, root, "the client "
		    "credentials", e);
		goto out;
	}
	if (root == NULL) {
		err_set(e, ERR_PROTOCOL, "token endpoint %s answered HTTP %ld "
		    "with something that is not a JSON object", url, status);
		goto out;
	}
	if ((at = oauth_json_str(root, "access_token")) == NULL ||
	    *at == '\0') {
		err_set(e, ERR_PROTOCOL, "token endpoint %s: no access_token in "
		    "its answer", url);
		goto out;
	}
	if ((tok = strdup(at)) == NULL) {
		err_sys(e, ERR_INTERNAL, "strdup");
		goto out;
	}
	*until = (long long)time(NULL) + 3600;
	if (json_object_object_get_ex(root, "expires_in", &v))
		*until = (long long)time(NULL) + json_object_get_int64(v);
out:
	if (root != NULL)
		json_object_put(root);
	return tok;
}

char *
oauth_client_credentials(const struct conf_account *a, const char *cache_dir,
    int refresh, struct err *e)
{
	char		 path[4096];
	char		*tok;
	long long	 until = 0;
	int		 cached = cache_dir != NULL &&
			    cache_path(a, cache_dir, path, sizeof(path)) == 0;

	if (cached && !refresh && (tok = cache_read(path)) != NULL) {
		log_msg(LOG_LVL_INFO, "access token from the cache");
		return tok;
	}
	if ((tok = fetch(a, &until, e)) == NULL)
		return NULL;
	log_msg(LOG_LVL_INFO, "access token from the token endpoint, valid "
	    "for %lld s", until - (long long)time(NULL));
	if (cached)
		cache_write(cache_dir, path, tok, until);
	return tok;
}
