/*
 * test_dotstuff.c: CRLF normalisation and dot-stuffing, in any chunking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dotstuff.h"

/* Encodes in chunks of size step and returns the whole output. */
static char *
encode(const char *in, size_t step, int dots)
{
	struct dotstuff	 d;
	size_t		 len = strlen(in), i, o = 0;
	char		*out = malloc(DOTSTUFF_MAX_OUT(len) + DOTSTUFF_FINISH_MAX +
			    1);

	if (dots)
		dotstuff_init(&d);
	else
		dotstuff_init_crlf(&d);
	for (i = 0; i < len; i += step) {
		size_t n = len - i < step ? len - i : step;

		o += dotstuff_encode(&d, in + i, n, out + o);
	}
	o += dotstuff_finish(&d, out + o);
	out[o] = '\0';
	return out;
}

static void
check(const char *in, const char *want)
{
	size_t	step;

	for (step = 1; step <= strlen(in) + 1; step++) {
		char *got = encode(in, step, 1);
		struct dotstuff d;
		char fin[DOTSTUFF_FINISH_MAX];
		size_t i, n = 0;

		if (strcmp(got, want) != 0)
			fail_msg("chunk %zu: \"%s\" -> \"%s\", want \"%s\"",
			    step, in, got, want);
		/* Measuring gives the same length, in the same chunks. */
		dotstuff_init(&d);
		for (i = 0; i < strlen(in); i += step)
			n += dotstuff_measure(&d, in + i, strlen(in) - i < step ?
			    strlen(in) - i : step);
		n += dotstuff_finish(&d, fin);
		assert_int_equal(n, strlen(want));
		free(got);
	}
}

static void
line_ends(void **state)
{
	(void)state;
	check("a\nb\n", "a\r\nb\r\n.\r\n");
	check("a\r\nb\r\n", "a\r\nb\r\n.\r\n");
	check("a\rb", "a\r\nb\r\n.\r\n");
	check("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n");
	check("no end", "no end\r\n.\r\n");
	check("", ".\r\n");
	check("\n", "\r\n.\r\n");
	check("ends in cr\r", "ends in cr\r\n.\r\n");
}

static void
dots(void **state)
{
	(void)state;
	check(".", "..\r\n.\r\n");
	check(".\n", "..\r\n.\r\n");
	check("a\n.\nb\n", "a\r\n..\r\nb\r\n.\r\n");
	check("a\r\n..b\r\n", "a\r\n...b\r\n.\r\n");
	check("a.b\n", "a.b\r\n.\r\n");
	check("x\r.y", "x\r\n..y\r\n.\r\n");
}

static void
crlf_only(void **state)
{
	char	*got;

	(void)state;
	got = encode("a\n.b\nc", 2, 0);
	assert_string_equal(got, "a\r\n.b\r\nc\r\n");
	free(got);
	got = encode("", 1, 0);
	assert_string_equal(got, "");
	free(got);
}

static void
worst_case_fits(void **state)
{
	/* Every byte a CR followed by a dot line: the bound must hold. */
	struct dotstuff	d;
	char		in[64], out[DOTSTUFF_MAX_OUT(64)];
	size_t		n;

	(void)state;
	memset(in, '\n', sizeof(in));
	dotstuff_init(&d);
	n = dotstuff_encode(&d, in, sizeof(in), out);
	assert_true(n <= sizeof(out));
	memset(in, '.', sizeof(in));
	dotstuff_init(&d);
	n = dotstuff_encode(&d, in, sizeof(in), out);
	assert_int_equal(n, 65);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_ends),
		cmocka_unit_test(dots),
		cmocka_unit_test(crlf_only),
		cmocka_unit_test(worst_case_fits),
	};

	return cmocka_run_group_tests_name("dotstuff", tests, NULL, NULL);
}
