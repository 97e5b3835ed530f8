/*
 * test_smtp.c: the SMTP engine against scripted servers; every byte the
 * client writes is checked against the script.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_xport.h"
#include "outcome.h"
#include "smtp.h"
#include "util.h"

#define USER	"hoadon@congty.com"
#define PASS	"abcd efgh ijkl mnop"
#define USER64	"aG9hZG9uQGNvbmd0eS5jb20="
#define PASS64	"YWJjZCBlZmdoIGlqa2wgbW5vcA=="
#define PLAIN64	"AGhvYWRvbkBjb25ndHkuY29tAGFiY2QgZWZnaCBpamtsIG1ub3A="

/* Microsoft 365 as PROVIDERS.md describes it. */
#define M365_GREETING "S:220 XX0PR00CA0000.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n"
#define M365_EHLO1 \
	"S:250-XX0PR00CA0000.outlook.office365.com Hello [127.0.0.1]\r\n" \
	"250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n" \
	"250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n" \
	"250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n"
#define M365_EHLO2 \
	"S:250-XX0PR00CA0000.outlook.office365.com Hello [127.0.0.1]\r\n" \
	"250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n" \
	"250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n" \
	"250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n"
#define M365_OPEN \
	M365_GREETING, "C:EHLO client.test\r\n", M365_EHLO1, \
	"C:STARTTLS\r\n", "S:220 2.0.0 SMTP server ready\r\n", "TLS", \
	"C:EHLO client.test\r\n", M365_EHLO2
#define M365_LOGIN \
	"C:AUTH LOGIN\r\n", "S:334 VXNlcm5hbWU6\r\n", "C:" USER64 "\r\n", \
	"S:334 UGFzc3dvcmQ6\r\n", "C:" PASS64 "\r\n", \
	"S:235 2.7.0 Authentication successful\r\n"

struct mem {
	const char	*data;
	size_t		 off;
};

static int
mem_rewind(void *ctx, struct err *e)
{
	(void)e;
	((struct mem *)ctx)->off = 0;
	return 0;
}

static int
mem_read(void *ctx, char *buf, size_t cap, size_t *got, struct err *e)
{
	struct mem	*m = ctx;
	size_t		 n = strlen(m->data) - m->off;

	(void)e;
	if (n > cap)
		n = cap;
	memcpy(buf, m->data + m->off, n);
	m->off += n;
	*got = n;
	return 0;
}

/* run(): whether the scripted connection is already inside TLS. */
static int run_in_tls;

static struct smtp_opts
opts(int starttls, const char *user)
{
	struct smtp_opts o;

	memset(&o, 0, sizeof(o));
	o.helo = "client.test";
	o.server = "smtp.test";
	o.starttls = starttls;
	o.user = user;
	o.secret = PASS;
	o.timeout_ms = 1000;
	return o;
}

/*
 * Runs a session: open, then (when text is set) send one message to the
 * recipients.  Returns the error kind; checks the script was followed.
 */
static enum err_kind
run(const char *const *script, struct smtp_opts o, const char *text,
    const char *const *rcpt, size_t nrcpt, struct err *e, char **body,
    char **written)
{
	struct xport	*x = fake_new(script, run_in_tls);
	struct smtp	*s;
	struct mem	 mem = { text, 0 };
	struct smtp_msg	 m;

	err_clear(e);
	s = smtp_new(x, &o, e);
	assert_non_null(s);
	if (smtp_open(s, e) == 0 && text != NULL) {
		memset(&m, 0, sizeof(m));
		m.read = mem_read;
		m.rewind = mem_rewind;
		m.ctx = &mem;
		m.size = strlen(text);
		m.eightbit = strchr(text, '\xc3') != NULL;
		(void)smtp_send(s, USER, rcpt, nrcpt, &m, e);
	}
	smtp_free(s);
	if (fake_error(x) != NULL)
		fail_msg("script: %s", fake_error(x));
	if (!fake_done(x))
		fail_msg("the client stopped before the end of the script");
	assert_true(fake_closed(x));
	if (body != NULL)
		*body = strdup(fake_body(x));
	if (written != NULL)
		*written = strdup(fake_written(x));
	fake_free(x);
	return e->kind;
}

static const char *one[] = { "ketoan@khachhang.vn" };

