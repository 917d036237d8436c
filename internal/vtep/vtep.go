// Package vtep configures a hardware VTEP (a hw_vtep gateway device) over OVSDB with the
// hardware_vtep schema, as MidoNet's VXLAN gateway service did: for each L2 gateway
// connection, a Logical_Switch named after the Neutron network whose tunnel_key is the VNI,
// the VLAN bindings of the VTEP's Physical_Ports to it, Ucast_Macs_Remote rows for the MACs
// MidoNet holds on the network (each through the Physical_Locator of the tunnel IP behind
// which it lives) and the Mcast_Macs_Remote "unknown-dst" row that sends broadcast and
// unknown traffic to MidoNet. Sync is level-triggered and idempotent: it makes the VTEP hold
// exactly the given bindings among the logical switches MidoNet owns (name prefix "mn-")
// and leaves everything else on the switch alone.
package vtep

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/ovsdb"
)

// DB is the hardware VTEP database name.
const DB = "hardware_vtep"

// Prefix marks the logical switches MidoNet owns.
const Prefix = "mn-"

// UnknownDst is the Mcast_Macs_Remote MAC of broadcast and unknown-unicast traffic.
const UnknownDst = "unknown-dst"

// Binding is what one L2 gateway connection asks of the VTEP.
type Binding struct {
	// NetworkID names the logical switch: Prefix + NetworkID.
	NetworkID string
	// VNI is the logical switch's tunnel key.
	VNI int
	// Ports are the VTEP's physical ports (by name) and the VLAN on each that joins the
	// network (0: untagged).
	Ports []PortVLAN
	// MACs are the MACs MidoNet holds on the network and the tunnel IP behind each.
	MACs []RemoteMAC
	// Flood are the tunnel IPs that take the network's broadcast and unknown traffic.
	Flood []string
}

// PortVLAN binds a VLAN of a physical port.
type PortVLAN struct {
	Port string
	VLAN int
}

// RemoteMAC is a MAC behind a MidoNet tunnel endpoint (IP: its address, "" when unknown).
type RemoteMAC struct {
	MAC      string
	IP       string
	TunnelIP string
}

// LogicalSwitch is the logical switch name of a network.
func LogicalSwitch(networkID string) string { return Prefix + networkID }

// state is what Sync reads from the VTEP.
type state struct {
	switches map[string]row // Logical_Switch by name
	ports    []row          // the first Physical_Switch's Physical_Ports
	locators map[string]string
	ucast    []row
	mcast    []row
	sets     map[string][]string // Physical_Locator_Set uuid → locator uuids
}

type row map[string]any

// Sync makes the VTEP's MidoNet logical switches exactly bindings. It returns the number of
// operations it sent (0: the VTEP already matched).
func Sync(ctx context.Context, c *ovsdb.Client, bindings []Binding) (int, error) {
	st, err := read(ctx, c)
	if err != nil {
		return 0, err
	}
	ops := plan(st, bindings)
	if len(ops) == 0 {
		return 0, nil
	}
	if _, err := c.Transact(ctx, DB, ops...); err != nil {
		return 0, fmt.Errorf("vtep: apply %d operations: %w", len(ops), err)
	}
	return len(ops), nil
}

func read(ctx context.Context, c *ovsdb.Client) (*state, error) {
	sel := func(table string) ovsdb.Operation { return ovsdb.Operation{Op: "select", Table: table} }
	res, err := c.Transact(ctx, DB, sel("Logical_Switch"), sel("Physical_Switch"), sel("Physical_Port"),
		sel("Physical_Locator"), sel("Ucast_Macs_Remote"), sel("Mcast_Macs_Remote"), sel("Physical_Locator_Set"))
	if err != nil {
		return nil, fmt.Errorf("vtep: read: %w", err)
	}
	st := &state{switches: map[string]row{}, locators: map[string]string{}, sets: map[string][]string{}}
	for _, r := range res[0].Rows {
		st.switches[str(r["name"])] = r
	}
	// MidoNet manages the first physical switch of the VTEP (one switch per management
	// address, as MidoNet assumed).
	var mine map[string]bool
	if sw := res[1].Rows; len(sw) > 0 {
		sort.Slice(sw, func(i, j int) bool { return str(sw[i]["name"]) < str(sw[j]["name"]) })
		mine = map[string]bool{}
		for _, id := range uuids(sw[0]["ports"]) {
			mine[id] = true
		}
	}
	for _, r := range res[2].Rows {
		if mine[uuidOf(r["_uuid"])] {
			st.ports = append(st.ports, r)
		}
	}
	for _, r := range res[3].Rows {
		st.locators[str(r["dst_ip"])] = uuidOf(r["_uuid"])
	}
	st.ucast, st.mcast = toRows(res[4].Rows), toRows(res[5].Rows)
	for _, r := range res[6].Rows {
		st.sets[uuidOf(r["_uuid"])] = uuids(r["locators"])
	}
	return st, nil
}

