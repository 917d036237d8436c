package db

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// The SQLite side (SQLITE_FULL on a full disk) is proven against a real full disk in
// test/integration (TestFullSQLiteAnswers503).
func TestStorageError(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("db: commit: %w", &pgconn.PgError{Code: "53100", Message: "could not extend file"}), "full"},
		{&pgconn.PgError{Code: "58030"}, "io"},
		{&pgconn.PgError{Code: "23505"}, ""},
		{ErrBusy{errors.New("locked")}, ""},
		{errors.New("database or disk is full"), ""}, // only typed driver errors count
		{nil, ""},
	} {
		if got := StorageError(c.err); got != c.want {
			t.Errorf("StorageError(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
