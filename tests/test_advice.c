/*
 * test_advice.c: every reply in PROVIDERS.md gets its fix; one row each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advice.h"
#include "i18n.h"

#define MS " [XX0PR00CA0000.namprd00.prod.outlook.com 2026-01-01T00:00:00Z 08DD0000000000]"

static const struct {
	int		 code;
	const char	*enh;
	const char	*text;
	const char	*want;	/* a phrase the fix must contain */
} rows[] = {
	{ 535, "5.7.139", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." MS, "Set-TransportConfig -SmtpClientAuthenticationDisabled $false" },
	{ 535, "5.7.139", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information." MS, "S2: enable Authenticated SMTP" },
	{ 535, "5.7.139", "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect." MS, "S3: allow and create an App Password" },
	{ 535, "5.7.139", "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator." MS, "S1: disable Security Defaults" },
	{ 535, "5.7.139", "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator." MS, "Conditional Access" },
	{ 535, "5.7.139", "535 5.7.139 Authentication unsuccessful, basic authentication is disabled." MS, "printmail --authorize" },
	{ 550, "5.7.30", "550 5.7.30 Basic authentication is not supported for Client Submission." MS, "OAuth 2.0" },
	{ 535, "5.7.3", "535 5.7.3 Authentication unsuccessful" MS, "https://outlook.office365.com" },
	{ 504, "5.7.4", "504 5.7.4 Unrecognized authentication type" MS, "auth = login" },
	{ 530, "5.7.57", "530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139" MS, "without a successful login" },
	{ 530, "5.7.57", "530 5.7.57 Client not authenticated to send anonymous mail during MAIL FROM" MS, "without a successful login" },
	{ 550, "5.7.60", "550 5.7.60 SMTP; Client does not have permissions to send as this sender" MS, "rewrite_from = yes" },
	{ 554, "5.2.252", "554 5.2.252 SendAsDenied; hoadon@congty.com not allowed to send as scan@printer.local; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied" MS, "Send As" },
	{ 554, "5.2.0", "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception" MS, "Send As" },
	{ 432, "4.3.2", "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded" MS, "max_connections" },
	{ 432, "4.3.2", "432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending" MS, "max_connections" },
	{ 554, "5.2.0", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message" MS, "10,000 recipients" },
	{ 550, "5.7.233", "550 5.7.233 Your message can't be sent because your tenant has exceeded its daily limit for sending email to external recipients" MS, "daily limit of external recipients" },
	{ 554, "5.2.2", "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionQuotaExceeded" MS, "Sent Items" },
	{ 421, "4.7.66", "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2." MS, "TLS 1.2" },
	{ 550, "5.1.8", "550 5.1.8 Access denied, bad outbound sender" MS, "Restricted entities" },
	{ 554, "5.2.0", "554 5.2.0 STOREDRV.Submission.Exception:MessageTooLargeException; MapiExceptionMaxSubmissionExceeded" MS, "MaxSendSize" },
	{ 552, "5.3.4", "552 5.3.4 Message size exceeds fixed maximum message size" MS, "MaxSendSize" },
	{ 451, "4.7.0", "451 4.7.0 Temporary server error. Please try again later. PRX4" MS, "retried later" },
	{ 421, "4.3.2", "421 4.3.2 Service not available" MS, "retried later" },
	{ 534, "5.7.9", "534 5.7.9 Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor", "App Password" },
	{ 535, "5.7.8", "535 5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials", "2-Step Verification" },
	{ 530, "5.7.0", "530 5.7.0 Must issue a STARTTLS command first.", "tls = starttls" },
	{ 421, "4.7.0", "421 4.7.0 Try again later, closing connection.", "retried with a pause" },
	{ 550, "5.4.5", "550 5.4.5 Daily user sending limit exceeded.", "24 hours" },
	{ 452, "4.5.3", "452 4.5.3 Your message has too many recipients.", "100" },
};

static void
every_row(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[ADVICE_MAX];
		const char *fix = advice_for_reply(rows[i].code, rows[i].enh,
		    rows[i].text, buf, sizeof(buf));

		if (fix == NULL)
			fail_msg("row %zu: no fix for %s", i, rows[i].text);
		if (strstr(fix, rows[i].want) == NULL)
			fail_msg("row %zu: fix \"%s\" lacks \"%s\"", i, fix,
			    rows[i].want);
		/* Every part was put in: no {S1}-style name is left. */
		if (strchr(fix, '{') != NULL || strchr(fix, '}') != NULL)
			fail_msg("row %zu: fix \"%s\" has a part's name", i,
			    fix);
	}
}

static void
unknown_replies_have_none(void **state)
{
	(void)state;
	char	b[ADVICE_MAX];

	assert_null(advice_for_reply(550, "5.1.1", "550 5.1.1 User unknown", b,
	    sizeof(b)));
	assert_null(advice_for_reply(250, "2.0.0", "250 2.0.0 OK", b,
	    sizeof(b)));
	assert_null(advice_for_reply(535, "", "535 Error: authentication "
	    "failed", b, sizeof(b)));
	/* Postfix's own 5.7.8 is not Gmail's: no Gmail advice for it. */
	assert_null(advice_for_reply(535, "5.7.8", "535 5.7.8 Error: "
	    "authentication failed: authentication failure", b, sizeof(b)));
}

static void
from_error_record(void **state)
{
	struct err	 e;
	char		 b[ADVICE_MAX], small[40];
	const char	*fix;

	(void)state;
	err_clear(&e);
	assert_null(advice_for_error(&e, NULL, 0, b, sizeof(b)));
	err_set(&e, ERR_AUTH, "AUTH (LOGIN) refused by smtp.office365.com: "
	    "535 5.7.139 Authentication unsuccessful, the user credentials "
	    "were incorrect.");
	e.smtp_code = 535;
	memcpy(e.enh, "5.7.139", 8);
	assert_non_null(strstr(advice_for_error(&e, NULL, 0, b, sizeof(b)),
	    "App Password"));
	/* S3, put in whole. */
	assert_non_null(strstr(b, "mysignins.microsoft.com/security-info"));
	/* A fix that names the account names it. */
	err_clear(&e);
	err_set(&e, ERR_AUTH, "550 5.7.30 Basic authentication is not "
	    "supported for Client Submission");
	e.smtp_code = 550;
	memcpy(e.enh, "5.7.30", 7);
	fix = advice_for_error(&e, "ketoan", 0, b, sizeof(b));
	assert_non_null(fix);
	assert_non_null(strstr(fix, "printmail --authorize -a ketoan and"));
	assert_null(strstr(fix, "ACCOUNT"));
	assert_non_null(strstr(advice_for_error(&e, NULL, 0, b, sizeof(b)),
	    "-a ACCOUNT"));
	/* A short buffer gets a cut, terminated fix. */
	fix = advice_for_error(&e, "ketoan", 0, small, sizeof(small));
	assert_int_equal(strlen(fix), sizeof(small) - 1);
	assert_memory_equal(fix, b, sizeof(small) - 1);
}

/* The build tree's catalogue, in Vietnamese; 0 when it cannot be had. */
static int
vietnamese(void)
{
	setenv("LC_ALL", "vi_VN.UTF-8", 1);
	setenv("PRINTMAIL_LOCALEDIR", PM_BUILD_DIR "/locale", 1);
	i18n_init();
	return strcmp(setlocale(LC_MESSAGES, NULL), "vi_VN.UTF-8") == 0;
}

static void
english_again(void)
{
	unsetenv("LC_ALL");
	(void)setlocale(LC_MESSAGES, "C");
}

/*
 * Issue 12: an error carries its English text (log lines) and the
 * reader's; nested errors and appended tails keep both.
 */
static void
two_texts(void **state)
{
	struct err	 e, inner;
	char		 b[ADVICE_MAX];

	(void)state;
	/* Without a translation there is one text. */
	err_clear(&e);
	err_set(&e, ERR_TEMP, "cannot open %s", "/x");
	assert_string_equal(e.msg, "cannot open /x");
	assert_string_equal(e.shown, "");
	assert_string_equal(err_text(&e), "cannot open /x");
	if (!vietnamese())
		fail_msg("the locale vi_VN.UTF-8 is missing: run "
		    "packaging/install-deps");
	err_clear(&e);
	err_set(&e, ERR_TEMP, "cannot open %s", "/x");
	assert_string_equal(e.msg, "cannot open /x");
	assert_string_equal(err_text(&e), "không mở được /x");
	/* errno's text: English in msg whatever the locale. */
	err_clear(&e);
	errno = ENOENT;
	err_sys(&e, ERR_TEMP, "cannot open %s", "/x");
	assert_string_equal(e.msg, "cannot open /x: No such file or directory");
	assert_non_null(strstr(err_text(&e), "không mở được /x: "));
	/* A tail appended to both. */
	err_clear(&e);
	err_set(&e, ERR_TEMP, "no recipients");
	err_append(&e, " (the message went to %zu of the %zu recipients "
	    "before this)", (size_t)1, (size_t)3);
	assert_string_equal(e.msg, "no recipients (the message went to 1 of "
	    "the 3 recipients before this)");
	assert_string_equal(err_text(&e), "không có người nhận (thư đã tới 1 "
	    "trên 3 người nhận trước lỗi này)");
	/* The inner error's shown text inside the outer one's. */
	err_clear(&inner);
	err_set(&inner, ERR_TEMP, "cannot connect to %s (%s)", "mx", "boom");
	err_clear(&e);
	err_set(&e, ERR_TEMP, "%s (port %d)", inner.msg, 587);
	err_nest(&e, &inner);
	assert_string_equal(e.msg, "cannot connect to mx (boom) (port 587)");
	assert_string_equal(err_text(&e), "không kết nối được tới mx (boom) "
	    "(cổng 587)");
	/* The advice: English for logs, Vietnamese shown, parts put in. */
	err_clear(&e);
	err_set(&e, ERR_AUTH, "550 5.7.30 Basic authentication is not "
	    "supported for Client Submission");
	e.smtp_code = 550;
	memcpy(e.enh, "5.7.30", 7);
	assert_non_null(strstr(advice_for_error(&e, "ketoan", 0, b, sizeof(b)),
	    "basic authentication for SMTP AUTH is retired"));
	assert_non_null(strstr(advice_for_error(&e, "ketoan", 1, b, sizeof(b)),
	    "xác thực cơ bản cho SMTP AUTH đã bị ngừng"));
	assert_non_null(strstr(b, "Đăng ký ứng dụng (App registrations)"));
	assert_non_null(strstr(b, "printmail --authorize -a ketoan và"));
	assert_null(strchr(b, '{'));
	english_again();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row),
		cmocka_unit_test(unknown_replies_have_none),
		cmocka_unit_test(from_error_record),
		cmocka_unit_test(two_texts),
	};

	return cmocka_run_group_tests_name("advice", tests, NULL, NULL);
}
