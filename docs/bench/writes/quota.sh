#!/usr/bin/env bash
# quota.sh BIN TAG PORT: serve a fresh copy of $DATA100K (100,000 ports of project loadgen),
# then $PORTS (default 1,000) port creates by 1 client with the project's quotas finite
# ($QUOTA, default 1,000,000: each create checks the project's usage), then as many with them
# lifted. $LOAD (default BIN) is the `midonet load` that drives the server: one that knows
# --quota, for a BIN that predates it. Prints each phase's p50/p99 and the server CPU a
# create.
set -euo pipefail
bin=$1 tag=$2 port=$3 n=${PORTS:-1000} quota=${QUOTA:-1000000} load=${LOAD:-$1}
. "$(dirname "$0")/../keyindex/lib.sh"
start_copy "$bin" "$tag" "$port"
url=http://127.0.0.1:$port
for q in "$quota" 0; do
	"$load" load --url "$url" --quiet --json --concurrency 1 --ports "$n" --list 0 --quota "$q" > "q$q-$tag.json"
	ms() { jq -r "$1/1e4|round/100" "q$q-$tag.json"; }
	echo "$tag quota $q: p50 $(ms .port_create.p50_ns) p99 $(ms .port_create.p99_ns) ms, CPU $(ms .server.cpu_per_port_ns) ms a create," \
		"$(jq '.port_create.ports_per_s|round' "q$q-$tag.json")/s"
done
stop_copy "$tag"
