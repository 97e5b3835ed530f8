/*
 * authorize.c: printmail --authorize: an office admin signs the mailbox in
 * once, in a browser on any computer, and printmail keeps the refresh
 * token.  RFC 6749 (authorization code), RFC 7636 (PKCE), RFC 8252
 * (loopback redirect), RFC 8628 (device code).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "authorize.h"
#include "i18n.h"
#include "log.h"
#include "oauth.h"
#include "util.h"

#define REQ_MAX		8192
#define LINE_MAX_	8192

/* n random bytes as base64url: a verifier or a state. */
static int
random_b64url(char *out, size_t n, struct err *e)
{
	unsigned char	rnd[64];

	if (n > sizeof(rnd) || RAND_bytes(rnd, (int)n) != 1)
		return err_set(e, ERR_INTERNAL, "no random bytes for the "
		    "sign-in");
	oauth_b64url(rnd, n, out);
	util_wipe(rnd, sizeof(rnd));
	return 0;
}

/* Appends &key=value, the value percent-encoded (RFC 3986 unreserved). */
static void
url_add(char *url, size_t cap, const char *key, const char *v)
{
	size_t	len = strlen(url);

	len += (size_t)snprintf(url + len, cap - len, "%c%s=",
	    strchr(url, '?') ? '&' : '?', key);
	for (; *v != '\0' && len + 4 < cap; v++) {
		unsigned char c = (unsigned char)*v;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			url[len++] = (char)c;
		else
			len += (size_t)snprintf(url + len, cap - len, "%%%02X",
			    c);
	}
	url[len < cap ? len : cap - 1] = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of key in a query string, decoded into out; 0 if absent. */
static int
query_get(const char *q, const char *key, char *out, size_t cap)
{
	size_t	klen = strlen(key), o;

	while (q != NULL && *q != '\0') {
		const char *end = q + strcspn(q, "&#");

		if ((size_t)(end - q) > klen && strncmp(q, key, klen) == 0 &&
		    q[klen] == '=') {
			const char *p = q + klen + 1;

			for (o = 0; p < end && o + 1 < cap; p++) {
				int h, l;

				if (*p == '+')
					out[o++] = ' ';
				else if (*p == '%' && end - p > 2 &&
				    (h = hexval(p[1])) >= 0 &&
				    (l = hexval(p[2])) >= 0) {
					out[o++] = (char)(h * 16 + l);
					p += 2;
				} else
					out[o++] = *p;
			}
			out[o] = '\0';
			return 1;
		}
		if (*end != '&')
			break;
		q = end + 1;
	}
	return 0;
}

struct signin {
	const struct conf_account	*a;
	struct oauth_endpoints		 ep;
	char				 verifier[96];	/* secret */
	char				 state[40];
	char				 redirect[128];
	char				 code[2048];	/* secret */
};

enum answer { ANSWER_NONE, ANSWER_CODE, ANSWER_ERROR };

/*
 * What came back, from the browser or pasted: the query of the redirect.
 * An answer for another sign-in (a stale tab, or someone else's request to
 * our port) is ignored, so it can neither end nor hijack this one.
 */
static enum answer
answer(struct signin *si, const char *query, struct err *e)
{
	char	state[128], err[128], desc[400];

	if (query == NULL || !query_get(query, "state", state, sizeof(state))) {
		printf(_("printmail: that is not the address the sign-in "
		    "came back to (it has no state=...): paste the whole "
		    "address from the browser's address bar\n"));
		return ANSWER_NONE;
	}
	if (strcmp(state, si->state) != 0) {
		printf(_("printmail: ignoring an answer for another sign-in "
		    "(its state does not match this one)\n"));
		return ANSWER_NONE;
	}
	if (query_get(query, "error", err, sizeof(err))) {
		if (!query_get(query, "error_description", desc, sizeof(desc)))
			desc[0] = '\0';
		err_set(e, ERR_AUTH, "the sign-in was refused: %s%s%s",
		    util_clean(err), desc[0] ? ": " : "", util_clean(desc));
		return ANSWER_ERROR;
	}
	if (!query_get(query, "code", si->code, sizeof(si->code)) ||
	    si->code[0] == '\0') {
		printf(_("printmail: the address has no code=...: paste the "
		    "whole address\n"));
		return ANSWER_NONE;
	}
	return ANSWER_CODE;
}

static int
listen_on(int family, int *port)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)*port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)*port);
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 8) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	if (*port == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		*port = ntohs(family == AF_INET ?
		    ((struct sockaddr_in *)&ss)->sin_port :
		    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void
http_reply(int fd, const char *status, const char *text)
{
	char	buf[1024];
	int	n;

	n = snprintf(buf, sizeof(buf), "HTTP/1.1 %s\r\nContent-Type: text/html; "
	    "charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n%s", status, strlen(text), text);
	if (n > 0 && (size_t)n < sizeof(buf))
		(void)util_write_all(fd, buf, (size_t)n);
}

/* One request to the listener: the browser coming back, or noise. */
static enum answer
serve(struct signin *si, int lfd, struct err *e)
{
	char		 req[REQ_MAX], *sp, *q;
	size_t		 len = 0;
	int64_t		 deadline = util_now_ms() + 5000;
	enum answer	 an = ANSWER_NONE;
	int		 fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return ANSWER_NONE;
	/* The request line is all we need; a slow client gets 5 s. */
	while (len < sizeof(req) - 1 && memchr(req, '\n', len) == NULL) {
		struct pollfd	pfd = { fd, POLLIN, 0 };
		int64_t		left = deadline - util_now_ms();
		ssize_t		n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		if ((n = read(fd, req + len, sizeof(req) - 1 - len)) <= 0)
			break;
		len += (size_t)n;
	}
	req[len] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	if (strncmp(req, "GET /", 5) != 0 || (sp = strchr(req + 4, ' ')) ==
	    NULL) {
		http_reply(fd, "400 Bad Request", "<p>Bad request</p>");
		close(fd);
		return ANSWER_NONE;
	}
	*sp = '\0';
	q = strchr(req + 4, '?');
	/* The redirect comes to "/"; /favicon.ico and the like do not. */
	if (strncmp(req + 4, "/?", 2) != 0 && strcmp(req + 4, "/") != 0) {
		http_reply(fd, "404 Not Found", "<p>Not found</p>");
		close(fd);
		return ANSWER_NONE;
	}
	an = answer(si, q ? q + 1 : NULL, e);
	if (an == ANSWER_CODE)
		http_reply(fd, "200 OK", "<!doctype html><title>printmail</title>"
		    "<h1>Signed in</h1><p>printmail has the sign-in. You can "
		    "close this window and go back to the terminal.</p>");
	else if (an == ANSWER_ERROR)
		http_reply(fd, "200 OK", "<!doctype html><title>printmail</title>"
		    "<h1>Sign-in refused</h1><p>The reason is shown in the "
		    "terminal.</p>");
	else
		http_reply(fd, "400 Bad Request", "<!doctype html><title>"
		    "printmail</title><p>This is not the answer printmail is "
		    "waiting for.</p>");
	util_wipe(req, sizeof(req));
	close(fd);
	return an;
}

/* A line pasted on standard input: the address the browser came back to. */
static enum answer
pasted(struct signin *si, char *line, struct err *e)
{
	char	*p = line, *end, *q;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	if (*p == '\0')
		return ANSWER_NONE;
	q = strchr(p, '?');
	return answer(si, q ? q + 1 : NULL, e);
}

/* Waits for the code: the listener(s) and standard input together. */
static int
wait_code(struct signin *si, int fd4, int fd6, int timeout_s, struct err *e)
{
	struct pollfd	 pfd[3];
	char		 line[LINE_MAX_];
	size_t		 len = 0;
	int64_t		 deadline = util_now_ms() + (int64_t)timeout_s * 1000;
	int		 in_open = 1;
	enum answer	 an = ANSWER_NONE;

	while (an == ANSWER_NONE) {
		int64_t	left = deadline - util_now_ms();
		int	i, n;

		if (left <= 0)
			return err_set(e, ERR_TEMP, "no sign-in came back "
			    "within %d minutes: run printmail --authorize "
			    "again", timeout_s / 60 ? timeout_s / 60 : 1);
		pfd[0] = (struct pollfd){ fd4, POLLIN, 0 };
		pfd[1] = (struct pollfd){ fd6, POLLIN, 0 };
		pfd[2] = (struct pollfd){ in_open ? STDIN_FILENO : -1, POLLIN,
		    0 };
		if ((n = poll(pfd, 3, (int)(left > 1000 ? 1000 : left))) ==
		    -1 && errno != EINTR)
			return err_sys(e, ERR_INTERNAL, "poll");
		if (n <= 0)
			continue;
		for (i = 0; i < 2 && an == ANSWER_NONE; i++)
			if (pfd[i].fd != -1 && (pfd[i].revents & POLLIN))
				an = serve(si, pfd[i].fd, e);
		if (an != ANSWER_NONE || pfd[2].revents == 0)
			continue;
		{
			ssize_t	r = read(STDIN_FILENO, line + len,
				    sizeof(line) - 1 - len);
			char	*nl;

			if (r <= 0) {
				/* No terminal (a script): the listener only. */
				in_open = 0;
				continue;
			}
			len += (size_t)r;
			line[len] = '\0';
			while (an == ANSWER_NONE &&
			    (nl = strchr(line, '\n')) != NULL) {
				*nl = '\0';
				an = pasted(si, line, e);
				len -= (size_t)(nl + 1 - line);
				memmove(line, nl + 1, len + 1);
			}
			if (len == sizeof(line) - 1)
				len = 0;	/* no address is this long */
		}
	}
	util_wipe(line, sizeof(line));
	return an == ANSWER_CODE ? 0 : -1;
}

/* Redeems a grant at the token endpoint and stores the sign-in. */
static int
redeem(const struct conf_account *a, const struct oauth_endpoints *ep,
    const struct oauth_form *f, const char *what, struct err *e)
{
	json_object	*root = NULL;
	long		 status;
	int		 rc = -1;

	if (oauth_post(a, ep->token, f, &status, &root, e) == -1)
		return -1;
	if (status == 200 && root != NULL)
		rc = oauth_store_grant(a, root, e);
	else
		(void)oauth_error(a, ep->token, status, root, what, e);
	if (root != NULL)
		json_object_put(root);
	return rc;
}

static int
code_flow(struct signin *si, int timeout_s, struct err *e)
{
	const struct conf_account	*a = si->a;
	char				 challenge[64], url[4096];
	struct oauth_form		 f = { .n = 0 };
	int				 port = a->oauth2_redirect_port;
	int				 fd4, fd6 = -1, rc;

	/* 64 bytes of randomness: an 86-character verifier (43-128). */
	if (random_b64url(si->verifier, 64, e) == -1 ||
	    random_b64url(si->state, 24, e) == -1)
		return -1;
	oauth_pkce_challenge(si->verifier, challenge);
	if ((fd4 = listen_on(AF_INET, &port)) == -1)
		return err_sys(e, ERR_CONFIG, "cannot listen on 127.0.0.1 "
		    "port %d for the browser%s", port, errno == EADDRINUSE ?
		    " (in use: set oauth2_redirect_port to a free port, or "
		    "leave it unset)" : "");
	/* Browsers may take localhost for ::1 (RFC 8252 7.3). */
	fd6 = listen_on(AF_INET6, &port);
	/*
	 * Microsoft matches http://localhost on any port and refuses
	 * 127.0.0.1 in its portal; Google's desktop clients take 127.0.0.1.
	 */
	snprintf(si->redirect, sizeof(si->redirect), "http://%s:%d/",
	    si->ep.google ? "127.0.0.1" : "localhost", port);
	util_strlcpy(url, si->ep.authorize, sizeof(url));
	url_add(url, sizeof(url), "client_id", a->oauth2_client_id);
	url_add(url, sizeof(url), "response_type", "code");
	url_add(url, sizeof(url), "redirect_uri", si->redirect);
	url_add(url, sizeof(url), "scope", si->ep.scope);
	url_add(url, sizeof(url), "state", si->state);
	url_add(url, sizeof(url), "code_challenge", challenge);
	url_add(url, sizeof(url), "code_challenge_method", "S256");
	url_add(url, sizeof(url), "login_hint", a->user);
	if (si->ep.google) {
		url_add(url, sizeof(url), "access_type", "offline");
		url_add(url, sizeof(url), "prompt", "consent");
	} else
		url_add(url, sizeof(url), "response_mode", "query");
	printf(_("Sign in as %s: open this address in a browser (on this or "
	    "any other computer):\n\n%s\n\n"), a->user, url);
	printf(_("After the sign-in the browser goes to %s\n"
	    "- on this computer (or through ssh -L %d:localhost:%d), printmail "
	    "takes it from there;\n"
	    "- on another computer that page does not load: copy the whole "
	    "address from the browser's address bar, paste it here and press "
	    "Enter.\n"), si->redirect, port, port);
	printf(_("Waiting for the sign-in (at most %d minutes)...\n"),
	    timeout_s / 60 ? timeout_s / 60 : 1);
	fflush(stdout);
	rc = wait_code(si, fd4, fd6, timeout_s, e);
	close(fd4);
	if (fd6 != -1)
		close(fd6);
	if (rc == -1)
		return -1;
	printf(_("Signed in; redeeming the code...\n"));
	fflush(stdout);
	oauth_form_add(&f, "grant_type", "authorization_code");
	oauth_form_add(&f, "client_id", a->oauth2_client_id);
	oauth_form_add(&f, "code", si->code);
	oauth_form_add(&f, "redirect_uri", si->redirect);
	oauth_form_add(&f, "code_verifier", si->verifier);
	if (!si->ep.google)
		oauth_form_add(&f, "scope", si->ep.scope);
	if (a->oauth2_client_secret != NULL)
		oauth_form_add(&f, "client_secret", a->oauth2_client_secret);
	return redeem(a, &si->ep, &f, "the authorization code", e);
}

static long
json_num(json_object *root, const char *key, long dflt)
{
	json_object	*v;
	long		 n;

	if (!json_object_object_get_ex(root, key, &v))
		return dflt;
	n = (long)json_object_get_int64(v);
	return n > 0 ? n : dflt;
}

static int
device_flow(struct signin *si, int timeout_s, struct err *e)
{
	const struct conf_account	*a = si->a;
	struct oauth_form		 f = { .n = 0 }, poll;
	const char			*s;
	json_object			*root = NULL;
	char				 device_code[2048], text[1024];
	char				 user_code[128];
	long				 status, interval, expires;
	int64_t				 deadline;
	int				 rc = -1;

	if (si->ep.device[0] == '\0')
		return err_set(e, ERR_CONFIG, "%s: account [%s]: no device "
		    "endpoint: the device flow is Microsoft's (set "
		    "oauth2_tenant) or needs oauth2_device_url", a->path,
		    a->name);
	oauth_form_add(&f, "client_id", a->oauth2_client_id);
	oauth_form_add(&f, "scope", si->ep.scope);
	if (oauth_post(a, si->ep.device, &f, &status, &root, e) == -1)
		return -1;
	if (status != 200 || root == NULL) {
		(void)oauth_error(a, si->ep.device, status, root, "the device "
		    "code request", e);
		goto out;
	}
	if ((s = oauth_json_str(root, "device_code")) == NULL ||
	    util_strlcpy(device_code, s, sizeof(device_code)) >=
	    sizeof(device_code) || oauth_json_str(root, "user_code") == NULL) {
		err_set(e, ERR_PROTOCOL, "device endpoint %s: no device_code "
		    "or user_code in its answer", si->ep.device);
		goto out;
	}
	interval = json_num(root, "interval", 5);
	expires = json_num(root, "expires_in", 900);
	if (expires > timeout_s)
		expires = timeout_s;
	/* Whatever the server says to show: its words, made one line. */
	if ((s = oauth_json_str(root, "message")) != NULL) {
		util_strlcpy(text, s, sizeof(text));
		printf("%s\n", util_clean(text));
	}
	s = oauth_json_str(root, "verification_uri");
	if (s == NULL)
		s = oauth_json_str(root, "verification_url");
	util_strlcpy(text, s ? s : _("(the server named no address)"),
	    sizeof(text));
	util_strlcpy(user_code, oauth_json_str(root, "user_code"),
	    sizeof(user_code));
	printf(_("Open %s and enter the code %s\n"), util_clean(text),
	    util_clean(user_code));
	printf(_("Sign in as %s. Waiting (at most %ld minutes)...\n"),
	    a->user, (expires + 59) / 60);
	fflush(stdout);
	json_object_put(root);
	root = NULL;
	deadline = util_now_ms() + expires * 1000;
	memset(&poll, 0, sizeof(poll));
	oauth_form_add(&poll, "grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code");
	oauth_form_add(&poll, "client_id", a->oauth2_client_id);
	oauth_form_add(&poll, "device_code", device_code);
	for (;;) {
		struct timespec	ts = { interval, 0 };
		const char	*code;

		if (util_now_ms() + interval * 1000 > deadline) {
			err_set(e, ERR_TEMP, "no sign-in within %ld minutes: "
			    "run printmail --authorize --device again",
			    (expires + 59) / 60);
			break;
		}
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		if (root != NULL)
			json_object_put(root);
		root = NULL;
		err_clear(e);
		if (oauth_post(a, si->ep.token, &poll, &status, &root, e) ==
		    -1) {
			if (e->kind == ERR_TEMP) {
				log_msg(LOG_LVL_ERROR, "%s (trying again)",
				    err_text(e));
				continue;
			}
			break;
		}
		if (status == 200 && root != NULL) {
			rc = oauth_store_grant(a, root, e);
			break;
		}
		code = oauth_json_str(root, "error");
		if (code != NULL && strcmp(code, "authorization_pending") == 0)
			continue;
		if (code != NULL && strcmp(code, "slow_down") == 0) {
			/* RFC 8628 3.5: five seconds more, from now on. */
			interval += 5;
			continue;
		}
		if (code != NULL && (strcmp(code, "authorization_declined") ==
		    0 || strcmp(code, "access_denied") == 0)) {
			err_set(e, ERR_AUTH, "the sign-in was declined (%s): "
			    "nothing stored", code);
			break;
		}
		if (code != NULL && strcmp(code, "expired_token") == 0) {
			err_set(e, ERR_TEMP, "the code expired before the "
			    "sign-in: run printmail --authorize --device again");
			break;
		}
		if (code != NULL && strcmp(code, "bad_verification_code") == 0) {
			err_set(e, ERR_PROTOCOL, "the server no longer knows "
			    "this device code: run printmail --authorize "
			    "--device again");
			break;
		}
		if (oauth_error(a, si->ep.token, status, root, "the device "
		    "code", e) == OAUTH_TEMP) {
			/* 5xx, HTML: the server is unwell, not the sign-in. */
			log_msg(LOG_LVL_ERROR, "%s (trying again)", err_text(e));
			continue;
		}
		break;
	}
out:
	util_wipe(device_code, sizeof(device_code));
	if (root != NULL)
		json_object_put(root);
	return rc;
}

int
authorize_run(const struct conf_account *a, int device, int timeout_s,
    struct err *e)
{
	struct signin	si;
	int		rc;

	if (a->oauth2_flow != CONF_FLOW_AUTHORIZATION_CODE &&
	    a->oauth2_flow != CONF_FLOW_DEVICE_CODE)
		return err_set(e, ERR_CONFIG, "%s: account [%s] does not sign "
		    "in with OAuth 2.0 (oauth2_flow = %s): set auth = xoauth2, "
		    "oauth2_client_id and oauth2_tenant (Microsoft) or "
		    "provider = gmail", a->path, a->name,
		    conf_flow_name(a->oauth2_flow));
	memset(&si, 0, sizeof(si));
	si.a = a;
	if (oauth_endpoints(a, &si.ep, e) == -1)
		return -1;
	if (device && si.ep.google)
		return err_set(e, ERR_CONFIG, "Google refuses Gmail's scope in "
		    "the device flow: run printmail --authorize without "
		    "--device");
	if (!device && a->oauth2_flow == CONF_FLOW_DEVICE_CODE)
		device = 1;
	if (!device && si.ep.authorize[0] == '\0')
		return err_set(e, ERR_CONFIG, "%s: account [%s]: no "
		    "authorization endpoint: set oauth2_tenant (Microsoft) or "
		    "oauth2_authorize_url", a->path, a->name);
	printf(_("printmail --authorize: account [%s], %s, %s flow\n"),
	    a->name, si.ep.microsoft ? "Microsoft" : si.ep.google ? "Google" :
	    "OAuth 2.0", device ? "device-code" : "authorization-code");
	rc = device ? device_flow(&si, timeout_s, e) :
	    code_flow(&si, timeout_s, e);
	util_wipe(&si, sizeof(si));
	if (rc == 0)
		printf(_("Stored the sign-in in %s\n"), a->oauth2_token_file);
	return rc;
}
