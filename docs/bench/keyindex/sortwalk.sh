#!/usr/bin/env bash
# sortwalk.sh BIN DATADIR TAG PORT PAGES SORT...: serve DATADIR (in place), synced + 40 s, a walk of PAGES pages of 100 per sort
set -euo pipefail
bin=$1 dir=$2 tag=$3 port=$4 pages=$5; shift 5
$bin serve --data-dir $dir --bind-port $port > s-$tag.log 2>&1 &
pid=$!
until [ "$(curl -s http://127.0.0.1:$port/healthcheck)" = OK ]; do sleep 0.2; done
sleep 40
line="$tag:"
for s in "$@"; do
  $bin load --url http://127.0.0.1:$port --quiet --json --ports 0 --list 0 --page 100 --pages $pages --page-sort $s > sw-$tag.json
  line="$line $s p50 $(jq '.page_walk.p50_ns/1e4|round/100' sw-$tag.json)"
done
echo "$line ms"
kill $pid; wait $pid || true
