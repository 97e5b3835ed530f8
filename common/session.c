/*
 * session.c: connecting an account.
 */
#include <string.h>

#include "log.h"
#include <unistd.h>

#include "oauth.h"
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

	char			*token = NULL;

	/* A token source and auth = xoauth2 or auto: get a token first. */
	if (a->user != NULL && (a->auth == CONF_AUTH_XOAUTH2 ||
	    a->auth == CONF_AUTH_AUTO)) {
		if (a->oauth2_token_command != NULL) {
			token = oauth_token_from_command(a->oauth2_token_command,
			    a->timeout * 1000, e);
			if (token == NULL)
				return NULL;
			log_msg(LOG_LVL_INFO, "access token from "
			    "oauth2_token_command (%zu characters)",
			    strlen(token));
		} else if (a->oauth2_client_id != NULL) {
			err_set(e, ERR_CONFIG, "%s: account [%s]: the OAuth "
			    "client-credentials flow (oauth2_client_id) is not "
			    "available in this version; use "
			    "oauth2_token_command", a->path, a->name);
			return NULL;
		}
	}
	memset(&xo, 0, sizeof(xo));
	xo.host = a->host;
	xo.port = a->port;
	xo.implicit_tls = a->tls == CONF_TLS_IMPLICIT;
	xo.ca_file = a->tls_ca_file;
	xo.timeout_ms = a->timeout * 1000;
	if ((x = xport_tls_connect(&xo, e)) == NULL) {
		util_free_secret(token);
		return NULL;
	}

	memset(&so, 0, sizeof(so));
	so.helo = helo;
	so.server = a->host;
	so.starttls = a->tls == CONF_TLS_STARTTLS;
	so.user = a->user;
	so.secret = a->password;
	so.token = token;
	so.auth = a->auth == CONF_AUTH_LOGIN ? SMTP_AUTH_LOGIN :
	    a->auth == CONF_AUTH_PLAIN ? SMTP_AUTH_PLAIN :
	    a->auth == CONF_AUTH_XOAUTH2 ? SMTP_AUTH_XOAUTH2 : SMTP_AUTH_AUTO;
	so.timeout_ms = a->timeout * 1000;
	s = smtp_new(x, &so, e);
	if (s != NULL && smtp_open(s, e) == -1) {
		smtp_free(s);
		s = NULL;
	}
	/* The engine keeps no copy of the token after AUTH. */
	util_free_secret(token);
	return s;
}
