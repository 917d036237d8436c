#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq filters use $variables passed with --arg
# smoke-openstack-cli.sh: drive `midonet serve` (noauth, embedded SQLite) with
# Debian's `openstack` CLI (and `neutron` for quotas) the way a user would, and
# check what each command shows.
#
#   scripts/smoke-openstack-cli.sh            build cmd/midonet, start it, run
#   MIDONET_BIN=/path/midonet scripts/...     use a prebuilt binary
#   SMOKE_KEEP=1 scripts/...                  keep the temp dir (server log)
#
# Needs: go (unless MIDONET_BIN), openstack (python3-openstackclient), neutron
# (python3-neutronclient), jq, curl, python3. scripts/install-test-deps.sh
# installs them. Prints one line per check and, last, "N passed, M failed";
# exits non-zero when a check failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2

# Nothing from the caller's OpenStack environment (OS_CLOUD, a token, a
# Keystone URL) may redirect the CLI.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^OS_' || true)

for tool in openstack neutron jq curl python3; do
	command -v "$tool" >/dev/null || { echo "smoke: $tool not found; run scripts/install-test-deps.sh" >&2; exit 2; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/midonet-smoke.XXXXXX")
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	if [ "${SMOKE_KEEP:-0}" = 1 ]; then echo "smoke: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

BIN=${MIDONET_BIN:-}
if [ -z "$BIN" ]; then
	BIN=$TMP/midonet
	echo "smoke: building cmd/midonet"
	go build -o "$BIN" ./cmd/midonet || { echo "smoke: build failed" >&2; exit 2; }
fi

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start the server on a free port; another process may take the port between
# our probe and the server's bind, so retry a few times.
start_server() {
	local _
	for _ in 1 2 3 4 5; do
		PORT=$(free_port)
		rm -rf "$TMP/data"
		"$BIN" serve --data-dir "$TMP/data" --bind-host 127.0.0.1 --bind-port "$PORT" >"$TMP/server.log" 2>&1 &
		SERVER_PID=$!
		for _ in $(seq 1 100); do
			if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
			if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 200 ]; then
				return 0
			fi
			sleep 0.1
		done
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
		if ! grep -q 'address already in use' "$TMP/server.log"; then break; fi
	done
	echo "smoke: midonet serve did not answer GET / with 200; its log:" >&2
	sed 's/^/  | /' "$TMP/server.log" >&2
	return 1
}

if ! start_server; then
	echo "0 passed, 1 failed"
	exit 1
fi
URL=http://127.0.0.1:$PORT
echo "smoke: midonet serve on $URL (data dir $TMP/data)"

# ------------------------------------------------------------------ helpers

PASS=0
FAIL=0
N=0
OUT=
ERR=
RC=0
CMD=

# osc ARGS...: run `openstack` in noauth mode against the server; sets OUT, ERR, RC, CMD.
osc() {
	CMD="openstack --os-auth-type none --os-endpoint $URL $*"
	OUT=$(openstack --os-auth-type none --os-endpoint "$URL" "$@" 2>"$TMP/stderr")
	RC=$?
	ERR=$(cat "$TMP/stderr")
}

# neu ARGS...: run the `neutron` CLI (token-endpoint mode: any token, noauth server).
neu() {
	CMD="neutron --os-token noauth --os-url $URL $*"
	OUT=$(OS_AUTH_TYPE=admin_token neutron --os-token noauth --os-url "$URL" "$@" 2>"$TMP/stderr")
	RC=$?
	ERR=$(grep -v 'neutron CLI is deprecated' "$TMP/stderr")
}

pass() {
	N=$((N + 1)) PASS=$((PASS + 1))
	printf 'ok %2d - %s\n' "$N" "$1"
}

fail() {
	N=$((N + 1)) FAIL=$((FAIL + 1))
	printf 'FAIL %2d - %s\n' "$N" "$1"
	printf '    command: %s\n    exit: %s\n' "$CMD" "$RC"
	[ -z "$ERR" ] || printf '%s\n' "$ERR" | head -n 20 | sed 's/^/    stderr: /'
	if [ -n "$OUT" ]; then
		# one line per JSON document, else the first lines as printed
		{ jq -c . <<<"$OUT" 2>/dev/null || printf '%s\n' "$OUT"; } | head -n 20 | cut -c1-2000 | sed 's/^/    stdout: /'
	fi
	[ -z "${2:-}" ] || printf '    expected: %s\n' "$2"
}

