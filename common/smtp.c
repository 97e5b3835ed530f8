/*
 * smtp.c: the SMTP submission engine.
 *
 * One function per step, each sending its command and checking its reply.
 * Input is read through a fixed buffer; a reply line longer than
 * REPLY_LINE_MAX or a reply of more than REPLY_LINES_MAX lines is a
 * protocol error, so a hostile server cannot make us grow.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dotstuff.h"
#include "log.h"
#include "smtp.h"
#include "util.h"

#define SMTP_INBUF	(REPLY_LINE_MAX + 2)
#define SMTP_CHUNK	65536	/* message bytes read and encoded at a time */
#define SMTP_RECORD	16384	/* a TLS record's plaintext: written whole */

struct smtp {
	struct xport		*x;
	struct smtp_opts	 o;
	struct caps		 caps;
	struct reply		 last;
	int			 broken;	/* no QUIT: state unknown */
	int			 in_tls;
	size_t			 in_off, in_len;
	char			 in[SMTP_INBUF];
};

static const char *stage_names[] = {
	"greeting", "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO",
	"DATA", "end of data", "QUIT"
};

const char *
smtp_stage_name(enum smtp_stage stage)
{
	return stage_names[stage];
}

static int
enh_is(const struct reply *r, const char *code)
{
	return strcmp(r->enh, code) == 0;
}

enum err_kind
smtp_classify(enum smtp_stage stage, const struct reply *r)
{
	if (r->code >= 400 && r->code < 500)
		return ERR_TEMP;
	if (r->code < 500 || r->code > 599)
		return ERR_PROTOCOL;
	/*
	 * Account and sender refusals, wherever the provider sends them from
	 * AUTH on.  Before AUTH (greeting, EHLO, STARTTLS: in clear, where
	 * anyone on the path can write) a reply says nothing about the
	 * account and must not stop a queue or bounce a message.
	 */
	if (stage >= SMTP_AUTH && (enh_is(r, "5.7.30") || enh_is(r, "5.2.252") ||
	    enh_is(r, "5.7.57") || enh_is(r, "5.7.60") ||
	    enh_is(r, "5.7.139") || enh_is(r, "5.7.8") ||
	    enh_is(r, "5.7.9") || enh_is(r, "5.7.3") ||
	    strstr(r->text, "SendAsDenied") != NULL))
		return ERR_AUTH;
	switch (stage) {
	case SMTP_STARTTLS:
		return ERR_TLS;
	case SMTP_AUTH:
		return ERR_AUTH;
	case SMTP_MAIL:
		return strncmp(r->enh, "5.7.", 4) == 0 || r->code == 530 ?
		    ERR_AUTH : ERR_REFUSED;
	case SMTP_RCPT:
	case SMTP_DATA:
	case SMTP_BODY:
		return ERR_REFUSED;
	default:
		return ERR_PROTOCOL;
	}
}

static int
fail_reply(struct smtp *s, enum smtp_stage stage, const struct reply *r,
    const char *what, struct err *e)
{
	char	line[ERR_MSG_MAX - 128];

	enum err_kind	kind = smtp_classify(stage, r);

	/*
	 * Without TLS (tls = none) anyone on the path may have written the
	 * reply: it cannot mean the account.
	 */
	if (kind == ERR_AUTH && !s->in_tls)
		kind = ERR_PROTOCOL;
	reply_format(r, line, sizeof(line));
	err_set(e, kind, "%s%s%s refused by %s: %s",
	    smtp_stage_name(stage), what ? " " : "", what ? what : "",
	    s->o.server, line);
	e->smtp_code = r->code;
	util_strlcpy(e->enh, r->enh, sizeof(e->enh));
	return -1;
}

static int64_t
deadline(const struct smtp *s)
{
	return util_now_ms() + s->o.timeout_ms;
}

/*
 * Writes a command.  shown is what the trace log prints instead of the
 * bytes (for AUTH), or NULL to print the command itself.
 */
static int
send_cmd(struct smtp *s, const char *cmd, size_t len, const char *shown,
    struct err *e)
{
	if (shown != NULL)
		log_trace("-> %s", shown);
	else
		log_trace("-> %.*s", (int)(len > 2 ? len - 2 : 0),
		    cmd);
	if (s->x->ops->write(s->x, cmd, len, deadline(s), e) == -1) {
		s->broken = 1;
		return -1;
	}
	return 0;
}

