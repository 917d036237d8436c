// Package agent_test drives `midonet serve` and separate `midonet agent` processes through
// the real API and the real NSDB: host registration and liveness, the agents and
// agent-membership APIs, port binding and port status.
package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const leaseTTL = 3 // seconds; small so liveness is observable quickly

type harness struct {
	t     *testing.T
	srv   *testenv.Server
	store *nsdb.Store
	cfg   string
}

func start(t *testing.T) *harness { t.Helper(); return startWith(t, "") }

// startWith starts the server with extra [MIDONET] options (the agents share the file).
func startWith(t *testing.T, midonet string) *harness {
	t.Helper()
	conf := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\nhost_lease_ttl = %d\n%s", leaseTTL, midonet)
	srv := testenv.StartServer(t, testenv.Options{Config: conf})
	cfg := filepath.Join(t.TempDir(), "agent.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ep, err := nsdb.EndpointFile(filepath.Join(srv.DataDir, "etcd"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := nsdb.Connect(context.Background(), []string{ep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &harness{t: t, srv: srv, store: store, cfg: cfg}
}

// agentProc is a `midonet agent` process for one host.
type agentProc struct {
	cmd    *exec.Cmd
	idFile string
	out    *bytes.Buffer
}

func (h *harness) startAgent(name, idFile string) *agentProc {
	h.t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(testenv.Binary(h.t), "agent", "--data-dir", h.srv.DataDir, "--config-file", h.cfg,
		"--host-name", name, "--host-id-file", idFile)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	p := &agentProc{cmd: cmd, idFile: idFile, out: &out}
	h.t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return p
}

// startLoggedAgent starts the agent of host name, waits for its host id and shows its
// output when the test fails.
func (h *harness) startLoggedAgent(name string) *agentProc {
	h.t.Helper()
	a := h.startAgent(name, filepath.Join(h.t.TempDir(), "host_id"))
	a.hostID(h.t)
	h.t.Cleanup(func() {
		if h.t.Failed() {
			h.t.Logf("agent output:\n%s", a.out.String())
		}
	})
	return a
}

func (p *agentProc) kill() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() }

func (p *agentProc) hostID(t *testing.T) string {
	t.Helper()
	var id string
	eventually(t, 10*time.Second, "host id file", func() bool {
		b, err := os.ReadFile(p.idFile)
		id = strings.TrimSpace(string(b))
		return err == nil && id != ""
	})
	return id
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (h *harness) do(method, path string, body any, headers map[string]string) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (h *harness) create(path, member string, body map[string]any) map[string]any {
	h.t.Helper()
	code, out := h.do("POST", "/v2.0/"+path, map[string]any{member: body}, nil)
	if code != 201 {
		h.t.Fatalf("POST %s: %d %v", path, code, out)
	}
	return out[member].(map[string]any)
}

func (h *harness) agent(id string) map[string]any {
	h.t.Helper()
	code, out := h.do("GET", "/v2.0/agents/"+id, nil, nil)
	if code != 200 {
		h.t.Fatalf("GET agent %s: %d %v", id, code, out)
	}
	return out["agent"].(map[string]any)
}

func (h *harness) portStatus(id string) string {
	h.t.Helper()
	_, out := h.do("GET", "/v2.0/ports/"+id, nil, nil)
	p, _ := out["port"].(map[string]any)
	s, _ := p["status"].(string)
	return s
}

func (h *harness) topologyPort(id string) *topology.Port {
	h.t.Helper()
	o, err := h.store.Object(context.Background(), 1, topology.KindPort, id)
	if err != nil {
		h.t.Fatal(err)
	}
	p, _ := o.(*topology.Port)
	return p
}

func errType(out map[string]any) string {
	e, _ := out["NeutronError"].(map[string]any)
	s, _ := e["type"].(string)
	return s
}

func TestAgentLivenessAndPortStatus(t *testing.T) {
	h := start(t)
	a := h.startAgent("compute-1", filepath.Join(t.TempDir(), "host_id"))
	id := a.hostID(t)
	eventually(t, 10*time.Second, "agent registered and alive", func() bool {
		code, out := h.do("GET", "/v2.0/agents/"+id, nil, nil)
		return code == 200 && out["agent"].(map[string]any)["alive"] == true
	})
	ag := h.agent(id)
	if ag["agent_type"] != "Midonet Agent" || ag["binary"] != "midolman" || ag["host"] != nil || ag["topic"] != nil || ag["heartbeat_timestamp"] != nil {
		t.Errorf("agent = %v", ag)
	}
	ifaces := ag["configurations"].(map[string]any)["interfaces"].([]any)
	if len(ifaces) == 0 || ifaces[0].(map[string]any)["name"] == nil {
		t.Errorf("configurations.interfaces = %v", ifaces)
	}
	// A VM port bound to compute-1 becomes ACTIVE once the agent plugs it.
	net := h.create("networks", "network", map[string]any{"name": "n", "tenant_id": "p"})
	h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "10.1.0.0/24", "ip_version": 4, "tenant_id": "p"})
	port := h.create("ports", "port", map[string]any{"network_id": net["id"], "tenant_id": "p", "device_owner": "compute:nova", "binding:host_id": "compute-1"})
	pid := port["id"].(string)
	if port["binding:vif_type"] != "midonet" {
		t.Errorf("vif_type = %v", port["binding:vif_type"])
	}
	if tp := h.topologyPort(pid); tp == nil || tp.HostID != "compute-1" || tp.InterfaceName != ("tap" + pid)[:14] {
		t.Fatalf("topology port binding = %+v (want interface tap+id, 14 characters)", tp)
	}
	eventually(t, 10*time.Second, "port ACTIVE", func() bool { return h.portStatus(pid) == "ACTIVE" })
	// Kill the agent: within the lease time the agent is dead and its port DOWN.
	a.kill()
	eventually(t, time.Duration(leaseTTL+8)*time.Second, "agent not alive", func() bool { return h.agent(id)["alive"] == false })
	eventually(t, 10*time.Second, "port DOWN", func() bool { return h.portStatus(pid) == "DOWN" })
	// Restart: back alive, port ACTIVE again.
	h.startAgent("compute-1", a.idFile)
	eventually(t, 10*time.Second, "agent alive again", func() bool { return h.agent(id)["alive"] == true })
	eventually(t, 10*time.Second, "port ACTIVE again", func() bool { return h.portStatus(pid) == "ACTIVE" })
	// An explicit interface name in binding:profile is used as is; re-binding moves it.
	code, out := h.do("PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"binding:profile": map[string]any{"interface_name": "eth5"}}}, nil)
	if code != 200 {
		t.Fatalf("rebind: %d %v", code, out)
	}
	eventually(t, 5*time.Second, "interface eth5", func() bool { tp := h.topologyPort(pid); return tp != nil && tp.InterfaceName == "eth5" })
}

