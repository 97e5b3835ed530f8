/*
 * job.c: URI, options, templates, file names, recipient policy.
 */
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job.h"
#include "util.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Percent-decodes n bytes of s into a new string.  RFC 3986: '+' is a
 * plus ("ketoan+cups@congty.vn"), not the blank of HTML forms.
 */
static char *
pct_decode(const char *s, size_t n, int *bad)
{
	char	*out = malloc(n + 1), *o = out;
	size_t	 i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

			/* %00 would silently cut the value: refuse it. */
			if (hi < 0 || lo < 0 || hi + lo == 0) {
				*bad = 1;
				break;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

void
job_uri_clear(struct job_uri *u)
{
	free(u->account);
	free(u->to);
	free(u->cc);
	free(u->subject);
	memset(u, 0, sizeof(*u));
}

int
job_parse_uri(const char *uri, struct job_uri *u, struct err *e)
{
	const char	*p, *q, *end;
	size_t		 n;
	int		 bad = 0;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(uri, "email:", 6) != 0)
		return err_set(e, ERR_CONFIG, "device URI does not start with "
		    "email: (expected email:/ACCOUNT)");
	p = uri + 6;
	while (*p == '/')
		p++;
	q = strchr(p, '?');
	n = q ? (size_t)(q - p) : strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	u->account = n == 0 ? strdup("default") : pct_decode(p, n, &bad);
	if (u->account == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	for (p = u->account; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_-.", *p) == NULL)
			bad = 1;
	if (bad) {
		job_uri_clear(u);
		return err_set(e, ERR_CONFIG, "bad account name in the device "
		    "URI (letters, digits, '_', '-', '.')");
	}
	for (p = q ? q + 1 : NULL; p != NULL && *p != '\0'; p = end) {
		const char *eq;
		char **field = NULL, *v;

		end = strchr(p, '&');
		n = end ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', n);
		if (eq != NULL) {
			size_t kl = (size_t)(eq - p);

			if (kl == 2 && strncmp(p, "to", 2) == 0)
				field = &u->to;
			else if (kl == 2 && strncmp(p, "cc", 2) == 0)
				field = &u->cc;
			else if (kl == 7 && strncmp(p, "subject", 7) == 0)
				field = &u->subject;
		}
		if (field == NULL || *field != NULL) {
			job_uri_clear(u);
			return err_set(e, ERR_CONFIG, "device URI: unknown or "
			    "repeated parameter \"%.*s\" (to, cc, subject)",
			    (int)(eq ? (size_t)(eq - p) : n > 32 ? 32 : n), p);
		}
		v = pct_decode(eq + 1, n - (size_t)(eq + 1 - p), &bad);
		if (v == NULL || bad) {
			free(v);
			job_uri_clear(u);
			return err_set(e, ERR_CONFIG, "device URI: bad %%-escape "
			    "in \"%.*s\" (%%XX with two hex digits, not %%00)",
			    (int)(n > 200 ? 200 : n), p);
		}
		*field = v;
		if (end != NULL)
			end++;
	}
	return 0;
}

void
job_opts_clear(struct job_opts *o)
{
	size_t	i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].name);
		free(o->v[i].value);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

int
job_parse_options(const char *s, struct job_opts *o, struct err *e)
{
	size_t	len = strlen(s);
	char	*name = NULL, *val = NULL;

	memset(o, 0, sizeof(*o));
	while (*s != '\0') {
		size_t nl, vl = 0;
		struct job_opt *nv;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		for (nl = 0; s[nl] != '\0' && s[nl] != '=' &&
		    !isspace((unsigned char)s[nl]); nl++)
			;
		if ((name = strndup(s, nl)) == NULL ||
		    (val = malloc(len + 1)) == NULL)
			goto oom;
		s += nl;
		if (*s == '=') {
			char quote = 0;

			for (s++; *s != '\0'; s++) {
				if (quote) {
					if (*s == quote) {
						quote = 0;
						continue;
					}
				} else if (*s == '\'' || *s == '"') {
					quote = *s;
					continue;
				} else if (isspace((unsigned char)*s))
					break;
				if (*s == '\\' && s[1] != '\0')
					s++;
				val[vl++] = *s;
			}
			val[vl] = '\0';
		} else
			util_strlcpy(val, "true", len + 1);
		if ((nv = realloc(o->v, (o->n + 1) * sizeof(*nv))) == NULL)
			goto oom;
		o->v = nv;
		o->v[o->n].name = name;
		o->v[o->n].value = val;
		o->n++;
		name = val = NULL;
	}
	return 0;
oom:
	free(name);
	free(val);
	job_opts_clear(o);
	return err_sys(e, ERR_INTERNAL, "malloc");
}

const char *
job_option_nth(const struct job_opts *o, const char *name, size_t n,
    size_t *count)
{
	const char	*v = NULL;
	size_t		 i, k = 0;

	for (i = 0; i < o->n; i++)
		if (strcasecmp(o->v[i].name, name) == 0 && ++k == n)
			v = o->v[i].value;
	*count = k;
	return v;
}

size_t
job_document_number(const char *file, size_t *count)
{
	const char	*base, *dash;
	char		 dir[4096], prefix[64];
	struct dirent	*d;
	DIR		*dp;
	size_t		 n, plen;
	char		*end;

	*count = 0;
	if (file == NULL)
		return 1;
	base = strrchr(file, '/');
	base = base != NULL ? base + 1 : file;
	/* cupsd's spool files: "d" job "-" document, e.g. d00042-002. */
	if (base[0] != 'd' || (dash = strchr(base, '-')) == NULL ||
	    (size_t)(dash - base + 1) >= sizeof(prefix))
		return 1;
	n = strtoul(dash + 1, &end, 10);
	if (*end != '\0' || n == 0)
		return 1;
	plen = (size_t)(dash - base + 1);
	memcpy(prefix, base, plen);
	prefix[plen] = '\0';
	if ((size_t)(base - file) >= sizeof(dir))
		return n;
	memcpy(dir, file, (size_t)(base - file));
	dir[base - file] = '\0';
	if ((dp = opendir(dir[0] != '\0' ? dir : ".")) != NULL) {
		while ((d = readdir(dp)) != NULL)
			if (strncmp(d->d_name, prefix, plen) == 0)
				(*count)++;
		closedir(dp);
	}
	return n;
}

char *
job_document_filename(const struct job_opts *o, const char *title,
    const char *job, size_t n, size_t count)
{
	size_t		 names, len;
	const char	*doc = job_option_nth(o, "document-name-supplied", n,
			    &names);
	char		*name, *out;

	if (count < names)
		count = names;
	/* Fewer names than documents: which is whose is not known. */
	if (names < count)
		doc = NULL;
	if ((name = job_filename(doc, title, job)) == NULL)
		return NULL;
	if (doc != NULL && *doc != '\0' && strcmp(doc, "(stdin)") != 0)
		return name;
	if (count <= 1)
		return name;
	/* "Invoice.pdf" -> "Invoice (1 of 2).pdf". */
	len = strlen(name) + 48;
	if ((out = malloc(len)) != NULL)
		snprintf(out, len, "%.*s (%zu of %zu).pdf",
		    (int)(strlen(name) - 4), name, n, count);
	free(name);
	return out;
}

const char *
job_option(const struct job_opts *o, const char *name)
{
	size_t	i;

	for (i = o->n; i > 0; i--)
		if (strcasecmp(o->v[i - 1].name, name) == 0)
			return o->v[i - 1].value;
	return NULL;
}

/*
 * A job value that may stand inside a local part: RFC 5322 atext, dots
 * between atoms, and UTF-8 (RFC 6531); nothing that separates, quotes or
 * ends an address.
 */
static int
local_part_piece(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0' || *p == '.')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p >= 0x80 || isalnum(*p) ||
		    strchr("!#$%&'*+-/=?^_`{|}~", *p) != NULL)
			continue;
		if (*p == '.' && p[1] != '.' && p[1] != '\0')
			continue;
		return 0;
	}
	return 1;
}

