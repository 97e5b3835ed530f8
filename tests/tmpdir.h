/*
 * tmpdir.h: a private temporary directory for a cmocka test group, made by
 * the group's setup and removed by its teardown.  Include once per test.
 */
#ifndef PM_TEST_TMPDIR_H
#define PM_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static char dir[] = "/tmp/pm-test.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
