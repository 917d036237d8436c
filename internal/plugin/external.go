package plugin

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
)

// ExternalNetworks loads the networks whose stored router:external is true, in id order.
// They are found through the key index, not by reading every network (the floating IP
// pools, the default external network).
func ExternalNetworks(ctx context.Context, tx *db.Tx) ([]db.Doc, error) {
	ids, err := tx.KeyValueIDs(ctx, "networks", "router:external", []any{true}, 0)
	if err != nil {
		return nil, fmt.Errorf("external networks: %w", err)
	}
	nets, err := tx.ListIDs(ctx, "networks", ids)
	if err != nil {
		return nil, fmt.Errorf("external networks: %w", err)
	}
	out := nets[:0]
	for _, n := range nets {
		if Bool(n, "router:external") {
			out = append(out, n)
		}
	}
	return out, nil
}
