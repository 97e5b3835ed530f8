#!/usr/bin/env bash
# Security: TLS attacks and refusals (no STARTTLS, STARTTLS refused, bytes
# injected after the 220, TLS 1.0-only server, expired certificate), proof
# from a capture of the loopback traffic that credentials never cross the
# wire in clear, the password absent from every output and from children's
# environments, core dumps off, and hostile input.
# Usage: tests/suite-security.sh printmail
set -u
PM=$(realpath "$1")
BE=$(dirname "$PM")/email
FAKE=$(dirname "$PM")/tests/fake_m365
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/pdf.sh"

fail_setup() { echo "not ok - $1"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || fail_setup "security tests need root"
command -v tcpdump >/dev/null || fail_setup "tcpdump is missing: run packaging/install-deps"
[ -x "$FAKE" ] || fail_setup "$FAKE not built"

W=$(mktemp -d /tmp/printmail-sec.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	pf_stop
	rm -rf "$W"
}
trap cleanup EXIT
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

SECRET='S3cr3t App-Pass'
pf_make_ca "$W/tls" "security test"

# conf FILE PORT TLS [extra...]
conf() {
	local f=$1 port=$2 tls=$3
	shift 3
	( umask 077; {
		printf '[default]\nhost = 127.0.0.1\nport = %s\ntls = %s\n' "$port" "$tls"
		printf 'tls_ca_file = %s\nuser = hoadon@congty.com\n' "$W/tls/ca.crt"
		printf 'password = %s\nfrom = hoadon@congty.com\ntimeout = 5\n' "$SECRET"
		for l in "$@"; do echo "$l"; done
	} >"$f" )
}
# fake ARGS...: a fake server with the test CA; sets FPORT, FPID.
fake() {
	rm -f "$W/fport"
	"$FAKE" -c "$W/tls/server.crt" -k "$W/tls/server.key" -p "$W/fport" \
	    -P "$SECRET" "$@" &
	FPID=$!
	PIDS+=("$FPID")
	for i in $(seq 1 100); do [ -s "$W/fport" ] && break; sleep 0.05; done
	FPORT=$(cat "$W/fport")
}
# capture PORT: starts tcpdump on loopback for PORT; sets CPID.
capture() {
	tcpdump -i lo -U -s 0 -w "$W/cap.pcap" "tcp port $1" >/dev/null 2>&1 &
	CPID=$!
	PIDS+=("$CPID")
	for i in $(seq 1 50); do [ -s "$W/cap.pcap" ] && break; sleep 0.1; done
	sleep 0.5
}
LOGIN64=$(printf '%s' "$SECRET" | base64 -w0)
PLAIN64=$(printf '\0%s\0%s' hoadon@congty.com "$SECRET" | base64 -w0)
no_secret_in() { # FILE: neither the password nor its AUTH encodings
	! grep -aqF -- "$SECRET" "$1" && ! grep -aqF -- "$LOGIN64" "$1" &&
	    ! grep -aqF -- "$PLAIN64" "$1"
}

echo "# a server offering AUTH but no STARTTLS: refused, nothing sent in clear"
fake -n
conf "$W/c" "$FPORT" starttls
capture "$FPORT"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "exit 75: deferred (soft bounce), never sent in clear" "$?" 75
t_grep "says STARTTLS is missing" "does not offer STARTTLS" "$W/err"
sleep 0.5
stop_pid "$CPID"
t_ok "capture holds the session" test "$(stat -c %s "$W/cap.pcap")" -gt 200
t_ok "captured traffic: EHLO seen in clear" grep -aqF "EHLO" "$W/cap.pcap"
# The server's EHLO says "250-AUTH LOGIN PLAIN"; the client's commands
# would be "AUTH LOGIN<CR>" or "AUTH PLAIN <base64>".
t_ok "captured traffic: the client sent no AUTH command" \
    sh -c "! grep -aqF \$'AUTH LOGIN\r' '$W/cap.pcap' && ! grep -aqF 'AUTH PLAIN ' '$W/cap.pcap'"
t_ok "captured traffic: no password in any encoding" no_secret_in "$W/cap.pcap"
stop_pid "$FPID"

echo "# STARTTLS refused (454): temporary, no AUTH"
fake -s "454 4.7.0 TLS not available due to local problem"
conf "$W/c" "$FPORT" starttls
capture "$FPORT"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "exit 75" "$?" 75
t_grep "quotes the refusal" "454 4.7.0 TLS not available" "$W/err"
sleep 0.5
stop_pid "$CPID"
t_ok "no password on the wire" no_secret_in "$W/cap.pcap"
stop_pid "$FPID"

echo "# plaintext injected after the STARTTLS 220: aborted"
fake -i
conf "$W/c" "$FPORT" starttls
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "exit 75 (soft bounce)" "$?" 75
t_grep "names the injection" "STARTTLS injection" "$W/err"
echo "soft_bounce = no" >>"$W/c"
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "with soft_bounce = no: exit 76" "$?" 76
stop_pid "$FPID"

echo "# a normal session: after STARTTLS nothing readable on the wire"
fake
conf "$W/c" "$FPORT" starttls
capture "$FPORT"
printf 'Subject: secret-subject-marker\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "delivered: exit 0" "$?" 0
sleep 0.5
stop_pid "$CPID"
t_ok "STARTTLS seen in clear" grep -aqF "STARTTLS" "$W/cap.pcap"
t_ok "no password on the wire" no_secret_in "$W/cap.pcap"
t_ok "not even the subject in clear (encrypted after STARTTLS)" \
    sh -c "! grep -aqF 'secret-subject-marker' '$W/cap.pcap'"
stop_pid "$FPID"

echo "# a TLS 1.0-only server is refused"
tls_server "$W/tls/server.crt" "$W/tls/server.key" -tls1 \
    -cipher 'DEFAULT@SECLEVEL=0'
TPID=$TLS_PID
TPORT=$TLS_PORT
PIDS+=("$TPID")
conf "$W/c" "$TPORT" implicit
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "TLS 1.0 only: exit 75 (soft bounce)" "$?" 75
t_grep "says the TLS handshake failed" "TLS handshake with 127.0.0.1 failed" "$W/err"
stop_pid "$TPID"

echo "# an expired certificate is refused"
mkdir -p "$W/exp"
touch "$W/exp/index.txt"
echo 01 >"$W/exp/serial"
cat >"$W/exp/ca.cnf" <<EOC
[ ca ]
default_ca = d
[ d ]
dir = $W/exp
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = p
copy_extensions = copy
[ p ]
commonName = supplied
EOC
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$W/exp/key" \
    -out "$W/exp/csr" 2>/dev/null
openssl ca -batch -config "$W/exp/ca.cnf" -cert "$W/tls/ca.crt" \
    -keyfile "$W/tls/ca.key" -in "$W/exp/csr" -out "$W/exp/crt" \
    -startdate 20200101000000Z -enddate 20200201000000Z >/dev/null 2>&1
tls_server "$W/exp/crt" "$W/exp/key"
EPID=$TLS_PID
EPORT=$TLS_PORT
PIDS+=("$EPID")
conf "$W/c" "$EPORT" implicit
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "expired certificate: exit 75 (soft bounce)" "$?" 75
t_grep "says it expired" "certificate has expired" "$W/err"
stop_pid "$EPID"

echo "# the password in no output, no child's environment; no core dumps"
fake
conf "$W/c" "$FPORT" starttls
printf 'Subject: v\n\nx\n' | "$PM" -C "$W/c" -v a@x.test >"$W/out1" 2>&1
"$PM" --check -v -C "$W/c" >"$W/out2" 2>&1
conf "$W/bad" "$FPORT" starttls
sed -i "s/^password = .*/password = $SECRET-wrong/" "$W/bad"
printf 'Subject: v\n\nx\n' | "$PM" -C "$W/bad" -v a@x.test >"$W/out3" 2>&1
t_eq "wrong password fails (75, soft bounce)" "$?" 75
"$PM" --check -v -C "$W/bad" >"$W/out4" 2>&1
for f in out1 out2 out3 out4; do
	t_ok "no password in $f (success and failure, -v)" no_secret_in "$W/$f"
done
t_nogrep "not even the wrong password" "$SECRET-wrong" "$W/out3"
# A token command that prints its whole environment.
conf "$W/env" "$FPORT" starttls "auth = auto" \
    "oauth2_token_command = sh -c 'env >&2; echo tok123'"
"$PM" --check -C "$W/env" >"$W/out5" 2>&1
t_grep "the child ran" "PATH=" "$W/out5"
t_ok "no password in the child's environment" no_secret_in "$W/out5"
stop_pid "$FPID"
# Core dumps: limits of a printmail waiting on a silent server.
tls_server "$W/tls/server.crt" "$W/tls/server.key"
SPID=$TLS_PID
SPORT=$TLS_PORT
PIDS+=("$SPID")
conf "$W/c" "$SPORT" starttls
printf 'Subject: x\n\nx\n' >"$W/msg"
(ulimit -c unlimited; exec "$PM" -C "$W/c" a@x.test <"$W/msg") >/dev/null 2>&1 &
PMPID=$!
sleep 1
t_grep "core file size 0 while the password is in memory" \
    "Max core file size        0                    0" "/proc/$PMPID/limits"
stop_pid "$PMPID"
stop_pid "$SPID"

echo "# hostile input"
fake
conf "$W/c" "$FPORT" starttls
"$PM" -C "$W/c" a@x.test </dev/null 2>"$W/err"
t_eq "empty input: a correct (empty) message, exit 0" "$?" 0
head -c 3000000 /dev/zero | tr '\0' 'x' | "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "3 MB first line without a newline: the body, sent (exit 0)" "$?" 0
{ printf 'X-Long: '; head -c 3000000 /dev/zero | tr '\0' 'x'; printf '\n\nbody\n'; } |
    "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "a 3 MB header field: exit 65" "$?" 65
t_grep "clear error" "longer than" "$W/err"
{ for i in $(seq 1 20000); do printf 'X-Header-%d: value\n' "$i"; done; printf '\nbody\n'; } |
    "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "20,000 header lines: sent, exit 0" "$?" 0
{ printf 'Subject: '; head -c 2000 /dev/zero | tr '\0' 'z'; printf '\n\nbody\n'; } |
    "$PM" -C "$W/c" a@x.test 2>"$W/err"
t_eq "header line over 998 octets: sent, exit 0" "$?" 0
printf 'From: \xff\xfe <bad@x.test>\nSubject: \xc3\x28 invalid UTF-8\n\nx\n' |
    "$PM" -C "$W/c" -F $'\xff\xfe name' a@x.test 2>"$W/err"
t_eq "invalid UTF-8 in headers and -F: sent, exit 0" "$?" 0
printf 'Subject: x\n\nx\n' | "$PM" -C "$W/c" 'bad address@x.test' 2>"$W/err"
t_eq "malformed address: refused (64 or 65)" "$(( $? == 64 || $? == 65 ))" 1
stop_pid "$FPID"
# Long lines against the real Postfix (the fake keeps 16 KB lines).
pf_start "$W/pf" || fail_setup "private Postfix did not start"
pf_write_conf "$W/pf.conf"
pf_clear
{ printf 'Subject: long body line\n\n'; head -c 3000000 /dev/zero | tr '\0' 'y'; printf '\nend\n'; } |
    "$PM" -C "$W/pf.conf" a@x.test 2>"$W/err"
t_eq "3 MB body line: accepted by Postfix, exit 0" "$?" 0
t_ok "delivered with all 3,000,000 bytes" pf_wait_mail 1 30
t_eq "every y arrived" "$(sed '1,/^$/d' "$(pf_last)" | tr -cd y | wc -c)" 3000000
fake
conf "$W/be" "$FPORT" starttls "to = ketoan@khachhang.vn" "allow_recipients = *@x.test"
make_pdf "$W/doc.pdf" "x"
chmod 644 "$W/doc.pdf"
DEVICE_URI=email:/default PRINTMAIL_CONFIG=$W/be "$BE" 1 u $'\xff\xfe\xc3\x28 title' 1 \
    $'email-subject=\xc3\x28\xff email-body=\xfe' "$W/doc.pdf" >"$W/err" 2>&1
t_eq "backend: invalid UTF-8 title and options: sent (0)" "$?" 0
stop_pid "$FPID"

t_summary
