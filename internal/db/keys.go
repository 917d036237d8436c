package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/midonet-go/midonet/internal/model"
)

// The key index (table resource_keys, migration 0005) holds, for the documents of the kinds
// the catalogue keys, one row (kind, attr, value, id) per sortable attribute and one per
// element of the multi-valued paths (tags, fixed_ips.ip_address, ...). Insert, Put and
// Delete keep it in the same transaction as the document. Its primary key (kind, attr, value,
// id) is what keyset pages walk and what indexed filters look up, so a page reads what it
// returns and a filter on device_id reads the rows of that device, never the collection.
// It is the table's only index (migration 0006 dropped the one by document): the rows a
// document has are the keys of its stored body, which Put and Delete read (or Get remembered)
// before they change it, and they remove the rows that go by primary key.
//
// Values are encoded so that the engines' byte-wise order (SQLite BINARY, PostgreSQL COLLATE
// "C", MySQL utf8mb4_bin) is the API's order of one attribute's values (compareValues in
// internal/api): null first, then booleans, integers and strings; see EncodeKey.

// KeyedKinds is a Kinds that asks for attributes of its documents to be indexed: Sort lists
// the attributes a list may sort on (one row per document each), Multi the multi-valued
// paths ("tags": each element, "fixed_ips.ip_address": that field of each element).
type KeyedKinds interface {
	KeyAttrs(kind string) (sort, multi []string)
}

// keyVersion names the encoding: a change of it (or of the catalogue's key attributes)
// rebuilds the index at the next upgrade.
const keyVersion = "k1"

// maxKeyRunes bounds an encoded value (the column holds 400 characters on MySQL). Validated
// attributes are at most 255 characters; a longer value is cut, so only values that share
// their first 395 characters would tie.
const maxKeyRunes = 395

// EncodeKey encodes an attribute's value as it is stored in the key index. Order: null ("0"),
// booleans ("1"), integers ("2", sign and 19 digits), strings ("3"), anything else ("4" and
// its JSON); a terminator byte 0x01 keeps trailing spaces significant on MySQL's PAD SPACE
// collations. MAC addresses are compared case-insensitively, as the API filters them.
func EncodeKey(attr string, v any) string {
	var s string
	switch t := readBack(v).(type) {
	case nil:
		s = "0"
	case bool:
		if t {
			s = "11"
		} else {
			s = "10"
		}
	case string:
		if isMACAttr(attr) {
			t = strings.ToLower(t)
		}
		s = "3" + cutRunes(t, maxKeyRunes)
	default:
		if n, ok := model.Int(t); ok {
			s = encodeInt(n)
			break
		}
		b, _ := json.Marshal(t)
		s = "4" + cutRunes(string(b), maxKeyRunes)
	}
	return s + "\x01"
}

