/*
 * outcome.c: error kind -> exit code, in one table (DESIGN.md).
 *
 * Protocol violations by the server map to EX_PROTOCOL, which Postfix's
 * pipe(8) treats as a temporary failure, and to RETRY for CUPS: a broken
 * server is more often transient than permanent, and retrying loses nothing.
 * Internal failures (out of memory, local I/O) are temporary for the same
 * reason.  CUPS_BACKEND_RETRY_CURRENT and CUPS_BACKEND_AUTH_REQUIRED are
 * never used: the first retries forever, the second asks the user for
 * credentials that live in the config file.
 */
#include <sysexits.h>

#include "outcome.h"

static const struct {
	enum err_kind	kind;
	int		sysexit;
	int		cups;
} outcome_table[] = {
	{ ERR_NONE,	EX_OK,		OUTCOME_CUPS_OK },
	{ ERR_USAGE,	EX_USAGE,	OUTCOME_CUPS_CANCEL },
	{ ERR_DATA,	EX_DATAERR,	OUTCOME_CUPS_CANCEL },
	{ ERR_CONFIG,	EX_CONFIG,	OUTCOME_CUPS_STOP },
	{ ERR_TEMP,	EX_TEMPFAIL,	OUTCOME_CUPS_RETRY },
	{ ERR_AUTH,	EX_NOPERM,	OUTCOME_CUPS_STOP },
	{ ERR_TLS,	EX_PROTOCOL,	OUTCOME_CUPS_STOP },
	{ ERR_PROTOCOL,	EX_PROTOCOL,	OUTCOME_CUPS_RETRY },
	{ ERR_REFUSED,	EX_UNAVAILABLE,	OUTCOME_CUPS_CANCEL },
	{ ERR_NORCPT,	EX_NOUSER,	OUTCOME_CUPS_CANCEL },
	{ ERR_INTERNAL,	EX_TEMPFAIL,	OUTCOME_CUPS_RETRY },
};

int
outcome_sysexit(enum err_kind kind)
{
	size_t	i;

	for (i = 0; i < sizeof(outcome_table) / sizeof(outcome_table[0]); i++)
		if (outcome_table[i].kind == kind)
			return outcome_table[i].sysexit;
	return EX_SOFTWARE;
}

int
outcome_cups(enum err_kind kind)
{
	size_t	i;

	for (i = 0; i < sizeof(outcome_table) / sizeof(outcome_table[0]); i++)
		if (outcome_table[i].kind == kind)
			return outcome_table[i].cups;
	return OUTCOME_CUPS_STOP;
}
