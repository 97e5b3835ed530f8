/*
 * rasterpdf.c: raster pages into a PDF (ISO 32000-1), streamed.
 *
 * Objects: 1 the catalogue, 2 the page tree (written last, when the
 * pages are known); per page four: the page, its content stream, its
 * image and the image's length (known only once it is compressed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "rasterpdf.h"

#define OUT_MAX		65536
#define FIRST_PAGE_OBJ	3
#define OBJS_PER_PAGE	4

struct rpdf {
	int		 fd;
	uint64_t	 off;		/* bytes written */
	unsigned char	 out[OUT_MAX];
	size_t		 used;
	uint64_t	*objoff;	/* offset of object i + 1 */
	size_t		 nobj, cap;
	unsigned	 pages;
	/* The page being written. */
	int		 in_page;
	unsigned	 width, height, ncomp, y;
	uint64_t	 img_start;
	z_stream	 z;
	int		 z_on;
};

static int
flush_out(struct rpdf *p, struct err *e)
{
	size_t	done = 0;
	ssize_t	n;

	while (done < p->used) {
		n = write(p->fd, p->out + done, p->used - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_sys(e, ERR_INTERNAL, "writing the PDF");
		done += (size_t)n;
	}
	p->used = 0;
	return 0;
}

static int
put(struct rpdf *p, const void *buf, size_t len, struct err *e)
{
	const unsigned char *b = buf;
	size_t	n;

	while (len > 0) {
		if (p->used == OUT_MAX && flush_out(p, e) == -1)
			return -1;
		n = OUT_MAX - p->used;
		if (n > len)
			n = len;
		memcpy(p->out + p->used, b, n);
		p->used += n;
		p->off += n;
		b += n;
		len -= n;
	}
	return 0;
}

static int putf(struct rpdf *, struct err *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
putf(struct rpdf *p, struct err *e, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return err_set(e, ERR_INTERNAL, "PDF text too long");
	return put(p, buf, (size_t)n, e);
}

/* Starts object num (from 1) at the current offset. */
static int
obj(struct rpdf *p, size_t num, struct err *e)
{
	uint64_t	*v;

	if (num > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;

		while (cap < num)
			cap *= 2;
		if ((v = realloc(p->objoff, cap * sizeof(*v))) == NULL)
			return err_sys(e, ERR_INTERNAL, "realloc");
		memset(v + p->cap, 0, (cap - p->cap) * sizeof(*v));
		p->objoff = v;
		p->cap = cap;
	}
	if (num > p->nobj)
		p->nobj = num;
	p->objoff[num - 1] = p->off;
	return putf(p, e, "%zu 0 obj\n", num);
}

struct rpdf *
rpdf_open(int fd, struct err *e)
{
	struct rpdf	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		err_sys(e, ERR_INTERNAL, "calloc");
		return NULL;
	}
	p->fd = fd;
	/* A binary comment marks the file as binary for transfer tools. */
	if (put(p, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15, e) == -1) {
		rpdf_free(p);
		return NULL;
	}
	return p;
}

static int
deflate_out(struct rpdf *p, int flush, struct err *e)
{
	int	rc;

	do {
		if (p->used == OUT_MAX && flush_out(p, e) == -1)
			return -1;
		p->z.next_out = p->out + p->used;
		p->z.avail_out = (uInt)(OUT_MAX - p->used);
		rc = deflate(&p->z, flush);
		if (rc == Z_STREAM_ERROR)
			return err_set(e, ERR_INTERNAL, "zlib: deflate failed");
		{
			size_t made = OUT_MAX - p->used - p->z.avail_out;

			p->used += made;
			p->off += made;
		}
	} while (p->z.avail_out == 0 ||
	    (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

/*
 * The page's objects up to its image's data: the page (pw x ph points),
 * its content (the image drawn at x, y, w x h points) and the image's
 * dictionary (width x height pixels, colour space cs, decode, filter).
 * The image's data follows, then image_end().
 */
static int
page_start(struct rpdf *p, double pw, double ph, double x, double y,
    double w, double h, unsigned width, unsigned height, const char *cs,
    const char *decode, const char *filter, struct err *e)
{
	size_t	base = FIRST_PAGE_OBJ + (size_t)p->pages * OBJS_PER_PAGE;
	char	content[160];
	int	n;

	n = snprintf(content, sizeof(content),
	    "q %.3f 0 0 %.3f %.3f %.3f cm /Im0 Do Q\n", w, h, x, y);
	if (obj(p, base, e) == -1 ||
	    putf(p, e, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.3f "
	    "%.3f] /Resources << /XObject << /Im0 %zu 0 R >> >> /Contents "
	    "%zu 0 R >>\nendobj\n", pw, ph, base + 2, base + 1) == -1 ||
	    obj(p, base + 1, e) == -1 ||
	    putf(p, e, "<< /Length %d >>\nstream\n%sendstream\nendobj\n", n,
	    content) == -1 ||
	    obj(p, base + 2, e) == -1 ||
	    putf(p, e, "<< /Type /XObject /Subtype /Image /Width %u /Height "
	    "%u /ColorSpace /%s /BitsPerComponent 8%s /Filter /%s /Length "
	    "%zu 0 R >>\nstream\n", width, height, cs, decode, filter,
	    base + 3) == -1)
		return -1;
	p->img_start = p->off;
	return 0;
}

/* After the image's data: its end and its length; the page is done. */
static int
image_end(struct rpdf *p, struct err *e)
{
	size_t		base = FIRST_PAGE_OBJ + (size_t)p->pages * OBJS_PER_PAGE;
	uint64_t	len = p->off - p->img_start;

	if (putf(p, e, "\nendstream\nendobj\n") == -1 ||
	    obj(p, base + 3, e) == -1 ||
	    putf(p, e, "%llu\nendobj\n", (unsigned long long)len) == -1)
		return -1;
	p->pages++;
	return 0;
}

int
rpdf_page_begin(struct rpdf *p, unsigned width, unsigned height,
    unsigned ncomp, unsigned xdpi, unsigned ydpi, struct err *e)
{
	double	w, h;

	if (p->in_page)
		return err_set(e, ERR_INTERNAL, "PDF page not ended");
	if (width == 0 || height == 0 || width > 100000 || height > 100000 ||
	    (ncomp != 1 && ncomp != 3) || xdpi == 0 || ydpi == 0 ||
	    xdpi > 10000 || ydpi > 10000)
		return err_set(e, ERR_DATA, "unusable raster page: %ux%u "
		    "pixels, %u colours, %ux%u dpi", width, height, ncomp,
		    xdpi, ydpi);
	w = width * 72.0 / xdpi;
	h = height * 72.0 / ydpi;
	if (page_start(p, w, h, 0, 0, w, h, width, height, ncomp == 1 ?
	    "DeviceGray" : "DeviceRGB", "", "FlateDecode", e) == -1)
		return -1;
	memset(&p->z, 0, sizeof(p->z));
	if (deflateInit(&p->z, 6) != Z_OK)
		return err_set(e, ERR_INTERNAL, "zlib: cannot start");
	p->z_on = 1;
	p->in_page = 1;
	p->width = width;
	p->height = height;
	p->ncomp = ncomp;
	p->y = 0;
	return 0;
}

int
rpdf_page_line(struct rpdf *p, const unsigned char *line, struct err *e)
{
	if (!p->in_page || p->y >= p->height)
		return err_set(e, ERR_DATA, "more raster lines than the page "
		    "has (%u)", p->height);
	p->z.next_in = (Bytef *)(uintptr_t)line;
	p->z.avail_in = (uInt)p->width * p->ncomp;
	if (deflate_out(p, Z_NO_FLUSH, e) == -1)
		return -1;
	p->y++;
	return 0;
}

int
rpdf_page_end(struct rpdf *p, struct err *e)
{
	unsigned char	*white;

	if (!p->in_page)
		return err_set(e, ERR_INTERNAL, "no PDF page to end");
	if (p->y < p->height) {
		/* A short page: the rest is white, as on paper. */
		if ((white = malloc((size_t)p->width * p->ncomp)) == NULL)
			return err_sys(e, ERR_INTERNAL, "malloc");
		memset(white, 0xff, (size_t)p->width * p->ncomp);
		while (p->y < p->height)
			if (rpdf_page_line(p, white, e) == -1) {
				free(white);
				return -1;
			}
		free(white);
	}
	p->z.next_in = NULL;
	p->z.avail_in = 0;
	if (deflate_out(p, Z_FINISH, e) == -1)
		return -1;
	deflateEnd(&p->z);
	p->z_on = 0;
	p->in_page = 0;
	return image_end(p, e);
}

int
jpeg_info(int fd, struct jpeg_info *ji, struct err *e)
{
	unsigned char	b[10];
	off_t		off = 2;
	unsigned	len;

	memset(ji, 0, sizeof(*ji));
	if (pread(fd, b, 2, 0) != 2 || b[0] != 0xff || b[1] != 0xd8)
		return err_set(e, ERR_DATA, "not a JPEG file");
	/* Marker segments up to the frame header (SOFn). */
	for (;;) {
		if (pread(fd, b, 4, off) != 4 || b[0] != 0xff)
			return err_set(e, ERR_DATA, "a damaged JPEG file");
		if (b[1] == 0xff) {		/* fill byte */
			off++;
			continue;
		}
		len = (unsigned)b[2] << 8 | b[3];
		if (len < 2)
			return err_set(e, ERR_DATA, "a damaged JPEG file");
		if (b[1] == 0xee && len >= 7 &&
		    pread(fd, b + 4, 5, off + 4) == 5 &&
		    memcmp(b + 4, "Adobe", 5) == 0)
			ji->adobe = 1;
		/* SOF0..SOF15 but DHT (c4), JPG (c8) and DAC (cc). */
		if (b[1] >= 0xc0 && b[1] <= 0xcf && b[1] != 0xc4 &&
		    b[1] != 0xc8 && b[1] != 0xcc) {
			if (len < 8 || pread(fd, b, 6, off + 4) != 6)
				return err_set(e, ERR_DATA, "a damaged JPEG "
				    "frame header");
			ji->height = (unsigned)b[1] << 8 | b[2];
			ji->width = (unsigned)b[3] << 8 | b[4];
			ji->ncomp = b[5];
			if (b[0] != 8 || ji->width == 0 || ji->height == 0 ||
			    (ji->ncomp != 1 && ji->ncomp != 3 && ji->ncomp != 4))
				return err_set(e, ERR_DATA, "a JPEG of %u bits, "
				    "%u colours, %ux%u: not one to print",
				    b[0], ji->ncomp, ji->width, ji->height);
			return 0;
		}
		if (b[1] == 0xd9 || b[1] == 0xda)	/* EOI, SOS first */
			return err_set(e, ERR_DATA, "a JPEG without a frame "
			    "header");
		off += 2 + len;
	}
}

int
rpdf_jpeg_page(struct rpdf *p, int jfd, uint64_t len,
    const struct jpeg_info *ji, double page_w, double page_h,
    struct err *e)
{
	double	 sx = page_w / ji->width, sy = page_h / ji->height;
	double	 scale = sx < sy ? sx : sy, w, h;
	char	 buf[65536];
	uint64_t done = 0;
	ssize_t	 n;

	if (p->in_page)
		return err_set(e, ERR_INTERNAL, "PDF page not ended");
	w = ji->width * scale;
	h = ji->height * scale;
	if (page_start(p, page_w, page_h, (page_w - w) / 2, (page_h - h) / 2,
	    w, h, ji->width, ji->height, ji->ncomp == 1 ? "DeviceGray" :
	    ji->ncomp == 3 ? "DeviceRGB" : "DeviceCMYK", ji->ncomp == 4 &&
	    ji->adobe ? " /Decode [1 0 1 0 1 0 1 0]" : "", "DCTDecode",
	    e) == -1)
		return -1;
	/* The JPEG's bytes as they are. */
	while (done < len) {
		n = pread(jfd, buf, len - done < sizeof(buf) ?
		    (size_t)(len - done) : sizeof(buf), (off_t)done);
		if (n <= 0)
			return err_sys(e, ERR_DATA, "reading the JPEG");
		if (put(p, buf, (size_t)n, e) == -1)
			return -1;
		done += (uint64_t)n;
	}
	return image_end(p, e);
}

unsigned
rpdf_pages(const struct rpdf *p)
{
	return p->pages;
}

int
rpdf_close(struct rpdf *p, struct err *e)
{
	uint64_t	xref;
	size_t		i;
	unsigned	k;

	if (p->in_page)
		return err_set(e, ERR_INTERNAL, "PDF page not ended");
	if (p->pages == 0)
		return err_set(e, ERR_DATA, "the document has no page");
	if (obj(p, 1, e) == -1 ||
	    putf(p, e, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n") == -1 ||
	    obj(p, 2, e) == -1 || putf(p, e, "<< /Type /Pages /Kids [") == -1)
		return -1;
	for (k = 0; k < p->pages; k++)
		if (putf(p, e, "%s%zu 0 R", k ? " " : "", FIRST_PAGE_OBJ +
		    (size_t)k * OBJS_PER_PAGE) == -1)
			return -1;
	if (putf(p, e, "] /Count %u >>\nendobj\n", p->pages) == -1)
		return -1;
	xref = p->off;
	if (putf(p, e, "xref\n0 %zu\n0000000000 65535 f \n", p->nobj + 1) == -1)
		return -1;
	for (i = 0; i < p->nobj; i++)
		if (putf(p, e, "%010llu 00000 n \n",
		    (unsigned long long)p->objoff[i]) == -1)
			return -1;
	if (putf(p, e, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n"
	    "%llu\n%%%%EOF\n", p->nobj + 1, (unsigned long long)xref) == -1)
		return -1;
	return flush_out(p, e);
}

void
rpdf_free(struct rpdf *p)
{
	if (p == NULL)
		return;
	if (p->z_on)
		deflateEnd(&p->z);
	free(p->objoff);
	free(p);
}