static void
m365_login_pipelined(void **state)
{
	static const char *script[] = {
		M365_OPEN, M365_LOGIN,
		"C:MAIL FROM:<" USER "> SIZE=23\r\n"
		    "RCPT TO:<ketoan@khachhang.vn>\r\nDATA\r\n",
		"S:250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n"
		    "354 Start mail input; end with <CRLF>.<CRLF>\r\n",
		"BODY",
		"S:250 2.0.0 OK <id> [Hostname=XX0PR00MB0000]\r\n",
		"C:QUIT\r\n", "S:221 2.0.0 Service closing transmission channel\r\n",
		NULL
	};
	struct err	 e;
	char		*body;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "Subject: x\n\n.hello\nbye\n",
	    one, 1, &e, &body, NULL), ERR_NONE);
	assert_string_equal(body, "Subject: x\r\n\r\n..hello\r\nbye\r\n.\r\n");
	free(body);
}

static void
plain_only_server(void **state)
{
	static const char *script[] = {
		"S:220 plain.test ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-plain.test\r\n250 STARTTLS\r\n",
		"C:STARTTLS\r\n", "S:220 go ahead\r\n", "TLS",
		"C:EHLO client.test\r\n",
		"S:250-plain.test\r\n250 AUTH PLAIN\r\n",
		"C:AUTH PLAIN " PLAIN64 "\r\n", "S:235 ok\r\n",
		"C:MAIL FROM:<" USER ">\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<ketoan@khachhang.vn>\r\n", "S:250 ok\r\n",
		"C:DATA\r\n", "S:354 go\r\n", "BODY", "S:250 queued\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "hi\n", one, 1, &e, NULL,
	    NULL), ERR_NONE);
}

static void
login_forced_where_only_plain(void **state)
{
	static const char *script[] = {
		"S:220 plain.test ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-plain.test\r\n250 STARTTLS\r\n",
		"C:STARTTLS\r\n", "S:220 go ahead\r\n", "TLS",
		"C:EHLO client.test\r\n",
		"S:250-plain.test\r\n250 AUTH PLAIN\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct smtp_opts o = opts(1, USER);
	struct err e;

	(void)state;
	o.auth = SMTP_AUTH_LOGIN;
	assert_int_equal(run(script, o, NULL, NULL, 0, &e, NULL, NULL),
	    ERR_AUTH);
	assert_non_null(strstr(e.msg, "does not offer AUTH LOGIN"));
}

static void
auth_535_is_auth_error(void **state)
{
	static const char *script[] = {
		M365_OPEN,
		"C:AUTH LOGIN\r\n", "S:334 VXNlcm5hbWU6\r\n",
		"C:" USER64 "\r\n", "S:334 UGFzc3dvcmQ6\r\n",
		"C:" PASS64 "\r\n",
		"S:535 5.7.139 Authentication unsuccessful, the user "
		    "credentials were incorrect. [XX0PR00CA0000.namprd00."
		    "prod.outlook.com 2026-01-01T00:00:00Z]\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_AUTH);
	assert_int_equal(e.smtp_code, 535);
	assert_string_equal(e.enh, "5.7.139");
	assert_non_null(strstr(e.msg, "credentials were incorrect"));
	assert_null(strstr(e.msg, PASS));
}

static void
starttls_454_is_temporary(void **state)
{
	static const char *script[] = {
		M365_GREETING, "C:EHLO client.test\r\n", M365_EHLO1,
		"C:STARTTLS\r\n", "S:454 4.7.0 TLS not available\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_TEMP);
	assert_int_equal(e.smtp_code, 454);
}

static void
starttls_not_offered(void **state)
{
	static const char *script[] = {
		"S:220 old.test ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-old.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err	 e;
	char		*w;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    &w), ERR_TLS);
	assert_non_null(strstr(e.msg, "does not offer STARTTLS"));
	assert_null(strstr(w, "AUTH"));
	free(w);
}

static void
bytes_after_starttls_reply(void **state)
{
	static const char *script[] = {
		M365_GREETING, "C:EHLO client.test\r\n", M365_EHLO1,
		"C:STARTTLS\r\n",
		"S:220 2.0.0 ready\r\n250-injected\r\n250 AUTH PLAIN\r\n",
		NULL
	};
	struct err	 e;
	char		*w;

	(void)state;
	/* No TLS step, no QUIT: the client must abort at once. */
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    &w), ERR_TLS);
	assert_non_null(strstr(e.msg, "injection"));
	assert_null(strstr(w, "AUTH"));
	free(w);
}

