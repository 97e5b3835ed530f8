#!/usr/bin/env bash
# Delegated OAuth 2.0 (issue: printmail --authorize): the authorization
# code flow with PKCE through the loopback listener and through a pasted
# address, the device-code flow, the token store (rotation, lock, atomic
# writes, transient failures, revoked sign-ins), --refresh, and XOAUTH2
# with the stored token through printmail.  Against tests/fake_oauth.py
# (HTTPS on loopback, scripted) and the fake Microsoft 365 SMTP server.
# Usage: tests/suite-oauth.sh path/to/printmail
set -u
PM=$(realpath "$1")
FAKE=$(dirname "$PM")/tests/fake_m365
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"

[ -x "$FAKE" ] || { echo "not ok - $FAKE not built"; echo "0 passed, 1 failed"; exit 1; }
command -v python3 >/dev/null || { echo "not ok - python3 missing (packaging/install-deps)"; echo "0 passed, 1 failed"; exit 1; }
W=$(mktemp -d /tmp/printmail-oauth.XXXXXX)
chmod 700 "$W"
SMTP_PID=
AS_PID=
PM_PID=
stop() {
	local p
	for p in "$@"; do
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}
trap 'stop "$PM_PID" "$SMTP_PID" "$AS_PID"; rm -rf "$W"' EXIT
pf_make_ca "$W/tls" "fake identity platform" >/dev/null 2>&1

# as ARGS...: (re)starts the fake authorization server; AS_PORT.
as() {
	stop "$AS_PID"
	rm -f "$W/asport"
	python3 "$HERE/fake_oauth.py" --cert "$W/tls/server.crt" \
	    --key "$W/tls/server.key" --portfile "$W/asport" --log "$W/aslog" \
	    "$@" &
	AS_PID=$!
	for i in $(seq 1 200); do
		[ -s "$W/asport" ] && break
		sleep 0.05
	done
	AS_PORT=$(cat "$W/asport")
}
smtp() {
	stop "$SMTP_PID"
	rm -f "$W/smtpport"
	"$FAKE" -c "$W/tls/server.crt" -k "$W/tls/server.key" \
	    -p "$W/smtpport" -D "$W/mail" "$@" &
	SMTP_PID=$!
	for i in $(seq 1 100); do
		[ -s "$W/smtpport" ] && break
		sleep 0.05
	done
	SMTP_PORT=$(cat "$W/smtpport")
}
mkdir -p "$W/mail"

STORE=$W/oauth/default.json
# conf [extra lines...]: a Microsoft 365 account signing in with OAuth.
conf() {
	(
		umask 077
		{
			echo "[default]"
			echo "host = 127.0.0.1"
			echo "port = $SMTP_PORT"
			echo "tls_ca_file = $W/tls/ca.crt"
			echo "user = hoadon@congty.com"
			echo "from = hoadon@congty.com"
			echo "timeout = 10"
			echo "auth = xoauth2"
			echo "oauth2_tenant = congty.com"
			echo "oauth2_client_id = client-1"
			echo "oauth2_authorize_url = https://127.0.0.1:$AS_PORT/congty.com/oauth2/v2.0/authorize"
			echo "oauth2_device_url = https://127.0.0.1:$AS_PORT/congty.com/oauth2/v2.0/devicecode"
			echo "oauth2_token_url = https://127.0.0.1:$AS_PORT/congty.com/oauth2/v2.0/token"
			echo "oauth2_token_file = $STORE"
			for l in "$@"; do echo "$l"; done
		} >"$W/pm.conf"
	)
}
# reqs [GRANT]: requests the authorization server got (of that grant).
reqs() {
	[ -f "$W/aslog" ] || { echo 0; return; }
	if [ $# -eq 0 ]; then
		wc -l <"$W/aslog"
	else
		grep -c "\"grant_type\": \"$1\"" "$W/aslog"
	fi
}
field() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$STORE" "$1"
}
# store_set KEY PYTHON_EXPR: edits the store as time or an attacker would
# (t is the time now).
store_set() {
	python3 - "$STORE" "$1" "$2" <<'EOF'
import json, sys, time
t = int(time.time())
d = json.load(open(sys.argv[1]))
d[sys.argv[2]] = eval(sys.argv[3])
json.dump(d, open(sys.argv[1], "w"))
EOF
}
# start_authorize [ARGS]: printmail --authorize in the background, standard
# input from the fifo $W/in (held open by fd 7); waits for the printed URL.
start_authorize() {
	rm -f "$W/in" "$W/aout"
	mkfifo "$W/in"
	"$PM" --authorize -C "$W/pm.conf" "$@" <"$W/in" >"$W/aout" 2>&1 &
	PM_PID=$!
	exec 7>"$W/in"
	for i in $(seq 1 100); do
		grep -q '^Waiting\|^Open \|printmail: ' "$W/aout" 2>/dev/null && break
		sleep 0.05
	done
	URL=$(grep '^https://' "$W/aout" | head -1)
	LPORT=$(sed -n 's|^After the sign-in the browser goes to http://[a-z0-9.]*:\([0-9]*\)/$|\1|p' "$W/aout")
}
# end_authorize: closes standard input, waits; RC.
end_authorize() {
	exec 7>&-
	wait "$PM_PID"
	RC=$?
	PM_PID=
}
send() {
	printf 'Subject: hoa don\n\nx\n' | "$PM" -C "$W/pm.conf" "$@" a@khachhang.vn
}

