/*
 * relay: an on-path attacker in front of a real SMTP server, for tests.
 *
 *   relay -p PORTFILE -u UPSTREAM_PORT -g GREETING
 *
 * It listens on 127.0.0.1 (an ephemeral port written to PORTFILE), and for
 * each client connects to 127.0.0.1:UPSTREAM_PORT, reads the server's
 * greeting and sends GREETING instead (each line with CRLF): the one thing
 * anyone on the path can change before STARTTLS without breaking the TLS
 * that follows.  Everything else is passed through unchanged, both ways.
 * One child per connection; runs until killed.  Test code only.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
dial(int port)
{
	struct sockaddr_in	sin;
	int			s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s == -1 || connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return -1;
	return s;
}

/* Reads the upstream greeting up to its last line ("220 ..."). */
static int
skip_greeting(int up)
{
	char	line[2048];
	size_t	n = 0;
	char	c;

	while (read(up, &c, 1) == 1) {
		if (n < sizeof(line) - 1)
			line[n++] = c;
		if (c != '\n')
			continue;
		if (n >= 4 && line[3] == ' ')
			return 0;
		n = 0;
	}
	return -1;
}

static void
serve(int cl, int uport, const char *greeting)
{
	struct pollfd	pfd[2];
	char		buf[16384];
	const char	*p = greeting, *nl;
	int		up;
	ssize_t		n;

	if ((up = dial(uport)) == -1 || skip_greeting(up) == -1)
		_exit(1);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? nl - p : (ssize_t)strlen(p);
		if (write(cl, p, (size_t)n) != n || write(cl, "\r\n", 2) != 2)
			_exit(1);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	pfd[0].fd = cl;
	pfd[1].fd = up;
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) <= 0)
			break;
		if (pfd[0].revents) {
			if ((n = read(cl, buf, sizeof(buf))) <= 0 ||
			    write(up, buf, (size_t)n) != n)
				break;
		}
		if (pfd[1].revents) {
			if ((n = read(up, buf, sizeof(buf))) <= 0 ||
			    write(cl, buf, (size_t)n) != n)
				break;
		}
	}
	_exit(0);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	const char		*portfile = NULL, *greeting = NULL;
	FILE			*fp;
	int			 ch, s, one = 1, uport = 0;

	while ((ch = getopt(argc, argv, "p:u:g:")) != -1) {
		switch (ch) {
		case 'p': portfile = optarg; break;
		case 'u': uport = (int)strtol(optarg, NULL, 10); break;
		case 'g': greeting = optarg; break;
		default: return 2;
		}
	}
	if (portfile == NULL || uport == 0 || greeting == NULL)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &sl) == -1) {
		perror("relay");
		return 1;
	}
	if ((fp = fopen(portfile, "w")) == NULL)
		return 1;
	fprintf(fp, "%d\n", ntohs(sin.sin_port));
	fclose(fp);
	for (;;) {
		int cl = accept(s, NULL, NULL);

		if (cl == -1)
			continue;
		if (fork() == 0) {
			close(s);
			serve(cl, uport, greeting);
		}
		close(cl);
	}
}
