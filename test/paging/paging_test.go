// Package paging_test walks lists of the real `midonet serve` binary page by page through
// gophercloud, on SQLite, PostgreSQL and MariaDB, and checks what a client paging a large
// collection relies on: every sort key (ties included) in both directions gives the same
// documents in the same order as one unpaged list, `next` links walk forward and `previous`
// links (page_reverse) walk back, each caller sees only what it may, filters on indexed
// attributes answer as unindexed ones do, and a marker deleted meanwhile answers as Neutron:
// 404 for ports (Neutron loads the marker with _get_port), ignored for subnets (paged through
// their versioned objects).
//
// The oracle is the same list, unsorted and unpaged, sorted by the test itself: by the sort
// keys, then by id ascending (Neutron's tie-break) unless id is one of them. Every order the
// test walks is one the key index holds (one sort key, or a key then id, or id first), but
// revision_number, which the index does not hold: that one is sorted by the server in memory.
package paging_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const projectA, projectB = "paging-a", "paging-b"

func client(url string, headers map[string]string) *gophercloud.ServiceClient {
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 60 * time.Second}}
	return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: url + "/", ResourceBase: url + "/v2.0/", Type: "network", MoreHeaders: headers}
}

// world is one server and what the test made on it.
type world struct {
	admin, a, b *gophercloud.ServiceClient
	netA        string // project A's network (A owns it: it sees the admin's ports there too)
	subnetA     string
	portsA      []string // made by A on netA
	portsB      []string // made by B on the shared network
}

// names repeat, so that sorting by name has ties.
var names = []string{"alpha", "bravo", "alpha", "charlie", "delta", "bravo", "echo", "alpha", "foxtrot", "golf", "alpha", "hotel"}

func build(t *testing.T, engine string) *world {
	srv := testenv.StartServer(t, testenv.Options{Postgres: engine == "postgres", MariaDB: engine == "mariadb"})
	w := &world{
		// noauth: no X-Roles makes an admin.
		admin: client(srv.URL, map[string]string{"X-Project-Id": "paging-admin", "X-User-Id": "paging-admin-user"}),
		a:     client(srv.URL, map[string]string{"X-Project-Id": projectA, "X-User-Id": "paging-user-a", "X-Roles": "member"}),
		b:     client(srv.URL, map[string]string{"X-Project-Id": projectB, "X-User-Id": "paging-user-b", "X-Roles": "member"}),
	}
	ctx := t.Context()
	na, err := networks.Create(ctx, w.a, networks.CreateOpts{Name: "net-a"}).Extract()
	fatal(t, err)
	w.netA = na.ID
	sa, err := subnets.Create(ctx, w.a, subnets.CreateOpts{NetworkID: na.ID, CIDR: "10.1.0.0/24", IPVersion: gophercloud.IPv4}).Extract()
	fatal(t, err)
	w.subnetA = sa.ID
	shared := true
	ns, err := networks.Create(ctx, w.admin, networks.CreateOpts{Name: "net-shared", Shared: &shared}).Extract()
	fatal(t, err)
	_, err = subnets.Create(ctx, w.admin, subnets.CreateOpts{NetworkID: ns.ID, CIDR: "10.2.0.0/24", IPVersion: gophercloud.IPv4}).Extract()
	fatal(t, err)
	owners := []string{"", "compute:nova", "network:dhcp"}
	for i, n := range names {
		up := i%2 == 0
		p, err := ports.Create(ctx, w.a, ports.CreateOpts{NetworkID: na.ID, Name: n, AdminStateUp: &up,
			DeviceOwner: owners[i%3], DeviceID: fmt.Sprintf("vm-%d", i/3)}).Extract()
		fatal(t, err)
		w.portsA = append(w.portsA, p.ID)
		if i%4 == 0 {
			fatal(t, setTags(ctx, w.a, p.ID, "red", fmt.Sprintf("t%d", i%8)))
		}
	}
	for i := range 6 {
		p, err := ports.Create(ctx, w.b, ports.CreateOpts{NetworkID: ns.ID, Name: names[i], DeviceID: fmt.Sprintf("vm-%d", i)}).Extract()
		fatal(t, err)
		w.portsB = append(w.portsB, p.ID)
	}
	for i := range 3 {
		_, err := ports.Create(ctx, w.admin, ports.CreateOpts{NetworkID: na.ID, Name: fmt.Sprintf("admin-%d", i)}).Extract()
		fatal(t, err)
	}
	return w
}

