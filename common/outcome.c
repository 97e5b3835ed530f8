/*
 * outcome.c: error kind -> exit code, in one table (DESIGN.md).
 *
 * Protocol violations by the server map to EX_PROTOCOL (75 when soft
 * bouncing) and to RETRY for CUPS: a broken server is more often transient
 * than permanent, and retrying loses nothing.
 * Internal failures (out of memory, local I/O) are temporary for the same
 * reason.  CUPS_BACKEND_RETRY_CURRENT and CUPS_BACKEND_AUTH_REQUIRED are
 * never used: the first retries forever, the second asks the user for
 * credentials that live in the config file.
 */
#include <sysexits.h>

#include "outcome.h"

/*
 * soft: a failure of the account or the setup, not of this message.  When
 * sending (not in --check), printmail turns these into EX_TEMPFAIL unless
 * soft_bounce = no, so that an MTA defers the message instead of bouncing
 * it (Postfix's pipe(8) defers only 75): Postfix does the same for its
 * own SASL failures (smtp_sasl_auth_soft_bounce = yes).
 */
static const struct {
	enum err_kind	kind;
	int		sysexit;
	int		cups;
	int		soft;
} outcome_table[] = {
	{ ERR_NONE,	EX_OK,		OUTCOME_CUPS_OK,	0 },
	{ ERR_USAGE,	EX_USAGE,	OUTCOME_CUPS_CANCEL,	0 },
	{ ERR_DATA,	EX_DATAERR,	OUTCOME_CUPS_CANCEL,	0 },
	{ ERR_CONFIG,	EX_CONFIG,	OUTCOME_CUPS_STOP,	1 },
	{ ERR_TEMP,	EX_TEMPFAIL,	OUTCOME_CUPS_RETRY,	0 },
	{ ERR_AUTH,	EX_NOPERM,	OUTCOME_CUPS_STOP,	1 },
	{ ERR_TLS,	EX_PROTOCOL,	OUTCOME_CUPS_STOP,	1 },
	{ ERR_PROTOCOL,	EX_PROTOCOL,	OUTCOME_CUPS_RETRY,	1 },
	{ ERR_REFUSED,	EX_UNAVAILABLE,	OUTCOME_CUPS_CANCEL,	0 },
	{ ERR_NORCPT,	EX_NOUSER,	OUTCOME_CUPS_CANCEL,	0 },
	{ ERR_INTERNAL,	EX_TEMPFAIL,	OUTCOME_CUPS_RETRY,	0 },
};

#define NOUTCOMES (sizeof(outcome_table) / sizeof(outcome_table[0]))

int
outcome_sysexit(enum err_kind kind)
{
	size_t	i;

	for (i = 0; i < NOUTCOMES; i++)
		if (outcome_table[i].kind == kind)
			return outcome_table[i].sysexit;
	return EX_SOFTWARE;
}

int
outcome_sysexit_send(enum err_kind kind, int soft_bounce)
{
	size_t	i;

	for (i = 0; i < NOUTCOMES; i++)
		if (outcome_table[i].kind == kind)
			return soft_bounce && outcome_table[i].soft ?
			    EX_TEMPFAIL : outcome_table[i].sysexit;
	return EX_TEMPFAIL;
}

int
outcome_cups(enum err_kind kind)
{
	size_t	i;

	for (i = 0; i < NOUTCOMES; i++)
		if (outcome_table[i].kind == kind)
			return outcome_table[i].cups;
	return OUTCOME_CUPS_STOP;
}
