/*
 * test_rasterpdf.c: raster pages into a PDF (ipp/rasterpdf.c), checked
 * structurally: every cross-reference offset points at its object, every
 * image stream is as long as its /Length says and inflates to the pixels
 * given; bad pages and lines are refused.  (qpdf checks whole jobs in
 * tests/suite-ipp.sh.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "rasterpdf.h"

/* The whole file fd holds. */
static char *
slurp(int fd, size_t *len)
{
	off_t	 end = lseek(fd, 0, SEEK_END);
	char	*buf = malloc((size_t)end + 1);

	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
	buf[end] = '\0';
	*len = (size_t)end;
	return buf;
}

static int
temp_fd(void)
{
	char	path[] = "/tmp/test_rasterpdf.XXXXXX";
	int	fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static size_t	pdf_len;

/* Where s is in the PDF, images (with NUL bytes) and all. */
static char *
find(const char *pdf, const char *s)
{
	return memmem(pdf, pdf_len, s, strlen(s));
}

/* Object n's offset from the xref table. */
static long
xref_offset(const char *pdf, int n)
{
	const char	*x = find(pdf, "\nxref\n");
	long		 off;

	assert_non_null(x);
	x = strchr(x + 6, '\n') + 1;	/* "0 N" */
	x += 20 * n;			/* each entry is 20 bytes */
	assert_int_equal(sscanf(x, "%10ld", &off), 1);
	return off;
}

static void
two_pages(void **state)
{
	struct err	 e;
	struct rpdf	*p;
	unsigned char	 gray[40], rgb[30 * 3];
	char		*pdf, want[32], *s, *stream;
	size_t		 len, i, k;
	int		 fd = temp_fd(), n, nobj;
	long		 slen;

	(void)state;
	err_clear(&e);
	assert_non_null(p = rpdf_open(fd, &e));
	assert_int_equal(rpdf_page_begin(p, 40, 10, 1, 150, 150, &e), 0);
	for (i = 0; i < 10; i++) {
		memset(gray, (int)i * 20, sizeof(gray));
		assert_int_equal(rpdf_page_line(p, gray, &e), 0);
	}
	/* An eleventh line on a ten-line page is refused. */
	assert_int_equal(rpdf_page_line(p, gray, &e), -1);
	assert_int_equal(e.kind, ERR_DATA);
	err_clear(&e);
	assert_int_equal(rpdf_page_end(p, &e), 0);
	assert_int_equal(rpdf_page_begin(p, 30, 20, 3, 300, 300, &e), 0);
	for (i = 0; i < 5; i++) {	/* short: the rest is white */
		for (k = 0; k < sizeof(rgb); k++)
			rgb[k] = (unsigned char)(k + i);
		assert_int_equal(rpdf_page_line(p, rgb, &e), 0);
	}
	assert_int_equal(rpdf_page_end(p, &e), 0);
	assert_int_equal(rpdf_pages(p), 2);
	assert_int_equal(rpdf_close(p, &e), 0);
	rpdf_free(p);

	pdf = slurp(fd, &len);
	pdf_len = len;
	assert_memory_equal(pdf, "%PDF-1.4\n", 9);
	assert_non_null(find(pdf, "/Type /Pages /Kids [3 0 R 7 0 R] /Count 2"));
	/* Page sizes in points: 40 px at 150 dpi, 30 px at 300 dpi. */
	assert_non_null(find(pdf, "/MediaBox [0 0 19.200 4.800]"));
	assert_non_null(find(pdf, "/MediaBox [0 0 7.200 4.800]"));
	assert_true(sscanf(find(pdf, "trailer\n<< /Size "), "trailer\n<< "
	    "/Size %d", &nobj) == 1);
	assert_int_equal(nobj, 1 + 2 + 2 * 4);
	for (n = 1; n < nobj; n++) {
		snprintf(want, sizeof(want), "%d 0 obj\n", n);
		assert_memory_equal(pdf + xref_offset(pdf, n), want,
		    strlen(want));
	}
	/* Each image: its length object, and the pixels inflated back. */
	for (k = 0; k < 2; k++) {
		unsigned char	 out[30 * 3 * 20];
		uLongf		 olen = sizeof(out);
		int		 img = 3 + (int)k * 4 + 2, lenobj = img + 1;

		s = pdf + xref_offset(pdf, img);
		stream = strstr(s, "stream\n") + 7;
		assert_int_equal(sscanf(pdf + xref_offset(pdf, lenobj),
		    "%*d 0 obj\n%ld", &slen), 1);
		assert_memory_equal(stream + slen, "\nendstream", 10);
		assert_int_equal(uncompress(out, &olen,
		    (const Bytef *)stream, (uLong)slen), Z_OK);
		if (k == 0) {
			assert_int_equal(olen, 40 * 10);
			assert_int_equal(out[40 * 9], 9 * 20);
		} else {
			assert_int_equal(olen, 30 * 3 * 20);
			assert_int_equal(out[30 * 3 * 4 + 7], 7 + 4);
			assert_int_equal(out[30 * 3 * 19], 0xff);
		}
	}
	assert_non_null(find(pdf, "startxref\n"));
	assert_int_equal(atol(find(pdf, "startxref\n") + 10),
	    find(pdf, "\nxref\n") + 1 - pdf);
	free(pdf);
	close(fd);
}

static void
refusals(void **state)
{
	struct err	 e;
	struct rpdf	*p;
	int		 fd = temp_fd();

	(void)state;
	err_clear(&e);
	assert_non_null(p = rpdf_open(fd, &e));
	/* No page: no PDF. */
	assert_int_equal(rpdf_close(p, &e), -1);
	assert_int_equal(e.kind, ERR_DATA);
	err_clear(&e);
	assert_int_equal(rpdf_page_begin(p, 0, 10, 1, 300, 300, &e), -1);
	err_clear(&e);
	assert_int_equal(rpdf_page_begin(p, 10, 10, 4, 300, 300, &e), -1);
	err_clear(&e);
	assert_int_equal(rpdf_page_begin(p, 10, 10, 1, 0, 300, &e), -1);
	err_clear(&e);
	assert_int_equal(rpdf_page_begin(p, 200000, 10, 1, 300, 300, &e), -1);
	err_clear(&e);
	/* A line before any page. */
	assert_int_equal(rpdf_page_line(p, (const unsigned char *)"x", &e), -1);
	rpdf_free(p);
	close(fd);
}

/* A JPEG's markers (no image data needed to read them or to embed it). */
static const unsigned char jpeg[] = {
	0xff, 0xd8,					/* SOI */
	0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 0, 150, 0,
	150, 0, 0,					/* APP0 */
	0xff, 0xdb, 0x00, 0x04, 0x00, 0x00,		/* DQT (short) */
	0xff, 0xc2, 0x00, 0x11, 8, 0x01, 0x2c, 0x00, 0xc8, 3,
	1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,		/* SOF2 200x300 */
	0xff, 0xda, 0x00, 0x02,				/* SOS */
	0xff, 0xd9,					/* EOI */
};

static void
jpeg_as_is(void **state)
{
	struct err		 e;
	struct rpdf		*p;
	struct jpeg_info	 ji;
	char			*pdf, *s;
	size_t			 len;
	int			 jfd = temp_fd(), fd = temp_fd();

	(void)state;
	err_clear(&e);
	assert_int_equal(write(jfd, jpeg, sizeof(jpeg)), sizeof(jpeg));
	assert_int_equal(jpeg_info(jfd, &ji, &e), 0);
	assert_int_equal(ji.width, 200);
	assert_int_equal(ji.height, 300);
	assert_int_equal(ji.ncomp, 3);
	assert_non_null(p = rpdf_open(fd, &e));
	/* 200x300 on A4 (595.276 x 841.89): the height fills it. */
	assert_int_equal(rpdf_jpeg_page(p, jfd, sizeof(jpeg), &ji, 595.276,
	    841.89, &e), 0);
	assert_int_equal(rpdf_close(p, &e), 0);
	rpdf_free(p);
	pdf = slurp(fd, &len);
	pdf_len = len;
	assert_non_null(find(pdf, "/MediaBox [0 0 595.276 841.890]"));
	assert_non_null(find(pdf, "q 561.260 0 0 841.890 17.008 0.000 cm"));
	assert_non_null(find(pdf, "/Width 200 /Height 300 /ColorSpace "
	    "/DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"));
	/* The bytes as they came, then the end of the stream. */
	assert_non_null(s = find(pdf, "stream\n\xff\xd8"));
	s += 7;
	assert_memory_equal(s, jpeg, sizeof(jpeg));
	assert_memory_equal(s + sizeof(jpeg), "\nendstream", 10);
	free(pdf);
	/* Not a JPEG, or one without a frame header: refused. */
	assert_int_equal(pwrite(jfd, "GIF8", 4, 0), 4);
	err_clear(&e);
	assert_int_equal(jpeg_info(jfd, &ji, &e), -1);
	assert_int_equal(e.kind, ERR_DATA);
	assert_int_equal(pwrite(jfd, "\xff\xd8\xff\xd9", 4, 0), 4);
	err_clear(&e);
	assert_int_equal(jpeg_info(jfd, &ji, &e), -1);
	close(jfd);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_pages),
		cmocka_unit_test(refusals),
		cmocka_unit_test(jpeg_as_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
