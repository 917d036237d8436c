package plugin

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
)

// The writes of a plugin: each one stores a document and appends the journal entry of the
// change in the same transaction, so the database and the journal never disagree.

// Add stores a new document of collection and journals its creation.
func Add(ctx context.Context, tx *db.Tx, c *Caller, collection string, d db.Doc) error {
	if err := tx.Insert(ctx, collection, d); err != nil {
		return err
	}
	return Journal(ctx, tx, c, journal.Create, collection, d)
}

// Save marks a document changed (Bump), stores it and journals the update. A document that
// vanished since it was read fails with an error wrapping db.ErrVanished.
func Save(ctx context.Context, tx *db.Tx, c *Caller, collection string, d db.Doc) error {
	Bump(d)
	return SaveAsIs(ctx, tx, c, collection, d)
}

// SaveAsIs stores a changed document with the revision the caller left it at (no Bump, or
// bumps of the caller's own) and journals the update.
func SaveAsIs(ctx context.Context, tx *db.Tx, c *Caller, collection string, d db.Doc) error {
	if err := tx.Put(ctx, collection, d); err != nil {
		return err
	}
	return Journal(ctx, tx, c, journal.Update, collection, d)
}

// Remove deletes a document (by its id) and journals its deletion; a document already gone
// is no error, as with db.Tx.Delete.
func Remove(ctx context.Context, tx *db.Tx, c *Caller, collection string, d db.Doc) error {
	if _, err := tx.Delete(ctx, collection, Str(d, "id")); err != nil {
		return err
	}
	return Journal(ctx, tx, c, journal.Delete, collection, d)
}
