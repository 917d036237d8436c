#!/usr/bin/env bash
# macs.sh BIN TAG PORT N: serve a new data dir (./m-TAG) with the router, midonet_gwdevice
# and midonet_l2gw service plugins (noauth); make a router_vtep gateway device on a router,
# an L2 gateway on it and a connection from a network on VNI 100; then create N remote MAC
# entries on VNI 100 with one client (curl). Prints the p50 of the first 100 creates and of
# the last 100, the p50 of 21 device shows (with its N entries) and of 21 more creates
# (each deleted after), and the server's mean commit → applied over the whole run.
set -euo pipefail
bin=$1 tag=$2 port=$3 n=$4
. "$(dirname "$0")/lib.sh"
serve_fresh "$bin" m-"$tag" "$port" router,midonet_gwdevice,midonet_l2gw ms-"$tag".log
net=$(post networks '{"network":{"name":"n"}}' | jq -r .network.id)
r=$(post routers '{"router":{"name":"r"}}' | jq -r .router.id)
d=$(post gw/gateway_devices "{\"gateway_device\":{\"type\":\"router_vtep\",\"resource_id\":\"$r\",\"tunnel_ips\":[\"198.51.100.1\"]}}" | jq -r .gateway_device.id)
g=$(post l2-gateways "{\"l2_gateway\":{\"name\":\"g\",\"devices\":[{\"device_id\":\"$d\"}]}}" | jq -r .l2_gateway.id)
post l2-gateway-connections "{\"l2_gateway_connection\":{\"l2_gateway_id\":\"$g\",\"network_id\":\"$net\",\"segmentation_id\":\"100\"}}" > /dev/null
for i in $(seq 0 $((n - 1))); do
	printf '{"remote_mac_entry":{"mac_address":"fa:16:%02x:%02x:%02x:01","vtep_address":"198.51.100.9","segmentation_id":100}}' \
		$((i / 65536)) $((i / 256 % 256)) $((i % 256)) |
		curl -s -o /dev/null -w '%{time_total}\n' "${H[@]}" -X POST "$url/gw/gateway_devices/$d/remote_mac_entries" -d @-
done > "mc-$tag.txt"
echo "$tag entry create, the first 100: $(head -100 "mc-$tag.txt" | p50); the last 100 (beside $((n - 100))): $(tail -100 "mc-$tag.txt" | p50)"
for _ in $(seq 21); do
	curl -s -o /dev/null -w '%{time_total}\n' "${H[@]}" "$url/gw/gateway_devices/$d"
done | p50 | sed "s/^/$tag device show with $n entries: /"
entry_creates "$d" | p50 | sed "s/^/$tag entry create beside $n: /"
curl -s "http://127.0.0.1:$port/metrics" | awk -v tag="$tag" '
	/^midonet_commit_to_applied_seconds_sum/ {s = $2} /^midonet_commit_to_applied_seconds_count/ {c = $2}
	END {printf "%s commit → applied, mean of %d writes: %.2f ms\n", tag, c, s / c * 1000}'
