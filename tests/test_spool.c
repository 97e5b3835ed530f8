/*
 * test_spool.c: reading printmail's input: header/body split, CRLF,
 * sendmail's lone-dot rule, hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dotstuff.h"
#include "spool.h"

static int via_pipe;	/* 1: feed the input through a pipe, else a file */
static int verbatim_seen;	/* messages the file path marked verbatim */

/* Feeds in through a pipe from a child process; returns the read end. */
static int
pipe_from(const char *in, size_t len)
{
	int	fds[2];
	pid_t	pid;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		size_t off = 0;

		close(fds[0]);
		while (off < len) {
			ssize_t w = write(fds[1], in + off, len - off);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

/*
 * Spools in (len bytes) and returns what goes on the wire before
 * dot-stuffing: the message source, CRLF-normalised as the engine does.
 * The announced size must match it exactly, on both paths.
 */
static char *
roundtrip(const char *in, size_t len, int dot_ends, struct spool *sp,
    struct err *e, uint64_t *size)
{
	FILE		*fp = NULL;
	struct smtp_msg	 m;
	struct dotstuff	 d, wire;
	char		*out = NULL, *wired = NULL, *raw = NULL;
	size_t		 olen = 0, ocap = 0, got, wlen = 0, rlen = 0, wcap = 0;
	char		 buf[7], enc[DOTSTUFF_MAX_OUT(7) + DOTSTUFF_FINISH_MAX];
	int		 fd;

	if (via_pipe)
		fd = pipe_from(in, len);
	else {
		fp = tmpfile();
		assert_non_null(fp);
		fwrite(in, 1, len, fp);
		fflush(fp);
		rewind(fp);
		fd = fileno(fp);
	}
	spool_init(sp);
	err_clear(e);
	if (spool_read(sp, fd, dot_ends, "/tmp", e) == -1) {
		if (fp != NULL)
			fclose(fp);
		else
			close(fd);
		while (wait(NULL) > 0)
			;
		return NULL;
	}
	if (fp != NULL)
		fclose(fp);
	else
		close(fd);
	while (wait(NULL) > 0)
		;
	assert_int_equal(spool_msg(sp, &m, e), 0);
	dotstuff_init_crlf(&d);
	dotstuff_init(&wire);
	for (;;) {
		size_t n;

		assert_int_equal(m.read(m.ctx, buf, sizeof(buf), &got, e), 0);
		/*
		 * A message marked verbatim goes on the wire as it is: the
		 * engine's dot-stuffing must change nothing of it.
		 */
		if (m.verbatim) {
			n = got == 0 ? dotstuff_finish(&wire, enc) :
			    dotstuff_encode(&wire, buf, got, enc);
			if (wlen + n + got + 1 > wcap) {
				wcap = (wlen + n + got + 1) * 2;
				wired = realloc(wired, wcap);
				raw = realloc(raw, wcap);
			}
			memcpy(wired + wlen, enc, n);
			wlen += n;
			memcpy(raw + rlen, got ? buf : ".\r\n", got ? got : 3);
			rlen += got ? got : 3;
		}
		n = got == 0 ? dotstuff_finish(&d, enc) :
		    dotstuff_encode(&d, buf, got, enc);
		if (olen + n + 1 > ocap) {
			ocap = (olen + n + 1) * 2;
			out = realloc(out, ocap);
		}
		memcpy(out + olen, enc, n);
		olen += n;
		if (got == 0)
			break;
	}
	if (m.verbatim) {
		verbatim_seen++;
		assert_int_equal(wlen, rlen);
		assert_memory_equal(wired, raw, rlen);
	}
	free(wired);
	free(raw);
	if (out == NULL)
		out = malloc(1);
	out[olen] = '\0';
	assert_int_equal(olen, m.size);
	if (size != NULL)
		*size = m.size;
	return out;
}

#define RT(in, dots) roundtrip(in, strlen(in), dots, &sp, &e, NULL)

static void
header_and_body(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	out = RT("Subject: hi\nTo: a@x.vn,\n b@y.vn\n\nline 1\n.line 2\n", 0);
	assert_string_equal(out, "Subject: hi\r\nTo: a@x.vn,\r\n b@y.vn\r\n"
	    "\r\nline 1\r\n.line 2\r\n");
	assert_int_equal(sp.hdr.n, 2);
	free(out);
	spool_clear(&sp);
}

static void
no_header(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	out = RT("just a body line\nsecond\n", 0);
	assert_string_equal(out, "\r\njust a body line\r\nsecond\r\n");
	free(out);
	spool_clear(&sp);
	out = RT("", 0);
	assert_string_equal(out, "\r\n");
	free(out);
	spool_clear(&sp);
	out = RT("Subject: only a header", 0);
	assert_string_equal(out, "Subject: only a header\r\n\r\n");
	free(out);
	spool_clear(&sp);
}

static void
mbox_from_line_dropped(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	out = RT("From someone Sat Nov 28 00:00:00 2026\nSubject: x\n\nbody\n",
	    0);
	assert_string_equal(out, "Subject: x\r\n\r\nbody\r\n");
	free(out);
	spool_clear(&sp);
}

static void
lone_dot_ends_input_without_i(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	out = RT("Subject: x\n\nkeep\n.\nlost\n", 1);
	assert_string_equal(out, "Subject: x\r\n\r\nkeep\r\n");
	free(out);
	spool_clear(&sp);
	out = RT("Subject: x\r\n\r\nkeep\r\n.\r\nlost\r\n", 1);
	assert_string_equal(out, "Subject: x\r\n\r\nkeep\r\n");
	free(out);
	spool_clear(&sp);
	/* Dots that are not alone on their line stay. */
	out = RT("Subject: x\n\n.a\n..\n. \nend\n", 1);
	assert_string_equal(out, "Subject: x\r\n\r\n.a\r\n..\r\n. \r\nend\r\n");
	free(out);
	spool_clear(&sp);
	/* With -i the lone dot is data. */
	out = RT("Subject: x\n\nkeep\n.\nkept\n", 0);
	assert_string_equal(out, "Subject: x\r\n\r\nkeep\r\n.\r\nkept\r\n");
	free(out);
	spool_clear(&sp);
}

static void
eightbit_detected(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	out = RT("Subject: x\n\nHóa đơn\n", 0);
	assert_int_equal(sp.body_8bit, 1);
	free(out);
	spool_clear(&sp);
	out = RT("Subject: x\n\nascii\n", 0);
	assert_int_equal(sp.body_8bit, 0);
	free(out);
	spool_clear(&sp);
}

/* Postfix delivers a stray NUL; so do we, as a blank, and count it. */
static void
nul_bytes_sent_as_blanks(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	out = roundtrip("Subject: x\n\na\0b\0\n", 17, 0, &sp, &e, NULL);
	assert_non_null(out);
	assert_memory_equal(out, "Subject: x\r\n\r\na b \r\n", 18);
	assert_int_equal(sp.body_nul, 2);
	free(out);
	spool_clear(&sp);
	/* No header field has a NUL in its name: that line is the body. */
	out = roundtrip("Subj\0ect: x\n\nab\n", 16, 0, &sp, &e, NULL);
	assert_non_null(out);
	assert_string_equal(out, "\r\nSubj ect: x\r\n\r\nab\r\n");
	free(out);
	spool_clear(&sp);
}

/* RFC 5322 4.5.3: blanks before the colon still make a header field. */
static void
obsolete_blank_before_colon(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	out = RT("Subject : x\nCc: a@b.vn\nBcc :c@d.vn\n\nbody\n", 0);
	assert_non_null(out);
	assert_int_equal(sp.hdr.n, 3);
	assert_int_equal(header_find(&sp.hdr, "Subject", 0), 0);
	assert_int_equal(header_find(&sp.hdr, "Bcc", 0), 2);
	free(out);
	spool_clear(&sp);
}

/* No header, a first line past HEADER_MAX: the body, as Postfix takes it. */
static void
huge_first_line_is_body(void **state)
{
	struct spool	sp;
	struct err	e;
	size_t		len = 3 * 1024 * 1024;
	char		*in = malloc(len + 8), *out;
	int		dots;

	(void)state;
	for (dots = 0; dots < 2; dots++) {
		memset(in, 'x', len);
		memcpy(in + len, "\nend\n", 5);
		out = roundtrip(in, len + 5, dots, &sp, &e, NULL);
		assert_non_null(out);
		assert_int_equal(sp.hdr.n, 0);
		assert_int_equal(strlen(out), 2 + len + 2 + 5);
		assert_memory_equal(out + 2 + len, "\r\nend\r\n", 7);
		free(out);
		spool_clear(&sp);
	}
	free(in);
}

static void
huge_header_line_refused(void **state)
{
	struct spool	sp;
	struct err	e;
	size_t		len = 3 * 1024 * 1024;
	char		*in = malloc(len + 1);

	(void)state;
	memset(in, 'x', len);
	memcpy(in, "X-Long: ", 8);
	in[len] = '\0';
	assert_null(roundtrip(in, len, 0, &sp, &e, NULL));
	assert_int_equal(e.kind, ERR_DATA);
	spool_clear(&sp);
	free(in);
}

static void
long_body_line_streams(void **state)
{
	struct spool	sp;
	struct err	e;
	size_t		len = 3 * 1024 * 1024;
	char		*in = malloc(len + 16), *out;
	uint64_t	size;

	(void)state;
	memcpy(in, "Subject: x\n\n", 12);
	memset(in + 12, 'y', len);
	out = roundtrip(in, len + 12, 0, &sp, &e, &size);
	assert_non_null(out);
	/* Header, blank line, the line and the CRLF added at its end. */
	assert_true(size == 12 + 2 + len + 2);
	free(out);
	free(in);
	spool_clear(&sp);
}

static void
lone_dot_in_header_or_at_the_end(void **state)
{
	struct spool	sp;
	struct err	e;
	char		*out;

	(void)state;
	/* A dot in the header section ends the message: an empty body. */
	out = RT("Subject: x\n.\nTo: lost@x.vn\n\nlost\n", 1);
	assert_string_equal(out, "Subject: x\r\n\r\n");
	free(out);
	spool_clear(&sp);
	/* A dot as the very last byte ends it too. */
	out = RT("Subject: x\n\nkeep\n.", 1);
	assert_string_equal(out, "Subject: x\r\n\r\nkeep\r\n");
	free(out);
	spool_clear(&sp);
	out = RT("Subject: x\n\nkeep\n.\r", 1);
	assert_string_equal(out, "Subject: x\r\n\r\nkeep\r\n");
	free(out);
	spool_clear(&sp);
}

/*
 * A large input with dots everywhere: the file read in place (mapped,
 * window by window) and the pipe copied give the same bytes and size,
 * with and without -i, the lone dot far past the first window.
 */
static void
file_and_pipe_agree_on_large_input(void **state)
{
	struct spool	sp;
	struct err	e;
	size_t		len = 0, cap = 3 * 1024 * 1024, i;
	char		*in = malloc(cap), *a, *b;
	uint64_t	sa, sb;
	int		dots, saved = via_pipe;

	(void)state;
	len += (size_t)sprintf(in, "Subject: big\n\n");
	for (i = 0; len < cap - 300000; i++) {
		static const char *const lines[] = { ".x\n", "..\n",
		    "plain line\r\n", ". \n", "a.b\n", ".\r.\n", "\n" };

		len += (size_t)sprintf(in + len, "%s%zu\n", lines[i % 7], i);
	}
	len += (size_t)sprintf(in + len, ".\nafter the dot\n");
	for (dots = 0; dots <= 1; dots++) {
		via_pipe = 0;
		a = roundtrip(in, len, dots, &sp, &e, &sa);
		assert_non_null(a);
		spool_clear(&sp);
		via_pipe = 1;
		b = roundtrip(in, len, dots, &sp, &e, &sb);
		assert_non_null(b);
		spool_clear(&sp);
		assert_true(sa == sb);
		assert_string_equal(a, b);
		assert_true((strstr(a, "after the dot") != NULL) == !dots);
		free(a);
		free(b);
	}
	via_pipe = saved;
	free(in);
}

/*
 * Random bodies over a small alphabet (CR, LF, dots, NUL, 8-bit bytes,
 * long runs): the file's one-pass scan and the pipe's copy agree on the
 * bytes, the size and every flag, with and without -i.
 */
static void
file_and_pipe_agree_on_random_input(void **state)
{
	static const char alpha[] = { 'a', '.', '\r', '\n', '\0', (char)0xc3,
	    'b', '\n', '.', 'x', 'y', 'z' };
	struct spool	sp;
	struct err	e;
	char		*in = malloc(20000), *a, *b;
	uint64_t	sa, sb;
	unsigned	seed = 12345;
	size_t		len, i;
	int		n, dots, saved = via_pipe, fa[4], fb[4];

	(void)state;
	for (n = 0; n < 300; n++) {
		len = (size_t)sprintf(in, "Subject: r%d\n\n", n);
		seed = seed * 1103515245 + 12345;
		for (i = (seed >> 8) % (n < 290 ? 300 : 19000); i > 0; i--) {
			seed = seed * 1103515245 + 12345;
			/* Mostly ordinary bytes, now and then a long run. */
			if ((seed >> 16) % 50 == 0) {
				size_t run = (seed >> 4) % 1500;

				if (len + run > 19900)
					break;
				memset(in + len, 'r', run);
				len += run;
			} else
				in[len++] = alpha[(seed >> 16) % sizeof(alpha)];
		}
		for (dots = 0; dots <= 1; dots++) {
			via_pipe = 0;
			a = roundtrip(in, len, dots, &sp, &e, &sa);
			assert_non_null(a);
			fa[0] = sp.body_8bit;
			fa[1] = sp.body_longline;
			fa[2] = (int)sp.body_nul;
			spool_clear(&sp);
			via_pipe = 1;
			b = roundtrip(in, len, dots, &sp, &e, &sb);
			assert_non_null(b);
			fb[0] = sp.body_8bit;
			fb[1] = sp.body_longline;
			fb[2] = (int)sp.body_nul;
			spool_clear(&sp);
			assert_true(sa == sb);
			assert_memory_equal(a, b, (size_t)sa);
			assert_memory_equal(fa, fb, 3 * sizeof(int));
			free(a);
			free(b);
		}
	}
	via_pipe = saved;
	free(in);
}

/*
 * What is sent is what was measured: a file that grows between the two
 * reads sends no more (nothing unscanned reaches the server); one that
 * shrinks fails the read before the end, so no final dot goes.
 */
static void
file_changed_after_measuring(void **state)
{
	struct spool	sp;
	struct err	e;
	struct smtp_msg	m;
	FILE		*fp = tmpfile();
	char		buf[256];
	size_t		got, n = 0;
	int		rc;

	(void)state;
	fputs("Subject: x\r\n\r\nbody\r\n", fp);
	fflush(fp);
	rewind(fp);
	spool_init(&sp);
	err_clear(&e);
	assert_int_equal(spool_read(&sp, fileno(fp), 0, "/tmp", &e), 0);
	fseek(fp, 0, SEEK_END);
	fputs(".\r\nMAIL FROM:<x@evil.test>\r\n", fp);
	fflush(fp);
	assert_int_equal(spool_msg(&sp, &m, &e), 0);
	assert_true(m.verbatim);
	do {
		assert_int_equal(m.read(m.ctx, buf + n, sizeof(buf) - n - 1,
		    &got, &e), 0);
		n += got;
	} while (got > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "Subject: x\r\n\r\nbody\r\n");
	assert_int_equal(ftruncate(fileno(fp), 15), 0);
	assert_int_equal(spool_msg(&sp, &m, &e), 0);
	do
		rc = m.read(m.ctx, buf, sizeof(buf), &got, &e);
	while (rc == 0 && got > 0);
	assert_int_equal(rc, -1);
	assert_int_equal(e.kind, ERR_TEMP);
	spool_clear(&sp);
	fclose(fp);
}

/* A file whose first bytes the caller has read already: from there on. */
static void
file_read_from_its_offset(void **state)
{
	struct spool	sp;
	struct err	e;
	struct smtp_msg	m;
	FILE		*fp = tmpfile();
	char		buf[256];
	size_t		got, n = 0;

	(void)state;
	fputs("JUNK\nSubject: x\n\nbody\n.\nlost\n", fp);
	fflush(fp);
	assert_int_equal(lseek(fileno(fp), 5, SEEK_SET), 5);
	spool_init(&sp);
	err_clear(&e);
	assert_int_equal(spool_read(&sp, fileno(fp), 1, "/tmp", &e), 0);
	assert_int_equal(spool_msg(&sp, &m, &e), 0);
	do {
		assert_int_equal(m.read(m.ctx, buf + n, sizeof(buf) - n - 1,
		    &got, &e), 0);
		n += got;
	} while (got > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "Subject: x\r\n\r\nbody\n");
	spool_clear(&sp);
	fclose(fp);
}

static int
use_file(void **state)
{
	(void)state;
	via_pipe = 0;
	return 0;
}

static int
use_pipe(void **state)
{
	(void)state;
	via_pipe = 1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_and_body),
		cmocka_unit_test(no_header),
		cmocka_unit_test(mbox_from_line_dropped),
		cmocka_unit_test(lone_dot_ends_input_without_i),
		cmocka_unit_test(eightbit_detected),
		cmocka_unit_test(nul_bytes_sent_as_blanks),
		cmocka_unit_test(obsolete_blank_before_colon),
		cmocka_unit_test(huge_first_line_is_body),
		cmocka_unit_test(huge_header_line_refused),
		cmocka_unit_test(long_body_line_streams),
		cmocka_unit_test(lone_dot_in_header_or_at_the_end),
		cmocka_unit_test(file_and_pipe_agree_on_large_input),
		cmocka_unit_test(file_and_pipe_agree_on_random_input),
		cmocka_unit_test(file_read_from_its_offset),
		cmocka_unit_test(file_changed_after_measuring),
	};

	int rc;

	/* Both paths: a regular file (read in place) and a pipe (copied). */
	rc = cmocka_run_group_tests_name("spool from a file", tests, use_file,
	    NULL);
	/* CRLF-clean bodies came through: the verbatim path was checked. */
	if (verbatim_seen < 5) {
		fprintf(stderr, "only %d messages were marked verbatim\n",
		    verbatim_seen);
		rc++;
	}
	rc += cmocka_run_group_tests_name("spool from a pipe", tests, use_pipe,
	    NULL);
	return rc;
}
