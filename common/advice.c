/*
 * advice.c: the reply -> fix table.  First match wins, so the specific
 * rows come before the general ones.
 *
 * Each fix is one whole translatable text; the Microsoft 365 setup steps
 * it names (S1, S2, S3, as PROVIDERS.md words them), the Send As fix and
 * the way to OAuth 2.0 are texts of their own, put in where a fix says
 * {S1}, {S2}, {S3}, {SENDAS} or {TO_OAUTH}, in the same language.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "advice.h"
#include "i18n.h"
#include "util.h"

static const struct part {
	const char	*name;
	const char	*text;
} parts[] = {
	/* TRANSLATORS: Microsoft's labels: give the English label in
	   parentheses after the Vietnamese one where they differ. */
	{ "{S1}", N_("S1: disable Security Defaults (Microsoft Entra admin "
	    "center > Properties > Manage security defaults > Disabled)") },
	{ "{S2}", N_("S2: enable Authenticated SMTP for the mailbox "
	    "(Microsoft 365 admin center > Users > Active users > the mailbox "
	    "> Mail > Manage email apps > tick \"Authenticated SMTP\")") },
	{ "{S3}", N_("S3: allow and create an App Password (Active users > "
	    "Multi-factor authentication > service settings > \"Allow users "
	    "to create app passwords\"; then as the mailbox, "
	    "mysignins.microsoft.com/security-info > Add sign-in method > App "
	    "password) and put it in password =") },
	{ "{SENDAS}", N_("the From address must be the mailbox you log in "
	    "as: keep rewrite_from = yes (the default) so printmail sends as "
	    "the mailbox, or grant the mailbox Send As permission for that "
	    "address") },
	/* The way on when Microsoft turns basic authentication off. */
	{ "{TO_OAUTH}", N_("move the account to OAuth 2.0: (1) Microsoft "
	    "Entra admin center > App registrations > New registration "
	    "(accounts in this organizational directory only); (2) its "
	    "Authentication > Add a platform > Mobile and desktop applications "
	    "> redirect URI http://localhost, and \"Allow public client flows\" "
	    "= Yes; (3) API permissions > Add a permission > Microsoft Graph > "
	    "Delegated > SMTP.Send and offline_access > Grant admin consent; "
	    "(4) in the config set auth = xoauth2, oauth2_tenant = the Directory "
	    "(tenant) ID, oauth2_client_id = the Application (client) ID, and "
	    "remove password; (5) run printmail --authorize -a ACCOUNT and sign "
	    "in as the mailbox (README: \"When Microsoft turns basic "
	    "authentication off\")") },
};

struct rule {
	int		 code;	/* 0: any */
	const char	*enh;	/* NULL: any */
	const char	*text;	/* NULL: any; else a substring, any case */
	const char	*fix;
};

