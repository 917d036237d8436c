package vpnaas

import (
	"context"
	"net/netip"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// ConnectionCollection is /v2.0/vpn/ipsec-site-connections: a connection is DOWN until its
// tunnel is up; an update is validated as a whole, as neutron-vpnaas does with the previous
// values as defaults, and turning admin_state_up off brings the tunnel down; a delete takes
// the tunnel with it.
func ConnectionCollection() stored.Collection {
	return stored.Collection{Res: Connections, Unscoped: true, Prepare: prepareConnection, Check: checkConnection}
}

// minMTU is the smallest MTU of each IP version (neutron-vpnaas's IP_MIN_MTU).
var minMTU = map[int]int64{4: 68, 6: 1280}

// StatusDown and StatusActive are a connection's states: DOWN until the agent that hosts the
// router's gateway reports an established IKE SA with its child SAs, ACTIVE while it does.
const (
	StatusDown   = "DOWN"
	StatusActive = "ACTIVE"
)

// withDPD merges a dpd body into base (the defaults, or the connection's current values).
func withDPD(given any, base map[string]any) map[string]any {
	out := map[string]any{"action": base["action"], "interval": base["interval"], "timeout": base["timeout"]}
	if m, ok := given.(map[string]any); ok {
		for _, k := range []string{"action", "interval", "timeout"} {
			if v, ok := m[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

var defaultDPD = map[string]any{"action": "hold", "interval": int64(30), "timeout": int64(120)}

// validate runs neutron-vpnaas's checks on a connection as it would be stored (d): the
// policies and service exist for the caller, the service's style (legacy subnet with
// peer_cidrs, or endpoint groups) is followed, IP versions agree, DPD and MTU are sane, and
// the peer address is an IP address of a version the router's gateway has. On create the
// policies are checked too (they cannot change afterwards).
func validate(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc, create bool) error {
	sd, err := plugin.Fetch(ctx, tx, c, Services.Collection, plugin.Str(d, "vpnservice_id"))
	if err != nil {
		return err
	}
	svc := model.MustDecode[VPNService](sd)
	var ipsec IPsecPolicy
	if create {
		if _, err := plugin.Fetch(ctx, tx, c, IKEPolicies.Collection, plugin.Str(d, "ikepolicy_id")); err != nil {
			return err
		}
		pd, err := plugin.Fetch(ctx, tx, c, IPsecPolicies.Collection, plugin.Str(d, "ipsecpolicy_id"))
		if err != nil {
			return err
		}
		ipsec = model.MustDecode[IPsecPolicy](pd)
	}
	localGroup, peerGroup := plugin.Str(d, "local_ep_group_id"), plugin.Str(d, "peer_ep_group_id")
	peerCIDRs := plugin.Strings(d, "peer_cidrs")
	if svc.SubnetID != "" {
		if len(peerCIDRs) == 0 {
			return fault.MissingPeerCidrs()
		}
		if which := groupsNamed(localGroup != "", peerGroup != ""); which != "" {
			return fault.InvalidEndpointGroup(which, plural(which))
		}
	} else {
		if len(peerCIDRs) > 0 {
			return fault.PeerCidrsInvalid()
		}
		if which := groupsNamed(localGroup == "", peerGroup == ""); which != "" {
			return fault.MissingRequiredEndpointGroup(which, plural(which))
		}
	}
	var localVersion, peerVersion int
	if localGroup != "" {
		lg, err := fetchGroup(ctx, tx, c, localGroup)
		if err != nil {
			return err
		}
		pg, err := fetchGroup(ctx, tx, c, peerGroup)
		if err != nil {
			return err
		}
		if lg.Type != "subnet" {
			return fault.WrongEndpointGroupType(lg.ID, lg.Type, "subnet")
		}
		versions := map[int]bool{}
		for _, sid := range lg.Endpoints {
			sd, err := tx.Get(ctx, "subnets", sid)
			if err != nil {
				return err
			}
			if sd == nil {
				continue
			}
			ok, err := routerHasSubnet(ctx, tx, svc.RouterID, sid)
			if err != nil {
				return err
			}
			if !ok {
				return fault.SubnetIsNotConnectedToRouter(sid, svc.RouterID)
			}
			localVersion = model.MustDecode[model.Subnet](sd).IPVersion
			versions[localVersion] = true
		}
		if len(versions) > 1 {
			return fault.MixedIPVersionsForIPSecEndpoints(lg.ID)
		}
		if pg.Type != "cidr" {
			return fault.WrongEndpointGroupType(pg.ID, pg.Type, "cidr")
		}
		v, mixed := cidrVersion(pg.Endpoints)
		if mixed {
			return fault.MixedIPVersionsForIPSecEndpoints(pg.ID)
		}
		peerVersion = v
	} else {
		sd, err := tx.Get(ctx, "subnets", svc.SubnetID)
		if err != nil {
			return err
		}
		if sd != nil {
			localVersion = model.MustDecode[model.Subnet](sd).IPVersion
		}
		for _, p := range peerCIDRs {
			if _, ok := parseCIDR(p); !ok {
				return fault.IPsecSiteConnectionPeerCidrError(p)
			}
		}
		v, mixed := cidrVersion(peerCIDRs)
		if mixed {
			return fault.MixedIPVersionsForPeerCidrs()
		}
		peerVersion = v
	}
	if localVersion != 0 && peerVersion != 0 && localVersion != peerVersion {
		return fault.MixedIPVersionsForIPSecConnection()
	}
	dpd, _ := d["dpd"].(map[string]any)
	interval, _ := model.Int(dpd["interval"])
	timeout, _ := model.Int(dpd["timeout"])
	if timeout <= interval {
		return fault.IPsecSiteConnectionDpdIntervalValueError()
	}
	if mtu, _ := model.Int(d["mtu"]); mtu != 0 && localVersion != 0 && mtu < minMTU[localVersion] {
		return fault.IPsecSiteConnectionMtuError(mtu, localVersion)
	}
	// The peer must be an address: the server resolves no names (neutron-vpnaas asks the
	// resolver of its host, which would let a project probe the server's DNS view).
	peer, err := netip.ParseAddr(plugin.Str(d, "peer_address"))
	if err != nil || peer.Zone() != "" {
		return fault.VPNPeerAddressNotResolved(plugin.Str(d, "peer_address"))
	}
	rd, err := tx.Get(ctx, "routers", svc.RouterID)
	if err != nil {
		return err
	}
	if rd != nil {
		v4, v6 := gatewayIPs(model.MustDecode[model.Router](rd))
		if (peer.Is4() && v4 == "") || (peer.Is6() && v6 == "") {
			ver := "IPv4"
			if peer.Is6() {
				ver = "IPv6"
			}
			return fault.ExternalNetworkHasNoSubnet(svc.RouterID, ver)
		}
	}
	// strongSwan negotiates ESP or AH, not the two bundled (what neutron-vpnaas's strongSwan
	// validator refuses too; upstream then answers 500 by a bug, here 400).
	if create && ipsec.TransformProtocol == "ah-esp" {
		return fault.IpsecValidationFailure("IPsec Policy", "transform_protocol", "ah-esp")
	}
	return nil
}

func groupsNamed(local, peer bool) string {
	var w []string
	if local {
		w = append(w, "local")
	}
	if peer {
		w = append(w, "peer")
	}
	return strings.Join(w, " and ")
}

func plural(which string) string {
	if strings.Contains(which, " and ") {
		return "s"
	}
	return ""
}

// cidrVersion is the IP version of CIDRs (0 for none) and whether they mix versions.
func cidrVersion(cidrs []string) (int, bool) {
	v := 0
	for _, s := range cidrs {
		p, ok := parseCIDR(s)
		if !ok {
			continue
		}
		if v != 0 && version(p) != v {
			return v, true
		}
		v = version(p)
	}
	return v, false
}

func fetchGroup(ctx context.Context, tx *db.Tx, c *plugin.Caller, id string) (EndpointGroup, error) {
	d, err := plugin.Fetch(ctx, tx, c, EndpointGroups.Collection, id)
	if err != nil {
		return EndpointGroup{}, err
	}
	return model.MustDecode[EndpointGroup](d), nil
}

func prepareConnection(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	d["dpd"] = withDPD(d["dpd"], defaultDPD)
	if d["peer_cidrs"] == nil {
		d["peer_cidrs"] = []any{}
	}
	if err := validate(ctx, tx, c, d, true); err != nil {
		return err
	}
	d["route_mode"], d["auth_mode"] = "static", "psk"
	d["status"] = StatusDown
	return nil
}

func checkConnection(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes, d db.Doc) error {
	prevDPD, _ := cur["dpd"].(map[string]any)
	if v, ok := changes["dpd"]; ok {
		d["dpd"] = withDPD(v, prevDPD)
	}
	if d["peer_cidrs"] == nil {
		d["peer_cidrs"] = []any{}
	}
	if err := validate(ctx, tx, c, d, false); err != nil {
		return err
	}
	if st := plugin.Str(cur, "status"); inPending(st) {
		return fault.VPNStateInvalidToUpdate(plugin.Str(cur, "id"), st)
	}
	if !plugin.Bool(d, "admin_state_up") {
		d["status"] = StatusDown
	}
	return nil
}
