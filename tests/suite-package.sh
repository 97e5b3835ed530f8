#!/usr/bin/env bash
# The Debian package, as an admin meets it: built with `make deb`,
# installed with dpkg on this (test) machine, the backend and PPD where CUPS
# finds them, /etc/printmail.conf created only when missing and never
# overwritten, man pages rendering without warnings; then purged, leaving
# the machine as it was.  Usage: tests/suite-package.sh printmail
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$HERE/lib/assert.sh"
. "$HERE/lib/postfix.sh"
. "$HERE/lib/cupsd.sh"

if [ "$(id -u)" != 0 ]; then
	echo "not ok - package tests need root (dpkg)"
	echo "0 passed, 1 failed"
	exit 1
fi
if dpkg-query -W -f='${Status}' printmail 2>/dev/null | grep -q installed; then
	echo "not ok - a printmail package is already installed here; not touching it"
	echo "0 passed, 1 failed"
	exit 1
fi
W=$(mktemp -d /tmp/printmail-pkg.XXXXXX)
chmod 755 "$W"
SAVED=
if [ -e /etc/printmail.conf ]; then
	SAVED=$W/saved.conf
	cp -p /etc/printmail.conf "$SAVED"
fi
cleanup() {
	cups_stop
	pf_stop
	dpkg --purge printmail >/dev/null 2>&1
	[ -n "$SAVED" ] && cp -p "$SAVED" /etc/printmail.conf
	rm -rf "$W"
}
trap cleanup EXIT