# expect DESC FILTER [JQ ARGS...]: the last command succeeded and the jq
# FILTER is true on its stdout.
expect() {
	local desc=$1 filter=$2
	shift 2
	if [ "$RC" -ne 0 ]; then
		fail "$desc" "exit 0 and: $filter"
	elif jq -e "$@" "$filter" <<<"$OUT" >/dev/null 2>&1; then
		pass "$desc"
	else
		fail "$desc" "$filter"
	fi
}

# expect_ok DESC: the last command succeeded (commands that print nothing).
expect_ok() {
	if [ "$RC" -eq 0 ]; then pass "$1"; else fail "$1" "exit 0"; fi
}

# expect_error DESC REGEX: the last command failed and its stderr matches REGEX.
expect_error() {
	if [ "$RC" -ne 0 ] && grep -Eq -- "$2" <<<"$ERR"; then
		pass "$1"
	else
		fail "$1" "a failure whose message matches /$2/"
	fi
}

# field JQ: print one value of the last stdout (empty when absent).
field() { jq -r "$1 // empty" <<<"$OUT" 2>/dev/null; }

# ------------------------------------------------------------------ networks

osc network create smoke-net --description "smoke network" -f json
expect "network create returns the new network" \
	'.name == "smoke-net" and .description == "smoke network" and .admin_state_up == true
	 and .shared == false and .status == "ACTIVE" and (.id | test("^[0-9a-f-]{36}$"))'
NET_ID=$(field .id)
PROJECT_ID=$(field .project_id)

osc network list -f json
expect "network list shows it" 'any(.[]; .ID == $id and .Name == "smoke-net")' --arg id "$NET_ID"

osc network show smoke-net -f json
expect "network show finds it by name" '.id == $id and .name == "smoke-net"' --arg id "$NET_ID"

osc network set --name smoke-net-2 --share --description "updated network" smoke-net
if [ "$RC" -eq 0 ]; then osc network show "$NET_ID" -f json; fi
expect "network set --name --share --description shows in show" \
	'.name == "smoke-net-2" and .shared == true and .description == "updated network"'

osc network list --name smoke-net-2 -f json
expect "network list --name filters" 'length == 1 and .[0].ID == $id' --arg id "$NET_ID"

# ------------------------------------------------------------------ subnets

osc subnet create smoke-subnet --network smoke-net-2 --subnet-range 10.20.0.0/24 \
	--allocation-pool start=10.20.0.10,end=10.20.0.100 --dns-nameserver 192.0.2.53 \
	--gateway 10.20.0.1 -f json
expect "subnet create takes range, pool, DNS server and gateway" \
	'.name == "smoke-subnet" and .network_id == $net and .cidr == "10.20.0.0/24" and .ip_version == 4
	 and .gateway_ip == "10.20.0.1" and .allocation_pools == [{"start": "10.20.0.10", "end": "10.20.0.100"}]
	 and .dns_nameservers == ["192.0.2.53"] and .enable_dhcp == true' --arg net "$NET_ID"
SUBNET_ID=$(field .id)

osc subnet list -f json
expect "subnet list shows it" \
	'any(.[]; .ID == $id and .Name == "smoke-subnet" and .Network == $net and .Subnet == "10.20.0.0/24")' \
	--arg id "$SUBNET_ID" --arg net "$NET_ID"

osc subnet list --network smoke-net-2 -f json
expect "subnet list --network filters" 'length == 1 and .[0].ID == $id' --arg id "$SUBNET_ID"

osc subnet show smoke-subnet -f json
expect "subnet show finds it by name" '.id == $id and .cidr == "10.20.0.0/24"' --arg id "$SUBNET_ID"

osc network show "$NET_ID" -f json
expect "network show lists the subnet" '.subnets == [$id]' --arg id "$SUBNET_ID"

osc subnet set --name smoke-subnet-2 --description "updated subnet" \
	--no-dns-nameservers --dns-nameserver 192.0.2.54 smoke-subnet
if [ "$RC" -eq 0 ]; then osc subnet show "$SUBNET_ID" -f json; fi
expect "subnet set --name --description --dns-nameserver shows in show" \
	'.name == "smoke-subnet-2" and .description == "updated subnet" and .dns_nameservers == ["192.0.2.54"]'

