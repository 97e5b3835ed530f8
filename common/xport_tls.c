/*
 * xport_tls.c: the TCP + OpenSSL transport.
 *
 * The socket is non-blocking and every wait goes through poll() with the
 * caller's deadline, so a silent server can never hang us longer than the
 * configured timeout.  Verification is always on: the chain against
 * tls_ca_file or the system store, and the host name (or IP address) the
 * user configured.  TLS 1.2 is the minimum.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "util.h"
#include "xport.h"

struct xport_tls {
	struct xport	 x;	/* first: the engine sees only this */
	int		 fd;
	SSL_CTX		*ctx;
	SSL		*ssl;
	char		*host;
	char		*ca_file;
	int		 timeout_ms;
	char		 info[128];
};

static int
wait_fd(struct xport_tls *t, short ev, int64_t deadline, struct err *e)
{
	struct pollfd	pfd;
	int64_t		left;
	int		rc;

	for (;;) {
		left = deadline - util_now_ms();
		if (left <= 0)
			return err_set(e, ERR_TEMP, "timed out waiting for "
			    "%s", t->host);
		pfd.fd = t->fd;
		pfd.events = ev;
		pfd.revents = 0;
		rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1)
			return err_sys(e, ERR_TEMP, "poll");
		if (rc > 0)
			return 0;
	}
}

/* The reason for the last OpenSSL failure, never empty. */
static const char *
ssl_reason(char *buf, size_t len)
{
	unsigned long	code = ERR_get_error();

	if (code == 0)
		return util_strlcpy(buf, "connection closed during TLS",
		    len), buf;
	ERR_error_string_n(code, buf, len);
	ERR_clear_error();
	return buf;
}

static int
tls_io_wait(struct xport_tls *t, int ret, int64_t deadline, struct err *e,
    const char *what)
{
	char	reason[256];
	int	err = SSL_get_error(t->ssl, ret);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(t, POLLIN, deadline, e);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(t, POLLOUT, deadline, e);
	case SSL_ERROR_SYSCALL:
		if (errno != 0)
			return err_sys(e, ERR_TEMP, "TLS %s with %s", what,
			    t->host);
		return err_set(e, ERR_TEMP, "%s closed the connection "
		    "during TLS %s", t->host, what);
	default:
		return err_set(e, ERR_TEMP, "TLS %s with %s failed: %s", what,
		    t->host, ssl_reason(reason, sizeof(reason)));
	}
}