static char *
expand(const char *tmpl, const struct job_vars *v, int address,
    int *from_job, struct err *e)
{
	static const char *names[] = { "title", "user", "printer", "job",
	    "filename", "date" };
	/* Which values come with the job, chosen by whoever prints. */
	static const int job_supplied[] = { 1, 1, 0, 0, 1, 0 };
	const char	*vals[6];
	size_t		 cap = strlen(tmpl) + 1, len = 0, i;
	char		*out;
	const char	*p;

	vals[0] = v->title;
	vals[1] = v->user;
	vals[2] = v->printer;
	vals[3] = v->job;
	vals[4] = v->filename;
	vals[5] = v->date;
	for (i = 0; i < 6; i++)
		if (vals[i] != NULL)
			cap += strlen(vals[i]) * (strlen(tmpl) / 3 + 1);
	if ((out = malloc(cap)) == NULL) {
		err_sys(e, ERR_INTERNAL, "malloc");
		return NULL;
	}
	for (p = tmpl; *p != '\0';) {
		const char *rep = NULL;
		size_t nl = 0;

		if (*p == '{') {
			for (i = 0; i < 6; i++) {
				nl = strlen(names[i]);
				if (strncmp(p + 1, names[i], nl) == 0 &&
				    p[1 + nl] == '}') {
					rep = vals[i] ? vals[i] : "";
					break;
				}
			}
		}
		if (rep != NULL) {
			size_t rl = strlen(rep);

			if (address && job_supplied[i] && from_job != NULL)
				*from_job = 1;
			if (address && !local_part_piece(rep)) {
				err_set(e, ERR_USAGE, "the job's %s \"%.100s\" "
				    "cannot be part of an e-mail address (in "
				    "the template \"%.100s\"): only letters, "
				    "digits and . _ - + and the like", names[i],
				    rep, tmpl);
				free(out);
				return NULL;
			}
			memcpy(out + len, rep, rl);
			len += rl;
			p += nl + 2;
		} else
			out[len++] = *p++;
	}
	out[len] = '\0';
	return out;
}

