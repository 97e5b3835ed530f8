/*
 * queue.h: printmail's local queue on disk.
 *
 * Layout under the queue directory (default /var/spool/printmail, owned by
 * the runner's user, see printmail(1)):
 *
 *   tmp/      1730  messages being written (the group creates, cannot list)
 *   queue/    1770  committed messages, one file each, never changed (the
 *                   group reads the directory to fsync it; sticky, so the
 *                   helper may remove only its caller's files)
 *   state/    0700  per message: attempts, next try, last reply; per
 *                   account: held or paused, why, since when
 *   failed/   0700  messages that failed for good, kept for the admin
 *   trigger         touched after each commit (a systemd path unit waits)
 *
 * A message file is a text envelope ending with a line ".", then the
 * message exactly as submitted (CRLF lines, Bcc already removed):
 *
 *   printmail-queue 1
 *   id 20261129065900-3f9a1c2e7b4d0a11
 *   queued 1764399540
 *   uid 33 www-data
 *   account default
 *   sender noreply@example.com        (may be empty)
 *   fullname Name                     (optional)
 *   rcpt a@example.org                (one or more)
 *   size 12345
 *   .
 *
 * Commit (queue_commit): write tmp/ID, fsync it, link it to queue/ID,
 * fsync queue/, unlink tmp/ID.  A kill at any point leaves either no
 * message or a complete one; success is reported only after the fsync of
 * the directory.  Queue files are read as untrusted input.
 */
#ifndef PM_QUEUE_H
#define PM_QUEUE_H

#include <sys/types.h>

#include <stdint.h>

#include "err.h"
#include "header.h"

#define QUEUE_ID_MAX	40
#define QUEUE_REPLY_MAX	512

struct queue_env {
	char		 id[QUEUE_ID_MAX];
	long long	 queued;	/* seconds since the epoch */
	long		 uid;
	char		 user[64];
	char		*account;
	char		*sender;	/* "" when none was given */
	char		*fullname;	/* NULL when none */
	struct addr_list rcpt;
	uint64_t	 size;		/* bytes of the message */
	off_t		 msg_off;	/* where the message starts in the file */
};

void	queue_env_clear(struct queue_env *env);

/*
 * Checks one envelope value from outside: printable, no line break, at
 * most max bytes.  Returns 1 when fine.
 */
int	queue_value_ok(const char *s, size_t max);

/*
 * Commits a message: env's account, sender, fullname, rcpt, uid and user
 * (id and queued are set here), and size bytes read from msgfd.  Refuses
 * with ERR_TEMP when fewer than size + min_free bytes would stay free on
 * the file system.  Returns 0 once the message is durable, with env->id
 * set; -1 with ERR_TEMP (no room, I/O) or ERR_DATA (the input ended
 * early, an envelope value is bad), leaving nothing behind.
 */
int	queue_commit(const char *dir, struct queue_env *env, int msgfd,
	    uint64_t min_free, struct err *e);

/*
 * Opens queue/ID (or failed/ID with failed set) and reads its envelope:
 * a regular file, one link, at most 1 MiB of envelope, every line as
 * above.  Returns the descriptor positioned at the message, or -1 with
 * ERR_DATA (corrupt) or ERR_TEMP (cannot open).
 */
int	queue_open(const char *dir, const char *id, int failed,
	    struct queue_env *env, struct err *e);

/* The committed ids, oldest first (ids start with the UTC time). */
int	queue_list(const char *dir, const char *sub, char ***ids, size_t *n,
	    struct err *e);
void	queue_list_free(char **ids, size_t n);

/* What the runner knows about one message. */
struct queue_state {
	int		 attempts;
	long long	 next;		/* not before this time */
	long long	 last;		/* last attempt, or 0 */
	long long	 held_secs;	/* time its account was held */
	int		 inflight;	/* the final dot was on its way */
	int		 held;		/* held by the admin */
	char		 reply[QUEUE_REPLY_MAX];
};

/* Reads state/ID; a missing file is a fresh state.  Never fails. */
void	queue_state_read(const char *dir, const char *id,
	    struct queue_state *st);

/* Replaces state/ID (tmp + rename); fsync with sync.  0 or -1. */
int	queue_state_write(const char *dir, const char *id,
	    const struct queue_state *st, int sync, struct err *e);

/* Removes a delivered message durably: queue/ID, state/ID, fsync.  0/-1. */
int	queue_remove(const char *dir, const char *id, struct err *e);

/* Moves a message to failed/ with its reason in state/ID.  0 or -1. */
int	queue_fail(const char *dir, const char *id, const char *reply,
	    struct err *e);

/* An account's condition: the queue's, not one message's. */
enum queue_cond_kind { QC_OK = 0, QC_PAUSED, QC_HELD };

struct queue_cond {
	enum queue_cond_kind kind;
	long long	 since;		/* when it started */
	long long	 until;		/* next attempt (pause) or probe (hold) */
	long long	 backoff;	/* seconds of the current pause */
	char		 fingerprint[65];	/* of the config and secrets */
	char		 reply[QUEUE_REPLY_MAX];
};

void	queue_cond_read(const char *dir, const char *account,
	    struct queue_cond *c);

/* An account's last success and last failure, for printmail --status. */
struct queue_last {
	long long	ok, fail;
	char		reply[QUEUE_REPLY_MAX];	/* of the failure */
};
void	queue_last_read(const char *dir, const char *account,
	    struct queue_last *l);
/* Records an attempt's outcome; quietly nothing when it cannot. */
void	queue_last_note(const char *dir, const char *account, int ok,
	    const char *reply);
int	queue_cond_write(const char *dir, const char *account,
	    const struct queue_cond *c, struct err *e);

/*
 * Test builds only (-DPM_CRASH_POINTS): SIGKILL at the named step of a
 * commit or a delivery, so the tests can prove each step crash-safe.
 * Production builds have neither the function nor the checks.
 */
#ifdef PM_CRASH_POINTS
void	queue_crash_at(const char *point);
void	queue_crash_point(const char *point);
#define QUEUE_CRASH(p)	queue_crash_point(p)
#else
#define QUEUE_CRASH(p)	do { } while (0)
#endif

/* Touches the trigger file the runner's path unit waits for. */
void	queue_trigger(const char *dir);

#endif
