#!/usr/bin/env bash
# walk.sh BINARY DATA100K OUTDIR [ROUNDS] [serve flags…]: issue 14's page walks on one server.
#
# Serves a fresh copy of DATA100K (never written; the copy goes to OUTDIR/data) on $PORT
# (default 9910; pprof on PORT+1), waits for /healthcheck OK, then until the start-up's
# goroutines are gone (or 2 minutes), then 10 s; records RSS; runs ROUNDS (default 2) rounds
# of the eight 50-page walks of scripts/measure-scale.sh, each with its p50, the server's CPU
# a page (from /proc/PID/stat, 0.2 ms resolution) and its start in seconds since the server
# started (to set beside GODEBUG=gctrace=1's "@Ns" in OUTDIR/serve.log); PROFILE=1 adds a 25 s
# CPU profile (OUTDIR/cpu.pb.gz) of repeated walks and the server CPU a page over it; RSS
# again at the end. One line a figure in OUTDIR/summary.txt. Extra flags go to `serve`, e.g.
# --config-file with a [database] connection URL (then put auth_strategy = noauth in it).
set -u
bin=$(readlink -f "$1"); src=$(readlink -f "$2"); out=$3; rounds=${4:-2}; shift 4 || shift $#
port=${PORT:-9910}; pprof=$((port + 1))
lib=$(dirname "$(readlink -f "$0")")/lib.sh
mkdir -p "$out"; out=$(readlink -f "$out"); cd "$out"
. "$lib"
serve_fresh "$bin" "$src" "$port" "$pprof" "$@"
rss() { grep -E 'VmRSS|RssAnon|RssFile' /proc/$pid/status | tr -s ' \t' ' ' | tr '\n' ' '; }
echo "idle: $(rss) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee summary.txt
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
walk() { env -u GODEBUG "$bin" load --url "http://127.0.0.1:$port" --quiet --json --ports 0 --list 0 --page 100 --pages 50 --page-sort "$1"; }
for round in $(seq 1 "$rounds"); do
	line="round $round:"
	for s in id:asc id:desc name:asc name:desc mac_address:asc mac_address:desc created_at:asc created_at:desc; do
		c0=$(cpu); ts=$(echo "$(date +%s.%N) - $t0" | bc)
		walk $s > "page-$s-$round.json"
		c1=$(cpu)
		p50=$(jq -r '.page_walk.p50_ns / 1e6 | . * 100 | round / 100' "page-$s-$round.json")
		line="$line $s $p50 ($(( (c1 - c0) * 10 * 1000 / 50 ))us @${ts%.*}s)"
	done
	echo "$line load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a summary.txt
done
if [ "${PROFILE:-}" = 1 ]; then
	curl -s -o cpu.pb.gz "http://127.0.0.1:$pprof/debug/pprof/profile?seconds=25" &
	cp=$!; c0=$(cpu); n=0
	while kill -0 $cp 2>/dev/null; do
		for s in id:asc name:desc mac_address:asc mac_address:desc created_at:asc created_at:desc; do
			walk $s > /dev/null; n=$((n + 50))
		done
	done
	c1=$(cpu)
	echo "profile: $n pages, server CPU $(( (c1 - c0) * 10 * 1000 / n )) us a page" | tee -a summary.txt
fi
echo "after: $(rss)" | tee -a summary.txt
kill $pid; wait $pid
rm -rf data
