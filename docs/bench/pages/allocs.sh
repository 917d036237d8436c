#!/usr/bin/env bash
# allocs.sh BIN DATA100K TAG PORT: serve a copy of DATA100K (copied to ./pa-TAG/data, removed at
# the end), wait until the start-up's goroutines are gone, walk 50 pages of 100 ports in each of
# the eight orders of walk.sh once (the warm-up: the pages' documents enter the cache), then
# again, and print for that second round the bytes and objects the server allocated a page
# (the Go runtime's counters in /metrics, read before and after), its CPU a page (from
# /proc/PID/stat) and each walk's p50.
set -u
bin=$(readlink -f "$1") src=$(readlink -f "$2") tag=$3 port=$4
d=pa-$tag; rm -rf "$d"; mkdir -p "$d"; cp -a "$src" "$d/data"
MIDONET_PPROF_ADDR=127.0.0.1:$((port+1)) "$bin" serve --data-dir "$d/data" --bind-port "$port" > "$d/serve.log" 2>&1 &
pid=$!
url=http://127.0.0.1:$port
until [ "$(curl -s "$url/healthcheck")" = OK ]; do kill -0 $pid || exit 1; sleep 0.5; done
sleep 15
for _ in $(seq 1 120); do
	curl -s "http://127.0.0.1:$((port+1))/debug/pprof/goroutine?debug=1" |
		grep -qE 'agent.\(\*Agent\).load|cluster.\(\*Cluster\).Load|StartupRepair|readOwned|releaseStartupPeak' || break
	sleep 1
done
sleep 5
walk() { "$bin" load --url "$url" --quiet --json --ports 0 --list 0 --page 100 --pages 50 --page-sort "$1"; }
sorts="id:asc id:desc name:asc name:desc mac_address:asc mac_address:desc created_at:asc created_at:desc"
for s in $sorts; do walk "$s" > /dev/null; done
counters() { curl -s "$url/metrics" | awk '/^go_memstats_alloc_bytes_total /{b=$2} /^go_memstats_mallocs_total /{o=$2} END{printf "%.0f %.0f\n", b, o}'; }
read -r b0 o0 < <(counters); c0=$(awk '{print $14+$15}' /proc/$pid/stat)
for s in $sorts; do walk "$s" > "$d/w-$s.json"; done
read -r b1 o1 < <(counters); c1=$(awk '{print $14+$15}' /proc/$pid/stat)
p50s=$(for s in $sorts; do jq -r '.page_walk.p50_ns/1e4|round/100' "$d/w-$s.json"; done | tr '\n' ' ')
echo "$tag: $(( (b1-b0)/400 )) B, $(( (o1-o0)/400 )) objects, $(( (c1-c0)*10000/400 )) us CPU a page (round 2); p50s $p50s"
kill $pid; wait $pid 2>/dev/null
rm -rf "$d/data"
