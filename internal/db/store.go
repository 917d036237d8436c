package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/jsonenc"
)

// Doc is one API resource as JSON-shaped data.
type Doc = map[string]any

// Kinds is what the store and the journal need to know about the kinds of documents: the
// attribute stored (and indexed) as a document's parent, and the task data type of a
// collection's journal entries. The catalogue (resource.Catalog) implements it.
type Kinds interface {
	ParentKey(kind string) string
	DataType(kind string) string
}

// noKinds is the catalogue of a database nobody described: no parents, no data types.
type noKinds struct{}

func (noKinds) ParentKey(string) string { return "" }
func (noKinds) DataType(string) string  { return "" }

// Kinds returns the catalogue the database was given.
func (t *Tx) Kinds() Kinds { return t.db.kinds() }

func (d *DB) kinds() Kinds {
	if d.Kinds == nil {
		return noKinds{}
	}
	return d.Kinds
}

func (t *Tx) parentOf(kind string, d Doc) string { return str(d[t.db.kinds().ParentKey(kind)]) }

func str(v any) string {
	s, _ := v.(string)
	return s
}

// DecodeDoc decodes a stored body, keeping numbers exact.
func DecodeDoc(b []byte) (Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d Doc
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	return d, nil
}

// DecodeBody is DecodeDoc through the store's fast decoder where it can (decodeFast: bodies
// in json.Marshal's form, without escapes or bytes beyond ASCII), several times faster: the
// same values, or DecodeDoc's answer.
func DecodeBody(b []byte) (Doc, error) { return decodeBody(b) }

// DecodeFast decodes b as DecodeDoc would when b is a JSON object in the form the fast
// decoder reads (strings of printable ASCII without escapes, nothing after the object but
// spaces), and reports false for anything else, which the caller then decodes its own way.
func DecodeFast(b []byte) (Doc, bool) { return decodeFast(b) }

// decodeBody is DecodeDoc, through decodeFast where it can.
func decodeBody(b []byte) (Doc, error) {
	if d, ok := decodeFast(b); ok {
		return d, nil
	}
	return DecodeDoc(b)
}

// Get loads one document, or nil when there is none. In a write transaction on PostgreSQL
// and MySQL it locks the document's row (FOR UPDATE) until the transaction ends. A document
// read once in a transaction is read from memory the next times (see remember); each call
// decodes its own copy.
func (t *Tx) Get(ctx context.Context, kind, id string) (Doc, error) {
	return t.get(ctx, kind, id, decodeCached)
}

// Peek is Get for a document the caller only reads: it takes the same locks, and hands out
// the decoded-document cache's own copy, which the caller must not change (nor anything in
// it), instead of a copy of its own.
func (t *Tx) Peek(ctx context.Context, kind, id string) (Doc, error) {
	return t.get(ctx, kind, id, peekCached)
}

func (t *Tx) get(ctx context.Context, kind, id string, decode func([]byte) (Doc, error)) (Doc, error) {
	if body, ok := t.seen[docRef{kind, id}]; ok {
		return decode(body)
	}
	q := "SELECT body FROM resources WHERE kind = ? AND id = ?"
	args := []any{kind, id}
	if !t.readOnly && !t.unlocked {
		suffix, more := t.forUpdate(kind, id)
		q += suffix
		args = append(args, more...)
	}
	var body []byte
	err := t.QueryRow(ctx, q, args...).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: get %s %s: %w", kind, id, err)
	}
	if !t.unlocked {
		t.remember(kind, id, body)
	}
	return decode(body)
}

// EndLocking marks the end of what a write transaction reads in order to write: what Get
// reads from now on (an answer's expansions, its policy parents) is read as a read
// transaction would, without locking rows it did not lock already, so that reading for the
// answer adds no lock a concurrent write could wait on or deadlock with. Documents Get read
// before still come from memory; what Get reads after is not remembered. Only Get changes:
// writes after it (the journal's task rows at commit) take their locks as before, and a
// write that depends on what it reads must read it before EndLocking.
func (t *Tx) EndLocking() { t.unlocked = true }

// docRef names a stored document.
type docRef struct{ kind, id string }

