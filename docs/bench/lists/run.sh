#!/bin/bash
# run.sh BIN SRCDIR PORT OUT: serve a copy of SRCDIR, wait for 200, measure, stop.
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$1; SRC=$2; PORT=$3; OUT=$4
mkdir -p ${WORK:-/tmp/mn-lists}; D=${WORK:-/tmp/mn-lists}/run-$PORT; rm -rf $D; cp -a $SRC $D
t0=$(date +%s.%N)
$BIN serve --data-dir $D --bind-port $PORT --config-file $HERE/bench.conf > $D.log 2>&1 &
PID=$!
for i in $(seq 1 1200); do [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/)" = 200 ] && break; sleep 0.25; done
echo "start to first 200: $(echo "$(date +%s.%N) - $t0" | bc) s" | tee $OUT
python3 $HERE/measure.py http://127.0.0.1:$PORT 10000 10 2>&1 | tee -a $OUT
kill $PID; wait $PID