static int
xt_read(struct xport *x, char *buf, size_t cap, size_t *got,
    int64_t deadline, struct err *e)
{
	struct xport_tls	*t = (struct xport_tls *)x;
	ssize_t			 n;
	int			 ret;

	*got = 0;
	for (;;) {
		if (t->ssl != NULL) {
			ERR_clear_error();
			errno = 0;
			ret = SSL_read_ex(t->ssl, buf, cap, got);
			if (ret == 1)
				return 0;
			if (SSL_get_error(t->ssl, ret) == SSL_ERROR_ZERO_RETURN) {
				*got = 0;
				return 0;
			}
			if (SSL_get_error(t->ssl, ret) == SSL_ERROR_SYSCALL &&
			    errno == 0) {
				/* EOF without close_notify: a closed peer. */
				*got = 0;
				return 0;
			}
			if (tls_io_wait(t, ret, deadline, e, "read") == -1)
				return -1;
			continue;
		}
		n = recv(t->fd, buf, cap, 0);
		if (n >= 0) {
			*got = (size_t)n;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_sys(e, ERR_TEMP, "read from %s", t->host);
		if (wait_fd(t, POLLIN, deadline, e) == -1)
			return -1;
	}
}

static int
xt_write(struct xport *x, const char *buf, size_t len, int64_t deadline,
    struct err *e)
{
	struct xport_tls	*t = (struct xport_tls *)x;
	size_t			 done;
	ssize_t			 n;
	int			 ret;

	while (len > 0) {
		if (t->ssl != NULL) {
			ERR_clear_error();
			errno = 0;
			ret = SSL_write_ex(t->ssl, buf, len, &done);
			if (ret == 1) {
				buf += done;
				len -= done;
				continue;
			}
			if (tls_io_wait(t, ret, deadline, e, "write") == -1)
				return -1;
			continue;
		}
		n = send(t->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_sys(e, ERR_TEMP, "write to %s", t->host);
		if (wait_fd(t, POLLOUT, deadline, e) == -1)
			return -1;
	}
	return 0;
}

static int
host_is_ip(const char *host)
{
	unsigned char	addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

/* One line of a certificate name, or "?". */
static void
name_line(const X509_NAME *name, char *buf, size_t len)
{
	BIO	*b = BIO_new(BIO_s_mem());
	int	 n;

	util_strlcpy(buf, "?", len);
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE &
	    ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_read(b, buf, (int)len - 1)) > 0)
		buf[n] = '\0';
	BIO_free(b);
}

/* What --check shows of the server's certificate. */
static void
log_certificate(struct xport_tls *t)
{
	X509		*cert = SSL_get0_peer_certificate(t->ssl);
	BIO		*b;
	char		 subject[256], issuer[256], until[64] = "?";
	int		 n;

	if (cert == NULL)
		return;
	name_line(X509_get_subject_name(cert), subject, sizeof(subject));
	name_line(X509_get_issuer_name(cert), issuer, sizeof(issuer));
	if ((b = BIO_new(BIO_s_mem())) != NULL) {
		if (ASN1_TIME_print(b, X509_get0_notAfter(cert)) == 1 &&
		    (n = BIO_read(b, until, sizeof(until) - 1)) > 0)
			until[n] = '\0';
		BIO_free(b);
	}
	log_msg(LOG_LVL_INFO, "certificate: subject %s; issuer %s; valid "
	    "until %s; verified for %s", subject, issuer, until, t->host);
}

static int
handshake(struct xport_tls *t, int64_t deadline, struct err *e)
{
	char	reason[256];
	long	vr;
	int	ret;

	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL)
		return err_set(e, ERR_INTERNAL, "SSL_CTX_new: %s",
		    ssl_reason(reason, sizeof(reason)));
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (t->ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(t->ctx, t->ca_file, NULL) != 1)
			return err_set(e, ERR_CONFIG, "cannot load tls_ca_file "
			    "%s: %s", t->ca_file, ssl_reason(reason,
			    sizeof(reason)));
	} else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1)
		return err_set(e, ERR_TLS, "cannot load the system's trusted "
		    "certificates: %s", ssl_reason(reason, sizeof(reason)));
	if ((t->ssl = SSL_new(t->ctx)) == NULL ||
	    SSL_set_fd(t->ssl, t->fd) != 1)
		return err_set(e, ERR_INTERNAL, "SSL_new: %s",
		    ssl_reason(reason, sizeof(reason)));
	if (host_is_ip(t->host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl),
		    t->host) != 1)
			return err_set(e, ERR_INTERNAL, "cannot set the "
			    "address to verify");
	} else {
		SSL_set_hostflags(t->ssl,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(t->ssl, t->host) != 1 ||
		    SSL_set_tlsext_host_name(t->ssl, t->host) != 1)
			return err_set(e, ERR_INTERNAL, "cannot set the host "
			    "name to verify");
	}
	for (;;) {
		ERR_clear_error();
		errno = 0;
		ret = SSL_connect(t->ssl);
		if (ret == 1)
			break;
		vr = SSL_get_verify_result(t->ssl);
		if (vr != X509_V_OK)
			return err_set(e, ERR_TLS, "certificate of %s not "
			    "trusted: %s", t->host,
			    X509_verify_cert_error_string(vr));
		ret = SSL_get_error(t->ssl, ret);
		if (ret == SSL_ERROR_WANT_READ) {
			if (wait_fd(t, POLLIN, deadline, e) == -1)
				return -1;
		} else if (ret == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(t, POLLOUT, deadline, e) == -1)
				return -1;
		} else
			return err_set(e, ERR_TLS, "TLS handshake with %s "
			    "failed: %s", t->host, ssl_reason(reason,
			    sizeof(reason)));
	}
	snprintf(t->info, sizeof(t->info), "%s %s", SSL_get_version(t->ssl),
	    SSL_get_cipher_name(t->ssl));
	log_msg(LOG_LVL_INFO, "TLS established: %s", t->info);
	log_certificate(t);
	return 0;
}

static int
xt_starttls(struct xport *x, int64_t deadline, struct err *e)
{
	struct xport_tls	*t = (struct xport_tls *)x;
	struct pollfd		 pfd;
	char			 c;

	/*
	 * Anything the server sent after its 220 and before our ClientHello
	 * would be read as if it came over TLS: that is the STARTTLS command
	 * injection attack (CVE-2011-0411 and friends).  Abort.
	 */
	pfd.fd = t->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 1 && recv(t->fd, &c, 1, MSG_PEEK) == 1)
		return err_set(e, ERR_TLS, "%s sent data after its STARTTLS "
		    "reply, before the TLS handshake (a STARTTLS injection "
		    "attack or a broken server); aborting", t->host);
	return handshake(t, deadline, e);
}

