package ovsdb

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// Operation is one operation of a transaction (RFC 7047 5.2).
type Operation struct {
	Op        string         // insert, select, update, mutate, delete, wait, commit, abort, comment, assert
	Table     string         //
	Row       map[string]any // insert, update
	Where     []Condition    // select, update, mutate, delete, wait (sent even when empty)
	Columns   []string       // select
	Mutations []Mutation     // mutate
	UUIDName  string         // insert: the name later operations use as ["named-uuid", name]
}

// MarshalJSON writes the operation with exactly the members its op takes.
func (o Operation) MarshalJSON() ([]byte, error) {
	m := map[string]any{"op": o.Op}
	if o.Table != "" {
		m["table"] = o.Table
	}
	switch o.Op {
	case "select", "update", "mutate", "delete", "wait":
		w := o.Where
		if w == nil {
			w = []Condition{}
		}
		m["where"] = w
	}
	if o.Row != nil {
		m["row"] = o.Row
	}
	if o.Columns != nil {
		m["columns"] = o.Columns
	}
	if o.Mutations != nil {
		m["mutations"] = o.Mutations
	}
	if o.UUIDName != "" {
		m["uuid-name"] = o.UUIDName
	}
	return json.Marshal(m)
}

// Condition is [column, function, value].
type Condition [3]any

// Equal is the condition column == value.
func Equal(column string, value any) Condition { return Condition{column, "==", value} }

// Mutation is [column, mutator, value].
type Mutation [3]any

// Values of the OVSDB type system (RFC 7047 5.1).

// UUID is a row reference.
func UUID(id string) []any { return []any{"uuid", id} }

// NamedUUID refers to a row inserted earlier in the same transaction.
func NamedUUID(name string) []any { return []any{"named-uuid", name} }

// Set is a set of atoms.
func Set(atoms ...any) []any {
	if atoms == nil {
		atoms = []any{}
	}
	return []any{"set", atoms}
}

// Map is a map of atoms, written in key order.
func Map[K comparable](m map[K]any, less func(a, b K) bool) []any {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	pairs := make([]any, 0, len(m))
	for _, k := range keys {
		pairs = append(pairs, []any{k, m[k]})
	}
	return []any{"map", pairs}
}

// Result is the answer to one operation.
type Result struct {
	Count   int              `json:"count,omitempty"`
	UUID    []any            `json:"uuid,omitempty"`
	Rows    []map[string]any `json:"rows,omitempty"`
	Error   string           `json:"error,omitempty"`
	Details string           `json:"details,omitempty"`
}

// TransactError is a transaction the server refused: the operation that failed and why.
type TransactError struct {
	Index   int
	Op      string
	Error_  string
	Details string
}

func (e *TransactError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("ovsdb: transaction failed: %s: %s", e.Error_, e.Details)
	}
	return fmt.Sprintf("ovsdb: transaction operation %d (%s) failed: %s: %s", e.Index, e.Op, e.Error_, e.Details)
}

// Transact runs the operations as one transaction on database db. It fails if any operation
// (or the commit) failed, with the results so far.
func (c *Client) Transact(ctx context.Context, db string, ops ...Operation) ([]Result, error) {
	params := make([]any, 0, len(ops)+1)
	params = append(params, db)
	for _, o := range ops {
		params = append(params, o)
	}
	var raw []*Result
	if err := c.call(ctx, "transact", params, &raw); err != nil {
		return nil, err
	}
	out := make([]Result, len(raw))
	for i, r := range raw {
		if r != nil {
			out[i] = *r
		}
	}
	for i, r := range out {
		if r.Error == "" {
			continue
		}
		if i >= len(ops) {
			return out, &TransactError{Index: -1, Error_: r.Error, Details: r.Details}
		}
		return out, &TransactError{Index: i, Op: ops[i].Op, Error_: r.Error, Details: r.Details}
	}
	return out, nil
}

// MonitorRequest selects the columns of a table a monitor reports (nil: all) and the kinds
// of change (RFC 7047 4.1.5; nil Select: all).
type MonitorRequest struct {
	Columns []string       `json:"columns,omitempty"`
	Select  *MonitorSelect `json:"select,omitempty"`
}

// MonitorSelect chooses which changes are reported.
type MonitorSelect struct {
	Initial bool `json:"initial"`
	Insert  bool `json:"insert"`
	Delete  bool `json:"delete"`
	Modify  bool `json:"modify"`
}

// TableUpdates are a monitor's changes: table → row uuid → old and new rows.
type TableUpdates map[string]map[string]RowUpdate

// RowUpdate is one row's change: Old is absent for an insert, New for a delete.
type RowUpdate struct {
	Old map[string]any `json:"old,omitempty"`
	New map[string]any `json:"new,omitempty"`
}

// Monitor starts monitor id on database db: it returns the current rows, and fn receives
// every later change (on the client's reading goroutine: fn must not block on the client).
func (c *Client) Monitor(ctx context.Context, db, id string, reqs map[string]MonitorRequest, fn func(TableUpdates)) (TableUpdates, error) {
	key := monitorKey(id)
	c.mu.Lock()
	if _, dup := c.monitors[key]; dup {
		c.mu.Unlock()
		return nil, fmt.Errorf("ovsdb: monitor %q already running", id)
	}
	c.monitors[key] = fn
	c.mu.Unlock()
	var out TableUpdates
	if err := c.call(ctx, "monitor", []any{db, id, reqs}, &out); err != nil {
		c.mu.Lock()
		delete(c.monitors, key)
		c.mu.Unlock()
		return nil, err
	}
	return out, nil
}

// MonitorCancel stops monitor id.
func (c *Client) MonitorCancel(ctx context.Context, id string) error {
	err := c.call(ctx, "monitor_cancel", []any{id}, nil)
	c.mu.Lock()
	delete(c.monitors, monitorKey(id))
	c.mu.Unlock()
	return err
}
