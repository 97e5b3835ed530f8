/*
 * log.c: the logging hook.
 */
#include <stdarg.h>
#include <stdio.h>

#include "i18n.h"
#include "log.h"
#include "util.h"

static log_fn	log_handler;
static void	*log_ctx;

void
log_set_handler(log_fn fn, void *ctx)
{
	log_handler = fn;
	log_ctx = ctx;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char		 line[1024], shown[1024];
	const char	*lfmt;
	va_list		 ap;

	if (log_handler == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Trace lines quote the server: one clean line, always. */
	util_clean(line);
	if (level == LOG_LVL_TRACE || (lfmt = gettext(fmt)) == fmt) {
		log_handler(log_ctx, level, line, line);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(shown, sizeof(shown), lfmt, ap);
	va_end(ap);
	log_handler(log_ctx, level, line, util_clean(shown));
}
