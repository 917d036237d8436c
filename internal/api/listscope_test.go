package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// TestTenantListScoped: a member's port lists read its project's ports and the ports on its
// networks (the bound its get_port rule gives) instead of walking every port, and answer
// exactly what the walk answers: the same server with a get_port rule that no bound
// describes (one more branch, which passes nothing) walks, and every list, page and filter
// below gives the same ports in the same order on both (scopedAsWalked).
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
	const others = 60 // another project's ports, not on the member's network
	for i := range others {
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

	queries := []string{"", "limit=2", "limit=4&sort_key=name&sort_dir=desc", "limit=3&sort_key=created_at&sort_dir=asc",
		"fields=id&fields=name", "name=guest1", "network_id=" + smallNet, "limit=1&page_reverse=True"}
	p.hdr = as("small", "member")
	scoped := scopedAsWalked(t, p, "ports", "ports", "port", "rule:context_is_advsvc or rule:admin_owner_or_network_owner", queries, others)
	var all []string
	for _, d := range scoped[""] {
		all = append(all, d["id"].(string))
	}
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Fatalf("the member lists %v, want its 4 ports and the 2 on its network %v", all, want)
	}
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

// TestTenantSharedListScoped: a member's lists of networks, subnets and security groups read
// its project's documents and those shared with it (external networks too, and the subnets
// of shared networks: the bound its get rule gives) instead of walking every document, and
// answer exactly what the walk answers, bodies included (a group's rules). The documents are
// shared or external through policies naming the member's project, another project or
// everyone, or were written before RBAC policies existed (their `shared` and
// `router:external` flags alone). A scoped list reads fewer documents than another
// project's private ones; the walk reads them all.
func TestTenantSharedListScoped(t *testing.T) {
	type state struct {
		name                 string
		shared, external     bool
		sharedTo, externalTo []any // nil: the attributes are absent (written before RBAC)
		visible              bool
		subnetVisible        bool // a subnet of another project on it (networks)
	}
	const private = 40 // another project's documents the member may not see, which no bound names
	for _, c := range []struct {
		collection, path, member, rule string
		states                         []state
		own                            int // the member's own, its default group included
	}{
		{"networks", "networks", "network", "rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc", []state{
			{"wildcard-shared", true, false, []any{"*"}, []any{}, true, true},
			{"shared-to-small", false, false, []any{"small"}, []any{}, true, true},
			{"shared-to-third", false, false, []any{"third"}, []any{}, false, false},
			{"external", false, true, []any{}, []any{"*"}, true, false},
			{"external-to-small", false, true, []any{}, []any{"small"}, true, false},
			{"external-to-third", false, true, []any{}, []any{"third"}, false, false},
			{"legacy-shared", true, false, nil, nil, true, true},
			{"legacy-external", false, true, nil, nil, true, false},
			{"legacy-private", false, false, nil, nil, false, false},
		}, 2},
		{"security_groups", "security-groups", "security_group", "rule:admin_or_owner or field:security_groups:shared=True", []state{
			{"wildcard-shared", true, false, []any{"*"}, nil, true, false},
			{"shared-to-small", false, false, []any{"small"}, nil, true, false},
			{"shared-to-third", false, false, []any{"third"}, nil, false, false},
			{"legacy-private", false, false, nil, nil, false, false},
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
			subnets := 0
			subnet := func(network, name string, project ...string) string {
				subnets++
				body := map[string]any{"network_id": network, "name": name, "ip_version": 4, "cidr": fmt.Sprintf("10.%d.%d.0/24", subnets/256, subnets%256)}
				if len(project) > 0 {
					body["tenant_id"] = project[0]
				}
				return idOf(p.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": body}, 201), "subnet")
			}
			p.hdr = as("big", "admin")
			for i := range private {
				id := create(fmt.Sprint("private", i))
				if c.collection == "networks" {
					subnet(id, fmt.Sprint("private", i))
				}
			}
			// Documents of project big whose stored RBAC state is set as the rbac service (or
			// an older release) leaves it.
			visible, subnetVisible := map[string]bool{}, map[string]bool{}
			var wildcard, legacyPrivate string
			for _, st := range c.states {
				id := create(st.name)
				visible[id] = st.visible
				switch st.name {
				case "wildcard-shared":
					wildcard = id
				case "legacy-private":
					legacyPrivate = id
				}
				if c.collection == "networks" {
					subnetVisible[subnet(id, st.name)] = st.subnetVisible
				}
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
			if c.collection == "networks" {
				// The member's subnets on another project's networks, shared with it or not
				// (an admin makes them: create_subnet wants the network's owner).
				subnetVisible[subnet(wildcard, "own-on-shared", "small")] = true
				subnetVisible[subnet(legacyPrivate, "own-on-private", "small")] = true
			}
			p.hdr = as("small", "member")
			for i := range 2 {
				id := create(fmt.Sprint("own", i))
				visible[id] = true
				if c.collection == "networks" {
					subnetVisible[subnet(id, fmt.Sprint("own", i))] = true
				}
			}

			queries := []string{"", "limit=2", "limit=3&sort_key=name&sort_dir=desc", "limit=2&sort_key=created_at&sort_dir=asc",
				"fields=id&fields=name", "shared=True", "shared=False", "limit=1&page_reverse=True", "name=legacy-private", "name=wildcard-shared"}
			if c.collection == "networks" {
				queries = append(queries, "router:external=True")
			}
			scoped := scopedAsWalked(t, p, c.collection, c.path, c.member, c.rule, queries, private)
			checkVisible(t, c.member, scoped, visible, c.own-2)
			if c.collection == "networks" {
				scoped := scopedAsWalked(t, p, "subnets", "subnets", "subnet", "rule:admin_or_owner or rule:shared", append(queries[:len(queries)-1],
					"network_id="+wildcard, "limit=2&sort_key=network_id&sort_dir=desc", "name=own-on-shared"), private)
				checkVisible(t, "subnet", scoped, subnetVisible, 0)
			}
		})
	}
}

// checkVisible checks that the member's whole list (scoped[""]) holds the documents visible
// marks true and not those it marks false, and extra more (its default group).
func checkVisible(t *testing.T, member string, scoped map[string][]map[string]any, visible map[string]bool, extra int) {
	t.Helper()
	seen := map[string]bool{}
	for _, d := range scoped[""] {
		seen[d["id"].(string)] = true
	}
	shown := 0
	for id, want := range visible {
		if seen[id] != want {
			t.Errorf("%s %s: in the member's list %v, want %v", member, id, seen[id], want)
		}
		if want {
			shown++
		}
	}
	if len(scoped[""]) != shown+extra {
		t.Errorf("the member lists %d %ss, want %d", len(scoped[""]), member, shown+extra)
	}
}

// reads counts the documents f reads (the decoded-document cache's lookups).
func reads(f func()) int64 {
	before := db.DocCacheReport()
	f()
	after := db.DocCacheReport()
	return after.Hits + after.Misses - before.Hits - before.Misses
}

// scopedAsWalked lists the collection as the in-process server's caller (a member of project
// small) with each query, then again with the collection's get rule (rule, as the defaults
// give it) widened by a branch no bound describes, so that the server walks; the answers must
// be equal, and the scoped full list must read fewer documents (the decoded-document cache's
// lookups) than the walk, by at least private: the other project's documents no bound names.
// It returns the scoped answers by query.
func scopedAsWalked(t *testing.T, p *inProcess, collection, path, member, rule string, queries []string, private int64) map[string][]map[string]any {
	t.Helper()
	scoped := map[string][]map[string]any{}
	var scopedReads, walkedReads int64
	for _, q := range queries {
		n := reads(func() { scoped[q] = listItems(t, p, collection, path, q) })
		if q == "" {
			scopedReads = n
		}
	}
	walk, err := policy.New(map[string]string{"get_" + member: rule + " or 'never':%(status)s"}, policyRules()...)
	if err != nil {
		t.Fatal(err)
	}
	creds := policy.Credentials{ProjectID: "small", Roles: []string{"member"}}
	if _, bounded := walk.Scope("get_"+member, creds); bounded {
		t.Fatal("the walking rule is bounded")
	}
	if _, bounded := p.srv.Policy.Scope("get_"+member, creds); !bounded {
		t.Fatalf("the default get_%s is not bounded for a member", member)
	}
	bounded := p.srv.Policy
	p.srv.Policy = walk
	defer func() { p.srv.Policy = bounded }()
	for _, q := range queries {
		var got []map[string]any
		n := reads(func() { got = listItems(t, p, collection, path, q) })
		if q == "" {
			walkedReads = n
		}
		if !reflect.DeepEqual(got, scoped[q]) {
			t.Errorf("%s?%s: scoped %v, walked %v", collection, q, scoped[q], got)
		}
	}
	t.Logf("%s: the full list read %d documents scoped, %d walked", collection, scopedReads, walkedReads)
	if walkedReads-scopedReads < private {
		t.Errorf("%s: the scoped list read %d documents, the walk %d: the scoped one read another project's", collection, scopedReads, walkedReads)
	}
	return scoped
}

// TestTenantOwnedListScoped: a member's lists of collections its get rule shows only when
// its project owns them (routers, floating IPs, trunks: collections the key index does not
// hold) read its project's documents through the project index instead of every project's
// (ownerHint), and answer exactly what the walk answers.
func TestTenantOwnedListScoped(t *testing.T) {
	p := newInProcess(t, unlimited())
	as := func(project, role string) http.Header {
		return http.Header{"X-Project-Id": {project}, "X-Roles": {role}, "X-User-Id": {"u-" + project}}
	}
	p.hdr = as("big", "admin")
	ext := idOf(p.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}}, 201), "network")
	p.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": ext, "ip_version": 4, "cidr": "172.16.0.0/16"}}, 201)
	// Another project's 40 of each, then the member's 2 (or 3) of each, among them a
	// document of the member's made by the admin.
	made := map[string][]string{}
	makeEach := func(project, name string) {
		net := benchNetwork(t, p, fmt.Sprintf("10.%d.%d.0/24", len(made["routers"])/256, len(made["routers"])%256))
		port := idOf(p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net, "tenant_id": project}}, 201), "port")
		for collection, body := range map[string]map[string]any{
			"routers":     {"router": map[string]any{"name": name, "tenant_id": project}},
			"floatingips": {"floatingip": map[string]any{"floating_network_id": ext, "description": name, "tenant_id": project}},
			"trunks":      {"trunk": map[string]any{"port_id": port, "name": name, "tenant_id": project}},
			// Its two egress rules come with it.
			"security-groups": {"security_group": map[string]any{"name": name, "tenant_id": project}},
		} {
			for member := range body {
				made[collection] = append(made[collection], project+" "+idOf(p.must(http.MethodPost, "/v2.0/"+collection, body, 201), member))
			}
		}
	}
	const others = 40 // another project's of each, none visible to the member
	for i := range others {
		makeEach("big", fmt.Sprint("big", i))
	}
	makeEach("small", "small-by-admin")
	// Rules across owners: the member's in another project's group, another project's in
	// the member's group.
	group := func(i int) string { _, id, _ := strings.Cut(made["security-groups"][i], " "); return id }
	for _, r := range []struct{ group, project string }{{group(0), "small"}, {group(40), "big"}} {
		p.must(http.MethodPost, "/v2.0/security-group-rules", map[string]any{"security_group_rule": map[string]any{
			"security_group_id": r.group, "direction": "ingress", "protocol": "tcp", "tenant_id": r.project}}, 201)
	}
	p.hdr = as("small", "member")
	for i := range 2 {
		makeEach("small", fmt.Sprint("small", i))
	}
	// A rule is the member's when it or its group is.
	p.hdr = as("big", "admin")
	groupOwner := map[string]string{}
	for _, g := range listItems(t, p, "security_groups", "security-groups", "fields=id&fields=tenant_id") {
		groupOwner[g["id"].(string)] = g["tenant_id"].(string)
	}
	for _, r := range listItems(t, p, "security_group_rules", "security-group-rules", "fields=id&fields=tenant_id&fields=security_group_id") {
		project := r["tenant_id"].(string)
		if groupOwner[r["security_group_id"].(string)] == "small" {
			project = "small"
		}
		made["security-group-rules"] = append(made["security-group-rules"], project+" "+r["id"].(string))
	}
	p.hdr = as("small", "member")
	for _, c := range []struct {
		collection, member, rule string
		queries                  []string
	}{
		{"routers", "router", "rule:admin_or_owner", []string{"", "limit=2", "limit=2&sort_key=name&sort_dir=desc", "fields=id&fields=name", "name=small1", "limit=1&page_reverse=True"}},
		{"floatingips", "floatingip", "rule:admin_or_owner", []string{"", "limit=2", "limit=2&sort_key=floating_ip_address&sort_dir=asc", "description=small0", "floating_network_id=" + ext}},
		{"trunks", "trunk", "rule:admin_or_owner", []string{"", "limit=2", "limit=2&sort_key=name&sort_dir=desc", "name=big3"}},
		{"security-group-rules", "security_group_rule", "rule:admin_owner_or_sg_owner", []string{"", "limit=2", "limit=3&sort_key=direction&sort_dir=asc",
			"direction=ingress", "security_group_id=" + group(40), "fields=id&fields=security_group_id", "limit=1&page_reverse=True"}},
	} {
		t.Run(c.collection, func(t *testing.T) {
			key := strings.ReplaceAll(c.collection, "-", "_")
			scoped := scopedAsWalked(t, p, key, c.collection, c.member, c.rule, c.queries, others)
			visible := map[string]bool{}
			for _, m := range made[c.collection] {
				project, id, _ := strings.Cut(m, " ")
				visible[id] = project == "small"
			}
			checkVisible(t, c.member, scoped, visible, 0)
		})
	}

	// An admin's list of one group's rules (through the key rows of security_group_id) and
	// of one project's (the project index, which rules' key rows do not hold).
	p.hdr = as("big", "admin")
	all := listItems(t, p, "security_group_rules", "security-group-rules", "fields=id&fields=security_group_id&fields=tenant_id")
	for _, c := range []struct {
		query, attr, value string
		n                  int
	}{
		{"security_group_id=" + group(40), "security_group_id", group(40), 3}, // its two egress rules and another project's
		{"tenant_id=small", "tenant_id", "small", 4*2 + 1},                    // four groups' egress rules (the default's too) and one in another's group
		{"project_id=small&tenant_id=small", "tenant_id", "small", 4*2 + 1},
	} {
		var want, got []string
		for _, r := range all {
			if r[c.attr] == c.value {
				want = append(want, r["id"].(string))
			}
		}
		for _, r := range listItems(t, p, "security_group_rules", "security-group-rules", c.query) {
			got = append(got, r["id"].(string))
		}
		if !slices.Equal(got, want) || len(want) < c.n {
			t.Errorf("rules?%s: %v, want %v (at least %d)", c.query, got, want, c.n)
		}
	}
}

