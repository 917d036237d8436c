#!/usr/bin/env bash
# fresh.sh BIN TAG PORT: serve a new data dir (./f-TAG), create 3,000 ports with one client,
# then 6,000 with 8 (`midonet load --json`, kept as f1-TAG.json and f8-TAG.json), and print
# each phase's rate, create p50/p99/max, server CPU a create and commit → applied p99. A 5 s CPU
# profile of the 8-client phase is kept as fcpu-TAG.pb.gz (the server's pprof on PORT+1).
set -euo pipefail
bin=$1 tag=$2 port=$3
rm -rf "f-$tag"
MIDONET_PPROF_ADDR=127.0.0.1:$((port+1)) "$bin" serve --data-dir "f-$tag" --bind-port "$port" > "fs-$tag.log" 2>&1 &
pid=$!
until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
sleep 3
url=http://127.0.0.1:$port
"$bin" load --url "$url" --quiet --json --concurrency 1 --ports 3000 --list 0 > "f1-$tag.json"
curl -s -o "fcpu-$tag.pb.gz" "http://127.0.0.1:$((port+1))/debug/pprof/profile?seconds=5" &
prof=$!
"$bin" load --url "$url" --quiet --json --concurrency 8 --ports 6000 --list 0 > "f8-$tag.json"
wait "$prof"
ms() { jq -r "$2/1e4|round/100" "$1"; }
for c in 1 8; do
	f=f$c-$tag.json
	echo "$tag $c client(s): $(jq '.port_create.ports_per_s|round' "$f")/s, p50 $(ms "$f" .port_create.p50_ns)" \
		"p99 $(ms "$f" .port_create.p99_ns) max $(ms "$f" .port_create.max_ns) ms, CPU $(ms "$f" .server.cpu_per_port_ns) ms a create," \
		"commit → applied p99 $(ms "$f" .server.commit_to_applied.p99_ns) ms"
done
kill "$pid"; wait "$pid" || true
rm -rf "f-$tag"
