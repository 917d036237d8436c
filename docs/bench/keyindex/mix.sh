#!/usr/bin/env bash
# mix.sh BIN TAG PORT: a copy of the 100,000-port dir, /healthcheck OK + 20 s, then 1 client:
# 200 creates and 400 operations half updates, half deletes (midonet load --mix); p50/p99 of each.
set -euo pipefail
bin=$1 tag=$2 port=$3 src=${DATA100K:-/path/to/data100k}
rm -rf d-$tag; cp -a "$src" d-$tag
$bin serve --data-dir d-$tag --bind-port $port > s-$tag.log 2>&1 &
pid=$!
until [ "$(curl -s http://127.0.0.1:$port/healthcheck)" = OK ]; do sleep 0.2; done
sleep 20
$bin load --url http://127.0.0.1:$port --quiet --json --concurrency 1 --ports 200 --list 0 --mix update=50,delete=50 --mix-ops 400 > mix-$tag.json
echo "$tag: $(jq -r '.mix.operations | to_entries | map("\(.key) p50 \(.value.p50_ns/1e4|round/100) p99 \(.value.p99_ns/1e4|round/100) ms") | join(", ")' mix-$tag.json)"
kill $pid; wait $pid || true; rm -rf d-$tag
