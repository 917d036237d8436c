package integration

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/provider"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/segments"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

// segmentsConf gives the vxlan, vlan and flat type drivers small ranges, so that a test can
// run them out; project networks are vxlan.
const segmentsConf = `[ml2]
tenant_network_types = vxlan
physical_network_mtus = physnet2:9000
[ml2_type_vxlan]
vni_ranges = 100:102
[ml2_type_vlan]
network_vlan_ranges = physnet1:200:201,physnet2
[ml2_type_flat]
flat_networks = extnet
`

// providerNet is a network with its provider attributes.
type providerNet struct {
	ID              string `json:"id"`
	MTU             int    `json:"mtu"`
	NetworkType     string `json:"provider:network_type"`
	PhysicalNetwork string `json:"provider:physical_network"`
	SegmentationID  int    `json:"provider:segmentation_id"`
}

// createProvider creates a network from a whole body and reads its provider attributes.
func createProvider(t *testing.T, c *gophercloud.ServiceClient, body doc) (providerNet, error) {
	t.Helper()
	var n providerNet
	err := networks.Create(ctx(t), c, doc{"network": body}).ExtractInto(&n)
	return n, err
}

// num prints a JSON number as the API wrote it.
func num(v any) string { return fmt.Sprint(v) }

// TestProviderNetworkTypes: vxlan, vlan and flat networks on SQLite, PostgreSQL and MariaDB —
// ids allocated from the configured ranges with Neutron's MTUs, explicit ids reserved (409
// when taken, also outside the ranges), Neutron's validation, the project networks' VNIs run
// out (503 NoNetworkAvailable) and come back when a network goes, and the provider
// attributes stay an admin's: a member can neither set nor see them.
func TestProviderNetworkTypes(t *testing.T) {
	forEachBackendWith(t, segmentsConf, func(t *testing.T, e *env) {
		const project = "it-seg"
		admin := e.admin(project)

		vx, err := createProvider(t, admin, doc{"name": "vx", "provider:network_type": "vxlan"})
		must(t, err)
		if vx.NetworkType != "vxlan" || vx.SegmentationID < 100 || vx.SegmentationID > 102 || vx.PhysicalNetwork != "" || vx.MTU != 1450 {
			t.Errorf("vxlan network: type %q id %d physnet %q mtu %d; want vxlan, 100..102, none, 1450", vx.NetworkType, vx.SegmentationID, vx.PhysicalNetwork, vx.MTU)
		}
		vl, err := createProvider(t, admin, doc{"name": "vl", "provider:network_type": "vlan", "provider:physical_network": "physnet1"})
		must(t, err)
		if vl.SegmentationID < 200 || vl.SegmentationID > 201 || vl.PhysicalNetwork != "physnet1" || vl.MTU != 1500 {
			t.Errorf("vlan network: id %d physnet %q mtu %d; want 200..201 on physnet1, 1500", vl.SegmentationID, vl.PhysicalNetwork, vl.MTU)
		}
		// Any physnet1 VLAN: the second takes the other id, the third finds none.
		vl2, err := createProvider(t, admin, doc{"name": "vl2", "provider:network_type": "vlan"})
		must(t, err)
		if vl2.PhysicalNetwork != "physnet1" || vl2.SegmentationID == vl.SegmentationID {
			t.Errorf("second vlan network: %s:%d beside %d", vl2.PhysicalNetwork, vl2.SegmentationID, vl.SegmentationID)
		}
		_, err = createProvider(t, admin, doc{"provider:network_type": "vlan", "provider:physical_network": "physnet1"})
		wantError(t, err, 503, "NoNetworkAvailable")
		jumbo, err := createProvider(t, admin, doc{"name": "j", "provider:network_type": "vlan", "provider:physical_network": "physnet2", "provider:segmentation_id": 7})
		must(t, err)
		if jumbo.MTU != 1500 || jumbo.SegmentationID != 7 {
			t.Errorf("physnet2 VLAN 7: mtu %d id %d; want the smaller of global_physnet_mtu and physical_network_mtus (1500), 7", jumbo.MTU, jumbo.SegmentationID)
		}
		flat, err := createProvider(t, admin, doc{"name": "f", "provider:network_type": "flat", "provider:physical_network": "extnet"})
		must(t, err)
		if flat.SegmentationID != 0 || flat.MTU != 1500 {
			t.Errorf("flat network: id %d mtu %d", flat.SegmentationID, flat.MTU)
		}
		outside, err := createProvider(t, admin, doc{"name": "o", "provider:network_type": "vxlan", "provider:segmentation_id": 5000})
		must(t, err)

		for _, c := range []struct {
			name   string
			body   doc
			status int
			typ    string
		}{
			{"a VLAN in use", doc{"provider:network_type": "vlan", "provider:physical_network": "physnet2", "provider:segmentation_id": 7}, 409, "VlanIdInUse"},
			{"a VNI in use outside the ranges", doc{"provider:network_type": "vxlan", "provider:segmentation_id": 5000}, 409, "TunnelIdInUse"},
			{"the VNI of an allocated network", doc{"provider:network_type": "vxlan", "provider:segmentation_id": vx.SegmentationID}, 409, "TunnelIdInUse"},
			{"a flat physnet in use", doc{"provider:network_type": "flat", "provider:physical_network": "extnet"}, 409, "FlatNetworkInUse"},
			{"an unknown flat physnet", doc{"provider:network_type": "flat", "provider:physical_network": "other"}, 400, "InvalidInput"},
			{"flat without physnet", doc{"provider:network_type": "flat"}, 400, "InvalidInput"},
			{"an unknown VLAN physnet", doc{"provider:network_type": "vlan", "provider:physical_network": "physnet9"}, 400, "InvalidInput"},
			{"a physnet without ranges and no id", doc{"provider:network_type": "vlan", "provider:physical_network": "physnet2"}, 400, "InvalidInput"},
			{"VLAN 4095", doc{"provider:network_type": "vlan", "provider:physical_network": "physnet2", "provider:segmentation_id": 4095}, 400, "InvalidInput"},
			{"a VLAN id without physnet", doc{"provider:network_type": "vlan", "provider:segmentation_id": 9}, 400, "InvalidInput"},
			{"VNI 0", doc{"provider:network_type": "vxlan", "provider:segmentation_id": 0}, 400, "InvalidInput"},
			{"VNI 2^24", doc{"provider:network_type": "vxlan", "provider:segmentation_id": 1 << 24}, 400, "InvalidInput"},
			{"a vxlan physnet", doc{"provider:network_type": "vxlan", "provider:physical_network": "physnet1"}, 400, "InvalidInput"},
			{"a type without driver", doc{"provider:network_type": "geneve"}, 400, "InvalidInput"},
			{"an MTU above vxlan's", doc{"provider:network_type": "vxlan", "provider:segmentation_id": 6000, "mtu": 1451}, 400, "InvalidInput"},
		} {
			_, err := createProvider(t, admin, c.body)
			if err == nil {
				t.Errorf("%s: accepted", c.name)
				continue
			}
			wantError(t, err, c.status, c.typ)
		}

		// A member's networks are vxlan: the two VNIs left, then none; a freed one comes back.
		member := e.member(project)
		var mine []string
		for i := 0; i < 2; i++ {
			n, err := networks.Create(ctx(t), member, networks.CreateOpts{Name: "m" + strconv.Itoa(i)}).Extract()
			must(t, err)
			mine = append(mine, n.ID)
		}
		_, err = networks.Create(ctx(t), member, networks.CreateOpts{Name: "none left"}).Extract()
		wantError(t, err, 503, "NoNetworkAvailable")
		var seen providerNet
		must(t, networks.Get(ctx(t), admin, mine[0]).ExtractInto(&seen))
		freed := seen.SegmentationID
		must(t, networks.Delete(ctx(t), member, mine[0]).ExtractErr())
		again, err := networks.Create(ctx(t), member, networks.CreateOpts{Name: "again"}).Extract()
		must(t, err)
		var ext provider.NetworkProviderExt // as gophercloud's provider extension reads it
		must(t, networks.Get(ctx(t), admin, again.ID).ExtractInto(&ext))
		if ext.SegmentationID != strconv.Itoa(freed) || ext.NetworkType != "vxlan" {
			t.Errorf("after a delete the project network got %s %s; want the freed VNI %d", ext.NetworkType, ext.SegmentationID, freed)
		}
		// The member sees its network without provider attributes and cannot ask for them.
		m := get(t, member, "networks/"+again.ID)["network"].(map[string]any)
		for _, k := range []string{"provider:network_type", "provider:segmentation_id", "provider:physical_network"} {
			if _, shown := m[k]; shown {
				t.Errorf("a member sees %s: %v", k, m)
			}
		}
		_, err = createProvider(t, member, doc{"provider:network_type": "vxlan"})
		wantError(t, err, 403, "PolicyNotAuthorized")
		// Deleting provider networks frees their ids: the same explicit ids are taken again.
		for _, n := range []providerNet{outside, flat, jumbo} {
			must(t, networks.Delete(ctx(t), admin, n.ID).ExtractErr())
		}
		for _, body := range []doc{
			{"provider:network_type": "vxlan", "provider:segmentation_id": 5000},
			{"provider:network_type": "flat", "provider:physical_network": "extnet"},
			{"provider:network_type": "vlan", "provider:physical_network": "physnet2", "provider:segmentation_id": 7},
		} {
			_, err := createProvider(t, admin, body)
			must(t, err)
		}
	})
}

