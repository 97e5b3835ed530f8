/*
 * test_conf.c: the config parser, its errors and the permission rule.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"

#include "conf.h"


static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char	path[256];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
	return path;
}

/* Loads text as a config and returns the error kind; *e keeps the text. */
static enum err_kind
load(const char *text, mode_t mode, const char *account,
    struct conf_account *a, struct err *e)
{
	const char *path = write_file("pm.conf", text, mode);

	err_clear(e);
	if (conf_load(path, account, a, e) == 0)
		return ERR_NONE;
	return e->kind;
}

static void
design_example(void **state)
{
	struct conf_account	a;
	struct err		e;
	const char *text =
	    "# keys before any section are defaults for every account\n"
	    "timeout = 60\n"
	    "\n"
	    "[default]                    # the account used when none is named\n"
	    "provider = office365         # presets host/port/tls; explicit keys win\n"
	    "user = hoadon@congty.com\n"
	    "password = abcdefghijklmnop  # the App Password\n"
	    "from = hoadon@congty.com\n"
	    "from_name = Phòng Kế toán\n"
	    "to = ketoan@congty.com       # default recipient for print jobs\n"
	    "subject = {title}\n"
	    "\n"
	    "[scans]\n"
	    "host = smtp.office365.com\n"
	    "port = 587\n"
	    "tls = starttls\n"
	    "user = scan@congty.com\n"
	    "password = \"has # hash and spaces \"\n"
	    "from = scan@congty.com\n";

	(void)state;
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_NONE);
	assert_string_equal(a.name, "default");
	assert_string_equal(a.host, "smtp.office365.com");
	assert_int_equal(a.port, 587);
	assert_int_equal(a.tls, CONF_TLS_STARTTLS);
	assert_string_equal(a.password, "abcdefghijklmnop");
	assert_string_equal(a.from_name, "Phòng Kế toán");
	assert_string_equal(a.to, "ketoan@congty.com");
	assert_int_equal(a.timeout, 60);
	assert_int_equal(a.max_connections, 3);
	assert_int_equal(a.max_per_minute, 30);
	assert_int_equal(a.rewrite_from, 1);
	conf_account_clear(&a);

	assert_int_equal(load(text, 0600, "scans", &a, &e), ERR_NONE);
	assert_string_equal(a.password, "has # hash and spaces ");
	assert_int_equal(a.max_connections, 0);
	conf_account_clear(&a);
}

static void
explicit_keys_win(void **state)
{
	struct conf_account	a;
	struct err		e;

	(void)state;
	assert_int_equal(load("[default]\nprovider = gmail\nport = 465\n"
	    "tls = implicit\nfrom = a@gmail.com\n", 0644, NULL, &a, &e),
	    ERR_NONE);
	assert_string_equal(a.host, "smtp.gmail.com");
	assert_int_equal(a.port, 465);
	assert_int_equal(a.tls, CONF_TLS_IMPLICIT);
	conf_account_clear(&a);
	/* Default port follows the TLS mode. */
	assert_int_equal(load("[default]\nhost = h\ntls = implicit\nfrom = a@b\n",
	    0644, NULL, &a, &e), ERR_NONE);
	assert_int_equal(a.port, 465);
	conf_account_clear(&a);
}

