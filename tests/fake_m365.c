/*
 * fake_m365: a scripted stand-in for smtp.office365.com, for tests.
 *
 * It speaks like Microsoft 365 (greeting, EHLO with STARTTLS before TLS and
 * "AUTH LOGIN XOAUTH2" after, 504 for PLAIN, 530 5.7.57 for MAIL without
 * AUTH) over real TLS, and any reply in PROVIDERS.md can be put at the
 * stage where Microsoft sends it:
 *
 *   fake_m365 -c CERT -k KEY -p PORTFILE [-P PASSWORD] [-T TOKEN]
 *             [-a AUTH_REPLY] [-m MAIL_REPLY] [-r RCPT_REPLY]
 *             [-d DOT_REPLY] [-D MAILDIR]
 *
 * TLS attacks: -n offers no STARTTLS but AUTH in clear, -s REPLY refuses
 * STARTTLS with REPLY, -i sends plaintext after its 220 to STARTTLS.
 *
 * Hostile servers: -g TEXT replaces the greeting and -e TEXT the reply to
 * EHLO before TLS (each line of TEXT sent with CRLF, so multi-line replies
 * may carry anything, CUPS status lines included); -t MS trickles an
 * endless multi-line greeting, one byte every MS milliseconds; -w SECONDS
 * waits that long before answering the final dot.  -G refuses a wrong
 * XOAUTH2 token as Gmail does: its JSON error challenge, then, after the
 * client's empty line, 535-5.7.8.
 *
 * With -H it is instead the token endpoint of Microsoft's client-credentials
 * flow over HTTPS: it checks grant_type, client_id (-I) and client_secret
 * (-K), answers {"access_token": TOKEN, "expires_in": -E SECONDS}, or the
 * scripted -S STATUS with body -J JSON, and appends a line to -C COUNTFILE
 * for every request.
 *
 * It listens on 127.0.0.1, an ephemeral port written to PORTFILE, serves
 * connections one after another, stores accepted messages in MAILDIR, and
 * runs until killed.  Test code only.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#define HOST "XX0PR00CA0000.outlook.office365.com"
#define TAG " [" HOST " 2026-01-01T00:00:00Z 08DD0000000000]"

struct conn {
	int	 fd;
	SSL	*ssl;
	char	 buf[16384];
	size_t	 off, len;
};

static const char *password = "abcd efgh ijkl mnop";
static const char *token = "tok123";
static const char *auth_reply, *mail_reply, *rcpt_reply, *dot_reply;
static const char *maildir;
static const char *client_id = "client-1", *client_secret = "s3cret~value";
static const char *http_body, *countfile;
static int http_mode, http_status, expires_in = 3599;
static int no_starttls, inject, trickle_ms, dot_wait, gmail;
static const char *greeting, *ehlo_reply;
static const char *starttls_reply;
static SSL_CTX *ctx;

static int
c_read(struct conn *c)
{
	int n;

	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == sizeof(c->buf))
		return -1;
	n = c->ssl ? SSL_read(c->ssl, c->buf + c->len,
	    (int)(sizeof(c->buf) - c->len)) :
	    (int)read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 0;
}

/* A line without CRLF into line; -1 at EOF. */
static int
c_line(struct conn *c, char *line, size_t cap)
{
	char	*nl;
	size_t	 n;

	while ((nl = memchr(c->buf + c->off, '\n', c->len - c->off)) == NULL)
		if (c_read(c) == -1)
			return -1;
	n = (size_t)(nl - (c->buf + c->off));
	if (n > 0 && c->buf[c->off + n - 1] == '\r')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(line, c->buf + c->off, n);
	line[n] = '\0';
	c->off = (size_t)(nl - c->buf) + 1;
	return 0;
}

static void
c_put(struct conn *c, const char *s)
{
	size_t len = strlen(s);

	if (c->ssl)
		SSL_write(c->ssl, s, (int)len);
	else
		(void)!write(c->fd, s, len);
}

static void
reply(struct conn *c, const char *r)
{
	c_put(c, r);
	c_put(c, "\r\n");
}

static size_t
b64dec(const char *in, unsigned char *out)
{
	int n = EVP_DecodeBlock(out, (const unsigned char *)in,
	    (int)strlen(in));
	size_t len = strlen(in);

	if (n < 0)
		return 0;
	if (len >= 1 && in[len - 1] == '=')
		n--;
	if (len >= 2 && in[len - 2] == '=')
		n--;
	out[n] = '\0';
	return (size_t)n;
}

