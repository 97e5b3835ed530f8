/*
 * oauth.h: OAuth 2.0 access tokens for SASL XOAUTH2.
 */
#ifndef PM_OAUTH_H
#define PM_OAUTH_H

#include <json-c/json.h>

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

/* The fields of a form POST; the strings are the caller's. */
#define OAUTH_FORM_MAX	8
struct oauth_form {
	const char	*k[OAUTH_FORM_MAX];
	const char	*v[OAUTH_FORM_MAX];
	size_t		 n;
	int		 full;	/* one too many: oauth_post() refuses */
};
void	oauth_form_add(struct oauth_form *f, const char *k, const char *v);

/*
 * POSTs the form's fields (values escaped) to an https://
 * url: the account's tls_ca_file and timeout, TLS 1.2 or newer, no
 * redirects, the answer at most 64 KB.  Returns 0 with the HTTP status and
 * the answer as a JSON object (NULL when it is not one; the caller puts
 * it), or -1: ERR_TEMP (unreachable, timed out), ERR_TLS (certificate),
 * ERR_PROTOCOL (answer too large), ERR_CONFIG (no libcurl).
 */
int	oauth_post(const struct conf_account *a, const char *url,
	    const struct oauth_form *f, long *status, json_object **root,
	    struct err *e);

/* A string member of a JSON object, or NULL. */
const char *oauth_json_str(json_object *root, const char *key);

/*
 * Classifies an answer that is not a token, on its "error" code (never on
 * the description's text), and sets *e: what is "the client credentials",
 * "the refresh token"...  The message quotes the code and description and,
 * for Microsoft's AADSTS codes we know, the portal setting to fix.
 */
enum oauth_class {
	OAUTH_TEMP,	/* 5xx, 429, not JSON, temporarily_unavailable: ERR_TEMP */
	OAUTH_REAUTH,	/* invalid_grant, interaction_required: ERR_AUTH */
	OAUTH_CONFIG,	/* the app registration or the keys: ERR_CONFIG */
	OAUTH_REFUSED	/* any other refusal: ERR_AUTH */
};
enum oauth_class oauth_error(const struct conf_account *a, const char *url,
	    long status, json_object *root, const char *what, struct err *e);

/*
 * Delegated access (oauth2_flow = authorization_code or device_code): a
 * mailbox signed in once with printmail --authorize, and its refresh token
 * is kept in the account's token store, oauth2_token_file.
 *
 * The store is one JSON file per account, read and written under an
 * exclusive lock on FILE.lock (bounded wait) that is held across reading,
 * refreshing and writing, so processes that need a token at the same time
 * make one refresh between them.  Writes are atomic (a temporary file in
 * the same directory, fsync, rename, fsync of the directory), mode 0600,
 * or 0640 in a directory its group may write (the senders' group: they
 * replace the file, never write into it).  The
 * directory must be owned by root or the caller and closed to "other".
 */
struct oauth_endpoints {
	char		 authorize[1024];
	char		 device[1024];
	char		 token[1024];
	char		 scope[512];
	int		 microsoft;	/* Microsoft's identity platform */
	int		 google;
};

/* The account's endpoints and scope: the keys, else the provider's. */
int	oauth_endpoints(const struct conf_account *a,
	    struct oauth_endpoints *ep, struct err *e);

/*
 * An access token good for ten more minutes: the stored one, else one
 * refreshed with the stored refresh token (force: refresh anyway, for a
 * token the server refused).  The rotated refresh token is stored before
 * the new access token is used; an answer without one keeps the old.
 * Returns the token (wipe it with util_free_secret()) or NULL with:
 * ERR_TEMP (endpoint unreachable, 5xx...; the store is left byte for
 * byte), ERR_AUTH (never signed in, or the sign-in is no longer valid: the
 * store is marked and every later call fails at once without asking the
 * endpoint, until printmail --authorize; the message names that command),
 * ERR_CONFIG.
 */
char	*oauth_store_token(const struct conf_account *a, int force,
	    struct err *e);

/*
 * Stores a token endpoint's answer to a new grant (authorization code,
 * device code) as the account's sign-in, replacing what was there.  An
 * answer without a refresh token is refused (ERR_CONFIG: the scope lacks
 * offline_access).  Returns 0 or -1.
 */
int	oauth_store_grant(const struct conf_account *a, json_object *answer,
	    struct err *e);

/*
 * printmail --refresh: refreshes when the last refresh is older than
 * min_age seconds, so a sign-in nobody uses does not expire (Microsoft:
 * 90 days unused).  Returns 1 refreshed, 0 not due, -1 with *e.
 */
int	oauth_store_refresh(const struct conf_account *a, long min_age,
	    struct err *e);

/* Base64url without padding; out holds util_b64_len(n) + 1 bytes. */
void	oauth_b64url(const unsigned char *in, size_t n, char *out);

/* PKCE (RFC 7636): BASE64URL(SHA256(verifier)), 43 characters and NUL. */
void	oauth_pkce_challenge(const char *verifier, char out[44]);

/* What --check and --status show of a store; never a token. */
struct oauth_store_info {
	int		 exists;
	int		 needs_reauth;
	long long	 signed_in_at;		/* --authorize */
	long long	 last_refresh_at;
	long long	 access_expires_at;
	char		 reason[256];		/* why it needs --authorize */
};
int	oauth_store_info(const struct conf_account *a,
	    struct oauth_store_info *info, struct err *e);

#endif