# ------------------------------------------------------------------ ports

osc port create smoke-port --network smoke-net-2 --fixed-ip subnet=smoke-subnet-2,ip-address=10.20.0.50 -f json
expect "port create gets the requested fixed IP" \
	'.name == "smoke-port" and .network_id == $net and .admin_state_up == true
	 and .fixed_ips == [{"subnet_id": $sub, "ip_address": "10.20.0.50"}]
	 and (.mac_address | test("^fa:16:3e(:[0-9a-f]{2}){3}$"))' \
	--arg net "$NET_ID" --arg sub "$SUBNET_ID"
PORT_ID=$(field .id)
PORT_MAC=$(field .mac_address)

osc port create smoke-port-auto --network smoke-net-2 -f json
expect "port create without an IP gets one from the allocation pool" \
	'(.fixed_ips | length) == 1 and .fixed_ips[0].subnet_id == $sub
	 and (.fixed_ips[0].ip_address | split(".") | .[0:3] == ["10","20","0"] and (.[3] | tonumber) >= 10 and (.[3] | tonumber) <= 100)
	 and .fixed_ips[0].ip_address != "10.20.0.50"' --arg sub "$SUBNET_ID"
PORT2_ID=$(field .id)

osc port create smoke-port-dup --network smoke-net-2 --fixed-ip subnet=smoke-subnet-2,ip-address=10.20.0.50 -f json
expect_error "port create with an IP already in use fails with 409" '409|[Cc]onflict|already allocated'

osc port list -f json
expect "port list shows both ports with their IPs" \
	'any(.[]; .ID == $p1 and .Name == "smoke-port" and .["MAC Address"] == $mac
	        and (.["Fixed IP Addresses"] | tostring | contains("10.20.0.50")))
	 and any(.[]; .ID == $p2 and .Name == "smoke-port-auto")' \
	--arg p1 "$PORT_ID" --arg p2 "$PORT2_ID" --arg mac "$PORT_MAC"

osc port show smoke-port -f json
expect "port show finds it by name" '.id == $id and .fixed_ips[0].ip_address == "10.20.0.50"' --arg id "$PORT_ID"

osc port set --name smoke-port-2 --allowed-address ip-address=10.20.0.200 smoke-port
if [ "$RC" -eq 0 ]; then osc port show "$PORT_ID" -f json; fi
expect "port set --name --allowed-address shows in show" \
	'.name == "smoke-port-2" and .allowed_address_pairs == [{"ip_address": "10.20.0.200", "mac_address": $mac}]' \
	--arg mac "$PORT_MAC"

osc network delete smoke-net-2
expect_error "network delete with ports on it fails with 409" '409|[Cc]onflict|in use'

# ------------------------------------------------------------------ security groups

osc security group create smoke-sg --description "smoke sg" -f json
expect "security group create returns it with the two default egress rules" \
	'.name == "smoke-sg" and .description == "smoke sg"
	 and ([.rules[] | select(.direction == "egress") | .ethertype] | sort) == ["IPv4", "IPv6"]
	 and (.rules | length) == 2'
SG_ID=$(field .id)

osc security group list -f json
expect "security group list shows it and the project's default group" \
	'any(.[]; .ID == $id and .Name == "smoke-sg") and any(.[]; .Name == "default")' --arg id "$SG_ID"

osc security group show smoke-sg -f json
expect "security group show finds it by name" '.id == $id' --arg id "$SG_ID"

osc security group set --name smoke-sg-2 --description "updated sg" smoke-sg
if [ "$RC" -eq 0 ]; then osc security group show "$SG_ID" -f json; fi
expect "security group set --name --description shows in show" \
	'.name == "smoke-sg-2" and .description == "updated sg"'

osc security group rule create --protocol tcp --dst-port 22 --remote-ip 0.0.0.0/0 --ingress smoke-sg-2 -f json
expect "security group rule create (tcp 22 from 0.0.0.0/0, ingress)" \
	'.security_group_id == $sg and .direction == "ingress" and .protocol == "tcp"
	 and .port_range_min == 22 and .port_range_max == 22 and .remote_ip_prefix == "0.0.0.0/0"
	 and .ether_type == "IPv4"' --arg sg "$SG_ID"
