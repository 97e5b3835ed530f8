/*
 * oauth.c: running the token command.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oauth.h"
#include "util.h"

#define OAUTH_MAX_ARGS	64
#define OAUTH_MAX_OUT	16384

/* Splits s in place into at most max-1 words; returns the count or -1. */
static int
split(char *s, char **argv, int max)
{
	int	 n = 0;
	char	*o;

	while (*s != '\0') {
		char quote = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (n == max - 1)
			return -1;
		argv[n++] = o = s;
		for (; *s != '\0'; s++) {
			if (quote) {
				if (*s == quote) {
					quote = 0;
					continue;
				}
			} else if (*s == '"' || *s == '\'') {
				quote = *s;
				continue;
			} else if (*s == ' ' || *s == '\t')
				break;
			*o++ = *s;
		}
		if (quote)
			return -1;
		if (*s != '\0')
			s++;
		*o = '\0';
	}
	argv[n] = NULL;
	return n;
}

char *
oauth_token_from_command(const char *cmd, int timeout_ms, struct err *e)
{
	char		*copy, *argv[OAUTH_MAX_ARGS], *tok = NULL;
	char		 out[OAUTH_MAX_OUT];
	size_t		 len = 0;
	int64_t		 deadline = util_now_ms() + timeout_ms;
	int		 fds[2], status = 0, timed_out = 0, nul;
	pid_t		 pid;

	if ((copy = strdup(cmd)) == NULL) {
		err_sys(e, ERR_INTERNAL, "strdup");
		return NULL;
	}
	if (split(copy, argv, OAUTH_MAX_ARGS) <= 0) {
		free(copy);
		err_set(e, ERR_CONFIG, "oauth2_token_command: empty, unbalanced "
		    "quotes or too many words");
		return NULL;
	}
	if (pipe2(fds, O_CLOEXEC) == -1) {
		free(copy);
		err_sys(e, ERR_INTERNAL, "pipe");
		return NULL;
	}
	if ((pid = fork()) == -1) {
		free(copy);
		close(fds[0]);
		close(fds[1]);
		err_sys(e, ERR_INTERNAL, "fork");
		return NULL;
	}
	if (pid == 0) {
		nul = open("/dev/null", O_RDONLY);
		if (nul == -1 || dup2(nul, STDIN_FILENO) == -1 ||
		    dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd	pfd = { fds[0], POLLIN, 0 };
		int64_t		left = deadline - util_now_ms();
		ssize_t		n;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(fds[0], out + len, sizeof(out) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(out) - 1)
			break;
	}
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	out[len] = '\0';
	if (timed_out)
		err_set(e, ERR_TEMP, "oauth2_token_command %s did not finish "
		    "within %d seconds", argv[0], timeout_ms / 1000);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		err_set(e, ERR_CONFIG, "cannot run oauth2_token_command %s",
		    argv[0]);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		err_set(e, ERR_AUTH, "oauth2_token_command %s failed (exit "
		    "status %d)", argv[0], WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status));
	else {
		char *p = out, *end;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		end = p + strcspn(p, "\r\n");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (*p == '\0' || strpbrk(p, " \t\x01") != NULL)
			err_set(e, ERR_AUTH, "oauth2_token_command %s printed "
			    "no usable access token", argv[0]);
		else if ((tok = strdup(p)) == NULL)
			err_sys(e, ERR_INTERNAL, "strdup");
	}
	util_wipe(out, sizeof(out));
	free(copy);
	return tok;
}