# The package is built as shipped: not with a sanitizer run's flags.
(cd "$ROOT" && env -u SANITIZER -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    -u CFLAGS make deb) >"$W/deb.log" 2>&1
t_eq "make deb builds a lintian-clean package" "$?" 0
DEB=$(ls "$ROOT"/build/deb/printmail_*_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
t_ok "the .deb is in build/deb/" test -f "$DEB"

echo "# install on a machine without /etc/printmail.conf"
rm -f /etc/printmail.conf
dpkg -i "$DEB" >"$W/dpkg.log" 2>&1
t_eq "dpkg -i succeeds" "$?" 0
t_eq "printmail in /usr/bin" "$(stat -c '%a %U' /usr/bin/printmail)" "755 root"
t_eq "backend 0700 root, so CUPS runs it as root" \
    "$(stat -c '%a %U' /usr/lib/cups/backend/email)" "700 root"
t_ok "PPD installed" test -f /usr/share/ppd/printmail/printmail.ppd
t_ok "example config in the docs" test -f /usr/share/doc/printmail/examples/printmail.conf
t_eq "a first /etc/printmail.conf: root, and the queue runner's group" \
    "$(stat -c '%a %U %G' /etc/printmail.conf)" "640 root printmail"
t_ok "the queue runner's user exists" getent passwd printmail
t_eq "the queue helper is setgid printmail" \
    "$(stat -c '%a %U %G' /usr/lib/printmail/printmail-enqueue)" "2755 root printmail"
t_eq "the spool belongs to the runner" \
    "$(stat -c '%a %U' /var/spool/printmail)" "751 printmail"
t_eq "tmp/: the helper's group may create, not list" \
    "$(stat -c '%a %G' /var/spool/printmail/tmp)" "1730 printmail"
t_eq "queue/: sticky, so the helper can remove only its caller's files" \
    "$(stat -c '%a %G' /var/spool/printmail/queue)" "1770 printmail"
t_eq "state/ and failed/: the runner only" \
    "$(stat -c '%a' /var/spool/printmail/state /var/spool/printmail/failed | sort -u)" "700"
t_eq "the provider limits: the senders' group only" \
    "$(stat -c '%a %U %G' /run/printmail)" "2770 root printmail"
t_eq "the OAuth sign-ins: root's, the senders' group may refresh" \
    "$(stat -c '%a %U %G' /var/lib/printmail/oauth)" "2770 root printmail"
for u in printmail-queue.service printmail-queue.path printmail-queue.timer \
    printmail-refresh.service printmail-refresh.timer; do
	t_ok "unit $u installed" test -f "/lib/systemd/system/$u"
done
t_grep "the path unit waits for the trigger" "PathChanged=/var/spool/printmail/trigger" \
    /lib/systemd/system/printmail-queue.path
t_grep "the runner runs as printmail" "User=printmail" \
    /lib/systemd/system/printmail-queue.service
t_grep "the runner may refresh tokens" "/var/lib/printmail/oauth" \
    /lib/systemd/system/printmail-queue.service
t_grep "the weekly refresh runs --refresh --all" "ExecStart=/usr/bin/printmail --refresh --all" \
    /lib/systemd/system/printmail-refresh.service
t_grep "weekly" "OnCalendar=weekly" /lib/systemd/system/printmail-refresh.timer

echo "# www-data queues through the installed helper; the runner delivers"
pf_start "$W/pf" || exit 1
cat >/etc/printmail.conf <<EOC
[default]
host = 127.0.0.1
port = $PF_PORT
tls_ca_file = $PF_CA
user = $PF_USER
password = $PF_PASS
from = $PF_USER
EOC
chown root:printmail /etc/printmail.conf
chmod 640 /etc/printmail.conf
printf 'Subject: via the package\n\nqueued\n' |
    setpriv --reuid=www-data --regid=www-data --clear-groups /usr/bin/printmail ketoan@khachhang.test
t_eq "www-data (cannot read the config): exit 0, queued" "$?" 0
t_eq "one message in /var/spool/printmail/queue" "$(ls /var/spool/printmail/queue | wc -l)" 1
setpriv --reuid=printmail --regid=printmail --clear-groups /usr/bin/printmail --flush
t_eq "the runner (as printmail) exits 0" "$?" 0
t_ok "delivered through the private Postfix" pf_wait_mail 1 30
t_eq "the queue is empty" "$(ls /var/spool/printmail/queue | wc -l)" 0
pf_stop
printmail --version >"$W/v" 2>&1
t_grep "printmail runs" "printmail 0.1.0" "$W/v"
for m in printmail.1 printmail.conf.5 printmail-backend.8; do
	sec=${m##*.}
	LC_ALL=C.UTF-8 man --warnings -l "/usr/share/man/man$sec/$m.gz" >/dev/null 2>"$W/manwarn"
	t_eq "man page $m renders without warnings" "$(wc -c <"$W/manwarn")" 0
done

echo "# an existing /etc/printmail.conf is never overwritten"
printf '# the admin wrote this\n[default]\nhost = h\nfrom = a@b.c\n' >/etc/printmail.conf
chmod 600 /etc/printmail.conf
sum=$(sha256sum </etc/printmail.conf)
dpkg -i "$DEB" >"$W/dpkg2.log" 2>&1
t_eq "reinstall succeeds" "$?" 0
t_eq "the admin's config is untouched" "$(sha256sum </etc/printmail.conf)" "$sum"

echo "# CUPS finds the backend and the PPD"
CONF=$W/printmail.conf
printf '[default]\nhost = 127.0.0.1\nfrom = a@b.c\n' >"$CONF"
cups_start "$W/cups" /usr/lib/cups/backend/email "$CONF" || exit 1
lpinfo -v >"$W/lpinfo-v" 2>&1
t_grep "lpinfo -v lists the backend" 'network email' "$W/lpinfo-v"
lpinfo -m >"$W/lpinfo-m" 2>&1
t_grep "lpinfo -m lists our PPD" "printmail/printmail.ppd" "$W/lpinfo-m"
t_grep "under its name" "Email (printmail), PDF attachment" "$W/lpinfo-m"
ppd=$(awk '/printmail\.ppd/ { print $1; exit }' "$W/lpinfo-m")
lpadmin -p viappd -E -v email:/default -m "$ppd" 2>"$W/err"
t_eq "lpadmin -m $ppd (the name lpinfo -m gives)" "$?" 0
cups_stop

echo "# purge"
dpkg --purge printmail >"$W/purge.log" 2>&1
t_eq "dpkg --purge succeeds" "$?" 0
t_ok "program gone" test ! -e /usr/bin/printmail
t_ok "backend gone" test ! -e /usr/lib/cups/backend/email
t_ok "config removed on purge" test ! -e /etc/printmail.conf
t_ok "the empty spool removed on purge" test ! -e /var/spool/printmail
t_ok "the OAuth sign-ins removed on purge" test ! -e /var/lib/printmail
t_ok "the helper's statoverride removed" \
    sh -c "! dpkg-statoverride --list /usr/lib/printmail/printmail-enqueue >/dev/null"

t_summary
