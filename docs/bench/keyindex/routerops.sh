#!/usr/bin/env bash
# routerops.sh BIN TAG PORT: a copy of the 100,000-port dir, /healthcheck OK + 20 s, then router
# operations timed by curl (time_total): create, add an interface (a subnet), remove it, delete.
set -euo pipefail
bin=$1 tag=$2 port=$3
. "$(dirname "$0")/lib.sh"
start_copy "$bin" "$tag" "$port"
timed_api "$port" /tmp/routerops.out
subnet=$(curl -s "${h[@]}" "$api/subnets?fields=id&limit=1" | jq -r '.subnets[0].id')
line="$tag:"
for r in 1 2 3; do
  c=$(t -X POST -d "{\"router\":{\"name\":\"r$r\"}}" "$api/routers"); router=$(jq -r .router.id /tmp/routerops.out)
  a=$(t -X PUT -d "{\"subnet_id\":\"$subnet\"}" "$api/routers/$router/add_router_interface")
  jq -e .port_id /tmp/routerops.out > /dev/null || { cat /tmp/routerops.out; exit 1; }
  g=$(t "$api/routers/$router")
  x=$(t -X PUT -d "{\"subnet_id\":\"$subnet\"}" "$api/routers/$router/remove_router_interface")
  d=$(t -X DELETE "$api/routers/$router")
  line="$line [create $c, add interface $a, show $g, remove interface $x, delete $d s]"
done
echo "$line"
stop_copy "$tag"
