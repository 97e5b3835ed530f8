/*
 * test_reply.c: reply lines, enhanced status codes, EHLO capabilities.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reply.h"
#include "smtp.h"
#include "util.h"

static void
parse_lines(void **state)
{
	int	code, more;
	size_t	text;

	(void)state;
	assert_int_equal(reply_parse_line("250 ok", 6, &code, &more, &text), 0);
	assert_int_equal(code, 250);
	assert_int_equal(more, 0);
	assert_int_equal(text, 4);
	assert_int_equal(reply_parse_line("250-PIPELINING", 14, &code, &more,
	    &text), 0);
	assert_int_equal(more, 1);
	assert_int_equal(reply_parse_line("354", 3, &code, &more, &text), 0);
	assert_int_equal(code, 354);
	/* Hostile or broken shapes. */
	assert_int_equal(reply_parse_line("25", 2, &code, &more, &text), -1);
	assert_int_equal(reply_parse_line("2500 x", 6, &code, &more, &text),
	    -1);
	assert_int_equal(reply_parse_line("650 x", 5, &code, &more, &text), -1);
	assert_int_equal(reply_parse_line("199 x", 5, &code, &more, &text), -1);
	assert_int_equal(reply_parse_line("abc def", 7, &code, &more, &text),
	    -1);
	assert_int_equal(reply_parse_line("", 0, &code, &more, &text), -1);
	assert_int_equal(reply_parse_line("25x ok", 6, &code, &more, &text),
	    -1);
}

static void
enhanced_codes(void **state)
{
	char	enh[16];

	(void)state;
	assert_int_equal(reply_enhanced("5.7.139 Authentication", 22, 535, enh),
	    8);
	assert_string_equal(enh, "5.7.139");
	assert_int_equal(reply_enhanced("2.0.0", 5, 250, enh), 5);
	assert_string_equal(enh, "2.0.0");
	/* Class must match the reply code. */
	assert_int_equal(reply_enhanced("4.7.0 x", 7, 535, enh), 0);
	assert_string_equal(enh, "");
	assert_int_equal(reply_enhanced("5.7.1234 x", 10, 550, enh), 0);
	assert_int_equal(reply_enhanced("5..1 x", 6, 550, enh), 0);
	assert_int_equal(reply_enhanced("5.7.1x", 6, 550, enh), 0);
	assert_int_equal(reply_enhanced("Ok", 2, 250, enh), 0);
}

static void
format_joins_lines(void **state)
{
	struct reply	r;
	char		buf[256];

	(void)state;
	reply_init(&r, 534);
	reply_add_line(&r, "5.7.9 Application-specific password required. "
	    "Learn more at", 59);
	reply_add_line(&r, "5.7.9 https://support.google.com/x", 34);
	assert_string_equal(r.enh, "5.7.9");
	reply_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "534 5.7.9 Application-specific password "
	    "required. Learn more at https://support.google.com/x");
	/* Truncation keeps a terminated string. */
	reply_format(&r, buf, 12);
	assert_int_equal(strlen(buf), 11);
}

static void
control_characters_replaced(void **state)
{
	struct reply	r;

	(void)state;
	reply_init(&r, 550);
	reply_add_line(&r, "bad\r\nERROR: forged\x1b[31m", 23);
	assert_null(strchr(r.text, '\r'));
	assert_null(strchr(r.text, '\n'));
	assert_null(strchr(r.text, '\x1b'));
}

static void
text_is_bounded(void **state)
{
	struct reply	r;
	char		line[1000];
	int		i;

	(void)state;
	memset(line, 'x', sizeof(line));
	reply_init(&r, 250);
	for (i = 0; i < 20; i++)
		reply_add_line(&r, line, sizeof(line));
	assert_true(strlen(r.text) < REPLY_TEXT_MAX);
}

static void
ehlo_caps(void **state)
{
	struct reply	r;
	struct caps	c;
	static const char *lines[] = {
		"smtp.office365.com Hello", "SIZE 157286400", "PIPELINING",
		"DSN", "ENHANCEDSTATUSCODES", "AUTH LOGIN XOAUTH2", "8BITMIME",
		"BINARYMIME", "CHUNKING", "SMTPUTF8"
	};
	size_t i;

	(void)state;
	reply_init(&r, 250);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		reply_add_line(&r, lines[i], strlen(lines[i]));
	reply_caps(&r, &c);
	assert_int_equal(c.starttls, 0);
	assert_int_equal(c.pipelining, 1);
	assert_int_equal(c.eightbitmime, 1);
	assert_int_equal(c.smtputf8, 1);
	assert_int_equal(c.has_size, 1);
	assert_true(c.size == 157286400ULL);
	assert_int_equal(c.auth, CAPS_AUTH_LOGIN | CAPS_AUTH_XOAUTH2);
	assert_string_equal(c.auth_list, "LOGIN XOAUTH2");
}

static void
ehlo_caps_odd_forms(void **state)
{
	struct reply	r;
	struct caps	c;

	(void)state;
	reply_init(&r, 250);
	/* The greeting line is not a keyword even if it looks like one. */
	reply_add_line(&r, "STARTTLS", 8);
	reply_add_line(&r, "AUTH=PLAIN LOGIN", 16);
	reply_add_line(&r, "size", 4);
	reply_add_line(&r, "starttls", 8);
	reply_caps(&r, &c);
	assert_int_equal(c.starttls, 1);
	assert_int_equal(c.auth, CAPS_AUTH_PLAIN | CAPS_AUTH_LOGIN);
	assert_int_equal(c.has_size, 1);
	assert_true(c.size == 0);

	reply_init(&r, 250);
	reply_add_line(&r, "x", 1);
	reply_add_line(&r, "SIZE 99999999999999999999999", 28);
	reply_add_line(&r, "STARTTLSX", 9);
	reply_caps(&r, &c);
	assert_true(c.size == 0);
	assert_int_equal(c.starttls, 0);
}

