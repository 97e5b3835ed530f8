/*
 * test_mime.c: the streaming MIME builder: exact size, 76-column base64,
 * RFC 2047 and RFC 2231 round trips with Vietnamese text, boundaries.
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
#include <openssl/evp.h>

#include "mime.h"

/* Decodes base64 text (ignoring line ends); returns the byte count. */
static size_t
b64_decode(const char *in, size_t len, unsigned char *out)
{
	char	*clean = malloc(len + 1);
	size_t	 i, n = 0, pad = 0;
	int	 got;

	for (i = 0; i < len; i++)
		if (in[i] != '\r' && in[i] != '\n')
			clean[n++] = in[i];
	if (n >= 1 && clean[n - 1] == '=')
		pad++;
	if (n >= 2 && clean[n - 2] == '=')
		pad++;
	got = EVP_DecodeBlock(out, (unsigned char *)clean, (int)n);
	free(clean);
	assert_true(got >= 0);
	return (size_t)got - pad;
}

static void
b64_sizes(void **state)
{
	unsigned char	in[400];
	char		out[1000];
	size_t		n, o, i, col;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7);
	for (n = 0; n <= sizeof(in); n++) {
		o = mime_b64_lines(in, n, out);
		assert_int_equal(o, mime_b64_size(n));
		for (i = 0, col = 0; i < o; i++) {
			if (out[i] == '\r') {
				assert_true(out[i + 1] == '\n');
				assert_true(col <= 76);
				col = 0;
				i++;
				continue;
			}
			col++;
		}
	}
	assert_true(mime_b64_size(57) == 78);
	assert_true(mime_b64_size(58) == 78 + 6);
	assert_true(mime_b64_size(100000000ULL) ==
	    100000000ULL / 57 * 78 + ((100000000ULL % 57) + 2) / 3 * 4 + 2);
}

/* Builds a message around an attachment of n bytes; returns it whole. */
static char *
build(size_t n, const char *text, const char *name, uint64_t announce,
    struct err *e, size_t *len, unsigned char **data)
{
	struct header	 h;
	struct mime_spec spec;
	struct mime_msg	*mm;
	struct smtp_msg	 m;
	FILE		*fp = tmpfile();
	char		*out = NULL, buf[4099];
	size_t		 olen = 0, cap = 0, got, i;
	unsigned char	*d = malloc(n + 1);

	for (i = 0; i < n; i++)
		d[i] = (unsigned char)rand();
	fwrite(d, 1, n, fp);
	fflush(fp);
	rewind(fp);
	header_init(&h);
	err_clear(e);
	assert_int_equal(header_insert(&h, 0, "Subject", "test", e), 0);
	memset(&spec, 0, sizeof(spec));
	spec.hdr = &h;
	spec.text = text;
	spec.att_type = "application/pdf";
	spec.att_name = name;
	spec.att_fd = fileno(fp);
	spec.att_size = announce;
	mm = mime_new(&spec, e);
	assert_non_null(mm);
	assert_int_equal(mime_msg(mm, &m, e), 0);
	for (;;) {
		if (m.read(m.ctx, buf, sizeof(buf), &got, e) == -1) {
			free(out);
			out = NULL;
			break;
		}
		if (got == 0)
			break;
		if (olen + got + 1 > cap) {
			cap = (olen + got + 1) * 2;
			out = realloc(out, cap);
		}
		memcpy(out + olen, buf, got);
		olen += got;
	}
	if (out != NULL) {
		out[olen] = '\0';
		/* The size announced for SIZE is exactly what was produced. */
		assert_true(olen == m.size);
	}
	*len = olen;
	mime_free(mm);
	header_clear(&h);
	fclose(fp);
	if (data != NULL)
		*data = d;
	else
		free(d);
	return out;
}

static void
exact_size_and_content(void **state)
{
	static const size_t sizes[] = { 1, 56, 57, 58, 1000, 57 * 1024,
	    57 * 1024 + 1, 57 * 2048 + 13, 300001 };
	size_t		 i, len, dl;
	struct err	 e;
	unsigned char	*data, *dec;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *msg = build(sizes[i], "Invoice attached.", "a.pdf",
		    sizes[i], &e, &len, &data);
		char *start, *end;

		assert_non_null(msg);
		start = strstr(msg, "Content-Transfer-Encoding: base64\r\n\r\n");
		assert_non_null(start);
		start += 37;
		end = strstr(start, "\r\n--=_printmail_");
		assert_non_null(end);
		/* 76-column lines. */
		{
			char *p = start, *nl;

			while (p < end && (nl = strstr(p, "\r\n")) != NULL &&
			    nl <= end) {
				assert_true(nl - p <= 76);
				p = nl + 2;
			}
		}
		dec = malloc(sizes[i] + 4);
		dl = b64_decode(start, (size_t)(end - start) + 2, dec);
		assert_int_equal(dl, sizes[i]);
		assert_memory_equal(dec, data, sizes[i]);
		free(dec);
		free(data);
		free(msg);
	}
}

