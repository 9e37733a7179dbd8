#!/bin/sh
# Run every test: the unit tests (tests/unit), then each tests/t_*.py.
# Every test prints one line, "ok NAME" or "FAIL NAME" (details follow on
# lines of their own); this script counts them and ends with the line
# "N passed, N failed". Exit status 0 only when nothing failed.
#
# SOCKREPL names the binary under test (default: ./sockrepl).

cd "$(dirname "$0")/.." || exit 2
SOCKREPL=${SOCKREPL:-$PWD/sockrepl}
export SOCKREPL
log=$(mktemp)

one=$(mktemp)
trap 'rm -f "$log" "$one"' EXIT

status=0
run() {
	# Each test file runs with a time limit so a hang fails instead of
	# stopping the suite. A file that fails without saying which test
	# (a crash, a syntax error, the time limit) still counts as a failure.
	if ! timeout 300 "$@" >"$one" 2>&1; then
		status=1
		grep -q '^FAIL ' "$one" || echo "FAIL $*: exited non-zero" >>"$one"
	fi
	cat "$one" >>"$log"
}

run tests/unit
for t in tests/t_*.py; do
	[ -f "$t" ] || continue
	run python3 "$t"
done

cat "$log"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^ok .* # skip' "$log")
[ "$skipped" -eq 0 ] || echo "($skipped of the passed were skipped here)"
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
