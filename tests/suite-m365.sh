#!/usr/bin/env bash
# Microsoft 365 reality against a scripted fake Microsoft 365 (real TLS,
# EHLO and replies as PROVIDERS.md describes them): --check names the
# missing setup step for every reply, exit codes follow DESIGN.md, XOAUTH2
# works with a token command.  Usage: tests/suite-m365.sh path/to/printmail
set -u
PM=$(realpath "$1")
FAKE=$(dirname "$PM")/tests/fake_m365
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"

[ -x "$FAKE" ] || { echo "not ok - $FAKE not built"; echo "0 passed, 1 failed"; exit 1; }
W=$(mktemp -d /tmp/printmail-m365.XXXXXX)
FAKE_PID=
TOK_PID=
stop_tok() {
	if [ -n "$TOK_PID" ]; then
		kill "$TOK_PID" 2>/dev/null
		wait "$TOK_PID" 2>/dev/null
	fi
	TOK_PID=
}
# token_endpoint ARGS...: (re)starts the fake token endpoint; TOK_PORT.
token_endpoint() {
	stop_tok
	rm -f "$W/tokport"
	"$FAKE" -H -c "$W/tls/server.crt" -k "$W/tls/server.key" \
	    -p "$W/tokport" -C "$W/requests" "$@" &
	TOK_PID=$!
	for i in $(seq 1 100); do
		[ -s "$W/tokport" ] && break
		sleep 0.05
	done
	TOK_PORT=$(cat "$W/tokport")
}
stop_fake() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
	fi
	FAKE_PID=
}
trap 'stop_fake; stop_tok; rm -rf "$W"' EXIT
pf_make_ca "$W/tls" "fake Microsoft"
mkdir -p "$W/mail"

