/*
 * mime.c: the streaming MIME builder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "mime.h"
#include "util.h"

#define MIME_LINE_RAW	57		/* 57 bytes -> 76 base64 characters */
#define MIME_CHUNK	(MIME_LINE_RAW * 1024)

struct mime_msg {
	char		*head;		/* everything before the attachment */
	size_t		 head_len;
	char		 tail[96];	/* the closing boundary */
	size_t		 tail_len;
	int		 fd;
	off_t		 att_start;	/* where the document starts in fd */
	uint64_t	 att_size;
	void		(*progress)(void *, uint64_t, uint64_t);
	void		*progress_ctx;
	/* Reading state. */
	int		 phase;		/* 0 head, 1 attachment, 2 tail, 3 end */
	size_t		 off;
	uint64_t	 att_done;
	char		*enc;		/* encoded chunk not yet handed out */
	size_t		 enc_len, enc_off;
	unsigned char	*raw;
};

uint64_t
mime_b64_size(uint64_t n)
{
	uint64_t full = n / MIME_LINE_RAW, rem = n % MIME_LINE_RAW;

	return full * 78 + (rem ? (rem + 2) / 3 * 4 + 2 : 0);
}

size_t
mime_b64_lines(const unsigned char *in, size_t n, char *out)
{
	size_t	i, o = 0, k;

	for (i = 0; i < n; i += MIME_LINE_RAW) {
		k = n - i < MIME_LINE_RAW ? n - i : MIME_LINE_RAW;
		o += util_b64_encode(in + i, k, out + o);
		out[o++] = '\r';
		out[o++] = '\n';
	}
	return o;
}

/* A growable string for building the head. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	int	 failed;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = (b->len + n + 1) * 2;
		char *np = realloc(b->p, ncap);

		if (np == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Decodes one UTF-8 sequence; returns its length, *cp = -1 if invalid. */
static size_t
utf8_decode(const unsigned char *s, long *cp)
{
	size_t	n, i;
	long	c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = -1;
			return i;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

/*
 * The base letter of a Latin letter with diacritics (Latin-1, Latin
 * Extended-A, the Vietnamese letters), or 0.
 */
static char
base_letter(long c)
{
	static const char latin1[] =
	    "AAAAAAACEEEEIIIIDNOOOOO_OUUUUY_saaaaaaaceeeeiiiidnooooo_ouuuuy_y";
	static const char exta[] =
	    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLl"
	    "LlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

	if (c >= 0xc0 && c <= 0xff)
		return latin1[c - 0xc0] == '_' ? 0 : latin1[c - 0xc0];
	if (c >= 0x100 && c <= 0x17f)
		return exta[c - 0x100];
	switch (c) {
	case 0x1a0: return 'O';
	case 0x1a1: return 'o';
	case 0x1af: return 'U';
	case 0x1b0: return 'u';
	}
	/* Vietnamese: U+1EA0..U+1EF9, upper and lower case alternating. */
	if (c >= 0x1ea0 && c <= 0x1ef9) {
		int lower = (c - 0x1ea0) & 1;
		char b;

		if (c <= 0x1eb7)
			b = 'A';
		else if (c <= 0x1ec7)
			b = 'E';
		else if (c <= 0x1ecb)
			b = 'I';
		else if (c <= 0x1ee3)
			b = 'O';
		else if (c <= 0x1ef1)
			b = 'U';
		else
			b = 'Y';
		return lower ? (char)(b - 'A' + 'a') : b;
	}
	return 0;
}

int
mime_filename(const char *name, char **ascii, char **ext)
{
	const unsigned char	*s = (const unsigned char *)name;
	size_t			 len = strlen(name), i, o;
	char			*a, *x;
	long			 cp;

	*ascii = *ext = NULL;
	if ((a = malloc(len + 1)) == NULL)
		return -1;
	for (i = 0, o = 0; i < len;) {
		size_t n = utf8_decode(s + i, &cp);
		char b;

		if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\')
			a[o++] = (char)cp;
		else if ((b = base_letter(cp)) != 0)
			a[o++] = b;
		else
			a[o++] = '_';
		i += n;
	}
	a[o] = '\0';
	*ascii = a;
	if (!util_has_8bit(name, len))
		return 0;
	/* RFC 2231: attr-char stays, everything else is %XX. */
	if ((x = malloc(7 + 3 * len + 1)) == NULL) {
		free(a);
		*ascii = NULL;
		return -1;
	}
	memcpy(x, "UTF-8''", 7);
	for (i = 0, o = 7; i < len; i++) {
		unsigned char c = s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c) != NULL)
			x[o++] = (char)c;
		else
			o += (size_t)snprintf(x + o, 4, "%%%02X", c);
	}
	x[o] = '\0';
	*ext = x;
	return 0;
}