static void
never_auth_in_clear(void **state)
{
	static const char *script[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-x\r\n250 AUTH PLAIN LOGIN\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err	 e;
	char		*w;

	(void)state;
	assert_int_equal(run(script, opts(0, USER), "x\n", one, 1, &e, NULL,
	    &w), ERR_TLS);
	assert_null(strstr(w, "AUTH"));
	free(w);
}

static void
pipelined_rcpts_mixed(void **state)
{
	static const char *rcpt[] = { "a@x.vn", "b@y.vn" };
	static const char *script[] = {
		M365_OPEN, M365_LOGIN,
		"C:MAIL FROM:<" USER "> SIZE=2\r\nRCPT TO:<a@x.vn>\r\n"
		    "RCPT TO:<b@y.vn>\r\nDATA\r\n",
		"S:250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
		    "550 5.1.1 User unknown\r\n354 go ahead\r\n",
		/* All or nothing: the connection is dropped, no dot, no QUIT. */
		NULL
	};
	struct err	 e;
	char		*w;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", rcpt, 2, &e, NULL,
	    &w), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "b@y.vn"));
	assert_int_equal(e.smtp_code, 550);
	assert_null(strstr(w, "\r\n.\r\n"));
	free(w);
}

static void
pipelined_all_rcpts_refused(void **state)
{
	static const char *rcpt[] = { "a@x.vn", "b@y.vn" };
	static const char *script[] = {
		M365_OPEN, M365_LOGIN,
		"C:MAIL FROM:<" USER "> SIZE=2\r\nRCPT TO:<a@x.vn>\r\n"
		    "RCPT TO:<b@y.vn>\r\nDATA\r\n",
		"S:250 ok\r\n550 5.1.1 no\r\n550 5.1.1 no\r\n"
		    "554 5.5.1 no valid recipients\r\n",
		"C:RSET\r\n", "S:250 ok\r\n", "C:QUIT\r\n", "S:221 bye\r\n",
		NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", rcpt, 2, &e, NULL,
	    NULL), ERR_NORCPT);
}

static void
rcpt_4xx_is_temporary(void **state)
{
	static const char *rcpt[] = { "a@x.vn" };
	static const char *script[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-x\r\n250 STARTTLS\r\n", "C:STARTTLS\r\n", "S:220 go\r\n",
		"TLS", "C:EHLO client.test\r\n", "S:250-x\r\n250 AUTH LOGIN\r\n",
		M365_LOGIN,
		"C:MAIL FROM:<" USER ">\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<a@x.vn>\r\n", "S:452 4.5.3 too many recipients\r\n",
		"C:RSET\r\n", "S:250 ok\r\n", "C:QUIT\r\n", "S:221 bye\r\n",
		NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", rcpt, 1, &e, NULL,
	    NULL), ERR_TEMP);
}

/* One reply at one step of a plain (no TLS, no AUTH) session. */
struct fault {
	const char	*name;
	int		 step;	/* 0 greeting .. 5 end of data */
	const char	*reply;
	enum err_kind	 want;
};

static const struct fault faults[] = {
	{ "greeting 421", 0, "421 4.3.2 Service not available\r\n", ERR_TEMP },
	{ "greeting 554", 0, "554 5.7.1 go away\r\n", ERR_PROTOCOL },
	{ "EHLO 451", 1, "451 4.7.0 Temporary server error\r\n", ERR_TEMP },
	{ "EHLO 502", 1, "502 5.5.1 no\r\n", ERR_PROTOCOL },
	{ "MAIL 451", 2, "451 4.7.0 Temporary server error\r\n", ERR_TEMP },
	{ "MAIL 550 5.7.60", 2, "550 5.7.60 SMTP; Client does not have "
	    "permissions to send as this sender\r\n", ERR_AUTH },
	{ "MAIL 530 5.7.57", 2, "530 5.7.57 Client not authenticated to send "
	    "mail\r\n", ERR_AUTH },
	{ "MAIL 550 5.7.30", 2, "550 5.7.30 Basic authentication is not "
	    "supported for Client Submission.\r\n", ERR_AUTH },
	{ "MAIL 552", 2, "552 5.3.4 Message size exceeds fixed maximum "
	    "message size\r\n", ERR_REFUSED },
	{ "RCPT 550", 3, "550 5.1.1 unknown\r\n", ERR_NORCPT },
	{ "DATA 451", 4, "451 4.3.0 try later\r\n", ERR_TEMP },
	{ "DATA 554", 4, "554 5.5.1 no\r\n", ERR_REFUSED },
	{ "dot 451", 5, "451 4.7.0 Temporary server error\r\n", ERR_TEMP },
	{ "dot 554 5.2.252", 5, "554 5.2.252 SendAsDenied; hoadon@congty.com "
	    "not allowed to send as x@y.vn; STOREDRV.Submission.Exception:"
	    "SendAsDeniedException.Mapi\r\n", ERR_AUTH },
	{ "dot 554 5.2.0 SendAs", 5, "554 5.2.0 STOREDRV.Submission."
	    "Exception:SendAsDeniedException; Failed to process message\r\n",
	    ERR_AUTH },
	{ "dot 552", 5, "552 5.3.4 too big\r\n", ERR_REFUSED },
	{ "dot 432 4.3.2", 5, "432 4.3.2 STOREDRV.ClientSubmit; sender thread "
	    "limit exceeded\r\n", ERR_TEMP },
};

