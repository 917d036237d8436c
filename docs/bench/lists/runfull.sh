#!/bin/bash
# runfull.sh BIN SRCDIR PORT OUT [REPS]: serve a copy of SRCDIR, wait for 200 and then SETTLE
# seconds (default 30: the start-up reconciliation and the agent's first load take about 20 s
# of CPU at 10,000 ports), measure the full list (fulllist.py), stop.
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$1; SRC=$2; PORT=$3; OUT=$4; REPS=${5:-20}
mkdir -p ${WORK:-/tmp/mn-lists}; D=${WORK:-/tmp/mn-lists}/run-$PORT; rm -rf $D; cp -a $SRC $D
$BIN serve --data-dir $D --bind-port $PORT --config-file $HERE/bench.conf > $D.log 2>&1 &
PID=$!
for i in $(seq 1 1200); do [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/)" = 200 ] && break; sleep 0.25; done
sleep ${SETTLE:-30}
echo "$(uptime)" | tee $OUT
python3 $HERE/fulllist.py http://127.0.0.1:$PORT 10000 $REPS $PID 2>&1 | tee -a $OUT
kill $PID; wait $PID
rm -rf $D
