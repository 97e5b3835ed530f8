#!/usr/bin/env bash
# make load: 1,000 messages through printmail from 10 parallel senders, and
# 500 print jobs queued at once to 3 e-mail queues, against the private
# Postfix, which (like Microsoft 365) refuses more than 3 connections at
# once from one client; the account says max_connections = 3.  Every
# message and job must arrive exactly once: none lost, none duplicated, no
# sender refused.  Usage: tests/load.sh printmail [MESSAGES_PER_SENDER] [JOBS]
set -u
PM=$(realpath "$1")
BE=$(dirname "$PM")/email
PER=${2:-100}
JOBS=${3:-500}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"
. "$HERE/lib/mime.sh"
. "$HERE/lib/pdf.sh"

[ "$(id -u)" = 0 ] || { echo "not ok - load tests need root"; echo "0 passed, 1 failed"; exit 1; }
W=$(mktemp -d /tmp/printmail-load.XXXXXX)
chmod 755 "$W"
trap 'cups_stop; pf_stop; rm -rf "$W"' EXIT
# (The queue phase's killer loop ends by itself: bounded rounds.)
pf_start "$W/pf" || exit 1
postconf -c "$W/pf/etc" -e smtpd_client_connection_count_limit=3 \
    smtpd_client_event_limit_exceptions= default_process_limit=200
postfix -c "$W/pf/etc" reload >/dev/null 2>&1
sleep 1
export PRINTMAIL_RUN_DIR=$W/run
mkdir -p "$W/run"
chmod 1777 "$W/run"
CONF=$W/printmail.conf
pf_write_conf "$CONF" "to = ketoan@khachhang.test" "max_connections = 3" \
    "timeout = 60"