// TestBooleanFiltersThroughTheIndex: a filter on a boolean attribute the key index sorts by
// (router:external, admin_state_up) takes its candidates from the index's rows of the
// values asked for, answers what the filter matches among all networks, and reads the
// matching documents instead of every network.
func TestBooleanFiltersThroughTheIndex(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	for i := range 40 {
		p.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": fmt.Sprint("n", i),
			"router:external": i%10 == 3, "admin_state_up": i%20 != 7}}, 201)
	}
	all := listItems(t, p, "networks", "networks", "")
	for _, c := range []struct {
		query string
		want  func(d map[string]any) bool
		few   bool // the answer is a few documents, read through the index
	}{
		{"router:external=True", func(d map[string]any) bool { return d["router:external"] == true }, true},
		{"router:external=1", func(d map[string]any) bool { return d["router:external"] == true }, true},
		{"router:external=false", func(d map[string]any) bool { return d["router:external"] == false }, false},
		{"router:external=True&router:external=False", func(map[string]any) bool { return true }, false},
		{"admin_state_up=False", func(d map[string]any) bool { return d["admin_state_up"] == false }, true},
		{"admin_state_up=False&router:external=True", func(map[string]any) bool { return false }, true},
		{"router:external=None", func(map[string]any) bool { return false }, false},
	} {
		var want, got []string
		for _, d := range all {
			if c.want(d) {
				want = append(want, d["id"].(string))
			}
		}
		n := reads(func() {
			for _, d := range listItems(t, p, "networks", "networks", c.query) {
				got = append(got, d["id"].(string))
			}
		})
		if !slices.Equal(got, want) {
			t.Errorf("networks?%s: %v, want %v", c.query, got, want)
		}
		if c.few && n > int64(len(want))+5 {
			t.Errorf("networks?%s read %d documents for %d", c.query, n, len(want))
		}
	}
}