static int
send_line(struct smtp *s, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
send_line(struct smtp *s, struct err *e, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2)
		return err_set(e, ERR_DATA, "SMTP command too long");
	memcpy(buf + n, "\r\n", 2);
	return send_cmd(s, buf, (size_t)n + 2, NULL, e);
}

/*
 * Reads one line by the deadline; *line points into the input buffer until
 * the next read.
 */
static int
read_line(struct smtp *s, char **line, size_t *len, int64_t until,
    struct err *e)
{
	char	*nl;
	size_t	 got;

	for (;;) {
		nl = memchr(s->in + s->in_off, '\n', s->in_len - s->in_off);
		if (nl != NULL) {
			*line = s->in + s->in_off;
			*len = (size_t)(nl - *line);
			s->in_off += *len + 1;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			return 0;
		}
		if (s->in_len - s->in_off >= REPLY_LINE_MAX) {
			s->broken = 1;
			return err_set(e, ERR_PROTOCOL, "%s sent a reply line "
			    "longer than %d bytes", s->o.server,
			    REPLY_LINE_MAX);
		}
		if (s->in_off > 0) {
			memmove(s->in, s->in + s->in_off, s->in_len - s->in_off);
			s->in_len -= s->in_off;
			s->in_off = 0;
		}
		if (s->x->ops->read(s->x, s->in + s->in_len,
		    sizeof(s->in) - s->in_len, &got, until, e) == -1) {
			s->broken = 1;
			return -1;
		}
		if (got == 0) {
			s->broken = 1;
			return err_set(e, ERR_TEMP, "%s closed the connection",
			    s->o.server);
		}
		s->in_len += got;
	}
}

static int
read_reply(struct smtp *s, struct reply *r, struct err *e)
{
	char	*line = NULL;
	size_t	 len = 0, text;
	int	 code, more = 1;
	/*
	 * One deadline for the whole reply, not one per read: a server that
	 * trickles a byte now and then must not hold us past the timeout.
	 */
	int64_t	 until = deadline(s);

	r->code = 0;
	while (more) {
		if (read_line(s, &line, &len, until, e) == -1)
			return -1;
		if (reply_parse_line(line, len, &code, &more, &text) == -1 ||
		    (r->code != 0 && code != r->code)) {
			struct reply bad;

			reply_init(&bad, 0);
			reply_add_line(&bad, line, len > 80 ? 80 : len);
			s->broken = 1;
			return err_set(e, ERR_PROTOCOL, "%s sent a malformed "
			    "reply line: \"%s\"", s->o.server, bad.text);
		}
		if (r->code == 0)
			reply_init(r, code);
		if (r->nlines >= REPLY_LINES_MAX) {
			s->broken = 1;
			return err_set(e, ERR_PROTOCOL, "%s sent a reply of "
			    "more than %d lines", s->o.server,
			    REPLY_LINES_MAX);
		}
		reply_add_line(r, line + text, len - text);
		log_trace("<- %.*s", (int)(len > 512 ? 512 : len),
		    line);
	}
	s->last = *r;
	return 0;
}

/* Reads a reply and fails unless its code is want. */
static int
expect(struct smtp *s, int want, enum smtp_stage stage, const char *what,
    struct err *e)
{
	struct reply	r;

	if (read_reply(s, &r, e) == -1)
		return -1;
	if (r.code != want)
		return fail_reply(s, stage, &r, what, e);
	return 0;
}

struct smtp *
smtp_new(struct xport *x, const struct smtp_opts *o, struct err *e)
{
	struct smtp	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		x->ops->close(x);
		err_sys(e, ERR_INTERNAL, "calloc");
		return NULL;
	}
	s->x = x;
	s->o = *o;
	if (s->o.server == NULL)
		s->o.server = "the server";
	if (s->o.helo == NULL)
		s->o.helo = "localhost";
	s->in_tls = x->ops->tls_info(x) != NULL;
	return s;
}

void
smtp_free(struct smtp *s)
{
	struct err	e;

	if (s == NULL)
		return;
	if (!s->broken) {
		err_clear(&e);
		if (send_line(s, &e, "QUIT") == 0)
			(void)expect(s, 221, SMTP_QUIT, NULL, &e);
	}
	s->x->ops->close(s->x);
	util_wipe(s->in, sizeof(s->in));
	free(s);
}