smtp -T tok123
as

echo "# authorization code + PKCE: the browser comes back to the listener"
conf
rm -rf "$W/oauth" "$W/aslog"
start_authorize
t_grep "prints the authorization address" "/congty.com/oauth2/v2.0/authorize?client_id=client-1&response_type=code" "$W/aout"
t_grep "with PKCE S256" "code_challenge_method=S256" "$W/aout"
t_grep "says the redirect is http://localhost" "redirect_uri=http%3A%2F%2Flocalhost%3A$LPORT%2F" "$W/aout"
t_grep "asks for the delegated SMTP scope with offline_access" "scope=offline_access%20https%3A%2F%2Foutlook.office.com%2FSMTP.Send" "$W/aout"
t_grep "tells how to paste the address" "paste it here" "$W/aout"
ss -ltnH "sport = :$LPORT" >"$W/ss"
t_eq "the listener is on loopback only" "$(awk '{print $4}' "$W/ss" | sed 's/:[0-9]*$//' | sort | tr '\n' ' ')" "127.0.0.1 [::1] "
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LPORT/favicon.ico")
t_eq "/favicon.ico: 404, still waiting" "$code" 404
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LPORT/?code=forged&state=not-ours")
t_eq "an answer with another state: refused" "$code" 400
t_eq "... and nothing redeemed" "$(reqs authorization_code)" 0
curl -s -L --cacert "$W/tls/ca.crt" -o "$W/page" "$URL"
t_grep "the browser sees a success page" "Signed in" "$W/page"
end_authorize
t_eq "authorize: exit 0" "$RC" 0
t_grep "ignored the forged answer" "ignoring an answer for another sign-in" "$W/aout"
t_grep "stored the sign-in" "Stored the sign-in in $STORE" "$W/aout"
t_grep "then checked the account with XOAUTH2" "authenticated as hoadon@congty.com with XOAUTH2" "$W/aout"
t_grep "ends like --check" "Connection successful" "$W/aout"
t_eq "token store mode 0600" "$(stat -c %a "$STORE")" 600
t_eq "token directory created 0700" "$(stat -c %a "$W/oauth")" 700
python3 - "$W/aslog" >"$W/exch" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["form"].get("grant_type") == "authorization_code":
        f = r["form"]
        print("verifier", len(f.get("code_verifier", "")))
        print("secret", "client_secret" in f)
        print("redirect", f.get("redirect_uri"))
        print("scope", f.get("scope"))
EOF
t_grep "code redeemed with the PKCE verifier (43-128 chars)" "verifier 86" "$W/exch"
t_grep "no client secret from a Microsoft public client" "secret False" "$W/exch"
t_grep "the identical redirect_uri" "redirect http://localhost:$LPORT/" "$W/exch"
RT1=$(field refresh_token)
t_eq "refresh token stored" "${RT1:0:3}" "rt-"
t_nogrep "no refresh token on screen" "$RT1" "$W/aout"
t_nogrep "no access token on screen" "tok123" "$W/aout"
t_nogrep "no verifier on screen" "code_verifier=" "$W/aout"

echo "# the stored token sends mail, with no token request while it is valid"
n0=$(reqs)
send -v 2>"$W/err"
t_eq "send: exit 0" "$?" 0
t_grep "access token from the store" "access token from the token store" "$W/err"
t_eq "no request to the token endpoint" "$(reqs)" "$n0"
t_nogrep "-v shows no token" "tok123" "$W/err"
t_grep "-v shows AUTH XOAUTH2 redacted" "AUTH XOAUTH2 <redacted>" "$W/err"

