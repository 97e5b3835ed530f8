/*
 * throttle.h: the provider's limits, kept across every printmail process and
 * the backend: at most max_conn sessions of one account at once (Microsoft
 * 365 answers 432 4.3.2 past 3) and at most max_per_min submissions in any
 * 60 seconds (30 for Microsoft 365).
 *
 * Both are files in a run directory: one lock file per connection slot
 * (flock held for the session's life) and one file of submission times
 * (one per line, seconds since the epoch), rewritten under a lock.  In the
 * package's directory (2770 root:printmail) only the senders' group can
 * open them (mode 0660): root, lp (the backend), the runner; in a
 * world-writable sticky directory they are 0666.
 */
#ifndef PM_THROTTLE_H
#define PM_THROTTLE_H

#include "err.h"

struct throttle_slot {
	int	fd;	/* the held slot lock, or -1 */
};

/*
 * Waits until the account may start a session (and, with submit, send one
 * more message), then takes a slot.  0 and 0 mean no limit.  Waiting is
 * reported through log_msg(LOG_LVL_NOTICE).  Every wait, the locks
 * included, ends by max_wait_s seconds.  The limits fail closed: when the
 * run directory or its files cannot be used, nothing is sent.
 * Returns 0, or -1 with ERR_TEMP naming what it waited for or could not
 * use.
 */
int	throttle_acquire(const char *dir, const char *account, int max_conn,
	    int max_per_min, int submit, int max_wait_s,
	    struct throttle_slot *slot, struct err *e);

/* Gives the slot back; safe to call twice. */
void	throttle_release(struct throttle_slot *slot);

#endif
