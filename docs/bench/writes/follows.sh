#!/usr/bin/env bash
# follows.sh BIN TAG PORT [ROUTERS]: `BIN serve` on a new data dir (./fl-TAG). An admin makes an
# external network (172.24.0.0/16) and ten metering labels of ten projects; ROUTERS (default
# 1,000) routers of 100 projects get a gateway on it. One more router gets an interface and
# a floating IP with 1,000 port forwardings. Then it times, one request at a time (curl's
# time_total; p50 and max of each):
#   - 50 forwardings of another floating IP to another port (each checked for collisions
#     with that floating IP's and that port's);
#   - 50 router creates with a gateway (each label of the router's project, or shared, reads
#     every router of that project);
#   - 50 floating IP creates on the external network (the forwardings read their floating IP),
#     then 50 with a port (each finds the router between the port's subnet and the network);
#   - 20 subnet creates on the external network, then their deletes (the routers with a
#     gateway there read the subnets of their gateway's addresses only).
set -euo pipefail
shopt -s inherit_errexit
bin=$(readlink -f "$1") tag=$2 port=$3 routers=${4:-1000}
rm -rf "fl-$tag"
"$bin" serve --data-dir "fl-$tag" --bind-port "$port" > "fl-$tag.log" 2>&1 &
pid=$!
until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
api=http://127.0.0.1:$port/v2.0
admin=(-H 'X-Project-Id: admin' -H 'X-Roles: admin' -H 'Content-Type: application/json')
post() { # post PROJECT PATH BODY: the answer's JSON
	local who=("${admin[@]}")
	[ "$1" = admin ] || who=(-H "X-Project-Id: $1" -H 'Content-Type: application/json')
	curl -sf "${who[@]}" -X POST "$api/$2" -d "$3"
}
timed() { # timed METHOD PATH BODY: time_total in ms (a failed request stops the script)
	curl -sf -o /dev/null -w '%{time_total}\n' "${admin[@]}" -X "$1" "$api/$2" ${3:+-d "$3"} | awk '{printf "%.2f\n", $1*1000}'
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "p50 %.2f ms, max %.2f ms (%d)", a[int((NR+1)/2)], a[NR], NR}'; }
ext=$(post admin networks '{"network": {"name": "ext", "router:external": true}}' | jq -r .network.id)
post admin subnets "{\"subnet\": {\"network_id\": \"$ext\", \"cidr\": \"172.24.0.0/16\", \"ip_version\": 4}}" > /dev/null
for i in $(seq 0 9); do
	post admin metering/metering-labels "{\"metering_label\": {\"name\": \"l$i\", \"project_id\": \"p$i\"}}" > /dev/null
done
gw="\"external_gateway_info\": {\"network_id\": \"$ext\"}"
for p in admin $(seq -f 'p%g' 0 99); do # quotas lifted: routers of p0..p99, floating IPs of admin
	curl -sf "${admin[@]}" -X PUT "$api/quotas/$p" -d '{"quota": {"router": -1, "floatingip": -1}}' > /dev/null
done
for i in $(seq 1 "$routers"); do
	post "p$((i % 100))" routers "{\"router\": {\"name\": \"r$i\", $gw}}" > /dev/null
done
net=$(post pf networks '{"network": {"name": "in"}}' | jq -r .network.id)
sub=$(post pf subnets "{\"subnet\": {\"network_id\": \"$net\", \"cidr\": \"10.0.0.0/24\", \"ip_version\": 4}}" | jq -r .subnet.id)
r=$(post pf routers "{\"router\": {\"name\": \"pf\", $gw}}" | jq -r .router.id)
curl -sf -H 'X-Project-Id: pf' -H 'Content-Type: application/json' -X PUT "$api/routers/$r/add_router_interface" -d "{\"subnet_id\": \"$sub\"}" > /dev/null
vm=$(post pf ports "{\"port\": {\"network_id\": \"$net\"}}" | jq -r '.port.id')
vmip=$(curl -sf -H 'X-Project-Id: pf' "$api/ports/$vm" | jq -r '.port.fixed_ips[0].ip_address')
fip=$(post pf floatingips "{\"floatingip\": {\"floating_network_id\": \"$ext\"}}" | jq -r .floatingip.id)
for i in $(seq 1 1000); do
	post pf "floatingips/$fip/port_forwardings" "{\"port_forwarding\": {\"protocol\": \"tcp\", \"internal_port_id\": \"$vm\",
		\"internal_ip_address\": \"$vmip\", \"internal_port\": $((1000 + i)), \"external_port\": $((10000 + i))}}" > /dev/null
done
vm2=$(post pf ports "{\"port\": {\"network_id\": \"$net\"}}" | jq -r '.port.id')
vm2ip=$(curl -sf -H 'X-Project-Id: pf' "$api/ports/$vm2" | jq -r '.port.fixed_ips[0].ip_address')
fip2=$(post pf floatingips "{\"floatingip\": {\"floating_network_id\": \"$ext\"}}" | jq -r .floatingip.id)
pc=$(for i in $(seq 1 50); do timed POST "floatingips/$fip2/port_forwardings" "{\"port_forwarding\": {\"protocol\": \"tcp\",
	\"internal_port_id\": \"$vm2\", \"internal_ip_address\": \"$vm2ip\", \"internal_port\": $((3000 + i)), \"external_port\": $((30000 + i))}}"; done | stats)
rc=$(for i in $(seq 1 50); do timed POST routers "{\"router\": {\"name\": \"t$i\", \"project_id\": \"p$((i % 10))\", $gw}}"; done | stats)
fc=$(for i in $(seq 1 50); do timed POST floatingips "{\"floatingip\": {\"floating_network_id\": \"$ext\"}}"; done | stats)
vms=$(for i in $(seq 1 50); do post pf ports "{\"port\": {\"network_id\": \"$net\"}}" | jq -r .port.id; done)
ac=$(for p in $vms; do timed POST floatingips "{\"floatingip\": {\"floating_network_id\": \"$ext\", \"port_id\": \"$p\"}}"; done | stats)
sc=$(for i in $(seq 1 20); do timed POST subnets "{\"subnet\": {\"network_id\": \"$ext\", \"cidr\": \"172.25.$i.0/24\", \"ip_version\": 4}}"; done | stats)
ids=$(curl -s "${admin[@]}" "$api/subnets?network_id=$ext&fields=id&fields=cidr" | jq -r '.subnets[] | select(.cidr | startswith("172.25.")) | .id')
sd=$(for s in $ids; do timed DELETE "subnets/$s"; done | stats)
echo "$tag ($routers routers, 10 labels, 1,000 forwardings): forwarding create $pc; router create $rc; floating IP create $fc, with a port $ac; external subnet create $sc, delete $sd"
kill "$pid"; wait "$pid" || true
rm -rf "fl-$tag"
