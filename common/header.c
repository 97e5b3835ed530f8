/*
 * header.c: header fields, addresses and encoded words.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "header.h"
#include "util.h"

void
header_init(struct header *h)
{
	memset(h, 0, sizeof(*h));
}

void
header_clear(struct header *h)
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		free(h->f[i].raw);
	free(h->f);
	memset(h, 0, sizeof(*h));
}

int
header_is_field_start(const char *line, size_t len)
{
	size_t	i, blanks = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == ':')
			return i > blanks;
		/* RFC 5322 4.5.3: "Subject : x", as sendmail and Postfix. */
		if (c == ' ' || c == '\t') {
			if (i == 0)
				return 0;
			blanks++;
			continue;
		}
		if (c < 33 || c > 126 || blanks > 0)
			return 0;
	}
	return 0;
}

static int
grow(struct header *h, struct err *e)
{
	struct header_field	*nf;
	size_t			 ncap;

	if (h->n < h->cap)
		return 0;
	ncap = h->cap ? h->cap * 2 : 16;
	if ((nf = realloc(h->f, ncap * sizeof(*nf))) == NULL)
		return err_sys(e, ERR_INTERNAL, "realloc");
	h->f = nf;
	h->cap = ncap;
	return 0;
}

int
header_append_line(struct header *h, const char *line, size_t len, int cont,
    struct err *e)
{
	struct header_field	*f;
	char			*nr;
	size_t			 i;

	if (h->bytes + len + 2 > HEADER_MAX)
		return err_set(e, ERR_DATA, "the header section is larger "
		    "than %d bytes", HEADER_MAX);
	if (cont) {
		if (h->n == 0)
			return err_set(e, ERR_DATA, "continuation line "
			    "before any header field");
		f = &h->f[h->n - 1];
		if ((nr = realloc(f->raw, f->len + len + 3)) == NULL)
			return err_sys(e, ERR_INTERNAL, "realloc");
		f->raw = nr;
	} else {
		if (grow(h, e) == -1)
			return -1;
		f = &h->f[h->n];
		if ((f->raw = malloc(len + 3)) == NULL)
			return err_sys(e, ERR_INTERNAL, "malloc");
		f->len = 0;
		f->name_len = (size_t)((const char *)memchr(line, ':', len) -
		    line);
		/* The name without the blanks of the obsolete syntax. */
		while (f->name_len > 0 && (line[f->name_len - 1] == ' ' ||
		    line[f->name_len - 1] == '\t'))
			f->name_len--;
		h->n++;
	}
	/* A stray CR or NUL inside a line must not become a line break. */
	for (i = 0; i < len; i++) {
		char c = line[i];

		f->raw[f->len + i] = (c == '\r' || c == '\0') ? ' ' : c;
	}
	memcpy(f->raw + f->len + len, "\r\n", 3);
	f->len += len + 2;
	h->bytes += len + 2;
	return 0;
}

/*
 * Folds "Name: value" (with its own CRLF SP folds, without the final
 * CRLF) so that no line passes 76 octets where a blank allows it (RFC 5322
 * 2.2.3; 76 is RFC 2047's limit for lines with encoded words): each long
 * line breaks before its last blank that fits.  A new string or NULL.
 */
static char *
fold(const char *in, size_t name_len)
{
	size_t	 len = strlen(in), o = 0, line = 0, i;
	char	*out;

	/* At most one CRLF added per 3 input octets. */
	if ((out = malloc(len + len + 3)) == NULL)
		return NULL;
	while (line < len) {
		const char *nl = strstr(in + line, "\r\n");
		size_t end = nl != NULL ? (size_t)(nl - in) : len;

		while (end - line > 76) {
			/* Never right after "Name:": no empty first line. */
			size_t cut = 0, from = line == 0 ? name_len + 2 : line + 1;

			for (i = from; i <= line + 76 && i < end; i++)
				if (in[i] == ' ' || in[i] == '\t')
					cut = i;
			if (cut == 0)
				for (i = line + 77; i < end && cut == 0; i++)
					if (in[i] == ' ' || in[i] == '\t')
						cut = i;
			/* A blank only at the start, or none: leave it. */
			if (cut == 0 || cut == line)
				break;
			memcpy(out + o, in + line, cut - line);
			o += cut - line;
			memcpy(out + o, "\r\n", 2);
			o += 2;
			line = cut;
		}
		memcpy(out + o, in + line, end - line);
		o += end - line;
		if (nl == NULL)
			break;
		memcpy(out + o, "\r\n", 2);
		o += 2;
		line = end + 2;
	}
	out[o] = '\0';
	return out;
}

