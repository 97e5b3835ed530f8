#!/usr/bin/env bash
# The admin's path through the CUPS web interface: a private cupsd with its
# web interface on, driven by Debian's headless Chromium (playwright-core):
# Administration > Add Printer > Email (printmail) > URI > our PPD; then the
# queue prints into the private Postfix.  Screenshots of every step are kept
# in build/test-artifacts/web/.  Usage: tests/suite-web.sh printmail
set -u
PM=$(realpath "$1")
BE=$(dirname "$PM")/email
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ART=$ROOT/build/test-artifacts/web
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"
. "$HERE/lib/mime.sh"
. "$HERE/lib/pdf.sh"

fail_setup() {
	echo "not ok - $1"
	echo "0 passed, 1 failed"
	exit 1
}
[ "$(id -u)" = 0 ] || fail_setup "web tests need root (private cupsd)"
[ -x /usr/bin/chromium ] || fail_setup "chromium is missing: run packaging/install-deps"
command -v node >/dev/null || fail_setup "node is missing: run packaging/install-deps"
[ -x /usr/lib/cups/cgi-bin/admin.cgi ] ||
    fail_setup "the CUPS web interface (package cups) is missing: run packaging/install-deps"
if [ ! -d "$HERE/web/node_modules/playwright-core" ]; then
	(cd "$HERE/web" && npm install --no-audit --no-fund --loglevel=error) >/dev/null 2>&1 ||
	    fail_setup "npm install of playwright-core failed"
fi

W=$(mktemp -d /tmp/printmail-web.XXXXXX)
chmod 755 "$W"
trap 'cups_stop; pf_stop; rm -rf "$W"' EXIT
pf_start "$W/pf" || fail_setup "private Postfix did not start"
CONF=$W/printmail.conf
pf_write_conf "$CONF" "to = ketoan@khachhang.test"
CUPS_WEB=Yes cups_start "$W/cups" "$BE" "$CONF" || fail_setup "private cupsd did not start"
rm -rf "$ART"
mkdir -p "$ART"

echo "# Add Printer in the web interface"
node "$HERE/web/add-printer.js" "http://127.0.0.1:$CUPS_PORT" WebInvoices \
    email:/default "$ROOT/packaging/printmail.ppd" "$ART" >"$W/node.out" 2>&1
t_eq "the browser went through Add Printer" "$?" 0
t_grep "ended on the queue's page" "title: WebInvoices" "$W/node.out"
lpstat -v WebInvoices >"$W/lpstat" 2>&1
t_grep "the queue exists with our URI" "device for WebInvoices: email:/default" "$W/lpstat"
lpstat -l -p WebInvoices >"$W/lpstat" 2>&1
t_grep "enabled" "enabled" "$W/lpstat"
t_grep "with our PPD" "Email (printmail), PDF attachment" "$W/cups/etc/ppd/WebInvoices.ppd"
t_ok "screenshots kept" test "$(ls "$ART"/*.png | wc -l)" -ge 6

echo "# the queue prints"
make_pdf "$W/invoice.pdf" "Invoice 7"
pf_clear
lp -d WebInvoices -t "Web invoice" <"$W/invoice.pdf" >/dev/null 2>&1
t_ok "delivered" pf_wait_mail 1 30
mime_attachment "$(pf_last)" "$W/got.pdf"
t_ok "attachment is the printed PDF" cmp -s "$W/invoice.pdf" "$W/got.pdf"
echo "# screenshots: $ART"

t_summary
