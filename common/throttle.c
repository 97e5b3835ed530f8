/*
 * throttle.c: connection slots and the submission rate, with flock(2).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "throttle.h"
#include "log.h"
#include "util.h"

#define THROTTLE_WINDOW	60	/* seconds of the rate limit */
#define THROTTLE_MAX_RATE	10000

/*
 * The files' mode follows the directory's: in the package's run directory
 * (2770 root:printmail) they are 0660, shared by the senders' group only,
 * so no other local user can hold a slot or rewrite the rate; in a
 * world-writable sticky one (an install without the package) 0666.
 */
static mode_t	shared_mode = 0660;

static int
open_shared(const char *path)
{
	int	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    shared_mode);

	if (fd != -1)
		(void)fchmod(fd, shared_mode);
	return fd;
}

static void
nap(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Tries each slot once; returns the locked fd, or -1 with *broken set when
 * a slot file cannot be opened (errno kept).
 */
static int
try_slots(const char *dir, const char *account, int max_conn, int *broken)
{
	char	path[4096];
	int	i, fd;

	for (i = 0; i < max_conn; i++) {
		snprintf(path, sizeof(path), "%s/%s.slot%d", dir, account, i);
		if ((fd = open_shared(path)) == -1) {
			*broken = 1;
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

/* Takes an exclusive lock on fd by the deadline; -1 past it. */
static int
lock_by(int fd, int64_t deadline)
{
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (util_now_ms() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		nap(20);
	}
}

/*
 * Seconds to wait before one more submission fits in the window (0: it
 * fits now and is recorded), or -1 with errno when the file cannot be used
 * or locked by the deadline.
 */
static long
rate_check(const char *dir, const char *account, int max_per_min,
    int64_t deadline)
{
	char		 path[4096], line[32];
	long long	*t = NULL, now = (long long)time(NULL);
	size_t		 n = 0, i, keep;
	long		 wait = 0;
	FILE		*fp;
	int		 fd, saved;

	snprintf(path, sizeof(path), "%s/%s.rate", dir, account);
	if ((fd = open_shared(path)) == -1)
		return -1;
	if (lock_by(fd, deadline) == -1 || (fp = fdopen(fd, "r+")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if ((t = calloc(THROTTLE_MAX_RATE + 1, sizeof(*t))) == NULL) {
		fclose(fp);
		return -1;
	}
	while (n < THROTTLE_MAX_RATE && fgets(line, sizeof(line), fp) != NULL) {
		long long v = strtoll(line, NULL, 10);

		if (v > now - THROTTLE_WINDOW && v <= now)
			t[n++] = v;
	}
	/* Oldest first, as written; the oldest decides the wait. */
	keep = n;
	if ((int)n >= max_per_min)
		wait = (long)(t[n - (size_t)max_per_min] + THROTTLE_WINDOW - now);
	else
		t[keep++] = now;
	rewind(fp);
	if (ftruncate(fd, 0) == 0)
		for (i = 0; i < keep; i++)
			fprintf(fp, "%lld\n", t[i]);
	fflush(fp);
	fclose(fp);	/* also drops the lock */
	free(t);
	return wait > 0 ? wait : (keep > n ? 0 : 1);
}

int
throttle_acquire(const char *dir, const char *account, int max_conn,
    int max_per_min, int submit, int max_wait_s, struct throttle_slot *slot,
    struct err *e)
{
	int64_t	deadline = util_now_ms() + (int64_t)max_wait_s * 1000;
	int	broken = 0, told = 0;
	long	wait;

	slot->fd = -1;
	if ((max_conn <= 0 && (max_per_min <= 0 || !submit)) || dir == NULL)
		return 0;
	if (mkdir(dir, 01777) == 0)
		(void)chmod(dir, 01777);
	{
		struct stat st;

		shared_mode = stat(dir, &st) == 0 && (st.st_mode & S_IWOTH) ?
		    0666 : 0660;
	}
	/*
	 * Limits fail closed: sending anyway past a broken lock is what the
	 * provider answers with 432 or a blocked mailbox.  The message waits
	 * (a temporary failure) and the reason says what to fix.
	 */
	if (access(dir, W_OK | X_OK) == -1)
		return err_sys(e, ERR_TEMP, "cannot use %s for the provider "
		    "limits of account [%s] (senders must be in its group; "
		    "others queue their mail)", dir, account);
	while (max_conn > 0) {
		if ((slot->fd = try_slots(dir, account, max_conn, &broken)) != -1)
			break;
		if (broken)
			return err_sys(e, ERR_TEMP, "cannot open the connection "
			    "slots of account [%s] in %s", account, dir);
		if (!told++)
			log_msg(LOG_LVL_NOTICE, "waiting: %d connections of "
			    "account [%s] are in use (max_connections)",
			    max_conn, account);
		if (util_now_ms() >= deadline)
			return err_set(e, ERR_TEMP, "waited %d s for one of the "
			    "%d connections of account [%s]", max_wait_s,
			    max_conn, account);
		nap(200);
	}
	told = 0;
	while (submit && max_per_min > 0) {
		if ((wait = rate_check(dir, account, max_per_min, deadline)) == 0)
			break;
		if (wait < 0) {
			throttle_release(slot);
			return err_sys(e, ERR_TEMP, "cannot use the rate file of "
			    "account [%s] in %s (max_per_minute)", account, dir);
		}
		if (!told++)
			log_msg(LOG_LVL_NOTICE, "waiting %ld s: account [%s] "
			    "sent %d messages in the last minute "
			    "(max_per_minute)", wait, account, max_per_min);
		if (util_now_ms() + wait * 1000 > deadline) {
			throttle_release(slot);
			return err_set(e, ERR_TEMP, "account [%s] reached "
			    "max_per_minute (%d) and the wait would pass %d s",
			    account, max_per_min, max_wait_s);
		}
		nap(wait > 1 ? 1000 : 250);
	}
	return 0;
}

void
throttle_release(struct throttle_slot *slot)
{
	if (slot->fd != -1) {
		close(slot->fd);
		slot->fd = -1;
	}
}
