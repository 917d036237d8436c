#!/usr/bin/env bash
# sgops.sh BIN TAG PORT: a copy of the 100,000-port dir, /healthcheck OK + 20 s, then a security
# group created, updated and deleted, three times, timed by curl (time_total).
set -euo pipefail
bin=$1 tag=$2 port=$3
. "$(dirname "$0")/lib.sh"
start_copy "$bin" "$tag" "$port"
timed_api "$port" /tmp/sgops.out
line="$tag:"
for r in 1 2 3; do
  c=$(t -X POST -d "{\"security_group\":{\"name\":\"sg$r\"}}" "$api/security-groups"); sg=$(jq -r .security_group.id /tmp/sgops.out)
  u=$(t -X PUT -d '{"security_group":{"description":"d"}}' "$api/security-groups/$sg")
  d=$(t -X DELETE "$api/security-groups/$sg")
  line="$line [create $c, update $u, delete $d s]"
done
echo "$line"
stop_copy "$tag"
