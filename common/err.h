/*
 * err.h: the error record every fallible function of the core fills.
 *
 * Functions return 0 on success and -1 on failure; the caller owns a
 * struct err and reads it after a failure.  The first error recorded wins:
 * later err_set() calls on a record that already holds an error are ignored,
 * so the root cause is what the user sees.  The message never holds a secret
 * and is always one line of printable text (util_clean()), whatever the
 * server, the job or the token endpoint put in it.
 */
#ifndef PM_ERR_H
#define PM_ERR_H

#include <stddef.h>

enum err_kind {
	ERR_NONE = 0,
	ERR_USAGE,	/* bad command line or options */
	ERR_DATA,	/* unusable input message or document */
	ERR_CONFIG,	/* config file missing, malformed or insecure */
	ERR_TEMP,	/* network failure, timeout, any 4xx reply */
	ERR_AUTH,	/* authentication, account or sender refused */
	ERR_TLS,	/* TLS failure, STARTTLS missing, injection */
	ERR_PROTOCOL,	/* the server broke the protocol */
	ERR_REFUSED,	/* this message (content or some recipients) refused */
	ERR_NORCPT,	/* no recipient was accepted */
	ERR_INTERNAL	/* out of memory, local I/O failure */
};

#define ERR_MSG_MAX 768

struct err {
	enum err_kind	kind;
	int		sys_errno;	/* errno at the failure, or 0 */
	int		smtp_code;	/* the server's reply code, or 0 */
	char		enh[16];	/* enhanced status code "5.7.139", or "" */
	char		msg[ERR_MSG_MAX];	/* English: log lines */
	char		shown[ERR_MSG_MAX];	/* translated, or "" */
};

/* Resets a record to "no error". */
void	err_clear(struct err *e);

/*
 * Records an error of the given kind with a printf-style message, unless the
 * record already holds one.  Always returns -1 so callers can write
 * "return err_set(...)".
 */
int	err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* As err_set(), appending ": strerror(errno)" and keeping errno. */
int	err_sys(struct err *e, enum err_kind kind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* The message for a person: the translation if there is one, else msg. */
const char *err_text(const struct err *e);

/*
 * Appends to both texts of a recorded error (", and what else is known"):
 * fmt is translated for the shown text.
 */
void	err_append(struct err *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * After err_set(e, ..., "...%s...", inner->msg): the shown text quotes the
 * inner error's shown text, not its English one.
 */
void	err_nest(struct err *e, const struct err *inner);

/* A short lower-case name of the kind, for log lines ("auth", "temp"...). */
const char *err_kind_name(enum err_kind kind);

#endif
