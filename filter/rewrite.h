/*
 * rewrite.h: what printmail changes in a message before sending it.
 */
#ifndef PM_REWRITE_H
#define PM_REWRITE_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "err.h"
#include "header.h"
#include "spool.h"

/*
 * The envelope recipients: the addresses of args and, with extract (-t),
 * of every To, Cc and Bcc field; each once, each a full address or a
 * local user's name (for rewrite_local).  Bcc
 * fields are removed from the message whatever extract says.  Returns 0,
 * or -1 with ERR_USAGE (no recipient, an address without a domain),
 * ERR_DATA or ERR_INTERNAL.
 */
int	rewrite_recipients(struct spool *sp, char *const *args, size_t nargs,
	    int extract, struct addr_list *l, struct err *e);

/*
 * Local users' recipients (root, user@localhost, user@THIS-HOST: cron,
 * CUPS's notifier) become admin_address, each address once.  Returns 0,
 * or -1 with ERR_USAGE when there is one and admin is NULL.
 */
int	rewrite_local(struct addr_list *l, const char *admin, struct err *e);

/*
 * Microsoft 365 refuses a From that is not the authenticated mailbox
 * (SendAsDenied): unless the account says rewrite_from = no, a From naming
 * another address is replaced by the account's mailbox (named fullname,
 * else from_name, else the original display name) and the original is
 * kept as Reply-To when there is none.  Without a From, one is added, and
 * sender (-f) becomes the Reply-To.  0 or -1 (ERR_DATA, ERR_INTERNAL).
 */
int	rewrite_from(struct spool *sp, const struct conf_account *a,
	    const char *sender, const char *fullname, struct err *e);

/*
 * Adds Message-ID (in domain) and Date (of when) when they are missing, so
 * that a queued message keeps the time it was submitted and one
 * Message-ID however often it is tried.  0 or -1.
 */
int	rewrite_add_ids(struct spool *sp, const char *domain, time_t when,
	    struct err *e);

/* Adds Date and Message-ID when they are missing (now, from's domain). */
int	rewrite_add_missing(struct spool *sp, const struct conf_account *a,
	    struct err *e);

#endif
