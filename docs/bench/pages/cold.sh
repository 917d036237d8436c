#!/usr/bin/env bash
# cold.sh BINARY DATA100K OUTDIR [SORT] [PAGES]: one long walk of pages of 100 that the
# decoded-document cache has not seen, then the same walk again.
#
# Serves a fresh copy of DATA100K (OUTDIR/data) on $PORT (default 9940; pprof on PORT+1),
# waits for /healthcheck OK and the start-up's goroutines as walk.sh does, then walks PAGES
# (default 1000: all of 100,000 ports) pages sorted by SORT (default id:asc) under a CPU
# profile of $SECS seconds (default 8; OUTDIR/cpu.pb.gz), and walks them again. Prints each
# walk's p50 and the server's CPU a page (from /proc/PID/stat) to OUTDIR/summary.txt.
set -u
bin=$(readlink -f "$1"); src=$(readlink -f "$2"); out=$3; sort=${4:-id:asc}; pages=${5:-1000}
port=${PORT:-9940}; pprof=$((port + 1))
lib=$(dirname "$(readlink -f "$0")")/lib.sh
mkdir -p "$out"; out=$(readlink -f "$out"); cd "$out"
. "$lib"
serve_fresh "$bin" "$src" "$port" "$pprof"
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
walk() { "$bin" load --url "http://127.0.0.1:$port" --quiet --json --ports 0 --list 0 --page 100 --pages "$pages" --page-sort "$sort"; }
curl -s -o cpu.pb.gz "http://127.0.0.1:$pprof/debug/pprof/profile?seconds=${SECS:-8}" &
prof=$!
sleep 0.3
c0=$(cpu); walk > cold.json; c1=$(cpu); walk > warm.json; c2=$(cpu)
wait $prof
p50() { jq -r '.page_walk.p50_ns / 1e4 | round / 100' "$1"; }
echo "$sort, $pages pages: cold p50 $(p50 cold.json) ms, server CPU $(( (c1 - c0) * 10000 / pages )) us a page;" \
	"again p50 $(p50 warm.json) ms, $(( (c2 - c1) * 10000 / pages )) us a page" | tee summary.txt
kill $pid; wait $pid
rm -rf data
