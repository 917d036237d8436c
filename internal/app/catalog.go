package app

import (
	"log/slog"

	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/resource"
)

// services are the optional services wired into every server: each is one folder under
// internal/plugin with its descriptions, plugin and translators, and one line here.
var services = []service{}

// service is what a service folder brings to the catalogue.
type service struct {
	resources   []*resource.Resource
	translators translate.Translators
}

// Catalog builds the catalogue of every collection this binary serves: the built-in ones and
// the services'. It is built once per process (per tool run) and never changes afterwards.
func Catalog() (*resource.Catalog, error) {
	rs := builtin.Resources()
	for _, s := range services {
		rs = append(rs, s.resources...)
	}
	return resource.NewCatalog(rs...)
}

// Translators are the cluster's translators of every translated collection.
func Translators() translate.Translators {
	ts := translate.Builtin()
	for _, s := range services {
		for coll, t := range s.translators {
			ts[coll] = t
		}
	}
	return ts
}

// NewCluster is a cluster over store with this binary's catalogue and translators (the
// tools' view of the NSDB; serve builds its own the same way).
func NewCluster(store *nsdb.Store, log *slog.Logger) (*cluster.Cluster, error) {
	cat, err := Catalog()
	if err != nil {
		return nil, err
	}
	return cluster.New(store, cat, Translators(), log)
}
