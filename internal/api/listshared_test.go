package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/midonet-go/midonet/internal/policy"
)

// TestFullListIsThePage compares a full list of ports (rendered straight from the shared,
// cached documents) with the same ports as one page (each rendered into its own map, the
// ordinary path), byte for byte, for an admin and for members who own ports, own a network
// others' ports are on, use a shared network or own nothing; with every field and a few,
// with a filter the store cannot narrow; and under the default policy and under rules that
// read the port's network or hide an attribute from some ports only.
func TestFullListIsThePage(t *testing.T) {
	s := newInProcess(t, nil)
	w := newIsoWorld(t, s)
	s.must(http.MethodPut, "/v2.0/ports/"+w.aPort, map[string]any{"port": map[string]any{"binding:host_id": "host-a", "binding:profile": map[string]any{"x": "y"}}}, 200)
	// A trunk: its parent port shows trunk_details, which the trunk service's hook adds.
	sub := s.create(t, projA, "ports", "port", map[string]any{"network_id": w.aNet, "name": "a-sub"})
	s.create(t, projA, "trunks", "trunk", map[string]any{"port_id": w.aPort, "name": "a-trunk",
		"sub_ports": []any{map[string]any{"port_id": sub, "segmentation_type": "vlan", "segmentation_id": 100}}})
	// A port without addresses: its dns_assignment, which the dns service's hook adds, is [].
	noIP := s.create(t, projA, "ports", "port", map[string]any{"network_id": w.aNet, "name": "a-no-ip", "fixed_ips": []any{}})
	s.must(http.MethodPut, "/v2.0/ports/"+noIP, map[string]any{"port": map[string]any{"binding:host_id": "host-a"}}, 200)
	s.must(http.MethodPut, "/v2.0/ports/"+w.bPortOnS, map[string]any{"port": map[string]any{"binding:host_id": "host-b", "admin_state_up": false}}, 200)

	policies := []struct {
		name      string
		overrides map[string]string
	}{
		{"default policy", nil},
		{"rules reading the network and the port", map[string]string{
			"get_port":                 "rule:context_is_advsvc or rule:admin_owner_or_network_owner or field:networks:shared=True",
			"get_port:binding:host_id": "rule:admin_or_owner",
			"get_port:binding:profile": "tenant_id:%(network:tenant_id)s",
		}},
		{"nothing to see", map[string]string{"get_port": "!", "get_subnet": "!"}},
		{"subnets by their network", map[string]string{"get_subnet": "tenant_id:%(network:tenant_id)s or field:networks:shared=True"}},
		{"a rule reading what the trunk hook adds", map[string]string{"get_port:binding:host_id": "field:ports:trunk_details=None or rule:admin_only"}},
		{"a rule reading what the dns hook adds", map[string]string{"get_port:binding:host_id": "field:ports:dns_assignment=[] or rule:admin_only"}},
	}
	callers := []string{"", projA, projB, "iso-project-c"}
	queries := []string{"", "?fields=id&fields=binding:host_id&fields=network_id", "?admin_state_up=true", "?fields=name&fields=binding:profile&admin_state_up=false"}
	srv := s.srv
	for _, p := range policies {
		enf, err := policy.New(p.overrides, policyRules()...)
		if err != nil {
			t.Fatal(err)
		}
		saved := srv.Policy
		srv.Policy = enf
		for _, caller := range callers {
			for _, q := range queries {
				full := listOf(t, s, caller, "ports", "/v2.0/ports"+q)
				sep := "?"
				if q != "" {
					sep = "&"
				}
				page := listOf(t, s, caller, "ports", "/v2.0/ports"+q+sep+"limit=1000")
				ref := listOf(t, s, caller, "ports", "/v2.0/ports"+q+sep+"limit=1000"+inMemory)
				if !bytes.Equal(full, ref) {
					t.Errorf("%s, caller %q, list%s:\n%s\nwant (the page in memory)\n%s", p.name, caller, q, full, ref)
				}
				if !bytes.Equal(page, ref) {
					t.Errorf("%s, caller %q, page%s:\n%s\nwant (the page in memory)\n%s", p.name, caller, q, page, ref)
				}
			}
			// Pages of 2 after a marker, in each direction: read through the key index and
			// rendered from shared documents, or sorted and rendered in memory.
			ids := idsOf(t, listOf(t, s, caller, "ports", "/v2.0/ports?fields=id"))
			if len(ids) == 0 {
				ids = []string{""} // no marker: the first page
			}
			id := func(i int) string { return ids[i%len(ids)] }
			for _, pq := range []string{"limit=2&marker=" + id(1), "limit=2&marker=" + id(3) + "&page_reverse=True",
				"limit=3&sort_key=name&sort_dir=desc&marker=" + id(2), "limit=2&sort_key=created_at&sort_dir=asc&page_reverse=True&marker=" + id(4),
				"limit=2&fields=id&fields=binding:host_id&sort_key=status&sort_dir=asc&marker=" + id(0)} {
				page := listOf(t, s, caller, "ports", "/v2.0/ports?"+pq)
				ref := listOf(t, s, caller, "ports", "/v2.0/ports?"+pq+inMemory)
				if !bytes.Equal(page, ref) {
					t.Errorf("%s, caller %q, page ?%s:\n%s\nwant (the page in memory)\n%s", p.name, caller, pq, page, ref)
				}
			}
			// Subnets take the same path (their network is their policy parent).
			full := listOf(t, s, caller, "subnets", "/v2.0/subnets")
			if page := listOf(t, s, caller, "subnets", "/v2.0/subnets?limit=1000"); !bytes.Equal(full, page) {
				t.Errorf("%s, caller %q, subnets:\n%s\nwant (the page)\n%s", p.name, caller, full, page)
			}
		}
		srv.Policy = saved
	}
}

