/*
 * test_alloc: every public entry point of the core, with the Nth
 * allocation failing, for every N: no crash, and nothing leaked.
 *
 * glibc lets a program replace malloc, calloc, realloc and free; these
 * count live blocks and fail on request, and pass the rest to glibc's own
 * (__libc_malloc...).  Not built with a sanitizer, which replaces them too.
 * Prints "ok - ..." per entry point and a closing "N passed, N failed".
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "header.h"
#include "job.h"
#include "mime.h"
#include "oauth.h"
#include "session.h"
#include "rewrite.h"
#include "smtp.h"
#include "spool.h"
#include "throttle.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static long	calls, fail_at = -1, live;

static int
fail_now(void)
{
	return ++calls == fail_at;
}

void *
malloc(size_t n)
{
	void *p;

	if (fail_now())
		return NULL;
	if ((p = __libc_malloc(n)) != NULL)
		live++;
	return p;
}

void *
calloc(size_t a, size_t b)
{
	void *p;

	if (fail_now())
		return NULL;
	if ((p = __libc_calloc(a, b)) != NULL)
		live++;
	return p;
}

void *
realloc(void *old, size_t n)
{
	void *p;

	if (fail_now())
		return NULL;
	p = __libc_realloc(old, n);
	if (p != NULL && old == NULL)
		live++;
	return p;
}

void
free(void *p)
{
	if (p != NULL)
		live--;
	__libc_free(p);
}

static char dir[] = "/tmp/pm-alloc.XXXXXX";
static char confpath[300];

/* The scenarios: each cleans up after itself, whether it fails or not. */

static void
s_conf(void)
{
	struct conf_account	a;
	struct err		e;
	const char		*w[8];

	err_clear(&e);
	if (conf_load(confpath, "scans", &a, &e) == 0) {
		(void)conf_warnings(&a, w, 8);
		conf_account_clear(&a);
	}
}

static void
s_header(void)
{
	struct header		 h;
	struct addr_list	 l;
	struct err		 e;
	char			*a, *d, *s;

	header_init(&h);
	memset(&l, 0, sizeof(l));
	err_clear(&e);
	(void)header_append_line(&h, "To: A <a@x.vn>, \"B, C\" <b@y.vn>", 31,
	    0, &e);
	(void)header_append_line(&h, " , c@z.vn", 9, 1, &e);
	(void)header_insert(&h, 0, "Subject", "x", &e);
	if ((s = header_value(&h, h.n ? h.n - 1 : 0)) != NULL) {
		(void)header_addresses(s, &l, &e);
		free(s);
	}
	addr_list_clear(&l);
	if (header_mailbox("\"Scanner\" <s@p.local>", &a, &d, &e) == 0) {
		free(a);
		free(d);
	}
	free(header_phrase("K\xe1\xba\xbf to\xc3\xa1n, H\xc3\xa0 N\xe1\xbb\x99i"));
	free(header_text("H\xc3\xb3\x61 \xc4\x91\xc6\xa1n"));
	free(header_address("N\xc3\xa1me", "a@b.c"));
	header_clear(&h);
}

static int message_dot_ends = 1;

static void
s_message(void)
{
	static const char msg[] = "From: Scanner <scanner@printer.local>\n"
	    "To: a@x.vn\nCc: b@y.vn\nBcc: c@z.vn\nSubject: scan\n\n"
	    ".dot\nbody\n";
	struct conf_account	 a;
	struct addr_list	 l;
	struct spool		 sp;
	struct smtp_msg		 m;
	struct err		 e;
	char			 buf[256], *args[] = { "d@w.vn" };
	size_t			 got;
	int			 fd = memfd_create("alloc", 0);

	if (fd == -1 || write(fd, msg, sizeof(msg) - 1) == -1)
		abort();
	lseek(fd, 0, SEEK_SET);
	memset(&a, 0, sizeof(a));
	a.name = "default";
	a.from = "hoadon@congty.com";
	a.from_name = "K\xe1\xba\xbf to\xc3\xa1n";
	a.rewrite_from = 1;
	memset(&l, 0, sizeof(l));
	spool_init(&sp);
	err_clear(&e);
	if (spool_read(&sp, fd, message_dot_ends, "/tmp", &e) == 0 &&
	    rewrite_recipients(&sp, args, 1, 1, &l, &e) == 0 &&
	    rewrite_from(&sp, &a, NULL, NULL, &e) == 0 &&
	    rewrite_add_missing(&sp, &a, &e) == 0 &&
	    spool_msg(&sp, &m, &e) == 0)
		while (m.read(m.ctx, buf, sizeof(buf), &got, &e) == 0 && got)
			;
	addr_list_clear(&l);
	spool_clear(&sp);
	close(fd);
}

