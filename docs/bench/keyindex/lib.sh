# lib.sh, sourced by the scripts here.
# start_copy BIN TAG PORT: serve a fresh copy of $DATA100K (the 100,000-port dir; never written)
# as ./d-TAG on PORT, and return once /healthcheck says OK and 20 s more have passed; sets pid.
# stop_copy TAG: stop that server and remove the copy.
start_copy() {
	local bin=$1 tag=$2 port=$3
	rm -rf "d-$tag"; cp -a "${DATA100K:?set DATA100K to the 100,000-port data dir}" "d-$tag"
	"$bin" serve --data-dir "d-$tag" --bind-port "$port" > "s-$tag.log" 2>&1 &
	pid=$!
	until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
	sleep 20
}
stop_copy() {
	kill "$pid"; wait "$pid" || true; rm -rf "d-$1"
}
