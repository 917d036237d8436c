package nsdb

import (
	"context"
	"errors"
	"fmt"
)

// ErrClosed is what the calls of a store made by Opening answer when it was closed before it
// opened.
var ErrClosed = errors.New("nsdb: closed before it opened")

// Opening returns a store that is not open yet, for a server that answers while its NSDB
// opens (the embedded etcd rebuilds its key index at start: seconds at 100,000 ports). Adopt
// makes it the store another open returned. Until then every call waits for it (or for its
// own context), Ready is open and IsOpen false; after a failed open, every call fails with
// that open's error. SetWriteGuard may be called before.
func Opening() *Store {
	return &Store{opened: make(chan struct{})}
}

// Adopt makes a store made by Opening the store o that an open returned (o itself must not
// be used any more), or, when err is not nil, a store whose every call fails with err. A
// store closed before Adopt closes o at once.
func (s *Store) Adopt(o *Store, err error) {
	s.openMu.Lock()
	defer s.openMu.Unlock()
	if s.opened == nil || isDone(s.opened) {
		panic("nsdb: Adopt on a store that is not opening")
	}
	switch {
	case s.closing:
		if o != nil {
			_ = o.Close()
		}
		s.openErr = ErrClosed
	case err != nil:
		s.openErr = err
	case o == nil:
		s.openErr = errors.New("nsdb: open returned no store")
	default:
		s.client, s.endpoints, s.log, s.logLevel = o.client, o.endpoints, o.log, o.logLevel
		s.etcd, s.local, s.dir, s.lock = o.etcd, o.local, o.dir, o.lock
	}
	close(s.opened)
}

// Ready is closed once the store is open, or its open failed (a store not made by Opening:
// from the start).
func (s *Store) Ready() <-chan struct{} {
	if s.opened == nil {
		return closedChan
	}
	return s.opened
}

// IsOpen says whether calls are served now (false while opening, or after a failed open).
func (s *Store) IsOpen() bool {
	if s.opened == nil {
		return true
	}
	if !isDone(s.opened) {
		return false
	}
	return s.openErr == nil
}

// OpenErr is the error of a failed open (nil while opening, once open, and for a store not
// made by Opening).
func (s *Store) OpenErr() error {
	if s.opened == nil || !isDone(s.opened) {
		return nil
	}
	return s.openErr
}

// wait waits until the store is open, and returns the open's error, or ctx's.
func (s *Store) wait(ctx context.Context) error {
	if s.opened == nil {
		return nil
	}
	select {
	case <-s.opened:
		return s.openErr
	default:
	}
	select {
	case <-s.opened:
		return s.openErr
	case <-ctx.Done():
		return fmt.Errorf("nsdb: still opening: %w", ctx.Err())
	}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
