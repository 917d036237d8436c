#!/usr/bin/env bash
# clients.sh BIN TAG PORT: serve a fresh copy of $DATA100K, then 2,000 port creates by 1 client
# and $PORTS (default 3,000) by $CLIENTS (default 8) clients (`midonet load`). Prints that
# phase's rate, create p50/p99, server CPU a create, commit → applied p50/p99 and the p99 of
# each of its stages. GOGC in the environment reaches the server (GOGC=off: no collections;
# internal/gctune then stands aside). With PROFILE=1 it also keeps a 4 s CPU profile of the
# phase as cpu-TAG.pb.gz (the server's pprof on PORT+1). Last, the server's resident memory
# after the phase and its high-water mark since it started (the start-up's peak, unless the
# creates went past it). GODEBUG=gctrace=1 puts each collection in s-TAG.log.
set -euo pipefail
bin=$1 tag=$2 port=$3 clients=${CLIENTS:-8} n=${PORTS:-3000}
. "$(dirname "$0")/../keyindex/lib.sh"
MIDONET_PPROF_ADDR=127.0.0.1:$((port+1)) start_copy "$bin" "$tag" "$port"
url=http://127.0.0.1:$port
"$bin" load --url "$url" --quiet --json --concurrency 1 --ports 2000 --list 0 > "l1-$tag.json"
profile=
[ "${PROFILE:-}" != 1 ] || profile=cpu-$tag.pb.gz
load_profiled "$bin" "$url" "lN-$tag.json" "$profile" 4 $((port+1)) --concurrency "$clients" --ports "$n" --list 0
ms() { jq -r "$1/1e4|round/100" "lN-$tag.json"; }
echo "$tag $clients clients: $(jq '.port_create.ports_per_s|round' "lN-$tag.json")/s," \
	"p50 $(ms .port_create.p50_ns) p99 $(ms .port_create.p99_ns) ms, CPU $(ms .server.cpu_per_port_ns) ms a create," \
	"commit → applied p50 $(ms .server.commit_to_applied.p50_ns) p99 $(ms .server.commit_to_applied.p99_ns) ms"
echo "$tag stages p99 (ms): $(jq -c '[.server.commit_to_applied_stages | to_entries[] | {(.key): ((.value.p99_ns/1e4|round)/100)}] | add' "lN-$tag.json")"
echo "$tag memory: $(grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
stop_copy "$tag"
