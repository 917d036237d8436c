package simulation_test

import (
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestLocalIP: a Local IP made on a network and associated with a service port on each of
// two hosts: a VM reaches the service port of its own host through the Local IP (its
// destination translated to the port's address), a VM on a host without an associated port
// does not reach either, the service port itself is not translated, and removing an
// association takes it away — through the real API, cluster and simulator.
func TestLocalIP(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net := a.network("net", false)
	a.subnet(net, "10.0.1.0/24", nil)
	onHost := func(name, ip, host string) string {
		return a.create("ports", "port", map[string]any{"name": name, "network_id": net, "device_owner": "compute:nova",
			"binding:host_id": host, "fixed_ips": []any{map[string]any{"ip_address": ip}}})["id"].(string)
	}
	svc1 := onHost("svc1", "10.0.1.10", "h1")
	svc2 := onHost("svc2", "10.0.1.11", "h2")
	onHost("client1", "10.0.1.20", "h1")
	onHost("client2", "10.0.1.21", "h2")
	onHost("client3", "10.0.1.22", "h3")
	lip := a.create("local_ips", "local_ip", map[string]any{"name": "dns", "network_id": net, "local_ip_address": "10.0.1.100"})
	if lip["local_ip_address"] != "10.0.1.100" || lip["local_port_id"] == nil {
		t.Fatalf("local IP %v", lip)
	}
	id := lip["id"].(string)
	for _, p := range []string{svc1, svc2} {
		a.call("POST", "local_ips/"+id+"/port_associations", map[string]any{"port_association": map[string]any{"fixed_port_id": p}})
	}
	settle()

	reach := func(t *testing.T, from, port, dst string) {
		t.Helper()
		r := a.trace(t, "--from-port", from, "--dst", "10.0.1.100", "--proto", "udp", "--dport", "53")
		forwardedTo(t, r, port, map[string]string{"client1": "10.0.1.20", "client2": "10.0.1.21"}[from], dst)
	}
	t.Run("each host's own service port", func(t *testing.T) {
		reach(t, "client1", svc1, "10.0.1.10")
		reach(t, "client2", svc2, "10.0.1.11")
	})
	t.Run("not from a host without an association, nor to itself", func(t *testing.T) {
		for _, from := range []string{"client3", "svc1"} {
			r := a.trace(t, "--from-port", from, "--dst", "10.0.1.100", "--proto", "udp", "--dport", "53")
			// (No ARP answer names a service port there: what leaves is the untranslated
			// frame to the Local IP's own, unbound port, flooded as unknown unicast.)
			for _, e := range r.Egress {
				if e.Packet.IP.Dst != "10.0.1.100" {
					t.Fatalf("%s's packet was translated to %s through the Local IP", from, e.Packet.IP.Dst)
				}
			}
		}
	})
	t.Run("an association removed", func(t *testing.T) {
		a.call("DELETE", "local_ips/"+id+"/port_associations/"+svc2, nil)
		settle()
		r := a.trace(t, "--from-port", "client2", "--dst", "10.0.1.100", "--proto", "udp", "--dport", "53")
		for _, e := range r.Egress {
			if e.Packet.IP.Dst != "10.0.1.100" {
				t.Fatalf("client2's packet is still translated, to %s", e.Packet.IP.Dst)
			}
		}
		reach(t, "client1", svc1, "10.0.1.10")
	})
}