char *
job_expand(const char *tmpl, const struct job_vars *v)
{
	struct err	e;

	err_clear(&e);
	return expand(tmpl, v, 0, NULL, &e);
}

char *
job_expand_address(const char *tmpl, const struct job_vars *v, int *from_job,
    struct err *e)
{
	*from_job = 0;
	return expand(tmpl, v, 1, from_job, e);
}

/* Cuts s to at most max bytes without splitting a UTF-8 character. */
static void
utf8_cut(char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
}

/* Samba's "smbprn.00000012 Title" and any path: the name alone. */
static const char *
bare_name(const char *src)
{
	const char	*p;

	if (strncmp(src, "smbprn.", 7) == 0) {
		const char *sp = strchr(src, ' ');

		src = sp != NULL ? sp + 1 : "";
	}
	/* Only the last path part, whichever separator the client used. */
	for (p = src; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			src = p + 1;
	return src;
}

char *
job_title(const char *title)
{
	char	*s, *p;
	size_t	 n;

	if ((s = strdup(bare_name(title != NULL ? title : ""))) == NULL)
		return NULL;
	for (p = s; *p == ' '; p++)
		;
	memmove(s, p, strlen(p) + 1);
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/* An extension a document really has: "Invoice 2024.001" keeps its own. */
static int
document_extension(const char *ext)
{
	static const char *const known[] = {
		"pdf", "ps", "eps", "txt", "text", "rtf", "doc", "docx", "docm",
		"dot", "dotx", "xls", "xlsx", "xlsm", "xlsb", "csv", "ppt",
		"pptx", "pps", "ppsx", "odt", "ods", "odp", "odg", "pages",
		"numbers", "key", "htm", "html", "xhtml", "mht", "mhtml", "xml",
		"json", "md", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff",
		"heic", "heif", "webp", "svg", "xps", "oxps", "msg", "eml",
		"log", "prn",
	};
	size_t	i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(ext, known[i]) == 0)
			return 1;
	return 0;
}

char *
job_filename(const char *docname, const char *title, const char *job)
{
	/* "(stdin)" and "-" are what clients say when there is no name. */
	const char	*src = docname != NULL && *docname != '\0' &&
			    strcmp(docname, "(stdin)") != 0 &&
			    strcmp(docname, "-") != 0 ? docname : title;
	char		*s, *o, *p, *dot, *out;
	size_t		 n;

	if (src == NULL)
		src = "";
	src = bare_name(src);
	if ((s = strdup(src)) == NULL)
		return NULL;
	for (p = o = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f || strchr("<>:\"|?*", c) != NULL)
			continue;
		*o++ = *p;
	}
	*o = '\0';
	/* Trim blanks and dots at both ends (Windows drops them). */
	for (p = s; *p == ' ' || *p == '.'; p++)
		;
	memmove(s, p, strlen(p) + 1);
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = '\0';
	/* "Invoice.docx" -> "Invoice": a document's extension is replaced. */
	dot = strrchr(s, '.');
	if (dot != NULL && dot != s && document_extension(dot + 1))
		*dot = '\0';
	utf8_cut(s, 120);
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = '\0';
	if (n == 0) {
		free(s);
		n = strlen(job ? job : "0") + 9;
		if ((out = malloc(n)) != NULL)
			snprintf(out, n, "job-%s.pdf", job ? job : "0");
		return out;
	}
	if ((out = malloc(n + 5)) != NULL)
		snprintf(out, n + 5, "%s.pdf", s);
	free(s);
	return out;
}