func toRows(rs []map[string]any) []row {
	out := make([]row, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

// plan computes the operations that take the VTEP from st to bindings.
func plan(st *state, bindings []Binding) []ovsdb.Operation {
	var ops []ovsdb.Operation
	named := 0
	newName := func(p string) string { named++; return fmt.Sprintf("%s%d", p, named) }
	locatorByUUID := map[string]string{}
	for ip, id := range st.locators {
		locatorByUUID[id] = ip
	}
	// Locators: existing by uuid, new ones inserted once.
	locRef := map[string]any{}
	locator := func(ip string) any {
		if r, ok := locRef[ip]; ok {
			return r
		}
		if id, ok := st.locators[ip]; ok {
			locRef[ip] = ovsdb.UUID(id)
		} else {
			n := newName("loc")
			ops = append(ops, ovsdb.Operation{Op: "insert", Table: "Physical_Locator", UUIDName: n,
				Row: map[string]any{"encapsulation_type": "vxlan_over_ipv4", "dst_ip": ip}})
			locRef[ip] = ovsdb.NamedUUID(n)
		}
		return locRef[ip]
	}
	wanted := map[string]bool{}
	lsRef := map[string]any{} // logical switch name → reference
	desiredVLANs := map[string]map[int]any{}
	for _, b := range bindings {
		name := LogicalSwitch(b.NetworkID)
		wanted[name] = true
		cur, exists := st.switches[name]
		var ref any
		if exists {
			id := uuidOf(cur["_uuid"])
			ref = ovsdb.UUID(id)
			if intOf(cur["tunnel_key"]) != b.VNI {
				ops = append(ops, ovsdb.Operation{Op: "update", Table: "Logical_Switch",
					Where: []ovsdb.Condition{ovsdb.Equal("_uuid", ovsdb.UUID(id))}, Row: map[string]any{"tunnel_key": b.VNI}})
			}
		} else {
			n := newName("ls")
			ops = append(ops, ovsdb.Operation{Op: "insert", Table: "Logical_Switch", UUIDName: n,
				Row: map[string]any{"name": name, "tunnel_key": b.VNI, "description": "MidoNet network " + b.NetworkID}})
			ref = ovsdb.NamedUUID(n)
		}
		lsRef[name] = ref
		for _, p := range b.Ports {
			if desiredVLANs[p.Port] == nil {
				desiredVLANs[p.Port] = map[int]any{}
			}
			desiredVLANs[p.Port][p.VLAN] = ref
		}
		// Unicast MACs: keep the rows that match, replace the others.
		lsID := ""
		if exists {
			lsID = uuidOf(cur["_uuid"])
		}
		want := map[string]RemoteMAC{}
		for _, m := range b.MACs {
			want[strings.ToLower(m.MAC)] = m
		}
		for _, r := range st.ucast {
			if lsID == "" || uuidOf(r["logical_switch"]) != lsID {
				continue
			}
			mac := strings.ToLower(str(r["MAC"]))
			m, ok := want[mac]
			if ok && locatorByUUID[uuidOf(r["locator"])] == m.TunnelIP && str(r["ipaddr"]) == m.IP {
				delete(want, mac)
				continue
			}
			ops = append(ops, ovsdb.Operation{Op: "delete", Table: "Ucast_Macs_Remote",
				Where: []ovsdb.Condition{ovsdb.Equal("_uuid", ovsdb.UUID(uuidOf(r["_uuid"])))}})
		}
		macs := make([]string, 0, len(want))
		for mac := range want {
			macs = append(macs, mac)
		}
		sort.Strings(macs)
		for _, mac := range macs {
			m := want[mac]
			ops = append(ops, ovsdb.Operation{Op: "insert", Table: "Ucast_Macs_Remote",
				Row: map[string]any{"MAC": mac, "logical_switch": ref, "locator": locator(m.TunnelIP), "ipaddr": m.IP}})
		}
		// Broadcast and unknown unicast: one unknown-dst row towards the flood locators.
		flood := append([]string(nil), b.Flood...)
		sort.Strings(flood)
		keep := false
		for _, r := range st.mcast {
			if lsID == "" || uuidOf(r["logical_switch"]) != lsID {
				continue
			}
			if str(r["MAC"]) == UnknownDst && !keep && slices.Equal(locatorIPs(st.sets[uuidOf(r["locator_set"])], locatorByUUID), flood) {
				keep = true
				continue
			}
			ops = append(ops, ovsdb.Operation{Op: "delete", Table: "Mcast_Macs_Remote",
				Where: []ovsdb.Condition{ovsdb.Equal("_uuid", ovsdb.UUID(uuidOf(r["_uuid"])))}})
		}
		if !keep && len(flood) > 0 {
			refs := make([]any, 0, len(flood))
			for _, ip := range flood {
				refs = append(refs, locator(ip))
			}
			n := newName("set")
			ops = append(ops,
				ovsdb.Operation{Op: "insert", Table: "Physical_Locator_Set", UUIDName: n, Row: map[string]any{"locators": ovsdb.Set(refs...)}},
				ovsdb.Operation{Op: "insert", Table: "Mcast_Macs_Remote", Row: map[string]any{"MAC": UnknownDst, "logical_switch": ref, "locator_set": ovsdb.NamedUUID(n)}})
		}
	}
	// Logical switches MidoNet no longer wants: their MAC rows, then the switch.
	stale := map[string]bool{}
	for name, r := range st.switches {
		if !strings.HasPrefix(name, Prefix) || wanted[name] {
			continue
		}
		id := uuidOf(r["_uuid"])
		stale[id] = true
		for _, table := range []string{"Ucast_Macs_Remote", "Mcast_Macs_Remote"} {
			ops = append(ops, ovsdb.Operation{Op: "delete", Table: table,
				Where: []ovsdb.Condition{ovsdb.Equal("logical_switch", ovsdb.UUID(id))}})
		}
		ops = append(ops, ovsdb.Operation{Op: "delete", Table: "Logical_Switch",
			Where: []ovsdb.Condition{ovsdb.Equal("_uuid", ovsdb.UUID(id))}})
	}
	// Port bindings: MidoNet's VLANs as wanted, every other binding kept.
	mido := map[string]bool{}
	for name, r := range st.switches {
		if strings.HasPrefix(name, Prefix) {
			mido[uuidOf(r["_uuid"])] = true
		}
	}
	for _, p := range st.ports {
		name := str(p["name"])
		cur := vlanMap(p["vlan_bindings"])
		next := map[int]any{}
		for vlan, ls := range cur {
			if !mido[ls] {
				next[vlan] = ovsdb.UUID(ls)
			}
		}
		for vlan, ref := range desiredVLANs[name] {
			next[vlan] = ref
		}
		if sameBindings(cur, next) {
			continue
		}
		ops = append(ops, ovsdb.Operation{Op: "update", Table: "Physical_Port",
			Where: []ovsdb.Condition{ovsdb.Equal("_uuid", ovsdb.UUID(uuidOf(p["_uuid"])))},
			Row:   map[string]any{"vlan_bindings": ovsdb.Map(next, func(a, b int) bool { return a < b })}})
	}
	return ops
}

// sameBindings reports whether next (references) names exactly the switches of cur (uuids).
func sameBindings(cur map[int]string, next map[int]any) bool {
	if len(cur) != len(next) {
		return false
	}
	for vlan, ref := range next {
		r, ok := ref.([]any)
		if !ok || len(r) != 2 || r[0] != "uuid" || cur[vlan] != r[1] {
			return false
		}
	}
	return true
}

func locatorIPs(ids []string, byUUID map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, byUUID[id])
	}
	sort.Strings(out)
	return out
}

