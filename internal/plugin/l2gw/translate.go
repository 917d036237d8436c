package l2gw

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// connectionObjects translates a connection (filled in with the border gateway).
func connectionObjects(w *translate.World, id string) []topology.Object { return nil }
