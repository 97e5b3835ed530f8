#!/usr/bin/env bash
# Attacks on printmail and the backend, each a regression test for a hole
# that was found in them: text from outside that forged CUPS status lines
# (a PPD rewrite that redirected a queue's documents), configs another user
# could change, {user} templates that chose recipients, timeouts that were
# not bounds, classifications an attacker could trigger, and the outcome
# after the final dot.  Against a scripted hostile server (fake_m365), an
# on-path relay in front of the private Postfix, hostile token endpoints
# and commands, and a private cupsd with real lp.
# Usage: tests/suite-attack.sh printmail
set -u
PM=$(realpath "$1")
BE=$(dirname "$PM")/email
FAKE=$(dirname "$PM")/tests/fake_m365
RELAY=$(dirname "$PM")/tests/relay
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PPD=$ROOT/packaging/printmail.ppd
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"
. "$HERE/lib/pdf.sh"

fail_setup() { echo "not ok - $1"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || fail_setup "attack tests need root (cupsd, Postfix, other users)"
for b in "$FAKE" "$RELAY" "$BE"; do
	[ -x "$b" ] || fail_setup "$b not built"
done
for tool in cupsd lpadmin lp lpstat flock setsid; do
	command -v "$tool" >/dev/null || fail_setup "$tool is missing: run packaging/install-deps"
done

W=$(mktemp -d /tmp/printmail-attack.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	cups_stop
	pf_stop
	rm -rf "$W"
}
trap cleanup EXIT
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

SECRET='S3cr3t App-Pass'
EVIL=attacker@evil.test
pf_make_ca "$W/tls" "attack test"
chmod 644 "$W"/tls/*
mkdir -p "$W/tmp" "$W/run" "$W/mail"
chmod 1777 "$W/tmp" "$W/run"
chmod 777 "$W/mail"
export PRINTMAIL_RUN_DIR=$W/run
make_pdf "$W/doc.pdf" "Invoice"
chmod 644 "$W/doc.pdf"

# fake ARGS...: the hostile server; sets FPORT, FPID.  Messages it
# accepts land in $W/mail.
fake() {
	rm -f "$W/fport"
	"$FAKE" -c "$W/tls/server.crt" -k "$W/tls/server.key" -p "$W/fport" \
	    -P "$SECRET" -D "$W/mail" "$@" &
	FPID=$!
	PIDS+=("$FPID")
	for i in $(seq 1 100); do [ -s "$W/fport" ] && break; sleep 0.05; done
	FPORT=$(cat "$W/fport")
}
# conf FILE PORT [extra...]: an account for the fake (mode 600, root).
conf() {
	local f=$1 port=$2
	shift 2
	( umask 077; {
		printf '[default]\nhost = 127.0.0.1\nport = %s\n' "$port"
		printf 'tls_ca_file = %s\nuser = hoadon@congty.com\n' "$W/tls/ca.crt"
		printf 'from = hoadon@congty.com\ntimeout = %s\n' "${CT:-5}"
		printf 'to = ketoan@khachhang.test\n'
		for l in "$@"; do echo "$l"; done
		case " $* " in *password*|*oauth2*) ;; *) printf 'password = %s\n' "$SECRET";; esac
	} >"$f" )
}
# backend OUT CONF [TITLE [USER [OPTIONS]]]: the backend as cupsd runs it.
backend() {
	local out=$1 c=$2
	env -i PATH=/usr/bin:/bin DEVICE_URI=email:/default PRINTER=attacked \
	    PRINTMAIL_CONFIG="$c" PRINTMAIL_RUN_DIR="$W/run" TMPDIR="$W/tmp" \
	    "$BE" "${JOB:-7}" "${4:-lan}" "${3:-Invoice}" 1 "${5:-}" "$W/doc.pdf" 2>"$out"
}
# status_lines_clean FILE: every line is one of ours: DEBUG, INFO, ERROR,
# WARNING, or our own STATE reasons; nothing cupsd would act on otherwise.
status_lines_clean() {
	! grep -avE '^(DEBUG|INFO|ERROR|WARNING): |^STATE: [+-](connecting-to-device|printmail-account-error)$' "$1" |
	    grep -q . && ! grep -aq $'[\x01-\x08\x0b-\x1f\x7f]' "$1"
}
show_bad_lines() {
	grep -avE '^(DEBUG|INFO|ERROR|WARNING): |^STATE: [+-](connecting-to-device|printmail-account-error)$' "$1" | head -5
}
t_clean() { # DESCRIPTION FILE
	if status_lines_clean "$2"; then
		t_ok "$1" true
	else
		t_ok "$1" false
		show_bad_lines "$2" | sed 's/^/    | /'
	fi
}

FORGED=$'PPD: DefaultEmailTo=Custom.'$EVIL$'\nSTATE: +evil-reason\nATTR: marker-levels=1\nCRIT: forged'
# multiline CODE TEXT LAST: a reply whose continuation lines carry status
# lines and an escape sequence, ending with "CODE LAST".
multiline() {
	local code=$1 text=$2 last=$3 l out=""
	while IFS= read -r l; do out+="$code-$l"$'\n'; done <<<"$FORGED"
	printf '%s-%s\n%s%s-%s\n%s %s' "$code" "$text" "$out" "$code" \
	    $'\e[2Jescape' "$code" "$last"
}

echo "# 1. outside text never forges a CUPS status line"
fake -g "$(multiline 220 "XX0PR00CA0000.outlook.office365.com Microsoft ESMTP MAIL Service ready" ok)"
conf "$W/c" "$FPORT"
backend "$W/err" "$W/c"
t_eq "greeting with status lines: the job is still delivered" "$?" 0
t_clean "greeting: every stderr line is one of ours" "$W/err"
t_grep "the greeting's text is still shown (on one line)" "PPD: DefaultEmailTo" "$W/err"
stop_pid "$FPID"

fake -e "$(multiline 250 "XX0PR00CA0000.outlook.office365.com Hello" STARTTLS)"
conf "$W/c" "$FPORT"
backend "$W/err" "$W/c"
t_eq "EHLO lines with status lines: delivered" "$?" 0
t_clean "EHLO: every stderr line is one of ours" "$W/err"
stop_pid "$FPID"

for stage in a m r d; do
	case $stage in
	a) name=AUTH; code=535 ;;
	m) name=MAIL; code=550 ;;
	r) name=RCPT; code=550 ;;
	d) name="final dot"; code=554 ;;
	esac
	fake -"$stage" "$(multiline $code "5.7.1 refused" "5.7.1 refused")"
	conf "$W/c" "$FPORT"
	backend "$W/err" "$W/c"
	t_clean "refusal at $name: every stderr line is one of ours" "$W/err"
	t_grep "refusal at $name: the reply is quoted in an ERROR line" "ERROR: " "$W/err"
	stop_pid "$FPID"
done

echo "# ... nor does a token endpoint, a token command, a job or its options"
fake -H -S 401 -J '{"error":"invalid_client","error_description":"AADSTS7000215: bad\nPPD: DefaultEmailTo=Custom.attacker@evil.test\nSTATE: +x\u001b[2J"}'
HPORT=$FPORT
HPID=$FPID
fake
conf "$W/c" "$FPORT" "auth = xoauth2" "oauth2_client_id = client-1" \
    "oauth2_client_secret = s3cret~value" \
    "oauth2_token_url = https://127.0.0.1:$HPORT/token"
PRINTMAIL_CACHE_DIR=$W/cache backend "$W/err" "$W/c"
t_clean "token endpoint error_description: every line is one of ours" "$W/err"
t_grep "the endpoint's refusal is quoted" "AADSTS7000215" "$W/err"
stop_pid "$HPID"

cat >"$W/helper.sh" <<'EOS'
#!/bin/sh
printf 'token helper failed\nPPD: DefaultEmailTo=Custom.attacker@evil.test\nSTATE: +x\n\033[2J\n' >&2
exit 1
EOS
chmod 755 "$W/helper.sh"
conf "$W/c" "$FPORT" "auth = xoauth2" "oauth2_token_command = $W/helper.sh"
backend "$W/err" "$W/c"
t_clean "token command stderr: every line is one of ours" "$W/err"
t_grep "the helper's words are relayed" "token helper failed" "$W/err"

conf "$W/c" "$FPORT" "allow_recipients = *@khachhang.test"
backend "$W/err" "$W/c" $'Title\nPPD: DefaultEmailTo=Custom.attacker@evil.test' \
    $'user\nSTATE: +evil' $'email-subject=\'s\nPPD: x\' email-to=\'a@khachhang.test\nPPD: y\''
t_clean "job title, user and options: every line is one of ours" "$W/err"
backend "$W/err" "$W/c" $'smbprn.00000012 C:\\a\\\e[2J\nPPD: DefaultEmailTo=Custom.x@evil.test.pdf'
t_clean "a hostile file name: every line is one of ours" "$W/err"
stop_pid "$FPID"

echo "# printmail's stderr (Postfix's deferral reason) and syslog line are clean too"
fake -g "$(multiline 554 "5.7.139 basic authentication is disabled" "5.7.139 x")"
conf "$W/c" "$FPORT"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_ok "printmail stderr: no control character" sh -c "! grep -aq \$'[\\x01-\\x08\\x0b-\\x1f\\x7f]' '$W/err'"
t_eq "printmail stderr: no line starts with a forged status" "$(grep -acE '^(PPD|STATE|ATTR|CRIT):' "$W/err")" 0
stop_pid "$FPID"

echo "# the whole attack: an on-path relay rewrites the plaintext greeting"
pf_start "$W/pf" || fail_setup "private Postfix did not start"
rm -f "$W/rport"
"$RELAY" -p "$W/rport" -u "$PF_PORT" -g "$(multiline 220 "mail.congty.test ESMTP" "ESMTP ready")" &
RPID=$!
PIDS+=("$RPID")
for i in $(seq 1 100); do [ -s "$W/rport" ] && break; sleep 0.05; done
RPORT=$(cat "$W/rport")
CONF=$W/printmail.conf
(
	umask 077
	cat >"$CONF" <<EOC
timeout = 10
tls_ca_file = $PF_CA
user = $PF_USER
password = $PF_PASS
from = $PF_USER
host = 127.0.0.1

[default]
port = $RPORT
to = ketoan@khachhang.test

[direct]
port = $PF_PORT
to = ketoan@khachhang.test

[peruser]
port = $PF_PORT
to = {user}@congty.test
allow_recipients = *@congty.test
EOC
)
cups_start "$W/cups" "$BE" "$CONF" || fail_setup "private cupsd did not start"
lpadmin -p onpath -E -v email:/default -P "$PPD" || fail_setup "lpadmin"
pf_clear
lp -d onpath -t "Invoice 1" "$W/doc.pdf" >/dev/null 2>&1
t_ok "delivered through the relay (TLS after the forged greeting)" pf_wait_mail 1 30
sleep 2
t_nogrep "the queue's PPD was not rewritten" "$EVIL" "$W/cups/etc/ppd/onpath.ppd"
lpstat -l -p onpath >"$W/lpstat"
t_nogrep "no forged printer-state-reason" "evil-reason" "$W/lpstat"
stop_pid "$RPID"
lpadmin -p onpath -v email:/direct
pf_clear
lp -d onpath -t "Invoice 2" "$W/doc.pdf" >/dev/null 2>&1
t_ok "the next job, attacker gone: delivered" pf_wait_mail 1 30
sleep 1
t_ok "to the configured recipient only" grep -q "to=ketoan@khachhang.test" "$PF_MAIL"/*.env
t_eq "nothing to the attacker" "$(cat "$PF_MAIL"/*.env | grep -c "$EVIL")" 0

echo "# 3. {user} in a template: one local part, or the job is cancelled"
lpadmin -p peruser -E -v email:/peruser -P "$PPD"
for u in "$EVIL,x" 'CONGTY\nguyen' 'Nguyễn Văn A' 'x@evil.test'; do
	pf_clear
	out=$(lp -U "$u" -d peruser -t "Per user" "$W/doc.pdf" 2>&1)
	id=$(cups_job_id "$out")
	t_ok "user '$u': the job leaves the queue" cups_wait_job_gone peruser "$id" 20
	sleep 1
	t_eq "user '$u': nothing delivered" "$(pf_count)" 0
	lpstat -p peruser >"$W/lpstat"
	t_nogrep "user '$u': the queue stays enabled" "disabled" "$W/lpstat"
done
t_grep "the reason names the user" "cannot be part of an e-mail address" "$W/cups/log/error_log"
pf_clear
lp -U nguyen.van-a -d peruser -t "Per user" "$W/doc.pdf" >/dev/null 2>&1
t_ok "user nguyen.van-a: delivered" pf_wait_mail 1 30
sleep 1
t_ok "to nguyen.van-a@congty.test" grep -q "to=nguyen.van-a@congty.test" "$PF_MAIL"/*.env
# Without allow_recipients, job values do not choose recipients at all.
sed -i 's/^allow_recipients = \*@congty.test$//' "$CONF"
pf_clear
out=$(lp -U nguyen -d peruser -t "Per user" "$W/doc.pdf" 2>&1)
id=$(cups_job_id "$out")
t_ok "no allow_recipients: the job leaves the queue" cups_wait_job_gone peruser "$id" 20
sleep 1
t_eq "no allow_recipients: nothing delivered" "$(pf_count)" 0
t_grep "the reason names allow_recipients" "does not match allow_recipients" "$W/cups/log/error_log"

echo "# 2. configs and secrets another user could change are refused"
echo "root-only" >"$W/rootonly"
chmod 600 "$W/rootonly"
mkdir -m 755 "$W/cfg"
conf "$W/cfg/c" "$PF_PORT"
sed -i 's/^password = .*/password_file = '"${W//\//\\/}"'\/rootonly/' "$W/cfg/c"
chown nobody "$W/cfg/c"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/cfg/c" a@x.test 2>"$W/err"
rc=$?
t_ok "a config owned by another user: refused (not 0)" test "$rc" -ne 0
t_grep "says who owns it and the chown" "chown root" "$W/err"
chown root "$W/cfg/c"
chmod 620 "$W/cfg/c"
chgrp lp "$W/cfg/c"
backend "$W/err" "$W/cfg/c"
t_eq "a config group lp can write: the backend stops the queue" "$?" 4
t_grep "says so with the chmod" "chmod go-w $W/cfg/c" "$W/err"
chmod 600 "$W/cfg/c"
chmod 777 "$W/cfg"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/cfg/c" a@x.test 2>"$W/err"
t_ok "a config in a world-writable directory: refused" test "$?" -ne 0
t_grep "names the directory" "$W/cfg, which other users can write" "$W/err"
chmod 755 "$W/cfg"

echo "# 4. every wait has a bound"
fake -t 400
CT=2 conf "$W/c" "$FPORT"
s0=$(date +%s%N)
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
rc=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
t_eq "a server trickling a byte every 0.4 s: exit 75" "$rc" 75
t_ok "given up within timeout + 2 s (took ${ms} ms)" test "$ms" -lt 4000
stop_pid "$FPID"

fake
cat >"$W/hang.sh" <<'EOS'
#!/bin/sh
exec >&-
sleep 60
EOS
cat >"$W/bg.sh" <<'EOS'
#!/bin/sh
echo tok123
sleep 60 &
exit 0
EOS
chmod 755 "$W/hang.sh" "$W/bg.sh"
CT=2 conf "$W/c" "$FPORT" "auth = xoauth2" "oauth2_token_command = $W/hang.sh"
s0=$(date +%s%N)
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
rc=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
t_eq "a token command that closes its output and hangs: exit 75" "$rc" 75
t_ok "stopped within timeout + 2 s (took ${ms} ms)" test "$ms" -lt 4000
t_ok "and its process group is gone" sh -c "! pgrep -f '$W/hang.s[h]' >/dev/null"
conf "$W/c" "$FPORT" "auth = xoauth2" "oauth2_token_command = $W/bg.sh"
s0=$(date +%s%N)
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
rc=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
t_eq "a token command that leaves a child holding its output: sent" "$rc" 0
t_ok "without waiting for that child (took ${ms} ms)" test "$ms" -lt 3000
t_ok "and that child is gone with the helper's group" \
    sh -c "! pgrep -f '$W/bg.s[h]' >/dev/null"

CT=2 conf "$W/c" "$FPORT" "max_per_minute = 30" "max_connections = 3"
touch "$W/run/default.rate"
chmod 666 "$W/run/default.rate"
# Any local user can open the rate file today: nobody holds its lock.
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    bash -c 'exec 9<>"$1" && flock 9 && exec sleep 30' _ "$W/run/default.rate" &
LPID=$!
PIDS+=("$LPID")
sleep 0.5
s0=$(date +%s%N)
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
rc=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
stop_pid "$LPID"
t_eq "the rate file held locked by another user: exit 75" "$rc" 75
t_ok "within timeout + 2 s (took ${ms} ms)" test "$ms" -lt 4000
t_grep "names the rate file" "rate file of account [default]" "$W/err"
stop_pid "$FPID"

echo "# ... and in the package's run directory no other user can touch them"
. "$HERE/lib/queue.sh"
q_user || fail_setup "cannot create the printmail user"
install -d -m 2770 -o root -g printmail "$W/grun"
fake
CT=2 conf "$W/c" "$FPORT" "max_per_minute = 30" "max_connections = 3"
printf 'Subject: x\n\nx\n' | PRINTMAIL_RUN_DIR=$W/grun "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "root sends with the limits there" "$?" 0
t_eq "the rate file: 660, group printmail" "$(stat -c '%a %G' "$W/grun/default.rate")" "660 printmail"
t_eq "a slot file: 660, group printmail" "$(stat -c '%a %G' "$W/grun/default.slot0")" "660 printmail"
t_ok "nobody cannot open the rate file" \
    sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c ': >>\"$W/grun/default.rate\"' 2>/dev/null"
t_ok "nobody cannot lock a slot" \
    sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups flock -n \"$W/grun/default.slot0\" true 2>/dev/null"
t_ok "the runner's user can" \
    setpriv --reuid=printmail --regid=printmail --clear-groups flock -n "$W/grun/default.slot0" true
backend_run() {
	env -i PATH=/usr/bin:/bin DEVICE_URI=email:/default PRINTER=attacked \
	    PRINTMAIL_CONFIG="$W/c" PRINTMAIL_RUN_DIR="$W/grun" TMPDIR="$W/tmp" \
	    "$BE" 9 lan Invoice 1 "" "$W/doc.pdf" 2>"$W/err"
}
backend_run
t_eq "the backend (root, then lp outside the group) takes its slot as root: sent" "$?" 0
stop_pid "$FPID"

echo "# 5. classification an attacker could trigger"
fake -g "554 5.7.139 Authentication unsuccessful, basic authentication is disabled"
conf "$W/c" "$FPORT"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>/dev/null
rc=$?
t_ok "an account code in the greeting is not an account failure (got $rc)" test "$rc" -ne 77
backend "$W/err" "$W/c"
t_eq "... and the backend retries (no stopped queue)" "$?" 6
stop_pid "$FPID"
fake -e "550 5.7.30 Basic authentication is not supported for Client Submission"
conf "$W/c" "$FPORT"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>/dev/null
rc=$?
t_ok "an account code in reply to EHLO: not an account failure (got $rc)" test "$rc" -ne 77
backend "$W/err" "$W/c"
t_eq "... and the backend retries" "$?" 6
stop_pid "$FPID"

fake
printf '#!/bin/sh\necho "endpoint down" >&2\nexit 75\n' >"$W/t75.sh"
chmod 755 "$W/t75.sh"
conf "$W/c" "$FPORT" "auth = xoauth2" "oauth2_token_command = $W/t75.sh"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "a token command exiting 75 (temporary): exit 75" "$?" 75
backend "$W/err" "$W/c"
t_eq "... and the backend retries" "$?" 6
conf "$W/c" "$FPORT" "auth = xoauth2" "oauth2_client_id = c" \
    "oauth2_client_secret = s" "oauth2_token_url = http://127.0.0.1:1/token"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
rc=$?
t_ok "oauth2_token_url = http://: refused when the config is read (got $rc)" test "$rc" -eq 78 -o "$rc" -eq 75
t_grep "says https is required" "must start with https://" "$W/err"

rm -rf "$W/mail"/* "$W/run"/*
mkdir "$W/run/default.rate"
conf "$W/c" "$FPORT" "max_per_minute = 1"
n0=$(ls "$W/mail" | wc -l)
for i in 1 2 3; do
	printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
	rc=$?
done
t_eq "limits fail closed: a rate file pre-created as a directory gives 75" "$rc" 75
t_eq "and nothing is sent past the broken limit" "$(ls "$W/mail" | wc -l)" "$n0"
rmdir "$W/run/default.rate"
stop_pid "$FPID"

echo "# 6. after the final dot: a stop request waits for the answer"
fake -w 4
CT=15 conf "$W/c" "$FPORT"
rm -f "$W/mail"/*
( exec env -i PATH=/usr/bin:/bin DEVICE_URI=email:/default PRINTER=attacked \
    PRINTMAIL_CONFIG="$W/c" PRINTMAIL_RUN_DIR="$W/run" TMPDIR="$W/tmp" \
    "$BE" 8 lan Invoice 1 "" "$W/doc.pdf" 2>"$W/err" ) &
BPID=$!
for i in $(seq 1 100); do [ -n "$(ls "$W/mail")" ] && break; sleep 0.05; done
# The message is stored as it arrives; a second later the dot is in.
sleep 1
kill -TERM "$BPID"
wait "$BPID"
rc=$?
t_eq "SIGTERM while the server answers the dot: the backend reports OK" "$rc" 0
t_grep "and says the server accepted it" "it accepted the job" "$W/err"
t_nogrep "never 'nothing was sent'" "nothing was sent" "$W/err"
# CUPS keeps a stopped job's state whatever the backend says: the same
# job run again must not send a second copy.
n=$(ls "$W/mail" | wc -l)
JOB=8 backend "$W/err" "$W/c"
t_eq "the same job run again: OK" "$?" 0
t_grep "... says it was already accepted" "it is not sent again" "$W/err"
t_eq "... and sends nothing" "$(ls "$W/mail" | wc -l)" "$n"
JOB=8 backend "$W/err" "$W/c"
t_eq "a deliberate reprint after that sends again" "$(ls "$W/mail" | wc -l)" "$((n + 1))"
stop_pid "$FPID"
fake -w 8
CT=2 conf "$W/c" "$FPORT"
backend "$W/err" "$W/c"
t_eq "no answer to the dot: the job is kept (RETRY)" "$?" 6
t_grep "and says it may have been sent" "may have accepted it" "$W/err"
stop_pid "$FPID"

echo "# ... and a job held while the server answers is not printed twice"
fake -w 6
cat >>"$CONF" <<EOC

[slow]
port = $FPORT
tls_ca_file = $W/tls/ca.crt
user = hoadon@congty.com
password = $SECRET
from = hoadon@congty.com
to = ketoan@khachhang.test
timeout = 20
EOC
lpadmin -p slow -E -v email:/slow -P "$PPD"
rm -f "$W/mail"/*
out=$(lp -d slow -t "Held late" "$W/doc.pdf" 2>&1)
id=$(cups_job_id "$out")
for i in $(seq 1 200); do [ -n "$(ls "$W/mail")" ] && break; sleep 0.05; done
sleep 1
lp -i "slow-$id" -H hold >/dev/null 2>&1
# The backend waits for the answer (6 s), then cupsd keeps the job held.
sleep 7
lpstat -o slow >"$W/lpstat" 2>&1
t_grep "the job is held, as asked" "slow-$id" "$W/lpstat"
t_grep "the backend waited for the answer" "it accepted the job" "$W/cups/log/error_log"
lp -i "slow-$id" -H resume >/dev/null 2>&1
t_ok "after release the job completes" cups_wait_job_gone slow "$id" 30
t_grep "without sending again" "it is not sent again" "$W/cups/log/error_log"
t_eq "the held job's message arrived exactly once" "$(ls "$W/mail" | wc -l)" 1
stop_pid "$FPID"

t_summary
