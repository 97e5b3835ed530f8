/*
 * outcome.h: the one table that turns an error kind into an exit code.
 *
 * The filter exits with a sysexits(3) code, the CUPS backend with a
 * CUPS_BACKEND_* status.  Nobody else decides exit codes.
 */
#ifndef PM_OUTCOME_H
#define PM_OUTCOME_H

#include "err.h"

/* The CUPS backend statuses (cups/backend.h), so common/ needs no CUPS. */
enum outcome_cups {
	OUTCOME_CUPS_OK = 0,
	OUTCOME_CUPS_FAILED = 1,
	OUTCOME_CUPS_STOP = 4,
	OUTCOME_CUPS_CANCEL = 5,
	OUTCOME_CUPS_RETRY = 6
};

/*
 * The sysexits(3) code for an outcome, as --check reports it (and sending
 * with soft_bounce = no); ERR_NONE gives 0.
 */
int	outcome_sysexit(enum err_kind kind);

/*
 * The exit code of printmail sending a message: with soft_bounce, a
 * failure of the account or the setup (auth, config, TLS, protocol) is
 * EX_TEMPFAIL, so the caller keeps the message; a refusal of this message
 * (its recipients, its content, its syntax) keeps its own code.
 */
int	outcome_sysexit_send(enum err_kind kind, int soft_bounce);

/* The CUPS backend status for an outcome; ERR_NONE gives OUTCOME_CUPS_OK. */
int	outcome_cups(enum err_kind kind);

#endif
