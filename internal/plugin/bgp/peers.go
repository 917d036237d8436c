package bgp

import (
	"context"
	"fmt"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// PeerCollection is /v2.0/bgp-peers: an md5 peer needs a password; the name or, for an md5
// peer, the password change; a deleted peer leaves its speaker too.
func PeerCollection() stored.Collection {
	return stored.Collection{Res: Peers, Unscoped: true,
		Prepare: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, d db.Doc) error {
			if plugin.Str(d, "auth_type") == "md5" && plugin.Str(d, "password") == "" {
				return fault.InvalidBgpPeerMd5Authentication()
			}
			return nil
		},
		Check: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, cur, changes, _ db.Doc) error {
			if _, ok := changes["password"]; ok && plugin.Str(cur, "auth_type") != "md5" {
				return fault.BgpPeerNotAuthenticated(plugin.Str(cur, "id"))
			}
			return nil
		},
		Refuse: unbindPeer}
}

// unbindPeer removes a peer being deleted from its speaker.
func unbindPeer(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	speakers, err := tx.ListBy(ctx, Speakers.Collection, "peers", id)
	if err != nil {
		return fmt.Errorf("bgp: the speakers of peer %s: %w", id, err)
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
	return nil
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
