#!/usr/bin/env bash
# nottags.sh BIN...: with BUILD_BIN (default midonet) build 3,000 ports, 90 % tagged "bulk"; then pages of 100 with not-tags=bulk timed by curl,
# on a copy of the same dir, for each binary given.
set -euo pipefail
port=9970
rm -rf d-nt; ${BUILD_BIN:-midonet} serve --data-dir d-nt --bind-port $port > s-nt.log 2>&1 & pid=$!
until [ "$(curl -s http://127.0.0.1:$port/healthcheck)" = OK ]; do sleep 0.2; done
${BUILD_BIN:-midonet} load --url http://127.0.0.1:$port --quiet --json --concurrency 4 --ports 3000 --bulk 100 --list 0 > /dev/null
curl -s -H 'X-Project-Id: loadgen' "http://127.0.0.1:$port/v2.0/ports?fields=id" | jq -r '.ports[].id' > ids.txt
i=0; while read -r id; do i=$((i+1)); [ $((i % 10)) -eq 0 ] && continue; echo "$id"; done < ids.txt | xargs -P 4 -I{} curl -s -o /dev/null -X PUT -H 'X-Project-Id: loadgen' -H 'Content-Type: application/json' -d '{"tags":["bulk"]}' "http://127.0.0.1:$port/v2.0/ports/{}/tags"
kill $pid; wait $pid || true
for bin in "$@"; do
  rm -rf d-nt2; cp -a d-nt d-nt2
  $bin serve --data-dir d-nt2 --bind-port $port > s-nt2.log 2>&1 & pid=$!
  until [ "$(curl -s http://127.0.0.1:$port/healthcheck)" = OK ]; do sleep 0.2; done
  sleep 5
  for r in 1 2 3 4 5 6 7 8 9 10 11; do curl -s -o /dev/null -w "%{time_total}\n" -H 'X-Project-Id: loadgen' "http://127.0.0.1:$port/v2.0/ports?limit=100&not-tags=bulk&sort_key=name&sort_dir=asc"; done | sort -n | awk -v b=$bin '{a[NR]=$1} END {printf "%s: not-tags=bulk page of 100 (90 %% tagged, 3,000 ports): min %.1f ms, median %.1f ms of %d\n", b, a[1]*1000, a[int((NR+1)/2)]*1000, NR}'
  curl -s -H 'X-Project-Id: loadgen' "http://127.0.0.1:$port/v2.0/ports?limit=100&not-tags=bulk&sort_key=name&sort_dir=asc" | jq '.ports | length'
  kill $pid; wait $pid || true
done