func setTags(ctx context.Context, c *gophercloud.ServiceClient, id string, tags ...string) error {
	_, err := c.Put(ctx, c.ServiceURL("ports", id, "tags"), map[string]any{"tags": tags}, nil, &gophercloud.RequestOpts{OkCodes: []int{200}})
	return err
}

func fatal(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// listing is one answer of GET /v2.0/ports as a client reads it.
type listing struct {
	Ports []map[string]any `json:"ports"`
	Links []struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	} `json:"ports_links"`
}

func (l listing) ids() []string {
	var out []string
	for _, p := range l.Ports {
		id, _ := p["id"].(string)
		out = append(out, id)
	}
	return out
}

func (l listing) link(rel string) string {
	for _, k := range l.Links {
		if k.Rel == rel {
			return k.Href
		}
	}
	return ""
}

// get reads a list at a path under /v2.0/ or at an absolute link.
func get(t *testing.T, c *gophercloud.ServiceClient, target string) listing {
	t.Helper()
	u := target
	if !strings.HasPrefix(u, "http") {
		u = c.ResourceBase + target
	}
	var l listing
	_, err := c.Get(t.Context(), u, &l, &gophercloud.RequestOpts{OkCodes: []int{200}})
	fatal(t, err)
	return l
}

// order is a list's sort: sort_key and sort_dir pairs, none for the server's default.
type order struct{ keys, dirs []string }

func by(kd ...string) order {
	var o order
	for i := 0; i+1 < len(kd); i += 2 {
		o.keys, o.dirs = append(o.keys, kd[i]), append(o.dirs, kd[i+1])
	}
	return o
}

func (o order) String() string {
	if len(o.keys) == 0 {
		return "default"
	}
	var parts []string
	for i, k := range o.keys {
		parts = append(parts, k+"-"+o.dirs[i])
	}
	return strings.Join(parts, ",")
}

// query is o as a list's query parameters.
func (o order) query() url.Values {
	v := url.Values{}
	for i, k := range o.keys {
		v.Add("sort_key", k)
		v.Add("sort_dir", o.dirs[i])
	}
	return v
}

// pagedOrder is a gophercloud list option for pages of o (ports.ListOpts holds one sort key).
type pagedOrder struct {
	order
	limit int
}

func (p pagedOrder) ToPortListQuery() (string, error) {
	v := p.query()
	v.Set("limit", fmt.Sprint(p.limit))
	return "?" + v.Encode(), nil
}

