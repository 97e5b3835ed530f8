#!/usr/bin/env bash
# The docs that are generated from tests stay in step with them:
# docs/fault-matrix.md holds the table tests/test_smtp.c asserts.
# Usage: tests/suite-docs.sh printmail
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=$(dirname "$(realpath "$1")")/tests/test_smtp
. "$HERE/lib/assert.sh"
W=$(mktemp -d /tmp/printmail-docs.XXXXXX)
trap 'rm -rf "$W"' EXIT
FAULT_MATRIX_OUT=$W/table "$BIN" >/dev/null 2>&1
t_eq "test_smtp (with the matrix) passes" "$?" 0
sed -n '/^<!-- generated/,/^<!-- end of generated/p' "$ROOT/docs/fault-matrix.md" |
    sed '1d;$d' >"$W/doc"
t_ok "docs/fault-matrix.md has the table the tests assert" cmp -s "$W/table" "$W/doc"
t_ok "every stage is in it" test "$(grep -c '^| ' "$W/table")" -ge 13
t_summary
