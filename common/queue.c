/*
 * queue.c: the local queue on disk (see queue.h for the layout).
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"
#include "util.h"

#define QUEUE_ENV_MAX	(1024 * 1024)
#define QUEUE_MAGIC	"printmail-queue 1"

#ifdef PM_CRASH_POINTS
#include <signal.h>

static char	crash_at[64];

void
queue_crash_at(const char *point)
{
	util_strlcpy(crash_at, point ? point : "", sizeof(crash_at));
}

void
queue_crash_point(const char *point)
{
	if (crash_at[0] != '\0' && strcmp(crash_at, point) == 0)
		raise(SIGKILL);
}
#endif

void
queue_env_clear(struct queue_env *env)
{
	free(env->account);
	free(env->sender);
	free(env->fullname);
	addr_list_clear(&env->rcpt);
	memset(env, 0, sizeof(*env));
}

int
queue_value_ok(const char *s, size_t max)
{
	size_t	n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n >= max)
			return 0;
	return 1;
}

static int
path_of(char *buf, size_t len, const char *dir, const char *sub,
    const char *name)
{
	return (size_t)snprintf(buf, len, "%s/%s%s%s", dir, sub,
	    name ? "/" : "", name ? name : "") < len ? 0 : -1;
}

static int
fsync_dir(const char *path)
{
	int	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* "20261129065900-3f9a1c2e7b4d0a11": time first, so names sort by age. */
static int
new_id(char *id, size_t len, long long now)
{
	unsigned char	r[8];
	struct tm	tm;
	time_t		t = (time_t)now;
	size_t		i, n;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	gmtime_r(&t, &tm);
	n = strftime(id, len, "%Y%m%d%H%M%S-", &tm);
	for (i = 0; i < sizeof(r) && n + 3 <= len; i++, n += 2)
		snprintf(id + n, 3, "%02x", r[i]);
	return 0;
}

