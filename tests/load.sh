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

t_summary
