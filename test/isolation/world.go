package isolation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
)

// Client sends one request to the Neutron API as one identity. path is
// relative to /v2.0/ (e.g. "networks/ID?fields=id"); body is the JSON request
// body or nil. It returns the HTTP status and the raw answer body; err is only
// for requests that got no answer.
type Client interface {
	Do(ctx context.Context, method, path string, body []byte) (status int, answer []byte, err error)
}

// World is what the attacks run against: A's resources (made by an admin),
// B's own resources (made by B, a member) and the external network (admin's).
type World struct {
	ProjectA, ProjectB string
	// IDs maps placeholder names (without braces) to values: netA, subA, …
	// and projectA, projectB.
	IDs map[string]string
	// private are the IDs of A's resources B must not see.
	private map[string]string // id -> placeholder name
}

// Expand replaces the {name} placeholders of s with the World's values.
func (w *World) Expand(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, 2*len(w.IDs))
	for k, v := range w.IDs {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// SecretMarker is part of the name of every private resource of A: an answer
// to B that contains it leaks one of A's documents.
const SecretMarker = "a-secret"

// call sends a request and decodes a JSON answer; a status other than want is an error.
func call(ctx context.Context, c Client, method, path string, body any, want int) (map[string]any, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	status, ans, err := c.Do(ctx, method, path, b)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return nil, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, status, want, ans)
	}
	out := map[string]any{}
	if len(ans) > 0 {
		if err := json.Unmarshal(ans, &out); err != nil {
			return nil, fmt.Errorf("%s %s: answer is not JSON: %w: %s", method, path, err, ans)
		}
	}
	return out, nil
}

// creator makes resources and records their IDs under placeholder names.
type creator struct {
	ctx context.Context
	w   *World
	err error
}

// make POSTs {member: attrs} to collection as c and records the new id as
// name. Placeholders in string values of attrs are expanded first.
func (m *creator) make(c Client, name, collection, member string, attrs map[string]any) {
	if m.err != nil {
		return
	}
	out, err := call(m.ctx, c, "POST", collection, map[string]any{member: m.expand(attrs)}, 201)
	if err != nil {
		m.err = fmt.Errorf("create %s: %w", name, err)
		return
	}
	doc, _ := out[member].(map[string]any)
	id, _ := doc["id"].(string)
	if id == "" {
		m.err = fmt.Errorf("create %s: no id in %v", name, out)
		return
	}
	m.w.IDs[name] = id
}

// do sends a request that must answer want.
func (m *creator) do(c Client, what, method, path string, body map[string]any, want int) map[string]any {
	if m.err != nil {
		return nil
	}
	out, err := call(m.ctx, c, method, m.w.Expand(path), m.expand(body), want)
	if err != nil {
		m.err = fmt.Errorf("%s: %w", what, err)
	}
	return out
}

func (m *creator) expand(v map[string]any) map[string]any {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	var out map[string]any
	_ = json.Unmarshal([]byte(m.w.Expand(string(b))), &out)
	return out
}

