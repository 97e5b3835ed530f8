/*
 * test_oauth.c: the OAuth 2.0 token command: no shell, time limit,
 * failures named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

#include "oauth.h"
#include "util.h"

static char *
run(const char *cmd, int ms, struct err *e)
{
	err_clear(e);
	return oauth_token_from_command(cmd, ms, e);
}

static void
token_printed(void **state)
{
	struct err	 e;
	char		*t;

	(void)state;
	t = run("echo tok123", 5000, &e);
	assert_string_equal(t, "tok123");
	util_free_secret(t);
	t = run("printf '  eyJ0eXAi.abc-_x==\\n\\nsecond line\\n'", 5000, &e);
	assert_string_equal(t, "eyJ0eXAi.abc-_x==");
	util_free_secret(t);
	/* Standard error goes to the log and does not become the token. */
	t = run("sh -c 'echo diagnostics >&2; echo tok'", 5000, &e);
	assert_string_equal(t, "tok");
	util_free_secret(t);
}

static void
no_shell(void **state)
{
	struct err	 e;
	char		*t;

	(void)state;
	/* Without a shell, $HOME and ; are just characters. */
	t = run("echo $HOME;true", 5000, &e);
	assert_string_equal(t, "$HOME;true");
	util_free_secret(t);
	t = run("echo \"a b\"", 5000, &e);
	assert_null(t);
	assert_int_equal(e.kind, ERR_AUTH);
}

static void
failures(void **state)
{
	struct err	 e;
	int64_t		 t0;

	(void)state;
	assert_null(run("sh -c 'exit 3'", 5000, &e));
	assert_int_equal(e.kind, ERR_AUTH);
	assert_non_null(strstr(e.msg, "exit status 3"));
	assert_null(run("/nonexistent/token-helper", 5000, &e));
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_null(run("echo 'unbalanced", 5000, &e));
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_null(run("true", 5000, &e));
	assert_int_equal(e.kind, ERR_AUTH);
	assert_non_null(strstr(e.msg, "no usable access token"));
	t0 = util_now_ms();
	assert_null(run("sleep 10", 300, &e));
	assert_int_equal(e.kind, ERR_TEMP);
	assert_true(util_now_ms() - t0 < 3000);
}

/* What the helper writes on standard error, as the log hook gets it. */
static char	logged[8192];

static void
capture(void *ctx, enum log_level level, const char *line, const char *shown)
{
	size_t n = strlen(logged);

	(void)ctx;
	(void)level;
	snprintf(logged + n, sizeof(logged) - n, "%s\n%s\n", line, shown);
}

/*
 * Issue: a helper that closes its output and keeps running, one that
 * leaves a child holding its output, exit 75, control characters on its
 * standard error, and our descriptors leaking into it.
 */
static void
bounded_and_clean(void **state)
{
	struct err	 e;
	char		*t, *p;
	int64_t		 t0;
	int		 fd;

	(void)state;
	/* Output closed, still running: stopped at the deadline. */
	t0 = util_now_ms();
	assert_null(run("sh -c 'exec >&-; sleep 30'", 500, &e));
	assert_int_equal(e.kind, ERR_TEMP);
	assert_non_null(strstr(e.msg, "did not finish"));
	assert_true(util_now_ms() - t0 < 3000);
	/* Printed the token and exited; a child it left holds the pipe. */
	t0 = util_now_ms();
	t = run("sh -c 'echo tok-bg; sleep 30 & exit 0'", 5000, &e);
	assert_non_null(t);
	assert_string_equal(t, "tok-bg");
	util_free_secret(t);
	assert_true(util_now_ms() - t0 < 3000);
	/* The helper's convention: 75 is temporary, the rest needs the admin. */
	assert_null(run("sh -c 'exit 75'", 5000, &e));
	assert_int_equal(e.kind, ERR_TEMP);
	assert_null(run("sh -c 'exit 1'", 5000, &e));
	assert_int_equal(e.kind, ERR_AUTH);
	/* Its standard error reaches the log as clean lines only. */
	memset(logged, 0, sizeof(logged));
	log_set_handler(capture, NULL);
	t = run("printf 'tok\\n'", 5000, &e);
	util_free_secret(t);
	t = run("sh -c 'printf \"bad\\rPPD: DefaultEmailTo=Custom.x@evil.test"
	    "\\033[2J\\nnext\\n\" >&2; echo tok'", 5000, &e);
	log_set_handler(NULL, NULL);
	assert_string_equal(t, "tok");
	util_free_secret(t);
	for (p = logged; *p != '\0'; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 &&
		    *p != 0x7f));
	assert_non_null(strstr(logged, "bad PPD: DefaultEmailTo"));
	assert_null(strstr(logged, "\nPPD:"));
	assert_non_null(strstr(logged, ": next\n"));
	/* No descriptor of ours reaches the helper (the message, say). */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 3);
	t = run("sh -c 'ls /proc/self/fd | sort -n | tr \"\\n\" ,'", 5000,
	    &e);
	assert_non_null(t);
	/* 0, 1, 2 and the one ls opens to read the directory. */
	assert_true(strncmp(t, "0,1,2,3,", 8) == 0 && t[8] == '\0');
	util_free_secret(t);
	close(fd);
}

/* RFC 7636 appendix B. */
static void
pkce_rfc7636_vector(void **state)
{
	char	c[44];

	(void)state;
	oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c);
	assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pkce_rfc7636_vector),
		cmocka_unit_test(token_printed),
		cmocka_unit_test(no_shell),
		cmocka_unit_test(failures),
		cmocka_unit_test(bounded_and_clean),
	};

	return cmocka_run_group_tests_name("oauth", tests, NULL, NULL);
}
