#!/bin/bash
# runload.sh BIN SRCDIR PORT OUT [LISTS]: serve a copy of SRCDIR (a data dir `midonet load`
# filled), wait for the healthcheck and SETTLE more seconds (default 20: the start-up
# reconciliation and the agent's first load), then run LISTS (default 10) full lists with
# `midonet load --ports 0 --list LISTS --json` after one uncounted list that fills the caches,
# and report the load's figures with the server's CPU time a list (from /proc/PID/stat).
# With PPROF=host:port the server serves pprof there (MIDONET_PPROF_ADDR).
BIN=$1; SRC=$2; PORT=$3; OUT=$4; LISTS=${5:-10}
W=${WORK:-/tmp/mn-lists}; mkdir -p $W; D=$W/run-$PORT; rm -rf $D; cp -a $SRC $D
MIDONET_PPROF_ADDR=$PPROF $BIN serve --data-dir $D --bind-port $PORT --config-file $(dirname "$0")/bench.conf > $D.log 2>&1 &
PID=$!
until [ "$(curl -s http://127.0.0.1:$PORT/healthcheck)" = OK ]; do sleep 0.25; done
sleep ${SETTLE:-20}
URL=http://127.0.0.1:$PORT
$BIN load --url $URL --ports 0 --list 1 --quiet > /dev/null
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
c0=$(cpu); l0=$(cut -d' ' -f1-3 /proc/loadavg)
$BIN load --url $URL --ports 0 --list $LISTS --quiet --json > $D.json
c1=$(cpu); l1=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$D.json" "$c0" "$c1" "$tick" "$LISTS" "$l0" "$l1" <<'PY' | tee $OUT
import json, sys
d = json.load(open(sys.argv[1]))["port_list"]
c0, c1, tick, n = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ms = lambda k: d[k] / 1e6
print(f"load {sys.argv[6]} -> {sys.argv[7]}: {d['count']} lists of {d['ports']} ports, {d['bytes']} bytes: "
      f"p50 {ms('p50_ns'):.0f} ms, min {ms('min_ns'):.0f} ms, max {ms('max_ns'):.0f} ms; "
      f"server CPU {(c1 - c0) * 1000 / tick / n:.0f} ms a list")
PY
kill $PID; wait $PID 2>/dev/null
rm -rf $D
