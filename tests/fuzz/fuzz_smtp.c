/*
 * fuzz_smtp: the whole SMTP engine fed a fuzzed server byte stream: the
 * transport returns the input in chunks, swallows what the client writes
 * and pretends STARTTLS worked.  Open, send one message, quit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct xport	 x;
	const uint8_t	*d;
	size_t		 n, off;
	int		 tls;
};

static int
fz_read(struct xport *x, char *buf, size_t cap, size_t *got, int64_t dl,
    struct err *e)
{
	struct fz	*f = (struct fz *)x;
	size_t		 k = f->n - f->off;

	(void)dl;
	(void)e;
	/* Chunks of 1 to 64 bytes, sized by the data itself. */
	if (k > 0) {
		size_t want = (size_t)(f->d[f->off] % 64) + 1;

		if (k > want)
			k = want;
	}
	if (k > cap)
		k = cap;
	memcpy(buf, f->d + f->off, k);
	f->off += k;
	*got = k;
	return 0;
}

static int
fz_write(struct xport *x, const char *buf, size_t len, int64_t dl,
    struct err *e)
{
	(void)x;
	(void)buf;
	(void)len;
	(void)dl;
	(void)e;
	return 0;
}

static int
fz_starttls(struct xport *x, int64_t dl, struct err *e)
{
	(void)dl;
	(void)e;
	((struct fz *)x)->tls = 1;
	return 0;
}

static const char *
fz_info(struct xport *x)
{
	return ((struct fz *)x)->tls ? "fuzz" : NULL;
}

static void
fz_close(struct xport *x)
{
	(void)x;
}

static const struct xport_ops ops = {
	fz_read, fz_write, fz_starttls, fz_info, fz_close
};

struct msgsrc {
	const char	*text;
	size_t		 off;
};

static int
msg_read(void *ctx, char *buf, size_t cap, size_t *got, struct err *e)
{
	struct msgsrc	*m = ctx;
	size_t		 k = strlen(m->text) - m->off;

	(void)e;
	if (k > cap)
		k = cap;
	memcpy(buf, m->text + m->off, k);
	m->off += k;
	*got = k;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *rcpt[] = { "a@x.test", "b@y.test" };
	struct fz	 f = { { &ops }, data, size, 0, 0 };
	struct msgsrc	 ms = { "Subject: x\r\n\r\n.dot\r\nbody\r\n", 0 };
	struct smtp_opts o;
	struct smtp_msg	 m;
	struct smtp	*s;
	struct err	 e;

	memset(&o, 0, sizeof(o));
	o.helo = "fuzz.test";
	o.server = "server";
	o.starttls = size > 0 && (data[0] & 0x80);
	o.user = "u@x.test";
	o.secret = "password";
	o.token = (size > 1 && (data[1] & 0x80)) ? "token" : NULL;
	o.auth = size > 2 ? (enum smtp_auth)(data[2] % 4) : SMTP_AUTH_AUTO;
	o.timeout_ms = 1000;
	memset(&m, 0, sizeof(m));
	m.read = msg_read;
	m.ctx = &ms;
	m.size = strlen(ms.text);
	err_clear(&e);
	if ((s = smtp_new(&f.x, &o, &e)) == NULL)
		return 0;
	if (smtp_open(s, &e) == 0)
		(void)smtp_send(s, "from@x.test", rcpt, 2, &m, &e);
	smtp_free(s);
	return 0;
}