static int
ehlo(struct smtp *s, struct err *e)
{
	struct reply	r;

	if (send_line(s, e, "EHLO %s", s->o.helo) == -1 ||
	    read_reply(s, &r, e) == -1)
		return -1;
	if (r.code != 250)
		return fail_reply(s, SMTP_EHLO, &r, NULL, e);
	reply_caps(&r, &s->caps);
	/* Whole sentences, for the translations. */
	if (s->in_tls && s->caps.auth)
		log_msg(LOG_LVL_INFO, "EHLO after TLS: AUTH mechanisms "
		    "offered: %s; size limit %llu bytes", s->caps.auth_list,
		    s->caps.size);
	else if (s->in_tls)
		log_msg(LOG_LVL_INFO, "EHLO after TLS: no AUTH offered; size "
		    "limit %llu bytes", s->caps.size);
	else if (s->caps.starttls && s->caps.auth)
		log_msg(LOG_LVL_INFO, "EHLO: STARTTLS offered; AUTH mechanisms "
		    "offered: %s; size limit %llu bytes", s->caps.auth_list,
		    s->caps.size);
	else if (s->caps.starttls)
		log_msg(LOG_LVL_INFO, "EHLO: STARTTLS offered; no AUTH offered; "
		    "size limit %llu bytes", s->caps.size);
	else if (s->caps.auth)
		log_msg(LOG_LVL_INFO, "EHLO: no STARTTLS; AUTH mechanisms "
		    "offered: %s; size limit %llu bytes", s->caps.auth_list,
		    s->caps.size);
	else
		log_msg(LOG_LVL_INFO, "EHLO: no STARTTLS; no AUTH offered; size "
		    "limit %llu bytes", s->caps.size);
	return 0;
}

static int
starttls(struct smtp *s, struct err *e)
{
	struct reply	r;

	if (!s->caps.starttls)
		return err_set(e, ERR_TLS, "%s does not offer STARTTLS; "
		    "printmail will not send the password in clear (check "
		    "the port: 587 is STARTTLS, 465 is tls = implicit)",
		    s->o.server);
	if (send_line(s, e, "STARTTLS") == -1 || read_reply(s, &r, e) == -1)
		return -1;
	if (r.code != 220)
		return fail_reply(s, SMTP_STARTTLS, &r, NULL, e);
	if (s->in_off != s->in_len) {
		s->broken = 1;
		return err_set(e, ERR_TLS, "%s sent data after its STARTTLS "
		    "reply, before the TLS handshake (a STARTTLS injection "
		    "attack or a broken server); aborting", s->o.server);
	}
	if (s->x->ops->starttls(s->x, deadline(s), e) == -1) {
		s->broken = 1;
		return -1;
	}
	s->in_tls = 1;
	/* RFC 3207 4.2: forget everything learnt before TLS. */
	memset(&s->caps, 0, sizeof(s->caps));
	return ehlo(s, e);
}

/* Sends a secret AUTH line and wipes it. */
static int
send_secret(struct smtp *s, char *buf, size_t len, const char *shown,
    struct err *e)
{
	int	rc = send_cmd(s, buf, len, shown, e);

	util_wipe(buf, len);
	return rc;
}

/* base64 of data + CRLF into a new buffer, or NULL. */
static char *
b64_line(const char *prefix, const unsigned char *data, size_t len,
    size_t *outlen)
{
	size_t	pl = strlen(prefix), n = pl + util_b64_len(len) + 3;
	char	*buf = malloc(n);

	if (buf == NULL)
		return NULL;
	memcpy(buf, prefix, pl);
	pl += util_b64_encode(data, len, buf + pl);
	memcpy(buf + pl, "\r\n", 3);
	*outlen = pl + 2;
	return buf;
}

