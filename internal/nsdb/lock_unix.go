//go:build unix

package nsdb

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// boltLocked reports whether another process holds etcd's database file in dir (an etcd
// that is not ours): etcd would wait forever for that lock instead of failing.
func boltLocked(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "member", "snap", "db"))
	if err != nil {
		return false
	}
	defer f.Close()
	// A shared lock conflicts with the exclusive one of a writer; closing f releases it.
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	return errors.Is(err, syscall.EWOULDBLOCK)
}