int
header_insert(struct header *h, size_t pos, const char *name,
    const char *value, struct err *e)
{
	struct header_field	 f;
	const char		*p;
	size_t			 nl = strlen(name), vl = strlen(value);

	for (p = value; *p != '\0'; p++) {
		/* CRLF SP (folding written by header_phrase) is allowed. */
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 2;
			continue;
		}
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return err_set(e, ERR_DATA, "control character in "
			    "the value of %s", name);
	}
	if (h->bytes + nl + vl + 4 > HEADER_MAX)
		return err_set(e, ERR_DATA, "the header section is larger "
		    "than %d bytes", HEADER_MAX);
	if (grow(h, e) == -1)
		return -1;
	{
		char	*line, *folded;

		if ((line = malloc(nl + vl + 3)) == NULL)
			return err_sys(e, ERR_INTERNAL, "malloc");
		snprintf(line, nl + vl + 3, "%s: %s", name, value);
		folded = fold(line, nl);
		free(line);
		if (folded == NULL)
			return err_sys(e, ERR_INTERNAL, "malloc");
		f.len = strlen(folded) + 2;
		f.name_len = nl;
		if ((f.raw = malloc(f.len + 1)) == NULL) {
			free(folded);
			return err_sys(e, ERR_INTERNAL, "malloc");
		}
		snprintf(f.raw, f.len + 1, "%s\r\n", folded);
		free(folded);
	}
	if (h->bytes + f.len > HEADER_MAX) {
		free(f.raw);
		return err_set(e, ERR_DATA, "the header section is larger "
		    "than %d bytes", HEADER_MAX);
	}
	if (pos > h->n)
		pos = h->n;
	memmove(&h->f[pos + 1], &h->f[pos], (h->n - pos) * sizeof(f));
	h->f[pos] = f;
	h->n++;
	h->bytes += f.len;
	return 0;
}

void
header_remove(struct header *h, size_t i)
{
	if (i >= h->n)
		return;
	h->bytes -= h->f[i].len;
	free(h->f[i].raw);
	memmove(&h->f[i], &h->f[i + 1], (h->n - i - 1) * sizeof(h->f[0]));
	h->n--;
}

long
header_find(const struct header *h, const char *name, size_t from)
{
	size_t	i, nl = strlen(name);

	for (i = from; i < h->n; i++)
		if (h->f[i].name_len == nl &&
		    strncasecmp(h->f[i].raw, name, nl) == 0)
			return (long)i;
	return -1;
}

char *
header_value(const struct header *h, size_t i)
{
	const struct header_field	*f = &h->f[i];
	const char			*end = f->raw + f->len;
	const char			*p = memchr(f->raw, ':', f->len);
	char				*v, *o;

	if ((v = malloc(f->len + 1)) == NULL)
		return NULL;
	p = p != NULL ? p + 1 : end;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (o = v; p < end; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	*o = '\0';
	while (o > v && (o[-1] == ' ' || o[-1] == '\t'))
		*--o = '\0';
	return v;
}

int
addr_list_add(struct addr_list *l, const char *addr, size_t len,
    struct err *e)
{
	char	**nv;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;

		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			return err_sys(e, ERR_INTERNAL, "realloc");
		l->v = nv;
		l->cap = ncap;
	}
	if ((l->v[l->n] = strndup(addr, len)) == NULL)
		return err_sys(e, ERR_INTERNAL, "strndup");
	l->n++;
	return 0;
}

int
addr_list_add_once(struct addr_list *l, const char *addr, struct err *e)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (util_strcaseeq(l->v[i], addr))
			return 0;
	return addr_list_add(l, addr, strlen(addr), e);
}

