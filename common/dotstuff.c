/*
 * dotstuff.c: CRLF normalisation and dot-stuffing for DATA.
 */
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

size_t
dotstuff_encode(struct dotstuff *d, const char *in, size_t len, char *out)
{
	size_t	i, o = 0;
	char	c;

	for (i = 0; i < len; i++) {
		c = in[i];
		if (d->cr) {
			d->cr = 0;
			out[o++] = '\r';
			out[o++] = '\n';
			d->bol = 1;
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			d->cr = 1;
			continue;
		}
		if (c == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			d->bol = 1;
			continue;
		}
		if (d->bol && c == '.' && d->dots)
			out[o++] = '.';
		out[o++] = c;
		d->bol = 0;
	}
	return o;
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