RULE_ID=$(field .id)

osc security group rule list smoke-sg-2 -f json
expect "security group rule list shows it beside the two egress rules" \
	'length == 3 and any(.[]; .ID == $id and .["IP Protocol"] == "tcp" and .["Port Range"] == "22:22"
	                        and .Direction == "ingress" and .["IP Range"] == "0.0.0.0/0")' --arg id "$RULE_ID"

osc security group rule show "$RULE_ID" -f json
expect "security group rule show" '.id == $id and .port_range_min == 22 and .protocol == "tcp"' --arg id "$RULE_ID"

osc security group rule create --protocol tcp --dst-port 22 --remote-ip 0.0.0.0/0 --ingress smoke-sg-2 -f json
expect_error "a duplicate security group rule fails with 409" '409|[Cc]onflict|already exists'

osc port set --no-security-group --security-group smoke-sg-2 smoke-port-2
if [ "$RC" -eq 0 ]; then osc port show "$PORT_ID" -f json; fi
expect "port set --security-group replaces the port's groups" '.security_group_ids == [$sg]' --arg sg "$SG_ID"

osc security group rule delete "$RULE_ID"
if [ "$RC" -eq 0 ]; then osc security group rule list smoke-sg-2 -f json; fi
expect "security group rule delete removes it from the list" \
	'length == 2 and all(.[]; .ID != $id)' --arg id "$RULE_ID"

# ------------------------------------------------------------------ rbac policies

osc network create smoke-rbac-net -f json
RBAC_NET_ID=$(field .id)
osc network rbac create --type network --action access_as_shared --target-all-projects smoke-rbac-net -f json
expect "network rbac create shares the network with every project" \
	'.object_type == "network" and .object_id == $net and .action == "access_as_shared" and .target_project_id == "*"' \
	--arg net "$RBAC_NET_ID"
RBAC_ID=$(field .id)

osc network rbac list -f json
expect "network rbac list shows the policy" 'any(.[]; .ID == $id and .["Object Type"] == "network" and .["Object ID"] == $net)' \
	--arg id "$RBAC_ID" --arg net "$RBAC_NET_ID"

osc network show "$RBAC_NET_ID" -f json
expect "the network is shared once the policy exists" '.shared == true'

osc network rbac create --type network --action access_as_shared --target-all-projects smoke-rbac-net -f json
expect_error "a duplicate rbac policy fails with 409" '409|[Cc]onflict|already exists'

osc network rbac delete "$RBAC_ID"
if [ "$RC" -eq 0 ]; then osc network rbac list -f json; fi
expect "network rbac delete removes it from the list" 'all(.[]; .ID != $id)' --arg id "$RBAC_ID"

osc network show "$RBAC_NET_ID" -f json
expect "the network is no longer shared" '.shared == false'

# ------------------------------------------------------------------ firewall groups (FWaaS v2)

osc firewall group rule create --name smoke-fw-ssh --protocol tcp --destination-port 22 --action allow -f json
expect "firewall group rule create shows the rule" '.Protocol == "tcp" and .["Destination Port"] == "22" and .Action == "allow" and .Enabled == true'
FW_RULE1=$(field .ID)
osc firewall group rule create --name smoke-fw-web --protocol tcp --destination-port 80 --action deny -f json
FW_RULE2=$(field .ID)
osc firewall group policy create --firewall-rule smoke-fw-ssh smoke-fw-pol -f json
expect "firewall group policy create holds the rule" '(.firewall_rules // .["Firewall Rules"]) == [$r]' --arg r "$FW_RULE1"
osc firewall group policy add rule --insert-before smoke-fw-ssh smoke-fw-pol smoke-fw-web
expect_ok "firewall group policy add rule inserts a rule"
osc firewall group policy show smoke-fw-pol -f json
expect "the policy's rules are in the inserted order" '(.firewall_rules // .["Firewall Rules"]) == [$a, $b]' --arg a "$FW_RULE2" --arg b "$FW_RULE1"
osc firewall group create --name smoke-fwg --ingress-firewall-policy smoke-fw-pol --no-port -f json
expect "firewall group create applies the policy" '(.ingress_firewall_policy_id // .["Ingress Policy ID"]) != null and (.status // .Status) == "INACTIVE"'
FWG_ID=$(field .ID)
# (noauth without a project: no project's default group is made, unlike with Keystone)
osc firewall group list -f json
expect "firewall group list shows the new group" 'any(.[]; .Name == "smoke-fwg" and .["Ingress Policy ID"] != null)'
osc firewall group rule delete smoke-fw-ssh
expect_error "a rule a policy holds cannot be deleted" '409|[Cc]onflict|in use|being used'
osc firewall group policy remove rule smoke-fw-pol smoke-fw-ssh
expect_ok "firewall group policy remove rule"
osc firewall group delete "$FWG_ID"
expect_ok "firewall group delete"
osc firewall group policy delete smoke-fw-pol
expect_ok "firewall group policy delete"
osc firewall group rule delete smoke-fw-ssh smoke-fw-web
expect_ok "firewall group rule delete"

