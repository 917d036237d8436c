package backend

import (
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestTranslationFollowsEveryWrite drives networks, subnets, ports, security groups and rules,
// a router with a gateway and an interface, and a floating IP through the API in both client
// modes on SQLite, PostgreSQL and MariaDB, and reads the NSDB right after each answer: the translated
// objects must already be there, carrying the resource's revision, and must be gone right
// after the deletes. `db-manage verify` must then find no drift.
func TestTranslationFollowsEveryWrite(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		for _, engine := range []string{"sqlite", "postgres", "mariadb"} {
			t.Run(m.name+"/"+engine, func(t *testing.T) {
				t.Parallel()
				e := startEnv(t, envOpts{tasks: m.tasks, postgres: engine == "postgres", mariadb: engine == "mariadb"})
				translationWorkload(t, e)
			})
		}
	}
}

func translationWorkload(t *testing.T, e *env) {
	a := e.api
	// expect asserts that the NSDB holds kind/id now, owned by owner at revision rev.
	expect := func(step string, kind topology.Kind, id, owner string, rev int64) topology.Object {
		t.Helper()
		o := e.object(t, kind, id)
		if o == nil {
			t.Errorf("%s: right after the answer the NSDB has no %s/%s (owner %s)", step, kind, id, owner)
			return nil
		}
		if m := o.Base(); m.Owner != owner || m.Revision != rev {
			t.Errorf("%s: NSDB %s/%s has owner %q neutron_revision %d, want owner %q revision %d", step, kind, id, m.Owner, m.Revision, owner, rev)
		}
		return o
	}
	gone := func(step string, kind topology.Kind, id string) {
		t.Helper()
		if o := e.object(t, kind, id); o != nil {
			t.Errorf("%s: NSDB still has %s/%s (owner %s) right after the answer", step, kind, id, o.Base().Owner)
		}
	}
	copyAt := func(step, coll, id string, rev int64) {
		t.Helper()
		c := e.neutronCopy(t, coll, id)
		switch {
		case c == nil:
			t.Errorf("%s: the NSDB has no Neutron copy of %s/%s", step, coll, id)
		case revisionOf(c) != rev:
			t.Errorf("%s: the NSDB copy of %s/%s is at revision %d, the API answered %d", step, coll, id, revisionOf(c), rev)
		}
	}
	copyGone := func(step, coll, id string) {
		t.Helper()
		if c := e.neutronCopy(t, coll, id); c != nil {
			t.Errorf("%s: the NSDB still has a Neutron copy of %s/%s", step, coll, id)
		}
	}
	chainNamed := func(step string, o topology.Object, name string) {
		t.Helper()
		if c, ok := o.(*topology.Chain); o != nil && (!ok || c.Name != name) {
			t.Errorf("%s: %s is %+v, want the chain %s", step, topology.Key(o), o, name)
		}
	}
	rev := revisionOf

	// Networks and subnets.
	ext := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}})
	extID := str(ext, "id")
	expect("create external network", topology.KindNetwork, extID, "networks/"+extID, rev(ext))
	copyAt("create external network", "networks", extID, rev(ext))
	extSub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": extID, "cidr": "172.24.4.0/24", "ip_version": 4}})
	expect("create external subnet", topology.KindDhcp, str(extSub, "id"), "subnets/"+str(extSub, "id"), rev(extSub))

	net := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "tenant"}})
	netID := str(net, "id")
	expect("create network", topology.KindNetwork, netID, "networks/"+netID, rev(net))
	net = a.must(t, 200, "PUT", "networks/"+netID, map[string]any{"network": map[string]any{"name": "tenant-renamed"}})
	if o, ok := expect("update network", topology.KindNetwork, netID, "networks/"+netID, rev(net)).(*topology.Network); ok && o.Name != "tenant-renamed" {
		t.Errorf("update network: NSDB bridge name %q, want tenant-renamed", o.Name)
	}
	copyAt("update network", "networks", netID, rev(net))
	sub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": netID, "cidr": "10.10.0.0/24", "ip_version": 4}})
	subID := str(sub, "id")
	if o, ok := expect("create subnet", topology.KindDhcp, subID, "subnets/"+subID, rev(sub)).(*topology.Dhcp); ok && (o.NetworkID != netID || o.SubnetAddress != "10.10.0.0/24") {
		t.Errorf("create subnet: NSDB Dhcp %+v", o)
	}

	// Security group and rule.
	sg := a.must(t, 201, "POST", "security-groups", map[string]any{"security_group": map[string]any{"name": "web"}})
	sgID := str(sg, "id")
	chainNamed("create security group", expect("create security group", topology.KindChain, topology.InChainID(sgID), "security_groups/"+sgID, rev(sg)), "OS_SG_"+sgID+"_EGRESS")
	expect("create security group", topology.KindIPAddrGroup, sgID, "security_groups/"+sgID, rev(sg))
	rule := a.must(t, 201, "POST", "security-group-rules", map[string]any{"security_group_rule": map[string]any{
		"security_group_id": sgID, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22}})
	ruleID := str(rule, "id")
	if o, ok := expect("create security group rule", topology.KindRule, ruleID, "security_group_rules/"+ruleID, rev(rule)).(*topology.Rule); ok &&
		(o.ChainID != topology.OutChainID(sgID) || o.Condition.TpDst == nil || o.Condition.TpDst.Start != 22) {
		t.Errorf("create security group rule: NSDB rule %+v, want an ingress tcp/22 rule in chain %s", o, topology.OutChainID(sgID))
	}

	// A rule of another group that refers to this one: deleting the group deletes it too.
	sg2 := a.must(t, 201, "POST", "security-groups", map[string]any{"security_group": map[string]any{"name": "db"}})
	sg2ID := str(sg2, "id")
	remote := a.must(t, 201, "POST", "security-group-rules", map[string]any{"security_group_rule": map[string]any{
		"security_group_id": sg2ID, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 5432, "port_range_max": 5432, "remote_group_id": sgID}})
	remoteID := str(remote, "id")
	if o, ok := expect("create remote-group rule", topology.KindRule, remoteID, "security_group_rules/"+remoteID, rev(remote)).(*topology.Rule); ok && o.Condition.IPAddrGroupSrc != sgID {
		t.Errorf("create remote-group rule: NSDB rule source address group %q, want %q", o.Condition.IPAddrGroupSrc, sgID)
	}

	// A VM port.
	port := a.must(t, 201, "POST", "ports", map[string]any{"port": map[string]any{
		"network_id": netID, "name": "vm1", "device_owner": "compute:nova", "device_id": "vm-1", "security_groups": []string{sgID}}})
	portID := str(port, "id")
	if o, ok := expect("create port", topology.KindPort, portID, "ports/"+portID, rev(port)).(*topology.Port); ok && o.InboundFilterID != topology.InChainID(portID) {
		t.Errorf("create port: NSDB port inbound filter %q, want %q", o.InboundFilterID, topology.InChainID(portID))
	}
	chainNamed("create port", expect("create port", topology.KindChain, topology.InChainID(portID), "ports/"+portID, rev(port)), "OS_PORT_"+portID+"_INBOUND")
	port = a.must(t, 200, "PUT", "ports/"+portID, map[string]any{"port": map[string]any{"name": "vm1-renamed"}})
	expect("update port", topology.KindPort, portID, "ports/"+portID, rev(port))
	expect("update port", topology.KindChain, topology.InChainID(portID), "ports/"+portID, rev(port))
	copyAt("update port", "ports", portID, rev(port))

	// A router with a gateway and an interface.
	router := a.must(t, 201, "POST", "routers", map[string]any{"router": map[string]any{
		"name": "r1", "external_gateway_info": map[string]any{"network_id": extID}}})
	routerID := str(router, "id")
	expect("create router", topology.KindRouter, routerID, "routers/"+routerID, rev(router))
	chainNamed("create router", expect("create router", topology.KindChain, topology.OutChainID(routerID), "routers/"+routerID, rev(router)), "OS_POST_ROUTING_"+routerID)
	copyAt("create router", "routers", routerID, rev(router))
	iface := a.must(t, 200, "PUT", "routers/"+routerID+"/add_router_interface", map[string]any{"subnet_id": subID})
	ifPortID := str(iface, "port_id")
	// The interface port turns ACTIVE once the cluster has applied it (a status write that
	// bumps its revision): read it as a client waiting for that would, then check the NSDB.
	var ifPort map[string]any
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ifPort = a.must(t, 200, "GET", "ports/"+ifPortID, nil)
		if str(ifPort, "status") == "ACTIVE" || time.Now().After(deadline) {
			break
		}
	}
	if st := str(ifPort, "status"); st != "ACTIVE" {
		t.Errorf("add router interface: the interface port stayed %s", st)
	}
	// The status write is the server's own, not this request's: its commit shows in the API
	// a moment before its apply reaches the NSDB, so wait for that apply too.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if o := e.object(t, topology.KindPort, ifPortID); o != nil && o.Base().Revision >= rev(ifPort) {
			break
		}
	}
	if o, ok := expect("add router interface", topology.KindPort, ifPortID, "ports/"+ifPortID, rev(ifPort)).(*topology.Port); ok && o.PeerID != topology.RouterInterfacePortPeerID(ifPortID) {
		t.Errorf("add router interface: bridge port peer %q, want %q", o.PeerID, topology.RouterInterfacePortPeerID(ifPortID))
	}
	if o, ok := expect("add router interface", topology.KindPort, topology.RouterInterfacePortPeerID(ifPortID), "ports/"+ifPortID, rev(ifPort)).(*topology.Port); ok && o.RouterID != routerID {
		t.Errorf("add router interface: router-side port on router %q, want %q", o.RouterID, routerID)
	}
	router = a.must(t, 200, "GET", "routers/"+routerID, nil)
	expect("add router interface", topology.KindRouter, routerID, "routers/"+routerID, rev(router))
	copyAt("add router interface", "routers", routerID, rev(router))

	// A floating IP, disassociated and associated again.
	fip := a.must(t, 201, "POST", "floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": extID, "port_id": portID}})
	fipID := str(fip, "id")
	if o, ok := expect("create floating IP", topology.KindRule, topology.FipDnatRuleID(fipID), "floatingips/"+fipID, rev(fip)).(*topology.Rule); ok &&
		(o.NAT == nil || !o.NAT.DNAT || len(o.NAT.Targets) != 1 || o.NAT.Targets[0].NwStart != str(fip, "fixed_ip_address")) {
		t.Errorf("create floating IP: DNAT rule %+v, want a DNAT to %s", o, str(fip, "fixed_ip_address"))
	}
	fip = a.must(t, 200, "PUT", "floatingips/"+fipID, map[string]any{"floatingip": map[string]any{"port_id": nil}})
	gone("disassociate floating IP", topology.KindRule, topology.FipDnatRuleID(fipID))
	copyAt("disassociate floating IP", "floatingips", fipID, rev(fip))
	fip = a.must(t, 200, "PUT", "floatingips/"+fipID, map[string]any{"floatingip": map[string]any{"port_id": portID}})
	expect("associate floating IP", topology.KindRule, topology.FipDnatRuleID(fipID), "floatingips/"+fipID, rev(fip))

	e.checkClean(t, "after the creates")

	// Deletes, each gone at once.
	a.must(t, 204, "DELETE", "floatingips/"+fipID, nil)
	gone("delete floating IP", topology.KindRule, topology.FipDnatRuleID(fipID))
	copyGone("delete floating IP", "floatingips", fipID)
	a.must(t, 200, "PUT", "routers/"+routerID+"/remove_router_interface", map[string]any{"subnet_id": subID})
	gone("remove router interface", topology.KindPort, ifPortID)
	gone("remove router interface", topology.KindPort, topology.RouterInterfacePortPeerID(ifPortID))
	copyGone("remove router interface", "ports", ifPortID)
	a.must(t, 204, "DELETE", "routers/"+routerID, nil)
	gone("delete router", topology.KindRouter, routerID)
	gone("delete router", topology.KindChain, topology.OutChainID(routerID))
	copyGone("delete router", "routers", routerID)
	a.must(t, 204, "DELETE", "security-group-rules/"+ruleID, nil)
	gone("delete security group rule", topology.KindRule, ruleID)
	a.must(t, 204, "DELETE", "ports/"+portID, nil)
	gone("delete port", topology.KindPort, portID)
	gone("delete port", topology.KindChain, topology.InChainID(portID))
	copyGone("delete port", "ports", portID)
	a.must(t, 204, "DELETE", "security-groups/"+sgID, nil)
	gone("delete security group", topology.KindChain, topology.InChainID(sgID))
	gone("delete security group", topology.KindIPAddrGroup, sgID)
	if r := a.must(t, 200, "GET", "security-group-rules?security_group_id="+sg2ID, nil); strings.Contains(canonical(r), remoteID) {
		t.Errorf("delete security group: the API still lists rule %s whose remote group was deleted", remoteID)
	}
	gone("delete security group (rule of another group naming it as remote group)", topology.KindRule, remoteID)
	copyGone("delete security group (rule of another group naming it as remote group)", "security_group_rules", remoteID)
	a.must(t, 204, "DELETE", "security-groups/"+sg2ID, nil)
	gone("delete second security group", topology.KindIPAddrGroup, sg2ID)
	a.must(t, 204, "DELETE", "subnets/"+subID, nil)
	gone("delete subnet", topology.KindDhcp, subID)
	a.must(t, 204, "DELETE", "networks/"+netID, nil)
	gone("delete network", topology.KindNetwork, netID)
	copyGone("delete network", "networks", netID)
	a.must(t, 204, "DELETE", "subnets/"+str(extSub, "id"), nil)
	a.must(t, 204, "DELETE", "networks/"+extID, nil)
	gone("delete external network", topology.KindNetwork, extID)

	e.checkClean(t, "after the deletes")
}

