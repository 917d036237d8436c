#!/usr/bin/env bash
# objects.sh BIN TAG PORT: serve a fresh copy of $DATA100K, wait 60 s past /healthcheck OK, then
# print the server's VmRSS and the live heap (objects and bytes) of a heap profile taken
# after a GC (heap-TAG.pb.gz; `go tool pprof -sample_index=inuse_objects -top BIN heap-TAG.pb.gz`
# tells who holds them).
set -euo pipefail
bin=$1 tag=$2 port=$3
. "$(dirname "$0")/../keyindex/lib.sh"
MIDONET_PPROF_ADDR=127.0.0.1:$((port+1)) start_copy "$bin" "$tag" "$port"
sleep 40
curl -s -o "heap-$tag.pb.gz" "http://127.0.0.1:$((port+1))/debug/pprof/heap?gc=1"
echo "$tag $(grep VmRSS /proc/$pid/status)"
for i in inuse_objects inuse_space; do
	echo "$tag $i: $(go tool pprof -sample_index=$i -top -nodecount=1 "$bin" "heap-$tag.pb.gz" 2>/dev/null | grep -o 'of [0-9.]*[A-Za-z]* total')"
done
stop_copy "$tag"
