#!/usr/bin/env bash
# fwgroups.sh BIN TAG PORT [PROJECTS]: `BIN serve` on a new data dir (./fw-TAG); 300 port creates
# by one client; then PROJECTS (default 300) projects list their firewall groups, each getting
# its default group (FWaaS v2); then 300 creates again. Prints both phases' create p50 and rate.
set -euo pipefail
bin=$(readlink -f "$1") tag=$2 port=$3 n=${4:-300}
rm -rf "fw-$tag"
"$bin" serve --data-dir "fw-$tag" --bind-port "$port" > "fw-$tag.log" 2>&1 &
pid=$!
until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
url=http://127.0.0.1:$port
creates() {
	"$bin" load --url "$url" --concurrency 1 --ports 300 --list 0 --quiet --json |
		jq -r '"p50 \(.port_create.p50_ns/1e4|round/100) ms, \(.port_create.ports_per_s|round)/s"'
}
before=$(creates)
for i in $(seq 1 "$n"); do curl -s -o /dev/null -H "X-Project-Id: fwproject$i" "$url/v2.0/fwaas/firewall_groups"; done
groups=$(curl -s -H 'X-Project-Id: admin' -H 'X-Roles: admin' "$url/v2.0/fwaas/firewall_groups?fields=id" | jq '.firewall_groups | length')
echo "$tag: without the groups $before; with $groups groups $(creates)"
kill "$pid"; wait "$pid" || true
rm -rf "fw-$tag"
