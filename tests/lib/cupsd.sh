# tests/lib/cupsd.sh: a private cupsd on loopback for the backend's tests:
# its own ServerRoot, ServerBin (the system's filters linked in, our
# backend installed as CUPS would, mode 0700 root), spool and logs; no
# authentication from localhost; short job retry interval.
#
# Source it, then:  cups_start DIR BACKEND PRINTMAIL_CONF   cups_stop
# Clients (lp, lpadmin, lpstat) reach it through CUPS_SERVER, exported.

cups_start() {
	CUPS_DIR=$1
	local backend=$2 conf=$3 d
	mkdir -p "$CUPS_DIR"/etc/ppd "$CUPS_DIR"/etc/ssl "$CUPS_DIR"/lib/backend \
	    "$CUPS_DIR"/lib/filter "$CUPS_DIR"/spool/tmp "$CUPS_DIR"/cache \
	    "$CUPS_DIR"/run "$CUPS_DIR"/log
	chmod 755 "$CUPS_DIR" "$CUPS_DIR"/lib "$CUPS_DIR"/lib/backend \
	    "$CUPS_DIR"/lib/filter
	# The system's filters and helpers, our backend.
	for f in /usr/lib/cups/filter/*; do
		ln -sf "$f" "$CUPS_DIR/lib/filter/"
	done
	for d in daemon cgi-bin notifier monitor driver; do
		[ -e "/usr/lib/cups/$d" ] && ln -sfn "/usr/lib/cups/$d" "$CUPS_DIR/lib/$d"
	done
	install -m 0700 -o root -g root "$backend" "$CUPS_DIR/lib/backend/email"
	CUPS_PORT=$(pf_free_port) || return 1
	cat >"$CUPS_DIR/etc/cups-files.conf" <<EOS
ServerRoot $CUPS_DIR/etc
ServerBin $CUPS_DIR/lib
DataDir /usr/share/cups
DocumentRoot /usr/share/cups/doc-root
RequestRoot $CUPS_DIR/spool
TempDir $CUPS_DIR/spool/tmp
CacheDir $CUPS_DIR/cache
StateDir $CUPS_DIR/run
ErrorLog $CUPS_DIR/log/error_log
AccessLog $CUPS_DIR/log/access_log
PageLog $CUPS_DIR/log/page_log
User lp
Group lp
SystemGroup root
FileDevice No
SetEnv PRINTMAIL_CONFIG $conf
EOS
	# The build tree's catalogue, for the backend's messages.
	[ -n "${PRINTMAIL_LOCALEDIR:-}" ] &&
	    echo "SetEnv PRINTMAIL_LOCALEDIR $PRINTMAIL_LOCALEDIR" \
	    >>"$CUPS_DIR/etc/cups-files.conf"
	cat >"$CUPS_DIR/etc/cupsd.conf" <<EOS
LogLevel debug
Listen 127.0.0.1:$CUPS_PORT
Browsing No
WebInterface ${CUPS_WEB:-No}
DefaultAuthType None
JobRetryInterval ${CUPS_RETRY_INTERVAL:-2}
JobRetryLimit 100
MaxJobs ${CUPS_MAXJOBS:-500}
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow localhost
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOS
	export CUPS_SERVER=127.0.0.1:$CUPS_PORT
	cupsd -f -c "$CUPS_DIR/etc/cupsd.conf" -s "$CUPS_DIR/etc/cups-files.conf" \
	    >"$CUPS_DIR/log/cupsd.out" 2>&1 &
	CUPS_PID=$!
	pf_wait_port "$CUPS_PORT" || { cat "$CUPS_DIR/log/cupsd.out" \
	    "$CUPS_DIR/log/error_log" >&2; return 1; }
}

# cups_stop: stops the cupsd started by cups_start, by its PID.
cups_stop() {
	stop_pid "${CUPS_PID:-}"
	CUPS_PID=
}

# cups_job_id OUTPUT_OF_LP: "request id is q-12 (1 file(s))" -> 12
cups_job_id() {
	sed -n 's/^request id is .*-\([0-9]*\) .*/\1/p' <<<"$1"
}

# cups_wait_job_gone QUEUE ID SECONDS: until the job is no longer pending.
cups_wait_job_gone() {
	local q=$1 id=$2 secs=${3:-30} i
	for i in $(seq 1 $((secs * 10))); do
		lpstat -o "$q" 2>/dev/null | grep -q -- "-$id " || return 0
		sleep 0.1
	done
	return 1
}

# cups_wait_printer_stopped QUEUE SECONDS
cups_wait_printer_stopped() {
	local q=$1 secs=${2:-30} i
	for i in $(seq 1 $((secs * 10))); do
		lpstat -p "$q" 2>/dev/null | grep -q "disabled" && return 0
		sleep 0.1
	done
	return 1
}
