package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// quotaKinds maps quota resource names to the collections they count.
var quotaKinds = map[string]string{
	"network": "networks", "subnet": "subnets", "subnetpool": "subnetpools", "port": "ports", "router": "routers",
	"floatingip": "floatingips", "security_group": "security_groups", "security_group_rule": "security_group_rules",
}

func quotaNames() []string {
	names := make([]string, 0, len(quotaKinds))
	for k := range quotaKinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// quotas serves /v2.0/quotas, /quotas/{project}, /quotas/{project}/default and /details.
func (s *Server) quotas(rq *request, parts []string) error {
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
			for _, k := range quotaNames() {
				q[k] = s.Core.S.Quotas[k]
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
		err := s.write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM quotas WHERE project_id = ?", project)
			return err
		})
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
	for _, k := range quotaNames() {
		n, err := s.Core.QuotaLimit(ctx, tx, project, k)
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
		rows, err := tx.Query(ctx, "SELECT DISTINCT project_id FROM quotas ORDER BY project_id")
		if err != nil {
			return err
		}
		var projects []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			projects = append(projects, p)
		}
		rows.Close()
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
		for _, k := range quotaNames() {
			limit, err := s.Core.QuotaLimit(ctx, tx, project, k)
			if err != nil {
				return err
			}
			used, err := tx.Count(ctx, quotaKinds[k], project)
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
	body, err := readBody(rq.r)
	if err != nil {
		return err
	}
	raw, ok := body["quota"].(map[string]any)
	if !ok {
		return fault.BadRequest("Unable to find 'quota' in request body")
	}
	var unknown []string
	for k := range raw {
		if _, ok := quotaKinds[k]; !ok {
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
		limits[k] = n.(int)
	}
	ctx := rq.r.Context()
	var q map[string]any
	err = s.write(ctx, func(tx *db.Tx) error {
		for k, n := range limits {
			if _, err := tx.Exec(ctx, "DELETE FROM quotas WHERE project_id = ? AND resource = ?", project, k); err != nil {
				return fmt.Errorf("api: quota %s: %w", k, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO quotas (project_id, resource, hard_limit) VALUES (?, ?, ?)", project, k, n); err != nil {
				return fmt.Errorf("api: quota %s: %w", k, err)
			}
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
