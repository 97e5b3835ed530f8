/*
 * test_header.c: header fields, address lists, encoded words, injection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "header.h"

static void
addresses(void **state)
{
	static const struct {
		const char *value;
		const char *want[4];
	} cases[] = {
		{ "a@x.vn", { "a@x.vn" } },
		{ "a@x.vn, b@y.vn", { "a@x.vn", "b@y.vn" } },
		{ "\"Nguyễn, Văn A\" <a@x.vn>, B <b@y.vn>", { "a@x.vn", "b@y.vn" } },
		{ "a@x.vn (Accounting, Hanoi)", { "a@x.vn" } },
		{ "undisclosed-recipients:;", { NULL } },
		{ "Team: a@x.vn, b@y.vn;, c@z.vn", { "a@x.vn", "b@y.vn", "c@z.vn" } },
		{ "<@relay.x:a@x.vn>", { "a@x.vn" } },
		{ "\"john doe\"@x.vn", { "\"john doe\"@x.vn" } },
		{ "  ", { NULL } },
		{ "<a@x.vn>,,<b@y.vn>", { "a@x.vn", "b@y.vn" } },
		{ "Name (comment) <a@x.vn> (more)", { "a@x.vn" } },
		/* Blanks inside stay: refused later, never another address. */
		{ "bad address@x.vn", { "bad address@x.vn" } },
		{ "< a@x.vn >", { "a@x.vn" } },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct addr_list l;
		struct err e;

		memset(&l, 0, sizeof(l));
		err_clear(&e);
		assert_int_equal(header_addresses(cases[i].value, &l, &e), 0);
		for (k = 0; cases[i].want[k] != NULL; k++) {
			if (k >= l.n)
				fail_msg("case %zu: only %zu addresses", i, l.n);
			assert_string_equal(l.v[k], cases[i].want[k]);
		}
		if (k != l.n)
			fail_msg("case %zu: %zu addresses, want %zu", i, l.n, k);
		addr_list_clear(&l);
	}
}

static void
mailbox_and_display(void **state)
{
	char		*addr, *display;
	struct err	 e;

	(void)state;
	err_clear(&e);
	assert_int_equal(header_mailbox("\"Scanner, 3rd floor\" "
	    "<scanner@printer.local>", &addr, &display, &e), 0);
	assert_string_equal(addr, "scanner@printer.local");
	assert_string_equal(display, "Scanner, 3rd floor");
	free(addr);
	free(display);
	assert_int_equal(header_mailbox("scanner@printer.local", &addr,
	    &display, &e), 0);
	assert_string_equal(addr, "scanner@printer.local");
	assert_string_equal(display, "");
	free(addr);
	free(display);
	assert_int_equal(header_mailbox("Nobody <>", &addr, &display, &e), -1);
	assert_int_equal(e.kind, ERR_DATA);
}

static void
phrase_encoding(void **state)
{
	char	*s;

	(void)state;
	s = header_phrase("Printer");
	assert_string_equal(s, "Printer");
	free(s);
	s = header_phrase("Kế toán, Hà Nội");
	assert_string_equal(s, "=?UTF-8?B?S+G6vyB0b8OhbiwgSMOgIE7hu5lp?=");
	free(s);
	s = header_phrase("Smith, John \"JJ\"");
	assert_string_equal(s, "\"Smith, John \\\"JJ\\\"\"");
	free(s);
	/* A CR LF can never start a new header line. */
	s = header_phrase("Evil\r\nBcc: victim@x.vn");
	assert_null(strchr(s, '\r'));
	assert_null(strchr(s, '\n'));
	free(s);
	s = header_text("Subject with =?fake?= word");
	assert_non_null(strstr(s, "=?UTF-8?B?"));
	free(s);
}

