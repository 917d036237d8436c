#!/usr/bin/env bash
# syscalls.sh BIN TAG PORT CLIENTS N: serve a new data dir (./w-TAG), create 2,000 ports with
# one client, then N ports with CLIENTS clients (`midonet load`), and print the server's write
# syscalls and bytes written (/proc/PID/io: syscw, wchar) a port of the second run, with its
# rate and CPU a port. The write figures barely move with the machine's load; the rate does.
set -euo pipefail
bin=$1 tag=$2 port=$3 clients=$4 n=$5
rm -rf "w-$tag"; mkdir "w-$tag"
"$bin" serve --data-dir "w-$tag/d" --bind-port "$port" > "w-$tag/serve.log" 2>&1 &
pid=$!
until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.3; done
url=http://127.0.0.1:$port
"$bin" load --url "$url" --quiet --json --concurrency 1 --ports 2000 --list 0 > "w-$tag/warm.json"
sleep 2
io() { awk '/^syscw/{w=$2} /^wchar/{c=$2} END{print w, c}' "/proc/$pid/io"; }
read -r w0 c0 < <(io)
"$bin" load --url "$url" --quiet --json --concurrency "$clients" --ports "$n" --list 0 > "w-$tag/run.json"
read -r w1 c1 < <(io)
echo "$tag $clients client(s): $(( (w1-w0)/n )) write syscalls and $(( (c1-c0)/n )) bytes written a port;" \
	"$(jq '.port_create.ports_per_s|round' "w-$tag/run.json")/s, CPU $(jq '.server.cpu_per_port_ns/1e4|round/100' "w-$tag/run.json") ms a port"
kill "$pid"; wait "$pid" || true
rm -rf "w-$tag"