echo "# pasted address (the browser on another computer)"
rm -rf "$W/oauth" "$W/aslog"
start_authorize
# What the admin's browser shows in its address bar after signing in.
RED=$(curl -s -o /dev/null -w '%{redirect_url}' --cacert "$W/tls/ca.crt" "$URL")
printf 'hello\n' >&7
printf '  http://localhost:%s/?code=x&state=wrong  \n' "$LPORT" >&7
printf '   %s   \n' "$RED" >&7
end_authorize
t_eq "pasted: exit 0" "$RC" 0
t_grep "a line that is no address: says what to paste" "paste the whole address" "$W/aout"
t_grep "a pasted address of another sign-in: ignored" "ignoring an answer for another sign-in" "$W/aout"
t_eq "pasted: one code redeemed" "$(reqs authorization_code)" 1
t_ok "pasted: the store holds a refresh token" test -n "$(field refresh_token)"

echo "# the sign-in refused in the browser"
as --deny
conf
rm -rf "$W/oauth"
start_authorize
curl -s -L --cacert "$W/tls/ca.crt" -o /dev/null "$URL"
end_authorize
t_eq "access_denied: exit 77" "$RC" 77
t_grep "names the refusal" "the sign-in was refused: access_denied: The user declined." "$W/aout"
t_eq "its description cannot start a line" "$(grep -c '^STATE:' "$W/aout")" 0
t_ok "nothing stored" test ! -e "$STORE"

echo "# a code the server refuses (already redeemed)"
printf 'code 400 {"error":"invalid_grant","error_description":"AADSTS54005: OAuth2 Authorization code was already redeemed","error_codes":[54005]}\n' >"$W/script"
as --script "$W/script"
conf
start_authorize
curl -s -L --cacert "$W/tls/ca.crt" -o /dev/null "$URL"
end_authorize
t_eq "redeemed code refused: exit 77" "$RC" 77
t_grep "quotes the error" "invalid_grant: AADSTS54005" "$W/aout"
t_ok "nothing stored" test ! -e "$STORE"

echo "# the configured port is busy"
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); open(sys.argv[1],"w").write(str(s.getsockname()[1])); time.sleep(60)' "$W/busy" &
BUSY_PID=$!
for i in $(seq 1 100); do [ -s "$W/busy" ] && break; sleep 0.05; done
conf "oauth2_redirect_port = $(cat "$W/busy")"
"$PM" --authorize -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
t_eq "busy port: exit 78" "$?" 78
t_grep "says to pick another port" "set oauth2_redirect_port to a free port" "$W/aout"
stop "$BUSY_PID"

echo "# device code: pending, then signed in"
as --pending 2 --interval 1
conf
rm -rf "$W/oauth" "$W/aslog"
"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
t_eq "device flow: exit 0" "$?" 0
t_grep "prints the server's message" "enter the code ABCD-1234 to authenticate." "$W/aout"
t_grep "prints the address and the code" "Open https://microsoft.com/devicelogin and enter the code ABCD-1234" "$W/aout"
t_grep "checked afterwards" "Connection successful" "$W/aout"
t_eq "three polls (two pending)" "$(reqs urn:ietf:params:oauth:grant-type:device_code)" 3
python3 - "$W/aslog" >"$W/gaps" <<'EOF'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1]) if "device_code" in l and "grant_type" in l]
print(min(b - a for a, b in zip(t, t[1:])) >= 0.95)
EOF
t_eq "polls at least the interval apart" "$(cat "$W/gaps")" True
t_grep "device code request has the scope" '"scope": "offline_access https://outlook.office.com/SMTP.Send"' "$W/aslog"
t_nogrep "no client secret in any request" "client_secret" "$W/aslog"

echo "# device code: slow_down adds five seconds"
printf 'device 400 {"error":"slow_down"}\n' >"$W/script"
as --pending 1 --interval 1 --script "$W/script"
rm -rf "$W/oauth" "$W/aslog"
conf
"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
t_eq "slow_down: exit 0" "$?" 0
python3 - "$W/aslog" >"$W/gaps" <<'EOF'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1]) if "device_code" in l and "grant_type" in l]
g = [b - a for a, b in zip(t, t[1:])]
print(len(t), all(x >= 5.9 for x in g))
EOF
t_eq "after slow_down every poll waits interval + 5 s" "$(cat "$W/gaps")" "3 True"

for c in "expired_token 75 expired" "authorization_declined 77 declined" \
    "access_denied 77 declined" "bad_verification_code 76 no longer knows"; do
	set -- $c
	printf 'device 400 {"error":"%s"}\n' "$1" >"$W/script"
	as --script "$W/script"
	rm -rf "$W/oauth"
	conf
	"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
	t_eq "device $1: exit $2" "$?" "$2"
	t_grep "device $1: says so" "$3" "$W/aout"
	t_ok "device $1: nothing stored" test ! -e "$STORE"
