#!/usr/bin/env bash
# pause.sh BIN TAG PORT N [SRC]: serve a new data dir (./p-TAG, noauth; with SRC, a copy of
# the data dir SRC, 15 s after /healthcheck says OK), create N ports with 8 clients
# (`midonet load --json`, kept as p-TAG.json) and print the rate, the creates' p99 and
# slowest, the instants of the five slowest (all at one instant: a pause of the whole
# server) and commit → applied p99. The dir is removed at the end.
set -euo pipefail
bin=$1 tag=$2 port=$3 n=$4 src=${5:-}
. "$(dirname "$0")/lib.sh"
if [ -n "$src" ]; then
	rm -rf p-"$tag"
	cp -a "$src" p-"$tag"
	sync # the copy's dirty pages written now, not in a burst 30 s later in the middle of the run
	serve "$bin" p-"$tag" "$port" router ps-"$tag".log
	trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$conf" p-"'"$tag"'"' EXIT
	sleep 15
else
	serve_fresh "$bin" p-"$tag" "$port" router ps-"$tag".log
fi
"$bin" load --url "http://127.0.0.1:$port" --quiet --json --concurrency 8 --ports "$n" --list 0 > "p-$tag.json"
jq -r --arg tag "$tag" '"\($tag) \(.port_create.ports_per_s | round)/s, p99 \(.port_create.p99_ns / 1e4 | round / 100) ms, " +
	"slowest \(.port_create.max_ns / 1e4 | round / 100) ms at \([.port_create.slowest[].at[11:23]] | join(" ")), " +
	"commit → applied p99 \(.server.commit_to_applied.p99_ns / 1e4 | round / 100) ms"' "p-$tag.json"
