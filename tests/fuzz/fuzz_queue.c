/*
 * fuzz_queue: the queue file reader, on a queue directory whose one file
 * holds the input (queue files are untrusted: the setgid helper writes
 * them for any local user), then the listing and the state reader.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ID "20261129065900-3f9a1c2e7b4d0a11"

static char	dir[64];

/* Leaves nothing behind in /tmp when the run ends. */
static void
cleanup(void)
{
	static const char *files[] = { "queue/" ID, "state/" ID,
	    "state/account.default", "queue", "state", "tmp", "" };
	char	path[128];
	size_t	i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (unlink(path) == -1)
			rmdir(path);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 path[128], **ids;
	struct queue_env	 env;
	struct queue_state	 st;
	struct queue_cond	 c;
	struct err		 e;
	size_t			 n;
	FILE			*fp;
	int			 fd;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/printmail-fuzz-queue.%ld",
		    (long)getpid());
		mkdir(dir, 0700);
		snprintf(path, sizeof(path), "%s/queue", dir);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/state", dir);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/tmp", dir);
		mkdir(path, 0700);
		atexit(cleanup);
	}
	/* The same bytes as a message file, a state file and a condition. */
	snprintf(path, sizeof(path), "%s/queue/" ID, dir);
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/state/" ID, dir);
	if ((fp = fopen(path, "w")) != NULL) {
		fwrite(data, 1, size, fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/state/account.default", dir);
	if ((fp = fopen(path, "w")) != NULL) {
		fwrite(data, 1, size, fp);
		fclose(fp);
	}
	err_clear(&e);
	if ((fd = queue_open(dir, ID, 0, &env, &e)) != -1) {
		close(fd);
		queue_env_clear(&env);
	}
	err_clear(&e);
	if (queue_list(dir, "queue", &ids, &n, &e) == 0)
		queue_list_free(ids, n);
	queue_state_read(dir, ID, &st);
	queue_cond_read(dir, "default", &c);
	return 0;
}