done

printf 'device 401 {"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: client_assertion or client_secret.","error_codes":[7000218]}\n' >"$W/script"
as --script "$W/script"
conf
"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
t_eq "public client flows off: exit 78" "$?" 78
t_grep "names the Entra switch" '"Allow public client flows" = Yes' "$W/aout"

printf 'device 503 <html>busy</html>\ndevice 500 {"error":"server_error"}\n' >"$W/script"
as --script "$W/script"
rm -rf "$W/oauth"
conf
"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
t_eq "503 and 500 while polling: retried, exit 0" "$?" 0
t_grep "said it tries again" "(trying again)" "$W/aout"

printf 'device 200 {"access_token":"tok123","expires_in":3599}\n' >"$W/script"
as --script "$W/script"
rm -rf "$W/oauth"
conf
"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
t_eq "no refresh token: exit 78" "$?" 78
t_grep "says to add offline_access" "offline_access" "$W/aout"
t_ok "nothing stored" test ! -e "$STORE"

printf 'devicecode 400 {"error":"invalid_request","error_description":"AADSTS90002: Tenant not found.","error_codes":[90002]}\n' >"$W/script"
as --script "$W/script"
conf
"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1
t_eq "unknown tenant: exit 78" "$?" 78
t_grep "says where the tenant ID is" "Directory (tenant) ID" "$W/aout"

echo "# refresh: rotation, kept refresh token, lock"
# sign_in [fake args]: a fresh sign-in through the device flow.
sign_in() {
	as --interval 1 "$@"
	conf
	rm -rf "$W/oauth" "$W/aslog"
	"$PM" --authorize --device -C "$W/pm.conf" </dev/null >"$W/aout" 2>&1 ||
	    { echo "not ok - sign_in failed"; cat "$W/aout"; }
}
# Access tokens that live 5 minutes: inside the 10-minute margin, so every
# use refreshes; a used refresh token is dead (strict rotation).
sign_in --expires 300 --strict
# (the check at the end of the sign-in refreshed once already)
RT1=$(field refresh_token)
send 2>"$W/err"
t_eq "expiring token: refreshed, sent (exit 0)" "$?" 0
RT2=$(field refresh_token)
t_ok "the rotated refresh token is stored" test "$RT2" != "$RT1"
send 2>"$W/err"
t_eq "again with the rotated token (the old one is dead): exit 0" "$?" 0
python3 - "$W/aslog" >"$W/rts" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)["form"]
    if f.get("grant_type") == "refresh_token":
        print(f["refresh_token"], f.get("scope"))
EOF
t_eq "three refreshes (the sign-in's check, two sends)" "$(wc -l <"$W/rts")" 3
t_eq "the second send presented the rotated token" "$(sed -n 3p "$W/rts" | cut -d' ' -f1)" "$RT2"
t_grep "refresh sends the scope (AADSTS900144)" "$RT1 offline_access https://outlook.office.com/SMTP.Send" "$W/rts"

sign_in --expires 300 --no-rotate
RT1=$(field refresh_token)
send 2>"$W/err"
t_eq "answer without a refresh token: sent" "$?" 0
t_eq "... the old refresh token kept" "$(field refresh_token)" "$RT1"
t_eq "... refreshed (after the sign-in's check)" "$(reqs refresh_token)" 2

echo "# five senders at once with an expired access token: one refresh"
sign_in --strict
# The access token ran out a minute ago.
store_set access_expires_at "t - 60"
pids=
for i in 1 2 3 4 5; do
	send 2>"$W/err.$i" &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
t_eq "all five sent" "$fails" 0
t_eq "exactly one refresh request" "$(reqs refresh_token)" 1

echo "# transient failures leave the store byte for byte"
sign_in --expires 300
sum0=$(sha256sum <"$STORE")
printf 'refresh 500 {"error":"server_error"}\nrefresh 429 {"error":"too_many"}\nrefresh 503 <html>maintenance</html>\nrefresh 400 {"error":"temporarily_unavailable"}\n' >"$W/script"
as --expires 300 --script "$W/script"
conf
for what in 500 429 "HTML 503" temporarily_unavailable; do
	send 2>"$W/err"
	t_eq "$what: exit 75 (deferred)" "$?" 75
	t_eq "$what: store unchanged" "$(sha256sum <"$STORE")" "$sum0"