# ------------------------------------------------------------------ extensions, quotas

osc extension list --network -f json
expect "extension list --network has the core aliases" \
	'[.[].Alias] as $a | all("security-group", "quotas", "allowed-address-pairs", "external-net",
	                          "binding", "standard-attr-tag"; . as $x | $a | index($x))'

osc extension show security-group -f json
expect "extension show security-group" '.alias == "security-group" and (.name | length) > 0'

neu quota-show --tenant-id "$PROJECT_ID" -f json
expect "quota show (neutron CLI) gives the project's limits" \
	'(.network | type) == "number" and (.subnet | type) == "number" and (.port | type) == "number"
	 and (.security_group | type) == "number" and (.security_group_rule | type) == "number"'

neu quota-update --tenant-id "$PROJECT_ID" --network 42 -f json
if [ "$RC" -eq 0 ]; then neu quota-show --tenant-id "$PROJECT_ID" -f json; fi
expect "quota update (neutron CLI) shows in quota show" '.network == 42'

# ------------------------------------------------------------------ deletes

osc port delete smoke-port-2 smoke-port-auto
if [ "$RC" -eq 0 ]; then osc port list --network "$NET_ID" -f json; fi
expect "port delete removes both ports" 'all(.[]; .ID != $a and .ID != $b)' --arg a "$PORT_ID" --arg b "$PORT2_ID"

osc security group delete smoke-sg-2
if [ "$RC" -eq 0 ]; then osc security group list -f json; fi
expect "security group delete removes it from the list" 'all(.[]; .ID != $id)' --arg id "$SG_ID"

osc subnet delete smoke-subnet-2
if [ "$RC" -eq 0 ]; then osc subnet list -f json; fi
expect "subnet delete removes it from the list" 'all(.[]; .ID != $id)' --arg id "$SUBNET_ID"

osc network delete smoke-net-2
if [ "$RC" -eq 0 ]; then osc network list -f json; fi
expect "network delete removes it from the list" 'all(.[]; .ID != $id)' --arg id "$NET_ID"

osc network show "$NET_ID" -f json
expect_error "network show of the deleted network fails with 404" '404|[Nn]o Network found|[Nn]ot ?[Ff]ound'

# ------------------------------------------------------------------ routers, extra routes, floating IPs

osc network create smoke-ext --external -f json
expect "network create --external makes an external network" \
	'.name == "smoke-ext" and .["router:external"] == true'
EXT_ID=$(field .id)

osc subnet create smoke-ext-sub --network smoke-ext --subnet-range 172.24.80.0/24 \
	--allocation-pool start=172.24.80.10,end=172.24.80.99 --no-dhcp -f json
expect "subnet create on the external network" '.network_id == $net and .cidr == "172.24.80.0/24"' --arg net "$EXT_ID"
EXT_SUBNET_ID=$(field .id)

osc network create smoke-l3-net -f json
L3_NET_ID=$(field .id)
osc subnet create smoke-l3-sub --network smoke-l3-net --subnet-range 10.30.0.0/24 --gateway 10.30.0.1 -f json
expect "an internal network and subnet for the router" '.network_id == $net and .gateway_ip == "10.30.0.1"' --arg net "$L3_NET_ID"
L3_SUBNET_ID=$(field .id)

osc router create smoke-router -f json
expect "router create returns an ACTIVE router without gateway or routes" \
	'.name == "smoke-router" and .status == "ACTIVE" and .admin_state_up == true
	 and .external_gateway_info == null and .routes == [] and (.id | test("^[0-9a-f-]{36}$"))'