// checkClean asserts that `db-manage verify` (plain and --json) finds no drift, that the
// NSDB copies equal the Neutron rows, and the journal: with the task client every task is
// applied and mirrored and none carries a password; with the REST client there are no tasks.
func (e *env) checkClean(t *testing.T, when string) {
	t.Helper()
	out, code := e.dbManage(t, "verify")
	if code != 0 || !strings.Contains(out, "drift: 0") {
		t.Errorf("%s: `midonet db-manage verify` exited %d, want 0 and \"drift: 0\":\n%s", when, code, out)
	}
	if d := e.verify(t); d.exit != 0 || d.Total != 0 {
		t.Errorf("%s: `db-manage verify --json`: %s", when, d)
	}
	if p := e.consistency(t); len(p) > 0 {
		t.Errorf("%s: the NSDB does not mirror the Neutron database:\n  %s", when, summarize(p, 10))
	}
	e.checkJournal(t, when)
}

func (e *env) checkJournal(t testing.TB, when string) {
	t.Helper()
	if !e.o.tasks {
		if j := e.journal(t); j.count != 0 {
			t.Errorf("%s: the REST client wrote %d rows to midonet_tasks, want none", when, j.count)
		}
		return
	}
	j, last, applied, mirrored := e.waitDrained(t, 15*time.Second)
	if j.count == 0 {
		t.Errorf("%s: midonet_tasks is empty with the task client", when)
	}
	if !applied {
		t.Errorf("%s: tasks not applied after 15s: MAX(midonet_tasks.id) = %d, NSDB /midonet/cluster/last_task = %d", when, j.maxID, last)
	}
	if !mirrored {
		t.Errorf("%s: midonet_task_state.last_processed_id = %d, want MAX(midonet_tasks.id) = %d (NSDB /midonet/cluster/last_task = %d)",
			when, j.lastProcessed, j.maxID, last)
	}
	if bad := e.taskSecrets(t); len(bad) > 0 {
		t.Errorf("%s: tasks carry a password:\n  %s", when, summarize(bad, 5))
	}
}
