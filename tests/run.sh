#!/bin/sh
# Run every test: the unit tests (tests/unit), then each tests/t_*.py.
# Every test prints one line, "ok NAME" or "FAIL NAME" (details follow on
# lines of their own); this script counts them and ends with the line
# "N passed, N failed". Exit status 0 only when nothing failed.
#
# SOCKREPL names the binary under test (default: ./sockrepl). TEST_JOBS
# test files run at once (default 4): most of a test's time is spent
# waiting on sockets and peers, not on the CPU, so they overlap well; the
# output still comes file by file, in name order. TEST_JOBS=1 runs them
# one after another.

cd "$(dirname "$0")/.." || exit 2
SOCKREPL=${SOCKREPL:-$PWD/sockrepl}
export SOCKREPL
jobs=${TEST_JOBS:-4}
case $jobs in
''|*[!0-9]*|0) echo "run.sh: TEST_JOBS=$jobs: not a positive number" >&2
	exit 2 ;;
esac

# One file: its output in $out/NAME.out. Each runs with a time limit so a
# hang fails instead of stopping the suite. A file that fails without
# saying which test (a crash, a syntax error, the time limit) still counts
# as a failure.
one() {
	eval "name=\$$#"
	name=$(basename "$name")
	if ! timeout 300 "$@" >"$out/$name.out" 2>&1; then
		grep -q '^FAIL ' "$out/$name.out" ||
		    echo "FAIL $*: exited non-zero" >>"$out/$name.out"
	fi
}
# xargs runs this script again for each file: run.sh --one DIR FILE.
if [ "${1:-}" = --one ]; then
	out=$2
	one python3 "$3"
	exit 0
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
one tests/unit
# The slowest files first (a package build, compiled exports), so they
# overlap the many quick ones.
for t in tests/t_pkg.py tests/t_export.py tests/t_*.py; do
	[ -f "$t" ] && echo "$t"
done | awk '!seen[$0]++' |
    xargs -n 1 -P "$jobs" sh tests/run.sh --one "$out"

log=$out/all
for f in "$out"/unit.out "$out"/t_*.py.out; do
	[ -f "$f" ] && cat "$f"
done >"$log"
cat "$log"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^ok .* # skip' "$log")
status=0
[ "$skipped" -eq 0 ] || echo "($skipped of the passed were skipped here)"
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