static void
errors_name_file_and_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[default]\nhost = h\nbogus = 1\n", "pm.conf:3: unknown key 'bogus'" },
		{ "[default]\nhost h\n", "pm.conf:2: expected 'key = value'" },
		{ "[default]\nhost = a\nhost = b\n", "pm.conf:3: duplicate key 'host' (first set on line 2)" },
		{ "[a]\n[a]\n", "pm.conf:2: section [a] appears twice" },
		{ "[default\n", "pm.conf:1: section header without ']'" },
		{ "[bad name]\n", "pm.conf:1: bad section name" },
		{ "[default]\nport = 70000\n", "pm.conf:2: port: '70000' is not a valid port" },
		{ "[default]\nport = 58x\n", "pm.conf:2: port: '58x'" },
		{ "[default]\ntls = ssl\n", "pm.conf:2: tls: 'ssl' is not one of" },
		{ "[default]\nauth = cram\n", "pm.conf:2: auth: 'cram'" },
		{ "[default]\nrewrite_from = maybe\n", "pm.conf:2: rewrite_from" },
		{ "[default]\nprovider = yahoo\nfrom = a@b\n", "pm.conf:2: provider: 'yahoo'" },
		{ "[default]\npassword = \"open\n", "pm.conf:2: password: unterminated quoted value" },
		{ "[default]\nsubject = a\x01b\n", "pm.conf:2: control character" },
		{ "[other]\nhost = h\n", "no account [default]" },
		{ "[default]\nfrom = a@b\n", "has no host" },
		{ "[default]\nhost = h\n", "needs from =" },
		{ "[default]\nhost = h\nfrom = a@b\nuser = a@b\n", "has user but no password" },
		{ "[default]\nhost = h\nfrom = a@b\nuser = a@b\npassword = p\ntls = none\n", "never authenticates without TLS" },
		{ "[default]\nhost = h\nfrom = a@b\nuser = a@b\nauth = xoauth2\n", "xoauth2 needs" },
		{ "[default]\nhost = h\nfrom = a@b\ntimeout = 0\n", "timeout" },
	};
	struct conf_account	a;
	struct err		e;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load(cases[i].text, 0600, NULL, &a, &e) != ERR_CONFIG)
			fail_msg("case %zu loaded: %s", i, cases[i].text);
		if (strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
			    cases[i].want);
	}
}

static void
secret_readable_by_other_refused(void **state)
{
	struct conf_account	a;
	struct err		e;
	const char *text = "[default]\nhost = h\nfrom = a@b\nuser = a@b\n"
	    "password = secret123\n";

	(void)state;
	assert_int_equal(load(text, 0644, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "readable by other users"));
	assert_non_null(strstr(e.msg, "chmod o-rwx"));
	assert_null(strstr(e.msg, "secret123"));
	assert_int_equal(load(text, 0640, NULL, &a, &e), ERR_NONE);
	conf_account_clear(&a);
	/* Without a secret a world-readable file is fine... */
	assert_int_equal(load("[default]\nhost = h\nfrom = a@b\n", 0644, NULL,
	    &a, &e), ERR_NONE);
	conf_account_clear(&a);
	/* ...but never a world-writable one. */
	assert_int_equal(load("[default]\nhost = h\nfrom = a@b\n", 0666, NULL,
	    &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "chmod go-w"));
	/* Nor a group-writable one (group lp could redirect the mail). */
	assert_int_equal(load("[default]\nhost = h\nfrom = a@b\n", 0660, NULL,
	    &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "writable by other users"));
}

/*
 * Who may own what: a config, or a secret file it names, that another user
 * owns or can write, or that sits in a directory another user can write,
 * could make us send any file of ours as the password to any server.
 */