static void
s_mime(void)
{
	struct header	 h;
	struct mime_spec spec;
	struct mime_msg	*mm;
	struct smtp_msg	 m;
	struct err	 e;
	char		 buf[4096];
	size_t		 got;
	int		 fd = memfd_create("pdf", 0);

	if (fd == -1 || write(fd, "%PDF-1.4 data", 13) != 13)
		abort();
	lseek(fd, 0, SEEK_SET);
	header_init(&h);
	err_clear(&e);
	(void)header_insert(&h, 0, "Subject", "x", &e);
	memset(&spec, 0, sizeof(spec));
	spec.hdr = &h;
	spec.text = "K\xc3\xadnh g\xe1\xbb\xadi";
	spec.att_type = "application/pdf";
	spec.att_name = "H\xc3\xb3\x61 \xc4\x91\xc6\xa1n.pdf";
	spec.att_fd = fd;
	spec.att_size = 13;
	if ((mm = mime_new(&spec, &e)) != NULL) {
		if (mime_msg(mm, &m, &e) == 0)
			while (m.read(m.ctx, buf, sizeof(buf), &got, &e) == 0 &&
			    got)
				;
		mime_free(mm);
	}
	header_clear(&h);
	close(fd);
}

/* A transport that plays one Microsoft-365-like session, allocating nothing. */
struct play {
	struct xport	 x;
	const char	*script;
	size_t		 off;
	int		 tls;
};

static int
p_read(struct xport *x, char *buf, size_t cap, size_t *got, int64_t dl,
    struct err *e)
{
	struct play	*p = (struct play *)x;
	const char	*nl = strchr(p->script + p->off, '\n');
	size_t		 n = nl ? (size_t)(nl - (p->script + p->off)) + 1 :
			    strlen(p->script + p->off);

	(void)dl;
	(void)e;
	if (n > cap)
		n = cap;
	memcpy(buf, p->script + p->off, n);
	p->off += n;
	*got = n;
	return 0;
}

static int
p_write(struct xport *x, const char *b, size_t n, int64_t dl, struct err *e)
{
	(void)x;
	(void)b;
	(void)n;
	(void)dl;
	(void)e;
	return 0;
}

static int
p_starttls(struct xport *x, int64_t dl, struct err *e)
{
	(void)dl;
	(void)e;
	((struct play *)x)->tls = 1;
	return 0;
}

static const char *
p_info(struct xport *x)
{
	return ((struct play *)x)->tls ? "TLSv1.3" : NULL;
}

static void
p_close(struct xport *x)
{
	(void)x;
}

static const struct xport_ops play_ops = {
	p_read, p_write, p_starttls, p_info, p_close
};

static int
m_read(void *ctx, char *buf, size_t cap, size_t *got, struct err *e)
{
	int *done = ctx;

	(void)e;
	(void)cap;
	*got = *done ? 0 : 10;
	if (!*done)
		memcpy(buf, "Subject: x", 10);
	*done = 1;
	return 0;
}

static void
s_smtp(void)
{
	static const char *rcpt[] = { "a@x.vn", "b@y.vn" };
	struct play	 p = { { &play_ops },
	    "220 x ESMTP\r\n250-x\r\n250 STARTTLS\r\n220 go\r\n"
	    "250-x\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 AUTH LOGIN\r\n"
	    "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n"
	    "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n",
	    0, 0 };
	struct smtp_opts o;
	struct smtp_msg	 m;
	struct smtp	*s;
	struct err	 e;
	int		 done = 0;

	memset(&o, 0, sizeof(o));
	o.helo = "h";
	o.starttls = 1;
	o.user = "u@x.vn";
	o.secret = "p";
	o.timeout_ms = 1000;
	memset(&m, 0, sizeof(m));
	m.read = m_read;
	m.ctx = &done;
	m.size = 10;
	err_clear(&e);
	if ((s = smtp_new(&p.x, &o, &e)) == NULL)
		return;
	if (smtp_open(s, &e) == 0)
		(void)smtp_send(s, "f@x.vn", rcpt, 2, &m, &e);
	smtp_free(s);
}