ROUTER_ID=$(field .id)

osc router list -f json
expect "router list shows it" 'any(.[]; .ID == $id and .Name == "smoke-router" and .Status == "ACTIVE")' --arg id "$ROUTER_ID"

osc router set --external-gateway smoke-ext smoke-router
if [ "$RC" -eq 0 ]; then osc router show smoke-router -f json; fi
expect "router set --external-gateway gives a SNAT gateway with an address from the pool" \
	'.external_gateway_info.network_id == $net and .external_gateway_info.enable_snat == true
	 and (.external_gateway_info.external_fixed_ips | length) == 1
	 and .external_gateway_info.external_fixed_ips[0].subnet_id == $sub
	 and (.external_gateway_info.external_fixed_ips[0].ip_address | split(".") | .[0:3] == ["172","24","80"]
	      and (.[3] | tonumber) >= 10 and (.[3] | tonumber) <= 99)' \
	--arg net "$EXT_ID" --arg sub "$EXT_SUBNET_ID"
GW_IP=$(field '.external_gateway_info.external_fixed_ips[0].ip_address')

osc port list --router smoke-router --device-owner network:router_gateway -f json
expect "port list --router shows the gateway port with the gateway address" \
	'length == 1 and (.[0]["Fixed IP Addresses"] | tostring | contains($ip))' --arg ip "$GW_IP"

osc router add subnet smoke-router smoke-l3-sub
if [ "$RC" -eq 0 ]; then osc router show smoke-router -f json; fi
expect "router add subnet attaches the subnet on its gateway address" \
	'.interfaces_info | length == 1 and .[0].subnet_id == $sub and .[0].ip_address == "10.30.0.1"' \
	--arg sub "$L3_SUBNET_ID"

osc router delete smoke-router
expect_error "router delete with an interface fails with 409" '409|[Cc]onflict|still attached'

osc router set --route destination=192.168.50.0/24,gateway=10.30.0.20 smoke-router
if [ "$RC" -eq 0 ]; then osc router show smoke-router -f json; fi
expect "router set --route adds an extra route" \
	'.routes == [{"destination": "192.168.50.0/24", "nexthop": "10.30.0.20"}]'

osc router set --route destination=192.168.51.0/24,gateway=10.99.0.20 smoke-router
expect_error "router set --route with an unreachable gateway fails with 400" '400|[Bb]ad ?[Rr]equest|not connected'

osc port create smoke-vm --network smoke-l3-net --fixed-ip subnet=smoke-l3-sub,ip-address=10.30.0.50 -f json
expect "a VM port behind the router" '.fixed_ips[0].ip_address == "10.30.0.50"'
VM_PORT_ID=$(field .id)

osc floating ip create smoke-ext -f json
expect "floating ip create takes an address from the external pool, DOWN and unassociated" \
	'.floating_network_id == $net and .status == "DOWN" and .port_id == null and .router_id == null
	 and .fixed_ip_address == null
	 and (.floating_ip_address | split(".") | .[0:3] == ["172","24","80"] and (.[3] | tonumber) >= 10 and (.[3] | tonumber) <= 99)
	 and .floating_ip_address != $gw' --arg net "$EXT_ID" --arg gw "$GW_IP"
FIP_ID=$(field .id)
FIP_IP=$(field .floating_ip_address)

osc floating ip set --port smoke-vm "$FIP_ID"
if [ "$RC" -eq 0 ]; then osc floating ip show "$FIP_ID" -f json; fi
expect "floating ip set --port associates it through the router (ACTIVE)" \
	'.port_id == $port and .fixed_ip_address == "10.30.0.50" and .router_id == $router and .status == "ACTIVE"' \
	--arg port "$VM_PORT_ID" --arg router "$ROUTER_ID"

osc floating ip list --port smoke-vm -f json
expect "floating ip list --port shows the pair of addresses" \
	'length == 1 and .[0].ID == $id and .[0]["Floating IP Address"] == $ip and .[0]["Fixed IP Address"] == "10.30.0.50"' \
	--arg id "$FIP_ID" --arg ip "$FIP_IP"