/* Non-zero when text can go as 7bit: ASCII, no line over 76 octets. */
static int
plain_7bit(const char *text)
{
	size_t	col = 0;

	for (; *text != '\0'; text++) {
		unsigned char c = (unsigned char)*text;

		if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\r' &&
		    c != '\t'))
			return 0;
		col = c == '\n' ? 0 : col + 1;
		if (col > 76)
			return 0;
	}
	return 1;
}

/* Adds text with CRLF line ends, ending with a line end. */
static void
sb_text_crlf(struct sbuf *b, const char *text)
{
	const char	*p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			sb_add(b, "\r\n", 2);
		else
			sb_add(b, p, 1);
	}
	if (b->len < 2 || memcmp(b->p + b->len - 2, "\r\n", 2) != 0)
		sb_add(b, "\r\n", 2);
}

/*
 * Appends "\r\n name=value" to a header, a parameter on a line of its
 * own; longer than 60 octets, as RFC 2231 continuations (name*0, name*1,
 * ...) of at most 60, never splitting a %XX, so no line passes 78.  An
 * extended value (charset''pct-encoded) gets the "*" forms, a plain one
 * is quoted.  The last parameter has no ";" after it.
 */
static void
sb_param(struct sbuf *b, const char *name, const char *v, int extended)
{
	size_t	len = strlen(v), n;
	char	num[80];
	int	k = 0;

	if (len <= 60) {
		snprintf(num, sizeof(num), "\r\n %s%s=%s", name, extended ?
		    "*" : "", extended ? "" : "\"");
		sb_str(b, num);
		sb_str(b, v);
		if (!extended)
			sb_str(b, "\"");
		return;
	}
	while (*v != '\0') {
		n = strlen(v) > 60 ? 60 : strlen(v);
		if (extended && n < strlen(v)) {
			if (n >= 1 && v[n - 1] == '%')
				n -= 1;
			else if (n >= 2 && v[n - 2] == '%')
				n -= 2;
		}
		snprintf(num, sizeof(num), "%s\r\n %s*%d%s=%s", k ? ";" : "",
		    name, k, extended ? "*" : "", extended ? "" : "\"");
		k++;
		sb_str(b, num);
		sb_add(b, v, n);
		if (!extended)
			sb_str(b, "\"");
		v += n;
	}
}

