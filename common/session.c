/*
 * session.c: connecting an account.
 */
#include <string.h>
#include <unistd.h>

#include "session.h"
#include "util.h"

void
session_helo(const struct conf_account *a, char *buf, size_t len)
{
	if (a->helo != NULL) {
		util_strlcpy(buf, a->helo, len);
		return;
	}
	if (gethostname(buf, len) == -1 || buf[0] == '\0')
		util_strlcpy(buf, "localhost", len);
	buf[len - 1] = '\0';
}

struct smtp *
session_open(const struct conf_account *a, const char *helo, struct err *e)
{
	struct xport_tls_opts	 xo;
	struct smtp_opts	 so;
	struct xport		*x;
	struct smtp		*s;

	if (a->user != NULL && a->auth == CONF_AUTH_XOAUTH2) {
		err_set(e, ERR_CONFIG, "%s: account [%s]: auth = xoauth2 is "
		    "not available in this version of printmail; use an app "
		    "password", a->path, a->name);
		return NULL;
	}
	memset(&xo, 0, sizeof(xo));
	xo.host = a->host;
	xo.port = a->port;
	xo.implicit_tls = a->tls == CONF_TLS_IMPLICIT;
	xo.ca_file = a->tls_ca_file;
	xo.timeout_ms = a->timeout * 1000;
	if ((x = xport_tls_connect(&xo, e)) == NULL)
		return NULL;

	memset(&so, 0, sizeof(so));
	so.helo = helo;
	so.server = a->host;
	so.starttls = a->tls == CONF_TLS_STARTTLS;
	so.user = a->user;
	so.secret = a->password;
	so.auth = a->auth == CONF_AUTH_LOGIN ? SMTP_AUTH_LOGIN :
	    a->auth == CONF_AUTH_PLAIN ? SMTP_AUTH_PLAIN :
	    a->auth == CONF_AUTH_XOAUTH2 ? SMTP_AUTH_XOAUTH2 : SMTP_AUTH_AUTO;
	so.timeout_ms = a->timeout * 1000;
	if ((s = smtp_new(x, &so, e)) == NULL)
		return NULL;
	if (smtp_open(s, e) == -1) {
		smtp_free(s);
		return NULL;
	}
	return s;
}