// remember keeps a body Get read, for the transaction's next Get of that document. It may:
// in a write transaction Get locked the row (FOR UPDATE on PostgreSQL and MySQL; SQLite has
// one writer), so only this transaction can change it, and it does so through Insert, Put
// and Delete, which keep seen in step (forget). A read-only transaction sees the document
// as it first read it, as a snapshot would. A body is kept only after the SELECT succeeded;
// a transaction that is run again starts with a new Tx and nothing remembered.
func (t *Tx) remember(kind, id string, body []byte) {
	if t.seen == nil {
		t.seen = make(map[docRef][]byte, 4)
	}
	t.seen[docRef{kind, id}] = body
}

// forget drops what Get remembered of a document this transaction writes.
func (t *Tx) forget(kind, id string) {
	if t.seen != nil {
		delete(t.seen, docRef{kind, id})
	}
}

// Insert stores a new document; it must have an id.
func (t *Tx) Insert(ctx context.Context, kind string, d Doc) error {
	b, err := jsonenc.Marshal(d)
	if err != nil {
		return fmt.Errorf("db: encode %s: %w", kind, err)
	}
	if t.db.Dialect == Postgres {
		if done, err := t.insertWithKeys(ctx, kind, d, b); done || err != nil {
			if err == nil {
				t.noteInserted(kind, str(d["id"]))
			}
			return err
		}
	}
	res, err := t.Exec(ctx, "INSERT INTO resources (kind, id, project_id, parent_id, body) VALUES (?, ?, ?, ?, ?)",
		kind, str(d["id"]), str(d["project_id"]), t.parentOf(kind, d), string(b))
	if err != nil {
		return fmt.Errorf("db: insert %s %s: %w", kind, str(d["id"]), err)
	}
	t.forget(kind, str(d["id"]))
	t.noteInserted(kind, str(d["id"]))
	var rid int64 // the key rows' rowid on SQLite (keys.go)
	if t.db.keyRowids.Load() {
		rid, _ = res.LastInsertId()
	}
	return t.writeKeys(ctx, kind, d, rid)
}

func (t *Tx) noteInserted(kind, id string) {
	if t.inserted == nil {
		t.inserted = make(map[docRef]struct{}, 1)
	}
	t.inserted[docRef{kind, id}] = struct{}{}
}

// Inserted reports whether Insert stored that document in this transaction: no other
// transaction has seen it yet, so nothing stored elsewhere can refer to it (a create's
// expansions need not look for what would name it).
func (t *Tx) Inserted(kind, id string) bool {
	_, ok := t.inserted[docRef{kind, id}]
	return ok
}

// TryInsert stores a new document unless one of that kind and id exists, and reports whether
// it did. It never aborts the transaction on a duplicate: a concurrent transaction inserting
// the same id makes it wait for that one's end, so that of two racing claims exactly one
// wins (auto-allocated topologies are claimed so, one per project).
func (t *Tx) TryInsert(ctx context.Context, kind string, d Doc) (bool, error) {
	b, err := jsonenc.Marshal(d)
	if err != nil {
		return false, fmt.Errorf("db: encode %s: %w", kind, err)
	}
	ok, err := t.InsertIgnore(ctx, "INSERT INTO resources (kind, id, project_id, parent_id, body) VALUES (?, ?, ?, ?, ?)",
		kind, str(d["id"]), str(d["project_id"]), t.parentOf(kind, d), string(b))
	if err != nil {
		return false, fmt.Errorf("db: insert %s %s: %w", kind, str(d["id"]), err)
	}
	t.forget(kind, str(d["id"]))
	return ok, nil
}