static void
classify(void **state)
{
	struct reply r;

	(void)state;
#define C(stage, code, text, want) do {					\
		reply_init(&r, code);					\
		reply_add_line(&r, text, strlen(text));			\
		assert_int_equal(smtp_classify(stage, &r), want);	\
	} while (0)
	C(SMTP_AUTH, 535, "5.7.139 Authentication unsuccessful", ERR_AUTH);
	C(SMTP_AUTH, 454, "4.7.0 Temporary authentication failure", ERR_TEMP);
	C(SMTP_AUTH, 504, "5.7.4 Unrecognized authentication type", ERR_AUTH);
	C(SMTP_MAIL, 550, "5.7.60 SMTP; Client does not have permissions",
	    ERR_AUTH);
	C(SMTP_MAIL, 553, "5.1.7 bad sender address syntax", ERR_REFUSED);
	C(SMTP_RCPT, 550, "5.1.1 unknown", ERR_REFUSED);
	C(SMTP_RCPT, 550, "5.7.30 Basic authentication is not supported",
	    ERR_AUTH);
	C(SMTP_BODY, 554, "5.2.252 SendAsDenied; x not allowed", ERR_AUTH);
	C(SMTP_BODY, 554, "5.2.2 mailbox full", ERR_REFUSED);
	C(SMTP_BODY, 432, "4.3.2 STOREDRV.ClientSubmit", ERR_TEMP);
	/* Before AUTH, account codes mean nothing (anyone can send them). */
	C(SMTP_STARTTLS, 554, "5.7.3 no TLS", ERR_TLS);
	C(SMTP_GREETING, 554, "5.7.139 basic authentication is disabled",
	    ERR_PROTOCOL);
	C(SMTP_EHLO, 550, "5.7.30 Basic authentication is not supported",
	    ERR_PROTOCOL);
	C(SMTP_EHLO, 554, "5.2.252 SendAsDenied", ERR_PROTOCOL);
	C(SMTP_GREETING, 554, "SendAsDenied", ERR_PROTOCOL);
	C(SMTP_STARTTLS, 501, "5.5.4 syntax", ERR_TLS);
	C(SMTP_GREETING, 554, "no service", ERR_PROTOCOL);
	C(SMTP_GREETING, 421, "4.7.66 TLS 1.0 and 1.1 are not supported.",
	    ERR_TEMP);
#undef C
}

/* Outside text becomes one clean line: no forged log or status line. */
static void
clean_lines(void **state)
{
	char	s[128];

	(void)state;
	util_strlcpy(s, "ok\nPPD: DefaultEmailTo=Custom.x@evil\r\n", sizeof(s));
	assert_string_equal(util_clean(s), "ok PPD: DefaultEmailTo=Custom.x@evil  ");
	util_strlcpy(s, "a\tb\001c\033[2Jd\177e", sizeof(s));
	assert_string_equal(util_clean(s), "a b?c?[2Jd?e");
	/* UTF-8 stays; C1 controls, overlong forms and stray bytes do not. */
	util_strlcpy(s, "Ph\xc3\xb2ng K\xe1\xba\xbf to\xc3\xa1n", sizeof(s));
	assert_string_equal(util_clean(s), "Ph\xc3\xb2ng K\xe1\xba\xbf to\xc3\xa1n");
	util_strlcpy(s, "x\xc2\x9by\xc0\x8az\xff\xe1\x80", sizeof(s));
	assert_string_equal(util_clean(s), "x??y??z???");
	util_strlcpy(s, "\xed\xa0\x80\xf4\x90\x80\x80", sizeof(s));
	assert_string_equal(util_clean(s), "???????");
}

static void
base64_vectors(void **state)
{
	char	out[64];

	(void)state;
	/* RFC 4648 section 10. */
	util_b64_encode((const unsigned char *)"", 0, out);
	assert_string_equal(out, "");
	util_b64_encode((const unsigned char *)"f", 1, out);
	assert_string_equal(out, "Zg==");
	util_b64_encode((const unsigned char *)"fo", 2, out);
	assert_string_equal(out, "Zm8=");
	util_b64_encode((const unsigned char *)"foo", 3, out);
	assert_string_equal(out, "Zm9v");
	util_b64_encode((const unsigned char *)"foobar", 6, out);
	assert_string_equal(out, "Zm9vYmFy");
	assert_int_equal(util_b64_len(6), 8);
	assert_int_equal(util_b64_len(7), 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_lines),
		cmocka_unit_test(enhanced_codes),
		cmocka_unit_test(format_joins_lines),
		cmocka_unit_test(control_characters_replaced),
		cmocka_unit_test(text_is_bounded),
		cmocka_unit_test(ehlo_caps),
		cmocka_unit_test(ehlo_caps_odd_forms),
		cmocka_unit_test(classify),
		cmocka_unit_test(clean_lines),
		cmocka_unit_test(base64_vectors),
	};

	return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
