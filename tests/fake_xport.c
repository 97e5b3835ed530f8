/*
 * fake_xport.c: the scripted transport.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#include "fake_xport.h"

struct fake {
	struct xport		 x;
	const char *const	*script;
	size_t			 step;
	size_t			 off;	/* into the current step's bytes */
	int			 tls, closed;
	char			 error[512];
	char			*written;
	size_t			 wlen;
	char			*body;
	size_t			 blen;
	size_t			 body_from;	/* where the current BODY step began */
};

static void
append(char **buf, size_t *len, const char *p, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static const char *
cur(struct fake *f)
{
	return f->script[f->step];
}

static int fail(struct fake *, struct err *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct fake *f, struct err *e, const char *fmt, ...)
{
	va_list	ap;

	if (f->error[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(f->error, sizeof(f->error), fmt, ap);
		va_end(ap);
	}
	return err_set(e, ERR_TEMP, "fake transport: %s", f->error);
}

static int
fk_read(struct xport *x, char *buf, size_t cap, size_t *got, int64_t dl,
    struct err *e)
{
	struct fake	*f = (struct fake *)x;
	const char	*s = cur(f);
	size_t		 n;

	*got = 0;
	if (s == NULL)
		return fail(f, e, "client read after the end of the script");
	if (strcmp(s, "TIMEOUT") == 0) {
		f->step++;
		return err_set(e, ERR_TEMP, "timed out waiting for the server");
	}
	if (strcmp(s, "EOF") == 0) {
		f->step++;
		return 0;
	}
	if (strcmp(s, "TRICKLE") == 0) {
		/*
		 * A server that sends one byte of an endless multi-line reply
		 * every 2 ms: only a deadline for the whole reply ends it.
		 */
		static const char drip[] = "220-trickle\r\n";
		struct timespec ts = { 0, 2000000L };

		if (util_now_ms() >= dl) {
			f->step++;
			f->off = 0;
			return err_set(e, ERR_TEMP, "timed out waiting for the "
			    "server");
		}
		nanosleep(&ts, NULL);
		buf[0] = drip[f->off++ % (sizeof(drip) - 1)];
		*got = 1;
		return 0;
	}
	if (strncmp(s, "S:", 2) != 0)
		return fail(f, e, "client read, but the script expects: %.200s",
		    s);
	s += 2;
	n = strlen(s) - f->off;
	if (n > cap)
		n = cap;
	memcpy(buf, s + f->off, n);
	f->off += n;
	*got = n;
	if (f->off == strlen(s)) {
		f->step++;
		f->off = 0;
	}
	return 0;
}

static int
fk_write(struct xport *x, const char *buf, size_t len, int64_t dl,
    struct err *e)
{
	struct fake	*f = (struct fake *)x;
	const char	*s;
	size_t		 n, want;

	(void)dl;
	append(&f->written, &f->wlen, buf, len);
	if (cur(f) != NULL && strcmp(cur(f), "WFAIL") == 0) {
		f->step++;
		return err_set(e, ERR_TEMP, "write: Connection reset by peer");
	}
	while (len > 0) {
		s = cur(f);
		if (s == NULL)
			return fail(f, e, "client wrote after the end of the "
			    "script: %.200s", buf);
		if (strcmp(s, "WFAIL") == 0) {
			f->step++;
			return err_set(e, ERR_TEMP, "write: Connection reset "
			    "by peer");
		}
		if (strcmp(s, "BODY") == 0) {
			const char *end;

			/* Each BODY step is one message, up to its dot. */
			append(&f->body, &f->blen, buf, len);
			end = strstr(f->body + f->body_from, "\r\n.\r\n");
			if (end == NULL &&
			    strcmp(f->body + f->body_from, ".\r\n") != 0)
				return 0;
			f->body_from = f->blen;
			f->step++;
			return 0;
		}
		if (strncmp(s, "C:", 2) != 0)
			return fail(f, e, "client wrote \"%.200s\", but the "
			    "script expects: %.200s", buf, s);
		s += 2;
		want = strlen(s) - f->off;
		n = len < want ? len : want;
		if (memcmp(buf, s + f->off, n) != 0)
			return fail(f, e, "client wrote \"%.200s\", expected "
			    "\"%.200s\"", buf, s + f->off);
		f->off += n;
		buf += n;
		len -= n;
		if (f->off == strlen(s)) {
			f->step++;
			f->off = 0;
		}
	}
	return 0;
}

static int
fk_starttls(struct xport *x, int64_t dl, struct err *e)
{
	struct fake	*f = (struct fake *)x;
	const char	*s = cur(f);

	(void)dl;
	if (s != NULL && strcmp(s, "TLS") == 0) {
		f->step++;
		f->tls = 1;
		return 0;
	}
	if (s != NULL && strcmp(s, "TLSFAIL") == 0) {
		f->step++;
		return err_set(e, ERR_TLS, "certificate not trusted");
	}
	if (s != NULL && strcmp(s, "TLSTIMEOUT") == 0) {
		f->step++;
		return err_set(e, ERR_TEMP, "timed out waiting for the server");
	}
	return fail(f, e, "client started TLS, but the script expects: "
	    "%.200s", s ? s : "(end)");
}

static const char *
fk_tls_info(struct xport *x)
{
	return ((struct fake *)x)->tls ? "TLSv1.3 fake" : NULL;
}

static void
fk_close(struct xport *x)
{
	((struct fake *)x)->closed = 1;
}

static const struct xport_ops fake_ops = {
	fk_read, fk_write, fk_starttls, fk_tls_info, fk_close
};

struct xport *
fake_new(const char *const *script, int tls)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->x.ops = &fake_ops;
	f->script = script;
	f->tls = tls;
	f->written = calloc(1, 1);
	f->body = calloc(1, 1);
	return &f->x;
}

const char *
fake_error(struct xport *x)
{
	struct fake *f = (struct fake *)x;

	return f->error[0] ? f->error : NULL;
}

int
fake_done(struct xport *x)
{
	return cur((struct fake *)x) == NULL;
}

int
fake_closed(struct xport *x)
{
	return ((struct fake *)x)->closed;
}

const char *
fake_written(struct xport *x)
{
	return ((struct fake *)x)->written;
}

const char *
fake_body(struct xport *x)
{
	return ((struct fake *)x)->body;
}

void
fake_free(struct xport *x)
{
	struct fake *f = (struct fake *)x;

	free(f->written);
	free(f->body);
	free(f);
}
