#!/usr/bin/env bash
# README.md's recipes, verbatim, as an admin follows them on this machine:
# every fenced block after a "<!-- recipe: NAME -->" line is taken from
# the README at run time and run as the user it really runs as, once after
# installing the .deb and once after `make install`, against a private
# Postfix standing in for Microsoft 365 (and a second one as the site's
# mail server), a private cupsd and the machine's real queue.  The only
# changes to a recipe: the provider becomes the stand-in's host, port and
# CA file, and localhost in an ipp:// address gets the private cupsd's
# port.  If the README changes, this follows; if a recipe breaks, this
# fails.  Usage: tests/suite-readme.sh printmail
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
README=$ROOT/README.md
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"
. "$HERE/lib/mime.sh"
. "$HERE/lib/pdf.sh"

fail_early() {
	echo "not ok - $1"
	echo "0 passed, 1 failed"
	exit 1
}
[ "$(id -u)" = 0 ] || fail_early "the README's recipes install printmail: root only"
for tool in php swaks ipptool saslpasswd2 dpkg-deb; do
	command -v "$tool" >/dev/null ||
	    fail_early "$tool is missing: run packaging/install-deps"
done
if dpkg-query -W -f='${Status}' printmail 2>/dev/null | grep -q installed ||
    [ -e /usr/local/bin/printmail ]; then
	fail_early "printmail is already installed here; not touching it"
fi

# The installed programs' own paths, as on an admin's machine.
unset PRINTMAIL_CONFIG PRINTMAIL_QUEUE_DIR PRINTMAIL_RUN_DIR PRINTMAIL_PPD
W=$(mktemp -d /tmp/printmail-readme.XXXXXX)
chmod 755 "$W"
# What this suite may create on the machine, and must leave as it found.
FRESH=
for d in /var/spool/printmail /var/lib/printmail /run/printmail \
    /var/cache/printmail; do
	[ -e "$d" ] || FRESH="$FRESH $d"
done
SAVED=
if [ -e /etc/printmail.conf ]; then
	SAVED=$W/saved.conf
	cp -p /etc/printmail.conf "$SAVED"
fi
cleanup() {
	cups_stop
	pf_stop_relay
	pf_stop
	dpkg --purge printmail >/dev/null 2>&1
	[ -d "$W/src-make" ] && (cd "$W/src-make" && clean_env make uninstall) \
	    >/dev/null 2>&1
	rm -f /etc/printmail.conf
	[ -n "$SAVED" ] && cp -p "$SAVED" /etc/printmail.conf
	# shellcheck disable=SC2086
	[ -n "$FRESH" ] && rm -rf $FRESH
	rm -rf "$W"
}
trap cleanup EXIT

# clean_env CMD...: a make as an admin runs it, not with this run's flags.
clean_env() {
	env -u SANITIZER -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS \
	    -u LDFLAGS -u WERROR -u VALGRIND -u PRINTMAIL_CONFIG \
	    -u PRINTMAIL_QUEUE_DIR "$@"
}

# recipe NAME: the fenced block after "<!-- recipe: NAME -->", without
# the fences and the list item's indentation.
recipe() {
	awk -v name="$1" '
	    $0 ~ "<!-- recipe: " name " -->" { want = 1; ind = index($0, "<") - 1; next }
	    want == 1 && /^ *```/ { want = 2; next }
	    want == 2 && /^ *```/ { exit }
	    want == 2 { print substr($0, ind + 1) }' "$README"
}

# run_recipe NAME [SED]: the recipe as a root shell runs it (sudo is a
# no-op for root and need not be installed).  SED: the one substitution.
run_recipe() {
	local text
	text=$(recipe "$1")
	[ -n "${2:-}" ] && text=$(printf '%s\n' "$text" | sed "$2")
	printf '%s\n' "$text" >"$W/recipe.$1.sh"
	bash -c "sudo() { \"\$@\"; }; $text"
}

for r in install-deb install-make setup lpadmin-deb lpadmin-make lp status \
    php-ini crontab cron-runner master-deb master-make main-cf mailto-deb \
    mailto-make admin-address subscribe; do
	t_ok "README.md has the recipe $r" test -n "$(recipe "$r")"
done

# The stand-in for Microsoft 365 knows the README's mailbox and password.
pf_start "$W/provider" || fail_early "the private Postfix did not start"
printf '%s' abcdefghijklmnop | saslpasswd2 -p -c -f "$PF_DIR/sasl/sasldb2" \
    -u congty.com hoadon
chgrp postfix "$PF_DIR/sasl/sasldb2"
chmod 640 "$PF_DIR/sasl/sasldb2"
PROVIDER="s|--provider office365|--host 127.0.0.1 --port $PF_PORT --tls starttls --tls-ca-file $PF_CA|"

