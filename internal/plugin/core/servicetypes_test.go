package core_test

import (
	"testing"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestSubnetServiceTypes: a port takes its automatic address from the subnets that list its
// device owner, else from those that list none, else it is refused; service types must look
// like device owners.
func TestSubnetServiceTypes(t *testing.T) {
	e := plugintest.New(t)
	net := e.MustCreate("networks", map[string]any{"name": "n"})["id"].(string)
	fips := e.MustCreate("subnets", map[string]any{"network_id": net, "cidr": "192.168.1.0/24", "ip_version": 4,
		"service_types": []any{"network:floatingip"}})["id"].(string)
	vms := e.MustCreate("subnets", map[string]any{"network_id": net, "cidr": "192.168.2.0/24", "ip_version": 4,
		"service_types": []any{"compute:nova"}})["id"].(string)
	tests := []struct {
		owner, want string // want: subnet id, or "" for a refusal
	}{
		{"compute:nova", vms},
		{"network:floatingip", fips},
		{"network:dhcp", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run("owner "+tc.owner, func(t *testing.T) {
			d, err := e.Create("ports", map[string]any{"network_id": net, "device_owner": tc.owner})
			if tc.want == "" {
				if f, ok := fault.As(err); !ok || f.Status != 400 || f.Type != "IpAddressGenerationFailureNoMatchingSubnet" {
					t.Fatalf("= %v, want 400 IpAddressGenerationFailureNoMatchingSubnet", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := model.MustDecode[model.Port](d); len(p.FixedIPs) != 1 || p.FixedIPs[0].SubnetID != tc.want {
				t.Errorf("fixed IPs %+v, want one on %s", p.FixedIPs, tc.want)
			}
		})
	}
	// A subnet without service types serves every owner the others do not list.
	open := e.MustCreate("subnets", map[string]any{"network_id": net, "cidr": "192.168.3.0/24", "ip_version": 4})["id"].(string)
	if p := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": net, "device_owner": "network:dhcp"})); p.FixedIPs[0].SubnetID != open {
		t.Errorf("a DHCP port got %+v, want the subnet without service types", p.FixedIPs)
	}
	for _, bad := range []any{[]any{"foo:bar"}, []any{7}, "network:dhcp"} {
		if _, err := e.Create("subnets", map[string]any{"network_id": net, "cidr": "192.168.9.0/24", "ip_version": 4, "service_types": bad}); err == nil {
			t.Errorf("service types %v accepted", bad)
		}
	}
}