// Decoding of OVSDB values as select returns them.

func str(v any) string {
	s, _ := v.(string)
	return s
}

// uuidOf reads ["uuid", id].
func uuidOf(v any) string {
	if a, ok := v.([]any); ok && len(a) == 2 && a[0] == "uuid" {
		return str(a[1])
	}
	return ""
}

// uuids reads a set of uuids: one bare ["uuid", id] or ["set", [...]].
func uuids(v any) []string {
	if id := uuidOf(v); id != "" {
		return []string{id}
	}
	a, ok := v.([]any)
	if !ok || len(a) != 2 || a[0] != "set" {
		return nil
	}
	l, _ := a[1].([]any)
	var out []string
	for _, x := range l {
		if id := uuidOf(x); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// intOf reads an integer, or an optional integer (an empty set is -1).
func intOf(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return -1
}

// vlanMap reads ["map", [[vlan, ["uuid", id]], ...]].
func vlanMap(v any) map[int]string {
	out := map[int]string{}
	a, ok := v.([]any)
	if !ok || len(a) != 2 || a[0] != "map" {
		return out
	}
	pairs, _ := a[1].([]any)
	for _, p := range pairs {
		kv, ok := p.([]any)
		if !ok || len(kv) != 2 {
			continue
		}
		if f, ok := kv[0].(float64); ok {
			out[int(f)] = uuidOf(kv[1])
		}
	}
	return out
}
