#!/usr/bin/env bash
# End-to-end tests of the CUPS backend "email": a private cupsd on loopback
# prints through our backend and PPD into the private Postfix (STARTTLS +
# AUTH).  Usage: tests/suite-backend.sh path/to/printmail (the backend is
# built next to it as "email").
set -u
PM=$(realpath "$1")
BE=$(dirname "$PM")/email
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PPD=$ROOT/packaging/printmail.ppd
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"
. "$HERE/lib/mime.sh"
. "$HERE/lib/pdf.sh"

if [ "$(id -u)" != 0 ]; then
	echo "not ok - backend tests need root (private cupsd and Postfix)"
	echo "0 passed, 1 failed"
	exit 1
fi
for tool in cupsd lpadmin lp lpstat cupsenable cupstestppd gs; do
	command -v "$tool" >/dev/null || {
		echo "not ok - $tool is missing: run packaging/install-deps"
		echo "0 passed, 1 failed"
		exit 1
	}
done

W=$(mktemp -d /tmp/printmail-be.XXXXXX)
chmod 755 "$W"
cleanup() {
	cups_stop
	pf_stop
	rm -rf "$W"
}
trap cleanup EXIT

# Room for a 100 MB PDF (143 MB once base64-encoded).
PF_SIZE_LIMIT=300000000 pf_start "$W/pf" ||
    { echo "not ok - private Postfix did not start"; exit 1; }
CONF=$W/printmail.conf
write_conf() { # PASSWORD_FOR_BADPASS
	(
		umask 077
		cat >"$CONF" <<EOC
timeout = 10
host = 127.0.0.1
port = $PF_PORT
tls_ca_file = $PF_CA
user = $PF_USER
from = $PF_USER

[default]
password = $PF_PASS
from_name = Phòng Kế toán
to = ketoan@khachhang.test
allow_recipients = *@khachhang.test, boss@congty.test

[badpass]
password = $1
to = ketoan@khachhang.test
EOC
	)
}
write_conf "not the app password"
export PRINTMAIL_LOCALEDIR=$(dirname "$PM")/locale
cups_start "$W/cups" "$BE" "$CONF" || { echo "not ok - private cupsd did not start"; exit 1; }
echo "# private cupsd: pid $CUPS_PID port $CUPS_PORT; Postfix pid $PF_PID port $PF_PORT"

echo "# discovery and the PPD"
"$W/cups/lib/backend/email" >"$W/disc" 2>&1
t_eq "no arguments: exit 0" "$?" 0
t_grep "discovery line" 'network email "Unknown" "Email (printmail)"' "$W/disc"
lpinfo -v >"$W/lpinfo" 2>&1
t_grep "lpinfo -v lists the backend" "network email" "$W/lpinfo"
cupstestppd -W all "$PPD" >"$W/ppdtest" 2>&1
t_eq "cupstestppd passes" "$?" 0

echo "# one lpadmin line makes the queue"
lpadmin -p invoices -E -v email:/default -P "$PPD" 2>"$W/err"
t_eq "lpadmin exit 0" "$?" 0
lpstat -v invoices >"$W/lpstat" 2>&1
t_grep "queue uses email:/default" "email:/default" "$W/lpstat"

echo "# a PDF with a Vietnamese title arrives intact (no document name: from stdin)"
TITLE="Hóa đơn GTGT số 0001234"
make_pdf "$W/invoice.pdf" "Invoice 0001234"
pf_clear
out=$(lp -d invoices -t "$TITLE" <"$W/invoice.pdf" 2>&1)
t_eq "lp accepted the job" "$?" 0
id=$(cups_job_id "$out")
t_ok "one message delivered" pf_wait_mail 1 30
t_ok "job completed" cups_wait_job_gone invoices "$id" 10
M=$(pf_last)
mime_attachment "$M" "$W/got.pdf"
t_ok "attachment byte-identical to the PDF" cmp -s "$W/invoice.pdf" "$W/got.pdf"
t_eq "Subject is the title" "$(mime_decode_words "$(mime_header "$M" Subject)")" "$TITLE"
t_eq "file name (RFC 2231) is the title" "$(mime_filename "$M")" "$TITLE.pdf"
t_eq "... for the legacy parser too" "$(mime_filename "$M" compat32)" "$TITLE.pdf"
t_grep "ASCII fallback name" 'name="Hoa don GTGT so 0001234.pdf"' "$M"
t_eq "To from the config" "$(mime_header "$M" To)" "ketoan@khachhang.test"
t_grep "From is the mailbox with from_name" "<$PF_USER>" "$M"
t_grep "envelope to the configured recipient" "to=ketoan@khachhang.test" "${M%.eml}.env"
t_grep "MIME multipart" "Content-Type: multipart/mixed;" "$M"

