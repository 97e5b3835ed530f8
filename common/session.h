/*
 * session.h: from a config account to an open, authenticated SMTP session.
 * Shared by printmail and the CUPS backend so both connect the same way.
 */
#ifndef PM_SESSION_H
#define PM_SESSION_H

#include "conf.h"
#include "err.h"
#include "smtp.h"

/*
 * Connects to the account's server (implicit TLS or STARTTLS as
 * configured), says EHLO as helo, and authenticates when a user is set:
 * with the password, or with an OAuth 2.0 token from oauth2_token_command
 * or the client-credentials flow (cached in cache_dir when not NULL; a
 * cached token refused with 535 5.7.3 is replaced once).  Returns the
 * session, which the caller ends with smtp_free(), or NULL with the error
 * in *e (ERR_TEMP, ERR_CONFIG, ERR_TLS, ERR_AUTH, ERR_PROTOCOL).
 */
struct smtp *session_open(const struct conf_account *a, const char *helo,
	    const char *cache_dir, struct err *e);

/* Where tokens are cached and limits are kept, by default. */
#define SESSION_CACHE_DIR	"/var/cache/printmail"
#define SESSION_RUN_DIR		"/run/printmail"

/*
 * The directories every front end uses, the same way: the token cache
 * ($PRINTMAIL_CACHE_DIR, else SESSION_CACHE_DIR), the provider limits'
 * files ($PRINTMAIL_RUN_DIR, else SESSION_RUN_DIR) and the queue
 * ($PRINTMAIL_QUEUE_DIR, else the account's queue_dir (a may be NULL),
 * else the built-in one).
 */
const char *session_cache_dir(void);
const char *session_run_dir(void);
const char *session_queue_dir(const struct conf_account *a);

/* Our name for EHLO: the account's helo, else this host's name. */
void	session_helo(const struct conf_account *a, char *buf, size_t len);

#endif
