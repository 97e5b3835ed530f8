#!/usr/bin/env bash
# Replays every fuzz target's seed corpus and regression inputs (inputs
# that once crashed) through the normal build: a crash fails the suite.
# Usage: tests/suite-fuzz.sh printmail
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(dirname "$(realpath "$1")")/fuzz-replay
. "$HERE/lib/assert.sh"
for t in fuzz_reply fuzz_conf fuzz_message fuzz_job fuzz_encode fuzz_queue fuzz_smtp; do
	out=$("$BIN/$t" "$HERE/fuzz/corpus/$t" "$HERE/fuzz/regress/$t" 2>&1)
	rc=$?
	n=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$out")
	t_ok "$t: ${n:-0} inputs replayed without a crash" test "$rc" -eq 0 -a "${n:-0}" -gt 0
done
t_summary