osc router unset --external-gateway smoke-router
expect_error "router unset --external-gateway while a floating IP needs it fails with 409" \
	'409|[Cc]onflict|required by one or more floating IPs'

osc router remove subnet smoke-router smoke-l3-sub
expect_error "router remove subnet while a route and a floating IP need it fails with 409" '409|[Cc]onflict|required by'

osc floating ip unset --port "$FIP_ID"
if [ "$RC" -eq 0 ]; then osc floating ip show "$FIP_ID" -f json; fi
expect "floating ip unset --port dissociates it (DOWN)" \
	'.port_id == null and .fixed_ip_address == null and .router_id == null and .status == "DOWN" and .floating_ip_address == $ip' \
	--arg ip "$FIP_IP"

osc router unset --route destination=192.168.50.0/24,gateway=10.30.0.20 smoke-router
if [ "$RC" -eq 0 ]; then osc router show smoke-router -f json; fi
expect "router unset --route removes the route" '.routes == []'

osc router remove subnet smoke-router smoke-l3-sub
if [ "$RC" -eq 0 ]; then osc router show smoke-router -f json; fi
expect "router remove subnet detaches it" '.interfaces_info == []'

osc port list --router smoke-router --device-owner network:router_interface -f json
expect "the interface port is gone" 'length == 0'

osc router unset --external-gateway smoke-router
if [ "$RC" -eq 0 ]; then osc router show smoke-router -f json; fi
expect "router unset --external-gateway clears the gateway" '.external_gateway_info == null'

osc port list --router smoke-router -f json
expect "the gateway port is gone" 'length == 0'

osc floating ip delete "$FIP_ID"
if [ "$RC" -eq 0 ]; then osc floating ip list -f json; fi
expect "floating ip delete removes it from the list" 'all(.[]; .ID != $id)' --arg id "$FIP_ID"

osc router delete smoke-router
if [ "$RC" -eq 0 ]; then osc router list -f json; fi
expect "router delete removes it from the list" 'all(.[]; .ID != $id)' --arg id "$ROUTER_ID"

osc router show "$ROUTER_ID" -f json
expect_error "router show of the deleted router fails with 404" '404|[Nn]o Router found|[Nn]ot ?[Ff]ound'

osc port delete smoke-vm
if [ "$RC" -eq 0 ]; then osc network delete smoke-l3-net smoke-ext; fi
if [ "$RC" -eq 0 ]; then osc network list -f json; fi
expect "the L3 networks can be deleted" 'all(.[]; .ID != $a and .ID != $b)' --arg a "$L3_NET_ID" --arg b "$EXT_ID"

# ------------------------------------------------------------------ address scopes, subnet pools

osc address scope create smoke-scope --ip-version 4 -f json
expect "address scope create returns the new scope" \
	'.name == "smoke-scope" and .ip_version == 4 and .shared == false and (.id | test("^[0-9a-f-]{36}$"))'
SCOPE_ID=$(field .id)

osc address scope list -f json
expect "address scope list shows it" 'any(.[]; .ID == $id and .Name == "smoke-scope")' --arg id "$SCOPE_ID"

osc address scope set --name smoke-scope-2 smoke-scope
if [ "$RC" -eq 0 ]; then osc address scope show "$SCOPE_ID" -f json; fi
expect "address scope set --name shows in show" '.id == $id and .name == "smoke-scope-2"' --arg id "$SCOPE_ID"

osc subnet pool create smoke-pool --pool-prefix 10.70.0.0/16 --default-prefix-length 24 --address-scope smoke-scope-2 -f json
expect "subnet pool create in the scope" '.address_scope_id == $id and .prefixes == ["10.70.0.0/16"]' --arg id "$SCOPE_ID"
POOL_ID=$(field .id)

osc subnet pool create smoke-pool-2 --pool-prefix 10.70.128.0/17 --address-scope smoke-scope-2 -f json
expect_error "a pool overlapping another pool of the scope is refused" 'AddressScopePrefixConflict|unique prefixes|409'

osc address scope delete smoke-scope-2
expect_error "address scope delete of a scope in use fails" 'AddressScopeInUse|in use|409'

osc subnet pool delete "$POOL_ID"
if [ "$RC" -eq 0 ]; then osc address scope delete smoke-scope-2; fi
if [ "$RC" -eq 0 ]; then osc address scope list -f json; fi
expect "address scope delete removes it from the list" 'all(.[]; .ID != $id)' --arg id "$SCOPE_ID"

