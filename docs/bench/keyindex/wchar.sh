#!/usr/bin/env bash
# wchar.sh BIN TAG PORT: a new dir, 1 client creates 2,000 ports; bytes and write syscalls a create, CPU a create, p50
set -euo pipefail
bin=$1 tag=$2 port=$3
rm -rf d-$tag
$bin serve --data-dir d-$tag --bind-port $port > s-$tag.log 2>&1 &
pid=$!
until [ "$(curl -s http://127.0.0.1:$port/healthcheck)" = OK ]; do sleep 0.2; done
$bin load --url http://127.0.0.1:$port --quiet --json --concurrency 1 --ports 200 --list 0 > /dev/null
w0=$(awk '/^wchar/{print $2}' /proc/$pid/io); s0=$(awk '/^syscw/{print $2}' /proc/$pid/io)
$bin load --url http://127.0.0.1:$port --quiet --json --concurrency 1 --ports 2000 --list 0 > w-$tag.json
w1=$(awk '/^wchar/{print $2}' /proc/$pid/io); s1=$(awk '/^syscw/{print $2}' /proc/$pid/io)
echo "$tag: $(( (w1-w0)/2000 )) B, $(( (s1-s0)/2000 )) write syscalls a create; cpu $(jq '.server.cpu_per_port_ns/1e4|round/100' w-$tag.json) ms, p50 $(jq '.port_create.p50_ns/1e4|round/100' w-$tag.json) ms"
kill $pid; wait $pid || true; rm -rf d-$tag