static int
valid_id(const char *id)
{
	size_t	i;

	if (strlen(id) != 31 || id[14] != '-')
		return 0;
	for (i = 0; i < 31; i++)
		if (i != 14 && !((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

/* The envelope as text, into a new buffer. */
static char *
envelope_text(const struct queue_env *env, size_t *len)
{
	size_t	cap = 512, i, n;
	char	*s;

	cap += strlen(env->account) + strlen(env->sender) +
	    (env->fullname ? strlen(env->fullname) : 0);
	for (i = 0; i < env->rcpt.n; i++)
		cap += strlen(env->rcpt.v[i]) + 8;
	if ((s = malloc(cap)) == NULL)
		return NULL;
	n = (size_t)snprintf(s, cap, QUEUE_MAGIC "\nid %s\nqueued %lld\n"
	    "uid %ld %s\naccount %s\nsender %s\n", env->id, env->queued,
	    env->uid, env->user, env->account, env->sender);
	if (env->fullname != NULL)
		n += (size_t)snprintf(s + n, cap - n, "fullname %s\n",
		    env->fullname);
	for (i = 0; i < env->rcpt.n; i++)
		n += (size_t)snprintf(s + n, cap - n, "rcpt %s\n",
		    env->rcpt.v[i]);
	n += (size_t)snprintf(s + n, cap - n, "size %llu\n.\n",
	    (unsigned long long)env->size);
	*len = n;
	return s;
}

int
queue_commit(const char *dir, struct queue_env *env, int msgfd,
    uint64_t min_free, struct err *e)
{
	char		 tmp[4096], final[4096], qdir[4096], buf[65536];
	char		*text = NULL;
	struct statvfs	 vfs;
	uint64_t	 left;
	size_t		 tl, i;
	ssize_t		 n;
	int		 fd = -1, tries;

	if (!queue_value_ok(env->account, 128) ||
	    !queue_value_ok(env->sender, 512) ||
	    (env->fullname != NULL && !queue_value_ok(env->fullname, 256)) ||
	    !queue_value_ok(env->user, sizeof(env->user)) || env->rcpt.n == 0)
		return err_set(e, ERR_DATA, "a value of the message's envelope "
		    "is empty, too long or has a control character");
	for (i = 0; i < env->rcpt.n; i++)
		if (!queue_value_ok(env->rcpt.v[i], 512))
			return err_set(e, ERR_DATA, "a recipient has a control "
			    "character or is too long");
	if (path_of(qdir, sizeof(qdir), dir, "queue", NULL) == -1)
		return err_set(e, ERR_CONFIG, "queue_dir %s: path too long",
		    dir);
	if (statvfs(qdir, &vfs) == -1)
		return err_sys(e, ERR_TEMP, "cannot use the queue %s", qdir);
	/*
	 * Room for the message, its envelope, what the caller keeps free,
	 * and 1% of the file system: a full spool must not stop the runner
	 * writing its state, nor the rest of the machine.
	 */
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < env->size + 65536 +
	    min_free + (uint64_t)vfs.f_blocks * vfs.f_frsize / 100 ||
	    (vfs.f_files > 0 && vfs.f_favail < 4))
		return err_set(e, ERR_TEMP, "no room in the queue %s for a "
		    "message of %llu bytes (%llu bytes free); nothing was "
		    "queued", qdir, (unsigned long long)env->size,
		    (unsigned long long)vfs.f_bavail * vfs.f_frsize);
	env->queued = (long long)time(NULL);
	for (tries = 0; fd == -1 && tries < 10; tries++) {
		if (new_id(env->id, sizeof(env->id), env->queued) == -1 ||
		    path_of(tmp, sizeof(tmp), dir, "tmp", env->id) == -1 ||
		    path_of(final, sizeof(final), dir, "queue", env->id) == -1)
			return err_sys(e, ERR_TEMP, "cannot name a queue file");
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0640);
		if (fd == -1 && errno != EEXIST)
			return err_sys(e, ERR_TEMP, "cannot create %s", tmp);
	}
	if (fd == -1)
		return err_set(e, ERR_TEMP, "cannot create a queue file");
	QUEUE_CRASH("commit-open");
	if ((text = envelope_text(env, &tl)) == NULL) {
		err_sys(e, ERR_TEMP, "malloc");
		goto fail;
	}
	if (util_write_all(fd, text, tl) == -1) {
		err_sys(e, ERR_TEMP, "cannot write %s", tmp);
		goto fail;
	}
	for (left = env->size; left > 0;) {
		n = read(msgfd, buf, left < sizeof(buf) ? (size_t)left :
		    sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(e, ERR_DATA, "the message ended %llu bytes "
			    "early; nothing was queued",
			    (unsigned long long)left);
			goto fail;
		}
		if (util_write_all(fd, buf, (size_t)n) == -1) {
			err_sys(e, ERR_TEMP, "cannot write %s", tmp);
			goto fail;
		}
		left -= (uint64_t)n;
		QUEUE_CRASH("commit-write");
	}
	QUEUE_CRASH("commit-fsync");
	/* Once fsync fails the data may be gone: never retry it. */
	if (fsync(fd) == -1) {
		err_sys(e, ERR_TEMP, "cannot write %s to disk", tmp);
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		err_sys(e, ERR_TEMP, "cannot write %s", tmp);
		goto fail;
	}
	fd = -1;
	QUEUE_CRASH("commit-link");
	/* link(), never rename(): an existing name is never replaced. */
	if (link(tmp, final) == -1) {
		err_sys(e, ERR_TEMP, "cannot commit %s", final);
		goto fail;
	}
	QUEUE_CRASH("commit-fsync-dir");
	if (fsync_dir(qdir) == -1) {
		err_sys(e, ERR_TEMP, "cannot commit %s to disk", final);
		unlink(final);
		goto fail;
	}
	QUEUE_CRASH("commit-unlink");
	unlink(tmp);
	free(text);
	QUEUE_CRASH("commit-done");
	queue_trigger(dir);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(text);
	return -1;
}

/* Reads one envelope line ("key value") into line; 0, or -1 at the end. */
static int
env_line(int fd, char *line, size_t cap, size_t *used)
{
	size_t	n = 0;
	char	c;

	for (;;) {
		if (*used >= QUEUE_ENV_MAX || read(fd, &c, 1) != 1)
			return -1;
		(*used)++;
		if (c == '\n')
			break;
		if (n + 1 >= cap || (unsigned char)c < 0x20 || c == 0x7f)
			return -1;
		line[n++] = c;
	}
	line[n] = '\0';
	return 0;
}

int
queue_open(const char *dir, const char *id, int failed,
    struct queue_env *env, struct err *e)
{
	char		 path[4096], line[1024], *end;
	struct stat	 st;
	size_t		 used = 0;
	int		 fd, seen_size = 0;

	memset(env, 0, sizeof(*env));
	if (!valid_id(id))
		return err_set(e, ERR_USAGE, "\"%.64s\" is not a queue id", id);
	if (path_of(path, sizeof(path), dir, failed ? "failed" : "queue",
	    id) == -1)
		return err_set(e, ERR_CONFIG, "queue_dir: path too long");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return err_sys(e, errno == ENOENT ? ERR_USAGE : ERR_TEMP,
		    "cannot open %s", path);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 2 &&
	    !failed) {
		struct stat	ts;
		char		tmp[4096];

		/*
		 * A commit killed after its link() and before its unlink()
		 * leaves tmp/ID as a second name of the same file: the
		 * message is complete (it was fsync'd before the link).
		 */
		if (path_of(tmp, sizeof(tmp), dir, "tmp", id) == 0 &&
		    lstat(tmp, &ts) == 0 && ts.st_dev == st.st_dev &&
		    ts.st_ino == st.st_ino && unlink(tmp) == 0)
			(void)fstat(fd, &st);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		close(fd);
		return err_set(e, ERR_DATA, "%s is not a single regular file",
		    path);
	}
	if (env_line(fd, line, sizeof(line), &used) == -1 ||
	    strcmp(line, QUEUE_MAGIC) != 0)
		goto corrupt;
	for (;;) {
		char *v;

		if (env_line(fd, line, sizeof(line), &used) == -1)
			goto corrupt;
		if (strcmp(line, ".") == 0)
			break;
		if ((v = strchr(line, ' ')) == NULL)
			goto corrupt;
		*v++ = '\0';
		if (strcmp(line, "id") == 0) {
			if (strcmp(v, id) != 0)
				goto corrupt;
			util_strlcpy(env->id, v, sizeof(env->id));
		} else if (strcmp(line, "queued") == 0) {
			env->queued = strtoll(v, &end, 10);
			if (*end != '\0')
				goto corrupt;
		} else if (strcmp(line, "uid") == 0) {
			env->uid = strtol(v, &end, 10);
			if (*end != ' ')
				goto corrupt;
			util_strlcpy(env->user, end + 1, sizeof(env->user));
		} else if (strcmp(line, "account") == 0 && env->account == NULL) {
			if ((env->account = strdup(v)) == NULL)
				goto oom;
		} else if (strcmp(line, "sender") == 0 && env->sender == NULL) {
			if ((env->sender = strdup(v)) == NULL)
				goto oom;
		} else if (strcmp(line, "fullname") == 0 &&
		    env->fullname == NULL) {
			if ((env->fullname = strdup(v)) == NULL)
				goto oom;
		} else if (strcmp(line, "rcpt") == 0 && *v != '\0') {
			if (addr_list_add(&env->rcpt, v, strlen(v), e) == -1)
				goto fail;
		} else if (strcmp(line, "size") == 0) {
			env->size = strtoull(v, &end, 10);
			if (*end != '\0' || *v == '\0')
				goto corrupt;
			seen_size = 1;
		} else
			goto corrupt;
	}
	if (env->id[0] == '\0' || env->account == NULL || env->sender == NULL ||
	    env->rcpt.n == 0 || !seen_size ||
	    (uint64_t)st.st_size != used + env->size)
		goto corrupt;
	env->msg_off = (off_t)used;
	(void)fcntl(fd, F_SETFL, 0);
	return fd;
corrupt:
	err_set(e, ERR_DATA, "queue file %s is damaged (envelope or size)",
	    path);
	goto fail;
oom:
	err_sys(e, ERR_INTERNAL, "strdup");
fail:
	close(fd);
	queue_env_clear(env);
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
queue_list(const char *dir, const char *sub, char ***ids, size_t *n,
    struct err *e)
{
	char		 path[4096], **v = NULL, **nv;
	struct dirent	*de;
	DIR		*d;
	size_t		 cap = 0;

	*ids = NULL;
	*n = 0;
	if (path_of(path, sizeof(path), dir, sub, NULL) == -1 ||
	    (d = opendir(path)) == NULL)
		return err_sys(e, ERR_TEMP, "cannot read the queue %s", path);
	while ((de = readdir(d)) != NULL) {
		if (!valid_id(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL)
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_str);
	*ids = v;
	return 0;
oom:
	closedir(d);
	queue_list_free(v, *n);
	*n = 0;
	return err_sys(e, ERR_INTERNAL, "malloc");
}

void
queue_list_free(char **ids, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/*
 * Reads "key value" lines of a state file, passing each to fn.  A missing
 * or unreadable file passes nothing: a fresh state.
 */
static void
kv_read(const char *path, void (*fn)(void *, const char *, const char *),
    void *ctx)
{
	char	line[1024], *v;
	FILE	*fp;

	if ((fp = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((v = strchr(line, ' ')) == NULL)
			continue;
		*v++ = '\0';
		fn(ctx, line, v);
	}
	fclose(fp);
}

static void
state_kv(void *ctx, const char *k, const char *v)
{
	struct queue_state *st = ctx;

	if (strcmp(k, "attempts") == 0)
		st->attempts = (int)strtol(v, NULL, 10);
	else if (strcmp(k, "next") == 0)
		st->next = strtoll(v, NULL, 10);
	else if (strcmp(k, "last") == 0)
		st->last = strtoll(v, NULL, 10);
	else if (strcmp(k, "held_secs") == 0)
		st->held_secs = strtoll(v, NULL, 10);
	else if (strcmp(k, "inflight") == 0)
		st->inflight = (int)strtol(v, NULL, 10);
	else if (strcmp(k, "held") == 0)
		st->held = (int)strtol(v, NULL, 10);
	else if (strcmp(k, "reply") == 0)
		util_strlcpy(st->reply, v, sizeof(st->reply));
}

void
queue_state_read(const char *dir, const char *id, struct queue_state *st)
{
	char	path[4096];

	memset(st, 0, sizeof(*st));
	if (path_of(path, sizeof(path), dir, "state", id) == 0)
		kv_read(path, state_kv, st);
}

/* Writes text to path by tmp + rename, fsync'd with sync. */
static int
replace_file(const char *path, const char *text, int sync, struct err *e)
{
	char	tmp[4200];
	int	fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return err_sys(e, ERR_TEMP, "cannot write %s", tmp);
	if (util_write_all(fd, text, strlen(text)) == -1 ||
	    (sync && fsync(fd) == -1)) {
		err_sys(e, ERR_TEMP, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		err_sys(e, ERR_TEMP, "cannot replace %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
queue_state_write(const char *dir, const char *id,
    const struct queue_state *st, int sync, struct err *e)
{
	char	path[4096], text[QUEUE_REPLY_MAX + 256], reply[QUEUE_REPLY_MAX];

	util_strlcpy(reply, st->reply, sizeof(reply));
	util_clean(reply);
	if (path_of(path, sizeof(path), dir, "state", id) == -1)
		return err_set(e, ERR_CONFIG, "queue_dir: path too long");
	snprintf(text, sizeof(text), "attempts %d\nnext %lld\nlast %lld\n"
	    "held_secs %lld\ninflight %d\nheld %d\nreply %s\n", st->attempts,
	    st->next, st->last, st->held_secs, st->inflight, st->held, reply);
	return replace_file(path, text, sync, e);
}

int
queue_remove(const char *dir, const char *id, struct err *e)
{
	char	path[4096], qdir[4096];

	if (path_of(path, sizeof(path), dir, "queue", id) == -1 ||
	    path_of(qdir, sizeof(qdir), dir, "queue", NULL) == -1)
		return err_set(e, ERR_CONFIG, "queue_dir: path too long");
	QUEUE_CRASH("remove-unlink");
	if (unlink(path) == -1 && errno != ENOENT)
		return err_sys(e, ERR_TEMP, "cannot remove %s", path);
	QUEUE_CRASH("remove-fsync-dir");
	/* Durable before the next step: else a crash resends it. */
	if (fsync_dir(qdir) == -1)
		return err_sys(e, ERR_TEMP, "cannot sync %s", qdir);
	if (path_of(path, sizeof(path), dir, "state", id) == 0)
		unlink(path);
	return 0;
}

int
queue_fail(const char *dir, const char *id, const char *reply,
    struct err *e)
{
	char			from[4096], to[4096], fdir[4096], qdir[4096];
	struct queue_state	st;

	if (path_of(from, sizeof(from), dir, "queue", id) == -1 ||
	    path_of(to, sizeof(to), dir, "failed", id) == -1 ||
	    path_of(fdir, sizeof(fdir), dir, "failed", NULL) == -1 ||
	    path_of(qdir, sizeof(qdir), dir, "queue", NULL) == -1)
		return err_set(e, ERR_CONFIG, "queue_dir: path too long");
	queue_state_read(dir, id, &st);
	util_strlcpy(st.reply, reply, sizeof(st.reply));
	st.inflight = 0;
	/* The reason first, then the move: failed/ID always has one. */
	if (queue_state_write(dir, id, &st, 1, e) == -1)
		return -1;
	/*
	 * rename(), not link(): the runner does not own the caller's file,
	 * and the kernel's protected_hardlinks refuses linking it.  failed/ID
	 * never exists already (ids are unique).
	 */
	if (rename(from, to) == -1)
		return err_sys(e, ERR_TEMP, "cannot move %s to failed/", id);
	if (fsync_dir(fdir) == -1 || fsync_dir(qdir) == -1)
		return err_sys(e, ERR_TEMP, "cannot sync the move of %s", id);
	return 0;
}

static int
cond_path(char *buf, size_t len, const char *dir, const char *account)
{
	return (size_t)snprintf(buf, len, "%s/state/account.%s", dir,
	    account) < len && strchr(account, '/') == NULL ? 0 : -1;
}

static void
cond_kv(void *ctx, const char *k, const char *v)
{
	struct queue_cond *c = ctx;

	if (strcmp(k, "kind") == 0)
		c->kind = strcmp(v, "held") == 0 ? QC_HELD :
		    strcmp(v, "paused") == 0 ? QC_PAUSED : QC_OK;
	else if (strcmp(k, "since") == 0)
		c->since = strtoll(v, NULL, 10);
	else if (strcmp(k, "until") == 0)
		c->until = strtoll(v, NULL, 10);
	else if (strcmp(k, "backoff") == 0)
		c->backoff = strtoll(v, NULL, 10);
	else if (strcmp(k, "fingerprint") == 0)
		util_strlcpy(c->fingerprint, v, sizeof(c->fingerprint));
	else if (strcmp(k, "reply") == 0)
		util_strlcpy(c->reply, v, sizeof(c->reply));
}

void
queue_cond_read(const char *dir, const char *account, struct queue_cond *c)
{
	char	path[4096];

	memset(c, 0, sizeof(*c));
	if (cond_path(path, sizeof(path), dir, account) == 0)
		kv_read(path, cond_kv, c);
}

int
queue_cond_write(const char *dir, const char *account,
    const struct queue_cond *c, struct err *e)
{
	char	path[4096], text[QUEUE_REPLY_MAX + 256], reply[QUEUE_REPLY_MAX];

	if (cond_path(path, sizeof(path), dir, account) == -1)
		return err_set(e, ERR_CONFIG, "bad account name");
	if (c->kind == QC_OK) {
		unlink(path);
		return 0;
	}
	util_strlcpy(reply, c->reply, sizeof(reply));
	util_clean(reply);
	snprintf(text, sizeof(text), "kind %s\nsince %lld\nuntil %lld\n"
	    "backoff %lld\nfingerprint %s\nreply %s\n", c->kind == QC_HELD ?
	    "held" : "paused", c->since, c->until, c->backoff, c->fingerprint,
	    reply);
	return replace_file(path, text, 1, e);
}

static void
last_kv(void *ctx, const char *k, const char *v)
{
	struct queue_last *l = ctx;

	if (strcmp(k, "ok") == 0)
		l->ok = strtoll(v, NULL, 10);
	else if (strcmp(k, "fail") == 0)
		l->fail = strtoll(v, NULL, 10);
	else if (strcmp(k, "reply") == 0)
		util_strlcpy(l->reply, v, sizeof(l->reply));
}

void
queue_last_read(const char *dir, const char *account, struct queue_last *l)
{
	char	path[4096];

	memset(l, 0, sizeof(*l));
	if ((size_t)snprintf(path, sizeof(path), "%s/state/last.%s", dir,
	    account) < sizeof(path) && strchr(account, '/') == NULL)
		kv_read(path, last_kv, l);
}

void
queue_last_note(const char *dir, const char *account, int ok,
    const char *reply)
{
	struct queue_last	l;
	struct err		e;
	char			path[4096], text[QUEUE_REPLY_MAX + 96];

	if ((size_t)snprintf(path, sizeof(path), "%s/state/last.%s", dir,
	    account) >= sizeof(path) || strchr(account, '/') != NULL)
		return;
	queue_last_read(dir, account, &l);
	if (ok)
		l.ok = (long long)time(NULL);
	else {
		l.fail = (long long)time(NULL);
		util_strlcpy(l.reply, reply ? reply : "", sizeof(l.reply));
		util_clean(l.reply);
	}
	snprintf(text, sizeof(text), "ok %lld\nfail %lld\nreply %s\n", l.ok,
	    l.fail, l.reply);
	err_clear(&e);
	/* For --status only: no fsync. */
	(void)replace_file(path, text, 0, &e);
}

void
queue_trigger(const char *dir)
{
	char	path[4096];
	int	fd;

	if (path_of(path, sizeof(path), dir, "trigger", NULL) == -1)
		return;
	/* Opening for writing and closing fires systemd's PathChanged=. */
	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) != -1) {
		(void)futimens(fd, NULL);
		close(fd);
	}
}