static void
fault_at_each_step(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		const struct fault *f = &faults[i];
		const char *ok[] = {
			"S:220 x ESMTP\r\n", "S:250 x\r\n", "S:250 ok\r\n",
			"S:250 ok\r\n", "S:354 go\r\n", "S:250 queued\r\n"
		};
		const char *cmd[] = {
			NULL, "C:EHLO client.test\r\n",
			"C:MAIL FROM:<" USER ">\r\n", "C:RCPT TO:<a@x.vn>\r\n",
			"C:DATA\r\n", "BODY"
		};
		const char *script[24];
		char bad[256];
		size_t n = 0;
		int k;
		struct err e;
		static const char *rcpt[] = { "a@x.vn" };

		snprintf(bad, sizeof(bad), "S:%s", f->reply);
		for (k = 0; k <= f->step; k++) {
			if (cmd[k] != NULL)
				script[n++] = cmd[k];
			script[n++] = k == f->step ? bad : ok[k];
		}
		/* After a refused RCPT the transaction is reset. */
		if (f->step == 3) {
			script[n++] = "C:RSET\r\n";
			script[n++] = "S:250 ok\r\n";
		}
		/* A 4xx/5xx greeting or EHLO: still a polite QUIT. */
		script[n++] = "C:QUIT\r\n";
		script[n++] = "S:221 bye\r\n";
		script[n] = NULL;
		/* As with implicit TLS: account codes count only there. */
		run_in_tls = 1;
		if (run(script, opts(0, NULL), "x\n", rcpt, 1, &e, NULL,
		    NULL) != f->want)
			fail_msg("%s: got %s (%s), want %s", f->name,
			    err_kind_name(e.kind), e.msg,
			    err_kind_name(f->want));
		run_in_tls = 0;
		/*
		 * In clear (tls = none) anyone on the path may have written
		 * the reply: an account code there is only a protocol error.
		 */
		if (f->want == ERR_AUTH && run(script, opts(0, NULL), "x\n",
		    rcpt, 1, &e, NULL, NULL) != ERR_PROTOCOL)
			fail_msg("%s in clear: got %s (%s), want protocol",
			    f->name, err_kind_name(e.kind), e.msg);
	}
}

/*
 * The fault matrix: every stage of a STARTTLS + AUTH session against every
 * fault.  The expected kinds are the contract; the exit codes follow from
 * the one outcome table.  With FAULT_MATRIX_OUT set, the matrix is also
 * written there as the Markdown table of docs/fault-matrix.md.
 */
enum { F_4XX, F_5XX, F_EOF, F_SILENCE, F_GARBAGE, F_TRICKLE, F_ACCOUNT,
    F_N };
static const char *fault_names[F_N] = {
	"4xx reply", "5xx reply", "disconnect", "silence past the timeout",
	"garbage reply", "a byte now and then past the timeout",
	"5xx with an account code (5.7.139)"
};

struct stage {
	const char	*name;
	const char	*cmd;	/* what the client sends, NULL for none */
	const char	*ok;	/* the good reply */
	enum err_kind	 want[F_N];
};