// readBack is v as it reads back from a stored body: a document's key rows are found again
// from its stored body (updateKeys), so a value held in another Go type (a struct, a typed
// string or slice, an int32) must give the key its decoded form gives.
func readBack(v any) any {
	switch v.(type) {
	case nil, bool, string, int, int64, float64, json.Number:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var back any
	if err := decodeUsingNumber(b, &back); err != nil {
		return v
	}
	return back
}

// decodeUsingNumber decodes JSON as a stored body is decoded (numbers as json.Number).
func decodeUsingNumber(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

func isMACAttr(attr string) bool {
	i := strings.LastIndexByte(attr, '.')
	return strings.HasPrefix(attr[i+1:], "mac")
}

// encodeInt orders int64 values as strings: "2" then "p" and 19 digits for n >= 0, "n" and
// 19 digits of n - MinInt64 for n < 0 ('n' < 'p').
func encodeInt(n int64) string {
	if n >= 0 {
		return "2p" + fmt.Sprintf("%019d", n)
	}
	return "2n" + fmt.Sprintf("%019d", uint64(n)^(1<<63))
}

func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

type keyRow struct{ attr, value string }

// docKeys lists the key rows of a document, once each.
func docKeys(sortAttrs, multi []string, d Doc) []keyRow {
	out := make([]keyRow, 0, len(sortAttrs)+len(multi))
	for _, a := range sortAttrs {
		out = append(out, keyRow{a, EncodeKey(a, d[a])})
	}
	first := len(out) // the multi-valued attributes' rows start here
	var seen map[keyRow]bool
	for _, p := range multi {
		field, sub, dotted := strings.Cut(p, ".")
		for _, x := range elements(d[field], dotted) {
			v := x
			if dotted {
				m := asObject(x)
				if m == nil {
					continue
				}
				v = m[sub]
			}
			if v == nil {
				continue
			}
			k := keyRow{p, EncodeKey(p, v)}
			// A few rows are checked one by one (a port has three or four); a map past that.
			if seen == nil && len(out)-first > 16 {
				seen = make(map[keyRow]bool, 2*(len(out)-first))
				for _, r := range out[first:] {
					seen[r] = true
				}
			}
			if seen != nil {
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			} else if !slices.Contains(out[first:], k) {
				out = append(out, k)
			}
		}
	}
	return out
}

func (t *Tx) keyAttrs(kind string) (sortAttrs, multi []string, ok bool) {
	kk, ok := t.db.kinds().(KeyedKinds)
	if !ok {
		return nil, nil, false
	}
	s, m := kk.KeyAttrs(kind)
	return s, m, true
}

// insertKeys writes a document's key rows. On SQLite they carry rid, the rowid of the
// document's row in resources (0: looked up here).
func (t *Tx) insertKeys(ctx context.Context, kind, id string, rid int64, rows []keyRow) error {
	if len(rows) == 0 {
		return nil
	}
	withRid, shape := t.db.keyRowids.Load(), plainKeys
	if withRid {
		shape = keysWithRid
		if rid == 0 {
			err := t.QueryRow(ctx, "SELECT rowid FROM resources WHERE kind = ? AND id = ?", kind, id).Scan(&rid)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("db: index %s %s: rowid: %w", kind, id, err)
			}
		}
	}
	// The values every row shares are boxed once: each conversion to any allocates.
	kindV, idV, ridV := any(kind), any(id), any(rid)
	for len(rows) > 0 {
		n := min(len(rows), keyRowsAStatement)
		args := make([]any, 0, 5*n)
		for _, r := range rows[:n] {
			args = append(args, kindV, r.attr, r.value, idV)
			if withRid {
				args = append(args, ridV)
			}
		}
		if _, err := t.Exec(ctx, keyInsertSQL(shape, n), args...); err != nil {
			return fmt.Errorf("db: index %s %s: %w", kind, id, err)
		}
		rows = rows[n:]
	}
	return nil
}

// The shapes of the statement that inserts a document's key rows.
const (
	plainKeys   = iota // (kind, attr, value, id)
	keysWithRid        // and the document's rowid (SQLite)
	docWithKeys        // the document too, in a WITH clause (PostgreSQL, insertWithKeys)
)

// keyRowsAStatement is the most key rows one INSERT carries.
const keyRowsAStatement = 100

// keyInserts[shape][n-1] is the statement of that shape for n key rows (n ≤
// keyRowsAStatement), made on first use.
var keyInserts [3][keyRowsAStatement]atomic.Pointer[string]

// keyInsertSQL returns the statement of a shape that inserts n key rows.
func keyInsertSQL(shape, n int) string {
	if q := keyInserts[shape][n-1].Load(); q != nil {
		return *q
	}
	cols, tuple := "(kind, attr, value, id)", "(?, ?, ?, ?)"
	if shape == keysWithRid {
		cols, tuple = "(kind, attr, value, id, rid)", "(?, ?, ?, ?, ?)"
	}
	q := "INSERT INTO resource_keys " + cols + " VALUES " + tuple + repeat(", "+tuple, n-1)
	if shape == docWithKeys {
		q = "WITH doc AS (INSERT INTO resources (kind, id, project_id, parent_id, body) VALUES (?, ?, ?, ?, ?)) " + q
	}
	keyInserts[shape][n-1].Store(&q)
	return q
}

// probeKeyRowids notes whether the key index has its rowid column (SQLite, migration 0008).
func (d *DB) probeKeyRowids(ctx context.Context) {
	if d.Dialect != SQLite {
		return
	}
	var n int
	err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_table_info('resource_keys') WHERE name = 'rid'").Scan(&n)
	d.keyRowids.Store(err == nil && n == 1)
}

// errStaleRowid says a key row's rowid did not lead to its document.
var errStaleRowid = errors.New("key index rowid does not name its document")

// noteStaleRowids turns the rowid reads off for this process and has the next start rebuild
// the key index (SyncKeys, as for a catalogue that keys other attributes), which writes the
// rowids again. Rowids change only under an outside VACUUM or a binary that predates them.
func (d *DB) noteStaleRowids() {
	if !d.rowidsStale.CompareAndSwap(false, true) {
		return
	}
	slog.Warn("db: the key index's rowids do not match the documents (was the file vacuumed?): sorted pages read documents by id, and the next start rebuilds the index")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := d.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, "UPDATE resource_keys_state SET spec = '' WHERE id = 1")
			return err
		})
		if err != nil {
			slog.Warn("db: marking the key index for a rebuild", "err", err)
		}
	}()
}

// insertWithKeys is Insert on PostgreSQL for a document of a keyed kind: the document and its
// key rows go in one statement (an INSERT in a WITH clause; both tables see the same
// snapshot and nothing references resources from resource_keys), one round trip instead of
// two. It reports false, having done nothing, when the kind is not keyed or the rows are
// more than insertKeys puts in one statement: Insert then writes them as usual.
func (t *Tx) insertWithKeys(ctx context.Context, kind string, d Doc, body []byte) (bool, error) {
	sortAttrs, multi, ok := t.keyAttrs(kind)
	if !ok || len(sortAttrs)+len(multi) == 0 {
		return false, nil
	}
	rows := docKeys(sortAttrs, multi, d)
	if len(rows) == 0 || len(rows) > keyRowsAStatement {
		return false, nil
	}
	id := str(d["id"])
	kindV, idV := any(kind), any(id) // boxed once, as in insertKeys
	args := make([]any, 0, 5+4*len(rows))
	args = append(args, kindV, idV, str(d["project_id"]), t.parentOf(kind, d), string(body))
	for _, r := range rows {
		args = append(args, kindV, r.attr, r.value, idV)
	}
	if _, err := t.Exec(ctx, keyInsertSQL(docWithKeys, len(rows)), args...); err != nil {
		return true, fmt.Errorf("db: insert %s %s: %w", kind, id, err)
	}
	t.forget(kind, id)
	return true, nil
}