# delivered SUBJECT_PREFIX: how many distinct and how many in all.
count_subjects() {
	for f in "$PF_MAIL"/*.eml; do
		sed -n '/^$/q; s/^Subject: //p' "$f"
	done | grep "^$1" >"$W/subjects"
	echo "$(sort -u "$W/subjects" | wc -l) $(wc -l <"$W/subjects")"
}
wait_count() { # PREFIX N SECONDS
	local i
	for i in $(seq 1 "$3"); do
		[ "$(count_subjects "$1" | cut -d' ' -f2)" -ge "$2" ] && return 0
		sleep 1
	done
	return 1
}

TOTAL=$((10 * PER))
echo "# $TOTAL messages from 10 parallel senders (max_connections = 3)"
pf_clear
start=$(date +%s)
for s in $(seq 1 10); do
	(
		fails=0
		for i in $(seq 1 "$PER"); do
			printf 'Subject: load-%s-%s\n\nmessage %s of sender %s\n' "$s" "$i" "$i" "$s" |
			    "$PM" -C "$CONF" "rcpt$s@load.test" 2>>"$W/err.$s" ||
			    fails=$((fails + 1))
		done
		echo "$fails" >"$W/fails.$s"
	) &
done
wait
secs=$(( $(date +%s) - start ))
fails=$(cat "$W"/fails.* | awk '{s += $1} END {print s}')
t_eq "no sender refused or failed" "$fails" 0
t_ok "all $TOTAL delivered" wait_count load- "$TOTAL" 300
read -r distinct all <<<"$(count_subjects load-)"
t_eq "each exactly once: distinct" "$distinct" "$TOTAL"
t_eq "each exactly once: in all" "$all" "$TOTAL"
t_nogrep "the server never refused a connection" "too many connections" "$W/pf/maillog"
echo "# $TOTAL messages in ${secs} s"

echo "# $JOBS print jobs queued at once to 3 queues"
CUPS_MAXJOBS=0 cups_start "$W/cups" "$BE" "$CONF" || exit 1
for q in 1 2 3; do
	lpadmin -p "load$q" -E -v email:/default -P "$ROOT/packaging/printmail.ppd" 2>/dev/null
done
make_pdf "$W/doc.pdf" "load"
pf_clear
start=$(date +%s)
for j in $(seq 1 "$JOBS"); do
	lp -d "load$(( (j % 3) + 1 ))" -t "job-$j" <"$W/doc.pdf" >/dev/null 2>>"$W/lp.err" ||
	    echo "lp $j failed" >>"$W/lp.fail"
done
t_ok "lp queued all $JOBS jobs" test ! -e "$W/lp.fail"
t_ok "all $JOBS delivered" wait_count job- "$JOBS" 600
secs=$(( $(date +%s) - start ))
read -r distinct all <<<"$(count_subjects job-)"
t_eq "each job exactly once: distinct" "$distinct" "$JOBS"
t_eq "each job exactly once: in all" "$all" "$JOBS"
for q in 1 2 3; do
	t_eq "queue load$q empty" "$(lpstat -o "load$q" 2>/dev/null | wc -l)" 0
	lpstat -p "load$q" >"$W/st" 2>&1
	t_nogrep "queue load$q never stopped" "disabled" "$W/st"
done
t_nogrep "the server never refused a connection" "too many connections" "$W/pf/maillog"
echo "# $JOBS jobs in ${secs} s"

echo "# $TOTAL messages queued by 10 senders as nobody, the runner SIGKILLed at random"
. "$HERE/lib/queue.sh"
q_user || exit 1
mkdir -p "$W/bin"
chmod 755 "$W/bin"
install -m 0755 "$PM" "$W/bin/printmail"
q_install_helper "$(dirname "$PM")/printmail-enqueue" "$W/bin/printmail-enqueue"
q_make "$W/spool"
chown root:printmail "$CONF"
chmod 640 "$CONF"
export PRINTMAIL_QUEUE_DIR=$W/spool PRINTMAIL_ENQUEUE=$W/bin/printmail-enqueue
runner() { setpriv --reuid=printmail --regid=printmail --clear-groups \
    "$W/bin/printmail" -C "$CONF" --flush "$@"; }
pf_clear
: >"$W/kills"
logins0=$(pf_logins)
(
	# Bounded: at most 400 rounds, each killing the runner after a
	# random 0.05 to 0.34 s, mostly in the middle of its work.
	for k in $(seq 1 400); do
		[ -e "$W/senders-done" ] && [ -z "$(ls -A "$W/spool/queue")" ] &&
		    break
		# Not through a function: $! must be printmail itself.
		setpriv --reuid=printmail --regid=printmail --clear-groups \
		    "$W/bin/printmail" -C "$CONF" --flush 2>/dev/null &
		rp=$!
		sleep "0.$(( (RANDOM % 30) + 5 ))"
		kill -9 "$rp" 2>/dev/null && echo "$k" >>"$W/kills"
		wait "$rp" 2>/dev/null
	done
) &
KILLER=$!
start=$(date +%s)
for s in $(seq 1 10); do
	(
		fails=0
		for i in $(seq 1 "$PER"); do
			printf 'Subject: queued-%s-%s\n\nmessage %s of sender %s\n' "$s" "$i" "$i" "$s" |
			    setpriv --reuid=nobody --regid=nogroup --clear-groups \
			    "$W/bin/printmail" -C "$CONF" "rcpt$s@load.test" 2>>"$W/qerr.$s" ||
			    fails=$((fails + 1))
		done
		echo "$fails" >"$W/qfails.$s"
	) &
done
for s in $(seq 1 10); do
	while [ ! -e "$W/qfails.$s" ]; do sleep 0.2; done
done
touch "$W/senders-done"
wait "$KILLER"
commit_secs=$(( $(date +%s) - start ))
fails=$(cat "$W"/qfails.* | awk '{s += $1} END {print s}')
t_eq "every sender's message was queued (exit 0)" "$fails" 0
kills=$(wc -l <"$W/kills")
for i in $(seq 1 20); do
	runner
	[ -z "$(ls -A "$W/spool/queue")" ] && break
	"$W/bin/printmail" -C "$CONF" --retry all >/dev/null 2>&1
done
t_eq "the queue is empty after the runs" "$(ls -A "$W/spool/queue" | wc -l)" 0
t_ok "all $TOTAL delivered" wait_count queued- "$TOTAL" 120
sleep 2
read -r distinct all <<<"$(count_subjects queued-)"
t_eq "none lost: distinct" "$distinct" "$TOTAL"
dups=$((all - distinct))
t_ok "duplicates ($dups) only from runs killed in flight ($kills kills)" \
    test "$dups" -le "$kills"
t_eq "nothing failed" "$(ls -A "$W/spool/failed" | wc -l)" 0
logins=$(( $(pf_logins) - logins0 ))
t_ok "the runner was killed at work at least 5 times ($kills)" test "$kills" -ge 5
echo "# $TOTAL queued by 10 senders, delivered in ${commit_secs} s with $kills runner kills: $dups duplicates, $logins logins"

t_summary
