#!/usr/bin/env bash
# make demo: printmail sends an invoice e-mail through a private Postfix
# that stands in for Microsoft 365 (STARTTLS on a loopback port, AUTH with
# an app password), then shows what arrived.  Stops everything it started.
set -u
PM=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/postfix.sh"

if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root: it runs a private Postfix on loopback." >&2
	exit 1
fi
W=$(mktemp -d /tmp/printmail-demo.XXXXXX)
chmod 755 "$W"
trap 'pf_stop; rm -rf "$W"' EXIT

echo "1. Starting a private Postfix as the stand-in for smtp.office365.com"
pf_start "$W/pf" || exit 1
echo "   STARTTLS on 127.0.0.1:$PF_PORT, AUTH for $PF_USER with an app password"

echo "2. Writing the config (mode 600: it holds the app password)"
(umask 077; cat >"$W/printmail.conf" <<EOC
[default]
host = 127.0.0.1
port = $PF_PORT
tls = starttls
tls_ca_file = $PF_CA
user = $PF_USER
password = $PF_PASS
from = $PF_USER
from_name = Phòng Kế toán
EOC
)
sed 's/^password = .*/password = ******** (hidden)/' "$W/printmail.conf" | sed 's/^/   | /'

echo "3. printmail --check"
"$PM" --check -C "$W/printmail.conf" | sed 's/^/   | /'

echo "4. Sending an invoice e-mail as an application would (printmail -t -i)"
cat <<'EOM' | tee "$W/message" | sed 's/^/   > /'
From: Accounting app <app@server.local>
To: Khách hàng <ketoan@khachhang.vn>
Subject: Hóa đơn GTGT số 0001234

Kính gửi Quý khách,
đính kèm là hóa đơn số 0001234.
EOM
"$PM" -C "$W/printmail.conf" -t -i <"$W/message"
rc=$?
echo "   printmail exited $rc"

echo "5. What the recipient's server received"
if ! pf_wait_mail 1 20; then
	echo "   nothing arrived: see $W/pf/maillog" >&2
	exit 1
fi
M=$(pf_last)
sed 's/^/   | /' "$M"
echo "   envelope: $(tr '\n' ' ' <"${M%.eml}.env")"
echo
echo "The message went over TLS, logged in with the app password, and its"
echo "From became the mailbox ($PF_USER) with the application's address kept"
echo "as Reply-To, which is what Microsoft 365 needs to accept it."
[ "$rc" -eq 0 ]
