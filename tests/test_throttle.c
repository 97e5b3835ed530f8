/*
 * test_throttle.c: connection slots and the submission rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "tmpdir.h"

#include "throttle.h"
#include "util.h"


static void
slots(void **state)
{
	struct throttle_slot	a, b, c;
	struct err		e;
	int64_t			t0;

	(void)state;
	err_clear(&e);
	assert_int_equal(throttle_acquire(dir, "acct", 2, 0, 1, 5, &a, &e), 0);
	assert_int_equal(throttle_acquire(dir, "acct", 2, 0, 1, 5, &b, &e), 0);
	assert_true(a.fd != -1 && b.fd != -1);
	/* The third waits, then gives up as a temporary failure. */
	t0 = util_now_ms();
	assert_int_equal(throttle_acquire(dir, "acct", 2, 0, 1, 1, &c, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	assert_true(util_now_ms() - t0 >= 900);
	assert_non_null(strstr(e.msg, "2 connections of account [acct]"));
	/* Another account is not affected. */
	err_clear(&e);
	assert_int_equal(throttle_acquire(dir, "other", 2, 0, 1, 1, &c, &e), 0);
	throttle_release(&c);
	throttle_release(&a);
	assert_int_equal(throttle_acquire(dir, "acct", 2, 0, 1, 1, &c, &e), 0);
	throttle_release(&b);
	throttle_release(&c);
	throttle_release(&c);
}

static void
rate(void **state)
{
	struct throttle_slot	s;
	struct err		e;
	char			path[256];
	FILE			*fp;
	int64_t			t0;
	int			i;

	(void)state;
	err_clear(&e);
	for (i = 0; i < 3; i++) {
		assert_int_equal(throttle_acquire(dir, "r", 0, 3, 1, 5, &s, &e),
		    0);
		throttle_release(&s);
	}
	/* A fourth in the same minute would wait ~60 s: more than allowed. */
	t0 = util_now_ms();
	assert_int_equal(throttle_acquire(dir, "r", 0, 3, 1, 5, &s, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	assert_non_null(strstr(e.msg, "max_per_minute (3)"));
	assert_true(util_now_ms() - t0 < 1000);
	/* --check (no submission) is not held back by the rate. */
	err_clear(&e);
	assert_int_equal(throttle_acquire(dir, "r", 0, 3, 0, 5, &s, &e), 0);
	/* Three sent 58 s ago: the next one waits about 2 s. */
	snprintf(path, sizeof(path), "%s/w.rate", dir);
	fp = fopen(path, "w");
	for (i = 0; i < 3; i++)
		fprintf(fp, "%lld\n", (long long)time(NULL) - 58);
	fclose(fp);
	t0 = util_now_ms();
	assert_int_equal(throttle_acquire(dir, "w", 0, 3, 1, 10, &s, &e), 0);
	assert_true(util_now_ms() - t0 >= 1000);
	assert_true(util_now_ms() - t0 < 5000);
}

static void
no_limits_no_files(void **state)
{
	struct throttle_slot	s;
	struct err		e;

	(void)state;
	err_clear(&e);
	assert_int_equal(throttle_acquire(dir, "none", 0, 0, 1, 1, &s, &e), 0);
	assert_int_equal(s.fd, -1);
	assert_int_equal(access("/tmp/pm-throttle-none", F_OK), -1);
	/* An unusable directory: nothing is sent, the message waits (75). */
	assert_int_equal(throttle_acquire("/proc/nonexistent/x", "a", 3, 30, 1,
	    1, &s, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	assert_non_null(strstr(e.msg, "/proc/nonexistent/x"));
	assert_int_equal(s.fd, -1);
}

/* Limits fail closed, and no lock can hold a sender past its deadline. */
static void
hostile_state(void **state)
{
	struct throttle_slot	s;
	struct err		e;
	char			path[256];
	int64_t			t0;
	int			fd;

	(void)state;
	/* Another user pre-created the rate file as a directory. */
	snprintf(path, sizeof(path), "%s/d.rate", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	err_clear(&e);
	assert_int_equal(throttle_acquire(dir, "d", 0, 1, 1, 2, &s, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	assert_non_null(strstr(e.msg, "rate file of account [d]"));
	/* ... or a slot file. */
	snprintf(path, sizeof(path), "%s/s.slot0", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	err_clear(&e);
	assert_int_equal(throttle_acquire(dir, "s", 1, 0, 1, 2, &s, &e), -1);
	assert_int_equal(e.kind, ERR_TEMP);
	assert_non_null(strstr(e.msg, "connection slots of account [s]"));
	/* Someone holds the rate file's lock for ever: bounded wait. */
	snprintf(path, sizeof(path), "%s/h.rate", dir);
	fd = open(path, O_RDWR | O_CREAT, 0666);
	assert_true(fd != -1);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	if (fork() == 0) {
		/* Another process: flock locks are per open file. */
		err_clear(&e);
		t0 = util_now_ms();
		if (throttle_acquire(dir, "h", 0, 5, 1, 1, &s, &e) == -1 &&
		    e.kind == ERR_TEMP && util_now_ms() - t0 >= 900 &&
		    util_now_ms() - t0 < 3000)
			_exit(0);
		_exit(1);
	}
	{
		int status;

		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slots),
		cmocka_unit_test(rate),
		cmocka_unit_test(no_limits_no_files),
		cmocka_unit_test(hostile_state),
	};

	return cmocka_run_group_tests_name("throttle", tests, setup, teardown);
}