// TestSortKeyFiltersAsWalked: a filter on any attribute a keyed collection sorts by (a
// string, an integer, a boolean, a MAC in either case, repeated values ORed) is answered from
// the key index with exactly what the walk answers, and a selective one reads about the
// documents it returns instead of the collection.
func TestSortKeyFiltersAsWalked(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	ext, router := gatewayRouter(t, p, "172.16.0.0/16")
	for i := range 40 {
		net := idOf(p.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{
			"name": fmt.Sprint("n", i%13), "description": fmt.Sprint("d", i%3), "mtu": 1400 + i%4*10, "admin_state_up": i%7 != 0}}, 201), "network")
		subnet := map[string]any{"network_id": net, "name": fmt.Sprint("s", i%11), "enable_dhcp": i%3 != 0,
			"ip_version": 4, "cidr": fmt.Sprintf("10.%d.0.0/24", i)}
		if i%5 == 0 {
			subnet["ip_version"], subnet["cidr"] = 6, fmt.Sprintf("2001:db8:%x::/64", i)
			subnet["ipv6_ra_mode"], subnet["ipv6_address_mode"] = "slaac", "slaac"
		}
		sub := idOf(p.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": subnet}, 201), "subnet")
		owner := ""
		if i%4 == 0 {
			owner = "compute:nova"
		}
		port := idOf(p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net,
			"name": fmt.Sprint("p", i%9), "device_owner": owner, "device_id": fmt.Sprint("dev", i%6)}}, 201), "port")
		fip := map[string]any{"floating_network_id": ext, "description": fmt.Sprint("f", i%5)}
		if i < 6 && i%5 != 0 {
			p.must(http.MethodPut, "/v2.0/routers/"+router+"/add_router_interface", map[string]any{"subnet_id": sub}, 200)
			fip["port_id"] = port
		}
		p.must(http.MethodPost, "/v2.0/floatingips", map[string]any{"floatingip": fip}, 201)
		p.must(http.MethodPost, "/v2.0/security-groups", map[string]any{"security_group": map[string]any{
			"name": fmt.Sprint("g", i%8), "stateful": i%6 != 0}}, 201)
	}
	queryValue := func(v any) (string, bool) {
		switch v := v.(type) {
		case string:
			return v, v != ""
		case bool:
			return fmt.Sprint(v), true
		case float64:
			return fmt.Sprint(int64(v)), v == float64(int64(v))
		}
		return "", false
	}
	ids := func(items []map[string]any) []string {
		var out []string
		for _, d := range items {
			out = append(out, d["id"].(string))
		}
		return out
	}
	for _, c := range []struct{ collection, path string }{{"networks", "networks"}, {"subnets", "subnets"}, {"ports", "ports"},
		{"security_groups", "security-groups"}, {"security_group_rules", "security-group-rules"}, {"floatingips", "floatingips"}} {
		all := listItems(t, p, c.collection, c.path, "")
		res := p.srv.Catalog.Get(c.collection)
		for _, k := range res.SortKeys() {
			var queries []string
			seen := map[string]bool{}
			for _, d := range all {
				v, ok := queryValue(d[k])
				if !ok || seen[v] || len(seen) == 3 {
					continue
				}
				seen[v] = true
				q := url.QueryEscape(k) + "=" + url.QueryEscape(v)
				queries = append(queries, q)
				switch x := d[k].(type) {
				case float64:
					queries = append(queries, url.QueryEscape(k)+"=0"+v) // an integer spelt with a leading zero
				case bool:
					queries = append(queries, url.QueryEscape(k)+"="+map[bool]string{true: "1", false: "0"}[x])
				case string:
					if strings.HasPrefix(k, "mac") {
						queries = append(queries, url.QueryEscape(k)+"="+url.QueryEscape(strings.ToUpper(v)))
					}
				}
				if len(seen) > 1 {
					queries = append(queries, queries[0]+"&"+q) // two values, ORed
				}
			}
			queries = append(queries, url.QueryEscape(k)+"=no-such-value")
			for _, q := range queries {
				var indexed []string
				n := reads(func() { indexed = ids(listItems(t, p, c.collection, c.path, q)) })
				// A selective filter reads fewer documents than the collection holds (the
				// walk reads each, and rendering a security group reads its rules).
				if len(indexed) <= len(all)/4 && n >= int64(len(all)) {
					t.Errorf("%s?%s read %d documents for %d of %d", c.path, q, n, len(indexed), len(all))
				}
				restore := api.WalkFilters()
				walked := ids(listItems(t, p, c.collection, c.path, q))
				restore()
				if !slices.Equal(indexed, walked) {
					t.Errorf("%s?%s: from the index %v, walked %v", c.path, q, indexed, walked)
				}
				// And what a user expects: the documents holding one of the values (read
				// again: a project filter makes the project's default security group), in
				// any order (a list that is not sorted has none).
				vals, _ := url.ParseQuery(q)
				var want []string
				for _, d := range listItems(t, p, c.collection, c.path, "") {
					if slices.ContainsFunc(vals[k], func(v string) bool { return holds(k, d[k], v) }) {
						want = append(want, d["id"].(string))
					}
				}
				if !slices.Equal(slices.Sorted(slices.Values(walked)), slices.Sorted(slices.Values(want))) {
					t.Errorf("%s?%s: %v, want %v", c.path, q, walked, want)
				}
			}
		}
	}
}

// holds reports whether an attribute's value as a list shows it matches a filter's value:
// the same string (a MAC in either case), boolean or integer.
func holds(attr string, have any, want string) bool {
	switch h := have.(type) {
	case string:
		if strings.HasPrefix(attr, "mac") {
			return strings.EqualFold(h, want)
		}
		return h == want
	case bool:
		b, err := strconv.ParseBool(want)
		return err == nil && b == h
	case float64:
		n, err := strconv.ParseInt(want, 10, 64)
		return err == nil && float64(n) == h
	}
	return false
}
