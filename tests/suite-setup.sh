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

if [ "$(id -u)" != 0 ]; then
	echo "not ok - the setup tests need root (private Postfix)"
	echo "0 passed, 1 failed"
	exit 1
fi
W=$(mktemp -d /tmp/printmail-setup.XXXXXX)
chmod 755 "$W"
trap 'pf_stop; rm -rf "$W"' EXIT
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
"$PM" --setup -C "$C" --address "$PF_USER" </dev/null >"$W/out" 2>&1
t_eq "--setup without --non-interactive: 64 (it says so)" "$?" 64
t_grep "... and says what works" "--non-interactive --password-stdin" "$W/out"
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

t_summary
