// Package ovsdbtest starts a real ovsdb-server (Debian's openvswitch-common) serving the
// hardware_vtep schema (openvswitch-vtep) on a unix socket in a temporary directory, for the
// tests of the OVSDB client and of the hardware VTEP configuration. The server and the
// directory are removed when the test ends.
package ovsdbtest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/testutil/ports"
)

// VtepSchema is where Debian's openvswitch-vtep installs the hardware_vtep schema.
const VtepSchema = "/usr/share/openvswitch/vtep.ovsschema"

// Server is a running ovsdb-server.
type Server struct {
	// Socket is the unix socket clients connect to.
	Socket string
	// TCP is host:port of its loopback TCP listener (a VTEP's management address), when
	// started by StartTCP.
	TCP string
}

// Start runs ovsdb-server with a fresh hardware_vtep database on a unix socket.
func Start(t testing.TB) *Server { return start(t, false) }

// StartTCP also listens on a free loopback TCP port, as a hardware VTEP's OVSDB does.
func StartTCP(t testing.TB) *Server { return start(t, true) }

// freePort draws a loopback TCP port that no other test's draw holds.
func freePort(t testing.TB) int {
	p, err := ports.Free()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func start(t testing.TB, tcp bool) *Server {
	t.Helper()
	for _, bin := range []string{"ovsdb-server", "ovsdb-tool"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s not found: install openvswitch-common and openvswitch-vtep (scripts/install-test-deps.sh)", bin)
		}
	}
	if _, err := os.Stat(VtepSchema); err != nil {
		t.Fatalf("%s: install openvswitch-vtep (scripts/install-test-deps.sh): %v", VtepSchema, err)
	}
	// A short directory: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "ovsdb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := filepath.Join(dir, "vtep.db")
	if out, err := exec.Command("ovsdb-tool", "create", db, VtepSchema).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-tool create: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "db.sock")
	args := []string{db, "--remote=punix:" + sock, "--unixctl=" + filepath.Join(dir, "ctl"),
		"--no-chdir", "--log-file=" + filepath.Join(dir, "ovsdb-server.log"), "-vconsole:off"}
	srv := &Server{Socket: sock}
	if tcp {
		srv.TCP = "127.0.0.1:" + strconv.Itoa(freePort(t))
		args = append(args, "--remote=ptcp:"+strings.TrimPrefix(srv.TCP, "127.0.0.1:")+":127.0.0.1")
	}
	cmd := exec.Command("ovsdb-server", args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ovsdb-server: %v", err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			if srv.TCP == "" {
				return srv
			}
			if c, err := net.Dial("tcp", srv.TCP); err == nil {
				c.Close()
				return srv
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "ovsdb-server.log"))
			t.Fatalf("ovsdb-server exited: %v\n%s", waitErr, log)
		case <-ctx.Done():
			t.Fatalf("ovsdb-server did not open %s", sock)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
