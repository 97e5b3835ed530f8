/*
 * status.h: printmail --status.
 */
#ifndef PM_STATUS_H
#define PM_STATUS_H

#include "conf.h"
#include "err.h"

/*
 * Prints every account of the config: its server and login, its
 * condition in the queue (held, paused: the reply and its fix), its
 * queued, deferred, held and failed mail, its OAuth sign-in, the CUPS
 * queues that print to it.  As text, or one JSON object with json.
 * qdir gives an account's queue directory.  Returns 0 all well, 1 a
 * warning, 2 something failing.  Never prints a secret.
 */
int	status_run(const char *config, int json,
	    const char *(*qdir)(const struct conf_account *), struct err *e);

#endif