#define S(n, c, o, a, b, d, s, g, t, k) { n, c, o, { a, b, d, s, g, t, k } }
static const struct stage stages[] = {
	S("connect / banner", NULL, "S:220 x ESMTP\r\n",
	    ERR_TEMP, ERR_PROTOCOL, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_PROTOCOL),
	S("EHLO", "C:EHLO client.test\r\n", "S:250-x\r\n250 STARTTLS\r\n",
	    ERR_TEMP, ERR_PROTOCOL, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_PROTOCOL),
	S("STARTTLS", "C:STARTTLS\r\n", "S:220 go\r\n",
	    ERR_TEMP, ERR_TLS, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_TLS),
	S("TLS handshake", NULL, "TLS",
	    ERR_NONE, ERR_NONE, ERR_TLS, ERR_TEMP, ERR_TLS, ERR_NONE, ERR_NONE),
	S("EHLO after TLS", "C:EHLO client.test\r\n",
	    "S:250-x\r\n250 AUTH PLAIN\r\n",
	    ERR_TEMP, ERR_PROTOCOL, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_PROTOCOL),
	S("AUTH", "C:AUTH PLAIN " PLAIN64 "\r\n", "S:235 ok\r\n",
	    ERR_TEMP, ERR_AUTH, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_AUTH),
	S("MAIL", "C:MAIL FROM:<" USER ">\r\n", "S:250 ok\r\n",
	    ERR_TEMP, ERR_REFUSED, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_AUTH),
	S("RCPT", "C:RCPT TO:<a@x.vn>\r\n", "S:250 ok\r\n",
	    ERR_TEMP, ERR_NORCPT, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_AUTH),
	S("DATA", "C:DATA\r\n", "S:354 go\r\n",
	    ERR_TEMP, ERR_REFUSED, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_AUTH),
	S("message body", NULL, "BODY",
	    ERR_NONE, ERR_NONE, ERR_TEMP, ERR_TEMP, ERR_NONE, ERR_NONE,
	    ERR_NONE),
	S("final dot", NULL, "S:250 queued\r\n",
	    ERR_TEMP, ERR_REFUSED, ERR_TEMP, ERR_TEMP, ERR_PROTOCOL, ERR_TEMP,
	    ERR_AUTH),
	S("QUIT", "C:QUIT\r\n", "S:221 bye\r\n",
	    ERR_NONE, ERR_NONE, ERR_NONE, ERR_NONE, ERR_NONE, ERR_NONE,
	    ERR_NONE),
};
#undef S
#define NSTAGES (sizeof(stages) / sizeof(stages[0]))

/* Whether a fault can happen at a stage (no reply inside TLS or the body). */
static int
applies(size_t st, int f)
{
	if (strcmp(stages[st].ok, "TLS") == 0)
		return f == F_EOF || f == F_SILENCE || f == F_GARBAGE;
	if (strcmp(stages[st].ok, "BODY") == 0)
		return f == F_EOF || f == F_SILENCE;
	return 1;
}

/* The final dot's reply lost: the message may have been accepted. */
static int
outcome_unknown(size_t st, int f)
{
	return strcmp(stages[st].name, "final dot") == 0 &&
	    (f == F_EOF || f == F_SILENCE || f == F_TRICKLE);
}

