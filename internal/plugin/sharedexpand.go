package plugin

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
)

// SetFunc records an attribute an expander adds to the i-th of the documents it was given.
type SetFunc func(i int, attr string, v any)

// SharedExpander is an Expander (a collection or a hook) that can also expand documents it
// must not change: the decoded-document cache's own, which a full list renders straight from.
// ExpandShared computes what Expand would set and hands each value to set instead, or that
// value already encoded as JSON (a json.RawMessage, compact, as the API encodes: lists copy
// it); it reads only the documents' stored attributes. A hook that adds nothing says so with
// an ExpandShared that sets nothing: a hook without the method keeps lists on the ordinary
// path, so a new Expand can never be skipped by mistake.
type SharedExpander interface {
	ExpandShared(ctx context.Context, tx *db.Tx, docs []db.Doc, set SetFunc) error
}

// HookWrapper is a hook that wraps another (the app's hooks on ports): SharedExpansion looks
// through it.
type HookWrapper interface {
	UnwrapHook() Hook
}

// ExpandFunc is a collection's shared expansion.
type ExpandFunc func(ctx context.Context, tx *db.Tx, docs []db.Doc, set SetFunc) error

// SharedExpansion returns how to expand c's documents without changing them (nil when c
// expands nothing), or false when some expander of c (the collection's or a hook's) cannot.
func SharedExpansion(c Collection) (ExpandFunc, bool) {
	for c != nil {
		if h, ok := c.(interface{ sharedExpansion() (ExpandFunc, bool) }); ok {
			return h.sharedExpansion() // hooked, hookedActions
		}
		if e, ok := c.(SharedExpander); ok {
			return e.ExpandShared, true
		}
		if _, ok := c.(Expander); ok {
			return nil, false
		}
		u, ok := c.(Unwrapper)
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	return nil, true
}

// sharedExpansion is Expand's order: the wrapped collection's expansion, then the hook's.
func (h hooked) sharedExpansion() (ExpandFunc, bool) {
	inner, ok := SharedExpansion(h.Collection)
	if !ok {
		return nil, false
	}
	hook, ok := sharedHook(h.hook)
	if !ok {
		return nil, false
	}
	return func(ctx context.Context, tx *db.Tx, docs []db.Doc, set SetFunc) error {
		if inner != nil {
			if err := inner(ctx, tx, docs, set); err != nil {
				return err
			}
		}
		return hook(ctx, tx, docs, set)
	}, true
}

func sharedHook(h Hook) (ExpandFunc, bool) {
	for {
		if e, ok := h.(SharedExpander); ok {
			return e.ExpandShared, true
		}
		w, ok := h.(HookWrapper)
		if !ok {
			return nil, false
		}
		h = w.UnwrapHook()
	}
}