# fake ARGS...: (re)starts the fake with a scenario; sets FAKE_PORT.
fake() {
	stop_fake
	rm -f "$W/port"
	"$FAKE" -c "$W/tls/server.crt" -k "$W/tls/server.key" -p "$W/port" \
	    -D "$W/mail" "$@" &
	FAKE_PID=$!
	for i in $(seq 1 100); do
		[ -s "$W/port" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$W/port")
}

# conf [extra lines...]: an office365-like account for the fake.
conf() {
	(
		umask 077
		{
			echo "[default]"
			echo "host = 127.0.0.1"
			echo "port = $FAKE_PORT"
			echo "tls = starttls"
			echo "tls_ca_file = $W/tls/ca.crt"
			echo "user = hoadon@congty.com"
			echo "password = abcd efgh ijkl mnop"
			echo "from = hoadon@congty.com"
			echo "timeout = 10"
			for l in "$@"; do echo "$l"; done
		} >"$W/pm.conf"
	)
}

echo "# a healthy Microsoft 365 mailbox"
fake
conf
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "--check: exit 0" "$?" 0
t_grep "Connection successful" "Connection successful" "$W/out"
t_grep "STARTTLS seen before TLS" "EHLO: STARTTLS offered; no AUTH offered" "$W/out"
t_grep "mechanisms after TLS" "AUTH mechanisms offered: LOGIN XOAUTH2" "$W/out"
t_grep "auto picks LOGIN (no PLAIN on Microsoft 365)" "with LOGIN" "$W/out"
t_grep "certificate shown" "certificate: subject CN = localhost; issuer CN = fake Microsoft CA" "$W/out"
t_grep "MAIL FROM probe" "sender <hoadon@congty.com> accepted" "$W/out"
printf 'Subject: ok\n\nbody\n' | "$PM" -C "$W/pm.conf" a@khachhang.vn
t_eq "a message goes through: exit 0" "$?" 0
t_eq "the fake stored it" "$(ls "$W/mail" | wc -l)" 1

# check_case NAME EXIT PHRASE FAKE_ARGS...: --check against a scenario.
check_case() {
	local name=$1 want=$2 phrase=$3
	shift 3
	fake "$@"
	conf
	"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
	t_eq "$name: exit $want" "$?" "$want"
	t_grep "$name: says the fix" "$phrase" "$W/out"
}

echo "# --check names the missing setup step for every AUTH refusal"
check_case "SMTP AUTH off for the tenant" 77 "Set-TransportConfig -SmtpClientAuthenticationDisabled" \
    -a "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [XX0PR00CA0000.namprd00.prod.outlook.com 2026-01-01T00:00:00Z]"
check_case "S2 missing (mailbox)" 77 "S2: enable Authenticated SMTP for the mailbox" \
    -a "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [XX0PR00CA0000.namprd00.prod.outlook.com 2026-01-01T00:00:00Z]"
check_case "S3 missing (wrong or normal password)" 77 "S3: allow and create an App Password" \
    -P "the real app password"
check_case "S1 missing (security defaults)" 77 "S1: disable Security Defaults" \
    -a "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. [XX0PR00CA0000.namprd00.prod.outlook.com]"
check_case "Conditional Access" 77 "Conditional Access policy" \
    -a "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [XX0PR00CA0000.namprd00.prod.outlook.com]"
check_case "basic authentication disabled" 77 "run printmail --authorize -a default" \
    -a "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [XX0PR00CA0000.namprd00.prod.outlook.com]"
check_case "basic authentication retired (5.7.30)" 77 "retired" \
    -a "550 5.7.30 Basic authentication is not supported for Client Submission. [XX0PR00CA0000.namprd00.prod.outlook.com]"
t_grep "5.7.30: the app registration steps" '"Allow public client flows" = Yes' "$W/out"
t_grep "5.7.30: the delegated permission" "Delegated > SMTP.Send and offline_access" "$W/out"
t_grep "5.7.30: the exact command" "run printmail --authorize -a default" "$W/out"
check_case "generic 5.7.3" 77 "S2: enable Authenticated SMTP" \
    -a "535 5.7.3 Authentication unsuccessful [XX0PR00CA0000.namprd00.prod.outlook.com]"
check_case "Send As refused at MAIL FROM" 77 "Send As permission" \
    -m "550 5.7.60 SMTP; Client does not have permissions to send as this sender [XX0PR00CA0000.namprd00.prod.outlook.com]"
check_case "restricted mailbox" 69 "Restricted entities" \
    -m "550 5.1.8 Access denied, bad outbound sender [XX0PR00CA0000.namprd00.prod.outlook.com]"
check_case "too many connections (432)" 75 "max_connections" \
    -m "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [XX0PR00CA0000.namprd00.prod.outlook.com]"
check_case "transient 451" 75 "retried later" \
    -m "451 4.7.0 Temporary server error. Please try again later. PRX4 [XX0PR00CA0000.namprd00.prod.outlook.com]"
t_grep "the reply is quoted" "451 4.7.0 Temporary server error" "$W/out"

echo "# misconfigurations named before connecting"
fake
conf "auth = plain"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "PLAIN forced: exit 77" "$?" 77
t_grep "names the mechanism problem" "does not offer AUTH PLAIN (it offers LOGIN XOAUTH2)" "$W/out"
# provider = office365 with the fake's address (explicit keys win).
conf "auth = plain" "provider = office365"
sed -i 's/^user = .*/user = hoadon/' "$W/pm.conf"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_grep "user without a domain named (warn)" "wants the full address as user" "$W/out"
t_grep "PLAIN on Microsoft 365 named (warn)" "does not offer AUTH PLAIN: set auth = login" "$W/out"
conf
sed -i 's/^port = .*/port = 465/' "$W/pm.conf"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_grep "465 with STARTTLS named (warn)" "port 465 expects TLS from the first byte" "$W/out"

echo "# the CUPS backend prints the same fix on its ERROR: lines"
BE=$(dirname "$PM")/email
printf '%%PDF-1.4\n%%%%EOF\n' >"$W/doc.pdf"
# The backend reads the document as lp, as from CUPS's spool.
chmod 755 "$W"
chmod 644 "$W/doc.pdf"
fake -a "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [XX0PR00CA0000.namprd00.prod.outlook.com]"
conf "to = ketoan@khachhang.vn"
DEVICE_URI=email:/default PRINTER=invoices PRINTMAIL_CONFIG=$W/pm.conf \
    PRINTMAIL_RUN_DIR=$W/run "$BE" 1 ketoan "Invoice" 1 "" "$W/doc.pdf" \
    >"$W/be" 2>&1
t_eq "backend: S2 missing stops the queue (CUPS_BACKEND_STOP)" "$?" 4
t_grep "backend ERROR quotes the reply" "ERROR: AUTH (LOGIN) refused by 127.0.0.1: 535 5.7.139" "$W/be"
t_grep "backend ERROR names S2" "ERROR: Fix: SMTP AUTH is off for this mailbox: S2: enable Authenticated SMTP" "$W/be"
t_grep "backend says how to resume" "cupsenable invoices" "$W/be"
t_grep "backend marks the account failing" "STATE: +printmail-account-error" "$W/be"

echo "# the fix in Vietnamese, Microsoft's labels in both languages"
LOC=$(dirname "$PM")/locale
fake -a "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. [XX0PR00CA0000.namprd00.prod.outlook.com]"
conf
LANG=vi_VN.UTF-8 PRINTMAIL_LOCALEDIR=$LOC "$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "vi: wrong password: exit 77" "$?" 77
t_grep "vi: the fix, in Vietnamese" "sửa    sai user hoặc mật khẩu: user = phải là địa chỉ đầy đủ" "$W/out"
t_grep "vi: S3 put in, Vietnamese label then Microsoft's English one" \
    'S3: cho phép và tạo Mật khẩu ứng dụng - App Password (Người dùng hiện hoạt (Active users) > Xác thực đa yếu tố (Multi-factor authentication)' "$W/out"
t_grep "vi: the server's reply quoted as it came" "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect" "$W/out"
t_nogrep "vi: no part's name left" "{S" "$W/out"
fake -a "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [XX0PR00CA0000.namprd00.prod.outlook.com]"
conf
LANG=vi_VN.UTF-8 PRINTMAIL_LOCALEDIR=$LOC "$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_grep "vi: the way to OAuth 2.0, the account named" "chạy printmail --authorize -a default và đăng nhập bằng hộp thư" "$W/out"
t_grep "vi: ... with the portal's labels" "Đăng ký ứng dụng (App registrations) > Đăng ký mới (New registration)" "$W/out"
fake -a "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [XX0PR00CA0000.namprd00.prod.outlook.com]"
conf "to = ketoan@khachhang.vn"
DEVICE_URI=email:/default PRINTER=invoices PRINTMAIL_CONFIG=$W/pm.conf \
    PRINTMAIL_RUN_DIR=$W/run LANG=vi_VN.UTF-8 PRINTMAIL_LOCALEDIR=$LOC \
    "$BE" 1 ketoan "Invoice" 1 "" "$W/doc.pdf" >"$W/be" 2>&1
t_eq "vi backend: the queue stops all the same" "$?" 4
t_grep "vi backend: ERROR: the refusal in Vietnamese" "ERROR: AUTH (LOGIN) bị 127.0.0.1 từ chối: 535 5.7.139" "$W/be"
t_grep "vi backend: ERROR: the fix in Vietnamese" "ERROR: Cách sửa: SMTP AUTH bị tắt cho hộp thư này: S2: bật SMTP có xác thực cho hộp thư (Trung tâm quản trị Microsoft 365 (Microsoft 365 admin center)" "$W/be"
t_grep "vi backend: how to resume" "cho hàng đợi chạy lại bằng: cupsenable invoices" "$W/be"
t_grep "vi backend: the STATE keyword unchanged" "STATE: +printmail-account-error" "$W/be"
grep '^DEBUG:' "$W/be" >"$W/be-debug"
t_grep "vi backend: DEBUG lines (the steps, the SMTP dialogue)..." "DEBUG: connected to 127.0.0.1" "$W/be-debug"
t_nogrep "... stay English" "đã kết nối" "$W/be-debug"

echo "# failures after DATA when sending"
fake -d "554 5.2.252 SendAsDenied; hoadon@congty.com not allowed to send as scan@printer.local; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception [XX0PR00CA0000.namprd00.prod.outlook.com]"
conf "rewrite_from = no"
printf 'From: scan@printer.local\nSubject: s\n\nscan\n' | "$PM" -C "$W/pm.conf" -v a@khachhang.vn 2>"$W/err"
t_eq "SendAsDenied: exit 75 (the account's setup: deferred)" "$?" 75
t_grep "fix on stderr" "printmail: fix: the From address must be the mailbox" "$W/err"
t_grep "fix in the log line" 'fix="the From address must be the mailbox' "$W/err"
printf 'From: scan@printer.local\nSubject: s\n\nscan\n' | LANG=vi_VN.UTF-8 \
    PRINTMAIL_LOCALEDIR=$LOC "$PM" -C "$W/pm.conf" -v a@khachhang.vn 2>"$W/err"
t_eq "vi: the same exit" "$?" 75
t_grep "vi: the fix on stderr in Vietnamese" "printmail: cách sửa: địa chỉ From phải là hộp thư dùng để đăng nhập" "$W/err"
t_grep "vi: the log line (syslog's) stays English" 'refused by 127.0.0.1: 554 5.2.252 SendAsDenied' "$W/err"
t_grep "vi: ... while stderr says it in Vietnamese" 'bị 127.0.0.1 từ chối: 554 5.2.252 SendAsDenied' "$W/err"
t_grep "vi: ... its fix too" 'fix="the From address must be the mailbox' "$W/err"
fake -d "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [XX0PR00CA0000.namprd00.prod.outlook.com]"
conf
printf 'Subject: s\n\nx\n' | "$PM" -C "$W/pm.conf" a@khachhang.vn 2>"$W/err"
t_eq "432 after DATA: exit 75 (retry)" "$?" 75
fake -d "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message [XX0PR00CA0000.namprd00.prod.outlook.com]"
conf
printf 'Subject: s\n\nx\n' | "$PM" -C "$W/pm.conf" a@khachhang.vn 2>"$W/err"
t_eq "recipient quota: exit 69" "$?" 69
t_grep "names the 24 h window" "10,000 recipients in 24 hours" "$W/err"

echo "# OAuth 2.0: XOAUTH2 with oauth2_token_command"
rm -f "$W/mail"/*
fake -T "eyJ0eXAiOiJKV1Qi.payload.sig"
conf "auth = xoauth2" "oauth2_token_command = printf 'eyJ0eXAiOiJKV1Qi.payload.sig\\n'"
sed -i '/^password = /d' "$W/pm.conf"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "--check with a token: exit 0" "$?" 0
t_grep "XOAUTH2 used" "with XOAUTH2" "$W/out"
printf 'Subject: oauth\n\nx\n' | "$PM" -C "$W/pm.conf" -v a@khachhang.vn 2>"$W/err"
t_eq "send with a token: exit 0" "$?" 0
t_eq "delivered" "$(ls "$W/mail" | wc -l)" 1
t_grep "AUTH redacted" "AUTH XOAUTH2 <redacted>" "$W/err"
t_nogrep "token never logged" "payload.sig" "$W/err"
conf "oauth2_token_command = printf 'eyJ0eXAiOiJKV1Qi.payload.sig\\n'"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_grep "auth = auto picks XOAUTH2 when offered and a token is set" "with XOAUTH2" "$W/out"
conf "auth = xoauth2" "oauth2_token_command = echo wrong-token"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "rejected token: exit 77" "$?" 77
t_grep "token audience named" "https://outlook.office365.com" "$W/out"
conf "auth = xoauth2" "oauth2_token_command = sh -c 'echo token endpoint unreachable >&2; exit 4'"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "failing token command: exit 77" "$?" 77
t_grep "its stderr passes through" "token endpoint unreachable" "$W/out"
t_grep "says it failed" "oauth2_token_command sh failed (exit status 4)" "$W/out"

echo "# OAuth 2.0: Microsoft's client-credentials flow, token cache"
export PRINTMAIL_CACHE_DIR=$W/cache
requests() { [ -f "$W/requests" ] && wc -l <"$W/requests" || echo 0; }
cc_conf() {
	conf "auth = xoauth2" "oauth2_client_id = client-1" \
	    "oauth2_client_secret = s3cret~value" \
	    "oauth2_token_url = https://127.0.0.1:$TOK_PORT/tenant/oauth2/v2.0/token" "$@"
	sed -i '/^password = /d' "$W/pm.conf"
}
rm -f "$W/requests"
token_endpoint -T "token-one"
fake -T "token-one"
cc_conf
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "client credentials: --check exit 0" "$?" 0
t_grep "token from the endpoint" "access token from the token endpoint" "$W/out"
t_grep "XOAUTH2 used" "with XOAUTH2" "$W/out"
t_eq "one token request" "$(requests)" 1
t_grep "request has the Microsoft scope" "scope=https%3A%2F%2Foutlook.office365.com%2F.default" "$W/requests"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "second run: exit 0" "$?" 0
t_grep "second run uses the cache" "access token from the cache" "$W/out"
t_eq "still one token request" "$(requests)" 1
t_eq "cache file readable by its owner only" "$(stat -c %a "$W"/cache/oauth2-default-*)" 600
t_eq "cache directory private" "$(stat -c %a "$W/cache")" 700
printf 'Subject: cc\n\nx\n' | "$PM" -C "$W/pm.conf" -v a@khachhang.vn 2>"$W/err"
t_eq "send with the cached token: exit 0" "$?" 0
t_nogrep "client secret never shown" "s3cret~value" "$W/err"
t_nogrep "token never shown" "token-one" "$W/err"

echo "# a token about to expire is not reused"
rm -rf "$W/cache" "$W/requests"
token_endpoint -T "token-one" -E 120
cc_conf
"$PM" --check -C "$W/pm.conf" >/dev/null 2>&1
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "short-lived token: exit 0" "$?" 0
t_eq "fetched again (expires within five minutes)" "$(requests)" 2

echo "# a cached token refused with 535 5.7.3 is replaced once"
rm -rf "$W/cache" "$W/requests"
token_endpoint -T "token-two"
fake -T "token-two"
cc_conf
"$PM" --check -C "$W/pm.conf" >/dev/null 2>&1
# The cached token is revoked: still "valid" for an hour, refused by the
# server.
f=$(ls "$W"/cache/oauth2-default-*)
echo "$(( $(date +%s) + 3600 )) token-one" >"$f"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "stale cached token: exit 0 after one refresh" "$?" 0
t_grep "says why it refreshed" "token refused (5.7.3)" "$W/out"
t_eq "two token requests in all" "$(requests)" 2

echo "# token endpoint failures are named"
rm -rf "$W/cache"
token_endpoint -T "token-two" -K "another-secret"
cc_conf
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "wrong client secret: exit 77" "$?" 77
t_grep "quotes Entra's error" "invalid_client: AADSTS7000215: Invalid client secret provided." "$W/out"
token_endpoint -S 200 -J "<html>not json</html>"
cc_conf
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "malformed JSON: exit 76" "$?" 76
t_grep "says it is not JSON" "not a JSON object" "$W/out"
token_endpoint -S 200 -J '{"token_type":"Bearer"}'
cc_conf
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "JSON without access_token: exit 76" "$?" 76
t_grep "says what is missing" "no access_token" "$W/out"
token_endpoint -S 503 -J '{"error":"temporarily_unavailable"}'
cc_conf
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "endpoint 503: exit 75 (retry)" "$?" 75
stop_tok
cc_conf
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "endpoint unreachable: exit 75" "$?" 75
t_nogrep "no secret in any of it" "s3cret~value" "$W/out"

stop_fake
t_summary