done
t_grep "says it is temporary" "temporary" "$W/err"
printf 'refresh sleep:6\n' >"$W/script"
as --expires 300 --script "$W/script" --rt "$(field refresh_token)"
conf
sed -i 's/^timeout = 10$/timeout = 2/' "$W/pm.conf"
send 2>"$W/err"
t_eq "token endpoint silent past the timeout: exit 75" "$?" 75
t_grep "says it timed out" "Operation timed out after" "$W/err"
t_eq "timeout: store unchanged" "$(sha256sum <"$STORE")" "$sum0"
stop "$AS_PID"
AS_PID=
send 2>"$W/err"
t_eq "endpoint down: exit 75" "$?" 75
t_eq "endpoint down: store unchanged" "$(sha256sum <"$STORE")" "$sum0"
as --expires 300 --rt "$(field refresh_token)"
conf
send 2>"$W/err"
t_eq "back up: the old sign-in works (exit 0)" "$?" 0
ls "$W/oauth" >"$W/ls"
t_eq "no temporary files left" "$(grep -c tmp "$W/ls")" 0

echo "# a revoked sign-in defers mail and says to run --authorize"
sign_in --expires 300
RT1=$(field refresh_token)
# A new server that knows no refresh token: AADSTS70008, invalid_grant.
as --expires 300
conf
send 2>"$W/err"
t_eq "revoked: exit 75 (deferred, not bounced)" "$?" 75
t_grep "names the command" "printmail --authorize -a default" "$W/err"
t_grep "quotes the reason" "AADSTS70008" "$W/err"
t_eq "store marked" "$(field needs_reauth)" 1
t_eq "refresh token kept" "$(field refresh_token)" "$RT1"
n0=$(reqs)
send 2>"$W/err"
t_eq "next send: exit 75" "$?" 75
t_eq "... without asking the endpoint again" "$(reqs)" "$n0"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "--check: exit 77" "$?" 77
t_grep "--check shows it needs renewing" "the sign-in needs renewing" "$W/out"
PRINTMAIL_QUEUE_DIR=$W/noqueue "$PM" --status -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "--status: failing (2)" "$?" 2
t_grep "--status says the sign-in needs --authorize" "NEEDS printmail --authorize" "$W/out"
t_nogrep "--status shows no token" "$RT1" "$W/out"
conf "soft_bounce = no"
send 2>"$W/err"
t_eq "soft_bounce = no: exit 77" "$?" 77

for c in "interaction_required 50076" "invalid_grant 700082"; do
	set -- $c
	sign_in --expires 300
	printf 'refresh 400 {"error":"%s","error_description":"AADSTS%s: x","error_codes":[%s]}\n' "$1" "$2" "$2" >"$W/script"
	as --expires 300 --script "$W/script"
	conf
	send 2>"$W/err"
	t_eq "$1 (AADSTS$2): exit 75" "$?" 75
	t_eq "$1: marked for --authorize" "$(field needs_reauth)" 1
done
t_grep "700082: says a weekly --refresh keeps it alive" "printmail --refresh" "$W/err"

sign_in --expires 300
printf 'refresh 401 {"error":"invalid_client","error_description":"AADSTS7000112: Application is disabled.","error_codes":[7000112]}\n' >"$W/script"
as --expires 300 --script "$W/script"
conf
send 2>"$W/err"
t_eq "app disabled: exit 75 (the account waits for the admin)" "$?" 75
t_grep "app disabled: says so" "app registration is disabled" "$W/err"
t_eq "app disabled: not marked (a config fix, no new sign-in)" "$(field needs_reauth)" 0

echo "# the store's safety"
sign_in
chmod 644 "$STORE"
send 2>"$W/err"
t_eq "store readable by others: refused (exit 75)" "$?" 75
t_grep "names the chmod" "chmod o-rwx $STORE" "$W/err"
chmod 600 "$STORE"
mv "$STORE" "$W/elsewhere.json"
ln -s "$W/elsewhere.json" "$STORE"
send 2>"$W/err"
t_eq "store a symlink: refused (exit 75)" "$?" 75
t_grep "says symlink" "symbolic link" "$W/err"
rm -f "$STORE"
mv "$W/elsewhere.json" "$STORE"
chmod 755 "$W/oauth"
send 2>"$W/err"
t_eq "directory open to others: refused" "$?" 75
t_grep "names the chmod of the directory" "chmod o-rwx $W/oauth" "$W/err"
chmod 700 "$W/oauth"
rm -rf "$W/oauth"
send 2>"$W/err"
t_eq "never signed in: exit 75" "$?" 75
t_grep "never signed in: names --authorize" "has no OAuth sign-in yet" "$W/err"

