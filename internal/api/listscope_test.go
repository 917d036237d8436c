package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/policy"
)

// TestTenantListScoped: a member's port lists read its project's ports and the ports on its
// networks (the bound its get_port rule gives) instead of walking every port, and answer
// exactly what the walk answers: the same server with a get_port rule that no bound
// describes (one more branch, which passes nothing) walks, and every list, page and filter
// below gives the same ports in the same order on both.
func TestTenantListScoped(t *testing.T) {
	p := newInProcess(t, unlimited())
	as := func(project, role string) http.Header {
		return http.Header{"X-Project-Id": {project}, "X-Roles": {role}, "X-User-Id": {"u-" + project}}
	}
	// Another project's 60 ports, the member's network with 4 ports of its own and 2 of a
	// third project on it (its network's owner sees them), and the third project's port on
	// a network of its own (nobody else's).
	p.hdr = as("big", "admin")
	bigNet := benchNetwork(t, p, "10.1.0.0/16")
	for i := range 60 {
		p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": bigNet, "name": fmt.Sprint("big", i)}}, 201)
	}
	p.hdr = as("small", "member")
	smallNet := benchNetwork(t, p, "10.2.0.0/24")
	var want []string
	for i := range 4 {
		want = append(want, idOf(p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": smallNet, "name": fmt.Sprint("own", i)}}, 201), "port"))
	}
	p.hdr = as("third", "admin")
	for i := range 2 {
		want = append(want, idOf(p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": smallNet, "name": fmt.Sprint("guest", i), "tenant_id": "third"}}, 201), "port"))
	}
	thirdNet := benchNetwork(t, p, "10.3.0.0/24")
	p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": thirdNet, "name": "hidden"}}, 201)

	list := func(query string) []string {
		t.Helper()
		var ids []string
		target := "/v2.0/ports?" + query
		for range 20 {
			out := p.must(http.MethodGet, target, nil, 200)
			for _, x := range out["ports"].([]any) {
				ids = append(ids, x.(map[string]any)["id"].(string))
			}
			next := ""
			links, _ := out["ports_links"].([]any)
			for _, l := range links {
				if l := l.(map[string]any); l["rel"] == "next" {
					u, _ := url.Parse(l["href"].(string))
					next = u.RequestURI()
				}
			}
			if next == "" {
				return ids
			}
			target = next
		}
		t.Fatalf("%s: more than 20 pages", query)
		return nil
	}
	queries := []string{"", "limit=2", "limit=4&sort_key=name&sort_dir=desc", "limit=3&sort_key=created_at&sort_dir=asc",
		"fields=id&fields=name", "name=guest1", "network_id=" + smallNet, "limit=1&page_reverse=True"}
	p.hdr = as("small", "member")
	scoped := map[string][]string{}
	for _, q := range queries {
		scoped[q] = list(q)
	}
	all := scoped[""]
	slices.Sort(all)
	sortedWant := slices.Clone(want)
	slices.Sort(sortedWant)
	if !slices.Equal(all, sortedWant) {
		t.Fatalf("the member lists %v, want its 4 ports and the 2 on its network %v", all, sortedWant)
	}

	// The same server walking: get_port with a branch no bound describes.
	walk, err := policy.New(map[string]string{
		"get_port": "rule:context_is_advsvc or rule:admin_owner_or_network_owner or field:ports:name=never-such-name",
	}, policyRules()...)
	if err != nil {
		t.Fatal(err)
	}
	if _, bounded := walk.Scope("get_port", policy.Credentials{ProjectID: "small", Roles: []string{"member"}}); bounded {
		t.Fatal("the walking rule is bounded")
	}
	p.srv.Policy = walk
	for _, q := range queries {
		if got := list(q); !slices.Equal(got, scoped[q]) {
			t.Errorf("%q: scoped %v, walked %v", q, scoped[q], got)
		}
	}
}
