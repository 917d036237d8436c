# lib.sh, sourced by macs.sh and fwrouters.sh.
# serve_fresh BIN DIR PORT PLUGINS LOG: serve a new data dir DIR on PORT (noauth, the service
# plugins PLUGINS), its output in LOG; returns once /healthcheck says OK, and stops the server
# and removes DIR when the script exits. Sets url (the Neutron API) and H (admin headers).
# post PATH BODY: POST BODY to the API's PATH, the answer on stdout.
# p50: the median of the seconds on stdin, printed in milliseconds.
serve_fresh() {
	local bin=$1 dir=$2 port=$3 plugins=$4 log=$5
	url=http://127.0.0.1:$port/v2.0
	H=(-H "X-Project-Id: demo" -H "X-Roles: admin" -H "Content-Type: application/json")
	conf=$(mktemp)
	printf '[DEFAULT]\nauth_strategy = noauth\nservice_plugins = %s\n' "$plugins" > "$conf"
	rm -rf "$dir"
	"$bin" serve --data-dir "$dir" --bind-port "$port" --config-file "$conf" > "$log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$conf" "'"$dir"'"' EXIT
	until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
}
post() { curl -s "${H[@]}" -X POST "$url/$1" -d "$2"; }
p50() { sort -n | awk '{a[NR] = $1} END {printf "%.2f ms\n", a[int((NR + 1) / 2)] * 1000}'; }
