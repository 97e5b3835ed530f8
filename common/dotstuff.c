/*
 * dotstuff.c: CRLF normalisation and dot-stuffing for DATA.
 */
#include <string.h>

#include "dotstuff.h"

void
dotstuff_init(struct dotstuff *d)
{
	d->bol = 1;
	d->cr = 0;
	d->dots = 1;
}

void
dotstuff_init_crlf(struct dotstuff *d)
{
	dotstuff_init(d);
	d->dots = 0;
}

/*
 * The hot path of every message: most bytes are neither CR, LF nor a dot
 * at the start of a line, so runs of them are found with memchr() and
 * copied with memcpy() instead of being looked at one by one.
 */
/*
 * The encoder and its counting twin share this body: with out NULL
 * nothing is written and only the length is returned.
 */
static size_t
encode(struct dotstuff *d, const char *in, size_t len, char *out)
{
	const char	*nl, *cr;
	size_t		 i = 0, o = 0, end;
	char		 c;

#define PUT(ch) do { if (out != NULL) out[o] = (ch); o++; } while (0)
	while (i < len) {
		c = in[i];
		if (d->cr) {
			d->cr = 0;
			PUT('\r');
			PUT('\n');
			d->bol = 1;
			if (c == '\n') {
				i++;
				continue;
			}
		}
		if (c == '\r') {
			d->cr = 1;
			i++;
			continue;
		}
		if (c == '\n') {
			PUT('\r');
			PUT('\n');
			d->bol = 1;
			i++;
			continue;
		}
		if (d->bol && c == '.' && d->dots)
			PUT('.');
		/* The run of ordinary bytes up to the next CR or LF. */
		nl = memchr(in + i, '\n', len - i);
		end = nl != NULL ? (size_t)(nl - in) : len;
		cr = memchr(in + i, '\r', end - i);
		if (cr != NULL)
			end = (size_t)(cr - in);
		if (out != NULL)
			memcpy(out + o, in + i, end - i);
		o += end - i;
		i = end;
		d->bol = 0;
	}
#undef PUT
	return o;
}

/*
 * The hot path of every message: most bytes are neither CR, LF nor a dot
 * at the start of a line, so runs of them are found with memchr() and
 * copied with memcpy() instead of being looked at one by one.
 */
size_t
dotstuff_encode(struct dotstuff *d, const char *in, size_t len, char *out)
{
	return encode(d, in, len, out);
}

size_t
dotstuff_measure(struct dotstuff *d, const char *in, size_t len)
{
	return encode(d, in, len, NULL);
}

size_t
dotstuff_finish(struct dotstuff *d, char *out)
{
	size_t	o = 0;

	if (d->cr || !d->bol) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	d->cr = 0;
	d->bol = 1;
	if (d->dots) {
		out[o++] = '.';
		out[o++] = '\r';
		out[o++] = '\n';
	}
	return o;
}