void
addr_list_clear(struct addr_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Scanner state for one mailbox of an address list. */
struct mbox {
	char	*plain;		/* text outside <> and comments */
	size_t	 plen;
	char	*angle;		/* text inside <> */
	size_t	 alen;
	int	 have_angle;
};

/*
 * Trims the blanks around an address.  Blanks inside stay, so that
 * "bad address@x.vn" is refused later rather than turned into another
 * address.
 */
static size_t
squeeze(char *s, size_t len)
{
	size_t	start = 0;

	while (start < len && (s[start] == ' ' || s[start] == '\t'))
		start++;
	while (len > start && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	memmove(s, s + start, len - start);
	return len - start;
}

/* Unquotes and trims a display name in place. */
static char *
display_name(char *p, size_t n)
{
	char	*d, *o, *q;

	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if ((d = strndup(p, n)) == NULL)
		return NULL;
	/* The quotes go, a quoted pair keeps its character: "JJ \"Boss\"". */
	for (q = o = d; *q != '\0'; q++) {
		if (*q == '\\' && q[1] != '\0')
			*o++ = *++q;
		else if (*q != '"')
			*o++ = *q;
	}
	*o = '\0';
	return d;
}

/*
 * Ends one mailbox: adds its address to l and, for the first address of
 * the list when display is set, keeps its display name.
 */
static int
mbox_flush(struct mbox *m, struct addr_list *l, char **display,
    struct err *e)
{
	char	*a;
	size_t	 n;
	int	 rc = 0;

	if (m->have_angle) {
		a = m->angle;
		n = squeeze(a, m->alen);
		/* An obsolete source route "@a,@b:user@c" keeps user@c. */
		if (n > 0 && a[0] == '@') {
			char *colon = memchr(a, ':', n);

			if (colon != NULL) {
				n -= (size_t)(colon + 1 - a);
				a = colon + 1;
			}
		}
	} else {
		a = m->plain;
		n = squeeze(a, m->plen);
	}
	if (n > 0) {
		if (display != NULL && l->n == 0 && (*display =
		    m->have_angle ? display_name(m->plain, m->plen) :
		    strdup("")) == NULL)
			return err_sys(e, ERR_INTERNAL, "strdup");
		rc = addr_list_add(l, a, n, e);
	}
	m->plen = m->alen = 0;
	m->have_angle = 0;
	return rc;
}

/*
 * Walks an address list, adding every address to l.  With display set,
 * stops after the first mailbox and returns its display name there.
 */
static int
scan(const char *v, struct addr_list *l, char **display, struct err *e)
{
	struct mbox	 m;
	size_t		 len = strlen(v), i;
	int		 quote = 0, depth = 0, in_angle = 0, rc = -1;

	memset(&m, 0, sizeof(m));
	if ((m.plain = malloc(len + 1)) == NULL ||
	    (m.angle = malloc(len + 1)) == NULL) {
		err_sys(e, ERR_INTERNAL, "malloc");
		goto out;
	}
	for (i = 0; i <= len; i++) {
		char c = i < len ? v[i] : ',';

		if (depth > 0) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		if (quote) {
			if (c == '\\' && i + 1 < len) {
				/* Kept whole for display_name(). */
				if (in_angle)
					m.angle[m.alen++] = c;
				else
					m.plain[m.plen++] = c;
				c = v[++i];
			} else if (c == '"')
				quote = 0;
		} else if (c == '(') {
			depth = 1;
			continue;
		} else if (c == '"') {
			quote = 1;
		} else if (c == '<' && !in_angle) {
			in_angle = 1;
			m.alen = 0;
			continue;
		} else if (c == '>' && in_angle) {
			in_angle = 0;
			m.have_angle = 1;
			continue;
		} else if (!in_angle && c == ':') {
			/* A group's display name is not an address. */
			m.plen = 0;
			continue;
		} else if (!in_angle && (c == ',' || c == ';')) {
			if (mbox_flush(&m, l, display, e) == -1)
				goto out;
			if (display != NULL && l->n > 0)
				break;
			continue;
		}
		if (in_angle)
			m.angle[m.alen++] = c;
		else
			m.plain[m.plen++] = c;
	}
	rc = 0;
out:
	free(m.plain);
	free(m.angle);
	return rc;
}

int
header_addresses(const char *value, struct addr_list *list, struct err *e)
{
	return scan(value, list, NULL, e);
}

int
header_mailbox(const char *value, char **addr, char **display,
    struct err *e)
{
	struct addr_list	l;

	memset(&l, 0, sizeof(l));
	*addr = *display = NULL;
	if (scan(value, &l, display, e) == -1) {
		addr_list_clear(&l);
		free(*display);
		*display = NULL;
		return -1;
	}
	if (l.n == 0) {
		addr_list_clear(&l);
		return err_set(e, ERR_DATA, "no address in \"%.128s\"", value);
	}
	*addr = l.v[0];
	l.v[0] = NULL;
	addr_list_clear(&l);
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One encoded word's text, Q or B, into out; its length, or -1. */
static long
word_bytes(char enc, const char *t, size_t n, unsigned char *out)
{
	size_t	i, o = 0;

	if (enc == 'B' || enc == 'b') {
		int	len, pad = 0;

		if (n == 0 || n % 4 != 0)
			return -1;
		if ((len = EVP_DecodeBlock(out, (const unsigned char *)t,
		    (int)n)) < 0)
			return -1;
		while (pad < 2 && n > (size_t)pad && t[n - 1 - pad] == '=')
			pad++;
		return len - pad;
	}
	if (enc != 'Q' && enc != 'q')
		return -1;
	for (i = 0; i < n; i++) {
		int h, l;

		if (t[i] == '_')
			out[o++] = ' ';
		else if (t[i] == '=' && i + 2 < n &&
		    (h = hex_digit(t[i + 1])) >= 0 &&
		    (l = hex_digit(t[i + 2])) >= 0) {
			out[o++] = (unsigned char)(h * 16 + l);
			i += 2;
		} else
			out[o++] = (unsigned char)t[i];
	}
	return (long)o;
}

/* Appends n bytes in charset cs to out as UTF-8; -1 if it cannot. */
static int
to_utf8(const char *cs, const unsigned char *in, size_t n, char *out,
    size_t *o, size_t cap)
{
	iconv_t	 cd;
	char	*ip = (char *)in, *op = out + *o;
	size_t	 il = n, ol = cap - *o, r;

	if (util_strcaseeq(cs, "utf-8") || util_strcaseeq(cs, "us-ascii")) {
		if (n > ol)
			return -1;
		memcpy(op, in, n);
		*o += n;
		return 0;
	}
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return -1;
	r = iconv(cd, &ip, &il, &op, &ol);
	/* windows-1258 holds a letter back for a combining tone mark. */
	if (r != (size_t)-1 && il == 0)
		r = iconv(cd, NULL, NULL, &op, &ol);
	iconv_close(cd);
	if (r == (size_t)-1 || il != 0)
		return -1;
	*o = (size_t)(op - out);
	return 0;
}

char *
header_decode(const char *s)
{
	size_t		 len = strlen(s), cap = len * 4 + 16, o = 0, ws = 0;
	const char	*p = s, *wstart = NULL;
	unsigned char	*raw;
	char		*out;
	int		 after_word = 0;

	if ((out = malloc(cap)) == NULL)
		return NULL;
	if ((raw = malloc(len + 1)) == NULL) {
		free(out);
		return NULL;
	}
	while (*p != '\0') {
		const char	*q1, *q2, *end;
		char		 cs[64];
		long		 n;

		if (*p == ' ' || *p == '\t') {
			if (ws++ == 0)
				wstart = p;
			p++;
			continue;
		}
		/* "=?charset?E?text?=", charset maybe with "*lang". */
		if (p[0] == '=' && p[1] == '?' &&
		    (q1 = strchr(p + 2, '?')) != NULL && q1[1] != '\0' &&
		    q1[2] == '?' && (end = strstr(q1 + 3, "?=")) != NULL &&
		    (size_t)(q1 - p - 2) < sizeof(cs) &&
		    memchr(q1 + 3, ' ', (size_t)(end - q1 - 3)) == NULL) {
			memcpy(cs, p + 2, (size_t)(q1 - p - 2));
			cs[q1 - p - 2] = '\0';
			if ((q2 = strchr(cs, '*')) != NULL)
				cs[q2 - cs] = '\0';
			n = word_bytes(q1[1], q1 + 3, (size_t)(end - q1 - 3),
			    raw);
			if (n >= 0) {
				size_t keep = o;

				/* Blanks between two encoded words vanish. */
				if (!after_word && ws > 0) {
					memcpy(out + o, wstart, ws);
					o += ws;
				}
				if (to_utf8(cs, raw, (size_t)n, out, &o,
				    cap - 1) == 0) {
					ws = 0;
					after_word = 1;
					p = end + 2;
					continue;
				}
				o = keep;
			}
		}
		if (ws > 0) {
			memcpy(out + o, wstart, ws);
			o += ws;
			ws = 0;
		}
		/* Not an encoded word: the bytes as they are. */
		if (o + 1 < cap)
			out[o++] = *p;
		p++;
		after_word = 0;
	}
	if (ws > 0 && o + ws < cap) {
		memcpy(out + o, wstart, ws);
		o += ws;
	}
	out[o] = '\0';
	free(raw);
	return out;
}

/* Length of the UTF-8 sequence starting with c, 1 for anything invalid. */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	if (c >= 0xe0)
		return c <= 0xef ? 3 : 1;
	if (c >= 0xc2)
		return 2;
	return 1;
}

/*
 * RFC 2047 "B" encoded words of at most 75 characters, split between
 * UTF-8 characters, joined with CRLF SP.
 */
static char *
encoded_words(const char *text)
{
	const unsigned char	*p = (const unsigned char *)text;
	size_t			 len = strlen(text), i = 0, o = 0;
	char			*out;

	/* 45 raw bytes -> 60 base64 + 12 = 72 per word, + 3 for folding. */
	if ((out = malloc((len / 30 + 1) * 80 + 1)) == NULL)
		return NULL;
	while (i < len) {
		size_t n = 0, cl;

		while (i + n < len) {
			cl = utf8_len(p[i + n]);
			if (i + n + cl > len)
				cl = len - i - n;
			/*
			 * 45 bytes make a 72-character word; the first one
			 * shares its line with "Reply-To: " and the like, so
			 * 39 (64 characters): every line stays within 76.
			 */
			if (n + cl > (o == 0 ? 39u : 45u))
				break;
			n += cl;
		}
		if (o > 0) {
			memcpy(out + o, "\r\n ", 3);
			o += 3;
		}
		memcpy(out + o, "=?UTF-8?B?", 10);
		o += 10;
		o += util_b64_encode(p + i, n, out + o);
		memcpy(out + o, "?=", 2);
		o += 2;
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* Control characters become blanks: a value never starts a new line. */
static char *
clean(const char *text)
{
	char	*s = strdup(text), *p;

	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

static char *
encode(const char *text, int phrase)
{
	char		*s, *out, *o;
	const char	*p;
	int		 special = 0;

	if ((s = clean(text)) == NULL)
		return NULL;
	if (util_has_8bit(s, strlen(s))) {
		out = encoded_words(s);
		free(s);
		return out;
	}
	/* "=?" in plain text would be read as an encoded word: encode it. */
	if (strstr(s, "=?") != NULL) {
		out = encoded_words(s);
		free(s);
		return out;
	}
	if (!phrase)
		return s;
	for (p = s; *p != '\0'; p++)
		if (strchr("()<>[]:;@\\,.\"", *p) != NULL)
			special = 1;
	if (!special)
		return s;
	if ((out = malloc(strlen(s) * 2 + 3)) == NULL) {
		free(s);
		return NULL;
	}
	o = out;
	*o++ = '"';
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	free(s);
	return out;
}

char *
header_phrase(const char *text)
{
	return encode(text, 1);
}

char *
header_text(const char *text)
{
	return encode(text, 0);
}

char *
header_address(const char *name, const char *addr)
{
	char	*enc, *out;
	size_t	 n;

	if (name == NULL || *name == '\0')
		return strdup(addr);
	if ((enc = header_phrase(name)) == NULL)
		return NULL;
	n = strlen(enc) + strlen(addr) + 4;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s <%s>", enc, addr);
	free(enc);
	return out;
}

void
header_date(char *buf, size_t len, time_t t)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm;
	long		off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

int
header_message_id(char *buf, size_t len, const char *domain, struct err *e)
{
	unsigned char	rnd[12];
	char		hex[25];
	size_t		i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return err_set(e, ERR_INTERNAL, "no random bytes for "
		    "Message-ID");
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	snprintf(buf, len, "<%lld.%s@%s>", (long long)time(NULL), hex,
	    domain);
	return 0;
}

int
header_addr_is_full(const char *addr)
{
	const char	*at = strrchr(addr, '@'), *p;

	if (at == NULL || at == addr || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || at[strlen(at) - 1] == '.')
		return 0;
	for (p = addr; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ',' ||
		    *p == '<' || *p == '>')
			return 0;
	return 1;
}

int
header_addr_is_local(const char *addr, const char *host)
{
	const char	*at = strrchr(addr, '@'), *d;
	size_t		 n;

	if (at == NULL)
		return 1;
	d = at + 1;
	if (util_strcaseeq(d, "localhost") ||
	    util_strcaseeq(d, "localhost.localdomain"))
		return 1;
	if (host == NULL || *host == '\0')
		return 0;
	if (util_strcaseeq(d, host))
		return 1;
	/* The host's short name too (cron and CUPS write user@shortname). */
	n = strcspn(host, ".");
	return strlen(d) == n && strncasecmp(d, host, n) == 0;
}