struct mime_msg *
mime_new(const struct mime_spec *spec, struct err *e)
{
	struct mime_msg	*mm;
	struct sbuf	 b = { NULL, 0, 0, 0 };
	unsigned char	 rnd[12];
	char		 bound[48], *ascii = NULL, *ext = NULL, *enc = NULL;
	size_t		 i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		err_set(e, ERR_INTERNAL, "no random bytes for the boundary");
		return NULL;
	}
	/* "=_" never occurs in base64 or in 7bit text we accept. */
	memcpy(bound, "=_printmail_", 12);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(bound + 12 + 2 * i, 3, "%02x", rnd[i]);
	if ((mm = calloc(1, sizeof(*mm))) == NULL ||
	    (mm->raw = malloc(MIME_CHUNK)) == NULL ||
	    (mm->enc = malloc(mime_b64_size(MIME_CHUNK))) == NULL ||
	    mime_filename(spec->att_name, &ascii, &ext) == -1)
		goto oom;

	for (i = 0; i < spec->hdr->n; i++)
		sb_add(&b, spec->hdr->f[i].raw, spec->hdr->f[i].len);
	sb_str(&b, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n"
	    " boundary=\"");
	sb_str(&b, bound);
	sb_str(&b, "\"\r\n\r\nThis is a message in MIME format.\r\n\r\n--");
	sb_str(&b, bound);
	if (plain_7bit(spec->text) && strstr(spec->text, bound) == NULL) {
		sb_str(&b, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: 7bit\r\n\r\n");
		sb_text_crlf(&b, spec->text);
	} else {
		size_t tl = strlen(spec->text);

		sb_str(&b, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n");
		if ((enc = malloc(mime_b64_size(tl) + 1)) == NULL)
			goto oom;
		sb_add(&b, enc, mime_b64_lines((const unsigned char *)
		    spec->text, tl, enc));
		free(enc);
		enc = NULL;
	}
	sb_str(&b, "\r\n--");
	sb_str(&b, bound);
	sb_str(&b, "\r\nContent-Type: ");
	sb_str(&b, spec->att_type);
	sb_str(&b, ";");
	sb_param(&b, "name", ascii, 0);
	sb_str(&b, "\r\nContent-Disposition: attachment;");
	/*
	 * A UTF-8 name goes as RFC 2231 alone: with an ASCII filename= next
	 * to it, parsers that prefer the plain parameter (Python's legacy
	 * email parser among them) show the fallback.  Readers that know no
	 * RFC 2231 take the ASCII name= of Content-Type.
	 */
	sb_param(&b, "filename", ext != NULL ? ext : ascii, ext != NULL);
	sb_str(&b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	if (b.failed)
		goto oom;
	mm->head = b.p;
	mm->head_len = b.len;
	mm->tail_len = (size_t)snprintf(mm->tail, sizeof(mm->tail),
	    "\r\n--%s--\r\n", bound);
	mm->fd = spec->att_fd;
	mm->att_start = lseek(mm->fd, 0, SEEK_CUR);
	mm->att_size = spec->att_size;
	mm->progress = spec->progress;
	mm->progress_ctx = spec->progress_ctx;
	free(ascii);
	free(ext);
	return mm;
oom:
	err_sys(e, ERR_INTERNAL, "out of memory building the message");
	free(b.p);
	free(ascii);
	free(ext);
	free(enc);
	mime_free(mm);
	return NULL;
}

void
mime_free(struct mime_msg *mm)
{
	if (mm == NULL)
		return;
	free(mm->head);
	free(mm->raw);
	free(mm->enc);
	free(mm);
}

/* Reads the next chunk of the attachment, whole 57-byte lines but the last. */
static int
next_chunk(struct mime_msg *mm, struct err *e)
{
	uint64_t	left = mm->att_size - mm->att_done;
	size_t		want = left < MIME_CHUNK ? (size_t)left : MIME_CHUNK;
	size_t		got = 0;
	ssize_t		n;

	while (got < want) {
		n = read(mm->fd, mm->raw + got, want - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return err_sys(e, ERR_INTERNAL, "reading the document");
		if (n == 0)
			return err_set(e, ERR_INTERNAL, "the document is shorter "
			    "than announced (%llu of %llu bytes)",
			    (unsigned long long)(mm->att_done + got),
			    (unsigned long long)mm->att_size);
		got += (size_t)n;
	}
	mm->att_done += got;
	mm->enc_len = mime_b64_lines(mm->raw, got, mm->enc);
	mm->enc_off = 0;
	if (mm->progress != NULL)
		mm->progress(mm->progress_ctx, mm->att_done, mm->att_size);
	return 0;
}

static int
mime_read(void *ctx, char *buf, size_t cap, size_t *got, struct err *e)
{
	struct mime_msg	*mm = ctx;
	size_t		 n;

	*got = 0;
	while (*got < cap && mm->phase < 3) {
		const char *src;
		size_t avail;

		if (mm->phase == 0) {
			src = mm->head + mm->off;
			avail = mm->head_len - mm->off;
		} else if (mm->phase == 1) {
			if (mm->enc_off == mm->enc_len) {
				if (mm->att_done == mm->att_size) {
					mm->phase = 2;
					mm->off = 0;
					continue;
				}
				if (next_chunk(mm, e) == -1)
					return -1;
			}
			src = mm->enc + mm->enc_off;
			avail = mm->enc_len - mm->enc_off;
		} else {
			src = mm->tail + mm->off;
			avail = mm->tail_len - mm->off;
		}
		n = avail < cap - *got ? avail : cap - *got;
		memcpy(buf + *got, src, n);
		*got += n;
		if (mm->phase == 1)
			mm->enc_off += n;
		else
			mm->off += n;
		if (mm->phase != 1 && mm->off == (mm->phase == 0 ?
		    mm->head_len : mm->tail_len)) {
			mm->phase++;
			mm->off = 0;
		}
	}
	return 0;
}

/* Back to the start: the document is read again from where it began. */
static int
mime_rewind(void *ctx, struct err *e)
{
	struct mime_msg	*mm = ctx;

	if (mm->att_start == -1 || lseek(mm->fd, mm->att_start, SEEK_SET) ==
	    -1)
		return err_sys(e, ERR_INTERNAL, "cannot read the document "
		    "again");
	mm->phase = 0;
	mm->off = 0;
	mm->att_done = 0;
	mm->enc_len = mm->enc_off = 0;
	return 0;
}

int
mime_msg(struct mime_msg *mm, struct smtp_msg *m, struct err *e)
{
	(void)e;
	mm->phase = 0;
	mm->off = 0;
	mm->att_done = 0;
	mm->enc_len = mm->enc_off = 0;
	memset(m, 0, sizeof(*m));
	m->read = mime_read;
	m->rewind = mm->att_start != -1 ? mime_rewind : NULL;
	m->ctx = mm;
	m->size = mm->head_len + mime_b64_size(mm->att_size) + mm->tail_len;
	m->utf8_headers = util_has_8bit(mm->head, mm->head_len);
	m->eightbit = m->utf8_headers;
	return 0;
}