static void
long_text_is_folded(void **state)
{
	char	*s, *p;
	char	 in[400];
	size_t	 i, line = 0;

	(void)state;
	in[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(in, "Hóa đơn ");
	s = header_text(in);
	/* Every line at most 76 characters; words split between chars. */
	for (p = s; *p != '\0'; p++) {
		if (*p == '\n') {
			line = 0;
			continue;
		}
		line++;
		assert_true(line <= 76);
	}
	assert_non_null(strstr(s, "?=\r\n =?UTF-8?B?"));
	free(s);
}

static void
fields(void **state)
{
	struct header	h;
	struct err	e;
	char		*v;

	(void)state;
	header_init(&h);
	err_clear(&e);
	assert_true(header_is_field_start("Subject: x", 10));
	assert_false(header_is_field_start("Sub ject: x", 11));
	assert_false(header_is_field_start(": x", 3));
	assert_false(header_is_field_start("no colon", 8));
	assert_int_equal(header_append_line(&h, "Subject: long", 13, 0, &e), 0);
	assert_int_equal(header_append_line(&h, "\tvalue", 6, 1, &e), 0);
	assert_int_equal(header_append_line(&h, "To: a@x.vn", 10, 0, &e), 0);
	assert_int_equal(header_find(&h, "subject", 0), 0);
	assert_int_equal(header_find(&h, "TO", 0), 1);
	assert_int_equal(header_find(&h, "Cc", 0), -1);
	v = header_value(&h, 0);
	assert_string_equal(v, "long\tvalue");
	free(v);
	assert_int_equal(header_insert(&h, 0, "Date", "now", &e), 0);
	assert_int_equal(header_find(&h, "Subject", 0), 1);
	assert_string_equal(h.f[0].raw, "Date: now\r\n");
	header_remove(&h, 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.bytes, strlen("Subject: long\r\n\tvalue\r\nTo: a@x.vn\r\n"));
	/* Injection through an inserted value is refused. */
	assert_int_equal(header_insert(&h, 0, "X", "a\r\nBcc: b@y.vn", &e), -1);
	assert_int_equal(e.kind, ERR_DATA);
	/* Folding produced by the encoders is allowed. */
	err_clear(&e);
	assert_int_equal(header_insert(&h, 0, "X", "=?UTF-8?B?QQ==?=\r\n =?UTF-8?B?QQ==?=", &e), 0);
	header_clear(&h);
}

static void
header_size_capped(void **state)
{
	struct header	h;
	struct err	e;
	static char	line[1000];
	int		i, rc = 0;

	(void)state;
	header_init(&h);
	err_clear(&e);
	memset(line, 'x', sizeof(line));
	memcpy(line, "X-Fill: ", 8);
	for (i = 0; i < 2000 && rc == 0; i++)
		rc = header_append_line(&h, line, sizeof(line), 0, &e);
	assert_int_equal(rc, -1);
	assert_int_equal(e.kind, ERR_DATA);
	assert_true(h.bytes <= HEADER_MAX);
	header_clear(&h);
}

static void
date_and_id(void **state)
{
	char		buf[128];
	struct err	e;

	(void)state;
	/* A POSIX TZ string: no tzdata needed. */
	setenv("TZ", "ICT-7", 1);
	tzset();
	header_date(buf, sizeof(buf), 0);
	assert_string_equal(buf, "Thu, 1 Jan 1970 07:00:00 +0700");
	err_clear(&e);
	assert_int_equal(header_message_id(buf, sizeof(buf), "congty.com",
	    &e), 0);
	assert_true(buf[0] == '<');
	assert_non_null(strstr(buf, "@congty.com>"));
}

/* RFC 2047 decoding of display names: once, into UTF-8. */
static void
decode_words(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=", "J\xc3\xb6rg M\xc3\xbcller" },
		{ "=?utf-8?B?SOG7k2EgxJHGoW4=?=", "H\xe1\xbb\x93" "a \xc4\x91\xc6\xa1n" },
		/* Blanks between two words vanish, not around plain text. */
		{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?= c", "ab c" },
		{ "x =?UTF-8?Q?a?=", "x a" },
		{ "=?windows-1258?Q?Nguy=EA=DEn?=", "Nguy\xe1\xbb\x85n" },
		{ "=?iso-8859-1?q?caf=E9?=", "caf\xc3\xa9" },
		{ "=?UTF-8*vi?Q?x?=", "x" },
		/* Not encoded words: left as they are. */
		{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=" },
		{ "=?no-such-charset?Q?abc?=", "=?no-such-charset?Q?abc?=" },
		{ "=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=" },
		{ "=?UTF-8?B?!!!?=", "=?UTF-8?B?!!!?=" },
		{ "plain", "plain" },
		{ "", "" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = header_decode(cases[i].in);

		assert_non_null(out);
		assert_string_equal(out, cases[i].want);
		free(out);
	}
}

/* A display name keeps escaped quotes; Resent and obsolete names parse. */
static void
display_quotes(void **state)
{
	char		*addr, *display;
	struct err	 e;

	(void)state;
	err_clear(&e);
	assert_int_equal(header_mailbox("\"JJ \\\"Boss\\\"\" <jj@x.vn>", &addr,
	    &display, &e), 0);
	assert_string_equal(addr, "jj@x.vn");
	assert_string_equal(display, "JJ \"Boss\"");
	free(addr);
	free(display);
	assert_true(header_is_field_start("Subject : x", 11));
	assert_true(header_is_field_start("Subject\t: x", 11));
	assert_false(header_is_field_start(" Subject: x", 11));
	assert_false(header_is_field_start("Sub ject: x", 11));
	assert_false(header_is_field_start(" : x", 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_words),
		cmocka_unit_test(display_quotes),
		cmocka_unit_test(addresses),
		cmocka_unit_test(mailbox_and_display),
		cmocka_unit_test(phrase_encoding),
		cmocka_unit_test(long_text_is_folded),
		cmocka_unit_test(fields),
		cmocka_unit_test(header_size_capped),
		cmocka_unit_test(date_and_id),
	};

	return cmocka_run_group_tests_name("header", tests, NULL, NULL);
}