// writeKeys writes the key rows of a document Insert stored. Without a keying catalogue the
// index is marked stale instead, to be rebuilt by the next Upgrade that has one. rid is the
// document's rowid on SQLite when the caller knows it (0: looked up if needed).
func (t *Tx) writeKeys(ctx context.Context, kind string, d Doc, rid int64) error {
	sortAttrs, multi, ok := t.keyAttrs(kind)
	if !ok {
		return t.staleKeys(ctx)
	}
	if len(sortAttrs)+len(multi) == 0 {
		return nil
	}
	return t.insertKeys(ctx, kind, str(d["id"]), rid, docKeys(sortAttrs, multi, d))
}

// updateKeys brings the key rows of a document whose stored body was old in line with d
// (nil: the document was deleted). The rows old has are the keys of its body, so only the
// rows that changed are deleted, by primary key, and inserted.
func (t *Tx) updateKeys(ctx context.Context, kind, id string, old []byte, d Doc) error {
	sortAttrs, multi, ok := t.keyAttrs(kind)
	if !ok {
		return t.staleKeys(ctx)
	}
	if len(sortAttrs)+len(multi) == 0 {
		return nil
	}
	before, err := decodeBody(old)
	if err != nil {
		return fmt.Errorf("db: decode the stored %s %s: %w", kind, id, err)
	}
	have := map[keyRow]bool{}
	for _, k := range docKeys(sortAttrs, multi, before) {
		have[k] = true
	}
	var add []keyRow
	if d != nil {
		for _, k := range docKeys(sortAttrs, multi, d) {
			if have[k] {
				delete(have, k)
				continue
			}
			add = append(add, k)
		}
	}
	if len(have) > 0 && t.db.Dialect == SQLite {
		// One statement a row, each a lookup of the primary key: given a dozen (attr, value)
		// terms in one OR, SQLite's planner scans every key row of the kind instead (1.1
		// million at 100,000 ports: a quarter of a second a port delete).
		for k := range have {
			if _, err := t.Exec(ctx, "DELETE FROM resource_keys WHERE kind = ? AND attr = ? AND value = ? AND id = ?", kind, k.attr, k.value, id); err != nil {
				return fmt.Errorf("db: update index of %s %s: %w", kind, id, err)
			}
		}
		clear(have)
	}
	if len(have) > 0 {
		// PostgreSQL (a BitmapOr of the primary key's scans) and MySQL (ranges of the primary
		// key) answer the terms by the index in one round trip.
		q := "DELETE FROM resource_keys WHERE kind = ? AND id = ? AND ("
		args := []any{kind, id}
		i := 0
		for k := range have {
			if i > 0 {
				q += " OR "
			}
			q += "(attr = ? AND value = ?)"
			args = append(args, k.attr, k.value)
			i++
		}
		if _, err := t.Exec(ctx, q+")", args...); err != nil {
			return fmt.Errorf("db: update index of %s %s: %w", kind, id, err)
		}
	}
	return t.insertKeys(ctx, kind, id, 0, add)
}

type staleMarked struct{}

func (t *Tx) staleKeys(ctx context.Context) error {
	if t.Value(staleMarked{}) != nil {
		return nil
	}
	if _, err := t.Exec(ctx, "UPDATE resource_keys_state SET spec = '' WHERE id = 1"); err != nil {
		return fmt.Errorf("db: mark the key index stale: %w", err)
	}
	t.SetValue(staleMarked{}, true)
	return nil
}

// keySpec describes what the index holds for a catalogue, to notice when it changes.
func keySpec(kk KeyedKinds, kinds []string) string {
	var b strings.Builder
	b.WriteString(keyVersion)
	for _, k := range kinds {
		s, m := kk.KeyAttrs(k)
		if len(s)+len(m) == 0 {
			continue
		}
		b.WriteString(";" + k + ":" + strings.Join(s, ",") + "|" + strings.Join(m, ","))
	}
	return b.String()
}

// KindLister is a KeyedKinds that can name every kind it keys.
type KindLister interface {
	KeyedKindNames() []string
}

// SyncKeys rebuilds the key index when it does not describe the catalogue's keys (a new
// database, a catalogue that keys other attributes, writes made without a catalogue). It
// reports whether it rebuilt. Upgrade runs it.
func (d *DB) SyncKeys(ctx context.Context) (bool, error) {
	kk, ok := d.kinds().(KeyedKinds)
	if !ok {
		return false, nil
	}
	kl, ok := kk.(KindLister)
	if !ok {
		return false, nil
	}
	kinds := slices.Clone(kl.KeyedKindNames())
	sort.Strings(kinds)
	spec := keySpec(kk, kinds)
	var have string
	var empty bool
	err := d.Read(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, "SELECT spec FROM resource_keys_state WHERE id = 1").Scan(&have); err != nil {
			return err
		}
		if have == spec {
			return nil // every start: no count of the resources (a scan of an index at 100,000 ports)
		}
		var any int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM resources LIMIT 1) AS r").Scan(&any); err != nil {
			return err
		}
		empty = any == 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("db: key index state: %w", err)
	}
	if have == spec {
		return false, nil
	}
	if !empty {
		if delta, ok := diffKeySpecs(have, spec); ok {
			err = d.adjustKeys(ctx, delta)
		} else {
			err = d.rebuildKeys(ctx, kk)
		}
		if err != nil {
			return false, err
		}
	}
	err = d.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE resource_keys_state SET spec = ? WHERE id = 1", spec)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("db: key index state: %w", err)
	}
	return !empty, nil
}

