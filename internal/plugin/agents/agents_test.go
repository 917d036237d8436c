package agents_test

import (
	"context"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/agents"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
	"github.com/midonet-go/midonet/internal/topology"
)

const (
	hostA  = "11111111-1111-4111-8111-111111111111"
	hostB  = "22222222-2222-4222-8222-222222222222"
	nobody = "33333333-3333-4333-8333-333333333333"
)

// fakeHosts is the hosts record in memory (the app wires the NSDB's; test/agent runs that).
type fakeHosts map[string]model.Host

func (f fakeHosts) Host(_ context.Context, id string) (*model.Host, error) {
	if h, ok := f[id]; ok {
		return &h, nil
	}
	return nil, nil
}

func (f fakeHosts) Hosts(context.Context) ([]model.Host, error) {
	var out []model.Host
	for _, h := range f {
		out = append(out, h)
	}
	return out, nil
}

func setup(t *testing.T) (context.Context, *db.DB, []plugin.Collection) {
	t.Helper()
	ctx := context.Background()
	d := plugintest.OpenDB(t, nil)
	hosts := fakeHosts{
		hostA: {ID: hostA, Name: "a", Alive: true, Interfaces: []model.HostInterface{{Name: "eth0", Addresses: []string{"192.0.2.1"}}}},
		hostB: {ID: hostB, Name: "b", Alive: false},
	}
	return ctx, d, agents.Service().Collections(plugin.Deps{Hosts: hosts})
}

func TestAgentsFromHosts(t *testing.T) {
	ctx, d, cols := setup(t)
	ag := cols[0].(*agents.Agents)
	c := &plugin.Caller{IsAdmin: true}
	err := d.Write(ctx, func(tx *db.Tx) error {
		list, err := ag.List(ctx, tx, c, nil)
		if err != nil {
			return err
		}
		if len(list) != 2 || list[0]["id"] != hostA || list[1]["id"] != hostB {
			t.Fatalf("agents %v, want hosts a and b in id order", list)
		}
		if list[0]["alive"] != true || list[1]["alive"] != false || list[0]["agent_type"] != agents.AgentType || list[0]["binary"] != agents.Binary {
			t.Errorf("agent fields %v / %v", list[0], list[1])
		}
		ifaces := list[0]["configurations"].(map[string]any)["interfaces"].([]any)
		if len(ifaces) != 1 || ifaces[0].(map[string]any)["name"] != "eth0" {
			t.Errorf("configurations %v, want eth0", list[0]["configurations"])
		}
		if _, err := ag.Update(ctx, tx, c, list[0], db.Doc{"description": "rack 7"}); err != nil {
			return err
		}
		got, err := ag.Get(ctx, tx, hostA)
		if err != nil || got["description"] != "rack 7" {
			t.Errorf("after the update, Get = %v, %v; want description rack 7", got, err)
		}
		if missing, err := ag.Get(ctx, tx, nobody); err != nil || missing != nil {
			t.Errorf("Get of an unknown host = %v, %v; want nothing", missing, err)
		}
		cases := []struct {
			name string
			err  error
			typ  string
		}{
			{"admin_state_up", func() error { _, err := ag.Update(ctx, tx, c, list[0], db.Doc{"admin_state_up": false}); return err }(), "AgentUpdateNotSupported"},
			{"delete", ag.Delete(ctx, tx, c, list[0]), "AgentDeleteNotSupported"},
		}
		for _, tc := range cases {
			if f, ok := fault.As(tc.err); !ok || f.Type != tc.typ {
				t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.typ)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMemberships(t *testing.T) {
	ctx, d, cols := setup(t)
	ms := cols[1]
	c := &plugin.Caller{IsAdmin: true}
	for _, tc := range []struct {
		name, id, ip string
		status       int
		typ          string
	}{
		{"admit a host", hostA, "192.0.2.1", 0, ""},
		{"again", hostA, "192.0.2.1", 409, "AgentMembershipExists"},
		{"unknown host", nobody, "192.0.2.3", 404, "AgentNotFound"},
		{"IPv6 tunnel address", hostB, "2001:db8::1", 400, "InvalidInput"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var created db.Doc
			rec := &journal.Recorder{WriteTasks: true}
			err := d.Write(ctx, func(tx *db.Tx) error {
				rec.Reset()
				journal.Attach(tx, rec)
				var err error
				created, err = ms.Create(ctx, tx, c, db.Doc{"id": tc.id, "ip_address": tc.ip, "tenant_id": "admin", "project_id": "admin"})
				return err
			})
			if tc.status == 0 {
				if err != nil || created["ip_address"] != tc.ip {
					t.Fatalf("Create = %v, %v", created, err)
				}
				// The membership is journaled for the cluster as networking-midonet's task.
				ch := rec.Changes()
				if len(ch) != 1 || ch[0].DataType != "AGENTMEMBERSHIP" || ch[0].ResourceID != tc.id || ch[0].TaskID == 0 {
					t.Fatalf("journal %+v, want one AGENTMEMBERSHIP task", ch)
				}
				return
			}
			if f, ok := fault.As(err); !ok || f.Status != tc.status || f.Type != tc.typ {
				t.Fatalf("Create = %v, want %d %s", err, tc.status, tc.typ)
			}
		})
	}
	// A membership translates to a member of the DEFAULT tunnel zone.
	w := translate.NewWorld()
	w.Put("agent_memberships", db.Doc{"id": hostA, "ip_address": "192.0.2.1"})
	objs := builtin.Translators().Owned(w, translate.RefOf("agent_memberships", hostA))
	if len(objs) != 1 {
		t.Fatalf("translation %v, want one tunnel-zone member", objs)
	}
	m, ok := objs[0].(*topology.TunnelZoneMember)
	if !ok || m.HostID != hostA || m.IP != "192.0.2.1" || m.ZoneID != translate.DefaultTunnelZone {
		t.Fatalf("member %+v", objs[0])
	}
}

// TestMembershipPolicy: the folder's rules make memberships admin-only (without them the
// "default" rule would let a project's member create one for its own project).
func TestMembershipPolicy(t *testing.T) {
	e, err := policy.New(nil, agents.Service().Policies)
	if err != nil {
		t.Fatal(err)
	}
	member := policy.Credentials{UserID: "u", ProjectID: "p", Roles: []string{"member"}}
	admin := policy.Credentials{UserID: "a", ProjectID: "admin", Roles: []string{"admin"}, IsAdmin: true}
	for _, rule := range []string{"create_agent_membership", "get_agent_membership", "delete_agent_membership"} {
		if e.Enforce(rule, map[string]any{"tenant_id": "p"}, member) {
			t.Errorf("%s allowed to a member of the owning project", rule)
		}
		if !e.Enforce(rule, map[string]any{"tenant_id": "p"}, admin) {
			t.Errorf("%s refused to an admin", rule)
		}
	}
}
