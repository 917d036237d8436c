# lib.sh, sourced by walk.sh and cold.sh.
# serve_fresh BIN SRC PORT PPROF [serve flags…]: serve a fresh copy of SRC (./data; never
# writes SRC) on PORT with pprof on PPROF, and return once /healthcheck says OK and the
# start-up's goroutines are gone (or 2 minutes), then 10 s more; sets pid, and t0 (the start).
serve_fresh() {
	local bin=$1 src=$2 port=$3 pprof=$4
	shift 4
	rm -rf data; cp -a "$src" data; sync
	MIDONET_PPROF_ADDR=127.0.0.1:$pprof "$bin" serve --data-dir "$PWD/data" --bind-port "$port" "$@" > serve.log 2>&1 &
	pid=$!; t0=$(date +%s.%N)
	until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do kill -0 $pid || exit 1; sleep 0.5; done
	sleep 15
	for _ in $(seq 1 120); do
		curl -s "http://127.0.0.1:$pprof/debug/pprof/goroutine?debug=1" |
			grep -qE 'agent.\(\*Agent\).load|cluster.\(\*Cluster\).Load|StartupRepair|readOwned|releaseStartupPeak' || break
		sleep 1
	done
	sleep 10
}
