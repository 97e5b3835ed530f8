#!/usr/bin/env bash
# End-to-end tests of printmail against a private Postfix on loopback
# (STARTTLS required, AUTH against a Cyrus sasldb, certificates from a
# throwaway CA).  Usage: tests/integration.sh path/to/printmail
set -u
PM=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"

if [ "$(id -u)" != 0 ]; then
	echo "not ok - integration tests need root to run a private Postfix" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

W=$(mktemp -d /tmp/printmail-it.XXXXXX)
chmod 755 "$W"
SILENT_PID=
cleanup() {
	pf_stop
	[ -n "$SILENT_PID" ] && kill "$SILENT_PID" 2>/dev/null
	[ -n "$SILENT_PID" ] && wait "$SILENT_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

pf_start "$W/pf" || { echo "not ok - private Postfix did not start"; exit 1; }

# VALGRIND=1: every printmail run goes through valgrind, and any memory
# error or definite leak turns its exit status into 99, failing the check.
if [ -n "${VALGRIND:-}" ]; then
	command -v valgrind >/dev/null || { echo "not ok - valgrind is missing"; exit 1; }
	cat >"$W/printmail-vg" <<EOS
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full \\
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \\
    --log-file=$W/valgrind.%p "$PM" "\$@"
EOS
	chmod 755 "$W/printmail-vg"
	PM=$W/printmail-vg
	echo "# every printmail run under valgrind"
fi
echo "# private Postfix: pid $PF_PID, STARTTLS port $PF_PORT, implicit TLS port $PF_TLS_PORT"

# conf FILE [extra lines...]: a config for the private Postfix.
conf() {
	local f=$1
	shift
	pf_write_conf "$f" "from_name = Phòng Kế toán" "timeout = 10" "$@"
}
CONF=$W/pm.conf
conf "$CONF"

# Body of a delivered message (after the first empty line).
body() { sed '1,/^$/d' "$1"; }
headers() { sed '/^$/q' "$1"; }

echo "# delivery: dots, 8-bit UTF-8, Date and Message-ID added, From kept"
cat >"$W/m1.txt" <<'EOM'
From: Phòng Kế toán <hoadon@printmail.test>
To: ketoan@khachhang.vn
Subject: Hóa đơn GTGT số 0001234

.a line starting with a dot
..two dots
.
Tiếng Việt: hóa đơn điện tử
last line
EOM
pf_clear
"$PM" -C "$CONF" -i ketoan@khachhang.vn <"$W/m1.txt" 2>"$W/err"
t_eq "printmail exits 0 on delivery" "$?" 0
t_ok "one message delivered" pf_wait_mail 1
M=$(pf_last)
sed '1,/^$/d' "$W/m1.txt" >"$W/m1.body"
body "$M" >"$W/got.body"
t_ok "body arrives byte for byte (dots, UTF-8)" cmp -s "$W/m1.body" "$W/got.body"
headers "$M" >"$W/got.hdr"
t_grep "Date added" "Date: " "$W/got.hdr"
t_grep "Message-ID added" "Message-ID: <" "$W/got.hdr"
t_grep "8-bit subject intact" "Subject: Hóa đơn GTGT số 0001234" "$W/got.hdr"
t_grep "From already the mailbox: kept" "From: Phòng Kế toán <hoadon@printmail.test>" "$W/got.hdr"
t_nogrep "no Reply-To when From is the mailbox" "Reply-To:" "$W/got.hdr"
t_grep "envelope sender is the account's from" "from=$PF_USER" "${M%.eml}.env"
t_grep "delivered over TLS with AUTH" "sasl_username=$PF_USER" "$W/pf/maillog"

echo "# without -i a line with a single dot ends the message"
pf_clear
printf 'Subject: dot\n\nkept\n.\nnot sent\n' | "$PM" -C "$CONF" a@x.test
t_eq "exit 0" "$?" 0
pf_wait_mail 1
body "$(pf_last)" >"$W/got.body"
t_eq "input ends at the lone dot" "$(cat "$W/got.body")" "kept"

echo "# From rewritten for Microsoft 365, sender kept as Reply-To"
pf_clear
printf 'From: Scanner <scanner@printer.local>\nSubject: scan\n\nscan\n' |
    "$PM" -C "$CONF" -f scanner@printer.local -- a@x.test
t_eq "exit 0" "$?" 0
pf_wait_mail 1
headers "$(pf_last)" >"$W/got.hdr"
t_grep "From is the account's mailbox, named by from_name" \
    "From: =?UTF-8?B?UGjDsm5nIEvhur8gdG/DoW4=?= <hoadon@printmail.test>" "$W/got.hdr"
t_grep "original sender kept as Reply-To" "Reply-To: Scanner <scanner@printer.local>" "$W/got.hdr"

echo "# rewrite_from = no leaves From alone"
conf "$W/norewrite.conf" "rewrite_from = no"
pf_clear
printf 'From: Scanner <scanner@printer.local>\nSubject: scan\n\nscan\n' |
    "$PM" -C "$W/norewrite.conf" a@x.test
pf_wait_mail 1
headers "$(pf_last)" >"$W/got.hdr"
t_grep "From unchanged" "From: Scanner <scanner@printer.local>" "$W/got.hdr"

echo "# -t: recipients from To, Cc and Bcc; Bcc removed"
pf_clear
printf 'To: A <to@x.test>\nCc: cc1@x.test, "Cc, Two" <cc2@x.test>\nBcc: hidden@y.test\nSubject: t\n\nbody\n' |
    "$PM" -C "$CONF" -t -i
t_eq "exit 0" "$?" 0
t_ok "four deliveries" pf_wait_mail 4
sleep 0.5
t_eq "exactly four" "$(pf_count)" 4
cat "$PF_MAIL"/*.env >"$W/env"
for r in to@x.test cc1@x.test cc2@x.test hidden@y.test; do
	t_grep "envelope recipient $r" "to=$r" "$W/env"
done
cat "$PF_MAIL"/*.eml >"$W/all"
t_nogrep "no Bcc header delivered" "Bcc:" "$W/all"
t_nogrep "Bcc address not visible" "hidden@y.test" "$W/all"

echo "# a 20 MB attachment, byte-correct"
pf_clear
{
	printf 'Subject: big\nMIME-Version: 1.0\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n'
	head -c 15000000 /dev/urandom | base64 -w 76
} >"$W/big.eml"
"$PM" -C "$CONF" -i big@x.test <"$W/big.eml"
t_eq "exit 0" "$?" 0
t_ok "delivered" pf_wait_mail 1 60
t_eq "20 MB body identical" "$(body "$(pf_last)" | sha256sum)" "$(sed '1,/^$/d' "$W/big.eml" | sha256sum)"

echo "# verbose dialogue never shows the password"
pf_clear
printf 'Subject: v\n\nv\n' | "$PM" -C "$CONF" -v a@x.test 2>"$W/verbose"
t_grep "dialogue shown" "-> STARTTLS" "$W/verbose"
t_grep "AUTH redacted" "AUTH PLAIN <redacted>" "$W/verbose"
t_nogrep "no password" "$PF_PASS" "$W/verbose"
t_nogrep "no base64 of the credentials" "$(printf '\0%s\0%s' "$PF_USER" "$PF_PASS" | base64 -w0)" "$W/verbose"
t_grep "one key=value result line" "result=sent" "$W/verbose"
t_grep "result line names TLS" 'tls="TLSv1.' "$W/verbose"

echo "# AUTH LOGIN forced (Microsoft 365's only password mechanism)"
conf "$W/login.conf" "auth = login"
pf_clear
printf 'Subject: l\n\nl\n' | "$PM" -C "$W/login.conf" -v a@x.test 2>"$W/verbose"
t_eq "exit 0" "$?" 0
t_grep "AUTH LOGIN used" "-> AUTH LOGIN" "$W/verbose"
t_ok "delivered" pf_wait_mail 1

echo "# implicit TLS listener"
conf "$W/implicit.conf" "tls = implicit"
sed -i "s/^port = .*/port = $PF_TLS_PORT/" "$W/implicit.conf"
pf_clear
printf 'Subject: i\n\ni\n' | "$PM" -C "$W/implicit.conf" a@x.test
t_eq "exit 0" "$?" 0
t_ok "delivered" pf_wait_mail 1

echo "# host names: localhost (certificate name) and ::1"
sed "s/^host = .*/host = localhost/" "$CONF" >"$W/localhost.conf"
chmod 600 "$W/localhost.conf"
printf 'Subject: n\n\nn\n' | "$PM" -C "$W/localhost.conf" a@x.test
t_eq "localhost verified, exit 0" "$?" 0
sed "s/^host = .*/host = ::1/" "$CONF" >"$W/v6.conf"
chmod 600 "$W/v6.conf"
printf 'Subject: 6\n\n6\n' | "$PM" -C "$W/v6.conf" a@x.test
t_eq "IPv6 ::1 verified, exit 0" "$?" 0

echo "# --check"
"$PM" --check -C "$CONF" >"$W/check" 2>&1
t_eq "--check exits 0" "$?" 0
t_grep "--check ends with Connection successful" "Connection successful" "$W/check"
t_grep "--check shows TLS" "TLS established" "$W/check"
t_grep "--check logged in" "authenticated as $PF_USER" "$W/check"

echo "# failures: exit codes, and nothing delivered"
pf_clear
conf "$W/badpass.conf"
sed -i "s/^password = .*/password = wrong password/" "$W/badpass.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/badpass.conf" a@x.test 2>"$W/err"
t_eq "wrong password: 75, deferred (soft bounce)" "$?" 75
t_grep "says AUTH was refused" "AUTH" "$W/err"
t_nogrep "error does not hold the password" "wrong password" "$W/err"
"$PM" --check -C "$W/badpass.conf" >"$W/check" 2>&1
t_eq "--check with wrong password: 77" "$?" 77
t_grep "--check says FAILED" "FAILED" "$W/check"
echo "soft_bounce = no" >>"$W/badpass.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/badpass.conf" a@x.test 2>/dev/null
t_eq "wrong password, soft_bounce = no: 77 (EX_NOPERM)" "$?" 77

conf "$W/down.conf"
sed -i "s/^port = .*/port = $(pf_free_port)/" "$W/down.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/down.conf" a@x.test 2>"$W/err"
t_eq "server down: 75 (EX_TEMPFAIL)" "$?" 75
t_grep "says it cannot connect" "cannot connect" "$W/err"

pf_make_ca "$W/other-ca" "untrusted"
conf "$W/untrusted.conf"
sed -i "s|^tls_ca_file = .*|tls_ca_file = $W/other-ca/ca.crt|" "$W/untrusted.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/untrusted.conf" a@x.test 2>"$W/err"
t_eq "untrusted certificate: 75 (soft bounce)" "$?" 75
t_grep "names the certificate problem" "not trusted" "$W/err"

# A trusted certificate for another name: host-name (here IP) verification.
mkdir -p "$W/other-name"
openssl req -newkey rsa:2048 -nodes -subj "/CN=mail.other.test" \
    -keyout "$W/other-name/key" -out "$W/other-name/csr" 2>/dev/null
printf 'subjectAltName=DNS:mail.other.test\n' >"$W/other-name/ext"
openssl x509 -req -in "$W/other-name/csr" -CA "$W/pf/tls/ca.crt" \
    -CAkey "$W/pf/tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$W/other-name/ext" -out "$W/other-name/crt" 2>/dev/null
tls_server "$W/other-name/crt" "$W/other-name/key"
SILENT_PID=$TLS_PID
NAME_PORT=$TLS_PORT
conf "$W/wrongname.conf" "tls = implicit"
sed -i "s/^port = .*/port = $NAME_PORT/" "$W/wrongname.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/wrongname.conf" a@x.test 2>"$W/err"
t_eq "certificate for another name: 75 (soft bounce)" "$?" 75
echo "soft_bounce = no" >>"$W/wrongname.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/wrongname.conf" a@x.test 2>/dev/null
t_eq "... with soft_bounce = no: 76 (EX_PROTOCOL)" "$?" 76
t_grep "says the address does not match" "mismatch" "$W/err"
kill "$SILENT_PID" 2>/dev/null
wait "$SILENT_PID" 2>/dev/null
SILENT_PID=

conf "$W/open.conf"
chmod 644 "$W/open.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/open.conf" a@x.test 2>"$W/err"
t_eq "world-readable config with a password: 75 (deferred)" "$?" 75
"$PM" --check -C "$W/open.conf" >/dev/null 2>&1
t_eq "... and --check says 78 (EX_CONFIG)" "$?" 78
t_grep "gives the chmod that fixes it" "chmod o-rwx $W/open.conf" "$W/err"

printf '[default]\nhost = h\nfrom = a@b.c\nfrobnicate = yes\n' >"$W/unknown.conf"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/unknown.conf" a@x.test 2>"$W/err"
t_eq "unknown key: 75 (a config that cannot be read defers)" "$?" 75
t_grep "names file and line" "unknown.conf:4: unknown key 'frobnicate'" "$W/err"

printf 'Subject: x\n\nx\n' | "$PM" -C "$CONF" 2>"$W/err"
t_eq "no recipients: 64 (EX_USAGE)" "$?" 64
printf 'Subject: x\n\nx\n' | "$PM" -C "$CONF" root 2>"$W/err"
t_eq "recipient without a domain: 64" "$?" 64
t_grep "names the recipient" '"root"' "$W/err"
python3 -c "print('X-Long: ' + 'x' * 1100000 + '\n\nbody')" | "$PM" -C "$CONF" a@x.test 2>"$W/err"
t_eq "a header field over 1 MiB: 65 (EX_DATAERR)" "$?" 65
t_grep "says which limit" "longer than 1048576 bytes" "$W/err"
"$PM" -C "$CONF" -bs </dev/null 2>"$W/err"
t_eq "unsupported mode -bs: 64" "$?" 64
printf 'Subject: x\n\nx\n' | "$PM" -C "$CONF" -odi -oem -U -n a@x.test 2>"$W/err"
t_eq "ignored sendmail flags are not fatal" "$?" 0
t_eq "nothing delivered by the failures above but the last" "$(pf_wait_mail 1 10; pf_count)" 1

echo "# provider limits across parallel senders"
# Postfix refuses a third concurrent connection from one client, as
# Microsoft 365 refuses a fourth (432 4.3.2).
postconf -c "$W/pf/etc" -e smtpd_client_connection_count_limit=2 \
    smtpd_client_event_limit_exceptions=
postfix -c "$W/pf/etc" reload >/dev/null 2>&1
sleep 1
export PRINTMAIL_RUN_DIR=$W/run
parallel() { # CONF N: N senders at once; prints how many failed
	local pids=() i fails=0
	for i in $(seq 1 "$2"); do
		printf 'Subject: p%s\n\nx\n' "$i" |
		    "$PM" -C "$1" -v "p$i@x.test" 2>"$W/par.$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fails=$((fails + 1))
	done
	echo "$fails"
}
conf "$W/nolimit.conf"
pf_clear
t_ok "control: without max_connections the server refuses some of 10" \
    test "$(parallel "$W/nolimit.conf" 10)" -gt 0
conf "$W/limit.conf" "max_connections = 2"
pf_clear
t_eq "max_connections = 2: all 10 parallel senders succeed" \
    "$(parallel "$W/limit.conf" 10)" 0
t_ok "all 10 delivered" pf_wait_mail 10 30
cat "$W"/par.* >"$W/par.all"
t_grep "waiting is reported with -v" "waiting: 2 connections of account [default] are in use" "$W/par.all"
postconf -c "$W/pf/etc" -e smtpd_client_connection_count_limit=50
postfix -c "$W/pf/etc" reload >/dev/null 2>&1
# max_per_minute: two sent 54 s ago, four more now: two wait ~6 s (room
# for slow starts, e.g. under valgrind).
conf "$W/rate.conf" "max_per_minute = 4"
mkdir -p "$W/run"
now=$(date +%s)
printf '%s\n%s\n' $((now - 54)) $((now - 54)) >"$W/run/default.rate"
pf_clear
start=$(date +%s%N)
t_eq "max_per_minute = 4: four parallel senders succeed" \
    "$(parallel "$W/rate.conf" 4)" 0
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
t_ok "the last two waited for the minute to pass (${elapsed} ms)" test "$elapsed" -ge 3000
cat "$W"/par.* >"$W/par.all"
t_grep "rate waiting reported" "messages in the last minute (max_per_minute)" "$W/par.all"
t_eq "the rate file holds the last minute's sends" "$(wc -l <"$W/run/default.rate")" 4
unset PRINTMAIL_RUN_DIR

echo "# a server that never answers: timeout, 75"
tls_server "$W/pf/tls/server.crt" "$W/pf/tls/server.key"
SILENT_PID=$TLS_PID
SILENT_PORT=$TLS_PORT
conf "$W/silent.conf"
sed -i -e "s/^port = .*/port = $SILENT_PORT/" -e "s/^timeout = .*/timeout = 2/" "$W/silent.conf"
start=$(date +%s)
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/silent.conf" a@x.test 2>"$W/err"
t_eq "silent server: 75" "$?" 75
t_ok "gave up within the timeout (+2 s)" test $(( $(date +%s) - start )) -le 4
t_grep "says it timed out" "timed out" "$W/err"
kill "$SILENT_PID" 2>/dev/null
wait "$SILENT_PID" 2>/dev/null
SILENT_PID=

if [ -n "${VALGRIND:-}" ]; then
	cat "$W"/valgrind.* 2>/dev/null >"$W/valgrind.all"
	t_eq "valgrind reported nothing in any run" "$(wc -c <"$W/valgrind.all")" 0
	head -40 "$W/valgrind.all"
fi

t_summary
