/*
 * util.c: small helpers.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/crypto.h>

#include "util.h"

int64_t
util_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
util_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}

void
util_free_secret(char *s)
{
	if (s == NULL)
		return;
	util_wipe(s, strlen(s));
	free(s);
}

int
util_no_core_dumps(void)
{
	struct rlimit	rl = { 0, 0 };
	int		rc = 0;

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		rc = -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		rc = -1;
	return rc;
}

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t	n, i;
	unsigned cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, past U+10FFFF, and C1 controls. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

char *
util_clean(char *s)
{
	unsigned char	*p = (unsigned char *)s, *o = p;
	size_t		 n;

	if (s == NULL)
		return NULL;
	while (*p != '\0') {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			*o++ = ' ';
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			*o++ = '?';
			p++;
		} else if (*p < 0x80) {
			*o++ = *p++;
		} else if ((n = utf8_seq(p)) > 0) {
			memmove(o, p, n);
			o += n;
			p += n;
		} else {
			*o++ = '?';
			p++;
		}
	}
	*o = '\0';
	return s;
}

int
util_write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
util_strcaseeq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int
util_has_8bit(const char *s, size_t len)
{
	uint64_t	w, acc = 0;
	size_t		i = 0;

	/*
	 * This runs over every byte of a message: eight bytes at a time,
	 * stopping at the first 4 KiB block with a high bit.
	 */
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
		if ((i & 0xfff) == 0 && (acc & 0x8080808080808080ULL))
			return 1;
	}
	if (acc & 0x8080808080808080ULL)
		return 1;
	for (; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

size_t
util_b64_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

size_t
util_b64_encode(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	/* Two output characters per lookup: 12 bits at a time. */
	static char	 pair[4096][2];
	static int	 ready;
	size_t		 i, o = 0;

	if (!ready) {
		for (i = 0; i < 4096; i++) {
			pair[i][0] = tab[i >> 6];
			pair[i][1] = tab[i & 63];
		}
		ready = 1;
	}
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		memcpy(out + o, pair[v >> 12], 2);
		memcpy(out + o + 2, pair[v & 0xfff], 2);
		o += 4;
	}
	if (i < len) {
		out[o++] = tab[in[i] >> 2];
		if (i + 1 < len) {
			out[o++] = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			out[o++] = tab[(in[i + 1] & 15) << 2];
		} else {
			out[o++] = tab[(in[i] & 3) << 4];
			out[o++] = '=';
		}
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}
