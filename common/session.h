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
 * configured), says EHLO as helo, and authenticates with the account's
 * password when a user is set.  Returns the session, which the caller
 * ends with smtp_free(), or NULL with the error in *e (ERR_TEMP,
 * ERR_CONFIG, ERR_TLS, ERR_AUTH, ERR_PROTOCOL).
 */
struct smtp *session_open(const struct conf_account *a, const char *helo,
	    struct err *e);

/* Our name for EHLO: the account's helo, else this host's name. */
void	session_helo(const struct conf_account *a, char *buf, size_t len);

#endif