echo "# the client's document name wins over the title"
cp "$W/invoice.pdf" "$W/Hóa đơn tháng 11.pdf"
pf_clear
lp -d invoices -t "Some title" "$W/Hóa đơn tháng 11.pdf" >/dev/null 2>&1
t_ok "delivered" pf_wait_mail 1 30
t_eq "file name from the document name" "$(mime_filename "$(pf_last)")" "Hóa đơn tháng 11.pdf"
t_eq "... for the legacy parser too" "$(mime_filename "$(pf_last)" compat32)" "Hóa đơn tháng 11.pdf"
t_eq "Subject still the title" "$(mime_decode_words "$(mime_header "$(pf_last)" Subject)")$(mime_header "$(pf_last)" Subject | grep -v '=?')" "Some title"

echo "# a job of two documents: each its own message, named after its document"
cp "$W/invoice.pdf" "$W/Hóa đơn 1.pdf"
cp "$W/invoice.pdf" "$W/Phiếu thu 2.pdf"
pf_clear
lp -d invoices -t "Two documents" "$W/Hóa đơn 1.pdf" "$W/Phiếu thu 2.pdf" >"$W/lp2" 2>&1
t_ok "two messages" pf_wait_mail 2 30
sleep 1
for f in "$PF_MAIL"/*.eml; do mime_filename "$f"; done | sort >"$W/names2"
t_eq "each named after its own document" "$(tr '\n' '|' <"$W/names2")" "Hóa đơn 1.pdf|Phiếu thu 2.pdf|"

echo "# option values with blanks, quoted as the README says"
pf_clear
lp -d invoices -t "Quoted" -o "email-subject='Hóa đơn tháng 11'" \
    -o "email-body='Kính gửi Quý khách'" "$W/invoice.pdf" >/dev/null 2>&1
t_ok "delivered" pf_wait_mail 1 30
python3 - "$(pf_last)" >"$W/quoted" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["Subject"])
print(m.get_body(preferencelist=("plain",)).get_content().strip())
EOF
t_eq "the whole subject arrives" "$(sed -n 1p "$W/quoted")" "Hóa đơn tháng 11"
t_eq "the whole body text arrives" "$(sed -n 2p "$W/quoted")" "Kính gửi Quý khách"

echo "# printmail --setup --queue: a new account and its print queue in one step"
pf_clear
printf '%s\n' "$PF_PASS" | PRINTMAIL_PPD="$PPD" PRINTMAIL_QUEUE_DIR="$W/noqueue" \
    "$PM" --setup --non-interactive --password-stdin -C "$CONF" -a setupacct \
    --address "$PF_USER" --host 127.0.0.1 --port "$PF_PORT" --tls starttls \
    --tls-ca-file "$PF_CA" --to ketoan@khachhang.test --queue SetupQ >"$W/setup" 2>&1
t_eq "--setup --queue: exit 0" "$?" 0
t_grep "it names the lp line to try" "lp -d SetupQ" "$W/setup"
lpstat -v SetupQ >"$W/lpstat" 2>&1
t_grep "the queue prints to the new account" "email:/setupacct" "$W/lpstat"
t_grep "the other accounts of the config kept" "allow_recipients = *@khachhang.test, boss@congty.test" "$CONF"
lp -d SetupQ -t "Setup test" "$W/invoice.pdf" >/dev/null 2>&1
t_ok "a print to it is delivered" pf_wait_mail 1 30
t_grep "to the account's recipient" "to=ketoan@khachhang.test" "$(ls "$PF_MAIL"/*.env | head -n 1)"

echo "# a text file is converted to a PDF attachment by CUPS"
printf 'Invoice 0001235\nTotal: 1.000.000 VND\n' >"$W/invoice.txt"
pf_clear
lp -d invoices -t "Text invoice" <"$W/invoice.txt" >/dev/null 2>&1
t_ok "delivered" pf_wait_mail 1 60
mime_attachment "$(pf_last)" "$W/got.pdf"
t_eq "attachment is a PDF" "$(head -c 5 "$W/got.pdf")" "%PDF-"
t_grep "named after the title" 'filename="Text invoice.pdf"' "$(pf_last)"

echo "# per-job recipients: allowed by allow_recipients, else refused"
pf_clear
lp -d invoices -t "Per job" -o email-to=sep@khachhang.test "$W/invoice.pdf" >/dev/null 2>&1
t_ok "allowed per-job recipient delivered" pf_wait_mail 1 30
t_grep "to the per-job recipient" "to=sep@khachhang.test" "${M%/*}/$(basename "$(pf_last)" .eml).env"
pf_clear
lp -d invoices -t "Dialog" -o EmailTo=Custom.boss@congty.test "$W/invoice.pdf" >/dev/null 2>&1
t_ok "print-dialog Recipient (EmailTo=Custom.x) delivered" pf_wait_mail 1 30
t_grep "to the dialog's recipient" "to=boss@congty.test" "$(ls "$PF_MAIL"/*.env | head -n 1)"
pf_clear
out=$(lp -d invoices -t "Exfiltrate" -o email-to=evil@attacker.test "$W/invoice.pdf" 2>&1)
id=$(cups_job_id "$out")
t_ok "refused job leaves the queue (cancelled)" cups_wait_job_gone invoices "$id" 20
sleep 1
t_eq "nothing delivered" "$(pf_count)" 0
t_grep "error says why" "per-job recipient evil@attacker.test refused" "$W/cups/log/error_log"
lpstat -p invoices >"$W/lpstat"
t_nogrep "queue still enabled" "disabled" "$W/lpstat"

echo "# CR LF in the device URI cannot add a header"
lpadmin -p inject -E -v 'email:/default?subject=Hi%0D%0ABcc:%20evil%40attacker.test' -P "$PPD"
pf_clear
lp -d inject -t "x" "$W/invoice.pdf" >/dev/null 2>&1
t_ok "delivered" pf_wait_mail 1 30
sleep 1
t_eq "only to the configured recipient" "$(cat "$PF_MAIL"/*.env | grep -c '^to=')" 1
sed '/^$/q' "$(pf_last)" >"$W/hdr"
t_grep "injected text stays inside Subject" "Subject: Hi  Bcc: evil@attacker.test" "$W/hdr"
t_eq "no header line starts with Bcc" "$(grep -c '^Bcc:' "$W/hdr")" 0

echo "# Postfix down: the job is kept and delivered once it is back"
pf_stop
pf_clear
out=$(lp -d invoices -t "Retry me" "$W/invoice.pdf" 2>&1)
id=$(cups_job_id "$out")
sleep 4
lpstat -o invoices >"$W/lpstat"
t_grep "job still queued while the server is down" "invoices-$id" "$W/lpstat"
t_eq "nothing delivered yet" "$(pf_count)" 0
lpstat -p invoices >"$W/lpstat"
t_nogrep "queue not stopped for a temporary failure" "disabled" "$W/lpstat"
pf_restart
t_ok "delivered after Postfix is back" pf_wait_mail 1 60
t_ok "job completed" cups_wait_job_gone invoices "$id" 20
sleep 2
t_eq "delivered exactly once" "$(pf_count)" 1

echo "# wrong app password: queue stopped with the fix, job kept"
lpadmin -p bad -E -v email:/badpass -P "$PPD"
pf_clear
out=$(lp -d bad -t "Bad password" "$W/invoice.pdf" 2>&1)
id=$(cups_job_id "$out")
t_ok "queue stopped" cups_wait_printer_stopped bad 30
lpstat -o bad >"$W/lpstat"
t_grep "job kept" "bad-$id" "$W/lpstat"
lpstat -l -p bad >"$W/lpstat"
t_grep "admin sees the account failing" "printmail-account-error" "$W/lpstat"
t_grep "error log has the fix" "App Password" "$W/cups/log/error_log"
t_nogrep "no password in the log" "not the app password" "$W/cups/log/error_log"
t_nogrep "no app password in the log" "$PF_PASS" "$W/cups/log/error_log"
t_eq "nothing delivered" "$(pf_count)" 0
write_conf "$PF_PASS"
cupsenable bad
t_ok "delivered after the fix and cupsenable" pf_wait_mail 1 60
t_ok "job completed" cups_wait_job_gone bad "$id" 20

echo "# a job from a Vietnamese desktop: CUPS passes its language, the ERROR: lines follow it"
write_conf "not the app password"
pf_clear
out=$(LANG=vi_VN.UTF-8 lp -d bad -t "Hóa đơn" "$W/invoice.pdf" 2>&1)
id=$(cups_job_id "$out")
t_ok "vi: queue stopped" cups_wait_printer_stopped bad 30
lpstat -l -p bad >"$W/lpstat"
t_grep "vi: the queue's message (lpstat, the web interface) in Vietnamese" \
    "Máy chủ từ chối tài khoản [badpass]: kiểm tra user (địa chỉ đầy đủ) và App Password trong $CONF, rồi chạy: printmail --check -a badpass; cho hàng đợi chạy lại bằng: cupsenable bad" "$W/lpstat"
t_grep "vi: the refusal in Vietnamese in the log" "[Job $id] AUTH (PLAIN) bị 127.0.0.1 từ chối: 535" "$W/cups/log/error_log"
t_grep "vi: the job really had LANG=vi_VN.UTF-8 from CUPS" "=\"LANG=vi_VN.UTF-8\"" "$W/cups/log/error_log"
write_conf "$PF_PASS"
cupsenable bad
t_ok "vi: delivered after the fix and cupsenable" pf_wait_mail 1 60
t_ok "vi: job completed" cups_wait_job_gone bad "$id" 20

echo "# a 100 MB PDF through CUPS"
make_big_pdf "$W/big.pdf" 100
pf_clear
lp -d invoices -t "Big scan" "$W/big.pdf" >/dev/null 2>&1
t_ok "delivered" pf_wait_mail 1 180
mime_attachment "$(pf_last)" "$W/got.pdf"
t_eq "100 MB attachment identical" "$(sha256sum <"$W/got.pdf")" "$(sha256sum <"$W/big.pdf")"
rm -f "$W/got.pdf"

echo "# the backend run as CUPS runs it: memory, formats, privileges"
# CUPS gives backends a TMPDIR that user lp can write.  valgrind's logs
# go where the backend can still write after switching to lp.
mkdir -p "$W/tmp" "$W/vg"
chown lp "$W/tmp"
chmod 1777 "$W/vg"
# VALGRIND=1: these runs go through valgrind (memory errors or definite
# leaks give exit 99); otherwise through GNU time for the peak RSS.
run_backend() { # OUTFILE ARGS...: as cupsd would
	local out=$1 rc
	shift
	if [ -n "${VALGRIND:-}" ]; then
		env -i PATH=/usr/bin:/bin DEVICE_URI=email:/default PRINTER=direct \
		    PRINTMAIL_CONFIG="$CONF" TMPDIR="$W/tmp" \
		    valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite --trace-children=no \
		    --log-file="$W/vg/valgrind.%p" "$W/cups/lib/backend/email" "$@" \
		    >"$out" 2>&1
		rc=$?
		echo 0 >"$out.rss"
		return $rc
	fi
	env -i PATH=/usr/bin:/bin DEVICE_URI=email:/default PRINTER=direct \
	    PRINTMAIL_CONFIG="$CONF" TMPDIR="$W/tmp" \
	    /usr/bin/time -f '%M' -o "$out.rss" "$W/cups/lib/backend/email" "$@" \
	    >"$out" 2>&1
}
make_big_pdf "$W/one.pdf" 1
chmod 644 "$W/big.pdf" "$W/one.pdf"
pf_clear
run_backend "$W/r1" 1 ketoan "One MB" 1 "" "$W/one.pdf"
t_eq "1 MB job: CUPS_BACKEND_OK" "$?" 0
run_backend "$W/r100" 2 ketoan "Hundred MB" 1 "" "$W/big.pdf"
t_eq "100 MB job: CUPS_BACKEND_OK" "$?" 0
t_ok "both delivered" pf_wait_mail 2 120
rss1=$(tail -n 1 "$W/r1.rss")
rss100=$(tail -n 1 "$W/r100.rss")
echo "# backend peak RSS: 1 MB job ${rss1} KiB, 100 MB job ${rss100} KiB"
if [ -n "${SANITIZER:-}${VALGRIND:-}" ]; then
	# A sanitizer's or valgrind's own memory makes RSS meaningless.
	echo "# skip (not counted): memory limits under ${SANITIZER:+SANITIZER=$SANITIZER}${VALGRIND:+valgrind}"
else
	t_ok "peak RSS at most 8 MiB for 100 MB" test "$rss100" -le 8192
	t_ok "memory does not grow with size (100 MB within 10% of 1 MB)" \
	    test "$rss100" -le $((rss1 + rss1 / 10))
fi
t_grep "progress reported" "INFO: Sending the document: 50%" "$W/r100"
make_ps "$W/doc.ps" "PostScript invoice"
chmod 644 "$W/doc.ps"
pf_clear
run_backend "$W/rps" 3 ketoan "PS job" 1 "" "$W/doc.ps"
t_eq "PostScript job: OK" "$?" 0
t_ok "delivered" pf_wait_mail 1 30
mime_attachment "$(pf_last)" "$W/got.pdf"
t_eq "PostScript converted to PDF" "$(head -c 5 "$W/got.pdf")" "%PDF-"
printf '\x89PNG\r\n\x1a\n....' >"$W/img.png"
chmod 644 "$W/img.png"
run_backend "$W/rpng" 4 ketoan "PNG" 1 "" "$W/img.png"
t_eq "other formats: CUPS_BACKEND_CANCEL (5)" "$?" 5
t_grep "clear ERROR line" "ERROR: the print job is neither PDF nor PostScript" "$W/rpng"
: >"$W/empty.pdf"
chmod 644 "$W/empty.pdf"
run_backend "$W/rempty" 5 ketoan "Empty" 1 "" "$W/empty.pdf"
t_eq "empty job: CANCEL" "$?" 5
cp "$W/invoice.pdf" "$W/rootonly.pdf"
chmod 600 "$W/rootonly.pdf"
run_backend "$W/rpriv" 6 ketoan "Root only" 1 "" "$W/rootonly.pdf"
t_grep "document read as lp, not root (root-only file refused)" "Permission denied" "$W/rpriv"
pf_clear
run_backend "$W/rstdin" 7 ketoan "From stdin" 1 "" <"$W/invoice.pdf"
t_eq "document on stdin: OK" "$?" 0
t_ok "delivered" pf_wait_mail 1 30
mime_attachment "$(pf_last)" "$W/got.pdf"
t_ok "stdin attachment identical" cmp -s "$W/invoice.pdf" "$W/got.pdf"
for o in "$W"/r1 "$W"/r100 "$W"/rps "$W"/rstdin "$W"/rpng; do
	cat "$o"
done >"$W/all-output"
t_nogrep "no password in any backend output" "$PF_PASS" "$W/all-output"
DEVICE_URI=email:/default PRINTMAIL_CONFIG=$W/missing.conf \
    "$W/cups/lib/backend/email" 8 u t 1 "" "$W/invoice.pdf" >"$W/rmiss" 2>&1
t_eq "missing config: CUPS_BACKEND_STOP (4)" "$?" 4
t_grep "names the file" "$W/missing.conf" "$W/rmiss"
"$W/cups/lib/backend/email" 1 2 >"$W/rusage" 2>&1
t_eq "wrong argument count: CUPS_BACKEND_FAILED (1)" "$?" 1
echo "# print jobs as Windows, Samba and odd clients send them"
# A PDF after a blank line (CUPS types it PDF; readers open it).
{ printf '\r\n\r\n'; cat "$W/invoice.pdf"; } >"$W/lead.pdf"
chmod 644 "$W/lead.pdf"
pf_clear
run_backend "$W/rlead" 20 ketoan "Lead" 1 "" "$W/lead.pdf"
t_eq "PDF after CR LF: CUPS_BACKEND_OK" "$?" 0
t_ok "delivered" pf_wait_mail 1 30
mime_attachment "$(pf_last)" "$W/got.pdf"
t_ok "... the file as printed, byte for byte" cmp -s "$W/lead.pdf" "$W/got.pdf"
# Raw PostScript from a Windows driver: PJL around it, and a PostScript
# program that writes to standard output and standard error.
{
	printf '\033%%-12345X@PJL JOB NAME="Invoice"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n'
	printf '%%!PS-Adobe-3.0\n(PPD: DefaultEmailTo=Custom.attacker@evil.test\\n) print flush\n'
	printf '(%%stderr) (w) file dup (STATE: +x\\n) writestring flushfile\n'
	printf '/Helvetica findfont 24 scalefont setfont 72 760 moveto (PJL job) show showpage\n'
	printf '\033%%-12345X@PJL EOJ\r\n\033%%-12345X'
} >"$W/pjl.prn"
printf '\004' | cat - "$W/doc.ps" >"$W/ctrld.ps"
chmod 644 "$W/pjl.prn" "$W/ctrld.ps"
pf_clear
run_backend "$W/rpjl" 21 ketoan "PJL" 1 "" "$W/pjl.prn"
t_eq "PJL-wrapped PostScript: CUPS_BACKEND_OK" "$?" 0
run_backend "$W/rctrld" 22 ketoan "CtrlD" 1 "" "$W/ctrld.ps"
t_eq "PostScript after a Ctrl-D: CUPS_BACKEND_OK" "$?" 0
t_ok "both delivered" pf_wait_mail 2 60
for f in "$PF_MAIL"/*.eml; do
	mime_attachment "$f" "$W/got.pdf"
	t_eq "... a PDF from the first byte ($(mime_header "$f" Subject))" "$(head -c 5 "$W/got.pdf")" "%PDF-"
done
t_nogrep "Ghostscript's output reached no status line" "PPD: DefaultEmailTo" "$W/rpjl"
t_nogrep "... nor its standard error" "STATE: +x" "$W/rpjl"
# Samba's title, numbered documents, a long Subject.
pf_clear
run_backend "$W/rsmb" 23 ketoan 'smbprn.00000031 C:\Users\kt\Invoice 2024.001' 1 "" "$W/invoice.pdf"
t_eq "Samba job: OK" "$?" 0
t_ok "delivered" pf_wait_mail 1 30
t_eq "Subject without the Samba prefix and path" "$(mime_decode_words "$(mime_header "$(pf_last)" Subject)")$(mime_header "$(pf_last)" Subject | grep -v '=?')" "Invoice 2024.001"
t_eq "the number is no extension" "$(mime_filename "$(pf_last)")" "Invoice 2024.001.pdf"
long=$(printf 'Bao cao tai chinh quy %s ' 1 2 3 4 5 6 7 8 9 10 11 12)
pf_clear
run_backend "$W/rlong" 24 ketoan "$long" 1 "" "$W/invoice.pdf"
run_backend "$W/rlongvi" 25 ketoan "Báo cáo tài chính quý $(printf 'một hai ba %s ' 1 2 3 4 5 6)" 1 "" "$W/invoice.pdf"
t_ok "delivered" pf_wait_mail 2 30
python3 - "$PF_MAIL" >"$W/hdrs" <<'EOF'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    # Every header section: the message's and its parts'.
    raw = b"\n".join(sec for sec in open(f, "rb").read().replace(b"\r", b"").split(b"\n\n")
                     if b"Content-Type" in sec[:2000] or sec.startswith(b"Return-Path"))
    name = b""
    for line in raw.split(b"\n"):
        if line[:1] not in (b" ", b"\t"):
            name = line.split(b":", 1)[0]
        # Our fields; Postfix writes Received and Return-Path itself.
        if name not in (b"Received", b"Return-Path") and len(line) > 78:
            print("long", f, len(line), line[:60])
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    print("subject", m["Subject"])
EOF
t_eq "no header line of ours over 78 octets" "$(grep -c '^long' "$W/hdrs")" 0; grep "^long" "$W/hdrs"
t_grep "the long Subject reads back whole" "subject ${long% }" "$W/hdrs"
t_grep "... the Vietnamese one too" "subject Báo cáo tài chính quý một hai ba 1 một hai ba 2" "$W/hdrs"

echo "# SIGTERM (job cancelled) mid-transfer: nothing is sent"
pf_clear
env -i PATH=/usr/bin:/bin DEVICE_URI=email:/default PRINTER=direct \
    PRINTMAIL_CONFIG="$CONF" TMPDIR="$W/tmp" \
    "$W/cups/lib/backend/email" 9 ketoan "Cancel me" 1 "" <"$W/big.pdf" \
    >"$W/rterm" 2>&1 &
BPID=$!
for i in $(seq 1 300); do
	grep -q "INFO: Sending the document: 10%" "$W/rterm" && break
	sleep 0.05
done
kill -TERM "$BPID"
wait "$BPID"
t_eq "cancelled job exits CUPS_BACKEND_OK" "$?" 0
t_grep "says nothing was sent" "Job cancelled; nothing was sent" "$W/rterm"
sleep 2
t_eq "no message delivered" "$(pf_count)" 0
if [ -n "${VALGRIND:-}" ]; then
	cat "$W"/vg/valgrind.* 2>/dev/null >"$W/valgrind.all"
	t_eq "valgrind reported nothing in any backend run" "$(wc -c <"$W/valgrind.all")" 0
	head -40 "$W/valgrind.all"
fi
ls -A "$W/tmp" >"$W/leftover"
t_eq "no temporary files left behind" "$(wc -l <"$W/leftover")" 0

t_summary
