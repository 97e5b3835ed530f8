/*
 * session.c: connecting an account.
 */
#include <stdlib.h>
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

/* Connects and logs in once with the given token (may be NULL). */
static struct smtp *
open_once(const struct conf_account *a, const char *helo, const char *token,
    struct err *e)
{
	struct xport_tls_opts	 xo;
	struct smtp_opts	 so;
	struct xport		*x;
	struct smtp		*s;

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
	return s;
}

/* The access token, when the account has a token source; NULL if none. */
static int
get_token(const struct conf_account *a, const char *cache_dir, int refresh,
    char **token, struct err *e)
{
	*token = NULL;
	if (a->user == NULL || (a->auth != CONF_AUTH_XOAUTH2 &&
	    a->auth != CONF_AUTH_AUTO))
		return 0;
	switch (a->oauth2_flow) {
	case CONF_FLOW_COMMAND:
		*token = oauth_token_from_command(a->oauth2_token_command,
		    a->timeout * 1000, e);
		if (*token != NULL)
			log_msg(LOG_LVL_INFO, "access token from "
			    "oauth2_token_command");
		break;
	case CONF_FLOW_CLIENT_CREDENTIALS:
		*token = oauth_client_credentials(a, cache_dir, refresh, e);
		break;
	case CONF_FLOW_AUTHORIZATION_CODE:
	case CONF_FLOW_DEVICE_CODE:
		*token = oauth_store_token(a, refresh, e);
		break;
	case CONF_FLOW_NONE:
		return 0;
	}
	return *token == NULL ? -1 : 0;
}

struct smtp *
session_open(const struct conf_account *a, const char *helo,
    const char *cache_dir, struct err *e)
{
	struct smtp	*s;
	char		*token;

	if (get_token(a, cache_dir, 0, &token, e) == -1)
		return NULL;
	s = open_once(a, helo, token, e);
	util_free_secret(token);
	/*
	 * Microsoft answers 535 5.7.3 to an expired or revoked token, Google
	 * 535 5.7.8: a kept token may be stale, so get a new one and try
	 * once more (never for a token command: it is its own cache).
	 */
	if (s == NULL && token != NULL && a->oauth2_flow != CONF_FLOW_COMMAND &&
	    e->kind == ERR_AUTH && (strcmp(e->enh, "5.7.3") == 0 ||
	    strcmp(e->enh, "5.7.8") == 0)) {
		log_msg(LOG_LVL_INFO, "token refused (%s): fetching a new "
		    "one and trying once more", e->enh);
		oauth_cache_drop(a, cache_dir);
		err_clear(e);
		if (get_token(a, cache_dir, 1, &token, e) == -1)
			return NULL;
		s = open_once(a, helo, token, e);
		util_free_secret(token);
	}
	return s;
}

#ifndef PM_QUEUE_DIR
#define PM_QUEUE_DIR "/var/spool/printmail"
#endif

/* $NAME when set and not empty, else dflt. */
static const char *
env_dir(const char *name, const char *dflt)
{
	const char *d = getenv(name);

	return d != NULL && *d != '\0' ? d : dflt;
}

const char *
session_cache_dir(void)
{
	return env_dir("PRINTMAIL_CACHE_DIR", SESSION_CACHE_DIR);
}

const char *
session_run_dir(void)
{
	return env_dir("PRINTMAIL_RUN_DIR", SESSION_RUN_DIR);
}

const char *
session_queue_dir(const struct conf_account *a)
{
	return env_dir("PRINTMAIL_QUEUE_DIR", a != NULL &&
	    a->queue_dir != NULL ? a->queue_dir : PM_QUEUE_DIR);
}
