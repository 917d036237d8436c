# lib.sh, sourced by macs.sh, fwrouters.sh and lookups.sh.
# serve BIN DIR PORT PLUGINS LOG: serve the data dir DIR (made if missing) on PORT (noauth,
# the service plugins PLUGINS), its output in LOG; returns once /healthcheck says OK, and
# stops the server when the script exits. Sets url (the Neutron API) and H (admin headers).
# serve_fresh BIN DIR PORT PLUGINS LOG: serve on a new DIR, removed when the script exits.
# post PATH BODY: POST BODY to the API's PATH, the answer on stdout.
# entry_creates DEVICE: 21 times, time a remote MAC entry's create on gateway device DEVICE
# (seconds on stdout), then delete the entry.
# p50: the median of the seconds on stdin, printed in milliseconds.
serve() {
	local bin=$1 dir=$2 port=$3 plugins=$4 log=$5
	url=http://127.0.0.1:$port/v2.0
	H=(-H "X-Project-Id: demo" -H "X-Roles: admin" -H "Content-Type: application/json")
	conf=$(mktemp)
	printf '[DEFAULT]\nauth_strategy = noauth\nservice_plugins = %s\n' "$plugins" > "$conf"
	"$bin" serve --data-dir "$dir" --bind-port "$port" --config-file "$conf" > "$log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$conf"' EXIT
	until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
}
serve_fresh() {
	rm -rf "$2"
	serve "$@"
	trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$conf" "'"$2"'"' EXIT
}
post() { curl -s "${H[@]}" -X POST "$url/$1" -d "$2"; }
entry_creates() {
	local out e
	for _ in $(seq 21); do
		out=$(curl -s -w '\n%{time_total}' "${H[@]}" -X POST "$url/gw/gateway_devices/$1/remote_mac_entries" \
			-d '{"remote_mac_entry":{"mac_address":"fa:16:3e:ff:ff:01","vtep_address":"198.51.100.9","segmentation_id":100}}')
		echo "$out" | tail -1
		e=$(echo "$out" | head -1 | jq -r .remote_mac_entry.id)
		curl -s -o /dev/null "${H[@]}" -X DELETE "$url/gw/gateway_devices/$1/remote_mac_entries/$e"
	done
}
p50() { sort -n | awk '{a[NR] = $1} END {printf "%.2f ms\n", a[int((NR + 1) / 2)] * 1000}'; }