static void
fault_matrix(void **state)
{
	static const char *rcpt[] = { "a@x.vn" };
	const char	*out = getenv("FAULT_MATRIX_OUT");
	FILE		*md = out ? fopen(out, "w") : NULL;
	size_t		 st, k;
	int		 f;

	(void)state;
	if (md != NULL) {
		fprintf(md, "| stage |");
		for (f = 0; f < F_N; f++)
			fprintf(md, " %s |", fault_names[f]);
		fprintf(md, "\n|---|");
		for (f = 0; f < F_N; f++)
			fprintf(md, "---|");
		fprintf(md, "\n");
	}
	for (st = 0; st < NSTAGES; st++) {
		if (md != NULL)
			fprintf(md, "| %s |", stages[st].name);
		for (f = 0; f < F_N; f++) {
			const char *script[40];
			size_t n = 0;
			struct err e;
			struct smtp_opts o;
			int64_t t0;
			enum err_kind want = stages[st].want[f];
			int quit_stage = strcmp(stages[st].name, "QUIT") == 0;

			if (!applies(st, f)) {
				if (md != NULL)
					fprintf(md, " - |");
				continue;
			}
			/* Every stage before this one goes well. */
			for (k = 0; k < st; k++) {
				if (stages[k].cmd != NULL)
					script[n++] = stages[k].cmd;
				script[n++] = stages[k].ok;
			}
			if (stages[st].cmd != NULL)
				script[n++] = stages[st].cmd;
			if (strcmp(stages[st].ok, "TLS") == 0)
				script[n++] = f == F_SILENCE ? "TLSTIMEOUT" :
				    "TLSFAIL";
			else if (strcmp(stages[st].ok, "BODY") == 0)
				script[n++] = "WFAIL";
			else if (f == F_4XX)
				script[n++] = "S:451 4.3.0 try again later\r\n";
			else if (f == F_5XX)
				script[n++] = "S:554 5.3.0 refused\r\n";
			else if (f == F_EOF)
				script[n++] = "EOF";
			else if (f == F_SILENCE)
				script[n++] = "TIMEOUT";
			else if (f == F_TRICKLE)
				script[n++] = "TRICKLE";
			else if (f == F_ACCOUNT)
				script[n++] = "S:535 5.7.139 Authentication "
				    "unsuccessful, basic authentication is "
				    "disabled\r\n";
			else
				script[n++] = "S:HTTP/1.0 200 OK\r\n";
			/* A clean 4xx/5xx reply leaves the session usable. */
			if ((f == F_4XX || f == F_5XX || f == F_ACCOUNT) &&
			    !quit_stage &&
			    strcmp(stages[st].ok, "TLS") != 0) {
				if (strcmp(stages[st].name, "RCPT") == 0) {
					script[n++] = "C:RSET\r\n";
					script[n++] = "S:250 ok\r\n";
				}
				script[n++] = "C:QUIT\r\n";
				script[n++] = "S:221 bye\r\n";
			}
			script[n] = NULL;
			o = opts(1, USER);
			o.timeout_ms = 300;
			t0 = util_now_ms();
			if (run(script, o, "x\n", rcpt, 1, &e, NULL, NULL) !=
			    want)
				fail_msg("%s / %s: got %s (%s), want %s",
				    stages[st].name, fault_names[f],
				    err_kind_name(e.kind), e.msg,
				    err_kind_name(want));
			/* One deadline per reply, however the bytes come. */
			if (f == F_TRICKLE && util_now_ms() - t0 > 1000)
				fail_msg("%s / %s: took %lld ms with a 300 ms "
				    "timeout", stages[st].name, fault_names[f],
				    (long long)(util_now_ms() - t0));
			/* An unknown outcome is never called "not sent". */
			if (outcome_unknown(st, f) &&
			    strstr(e.msg, "may have accepted") == NULL)
				fail_msg("%s / %s: \"%s\" does not say the "
				    "server may have accepted the message",
				    stages[st].name, fault_names[f], e.msg);
			/* Nothing lost: success only after 250 to the dot. */
			assert_true((want == ERR_NONE) == quit_stage);
			if (md == NULL)
				continue;
			fprintf(md, " %s: %d", err_kind_name(want),
			    outcome_sysexit_send(want, 1));
			/* With soft_bounce = no, and in --check. */
			if (outcome_sysexit(want) != outcome_sysexit_send(want, 1))
				fprintf(md, " (%d)", outcome_sysexit(want));
			fprintf(md, " / %s |", outcome_cups(want) ==
			    OUTCOME_CUPS_OK ? "OK" : outcome_cups(want) ==
			    OUTCOME_CUPS_RETRY ? "RETRY" : outcome_cups(want) ==
			    OUTCOME_CUPS_STOP ? "STOP" : "CANCEL");
		}
		if (md != NULL)
			fprintf(md, "\n");
	}
	if (md != NULL)
		fclose(md);
}

static void
timeout_is_temporary(void **state)
{
	static const char *script[] = { "TIMEOUT", NULL };
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_TEMP);
	assert_non_null(strstr(e.msg, "timed out"));
}

static void
server_closes(void **state)
{
	static const char *script[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n", "EOF", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_TEMP);
	assert_non_null(strstr(e.msg, "closed the connection"));
}

static void
overlong_reply_line(void **state)
{
	/* "S:" and exactly REPLY_LINE_MAX bytes without a line end. */
	static char line[2 + REPLY_LINE_MAX + 1];
	static const char *script[] = { line, NULL };
	struct err e;

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	memcpy(line, "S:220 ", 6);
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_PROTOCOL);
	assert_non_null(strstr(e.msg, "longer than"));
}

static void
garbage_reply(void **state)
{
	static const char *script[] = {
		"S:HTTP/1.1 400 Bad Request\r\n", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_PROTOCOL);
	assert_non_null(strstr(e.msg, "malformed"));
}

