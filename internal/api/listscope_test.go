package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
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

	list := func(query string) []string { t.Helper(); return listAll(t, p, "ports", query) }
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
		"get_port": "rule:context_is_advsvc or rule:admin_owner_or_network_owner or 'never':%(status)s",
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

// listAll follows a list's next links from /v2.0/<collection>?query and returns the ids of
// every page, in order.
func listAll(t *testing.T, p *inProcess, collection, query string) []string {
	t.Helper()
	var ids []string
	for _, d := range listItems(t, p, collection, collection, query) {
		ids = append(ids, d["id"].(string))
	}
	return ids
}

// listItems follows a list's next links from /v2.0/<path>?query and returns the items of
// every page, in order.
func listItems(t *testing.T, p *inProcess, collection, path, query string) []map[string]any {
	t.Helper()
	var items []map[string]any
	target := "/v2.0/" + path + "?" + query
	for range 20 {
		out := p.must(http.MethodGet, target, nil, 200)
		for _, x := range out[collection].([]any) {
			items = append(items, x.(map[string]any))
		}
		next := ""
		links, _ := out[collection+"_links"].([]any)
		for _, l := range links {
			if l := l.(map[string]any); l["rel"] == "next" {
				u, _ := url.Parse(l["href"].(string))
				next = u.RequestURI()
			}
		}
		if next == "" {
			return items
		}
		target = next
	}
	t.Fatalf("%s?%s: more than 20 pages", path, query)
	return nil
}

// TestTenantSharedListScoped: a member's lists of networks and security groups read its
// project's documents and those shared with it (and external networks: the bound its get
// rule gives, owner or shared or external) instead of walking every document, and answer
// exactly what the walk answers, bodies included (a group's rules). The documents are
// shared or external through policies naming the member's project, another project or
// everyone, or were written before RBAC policies existed (their `shared` and
// `router:external` flags alone).
func TestTenantSharedListScoped(t *testing.T) {
	type state struct {
		name                 string
		shared, external     bool
		sharedTo, externalTo []any // nil: the attributes are absent (written before RBAC)
		visible              bool
	}
	for _, c := range []struct {
		collection, path, member, rule string
		states                         []state
		own                            int // the member's own, its default group included
	}{
		{"networks", "networks", "network", "rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc", []state{
			{"wildcard-shared", true, false, []any{"*"}, []any{}, true},
			{"shared-to-small", false, false, []any{"small"}, []any{}, true},
			{"shared-to-third", false, false, []any{"third"}, []any{}, false},
			{"external", false, true, []any{}, []any{"*"}, true},
			{"external-to-small", false, true, []any{}, []any{"small"}, true},
			{"external-to-third", false, true, []any{}, []any{"third"}, false},
			{"legacy-shared", true, false, nil, nil, true},
			{"legacy-external", false, true, nil, nil, true},
			{"legacy-private", false, false, nil, nil, false},
		}, 2},
		{"security_groups", "security-groups", "security_group", "rule:admin_or_owner or field:security_groups:shared=True", []state{
			{"wildcard-shared", true, false, []any{"*"}, nil, true},
			{"shared-to-small", false, false, []any{"small"}, nil, true},
			{"shared-to-third", false, false, []any{"third"}, nil, false},
			{"legacy-private", false, false, nil, nil, false},
		}, 3},
	} {
		t.Run(c.collection, func(t *testing.T) {
			p := newInProcess(t, unlimited())
			as := func(project, role string) http.Header {
				return http.Header{"X-Project-Id": {project}, "X-Roles": {role}, "X-User-Id": {"u-" + project}}
			}
			create := func(name string) string {
				return idOf(p.must(http.MethodPost, "/v2.0/"+c.path, map[string]any{c.member: map[string]any{"name": name}}, 201), c.member)
			}
			p.hdr = as("big", "admin")
			for i := range 30 {
				create(fmt.Sprint("private", i))
			}
			// Documents of project big whose stored RBAC state is set as the rbac service (or
			// an older release) leaves it.
			visible := map[string]bool{}
			for _, st := range c.states {
				id := create(st.name)
				visible[id] = st.visible
				err := p.db.Write(t.Context(), func(tx *db.Tx) error {
					d, err := tx.Get(t.Context(), c.collection, id)
					if err != nil {
						return err
					}
					d["shared"] = st.shared
					delete(d, resource.RBACShared)
					delete(d, resource.RBACExternal)
					if st.sharedTo != nil {
						d[resource.RBACShared] = st.sharedTo
					}
					if c.collection == "networks" {
						d["router:external"] = st.external
						if st.externalTo != nil {
							d[resource.RBACExternal] = st.externalTo
						}
					}
					return tx.Put(t.Context(), c.collection, d)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			p.hdr = as("small", "member")
			for i := range 2 {
				visible[create(fmt.Sprint("own", i))] = true
			}

			queries := []string{"", "limit=2", "limit=3&sort_key=name&sort_dir=desc", "limit=2&sort_key=created_at&sort_dir=asc",
				"fields=id&fields=name", "shared=True", "shared=False", "limit=1&page_reverse=True", "name=legacy-private", "name=wildcard-shared"}
			if c.collection == "networks" {
				queries = append(queries, "router:external=True")
			}
			scoped := map[string][]map[string]any{}
			for _, q := range queries {
				scoped[q] = listItems(t, p, c.collection, c.path, q)
			}
			seen := map[string]bool{}
			for _, d := range scoped[""] {
				seen[d["id"].(string)] = true
			}
			for id, want := range visible {
				if seen[id] != want {
					t.Errorf("%s %s: in the member's list %v, want %v", c.member, id, seen[id], want)
				}
			}
			shown := 0
			for _, st := range c.states {
				if st.visible {
					shown++
				}
			}
			if n := len(scoped[""]); n != c.own+shown {
				t.Errorf("the member lists %d, want its %d and the %d shared with it", n, c.own, shown)
			}

			// The same server walking: the get rule with a branch no bound describes.
			walk, err := policy.New(map[string]string{"get_" + c.member: c.rule + " or 'never':%(status)s"}, policyRules()...)
			if err != nil {
				t.Fatal(err)
			}
			creds := policy.Credentials{ProjectID: "small", Roles: []string{"member"}}
			if _, bounded := walk.Scope("get_"+c.member, creds); bounded {
				t.Fatal("the walking rule is bounded")
			}
			if _, bounded := p.srv.Policy.Scope("get_"+c.member, creds); !bounded {
				t.Fatalf("the default get_%s is not bounded for a member", c.member)
			}
			p.srv.Policy = walk
			for _, q := range queries {
				if got := listItems(t, p, c.collection, c.path, q); !reflect.DeepEqual(got, scoped[q]) {
					t.Errorf("%q: scoped %v, walked %v", q, scoped[q], got)
				}
			}
		})
	}
}
