#!/bin/sh
# run-fuzz.sh TARGET SEED_DIR SECONDS
# Runs one libFuzzer target for SECONDS on a scratch copy of its committed seed
# corpus (the repository is never written to). Fails on any crash, leak,
# sanitizer report or timeout, which libFuzzer saves under the scratch dir.
set -eu
target=$1 seeds=$2 secs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "$seeds" ] && cp -R "$seeds"/. "$work/corpus/" 2>/dev/null || true
cd "$work"
exec "$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 "$work/corpus"
