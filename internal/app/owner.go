package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ownerFile is the lock a serve, api or cluster holds on its data directory; it names the
// holder (pid, command, URL) for whoever finds it taken.
const ownerFile = "midonet.lock"

// ErrDataDirInUse is the error of a second server on a data directory.
var ErrDataDirInUse = errors.New("data directory in use")

// owner is the held lock on a data directory.
type owner struct {
	f       *os.File
	command string
}

// claimDataDir takes the data directory for this process, or fails at once naming the
// process that holds it. The lock (flock) goes with the process, however it ends.
func claimDataDir(dir, command string) (*owner, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("app: data directory: %w", err)
	}
	path := filepath.Join(dir, ownerFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("app: data directory lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		holder := strings.TrimSpace(string(b))
		if holder == "" {
			holder = "another midonet process"
		}
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("app: %w: %s is used by %s; stop it or give this one another --data-dir",
				ErrDataDirInUse, dir, holder)
		}
		return nil, fmt.Errorf("app: data directory lock %s: %w", path, err)
	}
	o := &owner{f: f, command: command}
	if err := o.record(""); err != nil {
		o.release()
		return nil, err
	}
	return o, nil
}

// record writes who holds the directory: "midonet serve (pid 42, http://127.0.0.1:9696)".
func (o *owner) record(url string) error {
	text := fmt.Sprintf("midonet %s (pid %d", o.command, os.Getpid())
	if url != "" {
		text += ", " + url
	}
	text += ")\n"
	if err := o.f.Truncate(0); err != nil {
		return fmt.Errorf("app: data directory lock: %w", err)
	}
	if _, err := o.f.WriteAt([]byte(text), 0); err != nil {
		return fmt.Errorf("app: data directory lock: %w", err)
	}
	return nil
}

// release gives the directory up (the file stays; its lock is what counts).
func (o *owner) release() {
	if o == nil || o.f == nil {
		return
	}
	_ = o.f.Truncate(0)
	_ = syscall.Flock(int(o.f.Fd()), syscall.LOCK_UN)
	_ = o.f.Close()
	o.f = nil
}
