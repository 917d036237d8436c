// Package autoalloc is Neutron's auto-allocated-topology extension ("get me a network"):
// GET /v2.0/auto-allocated-topology/{project_id} gives a project a network with a subnet from
// each default subnet pool and a router whose gateway is on the default external network,
// made on the first GET and found again afterwards; `?fields=dry-run` only checks the
// prerequisites; DELETE takes the topology apart. It also keeps `is_default` on networks:
// true on one external network at most. The topology is composed through the API's own
// write path (plugin.Composer, plugin.Requests): the network, subnets, router and
// interfaces are made exactly as separate requests would make them, in one transaction.
// See README.md.
package autoalloc

import (
	"context"
	"fmt"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is the auto-allocated-topology service as internal/app wires it. Its policy rules
// are Neutron's own (internal/policy: get_ and delete_auto_allocated_topology, admin or
// owner; create_network:is_default and update_network:is_default, admin only).
func Service() plugin.Service {
	return plugin.Service{
		Name:        "autoalloc",
		Resources:   []*resource.Resource{Topologies},
		Extensions:  Extensions,
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{Collection{}} },
		Hooks:       map[string]plugin.Hook{"networks": networkHook{}},
		// One of Neutron's default service plugins: always loaded.
		ServicePlugins: []string{"auto_allocate", "neutron.services.auto_allocate.plugin.Plugin"},
		AlwaysLoaded:   true,
	}
}

// The names Neutron gives what it makes (tempest counts them by these names).
const (
	networkName = "auto_allocated_network"
	routerName  = "auto_allocated_router"
	subnetName  = "auto_allocated_subnet_v%d"
	dryRun      = "dry-run"
	// maxProject bounds the project id a URL names (tenant_id's column size).
	maxProject = 255
)

// Collection is the topologies as the API drives them (plugin.Composer).
type Collection struct{ plugin.ReadOnly }

// Resource describes the topologies.
func (Collection) Resource() *resource.Resource { return Topologies }

// List is never served (a topology is shown by project only).
func (Collection) List(context.Context, *db.Tx, *plugin.Caller, map[string][]string) ([]db.Doc, error) {
	return nil, nil
}

// Owner is Neutron's _validate: "None" names the caller's project; a non-admin may name only
// its own (403 NotAuthorized).
func (Collection) Owner(c *plugin.Caller, id string) (string, error) {
	project := id
	if id == "None" || id == "" {
		project = c.ProjectID
	}
	if len(project) > maxProject {
		return "", fault.InvalidInput("'%s' exceeds maximum length of %d", project, maxProject)
	}
	if !c.IsAdmin && project != c.ProjectID {
		return "", NotAuthorized()
	}
	if project == "" {
		return "", fault.BadRequest("Failed to parse request. Required attribute 'tenant_id' not specified")
	}
	return project, nil
}

// answer is what GET shows: the topology's network as its id.
func answer(id, project string) db.Doc {
	return db.Doc{"id": id, "tenant_id": project, "project_id": project}
}

// Compose finds the project's topology or builds it; with ?fields=dry-run it only checks
// that one could be built.
func (k Collection) Compose(ctx context.Context, tx *db.Tx, c *plugin.Caller, r plugin.Requests, id string, fields []string) (db.Doc, error) {
	project, err := k.Owner(c, id)
	if err != nil {
		return nil, err
	}
	if !c.Serves("routers") {
		// [DEFAULT] service_plugins left the L3 plugin out: no router to connect with.
		return nil, Failure("No router service loaded")
	}
	for _, f := range fields {
		if f == dryRun {
			return checkRequirements(ctx, tx, c, project)
		}
	}
	if len(fields) > 0 {
		return nil, unrecognizedField()
	}
	rec, err := current(ctx, tx, project)
	if err != nil || rec != nil {
		return answerOf(rec), err
	}
	ext, err := defaultExternal(ctx, tx)
	if err != nil {
		return nil, err
	}
	// Claim the project's record first: of two requests racing here, the second waits for
	// the first's transaction and then finds its topology.
	claim := db.Doc{"id": project, "tenant_id": project, "project_id": project}
	won, err := tx.TryInsert(ctx, Topologies.Collection, claim)
	if err != nil {
		return nil, fmt.Errorf("autoalloc: claim the topology of %s: %w", project, err)
	}
	if !won {
		rec, err := current(ctx, tx, project)
		if err == nil && rec == nil {
			err = fmt.Errorf("autoalloc: the topology of %s vanished: %w", project, db.ErrVanished)
		}
		return answerOf(rec), err
	}
	netID, routerID, err := build(ctx, tx, c, r, project, ext)
	if err != nil {
		return nil, err
	}
	claim["network_id"], claim["router_id"] = netID, routerID
	if err := tx.Put(ctx, Topologies.Collection, claim); err != nil {
		return nil, fmt.Errorf("autoalloc: record the topology of %s: %w", project, err)
	}
	return answer(netID, project), nil
}

