# tests/lib/queue.sh: printmail's queue as the package lays it out, in a
# test directory: the printmail user and group, the spool with its modes,
# the setgid helper.  Needs root.
#
# Source it, then:  q_user   q_make SPOOL   q_install_helper SRC DEST

# q_user: the printmail system user and group, as the package creates them.
q_user() {
	getent group printmail >/dev/null ||
	    groupadd --system printmail || return 1
	getent passwd printmail >/dev/null ||
	    useradd --system --gid printmail --no-create-home \
	    --home-dir /nonexistent --shell /usr/sbin/nologin printmail
}

# q_make SPOOL: the queue directories (see common/queue.h), owned by the
# runner's user; the group (the setgid helper) may create in tmp/ and
# queue/ and touch the trigger, nobody else may do anything.  Sticky: the
# helper can remove only its caller's files, the runner any.
q_make() {
	local d=$1
	mkdir -p "$d/tmp" "$d/queue" "$d/state" "$d/failed" || return 1
	: >"$d/trigger"
	chown -R printmail:printmail "$d"
	chmod 0751 "$d"
	chmod 1730 "$d/tmp"
	chmod 1770 "$d/queue"
	chmod 0700 "$d/state" "$d/failed"
	chmod 0620 "$d/trigger"
}

# q_install_helper SRC DEST: the helper setgid printmail, as installed.
q_install_helper() {
	install -m 2755 -o root -g printmail "$1" "$2"
}
