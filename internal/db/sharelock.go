package db

import (
	"context"
	"fmt"
	"sync"
)

// Shared reads on PostgreSQL.
//
// A write that only reads a document (a port create reads its network and its security
// groups) need not exclude the other writes that only read it: on PostgreSQL it reads the
// document with GetForShare, which takes a transaction-scoped advisory lock on the document
// in shared mode (class shareLockClass, key hashtext("<kind>/<id>")) before a plain SELECT.
// Every write that may change such a document takes the same advisory lock exclusively
// before its row lock: Get adds it to its SELECT … FOR UPDATE, and Put and Delete take it
// first when this transaction has not. So a document read with GetForShare cannot change or
// vanish until the transaction ends, while any number of transactions read it so side by
// side. The advisory lock is taken only for the kinds declared with ShareLockKind (a few
// parents), so a write that locks thousands of documents adds no advisory locks.
//
// A document read with GetForShare is remembered like one Get read: a later Get in the same
// transaction answers from memory instead of asking for the stronger lock (two transactions
// that both upgraded would wait for each other). A Put or Delete of it does take the
// exclusive lock; if two transactions do that, PostgreSQL breaks the deadlock and one of them
// runs again.
//
// SQLite has one writer, and on MySQL GetForShare is Get (FOR UPDATE).

// shareLockClass is the advisory lock class of documents read shared (beside the migrations'
// 7011 and the task order's 7012, and quotaLockClass).
const shareLockClass = 7015 // also written in migrations/postgres/0007_get_shared.sql

// quotaLockClass is the advisory lock class of LockQuota.
const quotaLockClass = 7013 // also written in migrations/postgres/0010_resource_counts_shards.sql

var shareKinds sync.Map // kind → true

// ShareLockKind declares that writes may read documents of kind with GetForShare; call it
// from an init function of the package that does.
func ShareLockKind(kind string) { shareKinds.Store(kind, true) }

func shareLocked(kind string) bool {
	_, ok := shareKinds.Load(kind)
	return ok
}

// GetForShare is Get for a document this write transaction reads and will not change: on
// PostgreSQL, for a kind declared with ShareLockKind, it locks the document shared (see
// above) instead of locking its row for update. Elsewhere it is Get.
func (t *Tx) GetForShare(ctx context.Context, kind, id string) (Doc, error) {
	return t.getForShare(ctx, kind, id, decodeCached)
}

// PeekForShare is GetForShare for a document the caller only reads, as Peek is Get's: the
// document handed out is the decoded-document cache's own, which the caller must not change.
func (t *Tx) PeekForShare(ctx context.Context, kind, id string) (Doc, error) {
	return t.getForShare(ctx, kind, id, peekCached)
}

func (t *Tx) getForShare(ctx context.Context, kind, id string, decode func([]byte) (Doc, error)) (Doc, error) {
	ref := docRef{kind, id}
	if body, ok := t.seen[ref]; ok {
		return decode(body)
	}
	if t.readOnly || t.unlocked || t.db.Dialect != Postgres || !shareLocked(kind) {
		return t.get(ctx, kind, id, decode)
	}
	// One round trip: migration 0007's function takes the lock (class shareLockClass), then
	// reads the body with a snapshot taken after it.
	var body []byte
	if err := t.QueryRow(ctx, "SELECT midonet_get_shared(?, ?)", kind, id).Scan(&body); err != nil {
		return nil, fmt.Errorf("db: get %s %s shared: %w", kind, id, err)
	}
	if body == nil {
		return nil, nil
	}
	t.remember(kind, id, body)
	return decode(body)
}

// forUpdate is the suffix of Get's SELECT in a write transaction: FOR UPDATE, and on
// PostgreSQL for a kind declared with ShareLockKind the exclusive advisory lock first (taken
// while the row is found, before its row lock).
func (t *Tx) forUpdate(kind, id string) (string, []any) {
	if t.db.Dialect == Postgres && shareLocked(kind) {
		t.noteExclusive(kind, id)
		return " AND pg_advisory_xact_lock(?, hashtext(?)) IS NOT NULL" + t.ForUpdate(), []any{shareLockClass, kind + "/" + id}
	}
	return t.ForUpdate(), nil
}

func (t *Tx) noteExclusive(kind, id string) {
	if t.exclusive == nil {
		t.exclusive = make(map[docRef]struct{}, 2)
	}
	t.exclusive[docRef{kind, id}] = struct{}{}
}

// lockForWrite takes, before Put or Delete changes a document of a kind declared with
// ShareLockKind on PostgreSQL, the exclusive advisory lock, unless Get took it already.
func (t *Tx) lockForWrite(ctx context.Context, kind, id string) error {
	if t.db.Dialect != Postgres || !shareLocked(kind) {
		return nil
	}
	if _, ok := t.exclusive[docRef{kind, id}]; ok {
		return nil
	}
	if _, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(?))", shareLockClass, kind+"/"+id); err != nil {
		return fmt.Errorf("db: lock %s %s: %w", kind, id, err)
	}
	t.noteExclusive(kind, id)
	return nil
}

// LockQuota makes this transaction the only one counting name (a quota resource) for
// project until it ends, so that two creates cannot both see room for one more: on
// PostgreSQL a transaction-scoped advisory lock on the pair. Creates that read their parent
// with GetForShare are no longer ordered by the parent's row lock; this orders their counts.
// SQLite has one writer, and on MySQL the parent's row lock (GetForShare is Get there) still
// orders them.
func (t *Tx) LockQuota(ctx context.Context, project, name string) error {
	if t.db.Dialect != Postgres || t.readOnly {
		return nil
	}
	if _, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(?))", quotaLockClass, project+"/"+name); err != nil {
		return fmt.Errorf("db: lock quota %s of %s: %w", name, project, err)
	}
	return nil
}
