/*
 * fuzz_encode: the encoders: RFC 2047 words, RFC 2231 file names, 76-column
 * base64 (its predicted size), dot-stuffing (chunking must not matter).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dotstuff.h"
#include "header.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dotstuff	 d1, d2;
	char		*s = malloc(size + 1), *ascii, *ext;
	char		*o1, *o2, *b;
	size_t		 n1 = 0, n2 = 0, i, step;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	free(header_text(s));
	free(header_phrase(s));
	if (mime_filename(s, &ascii, &ext) == 0) {
		free(ascii);
		free(ext);
	}
	if ((b = malloc(mime_b64_size(size) + 1)) != NULL) {
		if (mime_b64_lines(data, size, b) != mime_b64_size(size))
			abort();
		free(b);
	}
	o1 = malloc(DOTSTUFF_MAX_OUT(size) + DOTSTUFF_FINISH_MAX);
	o2 = malloc(DOTSTUFF_MAX_OUT(size) + DOTSTUFF_FINISH_MAX);
	if (o1 != NULL && o2 != NULL) {
		dotstuff_init(&d1);
		dotstuff_init(&d2);
		n1 = dotstuff_encode(&d1, (const char *)data, size, o1);
		n1 += dotstuff_finish(&d1, o1 + n1);
		step = size > 0 ? (size_t)data[0] % 7 + 1 : 1;
		for (i = 0; i < size; i += step)
			n2 += dotstuff_encode(&d2, (const char *)data + i,
			    size - i < step ? size - i : step, o2 + n2);
		n2 += dotstuff_finish(&d2, o2 + n2);
		if (n1 != n2 || memcmp(o1, o2, n1) != 0)
			abort();
	}
	free(o1);
	free(o2);
	free(s);
	return 0;
}
