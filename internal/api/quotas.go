package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// quotas serves /v2.0/quotas, /quotas/{project}, /quotas/{project}/default and /details.
func (s *Server) quotas(rq *request, parts []string) error {
	if s.Quotas == nil {
		return fault.HTTPNotFound() // a server without the quota plugin
	}
	ctx := rq.r.Context()
	m := rq.r.Method
	if len(parts) == 0 {
		if m != http.MethodGet {
			return fault.MethodNotAllowed()
		}
		if !rq.creds.IsAdmin {
			return fault.Forbidden("get_quota")
		}
		return s.listQuotas(rq)
	}
	project := parts[0]
	if project == "tenant" || project == "project" {
		if m != http.MethodGet || len(parts) > 1 {
			return fault.HTTPNotFound()
		}
		writeJSON(rq.w, http.StatusOK, map[string]any{"tenant": map[string]any{"tenant_id": rq.caller.ProjectID}})
		return nil
	}
	own := project == rq.caller.ProjectID
	if len(parts) == 2 && m == http.MethodGet {
		if !rq.creds.IsAdmin && !own {
			return fault.Forbidden("get_quota")
		}
		switch parts[1] {
		case "default":
			q := map[string]any{}
			for _, k := range s.Quotas.Names() {
				q[k] = s.Quotas.Default(k)
			}
			writeJSON(rq.w, http.StatusOK, map[string]any{"quota": q})
			return nil
		case "details":
			return s.quotaDetails(rq, project)
		}
		return fault.HTTPNotFound()
	}
	if len(parts) != 1 {
		return fault.HTTPNotFound()
	}
	switch m {
	case http.MethodGet:
		if !rq.creds.IsAdmin && !own {
			return fault.Forbidden("get_quota")
		}
		var q map[string]any
		err := s.DB.Read(ctx, func(tx *db.Tx) error {
			var err error
			q, err = s.quotaOf(ctx, tx, project)
			return err
		})
		if err != nil {
			return err
		}
		writeJSON(rq.w, http.StatusOK, map[string]any{"quota": q})
		return nil
	case http.MethodPut:
		if !s.Policy.Enforce("update_quota", map[string]any{"tenant_id": project, "project_id": project}, rq.creds) {
			return fault.Forbidden("update_quota")
		}
		return s.updateQuota(rq, project)
	case http.MethodDelete:
		if !s.Policy.Enforce("delete_quota", map[string]any{"tenant_id": project, "project_id": project}, rq.creds) {
			return fault.Forbidden("delete_quota")
		}
		err := s.write(ctx, func(tx *db.Tx) error { return s.Quotas.Reset(ctx, tx, project) })
		if err != nil {
			return err
		}
		rq.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return fault.MethodNotAllowed()
}

func (s *Server) quotaOf(ctx context.Context, tx *db.Tx, project string) (map[string]any, error) {
	q := map[string]any{}
	for _, k := range s.Quotas.Names() {
		n, err := s.Quotas.Limit(ctx, tx, project, k)
		if err != nil {
			return nil, err
		}
		q[k] = n
	}
	return q, nil
}

func (s *Server) listQuotas(rq *request) error {
	ctx := rq.r.Context()
	var out []any
	err := s.DB.Read(ctx, func(tx *db.Tx) error {
		projects, err := s.Quotas.Projects(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range projects {
			q, err := s.quotaOf(ctx, tx, p)
			if err != nil {
				return err
			}
			q["tenant_id"], q["project_id"] = p, p
			out = append(out, q)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if out == nil {
		out = []any{}
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{"quotas": out})
	return nil
}

func (s *Server) quotaDetails(rq *request, project string) error {
	ctx := rq.r.Context()
	q := map[string]any{}
	err := s.DB.Read(ctx, func(tx *db.Tx) error {
		for _, k := range s.Quotas.Names() {
			limit, err := s.Quotas.Limit(ctx, tx, project, k)
			if err != nil {
				return err
			}
			used, err := s.Quotas.Used(ctx, tx, project, k)
			if err != nil {
				return err
			}
			q[k] = map[string]any{"limit": limit, "used": used, "reserved": 0}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{"quota": q})
	return nil
}

func (s *Server) updateQuota(rq *request, project string) error {
	if len(project) > 255 {
		// A project id is at most 255 characters (tenant_id's limit): a longer one is never a
		// project, and would not fit the quotas table on MySQL.
		return fault.InvalidInput("%s exceeds maximum length of 255", resource.Repr(project))
	}
	body, err := readBody(rq.r)
	if err != nil {
		return err
	}
	raw, ok := body["quota"].(map[string]any)
	if !ok {
		return fault.BadRequest("Unable to find 'quota' in request body")
	}
	// quota-check-limit: check_limit=true refuses a limit below what the project already
	// uses; force (the future default's opposite) is accepted and changes nothing.
	checkLimit := false
	for _, flag := range []string{"check_limit", "force"} {
		v, ok := raw[flag]
		if !ok {
			continue
		}
		delete(raw, flag)
		b, err := resource.ToBool(v)
		if err != nil {
			return fault.BadRequest("Invalid input for %s. Reason: %s.", flag, err.Error())
		}
		if flag == "check_limit" {
			checkLimit = b.(bool)
		}
	}
	var unknown []string
	for k := range raw {
		if !s.Quotas.Known(k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fault.BadRequest("Unrecognized attribute(s) '%s'", strings.Join(unknown, ", "))
	}
	limits := map[string]int{}
	for k, v := range raw {
		n, err := resource.ToInt(v)
		if err != nil {
			return fault.InvalidInput("%s", err.Error())
		}
		if n.(int) < -1 {
			return fault.BadRequest("Invalid input for %s. Reason: '%d' is too small - must be at least '-1'.", k, n)
		}
		if n.(int) > math.MaxInt32 { // Neutron's column is a 32-bit integer
			return fault.BadRequest("Invalid input for %s. Reason: '%d' is too large - must be no larger than '%d'.", k, n, math.MaxInt32)
		}
		limits[k] = n.(int)
	}
	ctx := rq.r.Context()
	var q map[string]any
	err = s.write(ctx, func(tx *db.Tx) error {
		if checkLimit {
			if err := s.limitsCoverUsage(ctx, tx, project, limits); err != nil {
				return err
			}
		}
		if err := s.Quotas.Set(ctx, tx, project, limits); err != nil {
			return err
		}
		var err error
		q, err = s.quotaOf(ctx, tx, project)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{"quota": q})
	return nil
}

// limitsCoverUsage refuses, as Neutron's check_limit does, a new limit below the project's
// current usage. Unlike Neutron, -1 (unlimited) always covers it.
func (s *Server) limitsCoverUsage(ctx context.Context, tx *db.Tx, project string, limits map[string]int) error {
	names := make([]string, 0, len(limits))
	for k := range limits {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		limit := limits[k]
		if limit < 0 {
			continue
		}
		used, err := s.Quotas.Used(ctx, tx, project, k)
		if err != nil {
			return fmt.Errorf("quota usage of %s: %w", k, err)
		}
		if used > limit {
			return fault.BadRequest("Quota limit %d for %s must be greater than or equal to already used %d", limit, k, used)
		}
	}
	return nil
}
