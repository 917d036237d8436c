#!/usr/bin/env bash
# creates.sh BIN TAG PORT: serve a fresh copy of $DATA100K, wait 60 s past /healthcheck OK,
# then 2,000 port creates by 1 client and 3,000 by 8 clients (`midonet load`); prints each
# phase's latency, rate, server CPU a port and commit → applied, and the GC cycles and GC CPU
# (from GODEBUG=gctrace=1) of the 8-client phase.
set -euo pipefail
bin=$1 tag=$2 port=$3
. "$(dirname "$0")/../keyindex/lib.sh"
GODEBUG=gctrace=1 start_copy "$bin" "$tag" "$port"
sleep 40
url=http://127.0.0.1:$port
"$bin" load --url "$url" --quiet --json --concurrency 1 --ports 2000 --list 0 > "l1-$tag.json"
mark=$(wc -l < "s-$tag.log"); c0=$(awk '{print $14+$15}' /proc/$pid/stat)
"$bin" load --url "$url" --quiet --json --concurrency 8 --ports 3000 --list 0 > "l8-$tag.json"
c1=$(awk '{print $14+$15}' /proc/$pid/stat)
ms() { jq -r "$1/1e4|round/100" "$2"; }
for c in 1 8; do
	f=l$c-$tag.json
	echo "$tag $c client(s): p50 $(ms .port_create.p50_ns "$f") p99 $(ms .port_create.p99_ns "$f") ms," \
		"$(jq '.port_create.ports_per_s|round' "$f")/s, CPU $(ms .server.cpu_per_port_ns "$f") ms a port," \
		"commit → applied p50 $(ms .server.commit_to_applied.p50_ns "$f") p99 $(ms .server.commit_to_applied.p99_ns "$f") ms"
done
tail -n +$((mark+1)) "s-$tag.log" | grep '^gc ' | awk -v tag="$tag" -v ticks=$((c1-c0)) '
	{ for (i = 1; i <= NF; i++) if ($i == "cpu,") { split($(i-2), a, "+"); split(a[2], m, "/"); cpu += a[1]+m[1]+m[2]+a[3]; n++ } }
	END { printf "%s 8 clients: %d GC cycles, GC CPU %.2f s of the server'"'"'s %.2f s\n", tag, n, cpu/1000, ticks/100 }'
stop_copy "$tag"