// TestSegments: every network has its segment (/v2.0/segments, filtered by network), with
// standard attributes; a name and description can change (revision and updated_at move); a
// further segment holds an id of its own until deleted; a network's only segment cannot go;
// members see none of it (an empty list, 404, 403).
func TestSegments(t *testing.T) {
	forEachBackendWith(t, segmentsConf, func(t *testing.T, e *env) {
		const project = "it-segs"
		admin := e.admin(project)
		vx, err := createProvider(t, admin, doc{"name": "vx", "provider:network_type": "vxlan", "provider:segmentation_id": 4000})
		must(t, err)
		plain, err := networks.Create(ctx(t), admin, networks.CreateOpts{Name: "plain"}).Extract()
		must(t, err)
		pages, err := segments.List(admin, segments.ListOpts{NetworkID: vx.ID}).AllPages(ctx(t))
		must(t, err)
		segs, err := segments.ExtractSegments(pages)
		must(t, err)
		if len(segs) != 1 || segs[0].NetworkType != "vxlan" || segs[0].SegmentationID != 4000 || segs[0].NetworkID != vx.ID || segs[0].CreatedAt.IsZero() {
			t.Fatalf("segments of the vxlan network: %+v", segs)
		}
		first := segs[0]
		if l := get(t, admin, "segments?network_id="+plain.ID)["segments"].([]any); len(l) != 1 {
			t.Errorf("the project network has %d segments", len(l))
		}
		name := "renamed"
		up, err := segments.Update(ctx(t), admin, first.ID, segments.UpdateOpts{Name: &name}).Extract()
		must(t, err)
		if up.Name != name || up.RevisionNumber != first.RevisionNumber+1 || !up.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("updated segment %+v (was %+v)", up, first)
		}
		_, _, err = raw(t, admin, http.MethodPut, "segments/"+first.ID, doc{"segment": doc{"segmentation_id": 4001}}, nil, 200)
		wantError(t, err, 400, "")

		// A further segment, its id reserved; the only segment of a network stays.
		second, err := segments.Create(ctx(t), admin, segments.CreateOpts{NetworkID: vx.ID, NetworkType: "vlan", PhysicalNetwork: "physnet2", SegmentationID: 30}).Extract()
		must(t, err)
		_, err = createProvider(t, admin, doc{"provider:network_type": "vlan", "provider:physical_network": "physnet2", "provider:segmentation_id": 30})
		wantError(t, err, 409, "VlanIdInUse")
		_, err = segments.Create(ctx(t), admin, segments.CreateOpts{NetworkID: vx.ID, NetworkType: "vxlan", SegmentationID: 4000}).Extract()
		wantError(t, err, 409, "TunnelIdInUse")
		_, err = segments.Create(ctx(t), admin, segments.CreateOpts{NetworkID: "00000000-0000-4000-8000-000000000000", NetworkType: "vxlan"}).Extract()
		wantError(t, err, 404, "NetworkNotFound")
		_, err = segments.Create(ctx(t), admin, segments.CreateOpts{NetworkID: vx.ID, NetworkType: "gre"}).Extract()
		wantError(t, err, 400, "InvalidInput")
		// Subnets on segments: a segment of the subnet's network, and all of a network's
		// subnets on one or none; a segment a subnet names stays.
		sub := func(net, seg, cidr string) error {
			body := doc{"network_id": net, "cidr": cidr, "ip_version": 4}
			if seg != "" {
				body["segment_id"] = seg
			}
			_, _, err := raw(t, admin, http.MethodPost, "subnets", doc{"subnet": body}, nil, 201)
			return err
		}
		wantError(t, sub(plain.ID, second.ID, "10.81.0.0/24"), 400, "NetworkIdsDontMatch")
		wantError(t, sub(vx.ID, "00000000-0000-4000-8000-000000000000", "10.81.0.0/24"), 404, "SegmentNotFound")
		must(t, sub(vx.ID, second.ID, "10.81.0.0/24"))
		wantError(t, sub(vx.ID, "", "10.81.1.0/24"), 400, "SubnetsNotAllAssociatedWithSegments")
		err = segments.Delete(ctx(t), admin, second.ID).ExtractErr()
		wantError(t, err, 409, "SegmentInUse")
		subs := get(t, admin, "subnets?network_id="+vx.ID)["subnets"].([]any)
		if len(subs) != 1 || subs[0].(map[string]any)["segment_id"] != second.ID {
			t.Fatalf("subnets of the network: %v", subs)
		}
		_, _, err = raw(t, admin, http.MethodDelete, "subnets/"+subs[0].(map[string]any)["id"].(string), nil, nil, 204)
		must(t, err)
		must(t, segments.Delete(ctx(t), admin, second.ID).ExtractErr())
		_, err = createProvider(t, admin, doc{"provider:network_type": "vlan", "provider:physical_network": "physnet2", "provider:segmentation_id": 30})
		must(t, err)
		err = segments.Delete(ctx(t), admin, first.ID).ExtractErr()
		wantError(t, err, 409, "SegmentInUse")

		// Members: nothing to see, nothing to make.
		member := e.member(project)
		if l := get(t, member, "segments")["segments"].([]any); len(l) != 0 {
			t.Errorf("a member lists %d segments", len(l))
		}
		_, err = segments.Get(ctx(t), member, first.ID).Extract()
		wantError(t, err, 404, "SegmentNotFound")
		_, err = segments.Create(ctx(t), member, segments.CreateOpts{NetworkID: plain.ID, NetworkType: "vxlan"}).Extract()
		wantError(t, err, 403, "PolicyNotAuthorized")
		err = segments.Delete(ctx(t), member, first.ID).ExtractErr()
		wantError(t, err, 404, "SegmentNotFound")

		// The network's delete takes its segment and frees VNI 4000.
		must(t, networks.Delete(ctx(t), admin, vx.ID).ExtractErr())
		_, err = segments.Get(ctx(t), admin, first.ID).Extract()
		wantError(t, err, 404, "SegmentNotFound")
		_, err = createProvider(t, admin, doc{"provider:network_type": "vxlan", "provider:segmentation_id": 4000})
		must(t, err)
	})
}

