package api

import (
	"net/http"
	"slices"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// tags serves /v2.0/{collection}/{id}/tags[/{tag}] (standard-attr-tag).
func (s *Server) tags(rq *request, col plugin.Collection, id, tag string, one bool) error {
	res := col.Resource()
	ctx := rq.r.Context()
	m := rq.r.Method
	notFound := func() error {
		return fault.TagResourceNotFound(res.Collection, id)
	}
	loadVisible := func(tx *db.Tx) (db.Doc, map[string]any, error) {
		d, t, err := s.load(ctx, tx, rq, col, id)
		if f, ok := fault.As(err); ok && f.Status == http.StatusNotFound {
			return nil, nil, notFound()
		}
		return d, t, err
	}
	if m == http.MethodGet {
		var tags []string
		err := s.DB.Read(ctx, func(tx *db.Tx) error {
			d, _, err := loadVisible(tx)
			tags = plugin.Strings(d, "tags")
			return err
		})
		if err != nil {
			return err
		}
		if !one {
			writeJSON(rq.w, http.StatusOK, map[string]any{"tags": nonNil(tags)})
			return nil
		}
		for _, t := range tags {
			if t == tag {
				rq.w.WriteHeader(http.StatusNoContent)
				return nil
			}
		}
		return fault.TagNotFound(tag)
	}
	var newTags []string
	switch {
	case m == http.MethodPut && !one:
		body, err := readBody(rq.r)
		if err != nil {
			return err
		}
		l, ok := body["tags"].([]any)
		if !ok {
			return fault.InvalidInput("%s is not a list", resource.Repr(body["tags"]))
		}
		if len(l) > resource.MaxTags {
			return fault.InvalidInput("%s", resource.TooManyTags(len(l)))
		}
		seen := map[string]bool{}
		for _, x := range l {
			if r := resource.Tag(x); r != "" {
				return fault.InvalidInput("%s", r)
			}
			t := x.(string)
			if seen[t] {
				return fault.InvalidInput("Duplicate items in the list: '%s'", t)
			}
			seen[t] = true
			newTags = append(newTags, t)
		}
	case m == http.MethodPut && one:
		if r := resource.Tag(tag); r != "" {
			return fault.InvalidInput("%s", r)
		}
	case m == http.MethodDelete:
	default:
		return fault.MethodNotAllowed()
	}
	err := s.write(ctx, func(tx *db.Tx) error {
		d, t, err := loadVisible(tx)
		if err != nil {
			return err
		}
		if !s.Policy.Enforce(res.Rule("update"), t, rq.creds) {
			return fault.Forbidden(res.Rule("update"))
		}
		cur := plugin.Strings(d, "tags")
		var next []string
		switch {
		case m == http.MethodPut && !one:
			next = newTags
		case m == http.MethodPut:
			next = append(append(next, cur...), tag)
		case one:
			found := false
			for _, x := range cur {
				if x == tag {
					found = true
				} else {
					next = append(next, x)
				}
			}
			if !found {
				return fault.TagNotFound(tag)
			}
		}
		next = sortedUnique(next)
		if len(next) > resource.MaxTags {
			return fault.InvalidInput("%s", resource.TooManyTags(len(next)))
		}
		newTags = next
		if slices.Equal(next, sortedUnique(cur)) {
			return nil
		}
		l := make([]any, len(next))
		for i, x := range next {
			l[i] = x
		}
		d["tags"] = l
		plugin.Bump(d)
		if err := tx.Put(ctx, res.Collection, d); err != nil {
			return err
		}
		return plugin.Journal(ctx, tx, rq.caller, journal.Update, res.Collection, d)
	})
	if err != nil {
		return err
	}
	switch {
	case m == http.MethodPut && !one:
		writeJSON(rq.w, http.StatusOK, map[string]any{"tags": nonNil(newTags)})
	case m == http.MethodPut:
		rq.w.Header().Set("Content-Type", "application/json")
		rq.w.WriteHeader(http.StatusCreated)
	default:
		rq.w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func sortedUnique(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range l {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