# ------------------------------------------------------------------ zones, DNS, IP availability, flavors

osc availability zone list --network --long -f json
expect "availability zone list shows nova for networks and routers" \
	'any(.[]; ."Zone Name" == "nova" and ."Zone Resource" == "network") and any(.[]; ."Zone Name" == "nova" and ."Zone Resource" == "router")'

osc network create smoke-dns --dns-domain smoke.example.org. --availability-zone-hint nova -f json
expect "network create takes a DNS domain and a zone hint" \
	'.dns_domain == "smoke.example.org." and .availability_zone_hints == ["nova"] and .availability_zones == ["nova"]'
DNS_NET_ID=$(field .id)
osc network create smoke-dns-bad --availability-zone-hint mars -f json
expect_error "a zone hint naming no zone is refused" 'AvailabilityZoneNotFound|could not be found|404'

osc subnet create smoke-dns-sub --network smoke-dns --subnet-range 10.80.0.0/24 -f json
osc port create smoke-dns-port --network smoke-dns --dns-name Web-1 -f json
expect "port create takes a DNS name and shows its assignment" \
	'.dns_name == "web-1" and (.dns_assignment | length) == 1 and .dns_assignment[0].hostname != null'

osc ip availability show smoke-dns -f json
expect "ip availability counts the port on the network" \
	'.network_id == $id and .used_ips >= 1 and .total_ips == 253' --arg id "$DNS_NET_ID"

osc network flavor profile create --driver neutron.services.l3_router.service_providers.single_node.SingleNodeDriver -f json
expect "network flavor profile create with an L3 driver" '.driver | test("SingleNodeDriver")'
PROFILE_ID=$(field .id)
osc network flavor create smoke-flavor --service-type L3_ROUTER_NAT -f json
expect "network flavor create for routers" '.name == "smoke-flavor" and .service_type == "L3_ROUTER_NAT" and .enabled == true'
FLAVOR_ID=$(field .id)
osc network flavor add profile smoke-flavor "$PROFILE_ID"
expect_ok "network flavor add profile"
osc router create smoke-flavored --extra-property "type=str,name=flavor_id,value=$FLAVOR_ID" -f json
expect "router create with a flavor" '.flavor_id == $id' --arg id "$FLAVOR_ID"
osc network flavor delete smoke-flavor
expect_error "a flavor a router uses cannot be deleted" 'FlavorInUse|in use|409'
osc router delete smoke-flavored
if [ "$RC" -eq 0 ]; then osc network flavor remove profile smoke-flavor "$PROFILE_ID"; fi
if [ "$RC" -eq 0 ]; then osc network flavor delete smoke-flavor; fi
if [ "$RC" -eq 0 ]; then osc network flavor profile delete "$PROFILE_ID"; fi
expect_ok "router, flavor binding, flavor and profile deleted in turn"

# ------------------------------------------------------------------ auto-allocated topology

osc network auto allocated topology create --check-resources -f json
expect_error "auto allocated topology --check-resources without a default external network fails" \
	'No default router:external network|AutoAllocationFailure|409'
osc network create smoke-public --external --default -f json
expect "network create --external --default makes the default external network" \
	'.name == "smoke-public" and .["router:external"] == true and .is_default == true'
osc subnet create smoke-public-sub --network smoke-public --subnet-range 172.24.90.0/24 --no-dhcp -f json
osc subnet pool create smoke-default-v4 --pool-prefix 10.90.0.0/16 --default-prefix-length 26 --default --share -f json
expect "subnet pool create --default --share" '.is_default == true and .shared == true'
osc network auto allocated topology create --check-resources -f json
expect_ok "auto allocated topology create --check-resources passes with both"
osc network list -f json
expect "a dry run makes nothing" 'all(.[]; .Name != "auto_allocated_network")'

# `network auto allocated topology create` (without --check-resources) and `delete` take the
# project from the CLI's token, which noauth has none of: test/keystone/autoalloc_cli_test.go
# runs them with Keystone.

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
	CMD="(server process)" RC=1 OUT=''
	ERR=$(tail -n 20 "$TMP/server.log")
	fail "midonet serve is still running at the end" "a live process"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