// inMemory, added to a page's query, makes it a page sorted and rendered in memory (the
// ordinary path: a sort key named twice is beyond the key index, indexOrder) in the same
// order: ids are unique, and a keyed order's ties go by ascending id.
const inMemory = "&sort_key=id&sort_dir=asc&sort_key=id&sort_dir=asc"

// idsOf reads the ids of a list's array.
func idsOf(t *testing.T, list json.RawMessage) []string {
	t.Helper()
	var docs []struct{ ID string }
	if err := json.Unmarshal(list, &docs); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

// listOf lists as caller (admin for "") and returns the array of plural as sent.
func listOf(t *testing.T, s *inProcess, caller, plural, target string) json.RawMessage {
	t.Helper()
	saved := s.hdr
	defer func() { s.hdr = saved }()
	s.hdr = http.Header{}
	if caller != "" {
		s.hdr.Set("X-Project-Id", caller)
		s.hdr.Set("X-Roles", "member")
	}
	rec := s.do(http.MethodGet, target, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s as %q: %d %s", target, caller, rec.Code, rec.Body.String())
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("GET %s as %q: not JSON: %v", target, caller, err)
	}
	return out[plural]
}

// TestFullListsWhileWriting lists ports from several clients at once while another updates
// them: the lists share the cached documents (run with -race), and each is a valid list of
// every port.
func TestFullListsWhileWriting(t *testing.T) {
	s := newInProcess(t, nil)
	net := idOf(s.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "n"}}, 201), "network")
	s.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": net, "ip_version": 4, "cidr": "10.0.0.0/24"}}, 201)
	ports := make([]any, 30)
	for i := range ports {
		ports[i] = map[string]any{"network_id": net, "name": "p"}
	}
	created := s.must(http.MethodPost, "/v2.0/ports", map[string]any{"ports": ports}, 201)["ports"].([]any)
	done := make(chan error, 4)
	for c := 0; c < 4; c++ {
		go func() {
			for i := 0; i < 10; i++ {
				rec := s.do(http.MethodGet, "/v2.0/ports", nil)
				var out struct{ Ports []map[string]any }
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusOK || len(out.Ports) != len(ports) {
					done <- fmt.Errorf("list %d: status %d, %d ports, %v", i, rec.Code, len(out.Ports), err)
					return
				}
			}
			done <- nil
		}()
	}
	for i, p := range created {
		id := p.(map[string]any)["id"].(string)
		s.must(http.MethodPut, "/v2.0/ports/"+id, map[string]any{"port": map[string]any{"name": fmt.Sprintf("renamed-%d", i)}}, 200)
	}
	for c := 0; c < 4; c++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
