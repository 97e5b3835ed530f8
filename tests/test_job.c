/*
 * test_job.c: the backend's device URI, options, templates, file names
 * and recipient policy, including header-injection attempts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "job.h"

static void
uris(void **state)
{
	struct job_uri	u;
	struct err	e;

	(void)state;
	err_clear(&e);
	assert_int_equal(job_parse_uri("email:/", &u, &e), 0);
	assert_string_equal(u.account, "default");
	assert_null(u.to);
	job_uri_clear(&u);
	assert_int_equal(job_parse_uri("email://scans", &u, &e), 0);
	assert_string_equal(u.account, "scans");
	job_uri_clear(&u);
	assert_int_equal(job_parse_uri("email:/invoices?to=a%40x.vn,b%40y.vn"
	    "&cc=c%40z.vn&subject=H%C3%B3a%20%C4%91%C6%A1n", &u, &e), 0);
	assert_string_equal(u.account, "invoices");
	assert_string_equal(u.to, "a@x.vn,b@y.vn");
	assert_string_equal(u.cc, "c@z.vn");
	assert_string_equal(u.subject, "Hóa đơn");
	job_uri_clear(&u);
	/* RFC 3986: '+' is a plus (sub-addressing), not a blank. */
	assert_int_equal(job_parse_uri("email:/x?to=ketoan+cups%40x.vn&"
	    "subject=a+b", &u, &e), 0);
	assert_string_equal(u.to, "ketoan+cups@x.vn");
	assert_string_equal(u.subject, "a+b");
	job_uri_clear(&u);
}

static void
bad_uris(void **state)
{
	static const char *bad[] = {
		"ipp://printer/x", "email:/bad name", "email:/x?bcc=a%40b.c",
		"email:/x?to=a%4", "email:/x?to=a%00b", "email:/x?to=a&to=b",
		"email:/x?password=secret", "email:/../etc",
	};
	struct job_uri	u;
	struct err	e;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		if (job_parse_uri(bad[i], &u, &e) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(e.kind, ERR_CONFIG);
		/* The message never repeats a parameter's value. */
		assert_null(strstr(e.msg, "secret"));
	}
}

static void
injection_through_uri_subject(void **state)
{
	struct job_uri	 u;
	struct err	 e;
	struct header	 h;
	char		*v;

	(void)state;
	err_clear(&e);
	assert_int_equal(job_parse_uri("email:/x?subject=Hi%0D%0ABcc:%20"
	    "evil%40x.vn", &u, &e), 0);
	v = header_text(u.subject);
	assert_null(strchr(v, '\r'));
	assert_null(strchr(v, '\n'));
	header_init(&h);
	assert_int_equal(header_insert(&h, 0, "Subject", v, &e), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.f[0].raw, "Subject: Hi  Bcc: evil@x.vn\r\n");
	header_clear(&h);
	free(v);
	job_uri_clear(&u);
}

static void
options(void **state)
{
	struct job_opts	o;
	struct err	e;

	(void)state;
	err_clear(&e);
	assert_int_equal(job_parse_options("email-to=a@x.vn "
	    "email-subject='Hóa đơn tháng 11' document-name-supplied="
	    "\"C:\\\\Users\\\\x\\\\Invoice 7.docx\" flag job-uuid=urn:uuid:1 "
	    "EmailTo=Custom.b@y.vn esc=a\\ b", &o, &e), 0);
	assert_string_equal(job_option(&o, "email-to"), "a@x.vn");
	assert_string_equal(job_option(&o, "email-subject"), "Hóa đơn tháng 11");
	assert_string_equal(job_option(&o, "document-name-supplied"),
	    "C:\\Users\\x\\Invoice 7.docx");
	assert_string_equal(job_option(&o, "flag"), "true");
	assert_string_equal(job_option(&o, "EmailTo"), "Custom.b@y.vn");
	assert_string_equal(job_option(&o, "esc"), "a b");
	assert_null(job_option(&o, "email-cc"));
	job_opts_clear(&o);
	assert_int_equal(job_parse_options("", &o, &e), 0);
	assert_int_equal(o.n, 0);
	job_opts_clear(&o);
}

static void
templates(void **state)
{
	struct job_vars	 v = { "Invoice 7", "ketoan", "invoices", "42",
			    "Invoice 7.pdf", "2026-11-28" };
	char		*s;

	(void)state;
	s = job_expand("[{printer}] {title} by {user}, job {job}, {date}, "
	    "{filename} {unknown} {", &v);
	assert_string_equal(s, "[invoices] Invoice 7 by ketoan, job 42, "
	    "2026-11-28, Invoice 7.pdf {unknown} {");
	free(s);
	s = job_expand("{title}{title}{title}{title}", &v);
	assert_string_equal(s, "Invoice 7Invoice 7Invoice 7Invoice 7");
	free(s);
}

