/*
 * printmail-enqueue: commits one message to printmail's queue for a caller
 * who may not read the config or its secrets (PHP as www-data, cron users).
 *
 * Installed setgid to the queue's group (2755 root:printmail), like
 * Postfix's postdrop: it has no TLS, no config, no secrets; it only writes
 * one file into the queue and touches the trigger.  Everything it reads is
 * untrusted.  The caller's identity comes from getuid(), never from the
 * input.  Standard input, from printmail:
 *
 *   printmail-enqueue 1
 *   account NAME
 *   sender ADDRESS            (the value may be empty)
 *   fullname NAME             (optional)
 *   rcpt ADDRESS              (one or more)
 *   size BYTES
 *                             (an empty line)
 *   BYTES bytes of message
 *
 * Exit 0 once the message is durable (it prints its id), 75 when it
 * could not be queued (no room, I/O: nothing is left behind), 65 for bad
 * input, 78 when the queue is missing.
 *
 * The queue is SYSCONFDIR's default /var/spool/printmail; PRINTMAIL_QUEUE_DIR
 * names another only if that directory belongs to the helper's group and
 * others cannot write it (a test queue, or a second instance), so a caller
 * cannot make it write anywhere the group could not already.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "queue.h"
#include "util.h"

#ifndef PM_QUEUE_DIR
#define PM_QUEUE_DIR "/var/spool/printmail"
#endif

#define ENQ_LINE_MAX	1024
#define ENQ_RCPT_MAX	1000

/*
 * One envelope line, a byte at a time (no stdio buffer), so that standard
 * input is left exactly at the first byte of the message.
 */
#if defined(__SANITIZE_ADDRESS__)
/*
 * In AddressSanitizer builds (make check SANITIZER=address): LeakSanitizer
 * stops a process's threads with ptrace, which the kernel refuses for a
 * setgid process, and then aborts.  The helper lives for one message; its
 * memory errors are still caught, and the fuzzers check the queue code
 * for leaks.
 */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static int
get_line(char *buf, size_t cap)
{
	size_t	n = 0;
	ssize_t	r;
	char	c;

	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r != 1)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 >= cap || c == '\0' || c == '\r')
			return -1;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

static const char *
queue_dir(void)
{
	const char	*d = getenv("PRINTMAIL_QUEUE_DIR");
	struct stat	 st;

	if (d == NULL || *d != '/')
		return PM_QUEUE_DIR;
	/* Only a queue of our own group, which others cannot write. */
	if (stat(d, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_gid != getegid() || (st.st_mode & S_IWOTH))
		return NULL;
	return d;
}

static int
fail(int code, const char *msg)
{
	fprintf(stderr, "printmail-enqueue: %s\n", msg);
	return code;
}

int
main(void)
{
	struct queue_env env;
	struct passwd	*pw;
	struct err	 e;
	char		 line[ENQ_LINE_MAX], *v, *end;
	const char	*dir;
	char		*dirc;
	uid_t		 uid = getuid();
	int		 have_size = 0;

	/* Before anything else: nothing of the caller's steers us. */
	(void)util_no_core_dumps();
	umask(027);
	dir = queue_dir();
	if (dir == NULL)
		return fail(EX_CONFIG, "PRINTMAIL_QUEUE_DIR is not a queue of "
		    "this helper's group");
	if ((dirc = strdup(dir)) == NULL)
		return fail(EX_TEMPFAIL, "out of memory");
#ifdef PM_CRASH_POINTS
	queue_crash_at(getenv("PRINTMAIL_TEST_CRASH"));
#endif
	clearenv();
	memset(&env, 0, sizeof(env));
	err_clear(&e);
	env.uid = (long)uid;
	pw = getpwuid(uid);
	util_strlcpy(env.user, pw != NULL && queue_value_ok(pw->pw_name, 60) ?
	    pw->pw_name : "?", sizeof(env.user));

	if (get_line(line, sizeof(line)) == -1 ||
	    strcmp(line, "printmail-enqueue 1") != 0)
		return fail(EX_DATAERR, "bad input (not from printmail)");
	for (;;) {
		if (get_line(line, sizeof(line)) == -1)
			return fail(EX_DATAERR, "bad input: a line too long or "
			    "the end before the message");
		if (line[0] == '\0')
			break;
		if ((v = strchr(line, ' ')) == NULL)
			return fail(EX_DATAERR, "bad input line");
		*v++ = '\0';
		if (!queue_value_ok(v, ENQ_LINE_MAX))
			return fail(EX_DATAERR, "bad input value");
		if (strcmp(line, "account") == 0 && env.account == NULL) {
			if (*v == '\0' || strchr(v, '/') != NULL ||
			    (env.account = strdup(v)) == NULL)
				return fail(EX_DATAERR, "bad account name");
		} else if (strcmp(line, "sender") == 0 && env.sender == NULL) {
			if ((env.sender = strdup(v)) == NULL)
				return fail(EX_TEMPFAIL, "out of memory");
		} else if (strcmp(line, "fullname") == 0 &&
		    env.fullname == NULL) {
			if ((env.fullname = strdup(v)) == NULL)
				return fail(EX_TEMPFAIL, "out of memory");
		} else if (strcmp(line, "rcpt") == 0 && *v != '\0' &&
		    env.rcpt.n < ENQ_RCPT_MAX) {
			if (addr_list_add(&env.rcpt, v, strlen(v), &e) == -1)
				return fail(EX_TEMPFAIL, e.msg);
		} else if (strcmp(line, "size") == 0 && !have_size) {
			errno = 0;
			env.size = strtoull(v, &end, 10);
			if (*v == '\0' || *end != '\0' || errno != 0)
				return fail(EX_DATAERR, "bad size");
			have_size = 1;
		} else
			return fail(EX_DATAERR, "unknown or repeated input line");
	}
	if (env.account == NULL || env.sender == NULL || env.rcpt.n == 0 ||
	    !have_size)
		return fail(EX_DATAERR, "the input lacks the account, sender, "
		    "recipients or size");
	if (queue_commit(dirc, &env, STDIN_FILENO, 0, &e) == -1) {
		fprintf(stderr, "printmail-enqueue: %s\n", err_text(&e));
		return e.kind == ERR_DATA ? EX_DATAERR : EX_TEMPFAIL;
	}
	printf("%s\n", env.id);
	queue_env_clear(&env);
	free(dirc);
	return 0;
}
