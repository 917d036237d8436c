#!/usr/bin/env bash
# mix.sh BIN TAG PORT: a copy of the 100,000-port dir, /healthcheck OK + 20 s, then 1 client:
# 200 creates and 400 operations half updates, half deletes (midonet load --mix); p50/p99 of each.
set -euo pipefail
bin=$1 tag=$2 port=$3
. "$(dirname "$0")/lib.sh"
start_copy "$bin" "$tag" "$port"
$bin load --url http://127.0.0.1:$port --quiet --json --concurrency 1 --ports 200 --list 0 --mix update=50,delete=50 --mix-ops 400 > mix-$tag.json
echo "$tag: $(jq -r '.mix.operations | to_entries | map("\(.key) p50 \(.value.p50_ns/1e4|round/100) p99 \(.value.p99_ns/1e4|round/100) ms") | join(", ")' mix-$tag.json)"
stop_copy "$tag"
