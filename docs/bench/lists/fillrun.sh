#!/bin/bash
# fillrun.sh BIN PORT DIR: a fresh data dir with 10,000 ports through the API (snapshot DIR/data-10k).
HERE=$(cd "$(dirname "$0")" && pwd)
set -e
BIN=$1; PORT=$2; D=$3
rm -rf $D; mkdir -p $D
$BIN serve --data-dir $D/data --bind-port $PORT --config-file $HERE/bench.conf > $D/serve.log 2>&1 &
PID=$!
for _ in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:$PORT/ && break; sleep 0.5; done
U=http://127.0.0.1:$PORT
H=(-H "Content-Type: application/json" -H "X-Project-Id: bench" -H "X-User-Id: bench")
sleep 5
NET=$(curl -s "${H[@]}" -X POST $U/v2.0/networks -d '{"network":{"name":"bench"}}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["network"]["id"])')
SUB=$(curl -s "${H[@]}" -X POST $U/v2.0/subnets -d '{"subnet":{"network_id":"'$NET'","ip_version":4,"cidr":"10.0.0.0/14"}}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["subnet"]["id"])')
t0=$(date +%s); python3 $HERE/fill.py $U 0 10000 $NET $SUB; echo "fill 10k: $(( $(date +%s) - t0 )) s"
kill $PID; wait $PID || true
cp -a $D/data $D/data-10k
echo done
