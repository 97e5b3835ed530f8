/*
 * err.c: the error record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "i18n.h"
#include "util.h"

void
err_clear(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

static int err_vset(struct err *, enum err_kind, int, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

/* errno's text in English (log lines), whatever the locale. */
static const char *
sys_english(int errnum)
{
	const char *s = strerrordesc_np(errnum);

	return s != NULL ? s : "Unknown error";
}

static void
vformat(char *buf, size_t len, int errnum, const char *errtext,
    const char *fmt, va_list ap)
{
	size_t	n;

	vsnprintf(buf, len, fmt, ap);
	if (errnum != 0) {
		n = strlen(buf);
		snprintf(buf + n, len - n, ": %s", errtext);
	}
	/*
	 * Messages quote server replies, token endpoints, job values and
	 * file names: whoever shows one gets a single clean line.
	 */
	util_clean(buf);
}

static int
err_vset(struct err *e, enum err_kind kind, int errnum, const char *fmt,
    va_list ap)
{
	const char	*lfmt = gettext(fmt), *lsys = NULL;
	va_list		 aq;

	if (e == NULL || e->kind != ERR_NONE)
		return -1;
	e->kind = kind;
	e->sys_errno = errnum;
	if (errnum != 0)
		lsys = strerror(errnum);
	va_copy(aq, ap);
	vformat(e->msg, sizeof(e->msg), errnum,
	    errnum != 0 ? sys_english(errnum) : NULL, fmt, ap);
	e->shown[0] = '\0';
	if (lfmt != fmt || (lsys != NULL && strcmp(lsys,
	    sys_english(errnum)) != 0))
		vformat(e->shown, sizeof(e->shown), errnum, lsys, lfmt, aq);
	va_end(aq);
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
err_text(const struct err *e)
{
	return e->shown[0] != '\0' ? e->shown : e->msg;
}

static void
append(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t	n = strlen(buf);

	if (n + 1 < len) {
		vsnprintf(buf + n, len - n, fmt, ap);
		util_clean(buf + n);
	}
}

void
err_append(struct err *e, const char *fmt, ...)
{
	const char	*lfmt = gettext(fmt);
	va_list		 ap;

	if (e->shown[0] != '\0' || lfmt != fmt) {
		if (e->shown[0] == '\0')
			util_strlcpy(e->shown, e->msg, sizeof(e->shown));
		va_start(ap, fmt);
		append(e->shown, sizeof(e->shown), lfmt, ap);
		va_end(ap);
	}
	va_start(ap, fmt);
	append(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
err_nest(struct err *e, const struct err *inner)
{
	const char	*at, *from;
	char		 buf[ERR_MSG_MAX];

	if (inner->shown[0] == '\0' || inner->msg[0] == '\0')
		return;
	from = e->shown[0] != '\0' ? e->shown : e->msg;
	if ((at = strstr(from, inner->msg)) == NULL)
		return;
	/* A longer translation is cut, as any message is. */
	if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - from), from,
	    inner->shown, at + strlen(inner->msg)) < 0)
		return;
	util_strlcpy(e->shown, buf, sizeof(e->shown));
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