// oracle is the unpaged, unsorted list with filter, sorted here by o, then id ascending.
func oracle(t *testing.T, c *gophercloud.ServiceClient, o order, filter string) []string {
	t.Helper()
	q := "ports?fields=id" + filter
	for _, k := range o.keys {
		q += "&fields=" + k
	}
	ps := get(t, c, q).Ports
	keys, dirs := append(slices.Clone(o.keys), "id"), append(slices.Clone(o.dirs), "asc")
	slices.SortStableFunc(ps, func(a, b map[string]any) int {
		for i, k := range keys {
			c := compareJSON(t, k, a[k], b[k])
			if dirs[i] == "desc" {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return listing{Ports: ps}.ids()
}

// compareJSON orders two values of one attribute as Neutron's database does: false before
// true, numbers by value, strings by their bytes.
func compareJSON(t *testing.T, attr string, a, b any) int {
	a, b = number(a), number(b)
	switch x := a.(type) {
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	t.Fatalf("%s: cannot compare %#v with %#v", attr, a, b)
	return 0
}

// number is v as a float64 when gophercloud decoded it as a json.Number.
func number(v any) any {
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return f
		}
	}
	return v
}

// TestPaging walks every sort key in both directions, forward with gophercloud's pager and
// backward through the previous links, as three callers, on each engine.
func TestPaging(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres", "mariadb"} {
		t.Run(engine, func(t *testing.T) {
			w := build(t, engine)
			callers := []struct {
				name string
				c    *gophercloud.ServiceClient
				// sees and hides: ports the caller must and must not find.
				sees, hides []string
			}{
				{"admin", w.admin, append(slices.Clone(w.portsA), w.portsB...), nil},
				{"project-a", w.a, w.portsA, w.portsB},
				{"project-b", w.b, w.portsB, w.portsA},
			}
			sorts := []order{
				by(), by("id", "desc"), by("name", "asc"), by("name", "desc"), by("device_owner", "asc"), by("device_owner", "desc"),
				by("admin_state_up", "desc"), by("admin_state_up", "asc"), by("created_at", "asc"), by("mac_address", "desc"),
				by("revision_number", "desc"), by("device_id", "asc"), by("tenant_id", "desc"),
				// Two keys: an attribute then id (the ties' direction is id's own), and id first.
				by("name", "asc", "id", "desc"), by("name", "desc", "id", "desc"), by("device_owner", "desc", "id", "asc"),
				by("admin_state_up", "asc", "id", "desc"), by("id", "desc", "name", "asc"),
			}
			for _, cl := range callers {
				for _, s := range sorts {
					for _, limit := range []int{1, 4} {
						t.Run(fmt.Sprintf("%s/%s/limit-%d", cl.name, s, limit), func(t *testing.T) {
							want := oracle(t, cl.c, s, "")
							for _, id := range cl.sees {
								if !slices.Contains(want, id) {
									t.Fatalf("the unpaged list lacks port %s the caller owns", id)
								}
							}
							for _, id := range cl.hides {
								if slices.Contains(want, id) {
									t.Fatalf("the unpaged list shows port %s of another project", id)
								}
							}
							walkForward(t, cl.c, s, limit, want)
							walkBackward(t, cl.c, s, limit, want)
						})
					}
				}
			}
			t.Run("filters", func(t *testing.T) { checkFilters(t, w) })
			t.Run("deleted-marker", func(t *testing.T) { checkDeletedMarkers(t, w) })
		})
	}
}

// walkForward pages with gophercloud (which follows the next links) and compares.
func walkForward(t *testing.T, c *gophercloud.ServiceClient, o order, limit int, want []string) {
	t.Helper()
	var got []string
	all, err := ports.List(c, pagedOrder{o, limit}).AllPages(t.Context())
	fatal(t, err)
	ps, err := ports.ExtractPorts(all)
	fatal(t, err)
	for _, p := range ps {
		got = append(got, p.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages of %d forward give\n%v\nwant (one sorted list)\n%v", limit, got, want)
	}
}

// walkBackward starts before the last document (page_reverse) and follows previous links.
func walkBackward(t *testing.T, c *gophercloud.ServiceClient, o order, limit int, want []string) {
	t.Helper()
	if len(want) < 2 {
		return
	}
	v := o.query()
	v.Set("limit", fmt.Sprint(limit))
	v.Set("marker", want[len(want)-1])
	v.Set("page_reverse", "True")
	l := get(t, c, "ports?"+v.Encode())
	var got []string
	for n := 0; ; n++ {
		if n > len(want)+2 {
			t.Fatalf("previous links never end")
		}
		if len(l.Ports) > limit {
			t.Fatalf("a page of %d holds %d ports", limit, len(l.Ports))
		}
		got = append(l.ids(), got...)
		prev := l.link("previous")
		if len(l.Ports) < limit {
			if prev != "" {
				t.Fatalf("a short backward page has a previous link %s", prev)
			}
			if l.link("next") == "" {
				t.Fatalf("a backward page has no next link")
			}
			break
		}
		if prev == "" {
			t.Fatalf("a full backward page has no previous link")
		}
		l = get(t, c, prev)
		if len(l.Ports) == 0 {
			break
		}
	}
	if w := want[:len(want)-1]; !slices.Equal(got, w) {
		t.Fatalf("pages of %d backward give\n%v\nwant\n%v", limit, got, w)
	}
}

// checkFilters compares filtered lists (through the index: its candidates, or its walk with
// not-tags and not-tags-any left out by the query) with the oracle.
func checkFilters(t *testing.T, w *world) {
	for _, f := range []string{
		"&device_id=vm-1", "&device_id=vm-1&device_id=vm-2", "&name=alpha", "&device_owner=compute:nova",
		"&network_id=" + w.netA, "&tags=red", "&tags-any=t0,t4", "&not-tags=red", "&not-tags=red,t4", "&not-tags-any=t0,t4",
		"&not-tags=red&not-tags-any=t0", "&mac_address=FA:16:3E:00:00:00",
		"&fixed_ips=subnet_id%3D" + w.subnetA, "&fixed_ips=ip_address%3D10.1.0.5", "&device_id=", "&name=alpha&device_id=vm-0",
		"&project_id=" + projectA,
	} {
		for _, c := range []struct {
			name string
			c    *gophercloud.ServiceClient
		}{{"admin", w.admin}, {"project-a", w.a}, {"project-b", w.b}} {
			want := oracle(t, c.c, by("name", "asc"), f)
			got := get(t, c.c, "ports?fields=id&sort_key=name&sort_dir=asc"+f).ids()
			if !slices.Equal(got, want) {
				t.Errorf("%s: filter %s gives %v, want %v", c.name, f, got, want)
			}
			paged := get(t, c.c, "ports?fields=id&limit=2&sort_key=name&sort_dir=desc"+f).ids()
			wantPaged := oracle(t, c.c, by("name", "desc"), f)
			if len(wantPaged) > 2 {
				wantPaged = wantPaged[:2]
			}
			if !slices.Equal(paged, wantPaged) {
				t.Errorf("%s: first page of 2 with filter %s gives %v, want %v", c.name, f, paged, wantPaged)
			}
		}
	}
	if got := get(t, w.admin, "ports?fields=id&device_id=vm-1").ids(); len(got) != 4 { // 3 of A, 1 of B
		t.Errorf("device vm-1 has %d ports, want 4", len(got))
	}
}

// checkDeletedMarkers deletes the last port of a first page before asking for the next one.
func checkDeletedMarkers(t *testing.T, w *world) {
	ctx := t.Context()
	first := get(t, w.a, "ports?limit=3&sort_key=name&sort_dir=asc")
	next := first.link("next")
	if next == "" || len(first.Ports) != 3 {
		t.Fatalf("first page: %d ports, next %q", len(first.Ports), next)
	}
	fatal(t, ports.Delete(ctx, w.a, first.ids()[2]).ExtractErr())
	var body map[string]any
	resp, err := w.a.Get(ctx, next, &body, &gophercloud.RequestOpts{OkCodes: []int{200}})
	if resp == nil || resp.StatusCode != http.StatusNotFound || !strings.Contains(fmt.Sprint(err), "PortNotFound") {
		t.Fatalf("next page after its marker port was deleted: %v %v, want 404 PortNotFound", resp, err)
	}
	// Subnets ignore a marker that is gone: the page starts from the beginning.
	ns, err := networks.Create(ctx, w.a, networks.CreateOpts{Name: "net-subnets"}).Extract()
	fatal(t, err)
	var subs []string
	for i := range 3 {
		s, err := subnets.Create(ctx, w.a, subnets.CreateOpts{NetworkID: ns.ID, CIDR: fmt.Sprintf("10.9.%d.0/24", i), IPVersion: gophercloud.IPv4}).Extract()
		fatal(t, err)
		subs = append(subs, s.ID)
	}
	var page struct {
		Subnets []struct {
			ID string `json:"id"`
		} `json:"subnets"`
	}
	base := w.a.ResourceBase + "subnets?network_id=" + ns.ID + "&limit=1&sort_key=id&sort_dir=asc"
	_, err = w.a.Get(ctx, base, &page, nil)
	fatal(t, err)
	firstID := page.Subnets[0].ID
	fatal(t, subnets.Delete(ctx, w.a, firstID).ExtractErr())
	_, err = w.a.Get(ctx, base+"&marker="+firstID, &page, nil)
	fatal(t, err)
	all := slices.DeleteFunc(subs, func(id string) bool { return id == firstID })
	slices.Sort(all)
	if len(page.Subnets) != 1 || page.Subnets[0].ID != all[0] {
		t.Fatalf("subnets after a deleted marker: %v, want the first page [%s]", page.Subnets, all[0])
	}
}
