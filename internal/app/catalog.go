package app

import (
	"context"
	"log/slog"

	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/addrgroup"
	"github.com/midonet-go/midonet/internal/plugin/addrscope"
	"github.com/midonet-go/midonet/internal/plugin/agents"
	"github.com/midonet-go/midonet/internal/plugin/autoalloc"
	"github.com/midonet-go/midonet/internal/plugin/az"
	"github.com/midonet-go/midonet/internal/plugin/bgp"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/cthelper"
	"github.com/midonet-go/midonet/internal/plugin/dns"
	"github.com/midonet-go/midonet/internal/plugin/flavors"
	"github.com/midonet-go/midonet/internal/plugin/fwaas"
	"github.com/midonet-go/midonet/internal/plugin/gwdevice"
	"github.com/midonet-go/midonet/internal/plugin/ipavail"
	"github.com/midonet-go/midonet/internal/plugin/l2gw"
	"github.com/midonet-go/midonet/internal/plugin/localip"
	"github.com/midonet-go/midonet/internal/plugin/logging"
	"github.com/midonet-go/midonet/internal/plugin/metering"
	"github.com/midonet-go/midonet/internal/plugin/ndpproxy"
	"github.com/midonet-go/midonet/internal/plugin/portfwd"
	"github.com/midonet-go/midonet/internal/plugin/porttrusted"
	"github.com/midonet-go/midonet/internal/plugin/qos"
	"github.com/midonet-go/midonet/internal/plugin/rbac"
	"github.com/midonet-go/midonet/internal/plugin/segmentrange"
	"github.com/midonet-go/midonet/internal/plugin/segments"
	"github.com/midonet-go/midonet/internal/plugin/taas"
	"github.com/midonet-go/midonet/internal/plugin/trunk"
	"github.com/midonet-go/midonet/internal/plugin/vpnaas"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// services are the services wired into every server, one line each: a folder under
// internal/plugin with its descriptions, plugin, translators and README (ARCHITECTURE.md,
// "Adding an extension").
var services = []plugin.Service{
	agents.Service(),
	qos.Service(),
	bgp.Service(),
	ipavail.Service(),
	addrgroup.Service(),
	addrscope.Service(),
	fwaas.Service(),
	logging.Service(),
	metering.Service(),
	cthelper.Service(),
	localip.Service(),
	rbac.Service(),
	az.Service(),
	dns.Service(),
	flavors.Service(),
	vpnaas.Service(),
	gwdevice.Service(),
	l2gw.Service(),
	taas.Service(),
	trunk.Service(),
	portfwd.Service(),
	ndpproxy.Service(),
	autoalloc.Service(),
	porttrusted.Service(),
	segments.Service(),
	segmentrange.Service(),
}

// Catalog builds the catalogue of every collection this binary serves: the built-in ones and
// the services'. It is built once per process (per tool run) and never changes afterwards.
func Catalog() (*resource.Catalog, error) {
	rs := builtin.Resources()
	for _, s := range services {
		rs = append(rs, s.Resources...)
	}
	return resource.NewCatalog(rs...)
}

// Translators are the cluster's translators of every translated collection.
func Translators() translate.Translators {
	ts := translate.Builtin()
	for _, s := range services {
		for coll, t := range s.Translators {
			ts[coll] = t
		}
	}
	return ts
}

// ServicePolicies are the default policy rules the services bring, one group each.
func ServicePolicies() [][]policy.Rule {
	var out [][]policy.Rule
	for _, s := range services {
		out = append(out, s.Policies)
	}
	return out
}

// serviceExtensions are the extension aliases the loaded services advertise.
func serviceExtensions(loaded []plugin.Service) []resource.Extension {
	var out []resource.Extension
	for _, s := range loaded {
		out = append(out, s.Extensions...)
	}
	return out
}

// serviceCollections are the plugin collections of the loaded services, and cols (the
// built-in ones) wrapped with the hooks those services add to them.
func serviceCollections(d plugin.Deps, cols []plugin.Collection, loaded []plugin.Service) []plugin.Collection {
	for _, s := range loaded {
		cols = append(cols, s.Collections(d)...)
	}
	for _, s := range loaded {
		for i, c := range cols {
			if h, ok := s.Hooks[c.Resource().Collection]; ok {
				if c.Resource().Collection == "ports" {
					h = portHook{h} // its BeforeDelete runs through core's OnPortDelete
				}
				cols[i] = plugin.Hooked(c, h)
			}
		}
	}
	return cols
}

// portHook is a service's hook on ports whose BeforeDelete runs for every removal of a port
// (core.Plugin.OnPortDelete: the API's delete, a router interface's or gateway's removal),
// not only the API's, and so is not run again by the API's delete.
type portHook struct{ plugin.Hook }

func (portHook) BeforeDelete(context.Context, *db.Tx, *plugin.Caller, db.Doc) error { return nil }

// UnwrapHook lets plugin.SharedExpansion find the service's hook.
func (h portHook) UnwrapHook() plugin.Hook { return h.Hook }

// portDeleteHooks are the BeforeDelete of the loaded services' hooks on ports.
func portDeleteHooks(loaded []plugin.Service) []func(context.Context, *db.Tx, *plugin.Caller, db.Doc) error {
	var out []func(context.Context, *db.Tx, *plugin.Caller, db.Doc) error
	for _, s := range loaded {
		if h, ok := s.Hooks["ports"]; ok {
			out = append(out, h.BeforeDelete)
		}
	}
	return out
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

// nsdbHosts is the hosts record of the NSDB as the plugins see it (plugin.Hosts). While the
// NSDB opens at start, the agents' endpoints answer 503 (syncing).
type nsdbHosts struct{ store *nsdb.Store }

func hostOf(i hosts.Info) model.Host {
	h := model.Host{ID: i.Host.ID, Name: i.Host.Name, Alive: i.Alive}
	for _, x := range i.Host.Interfaces {
		h.Interfaces = append(h.Interfaces, model.HostInterface{Name: x.Name, Addresses: x.Addresses})
	}
	return h
}

func (n nsdbHosts) Host(ctx context.Context, id string) (*model.Host, error) {
	if !n.store.IsOpen() {
		return nil, errNSDBSyncing()
	}
	i, err := hosts.Get(ctx, n.store, id)
	if err != nil || i == nil {
		return nil, err
	}
	h := hostOf(*i)
	return &h, nil
}

func (n nsdbHosts) Hosts(ctx context.Context) ([]model.Host, error) {
	if !n.store.IsOpen() {
		return nil, errNSDBSyncing()
	}
	infos, err := hosts.List(ctx, n.store)
	if err != nil {
		return nil, err
	}
	out := make([]model.Host, 0, len(infos))
	for _, i := range infos {
		out = append(out, hostOf(i))
	}
	return out, nil
}