/* local@domain: one '@', printable ASCII or UTF-8, no blanks or specials. */
static int
plain_address(const char *a)
{
	const char	*at = strchr(a, '@'), *p;

	if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (p = a; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\,;:\"", c))
			return 0;
	}
	return strchr(at + 1, '.') != NULL || strcmp(at + 1, "localhost") == 0;
}

int
job_addresses(const char *value, struct addr_list *l, struct err *e)
{
	struct addr_list	 tmp;
	size_t			 i;
	const char		*p;

	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, ERR_DATA, "control character in a "
			    "recipient list");
	memset(&tmp, 0, sizeof(tmp));
	if (header_addresses(value, &tmp, e) == -1) {
		/* It may have added some before failing. */
		addr_list_clear(&tmp);
		return -1;
	}
	/* All or nothing: check every address before adding any. */
	for (i = 0; i < tmp.n; i++) {
		if (!plain_address(tmp.v[i])) {
			err_set(e, ERR_DATA, "\"%.100s\" is not an e-mail "
			    "address", tmp.v[i]);
			addr_list_clear(&tmp);
			return -1;
		}
	}
	for (i = 0; i < tmp.n; i++) {
		if (addr_list_add(l, tmp.v[i], strlen(tmp.v[i]), e) == -1) {
			addr_list_clear(&tmp);
			return -1;
		}
	}
	addr_list_clear(&tmp);
	return 0;
}

int
job_allowed(const char *addr, const char *allow)
{
	const char	*p = allow, *end;
	char		 pat[256];
	size_t		 n;

	if (allow == NULL || !plain_address(addr))
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		end = p;
		while (*end != '\0' && *end != ',' && *end != ' ' &&
		    *end != '\t')
			end++;
		n = (size_t)(end - p);
		if (n > 0 && n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			/* "@congty.com" is short for "*@congty.com". */
			if (pat[0] == '@' && n + 1 < sizeof(pat)) {
				memmove(pat + 1, pat, n + 1);
				pat[0] = '*';
			}
			if (fnmatch(pat, addr, FNM_CASEFOLD) == 0)
				return 1;
		}
		p = end;
	}
	return 0;
}