static void
filenames(void **state)
{
	static const struct {
		const char *doc, *title, *want;
	} cases[] = {
		{ NULL, "Hóa đơn GTGT số 0001234", "Hóa đơn GTGT số 0001234.pdf" },
		{ NULL, "smbprn.00000012 Invoice 7", "Invoice 7.pdf" },
		{ NULL, "Microsoft Word - Invoice.docx", "Microsoft Word - Invoice.pdf" },
		{ "C:\\Users\\x\\Report Q3.xlsx", "ignored", "Report Q3.pdf" },
		{ NULL, "/home/ketoan/invoices/inv-7.pdf", "inv-7.pdf" },
		{ NULL, "a<b>c:d\"e|f?g*h", "abcdefgh.pdf" },
		{ NULL, "line\r\nbreak", "linebreak.pdf" },
		{ NULL, "", "job-42.pdf" },
		{ NULL, "...", "job-42.pdf" },
		{ NULL, "smbprn.00000012", "job-42.pdf" },
		{ "", "Title", "Title.pdf" },
		{ "(stdin)", "Title", "Title.pdf" },
		{ "Hóa đơn 7.pdf", "Title", "Hóa đơn 7.pdf" },
		{ NULL, "version 1.2.3 final", "version 1.2.3 final.pdf" },
		/* Numbers are not extensions: two invoices stay two names. */
		{ NULL, "Invoice 2024.001", "Invoice 2024.001.pdf" },
		{ NULL, "Invoice 2024.002", "Invoice 2024.002.pdf" },
		{ NULL, "notes.TXT", "notes.pdf" },
		{ NULL, "smbprn.00000031 C:\\Users\\kt\\Hóa đơn.xlsx",
		    "Hóa đơn.pdf" },
	};
	size_t	 i;
	char	*s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = job_filename(cases[i].doc, cases[i].title, "42");
		if (strcmp(s, cases[i].want) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, s,
			    cases[i].want);
		free(s);
	}
}

