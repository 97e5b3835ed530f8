/*
 * smtp.h: the SMTP submission engine (RFC 5321, 3207, 4954, 2920, 1870,
 * 6152, 6531).
 *
 * The engine talks to a struct xport, never to a socket, and never decides
 * policy: it reports every failure as a struct err whose kind says what
 * happened (see smtp_classify()).  A message is accepted only when the
 * server answered 250 to the final dot.
 */
#ifndef PM_SMTP_H
#define PM_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "reply.h"
#include "xport.h"

enum smtp_auth { SMTP_AUTH_AUTO, SMTP_AUTH_LOGIN, SMTP_AUTH_PLAIN,
    SMTP_AUTH_XOAUTH2 };

/* The protocol steps, for classification and messages. */
enum smtp_stage { SMTP_GREETING, SMTP_EHLO, SMTP_STARTTLS, SMTP_AUTH,
    SMTP_MAIL, SMTP_RCPT, SMTP_DATA, SMTP_BODY, SMTP_QUIT };

struct smtp_opts {
	const char	*helo;		/* our name for EHLO */
	const char	*server;	/* the server's name, for messages */
	int		 starttls;	/* 1: STARTTLS is required */
	const char	*user;		/* NULL: no AUTH */
	/*
	 * The password (PLAIN, LOGIN) and the OAuth 2.0 access token
	 * (XOAUTH2), either may be NULL.  Owned by the caller, used only
	 * during smtp_open(); the engine wipes every buffer it derives from
	 * them.  auto picks XOAUTH2 when
	 * there is a token and the server offers it, else PLAIN or LOGIN.
	 */
	const char	*secret;
	const char	*token;
	enum smtp_auth	 auth;
	int		 timeout_ms;		/* deadline for each command */
};

/* A message to send, read in chunks; memory never grows with its size. */
struct smtp_msg {
	/* Fills buf with up to cap bytes; *got = 0 at the end. 0 or -1. */
	int		(*read)(void *ctx, char *buf, size_t cap, size_t *got,
			    struct err *e);
	void		*ctx;
	/* Back to the start, for one more transaction; NULL if it cannot. */
	int		(*rewind)(void *ctx, struct err *e);
	uint64_t	 size;		/* in octets, CRLF line ends */
	int		 eightbit;	/* a byte >= 0x80 somewhere */
	int		 utf8_headers;	/* non-ASCII headers (RFC 6532) */
	int		 body8bit;	/* 8-bit body: needs 8BITMIME */
	int		 longlines;	/* a line over 998 octets: never sent */
	int		 verbatim;	/* every line ends CRLF, none starts
					   with a dot, the last ends too: sent
					   as it is, then the final dot */
};

/*
 * A message source watched for its end: on_end(arg) runs each time the
 * last byte has been read, before the final dot goes out (and a failure
 * of it fails the read, so the server gets no dot).  w lives as long as m.
 */
struct smtp_watch {
	struct smtp_msg	  inner;
	int		(*on_end)(void *arg, struct err *e);
	void		 *arg;
};
void	smtp_msg_watch(struct smtp_msg *m, struct smtp_watch *w,
	    int (*on_end)(void *arg, struct err *e), void *arg);

struct smtp;

/*
 * A session on a connected transport; the session owns x from now on, even
 * when this fails.  Returns NULL with ERR_INTERNAL when out of memory.
 */
struct smtp *smtp_new(struct xport *x, const struct smtp_opts *o,
	    struct err *e);

/* Sends QUIT when the session is still usable, closes, frees; NULL is ok. */
void	smtp_free(struct smtp *s);

/*
 * Greeting, EHLO, STARTTLS and EHLO again when required, AUTH when a user
 * is set.  Never sends credentials unless TLS is active.  Returns 0, or -1
 * with ERR_TEMP, ERR_TLS, ERR_AUTH or ERR_PROTOCOL.
 */
int	smtp_open(struct smtp *s, struct err *e);

/*
 * Submits one message: MAIL (with SIZE, BODY=8BITMIME and SMTPUTF8 when
 * needed and offered), RCPT for each recipient, DATA, the message
 * dot-stuffed with CRLF line ends, and the final dot.  PIPELINING is used
 * when offered.  All or nothing: when any recipient is refused the
 * transaction is abandoned and no message is sent.  Recipients the server
 * has no room for in one message (452, RFC 5321 4.5.3.1.10) get it in
 * further transactions, re-read with m->rewind.
 *
 * Returns 0 once the server said 250 to the final dot, or -1 with
 * ERR_TEMP (a 4xx anywhere, network), ERR_AUTH (sender or account
 * refused), ERR_NORCPT (every recipient refused), ERR_REFUSED (some
 * recipients or the message refused, message over the SIZE limit),
 * ERR_DATA (non-ASCII addresses the server cannot take) or ERR_PROTOCOL.
 */
int	smtp_send(struct smtp *s, const char *from, const char *const *rcpt,
	    size_t nrcpt, struct smtp_msg *m, struct err *e);

/* Whether the server offers 8BITMIME. */
int	smtp_has_8bitmime(const struct smtp *s);

/* RSET, for --check after a MAIL probe.  0 or -1. */
int	smtp_rset(struct smtp *s, struct err *e);

/*
 * Sends "MAIL FROM:<from>" and returns 0 when the server accepts it: the
 * sender probe of --check.  Follow it with smtp_rset().
 */
int	smtp_probe_mail(struct smtp *s, const char *from, struct err *e);

/*
 * Whether the session can carry another message: no I/O error, no unknown
 * state.  After a refused transaction it is reset and usable; after a
 * broken one it must be closed.
 */
int	smtp_usable(const struct smtp *s);

/* The last reply the server sent (for the log line). */
const struct reply *smtp_last_reply(const struct smtp *s);

/* The TLS version and cipher, or NULL when the session is in clear. */
const char *smtp_tls_info(const struct smtp *s);

/*
 * The error kind of a failure reply at a stage: 4xx is ERR_TEMP; from AUTH
 * on, Microsoft's and Gmail's account and sender refusals (5.7.x on MAIL,
 * 5.2.252, SendAsDenied, 5.7.30, 5.7.139, 5.7.57...) are ERR_AUTH; 5xx on
 * RCPT, DATA and the final dot is ERR_REFUSED; 5xx to STARTTLS is ERR_TLS;
 * anything else (the greeting and EHLO, whatever code they quote) is
 * ERR_PROTOCOL.  The engine also treats as ERR_PROTOCOL an account refusal
 * received without TLS.
 */
enum err_kind smtp_classify(enum smtp_stage stage, const struct reply *r);

/* The name of a stage ("AUTH", "RCPT"...). */
const char *smtp_stage_name(enum smtp_stage stage);

#endif
