package integration

import (
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsbinding"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portstrustedvif"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// trustedPort is a port as gophercloud's portstrustedvif reads it.
type trustedPort struct {
	ports.Port
	portsbinding.PortsBindingExt
	portstrustedvif.PortTrustedVIFExt
}

// TestPortTrusted: port-trusted-vif is advertised; an admin sets `trusted` on create and
// update (a boolean; anything else is 400), it is mirrored into binding:profile and stays
// there when the profile is replaced; a port without it shows null; a member may neither set
// nor see it (403 on create and update, the attribute left out of its views). SQLite,
// PostgreSQL and MariaDB.
func TestPortTrusted(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-trusted"
		admin, member := e.admin("it-trusted-admin"), e.member(project)
		exts := get(t, admin, "extensions/port-trusted-vif")
		if ext, _ := exts["extension"].(map[string]any); ext["alias"] != "port-trusted-vif" {
			t.Fatalf("extension: %v", exts)
		}
		net := createNetwork(t, member, networks.CreateOpts{Name: "trusted-net"})

		var p trustedPort
		must(t, ports.Create(ctx(t), admin, portstrustedvif.PortCreateOptsExt{
			CreateOptsBuilder: ports.CreateOpts{NetworkID: net.ID, ProjectID: project, Name: "vf"},
			PortTrustedVIF:    ptr(true),
		}).ExtractInto(&p))
		if p.PortTrustedVIF == nil || !*p.PortTrustedVIF || p.Profile["trusted"] != true {
			t.Errorf("created: trusted %v, binding:profile %v", p.PortTrustedVIF, p.Profile)
		}
		var q trustedPort
		must(t, ports.Update(ctx(t), admin, p.ID, portstrustedvif.PortUpdateOptsExt{
			UpdateOptsBuilder: ports.UpdateOpts{}, PortTrustedVIF: ptr(false),
		}).ExtractInto(&q))
		if q.PortTrustedVIF == nil || *q.PortTrustedVIF || q.Profile["trusted"] != false {
			t.Errorf("updated: trusted %v, binding:profile %v", q.PortTrustedVIF, q.Profile)
		}
		// A new profile keeps the flag.
		out, _, err := raw(t, admin, http.MethodPut, "ports/"+p.ID, doc{"port": doc{"binding:profile": doc{"pci_slot": "0000:05:00.1"}}}, nil, 200)
		must(t, err)
		prof, _ := out["port"].(map[string]any)["binding:profile"].(map[string]any)
		if prof["trusted"] != false || prof["pci_slot"] != "0000:05:00.1" {
			t.Errorf("profile after replacing it: %v", prof)
		}
		for _, bad := range []any{"maybe", nil, 2, map[string]any{}} {
			_, _, err := raw(t, admin, http.MethodPut, "ports/"+p.ID, doc{"port": doc{"trusted": bad}}, nil, 200)
			wantError(t, err, 400, "")
		}

		plain := get(t, admin, "ports/"+createPort(t, member, ports.CreateOpts{NetworkID: net.ID}).ID)["port"].(map[string]any)
		if v, ok := plain["trusted"]; !ok || v != nil {
			t.Errorf("a port never marked shows trusted %v (present %v), want null", v, ok)
		}

		// Members: 403 to set it, and it is not in their view.
		_, err = ports.Create(ctx(t), member, portstrustedvif.PortCreateOptsExt{
			CreateOptsBuilder: ports.CreateOpts{NetworkID: net.ID}, PortTrustedVIF: ptr(true),
		}).Extract()
		wantError(t, err, 403, "PolicyNotAuthorized")
		_, err = ports.Update(ctx(t), member, p.ID, portstrustedvif.PortUpdateOptsExt{
			UpdateOptsBuilder: ports.UpdateOpts{}, PortTrustedVIF: ptr(true),
		}).Extract()
		wantError(t, err, 403, "PolicyNotAuthorized")
		if _, shown := get(t, member, "ports/"+p.ID)["port"].(map[string]any)["trusted"]; shown {
			t.Errorf("a member sees trusted")
		}
	})
}
