/*
 * log.c: the logging hook.
 */
#include <stdarg.h>
#include <stdio.h>

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
	char	line[1024];
	va_list	ap;

	if (log_handler == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Trace lines quote the server: one clean line, always. */
	log_handler(log_ctx, level, util_clean(line));
}
