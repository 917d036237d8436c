package integration

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/attributestags"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

func TestNetworkTags(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-tags"
		c := e.admin(project)
		tagged := createNetwork(t, c, networks.CreateOpts{Name: "tagged"})
		createNetwork(t, c, networks.CreateOpts{Name: "plain"})
		other := createNetwork(t, c, networks.CreateOpts{Name: "other"})

		t.Run("replace, add, confirm, remove", func(t *testing.T) {
			rev := showNetwork(t, c, tagged.ID).RevisionNumber
			got, err := attributestags.ReplaceAll(ctx(t), c, "networks", tagged.ID,
				attributestags.ReplaceAllOpts{Tags: []string{"red", "blue"}}).Extract()
			must(t, err)
			if !sameSet(got, []string{"red", "blue"}) {
				t.Errorf("replace all gave %v", got)
			}
			must(t, attributestags.Add(ctx(t), c, "networks", tagged.ID, "green").ExtractErr())
			must(t, attributestags.Add(ctx(t), c, "networks", tagged.ID, "green").ExtractErr()) // already there: still fine
			got, err = attributestags.List(ctx(t), c, "networks", tagged.ID).Extract()
			must(t, err)
			if !sameSet(got, []string{"red", "blue", "green"}) {
				t.Errorf("tags = %v, want red blue green", got)
			}
			n := showNetwork(t, c, tagged.ID)
			if !sameSet(n.Tags, []string{"red", "blue", "green"}) {
				t.Errorf("network shows tags %v", n.Tags)
			}
			if n.RevisionNumber != rev+2 {
				t.Errorf("revision_number %d after replacing the tags and adding one, want %d (adding a present tag changes nothing)", n.RevisionNumber, rev+2)
			}
			ok, err := attributestags.Confirm(ctx(t), c, "networks", tagged.ID, "green").Extract()
			if err != nil || !ok {
				t.Errorf("confirm green = %v, %v; want true", ok, err)
			}
			wantError(t, attributestags.Confirm(ctx(t), c, "networks", tagged.ID, "purple").Err, 404, "TagNotFound")
			must(t, attributestags.Delete(ctx(t), c, "networks", tagged.ID, "blue").ExtractErr())
			wantError(t, attributestags.Delete(ctx(t), c, "networks", tagged.ID, "blue").ExtractErr(), 404, "TagNotFound")
			got, _ = attributestags.List(ctx(t), c, "networks", tagged.ID).Extract()
			if !sameSet(got, []string{"red", "green"}) {
				t.Errorf("after removing blue: %v", got)
			}
		})

		t.Run("invalid tags", func(t *testing.T) {
			long := strings.Repeat("t", 256)
			wantError(t, attributestags.ReplaceAll(ctx(t), c, "networks", other.ID,
				attributestags.ReplaceAllOpts{Tags: []string{long}}).Err, 400, "InvalidInput")
			wantError(t, attributestags.ReplaceAll(ctx(t), c, "networks", other.ID,
				attributestags.ReplaceAllOpts{Tags: []string{"a", "a"}}).Err, 400, "InvalidInput")
			wantError(t, attributestags.List(ctx(t), c, "networks", missingID).Err, 404, "TagResourceNotFound")
		})

		t.Run("filters", func(t *testing.T) {
			_, err := attributestags.ReplaceAll(ctx(t), c, "networks", other.ID,
				attributestags.ReplaceAllOpts{Tags: []string{"blue"}}).Extract()
			must(t, err)
			// tagged: red green; other: blue; plain: none.
			cases := []struct {
				opts networks.ListOpts
				want []string
			}{
				{networks.ListOpts{Tags: "red,green"}, []string{"tagged"}},
				{networks.ListOpts{Tags: "red,blue"}, nil},
				{networks.ListOpts{TagsAny: "green,blue"}, []string{"tagged", "other"}},
				{networks.ListOpts{NotTags: "red"}, []string{"plain", "other"}},
				{networks.ListOpts{NotTagsAny: "blue,nope"}, []string{"tagged", "plain"}},
			}
			for _, tc := range cases {
				tc.opts.ProjectID = project
				got := names(listNetworks(t, c, tc.opts))
				if !sameSet(got, tc.want) {
					t.Errorf("%+v gave %v, want %v", tc.opts, got, tc.want)
				}
			}
		})

		t.Run("remove all", func(t *testing.T) {
			must(t, attributestags.DeleteAll(ctx(t), c, "networks", tagged.ID).ExtractErr())
			got, err := attributestags.List(ctx(t), c, "networks", tagged.ID).Extract()
			must(t, err)
			if len(got) != 0 {
				t.Errorf("tags after delete all: %v", got)
			}
			if n := showNetwork(t, c, tagged.ID); len(n.Tags) != 0 || slices.Contains(n.Tags, "red") {
				t.Errorf("network still shows tags %v", n.Tags)
			}
		})
	})
}

// TestPortTagsOnCreate: tag-ports-during-bulk-creation — ports take tags in a single and in a
// bulk create (kept sorted, once each, as the tags API keeps them), a port without tags has
// none, and other resources still refuse tags in a create. SQLite and PostgreSQL.
func TestPortTagsOnCreate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.member("it-tagcreate")
		n := createNetwork(t, c, networks.CreateOpts{Name: "tc"})
		out, _, err := raw(t, c, http.MethodPost, "ports", doc{"ports": []doc{
			{"network_id": n.ID, "name": "p1", "tags": []string{"web", "blue", "web"}},
			{"network_id": n.ID, "name": "p2"},
		}}, nil, 201)
		must(t, err)
		got := map[string]any{}
		for _, p := range out["ports"].([]any) {
			pm := p.(map[string]any)
			got[pm["name"].(string)] = pm["tags"]
		}
		if !reflect.DeepEqual(got["p1"], []any{"blue", "web"}) || !reflect.DeepEqual(got["p2"], []any{}) {
			t.Errorf("bulk tags %v", got)
		}
		listed := get(t, c, "ports?tags=blue")["ports"].([]any)
		if len(listed) != 1 || listed[0].(map[string]any)["name"] != "p1" {
			t.Errorf("ports tagged blue: %v", listed)
		}
		_, _, err = raw(t, c, http.MethodPost, "ports", doc{"port": doc{"network_id": n.ID, "tags": "web"}}, nil, 201)
		wantError(t, err, 400, "HTTPBadRequest")
		_, _, err = raw(t, c, http.MethodPost, "networks", doc{"network": doc{"name": "x", "tags": []string{"a"}}}, nil, 201)
		wantError(t, err, 400, "HTTPBadRequest")
	})
}
