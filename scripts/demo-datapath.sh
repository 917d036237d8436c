#!/usr/bin/env bash
# demo-datapath.sh: the datapath end to end on one machine, printing every command it runs.
#
#   sudo scripts/demo-datapath.sh          # build, run the scenario, clean up
#   sudo scripts/demo-datapath.sh --bench  # the same, then measure (BENCHMARKS.md, "Datapath")
#
# It starts `midonet serve` with [MIDONET] datapath = afpacket, creates two networks behind a
# router through the Neutron API, makes three network namespaces standing in for VMs on veth
# pairs whose host ends the VMs' ports are bound to, and shows: DHCP from a real client
# (busybox udhcpc), ping on one network and across the router, and a TCP connection.
# Needs root, iproute2, busybox, iputils-ping, curl, jq, python3 (and iperf3 for --bench).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=0
[ "${1:-}" = "--bench" ] && BENCH=1
PORT=${DEMO_PORT:-9698}
API=http://127.0.0.1:$PORT/v2.0
WORK=$(mktemp -d /tmp/midonet-demo.XXXXXX)
TAG=$(printf '%04x' $((RANDOM)))
NS=()
LINKS=()

say() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
run() { printf '+ %s\n' "$*" >&2; "$@"; }

cleanup() {
	for ns in "${NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	for l in "${LINKS[@]}"; do ip link del "$l" 2>/dev/null || true; done
	[ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

api() { # api METHOD PATH [JSON]
	local out
	out=$(curl -sS -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$API/$2")
	printf '%s' "$out"
}

say "build and start midonet serve with the datapath on (host name demo-host)"
run go build -o "$WORK/midonet" ./cmd/midonet
cat > "$WORK/midonet.conf" <<CONF
[DEFAULT]
auth_strategy = noauth
host = demo-host
[MIDONET]
datapath = afpacket
CONF
printf '+ %s\n' "$WORK/midonet serve --data-dir $WORK/data --bind-port $PORT --config-file $WORK/midonet.conf &" >&2
"$WORK/midonet" serve --data-dir "$WORK/data" --bind-port "$PORT" --config-file "$WORK/midonet.conf" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 60); do curl -s -o /dev/null "$API/networks" && break; sleep 0.5; done

say "two networks behind a router, through the Neutron API"
NETA=$(api POST networks '{"network":{"name":"demo-a"}}' | jq -r .network.id)
SUBA=$(api POST subnets "{\"subnet\":{\"network_id\":\"$NETA\",\"cidr\":\"10.91.0.0/24\",\"ip_version\":4}}" | jq -r .subnet.id)
NETB=$(api POST networks '{"network":{"name":"demo-b"}}' | jq -r .network.id)
SUBB=$(api POST subnets "{\"subnet\":{\"network_id\":\"$NETB\",\"cidr\":\"10.92.0.0/24\",\"ip_version\":4}}" | jq -r .subnet.id)
ROUTER=$(api POST routers '{"router":{"name":"demo-r"}}' | jq -r .router.id)
api PUT "routers/$ROUTER/add_router_interface" "{\"subnet_id\":\"$SUBA\"}" >/dev/null
api PUT "routers/$ROUTER/add_router_interface" "{\"subnet_id\":\"$SUBB\"}" >/dev/null
SG=$(api GET "security-groups?name=default" | jq -r '.security_groups[0].id')
api POST security-group-rules "{\"security_group_rule\":{\"security_group_id\":\"$SG\",\"direction\":\"ingress\",\"ethertype\":\"IPv4\",\"protocol\":\"icmp\"}}" >/dev/null
echo "networks $NETA $NETB, router $ROUTER; the default group lets its members in, and pings from anywhere"

vm() { # vm NAME NETWORK -> prints "ns ip"
	local name=$1 net=$2 port mac ns=demo-$1-$TAG host=dm$TAG$1
	port=$(api POST ports "{\"port\":{\"name\":\"$name\",\"network_id\":\"$net\",\"device_owner\":\"compute:nova\"}}")
	mac=$(jq -r .port.mac_address <<<"$port")
	run ip netns add "$ns" >&2; NS+=("$ns")
	run ip link add "$host" type veth peer name eth0 netns "$ns" >&2; LINKS+=("$host")
	run ip -n "$ns" link set eth0 address "$mac" >&2
	run ip -n "$ns" link set eth0 up >&2
	run ip -n "$ns" link set lo up >&2
	api PUT "ports/$(jq -r .port.id <<<"$port")" "{\"port\":{\"binding:host_id\":\"demo-host\",\"binding:profile\":{\"interface_name\":\"$host\"}}}" >/dev/null
	echo "$ns $(jq -r '.port.fixed_ips[0].ip_address' <<<"$port")"
}

say "three VMs: network namespaces on veth pairs; each port bound to demo-host with its veth end"
read -r NS1 IP1 < <(vm 1 "$NETA")
read -r NS2 IP2 < <(vm 2 "$NETA")
read -r NS3 IP3 < <(vm 3 "$NETB")
cat > "$WORK/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in bound|renew)
	ip addr flush dev "$interface"; ip addr add "$ip/$subnet" dev "$interface"
	[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface";;
esac
SCRIPT
chmod +x "$WORK/udhcpc.sh"
sleep 2

say "DHCP from a real client in each VM"
for ns in "$NS1" "$NS2" "$NS3"; do
	run ip netns exec "$ns" busybox udhcpc -i eth0 -n -q -t 5 -T 1 -s "$WORK/udhcpc.sh"
	run ip -n "$ns" -4 -br addr show eth0
done

say "ping on one network, then across the router"
run ip netns exec "$NS1" ping -c 3 "$IP2"
run ip netns exec "$NS3" ping -c 3 "$IP1"

say "TCP: vm2 serves HTTP, vm1 fetches it"
printf '+ %s\n' "ip netns exec $NS2 python3 -m http.server 8080 &" >&2
(cd "$WORK" && exec ip netns exec "$NS2" python3 -m http.server 8080) >/dev/null 2>&1 &
sleep 1
run ip netns exec "$NS1" curl -s -o /dev/null -w 'HTTP %{http_code} in %{time_total}s\n' "http://$IP2:8080/"

say "the same packet as midonet trace sees it"
PORT1=$(api GET "ports?name=1" | jq -r '.ports[0].id')
run curl -s "http://127.0.0.1:$PORT/trace?from_port=$PORT1&dst=$IP2&proto=tcp&dport=8080" | jq -r '.verdict, (.hops[] | select(.note != "") | "  " + .note)'

say "datapath counters"
sleep 5
run curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^midonet_datapath_(flows|flow_hits|simulations)' || true

if [ "$BENCH" = 1 ]; then
	say "bench: ping RTT vm1 → vm2 (same network) and vm1 → vm3 (across the router), 500 pings each"
	for dst in "$IP2" "$IP3"; do
		ip netns exec "$NS1" ping -q -c 500 -i 0.002 "$dst" | tail -2
		ip netns exec "$NS1" ping -c 500 -i 0.002 "$dst" | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n |
			awk '{a[NR]=$1} END {printf "p50 %.3f ms  p99 %.3f ms  (%d replies)\n", a[int(NR*0.5)], a[int(NR*0.99)], NR}'
	done
	say "bench: TCP throughput vm1 → vm2 (iperf3, 10 s)"
	ip netns exec "$NS2" iperf3 -s -1 >/dev/null 2>&1 &
	sleep 1
	run ip netns exec "$NS1" iperf3 -c "$IP2" -t 10 -M 1400 | tail -4
	say "bench: UDP packet rate vm1 → vm2 (iperf3, 64-byte datagrams, 10 s)"
	ip netns exec "$NS2" iperf3 -s -1 >/dev/null 2>&1 &
	sleep 1
	run ip netns exec "$NS1" iperf3 -c "$IP2" -u -b 0 -l 64 -t 10 | tail -4
	say "bench: new TCP connections per second vm1 → vm2:8081 (2,000 connections to an accept loop)"
	ip netns exec "$NS2" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8081)); s.listen(4096)
while True:
    c, _ = s.accept(); c.close()' >/dev/null 2>&1 &
	sleep 1
	ip netns exec "$NS1" python3 - "$IP2" <<'PY'
import socket, sys, time
n, t0, times = 2000, time.time(), []
for i in range(n):
    t = time.time()
    s = socket.create_connection((sys.argv[1], 8081), timeout=3)
    times.append(time.time() - t)
    s.close()
dt = time.time() - t0
times.sort()
print(f"{n} connections in {dt:.2f} s: {n/dt:.0f}/s; connect p50 {times[n//2]*1e3:.2f} ms, "
      f"p99 {times[n*99//100]*1e3:.2f} ms, max {times[-1]*1e3:.0f} ms, over 0.5 s: {sum(1 for x in times if x > 0.5)}")
PY
	run curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^midonet_datapath_(flows|flow_hits|simulations)' || true
fi
say "done (cleaning up)"
