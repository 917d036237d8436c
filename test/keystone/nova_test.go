package keystone

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/endpoints"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/regions"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/services"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsbinding"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/midonet-go/midonet/internal/testutil/keystone"
	"github.com/midonet-go/midonet/test/testenv"
)

// novaEvent is one event of a recorded os-server-external-events request.
type novaEvent struct {
	Name       string `json:"name"`
	ServerUUID string `json:"server_uuid"`
	Status     string `json:"status"`
	Tag        string `json:"tag"`
}

// novaCall is one request the fake Nova received.
type novaCall struct {
	token, version, requestID string
	events                    []novaEvent
}

// fakeNova records the os-server-external-events requests it gets and answers as Nova does
// (200, each event with its code).
type fakeNova struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []novaCall
}

func startFakeNova(t *testing.T) *fakeNova {
	f := &fakeNova{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2.1/os-server-external-events" {
			http.Error(w, "not here", http.StatusNotFound)
			return
		}
		var body struct {
			Events []novaEvent `json:"events"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.calls = append(f.calls, novaCall{token: r.Header.Get("X-Auth-Token"), version: r.Header.Get("X-OpenStack-Nova-API-Version"),
			requestID: r.Header.Get("X-OpenStack-Request-ID"), events: body.Events})
		f.mu.Unlock()
		out := make([]map[string]any, len(body.Events))
		for i, e := range body.Events {
			out[i] = map[string]any{"name": e.Name, "server_uuid": e.ServerUUID, "status": e.Status, "tag": e.Tag, "code": 200}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"events": out})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNova) snapshot() []novaCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]novaCall(nil), f.calls...)
}

// waitEvent waits until an event with the name, server and port has arrived.
func (f *fakeNova) waitEvent(t *testing.T, name, server, port, status string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range f.snapshot() {
			for _, e := range c.events {
				if e.Name == name && e.ServerUUID == server && e.Tag == port && e.Status == status {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s (status %q) for server %s port %s reached Nova; it got %+v", name, status, server, port, f.snapshot())
}

// registerCompute puts the fake Nova in the catalog as the compute endpoint of a region of
// its own, removed when the test ends.
func registerCompute(t *testing.T, ks *keystone.Env, url string) string {
	t.Helper()
	ctx := t.Context()
	admin, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: ks.URL + "/v3",
		Username: "admin", Password: ks.AdminPassword, DomainName: "Default", TenantName: "admin"})
	if err != nil {
		t.Fatalf("admin login: %v", err)
	}
	id, err := openstack.NewIdentityV3(admin, gophercloud.EndpointOpts{})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := services.List(id, services.ListOpts{ServiceType: "compute"}).AllPages(ctx)
	if err != nil {
		t.Fatalf("list compute services: %v", err)
	}
	svcs, _ := services.ExtractServices(pages)
	var serviceID string
	if len(svcs) > 0 {
		serviceID = svcs[0].ID
	} else {
		enabled := true
		s, err := services.Create(ctx, id, services.CreateOpts{Type: "compute", Name: "nova", Enabled: &enabled,
			Description: "compute service (created by midonet test/keystone)"}).Extract()
		if err != nil {
			t.Fatalf("create compute service: %v", err)
		}
		serviceID = s.ID
	}
	region := regionPrefix + "nova-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := regions.Create(ctx, id, regions.CreateOpts{ID: region,
		Description: "midonet test/keystone " + time.Now().UTC().Format(time.RFC3339)}).Extract(); err != nil {
		t.Fatalf("create region: %v", err)
	}
	t.Cleanup(func() { deleteRegion(t, id, region) })
	if _, err := endpoints.Create(ctx, id, endpoints.CreateOpts{Availability: gophercloud.AvailabilityPublic, Region: region,
		ServiceID: serviceID, URL: url + "/v2.1"}).Extract(); err != nil {
		t.Fatalf("create compute endpoint: %v", err)
	}
	return region
}

// tokenUser asks Keystone whose token Nova was sent.
func tokenUser(t *testing.T, ks *keystone.Env, adminToken, token string) (string, int) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, ks.URL+"/v3/auth/tokens", nil)
	req.Header.Set("X-Auth-Token", adminToken)
	req.Header.Set("X-Subject-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Token struct {
			User struct{ Name string } `json:"user"`
		} `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return body.Token.User.Name, resp.StatusCode
}

// TestNovaEvents: with [nova] set as neutron.conf has it, the server tells Nova (found in
// the catalog of the [nova] user's Keystone token) what happens to a server's port:
// network-vif-plugged (completed) once the agent binds it and it goes ACTIVE,
// network-changed when its fixed IPs change, network-vif-unplugged when it is unbound and
// goes DOWN, network-vif-deleted when it is deleted. Every request carries a token Keystone
// validates as the [nova] user and Nova's API version; a port that is not a server's
// (no device_id) gets no event.
func TestNovaEvents(t *testing.T) {
	ks := keystone.Start(t)
	nova := startFakeNova(t)
	region := registerCompute(t, ks, nova.srv.URL)
	const host = "nova-events-host"
	conf := filepath.Join(t.TempDir(), "nova.conf")
	text := fmt.Sprintf(`[DEFAULT]
host = %s
send_events_interval = 1

[nova]
auth_url = %s
auth_type = password
username = neutron
password = %s
project_name = service
region_name = %s
`, host, ks.URL, ks.ServicePassword, region)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testenv.StartServer(t, testenv.Options{ConfigFiles: []string{conf}, Config: ks.ServerConfig()})
	c := &cloud{ks: ks, srv: srv}
	c.register(t)
	admin := c.login(t, "admin", "admin")
	ctx := t.Context()

	net, err := networks.Create(ctx, admin.net, networks.CreateOpts{Name: "nova-events"}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	// The pool leaves out the addresses the test names (.10, .11): the port made without an
	// address draws one at random from the pool, and once drew .11 before the update asked
	// for it (409 IpAddressAlreadyAllocated).
	sub, err := subnets.Create(ctx, admin.net, subnets.CreateOpts{NetworkID: net.ID, CIDR: "10.77.0.0/24", IPVersion: gophercloud.IPv4,
		AllocationPools: []subnets.AllocationPool{{Start: "10.77.0.100", End: "10.77.0.200"}}}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	server := "3d9e2b7c-5f1a-4c8e-9b2d-7a6f0e1c4b58"
	var port struct {
		ports.Port
		portsbinding.PortsBindingExt
	}
	err = ports.Create(ctx, admin.net, portsbinding.CreateOptsExt{CreateOptsBuilder: ports.CreateOpts{NetworkID: net.ID,
		DeviceOwner: "compute:nova", DeviceID: server, FixedIPs: []ports.IP{{SubnetID: sub.ID, IPAddress: "10.77.0.10"}}},
		HostID: host}).ExtractInto(&port)
	if err != nil {
		t.Fatal(err)
	}
	// A port bound to the same host that no server owns: nothing for Nova.
	var other struct{ ports.Port }
	if err := ports.Create(ctx, admin.net, portsbinding.CreateOptsExt{CreateOptsBuilder: ports.CreateOpts{NetworkID: net.ID,
		DeviceOwner: "compute:nova"}, HostID: host}).ExtractInto(&other); err != nil {
		t.Fatal(err)
	}

	t.Run("plugged when the agent binds it", func(t *testing.T) {
		nova.waitEvent(t, "network-vif-plugged", server, port.ID, "completed")
		p, err := ports.Get(ctx, admin.net, port.ID).Extract()
		if err != nil || p.Status != "ACTIVE" {
			t.Fatalf("port status %v (%v), want ACTIVE", p, err)
		}
	})
	t.Run("changed when its fixed IPs change", func(t *testing.T) {
		ips := []ports.IP{{SubnetID: sub.ID, IPAddress: "10.77.0.11"}}
		if _, err := ports.Update(ctx, admin.net, port.ID, ports.UpdateOpts{FixedIPs: ips}).Extract(); err != nil {
			t.Fatal(err)
		}
		nova.waitEvent(t, "network-changed", server, port.ID, "")
	})
	t.Run("unplugged when unbound", func(t *testing.T) {
		empty := ""
		if err := ports.Update(ctx, admin.net, port.ID, portsbinding.UpdateOptsExt{UpdateOptsBuilder: ports.UpdateOpts{},
			HostID: &empty}).Err; err != nil {
			t.Fatal(err)
		}
		nova.waitEvent(t, "network-vif-unplugged", server, port.ID, "completed")
	})
	t.Run("deleted", func(t *testing.T) {
		if err := ports.Delete(ctx, admin.net, port.ID).ExtractErr(); err != nil {
			t.Fatal(err)
		}
		nova.waitEvent(t, "network-vif-deleted", server, port.ID, "")
	})
	t.Run("each request as the [nova] user, for server ports only", func(t *testing.T) {
		adminToken := admin.token
		users := map[string]string{}
		calls := nova.snapshot()
		if len(calls) == 0 {
			t.Fatal("Nova got no request")
		}
		for _, call := range calls {
			if call.version != "2.1" || call.requestID == "" {
				t.Errorf("request without Nova's API version 2.1 or a request id: %+v", call)
			}
			if _, ok := users[call.token]; !ok {
				name, code := tokenUser(t, ks, adminToken, call.token)
				if code != http.StatusOK {
					t.Errorf("Keystone answers %d for the token sent to Nova", code)
				}
				users[call.token] = name
			}
			if users[call.token] != "neutron" {
				t.Errorf("events sent as %q, want the [nova] user neutron", users[call.token])
			}
			for _, e := range call.events {
				if e.Tag == other.ID || e.ServerUUID != server {
					t.Errorf("event %+v is not about the server's port", e)
				}
			}
		}
	})
}
