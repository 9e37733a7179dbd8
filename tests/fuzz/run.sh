#!/bin/sh
# make fuzz-run SECONDS=N: run the fuzz target for N seconds of wall time,
# one process, from the seeds in the tree; inputs it finds go to
# corpus.new. The dictionary is sockrepl.dict and the command names the
# program lists in help, so commands added later are known without a list
# to keep.
set -e
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
dict=$here/sockrepl.cmds.dict
cat "$here/sockrepl.dict" > "$dict"
"$here/../../sockrepl" -c help | sed -n 's/^  \([a-z_][a-z_0-9]*\)\( .*\)\{0,1\}$/\1/p' |
    sort -u | sed 's/.*/"&"/' >> "$dict"
dir=$(mktemp -d "${TMPDIR:-/tmp}/sockrepl-fuzz.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir -p "$here/corpus.new"
cd "$dir"
SOCKREPL_FUZZ_DIR=$dir SOCKREPL_FUZZ_ARTIFACTS=$here/ "$here/sockrepl-fuzz" -max_total_time="$secs" \
    -dict="$dict" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="$here/" "$here/corpus.new" "$here/seeds"
