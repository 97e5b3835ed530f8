/*
 * dotstuff.h: the DATA encoder (RFC 5321 4.5.2): every line end becomes
 * CRLF (LF alone and CR alone too), a line that starts with "." gets a
 * second one, and the end is ".\r\n" after a final line end.  Streaming:
 * the state carries across calls, so any chunking gives the same bytes.
 */
#ifndef PM_DOTSTUFF_H
#define PM_DOTSTUFF_H

#include <stddef.h>

struct dotstuff {
	int	bol;	/* at the beginning of a line */
	int	cr;	/* the last input byte was a CR */
	int	dots;	/* 0: only normalise line ends (spooling) */
};

/* Output space dotstuff_encode() may need for len input bytes. */
#define DOTSTUFF_MAX_OUT(len)	(2 * (len) + 2)
/* Output space dotstuff_finish() may need. */
#define DOTSTUFF_FINISH_MAX	7

/* For DATA: line ends, dot-stuffing and the final ".\r\n". */
void	dotstuff_init(struct dotstuff *d);

/* Only CRLF normalisation, no dots: for spooling a message. */
void	dotstuff_init_crlf(struct dotstuff *d);

/*
 * Encodes len input bytes into out, which holds DOTSTUFF_MAX_OUT(len)
 * bytes.  Returns the number of bytes written.
 */
size_t	dotstuff_encode(struct dotstuff *d, const char *in, size_t len,
	    char *out);

/*
 * What dotstuff_encode() would write for the same input and state, without
 * writing it: for measuring a message in place.
 */
size_t	dotstuff_measure(struct dotstuff *d, const char *in, size_t len);

/*
 * Ends the data: a CRLF if the last line was not ended, then ".\r\n"
 * (only the CRLF after dotstuff_init_crlf()).
 * Returns the number of bytes written (at most DOTSTUFF_FINISH_MAX).
 */
size_t	dotstuff_finish(struct dotstuff *d, char *out);

#endif