static const char *
xt_tls_info(struct xport *x)
{
	struct xport_tls *t = (struct xport_tls *)x;

	return t->ssl != NULL ? t->info : NULL;
}

static void
xt_close(struct xport *x)
{
	struct xport_tls *t = (struct xport_tls *)x;

	if (t == NULL)
		return;
	if (t->ssl != NULL) {
		/* A polite close_notify, without waiting for the answer. */
		if (SSL_is_init_finished(t->ssl))
			SSL_shutdown(t->ssl);
		SSL_free(t->ssl);
	}
	SSL_CTX_free(t->ctx);
	if (t->fd != -1)
		close(t->fd);
	free(t->host);
	free(t->ca_file);
	free(t);
}

static const struct xport_ops xport_tls_ops = {
	xt_read, xt_write, xt_starttls, xt_tls_info, xt_close
};

static int
connect_one(struct xport_tls *t, const struct addrinfo *ai, char *addr,
    size_t addrlen, struct err *e)
{
	int64_t		deadline = util_now_ms() + t->timeout_ms;
	socklen_t	sl = sizeof(int);
	int		fd, soerr = 0, one = 1;

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, addrlen, NULL, 0,
	    NI_NUMERICHOST) != 0)
		util_strlcpy(addr, "?", addrlen);
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return err_sys(e, ERR_TEMP, "socket");
	t->fd = fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS) {
			err_sys(e, ERR_TEMP, "cannot connect to %s (%s)",
			    t->host, addr);
			goto fail;
		}
		if (wait_fd(t, POLLOUT, deadline, e) == -1)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			soerr = errno;
		if (soerr != 0) {
			errno = soerr;
			err_sys(e, ERR_TEMP, "cannot connect to %s (%s)",
			    t->host, addr);
			goto fail;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
fail:
	close(fd);
	t->fd = -1;
	return -1;
}

struct xport *
xport_tls_connect(const struct xport_tls_opts *o, struct err *e)
{
	struct addrinfo		 hints, *res = NULL, *ai;
	struct xport_tls	*t;
	struct err		 last;
	char			 port[16], addr[INET6_ADDRSTRLEN + 8];
	int			 rc;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		err_sys(e, ERR_INTERNAL, "calloc");
		return NULL;
	}
	t->x.ops = &xport_tls_ops;
	t->fd = -1;
	t->timeout_ms = o->timeout_ms;
	if ((t->host = strdup(o->host)) == NULL ||
	    (o->ca_file != NULL && (t->ca_file = strdup(o->ca_file)) == NULL)) {
		err_sys(e, ERR_INTERNAL, "strdup");
		goto fail;
	}
	snprintf(port, sizeof(port), "%d", o->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	rc = getaddrinfo(o->host, port, &hints, &res);
	if (rc != 0) {
		/*
		 * A resolver that is down says "unknown" too: temporary, so
		 * the mail waits (75); the message names the host so that a
		 * typo in host = is seen.
		 */
		err_set(e, ERR_TEMP, "cannot resolve host %s: %s (check host = "
		    "in the config and this machine's DNS)", o->host,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		goto fail;
	}
	{
		char list[256] = "";
		size_t used = 0, count = 0;

		for (ai = res; ai != NULL; ai = ai->ai_next, count++)
			if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr,
			    sizeof(addr), NULL, 0, NI_NUMERICHOST) == 0 &&
			    used + strlen(addr) + 3 < sizeof(list))
				used += (size_t)snprintf(list + used,
				    sizeof(list) - used, "%s%s", used ? ", " :
				    "", addr);
		log_msg(LOG_LVL_INFO, "DNS: %s is %s", o->host, list);
	}
	err_clear(&last);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		err_clear(&last);
		if (connect_one(t, ai, addr, sizeof(addr), &last) == 0)
			break;
		log_msg(LOG_LVL_INFO, "%s", last.msg);
	}
	freeaddrinfo(res);
	if (t->fd == -1) {
		err_set(e, ERR_TEMP, "%s (port %d)", last.msg[0] ? last.msg :
		    "no address to connect to", o->port);
		err_nest(e, &last);
		e->sys_errno = last.sys_errno;
		goto fail;
	}
	log_msg(LOG_LVL_INFO, "connected to %s port %d (%s)", o->host,
	    o->port, addr);
	if (o->implicit_tls &&
	    handshake(t, util_now_ms() + t->timeout_ms, e) == -1)
		goto fail;
	return &t->x;
fail:
	xt_close(&t->x);
	return NULL;
}