/* Multi-document jobs: each document named after itself, or numbered. */
static void
documents(void **state)
{
	struct job_opts	 o;
	struct err	 e;
	char		*s, dir[] = "/tmp/printmail-docs.XXXXXX", path[64];
	size_t		 n, count;
	int		 i;

	(void)state;
	assert_int_equal(job_parse_options("document-name-supplied=A.pdf "
	    "x=1 document-name-supplied='B c.docx'", &o, &e), 0);
	s = job_document_filename(&o, "T", "7", 2, 2);
	assert_string_equal(s, "B c.pdf");
	free(s);
	s = job_document_filename(&o, "T", "7", 1, 2);
	assert_string_equal(s, "A.pdf");
	free(s);
	/* Three documents, two names: which is whose is unknown. */
	s = job_document_filename(&o, "Invoice", "7", 3, 3);
	assert_string_equal(s, "Invoice (3 of 3).pdf");
	free(s);
	job_opts_clear(&o);
	assert_int_equal(job_parse_options("", &o, &e), 0);
	s = job_document_filename(&o, "Invoice", "7", 1, 2);
	assert_string_equal(s, "Invoice (1 of 2).pdf");
	free(s);
	s = job_document_filename(&o, "Invoice", "7", 1, 1);
	assert_string_equal(s, "Invoice.pdf");
	free(s);
	job_opts_clear(&o);
	/* cupsd's spool names: d00042-002 is the second of the job's. */
	assert_non_null(mkdtemp(dir));
	for (i = 1; i <= 3; i++) {
		snprintf(path, sizeof(path), "%s/d00042-%03d", dir, i);
		fclose(fopen(path, "w"));
	}
	snprintf(path, sizeof(path), "%s/d00043-001", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/d00042-002", dir);
	n = job_document_number(path, &count);
	assert_int_equal(n, 2);
	assert_int_equal(count, 3);
	assert_int_equal(job_document_number(NULL, &count), 1);
	assert_int_equal(count, 0);
	assert_int_equal(job_document_number("/tmp/other.pdf", &count), 1);
	for (i = 1; i <= 3; i++) {
		snprintf(path, sizeof(path), "%s/d00042-%03d", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/d00043-001", dir);
	unlink(path);
	rmdir(dir);
}

/* The Subject's {title}: no Samba prefix, no path, extension kept. */
static void
titles(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "smbprn.00000012 Invoice 7", "Invoice 7" },
		{ "smbprn.00000031 C:\\Users\\kt\\Hóa đơn.xlsx", "Hóa đơn.xlsx" },
		{ "/home/kt/a.txt", "a.txt" },
		{ "  Báo cáo  ", "Báo cáo" },
		{ "Invoice 2024.001", "Invoice 2024.001" },
	};
	size_t	 i;
	char	*s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = job_title(cases[i].in);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

static void
long_title_cut_between_characters(void **state)
{
	char	 title[400] = "";
	char	*s;
	int	 i;

	(void)state;
	for (i = 0; i < 40; i++)
		strcat(title, "đơn ");
	s = job_filename(NULL, title, "1");
	assert_true(strlen(s) <= 124);
	/* Valid UTF-8 up to ".pdf": the cut did not split "đ" or "ơ". */
	assert_int_equal(strcmp(s + strlen(s) - 4, ".pdf"), 0);
	{
		const unsigned char *p = (const unsigned char *)s;

		while (*p) {
			int n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
			int k;

			for (k = 1; k < n; k++)
				assert_true((p[k] & 0xc0) == 0x80);
			p += n;
		}
	}
	free(s);
}

static void
recipient_policy(void **state)
{
	struct addr_list l;
	struct err	 e;

	(void)state;
	memset(&l, 0, sizeof(l));
	err_clear(&e);
	assert_int_equal(job_addresses("a@x.vn, B <b@y.vn>", &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "b@y.vn");
	addr_list_clear(&l);
	assert_int_equal(job_addresses("root", &l, &e), -1);
	assert_int_equal(e.kind, ERR_DATA);
	err_clear(&e);
	assert_int_equal(job_addresses("a@x.vn\r\nBcc: c@z.vn", &l, &e), -1);
	err_clear(&e);
	assert_int_equal(job_addresses("\"a@b\"@x.vn", &l, &e), -1);
	/* All or nothing: a bad address after good ones adds none. */
	err_clear(&e);
	assert_int_equal(job_addresses("ok@x.vn, root", &l, &e), -1);
	assert_int_equal(l.n, 0);
	addr_list_clear(&l);

	assert_true(job_allowed("ketoan@congty.com", "*@congty.com"));
	assert_true(job_allowed("KeToan@CongTy.com", "*@congty.com"));
	assert_true(job_allowed("a@khachhang.vn",
	    "*@congty.com, a@khachhang.vn"));
	assert_true(job_allowed("x@congty.com", "@congty.com"));
	assert_false(job_allowed("b@khachhang.vn",
	    "*@congty.com, a@khachhang.vn"));
	assert_false(job_allowed("evil@congty.com.attacker.net",
	    "*@congty.com"));
	assert_false(job_allowed("evil@x.com@congty.com", "*@congty.com"));
	assert_false(job_allowed("a@congty.com", NULL));
	assert_false(job_allowed("a@congty.com", ""));
}

/*
 * Issue: "to = {user}@congty.com" with a user name that any print client
 * chooses (lp -U).  A job value is one piece of a local part or nothing.
 */
static void
address_templates(void **state)
{
	static const char *bad[] = {
		"evil@attacker.example,x", "a,b", "a b", "Nguy\xe1\xbb\x85n V\xc4\x83n A",
		"CONGTY\\nguyen", "x\r\nBcc: y", "<a>", "a;b", "\"q\"", "",
		".a", "a..b", "a.", "a@b", "(c)", "a:b"
	};
	struct job_vars	 v;
	struct err	 e;
	size_t		 i;
	int		 from_job;
	char		*s;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.printer = "Email-Invoices";
	v.job = "12";
	v.title = "t";
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v.user = bad[i];
		err_clear(&e);
		s = job_expand_address("{user}@congty.com", &v, &from_job, &e);
		if (s != NULL)
			fail_msg("user \"%s\" expanded to \"%s\"", bad[i], s);
		assert_int_equal(e.kind, ERR_USAGE);
		assert_non_null(strstr(e.msg, "cannot be part of an e-mail "
		    "address"));
	}
	/* Real user names that make an address. */
	v.user = "nguyen.van-a+scan";
	s = job_expand_address("{user}@congty.com", &v, &from_job, &e);
	assert_string_equal(s, "nguyen.van-a+scan@congty.com");
	assert_int_equal(from_job, 1);
	free(s);
	v.user = "nguy\xe1\xbb\x85n";
	s = job_expand_address("{user}@congty.com", &v, &from_job, &e);
	assert_non_null(s);
	free(s);
	/* {printer} and {job} come from CUPS, not from the client. */
	s = job_expand_address("{printer}-{job}@congty.com", &v, &from_job, &e);
	assert_string_equal(s, "Email-Invoices-12@congty.com");
	assert_int_equal(from_job, 0);
	free(s);
	/* Subjects and bodies keep any text (they are encoded later). */
	v.user = "a, b <c@d>";
	s = job_expand("{user}", &v);
	assert_string_equal(s, "a, b <c@d>");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uris),
		cmocka_unit_test(bad_uris),
		cmocka_unit_test(injection_through_uri_subject),
		cmocka_unit_test(options),
		cmocka_unit_test(templates),
		cmocka_unit_test(address_templates),
		cmocka_unit_test(filenames),
		cmocka_unit_test(titles),
		cmocka_unit_test(documents),
		cmocka_unit_test(long_title_cut_between_characters),
		cmocka_unit_test(recipient_policy),
	};

	return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