static void
size_limit_checked_before_sending(void **state)
{
	static const char *script[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-x\r\n250 SIZE 10\r\n", "C:QUIT\r\n", "S:221 bye\r\n",
		NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(0, NULL), "0123456789abcdef\n",
	    one, 1, &e, NULL, NULL), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "at most 10"));
}

static void
eightbit_and_utf8(void **state)
{
	static const char *rcpt[] = { "kế.toán@khachhang.vn" };
	static const char *script[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-x\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 0\r\n",
		"C:MAIL FROM:<" USER "> SIZE=11 BODY=8BITMIME SMTPUTF8\r\n",
		"S:250 ok\r\n", "C:RCPT TO:<kế.toán@khachhang.vn>\r\n",
		"S:250 ok\r\n", "C:DATA\r\n", "S:354 go\r\n", "BODY",
		"S:250 ok\r\n", "C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(0, NULL), "Hóa đơn\n", rcpt, 1, &e,
	    NULL, NULL), ERR_NONE);
}

static void
utf8_address_without_smtputf8(void **state)
{
	static const char *rcpt[] = { "kế.toán@khachhang.vn" };
	static const char *script[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-x\r\n250 8BITMIME\r\n", "C:QUIT\r\n", "S:221 bye\r\n",
		NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(0, NULL), "x\n", rcpt, 1, &e, NULL,
	    NULL), ERR_DATA);
	assert_non_null(strstr(e.msg, "SMTPUTF8"));
}

