#!/usr/bin/env bash
# Real-world input (issue: headers that lose mail or reach the wrong
# people): each message goes through printmail -t -i and through Postfix's
# own sendmail -t -i into the same private Postfix; the recipients, and the
# header fields that matter, must agree.  Then what printmail does on its
# own (From it cannot use, display names, bare senders).
# Usage: tests/suite-input.sh path/to/printmail
set -u
PM=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"

if [ "$(id -u)" != 0 ]; then
	echo "not ok - the differential tests need root (private Postfix, its sendmail)"
	echo "0 passed, 1 failed"
	exit 1
fi
W=$(mktemp -d /tmp/printmail-input.XXXXXX)
chmod 755 "$W"
trap 'pf_stop; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
pf_start "$W/pf" || { echo "not ok - private Postfix did not start"; echo "0 passed, 1 failed"; exit 1; }
CONF=$W/printmail.conf
conf() {
	(
		umask 077
		cat >"$CONF" <<EOC
[default]
host = 127.0.0.1
port = $PF_PORT
tls_ca_file = $PF_CA
user = $PF_USER
password = $PF_PASS
from = $PF_USER
timeout = 10
EOC
		for l in "$@"; do echo "$l" >>"$CONF"; done
	)
}
conf

# deliver DIR CMD...: the message on standard input through CMD; the
# delivered copies (one per recipient) land in DIR.
deliver() {
	local dir=$1 before
	shift
	pf_clear
	"$@" >"$W/cmd.out" 2>&1
	RC=$?
	mkdir -p "$dir"
	rm -f "$dir"/*
	# Every recipient's copy, then a quiet moment.
	local last=-1 n
	for i in $(seq 1 60); do
		n=$(pf_count)
		[ "$n" -gt 0 ] && [ "$n" = "$last" ] && break
		last=$n
		sleep 0.25
	done
	cp "$PF_MAIL"/* "$dir"/ 2>/dev/null
}
via_printmail() { deliver "$W/pm" "$PM" -C "$CONF" -t -i <"$W/in"; }
via_postfix() { deliver "$W/px" sendmail -C "$W/pf/etc" -t -i <"$W/in"; }
# rcpts DIR: the envelope recipients, sorted, one line.
rcpts() { cat "$1"/*.env 2>/dev/null | sed -n 's/^to=//p' | sort | tr '\n' ' '; }
# hdr DIR NAME: the decoded field of the first copy ("" if none).
hdr() {
	python3 - "$1" "$2" <<'EOF'
import email, email.header, email.policy, glob, sys
f = sorted(glob.glob(sys.argv[1] + "/*.eml"))
if f:
    m = email.message_from_binary_file(open(f[0], "rb"), policy=email.policy.default)
    v = m.get(sys.argv[2])
    print("" if v is None else str(v))
EOF
}
# raw DIR NAME: the field as delivered (all copies).
raw() { grep -ih "^$2:" "$1"/*.eml 2>/dev/null | head -n 1; }
# longest FILE: the length of its longest run of "y" on one line.
longest() { tr -d '\r' <"$1" | awk '/^y+$/ { if (length($0) > m) m = length($0) } END { print m + 0 }'; }
# content DIR: the decoded text of the first copy, as a mail reader shows it.
content() {
	python3 - "$1" <<'EOF'
import email, email.policy, glob, sys
f = sorted(glob.glob(sys.argv[1] + "/*.eml"))[0]
m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
sys.stdout.write(m.get_content())
EOF
}
# longest_line FILE: octets in its longest line, CRLF not counted.
longest_line() { tr -d '\r' <"$1" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'; }
both() {
	via_printmail
	PM_RC=$RC
	via_postfix
}

echo "# Resent-*: the resent recipients only, Resent-Bcc never shown"
cat >"$W/in" <<'EOM'
From: ketoan@congty.test
To: first@khachhang.test
Cc: firstcc@khachhang.test
Subject: hoa don thang 11
Resent-From: ketoan@congty.test
Resent-To: second@khachhang.test
Resent-Cc: secondcc@khachhang.test
Resent-Bcc: secret@khachhang.test

body
EOM
both
t_eq "printmail: exit 0" "$PM_RC" 0
t_eq "same recipients as Postfix" "$(rcpts "$W/pm")" "$(rcpts "$W/px")"
t_eq "the resent ones only" "$(rcpts "$W/pm")" "second@khachhang.test secondcc@khachhang.test secret@khachhang.test "
t_eq "no Resent-Bcc delivered (printmail)" "$(grep -il '^Resent-Bcc:' "$W"/pm/*.eml | wc -l)" 0
t_eq "no Resent-Bcc delivered (Postfix)" "$(grep -il '^Resent-Bcc:' "$W"/px/*.eml | wc -l)" 0
t_grep "the original To stays in the header" "To: first@khachhang.test" "$(ls "$W"/pm/*.eml | head -n 1)"

echo "# 'Name : value' (RFC 5322 obsolete syntax) does not end the header"
printf 'From: ketoan@congty.test\nTo: a@khachhang.test\nSubject : bao cao\nCc: cc@khachhang.test\nBcc : hidden@khachhang.test\n\nbody\n' >"$W/in"
both
t_eq "printmail: exit 0" "$PM_RC" 0
t_eq "same recipients as Postfix" "$(rcpts "$W/pm")" "$(rcpts "$W/px")"
t_eq "Cc and Bcc after it are sent to" "$(rcpts "$W/pm")" "a@khachhang.test cc@khachhang.test hidden@khachhang.test "
t_eq "the Bcc address is shown to nobody" "$(grep -l 'hidden@' "$W"/pm/*.eml | wc -l)" 0
t_eq "Subject kept" "$(hdr "$W/pm" Subject)" "bao cao"
t_eq "the body is the body" "$(tail -n 1 "$(ls "$W"/pm/*.eml | head -n 1)" | tr -d '\r')" "body"

echo "# a From printmail cannot use does not lose the message"
for f in "From: " "From: <>" "From: undisclosed-recipients:;" \
    "$(printf 'From: Scan\001ner <scan@congty.test>')" "From: scanner"; do
	for rw in yes no; do
		conf "rewrite_from = $rw"
		printf '%s\nTo: a@khachhang.test\nSubject: scan\n\nbody\n' "$f" >"$W/in"
		via_printmail
		t_eq "'$(printf '%s' "$f" | tr -d '\001')' (rewrite_from = $rw): sent" "$RC $(pf_count)" "0 1"
		want=$PF_USER
		# rewrite_from = no keeps a From it can use.
		case "$rw$f" in no*scan@congty.test*) want=scan@congty.test ;; esac
		t_eq "... From $want" "$(hdr "$W/pm" From | sed 's/.*<\(.*\)>.*/\1/')" "$want"
	done
done
conf
t_nogrep "no control character went out" "$(printf '\001')" "$(ls "$W"/pm/*.eml | head -n 1)"

echo "# cron: a bare local part is not a reply address"
printf 'From: root (Cron Daemon)\nTo: admin@khachhang.test\nSubject: Cron <root@server> backup\n\nok\n' >"$W/in"
via_printmail
t_eq "cron mail: sent" "$RC" 0
t_eq "no Reply-To: root" "$(raw "$W/pm" Reply-To)" ""
conf "qualify_domain = server.congty.test"
via_printmail
t_eq "with qualify_domain: Reply-To root@server.congty.test" "$(hdr "$W/pm" Reply-To)" "root@server.congty.test"
conf

echo "# display names: decoded once, quotes kept"
printf 'From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <jorg@khachhang.test>\nTo: a@khachhang.test\nSubject: x\n\nx\n' >"$W/in"
via_printmail
t_eq "RFC 2047 name in the rewritten From: one encoding" "$(hdr "$W/pm" From)" "Jörg Müller <$PF_USER>"
t_eq "... and in Reply-To" "$(hdr "$W/pm" Reply-To)" "Jörg Müller <jorg@khachhang.test>"
t_eq "no encoded word left inside a quoted string" "$(raw "$W/pm" From | grep -c '"=?')" 0
printf 'From: =?windows-1258?Q?Nguy=EA=DEn_V=E3n_A?= <a@khachhang.test>\nTo: b@khachhang.test\nSubject: x\n\nx\n' >"$W/in"
via_printmail
t_eq "a windows-1258 name (Vietnamese Windows) comes out as UTF-8" "$(hdr "$W/pm" Reply-To)" "Nguyễn Văn A <a@khachhang.test>"
printf 'From: "JJ \\"Boss\\"" <jj@khachhang.test>\nTo: b@khachhang.test\nSubject: x\n\nx\n' >"$W/in"
via_printmail
t_eq "escaped quotes kept" "$(hdr "$W/pm" Reply-To)" '"JJ \"Boss\"" <jj@khachhang.test>'

echo "# NUL bytes and giant first lines: delivered, as Postfix does"
printf 'From: cron@congty.test\nTo: a@khachhang.test\nSubject: nul\n\nbefore\000after\n' >"$W/in"
both
t_eq "NUL in the body: printmail exit 0" "$PM_RC" 0
t_eq "... delivered like Postfix" "$(rcpts "$W/pm")" "$(rcpts "$W/px")"
t_grep "... as a blank" "before after" "$(ls "$W"/pm/*.eml | head -n 1)"
for size in 200000 1100000; do
	python3 -c "import sys; sys.stdout.write('y' * $size + '\nlast line\n')" >"$W/in"
	deliver "$W/pm" "$PM" -C "$CONF" -i a@khachhang.test <"$W/in"
	t_eq "no header, a $size-byte first line: exit 0" "$RC" 0
	content "$W/pm" >"$W/got"
	t_eq "... the line arrives whole (quoted-printable)" "$(longest "$W/got")" "$size"
	t_grep "... and what follows it" "last line" "$W/got"
	python3 -c "import sys; sys.stdout.write('y' * $size + '\nlast line\n')" |
	    deliver "$W/pm" "$PM" -C "$CONF" -i a@khachhang.test
	t_eq "the same from a pipe: exit 0" "$RC" 0
	content "$W/pm" >"$W/got"
	t_eq "... the line arrives whole" "$(longest "$W/got")" "$size"
done

echo "# lines over 998 octets, 8-bit data without 8BITMIME: encoded, never sent raw"
python3 - "$W/text" <<'EOF'
import sys
t = "Báo cáo ngày 29/11: " + "x=1; " * 500 + "\n" + "trailing blank \n" + "=?not a word?=\n" + ".dot line\n" + "Hóa đơn GTGT số 0001\n"
open(sys.argv[1], "w").write(t)
EOF
{ printf 'From: cron@congty.test\nTo: a@khachhang.test\nSubject: long\n\n'; cat "$W/text"; } >"$W/in"
via_printmail
t_eq "a 2500-octet line: sent" "$RC" 0
f=$(ls "$W"/pm/*.eml | head -n 1)
t_ok "... no line over 998 octets went out" test "$(LC_ALL=C longest_line "$f")" -le 998
t_grep "... as quoted-printable" "Content-Transfer-Encoding: quoted-printable" "$f"
t_grep "... UTF-8 named" "charset=utf-8" "$f"
content "$W/pm" >"$W/got"
t_ok "... and the reader sees the text exactly" cmp -s "$W/text" "$W/got"
postconf -c "$W/pf/etc" -e smtpd_discard_ehlo_keywords=8bitmime
postfix -c "$W/pf/etc" reload >/dev/null 2>&1
sleep 1
printf 'From: cron@congty.test\nTo: a@khachhang.test\nSubject: 8bit\n\nHóa đơn GTGT số 0001\n' >"$W/in"
via_printmail
t_eq "8-bit body, server without 8BITMIME: sent" "$RC" 0
f=$(ls "$W"/pm/*.eml | head -n 1)
t_eq "... not one 8-bit byte went out" "$(LC_ALL=C grep -c $'[\x80-\xff]' "$f")" 0
t_eq "... the reader sees the text" "$(content "$W/pm")" "Hóa đơn GTGT số 0001"
postconf -c "$W/pf/etc" -e smtpd_discard_ehlo_keywords=
postfix -c "$W/pf/etc" reload >/dev/null 2>&1
sleep 1
{
	printf 'From: a@congty.test\nTo: b@khachhang.test\nSubject: mime\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: text/plain\n\n'
	python3 -c "print('z' * 1500)"
	printf -- '--b1--\n'
} >"$W/in"
via_printmail
t_eq "a MIME message with a 1500-octet line: refused (65), not sent raw" "$RC $(pf_count)" "65 0"
t_grep "... saying why" "longer than 998 octets" "$W/cmd.out"

echo "# more recipients than the server takes in one message (452 4.5.3)"
postconf -c "$W/pf/etc" -e smtpd_recipient_limit=3
postfix -c "$W/pf/etc" reload >/dev/null 2>&1
sleep 1
{
	printf 'From: ketoan@congty.test\nSubject: thong bao\nTo: '
	for i in 1 2 3 4 5 6 7; do printf 'k%s@khachhang.test, ' "$i"; done
	printf 'k8@khachhang.test\n\nbody\n'
} >"$W/in"
n0=$(wc -l <"$W/pf/maillog")
via_printmail
t_eq "8 recipients, 3 per message: exit 0" "$RC" 0
t_eq "each of the 8 got it once" "$(rcpts "$W/pm")" "k1@khachhang.test k2@khachhang.test k3@khachhang.test k4@khachhang.test k5@khachhang.test k6@khachhang.test k7@khachhang.test k8@khachhang.test "
sleep 0.5
t_eq "in three transactions" "$(tail -n +$((n0 + 1)) "$W/pf/maillog" | grep -c 'qmgr.*nrcpt=')" 3
postconf -c "$W/pf/etc" -e smtpd_recipient_limit=1000
postfix -c "$W/pf/etc" reload >/dev/null 2>&1

t_summary
