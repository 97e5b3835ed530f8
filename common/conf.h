/*
 * conf.h: the config file shared by printmail and the CUPS backend.
 *
 * Syntax: "key = value" lines; keys before the first "[NAME]" section are
 * defaults for every account; "#" or ";" start a comment line, and " #"
 * starts a trailing comment on an unquoted value.  A value may be put in
 * double quotes (with \" and \\) to keep a "#" or surrounding blanks.
 * Unknown keys, duplicate keys, duplicate sections and malformed lines are
 * errors that name the file and line; a UTF-8 byte order mark is skipped.
 *
 * The config, password_file, oauth2_client_secret_file and tls_ca_file
 * must be owned by root or by the user reading them (root trusts only
 * root), writable by nobody else, and in directories that only root or
 * that user can write (sticky ones such as /tmp excepted); the files that
 * hold a secret must not be readable by "other".  Each refusal names the
 * chmod or chown that fixes it.
 */
#ifndef PM_CONF_H
#define PM_CONF_H

#include "err.h"

enum conf_tls { CONF_TLS_STARTTLS, CONF_TLS_IMPLICIT, CONF_TLS_NONE };
enum conf_auth { CONF_AUTH_AUTO, CONF_AUTH_LOGIN, CONF_AUTH_PLAIN,
    CONF_AUTH_XOAUTH2 };
enum conf_delivery { CONF_DELIVERY_DIRECT, CONF_DELIVERY_QUEUE,
    CONF_DELIVERY_FALLBACK };
/* Where an XOAUTH2 access token comes from; NONE: no OAuth. */
enum conf_flow { CONF_FLOW_NONE, CONF_FLOW_AUTHORIZATION_CODE,
    CONF_FLOW_DEVICE_CODE, CONF_FLOW_CLIENT_CREDENTIALS, CONF_FLOW_COMMAND };

/* The token store's directory when oauth2_token_file is not set. */
#ifndef PM_STATE_DIR
#define PM_STATE_DIR "/var/lib/printmail"
#endif
#define CONF_TOKEN_DIR PM_STATE_DIR "/oauth"

/* One account: defaults, then the section, then the provider preset. */
struct conf_account {
	char		*path;		/* the config file */
	char		*name;		/* the section */
	char		*provider;
	char		*host;
	int		 port;
	enum conf_tls	 tls;
	char		*tls_ca_file;
	char		*user;
	char		*password;	/* secret: from password or password_file */
	char		*password_file;
	enum conf_auth	 auth;
	char		*from;
	char		*from_name;
	char		*to;
	char		*cc;
	char		*bcc;
	char		*subject;
	char		*body;
	int		 timeout;	/* seconds, per command */
	char		*allow_recipients;
	char		*helo;
	char		*qualify_domain;	/* for bare local parts */
	char		*admin_address;	/* receives local users' mail */
	int		 rewrite_from;	/* boolean, default on */
	int		 soft_bounce;	/* boolean, default on: defer, not bounce */
	enum conf_delivery delivery;	/* direct (default), queue, fallback */
	char		*queue_dir;	/* NULL: the built-in default */
	long		 queue_lifetime;	/* seconds, default 5 days */
	int		 max_connections;	/* 0: no limit */
	int		 max_per_minute;	/* 0: no limit */
	char		*oauth2_token_command;
	char		*oauth2_tenant;
	char		*oauth2_client_id;
	char		*oauth2_client_secret;	/* secret */
	char		*oauth2_client_secret_file;
	char		*oauth2_token_url;
	char		*oauth2_scope;
	enum conf_flow	 oauth2_flow;	/* as set, or inferred */
	char		*oauth2_authorize_url;
	char		*oauth2_device_url;
	char		*oauth2_token_file;	/* default CONF_TOKEN_DIR/NAME.json */
	int		 oauth2_redirect_port;	/* 0: any free port */
	int		 ipp;		/* a printer of printmail-ipp */
	char		*ipp_name;	/* its name as clients show it */
};

/*
 * Reads the config file at path and fills *acct with the account named
 * account ("default" when NULL).  Validates it: a host, a from address, a
 * password (or token source) when a user is set, never a password with
 * tls = none.  Reads password_file and oauth2_client_secret_file under the
 * same permission rule as the config file.
 *
 * Returns 0, or -1 with an ERR_CONFIG error naming file and line.  On
 * success the caller owns *acct and releases it with conf_account_clear().
 */
int	conf_load(const char *path, const char *account,
	    struct conf_account *acct, struct err *e);

/*
 * The names of the account sections of the config, in order (without
 * "default" unless it has a section).  The caller frees each and the
 * array.  Returns 0, or -1 with ERR_CONFIG.
 */
int	conf_accounts(const char *path, char ***names, size_t *n,
	    struct err *e);

/* Frees every string of *acct, wiping the secrets; safe on a zeroed one. */
void	conf_account_clear(struct conf_account *acct);

/*
 * Common misconfigurations that connecting would only show as a timeout
 * or a refusal: port 465 with STARTTLS, 587 with implicit TLS, a Microsoft
 * 365 user that is not a full address, PLAIN forced against Microsoft 365.
 * Fills up to max static strings into out; returns how many.
 */
size_t	conf_warnings(const struct conf_account *acct, const char **out,
	    size_t max);

/* The name of a tls mode or auth method, as written in the file. */
const char *conf_tls_name(enum conf_tls tls);
const char *conf_auth_name(enum conf_auth auth);
const char *conf_flow_name(enum conf_flow flow);

/* Microsoft's or Google's identity platform for this account, or neither. */
int	conf_is_microsoft(const struct conf_account *acct);
int	conf_is_google(const struct conf_account *acct);

/*
 * The directories above path, up to "/": each owned by root or by the
 * caller, and writable by nobody else unless sticky.  Returns 0, or -1
 * with ERR_CONFIG naming the chown or chmod that fixes it.
 */
int	conf_check_parents(const char *path, const char *what, struct err *e);

/*
 * Reads a secret from its own file: the first line, without its line end.
 * The file must not be readable by "other".  Returns a heap string the
 * caller wipes with util_free_secret(), or NULL with ERR_CONFIG set.
 */
char	*conf_read_secret_file(const char *path, const char *what,
	    struct err *e);

#endif