func answerOf(rec db.Doc) db.Doc {
	if rec == nil {
		return nil
	}
	return answer(plugin.Str(rec, "network_id"), plugin.Str(rec, "tenant_id"))
}

// current is the project's topology record, nil when it has none. A record whose network is
// gone (its owner deleted it) is dropped, as Neutron's foreign key cascades, so that the
// next GET builds a new topology.
func current(ctx context.Context, tx *db.Tx, project string) (db.Doc, error) {
	rec, err := tx.Get(ctx, Topologies.Collection, project)
	if err != nil || rec == nil {
		return nil, err
	}
	net, err := tx.Get(ctx, "networks", plugin.Str(rec, "network_id"))
	if err != nil {
		return nil, err
	}
	if net == nil {
		if _, err := tx.Delete(ctx, Topologies.Collection, project); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return rec, nil
}

// checkRequirements is the dry run: a default external network and a default subnet pool
// the caller can use.
func checkRequirements(ctx context.Context, tx *db.Tx, c *plugin.Caller, project string) (db.Doc, error) {
	if _, err := defaultExternal(ctx, tx); err != nil {
		return nil, err
	}
	pools, err := defaultPools(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	if len(pools) == 0 {
		return nil, Failure("No default subnetpools defined")
	}
	return answer("dry-run=pass", project), nil
}

// defaultExternal is the default external network (the oldest, should several claim it).
func defaultExternal(ctx context.Context, tx *db.Tx) (string, error) {
	nets, err := plugin.ExternalNetworks(ctx, tx)
	if err != nil {
		return "", fmt.Errorf("autoalloc: %w", err)
	}
	var found []db.Doc
	for _, n := range nets {
		if plugin.Bool(n, "is_default") {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return "", Failure("No default router:external network")
	}
	sort.Slice(found, func(i, j int) bool {
		return plugin.Str(found[i], "created_at") < plugin.Str(found[j], "created_at")
	})
	return plugin.Str(found[0], "id"), nil
}

// pool is a default subnet pool.
type pool struct {
	id      string
	version int64
}

// defaultPools are the default subnet pools of IPv4 and IPv6 the caller sees.
func defaultPools(ctx context.Context, tx *db.Tx, c *plugin.Caller) ([]pool, error) {
	all, err := tx.List(ctx, "subnetpools", db.Filter{})
	if err != nil {
		return nil, fmt.Errorf("autoalloc: list subnet pools: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return plugin.Str(all[i], "created_at") < plugin.Str(all[j], "created_at") })
	var out []pool
	for _, v := range []int64{4, 6} {
		for _, p := range all {
			ver, _ := model.Int(p["ip_version"])
			if !plugin.Bool(p, "is_default") || ver != v {
				continue
			}
			if _, err := plugin.Fetch(ctx, tx, c, "subnetpools", plugin.Str(p, "id")); err != nil {
				if fault.IsType(err, "SubnetPoolNotFound") {
					continue
				}
				return nil, err
			}
			out = append(out, pool{id: plugin.Str(p, "id"), version: v})
			break
		}
	}
	return out, nil
}

// build makes the network, a subnet from each default pool, and the router with its gateway
// on ext and an interface on each subnet. Neutron's answers: a request error (400, 404) of
// the private network's steps is AutoAllocationFailure "Unable to provide project private
// network", of the router's steps "Unable to provide external connectivity"; any other error
// (a quota's 409 OverQuota) is answered as it is. The caller's transaction rolls everything
// back on an error.
func build(ctx context.Context, tx *db.Tx, c *plugin.Caller, r plugin.Requests, project, ext string) (netID, routerID string, err error) {
	net, err := r.Create(ctx, tx, "networks", map[string]any{
		"name": networkName, "admin_state_up": true, "tenant_id": project, "shared": false,
	})
	if err != nil {
		return "", "", wrap(err, "Unable to provide project private network")
	}
	netID = plugin.Str(net, "id")
	pools, err := defaultPools(ctx, tx, c)
	if err != nil {
		return "", "", err
	}
	if len(pools) == 0 {
		return "", "", Failure("Unable to provide project private network")
	}
	var subnets []string
	for _, p := range pools {
		s, err := r.Create(ctx, tx, "subnets", map[string]any{
			"name": fmt.Sprintf(subnetName, p.version), "network_id": netID, "tenant_id": project,
			"ip_version": p.version, "subnetpool_id": p.id,
		})
		if err != nil {
			return "", "", wrap(err, "Unable to provide project private network")
		}
		subnets = append(subnets, plugin.Str(s, "id"))
	}
	router, err := r.Create(ctx, tx, "routers", map[string]any{
		"name": routerName, "external_gateway_info": map[string]any{"network_id": ext},
		"tenant_id": project, "admin_state_up": true,
	})
	if err != nil {
		return "", "", wrap(err, "Unable to provide external connectivity")
	}
	routerID = plugin.Str(router, "id")
	for _, s := range subnets {
		if _, err := r.Action(ctx, tx, "routers", routerID, "add_router_interface", map[string]any{"subnet_id": s}); err != nil {
			return "", "", wrap(err, "Unable to provide external connectivity")
		}
	}
	return netID, routerID, nil
}

// wrap turns a request error (400, 404) of a step into AutoAllocationFailure, as Neutron
// does; anything else is answered as it is.
func wrap(err error, reason string) error {
	if f, ok := fault.As(err); ok && (f.Status == 400 || f.Status == 404) {
		return Failure(reason)
	}
	return err
}

// Decompose takes the project's topology apart: the router's interfaces, the router (and its
// gateway), then the network with its subnets. What is already gone is skipped; a network
// the project has put ports of its own on stays (409 NetworkInUse), with all the rest, as the
// transaction rolls back.
func (k Collection) Decompose(ctx context.Context, tx *db.Tx, c *plugin.Caller, r plugin.Requests, id string) error {
	project, err := k.Owner(c, id)
	if err != nil {
		return err
	}
	rec, err := tx.Get(ctx, Topologies.Collection, project)
	if err != nil || rec == nil {
		return err
	}
	netID, routerID := plugin.Str(rec, "network_id"), plugin.Str(rec, "router_id")
	if routerID != "" {
		router, err := tx.Get(ctx, "routers", routerID)
		if err != nil {
			return err
		}
		if router != nil {
			subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: netID})
			if err != nil {
				return err
			}
			for _, s := range subnets {
				_, err := r.Action(ctx, tx, "routers", routerID, "remove_router_interface", map[string]any{"subnet_id": plugin.Str(s, "id")})
				if err := ignoreNotFound(err); err != nil {
					return err
				}
			}
			if err := ignoreNotFound(r.Delete(ctx, tx, "routers", routerID)); err != nil {
				return err
			}
		}
	}
	if netID != "" {
		if err := ignoreNotFound(r.Delete(ctx, tx, "networks", netID)); err != nil {
			return err
		}
	}
	if _, err := tx.Delete(ctx, Topologies.Collection, project); err != nil {
		return fmt.Errorf("autoalloc: forget the topology of %s: %w", project, err)
	}
	return nil
}

// ignoreNotFound drops a 404: a part of the topology someone removed already.
func ignoreNotFound(err error) error {
	if f, ok := fault.As(err); ok && f.Status == 404 {
		return nil
	}
	return err
}
