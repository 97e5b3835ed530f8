/*
 * reply.c: SMTP reply and EHLO capability parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reply.h"
#include "util.h"

int
reply_parse_line(const char *line, size_t len, int *code, int *more,
    size_t *text)
{
	if (len < 3 || line[0] < '2' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + line[2] - '0';
	if (len == 3) {
		*more = 0;
		*text = 3;
		return 0;
	}
	if (line[3] != ' ' && line[3] != '-')
		return -1;
	*more = line[3] == '-';
	*text = 4;
	return 0;
}

/* Reads 1 to 3 digits; returns how many, 0 when none. */
static size_t
digits(const char *s, size_t len)
{
	size_t	n = 0;

	while (n < len && n < 4 && isdigit((unsigned char)s[n]))
		n++;
	return n >= 1 && n <= 3 ? n : 0;
}

size_t
reply_enhanced(const char *text, size_t len, int code, char enh[16])
{
	size_t	i = 0, n;

	enh[0] = '\0';
	if (len < 5 || text[0] != (char)('0' + code / 100) || text[1] != '.')
		return 0;
	i = 2;
	if ((n = digits(text + i, len - i)) == 0)
		return 0;
	i += n;
	if (i >= len || text[i] != '.')
		return 0;
	i++;
	if ((n = digits(text + i, len - i)) == 0)
		return 0;
	i += n;
	if (i < len && text[i] != ' ')
		return 0;
	memcpy(enh, text, i);
	enh[i] = '\0';
	return i < len ? i + 1 : i;
}

void
reply_init(struct reply *r, int code)
{
	r->code = code;
	r->enh[0] = '\0';
	r->nlines = 0;
	r->text[0] = '\0';
}

void
reply_add_line(struct reply *r, const char *text, size_t len)
{
	size_t	used = strlen(r->text), i;

	if (r->nlines == 0 && len > 0) {
		char enh[16];

		if (reply_enhanced(text, len, r->code, enh) > 0)
			memcpy(r->enh, enh, sizeof(enh));
	}
	if (r->nlines > 0 && used + 1 < sizeof(r->text))
		r->text[used++] = '\n';
	for (i = 0; i < len && used + 1 < sizeof(r->text); i++) {
		unsigned char c = (unsigned char)text[i];

		r->text[used++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	r->text[used] = '\0';
	r->nlines++;
}

void
reply_format(const struct reply *r, char *buf, size_t len)
{
	const char	*p = r->text, *nl;
	size_t		 o, n, el = strlen(r->enh);
	int		 first = 1;

	if (len == 0)
		return;
	o = (size_t)snprintf(buf, len, "%d", r->code);
	while (o + 1 < len) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (!first && el > 0 && n > el && strncmp(p, r->enh, el) == 0 &&
		    p[el] == ' ') {
			p += el + 1;
			n -= el + 1;
		}
		if (n > 0 && o + 1 < len)
			buf[o++] = ' ';
		if (n > len - o - 1)
			n = len - o - 1;
		memcpy(buf + o, p, n);
		o += n;
		first = 0;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	buf[o < len ? o : len - 1] = '\0';
}

static int
word_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

static void
parse_auth(struct caps *c, const char *p, size_t n)
{
	size_t	i = 0, w, used = strlen(c->auth_list);

	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '='))
			i++;
		w = i;
		while (i < n && p[i] != ' ')
			i++;
		if (i == w)
			break;
		if (word_is(p + w, i - w, "PLAIN"))
			c->auth |= CAPS_AUTH_PLAIN;
		else if (word_is(p + w, i - w, "LOGIN"))
			c->auth |= CAPS_AUTH_LOGIN;
		else if (word_is(p + w, i - w, "XOAUTH2"))
			c->auth |= CAPS_AUTH_XOAUTH2;
		if (used + (i - w) + 2 < sizeof(c->auth_list)) {
			if (used > 0)
				c->auth_list[used++] = ' ';
			memcpy(c->auth_list + used, p + w, i - w);
			used += i - w;
			c->auth_list[used] = '\0';
		}
	}
}

void
reply_caps(const struct reply *r, struct caps *c)
{
	const char	*p = r->text, *nl;
	size_t		 n, kw;

	memset(c, 0, sizeof(*c));
	/* The first line is the server's name and greeting, not a keyword. */
	nl = strchr(p, '\n');
	while (nl != NULL) {
		p = nl + 1;
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		for (kw = 0; kw < n && p[kw] != ' ' && p[kw] != '='; kw++)
			;
		if (word_is(p, kw, "STARTTLS"))
			c->starttls = 1;
		else if (word_is(p, kw, "PIPELINING"))
			c->pipelining = 1;
		else if (word_is(p, kw, "8BITMIME"))
			c->eightbitmime = 1;
		else if (word_is(p, kw, "SMTPUTF8"))
			c->smtputf8 = 1;
		else if (word_is(p, kw, "AUTH"))
			parse_auth(c, p + kw, n - kw);
		else if (word_is(p, kw, "SIZE")) {
			char num[24];
			size_t m = n - kw > 1 ? n - kw - 1 : 0;

			c->has_size = 1;
			if (m > 0 && m < sizeof(num)) {
				char *end;
				unsigned long long v;

				memcpy(num, p + kw + 1, m);
				num[m] = '\0';
				errno = 0;
				v = strtoull(num, &end, 10);
				if (*end == '\0' && errno == 0 &&
				    isdigit((unsigned char)num[0]))
					c->size = v;
			}
		}
	}
}
