/*
 * xport.h: the transport the SMTP engine talks to.
 *
 * One implementation is TCP with OpenSSL (xport_tls.c); the tests plug in a
 * scripted one that checks every byte the client writes.  Every call takes
 * an absolute deadline in util_now_ms() milliseconds; a call that cannot
 * finish by then fails with ERR_TEMP.
 */
#ifndef PM_XPORT_H
#define PM_XPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct xport;

struct xport_ops {
	/*
	 * Reads up to cap bytes into buf; *got = 0 means the peer closed.
	 * Returns 0, or -1 with ERR_TEMP (timeout, reset) or ERR_TLS.
	 */
	int	(*read)(struct xport *x, char *buf, size_t cap, size_t *got,
		    int64_t deadline, struct err *e);
	/* Writes all len bytes.  Returns 0, or -1 with ERR_TEMP / ERR_TLS. */
	int	(*write)(struct xport *x, const char *buf, size_t len,
		    int64_t deadline, struct err *e);
	/*
	 * Starts TLS on the connection and verifies the server.  Fails with
	 * ERR_TLS when bytes are already waiting (STARTTLS injection) or the
	 * handshake or verification fails.
	 */
	int	(*starttls)(struct xport *x, int64_t deadline, struct err *e);
	/* "TLSv1.3 TLS_AES_256_GCM_SHA384", or NULL while in clear. */
	const char *(*tls_info)(struct xport *x);
	/* Closes and frees the transport. */
	void	(*close)(struct xport *x);
};

struct xport {
	const struct xport_ops	*ops;
};

/* What xport_tls_connect() needs. */
struct xport_tls_opts {
	const char	*host;		/* name or IP literal; also for SNI */
	int		 port;
	int		 implicit_tls;	/* TLS from the first byte (port 465) */
	const char	*ca_file;	/* NULL: the system's trust store */
	int		 timeout_ms;	/* connect (each address) and handshake */
};

/*
 * Resolves the host (IPv4 and IPv6), tries each address in turn, and for
 * implicit TLS does the handshake.  Returns a transport the caller closes
 * with x->ops->close(), or NULL with ERR_TEMP (unreachable), ERR_CONFIG
 * (unknown host, unreadable CA file) or ERR_TLS.
 */
struct xport *xport_tls_connect(const struct xport_tls_opts *o,
	    struct err *e);

#endif
