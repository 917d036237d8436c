package gwdevice

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// deviceObjects translates a gateway device (filled in with the VTEP translation).
func deviceObjects(w *translate.World, id string) []topology.Object { return nil }
