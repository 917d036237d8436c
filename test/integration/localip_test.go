package integration

import (
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestLocalIPs: Local IPs and their port associations on SQLite and PostgreSQL — on a
// port's address or on a port the Local IP makes on a network, Neutron's errors, in-use
// refusal, the port made for it deleted with it, associations keyed by their port, deleted
// with the port; another project gets 404 and cannot use another's port.
func TestLocalIPs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project, other = "it-lip", "it-lip-other"
		c := e.member(project)
		net, err := networks.Create(ctx(t), c, networks.CreateOpts{Name: "n"}).Extract()
		must(t, err)
		// The pool leaves out .200 and .250, the addresses the test names: the ports made
		// without an address draw theirs at random.
		sub, err := subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: net.ID, CIDR: "10.70.0.0/24", IPVersion: 4,
			AllocationPools: []subnets.AllocationPool{{Start: "10.70.0.2", End: "10.70.0.150"}}}).Extract()
		must(t, err)
		port, err := ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID}).Extract()
		must(t, err)
		two, err := ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID, FixedIPs: []ports.IP{{SubnetID: sub.ID}, {SubnetID: sub.ID}}}).Extract()
		must(t, err)
		create := func(cl any, body map[string]any) (map[string]any, error) {
			out, _, err := raw(t, c, http.MethodPost, "local_ips", map[string]any{"local_ip": body}, nil, 201)
			if err != nil {
				return nil, err
			}
			return out["local_ip"].(map[string]any), nil
		}

		onPort, err := create(c, map[string]any{"name": "p", "local_port_id": port.ID})
		must(t, err)
		if onPort["local_ip_address"] != port.FixedIPs[0].IPAddress || onPort["network_id"] != net.ID || onPort["ip_mode"] != "translate" {
			t.Fatalf("local IP on a port: %v", onPort)
		}
		onNet, err := create(c, map[string]any{"name": "n", "network_id": net.ID, "local_ip_address": "10.70.0.200"})
		must(t, err)
		lipPort := onNet["local_port_id"].(string)
		if onNet["local_ip_address"] != "10.70.0.200" || lipPort == "" {
			t.Fatalf("local IP on a network: %v", onNet)
		}
		if p := get(t, e.admin(project), "ports/"+lipPort)["port"].(map[string]any); p["device_owner"] != "network:local_ip" || p["device_id"] != onNet["id"] {
			t.Errorf("the Local IP's port: %v", p)
		}
		bad := []struct {
			name   string
			body   map[string]any
			status int
			typ    string
		}{
			{"neither port nor network", map[string]any{"name": "x"}, 400, "LocalIPPortOrNetworkRequired"},
			{"port with two addresses", map[string]any{"local_port_id": two.ID}, 400, "LocalIPNoRequestedIP"},
			{"address not the port's", map[string]any{"local_port_id": port.ID, "local_ip_address": "10.70.0.250"}, 400, "LocalIPRequestedIPNotFound"},
			{"unknown port", map[string]any{"local_port_id": "00000000-0000-4000-8000-000000000000"}, 400, "BadRequest"},
			{"bad mode", map[string]any{"network_id": net.ID, "ip_mode": "magic"}, 400, ""},
		}
		for _, b := range bad {
			_, err := create(c, b.body)
			if err == nil {
				t.Errorf("%s: accepted", b.name)
				continue
			}
			wantError(t, err, b.status, b.typ)
		}
		out, _, err := raw(t, c, http.MethodPut, "local_ips/"+onNet["id"].(string), map[string]any{"local_ip": map[string]any{"name": "renamed"}}, nil, 200)
		must(t, err)
		if out["local_ip"].(map[string]any)["name"] != "renamed" {
			t.Errorf("update answered %v", out)
		}

		// Associations, keyed by their port.
		lip := onNet["id"].(string)
		assocs := "local_ips/" + lip + "/port_associations"
		out, _, err = raw(t, c, http.MethodPost, assocs, map[string]any{"port_association": map[string]any{"fixed_port_id": two.ID, "fixed_ip": two.FixedIPs[1].IPAddress}}, nil, 201)
		must(t, err)
		a := out["port_association"].(map[string]any)
		if a["local_ip_id"] != lip || a["fixed_port_id"] != two.ID || a["fixed_ip"] != two.FixedIPs[1].IPAddress || a["local_ip_address"] != "10.70.0.200" {
			t.Fatalf("association %v", a)
		}
		if _, shown := a["id"]; shown {
			t.Errorf("association shows an id: %v", a)
		}
		_, _, err = raw(t, c, http.MethodPost, assocs, map[string]any{"port_association": map[string]any{"fixed_port_id": two.ID}}, nil, 201)
		wantError(t, err, 400, "LocalIPNoRequestedIP")
		_, _, err = raw(t, c, http.MethodPost, assocs, map[string]any{"port_association": map[string]any{"fixed_port_id": two.ID, "fixed_ip": two.FixedIPs[1].IPAddress}}, nil, 201)
		wantError(t, err, 409, "LocalIPAssociationExists")
		if got := get(t, c, assocs+"/"+two.ID)["port_association"].(map[string]any); got["fixed_port_id"] != two.ID {
			t.Errorf("show association %v", got)
		}
		_, _, err = raw(t, c, http.MethodGet, assocs+"/"+port.ID, nil, nil, 200)
		wantError(t, err, 404, "LocalIPAssociationNotFound")
		// In use: the Local IP stays.
		_, _, err = raw(t, c, http.MethodDelete, "local_ips/"+lip, nil, nil, 204)
		wantError(t, err, 409, "LocalIPInUse")

		// Another project.
		b := e.member(other)
		_, _, err = raw(t, b, http.MethodGet, "local_ips/"+lip, nil, nil, 200)
		wantError(t, err, 404, "LocalIPNotFound")
		_, _, err = raw(t, b, http.MethodGet, assocs, nil, nil, 200)
		wantError(t, err, 404, "LocalIPNotFound")
		_, _, err = raw(t, b, http.MethodDelete, assocs+"/"+two.ID, nil, nil, 204)
		wantError(t, err, 404, "LocalIPNotFound")
		_, _, err = raw(t, b, http.MethodPost, "local_ips", map[string]any{"local_ip": map[string]any{"local_port_id": port.ID}}, nil, 201)
		wantError(t, err, 400, "BadRequest")
		if l := get(t, b, "local_ips")["local_ips"].([]any); len(l) != 0 {
			t.Errorf("project B lists %d Local IPs", len(l))
		}

		// Deleting the port deletes its association; then the Local IP and its port go.
		must(t, ports.Delete(ctx(t), c, two.ID).ExtractErr())
		if l := get(t, c, assocs)["port_associations"].([]any); len(l) != 0 {
			t.Errorf("associations left after their port was deleted: %v", l)
		}
		_, _, err = raw(t, c, http.MethodDelete, "local_ips/"+lip, nil, nil, 204)
		must(t, err)
		_, _, err = raw(t, e.admin(project), http.MethodGet, "ports/"+lipPort, nil, nil, 200)
		wantError(t, err, 404, "PortNotFound")
	})
}
