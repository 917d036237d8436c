package fwaas

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// nothing is the translation of rules and policies: they own no objects (the firewalls and
// groups that use them do) but are kept in the cluster's world for those translations.
func nothing(*translate.World, string) []topology.Object { return nil }

func ruleDependents(v version) func(w *translate.World, id string, d translate.Doc, add func(string, ...string)) {
	return nil
}

func policyDependents(v version) func(w *translate.World, id string, d translate.Doc, add func(string, ...string)) {
	return nil
}

func groupObjects(w *translate.World, id string) []topology.Object    { return nil }
func firewallObjects(w *translate.World, id string) []topology.Object { return nil }
