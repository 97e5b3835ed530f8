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
	const char	*ppd;
	int		 no_check;
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

#endif