static void
owner_and_directories(void **state)
{
	struct conf_account	a;
	struct err		e;
	char			text[512], sub[300], path[400], secret[300];
	FILE			*fp;

	(void)state;
	/* write_file() returns a buffer the next call reuses. */
	snprintf(secret, sizeof(secret), "%s",
	    write_file("other.secret", "stolen\n", 0600));
	snprintf(text, sizeof(text), "[default]\nhost = h\nfrom = a@b\n"
	    "user = a@b\npassword_file = %s\n", secret);
	if (geteuid() == 0) {
		/* Root trusts only root: a secret owned by nobody... */
		assert_int_equal(chown(secret, 65534, 65534), 0);
		assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_CONFIG);
		assert_non_null(strstr(e.msg, "owned by uid 65534"));
		assert_non_null(strstr(e.msg, "chown root"));
		assert_null(strstr(e.msg, "stolen"));
		/* ...or a config owned by nobody. */
		assert_int_equal(chown(secret, 0, 0), 0);
		write_file("pm.conf", text, 0600);
		snprintf(path, sizeof(path), "%s/pm.conf", dir);
		assert_int_equal(chown(path, 65534, 65534), 0);
		err_clear(&e);
		assert_int_equal(conf_load(path, NULL, &a, &e), -1);
		assert_non_null(strstr(e.msg, "owned by uid 65534"));
	}
	/* A group-writable secret file. */
	assert_int_equal(chmod(secret, 0620), 0);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "password_file"));
	assert_non_null(strstr(e.msg, "chmod go-w"));
	assert_int_equal(chmod(secret, 0600), 0);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_NONE);
	conf_account_clear(&a);
	/* A config in a directory others can write (not sticky). */
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(path, sizeof(path), "%s/pm.conf", sub);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[default]\nhost = h\nfrom = a@b\n", fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0600), 0);
	err_clear(&e);
	assert_int_equal(conf_load(path, NULL, &a, &e), -1);
	assert_non_null(strstr(e.msg, "which other users can write"));
	assert_non_null(strstr(e.msg, "chmod go-w"));
	/* Sticky, as /tmp: others cannot replace what they do not own. */
	assert_int_equal(chmod(sub, 01777), 0);
	err_clear(&e);
	assert_int_equal(conf_load(path, NULL, &a, &e), 0);
	conf_account_clear(&a);
	if (geteuid() == 0) {
		/* A directory above owned by another user. */
		assert_int_equal(chmod(sub, 0755), 0);
		assert_int_equal(chown(sub, 65534, 65534), 0);
		err_clear(&e);
		assert_int_equal(conf_load(path, NULL, &a, &e), -1);
		assert_non_null(strstr(e.msg, "owned by uid 65534"));
	}
	/* A CA file others can change would let them read the password. */
	snprintf(secret, sizeof(secret), "%s", write_file("ca.pem", "x\n",
	    0666));
	snprintf(text, sizeof(text), "[default]\nhost = h\nfrom = a@b\n"
	    "tls_ca_file = %s\n", secret);
	assert_int_equal(chmod(secret, 0666), 0);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "tls_ca_file"));
}

/* Small things that cost mail or a lockout. */
static void
bom_empty_password_https(void **state)
{
	struct conf_account	a;
	struct err		e;

	(void)state;
	/* Notepad's byte order mark. */
	assert_int_equal(load("\xef\xbb\xbf[default]\nhost = h\nfrom = a@b\n",
	    0600, NULL, &a, &e), ERR_NONE);
	assert_string_equal(a.host, "h");
	conf_account_clear(&a);
	/* An empty password is refused like an empty password_file. */
	assert_int_equal(load("[default]\nhost = h\nfrom = a@b\nuser = a@b\n"
	    "password =\n", 0600, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "password is empty"));
	assert_int_equal(load("[default]\nhost = h\nfrom = a@b\nuser = a@b\n"
	    "password = \"\"\n", 0600, NULL, &a, &e), ERR_CONFIG);
	/* The token endpoint only over https. */
	assert_int_equal(load("[default]\nhost = h\nfrom = a@b\nuser = a@b\n"
	    "auth = xoauth2\noauth2_client_id = c\noauth2_client_secret = s\n"
	    "oauth2_token_url = http://login.example/token\n", 0600, NULL,
	    &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "https://"));
}