static void
gmail_multiline_534(void **state)
{
	static const char *script[] = {
		"S:220 smtp.gmail.com ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-smtp.gmail.com\r\n250 STARTTLS\r\n", "C:STARTTLS\r\n",
		"S:220 2.0.0 Ready to start TLS\r\n", "TLS",
		"C:EHLO client.test\r\n",
		"S:250-smtp.gmail.com\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n",
		"C:AUTH PLAIN " PLAIN64 "\r\n",
		"S:534-5.7.9 Application-specific password required. Learn "
		    "more at\r\n534 5.7.9  https://support.google.com/mail/"
		    "?p=InvalidSecondFactor\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_AUTH);
	assert_string_equal(e.enh, "5.7.9");
	assert_non_null(strstr(e.msg, "required. Learn more at  https://"));
}

static void
xoauth2_token(void **state)
{
	static const char *script[] = {
		M365_OPEN,
		"C:AUTH XOAUTH2 dXNlcj1ob2Fkb25AY29uZ3R5LmNvbQFhdXRoPUJlYXJlci"
		    "B0b2sxMjMBAQ==\r\n",
		"S:235 2.7.0 Authentication successful\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct smtp_opts o = opts(1, USER);
	struct err e;

	(void)state;
	o.token = "tok123";
	assert_int_equal(run(script, o, NULL, NULL, 0, &e, NULL, NULL),
	    ERR_NONE);
}

static void
xoauth2_error_challenge(void **state)
{
	static const char *script[] = {
		M365_OPEN,
		"C:AUTH XOAUTH2 dXNlcj1ob2Fkb25AY29uZ3R5LmNvbQFhdXRoPUJlYXJlci"
		    "B0b2sxMjMBAQ==\r\n",
		"S:334 eyJzdGF0dXMiOiI0MDEifQ==\r\n", "C:\r\n",
		"S:535 5.7.3 Authentication unsuccessful\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct smtp_opts o = opts(1, USER);
	struct err e;

	(void)state;
	o.token = "tok123";
	assert_int_equal(run(script, o, NULL, NULL, 0, &e, NULL, NULL),
	    ERR_AUTH);
	assert_string_equal(e.enh, "5.7.3");
}

static void
header_injection_in_address(void **state)
{
	static const char *rcpt[] = { "a@x.vn>\r\nRCPT TO:<evil@x.vn" };
	static const char *script[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n", "S:250 x\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(0, NULL), "x\n", rcpt, 1, &e, NULL,
	    NULL), ERR_DATA);
}

static void
tls_failure(void **state)
{
	static const char *script[] = {
		M365_GREETING, "C:EHLO client.test\r\n", M365_EHLO1,
		"C:STARTTLS\r\n", "S:220 go\r\n", "TLSFAIL", NULL
	};
	struct err e;

	(void)state;
	assert_int_equal(run(script, opts(1, USER), "x\n", one, 1, &e, NULL,
	    NULL), ERR_TLS);
}

/*
 * RFC 5321 4.5.3.1.10: past the server's recipient limit (452), the
 * accepted ones get the message, the rest another transaction; pipelined
 * and not.  A permanent refusal still stops the whole message.
 */
static void
recipient_limit_splits(void **state)
{
	static const char *rcpt[] = { "a@x.vn", "b@x.vn", "c@x.vn" };
	static const char *plain[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250 x\r\n",
		"C:MAIL FROM:<" USER ">\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<a@x.vn>\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<b@x.vn>\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<c@x.vn>\r\n", "S:452 4.5.3 Error: too many recipients\r\n",
		"C:DATA\r\n", "S:354 go\r\n", "BODY", "S:250 queued 1\r\n",
		"C:MAIL FROM:<" USER ">\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<c@x.vn>\r\n", "S:250 ok\r\n",
		"C:DATA\r\n", "S:354 go\r\n", "BODY", "S:250 queued 2\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n",
		NULL
	};
	static const char *piped[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250-x\r\n250 PIPELINING\r\n",
		"C:MAIL FROM:<" USER ">\r\nRCPT TO:<a@x.vn>\r\n"
		    "RCPT TO:<b@x.vn>\r\nRCPT TO:<c@x.vn>\r\nDATA\r\n",
		"S:250 ok\r\n250 ok\r\n452 4.5.3 too many\r\n"
		    "452 4.5.3 too many\r\n354 go\r\n",
		"BODY", "S:250 queued 1\r\n",
		"C:MAIL FROM:<" USER ">\r\nRCPT TO:<b@x.vn>\r\n"
		    "RCPT TO:<c@x.vn>\r\nDATA\r\n",
		"S:250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
		"BODY", "S:250 queued 2\r\n",
		"C:QUIT\r\n", "S:221 bye\r\n",
		NULL
	};
	static const char *perm[] = {
		"S:220 x ESMTP\r\n", "C:EHLO client.test\r\n",
		"S:250 x\r\n",
		"C:MAIL FROM:<" USER ">\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<a@x.vn>\r\n", "S:550 5.1.1 no such user\r\n",
		"C:RCPT TO:<b@x.vn>\r\n", "S:250 ok\r\n",
		"C:RCPT TO:<c@x.vn>\r\n", "S:452 4.5.3 too many\r\n",
		"C:RSET\r\n", "S:250 ok\r\n", "C:QUIT\r\n", "S:221 bye\r\n",
		NULL
	};
	struct err	 e;
	char		*body;

	(void)state;
	assert_int_equal(run(plain, opts(0, NULL), "Subject: x\r\n\r\nhi\r\n",
	    rcpt, 3, &e, &body, NULL), ERR_NONE);
	free(body);
	assert_int_equal(run(piped, opts(0, NULL), "Subject: x\r\n\r\nhi\r\n",
	    rcpt, 3, &e, &body, NULL), ERR_NONE);
	free(body);
	assert_int_equal(run(perm, opts(0, NULL), "Subject: x\r\n\r\nhi\r\n",
	    rcpt, 3, &e, NULL, NULL), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "a@x.vn"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(m365_login_pipelined),
		cmocka_unit_test(plain_only_server),
		cmocka_unit_test(login_forced_where_only_plain),
		cmocka_unit_test(auth_535_is_auth_error),
		cmocka_unit_test(starttls_454_is_temporary),
		cmocka_unit_test(starttls_not_offered),
		cmocka_unit_test(bytes_after_starttls_reply),
		cmocka_unit_test(never_auth_in_clear),
		cmocka_unit_test(pipelined_rcpts_mixed),
		cmocka_unit_test(pipelined_all_rcpts_refused),
		cmocka_unit_test(rcpt_4xx_is_temporary),
		cmocka_unit_test(recipient_limit_splits),
		cmocka_unit_test(fault_at_each_step),
		cmocka_unit_test(fault_matrix),
		cmocka_unit_test(timeout_is_temporary),
		cmocka_unit_test(server_closes),
		cmocka_unit_test(overlong_reply_line),
		cmocka_unit_test(garbage_reply),
		cmocka_unit_test(size_limit_checked_before_sending),
		cmocka_unit_test(eightbit_and_utf8),
		cmocka_unit_test(utf8_address_without_smtputf8),
		cmocka_unit_test(gmail_multiline_534),
		cmocka_unit_test(xoauth2_token),
		cmocka_unit_test(xoauth2_error_challenge),
		cmocka_unit_test(header_injection_in_address),
		cmocka_unit_test(tls_failure),
	};

	return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