// Setup builds the World: admin makes A's resources (owned by projectA) and
// the external network, b (a member of projectB) makes B's own.
//
// A: a private network (netA) with an attached subnet (subA, interface of
// routerA) and an unattached one (subA2); a VM port (portA, with floating IP
// fipA) and a free port (portA2); routerA with its gateway on the external
// network; a security group (sgA) with a rule and a remote-group rule; a
// private subnet pool (poolA); a shared network (sharedNet) with a subnet
// (sharedSub); a tag on netA and a network quota.
//
// B: a network (netB) with a subnet (subB); a subnet pool (poolB); a router
// (routerB) with its gateway on the external network and an interface on
// subB; a second router (routerB2); a VM port (portB) and a spare port
// (portB2); a floating IP (fipB); ports on A's shared network (portBShared,
// portBShared2, portBShared3, portBShared4); a security group (sgB).
func Setup(ctx context.Context, admin, b Client, projectA, projectB string) (*World, error) {
	w := &World{ProjectA: projectA, ProjectB: projectB, IDs: map[string]string{
		"projectA": projectA, "projectB": projectB,
		// An id nothing has (agents come and go with hosts).
		"noSuchID": "1d2a5c9e-0000-4000-8000-00000000a9e7",
	}}
	m := &creator{ctx: ctx, w: w}
	a := func(attrs map[string]any) map[string]any { attrs["tenant_id"] = projectA; return attrs }

	m.make(admin, "ext", "networks", "network", map[string]any{"name": "iso-ext", "router:external": true})
	m.make(admin, "extSub", "subnets", "subnet", map[string]any{"network_id": "{ext}", "ip_version": 4, "cidr": "172.30.0.0/24", "name": "iso-ext-sub"})

	m.make(admin, "netA", "networks", "network", a(map[string]any{"name": SecretMarker + "-net"}))
	m.make(admin, "subA", "subnets", "subnet", a(map[string]any{"network_id": "{netA}", "ip_version": 4, "cidr": "10.1.0.0/24", "name": SecretMarker + "-sub"}))
	m.make(admin, "subA2", "subnets", "subnet", a(map[string]any{"network_id": "{netA}", "ip_version": 4, "cidr": "10.2.0.0/24", "name": SecretMarker + "-sub2"}))
	m.make(admin, "sgA", "security-groups", "security_group", a(map[string]any{"name": SecretMarker + "-sg"}))
	m.make(admin, "ruleA", "security-group-rules", "security_group_rule", a(map[string]any{
		"security_group_id": "{sgA}", "direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.9.0.0/16"}))
	m.make(admin, "ruleA2", "security-group-rules", "security_group_rule", a(map[string]any{
		"security_group_id": "{sgA}", "direction": "ingress", "remote_group_id": "{sgA}"}))
	m.make(admin, "portA", "ports", "port", a(map[string]any{"network_id": "{netA}", "name": SecretMarker + "-vm-port",
		"device_owner": "compute:nova", "device_id": "a-secret-vm", "fixed_ips": []any{map[string]any{"subnet_id": "{subA}"}},
		"security_groups": []any{"{sgA}"}}))
	m.make(admin, "portA2", "ports", "port", a(map[string]any{"network_id": "{netA}", "name": SecretMarker + "-free-port",
		"fixed_ips": []any{map[string]any{"subnet_id": "{subA2}"}}}))
	m.make(admin, "routerA", "routers", "router", a(map[string]any{"name": SecretMarker + "-router",
		"external_gateway_info": map[string]any{"network_id": "{ext}"}}))
	if out := m.do(admin, "attach subA to routerA", "PUT", "routers/{routerA}/add_router_interface", map[string]any{"subnet_id": "{subA}"}, 200); out != nil {
		w.IDs["routerAPort"], _ = out["port_id"].(string)
	}
	m.make(admin, "fipA", "floatingips", "floatingip", a(map[string]any{"floating_network_id": "{ext}", "port_id": "{portA}"}))
	m.make(admin, "poolA", "subnetpools", "subnetpool", a(map[string]any{"name": SecretMarker + "-pool",
		"prefixes": []any{"10.200.0.0/16"}, "default_prefixlen": 24}))
	m.make(admin, "sharedNet", "networks", "network", a(map[string]any{"name": "a-shared-net", "shared": true}))
	m.make(admin, "sharedSub", "subnets", "subnet", a(map[string]any{"network_id": "{sharedNet}", "ip_version": 4, "cidr": "10.50.0.0/24", "name": "a-shared-sub"}))
	m.do(admin, "tag netA", "PUT", "networks/{netA}/tags", map[string]any{"tags": []any{SecretMarker + "-tag"}}, 200)
	m.do(admin, "quota of A", "PUT", "quotas/{projectA}", map[string]any{"quota": map[string]any{"network": 37}}, 200)

	m.make(b, "netB", "networks", "network", map[string]any{"name": "b-net"})
	m.make(b, "subB", "subnets", "subnet", map[string]any{"network_id": "{netB}", "ip_version": 4, "cidr": "10.3.0.0/24", "name": "b-sub"})
	m.make(b, "poolB", "subnetpools", "subnetpool", map[string]any{"name": "b-pool", "prefixes": []any{"10.210.0.0/16"}, "default_prefixlen": 24})
	m.make(b, "sgB", "security-groups", "security_group", map[string]any{"name": "b-sg"})
	m.make(b, "routerB", "routers", "router", map[string]any{"name": "b-router", "external_gateway_info": map[string]any{"network_id": "{ext}"}})
	m.make(b, "routerB2", "routers", "router", map[string]any{"name": "b-router-2"})
	m.do(b, "attach subB to routerB", "PUT", "routers/{routerB}/add_router_interface", map[string]any{"subnet_id": "{subB}"}, 200)
	m.make(b, "portB", "ports", "port", map[string]any{"network_id": "{netB}", "name": "b-vm-port", "device_owner": "compute:nova", "device_id": "b-vm"})
	m.make(b, "portB2", "ports", "port", map[string]any{"network_id": "{netB}", "name": "b-spare-port"})
	m.make(b, "fipB", "floatingips", "floatingip", map[string]any{"floating_network_id": "{ext}"})
	// One port on the shared network per attack that rewrites one, so that
	// an attack that wrongly succeeds cannot decide the next one's answer.
	for _, name := range []string{"portBShared", "portBShared2", "portBShared3", "portBShared4"} {
		m.make(b, name, "ports", "port", map[string]any{"network_id": "{sharedNet}", "name": "b-shared-port"})
	}
	if m.err != nil {
		return nil, m.err
	}
	// The network type of B's network, for a member update that repeats it.
	out := m.do(admin, "read netB", "GET", "networks/{netB}", nil, 200)
	if m.err != nil {
		return nil, m.err
	}
	nb, _ := out["network"].(map[string]any)
	typ, _ := nb["provider:network_type"].(string)
	if typ == "" {
		return nil, fmt.Errorf("admin sees no provider:network_type on B's network: %v", nb)
	}
	w.IDs["netBType"] = typ

	w.private = map[string]string{}
	for _, k := range []string{"netA", "subA", "subA2", "portA", "portA2", "routerA", "fipA", "sgA", "ruleA", "ruleA2", "poolA", "routerAPort"} {
		w.private[w.IDs[k]] = k
	}
	return w, nil
}

