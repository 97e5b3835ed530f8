#!/usr/bin/env bash
# The queue, end to end against the private Postfix (STARTTLS + AUTH):
# callers without the secrets (nobody, www-data) queue through the setgid
# helper; the runner, as the printmail user, delivers on one connection;
# the provider down, then up; a broken account held, then fixed; SIGKILL at
# every step of a commit and of a delivery; a full disk; the admin's
# commands.  Usage: tests/suite-queue.sh printmail
set -u
PM=$(realpath "$1")
BIN=$(dirname "$PM")
FAKE=$BIN/tests/fake_m365
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/queue.sh"

fail_setup() { echo "not ok - $1"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || fail_setup "queue tests need root (users, setgid helper, Postfix)"
for t in setpriv mount python3; do
	command -v "$t" >/dev/null || fail_setup "$t is missing: run packaging/install-deps"
done
for b in "$BIN/printmail-enqueue" "$BIN/tests/printmail-crash" \
    "$BIN/tests/printmail-enqueue-crash" "$FAKE"; do
	[ -x "$b" ] || fail_setup "$b not built"
done

W=$(mktemp -d /tmp/printmail-queue.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	mountpoint -q "$W/small" 2>/dev/null && umount "$W/small"
	pf_stop
	rm -rf "$W"
}
trap cleanup EXIT
q_user || fail_setup "cannot create the printmail user"

# The programs where every user can run them; the helper setgid.
mkdir -p "$W/bin" "$W/run" "$W/tmp"
chmod 755 "$W/bin"
chmod 1777 "$W/run" "$W/tmp"
install -m 0755 "$PM" "$W/bin/printmail"
install -m 0755 "$BIN/tests/printmail-crash" "$W/bin/printmail-crash"
q_install_helper "$BIN/printmail-enqueue" "$W/bin/printmail-enqueue"
q_install_helper "$BIN/tests/printmail-enqueue-crash" "$W/bin/printmail-enqueue-crash"

pf_start "$W/pf" || fail_setup "private Postfix did not start"
Q=$W/spool
q_make "$Q"
CONF=$W/printmail.conf
write_conf() { # PASSWORD: readable by root and the runner's group only
	cat >"$CONF" <<EOC
timeout = 10
host = 127.0.0.1
port = $PF_PORT
tls_ca_file = $PF_CA
user = $PF_USER
from = $PF_USER

[default]
password = $1

[fallback]
password = $1
delivery = fallback

[expire]
password = $1
queue_lifetime = 1s
EOC
	chown root:printmail "$CONF"
	chmod 640 "$CONF"
}
write_conf "$PF_PASS"
export PRINTMAIL_QUEUE_DIR=$Q PRINTMAIL_ENQUEUE=$W/bin/printmail-enqueue \
    PRINTMAIL_RUN_DIR=$W/run TMPDIR=$W/tmp

# as USER CMD...: runs CMD as USER (its own group only), as cron or PHP would.
as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"
}
msg() { printf 'From: App <app@server.local>\nTo: %s\nSubject: %s\n\nbody of %s\n' "$1" "$2" "$2"; }
runner() { as printmail "$W/bin/printmail" -C "$CONF" --flush "$@"; }
queued() { as printmail find "$Q/queue" -type f | wc -l; }
failed() { as printmail find "$Q/failed" -type f | wc -l; }
auths() { pf_logins; }
authfails() { awk '/authentication failed/ { n++ } END { print n + 0 }' "$W/pf/maillog" 2>/dev/null; }
listing() { "$W/bin/printmail" -C "$CONF" --queue >"$W/list" 2>&1; }

# status: printmail --status [--json] as root; sets ST (exit) and files.
status() {
	"$W/bin/printmail" -C "$CONF" --status >"$W/status" 2>&1
	ST=$?
	"$W/bin/printmail" -C "$CONF" --status --json >"$W/status.json" 2>&1
}
status
t_eq "--status, all well: exit 0" "$ST" 0
t_grep "--status names each account's server" "[default] ok  127.0.0.1:$PF_PORT starttls, auth password" "$W/status"
t_grep "... and its queue" "0 queued, 0 deferred, 0 held, 0 failed" "$W/status"
t_ok "--status --json parses" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["level"] == 0' "$W/status.json"

