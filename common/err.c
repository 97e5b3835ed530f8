/*
 * err.c: the error record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "util.h"

void
err_clear(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

static int err_vset(struct err *, enum err_kind, int, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

static int
err_vset(struct err *e, enum err_kind kind, int errnum, const char *fmt,
    va_list ap)
{
	size_t	n;

	if (e == NULL || e->kind != ERR_NONE)
		return -1;
	e->kind = kind;
	e->sys_errno = errnum;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (errnum != 0) {
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
		    strerror(errnum));
	}
	/*
	 * Messages quote server replies, token endpoints, job values and
	 * file names: whoever shows one gets a single clean line.
	 */
	util_clean(e->msg);
	return -1;
}

int
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	err_vset(e, kind, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_sys(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	err_vset(e, kind, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

const char *
err_kind_name(enum err_kind kind)
{
	switch (kind) {
	case ERR_NONE:		return "ok";
	case ERR_USAGE:		return "usage";
	case ERR_DATA:		return "data";
	case ERR_CONFIG:	return "config";
	case ERR_TEMP:		return "temporary";
	case ERR_AUTH:		return "auth";
	case ERR_TLS:		return "tls";
	case ERR_PROTOCOL:	return "protocol";
	case ERR_REFUSED:	return "refused";
	case ERR_NORCPT:	return "no-recipient";
	case ERR_INTERNAL:	return "internal";
	}
	return "unknown";
}