static void
password_file(void **state)
{
	struct conf_account	a;
	struct err		e;
	char			text[512];
	const char		*secret;

	(void)state;
	secret = write_file("scan.secret", "app pass word\r\n", 0600);
	snprintf(text, sizeof(text), "[default]\nhost = h\nfrom = a@b\n"
	    "user = a@b\npassword_file = %s\n", secret);
	assert_int_equal(load(text, 0644, NULL, &a, &e), ERR_NONE);
	assert_string_equal(a.password, "app pass word");
	conf_account_clear(&a);

	write_file("scan.secret", "app pass word\n", 0604);
	assert_int_equal(load(text, 0644, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "password_file"));
	assert_non_null(strstr(e.msg, "chmod o-rwx"));

	write_file("scan.secret", "\n", 0600);
	assert_int_equal(load(text, 0644, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "is empty"));

	/* A FIFO would block a plain open(): refused at once instead. */
	{
		char fifo[300];

		snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		snprintf(text, sizeof(text), "[default]\nhost = h\nfrom = a@b\n"
		    "user = a@b\npassword_file = %s\n", fifo);
		assert_int_equal(load(text, 0644, NULL, &a, &e), ERR_CONFIG);
		assert_non_null(strstr(e.msg, "not a regular file"));
	}
	snprintf(text, sizeof(text), "[default]\nhost = h\nfrom = a@b\n"
	    "user = a@b\npassword_file = %s/missing\n", dir);
	assert_int_equal(load(text, 0644, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "missing"));
}

static void
missing_file(void **state)
{
	struct conf_account	a;
	struct err		e;

	(void)state;
	err_clear(&e);
	assert_int_equal(conf_load("/nonexistent/printmail.conf", NULL, &a,
	    &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "/nonexistent/printmail.conf"));
}

static void
all_design_keys_accepted(void **state)
{
	struct conf_account	a;
	struct err		e;
	const char *text =
	    "[default]\nhost = h\nport = 587\ntls = starttls\n"
	    "tls_ca_file = /etc/ssl/certs/ca-certificates.crt\n"
	    "user = u@d\npassword = p\nauth = login\nfrom = u@d\n"
	    "from_name = N\nto = t@d\ncc = c@d\nbcc = b@d\nsubject = S\n"
	    "body = B\ntimeout = 30\nprovider = office365\n"
	    "allow_recipients = *@d, x@y\noauth2_flow = client_credentials\n"
	    "oauth2_tenant = t\noauth2_client_id = c\n"
	    "oauth2_authorize_url = https://x/a\noauth2_device_url = https://x/d\n"
	    "oauth2_token_file = /tmp/t.json\noauth2_redirect_port = 8400\n"
	    "oauth2_client_secret = s\noauth2_token_url = https://x/\n"
	    "oauth2_scope = https://outlook.office365.com/.default\n"
	    "helo = me.test\nrewrite_from = no\nmax_connections = 2\n"
	    "max_per_minute = 10\n";

	(void)state;
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_NONE);
	assert_int_equal(a.auth, CONF_AUTH_LOGIN);
	assert_int_equal(a.rewrite_from, 0);
	assert_int_equal(a.max_connections, 2);
	assert_string_equal(a.host, "h");
	assert_string_equal(a.oauth2_client_secret, "s");
	assert_int_equal(a.oauth2_flow, CONF_FLOW_CLIENT_CREDENTIALS);
	assert_int_equal(a.oauth2_redirect_port, 8400);
	conf_account_clear(&a);
}

