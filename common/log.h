/*
 * log.h: the logging hook.  The core never prints: it hands each line to the
 * handler the front end installed, which decides where it goes (stderr,
 * syslog, CUPS "DEBUG:" lines) and which levels it keeps.  No level ever
 * carries a secret: the SMTP trace shows AUTH exchanges as <redacted>.
 */
#ifndef PM_LOG_H
#define PM_LOG_H

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_NOTICE,	/* for the user: waiting for a provider limit */
	LOG_LVL_INFO,	/* steps: connected, TLS established, authenticated */
	LOG_LVL_TRACE	/* the SMTP dialogue, one line each way */
};

/*
 * line is English (log files, syslog); shown is the same line in the
 * reader's language (gettext), or line itself when there is no translation.
 */
typedef void (*log_fn)(void *ctx, enum log_level level, const char *line,
    const char *shown);

/* Installs the handler (NULL: discard everything). */
void	log_set_handler(log_fn fn, void *ctx);

/*
 * Formats one line, makes it clean (util_clean(): no line break or control
 * character, whatever it quotes) and passes it to the handler, in English
 * and translated.
 */
void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The SMTP dialogue: never translated, so not marked for translators. */
#define log_trace(...)	log_msg(LOG_LVL_TRACE, __VA_ARGS__)

#endif
