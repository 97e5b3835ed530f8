/*
 * spool.h: a message read from standard input, held so that it can be
 * changed (recipients, From, Date) and measured (SIZE) before it is sent.
 *
 * The header section stays in memory (at most HEADER_MAX bytes); the body
 * goes, with CRLF line ends, into an unlinked temporary file, so memory
 * does not grow with the size of the message.  When the input is a
 * regular file (printmail < file) and a lone dot does not end it, the body
 * is not copied: it is measured in place (one pass, sixteen bytes at a
 * time) and read from the file itself when sent, up to the lone dot that
 * ends it without -i; a body with CRLF line ends and no line starting with
 * a dot is then sent as it is, without the encoder.
 */
#ifndef PM_SPOOL_H
#define PM_SPOOL_H

#include <sys/types.h>

#include <stdint.h>

#include "err.h"
#include "header.h"
#include "smtp.h"

struct spool {
	struct header	 hdr;
	int		 body_fd;	/* -1 until spool_read() */
	off_t		 body_off;	/* where the body starts in body_fd */
	off_t		 body_end;	/* where it ends (a lone dot), or -1 */
	uint64_t	 body_size;	/* bytes, CRLF line ends */
	int		 body_8bit;
	uint64_t	 body_nul;	/* NUL bytes: sent as blanks */
	int		 body_longline;	/* a line over 998 octets */
	int		 body_verbatim;	/* CRLF only, no line starts with a dot,
					   ends with CRLF: sent as it is */
	uint64_t	 line_len;	/* (reading: the current line so far) */
	char		 tmpdir[1024];
	/* Reading state of the smtp_msg source. */
	size_t		 rd_field, rd_off;
	off_t		 rd_pos;	/* body_fd's offset while reading */
	int		 rd_phase;
};

void	spool_init(struct spool *sp);
void	spool_clear(struct spool *sp);

/*
 * Reads a whole message from fd.  A leading mbox "From " line is dropped;
 * the header ends at the first empty line or the first line that is not a
 * header field.  With dot_ends (sendmail without -i), a line holding only
 * "." ends the input.  The body goes to an unlinked file in tmpdir.
 *
 * A NUL byte is counted in body_nul and sent as a blank.  A first line
 * longer than HEADER_MAX that is no header field starts the body.
 *
 * Returns 0, or -1 with ERR_DATA (a header field over HEADER_MAX) or
 * ERR_INTERNAL (read or temporary-file failure).
 */
int	spool_read(struct spool *sp, int fd, int dot_ends, const char *tmpdir,
	    struct err *e);

/*
 * Makes *m read the message as it is now: the header fields, an empty
 * line, the body.  Can be called again to re-read from the start.
 * 0 or -1 (ERR_INTERNAL).
 */
int	spool_msg(struct spool *sp, struct smtp_msg *m, struct err *e);

/*
 * Whether the message must be encoded before it goes to a server: a line
 * over 998 octets (RFC 5321 4.5.3.1.6), or 8-bit data in the body and a
 * server without 8BITMIME.
 */
int	spool_needs_7bit(const struct spool *sp, int server_8bitmime);

/*
 * Makes a plain-text message (no Content-Type, or a "text/" one that is
 * not encoded yet) 7-bit with lines of at most 76 octets: the body in
 * quoted-printable, MIME-Version, Content-Type (charset utf-8 when the
 * body is valid UTF-8) and Content-Transfer-Encoding set.  Other messages
 * (multipart, already encoded) are refused with ERR_DATA: their parts are
 * the sender's to encode.  0 or -1.
 */
int	spool_to_qp(struct spool *sp, struct err *e);

#endif