echo "# printmail --refresh"
sign_in
"$PM" --refresh -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "--refresh right after a sign-in: exit 0" "$?" 0
t_grep "not due" "not due" "$W/out"
t_eq "... no request" "$(reqs refresh_token)" 0
store_set last_refresh_at "t - 4 * 86400"
RT1=$(field refresh_token)
"$PM" --refresh --all -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "--refresh --all, four days old: exit 0" "$?" 0
t_grep "refreshed" "account [default]: refreshed" "$W/out"
t_eq "... one refresh request" "$(reqs refresh_token)" 1
t_ok "... new refresh token stored" test "$(field refresh_token)" != "$RT1"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_grep "--check shows the sign-in's age" "signed in 0 days ago, refreshed 0 days ago" "$W/out"

echo "# config: what each flow needs"
cfg_err() {
	local want=$1 text=$2
	shift 2
	conf "$@"
	"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
	t_eq "config: $text: exit $want" "$?" "$want"
	t_grep "config: $text: says so" "$text" "$W/out"
}
cfg_err 78 "AADSTS700025" "oauth2_client_secret = x"
cfg_err 78 "keep one" "oauth2_token_command = echo t"
cfg_err 78 "not one of authorization_code" "oauth2_flow = pkce"
conf
sed -i 's|^oauth2_authorize_url = https|oauth2_authorize_url = http|' "$W/pm.conf"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "config: an http:// endpoint: exit 78" "$?" 78
t_grep "config: an http:// endpoint: refused" "oauth2_authorize_url must start with https://" "$W/out"
conf "provider = office365"
sed -i '/^oauth2_tenant/d;/^oauth2_authorize_url/d' "$W/pm.conf"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "config: no tenant: exit 78" "$?" 78
t_grep "config: no tenant: asks for it" "set oauth2_tenant" "$W/out"
conf "provider = gmail" "oauth2_flow = device_code" "oauth2_client_secret = g"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "config: Gmail device flow: exit 78" "$?" 78
t_grep "config: Gmail device flow: says why" "Google refuses" "$W/out"
conf "provider = gmail"
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "config: Gmail without client secret: exit 78" "$?" 78
t_grep "config: Gmail without client secret: says so" "Desktop app" "$W/out"

echo "# Gmail: client secret sent, 127.0.0.1 redirect, access_type=offline"
as --secret gsecret
conf "provider = gmail" "oauth2_client_secret = gsecret"
sed -i '/^oauth2_tenant/d' "$W/pm.conf"
rm -rf "$W/oauth" "$W/aslog"
start_authorize
t_grep "Gmail: offline access asked" "access_type=offline" "$W/aout"
t_grep "Gmail: Gmail's scope" "scope=https%3A%2F%2Fmail.google.com%2F" "$W/aout"
curl -s -L --cacert "$W/tls/ca.crt" -o /dev/null "$URL"
end_authorize
t_eq "Gmail authorize: exit 0" "$RC" 0
t_grep "Gmail: redirect to 127.0.0.1" "redirect_uri\": \"http://127.0.0.1:$LPORT/" "$W/aslog"
t_nogrep "Gmail: the secret never on screen" "gsecret" "$W/aout"
# Gmail refuses the token: its JSON challenge, our empty line, 535 5.7.8;
# one new token, one more try, then the fix.
smtp -G -T another-token
conf "provider = gmail" "oauth2_client_secret = gsecret"
sed -i '/^oauth2_tenant/d' "$W/pm.conf"
n0=$(reqs refresh_token)
"$PM" --check -C "$W/pm.conf" >"$W/out" 2>&1
t_eq "Gmail refuses the token: --check exit 77" "$?" 77
t_grep "answered the challenge, got 535 5.7.8" "535 5.7.8 Username and Password not accepted" "$W/out"
t_grep "tried once more with a new token" "token refused (5.7.8)" "$W/out"
t_eq "one refresh for it" "$(reqs refresh_token)" "$((n0 + 1))"
t_grep "the fix names the 7-day Testing sign-ins" 'left in "Testing" gets sign-ins that expire after 7 days' "$W/out"
t_grep "... and the command" "printmail --authorize -a default" "$W/out"
grep '"grant_type": "refresh_token"' "$W/aslog" | tail -1 >"$W/last"
t_grep "Google refresh carries the client secret" '"client_secret": "gsecret"' "$W/last"
t_nogrep "Google refresh carries no scope" '"scope"' "$W/last"
smtp -T tok123

echo "# the CUPS backend (as lp) and the queue runner (as printmail) share the store"
if [ "$(id -u)" != 0 ]; then
	t_ok "backend and runner tests need root (setgid helper, users lp and printmail)" false