// rebuildKeys writes the index again from the documents, kind by kind, in batches.
func (d *DB) rebuildKeys(ctx context.Context, kk KeyedKinds) error {
	var kinds []string
	err := d.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE resource_keys_state SET spec = '' WHERE id = 1"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM resource_keys"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT DISTINCT kind FROM resources")
		if err != nil {
			return err
		}
		defer rows.Close()
		kinds = kinds[:0]
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			kinds = append(kinds, k)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("db: rebuild key index: %w", err)
	}
	for _, kind := range kinds {
		s, m := kk.KeyAttrs(kind)
		if err := d.indexKind(ctx, kind, s, m); err != nil {
			return err
		}
	}
	return nil
}

// keyDelta is how a kind's indexed attributes changed between two specs.
type keyDelta struct {
	addSort, addMulti, drop []string
}

// diffKeySpecs compares the spec the index was built for with the catalogue's, kind by kind.
// It reports false when the index must be built again whole: it was marked stale (""), or
// its encoding changed.
func diffKeySpecs(have, want string) (map[string]keyDelta, bool) {
	parse := func(spec string) (map[string][2][]string, bool) {
		parts := strings.Split(spec, ";")
		if parts[0] != keyVersion {
			return nil, false
		}
		out := map[string][2][]string{}
		for _, p := range parts[1:] {
			kind, attrs, ok := strings.Cut(p, ":") // attribute names may hold ':', kinds do not
			sorts, multi, ok2 := strings.Cut(attrs, "|")
			if !ok || !ok2 {
				return nil, false
			}
			split := func(l string) []string {
				if l == "" {
					return nil
				}
				return strings.Split(l, ",")
			}
			out[kind] = [2][]string{split(sorts), split(multi)}
		}
		return out, true
	}
	old, ok := parse(have)
	if !ok {
		return nil, false
	}
	cur, ok := parse(want)
	if !ok {
		return nil, false
	}
	missing := func(l, from []string) []string {
		var out []string
		for _, a := range l {
			if !slices.Contains(from, a) {
				out = append(out, a)
			}
		}
		return out
	}
	deltas := map[string]keyDelta{}
	for kind := range maps.Keys(old) {
		deltas[kind] = keyDelta{}
	}
	for kind := range maps.Keys(cur) {
		deltas[kind] = keyDelta{}
	}
	for kind := range deltas {
		o, c := old[kind], cur[kind]
		// An attribute that moved between the lists goes, then comes back as the other.
		dl := keyDelta{addSort: missing(c[0], o[0]), addMulti: missing(c[1], o[1]),
			drop: append(missing(o[0], c[0]), missing(o[1], c[1])...)}
		if len(dl.addSort)+len(dl.addMulti)+len(dl.drop) == 0 {
			delete(deltas, kind)
			continue
		}
		deltas[kind] = dl
	}
	return deltas, true
}

// adjustKeys changes the index by deltas: the rows of attributes no longer indexed go, and
// each document gains the rows of the attributes newly indexed. A catalogue that keys one
// more attribute of ports writes one row a port, not the whole index again. The index is
// marked stale while it runs, so a start interrupted half-way rebuilds it whole.
func (d *DB) adjustKeys(ctx context.Context, deltas map[string]keyDelta) error {
	err := d.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE resource_keys_state SET spec = '' WHERE id = 1"); err != nil {
			return err
		}
		for kind, dl := range deltas {
			for _, a := range dl.drop {
				if _, err := tx.Exec(ctx, "DELETE FROM resource_keys WHERE kind = ? AND attr = ?", kind, a); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: adjust key index: %w", err)
	}
	for _, kind := range slices.Sorted(maps.Keys(deltas)) {
		dl := deltas[kind]
		if err := d.indexKind(ctx, kind, dl.addSort, dl.addMulti); err != nil {
			return err
		}
	}
	return nil
}

