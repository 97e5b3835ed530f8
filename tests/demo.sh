#!/usr/bin/env bash
# make demo: the main job, on this machine, with stand-ins for the cloud.
# A private Postfix plays Microsoft 365 (STARTTLS on a loopback port, AUTH
# with an app password); a private cupsd gets an e-mail queue made with one
# lpadmin line; an invoice PDF with a Vietnamese title is printed to it; the
# demo shows what arrived and checks the attachment is the printed PDF.
# Everything it started is stopped at the end.
set -u
PM=$(realpath "$1")
BE=$(dirname "$PM")/email
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"
. "$HERE/lib/mime.sh"
. "$HERE/lib/pdf.sh"

if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root: it runs a private Postfix and cupsd." >&2
	exit 1
fi
W=$(mktemp -d /tmp/printmail-demo.XXXXXX)
chmod 755 "$W"
trap 'cups_stop; pf_stop; rm -rf "$W"' EXIT
say() { printf '\n%s\n' "$*"; }

say "1. A private Postfix stands in for smtp.office365.com"
pf_start "$W/pf" || exit 1
echo "   STARTTLS on 127.0.0.1:$PF_PORT; mailbox $PF_USER with an app password"

say "2. The config, /etc/printmail.conf here $W/printmail.conf (mode 600)"
pf_write_conf "$W/printmail.conf" "tls = starttls" \
    "from_name = Phòng Kế toán" "to = ketoan@khachhang.vn" "subject = {title}"
sed 's/^password = .*/password = ******** (the app password)/' \
    "$W/printmail.conf" | sed 's/^/   | /'

say "3. printmail --check: can this account send?"
"$PM" --check -C "$W/printmail.conf" | sed 's/^/   | /'

say "4. A private cupsd, and the queue: one lpadmin line"
cups_start "$W/cups" "$BE" "$W/printmail.conf" || exit 1
echo "   \$ lpadmin -p Email-Invoices -E -v email:/default -P printmail.ppd"
lpadmin -p Email-Invoices -E -v email:/default -P "$ROOT/packaging/printmail.ppd" 2>/dev/null
lpstat -v Email-Invoices | sed 's/^/   /'

TITLE="Hóa đơn GTGT số 0001234"
say "5. The accountant prints the invoice \"$TITLE\""
make_pdf "$W/invoice.pdf" "INVOICE 0001234 - Total 12.500.000 VND"
echo "   \$ lp -d Email-Invoices -t \"$TITLE\" < invoice.pdf"
lp -d Email-Invoices -t "$TITLE" <"$W/invoice.pdf" | sed 's/^/   /'

say "6. What the customer's mailbox received"
if ! pf_wait_mail 1 30; then
	echo "   nothing arrived; the CUPS log says:" >&2
	grep -E "ERROR|INFO" "$W/cups/log/error_log" | tail -5 >&2
	exit 1
fi
M=$(pf_last)
sed '/^$/q' "$M" | grep -E '^(From|To|Subject|Date|Message-ID|MIME-Version|Content-Type):' |
    sed 's/^/   | /'
echo "   | Subject, decoded: $(mime_decode_words "$(mime_header "$M" Subject)")"
mime_attachment "$M" "$W/received.pdf"
fname=$(grep -o "filename\*=UTF-8''[^[:space:]]*" "$M" | sed "s/^filename\*=UTF-8''//")
echo "   | attachment: \"$(mime_pct_decode "$fname")\", $(stat -c %s "$W/received.pdf") bytes, application/pdf"
echo "   | envelope: $(tr '\n' ' ' <"${M%.eml}.env")"

say "7. Is the attachment exactly what was printed?"
if cmp -s "$W/invoice.pdf" "$W/received.pdf"; then
	echo "   yes: $(sha256sum <"$W/received.pdf" | cut -c1-16)... on both sides"
	rc=0
else
	echo "   NO: the attachment differs from the printed PDF" >&2
	rc=1
fi

say "In plain words: the print job went from CUPS to the e-mail backend, which"
echo "logged in to the mail server over TLS with the app password and sent the"
echo "invoice as a PDF attachment named after the document, From the mailbox,"
echo "To the account's recipient. Stopping the private cupsd and Postfix."
exit $rc
