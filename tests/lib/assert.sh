# tests/lib/assert.sh: tiny TAP-like assertions for the shell suites.
# Every check prints "ok - ..." or "not ok - ..." and returns non-zero on
# "not ok" (so "t_ok ... || show_log" works); t_summary prints the
# closing "N passed, N failed" line and returns non-zero on any failure.

T_PASS=0
T_FAIL=0

# t_ok DESCRIPTION COMMAND...: passes when the command succeeds.
t_ok() {
	local d=$1
	shift
	if "$@"; then
		T_PASS=$((T_PASS + 1))
		echo "ok - $d"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok - $d"
		return 1
	fi
}

# t_eq DESCRIPTION GOT WANT
t_eq() {
	if [ "$2" = "$3" ]; then
		T_PASS=$((T_PASS + 1))
		echo "ok - $1"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok - $1: got '$2', want '$3'"
		return 1
	fi
}

# t_grep DESCRIPTION PATTERN FILE: the file holds the (fixed) pattern.
t_grep() {
	if grep -qF -- "$2" "$3"; then
		T_PASS=$((T_PASS + 1))
		echo "ok - $1"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok - $1: '$2' not in $3:"
		sed 's/^/    | /' "$3" | head -20
		return 1
	fi
}

# t_nogrep DESCRIPTION PATTERN FILE: the file does not hold the pattern.
t_nogrep() {
	if ! grep -qF -- "$2" "$3"; then
		T_PASS=$((T_PASS + 1))
		echo "ok - $1"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok - $1: '$2' found in $3"
		return 1
	fi
}

t_summary() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
