#!/usr/bin/env bash
# fwrouters.sh BIN TAG PORT N: serve a new data dir (./w-TAG) with the router, FWaaS v1 and v2
# and BGP service plugins (noauth); make N v1 firewalls (no router), N v2 firewall policies and
# N BGP speakers, one curl client. Then p50 of 21 of: a router delete (created just before,
# unmeasured), a v2 firewall rule create, and a v2 rule page of 100.
set -euo pipefail
bin=$1 tag=$2 port=$3 n=$4
. "$(dirname "$0")/lib.sh"
serve_fresh "$bin" w-"$tag" "$port" router,firewall,firewall_v2,bgp ws-"$tag".log
pol=$(post fw/firewall_policies '{"firewall_policy":{"name":"p"}}' | jq -r .firewall_policy.id)
for i in $(seq "$n"); do
	post fw/firewalls "{\"firewall\":{\"firewall_policy_id\":\"$pol\",\"router_ids\":[]}}" > /dev/null
	post fwaas/firewall_policies '{"firewall_policy":{"name":"p2"}}' > /dev/null
	post bgp-speakers "{\"bgp_speaker\":{\"name\":\"s$i\",\"local_as\":64512,\"ip_version\":4}}" > /dev/null
done
for _ in $(seq 21); do
	r=$(post routers '{"router":{"name":"r"}}' | jq -r .router.id)
	curl -s -o /dev/null -w '%{time_total}\n' "${H[@]}" -X DELETE "$url/routers/$r"
done | p50 | sed "s/^/$tag router delete beside $n firewalls and speakers: /"
for _ in $(seq 21); do
	curl -s -o /dev/null -w '%{time_total}\n' "${H[@]}" -X POST "$url/fwaas/firewall_rules" -d '{"firewall_rule":{"protocol":"tcp","action":"allow"}}'
done | p50 | sed "s/^/$tag v2 rule create beside $n policies: /"
for _ in $(seq 21); do
	curl -s -o /dev/null -w '%{time_total}\n' "${H[@]}" "$url/fwaas/firewall_rules?limit=100"
done | p50 | sed "s/^/$tag v2 rule page (21 rules) beside $n policies: /"
