package app

import (
	"context"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/ovsdb"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/vtep"
)

// The cluster's hardware VTEP service (MidoNet's VXGW service): each hw_vtep gateway device
// managed over OVSDB is given, every [MIDONET] vxgw_sync_interval seconds, exactly the
// logical switches its L2 gateway connections ask for (internal/vtep). It is level-triggered
// like the port-status loop: a VTEP that was unreachable or changed by hand is brought back
// at the next pass.

// vtepTarget is one hardware VTEP and what MidoNet wants on it.
type vtepTarget struct {
	device   string
	address  string // management_ip:management_port
	bindings []vtep.Binding
}

// hwVtepTargets reads the Neutron database: every hw_vtep device with OVSDB management, the
// bindings of its connections (the gateway's interfaces and VLANs, the connection's VNI),
// and the MACs MidoNet holds on each connected network with the tunnel IP of the host each
// port is bound to (its agent membership). hostIDs maps a binding's host (name or id) to
// the host id.
func hwVtepTargets(ctx context.Context, tx *db.Tx, hostIDs map[string]string) ([]vtepTarget, error) {
	devices, err := tx.List(ctx, "gateway_devices", db.Filter{})
	if err != nil {
		return nil, err
	}
	gateways, err := tx.List(ctx, "l2_gateways", db.Filter{})
	if err != nil {
		return nil, err
	}
	gwByID := map[string]db.Doc{}
	for _, g := range gateways {
		gwByID[plugin.Str(g, "id")] = g
	}
	conns, err := tx.List(ctx, "l2_gateway_connections", db.Filter{})
	if err != nil {
		return nil, err
	}
	members, err := tx.List(ctx, "agent_memberships", db.Filter{})
	if err != nil {
		return nil, err
	}
	tunnelIP := map[string]string{}
	for _, m := range members {
		tunnelIP[plugin.Str(m, "id")] = plugin.Str(m, "ip_address")
	}
	var out []vtepTarget
	for _, d := range devices {
		if plugin.Str(d, "type") != "hw_vtep" || plugin.Str(d, "management_protocol") != "ovsdb" {
			continue
		}
		port, _ := model.Int(d["management_port"])
		t := vtepTarget{device: plugin.Str(d, "id"), address: net.JoinHostPort(plugin.Str(d, "management_ip"), strconv.FormatInt(port, 10))}
		for _, c := range conns {
			if plugin.Str(c, "device_id") != t.device {
				continue
			}
			vni, _ := model.Int(c["vni"])
			b := vtep.Binding{NetworkID: plugin.Str(c, "network_id"), VNI: int(vni)}
			for _, dev := range plugin.Objects(plugin.List(gwByID[plugin.Str(c, "l2_gateway_id")], "devices")) {
				for _, i := range plugin.Objects(plugin.List(dev, "interfaces")) {
					vlans := plugin.List(i, "segmentation_id")
					if len(vlans) == 0 {
						vlans = []any{0}
					}
					for _, v := range vlans {
						n, _ := model.Int(v)
						b.Ports = append(b.Ports, vtep.PortVLAN{Port: plugin.Str(i, "name"), VLAN: int(n)})
					}
				}
			}
			ports, err := tx.List(ctx, "ports", db.Filter{ParentID: b.NetworkID})
			if err != nil {
				return nil, err
			}
			flood := map[string]bool{}
			for _, pd := range ports {
				p, err := model.Decode[model.Port](pd)
				if err != nil || p.MACAddress == "" {
					continue
				}
				host := hostIDs[p.HostID]
				if host == "" {
					host = p.HostID
				}
				tip := tunnelIP[host]
				if tip == "" {
					continue // not bound to a tunnel-zone member: unreachable from the VTEP
				}
				ip := ""
				for _, f := range p.FixedIPs {
					if a, err := netip.ParseAddr(f.IPAddress); err == nil && a.Is4() {
						ip = a.String()
						break
					}
				}
				b.MACs = append(b.MACs, vtep.RemoteMAC{MAC: p.MACAddress, IP: ip, TunnelIP: tip})
				flood[tip] = true
			}
			for ip := range flood {
				b.Flood = append(b.Flood, ip)
			}
			sort.Strings(b.Flood)
			t.bindings = append(t.bindings, b)
		}
		out = append(out, t)
	}
	return out, nil
}

// vxgwLoop runs the hardware VTEP service until ctx ends.
func (s *Server) vxgwLoop(ctx context.Context, every time.Duration) {
	last := map[string]string{} // device → the last outcome logged
	for {
		s.vxgwPass(ctx, last)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// vxgwPass configures every hardware VTEP once, logging each device's outcome when it
// changes (an unreachable VTEP is logged once, not every pass).
func (s *Server) vxgwPass(ctx context.Context, last map[string]string) {
	hostIDs := map[string]string{}
	if infos, err := hosts.List(ctx, s.NSDB); err == nil {
		for _, i := range infos {
			hostIDs[i.Host.Name], hostIDs[i.Host.ID] = i.Host.ID, i.Host.ID
		}
	}
	var targets []vtepTarget
	if err := s.DB.Read(ctx, func(tx *db.Tx) error {
		var err error
		targets, err = hwVtepTargets(ctx, tx, hostIDs)
		return err
	}); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("hardware VTEP service: reading the gateway devices failed", "err", err)
		}
		return
	}
	for _, t := range targets {
		outcome, n := "ok", 0
		func() {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			c, err := ovsdb.Dial(cctx, "tcp", t.address)
			if err != nil {
				outcome = err.Error()
				return
			}
			defer c.Close()
			if n, err = vtep.Sync(cctx, c, t.bindings); err != nil {
				outcome = err.Error()
			}
		}()
		switch {
		case ctx.Err() != nil:
			return
		case outcome != "ok" && last[t.device] != outcome:
			s.log.Warn("hardware VTEP not configured", "gateway_device", t.device, "address", t.address, "err", outcome)
		case outcome == "ok" && (n > 0 || last[t.device] != "ok"):
			s.log.Info("hardware VTEP configured", "gateway_device", t.device, "address", t.address,
				"logical_switches", len(t.bindings), "operations", n)
		}
		last[t.device] = outcome
	}
}
