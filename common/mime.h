/*
 * mime.h: a message with a text part and one attachment, built as a stream.
 *
 * The attachment is read from a file descriptor 57 x 1024 bytes at a time
 * and base64-encoded in 76-column CRLF lines, so memory does not grow with
 * its size.  The encoded size of the whole message is known before the
 * first byte is sent (for SIZE), and checked while sending.
 */
#ifndef PM_MIME_H
#define PM_MIME_H

#include <stdint.h>

#include "err.h"
#include "header.h"
#include "smtp.h"

struct mime_spec {
	const struct header	*hdr;		/* From, To, Subject, Date... */
	const char		*text;		/* the text part, UTF-8 */
	const char		*att_type;	/* "application/pdf" */
	const char		*att_name;	/* file name, UTF-8 */
	int			 att_fd;	/* read from its current offset */
	uint64_t		 att_size;	/* bytes to read from att_fd */
	/* Called as the attachment goes out; may be NULL. */
	void			(*progress)(void *ctx, uint64_t done,
				    uint64_t total);
	void			*progress_ctx;
};

struct mime_msg;

/* The size of n bytes in 76-column base64 with a CRLF after each line. */
uint64_t mime_b64_size(uint64_t n);

/*
 * Encodes n bytes (a multiple of 57, except for the last call) into out as
 * 76-column lines with CRLF.  out holds mime_b64_size(n) bytes.  Returns
 * the bytes written.
 */
size_t	mime_b64_lines(const unsigned char *in, size_t n, char *out);

/*
 * The parameter value of a file name: an ASCII fallback for name= and
 * filename= (diacritics dropped, anything else '_'), and the RFC 2231
 * extended value "UTF-8''percent-encoded" for filename*= (NULL when the
 * name is plain ASCII).  New strings the caller frees; -1 when out of
 * memory.
 */
int	mime_filename(const char *name, char **ascii, char **ext);

/*
 * Builds the message: the given header fields plus MIME-Version and a
 * multipart/mixed Content-Type, the text part (7bit when it is short-lined
 * ASCII, else base64), the attachment part (base64).  Returns a new
 * message, or NULL with ERR_INTERNAL.
 */
struct mime_msg *mime_new(const struct mime_spec *spec, struct err *e);

/* Frees a message (not its attachment descriptor); NULL is fine. */
void	mime_free(struct mime_msg *mm);

/*
 * Makes *m read the message from the start.  m->size is the exact encoded
 * size.  Reading fails with ERR_INTERNAL when the attachment does not hold
 * att_size bytes.  0 or -1.
 */
int	mime_msg(struct mime_msg *mm, struct smtp_msg *m, struct err *e);

#endif
