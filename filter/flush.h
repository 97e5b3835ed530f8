/*
 * flush.h: printmail's queue runner and the admin's queue commands.
 */
#ifndef PM_FLUSH_H
#define PM_FLUSH_H

#include <stddef.h>

#include "advice.h"
#include "conf.h"
#include "err.h"

struct flush_opts {
	const char	*config;	/* the config file */
	const char	*queue_dir;
	const char	*run_dir;	/* provider limits */
	const char	*cache_dir;	/* OAuth tokens */
	const char	*tmpdir;
	int		 force;		/* the admin asked: no per-message
					   backoff, probe held accounts */
};

/*
 * printmail --flush: delivers every due message and returns when a pass
 * finds nothing due.  One connection per account, reused for up to 100
 * messages, one connection slot, paced to max_per_minute.  A connection
 * failure or 421/432 pauses the account (30 s doubling to 10 min, messages
 * not aged); an authentication, account, TLS or config failure holds it
 * (a probe at most every 30 min, at once when the config or a secret file
 * changes; held mail never ages); a 4xx for one message defers it; a 5xx
 * for one message fails it (moved to failed/, logged).  Another runner at
 * work: returns 0 at once.  Returns 0, or -1 when the queue cannot be
 * used at all.
 */
int	flush_run(const struct flush_opts *o, struct err *e);

/*
 * printmail --queue (mailq, -bp): one line per message, or one JSON object
 * per line with json.  Returns the number of messages, or -1.
 */
int	flush_list(const struct flush_opts *o, int json, struct err *e);

/*
 * --hold, --release, --delete, --retry ID ("all" for release and retry).
 * Returns 0, or -1 with ERR_USAGE for an unknown id.
 */
int	flush_manage(const struct flush_opts *o, const char *op,
	    const char *id, struct err *e);

/*
 * The account hold, shared by the runner, direct sending and --check
 * (Postfix's SASL auth cache, for the whole account): after an
 * authentication, account, TLS or config failure no one logs in again for
 * 30 minutes unless the config or a secret file changed.
 *
 * flush_hold_check: -1 with ERR_AUTH saying so while the account is held
 * (the caller then sends nothing and defers); 0 otherwise.  Quietly 0 when
 * the state cannot be read (a caller outside the runner's group).
 * flush_hold_note: after an attempt, records its outcome (holds on such a
 * failure, clears on success); quietly nothing when not allowed.
 */
int	flush_hold_check(const char *queue_dir, const char *config,
	    const struct conf_account *a, struct err *e);
void	flush_hold_note(const char *queue_dir, const char *config,
	    const struct conf_account *a, const struct err *outcome);

/* One line for --check: "held since ... (reply)", or NULL when not held. */
/* An account as the queue sees it: its condition and its messages. */
struct flush_status {
	int		 held, paused;	/* the account's condition */
	long long	 since;
	char		 reply[512];
	const char	*fix;		/* in fixbuf, or NULL */
	char		 fixbuf[ADVICE_MAX];
	size_t		 queued, deferred, held_msgs, failed;
	long long	 last_ok, last_fail;	/* last attempts, or 0 */
	char		 last_reply[512];	/* of the last failure */
	const char	*last_fix;
	char		 last_fixbuf[ADVICE_MAX];
};

/*
 * Fills *fs for account from the queue in queue_dir (the caller must be
 * able to read it: root or the runner's user), the fixes in the reader's
 * language when shown is set.  0, or -1 when it cannot be read.
 */
int	flush_account_status(const char *queue_dir, const char *account,
	    int shown, struct flush_status *fs);

const char *flush_hold_text(const char *queue_dir, const char *account,
	    char *buf, size_t len);

#endif