func TestAgentsAndMembershipAPI(t *testing.T) {
	h := start(t)
	a := h.startAgent("compute-2", filepath.Join(t.TempDir(), "host_id"))
	id := a.hostID(t)
	eventually(t, 10*time.Second, "agent listed", func() bool {
		_, out := h.do("GET", "/v2.0/agents", nil, nil)
		for _, x := range out["agents"].([]any) {
			if x.(map[string]any)["id"] == id {
				return true
			}
		}
		return false
	})
	member := map[string]string{"X-Roles": "member", "X-Project-Id": "p"}
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		hdr    map[string]string
		status int
		typ    string
	}{
		{"non-admin lists agents", "GET", "/v2.0/agents", nil, member, 200, ""},
		{"non-admin shows an agent", "GET", "/v2.0/agents/" + id, nil, member, 404, "AgentNotFound"},
		{"non-admin updates an agent", "PUT", "/v2.0/agents/" + id, map[string]any{"agent": map[string]any{"description": "mine"}}, member, 404, "AgentNotFound"},
		{"update description", "PUT", "/v2.0/agents/" + id, map[string]any{"agent": map[string]any{"description": "rack 4"}}, nil, 200, ""},
		{"update admin_state_up unsupported", "PUT", "/v2.0/agents/" + id, map[string]any{"agent": map[string]any{"admin_state_up": false}}, nil, 400, "AgentUpdateNotSupported"},
		{"delete unsupported", "DELETE", "/v2.0/agents/" + id, nil, nil, 400, "AgentDeleteNotSupported"},
		{"membership by non-admin", "POST", "/v2.0/agent_memberships", map[string]any{"agent_membership": map[string]any{"id": id, "ip_address": "192.0.2.10"}}, member, 403, "PolicyNotAuthorized"},
		{"membership with IPv6", "POST", "/v2.0/agent_memberships", map[string]any{"agent_membership": map[string]any{"id": id, "ip_address": "2001:db8::10"}}, nil, 400, "InvalidInput"},
		{"membership of an unknown host", "POST", "/v2.0/agent_memberships", map[string]any{"agent_membership": map[string]any{"id": "00000000-0000-4000-8000-000000000000", "ip_address": "192.0.2.10"}}, nil, 404, "AgentNotFound"},
		{"membership", "POST", "/v2.0/agent_memberships", map[string]any{"agent_membership": map[string]any{"id": id, "ip_address": "192.0.2.10"}}, nil, 201, ""},
		{"membership twice", "POST", "/v2.0/agent_memberships", map[string]any{"agent_membership": map[string]any{"id": id, "ip_address": "192.0.2.11"}}, nil, 409, "AgentMembershipExists"},
		{"non-admin lists memberships", "GET", "/v2.0/agent_memberships", nil, member, 200, ""},
	}
	// Agents and memberships are an operator's view (get_agent and get_agent_membership are
	// admin_only): a member is answered as Neutron's policy hook answers, with empty lists
	// and "not found", never with what exists (a refused create is 403, as the hook answers).
	for _, c := range cases {
		code, out := h.do(c.method, c.path, c.body, c.hdr)
		if code != c.status || (c.typ != "" && errType(out) != c.typ) {
			t.Errorf("%s: %d %v, want %d %s", c.name, code, out, c.status, c.typ)
		}
		if c.method == "GET" && code == 200 && c.hdr != nil {
			for k, v := range out {
				if l, ok := v.([]any); !ok || len(l) != 0 {
					t.Errorf("%s: %s = %v, want an empty list", c.name, k, v)
				}
			}
		}
	}
	if d := h.agent(id)["description"]; d != "rack 4" {
		t.Errorf("description = %v", d)
	}
	// The membership puts the host into the DEFAULT tunnel zone of the NSDB.
	zoneMember := func() *topology.TunnelZoneMember {
		o, _ := h.store.Object(context.Background(), 1, topology.KindTunnelMember, id)
		m, _ := o.(*topology.TunnelZoneMember)
		return m
	}
	eventually(t, 5*time.Second, "tunnel zone member", func() bool { m := zoneMember(); return m != nil && m.IP == "192.0.2.10" })
	zone, _ := h.store.Object(context.Background(), 1, topology.KindTunnelZone, zoneMember().ZoneID)
	if z, ok := zone.(*topology.TunnelZone); !ok || z.Name != "DEFAULT" || z.Type != "vxlan" {
		t.Errorf("tunnel zone = %+v", zone)
	}
	_, out := h.do("GET", "/v2.0/agent_memberships/"+id, nil, nil)
	if m := out["agent_membership"].(map[string]any); m["ip_address"] != "192.0.2.10" {
		t.Errorf("membership = %v", m)
	}
	if code, _ := h.do("DELETE", "/v2.0/agent_memberships/"+id, nil, nil); code != 204 {
		t.Fatalf("delete membership: %d", code)
	}
	eventually(t, 5*time.Second, "member removed", func() bool { return zoneMember() == nil })
}