static const struct rule rules[] = {
	/* Microsoft 365 */
	{ 535, "5.7.139", "SmtpClientAuthentication is disabled for the Tenant",
	    N_("SMTP AUTH is off for the whole tenant: {S2} (the mailbox "
	    "setting overrides the tenant's), or in Exchange Online PowerShell "
	    "Set-TransportConfig -SmtpClientAuthenticationDisabled $false") },
	{ 535, "5.7.139", "SmtpClientAuthentication is disabled for the Mailbox",
	    N_("SMTP AUTH is off for this mailbox: {S2}") },
	{ 535, "5.7.139", "user credentials were incorrect",
	    N_("wrong user or password: user = must be the full address "
	    "(name@domain); an account with MFA needs an App Password, not its "
	    "normal password: {S3}") },
	{ 535, "5.7.139", "security defaults",
	    N_("Security Defaults block basic authentication: {S1}, or move to "
	    "OAuth 2.0 (auth = xoauth2)") },
	{ 535, "5.7.139", "did not meet the criteria",
	    N_("a Conditional Access policy blocks legacy authentication: "
	    "exclude the mailbox from that policy, then {S2}") },
	{ 535, "5.7.139", "basic authentication is disabled",
	    N_("basic authentication (and so App Passwords) is switched off "
	    "for SMTP AUTH (an admin may re-enable it while Microsoft still "
	    "allows): {TO_OAUTH}") },
	{ 550, "5.7.30", NULL, N_("basic authentication for SMTP AUTH is "
	    "retired for this tenant: {TO_OAUTH}") },
	{ 535, "5.7.3", "Authentication unsuccessful",
	    N_("authentication refused: check {S2}, then {S1}, then {S3}; with "
	    "OAuth 2.0 check the token's audience "
	    "(https://outlook.office365.com) and that user = is the mailbox") },
	{ 504, "5.7.4", NULL, N_("the server does not take this AUTH mechanism "
	    "(Microsoft 365 offers LOGIN and XOAUTH2 only, after STARTTLS): set "
	    "auth = login or auth = auto") },
	{ 530, "5.7.57", NULL, N_("the server got MAIL without a successful "
	    "login: set user = and password =, and keep tls = starttls") },
	{ 550, "5.7.60", NULL, "{SENDAS}" },
	{ 0, "5.2.252", NULL, "{SENDAS}" },
	{ 0, NULL, "SendAsDenied", "{SENDAS}" },
	{ 432, "4.3.2", NULL, N_("more than 3 connections or too many messages "
	    "at once for this mailbox: temporary, the message is retried; keep "
	    "max_connections at 3 or less") },
	{ 0, NULL, "SubmissionQuotaExceededException", N_("the mailbox sent to "
	    "more than 10,000 recipients in 24 hours: wait for the 24-hour "
	    "window to pass") },
	{ 550, "5.7.233", NULL, N_("the tenant reached its daily limit of "
	    "external recipients: wait, or raise it with more licences") },
	{ 0, NULL, "QuotaExceededException", N_("the sender's mailbox is full "
	    "(Sent Items): clean it up or set a retention policy") },
	{ 421, "4.7.66", NULL, N_("the server refuses TLS 1.0 and 1.1: "
	    "printmail always uses TLS 1.2 or newer, so a device in front of it "
	    "is talking to Microsoft directly: send it through printmail") },
	{ 550, "5.1.8", NULL, N_("the mailbox is restricted for sending spam: "
	    "release it in the Microsoft Defender portal (Restricted "
	    "entities)") },
	{ 0, NULL, "MapiExceptionMaxSubmissionExceeded", N_("the message is "
	    "larger than the mailbox allows (35 MB by default): scan at a lower "
	    "resolution, or raise MaxSendSize for the mailbox") },
	{ 552, "5.3.4", NULL, N_("the message is larger than the server "
	    "allows: send a smaller document (scan at a lower resolution), or "
	    "raise the mailbox's limit (MaxSendSize on Microsoft 365)") },
	{ 451, "4.7.0", "Temporary server error", N_("a temporary server "
	    "error: the message is retried later") },
	{ 421, "4.3.2", NULL, N_("the service is temporarily unavailable: the "
	    "message is retried later") },
	/* Gmail */
	{ 534, "5.7.9", "Application-specific password", N_("Gmail wants an "
	    "App Password: the account has 2-Step Verification, so create an "
	    "App Password (Google Account > Security > App passwords) and put it "
	    "in password =") },
	{ 535, "5.7.8", "Username and Password not accepted", N_("Gmail did "
	    "not accept the user name and password: turn on 2-Step "
	    "Verification, create an App Password and put it in password = "
	    "(App Passwords are revoked when the account password changes); "
	    "with OAuth 2.0 (auth = xoauth2) Gmail refused the token: user = "
	    "must be the address that signed in, and an app whose OAuth consent "
	    "screen is left in \"Testing\" gets sign-ins that expire after 7 "
	    "days (Google Cloud console > OAuth consent screen > Publish app), "
	    "then run printmail --authorize -a ACCOUNT") },
	{ 530, "5.7.0", "STARTTLS", N_("the server wants TLS first: use port "
	    "587 with tls = starttls, or port 465 with tls = implicit") },
	{ 421, "4.7.0", "Try again later", N_("the server blocks us for a "
	    "while: temporary, the message is retried with a pause") },
	{ 550, "5.4.5", "sending limit", N_("the account's daily sending "
	    "limit is reached: wait 24 hours") },
	{ 452, "4.5.3", "too many recipients", N_("too many recipients in one "
	    "message (Gmail takes 100): split the recipient list") },
};

static const struct rule *
find(int code, const char *enh, const char *text)
{
	size_t	i;

	if (enh == NULL)
		enh = "";
	if (text == NULL)
		text = "";
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];

		if (r->code != 0 && r->code != code)
			continue;
		if (r->enh != NULL && strcmp(r->enh, enh) != 0)
			continue;
		if (r->text != NULL && strcasestr(text, r->text) == NULL)
			continue;
		return r;
	}
	return NULL;
}

/* Appends n bytes of s to buf (len bytes, *at used), cutting at the end. */
static void
put(char *buf, size_t len, size_t *at, const char *s, size_t n)
{
	if (*at + n >= len)
		n = len - *at - 1;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
}

/* The fix's text with its parts put in and the account named. */
static const char *
expand(const char *fix, const char *account, int shown, char *buf,
    size_t len)
{
	const char	*p, *q;
	size_t		 at = 0, i;

	if (len == 0)
		return NULL;
	buf[0] = '\0';
	for (p = shown ? gettext(fix) : fix; *p != '\0'; p = q) {
		if (*p == '{') {
			for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
				if (strncmp(p, parts[i].name,
				    strlen(parts[i].name)) == 0)
					break;
			if (i < sizeof(parts) / sizeof(parts[0])) {
				/* Parts name no other part. */
				(void)expand(parts[i].text, account, shown,
				    buf + at, len - at);
				at += strlen(buf + at);
				q = p + strlen(parts[i].name);
				continue;
			}
		}
		if (account != NULL && strncmp(p, "-a ACCOUNT", 10) == 0) {
			put(buf, len, &at, "-a ", 3);
			put(buf, len, &at, account, strlen(account));
			q = p + 10;
			continue;
		}
		q = p + 1;
		while (*q != '\0' && *q != '{' && *q != '-')
			q++;
		put(buf, len, &at, p, (size_t)(q - p));
	}
	return buf;
}

const char *
advice_for_reply(int code, const char *enh, const char *text, char *buf,
    size_t len)
{
	const struct rule *r = find(code, enh, text);

	return r != NULL ? expand(r->fix, NULL, 0, buf, len) : NULL;
}

const char *
advice_for_error(const struct err *e, const char *account, int shown,
    char *buf, size_t len)
{
	const struct rule *r;

	if (e->smtp_code == 0 ||
	    (r = find(e->smtp_code, e->enh, e->msg)) == NULL)
		return NULL;
	return expand(r->fix, account, shown, buf, len);
}