static void
structure(void **state)
{
	struct err	 e;
	size_t		 len;
	char		*msg, bound[64], *b;

	(void)state;
	msg = build(100, "Hello\nworld", "x.pdf", 100, &e, &len, NULL);
	assert_non_null(strstr(msg, "Subject: test\r\nMIME-Version: 1.0\r\n"));
	b = strstr(msg, "boundary=\"");
	assert_non_null(b);
	b += 10;
	snprintf(bound, sizeof(bound), "%.*s", (int)strcspn(b, "\""), b);
	assert_true(strlen(bound) > 20);
	/* Two part delimiters and the close delimiter, each on its own line. */
	{
		char delim[80], close[80];
		char *p = msg;
		int count = 0;

		snprintf(delim, sizeof(delim), "\r\n--%s\r\n", bound);
		snprintf(close, sizeof(close), "\r\n--%s--\r\n", bound);
		while ((p = strstr(p, delim)) != NULL) {
			count++;
			p++;
		}
		assert_int_equal(count, 2);
		assert_non_null(strstr(msg, close));
		assert_int_equal(strlen(strstr(msg, close)), strlen(close));
	}
	assert_non_null(strstr(msg, "Content-Transfer-Encoding: 7bit\r\n\r\n"
	    "Hello\r\nworld\r\n"));
	assert_non_null(strstr(msg, "Content-Type: application/pdf;\r\n "
	    "name=\"x.pdf\"\r\nContent-Disposition: attachment;\r\n "
	    "filename=\"x.pdf\"\r\n"));
	free(msg);
}

static void
vietnamese_text_and_name(void **state)
{
	struct err	 e;
	size_t		 len;
	char		*msg, *p, *ascii, *ext;
	char		 decoded[256];
	size_t		 i, o = 0;
	const char	*name = "Hóa đơn GTGT số 0001234.pdf";

	(void)state;
	msg = build(10, "Kính gửi Quý khách", name, 10, &e, &len, NULL);
	/* Non-ASCII text goes base64. */
	assert_non_null(strstr(msg, "charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"));
	/* The ASCII fallback in name=, no plain filename= to prefer. */
	assert_non_null(strstr(msg, "name=\"Hoa don GTGT so 0001234.pdf\""));
	assert_null(strstr(msg, "filename=\""));
	/* RFC 2231 continuations, in order, before the ASCII fallback. */
	p = strstr(msg, "filename*0*=UTF-8''");
	assert_non_null(p);
	p += 19;
	for (;;) {
		for (i = 0; p[i] != ';' && p[i] != '\r'; i++) {
			if (p[i] == '%') {
				unsigned int c;

				sscanf(p + i + 1, "%2x", &c);
				decoded[o++] = (char)c;
				i += 2;
			} else
				decoded[o++] = p[i];
		}
		if (p[i] == '\r')
			break;
		p += i + 1;
		if (strncmp(p, "\r\n filename*", 12) != 0)
			break;
		p = strstr(p, "*=") + 2;
	}
	decoded[o] = '\0';
	assert_string_equal(decoded, name);
	free(msg);

	assert_int_equal(mime_filename("plain.pdf", &ascii, &ext), 0);
	assert_string_equal(ascii, "plain.pdf");
	assert_null(ext);
	free(ascii);
	assert_int_equal(mime_filename("a\"b\\c\xff.pdf", &ascii, &ext), 0);
	assert_string_equal(ascii, "a_b_c_.pdf");
	free(ascii);
	free(ext);
}

static void
rfc2047_round_trip(void **state)
{
	const char	*subject = "Hóa đơn GTGT số 0001234 — tháng 11/2026, "
			    "Công ty TNHH Thương mại Dịch vụ Kế toán Hà Nội";
	char		*enc = header_text(subject), *p, *q;
	char		 out[512];
	size_t		 o = 0;

	(void)state;
	/* Decode every "=?UTF-8?B?...?=" word and join them. */
	for (p = enc; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = q + 2) {
		p += 10;
		q = strstr(p, "?=");
		assert_non_null(q);
		assert_true(q - p + 12 <= 75);
		o += b64_decode(p, (size_t)(q - p), (unsigned char *)out + o);
	}
	out[o] = '\0';
	assert_string_equal(out, subject);
	free(enc);
}

static void
short_document_detected(void **state)
{
	struct err	 e;
	size_t		 len;
	char		*msg;

	(void)state;
	msg = build(100, "x", "x.pdf", 200, &e, &len, NULL);
	assert_null(msg);
	assert_int_equal(e.kind, ERR_INTERNAL);
	assert_non_null(strstr(e.msg, "shorter than announced"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64_sizes),
		cmocka_unit_test(exact_size_and_content),
		cmocka_unit_test(structure),
		cmocka_unit_test(vietnamese_text_and_name),
		cmocka_unit_test(rfc2047_round_trip),
		cmocka_unit_test(short_document_detected),
	};

	return cmocka_run_group_tests_name("mime", tests, NULL, NULL);
}
