package agent_test

import (
	"strings"
	"testing"
	"time"
)

// TestLocalIPRealPing: a VM pings a Local IP associated with a service VM on its host: ARP
// answers with the service's MAC, the echo request reaches the service at its own address,
// and the reply comes back (TestLocalIPTranslation in internal/sim checks it leaves from the
// Local IP); without the association nothing answers.
func TestLocalIPRealPing(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "ping")
	h := startWith(t, "datapath = afpacket\n")
	h.startLoggedAgent("li-host")
	net := h.create("networks", "network", map[string]any{"name": "n", "tenant_id": "admin"})
	h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "10.85.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	bind := func(name string) *vm {
		v := h.boundVM(t, tag, name, "li-host", map[string]any{"name": name, "network_id": net["id"], "tenant_id": "admin", "device_owner": "compute:nova"})
		eventually(t, 30*time.Second, "port "+name+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		v.dhcp(t, script)
		return v
	}
	svc, client := bind("s"), bind("c")
	// The Local IP: an address of the subnet neither VM was given (IPAM draws at random).
	lipAddr := "10.85.0.100"
	for _, a := range []string{"10.85.0.100", "10.85.0.101", "10.85.0.102"} {
		if a != svc.ip() && a != client.ip() {
			lipAddr = a
			break
		}
	}
	// The default group admits its members' traffic: both VMs are in it.
	lip := h.create("local_ips", "local_ip", map[string]any{"name": "svc", "tenant_id": "admin", "network_id": net["id"], "local_ip_address": lipAddr})
	assocs := "/v2.0/local_ips/" + lip["id"].(string) + "/port_associations"
	if code, out := h.do("POST", assocs, map[string]any{"port_association": map[string]any{"fixed_port_id": svc.port["id"]}}, nil); code != 201 {
		t.Fatalf("associate: %d %v", code, out)
	}
	eventually(t, 20*time.Second, "client → Local IP ping answered", func() bool { return client.ping(lipAddr) })
	if out, _ := client.exec("ip", "neigh", "show", lipAddr); !strings.Contains(strings.ToLower(out), strings.ToLower(svc.port["mac_address"].(string))) {
		t.Errorf("the Local IP resolved to %q, want the service's MAC %s", out, svc.port["mac_address"])
	}
	if code, out := h.do("DELETE", assocs+"/"+svc.port["id"].(string), nil, nil); code != 204 {
		t.Fatalf("remove association: %d %v", code, out)
	}
	_, _ = client.exec("ip", "neigh", "flush", "dev", "eth0")
	eventually(t, 20*time.Second, "no answer without the association", func() bool { return !client.ping(lipAddr) })
}
