/*
 * flush.c: the queue runner (printmail --flush) and the queue commands.
 *
 * The runner is the only reader of credentials for queued mail.  It keeps
 * two kinds of state apart: an account's condition (paused: the provider
 * is down or throttling; held: the account or setup is broken), which
 * stops that account's whole queue without ageing it, and a message's own
 * (deferred after a 4xx for it, failed after a 5xx for it).
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "advice.h"
#include "i18n.h"
#include "conf.h"
#include "flush.h"
#include "log.h"
#include "queue.h"
#include "rewrite.h"
#include "session.h"
#include "smtp.h"
#include "spool.h"
#include "throttle.h"
#include "util.h"

#define FLUSH_PER_CONN	100		/* then reconnect (as OpenSMTPD) */
#define FLUSH_PROBE	1800		/* a held account: one try per 30 min */
#define FLUSH_PAUSE_MIN	30
#define FLUSH_PAUSE_MAX	600
#define FLUSH_DEFER_MIN	300
#define FLUSH_DEFER_MAX	3600
#define FLUSH_PASSES	1000

/* The identity of the config and the secret files: changed = fixed? */
static void
fingerprint(const struct conf_account *a, const char *config, char out[65])
{
	const char	*files[3] = { config, a ? a->password_file : NULL,
			    a ? a->oauth2_client_secret_file : NULL };
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	char		 buf[512];
	struct stat	 st;
	size_t		 i, n = 0;

	for (i = 0; i < 3; i++) {
		memset(&st, 0, sizeof(st));
		if (files[i] != NULL)
			(void)stat(files[i], &st);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%lu:%lu:%lld:"
		    "%lld.%09ld;", (unsigned long)st.st_dev,
		    (unsigned long)st.st_ino, (long long)st.st_size,
		    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	}
	SHA256((unsigned char *)buf, n, md);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A failure that is the account's or the setup's, not the provider's. */
static int
holds_account(enum err_kind kind)
{
	return kind == ERR_AUTH || kind == ERR_CONFIG || kind == ERR_TLS;
}

/*
 * A temporary failure that is the provider's condition, not one
 * message's: no reply at all (network), 421 (closing), 432 4.3.2 (too many
 * connections), 4.7.0 "too many logins", Microsoft's daily quota.
 */
static int
pauses_account(const struct err *e)
{
	if (e->kind == ERR_PROTOCOL || e->kind == ERR_INTERNAL)
		return 1;
	if (e->kind != ERR_TEMP)
		return strcmp(e->enh, "5.2.0") == 0 &&
		    strstr(e->msg, "SubmissionQuotaExceeded") != NULL;
	return e->smtp_code == 0 || e->smtp_code == 421 ||
	    e->smtp_code == 432 || strcmp(e->enh, "4.3.2") == 0 ||
	    strcmp(e->enh, "4.7.0") == 0;
}

struct item {
	char		*id;
	char		*account;
	int		 due;
};

struct account_run {
	const struct flush_opts	*o;
	const char		*name;
	struct conf_account	 a;
	int			 loaded;
	struct queue_cond	 cond;
	char			 fp[65];
	struct smtp		*s;
	struct throttle_slot	 slot;
	int			 on_conn;
	int			 pass;		/* of the run: force is pass 0's */
};

static void
set_cond(struct account_run *r, enum queue_cond_kind kind,
    const struct err *e)
{
	struct err	ignored;
	long long	now = (long long)time(NULL);
	char		fb[ADVICE_MAX];
	const char	*fix = advice_for_error(e, r->name, 0, fb, sizeof(fb));

	err_clear(&ignored);
	if (kind == QC_HELD) {
		if (r->cond.kind != QC_HELD) {
			r->cond.since = now;
			/* One alert per hold, not one per message or probe. */
			syslog(LOG_ALERT, "account=%s queue held: %s%s%s",
			    r->name, e->msg, fix ? " fix=" : "", fix ? fix :
			    "");
		}
		r->cond.until = now + FLUSH_PROBE;
		r->cond.backoff = 0;
	} else {
		if (r->cond.kind != QC_PAUSED) {
			r->cond.since = now;
			r->cond.backoff = FLUSH_PAUSE_MIN;
		} else if ((r->cond.backoff *= 2) > FLUSH_PAUSE_MAX)
			r->cond.backoff = FLUSH_PAUSE_MAX;
		if (strcmp(e->enh, "5.2.0") == 0)
			r->cond.backoff = 3600;
		r->cond.until = now + r->cond.backoff;
		syslog(LOG_NOTICE, "account=%s queue paused for %lld s: %s",
		    r->name, r->cond.backoff, e->msg);
	}
	r->cond.kind = kind;
	util_strlcpy(r->cond.fingerprint, r->fp, sizeof(r->cond.fingerprint));
	util_strlcpy(r->cond.reply, e->msg, sizeof(r->cond.reply));
	(void)queue_cond_write(r->o->queue_dir, r->name, &r->cond, &ignored);
}

/* Connects; on failure sets the account's condition.  0 or -1. */
static int
connect_account(struct account_run *r, struct item *items, size_t n)
{
	struct err	e;
	char		helo[256];
	long long	now = (long long)time(NULL);
	size_t		i;

	err_clear(&e);
	if (throttle_acquire(r->o->run_dir, r->name, r->a.max_connections, 0,
	    0, r->a.timeout, &r->slot, &e) == -1) {
		set_cond(r, QC_PAUSED, &e);
		return -1;
	}
	session_helo(&r->a, helo, sizeof(helo));
	if ((r->s = session_open(&r->a, helo, r->o->cache_dir, &e)) == NULL) {
		queue_last_note(r->o->queue_dir, r->name, 0, e.msg);
		throttle_release(&r->slot);
		set_cond(r, holds_account(e.kind) ? QC_HELD : QC_PAUSED, &e);
		return -1;
	}
	r->on_conn = 0;
	if (r->cond.kind == QC_HELD) {
		/* Held time does not count toward queue_lifetime. */
		for (i = 0; i < n; i++) {
			struct queue_state st;

			queue_state_read(r->o->queue_dir, items[i].id, &st);
			st.held_secs += now - r->cond.since;
			(void)queue_state_write(r->o->queue_dir, items[i].id,
			    &st, 0, &e);
		}
		syslog(LOG_NOTICE, "account=%s queue resumed after %lld s "
		    "held", r->name, now - r->cond.since);
	}
	if (r->cond.kind != QC_OK) {
		memset(&r->cond, 0, sizeof(r->cond));
		err_clear(&e);
		(void)queue_cond_write(r->o->queue_dir, r->name, &r->cond, &e);
	}
	return 0;
}

static void
disconnect(struct account_run *r)
{
	smtp_free(r->s);
	r->s = NULL;
	throttle_release(&r->slot);
}

/* The message is about to end (the final dot follows). */
struct inflight {
	const char		*dir, *id;
	struct queue_state	*st;
};

static int
mark_inflight(void *arg, struct err *e)
{
	struct inflight	*w = arg;

	if (w->st->inflight)
		return 0;
	QUEUE_CRASH("send-before-inflight");
	/*
	 * From here a crash leaves the outcome unknown: say so on disk
	 * first, so the next runner flags a possible copy.
	 */
	w->st->inflight = 1;
	if (queue_state_write(w->dir, w->id, w->st, 1, e) == -1)
		return -1;
	QUEUE_CRASH("send-before-dot");
	return 0;
}

static void
log_msg_result(const struct account_run *r, const struct queue_env *env,
    const char *result, const char *reply)
{
	syslog(strcmp(result, "sent") == 0 ? LOG_INFO : LOG_ERR,
	    "queue id=%s account=%s uid=%ld sender=<%s> rcpts=%zu size=%llu "
	    "result=%s reply=\"%s\"", env->id, r->name, env->uid, env->sender,
	    env->rcpt.n, (unsigned long long)env->size, result, reply);
}

/* One message on the open session.  Returns 0 sent, -1 with *e. */
static int
send_one(struct account_run *r, const char *id, struct queue_state *st,
    long long *queued, struct err *e)
{
	struct queue_env env;
	struct spool	 sp;
	struct smtp_msg	 m;
	struct inflight	 w;
	struct smtp_watch watch;
	char		 reply[256];
	int		 fd, rc = -1;
	long long	 now = (long long)time(NULL);

	spool_init(&sp);
	if ((fd = queue_open(r->o->queue_dir, id, 0, &env, e)) == -1)
		return -1;
	*queued = env.queued;
	if (st->inflight)
		syslog(LOG_WARNING, "queue id=%s may have been sent already "
		    "(a run stopped after the end of the message); sending "
		    "again: the recipient may get it twice", id);
	if (now - env.queued - st->held_secs > r->a.queue_lifetime) {
		err_set(e, ERR_REFUSED, "not delivered within queue_lifetime "
		    "(%ld s); last reply: %s", r->a.queue_lifetime,
		    st->reply[0] ? st->reply : "none");
		goto out;
	}
	if (rewrite_local(&env.rcpt, r->a.admin_address, e) == -1 ||
	    spool_read(&sp, fd, 0, r->o->tmpdir, e) == -1 ||
	    rewrite_from(&sp, &r->a, env.sender[0] ? env.sender : NULL,
	    env.fullname, e) == -1 ||
	    rewrite_add_ids(&sp, strrchr(r->a.from, '@') + 1,
	    (time_t)env.queued, e) == -1 ||
	    spool_msg(&sp, &m, e) == -1)
		goto out;
	if (spool_needs_7bit(&sp, smtp_has_8bitmime(r->s)) &&
	    (spool_to_qp(&sp, e) == -1 || spool_msg(&sp, &m, e) == -1))
		goto out;
	w.dir = r->o->queue_dir;
	w.id = id;
	w.st = st;
	smtp_msg_watch(&m, &watch, mark_inflight, &w);
	st->attempts++;
	st->last = now;
	if (smtp_send(r->s, r->a.from, (const char *const *)env.rcpt.v,
	    env.rcpt.n, &m, e) == -1)
		goto out;
	QUEUE_CRASH("send-after-250");
	reply_format(smtp_last_reply(r->s), reply, sizeof(reply));
	if (queue_remove(r->o->queue_dir, id, e) == -1)
		goto out;
	log_msg_result(r, &env, "sent", reply);
	rc = 0;
out:
	if (rc == -1 && e->kind != ERR_NONE)
		log_msg_result(r, &env, err_kind_name(e->kind), e->msg);
	spool_clear(&sp);
	close(fd);
	queue_env_clear(&env);
	return rc;
}

/* All due messages of one account.  Returns how many were attempted. */
static size_t
flush_account(struct account_run *r, struct item *items, size_t n)
{
	struct err	 e;
	long long	 now = (long long)time(NULL), queued;
	size_t		 i, did = 0;

	queue_cond_read(r->o->queue_dir, r->name, &r->cond);
	err_clear(&e);
	if (conf_load(r->o->config, r->name, &r->a, &e) == -1) {
		fingerprint(NULL, r->o->config, r->fp);
		if (r->cond.kind == QC_HELD &&
		    strcmp(r->cond.fingerprint, r->fp) == 0)
			return 0;
		set_cond(r, QC_HELD, &e);
		return 1;
	}
	r->loaded = 1;
	fingerprint(&r->a, r->o->config, r->fp);
	if (r->cond.kind == QC_HELD && now < r->cond.until &&
	    !(r->o->force && r->pass == 0) &&
	    strcmp(r->cond.fingerprint, r->fp) == 0)
		return 0;
	if (r->cond.kind == QC_PAUSED && now < r->cond.until)
		return 0;
	for (i = 0; i < n; i++) {
		struct queue_state st;

		if (!items[i].due)
			continue;
		/*
		 * No session, no progress: the account is held or paused
		 * now, and another pass must not log in again (a held
		 * mailbox gets one attempt per run, not one per pass).
		 */
		if (r->s == NULL && connect_account(r, items, n) == -1)
			return did;
		/* Paced: the provider's rate, shared with direct senders. */
		err_clear(&e);
		if (r->a.max_per_minute > 0) {
			struct throttle_slot none;

			if (throttle_acquire(r->o->run_dir, r->name, 0,
			    r->a.max_per_minute, 1, r->a.timeout, &none,
			    &e) == -1)
				break;
		}
		queue_state_read(r->o->queue_dir, items[i].id, &st);
		did++;
		err_clear(&e);
		queued = now;
		if (send_one(r, items[i].id, &st, &queued, &e) == 0) {
			queue_last_note(r->o->queue_dir, r->name, 1, NULL);
			items[i].due = 0;
			if (++r->on_conn >= FLUSH_PER_CONN)
				disconnect(r);
			continue;
		}
		items[i].due = 0;
		queue_last_note(r->o->queue_dir, r->name, 0, e.msg);
		util_strlcpy(st.reply, e.msg, sizeof(st.reply));
		if (e.kind == ERR_REFUSED || e.kind == ERR_NORCPT ||
		    e.kind == ERR_DATA || e.kind == ERR_USAGE) {
			struct err ignored;

			err_clear(&ignored);
			if (queue_fail(r->o->queue_dir, items[i].id, e.msg,
			    &ignored) == -1)
				syslog(LOG_ERR, "queue id=%s: %s", items[i].id,
				    ignored.msg);
		} else {
			int acct = holds_account(e.kind) || pauses_account(&e);
			long long age = now - queued;
			struct err ignored;

			/* A reply to the dot settles it; silence does not. */
			if (e.smtp_code != 0)
				st.inflight = 0;
			if (acct)
				st.attempts--;	/* the account's, not its */
			else
				/* Its own 4xx: back off by its age. */
				st.next = now + (age < FLUSH_DEFER_MIN ?
				    FLUSH_DEFER_MIN : age > FLUSH_DEFER_MAX ?
				    FLUSH_DEFER_MAX : age);
			err_clear(&ignored);
			(void)queue_state_write(r->o->queue_dir, items[i].id,
			    &st, 0, &ignored);
			if (acct) {
				disconnect(r);
				set_cond(r, holds_account(e.kind) ? QC_HELD :
				    QC_PAUSED, &e);
				return did;
			}
		}
		/* A refused or aborted transaction: reset, or reconnect. */
		if (r->s != NULL && (!smtp_usable(r->s) ||
		    smtp_rset(r->s, &e) == -1))
			disconnect(r);
	}
	return did;
}

/* As root, work as the queue's owner: its files stay that user's. */
static int
become_queue_owner(const char *dir, struct err *e)
{
	struct stat	st;

	if (geteuid() != 0)
		return 0;
	if (stat(dir, &st) == -1)
		return err_sys(e, ERR_CONFIG, "cannot use queue_dir %s", dir);
	if (st.st_uid == 0)
		return 0;
	if (setgroups(1, &st.st_gid) == -1 || setgid(st.st_gid) == -1 ||
	    setuid(st.st_uid) == -1)
		return err_sys(e, ERR_INTERNAL, "cannot switch to the owner "
		    "of %s", dir);
	return 0;
}

static long long
trigger_mtime(const char *dir)
{
	char		path[4096];
	struct stat	st;

	snprintf(path, sizeof(path), "%s/trigger", dir);
	return stat(path, &st) == 0 ? (long long)st.st_mtim.tv_sec *
	    1000000000LL + st.st_mtim.tv_nsec : 0;
}

int
flush_run(const struct flush_opts *o, struct err *e)
{
	char		 path[4096];
	struct flush_opts oo = *o;
	int		 lock, pass;

	if (become_queue_owner(o->queue_dir, e) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/state/runner.lock", o->queue_dir);
	if ((lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1)
		return err_sys(e, ERR_TEMP, "cannot use the queue %s",
		    o->queue_dir);
	if (flock(lock, LOCK_EX | LOCK_NB) == -1) {
		/* The runner at work will see what was just queued. */
		log_msg(LOG_LVL_INFO, "another queue run is at work");
		close(lock);
		return 0;
	}
	for (pass = 0; pass < FLUSH_PASSES; pass++) {
		char		**ids;
		size_t		  n, i, k, did = 0;
		long long	  trig = trigger_mtime(o->queue_dir);
		long long	  now = (long long)time(NULL);
		struct item	 *items;
		char		**accts;
		size_t		  nacct = 0;

		if (queue_list(o->queue_dir, "queue", &ids, &n, e) == -1) {
			close(lock);
			return -1;
		}
		items = calloc(n + 1, sizeof(*items));
		accts = calloc(n + 1, sizeof(*accts));
		if (items == NULL || accts == NULL) {
			free(items);
			free(accts);
			queue_list_free(ids, n);
			close(lock);
			return err_sys(e, ERR_INTERNAL, "calloc");
		}
		/* Each message under its account, oldest first. */
		for (i = 0; i < n; i++) {
			struct queue_env	env;
			struct queue_state	st;
			struct err		ce;
			int			fd;

			err_clear(&ce);
			if ((fd = queue_open(o->queue_dir, ids[i], 0, &env,
			    &ce)) == -1) {
				syslog(LOG_ERR, "queue id=%s skipped: %s",
				    ids[i], ce.msg);
				continue;
			}
			close(fd);
			queue_state_read(o->queue_dir, ids[i], &st);
			for (k = 0; k < nacct; k++)
				if (strcmp(accts[k], env.account) == 0)
					break;
			if (k == nacct)
				accts[nacct++] = env.account;
			else
				free(env.account);
			env.account = NULL;
			queue_env_clear(&env);
			items[i].id = ids[i];
			items[i].account = accts[k];
			items[i].due = !st.held && (st.next <= now ||
			    (oo.force && pass == 0));
		}
		for (k = 0; k < nacct; k++) {
			struct account_run	 r;
			struct item		*mine;
			size_t			 m = 0;

			if ((mine = calloc(n + 1, sizeof(*mine))) == NULL)
				continue;
			for (i = 0; i < n; i++)
				if (items[i].account == accts[k])
					mine[m++] = items[i];
			memset(&r, 0, sizeof(r));
			r.o = &oo;
			r.name = accts[k];
			r.pass = pass;
			r.slot.fd = -1;
			did += flush_account(&r, mine, m);
			disconnect(&r);
			conf_account_clear(&r.a);
			free(mine);
		}
		for (k = 0; k < nacct; k++)
			free(accts[k]);
		free(accts);
		free(items);
		queue_list_free(ids, n);
		if (did == 0 && trigger_mtime(o->queue_dir) == trig)
			break;
	}
	close(lock);
	return 0;
}

/* A JSON string value, escaped. */
static void
json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void
age_text(long long secs, char *buf, size_t len)
{
	if (secs < 120)
		snprintf(buf, len, "%llds", secs);
	else if (secs < 7200)
		snprintf(buf, len, "%lldm", secs / 60);
	else if (secs < 172800)
		snprintf(buf, len, "%lldh", secs / 3600);
	else
		snprintf(buf, len, "%lldd", secs / 86400);
}

/* The fix for a stored reply, through the one advice table. */
static const char *
stored_fix(const char *reply, int shown, char *buf, size_t len)
{
	struct err	e;
	const char	*p;

	err_clear(&e);
	util_strlcpy(e.msg, reply, sizeof(e.msg));
	/* "... refused by host: 535 5.7.139 text": the code and its class. */
	for (p = reply; (p = strpbrk(p, "2345")) != NULL; p++) {
		if ((p == reply || p[-1] == ' ') && p[1] >= '0' && p[1] <= '9' &&
		    p[2] >= '0' && p[2] <= '9' && p[3] == ' ') {
			e.smtp_code = (p[0] - '0') * 100 + (p[1] - '0') * 10 +
			    p[2] - '0';
			sscanf(p + 4, "%15[0-9.]", e.enh);
			break;
		}
	}
	return advice_for_error(&e, NULL, shown, buf, len);
}

/* What a message is waiting for, in the listing's words. */
static const char *
entry_state(int failed, const struct queue_state *st,
    const struct queue_cond *c)
{
	return failed ? "failed" : st->held ? "held" : c->kind == QC_HELD ?
	    "held" : c->kind == QC_PAUSED ? "deferred" : st->attempts > 0 ?
	    "deferred" : "queued";
}

int
flush_account_status(const char *queue_dir, const char *account,
    int shown, struct flush_status *fs)
{
	static const char *const subs[] = { "queue", "failed" };
	struct queue_cond	 c;
	struct err		 e;
	char			**ids;
	size_t			  n, i, k;

	memset(fs, 0, sizeof(*fs));
	queue_cond_read(queue_dir, account, &c);
	fs->held = c.kind == QC_HELD;
	fs->paused = c.kind == QC_PAUSED;
	fs->since = c.since;
	util_strlcpy(fs->reply, c.reply, sizeof(fs->reply));
	fs->fix = c.reply[0] ? stored_fix(c.reply, shown, fs->fixbuf,
	    sizeof(fs->fixbuf)) : NULL;
	{
		struct queue_last l;

		queue_last_read(queue_dir, account, &l);
		fs->last_ok = l.ok;
		fs->last_fail = l.fail;
		util_strlcpy(fs->last_reply, l.reply, sizeof(fs->last_reply));
		fs->last_fix = l.reply[0] ? stored_fix(l.reply, shown,
		    fs->last_fixbuf, sizeof(fs->last_fixbuf)) : NULL;
	}
	for (k = 0; k < 2; k++) {
		err_clear(&e);
		if (queue_list(queue_dir, subs[k], &ids, &n, &e) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			struct queue_env	env;
			struct queue_state	st;
			const char		*state;
			int			fd;

			err_clear(&e);
			if ((fd = queue_open(queue_dir, ids[i], k == 1, &env,
			    &e)) == -1)
				continue;
			close(fd);
			if (strcmp(env.account, account) == 0) {
				queue_state_read(queue_dir, ids[i], &st);
				state = entry_state(k == 1, &st, &c);
				if (strcmp(state, "queued") == 0)
					fs->queued++;
				else if (strcmp(state, "deferred") == 0)
					fs->deferred++;
				else if (strcmp(state, "held") == 0)
					fs->held_msgs++;
				else
					fs->failed++;
			}
			queue_env_clear(&env);
		}
		queue_list_free(ids, n);
	}
	return 0;
}

static int
list_sub(const struct flush_opts *o, const char *sub, int json, struct err *e)
{
	char		**ids;
	size_t		  n, i, k;
	long long	  now = (long long)time(NULL);
	int		  failed = strcmp(sub, "failed") == 0;

	if (queue_list(o->queue_dir, sub, &ids, &n, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		struct queue_env	env;
		struct queue_state	st;
		struct queue_cond	c;
		struct err		ce;
		const char		*state, *fix;
		char			 age[32], fb[ADVICE_MAX];
		int			 fd;

		err_clear(&ce);
		if ((fd = queue_open(o->queue_dir, ids[i], failed, &env,
		    &ce)) == -1) {
			if (json) {
				printf("{\"id\":");
				json_str(stdout, ids[i]);
				printf(",\"state\":\"damaged\",\"reply\":");
				json_str(stdout, ce.msg);
				printf("}\n");
			} else
				printf(_("%s damaged: %s\n"), ids[i],
				    err_text(&ce));
			continue;
		}
		close(fd);
		queue_state_read(o->queue_dir, ids[i], &st);
		queue_cond_read(o->queue_dir, env.account, &c);
		state = entry_state(failed, &st, &c);
		/* Why it waits: its own reply, else its account's. */
		if (!failed && st.reply[0] == '\0' && c.kind != QC_OK)
			util_strlcpy(st.reply, c.reply, sizeof(st.reply));
		if (!failed && c.kind == QC_HELD && !st.held)
			snprintf(st.reply, sizeof(st.reply), "%s", c.reply);
		fix = st.reply[0] ? stored_fix(st.reply, !json, fb,
		    sizeof(fb)) : NULL;
		age_text(now - env.queued, age, sizeof(age));
		if (json) {
			printf("{\"id\":");
			json_str(stdout, env.id);
			printf(",\"queued\":%lld,\"size\":%llu,\"uid\":%ld,"
			    "\"user\":", env.queued,
			    (unsigned long long)env.size, env.uid);
			json_str(stdout, env.user);
			printf(",\"account\":");
			json_str(stdout, env.account);
			printf(",\"sender\":");
			json_str(stdout, env.sender);
			printf(",\"recipients\":[");
			for (k = 0; k < env.rcpt.n; k++) {
				printf(k ? "," : "");
				json_str(stdout, env.rcpt.v[k]);
			}
			printf("],\"state\":\"%s\",\"attempts\":%d,"
			    "\"next\":%lld,\"uncertain\":%s,\"reply\":", state,
			    st.attempts, st.next, st.inflight ? "true" :
			    "false");
			json_str(stdout, st.reply);
			printf(",\"fix\":");
			if (fix != NULL)
				json_str(stdout, fix);
			else
				printf("null");
			printf("}\n");
		} else {
			printf("%s %5s %8llu <%s> ", env.id, age,
			    (unsigned long long)env.size, env.sender);
			for (k = 0; k < env.rcpt.n; k++)
				printf("%s%s", k ? "," : "", env.rcpt.v[k]);
			/* The state's word stays: scripts read it. */
			printf(" %s attempts=%d%s\n", state, st.attempts,
			    st.inflight ? _(" uncertain(may have been sent)") :
			    "");
			if (st.reply[0] != '\0')
				printf(_("    reply: %s\n"), st.reply);
			if (fix != NULL)
				printf(_("    fix: %s\n"), fix);
		}
		queue_env_clear(&env);
	}
	queue_list_free(ids, n);
	return (int)n;
}

int
flush_list(const struct flush_opts *o, int json, struct err *e)
{
	int	a, b;

	if ((a = list_sub(o, "queue", json, e)) == -1 ||
	    (b = list_sub(o, "failed", json, e)) == -1)
		return -1;
	if (!json && a + b == 0)
		printf(_("The queue is empty.\n"));
	return a + b;
}

/* One message of the queue (or of failed/ for delete and retry). */
static int
manage_one(const struct flush_opts *o, const char *op, const char *id,
    struct err *e)
{
	struct queue_env	env;
	struct queue_state	st;
	char			path[4096], to[4096];
	int			fd, failed = 0;

	if ((fd = queue_open(o->queue_dir, id, 0, &env, e)) == -1) {
		struct err e2;

		err_clear(&e2);
		if (e->kind != ERR_USAGE ||
		    (fd = queue_open(o->queue_dir, id, 1, &env, &e2)) == -1)
			return -1;
		err_clear(e);
		failed = 1;
	}
	close(fd);
	queue_env_clear(&env);
	queue_state_read(o->queue_dir, id, &st);
	if (strcmp(op, "delete") == 0) {
		snprintf(path, sizeof(path), "%s/%s/%s", o->queue_dir,
		    failed ? "failed" : "queue", id);
		if (unlink(path) == -1)
			return err_sys(e, ERR_TEMP, "cannot delete %s", id);
		snprintf(path, sizeof(path), "%s/state/%s", o->queue_dir, id);
		unlink(path);
		syslog(LOG_NOTICE, "queue id=%s deleted by uid %ld", id,
		    (long)getuid());
		return 0;
	}
	if (failed) {
		if (strcmp(op, "retry") != 0)
			return err_set(e, ERR_USAGE, "%s has failed; use "
			    "--retry or --delete", id);
		/* Back into the queue, as new. */
		snprintf(path, sizeof(path), "%s/failed/%s", o->queue_dir, id);
		snprintf(to, sizeof(to), "%s/queue/%s", o->queue_dir, id);
		if (rename(path, to) == -1)
			return err_sys(e, ERR_TEMP, "cannot requeue %s", id);
		memset(&st, 0, sizeof(st));
	} else if (strcmp(op, "hold") == 0)
		st.held = 1;
	else {
		st.held = 0;
		st.next = 0;
	}
	return queue_state_write(o->queue_dir, id, &st, 1, e);
}

/* The admin says "now": every held or paused account is tried at once. */
static void
clear_account_conditions(const char *dir)
{
	char		 path[4096];
	struct dirent	*de;
	DIR		*d;

	snprintf(path, sizeof(path), "%s/state", dir);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "account.", 8) == 0 &&
		    strchr(de->d_name, '/') == NULL &&
		    strstr(de->d_name, ".new") == NULL) {
			snprintf(path, sizeof(path), "%s/state/%s", dir,
			    de->d_name);
			unlink(path);
		}
	closedir(d);
}

int
flush_manage(const struct flush_opts *o, const char *op, const char *id,
    struct err *e)
{
	char		**ids;
	size_t		  n, i;
	int		  rc = 0;

	if (become_queue_owner(o->queue_dir, e) == -1)
		return -1;
	if (strcmp(id, "all") != 0)
		rc = manage_one(o, op, id, e);
	else if (strcmp(op, "retry") != 0 && strcmp(op, "release") != 0)
		return err_set(e, ERR_USAGE, "--%s takes one queue id", op);
	else {
		/* Every message due now, and every account probed now. */
		if (queue_list(o->queue_dir, "queue", &ids, &n, e) == -1)
			return -1;
		for (i = 0; i < n && rc == 0; i++)
			rc = manage_one(o, "release", ids[i], e);
		queue_list_free(ids, n);
		if (rc == 0)
			clear_account_conditions(o->queue_dir);
	}
	if (rc == 0)
		queue_trigger(o->queue_dir);
	return rc;
}

int
flush_hold_check(const char *queue_dir, const char *config,
    const struct conf_account *a, struct err *e)
{
	struct queue_cond	c;
	char			fp[65], when[32];
	long long		now = (long long)time(NULL);
	struct tm		tm;
	time_t			until;

	queue_cond_read(queue_dir, a->name, &c);
	if (c.kind != QC_HELD || now >= c.until)
		return 0;
	fingerprint(a, config, fp);
	if (strcmp(fp, c.fingerprint) != 0)
		return 0;	/* the config or a secret changed: try again */
	until = (time_t)c.until;
	localtime_r(&until, &tm);
	strftime(when, sizeof(when), "%H:%M", &tm);
	return err_set(e, ERR_AUTH, "account [%s] is held after a failure of "
	    "its own (%.300s): printmail does not log in again before %s, "
	    "unless the config or a secret file changes or printmail --check "
	    "-a %s succeeds", a->name, c.reply, when, a->name);
}

void
flush_hold_note(const char *queue_dir, const char *config,
    const struct conf_account *a, const struct err *outcome)
{
	struct account_run	r;
	char			path[4096];

	snprintf(path, sizeof(path), "%s/state", queue_dir);
	/* Only the runner's user (and root) keeps the account's state. */
	if (access(path, W_OK | X_OK) == -1)
		return;
	memset(&r, 0, sizeof(r));
	r.name = a->name;
	queue_last_note(queue_dir, a->name, outcome->kind == ERR_NONE,
	    outcome->msg);
	queue_cond_read(queue_dir, a->name, &r.cond);
	if (outcome->kind == ERR_NONE) {
		struct err ignored;

		if (r.cond.kind == QC_HELD) {
			syslog(LOG_NOTICE, "account=%s hold lifted: it logged "
			    "in again", a->name);
			memset(&r.cond, 0, sizeof(r.cond));
			err_clear(&ignored);
			(void)queue_cond_write(queue_dir, a->name, &r.cond,
			    &ignored);
		}
		return;
	}
	if (!holds_account(outcome->kind))
		return;
	{
		struct flush_opts o;

		memset(&o, 0, sizeof(o));
		o.queue_dir = queue_dir;
		r.o = &o;
		fingerprint(a, config, r.fp);
		set_cond(&r, QC_HELD, outcome);
	}
}

const char *
flush_hold_text(const char *queue_dir, const char *account, char *buf,
    size_t len)
{
	struct queue_cond	c;
	char			since[32];
	struct tm		tm;
	time_t			t;

	queue_cond_read(queue_dir, account, &c);
	if (c.kind != QC_HELD)
		return NULL;
	t = (time_t)c.since;
	localtime_r(&t, &tm);
	strftime(since, sizeof(since), "%Y-%m-%d %H:%M", &tm);
	snprintf(buf, len, _("held since %s: %.400s"), since, c.reply);
	return buf;
}