# site_relay DIR MASTER_RECIPE: the site's Postfix, its main.cf and
# master.cf ending in the README's lines.
site_relay() {
	pf_relay_up "$1" "queue_run_delay = 300s
$(recipe main-cf)" "$(recipe "$2")"
}

# run_cron_runner: the runner as the README's cron line runs it: that
# user, that PATH, nothing else of this shell's environment.
run_cron_runner() {
	local path line user cmd
	path=$(recipe cron-runner | sed -n 's/^PATH=//p')
	line=$(recipe cron-runner | grep -Ev '^(#|PATH=|$)')
	user=$(printf '%s\n' "$line" | awk '{ print $6 }')
	cmd=$(printf '%s\n' "$line" | cut -d' ' -f7-)
	(cd / && env -i PATH="$path" setpriv --reuid="$user" --regid="$user" \
	    --init-groups /bin/sh -c "$cmd") >"$W/runner.out" 2>&1
}

# delivered_to ADDR: the newest delivered message for ADDR.
delivered_to() {
	grep -l "^to=$1\$" "$PF_MAIL"/*.env 2>/dev/null | sort | tail -n 1 |
	    sed 's/\.env$/.eml/'
}

# cron_message TO: what cron writes to its mailer for a job's output.
cron_message() {
	printf 'From: root (Cron Daemon)\nTo: %s\nSubject: Cron <root@server> /usr/local/bin/nightly-backup\n' "$1"
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n'
	printf 'Content-Transfer-Encoding: 8bit\nAuto-Submitted: auto-generated\n'
	printf 'X-Cron-Env: <SHELL=/bin/sh>\n\nbackup done: 42 files\n'
}

# exercise METHOD: the whole README once, installed by METHOD (deb|make).
exercise() {
	local m=$1 bin src n f mailto
	case $m in
	deb) bin=/usr/bin; helper=/usr/lib/printmail/printmail-enqueue ;;
	*) bin=/usr/local/bin; helper=/usr/local/lib/printmail/printmail-enqueue ;;
	esac
	echo "# install: the $m recipe, in a copy of the source tree"
	src=$W/src-$m
	mkdir -p "$src"
	(cd "$ROOT" && tar --exclude=./build --exclude=./.git -cf - .) |
	    tar -C "$src" -xf -
	rm -f /etc/printmail.conf
	(cd "$src" && clean_env bash -c "sudo() { \"\$@\"; }; $(recipe "install-$m")") \
	    >"$W/install-$m.log" 2>&1
	t_eq "$m: the install recipe succeeds" "$?" 0 ||
	    tail -n 20 "$W/install-$m.log"
	t_eq "$m: printmail in $bin" "$(stat -c '%a %U' "$bin/printmail")" "755 root"
	t_eq "$m: the queue helper setgid printmail" \
	    "$(stat -c '%a %U %G' "$helper")" "2755 root printmail"
	t_eq "$m: a first config, 640 root:printmail" \
	    "$(stat -c '%a %U %G' /etc/printmail.conf 2>&1)" "640 root printmail"
	t_eq "$m: the queue belongs to the runner" \
	    "$(stat -c '%a %U' /var/spool/printmail/queue 2>&1)" "1770 printmail"
	t_eq "$m: the backend 0700 root where CUPS looks" \
	    "$(stat -c '%a %U' /usr/lib/cups/backend/email)" "700 root"
	if [ "$m" = make ]; then
		t_grep "make: the runner's unit names /usr/local/bin" \
		    "ExecStart=/usr/local/bin/printmail --flush" \
		    /lib/systemd/system/printmail-queue.service
	fi

	echo "# $m: quick start 2, the account"
	run_recipe setup "$PROVIDER" >"$W/setup-$m.out" 2>&1
	t_eq "$m: --setup succeeds" "$?" 0 || cat "$W/setup-$m.out"
	t_grep "$m: the account is in /etc/printmail.conf" "user = hoadon@congty.com" \
	    /etc/printmail.conf
	t_eq "$m: still 640 root:printmail" \
	    "$(stat -c '%a %U %G' /etc/printmail.conf)" "640 root printmail"

	echo "# $m: quick start 3 and 4, a queue and a print"
	cups_start "$W/cups-$m" /usr/lib/cups/backend/email /etc/printmail.conf ||
	    return 1
	run_recipe "lpadmin-$m" >"$W/lpadmin-$m.out" 2>&1
	t_eq "$m: lpadmin recipe" "$?" 0 || cat "$W/lpadmin-$m.out"
	mkdir -p "$W/desk-$m"
	make_pdf "$W/desk-$m/invoice.pdf" "Hoa don GTGT 0001234"
	pf_clear
	(cd "$W/desk-$m" && run_recipe lp) >"$W/lp-$m.out" 2>&1
	t_eq "$m: lp recipe" "$?" 0 || cat "$W/lp-$m.out"
	t_ok "$m: the print is delivered" pf_wait_mail 1 60
	f=$(delivered_to ketoan@congty.com)
	t_ok "$m: to the account's to = ketoan@congty.com" test -n "$f"
	if [ -n "$f" ]; then
		mime_attachment "$f" "$W/got-$m.pdf"
		t_ok "$m: the PDF arrived intact" cmp -s "$W/desk-$m/invoice.pdf" "$W/got-$m.pdf"
		t_eq "$m: named after the document" "$(mime_filename "$f")" invoice.pdf
		t_eq "$m: the title is the subject" \
		    "$(mime_decode_words "$(mime_header "$f" Subject)")" \
		    "Hóa đơn GTGT số 0001234"
		t_grep "$m: sent as the mailbox" "hoadon@congty.com" <(mime_header "$f" From)
	fi

	echo "# $m: quick start 5, --status"
	run_recipe status >"$W/status-$m.out" 2>&1
	t_eq "$m: --status: all well (exit 0)" "$?" 0 || cat "$W/status-$m.out"
	t_grep "$m: --status names the queue" "Email-Invoices" "$W/status-$m.out"
	t_nogrep "$m: --status shows no password" "abcdefghijklmnop" "$W/status-$m.out"

	echo "# $m: PHP as www-data (php-fpm's empty environment), the cron runner"
	recipe php-ini >"$W/php-$m.ini"
	pf_clear
	(cd / && env -i setpriv --reuid=www-data --regid=www-data --init-groups \
	    /usr/bin/php -c "$W/php-$m.ini" -r '
	    $ok = mail("khachhang@example.test", "Hóa đơn tháng 11",
	        "Kính gửi Quý khách,\nHóa đơn đính kèm.",
	        "From: WordPress <wordpress@server.local>");
	    exit($ok ? 0 : 1);') >"$W/php-$m.out" 2>&1
	t_eq "$m: mail() returns true for www-data" "$?" 0 || cat "$W/php-$m.out"
	t_eq "$m: ... its message waits in the queue" \
	    "$(ls /var/spool/printmail/queue | wc -l)" 1
	run_cron_runner
	t_eq "$m: the cron line's runner exits 0" "$?" 0 || cat "$W/runner.out"
	t_ok "$m: PHP's mail delivered" pf_wait_mail 1 30
	f=$(delivered_to khachhang@example.test)
	t_ok "$m: to PHP's recipient" test -n "$f"
	[ -n "$f" ] && t_grep "$m: WordPress kept as Reply-To" "wordpress@server.local" \
	    <(mime_header "$f" Reply-To)
	t_eq "$m: the queue is empty" "$(ls /var/spool/printmail/queue | wc -l)" 0

	echo "# $m: scan-to-email and cron through the site's Postfix"
	printf '%s\n' abcdefghijklmnop | printmail_at "$bin" --setup --non-interactive \
	    --password-stdin -a scans --address hoadon@congty.com --host 127.0.0.1 \
	    --port "$PF_PORT" --tls starttls --tls-ca-file "$PF_CA" --no-check \
	    >"$W/scans-$m.out" 2>&1
	t_eq "$m: the scans account" "$?" 0 || cat "$W/scans-$m.out"
	site_relay "$W/relay-$m" "master-$m" || return 1
	pf_clear
	swaks --server 127.0.0.1 --port "$RL_PORT" --from scanner@printer.local \
	    --to ketoan@congty.com --h-Subject "Scan 0001" --body "scanned" \
	    >"$W/swaks-$m" 2>&1
	t_eq "$m: the scanner's mail accepted by the site's Postfix" "$?" 0
	t_ok "$m: delivered through the pipe as user printmail" pf_wait_mail 1 60
	t_grep "$m: the pipe ran printmail" "relay=printmail" "$RL_DIR/maillog"
	t_nogrep "$m: nothing deferred" "status=deferred" "$RL_DIR/maillog"
	mailto=$(recipe crontab | sed -n 's/^MAILTO=//p')
	t_eq "$m: the crontab mails a full address" "${mailto#*@}" congty.com
	pf_clear
	cron_message "$mailto" | MAIL_CONFIG=$RL_DIR/etc /usr/sbin/sendmail \
	    -FCronDaemon -i -B8BITMIME -oem "$mailto"
	t_eq "$m: cron's mailer line (Postfix's sendmail) accepts" "$?" 0
	t_ok "$m: cron's mail delivered through printmail" pf_wait_mail 1 60
	f=$(delivered_to "$mailto")
	t_ok "$m: to MAILTO" test -n "$f"
	[ -n "$f" ] && t_grep "$m: with the job's output" "backup done: 42 files" "$f"
	pf_stop_relay

	echo "# $m: CUPS notifications (mailto notifier as lp) through the queue"
	recipe "mailto-$m" >"$CUPS_DIR/etc/mailto.conf"
	# "this line before the first section of /etc/printmail.conf"
	sed -i "1i $(recipe admin-address)" /etc/printmail.conf
	t_eq "$m: admin_address keeps the config usable" \
	    "$(printmail_at "$bin" --check >/dev/null 2>&1; echo $?)" 0
	run_recipe subscribe "s|ipp://localhost/|ipp://127.0.0.1:$CUPS_PORT/|" \
	    >"$W/subscribe-$m.out" 2>&1
	t_eq "$m: the subscription recipe" "$?" 0 || cat "$W/subscribe-$m.out"
	pf_clear
	cupsdisable Email-Invoices
	for n in $(seq 1 100); do
		[ "$(ls /var/spool/printmail/queue | wc -l)" -gt 0 ] && break
		sleep 0.1
	done
	t_ok "$m: the notifier's mail is queued (lp cannot read the config)" \
	    test "$(ls /var/spool/printmail/queue | wc -l)" -gt 0 ||
	    grep -i 'mailto\|notif\|subscription' "$CUPS_DIR/log/error_log" | tail -n 30
	sleep 1
	run_cron_runner
	t_ok "$m: the notification delivered" pf_wait_mail 1 30
	f=$(delivered_to "$(recipe admin-address | sed 's/.*= *//')")
	t_ok "$m: to admin_address (the subscription's admin@localhost)" test -n "$f"
	if [ -n "$f" ]; then
		t_grep "$m: it says the printer changed" "Email-Invoices" "$f"
		t_ok "$m: no stray dot line at its end" \
		    sh -c "! sed '1,/^\r\?\$/d' '$f' | tr -d '\r' | grep -qx '\\.'"
	fi
	cups_stop
	CUPS_PID=
}