echo "# callers without the secrets queue through the setgid helper"
for u in www-data nobody; do
	msg "ketoan@khachhang.test" "from $u" | as "$u" "$W/bin/printmail" -C "$CONF" -t -i
	t_eq "$u: printmail exits 0 (queued)" "$?" 0
	t_ok "$u cannot read the config (the app password)" \
	    sh -c "! setpriv --reuid=$u --regid=$(id -g "$u") --clear-groups cat '$CONF' >/dev/null 2>&1"
done
t_eq "two messages in the queue" "$(queued)" 2
t_eq "nothing sent yet" "$(pf_count)" 0
f=$(as printmail find "$Q/queue" -type f -user www-data | head -n 1)
t_ok "www-data's message belongs to www-data" test -n "$f"
t_eq "mode 640, group printmail" "$(stat -c '%a %G' "$f")" "640 printmail"
t_ok "nobody cannot read www-data's queued message" \
    sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups cat '$f' >/dev/null 2>&1"
t_ok "nobody cannot list the queue" \
    sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups ls '$Q/queue' >/dev/null 2>&1"
t_ok "nobody cannot delete it" \
    sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups rm -f '$f' 2>/dev/null; test -e '$f'"
t_ok "the caller cannot point the helper elsewhere" \
    sh -c "mkdir -p '$W/evil/tmp' '$W/evil/queue' && chmod -R 777 '$W/evil' &&
        msg() { printf 'Subject: x\n\nx\n'; }; msg | setpriv --reuid=nobody --regid=nogroup --clear-groups \
        env PRINTMAIL_QUEUE_DIR='$W/evil' '$W/bin/printmail' -C '$CONF' a@b.test 2>/dev/null;
        test -z \"\$(ls '$W/evil/queue')\""
listing
t_grep "the listing shows www-data's message" "ketoan@khachhang.test queued" "$W/list"
msg "x@khachhang.test" "inject" | as nobody "$W/bin/printmail" -C "$CONF" -t \
    -f $'a@b.test\nrcpt evil@attacker.test' 2>"$W/err"
t_eq "a line break in -f: refused (64), nothing queued" "$?" 64
t_eq "still two in the queue" "$(queued)" 2

echo "# the runner delivers them all on one connection"
for i in $(seq 1 20); do
	msg "khach$i@khachhang.test" "batch $i" | as nobody "$W/bin/printmail" -C "$CONF" -t
