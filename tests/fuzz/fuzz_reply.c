/*
 * fuzz_reply: SMTP reply lines, enhanced codes, EHLO capabilities, the
 * one-line format and the reply -> fix table.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "advice.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *nl;
	struct reply	 r;
	struct caps	 c;
	char		 buf[512], enh[16], fix[ADVICE_MAX];
	int		 code, more;
	size_t		 text, len;

	reply_init(&r, 250);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (reply_parse_line(p, len, &code, &more, &text) == 0) {
			if (r.nlines == 0)
				reply_init(&r, code);
			if (r.nlines < REPLY_LINES_MAX)
				reply_add_line(&r, p + text, len - text);
		}
		(void)reply_enhanced(p, len, 550, enh);
		p += len + (nl != NULL);
	}
	reply_caps(&r, &c);
	reply_format(&r, buf, sizeof(buf));
	(void)advice_for_reply(r.code, r.enh, buf, fix, sizeof(fix));
	return 0;
}
