/*
 * rasterpdf.h: raster pages (8-bit gray or RGB lines, as a printer
 * application receives them) written as a PDF: one Flate-compressed image
 * per page, at the page's size and resolution.  Streamed to a file
 * descriptor line by line: memory does not grow with the page's size or
 * the number of pages beyond one offset per PDF object.  No PAPPL here, so
 * it is unit-tested alone.
 */
#ifndef PM_RASTERPDF_H
#define PM_RASTERPDF_H

#include <stdint.h>

#include "err.h"

struct rpdf;

/* Starts a PDF on fd (written from its current offset). */
struct rpdf *rpdf_open(int fd, struct err *e);

/*
 * Starts a page of width x height pixels with ncomp (1: gray, 3: RGB)
 * 8-bit components, at xdpi x ydpi.  Then exactly height lines.
 */
int	rpdf_page_begin(struct rpdf *p, unsigned width, unsigned height,
	    unsigned ncomp, unsigned xdpi, unsigned ydpi, struct err *e);
/* One line of width * ncomp bytes. */
int	rpdf_page_line(struct rpdf *p, const unsigned char *line,
	    struct err *e);
/* Ends the page; lines not given are white. */
int	rpdf_page_end(struct rpdf *p, struct err *e);

/* Pages written so far. */
unsigned rpdf_pages(const struct rpdf *p);

/* Writes the page tree, the cross-reference table and the trailer. */
int	rpdf_close(struct rpdf *p, struct err *e);

/*
 * A JPEG as it is (DCTDecode, not decoded): what jpeg_info() found of it,
 * then a one-page PDF of page_w x page_h points with the image scaled to
 * fit and centred, its len bytes copied from jfd.
 */
struct jpeg_info {
	unsigned	width, height, ncomp;
	int		adobe;		/* an Adobe APP14 marker (inverted CMYK) */
};

/* Reads the JPEG's size and colours from its markers; 0 or -1 (ERR_DATA). */
int	jpeg_info(int fd, struct jpeg_info *ji, struct err *e);

int	rpdf_jpeg_page(struct rpdf *p, int jfd, uint64_t len,
	    const struct jpeg_info *ji, double page_w, double page_h,
	    struct err *e);

/* Frees p (after rpdf_close(), or to give up). */
void	rpdf_free(struct rpdf *p);

#endif