# printmail_at BINDIR ARGS: the installed program.
printmail_at() {
	local d=$1
	shift
	"$d/printmail" "$@"
}

exercise deb

echo "# deb: printmail-mta, the sendmail of a machine without an MTA"
MTA=$(ls "$W"/src-deb/build/deb/printmail-mta_*_all.deb 2>/dev/null | head -n 1)
t_ok "make deb also built printmail-mta" test -f "$MTA"
if [ -f "$MTA" ]; then
	dpkg-deb -f "$MTA" Provides Conflicts Replaces >"$W/mta.fields"
	t_grep "it provides mail-transport-agent" "Provides: mail-transport-agent" "$W/mta.fields"
	t_grep "... conflicts with the others" "Conflicts: mail-transport-agent" "$W/mta.fields"
	t_grep "... and replaces them" "Replaces: mail-transport-agent" "$W/mta.fields"
	mkdir -p "$W/mta/usr/bin"
	dpkg-deb -x "$MTA" "$W/mta"
	t_eq "its /usr/sbin/sendmail is printmail" \
	    "$(readlink "$W/mta/usr/sbin/sendmail")" "../bin/printmail"
	t_eq "its mailq is printmail" "$(readlink "$W/mta/usr/bin/mailq")" "printmail"
	# Its links, over the installed printmail: cron's mailer line run by
	# a user whose crontab says MAILTO (cannot read the config: queued).
	cp -p /usr/bin/printmail "$W/mta/usr/bin/printmail"
	chmod 755 "$W/mta" "$W/mta/usr" "$W/mta/usr/sbin" "$W/mta/usr/bin"
	mailto=$(recipe crontab | sed -n 's/^MAILTO=//p')
	pf_clear
	cron_message "$mailto" | (cd / && env -i setpriv --reuid=www-data \
	    --regid=www-data --init-groups "$W/mta/usr/sbin/sendmail" \
	    -FCronDaemon -i -B8BITMIME -oem "$mailto") >"$W/mta.out" 2>&1
	t_eq "a user's cron mail through its sendmail: accepted" "$?" 0 ||
	    cat "$W/mta.out"
	run_cron_runner
	t_ok "... and delivered by the runner" pf_wait_mail 1 30
	f=$(delivered_to "$mailto")
	t_ok "... to MAILTO" test -n "$f"
fi

echo "# deb: uninstall, then the same README after make install"
dpkg --purge printmail >"$W/purge.log" 2>&1
t_eq "dpkg --purge printmail" "$?" 0
exercise make
(cd "$W/src-make" && clean_env bash -c "sudo() { \"\$@\"; }; sudo make uninstall") \
    >"$W/uninstall.log" 2>&1
t_eq "sudo make uninstall" "$?" 0
t_ok "... removes the program" test ! -e /usr/local/bin/printmail
t_ok "... and the backend" test ! -e /usr/lib/cups/backend/email
t_grep "... and says what it keeps" "kept: /etc/printmail.conf" "$W/uninstall.log"

t_summary
