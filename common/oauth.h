/*
 * oauth.h: OAuth 2.0 access tokens for SASL XOAUTH2.
 */
#ifndef PM_OAUTH_H
#define PM_OAUTH_H

#include "err.h"

/*
 * Runs cmd without a shell (split at blanks; "double" or 'single' quotes
 * keep blanks together) in a process group of its own, with standard input
 * from /dev/null and no other descriptor of ours.  Its standard output,
 * first line without blanks around it, is the access token; its standard
 * error is passed to the log one clean line at a time (at most 64 lines).
 * It must exit 0 within timeout_ms; after that its whole process group is
 * killed.  A helper that exits while a child of its own still holds its
 * output has finished.
 *
 * Exit convention of the helper: 0 with a token; 75 (EX_TEMPFAIL) for a
 * temporary failure (network, endpoint down), which defers the mail; any
 * other status means the account needs the admin.
 *
 * Returns the token, which the caller wipes with util_free_secret(), or
 * NULL with ERR_CONFIG (cannot run it: 126, 127), ERR_TEMP (timed out,
 * exit 75, killed by a signal) or ERR_AUTH (any other failure, or no
 * token printed).
 */
char	*oauth_token_from_command(const char *cmd, int timeout_ms,
	    struct err *e);

struct conf_account;

/*
 * Microsoft's client-credentials flow: POSTs grant_type=client_credentials,
 * client_id, client_secret and scope (default
 * https://outlook.office365.com/.default) over HTTPS (libcurl; the system's
 * CAs or tls_ca_file; no redirects) to oauth2_token_url, default
 * https://login.microsoftonline.com/TENANT/oauth2/v2.0/token, and reads
 * access_token and expires_in from the JSON answer (json-c).
 *
 * With cache_dir, a token is kept there (a file readable by its owner only)
 * until five minutes before it expires; refresh ignores the cache.
 *
 * Returns the token (wipe it with util_free_secret()), or NULL with
 * ERR_TEMP (unreachable, 5xx), ERR_AUTH (the endpoint refused: its error
 * and description are quoted), ERR_PROTOCOL (malformed answer) or
 * ERR_CONFIG.
 */
char	*oauth_client_credentials(const struct conf_account *a,
	    const char *cache_dir, int refresh, struct err *e);

/* Removes the account's cached token, if any. */
void	oauth_cache_drop(const struct conf_account *a, const char *cache_dir);

#endif
