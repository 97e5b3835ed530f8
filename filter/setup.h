/*
 * setup.h: printmail --setup --non-interactive.
 */
#ifndef PM_SETUP_H
#define PM_SETUP_H

#include "err.h"

struct setup_opts {
	const char	*config;	/* the file to write */
	const char	*account;	/* its section */
	const char	*address;	/* the mailbox: user and from */
	char		*password;	/* secret, from standard input */
	const char	*provider;	/* office365 | gmail, or */
	const char	*host, *port, *tls, *tls_ca_file;
	const char	*from_name, *to;
	const char	*queue;		/* a CUPS queue to make, or NULL */
	const char	*queue_info;	/* its description, or NULL */
	const char	*ppd;
	int		 no_check;
	/* OAuth 2.0 instead of a password: a device-code sign-in. */
	int		 oauth;
	const char	*oauth_tenant, *oauth_client_id;
};

/*
 * Writes the account's section of the config (every other line kept; the
 * keys it sets replaced in place or added), into a new file next to the
 * config with its owner and mode (a new config: 640 root:printmail when
 * that group exists, else 600), runs check() on it unless no_check, and
 * only then renames it over the config: a failed check leaves the config
 * byte for byte.  With queue, makes the CUPS queue with lpadmin.  Returns
 * 0, or -1 with ERR_USAGE for bad options, the check's error, or
 * ERR_CONFIG.
 */
int	setup_run(const struct setup_opts *so,
	    int (*check)(const char *config, const char *account,
	    struct err *e), struct err *e);

/*
 * The same, asking on the terminal (/dev/tty): the mailbox address, the
 * provider (guessed from the domain and its MX records), the server for
 * another provider, the sender's name, where prints go, the App Password
 * without echo, or OAuth 2.0 (tenant and client IDs; sign_in() then
 * runs the device-code sign-in and the check on the new file); then
 * writes and checks as setup_run() does, and on a
 * failure shows the fix and offers to try again; finally offers a CUPS
 * queue.  What so holds (options given) are the defaults, then what the
 * account's section already says.  Ctrl-C leaves the config as it was.
 */
int	setup_interactive(struct setup_opts *so,
	    int (*check)(const char *config, const char *account,
	    struct err *e), int (*sign_in)(const char *config,
	    const char *account, struct err *e),
	    const char *(*advice)(const struct err *, const char *, int, char *,
	    size_t), struct err *e);

/*
 * "office365" or "gmail" for a mail domain (its name, else its MX
 * records), or NULL when it is neither or cannot be told.
 */
const char *setup_guess_provider(const char *domain);

#endif
