#!/usr/bin/env bash
# Scan-to-email and applications, end to end: a scanner (swaks, plain SMTP,
# From scanner@printer.local) -> the site's private Postfix relay, whose
# transport is printmail (pipe) -> the private Postfix "provider" with
# STARTTLS + AUTH.  The provider down: the relay defers, nothing is lost,
# and a flush delivers once it is back.  Then PHP's mail() through
# sendmail_path = printmail -t -i.  Usage: tests/suite-scan.sh printmail
set -u
PM=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/mime.sh"
. "$HERE/lib/pdf.sh"

if [ "$(id -u)" != 0 ]; then
	echo "not ok - scan-to-email tests need root (private Postfix instances)"
	echo "0 passed, 1 failed"
	exit 1
fi
for tool in swaks php; do
	command -v "$tool" >/dev/null || {
		echo "not ok - $tool is missing: run packaging/install-deps"
		echo "0 passed, 1 failed"
		exit 1
	}
done
W=$(mktemp -d /tmp/printmail-scan.XXXXXX)
chmod 755 "$W"
trap 'pf_stop_relay; pf_stop; rm -rf "$W"' EXIT

pf_start "$W/provider" || { echo "not ok - provider did not start"; exit 1; }
# The pipe transport runs printmail as nobody: the config is nobody's.
CONF=$W/printmail.conf
cat >"$CONF" <<EOC
[scans]
host = 127.0.0.1
port = $PF_PORT
tls = starttls
tls_ca_file = $PF_CA
user = $PF_USER
password = $PF_PASS
from = $PF_USER
timeout = 10
EOC
chown nobody "$CONF"
chmod 600 "$CONF"
pf_start_relay "$W/relay" "$PM" "$CONF" scans nobody ||
    { echo "not ok - relay did not start"; exit 1; }
echo "# provider pid $PF_PID port $PF_PORT; relay pid $RL_PID port $RL_PORT"

make_pdf "$W/scan.pdf" "Scanned page 1"
scan() { # SUBJECT: the scanner sends a scan to the relay, no TLS, no AUTH
	swaks --server 127.0.0.1 --port "$RL_PORT" --from scanner@printer.local \
	    --h-From '"Scanner 3rd floor" <scanner@printer.local>' \
	    --to ketoan@khachhang.vn --h-Subject "$1" \
	    --attach-type application/pdf --attach-name scan.pdf \
	    --attach @"$W/scan.pdf" --body "Scanned by the MFP" \
	    >"$W/swaks" 2>&1
}

echo "# a scan goes scanner -> relay -> printmail -> provider"
pf_clear
scan "Scan 1"
t_eq "scanner's SMTP accepted by the relay" "$?" 0
t_ok "delivered by the provider" pf_wait_mail 1 30
M=$(pf_last)
t_grep "From rewritten to the mailbox" "<$PF_USER>" <(mime_header "$M" From | sed 's/$//'; echo)
t_eq "scanner kept as Reply-To" "$(mime_header "$M" Reply-To)" 'Scanner 3rd floor <scanner@printer.local>'
t_grep "envelope sender is the mailbox" "from=$PF_USER" "${M%.eml}.env"
t_grep "to the scan's recipient" "to=ketoan@khachhang.vn" "${M%.eml}.env"
t_grep "provider saw STARTTLS + AUTH" "sasl_username=$PF_USER" "$W/provider/maillog"
mime_attachment "$M" "$W/got.pdf"
t_ok "scan attachment intact" cmp -s "$W/scan.pdf" "$W/got.pdf"
t_grep "relay handed it to printmail" "relay=printmail" "$W/relay/maillog"
t_eq "relay queue empty" "$(pf_relay_queued)" 0

echo "# provider down: the relay keeps the scan and delivers it later"
pf_stop
pf_clear
scan "Scan 2"
t_eq "scanner still accepted" "$?" 0
for i in $(seq 1 100); do
	grep -q "status=deferred" "$W/relay/maillog" && break
	sleep 0.1
done
t_grep "relay deferred it (printmail exit 75)" "status=deferred" "$W/relay/maillog"
t_eq "the scan waits in the relay queue" "$(pf_relay_queued)" 1
t_eq "nothing delivered meanwhile" "$(pf_count)" 0
pf_restart
postqueue -c "$W/relay/etc" -f
t_ok "delivered after the provider is back and the queue is flushed" pf_wait_mail 1 30
sleep 1
t_eq "delivered once" "$(pf_count)" 1
t_eq "relay queue empty again" "$(pf_relay_queued)" 0
t_eq "it is the deferred scan" "$(mime_header "$(pf_last)" Subject)" "Scan 2"

echo "# a broken account: Postfix defers the scan (soft bounce), never bounces it"
sed -i "s/^password = .*/password = not the app password/" "$CONF"
pf_clear
n0=$(grep -c "status=deferred" "$W/relay/maillog")
scan "Scan 3"
t_eq "scanner accepted" "$?" 0
for i in $(seq 1 100); do
	[ "$(grep -c "status=deferred" "$W/relay/maillog")" -gt "$n0" ] && break
	sleep 0.1
done
t_ok "relay deferred it (printmail exit 75)" \
    test "$(grep -c "status=deferred" "$W/relay/maillog")" -gt "$n0"
t_nogrep "nothing bounced" "status=bounced" "$W/relay/maillog"
grep "status=deferred" "$W/relay/maillog" | tail -n 1 >"$W/reason"
t_grep "the deferral reason names the failure" "AUTH" "$W/reason"
t_grep "... and the fix" "fix" "$W/reason"
t_eq "the scan waits in the relay queue" "$(pf_relay_queued)" 1
t_eq "nothing delivered" "$(pf_count)" 0
sed -i "s/^password = .*/password = $PF_PASS/" "$CONF"
postqueue -c "$W/relay/etc" -f
t_ok "after the fix, postqueue -f delivers it" pf_wait_mail 1 30
sleep 1
t_eq "delivered once" "$(pf_count)" 1
t_eq "it is the deferred scan" "$(mime_header "$(pf_last)" Subject)" "Scan 3"
t_nogrep "still nothing bounced" "status=bounced" "$W/relay/maillog"

echo "# PHP: mail() with sendmail_path = printmail -t -i"
pf_write_conf "$W/php.conf"
pf_clear
php -n -d sendmail_path="$PM -C $W/php.conf -t -i" -r '
    $ok = mail("khachhang@example.test", "Hóa đơn tháng 11",
        "Kính gửi Quý khách,\n.\nHóa đơn đính kèm.",
        "From: WordPress <wordpress@server.local>\r\nBcc: archive@congty.test");
    exit($ok ? 0 : 1);' >"$W/php.out" 2>&1
t_eq "mail() returned true" "$?" 0
t_ok "two deliveries (To and Bcc)" pf_wait_mail 2 30
cat "$PF_MAIL"/*.env >"$W/env"
t_grep "to the To recipient" "to=khachhang@example.test" "$W/env"
t_grep "to the Bcc recipient" "to=archive@congty.test" "$W/env"
cat "$PF_MAIL"/*.eml >"$W/all"
t_nogrep "no Bcc header" "Bcc:" "$W/all"
for f in "$PF_MAIL"/*.eml; do sed '1,/^$/d' "$f"; done >"$W/bodies"
t_ok "a line with a lone dot kept (-i)" grep -qx '\.' "$W/bodies"
t_grep "WordPress kept as Reply-To" "Reply-To: WordPress <wordpress@server.local>" "$W/all"

t_summary