else
	. "$HERE/lib/queue.sh"
	. "$HERE/lib/pdf.sh"
	BIN=$(dirname "$PM")
	B=$(mktemp -d /tmp/printmail-oauth-be.XXXXXX)
	chmod 755 "$B"
	q_user
	mkdir -p "$B/bin" "$B/run" "$B/tmp" "$B/oauth"
	chmod 1777 "$B/run" "$B/tmp"
	install -m 0755 "$PM" "$B/bin/printmail"
	q_install_helper "$BIN/printmail-enqueue" "$B/bin/printmail-enqueue"
	q_make "$B/spool"
	install -m 0644 "$W/tls/ca.crt" "$B/ca.crt"
	# As the package lays it out: root's, the senders' group may write.
	chown root:printmail "$B/oauth"
	chmod 2770 "$B/oauth"
	make_pdf "$B/doc.pdf" "Invoice"
	chmod 644 "$B/doc.pdf"
	STORE=$B/oauth/default.json
	as --interval 1 --strict
	conf "to = ketoan@khachhang.test" "queue_dir = $B/spool"
	sed "s|$W/tls/ca.crt|$B/ca.crt|" "$W/pm.conf" >"$B/pm.conf"
	chown root:printmail "$B/pm.conf"
	chmod 640 "$B/pm.conf"
	rm -f "$W/aslog"
	"$B/bin/printmail" --authorize --device -C "$B/pm.conf" </dev/null >"$W/aout" 2>&1
	t_eq "signed in into the shared store: exit 0" "$?" 0
	t_eq "store 0640, group printmail" "$(stat -c '%a %G' "$STORE")" "640 printmail"
	expire() { store_set access_expires_at "t - 60"; }
	# backend JOB: the backend as cupsd runs it (as root; it becomes lp).
	backend() {
		env -i PATH=/usr/bin:/bin DEVICE_URI=email:/default \
		    PRINTER=hoadon PRINTMAIL_CONFIG="$B/pm.conf" \
		    PRINTMAIL_RUN_DIR="$B/run" TMPDIR="$B/tmp" "$BIN/email" "$1" \
		    lan Invoice 1 "" "$B/doc.pdf" 2>"$W/err"
	}
	mails() { find "$W/mail" -type f | wc -l; }
	expire
	RT1=$(field refresh_token)
	m0=$(mails)
	backend 7
	t_eq "backend with an expired token: CUPS_BACKEND_OK" "$?" 0
	t_eq "backend: the job was sent" "$(mails)" "$((m0 + 1))"
	t_eq "backend (as lp) refreshed once" "$(reqs refresh_token)" 1
	t_ok "backend stored the rotated refresh token" test "$(field refresh_token)" != "$RT1"
	t_eq "written by lp, still 0640 printmail" "$(stat -c '%U %a %G' "$STORE")" "lp 640 printmail"
	t_nogrep "backend: no token on its status lines" "$(field refresh_token)" "$W/err"
	t_nogrep "backend: no access token either" "tok123" "$W/err"

	expire
	printf 'Subject: queued\n\nx\n' | env PRINTMAIL_QUEUE_DIR="$B/spool" \
	    PRINTMAIL_ENQUEUE="$B/bin/printmail-enqueue" \
	    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$B/bin/printmail" -C "$B/pm.conf" -odq a@khachhang.vn 2>"$W/err"
	t_eq "queued by a caller who cannot read the config: exit 0" "$?" 0
	RT2=$(field refresh_token)
	PRINTMAIL_RUN_DIR="$B/run" setpriv --reuid=printmail \
	    --regid=printmail --clear-groups "$B/bin/printmail" -C "$B/pm.conf" \
	    --flush >"$W/out" 2>&1
	t_eq "runner (as printmail) with an expired token: exit 0" "$?" 0
	t_eq "runner: the message was sent" "$(mails)" "$((m0 + 2))"
	t_eq "runner refreshed once" "$(reqs refresh_token)" 2
	t_ok "runner stored the rotated refresh token" test "$(field refresh_token)" != "$RT2"
	t_eq "written by printmail" "$(stat -c '%U %a' "$STORE")" "printmail 640"
	t_ok "nobody (not in the group) cannot read the store" \
	    sh -c "! setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups cat '$STORE' >/dev/null 2>&1"
	store_set needs_reauth 1
	store_set reason '"invalid_grant: AADSTS70008"'
	n0=$(reqs)
	printf 'Subject: waits\n\nx\n' | env PRINTMAIL_QUEUE_DIR="$B/spool" \
	    PRINTMAIL_ENQUEUE="$B/bin/printmail-enqueue" \
	    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$B/bin/printmail" -C "$B/pm.conf" -odq a@khachhang.vn 2>"$W/err"
	PRINTMAIL_RUN_DIR="$B/run" setpriv --reuid=printmail \
	    --regid=printmail --clear-groups "$B/bin/printmail" -C "$B/pm.conf" \
	    --flush >"$W/out" 2>&1
	"$B/bin/printmail" -C "$B/pm.conf" --queue >"$W/list" 2>&1
	t_grep "runner, sign-in revoked: the message waits, held" "held" "$W/list"
	t_grep "--queue names the command" "printmail --authorize -a default" "$W/list"
	backend 8
	t_eq "backend, sign-in revoked: CUPS_BACKEND_STOP (job kept)" "$?" 4
	t_grep "backend: says to run --authorize" "run printmail --authorize -a default; resume the queue with: cupsenable hoadon" "$W/err"
	t_nogrep "backend: no App Password advice for an OAuth account" "App Password" "$W/err"
	t_eq "backend: no request to the endpoint" "$(reqs)" "$n0"
	LAST_RT=$(field refresh_token)
	rm -rf "$B"