/* Sends each line of text with CRLF. */
static void
put_lines(struct conn *c, const char *text)
{
	const char *p = text, *nl;
	char line[4096];

	while (*p != '\0') {
		nl = strchr(p, '\n');
		snprintf(line, sizeof(line), "%.*s", (int)(nl ? nl - p :
		    (long)strlen(p)), p);
		reply(c, line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
ehlo(struct conn *c)
{
	if (!c->ssl && ehlo_reply != NULL) {
		put_lines(c, ehlo_reply);
		return;
	}
	c_put(c, "250-" HOST " Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n"
	    "250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n");
	if (c->ssl)
		c_put(c, "250-AUTH LOGIN XOAUTH2\r\n");
	else if (no_starttls)
		/* A broken or downgraded server: AUTH offered in clear. */
		c_put(c, "250-AUTH LOGIN PLAIN\r\n");
	else
		c_put(c, "250-STARTTLS\r\n");
	c_put(c, "250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
	    "250 SMTPUTF8\r\n");
}

/* The end of AUTH: the scripted reply, or 235 / 535 by the secret. */
static int
auth_done(struct conn *c, int ok, const char *fail)
{
	if (auth_reply != NULL) {
		reply(c, auth_reply);
		return strncmp(auth_reply, "235", 3) == 0;
	}
	reply(c, ok ? "235 2.7.0 Authentication successful" : fail);
	return ok;
}

static void
serve(int fd)
{
	struct conn	 c;
	char		 line[4096], path[512];
	unsigned char	 dec[4096];
	int		 authed = 0, rcpts = 0;
	FILE		*msg = NULL;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	if (trickle_ms > 0) {
		/* Never a whole reply: "220-" lines, a byte at a time. */
		static const char drip[] = "220-" HOST "\r\n";
		struct timespec ts = { trickle_ms / 1000,
		    (long)(trickle_ms % 1000) * 1000000L };
		size_t i;

		for (i = 0; write(fd, drip + i % (sizeof(drip) - 1), 1) == 1;
		    i++)
			nanosleep(&ts, NULL);
		close(fd);
		return;
	}
	if (greeting != NULL)
		put_lines(&c, greeting);
	else
		reply(&c, "220 " HOST " Microsoft ESMTP MAIL Service ready at "
		    "Sat, 28 Nov 2026 07:00:00 +0000 08DD0000000000");
	while (c_line(&c, line, sizeof(line)) == 0) {
		if (strncasecmp(line, "EHLO ", 5) == 0) {
			ehlo(&c);
		} else if (strcasecmp(line, "STARTTLS") == 0 && !c.ssl &&
		    starttls_reply != NULL) {
			reply(&c, starttls_reply);
		} else if (strcasecmp(line, "STARTTLS") == 0 && !c.ssl) {
			/* -i: plaintext injected after the 220 (CVE-2011-0411). */
			reply(&c, inject ? "220 2.0.0 SMTP server ready\r\n"
			    "250-INJECTED\r\n250 AUTH PLAIN LOGIN" :
			    "220 2.0.0 SMTP server ready");
			c.ssl = SSL_new(ctx);
			SSL_set_fd(c.ssl, fd);
			if (SSL_accept(c.ssl) != 1)
				break;
			c.off = c.len = 0;
		} else if (strncasecmp(line, "AUTH ", 5) == 0 && !c.ssl &&
		    !no_starttls) {
			reply(&c, "504 5.7.4 Unrecognized authentication type"
			    TAG);
		} else if (strcasecmp(line, "AUTH LOGIN") == 0) {
			char user[512];

			reply(&c, "334 VXNlcm5hbWU6");
			if (c_line(&c, line, sizeof(line)) == -1)
				break;
			b64dec(line, dec);
			snprintf(user, sizeof(user), "%.500s", (char *)dec);
			reply(&c, "334 UGFzc3dvcmQ6");
			if (c_line(&c, line, sizeof(line)) == -1)
				break;
			b64dec(line, dec);
			authed = auth_done(&c, strchr(user, '@') != NULL &&
			    strcmp((char *)dec, password) == 0,
			    "535 5.7.139 Authentication unsuccessful, the user "
			    "credentials were incorrect." TAG);
		} else if (strncasecmp(line, "AUTH XOAUTH2 ", 13) == 0) {
			char want[1024];
			size_t n = b64dec(line + 13, dec);
			const char *at = memchr(dec, '\001', n);

			snprintf(want, sizeof(want), "auth=Bearer %s\001\001",
			    token);
			authed = at != NULL && strcmp(at + 1, want) == 0;
			if (!authed && gmail) {
				/* {"status":"400","schemes":"Bearer",...} */
				reply(&c, "334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoi"
				    "QmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2"
				    "xlLmNvbS8ifQ==");
				if (c_line(&c, line, sizeof(line)) == -1)
					break;
				reply(&c, line[0] == '\0' ?
				    "535-5.7.8 Username and Password not accepted. "
				    "For more information, go to\r\n535 5.7.8  "
				    "https://support.google.com/mail/?p=BadCredentials"
				    " x1-20020a.1 - gsmtp" :
				    "501 5.5.2 Cannot Decode response - gsmtp");
				continue;
			}
			if (!authed && auth_reply == NULL) {
				/* RFC 7628: an error challenge, then 535. */
				reply(&c, "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjo"
				    "iYmVhcmVyIn0=");
				if (c_line(&c, line, sizeof(line)) == -1)
					break;
			}
			authed = auth_done(&c, authed, "535 5.7.3 "
			    "Authentication unsuccessful" TAG);
		} else if (strncasecmp(line, "AUTH ", 5) == 0) {
			reply(&c, "504 5.7.4 Unrecognized authentication type"
			    TAG);
		} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			if (!authed)
				reply(&c, "530 5.7.57 Client not authenticated to "
				    "send mail. Error: 535 5.7.139" TAG);
			else if (mail_reply != NULL)
				reply(&c, mail_reply);
			else {
				reply(&c, "250 2.1.0 Sender OK");
				rcpts = 0;
			}
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			if (rcpt_reply != NULL)
				reply(&c, rcpt_reply);
			else {
				reply(&c, "250 2.1.5 Recipient OK");
				rcpts++;
			}
		} else if (strcasecmp(line, "DATA") == 0) {
			if (rcpts == 0) {
				reply(&c, "503 5.5.2 Need rcpt command");
				continue;
			}
			reply(&c, "354 Start mail input; end with <CRLF>.<CRLF>");
			if (maildir != NULL) {
				snprintf(path, sizeof(path), "%s/%ld.%d.eml",
				    maildir, (long)time(NULL), rand());
				msg = fopen(path, "w");
			}
			while (c_line(&c, line, sizeof(line)) == 0 &&
			    strcmp(line, ".") != 0)
				if (msg != NULL)
					fprintf(msg, "%s\n", line[0] == '.' ?
					    line + 1 : line);
			if (msg != NULL)
				fclose(msg);
			if (dot_reply != NULL && msg != NULL)
				unlink(path);
			msg = NULL;
			if (dot_wait > 0)
				sleep((unsigned)dot_wait);
			reply(&c, dot_reply ? dot_reply : "250 2.0.0 OK "
			    "<0000@" HOST "> [Hostname=XX0PR00MB0000]");
		} else if (strcasecmp(line, "RSET") == 0) {
			reply(&c, "250 2.0.0 Resetting");
			rcpts = 0;
		} else if (strcasecmp(line, "QUIT") == 0) {
			reply(&c, "221 2.0.0 Service closing transmission "
			    "channel");
			break;
		} else if (strcasecmp(line, "NOOP") == 0) {
			reply(&c, "250 2.0.0 OK");
		} else
			reply(&c, "500 5.3.3 Unrecognized command");
	}
	if (c.ssl) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	close(fd);
}

/* One HTTPS request to the token endpoint. */
static void
serve_http(int fd)
{
	struct conn	 c;
	char		 line[4096], body[4096], form[1024], out[8192];
	size_t		 clen = 0, got;
	FILE		*fp;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.ssl = SSL_new(ctx);
	SSL_set_fd(c.ssl, fd);
	if (SSL_accept(c.ssl) != 1)
		goto out;
	if (c_line(&c, line, sizeof(line)) == -1 ||
	    strncmp(line, "POST ", 5) != 0)
		goto out;
	while (c_line(&c, line, sizeof(line)) == 0 && line[0] != '\0')
		if (strncasecmp(line, "Content-Length:", 15) == 0)
			clen = (size_t)strtoul(line + 15, NULL, 10);
	if (clen >= sizeof(body))
		goto out;
	while (c.len - c.off < clen)
		if (c_read(&c) == -1)
			goto out;
	memcpy(body, c.buf + c.off, clen);
	body[clen] = '\0';
	if (countfile != NULL && (fp = fopen(countfile, "a")) != NULL) {
		fprintf(fp, "%s\n", body);
		fclose(fp);
	}
	snprintf(form, sizeof(form), "grant_type=client_credentials&"
	    "client_id=%s&client_secret=", client_id);
	got = strlen(form);
	if (http_body != NULL)
		snprintf(body, sizeof(body), "%s", http_body);
	else if (strncmp(body, form, got) != 0 ||
	    strstr(body, "scope=https%3A%2F%2Foutlook.office365.com%2F.default")
	    == NULL) {
		http_status = 400;
		snprintf(body, sizeof(body), "{\"error\":\"invalid_request\","
		    "\"error_description\":\"AADSTS900144: bad request\"}");
	} else {
		/* client_secret is escaped: s3cret~value stays as it is. */
		const char *sec = body + got;
		size_t sl = strcspn(sec, "&");

		if (sl != strlen(client_secret) ||
		    strncmp(sec, client_secret, sl) != 0) {
			http_status = 401;
			snprintf(body, sizeof(body), "{\"error\":"
			    "\"invalid_client\",\"error_description\":"
			    "\"AADSTS7000215: Invalid client secret provided.\"}");
		} else
			snprintf(body, sizeof(body), "{\"token_type\":\"Bearer\","
			    "\"expires_in\":%d,\"ext_expires_in\":%d,"
			    "\"access_token\":\"%s\"}", expires_in, expires_in,
			    token);
	}
	snprintf(out, sizeof(out), "HTTP/1.1 %d X\r\nContent-Type: "
	    "application/json; charset=utf-8\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", http_status ? http_status : 200,
	    strlen(body), body);
	c_put(&c, out);
	if (http_body == NULL)
		http_status = 0;
out:
	SSL_shutdown(c.ssl);
	SSL_free(c.ssl);
	close(fd);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	const char		*cert = NULL, *key = NULL, *portfile = NULL;
	FILE			*fp;
	int			 ch, s, one = 1;

	while ((ch = getopt(argc, argv,
	    "c:k:p:P:T:a:m:r:d:D:HI:K:E:S:J:C:ns:ig:e:t:w:G")) != -1) {
		switch (ch) {
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'p': portfile = optarg; break;
		case 'P': password = optarg; break;
		case 'T': token = optarg; break;
		case 'a': auth_reply = optarg; break;
		case 'm': mail_reply = optarg; break;
		case 'r': rcpt_reply = optarg; break;
		case 'd': dot_reply = optarg; break;
		case 'D': maildir = optarg; break;
		case 'H': http_mode = 1; break;
		case 'I': client_id = optarg; break;
		case 'K': client_secret = optarg; break;
		case 'E': expires_in = (int)strtol(optarg, NULL, 10); break;
		case 'S': http_status = (int)strtol(optarg, NULL, 10); break;
		case 'J': http_body = optarg; break;
		case 'C': countfile = optarg; break;
		case 'n': no_starttls = 1; break;
		case 's': starttls_reply = optarg; break;
		case 'i': inject = 1; break;
		case 'g': greeting = optarg; break;
		case 'e': ehlo_reply = optarg; break;
		case 't': trickle_ms = (int)strtol(optarg, NULL, 10); break;
		case 'w': dot_wait = (int)strtol(optarg, NULL, 10); break;
		case 'G': gmail = 1; break;
		default: return 2;
		}
	}
	if (cert == NULL || key == NULL || portfile == NULL)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &sl) == -1) {
		perror("fake_m365");
		return 1;
	}
	if ((fp = fopen(portfile, "w")) == NULL)
		return 1;
	fprintf(fp, "%d\n", ntohs(sin.sin_port));
	fclose(fp);
	for (;;) {
		int fd = accept(s, NULL, NULL);

		if (fd == -1)
			continue;
		if (http_mode)
			serve_http(fd);
		else
			serve(fd);
	}
}
