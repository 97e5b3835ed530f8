/*
 * spool.c: reading the message printmail is given.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dotstuff.h"
#include "log.h"
#include "spool.h"
#include "util.h"

#define SPOOL_CHUNK	65536

struct reader {
	int	 fd;
	size_t	 off, len;
	int	 eof;
	off_t	 done;		/* bytes consumed before buf[0] */
	char	 buf[SPOOL_CHUNK];
};

void
spool_init(struct spool *sp)
{
	memset(sp, 0, sizeof(*sp));
	header_init(&sp->hdr);
	sp->body_fd = -1;
	sp->body_end = -1;
}

void
spool_clear(struct spool *sp)
{
	header_clear(&sp->hdr);
	if (sp->body_fd != -1)
		close(sp->body_fd);
	spool_init(sp);
}

static int
fill(struct reader *r, struct err *e)
{
	ssize_t	n;

	if (r->off < r->len || r->eof)
		return 0;
	r->done += (off_t)r->len;
	for (;;) {
		n = read(r->fd, r->buf, sizeof(r->buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return err_sys(e, ERR_INTERNAL, "reading the message");
		r->off = 0;
		r->len = (size_t)n;
		r->eof = n == 0;
		return 0;
	}
}

/*
 * Reads one line into *line (grown as needed, up to HEADER_MAX), without
 * its LF or CRLF.  *got is 0 at the end of the input.  Returns 1 when the
 * line is longer than that: *line holds its first bytes, the rest is
 * still to be read.
 */
static int
read_line(struct reader *r, char **line, size_t *cap, size_t *len, int *got,
    struct err *e)
{
	char	*nl;
	size_t	 n;

	*len = 0;
	*got = 0;
	for (;;) {
		if (fill(r, e) == -1)
			return -1;
		if (r->eof)
			break;
		*got = 1;
		nl = memchr(r->buf + r->off, '\n', r->len - r->off);
		n = nl ? (size_t)(nl - (r->buf + r->off)) : r->len - r->off;
		if (*len + n + 1 > HEADER_MAX)
			return 1;
		if (*len + n + 1 > *cap) {
			size_t ncap = (*len + n + 1) * 2;
			char *nb = realloc(*line, ncap);

			if (nb == NULL)
				return err_sys(e, ERR_INTERNAL, "realloc");
			*line = nb;
			*cap = ncap;
		}
		memcpy(*line + *len, r->buf + r->off, n);
		*len += n;
		r->off += n + (nl != NULL);
		if (nl != NULL)
			break;
	}
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 0;
}

/* In place: the body is read again from the input, from offset at. */
static int
reader_restart(struct reader *r, int fd, off_t at, struct err *e)
{
	r->off = r->len = 0;
	r->eof = 0;
	r->done = at;
	if (lseek(fd, at, SEEK_SET) == -1)
		return err_sys(e, ERR_INTERNAL, "seek");
	return 0;
}

/* A stray NUL goes as a blank (Postfix passes it on; a blank harms none). */
static void
blank_nuls(char *buf, size_t n)
{
	char	*z = buf, *end = buf + n;

	while ((z = memchr(z, '\0', (size_t)(end - z))) != NULL)
		*z++ = ' ';
}

/*
 * The body writer: CRLF normalisation into the temporary file (input from
 * a pipe; a regular file is measured by scan_body() instead).
 */
struct body {
	struct spool	*sp;
	struct dotstuff	 d;
	char		 out[DOTSTUFF_MAX_OUT(SPOOL_CHUNK + 2)];
};

static int
body_write_chunk(struct body *b, const char *p, size_t n, struct err *e);

/*
 * Writes n bytes of the body, SPOOL_CHUNK at a time: the encoder's output
 * buffer holds the encoding of one chunk, and a first line may be a
 * megabyte long.
 */
static int
body_write(struct body *b, const char *p, size_t n, struct err *e)
{
	size_t	k;

	if (p == NULL)
		return body_write_chunk(b, NULL, 0, e);
	do {
		k = n > SPOOL_CHUNK ? SPOOL_CHUNK : n;
		if (body_write_chunk(b, p, k, e) == -1)
			return -1;
		p += k;
		n -= k;
	} while (n > 0);
	return 0;
}

static int
body_write_chunk(struct body *b, const char *p, size_t n, struct err *e)
{
	size_t	 o, done = 0;
	ssize_t	 w;

	/* Counted here, made blanks when sent (spool_read_chunk()). */
	if (p != NULL && memchr(p, '\0', n) != NULL) {
		size_t i;

		for (i = 0; i < n; i++)
			b->sp->body_nul += p[i] == '\0';
	}
	if (p != NULL && !b->sp->body_8bit && util_has_8bit(p, n))
		b->sp->body_8bit = 1;
	if (p != NULL && !b->sp->body_longline) {
		const char	*q = p, *end = p + n, *nl;

		/* RFC 5321 4.5.3.1.6: 998 octets and CRLF at most. */
		while ((nl = memchr(q, '\n', (size_t)(end - q))) != NULL) {
			b->sp->line_len += (uint64_t)(nl - q);
			if (b->sp->line_len > 999)
				b->sp->body_longline = 1;
			b->sp->line_len = 0;
			q = nl + 1;
		}
		b->sp->line_len += (uint64_t)(end - q);
		if (b->sp->line_len > 999)
			b->sp->body_longline = 1;
	}
	if (p == NULL)
		o = dotstuff_finish(&b->d, b->out);
	else
		o = dotstuff_encode(&b->d, p, n, b->out);
	while (done < o) {
		w = write(b->sp->body_fd, b->out + done, o - done);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return err_sys(e, ERR_INTERNAL, "writing the spool "
			    "file");
		done += (size_t)w;
	}
	b->sp->body_size += o;
	return 0;
}

/* Sixteen bytes as one vector (GCC and clang vector extensions). */
typedef unsigned char	v16 __attribute__((vector_size(16)));
typedef signed char	s16 __attribute__((vector_size(16)));
static const v16 v_lf = { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,
    10, 10, 10, 10 };
static const v16 v_cr = { 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13,
    13, 13, 13, 13 };
static const v16 v_nul;
static const v16 v_7f = { 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
    127, 127, 127, 127, 127, 127 };

/*
 * The body of a regular file, measured in one pass over what the reader
 * reads: sixteen bytes at a time where none is a CR, LF, NUL or 8-bit byte
 * (most of them), one at a time around those.  It finds what copy_body()
 * and the body writer find, without copying: the size with CRLF line
 * ends, NUL bytes, 8-bit data, lines over 998 octets and, with dot_ends,
 * the lone dot that ends the message (its offset in *endp, else -1); and
 * whether the body can go as it is.  (A mapping was tried: on this kind
 * of machine its page faults cost twice what read() does; bench/.)
 */
static int
scan_body(struct spool *sp, struct reader *r, int dot_ends, off_t *endp,
    struct err *e)
{
	const unsigned char *m;
	size_t		 i, n;
	uint64_t	 plain = 0, breaks = 0, line = 0, nul = 0;
	off_t		 dot_at = -1;
	int		 bol = 1, cr = 0, hi = 0, longl = 0, bare = 0, dotbol = 0;
	int		 lbol = 1;	/* after an LF: sendmail's lines */
	int		 pend = 0;	/* a dot at lbol (1), and a CR (2) */
	unsigned	 k;
	unsigned char	 c;

	*endp = -1;
	for (;;) {
		if (fill(r, e) == -1)
			return -1;
		if (r->eof)
			break;
		m = (const unsigned char *)r->buf;
		n = r->len;
		for (i = r->off; i < n;) {
			if (!lbol && !cr && !pend && i + 16 <= n) {
				v16	x;
				s16	t;
				uint64_t lo, up;

				/* Sixteen bytes compared at once (SSE2, NEON). */
				memcpy(&x, m + i, 16);
				t = (x == v_lf) | (x == v_cr) | (x == v_nul) |
				    (x > v_7f);
				memcpy(&lo, &t, 8);
				memcpy(&up, (const char *)&t + 8, 8);
				if ((lo | up) == 0) {
					plain += 16;
					line += 16;
					i += 16;
					continue;
				}
				/* The bytes before the first flagged one are
				 * ordinary; that one is looked at below. */
				k = lo != 0 ? (unsigned)__builtin_ctzll(lo) >> 3 :
				    8 + ((unsigned)__builtin_ctzll(up) >> 3);
				plain += k;
				line += k;
				i += k;
			}
			c = m[i];
			if (pend) {
				/* ".\n", ".\r\n": the end; else the dot is data. */
				if (c == '\n') {
					*endp = dot_at;
					goto done;
				}
				if (pend == 1 && c == '\r') {
					pend = 2;
					i++;
					continue;
				}
				plain++;
				line++;
				dotbol = 1;
				bol = lbol = 0;
				if (pend == 2) {
					cr = 1;
					line++;
				}
				pend = 0;
			}
			if (cr) {
				/* A CR ends a line, alone or before an LF. */
				cr = 0;
				breaks++;
				bol = 1;
				if (c == '\n') {
					longl |= line > 999;
					line = 0;
					lbol = 1;
					i++;
					continue;
				}
				bare = 1;
			}
			if (lbol && c == '.') {
				if (dot_ends) {
					pend = 1;
					dot_at = r->done + (off_t)i;
					lbol = 0;
					i++;
					continue;
				}
				dotbol = 1;
			}
			i++;
			lbol = c == '\n';
			if (c == '\r') {
				cr = 1;
				bol = 0;
				line++;
				continue;
			}
			if (c == '\n') {
				breaks++;
				bare = 1;
				longl |= line > 999;
				line = 0;
				bol = 1;
				continue;
			}
			bol = 0;
			plain++;
			line++;
			nul += c == '\0';
			hi |= c >= 0x80;
		}
		r->off = n;
		longl |= line > 999;
	}
	/* A "." (or ".\r") at the very end of the input ends it too. */
	if (pend) {
		*endp = dot_at;
		goto done;
	}
	if (cr) {
		breaks++;
		bare = 1;
		bol = 1;
	}
done:
	longl |= line > 999;
	sp->body_size = plain + 2 * breaks + (bol ? 0 : 2);
	sp->body_nul = nul;
	sp->body_8bit = hi;
	sp->body_longline = longl;
	sp->body_verbatim = !bare && !dotbol && bol;
	return 0;
}

/*
 * Copies the body.  With dot_ends, a line "." (LF or CRLF) ends it: a dot
 * at the start of a line is held back until the next byte tells.  Lines
 * are found with memchr(): only the byte after each LF is looked at.
 */
static int
copy_body(struct body *b, struct reader *r, int dot_ends, int bol,
    struct err *e)
{
	char		 pass[SPOOL_CHUNK + 2];
	const char	*nl;
	size_t		 i, k, n;
	int		 pend = 0, end = 0;

	while (!end) {
		if (fill(r, e) == -1)
			return -1;
		if (r->eof)
			break;
		if (!dot_ends) {
			if (body_write(b, r->buf + r->off, r->len - r->off,
			    e) == -1)
				return -1;
			r->off = r->len;
			continue;
		}
		n = 0;
		for (i = r->off; i < r->len && !end;) {
			char c = r->buf[i];

			if (pend == 1 && c == '\r') {
				pend = 2;
				i++;
				continue;
			}
			if (pend > 0) {
				if (c == '\n') {
					end = 1;
					break;
				}
				pass[n++] = '.';
				if (pend == 2)
					pass[n++] = '\r';
				pend = 0;
				bol = 0;
			}
			if (bol && c == '.') {
				pend = 1;
				i++;
				continue;
			}
			nl = memchr(r->buf + i, '\n', r->len - i);
			k = nl != NULL ? (size_t)(nl - r->buf) + 1 : r->len;
			memcpy(pass + n, r->buf + i, k - i);
			n += k - i;
			i = k;
			bol = nl != NULL;
		}
		r->off = r->len;
		if (n > 0 && body_write(b, pass, n, e) == -1)
			return -1;
	}
	/* A "." at the very end of the input ends the message too. */
	return body_write(b, NULL, 0, e);
}

int
spool_read(struct spool *sp, int fd, int dot_ends, const char *tmpdir,
    struct err *e)
{
	struct reader	*r = NULL;
	struct body	*b = NULL;
	char		*line = NULL, path[4096];
	size_t		 cap = 0, len;
	int		 got, first = 1, rc = -1, rl, midline = 0;

	struct stat	 st;
	off_t		 start = lseek(fd, 0, SEEK_CUR), body_at = -1, end = -1;
	int		 in_place = 0;

	util_strlcpy(sp->tmpdir, tmpdir, sizeof(sp->tmpdir));
	/*
	 * A regular file need not be copied: measure the body in place and
	 * read it from there when sending, up to the lone dot that ends it
	 * under sendmail's rule (found in the same scan).
	 */
	if (start != -1 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((sp->body_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
			return err_sys(e, ERR_INTERNAL, "dup");
		in_place = 1;
	} else {
		if (snprintf(path, sizeof(path), "%s/printmail.XXXXXX",
		    tmpdir) >= (int)sizeof(path))
			return err_set(e, ERR_INTERNAL, "TMPDIR too long");
		if ((sp->body_fd = mkostemp(path, O_CLOEXEC)) == -1)
			return err_sys(e, ERR_INTERNAL, "cannot create a spool "
			    "file in %s", tmpdir);
		unlink(path);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (b = calloc(1, sizeof(*b))) == NULL) {
		err_sys(e, ERR_INTERNAL, "calloc");
		goto out;
	}
	r->fd = fd;
	r->done = in_place ? start : 0;
	b->sp = sp;
	dotstuff_init_crlf(&b->d);
	for (;;) {
		/* Where the next line starts, should it begin the body. */
		body_at = r->done + (off_t)r->off;
		if ((rl = read_line(r, &line, &cap, &len, &got, e)) == -1)
			goto out;
		if (rl == 1) {
			/*
			 * Longer than a header section may be: a field (or
			 * its continuation) that big is refused; anything
			 * else is the body, as Postfix takes it.
			 */
			if (header_is_field_start(line, len) ||
			    ((line[0] == ' ' || line[0] == '\t') &&
			    sp->hdr.n > 0)) {
				err_set(e, ERR_DATA, "a header field is longer "
				    "than %d bytes", HEADER_MAX);
				goto out;
			}
			if (in_place) {
				if (reader_restart(r, fd, body_at, e) == -1)
					goto out;
			} else if (body_write(b, line, len, e) == -1)
				goto out;
			else
				midline = 1;
			break;
		}
		if (!got)
			break;
		if (len == 0)
			body_at = r->done + (off_t)r->off;
		if (first && len >= 5 && memcmp(line, "From ", 5) == 0) {
			first = 0;
			continue;
		}
		first = 0;
		if (dot_ends && len == 1 && line[0] == '.') {
			/* The end, in the header: an empty body. */
			if (in_place)
				sp->body_off = sp->body_end = body_at;
			goto done;
		}
		if (len == 0)
			break;
		if ((line[0] == ' ' || line[0] == '\t') && sp->hdr.n > 0) {
			if (header_append_line(&sp->hdr, line, len, 1, e) == -1)
				goto out;
			continue;
		}
		if (header_is_field_start(line, len)) {
			if (header_append_line(&sp->hdr, line, len, 0, e) == -1)
				goto out;
			continue;
		}
		/* Not a header line: the body starts here. */
		if (in_place) {
			/* Measured from the file, this line included. */
			if (reader_restart(r, fd, body_at, e) == -1)
				goto out;
			break;
		}
		if (body_write(b, line, len, e) == -1 ||
		    body_write(b, "\n", 1, e) == -1)
			goto out;
		break;
	}
	if (!got)
		body_at = r->done + (off_t)r->off;
	if (in_place) {
		if (scan_body(sp, r, dot_ends, &end, e) == -1)
			goto out;
	} else if (copy_body(b, r, dot_ends, !midline, e) == -1)
		goto out;
	sp->body_off = in_place ? body_at : 0;
	/*
	 * In place, the body ends where the scan ended (the lone dot, else
	 * the end of the file then): what is sent is what was measured, even
	 * if the file grows meanwhile.
	 */
	sp->body_end = !in_place ? -1 : end >= 0 ? end :
	    r->done + (off_t)r->off;
done:
	rc = 0;
out:
	if (line != NULL)
		util_wipe(line, cap);
	free(line);
	free(r);
	free(b);
	return rc;
}

/* The body from body_off, up to body_end when there is one. */
static int
body_seek(struct spool *sp, struct err *e)
{
	if (lseek(sp->body_fd, sp->body_off, SEEK_SET) == -1)
		return err_sys(e, ERR_INTERNAL, "rewinding the message body");
	sp->rd_pos = sp->body_off;
	return 0;
}

static ssize_t
body_read(struct spool *sp, char *buf, size_t cap)
{
	ssize_t	n;

	if (sp->body_end >= 0) {
		if (sp->rd_pos >= sp->body_end)
			return 0;
		if ((off_t)cap > sp->body_end - sp->rd_pos)
			cap = (size_t)(sp->body_end - sp->rd_pos);
	}
	do
		n = read(sp->body_fd, buf, cap);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		sp->rd_pos += n;
	return n;
}

static int
spool_read_chunk(void *ctx, char *buf, size_t cap, size_t *got,
    struct err *e)
{
	struct spool	*sp = ctx;
	ssize_t		 n;

	*got = 0;
	while (sp->rd_phase == 0 && *got < cap) {
		const struct header_field *f;
		size_t k;

		if (sp->rd_field == sp->hdr.n) {
			sp->rd_phase = 1;
			break;
		}
		f = &sp->hdr.f[sp->rd_field];
		k = f->len - sp->rd_off;
		if (k > cap - *got)
			k = cap - *got;
		memcpy(buf + *got, f->raw + sp->rd_off, k);
		*got += k;
		sp->rd_off += k;
		if (sp->rd_off == f->len) {
			sp->rd_field++;
			sp->rd_off = 0;
		}
	}
	if (sp->rd_phase == 1 && *got + 2 <= cap) {
		memcpy(buf + *got, "\r\n", 2);
		*got += 2;
		sp->rd_phase = 2;
	}
	if (sp->rd_phase != 2 || *got > 0)
		return 0;
	if ((n = body_read(sp, buf, cap)) == -1)
		return err_sys(e, ERR_INTERNAL, "reading the message body");
	/* Shorter than measured: the end of the message must not go. */
	if (n == 0 && sp->body_end >= 0 && sp->rd_pos < sp->body_end)
		return err_set(e, ERR_TEMP, "the input file shrank while it "
		    "was being read: nothing was sent");
	*got = (size_t)n;
	if (sp->body_nul > 0)
		blank_nuls(buf, (size_t)n);
	return 0;
}

static int
spool_rewind(void *ctx, struct err *e)
{
	struct spool	*sp = ctx;

	if (body_seek(sp, e) == -1)
		return -1;
	sp->rd_field = sp->rd_off = 0;
	sp->rd_phase = 0;
	return 0;
}

int
spool_msg(struct spool *sp, struct smtp_msg *m, struct err *e)
{
	size_t	i;

	if (spool_rewind(sp, e) == -1)
		return -1;
	memset(m, 0, sizeof(*m));
	m->read = spool_read_chunk;
	m->rewind = spool_rewind;
	m->ctx = sp;
	m->size = sp->hdr.bytes + 2 + sp->body_size;
	m->eightbit = sp->body_8bit;
	m->body8bit = sp->body_8bit;
	m->longlines = sp->body_longline;
	m->verbatim = sp->body_verbatim;
	for (i = 0; i < sp->hdr.n; i++) {
		const struct header_field *f = &sp->hdr.f[i];
		const char *nl;

		if (util_has_8bit(f->raw, f->len))
			m->utf8_headers = 1;
		/* The header too: CRLF only, no line starting with a dot. */
		if (f->len < 2 || f->raw[0] == '.' ||
		    memcmp(f->raw + f->len - 2, "\r\n", 2) != 0)
			m->verbatim = 0;
		for (nl = f->raw; m->verbatim &&
		    (nl = memchr(nl, '\n', f->len - (size_t)(nl - f->raw))) !=
		    NULL; nl++)
			if (nl == f->raw || nl[-1] != '\r' ||
			    (nl + 1 < f->raw + f->len && nl[1] == '.'))
				m->verbatim = 0;
	}
	m->eightbit |= m->utf8_headers;
	return 0;
}

int
spool_needs_7bit(const struct spool *sp, int server_8bitmime)
{
	return sp->body_longline || (sp->body_8bit && !server_8bitmime);
}

/* Quoted-printable output (RFC 2045 6.7), lines of at most 76 octets. */
struct qp {
	FILE	*out;
	int	 col;
	int	 wsp;		/* a blank held back: it may end the line */
	int	 cr;		/* a CR held back: it may start a CRLF */
	uint64_t size;
};

static void
qp_put(struct qp *q, const char *s, int n)
{
	if (q->col + n > 75) {
		fputs("=\r\n", q->out);
		q->size += 3;
		q->col = 0;
	}
	fwrite(s, 1, (size_t)n, q->out);
	q->col += n;
	q->size += (uint64_t)n;
}

static void
qp_byte(struct qp *q, unsigned char c)
{
	char	t[4];

	snprintf(t, sizeof(t), "=%02X", c);
	if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t')
		qp_put(q, (const char *)&c, 1);
	else
		qp_put(q, t, 3);
}

/* The held blank: literal, or encoded when the line ends after it. */
static void
qp_flush_wsp(struct qp *q, int eol)
{
	char	t[4];

	if (q->wsp == 0)
		return;
	if (eol) {
		snprintf(t, sizeof(t), "=%02X", q->wsp);
		qp_put(q, t, 3);
	} else {
		char c = (char)q->wsp;

		qp_put(q, &c, 1);
	}
	q->wsp = 0;
}

static void
qp_feed(struct qp *q, const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (q->cr && c != '\n') {
			qp_flush_wsp(q, 0);
			qp_byte(q, '\r');
		}
		q->cr = 0;
		if (c == '\r') {
			q->cr = 1;
			continue;
		}
		if (c == '\n') {
			qp_flush_wsp(q, 1);
			fputs("\r\n", q->out);
			q->size += 2;
			q->col = 0;
			continue;
		}
		qp_flush_wsp(q, 0);
		if (c == ' ' || c == '\t')
			q->wsp = c;
		else
			qp_byte(q, c);
	}
}

/* Whether the body is valid UTF-8. */
static int
body_is_utf8(struct spool *sp, struct err *e)
{
	unsigned char	buf[SPOOL_CHUNK + 4];
	size_t		keep = 0, i;
	ssize_t		r;
	int		ok = 1;

	if (body_seek(sp, e) == -1)
		return -1;
	while (ok && (r = body_read(sp, (char *)buf + keep, SPOOL_CHUNK)) > 0) {
		size_t len = keep + (size_t)r;

		for (i = 0; i < len;) {
			unsigned char c = buf[i];
			size_t k = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 :
			    c >= 0xe0 && c <= 0xef ? 3 :
			    c >= 0xf0 && c <= 0xf4 ? 4 : 0;

			if (k == 0) {
				ok = 0;
				break;
			}
			if (i + k > len)
				break;		/* finish with the next read */
			while (--k > 0)
				if ((buf[i + k] & 0xc0) != 0x80)
					ok = 0;
			i += c < 0x80 ? 1 : c <= 0xdf ? 2 : c <= 0xef ? 3 : 4;
		}
		keep = len - i;
		memmove(buf, buf + i, keep);
	}
	return ok && keep == 0;
}

int
spool_to_qp(struct spool *sp, struct err *e)
{
	char		 path[1100], buf[SPOOL_CHUNK];
	struct qp	 q;
	long		 ct = header_find(&sp->hdr, "Content-Type", 0);
	long		 cte = header_find(&sp->hdr, "Content-Transfer-Encoding", 0);
	char		*v;
	ssize_t		 r;
	int		 fd, utf8, plain = 1;

	if (ct != -1) {
		if ((v = header_value(&sp->hdr, (size_t)ct)) == NULL)
			return err_sys(e, ERR_INTERNAL, "malloc");
		plain = strncasecmp(v, "text/", 5) == 0;
		free(v);
	}
	if (plain && cte != -1) {
		if ((v = header_value(&sp->hdr, (size_t)cte)) == NULL)
			return err_sys(e, ERR_INTERNAL, "malloc");
		plain = util_strcaseeq(v, "7bit") || util_strcaseeq(v, "8bit") ||
		    util_strcaseeq(v, "binary");
		free(v);
	}
	if (!plain)
		return err_set(e, ERR_DATA, "the message has %s, and it is MIME "
		    "already (its parts are the sender's to encode): nothing "
		    "was sent", sp->body_longline ? "a line longer than 998 "
		    "octets" : "8-bit data the server does not take "
		    "(no 8BITMIME)");
	if ((utf8 = body_is_utf8(sp, e)) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/printmail.XXXXXX", sp->tmpdir);
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return err_sys(e, ERR_INTERNAL, "cannot create a spool file in "
		    "%s", sp->tmpdir);
	unlink(path);
	memset(&q, 0, sizeof(q));
	if ((q.out = fdopen(fd, "w+")) == NULL) {
		close(fd);
		return err_sys(e, ERR_INTERNAL, "fdopen");
	}
	if (body_seek(sp, e) == -1) {
		fclose(q.out);
		return -1;
	}
	while ((r = body_read(sp, buf, sizeof(buf))) > 0) {
		/* NUL bytes go as blanks here too (=00 would bring them back). */
		if (sp->body_nul > 0)
			blank_nuls(buf, (size_t)r);
		qp_feed(&q, (const unsigned char *)buf, (size_t)r);
	}
	if (q.cr)
		qp_byte(&q, '\r');
	qp_flush_wsp(&q, 1);
	if (r == -1 || fflush(q.out) != 0) {
		fclose(q.out);
		return err_sys(e, ERR_INTERNAL, "writing the encoded body");
	}
	/* The encoded body replaces the old one, in place or not. */
	if ((fd = fcntl(fileno(q.out), F_DUPFD_CLOEXEC, 3)) == -1) {
		fclose(q.out);
		return err_sys(e, ERR_INTERNAL, "dup");
	}
	fclose(q.out);
	close(sp->body_fd);
	sp->body_fd = fd;
	sp->body_off = 0;
	sp->body_end = -1;
	sp->body_verbatim = 0;
	sp->body_size = q.size;
	sp->body_8bit = 0;
	sp->body_longline = 0;
	sp->body_nul = 0;
	if (cte != -1)
		header_remove(&sp->hdr, (size_t)cte);
	if (header_find(&sp->hdr, "MIME-Version", 0) == -1 &&
	    header_insert(&sp->hdr, sp->hdr.n, "MIME-Version", "1.0", e) == -1)
		return -1;
	if (ct == -1 && header_insert(&sp->hdr, sp->hdr.n, "Content-Type",
	    utf8 ? "text/plain; charset=utf-8" : "text/plain; "
	    "charset=unknown-8bit", e) == -1)
		return -1;
	if (header_insert(&sp->hdr, sp->hdr.n, "Content-Transfer-Encoding",
	    "quoted-printable", e) == -1)
		return -1;
	log_msg(LOG_LVL_INFO, "the body was encoded quoted-printable (%s)",
	    "a line over 998 octets, or 8-bit data the server does not take");
	return 0;
}