func TestUplinkPortBecomesBoundRouterPort(t *testing.T) {
	h := start(t)
	a := h.startAgent("edge-1", filepath.Join(t.TempDir(), "host_id"))
	a.hostID(t)
	up := h.create("networks", "network", map[string]any{"name": "uplink", "tenant_id": "p", "provider:network_type": "uplink"})
	h.create("subnets", "subnet", map[string]any{"network_id": up["id"], "cidr": "198.51.100.0/30", "ip_version": 4, "tenant_id": "p", "enable_dhcp": false})
	port := h.create("ports", "port", map[string]any{"network_id": up["id"], "tenant_id": "p", "binding:host_id": "edge-1",
		"binding:profile": map[string]any{"interface_name": "eth1"}, "fixed_ips": []any{map[string]any{"ip_address": "198.51.100.2"}}})
	r := h.create("routers", "router", map[string]any{"name": "edge", "tenant_id": "p"})
	code, out := h.do("PUT", "/v2.0/routers/"+r["id"].(string)+"/add_router_interface", map[string]any{"port_id": port["id"]}, nil)
	if code != 200 {
		t.Fatalf("add interface: %d %v", code, out)
	}
	rp := h.topologyPort(topology.RouterInterfacePortPeerID(port["id"].(string)))
	if rp == nil || rp.RouterID != r["id"] || rp.HostID != "edge-1" || rp.InterfaceName != "eth1" || rp.PeerID != "" {
		t.Fatalf("edge router port = %+v", rp)
	}
	if o, _ := h.store.Object(context.Background(), 1, topology.KindNetwork, up["id"].(string)); o != nil {
		t.Error("an uplink network must not become a bridge")
	}
	eventually(t, 10*time.Second, "uplink port ACTIVE", func() bool { return h.portStatus(port["id"].(string)) == "ACTIVE" })
}
