/*
 * authorize.h: printmail --authorize and --refresh.
 */
#ifndef PM_AUTHORIZE_H
#define PM_AUTHORIZE_H

#include "conf.h"
#include "err.h"

/*
 * Signs the account's mailbox in once and stores its refresh token:
 * device = 0, the authorization code flow with PKCE (S256) and a state,
 * the browser coming back to a listener on http://localhost:PORT (127.0.0.1
 * and ::1 only) or the admin pasting the address it came back to on
 * standard input, whichever comes first; device = 1, the device-code flow
 * (Microsoft), polling as the server says.  Prints what the admin does
 * on standard output.  Waits at most timeout_s for the sign-in.  Returns 0,
 * or -1 with *e.
 */
int	authorize_run(const struct conf_account *a, int device, int timeout_s,
	    struct err *e);

/* Refreshes sign-ins whose last refresh is older than this. */
#define AUTHORIZE_REFRESH_AGE	(3 * 86400L)

#endif
