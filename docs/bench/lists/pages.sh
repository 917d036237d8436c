#!/bin/bash
# pages.sh BIN URL OUT PID: the first 50 pages of 100 by id, name, mac_address and created_at in each
# direction (`BIN load --page 100 --pages 50 --page-sort KEY:DIR --json`), p50/p90/min of each
# walk and the server's CPU time a page (PID: the server's, read from /proc/PID/stat)
BIN=$1; URL=$2; OUT=$3; PID=$4
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
c0=$(cpu); sleep 10; c1=$(cpu); echo "idle server: $(( (c1-c0)*10 )) ms CPU in 10 s" | tee $OUT
for k in id name mac_address created_at; do for d in asc desc; do
  c0=$(cpu); $BIN load --url $URL --ports 0 --list 0 --page 100 --pages 50 --page-sort $k:$d --json --quiet > /tmp/lf-page.json; c1=$(cpu)
  python3 -c "
import json,sys;d=json.load(open('/tmp/lf-page.json'))
p=[v for k,v in d.items() if 'page' in k and isinstance(v,dict)][0]
print('$k:$d', 'p50 %.2f ms p90 %.2f ms min %.2f ms n %d' % (p['p50_ns']/1e6, p['p90_ns']/1e6, p['min_ns']/1e6, p['count']), 'server CPU %.1f ms a page (elapsed %.2f s)' % (($c1-$c0)*10/p['count'], p['elapsed_ns']/1e9))" | tee -a $OUT
done; done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $OUT
