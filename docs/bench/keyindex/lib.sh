# lib.sh, sourced by the scripts here.
# start_copy BIN TAG PORT: serve a fresh copy of $DATA100K (the 100,000-port dir; never written)
# as ./d-TAG on PORT, and return once /healthcheck says OK and 20 s more have passed; sets pid.
# stop_copy TAG: stop that server and remove the copy.
# timed_api PORT OUT: sets api (the Neutron URL on PORT) and h (noauth headers, project loadgen);
# then t CURL-ARGS… prints curl's time_total for one request with them, its answer going to OUT.
# load_profiled BIN URL OUT PROFILE SECONDS PPROF FLAGS…: `BIN load --json FLAGS…` against URL
# into OUT; when PROFILE (a file name) is not empty, a CPU profile of its first SECONDS goes
# there, from the server's pprof on port PPROF.
start_copy() {
	local bin=$1 tag=$2 port=$3
	rm -rf "d-$tag"; cp -a "${DATA100K:?set DATA100K to the 100,000-port data dir}" "d-$tag"; sync
	"$bin" serve --data-dir "d-$tag" --bind-port "$port" > "s-$tag.log" 2>&1 &
	pid=$!
	until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
	sleep 20
}
stop_copy() {
	kill "$pid"; wait "$pid" || true; rm -rf "d-$1"
}
timed_api() {
	api=http://127.0.0.1:$1/v2.0
	h=(-H 'X-Project-Id: loadgen' -H 'Content-Type: application/json')
	t_out=$2
}
t() { curl -s -o "$t_out" -w '%{time_total}' "${h[@]}" "$@"; }
load_profiled() {
	local bin=$1 url=$2 out=$3 profile=$4 secs=$5 pprof=$6 prof=
	shift 6
	if [ -n "$profile" ]; then
		curl -s -o "$profile" "http://127.0.0.1:$pprof/debug/pprof/profile?seconds=$secs" &
		prof=$!
	fi
	"$bin" load --url "$url" --quiet --json "$@" > "$out"
	[ -z "$prof" ] || wait "$prof"
}