static int
auth_plain(struct smtp *s, struct err *e)
{
	size_t	ul = strlen(s->o.user), pl = strlen(s->o.secret), n, len;
	unsigned char *raw;
	char	*line;
	int	 rc;

	n = 1 + ul + 1 + pl;
	if ((raw = malloc(n)) == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	raw[0] = '\0';
	memcpy(raw + 1, s->o.user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, s->o.secret, pl);
	line = b64_line("AUTH PLAIN ", raw, n, &len);
	util_wipe(raw, n);
	free(raw);
	if (line == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	rc = send_secret(s, line, len, "AUTH PLAIN <redacted>", e);
	free(line);
	if (rc == -1)
		return -1;
	return expect(s, 235, SMTP_AUTH, "(PLAIN)", e);
}

static int
auth_login(struct smtp *s, struct err *e)
{
	char	*line;
	size_t	 len;
	int	 rc;

	if (send_line(s, e, "AUTH LOGIN") == -1 ||
	    expect(s, 334, SMTP_AUTH, "(LOGIN)", e) == -1)
		return -1;
	line = b64_line("", (const unsigned char *)s->o.user,
	    strlen(s->o.user), &len);
	if (line == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	rc = send_secret(s, line, len, "<user, redacted>", e);
	free(line);
	if (rc == -1 || expect(s, 334, SMTP_AUTH, "(LOGIN user name)", e) == -1)
		return -1;
	line = b64_line("", (const unsigned char *)s->o.secret,
	    strlen(s->o.secret), &len);
	if (line == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	rc = send_secret(s, line, len, "<password, redacted>", e);
	free(line);
	if (rc == -1)
		return -1;
	return expect(s, 235, SMTP_AUTH, "(LOGIN)", e);
}

static int
auth_xoauth2(struct smtp *s, struct err *e)
{
	struct reply	 r;
	size_t		 ul = strlen(s->o.user), tl = strlen(s->o.token);
	size_t		 n = 5 + ul + 13 + tl + 2, len;
	char		*raw, *line;
	int		 rc;

	if ((raw = malloc(n + 1)) == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	snprintf(raw, n + 1, "user=%s\001auth=Bearer %s\001\001", s->o.user,
	    s->o.token);
	line = b64_line("AUTH XOAUTH2 ", (unsigned char *)raw, n, &len);
	util_wipe(raw, n);
	free(raw);
	if (line == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	rc = send_secret(s, line, len, "AUTH XOAUTH2 <redacted>", e);
	free(line);
	if (rc == -1 || read_reply(s, &r, e) == -1)
		return -1;
	if (r.code == 334) {
		/* RFC 7628 3.2.3: the error comes as a challenge; say "". */
		if (send_line(s, e, "%s", "") == -1 ||
		    read_reply(s, &r, e) == -1)
			return -1;
	}
	if (r.code != 235)
		return fail_reply(s, SMTP_AUTH, &r, "(XOAUTH2)", e);
	return 0;
}

static int
authenticate(struct smtp *s, struct err *e)
{
	enum smtp_auth	mech = s->o.auth;
	const char	*want;
	unsigned	 bit;

	if (!s->in_tls)
		return err_set(e, ERR_TLS, "refusing to authenticate to %s "
		    "without TLS", s->o.server);
	if (s->caps.auth == 0)
		return err_set(e, ERR_AUTH, "%s offers no AUTH mechanism "
		    "after STARTTLS (is SMTP AUTH enabled for the mailbox?)",
		    s->o.server);
	if (mech == SMTP_AUTH_AUTO) {
		if (s->o.token != NULL && (s->caps.auth & CAPS_AUTH_XOAUTH2))
			mech = SMTP_AUTH_XOAUTH2;
		else if (s->o.secret == NULL)
			mech = SMTP_AUTH_XOAUTH2;	/* fails below */
		else if (s->caps.auth & CAPS_AUTH_PLAIN)
			mech = SMTP_AUTH_PLAIN;
		else if (s->caps.auth & CAPS_AUTH_LOGIN)
			mech = SMTP_AUTH_LOGIN;
		else
			return err_set(e, ERR_AUTH, "%s offers AUTH %s, but "
			    "neither PLAIN nor LOGIN for a password",
			    s->o.server, s->caps.auth_list);
	}
	if ((mech == SMTP_AUTH_XOAUTH2 && s->o.token == NULL) ||
	    (mech != SMTP_AUTH_XOAUTH2 && s->o.secret == NULL))
		return mech == SMTP_AUTH_XOAUTH2 ? err_set(e, ERR_CONFIG,
		    "no access token for AUTH to %s", s->o.server) :
		    err_set(e, ERR_CONFIG, "no password for AUTH to %s",
		    s->o.server);
	switch (mech) {
	case SMTP_AUTH_PLAIN:
		want = "PLAIN";
		bit = CAPS_AUTH_PLAIN;
		break;
	case SMTP_AUTH_LOGIN:
		want = "LOGIN";
		bit = CAPS_AUTH_LOGIN;
		break;
	default:
		want = "XOAUTH2";
		bit = CAPS_AUTH_XOAUTH2;
		break;
	}
	if (!(s->caps.auth & bit))
		return err_set(e, ERR_AUTH, "%s does not offer AUTH %s (it "
		    "offers %s); change auth = in the config", s->o.server,
		    want, s->caps.auth_list);
	if (mech == SMTP_AUTH_PLAIN && auth_plain(s, e) == -1)
		return -1;
	if (mech == SMTP_AUTH_LOGIN && auth_login(s, e) == -1)
		return -1;
	if (mech == SMTP_AUTH_XOAUTH2 && auth_xoauth2(s, e) == -1)
		return -1;
	log_msg(LOG_LVL_INFO, "authenticated as %s with %s", s->o.user, want);
	return 0;
}

int
smtp_open(struct smtp *s, struct err *e)
{
	struct reply	r;

	if (read_reply(s, &r, e) == -1)
		return -1;
	if (r.code != 220)
		return fail_reply(s, SMTP_GREETING, &r, NULL, e);
	log_msg(LOG_LVL_INFO, "server greeting: %d %.200s", r.code, r.text);
	if (ehlo(s, e) == -1)
		return -1;
	if (s->o.starttls && !s->in_tls && starttls(s, e) == -1)
		return -1;
	if (s->o.user != NULL && authenticate(s, e) == -1)
		return -1;
	/* The caller may wipe the secrets now: forget them. */
	s->o.secret = NULL;
	s->o.token = NULL;
	return 0;
}

static int
ascii_only(const char *p)
{
	return !util_has_8bit(p, strlen(p));
}

/* Envelope addresses must not carry anything that ends or splits a line. */
static int
check_address(const char *a, struct err *e)
{
	const char *p;

	if (strlen(a) > 512)
		return err_set(e, ERR_DATA, "address too long: %.64s...", a);
	for (p = a; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f || *p == '<' ||
		    *p == '>')
			return err_set(e, ERR_DATA, "invalid character in "
			    "address \"%.128s\"", a);
	return 0;
}

static int
mail_cmd(struct smtp *s, const char *from, struct smtp_msg *m, int utf8,
    char *buf, size_t len, struct err *e)
{
	char	params[96] = "";
	size_t	n = 0;

	if (m != NULL && s->caps.has_size)
		n += (size_t)snprintf(params + n, sizeof(params) - n,
		    " SIZE=%llu", (unsigned long long)m->size);
	if (m != NULL && m->eightbit && s->caps.eightbitmime)
		n += (size_t)snprintf(params + n, sizeof(params) - n,
		    " BODY=8BITMIME");
	if (utf8)
		snprintf(params + n, sizeof(params) - n, " SMTPUTF8");
	if ((size_t)snprintf(buf, len, "MAIL FROM:<%s>%s\r\n", from, params) >=
	    len)
		return err_set(e, ERR_DATA, "sender address too long");
	return 0;
}

int
smtp_probe_mail(struct smtp *s, const char *from, struct err *e)
{
	char	cmd[640];

	if (check_address(from, e) == -1 ||
	    mail_cmd(s, from, NULL, 0, cmd, sizeof(cmd), e) == -1 ||
	    send_cmd(s, cmd, strlen(cmd), NULL, e) == -1)
		return -1;
	return expect(s, 250, SMTP_MAIL, from, e);
}

int
smtp_rset(struct smtp *s, struct err *e)
{
	if (send_line(s, e, "RSET") == -1)
		return -1;
	return expect(s, 250, SMTP_QUIT, "(RSET)", e);
}

/*
 * The reply to the final dot.  Without one (the connection dropped, the
 * timeout passed) nobody knows whether the server took the message: say
 * so, as a temporary failure, so that the caller keeps it rather than
 * lose it, knowing it may arrive twice.
 */
static int
final_reply(struct smtp *s, struct err *e)
{
	struct reply	r;
	struct err	lost;

	err_clear(&lost);
	if (read_reply(s, &r, &lost) == -1) {
		err_set(e, lost.kind == ERR_PROTOCOL ? ERR_PROTOCOL : ERR_TEMP,
		    "no reply to the end of the message (%s): %s may have "
		    "accepted it, so it may arrive twice", lost.msg,
		    s->o.server);
		err_nest(e, &lost);
		e->sys_errno = lost.sys_errno;
		return -1;
	}
	if (r.code != 250)
		return fail_reply(s, SMTP_BODY, &r, NULL, e);
	return 0;
}

static int
send_body(struct smtp *s, struct smtp_msg *m, struct err *e)
{
	struct dotstuff	 d;
	char		*in, *out;
	size_t		 got, have = 0, full;
	uint64_t	 total = 0;
	int		 rc = -1;

	/*
	 * One fixed pair of buffers per message, whatever its size.  Only
	 * whole TLS records go out (SMTP_RECORD bytes of plaintext each);
	 * the rest waits in out for the next chunk, and the last of them
	 * goes with the final dot.
	 */
	in = malloc(SMTP_CHUNK);
	out = malloc(SMTP_RECORD + DOTSTUFF_MAX_OUT(SMTP_CHUNK) +
	    DOTSTUFF_FINISH_MAX);
	if (in == NULL || out == NULL) {
		err_sys(e, ERR_INTERNAL, "malloc");
		s->broken = 1;
		goto out;
	}
	dotstuff_init(&d);
	for (;;) {
		/*
		 * On any failure the server must not get half a message.  A
		 * verbatim message is read straight into the output.
		 */
		if (m->read(m->ctx, m->verbatim ? out + have : in, SMTP_CHUNK,
		    &got, e) == -1) {
			s->broken = 1;
			goto out;
		}
		if (got == 0)
			break;
		total += got;
		if (m->verbatim)
			have += got;
		else
			have += dotstuff_encode(&d, in, got, out + have);
		full = have - have % SMTP_RECORD;
		if (full > 0 && s->x->ops->write(s->x, out, full, deadline(s),
		    e) == -1) {
			s->broken = 1;
			goto out;
		}
		memmove(out, out + full, have - full);
		have -= full;
	}
	if (m->verbatim) {
		memcpy(out + have, ".\r\n", 3);
		have += 3;
	} else
		have += dotstuff_finish(&d, out + have);
	log_trace("-> <message, %llu bytes>",
	    (unsigned long long)total);
	log_trace("-> .");
	if (s->x->ops->write(s->x, out, have, deadline(s), e) == -1) {
		s->broken = 1;
		goto out;
	}
	rc = final_reply(s, e);
out:
	free(in);
	free(out);
	return rc;
}

/*
 * RFC 5321 4.5.3.1.10: a server takes a number of recipients per message
 * and answers 452 (552 5.5.3 in older ones) to the rest, which go in
 * another transaction.
 */
static int
too_many(const struct reply *r)
{
	return r->code == 452 || (r->code == 552 &&
	    strcmp(r->enh, "5.5.3") == 0);
}

static int
check_send(struct smtp *s, const char *from, const char *const *rcpt,
    size_t nrcpt, struct smtp_msg *m, int *utf8p, struct err *e)
{
	size_t	i;
	int	utf8;

	if (nrcpt == 0)
		return err_set(e, ERR_USAGE, "no recipients");
	if (check_address(from, e) == -1)
		return -1;
	utf8 = !ascii_only(from) || m->utf8_headers;
	for (i = 0; i < nrcpt; i++) {
		if (check_address(rcpt[i], e) == -1)
			return -1;
		if (!ascii_only(rcpt[i]))
			utf8 = 1;
	}
	if (utf8 && !s->caps.smtputf8) {
		int addr8 = !ascii_only(from);

		for (i = 0; i < nrcpt; i++)
			addr8 |= !ascii_only(rcpt[i]);
		if (addr8)
			return err_set(e, ERR_DATA, "an address has non-ASCII "
			    "characters and %s does not offer SMTPUTF8",
			    s->o.server);
		/* UTF-8 in headers only: servers take it as 8-bit data. */
		utf8 = 0;
	}
	/* Never what the server did not agree to (encode it first). */
	if (m->longlines)
		return err_set(e, ERR_DATA, "the message has a line longer than "
		    "998 octets (RFC 5321 4.5.3.1.6); nothing was sent");
	if (m->body8bit && !s->caps.eightbitmime)
		return err_set(e, ERR_DATA, "the message has 8-bit data and %s "
		    "does not offer 8BITMIME; nothing was sent", s->o.server);
	if (s->caps.size > 0 && m->size > s->caps.size)
		return err_set(e, ERR_REFUSED, "the message is %llu bytes and "
		    "%s accepts at most %llu (SIZE); nothing was sent",
		    (unsigned long long)m->size, s->o.server,
		    s->caps.size);
	*utf8p = utf8;
	return 0;
}

/*
 * One transaction: MAIL, RCPT for each recipient, DATA, the message.  A
 * recipient the server has no room for in this message is marked in
 * later[] and left out; any other refusal abandons the transaction.
 */
static int
transaction(struct smtp *s, const char *from, const char *const *rcpt,
    size_t nrcpt, struct smtp_msg *m, int utf8, unsigned char *later,
    struct err *e)
{
	struct reply	 r, bad;
	struct err	 first, full;
	char		 cmd[640];
	char		*batch = NULL;
	size_t		 i, blen = 0, bcap = 0, accepted = 0, temp = 0;
	int		 rc = -1;

	err_clear(&first);
	err_clear(&full);
	/*
	 * With PIPELINING, MAIL, every RCPT and DATA go out in one write
	 * (RFC 2920 3.1: DATA is the last command of the group); without it,
	 * each command waits for its reply.
	 */
	for (i = 0; s->caps.pipelining && i <= nrcpt + 1; i++) {
		size_t n;

		if (i == 0) {
			if (mail_cmd(s, from, m, utf8, cmd, sizeof(cmd), e) ==
			    -1)
				goto out;
		} else if (i <= nrcpt) {
			if ((size_t)snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>"
			    "\r\n", rcpt[i - 1]) >= sizeof(cmd)) {
				err_set(e, ERR_DATA, "recipient too long");
				goto out;
			}
		} else
			util_strlcpy(cmd, "DATA\r\n", sizeof(cmd));
		n = strlen(cmd);
		if (blen + n > bcap) {
			size_t ncap = bcap ? bcap * 2 : 4096;
			char *nb;

			while (ncap < blen + n)
				ncap *= 2;
			if ((nb = realloc(batch, ncap)) == NULL) {
				err_sys(e, ERR_INTERNAL, "realloc");
				goto out;
			}
			batch = nb;
			bcap = ncap;
		}
		memcpy(batch + blen, cmd, n);
		blen += n;
		log_trace("-> %.*s", (int)n - 2, cmd);
	}
	if (s->caps.pipelining && s->x->ops->write(s->x, batch, blen,
	    deadline(s), e) == -1) {
		s->broken = 1;
		goto out;
	}

	/* MAIL */
	if (!s->caps.pipelining &&
	    (mail_cmd(s, from, m, utf8, cmd, sizeof(cmd), e) == -1 ||
	    send_cmd(s, cmd, strlen(cmd), NULL, e) == -1))
		goto out;
	if (read_reply(s, &r, e) == -1)
		goto out;
	if (r.code != 250) {
		fail_reply(s, SMTP_MAIL, &r, from, e);
		if (s->caps.pipelining) {
			/* Drain the RCPT and DATA replies of the group. */
			for (i = 0; i <= nrcpt; i++)
				if (read_reply(s, &bad, &first) == -1)
					goto out;
			if (bad.code == 354)
				s->broken = 1;
		}
		goto out;
	}
	/* RCPT */
	err_clear(&first);
	for (i = 0; i < nrcpt; i++) {
		if (!s->caps.pipelining) {
			if (send_line(s, e, "RCPT TO:<%s>", rcpt[i]) == -1)
				goto out;
		}
		if (read_reply(s, &r, e) == -1)
			goto out;
		if (r.code == 250 || r.code == 251) {
			accepted++;
			continue;
		}
		if (too_many(&r)) {
			later[i] = 1;
			if (full.kind == ERR_NONE)
				fail_reply(s, SMTP_RCPT, &r, rcpt[i], &full);
			continue;
		}
		if (r.code >= 400 && r.code < 500)
			temp++;
		/* Keep the first refusal for the message. */
		if (first.kind == ERR_NONE) {
			fail_reply(s, SMTP_RCPT, &r, rcpt[i], &first);
			bad = r;
		}
	}
	/* No room for anyone: that is the failure, a temporary one. */
	if (first.kind == ERR_NONE && accepted == 0 && full.kind != ERR_NONE) {
		first = full;
		first.kind = ERR_TEMP;
	}
	if (first.kind != ERR_NONE) {
		*e = first;
		if (e->kind == ERR_REFUSED && accepted == 0)
			e->kind = ERR_NORCPT;
		if (temp > 0)
			e->kind = ERR_TEMP;
		if (s->caps.pipelining) {
			/* DATA was sent: 354 means it would take a message. */
			if (read_reply(s, &r, &first) == -1)
				goto out;
			if (r.code == 354) {
				/*
				 * All or nothing: closing without the final
				 * dot makes the server drop the transaction.
				 */
				s->broken = 1;
				goto out;
			}
		}
		err_clear(&first);
		(void)smtp_rset(s, &first);
		goto out;
	}
	/* DATA */
	if (!s->caps.pipelining && send_line(s, e, "DATA") == -1)
		goto out;
	if (read_reply(s, &r, e) == -1)
		goto out;
	if (r.code != 354) {
		fail_reply(s, SMTP_DATA, &r, NULL, e);
		goto out;
	}
	rc = send_body(s, m, e);
out:
	free(batch);
	return rc;
}

int
smtp_send(struct smtp *s, const char *from, const char *const *rcpt,
    size_t nrcpt, struct smtp_msg *m, struct err *e)
{
	const char	**list = NULL;
	unsigned char	 *later = NULL;
	size_t		  i, n = nrcpt, k, sent = 0;
	int		  utf8 = 0, rc = -1;

	if (check_send(s, from, rcpt, nrcpt, m, &utf8, e) == -1)
		return -1;
	if ((list = malloc(nrcpt * sizeof(*list))) == NULL ||
	    (later = calloc(nrcpt, 1)) == NULL) {
		err_sys(e, ERR_INTERNAL, "malloc");
		goto out;
	}
	memcpy(list, rcpt, nrcpt * sizeof(*list));
	for (;;) {
		if (transaction(s, from, list, n, m, utf8, later, e) == -1) {
			/* The message is out to some: say who not. */
			if (sent > 0)
				err_append(e, " (the message went to %zu of "
				    "the %zu recipients before this)", sent,
				    nrcpt);
			break;
		}
		for (i = k = 0; i < n; i++)
			if (later[i])
				list[k++] = list[i];
		sent += n - k;
		if (k == 0) {
			rc = 0;
			break;
		}
		log_msg(LOG_LVL_INFO, "%s took %zu recipients in this message; "
		    "sending it to the other %zu in another", s->o.server,
		    n - k, k);
		if (m->rewind == NULL) {
			err_set(e, ERR_TEMP, "%s took %zu of the %zu recipients "
			    "in one message and this message cannot be read "
			    "again", s->o.server, sent, nrcpt);
			break;
		}
		if (m->rewind(m->ctx, e) == -1)
			break;
		n = k;
		memset(later, 0, n);
	}
out:
	free(list);
	free(later);
	return rc;
}

static int
watch_read(void *ctx, char *buf, size_t cap, size_t *got, struct err *e)
{
	struct smtp_watch	*w = ctx;
	int			 rc = w->inner.read(w->inner.ctx, buf, cap, got,
				    e);

	if (rc == 0 && *got == 0 && w->on_end(w->arg, e) == -1)
		return -1;
	return rc;
}

static int
watch_rewind(void *ctx, struct err *e)
{
	struct smtp_watch	*w = ctx;

	return w->inner.rewind(w->inner.ctx, e);
}

void
smtp_msg_watch(struct smtp_msg *m, struct smtp_watch *w,
    int (*on_end)(void *, struct err *), void *arg)
{
	w->inner = *m;
	w->on_end = on_end;
	w->arg = arg;
	m->read = watch_read;
	m->rewind = m->rewind != NULL ? watch_rewind : NULL;
	m->ctx = w;
}

int
smtp_has_8bitmime(const struct smtp *s)
{
	return s->caps.eightbitmime;
}

int
smtp_usable(const struct smtp *s)
{
	return !s->broken;
}

const struct reply *
smtp_last_reply(const struct smtp *s)
{
	return &s->last;
}

const char *
smtp_tls_info(const struct smtp *s)
{
	return s->x->ops->tls_info(s->x);
}
