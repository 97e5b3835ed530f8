/*
 * oauth.h: OAuth 2.0 access tokens for SASL XOAUTH2.
 */
#ifndef PM_OAUTH_H
#define PM_OAUTH_H

#include "err.h"

/*
 * Runs cmd without a shell (split at blanks; "double" or 'single' quotes
 * keep blanks together) with standard input from /dev/null and standard
 * error passed through.  Its standard output, first line without blanks
 * around it, is the access token.  The command must exit 0 within
 * timeout_ms; it is killed after that.
 *
 * Returns the token, which the caller wipes with util_free_secret(), or
 * NULL with ERR_CONFIG (cannot run it), ERR_TEMP (timed out) or ERR_AUTH
 * (failed, or printed no token).
 */
char	*oauth_token_from_command(const char *cmd, int timeout_ms,
	    struct err *e);

#endif