// Put replaces a stored document.
func (t *Tx) Put(ctx context.Context, kind string, d Doc) error {
	b, err := jsonenc.Marshal(d)
	if err != nil {
		return fmt.Errorf("db: encode %s: %w", kind, err)
	}
	id := str(d["id"])
	if err := t.lockForWrite(ctx, kind, id); err != nil {
		return err
	}
	old, err := t.storedBody(ctx, kind, id)
	if err != nil {
		return err
	}
	t.forget(kind, id)
	res, err := t.Exec(ctx, "UPDATE resources SET body = ?, project_id = ?, parent_id = ? WHERE kind = ? AND id = ?",
		string(b), str(d["project_id"]), t.parentOf(kind, d), kind, id)
	if err != nil {
		return fmt.Errorf("db: update %s %s: %w", kind, id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 || old == nil {
		// The document was read (without a lock) and then deleted by a transaction that
		// committed since: writing on would journal an update after its delete and bring it
		// back in the NSDB. Run the whole transaction again on fresh reads.
		return fmt.Errorf("db: update %s %s: %w", kind, id, ErrVanished)
	}
	return t.updateKeys(ctx, kind, id, old, d)
}

// ErrVanished says a document a transaction read was deleted by another before it could be
// written; Write runs the transaction again.
var ErrVanished = errors.New("document deleted by a concurrent transaction")

// Delete removes a document; it reports whether one was there.
func (t *Tx) Delete(ctx context.Context, kind, id string) (bool, error) {
	if err := t.lockForWrite(ctx, kind, id); err != nil {
		return false, err
	}
	old, err := t.storedBody(ctx, kind, id)
	if err != nil {
		return false, err
	}
	t.forget(kind, id)
	res, err := t.Exec(ctx, "DELETE FROM resources WHERE kind = ? AND id = ?", kind, id)
	if err != nil {
		return false, fmt.Errorf("db: delete %s %s: %w", kind, id, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 || old == nil {
		return false, nil
	}
	return true, t.updateKeys(ctx, kind, id, old, nil)
}

// storedBody is the stored body of a document this transaction is about to change (nil
// when there is none): what Get remembered, or read now with the row locked as Get does, so
// that the key rows removed are those of the version replaced.
func (t *Tx) storedBody(ctx context.Context, kind, id string) ([]byte, error) {
	if body, ok := t.seen[docRef{kind, id}]; ok {
		return body, nil
	}
	if s, m, keyed := t.keyAttrs(kind); !keyed || len(s)+len(m) == 0 {
		return []byte{}, nil // no key rows to find: not read (not nil: a row may be there)
	}
	var body []byte // lockForWrite took the advisory lock, if the kind has one
	err := t.QueryRow(ctx, "SELECT body FROM resources WHERE kind = ? AND id = ?"+t.ForUpdate(), kind, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: read %s %s: %w", kind, id, err)
	}
	return body, nil
}

// Filter narrows a List by the indexed columns.
type Filter struct {
	ProjectID string   // "" = any
	ParentID  string   // "" = any
	ParentIDs []string // any of these parents (none = any)
	IDs       []string
}

// FilterOf narrows a list query by what a request's filters name: a few ids, one project
// (tenant_id or project_id). The caller still applies every filter to what comes back.
func FilterOf(f map[string][]string) Filter {
	var h Filter
	if ids := f["id"]; len(ids) > 0 && len(ids) < 200 {
		h.IDs = ids
	}
	if t := f["tenant_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	} else if t := f["project_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	}
	return h
}

// List loads the documents of a kind matching f.
func (t *Tx) List(ctx context.Context, kind string, f Filter) ([]Doc, error) {
	return t.list(ctx, kind, f, decodeCached)
}

// listBatch is how many ids or parents ListIDs and ListChildren name in one query.
const listBatch = 500

// ListChildren loads the documents of a kind whose parent is one of parents, through the
// parent index, 500 parents a query: what a page of documents holds (its ports' trunks, its
// floating IPs' forwardings, its networks' subnets), not every document of the kind.
func (t *Tx) ListChildren(ctx context.Context, kind string, parents []string) ([]Doc, error) {
	return t.listBatched(ctx, kind, parents, byParents, decodeCached)
}

// ListChildrenAttrs is ListChildren for a caller that reads only the named attributes of
// each child: each is decoded by DecodeAttrs, and the decoded-document cache is left alone
// (a device's show reads its thousands of remote MAC entries this way).
func (t *Tx) ListChildrenAttrs(ctx context.Context, kind string, parents []string, names ...string) ([]Doc, error) {
	return t.listBatched(ctx, kind, parents, byParents, func(body []byte) (Doc, error) { return DecodeAttrs(body, names...) })
}

// ListIDs loads the documents of a kind with the given ids (those that exist), 500 a query.
func (t *Tx) ListIDs(ctx context.Context, kind string, ids []string) ([]Doc, error) {
	return t.listBatched(ctx, kind, ids, func(b []string) Filter { return Filter{IDs: b} }, decodeCached)
}

func byParents(b []string) Filter { return Filter{ParentIDs: b} }

// listBatched loads the documents of a kind that filter names for each batch of values.
func (t *Tx) listBatched(ctx context.Context, kind string, values []string, filter func([]string) Filter, decode func([]byte) (Doc, error)) ([]Doc, error) {
	var out []Doc
	for batch := range slices.Chunk(values, listBatch) {
		docs, err := t.list(ctx, kind, filter(batch), decode)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	return out, nil
}

// PeekList is List for documents the caller only reads: it hands out the decoded-document
// cache's own copies, which the caller must not change (nor anything in them).
func (t *Tx) PeekList(ctx context.Context, kind string, f Filter) ([]Doc, error) {
	return t.list(ctx, kind, f, peekCached)
}

// ListFresh is List without the decoded-document cache: each document is decoded for the
// caller and none is added to the cache. For a pass over a whole collection that no request
// waits for (the cluster's repair): through the cache it would fill it with documents nobody
// asked for, evicting those that pages read (at 100,000 ports the cache holds about a fifth
// of the ports), and keep them in the idle heap.
func (t *Tx) ListFresh(ctx context.Context, kind string, f Filter) ([]Doc, error) {
	return t.list(ctx, kind, f, decodeBody)
}

func (t *Tx) list(ctx context.Context, kind string, f Filter, decode func([]byte) (Doc, error)) ([]Doc, error) {
	where, fargs := f.where("")
	if where == "" && !t.readOnly && !t.sweep {
		count(&t.db.wholeReads, kind)
	}
	q := "SELECT body FROM resources WHERE kind = ?" + where
	args := append([]any{kind}, fargs...)
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []Doc
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		d, err := decode(body)
		if err != nil {
			return nil, fmt.Errorf("db: decode %s: %w", kind, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// EachBody calls fn with the id and the stored body (the JSON the document was written as)
// of every document of a kind, without decoding it: a caller comparing documents with
// copies kept as the same encoding (the cluster's verify) decodes only those that differ.
// fn must not keep body.
func (t *Tx) EachBody(ctx context.Context, kind string, fn func(id string, body []byte) error) error {
	rows, err := t.Query(ctx, "SELECT id, body FROM resources WHERE kind = ?", kind)
	if err != nil {
		return fmt.Errorf("db: list %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var body sql.RawBytes
		if err := rows.Scan(&id, &body); err != nil {
			return fmt.Errorf("db: list %s: %w", kind, err)
		}
		if err := fn(id, body); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: list %s: %w", kind, err)
	}
	return nil
}

// decodeCached decodes a stored body through the decoded-document cache: the caller gets
// its own copy.
func decodeCached(body []byte) (Doc, error) {
	if d, ok := decoded.get(body); ok {
		return d, nil
	}
	d, err := decodeBody(body)
	if err != nil {
		return nil, err
	}
	decoded.put(body, d)
	return d, nil // the cache keeps its own copy: d stays the caller's
}

// peekCached decodes a stored body through the decoded-document cache and hands out the
// cached document itself, which nobody may change.
func peekCached(body []byte) (Doc, error) {
	d, _, err := decodeShared(body)
	return d, err
}

// decodeShared decodes a stored body through the decoded-document cache and hands out the
// cached document itself, which nobody may change, and its memo (nil when the cache does not
// keep it).
func decodeShared(body []byte) (Doc, *Memo, error) {
	if d, m, ok := decoded.shared(body); ok {
		return d, m, nil
	}
	// The document's strings are cut from key, which the cache keeps; so are its encoded
	// attributes, when the body is as json.Marshal writes it.
	key := string(body)
	if d, enc, ok := decodeFastString(key, true); ok {
		var memo any
		var cost int64
		if enc != nil {
			memo, cost = enc, enc.Cost()
		}
		d, m := decoded.keep(key, d, memo, cost)
		return d, m, nil
	}
	d, err := decodeBody(body)
	if err != nil {
		return nil, nil, err
	}
	d, m := decoded.store(body, d)
	return d, m, nil
}

// Count counts documents of a kind in a project. SQLite and PostgreSQL read it from
// resource_counts, which triggers keep (migrations 0009 and 0010); MySQL counts the
// documents.
func (t *Tx) Count(ctx context.Context, kind, projectID string) (int, error) {
	if t.db.Dialect == MySQL {
		var n int
		err := t.QueryRow(ctx, "SELECT COUNT(*) FROM resources WHERE kind = ? AND project_id = ?", kind, projectID).Scan(&n)
		return n, err
	}
	var n int
	err := t.QueryRow(ctx, "SELECT COALESCE(SUM(n), 0) FROM resource_counts WHERE kind = ? AND project_id = ?", kind, projectID).Scan(&n)
	return n, err
}

// ProjectIDs returns the ids of the documents of a kind that a project owns, through the
// (kind, project_id) index, unless there are more than limit of them (over: then only
// limit+1 index entries are counted, and no id is read).
func (t *Tx) ProjectIDs(ctx context.Context, kind, projectID string, limit int) (ids []string, over bool, err error) {
	ids, over, err = t.idsUpTo(ctx, "SELECT id FROM resources WHERE kind = ? AND project_id = ?", []any{kind, projectID}, limit)
	if err != nil {
		return nil, false, fmt.Errorf("db: ids of %s of %s: %w", kind, projectID, err)
	}
	return ids, over, nil
}

// idsUpTo runs sel, a query of one id column, unless it has more than limit rows (over),
// which a count of at most limit+1 of them tells without reading any.
func (t *Tx) idsUpTo(ctx context.Context, sel string, args []any, limit int) ([]string, bool, error) {
	var n int
	if err := t.QueryRow(ctx, "SELECT COUNT(*) FROM ("+sel+" LIMIT "+strconv.Itoa(limit+1)+") AS c", args...).Scan(&n); err != nil {
		return nil, false, err
	}
	if n > limit {
		return nil, true, nil
	}
	ids, err := t.queryIDs(ctx, sel, args...)
	return ids, false, err
}

// queryIDs runs a query of one string column and returns its values.
func (t *Tx) queryIDs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// CountParent counts documents of a kind under a parent.
func (t *Tx) CountParent(ctx context.Context, kind, parentID string) (int, error) {
	var n int
	err := t.QueryRow(ctx, "SELECT COUNT(*) FROM resources WHERE kind = ? AND parent_id = ?", kind, parentID).Scan(&n)
	return n, err
}

// NextStandardAttrID returns a fresh standard_attr_id.
func (t *Tx) NextStandardAttrID(ctx context.Context, kind string) (int64, error) {
	return t.InsertID(ctx, "INSERT INTO standard_attr_seq (kind) VALUES (?)", kind)
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

// GetShared loads the documents of a kind with the given ids (each at most once; those
// missing are absent from the result) for reading only: through the decoded-document cache,
// handing out the cached documents themselves, which the caller must not change. In a
// read-only transaction it reads them in one query; in a write transaction it reads each as
// Peek does (the rows locked where Get locks them). An expander that reads the same few
// parents for a page of documents (QoS: each port's network) reads them so.
func (t *Tx) GetShared(ctx context.Context, kind string, ids []string) (map[string]Doc, error) {
	out := make(map[string]Doc, len(ids))
	if !t.readOnly {
		for _, id := range ids {
			if _, ok := out[id]; ok {
				continue
			}
			d, err := t.Peek(ctx, kind, id)
			if err != nil {
				return nil, err
			}
			if d != nil {
				out[id] = d
			}
		}
		return out, nil
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := t.getShared(ctx, kind, ids[:n], out); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

func (t *Tx) getShared(ctx context.Context, kind string, ids []string, out map[string]Doc) error {
	args := make([]any, 0, len(ids)+1)
	args = append(args, kind)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := t.Query(ctx, "SELECT id, body FROM resources WHERE kind = ? AND id IN (?"+repeat(",?", len(ids)-1)+")", args...)
	if err != nil {
		return fmt.Errorf("db: get %s: %w", kind, err)
	}
	defer rows.Close()
	var body sql.RawBytes // the cache looks it up, and keeps a copy of what it adds
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &body); err != nil {
			return fmt.Errorf("db: get %s: %w", kind, err)
		}
		d, _, err := decodeShared(body)
		if err != nil {
			return fmt.Errorf("db: decode %s %s: %w", kind, id, err)
		}
		out[id] = d
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: get %s: %w", kind, err)
	}
	return nil
}
