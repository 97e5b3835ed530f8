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
	/* Standard error passes through and does not become the token. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_printed),
		cmocka_unit_test(no_shell),
		cmocka_unit_test(failures),
	};

	return cmocka_run_group_tests_name("oauth", tests, NULL, NULL);
}
