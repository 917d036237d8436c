// Package ports hands tests loopback TCP ports for the servers they start, each one reserved
// against every other test process on the machine for as long as the process that drew it
// lives.
//
// A port is drawn below Linux's default ephemeral range (32768–60999), so the kernel never
// gives it to an outgoing connection or to a listener on port 0. A lock file per port, held
// with flock(2), keeps it from every other draw, in this process and in the test binaries
// `go test` runs beside it. A server a test stops and starts again on the same port therefore
// finds it free: no other test can have drawn it while the server was down. The kernel drops
// the locks when the process ends, however it ends, so a port is never lost to a crash.
package ports

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
)

// The range drawn from, and the directory of the lock files; a test narrows them.
var (
	low, high = 20000, 32000
	lockDir   = filepath.Join(os.TempDir(), "midonet-test-ports")
)

var (
	mu sync.Mutex
	// held keeps the lock files of the ports this process drew open: closing one (or its
	// finalizer) would release the port.
	held []*os.File
)

// Free returns a loopback TCP port that nothing listens on, reserved for this process.
func Free() (int, error) {
	mu.Lock()
	defer mu.Unlock()
	if err := os.MkdirAll(lockDir, 0o777); err != nil {
		return 0, fmt.Errorf("ports: %w", err)
	}
	tried := make(map[int]bool)
	for len(tried) < high-low {
		port := low + rand.IntN(high-low)
		if tried[port] {
			continue
		}
		tried[port] = true
		f, err := lock(port)
		if err != nil {
			return 0, err
		}
		if f == nil {
			continue // another draw holds it
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			f.Close() // something outside the tests listens there: release it, draw again
			continue
		}
		l.Close()
		held = append(held, f)
		return port, nil
	}
	return 0, fmt.Errorf("ports: every port between %d and %d is reserved or in use", low, high)
}

// lock takes the lock file of port, or returns nil when another draw holds it.
func lock(port int) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(lockDir, strconv.Itoa(port)), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("ports: lock file of %d: %w", port, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("ports: lock %d: %w", port, err)
	}
	return f, nil
}