// Snapshot is every document of A as an admin sees it, by "collection/id".
type Snapshot map[string]map[string]any

// snapshotCollections are the collections whose documents A owns.
var snapshotCollections = []struct{ path, key string }{
	{"networks", "networks"}, {"subnets", "subnets"}, {"subnetpools", "subnetpools"}, {"ports", "ports"},
	{"routers", "routers"}, {"floatingips", "floatingips"}, {"security-groups", "security_groups"},
	{"security-group-rules", "security_group_rules"},
}

// Take reads, as admin, every document owned by A; every port and subnet on
// A's private network, whoever owns it; every port whose device_id is A's
// router; every network:* port on A's shared network; and A's quota.
func Take(ctx context.Context, admin Client, w *World) (Snapshot, error) {
	s := Snapshot{}
	add := func(path, key string, keep func(map[string]any) bool) error {
		out, err := call(ctx, admin, "GET", path, nil, 200)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		l, ok := out[key].([]any)
		if !ok {
			return fmt.Errorf("snapshot: GET %s: no %q list in %v", path, key, out)
		}
		col, _, _ := strings.Cut(path, "?")
		for _, x := range l {
			d, _ := x.(map[string]any)
			id, _ := d["id"].(string)
			if id == "" {
				return fmt.Errorf("snapshot: GET %s: a document without id: %v", path, d)
			}
			if keep == nil || keep(d) {
				s[col+"/"+id] = d
			}
		}
		return nil
	}
	q := url.Values{"tenant_id": {w.ProjectA}}.Encode()
	for _, c := range snapshotCollections {
		if err := add(c.path+"?"+q, c.key, nil); err != nil {
			return nil, err
		}
	}
	onNet := func(net string) string { return url.Values{"network_id": {net}}.Encode() }
	if err := add("ports?"+onNet(w.IDs["netA"]), "ports", nil); err != nil {
		return nil, err
	}
	if err := add("subnets?"+onNet(w.IDs["netA"]), "subnets", nil); err != nil {
		return nil, err
	}
	if err := add("ports?"+url.Values{"device_id": {w.IDs["routerA"]}}.Encode(), "ports", nil); err != nil {
		return nil, err
	}
	networkOwned := func(d map[string]any) bool {
		o, _ := d["device_owner"].(string)
		return strings.HasPrefix(o, "network:")
	}
	if err := add("ports?"+onNet(w.IDs["sharedNet"]), "ports", networkOwned); err != nil {
		return nil, err
	}
	out, err := call(ctx, admin, "GET", "quotas/"+url.PathEscape(w.ProjectA), nil, 200)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	qd, _ := out["quota"].(map[string]any)
	s["quotas/"+w.ProjectA] = qd
	return s, nil
}