done
t_eq "22 queued" "$(queued)" 22
a0=$(auths)
runner
t_eq "the runner exits 0" "$?" 0
t_ok "22 delivered" pf_wait_mail 22 30
t_eq "queue empty" "$(queued)" 0
t_eq "one AUTH for 22 messages" "$(( $(auths) - a0 ))" 1
sleep 1
t_eq "each delivered once" "$(pf_count)" 22
for i in 1 7 20; do
	t_ok "batch $i arrived" grep -q "to=khach$i@khachhang.test" "$PF_MAIL"/*.env
done
t_ok "From rewritten to the mailbox by the runner" \
    grep -q "^From: App <$PF_USER>" "$(ls "$PF_MAIL"/*.eml | head -n 1)"
t_ok "the app kept as Reply-To" \
    grep -q "^Reply-To: App <app@server.local>" "$(ls "$PF_MAIL"/*.eml | head -n 1)"

status
t_grep "--status: the runner's last success" "  last    sent 20" "$W/status"

echo "# the provider down for two runs, then up: delivered once each"
pf_stop
pf_clear
for i in 1 2 3; do
	msg "down$i@khachhang.test" "down $i" | as nobody "$W/bin/printmail" -C "$CONF" -t
done
runner
t_eq "runner exits 0 while the provider is down" "$?" 0
as printmail cat "$Q/state/account.default" >"$W/cond" 2>/dev/null
t_grep "the account is paused" "kind paused" "$W/cond"
since=$(grep '^since' "$W/cond")
runner
as printmail cat "$Q/state/account.default" >"$W/cond" 2>/dev/null
t_grep "a second run inside the pause does not try again" "$since" "$W/cond"
listing
t_grep "listed as deferred with the reason" "deferred attempts=0" "$W/list"
t_grep "the reason says the server cannot be reached" "cannot connect" "$W/list"
t_eq "3 still queued" "$(queued)" 3
pf_restart
"$W/bin/printmail" -C "$CONF" --retry all
t_eq "--retry all exits 0" "$?" 0
runner
t_ok "delivered after the provider is back" pf_wait_mail 3 30
sleep 1
t_eq "each once" "$(pf_count)" 3
t_eq "queue empty" "$(queued)" 0

echo "# a broken account holds the queue: nothing bounced, no login hammering"
write_conf "not the app password"
pf_clear
for i in 1 2 3 4; do
	msg "held$i@khachhang.test" "held $i" | as nobody "$W/bin/printmail" -C "$CONF" -t
done
f0=$(authfails)
runner
t_eq "runner exits 0" "$?" 0
t_eq "one failed login" "$(( $(authfails) - f0 ))" 1
listing
t_grep "listed as held" "held attempts=0" "$W/list"
t_grep "with the server's reply" "535" "$W/list"
t_eq "nothing failed or bounced" "$(failed)" 0
runner
runner
t_eq "later runs do not log in again (probe every 30 min)" "$(( $(authfails) - f0 ))" 1
status
t_eq "--status with a held account: exit 2 (failing)" "$ST" 2
t_grep "--status shows the hold and the server's reply" "account HELD since" "$W/status"
t_grep "... and the waiting mail" "4 held" "$W/status"
t_grep "... and the last failure" "; failed 20" "$W/status"
t_ok "--status --json: the account failing, its messages counted" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
a = [x for x in d["accounts"] if x["account"] == "default"][0]
assert d["level"] == 2 and a["condition"] == "held" and a["queue"]["held"] == 4, d' "$W/status.json"
t_nogrep "--status never shows the password" "not the app password" "$W/status"
t_nogrep "--status --json never shows it either" "not the app password" "$W/status.json"
"$W/bin/printmail" -C "$CONF" --queue --json >"$W/json"
t_ok "--queue --json: one JSON object per line" \
    python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$W/json"
t_ok "--queue --json: held, with the reply" \
    python3 -c 'import json,sys; o=[json.loads(l) for l in open(sys.argv[1])]; assert all(x["state"]=="held" and "535" in x["reply"] for x in o), o' "$W/json"
t_nogrep "the listing never holds the password" "not the app password" "$W/json"
t_nogrep "... nor the real one" "$PF_PASS" "$W/json"
write_conf "$PF_PASS"
runner
t_ok "fixed config: all delivered at once" pf_wait_mail 4 30
sleep 1
t_eq "each once" "$(pf_count)" 4

echo "# direct sending shares the hold: no login hammering from Postfix's pipe either"
write_conf "not the app password"
f0=$(authfails)
msg "d1@khachhang.test" "direct 1" | "$W/bin/printmail" -C "$CONF" -t 2>"$W/err"
t_eq "direct, wrong password: 75 (deferred)" "$?" 75
msg "d2@khachhang.test" "direct 2" | "$W/bin/printmail" -C "$CONF" -t 2>"$W/err"
t_eq "again: 75" "$?" 75
t_grep "says the account is held, and how it ends" "is held after a failure" "$W/err"
t_eq "only the first one logged in" "$(( $(authfails) - f0 ))" 1
"$W/bin/printmail" -C "$CONF" --check >"$W/check" 2>&1
t_grep "--check shows the hold" "hold  account held since" "$W/check"
t_eq "--check still tries (it is the admin asking)" "$(( $(authfails) - f0 ))" 2
write_conf "$PF_PASS"
pf_clear
msg "d3@khachhang.test" "direct 3" | "$W/bin/printmail" -C "$CONF" -t 2>"$W/err"
t_eq "the config fixed: sent at once" "$?" 0
t_ok "delivered" pf_wait_mail 1 30
t_ok "the hold is lifted" test ! -e "$Q/state/account.default"

echo "# -odq, -odb and delivery = fallback, with a readable config"
pf_clear
msg "odq@khachhang.test" "odq" | "$W/bin/printmail" -C "$CONF" -odq -t
t_eq "-odq exits 0" "$?" 0
sleep 1
t_eq "-odq: not sent yet" "$(pf_count)" 0
t_eq "-odq: queued" "$(queued)" 1
msg "odb@khachhang.test" "odb" | "$W/bin/printmail" -C "$CONF" -odb -t
t_eq "-odb exits 0" "$?" 0
t_ok "-odb: both delivered by the background run" pf_wait_mail 2 30
pf_stop
pf_clear
msg "fb@khachhang.test" "fallback" | "$W/bin/printmail" -C "$CONF" -a fallback -t 2>"$W/err"
t_eq "fallback, provider down: exit 0 (queued)" "$?" 0
t_eq "fallback: queued" "$(queued)" 1
pf_restart
"$W/bin/printmail" -C "$CONF" --retry all
runner
t_ok "fallback: delivered later" pf_wait_mail 1 30

echo "# admin commands: hold, release, delete"
pf_clear
msg "h@khachhang.test" "hold me" | "$W/bin/printmail" -C "$CONF" -odq -t
msg "d@khachhang.test" "delete me" | "$W/bin/printmail" -C "$CONF" -odq -t
listing
idh=$(grep 'h@khachhang.test' "$W/list" | cut -d' ' -f1)
idd=$(grep 'd@khachhang.test' "$W/list" | cut -d' ' -f1)
"$W/bin/printmail" -C "$CONF" --hold "$idh"
t_eq "--hold exits 0" "$?" 0
"$W/bin/printmail" -C "$CONF" --delete "$idd"
t_eq "--delete exits 0" "$?" 0
runner
sleep 1
t_eq "a held message is not sent; a deleted one is gone" "$(pf_count)" 0
t_eq "one left" "$(queued)" 1
"$W/bin/printmail" -C "$CONF" --release "$idh"
runner
t_ok "released: delivered" pf_wait_mail 1 30
"$W/bin/printmail" -C "$CONF" --delete 20990101000000-0000000000000000 2>"$W/err"
t_ok "an unknown id: an error" test "$?" -ne 0

echo "# queue_lifetime: a message that waited too long fails, listed, not bounced"
pf_clear
msg "old@khachhang.test" "too old" | "$W/bin/printmail" -C "$CONF" -a expire -odq -t
sleep 2
runner
t_eq "not delivered" "$(pf_count)" 0
t_eq "in failed/" "$(failed)" 1
listing
t_grep "listed as failed with the reason" "queue_lifetime" "$W/list"
status
t_eq "--status with failed mail: exit 2" "$ST" 2
t_grep "--status counts it" "1 failed" "$W/status"

idf=$(grep 'old@khachhang.test' "$W/list" | cut -d' ' -f1)
"$W/bin/printmail" -C "$CONF" --retry "$idf"
t_eq "--retry of a failed message exits 0" "$?" 0
t_eq "... it is back in the queue" "$(queued) $(failed)" "1 0"
"$W/bin/printmail" -C "$CONF" --delete "$idf"
t_eq "... and can be deleted from there" "$(queued)" 0

echo "# mailq is the listing; -odb from a caller who cannot read the config"
ln -sf printmail "$W/bin/mailq"
msg "m@khachhang.test" "mailq" | "$W/bin/printmail" -C "$CONF" -odq -t
"$W/bin/mailq" -C "$CONF" >"$W/mailq" 2>&1
t_eq "mailq exits 0" "$?" 0
t_grep "mailq lists the queue" "m@khachhang.test" "$W/mailq"
n0=$(queued)
msg "b@khachhang.test" "odb as www-data" | as www-data "$W/bin/printmail" -C "$CONF" -odb -t 2>"$W/err"
t_eq "-odb as www-data (config unreadable): exit 0, queued" "$? $(queued)" "0 $((n0 + 1))"
runner
t_ok "... and the runner delivers it" pf_wait_mail 2 30

echo "# a message the server refuses (5xx) fails alone; the rest go"
pf_make_ca "$W/ftls" "queue fake"
chmod 644 "$W"/ftls/*
rm -f "$W/fport"
mkdir -p "$W/fmail"
"$FAKE" -c "$W/ftls/server.crt" -k "$W/ftls/server.key" -p "$W/fport" \
    -P "$PF_PASS" -D "$W/fmail" -d "554 5.6.0 content refused" &
FPID=$!
PIDS+=("$FPID")
for i in $(seq 1 100); do [ -s "$W/fport" ] && break; sleep 0.05; done
cat >>"$CONF" <<EOC

[refuse]
host = 127.0.0.1
port = $(cat "$W/fport")
tls_ca_file = $W/ftls/ca.crt
user = hoadon@congty.com
password = $PF_PASS
from = hoadon@congty.com
EOC
msg "r@khachhang.test" "refused" | "$W/bin/printmail" -C "$CONF" -a refuse -odq -t
n0=$(failed)
runner
t_eq "the refused message is in failed/" "$(failed)" $((n0 + 1))
listing
t_grep "listed with the server's reply" "554 5.6.0 content refused" "$W/list"
kill "$FPID"; wait "$FPID" 2>/dev/null

echo "# SIGKILL at every step of a commit: nothing half, nothing lost"
pf_clear
as printmail sh -c "rm -f '$Q'/failed/* '$Q'/state/*"
complete=0
for p in commit-open commit-write commit-fsync commit-link commit-fsync-dir \
    commit-unlink commit-done; do
	before=$(queued)
	msg "crash-$p@khachhang.test" "crash $p" | as nobody env \
	    PRINTMAIL_ENQUEUE="$W/bin/printmail-enqueue-crash" \
	    PRINTMAIL_TEST_CRASH="$p" "$W/bin/printmail" -C "$CONF" -t 2>/dev/null
	rc=$?
	t_ok "killed at $p: the caller is told it failed (exit $rc)" test "$rc" -ne 0
	after=$(queued)
	case $p in
	commit-open|commit-write|commit-fsync|commit-link)
		t_eq "killed at $p: nothing queued" "$after" "$before" ;;
	*)
		t_eq "killed at $p: one complete message queued" "$after" "$((before + 1))"
		complete=$((complete + 1)) ;;
	esac
done
listing
t_nogrep "no damaged queue file" "damaged" "$W/list"
runner
t_ok "the committed ones are delivered" pf_wait_mail "$complete" 30
sleep 1
t_eq "exactly those, once each" "$(pf_count)" "$complete"
t_eq "queue empty" "$(queued)" 0

echo "# SIGKILL the runner at every step of a delivery"
for p in send-before-inflight send-before-dot send-after-250 remove-unlink \
    remove-fsync-dir; do
	pf_clear
	msg "run-$p@khachhang.test" "run $p" | "$W/bin/printmail" -C "$CONF" -odq -t
	as printmail env PRINTMAIL_TEST_CRASH="$p" "$W/bin/printmail-crash" \
	    -C "$CONF" --flush 2>/dev/null
	t_ok "runner killed at $p" test "$?" -eq 137
	listing
	case $p in
	send-after-250|remove-unlink)
		t_grep "killed at $p: listed as possibly sent" "uncertain" "$W/list" ;;
	esac
	runner
	sleep 1
	n=$(pf_count)
	case $p in
	send-before-inflight|send-before-dot|remove-fsync-dir)
		t_eq "killed at $p: delivered exactly once" "$n" 1 ;;
	*)
		t_eq "killed at $p: the one in flight came twice (flagged)" "$n" 2 ;;
	esac
	t_eq "killed at $p: queue empty after the next run" "$(queued)" 0
done

echo "# a full disk: a message that does not fit is refused, nothing left"
mkdir -p "$W/small"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$W/small" || fail_setup "cannot mount a small tmpfs"
q_make "$W/small/spool"
head -c 3000000 /dev/urandom | base64 -w 76 >"$W/big.txt"
{ printf 'Subject: big\n\n'; cat "$W/big.txt"; } | as nobody env \
    PRINTMAIL_QUEUE_DIR="$W/small/spool" "$W/bin/printmail" -C "$CONF" x@khachhang.test 2>"$W/err"
t_eq "too big for the disk: exit 75" "$?" 75
t_grep "says there is no room" "no room" "$W/err"
t_eq "nothing left in tmp/" "$(ls -A "$W/small/spool/tmp" | wc -l)" 0
t_eq "nothing in queue/" "$(ls -A "$W/small/spool/queue" | wc -l)" 0
msg "small@khachhang.test" "small" | as nobody env PRINTMAIL_QUEUE_DIR="$W/small/spool" \
    "$W/bin/printmail" -C "$CONF" -t
t_eq "a small message still queues" "$?" 0
t_eq "and is there" "$(ls -A "$W/small/spool/queue" | wc -l)" 1
umount "$W/small"

echo "# max_connections holds across the runner, direct senders and the backend"
. "$HERE/lib/pdf.sh"
# Postfix counts loopback too, and says 421 past two sessions at once.
postconf -c "$W/pf/etc" -e smtpd_client_connection_count_limit=2 \
    smtpd_client_event_limit_exceptions= >/dev/null
postfix -c "$W/pf/etc" reload >/dev/null 2>&1
sleep 1
cat >>"$CONF" <<EOC

[limited]
password = $PF_PASS
max_connections = 2
to = ketoan@khachhang.test
EOC
make_pdf "$W/lim.pdf" "Limited"
chmod 644 "$W/lim.pdf"
pf_clear
for i in 1 2 3 4 5 6; do
	msg "q$i@khachhang.test" "queued $i" | "$W/bin/printmail" -C "$CONF" -a limited -odq -t
done
n0=$(wc -l <"$W/pf/maillog")
pids=()
runner -a limited >/dev/null 2>&1 &
pids+=($!)
for i in 1 2 3 4 5 6; do
	msg "d$i@khachhang.test" "direct $i" | "$W/bin/printmail" -C "$CONF" -a limited -odi -v -t 2>"$W/lim.err.$i" &
	pids+=($!)
done
for i in 1 2 3 4; do
	env -i PATH=/usr/bin:/bin DEVICE_URI=email:/limited PRINTER=limited \
	    PRINTMAIL_CONFIG="$CONF" PRINTMAIL_RUN_DIR="$W/run" TMPDIR="$W/tmp" \
	    "$BIN/email" "$((100 + i))" lan "Print $i" 1 "" "$W/lim.pdf" 2>"$W/lim.be.$i" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
t_eq "runner, 6 direct senders and 4 print jobs at once: all exit 0" "$fails" 0
t_ok "all 16 messages delivered" pf_wait_mail 16 120
sleep 1
t_eq "Postfix never saw a third session (no 421 too many connections)" \
    "$(tail -n +$((n0 + 1)) "$W/pf/maillog" | grep -c 'too many connections')" 0
t_ok "the limit was reached: some waited for a slot" \
    test "$(cat "$W"/lim.err.* "$W"/lim.be.* | grep -c 'waiting: ')" -ge 1
postconf -c "$W/pf/etc" -e smtpd_client_connection_count_limit=50 \
    "smtpd_client_event_limit_exceptions=\$mynetworks" >/dev/null
postfix -c "$W/pf/etc" reload >/dev/null 2>&1

echo "# local users' mail (cron's root, CUPS's admin@localhost) goes to admin_address"
pf_clear
msg root "cron without MAILTO" | "$W/bin/printmail" -C "$CONF" root 2>"$W/local.err"
t_eq "no admin_address: a direct send to root is refused (64)" "$?" 64
t_grep "... naming the key that fixes it" "set admin_address =" "$W/local.err"
sed -i '1i admin_address = postmaster@congty.test' "$CONF"
msg root "cron without MAILTO" | "$W/bin/printmail" -C "$CONF" root 2>"$W/local.err"
t_eq "with admin_address: sent (0)" "$?" 0
# to_admin: waits (30 s at most) for deliveries to postmaster@congty.test;
# prints how many (deliveries of the load above may still arrive).
to_admin() {
	local i
	for i in $(seq 1 300); do
		cat "$PF_MAIL"/*.env 2>/dev/null | grep -qx 'to=postmaster@congty.test' && break
		sleep 0.1
	done
	sleep 0.5
	cat "$PF_MAIL"/*.env 2>/dev/null | grep -cx 'to=postmaster@congty.test'
}
t_eq "delivered to admin_address" "$(to_admin)" 1
pf_clear
msg admin@localhost "printer stopped" | as lp "$W/bin/printmail" -C "$CONF" \
    admin@localhost "root@$(hostname)" root
t_eq "lp (no config access), three local names: queued (0)" "$?" 0
runner
t_eq "the runner maps them: one delivery, to admin_address" "$(to_admin)" 1
t_eq "... and none to a local name" "$(cat "$PF_MAIL"/*.env | grep -c '^to=\(root\|admin@localhost\|root@'"$(hostname)"'\)$')" 0
sed -i '1s/.*/admin_address = not an address/' "$CONF"
"$W/bin/printmail" -C "$CONF" --check >"$W/local.check" 2>&1
t_eq "a malformed admin_address is a config error (78)" "$?" 78
t_grep "... naming the key" "admin_address must be one full address" "$W/local.check"
sed -i '1d' "$CONF"

t_summary
