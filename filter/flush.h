/*
 * flush.h: printmail's queue runner and the admin's queue commands.
 */
#ifndef PM_FLUSH_H
#define PM_FLUSH_H

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

#endif