// indexKind writes the key rows of sortAttrs and multi for every document of kind, in
// batches of 500 documents a transaction.
func (d *DB) indexKind(ctx context.Context, kind string, sortAttrs, multi []string) error {
	if len(sortAttrs)+len(multi) == 0 {
		return nil
	}
	after := ""
	for {
		var n int
		err := d.Write(ctx, func(tx *Tx) error {
			rid := "0"
			if d.keyRowids.Load() {
				rid = "rowid"
			}
			rows, err := tx.Query(ctx, "SELECT id, body, "+rid+" FROM resources WHERE kind = ? AND id > ? ORDER BY id LIMIT 500", kind, after)
			if err != nil {
				return err
			}
			type doc struct {
				id   string
				body []byte
				rid  int64
			}
			var docs []doc
			for rows.Next() {
				var x doc
				if err := rows.Scan(&x.id, &x.body, &x.rid); err != nil {
					rows.Close()
					return err
				}
				docs = append(docs, x)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			n = len(docs)
			for _, x := range docs {
				dd, err := decodeBody(x.body)
				if err != nil {
					return fmt.Errorf("decode %s %s: %w", kind, x.id, err)
				}
				if err := tx.insertKeys(ctx, kind, x.id, x.rid, docKeys(sortAttrs, multi, dd)); err != nil {
					return err
				}
			}
			if n > 0 {
				after = docs[n-1].id
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("db: index %s: %w", kind, err)
		}
		if n < 500 {
			return nil
		}
	}
}

// Cursor is a position in a keyed order: the encoded sort value (EncodeKey; "" when the
// order is by id alone) and the id.
type Cursor struct {
	Key, ID string
}

// PageQuery asks for documents of a kind in a keyed order.
type PageQuery struct {
	Filter
	// Sort is a sort attribute the catalogue keys; "" orders by id alone.
	Sort string
	// KeyDesc orders the sort values descending; IDDesc orders documents of one value by
	// descending id (a forward page of sort_dir=desc has KeyDesc and ascending ids; the
	// backward page before it has the opposite of both).
	KeyDesc, IDDesc bool
	// After, when set, starts after that position (exclusive).
	After *Cursor
	// Limit bounds the rows returned (> 0).
	Limit int
	// NotTags leaves out the documents that carry every one of these tags, NotTagsAny those
	// that carry any of them (Neutron's not-tags and not-tags-any filters), by the index's
	// "tags" rows: a kind must key tags for them to be set. The values are tags as the API
	// gives them, each once.
	NotTags, NotTagsAny []string
	// Shared hands out the decoded-document cache's own documents instead of private copies:
	// the caller must change nothing in them (a full list reads and renders them only). It
	// saves a deep copy of each document.
	Shared bool
}

// PageRow is one document of a page and its position.
type PageRow struct {
	Doc    Doc
	Cursor Cursor
	// Memo is, with PageQuery.Shared, the memo of the cached document (nil when the cache
	// does not keep it).
	Memo *Memo
}

// Page reads up to q.Limit documents in q's order after q.After, through the key index (or
// the primary key when ordering by id): it reads what it returns, plus at most one query per
// value group when the two directions differ.
//
// When both directions agree, the order is the index's (value, id) order: on SQLite one
// query starts after the cursor with a row-value comparison, which the index answers as a
// range; the other engines read the rest of the cursor's value group, then the groups after
// it. When they differ, groups come in the index's order and each is reversed in memory; one
// row more than the page is read to tell whether the last group goes on past the page, and
// only then is its start read again in the wanted id order.
func (t *Tx) Page(ctx context.Context, kind string, q PageQuery) ([]PageRow, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	if q.Sort == "" {
		return t.pageByID(ctx, kind, q)
	}
	dir := "ASC"
	if q.KeyDesc {
		dir = "DESC"
	}
	order := "k.value " + dir + ", k.id " + dir
	if q.KeyDesc == q.IDDesc && q.After != nil && t.db.Dialect == SQLite {
		return t.pageRows(ctx, kind, q, "(k.value, k.id) "+cmp(q.KeyDesc)+" (?, ?)", []any{q.After.Key, q.After.ID}, order, q.Limit)
	}
	var out []PageRow
	// The rest of the cursor's value group, in id order.
	if q.After != nil {
		rows, err := t.pageRows(ctx, kind, q, "k.value = ?"+idAfter(q.IDDesc), []any{q.After.Key, q.After.ID}, idOrder(q.IDDesc), q.Limit)
		if err != nil {
			return nil, err
		}
		out = rows
	}
	if len(out) >= q.Limit {
		return out, nil
	}
	// The following groups, in one index range; ids within a group come in the direction of
	// the keys, so groups are reversed when the directions differ.
	cond, args := "", []any(nil)
	if q.After != nil {
		cond, args = "k.value "+cmp(q.KeyDesc)+" ?", []any{q.After.Key}
	}
	need := q.Limit - len(out)
	mixed := q.KeyDesc != q.IDDesc
	read := need
	if mixed {
		read++ // the row after the page: does the last group go on?
	}
	rows, err := t.pageRows(ctx, kind, q, cond, args, order, read)
	if err != nil {
		return nil, err
	}
	if !mixed || len(rows) == 0 {
		return append(out, rows...), nil
	}
	goesOn := false
	if len(rows) > need {
		goesOn = rows[need].Cursor.Key == rows[need-1].Cursor.Key
		rows = rows[:need]
	}
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].Cursor.Key == rows[i].Cursor.Key {
			j++
		}
		if goesOn && j == len(rows) {
			// The last group goes on past the page: its first ids in the wanted order are
			// not necessarily the ones read.
			tail, err := t.pageRows(ctx, kind, q, "k.value = ?", []any{rows[i].Cursor.Key}, idOrder(q.IDDesc), j-i)
			if err != nil {
				return nil, err
			}
			rows = append(rows[:i], tail...)
			break
		}
		slices.Reverse(rows[i:j])
		i = j
	}
	return append(out, rows...), nil
}

func cmp(desc bool) string {
	if desc {
		return "<"
	}
	return ">"
}

func idAfter(desc bool) string { return " AND k.id " + cmp(desc) + " ?" }

func idOrder(desc bool) string {
	if desc {
		return "k.id DESC"
	}
	return "k.id ASC"
}

// pageRows runs one keyed query: cond (on k.value and k.id) and the filter's columns.
func (t *Tx) pageRows(ctx context.Context, kind string, q PageQuery, cond string, args []any, order string, limit int) ([]PageRow, error) {
	if t.db.keyRowids.Load() && !t.db.rowidsStale.Load() {
		rows, err := t.pageRowsByRowid(ctx, kind, q, cond, args, order, limit)
		if !errors.Is(err, errStaleRowid) {
			return rows, err
		}
		t.db.noteStaleRowids()
	}
	sqlq := "SELECT k.value, k.id, r.body FROM resource_keys k JOIN resources r ON r.kind = k.kind AND r.id = k.id WHERE k.kind = ? AND k.attr = ?"
	all := []any{kind, q.Sort}
	if cond != "" {
		sqlq += " AND " + cond
		all = append(all, args...)
	}
	where, fargs := q.Filter.where("r.")
	out, oargs := q.tagsOut("k.")
	sqlq += where + out + " ORDER BY " + order + " LIMIT " + strconv.Itoa(limit)
	all = append(append(all, fargs...), oargs...)
	return t.scanPage(ctx, kind, sqlq, all, true, false, q.Shared)
}

// pageRowsByRowid is pageRows on SQLite's rowids: each key row leads to its document's row
// by rowid, one B-tree descent instead of two (the (kind, id) index, then the table). A
// row reached that is not the key row's document (kind or id differ, or no row) is kept
// whatever the filter says, so that scanPage sees it and answers errStaleRowid: the caller
// then reads the page by (kind, id).
func (t *Tx) pageRowsByRowid(ctx context.Context, kind string, q PageQuery, cond string, args []any, order string, limit int) ([]PageRow, error) {
	const same = "r.kind IS k.kind AND r.id IS k.id"
	sqlq := "SELECT k.value, k.id, r.body, " + same + " FROM resource_keys k LEFT JOIN resources r ON r.rowid = k.rid WHERE k.kind = ? AND k.attr = ?"
	all := []any{kind, q.Sort}
	if cond != "" {
		sqlq += " AND " + cond
		all = append(all, args...)
	}
	where, fargs := q.Filter.where("r.")
	if where != "" {
		sqlq += " AND (NOT (" + same + ") OR (" + strings.TrimPrefix(where, " AND ") + "))"
	}
	out, oargs := q.tagsOut("k.") // the key row's own document, whatever the rowid reached
	sqlq += out + " ORDER BY " + order + " LIMIT " + strconv.Itoa(limit)
	all = append(append(all, fargs...), oargs...)
	return t.scanPage(ctx, kind, sqlq, all, true, true, q.Shared)
}

func (t *Tx) pageByID(ctx context.Context, kind string, q PageQuery) ([]PageRow, error) {
	sqlq := "SELECT '', id, body FROM resources WHERE kind = ?"
	args := []any{kind}
	if q.After != nil {
		sqlq += " AND id " + cmp(q.IDDesc) + " ?"
		args = append(args, q.After.ID)
	}
	where, fargs := q.Filter.where("")
	out, oargs := q.tagsOut("resources.")
	order := "ASC"
	if q.IDDesc {
		order = "DESC"
	}
	sqlq += where + out + " ORDER BY id " + order + " LIMIT " + strconv.Itoa(q.Limit)
	args = append(append(args, fargs...), oargs...)
	return t.scanPage(ctx, kind, sqlq, args, false, false, q.Shared)
}

// tagsOut is the condition that leaves out what NotTags and NotTagsAny name, for a query
// whose document is p's kind and id (a table name or alias and its dot): each tag is a
// point lookup in the index's primary key (kind, "tags", value, id).
func (q PageQuery) tagsOut(p string) (string, []any) {
	var cond string
	var args []any
	tagRows := func(tags []string) string {
		args = append(args, "tags")
		for _, tag := range tags {
			args = append(args, EncodeKey("tags", tag))
		}
		return "FROM resource_keys x WHERE x.kind = " + p + "kind AND x.attr = ? AND x.value IN (?" +
			repeat(",?", len(tags)-1) + ") AND x.id = " + p + "id"
	}
	if len(q.NotTags) > 0 {
		// Rows are unique per document and value, so all the tags are there when all match.
		cond += " AND (SELECT COUNT(*) " + tagRows(q.NotTags) + ") < ?"
		args = append(args, len(q.NotTags))
	}
	if len(q.NotTagsAny) > 0 {
		cond += " AND NOT EXISTS (SELECT 1 " + tagRows(q.NotTagsAny) + ")"
	}
	return cond, args
}

// scanPage reads a page's rows (key, id, body). With checked, a fourth column says whether
// the body is the key row's document; the first that is not ends the scan with
// errStaleRowid.
func (t *Tx) scanPage(ctx context.Context, kind, q string, args []any, keyed, checked, shared bool) ([]PageRow, error) {
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: page %s: %w", kind, err)
	}
	defer rows.Close()
	var out []PageRow
	var body sql.RawBytes // reused: the cache looks it up, and keeps a copy of what it adds
	var same int64        // reused: scanned into, it escapes (one allocation a row if declared in the loop)
	for rows.Next() {
		var r PageRow
		var err error
		if checked {
			err = rows.Scan(&r.Cursor.Key, &r.Cursor.ID, &body, &same)
			if err == nil && same != 1 {
				return nil, errStaleRowid
			}
		} else {
			err = rows.Scan(&r.Cursor.Key, &r.Cursor.ID, &body)
		}
		if err != nil {
			return nil, fmt.Errorf("db: page %s: %w", kind, err)
		}
		if !keyed {
			r.Cursor.Key = ""
		}
		if shared {
			r.Doc, r.Memo, err = decodeShared(body)
		} else {
			r.Doc, err = decodeCached(body)
		}
		if err != nil {
			return nil, fmt.Errorf("db: decode %s %s: %w", kind, r.Cursor.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// where is the filter's SQL on the resources columns (prefix "r." in a join).
func (f Filter) where(p string) (string, []any) {
	var q string
	var args []any
	if f.ProjectID != "" {
		q += " AND " + p + "project_id = ?"
		args = append(args, f.ProjectID)
	}
	if f.ParentID != "" {
		q += " AND " + p + "parent_id = ?"
		args = append(args, f.ParentID)
	}
	for _, in := range []struct {
		col    string
		values []string
	}{{"parent_id", f.ParentIDs}, {"id", f.IDs}} {
		if len(in.values) == 0 {
			continue
		}
		q += " AND " + p + in.col + " IN (?" + repeat(",?", len(in.values)-1) + ")"
		for _, v := range in.values {
			args = append(args, v)
		}
	}
	return q, args
}

// KeyIDs returns the ids of the documents of a kind with any of the given values of a keyed
// attribute (a sort attribute or a multi-valued path; values as the API gives them, encoded
// here), at most limit of them (all when limit is 0): the candidates of an indexed filter.
func (t *Tx) KeyIDs(ctx context.Context, kind, attr string, values []string, limit int) ([]string, error) {
	return keyIDs(ctx, t, kind, attr, values, limit)
}

// KeyValueIDs is KeyIDs for values of any type an attribute holds (an integer, a boolean),
// encoded as a stored document's are.
func (t *Tx) KeyValueIDs(ctx context.Context, kind, attr string, values []any, limit int) ([]string, error) {
	return keyIDs(ctx, t, kind, attr, values, limit)
}

func keyIDs[V any](ctx context.Context, t *Tx, kind, attr string, values []V, limit int) ([]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	q, args := keyIDsQuery(kind, attr, values)
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	ids, err := t.queryIDs(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: index lookup %s %s: %w", kind, attr, err)
	}
	return ids, nil
}

// KeyIDsUpTo is KeyIDs unless more than limit documents match (over: then only limit+1 of
// them are counted, and no id is read).
func (t *Tx) KeyIDsUpTo(ctx context.Context, kind, attr string, values []string, limit int) (ids []string, over bool, err error) {
	return keyIDsUpTo(ctx, t, kind, attr, values, limit)
}

// KeyValueIDsUpTo is KeyIDsUpTo for values of any type an attribute holds (true for a
// boolean), encoded as a stored document's are.
func (t *Tx) KeyValueIDsUpTo(ctx context.Context, kind, attr string, values []any, limit int) (ids []string, over bool, err error) {
	return keyIDsUpTo(ctx, t, kind, attr, values, limit)
}

func keyIDsUpTo[V any](ctx context.Context, t *Tx, kind, attr string, values []V, limit int) (ids []string, over bool, err error) {
	if len(values) == 0 {
		return nil, false, nil
	}
	q, args := keyIDsQuery(kind, attr, values)
	if ids, over, err = t.idsUpTo(ctx, q, args, limit); err != nil {
		return nil, false, fmt.Errorf("db: index lookup %s %s: %w", kind, attr, err)
	}
	return ids, over, nil
}

// keyIDsQuery selects the distinct ids of the key rows of kind holding one of values of attr.
func keyIDsQuery[V any](kind, attr string, values []V) (string, []any) {
	q := "SELECT DISTINCT id FROM resource_keys WHERE kind = ? AND attr = ? AND value IN (?" + repeat(",?", len(values)-1) + ")"
	args := []any{kind, attr}
	for _, v := range values {
		args = append(args, EncodeKey(attr, v))
	}
	return q, args
}

// ListBy loads the documents of kind whose attribute attr holds one of values: a string
// attribute equal to one, a list of strings holding one, or, for a path list.field (a
// trunk's sub_ports.port_id), a list of objects one of which holds one in field. When the
// catalogue keys attr for kind (a sort attribute, or a multi-valued path such as a port's
// security_groups), the key index names them and only those are read (the ports of one
// router among 100,000); otherwise every document of the kind is read and compared. Either
// way the documents come in id order.
func (t *Tx) ListBy(ctx context.Context, kind, attr string, values ...string) ([]Doc, error) {
	if len(values) == 0 {
		return nil, nil
	}
	var docs []Doc
	if t.keysBy(kind, attr) {
		ids, err := t.KeyIDs(ctx, kind, attr, values, 0)
		if err != nil {
			return nil, err
		}
		if docs, err = t.ListIDs(ctx, kind, ids); err != nil {
			return nil, err
		}
	} else {
		t.db.noteUnindexed(kind, attr)
		var err error
		if docs, err = t.List(ctx, kind, Filter{}); err != nil {
			return nil, err
		}
	}
	// The rows name the documents; the values say which (a key cut to its first 395
	// characters could name a longer value that differs past them).
	docs = slices.DeleteFunc(docs, func(d Doc) bool { return !pathHoldsOneOf(d, attr, values) })
	slices.SortFunc(docs, func(a, b Doc) int { return strings.Compare(str(a["id"]), str(b["id"])) })
	return docs, nil
}

// ListByBoth loads the documents of kind whose attr holds value and whose other holds one of
// others (each as ListBy reads it), in id order. When the catalogue keys both, the key index
// names them by joining its rows of the two (a subnet's router interfaces: one index probe
// a port on the subnet, never the deployment's router ports); otherwise ListBy reads them by
// attr and the rest are compared.
func (t *Tx) ListByBoth(ctx context.Context, kind, attr, value, other string, others ...string) ([]Doc, error) {
	if len(others) == 0 {
		return nil, nil
	}
	var docs []Doc
	if t.keysBy(kind, attr) && t.keysBy(kind, other) {
		q := "SELECT DISTINCT a.id FROM resource_keys a JOIN resource_keys b ON b.kind = a.kind AND b.id = a.id" +
			" WHERE a.kind = ? AND a.attr = ? AND a.value = ? AND b.attr = ? AND b.value IN (?" + repeat(",?", len(others)-1) + ")"
		args := []any{kind, attr, EncodeKey(attr, value), other}
		for _, v := range others {
			args = append(args, EncodeKey(other, v))
		}
		ids, err := t.queryIDs(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("db: index lookup %s %s and %s: %w", kind, attr, other, err)
		}
		if docs, err = t.ListIDs(ctx, kind, ids); err != nil {
			return nil, err
		}
	} else {
		var err error
		if docs, err = t.ListBy(ctx, kind, attr, value); err != nil {
			return nil, err
		}
	}
	docs = slices.DeleteFunc(docs, func(d Doc) bool {
		return !pathHoldsOneOf(d, attr, []string{value}) || !pathHoldsOneOf(d, other, others)
	})
	slices.SortFunc(docs, func(a, b Doc) int { return strings.Compare(str(a["id"]), str(b["id"])) })
	return docs, nil
}

// AnyBy reports whether a document of kind has attr holding value (as ListBy reads it),
// reading at most the index's first row when the catalogue keys attr.
func (t *Tx) AnyBy(ctx context.Context, kind, attr, value string) (bool, error) {
	id, err := t.FirstBy(ctx, kind, attr, value)
	return id != "", err
}

// FirstBy returns the smallest id of the documents of kind whose attr holds value (as ListBy
// reads them; "" when none), reading at most the index's first row when the catalogue keys
// attr (a policy's first user, named in its in-use conflict).
func (t *Tx) FirstBy(ctx context.Context, kind, attr, value string) (string, error) {
	var ids []string
	var err error
	if t.keysBy(kind, attr) {
		ids, err = t.KeyIDs(ctx, kind, attr, []string{value}, 1)
	} else {
		var docs []Doc
		docs, err = t.ListBy(ctx, kind, attr, value)
		if len(docs) > 0 {
			ids = []string{str(docs[0]["id"])}
		}
	}
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// keysBy reports whether the catalogue keys attr of kind: a sort attribute or a
// multi-valued path (each element of a list, or a field of each object in one).
func (t *Tx) keysBy(kind, attr string) bool {
	sortAttrs, multi, ok := t.keyAttrs(kind)
	return ok && (slices.Contains(sortAttrs, attr) || slices.Contains(multi, attr))
}

// pathHoldsOneOf is holdsOneOf of a document's attribute, or of the field of each object in
// its list for a path list.field (as docKeys reads it).
func pathHoldsOneOf(d Doc, attr string, values []string) bool {
	field, sub, dotted := strings.Cut(attr, ".")
	if !dotted {
		return holdsOneOf(d[attr], values)
	}
	for _, x := range asList(d[field]) {
		if m := asObject(x); m != nil && holdsOneOf(m[sub], values) {
			return true
		}
	}
	return false
}

// asList is v as a list (a typed one read back as JSON would give it), or nil.
func asList(v any) []any {
	l, ok := v.([]any)
	if !ok {
		l, _ = readBack(v).([]any)
	}
	return l
}

// elements are the values a multi-valued path's field holds: its list's elements, or (for a
// path that is not list.field) a single value as one element (a lookup's scalar attribute).
func elements(v any, dotted bool) []any {
	if l := asList(v); l != nil || dotted || v == nil {
		return l
	}
	return []any{v}
}

// asObject is v as an object (a typed one read back as JSON would give it), or nil.
func asObject(v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		m, _ = readBack(v).(map[string]any)
	}
	return m
}

// holdsOneOf reports whether v, a string or a list of them, is or holds one of values.
func holdsOneOf(v any, values []string) bool {
	switch x := v.(type) {
	case string:
		return slices.Contains(values, x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && slices.Contains(values, s) {
				return true
			}
		}
	case []string:
		return slices.ContainsFunc(x, func(s string) bool { return slices.Contains(values, s) })
	}
	return false
}
