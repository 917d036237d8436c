package bgp

import (
	"context"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// PeerCollection is /v2.0/bgp-peers.
type PeerCollection struct{}

// Resource describes peers.
func (PeerCollection) Resource() *resource.Resource { return Peers }

// Create stores a peer; md5 needs a password.
func (PeerCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	if plugin.Str(d, "auth_type") == "md5" && plugin.Str(d, "password") == "" {
		return nil, fault.InvalidBgpPeerMd5Authentication()
	}
	d["id"] = plugin.NewID()
	return d, plugin.Add(ctx, tx, c, Peers.Collection, d)
}

// Update changes the name or, for an md5 peer, the password.
func (PeerCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if _, ok := changes["password"]; ok && plugin.Str(cur, "auth_type") != "md5" {
		return nil, fault.BgpPeerNotAuthenticated(plugin.Str(cur, "id"))
	}
	d := plugin.Apply(cur, changes)
	return d, plugin.SaveAsIs(ctx, tx, c, Peers.Collection, d)
}

// Delete removes a peer, from its speaker too.
func (PeerCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	speakers, err := tx.List(ctx, Speakers.Collection, db.Filter{})
	if err != nil {
		return err
	}
	for _, d := range speakers {
		sp := model.MustDecode[Speaker](d)
		if slices.Contains(sp.Peers, id) {
			d["peers"] = without(sp.Peers, id)
			if err := plugin.SaveAsIs(ctx, tx, c, Speakers.Collection, d); err != nil {
				return err
			}
		}
	}
	return plugin.Remove(ctx, tx, c, Peers.Collection, cur)
}

// List returns the peers.
func (PeerCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, Peers.Collection, db.Filter{})
}

// routerHook refuses to delete a router a speaker is associated with.
type routerHook struct{ plugin.NoHook }

func (routerHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	sp, err := speakerOfRouter(ctx, tx, id)
	if err == nil && sp != "" {
		err = fault.RouterInUseByBgpSpeaker(id, sp)
	}
	return err
}
