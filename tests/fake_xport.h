/*
 * fake_xport.h: a scripted transport for the SMTP engine's tests.
 *
 * A script is a NULL-terminated array of steps:
 *   "S:bytes"   the server sends these bytes (one read returns them)
 *   "C:bytes"   the client must write exactly these bytes next
 *   "BODY"      the client writes message data up to and including
 *               "\r\n.\r\n"; the bytes are kept in fake_body()
 *   "TLS"       the client must start TLS here
 *   "TLSFAIL"   the client starts TLS here and the handshake fails
 *   "TLSTIMEOUT" the client starts TLS here and the handshake times out
 *   "WFAIL"     the client's next write fails (connection reset)
 *   "TIMEOUT"   the next read times out (ERR_TEMP)
 *   "EOF"       the next read sees the server close the connection
 * Any difference is recorded; fake_error() returns it (NULL when none).
 */
#ifndef FAKE_XPORT_H
#define FAKE_XPORT_H

#include "xport.h"

struct xport	*fake_new(const char *const *script, int tls);
/* The first mismatch, or NULL. */
const char	*fake_error(struct xport *x);
/* Non-zero when every step of the script was used. */
int		 fake_done(struct xport *x);
/* Non-zero once the engine closed the transport. */
int		 fake_closed(struct xport *x);
/* Everything the client wrote, and the message data of BODY steps. */
const char	*fake_written(struct xport *x);
const char	*fake_body(struct xport *x);
/* Frees the fake (after the engine closed it). */
void		 fake_free(struct xport *x);

#endif