// TestNetworkSegmentRanges: the configured ranges shown as read-only shared defaults; a
// project's own range, which its networks take ids from first and which shows them as used;
// Neutron's refusals (overlap, bad bounds, a VLAN range without physnet, an unsupported
// type, a range in use deleted or moved off its ids, defaults changed); members see none.
func TestNetworkSegmentRanges(t *testing.T) {
	forEachBackendWith(t, segmentsConf, func(t *testing.T, e *env) {
		admin := e.admin("it-ranges-admin")
		list := func(c *gophercloud.ServiceClient, query string) []map[string]any {
			var out []map[string]any
			for _, r := range get(t, c, "network_segment_ranges"+query)["network_segment_ranges"].([]any) {
				out = append(out, r.(map[string]any))
			}
			return out
		}
		defaults := list(admin, "")
		if len(defaults) != 2 {
			t.Fatalf("default ranges: %v", defaults)
		}
		for _, d := range defaults {
			if d["default"] != true || d["shared"] != true || d["project_id"] != nil {
				t.Errorf("default range %v", d)
			}
			switch d["network_type"] {
			case "vxlan":
				if num(d["minimum"]) != "100" || num(d["maximum"]) != "102" || len(d["available"].([]any)) != 3 {
					t.Errorf("vxlan default range %v", d)
				}
			case "vlan":
				if d["physical_network"] != "physnet1" || num(d["minimum"]) != "200" || num(d["maximum"]) != "201" {
					t.Errorf("vlan default range %v", d)
				}
			}
			_, _, err := raw(t, admin, http.MethodDelete, "network_segment_ranges/"+d["id"].(string), nil, nil, 204)
			wantError(t, err, 400, "NetworkSegmentRangeDefaultReadOnly")
			_, _, err = raw(t, admin, http.MethodPut, "network_segment_ranges/"+d["id"].(string), doc{"network_segment_range": doc{"name": "x"}}, nil, 200)
			wantError(t, err, 400, "NetworkSegmentRangeDefaultReadOnly")
		}
		create := func(body doc) (map[string]any, error) {
			out, _, err := raw(t, admin, http.MethodPost, "network_segment_ranges", doc{"network_segment_range": body}, nil, 201)
			if err != nil {
				return nil, err
			}
			return out["network_segment_range"].(map[string]any), nil
		}
		const tenant = "it-ranges-tenant"
		r, err := create(doc{"name": "own", "shared": false, "project_id": tenant, "network_type": "vxlan", "minimum": 300, "maximum": 301})
		must(t, err)
		if r["default"] != false || r["shared"] != false || r["project_id"] != tenant || r["physical_network"] != nil || len(r["available"].([]any)) != 2 {
			t.Fatalf("range %v", r)
		}
		id := r["id"].(string)
		for _, c := range []struct {
			name   string
			body   doc
			status int
			typ    string
		}{
			{"overlap", doc{"shared": true, "network_type": "vxlan", "minimum": 301, "maximum": 310}, 409, "NetworkSegmentRangeOverlaps"},
			{"reversed", doc{"shared": true, "network_type": "vxlan", "minimum": 320, "maximum": 310}, 400, "NetworkTunnelRangeError"},
			{"beyond VNIs", doc{"shared": true, "network_type": "vxlan", "minimum": 320, "maximum": 1 << 24}, 400, "NetworkTunnelRangeError"},
			{"VLAN 4095", doc{"shared": true, "network_type": "vlan", "physical_network": "physnet1", "minimum": 10, "maximum": 4095}, 400, "NetworkVlanRangeError"},
			{"VLAN without physnet", doc{"shared": true, "network_type": "vlan", "minimum": 10, "maximum": 20}, 400, "BadRequest"},
			{"gre", doc{"shared": true, "network_type": "gre", "minimum": 10, "maximum": 20}, 400, "NetworkSegmentRangeNetTypeNotSupported"},
			{"minimum 0", doc{"shared": true, "network_type": "vxlan", "minimum": 0, "maximum": 20}, 400, ""},
			{"no type", doc{"shared": true, "minimum": 10, "maximum": 20}, 400, ""},
		} {
			_, err := create(c.body)
			if err == nil {
				t.Errorf("%s: accepted", c.name)
				continue
			}
			wantError(t, err, c.status, c.typ)
		}

		// The project's networks take its own VNIs first.
		var ids []int
		var nets []string
		for i := 0; i < 2; i++ {
			n, err := createProvider(t, admin, doc{"name": "t", "tenant_id": tenant})
			must(t, err)
			ids = append(ids, n.SegmentationID)
			nets = append(nets, n.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []int{300, 301}) {
			t.Errorf("the project's networks got VNIs %v; want its range's 300, 301", ids)
		}
		// Another project never gets them: the default range only.
		other, err := createProvider(t, admin, doc{"name": "o", "tenant_id": "it-ranges-other"})
		must(t, err)
		if other.SegmentationID < 100 || other.SegmentationID > 102 {
			t.Errorf("another project's network got VNI %d", other.SegmentationID)
		}
		shown := get(t, admin, "network_segment_ranges/"+id)["network_segment_range"].(map[string]any)
		used := shown["used"].(map[string]any)
		if len(used) != 2 || used["300"] != tenant || used["301"] != tenant || len(shown["available"].([]any)) != 0 {
			t.Errorf("range in use shows used %v available %v", used, shown["available"])
		}
		_, _, err = raw(t, admin, http.MethodDelete, "network_segment_ranges/"+id, nil, nil, 204)
		wantError(t, err, 409, "NetworkSegmentRangeReferencedByProject")
		_, _, err = raw(t, admin, http.MethodPut, "network_segment_ranges/"+id, doc{"network_segment_range": doc{"minimum": 301, "maximum": 320}}, nil, 200)
		wantError(t, err, 409, "NetworkSegmentRangeReferencedByProject")
		out, _, err := raw(t, admin, http.MethodPut, "network_segment_ranges/"+id, doc{"network_segment_range": doc{"name": "wider", "minimum": 250, "maximum": 350}}, nil, 200)
		must(t, err)
		if w := out["network_segment_range"].(map[string]any); w["name"] != "wider" || num(w["minimum"]) != "250" || len(w["available"].([]any)) != 99 {
			t.Errorf("widened range %v", w)
		}

		// Members see no range and cannot make one.
		member := e.member(tenant)
		if l := list(member, ""); len(l) != 0 {
			t.Errorf("a member lists %d ranges", len(l))
		}
		_, _, err = raw(t, member, http.MethodGet, "network_segment_ranges/"+id, nil, nil, 200)
		wantError(t, err, 404, "NetworkSegmentRangeNotFound")
		_, _, err = raw(t, member, http.MethodPost, "network_segment_ranges", doc{"network_segment_range": doc{"network_type": "vxlan", "minimum": 900, "maximum": 901}}, nil, 201)
		wantError(t, err, 403, "PolicyNotAuthorized")
		_, _, err = raw(t, member, http.MethodDelete, "network_segment_ranges/"+id, nil, nil, 204)
		wantError(t, err, 404, "NetworkSegmentRangeNotFound")

		// Once its networks are gone, the range goes.
		for _, n := range nets {
			must(t, networks.Delete(ctx(t), admin, n).ExtractErr())
		}
		_, _, err = raw(t, admin, http.MethodDelete, "network_segment_ranges/"+id, nil, nil, 204)
		must(t, err)
		if l := list(admin, "?id="+id); len(l) != 0 {
			t.Errorf("deleted range still listed: %v", l)
		}
	})
}
