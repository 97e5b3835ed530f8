/*
 * advice.h: what to tell the admin about a provider's reply.
 *
 * One table (advice.c) turns the replies Microsoft 365 and Gmail send when
 * something is wrong (../shared/PROVIDERS.md) into the fix to print, in
 * the words an admin sees in the portals.  printmail's error message and
 * log line, --check, and the backend's ERROR: line all use it.
 */
#ifndef PM_ADVICE_H
#define PM_ADVICE_H

#include "err.h"

/* Room for any fix, in any language. */
#define ADVICE_MAX 4096

/*
 * The fix for a reply, in English (log lines, tests): code (e.g. 535),
 * enhanced code ("5.7.139" or ""), and the reply text as the error message
 * quotes it.  Matches on the code, the enhanced code and the stable part of
 * the text, ignoring case and Microsoft's bracketed host and timestamp.
 * Writes it into buf and returns buf, or NULL when the reply is not one we
 * know (then quote it verbatim).
 */
const char *advice_for_reply(int code, const char *enh, const char *text,
	    char *buf, size_t len);

/*
 * The fix for an error record that holds a server reply, or NULL: in the
 * reader's language when shown is set (else English), with "-a ACCOUNT"
 * naming account unless that is NULL.
 */
const char *advice_for_error(const struct err *e, const char *account,
	    int shown, char *buf, size_t len);

#endif
