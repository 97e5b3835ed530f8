# tests/lib/postfix.sh: a private Postfix on loopback, the stand-in for
# Microsoft 365: STARTTLS required on the submission port, implicit TLS on a
# second port, AUTH PLAIN/LOGIN against a private Cyrus sasldb, certificates
# from a throwaway CA.  Every accepted message is delivered by a pipe
# transport into $PF_MAIL as NNN.eml with its envelope in NNN.env.
#
# Source it, then:  pf_start DIR   pf_stop   pf_wait_mail N [SECONDS]
# Needs root (Postfix's master runs as root and drops to "postfix").

PF_USER_LOCAL=hoadon
PF_DOMAIN=printmail.test
PF_USER="$PF_USER_LOCAL@$PF_DOMAIN"
# An app password with spaces, as Google shows them.
PF_PASS='abcd efgh ijkl mnop'

pf_free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$(( (RANDOM % 20000) + 20000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "no free port found" >&2
	return 1
}

# pf_make_ca DIR NAME: a CA and a server certificate for localhost,
# 127.0.0.1 and ::1, signed by it.
pf_make_ca() {
	local d=$1 name=$2
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$name CA" \
	    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
	    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" \
	    -CAkey "$d/ca.key" -CAcreateserial -days 30 -extfile "$d/ext" \
	    -out "$d/server.crt" 2>/dev/null
}

# pf_main_base DIR HOSTNAME: the main.cf lines every private instance
# shares: its own queue and log under DIR, loopback only, no local
# delivery.
pf_main_base() {
	cat <<EOS
compatibility_level = 3.6
queue_directory = $1/queue
data_directory = $1/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $2
mydestination =
inet_interfaces = loopback-only
inet_protocols = all
maillog_file = $1/maillog
maillog_file_prefixes = $1
alias_maps =
alias_database =
local_recipient_maps =
EOS
}

# The internal services every instance needs, for master.cf.
pf_services() {
	cat <<'EOS'
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
pickup    unix n - n 60 1 pickup
EOS
}

pf_start() {
	PF_DIR=$1
	mkdir -p "$PF_DIR"/etc "$PF_DIR"/queue "$PF_DIR"/data "$PF_DIR"/mail \
	    "$PF_DIR"/sasl
	chmod 755 "$PF_DIR"
	chown postfix "$PF_DIR"/data
	chown nobody:nogroup "$PF_DIR"/mail
	PF_MAIL=$PF_DIR/mail
	PF_PORT=$(pf_free_port) || return 1
	PF_TLS_PORT=$(pf_free_port) || return 1
	PF_CA=$PF_DIR/tls/ca.crt
	pf_make_ca "$PF_DIR/tls" "printmail test" || return 1
	chmod 644 "$PF_DIR"/tls/*

	cat >"$PF_DIR/capture.sh" <<EOS
#!/bin/sh
# Runs as nobody for every delivered recipient.
f=$PF_MAIL/\$(date +%s%N).\$\$
cat >"\$f.tmp" || exit 75
printf 'from=%s\nto=%s\n' "\$1" "\$2" >"\$f.env"
mv "\$f.tmp" "\$f.eml"
EOS
	chmod 755 "$PF_DIR/capture.sh"

	# Debian's Postfix reads \$config_directory/sasl/smtpd.conf.
	mkdir -p "$PF_DIR/etc/sasl"
	cat >"$PF_DIR/etc/sasl/smtpd.conf" <<EOS
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $PF_DIR/sasl/sasldb2
EOS
	printf '%s' "$PF_PASS" | saslpasswd2 -p -c -f "$PF_DIR/sasl/sasldb2" \
	    -u "$PF_DOMAIN" "$PF_USER_LOCAL" || return 1
	chgrp postfix "$PF_DIR/sasl/sasldb2"
	chmod 640 "$PF_DIR/sasl/sasldb2"

	local v6=""
	if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
		v6="[::1]:$PF_PORT inet n - n - - smtpd"
	fi
	cat >"$PF_DIR/etc/main.cf" <<EOS
$(pf_main_base "$PF_DIR" "mail.$PF_DOMAIN")
mydomain = $PF_DOMAIN
default_transport = capture
relay_transport = capture
capture_destination_recipient_limit = 1
message_size_limit = ${PF_SIZE_LIMIT:-60000000}
smtpd_tls_cert_file = $PF_DIR/tls/server.crt
smtpd_tls_key_file = $PF_DIR/tls/server.key
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtpd_sender_restrictions = reject_non_fqdn_sender
smtpd_tls_loglevel = 1
smtp_tls_security_level = none
EOS
	cat >"$PF_DIR/etc/master.cf" <<EOS
127.0.0.1:$PF_PORT inet n - n - - smtpd
$v6
127.0.0.1:$PF_TLS_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
$(pf_services)
capture   unix - n n - - pipe user=nobody argv=$PF_DIR/capture.sh \${sender} \${recipient}
EOS
	postfix -c "$PF_DIR/etc" check >"$PF_DIR/check.log" 2>&1 || {
		cat "$PF_DIR/check.log" >&2
		return 1
	}
	postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.log" 2>&1 || {
		cat "$PF_DIR/start.log" >&2
		return 1
	}
	PF_PID=$(tr -d ' ' <"$PF_DIR/queue/pid/master.pid")
	pf_wait_port "$PF_PORT" || return 1
	pf_wait_port "$PF_TLS_PORT"
}

# tls_server CERT KEY [OPTION...]: an openssl s_server that completes TLS
# and then says nothing, on a free loopback port; sets TLS_PORT, TLS_PID.
tls_server() {
	local cert=$1 key=$2
	shift 2
	TLS_PORT=$(pf_free_port) || return 1
	openssl s_server -quiet "$@" -accept "$TLS_PORT" -cert "$cert" \
	    -key "$key" </dev/null >/dev/null 2>&1 &
	TLS_PID=$!
	pf_wait_port "$TLS_PORT"
}

# pf_wait_port PORT: until something listens on 127.0.0.1:PORT (10 s).
pf_wait_port() {
	local i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "nothing listens on 127.0.0.1:$1" >&2
	return 1
}

# stop_pid PID: SIGTERM, up to 10 s for it to end, then SIGKILL; reaps
# it when it is this shell's child.  The one way the suites stop what
# they started, by its PID.
stop_pid() {
	local i
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# pf_stop_master CONFIG_DIR PID: stops a Postfix master by its PID.
pf_stop_master() {
	[ -n "$2" ] || return 0
	# postfix stop ends the master; SIGTERM when it cannot.
	postfix -c "$1" stop >/dev/null 2>&1
	stop_pid "$2"
}

# pf_stop: stops the master started by pf_start.
pf_stop() {
	[ -n "${PF_DIR:-}" ] || return 0
	pf_stop_master "$PF_DIR/etc" "${PF_PID:-}"
	PF_PID=
}

# pf_write_conf FILE [LINE...]: a printmail config (mode 600) whose
# [default] account submits to this Postfix with STARTTLS and AUTH.
pf_write_conf() {
	local f=$1 l
	shift
	(
		umask 077
		{
			echo "[default]"
			echo "host = 127.0.0.1"
			echo "port = $PF_PORT"
			echo "tls_ca_file = $PF_CA"
			echo "user = $PF_USER"
			echo "password = $PF_PASS"
			echo "from = $PF_USER"
			for l in "$@"; do echo "$l"; done
		} >"$f"
	)
}

# pf_restart: the same instance again (after pf_stop).
pf_restart() {
	postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.log" 2>&1 || return 1
	PF_PID=$(tr -d ' ' <"$PF_DIR/queue/pid/master.pid")
	pf_wait_port "$PF_PORT"
}

# pf_logins [LOG]: AUTH attempts the instance saw, from smtpd's
# disconnect lines ("auth=1", or "auth=0/1" for a failed one); smtpd logs
# sasl_method= once per message, so that counts messages, not logins.
pf_logins() {
	local log=${1:-$PF_DIR/maillog}
	sleep 0.5	# postlogd writes a moment later
	grep -o ' auth=[0-9/]*' "$log" 2>/dev/null |
	    awk -F'[=/]' '{ s += (NF == 3 ? $3 : $2) } END { print s + 0 }'
}

# pf_count: delivered messages so far.
pf_count() {
	find "$PF_MAIL" -name '*.eml' | wc -l
}

# pf_wait_mail N [SECONDS]: until at least N messages were delivered.
pf_wait_mail() {
	local want=$1 secs=${2:-30} i
	for i in $(seq 1 $((secs * 10))); do
		[ "$(pf_count)" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# pf_clear: forget delivered messages.
pf_clear() {
	rm -f "$PF_MAIL"/*
}

# pf_last: the newest delivered message file.
pf_last() {
	ls -t "$PF_MAIL"/*.eml 2>/dev/null | head -n 1
}

# pf_relay_up DIR MAIN MASTER: a second Postfix, the site's mail server:
# plain SMTP from loopback on $RL_PORT, its main.cf and master.cf ending
# in the lines MAIN and MASTER.  Sets RL_DIR, RL_PORT, RL_PID.
pf_relay_up() {
	RL_DIR=$1
	mkdir -p "$RL_DIR"/etc "$RL_DIR"/queue "$RL_DIR"/data
	chmod 755 "$RL_DIR"
	chown postfix "$RL_DIR"/data
	RL_PORT=$(pf_free_port) || return 1
	printf '%s\n%s\n' "$(pf_main_base "$RL_DIR" "relay.$PF_DOMAIN")" "$2" \
	    >"$RL_DIR/etc/main.cf"
	printf '%s\n%s\n%s\n' "127.0.0.1:$RL_PORT inet n - n - - smtpd" \
	    "$(pf_services)" "$3" >"$RL_DIR/etc/master.cf"
	postfix -c "$RL_DIR/etc" check >"$RL_DIR/check.log" 2>&1 &&
	    postfix -c "$RL_DIR/etc" start >"$RL_DIR/start.log" 2>&1 || {
		cat "$RL_DIR"/check.log "$RL_DIR"/start.log >&2
		return 1
	}
	RL_PID=$(tr -d ' ' <"$RL_DIR/queue/pid/master.pid")
	pf_wait_port "$RL_PORT"
}

# pf_start_relay DIR PRINTMAIL CONFIG ACCOUNT USER: the site's relay for
# scanners (old scanners cannot do TLS or AUTH), every message handed to
# printmail by a pipe transport running as USER, one recipient per call.
pf_start_relay() {
	local pm=$2 conf=$3 acct=$4 user=$5
	pf_relay_up "$1" "mynetworks = 127.0.0.0/8 [::1]/128
smtpd_relay_restrictions = permit_mynetworks, reject
default_transport = printmail
relay_transport = printmail
printmail_destination_recipient_limit = 1
queue_run_delay = 300s
minimal_backoff_time = 300s" \
	    "printmail unix - n n - - pipe user=$user argv=$pm -C $conf -a $acct -f \${sender} -- \${recipient}"
}

# pf_stop_relay: stops the relay started by pf_start_relay.
pf_stop_relay() {
	[ -n "${RL_DIR:-}" ] || return 0
	pf_stop_master "$RL_DIR/etc" "${RL_PID:-}"
	RL_PID=
}

# pf_relay_queued: messages waiting in the relay's queue.
pf_relay_queued() {
	find "$RL_DIR/queue/deferred" "$RL_DIR/queue/active" \
	    "$RL_DIR/queue/incoming" -type f 2>/dev/null | wc -l
}
