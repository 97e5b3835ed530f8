/*
 * util.h: small helpers shared by the core and the front ends.
 */
#ifndef PM_UTIL_H
#define PM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds on the monotonic clock; deadlines are absolute values of it. */
int64_t	util_now_ms(void);

/* Copies at most size-1 bytes and terminates; returns strlen(src). */
size_t	util_strlcpy(char *dst, const char *src, size_t size);

/* Wipes a secret so the compiler cannot drop the store. */
void	util_wipe(void *p, size_t len);

/* Wipes and frees a NUL-terminated secret; accepts NULL. */
void	util_free_secret(char *s);

/*
 * Keeps secrets out of core dumps and away from debuggers of the same
 * user: no core file (RLIMIT_CORE 0) and not dumpable.  Call before any
 * secret is read.  Returns 0, or -1 if either could not be set.
 */
int	util_no_core_dumps(void);

/*
 * Makes text that came from outside safe for one line of a log, of
 * standard error or of a CUPS status line: line breaks and tabs become a
 * blank, every other control character (C0, DEL, C1 as UTF-8) and every
 * byte that is not part of valid UTF-8 becomes '?'.  In place; the
 * string never grows.  Returns s.
 */
char	*util_clean(char *s);

/*
 * Writes all n bytes to fd, again after EINTR and short writes.  Returns 0,
 * or -1 with errno (a write that wrote nothing counts as failed).
 */
int	util_write_all(int fd, const char *p, size_t n);

/* Case-insensitive ASCII comparison of two NUL-terminated strings. */
int	util_strcaseeq(const char *a, const char *b);

/* Non-zero when the string holds a byte >= 0x80. */
int	util_has_8bit(const char *s, size_t len);

/*
 * Base64 of len bytes into out (size at least util_b64_len(len) + 1),
 * NUL-terminated, without line breaks.  Returns the encoded length.
 */
size_t	util_b64_len(size_t len);
size_t	util_b64_encode(const unsigned char *in, size_t len, char *out);

#endif
