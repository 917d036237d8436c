#!/usr/bin/env bash
# lookups.sh BIN TAG PORT DIR: serve DIR with the router, qos and midonet_gwdevice service
# plugins (noauth). The first call makes DIR: 20,000 ports by `midonet load` (8 clients), a
# router with a router_vtep gateway device and 2,000 remote MAC entries. Then p50 of 21 of:
# a QoS policy delete (the policy names no port), a remote MAC entry create (then deleted),
# and a router delete refused because the device names the router. Alternate two binaries
# on two copies of DIR (cp -a after the first call's server stopped).
set -euo pipefail
bin=$1 tag=$2 port=$3 dir=$4
fresh=
[ -d "$dir" ] || fresh=1
. "$(dirname "$0")/lib.sh"
serve "$bin" "$dir" "$port" router,qos,midonet_gwdevice serve-"$tag".log
if [ -n "$fresh" ]; then
	"$bin" load --url "http://127.0.0.1:$port" --quiet --concurrency 8 --ports 20000 --list 0 > /dev/null
	r=$(post routers '{"router":{"name":"r"}}' | jq -r .router.id)
	d=$(post gw/gateway_devices "{\"gateway_device\":{\"type\":\"router_vtep\",\"resource_id\":\"$r\",\"tunnel_ips\":[\"198.51.100.1\"]}}" | jq -r .gateway_device.id)
	for i in $(seq 0 1999); do
		printf '{"remote_mac_entry":{"mac_address":"fa:16:3e:%02x:%02x:01","vtep_address":"198.51.100.9","segmentation_id":100}}' $((i / 256)) $((i % 256)) |
			curl -s -o /dev/null "${H[@]}" -X POST "$url/gw/gateway_devices/$d/remote_mac_entries" -d @-
	done
	echo "$r $d" > "$dir.ids"
fi
read -r r d < "$dir.ids"
sleep 3
for _ in $(seq 21); do
	q=$(post qos/policies '{"policy":{"name":"q"}}' | jq -r .policy.id)
	curl -s -o /dev/null -w '%{time_total}\n' "${H[@]}" -X DELETE "$url/qos/policies/$q"
done | p50 | sed "s/^/$tag QoS policy delete at 20,000 ports: /"
entry_creates "$d" | p50 | sed "s/^/$tag remote MAC entry create beside 2,000: /"
for _ in $(seq 21); do
	curl -s -o /dev/null -w '%{time_total}\n' "${H[@]}" -X DELETE "$url/routers/$r"
done | p50 | sed "s/^/$tag refused router delete (a device names it): /"