// Diff lists what differs between two snapshots, one line per document
// (gone, new, or the attributes that changed with both values).
func Diff(before, after Snapshot) []string {
	var out []string
	for k, b := range before {
		a, ok := after[k]
		if !ok {
			out = append(out, k+": gone")
			continue
		}
		if reflect.DeepEqual(a, b) {
			continue
		}
		var fields []string
		for f := range union(a, b) {
			if !reflect.DeepEqual(a[f], b[f]) {
				fields = append(fields, fmt.Sprintf("%s %s -> %s", f, js(b[f]), js(a[f])))
			}
		}
		sort.Strings(fields)
		out = append(out, k+": "+strings.Join(fields, "; "))
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			out = append(out, k+": new "+js(after[k]))
		}
	}
	sort.Strings(out)
	return out
}

func union(a, b map[string]any) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Leaks lists what an answer to B reveals of A's private resources: their IDs
// (unless the request named them itself) and the SecretMarker of their
// names and tags.
func (w *World) Leaks(request string, answer []byte) []string {
	var out []string
	text := string(answer)
	for id, name := range w.private {
		if strings.Contains(text, id) && !strings.Contains(request, id) {
			out = append(out, "the id of "+name)
		}
	}
	if strings.Contains(text, SecretMarker) && !strings.Contains(request, SecretMarker) {
		out = append(out, "the name or a tag of a private resource of A ("+SecretMarker+"…)")
	}
	sort.Strings(out)
	return out
}

// ErrorType returns the NeutronError type of an error answer ("" if none).
func ErrorType(answer []byte) string {
	var e struct {
		NeutronError struct {
			Type string `json:"type"`
		} `json:"NeutronError"`
	}
	_ = json.Unmarshal(answer, &e)
	return e.NeutronError.Type
}

// LeakedDocs lists the private documents of A that an answer holds: any JSON
// object whose id is one of A's private resources and whose project is A.
// Unlike Leaks it does not depend on what B sent earlier (B may itself store
// A's ids in free-text attributes such as device_id), so it suits the fuzzer.
func (w *World) LeakedDocs(answer []byte) []string {
	var v any
	if json.Unmarshal(answer, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			id, _ := t["id"].(string)
			if name, ok := w.private[id]; ok && (t["project_id"] == w.ProjectA || t["tenant_id"] == w.ProjectA) {
				out = append(out, name)
			}
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return out
}
