package nsdb

import (
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// ErrNoSpace reports that the NSDB cannot take writes for lack of space: its disk is
// below the reserve of the write guard, or etcd raised its NOSPACE alarm (quota reached).
var ErrNoSpace = errors.New("nsdb: out of space")

// SetWriteGuard makes every Txn ask guard first; an error refuses the write (wrapped in
// ErrNoSpace). The embedded store is guarded by the free space of its directory: etcd stops
// the process when a commit fails on a full disk, so it must never get there.
func (s *Store) SetWriteGuard(guard func() error) {
	if guard == nil {
		s.writeGuard.Store(nil)
		return
	}
	s.writeGuard.Store(&guard)
}

func (s *Store) checkSpace() error {
	if g := s.writeGuard.Load(); g != nil {
		if err := (*g)(); err != nil {
			return fmt.Errorf("%w: %w", ErrNoSpace, err)
		}
	}
	return nil
}

// IsNoSpace reports whether err says the NSDB is out of space: the write guard refused it
// or etcd answered NOSPACE ("mvcc: database space exceeded").
func IsNoSpace(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNoSpace) || errors.Is(err, rpctypes.ErrNoSpace) || errors.Is(err, rpctypes.ErrGRPCNoSpace) {
		return true
	}
	return strings.Contains(err.Error(), rpctypes.ErrNoSpace.Error())
}

// IsTooLarge reports whether err says one request was larger than the NSDB accepts (etcd's
// "request is too large", or the client's own limit on what it sends).
func IsTooLarge(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, rpctypes.ErrRequestTooLarge) || errors.Is(err, rpctypes.ErrGRPCRequestTooLarge) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, rpctypes.ErrRequestTooLarge.Error()) || strings.Contains(msg, "trying to send message larger than max")
}