/* The OAuth flow is inferred when unambiguous, refused when not. */
static void
oauth_flows(void **state)
{
	struct conf_account	a;
	struct err		e;
	const char *base = "[default]\nprovider = office365\nfrom = u@d\n"
	    "user = u@d\nauth = xoauth2\n";
	char			text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%soauth2_tenant = t\n"
	    "oauth2_client_id = c\n", base);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_NONE);
	assert_int_equal(a.oauth2_flow, CONF_FLOW_AUTHORIZATION_CODE);
	assert_string_equal(a.oauth2_token_file, CONF_TOKEN_DIR "/default.json");
	conf_account_clear(&a);
	snprintf(text, sizeof(text), "%soauth2_tenant = t\n"
	    "oauth2_client_id = c\noauth2_client_secret = s\n", base);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_NONE);
	assert_int_equal(a.oauth2_flow, CONF_FLOW_CLIENT_CREDENTIALS);
	conf_account_clear(&a);
	snprintf(text, sizeof(text), "%soauth2_token_command = /bin/true\n",
	    base);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_NONE);
	assert_int_equal(a.oauth2_flow, CONF_FLOW_COMMAND);
	conf_account_clear(&a);
	assert_int_equal(load("[default]\nprovider = gmail\nfrom = u@d\n"
	    "user = u@d\noauth2_client_id = c\noauth2_client_secret = s\n",
	    0600, NULL, &a, &e), ERR_NONE);
	assert_int_equal(a.oauth2_flow, CONF_FLOW_AUTHORIZATION_CODE);
	conf_account_clear(&a);
	/* Ambiguous or incomplete: the message says what to set. */
	snprintf(text, sizeof(text), "%soauth2_token_command = /bin/true\n"
	    "oauth2_client_id = c\noauth2_tenant = t\n", base);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "set oauth2_flow"));
	snprintf(text, sizeof(text), "%soauth2_client_id = c\n", base);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "oauth2_tenant"));
	snprintf(text, sizeof(text), "%soauth2_flow = device_code\n", base);
	assert_int_equal(load(text, 0600, NULL, &a, &e), ERR_CONFIG);
	assert_non_null(strstr(e.msg, "oauth2_client_id"));
}

static void
warnings(void **state)
{
	struct conf_account	a;
	struct err		e;
	const char		*w[8];

	(void)state;
	assert_int_equal(load("[default]\nhost = h\nport = 465\nfrom = a@b\n",
	    0644, NULL, &a, &e), ERR_NONE);
	assert_int_equal(conf_warnings(&a, w, 8), 1);
	assert_non_null(strstr(w[0], "tls = implicit"));
	conf_account_clear(&a);
	assert_int_equal(load("[default]\nhost = h\nport = 587\ntls = implicit\n"
	    "from = a@b\n", 0644, NULL, &a, &e), ERR_NONE);
	assert_int_equal(conf_warnings(&a, w, 8), 1);
	assert_non_null(strstr(w[0], "tls = starttls"));
	conf_account_clear(&a);
	assert_int_equal(load("[default]\nprovider = office365\nuser = hoadon\n"
	    "password = p\nauth = plain\nfrom = hoadon@congty.com\n", 0600,
	    NULL, &a, &e), ERR_NONE);
	assert_int_equal(conf_warnings(&a, w, 8), 2);
	assert_non_null(strstr(w[0], "full address"));
	assert_non_null(strstr(w[1], "PLAIN"));
	conf_account_clear(&a);
	assert_int_equal(load("[default]\nprovider = office365\nport = 465\n"
	    "tls = implicit\nfrom = a@b\n", 0644, NULL, &a, &e), ERR_NONE);
	assert_int_equal(conf_warnings(&a, w, 8), 1);
	assert_non_null(strstr(w[0], "does not offer port 465"));
	conf_account_clear(&a);
	assert_int_equal(load("[default]\nprovider = office365\n"
	    "user = a@congty.com\npassword = p\nfrom = a@congty.com\n", 0600,
	    NULL, &a, &e), ERR_NONE);
	assert_int_equal(conf_warnings(&a, w, 8), 0);
	conf_account_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(design_example),
		cmocka_unit_test(explicit_keys_win),
		cmocka_unit_test(errors_name_file_and_line),
		cmocka_unit_test(secret_readable_by_other_refused),
		cmocka_unit_test(password_file),
		cmocka_unit_test(owner_and_directories),
		cmocka_unit_test(bom_empty_password_https),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(all_design_keys_accepted),
		cmocka_unit_test(oauth_flows),
		cmocka_unit_test(warnings),
	};

	return cmocka_run_group_tests_name("conf", tests, setup, teardown);
}
