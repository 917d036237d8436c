#!/usr/bin/env bash
# allocs.sh BIN TAG PORT: serve a fresh copy of $DATA100K (pprof on PORT+1), then 2,000 port
# creates by 1 client and $P8 (default 10,000) by 8 clients (`midonet load`). Prints the
# 8-client phase's rate, server CPU a port, commit → applied, GC cycles and GC CPU (from
# GODEBUG=gctrace=1), the bytes and objects allocated a create (the Go runtime's counters in
# /metrics, read before and after the phase), and VmRSS at its end. Heap profiles taken around
# the phase stay as alloc0-TAG.pb.gz and alloc1-TAG.pb.gz, to see where the bytes go
# (`go tool pprof -base alloc0-TAG.pb.gz alloc1-TAG.pb.gz`); their totals are not the phase's:
# a heap profile counts allocations up to the last finished collection.
set -euo pipefail
bin=$1 tag=$2 port=$3 n=${P8:-10000}
. "$(dirname "$0")/../keyindex/lib.sh"
GODEBUG=gctrace=1 MIDONET_PPROF_ADDR=127.0.0.1:$((port+1)) start_copy "$bin" "$tag" "$port"
url=http://127.0.0.1:$port
"$bin" load --url "$url" --quiet --json --concurrency 1 --ports 2000 --list 0 > "l1-$tag.json"
# counters: go_memstats_alloc_bytes_total and go_memstats_mallocs_total
counters() { curl -s "$url/metrics" | awk '/^go_memstats_alloc_bytes_total /{b=$2} /^go_memstats_mallocs_total /{o=$2} END{printf "%.0f %.0f\n", b, o}'; }
mark=$(wc -l < "s-$tag.log"); c0=$(awk '{print $14+$15}' /proc/$pid/stat)
curl -s -o "alloc0-$tag.pb.gz" "http://127.0.0.1:$((port+1))/debug/pprof/allocs"
read -r b0 o0 < <(counters)
"$bin" load --url "$url" --quiet --json --concurrency 8 --ports "$n" --list 0 > "l8-$tag.json"
read -r b1 o1 < <(counters)
curl -s -o "alloc1-$tag.pb.gz" "http://127.0.0.1:$((port+1))/debug/pprof/allocs"
c1=$(awk '{print $14+$15}' /proc/$pid/stat)
ms() { jq -r "$1/1e4|round/100" "l8-$tag.json"; }
echo "$tag 8 clients: $(jq '.port_create.ports_per_s|round' "l8-$tag.json")/s, p99 $(ms .port_create.p99_ns) ms," \
	"CPU $(ms .server.cpu_per_port_ns) ms a port, commit → applied p99 $(ms .server.commit_to_applied.p99_ns) ms"
tail -n +$((mark+1)) "s-$tag.log" | grep '^gc ' | awk -v tag="$tag" -v ticks=$((c1-c0)) '
	{ for (i = 1; i <= NF; i++) if ($i == "cpu,") { split($(i-2), a, "+"); split(a[2], m, "/"); cpu += a[1]+m[1]+m[2]+a[3]; n++ } }
	END { printf "%s 8 clients: %d GC cycles, GC CPU %.2f s of the server'"'"'s %.2f s\n", tag, n, cpu/1000, ticks/100 }'
echo "$tag allocated a create: $(( (b1 - b0) / n / 1024 )) KiB, $(( (o1 - o0) / n )) objects;" \
	"VmRSS at the end $(awk '/VmRSS/ { print $2 }' /proc/$pid/status) kB"
stop_copy "$tag"