fi

echo "# no secret anywhere"
cat "$W"/aout "$W"/err* "$W"/out >"$W/all" 2>/dev/null
for s in "${LAST_RT:-$(field refresh_token)}" tok123 code_verifier gsecret; do
	t_nogrep "not in any output: ${s:0:6}..." "$s" "$W/all"
done

echo "# --setup on a terminal: OAuth 2.0 chosen, the device code signs in"
smtp -T tok123
as --pending 1 --interval 1
STORE=$W/oauth/default.json
rm -rf "$W/oauth" "$W/aslog"
mkdir -m 700 "$W/oauth"
(
	umask 077
	cat >"$W/pm.conf" <<EOC
# the admin's comment
[default]
host = 127.0.0.1
port = $SMTP_PORT
tls_ca_file = $W/tls/ca.crt
user = hoadon@congty.com
password = the old app password
from = hoadon@congty.com
oauth2_device_url = https://127.0.0.1:$AS_PORT/congty.com/oauth2/v2.0/devicecode
oauth2_token_url = https://127.0.0.1:$AS_PORT/congty.com/oauth2/v2.0/token
oauth2_token_file = $STORE
EOC
)
printf '%s\t%s\n' \
    "(it sends as this address) [hoadon@congty.com]" "" \
    "Provider [3]" "" \
    "SMTP server [127.0.0.1]" "" \
    "TLS: starttls or implicit [starttls]" "" \
    "Port [$SMTP_PORT]" "" \
    "[$W/tls/ca.crt]" "" \
    "Sender's name" "" \
    "Where printed documents go" "" \
    "Sign-in [1]" "2" \
    "Application (client) ID" "client-1" \
    "Make a CUPS print queue for this account [Y/n]" "n" >"$W/setup.script"
python3 "$HERE/tty_drive.py" "$W/setup.log" "$W/setup.script" -- \
    env LC_ALL=C.UTF-8 "$PM" --setup -C "$W/pm.conf"
t_eq "--setup with OAuth: exit 0" "$?" 0 || tail -n 15 "$W/setup.log"
t_grep "it showed the device code" "enter the code ABCD-1234" "$W/setup.log"
t_grep "it checked the account with XOAUTH2" "authenticated as hoadon@congty.com with XOAUTH2" "$W/setup.log"
t_grep "auth = xoauth2 written" "auth = xoauth2" "$W/pm.conf"
t_grep "... the device-code flow" "oauth2_flow = device_code" "$W/pm.conf"
t_grep "... the client ID" "oauth2_client_id = client-1" "$W/pm.conf"
t_nogrep "the old password removed" "password = the old app password" "$W/pm.conf"
t_grep "the admin's comment kept" "# the admin's comment" "$W/pm.conf"
t_ok "the sign-in stored" test -s "$STORE"
t_nogrep "no token in the transcript" "tok123" "$W/setup.log"
send
t_eq "and it sends with the token" "$?" 0
printf '%s\n' 'an app password' | "$PM" --setup --non-interactive --password-stdin \
    -C "$W/pm.conf" --address hoadon@congty.com --host 127.0.0.1 --no-check >/dev/null 2>&1
t_eq "back to an App Password (--setup --non-interactive): exit 0" "$?" 0
t_eq "... auth = xoauth2 and the OAuth keys gone" \
    "$(grep -c '^auth\|^oauth2_flow\|^oauth2_client_id' "$W/pm.conf")" 0
t_grep "... the password set" "password = an app password" "$W/pm.conf"

stop "$SMTP_PID" "$AS_PID"
SMTP_PID=
AS_PID=
t_summary
