#!/usr/bin/env bash
# printmail --setup --non-interactive against the private Postfix: writes
# the account, keeps the rest of the file, edits rather than duplicates,
# writes nothing when the check fails or an option is bad, and never takes
# the password from the command line.  Usage: tests/suite-setup.sh printmail
set -u
PM=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"
BIN=$(dirname "$PM")
ROOT=$(cd "$HERE/.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "not ok - the setup tests need root (private Postfix)"
	echo "0 passed, 1 failed"
	exit 1
fi
W=$(mktemp -d /tmp/printmail-setup.XXXXXX)
chmod 755 "$W"
DNS_PID=
trap 'cups_stop; pf_stop; [ -n "$DNS_PID" ] && kill "$DNS_PID"; rm -rf "$W"' EXIT
pf_start "$W/pf" || { echo "not ok - private Postfix did not start"; echo "0 passed, 1 failed"; exit 1; }
C=$W/printmail.conf
export PRINTMAIL_QUEUE_DIR=$W/noqueue PRINTMAIL_RUN_DIR=$W/run
mkdir -p "$W/run"
# setup [ARGS...]: the non-interactive setup for the private Postfix; the
# password on standard input.
setup() {
	printf '%s\n' "${PASS-$PF_PASS}" | "$PM" --setup --non-interactive \
	    --password-stdin -C "$C" --address "$PF_USER" --host 127.0.0.1 \
	    --port "$PF_PORT" --tls starttls --tls-ca-file "$PF_CA" "$@" \
	    >"$W/out" 2>&1
}

echo "# a new config"
setup --from-name "Phòng Kế toán" --to ketoan@khachhang.test
t_eq "--setup: exit 0" "$?" 0
t_grep "it checked the account" "Connection successful" "$W/out"
t_grep "it says what it wrote" "Wrote account [default] to $C" "$W/out"
t_eq "the file: 640 root:printmail when that group exists, else 600" \
    "$(stat -c '%a %U' "$C")" "$(getent group printmail >/dev/null && echo '640 root' || echo '600 root')"
"$PM" --check -C "$C" >"$W/check" 2>&1
t_eq "the written config passes --check" "$?" 0
printf 'Subject: setup\n\nx\n' | "$PM" -C "$C" a@khachhang.test
t_eq "and sends" "$?" 0
t_ok "delivered" pf_wait_mail 1 30
t_grep "from_name written, quoted where needed" "from_name = Phòng Kế toán" "$C"

echo "# re-running edits the same section and keeps everything else"
cat >>"$C" <<'EOF'
# a comment of the admin's
[scans]
provider = office365
user = scan@congty.com
password = keep this one
from = scan@congty.com
EOF
sed -i '1i # first line, the admin'"'"'s' "$C"
setup --from-name "Ke toan 2"
t_eq "second run: exit 0" "$?" 0
t_eq "one [default] section" "$(grep -c '^\[default\]' "$C")" 1
t_eq "one from_name, the new one" "$(grep '^from_name' "$C")" "from_name = Ke toan 2"
t_grep "the admin's first line kept" "# first line, the admin's" "$C"
t_grep "the admin's comment kept" "# a comment of the admin's" "$C"
t_grep "the other section kept" "password = keep this one" "$C"
t_grep "the to from the first run kept" "to = ketoan@khachhang.test" "$C"

echo "# a failing check or a bad option writes nothing"
sum=$(sha256sum <"$C")
PASS="not the password" setup
t_eq "wrong password: exit 77" "$?" 77
t_grep "says the file is unchanged" "$C is unchanged" "$W/out"
t_eq "the config byte for byte" "$(sha256sum <"$C")" "$sum"
t_eq "no temporary file left" "$(ls "$W" | grep -c setup)" 0
for bad in "--address not-an-address" "--provider yahoo" "--tls none"; do
	set -- $bad
	setup "$@"
	t_eq "$bad: exit 64" "$?" 64
	t_eq "$bad: the config untouched" "$(sha256sum <"$C")" "$sum"
done
PASS="" setup
t_eq "no password on standard input: exit 64" "$?" 64
setsid -w "$PM" --setup -C "$C" --address "$PF_USER" </dev/null >"$W/out" 2>&1
t_eq "--setup without a terminal: 64 (it says so)" "$?" 64
t_grep "... and says what works" "--non-interactive --password-stdin" "$W/out"
t_eq "... the config untouched" "$(sha256sum <"$C")" "$sum"
echo "# the provider replaces a host of one's own; a password file goes"
cp "$C" "$W/keep.conf"
sed -i 's|^password = abcd efgh ijkl mnop$|password_file = /etc/nonexistent.secret|' "$C"
printf '%s\n' "$PF_PASS" | "$PM" --setup --non-interactive --password-stdin -C "$C" \
    --address "$PF_USER" --provider office365 --no-check >"$W/out" 2>&1
t_eq "--provider office365 --no-check: exit 0" "$?" 0
t_eq "no host, port or tls of its own left in [default]" \
    "$(sed -n '/^\[default\]/,/^\[/p' "$C" | grep -c '^host\|^port\|^tls =')" 0
t_grep "provider set" "provider = office365" "$C"
t_eq "the password file replaced by the password" "$(grep -c '^password_file' "$C") $(grep -c "^password = $PF_PASS" "$C")" "0 1"
cp "$W/keep.conf" "$C"
PASS="not the password" setup --no-check
t_eq "--no-check writes even so" "$?" 0
t_grep "... the new password" "password = not the password" "$C"

echo "# interactive, on a real terminal (a pty), as an admin answers it"
IC=$W/tty.conf
cups_start "$W/cups" "$BIN/email" "$IC" || { echo "not ok - cupsd did not start"; exit 1; }
# drive NAME: --setup on a pty, answering as $W/NAME.script says.
drive() {
	python3 "$HERE/tty_drive.py" "$W/$1.log" "$W/$1.script" -- \
	    env RES_OPTIONS="timeout:1 attempts:1" LC_ALL="${DRIVE_LANG:-C.UTF-8}" \
	    PRINTMAIL_LOCALEDIR="$BIN/locale" \
	    PRINTMAIL_PPD="$ROOT/packaging/printmail.ppd" "$PM" --setup -C "$IC"
}
printf '%s\t%s\n' \
    "Mailbox address" "$PF_USER" \
    "Provider [" "3" \
    "SMTP server" "127.0.0.1" \
    "TLS: starttls or implicit [starttls]" "" \
    "Port [587]" "$PF_PORT" \
    "CA file to trust" "$PF_CA" \
    "Sender's name" "Phòng Kế toán" \
    "Where printed documents go" "ketoan@khachhang.test" \
    "Sign-in [1]" "" \
    "App Password (not shown)" "not the password" \
    "Try again [Y/n]" "" \
    "App Password (not shown)" "$PF_PASS" \
    "Make a CUPS print queue for this account [Y/n]" "y" \
    "Queue name [Email-default]" "Email-Tty" \
    "Description [E-mail to ketoan@khachhang.test]" "" >"$W/full.script"
drive full
t_eq "a whole run: exit 0" "$?" 0 || tail -n 20 "$W/full.log"
t_grep "the wrong password: the reason" "authentication failed" "$W/full.log"
t_grep "... the fix" "printmail: fix:" "$W/full.log"
t_grep "... and the file unchanged (none yet)" "$IC is unchanged" "$W/full.log"
t_grep "the right one passes the check" "Connection successful" "$W/full.log"
t_nogrep "the password never echoed" "$PF_PASS" "$W/full.log"
t_nogrep "... nor the wrong one" "not the password" "$W/full.log"
t_grep "the account written" "user = $PF_USER" "$IC"
t_grep "... with its sender's name" "from_name = Phòng Kế toán" "$IC"
t_grep "... and where prints go" "to = ketoan@khachhang.test" "$IC"
t_eq "the file: 640 root:printmail when that group exists, else 600" \
    "$(stat -c '%a %U' "$IC")" "$(getent group printmail >/dev/null && echo '640 root' || echo '600 root')"
lpstat -v Email-Tty >"$W/lpstat" 2>&1
t_grep "the CUPS queue made, for the account" "email:/default" "$W/lpstat"
lpstat -l -p Email-Tty >"$W/lpstat" 2>&1
t_grep "... described" "E-mail to ketoan@khachhang.test" "$W/lpstat"
t_grep "the lp line to try it" "lp -d Email-Tty" "$W/full.log"

sum=$(sha256sum <"$IC")
# rerun NAME: Enter at every question, which shows the file's values.
rerun() {
	printf '%s\t%s\n' \
	    "(it sends as this address) [$PF_USER]" "" \
	    "Provider [3]" "" \
	    "SMTP server [127.0.0.1]" "" \
	    "TLS: starttls or implicit [starttls]" "" \
	    "Port [$PF_PORT]" "" \
	    "[$PF_CA]" "" \
	    "[Phòng Kế toán]" "$2" \
	    "[ketoan@khachhang.test]" "" \
	    "Sign-in [1]" "" >"$W/$1.script"
}
rerun ctrlc "Kế toán 2"
printf '%s\t%s\n' "App Password (not shown)" "^C" >>"$W/ctrlc.script"
drive ctrlc
t_eq "Ctrl-C at the password: interrupted (130)" "$?" 130
t_eq "... the config byte for byte" "$(sha256sum <"$IC")" "$sum"
t_eq "... no temporary file left" "$(ls "$W" | grep -c 'tty.conf.setup')" 0
t_grep "... it says so" "the config is unchanged" "$W/ctrlc.log"
rerun again "Kế toán 2"
printf '%s\t%s\n' "App Password (not shown)" "$PF_PASS" \
    "Make a CUPS print queue for this account [Y/n]" "n" >>"$W/again.script"
drive again
t_eq "re-run with the defaults it shows (the file's): exit 0" "$?" 0 || tail -n 20 "$W/again.log"
t_eq "... one [default] section" "$(grep -c '^\[default\]' "$IC")" 1
t_eq "... the one change made" "$(grep '^from_name' "$IC")" "from_name = Kế toán 2"
t_grep "... the rest as it was" "to = ketoan@khachhang.test" "$IC"

echo "# in Vietnamese with LANG=vi_VN.UTF-8 (po/vi.po), in English with C"
locale -a | grep -qix 'vi_VN.utf8' ||
    { echo "not ok - the locale vi_VN.UTF-8 is missing: run packaging/install-deps"; exit 1; }
sum=$(sha256sum <"$IC")
printf '%s\t%s\n' "Địa chỉ hộp thư (thư được gửi từ địa chỉ này) [$PF_USER]" "" \
    "Nhà cung cấp [3]" "^C" >"$W/vi.script"
DRIVE_LANG=vi_VN.UTF-8 drive vi
t_eq "vi: Ctrl-C: 130" "$?" 130
t_grep "vi: the first line in Vietnamese" "Thiết lập tài khoản [default] trong $IC." "$W/vi.log"
t_grep "vi: the providers in Vietnamese" "Nhà cung cấp: 1 Microsoft 365, 2 Gmail, 3 máy chủ SMTP khác" "$W/vi.log"
t_grep "vi: Ctrl-C says so in Vietnamese" "đã dừng; tệp cấu hình vẫn giữ nguyên" "$W/vi.log"
t_eq "vi: the config byte for byte" "$(sha256sum <"$IC")" "$sum"
printf '%s\t%s\n' "Mailbox address (it sends as this address) [$PF_USER]" "^C" >"$W/en.script"
DRIVE_LANG=C drive en
t_grep "C: the same question in English" "Mailbox address" "$W/en.log"
t_nogrep "C: nothing in Vietnamese" "Thiết lập" "$W/en.log"

echo "# --check, its fix and --status in Vietnamese; syslog and scripts stay English"
sed 's/^password = .*/password = khong-phai-mat-khau/' "$C" >"$W/wrong.conf"
chmod 600 "$W/wrong.conf"
LANG=vi_VN.UTF-8 PRINTMAIL_LOCALEDIR="$BIN/locale" "$PM" --check \
    -C "$W/wrong.conf" >"$W/check-vi" 2>&1
t_eq "vi: --check with a wrong password: exit 77" "$?" 77
t_grep "vi: the heading" "printmail --check: tài khoản [default] trong $W/wrong.conf" "$W/check-vi"
t_grep "vi: the config step" "đã đọc cấu hình, quyền truy cập an toàn; máy chủ 127.0.0.1 cổng $PF_PORT" "$W/check-vi"
t_grep "vi: the session's steps (the core's log lines)" "đã kết nối tới 127.0.0.1 cổng $PF_PORT" "$W/check-vi"
t_grep "vi: TLS" "đã thiết lập TLS: TLSv1.3" "$W/check-vi"
t_grep "vi: the refusal, the server's reply quoted as it came" "LỖI   AUTH (PLAIN) bị 127.0.0.1 từ chối: 535 5.7.8" "$W/check-vi"
for en in "connected to" "refused by" "config read" "offered" "size limit"; do
	t_nogrep "vi: no English step: $en" "$en" "$W/check-vi"
done
t_nogrep "vi: never the password" "khong-phai-mat-khau" "$W/check-vi"
LANG=C PRINTMAIL_LOCALEDIR="$BIN/locale" "$PM" --check -C "$W/wrong.conf" \
    >"$W/check-c" 2>&1
t_eq "C: the same exit" "$?" 77
t_grep "C: in English" "FAILED AUTH (PLAIN) refused by 127.0.0.1: 535 5.7.8" "$W/check-c"
t_nogrep "C: nothing in Vietnamese" "tài khoản" "$W/check-c"
LANG=vi_VN.UTF-8 PRINTMAIL_LOCALEDIR="$BIN/locale" "$PM" --status \
    -C "$W/wrong.conf" >"$W/status-vi" 2>&1
t_grep "vi: --status in Vietnamese" "printmail --status: $W/wrong.conf" "$W/status-vi"
t_grep "vi: --status's verdict" "Mọi thứ ổn." "$W/status-vi"
t_grep "vi: --status's account line" "[default] ổn  127.0.0.1:$PF_PORT starttls, auth password" "$W/status-vi"
LANG=vi_VN.UTF-8 PRINTMAIL_LOCALEDIR="$BIN/locale" "$PM" --status --json \
    -C "$W/wrong.conf" >"$W/status-vi.json" 2>&1
t_ok "vi: --status --json parses" python3 -m json.tool "$W/status-vi.json"
t_nogrep "vi: --status --json stays English (for scripts)" "không" "$W/status-vi.json"
LANG=vi_VN.UTF-8 PRINTMAIL_LOCALEDIR="$BIN/locale" "$PM" --bogus >"$W/usage-vi" 2>&1
t_grep "vi: a bad option says so in Vietnamese" "tùy chọn không biết --bogus" "$W/usage-vi"

echo "# the provider guessed from the domain's MX records (a private DNS on 127.0.0.2)"
python3 "$HERE/fake_dns.py" 127.0.0.2 53 "$W/dns.pid" \
    congty.test=congty-test.mail.protection.outlook.com \
    gcorp.test=aspmx.l.google.com 2>"$W/dns.log" &
DNS_PID=$!
for i in $(seq 1 50); do [ -s "$W/dns.pid" ] && break; sleep 0.1; done
printf 'nameserver 127.0.0.2\noptions timeout:1 attempts:1\n' >"$W/resolv.conf"
# mx_guess ADDRESS: --setup in a mount namespace whose resolv.conf names it.
mx_guess() {
	printf '%s\t%s\n' "Mailbox address" "$1" "Provider [" "^C" >"$W/mx.script"
	unshare -m sh -c "mount --bind '$W/resolv.conf' /etc/resolv.conf &&
	    exec python3 '$HERE/tty_drive.py' '$W/mx.log' '$W/mx.script' -- \
	    env LC_ALL=C.UTF-8 '$PM' --setup -C '$W/mx.conf'"
}
mx_guess ketoan@congty.test
t_eq "Ctrl-C at the provider: 130" "$?" 130
t_grep "MX *.mail.protection.outlook.com: Microsoft 365" \
    "congty.test receives its mail at Microsoft 365." "$W/mx.log"
t_grep "... offered as the answer" "Provider [1]" "$W/mx.log"
mx_guess ketoan@gcorp.test
t_grep "MX aspmx.l.google.com: Gmail" "gcorp.test receives its mail at Gmail." "$W/mx.log"
t_grep "... offered as the answer" "Provider [2]" "$W/mx.log"
t_grep "the guesses came from DNS" "fake_dns: gcorp.test type 15" "$W/dns.log"
t_ok "nothing was written" test ! -e "$W/mx.conf"

t_summary