static void
s_job(void)
{
	struct job_uri	 u;
	struct job_opts	 o;
	struct job_vars	 v = { "t", "u", "p", "1", "f.pdf", "d" };
	struct addr_list l;
	struct err	 e;

	err_clear(&e);
	if (job_parse_uri("email:/x?to=a%40x.vn&subject=H%C3%B3a", &u, &e) == 0)
		job_uri_clear(&u);
	if (job_parse_options("email-to=a@x.vn email-subject='a b' x", &o,
	    &e) == 0)
		job_opts_clear(&o);
	free(job_expand("{title} by {user} on {printer}", &v));
	free(job_filename(NULL, "smbprn.00000001 H\xc3\xb3\x61 \xc4\x91\xc6\xa1n",
	    "7"));
	memset(&l, 0, sizeof(l));
	(void)job_addresses("a@x.vn, B <b@y.vn>", &l, &e);
	addr_list_clear(&l);
}

static void
s_throttle(void)
{
	struct throttle_slot	s;
	struct err		e;

	err_clear(&e);
	if (throttle_acquire(dir, "a", 2, 1000, 1, 1, &s, &e) == 0)
		throttle_release(&s);
}

static void
s_oauth(void)
{
	struct err	 e;
	char		*tok;

	err_clear(&e);
	if ((tok = oauth_token_from_command("echo 'tok en1'", 5000, &e)) != NULL)
		free(tok);
	err_clear(&e);
	if ((tok = oauth_token_from_command("echo tok123", 5000, &e)) != NULL)
		free(tok);
}

static void
s_session(void)
{
	struct conf_account	 a;
	struct err		 e;
	struct smtp		*s;

	/* Nothing listens on port 1: DNS, connect, the error path. */
	memset(&a, 0, sizeof(a));
	a.path = "x";
	a.name = "default";
	a.host = "127.0.0.1";
	a.port = 1;
	a.tls = CONF_TLS_STARTTLS;
	a.from = "a@b.c";
	a.timeout = 2;
	err_clear(&e);
	if ((s = session_open(&a, "h", NULL, &e)) != NULL)
		smtp_free(s);
}

static int pass, failed;

static void
check(const char *name, void (*fn)(void))
{
	long	total, n, before;

	/* Once normally: lazy initialisation happens outside the count. */
	fn();
	calls = 0;
	fail_at = -1;
	before = live;
	fn();
	total = calls;
	if (live != before) {
		printf("not ok - %s leaks %ld blocks without any failure\n",
		    name, live - before);
		failed++;
		return;
	}
	for (n = 1; n <= total; n++) {
		calls = 0;
		fail_at = n;
		before = live;
		fn();
		fail_at = -1;
		if (live != before) {
			printf("not ok - %s: allocation %ld of %ld failing "
			    "leaks %ld blocks\n", name, n, total, live - before);
			failed++;
			return;
		}
	}
	printf("ok - %s: each of %ld allocations failed in turn, no crash, "
	    "no leak\n", name, total);
	pass++;
}

int
main(void)
{
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(confpath, sizeof(confpath), "%s/pm.conf", dir);
	if ((fp = fopen(confpath, "w")) == NULL)
		return 1;
	fprintf(fp, "timeout = 30\n[default]\nhost = h\nfrom = a@b.c\n"
	    "[scans]\nprovider = office365\nuser = s@c.vn\n"
	    "password = \"p # w\"\nfrom = s@c.vn\nfrom_name = N\n"
	    "allow_recipients = *@c.vn\nto = {user}@c.vn\n");
	fclose(fp);
	chmod(confpath, 0600);
	check("conf_load", s_conf);
	check("header fields and addresses", s_header);
	check("spool (copied), rewrite and reading back", s_message);
	message_dot_ends = 0;
	check("spool (in place), rewrite and reading back", s_message);
	check("mime_new and reading back", s_mime);
	check("smtp_open and smtp_send", s_smtp);
	check("job URI, options, templates, names, addresses", s_job);
	check("throttle_acquire", s_throttle);
	check("oauth_token_from_command", s_oauth);
	check("session_open (connection refused)", s_session);
	unlink(confpath);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			failed++;
	}
	printf("%d passed, %d failed\n", pass, failed);
	return failed ? 1 : 0;
}
