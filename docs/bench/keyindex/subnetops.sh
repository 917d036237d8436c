#!/usr/bin/env bash
# subnetops.sh BIN TAG PORT: a copy of the 100,000-port dir, /healthcheck OK + 20 s, then subnet
# updates on the network that holds the most ports, timed by curl (time_total): a rename, new DNS
# servers, a description, the gateway removed (its ports' and routers' translations read it) and
# set back, and a second subnet created on that network and deleted.
set -euo pipefail
bin=$1 tag=$2 port=$3
. "$(dirname "$0")/lib.sh"
start_copy "$bin" "$tag" "$port"
timed_api "$port" /tmp/subnetops.out
big=$(curl -s "${h[@]}" "$api/ports?fields=network_id" | jq -r '[.ports[].network_id] | group_by(.) | max_by(length) | .[0]')
subnet=$(curl -s "${h[@]}" "$api/subnets?network_id=$big&fields=id" | jq -r '.subnets[0].id')
gw=$(curl -s "${h[@]}" "$api/subnets/$subnet" | jq -r .subnet.gateway_ip)
put() { t -X PUT -d "{\"subnet\":$1}" "$api/subnets/$subnet"; }
line="$tag ($(curl -s "${h[@]}" "$api/ports?network_id=$big&fields=id" | jq '.ports | length') ports):"
line="$line rename $(put '{"name":"renamed"}'), DNS $(put '{"dns_nameservers":["192.0.2.53"]}')"
line="$line, description $(put '{"description":"d"}'), no gateway $(put '{"gateway_ip":null}'), gateway back $(put "{\"gateway_ip\":\"$gw\"}")"
c=$(t -X POST -d "{\"subnet\":{\"network_id\":\"$big\",\"cidr\":\"192.0.2.0/24\",\"ip_version\":4}}" "$api/subnets")
second=$(jq -r .subnet.id /tmp/subnetops.out)
line="$line, second subnet $c, its delete $(t -X DELETE "$api/subnets/$second") s"
echo "$line"
stop_copy "$tag"
