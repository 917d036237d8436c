package integration

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

func TestNetworkListing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-netlist"
		c := e.admin(project)
		ids := map[string]string{}
		for _, o := range []networks.CreateOpts{
			{Name: "alpha"},
			{Name: "bravo", Shared: ptr(true)},
			{Name: "charlie", AdminStateUp: ptr(false)},
			{Name: "delta", Description: "last"},
		} {
			ids[o.Name] = createNetwork(t, c, o).ID
		}
		// Another project's network must never show up in project-filtered lists.
		createNetwork(t, e.admin("it-netlist-other"), networks.CreateOpts{Name: "alpha"})

		t.Run("filters", func(t *testing.T) {
			cases := []struct {
				name  string
				query string
				want  []string
			}{
				{"name", "name=bravo", []string{"bravo"}},
				{"repeated values are ORed", "name=alpha&name=charlie", []string{"alpha", "charlie"}},
				{"admin_state_up", "admin_state_up=false", []string{"charlie"}},
				{"shared", "shared=true", []string{"bravo"}},
				{"description", "description=last", []string{"delta"}},
				{"empty string matches empty values (empty-string-filtering)", "description=", []string{"alpha", "bravo", "charlie"}},
				{"no match", "name=nomatch", nil},
				{"id", "id=" + ids["delta"], []string{"delta"}},
				{"status and name", "status=ACTIVE&name=alpha", []string{"alpha"}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					got := listNetworks(t, c, query("tenant_id="+project+"&"+tc.query))
					sort.Strings(tc.want)
					gotNames := names(got)
					sort.Strings(gotNames)
					if !slices.Equal(gotNames, tc.want) {
						t.Errorf("?%s gave %v, want %v", tc.query, gotNames, tc.want)
					}
				})
			}
			// The same through gophercloud's typed options.
			got := listNetworks(t, c, networks.ListOpts{ProjectID: project, Shared: ptr(false), AdminStateUp: ptr(true)})
			if gotNames := names(got); !sameSet(gotNames, []string{"alpha", "delta"}) {
				t.Errorf("shared=false&admin_state_up=true gave %v, want alpha and delta", gotNames)
			}
		})

		t.Run("unknown filter", func(t *testing.T) {
			_, _, err := raw(t, c, http.MethodGet, "networks?bogus_filter=1", nil, nil, 200)
			wantError(t, err, 400, "HTTPBadRequest")
		})

		t.Run("fields", func(t *testing.T) {
			out := get(t, c, "networks?tenant_id="+project+"&fields=id&fields=name")
			list, _ := out["networks"].([]any)
			if len(list) != 4 {
				t.Fatalf("got %d networks, want 4", len(list))
			}
			for _, item := range list {
				if keys := sortedKeys(item.(map[string]any)); !slices.Equal(keys, []string{"id", "name"}) {
					t.Errorf("fields=id&fields=name gave keys %v", keys)
				}
			}
			out = get(t, c, "networks/"+ids["alpha"]+"?fields=name&fields=mtu")
			n, _ := out["network"].(map[string]any)
			if keys := sortedKeys(n); !slices.Equal(keys, []string{"mtu", "name"}) || n["name"] != "alpha" {
				t.Errorf("show with fields gave %v", n)
			}
		})

		t.Run("sort", func(t *testing.T) {
			got := listNetworks(t, c, networks.ListOpts{ProjectID: project, SortKey: "name", SortDir: "desc"})
			if want := []string{"delta", "charlie", "bravo", "alpha"}; !slices.Equal(names(got), want) {
				t.Errorf("name desc gave %v, want %v", names(got), want)
			}
			got = listNetworks(t, c, query("tenant_id="+project+
				"&sort_key=admin_state_up&sort_dir=asc&sort_key=name&sort_dir=desc"))
			if want := []string{"charlie", "delta", "bravo", "alpha"}; !slices.Equal(names(got), want) {
				t.Errorf("admin_state_up asc, name desc gave %v, want %v", names(got), want)
			}
			for _, q := range []string{"sort_key=name", "sort_key=bogus&sort_dir=asc", "sort_key=name&sort_dir=sideways"} {
				_, _, err := raw(t, c, http.MethodGet, "networks?tenant_id="+project+"&"+q, nil, nil, 200)
				wantError(t, err, 400, "HTTPBadRequest")
			}
		})

		t.Run("pagination", func(t *testing.T) {
			var pages [][]string
			err := networks.List(c, networks.ListOpts{ProjectID: project, SortKey: "name", SortDir: "asc", Limit: 2}).
				EachPage(ctx(t), func(_ context.Context, p pagination.Page) (bool, error) {
					pages = append(pages, pageNames(t, p))
					return true, nil
				})
			must(t, err)
			if len(pages) != 2 || !slices.Equal(pages[0], []string{"alpha", "bravo"}) || !slices.Equal(pages[1], []string{"charlie", "delta"}) {
				t.Errorf("pages of 2 = %v, want [[alpha bravo] [charlie delta]]", pages)
			}

			base := "networks?tenant_id=" + project + "&sort_key=name&sort_dir=asc&limit=2"
			first := get(t, c, base)
			if got := rawNames(first); !slices.Equal(got, []string{"alpha", "bravo"}) {
				t.Errorf("first page = %v", got)
			}
			next := link(t, first, "next")
			if next == nil || next.Get("marker") != ids["bravo"] || next.Get("limit") != "2" {
				t.Errorf("first page's next link = %v, want limit=2 and marker=bravo's id", next)
			}
			second := get(t, c, base+"&marker="+ids["bravo"])
			if got := rawNames(second); !slices.Equal(got, []string{"charlie", "delta"}) {
				t.Errorf("page after bravo = %v", got)
			}
			prev := link(t, second, "previous")
			if prev == nil || prev.Get("marker") != ids["charlie"] || !strings.EqualFold(prev.Get("page_reverse"), "true") {
				t.Errorf("second page's previous link = %v, want page_reverse and marker=charlie's id", prev)
			}
			back := get(t, c, base+"&marker="+ids["charlie"]+"&page_reverse=True")
			if got := rawNames(back); !slices.Equal(got, []string{"alpha", "bravo"}) {
				t.Errorf("page_reverse before charlie = %v, want [alpha bravo]", got)
			}
			all := get(t, c, "networks?tenant_id="+project+"&sort_key=name&sort_dir=asc&limit=10")
			if got := rawNames(all); len(got) != 4 || link(t, all, "next") != nil {
				t.Errorf("limit above the size: %v with next link %v", got, link(t, all, "next"))
			}

			for _, q := range []string{"limit=-1", "limit=abc"} {
				_, _, err := raw(t, c, http.MethodGet, "networks?"+q, nil, nil, 200)
				wantError(t, err, 400, "BadRequest")
			}
			_, _, err = raw(t, c, http.MethodGet, base+"&marker="+missingID, nil, nil, 200)
			wantError(t, err, 404, "NetworkNotFound")
		})
	})
}

// query is a list option given as a raw query string.
type query string

func (q query) ToNetworkListQuery() (string, error) { return "?" + string(q), nil }
func (q query) ToPortListQuery() (string, error)    { return "?" + string(q), nil }
func (q query) ToSubnetListQuery() (string, error)  { return "?" + string(q), nil }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

// rawNames returns the names of the networks in a raw list answer.
func rawNames(out map[string]any) []string {
	var got []string
	list, _ := out["networks"].([]any)
	for _, item := range list {
		name, _ := item.(map[string]any)["name"].(string)
		got = append(got, name)
	}
	return got
}

// link returns the query of the networks_links entry with the given rel, or
// nil when there is none.
func link(t *testing.T, out map[string]any, rel string) url.Values {
	t.Helper()
	links, _ := out["networks_links"].([]any)
	for _, l := range links {
		m, _ := l.(map[string]any)
		if m["rel"] != rel {
			continue
		}
		href, _ := m["href"].(string)
		u, err := url.Parse(href)
		if err != nil || !strings.HasSuffix(u.Path, "/v2.0/networks") {
			t.Errorf("%s link %q is not a networks URL", rel, href)
			return url.Values{}
		}
		return u.Query()
	}
	return nil
}
